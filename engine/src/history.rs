//! Time travel: every read model as of any position of the log.
//!
//! The history keeps the live read models (folded to the head), a checkpoint of all of them
//! every `interval` events, and a view at the cursor. Seeking clones the nearest checkpoint at or
//! before the target and folds at most `interval` events; moving forward a little folds only the
//! distance. So a seek costs O(interval + distance), never O(log length), and because read-model
//! state is copy-on-write a checkpoint costs only what changed since the one before it.

use crate::envelope::{DomainEvent, Recorded};
use crate::ids::Position;
use crate::projection::{ReadModel, ReadModelSet};
use crate::store::EventStore;

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
        let cursor = self.cursor();
        let following = self.is_live();
        let mut empty = self.live.emptied();
        empty.push(model);
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
    pub fn record(&mut self, events: &[Recorded<E>]) {
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
