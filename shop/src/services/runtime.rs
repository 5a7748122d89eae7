//! A service as it runs: its subscription, its idempotency ledger (or none: the naive mode), its
//! operational settings, and what it has done.
//!
//! The ledger remembers an event id for a dedup window of virtual time after processing it, as
//! real brokers and consumers deduplicate within a window (JetStream's duplicate window, a
//! Kafka topic's retention): its memory holds only what was processed within the window, and
//! a copy that arrives after it is processed again. The exactly-once twin is the oracle that
//! says what should have happened: it folds every event handed to the subscription once, in log
//! order (a resequencer holds what arrives early until the gap before it is filled), and keeps
//! a bit per log position, which no real consumer would have, to tell a first delivery from a
//! repeat however late the repeat comes. So duplicates and reordering both show as a wrong
//! value beside the right one.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use rustc_hash::FxHashSet;
use serde::Serialize;

use super::{Reaction, Service};
use crate::events::ShopEvent;
use crate::ShopRecorded;
use eventide_engine::delivery::SubscriptionId;
use eventide_engine::ids::{EventId, Position, Timestamp};

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

/// An idempotency ledger bounded by a dedup window: the ids processed within the window, and
/// nothing older.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    remembered: FxHashSet<EventId>,
    /// The same ids in the order they were processed (so by time, the clock never goes back):
    /// the oldest are at the front, forgotten first.
    by_time: VecDeque<(Timestamp, EventId)>,
}

impl Ledger {
    /// Forgets every id processed `window_ms` or longer before `now`.
    pub fn forget_older_than(&mut self, now: Timestamp, window_ms: u64) {
        let window = i64::try_from(window_ms).unwrap_or(i64::MAX);
        while let Some(&(at, id)) = self.by_time.front() {
            if now.0.saturating_sub(at.0) < window {
                break;
            }
            self.by_time.pop_front();
            self.remembered.remove(&id);
        }
    }

    pub fn contains(&self, id: EventId) -> bool {
        self.remembered.contains(&id)
    }

    /// Remembers `id` as processed at `now` (unless it is remembered already).
    pub fn remember(&mut self, id: EventId, now: Timestamp) {
        if self.remembered.insert(id) {
            self.by_time.push_back((now, id));
        }
    }

    /// Ids remembered now: the ledger's memory.
    pub fn len(&self) -> usize {
        self.remembered.len()
    }

    pub fn is_empty(&self) -> bool {
        self.remembered.is_empty()
    }
}

/// Which log positions have reached a service at least once: a bit each.
#[derive(Clone, Debug, Default)]
struct Delivered {
    bits: Vec<u64>,
}

impl Delivered {
    /// Marks `position`; true if it had not reached the service before.
    fn first(&mut self, position: Position) -> bool {
        let index = usize::try_from(position.0).unwrap_or(usize::MAX);
        let (word, bit) = (index / 64, index % 64);
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        let mask = 1u64 << bit;
        let first = self.bits[word] & mask == 0;
        self.bits[word] |= mask;
        first
    }

    fn contains(&self, position: Position) -> bool {
        let index = usize::try_from(position.0).unwrap_or(usize::MAX);
        self.bits
            .get(index / 64)
            .is_some_and(|word| word & (1u64 << (index % 64)) != 0)
    }
}

/// The same service fed every event of its subscription exactly once and in log order.
///
/// The bus says which positions it handed to the subscription (`expect`); a first delivery
/// (`arrive`) waits in `early` until every expected position before it has arrived, then they
/// are folded in order. A delivery given up on (parked) arrives too: exactly-once delivery would
/// have brought it. The buffer holds only what overtook something: empty whenever the
/// subscription has nothing in flight.
pub struct InOrderTwin {
    service: Box<dyn Service>,
    /// Positions handed to the subscription and not folded yet, in log order.
    waiting: BTreeSet<Position>,
    /// First deliveries that came before an earlier expected position.
    early: BTreeMap<Position, ShopRecorded>,
    folded: Delivered,
}

impl Clone for InOrderTwin {
    fn clone(&self) -> Self {
        InOrderTwin {
            service: self.service.clone_boxed(),
            waiting: self.waiting.clone(),
            early: self.early.clone(),
            folded: self.folded.clone(),
        }
    }
}

impl InOrderTwin {
    fn new(service: &dyn Service) -> Self {
        InOrderTwin {
            service: service.clone_boxed(),
            waiting: BTreeSet::new(),
            early: BTreeMap::new(),
            folded: Delivered::default(),
        }
    }

    /// The bus handed the event at `position` to the subscription.
    pub fn expect(&mut self, position: Position) {
        if !self.folded.contains(position) {
            self.waiting.insert(position);
        }
    }

    /// A delivery of `event` reached the service (or was given up on): folded once, in order.
    pub fn arrive(&mut self, event: &ShopRecorded, seed: u64) {
        if self.folded.contains(event.position) {
            return;
        }
        // Something nobody announced (a runtime fed by hand) is simply next.
        self.waiting.insert(event.position);
        self.early
            .entry(event.position)
            .or_insert_with(|| event.clone());
        while let Some(&next) = self.waiting.first() {
            let Some(event) = self.early.remove(&next) else {
                break;
            };
            self.waiting.remove(&next);
            self.folded.first(next);
            self.service.react(&event, seed);
        }
    }

    /// Whether everything that reached the service is folded (nothing waits for a gap).
    pub fn settled(&self) -> bool {
        self.early.is_empty()
    }

    /// What the service's state should be.
    pub fn state(&self) -> Vec<(&'static str, i64)> {
        self.service.state()
    }
}

pub struct ServiceRuntime {
    pub service: Box<dyn Service>,
    /// The same service fed every event exactly once, in log order: what its state should be.
    /// Beside a naive service that processed duplicates, or one whose events came out of
    /// order, it shows the right value next to the wrong one.
    pub exactly_once: InOrderTwin,
    pub subscription: SubscriptionId,
    /// Idempotent services remember the event ids they processed within the dedup window and
    /// skip repeats of them.
    pub idempotent: bool,
    ledger: Ledger,
    delivered: Delivered,
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
            exactly_once: InOrderTwin::new(service.as_ref()),
            service,
            subscription,
            idempotent: true,
            ledger: Ledger::default(),
            delivered: Delivered::default(),
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
        let first = self.delivered.first(event.position);
        if first {
            self.exactly_once.arrive(event, seed);
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
            expected: self.exactly_once.state(),
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
}
