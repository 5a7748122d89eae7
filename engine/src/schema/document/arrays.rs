//! The rules of an array schema: `items` (one schema or a tuple), `additionalItems`,
//! `contains`, uniqueness and counts.

use serde_json::{Map, Value};

use super::draft::Draft;
use super::loader::{count, wrong_type, Loaded, Loader};
use super::model::*;

impl<'a> Loader<'a> {
    pub(super) fn array_rules(
        &mut self,
        at: &str,
        object: &'a Map<String, Value>,
        requires_type: bool,
    ) -> Loaded<ArrayRules> {
        let mut all_items = None;
        let mut tuple_items = Vec::new();
        match object.get("items") {
            None => {}
            Some(Value::Array(positions)) => {
                for (index, schema) in positions.iter().enumerate() {
                    tuple_items.push(self.load_child(
                        at,
                        &["items", &index.to_string()],
                        schema,
                    )?);
                }
            }
            Some(schema) => all_items = Some(self.load_child(at, &["items"], schema)?),
        }
        let unique_items = match object.get("uniqueItems") {
            None => false,
            Some(Value::Bool(unique)) => *unique,
            Some(_) => return Err(wrong_type(at, "uniqueItems", "a boolean")),
        };
        let mut contains = None;
        if self.draft != Draft::Four {
            if let Some(contained) = object.get("contains") {
                contains = Some(self.load_child(at, &["contains"], contained)?);
            }
        }
        Ok(ArrayRules {
            all_items,
            tuple_items,
            additional_items: self.additional(at, object, "additionalItems")?,
            unique_items,
            min_items: count(at, object, "minItems")?,
            max_items: count(at, object, "maxItems")?,
            // Not draft 7 keywords: read when numbers, ignored otherwise, as Confluent does.
            min_contains: object.get("minContains").and_then(Value::as_f64),
            max_contains: object.get("maxContains").and_then(Value::as_f64),
            contains,
            requires_type,
        })
    }

    pub(super) fn additional(
        &mut self,
        at: &str,
        object: &'a Map<String, Value>,
        keyword: &'static str,
    ) -> Loaded<Additional> {
        match object.get(keyword) {
            None => Ok(Additional::default()),
            Some(Value::Bool(permitted)) => Ok(Additional {
                permitted: *permitted,
                schema: None,
            }),
            Some(schema @ Value::Object(_)) => Ok(Additional {
                permitted: true,
                schema: Some(self.load_child(at, &[keyword], schema)?),
            }),
            Some(_) => Err(wrong_type(at, keyword, "a boolean or a schema")),
        }
    }
}
