//! The read-model rows one event changed, from the models' own change sets: the state just
//! before the event folds it once more, and each model says which rows it touched.

use crate::envelope::DomainEvent;
use crate::history::History;
use crate::ids::Position;
use crate::projection::Row;
use crate::store::EventStore;

/// A read-model row one event changed: what it was just before, and what it became.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TouchedRow {
    pub model: &'static str,
    pub key: String,
    /// `None` when the event created the row.
    pub before: Option<Row>,
    pub after: Row,
}

/// The read-model rows the event at `position` added or changed, in the models' order and each
/// model's in the order it reported them. A row the event removed has no `after`, and a row
/// reported but left as it was did not change: neither is listed.
pub fn rows_changed_by<E: DomainEvent>(
    history: &History<E>,
    store: &EventStore<E>,
    position: Position,
) -> Vec<TouchedRow> {
    let Some(event) = store.get(position) else {
        return Vec::new();
    };
    let before = history.state_at(store, Position(position.0.saturating_sub(1)));
    if before.position().next() != position {
        return Vec::new();
    }
    let mut after = before.clone();
    let touched = after.apply_listing(event);
    let mut changed = Vec::new();
    for ((old, new), keys) in before.iter().zip(after.iter()).zip(touched) {
        for key in keys {
            let Some(row) = new.row(&key) else { continue };
            let previous = old.row(&key);
            if previous.as_ref() != Some(&row) {
                changed.push(TouchedRow {
                    model: new.name(),
                    key,
                    before: previous,
                    after: row,
                });
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temporal::fixtures::log;

    fn changed(receipts: &[(u16, u32)], position: u64) -> Vec<(&'static str, String, bool)> {
        let (store, history) = log(receipts, 2);
        rows_changed_by(&history, &store, Position(position))
            .into_iter()
            .map(|row| (row.model, row.key, row.before.is_some()))
            .collect()
    }

    #[test]
    fn it_should_list_the_rows_an_event_changed_in_every_model() {
        let rows = changed(&[(1, 2), (2, 1), (1, 3)], 3);
        assert_eq!(
            rows,
            [
                ("Receipts", "SKU-01".to_string(), true),
                ("Units", "SKU-01".to_string(), true)
            ]
        );
    }

    #[test]
    fn it_should_say_a_row_was_created_and_leave_out_one_left_as_it_was() {
        // #2 creates SKU-02 in both; #3 receives nothing: Units' total stays, Receipts drops it.
        assert_eq!(
            changed(&[(1, 2), (2, 1)], 2),
            [
                ("Receipts", "SKU-02".to_string(), false),
                ("Units", "SKU-02".to_string(), false)
            ]
        );
        assert_eq!(changed(&[(1, 2), (2, 1), (2, 0)], 3), []);
    }

    #[test]
    fn it_should_list_nothing_for_a_position_not_in_the_log() {
        assert_eq!(changed(&[(1, 2)], 0), []);
        assert_eq!(changed(&[(1, 2)], 2), []);
    }
}
