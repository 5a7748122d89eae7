//! How the log's queries read the shop's payloads (`data.total > 100`, `data.customer ==
//! "C-042"`): each field in the order the event catalog lists it, as a small value, without
//! serialising anything. Money is in cents, as the payload's JSON has it. A stream named by an
//! id (`O-0042`, `C-007`, `SKU-03`) is compared as that id.

use eventide_engine::query::{FieldValue, IdValue, PayloadFields};

use crate::event_catalog;
use crate::events::{OrderLine, ShopEvent, ShopEventKind, ShopStream};
use crate::ids::{CustomerId, Money, OrderId, Sku};

/// The fields of an order line, as `data.lines.<field>` names them.
const LINE_FIELDS: [&str; 3] = ["sku", "quantity", "unit_price"];
/// A line field's slot: past every top-level field's, by its place in [`LINE_FIELDS`].
const LINE_SLOTS: usize = 1 << 10;

impl PayloadFields for ShopEvent {
    fn field_slot(kind: ShopEventKind, name: &str) -> Option<usize> {
        match name.split_once('.') {
            // An event carries at most one list of lines, always named `lines`.
            Some(("lines", field)) if event_catalog::field_names(kind).any(|f| f == "lines") => {
                LINE_FIELDS
                    .iter()
                    .position(|known| *known == field)
                    .map(|at| LINE_SLOTS + at)
            }
            Some(_) => None,
            None => event_catalog::field_names(kind).position(|field| field == name),
        }
    }

    fn any_field(&self, slot: usize, test: &mut dyn FnMut(FieldValue<'_>) -> bool) -> bool {
        match slot.checked_sub(LINE_SLOTS) {
            Some(at) => self
                .lines()
                .iter()
                .any(|line| line_field(line, at).is_some_and(&mut *test)),
            None => self.field(slot).is_some_and(test),
        }
    }

    fn stream_id(stream: &ShopStream) -> Option<IdValue> {
        let id = match stream {
            ShopStream::Cart(customer)
            | ShopStream::Mailbox(customer)
            | ShopStream::Profile(customer) => c(customer),
            ShopStream::Order(order) | ShopStream::FraudCheck(order) => o(order),
            ShopStream::Inventory(sku) => s(sku),
            ShopStream::Platform | ShopStream::Saga(_) => None,
        };
        match id {
            Some(FieldValue::Id(id)) => Some(id),
            _ => None,
        }
    }

    fn field(&self, slot: usize) -> Option<FieldValue<'_>> {
        use ShopEvent as E;
        match self {
            E::ItemAddedToCart {
                customer,
                sku,
                quantity,
                unit_price,
            } => pick!(slot; c(customer), s(sku), q(*quantity), m(unit_price)),
            E::ItemRemovedFromCart {
                customer,
                sku,
                quantity,
            } => pick!(slot; c(customer), s(sku), q(*quantity)),
            E::CartCheckedOut {
                customer,
                lines,
                total,
            } => pick!(slot; c(customer), l(lines), m(total)),
            E::OrderPlaced {
                order,
                customer,
                lines,
                total,
            } => pick!(slot; o(order), c(customer), l(lines), m(total)),
            E::PaymentProcessed {
                order,
                customer,
                amount,
            } => pick!(slot; o(order), c(customer), m(amount)),
            E::PaymentFailed {
                order,
                customer,
                amount,
                reason,
            } => pick!(slot; o(order), c(customer), m(amount), t(reason)),
            E::ShipmentDispatched {
                order,
                customer,
                carrier,
                lines,
            } => pick!(slot; o(order), c(customer), t(carrier), l(lines)),
            E::OrderCancelled {
                order,
                customer,
                reason,
                refunded,
            } => pick!(slot; o(order), c(customer), t(reason), m(refunded)),
            E::StockReceived { sku, quantity } => pick!(slot; s(sku), q(*quantity)),
            E::InventoryReserved {
                sku,
                order,
                quantity,
            }
            | E::InventoryReleased {
                sku,
                order,
                quantity,
            } => pick!(slot; s(sku), o(order), q(*quantity)),
            E::ProductViewed { customer, sku } => pick!(slot; c(customer), s(sku)),
            E::FraudCheckPassed {
                order,
                customer,
                score,
                amount,
            } => pick!(slot; o(order), c(customer), q(u32::from(*score)), m(amount)),
            E::FraudCheckFailed {
                order,
                customer,
                score,
            } => pick!(slot; o(order), c(customer), q(u32::from(*score))),
            E::EmailSent {
                customer,
                order,
                template,
            } => pick!(slot; c(customer), order.as_ref().and_then(o), t(template)),
            E::RecommendationsUpdated { customer, top } => pick!(slot; c(customer), s(top)),
            E::ChaosModeEnabled { reason } => pick!(slot; t(reason)),
            E::ChaosModeDisabled {} => None,
            E::SagaStarted {
                customer,
                lines,
                total,
            } => pick!(slot; c(customer), l(lines), m(total)),
            E::OrderCreationRequested { customer, lines } => pick!(slot; c(customer), l(lines)),
            E::StockReservationRequested { order, lines }
            | E::StockReleaseRequested { order, lines } => pick!(slot; o(order), l(lines)),
            E::FraudCheckRequested {
                order,
                customer,
                amount,
            } => pick!(slot; o(order), c(customer), m(amount)),
            E::PaymentRequested { order, amount } => pick!(slot; o(order), m(amount)),
            E::ShipmentRequested { order } => pick!(slot; o(order)),
            E::NotificationRequested {
                customer,
                order,
                template,
            } => pick!(slot; c(customer), o(order), t(template)),
            E::OrderCancellationRequested { order, reason } => pick!(slot; o(order), t(reason)),
            E::SagaStepTimedOut { order, step } => pick!(slot; order.as_ref().and_then(o), t(step)),
            E::SagaCompleted { order } => pick!(slot; o(order)),
            E::SagaCompensated { order, reason } => {
                pick!(slot; order.as_ref().and_then(o), t(reason))
            }
        }
    }
}

/// The value in `slot` among the listed ones, building only that one: `pick!(slot; a, b)` is
/// `a` for slot 0, `b` for slot 1, `None` past the end.
macro_rules! pick {
    ($slot:expr; $($value:expr),* $(,)?) => {{
        let slot: usize = $slot;
        let mut index = 0usize;
        let mut found = None;
        $(
            if slot == index {
                found = $value;
            }
            index += 1;
        )*
        let _ = index;
        found
    }};
}
use pick;

fn id(prefix: &'static str, number: u64, width: u8) -> Option<FieldValue<'static>> {
    Some(FieldValue::Id(IdValue {
        prefix,
        number,
        width,
    }))
}

fn o(order: &OrderId) -> Option<FieldValue<'static>> {
    id(OrderId::PREFIX, u64::from(order.0), 4)
}

fn c(customer: &CustomerId) -> Option<FieldValue<'static>> {
    id(CustomerId::PREFIX, u64::from(customer.0), 3)
}

fn s(sku: &Sku) -> Option<FieldValue<'static>> {
    id(Sku::PREFIX, u64::from(sku.0), 2)
}

fn q(quantity: u32) -> Option<FieldValue<'static>> {
    Some(FieldValue::Int(i64::from(quantity)))
}

fn m(money: &Money) -> Option<FieldValue<'static>> {
    Some(FieldValue::Int(money.cents()))
}

fn t(text: &str) -> Option<FieldValue<'_>> {
    Some(FieldValue::Text(text))
}

fn l(_: &[OrderLine]) -> Option<FieldValue<'static>> {
    Some(FieldValue::Other)
}

/// One field of an order line, by its place in [`LINE_FIELDS`].
fn line_field(line: &OrderLine, at: usize) -> Option<FieldValue<'static>> {
    match at {
        0 => s(&line.sku),
        1 => q(line.quantity),
        2 => m(&line.unit_price),
        _ => None,
    }
}

impl ShopEvent {
    /// The order lines the event carries; none for most.
    fn lines(&self) -> &[OrderLine] {
        use ShopEvent as E;
        match self {
            E::CartCheckedOut { lines, .. }
            | E::OrderPlaced { lines, .. }
            | E::ShipmentDispatched { lines, .. }
            | E::SagaStarted { lines, .. }
            | E::OrderCreationRequested { lines, .. }
            | E::StockReservationRequested { lines, .. }
            | E::StockReleaseRequested { lines, .. } => lines,
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use eventide_engine::Named;
    use serde_json::Value;

    use super::*;
    use crate::event_catalog::{example, field_names, payload};

    /// A field as the query reads it, written as the payload's JSON writes it.
    fn as_json(value: Option<FieldValue<'_>>) -> Value {
        match value {
            None => Value::Null,
            Some(FieldValue::Int(n)) => Value::from(n),
            Some(FieldValue::Text(text)) => Value::from(text),
            Some(FieldValue::Id(id)) => Value::from(id.to_string()),
            Some(FieldValue::Other) => Value::from("other"),
        }
    }

    #[test]
    fn a_stream_read_as_an_id_is_shown_as_that_id() {
        use eventide_engine::CorrelationId;
        let streams = [
            ShopStream::Cart(CustomerId(7)),
            ShopStream::Order(OrderId(42)),
            ShopStream::Inventory(Sku(3)),
            ShopStream::FraudCheck(OrderId(12_345)),
            ShopStream::Mailbox(CustomerId(1_000)),
            ShopStream::Profile(CustomerId(1)),
        ];
        for stream in streams {
            let id = ShopEvent::stream_id(&stream).unwrap();
            assert_eq!(id.to_string(), stream.to_string());
        }
        assert_eq!(ShopEvent::stream_id(&ShopStream::Platform), None);
        let flow = CorrelationId(uuid::Uuid::from_u128(1));
        assert_eq!(ShopEvent::stream_id(&ShopStream::Saga(flow)), None);
    }

    #[test]
    fn every_field_reads_as_the_payload_writes_it() {
        for &kind in ShopEventKind::ALL {
            let event = example(kind);
            let json = payload(&event);
            for name in field_names(kind) {
                let slot = ShopEvent::field_slot(kind, name).unwrap();
                let read = as_json(event.field(slot));
                let written = &json[name];
                if written.is_array() {
                    assert_eq!(read, Value::from("other"), "{}.{name}", kind.name());
                } else {
                    assert_eq!(&read, written, "{}.{name}", kind.name());
                }
            }
            let fields = field_names(kind).count();
            assert_eq!(
                event.field(fields),
                None,
                "{} has {fields} fields",
                kind.name()
            );
        }
    }

    #[test]
    fn a_line_field_holds_when_any_line_holds_and_only_where_there_are_lines() {
        for &kind in ShopEventKind::ALL {
            let event = example(kind);
            let json = payload(&event);
            let Some(lines) = json["lines"].as_array() else {
                assert_eq!(
                    ShopEvent::field_slot(kind, "lines.sku"),
                    None,
                    "{}",
                    kind.name()
                );
                continue;
            };
            for (at, name) in LINE_FIELDS.iter().enumerate() {
                let slot = ShopEvent::field_slot(kind, &format!("lines.{name}"));
                assert_eq!(slot, Some(LINE_SLOTS + at), "{}", kind.name());
                let mut read = Vec::new();
                let any = event.any_field(LINE_SLOTS + at, &mut |value| {
                    read.push(as_json(Some(value)));
                    false
                });
                assert!(!any, "the test said no to every line");
                let written: Vec<&Value> = lines.iter().map(|line| &line[*name]).collect();
                assert_eq!(
                    read.iter().collect::<Vec<_>>(),
                    written,
                    "{}.lines.{name}",
                    kind.name()
                );
            }
        }
        assert_eq!(
            ShopEvent::field_slot(ShopEventKind::OrderPlaced, "lines.colour"),
            None
        );
        assert_eq!(
            ShopEvent::field_slot(ShopEventKind::OrderPlaced, "total.cents"),
            None
        );
    }
}
