//! Rows as of earlier positions: a model rebuilt from the nearest checkpoint (within a budget
//! of folded events), and a row looked for near where it last stood before it is asked for by
//! key.

use crate::envelope::DomainEvent;
use crate::history::History;
use crate::ids::Position;
use crate::projection::{ReadModel, ReadModelSet, Row};
use crate::store::EventStore;

/// Where a row last stood in its model's order, and how many rows the model had then. A row is
/// looked for near there before the model is asked for it by key: some models can only answer
/// that by building every row.
#[derive(Clone, Copy, Debug)]
pub(super) struct Hint {
    pub(super) index: usize,
    pub(super) count: usize,
}

/// Rows on each side of a hinted index that one lookup reads.
pub(super) const NEAR: usize = 2;

/// How often looking near the hint found the row in one model. A model whose order moves under
/// its rows (revenue ranks customers) soon stops being looked at that way.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct HintRecord {
    hits: u32,
    misses: u32,
}

impl HintRecord {
    fn worth_trying(self) -> bool {
        self.misses <= self.hits.saturating_add(8)
    }
}

/// A row as of one position.
pub(super) enum Lookup {
    Found(Row),
    Absent,
    /// Not near its hint, and not looked for further (a lookup made ahead of need).
    Unknown,
}

/// Looks the row up near its hint; then, if `thorough`, by key.
pub(super) fn look_up<E: DomainEvent>(
    model: &dyn ReadModel<E>,
    key: &str,
    hint: &mut Hint,
    record: &mut HintRecord,
    thorough: bool,
) -> Lookup {
    let tried = record.worth_trying();
    if tried {
        let count = model.row_count();
        // Where the order is by key, the row keeps its index; where it is newest first, it
        // moves by the number of rows added or removed in between.
        let shifted = if count <= hint.count {
            hint.index.checked_sub(hint.count - count)
        } else {
            Some(hint.index + (count - hint.count))
        };
        let mut candidates = [Some(hint.index), shifted];
        candidates.sort();
        let mut near: Vec<std::ops::Range<usize>> = Vec::with_capacity(2);
        for candidate in candidates.into_iter().flatten() {
            let range = candidate.saturating_sub(NEAR)..(candidate + NEAR + 1).min(count);
            match near.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ if !range.is_empty() => near.push(range),
                _ => {}
            }
        }
        // Where the prediction is exact (mostly), one row is built, not a handful.
        let exact = shifted
            .into_iter()
            .filter(|&index| index < count)
            .map(|index| index..index + 1);
        for range in exact.chain(near) {
            let start = range.start;
            let found = model
                .rows(range)
                .into_iter()
                .enumerate()
                .find(|(_, row)| row.key == key);
            if let Some((offset, row)) = found {
                *hint = Hint {
                    index: start + offset,
                    count,
                };
                record.hits += 1;
                return Lookup::Found(row);
            }
        }
    }
    if !thorough {
        return Lookup::Unknown;
    }
    match model.row(key) {
        Some(row) => {
            // The row was there, not where the hint said. (A row that is not there at all, or a
            // lookup ahead of need, says nothing about hints.)
            record.misses += u32::from(tried);
            Lookup::Found(row)
        }
        None => Lookup::Absent,
    }
}

/// One lookup a sweep makes: `walk`'s row in `model` as of `position`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Visit {
    pub(super) model: usize,
    pub(super) position: Position,
    pub(super) walk: usize,
    pub(super) thorough: bool,
}

/// Rebuilds one model as of earlier positions: a clone of the nearest checkpoint, then a fold
/// of that model alone, within a budget of folded events.
pub(super) struct Replayer<'h, E: DomainEvent> {
    pub(super) history: &'h History<E>,
    store: &'h EventStore<E>,
    /// The last checkpoint used, by number (position / interval): walks go back one interval
    /// at a time, so they need no other.
    checkpoint: Option<(u64, ReadModelSet<E>)>,
    replayed: u64,
    budget: u64,
}

impl<'h, E: DomainEvent> Replayer<'h, E> {
    pub(super) fn new(history: &'h History<E>, store: &'h EventStore<E>, budget: u64) -> Self {
        Replayer {
            history,
            store,
            checkpoint: None,
            replayed: 0,
            budget,
        }
    }

    fn checkpoint(&mut self, number: u64) -> &ReadModelSet<E> {
        let (history, store) = (self.history, self.store);
        if self
            .checkpoint
            .as_ref()
            .is_some_and(|(cached, _)| *cached != number)
        {
            self.checkpoint = None;
        }
        let (_, state) = self.checkpoint.get_or_insert_with(|| {
            (
                number,
                history.state_at(store, Position(number * history.interval())),
            )
        });
        state
    }

    /// Folds `model` forward through `visits` (sorted by position), calling `look` with the
    /// model as of each visit's position; it starts again from a checkpoint whenever that is
    /// nearer. False if the budget ran out first.
    pub(super) fn sweep(
        &mut self,
        model: usize,
        visits: &[Visit],
        mut look: impl FnMut(&dyn ReadModel<E>, &Visit),
    ) -> bool {
        let interval = self.history.interval();
        let mut current: Option<Box<dyn ReadModel<E>>> = None;
        let mut upcasting = None;
        let mut at = Position::ORIGIN;
        for visit in visits {
            let number = visit.position.0 / interval;
            if current.is_none() || at > visit.position || at.0 / interval < number {
                let base = self.checkpoint(number);
                let Some(state) = base.iter().nth(model) else {
                    return false;
                };
                at = base.position();
                upcasting = base.upcasting().cloned();
                current = Some(state.clone_boxed());
            }
            let Some(state) = current.as_mut() else {
                return false;
            };
            let events = self.store.between(at, visit.position);
            if self.replayed + events.len() as u64 > self.budget {
                return false;
            }
            self.replayed += events.len() as u64;
            for event in events {
                if !state.folds(event.kind()) {
                    continue;
                }
                // The model reads each event as the whole set would: upcast if its schema evolved.
                let upcast = upcasting
                    .as_ref()
                    .and_then(|upcasting| upcasting.read(event));
                state.apply(upcast.as_ref().unwrap_or(event));
            }
            at = visit.position;
            look(state.as_ref(), visit);
        }
        true
    }
}
