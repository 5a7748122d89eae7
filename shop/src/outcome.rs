//! The business outcome of a run: what the shop's owners and customers would notice, and nothing
//! that timing may change. Two runs of the same workload (choreography or orchestration, exactly
//! once or through a faulty bus) reach the same business outcome when every order ended with
//! the same lines, status and total, every SKU holds the same stock and every customer paid and
//! was refunded the same.
//!
//! Computed from the read models alone. Order numbers are left out on purpose: they are handed
//! out in the order orders are placed, which delivery timing decides, so the orders are compared
//! as a multiset of what was ordered, by whom, and how it ended.

use std::fmt;

use serde::Serialize;

use super::aggregates::OrderStatus;
use super::events::{OrderLine, ShopEvent};
use super::ids::{CustomerId, Money, Sku};
use super::read_models::{InventoryLevels, OrderSummaries, RevenuePerCustomer};
use eventide_engine::projection::ReadModelSet;

/// One order as the business sees it, without its number.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct OrderOutcome {
    pub customer: CustomerId,
    pub lines: Vec<OrderLine>,
    pub total: Money,
    pub status: OrderStatus,
}

/// One SKU's stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct StockOutcome {
    pub sku: Sku,
    pub on_hand: i64,
    pub reserved: i64,
    pub shipped: i64,
}

/// One customer's money.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RevenueOutcome {
    pub customer: CustomerId,
    pub orders_paid: u32,
    pub revenue: Money,
    pub refunded: Money,
}

/// Orders, stock per SKU and revenue per customer, each sorted so that equal outcomes compare
/// equal whatever order things happened in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BusinessOutcome {
    pub orders: Vec<OrderOutcome>,
    pub inventory: Vec<StockOutcome>,
    pub revenue: Vec<RevenueOutcome>,
}

/// Where two business outcomes part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Difference {
    /// Orders one run has and the other has not (counted with repeats), in each direction.
    Orders { only_left: usize, only_right: usize },
    /// A SKU's stock differs (or the SKU is known to one run only).
    Stock(Sku),
    /// A customer's payments or refunds differ (or the customer paid in one run only).
    Revenue(CustomerId),
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Orders {
                only_left,
                only_right,
            } => write!(
                f,
                "orders differ ({only_left} on one side and {only_right} on the other without a match)"
            ),
            Difference::Stock(sku) => write!(f, "stock of {sku}"),
            Difference::Revenue(customer) => write!(f, "revenue of {customer}"),
        }
    }
}

impl BusinessOutcome {
    /// The outcome the read models show. Models that are not registered count as empty.
    pub fn of(models: &ReadModelSet<ShopEvent>) -> BusinessOutcome {
        let mut orders: Vec<OrderOutcome> = models
            .get::<OrderSummaries>()
            .map(|orders| {
                orders
                    .iter()
                    .map(|o| OrderOutcome {
                        customer: o.customer,
                        lines: orders.lines(o).copied().collect(),
                        total: o.total,
                        status: o.status,
                    })
                    .collect()
            })
            .unwrap_or_default();
        orders.sort();
        let mut inventory: Vec<StockOutcome> = models
            .get::<InventoryLevels>()
            .map(|levels| {
                levels
                    .iter()
                    .map(|level| StockOutcome {
                        sku: level.sku,
                        on_hand: level.on_hand,
                        reserved: level.reserved,
                        shipped: level.shipped,
                    })
                    .collect()
            })
            .unwrap_or_default();
        inventory.sort();
        let mut revenue: Vec<RevenueOutcome> = models
            .get::<RevenuePerCustomer>()
            .map(|revenue| {
                revenue
                    .ranked()
                    .into_iter()
                    .map(|(customer, r)| RevenueOutcome {
                        customer,
                        orders_paid: r.orders_paid,
                        revenue: r.revenue,
                        refunded: r.refunded,
                    })
                    .collect()
            })
            .unwrap_or_default();
        revenue.sort();
        BusinessOutcome {
            orders,
            inventory,
            revenue,
        }
    }

    /// Everything that differs between `self` (the first run) and `other`, empty when equal.
    pub fn differences(&self, other: &BusinessOutcome) -> Vec<Difference> {
        let mut differences = Vec::new();
        let (only_left, only_right) = multiset_difference(&self.orders, &other.orders);
        if only_left + only_right > 0 {
            differences.push(Difference::Orders {
                only_left,
                only_right,
            });
        }
        differences.extend(
            keyed_differences(&self.inventory, &other.inventory, |s| s.sku)
                .into_iter()
                .map(Difference::Stock),
        );
        differences.extend(
            keyed_differences(&self.revenue, &other.revenue, |r| r.customer)
                .into_iter()
                .map(Difference::Revenue),
        );
        differences
    }

    /// Orders paid for in the end (shipped or waiting to be): a headline number.
    pub fn paid_orders(&self) -> usize {
        self.orders
            .iter()
            .filter(|o| matches!(o.status, OrderStatus::Paid | OrderStatus::Shipped))
            .count()
    }

    /// Revenue kept: every customer's payments less their refunds.
    pub fn net_revenue(&self) -> Money {
        self.revenue.iter().fold(Money::ZERO, |sum, r| {
            Money(sum.cents() + r.revenue.cents() - r.refunded.cents())
        })
    }
}

/// How many items of each sorted list the other lacks (repeats count).
fn multiset_difference<T: Ord>(left: &[T], right: &[T]) -> (usize, usize) {
    let (mut i, mut j) = (0, 0);
    let (mut only_left, mut only_right) = (0, 0);
    while i < left.len() && j < right.len() {
        match left[i].cmp(&right[j]) {
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => {
                only_left += 1;
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                only_right += 1;
                j += 1;
            }
        }
    }
    (only_left + left.len() - i, only_right + right.len() - j)
}

/// The keys whose entries differ between two lists sorted by key, or are in one list only.
fn keyed_differences<T: PartialEq, K: Ord + Copy>(
    left: &[T],
    right: &[T],
    key: impl Fn(&T) -> K,
) -> Vec<K> {
    let mut keys: Vec<K> = left.iter().chain(right).map(&key).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .filter(|k| {
            let in_left = left.iter().find(|item| key(item) == *k);
            let in_right = right.iter().find(|item| key(item) == *k);
            in_left != in_right
        })
        .collect()
}
