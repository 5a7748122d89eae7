//! Example scripts, one per kind of question: the starting points offered to workshop attendees,
//! and the scripts the tests run over generated logs.

/// What an example is, and so which host type compiles it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExampleKind {
    Projection,
    Policy,
}

#[derive(Clone, Copy, Debug)]
pub struct Example {
    pub name: &'static str,
    pub kind: ExampleKind,
    /// What it answers or does, in a sentence.
    pub description: &'static str,
    pub source: &'static str,
}

pub const EXAMPLES: &[Example] = &[
    Example {
        name: "Orders per customer",
        kind: ExampleKind::Projection,
        description: "How many orders each customer placed, their worth, and the last one.",
        source: include_str!("../examples/orders_per_customer.rhai"),
    },
    Example {
        name: "Revenue per customer",
        kind: ExampleKind::Projection,
        description: "Payments taken minus refunds, per customer, largest first: the built-in Revenue model as a script.",
        source: include_str!("../examples/revenue_per_customer.rhai"),
    },
    Example {
        name: "Fraud: three failed payments",
        kind: ExampleKind::Policy,
        description: "Flags a customer whose payments fail three times within ten minutes, and cancels that order.",
        source: include_str!("../examples/fraud_failed_payments.rhai"),
    },
    Example {
        name: "Loyalty: fifth order shipped",
        kind: ExampleKind::Policy,
        description: "Sends a reward email when a customer's fifth order ships.",
        source: include_str!("../examples/loyalty_fifth_order.rhai"),
    },
    Example {
        name: "Confirmation: each order",
        kind: ExampleKind::Policy,
        description: "Emails a confirmation for every placed order: one reaction per order, the room's lesson in idempotency.",
        source: include_str!("../examples/confirmation_each_order.rhai"),
    },
];
