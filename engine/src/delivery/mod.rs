//! Delivery as real brokers do it: at least once, late, sometimes twice, sometimes out of order,
//! sometimes to a consumer that fails and must be retried, and in the end parked in a
//! dead-letter queue. All of it simulated on a virtual clock from a seed, so a run can be
//! repeated exactly.
//!
//! The bus knows subscriptions (a consumer and the event types it wants) and deliveries (one
//! event to one subscription, one attempt at a time). It decides when each delivery is due and
//! whether an attempt fails; the caller hands due deliveries to consumers and reports back.
//!
//! The report is the protocol's other half: [`Bus::pop_due`] hands out an [`Attempt`], a
//! `#[must_use]` token that is neither `Clone` nor `Copy`, and [`Bus::complete`] takes it back
//! by value. So an attempt is reported at most once, and a caller that drops what `pop_due`
//! returned is warned by the compiler.

mod settings;
mod stats;

use std::collections::{BTreeMap, VecDeque};
use std::fmt::{self, Display};

use rustc_hash::FxHashMap;

pub use settings::DeliverySettings;
pub use stats::SubscriptionStats;

use crate::agenda::Agenda;
use crate::envelope::{DomainEvent, Named, Recorded, StreamKey};
use crate::ids::{Position, Timestamp};
use crate::rng::SeededRng;
use crate::store::LogSlice;

/// One subscription of the bus, by its order of creation.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct SubscriptionId(pub u16);

/// One delivery: an event on its way to a subscription. Duplicates get their own id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeliveryId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub id: DeliveryId,
    pub subscription: SubscriptionId,
    pub position: Position,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// True for the extra copy an at-least-once broker sent.
    pub duplicate: bool,
    /// When the event was first handed to the bus.
    pub published_at: Timestamp,
}

/// A delivery taken off the agenda: one attempt in progress, to be reported with
/// [`Bus::complete`], which consumes it. Only the bus makes one.
#[must_use = "a popped delivery must be reported with Bus::complete"]
#[derive(Debug, PartialEq, Eq)]
pub struct Attempt {
    delivery: Delivery,
}

impl Attempt {
    /// What is being delivered, and which attempt this is.
    pub fn delivery(&self) -> &Delivery {
        &self.delivery
    }
}

/// What became of one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The consumer processed it.
    Handled,
    /// An idempotent consumer recognised an event it had already processed.
    IgnoredDuplicate,
    /// The consumer failed; it will be retried after a backoff.
    Failed,
    /// The consumer failed for the last time: the delivery waits in the dead-letter queue.
    Parked,
}

/// A finished attempt, kept so that any moment of the past can be shown again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttemptRecord {
    pub delivery: Delivery,
    pub due_at: Timestamp,
    pub outcome: Outcome,
}

/// The queue a delivery waits in while order is kept: its stream's own, or its partition's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Lane<S> {
    Stream(S),
    Partition(u8),
}

impl<S: StreamKey> Lane<S> {
    /// The lane `stream`'s events wait in under `settings`, or `None` when order is not kept.
    fn of(stream: S, settings: &DeliverySettings) -> Option<Lane<S>> {
        if !settings.per_aggregate_ordering {
            return None;
        }
        Some(match settings.partitions {
            0 => Lane::Stream(stream),
            partitions => Lane::Partition(partition_of(&stream, partitions)),
        })
    }
}

/// The partition of `stream` among `partitions` (at least 1): FNV-1a over its name, so a stream
/// lands in the same partition on every run and every target (FxHash differs on wasm32).
pub fn partition_of<S: Display>(stream: &S, partitions: u8) -> u8 {
    struct Fnv(u32);
    impl fmt::Write for Fnv {
        fn write_str(&mut self, text: &str) -> fmt::Result {
            for byte in text.bytes() {
                self.0 = (self.0 ^ u32::from(byte)).wrapping_mul(0x0100_0193);
            }
            Ok(())
        }
    }
    let mut hash = Fnv(0x811c_9dc5);
    // Writing into the hasher cannot fail.
    let _ = fmt::write(&mut hash, format_args!("{stream}"));
    (hash.0 % u32::from(partitions.max(1))) as u8
}

/// Why a subscription was not reset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResetRefused {
    #[error("there is no such subscription")]
    Unknown,
    /// A reset replays what was acknowledged; skipping ahead would drop events unprocessed.
    #[error("a subscription is reset back, never ahead: it has acknowledged up to position {checkpoint}, and {to} is beyond it")]
    Ahead { to: Position, checkpoint: Position },
}

struct Subscription<S> {
    name: String,
    wants: Vec<bool>,
    settings: DeliverySettings,
    /// With ordering kept, deliveries wait in a lane (per stream, or per partition) and only
    /// the head of each lane is on the agenda: a lane's events reach the consumer in order.
    lanes: FxHashMap<Lane<S>, VecDeque<DeliveryId>>,
    /// The last position the bus was handed while it subscribed: with nothing open, its
    /// checkpoint.
    handed: Position,
    /// Positions not yet handled (or parked), with how many deliveries of each are open.
    open: BTreeMap<Position, u32>,
    parked: Vec<Delivery>,
    stats: SubscriptionStats,
}

struct Slot<S> {
    delivery: Delivery,
    /// The lane it waits in, if order is kept.
    lane: Option<Lane<S>>,
    due_at: Timestamp,
}

/// How many finished attempts the bus remembers (about 40 MB); older ones are forgotten a
/// quarter at a time, so a long run keeps its recent past without growing without bound.
pub const HISTORY_LIMIT: usize = 1_000_000;

pub struct Bus<E: DomainEvent> {
    subscriptions: Vec<Subscription<E::Stream>>,
    /// Open deliveries only: a finished one is forgotten (its attempts stay in `history`).
    slots: FxHashMap<DeliveryId, Slot<E::Stream>>,
    next_id: u32,
    agenda: Agenda<DeliveryId>,
    rng: SeededRng,
    history: Vec<AttemptRecord>,
    /// Deliveries enqueued and not yet handled, ignored or parked.
    unfinished: usize,
    open_ids: std::collections::BTreeSet<DeliveryId>,
}

impl<E: DomainEvent> Bus<E> {
    pub fn new(seed: u64) -> Self {
        Bus {
            subscriptions: Vec::new(),
            slots: FxHashMap::default(),
            next_id: 0,
            agenda: Agenda::new(),
            rng: SeededRng::new(seed),
            history: Vec::new(),
            unfinished: 0,
            open_ids: std::collections::BTreeSet::new(),
        }
    }

    pub fn subscribe(
        &mut self,
        name: impl Into<String>,
        kinds: &[E::Kind],
        settings: DeliverySettings,
    ) -> SubscriptionId {
        let mut wants = vec![false; E::Kind::ALL.len()];
        for kind in kinds {
            wants[kind.index()] = true;
        }
        self.subscriptions.push(Subscription {
            name: name.into(),
            wants,
            settings,
            lanes: FxHashMap::default(),
            handed: Position::ORIGIN,
            open: BTreeMap::new(),
            parked: Vec::new(),
            stats: SubscriptionStats::default(),
        });
        SubscriptionId(self.subscriptions.len() as u16 - 1)
    }

    pub fn subscription_ids(&self) -> impl Iterator<Item = SubscriptionId> {
        (0..self.subscriptions.len() as u16).map(SubscriptionId)
    }

    pub fn name(&self, id: SubscriptionId) -> &str {
        self.subscriptions
            .get(usize::from(id.0))
            .map_or("", |s| s.name.as_str())
    }

    pub fn settings(&self, id: SubscriptionId) -> Option<&DeliverySettings> {
        self.subscriptions
            .get(usize::from(id.0))
            .map(|s| &s.settings)
    }

    pub fn set_settings(&mut self, id: SubscriptionId, settings: DeliverySettings) {
        let Some(subscription) = self.subscriptions.get_mut(usize::from(id.0)) else {
            return;
        };
        let before = subscription.settings;
        subscription.settings = settings.clamped();
        let after = subscription.settings;
        // Other partitions re-key only what is published from now on: the lanes already open
        // drain in order, as they were. (As when a Kafka topic gains partitions, a stream that
        // lands in another partition may see a new event overtake an old one.)
        if before.per_aggregate_ordering && !after.per_aggregate_ordering {
            // Only the head of each lane is on the agenda; the rest wait for it. Without
            // ordering nothing would ever release them, so they set off now (by id, so the
            // agenda is the same on every run), in no lane.
            let mut waiting = Vec::new();
            for (_, lane) in subscription.lanes.drain() {
                for (place, id) in lane.into_iter().enumerate() {
                    if let Some(slot) = self.slots.get_mut(&id) {
                        slot.lane = None;
                    }
                    if place > 0 {
                        waiting.push(id);
                    }
                }
            }
            waiting.sort_unstable();
            for id in waiting {
                if let Some(due_at) = self.slots.get(&id).map(|slot| slot.due_at) {
                    self.schedule(id, due_at);
                }
            }
        }
    }

    pub fn wants(&self, id: SubscriptionId, kind: E::Kind) -> bool {
        self.subscriptions
            .get(usize::from(id.0))
            .is_some_and(|s| s.wants[kind.index()])
    }

    /// Hands a newly recorded event to every subscription that wants it.
    pub fn publish(&mut self, event: &Recorded<E>, now: Timestamp) {
        for index in 0..self.subscriptions.len() {
            let subscription = &mut self.subscriptions[index];
            subscription.handed = subscription.handed.max(event.position);
            if !subscription.wants[event.kind().index()] {
                continue;
            }
            let settings = subscription.settings;
            let id = SubscriptionId(index as u16);
            self.enqueue(id, event, now, false, 0);
            if self.rng.chance(settings.duplicate_rate) {
                // The broker did not see the first acknowledgement and sends the event again
                // once its ack wait is over.
                let extra = match settings.ack_wait_ms {
                    Some(ack_wait) => u64::from(ack_wait),
                    None => self
                        .rng
                        .between(1, 4 * u64::from(settings.latency_ms.max(1))),
                };
                self.enqueue(id, event, now, true, extra);
            }
        }
    }

    fn enqueue(
        &mut self,
        subscription: SubscriptionId,
        event: &Recorded<E>,
        now: Timestamp,
        duplicate: bool,
        extra_delay: u64,
    ) {
        let id = DeliveryId(self.next_id);
        self.next_id = self.next_id.wrapping_add(1);
        let delivery = Delivery {
            id,
            subscription,
            position: event.position,
            attempt: 1,
            duplicate,
            published_at: now,
        };
        let delay = self.transit_delay(subscription) + extra_delay;
        let due_at = now.plus_millis(delay as i64);
        let lane = Lane::of(
            event.stream,
            &self.subscriptions[usize::from(subscription.0)].settings,
        );
        self.slots.insert(
            id,
            Slot {
                delivery,
                lane,
                due_at,
            },
        );
        self.unfinished += 1;
        self.open_ids.insert(id);
        let sub = &mut self.subscriptions[usize::from(subscription.0)];
        *sub.open.entry(event.position).or_default() += 1;
        sub.stats.enqueued += 1;
        if duplicate {
            sub.stats.duplicates_sent += 1;
        }
        if let Some(lane) = lane {
            let lane = sub.lanes.entry(lane).or_default();
            lane.push_back(id);
            if lane.len() > 1 {
                // It waits for the deliveries ahead of it in its lane.
                return;
            }
        }
        self.schedule(id, due_at);
    }

    /// Latency plus jitter, and now and then a long detour: the reordering knob.
    fn transit_delay(&mut self, subscription: SubscriptionId) -> u64 {
        let settings = self.subscriptions[usize::from(subscription.0)].settings;
        let latency = u64::from(settings.latency_ms);
        let jitter = self.rng.below(u64::from(settings.jitter_ms) + 1);
        let detour = if self.rng.chance(settings.reorder_rate) {
            self.rng.between(latency.max(1), 10 * latency.max(1) + 100)
        } else {
            0
        };
        latency + jitter + detour
    }

    fn schedule(&mut self, id: DeliveryId, due_at: Timestamp) {
        if let Some(slot) = self.slots.get_mut(&id) {
            slot.due_at = due_at;
        }
        self.agenda.book(due_at, id);
    }

    /// When the next delivery is due, if any is.
    pub fn next_due(&self) -> Option<Timestamp> {
        self.agenda.next_at()
    }

    /// Takes the earliest delivery due at or before `now`: an attempt to report back.
    #[must_use = "a popped delivery must be reported with Bus::complete"]
    pub fn pop_due(&mut self, now: Timestamp) -> Option<Attempt> {
        let due = self.agenda.pop_due(now)?;
        self.slots.get(&due.item).map(|slot| Attempt {
            delivery: slot.delivery,
        })
    }

    /// Whether this attempt fails, by the subscription's failure rate.
    pub fn attempt_fails(&mut self, attempt: &Attempt) -> bool {
        let rate = self.subscriptions[usize::from(attempt.delivery.subscription.0)]
            .settings
            .failure_rate;
        self.rng.chance(rate)
    }

    /// Reports how an attempt went, consuming it. A failure is retried with exponential backoff
    /// until the subscription's attempts run out; then it is parked.
    pub fn complete(&mut self, attempt: Attempt, outcome: Outcome, now: Timestamp) -> Outcome {
        let Attempt { delivery } = attempt;
        let index = usize::from(delivery.subscription.0);
        let settings = self.subscriptions[index].settings;
        let due_at = self.slots.get(&delivery.id).map_or(now, |slot| slot.due_at);
        let outcome = match outcome {
            Outcome::Failed if delivery.attempt >= settings.max_attempts => Outcome::Parked,
            other => other,
        };
        if self.history.len() >= HISTORY_LIMIT {
            // Keep the recent past: what the graph draws when the cursor is near the head.
            self.history.drain(..HISTORY_LIMIT / 4);
        }
        self.history.push(AttemptRecord {
            delivery,
            due_at,
            outcome,
        });
        let sub = &mut self.subscriptions[index];
        match outcome {
            Outcome::Handled => sub.stats.handled += 1,
            Outcome::IgnoredDuplicate => sub.stats.duplicates_ignored += 1,
            Outcome::Failed => sub.stats.failures += 1,
            Outcome::Parked => {
                sub.stats.failures += 1;
                sub.stats.parked += 1;
            }
        }
        if outcome == Outcome::Failed {
            let backoff = u64::from(settings.backoff_ms) << (delivery.attempt - 1).min(16);
            if let Some(slot) = self.slots.get_mut(&delivery.id) {
                slot.delivery.attempt += 1;
            }
            self.schedule(delivery.id, now.plus_millis(backoff as i64));
            return outcome;
        }
        if outcome == Outcome::Parked {
            sub.parked.push(delivery);
        }
        self.unfinished -= 1;
        self.open_ids.remove(&delivery.id);
        if let Some(count) = sub.open.get_mut(&delivery.position) {
            *count -= 1;
            if *count == 0 {
                sub.open.remove(&delivery.position);
            }
        }
        let lane = self.slots.remove(&delivery.id).and_then(|slot| slot.lane);
        if let Some(lane) = lane {
            // Only the head of its lane pops it: a delivery whose lane was dissolved (ordering
            // switched off, or other partitions) must not, or the next in line would overtake.
            let next = sub
                .lanes
                .get_mut(&lane)
                .filter(|queue| queue.front() == Some(&delivery.id))
                .and_then(|queue| {
                    queue.pop_front();
                    queue.front().copied()
                });
            if sub.lanes.get(&lane).is_some_and(VecDeque::is_empty) {
                sub.lanes.remove(&lane);
            }
            if let Some(next) = next {
                let due = self
                    .slots
                    .get(&next)
                    .map_or(now, |slot| slot.due_at.max(now));
                self.schedule(next, due);
            }
        }
        outcome
    }

    /// The dead-letter queue of a subscription.
    pub fn parked(&self, id: SubscriptionId) -> &[Delivery] {
        self.subscriptions
            .get(usize::from(id.0))
            .map_or(&[], |s| s.parked.as_slice())
    }

    /// Sends every parked delivery of a subscription again, as a fresh first attempt.
    pub fn replay_parked<'e>(
        &mut self,
        id: SubscriptionId,
        events: impl Into<LogSlice<'e, Recorded<E>>>,
        now: Timestamp,
    ) -> usize {
        let events = events.into();
        let Some(subscription) = self.subscriptions.get_mut(usize::from(id.0)) else {
            return 0;
        };
        let parked = std::mem::take(&mut subscription.parked);
        subscription.stats.parked = 0;
        let count = parked.len();
        for delivery in parked {
            if let Some(event) = delivery.position.index().and_then(|i| events.get(i)) {
                self.enqueue(id, event, now, delivery.duplicate, 0);
            }
        }
        count
    }

    pub fn stats(&self, id: SubscriptionId) -> SubscriptionStats {
        let Some(s) = self.subscriptions.get(usize::from(id.0)) else {
            return SubscriptionStats::default();
        };
        let mut stats = s.stats;
        stats.open = s.open.len() as u64;
        stats.oldest_open = s.open.keys().next().copied();
        stats.checkpoint = Self::checkpoint_of(s);
        for slot in self.slots.values() {
            if let (true, Some(Lane::Partition(p))) = (slot.delivery.subscription == id, slot.lane)
            {
                if let Some(waiting) = stats.partition_waiting.get_mut(usize::from(p)) {
                    *waiting += 1;
                }
            }
        }
        stats
    }

    /// The last position a subscription has acknowledged with every one before it: the first
    /// it still owes, less one (a parked delivery is done with: it waits in the dead letters).
    fn checkpoint_of(s: &Subscription<E::Stream>) -> Position {
        s.open
            .keys()
            .next()
            .map_or(s.handed, |first| Position(first.0.saturating_sub(1)))
    }

    /// Moves a subscription's checkpoint back to `to` and sends it again every event it wants
    /// after that, as fresh first attempts (those still on their way are not sent twice):
    /// a persistent subscription replayed from a position, or a consumer group's offsets
    /// reset. A consumer sees them as repeats: an idempotent one within its dedup window
    /// ignores them, a naive one processes them again. Returns how many were sent.
    pub fn reset<'e>(
        &mut self,
        id: SubscriptionId,
        to: Position,
        events: impl Into<LogSlice<'e, Recorded<E>>>,
        now: Timestamp,
    ) -> Result<usize, ResetRefused> {
        let events = events.into();
        let subscription = self
            .subscriptions
            .get(usize::from(id.0))
            .ok_or(ResetRefused::Unknown)?;
        let checkpoint = Self::checkpoint_of(subscription);
        if to > checkpoint {
            return Err(ResetRefused::Ahead { to, checkpoint });
        }
        let start = usize::try_from(to.0).unwrap_or(usize::MAX);
        let end = usize::try_from(subscription.handed.0).unwrap_or(usize::MAX);
        let again: Vec<&Recorded<E>> = events
            .slice(start..end)
            .iter()
            .filter(|event| {
                subscription.wants[event.kind().index()]
                    && !subscription.open.contains_key(&event.position)
            })
            .collect();
        for event in &again {
            self.enqueue(id, event, now, false, 0);
        }
        let subscription = &mut self.subscriptions[usize::from(id.0)];
        subscription.stats.replayed += again.len() as u64;
        // A dead letter after `to` is on its way again: it is no longer parked.
        let before = subscription.parked.len();
        subscription.parked.retain(|parked| parked.position <= to);
        subscription.stats.parked -= (before - subscription.parked.len()) as u64;
        Ok(again.len())
    }

    /// Deliveries scheduled and not yet finished, across every subscription.
    pub fn in_flight(&self) -> usize {
        self.unfinished
    }

    /// Every delivery on its way (waiting, in transit or between retries), with when it is or
    /// was due: what the graph draws moving along its edges.
    pub fn open_deliveries(&self) -> impl Iterator<Item = (Delivery, Timestamp)> + '_ {
        self.open_ids.iter().filter_map(|id| {
            let slot = self.slots.get(id)?;
            Some((slot.delivery, slot.due_at))
        })
    }

    pub fn is_idle(&self) -> bool {
        self.agenda.is_empty()
    }

    /// The finished attempts, in the order they finished (so in time order): the most recent
    /// [`HISTORY_LIMIT`] at most.
    pub fn history(&self) -> &[AttemptRecord] {
        &self.history
    }
}
