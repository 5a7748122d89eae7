//! Values across the border: JSON into Rhai (events) and Rhai back into JSON (tables, state,
//! intentions). Only plain data crosses: `()`, booleans, numbers, strings, arrays and maps.

use eventide_engine::Timestamp;
use rhai::{Dynamic, Map, INT};
use serde_json::{Number, Value};

use crate::error::{ErrorKind, ScriptError};

/// Nesting deeper than this does not leave a script: converting it back would recurse as deep.
const MAX_DEPTH: usize = 64;

pub(crate) fn to_dynamic(value: &Value) -> Dynamic {
    match value {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Dynamic::from_int(i),
            // Beyond i64 (or a fraction): as close as a float gets.
            None => Dynamic::from_float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Dynamic::from(s.clone()),
        Value::Array(items) => Dynamic::from_array(items.iter().map(to_dynamic).collect()),
        Value::Object(fields) => Dynamic::from_map(
            fields
                .iter()
                .map(|(key, value)| (key.as_str().into(), to_dynamic(value)))
                .collect(),
        ),
    }
}

/// A script's value as JSON. Floats that are not finite become `null` (JSON has no NaN); a
/// function pointer or anything else that is not data is refused, naming its type.
pub(crate) fn to_json(value: &Dynamic) -> Result<Value, String> {
    to_json_at(value, 0)
}

fn to_json_at(value: &Dynamic, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("values nested deeper than {MAX_DEPTH} levels"));
    }
    if value.is_unit() {
        return Ok(Value::Null);
    }
    if let Ok(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Ok(i) = value.as_int() {
        return Ok(Value::from(i));
    }
    if let Ok(f) = value.as_float() {
        return Ok(Number::from_f64(f).map_or(Value::Null, Value::Number));
    }
    if let Ok(c) = value.as_char() {
        return Ok(Value::String(c.to_string()));
    }
    if let Ok(s) = value.as_immutable_string_ref() {
        return Ok(Value::String(s.to_string()));
    }
    if let Ok(items) = value.as_array_ref() {
        return items
            .iter()
            .map(|item| to_json_at(item, depth + 1))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    if let Ok(bytes) = value.as_blob_ref() {
        return Ok(Value::Array(
            bytes.iter().map(|&b| Value::from(b)).collect(),
        ));
    }
    if let Ok(fields) = value.as_map_ref() {
        return fields
            .iter()
            .map(|(key, value)| Ok((key.to_string(), to_json_at(value, depth + 1)?)))
            .collect::<Result<serde_json::Map<_, _>, String>>()
            .map(Value::Object);
    }
    Err(format!(
        "{} (only data can leave a script)",
        describe(value)
    ))
}

/// A value's type as a script's author knows it.
pub(crate) fn describe(value: &Dynamic) -> String {
    let name = match value.type_name() {
        "()" => "() (nothing)",
        "i64" => "an integer",
        "f64" => "a number",
        "bool" => "a boolean",
        "char" => "a character",
        "string" => "a string",
        "array" => "an array",
        "blob" => "a blob",
        "map" => "a map",
        "Fn" => "a function pointer",
        other => other,
    };
    name.to_string()
}

/// The event as a script sees it, from the envelope as `Recorded::to_json` writes it. Returns
/// its type and its position (for errors) beside the map.
///
/// Field names are shortened (`type`, `aggregate`, `version`, `correlation`, `causation`, `id`)
/// and both times become milliseconds since the epoch, so a script can do arithmetic on them.
pub(crate) fn event_to_dynamic(envelope: &Value) -> Result<Dynamic, ScriptError> {
    let Value::Object(fields) = envelope else {
        return Err(ScriptError::new(
            ErrorKind::Input,
            "an event must be a JSON object (the envelope)",
        ));
    };
    let get = |name: &str| fields.get(name).map_or(Dynamic::UNIT, to_dynamic);
    let time = |name: &str| match fields.get(name) {
        Some(Value::String(text)) => Timestamp::parse(text).map_or_else(
            || Dynamic::from(text.clone()),
            |t| Dynamic::from_int(t.millis()),
        ),
        Some(other) => to_dynamic(other),
        None => Dynamic::UNIT,
    };
    let mut event = Map::new();
    event.insert("type".into(), get("event_type"));
    event.insert("position".into(), get("position"));
    event.insert("id".into(), get("event_id"));
    event.insert("aggregate".into(), get("aggregate_id"));
    event.insert("aggregate_type".into(), get("aggregate_type"));
    event.insert("version".into(), get("aggregate_version"));
    event.insert("schema_version".into(), get("schema_version"));
    event.insert("recorded_at".into(), time("recorded_at"));
    event.insert("occurred_at".into(), time("occurred_at"));
    event.insert("correlation".into(), get("correlation_id"));
    event.insert("causation".into(), get("causation_id"));
    event.insert(
        "metadata".into(),
        fields
            .get("metadata")
            .map_or_else(|| Dynamic::from_map(Map::new()), to_dynamic),
    );
    event.insert(
        "payload".into(),
        fields
            .get("payload")
            .map_or_else(|| Dynamic::from_map(Map::new()), to_dynamic),
    );
    Ok(Dynamic::from_map(event))
}

/// The event's type and position, read without converting the rest: most events of a log have
/// no handler in a given script, and skipping them should cost next to nothing.
pub(crate) fn event_type_and_position(
    envelope: &Value,
) -> Result<(&str, Option<u64>), ScriptError> {
    let event_type = envelope
        .get("event_type")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ScriptError::new(
                ErrorKind::Input,
                "an event needs an `event_type` (the envelope as Recorded::to_json writes it)",
            )
        })?;
    Ok((event_type, envelope.get("position").and_then(Value::as_u64)))
}

/// An array of strings as a list (a projection's `columns()`).
pub(crate) fn strings(value: &Dynamic) -> Option<Vec<String>> {
    value
        .as_array_ref()
        .ok()?
        .iter()
        .map(|item| item.as_immutable_string_ref().ok().map(|s| s.to_string()))
        .collect()
}

/// A row key from a scalar: strings as they are, numbers and booleans in their usual spelling.
pub(crate) fn key_text(value: &Dynamic) -> Option<String> {
    if let Ok(s) = value.as_immutable_string_ref() {
        return Some(s.to_string());
    }
    if let Ok(i) = value.as_int() {
        return Some(INT::to_string(&i));
    }
    if value.is_float() || value.is_bool() || value.is_char() {
        return Some(value.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn it_should_round_trip_plain_data() {
        let value = json!({"a": [1, 2.5, "x", null, true], "b": {"c": -3}});
        assert_eq!(to_json(&to_dynamic(&value)), Ok(value));
    }

    #[test]
    fn it_should_give_scripts_short_names_and_times_in_milliseconds() {
        let envelope = json!({
            "event_type": "OrderPlaced",
            "position": 12,
            "aggregate_id": "O-0042",
            "aggregate_version": 1,
            "recorded_at": "2026-11-26T09:00:00.000Z",
            "occurred_at": 1_795_683_600_000_i64,
            "payload": {"order": "O-0042"},
        });
        let event = to_json(&event_to_dynamic(&envelope).unwrap()).unwrap();
        assert_eq!(event["type"], "OrderPlaced");
        assert_eq!(event["aggregate"], "O-0042");
        assert_eq!(event["recorded_at"], 1_795_683_600_000_i64);
        assert_eq!(event["occurred_at"], 1_795_683_600_000_i64);
        assert_eq!(event["payload"]["order"], "O-0042");
        assert_eq!(event["causation"], Value::Null);
    }

    #[test]
    fn it_should_refuse_an_event_without_a_type() {
        let error = event_type_and_position(&json!({"payload": {}})).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Input);
    }
}
