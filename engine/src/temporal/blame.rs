//! Field blame: which event gave each changed field the value it has at B.
//!
//! [`diff_between`] names, for each field that differs between A and B, the last event in
//! (A, B] that changed it. Every projection reports the rows each `apply` touched (its change
//! set, [`crate::projection::ChangeSet`]), so blame is one forward fold: the models with rows
//! to blame start from their state at A and fold (A, B]; after each event that touched one of
//! those rows, the row is read again and every field that now differs from the row before is
//! blamed on that event. The last such event of a field is its blame ([`FieldBlame::Exact`]),
//! and the last event after which a row was gone is its removal ([`RowBlame::Removed`]). Nothing
//! is guessed: no walk back through `Event` columns, no row looked for near where it stood, so
//! a model without an `Event` column is blamed like any other.
//!
//! Limits keep the cost bounded: only the first [`BlameLimits::rows`] changes of each model (a
//! page) are blamed, and at most [`BlameLimits::replay`] events are folded: when (A, B] is
//! longer, the fold covers its last `replay` events only, from the state there, and a field
//! that none of them changed is blamed [`FieldBlame::AtOrBefore`] the window's start, which is
//! true: it last changed after A, at or before that event.

use super::diff::{diff_model, ModelDiff, Pending};
use crate::envelope::DomainEvent;
use crate::history::History;
use crate::ids::Position;
use crate::projection::{ReadModel, Refreshed};
use crate::store::{EventStore, LogSlice};

/// Which event gave a field the value it has at B.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldBlame {
    /// The last event in (A, B] that changed the field: its value just before differs, and no
    /// later event up to B changed it again.
    Exact(Position),
    /// The fold stopped at its limit before it found the change: the field last changed after
    /// A, at or before this event.
    AtOrBefore(Position),
}

impl FieldBlame {
    pub fn position(self) -> Position {
        match self {
            FieldBlame::Exact(position) | FieldBlame::AtOrBefore(position) => position,
        }
    }
}

/// One column's blame within a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnBlame {
    pub column: &'static str,
    pub blame: FieldBlame,
}

/// The blame of one added, changed or removed row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowBlame {
    /// An added or changed row: every field that differs (for an added row, every field), in
    /// column order. `Event` columns are left out: they are the row's blame.
    Fields(Vec<ColumnBlame>),
    /// A removed row: the last event in (A, B] after which it was gone.
    Removed(Position),
}

impl RowBlame {
    /// The blame of one field of an added or changed row.
    pub fn field(&self, column: &str) -> Option<FieldBlame> {
        match self {
            RowBlame::Fields(fields) => fields
                .iter()
                .find(|field| field.column == column)
                .map(|field| field.blame),
            RowBlame::Removed(_) => None,
        }
    }
}

/// How much work field blame may do: it is computed for a page of rows, not for all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlameLimits {
    /// How many of each model's changes, in the order of [`ModelDiff::changes`], get field
    /// blame: the rows a page shows.
    pub rows: usize,
    /// How many events the fold may cover, counted back from B; fields last changed before
    /// them are blamed [`FieldBlame::AtOrBefore`].
    pub replay: u64,
}

impl Default for BlameLimits {
    /// A page of 40 rows a model, and room for every event of a million-event log.
    fn default() -> Self {
        BlameLimits {
            rows: 40,
            replay: 4_000_000,
        }
    }
}

/// Every read model's differences between positions `a` and `b` of the log, each changed field
/// of the first `limits.rows` changes of each model blamed on the last event in (A, B] that
/// changed it (see the module's notes). With `a` at or after `b` there is no such event, and the
/// diff comes without field blame.
pub fn diff_between<E: DomainEvent>(
    history: &History<E>,
    store: &EventStore<E>,
    a: Position,
    b: Position,
    limits: BlameLimits,
) -> Vec<ModelDiff> {
    let before = history.state_at(store, a);
    let after = history.state_at(store, b);
    let (a, b) = (before.position(), after.position());
    let pending = if a < b { limits.rows } else { 0 };
    let (mut diffs, pending): (Vec<ModelDiff>, Vec<Vec<Pending>>) = before
        .iter()
        .zip(after.iter())
        .map(|(old, new)| diff_model(old, new, limits.rows, pending))
        .unzip();
    if pending.iter().all(Vec::is_empty) {
        return diffs;
    }
    // The fold's window: (start, B], at most `replay` events.
    let start = Position(b.0.saturating_sub(limits.replay).max(a.0));
    let windowed;
    let base = if start == a {
        &before
    } else {
        windowed = history.state_at(store, start);
        &windowed
    };
    let events = store.between(start, b);
    for ((diff, pending), model) in diffs.iter_mut().zip(pending).zip(base.iter()) {
        if pending.is_empty() {
            continue;
        }
        let blamed = blame_rows(model, base.upcasting(), events, &pending);
        for (pending, blame) in pending.into_iter().zip(blamed) {
            let (key, blame) = match (pending, blame) {
                (Pending::Walk { row, open, .. }, Blamed::Fields(last)) => {
                    let fields = open
                        .into_iter()
                        .zip(last)
                        .filter_map(|(column, last)| {
                            let blame = match last {
                                Some(position) => FieldBlame::Exact(position),
                                // Nothing in the window changed it: before the window, if
                                // there is room; otherwise the model left a change unreported,
                                // and no blame beats a wrong one.
                                None if start > a => FieldBlame::AtOrBefore(start),
                                None => return None,
                            };
                            let column = *diff.columns.get(column)?;
                            Some(ColumnBlame { column, blame })
                        })
                        .collect();
                    (row.key, RowBlame::Fields(fields))
                }
                (Pending::Removed { key, .. }, Blamed::Removed(Some(position))) => {
                    (key, RowBlame::Removed(position))
                }
                _ => continue,
            };
            diff.field_blame.insert(key, blame);
        }
    }
    diffs
}

/// What the fold found for one pending row.
enum Blamed {
    /// For each open column of the row (in its order), the last event that changed it.
    Fields(Vec<Option<Position>>),
    /// The last event after which the row was gone.
    Removed(Option<Position>),
}

/// Folds one model from its state at the window's start through `events`, watching the
/// pending rows: each event that touched one is blamed for the fields it changed.
fn blame_rows<E: DomainEvent>(
    model: &dyn ReadModel<E>,
    upcasting: Option<&crate::projection::SharedUpcasting<E>>,
    events: LogSlice<'_, crate::envelope::Recorded<E>>,
    pending: &[Pending],
) -> Vec<Blamed> {
    let keys: Vec<String> = pending
        .iter()
        .map(|pending| match pending {
            Pending::Walk { row, .. } => row.key.clone(),
            Pending::Removed { key, .. } => key.clone(),
        })
        .collect();
    let mut blamed: Vec<Blamed> = pending
        .iter()
        .map(|pending| match pending {
            Pending::Walk { open, .. } => Blamed::Fields(vec![None; open.len()]),
            Pending::Removed { .. } => Blamed::Removed(None),
        })
        .collect();
    let mut state = model.clone_boxed();
    state.fold_watching(
        events,
        upcasting,
        &keys,
        &mut |index, position, refreshed| {
            let (Some(blamed), Some(pending)) = (blamed.get_mut(index), pending.get(index)) else {
                return;
            };
            match (blamed, pending, refreshed) {
                (Blamed::Fields(last), Pending::Walk { open, .. }, Refreshed::Columns(changed)) => {
                    for (&column, last) in open.iter().zip(last.iter_mut()) {
                        if changed.contains(column) {
                            *last = Some(position);
                        }
                    }
                }
                // Gone: every field differs from just before (a later event may bring it back).
                (Blamed::Fields(last), Pending::Walk { .. }, Refreshed::Gone) => {
                    last.iter_mut().for_each(|last| *last = Some(position));
                }
                (Blamed::Removed(last), Pending::Removed { .. }, Refreshed::Gone) => {
                    *last = Some(position);
                }
                _ => {}
            }
        },
    );
    blamed
}

#[cfg(test)]
mod tests {
    // The test domain has one event type, so matching it is irrefutable.
    #![allow(irrefutable_let_patterns)]
    use super::*;
    use crate::envelope::Recorded;
    use crate::temporal::diff::RowChange;
    use crate::temporal::fixtures::log;
    use crate::test_domain::StockEvent as ShopEvent;

    fn between(
        receipts: &[(u16, u32)],
        interval: u64,
        a: u64,
        b: u64,
        limits: BlameLimits,
    ) -> Vec<ModelDiff> {
        let (store, history) = log(receipts, interval);
        diff_between(&history, &store, Position(a), Position(b), limits)
    }

    fn field(diffs: &[ModelDiff], key: &str, column: &str) -> Option<FieldBlame> {
        diffs[0].field_blame.get(key)?.field(column)
    }

    const AT: fn(u64) -> FieldBlame = |n| FieldBlame::Exact(Position(n));

    #[test]
    fn it_should_blame_each_changed_field_on_the_last_event_that_changed_it() {
        // SKU-01: 2 (even), 3 (odd) at #3, 5 (odd) at #5; SKU-02 in between.
        let receipts = [(1, 2), (2, 1), (1, 3), (2, 4), (1, 5)];
        let diffs = between(&receipts, 2, 1, 5, BlameLimits::default());
        assert_eq!(field(&diffs, "SKU-01", "Last"), Some(AT(5)));
        assert_eq!(field(&diffs, "SKU-01", "Parity"), Some(AT(3)));
        assert_eq!(field(&diffs, "SKU-01", "SKU"), None, "unchanged");
        assert_eq!(diffs[0].blame.get("SKU-01"), Some(&Position(5)));
    }

    #[test]
    fn it_should_blame_each_field_of_an_added_row_on_its_own_last_changer() {
        let receipts = [(1, 2), (2, 1), (1, 3), (2, 4), (1, 5)];
        let diffs = between(&receipts, 2, 0, 5, BlameLimits::default());
        assert_eq!(
            diffs[0].field_blame.get("SKU-01"),
            Some(&RowBlame::Fields(vec![
                ColumnBlame {
                    column: "SKU",
                    blame: AT(1)
                },
                ColumnBlame {
                    column: "Last",
                    blame: AT(5)
                },
                ColumnBlame {
                    column: "Parity",
                    blame: AT(3)
                },
            ]))
        );
        assert_eq!(field(&diffs, "SKU-02", "Parity"), Some(AT(4)));
    }

    #[test]
    fn it_should_blame_a_field_that_went_back_and_forth_on_its_last_change() {
        // Parity: even at #1, odd at #2, even at #3, odd at #4, still odd at #5.
        let receipts = [(1, 2), (1, 3), (1, 4), (1, 7), (1, 9)];
        let diffs = between(&receipts, 3, 1, 5, BlameLimits::default());
        assert_eq!(field(&diffs, "SKU-01", "Parity"), Some(AT(4)));
        assert_eq!(field(&diffs, "SKU-01", "Last"), Some(AT(5)));
    }

    #[test]
    fn it_should_blame_a_removed_row_on_the_event_that_removed_it() {
        let receipts = [(1, 2), (2, 1), (1, 0), (2, 2)];
        let diffs = between(&receipts, 2, 1, 4, BlameLimits::default());
        assert!(matches!(
            diffs[0].changes[..],
            [RowChange::Added(_), RowChange::Removed(_)]
        ));
        assert_eq!(
            diffs[0].field_blame.get("SKU-01"),
            Some(&RowBlame::Removed(Position(3)))
        );
    }

    #[test]
    fn it_should_say_at_or_before_the_window_when_the_fold_may_not_reach_a() {
        // One event may be folded: #5 changed Last; Parity last changed at #4, before it.
        let receipts = [(1, 2), (1, 3), (1, 4), (1, 7), (1, 9)];
        let limits = BlameLimits {
            replay: 1,
            ..BlameLimits::default()
        };
        let diffs = between(&receipts, 3, 1, 5, limits);
        assert_eq!(field(&diffs, "SKU-01", "Last"), Some(AT(5)));
        assert_eq!(
            field(&diffs, "SKU-01", "Parity"),
            Some(FieldBlame::AtOrBefore(Position(4)))
        );
    }

    #[test]
    fn it_should_say_at_or_before_the_rows_last_event_when_nothing_may_be_replayed() {
        let receipts = [(1, 2), (1, 3), (1, 4), (1, 7), (1, 9)];
        let limits = BlameLimits {
            replay: 0,
            ..BlameLimits::default()
        };
        let diffs = between(&receipts, 100, 1, 5, limits);
        let before_five = FieldBlame::AtOrBefore(Position(5));
        assert_eq!(field(&diffs, "SKU-01", "Last"), Some(before_five));
        assert_eq!(field(&diffs, "SKU-01", "Parity"), Some(before_five));
    }

    #[test]
    fn it_should_fold_a_long_run_of_events_across_checkpoints() {
        // 290 receipts, nearly all of SKU-01 (every 37th is SKU-02): 2 units each, then 4 from
        // #100 and 6 from #200, but 5 at #140 (odd, for one event).
        let receipts: Vec<(u16, u32)> = (1..=290u32)
            .map(|n| match n {
                _ if n % 37 == 0 => (2, n),
                140 => (1, 5),
                _ => (1, 2 + n / 100 * 2),
            })
            .collect();
        let diffs = between(&receipts, 16, 0, 290, BlameLimits::default());
        assert_eq!(field(&diffs, "SKU-01", "Last"), Some(AT(200)));
        assert_eq!(field(&diffs, "SKU-01", "Parity"), Some(AT(141)));
        assert_eq!(field(&diffs, "SKU-01", "SKU"), Some(AT(1)));
        assert_eq!(diffs[0].blame.get("SKU-01"), Some(&Position(290)));
    }

    #[test]
    fn it_should_blame_only_the_first_rows_of_each_model() {
        let receipts = [(1, 2), (2, 1), (3, 5)];
        let limits = BlameLimits {
            rows: 2,
            ..BlameLimits::default()
        };
        let diffs = between(&receipts, 2, 0, 3, limits);
        assert_eq!(diffs[0].counts(), (3, 0, 0), "every change is counted");
        assert_eq!(diffs[0].changes.len(), 2, "a page of them is listed");
        let mut blamed: Vec<&String> = diffs[0].field_blame.keys().collect();
        blamed.sort();
        assert_eq!(blamed, ["SKU-01", "SKU-02"]);
    }

    #[test]
    fn it_should_blame_a_model_without_an_event_column_from_its_change_sets() {
        // Units has no Event column: its change sets alone say which receipt changed a total
        // (#4 receives nothing: it touches SKU-02's row but changes no field).
        let diffs = between(
            &[(1, 2), (2, 1), (1, 3), (2, 0)],
            2,
            1,
            4,
            BlameLimits::default(),
        );
        assert_eq!(diffs[1].model, "Units");
        assert_eq!(field(&diffs[1..], "SKU-01", "Units"), Some(AT(3)));
        assert_eq!(field(&diffs[1..], "SKU-02", "Units"), Some(AT(2)));
    }

    #[test]
    fn it_should_blame_a_removal_on_the_last_one_when_a_row_came_and_went_twice() {
        let receipts = [(1, 2), (1, 0), (1, 3), (1, 0), (2, 1)];
        let diffs = between(&receipts, 2, 1, 5, BlameLimits::default());
        assert_eq!(
            diffs[0].field_blame.get("SKU-01"),
            Some(&RowBlame::Removed(Position(4)))
        );
    }

    #[test]
    fn it_should_give_no_field_blame_from_a_later_a_to_an_earlier_b() {
        let receipts = [(1, 2), (1, 3)];
        let diffs = between(&receipts, 2, 2, 1, BlameLimits::default());
        assert_eq!(diffs[0].changes.len(), 1);
        assert!(diffs.iter().all(|diff| diff.field_blame.is_empty()));
    }

    /// Consumers read every receipt as half its quantity, as if its schema had evolved.
    struct Halved;

    impl crate::envelope::Upcasting<ShopEvent> for Halved {
        fn read(&self, event: &Recorded<ShopEvent>) -> Option<Recorded<ShopEvent>> {
            let ShopEvent::StockReceived { sku, quantity } = event.event else {
                return None;
            };
            let mut upcast = event.clone();
            upcast.event = ShopEvent::StockReceived {
                sku,
                quantity: quantity / 2,
            };
            Some(upcast)
        }
    }

    #[test]
    fn it_should_blame_events_as_consumers_read_them_after_an_upcast() {
        // Recorded as 4 then 5: read as 2 and 2, so the second receipt changed nothing.
        let (store, mut history) = log(&[(1, 4), (1, 5)], 100);
        history.set_upcasting(Some(std::sync::Arc::new(Halved)), &store);
        let diffs = diff_between(
            &history,
            &store,
            Position(0),
            Position(2),
            BlameLimits::default(),
        );
        assert_eq!(field(&diffs, "SKU-01", "Last"), Some(AT(1)));
        assert_eq!(field(&diffs, "SKU-01", "Parity"), Some(AT(1)));
    }
}
