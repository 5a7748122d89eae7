//! The knobs of one subscription's delivery: how late, how often twice, how often out of
//! order, how often the consumer fails, how patiently it is retried, and how long its consumer
//! remembers what it processed (the dedup window).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliverySettings {
    pub latency_ms: u32,
    pub jitter_ms: u32,
    /// The chance that an event is delivered a second time.
    pub duplicate_rate: f64,
    /// The chance that an event takes a long detour and arrives after later ones.
    pub reorder_rate: f64,
    /// Keep each stream's events in order (as a partition does), whatever the detours.
    pub per_aggregate_ordering: bool,
    /// The chance that one attempt fails in the consumer.
    pub failure_rate: f64,
    /// Attempts before a delivery is parked in the dead-letter queue.
    pub max_attempts: u32,
    /// The wait before the first retry; it doubles with each further attempt.
    pub backoff_ms: u32,
    /// How long (virtual time) an idempotent consumer remembers an event id after processing
    /// it. A copy that arrives later is not recognised and is processed again, as with a
    /// JetStream duplicate window or a Kafka retention period: memory stays bounded, at the
    /// price of very late duplicates. Old scenario files without it get the default.
    #[serde(default = "default_dedup_window_ms")]
    pub dedup_window_ms: u64,
    /// With ordering on, the subscription's partitions: each stream's events go to one of them
    /// by a hash of its name, and order holds within a partition only (two streams in one
    /// partition wait for each other). 0: a lane per stream, as if there were a partition each.
    #[serde(default)]
    pub partitions: u8,
    /// The consumer group sharing the partitions: partition `p` belongs to member
    /// `p % group_members`. At least one, at most one per partition.
    #[serde(default = "one_member")]
    pub group_members: u8,
    /// How long the broker waits for an acknowledgement before it sends an event again: a copy
    /// whose first acknowledgement was lost (the duplicate knob) comes this long after the
    /// first. `None`, as before there was an ack wait: after one to four times the latency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_wait_ms: Option<u32>,
}

fn one_member() -> u8 {
    1
}

fn default_dedup_window_ms() -> u64 {
    DeliverySettings::DEFAULT_DEDUP_WINDOW_MS
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings::CALM
    }
}

impl DeliverySettings {
    /// The defaults: a little latency, nothing lost, duplicated or reordered.
    pub const CALM: DeliverySettings = DeliverySettings {
        latency_ms: 300,
        jitter_ms: 200,
        duplicate_rate: 0.0,
        reorder_rate: 0.0,
        per_aggregate_ordering: true,
        failure_rate: 0.0,
        max_attempts: 5,
        backoff_ms: 200,
        dedup_window_ms: DeliverySettings::DEFAULT_DEDUP_WINDOW_MS,
        partitions: 0,
        group_members: 1,
        ack_wait_ms: None,
    };

    /// The longest ack wait a user may set: an hour.
    pub const MAX_ACK_WAIT_MS: u32 = 3_600_000;

    /// The most partitions a subscription may have: enough to show ordering per partition and a
    /// group sharing them, few enough to list each one's lag.
    pub const MAX_PARTITIONS: u8 = 8;

    /// A day: far longer than any retry or duplicate of the shop's flows takes to arrive, so the
    /// window changes nothing until a user shortens it. (JetStream's default is two minutes.)
    pub const DEFAULT_DEDUP_WINDOW_MS: u64 = 24 * 60 * 60 * 1_000;

    /// A week: the longest window a user may set.
    pub const MAX_DEDUP_WINDOW_MS: u64 = 7 * DeliverySettings::DEFAULT_DEDUP_WINDOW_MS;

    /// Exactly once, in order, at once: the reference every other setting is compared with.
    pub fn exactly_once() -> Self {
        DeliverySettings {
            latency_ms: 0,
            jitter_ms: 0,
            ..DeliverySettings::default()
        }
    }

    /// Rates kept within 0..=1, at least one attempt and a window of at most a week.
    pub fn clamped(self) -> Self {
        let rate = |r: f64| {
            if r.is_finite() {
                r.clamp(0.0, 1.0)
            } else {
                0.0
            }
        };
        DeliverySettings {
            duplicate_rate: rate(self.duplicate_rate),
            reorder_rate: rate(self.reorder_rate),
            failure_rate: rate(self.failure_rate),
            max_attempts: self.max_attempts.clamp(1, 1_000),
            dedup_window_ms: self
                .dedup_window_ms
                .min(DeliverySettings::MAX_DEDUP_WINDOW_MS),
            partitions: self.partitions.min(DeliverySettings::MAX_PARTITIONS),
            ack_wait_ms: self
                .ack_wait_ms
                .map(|ms| ms.min(DeliverySettings::MAX_ACK_WAIT_MS)),
            group_members: self.group_members.clamp(
                1,
                self.partitions.clamp(1, DeliverySettings::MAX_PARTITIONS),
            ),
            ..self
        }
    }
}
