//! Distributed tracing over a real orchestrated run, as a specification: one checkout put back
//! together from correlation and causation ids (and the saga's `joins` metadata), drawn in a lane
//! per producer, with fan-in where the saga waited for every line's reservation, a view that
//! follows the time-travel cursor, and causes that name no stored event flagged as dangling.

use eventide_engine::rng::SeededRng;
use eventide_engine::trace::{find_correlations, Span, Trace, JOINS, PRODUCER};
use eventide_engine::{CorrelationId, EventId, Position, Timestamp};
use eventide_shop::compare;
use eventide_shop::events::{ShopEvent, ShopEventKind};
use eventide_shop::services::{Failure, Mode};
use eventide_shop::simulation::Simulation;
use eventide_shop::{CommandContext, ShopRecorded};

/// 2026-11-26T09:00:00Z.
const START: Timestamp = Timestamp(1_795_683_600_000);

/// A small orchestrated run with nothing injected: every saga completes or compensates.
fn orchestrated() -> Simulation {
    let simulation = compare::run_mode(9, 12, Mode::Orchestration, Failure::None, START)
        .expect("the run completes");
    assert!(simulation.is_quiescent());
    simulation
}

/// The flow of the first checkout whose number of lines `lines` accepts and whose saga completed.
fn completed_flow(simulation: &Simulation, lines: impl Fn(usize) -> bool) -> CorrelationId {
    let store = simulation.shop().store();
    store
        .read_by_kind(ShopEventKind::CartCheckedOut)
        .filter(|event| match &event.event {
            ShopEvent::CartCheckedOut { lines: l, .. } => lines(l.len()),
            _ => false,
        })
        .map(|event| event.correlation_id)
        .find(|flow| {
            store
                .read_by_correlation(*flow)
                .any(|e| e.kind() == ShopEventKind::SagaCompleted)
        })
        .expect("the run has such a completed checkout")
}

fn span_of<'t, 'a>(
    trace: &'t Trace<'a, ShopEvent>,
    kind: ShopEventKind,
) -> &'t Span<'a, ShopEvent> {
    trace
        .spans
        .iter()
        .find(|span| span.event.kind() == kind)
        .unwrap_or_else(|| panic!("the trace has no {kind:?}"))
}

fn lines_of(trace: &Trace<'_, ShopEvent>) -> usize {
    match &span_of(trace, ShopEventKind::CartCheckedOut).event.event {
        ShopEvent::CartCheckedOut { lines, .. } => lines.len(),
        _ => unreachable!("found by kind"),
    }
}

fn kind_at(simulation: &Simulation, position: Position) -> ShopEventKind {
    simulation
        .shop()
        .store()
        .get(position)
        .map(ShopRecorded::kind)
        .expect("a cause is a stored event")
}

#[test]
fn it_should_draw_a_lane_for_the_storefront_the_saga_and_every_participant() {
    let simulation = orchestrated();
    let flow = completed_flow(&simulation, |lines| lines >= 1);
    let store = simulation.shop().store();
    let trace = Trace::of(store, flow, store.head());
    assert!(!trace.is_empty());
    assert_eq!(trace.correlation, flow);

    let lanes = trace.lanes();
    assert_eq!(
        lanes.first(),
        Some(&"Storefront"),
        "the customer starts the flow"
    );
    for lane in [
        "Storefront",
        "CheckoutSaga",
        "Order",
        "Inventory",
        "FraudDetection",
        "Payment",
        "Shipping",
        "Notification",
    ] {
        assert!(lanes.contains(&lane), "no {lane} lane in {lanes:?}");
    }
    // A lane is the producer the service recorded, and the saga's lane holds only its own steps.
    for span in &trace.spans {
        assert_eq!(Some(span.lane.as_str()), span.event.metadata.get(PRODUCER));
        assert_eq!(span.event.correlation_id, flow);
    }
    let saga_kinds: Vec<ShopEventKind> = trace
        .spans
        .iter()
        .filter(|span| span.lane == "CheckoutSaga")
        .map(|span| span.event.kind())
        .collect();
    assert_eq!(saga_kinds.first(), Some(&ShopEventKind::SagaStarted));
    assert!(saga_kinds.contains(&ShopEventKind::SagaCompleted));
    assert!(!saga_kinds.contains(&ShopEventKind::OrderPlaced));
    let (start, end) = trace.time_range().expect("a trace has a time range");
    assert!(start <= end);
}

#[test]
fn it_should_show_fan_in_on_the_fraud_check_of_a_multi_line_order() {
    let simulation = orchestrated();
    let flow = completed_flow(&simulation, |lines| lines >= 2);
    let store = simulation.shop().store();
    let trace = Trace::of(store, flow, store.head());
    let lines = lines_of(&trace);
    assert!(lines >= 2);

    let request = span_of(&trace, ShopEventKind::FraudCheckRequested);
    assert!(request.event.metadata.get(JOINS).is_some());
    assert_eq!(
        request.causes.len(),
        lines,
        "one cause per line's reservation"
    );
    assert!(request
        .causes
        .iter()
        .all(|&cause| kind_at(&simulation, cause) == ShopEventKind::InventoryReserved));
    assert_eq!(
        request
            .causes
            .first()
            .and_then(|&p| store.get(p))
            .map(|e| e.id),
        request.event.causation_id,
        "the reservation that completed the join comes first"
    );
    for &cause in &request.causes {
        let reservation = trace
            .spans
            .iter()
            .find(|span| span.event.position == cause)
            .expect("every cause is in the trace");
        assert!(request.depth > reservation.depth);
        assert!(trace
            .effects_of(cause)
            .any(|effect| effect.event.position == request.event.position));
    }

    let (fan_in, fan_out) = trace.fan();
    assert!(fan_in >= 1, "the join is a fan-in");
    assert!(fan_out >= 1, "some event caused several others");
    // The saga turns one placed order into a stock request and a confirmation at once.
    let placed = span_of(&trace, ShopEventKind::OrderPlaced).event.position;
    let effects: Vec<ShopEventKind> = trace
        .effects_of(placed)
        .map(|span| span.event.kind())
        .collect();
    assert!(effects.contains(&ShopEventKind::StockReservationRequested));
    assert!(effects.contains(&ShopEventKind::NotificationRequested));
}

#[test]
fn it_should_show_a_single_cause_on_the_fraud_check_of_a_one_line_order() {
    let simulation = orchestrated();
    let flow = completed_flow(&simulation, |lines| lines == 1);
    let store = simulation.shop().store();
    let trace = Trace::of(store, flow, store.head());
    let request = span_of(&trace, ShopEventKind::FraudCheckRequested);
    assert_eq!(request.causes.len(), 1);
    assert_eq!(
        kind_at(&simulation, request.causes[0]),
        ShopEventKind::InventoryReserved
    );
}

#[test]
fn it_should_follow_the_cursor() {
    let simulation = orchestrated();
    let flow = completed_flow(&simulation, |lines| lines >= 2);
    let store = simulation.shop().store();
    let full = Trace::of(store, flow, store.head());
    let first = full.spans[0].event.position;

    assert!(Trace::of(store, flow, Position::ORIGIN).is_empty());
    assert!(
        Trace::of(store, flow, Position(first.0 - 1)).is_empty(),
        "a cursor before the flow shows nothing"
    );

    let middle = span_of(&full, ShopEventKind::FraudCheckRequested)
        .event
        .position;
    let partial = Trace::of(store, flow, middle);
    let prefix: Vec<_> = full
        .spans
        .iter()
        .take_while(|span| span.event.position <= middle)
        .cloned()
        .collect();
    assert_eq!(partial.spans, prefix, "a cursor mid-flow shows a prefix");
    assert!(partial.spans.len() < full.spans.len());
    assert_eq!(
        partial.spans.last().map(|s| s.event.kind()),
        Some(ShopEventKind::FraudCheckRequested)
    );
    assert!(partial
        .spans
        .iter()
        .all(|span| span.event.kind() != ShopEventKind::SagaCompleted));
    assert_eq!(partial.dangling().count(), 0);
}

#[test]
fn it_should_flag_a_cause_that_names_no_stored_event_as_dangling() {
    let mut simulation = orchestrated();
    let flow = completed_flow(&simulation, |lines| lines >= 1);
    {
        let store = simulation.shop().store();
        let trace = Trace::of(store, flow, store.head());
        assert_eq!(
            trace.dangling().count(),
            0,
            "a real run has no dangling cause"
        );
    }

    let mut ids = SeededRng::new(2_024);
    let ghost = EventId(SeededRng::new(404).uuid());
    assert!(!simulation.shop().store().contains(ghost));
    let customer = match &simulation
        .shop()
        .store()
        .read_by_correlation(flow)
        .find(|e| e.kind() == ShopEventKind::CartCheckedOut)
        .expect("the flow checked out")
        .event
    {
        ShopEvent::CartCheckedOut { customer, .. } => *customer,
        _ => unreachable!("found by kind"),
    };
    let now = simulation.clock();
    simulation
        .with_shop(|shop| {
            shop.publish(
                ShopEvent::EmailSent {
                    customer,
                    order: None,
                    template: "follow-up".into(),
                },
                CommandContext::new(now, &mut ids).in_flow(flow, Some(ghost)),
            )
        })
        .expect("the event is appended");

    let store = simulation.shop().store();
    let trace = Trace::of(store, flow, store.head());
    let dangling: Vec<_> = trace.dangling().collect();
    assert_eq!(dangling.len(), 1);
    let span = dangling[0];
    assert_eq!(span.dangling_cause, Some(ghost));
    assert_eq!(span.event.position, store.head());
    assert!(span.causes.is_empty());
    assert_eq!(span.depth, 0);
    assert_eq!(
        span.lane, "Mailbox",
        "without a producer the aggregate type is the lane"
    );
}

#[test]
fn it_should_find_a_flow_by_the_first_eight_hex_digits() {
    let simulation = orchestrated();
    let flow = completed_flow(&simulation, |lines| lines >= 1);
    let store = simulation.shop().store();
    let short = flow.short();
    assert_eq!(short.len(), 8);
    assert_eq!(find_correlations(store, &short, 5), vec![flow]);
    assert_eq!(
        find_correlations(store, &format!("  {}  ", short.to_ascii_uppercase()), 5),
        vec![flow],
        "case and surrounding blanks do not matter"
    );
    assert!(find_correlations(store, "", 5).is_empty());
    assert!(find_correlations(store, "zzzz", 5).is_empty(), "not hex");
    assert_eq!(find_correlations(store, "", 0), vec![]);
    let many = find_correlations(store, &short[..1], 3);
    assert!(many.len() <= 3);
    assert!(many.iter().all(|id| id.short().starts_with(&short[..1])));
}
