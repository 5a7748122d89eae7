//! Whether a payload matches a schema, and if not, why: every [`Violation`], each at its place
//! in the payload, in words a user can act on.
//!
//! Validation walks the typed model [`JsonSchema::parse`] builds (the one the compatibility diff
//! compares), with the semantics of draft 7 (and of drafts 4, 6 and 2020-12 where the loader
//! reads a document as one of them; 2020-12's `unevaluatedProperties` and `unevaluatedItems`
//! see what the schema object's other keywords evaluated, through `allOf`, `$ref`, the
//! alternatives that matched, `if` and `dependentSchemas`: see `evaluated`):
//!
//! - Keywords that imply a type without `type` naming it constrain only values of that type:
//!   `{"maxLength": 3}` accepts `5`. `format` is an annotation and checks nothing.
//! - `integer` accepts `1.0` (draft 6 and later; not in draft 4). `enum`, `const` and
//!   `uniqueItems` compare numbers by value, so `1` equals `1.0`. Bounds compare exactly, even
//!   between a large integer and a float; `multipleOf` with a fractional divisor divides the
//!   decimals both numbers are written as, so `0.3` is a multiple of `0.1`.
//! - Lengths count characters (Unicode scalar values), not bytes. `pattern` searches anywhere
//!   in the string (it is not anchored), with ECMA 262's `.` and `\s`; a pattern `regex_lite`
//!   cannot run makes every string fail, with a violation saying so, rather than pass unchecked.
//! - A `$ref` cycle that comes back to a schema for the same value without going into it
//!   (`{"anyOf": [{"$ref": "#"}]}`) adds nothing and is not followed again, so validation ends
//!   on every schema; otherwise it descends with the value, which is finite.
//!
//! Violations come in a fixed order: a schema's own checks in the order of its keywords, then
//! the members of an object (in the value's order) or the items of an array. For `anyOf` and
//! `oneOf` one violation names the keyword, never the alternatives' own failures; a list of
//! types (`"type": ["string", "null"]`) reports `type`, or the failures of the one alternative
//! whose type the value has.
//!
//! # Layout
//! - `scalars`: strings and numbers; `numbers`: exact comparison and `multipleOf`.
//! - `objects`, `arrays`: members and items, `additionalProperties` and `additionalItems`.
//! - `combinators`: `allOf`, `anyOf`, `oneOf`, lists of types, `if`/`then`/`else`.
//! - `evaluated`: what `unevaluatedProperties` and `unevaluatedItems` look through.
//! - `equality`: JSON equality for `enum`, `const` and `uniqueItems`.
//! - `words`: how a violation says what it found.

mod arrays;
mod combinators;
mod equality;
mod evaluated;
mod numbers;
mod objects;
mod scalars;
#[cfg(test)]
mod tests;
mod words;

use std::fmt;

use serde_json::Value;

use super::document::{Draft, JsonSchema, Kind, NodeId};
use equality::equal;
use words::{describe, list, one_of, render, type_phrase};

/// One reason a value does not match a schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer into the validated value, "" for the root, e.g. "/lines/0/quantity".
    pub instance_path: String,
    /// The keyword that failed: "type", "required", "minimum", "pattern", "additionalProperties",
    /// "enum", "const", "oneOf", ...; "false" for a `false` schema.
    pub keyword: &'static str,
    /// A plain-English sentence for a user, e.g. "must be at least 1, found 0" or "is required
    /// but missing".
    pub message: String,
}

impl fmt::Display for Violation {
    /// `/lines/0/quantity: must be at least 1, found 0 (minimum)`; the root is `(root)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.instance_path.is_empty() {
            "(root)"
        } else {
            &self.instance_path
        };
        write!(f, "{path}: {} ({})", self.message, self.keyword)
    }
}

impl JsonSchema {
    /// Every violation, in document order (deterministic), empty if the value is valid.
    ///
    /// ```
    /// use eventide_engine::schema::JsonSchema;
    /// use serde_json::json;
    ///
    /// let schema = JsonSchema::parse(json!({
    ///     "type": "object",
    ///     "properties": {"quantity": {"type": "integer", "minimum": 1}},
    ///     "required": ["customer", "quantity"],
    /// }))
    /// .expect("a valid schema");
    /// let found: Vec<String> = schema
    ///     .violations(&json!({"quantity": 0}))
    ///     .iter()
    ///     .map(ToString::to_string)
    ///     .collect();
    /// assert_eq!(
    ///     found,
    ///     [
    ///         "/customer: is required but missing (required)",
    ///         "/quantity: must be at least 1, found 0 (minimum)",
    ///     ]
    /// );
    /// ```
    pub fn violations(&self, value: &Value) -> Vec<Violation> {
        let mut walker = Walker::new(self, true);
        walker.check(self.root(), value);
        walker.found.unwrap_or_default()
    }

    /// Whether the value matches the schema: [`violations`](Self::violations) is empty. Stops
    /// at the first failure.
    pub fn is_valid(&self, value: &Value) -> bool {
        Walker::new(self, false).check(self.root(), value)
    }
}

/// Skips the rest of a schema's checks after a failure when only validity matters, and goes on
/// collecting otherwise: `require!(self, ok, check)`.
macro_rules! require {
    ($walker:expr, $ok:ident, $check:expr) => {
        let passed = $check;
        if !passed {
            $ok = false;
            if $walker.found.is_none() {
                return false;
            }
        }
    };
}
pub(crate) use require;

/// One validation: where it is in the value and what it found.
struct Walker<'s> {
    schema: &'s JsonSchema,
    /// The violations so far; `None` while only validity matters (`is_valid`, or trying an
    /// alternative of `anyOf`, `oneOf`, `not`, `if` or `contains`).
    found: Option<Vec<Violation>>,
    /// The JSON pointer of the value being checked.
    path: String,
    /// The references being followed, each with the value it was followed for. Meeting one
    /// again means the schema loops without going into the value: that adds no constraint.
    following: Vec<(NodeId, *const Value)>,
}

impl<'s> Walker<'s> {
    fn new(schema: &'s JsonSchema, collect: bool) -> Self {
        Walker {
            schema,
            found: collect.then(Vec::new),
            path: String::new(),
            following: Vec::new(),
        }
    }

    fn draft(&self) -> Draft {
        self.schema.draft()
    }

    /// Records a violation at the current path; always `false`, for `require!`.
    fn fail(&mut self, keyword: &'static str, message: impl FnOnce() -> String) -> bool {
        if let Some(found) = &mut self.found {
            found.push(Violation {
                instance_path: self.path.clone(),
                keyword,
                message: message(),
            });
        }
        false
    }

    /// Records a violation at a member of the current value (a missing or forbidden property,
    /// an item past a tuple's end).
    fn fail_at(
        &mut self,
        segment: &str,
        keyword: &'static str,
        message: impl FnOnce() -> String,
    ) -> bool {
        let length = self.enter(segment);
        let result = self.fail(keyword, message);
        self.path.truncate(length);
        result
    }

    /// Appends a token to the path; returns the length to truncate back to. The path is only
    /// kept while collecting: nothing else reads it.
    fn enter(&mut self, segment: &str) -> usize {
        let length = self.path.len();
        if self.found.is_none() {
            return length;
        }
        self.path.push('/');
        for c in segment.chars() {
            match c {
                '~' => self.path.push_str("~0"),
                '/' => self.path.push_str("~1"),
                c => self.path.push(c),
            }
        }
        length
    }

    /// Checks a member of the current value against a schema.
    fn child(&mut self, segment: &str, id: NodeId, value: &Value) -> bool {
        let length = self.enter(segment);
        let result = self.check(id, value);
        self.path.truncate(length);
        result
    }

    /// Whether the value matches, recording nothing.
    fn trial(&mut self, id: NodeId, value: &Value) -> bool {
        let found = self.found.take();
        let result = self.check(id, value);
        self.found = found;
        result
    }

    fn check(&mut self, id: NodeId, value: &Value) -> bool {
        let target = self.schema.resolve(id);
        if target == id {
            return self.check_kind(id, value);
        }
        let key = (target, value as *const Value);
        if self.following.contains(&key) {
            return true;
        }
        self.following.push(key);
        let result = self.check_kind(target, value);
        self.following.pop();
        result
    }

    fn check_kind(&mut self, id: NodeId, value: &Value) -> bool {
        let schema = self.schema;
        match &schema.node(id).kind {
            Kind::Empty | Kind::True => true,
            Kind::False => self.fail("false", || "is not allowed here".to_string()),
            Kind::Null => value.is_null() || self.wrong_type(&["null"], value),
            Kind::Boolean => value.is_boolean() || self.wrong_type(&["boolean"], value),
            Kind::String(rules) => self.string(rules, value),
            Kind::Number(rules) => self.number(rules, value),
            Kind::Object(rules) => self.object(rules, value),
            Kind::Array(rules) => self.array(rules, value),
            Kind::Enum(allowed) => {
                allowed.iter().any(|candidate| equal(candidate, value))
                    || self.fail("enum", || {
                        format!("must be {}, found {}", one_of(allowed), describe(value))
                    })
            }
            Kind::Const(expected) => {
                equal(expected, value)
                    || self.fail("const", || {
                        format!("must be {}, found {}", render(expected), describe(value))
                    })
            }
            Kind::Not(negated) => {
                !self.trial(*negated, value)
                    || self.fail("not", || {
                        "matches the schema under \"not\", which it must not".to_string()
                    })
            }
            Kind::Combined(combined) => self.combined(combined, value),
            Kind::Conditional(conditional) => self.conditional(*conditional, value),
            Kind::Reference(target) => self.check(*target, value),
        }
    }

    fn wrong_type(&mut self, expected: &[&str], value: &Value) -> bool {
        self.fail("type", || {
            format!(
                "must be {}, found {}",
                list(expected.iter().map(|name| type_phrase(name)), "or"),
                describe(value)
            )
        })
    }
}
