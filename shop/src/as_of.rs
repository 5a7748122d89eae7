//! "What was the state of aggregate X as of …?": the shop's side of the kernel's
//! [`eventide_engine::as_of`]: which aggregate a name means, how each folds its events, and the
//! state as JSON.

use serde_json::{json, Value};

use super::aggregates::{Cart, Order, Stock};
use super::events::ShopStream;
use super::ids::{CustomerId, OrderId, Sku};
use super::ShopStore;
use eventide_engine::as_of::rehydrate;
pub use eventide_engine::as_of::AsOf;
use eventide_engine::ids::StreamVersion;

/// Reads `O-0042`, `C-007` or `SKU-03` as the aggregate it names.
pub fn parse_aggregate(text: &str) -> Option<ShopStream> {
    let text = text.trim();
    let upper = text.to_ascii_uppercase();
    if upper.starts_with("SKU-") {
        text.parse::<Sku>().ok().map(ShopStream::Inventory)
    } else if upper.starts_with("O-") {
        text.parse::<OrderId>().ok().map(ShopStream::Order)
    } else if upper.starts_with("C-") {
        text.parse::<CustomerId>().ok().map(ShopStream::Cart)
    } else {
        None
    }
}

/// The aggregate's state as of `as_of`, as JSON, with the version it had reached; `None` if it
/// did not exist yet (or is not an aggregate with rules).
pub fn aggregate_as_of(
    store: &ShopStore,
    stream: ShopStream,
    as_of: AsOf,
) -> Option<(StreamVersion, Value)> {
    match stream {
        ShopStream::Order(_) => {
            let (version, order) = rehydrate(
                store,
                stream,
                as_of,
                |order: Option<Order>, event| match order {
                    Some(mut order) => {
                        order.evolve(event);
                        Some(order)
                    }
                    None => Some(Order::placed(event)),
                },
            )?;
            Some((
                version,
                json!({
                    "order": order.id,
                    "customer": order.customer,
                    "status": order.status.label(),
                    "lines": order.lines,
                    "total": order.total,
                    "paid": order.paid,
                }),
            ))
        }
        ShopStream::Cart(customer) => {
            let (version, cart) = rehydrate(store, stream, as_of, |cart: Option<Cart>, event| {
                let mut cart = cart.unwrap_or_default();
                cart.evolve(event);
                Some(cart)
            })?;
            Some((
                version,
                json!({ "customer": customer, "lines": cart.lines() }),
            ))
        }
        ShopStream::Inventory(sku) => {
            let (version, stock) =
                rehydrate(store, stream, as_of, |stock: Option<Stock>, event| {
                    let mut stock = stock.unwrap_or_default();
                    stock.evolve(event);
                    Some(stock)
                })?;
            Some((
                version,
                json!({ "sku": sku, "available": stock.available() }),
            ))
        }
        _ => None,
    }
}
