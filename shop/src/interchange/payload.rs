//! Payloads read against their event type. serde says *what* is wrong ("invalid type: string,
//! expected u32") but, from a `Value`, not *where*; so a payload that does not fit is taken
//! apart: each of its fields is grafted alone onto the catalog's example of the same type, and
//! the first graft that fails is the field to name (`data.lines[1].quantity`).

use serde_json::Value;

use super::error::FieldProblem;
use crate::event_catalog;
use crate::events::{ShopEvent, ShopEventKind};
use eventide_engine::envelope::Named;
use eventide_engine::schema::JsonSchema;

/// One step into a template: a key of an object, or the single element of an array.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    First,
}

/// Reads payloads, keeping one example payload per event type to compare against.
#[derive(Default)]
pub(super) struct PayloadReader {
    templates: Vec<Option<Value>>,
    /// Each type's version-1 schema, loaded when first needed.
    schemas: Vec<Option<JsonSchema>>,
}

impl PayloadReader {
    /// The event `data` describes, or the field that is wrong, spelled from `name` (the
    /// payload's own field in the file: `data` or `payload`).
    pub(super) fn read(
        &mut self,
        kind: ShopEventKind,
        data: &Value,
        name: &str,
    ) -> Result<ShopEvent, (String, FieldProblem)> {
        if let Some(violation) = self
            .schema(kind)
            .and_then(|schema| schema.violations(data).into_iter().next())
        {
            let field =
                violation
                    .instance_path
                    .split('/')
                    .skip(1)
                    .fold(String::new(), |path, step| match step.parse::<usize>() {
                        Ok(index) => format!("{path}[{index}]"),
                        Err(_) => join(&path, step),
                    });
            let problem = match violation.keyword {
                "required" => FieldProblem::Missing,
                keyword => FieldProblem::SchemaViolation {
                    event_type: kind.name(),
                    rule: format!("{} ({keyword})", violation.message),
                },
            };
            return Err((join(name, &field), problem));
        }
        let template = self.template(kind);
        if let Some(field) = unknown_field(template, data, name) {
            return Err((
                field,
                FieldProblem::Unknown {
                    of: format!("the payload of {}", kind.name()),
                },
            ));
        }
        match fits(kind, data) {
            Ok(event) => Ok(event),
            Err(message) => {
                let (field, problem) = misfit(kind, template, &mut Vec::new(), template, data)
                    .unwrap_or((String::new(), mismatch(kind, message)));
                Err((join(name, &field), problem))
            }
        }
    }

    fn schema(&mut self, kind: ShopEventKind) -> Option<&JsonSchema> {
        if self.schemas.is_empty() {
            self.schemas = vec![None; ShopEventKind::ALL.len()];
        }
        let slot = &mut self.schemas[kind.index()];
        if slot.is_none() {
            *slot = JsonSchema::parse(event_catalog::schema(kind)).ok();
        }
        slot.as_ref()
    }

    fn template(&mut self, kind: ShopEventKind) -> &Value {
        if self.templates.is_empty() {
            self.templates = vec![None; ShopEventKind::ALL.len()];
        }
        self.templates[kind.index()].get_or_insert_with(|| {
            single_elements(event_catalog::payload(&event_catalog::example(kind)))
        })
    }
}

fn mismatch(kind: ShopEventKind, message: String) -> FieldProblem {
    FieldProblem::PayloadMismatch {
        event_type: kind.name(),
        message,
    }
}

/// The event, if `payload` deserialises as `kind`; serde's message if not.
fn fits(kind: ShopEventKind, payload: &Value) -> Result<ShopEvent, String> {
    event_catalog::from_payload(kind, payload)
}

/// Every array cut to its first element, so a graft into element 0 tests that element alone.
fn single_elements(value: Value) -> Value {
    match value {
        Value::Array(items) => {
            Value::Array(items.into_iter().take(1).map(single_elements).collect())
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| (key, single_elements(value)))
                .collect(),
        ),
        other => other,
    }
}

/// The first key of `data` (depth first) that the template has no place for.
fn unknown_field(template: &Value, data: &Value, path: &str) -> Option<String> {
    match (template, data) {
        (Value::Object(known), Value::Object(given)) => given.iter().find_map(|(key, value)| {
            let here = join(path, key);
            match known.get(key) {
                None => Some(here),
                Some(inner) => unknown_field(inner, value, &here),
            }
        }),
        (Value::Array(known), Value::Array(given)) => known.first().and_then(|inner| {
            given
                .iter()
                .enumerate()
                .find_map(|(i, value)| unknown_field(inner, value, &format!("{path}[{i}]")))
        }),
        _ => None,
    }
}

/// `path.key`, or `path[i]` when `key` is an index; either side may be empty.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() || key.is_empty() || key.starts_with('[') {
        format!("{path}{key}")
    } else {
        format!("{path}.{key}")
    }
}

/// The example payload with `value` put at `path` (or the key there removed, for `None`).
fn graft(root: &Value, path: &[Step], value: Option<&Value>) -> Value {
    let mut grafted = root.clone();
    put(&mut grafted, path, value);
    grafted
}

fn put(spot: &mut Value, path: &[Step], value: Option<&Value>) {
    match (path, spot) {
        ([], spot) => *spot = value.cloned().unwrap_or(Value::Null),
        ([Step::Key(key)], Value::Object(map)) => match value {
            Some(value) => {
                map.insert(key.clone(), value.clone());
            }
            None => {
                map.remove(key);
            }
        },
        ([Step::Key(key), rest @ ..], Value::Object(map)) => {
            if let Some(inner) = map.get_mut(key) {
                put(inner, rest, value);
            }
        }
        ([Step::First, rest @ ..], Value::Array(items)) => {
            if let Some(first) = items.first_mut() {
                put(first, rest, value);
            }
        }
        // The path was built by walking this very template, so it always leads somewhere.
        _ => {}
    }
}

/// The first part of `given` that does not fit where the template has `expected`, as a path
/// relative to `path` and a problem. `None` when `given` fits there.
fn misfit(
    kind: ShopEventKind,
    root: &Value,
    path: &mut Vec<Step>,
    expected: &Value,
    given: &Value,
) -> Option<(String, FieldProblem)> {
    let message = fits(kind, &graft(root, path, Some(given))).err()?;
    match (expected, given) {
        (Value::Object(fields), Value::Object(values)) => {
            for (key, inner) in fields {
                path.push(Step::Key(key.clone()));
                let found = match values.get(key) {
                    None => fits(kind, &graft(root, path, None))
                        .err()
                        .map(|_| (key.clone(), FieldProblem::Missing)),
                    Some(value) => misfit(kind, root, path, inner, value)
                        .map(|(below, problem)| (join(key, &below), problem)),
                };
                path.pop();
                if found.is_some() {
                    return found;
                }
            }
        }
        (Value::Array(items), Value::Array(values)) if !items.is_empty() => {
            path.push(Step::First);
            let found = values.iter().enumerate().find_map(|(i, value)| {
                misfit(kind, root, path, &items[0], value)
                    .map(|(below, problem)| (join(&format!("[{i}]"), &below), problem))
            });
            path.pop();
            if found.is_some() {
                return found;
            }
        }
        _ => {}
    }
    Some((String::new(), mismatch(kind, message)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(kind: ShopEventKind, data: Value) -> Result<ShopEvent, (String, FieldProblem)> {
        PayloadReader::default().read(kind, &data, "data")
    }

    #[test]
    fn a_fitting_payload_reads_as_its_event() {
        let example = event_catalog::example(ShopEventKind::OrderPlaced);
        let read = read(ShopEventKind::OrderPlaced, event_catalog::payload(&example));
        assert_eq!(read, Ok(example));
    }

    #[test]
    fn a_wrong_field_deep_in_a_line_is_named() {
        let data = json!({
            "order": "O-0001", "customer": "C-001", "total": 100,
            "lines": [
                {"sku": "SKU-01", "quantity": 1, "unit_price": 100},
                {"sku": "SKU-02", "quantity": "two", "unit_price": 100},
            ],
        });
        let (field, problem) = read(ShopEventKind::OrderPlaced, data).unwrap_err();
        assert_eq!(field, "data.lines[1].quantity");
        assert!(
            matches!(&problem, FieldProblem::SchemaViolation { rule, .. } if rule.contains("must be an integer")),
            "{problem}"
        );
    }

    #[test]
    fn a_missing_field_and_an_unknown_one_are_named() {
        let data = json!({"order": "O-0001", "amount": 5});
        assert_eq!(
            read(ShopEventKind::PaymentProcessed, data),
            Err(("data.customer".to_string(), FieldProblem::Missing))
        );
        let data = json!({"sku": "SKU-01", "quantity": 5, "colour": "red"});
        assert_eq!(
            read(ShopEventKind::StockReceived, data).unwrap_err().0,
            "data.colour"
        );
    }

    #[test]
    fn a_payload_that_is_not_an_object_is_named_as_a_whole() {
        let (field, _) = read(ShopEventKind::StockReceived, json!(7)).unwrap_err();
        assert_eq!(field, "data");
    }
}
