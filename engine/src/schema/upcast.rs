//! Upcasters: how an event written at schema version n reads as version n + 1.
//!
//! An event log never rewrites what it recorded, so when a payload's schema evolves the old
//! events stay as they were written and are *upcast* on the way to their readers. Each step
//! from one version to the next is declared as data, a list of [`UpcastStep`]s, so it can be
//! shown, saved with a scenario, checked against every recorded event before it is registered,
//! and reasoned about ("after this step, the field `customer` is called `buyer`").
//!
//! Steps act on the payload's top-level fields, which is where event payloads evolve in
//! practice (a nested change is a new field holding the new shape).

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One transformation of a payload's top-level fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum UpcastStep {
    /// The field `from` is now called `to`; its value is kept.
    Rename { from: String, to: String },
    /// A new field, set to `value` on events that do not have it.
    AddDefault { field: String, value: Value },
    /// A text field cut at `separator` into several fields, in order; a missing part is "".
    /// The last field keeps the rest of the text, separators included.
    Split {
        from: String,
        into: Vec<String>,
        separator: String,
    },
    /// Several fields joined into one, in order, with `separator` between their texts.
    Merge {
        from: Vec<String>,
        into: String,
        separator: String,
    },
    /// A field dropped: readers of the new version no longer see it.
    Remove { field: String },
    /// Values of `field` replaced: each pair is (old value, new value). Other values are kept.
    MapValues {
        field: String,
        mapping: Vec<(Value, Value)>,
    },
}

/// Why a payload could not be upcast. Upcasters are checked against every recorded event
/// before they are registered, so a reader never meets one of these for a stored event.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UpcastError {
    #[error("the payload is not a JSON object")]
    NotAnObject,
    #[error("step {step}: the payload has no field \"{field}\"")]
    MissingField { step: usize, field: String },
    #[error("step {step}: the field \"{field}\" already exists")]
    FieldExists { step: usize, field: String },
    #[error("step {step}: \"{field}\" is not text, so it cannot be split or merged")]
    NotText { step: usize, field: String },
}

impl UpcastStep {
    /// The fields this step takes away from a payload (renamed, split or merged).
    pub fn removes(&self) -> Vec<&str> {
        match self {
            UpcastStep::Rename { from, .. } | UpcastStep::Split { from, .. } => vec![from],
            UpcastStep::Remove { field } => vec![field],
            UpcastStep::Merge { from, .. } => from.iter().map(String::as_str).collect(),
            UpcastStep::AddDefault { .. } | UpcastStep::MapValues { .. } => Vec::new(),
        }
    }

    fn apply(&self, step: usize, fields: &mut Map<String, Value>) -> Result<(), UpcastError> {
        let missing = |field: &str| UpcastError::MissingField {
            step,
            field: field.to_string(),
        };
        let exists = |field: &str| UpcastError::FieldExists {
            step,
            field: field.to_string(),
        };
        match self {
            UpcastStep::Rename { from, to } => {
                if from == to {
                    return Ok(());
                }
                if fields.contains_key(to) {
                    return Err(exists(to));
                }
                let value = fields.remove(from).ok_or_else(|| missing(from))?;
                fields.insert(to.clone(), value);
            }
            UpcastStep::AddDefault { field, value } => {
                fields.entry(field.clone()).or_insert_with(|| value.clone());
            }
            UpcastStep::Remove { field } => {
                fields.remove(field).ok_or_else(|| missing(field))?;
            }
            UpcastStep::Split {
                from,
                into,
                separator,
            } => {
                let value = fields.get(from).ok_or_else(|| missing(from))?;
                let text = value.as_str().ok_or_else(|| UpcastError::NotText {
                    step,
                    field: from.clone(),
                })?;
                let parts: Vec<String> = if separator.is_empty() || into.len() < 2 {
                    vec![text.to_string()]
                } else {
                    text.splitn(into.len(), separator.as_str())
                        .map(str::to_string)
                        .collect()
                };
                if let Some(taken) = into.iter().find(|f| *f != from && fields.contains_key(*f)) {
                    return Err(exists(taken));
                }
                fields.remove(from);
                for (index, field) in into.iter().enumerate() {
                    let part = parts.get(index).cloned().unwrap_or_default();
                    fields.insert(field.clone(), Value::String(part));
                }
            }
            UpcastStep::Merge {
                from,
                into,
                separator,
            } => {
                let mut texts = Vec::with_capacity(from.len());
                for field in from {
                    let value = fields.get(field).ok_or_else(|| missing(field))?;
                    texts.push(match value {
                        Value::String(text) => text.clone(),
                        Value::Number(number) => number.to_string(),
                        Value::Bool(flag) => flag.to_string(),
                        _ => {
                            return Err(UpcastError::NotText {
                                step,
                                field: field.clone(),
                            })
                        }
                    });
                }
                if !from.contains(into) && fields.contains_key(into) {
                    return Err(exists(into));
                }
                for field in from {
                    fields.remove(field);
                }
                fields.insert(into.clone(), Value::String(texts.join(separator)));
            }
            UpcastStep::MapValues { field, mapping } => {
                let value = fields.get_mut(field).ok_or_else(|| missing(field))?;
                if let Some((_, new)) = mapping.iter().find(|(old, _)| old == value) {
                    *value = new.clone();
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for UpcastStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UpcastStep::Rename { from, to } => write!(f, "rename \"{from}\" to \"{to}\""),
            UpcastStep::AddDefault { field, value } => write!(f, "add \"{field}\" = {value}"),
            UpcastStep::Remove { field } => write!(f, "remove \"{field}\""),
            UpcastStep::Split {
                from,
                into,
                separator,
            } => write!(f, "split \"{from}\" at {separator:?} into {}", quoted(into)),
            UpcastStep::Merge {
                from,
                into,
                separator,
            } => write!(
                f,
                "merge {} with {separator:?} into \"{into}\"",
                quoted(from)
            ),
            UpcastStep::MapValues { field, mapping } => {
                let pairs: Vec<String> = mapping
                    .iter()
                    .map(|(old, new)| format!("{old} → {new}"))
                    .collect();
                write!(f, "map \"{field}\": {}", pairs.join(", "))
            }
        }
    }
}

fn quoted(fields: &[String]) -> String {
    let names: Vec<String> = fields.iter().map(|f| format!("\"{f}\"")).collect();
    names.join(", ")
}

/// What an upcaster does to one field of the earlier version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldFate {
    /// Still there, under this name: its own, or the one a rename (or a one-part split or
    /// merge) gave it.
    Kept(String),
    /// A step removed it.
    Removed,
    /// Cut into these fields.
    Split(Vec<String>),
    /// Joined with other fields into this one.
    Merged(String),
}

/// The steps from one schema version to the next, applied in order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Upcaster {
    pub steps: Vec<UpcastStep>,
}

impl Upcaster {
    pub fn new(steps: Vec<UpcastStep>) -> Upcaster {
        Upcaster { steps }
    }

    /// The payload one version on. The original is not touched.
    pub fn apply(&self, payload: &Value) -> Result<Value, UpcastError> {
        let Value::Object(fields) = payload else {
            return Err(UpcastError::NotAnObject);
        };
        let mut fields = fields.clone();
        for (index, step) in self.steps.iter().enumerate() {
            step.apply(index + 1, &mut fields)?;
        }
        Ok(Value::Object(fields))
    }

    /// Follows a field of the earlier version through the steps: its name one version on, or
    /// `None` when a step removed it or a split or merge folded it into other fields.
    pub fn field_after(&self, field: &str) -> Option<String> {
        match self.fate(field) {
            FieldFate::Kept(name) => Some(name),
            FieldFate::Removed | FieldFate::Split(_) | FieldFate::Merged(_) => None,
        }
    }

    /// What the steps do to a field of the earlier version: keep it (perhaps renamed), remove
    /// it, or fold it into other fields. The first step that takes it away decides.
    pub fn fate(&self, field: &str) -> FieldFate {
        let mut name = field.to_string();
        for step in &self.steps {
            match step {
                UpcastStep::Rename { from, to } if *from == name => name = to.clone(),
                UpcastStep::Remove { field } if *field == name => return FieldFate::Removed,
                UpcastStep::Split { from, into, .. } if *from == name => match into.as_slice() {
                    [only] => name = only.clone(),
                    _ => return FieldFate::Split(into.clone()),
                },
                UpcastStep::Merge { from, into, .. } if from.contains(&name) => {
                    if from.len() == 1 {
                        name = into.clone();
                    } else {
                        return FieldFate::Merged(into.clone());
                    }
                }
                _ => {}
            }
        }
        FieldFate::Kept(name)
    }

    /// The value mappings that apply to a field of the earlier version, in step order.
    pub fn mappings_of(&self, field: &str) -> Vec<&[(Value, Value)]> {
        let mut name = field.to_string();
        let mut found = Vec::new();
        for step in &self.steps {
            match step {
                UpcastStep::MapValues { field, mapping } if *field == name => {
                    found.push(&mapping[..])
                }
                UpcastStep::Rename { from, to } if *from == name => name = to.clone(),
                _ => {}
            }
        }
        found
    }
}

impl fmt::Display for Upcaster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.steps.is_empty() {
            return f.write_str("no change to the payload");
        }
        let steps: Vec<String> = self.steps.iter().map(ToString::to_string).collect();
        f.write_str(&steps.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rename(from: &str, to: &str) -> UpcastStep {
        UpcastStep::Rename {
            from: from.into(),
            to: to.into(),
        }
    }

    #[test]
    fn rename_moves_the_value_and_keeps_the_original() {
        let original = json!({"customer": "C-007", "total": 3800});
        let upcast = Upcaster::new(vec![rename("customer", "buyer")])
            .apply(&original)
            .unwrap();
        assert_eq!(upcast, json!({"buyer": "C-007", "total": 3800}));
        assert_eq!(original["customer"], "C-007");
    }

    #[test]
    fn add_default_fills_only_what_is_missing() {
        let step = UpcastStep::AddDefault {
            field: "currency".into(),
            value: json!("EUR"),
        };
        let upcaster = Upcaster::new(vec![step]);
        assert_eq!(
            upcaster.apply(&json!({"total": 1})).unwrap(),
            json!({"total": 1, "currency": "EUR"})
        );
        assert_eq!(
            upcaster.apply(&json!({"currency": "USD"})).unwrap(),
            json!({"currency": "USD"})
        );
    }

    #[test]
    fn split_and_merge_are_inverse_on_text() {
        let split = UpcastStep::Split {
            from: "name".into(),
            into: vec!["first".into(), "last".into()],
            separator: " ".into(),
        };
        let merge = UpcastStep::Merge {
            from: vec!["first".into(), "last".into()],
            into: "name".into(),
            separator: " ".into(),
        };
        let original = json!({"name": "Ada King Lovelace"});
        let split_up = Upcaster::new(vec![split]).apply(&original).unwrap();
        assert_eq!(split_up, json!({"first": "Ada", "last": "King Lovelace"}));
        assert_eq!(
            Upcaster::new(vec![merge]).apply(&split_up).unwrap(),
            original
        );
    }

    #[test]
    fn a_split_with_fewer_parts_fills_with_empty_text() {
        let split = UpcastStep::Split {
            from: "name".into(),
            into: vec!["first".into(), "last".into()],
            separator: " ".into(),
        };
        assert_eq!(
            Upcaster::new(vec![split])
                .apply(&json!({"name": "Ada"}))
                .unwrap(),
            json!({"first": "Ada", "last": ""})
        );
    }

    #[test]
    fn map_values_replaces_listed_values_only() {
        let step = UpcastStep::MapValues {
            field: "carrier".into(),
            mapping: vec![(json!("DHL"), json!("dhl-express"))],
        };
        let upcaster = Upcaster::new(vec![step]);
        assert_eq!(
            upcaster.apply(&json!({"carrier": "DHL"})).unwrap()["carrier"],
            "dhl-express"
        );
        assert_eq!(
            upcaster.apply(&json!({"carrier": "UPS"})).unwrap()["carrier"],
            "UPS"
        );
    }

    #[test]
    fn errors_name_the_step_and_the_field() {
        let upcaster = Upcaster::new(vec![rename("total", "sum"), rename("nope", "x")]);
        assert_eq!(
            upcaster.apply(&json!({"total": 1})),
            Err(UpcastError::MissingField {
                step: 2,
                field: "nope".into()
            })
        );
        assert_eq!(
            Upcaster::new(vec![rename("a", "b")]).apply(&json!({"a": 1, "b": 2})),
            Err(UpcastError::FieldExists {
                step: 1,
                field: "b".into()
            })
        );
        assert_eq!(
            Upcaster::default().apply(&json!([1])),
            Err(UpcastError::NotAnObject)
        );
    }

    #[test]
    fn fields_are_followed_through_renames_and_lost_in_splits() {
        let upcaster = Upcaster::new(vec![
            rename("customer", "buyer"),
            rename("buyer", "customer_id"),
            UpcastStep::Split {
                from: "name".into(),
                into: vec!["first".into(), "last".into()],
                separator: " ".into(),
            },
        ]);
        assert_eq!(
            upcaster.field_after("customer").as_deref(),
            Some("customer_id")
        );
        assert_eq!(upcaster.field_after("total").as_deref(), Some("total"));
        assert_eq!(upcaster.field_after("name"), None);
    }

    #[test]
    fn steps_read_and_write_as_plain_json() {
        let text = r#"[{"rename": {"from": "customer", "to": "buyer"}},
                       {"add_default": {"field": "currency", "value": "EUR"}},
                       {"map_values": {"field": "carrier", "mapping": [["DHL", "dhl"]]}}]"#;
        let upcaster: Upcaster = serde_json::from_str(text).unwrap();
        assert_eq!(upcaster.steps.len(), 3);
        let again: Upcaster =
            serde_json::from_value(serde_json::to_value(&upcaster).unwrap()).unwrap();
        assert_eq!(again, upcaster);
        assert_eq!(
            upcaster.to_string(),
            "rename \"customer\" to \"buyer\"; add \"currency\" = \"EUR\"; map \"carrier\": \"DHL\" → \"dhl\""
        );
        assert!(serde_json::from_str::<Upcaster>(r#"[{"rename": {"from": "a"}}]"#).is_err());
    }
}
