//! The knobs of one subscription's delivery: how late, how often twice, how often out of
//! order, how often the consumer fails, and how patiently it is retried.

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
    };

    /// Exactly once, in order, at once: the reference every other setting is compared with.
    pub fn exactly_once() -> Self {
        DeliverySettings {
            latency_ms: 0,
            jitter_ms: 0,
            ..DeliverySettings::default()
        }
    }

    /// Rates kept within 0..=1 and at least one attempt.
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
            ..self
        }
    }
}
