//! A seeded generator of realistic shop activity: customers fill carts and check out, orders are
//! placed, stock reserved (and restocked when it runs out), payments approved or declined and
//! retried, orders dispatched or cancelled. Many flows overlap in time, as in a real shop.
//!
//! Every command goes through the shop's `execute`, so the aggregates enforce the same rules as
//! for a user's commands, and every event carries its flow's correlation id and its cause. The
//! payloads come from this code, valid by construction, so it asks for `Validation::Trusted`:
//! their schema check is skipped (the property tests validate every event it records).

use super::catalog::PRODUCTS;
use super::commands::{PaymentOutcome, Rejection, RequestedLine, ShopCommand};
use super::ids::{CustomerId, OrderId, Sku};
use super::{CommandContext, CommandError, Shop, Validation};
use eventide_engine::agenda::Agenda;
use eventide_engine::ids::{CorrelationId, EventId, Timestamp};
use eventide_engine::rng::{IdSource, SeededRng};

/// What the generator produces and how fast time passes in it.
#[derive(Clone, Debug, PartialEq)]
pub struct GeneratorConfig {
    pub seed: u64,
    /// Customers are drawn from `C-001` to `C-<customers>`.
    pub customers: u32,
    /// The virtual time of the first event (later if the log already ends later).
    pub start: Timestamp,
    /// The mean time between two new shopping sessions, in milliseconds.
    pub mean_arrival_ms: u64,
}

impl GeneratorConfig {
    pub fn new(seed: u64, start: Timestamp) -> Self {
        GeneratorConfig {
            seed,
            customers: 500,
            start,
            mean_arrival_ms: 4_000,
        }
    }
}

/// When to stop generating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    /// Run until this many orders have finished their flow (dispatched or cancelled).
    Orders(u64),
    /// Stop as soon as the log has grown by this many events, flows left open mid-way.
    Events(u64),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Generated {
    pub events: u64,
    pub orders_placed: u64,
    pub orders_finished: u64,
}

/// What the agenda holds: the next shopping session's start, or a flow's next step (the flow
/// by its index in `flows`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Booked {
    Arrival,
    Step { flow: usize, step: Step },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    AddItem,
    CheckOut,
    Place,
    Reserve { line: usize },
    Pay { attempt: u8 },
    Dispatch,
    Cancel,
}

#[derive(Clone, Debug)]
struct Flow {
    customer: CustomerId,
    items_wanted: u8,
    lines: Vec<RequestedLine>,
    order: Option<OrderId>,
    reserved: Vec<(Sku, u32)>,
    correlation: Option<CorrelationId>,
    last_event: Option<EventId>,
}

const CARRIERS: &[&str] = &["DHL", "UPS", "FedEx", "PostNL"];
const DECLINES: &[&str] = &["card declined", "insufficient funds", "card expired"];
const RESTOCK_QUANTITY: u32 = 400;

/// Drives a shop with generated activity until the budget is spent.
pub struct Generator {
    config: GeneratorConfig,
    rng: SeededRng,
    ids: SeededRng,
    clock: Timestamp,
    flows: Vec<Flow>,
    /// Pending steps by time, equal times in the order they were booked.
    agenda: Agenda<Booked>,
    /// Flows that have ended, dispatched or cancelled (or abandoned at checkout).
    finished: u64,
    /// Events this generator has appended so far.
    events: u64,
}

impl Generator {
    pub fn new(config: GeneratorConfig) -> Generator {
        Generator {
            rng: SeededRng::new(config.seed),
            ids: SeededRng::new(config.seed ^ 0x9e37_79b9_7f4a_7c15),
            clock: config.start,
            config,
            flows: Vec::new(),
            agenda: Agenda::new(),
            finished: 0,
            events: 0,
        }
    }

    /// Generates into `shop` until the budget is spent. Stops at the first command the
    /// generator did not expect to be refused, leaving the shop consistent.
    pub fn run(&mut self, shop: &mut Shop, budget: Budget) -> Result<Generated, CommandError> {
        let mut total = Generated::default();
        loop {
            let chunk = self.run_chunk(shop, budget, u64::MAX)?;
            total.events += chunk.events;
            total.orders_placed += chunk.orders_placed;
            total.orders_finished = chunk.orders_finished;
            if self.is_done(budget) {
                return Ok(total);
            }
        }
    }

    /// Whether the budget is spent: every order flow finished, or enough events generated.
    pub fn is_done(&self, budget: Budget) -> bool {
        match budget {
            Budget::Orders(limit) => self.finished >= limit,
            Budget::Events(limit) => self.events >= limit,
        }
    }

    /// Generates at most `max_events` more events towards the budget, so a caller (the browser)
    /// can spread a large workload over many frames. `orders_finished` counts the whole run.
    pub fn run_chunk(
        &mut self,
        shop: &mut Shop,
        budget: Budget,
        max_events: u64,
    ) -> Result<Generated, CommandError> {
        if let Some(last) = shop.store().events().last() {
            self.clock = self.clock.max(last.recorded_at);
        }
        self.skip_used_ids(shop);
        let start_events = shop.store().len() as u64;
        let start_orders = shop.aggregates().order_count() as u64;
        let outcome = self.drive(shop, budget, start_events.saturating_add(max_events));
        let events = shop.store().len() as u64 - start_events;
        self.events += events;
        outcome?;
        Ok(Generated {
            events,
            orders_placed: shop.aggregates().order_count() as u64 - start_orders,
            orders_finished: self.finished,
        })
    }

    /// Skips the ids this seed has already put in the log. A second run with the same seed on
    /// the same shop would otherwise mint the first run's ids again, and the store would drop
    /// those events as retries of the first run's. Every run of a seed takes ids from the front
    /// of the same sequence, so the used ones are a prefix of it: its end is found by doubling
    /// and then halving the step, a few dozen lookups however long the log (one at a time, a
    /// second run of a seed over 8M events stalled the tab for 1.8 s).
    fn skip_used_ids(&mut self, shop: &Shop) {
        let used = |count: u64| {
            let mut probe = self.ids.clone();
            probe.skip_ids(count);
            shop.store().contains(probe.next_event_id())
        };
        if !used(0) {
            return;
        }
        // `used(low)` and not `used(high)`: the first unused id is in (low, high].
        let (mut low, mut high) = (0, 1);
        while used(high) {
            low = high;
            high = high.saturating_mul(2);
        }
        while high - low > 1 {
            let middle = low + (high - low) / 2;
            if used(middle) {
                low = middle;
            } else {
                high = middle;
            }
        }
        self.ids.skip_ids(high);
    }

    fn drive(
        &mut self,
        shop: &mut Shop,
        budget: Budget,
        stop_at_len: u64,
    ) -> Result<(), CommandError> {
        // Counted from before the shelves are stocked: those events spend the budget too.
        let start_len = shop.store().len() as u64;
        self.stock_empty_shelves(shop)?;
        if self.agenda.is_empty() && !self.is_done(budget) {
            self.book_arrival(0);
        }
        loop {
            let len = shop.store().len() as u64;
            if len >= stop_at_len {
                return Ok(());
            }
            let spent = self.events + (len - start_len);
            match budget {
                Budget::Events(limit) if spent >= limit => return Ok(()),
                Budget::Orders(limit) if self.finished >= limit => return Ok(()),
                _ => {}
            }
            let Some(due) = self.agenda.pop() else {
                return Ok(());
            };
            self.clock = self.clock.max(due.at);
            let (flow, step) = match due.item {
                Booked::Arrival => {
                    let wanted = match budget {
                        Budget::Orders(limit) => (self.flows.len() as u64) < limit,
                        Budget::Events(_) => true,
                    };
                    if wanted {
                        self.arrive();
                    }
                    continue;
                }
                Booked::Step { flow, step } => (flow, step),
            };
            if self.advance(shop, flow, step)? {
                self.finished += 1;
            }
        }
    }

    fn schedule(&mut self, delay_ms: u64, flow: usize, step: Step) {
        let at = self.clock.plus_millis(delay_ms as i64);
        self.agenda.book(at, Booked::Step { flow, step });
    }

    fn book_arrival(&mut self, delay_ms: u64) {
        let at = self.clock.plus_millis(delay_ms as i64);
        self.agenda.book(at, Booked::Arrival);
    }

    /// Books a step between `low` and `high` seconds from now.
    fn schedule_within(&mut self, low: u64, high: u64, flow: usize, step: Step) {
        let delay = self.rng.between(low * 1000, high * 1000);
        self.schedule(delay, flow, step);
    }

    /// A new shopping session begins, and the next one is booked.
    fn arrive(&mut self) {
        let customer =
            CustomerId(self.rng.between(1, u64::from(self.config.customers.max(1))) as u32);
        let items_wanted = self.rng.between(1, 3) as u8;
        self.flows.push(Flow {
            customer,
            items_wanted,
            lines: Vec::new(),
            order: None,
            reserved: Vec::new(),
            correlation: None,
            last_event: None,
        });
        let flow = self.flows.len() - 1;
        self.schedule(0, flow, Step::AddItem);
        let gap = self.rng.between(1, self.config.mean_arrival_ms.max(1) * 2);
        self.book_arrival(gap);
    }

    fn stock_empty_shelves(&mut self, shop: &mut Shop) -> Result<(), CommandError> {
        for product in PRODUCTS {
            if shop.aggregates().stock(product.sku).is_none() {
                let command = ShopCommand::RestockInventory {
                    sku: product.sku,
                    quantity: RESTOCK_QUANTITY,
                };
                shop.execute_with(
                    command,
                    CommandContext::new(self.clock, &mut self.ids),
                    Validation::Trusted,
                )?;
            }
        }
        Ok(())
    }

    /// Runs one step of a flow; true when the flow has ended.
    fn advance(&mut self, shop: &mut Shop, index: usize, step: Step) -> Result<bool, CommandError> {
        let flow = self.flows[index].clone();
        match step {
            Step::AddItem => {
                let sku = self
                    .rng
                    .pick(PRODUCTS)
                    .map_or(Sku(1), |product| product.sku);
                let quantity = if self.rng.chance(0.8) { 1 } else { 2 };
                self.issue(
                    shop,
                    index,
                    ShopCommand::AddItemToCart {
                        customer: flow.customer,
                        sku,
                        quantity,
                    },
                )?;
                let line = &mut self.flows[index].lines;
                match line.iter_mut().find(|line| line.sku == sku) {
                    Some(existing) => existing.quantity += quantity,
                    None => line.push(RequestedLine { sku, quantity }),
                }
                let next = if self.flows[index].lines.len() < usize::from(flow.items_wanted) {
                    Step::AddItem
                } else {
                    Step::CheckOut
                };
                self.schedule_within(5, 60, index, next);
                Ok(false)
            }
            Step::CheckOut => {
                // Another session of the same customer may have checked this cart out already.
                if shop
                    .aggregates()
                    .cart_or_empty(flow.customer)
                    .lines()
                    .is_empty()
                {
                    return Ok(true);
                }
                let lines = shop
                    .aggregates()
                    .cart_or_empty(flow.customer)
                    .lines()
                    .to_vec();
                self.flows[index].lines = lines
                    .iter()
                    .map(|line| RequestedLine {
                        sku: line.sku,
                        quantity: line.quantity,
                    })
                    .collect();
                self.issue(
                    shop,
                    index,
                    ShopCommand::CheckOutCart {
                        customer: flow.customer,
                    },
                )?;
                self.schedule_within(1, 3, index, Step::Place);
                Ok(false)
            }
            Step::Place => {
                let order = shop.aggregates().next_order_id();
                let lines = self.flows[index].lines.clone();
                self.issue(
                    shop,
                    index,
                    ShopCommand::PlaceOrder {
                        customer: flow.customer,
                        lines,
                    },
                )?;
                self.flows[index].order = Some(order);
                self.schedule_within(1, 5, index, Step::Reserve { line: 0 });
                Ok(false)
            }
            Step::Reserve { line } => {
                let (Some(order), Some(wanted)) = (flow.order, flow.lines.get(line).copied())
                else {
                    self.schedule_within(2, 20, index, Step::Pay { attempt: 1 });
                    return Ok(false);
                };
                let reserve = ShopCommand::ReserveInventory {
                    order,
                    sku: wanted.sku,
                    quantity: wanted.quantity,
                };
                match self.issue(shop, index, reserve.clone()) {
                    Err(CommandError::Rejected {
                        rejection: Rejection::OutOfStock { .. },
                        ..
                    }) => {
                        let quantity = RESTOCK_QUANTITY.max(wanted.quantity);
                        self.issue(
                            shop,
                            index,
                            ShopCommand::RestockInventory {
                                sku: wanted.sku,
                                quantity,
                            },
                        )?;
                        self.issue(shop, index, reserve)?;
                    }
                    other => {
                        other?;
                    }
                }
                self.flows[index]
                    .reserved
                    .push((wanted.sku, wanted.quantity));
                self.schedule_within(1, 3, index, Step::Reserve { line: line + 1 });
                Ok(false)
            }
            Step::Pay { attempt } => {
                let Some(order) = flow.order else {
                    return Ok(true);
                };
                let approve = self.rng.chance(if attempt == 1 { 0.9 } else { 0.75 });
                let outcome = if approve {
                    PaymentOutcome::Approved
                } else {
                    let reason = self.rng.pick(DECLINES).copied().unwrap_or("card declined");
                    PaymentOutcome::Declined {
                        reason: reason.to_string(),
                    }
                };
                self.issue(shop, index, ShopCommand::ProcessPayment { order, outcome })?;
                let next = match (approve, attempt) {
                    (true, _) if self.rng.chance(0.03) => Step::Cancel,
                    (true, _) => Step::Dispatch,
                    (false, 1) if self.rng.chance(0.6) => Step::Pay { attempt: 2 },
                    (false, _) => Step::Cancel,
                };
                self.schedule_within(30, 1800, index, next);
                Ok(false)
            }
            Step::Dispatch => {
                let Some(order) = flow.order else {
                    return Ok(true);
                };
                let carrier = self
                    .rng
                    .pick(CARRIERS)
                    .copied()
                    .unwrap_or("DHL")
                    .to_string();
                self.issue(
                    shop,
                    index,
                    ShopCommand::DispatchShipment { order, carrier },
                )?;
                Ok(true)
            }
            Step::Cancel => {
                let Some(order) = flow.order else {
                    return Ok(true);
                };
                let reason = if shop
                    .aggregates()
                    .order(order)
                    .is_some_and(|o| o.paid.cents() > 0)
                {
                    "customer changed their mind"
                } else {
                    "payment not received"
                };
                self.issue(
                    shop,
                    index,
                    ShopCommand::CancelOrder {
                        order,
                        reason: reason.into(),
                    },
                )?;
                for (sku, quantity) in flow.reserved {
                    self.issue(
                        shop,
                        index,
                        ShopCommand::ReleaseInventory {
                            order,
                            sku,
                            quantity,
                        },
                    )?;
                }
                Ok(true)
            }
        }
    }

    /// Executes a command within a flow: the flow's first event becomes its correlation id, and
    /// each event is caused by the one before.
    fn issue(
        &mut self,
        shop: &mut Shop,
        index: usize,
        command: ShopCommand,
    ) -> Result<(), CommandError> {
        let flow = &self.flows[index];
        let mut context = CommandContext::new(self.clock, &mut self.ids);
        if let Some(correlation) = flow.correlation {
            context = context.in_flow(correlation, flow.last_event);
        }
        let appended = shop.execute_with(command, context, Validation::Trusted)?;
        if let Some((_, last)) = appended.range {
            if let Some(event) = shop.store().get(last) {
                let flow = &mut self.flows[index];
                flow.correlation = Some(event.correlation_id);
                flow.last_event = Some(event.id);
            }
        }
        Ok(())
    }
}

/// Generates `orders` complete order flows into `shop`.
pub fn generate_orders(
    shop: &mut Shop,
    config: GeneratorConfig,
    orders: u64,
) -> Result<Generated, CommandError> {
    Generator::new(config).run(shop, Budget::Orders(orders))
}

/// Generates until the log has grown by `events`.
pub fn generate_events(
    shop: &mut Shop,
    config: GeneratorConfig,
    events: u64,
) -> Result<Generated, CommandError> {
    Generator::new(config).run(shop, Budget::Events(events))
}
