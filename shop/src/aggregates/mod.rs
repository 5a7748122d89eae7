//! The write side: one aggregate per consistency boundary. Each has a pure `decide` (state and
//! command in, events or a rejection out) and a pure `evolve` (state and event in, new state).

mod cart;
mod inventory;
mod order;

pub use cart::Cart;
pub use inventory::Stock;
pub use order::{Order, OrderStatus};

use rustc_hash::FxHashMap;

use super::events::{ShopEvent, ShopStream};
use super::ids::{CustomerId, OrderId, Sku};

/// The current state of every aggregate, kept up to date as events are recorded, so a command is
/// decided without replaying its stream.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Aggregates {
    /// Dense by order number: order `O-n` is at `n - 1`, because the shop hands numbers out in
    /// turn. A number no order holds (a what-if line without that order's placing) is `None`.
    orders: Vec<Option<Order>>,
    carts: FxHashMap<CustomerId, Cart>,
    stock: FxHashMap<Sku, Stock>,
}

impl Aggregates {
    pub fn order(&self, id: OrderId) -> Option<&Order> {
        self.orders.get((id.0 as usize).checked_sub(1)?)?.as_ref()
    }

    pub fn cart(&self, customer: CustomerId) -> Option<&Cart> {
        self.carts.get(&customer)
    }

    pub fn stock(&self, sku: Sku) -> Option<&Stock> {
        self.stock.get(&sku)
    }

    /// A cart that was never used is an empty one.
    pub fn cart_or_empty(&self, customer: CustomerId) -> &Cart {
        static EMPTY: Cart = Cart::EMPTY;
        self.carts.get(&customer).unwrap_or(&EMPTY)
    }

    /// A product never stocked has nothing available.
    pub fn stock_or_empty(&self, sku: Sku) -> &Stock {
        static EMPTY: Stock = Stock::EMPTY;
        self.stock.get(&sku).unwrap_or(&EMPTY)
    }

    /// The number the next order will get: one past the highest this line holds.
    pub fn next_order_id(&self) -> OrderId {
        OrderId(self.orders.len() as u32 + 1)
    }

    /// The highest order number given (every number up to it, unless a what-if line left an
    /// order's placing out).
    pub fn order_count(&self) -> usize {
        self.orders.len()
    }

    pub fn evolve(&mut self, event: &ShopEvent) {
        let Some(stream) = event.stream() else {
            return; // A saga's own events change no aggregate.
        };
        match stream {
            ShopStream::Cart(customer) => self.carts.entry(customer).or_default().evolve(event),
            ShopStream::Inventory(sku) => self.stock.entry(sku).or_default().evolve(event),
            ShopStream::FraudCheck(_)
            | ShopStream::Mailbox(_)
            | ShopStream::Profile(_)
            | ShopStream::Platform
            | ShopStream::Saga(_) => {}
            ShopStream::Order(id) => {
                // A shipment is decided by the order, but its goods leave the stock: each
                // line uses up what was reserved for it.
                if let ShopEvent::ShipmentDispatched { order, lines, .. } = event {
                    for line in lines {
                        if let Some(stock) = self.stock.get_mut(&line.sku) {
                            stock.ship(*order, line.quantity);
                        }
                    }
                }
                self.evolve_order(id, event);
            }
        }
    }

    fn evolve_order(&mut self, id: OrderId, event: &ShopEvent) {
        let Some(index) = (id.0 as usize).checked_sub(1) else {
            return;
        };
        match event {
            ShopEvent::OrderPlaced { .. } if index >= self.orders.len() => {
                // Numbers skipped on the way (orders a what-if line left out) hold no order.
                self.orders.resize(index, None);
                self.orders.push(Some(Order::placed(event)));
            }
            ShopEvent::OrderPlaced { .. } => {
                if let Some(slot @ None) = self.orders.get_mut(index) {
                    *slot = Some(Order::placed(event));
                }
            }
            _ => {
                if let Some(Some(order)) = self.orders.get_mut(index) {
                    order.evolve(event);
                }
            }
        }
    }
}
