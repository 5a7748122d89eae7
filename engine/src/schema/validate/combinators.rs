//! Combined schemas: `allOf` (every violation of every part), `anyOf` and `oneOf` (one
//! violation naming the keyword), a list of types, and `if`/`then`/`else`.

use serde_json::Value;

use super::numbers::is_integer;
use super::words::alternatives_phrase;
use super::{require, Walker};
use crate::schema::document::{Combined, Conditional, Criterion, Draft, JsonSchema, Kind, NodeId};

impl Walker<'_> {
    pub(super) fn combined(&mut self, combined: &Combined, value: &Value) -> bool {
        let alternatives = &combined.subschemas;
        match combined.criterion {
            Criterion::All => {
                let mut ok = true;
                for &part in alternatives {
                    require!(self, ok, self.check(part, value));
                }
                ok
            }
            Criterion::Any if is_type_list(self.schema, alternatives) => {
                self.type_list(alternatives, value)
            }
            Criterion::Any => {
                alternatives.iter().any(|&part| self.trial(part, value))
                    || self.fail("anyOf", || {
                        format!(
                            "matches none of {}",
                            alternatives_phrase(alternatives.len())
                        )
                    })
            }
            Criterion::One => {
                let collecting = self.found.is_some();
                let mut matched = 0;
                for &part in alternatives {
                    if self.trial(part, value) {
                        matched += 1;
                        if matched > 1 && !collecting {
                            return false;
                        }
                    }
                }
                match matched {
                    1 => true,
                    0 => self.fail("oneOf", || {
                        format!(
                            "matches none of {}",
                            alternatives_phrase(alternatives.len())
                        )
                    }),
                    _ => self.fail("oneOf", || {
                        format!(
                            "matches {matched} of the {} alternatives, but must match exactly one",
                            alternatives.len()
                        )
                    }),
                }
            }
        }
    }

    /// `"type": [...]`: a `type` violation when the value has none of the types, otherwise the
    /// violations of the (first) alternative of the value's type.
    pub(super) fn type_list(&mut self, members: &[NodeId], value: &Value) -> bool {
        let schema = self.schema;
        let draft = self.draft();
        let fitting: Vec<NodeId> = members
            .iter()
            .copied()
            .filter(|&member| fits_type(&schema.node(member).kind, value, draft))
            .collect();
        match fitting.as_slice() {
            [] => {
                let names: Vec<&str> = members
                    .iter()
                    .filter_map(|&member| schema.type_member(member))
                    .collect();
                self.wrong_type(&names, value)
            }
            [only] => self.check(*only, value),
            [first, ..] => {
                fitting.iter().any(|&member| self.trial(member, value)) || self.check(*first, value)
            }
        }
    }

    pub(super) fn conditional(&mut self, conditional: Conditional, value: &Value) -> bool {
        let Some(condition) = conditional.condition else {
            return true;
        };
        let branch = if self.trial(condition, value) {
            conditional.then
        } else {
            conditional.otherwise
        };
        branch.is_none_or(|branch| self.check(branch, value))
    }
}

/// Whether the alternatives of an `anyOf` are the members of a `"type": [...]` list.
pub(super) fn is_type_list(schema: &JsonSchema, alternatives: &[NodeId]) -> bool {
    alternatives
        .first()
        .is_some_and(|&first| schema.type_member(first).is_some())
}

/// Whether a value has the type a `type` member names (its other keywords aside).
pub(super) fn fits_type(kind: &Kind, value: &Value, draft: Draft) -> bool {
    match kind {
        Kind::Null => value.is_null(),
        Kind::Boolean => value.is_boolean(),
        Kind::String(_) => value.is_string(),
        Kind::Object(_) => value.is_object(),
        Kind::Array(_) => value.is_array(),
        Kind::Number(rules) => match value {
            Value::Number(number) => !rules.requires_integer || is_integer(number, draft),
            _ => false,
        },
        _ => true,
    }
}
