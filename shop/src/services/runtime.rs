//! A service as it runs: its subscription, its idempotency ledger (or none: the naive mode), its
//! operational settings, its exactly-once twin, and what it has done. The ledger and the twin
//! are the kernel's ([`eventide_engine::consumer`]): they know nothing of the shop.

use serde::Serialize;

use super::{Reaction, Service};
use crate::events::ShopEvent;
use crate::ShopRecorded;
use eventide_engine::consumer::{InOrderTwin, Ledger, PositionSet};
use eventide_engine::delivery::SubscriptionId;
use eventide_engine::ids::Timestamp;

/// How a service runs, as operators tune it. Chaos mode changes all three at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct OpsSettings {
    /// Attempts before a delivery is parked.
    pub retry_budget: u32,
    pub log_level: LogLevel,
    /// Failures within a run that page someone.
    pub alert_threshold: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum LogLevel {
    Info,
    Debug,
}

impl OpsSettings {
    pub const NORMAL: OpsSettings = OpsSettings {
        retry_budget: 5,
        log_level: LogLevel::Info,
        alert_threshold: 50,
    };
    /// Braced for chaos: retry more, log everything, alert early.
    pub const CHAOS: OpsSettings = OpsSettings {
        retry_budget: 12,
        log_level: LogLevel::Debug,
        alert_threshold: 5,
    };
}

/// A service fed every event of its subscription exactly once and in log order: what its
/// state should be.
pub type ExactlyOnce = InOrderTwin<ShopEvent, Box<dyn Service>>;

pub struct ServiceRuntime {
    pub service: Box<dyn Service>,
    /// The same service fed every event exactly once, in log order: what its state should be.
    /// Beside a naive service that processed duplicates, or one whose events came out of
    /// order, it shows the right value next to the wrong one.
    pub exactly_once: ExactlyOnce,
    pub subscription: SubscriptionId,
    /// Idempotent services remember the event ids they processed within the dedup window and
    /// skip repeats of them.
    pub idempotent: bool,
    ledger: Ledger,
    delivered: PositionSet,
    pub ops: OpsSettings,
    pub processed: u64,
    pub duplicates_processed: u64,
    pub duplicates_ignored: u64,
    /// Duplicates an idempotent service processed again because they came after its dedup
    /// window had forgotten the original (counted in `duplicates_processed` too).
    pub duplicates_past_window: u64,
}

/// What the runtime made of one delivery.
pub enum Handling {
    /// A repeat, recognised by the ledger: nothing done.
    Ignored,
    React(Vec<Reaction>),
}

impl ServiceRuntime {
    pub fn new(service: Box<dyn Service>, subscription: SubscriptionId) -> Self {
        ServiceRuntime {
            exactly_once: InOrderTwin::new(service.clone_boxed()),
            service,
            subscription,
            idempotent: true,
            ledger: Ledger::default(),
            delivered: PositionSet::default(),
            ops: OpsSettings::NORMAL,
            processed: 0,
            duplicates_processed: 0,
            duplicates_ignored: 0,
            duplicates_past_window: 0,
        }
    }

    /// Processes one event delivered at `now`: the ledger check within `dedup_window_ms`, chaos
    /// settings, then the service itself.
    pub fn handle(
        &mut self,
        event: &ShopRecorded,
        seed: u64,
        now: Timestamp,
        dedup_window_ms: u64,
    ) -> Handling {
        let first = self.delivered.insert(event.position);
        if first {
            self.reaches_twin(event, seed);
        }
        self.ledger.forget_older_than(now, dedup_window_ms);
        let remembered = self.ledger.contains(event.id);
        if remembered && self.idempotent {
            self.duplicates_ignored += 1;
            return Handling::Ignored;
        }
        // A naive service keeps the ledger too (it just never looks): switched to idempotent,
        // it recognises what it processed within the window.
        self.ledger.remember(event.id, now);
        if !first {
            self.duplicates_processed += 1;
            if self.idempotent {
                self.duplicates_past_window += 1;
            }
        }
        self.processed += 1;
        match event.event {
            ShopEvent::ChaosModeEnabled { .. } => self.ops = OpsSettings::CHAOS,
            ShopEvent::ChaosModeDisabled {} => self.ops = OpsSettings::NORMAL,
            _ => {}
        }
        Handling::React(self.service.react(event, seed))
    }

    /// A delivery of `event` was given up on (parked). Exactly-once delivery would have
    /// brought it, so the twin folds it: the parked letter shows as a wrong value beside the
    /// right one until it is replayed.
    pub fn parked(&mut self, event: &ShopRecorded, seed: u64) {
        self.reaches_twin(event, seed);
    }

    fn reaches_twin(&mut self, event: &ShopRecorded, seed: u64) {
        self.exactly_once.arrive(event, |twin, event| {
            twin.react(event, seed);
        });
    }
}

/// A service as it was at one moment: for its panel, now or in the past.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceView {
    pub state: Vec<(&'static str, i64)>,
    /// The state exactly-once, in-order delivery would have produced.
    pub expected: Vec<(&'static str, i64)>,
    /// The twin has folded everything the service has seen (nothing overtook a gap), so
    /// `state` and `expected` are fair to compare; always true once nothing is in flight.
    pub settled: bool,
    pub idempotent: bool,
    pub ops: OpsSettings,
    pub processed: u64,
    pub duplicates_processed: u64,
    pub duplicates_ignored: u64,
    pub duplicates_past_window: u64,
    /// Ids in the ledger now: bounded by what the service processed within the window.
    pub remembered: usize,
}

impl ServiceRuntime {
    /// The idempotency ledger, as it stands.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub fn view(&self) -> ServiceView {
        ServiceView {
            state: self.service.state(),
            expected: self.exactly_once.consumer().state(),
            settled: self.exactly_once.settled(),
            idempotent: self.idempotent,
            ops: self.ops,
            processed: self.processed,
            duplicates_processed: self.duplicates_processed,
            duplicates_ignored: self.duplicates_ignored,
            duplicates_past_window: self.duplicates_past_window,
            remembered: self.ledger.len(),
        }
    }

    /// The view before it processed anything: its state's labels at zero, settled, with its
    /// idempotency as it is set now.
    pub fn initial_view(&self) -> ServiceView {
        let state: Vec<(&'static str, i64)> = self
            .service
            .state()
            .into_iter()
            .map(|(label, _)| (label, 0))
            .collect();
        ServiceView {
            expected: state.clone(),
            state,
            settled: true,
            idempotent: self.idempotent,
            ops: OpsSettings::NORMAL,
            processed: 0,
            duplicates_processed: 0,
            duplicates_ignored: 0,
            duplicates_past_window: 0,
            remembered: 0,
        }
    }
}
