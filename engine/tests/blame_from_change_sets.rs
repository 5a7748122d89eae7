//! Field blame from change sets, against its definition. For random logs of the counter domain
//! (`support::counter`), random checkpoint intervals, random A <= B and random limits, a diff's
//! blame is exactly what a brute-force fold says: each changed field is blamed on the last event
//! in (A, B] after which its value (absent while the row is gone) differed from its value just
//! before, each removed row on the last event after which it was gone; where the fold may cover
//! only the last `replay` events, a field none of them changed is blamed at or before the first
//! of them. One model removes rows, one has no `Event` column.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use eventide_engine::history::History;
use eventide_engine::projection::{Cell, ChangeSet, Projection, ReadModelSet, Row};
use eventide_engine::temporal::{
    diff_between, BlameLimits, ColumnBlame, FieldBlame, ModelDiff, RowBlame, RowChange,
};
use eventide_engine::{Named, PayloadReads, Position, Recorded};
use proptest::prelude::*;
use proptest::sample::Index;
use support::counter::*;

/// Each meter's total since its last reset, and its parity; a reset removes the meter.
#[derive(Clone, Debug, Default, PartialEq)]
struct Totals(BTreeMap<Meter, (u64, Position)>);

impl Projection<Tally> for Totals {
    const NAME: &'static str = "Totals";
    const QUESTION: &'static str = "What does each meter read since its reset?";
    const COLUMNS: &'static [&'static str] = &["Meter", "Total", "Parity", "Last event"];
    const CONSUMES: &'static [TallyKind] = TallyKind::ALL;
    const READS: PayloadReads<TallyKind> = &[(TallyKind::Incremented, &["by"])];
    type Key = Meter;

    fn apply(&mut self, event: &Recorded<Tally>, changes: &mut impl ChangeSet<Meter>) {
        changes.touched(event.stream);
        match event.event {
            Tally::Incremented { by } => {
                let entry = self.0.entry(event.stream).or_default();
                entry.0 += u64::from(by);
                entry.1 = event.position;
            }
            Tally::Reset {} => {
                self.0.remove(&event.stream);
            }
        }
    }

    fn row_count(&self) -> usize {
        self.0.len()
    }

    fn rows(&self, range: Range<usize>) -> Vec<Row> {
        let row = |(meter, (total, at)): (&Meter, &(u64, Position))| Row {
            key: meter.to_string(),
            cells: vec![
                Cell::Text(meter.to_string()),
                Cell::Count(*total as i64),
                Cell::Text(if total % 2 == 0 { "even" } else { "odd" }.into()),
                Cell::Event(*at),
            ],
        };
        self.0
            .iter()
            .skip(range.start)
            .take(range.len())
            .map(row)
            .collect()
    }

    fn unshared_bytes(&self, _earlier: &Self) -> usize {
        0
    }
}

/// How often each meter was incremented by something: no `Event` column.
#[derive(Clone, Debug, Default, PartialEq)]
struct Bumps(BTreeMap<Meter, u64>);

impl Projection<Tally> for Bumps {
    const NAME: &'static str = "Bumps";
    const QUESTION: &'static str = "How often was each meter moved?";
    const COLUMNS: &'static [&'static str] = &["Meter", "Bumps"];
    const CONSUMES: &'static [TallyKind] = &[TallyKind::Incremented];
    const READS: PayloadReads<TallyKind> = &[(TallyKind::Incremented, &["by"])];
    type Key = Meter;

    fn apply(&mut self, event: &Recorded<Tally>, changes: &mut impl ChangeSet<Meter>) {
        if let Tally::Incremented { by } = event.event {
            // An increment by nothing is reported too: it touched the row, changing nothing.
            changes.touched(event.stream);
            *self.0.entry(event.stream).or_default() += u64::from(by > 0);
        }
    }

    fn row_count(&self) -> usize {
        self.0.len()
    }

    fn rows(&self, range: Range<usize>) -> Vec<Row> {
        self.0
            .iter()
            .skip(range.start)
            .take(range.len())
            .map(|(meter, bumps)| Row {
                key: meter.to_string(),
                cells: vec![Cell::Text(meter.to_string()), Cell::Count(*bumps as i64)],
            })
            .collect()
    }

    fn unshared_bytes(&self, _earlier: &Self) -> usize {
        0
    }
}

/// A random log: `(meter, Some(by))` increments, `(meter, None)` resets.
fn log(steps: &[(u8, Option<u32>)], interval: u64) -> (TallyStore, History<Tally>) {
    let store = store_with(steps.iter().zip(1..).map(|(&(meter, step), n)| {
        let meter = if meter % 2 == 0 {
            Meter::Counter(meter / 2)
        } else {
            Meter::Gauge(meter / 2)
        };
        let event = match step {
            Some(by) => incremented(n, by),
            None => reset(n),
        };
        (meter, event)
    }));
    let mut history = History::new(interval);
    history.register(Box::new(Totals::default()), &store);
    history.register(Box::new(Bumps::default()), &store);
    (store, history)
}

/// Every model's rows after each event, by key: `states[p]` is the state after event p.
fn brute_force(store: &TallyStore, history: &History<Tally>) -> Vec<Vec<HashMap<String, Row>>> {
    let mut state: ReadModelSet<Tally> = history.live().emptied();
    let snapshot = |state: &ReadModelSet<Tally>| -> Vec<HashMap<String, Row>> {
        state
            .iter()
            .map(|model| {
                model
                    .rows(0..model.row_count())
                    .into_iter()
                    .map(|row| (row.key.clone(), row))
                    .collect()
            })
            .collect()
    };
    let mut states = vec![snapshot(&state)];
    for event in store.events() {
        state.apply(event);
        states.push(snapshot(&state));
    }
    states
}

/// The blame the definition gives one diff, for the first `rows` of its changes.
fn expected(
    diff: &ModelDiff,
    model: usize,
    states: &[Vec<HashMap<String, Row>>],
    (a, b, start): (u64, u64, u64),
    rows: usize,
) -> HashMap<String, RowBlame> {
    let cell = |p: u64, key: &str, column: usize| {
        states[p as usize][model]
            .get(key)
            .and_then(|row| row.cells.get(column).cloned())
    };
    let exists = |p: u64, key: &str| states[p as usize][model].contains_key(key);
    let mut blame = HashMap::new();
    for change in diff.changes.iter().take(rows) {
        match change {
            RowChange::Removed(row) => {
                let removal = (a + 1..=b)
                    .rev()
                    .find(|&p| exists(p - 1, &row.key) && !exists(p, &row.key));
                if let Some(p) = removal.filter(|&p| p > start) {
                    blame.insert(row.key.clone(), RowBlame::Removed(Position(p)));
                }
            }
            RowChange::Added(Row { key, .. }) | RowChange::Changed { key, .. } => {
                let after = &states[b as usize][model][key];
                let fields = diff
                    .columns
                    .iter()
                    .enumerate()
                    .filter(|(column, _)| !matches!(after.cells[*column], Cell::Event(_)))
                    .filter(|(column, _)| cell(a, key, *column) != cell(b, key, *column))
                    .map(|(column, name)| {
                        let last = (a + 1..=b)
                            .rev()
                            .find(|&p| cell(p, key, column) != cell(p - 1, key, column))
                            .expect("a field that differs changed somewhere in (A, B]");
                        let blame = if last > start {
                            FieldBlame::Exact(Position(last))
                        } else {
                            FieldBlame::AtOrBefore(Position(start))
                        };
                        ColumnBlame {
                            column: name,
                            blame,
                        }
                    })
                    .collect();
                blame.insert(key.clone(), RowBlame::Fields(fields));
            }
        }
    }
    blame
}

fn step() -> impl Strategy<Value = (u8, Option<u32>)> {
    (
        0u8..6,
        prop_oneof![4 => (0u32..4).prop_map(Some), 1 => Just(None)],
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn blame_from_change_sets_is_the_last_event_whose_fold_changed_each_cell(
        steps in prop::collection::vec(step(), 1..80),
        interval in 1u64..20,
        a in any::<Index>(),
        b in any::<Index>(),
        rows in prop_oneof![Just(usize::MAX), 1usize..6],
        replay in prop_oneof![Just(u64::MAX), 0u64..40],
    ) {
        let (store, history) = log(&steps, interval);
        let head = store.len();
        let (a, b) = (a.index(head + 1) as u64, b.index(head + 1) as u64);
        let (a, b) = (a.min(b), a.max(b));
        let limits = BlameLimits { rows, replay };
        let diffs = diff_between(&history, &store, Position(a), Position(b), limits);
        let states = brute_force(&store, &history);
        let start = b.saturating_sub(replay).max(a);
        for (model, diff) in diffs.iter().enumerate() {
            let blame: HashMap<String, RowBlame> = diff.field_blame.clone().into_iter().collect();
            let want = if a < b {
                expected(diff, model, &states, (a, b, start), rows)
            } else {
                HashMap::new()
            };
            prop_assert_eq!(blame, want, "{} in ({}, {}]", diff.model, a, b);
        }
    }
}
