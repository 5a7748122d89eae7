//! A domain as small as a domain gets: counters and gauges that are incremented or reset. It has
//! two event types and two stream categories, enough to exercise every index of the store.

use std::fmt;

use eventide_engine::store::{EventStore, ExpectedVersion};
use eventide_engine::{DomainEvent, EventId, Named, NewEvent, StreamKey, Timestamp};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum Tally {
    Incremented { by: u32 },
    Reset {},
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TallyKind {
    Incremented,
    Reset,
}

impl Named for TallyKind {
    const ALL: &'static [Self] = &[TallyKind::Incremented, TallyKind::Reset];

    fn name(self) -> &'static str {
        match self {
            TallyKind::Incremented => "Incremented",
            TallyKind::Reset => "Reset",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One counter or gauge: the stream an event is appended to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Meter {
    Counter(u8),
    Gauge(u8),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MeterType {
    Counter,
    Gauge,
}

impl Named for MeterType {
    const ALL: &'static [Self] = &[MeterType::Counter, MeterType::Gauge];

    fn name(self) -> &'static str {
        match self {
            MeterType::Counter => "Counter",
            MeterType::Gauge => "Gauge",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl StreamKey for Meter {
    type Category = MeterType;

    fn category(&self) -> MeterType {
        match self {
            Meter::Counter(_) => MeterType::Counter,
            Meter::Gauge(_) => MeterType::Gauge,
        }
    }
}

impl fmt::Display for Meter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Meter::Counter(n) => write!(f, "counter-{n}"),
            Meter::Gauge(n) => write!(f, "gauge-{n}"),
        }
    }
}

impl DomainEvent for Tally {
    type Kind = TallyKind;
    type Stream = Meter;
    const TAG: &'static str = "type";

    fn kind(&self) -> TallyKind {
        match self {
            Tally::Incremented { .. } => TallyKind::Incremented,
            Tally::Reset {} => TallyKind::Reset,
        }
    }
}

pub type TallyStore = EventStore<Tally>;

/// A readable, deterministic event id: `id(7)` is the UUID `...0007`.
pub fn id(n: u128) -> EventId {
    EventId(Uuid::from_u128(n))
}

/// `Incremented { by }` with the id `id(n)`, starting its own flow.
pub fn incremented(n: u128, by: u32) -> NewEvent<Tally> {
    NewEvent::new(id(n), Tally::Incremented { by })
}

/// `Reset` with the id `id(n)`, starting its own flow.
pub fn reset(n: u128) -> NewEvent<Tally> {
    NewEvent::new(id(n), Tally::Reset {})
}

/// Milliseconds since the epoch, as the store wants them.
pub fn at(millis: i64) -> Timestamp {
    Timestamp::from_millis(millis)
}

/// Appends one event at a time, each with `ExpectedVersion::Any`, each a millisecond after the
/// one before; panics if the store refuses (the setup of a test, not what it checks).
pub fn store_with(events: impl IntoIterator<Item = (Meter, NewEvent<Tally>)>) -> TallyStore {
    let mut store = TallyStore::new();
    for (millis, (stream, event)) in (1..).zip(events) {
        store
            .append(stream, ExpectedVersion::Any, vec![event], at(millis))
            .expect("the setup appends");
    }
    store
}
