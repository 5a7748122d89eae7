//! The whole-scenario format: everything needed to pick the work up again, in one versioned
//! JSON object.
//!
//! ```json
//! {
//!   "format": "eventide-scenario",
//!   "version": 1,
//!   "seed": 42,
//!   "settings": { "...": "whatever the caller keeps, as a JSON object" },
//!   "events": [ { "event_id": "...", "event_type": "OrderPlaced", "...": "...", "payload": {} } ]
//! }
//! ```
//!
//! Each event is the full envelope, as [`Recorded::to_json`](eventide_engine::envelope::Recorded::to_json)
//! writes it. Reading is strict: a field the format does not have is refused rather than
//! dropped, because an import that silently loses data is worse than one that says no.

use serde_json::{Map, Value};

use super::error::{FieldProblem, ImportError};
use super::fields::{invalid, Fields};
use super::log::FieldNames;
use super::payload::PayloadReader;
use super::{SCENARIO_FORMAT, SCENARIO_VERSION};
use crate::events::ShopEventKind;
use crate::{ShopRecorded, ShopStore};
use eventide_engine::envelope::{Metadata, Named, StreamKey};
use eventide_engine::ids::{CorrelationId, EventId, Position, StreamVersion};

pub(super) static NAMES: FieldNames = FieldNames {
    id: "event_id",
    position: "position",
    version: "aggregate_version",
    recorded_at: "recorded_at",
    occurred_at: "occurred_at",
    order: "payload.order",
};

/// The header fields of a scenario, besides `events`.
const HEADER: &[&str] = &["format", "version", "seed", "settings", "events"];

/// The log as a scenario: format and version, the seed and settings the caller hands in, and
/// every event as its full envelope.
pub fn to_scenario(store: &ShopStore, seed: Option<u64>, settings: Map<String, Value>) -> Value {
    let events: Vec<Value> = store.events().iter().map(|event| event.to_json()).collect();
    serde_json::json!({
        "format": SCENARIO_FORMAT,
        "version": SCENARIO_VERSION,
        "seed": seed,
        "settings": settings,
        "events": events,
    })
}

/// A scenario's header, read; its events are still JSON.
pub(super) struct Header {
    pub seed: Option<u64>,
    pub settings: Map<String, Value>,
    pub events: Vec<Value>,
}

fn header_error(field: &str, problem: FieldProblem) -> ImportError {
    ImportError::Scenario {
        field: field.to_string(),
        problem,
    }
}

pub(super) fn read_header(mut object: Map<String, Value>) -> Result<Header, ImportError> {
    if let Some(unknown) = object.keys().find(|key| !HEADER.contains(&key.as_str())) {
        return Err(header_error(
            unknown,
            FieldProblem::Unknown {
                of: format!("an Eventide scenario (version {SCENARIO_VERSION})"),
            },
        ));
    }
    match object.remove("format") {
        Some(Value::String(format)) if format == SCENARIO_FORMAT => {}
        Some(other) => {
            return Err(header_error(
                "format",
                invalid(&format!("{SCENARIO_FORMAT:?}"), &other),
            ))
        }
        None => return Err(header_error("format", FieldProblem::Missing)),
    }
    match object.remove("version") {
        Some(version) if version.as_u64() == Some(SCENARIO_VERSION) => {}
        Some(other) => {
            return Err(header_error(
                "version",
                invalid(
                    &format!("{SCENARIO_VERSION}, the version this build reads"),
                    &other,
                ),
            ))
        }
        None => return Err(header_error("version", FieldProblem::Missing)),
    }
    let seed = match object.remove("seed") {
        None | Some(Value::Null) => None,
        Some(seed) => Some(
            seed.as_u64()
                .ok_or_else(|| header_error("seed", invalid("a whole number or null", &seed)))?,
        ),
    };
    let settings = match object.remove("settings") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(settings)) => settings,
        Some(other) => return Err(header_error("settings", invalid("a JSON object", &other))),
    };
    let events = match object.remove("events") {
        Some(Value::Array(events)) => events,
        Some(other) => {
            return Err(header_error(
                "events",
                invalid("an array of events", &other),
            ))
        }
        None => return Err(header_error("events", FieldProblem::Missing)),
    };
    Ok(Header {
        seed,
        settings,
        events,
    })
}

/// Reads one envelope back.
pub(super) fn read_event(
    index: usize,
    value: Value,
    payloads: &mut PayloadReader,
) -> Result<ShopRecorded, ImportError> {
    let mut fields = Fields::of(index, value)?;
    let id = EventId(fields.uuid("event_id")?);
    fields.at.id = Some(id);
    let type_name = fields.string("event_type")?;
    let kind = ShopEventKind::from_name(&type_name).ok_or_else(|| {
        fields.error(
            "event_type",
            FieldProblem::UnknownEventType {
                found: format!("{type_name:?}"),
            },
        )
    })?;
    let schema_version = fields.written_version("schema_version")?;
    let aggregate_type = fields.string("aggregate_type")?;
    let aggregate_id = fields.string("aggregate_id")?;
    let version =
        StreamVersion(fields.integer("aggregate_version", 1, u64::from(u32::MAX))? as u32);
    let position = Position(fields.integer("position", 1, u64::MAX)?);
    let recorded_at = fields.time("recorded_at")?;
    let occurred_at = fields.time("occurred_at")?;
    let correlation_id = CorrelationId(fields.uuid("correlation_id")?);
    let causation_id = fields.optional_uuid("causation_id")?.map(EventId);
    let metadata = match fields.optional("metadata") {
        None => Metadata::default(),
        Some(Value::Object(entries)) => {
            let mut metadata = Metadata::default();
            for (key, value) in entries {
                let Value::String(text) = value else {
                    return Err(fields.invalid(&format!("metadata.{key}"), "a string", &value));
                };
                metadata = metadata.with(key, text);
            }
            metadata
        }
        Some(other) => return Err(fields.invalid("metadata", "an object of strings", &other)),
    };
    let payload = fields.required("payload")?;
    let event = payloads
        .read(kind, &payload, "payload")
        .map_err(|(field, problem)| fields.error(&field, problem))?;
    let at = fields.at;
    if let Some(unknown) = fields.rest().keys().next() {
        return Err(ImportError::Event {
            at,
            field: unknown.clone(),
            problem: FieldProblem::Unknown {
                of: "an Eventide envelope".into(),
            },
        });
    }
    let stream = event.stream_in(correlation_id);
    let wrong_stream = |field: &str| ImportError::Event {
        at,
        field: field.to_string(),
        problem: FieldProblem::WrongStream {
            declared: format!("{aggregate_type}/{aggregate_id}"),
            actual: format!("{}/{stream}", stream.category().name()),
        },
    };
    if aggregate_type != stream.category().name() {
        return Err(wrong_stream("aggregate_type"));
    }
    if aggregate_id != stream.to_string() {
        return Err(wrong_stream("aggregate_id"));
    }
    Ok(ShopRecorded {
        id,
        position,
        stream,
        version,
        schema_version,
        recorded_at,
        occurred_at,
        correlation_id,
        causation_id,
        metadata,
        event,
    })
}
