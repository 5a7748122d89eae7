//! Read models (the query side of CQRS): state folded from events, each shaped for one question.
//!
//! A [`Projection`] is a plain value with `apply`; the store never calls it directly. A
//! [`ReadModel`] is the object-safe face the [`crate::history::History`] keeps, so built-in and,
//! later, user-written projections are registered, checkpointed and rendered the same way.
//!
//! Architecture invariant: `apply` reports every row it touches, by the row's typed key, into a
//! [`ChangeSet`]. Field blame and "which rows did this event change" are folds over those
//! change sets; nothing guesses a row from an event's payload. A replay folds through
//! [`Unobserved`], so the report costs it nothing.

use std::any::Any;
use std::fmt::{Debug, Display};
use std::hash::Hash;
use std::ops::Range;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::envelope::{DomainEvent, Named, PayloadReads, Recorded, Upcasting};
use crate::ids::{Position, Timestamp};
use crate::store::LogSlice;

/// One cell of a read model's table, typed so the UI can format and align it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Count(i64),
    /// An amount of money in cents.
    Cents(i64),
    Time(Timestamp),
    /// The position of the event that last changed this row: a link back to the cause.
    Event(Position),
}

/// One row of a read model, keyed so that two states of the same model can be compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub key: String,
    pub cells: Vec<Cell>,
}

/// The value a "when did" query waits for, read once from what the user typed rather than on
/// every probe. It is part of [`Projection::settles`]'s contract, so it lives here; reading it
/// from text and matching a cell are the query's (`temporal/when.rs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wanted {
    /// The field, as text (numbers in digits, times in RFC 3339), equals this, ignoring ASCII
    /// case. Held trimmed.
    Text(String),
    /// The field is a count, an amount in cents or an event position of at least this.
    AtLeast(i64),
}

/// Where [`Projection::apply`] reports the rows it touched: every row it added, changed or
/// removed, by its typed key. Reporting a row that did not change is allowed (it costs a
/// lookup); leaving out one that did is a broken promise, which blame would repeat.
pub trait ChangeSet<K> {
    fn touched(&mut self, key: K);
}

/// The change set of a fold nobody asks about (a replay, a seek): the report compiles away.
#[derive(Clone, Copy, Debug, Default)]
pub struct Unobserved;

impl<K> ChangeSet<K> for Unobserved {
    #[inline(always)]
    fn touched(&mut self, _key: K) {}
}

/// The keys in the order reported (a key may come more than once).
impl<K> ChangeSet<K> for Vec<K> {
    #[inline]
    fn touched(&mut self, key: K) {
        self.push(key);
    }
}

/// The key type of a model that has no rows (a counter behind a header, a test's probe): it
/// has no values, so such a model cannot report a row it touched, and has none to report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NoRows {}

impl Display for NoRows {
    fn fmt(&self, _f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {}
    }
}

/// What a watched row's refresh found ([`Projection::refresh`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refreshed {
    /// The row is gone.
    Gone,
    /// These columns changed (none, if the event changed nothing the row shows).
    Columns(ColumnSet),
}

/// A set of a row's columns, by index: bit `c` for column `c`, the last bit for it and every
/// column after it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ColumnSet(u64);

impl ColumnSet {
    pub const EMPTY: ColumnSet = ColumnSet(0);

    fn bit(column: usize) -> u64 {
        1 << column.min(63)
    }

    pub fn with(self, column: usize) -> ColumnSet {
        ColumnSet(self.0 | Self::bit(column))
    }

    pub fn contains(self, column: usize) -> bool {
        self.0 & Self::bit(column) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Writes `value` into `cell` (column `column` of a row), counting the column as changed
    /// if it differs: how a model's [`Projection::refresh`] brings a row up to date.
    pub fn write(&mut self, column: usize, cell: &mut Cell, value: Cell) {
        if *cell != value {
            *cell = value;
            *self = self.with(column);
        }
    }
}

/// What changed between two readings of a row, in every cell but `Event` cells: `None` when
/// nothing did.
pub fn changed_columns(before: Option<&Row>, after: Option<&Row>) -> Option<Refreshed> {
    match (before, after) {
        (None, None) => None,
        (Some(_), None) => Some(Refreshed::Gone),
        (None, Some(after)) => Some(Refreshed::Columns(
            (0..after.cells.len()).fold(ColumnSet::EMPTY, ColumnSet::with),
        )),
        (Some(before), Some(after)) => {
            let width = before.cells.len().max(after.cells.len());
            let changed = (0..width)
                .filter(|&column| {
                    let (old, new) = (before.cells.get(column), after.cells.get(column));
                    !matches!((old, new), (Some(Cell::Event(_)), Some(Cell::Event(_))))
                        && old != new
                })
                .fold(ColumnSet::EMPTY, ColumnSet::with);
            (!changed.is_empty()).then_some(Refreshed::Columns(changed))
        }
    }
}

/// How one row differs between two states of a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowDifference {
    Added,
    Removed,
    /// A cell other than an `Event` cell differs.
    Changed,
}

/// One row of a diff's page: how it differs, and the row at each end (`None` where it does
/// not exist).
#[derive(Clone, Debug, PartialEq)]
pub struct DifferingRow {
    pub difference: RowDifference,
    pub before: Option<Row>,
    pub after: Option<Row>,
}

/// A model's differences between two states, counted in full, with the first rows built.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiffPage {
    /// Added, removed and changed rows, in all.
    pub counts: (usize, usize, usize),
    /// The first differing rows, in the order a diff lists them.
    pub rows: Vec<DifferingRow>,
}

impl DiffPage {
    /// Added, removed and changed, counted.
    pub fn tally(differences: impl IntoIterator<Item = RowDifference>) -> (usize, usize, usize) {
        differences
            .into_iter()
            .fold(
                (0, 0, 0),
                |(added, removed, changed), difference| match difference {
                    RowDifference::Added => (added + 1, removed, changed),
                    RowDifference::Removed => (added, removed + 1, changed),
                    RowDifference::Changed => (added, removed, changed + 1),
                },
            )
    }
}

/// [`Projection::differences`] for a model kept in a dense vector that only grows at its end
/// and lists its rows newest (highest index) first: the two states side by side, index by
/// index, then the rows only `earlier` has. `earlier(i)` and `now(i)` give the key at index `i`
/// and what its row shows but its `Event` cells (`None`: no row there). Two keys at one index
/// mean `earlier` is no earlier state of this one: `None`, and the diff goes row by row.
pub fn differences_by_index<K: PartialEq, S: PartialEq>(
    len: usize,
    earlier: impl Fn(usize) -> Option<(K, S)>,
    now: impl Fn(usize) -> Option<(K, S)>,
) -> Option<Vec<(K, RowDifference)>> {
    let (mut differences, mut gone) = (Vec::new(), Vec::new());
    for index in (0..len).rev() {
        match (earlier(index), now(index)) {
            (None, Some((key, _))) => differences.push((key, RowDifference::Added)),
            (Some((key, _)), None) => gone.push((key, RowDifference::Removed)),
            (Some((then, _)), Some((key, _))) if then != key => return None,
            (Some((_, then)), Some((key, shown))) if then != shown => {
                differences.push((key, RowDifference::Changed))
            }
            _ => {}
        }
    }
    differences.extend(gone);
    Some(differences)
}

/// A fold of events into a query-shaped state.
pub trait Projection<E: DomainEvent>: Clone + Default + PartialEq + 'static {
    /// Shown as the read model's title; also its identity among the registered models.
    const NAME: &'static str;
    /// What question this read model answers, in a sentence.
    const QUESTION: &'static str;
    const COLUMNS: &'static [&'static str];
    /// The event types this read model folds: it is one of their consumers in the catalog.
    const CONSUMES: &'static [E::Kind];
    /// The payload fields `apply` reads, per type in `CONSUMES` (an empty list when it only
    /// counts events of the type): whom a schema change breaks is derived from this.
    const READS: PayloadReads<E::Kind>;
    /// Whether `apply` must see every event, not only those of `CONSUMES`: a model that reads
    /// an envelope field of all of them (their time, say) says so. A set hands each model only
    /// the events it folds, so a replay skips every model an event means nothing to.
    const FOLDS_EVERY_TYPE: bool = false;

    /// A row's identity, typed. Its `Display` is the row's [`Row::key`].
    type Key: Clone + Eq + Hash + Debug + Display + 'static;

    /// Folds one event (one of `CONSUMES`, or any with `FOLDS_EVERY_TYPE`), reporting into
    /// `changes` the key of every row it added, changed or removed.
    fn apply(&mut self, event: &Recorded<E>, changes: &mut impl ChangeSet<Self::Key>);

    fn row_count(&self) -> usize;

    /// Rows in the model's natural order (newest first where that is what people look at).
    fn rows(&self, range: Range<usize>) -> Vec<Row>;

    /// Heap bytes this state holds that `earlier` (a checkpoint of it) does not share.
    fn unshared_bytes(&self, earlier: &Self) -> usize;

    /// The row with this key, if there is one. Models with an index override the scan.
    fn row(&self, key: &str) -> Option<Row> {
        self.rows(0..self.row_count())
            .into_iter()
            .find(|row| row.key == key)
    }

    /// The row with this typed key: what a fold that watches rows reads after each touch.
    /// Models with an index override it; by default it is [`Projection::row`] by the key's text.
    fn row_by_key(&self, key: &Self::Key) -> Option<Row> {
        self.row(&key.to_string())
    }

    /// Whether "`column` equals (or reaches) `wanted`", once true, stays true for every row:
    /// what lets a "when did" query bisect instead of scan. `column` is spelled as in `COLUMNS`.
    fn settles(&self, _column: &str, _wanted: &Wanted) -> bool {
        false
    }

    /// The typed key a row's key text spells, for models that can read it back (it must give
    /// back every key from its text: `parse_key(&key.to_string()) == Some(key)`): a fold that
    /// watches rows then never writes out the keys it is not watching.
    fn parse_key(_text: &str) -> Option<Self::Key> {
        None
    }

    /// Brings `row` (this key's row, read from this model earlier) up to date in place from
    /// the model's typed state, without building the row again, and says what changed in
    /// every cell but its `Event` cells; `None` (the default): the row is built and compared.
    /// A fold that watches rows asks after every event that touched one.
    fn refresh(&self, _key: &Self::Key, _row: &mut Row) -> Option<Refreshed> {
        None
    }

    /// Every row that differs between `earlier` (an earlier state of the same log) and this
    /// state, by key, in the order a diff lists them: this state's rows in row order, then the
    /// rows only `earlier` has, in its row order. A row differs when a cell other than an
    /// `Event` cell does. `None` (the default): the diff builds and compares every row. A
    /// model that can tell from its own state answers here, so a diff costs the rows it
    /// shows, not the rows the model holds; `temporal::diff_by_rows` is what it must agree with.
    fn differences(&self, _earlier: &Self) -> Option<Vec<(Self::Key, RowDifference)>> {
        None
    }
}

/// The object-safe side of a projection, as the history stores it.
pub trait ReadModel<E: DomainEvent>: Any {
    fn name(&self) -> &'static str;
    fn question(&self) -> &'static str;
    fn consumes(&self) -> &'static [E::Kind];
    fn reads(&self) -> PayloadReads<E::Kind>;
    fn columns(&self) -> &'static [&'static str];
    /// Whether `apply` wants events of this type (see [`Projection::FOLDS_EVERY_TYPE`]).
    fn folds(&self, kind: E::Kind) -> bool;
    /// Folds one event, telling no one what it touched (a replay).
    fn apply(&mut self, event: &Recorded<E>);
    /// Folds one event and returns the keys (as [`Row::key`] spells them) of the rows it
    /// touched, each once, in the order first reported.
    fn apply_listing(&mut self, event: &Recorded<E>) -> Vec<String>;
    /// Folds `events` (those of the types it folds, each read through `upcasting`), and after
    /// each one that touched a row of `keys` and changed it (added, removed, or a cell other
    /// than an `Event` cell) calls `seen` with that key's index, the event's position and what
    /// changed. Keys are compared typed: each
    /// distinct key the model reports is written out once, not once per event.
    fn fold_watching(
        &mut self,
        events: LogSlice<'_, Recorded<E>>,
        upcasting: Option<&SharedUpcasting<E>>,
        keys: &[String],
        seen: &mut dyn FnMut(usize, Position, Refreshed),
    );
    fn row_count(&self) -> usize;
    fn rows(&self, range: Range<usize>) -> Vec<Row>;
    fn clone_boxed(&self) -> Box<dyn ReadModel<E>>;
    /// The same model, empty: the start of a rebuild.
    fn empty(&self) -> Box<dyn ReadModel<E>>;
    fn same_state(&self, other: &dyn ReadModel<E>) -> bool;
    fn unshared_bytes(&self, earlier: &dyn ReadModel<E>) -> usize;
    fn as_any(&self) -> &dyn Any;
    fn row(&self, key: &str) -> Option<Row>;
    fn settles(&self, column: &str, wanted: &Wanted) -> bool;
    /// The differences from `earlier` (the same model, earlier in the log) counted, with the
    /// first `page` rows built, if the model can tell them without building every row
    /// ([`Projection::differences`]).
    fn diff_page(&self, earlier: &dyn ReadModel<E>, page: usize) -> Option<DiffPage>;
}

impl<E: DomainEvent, P: Projection<E>> ReadModel<E> for P {
    fn name(&self) -> &'static str {
        P::NAME
    }
    fn question(&self) -> &'static str {
        P::QUESTION
    }
    fn consumes(&self) -> &'static [E::Kind] {
        P::CONSUMES
    }
    fn reads(&self) -> PayloadReads<E::Kind> {
        P::READS
    }
    fn columns(&self) -> &'static [&'static str] {
        P::COLUMNS
    }
    fn folds(&self, kind: E::Kind) -> bool {
        P::FOLDS_EVERY_TYPE || P::CONSUMES.contains(&kind)
    }
    fn apply(&mut self, event: &Recorded<E>) {
        Projection::apply(self, event, &mut Unobserved);
    }
    fn apply_listing(&mut self, event: &Recorded<E>) -> Vec<String> {
        let mut touched: Vec<P::Key> = Vec::new();
        Projection::apply(self, event, &mut touched);
        let mut keys: Vec<String> = Vec::with_capacity(touched.len());
        for key in touched {
            let key = key.to_string();
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys
    }
    fn fold_watching(
        &mut self,
        events: LogSlice<'_, Recorded<E>>,
        upcasting: Option<&SharedUpcasting<E>>,
        keys: &[String],
        seen: &mut dyn FnMut(usize, Position, Refreshed),
    ) {
        fold_watching(self, events, upcasting, keys, seen);
    }
    fn row_count(&self) -> usize {
        Projection::row_count(self)
    }
    fn rows(&self, range: Range<usize>) -> Vec<Row> {
        Projection::rows(self, range)
    }
    fn clone_boxed(&self) -> Box<dyn ReadModel<E>> {
        Box::new(self.clone())
    }
    fn empty(&self) -> Box<dyn ReadModel<E>> {
        Box::new(P::default())
    }
    fn same_state(&self, other: &dyn ReadModel<E>) -> bool {
        other.as_any().downcast_ref::<P>() == Some(self)
    }
    fn unshared_bytes(&self, earlier: &dyn ReadModel<E>) -> usize {
        match earlier.as_any().downcast_ref::<P>() {
            Some(earlier) => Projection::unshared_bytes(self, earlier),
            None => Projection::unshared_bytes(self, &P::default()),
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn row(&self, key: &str) -> Option<Row> {
        Projection::row(self, key)
    }
    fn settles(&self, column: &str, wanted: &Wanted) -> bool {
        Projection::settles(self, column, wanted)
    }
    fn diff_page(&self, earlier: &dyn ReadModel<E>, page: usize) -> Option<DiffPage> {
        let earlier = earlier.as_any().downcast_ref::<P>()?;
        let differences = Projection::differences(self, earlier)?;
        let counts = DiffPage::tally(differences.iter().map(|(_, difference)| *difference));
        let rows = differences
            .iter()
            .take(page)
            .map(|(key, difference)| DifferingRow {
                difference: *difference,
                before: match difference {
                    RowDifference::Added => None,
                    _ => earlier.row_by_key(key),
                },
                after: match difference {
                    RowDifference::Removed => None,
                    _ => self.row_by_key(key),
                },
            })
            .collect();
        Some(DiffPage { counts, rows })
    }
}

/// [`ReadModel::fold_watching`] for one projection, with its keys typed.
fn fold_watching<E: DomainEvent, P: Projection<E>>(
    model: &mut P,
    events: LogSlice<'_, Recorded<E>>,
    upcasting: Option<&SharedUpcasting<E>>,
    keys: &[String],
    seen: &mut dyn FnMut(usize, Position, Refreshed),
) {
    let by_text: FxHashMap<&str, usize> = (0..).zip(keys).map(|(i, k)| (k.as_str(), i)).collect();
    // Every key the model reported so far, with its index in `keys` if it is watched. When
    // the model reads its keys back, only the watched ones are known and no key is written
    // out: any other is not watched.
    let parsed: Option<FxHashMap<P::Key, Option<usize>>> = (0..)
        .zip(keys)
        .map(|(index, text)| P::parse_key(text).map(|key| (key, Some(index))))
        .collect();
    let every_key_parsed = parsed.is_some();
    let mut known: FxHashMap<P::Key, Option<usize>> = parsed.unwrap_or_default();
    let mut touched: Vec<P::Key> = Vec::new();
    let mut watched: Vec<(usize, P::Key)> = Vec::new();
    // Each watched row as `seen` was last told of it.
    let mut current: Vec<Option<Row>> =
        keys.iter().map(|key| Projection::row(model, key)).collect();
    let folds: Vec<bool> = E::Kind::ALL
        .iter()
        .map(|kind| P::FOLDS_EVERY_TYPE || P::CONSUMES.contains(kind))
        .collect();
    let evolves: Vec<bool> = E::Kind::ALL
        .iter()
        .map(|&kind| upcasting.is_some_and(|upcasting| upcasting.evolves(kind)))
        .collect();
    for event in events {
        let kind = event.kind().index();
        if !folds.get(kind).copied().unwrap_or(false) {
            continue;
        }
        // The model reads each event as the whole set would: upcast if its schema evolved.
        let upcast = match upcasting {
            Some(upcasting) if evolves.get(kind).copied().unwrap_or(false) => upcasting.read(event),
            _ => None,
        };
        touched.clear();
        Projection::apply(model, upcast.as_ref().unwrap_or(event), &mut touched);
        watched.clear();
        for key in touched.drain(..) {
            let index = match known.get(&key) {
                Some(index) => *index,
                None if every_key_parsed => None,
                None => {
                    let index = by_text.get(key.to_string().as_str()).copied();
                    known.insert(key.clone(), index);
                    index
                }
            };
            if let Some(index) = index {
                if !watched.iter().any(|(seen, _)| *seen == index) {
                    watched.push((index, key));
                }
            }
        }
        for (index, key) in &watched {
            let Some(last) = current.get_mut(*index) else {
                continue;
            };
            let refreshed = match last.as_mut() {
                Some(row) => match model.refresh(key, row) {
                    Some(Refreshed::Gone) => {
                        *last = None;
                        Some(Refreshed::Gone)
                    }
                    Some(Refreshed::Columns(changed)) => {
                        (!changed.is_empty()).then_some(Refreshed::Columns(changed))
                    }
                    None => read_again(model, key, last),
                },
                None => read_again(model, key, last),
            };
            if let Some(refreshed) = refreshed {
                seen(*index, event.position, refreshed);
            }
        }
    }
}

/// A watched row built again and compared with what was last read of it, which it replaces.
fn read_again<E: DomainEvent, P: Projection<E>>(
    model: &P,
    key: &P::Key,
    last: &mut Option<Row>,
) -> Option<Refreshed> {
    let row = model.row_by_key(key);
    let changed = changed_columns(last.as_ref(), row.as_ref());
    *last = row;
    changed
}

/// Every registered read model, folded to the same position.
pub struct ReadModelSet<E: DomainEvent> {
    models: Vec<Box<dyn ReadModel<E>>>,
    /// Which models fold each event type, so an event is handed only to the models it means
    /// something to. Shared by the set's clones (every checkpoint), rebuilt when a model joins.
    routes: Arc<Routes>,
    position: Position,
    /// How the models read events whose schema has evolved since they were recorded.
    upcasting: Option<SharedUpcasting<E>>,
}

/// For each event type (by its dense index), the indexes of the models that fold it: one flat
/// list, cut by `starts` (type `k`'s models are `models[starts[k]..starts[k + 1]]`); and
/// whether its events go through the upcasting on the way (only if the type evolved and some
/// model folds it).
#[derive(Debug, Default)]
struct Routes {
    starts: Box<[u32]>,
    models: Box<[u32]>,
    upcast: Box<[bool]>,
}

impl Routes {
    fn of<E: DomainEvent>(
        models: &[Box<dyn ReadModel<E>>],
        upcasting: Option<&SharedUpcasting<E>>,
    ) -> Routes {
        let mut starts = Vec::with_capacity(E::Kind::ALL.len() + 1);
        let mut folding = Vec::new();
        let mut upcast = Vec::with_capacity(E::Kind::ALL.len());
        starts.push(0);
        for &kind in E::Kind::ALL {
            let before = folding.len();
            folding.extend(
                (0u32..)
                    .zip(models)
                    .filter(|(_, model)| model.folds(kind))
                    .map(|(index, _)| index),
            );
            starts.push(folding.len() as u32);
            upcast.push(
                folding.len() > before
                    && upcasting.is_some_and(|upcasting| upcasting.evolves(kind)),
            );
        }
        Routes {
            starts: starts.into_boxed_slice(),
            models: folding.into_boxed_slice(),
            upcast: upcast.into_boxed_slice(),
        }
    }

    /// Whether events of the type with this index are read through the upcasting.
    fn upcasts(&self, kind: usize) -> bool {
        self.upcast.get(kind).copied().unwrap_or(false)
    }

    /// The models that fold events of the type with this index (none for an unknown index).
    fn models(&self, kind: usize) -> &[u32] {
        let (Some(&start), Some(&end)) = (self.starts.get(kind), self.starts.get(kind + 1)) else {
            return &[];
        };
        self.models.get(start as usize..end as usize).unwrap_or(&[])
    }
}

/// An [`Upcasting`] shared by a set, its checkpoints and every state cloned from them.
pub type SharedUpcasting<E> = Arc<dyn Upcasting<E> + Send + Sync>;

impl<E: DomainEvent> Clone for ReadModelSet<E> {
    fn clone(&self) -> Self {
        ReadModelSet {
            models: self
                .models
                .iter()
                .map(|model| model.clone_boxed())
                .collect(),
            routes: Arc::clone(&self.routes),
            position: self.position,
            upcasting: self.upcasting.clone(),
        }
    }
}

impl<E: DomainEvent> Default for ReadModelSet<E> {
    fn default() -> Self {
        ReadModelSet {
            models: Vec::new(),
            routes: Arc::new(Routes::of::<E>(&[], None)),
            position: Position::ORIGIN,
            upcasting: None,
        }
    }
}

impl<E: DomainEvent> ReadModelSet<E> {
    /// The position of the last event folded in.
    pub fn position(&self) -> Position {
        self.position
    }

    pub fn apply(&mut self, event: &Recorded<E>) {
        debug_assert_eq!(event.position, self.position.next());
        self.fold(event);
        self.position = event.position;
    }

    /// Folds an event out of log order (a business-time view orders by when things happened,
    /// not by when they were recorded). The set's position becomes the highest one folded.
    pub fn apply_unordered(&mut self, event: &Recorded<E>) {
        self.fold(event);
        self.position = self.position.max(event.position);
    }

    /// Every model that folds the event's type reads it as consumers read it now (upcast, if
    /// its schema evolved; a type that never did costs no call).
    fn fold(&mut self, event: &Recorded<E>) {
        let kind = event.kind().index();
        let upcast = self.upcast(event);
        let event = upcast.as_ref().unwrap_or(event);
        for &index in self.routes.models(kind) {
            if let Some(model) = self.models.get_mut(index as usize) {
                model.apply(event);
            }
        }
    }

    /// The event as consumers read it now, if that differs from how it was recorded (a type
    /// that never evolved costs no call).
    fn upcast(&self, event: &Recorded<E>) -> Option<Recorded<E>> {
        if !self.routes.upcasts(event.kind().index()) {
            return None;
        }
        self.upcasting
            .as_ref()
            .and_then(|upcasting| upcasting.read(event))
    }

    /// How events are read from now on; the caller refolds what was already folded.
    pub(crate) fn set_upcasting(&mut self, upcasting: Option<SharedUpcasting<E>>) {
        self.upcasting = upcasting;
        self.routes = Arc::new(Routes::of(&self.models, self.upcasting.as_ref()));
    }

    /// How the models read events: what folding one of them alone must read them through.
    pub(crate) fn upcasting(&self) -> Option<&SharedUpcasting<E>> {
        self.upcasting.as_ref()
    }

    /// Folds the next event, as [`ReadModelSet::apply`] does, and returns for each model the
    /// keys of the rows it touched (see [`ReadModel::apply_listing`]), in the set's order.
    pub fn apply_listing(&mut self, event: &Recorded<E>) -> Vec<Vec<String>> {
        debug_assert_eq!(event.position, self.position.next());
        let kind = event.kind().index();
        let upcast = self.upcast(event);
        let read = upcast.as_ref().unwrap_or(event);
        let mut touched = vec![Vec::new(); self.models.len()];
        for &index in self.routes.models(kind) {
            let index = index as usize;
            if let (Some(model), Some(keys)) = (self.models.get_mut(index), touched.get_mut(index))
            {
                *keys = model.apply_listing(read);
            }
        }
        self.position = event.position;
        touched
    }

    pub fn apply_all<'e>(&mut self, events: impl Into<LogSlice<'e, Recorded<E>>>) {
        for event in events.into() {
            self.apply(event);
        }
    }

    pub(crate) fn push(&mut self, model: Box<dyn ReadModel<E>>) {
        self.models.push(model);
        self.routes = Arc::new(Routes::of(&self.models, self.upcasting.as_ref()));
    }

    /// The same models, empty, at the origin.
    pub fn emptied(&self) -> ReadModelSet<E> {
        ReadModelSet {
            models: self.models.iter().map(|model| model.empty()).collect(),
            routes: Arc::clone(&self.routes),
            position: Position::ORIGIN,
            upcasting: self.upcasting.clone(),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &dyn ReadModel<E>> {
        self.models.iter().map(|model| model.as_ref())
    }

    pub fn by_name(&self, name: &str) -> Option<&dyn ReadModel<E>> {
        self.iter().find(|model| model.name() == name)
    }

    /// A registered model by its concrete type.
    pub fn get<P: Projection<E>>(&self) -> Option<&P> {
        self.iter()
            .find_map(|model| model.as_any().downcast_ref::<P>())
    }

    pub fn same_state(&self, other: &ReadModelSet<E>) -> bool {
        self.position == other.position
            && self.models.len() == other.models.len()
            && self
                .models
                .iter()
                .zip(&other.models)
                .all(|(a, b)| a.same_state(b.as_ref()))
    }

    pub fn unshared_bytes(&self, earlier: Option<&ReadModelSet<E>>) -> usize {
        self.models
            .iter()
            .enumerate()
            .map(
                |(i, model)| match earlier.and_then(|set| set.models.get(i)) {
                    Some(older) => model.unshared_bytes(older.as_ref()),
                    None => model.unshared_bytes(model.empty().as_ref()),
                },
            )
            .sum()
    }
}
