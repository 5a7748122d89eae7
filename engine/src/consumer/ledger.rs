//! An idempotency ledger bounded by a dedup window: the ids processed within the window, and
//! nothing older.

use std::collections::VecDeque;

use rustc_hash::FxHashSet;

use crate::ids::{EventId, Timestamp};

/// The event ids a consumer processed within its dedup window of virtual time.
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

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn id(n: u128) -> EventId {
        EventId(Uuid::from_u128(n))
    }

    #[test]
    fn it_should_recognise_an_id_within_the_window_and_forget_it_after() {
        let mut ledger = Ledger::default();
        ledger.remember(id(1), Timestamp(1_000));
        ledger.forget_older_than(Timestamp(1_999), 1_000);
        assert!(
            ledger.contains(id(1)),
            "999 ms later it is still within the window"
        );
        ledger.forget_older_than(Timestamp(2_000), 1_000);
        assert!(
            !ledger.contains(id(1)),
            "a whole window later it is forgotten"
        );
        assert!(ledger.is_empty());
    }

    #[test]
    fn it_should_keep_only_what_was_processed_within_the_window() {
        let mut ledger = Ledger::default();
        for n in 0..100 {
            ledger.remember(id(n), Timestamp(n as i64 * 10));
            ledger.forget_older_than(Timestamp(n as i64 * 10), 100);
            assert!(ledger.len() <= 10, "{} remembered", ledger.len());
        }
        assert!(ledger.contains(id(99)) && !ledger.contains(id(89)));
    }

    #[test]
    fn it_should_date_a_repeat_by_its_first_processing() {
        let mut ledger = Ledger::default();
        ledger.remember(id(7), Timestamp(0));
        ledger.remember(id(7), Timestamp(500));
        assert_eq!(ledger.len(), 1);
        ledger.forget_older_than(Timestamp(600), 600);
        assert!(
            !ledger.contains(id(7)),
            "the repeat did not restart the window"
        );
    }
}
