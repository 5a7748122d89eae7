//! Revenue per customer: "who are our best customers?", largest revenue first.

use std::ops::Range;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::events::{ShopEvent, ShopEventKind, ShopEventKind as K};
use crate::ids::{CustomerId, Money};
use eventide_engine::envelope::{PayloadReads, Recorded};
use eventide_engine::ids::Position;
use eventide_engine::projection::{Cell, ChangeSet, Projection, Row, Wanted};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerRevenue {
    pub orders_paid: u32,
    /// Payments taken minus refunds given.
    pub revenue: Money,
    pub refunded: Money,
    pub last_event: Position,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RevenuePerCustomer {
    /// Shared until written: customers are few next to events, so copying the map once per
    /// checkpoint interval is cheaper than a persistent map on every lookup.
    customers: Rc<FxHashMap<CustomerId, CustomerRevenue>>,
    total: Money,
}

impl RevenuePerCustomer {
    pub fn get(&self, customer: CustomerId) -> Option<&CustomerRevenue> {
        self.customers.get(&customer)
    }

    pub fn total(&self) -> Money {
        self.total
    }

    /// Customers by revenue, largest first (ties by id, so the order is stable).
    pub fn ranked(&self) -> Vec<(CustomerId, &CustomerRevenue)> {
        let mut ranked: Vec<_> = self.customers.iter().map(|(id, r)| (*id, r)).collect();
        ranked.sort_by(|a, b| b.1.revenue.cmp(&a.1.revenue).then(a.0.cmp(&b.0)));
        ranked
    }

    fn customer(&mut self, customer: CustomerId, at: Position) -> &mut CustomerRevenue {
        let entry = Rc::make_mut(&mut self.customers)
            .entry(customer)
            .or_default();
        entry.last_event = at;
        entry
    }
}

fn customer_row(customer: CustomerId, revenue: &CustomerRevenue) -> Row {
    Row {
        key: customer.to_string(),
        cells: vec![
            Cell::Text(customer.to_string()),
            Cell::Count(i64::from(revenue.orders_paid)),
            Cell::Cents(revenue.revenue.cents()),
            Cell::Cents(revenue.refunded.cents()),
            Cell::Event(revenue.last_event),
        ],
    }
}

impl Projection<ShopEvent> for RevenuePerCustomer {
    const NAME: &'static str = "Revenue";
    const QUESTION: &'static str = "How much has each customer spent, net of refunds?";
    const COLUMNS: &'static [&'static str] = &[
        "Customer",
        "Orders paid",
        "Revenue",
        "Refunded",
        "Last event",
    ];
    const CONSUMES: &'static [ShopEventKind] = &[K::PaymentProcessed, K::OrderCancelled];
    const READS: PayloadReads<ShopEventKind> = &[
        (K::PaymentProcessed, &["customer", "amount"]),
        (K::OrderCancelled, &["customer", "refunded"]),
    ];
    type Key = CustomerId;

    fn apply(&mut self, event: &Recorded<ShopEvent>, changes: &mut impl ChangeSet<CustomerId>) {
        let at = event.position;
        match &event.event {
            ShopEvent::PaymentProcessed {
                customer, amount, ..
            } => {
                changes.touched(*customer);
                let entry = self.customer(*customer, at);
                entry.orders_paid += 1;
                entry.revenue = entry.revenue + *amount;
                self.total = self.total + *amount;
            }
            ShopEvent::OrderCancelled {
                customer, refunded, ..
            } if *refunded > Money::ZERO => {
                changes.touched(*customer);
                let entry = self.customer(*customer, at);
                entry.revenue = entry.revenue - *refunded;
                entry.refunded = entry.refunded + *refunded;
                self.total = self.total - *refunded;
            }
            _ => {}
        }
    }

    fn row_count(&self) -> usize {
        self.customers.len()
    }

    fn rows(&self, range: Range<usize>) -> Vec<Row> {
        self.ranked()
            .into_iter()
            .skip(range.start)
            .take(range.len())
            .map(|(customer, revenue)| customer_row(customer, revenue))
            .collect()
    }

    fn row(&self, key: &str) -> Option<Row> {
        let customer = key.parse().ok()?;
        let revenue = self.get(customer)?;
        Some(customer_row(customer, revenue))
    }

    fn row_by_key(&self, customer: &CustomerId) -> Option<Row> {
        Some(customer_row(*customer, self.get(*customer)?))
    }

    fn settles(&self, column: &str, wanted: &Wanted) -> bool {
        // Orders paid and refunds only ever grow; revenue itself can fall with a refund.
        matches!(wanted, Wanted::AtLeast(_))
            && ["Orders paid", "Refunded"]
                .iter()
                .any(|c| c.eq_ignore_ascii_case(column))
    }

    fn unshared_bytes(&self, earlier: &Self) -> usize {
        if Rc::ptr_eq(&self.customers, &earlier.customers) {
            0
        } else {
            self.customers.capacity() * (std::mem::size_of::<(CustomerId, CustomerRevenue)>() + 1)
        }
    }
}
