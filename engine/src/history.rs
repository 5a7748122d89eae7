//! Time travel: every read model as of any position of the log.
//!
//! The history keeps the live read models (folded to the head), a checkpoint of all of them
//! every `interval` events, and a view at the cursor. Seeking clones the nearest checkpoint at or
//! before the target and folds at most `interval` events; moving forward a little folds only the
//! distance. So a seek costs O(interval + distance), never O(log length), and because read-model
//! state is copy-on-write a checkpoint costs only what changed since the one before it.

use crate::envelope::{DomainEvent, Recorded};
use crate::ids::Position;
use crate::projection::{ReadModel, ReadModelSet, SharedUpcasting};
use crate::store::{EventStore, LogSlice};

/// Checkpoint spacing that keeps a seek under a millisecond at a million events while the
/// checkpoints stay a small fraction of the log's memory.
pub const DEFAULT_CHECKPOINT_INTERVAL: u64 = 4096;

pub struct History<E: DomainEvent> {
    interval: u64,
    /// `checkpoints[i]` holds the read models as of position `i * interval`.
    checkpoints: Vec<ReadModelSet<E>>,
    live: ReadModelSet<E>,
    /// The read models at the cursor, or `None` while the cursor follows the head.
    view: Option<ReadModelSet<E>>,
}

impl<E: DomainEvent> History<E> {
    pub fn new(interval: u64) -> Self {
        let interval = interval.max(1);
        History {
            interval,
            checkpoints: vec![ReadModelSet::default()],
            live: ReadModelSet::default(),
            view: None,
        }
    }

    pub fn interval(&self) -> u64 {
        self.interval
    }

    /// Adds a read model and builds it, with every checkpoint, from the whole log.
    pub fn register(&mut self, model: Box<dyn ReadModel<E>>, store: &EventStore<E>) {
        self.refold(store, |models| models.push(model));
    }

    /// Reads the log through `upcasting` from now on (or as recorded, with `None`): every model
    /// and checkpoint is refolded from the whole log, and the cursor stays where it was.
    pub fn set_upcasting(&mut self, upcasting: Option<SharedUpcasting<E>>, store: &EventStore<E>) {
        self.refold(store, |models| models.set_upcasting(upcasting));
    }

    /// Empties every model, lets `change` alter the set, then folds the whole log again, with
    /// its checkpoints; a user looking at the past keeps looking at the same position.
    fn refold(&mut self, store: &EventStore<E>, change: impl FnOnce(&mut ReadModelSet<E>)) {
        let cursor = self.cursor();
        let following = self.is_live();
        let mut empty = self.live.emptied();
        change(&mut empty);
        self.live = empty;
        self.checkpoints = vec![self.live.clone()];
        self.view = None;
        self.record(store.events());
        if !following {
            self.seek(store, cursor);
        }
    }

    /// Folds newly appended events into the live models, checkpointing on the way. The cursor
    /// stays where it is: a user looking at the past keeps looking at it.
    pub fn record<'e>(&mut self, events: impl Into<LogSlice<'e, Recorded<E>>>) {
        let events = events.into();
        for event in events {
            if event.position <= self.live.position() {
                continue;
            }
            self.live.apply(event);
            if event.position.0.is_multiple_of(self.interval) {
                self.checkpoints.push(self.live.clone());
            }
        }
    }

    pub fn is_live(&self) -> bool {
        self.view.is_none()
    }

    /// The position the user is looking at: the head while live.
    pub fn cursor(&self) -> Position {
        self.at_cursor().position()
    }

    /// The read models as of the cursor.
    pub fn at_cursor(&self) -> &ReadModelSet<E> {
        self.view.as_ref().unwrap_or(&self.live)
    }

    /// The read models as of the head.
    pub fn live(&self) -> &ReadModelSet<E> {
        &self.live
    }

    pub fn go_live(&mut self) {
        self.view = None;
    }

    /// Moves the cursor to `target` (clamped to the head, where the view follows live again).
    pub fn seek(&mut self, store: &EventStore<E>, target: Position) -> Position {
        let head = self.live.position();
        if target >= head {
            self.view = None;
            return head;
        }
        let checkpoint_at = self.checkpoint_before(target).position();
        let from_view = self
            .view
            .as_ref()
            .map(|view| view.position())
            .filter(|&at| at <= target && at >= checkpoint_at);
        let mut view = match (from_view, self.view.take()) {
            (Some(_), Some(view)) => view,
            _ => self.checkpoint_before(target).clone(),
        };
        view.apply_all(store.between(view.position(), target));
        self.view = Some(view);
        target
    }

    /// The read models as of `target`, without moving the cursor (for diffs and queries).
    pub fn state_at(&self, store: &EventStore<E>, target: Position) -> ReadModelSet<E> {
        let target = target.min(self.live.position());
        let mut state = self.checkpoint_before(target).clone();
        state.apply_all(store.between(state.position(), target));
        state
    }

    fn checkpoint_before(&self, target: Position) -> &ReadModelSet<E> {
        let index = ((target.0 / self.interval) as usize).min(self.checkpoints.len() - 1);
        &self.checkpoints[index]
    }

    /// Every registered model rebuilt from nothing by replaying the whole log.
    pub fn rebuild(&self, store: &EventStore<E>) -> ReadModelSet<E> {
        let mut fresh = self.live.emptied();
        fresh.apply_all(store.events());
        fresh
    }

    pub fn checkpoint_count(&self) -> usize {
        self.checkpoints.len()
    }

    /// Heap bytes held by the live models and all checkpoints, counting shared chunks once.
    pub fn heap_bytes(&self) -> usize {
        let mut total = 0;
        let mut previous: Option<&ReadModelSet<E>> = None;
        for checkpoint in &self.checkpoints {
            total += checkpoint.unshared_bytes(previous);
            previous = Some(checkpoint);
        }
        total + self.live.unshared_bytes(previous)
    }
}

#[cfg(test)]
mod tests {
    // The test domain has one event type, so matching it is irrefutable.
    #![allow(irrefutable_let_patterns)]
    use std::ops::Range;

    use uuid::Uuid;

    use super::*;
    use crate::envelope::Named;
    use crate::envelope::NewEvent;
    use crate::ids::{EventId, Timestamp};
    use crate::projection::{ChangeSet, NoRows, Projection, Row};
    use crate::store::ExpectedVersion;
    use crate::test_domain::StockStream as ShopStream;
    use crate::test_domain::{Sku, StockEvent as ShopEvent, StockEventKind as ShopEventKind};

    /// How many events were folded in: enough to tell any two positions apart.
    #[derive(Clone, Debug, Default, PartialEq)]
    struct EventCount(u64);

    impl Projection<ShopEvent> for EventCount {
        const NAME: &'static str = "Events";
        const QUESTION: &'static str = "How many events were there?";
        const COLUMNS: &'static [&'static str] = &["Events"];
        const CONSUMES: &'static [ShopEventKind] = ShopEventKind::ALL;
        // It counts events and reads none of their fields.
        const READS: crate::PayloadReads<ShopEventKind> = &[];
        type Key = NoRows;

        fn apply(&mut self, _event: &Recorded<ShopEvent>, _changes: &mut impl ChangeSet<NoRows>) {
            self.0 += 1;
        }
        fn row_count(&self) -> usize {
            0
        }
        fn rows(&self, _range: Range<usize>) -> Vec<Row> {
            Vec::new()
        }
        fn unshared_bytes(&self, _earlier: &Self) -> usize {
            0
        }
    }

    /// The units of stock received so far: a second model, registered late.
    #[derive(Clone, Debug, Default, PartialEq)]
    struct UnitsReceived(u64);

    impl Projection<ShopEvent> for UnitsReceived {
        const NAME: &'static str = "Units";
        const QUESTION: &'static str = "How many units were received?";
        const COLUMNS: &'static [&'static str] = &["Units"];
        const CONSUMES: &'static [ShopEventKind] = &[ShopEventKind::StockReceived];
        const READS: crate::PayloadReads<ShopEventKind> =
            &[(ShopEventKind::StockReceived, &["quantity"])];
        type Key = NoRows;

        fn apply(&mut self, event: &Recorded<ShopEvent>, _changes: &mut impl ChangeSet<NoRows>) {
            if let ShopEvent::StockReceived { quantity, .. } = event.event {
                self.0 += u64::from(quantity);
            }
        }
        fn row_count(&self) -> usize {
            0
        }
        fn rows(&self, _range: Range<usize>) -> Vec<Row> {
            Vec::new()
        }
        fn unshared_bytes(&self, _earlier: &Self) -> usize {
            0
        }
    }

    /// Appends events `from..=to`: event n receives n units, at second n.
    fn append(store: &mut EventStore<ShopEvent>, from: u64, to: u64) {
        for n in from..=to {
            let event = ShopEvent::StockReceived {
                sku: Sku(1),
                quantity: n as u32,
            };
            let proposed = NewEvent::new(EventId(Uuid::from_u128(u128::from(n))), event);
            store
                .append(
                    ShopStream::Inventory(Sku(1)),
                    ExpectedVersion::Any,
                    vec![proposed],
                    Timestamp::from_millis(n as i64 * 1000),
                )
                .unwrap();
        }
    }

    fn count_at(models: &ReadModelSet<ShopEvent>) -> u64 {
        models.get::<EventCount>().unwrap().0
    }

    fn units_at(models: &ReadModelSet<ShopEvent>) -> u64 {
        models.get::<UnitsReceived>().unwrap().0
    }

    /// The sum 1 + 2 + ... + n: the units received by event n.
    fn triangle(n: u64) -> u64 {
        n * (n + 1) / 2
    }

    #[test]
    fn a_model_registered_after_events_exist_is_built_from_the_log() {
        let mut store = EventStore::new();
        append(&mut store, 1, 10);
        let mut history = History::new(4);

        history.register(Box::new(EventCount::default()), &store);

        assert_eq!(history.live().position(), Position(10));
        assert_eq!(count_at(history.live()), 10);
        assert_eq!(history.checkpoint_count(), 3, "at 0, 4 and 8");
        assert!(history.is_live());
        // The checkpoints were built too: the past is there to visit.
        assert_eq!(count_at(&history.state_at(&store, Position(5))), 5);
        history.seek(&store, Position(3));
        assert_eq!(count_at(history.at_cursor()), 3);
    }

    #[test]
    fn a_second_model_registered_later_is_built_alongside_the_first() {
        let mut store = EventStore::new();
        let mut history = History::new(3);
        history.register(Box::new(EventCount::default()), &store);
        append(&mut store, 1, 7);
        history.record(store.events());

        history.register(Box::new(UnitsReceived::default()), &store);

        assert_eq!(count_at(history.live()), 7);
        assert_eq!(units_at(history.live()), triangle(7));
        let past = history.state_at(&store, Position(4));
        assert_eq!((count_at(&past), units_at(&past)), (4, triangle(4)));
        assert!(history.rebuild(&store).same_state(history.live()));
    }

    #[test]
    fn registering_a_model_while_looking_at_the_past_keeps_the_cursor() {
        let mut store = EventStore::new();
        append(&mut store, 1, 9);
        let mut history = History::new(4);
        history.register(Box::new(EventCount::default()), &store);
        history.seek(&store, Position(6));

        history.register(Box::new(UnitsReceived::default()), &store);

        assert!(!history.is_live());
        assert_eq!(history.cursor(), Position(6));
        assert_eq!(count_at(history.at_cursor()), 6);
        assert_eq!(units_at(history.at_cursor()), triangle(6));
        assert_eq!(units_at(history.live()), triangle(9));
    }

    #[test]
    fn the_cursor_stays_put_while_new_events_are_recorded() {
        let mut store = EventStore::new();
        append(&mut store, 1, 5);
        let mut history = History::new(3);
        history.register(Box::new(EventCount::default()), &store);
        assert_eq!(history.seek(&store, Position(2)), Position(2));

        append(&mut store, 6, 11);
        history.record(store.events().starting_at(5));

        assert!(!history.is_live());
        assert_eq!(history.cursor(), Position(2));
        assert_eq!(count_at(history.at_cursor()), 2);
        assert_eq!(history.live().position(), Position(11));
        assert_eq!(count_at(history.live()), 11);
        assert_eq!(history.checkpoint_count(), 4, "at 0, 3, 6 and 9");

        history.go_live();
        assert!(history.is_live());
        assert_eq!(history.cursor(), Position(11));
    }

    #[test]
    fn the_cursor_follows_the_head_while_live() {
        let mut store = EventStore::new();
        let mut history = History::new(2);
        history.register(Box::new(EventCount::default()), &store);
        append(&mut store, 1, 3);
        history.record(store.events());
        assert!(history.is_live());
        assert_eq!(history.cursor(), Position(3));
        assert_eq!(count_at(history.at_cursor()), 3);
    }

    #[test]
    fn a_seek_past_the_head_clamps_to_it_and_goes_live() {
        let mut store = EventStore::new();
        append(&mut store, 1, 10);
        let mut history = History::new(4);
        history.register(Box::new(EventCount::default()), &store);
        history.seek(&store, Position(3));
        assert!(!history.is_live());

        assert_eq!(history.seek(&store, Position(100)), Position(10));
        assert!(history.is_live());
        assert_eq!(history.cursor(), Position(10));
        assert_eq!(count_at(history.at_cursor()), 10);

        // Seeking to the head itself goes live as well.
        history.seek(&store, Position(3));
        assert_eq!(history.seek(&store, Position(10)), Position(10));
        assert!(history.is_live());
    }

    #[test]
    fn a_seek_in_an_empty_history_stays_at_the_origin() {
        let store = EventStore::new();
        let mut history = History::new(4);
        history.register(Box::new(EventCount::default()), &store);
        assert_eq!(history.seek(&store, Position(5)), Position::ORIGIN);
        assert!(history.is_live());
        assert_eq!(count_at(history.at_cursor()), 0);
    }

    #[test]
    fn an_event_recorded_twice_is_folded_once() {
        let mut store = EventStore::new();
        append(&mut store, 1, 5);
        let mut history = History::new(2);
        history.register(Box::new(EventCount::default()), &store);

        history.record(store.events());
        history.record(store.events().starting_at(3));

        assert_eq!(count_at(history.live()), 5);
        assert_eq!(history.checkpoint_count(), 3, "at 0, 2 and 4");
    }

    #[test]
    fn an_interval_of_zero_is_taken_as_one() {
        let history: History<ShopEvent> = History::new(0);
        assert_eq!(history.interval(), 1);
    }
}
