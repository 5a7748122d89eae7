//! Arrays: `items` (one schema for all, or a tuple of per-position schemas), `additionalItems`,
//! and size and uniqueness bounds.
//!
//! A tuple position follows the same content-model reasoning as an object property: whether
//! a position may be added or removed depends on what `additionalItems` says about positions
//! past the tuple (open, closed, or covered by a schema). See [`super::object`].

use super::scalar::{compare_limit, LimitChanges};
use super::{compare_unevaluated, single, At, Changes, Differ, Located, UnevaluatedChanges};
use crate::schema::change::ChangeKind;
use crate::schema::document::{ArrayRules, Kind, NodeId};

pub(super) fn compare_arrays(
    differ: &mut Differ<'_>,
    original: Located<'_, ArrayRules>,
    update: Located<'_, ArrayRules>,
    changes: &mut Changes,
) {
    let all_items = differ.compare(
        original.all_items.map(|node| original.at(node)),
        update.all_items.map(|node| update.at(node)),
    );
    changes.extend_under(&["items"], all_items);
    compare_tuples(differ, &original, &update, changes);
    compare_additional_items(differ, &original, &update, changes);
    let unevaluated = compare_unevaluated(
        differ,
        original.unevaluated_items.map(|node| original.at(node)),
        update.unevaluated_items.map(|node| update.at(node)),
        UnevaluatedChanges {
            added: ChangeKind::UnevaluatedItemsAdded,
            removed: ChangeKind::UnevaluatedItemsRemoved,
            extended: ChangeKind::UnevaluatedItemsExtended,
            narrowed: ChangeKind::UnevaluatedItemsNarrowed,
        },
    );
    changes.extend_under(&["unevaluatedItems"], unevaluated);
    compare_bounds(&original, &update, changes);
}

fn compare_tuples(
    differ: &mut Differ<'_>,
    original: &Located<'_, ArrayRules>,
    update: &Located<'_, ArrayRules>,
    changes: &mut Changes,
) {
    let positions = original.tuple_items.len().max(update.tuple_items.len());
    for position in 0..positions {
        let found = match (
            original.tuple_items.get(position),
            update.tuple_items.get(position),
        ) {
            (Some(&before), Some(&after)) => {
                differ.compare_pair(original.at(before), update.at(after))
            }
            (Some(&before), None) => item_removed(differ, original.at(before), update),
            (None, Some(&after)) => item_added(differ, original, update.at(after)),
            (None, None) => Changes::default(),
        };
        changes.extend_under(&["items", &position.to_string()], found);
    }
}

/// A position the update's tuple no longer has: the update's `additionalItems` now reads it.
fn item_removed(differ: &mut Differ<'_>, item: At, update: &Located<'_, ArrayRules>) -> Changes {
    if is_open(differ, update) {
        return single(ChangeKind::ItemRemovedFromOpenContentModel);
    }
    if let Some(covering) = schema_for_unlisted(differ, update) {
        let mut covered = differ.compare_pair(item, update.at(covering));
        let kind = if covered.is_compatible() {
            ChangeKind::ItemRemovedIsCoveredByPartiallyOpenContentModel
        } else {
            ChangeKind::ItemRemovedNotCoveredByPartiallyOpenContentModel
        };
        covered.push(kind);
        return covered;
    }
    if matches!(differ.node(differ.resolved(item)).kind, Kind::False) {
        single(ChangeKind::ItemWithFalseRemovedFromClosedContentModel)
    } else {
        single(ChangeKind::ItemRemovedFromClosedContentModel)
    }
}

/// A position the original's tuple did not have: the original's `additionalItems` decided what
/// old data may hold there.
fn item_added(differ: &mut Differ<'_>, original: &Located<'_, ArrayRules>, item: At) -> Changes {
    if is_open(differ, original) {
        return single(
            if differ.node(differ.resolved(item)).kind.accepts_anything() {
                ChangeKind::ItemWithEmptySchemaAddedToOpenContentModel
            } else {
                ChangeKind::ItemAddedToOpenContentModel
            },
        );
    }
    if let Some(covering) = schema_for_unlisted(differ, original) {
        let mut covered = differ.compare_pair(original.at(covering), item);
        let kind = if covered.is_compatible() {
            ChangeKind::ItemAddedIsCoveredByPartiallyOpenContentModel
        } else {
            ChangeKind::ItemAddedNotCoveredByPartiallyOpenContentModel
        };
        covered.push(kind);
        return covered;
    }
    single(ChangeKind::ItemAddedToClosedContentModel)
}

fn compare_additional_items(
    differ: &mut Differ<'_>,
    original: &Located<'_, ArrayRules>,
    update: &Located<'_, ArrayRules>,
    changes: &mut Changes,
) {
    let (before, after) = (original.additional_items, update.additional_items);
    let found = if before.permitted != after.permitted {
        single(if before.permitted {
            ChangeKind::AdditionalItemsRemoved
        } else {
            ChangeKind::AdditionalItemsAdded
        })
    } else {
        match (before.schema, after.schema) {
            (None, Some(_)) => single(ChangeKind::AdditionalItemsNarrowed),
            (Some(_), None) => single(ChangeKind::AdditionalItemsExtended),
            (before_schema, after_schema) => differ.compare(
                before_schema.map(|node: NodeId| original.at(node)),
                after_schema.map(|node: NodeId| update.at(node)),
            ),
        }
    };
    changes.extend_under(&["additionalItems"], found);
}

fn compare_bounds(original: &ArrayRules, update: &ArrayRules, changes: &mut Changes) {
    compare_limit(
        original.max_items,
        update.max_items,
        "maxItems",
        LimitChanges {
            added: ChangeKind::MaxItemsAdded,
            removed: ChangeKind::MaxItemsRemoved,
            increased: ChangeKind::MaxItemsIncreased,
            decreased: ChangeKind::MaxItemsDecreased,
        },
        changes,
    );
    compare_limit(
        original.min_items,
        update.min_items,
        "minItems",
        LimitChanges {
            added: ChangeKind::MinItemsAdded,
            removed: ChangeKind::MinItemsRemoved,
            increased: ChangeKind::MinItemsIncreased,
            decreased: ChangeKind::MinItemsDecreased,
        },
        changes,
    );
    match (original.unique_items, update.unique_items) {
        (true, false) => changes.push_at("uniqueItems", ChangeKind::UniqueItemsRemoved),
        (false, true) => changes.push_at("uniqueItems", ChangeKind::UniqueItemsAdded),
        _ => {}
    }
    compare_limit(
        original.max_contains,
        update.max_contains,
        "maxContains",
        LimitChanges {
            added: ChangeKind::MaxContainsAdded,
            removed: ChangeKind::MaxContainsRemoved,
            increased: ChangeKind::MaxContainsIncreased,
            decreased: ChangeKind::MaxContainsDecreased,
        },
        changes,
    );
    compare_limit(
        original.min_contains,
        update.min_contains,
        "minContains",
        LimitChanges {
            added: ChangeKind::MinContainsAdded,
            removed: ChangeKind::MinContainsRemoved,
            increased: ChangeKind::MinContainsIncreased,
            decreased: ChangeKind::MinContainsDecreased,
        },
        changes,
    );
}

/// Positions past the tuple may hold anything: `additionalItems` absent or `true` and
/// `unevaluatedItems` absent or accepting anything.
fn is_open(differ: &Differ<'_>, array: &Located<'_, ArrayRules>) -> bool {
    array.additional_items.permitted
        && array.additional_items.schema.is_none()
        && array.unevaluated_items.is_none_or(|node| {
            let node = differ.resolved(array.at(node));
            differ.node(node).kind.accepts_anything()
        })
}

/// The schema positions past the tuple must match, in a partially open model: the
/// `additionalItems` schema, else (with `additionalItems` absent) an `unevaluatedItems` schema
/// that neither closes the model nor accepts anything.
fn schema_for_unlisted(differ: &Differ<'_>, array: &Located<'_, ArrayRules>) -> Option<NodeId> {
    let additional = array.additional_items;
    additional.schema.or_else(|| {
        let unevaluated = array.unevaluated_items?;
        let kind = &differ.node(differ.resolved(array.at(unevaluated))).kind;
        let constrains = !kind.accepts_anything() && !matches!(kind, Kind::False);
        (additional.permitted && constrains).then_some(unevaluated)
    })
}
