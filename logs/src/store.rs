//! A user's log held for exploring: every mapped event in columns. Names that repeat (types,
//! streams, producers, correlation ids) are numbered once, in order of first appearance, and
//! each event holds the numbers; causation is resolved to the position of the event it names;
//! payloads are kept as their compact JSON text, read back only when shown or folded. Indexes
//! by stream, type and flow list positions, so a stream's state or a flow at any point is a
//! binary search and a fold of that stream's events alone.

use std::hash::BuildHasher;

use eventide_engine::{Position, Timestamp};
use rustc_hash::{FxBuildHasher, FxHashMap};
use serde_json::Value;

use crate::mapping::MappedEvent;
use crate::read::Place;

/// A name's number in its column (a type, a stream, a producer, a correlation id).
pub type NameIndex = u32;

const NONE: u32 = u32::MAX;
const UNTIMED: i64 = i64::MIN;

/// Names numbered densely in order of first appearance.
#[derive(Clone, Debug, Default)]
pub struct Names {
    names: Vec<Box<str>>,
    index: FxHashMap<Box<str>, NameIndex>,
}

impl Names {
    fn intern(&mut self, name: &str) -> NameIndex {
        if let Some(&index) = self.index.get(name) {
            return index;
        }
        let index = self.names.len() as NameIndex;
        self.names.push(name.into());
        self.index.insert(name.into(), index);
        index
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn name(&self, index: NameIndex) -> &str {
        self.names.get(index as usize).map_or("", |name| name)
    }

    pub fn find(&self, name: &str) -> Option<NameIndex> {
        self.index.get(name).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (NameIndex, &str)> {
        self.names
            .iter()
            .enumerate()
            .map(|(index, name)| (index as NameIndex, &**name))
    }
}

/// Texts end to end in one string: four bytes an entry beside the text itself.
#[derive(Clone, Debug, Default)]
struct Texts {
    text: String,
    ends: Vec<u32>,
}

impl Texts {
    fn push(&mut self, text: &str) -> Result<(), TooLarge> {
        self.text.push_str(text);
        let end = u32::try_from(self.text.len()).map_err(|_| TooLarge)?;
        self.ends.push(end);
        Ok(())
    }

    fn get(&self, index: usize) -> &str {
        let start = match index {
            0 => 0,
            _ => self.ends.get(index - 1).copied().unwrap_or(0),
        } as usize;
        let end = self.ends.get(index).copied().unwrap_or(0) as usize;
        self.text.get(start..end).unwrap_or("")
    }

    fn bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * 4
    }
}

/// The log holds more text than 4 GiB, more than a browser tab can.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLarge;

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the log is larger than 4 GiB of text, more than one browser tab can hold")
    }
}

impl std::error::Error for TooLarge {}

/// Every event of a user's log, numbered from position 1 in the order of the file.
#[derive(Clone, Debug, Default)]
pub struct LogStore {
    kinds: Names,
    streams: Names,
    producers: Names,
    correlations: Names,
    kind: Vec<NameIndex>,
    stream: Vec<NameIndex>,
    version: Vec<u32>,
    time: Vec<i64>,
    /// The latest time of any event up to each one: never decreasing, so "as of a time" is a
    /// binary search even in a log whose times run backwards here and there.
    latest: Vec<i64>,
    correlation: Vec<NameIndex>,
    producer: Vec<NameIndex>,
    /// The position of the earlier event the causation id names, 0 if none does.
    cause: Vec<u32>,
    place: Vec<u32>,
    lines: bool,
    ids: Texts,
    causations: Texts,
    data: Texts,
    /// An id's hash to the first event that carries it.
    by_id: FxHashMap<u64, u32>,
    stream_events: Vec<Vec<u32>>,
    kind_events: Vec<Vec<u32>>,
    flow_events: Vec<Vec<u32>>,
}

/// One event of a [`LogStore`], read through its columns.
#[derive(Clone, Copy, Debug)]
pub struct LogEvent<'a> {
    store: &'a LogStore,
    index: usize,
}

impl LogStore {
    pub fn new() -> LogStore {
        LogStore::default()
    }

    /// Adds the next event of the file. Its causation is resolved against the events before
    /// it: an id no earlier event carries stays as text, with no cause.
    pub fn push(&mut self, event: &MappedEvent) -> Result<Position, TooLarge> {
        let index = self.kind.len();
        let position = u32::try_from(index + 1).map_err(|_| TooLarge)?;
        let data = serde_json::to_string(&event.data).map_err(|_| TooLarge)?;
        self.data.push(&data)?;
        self.ids.push(event.id.as_deref().unwrap_or(""))?;
        self.causations
            .push(event.causation.as_deref().unwrap_or(""))?;

        let kind = self.kinds.intern(&event.event_type);
        push_to(&mut self.kind_events, kind, position);
        self.kind.push(kind);

        let (stream, version) = match &event.stream {
            Some(name) => {
                let stream = self.streams.intern(name);
                let events = push_to(&mut self.stream_events, stream, position);
                (stream, events as u32)
            }
            None => (NONE, 0),
        };
        self.stream.push(stream);
        self.version.push(version);

        let correlation = match &event.correlation {
            Some(name) => {
                let flow = self.correlations.intern(name);
                push_to(&mut self.flow_events, flow, position);
                flow
            }
            None => NONE,
        };
        self.correlation.push(correlation);
        self.producer.push(
            event
                .producer
                .as_deref()
                .map_or(NONE, |name| self.producers.intern(name)),
        );

        let time = event.time.map_or(UNTIMED, Timestamp::millis);
        let latest = self.latest.last().copied().unwrap_or(UNTIMED).max(time);
        self.time.push(time);
        self.latest.push(latest);

        let cause = event
            .causation
            .as_deref()
            .and_then(|id| self.find_id(id))
            .map_or(0, |cause| cause.0 as u32);
        self.cause.push(cause);
        if let Some(id) = event.id.as_deref() {
            self.by_id.entry(hash(id)).or_insert(position);
        }
        let (place, lines) = match event.place {
            Place::Line(line) => (line, true),
            Place::Item(item) => (item, false),
        };
        self.place.push(u32::try_from(place).unwrap_or(u32::MAX));
        self.lines = lines;
        Ok(Position(u64::from(position)))
    }

    pub fn len(&self) -> usize {
        self.kind.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }

    /// The last position.
    pub fn head(&self) -> Position {
        Position(self.len() as u64)
    }

    pub fn event(&self, position: Position) -> Option<LogEvent<'_>> {
        let index = position.index()?;
        (index < self.len()).then_some(LogEvent { store: self, index })
    }

    pub fn events(&self) -> impl DoubleEndedIterator<Item = LogEvent<'_>> + ExactSizeIterator {
        (0..self.len()).map(move |index| LogEvent { store: self, index })
    }

    pub fn kinds(&self) -> &Names {
        &self.kinds
    }

    pub fn streams(&self) -> &Names {
        &self.streams
    }

    pub fn producers(&self) -> &Names {
        &self.producers
    }

    pub fn correlations(&self) -> &Names {
        &self.correlations
    }

    /// The first event carrying this id.
    pub fn find_id(&self, id: &str) -> Option<Position> {
        let &position = self.by_id.get(&hash(id))?;
        // A 64-bit hash can collide: the id itself decides.
        let index = position as usize - 1;
        (self.ids.get(index) == id).then_some(Position(u64::from(position)))
    }

    /// The positions of a stream's events, in order (a version is its place here, from 1).
    pub fn stream_events(&self, stream: NameIndex) -> &[u32] {
        list(&self.stream_events, stream)
    }

    pub fn kind_events(&self, kind: NameIndex) -> &[u32] {
        list(&self.kind_events, kind)
    }

    pub fn flow_events(&self, correlation: NameIndex) -> &[u32] {
        list(&self.flow_events, correlation)
    }

    /// How many streams have begun by the cursor: streams are numbered as they first appear,
    /// so they are the first this many.
    pub fn streams_at(&self, cursor: Position) -> usize {
        self.stream_events
            .partition_point(|events| u64::from(events[0]) <= cursor.0)
    }

    /// How many of these positions are at or before the cursor.
    pub fn count_at(positions: &[u32], cursor: Position) -> usize {
        positions.partition_point(|&position| u64::from(position) <= cursor.0)
    }

    /// The last position by which no later time has been seen: the log as of `time`.
    pub fn position_at(&self, time: Timestamp) -> Position {
        Position(
            self.latest
                .partition_point(|&latest| latest <= time.millis()) as u64,
        )
    }

    /// The earliest and latest times of the log.
    pub fn time_span(&self) -> Option<(Timestamp, Timestamp)> {
        // The file's first time is not the earliest when its clock runs backwards.
        let first = self
            .time
            .iter()
            .copied()
            .filter(|&time| time != UNTIMED)
            .min()?;
        let last = *self.latest.last()?;
        Some((Timestamp::from_millis(first), Timestamp::from_millis(last)))
    }

    /// The events the event at `position` caused, in order. A cause is linked by id across
    /// the whole log, so its effects may sit in another flow or in none: every later event is
    /// looked at (one u32 compare each).
    pub fn effects_of(&self, position: Position) -> Vec<Position> {
        if self.event(position).is_none() {
            return Vec::new();
        }
        let wanted = position.0 as u32;
        (wanted + 1..=self.len() as u32)
            .filter(|&at| self.cause[at as usize - 1] == wanted)
            .map(|at| Position(u64::from(at)))
            .collect()
    }

    /// The bytes the store holds on the heap, for the memory figure.
    pub fn heap_bytes(&self) -> usize {
        let columns = (self.kind.capacity()
            + self.stream.capacity()
            + self.version.capacity()
            + self.correlation.capacity()
            + self.producer.capacity()
            + self.cause.capacity()
            + self.place.capacity())
            * 4
            + (self.time.capacity() + self.latest.capacity()) * 8;
        let lists = |lists: &Vec<Vec<u32>>| {
            lists.capacity() * std::mem::size_of::<Vec<u32>>()
                + lists.iter().map(|list| list.capacity() * 4).sum::<usize>()
        };
        let names = |names: &Names| {
            names.names.iter().map(|name| name.len() * 2).sum::<usize>()
                + names.names.capacity() * 16
                + names.index.capacity() * 20
        };
        columns
            + self.ids.bytes()
            + self.causations.bytes()
            + self.data.bytes()
            + self.by_id.capacity() * 12
            + lists(&self.stream_events)
            + lists(&self.kind_events)
            + lists(&self.flow_events)
            + names(&self.kinds)
            + names(&self.streams)
            + names(&self.producers)
            + names(&self.correlations)
    }
}

fn push_to(lists: &mut Vec<Vec<u32>>, index: NameIndex, position: u32) -> usize {
    let index = index as usize;
    if index == lists.len() {
        lists.push(Vec::new());
    }
    let list = &mut lists[index];
    list.push(position);
    list.len()
}

fn list(lists: &[Vec<u32>], index: NameIndex) -> &[u32] {
    lists.get(index as usize).map_or(&[], Vec::as_slice)
}

fn hash(id: &str) -> u64 {
    FxBuildHasher.hash_one(id)
}

fn optional(index: NameIndex) -> Option<NameIndex> {
    (index != NONE).then_some(index)
}

fn text(text: &str) -> Option<&str> {
    (!text.is_empty()).then_some(text)
}

impl<'a> LogEvent<'a> {
    pub fn position(&self) -> Position {
        Position::from_index(self.index)
    }

    pub fn kind_index(&self) -> NameIndex {
        self.store.kind[self.index]
    }

    pub fn kind(&self) -> &'a str {
        self.store.kinds.name(self.kind_index())
    }

    pub fn stream_index(&self) -> Option<NameIndex> {
        optional(self.store.stream[self.index])
    }

    pub fn stream(&self) -> Option<&'a str> {
        self.stream_index()
            .map(|stream| self.store.streams.name(stream))
    }

    /// Its place in its stream, from 1; 0 for an event of no stream.
    pub fn version(&self) -> u32 {
        self.store.version[self.index]
    }

    pub fn time(&self) -> Option<Timestamp> {
        let time = self.store.time[self.index];
        (time != UNTIMED).then(|| Timestamp::from_millis(time))
    }

    pub fn id(&self) -> Option<&'a str> {
        text(self.store.ids.get(self.index))
    }

    pub fn correlation_index(&self) -> Option<NameIndex> {
        optional(self.store.correlation[self.index])
    }

    pub fn correlation(&self) -> Option<&'a str> {
        self.correlation_index()
            .map(|flow| self.store.correlations.name(flow))
    }

    /// The causation id as written, whether or not an earlier event carries it.
    pub fn causation(&self) -> Option<&'a str> {
        text(self.store.causations.get(self.index))
    }

    /// The earlier event its causation id names.
    pub fn cause(&self) -> Option<Position> {
        match self.store.cause[self.index] {
            0 => None,
            position => Some(Position(u64::from(position))),
        }
    }

    pub fn producer_index(&self) -> Option<NameIndex> {
        optional(self.store.producer[self.index])
    }

    pub fn producer(&self) -> Option<&'a str> {
        self.producer_index()
            .map(|producer| self.store.producers.name(producer))
    }

    /// Where it was in the file.
    pub fn place(&self) -> Place {
        let place = u64::from(self.store.place[self.index]);
        if self.store.lines {
            Place::Line(place)
        } else {
            Place::Item(place)
        }
    }

    /// The payload as compact JSON text.
    pub fn data_text(&self) -> &'a str {
        self.store.data.get(self.index)
    }

    pub fn data(&self) -> Value {
        serde_json::from_str(self.data_text()).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn mapped(line: u64, kind: &str, stream: Option<&str>, data: Value) -> MappedEvent {
        MappedEvent {
            place: Place::Line(line),
            id: Some(format!("e{line}")),
            event_type: kind.into(),
            stream: stream.map(str::to_owned),
            time: Some(Timestamp::from_millis(line as i64 * 1_000)),
            correlation: None,
            causation: None,
            producer: None,
            data,
        }
    }

    #[test]
    fn it_should_number_streams_and_versions_as_they_appear() {
        let mut store = LogStore::new();
        for (line, stream) in [(1, "a"), (2, "b"), (3, "a"), (4, "c")] {
            store
                .push(&mapped(line, "t", Some(stream), Value::Null))
                .unwrap();
        }
        let versions: Vec<u32> = store.events().map(|event| event.version()).collect();
        assert_eq!(versions, [1, 1, 2, 1]);
        assert_eq!(store.stream_events(0), [1, 3]);
        assert_eq!(store.streams_at(Position(1)), 1);
        assert_eq!(store.streams_at(Position(3)), 2);
        assert_eq!(store.streams_at(Position(4)), 3);
        assert_eq!(store.streams_at(Position::ORIGIN), 0);
    }

    #[test]
    fn it_should_resolve_causation_to_an_earlier_event_only() {
        let mut store = LogStore::new();
        let mut first = mapped(1, "t", None, Value::Null);
        first.causation = Some("e2".into());
        store.push(&first).unwrap();
        let mut second = mapped(2, "t", None, Value::Null);
        second.causation = Some("e1".into());
        store.push(&second).unwrap();
        let first = store.event(Position(1)).unwrap();
        assert_eq!(first.cause(), None, "a cause must come before its effect");
        assert_eq!(first.causation(), Some("e2"));
        assert_eq!(store.event(Position(2)).unwrap().cause(), Some(Position(1)));
        assert_eq!(store.effects_of(Position(1)), [Position(2)]);
    }

    #[test]
    fn it_should_find_effects_in_another_flow() {
        let mut store = LogStore::new();
        let mut cause = mapped(1, "t", None, Value::Null);
        cause.correlation = Some("flow-x".into());
        store.push(&cause).unwrap();
        let mut effect = mapped(2, "t", None, Value::Null);
        effect.correlation = Some("flow-y".into());
        effect.causation = Some("e1".into());
        store.push(&effect).unwrap();
        assert_eq!(store.effects_of(Position(1)), [Position(2)]);
    }

    #[test]
    fn it_should_span_from_the_earliest_time_when_the_clock_runs_backwards() {
        let mut store = LogStore::new();
        for (line, seconds) in [(1, 300), (2, 100), (3, 200)] {
            let mut event = mapped(line, "t", None, Value::Null);
            event.time = Some(Timestamp::from_millis(seconds * 1_000));
            store.push(&event).unwrap();
        }
        let (first, last) = store.time_span().unwrap();
        assert_eq!((first.millis(), last.millis()), (100_000, 300_000));
    }

    #[test]
    fn it_should_read_as_of_a_time_even_when_times_run_backwards() {
        let mut store = LogStore::new();
        for (line, seconds) in [(1, 10), (2, 30), (3, 20), (4, 40)] {
            let mut event = mapped(line, "t", None, Value::Null);
            event.time = Some(Timestamp::from_millis(seconds * 1_000));
            store.push(&event).unwrap();
        }
        assert_eq!(
            store.position_at(Timestamp::from_millis(5_000)),
            Position(0)
        );
        assert_eq!(
            store.position_at(Timestamp::from_millis(25_000)),
            Position(1)
        );
        assert_eq!(
            store.position_at(Timestamp::from_millis(30_000)),
            Position(3)
        );
        assert_eq!(
            store.position_at(Timestamp::from_millis(99_000)),
            Position(4)
        );
    }

    #[test]
    fn it_should_give_back_each_part_as_mapped() {
        let mut store = LogStore::new();
        let mut event = mapped(
            7,
            "book.lent",
            Some("book/B-1"),
            serde_json::json!({"a": 1}),
        );
        event.correlation = Some("flow-1".into());
        event.producer = Some("/desk".into());
        store.push(&event).unwrap();
        let read = store.event(Position(1)).unwrap();
        assert_eq!(read.kind(), "book.lent");
        assert_eq!(read.stream(), Some("book/B-1"));
        assert_eq!(read.id(), Some("e7"));
        assert_eq!(read.correlation(), Some("flow-1"));
        assert_eq!(read.producer(), Some("/desk"));
        assert_eq!(read.place(), Place::Line(7));
        assert_eq!(read.time(), Some(Timestamp::from_millis(7_000)));
        assert_eq!(read.data(), serde_json::json!({"a": 1}));
        assert!(store.event(Position(2)).is_none());
        assert!(store.event(Position::ORIGIN).is_none());
    }
}
