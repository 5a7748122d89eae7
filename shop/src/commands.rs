//! Commands: imperative requests that an aggregate may refuse. A refusal is a typed
//! [`Rejection`] that says which rule stopped it, never a panic and never a half-applied change.

use serde::{Deserialize, Serialize};

use super::ids::{CustomerId, Money, OrderId, Sku};

/// A line as the customer asks for it: the price is the shop's business, looked up at handling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestedLine {
    pub sku: Sku,
    pub quantity: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentOutcome {
    Approved,
    Declined { reason: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShopCommand {
    ViewProduct {
        customer: CustomerId,
        sku: Sku,
    },
    AddItemToCart {
        customer: CustomerId,
        sku: Sku,
        quantity: u32,
    },
    RemoveItemFromCart {
        customer: CustomerId,
        sku: Sku,
        quantity: u32,
    },
    CheckOutCart {
        customer: CustomerId,
    },
    /// Opens a new order with the next order number.
    PlaceOrder {
        customer: CustomerId,
        lines: Vec<RequestedLine>,
    },
    /// The payment provider's answer is part of the command: the engine never rolls dice.
    ProcessPayment {
        order: OrderId,
        outcome: PaymentOutcome,
    },
    ReserveInventory {
        order: OrderId,
        sku: Sku,
        quantity: u32,
    },
    ReleaseInventory {
        order: OrderId,
        sku: Sku,
        quantity: u32,
    },
    RestockInventory {
        sku: Sku,
        quantity: u32,
    },
    DispatchShipment {
        order: OrderId,
        carrier: String,
    },
    CancelOrder {
        order: OrderId,
        reason: String,
    },
}

impl ShopCommand {
    /// The command's name, in the imperative.
    pub fn name(&self) -> &'static str {
        match self {
            ShopCommand::ViewProduct { .. } => "ViewProduct",
            ShopCommand::AddItemToCart { .. } => "AddItemToCart",
            ShopCommand::RemoveItemFromCart { .. } => "RemoveItemFromCart",
            ShopCommand::CheckOutCart { .. } => "CheckOutCart",
            ShopCommand::PlaceOrder { .. } => "PlaceOrder",
            ShopCommand::ProcessPayment { .. } => "ProcessPayment",
            ShopCommand::ReserveInventory { .. } => "ReserveInventory",
            ShopCommand::ReleaseInventory { .. } => "ReleaseInventory",
            ShopCommand::RestockInventory { .. } => "RestockInventory",
            ShopCommand::DispatchShipment { .. } => "DispatchShipment",
            ShopCommand::CancelOrder { .. } => "CancelOrder",
        }
    }
}

/// Why a command was refused: a business rule, named.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("{0} is not in the catalog")]
    UnknownProduct(Sku),
    #[error("quantity must be at least 1")]
    ZeroQuantity,
    #[error("an order needs at least one line")]
    EmptyOrder,
    #[error("{customer}'s cart has no {sku} to remove")]
    NotInCart { customer: CustomerId, sku: Sku },
    #[error("{0}'s cart is empty")]
    EmptyCart(CustomerId),
    #[error("there is no order {0}")]
    UnknownOrder(OrderId),
    #[error("{0} is already paid")]
    AlreadyPaid(OrderId),
    #[error("{0} is not paid yet: an unpaid order cannot be dispatched")]
    NotPaid(OrderId),
    #[error("{0} has already been dispatched")]
    AlreadyDispatched(OrderId),
    #[error("{0} is cancelled")]
    OrderCancelled(OrderId),
    #[error("only {available} of {sku} available, {requested} requested")]
    OutOfStock {
        sku: Sku,
        available: u32,
        requested: u32,
    },
    #[error("{order} holds no reservation of {quantity} × {sku}")]
    NothingToRelease {
        order: OrderId,
        sku: Sku,
        quantity: u32,
    },
    /// A shipment takes its goods from the shelf, so every unit must be reserved for the order
    /// first: otherwise stock would leave that was never promised (and on hand go negative).
    #[error("{order} cannot ship: it needs {needed} × {sku}, {reserved} reserved for it")]
    NotReserved {
        order: OrderId,
        sku: Sku,
        needed: u64,
        reserved: u32,
    },
    #[error("a carrier is required")]
    NoCarrier,
    #[error("quantity {0} is too large")]
    QuantityTooLarge(u32),
    #[error("{0} events are decided by the {1} aggregate: send it a command instead")]
    DecidedByAggregate(&'static str, &'static str),
    #[error("there is no event at position {0} to react to")]
    UnknownCause(eventide_engine::ids::Position),
}

/// The largest quantity one command may move: keeps stock arithmetic far from overflow.
pub const MAX_QUANTITY: u32 = 1_000_000;

impl Money {
    /// The total of a set of priced lines.
    pub fn of_lines(lines: &[super::events::OrderLine]) -> Money {
        lines.iter().map(|line| line.total()).sum()
    }
}
