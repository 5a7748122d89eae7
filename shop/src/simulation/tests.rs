//! The facade's own promises: what comes from outside is validated whichever door it uses.

use eventide_engine::ids::Timestamp;
use eventide_engine::rng::SeededRng;

use super::{Simulation, SimulationConfig};
use crate::events::ShopEvent;
use crate::ids::{CustomerId, Money, OrderId};
use crate::{CommandContext, CommandError};

const START: Timestamp = Timestamp(1_700_000_000_000);

/// A fraud verdict its type allows (a u8) and its schema does not: scores run from 0 to 100.
fn out_of_range_verdict() -> ShopEvent {
    ShopEvent::FraudCheckPassed {
        order: OrderId(1),
        customer: CustomerId(1),
        score: 200,
        amount: Money(100),
    }
}

#[test]
fn it_should_validate_what_a_caller_publishes_through_the_simulation_s_shop() {
    let mut simulation = Simulation::idle(SimulationConfig::new(1, 0, START));
    let mut ids = SeededRng::new(9);
    let refused = simulation.with_shop(|shop| {
        shop.publish(out_of_range_verdict(), CommandContext::new(START, &mut ids))
    });
    assert!(
        matches!(refused, Err(CommandError::Invalid { .. })),
        "{refused:?}"
    );
    assert_eq!(simulation.shop().store().len(), 0);
}

#[test]
fn it_should_validate_an_injected_fact_and_record_nothing() {
    let mut simulation = Simulation::idle(SimulationConfig::new(1, 0, START));
    let refused = simulation.inject(out_of_range_verdict());
    assert!(
        matches!(refused, Err(CommandError::Invalid { .. })),
        "{refused:?}"
    );
    assert_eq!(simulation.shop().store().len(), 0);
}

#[test]
fn it_should_show_the_services_at_rest_before_the_first_snapshot_and_as_they_were_after() {
    let mut simulation = Simulation::new(SimulationConfig::new(3, 4, START)).expect("opens");
    simulation.run(100_000).expect("runs");
    let head = simulation.shop().store().head();
    let now = simulation.services_at(head);
    assert!(now.iter().any(|moment| moment.view.processed > 0));
    let at_start = simulation.services_at(eventide_engine::ids::Position(1));
    assert_eq!(at_start.len(), now.len());
    assert!(at_start
        .iter()
        .all(|moment| moment.view.processed == 0 && moment.view.settled));
    let midway = simulation.services_at(eventide_engine::ids::Position(head.0 / 2));
    let processed = |moments: &[super::ServiceMoment]| -> u64 {
        moments.iter().map(|moment| moment.view.processed).sum()
    };
    assert!(processed(&midway) > 0 && processed(&midway) < processed(&now));
}
