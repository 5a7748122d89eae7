//! Counters of one subscription: what was sent, handled, ignored, failed and parked.

use serde::Serialize;

use crate::delivery::DeliverySettings;
use crate::ids::Position;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SubscriptionStats {
    pub enqueued: u64,
    pub duplicates_sent: u64,
    pub handled: u64,
    pub duplicates_ignored: u64,
    pub failures: u64,
    pub parked: u64,
    /// Events delivered to it and not yet handled: its lag, in events.
    pub open: u64,
    /// The oldest event it has not handled yet; its age is the lag in time.
    pub oldest_open: Option<Position>,
    /// The last position it acknowledged with every one before it (its committed offset).
    pub checkpoint: Position,
    /// Events sent again by resets.
    pub replayed: u64,
    /// Deliveries waiting in or on their way from each partition, when it has partitions.
    pub partition_waiting: [u32; DeliverySettings::MAX_PARTITIONS as usize],
}
