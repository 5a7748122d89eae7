//! The whole shop running by itself: customers browse and check out at the storefront, the bus
//! delivers every event to the services that consume it (late, twice, out of order or to a
//! failing consumer, as the knobs say), and the services react. Everything runs on one virtual
//! clock from one seed, so the same seed and settings give the same log, byte for byte.
//!
//! # Layout
//! [`Simulation`] is a thin facade over three parts that share the shop and the clock:
//! - `storefront.rs`: the customers' sessions and what each does next.
//! - `reactor.rs`: the bus, the services' runtimes, their timers and the read models'
//!   projector; it carries out what the services decide.
//! - `history.rs`: the services' history, snapshots by head position for time travel.
//!
//! `producers.rs` names who produced an event (metadata `producer`, `script`).
//!
//! What a user, a policy script or the chaos platform asks for goes through the shop's public
//! `execute` and `publish`, which validate every payload; only the storefront's and the
//! services' own payloads, made by the shop's code, are `Validation::Trusted`.

mod history;
mod producers;
mod reactor;
mod storefront;

use serde::Serialize;

use super::commands::{Rejection, ShopCommand};
use super::events::ShopEvent;
use super::services::{Failure, Mode, ServiceName, ServiceRuntime};
use super::{CommandContext, CommandError, Shop};
use eventide_engine::delivery::{
    Bus, DeliverySettings, ResetRefused, SubscriptionId, SubscriptionStats,
};
use eventide_engine::envelope::Metadata;
use eventide_engine::ids::{Position, Timestamp};
use eventide_engine::rng::IdSource;
use eventide_engine::store::{Appended, ExpectedVersion};

pub use history::ServiceMoment;
pub use producers::{PolicyActor, ScriptReaction, PLATFORM, PRODUCER, SCRIPT, STOREFRONT, USER};

use history::ServicesHistory;
use reactor::Reactor;
use storefront::Storefront;

#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct SimulationConfig {
    pub seed: u64,
    /// Checkouts the storefront makes before it closes.
    pub orders: u64,
    pub customers: u32,
    pub start: Timestamp,
    /// The mean time between two shopping sessions.
    pub mean_arrival_ms: u64,
    /// Applied to every subscription at the start; each can be changed later.
    pub delivery: DeliverySettings,
    pub idempotent: bool,
    pub mode: Mode,
    pub failure: Failure,
}

impl SimulationConfig {
    pub fn new(seed: u64, orders: u64, start: Timestamp) -> Self {
        SimulationConfig {
            seed,
            orders,
            customers: 200,
            start,
            mean_arrival_ms: 2_000,
            delivery: DeliverySettings::default(),
            idempotent: true,
            mode: Mode::Choreography,
            failure: Failure::None,
        }
    }
}

/// How far a read model's projector trails the log: eventual consistency, measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ProjectionLag {
    /// Every event up to here has been applied.
    pub checkpoint: Position,
    pub behind: u64,
    pub waiting_ms: i64,
}

/// What a simulation run did, for reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    pub events: u64,
    pub deliveries: u64,
    pub rejections: u64,
}

pub struct Simulation {
    shop: Shop,
    storefront: Storefront,
    reactor: Reactor,
    history: ServicesHistory,
    /// The settings it was built with; `mode` follows [`Simulation::set_mode`].
    config: SimulationConfig,
    clock: Timestamp,
    summary: RunSummary,
}

/// Which part acts next on the virtual clock.
enum Next {
    Timer,
    Customer,
    Delivery(Timestamp),
}

impl Simulation {
    /// A simulation that opens the storefront for `config.orders` checkouts at once.
    pub fn new(config: SimulationConfig) -> Result<Simulation, CommandError> {
        let orders = config.orders;
        let mut simulation = Simulation::build(config);
        simulation.open_storefront(orders)?;
        Ok(simulation)
    }

    fn build(config: SimulationConfig) -> Simulation {
        Simulation {
            shop: Shop::new(),
            storefront: Storefront::new(config.seed),
            reactor: Reactor::new(&config),
            history: ServicesHistory::default(),
            clock: config.start,
            summary: RunSummary::default(),
            config,
        }
    }

    /// A shop with its services subscribed but not reacting, and nobody in the storefront: the
    /// browser's starting point, where the user decides what happens.
    pub fn idle(config: SimulationConfig) -> Simulation {
        let mut simulation = Simulation::build(config);
        simulation.reactor.set_listening(false);
        simulation
    }

    pub fn is_reacting(&self) -> bool {
        self.reactor.is_listening()
    }

    /// Switches delivery to the services on or off. Events recorded while off are never
    /// delivered: the services only hear what happens while they listen.
    pub fn set_reacting(&mut self, reacting: bool) {
        self.publish_new_events();
        self.reactor.set_listening(reacting);
    }

    /// Issues a command now, as a user would; with services listening, they will react.
    pub fn execute(
        &mut self,
        command: ShopCommand,
        ids: &mut dyn IdSource,
    ) -> Result<Appended, CommandError> {
        self.execute_backdated(command, ids, None)
    }

    /// Issues a command whose fact happened at `occurred_at` (business time), recorded now.
    pub fn execute_backdated(
        &mut self,
        command: ShopCommand,
        ids: &mut dyn IdSource,
        occurred_at: Option<Timestamp>,
    ) -> Result<Appended, CommandError> {
        self.execute_expecting(command, ids, occurred_at, None)
    }

    /// As [`Simulation::execute_backdated`], appending only if the stream is at `expected`
    /// (`None`: the version the aggregate decided at): a user can provoke a version conflict.
    pub fn execute_expecting(
        &mut self,
        command: ShopCommand,
        ids: &mut dyn IdSource,
        occurred_at: Option<Timestamp>,
        expected: Option<ExpectedVersion>,
    ) -> Result<Appended, CommandError> {
        let mut context = CommandContext::new(self.clock, ids);
        context.metadata = Metadata::default().with(PRODUCER, USER);
        context.occurred_at = occurred_at;
        context.expected = expected;
        let appended = self.shop.execute(command, context);
        self.publish_new_events();
        appended
    }

    /// What a user-written service (a policy script) decided in reaction to the event at
    /// `cause`: a command, or an event it publishes, in the cause's flow and in its name. Its
    /// payloads are validated like anything a person asks for; on any error nothing changes.
    pub fn react_for(
        &mut self,
        policy: PolicyActor<'_>,
        cause: Position,
        reaction: ScriptReaction,
        ids: &mut dyn IdSource,
    ) -> Result<Appended, CommandError> {
        let Some(event) = self.shop.store().get(cause) else {
            return Err(CommandError::Rejected {
                command: "React",
                rejection: Rejection::UnknownCause(cause),
            });
        };
        let (correlation, causation) = (event.correlation_id, event.id);
        let mut context =
            CommandContext::new(self.clock, ids).in_flow(correlation, Some(causation));
        context.metadata = Metadata::default()
            .with(PRODUCER, policy.producer())
            .with(SCRIPT, policy.id.to_string());
        let appended = match reaction {
            ScriptReaction::Command(command) => self.shop.execute(command, context),
            ScriptReaction::Publish(event) => self.shop.publish(event, context),
        };
        self.publish_new_events();
        appended
    }

    /// Records a fact from outside the services (the chaos platform, say) and delivers it.
    pub fn inject(&mut self, event: ShopEvent) -> Result<(), CommandError> {
        let mut context = CommandContext::new(self.clock, self.reactor.ids());
        context.metadata = Metadata::default().with(PRODUCER, PLATFORM);
        self.shop.publish(event, context)?;
        self.publish_new_events();
        Ok(())
    }

    /// Direct access to the shop for work the services must not see twice (a generated
    /// workload that drives whole flows itself). The clock moves on to the newest event. What
    /// is asked of the shop here is validated like anything from outside (its public API).
    pub fn with_shop<R>(&mut self, work: impl FnOnce(&mut Shop) -> R) -> R {
        let result = work(&mut self.shop);
        self.catch_up(false);
        result
    }

    /// Moves the time-travel cursor; the services' panels follow it through snapshots.
    pub fn seek(&mut self, target: Position) -> Position {
        self.shop.seek(target)
    }

    pub fn go_live(&mut self) {
        self.shop.go_live();
    }

    /// Opens the storefront for `checkouts` more checkouts, stocking empty shelves first.
    pub fn open_storefront(&mut self, checkouts: u64) -> Result<(), CommandError> {
        if checkouts == 0 {
            return Ok(());
        }
        self.storefront
            .stock_empty_shelves(&mut self.shop, self.clock)?;
        self.publish_new_events();
        self.storefront.open(checkouts, self.clock);
        Ok(())
    }

    /// Checkouts the storefront still means to make.
    pub fn checkouts_remaining(&self) -> u64 {
        self.storefront.checkouts_remaining()
    }

    /// Every service as it was when the log's head was at `position` (now, for the head).
    pub fn services_at(&self, position: Position) -> Vec<ServiceMoment> {
        if position >= self.shop.store().head() {
            return self.reactor.services_now();
        }
        match self.history.at(position) {
            Some(services) => services.to_vec(),
            None => self.reactor.services_at_start(),
        }
    }

    pub fn mode(&self) -> Mode {
        self.config.mode
    }

    /// Switches the coordination model: the services and the bus are rebuilt for it, the log
    /// stays. Only between flows: with deliveries in flight it would drop messages, so it refuses.
    pub fn set_mode(&mut self, mode: Mode) -> Result<(), String> {
        if mode == self.config.mode {
            return Ok(());
        }
        if !self.reactor.bus().is_idle() || self.reactor.has_timers() {
            return Err(format!(
                "{} deliveries are still in flight: let the simulation run until all is quiet, then switch",
                self.reactor.bus().in_flight()
            ));
        }
        self.publish_new_events();
        self.config.mode = mode;
        self.reactor.rewire(&self.config);
        Ok(())
    }

    pub fn shop(&self) -> &Shop {
        &self.shop
    }

    pub fn bus(&self) -> &Bus<ShopEvent> {
        self.reactor.bus()
    }

    pub fn services(&self) -> &[ServiceRuntime] {
        self.reactor.services()
    }

    pub fn clock(&self) -> Timestamp {
        self.clock
    }

    pub fn summary(&self) -> RunSummary {
        self.summary
    }

    pub fn subscription_of(&self, service: ServiceName) -> Option<SubscriptionId> {
        self.reactor
            .runtime_of(service)
            .map(|runtime| runtime.subscription)
    }

    /// Where the read models' projector has got to: the position up to which it has handled every
    /// event, how many events it is behind, and since when the oldest of them has waited.
    pub fn projection_lag(&self) -> ProjectionLag {
        let head = self.shop.store().head();
        let stats = self.reactor.bus().stats(self.reactor.projector());
        match stats.oldest_open {
            Some(oldest) => {
                let checkpoint = Position(oldest.0.saturating_sub(1)).min(head);
                let waiting_ms = self
                    .shop
                    .store()
                    .get(oldest)
                    .map_or(0, |e| (self.clock.0 - e.recorded_at.0).max(0));
                ProjectionLag {
                    checkpoint,
                    behind: head.0 - checkpoint.0,
                    waiting_ms,
                }
            }
            None => ProjectionLag {
                checkpoint: head,
                behind: 0,
                waiting_ms: 0,
            },
        }
    }

    /// Every subscription of the bus, services' and projectors' alike.
    pub fn subscriptions(&self) -> impl Iterator<Item = SubscriptionId> + '_ {
        self.reactor.bus().subscription_ids()
    }

    /// Changes the delivery settings of one subscription.
    pub fn set_subscription_delivery(
        &mut self,
        subscription: SubscriptionId,
        settings: DeliverySettings,
    ) {
        self.reactor.bus_mut().set_settings(subscription, settings);
    }

    pub fn set_delivery(&mut self, service: ServiceName, settings: DeliverySettings) {
        if let Some(subscription) = self.subscription_of(service) {
            self.set_subscription_delivery(subscription, settings);
        }
    }

    pub fn set_idempotent(&mut self, service: ServiceName, idempotent: bool) {
        if let Some(runtime) = self.reactor.runtime_of_mut(service) {
            runtime.idempotent = idempotent;
        }
    }

    /// Sends a subscription's dead letters again.
    pub fn replay_parked(&mut self, service: ServiceName) -> usize {
        let Some(subscription) = self.subscription_of(service) else {
            return 0;
        };
        self.reactor
            .bus_mut()
            .replay_parked(subscription, self.shop.store().events(), self.clock)
    }

    /// Moves a service's checkpoint back to `to` and sends it again every event it consumes
    /// after that (see [`Bus::reset`]): what a naive service does twice shows beside what it
    /// should have done. Refused, changing nothing, for a position past its checkpoint.
    pub fn reset_subscription(
        &mut self,
        service: ServiceName,
        to: Position,
    ) -> Result<usize, ResetRefused> {
        let subscription = self.subscription_of(service).ok_or(ResetRefused::Unknown)?;
        self.reset(subscription, to)
    }

    /// Resets any subscription of the bus, the read models' projector's too: its read models
    /// then lag behind the log until the replay has reached them again.
    pub fn reset(
        &mut self,
        subscription: SubscriptionId,
        to: Position,
    ) -> Result<usize, ResetRefused> {
        self.reactor
            .bus_mut()
            .reset(subscription, to, self.shop.store().events(), self.clock)
    }

    /// The read models' projector's subscription.
    pub fn projector(&self) -> SubscriptionId {
        self.reactor.projector()
    }

    pub fn subscription_stats(&self, service: ServiceName) -> SubscriptionStats {
        self.subscription_of(service)
            .map(|id| self.reactor.bus().stats(id))
            .unwrap_or_default()
    }

    /// True when nobody has anything left to do: no customer, no delivery and no timer is
    /// pending.
    pub fn is_quiescent(&self) -> bool {
        self.storefront.is_closed() && self.reactor.bus().is_idle() && !self.reactor.has_timers()
    }

    /// Runs until quiescent, or until the log holds `max_events`.
    pub fn run(&mut self, max_events: u64) -> Result<RunSummary, CommandError> {
        while !self.is_quiescent() && (self.shop.store().len() as u64) < max_events {
            self.step()?;
        }
        Ok(self.summary)
    }

    /// Runs everything due up to `until` on the virtual clock, then sets the clock there.
    pub fn advance_to(&mut self, until: Timestamp) -> Result<(), CommandError> {
        while self.next_time().is_some_and(|next| next <= until) {
            self.step()?;
        }
        self.clock = self.clock.max(until);
        Ok(())
    }

    fn next_time(&self) -> Option<Timestamp> {
        [
            self.storefront.next_at(),
            self.reactor.bus().next_due(),
            self.reactor.next_timer_at(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Which part acts next: a timer at the earliest time (a timeout due now beats a reply due
    /// now), else a customer no later than the next delivery, else that delivery.
    fn next(&self) -> Option<Next> {
        let earliest = self.next_time()?;
        if self.reactor.next_timer_at() == Some(earliest) {
            return Some(Next::Timer);
        }
        match (self.storefront.next_at(), self.reactor.bus().next_due()) {
            (Some(at), Some(due)) if at <= due => Some(Next::Customer),
            (Some(_), None) => Some(Next::Customer),
            (_, Some(due)) => Some(Next::Delivery(due)),
            (None, None) => None,
        }
    }

    /// Does the one next thing: a timer, a customer's action or a delivery, whichever is due
    /// first.
    pub fn step(&mut self) -> Result<(), CommandError> {
        match self.next() {
            Some(Next::Timer) => {
                if let Some(due) = self.reactor.take_timer() {
                    self.clock = self.clock.max(due.at);
                    self.reactor
                        .fire(due.item, &mut self.shop, self.clock, &mut self.summary)?;
                }
            }
            Some(Next::Customer) => {
                if let Some(due) = self.storefront.take_next() {
                    self.clock = self.clock.max(due.at);
                    self.storefront.visit(
                        due.item,
                        &mut self.shop,
                        self.clock,
                        &self.config,
                        &mut self.summary,
                    )?;
                }
            }
            Some(Next::Delivery(due)) => {
                self.clock = self.clock.max(due);
                if let Some(attempt) = self.reactor.bus_mut().pop_due(self.clock) {
                    self.reactor
                        .deliver(attempt, &mut self.shop, self.clock, &mut self.summary)?;
                }
            }
            None => return Ok(()),
        }
        self.publish_new_events();
        Ok(())
    }

    /// Hands every event recorded since the last call to the bus (while the services listen).
    fn publish_new_events(&mut self) {
        self.catch_up(self.reactor.is_listening());
    }

    /// Brings the parts up to the log's head: the bus is handed the new events if `deliver`,
    /// the clock moves on to the newest event, and the services are snapshotted now and then.
    fn catch_up(&mut self, deliver: bool) {
        let store = self.shop.store();
        self.reactor.hand_over(store, self.clock, deliver);
        if let Some(last) = store.events().last() {
            self.clock = self.clock.max(last.recorded_at);
        }
        let head = store.head();
        self.summary.events = head.0;
        let reactor = &self.reactor;
        self.history.record(head, || reactor.services_now());
    }
}

#[cfg(test)]
mod tests;
