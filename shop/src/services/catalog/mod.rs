//! The shop's services, as in Nordstrom's platform: browse, cart and checkout events fan out to
//! orders, inventory, fraud detection, payment, shipping, notifications and personalization.
//!
//! Each service works in either coordination model. In choreography it reacts to the domain
//! events of the others; in orchestration it takes requests from the checkout saga and answers
//! with its own events. The business decisions it makes are the same either way.

mod fraud;
mod inventory;
mod notification;
mod order;
mod payment;
mod personalization;
mod shipping;

use super::{Mode, Service};
use crate::commands::RequestedLine;
use crate::events::OrderLine;
use eventide_engine::envelope::Named;

use fraud::FraudService;
use inventory::InventoryService;
use notification::NotificationService;
use order::OrderService;
use payment::PaymentService;
pub use payment::DECLINE_RATE;
use personalization::PersonalizationService;
use shipping::ShippingService;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum ServiceName {
    Order,
    Inventory,
    FraudDetection,
    Payment,
    Shipping,
    Notification,
    Personalization,
    /// The saga orchestrator: only in orchestration.
    CheckoutSaga,
}

impl Named for ServiceName {
    const ALL: &'static [Self] = &[
        Self::Order,
        Self::Inventory,
        Self::FraudDetection,
        Self::Payment,
        Self::Shipping,
        Self::Notification,
        Self::Personalization,
        Self::CheckoutSaga,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Order => "Order",
            Self::Inventory => "Inventory",
            Self::FraudDetection => "FraudDetection",
            Self::Payment => "Payment",
            Self::Shipping => "Shipping",
            Self::Notification => "Notification",
            Self::Personalization => "Personalization",
            Self::CheckoutSaga => "CheckoutSaga",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Every service of a coordination model, with empty state, in the order they are drawn.
pub fn services_for(mode: Mode) -> Vec<Box<dyn Service>> {
    let mut services: Vec<Box<dyn Service>> = vec![
        Box::new(OrderService::new(mode)),
        Box::new(InventoryService::new(mode)),
        Box::new(FraudService::new(mode)),
        Box::new(PaymentService::new(mode)),
        Box::new(ShippingService::new(mode)),
        Box::new(NotificationService::new(mode)),
        Box::new(PersonalizationService::default()),
    ];
    if mode == Mode::Orchestration {
        services.push(Box::new(super::saga::CheckoutSaga::default()));
    }
    services
}

/// The services of choreography.
pub fn all_services() -> Vec<Box<dyn Service>> {
    services_for(Mode::Choreography)
}

fn requested(lines: &[OrderLine]) -> Vec<RequestedLine> {
    lines
        .iter()
        .map(|line| RequestedLine {
            sku: line.sku,
            quantity: line.quantity,
        })
        .collect()
}

fn units(lines: &[OrderLine]) -> i64 {
    lines.iter().map(|l| i64::from(l.quantity)).sum()
}
