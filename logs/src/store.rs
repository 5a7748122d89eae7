//! A user's log held for exploring: every mapped event in columns. Names that repeat (types,
//! streams, producers, correlation ids) are numbered once, in order of first appearance, and
//! each event holds the numbers; causation is resolved to the position of the event it names
//! (its text kept only when no earlier event carries it); payloads are kept by shape
//! ([`Payloads`]), read back only when shown or folded. Indexes
//! by stream, type and flow list positions, so a stream's state or a flow at any point is a
//! binary search and a fold of that stream's events alone.

use eventide_engine::{Position, Timestamp};
use rustc_hash::FxHashMap;
use serde_json::Value;

use crate::mapping::MappedEvent;
use crate::payloads::{PayloadField, Payloads};
use crate::read::Place;
use crate::texts::{hash, Texts};
pub use crate::texts::{NameIndex, Names, TooLarge};

const NONE: u32 = u32::MAX;
const UNTIMED: i64 = i64::MIN;

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
    /// A causation id no earlier event carries (one that does is that event's id).
    dangling_causations: Texts,
    payloads: Payloads,
    /// An id's hash to the first event that carries it; a hash already taken by another id
    /// moves on by one.
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
        self.payloads.push(&event.data)?;
        self.ids.push(event.id.as_deref().unwrap_or(""))?;

        let kind = self.kinds.intern(&event.event_type)?;
        push_to(&mut self.kind_events, kind, position);
        self.kind.push(kind);

        let (stream, version) = match &event.stream {
            Some(name) => {
                let stream = self.streams.intern(name)?;
                let events = push_to(&mut self.stream_events, stream, position);
                (stream, events as u32)
            }
            None => (NONE, 0),
        };
        self.stream.push(stream);
        self.version.push(version);

        let correlation = match &event.correlation {
            Some(name) => {
                let flow = self.correlations.intern(name)?;
                push_to(&mut self.flow_events, flow, position);
                flow
            }
            None => NONE,
        };
        self.correlation.push(correlation);
        let producer = match event.producer.as_deref() {
            Some(name) => self.producers.intern(name)?,
            None => NONE,
        };
        self.producer.push(producer);

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
        let dangling = match cause {
            0 => event.causation.as_deref().unwrap_or(""),
            _ => "",
        };
        self.dangling_causations.push(dangling)?;
        if let Some(id) = event.id.as_deref() {
            if let (key, None) = self.probe_id(id) {
                self.by_id.insert(key, position);
            }
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
        self.probe_id(id).1
    }

    /// Where `id` is or would go in `by_id`, and its first event if it has one. A 64-bit
    /// hash can collide: the id itself decides.
    fn probe_id(&self, id: &str) -> (u64, Option<Position>) {
        let mut key = hash(id);
        loop {
            match self.by_id.get(&key) {
                None => return (key, None),
                Some(&position) if self.ids.get(position as usize - 1) == id => {
                    return (key, Some(Position(u64::from(position))))
                }
                Some(_) => key = key.wrapping_add(1),
            }
        }
    }

    /// The store's payloads, for a query on their fields.
    pub fn payloads(&self) -> &Payloads {
        &self.payloads
    }

    /// A top-level payload field, ready to be read from every event.
    pub fn payload_field(&self, key: &str) -> PayloadField {
        self.payloads.field(key)
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

    /// Gives back the room the columns grew into while the log was read.
    pub fn settle(&mut self) {
        for column in [
            &mut self.kind,
            &mut self.stream,
            &mut self.version,
            &mut self.correlation,
            &mut self.producer,
            &mut self.cause,
            &mut self.place,
        ] {
            column.shrink_to_fit();
        }
        self.time.shrink_to_fit();
        self.latest.shrink_to_fit();
        self.ids.shrink_to_fit();
        self.dangling_causations.shrink_to_fit();
        self.payloads.shrink_to_fit();
        for lists in [
            &mut self.stream_events,
            &mut self.kind_events,
            &mut self.flow_events,
        ] {
            lists.iter_mut().for_each(Vec::shrink_to_fit);
        }
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
        columns
            + self.ids.bytes()
            + self.dangling_causations.bytes()
            + self.payloads.heap_bytes()
            + self.by_id.capacity() * (8 + 4 + 1)
            + lists(&self.stream_events)
            + lists(&self.kind_events)
            + lists(&self.flow_events)
            + self.kinds.bytes()
            + self.streams.bytes()
            + self.producers.bytes()
            + self.correlations.bytes()
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
        match self.cause() {
            Some(cause) => self.store.event(cause).and_then(|cause| cause.id()),
            None => text(self.store.dangling_causations.get(self.index)),
        }
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
    pub fn data_text(&self) -> String {
        self.store.payloads.text(self.index)
    }

    pub fn data(&self) -> Value {
        self.store.payloads.value(self.index)
    }

    /// The event as it was mapped, again (to be written as an envelope, for scripts).
    pub fn to_mapped(&self) -> MappedEvent {
        MappedEvent {
            place: self.place(),
            id: self.id().map(str::to_owned),
            event_type: self.kind().to_owned(),
            stream: self.stream().map(str::to_owned),
            time: self.time(),
            correlation: self.correlation().map(str::to_owned),
            causation: self.causation().map(str::to_owned),
            producer: self.producer().map(str::to_owned),
            data: self.data(),
        }
    }

    /// The number of its payload's value for `field` (see [`Payloads::values`]), if its
    /// payload has the field.
    pub fn field_value(&self, field: &PayloadField) -> Option<NameIndex> {
        self.store.payloads.value_number(self.index, field)
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
        assert_eq!(
            read.to_mapped(),
            event,
            "mapped again, it is what was pushed"
        );
    }
}
