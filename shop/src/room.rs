//! A room: one log shared by several tabs through a broker's stream. A tab in a room never
//! appends its own commands. It proposes the event a command decides ([`Shop::propose`]),
//! publishes it, and admits what the room's stream delivers, its own proposals included, in
//! the stream's order ([`Room::admit`]). Every tab applies the same rule to the same sequence,
//! so every tab builds the same log, position for position:
//!
//! - an event of a ruled aggregate (a cart, an order, stock) lands only if its stream is still
//!   at the version it was decided against: two tabs that paid the same order at once see the
//!   first payment land and the second refused as stale, both of them;
//! - its recorded time is when the broker stored it (one clock for the room), never earlier
//!   than the log's head; a back-dated business time is kept, a later one is not;
//! - an id the log holds already is a repeat (a retried publish) and changes nothing;
//! - an envelope that does not read (a wrong field, a payload off its schema) is refused with
//!   the field, and changes nothing.
//!
//! - a decision that also read *another* aggregate is checked again on what it read there,
//!   as that aggregate stands now: a dispatch lands only if the stock reserved for its order
//!   still covers every line (another tab may have released it), a release of stock only if
//!   its order has not shipped since. Only what the decision read counts: an unrelated
//!   reservation on the same product, or a payment on the order, changes nothing.

use serde_json::Value;

use crate::commands::Rejection;
use crate::commands::ShopCommand;
use crate::ids::{OrderId, Sku};
use crate::interchange::{EnvelopeReader, ImportError};
use crate::simulation::{ScriptReaction, PRODUCER};
use crate::{CommandContext, CommandError, Shop, ShopEvent, ShopRecorded, ShopStream, Validation};
use eventide_engine::envelope::Metadata;
use eventide_engine::envelope::{DomainEvent, Named, NewEvent, Recorded, StreamKey};
use eventide_engine::ids::{EventId, Position, StreamVersion, Timestamp};
use eventide_engine::rng::IdSource;
use eventide_engine::store::{AppendError, ExpectedVersion, VersionConflict};

/// What a tab publishes for a command: the envelope the event would have at the head of this
/// tab's log (its position and recorded time are the proposer's guess; the room decides both).
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    pub id: EventId,
    pub envelope: Value,
}

/// What became of a delivered envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admitted {
    /// It is in the log, at this position.
    Landed(Position),
    /// The log holds its id already: a repeat.
    Repeat,
}

/// Why a delivered envelope changed nothing.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Refused {
    #[error("an event from the room does not read: {0}")]
    Unreadable(ImportError),
    /// Its aggregate moved on between the decision and the delivery.
    #[error("{id} was decided against version {expected} of {stream}, which is at {actual} now: refused as stale")]
    Stale {
        id: EventId,
        stream: String,
        expected: u32,
        actual: u32,
    },
    /// An order numbered past the next one (orders are numbered in turn: a gap would leave
    /// every number before it to no one, in every tab).
    #[error("{id} places {order} out of turn: the next order is {next}")]
    OutOfTurn {
        id: EventId,
        order: OrderId,
        next: OrderId,
    },
    /// What its decision read of another aggregate no longer holds there.
    #[error("{id} was decided on {reason}, which no longer holds: refused")]
    NoLongerHolds { id: EventId, reason: String },
    #[error("the log refused an event from the room: {0}")]
    Store(String),
}

impl Shop {
    /// The event `command` decides, validated as [`Shop::execute`] validates it, as the
    /// envelope to publish to a room: nothing is appended here.
    pub fn propose(
        &self,
        command: ShopCommand,
        context: CommandContext<'_>,
    ) -> Result<Proposal, CommandError> {
        let now = context.now;
        let name = command.name();
        let (stream, expected, proposed) = self.prepare(command, context, Validation::Checked)?;
        // A version the caller stated is checked here, as an append would: the room checks
        // only the version the decision was made at.
        let actual = self.store().stream_version(stream);
        if !expected.admits(actual) {
            return Err(CommandError::Store {
                command: name,
                error: AppendError::Conflict(VersionConflict {
                    stream,
                    expected,
                    actual,
                }),
            });
        }
        Ok(self.at_head(stream, proposed, now))
    }

    /// What a service (a policy script in a room) decided in reaction to the event at `cause`,
    /// as the envelope to publish: in the cause's flow, caused by it, produced by `producer`,
    /// validated as [`Shop::propose`] and [`Shop::publish`] validate. Nothing is appended.
    pub fn propose_reaction(
        &self,
        cause: Position,
        reaction: ScriptReaction,
        producer: &str,
        now: Timestamp,
        ids: &mut dyn IdSource,
    ) -> Result<Proposal, CommandError> {
        let Some(event) = self.store().get(cause) else {
            return Err(CommandError::Rejected {
                command: "React",
                rejection: Rejection::UnknownCause(cause),
            });
        };
        let mut context =
            CommandContext::new(now, ids).in_flow(event.correlation_id, Some(event.id));
        context.metadata = Metadata::default().with(PRODUCER, producer.to_string());
        match reaction {
            ScriptReaction::Command(command) => self.propose(command, context),
            ScriptReaction::Publish(event) => self.propose_publish(event, context),
        }
    }

    /// The event a service publishes (one no aggregate decides), as the envelope to publish.
    fn propose_publish(
        &self,
        event: ShopEvent,
        context: CommandContext<'_>,
    ) -> Result<Proposal, CommandError> {
        let id = context.ids.next_event_id();
        let correlation = context.correlation.unwrap_or(id.as_correlation());
        let stream = event.stream_in(correlation);
        if stream.category().is_ruled() {
            return Err(CommandError::Rejected {
                command: "Publish",
                rejection: Rejection::DecidedByAggregate(
                    event.kind().name(),
                    stream.category().name(),
                ),
            });
        }
        self.check_payload("Publish", &event, Validation::Checked)?;
        let mut proposed = NewEvent::new(id, event).in_flow(correlation, context.causation);
        proposed.metadata = context.metadata;
        Ok(self.at_head(stream, proposed, context.now))
    }

    /// `proposed` as it would be recorded at the head of this tab's log, now.
    fn at_head(
        &self,
        stream: ShopStream,
        proposed: NewEvent<ShopEvent>,
        now: Timestamp,
    ) -> Proposal {
        let NewEvent {
            id,
            occurred_at,
            schema_version,
            correlation_id,
            causation_id,
            metadata,
            event,
        } = proposed;
        let envelope = Recorded {
            id,
            position: self.store().head().next(),
            stream,
            version: self.store().stream_version(stream).next(),
            schema_version,
            recorded_at: now,
            occurred_at: occurred_at.unwrap_or(now),
            correlation_id,
            causation_id,
            metadata,
            event,
        }
        .to_json();
        Proposal { id, envelope }
    }
}

/// What a decision read of an aggregate other than its own, in words, when it no longer holds
/// in `shop`: the decisions that read another aggregate are the dispatch (the stock reserved for
/// the order) and the release of stock (whether the order shipped).
fn no_longer_holds(shop: &Shop, event: &ShopEvent) -> Option<String> {
    match event {
        ShopEvent::ShipmentDispatched { order, lines, .. } => {
            let mut needed: Vec<(Sku, u64)> = Vec::new();
            for line in lines {
                match needed.iter_mut().find(|(sku, _)| *sku == line.sku) {
                    Some((_, units)) => *units += u64::from(line.quantity),
                    None => needed.push((line.sku, u64::from(line.quantity))),
                }
            }
            needed.into_iter().find_map(|(sku, units)| {
                let held = shop.aggregates().stock_or_empty(sku).reserved_for(*order);
                (u64::from(held) < units)
                    .then(|| format!("{units} of {sku} reserved for {order} (now {held})"))
            })
        }
        ShopEvent::InventoryReleased { order, .. } => shop
            .aggregates()
            .order(*order)
            .filter(|placed| placed.status == crate::aggregates::OrderStatus::Shipped)
            .map(|_| format!("{order} not having shipped")),
        _ => None,
    }
}

/// A tab's side of a room: reads what the room delivers and admits it into the tab's shop.
#[derive(Default)]
pub struct Room {
    reader: EnvelopeReader,
}

impl Room {
    pub fn new() -> Room {
        Room::default()
    }

    /// Admits one envelope as the room's stream delivered it, stored by the broker at
    /// `stored_at`: by the rules in this module's documentation, the same in every tab.
    pub fn admit(
        &mut self,
        shop: &mut Shop,
        envelope: Value,
        stored_at: Timestamp,
    ) -> Result<Admitted, Refused> {
        let delivered: ShopRecorded = self.reader.read(envelope).map_err(Refused::Unreadable)?;
        if shop.store().contains(delivered.id) {
            return Ok(Admitted::Repeat);
        }
        let stream = delivered.stream;
        if let ShopEvent::OrderPlaced { order, .. } = &delivered.event {
            let next = shop.aggregates().next_order_id();
            // One numbered before the next is a stale decision (its stream exists): the
            // stream's rule below says so.
            if order.0 > next.0 {
                return Err(Refused::OutOfTurn {
                    id: delivered.id,
                    order: *order,
                    next,
                });
            }
        }
        // What the decision read of another aggregate must still hold there.
        if let Some(reason) = no_longer_holds(shop, &delivered.event) {
            return Err(Refused::NoLongerHolds {
                id: delivered.id,
                reason,
            });
        }
        let decided_at = StreamVersion(delivered.version.0.saturating_sub(1));
        let expected = if !stream.category().is_ruled() {
            ExpectedVersion::Any
        } else if decided_at.0 == 0 {
            ExpectedVersion::NoStream
        } else {
            ExpectedVersion::Exact(decided_at)
        };
        let head_time = shop
            .store()
            .events()
            .last()
            .map_or(stored_at, |last| last.recorded_at);
        let recorded_at = stored_at.max(head_time);
        let back_dated = delivered.occurred_at < delivered.recorded_at;
        let event = NewEvent {
            id: delivered.id,
            occurred_at: (back_dated && delivered.occurred_at <= recorded_at)
                .then_some(delivered.occurred_at),
            schema_version: delivered.schema_version,
            correlation_id: delivered.correlation_id,
            causation_id: delivered.causation_id,
            metadata: delivered.metadata,
            event: delivered.event,
        };
        match shop.append_checked(stream, expected, vec![event], recorded_at) {
            Ok(appended) => Ok(appended
                .range
                .map_or(Admitted::Repeat, |(first, _)| Admitted::Landed(first))),
            Err(AppendError::Conflict(conflict)) => Err(Refused::Stale {
                id: delivered.id,
                stream: stream.to_string(),
                expected: decided_at.0,
                actual: conflict.actual.0,
            }),
            Err(other) => Err(Refused::Store(other.to_string())),
        }
    }
}
