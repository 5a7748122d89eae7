//! Field blame: which event gave each changed field the value it has at B.
//!
//! [`diff_between`] names, for each field that differs between A and B, the last event in
//! (A, B] that changed it. Read models keep no index of the events that touched a row, but a
//! row's `Cell::Event` column names the last one, at every state. So the search walks back from
//! B: take the row's last event p, rebuild the row as of p - 1, blame p for every field that
//! differs between the two, and jump to the event the older row names. That visits every event
//! that touched the row, newest first, so the first one seen to change a field is its last
//! changer ([`FieldBlame::Exact`]). A row that did not exist before p was created by p, which
//! is then the last changer of every field still open.
//!
//! Rebuilding a row as of a position costs a clone of the nearest checkpoint and a fold of that
//! one model from it (at most one checkpoint interval of events, read as the set reads them:
//! upcast where a schema evolved). The walks of all rows go back together, one checkpoint
//! interval at a time from the latest: a pass folds the interval once per model and serves every
//! row with an event in it, so a fold is shared by the rows rather than paid per event per row.
//! A row whose events come one after another (a minute of activity) also has the positions just
//! before the one it needs looked up, so its walk takes many steps per pass. A row is looked for
//! near where it last stood in its model's order before the model is asked for it by key.
//!
//! Limits keep the cost bounded: only the first [`BlameLimits::rows`] changes of each model (a
//! page), at most [`BlameLimits::steps_per_row`] events per row and [`BlameLimits::replay`]
//! events replayed in all. A walk cut short blames its open fields [`FieldBlame::AtOrBefore`]
//! the next event it would have examined, which is true: nothing after that event changed them.
//! Like the row's blame, all of this trusts the `Event` column to name the row's last change.
//!
//! A model without an `Event` column gets no field blame: nothing says which events touched a
//! row, and a bisection on a field's value finds *an* event that set it, not the last one. A
//! removed row is blamed on a removal found by bisection on whether the row exists
//! ([`RowBlame::Removed`]).
//!
//! The walks live in `blame/walk.rs`, the rebuilding of rows as of earlier positions in
//! `blame/replay.rs`.

mod replay;
mod walk;

use self::replay::{look_up, Hint, HintRecord, Lookup, Replayer, Visit};
use self::walk::{walk_back, Walk};
use super::diff::{diff_model, ModelDiff, Pending};
use crate::envelope::DomainEvent;
use crate::history::History;
use crate::ids::Position;
use crate::store::EventStore;

/// Which event gave a field the value it has at B.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldBlame {
    /// The last event in (A, B] that changed the field: its value just before differs, and no
    /// later event up to B changed it again.
    Exact(Position),
    /// The walk back from B stopped at a limit before it found the change: the field last
    /// changed after A, at or before this event.
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
    /// column order. `Event` columns are left out: they are the blame.
    Fields(Vec<ColumnBlame>),
    /// A removed row: an event in (A, B] that removed it (the row was there just before and is
    /// gone at B). Found by bisection on whether the row exists, so if it came and went more
    /// than once between A and B, this is one of its removals, not necessarily the last.
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
    /// How many events one row's walk may examine before it settles for
    /// [`FieldBlame::AtOrBefore`].
    pub steps_per_row: u32,
    /// How many events the whole search may fold to rebuild rows as of earlier positions.
    pub replay: u64,
}

impl Default for BlameLimits {
    /// A page of 40 rows a model: about 20 ms natively on top of the plain diff, for the
    /// benchmark's two states 500,000 events apart in a million, every field blamed exactly.
    fn default() -> Self {
        BlameLimits {
            rows: 40,
            steps_per_row: 256,
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
        .map(|(old, new)| diff_model(old, new, pending))
        .unzip();
    let counts: Vec<(usize, usize)> = before
        .iter()
        .zip(after.iter())
        .map(|(old, new)| (old.row_count(), new.row_count()))
        .collect();
    let mut replayer = Replayer::new(history, store, limits.replay);
    let mut walks = Vec::new();
    let mut removals = Vec::new();
    for (model, ready) in pending.into_iter().enumerate() {
        for pending in ready {
            match pending {
                Pending::Walk { row, open, index } => {
                    let hint = Hint {
                        index,
                        count: counts[model].1,
                    };
                    if let Some(walk) = Walk::new(model, row, open, hint, a) {
                        walks.push(walk);
                    }
                }
                Pending::Removed { key, index } => removals.push((model, key, index)),
            }
        }
    }
    walk_back(&mut replayer, &mut walks, a, limits.steps_per_row);
    for walk in walks {
        let columns = diffs[walk.model].columns;
        let mut blamed = walk.blamed;
        blamed.sort_by_key(|(column, _)| *column);
        let fields = blamed
            .into_iter()
            .filter_map(|(column, blame)| {
                columns
                    .get(column)
                    .map(|column| ColumnBlame { column, blame })
            })
            .collect();
        diffs[walk.model]
            .field_blame
            .insert(walk.key, RowBlame::Fields(fields));
    }
    for (model, key, index) in removals {
        let hint = Hint {
            index,
            count: counts[model].0,
        };
        if let Some(position) = find_removal(&mut replayer, model, &key, hint, a, b) {
            diffs[model]
                .field_blame
                .insert(key, RowBlame::Removed(position));
        }
    }
    diffs
}

/// An event in (a, b] after which the row with `key` was gone (it was there just before), by
/// bisection on whether it exists; `None` if the replay budget runs out first.
fn find_removal<E: DomainEvent>(
    replayer: &mut Replayer<'_, E>,
    model: usize,
    key: &str,
    mut hint: Hint,
    a: Position,
    b: Position,
) -> Option<Position> {
    let mut record = HintRecord::default();
    let (mut there, mut gone) = (a.0, b.0);
    while gone - there > 1 {
        let middle = there + (gone - there) / 2;
        let visit = Visit {
            model,
            position: Position(middle),
            walk: 0,
            thorough: true,
        };
        let mut exists = false;
        let finished = replayer.sweep(model, &[visit], |state, _| {
            exists = matches!(
                look_up(state, key, &mut hint, &mut record, true),
                Lookup::Found(_)
            );
        });
        if !finished {
            return None;
        }
        if exists {
            there = middle;
        } else {
            gone = middle;
        }
    }
    Some(Position(gone))
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
    fn it_should_say_at_or_before_when_a_walk_runs_out_of_steps() {
        let receipts = [(1, 2), (1, 3), (1, 4), (1, 7), (1, 9)];
        let limits = BlameLimits {
            steps_per_row: 1,
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
    fn it_should_walk_a_long_run_of_events_across_checkpoints() {
        // 290 receipts, nearly all of SKU-01 (every 37th is SKU-02): 2 units each, then 4 from
        // #100 and 6 from #200, but 5 at #140 (odd, for one event).
        let receipts: Vec<(u16, u32)> = (1..=290u32)
            .map(|n| match n {
                _ if n % 37 == 0 => (2, n),
                140 => (1, 5),
                _ => (1, 2 + n / 100 * 2),
            })
            .collect();
        let limits = BlameLimits {
            steps_per_row: 1_000,
            ..BlameLimits::default()
        };
        let diffs = between(&receipts, 16, 0, 290, limits);
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
        assert_eq!(diffs[0].changes.len(), 3);
        let mut blamed: Vec<&String> = diffs[0].field_blame.keys().collect();
        blamed.sort();
        assert_eq!(blamed, ["SKU-01", "SKU-02"]);
    }

    #[test]
    fn it_should_give_no_field_blame_to_a_model_without_an_event_column() {
        let diffs = between(&[(1, 2), (1, 3)], 2, 1, 2, BlameLimits::default());
        assert_eq!(diffs[1].model, "Units");
        assert_eq!(diffs[1].changes.len(), 1);
        assert!(diffs[1].field_blame.is_empty());
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
