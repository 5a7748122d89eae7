//! A JSON Schema inferred from the payloads of one event type, by GenSON's rules: every payload
//! seen validates against it, and it is as strict as that allows (a field is required when every
//! payload had it; a field's types are those it was seen with). No crate that does this builds
//! for wasm32 without threads (genson-rs needs rayon and mimalloc), so it is written here, small.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

/// An object with more distinct keys than this is a map keyed by data (ids as keys): its
/// further keys are not listed one by one, and the schema allows any.
const MOST_PROPERTIES: usize = 256;

/// Nesting deeper than this is described as "any value" (serde_json reads 128 levels at most).
const DEEPEST: usize = 32;

/// What the values seen so far at one place had in common.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sketch {
    seen: u64,
    null: bool,
    boolean: bool,
    integer: bool,
    fraction: bool,
    string: bool,
    object: Option<ObjectSketch>,
    array: Option<ArraySketch>,
    /// Nested past [`DEEPEST`]: anything.
    any: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct ObjectSketch {
    objects: u64,
    properties: BTreeMap<String, (u64, Sketch)>,
    /// Keys beyond [`MOST_PROPERTIES`] were seen.
    open: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct ArraySketch {
    items: Option<Box<Sketch>>,
}

impl Sketch {
    /// Folds one more value in.
    pub fn add(&mut self, value: &Value) {
        self.add_at(value, 0);
    }

    /// How many values were folded in.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    fn add_at(&mut self, value: &Value, depth: usize) {
        self.seen += 1;
        if depth >= DEEPEST {
            self.any = true;
            return;
        }
        match value {
            Value::Null => self.null = true,
            Value::Bool(_) => self.boolean = true,
            Value::Number(number) => {
                if number.is_i64() || number.is_u64() {
                    self.integer = true;
                } else {
                    self.fraction = true;
                }
            }
            Value::String(_) => self.string = true,
            Value::Array(items) => {
                let array = self.array.get_or_insert_with(ArraySketch::default);
                for item in items {
                    array
                        .items
                        .get_or_insert_with(Box::default)
                        .add_at(item, depth + 1);
                }
            }
            Value::Object(fields) => {
                let object = self.object.get_or_insert_with(ObjectSketch::default);
                object.objects += 1;
                for (key, field) in fields {
                    let known = object.properties.len();
                    let slot = match object.properties.get_mut(key) {
                        Some(slot) => slot,
                        None if known >= MOST_PROPERTIES => {
                            object.open = true;
                            continue;
                        }
                        None => object.properties.entry(key.clone()).or_default(),
                    };
                    slot.0 += 1;
                    slot.1.add_at(field, depth + 1);
                }
            }
        }
    }

    /// The schema, as a JSON Schema (2020-12) document.
    pub fn to_schema(&self) -> Value {
        let mut schema = self.describe();
        if let Value::Object(fields) = &mut schema {
            fields.insert(
                "$schema".into(),
                json!("https://json-schema.org/draft/2020-12/schema"),
            );
        }
        schema
    }

    fn describe(&self) -> Value {
        if self.any || self.seen == 0 {
            return json!({});
        }
        let mut types = Vec::new();
        if self.null {
            types.push("null");
        }
        if self.boolean {
            types.push("boolean");
        }
        // An integer is a number: a field seen with both is a number.
        match (self.integer, self.fraction) {
            (true, false) => types.push("integer"),
            (_, true) => types.push("number"),
            (false, false) => {}
        }
        if self.string {
            types.push("string");
        }
        if self.array.is_some() {
            types.push("array");
        }
        if self.object.is_some() {
            types.push("object");
        }
        let mut schema = Map::new();
        schema.insert(
            "type".into(),
            match types.as_slice() {
                [one] => json!(one),
                many => json!(many),
            },
        );
        if let Some(object) = &self.object {
            let properties: Map<String, Value> = object
                .properties
                .iter()
                .map(|(key, (_, sketch))| (key.clone(), sketch.describe()))
                .collect();
            let required: Vec<&String> = object
                .properties
                .iter()
                .filter(|(_, (count, _))| *count == object.objects)
                .map(|(key, _)| key)
                .collect();
            schema.insert("properties".into(), Value::Object(properties));
            if !required.is_empty() {
                schema.insert("required".into(), json!(required));
            }
            if !object.open {
                schema.insert("additionalProperties".into(), json!(false));
            }
        }
        if let Some(ArraySketch { items: Some(items) }) = &self.array {
            schema.insert("items".into(), items.describe());
        }
        Value::Object(schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sketch(values: &[Value]) -> Value {
        let mut sketch = Sketch::default();
        for value in values {
            sketch.add(value);
        }
        let mut schema = sketch.to_schema();
        if let Value::Object(fields) = &mut schema {
            fields.remove("$schema");
        }
        schema
    }

    #[test]
    fn a_field_is_required_only_when_every_payload_had_it() {
        let schema = sketch(&[
            json!({"id": "a", "total": 12, "note": null}),
            json!({"id": "b", "total": 12.5}),
        ]);
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "note": {"type": "null"},
                    "total": {"type": "number"}
                },
                "required": ["id", "total"],
                "additionalProperties": false
            })
        );
    }

    #[test]
    fn arrays_describe_their_items_and_mixed_fields_list_their_types() {
        let schema = sketch(&[
            json!({"lines": [{"sku": "A", "qty": 1}], "code": 7}),
            json!({"lines": [], "code": "x"}),
        ]);
        assert_eq!(
            schema["properties"]["code"],
            json!({"type": ["integer", "string"]})
        );
        assert_eq!(
            schema["properties"]["lines"]["items"]["required"],
            json!(["qty", "sku"])
        );
    }

    #[test]
    fn a_map_keyed_by_data_stops_listing_keys_and_stays_open() {
        let wide: Map<String, Value> = (0..MOST_PROPERTIES + 10)
            .map(|n| (format!("k{n}"), json!(n)))
            .collect();
        let schema = sketch(&[Value::Object(wide)]);
        assert_eq!(
            schema["properties"].as_object().map(Map::len),
            Some(MOST_PROPERTIES)
        );
        assert!(schema.get("additionalProperties").is_none());
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            (-1e6f64..1e6).prop_map(|n| json!(n)),
            "[a-z]{0,4}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-d]", inner, 0..4)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    /// What the inferred schema says, checked directly: the value's type is listed, every
    /// required field is there, no unlisted field is there, and so on down.
    fn admits(schema: &Value, value: &Value) -> bool {
        let Some(types) = schema.get("type") else {
            return true;
        };
        let listed: Vec<&str> = match types {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => return false,
        };
        let kind = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let typed = listed.contains(&kind) || (kind == "integer" && listed.contains(&"number"));
        typed
            && match value {
                Value::Array(items) => items
                    .iter()
                    .all(|item| schema.get("items").is_some_and(|items| admits(items, item))),
                Value::Object(fields) => {
                    let properties = &schema["properties"];
                    let required_there = schema["required"].as_array().is_none_or(|required| {
                        required
                            .iter()
                            .filter_map(Value::as_str)
                            .all(|key| fields.contains_key(key))
                    });
                    required_there
                        && fields.iter().all(|(key, field)| match properties.get(key) {
                            Some(property) => admits(property, field),
                            None => schema.get("additionalProperties") != Some(&json!(false)),
                        })
                }
                _ => true,
            }
    }

    proptest! {
        #[test]
        fn every_value_seen_is_admitted_by_the_inferred_schema(
            values in prop::collection::vec(any_json(), 1..6)
        ) {
            let schema = sketch(&values);
            for value in &values {
                prop_assert!(admits(&schema, value), "{} refuses {}", schema, value);
            }
        }
    }
}
