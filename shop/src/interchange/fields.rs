//! Reading one event's fields out of a JSON object, each read naming the event and the field
//! when it fails. Both formats read through this, so their messages read alike.

use chrono::DateTime;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::error::{EventAt, FieldProblem, ImportError};
use eventide_engine::ids::{SchemaVersion, Timestamp};

/// The fields of one event not read yet.
pub(super) struct Fields {
    map: Map<String, Value>,
    pub(super) at: EventAt,
}

impl Fields {
    /// The event's fields, or an error if the event is not a JSON object.
    pub(super) fn of(index: usize, value: Value) -> Result<Fields, ImportError> {
        match value {
            Value::Object(map) => Ok(Fields {
                map,
                at: EventAt { index, id: None },
            }),
            other => Err(ImportError::EventNotAnObject {
                index,
                found: describe(&other),
            }),
        }
    }

    pub(super) fn error(&self, field: &str, problem: FieldProblem) -> ImportError {
        ImportError::Event {
            at: self.at,
            field: field.to_string(),
            problem,
        }
    }

    pub(super) fn invalid(&self, field: &str, expected: &str, found: &Value) -> ImportError {
        self.error(field, invalid(expected, found))
    }

    /// A field's value; `null` counts as absent (CloudEvents reads it so, and so do we).
    pub(super) fn optional(&mut self, field: &str) -> Option<Value> {
        self.map.remove(field).filter(|value| !value.is_null())
    }

    pub(super) fn required(&mut self, field: &str) -> Result<Value, ImportError> {
        self.optional(field)
            .ok_or_else(|| self.error(field, FieldProblem::Missing))
    }

    pub(super) fn string(&mut self, field: &str) -> Result<String, ImportError> {
        match self.required(field)? {
            Value::String(text) if !text.is_empty() => Ok(text),
            other => Err(self.invalid(field, "a non-empty string", &other)),
        }
    }

    pub(super) fn optional_string(&mut self, field: &str) -> Result<Option<String>, ImportError> {
        match self.optional(field) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(self.invalid(field, "a string", &other)),
        }
    }

    pub(super) fn uuid(&mut self, field: &str) -> Result<Uuid, ImportError> {
        let value = self.required(field)?;
        self.parse_uuid(field, value)
    }

    pub(super) fn optional_uuid(&mut self, field: &str) -> Result<Option<Uuid>, ImportError> {
        self.optional(field)
            .map(|value| self.parse_uuid(field, value))
            .transpose()
    }

    fn parse_uuid(&self, field: &str, value: Value) -> Result<Uuid, ImportError> {
        value
            .as_str()
            .and_then(|text| Uuid::parse_str(text).ok())
            .ok_or_else(|| self.invalid(field, "a UUID", &value))
    }

    /// A whole number from `min` to `max`.
    pub(super) fn integer(&mut self, field: &str, min: u64, max: u64) -> Result<u64, ImportError> {
        let value = self.required(field)?;
        value
            .as_u64()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| {
                self.invalid(
                    field,
                    &format!("a whole number from {min} to {max}"),
                    &value,
                )
            })
    }

    /// The schema version an event was written at: always 1, the version the shop's code
    /// writes; later versions exist only as what consumers read, through upcasters.
    pub(super) fn written_version(&mut self, field: &str) -> Result<SchemaVersion, ImportError> {
        let value = self.required(field)?;
        match value.as_u64() {
            Some(1) => Ok(SchemaVersion::V1),
            _ => Err(self.invalid(
                field,
                "1: the shop writes version 1 of every event (later versions are upcast on read, never written)",
                &value,
            )),
        }
    }

    pub(super) fn time(&mut self, field: &str) -> Result<Timestamp, ImportError> {
        let value = self.required(field)?;
        self.parse_time(field, value)
    }

    pub(super) fn optional_time(&mut self, field: &str) -> Result<Option<Timestamp>, ImportError> {
        self.optional(field)
            .map(|value| self.parse_time(field, value))
            .transpose()
    }

    fn parse_time(&self, field: &str, value: Value) -> Result<Timestamp, ImportError> {
        value
            .as_str()
            .and_then(parse_rfc3339)
            .ok_or_else(|| self.invalid(field, "an RFC 3339 time", &value))
    }

    /// The fields nobody read, in name order.
    pub(super) fn rest(self) -> Map<String, Value> {
        self.map
    }
}

pub(super) fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|time| Timestamp(time.timestamp_millis()))
}

pub(super) fn invalid(expected: &str, found: &Value) -> FieldProblem {
    FieldProblem::Invalid {
        expected: expected.to_string(),
        found: describe(found),
    }
}

/// A JSON value in a few words, for messages: long strings are cut short.
pub(super) fn describe(value: &Value) -> String {
    const LONGEST: usize = 40;
    match value {
        Value::Null => "null".into(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => format!("the number {number}"),
        Value::String(text) if text.chars().count() > LONGEST => {
            let cut: String = text.chars().take(LONGEST).collect();
            format!("the string {:?}...", cut)
        }
        Value::String(text) => format!("the string {text:?}"),
        Value::Array(items) => format!("an array of {} items", items.len()),
        Value::Object(_) => "an object".into(),
    }
}
