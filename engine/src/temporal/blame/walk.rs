//! One row's walk back from B through the events that touched it, and the sweep that runs every
//! walk one checkpoint interval at a time.

use super::replay::{look_up, Hint, HintRecord, Lookup, Replayer, Visit};
use super::FieldBlame;
use crate::envelope::DomainEvent;
use crate::ids::Position;
use crate::projection::Row;
use crate::temporal::blame_of;

/// The most positions a walk looks up ahead of need in one sweep.
const MOST_AHEAD: u64 = 128;

/// One row's walk back from B through the events that touched it.
pub(super) struct Walk {
    pub(super) model: usize,
    pub(super) key: String,
    /// The row just after `link`: in every open column, the value it has at B.
    upper: Row,
    /// The next event to examine: the last one, at or before the rows seen so far, that touched
    /// the row.
    link: Position,
    /// The columns not blamed yet.
    open: Vec<usize>,
    pub(super) blamed: Vec<(usize, FieldBlame)>,
    steps: u32,
    hint: Hint,
    /// What the last sweep found, by ascending position.
    fetched: Vec<(Position, Lookup)>,
    /// The lowest position of the last sweep's lookups, if there was one.
    fetched_from: Option<Position>,
    /// How many positions before the needed one the next sweep also looks up.
    ahead: u64,
}

impl Walk {
    pub(super) fn new(
        model: usize,
        row: Row,
        open: Vec<usize>,
        hint: Hint,
        a: Position,
    ) -> Option<Walk> {
        let link = blame_of(&row)?;
        let mut walk = Walk {
            model,
            key: row.key.clone(),
            upper: row,
            link,
            open,
            blamed: Vec::new(),
            steps: 0,
            hint,
            fetched: Vec::new(),
            fetched_from: None,
            ahead: 0,
        };
        if link <= a {
            // The row changed after A, yet names no event after A: the model broke the Event
            // column's promise, and there is nothing to walk.
            walk.settle();
        }
        Some(walk)
    }

    /// Ends the walk: the open fields last changed at or before the next event to examine.
    fn settle(&mut self) {
        let link = self.link;
        self.blamed.extend(
            self.open
                .drain(..)
                .map(|column| (column, FieldBlame::AtOrBefore(link))),
        );
    }

    fn take_fetched(&mut self, position: Position) -> Option<Lookup> {
        let index = self
            .fetched
            .binary_search_by_key(&position, |(at, _)| *at)
            .ok()?;
        Some(std::mem::replace(
            &mut self.fetched[index].1,
            Lookup::Unknown,
        ))
    }

    /// Takes every step the fetched rows allow; then the position whose row it needs next,
    /// or `None` when it is done.
    fn advance(&mut self, a: Position, max_steps: u32) -> Option<Position> {
        while !self.open.is_empty() {
            if self.steps >= max_steps {
                self.settle();
                break;
            }
            let link = self.link;
            let before = Position(link.0 - 1);
            let row = match self.take_fetched(before) {
                Some(Lookup::Found(row)) => Some(row),
                Some(Lookup::Absent) => None,
                Some(Lookup::Unknown) | None => return Some(before),
            };
            self.steps += 1;
            let Some(row) = row else {
                // The row did not exist before `link`: that event gave every open field its value.
                self.blamed.extend(
                    self.open
                        .drain(..)
                        .map(|column| (column, FieldBlame::Exact(link))),
                );
                break;
            };
            let (upper, blamed) = (&self.upper, &mut self.blamed);
            self.open.retain(|&column| {
                let changed = upper.cells.get(column) != row.cells.get(column);
                if changed {
                    blamed.push((column, FieldBlame::Exact(link)));
                }
                !changed
            });
            if self.open.is_empty() {
                break;
            }
            match blame_of(&row) {
                Some(next) if next < link && next > a => {
                    self.upper = row;
                    self.link = next;
                }
                // No earlier event after A touched it, yet a field differs from A: the model
                // broke the Event column's promise.
                _ => {
                    self.settle();
                    break;
                }
            }
        }
        None
    }

    /// Plans the next sweep's lookups for this walk: the position it needs, thoroughly, and
    /// while its events come one after another, up to `ahead` positions before it (within the
    /// same checkpoint interval and after `floor`) with the hint only.
    fn plan(
        &mut self,
        walk: usize,
        needs: Position,
        floor: Position,
        max_steps: u32,
        visits: &mut Vec<Visit>,
    ) {
        let dense = self.fetched_from.is_some_and(|from| needs.0 + 8 >= from.0);
        let left = u64::from(max_steps.saturating_sub(self.steps));
        self.ahead = if dense {
            (self.ahead * 2).clamp(8, MOST_AHEAD).min(left)
        } else {
            0
        };
        let from = Position(needs.0.saturating_sub(self.ahead).max(floor.0));
        self.fetched.clear();
        self.fetched_from = Some(from);
        let visit = |position: u64, thorough: bool| Visit {
            model: self.model,
            position: Position(position),
            walk,
            thorough,
        };
        visits.extend((from.0..needs.0).map(|position| visit(position, false)));
        visits.push(visit(needs.0, true));
    }
}

/// Runs every walk to its end, one checkpoint interval at a time from the latest back: each
/// pass folds the interval once per model and serves every walk that needs a row in it, and
/// passes repeat until no walk needs that interval any more. So a fold is shared by all the
/// rows with an event in the interval, rather than paid once per event per row.
pub(super) fn walk_back<E: DomainEvent>(
    replayer: &mut Replayer<'_, E>,
    walks: &mut [Walk],
    a: Position,
    max_steps: u32,
) {
    let interval = replayer.history.interval();
    let models = walks.iter().map(|walk| walk.model + 1).max().unwrap_or(0);
    let mut records = vec![HintRecord::default(); models];
    let mut needs: Vec<Option<Position>> = walks
        .iter_mut()
        .map(|walk| walk.advance(a, max_steps))
        .collect();
    let mut visits = Vec::new();
    while let Some(number) = needs.iter().flatten().map(|need| need.0 / interval).max() {
        let floor = Position((number * interval).max(a.0));
        visits.clear();
        for (index, need) in needs.iter().enumerate() {
            if let Some(position) = need.filter(|need| need.0 / interval == number) {
                walks[index].plan(index, position, floor, max_steps, &mut visits);
            }
        }
        visits.sort_by_key(|visit| (visit.model, visit.position));
        for group in visits.chunk_by(|x, y| x.model == y.model) {
            let model = group[0].model;
            let record = &mut records[model];
            let finished = replayer.sweep(model, group, |state, visit| {
                let walk = &mut walks[visit.walk];
                let found = look_up(state, &walk.key, &mut walk.hint, record, visit.thorough);
                walk.fetched.push((visit.position, found));
            });
            if !finished {
                // Out of budget: every walk still going says what it knows.
                for (walk, need) in walks.iter_mut().zip(&needs) {
                    if need.is_some() {
                        walk.settle();
                    }
                }
                return;
            }
        }
        for (walk, need) in walks.iter_mut().zip(needs.iter_mut()) {
            if need.is_some_and(|need| need.0 / interval == number) {
                *need = walk.advance(a, max_steps);
            }
        }
    }
}
