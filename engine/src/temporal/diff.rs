//! The difference of every read model between two states: rows added, removed and changed
//! (field by field), each added or changed row blamed on the event its `Event` column names.

use rustc_hash::FxHashMap;

use super::blame::RowBlame;
use super::blame_of;
use crate::envelope::DomainEvent;
use crate::ids::Position;
use crate::projection::{
    changed_columns, Cell, DiffPage, DifferingRow, ReadModel, ReadModelSet, Row, RowDifference,
};

/// One field that differs between the two moments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    pub column: &'static str,
    pub before: Cell,
    pub after: Cell,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowChange {
    Added(Row),
    Removed(Row),
    Changed {
        key: String,
        fields: Vec<FieldChange>,
    },
}

/// How one read model differs between A and B.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelDiff {
    pub model: &'static str,
    /// The model's columns, in the order of its rows' cells.
    pub columns: &'static [&'static str],
    /// The changes, in order: all of them from [`diff`], the first [`BlameLimits::rows`](super::BlameLimits::rows)
    /// (a page) from [`diff_between`]; [`ModelDiff::counts`] counts every one.
    pub changes: Vec<RowChange>,
    /// Added, removed and changed rows, in all.
    pub totals: (usize, usize, usize),
    /// For each changed or added row: the event that last changed it at B (the row's blame).
    pub blame: FxHashMap<String, Position>,
    /// Field by field, for the first [`BlameLimits::rows`](super::BlameLimits::rows) changes, by key. Filled in by
    /// [`diff_between`]; [`diff`] leaves it empty.
    pub field_blame: FxHashMap<String, RowBlame>,
}

impl ModelDiff {
    /// Added, removed and changed rows, in all (not only those in `changes`).
    pub fn counts(&self) -> (usize, usize, usize) {
        self.totals
    }

    /// How many rows differ, in all.
    pub fn total(&self) -> usize {
        self.totals.0 + self.totals.1 + self.totals.2
    }
}

/// A change that gets field blame, with what the search needs to start.
pub(super) enum Pending {
    /// An added or changed row: the row at B and the columns to blame.
    Walk { row: Row, open: Vec<usize> },
    /// A removed row: its key.
    Removed { key: String },
}

/// The diff of one model, its first `listed` changes built, and the first `pending` of them
/// ready for blame: from the model's own differences where it tells them, else row by row.
pub(super) fn diff_model<E: DomainEvent>(
    a: &dyn ReadModel<E>,
    b: &dyn ReadModel<E>,
    listed: usize,
    pending: usize,
) -> (ModelDiff, Vec<Pending>) {
    let page = b
        .diff_page(a, listed)
        .unwrap_or_else(|| page_by_rows(a, b, listed));
    diff_from_page(b, page, pending)
}

/// Every row of both states built and compared: the page of a model that cannot tell its
/// differences itself, and the reference for one that can ([`diff_by_rows`]). Rows differ
/// when a cell other than an `Event` cell does; rows only `a` has come last, in its order.
fn page_by_rows<E: DomainEvent>(
    a: &dyn ReadModel<E>,
    b: &dyn ReadModel<E>,
    listed: usize,
) -> DiffPage {
    // Rows are moved into the page, not cloned: at a million events there are many.
    let mut before: Vec<Option<Row>> = a.rows(0..a.row_count()).into_iter().map(Some).collect();
    let index: FxHashMap<String, usize> = (0..)
        .zip(&before)
        .filter_map(|(at, row)| Some((row.as_ref()?.key.clone(), at)))
        .collect();
    let mut rows = Vec::new();
    for after in b.rows(0..b.row_count()) {
        let earlier = index.get(&after.key).and_then(|&at| before[at].take());
        let difference = match &earlier {
            None => RowDifference::Added,
            Some(earlier) if changed_columns(Some(earlier), Some(&after)).is_some() => {
                RowDifference::Changed
            }
            Some(_) => continue,
        };
        rows.push(DifferingRow {
            difference,
            before: earlier,
            after: Some(after),
        });
    }
    // What is left of `a` is gone, in the model's order at A, so the listing is stable.
    rows.extend(before.into_iter().flatten().map(|gone| DifferingRow {
        difference: RowDifference::Removed,
        before: Some(gone),
        after: None,
    }));
    let counts = DiffPage::tally(rows.iter().map(|row| row.difference));
    rows.truncate(listed);
    DiffPage { counts, rows }
}

/// The columns of a row that get field blame: every one but `Event` cells, of an added row;
/// of a changed one, those whose value differs.
fn open_columns(columns: usize, before: Option<&Row>, after: &Row) -> Vec<usize> {
    let width = after.cells.len().min(columns);
    (0..width)
        .filter(|&column| !matches!(after.cells[column], Cell::Event(_)))
        .filter(|&column| {
            before.is_none_or(|before| before.cells.get(column) != Some(&after.cells[column]))
        })
        .collect()
}

/// A page of differences as the model's diff: its changes, each listed row blamed on its
/// `Event` column, and the first `pending` ready for field blame.
fn diff_from_page<E: DomainEvent>(
    b: &dyn ReadModel<E>,
    page: DiffPage,
    pending: usize,
) -> (ModelDiff, Vec<Pending>) {
    let columns = b.columns();
    let mut changes = Vec::with_capacity(page.rows.len());
    let mut blame = FxHashMap::default();
    let mut ready = Vec::new();
    for differing in page.rows {
        let (after, open) = match (differing.difference, differing.before, differing.after) {
            (RowDifference::Removed, Some(before), _) => {
                if ready.len() < pending {
                    ready.push(Pending::Removed {
                        key: before.key.clone(),
                    });
                }
                changes.push(RowChange::Removed(before));
                continue;
            }
            (RowDifference::Added, _, Some(after)) => {
                let open = open_columns(columns.len(), None, &after);
                changes.push(RowChange::Added(after.clone()));
                (after, open)
            }
            (RowDifference::Changed, Some(before), Some(after)) => {
                let width = columns.len().min(before.cells.len());
                let open = open_columns(width, Some(&before), &after);
                changes.push(RowChange::Changed {
                    key: after.key.clone(),
                    fields: open
                        .iter()
                        .map(|&column| FieldChange {
                            column: columns[column],
                            before: before.cells[column].clone(),
                            after: after.cells[column].clone(),
                        })
                        .collect(),
                });
                (after, open)
            }
            // A model that says a row exists where it does not: nothing to show of it.
            _ => continue,
        };
        if let Some(position) = blame_of(&after) {
            blame.insert(after.key.clone(), position);
        }
        if ready.len() < pending {
            ready.push(Pending::Walk { row: after, open });
        }
    }
    let diff = ModelDiff {
        model: b.name(),
        columns,
        changes,
        totals: page.counts,
        blame,
        field_blame: FxHashMap::default(),
    };
    (diff, ready)
}

/// Every read model's differences between two states of the same models, every change
/// listed, with row-level blame only (see [`diff_between`] for blame per field).
pub fn diff<E: DomainEvent>(a: &ReadModelSet<E>, b: &ReadModelSet<E>) -> Vec<ModelDiff> {
    a.iter()
        .zip(b.iter())
        .map(|(before, after)| diff_model(before, after, usize::MAX, 0).0)
        .collect()
}

/// [`diff`], every row of both states built and compared whatever the models could say
/// themselves: the reference a model's own `differences` is tested against.
pub fn diff_by_rows<E: DomainEvent>(a: &ReadModelSet<E>, b: &ReadModelSet<E>) -> Vec<ModelDiff> {
    a.iter()
        .zip(b.iter())
        .map(|(before, after)| diff_from_page(after, page_by_rows(before, after, usize::MAX), 0).0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Position;
    use crate::temporal::blame::{diff_between, BlameLimits};
    use crate::temporal::fixtures::log;

    #[test]
    fn it_should_list_the_same_changes_as_the_plain_diff() {
        let receipts = [(1, 2), (2, 1), (1, 0), (3, 4), (2, 6)];
        let (store, history) = log(&receipts, 2);
        let plain = diff(
            &history.state_at(&store, Position(1)),
            &history.state_at(&store, Position(5)),
        );
        let blamed = diff_between(
            &history,
            &store,
            Position(1),
            Position(5),
            BlameLimits::default(),
        );
        for (plain, blamed) in plain.iter().zip(&blamed) {
            assert_eq!(plain.changes, blamed.changes);
            assert_eq!(plain.blame, blamed.blame);
            assert!(plain.field_blame.is_empty());
        }
    }
}
