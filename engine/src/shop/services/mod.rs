//! Choreography: autonomous services that react to events. No service calls another; each
//! declares the event types it consumes and publishes, and reacts to what it consumes by sending
//! commands to aggregates or recording facts of its own. What each one knows is its own state,
//! folded from the events it was delivered.

mod catalog;
pub mod graph;
pub mod runtime;

pub use catalog::{all_services, ServiceName};
pub use runtime::{LogLevel, OpsSettings, ServiceRuntime, ServiceView};

use super::commands::ShopCommand;
use super::events::{ShopEvent, ShopEventKind};
use super::ShopRecorded;
use crate::ids::CorrelationId;

/// What a service does in response to an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reaction {
    /// Ask an aggregate to decide (PlaceOrder, ProcessPayment, ...).
    Command(ShopCommand),
    /// Record a fact the service owns (EmailSent, FraudCheckPassed, ...).
    Publish(ShopEvent),
}

/// The event types a service consumes and publishes: the edges of the choreography graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Declaration {
    pub consumes: &'static [ShopEventKind],
    pub publishes: &'static [ShopEventKind],
}

/// A reacting service. `react` is the whole of its behaviour: it may update the service's own
/// state and returns what the service does about the event. Decisions that look random (a
/// declined card) are drawn from the seed and the flow's correlation id, never from the order
/// of delivery, so a replay with other timing decides the same.
pub trait Service {
    fn name(&self) -> ServiceName;
    fn declaration(&self) -> Declaration;
    fn react(&mut self, event: &ShopRecorded, seed: u64) -> Vec<Reaction>;
    /// The service's derived state, as labelled numbers (for its panel and the command line).
    fn state(&self) -> Vec<(&'static str, i64)>;
    fn clone_boxed(&self) -> Box<dyn Service>;
}

/// A number in `0.0..1.0` decided by the seed, the flow and what is being decided.
pub fn draw(seed: u64, correlation: CorrelationId, what: &str) -> f64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    seed.hash(&mut hasher);
    correlation.hash(&mut hasher);
    what.hash(&mut hasher);
    // FxHash mixes its last input weakly: finish with a SplitMix64 round.
    let mut z = hasher.finish().wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}
