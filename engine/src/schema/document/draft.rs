//! JSON Schema drafts, and the keywords each one knows.

use serde_json::Value;

/// The JSON Schema draft, which changes a few keywords. Named by `$schema`; draft 7 by default,
/// as in Confluent (later drafts are read as draft 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Draft {
    Four,
    Six,
    Seven,
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
            _ => Draft::Seven,
        }
    }

    pub(super) fn id_keyword(self) -> &'static str {
        match self {
            Draft::Four => "id",
            Draft::Six | Draft::Seven => "$id",
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
