//! What `unevaluatedProperties` and `unevaluatedItems` (2020-12) look through: the members and
//! items that the other keywords of a schema object evaluated, in place, on the same value.
//!
//! A member is evaluated by `properties`, a matching `patternProperties`, or
//! `additionalProperties`; an item by `prefixItems`, `items` or a `contains` it matches; and,
//! through the in-place keywords, by the subschemas of `allOf`, `$ref`, the `anyOf` and `oneOf`
//! alternatives that match, `if` when it matches and the branch that applies, and
//! `dependentSchemas` whose property is present. A subschema's own `unevaluated*` evaluates the
//! rest. `not` evaluates nothing, and neither does a failed alternative: its annotations are
//! dropped, as JSON Schema drops them.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Walker;
use crate::schema::document::{Criterion, Kind, NodeId};

/// The members and items of one value that a schema evaluated.
#[derive(Default)]
pub(super) struct Evaluated {
    /// Every member (`additionalProperties`, or a nested `unevaluatedProperties`).
    pub all_members: bool,
    pub members: BTreeSet<String>,
    /// Every item (`items`, or a nested `unevaluatedItems`).
    pub all_items: bool,
    /// The items before this index (`prefixItems`).
    pub prefix: usize,
    /// Items a `contains` matched.
    pub items: BTreeSet<usize>,
}

impl Evaluated {
    pub(super) fn has_member(&self, name: &str) -> bool {
        self.all_members || self.members.contains(name)
    }

    pub(super) fn has_item(&self, index: usize) -> bool {
        self.all_items || index < self.prefix || self.items.contains(&index)
    }
}

impl Walker<'_> {
    /// What the schema object `owner` (the node whose `unevaluated*` is being checked)
    /// evaluated of `value`. Its own `unevaluated*` keywords are left out: they are what asks.
    pub(super) fn evaluated(&mut self, owner: NodeId, value: &Value) -> Evaluated {
        let mut found = Evaluated::default();
        self.collect(owner, owner, value, &mut found);
        found
    }

    fn collect(&mut self, owner: NodeId, id: NodeId, value: &Value, found: &mut Evaluated) {
        // A `$ref` (even one beside other keywords, in 2020-12) stands for what it points to.
        let target = self.schema.resolve(id);
        if target != id {
            // The same guard as validation's: a reference loop that does not go into the value
            // adds nothing.
            let key = (target, value as *const Value);
            if self.following.contains(&key) {
                return;
            }
            self.following.push(key);
            self.collect(owner, target, value, found);
            self.following.pop();
            return;
        }
        let schema = self.schema;
        match &schema.node(id).kind {
            Kind::Object(rules) => {
                let Value::Object(members) = value else {
                    return;
                };
                let additional = rules.additional_properties;
                let nested = rules.owner != owner && rules.unevaluated_properties.is_some();
                if nested || !additional.permitted || additional.schema.is_some() {
                    found.all_members = true;
                }
                for name in members.keys() {
                    let by_pattern = rules
                        .pattern_properties
                        .iter()
                        .any(|(pattern, _)| pattern.find_in(name) == Some(true));
                    if by_pattern || rules.properties.contains_key(name) {
                        found.members.insert(name.clone());
                    }
                }
                for (present, &dependency) in &rules.schema_dependencies {
                    if members.contains_key(present) && self.trial(dependency, value) {
                        self.collect(owner, dependency, value, found);
                    }
                }
            }
            Kind::Array(rules) => {
                let Value::Array(items) = value else {
                    return;
                };
                let nested = rules.owner != owner && rules.unevaluated_items.is_some();
                let rest = rules.rest_applies && {
                    let additional = rules.additional_items;
                    !additional.permitted || additional.schema.is_some()
                };
                if nested || rules.all_items.is_some() || rest {
                    found.all_items = true;
                }
                found.prefix = found.prefix.max(rules.tuple_items.len().min(items.len()));
                if let Some(contained) = rules.contains {
                    for (index, item) in items.iter().enumerate() {
                        if self.trial(contained, item) {
                            found.items.insert(index);
                        }
                    }
                }
            }
            Kind::Combined(combined) => {
                for &part in &combined.subschemas {
                    // Every part of an `allOf` applies (when one fails, so does the whole);
                    // only the alternatives that match count.
                    if combined.criterion == Criterion::All || self.trial(part, value) {
                        self.collect(owner, part, value, found);
                    }
                }
            }
            Kind::Conditional(conditional) => {
                let Some(condition) = conditional.condition else {
                    return;
                };
                let branch = if self.trial(condition, value) {
                    self.collect(owner, condition, value, found);
                    conditional.then
                } else {
                    conditional.otherwise
                };
                if let Some(branch) = branch {
                    if self.trial(branch, value) {
                        self.collect(owner, branch, value, found);
                    }
                }
            }
            _ => {}
        }
    }
}
