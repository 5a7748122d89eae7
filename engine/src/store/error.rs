//! What can go wrong when appending, as types: a caller can tell a lost race (a conflict) from a
//! mistake in the input.

use std::fmt::{self, Debug, Display};

use crate::ids::{EventId, StreamVersion, Timestamp};

/// The optimistic-concurrency check of an append.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExpectedVersion {
    /// Append whatever the stream's version.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream must be exactly at this version.
    Exact(StreamVersion),
}

impl ExpectedVersion {
    pub fn admits(self, actual: StreamVersion) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => actual == StreamVersion::NONE,
            ExpectedVersion::Exact(expected) => expected == actual,
        }
    }
}

impl Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any version"),
            ExpectedVersion::NoStream => f.write_str("no stream"),
            ExpectedVersion::Exact(version) => write!(f, "version {version}"),
        }
    }
}

/// A stream is at `actual`, but the caller expected `expected`: nothing was appended.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("stream {stream} is at version {actual}, expected {expected}")]
pub struct VersionConflict<S: Display + Debug> {
    pub stream: S,
    pub expected: ExpectedVersion,
    pub actual: StreamVersion,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AppendError<S: Display + Debug> {
    #[error(transparent)]
    Conflict(#[from] VersionConflict<S>),
    /// Recorded time never runs backwards, so that seeking by time is a binary search.
    #[error("recorded-at {given} is earlier than the last event's {head}")]
    TimeWentBackwards { head: Timestamp, given: Timestamp },
    #[error("the log is full: it holds at most 4,294,967,295 events")]
    LogFull,
    /// Business time may be earlier than the time an event is recorded (a back-dated fact),
    /// never later: nothing can be known before it happens.
    #[error("event {id} occurred at {occurred_at}, after it is recorded at {recorded_at}")]
    OccurredAfterRecorded {
        id: EventId,
        occurred_at: Timestamp,
        recorded_at: Timestamp,
    },
}
