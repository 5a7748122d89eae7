//! The shop: the domain every lesson runs on. Customers fill carts and check out; orders are
//! placed, paid, dispatched or cancelled; stock is received, reserved and released.
//!
//! [`Shop`] ties the write side (aggregates deciding commands) to the event store and to the
//! history of read models, so one call handles a command end to end.

pub mod aggregates;
pub mod as_of;
pub mod bench;
pub mod catalog;
pub mod checked;
pub mod commands;
pub mod compare;
pub mod event_catalog;
pub mod events;
pub mod evolution;
pub mod generator;
pub mod golden;
pub mod ids;
pub mod interchange;
pub mod outcome;
pub mod query_fields;
pub mod read_models;
pub mod reference_fold;
pub mod room;
pub mod scripting;
pub mod services;
pub mod simulation;

use std::borrow::Cow;
use std::sync::Arc;

use aggregates::Aggregates;
use commands::{Rejection, ShopCommand};
pub use events::{ShopEvent, ShopStream};

use eventide_engine::envelope::Upcasting;
use eventide_engine::envelope::{DomainEvent, Metadata, Named, NewEvent, Recorded, StreamKey};
use eventide_engine::history::{History, DEFAULT_CHECKPOINT_INTERVAL};
use eventide_engine::ids::{CorrelationId, EventId, Position, SchemaVersion, Timestamp};
use eventide_engine::projection::SharedUpcasting;
use eventide_engine::rng::IdSource;
use eventide_engine::schema::{CompatibilityMode, Upcaster};
use eventide_engine::store::{AppendError, Appended, EventStore, ExpectedVersion};
use events::ShopEventKind;
use evolution::{Evolution, EvolutionError, PayloadRejected, ShopUpcasting, CODE_VERSION};

pub type ShopStore = EventStore<ShopEvent>;
pub type ShopHistory = History<ShopEvent>;
pub type ShopRecorded = Recorded<ShopEvent>;

/// Everything a command needs besides itself: the time, where ids come from, and which flow it
/// belongs to. The engine reads no clock, so the caller supplies all of it.
pub struct CommandContext<'a> {
    pub now: Timestamp,
    pub ids: &'a mut dyn IdSource,
    /// The flow this command continues; `None` starts a new one.
    pub correlation: Option<CorrelationId>,
    /// The event that led to this command, if any.
    pub causation: Option<EventId>,
    pub metadata: Metadata,
    /// Business time, when the fact happened earlier than now (back-dating); `None` is now.
    pub occurred_at: Option<Timestamp>,
    /// The stream version the caller expects (optimistic concurrency from outside, as a client
    /// that read the aggregate earlier would send it); `None`: the version the aggregate decided at.
    pub expected: Option<ExpectedVersion>,
}

impl<'a> CommandContext<'a> {
    pub fn new(now: Timestamp, ids: &'a mut dyn IdSource) -> Self {
        CommandContext {
            now,
            ids,
            correlation: None,
            causation: None,
            metadata: Metadata::default(),
            occurred_at: None,
            expected: None,
        }
    }

    pub fn in_flow(mut self, correlation: CorrelationId, causation: Option<EventId>) -> Self {
        self.correlation = Some(correlation);
        self.causation = causation;
        self
    }
}

/// Why a command did not append anything.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// A business rule said no: the user's request is the problem.
    #[error("{command} rejected: {rejection}")]
    Rejected {
        command: &'static str,
        rejection: Rejection,
    },
    /// The event's payload does not match its schema: nothing was appended.
    #[error("{command} refused: {rejected}")]
    Invalid {
        command: &'static str,
        rejected: PayloadRejected,
    },
    /// The command says its fact happened after now: business time may be back-dated, never
    /// set in the future, because nothing is known before it happens.
    #[error("{command} refused: it is dated {occurred_at}, later than now ({now})")]
    OccursInTheFuture {
        command: &'static str,
        occurred_at: Timestamp,
        now: Timestamp,
    },
    /// The store said no: a concurrency conflict or an impossible append.
    #[error("{command} failed: {error}")]
    Store {
        command: &'static str,
        error: AppendError<ShopStream>,
    },
}

/// The shop's write side, its log and its read models' history.
pub struct Shop {
    store: ShopStore,
    aggregates: Aggregates,
    history: ShopHistory,
    evolution: Evolution,
    /// How consumers read the log, kept beside `evolution` (`None` while nothing evolved).
    upcasting: Option<Arc<ShopUpcasting>>,
}

/// Whether a new event's payload is checked against its schema before it is appended: a
/// parameter of the crate's own entry points, never a setting of the shop, so no call can find
/// it switched off by an earlier one. Outside this crate there is only `Checked`: the public
/// [`Shop::execute`] and [`Shop::publish`] validate every payload a user, a script, the chaos
/// platform or another crate asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Validation {
    Checked,
    /// The shop's own code made the payload (the generator, the simulated storefront and
    /// services): valid by construction, which property tests check for every event they
    /// record. Checking costs about 1.4 µs an event, mostly turning the event into JSON.
    Trusted,
}

impl Default for Shop {
    fn default() -> Self {
        Shop::new()
    }
}

impl Shop {
    pub fn new() -> Shop {
        Shop::with_checkpoint_interval(DEFAULT_CHECKPOINT_INTERVAL)
    }

    pub fn with_checkpoint_interval(interval: u64) -> Shop {
        let store = ShopStore::new();
        let mut history = History::new(interval);
        for model in read_models::built_in() {
            history.register(model, &store);
        }
        Shop {
            store,
            aggregates: Aggregates::default(),
            history,
            evolution: Evolution::new(),
            upcasting: None,
        }
    }

    pub fn store(&self) -> &ShopStore {
        &self.store
    }

    pub fn history(&self) -> &ShopHistory {
        &self.history
    }

    pub fn aggregates(&self) -> &Aggregates {
        &self.aggregates
    }

    /// The event types' schemas, modes and upcasters.
    pub fn evolution(&self) -> &Evolution {
        &self.evolution
    }

    pub fn set_schema_mode(&mut self, kind: ShopEventKind, mode: CompatibilityMode) {
        self.evolution.set_mode(kind, mode);
    }

    /// Registers the next schema version of `kind`, with the upcaster from the current one, if
    /// the registry, every recorded event and every consumer allow it; consumers then read the
    /// whole log, and what follows, through it. On any error nothing changes.
    pub fn register_version(
        &mut self,
        kind: ShopEventKind,
        schema: serde_json::Value,
        upcaster: Upcaster,
    ) -> Result<SchemaVersion, EvolutionError> {
        let version = self
            .evolution
            .register(kind, schema, upcaster, &self.store)?;
        self.reread();
        Ok(version)
    }

    /// Replaces the evolution (a scenario's, a branch's main line's) and rereads the log.
    pub fn set_evolution(&mut self, evolution: Evolution) {
        self.evolution = evolution;
        self.reread();
    }

    fn reread(&mut self) {
        self.upcasting = self.evolution.upcasting();
        let shared = self
            .upcasting
            .clone()
            .map(|upcasting| upcasting as SharedUpcasting<ShopEvent>);
        self.history.set_upcasting(shared, &self.store);
    }

    /// A recorded event as its consumers read it now: upcast if its type has evolved.
    pub fn read_as_consumers<'e>(&self, event: &'e ShopRecorded) -> Cow<'e, ShopRecorded> {
        match self
            .upcasting
            .as_ref()
            .and_then(|upcasting| upcasting.read(event))
        {
            Some(upcast) => Cow::Owned(upcast),
            None => Cow::Borrowed(event),
        }
    }

    fn check_payload(
        &self,
        command: &'static str,
        event: &ShopEvent,
        validation: Validation,
    ) -> Result<(), CommandError> {
        if validation == Validation::Trusted {
            return Ok(());
        }
        self.evolution
            .validate(event.kind(), CODE_VERSION, &event_catalog::payload(event))
            .map_err(|rejected| CommandError::Invalid { command, rejected })
    }

    /// Decides a command against the current state, validates its event's payload, appends it
    /// and folds it into the read models. On any error nothing changes.
    pub fn execute(
        &mut self,
        command: ShopCommand,
        context: CommandContext<'_>,
    ) -> Result<Appended, CommandError> {
        self.execute_with(command, context, Validation::Checked)
    }

    /// [`Shop::execute`], validating the payload or trusting the shop's own code to have made
    /// it right.
    pub(crate) fn execute_with(
        &mut self,
        command: ShopCommand,
        context: CommandContext<'_>,
        validation: Validation,
    ) -> Result<Appended, CommandError> {
        let name = command.name();
        let now = context.now;
        let (stream, expected, proposed) = self.prepare(command, context, validation)?;
        self.append_checked(stream, expected, vec![proposed], now)
            .map_err(|error| CommandError::Store {
                command: name,
                error,
            })
    }

    /// What a command would append, decided and validated, without appending it: its stream,
    /// the version it expects that stream at, and the event.
    fn prepare(
        &self,
        command: ShopCommand,
        context: CommandContext<'_>,
        validation: Validation,
    ) -> Result<(ShopStream, ExpectedVersion, NewEvent<ShopEvent>), CommandError> {
        let name = command.name();
        if let Some(occurred_at) = context.occurred_at.filter(|&at| at > context.now) {
            return Err(CommandError::OccursInTheFuture {
                command: name,
                occurred_at,
                now: context.now,
            });
        }
        let (stream, event) = self
            .decide(command)
            .map_err(|rejection| CommandError::Rejected {
                command: name,
                rejection,
            })?;
        self.check_payload(name, &event, validation)?;
        let expected = context
            .expected
            .unwrap_or(match self.store.stream_version(stream) {
                version if version.0 == 0 => ExpectedVersion::NoStream,
                version => ExpectedVersion::Exact(version),
            });
        let id = context.ids.next_event_id();
        let correlation = context.correlation.unwrap_or(id.as_correlation());
        let mut proposed = NewEvent::new(id, event).in_flow(correlation, context.causation);
        proposed.metadata = context.metadata;
        proposed.occurred_at = context.occurred_at;
        Ok((stream, expected, proposed))
    }

    /// Records a fact that a service owns outright (a fraud verdict, a sent email, chaos mode):
    /// no aggregate rules over these streams, so there is nothing to decide, only to append.
    /// Events of ruled aggregates (carts, orders, stock) are refused: they need a command. Its
    /// payload is validated.
    pub fn publish(
        &mut self,
        event: ShopEvent,
        context: CommandContext<'_>,
    ) -> Result<Appended, CommandError> {
        self.publish_with(event, context, Validation::Checked)
    }

    /// [`Shop::publish`], validating the payload or trusting the shop's own code.
    pub(crate) fn publish_with(
        &mut self,
        event: ShopEvent,
        context: CommandContext<'_>,
        validation: Validation,
    ) -> Result<Appended, CommandError> {
        let id = context.ids.next_event_id();
        let correlation = context.correlation.unwrap_or(id.as_correlation());
        let stream = event.stream_in(correlation);
        let name = event.kind().name();
        if stream.category().is_ruled() {
            return Err(CommandError::Rejected {
                command: "Publish",
                rejection: Rejection::DecidedByAggregate(name, stream.category().name()),
            });
        }
        self.check_payload("Publish", &event, validation)?;
        let mut proposed = NewEvent::new(id, event).in_flow(correlation, context.causation);
        proposed.metadata = context.metadata;
        self.append_checked(stream, ExpectedVersion::Any, vec![proposed], context.now)
            .map_err(|error| CommandError::Store {
                command: "Publish",
                error,
            })
    }

    /// Appends events already decided and validated (by `execute_with`, `publish_with`, or a
    /// replay of checked envelopes) and folds them in. Crate-private: from outside, events
    /// reach a shop only through `execute`, `publish` and `replay`, which all check payloads.
    pub(crate) fn append_checked(
        &mut self,
        stream: ShopStream,
        expected: ExpectedVersion,
        events: Vec<NewEvent<ShopEvent>>,
        recorded_at: Timestamp,
    ) -> Result<Appended, AppendError<ShopStream>> {
        let appended = self.store.append(stream, expected, events, recorded_at)?;
        if let Some((first, last)) = appended.range {
            let new_events = self.store.between(Position(first.0 - 1), last);
            for recorded in new_events {
                self.aggregates.evolve(&recorded.event);
            }
            self.history.record(new_events);
        }
        Ok(appended)
    }

    fn decide(&self, command: ShopCommand) -> Result<(ShopStream, ShopEvent), Rejection> {
        use ShopCommand::*;
        let cart = |customer| self.aggregates.cart_or_empty(customer);
        let stock = |sku| self.aggregates.stock_or_empty(sku);
        let order = |id| self.aggregates.order(id).ok_or(Rejection::UnknownOrder(id));
        Ok(match command {
            ViewProduct { customer, sku } => (
                ShopStream::Cart(customer),
                cart(customer).view(customer, sku)?,
            ),
            AddItemToCart {
                customer,
                sku,
                quantity,
            } => (
                ShopStream::Cart(customer),
                cart(customer).add(customer, sku, quantity)?,
            ),
            RemoveItemFromCart {
                customer,
                sku,
                quantity,
            } => (
                ShopStream::Cart(customer),
                cart(customer).remove(customer, sku, quantity)?,
            ),
            CheckOutCart { customer } => (
                ShopStream::Cart(customer),
                cart(customer).check_out(customer)?,
            ),
            PlaceOrder { customer, lines } => {
                let id = self.aggregates.next_order_id();
                (
                    ShopStream::Order(id),
                    aggregates::Order::place(id, customer, &lines)?,
                )
            }
            ProcessPayment { order: id, outcome } => {
                (ShopStream::Order(id), order(id)?.pay(outcome)?)
            }
            DispatchShipment { order: id, carrier } => {
                let reserved = |sku| stock(sku).reserved_for(id);
                (
                    ShopStream::Order(id),
                    order(id)?.dispatch(&carrier, reserved)?,
                )
            }
            CancelOrder { order: id, reason } => {
                (ShopStream::Order(id), order(id)?.cancel(&reason)?)
            }
            ReserveInventory {
                order: id,
                sku,
                quantity,
            } => {
                order(id)?;
                catalog::product(sku).ok_or(Rejection::UnknownProduct(sku))?;
                (
                    ShopStream::Inventory(sku),
                    stock(sku).reserve(sku, id, quantity)?,
                )
            }
            ReleaseInventory {
                order: id,
                sku,
                quantity,
            } => {
                // A shipped order's business with the warehouse is over: its goods left the
                // shelf and used their reservation up, and nothing it held goes back on sale.
                if order(id)?.status == aggregates::OrderStatus::Shipped {
                    return Err(Rejection::AlreadyDispatched(id));
                }
                (
                    ShopStream::Inventory(sku),
                    stock(sku).release(sku, id, quantity)?,
                )
            }
            RestockInventory { sku, quantity } => {
                catalog::product(sku).ok_or(Rejection::UnknownProduct(sku))?;
                (
                    ShopStream::Inventory(sku),
                    stock(sku).restock(sku, quantity)?,
                )
            }
        })
    }

    /// Moves the time-travel cursor to a position (the head means live).
    pub fn seek(&mut self, target: Position) -> Position {
        self.history.seek(&self.store, target)
    }

    /// Moves the cursor to the last event recorded at or before `time`.
    pub fn seek_time(&mut self, time: Timestamp) -> Position {
        let target = self.store.position_at(time);
        self.history.seek(&self.store, target)
    }

    pub fn go_live(&mut self) {
        self.history.go_live();
    }

    pub fn cursor(&self) -> Position {
        self.history.cursor()
    }

    pub fn is_live(&self) -> bool {
        self.history.is_live()
    }
}
