//! Temporal queries over the read models: what changed between two moments (with blame: the
//! event that last touched each changed row), and "when did this first become that?", answered
//! by bisection where the answer can only flip once and by a scan where it cannot.

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

/// How one read model differs between A and B.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelDiff {
    pub model: &'static str,
    pub changes: Vec<RowChange>,
    /// For each changed or added row: the event that last changed it at B (the blame).
    pub blame: FxHashMap<String, Position>,
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

fn blame_of(row: &Row) -> Option<Position> {
    row.cells.iter().rev().find_map(|cell| match cell {
        Cell::Event(position) => Some(*position),
        _ => None,
    })
}

fn diff_model<E: DomainEvent>(a: &dyn ReadModel<E>, b: &dyn ReadModel<E>) -> ModelDiff {
    let columns = b.columns();
    let before: FxHashMap<String, Row> = a
        .rows(0..a.row_count())
        .into_iter()
        .map(|r| (r.key.clone(), r))
        .collect();
    let after = b.rows(0..b.row_count());
    let mut changes = Vec::new();
    let mut blame = FxHashMap::default();
    let mut seen: FxHashMap<&str, ()> = FxHashMap::default();
    for row in &after {
        seen.insert(row.key.as_str(), ());
        match before.get(&row.key) {
            None => {
                if let Some(position) = blame_of(row) {
                    blame.insert(row.key.clone(), position);
                }
                changes.push(RowChange::Added(row.clone()));
            }
            Some(old) if old.cells != row.cells => {
                let fields: Vec<FieldChange> = columns
                    .iter()
                    .zip(old.cells.iter().zip(&row.cells))
                    .filter(|(_, (x, y))| x != y && !matches!(y, Cell::Event(_)))
                    .map(|(column, (x, y))| FieldChange {
                        column,
                        before: x.clone(),
                        after: y.clone(),
                    })
                    .collect();
                if fields.is_empty() {
                    continue;
                }
                if let Some(position) = blame_of(row) {
                    blame.insert(row.key.clone(), position);
                }
                changes.push(RowChange::Changed {
                    key: row.key.clone(),
                    fields,
                });
            }
            Some(_) => {}
        }
    }
    for (key, row) in before {
        if !seen.contains_key(key.as_str()) {
            changes.push(RowChange::Removed(row));
        }
    }
    ModelDiff {
        model: b.name(),
        changes,
        blame,
    }
}

/// Every read model's differences between two states of the same models.
pub fn diff<E: DomainEvent>(a: &ReadModelSet<E>, b: &ReadModelSet<E>) -> Vec<ModelDiff> {
    a.iter()
        .zip(b.iter())
        .map(|(before, after)| diff_model(before, after))
        .collect()
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
