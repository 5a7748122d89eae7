//! The event catalog: every event type the shop records, what it means, the JSON Schema of its
//! payload, an example, who publishes it and who consumes it (services in either coordination
//! model, and read models). It answers "who will break if this event's schema changes?", and
//! exports itself as an AsyncAPI 3.0 document.

use serde_json::{json, Map, Value};

use super::events::{OrderLine, ShopEvent, ShopEventKind as K};
use super::ids::{CustomerId, Money, OrderId, Sku};
use super::read_models::built_in;
use super::services::graph::{for_mode, Node};
use super::services::Mode;
use eventide_engine::envelope::{DomainEvent, Named};

/// What a field of a payload holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FieldType {
    Order,
    MaybeOrder,
    Customer,
    Sku,
    Cents,
    Quantity,
    Score,
    Text,
    Lines,
}

type Field = (&'static str, FieldType);

fn fields(kind: K) -> &'static [Field] {
    use FieldType::*;
    match kind {
        K::ItemAddedToCart => &[
            ("customer", Customer),
            ("sku", Sku),
            ("quantity", Quantity),
            ("unit_price", Cents),
        ],
        K::ItemRemovedFromCart => &[("customer", Customer), ("sku", Sku), ("quantity", Quantity)],
        K::CartCheckedOut => &[("customer", Customer), ("lines", Lines), ("total", Cents)],
        K::OrderPlaced => &[
            ("order", Order),
            ("customer", Customer),
            ("lines", Lines),
            ("total", Cents),
        ],
        K::PaymentProcessed => &[("order", Order), ("customer", Customer), ("amount", Cents)],
        K::PaymentFailed => &[
            ("order", Order),
            ("customer", Customer),
            ("amount", Cents),
            ("reason", Text),
        ],
        K::ShipmentDispatched => &[
            ("order", Order),
            ("customer", Customer),
            ("carrier", Text),
            ("lines", Lines),
        ],
        K::OrderCancelled => &[
            ("order", Order),
            ("customer", Customer),
            ("reason", Text),
            ("refunded", Cents),
        ],
        K::StockReceived => &[("sku", Sku), ("quantity", Quantity)],
        K::InventoryReserved | K::InventoryReleased => {
            &[("sku", Sku), ("order", Order), ("quantity", Quantity)]
        }
        K::ProductViewed => &[("customer", Customer), ("sku", Sku)],
        K::FraudCheckPassed => &[
            ("order", Order),
            ("customer", Customer),
            ("score", Score),
            ("amount", Cents),
        ],
        K::FraudCheckFailed => &[("order", Order), ("customer", Customer), ("score", Score)],
        K::EmailSent => &[
            ("customer", Customer),
            ("order", MaybeOrder),
            ("template", Text),
        ],
        K::RecommendationsUpdated => &[("customer", Customer), ("top", Sku)],
        K::ChaosModeEnabled => &[("reason", Text)],
        K::ChaosModeDisabled => &[],
        K::SagaStarted => &[("customer", Customer), ("lines", Lines), ("total", Cents)],
        K::OrderCreationRequested => &[("customer", Customer), ("lines", Lines)],
        K::StockReservationRequested | K::StockReleaseRequested => {
            &[("order", Order), ("lines", Lines)]
        }
        K::FraudCheckRequested => &[("order", Order), ("customer", Customer), ("amount", Cents)],
        K::PaymentRequested => &[("order", Order), ("amount", Cents)],
        K::ShipmentRequested => &[("order", Order)],
        K::NotificationRequested => &[("customer", Customer), ("order", Order), ("template", Text)],
        K::OrderCancellationRequested => &[("order", Order), ("reason", Text)],
        K::SagaStepTimedOut => &[("order", MaybeOrder), ("step", Text)],
        K::SagaCompleted => &[("order", Order)],
        K::SagaCompensated => &[("order", MaybeOrder), ("reason", Text)],
    }
}

/// The payload fields of an event type as the shop's code writes and reads them (version 1).
pub fn field_names(kind: K) -> impl Iterator<Item = &'static str> {
    fields(kind).iter().map(|(name, _)| *name)
}

/// The event a version-1 payload describes, or serde's reason why it describes none.
pub fn from_payload(kind: K, payload: &Value) -> Result<ShopEvent, String> {
    <ShopEvent as DomainEvent>::from_payload(kind, payload.clone())
        .map_err(|error| error.to_string())
}

/// What each event type means, in a sentence.
pub fn description(kind: K) -> &'static str {
    match kind {
        K::ItemAddedToCart => {
            "A customer put a product in their cart, at the price of that moment."
        }
        K::ItemRemovedFromCart => "A customer took some of a product out of their cart.",
        K::CartCheckedOut => {
            "A customer checked their cart out: its lines and total, ready to become an order."
        }
        K::OrderPlaced => {
            "An order was opened with its lines and total; nothing is paid or reserved yet."
        }
        K::PaymentProcessed => "The customer's card was charged for the order's total.",
        K::PaymentFailed => "The payment provider declined the order's payment, with its reason.",
        K::ShipmentDispatched => "A paid order left the warehouse with a carrier.",
        K::OrderCancelled => "An order was cancelled; whatever had been paid is refunded.",
        K::StockReceived => "Units of a product arrived at the warehouse.",
        K::InventoryReserved => "Units of a product were promised to an order.",
        K::InventoryReleased => "A promise of units to an order was taken back.",
        K::ProductViewed => "A customer looked at a product: browsing, the top of the funnel.",
        K::FraudCheckPassed => "Fraud detection scored an order as safe to charge.",
        K::FraudCheckFailed => "Fraud detection scored an order as likely fraud.",
        K::EmailSent => "The customer was emailed about their order.",
        K::RecommendationsUpdated => {
            "A customer's favourite product changed, as personalization sees it."
        }
        K::ChaosModeEnabled => {
            "The chaos-engineering platform switched chaos on: services brace themselves."
        }
        K::ChaosModeDisabled => "Chaos is over: services return to their normal settings.",
        K::SagaStarted => "The checkout saga took a checkout on.",
        K::OrderCreationRequested => "The saga asked the order service to open an order.",
        K::StockReservationRequested => "The saga asked inventory to reserve the order's lines.",
        K::FraudCheckRequested => "The saga asked fraud detection to score the order.",
        K::PaymentRequested => "The saga asked payment to charge the order.",
        K::ShipmentRequested => "The saga asked shipping to dispatch the order.",
        K::NotificationRequested => "The saga asked notification to email the customer.",
        K::StockReleaseRequested => {
            "Compensation: the saga asked inventory to release the order's stock."
        }
        K::OrderCancellationRequested => {
            "Compensation: the saga asked the order service to cancel (and refund)."
        }
        K::SagaStepTimedOut => "A participant did not answer in time; the saga stopped waiting.",
        K::SagaCompleted => "The checkout saga finished: the order shipped.",
        K::SagaCompensated => "The checkout saga ended by undoing what it had done.",
    }
}

fn field_schema(field: FieldType) -> Value {
    match field {
        FieldType::Order => {
            json!({"type": "string", "pattern": "^O-[0-9]{4,}$", "description": "an order number"})
        }
        FieldType::MaybeOrder => json!({"type": ["string", "null"], "pattern": "^O-[0-9]{4,}$"}),
        FieldType::Customer => {
            json!({"type": "string", "pattern": "^C-[0-9]{3,}$", "description": "a customer"})
        }
        FieldType::Sku => {
            json!({"type": "string", "pattern": "^SKU-[0-9]{2,}$", "description": "a product"})
        }
        FieldType::Cents => json!({"type": "integer", "description": "an amount in cents"}),
        FieldType::Quantity => json!({"type": "integer", "minimum": 1}),
        FieldType::Score => json!({"type": "integer", "minimum": 0, "maximum": 100}),
        FieldType::Text => json!({"type": "string"}),
        FieldType::Lines => json!({
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "sku": field_schema(FieldType::Sku),
                    "quantity": field_schema(FieldType::Quantity),
                    "unit_price": field_schema(FieldType::Cents),
                },
                "required": ["sku", "quantity", "unit_price"],
                "additionalProperties": false,
            },
        }),
    }
}

/// The JSON Schema (draft 7) of an event type's payload, version 1.
pub fn schema(kind: K) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (name, field) in fields(kind) {
        properties.insert(name.to_string(), field_schema(*field));
        if *field != FieldType::MaybeOrder {
            required.push(json!(name));
        }
    }
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": kind.name(),
        "description": description(kind),
        "type": "object",
        "properties": properties,
        "required": required,
        // Closed: a payload has exactly these fields, which is also what makes adding an
        // optional field a backward-compatible change (Confluent's rules for open models
        // treat any added property as a possible clash with what old writers put there).
        "additionalProperties": false,
    })
}

/// A realistic payload of each type.
pub fn example(kind: K) -> ShopEvent {
    let (order, customer, sku) = (OrderId(42), CustomerId(7), Sku(3));
    let lines = vec![OrderLine {
        sku,
        quantity: 2,
        unit_price: Money(1_900),
    }];
    let total = Money(3_800);
    match kind {
        K::ItemAddedToCart => ShopEvent::ItemAddedToCart {
            customer,
            sku,
            quantity: 2,
            unit_price: Money(1_900),
        },
        K::ItemRemovedFromCart => ShopEvent::ItemRemovedFromCart {
            customer,
            sku,
            quantity: 1,
        },
        K::CartCheckedOut => ShopEvent::CartCheckedOut {
            customer,
            lines,
            total,
        },
        K::OrderPlaced => ShopEvent::OrderPlaced {
            order,
            customer,
            lines,
            total,
        },
        K::PaymentProcessed => ShopEvent::PaymentProcessed {
            order,
            customer,
            amount: total,
        },
        K::PaymentFailed => ShopEvent::PaymentFailed {
            order,
            customer,
            amount: total,
            reason: "card declined".into(),
        },
        K::ShipmentDispatched => ShopEvent::ShipmentDispatched {
            order,
            customer,
            carrier: "DHL".into(),
            lines,
        },
        K::OrderCancelled => ShopEvent::OrderCancelled {
            order,
            customer,
            reason: "customer changed their mind".into(),
            refunded: total,
        },
        K::StockReceived => ShopEvent::StockReceived { sku, quantity: 400 },
        K::InventoryReserved => ShopEvent::InventoryReserved {
            sku,
            order,
            quantity: 2,
        },
        K::InventoryReleased => ShopEvent::InventoryReleased {
            sku,
            order,
            quantity: 2,
        },
        K::ProductViewed => ShopEvent::ProductViewed { customer, sku },
        K::FraudCheckPassed => ShopEvent::FraudCheckPassed {
            order,
            customer,
            score: 12,
            amount: total,
        },
        K::FraudCheckFailed => ShopEvent::FraudCheckFailed {
            order,
            customer,
            score: 98,
        },
        K::EmailSent => ShopEvent::EmailSent {
            customer,
            order: Some(order),
            template: "order-confirmation".into(),
        },
        K::RecommendationsUpdated => ShopEvent::RecommendationsUpdated { customer, top: sku },
        K::ChaosModeEnabled => ShopEvent::ChaosModeEnabled {
            reason: "game day".into(),
        },
        K::ChaosModeDisabled => ShopEvent::ChaosModeDisabled {},
        K::SagaStarted => ShopEvent::SagaStarted {
            customer,
            lines,
            total,
        },
        K::OrderCreationRequested => ShopEvent::OrderCreationRequested { customer, lines },
        K::StockReservationRequested => ShopEvent::StockReservationRequested { order, lines },
        K::FraudCheckRequested => ShopEvent::FraudCheckRequested {
            order,
            customer,
            amount: total,
        },
        K::PaymentRequested => ShopEvent::PaymentRequested {
            order,
            amount: total,
        },
        K::ShipmentRequested => ShopEvent::ShipmentRequested { order },
        K::NotificationRequested => ShopEvent::NotificationRequested {
            customer,
            order,
            template: "order-confirmation".into(),
        },
        K::StockReleaseRequested => ShopEvent::StockReleaseRequested { order, lines },
        K::OrderCancellationRequested => ShopEvent::OrderCancellationRequested {
            order,
            reason: "payment failed".into(),
        },
        K::SagaStepTimedOut => ShopEvent::SagaStepTimedOut {
            order: Some(order),
            step: "shipping".into(),
        },
        K::SagaCompleted => ShopEvent::SagaCompleted { order },
        K::SagaCompensated => ShopEvent::SagaCompensated {
            order: Some(order),
            reason: "payment failed".into(),
        },
    }
}

/// The payload of an event alone, as it travels in the envelope's `payload` field.
pub fn payload(event: &ShopEvent) -> Value {
    match serde_json::to_value(event) {
        Ok(Value::Object(mut map)) => map.remove("payload").unwrap_or(Value::Object(Map::new())),
        _ => Value::Object(Map::new()),
    }
}

/// Someone who publishes or consumes an event type.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Party {
    pub name: &'static str,
    /// "service", "source" or "read model".
    pub role: &'static str,
    /// The coordination models in which the party takes part ("both" for read models and sources).
    pub modes: Vec<Mode>,
}

fn merge(parties: &mut Vec<Party>, name: &'static str, role: &'static str, mode: Option<Mode>) {
    match parties.iter_mut().find(|p| p.name == name) {
        Some(party) => {
            if let Some(mode) = mode {
                if !party.modes.contains(&mode) {
                    party.modes.push(mode);
                }
            }
        }
        None => parties.push(Party {
            name,
            role,
            modes: mode.into_iter().collect(),
        }),
    }
}

/// Who publishes `kind`, in either model.
pub fn producers(kind: K) -> Vec<Party> {
    let mut parties = Vec::new();
    for mode in [Mode::Choreography, Mode::Orchestration] {
        let graph = for_mode(mode);
        for edge in graph.edges.iter().filter(|e| e.kinds.contains(&kind)) {
            let role = if matches!(edge.from, Node::Service(_)) {
                "service"
            } else {
                "source"
            };
            merge(&mut parties, edge.from.name(), role, Some(mode));
        }
    }
    // A published type nobody consumes still has a producer: the aggregate or service behind it.
    for mode in [Mode::Choreography, Mode::Orchestration] {
        for service in super::services::services_for(mode) {
            if service.declaration().publishes.contains(&kind) {
                merge(&mut parties, service.name().name(), "service", Some(mode));
            }
        }
    }
    parties.sort();
    parties
}

/// Who consumes `kind`: services (by model) and read models. These break if it changes badly.
pub fn consumers(kind: K) -> Vec<Party> {
    let mut parties = Vec::new();
    for mode in [Mode::Choreography, Mode::Orchestration] {
        for service in super::services::services_for(mode) {
            if service.declaration().consumes.contains(&kind) {
                merge(&mut parties, service.name().name(), "service", Some(mode));
            }
        }
    }
    for model in built_in() {
        if model.consumes().contains(&kind) {
            merge(&mut parties, model.name(), "read model", None);
        }
    }
    parties.sort();
    parties
}

/// The catalog as an AsyncAPI 3.0 document: a channel and a message per event type, and a send
/// and a receive operation per service that publishes or consumes it.
pub fn asyncapi() -> Value {
    asyncapi_with(|_| None)
}

/// The same document with each type's payload schema as `latest` gives it (a session's newest
/// registered version, which its consumers read); the built-in schema where it gives none.
pub fn asyncapi_with(latest: impl Fn(K) -> Option<Value>) -> Value {
    let mut channels = Map::new();
    let mut operations = Map::new();
    let mut messages = Map::new();
    for &kind in K::ALL {
        let name = kind.name();
        messages.insert(
            name.to_string(),
            json!({
                "name": name,
                "title": name,
                "summary": description(kind),
                "contentType": "application/json",
                "correlationId": {"$ref": "#/components/correlationIds/flow"},
                "headers": envelope_headers(),
                "payload": latest(kind).unwrap_or_else(|| schema(kind)),
                "examples": [{"name": "example", "payload": payload(&example(kind))}],
            }),
        );
        channels.insert(
            name.to_string(),
            json!({
                "address": format!("shop.{}", kebab(name)),
                "description": description(kind),
                "messages": {name: {"$ref": format!("#/components/messages/{name}")}},
            }),
        );
        let mut operation = |party: &Party, action: &str| {
            let id = format!("{}_{}_{}", party.name.replace(' ', ""), action, name);
            operations.insert(
                id,
                json!({
                    "action": action,
                    "channel": {"$ref": format!("#/channels/{name}")},
                    "summary": format!("{} {} {}", party.name, if action == "send" { "publishes" } else { "consumes" }, name),
                    "messages": [{"$ref": format!("#/channels/{name}/messages/{name}")}],
                }),
            );
        };
        for party in producers(kind).iter().filter(|p| p.role != "read model") {
            operation(party, "send");
        }
        for party in consumers(kind).iter().filter(|p| p.role == "service") {
            operation(party, "receive");
        }
    }
    json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": "Eventide shop",
            "version": "1.0.0",
            "description": "Every event the Eventide shop records, who publishes it and who consumes it, in choreography and in orchestration.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "correlationIds": {
                "flow": {
                    "description": "Every event of one business flow (one checkout) shares this id.",
                    "location": "$message.header#/correlation_id",
                },
            },
        },
    })
}

/// The envelope fields that travel beside the payload.
fn envelope_headers() -> Value {
    let uuid = json!({"type": "string", "format": "uuid"});
    json!({
        "type": "object",
        "properties": {
            "event_id": uuid,
            "event_type": {"type": "string"},
            "schema_version": {"type": "integer", "minimum": 1},
            "aggregate_type": {"type": "string"},
            "aggregate_id": {"type": "string"},
            "aggregate_version": {"type": "integer", "minimum": 1},
            "position": {"type": "integer", "minimum": 1},
            "recorded_at": {"type": "string", "format": "date-time"},
            "correlation_id": uuid,
            "causation_id": {"type": ["string", "null"], "format": "uuid"},
        },
        "required": ["event_id", "event_type", "schema_version", "aggregate_type", "aggregate_id", "aggregate_version", "position", "recorded_at", "correlation_id"],
    })
}

/// `OrderPlaced` as `order-placed`.
fn kebab(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventide_engine::envelope::DomainEvent;

    #[test]
    fn every_example_has_every_required_field_of_its_schema() {
        for &kind in K::ALL {
            assert_eq!(example(kind).kind(), kind);
            let example = payload(&example(kind));
            let schema = schema(kind);
            for field in schema["required"].as_array().into_iter().flatten() {
                let name = field.as_str().unwrap_or_default();
                assert!(
                    example.get(name).is_some(),
                    "{} example lacks {name}",
                    kind.name()
                );
            }
            let declared: Vec<&String> = schema["properties"]
                .as_object()
                .map(|p| p.keys().collect())
                .unwrap_or_default();
            for key in example.as_object().into_iter().flat_map(|o| o.keys()) {
                assert!(
                    declared.contains(&key),
                    "{} schema lacks {key}",
                    kind.name()
                );
            }
        }
    }

    #[test]
    fn order_placed_reaches_services_and_read_models() {
        let names: Vec<&str> = consumers(K::OrderPlaced).iter().map(|p| p.name).collect();
        for expected in [
            "Inventory",
            "FraudDetection",
            "Notification",
            "CheckoutSaga",
            "Orders",
            "Activity",
        ] {
            assert!(
                names.contains(&expected),
                "{expected} missing from {names:?}"
            );
        }
        let producers: Vec<&str> = producers(K::OrderPlaced).iter().map(|p| p.name).collect();
        assert_eq!(producers, ["Order"]);
    }

    #[test]
    fn the_asyncapi_document_carries_the_newest_schema_it_is_given() {
        let newer = json!({"type": "object", "properties": {"total": {"type": "integer"}}});
        let doc = asyncapi_with(|kind| (kind == K::OrderPlaced).then(|| newer.clone()));
        assert_eq!(
            doc["components"]["messages"]["OrderPlaced"]["payload"],
            newer
        );
        // The others keep the built-in schema.
        let paid = &doc["components"]["messages"]["PaymentProcessed"]["payload"];
        assert!(paid.is_object(), "{paid}");
        assert_eq!(*paid, schema(K::PaymentProcessed));
    }

    #[test]
    fn the_asyncapi_document_has_a_channel_message_and_operations_per_type() {
        let doc = asyncapi();
        assert_eq!(doc["asyncapi"], "3.0.0");
        for &kind in K::ALL {
            assert!(doc["channels"][kind.name()].is_object());
            assert!(doc["components"]["messages"][kind.name()]["payload"].is_object());
        }
        let operations = doc["operations"].as_object().map_or(0, |o| o.len());
        assert!(operations > K::ALL.len());
        assert_eq!(kebab("OrderPlaced"), "order-placed");
    }
}
