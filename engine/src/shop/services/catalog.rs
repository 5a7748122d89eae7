//! The shop's services, as in Nordstrom's platform: browse, cart and checkout events fan out to
//! orders, inventory, fraud detection, payment, shipping, notifications and personalization.

use rustc_hash::FxHashMap;

use super::{draw, Declaration, Reaction, Service};
use crate::envelope::Named;
use crate::shop::catalog::PRODUCTS;
use crate::shop::commands::{PaymentOutcome, RequestedLine, ShopCommand};
use crate::shop::events::{OrderLine, ShopEvent, ShopEventKind as K};
use crate::shop::ids::{CustomerId, Money, OrderId, Sku};
use crate::shop::ShopRecorded;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceName {
    Order,
    Inventory,
    FraudDetection,
    Payment,
    Shipping,
    Notification,
    Personalization,
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
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Every service, with empty state, in the order they are drawn.
pub fn all_services() -> Vec<Box<dyn Service>> {
    vec![
        Box::new(OrderService::default()),
        Box::new(InventoryService::default()),
        Box::new(FraudService::default()),
        Box::new(PaymentService::default()),
        Box::new(ShippingService::default()),
        Box::new(NotificationService::default()),
        Box::new(PersonalizationService::default()),
    ]
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

/// Turns checkouts into orders, and cancels orders whose payment or fraud check failed.
#[derive(Clone, Default)]
struct OrderService {
    orders_requested: i64,
    cancellations_requested: i64,
}

impl Service for OrderService {
    fn name(&self) -> ServiceName {
        ServiceName::Order
    }
    fn declaration(&self) -> Declaration {
        Declaration {
            consumes: &[K::CartCheckedOut, K::PaymentFailed, K::FraudCheckFailed],
            publishes: &[K::OrderPlaced, K::OrderCancelled],
        }
    }
    fn react(&mut self, event: &ShopRecorded, _seed: u64) -> Vec<Reaction> {
        match &event.event {
            ShopEvent::CartCheckedOut {
                customer, lines, ..
            } => {
                self.orders_requested += 1;
                vec![Reaction::Command(ShopCommand::PlaceOrder {
                    customer: *customer,
                    lines: requested(lines),
                })]
            }
            ShopEvent::PaymentFailed { order, .. } => {
                self.cancellations_requested += 1;
                vec![Reaction::Command(ShopCommand::CancelOrder {
                    order: *order,
                    reason: "payment failed".into(),
                })]
            }
            ShopEvent::FraudCheckFailed { order, .. } => {
                self.cancellations_requested += 1;
                vec![Reaction::Command(ShopCommand::CancelOrder {
                    order: *order,
                    reason: "suspected fraud".into(),
                })]
            }
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

/// Reserves stock for every placed order and releases it when the order is cancelled.
#[derive(Clone, Default)]
struct InventoryService {
    units_reserved: i64,
    units_released: i64,
    reservations: FxHashMap<OrderId, Vec<OrderLine>>,
}

impl Service for InventoryService {
    fn name(&self) -> ServiceName {
        ServiceName::Inventory
    }
    fn declaration(&self) -> Declaration {
        Declaration {
            consumes: &[
                K::OrderPlaced,
                K::OrderCancelled,
                K::ChaosModeEnabled,
                K::ChaosModeDisabled,
            ],
            publishes: &[K::InventoryReserved, K::InventoryReleased],
        }
    }
    fn react(&mut self, event: &ShopRecorded, _seed: u64) -> Vec<Reaction> {
        match &event.event {
            ShopEvent::OrderPlaced { order, lines, .. } => {
                self.units_reserved += lines.iter().map(|l| i64::from(l.quantity)).sum::<i64>();
                self.reservations
                    .entry(*order)
                    .or_default()
                    .extend(lines.iter().copied());
                lines
                    .iter()
                    .map(|line| {
                        Reaction::Command(ShopCommand::ReserveInventory {
                            order: *order,
                            sku: line.sku,
                            quantity: line.quantity,
                        })
                    })
                    .collect()
            }
            ShopEvent::OrderCancelled { order, .. } => {
                let lines = self.reservations.remove(order).unwrap_or_default();
                self.units_released += lines.iter().map(|l| i64::from(l.quantity)).sum::<i64>();
                lines
                    .iter()
                    .map(|line| {
                        Reaction::Command(ShopCommand::ReleaseInventory {
                            order: *order,
                            sku: line.sku,
                            quantity: line.quantity,
                        })
                    })
                    .collect()
            }
            _ => Vec::new(),
        }
    }
    fn state(&self) -> Vec<(&'static str, i64)> {
        vec![
            ("units reserved", self.units_reserved),
            ("units released", self.units_released),
            ("orders holding stock", self.reservations.len() as i64),
        ]
    }
    fn clone_boxed(&self) -> Box<dyn Service> {
        Box::new(self.clone())
    }
}

/// Scores every order; a few look like fraud.
#[derive(Clone, Default)]
struct FraudService {
    checks: i64,
    flagged: i64,
}

/// The share of orders the fraud service flags.
const FRAUD_RATE: f64 = 0.03;

impl Service for FraudService {
    fn name(&self) -> ServiceName {
        ServiceName::FraudDetection
    }
    fn declaration(&self) -> Declaration {
        Declaration {
            consumes: &[K::OrderPlaced],
            publishes: &[K::FraudCheckPassed, K::FraudCheckFailed],
        }
    }
    fn react(&mut self, event: &ShopRecorded, seed: u64) -> Vec<Reaction> {
        let ShopEvent::OrderPlaced {
            order,
            customer,
            total,
            ..
        } = &event.event
        else {
            return Vec::new();
        };
        self.checks += 1;
        let risk = draw(seed, event.correlation_id, "fraud");
        let score = (risk * 100.0) as u8;
        if risk >= 1.0 - FRAUD_RATE {
            self.flagged += 1;
            vec![Reaction::Publish(ShopEvent::FraudCheckFailed {
                order: *order,
                customer: *customer,
                score,
            })]
        } else {
            vec![Reaction::Publish(ShopEvent::FraudCheckPassed {
                order: *order,
                customer: *customer,
                score,
                amount: *total,
            })]
        }
    }
    fn state(&self) -> Vec<(&'static str, i64)> {
        vec![("checks", self.checks), ("flagged", self.flagged)]
    }
    fn clone_boxed(&self) -> Box<dyn Service> {
        Box::new(self.clone())
    }
}

/// Charges the card once an order has passed its fraud check.
#[derive(Clone, Default)]
struct PaymentService {
    charges: i64,
    charged: Money,
    declines: i64,
}

const DECLINE_RATE: f64 = 0.08;

impl Service for PaymentService {
    fn name(&self) -> ServiceName {
        ServiceName::Payment
    }
    fn declaration(&self) -> Declaration {
        Declaration {
            consumes: &[
                K::FraudCheckPassed,
                K::ChaosModeEnabled,
                K::ChaosModeDisabled,
            ],
            publishes: &[K::PaymentProcessed, K::PaymentFailed],
        }
    }
    fn react(&mut self, event: &ShopRecorded, seed: u64) -> Vec<Reaction> {
        let ShopEvent::FraudCheckPassed { order, amount, .. } = &event.event else {
            return Vec::new();
        };
        let outcome = if draw(seed, event.correlation_id, "payment") < DECLINE_RATE {
            self.declines += 1;
            PaymentOutcome::Declined {
                reason: "card declined".into(),
            }
        } else {
            // The card is charged here: a naive service charges a repeat twice.
            self.charges += 1;
            self.charged = self.charged + *amount;
            PaymentOutcome::Approved
        };
        vec![Reaction::Command(ShopCommand::ProcessPayment {
            order: *order,
            outcome,
        })]
    }
    fn state(&self) -> Vec<(&'static str, i64)> {
        vec![
            ("charges", self.charges),
            ("revenue charged (cents)", self.charged.cents()),
            ("declines", self.declines),
        ]
    }
    fn clone_boxed(&self) -> Box<dyn Service> {
        Box::new(self.clone())
    }
}

/// Ships every paid order.
#[derive(Clone, Default)]
struct ShippingService {
    shipments: i64,
}

const CARRIERS: &[&str] = &["DHL", "UPS", "FedEx", "PostNL"];

impl Service for ShippingService {
    fn name(&self) -> ServiceName {
        ServiceName::Shipping
    }
    fn declaration(&self) -> Declaration {
        Declaration {
            consumes: &[
                K::PaymentProcessed,
                K::ChaosModeEnabled,
                K::ChaosModeDisabled,
            ],
            publishes: &[K::ShipmentDispatched],
        }
    }
    fn react(&mut self, event: &ShopRecorded, seed: u64) -> Vec<Reaction> {
        let ShopEvent::PaymentProcessed { order, .. } = &event.event else {
            return Vec::new();
        };
        self.shipments += 1;
        let pick = (draw(seed, event.correlation_id, "carrier") * CARRIERS.len() as f64) as usize;
        let carrier = CARRIERS.get(pick).copied().unwrap_or("DHL");
        vec![Reaction::Command(ShopCommand::DispatchShipment {
            order: *order,
            carrier: carrier.into(),
        })]
    }
    fn state(&self) -> Vec<(&'static str, i64)> {
        vec![("shipments requested", self.shipments)]
    }
    fn clone_boxed(&self) -> Box<dyn Service> {
        Box::new(self.clone())
    }
}

/// Emails the customer at each step that matters to them.
#[derive(Clone, Default)]
struct NotificationService {
    emails_sent: i64,
}

impl Service for NotificationService {
    fn name(&self) -> ServiceName {
        ServiceName::Notification
    }
    fn declaration(&self) -> Declaration {
        Declaration {
            consumes: &[
                K::OrderPlaced,
                K::ShipmentDispatched,
                K::OrderCancelled,
                K::ChaosModeEnabled,
                K::ChaosModeDisabled,
            ],
            publishes: &[K::EmailSent],
        }
    }
    fn react(&mut self, event: &ShopRecorded, _seed: u64) -> Vec<Reaction> {
        let (customer, order, template) = match &event.event {
            ShopEvent::OrderPlaced {
                customer, order, ..
            } => (*customer, *order, "order-confirmation"),
            ShopEvent::ShipmentDispatched {
                customer, order, ..
            } => (*customer, *order, "shipment-dispatched"),
            ShopEvent::OrderCancelled {
                customer, order, ..
            } => (*customer, *order, "order-cancelled"),
            _ => return Vec::new(),
        };
        self.emails_sent += 1;
        vec![Reaction::Publish(ShopEvent::EmailSent {
            customer,
            order: Some(order),
            template: template.into(),
        })]
    }
    fn state(&self) -> Vec<(&'static str, i64)> {
        vec![("emails sent", self.emails_sent)]
    }
    fn clone_boxed(&self) -> Box<dyn Service> {
        Box::new(self.clone())
    }
}

/// Learns what each customer likes from browsing and carts; says so when the favourite changes.
#[derive(Clone, Default)]
struct PersonalizationService {
    interest: FxHashMap<CustomerId, Vec<u32>>,
    updates: i64,
}

impl Service for PersonalizationService {
    fn name(&self) -> ServiceName {
        ServiceName::Personalization
    }
    fn declaration(&self) -> Declaration {
        Declaration {
            consumes: &[K::ProductViewed, K::ItemAddedToCart],
            publishes: &[K::RecommendationsUpdated],
        }
    }
    fn react(&mut self, event: &ShopRecorded, _seed: u64) -> Vec<Reaction> {
        let (customer, sku, weight) = match &event.event {
            ShopEvent::ProductViewed { customer, sku } => (*customer, *sku, 1),
            ShopEvent::ItemAddedToCart { customer, sku, .. } => (*customer, *sku, 3),
            _ => return Vec::new(),
        };
        let scores = self
            .interest
            .entry(customer)
            .or_insert_with(|| vec![0; PRODUCTS.len()]);
        let before = favourite(scores);
        if let Some(index) = PRODUCTS.iter().position(|p| p.sku == sku) {
            scores[index] += weight;
        }
        let after = favourite(scores);
        if after == before {
            return Vec::new();
        }
        self.updates += 1;
        after
            .map(|top| {
                vec![Reaction::Publish(ShopEvent::RecommendationsUpdated {
                    customer,
                    top,
                })]
            })
            .unwrap_or_default()
    }
    fn state(&self) -> Vec<(&'static str, i64)> {
        vec![
            ("customer profiles", self.interest.len() as i64),
            ("recommendation updates", self.updates),
        ]
    }
    fn clone_boxed(&self) -> Box<dyn Service> {
        Box::new(self.clone())
    }
}

/// The most interesting product, ties to the lower SKU.
fn favourite(scores: &[u32]) -> Option<Sku> {
    let (index, best) = scores
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))?;
    (*best > 0).then(|| PRODUCTS[index].sku)
}
