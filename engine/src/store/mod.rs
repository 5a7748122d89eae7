//! The append-only event store. Positions and stream versions are contiguous; nothing is ever
//! rewritten or deleted. Appends are all or nothing, guarded by optimistic concurrency, and
//! idempotent by event id.
//!
//! Indexes are vectors of zero-based log offsets (`u32`, four bytes an entry), one per stream,
//! event type, aggregate type and correlation id, so every read is a walk over a short list.

mod chunked;
mod error;
mod id_index;
mod sharded;

use std::hash::BuildHasher;

use rustc_hash::FxBuildHasher;

use chunked::ChunkedLog;
pub use chunked::{Iter, LogSlice};
pub use error::{AppendError, ExpectedVersion, VersionConflict};
use id_index::IdIndex;
use sharded::ShardedMap;

use crate::envelope::{DomainEvent, Named, NewEvent, Recorded, StreamKey};
use crate::ids::{CorrelationId, EventId, Position, StreamVersion, Timestamp};

/// Which way a stream is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Forwards,
    Backwards,
}

/// What an append did: the positions it wrote, and how many proposed events were already stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Appended {
    /// The first and last position written, or `None` when every event was a duplicate.
    pub range: Option<(Position, Position)>,
    pub duplicates: usize,
    pub stream_version: StreamVersion,
}

impl Appended {
    pub fn count(&self) -> u64 {
        self.range.map_or(0, |(first, last)| last.0 - first.0 + 1)
    }
}

/// One stream's offsets into the log, in version order (version n is at `offsets[n - 1]`).
#[derive(Clone, Debug, Default)]
struct StreamEntry {
    offsets: Vec<u32>,
}

/// The in-memory event store for one domain.
#[derive(Clone, Debug)]
pub struct EventStore<E: DomainEvent> {
    log: ChunkedLog<Recorded<E>>,
    streams: ShardedMap<E::Stream, StreamEntry>,
    /// The offset of each stream's first event, in log order: how many streams a prefix of the
    /// log holds is a binary search, so a view at the cursor counts them without a scan.
    stream_starts: Vec<u32>,
    by_kind: Vec<Vec<u32>>,
    by_category: Vec<Vec<u32>>,
    by_correlation: ShardedMap<CorrelationId, Vec<u32>>,
    ids: IdIndex,
}

impl<E: DomainEvent> Default for EventStore<E> {
    fn default() -> Self {
        EventStore {
            log: ChunkedLog::default(),
            streams: ShardedMap::default(),
            stream_starts: Vec::new(),
            by_kind: vec![Vec::new(); E::Kind::ALL.len()],
            by_category: vec![Vec::new(); <E::Stream as StreamKey>::Category::ALL.len()],
            by_correlation: ShardedMap::default(),
            ids: IdIndex::default(),
        }
    }
}

/// The log can hold at most `u32::MAX` events: offsets in the indexes are four bytes.
const MAX_EVENTS: u64 = u32::MAX as u64;

impl<E: DomainEvent> EventStore<E> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a batch to one stream: all of it or, on any error, none of it. Events whose id is
    /// already stored are skipped silently (a retried append is not a duplicate); when every
    /// event is such a retry, the expected version is not checked either.
    pub fn append(
        &mut self,
        stream: E::Stream,
        expected: ExpectedVersion,
        events: Vec<NewEvent<E>>,
        recorded_at: Timestamp,
    ) -> Result<Appended, AppendError<E::Stream>> {
        let actual = self.stream_version(stream);
        let total = events.len();
        let fresh = self.without_stored_ids(events);
        let duplicates = total - fresh.len();
        if fresh.is_empty() {
            return Ok(Appended {
                range: None,
                duplicates,
                stream_version: actual,
            });
        }
        if !expected.admits(actual) {
            return Err(AppendError::Conflict(VersionConflict {
                stream,
                expected,
                actual,
            }));
        }
        if let Some(last) = self.log.last() {
            if recorded_at < last.recorded_at {
                return Err(AppendError::TimeWentBackwards {
                    head: last.recorded_at,
                    given: recorded_at,
                });
            }
        }
        if (self.log.len() + fresh.len()) as u64 > MAX_EVENTS {
            return Err(AppendError::LogFull);
        }
        let future = fresh.iter().find_map(|proposed| {
            let at = proposed.occurred_at?;
            (at > recorded_at).then_some((proposed.id, at))
        });
        if let Some((id, occurred_at)) = future {
            return Err(AppendError::OccurredAfterRecorded {
                id,
                occurred_at,
                recorded_at,
            });
        }

        // Nothing below can fail: the batch is committed as a whole.
        let first = self.head().next();
        let mut version = actual;
        for proposed in fresh {
            version = version.next();
            let offset = self.log.len() as u32;
            let recorded = Recorded {
                id: proposed.id,
                position: Position::from_index(self.log.len()),
                stream,
                version,
                schema_version: proposed.schema_version,
                recorded_at,
                occurred_at: proposed.occurred_at.unwrap_or(recorded_at),
                correlation_id: proposed.correlation_id,
                causation_id: proposed.causation_id,
                metadata: proposed.metadata,
                event: proposed.event,
            };
            self.index(offset, &recorded);
            self.log.push(recorded);
        }
        Ok(Appended {
            range: Some((first, self.head())),
            duplicates,
            stream_version: version,
        })
    }

    /// Drops proposed events whose id is stored or repeated earlier in the same batch.
    fn without_stored_ids(&self, events: Vec<NewEvent<E>>) -> Vec<NewEvent<E>> {
        let mut fresh: Vec<NewEvent<E>> = Vec::with_capacity(events.len());
        for event in events {
            let seen_in_batch = fresh.iter().any(|earlier| earlier.id == event.id);
            if !seen_in_batch && !self.contains(event.id) {
                fresh.push(event);
            }
        }
        fresh
    }

    fn index(&mut self, offset: u32, recorded: &Recorded<E>) {
        // FxHash hashes differently on 32-bit targets (wasm32): that moves an offset within
        // the table, never an answer, so no output depends on it (unlike `services::draw`).
        let hash = FxBuildHasher.hash_one(recorded.id);
        let log = &self.log;
        self.ids.insert(hash, offset, |existing| {
            log.get(existing as usize)
                .map_or(0, |event| FxBuildHasher.hash_one(event.id))
        });
        let offsets = &mut self.streams.get_or_default(recorded.stream).offsets;
        if offsets.is_empty() {
            self.stream_starts.push(offset);
        }
        offsets.push(offset);
        self.by_kind[recorded.kind().index()].push(offset);
        self.by_category[recorded.stream.category().index()].push(offset);
        self.by_correlation
            .get_or_default(recorded.correlation_id)
            .push(offset);
    }

    /// The position of the last event, or `Position::ORIGIN` for an empty log.
    pub fn head(&self) -> Position {
        Position(self.log.len() as u64)
    }

    pub fn len(&self) -> usize {
        self.log.len()
    }

    pub fn is_empty(&self) -> bool {
        self.log.len() == 0
    }

    pub fn stream_version(&self, stream: E::Stream) -> StreamVersion {
        self.streams
            .get(&stream)
            .map_or(StreamVersion::NONE, |entry| {
                StreamVersion(entry.offsets.len() as u32)
            })
    }

    pub fn contains(&self, id: EventId) -> bool {
        self.get_by_id(id).is_some()
    }

    pub fn get(&self, position: Position) -> Option<&Recorded<E>> {
        self.log.get(position.index()?)
    }

    pub fn get_by_id(&self, id: EventId) -> Option<&Recorded<E>> {
        let hash = FxBuildHasher.hash_one(id);
        let offset = self.ids.find(hash, |offset| {
            self.log
                .get(offset as usize)
                .is_some_and(|event| event.id == id)
        })?;
        self.log.get(offset as usize)
    }

    /// The whole log, in position order.
    pub fn events(&self) -> LogSlice<'_, Recorded<E>> {
        self.log.slice(0..self.log.len())
    }

    /// The log from `from` (inclusive) to the head.
    pub fn read_all(&self, from: Position) -> LogSlice<'_, Recorded<E>> {
        let start = from.index().unwrap_or(0);
        self.log.slice(start..self.log.len())
    }

    /// The events after the cursor `from` up to and including `to`.
    pub fn between(&self, from: Position, to: Position) -> LogSlice<'_, Recorded<E>> {
        let end = usize::try_from(to.0).unwrap_or(usize::MAX);
        let start = usize::try_from(from.0).unwrap_or(usize::MAX);
        self.log.slice(start..end)
    }

    /// One stream, forwards from version `from` (inclusive) or backwards from it.
    /// `StreamVersion::NONE` means "from the start" forwards and "from the end" backwards.
    pub fn read_stream(
        &self,
        stream: E::Stream,
        from: StreamVersion,
        direction: Direction,
    ) -> Box<dyn Iterator<Item = &Recorded<E>> + '_> {
        let offsets: &[u32] = self
            .streams
            .get(&stream)
            .map_or(&[], |entry| entry.offsets.as_slice());
        let at = (from.0 as usize).saturating_sub(1);
        match direction {
            Direction::Forwards => Box::new(self.resolve(offsets.get(at..).unwrap_or(&[]))),
            Direction::Backwards => {
                let end = if from == StreamVersion::NONE {
                    offsets.len()
                } else {
                    (at + 1).min(offsets.len())
                };
                Box::new(self.resolve(&offsets[..end]).rev())
            }
        }
    }

    pub fn read_by_kind(&self, kind: E::Kind) -> impl DoubleEndedIterator<Item = &Recorded<E>> {
        self.resolve(&self.by_kind[kind.index()])
    }

    pub fn read_by_category(
        &self,
        category: <E::Stream as StreamKey>::Category,
    ) -> impl DoubleEndedIterator<Item = &Recorded<E>> {
        self.resolve(&self.by_category[category.index()])
    }

    pub fn read_by_correlation(
        &self,
        correlation: CorrelationId,
    ) -> impl DoubleEndedIterator<Item = &Recorded<E>> {
        let offsets: &[u32] = self
            .by_correlation
            .get(&correlation)
            .map_or(&[], Vec::as_slice);
        self.resolve(offsets)
    }

    pub fn count_by_kind(&self, kind: E::Kind) -> usize {
        self.by_kind[kind.index()].len()
    }

    /// How many distinct streams (aggregate instances) the log holds.
    pub fn stream_count(&self) -> usize {
        self.streams.len()
    }

    /// How many distinct streams the log held at `cursor` (after its first `cursor` events).
    pub fn stream_count_at(&self, cursor: Position) -> usize {
        self.stream_starts
            .partition_point(|&offset| u64::from(offset) < cursor.0)
    }

    /// The cursor just after the last event recorded at or before `time`: seeking there shows
    /// the world as it was known at that moment.
    pub fn position_at(&self, time: Timestamp) -> Position {
        Position(
            self.events()
                .partition_point(|event| event.recorded_at <= time) as u64,
        )
    }

    fn resolve<'a>(
        &'a self,
        offsets: &'a [u32],
    ) -> impl DoubleEndedIterator<Item = &'a Recorded<E>> + 'a {
        offsets
            .iter()
            .filter_map(move |&offset| self.log.get(offset as usize))
    }

    /// Heap bytes held by the log and its indexes (an estimate from capacities, for reports).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let vec_bytes = |v: &Vec<u32>| v.capacity() * size_of::<u32>();
        let map_slot = size_of::<E::Stream>() + size_of::<StreamEntry>() + 1;
        let corr_slot = size_of::<CorrelationId>() + size_of::<Vec<u32>>() + 1;
        self.log.heap_bytes()
            + self.streams.capacity() * map_slot
            + self
                .streams
                .values()
                .map(|entry| vec_bytes(&entry.offsets))
                .sum::<usize>()
            + vec_bytes(&self.stream_starts)
            + self.by_kind.iter().map(vec_bytes).sum::<usize>()
            + self.by_category.iter().map(vec_bytes).sum::<usize>()
            + self.by_correlation.capacity() * corr_slot
            + self.by_correlation.values().map(vec_bytes).sum::<usize>()
            + self.ids.heap_bytes()
    }
}
