//! Objects: properties, `required`, `dependencies`, `additionalProperties` and size bounds.
//!
//! Whether adding or removing a property is safe depends on the *content model*, that is, what
//! the schema says about properties it does not list:
//!
//! - **open** (no `additionalProperties`, or `true`, and no `patternProperties`): anything goes.
//!   Removing a property is safe, since the new schema still accepts it as an unlisted one.
//!   Adding one is not, since old data may already hold that name with another type (unless
//!   the new property accepts anything).
//! - **closed** (`additionalProperties: false`): old data cannot hold unlisted names, so adding
//!   an optional property is safe; removing one is not, since old data that holds it is refused.
//! - **partially open** (`additionalProperties` is a schema, or `patternProperties` match the
//!   name): the property is safe to add or remove when its schema and the schema that covers
//!   unlisted names are compatible.

use std::collections::BTreeSet;

use super::scalar::{compare_limit, LimitChanges};
use super::{compare_unevaluated, single, At, Changes, Differ, Located, UnevaluatedChanges};
use crate::schema::change::ChangeKind;
use crate::schema::document::{Kind, NodeId, ObjectRules};

pub(super) fn compare_objects(
    differ: &mut Differ<'_>,
    original: Located<'_, ObjectRules>,
    update: Located<'_, ObjectRules>,
    changes: &mut Changes,
) {
    compare_required(differ, &original, &update, changes);
    compare_properties(differ, &original, &update, changes);
    compare_dependencies(differ, &original, &update, changes);
    compare_additional_properties(differ, &original, &update, changes);
    let unevaluated = compare_unevaluated(
        differ,
        original
            .unevaluated_properties
            .map(|node| original.at(node)),
        update.unevaluated_properties.map(|node| update.at(node)),
        UnevaluatedChanges {
            added: ChangeKind::UnevaluatedPropertiesAdded,
            removed: ChangeKind::UnevaluatedPropertiesRemoved,
            extended: ChangeKind::UnevaluatedPropertiesExtended,
            narrowed: ChangeKind::UnevaluatedPropertiesNarrowed,
        },
    );
    changes.extend_under(&["unevaluatedProperties"], unevaluated);
    compare_limit(
        original.max_properties,
        update.max_properties,
        "maxProperties",
        LimitChanges {
            added: ChangeKind::MaxPropertiesAdded,
            removed: ChangeKind::MaxPropertiesRemoved,
            increased: ChangeKind::MaxPropertiesIncreased,
            decreased: ChangeKind::MaxPropertiesDecreased,
        },
        changes,
    );
    compare_limit(
        original.min_properties,
        update.min_properties,
        "minProperties",
        LimitChanges {
            added: ChangeKind::MinPropertiesAdded,
            removed: ChangeKind::MinPropertiesRemoved,
            increased: ChangeKind::MinPropertiesIncreased,
            decreased: ChangeKind::MinPropertiesDecreased,
        },
        changes,
    );
}

/// `required` of properties both schemas list (a property added or removed is judged as such).
fn compare_required(
    differ: &Differ<'_>,
    original: &Located<'_, ObjectRules>,
    update: &Located<'_, ObjectRules>,
    changes: &mut Changes,
) {
    for name in original.properties.keys() {
        let Some(&property) = update.properties.get(name) else {
            continue;
        };
        let kind = match (
            original.required.contains(name),
            update.required.contains(name),
        ) {
            (true, false) => ChangeKind::RequiredAttributeRemoved,
            (false, true) if has_default(differ, update.at(property)) => {
                ChangeKind::RequiredAttributeWithDefaultAdded
            }
            (false, true) => ChangeKind::RequiredAttributeAdded,
            _ => continue,
        };
        changes.extend_under(&["required", name], single(kind));
    }
}

fn compare_properties(
    differ: &mut Differ<'_>,
    original: &Located<'_, ObjectRules>,
    update: &Located<'_, ObjectRules>,
    changes: &mut Changes,
) {
    let names: BTreeSet<&String> = original
        .properties
        .keys()
        .chain(update.properties.keys())
        .collect();
    for name in names {
        let mut found = Changes::default();
        match (original.properties.get(name), update.properties.get(name)) {
            (Some(&before), Some(&after)) => {
                found = differ.compare_pair(original.at(before), update.at(after));
            }
            (Some(&before), None) => {
                property_removed(differ, name, original.at(before), update, &mut found)
            }
            (None, Some(&after)) => {
                property_added(differ, name, original, update.at(after), update, &mut found)
            }
            (None, None) => {}
        }
        changes.extend_under(&["properties", name], found);
    }
}

/// A property the update no longer lists; only the update's content model matters, since it is
/// what now reads the old data.
fn property_removed(
    differ: &mut Differ<'_>,
    name: &str,
    property: At,
    update: &Located<'_, ObjectRules>,
    changes: &mut Changes,
) {
    if is_open(differ, update) {
        changes.push(ChangeKind::PropertyRemovedFromOpenContentModel);
    } else if let Some(covering) = schema_for_unlisted(differ, update, name) {
        let covered = differ.compare_pair(property, update.at(covering));
        let kind = if covered.is_compatible() {
            ChangeKind::PropertyRemovedIsCoveredByPartiallyOpenContentModel
        } else {
            ChangeKind::PropertyRemovedNotCoveredByPartiallyOpenContentModel
        };
        changes.extend(covered);
        changes.push(kind);
    } else if matches!(differ.node(differ.resolved(property)).kind, Kind::False) {
        changes.push(ChangeKind::PropertyWithFalseRemovedFromClosedContentModel);
    } else {
        changes.push(ChangeKind::PropertyRemovedFromClosedContentModel);
    }
}

/// A property the original did not list; only the original's content model matters, since it
/// decided what old data may hold under that name.
fn property_added(
    differ: &mut Differ<'_>,
    name: &str,
    original: &Located<'_, ObjectRules>,
    property: At,
    update: &Located<'_, ObjectRules>,
    changes: &mut Changes,
) {
    let required = update.required.contains(name);
    let with_default = has_default(differ, property);
    if is_open(differ, original) {
        let kind = if differ
            .node(differ.resolved(property))
            .kind
            .accepts_anything()
        {
            ChangeKind::PropertyWithEmptySchemaAddedToOpenContentModel
        } else if required && with_default {
            ChangeKind::RequiredPropertyWithDefaultAddedToOpenContentModel
        } else if required {
            ChangeKind::RequiredPropertyAddedToOpenContentModel
        } else {
            ChangeKind::OptionalPropertyAddedToOpenContentModel
        };
        changes.push(kind);
        return;
    }
    if let Some(covering) = schema_for_unlisted(differ, original, name) {
        let covered = differ.compare_pair(original.at(covering), property);
        let kind = if covered.is_compatible() {
            ChangeKind::PropertyAddedIsCoveredByPartiallyOpenContentModel
        } else {
            ChangeKind::PropertyAddedNotCoveredByPartiallyOpenContentModel
        };
        changes.extend(covered);
        changes.push(kind);
    }
    // Closed and partially open models alike: old data may lack the property.
    changes.push(if required && with_default {
        ChangeKind::RequiredPropertyWithDefaultAddedToUnopenContentModel
    } else if required {
        ChangeKind::RequiredPropertyAddedToUnopenContentModel
    } else {
        ChangeKind::OptionalPropertyAddedToUnopenContentModel
    });
}

fn compare_dependencies(
    differ: &mut Differ<'_>,
    original: &Located<'_, ObjectRules>,
    update: &Located<'_, ObjectRules>,
    changes: &mut Changes,
) {
    let names: BTreeSet<&String> = original
        .property_dependencies
        .keys()
        .chain(update.property_dependencies.keys())
        .collect();
    for name in names {
        let kind = match (
            original.property_dependencies.get(name),
            update.property_dependencies.get(name),
        ) {
            (_, None) => ChangeKind::DependencyArrayRemoved,
            (None, Some(_)) => ChangeKind::DependencyArrayAdded,
            (Some(before), Some(after)) if before == after => continue,
            (Some(before), Some(after)) if after.is_superset(before) => {
                ChangeKind::DependencyArrayExtended
            }
            (Some(before), Some(after)) if before.is_superset(after) => {
                ChangeKind::DependencyArrayNarrowed
            }
            (Some(_), Some(_)) => ChangeKind::DependencyArrayChanged,
        };
        let mut found = Changes::default();
        found.push(kind);
        changes.extend_under(&["dependencies", name], found);
    }

    let names: BTreeSet<&String> = original
        .schema_dependencies
        .keys()
        .chain(update.schema_dependencies.keys())
        .collect();
    for name in names {
        let before = original
            .schema_dependencies
            .get(name)
            .map(|&node| original.at(node));
        let after = update
            .schema_dependencies
            .get(name)
            .map(|&node| update.at(node));
        let found = match (before, after) {
            (_, None) => single(ChangeKind::DependencySchemaRemoved),
            (None, Some(_)) => single(ChangeKind::DependencySchemaAdded),
            (Some(before), Some(after)) => differ.compare_pair(before, after),
        };
        changes.extend_under(&["dependencies", name], found);
    }
}

fn compare_additional_properties(
    differ: &mut Differ<'_>,
    original: &Located<'_, ObjectRules>,
    update: &Located<'_, ObjectRules>,
    changes: &mut Changes,
) {
    let (before, after) = (original.additional_properties, update.additional_properties);
    let found = if before.permitted != after.permitted {
        single(if after.permitted {
            ChangeKind::AdditionalPropertiesAdded
        } else {
            ChangeKind::AdditionalPropertiesRemoved
        })
    } else {
        match (before.schema, after.schema) {
            (None, Some(_)) => single(ChangeKind::AdditionalPropertiesNarrowed),
            (Some(_), None) => single(ChangeKind::AdditionalPropertiesExtended),
            (before_schema, after_schema) => differ.compare(
                before_schema.map(|node| original.at(node)),
                after_schema.map(|node| update.at(node)),
            ),
        }
    };
    changes.extend_under(&["additionalProperties"], found);
}

/// Unlisted properties may hold anything: `additionalProperties` absent or `true`, no
/// `patternProperties`, and `unevaluatedProperties` absent or accepting anything.
fn is_open(differ: &Differ<'_>, object: &Located<'_, ObjectRules>) -> bool {
    object.additional_properties.permitted
        && object.additional_properties.schema.is_none()
        && object.pattern_properties.is_empty()
        && object.unevaluated_properties.is_none_or(|node| {
            let node = differ.resolved(object.at(node));
            differ.node(node).kind.accepts_anything()
        })
}

/// The schema an unlisted property of this name must match, in a partially open model: the
/// first `patternProperties` entry whose pattern matches somewhere in the name, else the
/// `additionalProperties` schema, else (with `additionalProperties` absent) an
/// `unevaluatedProperties` schema that neither closes the model nor accepts anything.
fn schema_for_unlisted(
    differ: &Differ<'_>,
    object: &Located<'_, ObjectRules>,
    name: &str,
) -> Option<NodeId> {
    let additional = object.additional_properties;
    object
        .pattern_properties
        .iter()
        // A pattern that cannot run covers no name: the diff cannot tell that it does.
        .find(|(pattern, _)| pattern.find_in(name) == Some(true))
        .map(|(_, schema)| *schema)
        .or(additional.schema)
        .or_else(|| {
            let unevaluated = object.unevaluated_properties?;
            let kind = &differ.node(differ.resolved(object.at(unevaluated))).kind;
            let constrains = !kind.accepts_anything() && !matches!(kind, Kind::False);
            (additional.permitted && constrains).then_some(unevaluated)
        })
}

/// Whether the property's schema (or the one its reference points to) gives a default, so a
/// reader can fill it in when old data lacks it.
fn has_default(differ: &Differ<'_>, property: At) -> bool {
    differ.node(property).annotations.default.is_some()
        || differ
            .node(differ.resolved(property))
            .annotations
            .default
            .is_some()
}
