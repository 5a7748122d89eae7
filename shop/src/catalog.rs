//! The products the shop sells. Prices are looked up here when a command is handled and then
//! carried in the events, so a later price change never rewrites history.

use super::ids::{Money, Sku};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Product {
    pub sku: Sku,
    pub name: &'static str,
    pub price: Money,
}

const fn make(sku: u16, name: &'static str, cents: i64) -> Product {
    Product {
        sku: Sku(sku),
        name,
        price: Money(cents),
    }
}

pub const PRODUCTS: &[Product] = &[
    make(1, "Trail running shoes", 12_900),
    make(2, "Rain shell jacket", 18_500),
    make(3, "Merino wool socks", 1_900),
    make(4, "Canvas tote bag", 3_400),
    make(5, "Leather belt", 5_900),
    make(6, "Denim jacket", 9_800),
    make(7, "Silk scarf", 7_200),
    make(8, "Sunglasses", 14_500),
    make(9, "Cotton T-shirt", 2_500),
    make(10, "Wool beanie", 2_900),
    make(11, "Chelsea boots", 21_000),
    make(12, "Linen shirt", 6_900),
];

pub fn product(sku: Sku) -> Option<&'static Product> {
    PRODUCTS.iter().find(|product| product.sku == sku)
}
