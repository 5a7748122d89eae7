//! The checks that need the events before: ids are unique, positions run 1, 2, 3, ..., each
//! stream's versions run 1, 2, 3, ..., recorded time never runs backwards, and orders are
//! opened in turn. These are the store's own invariants, checked here first so that a file
//! that breaks one is refused with the event and field to fix, before anything is built.

use rustc_hash::FxHashMap;

use super::error::{EventAt, FieldProblem, ImportError};
use crate::ids::OrderId;
use crate::{ShopEvent, ShopRecorded, ShopStream};
use eventide_engine::envelope::Named;
use eventide_engine::envelope::StreamKey;
use eventide_engine::ids::{EventId, Position, StreamVersion, Timestamp};

/// How a format spells the fields the log checks name.
pub(super) struct FieldNames {
    pub id: &'static str,
    pub position: &'static str,
    pub version: &'static str,
    pub recorded_at: &'static str,
    pub occurred_at: &'static str,
    /// The payload's field holding the order number, for an order opened out of turn.
    pub order: &'static str,
}

/// The log read so far.
pub(super) struct LogCheck {
    names: &'static FieldNames,
    ids: FxHashMap<EventId, usize>,
    versions: FxHashMap<ShopStream, StreamVersion>,
    head: Position,
    last_recorded: Option<Timestamp>,
    next_order: OrderId,
}

impl LogCheck {
    pub(super) fn new(names: &'static FieldNames) -> LogCheck {
        LogCheck {
            names,
            ids: FxHashMap::default(),
            versions: FxHashMap::default(),
            head: Position::ORIGIN,
            last_recorded: None,
            next_order: OrderId(1),
        }
    }

    /// Accepts the event at `index` as the next one of the log, or names what is wrong.
    pub(super) fn admit(&mut self, index: usize, event: &ShopRecorded) -> Result<(), ImportError> {
        let at = EventAt {
            index,
            id: Some(event.id),
        };
        let error = |field: &str, problem| ImportError::Event {
            at,
            field: field.to_string(),
            problem,
        };
        if let Some(&first) = self.ids.get(&event.id) {
            return Err(error(self.names.id, FieldProblem::DuplicateId { first }));
        }
        let expected = self.head.next();
        if event.position != expected {
            return Err(error(
                self.names.position,
                FieldProblem::PositionGap {
                    expected,
                    found: event.position,
                },
            ));
        }
        let version = self
            .versions
            .get(&event.stream)
            .copied()
            .unwrap_or_default();
        if event.version != version.next() {
            return Err(error(
                self.names.version,
                FieldProblem::VersionGap {
                    stream: format!("{}/{}", event.stream.category().name(), event.stream),
                    expected: version.next(),
                    found: event.version,
                },
            ));
        }
        if let Some(previous) = self.last_recorded.filter(|&last| event.recorded_at < last) {
            return Err(error(
                self.names.recorded_at,
                FieldProblem::TimeWentBackwards {
                    previous,
                    found: event.recorded_at,
                },
            ));
        }
        if event.occurred_at > event.recorded_at {
            return Err(error(
                self.names.occurred_at,
                FieldProblem::OccurredAfterRecorded {
                    occurred_at: event.occurred_at,
                    recorded_at: event.recorded_at,
                },
            ));
        }
        if let ShopEvent::OrderPlaced { order, .. } = &event.event {
            if *order != self.next_order {
                return Err(error(
                    self.names.order,
                    FieldProblem::OrderOutOfTurn {
                        expected: self.next_order.to_string(),
                        found: order.to_string(),
                    },
                ));
            }
            self.next_order = OrderId(order.0.saturating_add(1));
        }
        self.ids.insert(event.id, index);
        self.versions.insert(event.stream, event.version);
        self.head = event.position;
        self.last_recorded = Some(event.recorded_at);
        Ok(())
    }
}
