//! Payload validation (`JsonSchema::violations`, `is_valid`) checked against the `jsonschema`
//! crate as an oracle: the same verdict on every value, for Confluent's 104 pairs of schemas,
//! every event schema of the shop's catalog and a corpus written to reach every keyword, with
//! values generated from each schema (its names, numbers, strings and patterns) and, for the
//! catalog, mutations of each event type's example (a field dropped, a type changed, a negative
//! quantity, a broken identifier).
//!
//! The oracle is a dev-dependency of native builds only: the engine itself never depends on it.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use eventide_engine::schema::JsonSchema;
use eventide_engine::Named;
use eventide_shop::event_catalog;
use eventide_shop::events::ShopEventKind;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Map, Value};

#[path = "validation/corpus.rs"]
mod corpus;

use corpus::keyword_schemas;

/// Confluent's own cases, vendored as test data (see `tests/data/confluent/README.md`); the path
/// is from the package root, so the test reads it from any working directory.
const CONFLUENT_CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../engine/tests/data/confluent/diff-schema-examples.json"
);

/// Generated values per schema.
const CASES: u32 = 256;

// ---------------------------------------------------------------------------------------------
// The two validators
// ---------------------------------------------------------------------------------------------

/// A schema as both validators load it.
struct Pair {
    source: Value,
    ours: JsonSchema,
    oracle: jsonschema::Validator,
    /// A `multipleOf` with a fraction somewhere: see [`known_divergence`].
    fractional_multiple_of: bool,
}

/// Why a schema is left out of the comparison: which validator refused it, and its reason.
struct Skipped {
    by: &'static str,
    reason: String,
}

impl std::fmt::Debug for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused by {}: {}", self.by, self.reason)
    }
}

/// The draft our loader reads a document as; the oracle is told the same, so a later
/// `$schema` (read as draft 7 here) does not switch it to other rules.
fn draft_of(source: &Value) -> jsonschema::Draft {
    match source.get("$schema").and_then(Value::as_str) {
        Some(uri) if uri.contains("draft-04") => jsonschema::Draft::Draft4,
        Some(uri) if uri.contains("draft-06") => jsonschema::Draft::Draft6,
        Some(uri) if uri.contains("draft/2020-12") => jsonschema::Draft::Draft202012,
        _ => jsonschema::Draft::Draft7,
    }
}

fn load(source: &Value) -> Result<Pair, Skipped> {
    let ours = JsonSchema::parse(source.clone()).map_err(|error| Skipped {
        by: "our loader",
        reason: error.to_string(),
    })?;
    let oracle = jsonschema::options()
        .with_draft(draft_of(source))
        // `format` is an annotation in draft 7 unless a validator opts in; ours does not.
        .should_validate_formats(false)
        .build(source)
        .map_err(|error| Skipped {
            by: "the oracle",
            reason: error.to_string(),
        })?;
    Ok(Pair {
        source: source.clone(),
        ours,
        oracle,
        fractional_multiple_of: has_fractional_multiple_of(source),
    })
}

/// The one place the oracle is known to be inexact: a fractional `multipleOf` of a number past
/// 2^53. It rounds an integer to an `f64` first, so it finds 18446744073709551615
/// (3 x 6148914691236517205) not a multiple of 1.5; and when the decimals of a float and the
/// divisor do not fit an `i128` (`1e300` by `1.5`) it falls back on the float's binary value.
/// Ours divides exactly, always as the decimals the numbers are written as. See
/// `the_oracle_is_inexact_past_2_53_under_a_fractional_multiple_of`.
fn known_divergence(pair: &Pair, value: &Value) -> bool {
    pair.fractional_multiple_of && has_number_beyond_f64_precision(value)
}

fn has_fractional_multiple_of(schema: &Value) -> bool {
    match schema {
        Value::Object(object) => object.iter().any(|(keyword, value)| {
            (keyword == "multipleOf" && value.as_f64().is_some_and(|n| n.fract() != 0.0))
                || has_fractional_multiple_of(value)
        }),
        Value::Array(items) => items.iter().any(has_fractional_multiple_of),
        _ => false,
    }
}

fn has_number_beyond_f64_precision(value: &Value) -> bool {
    const EXACT: u64 = 1 << 53;
    match value {
        Value::Number(number) => {
            number.as_u64().is_some_and(|n| n > EXACT)
                || number.as_i64().is_some_and(|n| n.unsigned_abs() > EXACT)
                || number.as_f64().is_some_and(|n| n.abs() > EXACT as f64)
        }
        Value::Array(items) => items.iter().any(has_number_beyond_f64_precision),
        Value::Object(members) => members.values().any(has_number_beyond_f64_precision),
        _ => false,
    }
}

impl Pair {
    /// Both verdicts must agree, and `is_valid` must agree with `violations`.
    fn agree(&self, value: &Value) -> Result<(), TestCaseError> {
        let ours = self.ours.is_valid(value);
        let violations = self.ours.violations(value);
        prop_assert_eq!(
            ours,
            violations.is_empty(),
            "is_valid and violations disagree on {} under {}: {:?}",
            value,
            self.source,
            violations
        );
        if known_divergence(self, value) {
            return Ok(());
        }
        let oracle = self.oracle.is_valid(value);
        prop_assert_eq!(
            ours,
            oracle,
            "ours and the oracle disagree on {} under {}; our violations: {:?}",
            value,
            self.source,
            violations
        );
        Ok(())
    }
}

/// Loads every schema, counting the ones either validator refuses.
fn load_all(sources: &[Value]) -> (Vec<Pair>, Vec<(Value, Skipped)>) {
    let mut pairs = Vec::new();
    let mut skipped = Vec::new();
    for source in sources {
        match load(source) {
            Ok(pair) => pairs.push(pair),
            Err(reason) => skipped.push((source.clone(), reason)),
        }
    }
    (pairs, skipped)
}

/// How many values were compared, and how many of them were valid.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    values: usize,
    valid: usize,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, other: Tally) {
        self.values += other.values;
        self.valid += other.valid;
    }
}

/// Compares both validators on the fixed values and on `CASES` values from `values`.
fn compare(pair: &Pair, fixed: &[Value], values: BoxedStrategy<Value>) -> Tally {
    let valid = std::cell::Cell::new(0);
    let check = |value: &Value| {
        pair.agree(value)?;
        valid.set(valid.get() + usize::from(pair.ours.is_valid(value)));
        Ok(())
    };
    for value in fixed {
        if let Err(failure) = check(value) {
            panic!("{failure}");
        }
    }
    // `PROPTEST_CASES=5000` for a longer search.
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(CASES);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    if let Err(failure) = runner.run(&values, |value| check(&value)) {
        panic!("{failure}");
    }
    Tally {
        values: fixed.len() + cases as usize,
        valid: valid.get(),
    }
}

// ---------------------------------------------------------------------------------------------
// Values from a schema
// ---------------------------------------------------------------------------------------------

/// What a schema mentions, to build values that reach its keywords: property names, strings,
/// numbers (and their neighbours) and whole values (`enum`, `const`, `default`).
#[derive(Default)]
struct Atoms {
    names: BTreeSet<String>,
    strings: BTreeSet<String>,
    numbers: Vec<Value>,
    values: Vec<Value>,
}

const NUMBER_KEYWORDS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "minContains",
    "maxContains",
];

impl Atoms {
    fn of(schema: &Value) -> Atoms {
        let mut atoms = Atoms::default();
        atoms.walk(schema);
        for name in ["a", "b", "id", "type"] {
            atoms.names.insert(name.to_string());
        }
        for text in [
            "", "a", "ab", "abc", "O-0042", "C-007", "SKU-03", "x\r", "\u{2028}",
        ] {
            atoms.strings.insert(text.to_string());
        }
        atoms
            .numbers
            .extend([json!(0), json!(1), json!(-1), json!(0.5), json!(2.0)]);
        atoms.values.push(json!(null));
        atoms
    }

    fn walk(&mut self, schema: &Value) {
        match schema {
            Value::Object(object) => {
                for (keyword, value) in object {
                    match keyword.as_str() {
                        "properties" | "patternProperties" | "dependencies" | "definitions"
                        | "$defs" | "dependentRequired" | "dependentSchemas" => {
                            if let Value::Object(members) = value {
                                for (name, member) in members {
                                    self.names.insert(name.clone());
                                    if keyword == "patternProperties" {
                                        self.names.extend(matching(name));
                                    }
                                    if let Value::Array(needed) = member {
                                        self.mention(member);
                                        self.names.extend(
                                            needed
                                                .iter()
                                                .filter_map(Value::as_str)
                                                .map(str::to_string),
                                        );
                                    } else {
                                        self.walk(member);
                                    }
                                }
                            }
                        }
                        "required" => {
                            if let Value::Array(names) = value {
                                self.names.extend(
                                    names.iter().filter_map(Value::as_str).map(str::to_string),
                                );
                            }
                        }
                        "enum" | "const" | "default" | "examples" => self.mention(value),
                        "pattern" => {
                            if let Value::String(pattern) = value {
                                self.strings.extend(matching(pattern));
                            }
                        }
                        number if NUMBER_KEYWORDS.contains(&number) => {
                            if let Some(n) = value.as_f64() {
                                self.neighbours(n);
                            }
                        }
                        _ => self.walk(value),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| self.walk(item)),
            _ => {}
        }
    }

    /// A value named by the schema, and its parts.
    fn mention(&mut self, value: &Value) {
        self.values.push(value.clone());
        match value {
            Value::String(text) => {
                self.strings.insert(text.clone());
            }
            Value::Number(number) => {
                if let Some(n) = number.as_f64() {
                    self.neighbours(n);
                }
                self.numbers.push(value.clone());
            }
            Value::Array(items) => items.iter().for_each(|item| self.mention(item)),
            Value::Object(members) => {
                for (name, member) in members {
                    self.names.insert(name.clone());
                    self.mention(member);
                }
            }
            _ => {}
        }
    }

    fn neighbours(&mut self, n: f64) {
        for candidate in [
            n,
            n - 1.0,
            n + 1.0,
            n - 0.5,
            n + 0.5,
            n * 2.0,
            n * 3.0,
            -n,
            n / 2.0,
        ] {
            if candidate.fract() == 0.0 && candidate.abs() < 1e15 {
                #[allow(clippy::cast_possible_truncation)]
                self.numbers.push(json!(candidate as i64));
            }
            self.numbers.push(json!(candidate));
        }
    }

    fn strategy(self) -> BoxedStrategy<Value> {
        let names: Vec<String> = self.names.into_iter().collect();
        let strings: Vec<String> = self.strings.into_iter().collect();
        let numbers = self.numbers;
        let values = self.values;
        let number = prop_oneof![
            4 => select(numbers),
            1 => any::<i64>().prop_map(Value::from),
            1 => (-1000.0..1000.0f64).prop_map(Value::from),
            1 => (-20i64..20).prop_map(|halves| json!(halves as f64 / 2.0)),
        ];
        let string = prop_oneof![
            4 => select(strings),
            1 => "[a-zA-Z0-9_ -]{0,6}",
            1 => "\\PC{0,4}",
        ]
        .prop_map(Value::String);
        let leaf = prop_oneof![
            1 => Just(Value::Null),
            1 => any::<bool>().prop_map(Value::Bool),
            3 => number,
            3 => string,
            2 => select(values),
        ];
        let key = prop_oneof![4 => select(names), 1 => "[a-zA-Z_]{1,4}"];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((key.clone(), inner), 0..7)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
        .boxed()
    }
}

/// A few strings that match a pattern (when proptest can generate from it), so patterns are
/// exercised on both sides.
fn matching(pattern: &str) -> Vec<String> {
    let unanchored = pattern.trim_start_matches('^').trim_end_matches('$');
    let Ok(strategy) = proptest::string::string_regex(unanchored) else {
        return Vec::new();
    };
    let mut runner = TestRunner::deterministic();
    let matches: Vec<String> = (0..6)
        .filter_map(|_| strategy.new_tree(&mut runner).ok())
        .map(|tree| tree.current())
        .collect();
    // And near misses: one character swapped for one where regular expression dialects differ
    // (line terminators for `.`, Unicode spaces for `\s`, a non-ASCII digit for `\d`).
    let mut variants = matches.clone();
    for text in &matches {
        let chars: Vec<char> = text.chars().collect();
        if chars.is_empty() {
            continue;
        }
        for odd in ['\r', '\n', '\u{2028}', '\u{a0}', '\u{661}', ' ', 'é'] {
            let mut changed = chars.clone();
            changed[chars.len() / 2] = odd;
            variants.push(changed.into_iter().collect());
        }
    }
    variants
}

/// Values every schema is tried on, whatever it says.
fn fixed_values() -> Vec<Value> {
    vec![
        json!(null),
        json!(true),
        json!(false),
        json!(0),
        json!(-1),
        json!(1),
        json!(1.0),
        json!(1.5),
        json!(-0.0),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(1e300),
        json!(""),
        json!("a"),
        json!("é"),
        json!([]),
        json!([1, 1.0]),
        json!([null, [], {}]),
        json!({}),
        json!({"a": null}),
    ]
}

// ---------------------------------------------------------------------------------------------
// The corpora
// ---------------------------------------------------------------------------------------------

fn confluent_schemas() -> Vec<Value> {
    let path = Path::new(CONFLUENT_CASES);
    let text = fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let cases: Vec<Value> = serde_json::from_str(&text).expect("the cases are JSON");
    assert_eq!(cases.len(), 104, "Confluent's file has 104 cases");
    let mut seen = BTreeSet::new();
    cases
        .iter()
        .flat_map(|case| [&case["original_schema"], &case["update_schema"]])
        .filter(|schema| seen.insert(schema.to_string()))
        .cloned()
        .collect()
}

fn catalog_schemas() -> Vec<(ShopEventKind, Value)> {
    ShopEventKind::ALL
        .iter()
        .map(|&kind| (kind, event_catalog::schema(kind)))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Mutations of the catalog's examples
// ---------------------------------------------------------------------------------------------

/// One change to a payload: which kind, which place (an index taken modulo what there is) and a
/// value to put in.
type Mutation = (u8, usize, Value);

fn mutate(payload: &mut Value, (operation, place, replacement): &Mutation) {
    let Value::Object(fields) = payload else {
        *payload = replacement.clone();
        return;
    };
    let names: Vec<String> = fields.keys().cloned().collect();
    let name = (!names.is_empty()).then(|| names[place % names.len()].clone());
    match (operation % 9, name) {
        (0, Some(name)) => {
            fields.remove(&name);
        }
        (1, Some(name)) => {
            fields.insert(name, replacement.clone());
        }
        (2, Some(name)) => {
            // A negative or zero quantity (or any number made so).
            if fields.get(&name).is_some_and(Value::is_number) {
                fields.insert(name, json!(-(*place as i64 % 3)));
            } else {
                fields.insert("quantity".to_string(), json!(-1));
            }
        }
        (3, Some(name)) => {
            // An identifier that no longer matches its pattern.
            if let Some(Value::String(text)) = fields.get_mut(&name) {
                let broken = ["X-1", "", "o-0042", "C-7", "SKU-", " C-007", "C-007\n"];
                *text = broken[place % broken.len()].to_string();
            }
        }
        (4, Some(name)) => {
            // A whole number written as a float, or a fraction.
            if let Some(Value::Number(number)) = fields.get(&name) {
                let n = number.as_f64().unwrap_or(0.0);
                let changed = if place % 2 == 0 { n } else { n + 0.5 };
                fields.insert(name, json!(changed));
            }
        }
        (5, _) => {
            fields.insert(format!("extra_{}", place % 3), replacement.clone());
        }
        (6, _) => {
            // Inside the first order line, when there is one.
            if let Some(Value::Array(lines)) = fields.get_mut("lines") {
                if let Some(line) = lines.first_mut() {
                    mutate(line, &(*place as u8 % 5, place / 5, replacement.clone()));
                } else {
                    lines.push(replacement.clone());
                }
            }
        }
        (7, _) => {
            if let Some(Value::Array(lines)) = fields.get_mut("lines") {
                match place % 3 {
                    0 => lines.clear(),
                    1 => lines.push(replacement.clone()),
                    _ => {
                        let copy = lines.first().cloned().unwrap_or(Value::Null);
                        lines.push(copy);
                    }
                }
            }
        }
        (8, Some(name)) => {
            fields.insert(name, Value::Null);
        }
        _ => *payload = replacement.clone(),
    }
}

fn mutations_of(example: Value, leaves: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    prop::collection::vec((any::<u8>(), any::<usize>(), leaves), 0..4)
        .prop_map(move |mutations| {
            let mut payload = example.clone();
            for mutation in &mutations {
                mutate(&mut payload, mutation);
            }
            payload
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

/// Runs the comparison over a corpus: the schemas compared, the values, and the skipped.
fn compare_corpus(sources: &[Value]) -> (usize, Tally, Vec<(Value, Skipped)>) {
    let (pairs, skipped) = load_all(sources);
    let fixed = fixed_values();
    let mut tally = Tally::default();
    for pair in &pairs {
        tally += compare(pair, &fixed, Atoms::of(&pair.source).strategy());
    }
    (pairs.len(), tally, skipped)
}

/// The values must not all land on one side, or the comparison proves little.
fn assert_mixed(corpus: &str, tally: Tally) {
    eprintln!(
        "{corpus}: {} values compared, {} valid",
        tally.values, tally.valid
    );
    assert!(
        tally.valid * 20 >= tally.values && tally.valid * 20 <= tally.values * 19,
        "{corpus}: {tally:?} is too one-sided"
    );
}

#[test]
fn the_oracle_agrees_on_confluents_schemas() {
    let sources = confluent_schemas();
    let (compared, tally, skipped) = compare_corpus(&sources);
    eprintln!(
        "Confluent: {} distinct schemas, {compared} compared, {} skipped: {skipped:#?}",
        sources.len(),
        skipped.len()
    );
    assert_mixed("Confluent", tally);
    assert!(
        skipped.len() * 20 <= sources.len(),
        "too many schemas skipped ({} of {}): {skipped:#?}",
        skipped.len(),
        sources.len()
    );
}

#[test]
fn the_oracle_agrees_on_the_keyword_corpus() {
    let sources = keyword_schemas();
    let (compared, tally, skipped) = compare_corpus(&sources);
    eprintln!("keywords: {compared} schemas compared, skipped: {skipped:#?}");
    assert_mixed("keywords", tally);
    assert!(skipped.is_empty(), "skipped: {skipped:#?}");
}

#[test]
fn the_oracle_agrees_on_every_event_schema_and_mutated_examples() {
    let fixed = fixed_values();
    let (mut generated, mut mutated) = (Tally::default(), Tally::default());
    for (kind, source) in catalog_schemas() {
        let pair = load(&source).unwrap_or_else(|reason| panic!("{}: {reason:?}", kind.name()));
        generated += compare(&pair, &fixed, Atoms::of(&source).strategy());
        let example = event_catalog::payload(&event_catalog::example(kind));
        let leaves = Atoms::of(&source).strategy();
        let first = std::slice::from_ref(&example);
        mutated += compare(&pair, first, mutations_of(example.clone(), leaves));
    }
    eprintln!("catalog: {} schemas", ShopEventKind::ALL.len());
    assert!(generated.values > 0);
    assert_mixed("catalog, mutated examples", mutated);
}

#[test]
fn every_catalog_example_is_valid_under_its_schema() {
    for &kind in ShopEventKind::ALL {
        let schema = JsonSchema::parse(event_catalog::schema(kind)).expect("a valid schema");
        let example = event_catalog::payload(&event_catalog::example(kind));
        assert_eq!(
            schema.violations(&example),
            [],
            "{}: {example}",
            kind.name()
        );
        assert!(schema.is_valid(&example), "{}", kind.name());
    }
}

#[test]
fn mutated_examples_say_what_is_wrong_and_where() {
    let schema = JsonSchema::parse(event_catalog::schema(ShopEventKind::OrderPlaced))
        .expect("a valid schema");
    let mut payload = event_catalog::payload(&event_catalog::example(ShopEventKind::OrderPlaced));
    let fields = payload.as_object_mut().expect("an object");
    fields.remove("customer");
    fields["order"] = json!("O-42");
    fields["lines"][0]["quantity"] = json!(0);
    fields["lines"][0]["unit_price"] = json!("19.00");
    let found: Vec<String> = schema
        .violations(&payload)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        [
            "/customer: is required but missing (required)",
            "/lines/0/quantity: must be at least 1, found 0 (minimum)",
            "/lines/0/unit_price: must be an integer, found \"19.00\" (type)",
            "/order: must match the pattern \"^O-[0-9]{4,}$\", found \"O-42\" (pattern)",
        ]
    );
    assert!(!schema.is_valid(&payload));
    let _: &Map<String, Value> = payload.as_object().expect("still an object");
}

#[test]
fn the_oracle_is_inexact_past_2_53_under_a_fractional_multiple_of() {
    // 18446744073709551615 = 3 x 6148914691236517205, so it is 1.5 x 12297829382473034410.
    let source = json!({"multipleOf": 1.5});
    let pair = load(&source).expect("both load it");
    let value = json!(u64::MAX);
    assert!(pair.ours.is_valid(&value));
    assert!(
        !pair.oracle.is_valid(&value),
        "the oracle rounds to 2^64 first"
    );
    assert!(!pair.ours.is_valid(&json!(u64::MAX - 1)));
    // 10^300 / 1.5 is 2 x 10^300 / 3, not an integer; the oracle reads the float's binary value.
    assert!(!pair.ours.is_valid(&json!(1e300)));
    assert!(pair.oracle.is_valid(&json!(1e300)));
    // Within f64's exact integers both agree.
    for n in [9_007_199_254_740_991_u64, 9_007_199_254_740_990] {
        assert_eq!(
            pair.ours.is_valid(&json!(n)),
            pair.oracle.is_valid(&json!(n)),
            "{n}"
        );
    }
}
