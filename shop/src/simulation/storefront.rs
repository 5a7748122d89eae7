//! The customers' side of the simulation: people walk in, view products, add some to their cart
//! and (most of them) check out, each session a flow of its own, all on the virtual clock and
//! drawn from the seed.

use eventide_engine::agenda::{Agenda, Due};
use eventide_engine::envelope::Metadata;
use eventide_engine::ids::{CorrelationId, EventId, Timestamp};
use eventide_engine::rng::SeededRng;

use super::{RunSummary, SimulationConfig, PRODUCER, STOREFRONT};
use crate::catalog::PRODUCTS;
use crate::commands::ShopCommand;
use crate::ids::CustomerId;
use crate::{CommandContext, CommandError, Shop, Validation};

/// Enough stock that choreography never waits on the warehouse.
const OPENING_STOCK: u32 = 1_000_000;

/// What the storefront has booked on its agenda: the next customer's arrival, or a customer's
/// next step in their session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Visit {
    Arrival,
    Step(SessionId, Step),
}

/// A customer's session, by its order of arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct SessionId(usize);

/// What a customer in a session does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    View { left: u8 },
    Add { left: u8 },
    CheckOut,
}

#[derive(Clone, Copy, Debug)]
struct Session {
    customer: CustomerId,
    checks_out: bool,
    /// The session's flow, once its first event is recorded, and that flow's newest event.
    correlation: Option<CorrelationId>,
    last_event: Option<EventId>,
}

/// The customers' sessions and what each does next.
pub(super) struct Storefront {
    rng: SeededRng,
    ids: SeededRng,
    sessions: Vec<Session>,
    agenda: Agenda<Visit>,
    checkouts_planned: u64,
    /// Checkouts to make in all: opening the storefront again raises it.
    checkouts_target: u64,
}

impl Storefront {
    pub(super) fn new(seed: u64) -> Storefront {
        Storefront {
            rng: SeededRng::new(seed),
            ids: SeededRng::new(seed ^ 0x0005_707e),
            sessions: Vec::new(),
            agenda: Agenda::new(),
            checkouts_planned: 0,
            checkouts_target: 0,
        }
    }

    /// Restocks every product whose shelf is empty, so customers find something to buy.
    pub(super) fn stock_empty_shelves(
        &mut self,
        shop: &mut Shop,
        now: Timestamp,
    ) -> Result<(), CommandError> {
        for product in PRODUCTS {
            let stocked = shop
                .aggregates()
                .stock(product.sku)
                .is_some_and(|s| s.available() > 0);
            if !stocked {
                let command = ShopCommand::RestockInventory {
                    sku: product.sku,
                    quantity: OPENING_STOCK,
                };
                let context = CommandContext::new(now, &mut self.ids);
                shop.execute_with(command, context, Validation::Trusted)?;
            }
        }
        Ok(())
    }

    /// Opens the doors for `checkouts` more checkouts: customers start arriving at `now`,
    /// unless an arrival is booked already.
    pub(super) fn open(&mut self, checkouts: u64, now: Timestamp) {
        let arriving = self.agenda.items().any(|visit| *visit == Visit::Arrival);
        self.checkouts_target += checkouts;
        if !arriving {
            self.agenda.book(now, Visit::Arrival);
        }
    }

    /// Checkouts the storefront still means to make.
    pub(super) fn checkouts_remaining(&self) -> u64 {
        self.checkouts_target.saturating_sub(self.checkouts_planned)
    }

    /// When a customer does something next.
    pub(super) fn next_at(&self) -> Option<Timestamp> {
        self.agenda.next_at()
    }

    pub(super) fn is_closed(&self) -> bool {
        self.agenda.is_empty()
    }

    pub(super) fn take_next(&mut self) -> Option<Due<Visit>> {
        self.agenda.pop()
    }

    /// Carries out one booked visit at `now`: a customer walks in, or a customer in a session
    /// views, adds or checks out (a command in the session's flow, in the storefront's name).
    pub(super) fn visit(
        &mut self,
        visit: Visit,
        shop: &mut Shop,
        now: Timestamp,
        config: &SimulationConfig,
        summary: &mut RunSummary,
    ) -> Result<(), CommandError> {
        let (session, step) = match visit {
            Visit::Arrival => {
                self.arrive(now, config);
                return Ok(());
            }
            Visit::Step(session, step) => (session, step),
        };
        let Some(current) = self.sessions.get(session.0).copied() else {
            return Ok(());
        };
        let sku = self.rng.pick(PRODUCTS).map_or(PRODUCTS[0].sku, |p| p.sku);
        let customer = current.customer;
        let (command, next) = match step {
            Step::View { left } => (
                ShopCommand::ViewProduct { customer, sku },
                if left > 1 {
                    Some(Step::View { left: left - 1 })
                } else {
                    Some(Step::Add {
                        left: self.rng.between(1, 3) as u8,
                    })
                },
            ),
            Step::Add { left } => (
                ShopCommand::AddItemToCart {
                    customer,
                    sku,
                    quantity: 1,
                },
                match (left > 1, current.checks_out) {
                    (true, _) => Some(Step::Add { left: left - 1 }),
                    (false, true) => Some(Step::CheckOut),
                    (false, false) => None,
                },
            ),
            Step::CheckOut => (ShopCommand::CheckOutCart { customer }, None),
        };
        let mut context = CommandContext::new(now, &mut self.ids);
        context.metadata = Metadata::default().with(PRODUCER, STOREFRONT);
        if let Some(correlation) = current.correlation {
            context = context.in_flow(correlation, current.last_event);
        }
        match shop.execute_with(command, context, Validation::Trusted) {
            Ok(appended) => {
                if let Some(event) = appended.range.and_then(|(_, last)| shop.store().get(last)) {
                    if let Some(session) = self.sessions.get_mut(session.0) {
                        session.correlation = Some(event.correlation_id);
                        session.last_event = Some(event.id);
                    }
                }
            }
            // Another session of the same customer emptied the cart first: this one ends.
            Err(CommandError::Rejected { .. }) => summary.rejections += 1,
            Err(error) => return Err(error),
        }
        if let Some(next) = next {
            let delay = self.rng.between(2_000, 20_000);
            self.agenda
                .book(now.plus_millis(delay as i64), Visit::Step(session, next));
        }
        Ok(())
    }

    /// A customer walks in; the next one is booked while checkouts remain to be made.
    fn arrive(&mut self, now: Timestamp, config: &SimulationConfig) {
        let customer = CustomerId(self.rng.between(1, u64::from(config.customers.max(1))) as u32);
        let checks_out = self.rng.chance(0.85);
        if checks_out {
            self.checkouts_planned += 1;
        }
        let session = SessionId(self.sessions.len());
        self.sessions.push(Session {
            customer,
            checks_out,
            correlation: None,
            last_event: None,
        });
        let views = self.rng.between(1, 4) as u8;
        self.agenda
            .book(now, Visit::Step(session, Step::View { left: views }));
        if self.checkouts_planned < self.checkouts_target {
            let gap = self.rng.between(1, config.mean_arrival_ms.max(1) * 2);
            self.agenda
                .book(now.plus_millis(gap as i64), Visit::Arrival);
        }
    }
}
