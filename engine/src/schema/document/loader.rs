//! Loading a document: each schema object's keyword groups become one node, or an implicit
//! `allOf` of several; strings and numbers are read here, objects, arrays and references in
//! their own modules.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};

use super::draft::{Draft, CONDITIONAL_KEYWORDS, NUMBER_KEYWORDS, STRING_KEYWORDS, TYPE_NAMES};
use super::model::*;
use super::refs::child_pointer;
use super::{Problem, SchemaError};
use crate::schema::pattern::Pattern;

pub(super) struct Loader<'a> {
    pub(super) root: &'a Value,
    pub(super) draft: Draft,
    pub(super) nodes: Vec<Node>,
    /// The node already loaded for each JSON pointer, so a subschema reached both directly and
    /// through `$ref` is one node, and a recursive reference finds its (loading) target.
    pub(super) by_location: HashMap<String, NodeId>,
    /// The node of the schema object being loaded, which object and array rules belong to.
    pub(super) current: NodeId,
}

pub(super) type Loaded<T> = Result<T, SchemaError>;

impl<'a> Loader<'a> {
    pub(super) fn new(root: &'a Value) -> Self {
        Loader {
            root,
            draft: Draft::of(root),
            nodes: Vec::new(),
            by_location: HashMap::new(),
            current: NodeId(0),
        }
    }

    /// Loads the schema at `location` (a JSON pointer) once.
    pub(super) fn load(&mut self, location: String, value: &'a Value) -> Loaded<NodeId> {
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
            Value::Object(object) => {
                let enclosing = std::mem::replace(&mut self.current, id);
                let loaded = self.load_object(&location, object);
                self.current = enclosing;
                loaded?
            }
            _ => return Err(error(&location, Problem::NotASchema)),
        };
        let node = &mut self.nodes[id.0];
        node.annotations = annotations;
        node.kind = kind;
        Ok(id)
    }

    pub(super) fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        NodeId(self.nodes.len() - 1)
    }

    /// A node that is both schemas: an implicit `allOf` of the two.
    pub(super) fn both(&mut self, first: NodeId, second: NodeId) -> NodeId {
        self.push(Node {
            annotations: Annotations::default(),
            kind: Kind::Combined(Combined {
                criterion: Criterion::All,
                subschemas: vec![first, second],
            }),
            origin: Origin::ImplicitPart,
        })
    }

    pub(super) fn load_child(
        &mut self,
        location: &str,
        path: &[&str],
        value: &'a Value,
    ) -> Loaded<NodeId> {
        self.load(child_pointer(location, path), value)
    }

    pub(super) fn load_object(
        &mut self,
        at: &str,
        object: &'a Map<String, Value>,
    ) -> Loaded<(Annotations, Kind)> {
        let annotations = self.annotations(at, object)?;
        let mut parts = Vec::new();
        if let Some(reference) = object.get("$ref") {
            let reference = reference
                .as_str()
                .ok_or_else(|| wrong_type(at, "$ref", "a string"))?;
            let target = self.load_reference(at, reference)?;
            if !self.draft.ref_has_siblings() {
                return Ok((annotations, Kind::Reference(target)));
            }
            // In 2020-12 a `$ref` applies beside the other keywords, like one part of an `allOf`.
            parts.push(Kind::Reference(target));
        }

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
        // Confluent reads 2020-12 through another loader (json-sKema), for which an empty
        // `properties` is no keyword at all: `{"properties": {}}` is the empty schema there.
        let draft = self.draft;
        let ignored = |keyword: &str| {
            draft == Draft::TwentyTwelve
                && keyword == "properties"
                && object
                    .get(keyword)
                    .and_then(Value::as_object)
                    .is_some_and(Map::is_empty)
        };
        let has_unclaimed = |keywords: &[&str]| {
            keywords.iter().any(|keyword| {
                object.contains_key(*keyword)
                    && !claimed_by_type.contains(keyword)
                    && !ignored(keyword)
            })
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
        if self.draft.has_conditionals() && has_unclaimed(CONDITIONAL_KEYWORDS) {
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

    pub(super) fn annotations(&self, at: &str, object: &Map<String, Value>) -> Loaded<Annotations> {
        let text = |keyword: &'static str| -> Loaded<Option<String>> {
            match object.get(keyword) {
                None => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(_) => Err(wrong_type(at, keyword, "a string")),
            }
        };
        Ok(Annotations {
            // For Confluent's 2020-12 loader `$id` names a resource, never an annotation, so a
            // changed `$id` is no change there (it still names a subschema for `$ref`).
            id: text(self.draft.id_keyword())?.filter(|_| self.draft != Draft::TwentyTwelve),
            title: text("title")?,
            description: text("description")?,
            default: object.get("default").cloned(),
            connect_type: object
                .get("connect.type")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    }

    pub(super) fn load_combined(
        &mut self,
        at: &str,
        criterion: Criterion,
        value: &'a Value,
    ) -> Loaded<Kind> {
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
    pub(super) fn load_typed(
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

    pub(super) fn load_type(
        &mut self,
        at: &str,
        object: &'a Map<String, Value>,
        name: &str,
    ) -> Loaded<Kind> {
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

    pub(super) fn number_rules(
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
}

pub(super) fn string_rules(
    at: &str,
    object: &Map<String, Value>,
    requires_type: bool,
) -> Loaded<StringRules> {
    let pattern = match object.get("pattern") {
        None => None,
        Some(Value::String(pattern)) => Some(Pattern::new(pattern)),
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
        pattern,
        requires_type,
    })
}

/// A keyword that counts something (`maxLength`, `minItems`): a non-negative integer.
pub(super) fn count(
    at: &str,
    object: &Map<String, Value>,
    keyword: &'static str,
) -> Loaded<Option<u64>> {
    match object.get(keyword) {
        None => Ok(None),
        Some(value) => value
            .as_u64()
            .map(Some)
            .ok_or_else(|| wrong_type(at, keyword, "a non-negative integer")),
    }
}

pub(super) fn known_type(at: &str, name: &str) -> Loaded<&'static str> {
    TYPE_NAMES
        .iter()
        .find(|known| **known == name)
        .copied()
        .ok_or_else(|| error(at, Problem::UnknownType(name.to_string())))
}

/// Searches the document for a subschema whose id keyword equals `id` (draft 6 and 7 name
pub(super) fn error(location: &str, problem: Problem) -> SchemaError {
    SchemaError {
        location: format!("#{location}"),
        problem,
    }
}

pub(super) fn wrong_type(
    location: &str,
    keyword: &'static str,
    expected: &'static str,
) -> SchemaError {
    error(location, Problem::WrongType { keyword, expected })
}
