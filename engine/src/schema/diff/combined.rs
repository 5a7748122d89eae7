//! Combined schemas (`allOf`, `anyOf`, `oneOf`) and `not`.
//!
//! `allOf` is a product type: a value must match every part, so a new part is a new constraint
//! (`PRODUCT_TYPE_EXTENDED`, incompatible) and a dropped part a relief. `anyOf` and `oneOf` are
//! sum types: a new alternative reads more (`SUM_TYPE_EXTENDED`, compatible), a dropped one less.
//!
//! Subschemas are compared pairwise, every old one with every new one, and then paired up so
//! that as many pairs as possible are compatible (a maximum bipartite matching): reordering
//! the alternatives is no change, and if the smaller side cannot be covered by compatible pairs,
//! the subschemas changed (`COMBINED_TYPE_SUBSCHEMAS_CHANGED`).

use serde_json::Value;

use super::{At, Changes, Differ, Located};
use crate::schema::change::ChangeKind;
use crate::schema::document::{Combined, Criterion, JsonSchema, NodeId};

pub(super) fn compare_combined(
    differ: &mut Differ<'_>,
    original: Located<'_, Combined>,
    update: Located<'_, Combined>,
    changes: &mut Changes,
) {
    if original.criterion != update.criterion {
        if criterion_extended(&original, &update) {
            changes.push(ChangeKind::CombinedTypeExtended);
        } else {
            changes.push(ChangeKind::CombinedTypeChanged);
            return;
        }
    }

    let originals = distinct(differ.document(original.side), &original.subschemas);
    let updates = distinct(differ.document(update.side), &update.subschemas);
    if originals.len() < updates.len() {
        changes.push(match update.criterion {
            Criterion::All => ChangeKind::ProductTypeExtended,
            Criterion::Any | Criterion::One => ChangeKind::SumTypeExtended,
        });
    } else if originals.len() > updates.len() {
        changes.push(match original.criterion {
            Criterion::All => ChangeKind::ProductTypeNarrowed,
            Criterion::Any | Criterion::One => ChangeKind::SumTypeNarrowed,
        });
    }

    // For each old subschema, the new ones it is compatible with, and the changes of that pair.
    let mut compatible: Vec<Vec<(usize, Changes)>> = Vec::with_capacity(originals.len());
    for &before in &originals {
        let mut partners = Vec::new();
        for (index, &after) in updates.iter().enumerate() {
            let pair = differ.compare_pair(original.at(before), update.at(after));
            if pair.is_compatible() {
                partners.push((index, pair));
            }
        }
        compatible.push(partners);
    }
    let candidates: Vec<Vec<usize>> = compatible
        .iter()
        .map(|partners| partners.iter().map(|(index, _)| *index).collect())
        .collect();
    let matching = maximum_matching(&candidates, updates.len());

    let keyword = original.criterion.keyword();
    for &(before, after) in &matching {
        if let Some((_, pair)) = compatible[before].iter().find(|(index, _)| *index == after) {
            changes.extend_under(&[keyword, &before.to_string()], pair.clone());
        }
    }
    if matching.len() < originals.len().min(updates.len()) {
        changes.push(ChangeKind::CombinedTypeSubschemasChanged);
    }
}

/// `not` reverses the direction: the negated schema may only grow. Compares the update's
/// negated schema against the original's, and says which way `not` moved.
pub(super) fn compare_negations(differ: &mut Differ<'_>, original: At, update: At) -> ChangeKind {
    if differ.compare_pair(update, original).is_compatible() {
        ChangeKind::NotTypeNarrowed
    } else {
        ChangeKind::NotTypeExtended
    }
}

/// A new criterion that accepts at least what the old one did: any criterion to `anyOf`, and
/// between single-subschema combinations (where `allOf`, `anyOf` and `oneOf` mean the same) or
/// towards them.
fn criterion_extended(original: &Combined, update: &Combined) -> bool {
    let single = |combined: &Combined| combined.subschemas.len() == 1;
    update.criterion == Criterion::Any
        || (single(original) && single(update))
        || (single(original) && update.criterion == Criterion::One)
        || (single(update) && original.criterion == Criterion::All)
}

/// The subschemas without repeats (the same JSON twice counts once), in order.
fn distinct(document: &JsonSchema, subschemas: &[NodeId]) -> Vec<NodeId> {
    let mut seen: Vec<Value> = Vec::new();
    let mut distinct = Vec::with_capacity(subschemas.len());
    for &subschema in subschemas {
        match document.rendering(subschema) {
            Some(rendering) if seen.contains(&rendering) => {}
            Some(rendering) => {
                seen.push(rendering);
                distinct.push(subschema);
            }
            None => distinct.push(subschema),
        }
    }
    distinct
}

/// A maximum matching in the bipartite graph where left vertex `i` may pair with the right
/// vertices `candidates[i]` (Kuhn's augmenting paths; the graphs here have a handful of vertices).
/// Returns `(left, right)` pairs.
fn maximum_matching(candidates: &[Vec<usize>], right_count: usize) -> Vec<(usize, usize)> {
    let mut partner_of_right: Vec<Option<usize>> = vec![None; right_count];
    for left in 0..candidates.len() {
        let mut visited = vec![false; right_count];
        augment(left, candidates, &mut visited, &mut partner_of_right);
    }
    let mut pairs: Vec<(usize, usize)> = partner_of_right
        .iter()
        .enumerate()
        .filter_map(|(right, left)| left.map(|left| (left, right)))
        .collect();
    pairs.sort_unstable();
    pairs
}

fn augment(
    left: usize,
    candidates: &[Vec<usize>],
    visited: &mut [bool],
    partner_of_right: &mut [Option<usize>],
) -> bool {
    for &right in &candidates[left] {
        if visited[right] {
            continue;
        }
        visited[right] = true;
        let free = match partner_of_right[right] {
            None => true,
            Some(other) => augment(other, candidates, visited, partner_of_right),
        };
        if free {
            partner_of_right[right] = Some(left);
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matching_reassigns_partners_to_cover_more_pairs() {
        // 0 can take 0 or 1; 1 can only take 0: the greedy choice 0→0 must give way.
        let matching = maximum_matching(&[vec![0, 1], vec![0]], 2);
        assert_eq!(matching, [(0, 1), (1, 0)]);
        assert_eq!(maximum_matching(&[vec![0], vec![0]], 1).len(), 1);
        assert!(maximum_matching(&[vec![], vec![]], 2).is_empty());
    }
}
