//! "What was the state of aggregate X as of …?": one aggregate rehydrated from its own stream,
//! cut at a global position, a recorded time or a stream version.

use serde_json::{json, Value};

use super::aggregates::{Cart, Order, Stock};
use super::events::ShopStream;
use super::ids::{CustomerId, OrderId, Sku};
use super::ShopStore;
use eventide_engine::ids::{Position, StreamVersion, Timestamp};
use eventide_engine::store::Direction;

/// Where to cut an aggregate's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsOf {
    Position(Position),
    Time(Timestamp),
    Version(StreamVersion),
}

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
    let events = store
        .read_stream(stream, StreamVersion::NONE, Direction::Forwards)
        .take_while(|event| match as_of {
            AsOf::Position(position) => event.position <= position,
            AsOf::Time(time) => event.recorded_at <= time,
            AsOf::Version(version) => event.version <= version,
        });
    let mut version = StreamVersion::NONE;
    match stream {
        ShopStream::Order(_) => {
            let mut order: Option<Order> = None;
            for event in events {
                version = event.version;
                match order.as_mut() {
                    Some(order) => order.evolve(&event.event),
                    None => order = Some(Order::placed(&event.event)),
                }
            }
            let order = order?;
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
            let mut cart = Cart::default();
            for event in events {
                version = event.version;
                cart.evolve(&event.event);
            }
            (version.0 > 0).then(|| {
                (
                    version,
                    json!({ "customer": customer, "lines": cart.lines() }),
                )
            })
        }
        ShopStream::Inventory(sku) => {
            let mut stock = Stock::default();
            for event in events {
                version = event.version;
                stock.evolve(&event.event);
            }
            (version.0 > 0).then(|| {
                (
                    version,
                    json!({ "sku": sku, "available": stock.available() }),
                )
            })
        }
        _ => None,
    }
}
