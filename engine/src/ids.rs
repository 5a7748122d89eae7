//! Identifiers and coordinates of the log, as newtypes so that a position can never be passed
//! where a stream version is expected.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The unique id of one recorded event. Appending an id that is already stored is a no-op.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(pub Uuid);

/// Ties together every event of one business flow (one checkout, say), however many services
/// it crossed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CorrelationId(pub Uuid);

macro_rules! uuid_display {
    ($($name:ident),*) => {$(
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
        impl $name {
            /// The first eight hex digits: enough to tell ids apart on screen.
            pub fn short(&self) -> String {
                let mut text = self.0.simple().to_string();
                text.truncate(8);
                text
            }
        }
    )*};
}
uuid_display!(EventId, CorrelationId);

impl EventId {
    /// A flow that starts with this event correlates on the event's own id.
    pub fn as_correlation(self) -> CorrelationId {
        CorrelationId(self.0)
    }
}

/// The global position of an event in the log: 1 for the first event, contiguous.
/// As a cursor, `Position(n)` means "after the first n events"; `Position::ORIGIN` is the empty log.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Position(pub u64);

impl Position {
    pub const ORIGIN: Position = Position(0);

    pub fn next(self) -> Position {
        Position(self.0 + 1)
    }

    /// The index of the event at this position in a zero-based log, if there is one.
    pub fn index(self) -> Option<usize> {
        usize::try_from(self.0).ok()?.checked_sub(1)
    }

    pub fn from_index(index: usize) -> Position {
        Position(index as u64 + 1)
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The version of one aggregate's stream: the number of events in it, so the first event of a
/// stream has version 1 and a stream that does not exist is at version 0.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct StreamVersion(pub u32);

impl StreamVersion {
    pub const NONE: StreamVersion = StreamVersion(0);

    pub fn next(self) -> StreamVersion {
        StreamVersion(self.0 + 1)
    }
}

impl fmt::Display for StreamVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The version of an event type's payload schema, carried in every envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SchemaVersion(pub u16);

impl SchemaVersion {
    pub const V1: SchemaVersion = SchemaVersion(1);
}

impl fmt::Display for SchemaVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

/// A point in time, in milliseconds since the Unix epoch (UTC). The engine never reads a clock:
/// every timestamp is handed to it.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_millis(millis: i64) -> Timestamp {
        Timestamp(millis)
    }

    pub fn millis(self) -> i64 {
        self.0
    }

    pub fn plus_millis(self, millis: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(millis))
    }

    pub fn to_datetime(self) -> Option<DateTime<Utc>> {
        DateTime::<Utc>::from_timestamp_millis(self.0)
    }

    /// RFC 3339 with milliseconds, e.g. `2026-11-26T09:14:03.120Z`.
    pub fn to_rfc3339(self) -> String {
        match self.to_datetime() {
            Some(time) => time.to_rfc3339_opts(SecondsFormat::Millis, true),
            None => format!("{}ms", self.0),
        }
    }

    /// Parses RFC 3339 (`2026-11-26T09:14:03Z`), or `2026-11-26 09:14[:03]` (a `T` or a space),
    /// or a bare date, read as UTC.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let text = text.trim();
        if let Ok(time) = DateTime::parse_from_rfc3339(text) {
            return Some(Timestamp(time.timestamp_millis()));
        }
        let naive = [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%d %H:%M",
        ]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|date| date.and_hms_opt(0, 0, 0))
        });
        naive.map(|naive| Timestamp(naive.and_utc().timestamp_millis()))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        assert_eq!(Position::ORIGIN.index(), None);
        assert_eq!(Position(1).index(), Some(0));
        assert_eq!(Position::from_index(41), Position(42));
    }

    #[test]
    fn timestamps_round_trip_through_rfc3339() {
        let time = Timestamp::from_millis(1_764_150_843_120);
        assert_eq!(time.to_rfc3339(), "2025-11-26T09:54:03.120Z");
        assert_eq!(Timestamp::parse(&time.to_rfc3339()), Some(time));
        assert_eq!(
            Timestamp::parse("2025-11-26T09:54"),
            Some(Timestamp::from_millis(1_764_150_840_000))
        );
        assert_eq!(Timestamp::parse("yesterday"), None);
        assert_eq!(
            Timestamp::parse("2025-11-26 09:54"),
            Timestamp::parse("2025-11-26T09:54")
        );
        assert_eq!(
            Timestamp::parse("2025-11-26"),
            Some(Timestamp::from_millis(1_764_115_200_000))
        );
    }
}
