//! Given these events, when this command, then these events (or this rejection): the shop's
//! rules written as specifications.
//!
//! `given` records facts as an import does (a store of its own, exported and imported, every
//! payload checked on the way in), so a specification states the history it
//! needs without replaying the commands that led there. `when` sends one command through
//! [`Shop::execute`] with a [`SeededRng`] as the id source. `then_rejects` also checks that a
//! refusal changed nothing: not the log, not the aggregates, not any read model.

use eventide_engine::projection::ReadModelSet;
use eventide_engine::rng::{IdSource, SeededRng};
use eventide_engine::store::{Appended, ExpectedVersion, LogSlice};
use eventide_engine::{CorrelationId, EventId, Metadata, NewEvent, Timestamp};
use eventide_shop::aggregates::Aggregates;
use eventide_shop::catalog;
use eventide_shop::commands::{PaymentOutcome, Rejection, RequestedLine, ShopCommand};
use eventide_shop::events::OrderLine;
use eventide_shop::ids::{CustomerId, Money, OrderId, Sku};
use eventide_shop::interchange;
use eventide_shop::{CommandContext, CommandError, Shop, ShopEvent, ShopRecorded, ShopStore};

/// 2025-11-26T09:54:00Z: when every specification's history begins.
pub const START: Timestamp = Timestamp(1_764_150_840_000);

/// One second between events, so every event of a specification has its own time.
const TICK_MS: i64 = 1_000;

/// A shop with a history, waiting for a command.
pub struct Spec {
    shop: Shop,
    ids: SeededRng,
    now: Timestamp,
}

/// A shop whose log holds exactly these events, in this order.
pub fn given(history: impl IntoIterator<Item = ShopEvent>) -> Spec {
    let mut ids = SeededRng::new(7);
    let mut now = START;
    let mut store = ShopStore::new();
    for event in history {
        let stream = event
            .stream()
            .expect("specifications use aggregate events, not a saga's");
        let proposed = NewEvent::new(ids.next_event_id(), event);
        store
            .append(stream, ExpectedVersion::Any, vec![proposed], now)
            .expect("a specification's history is appended");
        now = now.plus_millis(TICK_MS);
    }
    let file = interchange::export_scenario(&store, None, Default::default());
    let shop = interchange::import(file.as_bytes())
        .expect("a specification's history imports")
        .shop;
    Spec { shop, ids, now }
}

impl Spec {
    pub fn shop(&self) -> &Shop {
        &self.shop
    }

    pub fn when(self, command: ShopCommand) -> Then {
        self.when_with(command, |context| context)
    }

    /// The command continues a flow: its event takes this correlation id and cause.
    pub fn when_in_flow(
        self,
        command: ShopCommand,
        correlation: CorrelationId,
        causation: Option<EventId>,
    ) -> Then {
        self.when_with(command, |context| context.in_flow(correlation, causation))
    }

    /// The command is sent with this metadata.
    pub fn when_with_metadata(self, command: ShopCommand, metadata: Metadata) -> Then {
        self.when_with(command, |mut context| {
            context.metadata = metadata;
            context
        })
    }

    /// The command says its fact happened at `occurred_at` (business time), recorded now.
    pub fn when_dated(self, command: ShopCommand, occurred_at: Timestamp) -> Then {
        self.when_with(command, |mut context| {
            context.occurred_at = Some(occurred_at);
            context
        })
    }

    /// What the shop's clock says now: when the next command is recorded.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    fn when_with(
        mut self,
        command: ShopCommand,
        shape: impl FnOnce(CommandContext<'_>) -> CommandContext<'_>,
    ) -> Then {
        let before = Snapshot::of(&self.shop);
        let context = shape(CommandContext::new(self.now, &mut self.ids));
        let result = self.shop.execute(command, context);
        self.now = self.now.plus_millis(TICK_MS);
        Then {
            spec: self,
            before,
            result,
        }
    }
}

/// Everything a command could change, as it was before the command.
struct Snapshot {
    log: Vec<ShopRecorded>,
    aggregates: Aggregates,
    live: ReadModelSet<ShopEvent>,
    at_cursor: ReadModelSet<ShopEvent>,
}

impl Snapshot {
    fn of(shop: &Shop) -> Snapshot {
        Snapshot {
            log: shop.store().events().to_vec(),
            aggregates: shop.aggregates().clone(),
            live: shop.history().live().clone(),
            at_cursor: shop.history().at_cursor().clone(),
        }
    }
}

/// What a command did, waiting to be checked.
pub struct Then {
    spec: Spec,
    before: Snapshot,
    result: Result<Appended, CommandError>,
}

impl Then {
    /// The command was accepted and appended exactly these events; the specification goes on.
    pub fn then(self, expected: impl IntoIterator<Item = ShopEvent>) -> Spec {
        let expected: Vec<ShopEvent> = expected.into_iter().collect();
        if let Err(error) = &self.result {
            panic!("expected {expected:?}, but the command failed: {error}");
        }
        let appended: Vec<ShopEvent> = self.recorded().iter().map(|r| r.event.clone()).collect();
        assert_eq!(appended, expected, "the events appended");
        assert_eq!(
            self.spec
                .shop
                .store()
                .events()
                .slice(0..self.before.log.len()),
            &self.before.log[..],
            "an accepted command only appends"
        );
        self.spec
    }

    /// The command was refused for exactly this reason, and nothing changed.
    pub fn then_rejects(self, expected: Rejection) -> Spec {
        match &self.result {
            Err(CommandError::Rejected { rejection, .. }) => {
                assert_eq!(rejection, &expected, "the rejection");
            }
            Err(other) => panic!("expected {expected:?}, but the store failed: {other}"),
            Ok(_) => panic!(
                "expected {expected:?}, but the command appended {:?}",
                self.recorded()
            ),
        }
        self.unchanged()
    }

    /// The command failed with exactly this error (a refusal other than a business rule's),
    /// and nothing changed.
    pub fn then_fails(self, expected: CommandError) -> Spec {
        match &self.result {
            Err(error) => assert_eq!(error, &expected, "the error"),
            Ok(_) => panic!(
                "expected {expected:?}, but the command appended {:?}",
                self.recorded()
            ),
        }
        self.unchanged()
    }

    fn unchanged(self) -> Spec {
        let shop = &self.spec.shop;
        assert_eq!(
            shop.store().events(),
            &self.before.log[..],
            "a rejected command appends nothing"
        );
        assert_eq!(shop.aggregates(), &self.before.aggregates);
        assert!(
            shop.history().live().same_state(&self.before.live),
            "a rejected command changes no read model"
        );
        assert!(shop
            .history()
            .at_cursor()
            .same_state(&self.before.at_cursor));
        self.spec
    }

    /// The envelopes the command appended (empty if it was refused).
    pub fn recorded(&self) -> LogSlice<'_, ShopRecorded> {
        self.spec
            .shop
            .store()
            .events()
            .starting_at(self.before.log.len())
    }
}

// Facts, priced from the catalog as the shop would price them.

pub fn price(sku: Sku) -> Money {
    catalog::product(sku).map_or(Money::ZERO, |product| product.price)
}

pub fn lines(requested: &[(Sku, u32)]) -> Vec<OrderLine> {
    requested
        .iter()
        .map(|&(sku, quantity)| OrderLine {
            sku,
            quantity,
            unit_price: price(sku),
        })
        .collect()
}

pub fn total(requested: &[(Sku, u32)]) -> Money {
    Money::of_lines(&lines(requested))
}

pub fn product_viewed(customer: CustomerId, sku: Sku) -> ShopEvent {
    ShopEvent::ProductViewed { customer, sku }
}

pub fn item_added(customer: CustomerId, sku: Sku, quantity: u32) -> ShopEvent {
    ShopEvent::ItemAddedToCart {
        customer,
        sku,
        quantity,
        unit_price: price(sku),
    }
}

pub fn item_removed(customer: CustomerId, sku: Sku, quantity: u32) -> ShopEvent {
    ShopEvent::ItemRemovedFromCart {
        customer,
        sku,
        quantity,
    }
}

pub fn cart_checked_out(customer: CustomerId, requested: &[(Sku, u32)]) -> ShopEvent {
    ShopEvent::CartCheckedOut {
        customer,
        lines: lines(requested),
        total: total(requested),
    }
}

pub fn order_placed(order: OrderId, customer: CustomerId, requested: &[(Sku, u32)]) -> ShopEvent {
    ShopEvent::OrderPlaced {
        order,
        customer,
        lines: lines(requested),
        total: total(requested),
    }
}

pub fn payment_processed(order: OrderId, customer: CustomerId, amount: Money) -> ShopEvent {
    ShopEvent::PaymentProcessed {
        order,
        customer,
        amount,
    }
}

pub fn payment_failed(
    order: OrderId,
    customer: CustomerId,
    amount: Money,
    reason: &str,
) -> ShopEvent {
    ShopEvent::PaymentFailed {
        order,
        customer,
        amount,
        reason: reason.to_string(),
    }
}

pub fn shipment_dispatched(
    order: OrderId,
    customer: CustomerId,
    carrier: &str,
    requested: &[(Sku, u32)],
) -> ShopEvent {
    ShopEvent::ShipmentDispatched {
        order,
        customer,
        carrier: carrier.to_string(),
        lines: lines(requested),
    }
}

pub fn order_cancelled(
    order: OrderId,
    customer: CustomerId,
    reason: &str,
    refunded: Money,
) -> ShopEvent {
    ShopEvent::OrderCancelled {
        order,
        customer,
        reason: reason.to_string(),
        refunded,
    }
}

pub fn stock_received(sku: Sku, quantity: u32) -> ShopEvent {
    ShopEvent::StockReceived { sku, quantity }
}

pub fn inventory_reserved(sku: Sku, order: OrderId, quantity: u32) -> ShopEvent {
    ShopEvent::InventoryReserved {
        sku,
        order,
        quantity,
    }
}

pub fn inventory_released(sku: Sku, order: OrderId, quantity: u32) -> ShopEvent {
    ShopEvent::InventoryReleased {
        sku,
        order,
        quantity,
    }
}

// Commands, named as a customer or clerk would say them.

pub fn view(customer: CustomerId, sku: Sku) -> ShopCommand {
    ShopCommand::ViewProduct { customer, sku }
}

pub fn add(customer: CustomerId, sku: Sku, quantity: u32) -> ShopCommand {
    ShopCommand::AddItemToCart {
        customer,
        sku,
        quantity,
    }
}

pub fn remove(customer: CustomerId, sku: Sku, quantity: u32) -> ShopCommand {
    ShopCommand::RemoveItemFromCart {
        customer,
        sku,
        quantity,
    }
}

pub fn check_out(customer: CustomerId) -> ShopCommand {
    ShopCommand::CheckOutCart { customer }
}

pub fn place(customer: CustomerId, requested: &[(Sku, u32)]) -> ShopCommand {
    ShopCommand::PlaceOrder {
        customer,
        lines: requested
            .iter()
            .map(|&(sku, quantity)| RequestedLine { sku, quantity })
            .collect(),
    }
}

pub fn pay(order: OrderId) -> ShopCommand {
    ShopCommand::ProcessPayment {
        order,
        outcome: PaymentOutcome::Approved,
    }
}

pub fn decline(order: OrderId, reason: &str) -> ShopCommand {
    ShopCommand::ProcessPayment {
        order,
        outcome: PaymentOutcome::Declined {
            reason: reason.to_string(),
        },
    }
}

pub fn dispatch(order: OrderId, carrier: &str) -> ShopCommand {
    ShopCommand::DispatchShipment {
        order,
        carrier: carrier.to_string(),
    }
}

pub fn cancel(order: OrderId, reason: &str) -> ShopCommand {
    ShopCommand::CancelOrder {
        order,
        reason: reason.to_string(),
    }
}

pub fn restock(sku: Sku, quantity: u32) -> ShopCommand {
    ShopCommand::RestockInventory { sku, quantity }
}

pub fn reserve(order: OrderId, sku: Sku, quantity: u32) -> ShopCommand {
    ShopCommand::ReserveInventory {
        order,
        sku,
        quantity,
    }
}

pub fn release(order: OrderId, sku: Sku, quantity: u32) -> ShopCommand {
    ShopCommand::ReleaseInventory {
        order,
        sku,
        quantity,
    }
}
