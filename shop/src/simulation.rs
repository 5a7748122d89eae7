//! The whole shop running by itself: customers browse and check out at the storefront, the bus
//! delivers every event to the services that consume it (late, twice, out of order or to a
//! failing consumer, as the knobs say), and the services react. Everything runs on one virtual
//! clock from one seed, so the same seed and settings give the same log, byte for byte.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde::Serialize;

use super::catalog::PRODUCTS;
use super::commands::ShopCommand;
use super::events::{ShopEvent, ShopEventKind};
use super::ids::CustomerId;
use super::services::{
    services_for, Failure, Mode, Reaction, ServiceName, ServiceRuntime, ServiceView, DOWN_ATTEMPTS,
};
use super::{CommandContext, CommandError, Shop, Validation};
use eventide_engine::delivery::{
    Bus, Delivery, DeliverySettings, Outcome, SubscriptionId, SubscriptionStats,
};
use eventide_engine::envelope::{Metadata, Named};
use eventide_engine::ids::{CorrelationId, EventId, Position, Timestamp};
use eventide_engine::rng::SeededRng;

/// The metadata key naming who produced an event: a service, the storefront, the chaos
/// platform or a user. Traces draw a lane per producer.
pub const PRODUCER: &str = eventide_engine::trace::PRODUCER;
pub const STOREFRONT: &str = "Storefront";
pub const PLATFORM: &str = "Chaos platform";
pub const USER: &str = "User";
/// The metadata key that names the deployed script an event came from: its identity, where
/// `producer` is only a label for people (a script may be called anything, "Storefront" too).
pub const SCRIPT: &str = "script";

/// A user's deployed policy as the author of what it decided: a stable id (its identity) and
/// its name (for people).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PolicyActor<'a> {
    pub id: u64,
    pub name: &'a str,
}

impl PolicyActor<'_> {
    /// The producer label its events carry: never one of the built-in producers' names.
    pub fn producer(&self) -> String {
        format!("policy: {}", self.name)
    }

    /// Whether `event` is one this policy published (it must not react to its own events).
    pub fn published<E: eventide_engine::DomainEvent>(
        &self,
        event: &eventide_engine::Recorded<E>,
    ) -> bool {
        event.metadata.get(SCRIPT) == Some(self.id.to_string().as_str())
    }
}

/// Enough stock that choreography never waits on the warehouse.
const OPENING_STOCK: u32 = 1_000_000;

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Arrive,
    View { left: u8 },
    Add { left: u8 },
    CheckOut,
}

#[derive(Clone, Copy, Debug)]
struct Session {
    customer: CustomerId,
    checks_out: bool,
    correlation: Option<CorrelationId>,
    last_event: Option<EventId>,
}

/// The customers' side: sessions of browsing, adding to the cart and checking out.
struct Storefront {
    rng: SeededRng,
    ids: SeededRng,
    sessions: Vec<Session>,
    agenda: BinaryHeap<Reverse<(Timestamp, u64, usize, Step)>>,
    sequence: u64,
    checkouts_planned: u64,
    /// Checkouts to make in all: opening the storefront again raises it.
    checkouts_target: u64,
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
    bus: Bus<ShopEvent>,
    services: Vec<ServiceRuntime>,
    /// The subscription that feeds every read model.
    projector: SubscriptionId,
    storefront: Storefront,
    config: SimulationConfig,
    clock: Timestamp,
    service_ids: SeededRng,
    published: Position,
    summary: RunSummary,
    /// Whether recorded events are delivered to the services. Off, the shop is a plain
    /// event-sourced system that only does what it is told.
    reacting: bool,
    snapshots: Vec<Snapshot>,
    mode: Mode,
    timers: BinaryHeap<Reverse<PendingTimer>>,
    timer_sequence: u64,
}

/// Every service and subscription as of one head position, so their panels can time-travel.
#[derive(Clone, Debug)]
struct Snapshot {
    head: Position,
    services: Vec<(ServiceName, ServiceView, SubscriptionStats)>,
}

/// A service's timer: when it goes off, an order among equals, whose it is, for which flow,
/// and the token the service will recognise.
type PendingTimer = (Timestamp, u64, ServiceName, CorrelationId, u32);

/// Snapshots are taken whenever the log has grown by this much.
const SNAPSHOT_EVERY: u64 = 8;

impl Simulation {
    /// A simulation that opens the storefront for `config.orders` checkouts at once.
    pub fn new(config: SimulationConfig) -> Result<Simulation, CommandError> {
        let orders = config.orders;
        let mut simulation = Simulation::build(config);
        simulation.open_storefront(orders)?;
        Ok(simulation)
    }

    fn build(config: SimulationConfig) -> Simulation {
        let mut bus = Bus::new(config.seed ^ 0x00b0_5b05);
        let services: Vec<ServiceRuntime> = services_for(config.mode)
            .into_iter()
            .map(|mut service| {
                service.inject(config.failure);
                let shipping_down = config.failure == Failure::ShippingDown
                    && service.name() == ServiceName::Shipping;
                let name = service.name().name();
                let mut settings = config.delivery.clamped();
                if shipping_down {
                    settings.failure_rate = 1.0;
                    settings.max_attempts = DOWN_ATTEMPTS;
                }
                let subscription = bus.subscribe(name, service.declaration().consumes, settings);
                let mut runtime = ServiceRuntime::new(service, subscription);
                runtime.idempotent = config.idempotent;
                runtime
            })
            .collect();
        // The storefront's and the services' events come from the shop's own code, valid by
        // construction (`Validation::Trusted`); what a user asks for goes through the shop's
        // public entry points, which validate every payload.
        let shop = Shop::new();
        // The read models are consumers too: their projector has its own subscription and
        // checkpoint, so the query side lags behind the log like any other consumer.
        let projector = bus.subscribe(
            "Read-model projector",
            ShopEventKind::ALL,
            config.delivery.clamped(),
        );
        Simulation {
            shop,
            bus,
            services,
            projector,
            storefront: Storefront {
                rng: SeededRng::new(config.seed),
                ids: SeededRng::new(config.seed ^ 0x0005_707e),
                sessions: Vec::new(),
                agenda: BinaryHeap::new(),
                sequence: 0,
                checkouts_planned: 0,
                checkouts_target: 0,
            },
            clock: config.start,
            service_ids: SeededRng::new(config.seed ^ 0x05e7_c1ce),
            published: Position::ORIGIN,
            summary: RunSummary::default(),
            reacting: true,
            snapshots: Vec::new(),
            mode: config.mode,
            timers: BinaryHeap::new(),
            timer_sequence: 0,
            config,
        }
    }

    /// A shop with its services subscribed but not reacting, and nobody in the storefront: the
    /// browser's starting point, where the user decides what happens.
    pub fn idle(config: SimulationConfig) -> Simulation {
        let mut simulation = Simulation::build(config);
        simulation.reacting = false;
        simulation
    }

    pub fn is_reacting(&self) -> bool {
        self.reacting
    }

    /// Switches delivery to the services on or off. Events recorded while off are never
    /// delivered: the services only hear what happens while they listen.
    pub fn set_reacting(&mut self, reacting: bool) {
        self.publish_new_events();
        self.reacting = reacting;
    }

    /// Issues a command now, as a user would; with services listening, they will react.
    pub fn execute(
        &mut self,
        command: ShopCommand,
        ids: &mut dyn eventide_engine::rng::IdSource,
    ) -> Result<eventide_engine::store::Appended, CommandError> {
        self.execute_backdated(command, ids, None)
    }

    /// Issues a command whose fact happened at `occurred_at` (business time), recorded now.
    pub fn execute_backdated(
        &mut self,
        command: ShopCommand,
        ids: &mut dyn eventide_engine::rng::IdSource,
        occurred_at: Option<Timestamp>,
    ) -> Result<eventide_engine::store::Appended, CommandError> {
        self.execute_expecting(command, ids, occurred_at, None)
    }

    /// As [`Simulation::execute_backdated`], appending only if the stream is at `expected`
    /// (`None`: the version the aggregate decided at): a user can provoke a version conflict.
    pub fn execute_expecting(
        &mut self,
        command: ShopCommand,
        ids: &mut dyn eventide_engine::rng::IdSource,
        occurred_at: Option<Timestamp>,
        expected: Option<eventide_engine::store::ExpectedVersion>,
    ) -> Result<eventide_engine::store::Appended, CommandError> {
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
        ids: &mut dyn eventide_engine::rng::IdSource,
    ) -> Result<eventide_engine::store::Appended, CommandError> {
        let (correlation, causation) = match self.shop.store().get(cause) {
            Some(event) => (event.correlation_id, event.id),
            None => {
                return Err(CommandError::Rejected {
                    command: "React",
                    rejection: super::commands::Rejection::UnknownCause(cause),
                })
            }
        };
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

    /// Direct access to the shop for work the services must not see twice (a generated
    /// workload that drives whole flows itself). The clock moves on to the newest event.
    pub fn with_shop<R>(&mut self, work: impl FnOnce(&mut Shop) -> R) -> R {
        let result = work(&mut self.shop);
        let reacting = self.reacting;
        self.reacting = false;
        self.publish_new_events();
        self.reacting = reacting;
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
        for product in PRODUCTS {
            let stocked = self
                .shop
                .aggregates()
                .stock(product.sku)
                .is_some_and(|s| s.available() > 0);
            if !stocked {
                let command = ShopCommand::RestockInventory {
                    sku: product.sku,
                    quantity: OPENING_STOCK,
                };
                self.shop.execute_with(
                    command,
                    CommandContext::new(self.clock, &mut self.storefront.ids),
                    Validation::Trusted,
                )?;
            }
        }
        self.publish_new_events();
        let arriving = self
            .storefront
            .agenda
            .iter()
            .any(|Reverse((_, _, _, step))| *step == Step::Arrive);
        self.storefront.checkouts_target += checkouts;
        if !arriving {
            self.storefront.book(self.clock, usize::MAX, Step::Arrive);
        }
        Ok(())
    }

    /// Checkouts the storefront still means to make.
    pub fn checkouts_remaining(&self) -> u64 {
        self.storefront
            .checkouts_target
            .saturating_sub(self.storefront.checkouts_planned)
    }

    /// Every service as it was when the log's head was at `position` (now, for the head).
    pub fn services_at(
        &self,
        position: Position,
    ) -> Vec<(ServiceName, ServiceView, SubscriptionStats)> {
        if position >= self.shop.store().head() {
            return self.services_now();
        }
        let index = self
            .snapshots
            .partition_point(|snapshot| snapshot.head <= position);
        match index.checked_sub(1).and_then(|i| self.snapshots.get(i)) {
            Some(snapshot) => snapshot.services.clone(),
            None => self
                .services
                .iter()
                .map(|runtime| {
                    let mut view = runtime.view();
                    view.state = runtime
                        .service
                        .state()
                        .into_iter()
                        .map(|(k, _)| (k, 0))
                        .collect();
                    view.expected = view.state.clone();
                    view.settled = true;
                    view.processed = 0;
                    view.duplicates_processed = 0;
                    view.duplicates_ignored = 0;
                    view.duplicates_past_window = 0;
                    view.remembered = 0;
                    view.ops = super::services::OpsSettings::NORMAL;
                    (runtime.service.name(), view, SubscriptionStats::default())
                })
                .collect(),
        }
    }

    fn services_now(&self) -> Vec<(ServiceName, ServiceView, SubscriptionStats)> {
        self.services
            .iter()
            .map(|runtime| {
                (
                    runtime.service.name(),
                    runtime.view(),
                    self.bus.stats(runtime.subscription),
                )
            })
            .collect()
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Switches the coordination model: the services and the bus are rebuilt for it, the log
    /// stays. Only between flows: with deliveries in flight it would drop messages, so it refuses.
    pub fn set_mode(&mut self, mode: Mode) -> Result<(), String> {
        if mode == self.mode {
            return Ok(());
        }
        if !self.bus.is_idle() || !self.timers.is_empty() {
            return Err(format!(
                "{} deliveries are still in flight: let the simulation run until all is quiet, then switch",
                self.bus.in_flight()
            ));
        }
        self.publish_new_events();
        let mut config = self.config.clone();
        config.mode = mode;
        let mut fresh = Simulation::build(config.clone());
        // What the user set keeps: delivery settings by subscription name, idempotency by service.
        for id in fresh.bus.subscription_ids().collect::<Vec<_>>() {
            let name = fresh.bus.name(id).to_string();
            let old = self
                .bus
                .subscription_ids()
                .find(|old| self.bus.name(*old) == name);
            if let Some(settings) = old.and_then(|old| self.bus.settings(old).copied()) {
                fresh.bus.set_settings(id, settings);
            }
        }
        for runtime in &mut fresh.services {
            if let Some(old) = self
                .services
                .iter()
                .find(|r| r.service.name() == runtime.service.name())
            {
                runtime.idempotent = old.idempotent;
            }
        }
        self.bus = fresh.bus;
        self.services = fresh.services;
        self.projector = fresh.projector;
        self.mode = mode;
        self.config = config;
        Ok(())
    }

    pub fn shop(&self) -> &Shop {
        &self.shop
    }

    pub fn bus(&self) -> &Bus<ShopEvent> {
        &self.bus
    }

    pub fn services(&self) -> &[ServiceRuntime] {
        &self.services
    }

    pub fn clock(&self) -> Timestamp {
        self.clock
    }

    pub fn summary(&self) -> RunSummary {
        self.summary
    }

    pub fn subscription_of(&self, service: ServiceName) -> Option<SubscriptionId> {
        self.services
            .iter()
            .find(|runtime| runtime.service.name() == service)
            .map(|runtime| runtime.subscription)
    }

    /// Where the read models' projector has got to: the position up to which it has handled every
    /// event, how many events it is behind, and since when the oldest of them has waited.
    pub fn projection_lag(&self) -> ProjectionLag {
        let head = self.shop.store().head();
        let stats = self.bus.stats(self.projector);
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
        self.bus.subscription_ids()
    }

    /// Changes the delivery settings of one subscription.
    pub fn set_subscription_delivery(
        &mut self,
        subscription: SubscriptionId,
        settings: DeliverySettings,
    ) {
        self.bus.set_settings(subscription, settings);
    }

    pub fn set_delivery(&mut self, service: ServiceName, settings: DeliverySettings) {
        if let Some(subscription) = self.subscription_of(service) {
            self.bus.set_settings(subscription, settings);
        }
    }

    pub fn set_idempotent(&mut self, service: ServiceName, idempotent: bool) {
        if let Some(runtime) = self
            .services
            .iter_mut()
            .find(|r| r.service.name() == service)
        {
            runtime.idempotent = idempotent;
        }
    }

    /// Records a fact from outside the services (the chaos platform, say) and delivers it.
    pub fn inject(&mut self, event: ShopEvent) -> Result<(), CommandError> {
        let mut context = CommandContext::new(self.clock, &mut self.service_ids);
        context.metadata = Metadata::default().with(PRODUCER, PLATFORM);
        self.shop.publish(event, context)?;
        self.publish_new_events();
        Ok(())
    }

    /// True when nobody has anything left to do: no customer and no delivery is pending.
    pub fn is_quiescent(&self) -> bool {
        self.storefront.agenda.is_empty() && self.bus.is_idle() && self.pending_timers() == 0
    }

    /// Timers that could still change something (a saga waiting on a step).
    fn pending_timers(&self) -> usize {
        self.timers.len()
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
        let customer = self.storefront.agenda.peek().map(|Reverse((at, ..))| *at);
        let timer = self.timers.peek().map(|Reverse((at, ..))| *at);
        [customer, self.bus.next_due(), timer]
            .into_iter()
            .flatten()
            .min()
    }

    /// Does the one next thing: a customer's action or a delivery, whichever is due first.
    pub fn step(&mut self) -> Result<(), CommandError> {
        // Timers go first at equal times: a timeout due now beats a reply due now.
        let timer = self.timers.peek().map(|Reverse((at, ..))| *at);
        if let Some(at) = timer {
            if self.next_time().is_some_and(|next| at <= next) {
                return self.fire_timer();
            }
        }
        let customer = self.storefront.agenda.peek().map(|Reverse((at, ..))| *at);
        let delivery = self.bus.next_due();
        match (customer, delivery) {
            (Some(at), Some(due)) if at <= due => self.customer_step(),
            (Some(_), None) => self.customer_step(),
            (_, Some(due)) => {
                self.clock = self.clock.max(due);
                if let Some(delivery) = self.bus.pop_due(self.clock) {
                    self.deliver(delivery)?;
                }
                Ok(())
            }
            (None, None) => Ok(()),
        }
    }

    fn customer_step(&mut self) -> Result<(), CommandError> {
        let Some(Reverse((at, _, session, step))) = self.storefront.agenda.pop() else {
            return Ok(());
        };
        self.clock = self.clock.max(at);
        if step == Step::Arrive {
            self.storefront.arrive(self.clock, &self.config);
            return Ok(());
        }
        let Some(current) = self.storefront.sessions.get(session).copied() else {
            return Ok(());
        };
        let sku = self
            .storefront
            .rng
            .pick(PRODUCTS)
            .map_or(PRODUCTS[0].sku, |p| p.sku);
        let (command, next) = match step {
            Step::View { left } => (
                ShopCommand::ViewProduct {
                    customer: current.customer,
                    sku,
                },
                if left > 1 {
                    Some(Step::View { left: left - 1 })
                } else {
                    Some(Step::Add {
                        left: self.storefront.rng.between(1, 3) as u8,
                    })
                },
            ),
            Step::Add { left } => (
                ShopCommand::AddItemToCart {
                    customer: current.customer,
                    sku,
                    quantity: 1,
                },
                match (left > 1, current.checks_out) {
                    (true, _) => Some(Step::Add { left: left - 1 }),
                    (false, true) => Some(Step::CheckOut),
                    (false, false) => None,
                },
            ),
            Step::CheckOut => (
                ShopCommand::CheckOutCart {
                    customer: current.customer,
                },
                None,
            ),
            Step::Arrive => return Ok(()),
        };
        let mut context = CommandContext::new(self.clock, &mut self.storefront.ids);
        context.metadata = Metadata::default().with(PRODUCER, STOREFRONT);
        if let Some(correlation) = current.correlation {
            context = context.in_flow(correlation, current.last_event);
        }
        match self
            .shop
            .execute_with(command, context, Validation::Trusted)
        {
            Ok(appended) => {
                if let Some(event) = appended
                    .range
                    .and_then(|(_, last)| self.shop.store().get(last))
                {
                    let session = &mut self.storefront.sessions[session];
                    session.correlation = Some(event.correlation_id);
                    session.last_event = Some(event.id);
                }
            }
            // Another session of the same customer emptied the cart first: this one ends.
            Err(CommandError::Rejected { .. }) => self.summary.rejections += 1,
            Err(error) => return Err(error),
        }
        if let Some(next) = next {
            let delay = self.storefront.rng.between(2_000, 20_000);
            self.storefront
                .book(self.clock.plus_millis(delay as i64), session, next);
        }
        self.publish_new_events();
        Ok(())
    }

    fn deliver(&mut self, delivery: Delivery) -> Result<(), CommandError> {
        self.summary.deliveries += 1;
        if self.bus.attempt_fails(&delivery) {
            let outcome = self.bus.complete(delivery, Outcome::Failed, self.clock);
            if outcome == Outcome::Parked {
                // Exactly-once delivery would have brought it: the twin folds it, so the parked
                // letter shows as a wrong value until it is replayed.
                let event = self
                    .shop
                    .store()
                    .get(delivery.position)
                    .map(|event| self.shop.read_as_consumers(event).into_owned());
                let runtime = self
                    .services
                    .iter_mut()
                    .find(|r| r.subscription == delivery.subscription);
                if let (Some(event), Some(runtime)) = (event, runtime) {
                    runtime.parked(&event, self.config.seed);
                }
            }
            return Ok(());
        }
        // Services read the event as consumers read it now: upcast if its schema evolved.
        let Some(event) = self
            .shop
            .store()
            .get(delivery.position)
            .map(|event| self.shop.read_as_consumers(event).into_owned())
        else {
            self.bus.complete(delivery, Outcome::Handled, self.clock);
            return Ok(());
        };
        let window = self
            .bus
            .settings(delivery.subscription)
            .map_or(DeliverySettings::DEFAULT_DEDUP_WINDOW_MS, |s| {
                s.dedup_window_ms
            });
        let Some(runtime) = self
            .services
            .iter_mut()
            .find(|r| r.subscription == delivery.subscription)
        else {
            self.bus.complete(delivery, Outcome::Handled, self.clock);
            return Ok(());
        };
        let ops_before = runtime.ops;
        let producer = runtime.service.name().name();
        let reactions = match runtime.handle(&event, self.config.seed, self.clock, window) {
            super::services::runtime::Handling::Ignored => {
                self.bus
                    .complete(delivery, Outcome::IgnoredDuplicate, self.clock);
                return Ok(());
            }
            super::services::runtime::Handling::React(reactions) => reactions,
        };
        if runtime.ops != ops_before {
            let retry_budget = runtime.ops.retry_budget;
            if let Some(mut settings) = self.bus.settings(delivery.subscription).copied() {
                settings.max_attempts = retry_budget;
                self.bus.set_settings(delivery.subscription, settings);
            }
        }
        let service = runtime.service.name();
        self.apply_reactions(
            service,
            producer,
            event.correlation_id,
            Some(event.id),
            reactions,
        )?;
        self.bus.complete(delivery, Outcome::Handled, self.clock);
        self.publish_new_events();
        Ok(())
    }

    /// Carries out what a service decided, in its name and in the flow of the cause.
    fn apply_reactions(
        &mut self,
        service: ServiceName,
        producer: &'static str,
        flow: CorrelationId,
        cause: Option<EventId>,
        reactions: Vec<Reaction>,
    ) -> Result<(), CommandError> {
        for reaction in reactions {
            let mut context =
                CommandContext::new(self.clock, &mut self.service_ids).in_flow(flow, cause);
            context.metadata = Metadata::default().with(PRODUCER, producer);
            let outcome = match reaction {
                Reaction::Command(command) => {
                    self.shop
                        .execute_with(command, context, Validation::Trusted)
                }
                Reaction::Publish(fact) => {
                    self.shop.publish_with(fact, context, Validation::Trusted)
                }
                Reaction::Join(fact, others) => {
                    let joins = others
                        .iter()
                        .map(|id| id.to_string())
                        .collect::<Vec<_>>()
                        .join(",");
                    context.metadata = context.metadata.with(eventide_engine::trace::JOINS, joins);
                    self.shop.publish_with(fact, context, Validation::Trusted)
                }
                Reaction::Timer { after_ms, token } => {
                    self.timer_sequence += 1;
                    let at = self.clock.plus_millis(after_ms as i64);
                    self.timers
                        .push(Reverse((at, self.timer_sequence, service, flow, token)));
                    continue;
                }
            };
            match outcome {
                Ok(_) => {}
                // A rule said no (a repeat charge of a paid order): the service's problem, not the run's.
                Err(CommandError::Rejected { .. }) => self.summary.rejections += 1,
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// A timer a service set went off: it may give up waiting (a saga's timeout).
    fn fire_timer(&mut self) -> Result<(), CommandError> {
        let Some(Reverse((at, _, service, flow, token))) = self.timers.pop() else {
            return Ok(());
        };
        self.clock = self.clock.max(at);
        let Some(runtime) = self
            .services
            .iter_mut()
            .find(|r| r.service.name() == service)
        else {
            return Ok(());
        };
        let reactions = runtime.service.on_timer(flow, token);
        let cause = runtime.service.timer_cause(flow);
        if reactions.is_empty() {
            return Ok(());
        }
        self.apply_reactions(service, service.name(), flow, cause, reactions)?;
        self.publish_new_events();
        Ok(())
    }

    /// Hands every event recorded since the last call to the bus (while the services listen),
    /// keeps the clock at or after the newest event, and snapshots the services now and then.
    fn publish_new_events(&mut self) {
        let head = self.shop.store().head();
        if self.reacting {
            for event in self.shop.store().between(self.published, head) {
                self.bus.publish(event, self.clock);
                // Each twin learns what its subscription was handed, so it can fold in order.
                for runtime in &mut self.services {
                    if self.bus.wants(runtime.subscription, event.kind()) {
                        runtime.exactly_once.expect(event.position);
                    }
                }
            }
        }
        if let Some(last) = self.shop.store().events().last() {
            self.clock = self.clock.max(last.recorded_at);
        }
        self.summary.events = head.0;
        self.published = head;
        let last_snapshot = self.snapshots.last().map_or(Position::ORIGIN, |s| s.head);
        // Fine-grained early on, coarser as the log grows: at most a few thousand snapshots.
        if head.0 >= last_snapshot.0 + SNAPSHOT_EVERY.max(head.0 / 4_000) {
            let services = self.services_now();
            self.snapshots.push(Snapshot { head, services });
        }
    }

    /// Sends a subscription's dead letters again.
    pub fn replay_parked(&mut self, service: ServiceName) -> usize {
        let Some(subscription) = self.subscription_of(service) else {
            return 0;
        };
        self.bus
            .replay_parked(subscription, self.shop.store().events(), self.clock)
    }

    pub fn subscription_stats(&self, service: ServiceName) -> SubscriptionStats {
        self.subscription_of(service)
            .map(|id| self.bus.stats(id))
            .unwrap_or_default()
    }
}

impl Storefront {
    fn book(&mut self, at: Timestamp, session: usize, step: Step) {
        self.sequence += 1;
        self.agenda
            .push(Reverse((at, self.sequence, session, step)));
    }

    /// A customer walks in; the next one is booked while checkouts remain to be made.
    fn arrive(&mut self, now: Timestamp, config: &SimulationConfig) {
        let customer = CustomerId(self.rng.between(1, u64::from(config.customers.max(1))) as u32);
        let checks_out = self.rng.chance(0.85);
        if checks_out {
            self.checkouts_planned += 1;
        }
        self.sessions.push(Session {
            customer,
            checks_out,
            correlation: None,
            last_event: None,
        });
        let views = self.rng.between(1, 4) as u8;
        self.book(now, self.sessions.len() - 1, Step::View { left: views });
        if self.checkouts_planned < self.checkouts_target {
            let gap = self.rng.between(1, config.mean_arrival_ms.max(1) * 2);
            self.book(now.plus_millis(gap as i64), usize::MAX, Step::Arrive);
        }
    }
}

/// What a policy script asks the shop for.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScriptReaction {
    Command(ShopCommand),
    Publish(ShopEvent),
}
