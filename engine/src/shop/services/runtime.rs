//! A service as it runs: its subscription, its idempotency ledger (or none: the naive mode), its
//! operational settings, and what it has done.

use rustc_hash::FxHashSet;
use serde::Serialize;

use super::{Reaction, Service};
use crate::delivery::SubscriptionId;
use crate::ids::EventId;
use crate::shop::events::ShopEvent;
use crate::shop::ShopRecorded;

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

pub struct ServiceRuntime {
    pub service: Box<dyn Service>,
    /// The same service fed every event exactly once: what its state should be. Beside a naive
    /// service that processed duplicates, it shows the right value next to the wrong one.
    pub exactly_once: Box<dyn Service>,
    pub subscription: SubscriptionId,
    /// Idempotent services remember every event id they processed and skip repeats.
    pub idempotent: bool,
    ledger: FxHashSet<EventId>,
    pub ops: OpsSettings,
    pub processed: u64,
    pub duplicates_processed: u64,
    pub duplicates_ignored: u64,
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
            exactly_once: service.clone_boxed(),
            service,
            subscription,
            idempotent: true,
            ledger: FxHashSet::default(),
            ops: OpsSettings::NORMAL,
            processed: 0,
            duplicates_processed: 0,
            duplicates_ignored: 0,
        }
    }

    /// Processes one delivered event: the ledger check, chaos settings, then the service itself.
    pub fn handle(&mut self, event: &ShopRecorded, seed: u64) -> Handling {
        let seen = !self.ledger.insert(event.id);
        if !seen {
            self.exactly_once.react(event, seed);
        }
        if seen && self.idempotent {
            self.duplicates_ignored += 1;
            return Handling::Ignored;
        }
        if seen {
            self.duplicates_processed += 1;
        }
        self.processed += 1;
        match event.event {
            ShopEvent::ChaosModeEnabled { .. } => self.ops = OpsSettings::CHAOS,
            ShopEvent::ChaosModeDisabled {} => self.ops = OpsSettings::NORMAL,
            _ => {}
        }
        Handling::React(self.service.react(event, seed))
    }
}

/// A service as it was at one moment: for its panel, now or in the past.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceView {
    pub state: Vec<(&'static str, i64)>,
    /// The state exactly-once delivery would have produced.
    pub expected: Vec<(&'static str, i64)>,
    pub idempotent: bool,
    pub ops: OpsSettings,
    pub processed: u64,
    pub duplicates_processed: u64,
    pub duplicates_ignored: u64,
}

impl ServiceRuntime {
    pub fn view(&self) -> ServiceView {
        ServiceView {
            state: self.service.state(),
            expected: self.exactly_once.state(),
            idempotent: self.idempotent,
            ops: self.ops,
            processed: self.processed,
            duplicates_processed: self.duplicates_processed,
            duplicates_ignored: self.duplicates_ignored,
        }
    }
}
