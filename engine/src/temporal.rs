//! Temporal queries over the read models: what changed between two moments (with blame: the
//! event behind each changed field), and "when did this first become that?", answered by
//! bisection where the answer can only flip once and by a scan where it cannot.
//!
//! # Field blame
//!
//! [`diff_between`] names, for each field that differs between A and B, the last event in
//! (A, B] that changed it. Read models keep no index of the events that touched a row, but a
//! row's `Cell::Event` column names the last one, at every state. So the search walks back from
//! B: take the row's last event p, rebuild the row as of p - 1, blame p for every field that
//! differs between the two, and jump to the event the older row names. That visits every event
//! that touched the row, newest first, so the first one seen to change a field is its last
//! changer ([`FieldBlame::Exact`]). A row that did not exist before p was created by p, which
//! is then the last changer of every field still open.
//!
//! Rebuilding a row as of a position costs a clone of the nearest checkpoint and a fold of that
//! one model from it (at most one checkpoint interval of events, read as the set reads them:
//! upcast where a schema evolved). The walks of all rows go back together, one checkpoint
//! interval at a time from the latest: a pass folds the interval once per model and serves every
//! row with an event in it, so a fold is shared by the rows rather than paid per event per row.
//! A row whose events come one after another (a minute of activity) also has the positions just
//! before the one it needs looked up, so its walk takes many steps per pass. A row is looked for
//! near where it last stood in its model's order before the model is asked for it by key.
//!
//! Limits keep the cost bounded: only the first [`BlameLimits::rows`] changes of each model (a
//! page), at most [`BlameLimits::steps_per_row`] events per row and [`BlameLimits::replay`]
//! events replayed in all. A walk cut short blames its open fields [`FieldBlame::AtOrBefore`]
//! the next event it would have examined, which is true: nothing after that event changed them.
//! Like the row's blame, all of this trusts the `Event` column to name the row's last change.
//!
//! A model without an `Event` column gets no field blame: nothing says which events touched a
//! row, and a bisection on a field's value finds *an* event that set it, not the last one. A
//! removed row is blamed on a removal found by bisection on whether the row exists
//! ([`RowBlame::Removed`]).

use rustc_hash::FxHashMap;

use crate::envelope::DomainEvent;
use crate::history::History;
use crate::ids::Position;
use crate::projection::{Cell, ReadModel, ReadModelSet, Row};
use crate::store::EventStore;

/// One field that differs between the two moments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    pub column: &'static str,
    pub before: Cell,
    pub after: Cell,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowChange {
    Added(Row),
    Removed(Row),
    Changed {
        key: String,
        fields: Vec<FieldChange>,
    },
}

/// Which event gave a field the value it has at B.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldBlame {
    /// The last event in (A, B] that changed the field: its value just before differs, and no
    /// later event up to B changed it again.
    Exact(Position),
    /// The walk back from B stopped at a limit before it found the change: the field last
    /// changed after A, at or before this event.
    AtOrBefore(Position),
}

impl FieldBlame {
    pub fn position(self) -> Position {
        match self {
            FieldBlame::Exact(position) | FieldBlame::AtOrBefore(position) => position,
        }
    }
}

/// One column's blame within a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnBlame {
    pub column: &'static str,
    pub blame: FieldBlame,
}

/// The blame of one added, changed or removed row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowBlame {
    /// An added or changed row: every field that differs (for an added row, every field), in
    /// column order. `Event` columns are left out: they are the blame.
    Fields(Vec<ColumnBlame>),
    /// A removed row: an event in (A, B] that removed it (the row was there just before and is
    /// gone at B). Found by bisection on whether the row exists, so if it came and went more
    /// than once between A and B, this is one of its removals, not necessarily the last.
    Removed(Position),
}

impl RowBlame {
    /// The blame of one field of an added or changed row.
    pub fn field(&self, column: &str) -> Option<FieldBlame> {
        match self {
            RowBlame::Fields(fields) => fields
                .iter()
                .find(|field| field.column == column)
                .map(|field| field.blame),
            RowBlame::Removed(_) => None,
        }
    }
}

/// How one read model differs between A and B.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelDiff {
    pub model: &'static str,
    /// The model's columns, in the order of its rows' cells.
    pub columns: &'static [&'static str],
    pub changes: Vec<RowChange>,
    /// For each changed or added row: the event that last changed it at B (the row's blame).
    pub blame: FxHashMap<String, Position>,
    /// Field by field, for the first [`BlameLimits::rows`] changes, by key. Filled in by
    /// [`diff_between`]; [`diff`] leaves it empty.
    pub field_blame: FxHashMap<String, RowBlame>,
}

impl ModelDiff {
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut counts = (0, 0, 0);
        for change in &self.changes {
            match change {
                RowChange::Added(_) => counts.0 += 1,
                RowChange::Removed(_) => counts.1 += 1,
                RowChange::Changed { .. } => counts.2 += 1,
            }
        }
        counts
    }
}

/// How much work field blame may do: it is computed for a page of rows, not for all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlameLimits {
    /// How many of each model's changes, in the order of [`ModelDiff::changes`], get field
    /// blame: the rows a page shows.
    pub rows: usize,
    /// How many events one row's walk may examine before it settles for
    /// [`FieldBlame::AtOrBefore`].
    pub steps_per_row: u32,
    /// How many events the whole search may fold to rebuild rows as of earlier positions.
    pub replay: u64,
}

impl Default for BlameLimits {
    /// A page of 40 rows a model: about 20 ms natively on top of the plain diff, for the
    /// benchmark's two states 500,000 events apart in a million, every field blamed exactly.
    fn default() -> Self {
        BlameLimits {
            rows: 40,
            steps_per_row: 256,
            replay: 4_000_000,
        }
    }
}

fn blame_of(row: &Row) -> Option<Position> {
    row.cells.iter().rev().find_map(|cell| match cell {
        Cell::Event(position) => Some(*position),
        _ => None,
    })
}

/// A change that gets field blame, with what the search needs to start.
enum Pending {
    /// An added or changed row: the row at B, the columns to blame and its index at B.
    Walk {
        row: Row,
        open: Vec<usize>,
        index: usize,
    },
    /// A removed row: its key and its index at A.
    Removed { key: String, index: usize },
}

/// The plain diff of one model, and the first `pending` of its changes ready for blame.
fn diff_model<E: DomainEvent>(
    a: &dyn ReadModel<E>,
    b: &dyn ReadModel<E>,
    pending: usize,
) -> (ModelDiff, Vec<Pending>) {
    let columns = b.columns();
    let before = a.rows(0..a.row_count());
    let mut unseen: FxHashMap<&str, usize> = before
        .iter()
        .enumerate()
        .map(|(index, row)| (row.key.as_str(), index))
        .collect();
    let after = b.rows(0..b.row_count());
    let mut changes = Vec::new();
    let mut blame = FxHashMap::default();
    let mut ready = Vec::new();
    // Rows are moved into the changes, not cloned: at a million events there are many.
    for (index, row) in after.into_iter().enumerate() {
        let (open, added) = match unseen.remove(row.key.as_str()) {
            None => {
                let open = (0..row.cells.len().min(columns.len()))
                    .filter(|&column| !matches!(row.cells[column], Cell::Event(_)))
                    .collect();
                (open, true)
            }
            Some(old) if before[old].cells != row.cells => {
                let old = &before[old];
                let open: Vec<usize> = (0..columns.len().min(old.cells.len()).min(row.cells.len()))
                    .filter(|&column| {
                        old.cells[column] != row.cells[column]
                            && !matches!(row.cells[column], Cell::Event(_))
                    })
                    .collect();
                if open.is_empty() {
                    continue;
                }
                changes.push(RowChange::Changed {
                    key: row.key.clone(),
                    fields: open
                        .iter()
                        .map(|&column| FieldChange {
                            column: columns[column],
                            before: old.cells[column].clone(),
                            after: row.cells[column].clone(),
                        })
                        .collect(),
                });
                (open, false)
            }
            Some(_) => continue,
        };
        if let Some(position) = blame_of(&row) {
            blame.insert(row.key.clone(), position);
        }
        if ready.len() < pending {
            ready.push(Pending::Walk {
                row: row.clone(),
                open,
                index,
            });
        }
        if added {
            changes.push(RowChange::Added(row));
        }
    }
    // In the model's order at A, so the listing is stable from one run to the next.
    let mut gone: Vec<usize> = unseen.into_values().collect();
    gone.sort_unstable();
    let mut gone = gone.into_iter().peekable();
    for (index, row) in before.into_iter().enumerate() {
        if gone.next_if_eq(&index).is_none() {
            continue;
        }
        if ready.len() < pending {
            ready.push(Pending::Removed {
                key: row.key.clone(),
                index,
            });
        }
        changes.push(RowChange::Removed(row));
    }
    let diff = ModelDiff {
        model: b.name(),
        columns,
        changes,
        blame,
        field_blame: FxHashMap::default(),
    };
    (diff, ready)
}

/// Every read model's differences between two states of the same models, with row-level
/// blame only (see [`diff_between`] for blame per field).
pub fn diff<E: DomainEvent>(a: &ReadModelSet<E>, b: &ReadModelSet<E>) -> Vec<ModelDiff> {
    a.iter()
        .zip(b.iter())
        .map(|(before, after)| diff_model(before, after, 0).0)
        .collect()
}

/// Every read model's differences between positions `a` and `b` of the log, each changed field
/// of the first `limits.rows` changes of each model blamed on the last event in (A, B] that
/// changed it (see the module's notes). With `a` at or after `b` there is no such event, and the
/// diff comes without field blame.
pub fn diff_between<E: DomainEvent>(
    history: &History<E>,
    store: &EventStore<E>,
    a: Position,
    b: Position,
    limits: BlameLimits,
) -> Vec<ModelDiff> {
    let before = history.state_at(store, a);
    let after = history.state_at(store, b);
    let (a, b) = (before.position(), after.position());
    let pending = if a < b { limits.rows } else { 0 };
    let (mut diffs, pending): (Vec<ModelDiff>, Vec<Vec<Pending>>) = before
        .iter()
        .zip(after.iter())
        .map(|(old, new)| diff_model(old, new, pending))
        .unzip();
    let counts: Vec<(usize, usize)> = before
        .iter()
        .zip(after.iter())
        .map(|(old, new)| (old.row_count(), new.row_count()))
        .collect();
    let mut replayer = Replayer::new(history, store, limits.replay);
    let mut walks = Vec::new();
    let mut removals = Vec::new();
    for (model, ready) in pending.into_iter().enumerate() {
        for pending in ready {
            match pending {
                Pending::Walk { row, open, index } => {
                    let hint = Hint {
                        index,
                        count: counts[model].1,
                    };
                    if let Some(walk) = Walk::new(model, row, open, hint, a) {
                        walks.push(walk);
                    }
                }
                Pending::Removed { key, index } => removals.push((model, key, index)),
            }
        }
    }
    walk_back(&mut replayer, &mut walks, a, limits.steps_per_row);
    for walk in walks {
        let columns = diffs[walk.model].columns;
        let mut blamed = walk.blamed;
        blamed.sort_by_key(|(column, _)| *column);
        let fields = blamed
            .into_iter()
            .filter_map(|(column, blame)| {
                columns
                    .get(column)
                    .map(|column| ColumnBlame { column, blame })
            })
            .collect();
        diffs[walk.model]
            .field_blame
            .insert(walk.key, RowBlame::Fields(fields));
    }
    for (model, key, index) in removals {
        let hint = Hint {
            index,
            count: counts[model].0,
        };
        if let Some(position) = find_removal(&mut replayer, model, &key, hint, a, b) {
            diffs[model]
                .field_blame
                .insert(key, RowBlame::Removed(position));
        }
    }
    diffs
}

/// Where a row last stood in its model's order, and how many rows the model had then. A row is
/// looked for near there before the model is asked for it by key: some models can only answer
/// that by building every row.
#[derive(Clone, Copy, Debug)]
struct Hint {
    index: usize,
    count: usize,
}

/// Rows on each side of a hinted index that one lookup reads.
const NEAR: usize = 2;

/// How often looking near the hint found the row in one model. A model whose order moves under
/// its rows (revenue ranks customers) soon stops being looked at that way.
#[derive(Clone, Copy, Debug, Default)]
struct HintRecord {
    hits: u32,
    misses: u32,
}

impl HintRecord {
    fn worth_trying(self) -> bool {
        self.misses <= self.hits.saturating_add(8)
    }
}

/// A row as of one position.
enum Lookup {
    Found(Row),
    Absent,
    /// Not near its hint, and not looked for further (a lookup made ahead of need).
    Unknown,
}

/// Looks the row up near its hint; then, if `thorough`, by key.
fn look_up<E: DomainEvent>(
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
struct Visit {
    model: usize,
    position: Position,
    walk: usize,
    thorough: bool,
}

/// Rebuilds one model as of earlier positions: a clone of the nearest checkpoint, then a fold
/// of that model alone, within a budget of folded events.
struct Replayer<'h, E: DomainEvent> {
    history: &'h History<E>,
    store: &'h EventStore<E>,
    /// The last checkpoint used, by number (position / interval): walks go back one interval
    /// at a time, so they need no other.
    checkpoint: Option<(u64, ReadModelSet<E>)>,
    replayed: u64,
    budget: u64,
}

impl<'h, E: DomainEvent> Replayer<'h, E> {
    fn new(history: &'h History<E>, store: &'h EventStore<E>, budget: u64) -> Self {
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
    fn sweep(
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

/// The most positions a walk looks up ahead of need in one sweep.
const MOST_AHEAD: u64 = 128;

/// One row's walk back from B through the events that touched it.
struct Walk {
    model: usize,
    key: String,
    /// The row just after `link`: in every open column, the value it has at B.
    upper: Row,
    /// The next event to examine: the last one, at or before the rows seen so far, that touched
    /// the row.
    link: Position,
    /// The columns not blamed yet.
    open: Vec<usize>,
    blamed: Vec<(usize, FieldBlame)>,
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
    fn new(model: usize, row: Row, open: Vec<usize>, hint: Hint, a: Position) -> Option<Walk> {
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
fn walk_back<E: DomainEvent>(
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

/// An event in (a, b] after which the row with `key` was gone (it was there just before), by
/// bisection on whether it exists; `None` if the replay budget runs out first.
fn find_removal<E: DomainEvent>(
    replayer: &mut Replayer<'_, E>,
    model: usize,
    key: &str,
    mut hint: Hint,
    a: Position,
    b: Position,
) -> Option<Position> {
    let mut record = HintRecord::default();
    let (mut there, mut gone) = (a.0, b.0);
    while gone - there > 1 {
        let middle = there + (gone - there) / 2;
        let visit = Visit {
            model,
            position: Position(middle),
            walk: 0,
            thorough: true,
        };
        let mut exists = false;
        let finished = replayer.sweep(model, &[visit], |state, _| {
            exists = matches!(
                look_up(state, key, &mut hint, &mut record, true),
                Lookup::Found(_)
            );
        });
        if !finished {
            return None;
        }
        if exists {
            there = middle;
        } else {
            gone = middle;
        }
    }
    Some(Position(gone))
}

/// How a "when did" query compares the field with the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Equals,
    /// For counts and amounts: the field reached at least the value.
    AtLeast,
}

/// "When did `column` of row `key` in `model` first become `value`?"
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhenQuery {
    pub model: String,
    pub key: String,
    pub column: String,
    pub comparison: Comparison,
    pub value: String,
}

/// How the answer was found, so the user can see why it is fast or slow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// The predicate can only flip once, so a binary search over positions finds the flip.
    Bisection { probes: u32 },
    /// It may flip back and forth: every position was tried in order.
    Scan { events: u64 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhenAnswer {
    /// The first position at which the predicate holds, if it ever does.
    pub position: Option<Position>,
    pub method: Method,
}

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Count(n) | Cell::Cents(n) => n.to_string(),
        Cell::Time(time) => time.to_rfc3339(),
        Cell::Event(position) => position.0.to_string(),
    }
}

fn cell_number(cell: &Cell) -> Option<i64> {
    match cell {
        Cell::Count(n) | Cell::Cents(n) => Some(*n),
        Cell::Event(position) => i64::try_from(position.0).ok(),
        _ => None,
    }
}

impl WhenQuery {
    fn holds<E: DomainEvent>(&self, models: &ReadModelSet<E>) -> bool {
        let Some(model) = models.by_name(&self.model) else {
            return false;
        };
        let Some(index) = model
            .columns()
            .iter()
            .position(|c| c.eq_ignore_ascii_case(&self.column))
        else {
            return false;
        };
        let Some(row) = model.row(&self.key) else {
            return false;
        };
        let Some(cell) = row.cells.get(index) else {
            return false;
        };
        match self.comparison {
            Comparison::Equals => cell_text(cell).eq_ignore_ascii_case(self.value.trim()),
            Comparison::AtLeast => {
                let wanted = self.value.trim().replace(',', "").parse::<i64>().ok();
                matches!((cell_number(cell), wanted), (Some(have), Some(wanted)) if have >= wanted)
            }
        }
    }

    /// Whether the model says this predicate, once true, stays true.
    fn settles<E: DomainEvent>(&self, models: &ReadModelSet<E>) -> bool {
        models.by_name(&self.model).is_some_and(|model| {
            model.settles(
                &self.column,
                self.comparison == Comparison::AtLeast,
                &self.value,
            )
        })
    }
}

/// Answers a "when did" query over the whole log.
pub fn when<E: DomainEvent>(
    history: &History<E>,
    store: &EventStore<E>,
    query: &WhenQuery,
) -> WhenAnswer {
    let head = store.head();
    if query.settles(history.live()) {
        // Bisection: find the first position where the predicate holds, knowing it never unholds.
        let mut probes = 0;
        if !query.holds(history.live()) {
            return WhenAnswer {
                position: None,
                method: Method::Bisection { probes: 1 },
            };
        }
        let (mut low, mut high) = (0u64, head.0);
        while low < high {
            let middle = low + (high - low) / 2;
            probes += 1;
            if query.holds(&history.state_at(store, Position(middle))) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return WhenAnswer {
            position: Some(Position(low)),
            method: Method::Bisection { probes: probes + 1 },
        };
    }
    // A scan: fold event by event from the start and stop at the first position that holds.
    let mut state = history.state_at(store, Position::ORIGIN);
    if query.holds(&state) {
        return WhenAnswer {
            position: Some(Position::ORIGIN),
            method: Method::Scan { events: 0 },
        };
    }
    for (scanned, event) in store.events().iter().enumerate() {
        state.apply(event);
        if query.holds(&state) {
            return WhenAnswer {
                position: Some(event.position),
                method: Method::Scan {
                    events: scanned as u64 + 1,
                },
            };
        }
    }
    WhenAnswer {
        position: None,
        method: Method::Scan { events: head.0 },
    }
}

/// A read-model row one event changed: what it was just before, and what it became.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TouchedRow {
    pub model: &'static str,
    pub key: String,
    /// `None` when the event created the row.
    pub before: Option<Row>,
    pub after: Row,
}

/// The read-model rows the event at `position` changed, found without scanning whole models:
/// rows are looked up by the keys the event itself names (its payload's ids, its flow, its
/// minute) and kept when their last event is this one.
pub fn rows_changed_by<E: DomainEvent>(
    history: &History<E>,
    store: &EventStore<E>,
    position: Position,
) -> Vec<TouchedRow> {
    let Some(event) = store.get(position) else {
        return Vec::new();
    };
    let json = event.to_json();
    let mut keys: Vec<String> = Vec::new();
    collect_strings(&json["payload"], &mut keys);
    keys.push(event.correlation_id.to_string());
    let minute = crate::ids::Timestamp(event.recorded_at.0.div_euclid(60_000) * 60_000);
    keys.push(minute.to_rfc3339());
    keys.sort();
    keys.dedup();
    let after = history.state_at(store, position);
    let before = history.state_at(store, Position(position.0.saturating_sub(1)));
    let mut touched = Vec::new();
    for model in after.iter() {
        for key in &keys {
            let Some(row) = model.row(key) else { continue };
            if row.cells.contains(&Cell::Event(position)) {
                let previous = before.by_name(model.name()).and_then(|m| m.row(key));
                touched.push(TouchedRow {
                    model: model.name(),
                    key: key.clone(),
                    before: previous,
                    after: row,
                });
            }
        }
    }
    touched
}

fn collect_strings(value: &serde_json::Value, into: &mut Vec<String>) {
    match value {
        serde_json::Value::String(text) => into.push(text.clone()),
        serde_json::Value::Array(items) => {
            items.iter().for_each(|item| collect_strings(item, into))
        }
        serde_json::Value::Object(map) => map.values().for_each(|item| collect_strings(item, into)),
        _ => {}
    }
}

/// Bitemporal time: the read models as of business time `business` (what had happened by
/// then), as known at `known_at` (what had been recorded by then). Events are folded in the
/// order they happened, so a late, back-dated event changes the business past it belongs to,
/// while the recording-time past (an ordinary seek) stays as it was known.
pub fn as_of_business_time<E: DomainEvent>(
    history: &History<E>,
    store: &EventStore<E>,
    business: crate::ids::Timestamp,
    known_at: Position,
) -> ReadModelSet<E> {
    let known = &store.events()[..(known_at.0 as usize).min(store.len())];
    let mut happened: Vec<&crate::envelope::Recorded<E>> = known
        .iter()
        .filter(|event| event.occurred_at <= business)
        .collect();
    happened.sort_by_key(|event| (event.occurred_at, event.position));
    let mut state = history.live().emptied();
    for event in happened {
        state.apply_unordered(event);
    }
    state
}

/// Events recorded noticeably after they happened: the ones that rewrite the business past.
pub fn late_events<E: DomainEvent>(
    store: &EventStore<E>,
    tolerance_ms: i64,
) -> impl Iterator<Item = &crate::envelope::Recorded<E>> {
    store
        .events()
        .iter()
        .filter(move |event| event.recorded_at.0 - event.occurred_at.0 > tolerance_ms)
}

#[cfg(test)]
mod tests {
    // The test domain has one event type, so matching it is irrefutable.
    #![allow(irrefutable_let_patterns)]
    use std::collections::BTreeMap;
    use std::ops::Range;

    use uuid::Uuid;

    use super::*;
    use crate::envelope::{NewEvent, Recorded};
    use crate::ids::{EventId, Timestamp};
    use crate::projection::Projection;
    use crate::store::ExpectedVersion;
    use crate::test_domain::StockStream as ShopStream;
    use crate::test_domain::{Sku, StockEvent as ShopEvent, StockEventKind as ShopEventKind};

    /// Per product: the last quantity received and whether it was odd. Receiving nothing
    /// removes the product. Small enough to say which event changed which field.
    #[derive(Clone, Debug, Default, PartialEq)]
    struct Receipts(BTreeMap<u16, (u32, Position)>);

    impl Projection<ShopEvent> for Receipts {
        const NAME: &'static str = "Receipts";
        const QUESTION: &'static str = "What did each product last receive?";
        const COLUMNS: &'static [&'static str] = &["SKU", "Last", "Parity", "Last event"];
        const CONSUMES: &'static [ShopEventKind] = &[ShopEventKind::StockReceived];
        const READS: crate::PayloadReads<ShopEventKind> =
            &[(ShopEventKind::StockReceived, &["sku", "quantity"])];

        fn apply(&mut self, event: &Recorded<ShopEvent>) {
            if let ShopEvent::StockReceived { sku, quantity } = event.event {
                if quantity == 0 {
                    self.0.remove(&sku.0);
                } else {
                    self.0.insert(sku.0, (quantity, event.position));
                }
            }
        }
        fn row_count(&self) -> usize {
            self.0.len()
        }
        fn rows(&self, range: Range<usize>) -> Vec<Row> {
            self.0
                .iter()
                .skip(range.start)
                .take(range.len())
                .map(|(sku, (quantity, at))| Row {
                    key: Sku(*sku).to_string(),
                    cells: vec![
                        Cell::Text(Sku(*sku).to_string()),
                        Cell::Count(i64::from(*quantity)),
                        Cell::Text(if quantity % 2 == 1 { "odd" } else { "even" }.into()),
                        Cell::Event(*at),
                    ],
                })
                .collect()
        }
        fn unshared_bytes(&self, _earlier: &Self) -> usize {
            0
        }
    }

    /// Units received per product, with no `Event` column: nothing says what touched a row.
    #[derive(Clone, Debug, Default, PartialEq)]
    struct Units(BTreeMap<u16, i64>);

    impl Projection<ShopEvent> for Units {
        const NAME: &'static str = "Units";
        const QUESTION: &'static str = "How many units did each product receive?";
        const COLUMNS: &'static [&'static str] = &["SKU", "Units"];
        const CONSUMES: &'static [ShopEventKind] = &[ShopEventKind::StockReceived];
        const READS: crate::PayloadReads<ShopEventKind> =
            &[(ShopEventKind::StockReceived, &["sku", "quantity"])];

        fn apply(&mut self, event: &Recorded<ShopEvent>) {
            if let ShopEvent::StockReceived { sku, quantity } = event.event {
                *self.0.entry(sku.0).or_default() += i64::from(quantity);
            }
        }
        fn row_count(&self) -> usize {
            self.0.len()
        }
        fn rows(&self, range: Range<usize>) -> Vec<Row> {
            self.0
                .iter()
                .skip(range.start)
                .take(range.len())
                .map(|(sku, units)| Row {
                    key: Sku(*sku).to_string(),
                    cells: vec![Cell::Text(Sku(*sku).to_string()), Cell::Count(*units)],
                })
                .collect()
        }
        fn unshared_bytes(&self, _earlier: &Self) -> usize {
            0
        }
    }

    /// A log of receipts `(sku, quantity)`, event n at position n, with both models registered.
    fn log(receipts: &[(u16, u32)], interval: u64) -> (EventStore<ShopEvent>, History<ShopEvent>) {
        let mut store = EventStore::new();
        for (n, &(sku, quantity)) in receipts.iter().enumerate() {
            let event = ShopEvent::StockReceived {
                sku: Sku(sku),
                quantity,
            };
            let id = EventId(Uuid::from_u128(n as u128 + 1));
            store
                .append(
                    ShopStream::Inventory(Sku(sku)),
                    ExpectedVersion::Any,
                    vec![NewEvent::new(id, event)],
                    Timestamp::from_millis(n as i64 * 1000),
                )
                .expect("appended");
        }
        let mut history = History::new(interval);
        history.register(Box::new(Receipts::default()), &store);
        history.register(Box::new(Units::default()), &store);
        (store, history)
    }

    fn between(
        receipts: &[(u16, u32)],
        interval: u64,
        a: u64,
        b: u64,
        limits: BlameLimits,
    ) -> Vec<ModelDiff> {
        let (store, history) = log(receipts, interval);
        diff_between(&history, &store, Position(a), Position(b), limits)
    }

    fn field(diffs: &[ModelDiff], key: &str, column: &str) -> Option<FieldBlame> {
        diffs[0].field_blame.get(key)?.field(column)
    }

    const AT: fn(u64) -> FieldBlame = |n| FieldBlame::Exact(Position(n));

    #[test]
    fn it_should_blame_each_changed_field_on_the_last_event_that_changed_it() {
        // SKU-01: 2 (even), 3 (odd) at #3, 5 (odd) at #5; SKU-02 in between.
        let receipts = [(1, 2), (2, 1), (1, 3), (2, 4), (1, 5)];
        let diffs = between(&receipts, 2, 1, 5, BlameLimits::default());
        assert_eq!(field(&diffs, "SKU-01", "Last"), Some(AT(5)));
        assert_eq!(field(&diffs, "SKU-01", "Parity"), Some(AT(3)));
        assert_eq!(field(&diffs, "SKU-01", "SKU"), None, "unchanged");
        assert_eq!(diffs[0].blame.get("SKU-01"), Some(&Position(5)));
    }

    #[test]
    fn it_should_blame_each_field_of_an_added_row_on_its_own_last_changer() {
        let receipts = [(1, 2), (2, 1), (1, 3), (2, 4), (1, 5)];
        let diffs = between(&receipts, 2, 0, 5, BlameLimits::default());
        assert_eq!(
            diffs[0].field_blame.get("SKU-01"),
            Some(&RowBlame::Fields(vec![
                ColumnBlame {
                    column: "SKU",
                    blame: AT(1)
                },
                ColumnBlame {
                    column: "Last",
                    blame: AT(5)
                },
                ColumnBlame {
                    column: "Parity",
                    blame: AT(3)
                },
            ]))
        );
        assert_eq!(field(&diffs, "SKU-02", "Parity"), Some(AT(4)));
    }

    #[test]
    fn it_should_blame_a_field_that_went_back_and_forth_on_its_last_change() {
        // Parity: even at #1, odd at #2, even at #3, odd at #4, still odd at #5.
        let receipts = [(1, 2), (1, 3), (1, 4), (1, 7), (1, 9)];
        let diffs = between(&receipts, 3, 1, 5, BlameLimits::default());
        assert_eq!(field(&diffs, "SKU-01", "Parity"), Some(AT(4)));
        assert_eq!(field(&diffs, "SKU-01", "Last"), Some(AT(5)));
    }

    #[test]
    fn it_should_blame_a_removed_row_on_the_event_that_removed_it() {
        let receipts = [(1, 2), (2, 1), (1, 0), (2, 2)];
        let diffs = between(&receipts, 2, 1, 4, BlameLimits::default());
        assert!(matches!(
            diffs[0].changes[..],
            [RowChange::Added(_), RowChange::Removed(_)]
        ));
        assert_eq!(
            diffs[0].field_blame.get("SKU-01"),
            Some(&RowBlame::Removed(Position(3)))
        );
    }

    #[test]
    fn it_should_say_at_or_before_when_a_walk_runs_out_of_steps() {
        let receipts = [(1, 2), (1, 3), (1, 4), (1, 7), (1, 9)];
        let limits = BlameLimits {
            steps_per_row: 1,
            ..BlameLimits::default()
        };
        let diffs = between(&receipts, 3, 1, 5, limits);
        assert_eq!(field(&diffs, "SKU-01", "Last"), Some(AT(5)));
        assert_eq!(
            field(&diffs, "SKU-01", "Parity"),
            Some(FieldBlame::AtOrBefore(Position(4)))
        );
    }

    #[test]
    fn it_should_say_at_or_before_the_rows_last_event_when_nothing_may_be_replayed() {
        let receipts = [(1, 2), (1, 3), (1, 4), (1, 7), (1, 9)];
        let limits = BlameLimits {
            replay: 0,
            ..BlameLimits::default()
        };
        let diffs = between(&receipts, 100, 1, 5, limits);
        let before_five = FieldBlame::AtOrBefore(Position(5));
        assert_eq!(field(&diffs, "SKU-01", "Last"), Some(before_five));
        assert_eq!(field(&diffs, "SKU-01", "Parity"), Some(before_five));
    }

    #[test]
    fn it_should_walk_a_long_run_of_events_across_checkpoints() {
        // 290 receipts, nearly all of SKU-01 (every 37th is SKU-02): 2 units each, then 4 from
        // #100 and 6 from #200, but 5 at #140 (odd, for one event).
        let receipts: Vec<(u16, u32)> = (1..=290u32)
            .map(|n| match n {
                _ if n % 37 == 0 => (2, n),
                140 => (1, 5),
                _ => (1, 2 + n / 100 * 2),
            })
            .collect();
        let limits = BlameLimits {
            steps_per_row: 1_000,
            ..BlameLimits::default()
        };
        let diffs = between(&receipts, 16, 0, 290, limits);
        assert_eq!(field(&diffs, "SKU-01", "Last"), Some(AT(200)));
        assert_eq!(field(&diffs, "SKU-01", "Parity"), Some(AT(141)));
        assert_eq!(field(&diffs, "SKU-01", "SKU"), Some(AT(1)));
        assert_eq!(diffs[0].blame.get("SKU-01"), Some(&Position(290)));
    }

    #[test]
    fn it_should_blame_only_the_first_rows_of_each_model() {
        let receipts = [(1, 2), (2, 1), (3, 5)];
        let limits = BlameLimits {
            rows: 2,
            ..BlameLimits::default()
        };
        let diffs = between(&receipts, 2, 0, 3, limits);
        assert_eq!(diffs[0].changes.len(), 3);
        let mut blamed: Vec<&String> = diffs[0].field_blame.keys().collect();
        blamed.sort();
        assert_eq!(blamed, ["SKU-01", "SKU-02"]);
    }

    #[test]
    fn it_should_give_no_field_blame_to_a_model_without_an_event_column() {
        let diffs = between(&[(1, 2), (1, 3)], 2, 1, 2, BlameLimits::default());
        assert_eq!(diffs[1].model, "Units");
        assert_eq!(diffs[1].changes.len(), 1);
        assert!(diffs[1].field_blame.is_empty());
    }

    #[test]
    fn it_should_give_no_field_blame_from_a_later_a_to_an_earlier_b() {
        let receipts = [(1, 2), (1, 3)];
        let diffs = between(&receipts, 2, 2, 1, BlameLimits::default());
        assert_eq!(diffs[0].changes.len(), 1);
        assert!(diffs.iter().all(|diff| diff.field_blame.is_empty()));
    }

    /// Consumers read every receipt as half its quantity, as if its schema had evolved.
    struct Halved;

    impl crate::envelope::Upcasting<ShopEvent> for Halved {
        fn read(&self, event: &Recorded<ShopEvent>) -> Option<Recorded<ShopEvent>> {
            let ShopEvent::StockReceived { sku, quantity } = event.event else {
                return None;
            };
            let mut upcast = event.clone();
            upcast.event = ShopEvent::StockReceived {
                sku,
                quantity: quantity / 2,
            };
            Some(upcast)
        }
    }

    #[test]
    fn it_should_blame_events_as_consumers_read_them_after_an_upcast() {
        // Recorded as 4 then 5: read as 2 and 2, so the second receipt changed nothing.
        let (store, mut history) = log(&[(1, 4), (1, 5)], 100);
        history.set_upcasting(Some(std::sync::Arc::new(Halved)), &store);
        let diffs = diff_between(
            &history,
            &store,
            Position(0),
            Position(2),
            BlameLimits::default(),
        );
        assert_eq!(field(&diffs, "SKU-01", "Last"), Some(AT(1)));
        assert_eq!(field(&diffs, "SKU-01", "Parity"), Some(AT(1)));
    }

    #[test]
    fn it_should_list_the_same_changes_as_the_plain_diff() {
        let receipts = [(1, 2), (2, 1), (1, 0), (3, 4), (2, 6)];
        let (store, history) = log(&receipts, 2);
        let plain = diff(
            &history.state_at(&store, Position(1)),
            &history.state_at(&store, Position(5)),
        );
        let blamed = diff_between(
            &history,
            &store,
            Position(1),
            Position(5),
            BlameLimits::default(),
        );
        for (plain, blamed) in plain.iter().zip(&blamed) {
            assert_eq!(plain.changes, blamed.changes);
            assert_eq!(plain.blame, blamed.blame);
            assert!(plain.field_blame.is_empty());
        }
    }
}
