//! Choreography: autonomous services that react to events. No service calls another; each
//! declares the event types it consumes and publishes, and reacts to what it consumes by sending
//! commands to aggregates or recording facts of its own. What each one knows is its own state,
//! folded from the events it was delivered.

mod catalog;
pub mod graph;
pub mod runtime;
pub mod saga;

pub use catalog::{all_services, services_for, ServiceName, DECLINE_RATE};

/// Attempts before the shipping service's messages are parked while it is down.
pub const DOWN_ATTEMPTS: u32 = 3;
pub use runtime::{LogLevel, OpsSettings, ServiceRuntime, ServiceView};

use super::commands::ShopCommand;
use super::events::{ShopEvent, ShopEventKind};
use super::ShopRecorded;
use crate::envelope::PayloadReads;
use crate::ids::CorrelationId;

/// The two ways to coordinate one business flow across services.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Every service reacts to the others' events; nobody is in charge.
    #[default]
    Choreography,
    /// A saga orchestrator commands each step and reacts to the replies.
    Orchestration,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Choreography => "choreography",
            Mode::Orchestration => "orchestration",
        }
    }

    pub fn parse(text: &str) -> Option<Mode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "choreography" => Some(Mode::Choreography),
            "orchestration" => Some(Mode::Orchestration),
            _ => None,
        }
    }
}

/// A failure a user injects into a run, the same in either coordination model.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Failure {
    #[default]
    None,
    /// The payment provider declines every card.
    PaymentsDeclined,
    /// The shipping service is down: every attempt to deliver to it fails.
    ShippingDown,
}

impl Failure {
    pub const ALL: &'static [Failure] = &[
        Failure::None,
        Failure::PaymentsDeclined,
        Failure::ShippingDown,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Failure::None => "none",
            Failure::PaymentsDeclined => "payments-declined",
            Failure::ShippingDown => "shipping-down",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Failure::None => "no failure",
            Failure::PaymentsDeclined => "every card is declined",
            Failure::ShippingDown => "the shipping service is down",
        }
    }

    pub fn parse(text: &str) -> Option<Failure> {
        Failure::ALL
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(text.trim()))
    }
}

/// What a service does in response to an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reaction {
    /// Ask an aggregate to decide (PlaceOrder, ProcessPayment, ...).
    Command(ShopCommand),
    /// Record a fact the service owns (EmailSent, FraudCheckPassed, ...).
    Publish(ShopEvent),
    /// Record a fact that waited for several events: its causes besides the triggering one
    /// (a join, drawn as fan-in in the causation graph).
    Join(ShopEvent, Vec<crate::ids::EventId>),
    /// Wake this service again after `after_ms` with `token`, unless it has moved on (a timeout).
    Timer { after_ms: u64, token: u32 },
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
    /// The payload fields `react` reads, per type it consumes in either model (a type only
    /// announced, such as `ChaosModeDisabled`, reads none): whom a schema change breaks.
    fn reads(&self) -> PayloadReads<ShopEventKind>;
    fn react(&mut self, event: &ShopRecorded, seed: u64) -> Vec<Reaction>;
    /// The service's derived state, as labelled numbers (for its panel and the command line).
    fn state(&self) -> Vec<(&'static str, i64)>;
    fn clone_boxed(&self) -> Box<dyn Service>;
    /// Makes the service misbehave as a user asked (only some services have such a knob).
    fn inject(&mut self, _failure: Failure) {}
    /// A timer this service set for the flow `flow` went off.
    fn on_timer(&mut self, _flow: CorrelationId, _token: u32) -> Vec<Reaction> {
        Vec::new()
    }
    /// The event in `flow` that a timer's reactions count as their cause.
    fn timer_cause(&self, _flow: CorrelationId) -> Option<crate::ids::EventId> {
        None
    }
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
