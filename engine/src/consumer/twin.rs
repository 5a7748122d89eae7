//! The exactly-once twin: a consumer fed every event of its subscription exactly once and in
//! log order, whatever the bus did. An oracle no real consumer has.

use std::collections::{BTreeMap, BTreeSet};

use super::PositionSet;
use crate::envelope::{DomainEvent, Recorded};
use crate::ids::Position;

/// A consumer `C` fed every event handed to its subscription exactly once, in log order.
///
/// The bus says which positions it handed to the subscription ([`InOrderTwin::expect`]); a
/// first delivery ([`InOrderTwin::arrive`]) waits until every expected position before it has
/// arrived, then they are folded in order. A delivery given up on (parked) arrives too:
/// exactly-once delivery would have brought it. The buffer holds only what overtook
/// something: empty whenever the subscription has nothing in flight.
#[derive(Clone, Debug)]
pub struct InOrderTwin<E: DomainEvent, C> {
    consumer: C,
    /// Positions handed to the subscription and not folded yet, in log order.
    waiting: BTreeSet<Position>,
    /// First deliveries that came before an earlier expected position.
    early: BTreeMap<Position, Recorded<E>>,
    folded: PositionSet,
}

impl<E: DomainEvent, C> InOrderTwin<E, C> {
    pub fn new(consumer: C) -> Self {
        InOrderTwin {
            consumer,
            waiting: BTreeSet::new(),
            early: BTreeMap::new(),
            folded: PositionSet::default(),
        }
    }

    /// The bus handed the event at `position` to the subscription.
    pub fn expect(&mut self, position: Position) {
        if !self.folded.contains(position) {
            self.waiting.insert(position);
        }
    }

    /// A delivery of `event` reached the consumer (or was given up on): `fold` is called for it
    /// once, in log order, as soon as nothing expected before it is missing.
    pub fn arrive(&mut self, event: &Recorded<E>, mut fold: impl FnMut(&mut C, &Recorded<E>)) {
        if self.folded.contains(event.position) {
            return;
        }
        // Something nobody announced (a consumer fed by hand) is simply next.
        self.waiting.insert(event.position);
        self.early
            .entry(event.position)
            .or_insert_with(|| event.clone());
        while let Some(&next) = self.waiting.first() {
            let Some(event) = self.early.remove(&next) else {
                break;
            };
            self.waiting.remove(&next);
            self.folded.insert(next);
            fold(&mut self.consumer, &event);
        }
    }

    /// Whether everything that reached the consumer is folded (nothing waits for a gap).
    pub fn settled(&self) -> bool {
        self.early.is_empty()
    }

    /// The consumer as exactly-once, in-order delivery would have left it.
    pub fn consumer(&self) -> &C {
        &self.consumer
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::envelope::Metadata;
    use crate::ids::{CorrelationId, EventId, SchemaVersion, StreamVersion, Timestamp};
    use crate::test_domain::{Sku, StockEvent, StockStream};

    fn at(position: u64) -> Recorded<StockEvent> {
        let id = EventId(Uuid::from_u128(u128::from(position)));
        Recorded {
            id,
            position: Position(position),
            stream: StockStream::Inventory(Sku(1)),
            version: StreamVersion(position as u32),
            schema_version: SchemaVersion::V1,
            recorded_at: Timestamp(0),
            occurred_at: Timestamp(0),
            correlation_id: CorrelationId(id.0),
            causation_id: None,
            metadata: Metadata::default(),
            event: StockEvent::StockReceived {
                sku: Sku(1),
                quantity: position as u32,
            },
        }
    }

    /// The positions folded, in the order they were folded.
    fn twin() -> InOrderTwin<StockEvent, Vec<u64>> {
        InOrderTwin::new(Vec::new())
    }

    fn arrive(twin: &mut InOrderTwin<StockEvent, Vec<u64>>, position: u64) {
        twin.arrive(&at(position), |folded, event| folded.push(event.position.0));
    }

    #[test]
    fn it_should_hold_what_overtook_a_gap_until_the_gap_is_filled() {
        let mut twin = twin();
        for position in 1..=3 {
            twin.expect(Position(position));
        }
        arrive(&mut twin, 3);
        arrive(&mut twin, 2);
        assert!(twin.consumer().is_empty(), "both wait for the first");
        assert!(!twin.settled());
        arrive(&mut twin, 1);
        assert_eq!(twin.consumer(), &[1, 2, 3]);
        assert!(twin.settled());
    }

    #[test]
    fn it_should_fold_a_repeat_only_once_however_late_it_comes() {
        let mut twin = twin();
        twin.expect(Position(1));
        arrive(&mut twin, 1);
        twin.expect(Position(1));
        arrive(&mut twin, 1);
        assert_eq!(twin.consumer(), &[1]);
        assert!(twin.settled());
    }

    #[test]
    fn it_should_take_what_nobody_announced_as_next() {
        let mut twin = twin();
        arrive(&mut twin, 5);
        assert_eq!(twin.consumer(), &[5]);
    }
}
