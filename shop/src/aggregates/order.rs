//! An order's life: placed, paid (or declined and retried), dispatched, or cancelled with a
//! refund of whatever was paid. The rules live here and nowhere else.

use serde::{Deserialize, Serialize};

use super::cart::check_quantity;
use crate::catalog;
use crate::commands::{PaymentOutcome, Rejection, RequestedLine};
use crate::events::{OrderLine, ShopEvent};
use crate::ids::{CustomerId, Money, OrderId, Sku};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OrderStatus {
    Placed,
    PaymentFailed,
    Paid,
    Shipped,
    Cancelled,
}

impl OrderStatus {
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Placed => "placed",
            OrderStatus::PaymentFailed => "payment failed",
            OrderStatus::Paid => "paid",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Cancelled => "cancelled",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub id: OrderId,
    pub customer: CustomerId,
    pub lines: Vec<OrderLine>,
    pub total: Money,
    pub status: OrderStatus,
    pub paid: Money,
}

impl Order {
    /// Decides a new order: every line must name a product and a quantity.
    pub fn place(
        id: OrderId,
        customer: CustomerId,
        requested: &[RequestedLine],
    ) -> Result<ShopEvent, Rejection> {
        if requested.is_empty() {
            return Err(Rejection::EmptyOrder);
        }
        let lines = requested
            .iter()
            .map(|line| {
                let product =
                    catalog::product(line.sku).ok_or(Rejection::UnknownProduct(line.sku))?;
                check_quantity(line.quantity)?;
                Ok(OrderLine {
                    sku: line.sku,
                    quantity: line.quantity,
                    unit_price: product.price,
                })
            })
            .collect::<Result<Vec<_>, Rejection>>()?;
        Ok(ShopEvent::OrderPlaced {
            order: id,
            customer,
            total: Money::of_lines(&lines),
            lines,
        })
    }

    /// The state right after `OrderPlaced`.
    pub fn placed(event: &ShopEvent) -> Order {
        let mut order = Order {
            id: OrderId(0),
            customer: CustomerId(0),
            lines: Vec::new(),
            total: Money::ZERO,
            status: OrderStatus::Placed,
            paid: Money::ZERO,
        };
        order.evolve(event);
        order
    }

    pub fn pay(&self, outcome: PaymentOutcome) -> Result<ShopEvent, Rejection> {
        match self.status {
            OrderStatus::Placed | OrderStatus::PaymentFailed => {}
            OrderStatus::Paid | OrderStatus::Shipped => {
                return Err(Rejection::AlreadyPaid(self.id))
            }
            OrderStatus::Cancelled => return Err(Rejection::OrderCancelled(self.id)),
        }
        Ok(match outcome {
            PaymentOutcome::Approved => ShopEvent::PaymentProcessed {
                order: self.id,
                customer: self.customer,
                amount: self.total,
            },
            PaymentOutcome::Declined { reason } => ShopEvent::PaymentFailed {
                order: self.id,
                customer: self.customer,
                amount: self.total,
                reason,
            },
        })
    }

    /// Decides a shipment of the whole order. `reserved` says how many units of a product the
    /// stock holds for this order: the goods must have been promised before they can leave.
    pub fn dispatch(
        &self,
        carrier: &str,
        reserved: impl Fn(Sku) -> u32,
    ) -> Result<ShopEvent, Rejection> {
        match self.status {
            OrderStatus::Paid => {}
            OrderStatus::Placed | OrderStatus::PaymentFailed => {
                return Err(Rejection::NotPaid(self.id))
            }
            OrderStatus::Shipped => return Err(Rejection::AlreadyDispatched(self.id)),
            OrderStatus::Cancelled => return Err(Rejection::OrderCancelled(self.id)),
        }
        let carrier = carrier.trim();
        if carrier.is_empty() {
            return Err(Rejection::NoCarrier);
        }
        for (sku, needed) in self.units_per_product() {
            let held = reserved(sku);
            if u64::from(held) < needed {
                return Err(Rejection::NotReserved {
                    order: self.id,
                    sku,
                    needed,
                    reserved: held,
                });
            }
        }
        Ok(ShopEvent::ShipmentDispatched {
            order: self.id,
            customer: self.customer,
            carrier: carrier.to_string(),
            lines: self.lines.clone(),
        })
    }

    /// Units of each product over all lines (an order may name a product on several lines), in
    /// the order the products first appear, so a rejection always names the same one.
    fn units_per_product(&self) -> Vec<(Sku, u64)> {
        let mut units: Vec<(Sku, u64)> = Vec::new();
        for line in &self.lines {
            match units.iter_mut().find(|(sku, _)| *sku == line.sku) {
                Some((_, total)) => *total += u64::from(line.quantity),
                None => units.push((line.sku, u64::from(line.quantity))),
            }
        }
        units
    }

    pub fn cancel(&self, reason: &str) -> Result<ShopEvent, Rejection> {
        match self.status {
            OrderStatus::Shipped => Err(Rejection::AlreadyDispatched(self.id)),
            OrderStatus::Cancelled => Err(Rejection::OrderCancelled(self.id)),
            _ => Ok(ShopEvent::OrderCancelled {
                order: self.id,
                customer: self.customer,
                reason: reason.trim().to_string(),
                refunded: self.paid,
            }),
        }
    }

    pub fn evolve(&mut self, event: &ShopEvent) {
        match event {
            ShopEvent::OrderPlaced {
                order,
                customer,
                lines,
                total,
            } => {
                self.id = *order;
                self.customer = *customer;
                self.lines = lines.clone();
                self.total = *total;
                self.status = OrderStatus::Placed;
            }
            ShopEvent::PaymentProcessed { amount, .. } => {
                self.paid = *amount;
                self.status = OrderStatus::Paid;
            }
            ShopEvent::PaymentFailed { .. } => self.status = OrderStatus::PaymentFailed,
            ShopEvent::ShipmentDispatched { .. } => self.status = OrderStatus::Shipped,
            ShopEvent::OrderCancelled { .. } => {
                self.paid = Money::ZERO;
                self.status = OrderStatus::Cancelled;
            }
            _ => {}
        }
    }
}
