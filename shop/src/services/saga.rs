//! The checkout saga: orchestration's central coordinator. It takes a checkout on, commands each
//! participant in turn (create the order, reserve stock, check for fraud, take payment, ship) and
//! reacts to their replies. When a step fails or a participant does not answer in time, it runs
//! the compensations (release the stock, cancel and refund the order), each as a visible step.
//!
//! Every decision it takes is an event in the store (`SagaStarted`, `PaymentRequested`,
//! `SagaCompensated`, ...), so the saga's state is a read model and time-travels like the rest.

use rustc_hash::FxHashMap;

use super::{Declaration, Reaction, Service, ServiceName};
use crate::events::{OrderLine, ShopEvent, ShopEventKind as K};
use crate::ids::{CustomerId, Money, OrderId};
use crate::ShopRecorded;
use eventide_engine::envelope::PayloadReads;
use eventide_engine::ids::{CorrelationId, EventId};

/// How long the saga waits for a participant before it gives up on the step.
pub const STEP_TIMEOUT_MS: u64 = 60_000;

/// Where one saga stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SagaStep {
    CreatingOrder,
    ReservingStock,
    CheckingFraud,
    TakingPayment,
    Shipping,
    Completed,
    Compensating,
    Compensated,
}

impl SagaStep {
    pub fn label(self) -> &'static str {
        match self {
            SagaStep::CreatingOrder => "creating order",
            SagaStep::ReservingStock => "reserving stock",
            SagaStep::CheckingFraud => "checking fraud",
            SagaStep::TakingPayment => "taking payment",
            SagaStep::Shipping => "shipping",
            SagaStep::Completed => "completed",
            SagaStep::Compensating => "compensating",
            SagaStep::Compensated => "compensated",
        }
    }

    fn is_finished(self) -> bool {
        matches!(
            self,
            SagaStep::Completed | SagaStep::Compensating | SagaStep::Compensated
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Saga {
    step: SagaStep,
    /// Bumped on every move, so a timer set for an earlier step is recognised as stale.
    token: u32,
    customer: CustomerId,
    lines: Vec<OrderLine>,
    total: Money,
    order: Option<OrderId>,
    reservations: Vec<EventId>,
    last_event: EventId,
}

#[derive(Clone, Default)]
pub struct CheckoutSaga {
    sagas: FxHashMap<CorrelationId, Saga>,
    /// Sagas that reached a finished step (completed, compensating or compensated): kept as a
    /// count so the state is read in constant time, however many sagas ran.
    finished: i64,
    completed: i64,
    compensated: i64,
    timeouts: i64,
}

impl CheckoutSaga {
    /// Moves a saga to `step` and arms the timeout for it.
    fn advance(saga: &mut Saga, step: SagaStep, reactions: &mut Vec<Reaction>) {
        saga.step = step;
        saga.token += 1;
        if !step.is_finished() {
            reactions.push(Reaction::Timer {
                after_ms: STEP_TIMEOUT_MS,
                token: saga.token,
            });
        }
    }

    /// Undo what was done, in reverse: release the stock, cancel (and so refund) the order.
    fn compensate(saga: &mut Saga, reason: &str) -> Vec<Reaction> {
        let mut reactions = Vec::new();
        match saga.order {
            Some(order) => {
                // Once stock was requested, release it all: replies may still be on their way
                // (a timeout while reserving), and the inventory service releases only what it
                // really holds for the order.
                if saga.step != SagaStep::CreatingOrder {
                    reactions.push(Reaction::Publish(ShopEvent::StockReleaseRequested {
                        order,
                        lines: saga.lines.clone(),
                    }));
                }
                reactions.push(Reaction::Publish(ShopEvent::OrderCancellationRequested {
                    order,
                    reason: reason.into(),
                }));
                Self::advance(saga, SagaStep::Compensating, &mut reactions);
            }
            None => {
                // Nothing was created yet: the saga simply ends.
                reactions.push(Reaction::Publish(ShopEvent::SagaCompensated {
                    order: None,
                    reason: reason.into(),
                }));
                Self::advance(saga, SagaStep::Compensated, &mut reactions);
            }
        }
        reactions
    }

    /// How many sagas stand at each step now.
    pub fn counts(&self) -> FxHashMap<SagaStep, usize> {
        let mut counts = FxHashMap::default();
        for saga in self.sagas.values() {
            *counts.entry(saga.step).or_default() += 1;
        }
        counts
    }
}

impl Service for CheckoutSaga {
    fn name(&self) -> ServiceName {
        ServiceName::CheckoutSaga
    }

    fn reads(&self) -> PayloadReads<K> {
        // The checkout carries what the saga needs all along; replies only name the order (and
        // a cancellation its reason, passed on to the compensation).
        &[
            (K::CartCheckedOut, &["customer", "lines", "total"]),
            (K::OrderPlaced, &["order"]),
            (K::InventoryReserved, &["order"]),
            (K::FraudCheckPassed, &["order"]),
            (K::FraudCheckFailed, &[]),
            (K::PaymentProcessed, &["order"]),
            (K::PaymentFailed, &[]),
            (K::ShipmentDispatched, &["order"]),
            (K::OrderCancelled, &["order", "reason"]),
        ]
    }

    fn declaration(&self) -> Declaration {
        Declaration {
            consumes: &[
                K::CartCheckedOut,
                K::OrderPlaced,
                K::InventoryReserved,
                K::FraudCheckPassed,
                K::FraudCheckFailed,
                K::PaymentProcessed,
                K::PaymentFailed,
                K::ShipmentDispatched,
                K::OrderCancelled,
            ],
            publishes: &[
                K::SagaStarted,
                K::OrderCreationRequested,
                K::StockReservationRequested,
                K::FraudCheckRequested,
                K::PaymentRequested,
                K::ShipmentRequested,
                K::NotificationRequested,
                K::StockReleaseRequested,
                K::OrderCancellationRequested,
                K::SagaStepTimedOut,
                K::SagaCompleted,
                K::SagaCompensated,
            ],
        }
    }

    fn react(&mut self, event: &ShopRecorded, _seed: u64) -> Vec<Reaction> {
        let flow = event.correlation_id;
        let mut reactions = Vec::new();
        if let ShopEvent::CartCheckedOut {
            customer,
            lines,
            total,
        } = &event.event
        {
            if self.sagas.contains_key(&flow) {
                return reactions;
            }
            let mut saga = Saga {
                step: SagaStep::CreatingOrder,
                token: 0,
                customer: *customer,
                lines: lines.clone(),
                total: *total,
                order: None,
                reservations: Vec::new(),
                last_event: event.id,
            };
            reactions.push(Reaction::Publish(ShopEvent::SagaStarted {
                customer: *customer,
                lines: lines.clone(),
                total: *total,
            }));
            reactions.push(Reaction::Publish(ShopEvent::OrderCreationRequested {
                customer: *customer,
                lines: lines.clone(),
            }));
            Self::advance(&mut saga, SagaStep::CreatingOrder, &mut reactions);
            self.sagas.insert(flow, saga);
            return reactions;
        }
        let Some(saga) = self.sagas.get_mut(&flow) else {
            return reactions;
        };
        saga.last_event = event.id;
        let was_finished = saga.step.is_finished();
        match (&event.event, saga.step) {
            (ShopEvent::OrderPlaced { order, .. }, SagaStep::CreatingOrder) => {
                saga.order = Some(*order);
                reactions.push(Reaction::Publish(ShopEvent::StockReservationRequested {
                    order: *order,
                    lines: saga.lines.clone(),
                }));
                reactions.push(Reaction::Publish(ShopEvent::NotificationRequested {
                    customer: saga.customer,
                    order: *order,
                    template: "order-confirmation".into(),
                }));
                Self::advance(saga, SagaStep::ReservingStock, &mut reactions);
            }
            (ShopEvent::InventoryReserved { order, .. }, SagaStep::ReservingStock) => {
                // A redelivered reply reserves no new line: the join counts lines, not deliveries.
                if saga.reservations.contains(&event.id) {
                    return reactions;
                }
                saga.reservations.push(event.id);
                if saga.reservations.len() >= saga.lines.len() {
                    // A join: the fraud check waits for every line's reservation.
                    let others = saga.reservations[..saga.reservations.len() - 1].to_vec();
                    let request = ShopEvent::FraudCheckRequested {
                        order: *order,
                        customer: saga.customer,
                        amount: saga.total,
                    };
                    reactions.push(Reaction::Join(request, others));
                    Self::advance(saga, SagaStep::CheckingFraud, &mut reactions);
                }
            }
            (ShopEvent::FraudCheckPassed { order, .. }, SagaStep::CheckingFraud) => {
                reactions.push(Reaction::Publish(ShopEvent::PaymentRequested {
                    order: *order,
                    amount: saga.total,
                }));
                Self::advance(saga, SagaStep::TakingPayment, &mut reactions);
            }
            (ShopEvent::FraudCheckFailed { .. }, SagaStep::CheckingFraud) => {
                reactions = Self::compensate(saga, "suspected fraud");
            }
            (ShopEvent::PaymentProcessed { order, .. }, SagaStep::TakingPayment) => {
                reactions.push(Reaction::Publish(ShopEvent::ShipmentRequested {
                    order: *order,
                }));
                Self::advance(saga, SagaStep::Shipping, &mut reactions);
            }
            (ShopEvent::PaymentFailed { .. }, SagaStep::TakingPayment) => {
                reactions = Self::compensate(saga, "payment failed");
            }
            (ShopEvent::ShipmentDispatched { order, .. }, SagaStep::Shipping) => {
                reactions.push(Reaction::Publish(ShopEvent::SagaCompleted {
                    order: *order,
                }));
                reactions.push(Reaction::Publish(ShopEvent::NotificationRequested {
                    customer: saga.customer,
                    order: *order,
                    template: "shipment-dispatched".into(),
                }));
                Self::advance(saga, SagaStep::Completed, &mut reactions);
                self.completed += 1;
            }
            (ShopEvent::OrderCancelled { order, reason, .. }, SagaStep::Compensating) => {
                reactions.push(Reaction::Publish(ShopEvent::SagaCompensated {
                    order: Some(*order),
                    reason: reason.clone(),
                }));
                reactions.push(Reaction::Publish(ShopEvent::NotificationRequested {
                    customer: saga.customer,
                    order: *order,
                    template: "order-cancelled".into(),
                }));
                Self::advance(saga, SagaStep::Compensated, &mut reactions);
                self.compensated += 1;
            }
            // A reply the saga no longer waits for (late, or a duplicate): nothing to do.
            _ => {}
        }
        if !was_finished && saga.step.is_finished() {
            self.finished += 1;
        }
        reactions
    }

    fn on_timer(&mut self, flow: CorrelationId, token: u32) -> Vec<Reaction> {
        let Some(saga) = self.sagas.get_mut(&flow) else {
            return Vec::new();
        };
        if saga.token != token || saga.step.is_finished() {
            return Vec::new();
        }
        self.timeouts += 1;
        self.finished += 1; // Every timeout ends in compensation.
        let step = saga.step.label().to_string();
        let mut reactions = vec![Reaction::Publish(ShopEvent::SagaStepTimedOut {
            order: saga.order,
            step: step.clone(),
        })];
        reactions.extend(Self::compensate(saga, &format!("no answer while {step}")));
        // Without an order there is nothing to cancel: the saga ended compensated already.
        if saga.step == SagaStep::Compensated {
            self.compensated += 1;
        }
        reactions
    }

    fn timer_cause(&self, flow: CorrelationId) -> Option<EventId> {
        self.sagas.get(&flow).map(|saga| saga.last_event)
    }

    fn state(&self) -> Vec<(&'static str, i64)> {
        let active = self.sagas.len() as i64 - self.finished;
        vec![
            ("sagas running", active),
            ("completed", self.completed),
            ("compensated", self.compensated),
            ("timeouts", self.timeouts),
        ]
    }

    fn clone_boxed(&self) -> Box<dyn Service> {
        Box::new(self.clone())
    }
}
