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
use eventide_engine::envelope::PayloadReads;
use eventide_engine::ids::CorrelationId;

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
    Join(ShopEvent, Vec<eventide_engine::ids::EventId>),
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
    fn timer_cause(&self, _flow: CorrelationId) -> Option<eventide_engine::ids::EventId> {
        None
    }
}

impl Clone for Box<dyn Service> {
    fn clone(&self) -> Self {
        self.clone_boxed()
    }
}

/// A number in `0.0..1.0` decided by the seed, the flow and what is being decided.
///
/// Spelled out in `u64` arithmetic on purpose, with no `Hasher`: `FxHasher` works in `usize`
/// words with another constant on 32-bit targets, so the browser (wasm32) and the command line
/// (64-bit) declined different cards and picked other carriers for the same seed; std's
/// hashers promise no stable output at all. Each input is folded in as fixed-width
/// little-endian words, each fold a SplitMix64 finaliser (a full-avalanche mix), so the draw is
/// the same on every platform and every Rust version. `golden::GOLDEN_DIGEST` pins it.
pub fn draw(seed: u64, correlation: CorrelationId, what: &str) -> f64 {
    let (high, low) = correlation.0.as_u64_pair();
    let mut state = splitmix64(seed);
    state = splitmix64(state ^ high);
    state = splitmix64(state ^ low);
    for chunk in what.as_bytes().chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        state = splitmix64(state ^ u64::from_le_bytes(word));
    }
    // The length last, so "ab" and "ab\0" (the same padded words) draw apart.
    state = splitmix64(state ^ what.len() as u64);
    // The top 53 bits, the precision of an f64 in 0..1.
    (state >> 11) as f64 / (1u64 << 53) as f64
}

/// SplitMix64's step and finaliser (Steele, Lea and Flood, 2014).
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    /// The draw is a fixed function of its inputs: these values were worked out once and hold
    /// on every target (the browser's golden test runs the same draws on wasm32).
    #[test]
    fn a_draw_is_the_same_fixed_function_everywhere() {
        let flow = CorrelationId(Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef));
        let draws = [
            draw(42, flow, "payment"),
            draw(42, flow, "fraud"),
            draw(7, flow, "carrier"),
            draw(0, CorrelationId(Uuid::nil()), ""),
        ];
        assert_eq!(draws.map(f64::to_bits), PINNED, "{draws:?}");
    }

    /// The bits of 0.58616…, 0.84997…, 0.62252… and 0.12964….
    const PINNED: [u64; 4] = [
        4_603_454_914_228_007_706,
        4_605_831_072_556_394_743,
        4_603_782_392_796_342_807,
        4_593_838_995_956_655_104,
    ];

    #[test]
    fn draws_spread_over_zero_to_one_and_depend_on_every_input() {
        let flows: Vec<CorrelationId> = (0..4_000u128)
            .map(|n| CorrelationId(Uuid::from_u128(n.wrapping_mul(0x9e37_79b9_7f4a_7c15))))
            .collect();
        let draws: Vec<f64> = flows.iter().map(|&f| draw(1, f, "payment")).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((mean - 0.5).abs() < 0.02, "mean {mean}");
        let below = draws.iter().filter(|&&d| d < 0.08).count();
        assert!((240..400).contains(&below), "{below} of 4,000 below 0.08");
        let flow = flows[1];
        assert_ne!(draw(1, flow, "payment"), draw(2, flow, "payment"));
        assert_ne!(draw(1, flow, "payment"), draw(1, flows[2], "payment"));
        assert_ne!(draw(1, flow, "payment"), draw(1, flow, "fraud"));
        assert_ne!(draw(1, flow, "ab"), draw(1, flow, "ab\0"));
    }
}
