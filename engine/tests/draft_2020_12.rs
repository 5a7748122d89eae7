//! Draft 2020-12 as Confluent Schema Registry judges it, in both halves of the schema module:
//! the validator (`prefixItems`, `items` after it, counted `contains`, `dependentRequired`,
//! `dependentSchemas`, `$defs`, `$ref` beside other keywords, `unevaluatedProperties` and
//! `unevaluatedItems` seeing through in-place keywords) and the diff (Confluent's change names,
//! its content models with `unevaluated*`, and the verdict in each direction).

use std::collections::BTreeSet;

use eventide_engine::schema::{check, diff, ChangeKind, CompatibilityMode, JsonSchema};
use serde_json::{json, Value};

const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// `keywords` as a 2020-12 schema.
fn draft_2020_12(mut keywords: Value) -> Value {
    if let Value::Object(object) = &mut keywords {
        object.insert("$schema".to_string(), json!(DRAFT));
    }
    keywords
}

/// The violations of `value`, as `path: message (keyword)`, checking `is_valid` agrees.
fn violations(schema: &Value, value: Value) -> Vec<String> {
    let schema = JsonSchema::parse(draft_2020_12(schema.clone())).expect("a valid schema");
    let found: Vec<String> = schema
        .violations(&value)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        schema.is_valid(&value),
        found.is_empty(),
        "{value}: {found:?}"
    );
    found
}

fn valid(schema: &Value, value: Value) -> bool {
    violations(schema, value).is_empty()
}

// ---------------------------------------------------------------------------------------------
// The validator
// ---------------------------------------------------------------------------------------------

#[test]
fn prefix_items_check_positions_and_items_what_follows() {
    let closed = json!({"prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false});
    assert!(valid(&closed, json!(["a", 1])));
    assert!(valid(&closed, json!(["a"])));
    assert_eq!(
        violations(&closed, json!([1, 1, null])),
        [
            "/0: must be a string, found 1 (type)",
            "/2: is not allowed: the array may have at most 2 items (items)",
        ]
    );
    let rest = json!({"prefixItems": [{"type": "string"}], "items": {"type": "integer"}});
    assert!(valid(&rest, json!(["a", 1, 2])));
    assert_eq!(
        violations(&rest, json!(["a", 1, "b"])),
        ["/2: must be an integer, found \"b\" (type)"]
    );
    // Without `prefixItems`, `items` is every item's schema, and `false` allows none.
    assert!(!valid(
        &json!({"items": {"type": "integer"}}),
        json!([1, "x"])
    ));
    assert!(valid(&json!({"items": false}), json!([])));
    assert!(!valid(&json!({"items": false}), json!([1])));
    // `additionalItems` is no 2020-12 keyword.
    assert!(valid(
        &json!({"prefixItems": [{}], "additionalItems": false}),
        json!([1, 2])
    ));
}

#[test]
fn contains_is_counted_between_min_contains_and_max_contains() {
    let counted = json!({"contains": {"type": "integer"}, "minContains": 2, "maxContains": 3});
    assert!(valid(&counted, json!([1, "a", 2])));
    assert_eq!(
        violations(&counted, json!([1, "a"])),
        [
            "(root): must contain at least 2 items that match the schema under \"contains\", found \
             1 (minContains)"
        ]
    );
    assert_eq!(
        violations(&counted, json!([1, 2, 3, 4])),
        [
            "(root): must contain at most 3 items that match the schema under \"contains\", found \
             4 (maxContains)"
        ]
    );
    assert!(valid(
        &json!({"contains": {"type": "string"}, "minContains": 0}),
        json!([1])
    ));
    assert!(!valid(&json!({"contains": {"type": "string"}}), json!([1])));
}

#[test]
fn dependent_required_and_dependent_schemas() {
    let schema = json!({
        "dependentRequired": {"card": ["billing"]},
        "dependentSchemas": {"gift": {"required": ["message"]}}
    });
    assert!(valid(&schema, json!({"card": 1, "billing": 2})));
    assert!(valid(&schema, json!({"billing": 2})));
    assert_eq!(
        violations(&schema, json!({"card": 1})),
        ["/billing: is required when \"card\" is present, but missing (dependencies)"]
    );
    assert_eq!(
        violations(&schema, json!({"gift": true})),
        ["/message: is required but missing (required)"]
    );
    // Draft 7 does not know them.
    let draft_7 = json!({"dependentRequired": {"card": ["billing"]}});
    let draft_7 = JsonSchema::parse(draft_7).expect("a valid schema");
    assert!(draft_7.is_valid(&json!({"card": 1})));
}

#[test]
fn unevaluated_properties_sees_through_all_of_ref_and_matching_alternatives() {
    let closed = json!({"properties": {"a": {}}, "unevaluatedProperties": false});
    assert!(valid(&closed, json!({"a": 1})));
    assert_eq!(
        violations(&closed, json!({"a": 1, "z": 2})),
        [
            "/z: is not allowed: no keyword of the schema evaluates this property \
          (unevaluatedProperties)"
        ]
    );
    // Through `allOf`: the part's properties are evaluated.
    let all_of = json!({"allOf": [{"properties": {"a": {}}}], "properties": {"b": {}},
                        "unevaluatedProperties": false});
    assert!(valid(&all_of, json!({"a": 1, "b": 2})));
    assert!(!valid(&all_of, json!({"a": 1, "c": 3})));
    // Through `$ref` (beside other keywords) into `$defs`.
    let by_ref = json!({
        "$ref": "#/$defs/base",
        "properties": {"b": {"type": "string"}},
        "unevaluatedProperties": false,
        "$defs": {"base": {"properties": {"a": {"type": "integer"}}, "required": ["a"]}}
    });
    assert!(valid(&by_ref, json!({"a": 1, "b": "x"})));
    assert!(!valid(&by_ref, json!({"b": "x"})), "the $ref still applies");
    assert_eq!(
        violations(&by_ref, json!({"a": 1, "c": 2})),
        [
            "/c: is not allowed: no keyword of the schema evaluates this property \
          (unevaluatedProperties)"
        ]
    );
    // Only the alternatives that match evaluate.
    let any_of = json!({
        "anyOf": [{"properties": {"a": {"type": "integer"}}, "required": ["a"]},
                  {"properties": {"b": {"type": "string"}}, "required": ["b"]}],
        "unevaluatedProperties": false
    });
    assert!(valid(&any_of, json!({"a": 1, "b": "x"})));
    assert!(
        !valid(&any_of, json!({"a": 1, "b": 2})),
        "b's alternative fails"
    );
    // `if` and the branch that applies.
    let conditional = json!({
        "if": {"properties": {"kind": {"const": "card"}}, "required": ["kind"]},
        "then": {"properties": {"number": {}}},
        "else": {"properties": {"iban": {}}},
        "unevaluatedProperties": false
    });
    assert!(valid(&conditional, json!({"kind": "card", "number": 1})));
    assert!(!valid(&conditional, json!({"kind": "card", "iban": 1})));
    assert!(valid(&conditional, json!({"iban": 1})));
    // `not` evaluates nothing; a nested `unevaluatedProperties` evaluates the rest.
    let not = json!({"not": {"required": ["x"]}, "unevaluatedProperties": false});
    assert!(!valid(&not, json!({"a": 1})));
    let nested = json!({"allOf": [{"unevaluatedProperties": true}],
                        "unevaluatedProperties": false});
    assert!(valid(&nested, json!({"a": 1})));
    // And a schema: unevaluated members must match it.
    let typed =
        json!({"patternProperties": {"^x-": {}}, "unevaluatedProperties": {"type": "integer"}});
    assert!(valid(&typed, json!({"x-note": "s", "n": 1})));
    assert_eq!(
        violations(&typed, json!({"n": "1"})),
        ["/n: must be an integer, found \"1\" (type)"]
    );
}

#[test]
fn unevaluated_properties_sees_dependent_schemas_whose_property_is_present() {
    let schema = json!({
        "properties": {"gift": {}},
        "dependentSchemas": {"gift": {"properties": {"message": {"type": "string"}}}},
        "unevaluatedProperties": false
    });
    assert!(valid(&schema, json!({"gift": true, "message": "hi"})));
    assert!(
        !valid(&schema, json!({"message": "hi"})),
        "no gift, so message is unevaluated"
    );
}

#[test]
fn unevaluated_items_sees_prefix_items_items_and_contains() {
    let closed = json!({"prefixItems": [{"type": "integer"}], "unevaluatedItems": false});
    assert!(valid(&closed, json!([1])));
    assert_eq!(
        violations(&closed, json!([1, 2])),
        ["/1: is not allowed: no keyword of the schema evaluates this item (unevaluatedItems)"]
    );
    let through = json!({"allOf": [{"prefixItems": [{}, {}]}], "prefixItems": [{}],
                         "unevaluatedItems": {"type": "string"}});
    assert!(valid(&through, json!([1, 2, "c"])));
    assert!(!valid(&through, json!([1, 2, 3])));
    let contains = json!({"contains": {"type": "string"}, "unevaluatedItems": {"type": "integer"}});
    assert!(valid(&contains, json!(["a", 1, "b"])));
    assert!(!valid(&contains, json!(["a", null])));
    let by_ref = json!({"$ref": "#/$defs/pair", "unevaluatedItems": false,
                        "$defs": {"pair": {"prefixItems": [{}, {}]}}});
    assert!(valid(&by_ref, json!([1, 2])));
    assert!(!valid(&by_ref, json!([1, 2, 3])));
}

#[test]
fn refs_resolve_into_defs_and_definitions() {
    let defs = json!({"properties": {"n": {"$ref": "#/$defs/positive"}},
                      "$defs": {"positive": {"type": "integer", "minimum": 1}}});
    assert!(valid(&defs, json!({"n": 1})));
    assert_eq!(
        violations(&defs, json!({"n": 0})),
        ["/n: must be at least 1, found 0 (minimum)"]
    );
    let definitions = json!({"$ref": "#/definitions/short", "minLength": 2,
                             "definitions": {"short": {"type": "string", "maxLength": 3}}});
    assert!(valid(&definitions, json!("ab")));
    assert!(
        !valid(&definitions, json!("a")),
        "the sibling minLength applies"
    );
    assert!(!valid(&definitions, json!("abcd")));
}

// ---------------------------------------------------------------------------------------------
// The diff
// ---------------------------------------------------------------------------------------------

fn changes(original: &Value, update: &Value) -> BTreeSet<String> {
    let original = JsonSchema::parse(draft_2020_12(original.clone())).expect("a valid original");
    let update = JsonSchema::parse(draft_2020_12(update.clone())).expect("a valid update");
    diff(&original, &update)
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn compatible(mode: CompatibilityMode, original: &Value, update: &Value) -> bool {
    check(
        mode,
        &[draft_2020_12(original.clone())],
        &draft_2020_12(update.clone()),
    )
    .expect("valid schemas")
    .is_compatible()
}

/// The changes from `original` to `update`, and the verdict in BACKWARD, FORWARD and FULL.
fn assert_diff(original: Value, update: Value, expected: &[&str], verdicts: [bool; 3]) {
    let expected: BTreeSet<String> = expected.iter().map(|change| change.to_string()).collect();
    assert_eq!(
        changes(&original, &update),
        expected,
        "{original} -> {update}"
    );
    let modes = [
        CompatibilityMode::Backward,
        CompatibilityMode::Forward,
        CompatibilityMode::Full,
    ];
    for (mode, verdict) in modes.into_iter().zip(verdicts) {
        assert_eq!(
            compatible(mode, &original, &update),
            verdict,
            "{mode} from {original} to {update}"
        );
    }
}

#[test]
fn unevaluated_properties_has_confluents_four_changes() {
    let with =
        |unevaluated: Value| json!({"properties": {"a": {}}, "unevaluatedProperties": unevaluated});
    let without = json!({"properties": {"a": {}}});
    assert_diff(
        with(json!(false)),
        without.clone(),
        &["UNEVALUATED_PROPERTIES_ADDED #/unevaluatedProperties"],
        [true, false, false],
    );
    assert_diff(
        without.clone(),
        with(json!(false)),
        &["UNEVALUATED_PROPERTIES_REMOVED #/unevaluatedProperties"],
        [false, true, false],
    );
    assert_diff(
        with(json!({"type": "string"})),
        with(json!(true)),
        &["UNEVALUATED_PROPERTIES_EXTENDED #/unevaluatedProperties"],
        [true, false, false],
    );
    assert_diff(
        without,
        with(json!({"type": "string"})),
        &["UNEVALUATED_PROPERTIES_NARROWED #/unevaluatedProperties"],
        [false, true, false],
    );
    assert_diff(
        with(json!({"type": "string"})),
        with(json!({"type": "integer"})),
        &["TYPE_CHANGED #/unevaluatedProperties"],
        [false, false, false],
    );
}

#[test]
fn a_property_added_to_a_model_closed_or_partly_opened_by_unevaluated_properties() {
    // Open: old data may hold `b` with any value.
    assert_diff(
        json!({"properties": {"a": {}}}),
        json!({"properties": {"a": {}, "b": {"type": "string"}}}),
        &["OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/b"],
        [false, true, false],
    );
    // Closed by `unevaluatedProperties: false`: old data holds no `b`.
    assert_diff(
        json!({"properties": {"a": {}}, "unevaluatedProperties": false}),
        json!({"properties": {"a": {}, "b": {"type": "string"}}, "unevaluatedProperties": false}),
        &["OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b"],
        [true, false, false],
    );
    // Partially open: `b` was covered by the unevaluated schema, compatibly or not.
    let partial = |b: Value| json!({"properties": {"a": {}, "b": b}, "unevaluatedProperties": {"type": "string"}});
    let original = json!({"properties": {"a": {}}, "unevaluatedProperties": {"type": "string"}});
    assert_diff(
        original.clone(),
        partial(json!({"type": "string", "maxLength": 5})),
        &[
            "MAX_LENGTH_ADDED #/properties/b/maxLength",
            "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/b",
            "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b",
        ],
        [false, true, false],
    );
    assert_diff(
        original.clone(),
        partial(json!({"type": "string"})),
        &[
            "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/b",
            "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b",
        ],
        [true, true, true],
    );
    assert_diff(
        original,
        partial(json!({"type": "integer"})),
        &[
            "TYPE_CHANGED #/properties/b",
            "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/b",
            "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b",
        ],
        [false, false, false],
    );
}

#[test]
fn prefix_items_are_compared_as_confluent_compares_a_tuple() {
    let tuple = |positions: Value, items: Value| json!({"type": "array", "prefixItems": positions, "items": items});
    assert_diff(
        tuple(json!([{"type": "string"}]), json!(false)),
        tuple(
            json!([{"type": "string"}, {"type": "integer"}]),
            json!(false),
        ),
        &["ITEM_ADDED_TO_CLOSED_CONTENT_MODEL #/items/1"],
        [true, false, false],
    );
    assert_diff(
        json!({"type": "array", "prefixItems": [{"type": "string"}]}),
        json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]}),
        &["ITEM_ADDED_TO_OPEN_CONTENT_MODEL #/items/1"],
        [false, true, false],
    );
    assert_diff(
        tuple(
            json!([{"type": "string"}, {"type": "integer"}]),
            json!(false),
        ),
        tuple(json!([{"type": "string"}]), json!(false)),
        &["ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL #/items/1"],
        [false, true, false],
    );
    assert_diff(
        tuple(json!([{"type": "string"}]), json!({"type": "integer"})),
        tuple(
            json!([{"type": "string"}, {"type": "integer"}]),
            json!({"type": "integer"}),
        ),
        &["ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/items/1"],
        [true, true, true],
    );
    assert_diff(
        tuple(json!([{"type": "string"}]), json!(true)),
        tuple(json!([{"type": "string"}]), json!(false)),
        &["ADDITIONAL_ITEMS_REMOVED #/additionalItems"],
        [false, true, false],
    );
}

#[test]
fn unevaluated_items_has_confluents_four_changes_and_partly_opens_a_tuple() {
    let with = |unevaluated: Value| json!({"type": "array", "prefixItems": [{}], "unevaluatedItems": unevaluated});
    let without = json!({"type": "array", "prefixItems": [{}]});
    assert_diff(
        with(json!(false)),
        without.clone(),
        &["UNEVALUATED_ITEMS_ADDED #/unevaluatedItems"],
        [true, false, false],
    );
    assert_diff(
        without.clone(),
        with(json!(false)),
        &["UNEVALUATED_ITEMS_REMOVED #/unevaluatedItems"],
        [false, true, false],
    );
    assert_diff(
        with(json!({"type": "string"})),
        without.clone(),
        &["UNEVALUATED_ITEMS_EXTENDED #/unevaluatedItems"],
        [true, false, false],
    );
    assert_diff(
        with(json!({})),
        with(json!({"type": "string"})),
        &["UNEVALUATED_ITEMS_NARROWED #/unevaluatedItems"],
        [false, true, false],
    );
    assert_diff(
        json!({"type": "array", "prefixItems": [{}, {"type": "integer"}],
               "unevaluatedItems": {"type": "string"}}),
        with(json!({"type": "string"})),
        &[
            "TYPE_CHANGED #/items/1",
            "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/items/1",
        ],
        [false, false, false],
    );
}

#[test]
fn dependent_required_and_dependent_schemas_diff_as_dependencies() {
    let required = |needed: Value| json!({"dependentRequired": {"card": needed}});
    assert_diff(
        required(json!(["billing"])),
        required(json!(["billing", "name"])),
        &["DEPENDENCY_ARRAY_EXTENDED #/dependencies/card"],
        [false, true, false],
    );
    assert_diff(
        required(json!(["billing", "name"])),
        required(json!(["billing"])),
        &["DEPENDENCY_ARRAY_NARROWED #/dependencies/card"],
        [true, false, false],
    );
    assert_diff(
        required(json!(["billing"])),
        required(json!(["name"])),
        &["DEPENDENCY_ARRAY_CHANGED #/dependencies/card"],
        [false, false, false],
    );
    assert_diff(
        json!({"properties": {"card": {}}}),
        json!({"properties": {"card": {}}, "dependentRequired": {"card": ["billing"]}}),
        &["DEPENDENCY_ARRAY_ADDED #/dependencies/card"],
        [false, true, false],
    );
    assert_diff(
        json!({"dependentSchemas": {"gift": {"required": ["message"]}}, "properties": {"gift": {}}}),
        json!({"properties": {"gift": {}}}),
        &["DEPENDENCY_SCHEMA_REMOVED #/dependencies/gift"],
        [true, false, false],
    );
    assert_diff(
        json!({"properties": {"gift": {}}}),
        json!({"dependentSchemas": {"gift": {"required": ["message"]}}, "properties": {"gift": {}}}),
        &["DEPENDENCY_SCHEMA_ADDED #/dependencies/gift"],
        [false, true, false],
    );
}

#[test]
fn a_ref_into_defs_is_followed_by_the_diff() {
    let with = |kind: &str| json!({"properties": {"n": {"$ref": "#/$defs/n"}}, "$defs": {"n": {"type": kind}}});
    assert_diff(
        with("integer"),
        with("number"),
        &["TYPE_EXTENDED #/properties/n"],
        [true, false, false],
    );
    assert_diff(with("integer"), with("integer"), &[], [true, true, true]);
}

#[test]
fn the_new_kinds_are_classified_as_confluents_strict_policy_does() {
    let compatible = [
        ChangeKind::UnevaluatedPropertiesAdded,
        ChangeKind::UnevaluatedPropertiesExtended,
        ChangeKind::UnevaluatedItemsAdded,
        ChangeKind::UnevaluatedItemsExtended,
    ];
    let incompatible = [
        ChangeKind::UnevaluatedPropertiesRemoved,
        ChangeKind::UnevaluatedPropertiesNarrowed,
        ChangeKind::UnevaluatedItemsRemoved,
        ChangeKind::UnevaluatedItemsNarrowed,
        ChangeKind::PropertyAddedToOpenContentModel,
    ];
    assert!(compatible.iter().all(ChangeKind::is_backward_compatible));
    assert!(!incompatible.iter().any(ChangeKind::is_backward_compatible));
    assert_eq!(
        ChangeKind::UnevaluatedItemsNarrowed.name(),
        "UNEVALUATED_ITEMS_NARROWED"
    );
}
