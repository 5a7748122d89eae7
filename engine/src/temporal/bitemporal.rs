//! Bitemporal queries: the read models as of business time (when things happened), and the
//! events recorded late enough to rewrite that past.

use crate::envelope::DomainEvent;
use crate::history::History;
use crate::ids::Position;
use crate::projection::ReadModelSet;
use crate::store::EventStore;

/// Bitemporal time: the read models as of business time `business` (what had happened by
/// then), as known at `known_at` (what had been recorded by then). Events are folded in the
/// order they happened, so a late, back-dated event changes the business past it belongs to,
/// while the recording-time past (an ordinary seek) stays as it was known.
pub fn as_of_business_time<E: DomainEvent>(
    history: &History<E>,
    store: &EventStore<E>,
    business: crate::ids::Timestamp,
    known_at: Position,
) -> ReadModelSet<E> {
    let known = store.between(Position::ORIGIN, known_at);
    let mut happened: Vec<&crate::envelope::Recorded<E>> = known
        .iter()
        .filter(|event| event.occurred_at <= business)
        .collect();
    happened.sort_by_key(|event| (event.occurred_at, event.position));
    let mut state = history.live().emptied();
    for event in happened {
        state.apply_unordered(event);
    }
    state
}

/// Events recorded noticeably after they happened: the ones that rewrite the business past.
pub fn late_events<E: DomainEvent>(
    store: &EventStore<E>,
    tolerance_ms: i64,
) -> impl Iterator<Item = &crate::envelope::Recorded<E>> {
    store
        .events()
        .iter()
        .filter(move |event| event.recorded_at.0 - event.occurred_at.0 > tolerance_ms)
}
