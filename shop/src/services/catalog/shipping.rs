use rustc_hash::FxHashMap;

use crate::commands::ShopCommand;
use crate::events::{OrderLine, ShopEvent, ShopEventKind as K};
use crate::ids::{OrderId, Sku};
use crate::services::{draw, Declaration, Mode, Reaction, Service, ServiceName};
use crate::ShopRecorded;
use eventide_engine::envelope::PayloadReads;
use eventide_engine::ids::{CorrelationId, EventId};

/// Ships every paid order whose stock is reserved. In choreography nobody tells it when both
/// hold, so it joins the facts itself: the order's lines (from `OrderPlaced`), each reservation
/// for it and its payment, in whatever order the bus brings them. A shipment needs its stock
/// (the order aggregate refuses one that is not reserved), so asking earlier would only be
/// refused, and under reordering a payment often overtakes a reservation.
#[derive(Clone, Default)]
pub(super) struct ShippingService {
    mode: Mode,
    shipments: i64,
    /// Choreography only: what is known of each order not shipped yet.
    waiting: FxHashMap<OrderId, Shipment>,
}

impl ShippingService {
    pub(super) fn new(mode: Mode) -> Self {
        Self {
            mode,
            ..Default::default()
        }
    }
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
