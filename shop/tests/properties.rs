//! The store's invariants and time travel's promises, checked on generated workloads.
//!
//! The store properties run random sequences of appends on the counter domain
//! (`support::counter`): random streams, expected versions right and wrong, ids fresh, stored,
//! refused before or repeated within a batch, and times that now and then run backwards. A small
//! model predicts each outcome. The history properties run the shop's workload generator with
//! random seeds, sizes and checkpoint intervals, and compare every view with a plain fold of the
//! log.

mod support;

use std::collections::{HashMap, HashSet};

use eventide_engine::projection::ReadModelSet;
use eventide_engine::store::{AppendError, Appended, Direction, ExpectedVersion, VersionConflict};
use eventide_engine::{NewEvent, Position, StreamVersion, Timestamp};
use eventide_shop::aggregates::Aggregates;
use eventide_shop::generator::{generate_events, generate_orders, GeneratorConfig};
use eventide_shop::{Shop, ShopEvent};
use proptest::prelude::*;
use proptest::sample::Index;
use support::counter::*;

const CASES: u32 = 64;

// The store, on generated appends.

#[derive(Clone, Debug)]
enum Expect {
    Any,
    NoStream,
    /// Exactly the stream's version: right.
    Current,
    /// One behind (right only for a stream that does not exist yet).
    Stale,
    /// Ahead of the stream: always wrong.
    Ahead(u32),
}

#[derive(Clone, Debug)]
enum IdChoice {
    Fresh,
    /// An id proposed before: stored, or refused with its batch.
    Earlier(Index),
    /// The id before it in the same batch.
    Repeat,
}

#[derive(Clone, Debug)]
struct Op {
    stream: Meter,
    expect: Expect,
    /// Each event: where its id comes from, and whether it is a reset or an increment by `n`.
    events: Vec<(IdChoice, Option<u32>)>,
    /// Milliseconds after the last recorded time; negative now and then.
    wait_ms: i64,
}

fn meter() -> impl Strategy<Value = Meter> {
    prop_oneof![
        (0u8..3).prop_map(Meter::Counter),
        (0u8..2).prop_map(Meter::Gauge)
    ]
}

fn expect() -> impl Strategy<Value = Expect> {
    prop_oneof![
        2 => Just(Expect::Any),
        1 => Just(Expect::NoStream),
        4 => Just(Expect::Current),
        1 => Just(Expect::Stale),
        1 => (1u32..3).prop_map(Expect::Ahead),
    ]
}

fn id_choice() -> impl Strategy<Value = IdChoice> {
    prop_oneof![
        5 => Just(IdChoice::Fresh),
        2 => any::<Index>().prop_map(IdChoice::Earlier),
        1 => Just(IdChoice::Repeat),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    (
        meter(),
        expect(),
        prop::collection::vec((id_choice(), prop::option::of(1u32..10)), 1..=4),
        prop_oneof![9 => 0i64..3, 1 => -3i64..0],
    )
        .prop_map(|(stream, expect, events, wait_ms)| Op {
            stream,
            expect,
            events,
            wait_ms,
        })
}

/// What the store should hold, kept without looking at the store.
#[derive(Default)]
struct Model {
    versions: HashMap<Meter, u32>,
    stored: HashSet<u128>,
    proposed: Vec<u128>,
    next_id: u128,
    last_time: i64,
}

impl Model {
    /// Turns a generated operation into a concrete append.
    fn resolve(&mut self, op: &Op) -> (ExpectedVersion, Vec<NewEvent<Tally>>, Timestamp) {
        let actual = self.versions.get(&op.stream).copied().unwrap_or(0);
        let expected = match op.expect {
            Expect::Any => ExpectedVersion::Any,
            Expect::NoStream => ExpectedVersion::NoStream,
            Expect::Current => ExpectedVersion::Exact(StreamVersion(actual)),
            Expect::Stale => ExpectedVersion::Exact(StreamVersion(actual.saturating_sub(1))),
            Expect::Ahead(by) => ExpectedVersion::Exact(StreamVersion(actual + by)),
        };
        let mut ids: Vec<u128> = Vec::new();
        for (choice, _) in &op.events {
            let id = match (choice, ids.last(), self.proposed.is_empty()) {
                (IdChoice::Repeat, Some(&previous), _) => previous,
                (IdChoice::Earlier(index), _, false) => {
                    self.proposed[index.index(self.proposed.len())]
                }
                _ => {
                    self.next_id += 1;
                    self.next_id
                }
            };
            ids.push(id);
        }
        self.proposed.extend(&ids);
        let events = ids
            .iter()
            .zip(&op.events)
            .map(|(&n, (_, by))| match by {
                Some(by) => incremented(n, *by),
                None => reset(n),
            })
            .collect();
        (expected, events, at(self.last_time + op.wait_ms))
    }

    /// The outcome the store must report, and the ids it must append.
    fn predict(
        &self,
        stream: Meter,
        expected: ExpectedVersion,
        events: &[NewEvent<Tally>],
        time: Timestamp,
        head: Position,
    ) -> (Result<Appended, AppendError<Meter>>, Vec<u128>) {
        let mut fresh: Vec<u128> = Vec::new();
        for event in events {
            let n = event.id.0.as_u128();
            if !self.stored.contains(&n) && !fresh.contains(&n) {
                fresh.push(n);
            }
        }
        let actual = StreamVersion(self.versions.get(&stream).copied().unwrap_or(0));
        let duplicates = events.len() - fresh.len();
        let outcome = if fresh.is_empty() {
            Ok(Appended {
                range: None,
                duplicates,
                stream_version: actual,
            })
        } else if !expected.admits(actual) {
            Err(AppendError::Conflict(VersionConflict {
                stream,
                expected,
                actual,
            }))
        } else if head > Position::ORIGIN && time.millis() < self.last_time {
            Err(AppendError::TimeWentBackwards {
                head: at(self.last_time),
                given: time,
            })
        } else {
            let first = head.next();
            let last = Position(head.0 + fresh.len() as u64);
            Ok(Appended {
                range: Some((first, last)),
                duplicates,
                stream_version: StreamVersion(actual.0 + fresh.len() as u32),
            })
        };
        (outcome, fresh)
    }

    fn commit(&mut self, stream: Meter, fresh: &[u128], time: Timestamp) {
        if fresh.is_empty() {
            // A batch of retries records nothing, so it does not move time on either.
            return;
        }
        *self.versions.entry(stream).or_default() += fresh.len() as u32;
        self.stored.extend(fresh);
        self.last_time = time.millis();
    }
}

/// What every store must satisfy at every moment.
fn check_invariants(store: &TallyStore, model: &Model) -> Result<(), TestCaseError> {
    let mut seen_versions: HashMap<Meter, u32> = HashMap::new();
    let mut ids = HashSet::new();
    for (index, event) in store.events().iter().enumerate() {
        prop_assert_eq!(
            event.position,
            Position::from_index(index),
            "positions are contiguous from 1"
        );
        let version = seen_versions.entry(event.stream).or_default();
        *version += 1;
        prop_assert_eq!(
            event.version,
            StreamVersion(*version),
            "stream versions are contiguous from 1"
        );
        prop_assert!(ids.insert(event.id), "no event id is stored twice");
        prop_assert_eq!(store.get_by_id(event.id), Some(event));
    }
    for (&stream, &version) in &seen_versions {
        prop_assert_eq!(store.stream_version(stream), StreamVersion(version));
        let forwards: Vec<u32> = store
            .read_stream(stream, StreamVersion::NONE, Direction::Forwards)
            .map(|event| event.version.0)
            .collect();
        prop_assert_eq!(forwards, (1..=version).collect::<Vec<_>>());
    }
    prop_assert_eq!(store.stream_count(), seen_versions.len());
    let expected_versions: HashMap<Meter, u32> = model
        .versions
        .iter()
        .filter(|(_, &v)| v > 0)
        .map(|(&s, &v)| (s, v))
        .collect();
    prop_assert_eq!(
        seen_versions,
        expected_versions,
        "the store holds what the model predicts"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// Positions and stream versions stay contiguous, the log only ever grows at its end, and a
    /// refused batch (a conflict, or time running backwards) changes nothing at all.
    #[test]
    fn the_log_is_append_only_contiguous_and_all_or_nothing(ops in prop::collection::vec(op(), 1..40)) {
        let mut store = TallyStore::new();
        let mut model = Model::default();
        for op in &ops {
            let (expected, events, time) = model.resolve(op);
            let (predicted, fresh) = model.predict(op.stream, expected, &events, time, store.head());
            let before = store.clone();

            let outcome = store.append(op.stream, expected, events, time);

            prop_assert_eq!(&outcome, &predicted);
            prop_assert_eq!(
                store.events().slice(0..before.len()),
                before.events(),
                "the events before an append are unchanged after it"
            );
            match outcome {
                Ok(_) => {
                    let appended: Vec<u128> =
                        store.events().starting_at(before.len()).iter().map(|e| e.id.0.as_u128()).collect();
                    prop_assert_eq!(&appended, &fresh, "exactly the fresh events are appended, in order");
                    prop_assert!(store.events().starting_at(before.len())
                        .iter()
                        .all(|e| e.stream == op.stream && e.recorded_at == time));
                    model.commit(op.stream, &fresh, time);
                }
                Err(_) => {
                    prop_assert_eq!(store.events(), before.events(), "a refused batch appends nothing");
                    for &n in &fresh {
                        prop_assert!(!store.contains(id(n)), "no id of a refused batch is stored");
                    }
                }
            }
            check_invariants(&store, &model)?;
        }
    }
}

// Time travel, on generated shop workloads.

/// 2025-11-26T09:54:00Z.
const START: Timestamp = Timestamp(1_764_150_840_000);

#[derive(Clone, Debug)]
struct Workload {
    seed: u64,
    /// Events to generate, or, when `by_orders`, a tenth of that many orders.
    size: u64,
    by_orders: bool,
    customers: u32,
    interval: u64,
}

fn workload() -> impl Strategy<Value = Workload> {
    (
        any::<u64>(),
        0u64..250,
        prop::bool::weighted(0.25),
        1u32..30,
        1u64..64,
    )
        .prop_map(|(seed, size, by_orders, customers, interval)| Workload {
            seed,
            size,
            by_orders,
            customers,
            interval,
        })
}

impl Workload {
    fn config(&self, seed: u64) -> GeneratorConfig {
        let mut config = GeneratorConfig::new(seed, START);
        config.customers = self.customers;
        config
    }

    fn run(&self) -> Shop {
        let mut shop = Shop::with_checkpoint_interval(self.interval);
        self.extend(&mut shop, self.seed);
        shop
    }

    /// Generates more activity into an existing shop.
    fn extend(&self, shop: &mut Shop, seed: u64) {
        let outcome = if self.by_orders {
            generate_orders(shop, self.config(seed), self.size / 10)
        } else {
            generate_events(shop, self.config(seed), self.size)
        };
        if let Err(error) = outcome {
            panic!("the generator hit an unexpected rejection: {error}");
        }
    }
}

/// The read models as of `upto`, folded from nothing: what every view is compared with.
fn fold(shop: &Shop, upto: usize) -> ReadModelSet<ShopEvent> {
    let mut models = shop.history().live().emptied();
    models.apply_all(shop.store().events().slice(0..upto));
    models
}

/// `prefixes[p]` is the fold of the first `p` events, for every `p` up to the head.
fn prefixes(shop: &Shop) -> Vec<ReadModelSet<ShopEvent>> {
    let mut models = shop.history().live().emptied();
    let mut all = vec![models.clone()];
    for event in shop.store().events() {
        models.apply(event);
        all.push(models.clone());
    }
    all
}

/// Seeks and checks the cursor and every read model against the fold of the same prefix.
fn seek_and_check(
    shop: &mut Shop,
    target: u64,
    expected: &ReadModelSet<ShopEvent>,
) -> Result<(), TestCaseError> {
    let head = shop.store().head();
    let landed = shop.seek(Position(target));
    let clamped = Position(target.min(head.0));
    prop_assert_eq!(landed, clamped);
    prop_assert_eq!(shop.cursor(), clamped);
    prop_assert_eq!(
        shop.is_live(),
        clamped == head,
        "the cursor is live exactly at the head"
    );
    prop_assert!(
        shop.history().at_cursor().same_state(expected),
        "the view at {} differs from the fold of the log up to it",
        clamped
    );
    prop_assert!(
        shop.history().live().position() == head,
        "seeking never moves the live models"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// Rebuilding every read model from the log gives the live ones; the same holds for the
    /// aggregates, which are also a fold of the log.
    #[test]
    fn a_rebuild_equals_the_live_read_models(workload in workload()) {
        let shop = workload.run();
        let history = shop.history();
        prop_assert_eq!(history.live().position(), shop.store().head());
        prop_assert!(history.rebuild(shop.store()).same_state(history.live()));
        let mut aggregates = Aggregates::default();
        for event in shop.store().events() {
            aggregates.evolve(&event.event);
        }
        prop_assert_eq!(&aggregates, shop.aggregates());
        prop_assert_eq!(
            history.checkpoint_count() as u64,
            1 + shop.store().head().0 / history.interval()
        );
    }

    /// Folding the log up to any point and then the rest equals folding it in one go, and the
    /// history's own answer for that point (`state_at`) equals the fold of the prefix.
    #[test]
    fn a_replay_to_any_point_then_onwards_equals_a_full_replay(
        workload in workload(),
        split in any::<Index>(),
    ) {
        let shop = workload.run();
        let events = shop.store().events();
        let split = split.index(events.len() + 1);
        let mut models = shop.history().live().emptied();
        models.apply_all(events.slice(0..split));
        let prefix = models.clone();
        models.apply_all(events.starting_at(split));
        prop_assert!(models.same_state(&shop.history().rebuild(shop.store())));
        prop_assert!(models.same_state(shop.history().live()));
        let state = shop.history().state_at(shop.store(), Position(split as u64));
        prop_assert!(state.same_state(&prefix));
    }

    /// Generating more into a shop, as the browser does chunk by chunk, keeps live equal to a
    /// rebuild; and a cursor in the past stays where it was while the log grows.
    #[test]
    fn the_cursor_stays_put_while_the_log_grows(
        workload in workload(),
        target in any::<Index>(),
        more_seed in any::<u64>(),
    ) {
        let mut shop = workload.run();
        let head = shop.store().len();
        let target = target.index(head + 1);
        let expected = fold(&shop, target);
        seek_and_check(&mut shop, target as u64, &expected)?;
        workload.extend(&mut shop, more_seed);
        if target == head {
            // Seeking to the head went live: the cursor follows the log as it grows.
            prop_assert!(shop.is_live());
            prop_assert_eq!(shop.cursor(), shop.store().head());
        } else {
            prop_assert!(!shop.is_live());
            prop_assert_eq!(shop.cursor(), Position(target as u64));
            prop_assert!(shop.history().at_cursor().same_state(&expected));
        }
        prop_assert!(shop.history().rebuild(shop.store()).same_state(shop.history().live()));
        // Once live, the cursor follows the head again.
        shop.go_live();
        prop_assert_eq!(shop.cursor(), shop.store().head());
    }

    /// Seeking anywhere, in any order (past the head too), shows the fold of the log up to there.
    #[test]
    fn a_seek_in_any_order_shows_the_fold_of_the_prefix(
        workload in workload(),
        targets in prop::collection::vec(0.0f64..1.2, 1..24),
    ) {
        let mut shop = workload.run();
        let head = shop.store().len();
        for fraction in targets {
            let target = (fraction * head as f64).round() as u64;
            let expected = fold(&shop, (target as usize).min(head));
            seek_and_check(&mut shop, target, &expected)?;
        }
    }

    /// Stepping forwards one event at a time from anywhere, then backwards one at a time to the
    /// origin, shows the fold of the prefix at every step.
    #[test]
    fn stepping_one_event_at_a_time_shows_the_fold_of_the_prefix(
        workload in workload(),
        start in any::<Index>(),
    ) {
        let mut shop = workload.run();
        let expected = prefixes(&shop);
        let head = shop.store().len();
        let start = start.index(head + 1);
        for (target, models) in expected.iter().enumerate().skip(start) {
            seek_and_check(&mut shop, target as u64, models)?;
        }
        for (target, models) in expected.iter().enumerate().rev() {
            seek_and_check(&mut shop, target as u64, models)?;
        }
    }

    /// Seeking to a moment shows the world as it was known then: every event recorded at or
    /// before it, and none after.
    #[test]
    fn a_seek_by_time_shows_every_event_recorded_up_to_that_moment(
        workload in workload(),
        moments in prop::collection::vec(-0.1f64..1.1, 1..16),
    ) {
        let mut shop = workload.run();
        let expected = prefixes(&shop);
        let (first, last) = match (shop.store().events().first(), shop.store().events().last()) {
            (Some(first), Some(last)) => (first.recorded_at.millis(), last.recorded_at.millis()),
            _ => (START.millis(), START.millis()),
        };
        for fraction in moments {
            let moment = Timestamp(first + (fraction * (last - first + 1) as f64).round() as i64);
            let known = shop
                .store()
                .events()
                .iter()
                .filter(|event| event.recorded_at <= moment)
                .count();
            let landed = shop.seek_time(moment);
            prop_assert_eq!(landed, Position(known as u64));
            prop_assert!(shop.history().at_cursor().same_state(&expected[known]));
        }
        // Exactly at an event's time, every event recorded in that same millisecond is shown.
        if let Some(event) = shop.store().events().first() {
            let moment = event.recorded_at;
            let landed = shop.seek_time(moment);
            let last_at_moment = shop
                .store()
                .events()
                .iter()
                .rposition(|event| event.recorded_at == moment)
                .map_or(0, |index| index + 1);
            prop_assert_eq!(landed, Position(last_at_moment as u64));
        }
    }
}
