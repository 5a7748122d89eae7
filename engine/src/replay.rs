//! Log replay: a log rebuilt from recorded envelopes (an import, a branch's prefix, a saved
//! session), each appended exactly where and when it was recorded, or refused.
//!
//! Every envelope is checked before it is appended: its position is the next one of the log,
//! its id is not stored yet (the store would skip a stored id in silence, and the rebuilt log
//! would lack an event), its stream version follows the stream's (an expected version the store
//! enforces), and its times are the store's to refuse (recorded time never runs backwards,
//! nothing happens after it is recorded). After the append, the log must have placed it at its
//! position and version. So a replayed log is the recorded one, envelope for envelope, or the
//! replay stops at the first envelope that is not and says which and why.

use crate::envelope::{DomainEvent, NewEvent, Recorded};
use crate::ids::{EventId, Position, StreamVersion, Timestamp};
use crate::store::{AppendError, Appended, EventStore, ExpectedVersion};

/// What a replay appends to: the store itself, or something that keeps its own models beside
/// one (a domain's facade folds each appended event into them).
pub trait ReplayTarget<E: DomainEvent> {
    /// The position of the last event, or the origin for an empty log.
    fn head(&self) -> Position;
    fn contains(&self, id: EventId) -> bool;
    fn append(
        &mut self,
        stream: E::Stream,
        expected: ExpectedVersion,
        events: Vec<NewEvent<E>>,
        recorded_at: Timestamp,
    ) -> Result<Appended, AppendError<E::Stream>>;
}

impl<E: DomainEvent> ReplayTarget<E> for EventStore<E> {
    fn head(&self) -> Position {
        EventStore::head(self)
    }
    fn contains(&self, id: EventId) -> bool {
        EventStore::contains(self, id)
    }
    fn append(
        &mut self,
        stream: E::Stream,
        expected: ExpectedVersion,
        events: Vec<NewEvent<E>>,
        recorded_at: Timestamp,
    ) -> Result<Appended, AppendError<E::Stream>> {
        EventStore::append(self, stream, expected, events, recorded_at)
    }
}

/// Why one envelope could not be replayed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplayProblem<S: std::fmt::Debug + std::fmt::Display> {
    #[error("it is recorded at position {found}, but the log's next position is {expected}")]
    Misplaced { expected: Position, found: Position },
    #[error("its id is already in the log")]
    DuplicateId,
    #[error("its stream version is 0: a stream's versions start at 1")]
    NoVersion,
    #[error("{0}")]
    Refused(AppendError<S>),
    #[error("the log placed it at {placed:?}, version {version}")]
    PlacedElsewhere {
        placed: Option<(Position, Position)>,
        version: StreamVersion,
    },
}

/// The first envelope a replay refused: `index` in the sequence given, and why. Everything
/// before it is in the log, everything after it is not; it is not either, except when the log
/// placed it elsewhere ([`ReplayProblem::PlacedElsewhere`]: a target that broke the store's
/// rules), when the target should be dropped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("replaying #{} (event {id}) failed: {problem}", position.0)]
pub struct ReplayError<S: std::fmt::Debug + std::fmt::Display> {
    pub index: usize,
    pub id: EventId,
    pub position: Position,
    pub problem: ReplayProblem<S>,
}

/// Appends every envelope to `target` as it was recorded (see the module's notes), in order;
/// returns how many were appended.
pub fn replay<E: DomainEvent>(
    target: &mut impl ReplayTarget<E>,
    events: impl IntoIterator<Item = Recorded<E>>,
) -> Result<usize, ReplayError<E::Stream>> {
    let mut count = 0;
    for (index, recorded) in events.into_iter().enumerate() {
        let (id, position, version) = (recorded.id, recorded.position, recorded.version);
        let refuse = |problem| ReplayError {
            index,
            id,
            position,
            problem,
        };
        let expected = target.head().next();
        if position != expected {
            return Err(refuse(ReplayProblem::Misplaced {
                expected,
                found: position,
            }));
        }
        if target.contains(id) {
            return Err(refuse(ReplayProblem::DuplicateId));
        }
        let expected_version = match version.0 {
            0 => return Err(refuse(ReplayProblem::NoVersion)),
            1 => ExpectedVersion::NoStream,
            n => ExpectedVersion::Exact(StreamVersion(n - 1)),
        };
        let proposed = NewEvent {
            id,
            occurred_at: Some(recorded.occurred_at),
            schema_version: recorded.schema_version,
            correlation_id: recorded.correlation_id,
            causation_id: recorded.causation_id,
            metadata: recorded.metadata,
            event: recorded.event,
        };
        let appended = target
            .append(
                recorded.stream,
                expected_version,
                vec![proposed],
                recorded.recorded_at,
            )
            .map_err(|error| refuse(ReplayProblem::Refused(error)))?;
        if appended.range != Some((position, position)) || appended.stream_version != version {
            return Err(refuse(ReplayProblem::PlacedElsewhere {
                placed: appended.range,
                version: appended.stream_version,
            }));
        }
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_domain::{Sku, StockEvent, StockStream};

    /// A recorded log of `n` receipts of one product, a second apart.
    fn recorded(n: u64) -> Vec<Recorded<StockEvent>> {
        let mut store = EventStore::new();
        for i in 1..=n {
            let event = StockEvent::StockReceived {
                sku: Sku(1),
                quantity: i as u32,
            };
            let id = EventId(uuid::Uuid::from_u128(u128::from(i)));
            store
                .append(
                    StockStream::Inventory(Sku(1)),
                    ExpectedVersion::Any,
                    vec![NewEvent::new(id, event)],
                    Timestamp::from_millis(i as i64 * 1000),
                )
                .expect("appended");
        }
        store.events().to_vec()
    }

    fn problem(events: Vec<Recorded<StockEvent>>) -> Option<(usize, ReplayProblem<StockStream>)> {
        let mut store = EventStore::new();
        replay(&mut store, events)
            .err()
            .map(|error| (error.index, error.problem))
    }

    #[test]
    fn it_should_rebuild_the_same_log_envelope_for_envelope() {
        let log = recorded(5);
        let mut store = EventStore::new();
        assert_eq!(replay(&mut store, log.clone()), Ok(5));
        assert_eq!(store.events(), &log[..]);
    }

    #[test]
    fn it_should_refuse_an_event_out_of_place() {
        let mut log = recorded(3);
        log.remove(1);
        assert_eq!(
            problem(log),
            Some((
                1,
                ReplayProblem::Misplaced {
                    expected: Position(2),
                    found: Position(3)
                }
            ))
        );
    }

    #[test]
    fn it_should_refuse_an_id_already_in_the_log_rather_than_skip_it() {
        let mut log = recorded(3);
        log[2].id = log[0].id;
        assert_eq!(problem(log), Some((2, ReplayProblem::DuplicateId)));
    }

    #[test]
    fn it_should_refuse_a_version_that_does_not_follow_its_streams() {
        let mut log = recorded(3);
        log[2].version = StreamVersion(4);
        assert!(matches!(
            problem(log),
            Some((2, ReplayProblem::Refused(AppendError::Conflict(_))))
        ));
        let mut log = recorded(1);
        log[0].version = StreamVersion::NONE;
        assert_eq!(problem(log), Some((0, ReplayProblem::NoVersion)));
    }

    #[test]
    fn it_should_refuse_time_running_backwards() {
        let mut log = recorded(3);
        log[2].recorded_at = Timestamp::from_millis(500);
        log[2].occurred_at = Timestamp::from_millis(500);
        assert!(matches!(
            problem(log),
            Some((
                2,
                ReplayProblem::Refused(AppendError::TimeWentBackwards { .. })
            ))
        ));
    }

    #[test]
    fn it_should_carry_on_from_a_log_replayed_in_chunks() {
        let log = recorded(4);
        let mut store = EventStore::new();
        assert_eq!(replay(&mut store, log[..2].to_vec()), Ok(2));
        assert_eq!(replay(&mut store, log[2..].to_vec()), Ok(2));
        assert_eq!(store.events(), &log[..]);
    }
}
