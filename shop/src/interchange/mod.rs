//! Keeping and sharing work: the shop's log exported as a CloudEvents 1.0 batch or as a whole
//! scenario, and either imported back into a fresh [`Shop`].
//!
//! # Formats
//! - [`cloudevents`]: `application/cloudevents-batch+json`, a JSON array of structured-mode
//!   events, for any tool that speaks CloudEvents.
//! - [`scenario`]: Eventide's own versioned object: seed, the caller's settings, and every
//!   event as its full envelope.
//!
//! # Import is all or nothing
//! [`import`] reads the whole file before building anything: it refuses a file over
//! [`MAX_IMPORT_BYTES`] before parsing, JSON that is malformed or cut short (with the line and
//! column), and any event that is wrong or does not follow the events before it, naming the
//! event (index and id) and the field. Only a file that passes every check becomes a new
//! [`Shop`], which the caller swaps in; the shop it holds is never touched.
//!
//! Round trip: exporting a log and importing the file gives the same log, envelope for
//! envelope, in both formats.

pub mod cloudevents;
mod error;
mod fields;
mod log;
mod payload;
pub mod scenario;
mod summary;

use std::fmt;

use serde_json::{Map, Value};

pub use cloudevents::{to_cloudevent, to_cloudevents};
pub use error::{EventAt, FieldProblem, ImportError};
pub use scenario::to_scenario;
pub use summary::{summarize, LogSummary};

use super::{Shop, ShopRecorded, ShopStore};
use crate::checked::CheckedLog;
use log::{FieldNames, LogCheck};
use payload::PayloadReader;

/// Reads one Eventide envelope at a time (a room's delivery), with every check an import
/// makes of one event: each field, and the payload against its type's schema.
#[derive(Default)]
pub struct EnvelopeReader(PayloadReader);

impl EnvelopeReader {
    pub fn read(&mut self, envelope: Value) -> Result<ShopRecorded, ImportError> {
        scenario::read_event(0, envelope, &mut self.0)
    }
}

/// The largest file [`import`] reads: 64 MiB, roughly 100,000 events (about 550 to 750 bytes
/// an event, compact or pretty-printed).
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// The `format` of a scenario file.
pub const SCENARIO_FORMAT: &str = "eventide-scenario";
/// The scenario version this build writes and reads.
pub const SCENARIO_VERSION: u64 = 1;

/// Which format a file was in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    CloudEvents,
    Scenario,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::CloudEvents => "cloudevents",
            Format::Scenario => "scenario",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A file read and checked, its events not yet replayed into a shop.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedLog {
    pub format: Format,
    /// A scenario's seed; `None` for CloudEvents, or a scenario without one.
    pub seed: Option<u64>,
    /// A scenario's settings, as written; empty for CloudEvents.
    pub settings: Map<String, Value>,
    /// Every envelope, in position order, exactly as the file describes it; checked, so only
    /// this module makes one.
    pub events: CheckedLog,
}

/// A file imported: a new shop holding its log, ready to be swapped in.
pub struct Imported {
    pub format: Format,
    pub seed: Option<u64>,
    pub settings: Map<String, Value>,
    pub shop: Shop,
}

impl fmt::Debug for Imported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Imported")
            .field("format", &self.format)
            .field("seed", &self.seed)
            .field("settings", &self.settings)
            .field("events", &self.shop.store().len())
            .finish()
    }
}

/// The whole log as a CloudEvents batch, as text.
pub fn export_cloudevents(store: &ShopStore) -> String {
    to_cloudevents(store).to_string()
}

/// The whole log as a scenario, as text.
pub fn export_scenario(
    store: &ShopStore,
    seed: Option<u64>,
    settings: Map<String, Value>,
) -> String {
    to_scenario(store, seed, settings).to_string()
}

/// Refuses a file longer than [`MAX_IMPORT_BYTES`]; callers that know the length before
/// reading (a file's metadata, a browser `File`'s size) can ask first.
pub fn check_size(bytes: u64) -> Result<(), ImportError> {
    if bytes > MAX_IMPORT_BYTES as u64 {
        return Err(ImportError::TooLarge {
            size: bytes,
            limit: MAX_IMPORT_BYTES as u64,
        });
    }
    Ok(())
}

/// Reads and checks a file in either format (told apart by its shape), building nothing.
pub fn read(bytes: &[u8]) -> Result<ImportedLog, ImportError> {
    check_size(bytes.len() as u64)?;
    let document: Value = serde_json::from_slice(bytes).map_err(json_error)?;
    match document {
        Value::Array(events) => Ok(ImportedLog {
            format: Format::CloudEvents,
            seed: None,
            settings: Map::new(),
            events: read_events(events, &cloudevents::NAMES, cloudevents::read_event)?,
        }),
        // One event alone, in structured mode: a batch of one.
        Value::Object(event) if event.contains_key("specversion") => Ok(ImportedLog {
            format: Format::CloudEvents,
            seed: None,
            settings: Map::new(),
            events: read_events(
                vec![Value::Object(event)],
                &cloudevents::NAMES,
                cloudevents::read_event,
            )?,
        }),
        Value::Object(object) if object.contains_key("format") => {
            let header = scenario::read_header(object)?;
            Ok(ImportedLog {
                format: Format::Scenario,
                seed: header.seed,
                settings: header.settings,
                events: read_events(header.events, &scenario::NAMES, scenario::read_event)?,
            })
        }
        other => Err(ImportError::UnknownFormat {
            found: match other {
                Value::Object(_) => "an object without \"format\" or \"specversion\"".into(),
                other => fields::describe(&other),
            },
        }),
    }
}

/// Reads, checks and builds: a new shop holding the file's log. On any error, nothing is
/// built and the caller's shop is untouched.
pub fn import(bytes: &[u8]) -> Result<Imported, ImportError> {
    read(bytes)?.into_shop()
}

type ReadEvent = fn(usize, Value, &mut PayloadReader) -> Result<ShopRecorded, ImportError>;

/// Each event read, then checked against those before it: the first error in file order wins.
fn read_events(
    values: Vec<Value>,
    names: &'static FieldNames,
    read_event: ReadEvent,
) -> Result<CheckedLog, ImportError> {
    let mut payloads = PayloadReader::default();
    let mut check = LogCheck::new(names);
    let mut events = Vec::with_capacity(values.len());
    for (index, value) in values.into_iter().enumerate() {
        let event = read_event(index, value, &mut payloads)?;
        check.admit(index, &event)?;
        events.push(event);
    }
    Ok(CheckedLog::new(events))
}

fn json_error(error: serde_json::Error) -> ImportError {
    let (line, column) = (error.line(), error.column());
    if error.is_eof() {
        return ImportError::Truncated { line, column };
    }
    // serde_json ends its message with the location, which the error states on its own.
    let message = error.to_string();
    let suffix = format!(" at line {line} column {column}");
    let message = message
        .strip_suffix(&suffix)
        .unwrap_or(&message)
        .to_string();
    ImportError::MalformedJson {
        line,
        column,
        message,
    }
}

impl ImportedLog {
    /// A new shop holding this log.
    pub fn into_shop(self) -> Result<Imported, ImportError> {
        let mut shop = Shop::new();
        let (format, seed, settings) = (self.format, self.seed, self.settings.clone());
        self.replay_into(&mut shop)?;
        Ok(Imported {
            format,
            seed,
            settings,
            shop,
        })
    }

    /// Appends every event to `shop`, which must be empty (a shop made the caller's way, such
    /// as a simulation's), through the kernel's [`replay`]. The events were checked, so it
    /// accepts each as it is; if it ever did not, the error names the event and the shop should
    /// be dropped.
    pub fn replay_into(self, shop: &mut Shop) -> Result<(), ImportError> {
        if !shop.store().is_empty() {
            return Err(ImportError::ShopNotEmpty {
                events: shop.store().len(),
            });
        }
        let names = match self.format {
            Format::CloudEvents => &cloudevents::NAMES,
            Format::Scenario => &scenario::NAMES,
        };
        shop.replay(self.events.as_checked())
            .map_err(|error| ImportError::Event {
                at: EventAt {
                    index: error.index,
                    id: Some(error.id),
                },
                field: names.position.to_string(),
                problem: FieldProblem::Refused {
                    message: error.problem.to_string(),
                },
            })?;
        Ok(())
    }
}
