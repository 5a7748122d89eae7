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
        let mut rest = None;
        if self.draft == Draft::TwentyTwelve {
            if let Some(prefix) = object.get("prefixItems") {
                let positions = prefix
                    .as_array()
                    .ok_or_else(|| wrong_type(at, "prefixItems", "an array of schemas"))?;
                for (index, schema) in positions.iter().enumerate() {
                    let at_index = index.to_string();
                    tuple_items.push(self.load_child(at, &["prefixItems", &at_index], schema)?);
                }
            }
            // `items` is one schema: for every item, or for those after `prefixItems`. As
            // Confluent reads it, `true` says nothing and `false` closes the array.
            match object.get("items") {
                None => {}
                Some(Value::Bool(permitted)) => {
                    rest = Some(Additional {
                        permitted: *permitted,
                        schema: None,
                    })
                }
                Some(schema @ Value::Object(_)) => {
                    let schema = self.load_child(at, &["items"], schema)?;
                    if object.contains_key("prefixItems") {
                        rest = Some(Additional {
                            permitted: true,
                            schema: Some(schema),
                        });
                    } else {
                        all_items = Some(schema);
                    }
                }
                Some(_) => return Err(wrong_type(at, "items", "a schema")),
            }
        } else {
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
                    rest = Some(self.additional(at, object, "additionalItems")?);
                }
                Some(schema) => all_items = Some(self.load_child(at, &["items"], schema)?),
            }
        }
        let rest_applies = rest.is_some();
        let additional_items = match rest {
            Some(rest) => rest,
            // Without a tuple `additionalItems` checks nothing, but Confluent still compares it.
            None if self.draft != Draft::TwentyTwelve => {
                self.additional(at, object, "additionalItems")?
            }
            None => Additional::default(),
        };
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
        // Draft 7 has no `minContains` or `maxContains`: read when numbers, for the diff, as
        // Confluent does. In 2020-12 they are counts that bound `contains`, which alone asks for
        // at least one matching item: Confluent's model writes that 1 out, and so does this one.
        let (min_contains, max_contains) = if self.draft == Draft::TwentyTwelve {
            match contains {
                Some(_) => (
                    Some(count(at, object, "minContains")?.unwrap_or(1) as f64),
                    count(at, object, "maxContains")?.map(|count| count as f64),
                ),
                None => (None, None),
            }
        } else {
            (
                object.get("minContains").and_then(Value::as_f64),
                object.get("maxContains").and_then(Value::as_f64),
            )
        };
        Ok(ArrayRules {
            all_items,
            tuple_items,
            additional_items,
            rest_applies,
            unique_items,
            min_items: count(at, object, "minItems")?,
            max_items: count(at, object, "maxItems")?,
            min_contains,
            max_contains,
            contains,
            unevaluated_items: self.unevaluated(at, object, "unevaluatedItems")?,
            owner: self.current,
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

    /// `unevaluatedProperties` or `unevaluatedItems` (2020-12 only): a schema, `false` included.
    pub(super) fn unevaluated(
        &mut self,
        at: &str,
        object: &'a Map<String, Value>,
        keyword: &'static str,
    ) -> Loaded<Option<NodeId>> {
        if self.draft != Draft::TwentyTwelve {
            return Ok(None);
        }
        match object.get(keyword) {
            None => Ok(None),
            Some(schema @ (Value::Bool(_) | Value::Object(_))) => {
                Ok(Some(self.load_child(at, &[keyword], schema)?))
            }
            Some(_) => Err(wrong_type(at, keyword, "a schema")),
        }
    }
}
