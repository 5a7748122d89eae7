use super::requested;
use crate::commands::ShopCommand;
use crate::events::{ShopEvent, ShopEventKind as K};
use crate::ids::OrderId;
use crate::services::{Declaration, Mode, Reaction, Service, ServiceName};
use crate::ShopRecorded;
use eventide_engine::envelope::PayloadReads;

/// Turns checkouts into orders, and cancels orders whose payment or fraud check failed.
#[derive(Clone, Default)]
pub(super) struct OrderService {
    mode: Mode,
    orders_requested: i64,
    cancellations_requested: i64,
}

impl OrderService {
    pub(super) fn new(mode: Mode) -> Self {
        Self {
            mode,
            ..Default::default()
        }
    }
}

impl OrderService {
    fn cancel(&mut self, order: OrderId, reason: &str) -> Vec<Reaction> {
        self.cancellations_requested += 1;
        vec![Reaction::Command(ShopCommand::CancelOrder {
            order,
            reason: reason.into(),
        })]
    }
}

impl Service for OrderService {
    fn name(&self) -> ServiceName {
        ServiceName::Order
    }
    fn reads(&self) -> PayloadReads<K> {
        &[
            (K::CartCheckedOut, &["customer", "lines"]),
            (K::OrderCreationRequested, &["customer", "lines"]),
            (K::PaymentFailed, &["order"]),
            (K::FraudCheckFailed, &["order"]),
            (K::OrderCancellationRequested, &["order", "reason"]),
        ]
    }
    fn declaration(&self) -> Declaration {
        match self.mode {
            Mode::Choreography => Declaration {
                consumes: &[K::CartCheckedOut, K::PaymentFailed, K::FraudCheckFailed],
                publishes: &[K::OrderPlaced, K::OrderCancelled],
            },
            Mode::Orchestration => Declaration {
                consumes: &[K::OrderCreationRequested, K::OrderCancellationRequested],
                publishes: &[K::OrderPlaced, K::OrderCancelled],
            },
        }
    }
    fn react(&mut self, event: &ShopRecorded, _seed: u64) -> Vec<Reaction> {
        match &event.event {
            ShopEvent::CartCheckedOut {
                customer, lines, ..
            }
            | ShopEvent::OrderCreationRequested { customer, lines } => {
                self.orders_requested += 1;
                vec![Reaction::Command(ShopCommand::PlaceOrder {
                    customer: *customer,
                    lines: requested(lines),
                })]
            }
            ShopEvent::PaymentFailed { order, .. } => self.cancel(*order, "payment failed"),
            ShopEvent::FraudCheckFailed { order, .. } => self.cancel(*order, "suspected fraud"),
            ShopEvent::OrderCancellationRequested { order, reason } => self.cancel(*order, reason),
            _ => Vec::new(),
        }
    }
    fn state(&self) -> Vec<(&'static str, i64)> {
        vec![
            ("orders requested", self.orders_requested),
            ("cancellations requested", self.cancellations_requested),
        ]
    }
    fn clone_boxed(&self) -> Box<dyn Service> {
        Box::new(self.clone())
    }
}
