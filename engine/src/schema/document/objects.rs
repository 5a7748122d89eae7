//! The rules of an object schema: properties, `required`, `patternProperties`,
//! `additionalProperties`, `dependencies`, `propertyNames` and counts.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::draft::Draft;
use super::loader::{count, wrong_type, Loaded, Loader};
use super::model::*;
use crate::schema::pattern::Pattern;

impl<'a> Loader<'a> {
    pub(super) fn object_rules(
        &mut self,
        at: &str,
        object: &'a Map<String, Value>,
        requires_type: bool,
    ) -> Loaded<ObjectRules> {
        let mut properties = BTreeMap::new();
        if let Some(value) = object.get("properties") {
            let definitions = value
                .as_object()
                .ok_or_else(|| wrong_type(at, "properties", "an object"))?;
            for (name, schema) in definitions {
                // A property called like the id keyword, with a non-schema value, is the
                // schema's id written in the wrong place; the loader skips it.
                if name == self.draft.id_keyword() && !schema.is_object() {
                    continue;
                }
                properties.insert(
                    name.clone(),
                    self.load_child(at, &["properties", name], schema)?,
                );
            }
        }

        let mut required = BTreeSet::new();
        if let Some(value) = object.get("required") {
            let names = value
                .as_array()
                .ok_or_else(|| wrong_type(at, "required", "an array of property names"))?;
            for name in names {
                let name = name
                    .as_str()
                    .ok_or_else(|| wrong_type(at, "required", "an array of property names"))?;
                required.insert(name.to_string());
            }
        }

        let additional_properties = self.additional(at, object, "additionalProperties")?;

        let mut pattern_properties = Vec::new();
        if let Some(value) = object.get("patternProperties") {
            let patterns = value
                .as_object()
                .ok_or_else(|| wrong_type(at, "patternProperties", "an object"))?;
            for (pattern, schema) in patterns {
                let schema = self.load_child(at, &["patternProperties", pattern], schema)?;
                pattern_properties.push((Pattern::new(pattern), schema));
            }
        }

        let mut property_dependencies = BTreeMap::new();
        let mut schema_dependencies = BTreeMap::new();
        if let Some(value) = object.get("dependencies") {
            let dependencies = value
                .as_object()
                .ok_or_else(|| wrong_type(at, "dependencies", "an object"))?;
            for (name, dependency) in dependencies {
                match dependency {
                    Value::Array(names) => {
                        let names = names
                            .iter()
                            .map(|name| {
                                name.as_str().map(str::to_string).ok_or_else(|| {
                                    wrong_type(at, "dependencies", "property names or schemas")
                                })
                            })
                            .collect::<Loaded<_>>()?;
                        property_dependencies.insert(name.clone(), names);
                    }
                    Value::Object(_) | Value::Bool(_) => {
                        let schema = self.load_child(at, &["dependencies", name], dependency)?;
                        schema_dependencies.insert(name.clone(), schema);
                    }
                    _ => return Err(wrong_type(at, "dependencies", "property names or schemas")),
                }
            }
        }

        if self.draft == Draft::TwentyTwelve {
            self.dependent_keywords(
                at,
                object,
                &mut property_dependencies,
                &mut schema_dependencies,
            )?;
        }

        let mut property_names = None;
        if self.draft != Draft::Four {
            if let Some(names) = object.get("propertyNames") {
                property_names = Some(self.load_child(at, &["propertyNames"], names)?);
            }
        }

        let unevaluated_properties = self.unevaluated(at, object, "unevaluatedProperties")?;
        Ok(ObjectRules {
            properties,
            required,
            additional_properties,
            pattern_properties,
            property_dependencies,
            schema_dependencies,
            min_properties: count(at, object, "minProperties")?,
            max_properties: count(at, object, "maxProperties")?,
            property_names,
            unevaluated_properties,
            owner: self.current,
            requires_type,
        })
    }

    /// `dependentRequired` and `dependentSchemas` (2020-12): the two halves of `dependencies`,
    /// kept where `dependencies` keeps them (Confluent compares them as `dependencies` too).
    fn dependent_keywords(
        &mut self,
        at: &str,
        object: &'a Map<String, Value>,
        property_dependencies: &mut BTreeMap<String, BTreeSet<String>>,
        schema_dependencies: &mut BTreeMap<String, NodeId>,
    ) -> Loaded<()> {
        if let Some(value) = object.get("dependentRequired") {
            let expected = "an object of arrays of property names";
            let dependencies = value
                .as_object()
                .ok_or_else(|| wrong_type(at, "dependentRequired", expected))?;
            for (name, needed) in dependencies {
                let needed = needed
                    .as_array()
                    .ok_or_else(|| wrong_type(at, "dependentRequired", expected))?;
                let entry = property_dependencies.entry(name.clone()).or_default();
                for other in needed {
                    let other = other
                        .as_str()
                        .ok_or_else(|| wrong_type(at, "dependentRequired", expected))?;
                    entry.insert(other.to_string());
                }
            }
        }
        if let Some(value) = object.get("dependentSchemas") {
            let dependencies = value
                .as_object()
                .ok_or_else(|| wrong_type(at, "dependentSchemas", "an object of schemas"))?;
            for (name, dependency) in dependencies {
                // A name under both `dependencies` and `dependentSchemas` must match both.
                let schema = self.load_child(at, &["dependentSchemas", name], dependency)?;
                let schema = match schema_dependencies.get(name) {
                    Some(&earlier) => self.both(earlier, schema),
                    None => schema,
                };
                schema_dependencies.insert(name.clone(), schema);
            }
        }
        Ok(())
    }
}
