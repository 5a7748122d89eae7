//! The difference of every read model between two states: rows added, removed and changed
//! (field by field), each added or changed row blamed on the event its `Event` column names.

use rustc_hash::{FxHashMap, FxHashSet};

use super::blame::RowBlame;
use super::blame_of;
use crate::envelope::DomainEvent;
use crate::ids::Position;
use crate::projection::{Cell, DiffPage, ReadModel, ReadModelSet, Row, RowDifference};

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
    match b.diff_page(a, listed) {
        Some(page) => diff_from_page(b, page, pending),
        None => {
            let (mut diff, ready) = diff_model_by_rows(a, b, pending);
            if diff.changes.len() > listed {
                diff.changes.truncate(listed);
                let shown: FxHashSet<&str> = diff.changes.iter().map(change_key).collect();
                diff.blame.retain(|key, _| shown.contains(key.as_str()));
            }
            (diff, ready)
        }
    }
}

fn change_key(change: &RowChange) -> &str {
    match change {
        RowChange::Added(row) | RowChange::Removed(row) => &row.key,
        RowChange::Changed { key, .. } => key,
    }
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

/// A model's own page of differences as a diff, built the way [`diff_model_by_rows`] builds it.
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
        match (differing.difference, differing.before, differing.after) {
            (RowDifference::Removed, Some(before), _) => {
                if ready.len() < pending {
                    ready.push(Pending::Removed {
                        key: before.key.clone(),
                    });
                }
                changes.push(RowChange::Removed(before));
            }
            (RowDifference::Added, _, Some(after)) => {
                let open = open_columns(columns.len(), None, &after);
                if let Some(position) = blame_of(&after) {
                    blame.insert(after.key.clone(), position);
                }
                if ready.len() < pending {
                    ready.push(Pending::Walk {
                        row: after.clone(),
                        open,
                    });
                }
                changes.push(RowChange::Added(after));
            }
            (RowDifference::Changed, Some(before), Some(after)) => {
                let width = columns.len().min(before.cells.len());
                let open: Vec<usize> = open_columns(width, Some(&before), &after);
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
                if let Some(position) = blame_of(&after) {
                    blame.insert(after.key.clone(), position);
                }
                if ready.len() < pending {
                    ready.push(Pending::Walk { row: after, open });
                }
            }
            // A model that says a row exists where it does not: nothing to show of it.
            _ => {}
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

/// The plain diff of one model, every row of both states built and compared (what a model's
/// own [`Projection::differences`](crate::projection::Projection::differences) must agree
/// with), and the first `pending` of its changes ready for blame.
fn diff_model_by_rows<E: DomainEvent>(
    a: &dyn ReadModel<E>,
    b: &dyn ReadModel<E>,
    pending: usize,
) -> (ModelDiff, Vec<Pending>) {
    let columns = b.columns();
    let before = a.rows(0..a.row_count());
    let mut unseen: FxHashMap<&str, usize> = before
        .iter()
        .enumerate()
        .map(|(index, row)| (row.key.as_str(), index))
        .collect();
    let after = b.rows(0..b.row_count());
    let mut changes = Vec::new();
    let mut blame = FxHashMap::default();
    let mut ready = Vec::new();
    // Rows are moved into the changes, not cloned: at a million events there are many.
    for row in after {
        let (open, added) = match unseen.remove(row.key.as_str()) {
            None => {
                let open = (0..row.cells.len().min(columns.len()))
                    .filter(|&column| !matches!(row.cells[column], Cell::Event(_)))
                    .collect();
                (open, true)
            }
            Some(old) if before[old].cells != row.cells => {
                let old = &before[old];
                let open: Vec<usize> = (0..columns.len().min(old.cells.len()).min(row.cells.len()))
                    .filter(|&column| {
                        old.cells[column] != row.cells[column]
                            && !matches!(row.cells[column], Cell::Event(_))
                    })
                    .collect();
                if open.is_empty() {
                    continue;
                }
                changes.push(RowChange::Changed {
                    key: row.key.clone(),
                    fields: open
                        .iter()
                        .map(|&column| FieldChange {
                            column: columns[column],
                            before: old.cells[column].clone(),
                            after: row.cells[column].clone(),
                        })
                        .collect(),
                });
                (open, false)
            }
            Some(_) => continue,
        };
        if let Some(position) = blame_of(&row) {
            blame.insert(row.key.clone(), position);
        }
        if ready.len() < pending {
            ready.push(Pending::Walk {
                row: row.clone(),
                open,
            });
        }
        if added {
            changes.push(RowChange::Added(row));
        }
    }
    // In the model's order at A, so the listing is stable from one run to the next.
    let mut gone: Vec<usize> = unseen.into_values().collect();
    gone.sort_unstable();
    let mut gone = gone.into_iter().peekable();
    for (index, row) in before.into_iter().enumerate() {
        if gone.next_if_eq(&index).is_none() {
            continue;
        }
        if ready.len() < pending {
            ready.push(Pending::Removed {
                key: row.key.clone(),
            });
        }
        changes.push(RowChange::Removed(row));
    }
    let mut totals = (0, 0, 0);
    for change in &changes {
        match change {
            RowChange::Added(_) => totals.0 += 1,
            RowChange::Removed(_) => totals.1 += 1,
            RowChange::Changed { .. } => totals.2 += 1,
        }
    }
    let diff = ModelDiff {
        model: b.name(),
        columns,
        changes,
        totals,
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
        .map(|(before, after)| diff_model_by_rows(before, after, 0).0)
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
