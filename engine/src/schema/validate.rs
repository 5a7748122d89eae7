//! Whether a payload matches a schema, and if not, why: every [`Violation`], each at its place
//! in the payload, in words a user can act on.
//!
//! Validation walks the typed model [`JsonSchema::parse`] builds (the one the compatibility diff
//! compares), with the semantics of draft 7 (and of drafts 4 and 6 where the loader reads a
//! document as one of them):
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

use std::cmp::Ordering;
use std::fmt;

use regex_lite::Regex;
use serde_json::{Map, Number, Value};

use super::document::{
    Additional, ArrayRules, Combined, Conditional, Criterion, Draft, JsonSchema, Kind, NodeId,
    NumberRules, ObjectRules, StringRules,
};

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

    fn string(&mut self, rules: &StringRules, value: &Value) -> bool {
        let Value::String(text) = value else {
            return !rules.requires_type || self.wrong_type(&["string"], value);
        };
        let mut ok = true;
        if rules.min_length.is_some() || rules.max_length.is_some() {
            let length = text.chars().count() as u64;
            if let Some(minimum) = rules.min_length {
                require!(
                    self,
                    ok,
                    length >= minimum
                        || self.fail("minLength", || {
                            format!(
                                "must be at least {} long, found {length}",
                                counted(minimum, "character")
                            )
                        })
                );
            }
            if let Some(maximum) = rules.max_length {
                require!(
                    self,
                    ok,
                    length <= maximum
                        || self.fail("maxLength", || {
                            format!(
                                "must be at most {} long, found {length}",
                                counted(maximum, "character")
                            )
                        })
                );
            }
        }
        if let Some(pattern) = &rules.pattern {
            let matches = rules.regex.as_ref().map(|regex| regex.is_match(text));
            require!(
                self,
                ok,
                matches == Some(true)
                    || self.fail("pattern", || match matches {
                        Some(_) => {
                            format!(
                                "must match the pattern \"{pattern}\", found {}",
                                describe(value)
                            )
                        }
                        None => format!(
                            "cannot be checked: the pattern \"{pattern}\" is not a regular \
                             expression this validator supports"
                        ),
                    })
            );
        }
        ok
    }

    fn number(&mut self, rules: &NumberRules, value: &Value) -> bool {
        let expected: &[&str] = if rules.requires_integer {
            &["integer"]
        } else {
            &["number"]
        };
        let Value::Number(number) = value else {
            return !rules.requires_type || self.wrong_type(expected, value);
        };
        let mut ok = true;
        if rules.requires_integer && !is_integer(number, self.draft()) {
            return self.wrong_type(expected, value);
        }
        if let Some(minimum) = &rules.minimum {
            let order = compare(number, minimum);
            if rules.minimum_is_exclusive {
                require!(
                    self,
                    ok,
                    order == Ordering::Greater
                        || self.fail("exclusiveMinimum", || {
                            format!("must be greater than {minimum}, found {number}")
                        })
                );
            } else {
                require!(
                    self,
                    ok,
                    order != Ordering::Less
                        || self.fail("minimum", || {
                            format!("must be at least {minimum}, found {number}")
                        })
                );
            }
        }
        if let Some(limit) = &rules.exclusive_minimum {
            require!(
                self,
                ok,
                compare(number, limit) == Ordering::Greater
                    || self.fail("exclusiveMinimum", || {
                        format!("must be greater than {limit}, found {number}")
                    })
            );
        }
        if let Some(maximum) = &rules.maximum {
            let order = compare(number, maximum);
            if rules.maximum_is_exclusive {
                require!(
                    self,
                    ok,
                    order == Ordering::Less
                        || self.fail("exclusiveMaximum", || {
                            format!("must be less than {maximum}, found {number}")
                        })
                );
            } else {
                require!(
                    self,
                    ok,
                    order != Ordering::Greater
                        || self.fail("maximum", || {
                            format!("must be at most {maximum}, found {number}")
                        })
                );
            }
        }
        if let Some(limit) = &rules.exclusive_maximum {
            require!(
                self,
                ok,
                compare(number, limit) == Ordering::Less
                    || self.fail("exclusiveMaximum", || {
                        format!("must be less than {limit}, found {number}")
                    })
            );
        }
        if let Some(divisor) = &rules.multiple_of {
            require!(
                self,
                ok,
                is_multiple_of(number, divisor)
                    || self.fail("multipleOf", || {
                        format!("must be a multiple of {divisor}, found {number}")
                    })
            );
        }
        ok
    }

    fn object(&mut self, rules: &ObjectRules, value: &Value) -> bool {
        let Value::Object(members) = value else {
            return !rules.requires_type || self.wrong_type(&["object"], value);
        };
        let mut ok = true;
        let count = members.len() as u64;
        if let Some(minimum) = rules.min_properties {
            require!(
                self,
                ok,
                count >= minimum
                    || self.fail("minProperties", || {
                        format!(
                            "must have at least {}, found {count}",
                            counted(minimum, "property")
                        )
                    })
            );
        }
        if let Some(maximum) = rules.max_properties {
            require!(
                self,
                ok,
                count <= maximum
                    || self.fail("maxProperties", || {
                        format!(
                            "must have at most {}, found {count}",
                            counted(maximum, "property")
                        )
                    })
            );
        }
        for name in &rules.required {
            require!(
                self,
                ok,
                members.contains_key(name)
                    || self.fail_at(name, "required", || "is required but missing".to_string())
            );
        }
        for (present, needed) in &rules.property_dependencies {
            if !members.contains_key(present) {
                continue;
            }
            for name in needed {
                require!(
                    self,
                    ok,
                    members.contains_key(name)
                        || self.fail_at(name, "dependencies", || {
                            format!("is required when \"{present}\" is present, but missing")
                        })
                );
            }
        }
        for (present, dependency) in &rules.schema_dependencies {
            if members.contains_key(present) {
                require!(self, ok, self.check(*dependency, value));
            }
        }
        for (name, member) in members {
            require!(self, ok, self.member(rules, name, member));
        }
        ok
    }

    /// One member of an object: its name, and the schemas of `properties`, `patternProperties`
    /// or else `additionalProperties`.
    fn member(&mut self, rules: &ObjectRules, name: &str, member: &Value) -> bool {
        let mut ok = true;
        if let Some(names) = rules.property_names {
            let name_value = Value::String(name.to_string());
            require!(
                self,
                ok,
                self.trial(names, &name_value)
                    || self.fail_at(name, "propertyNames", || {
                        "has a name that \"propertyNames\" does not allow".to_string()
                    })
            );
        }
        let mut described = false;
        if let Some(&schema) = rules.properties.get(name) {
            described = true;
            require!(self, ok, self.child(name, schema, member));
        }
        for (matcher, (_, schema)) in rules.pattern_matchers.iter().zip(&rules.pattern_properties) {
            if matcher.is_match(name) {
                described = true;
                require!(self, ok, self.child(name, *schema, member));
            }
        }
        if !described {
            require!(
                self,
                ok,
                self.additional(
                    "additionalProperties",
                    rules.additional_properties,
                    name,
                    member,
                    || "is not an allowed property".to_string()
                )
            );
        }
        ok
    }

    /// `additionalProperties` or `additionalItems` for one member or item.
    fn additional(
        &mut self,
        keyword: &'static str,
        additional: Additional,
        segment: &str,
        value: &Value,
        forbidden: impl FnOnce() -> String,
    ) -> bool {
        if !additional.permitted {
            return self.fail_at(segment, keyword, forbidden);
        }
        match additional.schema {
            Some(schema) => self.child(segment, schema, value),
            None => true,
        }
    }

    fn array(&mut self, rules: &ArrayRules, value: &Value) -> bool {
        let Value::Array(items) = value else {
            return !rules.requires_type || self.wrong_type(&["array"], value);
        };
        let mut ok = true;
        let count = items.len() as u64;
        if let Some(minimum) = rules.min_items {
            require!(
                self,
                ok,
                count >= minimum
                    || self.fail("minItems", || {
                        format!(
                            "must have at least {}, found {count}",
                            counted(minimum, "item")
                        )
                    })
            );
        }
        if let Some(maximum) = rules.max_items {
            require!(
                self,
                ok,
                count <= maximum
                    || self.fail("maxItems", || {
                        format!(
                            "must have at most {}, found {count}",
                            counted(maximum, "item")
                        )
                    })
            );
        }
        if rules.unique_items {
            if let Some((first, second)) = first_duplicate(items) {
                require!(
                    self,
                    ok,
                    self.fail("uniqueItems", || {
                        format!("must not repeat an item, but items {first} and {second} are equal")
                    })
                );
            }
        }
        if let Some(contained) = rules.contains {
            require!(
                self,
                ok,
                items.iter().any(|item| self.trial(contained, item))
                    || self.fail("contains", || {
                        "must contain an item that matches the schema under \"contains\", found \
                         none"
                            .to_string()
                    })
            );
        }
        for (index, item) in items.iter().enumerate() {
            let segment = index.to_string();
            if let Some(schema) = rules.all_items {
                require!(self, ok, self.child(&segment, schema, item));
            } else if let Some(&schema) = rules.tuple_items.get(index) {
                require!(self, ok, self.child(&segment, schema, item));
            } else if !rules.tuple_items.is_empty() {
                let positions = rules.tuple_items.len();
                require!(
                    self,
                    ok,
                    self.additional(
                        "additionalItems",
                        rules.additional_items,
                        &segment,
                        item,
                        || {
                            format!(
                                "is not allowed: the array may have at most {}",
                                counted(positions as u64, "item")
                            )
                        }
                    )
                );
            }
        }
        ok
    }

    fn combined(&mut self, combined: &Combined, value: &Value) -> bool {
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
    fn type_list(&mut self, members: &[NodeId], value: &Value) -> bool {
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

    fn conditional(&mut self, conditional: Conditional, value: &Value) -> bool {
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
fn is_type_list(schema: &JsonSchema, alternatives: &[NodeId]) -> bool {
    alternatives
        .first()
        .is_some_and(|&first| schema.type_member(first).is_some())
}

/// Whether a value has the type a `type` member names (its other keywords aside).
fn fits_type(kind: &Kind, value: &Value, draft: Draft) -> bool {
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

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

/// A number held as an integer (`i64` or `u64`), exactly.
fn exact(number: &Number) -> Option<i128> {
    number
        .as_i64()
        .map(i128::from)
        .or_else(|| number.as_u64().map(i128::from))
}

fn float(number: &Number) -> f64 {
    number.as_f64().unwrap_or(f64::NAN)
}

/// Whether a number is an integer: any whole number from draft 6 on (`1.0` is), only one
/// written without a fraction or an exponent in draft 4.
fn is_integer(number: &Number, draft: Draft) -> bool {
    if exact(number).is_some() {
        return true;
    }
    let value = float(number);
    draft != Draft::Four && value.is_finite() && value.fract() == 0.0
}

/// Orders two numbers by value, exactly, even an integer past 2^53 against a float.
fn compare(a: &Number, b: &Number) -> Ordering {
    match (exact(a), exact(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(x), None) => compare_integer_float(x, float(b)),
        (None, Some(y)) => compare_integer_float(y, float(a)).reverse(),
        (None, None) => float(a).partial_cmp(&float(b)).unwrap_or(Ordering::Equal),
    }
}

/// `integer` against `float`, exactly (no rounding of the integer to a float).
fn compare_integer_float(integer: i128, float: f64) -> Ordering {
    // 2^127: beyond it no i128 reaches; below it a float's integer part fits an i128 exactly.
    const LIMIT: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
    if float.is_nan() {
        return Ordering::Equal;
    }
    if float >= LIMIT {
        return Ordering::Less;
    }
    if float < -LIMIT {
        return Ordering::Greater;
    }
    let whole = float.trunc();
    // In range (checked above), so the cast is exact.
    #[allow(clippy::cast_possible_truncation)]
    let whole_integer = whole as i128;
    integer.cmp(&whole_integer).then(if float > whole {
        Ordering::Less
    } else if float < whole {
        Ordering::Greater
    } else {
        Ordering::Equal
    })
}

/// `multipleOf`: whether `value / divisor` is an integer. Integers divide exactly; a float by a
/// whole divisor divides exactly too (the remainder of two floats is exact); a fractional
/// divisor divides the decimals both numbers are written as (`0.3` by `0.1`), as JSON means
/// them, not the binary fractions that approximate them.
fn is_multiple_of(value: &Number, divisor: &Number) -> bool {
    let value_float = float(value);
    if value_float == 0.0 {
        return true;
    }
    let divisor_float = float(divisor);
    let whole_divisor = exact(divisor).or_else(|| {
        (divisor_float.fract() == 0.0 && divisor_float.abs() < 9.0e18)
            // Whole and in range, so the cast is exact.
            .then_some(divisor_float as i128)
    });
    if let Some(whole_divisor) = whole_divisor {
        if whole_divisor == 0 {
            return false;
        }
        return match exact(value) {
            Some(integer) => integer % whole_divisor == 0,
            None => value_float.fract() == 0.0 && value_float % divisor_float == 0.0,
        };
    }
    if value_float.abs() < divisor_float.abs() {
        return false;
    }
    let value_decimal = match exact(value) {
        Some(integer) => Some((integer, 0)),
        None => decimal(value_float),
    };
    match (value_decimal, decimal(divisor_float)) {
        (Some(value), Some(divisor)) => divides(value, divisor),
        _ => (value_float / divisor_float).fract() == 0.0,
    }
}

/// A finite float as the shortest decimal that reads back as it: `(mantissa, scale)` with
/// `value = mantissa / 10^scale`; `0.1` is `(1, 1)`, `1e300` is `(1, -300)`.
fn decimal(value: f64) -> Option<(i128, i32)> {
    if !value.is_finite() {
        return None;
    }
    let text = format!("{value:e}");
    let (digits, exponent) = text.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let (negative, digits) = match digits.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, digits),
    };
    let fraction_digits = digits
        .split_once('.')
        .map_or(0, |(_, fraction)| fraction.len());
    let mantissa: i128 = digits.replace('.', "").parse().ok()?;
    let scale = i32::try_from(fraction_digits).ok()? - exponent;
    Some((if negative { -mantissa } else { mantissa }, scale))
}

/// Whether `a / 10^p` divided by `b / 10^q` is an integer.
fn divides((a, p): (i128, i32), (b, q): (i128, i32)) -> bool {
    let (a, b) = (a.unsigned_abs(), b.unsigned_abs());
    if b == 0 {
        return false;
    }
    if q >= p {
        // a * 10^(q - p) divisible by b: the remainder, a digit at a time (b < 10^18).
        let mut remainder = a % b;
        for _ in 0..(q - p) {
            if remainder == 0 {
                break;
            }
            remainder = remainder * 10 % b;
        }
        remainder == 0
    } else {
        // a divisible by b * 10^(p - q); when that overflows it is larger than a (a != 0).
        let Ok(places) = u32::try_from(p - q) else {
            return false;
        };
        10u128
            .checked_pow(places)
            .and_then(|power| power.checked_mul(b))
            .is_some_and(|scaled| a % scaled == 0)
    }
}

// ---------------------------------------------------------------------------------------------
// JSON equality
// ---------------------------------------------------------------------------------------------

/// JSON equality, with numbers compared by value (`1` equals `1.0`).
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => compare(x, y) == Ordering::Equal,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| equal(x, y)))
        }
        _ => a == b,
    }
}

/// A total order on JSON values whose equality is [`equal`], for finding duplicates by sorting.
fn order(a: &Value, b: &Value) -> Ordering {
    fn rank(value: &Value) -> u8 {
        match value {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
        }
    }
    fn sorted(object: &Map<String, Value>) -> Vec<(&String, &Value)> {
        let mut members: Vec<_> = object.iter().collect();
        members.sort_by(|a, b| a.0.cmp(b.0));
        members
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => compare(x, y),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .map(|(x, y)| order(x, y))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| x.len().cmp(&y.len())),
        (Value::Object(x), Value::Object(y)) => x.len().cmp(&y.len()).then_with(|| {
            sorted(x)
                .into_iter()
                .zip(sorted(y))
                .map(|((xk, xv), (yk, yv))| xk.cmp(yk).then_with(|| order(xv, yv)))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        }),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// The first pair of equal items (by the second item's index), if any: `O(n log n)`.
fn first_duplicate(items: &[Value]) -> Option<(usize, usize)> {
    let mut indexes: Vec<usize> = (0..items.len()).collect();
    // Stable: equal items stay in index order, so each run starts with its first two indexes.
    indexes.sort_by(|&a, &b| order(&items[a], &items[b]));
    indexes
        .windows(2)
        .filter(|pair| order(&items[pair[0]], &items[pair[1]]).is_eq())
        .map(|pair| (pair[0], pair[1]))
        .min_by_key(|&(_, second)| second)
}

// ---------------------------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------------------------

/// At most this many characters of a value in a message.
const SHOWN: usize = 60;

/// A value as JSON text, cut short when long.
fn render(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// What a message says it found: scalars as they are, containers by their type.
fn describe(value: &Value) -> String {
    match value {
        Value::Object(_) => "an object".to_string(),
        Value::Array(_) => "an array".to_string(),
        _ => render(value),
    }
}

fn type_phrase(name: &str) -> &'static str {
    match name {
        "null" => "null",
        "boolean" => "a boolean",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "array" => "an array",
        "object" => "an object",
        _ => "a value of a known type",
    }
}

/// `a`, `a or b`, `a, b or c`.
fn list(items: impl Iterator<Item = impl fmt::Display>, conjunction: &str) -> String {
    let items: Vec<String> = items.map(|item| item.to_string()).collect();
    match items.as_slice() {
        [] => "of no type".to_string(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

/// `"a"`, `one of "a" or "b"`, or for many, how many.
fn one_of(allowed: &[Value]) -> String {
    match allowed.len() {
        0 => "nothing (the enum is empty)".to_string(),
        1 => render(&allowed[0]),
        2..=6 => format!("one of {}", list(allowed.iter().map(render), "or")),
        many => format!("one of the {many} allowed values"),
    }
}

fn alternatives_phrase(count: usize) -> String {
    match count {
        1 => "the 1 alternative".to_string(),
        count => format!("the {count} alternatives"),
    }
}

/// `1 item`, `3 items`, `1 property`, `2 properties`.
fn counted(count: u64, noun: &str) -> String {
    match (count, noun.strip_suffix('y')) {
        (1, _) => format!("1 {noun}"),
        (_, Some(stem)) => format!("{count} {stem}ies"),
        (_, None) => format!("{count} {noun}s"),
    }
}

// ---------------------------------------------------------------------------------------------
// Patterns
// ---------------------------------------------------------------------------------------------

/// A JSON Schema pattern (an ECMA 262 regular expression) as a `regex_lite` one, `None` when it
/// uses what `regex_lite` lacks (look-around, back-references, `\p{..}`). `regex_lite` already
/// reads `\d`, `\w` and `\b` as ASCII, as ECMA 262 does; `.` and `\s` differ, so they are
/// spelt out: `.` stops at every line terminator (`\r`, U+2028 and U+2029 too, not only `\n`)
/// and `\s` takes in Unicode spaces (U+00A0, U+FEFF, ...), as does `\S` outside a class (inside
/// one it stays ASCII's: `regex_lite` has no nested classes).
pub(crate) fn ecma_regex(pattern: &str) -> Option<Regex> {
    Regex::new(&translate(pattern)).ok()
}

fn translate(pattern: &str) -> String {
    const DOT: &str = r"[^\n\r\x{2028}\x{2029}]";
    const SPACES: &str = r"\x09-\x0D\x20\xA0\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";
    let mut translated = String::with_capacity(pattern.len() + 16);
    let mut in_class = false;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('s') if in_class => translated.push_str(SPACES),
                Some('s') => {
                    translated.push('[');
                    translated.push_str(SPACES);
                    translated.push(']');
                }
                // `regex_lite` has no nested classes: inside one, `\S` stays ASCII's.
                Some('S') if in_class => translated.push_str(r"\S"),
                Some('S') => {
                    translated.push_str("[^");
                    translated.push_str(SPACES);
                    translated.push(']');
                }
                // `\cJ`: the control character of a letter.
                Some('c')
                    if chars
                        .clone()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic()) =>
                {
                    let letter = chars.next().map_or(0, |c| c as u32);
                    translated.push_str(&format!("\\x{{{:02X}}}", letter % 32));
                }
                Some(escaped) => {
                    translated.push('\\');
                    translated.push(escaped);
                }
                None => translated.push('\\'),
            },
            '[' if in_class => translated.push_str(r"\["),
            '[' => {
                in_class = true;
                translated.push('[');
            }
            ']' if in_class => {
                in_class = false;
                translated.push(']');
            }
            // Set operators in Rust's classes, plain characters in ECMA 262's.
            '&' | '~' if in_class => {
                translated.push('\\');
                translated.push(c);
            }
            '.' if !in_class => translated.push_str(DOT),
            c => translated.push(c),
        }
    }
    translated
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema(source: Value) -> JsonSchema {
        JsonSchema::parse(source).expect("a valid schema")
    }

    /// The violations as `path: message (keyword)` lines, checking `is_valid` agrees.
    fn found(source: Value, value: Value) -> Vec<String> {
        let schema = schema(source);
        let violations = schema.violations(&value);
        assert_eq!(
            schema.is_valid(&value),
            violations.is_empty(),
            "is_valid disagrees with violations for {value}: {violations:?}"
        );
        violations.iter().map(ToString::to_string).collect()
    }

    fn valid(source: &Value, value: Value) -> bool {
        let violations = found(source.clone(), value);
        violations.is_empty()
    }

    #[test]
    fn types_and_their_messages() {
        let cases = [
            ("null", json!(null), json!(0), "must be null, found 0"),
            (
                "boolean",
                json!(true),
                json!("true"),
                "must be a boolean, found \"true\"",
            ),
            ("string", json!("s"), json!(1), "must be a string, found 1"),
            (
                "number",
                json!(1.5),
                json!(null),
                "must be a number, found null",
            ),
            (
                "integer",
                json!(3),
                json!(1.5),
                "must be an integer, found 1.5",
            ),
            (
                "object",
                json!({}),
                json!([]),
                "must be an object, found an array",
            ),
            (
                "array",
                json!([]),
                json!({}),
                "must be an array, found an object",
            ),
        ];
        for (name, good, bad, message) in cases {
            let source = json!({"type": name});
            assert!(valid(&source, good), "{name}");
            assert_eq!(
                found(source, bad),
                [format!("(root): {message} (type)")],
                "{name}"
            );
        }
    }

    #[test]
    fn an_integer_may_be_written_with_a_fraction_of_zero_except_in_draft_4() {
        assert!(valid(&json!({"type": "integer"}), json!(1.0)));
        assert!(valid(&json!({"type": "integer"}), json!(1e300)));
        let draft_4 = json!({"$schema": "http://json-schema.org/draft-04/schema#",
                             "type": "integer"});
        assert!(!valid(&draft_4, json!(1.0)));
        assert!(valid(&draft_4, json!(1)));
    }

    #[test]
    fn a_list_of_types_reports_type_or_the_failures_of_the_matching_type() {
        let source = json!({"type": ["string", "null"], "pattern": "^O-[0-9]{4,}$"});
        assert!(valid(&source, json!(null)));
        assert!(valid(&source, json!("O-0042")));
        assert_eq!(
            found(source.clone(), json!(42)),
            ["(root): must be a string or null, found 42 (type)"]
        );
        assert_eq!(
            found(source, json!("O-1")),
            ["(root): must match the pattern \"^O-[0-9]{4,}$\", found \"O-1\" (pattern)"]
        );
        let three = json!({"type": ["integer", "boolean", "null"]});
        assert_eq!(
            found(three, json!(0.5)),
            ["(root): must be an integer, a boolean or null, found 0.5 (type)"]
        );
    }

    #[test]
    fn keywords_without_a_type_constrain_only_values_of_their_type() {
        let source = json!({"maxLength": 2, "minimum": 3, "required": ["a"], "minItems": 1});
        for value in [
            json!(null),
            json!(true),
            json!("ab"),
            json!(3),
            json!({"a": 1}),
            json!([0]),
        ] {
            assert!(valid(&source, value.clone()), "{value}");
        }
        assert!(!valid(&source, json!("abc")));
        assert!(!valid(&source, json!(2)));
        assert!(!valid(&source, json!({})));
        assert!(!valid(&source, json!([])));
        // And `format` is only an annotation.
        assert!(valid(&json!({"format": "email"}), json!(12)));
        assert!(valid(
            &json!({"type": "string", "format": "email"}),
            json!("x")
        ));
    }

    #[test]
    fn enum_and_const_compare_numbers_by_value() {
        let source = json!({"enum": [1, "a", {"b": [2.0]}]});
        assert!(valid(&source, json!(1.0)));
        assert!(valid(&source, json!({"b": [2]})));
        assert_eq!(
            found(source, json!("b")),
            ["(root): must be one of 1, \"a\" or {\"b\":[2.0]}, found \"b\" (enum)"]
        );
        let constant = json!({"const": {"x": 0}});
        assert!(valid(&constant, json!({"x": 0.0})));
        assert!(!valid(&constant, json!({"x": 0, "y": 0})));
        assert_eq!(
            found(constant, json!(false)),
            ["(root): must be {\"x\":0}, found false (const)"]
        );
        let many = json!({"enum": [1, 2, 3, 4, 5, 6, 7]});
        assert_eq!(
            found(many, json!(8)),
            ["(root): must be one of the 7 allowed values, found 8 (enum)"]
        );
    }

    #[test]
    fn lengths_count_characters_and_patterns_search() {
        let source = json!({"type": "string", "minLength": 3, "maxLength": 4});
        assert!(valid(&source, json!("ééé")));
        assert!(valid(&source, json!("😀😀😀😀")));
        assert_eq!(
            found(source.clone(), json!("ab")),
            ["(root): must be at least 3 characters long, found 2 (minLength)"]
        );
        assert_eq!(
            found(source, json!("abcde")),
            ["(root): must be at most 4 characters long, found 5 (maxLength)"]
        );
        let one = json!({"maxLength": 1});
        assert_eq!(
            found(one, json!("ab")),
            ["(root): must be at most 1 character long, found 2 (maxLength)"]
        );
        let pattern = json!({"pattern": "b+"});
        assert!(valid(&pattern, json!("abba")));
        assert!(!valid(&pattern, json!("ac")));
    }

    #[test]
    fn patterns_read_dot_and_spaces_as_ecma_262_does() {
        let dot = json!({"pattern": "^a.b$"});
        assert!(valid(&dot, json!("axb")));
        for terminator in ["a\nb", "a\rb", "a\u{2028}b", "a\u{2029}b"] {
            assert!(!valid(&dot, json!(terminator)), "{terminator:?}");
        }
        let space = json!({"pattern": "^\\s$"});
        assert!(valid(&space, json!("\u{a0}")));
        assert!(valid(&space, json!("\u{feff}")));
        assert!(!valid(&space, json!("x")));
        let not_space = json!({"pattern": "^\\S+$"});
        assert!(valid(&not_space, json!("ab")));
        assert!(!valid(&not_space, json!("a\u{3000}b")));
        let class = json!({"pattern": "^[.[&~]+$"});
        assert!(valid(&class, json!(".[&~")));
        assert!(!valid(&class, json!("x")));
        assert!(valid(&json!({"pattern": "^\\cC\\cj$"}), json!("\u{3}\n")));
        assert!(valid(&json!({"pattern": "^\\d+$"}), json!("123")));
        assert!(!valid(&json!({"pattern": "^\\d+$"}), json!("١٢٣")));
    }

    #[test]
    fn a_pattern_that_cannot_run_fails_with_a_reason() {
        let source = json!({"type": "string", "pattern": "^(?=a)"});
        assert_eq!(
            found(source.clone(), json!("a")),
            [
                "(root): cannot be checked: the pattern \"^(?=a)\" is not a regular expression \
              this validator supports (pattern)"
            ]
        );
        // Other types are not strings, so the pattern says nothing about them.
        assert!(valid(&json!({"pattern": "(?=a)"}), json!(1)));
    }

    #[test]
    fn number_bounds() {
        let source = json!({"minimum": 1, "maximum": 10.5});
        assert!(valid(&source, json!(1)));
        assert!(valid(&source, json!(10.5)));
        assert_eq!(
            found(source.clone(), json!(0)),
            ["(root): must be at least 1, found 0 (minimum)"]
        );
        assert_eq!(
            found(source, json!(11)),
            ["(root): must be at most 10.5, found 11 (maximum)"]
        );
        let exclusive = json!({"exclusiveMinimum": 0, "exclusiveMaximum": 1});
        assert!(valid(&exclusive, json!(0.5)));
        assert_eq!(
            found(exclusive.clone(), json!(0)),
            ["(root): must be greater than 0, found 0 (exclusiveMinimum)"]
        );
        assert_eq!(
            found(exclusive, json!(1.0)),
            ["(root): must be less than 1, found 1.0 (exclusiveMaximum)"]
        );
        let draft_4 = json!({"$schema": "http://json-schema.org/draft-04/schema#",
                             "minimum": 0, "exclusiveMinimum": true,
                             "maximum": 1, "exclusiveMaximum": false});
        assert!(!valid(&draft_4, json!(0)));
        assert!(valid(&draft_4, json!(1)));
        // Exact comparison of a large integer with a float that rounds to it.
        let big = json!({"maximum": 9_007_199_254_740_992.0_f64});
        assert!(valid(&big, json!(9_007_199_254_740_992_u64)));
        assert!(!valid(&big, json!(9_007_199_254_740_993_u64)));
        assert!(!valid(&json!({"minimum": -1.5}), json!(-2)));
        assert!(valid(&json!({"minimum": -1.5}), json!(-1)));
    }

    #[test]
    fn multiple_of_is_exact_on_integers_and_decimal_on_fractions() {
        let cases = [
            (json!(3), json!(9), true),
            (json!(3), json!(7), false),
            (json!(3), json!(-9), true),
            (json!(2), json!(4.0), true),
            (json!(2), json!(4.5), false),
            (json!(0.1), json!(0.3), true),
            (json!(0.1), json!(0.35), false),
            (json!(0.01), json!(19.99), true),
            (json!(1.5), json!(4.5), true),
            (json!(1.5), json!(6), true),
            (json!(1.5), json!(7), false),
            (json!(0.0001), json!(1e300), true),
            (json!(7), json!(1e300), false),
            (json!(0.3), json!(0.1), false),
            (json!(1e-300), json!(3e-300), true),
            (json!(3), json!(0), true),
            (json!(3), json!(u64::MAX), true),
            (json!(2), json!(u64::MAX), false),
        ];
        for (divisor, value, expected) in cases {
            let source = json!({"multipleOf": divisor});
            assert_eq!(
                valid(&source, value.clone()),
                expected,
                "{value} multipleOf {divisor}"
            );
        }
        assert_eq!(
            found(json!({"multipleOf": 0.5}), json!(0.7)),
            ["(root): must be a multiple of 0.5, found 0.7 (multipleOf)"]
        );
    }

    #[test]
    fn required_names_the_missing_member_and_additional_properties_the_extra_one() {
        let source = json!({
            "type": "object",
            "properties": {"a/b": {"type": "integer"}, "c": {}, "customer": {}},
            "patternProperties": {"^x-": {"type": "string"}},
            "required": ["customer", "c"],
            "additionalProperties": false
        });
        assert_eq!(
            found(source.clone(), json!({"a/b": "1", "x-y": 2, "z~": 0})),
            [
                "/c: is required but missing (required)",
                "/customer: is required but missing (required)",
                "/a~1b: must be an integer, found \"1\" (type)",
                "/x-y: must be a string, found 2 (type)",
                "/z~0: is not an allowed property (additionalProperties)",
            ]
        );
        assert!(valid(
            &source,
            json!({"customer": 1, "c": null, "x-1": "ok"})
        ));
        let additional =
            json!({"properties": {"a": {}}, "additionalProperties": {"type": "string"}});
        assert!(valid(&additional, json!({"a": 1, "b": "x"})));
        assert_eq!(
            found(additional, json!({"a": 1, "b": 2})),
            ["/b: must be a string, found 2 (type)"]
        );
    }

    #[test]
    fn dependencies_property_counts_and_property_names() {
        let source = json!({
            "dependencies": {"card": ["billing"], "gift": {"required": ["message"]}},
            "minProperties": 1,
            "maxProperties": 3,
            "propertyNames": {"maxLength": 7}
        });
        assert!(valid(&source, json!({"card": 1, "billing": 2})));
        assert_eq!(
            found(source.clone(), json!({"card": 1})),
            ["/billing: is required when \"card\" is present, but missing (dependencies)"]
        );
        assert_eq!(
            found(source.clone(), json!({"gift": true})),
            ["/message: is required but missing (required)"]
        );
        assert_eq!(
            found(source.clone(), json!({})),
            ["(root): must have at least 1 property, found 0 (minProperties)"]
        );
        assert_eq!(
            found(source.clone(), json!({"a": 1, "b": 2, "c": 3, "d": 4})),
            ["(root): must have at most 3 properties, found 4 (maxProperties)"]
        );
        assert_eq!(
            found(source, json!({"too_long": 1})),
            ["/too_long: has a name that \"propertyNames\" does not allow (propertyNames)"]
        );
    }

    #[test]
    fn items_tuples_and_additional_items() {
        let all = json!({"items": {"type": "integer", "minimum": 1}});
        assert_eq!(
            found(all, json!([1, 0, "x"])),
            [
                "/1: must be at least 1, found 0 (minimum)",
                "/2: must be an integer, found \"x\" (type)",
            ]
        );
        let tuple = json!({"items": [{"type": "string"}, {"type": "integer"}],
                           "additionalItems": false});
        assert!(valid(&tuple, json!(["a", 1])));
        assert!(valid(&tuple, json!(["a"])));
        assert_eq!(
            found(tuple, json!(["a", 1, null])),
            ["/2: is not allowed: the array may have at most 2 items (additionalItems)"]
        );
        let open = json!({"items": [{}], "additionalItems": {"type": "boolean"}});
        assert!(valid(&open, json!([0, true, false])));
        assert!(!valid(&open, json!([0, 1])));
        // Without a tuple, additionalItems says nothing.
        assert!(valid(&json!({"additionalItems": false}), json!([1, 2])));
        assert!(valid(
            &json!({"items": {}, "additionalItems": false}),
            json!([1, 2])
        ));
    }

    #[test]
    fn array_counts_uniqueness_and_contains() {
        let source = json!({"minItems": 1, "maxItems": 3, "uniqueItems": true,
                            "contains": {"const": "x"}});
        assert!(valid(&source, json!(["x", 1])));
        assert_eq!(
            found(source.clone(), json!([])),
            [
                "(root): must have at least 1 item, found 0 (minItems)",
                "(root): must contain an item that matches the schema under \"contains\", found \
                 none (contains)",
            ]
        );
        assert_eq!(
            found(source.clone(), json!(["x", 2, 1, 2.0])),
            [
                "(root): must have at most 3 items, found 4 (maxItems)",
                "(root): must not repeat an item, but items 1 and 3 are equal (uniqueItems)",
            ]
        );
        let unique = json!({"uniqueItems": true});
        assert!(!valid(
            &unique,
            json!([{"a": 1, "b": [1]}, {"b": [1.0], "a": 1}])
        ));
        assert!(valid(
            &unique,
            json!([{"a": 1}, {"a": 2}, [1], [1, 1], "1", 1, true, null])
        ));
        assert!(!valid(
            &unique,
            json!([[1, {"a": null}], [1.0, {"a": null}]])
        ));
    }

    #[test]
    fn any_of_and_one_of_report_one_violation() {
        let any = json!({"anyOf": [{"type": "string"}, {"minimum": 3}]});
        assert!(valid(&any, json!("x")));
        assert!(valid(&any, json!(null)));
        assert_eq!(
            found(any, json!(1)),
            ["(root): matches none of the 2 alternatives (anyOf)"]
        );
        let one = json!({"oneOf": [{"type": "integer"}, {"minimum": 2}, {"type": "string"}]});
        assert!(valid(&one, json!(1)));
        assert!(valid(&one, json!(2.5)));
        assert_eq!(
            found(one.clone(), json!(3)),
            ["(root): matches 2 of the 3 alternatives, but must match exactly one (oneOf)"]
        );
        // `{"minimum": 2}` accepts any non-number, so `null` matches only that one.
        assert!(valid(&one, json!(null)));
        let none = json!({"oneOf": [{"type": "integer"}, {"type": "string"}]});
        assert_eq!(
            found(none, json!(null)),
            ["(root): matches none of the 2 alternatives (oneOf)"]
        );
    }

    #[test]
    fn all_of_reports_every_part_and_not_inverts() {
        let all = json!({"allOf": [{"type": "integer"}, {"minimum": 3}, {"maximum": 1}]});
        assert_eq!(
            found(all, json!(2)),
            [
                "(root): must be at least 3, found 2 (minimum)",
                "(root): must be at most 1, found 2 (maximum)",
            ]
        );
        let not = json!({"not": {"type": "string"}});
        assert!(valid(&not, json!(1)));
        assert_eq!(
            found(not, json!("s")),
            ["(root): matches the schema under \"not\", which it must not (not)"]
        );
    }

    #[test]
    fn if_then_else() {
        let source = json!({
            "if": {"properties": {"country": {"const": "NL"}}, "required": ["country"]},
            "then": {"required": ["postcode"]},
            "else": {"required": ["zip"]}
        });
        assert!(valid(
            &source,
            json!({"country": "NL", "postcode": "1234AB"})
        ));
        assert!(valid(&source, json!({"country": "US", "zip": "10001"})));
        assert_eq!(
            found(source.clone(), json!({"country": "NL"})),
            ["/postcode: is required but missing (required)"]
        );
        assert_eq!(
            found(source, json!({})),
            ["/zip: is required but missing (required)"]
        );
        // `then` without `if` constrains nothing.
        assert!(valid(&json!({"then": false}), json!(1)));
        assert!(valid(&json!({"if": true}), json!(1)));
        assert!(!valid(&json!({"if": true, "then": false}), json!(1)));
        assert!(!valid(&json!({"if": false, "else": false}), json!(1)));
        // Before draft 7 these keywords mean nothing.
        let draft_6 = json!({"$schema": "http://json-schema.org/draft-06/schema#",
                             "if": true, "then": false});
        assert!(valid(&draft_6, json!(1)));
    }

    #[test]
    fn references_recurse_with_the_value_and_loops_end() {
        let tree = json!({
            "$ref": "#/definitions/node",
            "definitions": {"node": {
                "type": "object",
                "properties": {"value": {"type": "integer"},
                               "children": {"type": "array", "items": {"$ref": "#/definitions/node"}}},
                "required": ["value"]
            }}
        });
        assert!(valid(
            &tree,
            json!({"value": 1, "children": [{"value": 2, "children": []}]})
        ));
        assert_eq!(
            found(
                tree,
                json!({"value": 1, "children": [{"value": 2, "children": [{}]}]})
            ),
            ["/children/0/children/0/value: is required but missing (required)"]
        );
        // Loops that never go into the value end, adding nothing.
        let looping = json!({"anyOf": [{"$ref": "#"}, {"type": "string"}]});
        assert!(valid(&looping, json!(1)));
        let looping_all = json!({"allOf": [{"$ref": "#"}], "type": "integer"});
        assert!(valid(&looping_all, json!(1)));
        assert!(!valid(&looping_all, json!("x")));
        let via_not = json!({"definitions": {"a": {"not": {"$ref": "#/definitions/a"}}},
                             "$ref": "#/definitions/a"});
        let _ = found(via_not, json!(1));
    }

    #[test]
    fn true_false_and_empty_schemas() {
        assert!(valid(&json!(true), json!({"any": "thing"})));
        assert!(valid(&json!({}), json!([1])));
        assert!(valid(&json!({"title": "only annotations"}), json!(null)));
        assert_eq!(
            found(json!(false), json!(1)),
            ["(root): is not allowed here (false)"]
        );
        let property = json!({"properties": {"secret": false}});
        assert_eq!(
            found(property, json!({"secret": 1})),
            ["/secret: is not allowed here (false)"]
        );
    }

    #[test]
    fn draft_4_and_6_lack_the_later_keywords() {
        let draft_4 = json!({"$schema": "http://json-schema.org/draft-04/schema#",
                             "const": 1, "contains": false, "propertyNames": false});
        assert!(valid(&draft_4, json!(2)));
        assert!(valid(&draft_4, json!([1])));
        assert!(valid(&draft_4, json!({"a": 1})));
        let draft_6 = json!({"$schema": "http://json-schema.org/draft-06/schema#",
                             "const": 1});
        assert!(!valid(&draft_6, json!(2)));
    }

    #[test]
    fn violations_come_in_a_fixed_order_and_display_as_documented() {
        let source = json!({
            "type": "object",
            "properties": {
                "customer": {"type": "string", "pattern": "^C-[0-9]{3,}$"},
                "lines": {"type": "array", "items": {
                    "type": "object",
                    "properties": {"quantity": {"type": "integer", "minimum": 1}},
                    "required": ["quantity", "sku"]
                }}
            },
            "required": ["customer", "lines"]
        });
        let value = json!({"lines": [{"quantity": 0, "sku": "S"}, {"quantity": 2}]});
        let expected = [
            "/customer: is required but missing (required)",
            "/lines/0/quantity: must be at least 1, found 0 (minimum)",
            "/lines/1/sku: is required but missing (required)",
        ];
        for _ in 0..3 {
            assert_eq!(found(source.clone(), value.clone()), expected);
        }
        let violation = &schema(source).violations(&value)[1];
        assert_eq!(violation.instance_path, "/lines/0/quantity");
        assert_eq!(violation.keyword, "minimum");
        assert_eq!(violation.message, "must be at least 1, found 0");
    }

    #[test]
    fn long_values_are_cut_short_in_messages() {
        let long = "x".repeat(100);
        let violations = found(json!({"type": "integer"}), json!(long));
        assert_eq!(
            violations,
            [format!(
                "(root): must be an integer, found \"{}… (type)",
                "x".repeat(59)
            )]
        );
    }

    #[test]
    fn numbers_order_exactly() {
        let n = |value: Value| match value {
            Value::Number(number) => number,
            _ => unreachable!(),
        };
        assert_eq!(compare(&n(json!(1)), &n(json!(1.0))), Ordering::Equal);
        assert_eq!(compare(&n(json!(-1)), &n(json!(-0.5))), Ordering::Less);
        assert_eq!(
            compare(&n(json!(u64::MAX)), &n(json!(1.8e19))),
            Ordering::Greater
        );
        assert_eq!(
            compare(&n(json!(i64::MIN)), &n(json!(-1e300))),
            Ordering::Greater
        );
        assert_eq!(compare(&n(json!(2.5)), &n(json!(2))), Ordering::Greater);
        assert_eq!(decimal(0.1), Some((1, 1)));
        assert_eq!(decimal(1e300), Some((1, -300)));
        assert_eq!(decimal(-12.25), Some((-1225, 2)));
    }
}
