//! The reacting side of the simulation: the bus that carries every recorded event to the
//! subscriptions that want it, the services' runtimes that handle each delivery, the timers the
//! services set, and the read models' projector (a subscription like any other, so the query
//! side lags behind the log). What a service decides is carried out in its name, in the flow
//! of its cause; its payloads come from the shop's own code (`Validation::Trusted`).

use eventide_engine::agenda::{Agenda, Due};
use eventide_engine::delivery::{Attempt, Bus, DeliverySettings, Outcome, SubscriptionId};
use eventide_engine::envelope::{Metadata, Named};
use eventide_engine::ids::{CorrelationId, EventId, Position, Timestamp};
use eventide_engine::rng::SeededRng;

use super::history::ServiceMoment;
use super::{RunSummary, SimulationConfig, PRODUCER};
use crate::events::{ShopEvent, ShopEventKind};
use crate::services::runtime::Handling;
use crate::services::{
    services_for, Failure, Reaction, ServiceName, ServiceRuntime, DOWN_ATTEMPTS,
};
use crate::{CommandContext, CommandError, Shop, ShopStore, Validation};

/// A timer a service set: whose it is, for which flow, and the token it will recognise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Timer {
    service: ServiceName,
    flow: CorrelationId,
    token: u32,
}

pub(super) struct Reactor {
    bus: Bus<ShopEvent>,
    services: Vec<ServiceRuntime>,
    /// The subscription that feeds every read model.
    projector: SubscriptionId,
    timers: Agenda<Timer>,
    /// Where the ids of the services' events come from.
    ids: SeededRng,
    /// Every event up to here has been handed to the bus (or passed by while nobody listened).
    published: Position,
    /// Whether recorded events are delivered to the services. Off, the shop is a plain
    /// event-sourced system that only does what it is told.
    listening: bool,
    /// The run's seed: the services' choices are drawn from it and the flow.
    seed: u64,
}

impl Reactor {
    /// The services of `config.mode` subscribed, with the failure and delivery settings asked for.
    pub(super) fn new(config: &SimulationConfig) -> Reactor {
        let mut bus = Bus::new(config.seed ^ 0x00b0_5b05);
        let services = services_for(config.mode)
            .into_iter()
            .map(|mut service| {
                service.inject(config.failure);
                let shipping_down = config.failure == Failure::ShippingDown
                    && service.name() == ServiceName::Shipping;
                let mut settings = config.delivery.clamped();
                if shipping_down {
                    settings.failure_rate = 1.0;
                    settings.max_attempts = DOWN_ATTEMPTS;
                }
                let subscription = bus.subscribe(
                    service.name().name(),
                    service.declaration().consumes,
                    settings,
                );
                let mut runtime = ServiceRuntime::new(service, subscription);
                runtime.idempotent = config.idempotent;
                runtime
            })
            .collect();
        // The read models are consumers too: their projector has its own subscription and
        // checkpoint, so the query side lags behind the log like any other consumer.
        let projector = bus.subscribe(
            "Read-model projector",
            ShopEventKind::ALL,
            config.delivery.clamped(),
        );
        Reactor {
            bus,
            services,
            projector,
            timers: Agenda::new(),
            ids: SeededRng::new(config.seed ^ 0x05e7_c1ce),
            published: Position::ORIGIN,
            listening: true,
            seed: config.seed,
        }
    }

    /// Replaces the services and the bus with those of `config` (another coordination model),
    /// keeping what the user set: delivery settings by subscription name, idempotency by
    /// service. The caller makes sure nothing is in flight.
    pub(super) fn rewire(&mut self, config: &SimulationConfig) {
        let mut fresh = Reactor::new(config);
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
            if let Some(old) = self.runtime_of(runtime.service.name()) {
                runtime.idempotent = old.idempotent;
            }
        }
        self.bus = fresh.bus;
        self.services = fresh.services;
        self.projector = fresh.projector;
    }

    pub(super) fn bus(&self) -> &Bus<ShopEvent> {
        &self.bus
    }

    pub(super) fn bus_mut(&mut self) -> &mut Bus<ShopEvent> {
        &mut self.bus
    }

    pub(super) fn services(&self) -> &[ServiceRuntime] {
        &self.services
    }

    pub(super) fn projector(&self) -> SubscriptionId {
        self.projector
    }

    /// Where the ids of facts recorded from outside the services (the chaos platform) come
    /// from: the same sequence as the services' own.
    pub(super) fn ids(&mut self) -> &mut SeededRng {
        &mut self.ids
    }

    pub(super) fn is_listening(&self) -> bool {
        self.listening
    }

    pub(super) fn set_listening(&mut self, listening: bool) {
        self.listening = listening;
    }

    pub(super) fn runtime_of(&self, service: ServiceName) -> Option<&ServiceRuntime> {
        self.services.iter().find(|r| r.service.name() == service)
    }

    pub(super) fn runtime_of_mut(&mut self, service: ServiceName) -> Option<&mut ServiceRuntime> {
        self.services
            .iter_mut()
            .find(|r| r.service.name() == service)
    }

    /// Whether a service set a timer that has not gone off.
    pub(super) fn has_timers(&self) -> bool {
        !self.timers.is_empty()
    }

    pub(super) fn next_timer_at(&self) -> Option<Timestamp> {
        self.timers.next_at()
    }

    pub(super) fn take_timer(&mut self) -> Option<Due<Timer>> {
        self.timers.pop()
    }

    /// Hands every event recorded since the last call to the bus at `now`, if `deliver` (and
    /// each twin learns what its subscription was handed, so it can fold in order); otherwise
    /// the events pass by unheard.
    pub(super) fn hand_over(&mut self, store: &ShopStore, now: Timestamp, deliver: bool) {
        let head = store.head();
        if deliver {
            for event in store.between(self.published, head) {
                self.bus.publish(event, now);
                for runtime in &mut self.services {
                    if self.bus.wants(runtime.subscription, event.kind()) {
                        runtime.exactly_once.expect(event.position);
                    }
                }
            }
        }
        self.published = head;
    }

    /// Carries out one attempt at `now`: it fails (and is retried or parked), or the service it
    /// is for handles the event as consumers read it now (upcast if its schema evolved), and
    /// what the service decides is recorded. The attempt is reported to the bus in every case.
    pub(super) fn deliver(
        &mut self,
        attempt: Attempt,
        shop: &mut Shop,
        now: Timestamp,
        summary: &mut RunSummary,
    ) -> Result<(), CommandError> {
        summary.deliveries += 1;
        let delivery = *attempt.delivery();
        let read = |shop: &Shop| {
            shop.store()
                .get(delivery.position)
                .map(|event| shop.read_as_consumers(event).into_owned())
        };
        let seed = self.seed;
        if self.bus.attempt_fails(&attempt) {
            if self.bus.complete(attempt, Outcome::Failed, now) == Outcome::Parked {
                let runtime = self
                    .services
                    .iter_mut()
                    .find(|r| r.subscription == delivery.subscription);
                if let (Some(event), Some(runtime)) = (read(shop), runtime) {
                    runtime.parked(&event, seed);
                }
            }
            return Ok(());
        }
        let event = read(shop);
        let window = self
            .bus
            .settings(delivery.subscription)
            .map_or(DeliverySettings::DEFAULT_DEDUP_WINDOW_MS, |s| {
                s.dedup_window_ms
            });
        let runtime = self
            .services
            .iter_mut()
            .find(|r| r.subscription == delivery.subscription);
        // The projector's deliveries (and any event gone) need nothing but the report.
        let (Some(event), Some(runtime)) = (event, runtime) else {
            self.bus.complete(attempt, Outcome::Handled, now);
            return Ok(());
        };
        let ops_before = runtime.ops;
        let reactions = match runtime.handle(&event, seed, now, window) {
            Handling::Ignored => {
                self.bus.complete(attempt, Outcome::IgnoredDuplicate, now);
                return Ok(());
            }
            Handling::React(reactions) => reactions,
        };
        if runtime.ops != ops_before {
            let retry_budget = runtime.ops.retry_budget;
            if let Some(mut settings) = self.bus.settings(delivery.subscription).copied() {
                settings.max_attempts = retry_budget;
                self.bus.set_settings(delivery.subscription, settings);
            }
        }
        let service = runtime.service.name();
        let flow = event.correlation_id;
        match self.carry_out(service, flow, Some(event.id), reactions, shop, now, summary) {
            Ok(()) => {
                self.bus.complete(attempt, Outcome::Handled, now);
                Ok(())
            }
            // The consumer crashed: the bus will try again, and the run reports why.
            Err(error) => {
                self.bus.complete(attempt, Outcome::Failed, now);
                Err(error)
            }
        }
    }

    /// A timer went off at `now`: its service may give up waiting (a saga's timeout).
    pub(super) fn fire(
        &mut self,
        timer: Timer,
        shop: &mut Shop,
        now: Timestamp,
        summary: &mut RunSummary,
    ) -> Result<(), CommandError> {
        let Some(runtime) = self.runtime_of_mut(timer.service) else {
            return Ok(());
        };
        let reactions = runtime.service.on_timer(timer.flow, timer.token);
        let cause = runtime.service.timer_cause(timer.flow);
        if reactions.is_empty() {
            return Ok(());
        }
        self.carry_out(
            timer.service,
            timer.flow,
            cause,
            reactions,
            shop,
            now,
            summary,
        )
    }

    /// Carries out what a service decided, in its name and in the flow of the cause.
    #[allow(clippy::too_many_arguments)]
    fn carry_out(
        &mut self,
        service: ServiceName,
        flow: CorrelationId,
        cause: Option<EventId>,
        reactions: Vec<Reaction>,
        shop: &mut Shop,
        now: Timestamp,
        summary: &mut RunSummary,
    ) -> Result<(), CommandError> {
        for reaction in reactions {
            let mut context = CommandContext::new(now, &mut self.ids).in_flow(flow, cause);
            context.metadata = Metadata::default().with(PRODUCER, service.name());
            let outcome = match reaction {
                Reaction::Command(command) => {
                    shop.execute_with(command, context, Validation::Trusted)
                }
                Reaction::Publish(fact) => shop.publish_with(fact, context, Validation::Trusted),
                Reaction::Join(fact, others) => {
                    let joins = others
                        .iter()
                        .map(|id| id.to_string())
                        .collect::<Vec<_>>()
                        .join(",");
                    context.metadata = context.metadata.with(eventide_engine::trace::JOINS, joins);
                    shop.publish_with(fact, context, Validation::Trusted)
                }
                Reaction::Timer { after_ms, token } => {
                    let at = now.plus_millis(after_ms as i64);
                    self.timers.book(
                        at,
                        Timer {
                            service,
                            flow,
                            token,
                        },
                    );
                    continue;
                }
            };
            match outcome {
                Ok(_) => {}
                // A rule said no (a repeat charge of a paid order): the service's problem, not the run's.
                Err(CommandError::Rejected { .. }) => summary.rejections += 1,
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Every service and its subscription now.
    pub(super) fn services_now(&self) -> Vec<ServiceMoment> {
        self.services
            .iter()
            .map(|runtime| ServiceMoment {
                service: runtime.service.name(),
                view: runtime.view(),
                stats: self.bus.stats(runtime.subscription),
            })
            .collect()
    }

    /// Every service as it was before anything happened: what the panels show before the
    /// first snapshot.
    pub(super) fn services_at_start(&self) -> Vec<ServiceMoment> {
        self.services
            .iter()
            .map(|runtime| ServiceMoment {
                service: runtime.service.name(),
                view: runtime.initial_view(),
                stats: Default::default(),
            })
            .collect()
    }
}
