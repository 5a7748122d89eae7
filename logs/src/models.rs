//! The read models every log has, whatever its domain: each stream's state (its payloads merged
//! in order, each field blamed on the event that last set it), events per type per minute, and
//! the catalog of its types (an inferred schema, producers, first and last time). Each answers
//! at any cursor from indexes of positions, so a seek costs what the view shows.

use std::cell::OnceCell;
use std::collections::BTreeMap;

use eventide_engine::{Position, Timestamp};
use rustc_hash::FxHashMap;
use serde_json::Value;

use crate::infer::Sketch;
use crate::mapping::MappedEvent;
use crate::store::{LogEvent, LogStore, NameIndex, TooLarge};

/// The field a payload that is not an object is kept under in its stream's state.
pub const WHOLE_PAYLOAD: &str = "value";

const MINUTE_MS: i64 = 60_000;

/// One field of a stream's state, and the event that gave it its value.
#[derive(Clone, Debug, PartialEq)]
pub struct StateField {
    pub name: String,
    pub value: Value,
    pub set_by: Position,
}

/// A stream as of a cursor.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamState {
    pub stream: NameIndex,
    pub version: u32,
    pub last: Position,
    /// By name.
    pub fields: Vec<StateField>,
}

/// The fields of a payload as its stream's state takes them.
fn fields_of(data: Value) -> Vec<(String, Value)> {
    match data {
        Value::Object(object) => object.into_iter().collect(),
        Value::Null => Vec::new(),
        other => vec![(WHOLE_PAYLOAD.to_owned(), other)],
    }
}

/// The state of `stream` after the events up to `cursor`, or `None` before it begins.
pub fn stream_state(store: &LogStore, stream: NameIndex, cursor: Position) -> Option<StreamState> {
    stream_state_without(store, stream, cursor, &[])
}

/// What if these events had not happened? The state of `stream` after the events up to
/// `cursor` but those in `skipped` (ascending positions), folded again without them; its
/// version and last event are still the real ones, so the two read side by side.
pub fn stream_state_without(
    store: &LogStore,
    stream: NameIndex,
    cursor: Position,
    skipped: &[Position],
) -> Option<StreamState> {
    let events = store.stream_events(stream);
    let version = LogStore::count_at(events, cursor);
    let last = Position(u64::from(*events.get(version.checked_sub(1)?)?));
    let mut fields: BTreeMap<String, (Value, Position)> = BTreeMap::new();
    for &position in &events[..version] {
        let position = Position(u64::from(position));
        if skipped.binary_search(&position).is_ok() {
            continue;
        }
        let Some(event) = store.event(position) else {
            continue;
        };
        for (name, value) in fields_of(event.data()) {
            match fields.get_mut(&name) {
                // Setting a field to the value it had changes nothing: the blame stays.
                Some((held, _)) if *held == value => {}
                Some(slot) => *slot = (value, position),
                None => {
                    fields.insert(name, (value, position));
                }
            }
        }
    }
    Some(StreamState {
        stream,
        version: version as u32,
        last,
        fields: fields
            .into_iter()
            .map(|(name, (value, set_by))| StateField {
                name,
                value,
                set_by,
            })
            .collect(),
    })
}

/// A stream's field that differs between two cursors, and the last event between them that
/// changed it.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDiff {
    pub name: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub blame: Position,
}

/// A stream that differs between two cursors.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamDiff {
    pub stream: NameIndex,
    /// Whether it began between the two cursors.
    pub added: bool,
    pub fields: Vec<FieldDiff>,
}

/// The streams with events in (from, to], in order of their first event there.
pub fn streams_between(store: &LogStore, from: Position, to: Position) -> Vec<NameIndex> {
    let mut seen = vec![false; store.streams().len()];
    let mut streams = Vec::new();
    let mut position = from.next();
    while position <= to {
        if let Some(stream) = store.event(position).and_then(|event| event.stream_index()) {
            if !std::mem::replace(&mut seen[stream as usize], true) {
                streams.push(stream);
            }
        }
        position = position.next();
    }
    streams
}

/// How `stream` differs between `from` and `to` (from before to), each changed field blamed on
/// the last event in (from, to] after which its value differed from just before it.
pub fn stream_diff(
    store: &LogStore,
    stream: NameIndex,
    from: Position,
    to: Position,
) -> Option<StreamDiff> {
    let before = stream_state(store, stream, from);
    let after = stream_state(store, stream, to)?;
    let held = |state: &Option<StreamState>, name: &str| {
        state.as_ref().and_then(|state| {
            state
                .fields
                .iter()
                .find(|field| field.name == name)
                .map(|field| field.value.clone())
        })
    };
    let mut fields: Vec<FieldDiff> = after
        .fields
        .iter()
        .filter_map(|field| {
            let was = held(&before, &field.name);
            (was.as_ref() != Some(&field.value)).then(|| FieldDiff {
                name: field.name.clone(),
                before: was,
                after: Some(field.value.clone()),
                // The event that last set it is in (from, to]: it differs from before.
                blame: field.set_by,
            })
        })
        .collect();
    fields.sort_by(|a, b| a.name.cmp(&b.name));
    let added = before.is_none();
    (added || !fields.is_empty()).then_some(StreamDiff {
        stream,
        added,
        fields,
    })
}

/// Events of one type in one minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MinuteRow {
    /// The minute's first millisecond; `None` for events with no time.
    pub minute: Option<Timestamp>,
    pub kind: NameIndex,
    pub count: usize,
}

/// Events per type per minute, as a read model: a row per (minute, type) met, numbered in
/// order of first appearance and known by its first event (which gives its minute and type),
/// with its count, and each event's row; so the counts as of any cursor are the full counts
/// less the events after it. Rows are put in the order they are shown (latest minute first,
/// types by name) once, when first asked.
#[derive(Clone, Debug, Default)]
pub struct TypeMinutes {
    first: Vec<u32>,
    count: Vec<u32>,
    row_of: Vec<u32>,
    /// Finding a row while the log is read; let go by [`TypeMinutes::settle`], and built
    /// again from the rows if the log grows after that.
    index: Option<FxHashMap<MinuteKey, u32>>,
    shown: OnceCell<Vec<u32>>,
}

/// A minute from the epoch (`None` for an event with no time) and a type.
type MinuteKey = (Option<i64>, NameIndex);

fn minute_key(event: &LogEvent<'_>) -> MinuteKey {
    (
        event.time().map(|time| time.millis().div_euclid(MINUTE_MS)),
        event.kind_index(),
    )
}

impl TypeMinutes {
    fn add(&mut self, store: &LogStore, position: Position) {
        let Some(event) = store.event(position) else {
            return;
        };
        let first = &self.first;
        let index = self.index.get_or_insert_with(|| {
            first
                .iter()
                .enumerate()
                .filter_map(|(row, &first)| {
                    let first = store.event(Position(u64::from(first)))?;
                    Some((minute_key(&first), row as u32))
                })
                .collect()
        });
        let row = *index.entry(minute_key(&event)).or_insert_with(|| {
            self.first.push(position.0 as u32);
            self.count.push(0);
            (self.first.len() - 1) as u32
        });
        self.count[row as usize] += 1;
        self.row_of.push(row);
        self.shown = OnceCell::new();
    }

    /// Lets go of what only reading needed.
    fn settle(&mut self) {
        self.index = None;
        self.first.shrink_to_fit();
        self.count.shrink_to_fit();
        self.row_of.shrink_to_fit();
    }

    fn key(&self, store: &LogStore, row: u32) -> Option<MinuteKey> {
        let first = *self.first.get(row as usize)?;
        store
            .event(Position(u64::from(first)))
            .map(|event| minute_key(&event))
    }

    /// The rows as of `cursor`, latest minute first, types by name within a minute.
    pub fn at(&self, store: &LogStore, cursor: Position) -> Vec<MinuteRow> {
        let cursor = cursor.0.min(self.row_of.len() as u64) as usize;
        let begun = self
            .first
            .partition_point(|&first| first as usize <= cursor);
        let mut counts: Vec<u32> = self.count[..begun].to_vec();
        for &row in &self.row_of[cursor..] {
            if let Some(count) = counts.get_mut(row as usize) {
                *count -= 1;
            }
        }
        let shown = self.shown.get_or_init(|| {
            let mut order: Vec<(MinuteKey, u32)> = (0..self.first.len() as u32)
                .filter_map(|row| Some((self.key(store, row)?, row)))
                .collect();
            order.sort_by(|((a_minute, a_kind), _), ((b_minute, b_kind), _)| {
                b_minute
                    .cmp(a_minute)
                    .then_with(|| store.kinds().name(*a_kind).cmp(store.kinds().name(*b_kind)))
            });
            order.into_iter().map(|(_, row)| row).collect()
        });
        shown
            .iter()
            .filter_map(|&row| {
                let count = *counts.get(row as usize)?;
                let (minute, kind) = self.key(store, row)?;
                (count > 0).then(|| MinuteRow {
                    minute: minute.map(|minute| Timestamp::from_millis(minute * MINUTE_MS)),
                    kind,
                    count: count as usize,
                })
            })
            .collect()
    }

    fn heap_bytes(&self) -> usize {
        let index = self.index.as_ref().map_or(0, |index| index.capacity() * 33);
        (self.first.capacity() + self.count.capacity() + self.row_of.capacity()) * 4
            + index
            + self.shown.get().map_or(0, |shown| shown.capacity() * 4)
    }
}

#[derive(Clone, Debug, Default)]
pub struct TypeEntry {
    pub schema: Sketch,
    pub producers: Vec<NameIndex>,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
}

/// A user's log and the models every log has, built event by event as it is read.
#[derive(Clone, Debug, Default)]
pub struct OpenLog {
    store: LogStore,
    minutes: TypeMinutes,
    catalog: Vec<TypeEntry>,
}

impl OpenLog {
    pub fn new() -> OpenLog {
        OpenLog::default()
    }

    pub fn push(&mut self, event: &MappedEvent) -> Result<Position, TooLarge> {
        let position = self.store.push(event)?;
        let Some(recorded) = self.store.event(position) else {
            return Ok(position);
        };
        self.minutes.add(&self.store, position);
        let kind = recorded.kind_index() as usize;
        if kind == self.catalog.len() {
            self.catalog.push(TypeEntry::default());
        }
        let entry = &mut self.catalog[kind];
        entry.schema.add(&event.data);
        if let Some(producer) = recorded.producer_index() {
            if !entry.producers.contains(&producer) {
                entry.producers.push(producer);
            }
        }
        if let Some(time) = event.time {
            entry.first = Some(entry.first.map_or(time, |first| first.min(time)));
            entry.last = Some(entry.last.map_or(time, |last| last.max(time)));
        }
        Ok(position)
    }

    pub fn store(&self) -> &LogStore {
        &self.store
    }

    pub fn minutes(&self) -> &TypeMinutes {
        &self.minutes
    }

    /// Each type's entry, by its index.
    pub fn catalog(&self) -> &[TypeEntry] {
        &self.catalog
    }

    /// The heap bytes of the log and its models.
    /// The whole log is read: lets go of what only reading needed (a later push still works).
    pub fn settle(&mut self) {
        self.minutes.settle();
        self.store.settle();
    }
    pub fn heap_bytes(&self) -> usize {
        self.store.heap_bytes() + self.minutes.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Place;
    use serde_json::json;

    fn event(line: u64, stream: &str, data: Value) -> MappedEvent {
        MappedEvent {
            place: Place::Line(line),
            id: Some(format!("e{line}")),
            event_type: if line.is_multiple_of(2) { "b" } else { "a" }.into(),
            stream: Some(stream.into()),
            time: Some(Timestamp::from_millis(line as i64 * 20_000)),
            correlation: None,
            causation: None,
            producer: Some("/p".into()),
            data,
        }
    }

    fn log(events: &[MappedEvent]) -> OpenLog {
        let mut log = OpenLog::new();
        for event in events {
            log.push(event).unwrap();
        }
        log
    }

    #[test]
    fn it_should_merge_a_streams_payloads_and_blame_each_field_on_who_changed_it() {
        let log = log(&[
            event(1, "s", json!({"title": "Dune", "state": "in"})),
            event(2, "t", json!({"other": 1})),
            event(3, "s", json!({"state": "out", "title": "Dune"})),
            event(4, "s", json!(7)),
        ]);
        let state = stream_state(log.store(), 0, Position(3)).unwrap();
        assert_eq!(state.version, 2);
        let fields: Vec<(&str, &Value, u64)> = state
            .fields
            .iter()
            .map(|field| (field.name.as_str(), &field.value, field.set_by.0))
            .collect();
        assert_eq!(
            fields,
            [("state", &json!("out"), 3), ("title", &json!("Dune"), 1)],
            "the same title again is no change"
        );
        let whole = stream_state(log.store(), 0, Position(4)).unwrap();
        assert!(whole
            .fields
            .iter()
            .any(|field| field.name == WHOLE_PAYLOAD && field.value == json!(7)));
        assert!(stream_state(log.store(), 1, Position(1)).is_none());
    }

    #[test]
    fn it_should_diff_a_stream_between_two_cursors_with_blame() {
        let log = log(&[
            event(1, "s", json!({"state": "in", "n": 1})),
            event(2, "s", json!({"state": "out"})),
            event(3, "s", json!({"state": "in"})),
            event(4, "t", json!({"x": 1})),
        ]);
        let store = log.store();
        assert_eq!(streams_between(store, Position(1), Position(4)), [0, 1]);
        // Out and back in: no difference.
        assert_eq!(stream_diff(store, 0, Position(1), Position(3)), None);
        let diff = stream_diff(store, 0, Position(1), Position(2)).unwrap();
        assert_eq!(diff.fields.len(), 1);
        assert_eq!(diff.fields[0].blame, Position(2));
        assert_eq!(diff.fields[0].before, Some(json!("in")));
        let added = stream_diff(store, 1, Position(3), Position(4)).unwrap();
        assert!(added.added);
    }

    #[test]
    fn it_should_count_types_per_minute_as_of_a_cursor() {
        let log = log(&[
            event(1, "s", json!({})),
            event(2, "s", json!({})),
            event(3, "s", json!({})),
            event(4, "s", json!({})),
        ]);
        // Lines 1-2 at 20 s and 40 s (minute 0), 3-4 at 60 s and 80 s (minute 1).
        let rows = log.minutes().at(log.store(), Position(3));
        let shown: Vec<(i64, &str, usize)> = rows
            .iter()
            .map(|row| {
                (
                    row.minute.unwrap().millis(),
                    log.store().kinds().name(row.kind),
                    row.count,
                )
            })
            .collect();
        assert_eq!(shown, [(60_000, "a", 1), (0, "a", 1), (0, "b", 1)]);
        assert_eq!(log.catalog()[0].producers.len(), 1);
    }

    #[test]
    fn it_should_count_per_minute_as_a_plain_tally_does_when_times_run_backwards() {
        let times = [5, 70, 65, 200, 10, 130, 70, 71, 300, 0];
        let events: Vec<MappedEvent> = times
            .iter()
            .enumerate()
            .map(|(index, &seconds)| MappedEvent {
                time: (seconds != 0).then(|| Timestamp::from_millis(seconds * 1_000)),
                ..event(index as u64 + 1, "s", json!({}))
            })
            .collect();
        let mut log = log(&events[..6]);
        // Settled part way, then read on: the rows are found again.
        log.settle();
        for event in &events[6..] {
            log.push(event).unwrap();
        }
        for cursor in 0..=events.len() {
            let mut tally: BTreeMap<(std::cmp::Reverse<Option<i64>>, &str), usize> =
                BTreeMap::new();
            for event in &events[..cursor] {
                let minute = event.time.map(|time| time.millis().div_euclid(MINUTE_MS));
                *tally
                    .entry((std::cmp::Reverse(minute), event.event_type.as_str()))
                    .or_default() += 1;
            }
            let wanted: Vec<(Option<i64>, &str, usize)> = tally
                .into_iter()
                .map(|((minute, kind), count)| (minute.0.map(|m| m * MINUTE_MS), kind, count))
                .collect();
            let shown: Vec<(Option<i64>, &str, usize)> = log
                .minutes()
                .at(log.store(), Position(cursor as u64))
                .iter()
                .map(|row| {
                    (
                        row.minute.map(Timestamp::millis),
                        log.store().kinds().name(row.kind),
                        row.count,
                    )
                })
                .collect();
            assert_eq!(shown, wanted, "as of {cursor}");
        }
    }

    #[test]
    fn it_should_fold_a_stream_again_without_the_events_skipped() {
        let log = log(&[
            event(1, "s", json!({"state": "in", "title": "Dune"})),
            event(2, "s", json!({"state": "out"})),
            event(3, "s", json!({"late": true})),
        ]);
        let store = log.store();
        let real = stream_state(store, 0, Position(3)).unwrap();
        let without = stream_state_without(store, 0, Position(3), &[Position(2)]).unwrap();
        let value = |state: &StreamState, name: &str| {
            state
                .fields
                .iter()
                .find(|field| field.name == name)
                .map(|field| (field.value.clone(), field.set_by))
        };
        assert_eq!(value(&real, "state"), Some((json!("out"), Position(2))));
        assert_eq!(value(&without, "state"), Some((json!("in"), Position(1))));
        assert_eq!((without.version, without.last), (real.version, real.last));
        let bare = stream_state_without(
            store,
            0,
            Position(3),
            &[Position(1), Position(2), Position(3)],
        )
        .unwrap();
        assert!(bare.fields.is_empty(), "every event skipped: nothing set");
    }
}
