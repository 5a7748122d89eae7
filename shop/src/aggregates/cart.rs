//! A customer's cart: items come and go until checkout empties it into an order request.

use crate::catalog;
use crate::commands::{Rejection, MAX_QUANTITY};
use crate::events::{OrderLine, ShopEvent};
use crate::ids::{CustomerId, Money, Sku};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cart {
    lines: Vec<OrderLine>,
}

impl Cart {
    pub const EMPTY: Cart = Cart { lines: Vec::new() };

    pub fn lines(&self) -> &[OrderLine] {
        &self.lines
    }

    pub fn view(&self, customer: CustomerId, sku: Sku) -> Result<ShopEvent, Rejection> {
        catalog::product(sku).ok_or(Rejection::UnknownProduct(sku))?;
        Ok(ShopEvent::ProductViewed { customer, sku })
    }

    pub fn add(
        &self,
        customer: CustomerId,
        sku: Sku,
        quantity: u32,
    ) -> Result<ShopEvent, Rejection> {
        let product = catalog::product(sku).ok_or(Rejection::UnknownProduct(sku))?;
        check_quantity(quantity)?;
        Ok(ShopEvent::ItemAddedToCart {
            customer,
            sku,
            quantity,
            unit_price: product.price,
        })
    }

    pub fn remove(
        &self,
        customer: CustomerId,
        sku: Sku,
        quantity: u32,
    ) -> Result<ShopEvent, Rejection> {
        check_quantity(quantity)?;
        let held = self.quantity_of(sku);
        if held < quantity {
            return Err(Rejection::NotInCart { customer, sku });
        }
        Ok(ShopEvent::ItemRemovedFromCart {
            customer,
            sku,
            quantity,
        })
    }

    pub fn check_out(&self, customer: CustomerId) -> Result<ShopEvent, Rejection> {
        if self.lines.is_empty() {
            return Err(Rejection::EmptyCart(customer));
        }
        Ok(ShopEvent::CartCheckedOut {
            customer,
            lines: self.lines.clone(),
            total: Money::of_lines(&self.lines),
        })
    }

    fn quantity_of(&self, sku: Sku) -> u32 {
        self.lines
            .iter()
            .filter(|line| line.sku == sku)
            .map(|line| line.quantity)
            .sum()
    }

    pub fn evolve(&mut self, event: &ShopEvent) {
        match event {
            ShopEvent::ItemAddedToCart {
                sku,
                quantity,
                unit_price,
                ..
            } => match self.lines.iter_mut().find(|line| line.sku == *sku) {
                // Saturating: folding a recorded fact must never panic, however absurd it is.
                Some(line) => line.quantity = line.quantity.saturating_add(*quantity),
                None => self.lines.push(OrderLine {
                    sku: *sku,
                    quantity: *quantity,
                    unit_price: *unit_price,
                }),
            },
            ShopEvent::ItemRemovedFromCart { sku, quantity, .. } => {
                if let Some(line) = self.lines.iter_mut().find(|line| line.sku == *sku) {
                    line.quantity = line.quantity.saturating_sub(*quantity);
                }
                self.lines.retain(|line| line.quantity > 0);
            }
            ShopEvent::CartCheckedOut { .. } => self.lines.clear(),
            _ => {}
        }
    }
}

pub(crate) fn check_quantity(quantity: u32) -> Result<(), Rejection> {
    match quantity {
        0 => Err(Rejection::ZeroQuantity),
        q if q > MAX_QUANTITY => Err(Rejection::QuantityTooLarge(q)),
        _ => Ok(()),
    }
}
