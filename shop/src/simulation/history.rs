//! The services' history: every service and its subscription as of a head position, taken now
//! and then as the log grows, so the services' panels can travel in time with the cursor.

use eventide_engine::delivery::SubscriptionStats;
use eventide_engine::ids::Position;

use crate::services::{ServiceName, ServiceView};

/// One service at one moment: what its panel shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceMoment {
    pub service: ServiceName,
    pub view: ServiceView,
    pub stats: SubscriptionStats,
}

/// Every service as of one head position.
#[derive(Clone, Debug)]
struct Snapshot {
    head: Position,
    services: Vec<ServiceMoment>,
}

/// Snapshots are taken whenever the log has grown by at least this much.
const SNAPSHOT_EVERY: u64 = 8;

/// Snapshots by head position, oldest first.
#[derive(Clone, Debug, Default)]
pub(super) struct ServicesHistory {
    snapshots: Vec<Snapshot>,
}

impl ServicesHistory {
    /// Takes a snapshot (`services()`, called only then) if the log has grown enough since the
    /// last one: fine-grained early on, coarser as the log grows, so a few thousand at most.
    pub(super) fn record(&mut self, head: Position, services: impl FnOnce() -> Vec<ServiceMoment>) {
        let last = self.snapshots.last().map_or(Position::ORIGIN, |s| s.head);
        if head.0 >= last.0 + SNAPSHOT_EVERY.max(head.0 / 4_000) {
            self.snapshots.push(Snapshot {
                head,
                services: services(),
            });
        }
    }

    /// The services as of the newest snapshot at or before `position`; `None` before the first.
    pub(super) fn at(&self, position: Position) -> Option<&[ServiceMoment]> {
        let index = self
            .snapshots
            .partition_point(|snapshot| snapshot.head <= position);
        index
            .checked_sub(1)
            .and_then(|i| self.snapshots.get(i))
            .map(|snapshot| snapshot.services.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::OpsSettings;

    fn moment(processed: u64) -> Vec<ServiceMoment> {
        vec![ServiceMoment {
            service: ServiceName::Order,
            view: ServiceView {
                state: Vec::new(),
                expected: Vec::new(),
                settled: true,
                idempotent: true,
                ops: OpsSettings::NORMAL,
                processed,
                duplicates_processed: 0,
                duplicates_ignored: 0,
                duplicates_past_window: 0,
                remembered: 0,
            },
            stats: SubscriptionStats::default(),
        }]
    }

    fn processed(history: &ServicesHistory, position: u64) -> Option<u64> {
        history
            .at(Position(position))
            .map(|services| services[0].view.processed)
    }

    #[test]
    fn it_should_answer_with_the_newest_snapshot_at_or_before_a_position() {
        let mut history = ServicesHistory::default();
        history.record(Position(8), || moment(8));
        history.record(Position(12), || panic!("only 4 events later: no snapshot"));
        history.record(Position(16), || moment(16));
        assert_eq!(processed(&history, 7), None, "before the first snapshot");
        assert_eq!(processed(&history, 8), Some(8));
        assert_eq!(processed(&history, 15), Some(8));
        assert_eq!(processed(&history, 99), Some(16));
    }
}
