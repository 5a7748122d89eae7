//! The keyword corpus the validator is compared with the oracle on: schemas written to reach
//! every keyword, drafts 4 to 7 and 2020-12.

use serde_json::{json, Value};

/// Schemas written to reach every keyword the validator handles, and the corners where two
/// validators most easily differ.
pub fn keyword_schemas() -> Vec<Value> {
    let mut schemas = vec![
        json!({"type": "null"}),
        json!({"type": "boolean"}),
        json!({"type": "integer"}),
        json!({"type": "number", "minimum": 0, "exclusiveMaximum": 10}),
        json!({"type": ["string", "null"], "pattern": "^O-[0-9]{4,}$"}),
        json!({"type": ["integer", "string"], "minimum": 2, "maxLength": 2}),
        json!({"maxLength": 2, "minimum": 1, "required": ["a"], "minItems": 1}),
        json!({"type": "string", "minLength": 2, "maxLength": 3}),
        json!({"pattern": "a.c"}),
        json!({"pattern": "^\\s*$"}),
        json!({"pattern": "^\\S+$"}),
        json!({"pattern": "^\\d+$"}),
        json!({"pattern": "\\w-\\W"}),
        json!({"pattern": "^[^ab]*$"}),
        json!({"enum": [1, "1", [1], {"a": 1}, null]}),
        json!({"const": {"a": [1, 2.0]}}),
        json!({"const": 2}),
        json!({"multipleOf": 0.5}),
        json!({"multipleOf": 0.1}),
        json!({"multipleOf": 0.01, "minimum": -1, "maximum": 1}),
        json!({"multipleOf": 3}),
        json!({"multipleOf": 1.5}),
        json!({"exclusiveMinimum": 1, "maximum": 3}),
        json!({"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer",
               "minimum": 1, "exclusiveMinimum": true, "maximum": 3, "exclusiveMaximum": true}),
        json!({"$schema": "http://json-schema.org/draft-06/schema#", "const": 1,
               "contains": {"type": "string"}, "if": {"type": "string"}, "then": false}),
        json!({"type": "object", "properties": {"a": {"type": "integer"}, "b": {}},
               "required": ["a"], "additionalProperties": false}),
        json!({"properties": {"a": {"type": "string"}}, "patternProperties": {"^b": {"minimum": 2},
               "a$": {"type": "integer"}}, "additionalProperties": {"type": "boolean"}}),
        json!({"dependencies": {"a": ["b"], "b": {"required": ["type"]}},
               "minProperties": 1, "maxProperties": 3}),
        json!({"propertyNames": {"pattern": "^[a-z]+$", "maxLength": 2}}),
        json!({"items": {"type": "integer", "minimum": 0}, "uniqueItems": true, "maxItems": 4}),
        json!({"items": [{"type": "string"}, {"type": "number"}], "additionalItems": false}),
        json!({"items": [{}, {"type": "null"}], "additionalItems": {"type": "boolean"},
               "minItems": 1}),
        json!({"contains": {"type": "integer", "minimum": 1}}),
        json!({"uniqueItems": true}),
        json!({"allOf": [{"type": "number"}, {"minimum": 1}, {"maximum": 5}]}),
        json!({"anyOf": [{"type": "string", "maxLength": 1}, {"type": "array"}]}),
        json!({"oneOf": [{"type": "integer"}, {"minimum": 2}, {"type": "string"}]}),
        json!({"not": {"type": ["string", "object"]}}),
        json!({"if": {"properties": {"a": {"const": 1}}, "required": ["a"]},
               "then": {"required": ["b"]}, "else": {"maxProperties": 1}}),
        json!({"if": {"type": "integer"}, "then": {"minimum": 1}}),
        json!({"else": false}),
        json!({"$ref": "#/definitions/node", "definitions": {"node": {
            "type": "object", "required": ["a"],
            "properties": {"a": {"type": "integer"},
                           "b": {"type": "array", "items": {"$ref": "#/definitions/node"}}}}}}),
        json!({"$ref": "#leaf", "definitions": {"x": {"$id": "#leaf", "type": "integer"}}}),
        json!({"anyOf": [{"$ref": "#"}, {"type": "string"}]}),
        json!({"allOf": [{"$ref": "#"}], "type": "integer"}),
        json!(true),
        json!(false),
        json!({}),
        json!({"properties": {"a": false, "b": true}}),
        json!({"type": "string", "format": "email"}),
        json!({"format": "date-time"}),
    ];
    schemas.extend(draft_2020_12_schemas());
    schemas
}

const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// The 2020-12 keywords, each alone and where it sees through other keywords: `prefixItems` and
/// `items`, counted `contains`, `dependentRequired`, `dependentSchemas`, `$defs`, `$ref` beside
/// other keywords, and `unevaluatedProperties` / `unevaluatedItems` through `allOf`, `$ref`,
/// `anyOf`, `oneOf`, `if`, `dependentSchemas` and nested schemas.
fn draft_2020_12_schemas() -> Vec<Value> {
    let schemas = [
        json!({"prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false}),
        json!({"prefixItems": [{}, {"type": "null"}], "items": {"type": "boolean"},
               "minItems": 1}),
        json!({"type": "array", "items": {"type": "integer", "minimum": 0}}),
        json!({"items": false}),
        json!({"items": true, "maxItems": 2}),
        json!({"contains": {"type": "integer"}, "minContains": 2, "maxContains": 3}),
        json!({"contains": {"type": "string"}, "minContains": 0, "maxContains": 1}),
        json!({"contains": {"const": "a"}}),
        json!({"minContains": 2}),
        json!({"properties": {"a": {"type": "integer"}}, "unevaluatedProperties": false}),
        json!({"allOf": [{"properties": {"a": {}}}], "properties": {"b": {}},
               "unevaluatedProperties": false}),
        json!({"$ref": "#/$defs/base", "properties": {"b": {"type": "string"}},
               "unevaluatedProperties": false,
               "$defs": {"base": {"properties": {"a": {"type": "integer"}}, "required": ["a"]}}}),
        json!({"anyOf": [{"properties": {"a": {"type": "integer"}}, "required": ["a"]},
                         {"properties": {"b": {"type": "string"}}, "required": ["b"]}],
               "unevaluatedProperties": false}),
        json!({"oneOf": [{"properties": {"a": {}}, "required": ["a"]},
                         {"properties": {"b": {}}}],
               "unevaluatedProperties": false}),
        json!({"if": {"properties": {"a": {"const": 1}}, "required": ["a"]},
               "then": {"properties": {"b": {}}}, "else": {"properties": {"type": {}}},
               "unevaluatedProperties": false}),
        json!({"not": {"properties": {"a": {"type": "string"}}}, "unevaluatedProperties": false}),
        json!({"patternProperties": {"^a": {}}, "unevaluatedProperties": {"type": "integer"}}),
        json!({"additionalProperties": {"type": "string"}, "unevaluatedProperties": false}),
        json!({"dependentSchemas": {"a": {"properties": {"b": {}}}},
               "properties": {"a": {}}, "unevaluatedProperties": false}),
        json!({"properties": {"a": {"properties": {"x": {}}, "unevaluatedProperties": false}},
               "unevaluatedProperties": false}),
        json!({"allOf": [{"unevaluatedProperties": true}], "unevaluatedProperties": false}),
        json!({"dependentRequired": {"a": ["b"], "id": ["a", "type"]}}),
        json!({"dependentSchemas": {"a": {"required": ["b"]}, "b": false}}),
        json!({"prefixItems": [{"type": "integer"}], "unevaluatedItems": false}),
        json!({"allOf": [{"prefixItems": [{}, {}]}], "prefixItems": [{}],
               "unevaluatedItems": {"type": "string"}}),
        json!({"contains": {"type": "string"}, "unevaluatedItems": {"type": "integer"}}),
        json!({"anyOf": [{"prefixItems": [{"type": "string"}]}, {"items": {"type": "integer"}}],
               "unevaluatedItems": false}),
        json!({"$ref": "#/$defs/pair", "unevaluatedItems": false,
               "$defs": {"pair": {"prefixItems": [{}, {}]}}}),
        json!({"properties": {"n": {"$ref": "#/$defs/positive"}},
               "$defs": {"positive": {"type": "integer", "minimum": 1}}}),
        json!({"$ref": "#/definitions/a", "minLength": 2,
               "definitions": {"a": {"type": "string", "maxLength": 3}}}),
        json!({"$ref": "#/$defs/node", "$defs": {"node": {
            "type": "object", "properties": {"next": {"$ref": "#/$defs/node"}},
            "unevaluatedProperties": false}}}),
    ];
    schemas
        .into_iter()
        .map(|mut schema| {
            if let Value::Object(keywords) = &mut schema {
                keywords.insert("$schema".to_string(), json!(DRAFT_2020_12));
            }
            schema
        })
        .collect()
}
