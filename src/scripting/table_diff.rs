//! What changed between two tables of a script's projection: the blue/green diff of the Scripts
//! tab and a deployed projection's A/B diff in the time machine.
//!
//! Columns are matched by name and rows by key, never by position: a version that adds a column
//! in the middle reports that column as added, and every other field is compared with the field
//! of the same name. A column only one side has is a change of the table's shape, reported once,
//! not as a change of every row. Pure data, so it is tested natively.

use std::collections::BTreeMap;

use eventide_shop::scripting::TableRow;
use serde_json::Value;

/// One table as a projection returned it: its column names and its rows.
#[derive(Clone, Copy, Debug)]
pub struct Table<'a> {
    pub columns: &'a [String],
    pub rows: &'a [TableRow],
}

/// A field whose value differs between the two tables, in a column both have.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    pub column: String,
    /// `Null` where the row had no cell for the column.
    pub before: Value,
    pub after: Value,
}

/// A row both tables have, with the fields that differ.
#[derive(Clone, Debug, PartialEq)]
pub struct RowChange {
    pub key: String,
    pub fields: Vec<FieldChange>,
}

/// Everything that differs from `before` to `after`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableDiff {
    pub columns_added: Vec<String>,
    pub columns_removed: Vec<String>,
    /// Keys of rows only `after` has, in key order.
    pub rows_added: Vec<String>,
    /// Keys of rows only `before` has, in key order.
    pub rows_removed: Vec<String>,
    /// Rows both have whose shared columns differ, in key order.
    pub rows_changed: Vec<RowChange>,
}

impl TableDiff {
    pub fn is_empty(&self) -> bool {
        *self == TableDiff::default()
    }
}

impl Table<'_> {
    /// Each column's cell index, by name (the first, should a script name a column twice).
    fn column_indexes(&self) -> BTreeMap<&str, usize> {
        let mut indexes = BTreeMap::new();
        for (index, name) in self.columns.iter().enumerate() {
            indexes.entry(name.as_str()).or_insert(index);
        }
        indexes
    }

    /// Rows by key (the last, should a script return a key twice: it is the one a map keeps).
    fn rows_by_key(&self) -> BTreeMap<&str, &TableRow> {
        self.rows
            .iter()
            .map(|row| (row.key.as_str(), row))
            .collect()
    }
}

/// The diff from `before` to `after`: columns by name, rows by key.
pub fn diff(before: Table<'_>, after: Table<'_>) -> TableDiff {
    let (old_columns, new_columns) = (before.column_indexes(), after.column_indexes());
    let columns_added = after
        .columns
        .iter()
        .filter(|name| !old_columns.contains_key(name.as_str()))
        .cloned()
        .collect();
    let columns_removed = before
        .columns
        .iter()
        .filter(|name| !new_columns.contains_key(name.as_str()))
        .cloned()
        .collect();
    // The columns both have, in the order the new table shows them.
    let shared: Vec<(&String, usize, usize)> = after
        .columns
        .iter()
        .filter_map(|name| {
            let old = old_columns.get(name.as_str())?;
            let new = new_columns.get(name.as_str())?;
            Some((name, *old, *new))
        })
        .collect();

    let (old_rows, new_rows) = (before.rows_by_key(), after.rows_by_key());
    let rows_added = new_rows
        .keys()
        .filter(|key| !old_rows.contains_key(*key))
        .map(|key| key.to_string())
        .collect();
    let rows_removed = old_rows
        .keys()
        .filter(|key| !new_rows.contains_key(*key))
        .map(|key| key.to_string())
        .collect();
    let cell = |row: &TableRow, index: usize| row.cells.get(index).cloned().unwrap_or(Value::Null);
    let rows_changed = new_rows
        .iter()
        .filter_map(|(key, row)| {
            let was = old_rows.get(key)?;
            let fields: Vec<FieldChange> = shared
                .iter()
                .filter_map(|&(column, old, new)| {
                    let (before, after) = (cell(was, old), cell(row, new));
                    (before != after).then(|| FieldChange {
                        column: column.clone(),
                        before,
                        after,
                    })
                })
                .collect();
            (!fields.is_empty()).then(|| RowChange {
                key: key.to_string(),
                fields,
            })
        })
        .collect();
    TableDiff {
        columns_added,
        columns_removed,
        rows_added,
        rows_removed,
        rows_changed,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn columns(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    fn row(key: &str, cells: Value) -> TableRow {
        TableRow {
            key: key.into(),
            cells: cells.as_array().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn a_column_added_in_the_middle_changes_no_other_field() {
        let (old_columns, new_columns) = (
            columns(&["orders", "ordered"]),
            columns(&["orders", "refunded", "ordered"]),
        );
        let before = [row("C-1", json!([2, 500])), row("C-2", json!([1, 100]))];
        let after = [
            row("C-1", json!([2, 0, 500])),
            row("C-2", json!([1, 0, 100])),
        ];
        let changes = diff(
            Table {
                columns: &old_columns,
                rows: &before,
            },
            Table {
                columns: &new_columns,
                rows: &after,
            },
        );
        assert_eq!(changes.columns_added, ["refunded"]);
        assert!(changes.columns_removed.is_empty());
        assert!(
            changes.rows_changed.is_empty(),
            "{:?}",
            changes.rows_changed
        );
        assert!(changes.rows_added.is_empty() && changes.rows_removed.is_empty());
    }

    #[test]
    fn a_removed_column_is_reported_once_and_the_rest_compare_by_name() {
        let (old_columns, new_columns) = (columns(&["a", "gone", "b"]), columns(&["b", "a"]));
        let before = [row("k", json!([1, "x", 2]))];
        let after = [row("k", json!([3, 1]))];
        let changes = diff(
            Table {
                columns: &old_columns,
                rows: &before,
            },
            Table {
                columns: &new_columns,
                rows: &after,
            },
        );
        assert_eq!(changes.columns_removed, ["gone"]);
        assert_eq!(
            changes.rows_changed,
            [RowChange {
                key: "k".into(),
                fields: vec![FieldChange {
                    column: "b".into(),
                    before: json!(2),
                    after: json!(3),
                }],
            }]
        );
    }

    #[test]
    fn rows_match_by_key_whatever_their_order() {
        let cols = columns(&["n"]);
        let before = [
            row("a", json!([1])),
            row("b", json!([2])),
            row("c", json!([3])),
        ];
        let after = [
            row("d", json!([4])),
            row("b", json!([2])),
            row("a", json!([9])),
        ];
        let changes = diff(
            Table {
                columns: &cols,
                rows: &before,
            },
            Table {
                columns: &cols,
                rows: &after,
            },
        );
        assert_eq!(changes.rows_added, ["d"]);
        assert_eq!(changes.rows_removed, ["c"]);
        assert_eq!(changes.rows_changed.len(), 1);
        assert_eq!(changes.rows_changed[0].key, "a");
    }

    #[test]
    fn a_missing_cell_reads_as_null() {
        let cols = columns(&["x", "y"]);
        let before = [row("k", json!([1]))];
        let after = [row("k", json!([1, 2]))];
        let changes = diff(
            Table {
                columns: &cols,
                rows: &before,
            },
            Table {
                columns: &cols,
                rows: &after,
            },
        );
        assert_eq!(changes.rows_changed[0].fields[0].before, Value::Null);
        let same = diff(
            Table {
                columns: &cols,
                rows: &after,
            },
            Table {
                columns: &cols,
                rows: &after,
            },
        );
        assert!(same.is_empty());
    }
}
