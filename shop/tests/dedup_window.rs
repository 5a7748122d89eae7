//! The dedup window: an idempotent consumer remembers an event id for a window of virtual time
//! after processing it, like a JetStream duplicate window. A copy inside the window is dropped;
//! one after it is processed again (and counted as such), and the ledger forgets ids older than
//! the window, so its memory stays bounded however long the run.

mod support;

use eventide_engine::delivery::{DeliverySettings, SubscriptionId};
use eventide_engine::rng::{IdSource, SeededRng};
use eventide_engine::{Metadata, Position, Recorded, SchemaVersion, StreamVersion, Timestamp};
use eventide_shop::ids::{CustomerId, OrderId, Sku};
use eventide_shop::outcome::BusinessOutcome;
use eventide_shop::services::runtime::Handling;
use eventide_shop::services::{all_services, ServiceName, ServiceRuntime};
use eventide_shop::simulation::{Simulation, SimulationConfig};
use eventide_shop::ShopRecorded;
use support::shop::order_placed;

/// 2026-11-26T09:00:00Z.
const START: Timestamp = Timestamp(1_795_683_600_000);
const WINDOW_MS: u64 = 10_000;

/// The notification service, which sends an email for every order placed it processes.
fn notification() -> ServiceRuntime {
    let service = all_services()
        .into_iter()
        .find(|s| s.name() == ServiceName::Notification)
        .expect("a notification service");
    ServiceRuntime::new(service, SubscriptionId(0))
}

/// The `n`th order placed, as the bus would deliver it.
fn placed(ids: &mut SeededRng, n: u32) -> ShopRecorded {
    let event = order_placed(OrderId(n), CustomerId(n), &[(Sku(1), 1)]);
    let id = ids.next_event_id();
    let flow = id.as_correlation();
    Recorded {
        id,
        position: Position(u64::from(n)),
        stream: event.stream_in(flow),
        version: StreamVersion(1),
        schema_version: SchemaVersion::V1,
        recorded_at: START,
        occurred_at: START,
        correlation_id: flow,
        causation_id: None,
        metadata: Metadata::default(),
        event,
    }
}

fn at(ms: u64) -> Timestamp {
    START.plus_millis(i64::try_from(ms).expect("a small offset"))
}

fn reacted(handling: &Handling) -> bool {
    matches!(handling, Handling::React(_))
}

fn emails(runtime: &ServiceRuntime) -> (i64, i64) {
    let count = |state: Vec<(&'static str, i64)>| {
        state
            .into_iter()
            .find(|(label, _)| *label == "emails sent")
            .map_or(0, |(_, n)| n)
    };
    (
        count(runtime.service.state()),
        count(runtime.exactly_once.consumer().state()),
    )
}

#[test]
fn it_should_drop_a_duplicate_that_arrives_inside_the_window() {
    let mut ids = SeededRng::new(1);
    let mut runtime = notification();
    let event = placed(&mut ids, 1);
    assert!(reacted(&runtime.handle(&event, 7, at(0), WINDOW_MS)));
    let again = runtime.handle(&event, 7, at(WINDOW_MS - 1), WINDOW_MS);
    assert!(!reacted(&again), "a copy 1 ms inside the window is dropped");
    assert_eq!(runtime.duplicates_ignored, 1);
    assert_eq!(runtime.duplicates_past_window, 0);
    assert_eq!(emails(&runtime), (1, 1));
}

#[test]
fn it_should_process_a_duplicate_again_once_the_window_has_passed() {
    let mut ids = SeededRng::new(1);
    let mut runtime = notification();
    let event = placed(&mut ids, 1);
    assert!(reacted(&runtime.handle(&event, 7, at(0), WINDOW_MS)));
    let late = runtime.handle(&event, 7, at(WINDOW_MS), WINDOW_MS);
    assert!(reacted(&late), "the window has forgotten the original");
    assert_eq!(runtime.duplicates_ignored, 0);
    assert_eq!(runtime.duplicates_past_window, 1);
    assert_eq!(runtime.duplicates_processed, 1);
    // A second email went out; exactly-once delivery would have sent one.
    assert_eq!(emails(&runtime), (2, 1));
    assert!(runtime.view().state != runtime.view().expected);
    // Processed again, it is remembered again: the next copy inside the new window is dropped.
    let third = runtime.handle(&event, 7, at(WINDOW_MS + 1), WINDOW_MS);
    assert!(!reacted(&third));
}

#[test]
fn it_should_count_no_duplicate_past_the_window_for_a_naive_consumer() {
    // Naive consumers process every copy anyway: a window makes no difference to them.
    let mut ids = SeededRng::new(1);
    let mut runtime = notification();
    runtime.idempotent = false;
    let event = placed(&mut ids, 1);
    runtime.handle(&event, 7, at(0), WINDOW_MS);
    runtime.handle(&event, 7, at(1), WINDOW_MS);
    runtime.handle(&event, 7, at(2 * WINDOW_MS), WINDOW_MS);
    assert_eq!(runtime.duplicates_processed, 2);
    assert_eq!(runtime.duplicates_past_window, 0);
    assert_eq!(emails(&runtime), (3, 1));
}

#[test]
fn it_should_forget_ids_older_than_the_window_so_its_memory_stays_bounded() {
    let mut ids = SeededRng::new(1);
    let mut runtime = notification();
    // A thousand events a second apart, with a ten-second window.
    for n in 1..=1_000u32 {
        let event = placed(&mut ids, n);
        runtime.handle(&event, 7, at(u64::from(n) * 1_000), WINDOW_MS);
        assert!(
            runtime.ledger().len() <= 10,
            "{} ids remembered after event {n}",
            runtime.ledger().len()
        );
    }
    assert_eq!(runtime.ledger().len(), 10);
    assert_eq!(runtime.view().remembered, 10);
    // With the default window nothing is forgotten in a run this short.
    let mut ids = SeededRng::new(1);
    let mut remembers = notification();
    for n in 1..=1_000u32 {
        let event = placed(&mut ids, n);
        remembers.handle(
            &event,
            7,
            at(u64::from(n) * 1_000),
            DeliverySettings::DEFAULT_DEDUP_WINDOW_MS,
        );
    }
    assert_eq!(remembers.ledger().len(), 1_000);
}

fn run(window_ms: u64) -> Simulation {
    let mut config = SimulationConfig::new(9, 40, START);
    config.delivery = DeliverySettings {
        duplicate_rate: 0.5,
        latency_ms: 500,
        dedup_window_ms: window_ms,
        ..DeliverySettings::default()
    };
    let mut simulation = Simulation::new(config).expect("the storefront opens");
    simulation.run(u64::MAX).expect("the run completes");
    simulation
}

fn past_window(simulation: &Simulation) -> u64 {
    simulation
        .services()
        .iter()
        .map(|r| r.duplicates_past_window)
        .sum()
}

#[test]
fn it_should_process_late_duplicates_again_in_a_run_with_a_short_window() {
    let reference = {
        let mut config = SimulationConfig::new(9, 40, START);
        config.delivery = DeliverySettings::exactly_once();
        let mut simulation = Simulation::new(config).expect("the storefront opens");
        simulation.run(u64::MAX).expect("the run completes");
        BusinessOutcome::of(simulation.shop().history().live())
    };
    // A duplicate comes up to 4 × latency (2 s) after the original: a 1 s window misses some.
    let short = run(1_000);
    assert!(past_window(&short) > 0);
    let diverged: Vec<ServiceName> = short
        .services()
        .iter()
        .filter(|r| r.duplicates_past_window > 0 && r.view().state != r.view().expected)
        .map(|r| r.service.name())
        .collect();
    assert!(!diverged.is_empty(), "a service shows the wrong value");
    assert_ne!(
        BusinessOutcome::of(short.shop().history().live()),
        reference
    );

    // The default window outlasts every duplicate: all of them are dropped.
    let default = run(DeliverySettings::DEFAULT_DEDUP_WINDOW_MS);
    assert_eq!(past_window(&default), 0);
    assert_eq!(
        BusinessOutcome::of(default.shop().history().live()),
        reference
    );
}

#[test]
fn it_should_load_delivery_settings_saved_before_the_window_existed() {
    let old = serde_json::json!({
        "latency_ms": 300, "jitter_ms": 200, "duplicate_rate": 0.5, "reorder_rate": 0.0,
        "per_aggregate_ordering": true, "failure_rate": 0.0, "max_attempts": 5, "backoff_ms": 200
    });
    let settings: DeliverySettings = serde_json::from_value(old).expect("an old file loads");
    assert_eq!(
        settings.dedup_window_ms,
        DeliverySettings::DEFAULT_DEDUP_WINDOW_MS
    );
    let too_long = DeliverySettings {
        dedup_window_ms: u64::MAX,
        ..settings
    };
    assert_eq!(
        too_long.clamped().dedup_window_ms,
        DeliverySettings::MAX_DEDUP_WINDOW_MS
    );
}
