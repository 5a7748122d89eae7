//! The shop's services, as in Nordstrom's platform: browse, cart and checkout events fan out to
//! orders, inventory, fraud detection, payment, shipping, notifications and personalization.
//!
//! Each service works in either coordination model. In choreography it reacts to the domain
//! events of the others; in orchestration it takes requests from the checkout saga and answers
//! with its own events. The business decisions it makes are the same either way.

use rustc_hash::FxHashMap;

use super::{draw, Declaration, Failure, Mode, Reaction, Service};
use crate::catalog::PRODUCTS;
use crate::commands::{PaymentOutcome, RequestedLine, ShopCommand};
use crate::events::{OrderLine, ShopEvent, ShopEventKind as K};
use crate::ids::{CustomerId, Money, OrderId, Sku};
use crate::ShopRecorded;
use eventide_engine::envelope::{Named, PayloadReads};
use eventide_engine::ids::{CorrelationId, EventId};

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
        Box::new(OrderService {
            mode,
            ..Default::default()
        }),
        Box::new(InventoryService {
            mode,
            ..Default::default()
        }),
        Box::new(FraudService {
            mode,
            ..Default::default()
        }),
        Box::new(PaymentService {
            mode,
            ..Default::default()
        }),
        Box::new(ShippingService {
            mode,
            ..Default::default()
        }),
        Box::new(NotificationService {
            mode,
            ..Default::default()
        }),
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

/// Turns checkouts into orders, and cancels orders whose payment or fraud check failed.
#[derive(Clone, Default)]
struct OrderService {
    mode: Mode,
    orders_requested: i64,
    cancellations_requested: i64,
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

/// Reserves stock for every placed order and releases it when the order is cancelled.
#[derive(Clone, Default)]
struct InventoryService {
    mode: Mode,
    units_reserved: i64,
    units_released: i64,
    reservations: FxHashMap<OrderId, Vec<OrderLine>>,
}

impl InventoryService {
    fn reserve(&mut self, order: OrderId, lines: &[OrderLine]) -> Vec<Reaction> {
        self.units_reserved += units(lines);
        self.reservations
            .entry(order)
            .or_default()
            .extend(lines.iter().copied());
        lines
            .iter()
            .map(|line| {
                Reaction::Command(ShopCommand::ReserveInventory {
                    order,
                    sku: line.sku,
                    quantity: line.quantity,
                })
            })
            .collect()
    }

    fn release(&mut self, order: OrderId) -> Vec<Reaction> {
        let lines = self.reservations.remove(&order).unwrap_or_default();
        self.units_released += units(&lines);
        lines
            .iter()
            .map(|line| {
                Reaction::Command(ShopCommand::ReleaseInventory {
                    order,
                    sku: line.sku,
                    quantity: line.quantity,
                })
            })
            .collect()
    }
}

impl Service for InventoryService {
    fn name(&self) -> ServiceName {
        ServiceName::Inventory
    }
    fn reads(&self) -> PayloadReads<K> {
        // A release looks up what was reserved for the order: only its number is read.
        &[
            (K::OrderPlaced, &["order", "lines"]),
            (K::StockReservationRequested, &["order", "lines"]),
            (K::OrderCancelled, &["order"]),
            (K::StockReleaseRequested, &["order"]),
            (K::ChaosModeEnabled, &[]),
            (K::ChaosModeDisabled, &[]),
        ]
    }
    fn declaration(&self) -> Declaration {
        match self.mode {
            Mode::Choreography => Declaration {
                consumes: &[
                    K::OrderPlaced,
                    K::OrderCancelled,
                    K::ChaosModeEnabled,
                    K::ChaosModeDisabled,
                ],
                publishes: &[K::InventoryReserved, K::InventoryReleased],
            },
            Mode::Orchestration => Declaration {
                consumes: &[
                    K::StockReservationRequested,
                    K::StockReleaseRequested,
                    K::ChaosModeEnabled,
                    K::ChaosModeDisabled,
                ],
                publishes: &[K::InventoryReserved, K::InventoryReleased],
            },
        }
    }
    fn react(&mut self, event: &ShopRecorded, _seed: u64) -> Vec<Reaction> {
        match &event.event {
            ShopEvent::OrderPlaced { order, lines, .. }
            | ShopEvent::StockReservationRequested { order, lines } => self.reserve(*order, lines),
            ShopEvent::OrderCancelled { order, .. }
            | ShopEvent::StockReleaseRequested { order, .. } => self.release(*order),
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
    mode: Mode,
    checks: i64,
    flagged: i64,
}

/// The share of orders the fraud service flags.
const FRAUD_RATE: f64 = 0.03;

impl Service for FraudService {
    fn name(&self) -> ServiceName {
        ServiceName::FraudDetection
    }
    fn reads(&self) -> PayloadReads<K> {
        &[
            (K::OrderPlaced, &["order", "customer", "total"]),
            (K::FraudCheckRequested, &["order", "customer", "amount"]),
        ]
    }
    fn declaration(&self) -> Declaration {
        let publishes = &[K::FraudCheckPassed, K::FraudCheckFailed];
        match self.mode {
            Mode::Choreography => Declaration {
                consumes: &[K::OrderPlaced],
                publishes,
            },
            Mode::Orchestration => Declaration {
                consumes: &[K::FraudCheckRequested],
                publishes,
            },
        }
    }
    fn react(&mut self, event: &ShopRecorded, seed: u64) -> Vec<Reaction> {
        let (order, customer, amount) = match &event.event {
            ShopEvent::OrderPlaced {
                order,
                customer,
                total,
                ..
            } => (*order, *customer, *total),
            ShopEvent::FraudCheckRequested {
                order,
                customer,
                amount,
            } => (*order, *customer, *amount),
            _ => return Vec::new(),
        };
        self.checks += 1;
        let risk = draw(seed, event.correlation_id, "fraud");
        let score = (risk * 100.0) as u8;
        if risk >= 1.0 - FRAUD_RATE {
            self.flagged += 1;
            vec![Reaction::Publish(ShopEvent::FraudCheckFailed {
                order,
                customer,
                score,
            })]
        } else {
            vec![Reaction::Publish(ShopEvent::FraudCheckPassed {
                order,
                customer,
                score,
                amount,
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
    mode: Mode,
    declines_everything: bool,
    charges: i64,
    charged: Money,
    declines: i64,
}

/// The share of cards the payment provider declines.
pub const DECLINE_RATE: f64 = 0.08;

impl Service for PaymentService {
    fn name(&self) -> ServiceName {
        ServiceName::Payment
    }
    fn reads(&self) -> PayloadReads<K> {
        &[
            (K::FraudCheckPassed, &["order", "amount"]),
            (K::PaymentRequested, &["order", "amount"]),
            (K::ChaosModeEnabled, &[]),
            (K::ChaosModeDisabled, &[]),
        ]
    }
    fn declaration(&self) -> Declaration {
        let publishes = &[K::PaymentProcessed, K::PaymentFailed];
        match self.mode {
            Mode::Choreography => Declaration {
                consumes: &[
                    K::FraudCheckPassed,
                    K::ChaosModeEnabled,
                    K::ChaosModeDisabled,
                ],
                publishes,
            },
            Mode::Orchestration => Declaration {
                consumes: &[
                    K::PaymentRequested,
                    K::ChaosModeEnabled,
                    K::ChaosModeDisabled,
                ],
                publishes,
            },
        }
    }
    fn react(&mut self, event: &ShopRecorded, seed: u64) -> Vec<Reaction> {
        let (order, amount) = match &event.event {
            ShopEvent::FraudCheckPassed { order, amount, .. }
            | ShopEvent::PaymentRequested { order, amount } => (*order, *amount),
            _ => return Vec::new(),
        };
        let declined =
            self.declines_everything || draw(seed, event.correlation_id, "payment") < DECLINE_RATE;
        let outcome = if declined {
            self.declines += 1;
            PaymentOutcome::Declined {
                reason: "card declined".into(),
            }
        } else {
            // The card is charged here: a naive service charges a repeat twice.
            self.charges += 1;
            self.charged = self.charged + amount;
            PaymentOutcome::Approved
        };
        vec![Reaction::Command(ShopCommand::ProcessPayment {
            order,
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
    fn inject(&mut self, failure: Failure) {
        self.declines_everything = failure == Failure::PaymentsDeclined;
    }
}

/// Ships every paid order whose stock is reserved. In choreography nobody tells it when both
/// hold, so it joins the facts itself: the order's lines (from `OrderPlaced`), each reservation
/// for it and its payment, in whatever order the bus brings them. A shipment needs its stock
/// (the order aggregate refuses one that is not reserved), so asking earlier would only be
/// refused, and under reordering a payment often overtakes a reservation.
#[derive(Clone, Default)]
struct ShippingService {
    mode: Mode,
    shipments: i64,
    /// Choreography only: what is known of each order not shipped yet.
    waiting: FxHashMap<OrderId, Shipment>,
}

/// One order, as the shipping service has heard of it so far.
#[derive(Clone, Default)]
struct Shipment {
    /// Empty until `OrderPlaced` arrives.
    lines: Vec<OrderLine>,
    /// Reservations by event id, so a redelivered one counts once.
    reservations: Vec<(EventId, Sku, u32)>,
    paid: Option<CorrelationId>,
}

impl Shipment {
    /// Paid, and every unit of every line reserved.
    fn is_ready(&self) -> bool {
        self.paid.is_some()
            && !self.lines.is_empty()
            && self.lines.iter().all(|line| {
                let needed: u64 = self
                    .lines
                    .iter()
                    .filter(|other| other.sku == line.sku)
                    .map(|other| u64::from(other.quantity))
                    .sum();
                let reserved: u64 = self
                    .reservations
                    .iter()
                    .filter(|(_, sku, _)| *sku == line.sku)
                    .map(|(_, _, quantity)| u64::from(*quantity))
                    .sum();
                reserved >= needed
            })
    }
}

const CARRIERS: &[&str] = &["DHL", "UPS", "FedEx", "PostNL"];

impl ShippingService {
    /// Asks for the shipment, with a carrier drawn from the seed and the flow.
    fn dispatch(&mut self, order: OrderId, flow: CorrelationId, seed: u64) -> Vec<Reaction> {
        self.shipments += 1;
        let pick = (draw(seed, flow, "carrier") * CARRIERS.len() as f64) as usize;
        let carrier = CARRIERS.get(pick).copied().unwrap_or("DHL");
        vec![Reaction::Command(ShopCommand::DispatchShipment {
            order,
            carrier: carrier.into(),
        })]
    }

    /// Choreography: notes what `event` says about an order and ships it once it is ready.
    fn join(&mut self, event: &ShopRecorded, seed: u64) -> Vec<Reaction> {
        let order = match &event.event {
            ShopEvent::OrderPlaced { order, lines, .. } => {
                self.waiting.entry(*order).or_default().lines = lines.clone();
                *order
            }
            ShopEvent::InventoryReserved {
                order,
                sku,
                quantity,
            } => {
                let shipment = self.waiting.entry(*order).or_default();
                if shipment.reservations.iter().any(|(id, ..)| *id == event.id) {
                    return Vec::new();
                }
                shipment.reservations.push((event.id, *sku, *quantity));
                *order
            }
            ShopEvent::PaymentProcessed { order, .. } => {
                // The carrier is drawn in the payment's flow, as in orchestration.
                self.waiting.entry(*order).or_default().paid = Some(event.correlation_id);
                *order
            }
            _ => return Vec::new(),
        };
        let ready = self
            .waiting
            .get(&order)
            .filter(|shipment| shipment.is_ready())
            .and_then(|shipment| shipment.paid);
        match ready {
            Some(flow) => {
                self.waiting.remove(&order);
                self.dispatch(order, flow, seed)
            }
            None => Vec::new(),
        }
    }
}

impl Service for ShippingService {
    fn name(&self) -> ServiceName {
        ServiceName::Shipping
    }
    fn reads(&self) -> PayloadReads<K> {
        &[
            // Choreography joins an order's lines, its reservations and its payment first.
            (K::OrderPlaced, &["order", "lines"]),
            (K::InventoryReserved, &["order", "sku", "quantity"]),
            (K::PaymentProcessed, &["order"]),
            (K::ShipmentRequested, &["order"]),
            (K::ChaosModeEnabled, &[]),
            (K::ChaosModeDisabled, &[]),
        ]
    }
    fn declaration(&self) -> Declaration {
        let publishes = &[K::ShipmentDispatched];
        match self.mode {
            Mode::Choreography => Declaration {
                consumes: &[
                    K::OrderPlaced,
                    K::InventoryReserved,
                    K::PaymentProcessed,
                    K::ChaosModeEnabled,
                    K::ChaosModeDisabled,
                ],
                publishes,
            },
            Mode::Orchestration => Declaration {
                consumes: &[
                    K::ShipmentRequested,
                    K::ChaosModeEnabled,
                    K::ChaosModeDisabled,
                ],
                publishes,
            },
        }
    }
    fn react(&mut self, event: &ShopRecorded, seed: u64) -> Vec<Reaction> {
        match (&event.event, self.mode) {
            // The saga joined payment and reservations already.
            (ShopEvent::ShipmentRequested { order }, Mode::Orchestration) => {
                self.dispatch(*order, event.correlation_id, seed)
            }
            (_, Mode::Choreography) => self.join(event, seed),
            _ => Vec::new(),
        }
    }
    fn state(&self) -> Vec<(&'static str, i64)> {
        vec![
            ("shipments requested", self.shipments),
            (
                "orders waiting for stock or payment",
                self.waiting.len() as i64,
            ),
        ]
    }
    fn clone_boxed(&self) -> Box<dyn Service> {
        Box::new(self.clone())
    }
}

/// Emails the customer at each step that matters to them.
#[derive(Clone, Default)]
struct NotificationService {
    mode: Mode,
    emails_sent: i64,
}

impl Service for NotificationService {
    fn name(&self) -> ServiceName {
        ServiceName::Notification
    }
    fn reads(&self) -> PayloadReads<K> {
        &[
            (K::OrderPlaced, &["order", "customer"]),
            (K::ShipmentDispatched, &["order", "customer"]),
            (K::OrderCancelled, &["order", "customer"]),
            (K::NotificationRequested, &["order", "customer", "template"]),
            (K::ChaosModeEnabled, &[]),
            (K::ChaosModeDisabled, &[]),
        ]
    }
    fn declaration(&self) -> Declaration {
        match self.mode {
            Mode::Choreography => Declaration {
                consumes: &[
                    K::OrderPlaced,
                    K::ShipmentDispatched,
                    K::OrderCancelled,
                    K::ChaosModeEnabled,
                    K::ChaosModeDisabled,
                ],
                publishes: &[K::EmailSent],
            },
            Mode::Orchestration => Declaration {
                consumes: &[
                    K::NotificationRequested,
                    K::ChaosModeEnabled,
                    K::ChaosModeDisabled,
                ],
                publishes: &[K::EmailSent],
            },
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
            ShopEvent::NotificationRequested {
                customer,
                order,
                template,
            } => (*customer, *order, template.as_str()),
            _ => return Vec::new(),
        };
        self.emails_sent += 1;
        vec![Reaction::Publish(ShopEvent::EmailSent {
            customer,
            order: Some(order),
            template: template.to_string(),
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
/// It stays choreographed in both models: it is no step of the checkout.
#[derive(Clone, Default)]
struct PersonalizationService {
    interest: FxHashMap<CustomerId, Vec<u32>>,
    updates: i64,
}

impl Service for PersonalizationService {
    fn name(&self) -> ServiceName {
        ServiceName::Personalization
    }
    fn reads(&self) -> PayloadReads<K> {
        &[
            (K::ProductViewed, &["customer", "sku"]),
            (K::ItemAddedToCart, &["customer", "sku"]),
        ]
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
