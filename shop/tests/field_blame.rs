//! Field blame, checked against a plain fold of the log. For random shop logs (the direct
//! workload, and orchestrated runs so that sagas have rows too), random checkpoint intervals and
//! random A < B, every field a diff blames on event p is checked against the value the field had
//! after each event: p lies in (A, B]; an `Exact` p changed the field (its value at p differs
//! from its value at p - 1) and nothing after p up to B changed it again, so its value at p is
//! its value at B; an `AtOrBefore` p has the field's last change in (A, p]. With room enough,
//! every field of every blamed row is blamed, and exactly.

use std::collections::HashMap;

use eventide_engine::history::History;
use eventide_engine::projection::{Cell, Row};
use eventide_engine::store::EventStore;
use eventide_engine::temporal::{
    diff, diff_between, diff_by_rows, rows_changed_by, BlameLimits, FieldBlame, ModelDiff,
    RowBlame, RowChange,
};
use eventide_engine::{Position, Timestamp};
use eventide_shop::compare;
use eventide_shop::generator::{generate_events, GeneratorConfig};
use eventide_shop::read_models;
use eventide_shop::services::{Failure, Mode};
use eventide_shop::{Shop, ShopEvent};
use proptest::prelude::*;
use proptest::sample::Index;

/// 2026-11-26T09:00:00Z.
const START: Timestamp = Timestamp(1_795_683_600_000);

const CASES: u32 = 32;

/// A log: its store, and a history of every built-in model checkpointed every `interval`.
struct Log {
    store: EventStore<ShopEvent>,
    history: History<ShopEvent>,
}

impl Log {
    fn direct(seed: u64, events: u64, customers: u32, interval: u64) -> Log {
        let mut shop = Shop::new();
        let mut config = GeneratorConfig::new(seed, START);
        config.customers = customers;
        generate_events(&mut shop, config, events).expect("the workload runs");
        Log::of(shop.store().clone(), interval)
    }

    fn orchestrated(seed: u64, orders: u64, interval: u64) -> Log {
        let simulation = compare::run_mode(seed, orders, Mode::Orchestration, Failure::None, START)
            .expect("the run completes");
        Log::of(simulation.shop().store().clone(), interval)
    }

    fn of(store: EventStore<ShopEvent>, interval: u64) -> Log {
        let mut history = History::new(interval);
        for model in read_models::built_in() {
            history.register(model, &store);
        }
        Log { store, history }
    }
}

/// One row's history: the positions at which it changed and what it became (`None`: gone).
type RowHistory = Vec<(u64, Option<Row>)>;

/// Every row after every event up to B, from a plain fold, by model and key.
struct Timeline {
    models: Vec<HashMap<String, RowHistory>>,
}

impl Timeline {
    fn of(log: &Log, b: Position) -> Timeline {
        let mut state = log.history.live().emptied();
        let count = state.iter().count();
        let mut current: Vec<HashMap<String, Row>> = vec![HashMap::new(); count];
        let mut models: Vec<HashMap<String, RowHistory>> = vec![HashMap::new(); count];
        for event in log.store.between(Position::ORIGIN, b) {
            state.apply(event);
            let at = event.position.0;
            for (index, model) in state.iter().enumerate() {
                let rows: HashMap<String, Row> = model
                    .rows(0..model.row_count())
                    .into_iter()
                    .map(|row| (row.key.clone(), row))
                    .collect();
                let changes = &mut models[index];
                for (key, row) in &rows {
                    if current[index].get(key) != Some(row) {
                        let history = changes.entry(key.clone()).or_default();
                        history.push((at, Some(row.clone())));
                    }
                }
                for key in current[index].keys() {
                    if !rows.contains_key(key) {
                        changes.entry(key.clone()).or_default().push((at, None));
                    }
                }
                current[index] = rows;
            }
        }
        Timeline { models }
    }

    fn row(&self, model: usize, key: &str, position: u64) -> Option<&Row> {
        let changes = self.models[model].get(key)?;
        let after = changes.partition_point(|(at, _)| *at <= position);
        changes.get(after.checked_sub(1)?)?.1.as_ref()
    }

    /// The field as of `position`; `None` while the row does not exist.
    fn value(&self, model: usize, key: &str, column: usize, position: u64) -> Option<&Cell> {
        self.row(model, key, position)?.cells.get(column)
    }

    /// The positions in (from, to] at which the field's value changed.
    fn changes(&self, model: usize, key: &str, column: usize, from: u64, to: u64) -> Vec<u64> {
        self.models[model].get(key).map_or(Vec::new(), |changes| {
            changes
                .iter()
                .map(|(at, _)| *at)
                .filter(|&at| at > from && at <= to)
                .filter(|&at| {
                    self.value(model, key, column, at) != self.value(model, key, column, at - 1)
                })
                .collect()
        })
    }
}

fn column_index(diff: &ModelDiff, column: &str) -> usize {
    diff.columns
        .iter()
        .position(|c| *c == column)
        .expect("a blamed column is one of the model's")
}

/// Checks every blame of every model against the timeline; with `complete`, also that every
/// changed field of the first `rows` changes of every model is blamed exactly.
fn check(
    diffs: &[ModelDiff],
    timeline: &Timeline,
    (a, b): (u64, u64),
    rows: usize,
    complete: bool,
) -> Result<(), TestCaseError> {
    for (model, diff) in diffs.iter().enumerate() {
        for (key, blame) in &diff.field_blame {
            match blame {
                RowBlame::Removed(p) => {
                    let p = p.0;
                    prop_assert!(a < p && p <= b, "{key} removed at #{p}, outside ({a}, {b}]");
                    prop_assert!(timeline.row(model, key, p - 1).is_some());
                    prop_assert!(timeline.row(model, key, p).is_none());
                    prop_assert!(timeline.row(model, key, b).is_none());
                }
                RowBlame::Fields(fields) => {
                    for field in fields {
                        let column = column_index(diff, field.column);
                        let p = field.blame.position().0;
                        let place = format!("{} {key} {} blamed on #{p}", diff.model, field.column);
                        prop_assert!(a < p && p <= b, "{place}: outside ({a}, {b}]");
                        let last = timeline.changes(model, key, column, a, b).last().copied();
                        match field.blame {
                            FieldBlame::Exact(_) => {
                                prop_assert_ne!(
                                    timeline.value(model, key, column, p),
                                    timeline.value(model, key, column, p - 1),
                                    "{}: the event did not change it",
                                    place
                                );
                                prop_assert_eq!(
                                    timeline.value(model, key, column, p),
                                    timeline.value(model, key, column, b),
                                    "{}: its value at B is not the one it set",
                                    place
                                );
                                prop_assert_eq!(last, Some(p), "{}: not the last change", place);
                            }
                            FieldBlame::AtOrBefore(_) => {
                                prop_assert!(
                                    last.is_some_and(|last| last <= p),
                                    "{place}: its last change is #{last:?}"
                                );
                            }
                        }
                    }
                }
            }
        }
        if !complete {
            continue;
        }
        for change in diff.changes.iter().take(rows) {
            let (key, expected): (&str, Vec<&str>) = match change {
                RowChange::Added(row) => (
                    &row.key,
                    diff.columns
                        .iter()
                        .zip(&row.cells)
                        .filter(|(_, cell)| !matches!(cell, Cell::Event(_)))
                        .map(|(column, _)| *column)
                        .collect(),
                ),
                RowChange::Changed { key, fields } => {
                    (key, fields.iter().map(|field| field.column).collect())
                }
                RowChange::Removed(row) => {
                    prop_assert!(matches!(
                        diff.field_blame.get(&row.key),
                        Some(RowBlame::Removed(_))
                    ));
                    continue;
                }
            };
            let Some(RowBlame::Fields(fields)) = diff.field_blame.get(key) else {
                return Err(TestCaseError::fail(format!(
                    "{} {key}: no field blame",
                    diff.model
                )));
            };
            let blamed: Vec<&str> = fields.iter().map(|field| field.column).collect();
            prop_assert_eq!(&blamed, &expected, "{} {}", diff.model, key);
            prop_assert!(
                fields
                    .iter()
                    .all(|field| matches!(field.blame, FieldBlame::Exact(_))),
                "{} {key}: {fields:?}",
                diff.model
            );
        }
    }
    Ok(())
}

fn limits() -> impl Strategy<Value = (BlameLimits, bool)> {
    prop_oneof![
        // Room enough: every field of every row, exactly.
        Just((
            BlameLimits {
                rows: usize::MAX,
                replay: u64::MAX,
            },
            true
        )),
        // Tight: a page of a few rows, and a fold cut short of A.
        (1usize..20, 0u64..300).prop_map(|(rows, replay)| (BlameLimits { rows, replay }, false)),
    ]
}

fn run(
    log: &Log,
    a: Index,
    b: Index,
    (limits, complete): (BlameLimits, bool),
) -> Result<(), TestCaseError> {
    let head = log.store.len();
    let (a, b) = (a.index(head + 1) as u64, b.index(head + 1) as u64);
    let (a, b) = (a.min(b), a.max(b));
    let diffs = diff_between(&log.history, &log.store, Position(a), Position(b), limits);
    let (at_a, at_b) = (
        log.history.state_at(&log.store, Position(a)),
        log.history.state_at(&log.store, Position(b)),
    );
    let plain = diff(&at_a, &at_b);
    let by_rows = diff_by_rows(&at_a, &at_b);
    prop_assert_eq!(
        diff(&at_b, &at_a),
        diff_by_rows(&at_b, &at_a),
        "backwards too: rows only the later state has are removed"
    );
    for ((blamed, plain), by_rows) in diffs.iter().zip(&plain).zip(&by_rows) {
        prop_assert_eq!(
            plain,
            by_rows,
            "a model's own differences are the row-by-row diff's"
        );
        let page = plain.changes.len().min(limits.rows);
        prop_assert_eq!(
            &blamed.changes[..],
            &plain.changes[..page],
            "a page of the plain diff's changes"
        );
        prop_assert_eq!(blamed.counts(), plain.counts(), "counted in full");
        prop_assert!(blamed.field_blame.len() <= limits.rows.min(blamed.changes.len()));
    }
    let timeline = Timeline::of(log, Position(b));
    check(&diffs, &timeline, (a, b), limits.rows, complete)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn every_blamed_field_was_last_changed_by_its_event_in_a_direct_log(
        seed in any::<u64>(),
        events in 1u64..300,
        customers in 1u32..12,
        interval in 1u64..40,
        a in any::<Index>(),
        b in any::<Index>(),
        limits in limits(),
    ) {
        run(&Log::direct(seed, events, customers, interval), a, b, limits)?;
    }

    #[test]
    fn every_blamed_field_was_last_changed_by_its_event_in_an_orchestrated_log(
        seed in any::<u64>(),
        orders in 1u64..8,
        interval in 1u64..40,
        a in any::<Index>(),
        b in any::<Index>(),
        limits in limits(),
    ) {
        run(&Log::orchestrated(seed, orders, interval), a, b, limits)?;
    }

    /// "Which rows did this event change" comes from the models' change sets: for every
    /// event, exactly the rows whose value it changed (created or altered), by a plain fold.
    #[test]
    fn the_rows_an_event_changed_are_the_rows_its_fold_changed(
        seed in any::<u64>(),
        orders in 1u64..5,
    ) {
        let log = Log::orchestrated(seed, orders, 8);
        let head = log.store.head();
        let timeline = Timeline::of(&log, head);
        let names: Vec<&str> = log.history.live().iter().map(|model| model.name()).collect();
        for p in 1..=head.0 {
            let mut found: Vec<(&str, String)> =
                rows_changed_by(&log.history, &log.store, Position(p))
                    .into_iter()
                    .map(|row| (row.model, row.key))
                    .collect();
            let mut expected: Vec<(&str, String)> = Vec::new();
            for (index, changes) in timeline.models.iter().enumerate() {
                for (key, history) in changes {
                    if history.iter().any(|(at, row)| *at == p && row.is_some()) {
                        expected.push((names[index], key.clone()));
                    }
                }
            }
            found.sort();
            expected.sort();
            prop_assert_eq!(found, expected, "event #{}", p);
        }
    }

    /// The models that find a row by key without building every row (orders, revenue,
    /// activity, sagas) answer as a scan of their rows would, at any point of the log.
    #[test]
    fn a_row_found_by_key_is_the_row_a_scan_finds(
        seed in any::<u64>(),
        orders in 1u64..6,
        at in any::<Index>(),
    ) {
        let log = Log::orchestrated(seed, orders, 16);
        let at = Position(at.index(log.store.len() + 1) as u64);
        let state = log.history.state_at(&log.store, at);
        for model in state.iter() {
            let rows = model.rows(0..model.row_count());
            for row in &rows {
                let found = model.row(&row.key);
                prop_assert_eq!(found.as_ref(), Some(row), "{}", model.name());
            }
            prop_assert_eq!(model.row("no such key"), None);
        }
    }
}
