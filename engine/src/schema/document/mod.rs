//! A JSON Schema document, loaded into typed nodes the diff can compare.
//!
//! A JSON Schema object does not say what *kind* of schema it is; its keywords do. This module
//! decides the kind the way Confluent's JSON Schema loader (everit, draft 7 by default) does,
//! because the compatibility rules are written against those kinds:
//!
//! - `true` accepts anything, `false` nothing; `{}` (no constraining keyword) is the empty schema.
//! - `$ref` wins over every sibling keyword: the node *is* the schema it points to. In draft
//!   2020-12 (read, as Confluent reads it, through another loader) `$ref` is one keyword group
//!   among the others, and `prefixItems`, `dependentRequired`, `dependentSchemas`,
//!   `unevaluatedProperties` and `unevaluatedItems` join the array and object keywords.
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
//!
//! # Layout
//! - `model`: the typed nodes ([`Kind`] and the rules of each kind).
//! - `draft`: which keywords each draft knows.
//! - `loader`: a document's keyword groups into nodes; strings and numbers.
//! - `objects`, `arrays`: the rules of object and array schemas.
//! - `refs`: `$ref`, resolved inside the document only, and JSON pointers.

mod arrays;
mod draft;
mod loader;
mod model;
mod objects;
mod refs;

use serde_json::Value;

pub(crate) use draft::Draft;
use loader::Loader;
pub(crate) use model::*;

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
    /// inside the document.
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
            (json!({"multipleOf": 0}), "#"),
        ];
        for (schema, location) in cases {
            let problem = JsonSchema::parse(schema.clone()).expect_err("not a schema");
            assert_eq!(problem.location, location, "{schema}: {problem}");
        }
    }
}
