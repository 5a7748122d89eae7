//! The typed model of a schema: what kind each node is and the rules of that kind. The diff
//! compares these nodes; the validator walks them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Number, Value};

use crate::schema::pattern::Pattern;

/// An index into a document's arena of nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct NodeId(pub(super) usize);

/// One schema: its annotations and its kind.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub annotations: Annotations,
    pub kind: Kind,
    pub(super) origin: Origin,
}

/// Keywords that describe a schema without constraining it (except `default`, which a reader
/// falls back on). They belong to the node as a whole, not to the parts of an implicit `allOf`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Annotations {
    pub id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub default: Option<Value>,
    /// Kafka Connect's logical type hint: two `"bytes"` schemas of different JSON types are
    /// treated as the same type.
    pub connect_type: Option<String>,
}

/// What a schema is. Two schemas of different kinds are, with few exceptions, a changed type.
#[derive(Clone, Debug)]
pub(crate) enum Kind {
    /// `{}` or only annotations: accepts anything.
    Empty,
    /// `true`: accepts anything.
    True,
    /// `false`: accepts nothing.
    False,
    Null,
    Boolean,
    String(StringRules),
    Number(NumberRules),
    Object(ObjectRules),
    Array(ArrayRules),
    Enum(Vec<Value>),
    Const(Value),
    Not(NodeId),
    Combined(Combined),
    /// `if`/`then`/`else`: loaded and checked, but no rule compares two of them; validation
    /// follows its branches.
    Conditional(Conditional),
    /// `$ref`: stands for the node it points to.
    Reference(NodeId),
}

impl Kind {
    /// Whether the schema accepts any value (`{}` or `true`).
    pub fn accepts_anything(&self) -> bool {
        matches!(self, Kind::Empty | Kind::True)
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct StringRules {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<Pattern>,
    /// `"type": "string"` named it; rules implied by keywords alone let other types through.
    pub requires_type: bool,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct NumberRules {
    pub minimum: Option<Number>,
    pub maximum: Option<Number>,
    pub exclusive_minimum: Option<Number>,
    pub exclusive_maximum: Option<Number>,
    pub multiple_of: Option<Number>,
    /// `"type": "integer"` rather than `"number"`.
    pub requires_integer: bool,
    /// `"type"` named a number or an integer; rules implied by keywords alone let other types
    /// through.
    pub requires_type: bool,
    /// Draft 4's `"exclusiveMinimum": true`: `minimum` itself is excluded.
    pub minimum_is_exclusive: bool,
    /// Draft 4's `"exclusiveMaximum": true`: `maximum` itself is excluded.
    pub maximum_is_exclusive: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct ObjectRules {
    pub properties: BTreeMap<String, NodeId>,
    pub required: BTreeSet<String>,
    pub additional_properties: Additional,
    pub pattern_properties: Vec<(Pattern, NodeId)>,
    /// `dependencies` whose value is a list of property names, and `dependentRequired`.
    pub property_dependencies: BTreeMap<String, BTreeSet<String>>,
    /// `dependencies` whose value is a schema, and `dependentSchemas`.
    pub schema_dependencies: BTreeMap<String, NodeId>,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    /// `propertyNames` (draft 6 and later): the schema every property name must match.
    pub property_names: Option<NodeId>,
    /// `unevaluatedProperties` (2020-12): the schema of every member no other keyword of the
    /// schema object evaluated, its `allOf`, `$ref`, ... and the alternatives that matched
    /// included.
    pub unevaluated_properties: Option<NodeId>,
    /// The schema object these rules are part of (itself, or an implicit `allOf` of its keyword
    /// groups): what `unevaluatedProperties` looks through.
    pub owner: NodeId,
    /// `"type": "object"` named it; rules implied by keywords alone let other types through.
    pub requires_type: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct ArrayRules {
    /// `items` as one schema for every item.
    pub all_items: Option<NodeId>,
    /// `items` as a list (2020-12: `prefixItems`): a schema per position (a tuple).
    pub tuple_items: Vec<NodeId>,
    /// `additionalItems` (2020-12: `items` beside `prefixItems`, or `items: false`): what may
    /// follow the tuple's positions.
    pub additional_items: Additional,
    /// Whether `additional_items` applies past the tuple: a tuple was given (even an empty one)
    /// or, in 2020-12, `items` was.
    pub rest_applies: bool,
    /// `unevaluatedItems` (2020-12): the schema of every item no other keyword evaluated.
    pub unevaluated_items: Option<NodeId>,
    /// The schema object these rules are part of: what `unevaluatedItems` looks through.
    pub owner: NodeId,
    pub unique_items: bool,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    /// `minContains` (read as a number in any draft, as Confluent does, for the diff; checked
    /// by the validator in 2020-12, where `contains` alone means at least 1, as here).
    pub min_contains: Option<f64>,
    pub max_contains: Option<f64>,
    /// `contains` (draft 6 and later): at least one item must match it.
    pub contains: Option<NodeId>,
    /// `"type": "array"` named it; rules implied by keywords alone let other types through.
    pub requires_type: bool,
}

/// `if`/`then`/`else` (draft 7): when the value matches `condition`, it must match `then`,
/// otherwise `otherwise`. A missing keyword constrains nothing.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Conditional {
    pub condition: Option<NodeId>,
    pub then: Option<NodeId>,
    pub otherwise: Option<NodeId>,
}

/// `additionalProperties` or `additionalItems`: allowed or not, and if allowed, maybe only
/// values of a schema.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Additional {
    pub permitted: bool,
    pub schema: Option<NodeId>,
}

impl Default for Additional {
    /// Absent, the keyword allows anything.
    fn default() -> Self {
        Additional {
            permitted: true,
            schema: None,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Combined {
    pub criterion: Criterion,
    pub subschemas: Vec<NodeId>,
}

/// How a combined schema combines its subschemas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Criterion {
    /// `allOf`: every subschema must match, a product type.
    All,
    /// `anyOf`: at least one must match, a sum type.
    Any,
    /// `oneOf`: exactly one must match, a sum type too.
    One,
}

impl Criterion {
    pub const ALL: [Criterion; 3] = [Criterion::All, Criterion::Any, Criterion::One];

    pub fn keyword(self) -> &'static str {
        match self {
            Criterion::All => "allOf",
            Criterion::Any => "anyOf",
            Criterion::One => "oneOf",
        }
    }

    pub fn is_sum(self) -> bool {
        matches!(self, Criterion::Any | Criterion::One)
    }
}

/// Where a node's JSON is, for [`JsonSchema::rendering`].
#[derive(Clone, Debug)]
pub(super) enum Origin {
    /// The whole value at this JSON pointer.
    At(String),
    /// One type of a `"type": [...]` list at this pointer.
    TypeMember { at: String, type_name: &'static str },
    /// One of the schemas an object's keyword groups yield, joined in an implicit `allOf`.
    ImplicitPart,
}
