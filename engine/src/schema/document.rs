//! A JSON Schema document, loaded into typed nodes the diff can compare.
//!
//! A JSON Schema object does not say what *kind* of schema it is; its keywords do. This module
//! decides the kind the way Confluent's JSON Schema loader (everit, draft 7 by default) does,
//! because the compatibility rules are written against those kinds:
//!
//! - `true` accepts anything, `false` nothing; `{}` (no constraining keyword) is the empty schema.
//! - `$ref` wins over every sibling keyword: the node *is* the schema it points to.
//! - Otherwise each group of keywords yields one schema: `enum`; each of `allOf`/`anyOf`/`oneOf`;
//!   `not`; `const`; `type` (a list of types is an `anyOf` of one schema per type); and, for
//!   keywords of a type that `type` did not name, the schema they imply (`{"maxLength": 3}` is a
//!   string schema, `{"properties": {}}` an object schema).
//! - One schema from that is the node; several become an `allOf` of them, so
//!   `{"type": "string", "enum": ["a"]}` is "a string, and one of these values".
//!
//! Nodes live in an arena and refer to each other by [`NodeId`], so recursive schemas (a `$ref`
//! back to an enclosing definition) load once and compare without looping. References resolve
//! only inside the document (`#/definitions/...`, `#/$defs/...`, `#` or a subschema's `$id`):
//! nothing is fetched from a network or a file system.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use regex_lite::Regex;
use serde_json::{Map, Number, Value};

use super::validate::ecma_regex;

/// A JSON Schema, checked and loaded. Build one with [`JsonSchema::parse`].
#[derive(Clone, Debug)]
pub struct JsonSchema {
    source: Value,
    nodes: Vec<Node>,
    root: NodeId,
    draft: Draft,
}

impl JsonSchema {
    /// Loads a schema document. Fails, naming the place, when the document is not a schema: a
    /// keyword of the wrong JSON type, an unknown `type`, a reference that does not resolve
    /// inside the document, or a `patternProperties` pattern that is not a regular expression.
    pub fn parse(source: Value) -> Result<JsonSchema, SchemaError> {
        let (nodes, root, draft) = {
            let mut loader = Loader::new(&source);
            let root = loader.load(String::new(), &source)?;
            loader.check_reference_chains()?;
            (loader.nodes, root, loader.draft)
        };
        Ok(JsonSchema {
            source,
            nodes,
            root,
            draft,
        })
    }

    /// The document as it was given.
    pub fn source(&self) -> &Value {
        &self.source
    }

    pub(crate) fn root(&self) -> NodeId {
        self.root
    }

    pub(crate) fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0]
    }

    /// The draft the document was read as (its `$schema`; draft 7 when absent or later).
    pub(crate) fn draft(&self) -> Draft {
        self.draft
    }

    /// The type a node stands for when it is one member of a `"type": [...]` list.
    pub(crate) fn type_member(&self, id: NodeId) -> Option<&'static str> {
        match self.node(id).origin {
            Origin::TypeMember { type_name, .. } => Some(type_name),
            _ => None,
        }
    }

    /// The schema a node stands for: itself, or what its `$ref` (chain) points to.
    pub(crate) fn resolve(&self, mut id: NodeId) -> NodeId {
        // Chains were checked for cycles when loading, so this ends within `nodes.len()` steps;
        // the bound only keeps a broken invariant from becoming a hang.
        for _ in 0..self.nodes.len() {
            match self.node(id).kind {
                Kind::Reference(target) => id = target,
                _ => break,
            }
        }
        id
    }

    /// The JSON a node was loaded from, used to tell whether two subschemas of a combined schema
    /// are the same. `None` for the parts of an implicit `allOf`, which are never duplicates.
    pub(crate) fn rendering(&self, id: NodeId) -> Option<Value> {
        match &self.node(id).origin {
            Origin::At(pointer) => self.source.pointer(pointer).cloned(),
            Origin::TypeMember { at, type_name } => {
                let mut rendering = self.source.pointer(at)?.clone();
                if let Value::Object(object) = &mut rendering {
                    object.insert("type".to_string(), Value::from(*type_name));
                }
                Some(rendering)
            }
            Origin::ImplicitPart => None,
        }
    }
}

/// Why a document is not a JSON Schema, and where (`#/properties/id`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{problem} at {location}")]
pub struct SchemaError {
    /// A JSON pointer to the offending subschema, from the document's root: `#/items`.
    pub location: String,
    pub problem: Problem,
}

/// What makes a document not a schema.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("a schema must be an object or a boolean")]
    NotASchema,
    #[error("\"{keyword}\" must be {expected}")]
    WrongType {
        keyword: &'static str,
        expected: &'static str,
    },
    #[error("unknown type \"{0}\"")]
    UnknownType(String),
    #[error("\"multipleOf\" must not be 0")]
    ZeroMultipleOf,
    #[error("the reference \"{0}\" points outside this document; only local references resolve")]
    NonLocalReference(String),
    #[error("the reference \"{0}\" points to nothing in this document")]
    UnresolvedReference(String),
    #[error("the reference \"{0}\" only leads to other references")]
    ReferenceCycle(String),
    #[error("the pattern \"{pattern}\" is not a supported regular expression: {reason}")]
    InvalidPattern { pattern: String, reason: String },
}

/// An index into a document's arena of nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct NodeId(usize);

/// One schema: its annotations and its kind.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub annotations: Annotations,
    pub kind: Kind,
    origin: Origin,
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
    pub pattern: Option<String>,
    /// `pattern` as an ECMA 262 regular expression, for validation; `None` when there is no
    /// pattern or it is not one `regex_lite` can run (the diff compares the text only).
    pub regex: Option<Regex>,
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
    pub pattern_properties: Vec<(Regex, NodeId)>,
    /// `dependencies` whose value is a list of property names.
    pub property_dependencies: BTreeMap<String, BTreeSet<String>>,
    /// `dependencies` whose value is a schema.
    pub schema_dependencies: BTreeMap<String, NodeId>,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    /// The patterns of `pattern_properties`, in the same order, read as ECMA 262 regular
    /// expressions for validation (`.` and `\s` as ECMA 262 defines them).
    pub pattern_matchers: Vec<Regex>,
    /// `propertyNames` (draft 6 and later): the schema every property name must match.
    pub property_names: Option<NodeId>,
    /// `"type": "object"` named it; rules implied by keywords alone let other types through.
    pub requires_type: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct ArrayRules {
    /// `items` as one schema for every item.
    pub all_items: Option<NodeId>,
    /// `items` as a list: a schema per position (a tuple).
    pub tuple_items: Vec<NodeId>,
    /// `additionalItems`: what may follow the tuple's positions.
    pub additional_items: Additional,
    pub unique_items: bool,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
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
enum Origin {
    /// The whole value at this JSON pointer.
    At(String),
    /// One type of a `"type": [...]` list at this pointer.
    TypeMember { at: String, type_name: &'static str },
    /// One of the schemas an object's keyword groups yield, joined in an implicit `allOf`.
    ImplicitPart,
}

/// The JSON Schema draft, which changes a few keywords. Named by `$schema`; draft 7 by default,
/// as in Confluent (later drafts are read as draft 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Draft {
    Four,
    Six,
    Seven,
}

const NUMBER_KEYWORDS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];
const STRING_KEYWORDS: &[&str] = &["minLength", "maxLength", "pattern", "format"];
const CONDITIONAL_KEYWORDS: &[&str] = &["if", "then", "else"];

impl Draft {
    fn of(root: &Value) -> Draft {
        match root.get("$schema").and_then(Value::as_str) {
            Some(uri) if uri.contains("draft-04") => Draft::Four,
            Some(uri) if uri.contains("draft-06") => Draft::Six,
            _ => Draft::Seven,
        }
    }

    fn id_keyword(self) -> &'static str {
        match self {
            Draft::Four => "id",
            Draft::Six | Draft::Seven => "$id",
        }
    }

    fn object_keywords(self) -> &'static [&'static str] {
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

    fn array_keywords(self) -> &'static [&'static str] {
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
    fn keywords_of_type(self, type_name: &str) -> &'static [&'static str] {
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
const TYPE_NAMES: &[&str] = &[
    "string", "integer", "number", "boolean", "null", "array", "object",
];

struct Loader<'a> {
    root: &'a Value,
    draft: Draft,
    nodes: Vec<Node>,
    /// The node already loaded for each JSON pointer, so a subschema reached both directly and
    /// through `$ref` is one node, and a recursive reference finds its (loading) target.
    by_location: HashMap<String, NodeId>,
}

type Loaded<T> = Result<T, SchemaError>;

impl<'a> Loader<'a> {
    fn new(root: &'a Value) -> Self {
        Loader {
            root,
            draft: Draft::of(root),
            nodes: Vec::new(),
            by_location: HashMap::new(),
        }
    }

    /// Loads the schema at `location` (a JSON pointer) once.
    fn load(&mut self, location: String, value: &'a Value) -> Loaded<NodeId> {
        if let Some(&id) = self.by_location.get(&location) {
            return Ok(id);
        }
        // Reserve the slot first: a reference inside this schema back to it must find it.
        let id = self.push(Node {
            annotations: Annotations::default(),
            kind: Kind::Empty,
            origin: Origin::At(location.clone()),
        });
        self.by_location.insert(location.clone(), id);
        let (annotations, kind) = match value {
            Value::Bool(true) => (Annotations::default(), Kind::True),
            Value::Bool(false) => (Annotations::default(), Kind::False),
            Value::Object(object) => self.load_object(&location, object)?,
            _ => return Err(error(&location, Problem::NotASchema)),
        };
        let node = &mut self.nodes[id.0];
        node.annotations = annotations;
        node.kind = kind;
        Ok(id)
    }

    fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        NodeId(self.nodes.len() - 1)
    }

    fn load_child(&mut self, location: &str, path: &[&str], value: &'a Value) -> Loaded<NodeId> {
        self.load(child_pointer(location, path), value)
    }

    fn load_object(
        &mut self,
        at: &str,
        object: &'a Map<String, Value>,
    ) -> Loaded<(Annotations, Kind)> {
        let annotations = self.annotations(at, object)?;
        if let Some(reference) = object.get("$ref") {
            let reference = reference
                .as_str()
                .ok_or_else(|| wrong_type(at, "$ref", "a string"))?;
            let target = self.load_reference(at, reference)?;
            return Ok((annotations, Kind::Reference(target)));
        }

        let mut parts = Vec::new();
        if let Some(values) = object.get("enum") {
            let values = values
                .as_array()
                .ok_or_else(|| wrong_type(at, "enum", "an array"))?;
            parts.push(Kind::Enum(values.clone()));
        }
        for criterion in Criterion::ALL {
            if let Some(subschemas) = object.get(criterion.keyword()) {
                parts.push(self.load_combined(at, criterion, subschemas)?);
            }
        }
        if let Some(negated) = object.get("not") {
            parts.push(Kind::Not(self.load_child(at, &["not"], negated)?));
        }
        if self.draft != Draft::Four {
            if let Some(value) = object.get("const") {
                parts.push(Kind::Const(value.clone()));
            }
        }
        let mut claimed_by_type: Vec<&'static str> = Vec::new();
        if let Some(types) = object.get("type") {
            parts.push(self.load_typed(at, object, types, &mut claimed_by_type)?);
        }
        let has_unclaimed = |keywords: &[&str]| {
            keywords
                .iter()
                .any(|keyword| object.contains_key(*keyword) && !claimed_by_type.contains(keyword))
        };
        if has_unclaimed(self.draft.array_keywords()) {
            parts.push(Kind::Array(self.array_rules(at, object, false)?));
        }
        if has_unclaimed(self.draft.object_keywords()) {
            parts.push(Kind::Object(self.object_rules(at, object, false)?));
        }
        if has_unclaimed(NUMBER_KEYWORDS) {
            parts.push(Kind::Number(self.number_rules(at, object, false, false)?));
        }
        if has_unclaimed(STRING_KEYWORDS) {
            parts.push(Kind::String(string_rules(at, object, false)?));
        }
        if self.draft == Draft::Seven && has_unclaimed(CONDITIONAL_KEYWORDS) {
            let mut ids = [None; 3];
            for (keyword, id) in CONDITIONAL_KEYWORDS.iter().zip(&mut ids) {
                if let Some(value) = object.get(*keyword) {
                    *id = Some(self.load_child(at, &[keyword], value)?);
                }
            }
            let [condition, then, otherwise] = ids;
            parts.push(Kind::Conditional(Conditional {
                condition,
                then,
                otherwise,
            }));
        }

        let kind = match parts.len() {
            0 => Kind::Empty,
            1 => parts.pop().unwrap_or(Kind::Empty),
            _ => {
                let subschemas = parts
                    .into_iter()
                    .map(|kind| {
                        self.push(Node {
                            annotations: Annotations::default(),
                            kind,
                            origin: Origin::ImplicitPart,
                        })
                    })
                    .collect();
                Kind::Combined(Combined {
                    criterion: Criterion::All,
                    subschemas,
                })
            }
        };
        Ok((annotations, kind))
    }

    fn annotations(&self, at: &str, object: &Map<String, Value>) -> Loaded<Annotations> {
        let text = |keyword: &'static str| -> Loaded<Option<String>> {
            match object.get(keyword) {
                None => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(_) => Err(wrong_type(at, keyword, "a string")),
            }
        };
        Ok(Annotations {
            id: text(self.draft.id_keyword())?,
            title: text("title")?,
            description: text("description")?,
            default: object.get("default").cloned(),
            connect_type: object
                .get("connect.type")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    }

    fn load_combined(&mut self, at: &str, criterion: Criterion, value: &'a Value) -> Loaded<Kind> {
        let keyword = criterion.keyword();
        let list = value
            .as_array()
            .ok_or_else(|| wrong_type(at, keyword, "an array of schemas"))?;
        let subschemas = list
            .iter()
            .enumerate()
            .map(|(index, subschema)| {
                self.load_child(at, &[keyword, &index.to_string()], subschema)
            })
            .collect::<Loaded<_>>()?;
        Ok(Kind::Combined(Combined {
            criterion,
            subschemas,
        }))
    }

    /// The schema `type` names, or for a list of types, an `anyOf` with one schema per type.
    fn load_typed(
        &mut self,
        at: &str,
        object: &'a Map<String, Value>,
        types: &Value,
        claimed: &mut Vec<&'static str>,
    ) -> Loaded<Kind> {
        match types {
            Value::String(name) => {
                let name = known_type(at, name)?;
                claimed.extend(self.draft.keywords_of_type(name));
                self.load_type(at, object, name)
            }
            Value::Array(names) => {
                let mut members = Vec::with_capacity(names.len());
                for name in names {
                    let name = name
                        .as_str()
                        .ok_or_else(|| wrong_type(at, "type", "a type name or a list of them"))?;
                    let name = known_type(at, name)?;
                    claimed.extend(self.draft.keywords_of_type(name));
                    let kind = self.load_type(at, object, name)?;
                    members.push(self.push(Node {
                        annotations: Annotations::default(),
                        kind,
                        origin: Origin::TypeMember {
                            at: at.to_string(),
                            type_name: name,
                        },
                    }));
                }
                Ok(Kind::Combined(Combined {
                    criterion: Criterion::Any,
                    subschemas: members,
                }))
            }
            _ => Err(wrong_type(at, "type", "a type name or a list of them")),
        }
    }

    fn load_type(&mut self, at: &str, object: &'a Map<String, Value>, name: &str) -> Loaded<Kind> {
        Ok(match name {
            "string" => Kind::String(string_rules(at, object, true)?),
            "integer" => Kind::Number(self.number_rules(at, object, true, true)?),
            "number" => Kind::Number(self.number_rules(at, object, false, true)?),
            "boolean" => Kind::Boolean,
            "null" => Kind::Null,
            "array" => Kind::Array(self.array_rules(at, object, true)?),
            _ => Kind::Object(self.object_rules(at, object, true)?),
        })
    }

    fn number_rules(
        &self,
        at: &str,
        object: &Map<String, Value>,
        requires_integer: bool,
        requires_type: bool,
    ) -> Loaded<NumberRules> {
        let number = |keyword: &'static str| -> Loaded<Option<Number>> {
            match object.get(keyword) {
                None => Ok(None),
                Some(Value::Number(number)) => Ok(Some(number.clone())),
                Some(_) => Err(wrong_type(at, keyword, "a number")),
            }
        };
        // Draft 4 writes exclusive bounds as booleans beside `minimum` and `maximum`; they carry
        // no limit of their own, so there is nothing to compare.
        let exclusive = |keyword: &'static str| -> Loaded<Option<Number>> {
            if self.draft != Draft::Four {
                return number(keyword);
            }
            match object.get(keyword) {
                None | Some(Value::Bool(_)) => Ok(None),
                Some(_) => Err(wrong_type(at, keyword, "a boolean")),
            }
        };
        // ... but they make `minimum` and `maximum` exclusive when validating.
        let draft_4_exclusive = |keyword: &str| {
            self.draft == Draft::Four && object.get(keyword) == Some(&Value::Bool(true))
        };
        let multiple_of = number("multipleOf")?;
        if multiple_of.as_ref().and_then(Number::as_f64) == Some(0.0) {
            return Err(error(at, Problem::ZeroMultipleOf));
        }
        Ok(NumberRules {
            minimum: number("minimum")?,
            maximum: number("maximum")?,
            exclusive_minimum: exclusive("exclusiveMinimum")?,
            exclusive_maximum: exclusive("exclusiveMaximum")?,
            multiple_of,
            requires_integer,
            requires_type,
            minimum_is_exclusive: draft_4_exclusive("exclusiveMinimum"),
            maximum_is_exclusive: draft_4_exclusive("exclusiveMaximum"),
        })
    }

    fn object_rules(
        &mut self,
        at: &str,
        object: &'a Map<String, Value>,
        requires_type: bool,
    ) -> Loaded<ObjectRules> {
        let mut properties = BTreeMap::new();
        if let Some(value) = object.get("properties") {
            let definitions = value
                .as_object()
                .ok_or_else(|| wrong_type(at, "properties", "an object"))?;
            for (name, schema) in definitions {
                // A property called like the id keyword, with a non-schema value, is the
                // schema's id written in the wrong place; the loader skips it.
                if name == self.draft.id_keyword() && !schema.is_object() {
                    continue;
                }
                properties.insert(
                    name.clone(),
                    self.load_child(at, &["properties", name], schema)?,
                );
            }
        }

        let mut required = BTreeSet::new();
        if let Some(value) = object.get("required") {
            let names = value
                .as_array()
                .ok_or_else(|| wrong_type(at, "required", "an array of property names"))?;
            for name in names {
                let name = name
                    .as_str()
                    .ok_or_else(|| wrong_type(at, "required", "an array of property names"))?;
                required.insert(name.to_string());
            }
        }

        let additional_properties = self.additional(at, object, "additionalProperties")?;

        let mut pattern_properties = Vec::new();
        let mut pattern_matchers = Vec::new();
        if let Some(value) = object.get("patternProperties") {
            let patterns = value
                .as_object()
                .ok_or_else(|| wrong_type(at, "patternProperties", "an object"))?;
            for (pattern, schema) in patterns {
                let regex = Regex::new(pattern).map_err(|reason| {
                    error(
                        at,
                        Problem::InvalidPattern {
                            pattern: pattern.clone(),
                            reason: reason.to_string(),
                        },
                    )
                })?;
                let schema = self.load_child(at, &["patternProperties", pattern], schema)?;
                pattern_matchers.push(ecma_regex(pattern).unwrap_or_else(|| regex.clone()));
                pattern_properties.push((regex, schema));
            }
        }

        let mut property_dependencies = BTreeMap::new();
        let mut schema_dependencies = BTreeMap::new();
        if let Some(value) = object.get("dependencies") {
            let dependencies = value
                .as_object()
                .ok_or_else(|| wrong_type(at, "dependencies", "an object"))?;
            for (name, dependency) in dependencies {
                match dependency {
                    Value::Array(names) => {
                        let names = names
                            .iter()
                            .map(|name| {
                                name.as_str().map(str::to_string).ok_or_else(|| {
                                    wrong_type(at, "dependencies", "property names or schemas")
                                })
                            })
                            .collect::<Loaded<_>>()?;
                        property_dependencies.insert(name.clone(), names);
                    }
                    Value::Object(_) | Value::Bool(_) => {
                        let schema = self.load_child(at, &["dependencies", name], dependency)?;
                        schema_dependencies.insert(name.clone(), schema);
                    }
                    _ => return Err(wrong_type(at, "dependencies", "property names or schemas")),
                }
            }
        }

        let mut property_names = None;
        if self.draft != Draft::Four {
            if let Some(names) = object.get("propertyNames") {
                property_names = Some(self.load_child(at, &["propertyNames"], names)?);
            }
        }

        Ok(ObjectRules {
            properties,
            required,
            additional_properties,
            pattern_properties,
            property_dependencies,
            schema_dependencies,
            min_properties: count(at, object, "minProperties")?,
            max_properties: count(at, object, "maxProperties")?,
            pattern_matchers,
            property_names,
            requires_type,
        })
    }

    fn array_rules(
        &mut self,
        at: &str,
        object: &'a Map<String, Value>,
        requires_type: bool,
    ) -> Loaded<ArrayRules> {
        let mut all_items = None;
        let mut tuple_items = Vec::new();
        match object.get("items") {
            None => {}
            Some(Value::Array(positions)) => {
                for (index, schema) in positions.iter().enumerate() {
                    tuple_items.push(self.load_child(
                        at,
                        &["items", &index.to_string()],
                        schema,
                    )?);
                }
            }
            Some(schema) => all_items = Some(self.load_child(at, &["items"], schema)?),
        }
        let unique_items = match object.get("uniqueItems") {
            None => false,
            Some(Value::Bool(unique)) => *unique,
            Some(_) => return Err(wrong_type(at, "uniqueItems", "a boolean")),
        };
        let mut contains = None;
        if self.draft != Draft::Four {
            if let Some(contained) = object.get("contains") {
                contains = Some(self.load_child(at, &["contains"], contained)?);
            }
        }
        Ok(ArrayRules {
            all_items,
            tuple_items,
            additional_items: self.additional(at, object, "additionalItems")?,
            unique_items,
            min_items: count(at, object, "minItems")?,
            max_items: count(at, object, "maxItems")?,
            // Not draft 7 keywords: read when numbers, ignored otherwise, as Confluent does.
            min_contains: object.get("minContains").and_then(Value::as_f64),
            max_contains: object.get("maxContains").and_then(Value::as_f64),
            contains,
            requires_type,
        })
    }

    fn additional(
        &mut self,
        at: &str,
        object: &'a Map<String, Value>,
        keyword: &'static str,
    ) -> Loaded<Additional> {
        match object.get(keyword) {
            None => Ok(Additional::default()),
            Some(Value::Bool(permitted)) => Ok(Additional {
                permitted: *permitted,
                schema: None,
            }),
            Some(schema @ Value::Object(_)) => Ok(Additional {
                permitted: true,
                schema: Some(self.load_child(at, &[keyword], schema)?),
            }),
            Some(_) => Err(wrong_type(at, keyword, "a boolean or a schema")),
        }
    }

    fn load_reference(&mut self, at: &str, reference: &str) -> Loaded<NodeId> {
        let (pointer, target) = self.resolve_reference(at, reference)?;
        self.load(pointer, target)
    }

    /// Finds what a `$ref` points to inside this document: a subschema whose `$id` is the
    /// reference, or the JSON pointer after `#` (when the part before `#` is empty or the root's
    /// own `$id`). Confluent also accepts `#/$defs/x` for a definition under `definitions`.
    fn resolve_reference(&self, at: &str, reference: &str) -> Loaded<(String, &'a Value)> {
        let is_plain_pointer = reference == "#" || reference.starts_with("#/");
        if !is_plain_pointer {
            if let Some(found) = find_by_id(self.root, self.draft.id_keyword(), reference, "") {
                return Ok(found);
            }
        }
        let (base, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let root_id = self
            .root
            .get(self.draft.id_keyword())
            .and_then(Value::as_str)
            .map(|id| id.trim_end_matches('#'));
        if !base.is_empty() && Some(base) != root_id {
            return Err(error(at, Problem::NonLocalReference(reference.to_string())));
        }
        let unresolved = || error(at, Problem::UnresolvedReference(reference.to_string()));
        let fragment = percent_decode(fragment).ok_or_else(unresolved)?;
        if fragment.is_empty() {
            return Ok((String::new(), self.root));
        }
        let Some(tokens) = fragment.strip_prefix('/') else {
            return Err(unresolved());
        };
        let mut tokens: Vec<String> = tokens.split('/').map(unescape_token).collect();
        if let Some(found) = follow(self.root, &tokens) {
            return Ok((pointer_of(&tokens), found));
        }
        if tokens.first().map(String::as_str) == Some("$defs") {
            tokens[0] = "definitions".to_string();
            if let Some(found) = follow(self.root, &tokens) {
                return Ok((pointer_of(&tokens), found));
            }
        }
        Err(unresolved())
    }

    /// A reference that leads only to references (`{"$ref": "#"}` at the root) is no schema.
    fn check_reference_chains(&self) -> Loaded<()> {
        for node in &self.nodes {
            let Kind::Reference(mut target) = node.kind else {
                continue;
            };
            let mut steps = 0;
            while let Kind::Reference(next) = self.nodes[target.0].kind {
                target = next;
                steps += 1;
                if steps > self.nodes.len() {
                    let location = match &node.origin {
                        Origin::At(pointer) => pointer.clone(),
                        _ => String::new(),
                    };
                    let reference = self
                        .root
                        .pointer(&location)
                        .and_then(|value| value.get("$ref"))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    return Err(error(&location, Problem::ReferenceCycle(reference)));
                }
            }
        }
        Ok(())
    }
}

fn string_rules(at: &str, object: &Map<String, Value>, requires_type: bool) -> Loaded<StringRules> {
    let pattern = match object.get("pattern") {
        None => None,
        Some(Value::String(pattern)) => Some(pattern.clone()),
        Some(_) => return Err(wrong_type(at, "pattern", "a string")),
    };
    if object
        .get("format")
        .is_some_and(|format| !format.is_string())
    {
        return Err(wrong_type(at, "format", "a string"));
    }
    Ok(StringRules {
        min_length: count(at, object, "minLength")?,
        max_length: count(at, object, "maxLength")?,
        regex: pattern.as_deref().and_then(ecma_regex),
        pattern,
        requires_type,
    })
}

/// A keyword that counts something (`maxLength`, `minItems`): a non-negative integer.
fn count(at: &str, object: &Map<String, Value>, keyword: &'static str) -> Loaded<Option<u64>> {
    match object.get(keyword) {
        None => Ok(None),
        Some(value) => value
            .as_u64()
            .map(Some)
            .ok_or_else(|| wrong_type(at, keyword, "a non-negative integer")),
    }
}

fn known_type(at: &str, name: &str) -> Loaded<&'static str> {
    TYPE_NAMES
        .iter()
        .find(|known| **known == name)
        .copied()
        .ok_or_else(|| error(at, Problem::UnknownType(name.to_string())))
}

/// Searches the document for a subschema whose id keyword equals `id` (draft 6 and 7 name
/// subschemas this way: `"$id": "#address"`).
fn find_by_id<'a>(
    value: &'a Value,
    id_keyword: &str,
    id: &str,
    pointer: &str,
) -> Option<(String, &'a Value)> {
    match value {
        Value::Object(object) => {
            if object.get(id_keyword).and_then(Value::as_str) == Some(id) {
                return Some((pointer.to_string(), value));
            }
            object.iter().find_map(|(key, child)| {
                find_by_id(child, id_keyword, id, &child_pointer(pointer, &[key]))
            })
        }
        Value::Array(items) => items.iter().enumerate().find_map(|(index, child)| {
            find_by_id(
                child,
                id_keyword,
                id,
                &child_pointer(pointer, &[&index.to_string()]),
            )
        }),
        _ => None,
    }
}

fn follow<'a>(root: &'a Value, tokens: &[String]) -> Option<&'a Value> {
    tokens.iter().try_fold(root, |value, token| match value {
        Value::Object(object) => object.get(token),
        Value::Array(items) => token
            .parse::<usize>()
            .ok()
            .and_then(|index| items.get(index)),
        _ => None,
    })
}

/// `location` extended by `path`, each token escaped as JSON pointers require (`~` and `/`).
fn child_pointer(location: &str, path: &[&str]) -> String {
    let mut pointer = location.to_string();
    for token in path {
        pointer.push('/');
        pointer.push_str(&token.replace('~', "~0").replace('/', "~1"));
    }
    pointer
}

fn pointer_of(tokens: &[String]) -> String {
    let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
    child_pointer("", &tokens)
}

fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Decodes `%xx` escapes in a URI fragment; `None` when they do not spell UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text.get(index + 1..index + 3)?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

fn error(location: &str, problem: Problem) -> SchemaError {
    SchemaError {
        location: format!("#{location}"),
        problem,
    }
}

fn wrong_type(location: &str, keyword: &'static str, expected: &'static str) -> SchemaError {
    error(location, Problem::WrongType { keyword, expected })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn kind_of(schema: Value) -> Kind {
        let schema = JsonSchema::parse(schema).expect("a valid schema");
        schema.node(schema.resolve(schema.root())).kind.clone()
    }

    #[test]
    fn keywords_decide_the_kind_when_type_is_absent() {
        assert!(matches!(kind_of(json!({})), Kind::Empty));
        assert!(matches!(kind_of(json!({"title": "t"})), Kind::Empty));
        assert!(matches!(kind_of(json!({"maxLength": 3})), Kind::String(_)));
        assert!(matches!(
            kind_of(json!({"properties": {}})),
            Kind::Object(_)
        ));
        assert!(matches!(
            kind_of(json!({"additionalItems": true})),
            Kind::Array(_)
        ));
        assert!(matches!(kind_of(json!({"minimum": 1})), Kind::Number(_)));
    }

    #[test]
    fn an_enum_beside_a_type_is_an_implicit_all_of() {
        let Kind::Combined(combined) = kind_of(json!({"type": "string", "enum": ["a"]})) else {
            panic!("expected a combined schema");
        };
        assert_eq!(combined.criterion, Criterion::All);
        assert_eq!(combined.subschemas.len(), 2);
    }

    #[test]
    fn a_list_of_types_is_an_any_of() {
        let Kind::Combined(combined) = kind_of(json!({"type": ["string", "null"]})) else {
            panic!("expected a combined schema");
        };
        assert_eq!(combined.criterion, Criterion::Any);
        assert_eq!(combined.subschemas.len(), 2);
    }

    #[test]
    fn references_resolve_inside_the_document_even_recursively() {
        let schema = json!({
            "$ref": "#/$defs/node",
            "definitions": {"node": {"properties": {"next": {"$ref": "#/definitions/node"}}}}
        });
        assert!(matches!(kind_of(schema), Kind::Object(_)));
        let by_id =
            json!({"$ref": "#leaf", "definitions": {"a": {"$id": "#leaf", "type": "null"}}});
        assert!(matches!(kind_of(by_id), Kind::Null));
    }

    #[test]
    fn a_document_that_is_not_a_schema_is_refused_with_its_place() {
        let cases = [
            (json!(3), "#"),
            (
                json!({"properties": {"a": {"type": "strnig"}}}),
                "#/properties/a",
            ),
            (json!({"items": {"maxLength": -1}}), "#/items"),
            (json!({"$ref": "other.json#/a"}), "#"),
            (
                json!({"items": {"$ref": "#/definitions/missing"}}),
                "#/items",
            ),
            (json!({"$ref": "#"}), "#"),
            (json!({"patternProperties": {"(": {}}}), "#"),
            (json!({"multipleOf": 0}), "#"),
        ];
        for (schema, location) in cases {
            let problem = JsonSchema::parse(schema.clone()).expect_err("not a schema");
            assert_eq!(problem.location, location, "{schema}: {problem}");
        }
    }
}
