//! The consumer's side of at-least-once delivery, generic over any domain: an idempotency
//! [`Ledger`] bounded by a dedup window, the set of log positions that reached a consumer
//! ([`PositionSet`]), and the exactly-once twin ([`InOrderTwin`]), the oracle that says what a
//! consumer's state should have been.
//!
//! The ledger remembers an event id for a dedup window of virtual time after processing it, as
//! real brokers and consumers deduplicate within a window (JetStream's duplicate window, a
//! Kafka topic's retention): its memory holds only what was processed within the window, and
//! a copy that arrives after it is processed again. The twin folds every event handed to the
//! subscription once, in log order (a resequencer holds what arrives early until the gap
//! before it is filled), and keeps a bit per log position, which no real consumer would have,
//! to tell a first delivery from a repeat however late the repeat comes. So duplicates and
//! reordering both show as a wrong value beside the right one.

mod ledger;
mod positions;
mod twin;

pub use ledger::Ledger;
pub use positions::PositionSet;
pub use twin::InOrderTwin;
