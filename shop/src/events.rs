//! The shop's domain events: past-tense facts, each carrying everything a consumer needs to react
//! without asking anyone (the customer on a payment, the lines on a shipment).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ids::{CustomerId, Money, OrderId, Sku};
use eventide_engine::envelope::{DomainEvent, Named, StreamKey};
use eventide_engine::ids::CorrelationId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OrderLine {
    pub sku: Sku,
    pub quantity: u32,
    pub unit_price: Money,
}

impl OrderLine {
    pub fn total(&self) -> Money {
        self.unit_price.times(self.quantity)
    }
}

/// Every fact the shop records. Serialised adjacently tagged (`event_type` and `payload`), the
/// two fields of the envelope that carry the fact itself.
///
/// The derives are `remote = "Self"`: they write inherent functions, and the trait impls below
/// call them. Reading goes through one `serde_json::Value` so the derived reader, the largest
/// function in the bundle, is compiled once rather than once per deserializer. A `Value` keeps
/// the last of a key written twice, as the interchange's reader always did (a recipe link's
/// injected event with a repeated key was refused before); errors no longer name a column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self", tag = "event_type", content = "payload")]
pub enum ShopEvent {
    ItemAddedToCart {
        customer: CustomerId,
        sku: Sku,
        quantity: u32,
        unit_price: Money,
    },
    ItemRemovedFromCart {
        customer: CustomerId,
        sku: Sku,
        quantity: u32,
    },
    CartCheckedOut {
        customer: CustomerId,
        lines: Vec<OrderLine>,
        total: Money,
    },
    OrderPlaced {
        order: OrderId,
        customer: CustomerId,
        lines: Vec<OrderLine>,
        total: Money,
    },
    PaymentProcessed {
        order: OrderId,
        customer: CustomerId,
        amount: Money,
    },
    PaymentFailed {
        order: OrderId,
        customer: CustomerId,
        amount: Money,
        reason: String,
    },
    ShipmentDispatched {
        order: OrderId,
        customer: CustomerId,
        carrier: String,
        lines: Vec<OrderLine>,
    },
    OrderCancelled {
        order: OrderId,
        customer: CustomerId,
        reason: String,
        /// What was paid and is now refunded: zero for an unpaid order.
        refunded: Money,
    },
    StockReceived {
        sku: Sku,
        quantity: u32,
    },
    InventoryReserved {
        sku: Sku,
        order: OrderId,
        quantity: u32,
    },
    InventoryReleased {
        sku: Sku,
        order: OrderId,
        quantity: u32,
    },
    /// A customer looked at a product: browsing, the first of the storefront's events.
    ProductViewed {
        customer: CustomerId,
        sku: Sku,
    },
    FraudCheckPassed {
        order: OrderId,
        customer: CustomerId,
        /// 0 (harmless) to 100 (certainly fraud).
        score: u8,
        /// The order's total, so the payment service needs to ask no one.
        amount: Money,
    },
    FraudCheckFailed {
        order: OrderId,
        customer: CustomerId,
        score: u8,
    },
    EmailSent {
        customer: CustomerId,
        order: Option<OrderId>,
        template: String,
    },
    RecommendationsUpdated {
        customer: CustomerId,
        top: Sku,
    },
    /// The chaos-engineering platform switched chaos on: services brace themselves.
    ChaosModeEnabled {
        reason: String,
    },
    ChaosModeDisabled {},
    /// The checkout saga took a checkout on: it will command each step in turn.
    SagaStarted {
        customer: CustomerId,
        lines: Vec<OrderLine>,
        total: Money,
    },
    OrderCreationRequested {
        customer: CustomerId,
        lines: Vec<OrderLine>,
    },
    StockReservationRequested {
        order: OrderId,
        lines: Vec<OrderLine>,
    },
    FraudCheckRequested {
        order: OrderId,
        customer: CustomerId,
        amount: Money,
    },
    PaymentRequested {
        order: OrderId,
        amount: Money,
    },
    ShipmentRequested {
        order: OrderId,
    },
    NotificationRequested {
        customer: CustomerId,
        order: OrderId,
        template: String,
    },
    /// Compensation: give back the stock a failed saga had reserved.
    StockReleaseRequested {
        order: OrderId,
        lines: Vec<OrderLine>,
    },
    /// Compensation: cancel (and refund) the order of a failed saga.
    OrderCancellationRequested {
        order: OrderId,
        reason: String,
    },
    /// A participant did not answer in time: the saga stops waiting and compensates.
    SagaStepTimedOut {
        order: Option<OrderId>,
        step: String,
    },
    SagaCompleted {
        order: OrderId,
    },
    /// The saga ended by undoing what it had done.
    SagaCompensated {
        order: Option<OrderId>,
        reason: String,
    },
}

impl Serialize for ShopEvent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ShopEvent::serialize(self, serializer)
    }
}

impl<'de> Deserialize<'de> for ShopEvent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let tagged = serde_json::Value::deserialize(deserializer)?;
        ShopEvent::from_tagged(tagged).map_err(serde::de::Error::custom)
    }
}

impl ShopEvent {
    /// The event in its adjacently tagged JSON: the one instance of the derived reader.
    #[inline(never)]
    fn from_tagged(tagged: serde_json::Value) -> serde_json::Result<ShopEvent> {
        ShopEvent::deserialize(tagged)
    }
}

/// The event types, as a closed set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ShopEventKind {
    ItemAddedToCart,
    ItemRemovedFromCart,
    CartCheckedOut,
    OrderPlaced,
    PaymentProcessed,
    PaymentFailed,
    ShipmentDispatched,
    OrderCancelled,
    StockReceived,
    InventoryReserved,
    InventoryReleased,
    ProductViewed,
    FraudCheckPassed,
    FraudCheckFailed,
    EmailSent,
    RecommendationsUpdated,
    ChaosModeEnabled,
    ChaosModeDisabled,
    SagaStarted,
    OrderCreationRequested,
    StockReservationRequested,
    FraudCheckRequested,
    PaymentRequested,
    ShipmentRequested,
    NotificationRequested,
    StockReleaseRequested,
    OrderCancellationRequested,
    SagaStepTimedOut,
    SagaCompleted,
    SagaCompensated,
}

impl Named for ShopEventKind {
    const ALL: &'static [Self] = &[
        Self::ItemAddedToCart,
        Self::ItemRemovedFromCart,
        Self::CartCheckedOut,
        Self::OrderPlaced,
        Self::PaymentProcessed,
        Self::PaymentFailed,
        Self::ShipmentDispatched,
        Self::OrderCancelled,
        Self::StockReceived,
        Self::InventoryReserved,
        Self::InventoryReleased,
        Self::ProductViewed,
        Self::FraudCheckPassed,
        Self::FraudCheckFailed,
        Self::EmailSent,
        Self::RecommendationsUpdated,
        Self::ChaosModeEnabled,
        Self::ChaosModeDisabled,
        Self::SagaStarted,
        Self::OrderCreationRequested,
        Self::StockReservationRequested,
        Self::FraudCheckRequested,
        Self::PaymentRequested,
        Self::ShipmentRequested,
        Self::NotificationRequested,
        Self::StockReleaseRequested,
        Self::OrderCancellationRequested,
        Self::SagaStepTimedOut,
        Self::SagaCompleted,
        Self::SagaCompensated,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::ItemAddedToCart => "ItemAddedToCart",
            Self::ItemRemovedFromCart => "ItemRemovedFromCart",
            Self::CartCheckedOut => "CartCheckedOut",
            Self::OrderPlaced => "OrderPlaced",
            Self::PaymentProcessed => "PaymentProcessed",
            Self::PaymentFailed => "PaymentFailed",
            Self::ShipmentDispatched => "ShipmentDispatched",
            Self::OrderCancelled => "OrderCancelled",
            Self::StockReceived => "StockReceived",
            Self::InventoryReserved => "InventoryReserved",
            Self::InventoryReleased => "InventoryReleased",
            Self::ProductViewed => "ProductViewed",
            Self::FraudCheckPassed => "FraudCheckPassed",
            Self::FraudCheckFailed => "FraudCheckFailed",
            Self::EmailSent => "EmailSent",
            Self::RecommendationsUpdated => "RecommendationsUpdated",
            Self::ChaosModeEnabled => "ChaosModeEnabled",
            Self::ChaosModeDisabled => "ChaosModeDisabled",
            Self::SagaStarted => "SagaStarted",
            Self::OrderCreationRequested => "OrderCreationRequested",
            Self::StockReservationRequested => "StockReservationRequested",
            Self::FraudCheckRequested => "FraudCheckRequested",
            Self::PaymentRequested => "PaymentRequested",
            Self::ShipmentRequested => "ShipmentRequested",
            Self::NotificationRequested => "NotificationRequested",
            Self::StockReleaseRequested => "StockReleaseRequested",
            Self::OrderCancellationRequested => "OrderCancellationRequested",
            Self::SagaStepTimedOut => "SagaStepTimedOut",
            Self::SagaCompleted => "SagaCompleted",
            Self::SagaCompensated => "SagaCompensated",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl ShopEventKind {
    /// Whether the event records the unhappy path: something failed, was refused, cancelled,
    /// timed out, or is being undone (a compensation). Views draw these apart; everything else
    /// (an order placed, a shipment dispatched, an email sent) is business going as it should.
    pub fn is_failure(self) -> bool {
        match self {
            Self::PaymentFailed
            | Self::FraudCheckFailed
            | Self::OrderCancelled
            | Self::InventoryReleased
            | Self::StockReleaseRequested
            | Self::OrderCancellationRequested
            | Self::SagaStepTimedOut
            | Self::SagaCompensated => true,
            Self::ItemAddedToCart
            | Self::ItemRemovedFromCart
            | Self::CartCheckedOut
            | Self::OrderPlaced
            | Self::PaymentProcessed
            | Self::ShipmentDispatched
            | Self::StockReceived
            | Self::InventoryReserved
            | Self::ProductViewed
            | Self::FraudCheckPassed
            | Self::EmailSent
            | Self::RecommendationsUpdated
            | Self::ChaosModeEnabled
            | Self::ChaosModeDisabled
            | Self::SagaStarted
            | Self::OrderCreationRequested
            | Self::StockReservationRequested
            | Self::FraudCheckRequested
            | Self::PaymentRequested
            | Self::ShipmentRequested
            | Self::NotificationRequested
            | Self::SagaCompleted => false,
        }
    }
}

impl fmt::Display for ShopEventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The aggregate types: each is a consistency boundary with its own streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AggregateType {
    Cart,
    Order,
    Inventory,
    FraudCheck,
    Mailbox,
    Profile,
    Platform,
    Saga,
}

impl Named for AggregateType {
    const ALL: &'static [Self] = &[
        Self::Cart,
        Self::Order,
        Self::Inventory,
        Self::FraudCheck,
        Self::Mailbox,
        Self::Profile,
        Self::Platform,
        Self::Saga,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Cart => "Cart",
            Self::Order => "Order",
            Self::Inventory => "Inventory",
            Self::FraudCheck => "FraudCheck",
            Self::Mailbox => "Mailbox",
            Self::Profile => "Profile",
            Self::Platform => "Platform",
            Self::Saga => "Saga",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl AggregateType {
    /// Whether this aggregate's events are decided by an aggregate's rules (commands only), or
    /// recorded directly by the service that owns the stream (a fraud verdict, a sent email).
    pub fn is_ruled(self) -> bool {
        matches!(self, Self::Cart | Self::Order | Self::Inventory)
    }
}

/// One aggregate instance: a customer's cart, an order, or the stock of one product; or a
/// service-owned stream: an order's fraud check, a customer's mailbox and profile, the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ShopStream {
    Cart(CustomerId),
    Order(OrderId),
    Inventory(Sku),
    FraudCheck(OrderId),
    Mailbox(CustomerId),
    Profile(CustomerId),
    Platform,
    /// One checkout saga, keyed by the flow it coordinates.
    Saga(CorrelationId),
}

impl StreamKey for ShopStream {
    type Category = AggregateType;

    fn category(&self) -> AggregateType {
        match self {
            ShopStream::Cart(_) => AggregateType::Cart,
            ShopStream::Order(_) => AggregateType::Order,
            ShopStream::Inventory(_) => AggregateType::Inventory,
            ShopStream::FraudCheck(_) => AggregateType::FraudCheck,
            ShopStream::Mailbox(_) => AggregateType::Mailbox,
            ShopStream::Profile(_) => AggregateType::Profile,
            ShopStream::Platform => AggregateType::Platform,
            ShopStream::Saga(_) => AggregateType::Saga,
        }
    }
}

impl fmt::Display for ShopStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShopStream::Cart(customer) => write!(f, "{customer}"),
            ShopStream::Order(order) => write!(f, "{order}"),
            ShopStream::Inventory(sku) => write!(f, "{sku}"),
            ShopStream::FraudCheck(order) => write!(f, "{order}"),
            ShopStream::Mailbox(customer) | ShopStream::Profile(customer) => {
                write!(f, "{customer}")
            }
            ShopStream::Platform => f.write_str("platform"),
            ShopStream::Saga(flow) => write!(f, "saga-{}", flow.short()),
        }
    }
}

impl DomainEvent for ShopEvent {
    type Kind = ShopEventKind;
    type Stream = ShopStream;

    fn kind(&self) -> ShopEventKind {
        match self {
            ShopEvent::ItemAddedToCart { .. } => ShopEventKind::ItemAddedToCart,
            ShopEvent::ItemRemovedFromCart { .. } => ShopEventKind::ItemRemovedFromCart,
            ShopEvent::CartCheckedOut { .. } => ShopEventKind::CartCheckedOut,
            ShopEvent::OrderPlaced { .. } => ShopEventKind::OrderPlaced,
            ShopEvent::PaymentProcessed { .. } => ShopEventKind::PaymentProcessed,
            ShopEvent::PaymentFailed { .. } => ShopEventKind::PaymentFailed,
            ShopEvent::ShipmentDispatched { .. } => ShopEventKind::ShipmentDispatched,
            ShopEvent::OrderCancelled { .. } => ShopEventKind::OrderCancelled,
            ShopEvent::StockReceived { .. } => ShopEventKind::StockReceived,
            ShopEvent::InventoryReserved { .. } => ShopEventKind::InventoryReserved,
            ShopEvent::InventoryReleased { .. } => ShopEventKind::InventoryReleased,
            ShopEvent::ProductViewed { .. } => ShopEventKind::ProductViewed,
            ShopEvent::FraudCheckPassed { .. } => ShopEventKind::FraudCheckPassed,
            ShopEvent::FraudCheckFailed { .. } => ShopEventKind::FraudCheckFailed,
            ShopEvent::EmailSent { .. } => ShopEventKind::EmailSent,
            ShopEvent::RecommendationsUpdated { .. } => ShopEventKind::RecommendationsUpdated,
            ShopEvent::ChaosModeEnabled { .. } => ShopEventKind::ChaosModeEnabled,
            ShopEvent::ChaosModeDisabled { .. } => ShopEventKind::ChaosModeDisabled,
            ShopEvent::SagaStarted { .. } => ShopEventKind::SagaStarted,
            ShopEvent::OrderCreationRequested { .. } => ShopEventKind::OrderCreationRequested,
            ShopEvent::StockReservationRequested { .. } => ShopEventKind::StockReservationRequested,
            ShopEvent::FraudCheckRequested { .. } => ShopEventKind::FraudCheckRequested,
            ShopEvent::PaymentRequested { .. } => ShopEventKind::PaymentRequested,
            ShopEvent::ShipmentRequested { .. } => ShopEventKind::ShipmentRequested,
            ShopEvent::NotificationRequested { .. } => ShopEventKind::NotificationRequested,
            ShopEvent::StockReleaseRequested { .. } => ShopEventKind::StockReleaseRequested,
            ShopEvent::OrderCancellationRequested { .. } => {
                ShopEventKind::OrderCancellationRequested
            }
            ShopEvent::SagaStepTimedOut { .. } => ShopEventKind::SagaStepTimedOut,
            ShopEvent::SagaCompleted { .. } => ShopEventKind::SagaCompleted,
            ShopEvent::SagaCompensated { .. } => ShopEventKind::SagaCompensated,
        }
    }
}

impl ShopEvent {
    /// The stream this event belongs to: which aggregate recorded it. A saga's events belong
    /// to the flow it coordinates, so they need the flow's correlation id: see [`Self::stream_in`].
    pub fn stream(&self) -> Option<ShopStream> {
        Some(match self {
            ShopEvent::ItemAddedToCart { customer, .. }
            | ShopEvent::ItemRemovedFromCart { customer, .. }
            | ShopEvent::CartCheckedOut { customer, .. }
            | ShopEvent::ProductViewed { customer, .. } => ShopStream::Cart(*customer),
            ShopEvent::OrderPlaced { order, .. }
            | ShopEvent::PaymentProcessed { order, .. }
            | ShopEvent::PaymentFailed { order, .. }
            | ShopEvent::ShipmentDispatched { order, .. }
            | ShopEvent::OrderCancelled { order, .. } => ShopStream::Order(*order),
            ShopEvent::StockReceived { sku, .. }
            | ShopEvent::InventoryReserved { sku, .. }
            | ShopEvent::InventoryReleased { sku, .. } => ShopStream::Inventory(*sku),
            ShopEvent::FraudCheckPassed { order, .. }
            | ShopEvent::FraudCheckFailed { order, .. } => ShopStream::FraudCheck(*order),
            ShopEvent::EmailSent { customer, .. } => ShopStream::Mailbox(*customer),
            ShopEvent::RecommendationsUpdated { customer, .. } => ShopStream::Profile(*customer),
            ShopEvent::ChaosModeEnabled { .. } | ShopEvent::ChaosModeDisabled { .. } => {
                ShopStream::Platform
            }
            ShopEvent::SagaStarted { .. }
            | ShopEvent::OrderCreationRequested { .. }
            | ShopEvent::StockReservationRequested { .. }
            | ShopEvent::FraudCheckRequested { .. }
            | ShopEvent::PaymentRequested { .. }
            | ShopEvent::ShipmentRequested { .. }
            | ShopEvent::NotificationRequested { .. }
            | ShopEvent::StockReleaseRequested { .. }
            | ShopEvent::OrderCancellationRequested { .. }
            | ShopEvent::SagaStepTimedOut { .. }
            | ShopEvent::SagaCompleted { .. }
            | ShopEvent::SagaCompensated { .. } => return None,
        })
    }

    /// The stream this event belongs to when it happens in the flow `flow`.
    pub fn stream_in(&self, flow: CorrelationId) -> ShopStream {
        self.stream().unwrap_or(ShopStream::Saga(flow))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_past_tense_name_and_a_dense_index() {
        for (i, kind) in ShopEventKind::ALL.iter().enumerate() {
            assert_eq!(kind.index(), i);
            assert_eq!(ShopEventKind::from_name(kind.name()), Some(*kind));
            let name = kind.name();
            let words = camel_case_words(name);
            assert!(
                words
                    .iter()
                    .any(|word| word.ends_with("ed") || *word == "Sent"),
                "{name} should be past tense"
            );
        }
    }

    fn camel_case_words(name: &str) -> Vec<&str> {
        let starts: Vec<usize> = name
            .char_indices()
            .filter(|(_, c)| c.is_ascii_uppercase())
            .map(|(i, _)| i)
            .chain([name.len()])
            .collect();
        starts
            .windows(2)
            .map(|pair| &name[pair[0]..pair[1]])
            .collect()
    }

    #[test]
    fn only_the_unhappy_path_is_a_failure() {
        let failures: Vec<&str> = ShopEventKind::ALL
            .iter()
            .filter(|kind| kind.is_failure())
            .map(|kind| kind.name())
            .collect();
        assert!(!ShopEventKind::ShipmentDispatched.is_failure());
        assert!(!ShopEventKind::PaymentProcessed.is_failure());
        for name in &failures {
            assert!(
                [
                    "Failed",
                    "Cancel",
                    "Released",
                    "Release",
                    "TimedOut",
                    "Compensated"
                ]
                .iter()
                .any(|word| name.contains(word)),
                "{name} is a failure, but its name does not say so"
            );
        }
        assert!(failures.contains(&"PaymentFailed") && failures.contains(&"SagaStepTimedOut"));
    }

    #[test]
    fn events_serialise_as_type_and_payload() {
        let event = ShopEvent::StockReceived {
            sku: Sku(3),
            quantity: 10,
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"event_type": "StockReceived", "payload": {"sku": "SKU-03", "quantity": 10}})
        );
        assert_eq!(serde_json::from_value::<ShopEvent>(json).unwrap(), event);
    }
}
