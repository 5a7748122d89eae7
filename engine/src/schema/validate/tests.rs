//! The validator's rules, one test per keyword or corner.

use serde_json::json;

use super::*;

mod patterns;

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
    let additional = json!({"properties": {"a": {}}, "additionalProperties": {"type": "string"}});
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
