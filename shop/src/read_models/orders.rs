//! Order summaries: "what is the state of each order?", newest first.

use std::ops::Range;

use crate::aggregates::OrderStatus;
use crate::events::{OrderLine, ShopEvent, ShopEventKind, ShopEventKind as K};
use crate::ids::{CustomerId, Money, OrderId};
use eventide_engine::envelope::{PayloadReads, Recorded};
use eventide_engine::ids::{Position, Timestamp};
use eventide_engine::persistent::ChunkedVec;
use eventide_engine::projection::{
    differences_by_index, Cell, ChangeSet, ColumnSet, Projection, Refreshed, Row, RowDifference,
    Wanted,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderSummary {
    pub order: OrderId,
    pub customer: CustomerId,
    pub items: u32,
    /// What was ordered, as placed (part of the business outcome two runs are compared by):
    /// where its lines are in the model's arena of lines, read with [`OrderSummaries::lines`].
    lines: LineSpan,
    pub total: Money,
    pub status: OrderStatus,
    pub placed_at: Timestamp,
    pub last_event: Position,
}

/// One order's lines in the arena: `lines[start..end]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LineSpan {
    start: usize,
    end: usize,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct OrderSummaries {
    /// Dense by order number (`O-n` at `n - 1`); `None` for a number not seen yet.
    orders: ChunkedVec<Option<OrderSummary>>,
    /// Every placed order's lines, one after another in the order placed: a replay allocates
    /// nothing per order (an `Arc<[OrderLine]>` each made replay about 1.5x slower), and a
    /// checkpoint shares every chunk of lines but the last.
    lines: ChunkedVec<OrderLine>,
    count: usize,
    by_status: [u32; 5],
}

fn status_index(status: OrderStatus) -> usize {
    status as usize
}

impl OrderSummaries {
    pub fn get(&self, order: OrderId) -> Option<&OrderSummary> {
        self.orders
            .get((order.0 as usize).checked_sub(1)?)?
            .as_ref()
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn count_with(&self, status: OrderStatus) -> u32 {
        self.by_status[status_index(status)]
    }

    /// What `summary` (one of this model's) ordered, as placed.
    pub fn lines(&self, summary: &OrderSummary) -> impl Iterator<Item = &OrderLine> + '_ {
        let LineSpan { start, end } = summary.lines;
        (start..end).filter_map(|index| self.lines.get(index))
    }

    /// Newest first.
    pub fn iter(&self) -> impl Iterator<Item = &OrderSummary> {
        self.orders.iter().rev().flatten()
    }

    fn set_status(
        &mut self,
        order: OrderId,
        status: OrderStatus,
        at: Position,
        changes: &mut impl ChangeSet<OrderId>,
    ) {
        let Some(index) = (order.0 as usize).checked_sub(1) else {
            return;
        };
        let Some(Some(summary)) = self.orders.get_mut(index) else {
            return;
        };
        changes.touched(order);
        let previous = summary.status;
        summary.status = status;
        summary.last_event = at;
        self.by_status[status_index(previous)] -= 1;
        self.by_status[status_index(status)] += 1;
    }
}

fn summary_row(summary: &OrderSummary) -> Row {
    Row {
        key: summary.order.to_string(),
        cells: vec![
            Cell::Text(summary.order.to_string()),
            Cell::Text(summary.customer.to_string()),
            Cell::Count(i64::from(summary.items)),
            Cell::Cents(summary.total.cents()),
            Cell::Text(summary.status.label().to_string()),
            Cell::Time(summary.placed_at),
            Cell::Event(summary.last_event),
        ],
    }
}

impl Projection<ShopEvent> for OrderSummaries {
    const NAME: &'static str = "Orders";
    const QUESTION: &'static str = "What state is each order in?";
    const COLUMNS: &'static [&'static str] = &[
        "Order",
        "Customer",
        "Items",
        "Total",
        "Status",
        "Placed",
        "Last event",
    ];
    const CONSUMES: &'static [ShopEventKind] = &[
        K::OrderPlaced,
        K::PaymentProcessed,
        K::PaymentFailed,
        K::ShipmentDispatched,
        K::OrderCancelled,
    ];
    // A placed order opens its row; later events only move its status.
    const READS: PayloadReads<ShopEventKind> = &[
        (K::OrderPlaced, &["order", "customer", "lines", "total"]),
        (K::PaymentProcessed, &["order"]),
        (K::PaymentFailed, &["order"]),
        (K::ShipmentDispatched, &["order"]),
        (K::OrderCancelled, &["order"]),
    ];
    type Key = OrderId;

    fn apply(&mut self, event: &Recorded<ShopEvent>, changes: &mut impl ChangeSet<OrderId>) {
        let at = event.position;
        match &event.event {
            ShopEvent::OrderPlaced {
                order,
                customer,
                lines,
                total,
            } => {
                let Some(index) = (order.0 as usize).checked_sub(1) else {
                    return;
                };
                let slot = self.orders.get_or_extend(index, || None);
                if slot.is_some() {
                    return;
                }
                changes.touched(*order);
                let start = self.lines.len();
                let span = LineSpan {
                    start,
                    end: start + lines.len(),
                };
                *slot = Some(OrderSummary {
                    order: *order,
                    customer: *customer,
                    items: lines
                        .iter()
                        .fold(0u32, |items, line| items.saturating_add(line.quantity)),
                    lines: span,
                    total: *total,
                    status: OrderStatus::Placed,
                    placed_at: event.recorded_at,
                    last_event: at,
                });
                self.lines.extend_from_slice(lines);
                self.count += 1;
                self.by_status[status_index(OrderStatus::Placed)] += 1;
            }
            ShopEvent::PaymentProcessed { order, .. } => {
                self.set_status(*order, OrderStatus::Paid, at, changes)
            }
            ShopEvent::PaymentFailed { order, .. } => {
                self.set_status(*order, OrderStatus::PaymentFailed, at, changes)
            }
            ShopEvent::ShipmentDispatched { order, .. } => {
                self.set_status(*order, OrderStatus::Shipped, at, changes)
            }
            ShopEvent::OrderCancelled { order, .. } => {
                self.set_status(*order, OrderStatus::Cancelled, at, changes)
            }
            _ => {}
        }
    }

    fn row_count(&self) -> usize {
        self.count
    }

    fn rows(&self, range: Range<usize>) -> Vec<Row> {
        self.iter()
            .skip(range.start)
            .take(range.len())
            .map(summary_row)
            .collect()
    }

    fn row(&self, key: &str) -> Option<Row> {
        self.get(key.parse().ok()?).map(summary_row)
    }

    fn row_by_key(&self, order: &OrderId) -> Option<Row> {
        self.get(*order).map(summary_row)
    }

    fn settles(&self, column: &str, wanted: &Wanted) -> bool {
        // Shipped and cancelled are terminal: an order never leaves them.
        let Wanted::Text(value) = wanted else {
            return false;
        };
        column.eq_ignore_ascii_case("Status")
            && [OrderStatus::Shipped, OrderStatus::Cancelled]
                .iter()
                .any(|status| status.label().eq_ignore_ascii_case(value))
    }

    fn unshared_bytes(&self, earlier: &Self) -> usize {
        self.orders.unshared_bytes(&earlier.orders) + self.lines.unshared_bytes(&earlier.lines)
    }

    fn parse_key(text: &str) -> Option<OrderId> {
        text.parse().ok()
    }

    /// An order's number, customer and placing time never change once placed: only what can
    /// change is compared and written (the status's text only when it changed).
    fn refresh(&self, order: &OrderId, row: &mut Row) -> Option<Refreshed> {
        let Some(summary) = self.get(*order) else {
            return Some(Refreshed::Gone);
        };
        let [_, _, items, total, status, ..] = row.cells.as_mut_slice() else {
            return None;
        };
        let mut changed = ColumnSet::EMPTY;
        changed.write(2, items, Cell::Count(i64::from(summary.items)));
        changed.write(3, total, Cell::Cents(summary.total.cents()));
        if !matches!(status, Cell::Text(text) if text == summary.status.label()) {
            *status = Cell::Text(summary.status.label().to_string());
            changed = changed.with(4);
        }
        Some(Refreshed::Columns(changed))
    }

    /// Orders are kept by number and never removed: the two states side by side, comparing
    /// what a row shows (all but the last event).
    fn differences(&self, earlier: &Self) -> Option<Vec<(OrderId, RowDifference)>> {
        let at = |model: &Self, index: usize| {
            let summary = model.orders.get(index)?.as_ref()?;
            let shown = (
                summary.customer,
                summary.items,
                summary.total,
                summary.status,
                summary.placed_at,
            );
            Some((summary.order, shown))
        };
        differences_by_index(
            self.orders.len().max(earlier.orders.len()),
            |index| at(earlier, index),
            |index| at(self, index),
        )
    }
}
