//! "What was the state of this aggregate as of …?": one aggregate rehydrated from its own
//! stream alone, cut at a global position, a recorded time or a stream version. The domain says
//! how its aggregate folds an event; the kernel says which events it folds.

use crate::envelope::{DomainEvent, Recorded};
use crate::ids::{Position, StreamVersion, Timestamp};
use crate::store::{Direction, EventStore};

/// Where to cut an aggregate's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsOf {
    /// After the log's first n events.
    Position(Position),
    /// Every event recorded at or before this time (not business time: what was known then).
    Time(Timestamp),
    /// The stream's first n events.
    Version(StreamVersion),
}

impl AsOf {
    /// Whether a stream's event is within the cut (a stream's events only ever move forward in
    /// all three, so the cut is a prefix of the stream).
    pub fn admits<E: DomainEvent>(self, event: &Recorded<E>) -> bool {
        match self {
            AsOf::Position(position) => event.position <= position,
            AsOf::Time(time) => event.recorded_at <= time,
            AsOf::Version(version) => event.version <= version,
        }
    }
}

/// The state of the aggregate behind `stream` as of `as_of`, with the version it had reached:
/// `evolve` folds each of its events in version order into the state so far (`None` before the
/// first). `None` if the stream had no event by then, or `evolve` made nothing of them.
pub fn rehydrate<E: DomainEvent, S>(
    store: &EventStore<E>,
    stream: E::Stream,
    as_of: AsOf,
    mut evolve: impl FnMut(Option<S>, &E) -> Option<S>,
) -> Option<(StreamVersion, S)> {
    let mut version = StreamVersion::NONE;
    let mut state = None;
    for event in store
        .read_stream(stream, StreamVersion::NONE, Direction::Forwards)
        .take_while(|event| as_of.admits(event))
    {
        version = event.version;
        state = evolve(state, &event.event);
    }
    state.map(|state| (version, state))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::NewEvent;
    use crate::ids::EventId;
    use crate::store::ExpectedVersion;
    use crate::test_domain::{Sku, StockEvent, StockStream};

    /// SKU-01 receives 1, 2, 3 units at positions 1, 3, 5 (seconds 1, 3, 5); SKU-02 in between.
    fn store() -> EventStore<StockEvent> {
        let mut store = EventStore::new();
        for n in 1..=5u32 {
            let sku = Sku(if n % 2 == 1 { 1 } else { 2 });
            let event = StockEvent::StockReceived {
                sku,
                quantity: n.div_ceil(2),
            };
            store
                .append(
                    StockStream::Inventory(sku),
                    ExpectedVersion::Any,
                    vec![NewEvent::new(
                        EventId(uuid::Uuid::from_u128(n.into())),
                        event,
                    )],
                    Timestamp::from_millis(i64::from(n) * 1000),
                )
                .expect("appended");
        }
        store
    }

    fn units(as_of: AsOf) -> Option<(StreamVersion, u32)> {
        rehydrate(
            &store(),
            StockStream::Inventory(Sku(1)),
            as_of,
            |units: Option<u32>, event: &StockEvent| {
                let StockEvent::StockReceived { quantity, .. } = event;
                Some(units.unwrap_or(0) + quantity)
            },
        )
    }

    #[test]
    fn it_should_fold_the_streams_events_up_to_each_kind_of_cut() {
        assert_eq!(
            units(AsOf::Position(Position(4))),
            Some((StreamVersion(2), 3))
        );
        assert_eq!(
            units(AsOf::Time(Timestamp::from_millis(5_000))),
            Some((StreamVersion(3), 6))
        );
        assert_eq!(
            units(AsOf::Version(StreamVersion(1))),
            Some((StreamVersion(1), 1))
        );
    }

    #[test]
    fn it_should_have_no_state_before_the_streams_first_event() {
        assert_eq!(units(AsOf::Position(Position::ORIGIN)), None);
        assert_eq!(units(AsOf::Time(Timestamp::from_millis(999))), None);
    }
}
