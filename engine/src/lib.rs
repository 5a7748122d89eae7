//! # Eventide's engine
//!
//! An event-sourced system small enough to run in a browser tab and honest enough to teach with.
//! It knows nothing of the browser, reads no clock and draws no random numbers of its own: time,
//! ids and seeds are handed in, so every replay is exact.
//!
//! # Layout
//! - [`agenda`]: what is due when on a virtual clock (deliveries, customers, timers).
//! - [`delivery`]: the at-least-once bus, simulated on a virtual clock.
//! - [`consumer`]: the consumer's side of delivery: idempotency ledger, exactly-once twin.
//! - [`ids`]: positions, stream versions, event and correlation ids, timestamps (newtypes).
//! - [`envelope`]: the envelope every event travels in, and the traits a domain implements.
//! - [`as_of`]: one aggregate rehydrated from its stream as of a position, time or version.
//! - [`temporal`]: diffs between two moments with blame, and "when did" queries.
//! - [`trace`]: a flow put back together from correlation and causation ids.
//! - [`store`]: the append-only event store: optimistic concurrency, idempotent appends, reads.
//! - [`projection`]: read models as folds over events, and the object-safe set of them.
//! - [`query`]: search and filter the log: a query language over envelope and payload fields.
//! - [`replay`]: a log rebuilt from recorded envelopes, each checked and placed as recorded.
//! - [`history`]: time travel: read models as of any position, through checkpoints.
//! - [`persistent`]: copy-on-write containers that make checkpoints cheap.
//! - [`rng`]: the seeded generator behind workloads and event ids.
//! - [`evolution`]: schema versions per event type, upcasters per step, compatibility verdicts.
//! - [`schema`]: JSON Schema compatibility (Confluent's rules and modes) and a schema registry.

pub mod agenda;
pub mod as_of;
pub mod consumer;
pub mod delivery;
pub mod envelope;
pub mod evolution;
pub mod handler_name;
pub mod history;
pub mod ids;
pub mod persistent;
pub mod projection;
pub mod query;
pub mod replay;
pub mod rng;
pub mod schema;
pub mod store;
pub mod temporal;
// The unit tests' stock domain is the integration tests' (`tests/support/stock.rs`), written
// against the public API only: the crate names itself as its users do for it.
#[cfg(test)]
extern crate self as eventide_engine;
#[cfg(test)]
#[path = "../tests/support/stock.rs"]
mod test_domain;
pub mod trace;

pub use envelope::{
    check_payload_contract, DomainEvent, Metadata, Named, NewEvent, PayloadReads, Recorded,
    StreamKey,
};
pub use ids::{CorrelationId, EventId, Position, SchemaVersion, StreamVersion, Timestamp};
