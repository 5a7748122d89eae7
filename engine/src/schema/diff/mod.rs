//! The diff of two JSON Schemas: every change from an original to an update, by Confluent's
//! rules (its `SchemaDiff`), each at the path where it happens.
//!
//! The walk compares two schemas of the same kind keyword by keyword (one module per kind:
//! [`object`], [`array`](mod@array), [`scalar`], [`number`], [`combined`]); two schemas of different kinds
//! are a `TYPE_CHANGED`, except where one side is a combined schema the other can stand in for
//! (a string that becomes `oneOf: [string, number]` is a `SUM_TYPE_EXTENDED`), or where the
//! update accepts anything.
//!
//! Each comparison returns its changes relative to the pair compared; the caller places them
//! under its own path. That makes a pair's result reusable, and it is remembered: combined
//! schemas compare every old subschema with every new one, and in recursive schemas the same
//! pairs come back again and again (without the memory, comparing a twelve-way recursive
//! `oneOf` with itself does not finish).
//!
//! A pair met again while it is still being compared (recursion) is assumed compatible for that
//! inner meeting: recursion adds no change of its own. A remembered result may rest on such an
//! assumption, and reused elsewhere it could hide a real incompatibility, so, as Confluent does,
//! the walk runs to a fixed point: each pass adds the pairs it found incompatible to those the
//! next pass knows, whose recursions then report those pairs' real changes instead of assuming.
//! A pass that made no assumption, or that found no new incompatible pair, is exact.

mod array;
mod combined;
mod number;
mod object;
mod scalar;

use std::collections::{HashMap, HashSet};
use std::ops::Deref;

use super::change::{Change, ChangeKind, SchemaPath};
use super::document::{JsonSchema, Kind, Node, NodeId};

/// Every change from `original` to `update`, in the order the walk meets them.
pub fn diff(original: &JsonSchema, update: &JsonSchema) -> Vec<Change> {
    let mut known_incompatible = HashMap::new();
    loop {
        let mut differ = Differ {
            original,
            update,
            in_progress: HashSet::new(),
            compared: HashMap::new(),
            known_incompatible,
            assumed_compatible: false,
        };
        let changes = differ.compare_pair(
            At::new(Side::Original, original.root()),
            At::new(Side::Update, update.root()),
        );
        if !differ.assumed_compatible {
            return changes.0;
        }
        // The known pairs only grow, and there are finitely many pairs, so this ends.
        known_incompatible = differ.known_incompatible;
        let known_before = known_incompatible.len();
        for (pair, changes) in differ.compared {
            if !changes.iter().all(Change::is_backward_compatible) {
                known_incompatible.entry(pair).or_insert(changes);
            }
        }
        if known_incompatible.len() == known_before {
            return changes.0;
        }
    }
}

/// Which of the two documents a node is in. A `not` compares its subschemas the other way
/// round, so either side can be on either end of a comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Side {
    Original,
    Update,
}

/// A node in one of the two documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct At {
    side: Side,
    node: NodeId,
}

impl At {
    fn new(side: Side, node: NodeId) -> At {
        At { side, node }
    }

    /// Another node of the same document.
    fn sibling(self, node: NodeId) -> At {
        At::new(self.side, node)
    }
}

/// A kind's rules, with the document they are in, so their subschemas can be found.
struct Located<'s, T> {
    side: Side,
    rules: &'s T,
}

impl<T> Located<'_, T> {
    fn at(&self, node: NodeId) -> At {
        At::new(self.side, node)
    }
}

impl<T> Deref for Located<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.rules
    }
}

/// Changes relative to the pair of schemas compared: `#/` is that pair.
#[derive(Clone, Debug, Default)]
struct Changes(Vec<Change>);

impl Changes {
    /// A change of the pair itself.
    fn push(&mut self, kind: ChangeKind) {
        self.0.push(Change {
            kind,
            path: SchemaPath::root(),
        });
    }

    /// A change of one of the pair's keywords, such as `maxLength`.
    fn push_at(&mut self, keyword: &str, kind: ChangeKind) {
        self.0.push(Change {
            kind,
            path: SchemaPath::root().under(&[keyword]),
        });
    }

    /// Changes found comparing subschemas at `prefix` below the pair.
    fn extend_under(&mut self, prefix: &[&str], changes: Changes) {
        self.0.extend(changes.0.into_iter().map(|change| Change {
            kind: change.kind,
            path: change.path.under(prefix),
        }));
    }

    /// Changes found comparing the pair with another schema standing in for one side.
    fn extend(&mut self, changes: Changes) {
        self.0.extend(changes.0);
    }

    fn is_compatible(&self) -> bool {
        self.0.iter().all(Change::is_backward_compatible)
    }
}

struct Differ<'s> {
    original: &'s JsonSchema,
    update: &'s JsonSchema,
    /// Pairs being compared further up the walk.
    in_progress: HashSet<(At, At)>,
    /// The changes of every pair compared in this pass.
    compared: HashMap<(At, At), Vec<Change>>,
    /// Pairs an earlier pass found incompatible, with their changes.
    known_incompatible: HashMap<(At, At), Vec<Change>>,
    /// Whether this pass assumed a recursive pair compatible.
    assumed_compatible: bool,
}

impl<'s> Differ<'s> {
    fn document(&self, side: Side) -> &'s JsonSchema {
        match side {
            Side::Original => self.original,
            Side::Update => self.update,
        }
    }

    fn node(&self, at: At) -> &'s Node {
        self.document(at.side).node(at.node)
    }

    /// The node a reference stands for (the node itself when it is no reference).
    fn resolved(&self, at: At) -> At {
        at.sibling(self.document(at.side).resolve(at.node))
    }

    /// Compares two optional subschemas: one appearing or disappearing is itself a change.
    fn compare(&mut self, original: Option<At>, update: Option<At>) -> Changes {
        let mut changes = Changes::default();
        match (original, update) {
            (None, None) => {}
            (None, Some(_)) => changes.push(ChangeKind::SchemaAdded),
            (Some(_), None) => changes.push(ChangeKind::SchemaRemoved),
            (Some(original), Some(update)) => return self.compare_pair(original, update),
        }
        changes
    }

    /// Compares two schemas (references followed), once per pair.
    fn compare_pair(&mut self, original: At, update: At) -> Changes {
        let pair = (self.resolved(original), self.resolved(update));
        if let Some(changes) = self.compared.get(&pair) {
            return Changes(changes.clone());
        }
        if !self.in_progress.insert(pair) {
            // A recursion back into a pair still being compared. If an earlier pass found the
            // pair incompatible, say so; otherwise assume it compatible here (its own changes are
            // reported where its comparison started) and let the fixed point check the guess.
            if let Some(changes) = self.known_incompatible.get(&pair) {
                return Changes(changes.clone());
            }
            self.assumed_compatible = true;
            return Changes::default();
        }
        let changes = self.compare_kinds(pair.0, pair.1);
        self.in_progress.remove(&pair);
        self.compared.insert(pair, changes.0.clone());
        changes
    }

    fn compare_kinds(&mut self, original: At, update: At) -> Changes {
        let original_node = self.node(original);
        let update_node = self.node(update);
        if let Some(changes) = self.compare_with_combined(original, update) {
            return changes;
        }

        let mut changes = Changes::default();
        if !same_kind(&original_node.kind, &update_node.kind) {
            let anything_goes =
                matches!(original_node.kind, Kind::False) || update_node.kind.accepts_anything();
            let both_bytes = [original_node, update_node]
                .iter()
                .all(|node| node.annotations.connect_type.as_deref() == Some("bytes"));
            if !anything_goes && !both_bytes {
                changes.push(ChangeKind::TypeChanged);
            }
            return changes;
        }

        let (before, after) = (&original_node.annotations, &update_node.annotations);
        if before.id != after.id {
            changes.push(ChangeKind::IdChanged);
        }
        if before.title != after.title {
            changes.push(ChangeKind::TitleChanged);
        }
        if before.description != after.description {
            changes.push(ChangeKind::DescriptionChanged);
        }
        if before.default != after.default {
            changes.push(ChangeKind::DefaultChanged);
        }

        match (&original_node.kind, &update_node.kind) {
            (Kind::String(before), Kind::String(after)) => {
                scalar::compare_strings(before, after, &mut changes)
            }
            (Kind::Number(before), Kind::Number(after)) => {
                number::compare_numbers(before, after, &mut changes)
            }
            (Kind::Enum(before), Kind::Enum(after)) => {
                scalar::compare_enums(before, after, &mut changes)
            }
            (Kind::Const(before), Kind::Const(after)) => {
                scalar::compare_consts(before, after, &mut changes)
            }
            (Kind::Not(before), Kind::Not(after)) => {
                let negated = combined::compare_negations(
                    self,
                    original.sibling(*before),
                    update.sibling(*after),
                );
                changes.push_at("not", negated);
            }
            (Kind::Combined(before), Kind::Combined(after)) => combined::compare_combined(
                self,
                Located {
                    side: original.side,
                    rules: before,
                },
                Located {
                    side: update.side,
                    rules: after,
                },
                &mut changes,
            ),
            (Kind::Object(before), Kind::Object(after)) => object::compare_objects(
                self,
                Located {
                    side: original.side,
                    rules: before,
                },
                Located {
                    side: update.side,
                    rules: after,
                },
                &mut changes,
            ),
            (Kind::Array(before), Kind::Array(after)) => array::compare_arrays(
                self,
                Located {
                    side: original.side,
                    rules: before,
                },
                Located {
                    side: update.side,
                    rules: after,
                },
                &mut changes,
            ),
            _ => {}
        }
        changes
    }

    /// When exactly one side is a combined schema, the other side may match one of its
    /// subschemas: a schema that becomes one alternative of an `anyOf`/`oneOf` still reads what
    /// it read (`SUM_TYPE_EXTENDED`), and an `allOf` that becomes one of its parts drops the
    /// others (`PRODUCT_TYPE_NARROWED`). A combined schema of one subschema is that subschema.
    /// `None` when no subschema stands in compatibly; the kinds are then compared as usual.
    fn compare_with_combined(&mut self, original: At, update: At) -> Option<Changes> {
        match (&self.node(original).kind, &self.node(update).kind) {
            (Kind::Combined(_), Kind::Combined(_)) => None,
            (_, Kind::Combined(combined)) => {
                if let [only] = combined.subschemas[..] {
                    let changes = self.compare_pair(original, update.sibling(only));
                    return changes.is_compatible().then_some(changes);
                }
                if !combined.criterion.is_sum() {
                    return None;
                }
                combined.subschemas.iter().find_map(|&alternative| {
                    let mut changes = self.compare_pair(original, update.sibling(alternative));
                    changes.is_compatible().then(|| {
                        changes.push(ChangeKind::SumTypeExtended);
                        changes
                    })
                })
            }
            (Kind::Combined(combined), _) => {
                if let [only] = combined.subschemas[..] {
                    let changes = self.compare_pair(original.sibling(only), update);
                    return changes.is_compatible().then_some(changes);
                }
                if combined.criterion.is_sum() {
                    return None;
                }
                combined.subschemas.iter().find_map(|&part| {
                    let mut changes = self.compare_pair(original.sibling(part), update);
                    changes.is_compatible().then(|| {
                        changes.push(ChangeKind::ProductTypeNarrowed);
                        changes
                    })
                })
            }
            _ => None,
        }
    }
}

/// The four kinds an `unevaluatedProperties` or `unevaluatedItems` change can be.
struct UnevaluatedChanges {
    added: ChangeKind,
    removed: ChangeKind,
    extended: ChangeKind,
    narrowed: ChangeKind,
}

/// Compares two `unevaluatedProperties` (or `unevaluatedItems`) by Confluent's rules: whether it
/// closes the model (`false`), leaves it open (`{}`, `true` or absent) or constrains it (a schema).
fn compare_unevaluated(
    differ: &mut Differ<'_>,
    original: Option<At>,
    update: Option<At>,
    kinds: UnevaluatedChanges,
) -> Changes {
    let is_false =
        |differ: &Differ<'_>, at: At| matches!(differ.node(differ.resolved(at)).kind, Kind::False);
    let is_open =
        |differ: &Differ<'_>, at: At| differ.node(differ.resolved(at)).kind.accepts_anything();
    match (original, update) {
        (None, None) => Changes::default(),
        (None, Some(update)) if is_false(differ, update) => single(kinds.removed),
        (None, Some(_)) => single(kinds.narrowed),
        (Some(original), None) if is_false(differ, original) => single(kinds.added),
        (Some(_), None) => single(kinds.extended),
        (Some(original), Some(update)) => {
            match (is_false(differ, original), is_false(differ, update)) {
                (true, false) => single(kinds.added),
                (false, true) => single(kinds.removed),
                _ if is_open(differ, original) && !is_open(differ, update) => {
                    single(kinds.narrowed)
                }
                _ if !is_open(differ, original) && is_open(differ, update) => {
                    single(kinds.extended)
                }
                _ => differ.compare_pair(original, update),
            }
        }
    }
}

/// Changes made of one change of the pair itself.
fn single(kind: ChangeKind) -> Changes {
    let mut changes = Changes::default();
    changes.push(kind);
    changes
}

/// Whether two schemas are of the same kind; all combined schemas are one kind whatever their
/// criterion, but `{}` and `true` are two (as in Confluent), though both accept anything.
fn same_kind(original: &Kind, update: &Kind) -> bool {
    std::mem::discriminant(original) == std::mem::discriminant(update)
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn changes(original: Value, update: Value) -> Vec<String> {
        let original = JsonSchema::parse(original).expect("a valid original");
        let update = JsonSchema::parse(update).expect("a valid update");
        diff(&original, &update)
            .iter()
            .map(Change::to_string)
            .collect()
    }

    #[test]
    fn a_schema_compared_with_itself_has_no_change() {
        let schema = json!({
            "type": "object",
            "properties": {
                "tags": {"type": "array", "items": {"type": "string", "maxLength": 8}},
                "next": {"$ref": "#"}
            },
            "required": ["tags"]
        });
        assert_eq!(changes(schema.clone(), schema), Vec::<String>::new());
    }

    #[test]
    fn pattern_properties_cover_names_as_the_validator_matches_them() {
        // `a\rc` is no match of `^a.c$` in ECMA 262 (nor for the validator), so the closed model
        // does not cover the new property with the pattern's schema.
        let original = json!({"patternProperties": {"^a.c$": {"type": "string"}},
                              "additionalProperties": false});
        let update = json!({"properties": {"a\rc": {"type": "number"}},
                            "patternProperties": {"^a.c$": {"type": "string"}},
                            "additionalProperties": false});
        assert_eq!(
            changes(original, update),
            ["OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/a\rc"]
        );
        // A pattern that cannot run covers nothing, but the schema still loads.
        let original = json!({"patternProperties": {"^(?=a)": {"type": "string"}},
                              "additionalProperties": false});
        let update = json!({"properties": {"ab": {"type": "number"}},
                            "patternProperties": {"^(?=a)": {"type": "string"}},
                            "additionalProperties": false});
        assert_eq!(
            changes(original, update),
            ["OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/ab"]
        );
    }

    #[test]
    fn a_change_inside_a_recursive_definition_is_reported_where_the_recursion_returns_too() {
        let list = |value_type: &str| {
            json!({
                "$ref": "#/definitions/node",
                "definitions": {"node": {
                    "type": "object",
                    "properties": {
                        "value": {"type": value_type},
                        "next": {"$ref": "#/definitions/node"}
                    }
                }}
            })
        };
        assert_eq!(
            changes(list("string"), list("number")),
            [
                "TYPE_CHANGED #/properties/next/properties/value",
                "TYPE_CHANGED #/properties/value"
            ]
        );
    }
}
