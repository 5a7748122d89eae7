//! Orchestration as a specification: the `CheckoutSaga` driven by hand, one reply at a time,
//! with the exact reactions it must answer (the events it publishes, the join it waits for, the
//! timers it arms and their tokens); then whole runs through `Simulation`, where injected
//! failures show what a coordinator does that choreography cannot.
//!
//! Runs are small (5 to 40 checkouts) so the whole file stays fast in a debug build.

mod support;

use std::collections::BTreeSet;

use eventide_engine::rng::{IdSource, SeededRng};
use eventide_engine::{
    CorrelationId, EventId, Metadata, Named, Position, Recorded, SchemaVersion, StreamVersion,
    Timestamp,
};
use eventide_shop::compare::{self, Outcomes};
use eventide_shop::events::{ShopEvent, ShopEventKind};
use eventide_shop::ids::{CustomerId, Money, OrderId, Sku};
use eventide_shop::read_models::SagaStates;
use eventide_shop::services::saga::{CheckoutSaga, STEP_TIMEOUT_MS};
use eventide_shop::services::{Failure, Mode, Reaction, Service, ServiceName};
use eventide_shop::simulation::Simulation;
use eventide_shop::ShopRecorded;
use proptest::prelude::*;
use support::shop::{
    cart_checked_out, inventory_reserved, lines, order_cancelled, order_placed, payment_failed,
    payment_processed, shipment_dispatched, total,
};

/// 2026-11-26T09:00:00Z.
const START: Timestamp = Timestamp(1_795_683_600_000);

const CUSTOMER: CustomerId = CustomerId(7);
const ORDER: OrderId = OrderId(1);
/// Two lines, so reserving stock is a join of two replies.
const TWO_LINES: &[(Sku, u32)] = &[(Sku(1), 1), (Sku(3), 2)];
const ONE_LINE: &[(Sku, u32)] = &[(Sku(2), 1)];

// ---------------------------------------------------------------------------------------------
// The saga by hand: replies as envelopes, reactions as values
// ---------------------------------------------------------------------------------------------

/// One checkout saga and the flow it coordinates, fed hand-made envelopes.
struct SagaSpec {
    saga: CheckoutSaga,
    flow: CorrelationId,
    ids: SeededRng,
    position: u64,
    requested: &'static [(Sku, u32)],
    /// The envelope of every reply delivered so far, to deliver again.
    delivered: Vec<ShopRecorded>,
}

/// A saga that has not heard of the checkout yet.
fn checkout(requested: &'static [(Sku, u32)]) -> SagaSpec {
    let mut ids = SeededRng::new(11);
    let flow = ids.next_event_id().as_correlation();
    SagaSpec {
        saga: CheckoutSaga::default(),
        flow,
        ids,
        position: 0,
        requested,
        delivered: Vec::new(),
    }
}

impl SagaSpec {
    /// The envelope the bus would deliver: recorded in this flow, one second after the last.
    fn envelope(&mut self, event: ShopEvent) -> ShopRecorded {
        self.position += 1;
        let at = START.plus_millis(self.position as i64 * 1_000);
        Recorded {
            id: self.ids.next_event_id(),
            position: Position(self.position),
            stream: event.stream_in(self.flow),
            version: StreamVersion(1),
            schema_version: SchemaVersion::V1,
            recorded_at: at,
            occurred_at: at,
            correlation_id: self.flow,
            causation_id: None,
            metadata: Metadata::default(),
            event,
        }
    }

    /// Delivers a new reply; returns what the saga does about it.
    fn when(&mut self, event: ShopEvent) -> Vec<Reaction> {
        let envelope = self.envelope(event);
        self.deliver(envelope)
    }

    /// Delivers an envelope (a new one, or one delivered before).
    fn deliver(&mut self, envelope: ShopRecorded) -> Vec<Reaction> {
        let reactions = self.saga.react(&envelope, 42);
        self.delivered.push(envelope);
        reactions
    }

    /// The envelope delivered `back` replies ago (1 is the last).
    fn earlier(&self, back: usize) -> ShopRecorded {
        self.delivered[self.delivered.len() - back].clone()
    }

    fn when_timer(&mut self, token: u32) -> Vec<Reaction> {
        self.saga.on_timer(self.flow, token)
    }

    fn state(&self, label: &str) -> i64 {
        self.saga
            .state()
            .into_iter()
            .find(|(name, _)| *name == label)
            .map(|(_, value)| value)
            .unwrap_or_else(|| panic!("the saga reports no {label}"))
    }

    fn total(&self) -> Money {
        total(self.requested)
    }

    // The happy path, one step at a time, for specifications that start further along.

    fn checked_out(mut self) -> Self {
        self.when(cart_checked_out(CUSTOMER, self.requested));
        self
    }

    fn placed(mut self) -> Self {
        self.when(order_placed(ORDER, CUSTOMER, self.requested));
        self
    }

    /// Every line's stock reserved: the join is complete.
    fn reserved(mut self) -> Self {
        for &(sku, quantity) in self.requested {
            self.when(inventory_reserved(sku, ORDER, quantity));
        }
        self
    }

    fn fraud_passed(mut self) -> Self {
        let amount = self.total();
        self.when(fraud_check_passed(amount));
        self
    }

    fn paid(mut self) -> Self {
        let amount = self.total();
        self.when(payment_processed(ORDER, CUSTOMER, amount));
        self
    }
}

fn publish(event: ShopEvent) -> Reaction {
    Reaction::Publish(event)
}

/// The step timeout, armed with `token`.
fn timer(token: u32) -> Reaction {
    Reaction::Timer {
        after_ms: STEP_TIMEOUT_MS,
        token,
    }
}

fn fraud_check_passed(amount: Money) -> ShopEvent {
    ShopEvent::FraudCheckPassed {
        order: ORDER,
        customer: CUSTOMER,
        score: 12,
        amount,
    }
}

fn fraud_check_failed() -> ShopEvent {
    ShopEvent::FraudCheckFailed {
        order: ORDER,
        customer: CUSTOMER,
        score: 99,
    }
}

fn notification(template: &str) -> ShopEvent {
    ShopEvent::NotificationRequested {
        customer: CUSTOMER,
        order: ORDER,
        template: template.into(),
    }
}

fn release(requested: &[(Sku, u32)]) -> ShopEvent {
    ShopEvent::StockReleaseRequested {
        order: ORDER,
        lines: lines(requested),
    }
}

fn cancellation(reason: &str) -> ShopEvent {
    ShopEvent::OrderCancellationRequested {
        order: ORDER,
        reason: reason.into(),
    }
}

fn fraud_check_requested(amount: Money) -> ShopEvent {
    ShopEvent::FraudCheckRequested {
        order: ORDER,
        customer: CUSTOMER,
        amount,
    }
}

// ---------------------------------------------------------------------------------------------
// Each transition
// ---------------------------------------------------------------------------------------------

#[test]
fn it_should_start_a_saga_and_request_the_order_on_checkout() {
    let mut spec = checkout(TWO_LINES);
    let reactions = spec.when(cart_checked_out(CUSTOMER, TWO_LINES));
    assert_eq!(
        reactions,
        vec![
            publish(ShopEvent::SagaStarted {
                customer: CUSTOMER,
                lines: lines(TWO_LINES),
                total: total(TWO_LINES),
            }),
            publish(ShopEvent::OrderCreationRequested {
                customer: CUSTOMER,
                lines: lines(TWO_LINES),
            }),
            timer(1),
        ]
    );
    assert_eq!(spec.state("sagas running"), 1);
}

#[test]
fn it_should_request_stock_and_a_confirmation_once_the_order_is_placed() {
    let mut spec = checkout(TWO_LINES).checked_out();
    assert_eq!(
        spec.when(order_placed(ORDER, CUSTOMER, TWO_LINES)),
        vec![
            publish(ShopEvent::StockReservationRequested {
                order: ORDER,
                lines: lines(TWO_LINES),
            }),
            publish(notification("order-confirmation")),
            timer(2),
        ]
    );
}

#[test]
fn it_should_request_the_fraud_check_only_after_the_last_lines_reservation() {
    let mut spec = checkout(TWO_LINES).checked_out().placed();
    let first = spec.when(inventory_reserved(Sku(1), ORDER, 1));
    assert_eq!(first, vec![], "one line of two: the join still waits");
    let first_id = spec.earlier(1).id;

    let last = spec.when(inventory_reserved(Sku(3), ORDER, 2));
    assert_eq!(
        last,
        vec![
            Reaction::Join(fraud_check_requested(total(TWO_LINES)), vec![first_id]),
            timer(3),
        ],
        "the fraud check joins the other line's reservation"
    );
}

#[test]
fn it_should_join_no_other_reservation_for_a_single_line_order() {
    let mut spec = checkout(ONE_LINE).checked_out().placed();
    assert_eq!(
        spec.when(inventory_reserved(Sku(2), ORDER, 1)),
        vec![
            Reaction::Join(fraud_check_requested(total(ONE_LINE)), vec![]),
            timer(3),
        ]
    );
}

#[test]
fn it_should_request_payment_once_the_fraud_check_passes() {
    let mut spec = checkout(TWO_LINES).checked_out().placed().reserved();
    assert_eq!(
        spec.when(fraud_check_passed(total(TWO_LINES))),
        vec![
            publish(ShopEvent::PaymentRequested {
                order: ORDER,
                amount: total(TWO_LINES),
            }),
            timer(4),
        ]
    );
}

#[test]
fn it_should_request_the_shipment_once_payment_is_processed() {
    let mut spec = checkout(TWO_LINES)
        .checked_out()
        .placed()
        .reserved()
        .fraud_passed();
    assert_eq!(
        spec.when(payment_processed(ORDER, CUSTOMER, total(TWO_LINES))),
        vec![
            publish(ShopEvent::ShipmentRequested { order: ORDER }),
            timer(5)
        ]
    );
}

#[test]
fn it_should_complete_the_saga_when_the_shipment_is_dispatched() {
    let mut spec = checkout(TWO_LINES)
        .checked_out()
        .placed()
        .reserved()
        .fraud_passed()
        .paid();
    assert_eq!(
        spec.when(shipment_dispatched(ORDER, CUSTOMER, "DHL", TWO_LINES)),
        vec![
            publish(ShopEvent::SagaCompleted { order: ORDER }),
            publish(notification("shipment-dispatched")),
        ],
        "a finished saga arms no timer"
    );
    assert_eq!(spec.state("completed"), 1);
    assert_eq!(spec.state("sagas running"), 0);
    assert_eq!(spec.state("compensated"), 0);
}

// ---------------------------------------------------------------------------------------------
// Compensations
// ---------------------------------------------------------------------------------------------

#[test]
fn it_should_release_the_stock_and_cancel_the_order_when_the_fraud_check_fails() {
    let mut spec = checkout(TWO_LINES).checked_out().placed().reserved();
    assert_eq!(
        spec.when(fraud_check_failed()),
        vec![
            publish(release(TWO_LINES)),
            publish(cancellation("suspected fraud")),
        ],
        "compensating waits for the cancellation without a timer"
    );
    assert_eq!(spec.state("sagas running"), 0);

    assert_eq!(
        spec.when(order_cancelled(
            ORDER,
            CUSTOMER,
            "suspected fraud",
            Money::ZERO
        )),
        vec![
            publish(ShopEvent::SagaCompensated {
                order: Some(ORDER),
                reason: "suspected fraud".into(),
            }),
            publish(notification("order-cancelled")),
        ]
    );
    assert_eq!(spec.state("compensated"), 1);
}

#[test]
fn it_should_release_the_stock_and_cancel_the_order_when_payment_fails() {
    let mut spec = checkout(TWO_LINES)
        .checked_out()
        .placed()
        .reserved()
        .fraud_passed();
    let amount = spec.total();
    assert_eq!(
        spec.when(payment_failed(ORDER, CUSTOMER, amount, "card declined")),
        vec![
            publish(release(TWO_LINES)),
            publish(cancellation("payment failed")),
        ]
    );
    assert_eq!(
        spec.when(order_cancelled(
            ORDER,
            CUSTOMER,
            "payment failed",
            Money::ZERO
        )),
        vec![
            publish(ShopEvent::SagaCompensated {
                order: Some(ORDER),
                reason: "payment failed".into(),
            }),
            publish(notification("order-cancelled")),
        ]
    );
    assert_eq!(spec.state("compensated"), 1);
    assert_eq!(spec.state("completed"), 0);
}

#[test]
fn it_should_end_compensated_at_once_when_the_order_never_came() {
    let mut spec = checkout(TWO_LINES).checked_out();
    assert_eq!(
        spec.when_timer(1),
        vec![
            publish(ShopEvent::SagaStepTimedOut {
                order: None,
                step: "creating order".into(),
            }),
            publish(ShopEvent::SagaCompensated {
                order: None,
                reason: "no answer while creating order".into(),
            }),
        ],
        "nothing was created, so nothing is undone"
    );
    assert_eq!(spec.state("timeouts"), 1);
    assert_eq!(spec.state("sagas running"), 0);

    // The order service answers after all: the saga has moved on.
    assert_eq!(spec.when(order_placed(ORDER, CUSTOMER, TWO_LINES)), vec![]);
}

#[test]
fn it_should_count_a_saga_compensated_without_an_order_as_compensated() {
    // Regression: a saga that timed out before its order existed ended compensated, but the
    // saga's "compensated" figure only counted sagas whose order was cancelled, so completed
    // plus compensated fell short of the sagas that had ended.
    let mut spec = checkout(ONE_LINE).checked_out();
    spec.when_timer(1);
    assert_eq!(spec.state("compensated"), 1);
    assert_eq!(spec.state("completed"), 0);
}

#[test]
fn it_should_release_what_was_reserved_when_reserving_stock_times_out() {
    let mut spec = checkout(TWO_LINES).checked_out().placed();
    spec.when(inventory_reserved(Sku(1), ORDER, 1));
    assert_eq!(
        spec.when_timer(2),
        vec![
            publish(ShopEvent::SagaStepTimedOut {
                order: Some(ORDER),
                step: "reserving stock".into(),
            }),
            publish(release(TWO_LINES)),
            publish(cancellation("no answer while reserving stock")),
        ]
    );
    // The second line's reservation arrives late: no fraud check is requested any more.
    assert_eq!(spec.when(inventory_reserved(Sku(3), ORDER, 2)), vec![]);
}

/// Regression: a timeout before any reservation came back cancelled the order without asking for
/// a release, so reservations still on their way stayed held for a cancelled order.
#[test]
fn regression_a_timeout_before_any_reservation_still_asks_for_the_stock_back() {
    let mut spec = checkout(TWO_LINES).checked_out().placed();
    assert_eq!(
        spec.when_timer(2),
        vec![
            publish(ShopEvent::SagaStepTimedOut {
                order: Some(ORDER),
                step: "reserving stock".into(),
            }),
            publish(release(TWO_LINES)),
            publish(cancellation("no answer while reserving stock")),
        ]
    );
}

#[test]
fn it_should_release_the_stock_and_cancel_the_order_when_shipping_times_out() {
    let mut spec = checkout(TWO_LINES)
        .checked_out()
        .placed()
        .reserved()
        .fraud_passed()
        .paid();
    assert_eq!(
        spec.when_timer(5),
        vec![
            publish(ShopEvent::SagaStepTimedOut {
                order: Some(ORDER),
                step: "shipping".into(),
            }),
            publish(release(TWO_LINES)),
            publish(cancellation("no answer while shipping")),
        ]
    );
    assert_eq!(spec.state("timeouts"), 1);
    let refunded = spec.total();
    assert_eq!(
        spec.when(order_cancelled(
            ORDER,
            CUSTOMER,
            "no answer while shipping",
            refunded
        )),
        vec![
            publish(ShopEvent::SagaCompensated {
                order: Some(ORDER),
                reason: "no answer while shipping".into(),
            }),
            publish(notification("order-cancelled")),
        ]
    );
    // A shipment that finally goes out after the cancellation completes nothing.
    assert_eq!(
        spec.when(shipment_dispatched(ORDER, CUSTOMER, "DHL", TWO_LINES)),
        vec![]
    );
    assert_eq!(spec.state("completed"), 0);
}

// ---------------------------------------------------------------------------------------------
// Stale timers, duplicates and late replies
// ---------------------------------------------------------------------------------------------

#[test]
fn it_should_ignore_a_timer_armed_for_an_earlier_step() {
    let mut spec = checkout(TWO_LINES).checked_out().placed().reserved();
    for stale in [1, 2] {
        assert_eq!(spec.when_timer(stale), vec![], "token {stale} is stale");
    }
    assert_eq!(spec.state("timeouts"), 0);
    // The saga goes on as if nothing had happened.
    assert_eq!(
        spec.when(fraud_check_passed(total(TWO_LINES))),
        vec![
            publish(ShopEvent::PaymentRequested {
                order: ORDER,
                amount: total(TWO_LINES),
            }),
            timer(4),
        ]
    );
}

#[test]
fn it_should_ignore_timers_once_the_saga_is_finished_or_for_an_unknown_flow() {
    let mut spec = checkout(ONE_LINE)
        .checked_out()
        .placed()
        .reserved()
        .fraud_passed()
        .paid();
    spec.when(shipment_dispatched(ORDER, CUSTOMER, "UPS", ONE_LINE));
    for token in 1..=6 {
        assert_eq!(
            spec.when_timer(token),
            vec![],
            "token {token} after completion"
        );
    }
    let stranger = EventId(SeededRng::new(99).uuid()).as_correlation();
    assert_eq!(spec.saga.on_timer(stranger, 1), vec![]);

    // A compensating saga waits for its cancellation without a timeout of its own.
    let mut compensating = checkout(ONE_LINE).checked_out().placed().reserved();
    compensating.when(fraud_check_failed());
    for token in 1..=5 {
        assert_eq!(compensating.when_timer(token), vec![]);
    }
    assert_eq!(compensating.state("timeouts"), 0);
}

#[test]
fn it_should_ignore_a_repeated_checkout_and_a_repeated_order_placed() {
    let mut spec = checkout(TWO_LINES).checked_out();
    let checkout_again = spec.earlier(1);
    assert_eq!(spec.deliver(checkout_again), vec![], "one saga per flow");

    let mut spec = spec.placed();
    let placed_again = spec.earlier(1);
    assert_eq!(spec.deliver(placed_again), vec![]);
    assert_eq!(spec.state("sagas running"), 1);
}

#[test]
fn it_should_count_a_redelivered_reservation_once_in_the_join() {
    // Regression: a reservation delivered twice (at-least-once delivery to a saga without an
    // idempotency ledger) counted as two lines, so the fraud check was requested before the
    // second line was reserved, joining the first reservation with itself.
    let mut spec = checkout(TWO_LINES).checked_out().placed();
    spec.when(inventory_reserved(Sku(1), ORDER, 1));
    let first = spec.earlier(1);
    assert_eq!(
        spec.deliver(first.clone()),
        vec![],
        "the same reply again reserves no new line"
    );
    assert_eq!(
        spec.when(inventory_reserved(Sku(3), ORDER, 2)),
        vec![
            Reaction::Join(fraud_check_requested(total(TWO_LINES)), vec![first.id]),
            timer(3),
        ]
    );
}

#[test]
fn it_should_ignore_late_and_repeated_replies_after_each_step() {
    let mut spec = checkout(TWO_LINES)
        .checked_out()
        .placed()
        .reserved()
        .fraud_passed();
    // A reservation or a fraud verdict again, while payment is awaited.
    let verdict = spec.earlier(1);
    let reservation = spec.earlier(2);
    assert_eq!(spec.deliver(verdict), vec![]);
    assert_eq!(spec.deliver(reservation), vec![]);
    assert_eq!(
        spec.when(fraud_check_failed()),
        vec![],
        "the verdict was in"
    );

    let mut spec = spec.paid();
    let payment = spec.earlier(1);
    assert_eq!(
        spec.deliver(payment),
        vec![],
        "a repeated payment ships once"
    );
    spec.when(shipment_dispatched(ORDER, CUSTOMER, "DHL", TWO_LINES));
    let dispatched = spec.earlier(1);
    assert_eq!(spec.deliver(dispatched), vec![], "and completes once");
    assert_eq!(spec.state("completed"), 1);

    // After compensation, a repeated cancellation compensates nothing more.
    let mut spec = checkout(TWO_LINES).checked_out().placed().reserved();
    spec.when(fraud_check_failed());
    spec.when(order_cancelled(
        ORDER,
        CUSTOMER,
        "suspected fraud",
        Money::ZERO,
    ));
    let cancelled = spec.earlier(1);
    assert_eq!(spec.deliver(cancelled), vec![]);
    let amount = spec.total();
    assert_eq!(
        spec.when(payment_processed(ORDER, CUSTOMER, amount)),
        vec![]
    );
    assert_eq!(spec.state("compensated"), 1);
}

#[test]
fn it_should_ignore_replies_from_a_flow_it_never_started() {
    let mut spec = checkout(TWO_LINES);
    assert_eq!(spec.when(order_placed(ORDER, CUSTOMER, TWO_LINES)), vec![]);
    assert_eq!(spec.state("sagas running"), 0);
}

// ---------------------------------------------------------------------------------------------
// Whole runs
// ---------------------------------------------------------------------------------------------

fn run(seed: u64, orders: u64, mode: Mode, failure: Failure) -> Simulation {
    let simulation =
        compare::run_mode(seed, orders, mode, failure, START).expect("the run completes");
    assert!(simulation.is_quiescent(), "the run ends quiet");
    simulation
}

fn count_of(simulation: &Simulation, kind: ShopEventKind) -> usize {
    simulation.shop().store().count_by_kind(kind)
}

fn sagas_of(simulation: &Simulation) -> &SagaStates {
    simulation
        .shop()
        .history()
        .live()
        .get::<SagaStates>()
        .expect("sagas are a built-in read model")
}

fn parked(simulation: &Simulation, service: ServiceName) -> u64 {
    simulation.subscription_stats(service).parked
}

#[test]
fn it_should_leave_orders_stuck_in_choreography_when_shipping_is_down() {
    let simulation = run(4, 12, Mode::Choreography, Failure::ShippingDown);
    let outcomes = Outcomes::of(&simulation);
    assert!(outcomes.placed > 0);
    assert_eq!(outcomes.shipped, 0);
    assert!(outcomes.stuck > 0, "{outcomes:?}");
    assert!(parked(&simulation, ServiceName::Shipping) > 0);
    assert_eq!(count_of(&simulation, ShopEventKind::SagaStepTimedOut), 0);
    let report = compare::report(&simulation);
    assert_eq!(report.parked, parked(&simulation, ServiceName::Shipping));
}

#[test]
fn it_should_compensate_every_order_in_orchestration_when_shipping_is_down() {
    let simulation = run(4, 12, Mode::Orchestration, Failure::ShippingDown);
    let outcomes = Outcomes::of(&simulation);
    assert!(outcomes.placed > 0);
    assert_eq!(outcomes.stuck, 0, "{outcomes:?}");
    assert_eq!(outcomes.shipped, 0);
    assert_eq!(outcomes.cancelled, outcomes.placed);
    // The shipping requests are parked all the same; the saga stopped waiting for them.
    assert!(parked(&simulation, ServiceName::Shipping) > 0);
    let timeouts = count_of(&simulation, ShopEventKind::SagaStepTimedOut);
    assert!(timeouts > 0);
    assert_eq!(
        count_of(&simulation, ShopEventKind::SagaCompensated),
        outcomes.placed as usize
    );
    assert!(sagas_of(&simulation)
        .iter()
        .all(|saga| saga.step == "compensated" && saga.compensations == 2));
}

#[test]
fn it_should_refund_the_payment_when_the_saga_cancels_after_a_shipping_timeout() {
    let simulation = run(8, 10, Mode::Orchestration, Failure::ShippingDown);
    let store = simulation.shop().store();
    let totals: Vec<(OrderId, Money)> = store
        .read_by_kind(ShopEventKind::OrderPlaced)
        .filter_map(|event| match &event.event {
            ShopEvent::OrderPlaced { order, total, .. } => Some((*order, *total)),
            _ => None,
        })
        .collect();
    let timed_out_while_shipping: BTreeSet<OrderId> = store
        .read_by_kind(ShopEventKind::SagaStepTimedOut)
        .filter_map(|event| match &event.event {
            ShopEvent::SagaStepTimedOut { order, step } if step == "shipping" => *order,
            _ => None,
        })
        .collect();
    assert!(!timed_out_while_shipping.is_empty());
    let mut refunds = 0;
    for event in store.read_by_kind(ShopEventKind::OrderCancelled) {
        let ShopEvent::OrderCancelled {
            order,
            reason,
            refunded,
            ..
        } = &event.event
        else {
            unreachable!("read by kind");
        };
        if !timed_out_while_shipping.contains(order) {
            continue;
        }
        let paid = totals.iter().find(|(o, _)| o == order).map(|(_, t)| *t);
        assert_eq!(Some(*refunded), paid, "{order} is refunded in full");
        assert!(*refunded > Money::ZERO);
        assert_eq!(reason, "no answer while shipping");
        assert_eq!(event.metadata.get("producer"), Some("Order"));
        refunds += 1;
    }
    assert_eq!(refunds, timed_out_while_shipping.len());
}

#[test]
fn it_should_cancel_every_order_in_both_modes_when_payments_are_declined() {
    for mode in [Mode::Choreography, Mode::Orchestration] {
        let simulation = run(5, 10, mode, Failure::PaymentsDeclined);
        let outcomes = Outcomes::of(&simulation);
        assert!(outcomes.placed > 0, "{mode:?}");
        assert_eq!(
            outcomes,
            Outcomes {
                placed: outcomes.placed,
                paid: 0,
                shipped: 0,
                cancelled: outcomes.placed,
                stuck: 0,
            },
            "{mode:?}"
        );
    }
    let orchestrated = run(5, 10, Mode::Orchestration, Failure::PaymentsDeclined);
    assert_eq!(
        count_of(&orchestrated, ShopEventKind::SagaStepTimedOut),
        0,
        "a decline is an answer, not a timeout"
    );
    assert!(sagas_of(&orchestrated)
        .iter()
        .all(|saga| saga.step == "compensated"));
}

#[test]
fn it_should_show_fewer_completed_sagas_at_a_middle_position_than_live() {
    let mut simulation = run(6, 20, Mode::Orchestration, Failure::None);
    let completed = |sagas: &SagaStates| sagas.iter().filter(|s| s.step == "completed").count();
    let live = completed(sagas_of(&simulation));
    assert!(live > 0);

    let head = simulation.shop().store().head();
    let middle = Position(head.0 / 2);
    assert_eq!(simulation.seek(middle), middle);
    let history = simulation.shop().history();
    let then = history
        .at_cursor()
        .get::<SagaStates>()
        .expect("sagas at the cursor");
    assert!(
        completed(then) < live,
        "{} completed at {middle}, {live} live",
        completed(then)
    );
    assert!(then.iter().all(|saga| saga.last_event <= middle));
    // The view at the cursor is the fold of the log's prefix.
    let folded = history.state_at(simulation.shop().store(), middle);
    assert_eq!(folded.get::<SagaStates>(), Some(then));

    simulation.go_live();
    let sagas = simulation
        .shop()
        .history()
        .at_cursor()
        .get::<SagaStates>()
        .expect("sagas live");
    assert_eq!(completed(sagas), live);
}

#[test]
fn it_should_run_the_saga_only_in_orchestration() {
    let chor = run(2, 6, Mode::Choreography, Failure::None);
    let orch = run(2, 6, Mode::Orchestration, Failure::None);
    assert!(sagas_of(&chor).is_empty());
    assert_eq!(count_of(&chor, ShopEventKind::SagaStarted), 0);
    assert_eq!(
        sagas_of(&orch).len(),
        count_of(&orch, ShopEventKind::CartCheckedOut)
    );
    let names = |simulation: &Simulation| -> Vec<&str> {
        compare::messages(simulation)
            .into_iter()
            .map(|m| m.service)
            .collect()
    };
    let saga = ServiceName::CheckoutSaga.name();
    assert!(!names(&chor).contains(&saga));
    assert!(names(&orch).contains(&saga));
}

// ---------------------------------------------------------------------------------------------
// The property: both models reach the same business outcome
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 14, ..ProptestConfig::default() })]

    #[test]
    fn it_should_reach_the_same_business_outcome_in_both_modes(
        seed in any::<u64>(),
        orders in 5u64..=40,
    ) {
        let [chor, orch] = compare::compare(seed, orders, Failure::None, START)
            .expect("both runs complete");
        let business = |o: &Outcomes| (o.placed, o.paid, o.shipped, o.cancelled);
        prop_assert_eq!(business(&chor.outcomes), business(&orch.outcomes));
        prop_assert_eq!(chor.outcomes.stuck, 0);
        prop_assert_eq!(orch.outcomes.stuck, 0);

        // Every saga ended, one way or the other.
        let simulation = run(seed, orders, Mode::Orchestration, Failure::None);
        prop_assert_eq!(Outcomes::of(&simulation), orch.outcomes);
        let sagas = sagas_of(&simulation);
        prop_assert_eq!(sagas.len(), count_of(&simulation, ShopEventKind::CartCheckedOut));
        for saga in sagas.iter() {
            prop_assert!(
                saga.step == "completed" || saga.step == "compensated",
                "saga {} ended at {}", saga.flow.short(), saga.step
            );
        }
        let saga = simulation
            .services()
            .iter()
            .find(|runtime| runtime.service.name() == ServiceName::CheckoutSaga)
            .expect("the saga runs in orchestration");
        let state: Vec<(&str, i64)> = saga.service.state();
        let value = |label: &str| state.iter().find(|(l, _)| *l == label).map(|(_, v)| *v);
        prop_assert_eq!(value("sagas running"), Some(0));
        prop_assert_eq!(
            value("completed").unwrap_or(0) + value("compensated").unwrap_or(0),
            sagas.len() as i64
        );
    }
}
