//! JSON Schema compatibility, checked against Confluent Schema Registry's own test cases, then
//! beyond them: combined schemas, nested objects, arrays, local references, every compatibility
//! mode (transitive ones included), and the registry refusing an incompatible version.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use eventide_engine::schema::{
    check, diff, ChangeKind, CompatibilityMode, Direction, JsonSchema, RegistrationError,
    SchemaRegistry,
};
use eventide_engine::SchemaVersion;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// Confluent's cases
// ---------------------------------------------------------------------------------------------

/// Confluent's own cases, vendored as test data (see `tests/data/confluent/README.md`); the path
/// is from the package root, so the test reads it from any working directory.
const CONFLUENT_CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/confluent/diff-schema-examples.json"
);

/// The changes from `original` to `update`, as `KIND #/path` strings.
fn changes(original: &Value, update: &Value) -> BTreeSet<String> {
    let original = JsonSchema::parse(original.clone()).expect("a valid original schema");
    let update = JsonSchema::parse(update.clone()).expect("a valid update schema");
    diff(&original, &update)
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn backward_compatible(original: &Value, update: &Value) -> bool {
    check(
        CompatibilityMode::Backward,
        std::slice::from_ref(original),
        update,
    )
    .expect("valid schemas")
    .is_compatible()
}

#[test]
fn every_confluent_case_reports_exactly_its_changes_and_verdict() {
    let path = Path::new(CONFLUENT_CASES);
    let text = fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let cases: Vec<Value> = serde_json::from_str(&text).expect("the cases are JSON");
    assert_eq!(cases.len(), 104, "Confluent's file has 104 cases");

    let mut failures = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let description = case["description"].as_str().unwrap_or("(no description)");
        let expected: BTreeSet<String> = case["changes"]
            .as_array()
            .expect("changes is an array")
            .iter()
            .map(|change| change.as_str().expect("a change is a string").to_string())
            .collect();
        let expected_compatible = case["compatible"].as_bool().expect("compatible is a bool");
        let original = &case["original_schema"];
        let update = &case["update_schema"];

        let actual = changes(original, update);
        let actual_compatible = backward_compatible(original, update);
        if actual != expected || actual_compatible != expected_compatible {
            failures.push(format!(
                "#{index} {description}\n  expected {expected:?} (compatible: {expected_compatible})\n  \
                 actual   {actual:?} (compatible: {actual_compatible})"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} Confluent cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The same rules, beyond Confluent's cases
// ---------------------------------------------------------------------------------------------

fn assert_changes(original: Value, update: Value, expected: &[&str], compatible: bool) {
    let actual = changes(&original, &update);
    let expected: BTreeSet<String> = expected.iter().map(|change| change.to_string()).collect();
    assert_eq!(actual, expected, "changes from {original} to {update}");
    assert_eq!(
        backward_compatible(&original, &update),
        compatible,
        "backward compatibility from {original} to {update}"
    );
}

#[test]
fn a_nullable_field_made_mandatory_narrows_the_sum_type() {
    assert_changes(
        json!({"properties": {"note": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}),
        json!({"properties": {"note": {"type": "string"}}}),
        &["TYPE_CHANGED #/properties/note"],
        false,
    );
    assert_changes(
        json!({"properties": {"note": {"type": "string"}}}),
        json!({"properties": {"note": {"type": ["string", "null"]}}}),
        &["SUM_TYPE_EXTENDED #/properties/note"],
        true,
    );
}

#[test]
fn reordered_alternatives_are_no_change_and_a_dropped_one_narrows() {
    assert_changes(
        json!({"oneOf": [{"type": "string"}, {"type": "integer"}]}),
        json!({"oneOf": [{"type": "integer"}, {"type": "string"}]}),
        &[],
        true,
    );
    assert_changes(
        json!({"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}),
        json!({"anyOf": [{"type": "integer"}, {"type": "string"}]}),
        &["SUM_TYPE_NARROWED #/"],
        false,
    );
}

#[test]
fn a_change_inside_a_matched_alternative_is_reported_under_its_original_index() {
    assert_changes(
        json!({"oneOf": [{"type": "null"}, {"type": "string", "maxLength": 5}]}),
        json!({"oneOf": [{"type": "string", "maxLength": 10}, {"type": "null"}]}),
        &["MAX_LENGTH_INCREASED #/oneOf/1/maxLength"],
        true,
    );
}

#[test]
fn all_of_gaining_a_part_is_a_new_constraint() {
    assert_changes(
        json!({"allOf": [{"type": "string"}]}),
        json!({"allOf": [{"type": "string"}, {"maxLength": 3}]}),
        &["PRODUCT_TYPE_EXTENDED #/"],
        false,
    );
    assert_changes(
        json!({"allOf": [{"type": "string"}, {"maxLength": 3}]}),
        json!({"type": "string"}),
        &["PRODUCT_TYPE_NARROWED #/"],
        true,
    );
}

#[test]
fn one_of_becoming_any_of_extends_the_criterion() {
    assert_changes(
        json!({"oneOf": [{"type": "string"}, {"type": "integer"}]}),
        json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}),
        &["COMBINED_TYPE_EXTENDED #/"],
        true,
    );
    assert_changes(
        json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}),
        json!({"oneOf": [{"type": "string"}, {"type": "integer"}]}),
        &["COMBINED_TYPE_CHANGED #/"],
        false,
    );
}

#[test]
fn changes_deep_in_nested_objects_carry_their_whole_path() {
    let order = |city: Value, required: Value| {
        json!({
            "type": "object",
            "properties": {
                "shipping": {
                    "type": "object",
                    "properties": {
                        "address": {
                            "type": "object",
                            "properties": {"city": city, "zip": {"type": "string"}},
                            "required": required,
                            "additionalProperties": false
                        }
                    }
                }
            }
        })
    };
    assert_changes(
        order(json!({"type": "string", "maxLength": 40}), json!(["city"])),
        order(json!({"type": "string", "maxLength": 20}), json!(["city", "zip"])),
        &[
            "MAX_LENGTH_DECREASED #/properties/shipping/properties/address/properties/city/maxLength",
            "REQUIRED_ATTRIBUTE_ADDED #/properties/shipping/properties/address/required/zip",
        ],
        false,
    );
}

#[test]
fn a_required_property_with_a_default_may_be_added_to_a_closed_object() {
    assert_changes(
        json!({"type": "object", "properties": {"sku": {"type": "string"}}, "additionalProperties": false}),
        json!({
            "type": "object",
            "properties": {"sku": {"type": "string"}, "quantity": {"type": "integer", "default": 1}},
            "required": ["quantity"],
            "additionalProperties": false
        }),
        &["REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/quantity"],
        true,
    );
}

#[test]
fn array_item_schemas_are_compared_position_by_position() {
    assert_changes(
        json!({"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}, "required": ["sku"]}}),
        json!({"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}, "maxItems": 50}),
        &[
            "REQUIRED_ATTRIBUTE_REMOVED #/items/required/sku",
            "MAX_ITEMS_ADDED #/maxItems",
        ],
        false,
    );
    assert_changes(
        json!({"type": "array", "items": [{"type": "string"}, {"type": "integer"}], "additionalItems": false}),
        json!({"type": "array", "items": [{"type": "string"}, {"type": "number"}], "additionalItems": false}),
        &["TYPE_EXTENDED #/items/1"],
        true,
    );
}

#[test]
fn local_references_are_followed_on_both_sides() {
    let with_money = |amount: Value| {
        json!({
            "type": "object",
            "properties": {"total": {"$ref": "#/$defs/money"}, "tax": {"$ref": "#/$defs/money"}},
            "$defs": {"money": {"type": "object", "properties": {"amount": amount}}}
        })
    };
    assert_changes(
        with_money(json!({"type": "integer"})),
        with_money(json!({"type": "number"})),
        &[
            "TYPE_EXTENDED #/properties/total/properties/amount",
            "TYPE_EXTENDED #/properties/tax/properties/amount",
        ],
        true,
    );
    // Inlining a definition is no change.
    assert_changes(
        with_money(json!({"type": "integer"})),
        json!({
            "type": "object",
            "properties": {
                "total": {"type": "object", "properties": {"amount": {"type": "integer"}}},
                "tax": {"$ref": "#/definitions/money"}
            },
            "definitions": {"money": {"type": "object", "properties": {"amount": {"type": "integer"}}}}
        }),
        &[],
        true,
    );
}

#[test]
fn a_recursive_schema_is_compared_without_looping() {
    let category = |name_type: &str| {
        json!({
            "$ref": "#/definitions/category",
            "definitions": {"category": {
                "type": "object",
                "properties": {
                    "name": {"type": name_type},
                    "children": {"type": "array", "items": {"$ref": "#/definitions/category"}}
                }
            }}
        })
    };
    assert_changes(category("string"), category("string"), &[], true);
    // As in Confluent, the change is also reported where the recursion comes back to it.
    assert_changes(
        category("string"),
        category("integer"),
        &[
            "TYPE_CHANGED #/properties/name",
            "TYPE_CHANGED #/properties/children/items/properties/name",
        ],
        false,
    );
}

/// Confluent's recursive trade schema: every product's `underlying` and `referenceProduct` is a
/// `oneOf` over all twelve products, by reference.
fn recursive_trade(asset_id_type: &str) -> Value {
    let products = [
        "Asset",
        "Basket",
        "Swap",
        "Bond",
        "Option",
        "Future",
        "Forward",
        "Loan",
        "Repo",
        "Equity",
        "Index",
        "CommodityLeg",
    ];
    let any_product = json!({
        "oneOf": products
            .iter()
            .map(|product| json!({"$ref": format!("#/definitions/{product}")}))
            .collect::<Vec<_>>()
    });
    let definitions: serde_json::Map<String, Value> = products
        .iter()
        .map(|product| {
            let id_type = if *product == "Asset" {
                asset_id_type
            } else {
                "string"
            };
            let definition = json!({
                "type": "object",
                "properties": {
                    "id": {"type": id_type},
                    "underlying": any_product,
                    "referenceProduct": any_product
                }
            });
            (product.to_string(), definition)
        })
        .collect();
    json!({
        "title": "Trade",
        "type": "object",
        "definitions": definitions,
        "properties": {"tradeId": {"type": "string"}, "product": any_product}
    })
}

#[test]
fn a_twelve_way_recursive_one_of_is_compared_quickly_and_finds_a_deep_change() {
    assert_changes(
        recursive_trade("string"),
        recursive_trade("string"),
        &[],
        true,
    );
    let verdict = check(
        CompatibilityMode::Backward,
        &[recursive_trade("string")],
        &recursive_trade("number"),
    )
    .expect("valid schemas");
    assert!(!verdict.is_compatible());
}

/// Confluent's reproducer for memoization masking an incompatibility: the root is
/// `oneOf: [T0, T1]`, and `T0 → T2 → T0` is a cycle through singleton `oneOf`s. The changes to
/// `T0.id` and `T1.id` sit behind that cycle.
fn cyclic_union(t0_id: &str, t1_id: &str) -> Value {
    let object = |id_type: &str, target: &str| {
        json!({
            "type": "object",
            "properties": {
                "id": {"type": id_type},
                "ref": {"oneOf": [{"$ref": format!("#/definitions/{target}")}]}
            }
        })
    };
    json!({
        "type": "object",
        "definitions": {
            "T0": object(t0_id, "T2"),
            "T1": object(t1_id, "T2"),
            "T2": object("integer", "T0")
        },
        "properties": {
            "root": {"oneOf": [{"$ref": "#/definitions/T0"}, {"$ref": "#/definitions/T1"}]}
        }
    })
}

#[test]
fn remembering_compared_pairs_does_not_mask_an_incompatibility_behind_a_cycle() {
    let verdict = check(
        CompatibilityMode::Backward,
        &[cyclic_union("integer", "boolean")],
        &cyclic_union("boolean", "number"),
    )
    .expect("valid schemas");
    assert!(!verdict.is_compatible(), "{verdict:?}");
}

#[test]
fn a_reference_outside_the_document_is_refused_not_fetched() {
    let error = JsonSchema::parse(json!({"$ref": "https://example.com/money.json"}))
        .expect_err("a remote reference does not resolve");
    assert_eq!(error.location, "#");
    assert!(
        error.to_string().contains("outside this document"),
        "{error}"
    );
}

#[test]
fn each_change_kind_knows_its_confluent_name_and_verdict() {
    assert_eq!(ChangeKind::TypeChanged.name(), "TYPE_CHANGED");
    assert!(!ChangeKind::TypeChanged.is_backward_compatible());
    assert!(ChangeKind::PropertyRemovedFromOpenContentModel.is_backward_compatible());
    assert!(!ChangeKind::PropertyRemovedFromClosedContentModel.is_backward_compatible());
}

// ---------------------------------------------------------------------------------------------
// Compatibility modes
// ---------------------------------------------------------------------------------------------

/// A closed object with a string `name` of at most `max_length` characters.
fn named(max_length: u64) -> Value {
    json!({
        "type": "object",
        "properties": {"name": {"type": "string", "maxLength": max_length}},
        "additionalProperties": false
    })
}

fn is_compatible(mode: CompatibilityMode, earlier: &[Value], proposed: &Value) -> bool {
    check(mode, earlier, proposed)
        .expect("valid schemas")
        .is_compatible()
}

#[test]
fn backward_lets_new_readers_accept_more_and_forward_lets_old_readers_accept_the_new() {
    use CompatibilityMode::*;
    let after_one = |mode, earlier: &Value, proposed: &Value| {
        is_compatible(mode, std::slice::from_ref(earlier), proposed)
    };
    let (short, long) = (named(10), named(20));
    // Widening: the new schema reads all old data, but old readers may meet longer names.
    assert!(after_one(Backward, &short, &long));
    assert!(!after_one(Forward, &short, &long));
    assert!(!after_one(Full, &short, &long));
    // Narrowing: the reverse.
    assert!(!after_one(Backward, &long, &short));
    assert!(after_one(Forward, &long, &short));
    assert!(!after_one(Full, &long, &short));
    // A title changes nothing either way.
    let titled = json!({"title": "Named", "type": "object",
        "properties": {"name": {"type": "string", "maxLength": 10}}, "additionalProperties": false});
    assert!(after_one(Full, &short, &titled));
    // NONE accepts anything.
    assert!(after_one(None, &short, &json!({"type": "integer"})));
}

#[test]
fn a_forward_check_diffs_the_proposed_schema_against_the_earlier_one() {
    let verdict = check(CompatibilityMode::Full, &[named(10)], &named(20)).expect("valid");
    let found: Vec<_> = verdict
        .comparisons
        .iter()
        .map(|comparison| {
            let changes: Vec<String> = comparison.changes.iter().map(ToString::to_string).collect();
            (comparison.version, comparison.direction, changes)
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                SchemaVersion(1),
                Direction::Backward,
                vec!["MAX_LENGTH_INCREASED #/properties/name/maxLength".to_string()]
            ),
            (
                SchemaVersion(1),
                Direction::Forward,
                vec!["MAX_LENGTH_DECREASED #/properties/name/maxLength".to_string()]
            ),
        ]
    );
    assert!(!verdict.is_compatible());
    assert_eq!(verdict.incompatible_changes().count(), 1);
}

/// Three versions of an `OrderPlaced` payload where each is backward compatible with the one
/// before, but v3 cannot read v1:
/// - v1: `currency` is optional.
/// - v2: `currency` is required, with a default a reader fills in for v1 events that lack it.
/// - v3: the default is gone. v2 events always carry `currency`, so v3 reads them; v1 events
///   may not, and v3 has nothing to fill in.
fn order_placed_versions() -> [Value; 3] {
    let with_currency = |currency: Value, required: Value| {
        json!({
            "type": "object",
            "properties": {"total": {"type": "number"}, "currency": currency},
            "required": required
        })
    };
    [
        with_currency(json!({"type": "string"}), json!(["total"])),
        with_currency(
            json!({"type": "string", "default": "EUR"}),
            json!(["total", "currency"]),
        ),
        with_currency(json!({"type": "string"}), json!(["total", "currency"])),
    ]
}

#[test]
fn the_order_placed_chain_is_compatible_step_by_step_but_not_end_to_end() {
    let [v1, v2, v3] = order_placed_versions();
    assert_changes(
        v1.clone(),
        v2.clone(),
        &[
            "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED #/required/currency",
            "DEFAULT_CHANGED #/properties/currency",
        ],
        true,
    );
    assert_changes(
        v2,
        v3.clone(),
        &["DEFAULT_CHANGED #/properties/currency"],
        true,
    );
    assert_changes(
        v1,
        v3,
        &["REQUIRED_ATTRIBUTE_ADDED #/required/currency"],
        false,
    );
}

#[test]
fn every_mode_checks_the_directions_and_versions_it_names() {
    use CompatibilityMode::*;
    let [v1, v2, v3] = order_placed_versions();
    // (mode, earlier versions, proposed, compatible?)
    let cases = [
        // v3 reads v2's data, but not v1's.
        (Backward, vec![v1.clone(), v2.clone()], v3.clone(), true),
        (
            BackwardTransitive,
            vec![v1.clone(), v2.clone()],
            v3.clone(),
            false,
        ),
        // The same chain read the other way: v2 and v3 can read what v1 would write, as
        // forward compatibility asks when v1 is proposed after them; v3 cannot.
        (Forward, vec![v3.clone(), v2.clone()], v1.clone(), true),
        (
            ForwardTransitive,
            vec![v3.clone(), v2.clone()],
            v1.clone(),
            false,
        ),
        // v2 and v3 agree both ways (they differ only in a default); v1 and v3 do not.
        (Full, vec![v1.clone(), v2.clone()], v3.clone(), true),
        (
            FullTransitive,
            vec![v1.clone(), v2.clone()],
            v3.clone(),
            false,
        ),
        (
            None,
            vec![v1.clone(), v2.clone()],
            json!({"type": "integer"}),
            true,
        ),
        // A first version is compatible in every mode.
        (FullTransitive, vec![], v1.clone(), true),
    ];
    for (mode, earlier, proposed, compatible) in cases {
        assert_eq!(
            is_compatible(mode, &earlier, &proposed),
            compatible,
            "{mode} with {} earlier version(s)",
            earlier.len()
        );
    }
}

#[test]
fn a_transitive_verdict_names_the_version_and_direction_that_break() {
    let [v1, v2, v3] = order_placed_versions();
    let verdict = check(CompatibilityMode::FullTransitive, &[v1, v2], &v3).expect("valid");
    let compared: Vec<_> = verdict
        .comparisons
        .iter()
        .map(|comparison| (comparison.version, comparison.direction))
        .collect();
    assert_eq!(
        compared,
        [
            (SchemaVersion(2), Direction::Backward),
            (SchemaVersion(2), Direction::Forward),
            (SchemaVersion(1), Direction::Backward),
            (SchemaVersion(1), Direction::Forward),
        ]
    );
    let breaking: Vec<_> = verdict
        .incompatible_changes()
        .map(|(comparison, change)| (comparison.version, comparison.direction, change.to_string()))
        .collect();
    assert_eq!(
        breaking,
        [(
            SchemaVersion(1),
            Direction::Backward,
            "REQUIRED_ATTRIBUTE_ADDED #/required/currency".to_string()
        )]
    );
}

#[test]
fn an_invalid_schema_is_an_error_not_a_verdict() {
    let error = check(
        CompatibilityMode::Backward,
        &[json!({"type": "object"})],
        &json!({"type": 7}),
    )
    .expect_err("the proposed schema is invalid");
    assert!(error.to_string().contains("proposed"), "{error}");
}

// ---------------------------------------------------------------------------------------------
// The registry
// ---------------------------------------------------------------------------------------------

#[test]
fn the_registry_refuses_an_incompatible_version_and_keeps_its_versions() {
    let [v1, v2, v3] = order_placed_versions();
    let mut registry = SchemaRegistry::new();
    registry.set_mode(
        "OrderPlaced".to_string(),
        CompatibilityMode::BackwardTransitive,
    );
    assert_eq!(
        registry.register("OrderPlaced".to_string(), v1.clone()),
        Ok(SchemaVersion(1))
    );
    assert_eq!(
        registry.register("OrderPlaced".to_string(), v2.clone()),
        Ok(SchemaVersion(2))
    );

    let refused = registry.register("OrderPlaced".to_string(), v3.clone());
    let Err(RegistrationError::Incompatible { verdict }) = refused else {
        panic!("v3 should be refused, got {refused:?}");
    };
    let breaking: Vec<String> = verdict
        .incompatible_changes()
        .map(|(_, change)| change.to_string())
        .collect();
    assert_eq!(breaking, ["REQUIRED_ATTRIBUTE_ADDED #/required/currency"]);

    let kept: Vec<_> = registry
        .versions("OrderPlaced")
        .map(|(version, schema)| (version, schema.source().clone()))
        .collect();
    assert_eq!(kept, [(SchemaVersion(1), v1), (SchemaVersion(2), v2)]);
    assert!(registry.version("OrderPlaced", SchemaVersion(3)).is_none());

    // In plain BACKWARD mode only the latest version counts, and v3 is accepted.
    registry.set_mode("OrderPlaced".to_string(), CompatibilityMode::Backward);
    assert_eq!(
        registry.register("OrderPlaced".to_string(), v3),
        Ok(SchemaVersion(3))
    );
}

#[test]
fn the_registry_keeps_a_mode_per_subject_and_a_default_for_the_rest() {
    let mut registry: SchemaRegistry = SchemaRegistry::with_default_mode(CompatibilityMode::Full);
    registry.set_mode("CartOpened".to_string(), CompatibilityMode::None);
    assert_eq!(registry.mode("CartOpened"), CompatibilityMode::None);
    assert_eq!(registry.mode("OrderPlaced"), CompatibilityMode::Full);

    // NONE accepts a schema of another type altogether.
    registry
        .register("CartOpened".to_string(), json!({"type": "object"}))
        .expect("a first version");
    assert_eq!(
        registry.register("CartOpened".to_string(), json!({"type": "string"})),
        Ok(SchemaVersion(2))
    );
    // An invalid schema is refused whatever the mode.
    assert!(matches!(
        registry.register("CartOpened".to_string(), json!({"type": "text"})),
        Err(RegistrationError::Invalid(_))
    ));
    assert_eq!(registry.versions("CartOpened").count(), 2);
}
