//! One business outcome, whoever coordinates and however the bus delivers: for any seed and any
//! duplicate, reordering, latency and failure settings (with retries enough that nothing is
//! parked), exactly-once choreography, exactly-once orchestration, faulty orchestration and
//! faulty choreography with idempotent consumers end with the same orders (lines, status,
//! total), the same stock per SKU and the same revenue per customer.
//!
//! Two things the property holds fixed, and why:
//!
//! - **Per-aggregate ordering stays on.** Without it choreography legitimately cannot keep the
//!   outcome: the inventory service may hear an order's cancellation (after a failed payment)
//!   before its placement, release nothing, then reserve stock that is never released. Brokers
//!   give this guarantee per partition; the property assumes it as real systems do.
//! - **Retries come at once (no backoff).** Orchestration has a deadline: the saga gives up on a
//!   step after `STEP_TIMEOUT_MS` and compensates. Exponential backoff after a long run of
//!   failures (or a lane held up behind a failing head) can outlast it, and then the saga cancels
//!   an order that exactly-once delivery ships. That is the saga doing its job, not delivery
//!   corrupting the outcome, so the property keeps every step well inside the deadline: at most
//!   15 × latency + jitter + 100 ms per hop (a detour, a duplicate's extra delay), two hops a
//!   step, under a minute. `it_should_compensate_when_retries_outlast_the_saga_deadline` shows
//!   the other side.
//!
//! Cases are few and small (a debug build runs each model four times per case).

use eventide_engine::delivery::DeliverySettings;
use eventide_engine::Timestamp;
use eventide_shop::compare::{compare_under, verdict, Conditions};
use eventide_shop::events::ShopEventKind;
use eventide_shop::outcome::BusinessOutcome;
use eventide_shop::services::saga::STEP_TIMEOUT_MS;
use eventide_shop::services::{Failure, Mode};
use eventide_shop::simulation::{Simulation, SimulationConfig};
use proptest::prelude::*;

/// 2026-11-26T09:00:00Z.
const START: Timestamp = Timestamp(1_795_683_600_000);

fn run(seed: u64, orders: u64, mode: Mode, delivery: DeliverySettings) -> Simulation {
    let mut config = SimulationConfig::new(seed, orders, START);
    config.mode = mode;
    config.delivery = delivery;
    let mut simulation = Simulation::new(config).expect("the storefront opens");
    simulation.run(u64::MAX).expect("the run completes");
    assert!(simulation.is_quiescent(), "the run ends quiet");
    simulation
}

fn outcome(simulation: &Simulation) -> BusinessOutcome {
    BusinessOutcome::of(simulation.shop().history().live())
}

/// Nothing waits in a dead-letter queue and no saga gave up: the preconditions of the property.
fn assert_nothing_lost(simulation: &Simulation) -> Result<(), TestCaseError> {
    for runtime in simulation.services() {
        let stats = simulation.bus().stats(runtime.subscription);
        prop_assert_eq!(
            stats.parked,
            0,
            "{:?} parked a delivery",
            runtime.service.name()
        );
        prop_assert_eq!(stats.open, 0);
    }
    prop_assert_eq!(
        simulation
            .shop()
            .store()
            .count_by_kind(ShopEventKind::SagaStepTimedOut),
        0
    );
    Ok(())
}

#[derive(Clone, Copy, Debug)]
struct Faults {
    duplicates: f64,
    reorder: f64,
    failures: f64,
    latency_ms: u32,
    jitter_ms: u32,
}

impl Faults {
    fn settings(self) -> DeliverySettings {
        DeliverySettings {
            latency_ms: self.latency_ms,
            jitter_ms: self.jitter_ms,
            duplicate_rate: self.duplicates,
            reorder_rate: self.reorder,
            failure_rate: self.failures,
            per_aggregate_ordering: true,
            // 0.6^200 is about 1e-44: nothing is parked.
            max_attempts: 200,
            backoff_ms: 0,
            ..DeliverySettings::default()
        }
    }
}

fn faults() -> impl Strategy<Value = Faults> {
    (
        0.0..0.6f64,
        0.0..=1.0f64,
        0.0..0.6f64,
        0u32..=1_000,
        0u32..=500,
    )
        .prop_map(
            |(duplicates, reorder, failures, latency_ms, jitter_ms)| Faults {
                duplicates,
                reorder,
                failures,
                latency_ms,
                jitter_ms,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn it_should_reach_one_business_outcome_in_both_models_under_any_delivery(
        seed in any::<u64>(),
        orders in 5u64..=30,
        faults in faults(),
    ) {
        let exactly_once = DeliverySettings::exactly_once();
        let reference = outcome(&run(seed, orders, Mode::Choreography, exactly_once));
        prop_assert!(!reference.orders.is_empty());

        let orchestrated = run(seed, orders, Mode::Orchestration, exactly_once);
        assert_nothing_lost(&orchestrated)?;
        prop_assert_eq!(&outcome(&orchestrated), &reference, "exactly-once orchestration");

        let faulty_orchestration = run(seed, orders, Mode::Orchestration, faults.settings());
        assert_nothing_lost(&faulty_orchestration)?;
        prop_assert_eq!(
            outcome(&faulty_orchestration).differences(&reference),
            vec![],
            "faulty orchestration under {:?}", faults
        );

        let faulty_choreography = run(seed, orders, Mode::Choreography, faults.settings());
        assert_nothing_lost(&faulty_choreography)?;
        prop_assert_eq!(
            outcome(&faulty_choreography).differences(&reference),
            vec![],
            "faulty choreography under {:?}", faults
        );
    }
}

#[test]
fn it_should_compensate_when_retries_outlast_the_saga_deadline() {
    // Every attempt fails once or more, and the backoff doubles from 20 s: the first retry
    // already comes after the saga stopped waiting.
    let slow = DeliverySettings {
        failure_rate: 0.5,
        backoff_ms: u32::try_from(STEP_TIMEOUT_MS).unwrap_or(u32::MAX) / 3,
        max_attempts: 50,
        ..DeliverySettings::exactly_once()
    };
    let reference = outcome(&run(
        3,
        10,
        Mode::Orchestration,
        DeliverySettings::exactly_once(),
    ));
    let late = run(3, 10, Mode::Orchestration, slow);
    assert!(
        late.shop()
            .store()
            .count_by_kind(ShopEventKind::SagaStepTimedOut)
            > 0
    );
    assert_ne!(outcome(&late), reference);
}

// ---------------------------------------------------------------------------------------------
// The comparison the Compare tab shows
// ---------------------------------------------------------------------------------------------

fn conditions(delivery: DeliverySettings, idempotent: bool) -> Conditions {
    Conditions {
        delivery,
        idempotent,
    }
}

fn unreliable() -> DeliverySettings {
    Faults {
        duplicates: 0.4,
        reorder: 0.5,
        failures: 0.3,
        latency_ms: 400,
        jitter_ms: 200,
    }
    .settings()
}

#[test]
fn it_should_compare_both_models_under_the_delivery_settings_given() {
    let comparison = compare_under(12, 15, Failure::None, conditions(unreliable(), true), START)
        .expect("the runs complete");
    assert_eq!(comparison.conditions.delivery, unreliable());
    for report in &comparison.reports {
        assert!(report.duplicates_processed == 0 && report.parked == 0);
    }
    assert_eq!(comparison.between_models(), vec![]);
    assert_eq!(comparison.from_exactly_once(), [vec![], vec![]]);
    assert_eq!(comparison.outcomes[0], comparison.exactly_once);
    let verdict = verdict(&comparison);
    assert_eq!(verdict.len(), 1, "{verdict:?}");
    assert!(verdict[0].contains("same business outcome"), "{verdict:?}");
}

#[test]
fn it_should_show_naive_consumers_leaving_the_exactly_once_outcome_in_a_comparison() {
    let comparison = compare_under(
        12,
        15,
        Failure::None,
        conditions(unreliable(), false),
        START,
    )
    .expect("the runs complete");
    let [chor, orch] = comparison.from_exactly_once();
    assert!(!chor.is_empty() && !orch.is_empty());
    assert!(comparison.reports[0].duplicates_processed > 0);
    assert_eq!(comparison.reports[0].duplicates_past_window, 0);
    let verdict = verdict(&comparison).join("\n");
    assert!(
        verdict.contains("processed by naive consumers"),
        "{verdict}"
    );
}

#[test]
fn it_should_blame_the_dedup_window_when_late_duplicates_change_a_comparison() {
    let short_window = DeliverySettings {
        dedup_window_ms: 0,
        ..unreliable()
    };
    let comparison = compare_under(12, 15, Failure::None, conditions(short_window, true), START)
        .expect("the runs complete");
    assert!(comparison.reports[0].duplicates_past_window > 0);
    assert!(!comparison.from_exactly_once()[0].is_empty());
    let verdict = verdict(&comparison).join("\n");
    assert!(verdict.contains("after the dedup window"), "{verdict}");
}
