//! # Any event log
//!
//! Eventide's shop is one domain; a user's own log is another. This crate reads a log of any
//! domain, as other systems export them, and maps it onto Eventide's envelope:
//!
//! - [`read`]: a CloudEvents batch (a JSON array) or NDJSON, one record at a time, however
//!   large; a broken record is named by its line (or its place in the batch).
//! - [`mapping`]: which field gives the event type, the stream, the time, the id, correlation,
//!   causation, the producer and the payload; detected from a sample ([`Mapping::detect`]),
//!   changeable role by role, saved as plain field paths ([`path`]).
//! - [`infer`]: a JSON Schema per event type, inferred from its payloads.
//! - [`inspect`]: one pass over a log: types, streams, time span, schemas, and where the log
//!   breaks its own rules (duplicate ids, time running backwards, broken causation).
//! - [`envelope`]: mapped events numbered and written as Eventide's envelope (what scripts
//!   fold).
//! - [`example`]: the lending library's log that ships with Eventide.
//! - [`store`], [`payloads`], [`texts`], [`models`], [`filter`], [`feed`]: a log held for
//!   exploring: its events in columns, payloads by shape, the read models every log has (each
//!   stream's state with blame, events per type per minute, the catalog), the query bar over
//!   it, and reading a file from slices as they arrive.
//! - [`bench`]: a million-event log imported and filtered, beside a plain JSON reader.
//!
//! Like the kernel, it reads no clock and no random source, and depends on no browser crate.

pub mod asyncapi;
pub mod bench;
pub mod envelope;
pub mod example;
pub mod feed;
pub mod filter;
pub mod infer;
pub mod inspect;
pub mod mapping;
pub mod models;
pub mod path;
pub mod payloads;
pub mod read;
pub mod store;
pub mod texts;

use std::io::BufRead;

use serde_json::Value;

pub use envelope::Envelopes;
pub use feed::Feed;
pub use filter::LogFilter;
pub use inspect::{Inspector, Report};
pub use mapping::{Detection, Dialect, MapError, MappedEvent, Mapping, Role};
pub use models::OpenLog;
pub use path::FieldPath;
pub use read::{read_log, LogFormat, Place, ReadError, Record, Stop};
pub use store::{LogEvent, LogStore};

/// How many records the mapping is detected from: the first thousand (a log's first events are
/// often its set-up, with no flows yet).
pub const SAMPLE: usize = 1_000;

/// The first `count` records of a log, to detect its mapping from and to preview it.
pub fn sample<R: BufRead>(reader: R, count: usize) -> Result<Vec<Record>, ReadError> {
    let mut records = Vec::with_capacity(count.min(SAMPLE));
    if count == 0 {
        return Ok(records);
    }
    let read = read_log(reader, |record| {
        records.push(record);
        if records.len() >= count {
            Err(Enough)
        } else {
            Ok(())
        }
    });
    match read {
        Ok(_) | Err(Stop::Refused(Enough)) => Ok(records),
        Err(Stop::Unreadable(error)) => Err(error),
    }
}

/// The sampler's way to stop reading once it has what it needs.
#[derive(Debug, PartialEq)]
struct Enough;

/// Why reading a log through a mapping stopped: the file, a record the mapping cannot read,
/// or the caller's `each`.
#[derive(Clone, Debug, PartialEq)]
pub enum LogStop<E> {
    Unreadable(ReadError),
    Unmapped(MapError),
    Refused(E),
}

impl<E: std::fmt::Display> std::fmt::Display for LogStop<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogStop::Unreadable(error) => error.fmt(f),
            LogStop::Unmapped(error) => error.fmt(f),
            LogStop::Refused(error) => error.fmt(f),
        }
    }
}

impl<E: std::fmt::Debug + std::fmt::Display> std::error::Error for LogStop<E> {}

/// Reads a whole log through `mapping`, handing each event to `each` in order; returns how
/// many there were. Stops at the first record that cannot be read or mapped, or that `each`
/// refuses.
pub fn map_log<R: BufRead, E>(
    reader: R,
    mapping: &Mapping,
    mut each: impl FnMut(MappedEvent) -> Result<(), E>,
) -> Result<u64, LogStop<E>> {
    let read = read_log(reader, |record| match mapping.map(&record) {
        Ok(event) => each(event).map_err(LogStop::Refused),
        Err(error) => Err(LogStop::Unmapped(error)),
    });
    read.map_err(|stop| match stop {
        Stop::Unreadable(error) => LogStop::Unreadable(error),
        Stop::Refused(stop) => stop,
    })
}

/// The sample's records as plain values, for [`Mapping::detect`].
pub fn values(records: &[Record]) -> Vec<Value> {
    records.iter().map(|record| record.value.clone()).collect()
}
