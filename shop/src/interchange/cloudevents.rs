//! The log as a CloudEvents 1.0 JSON batch (`application/cloudevents-batch+json`): one
//! structured-mode event a recorded event, in position order.
//!
//! Each event carries the required attributes (`specversion`, `id`, `source`, `type`), the
//! optional ones (`time` is the recorded time, `subject` the stream as `Order/O-0042`,
//! `datacontenttype`, `dataschema` as `urn:eventide:schema:OrderPlaced:1`), the payload alone in
//! `data`, and the rest of the envelope as extension attributes, named by the CloudEvents rule
//! (lower-case ASCII letters and digits, at most 20 characters):
//!
//! | attribute | envelope field |
//! | --- | --- |
//! | `correlationid` | correlation id |
//! | `causationid` | causation id (absent for the first event of a flow) |
//! | `aggregateversion` | the stream version |
//! | `position` | the global position |
//! | `schemaversion` | the payload's schema version |
//! | `occurredat` | business time, RFC 3339 (`time` is the recorded time) |
//! | `producer`, `joins`, ... | each metadata entry whose key is a valid attribute name |
//! | `metadata` | any other metadata entries, as a JSON object in a string |
//!
//! Event types are reverse-DNS names: `shop.eventide.OrderPlaced`, the prefix [`TYPE_PREFIX`]
//! followed by the catalog's name. Reading accepts exactly that form, and keeps any extension
//! attribute it does not know (`traceparent`, say) as a metadata entry of the same name.

use serde_json::{Map, Value};

use super::error::{FieldProblem, ImportError};
use super::fields::{invalid, Fields};
use super::log::FieldNames;
use super::payload::PayloadReader;
use crate::event_catalog;
use crate::events::ShopEventKind;
use crate::{ShopRecorded, ShopStore};
use eventide_engine::envelope::{Metadata, Named, StreamKey};
use eventide_engine::ids::{CorrelationId, EventId, Position, SchemaVersion, StreamVersion};

/// The media type of a batch.
pub const BATCH_MEDIA_TYPE: &str = "application/cloudevents-batch+json";
pub const SPEC_VERSION: &str = "1.0";
/// Where every exported event comes from.
pub const SOURCE: &str = "/eventide/shop";
/// Event types are this prefix and the catalog's name: `shop.eventide.OrderPlaced`.
pub const TYPE_PREFIX: &str = "shop.eventide.";
pub const DATA_CONTENT_TYPE: &str = "application/json";

/// The extension attributes every exported event may carry besides metadata entries.
pub const EXTENSIONS: &[&str] = &[
    "correlationid",
    "causationid",
    "aggregateversion",
    "position",
    "schemaversion",
    "occurredat",
    "metadata",
];

/// The attributes CloudEvents 1.0 itself defines; no metadata key may take their names.
const CONTEXT_ATTRIBUTES: &[&str] = &[
    "specversion",
    "id",
    "source",
    "type",
    "datacontenttype",
    "dataschema",
    "subject",
    "time",
    "data",
    "data_base64",
];

pub(super) static NAMES: FieldNames = FieldNames {
    id: "id",
    position: "position",
    version: "aggregateversion",
    recorded_at: "time",
    occurred_at: "occurredat",
    order: "data.order",
};

/// Whether `name` follows the CloudEvents rule for attribute names: lower-case ASCII letters
/// and digits only, and (as it recommends) at most 20 characters.
pub fn is_attribute_name(name: &str) -> bool {
    (1..=20).contains(&name.len())
        && name
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
}

/// `shop.eventide.OrderPlaced`.
pub fn event_type(kind: ShopEventKind) -> String {
    format!("{TYPE_PREFIX}{}", kind.name())
}

/// `urn:eventide:schema:OrderPlaced:1`: the event type and the version of its payload schema.
pub fn data_schema(kind: ShopEventKind, version: SchemaVersion) -> String {
    format!("urn:eventide:schema:{}:{}", kind.name(), version.0)
}

/// `Order/O-0042`: the aggregate type and the stream.
pub(super) fn subject(event: &ShopRecorded) -> String {
    format!("{}/{}", event.stream.category().name(), event.stream)
}

fn is_reserved(name: &str) -> bool {
    CONTEXT_ATTRIBUTES.contains(&name) || EXTENSIONS.contains(&name)
}

/// One recorded event as a structured-mode CloudEvent.
pub fn to_cloudevent(event: &ShopRecorded) -> Value {
    let kind = event.kind();
    let mut attributes = Map::new();
    let mut put = |name: &str, value: Value| {
        attributes.insert(name.to_string(), value);
    };
    put("specversion", SPEC_VERSION.into());
    put("id", event.id.to_string().into());
    put("source", SOURCE.into());
    put("type", event_type(kind).into());
    put("time", event.recorded_at.to_rfc3339().into());
    put("subject", subject(event).into());
    put("datacontenttype", DATA_CONTENT_TYPE.into());
    put("dataschema", data_schema(kind, event.schema_version).into());
    put("data", event_catalog::payload(&event.event));
    put("correlationid", event.correlation_id.to_string().into());
    if let Some(cause) = event.causation_id {
        put("causationid", cause.to_string().into());
    }
    put("aggregateversion", event.version.0.into());
    put("position", event.position.0.into());
    put("schemaversion", event.schema_version.0.into());
    put("occurredat", event.occurred_at.to_rfc3339().into());
    let mut others = Map::new();
    for (key, value) in event.metadata.iter() {
        if is_attribute_name(key) && !is_reserved(key) {
            put(key, value.into());
        } else {
            others.insert(key.to_string(), value.into());
        }
    }
    if !others.is_empty() {
        put("metadata", Value::Object(others).to_string().into());
    }
    Value::Object(attributes)
}

/// The whole log as a CloudEvents batch: a JSON array, in position order.
pub fn to_cloudevents(store: &ShopStore) -> Value {
    Value::Array(store.events().iter().map(to_cloudevent).collect())
}

/// Reads one CloudEvent back into the envelope it was exported from.
pub(super) fn read_event(
    index: usize,
    value: Value,
    payloads: &mut PayloadReader,
) -> Result<ShopRecorded, ImportError> {
    let mut fields = Fields::of(index, value)?;
    let id = EventId(fields.uuid("id")?);
    fields.at.id = Some(id);
    let version = fields.string("specversion")?;
    if version != SPEC_VERSION {
        return Err(fields.invalid("specversion", "\"1.0\"", &Value::from(version)));
    }
    fields.string("source")?;
    let type_name = fields.string("type")?;
    let kind = type_name
        .strip_prefix(TYPE_PREFIX)
        .and_then(ShopEventKind::from_name)
        .ok_or_else(|| {
            fields.error(
                "type",
                FieldProblem::UnknownEventType {
                    found: format!("{type_name:?} (types read `{TYPE_PREFIX}<EventType>`)"),
                },
            )
        })?;
    let recorded_at = fields.time("time")?;
    let declared = fields.string("subject")?;
    if let Some(content_type) = fields.optional_string("datacontenttype")? {
        if content_type != DATA_CONTENT_TYPE {
            return Err(fields.invalid(
                "datacontenttype",
                "\"application/json\"",
                &Value::from(content_type),
            ));
        }
    }
    if let Some(binary) = fields.optional("data_base64") {
        return Err(fields.invalid(
            "data_base64",
            "absent: the payload is JSON, in `data`",
            &binary,
        ));
    }
    let data = fields.required("data")?;
    let event = payloads
        .read(kind, &data, "data")
        .map_err(|(field, problem)| fields.error(&field, problem))?;
    let correlation_id = CorrelationId(fields.uuid("correlationid")?);
    let causation_id = fields.optional_uuid("causationid")?.map(EventId);
    let version = StreamVersion(fields.integer("aggregateversion", 1, u64::from(u32::MAX))? as u32);
    let position = Position(fields.integer("position", 1, u64::MAX)?);
    let schema_version = fields.written_version("schemaversion")?;
    if let Some(schema) = fields.optional_string("dataschema")? {
        let expected = data_schema(kind, schema_version);
        if schema != expected {
            return Err(fields.invalid(
                "dataschema",
                &format!("{expected:?}"),
                &Value::from(schema),
            ));
        }
    }
    let occurred_at = fields.optional_time("occurredat")?.unwrap_or(recorded_at);
    let mut metadata = Metadata::default();
    if let Some(packed) = fields.optional("metadata") {
        let entries = packed
            .as_str()
            .and_then(|text| serde_json::from_str::<Map<String, Value>>(text).ok())
            .filter(|map| map.values().all(Value::is_string))
            .ok_or_else(|| {
                fields.invalid("metadata", "a JSON object of strings, in a string", &packed)
            })?;
        for (key, value) in entries {
            metadata = metadata.with(key, value.as_str().unwrap_or_default().to_string());
        }
    }
    let at = fields.at;
    for (name, value) in fields.rest() {
        let error = |problem| ImportError::Event {
            at,
            field: name.clone(),
            problem,
        };
        if !is_attribute_name(&name) {
            return Err(error(FieldProblem::Unknown {
                of: "CloudEvents: attribute names are lower-case letters and digits".into(),
            }));
        }
        let text = match value {
            Value::String(text) => text,
            Value::Bool(_) | Value::Number(_) => value.to_string(),
            Value::Null => continue,
            other => {
                return Err(error(invalid(
                    "a string, number or boolean (an extension attribute)",
                    &other,
                )))
            }
        };
        metadata = metadata.with(name, text);
    }
    let recorded = ShopRecorded {
        id,
        position,
        stream: event.stream_in(correlation_id),
        version,
        schema_version,
        recorded_at,
        occurred_at,
        correlation_id,
        causation_id,
        metadata,
        event,
    };
    let actual = subject(&recorded);
    if declared != actual {
        return Err(ImportError::Event {
            at,
            field: "subject".into(),
            problem: FieldProblem::WrongStream { declared, actual },
        });
    }
    Ok(recorded)
}
