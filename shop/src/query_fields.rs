//! How the log's queries read the shop's payloads (`data.total > 100`, `data.customer ==
//! "C-042"`): each field in the order the event catalog lists it, as a small value, without
//! serialising anything. Money is in cents, as the payload's JSON has it.

use eventide_engine::query::{FieldValue, IdValue, PayloadFields};

use crate::event_catalog;
use crate::events::{OrderLine, ShopEvent, ShopEventKind};
use crate::ids::{CustomerId, Money, OrderId, Sku};

impl PayloadFields for ShopEvent {
    fn field_slot(kind: ShopEventKind, name: &str) -> Option<usize> {
        event_catalog::field_names(kind).position(|field| field == name)
    }

    fn field(&self, slot: usize) -> Option<FieldValue<'_>> {
        use ShopEvent as E;
        let values: &[Option<FieldValue<'_>>] = match self {
            E::ItemAddedToCart {
                customer,
                sku,
                quantity,
                unit_price,
            } => &[c(customer), s(sku), q(*quantity), m(unit_price)],
            E::ItemRemovedFromCart {
                customer,
                sku,
                quantity,
            } => &[c(customer), s(sku), q(*quantity)],
            E::CartCheckedOut {
                customer,
                lines,
                total,
            } => &[c(customer), l(lines), m(total)],
            E::OrderPlaced {
                order,
                customer,
                lines,
                total,
            } => &[o(order), c(customer), l(lines), m(total)],
            E::PaymentProcessed {
                order,
                customer,
                amount,
            } => &[o(order), c(customer), m(amount)],
            E::PaymentFailed {
                order,
                customer,
                amount,
                reason,
            } => &[o(order), c(customer), m(amount), t(reason)],
            E::ShipmentDispatched {
                order,
                customer,
                carrier,
                lines,
            } => &[o(order), c(customer), t(carrier), l(lines)],
            E::OrderCancelled {
                order,
                customer,
                reason,
                refunded,
            } => &[o(order), c(customer), t(reason), m(refunded)],
            E::StockReceived { sku, quantity } => &[s(sku), q(*quantity)],
            E::InventoryReserved {
                sku,
                order,
                quantity,
            }
            | E::InventoryReleased {
                sku,
                order,
                quantity,
            } => &[s(sku), o(order), q(*quantity)],
            E::ProductViewed { customer, sku } => &[c(customer), s(sku)],
            E::FraudCheckPassed {
                order,
                customer,
                score,
                amount,
            } => &[o(order), c(customer), q(u32::from(*score)), m(amount)],
            E::FraudCheckFailed {
                order,
                customer,
                score,
            } => &[o(order), c(customer), q(u32::from(*score))],
            E::EmailSent {
                customer,
                order,
                template,
            } => &[c(customer), order.as_ref().and_then(o), t(template)],
            E::RecommendationsUpdated { customer, top } => &[c(customer), s(top)],
            E::ChaosModeEnabled { reason } => &[t(reason)],
            E::ChaosModeDisabled {} => &[],
            E::SagaStarted {
                customer,
                lines,
                total,
            } => &[c(customer), l(lines), m(total)],
            E::OrderCreationRequested { customer, lines } => &[c(customer), l(lines)],
            E::StockReservationRequested { order, lines }
            | E::StockReleaseRequested { order, lines } => &[o(order), l(lines)],
            E::FraudCheckRequested {
                order,
                customer,
                amount,
            } => &[o(order), c(customer), m(amount)],
            E::PaymentRequested { order, amount } => &[o(order), m(amount)],
            E::ShipmentRequested { order } => &[o(order)],
            E::NotificationRequested {
                customer,
                order,
                template,
            } => &[c(customer), o(order), t(template)],
            E::OrderCancellationRequested { order, reason } => &[o(order), t(reason)],
            E::SagaStepTimedOut { order, step } => &[order.as_ref().and_then(o), t(step)],
            E::SagaCompleted { order } => &[o(order)],
            E::SagaCompensated { order, reason } => &[order.as_ref().and_then(o), t(reason)],
        };
        values.get(slot).copied().flatten()
    }
}

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
}
