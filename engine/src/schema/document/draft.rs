//! JSON Schema drafts, and the keywords each one knows.

use serde_json::Value;

/// The JSON Schema draft, which changes a few keywords. Named by `$schema`; draft 7 by default,
/// as in Confluent. Draft 2020-12 brings `prefixItems` (and `items` for what follows it),
/// `dependentRequired`, `dependentSchemas`, `unevaluatedProperties`, `unevaluatedItems`,
/// `minContains`, `maxContains`, and `$ref` beside other keywords; draft 2019-09, whose
/// `items` and `additionalItems` are draft 7's, is read as draft 7.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Draft {
    Four,
    Six,
    Seven,
    TwentyTwelve,
}

pub(super) const NUMBER_KEYWORDS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];
pub(super) const STRING_KEYWORDS: &[&str] = &["minLength", "maxLength", "pattern", "format"];
pub(super) const CONDITIONAL_KEYWORDS: &[&str] = &["if", "then", "else"];

impl Draft {
    pub(super) fn of(root: &Value) -> Draft {
        match root.get("$schema").and_then(Value::as_str) {
            Some(uri) if uri.contains("draft-04") => Draft::Four,
            Some(uri) if uri.contains("draft-06") => Draft::Six,
            Some(uri) if uri.contains("draft/2020-12") => Draft::TwentyTwelve,
            _ => Draft::Seven,
        }
    }

    /// Whether `$ref` is one keyword among others (2020-12) rather than the whole schema.
    pub(super) fn ref_has_siblings(self) -> bool {
        self == Draft::TwentyTwelve
    }

    /// Whether `if`, `then` and `else` are keywords (draft 7 on).
    pub(super) fn has_conditionals(self) -> bool {
        matches!(self, Draft::Seven | Draft::TwentyTwelve)
    }

    pub(super) fn id_keyword(self) -> &'static str {
        match self {
            Draft::Four => "id",
            Draft::Six | Draft::Seven | Draft::TwentyTwelve => "$id",
        }
    }

    pub(super) fn object_keywords(self) -> &'static [&'static str] {
        match self {
            Draft::Four => &[
                "properties",
                "required",
                "minProperties",
                "maxProperties",
                "dependencies",
                "patternProperties",
                "additionalProperties",
            ],
            Draft::Six | Draft::Seven => &[
                "properties",
                "required",
                "minProperties",
                "maxProperties",
                "dependencies",
                "patternProperties",
                "additionalProperties",
                "propertyNames",
            ],
            // `dependencies` is gone from the draft, but validators (and so this one) still read
            // it, beside the two keywords that replace it.
            Draft::TwentyTwelve => &[
                "properties",
                "required",
                "minProperties",
                "maxProperties",
                "dependencies",
                "dependentRequired",
                "dependentSchemas",
                "patternProperties",
                "additionalProperties",
                "unevaluatedProperties",
                "propertyNames",
            ],
        }
    }

    pub(super) fn array_keywords(self) -> &'static [&'static str] {
        match self {
            Draft::Four => &[
                "items",
                "additionalItems",
                "minItems",
                "maxItems",
                "uniqueItems",
            ],
            Draft::Six | Draft::Seven => &[
                "items",
                "additionalItems",
                "minItems",
                "maxItems",
                "uniqueItems",
                "contains",
            ],
            // `minContains` and `maxContains` mean nothing without `contains`, so they imply no
            // array schema of their own; `additionalItems` is no 2020-12 keyword.
            Draft::TwentyTwelve => &[
                "prefixItems",
                "items",
                "minItems",
                "maxItems",
                "uniqueItems",
                "contains",
                "unevaluatedItems",
            ],
        }
    }

    /// The keywords a `type` name brings with it: `{"type": "string", "minimum": 1}` is a string
    /// schema and a number schema, but `{"type": "number", "minimum": 1}` is only a number schema.
    pub(super) fn keywords_of_type(self, type_name: &str) -> &'static [&'static str] {
        match type_name {
            "string" => STRING_KEYWORDS,
            "number" | "integer" => NUMBER_KEYWORDS,
            "object" => self.object_keywords(),
            "array" => self.array_keywords(),
            _ => &[],
        }
    }
}

/// The names `"type"` may take, as `'static` strings for [`Origin::TypeMember`].
pub(super) const TYPE_NAMES: &[&str] = &[
    "string", "integer", "number", "boolean", "null", "array", "object",
];
