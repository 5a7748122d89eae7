//! The stock of one product. Availability is what was received minus what is reserved; a
//! reservation is the promise, so shipping it later does not change what is available. A
//! shipment uses its reservation up: the goods have left, so nothing is held for them any more.

use rustc_hash::FxHashMap;

use super::cart::check_quantity;
use crate::commands::Rejection;
use crate::events::ShopEvent;
use crate::ids::{OrderId, Sku};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stock {
    available: u64,
    reservations: FxHashMap<OrderId, u32>,
}

impl Stock {
    pub const EMPTY: Stock = Stock {
        available: 0,
        reservations: FxHashMap::with_hasher(rustc_hash::FxBuildHasher),
    };

    pub fn available(&self) -> u64 {
        self.available
    }

    /// Units promised to orders and not shipped yet: still on the shelf.
    pub fn reserved(&self) -> u64 {
        self.reservations
            .values()
            .map(|&held| u64::from(held))
            .sum()
    }

    /// Units on the shelf: free to sell or promised.
    pub fn on_hand(&self) -> u64 {
        self.available.saturating_add(self.reserved())
    }

    pub fn reserved_for(&self, order: OrderId) -> u32 {
        self.reservations.get(&order).copied().unwrap_or(0)
    }

    pub fn restock(&self, sku: Sku, quantity: u32) -> Result<ShopEvent, Rejection> {
        check_quantity(quantity)?;
        Ok(ShopEvent::StockReceived { sku, quantity })
    }

    pub fn reserve(&self, sku: Sku, order: OrderId, quantity: u32) -> Result<ShopEvent, Rejection> {
        check_quantity(quantity)?;
        if self.available < u64::from(quantity) {
            return Err(Rejection::OutOfStock {
                sku,
                available: u32::try_from(self.available).unwrap_or(u32::MAX),
                requested: quantity,
            });
        }
        Ok(ShopEvent::InventoryReserved {
            sku,
            order,
            quantity,
        })
    }

    pub fn release(&self, sku: Sku, order: OrderId, quantity: u32) -> Result<ShopEvent, Rejection> {
        check_quantity(quantity)?;
        if self.reserved_for(order) < quantity {
            return Err(Rejection::NothingToRelease {
                order,
                sku,
                quantity,
            });
        }
        Ok(ShopEvent::InventoryReleased {
            sku,
            order,
            quantity,
        })
    }

    /// `quantity` units held for `order` left the shelf in a shipment (a fact of the order's
    /// stream, which [`super::Aggregates`] hands to the stock of each line's product).
    pub fn ship(&mut self, order: OrderId, quantity: u32) {
        if let Some(held) = self.reservations.get_mut(&order) {
            // Saturating: a recorded fact (an import) may ship more than was held.
            *held = held.saturating_sub(quantity);
            if *held == 0 {
                self.reservations.remove(&order);
            }
        }
    }

    pub fn evolve(&mut self, event: &ShopEvent) {
        match event {
            ShopEvent::StockReceived { quantity, .. } => self.available += u64::from(*quantity),
            ShopEvent::InventoryReserved {
                order, quantity, ..
            } => {
                self.available = self.available.saturating_sub(u64::from(*quantity));
                let held = self.reservations.entry(*order).or_default();
                *held = held.saturating_add(*quantity);
            }
            ShopEvent::InventoryReleased {
                order, quantity, ..
            } => {
                self.available += u64::from(*quantity);
                if let Some(held) = self.reservations.get_mut(order) {
                    *held = held.saturating_sub(*quantity);
                    if *held == 0 {
                        self.reservations.remove(order);
                    }
                }
            }
            _ => {}
        }
    }
}
