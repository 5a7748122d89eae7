//! The yardstick for replay: the shop's five read models (orders, inventory, revenue, activity
//! per minute, sagas) folded over the log in one tight loop into FxHash maps, with no
//! checkpoints, no upcasting and no dynamic dispatch. It shows what the hardware allows for the
//! engine's replay, and its summary is what the browser benchmark's plain-JavaScript fold of
//! the same events must reproduce, so the three figures measure the same work.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::aggregates::OrderStatus;
use super::events::{OrderLine, ShopEvent};
use super::ids::{CustomerId, Money, OrderId, Sku};
use super::read_models::SagaStep;
use eventide_engine::store::LogSlice;
use eventide_engine::{CorrelationId, Position, Recorded, Timestamp};

const MINUTE_MS: i64 = 60_000;

/// What every read model of the fold ends with, in figures both folds can compute.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoldSummary {
    pub orders: u64,
    /// Orders by status, in `OrderStatus` order: placed, payment failed, paid, shipped, cancelled.
    pub by_status: [u64; 5],
    pub order_totals: i64,
    pub order_items: u64,
    pub skus: u64,
    pub on_hand: i64,
    pub reserved: i64,
    pub shipped: i64,
    pub customers: u64,
    pub orders_paid: u64,
    pub revenue: i64,
    pub refunded: i64,
    pub minutes: u64,
    pub minute_events: u64,
    pub minute_orders: u64,
    pub minute_revenue: i64,
    pub sagas: u64,
    pub saga_steps: u64,
    pub saga_compensations: u64,
    /// The sum of every row's last event position: any event applied to the wrong row shows.
    pub last_events: u64,
}

struct OrderRow<'log> {
    _customer: CustomerId,
    items: u32,
    _lines: &'log [OrderLine],
    total: Money,
    status: OrderStatus,
    _placed_at: Timestamp,
    last_event: Position,
}

#[derive(Default)]
struct StockRow {
    on_hand: i64,
    reserved: i64,
    shipped: i64,
    last_event: u64,
}

#[derive(Default)]
struct RevenueRow {
    orders_paid: u64,
    revenue: i64,
    refunded: i64,
    last_event: u64,
}

struct MinuteRow {
    minute: i64,
    events: u64,
    orders_placed: u64,
    revenue: i64,
    last_event: u64,
}

struct SagaRow {
    _customer: CustomerId,
    _order: Option<OrderId>,
    _step: &'static str,
    steps: u64,
    compensations: u64,
    _started_at: Timestamp,
    last_event: u64,
}

/// The five models as plain maps, borrowing the log's order lines rather than copying them.
#[derive(Default)]
pub struct ReferenceFold<'log> {
    orders: FxHashMap<OrderId, OrderRow<'log>>,
    stock: FxHashMap<Sku, StockRow>,
    revenue: FxHashMap<CustomerId, RevenueRow>,
    revenue_total: i64,
    minutes: Vec<MinuteRow>,
    sagas: FxHashMap<CorrelationId, SagaRow>,
}

impl<'log> ReferenceFold<'log> {
    /// Folds the whole log.
    pub fn of(log: impl Into<LogSlice<'log, Recorded<ShopEvent>>>) -> Self {
        let mut fold = Self::default();
        for event in log.into() {
            fold.apply(event);
        }
        fold
    }

    fn apply(&mut self, event: &'log Recorded<ShopEvent>) {
        let at = event.position;
        self.count_minute(event);
        match &event.event {
            ShopEvent::OrderPlaced {
                order,
                customer,
                lines,
                total,
            } => {
                self.orders.entry(*order).or_insert_with(|| OrderRow {
                    _customer: *customer,
                    items: lines
                        .iter()
                        .fold(0u32, |items, line| items.saturating_add(line.quantity)),
                    _lines: lines,
                    total: *total,
                    status: OrderStatus::Placed,
                    _placed_at: event.recorded_at,
                    last_event: at,
                });
            }
            ShopEvent::PaymentProcessed {
                order,
                customer,
                amount,
            } => {
                self.set_status(*order, OrderStatus::Paid, at);
                let row = self.revenue.entry(*customer).or_default();
                row.orders_paid += 1;
                row.revenue += amount.0;
                row.last_event = at.0;
                self.revenue_total += amount.0;
            }
            ShopEvent::PaymentFailed { order, .. } => {
                self.set_status(*order, OrderStatus::PaymentFailed, at)
            }
            ShopEvent::ShipmentDispatched { order, lines, .. } => {
                self.set_status(*order, OrderStatus::Shipped, at);
                for line in lines {
                    let row = self.stock.entry(line.sku).or_default();
                    let quantity = i64::from(line.quantity);
                    row.on_hand -= quantity;
                    row.reserved -= quantity;
                    row.shipped += quantity;
                    row.last_event = at.0;
                }
            }
            ShopEvent::OrderCancelled {
                order,
                customer,
                refunded,
                ..
            } => {
                self.set_status(*order, OrderStatus::Cancelled, at);
                if *refunded > Money::ZERO {
                    let row = self.revenue.entry(*customer).or_default();
                    row.revenue -= refunded.0;
                    row.refunded += refunded.0;
                    row.last_event = at.0;
                    self.revenue_total -= refunded.0;
                }
            }
            ShopEvent::StockReceived { sku, quantity } => {
                let row = self.stock.entry(*sku).or_default();
                row.on_hand += i64::from(*quantity);
                row.last_event = at.0;
            }
            ShopEvent::InventoryReserved { sku, quantity, .. } => {
                let row = self.stock.entry(*sku).or_default();
                row.reserved += i64::from(*quantity);
                row.last_event = at.0;
            }
            ShopEvent::InventoryReleased { sku, quantity, .. } => {
                let row = self.stock.entry(*sku).or_default();
                row.reserved -= i64::from(*quantity);
                row.last_event = at.0;
            }
            ShopEvent::SagaStarted { customer, .. } => {
                self.sagas.insert(
                    event.correlation_id,
                    SagaRow {
                        _customer: *customer,
                        _order: None,
                        _step: "started",
                        steps: 1,
                        compensations: 0,
                        _started_at: event.recorded_at,
                        last_event: at.0,
                    },
                );
            }
            other => self.advance_saga(event, other),
        }
    }

    fn count_minute(&mut self, event: &Recorded<ShopEvent>) {
        let minute = event.recorded_at.0.div_euclid(MINUTE_MS);
        if self.minutes.last().is_none_or(|row| row.minute != minute) {
            self.minutes.push(MinuteRow {
                minute,
                events: 0,
                orders_placed: 0,
                revenue: 0,
                last_event: 0,
            });
        }
        let Some(row) = self.minutes.last_mut() else {
            return;
        };
        row.events += 1;
        row.last_event = event.position.0;
        match &event.event {
            ShopEvent::OrderPlaced { .. } => row.orders_placed += 1,
            ShopEvent::PaymentProcessed { amount, .. } => row.revenue += amount.0,
            ShopEvent::OrderCancelled { refunded, .. } => row.revenue -= refunded.0,
            _ => {}
        }
    }

    fn set_status(&mut self, order: OrderId, status: OrderStatus, at: Position) {
        if let Some(row) = self.orders.get_mut(&order) {
            row.status = status;
            row.last_event = at;
        }
    }

    fn advance_saga(&mut self, event: &Recorded<ShopEvent>, payload: &ShopEvent) {
        let Some(SagaStep {
            step,
            order,
            compensation,
        }) = SagaStep::of(payload)
        else {
            return;
        };
        if let Some(saga) = self.sagas.get_mut(&event.correlation_id) {
            saga._step = step;
            saga._order = order.or(saga._order);
            saga.steps += 1;
            saga.compensations += u64::from(compensation);
            saga.last_event = event.position.0;
        }
    }

    pub fn summary(&self) -> FoldSummary {
        let mut summary = FoldSummary {
            orders: self.orders.len() as u64,
            skus: self.stock.len() as u64,
            customers: self.revenue.len() as u64,
            revenue: self.revenue_total,
            minutes: self.minutes.len() as u64,
            sagas: self.sagas.len() as u64,
            ..FoldSummary::default()
        };
        for row in self.orders.values() {
            summary.by_status[row.status as usize] += 1;
            summary.order_totals += row.total.0;
            summary.order_items += u64::from(row.items);
            summary.last_events += row.last_event.0;
        }
        for row in self.stock.values() {
            summary.on_hand += row.on_hand;
            summary.reserved += row.reserved;
            summary.shipped += row.shipped;
            summary.last_events += row.last_event;
        }
        for row in self.revenue.values() {
            summary.orders_paid += row.orders_paid;
            summary.refunded += row.refunded;
            summary.last_events += row.last_event;
            // The per-customer figures must add up to the total the model keeps.
            summary.revenue -= row.revenue;
        }
        summary.revenue += self.revenue_total;
        for row in &self.minutes {
            summary.minute_events += row.events;
            summary.minute_orders += row.orders_placed;
            summary.minute_revenue += row.revenue;
            summary.last_events += row.last_event;
        }
        for row in self.sagas.values() {
            summary.saga_steps += row.steps;
            summary.saga_compensations += row.compensations;
            summary.last_events += row.last_event;
        }
        summary
    }
}

/// The log as the plain-JavaScript fold receives it: one JSON object per event with its
/// position, recorded time, correlation id and the event as the catalog names it
/// (`{"event_type": …, "payload": {…}}`, ids as their text, money in cents).
pub fn plain_log_json<'a>(log: impl Into<LogSlice<'a, Recorded<ShopEvent>>>) -> String {
    let log = log.into();
    let mut out = String::with_capacity(log.len() * 160);
    out.push('[');
    for (index, event) in log.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        let line = serde_json::json!({
            "position": event.position.0,
            "time": event.recorded_at.0,
            "flow": event.correlation_id.to_string(),
            "event": event.event,
        });
        out.push_str(&line.to_string());
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::{generate_events, GeneratorConfig};
    use crate::read_models::OrderSummaries;
    use crate::read_models::RevenuePerCustomer;
    use crate::Shop;

    fn generated(events: u64) -> Shop {
        let mut shop = Shop::new();
        generate_events(
            &mut shop,
            GeneratorConfig::new(7, crate::bench::START),
            events,
        )
        .expect("the generator's own commands are accepted");
        shop
    }

    #[test]
    fn it_should_count_what_the_engine_s_read_models_count() {
        let shop = generated(20_000);
        let summary = ReferenceFold::of(shop.store().events()).summary();
        let live = shop.history().live();
        let orders = live.get::<OrderSummaries>().expect("registered");
        let revenue = live.get::<RevenuePerCustomer>().expect("registered");
        assert_eq!(summary.orders, orders.len() as u64);
        assert_eq!(
            summary.by_status[OrderStatus::Paid as usize],
            u64::from(orders.count_with(OrderStatus::Paid))
        );
        assert_eq!(summary.revenue, revenue.total().0);
        assert_eq!(summary.minute_events, shop.store().len() as u64);
        assert_eq!(summary.revenue, summary.minute_revenue);
        assert!(summary.by_status.iter().all(|&n| n > 0), "{summary:?}");
    }

    #[test]
    fn the_plain_log_names_each_event_and_its_payload() {
        let shop = generated(200);
        let parsed: serde_json::Value =
            serde_json::from_str(&plain_log_json(shop.store().events())).expect("valid JSON");
        let first = &parsed[0];
        assert_eq!(first["position"], 1);
        assert!(first["event"]["event_type"].is_string(), "{first}");
        assert!(first["event"]["payload"].is_object(), "{first}");
    }
}
