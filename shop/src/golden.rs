//! A fingerprint of a log, and the golden runs it is taken of: one 64-bit number that must come
//! out the same on every platform, so the browser (wasm32) and the command line (64-bit native)
//! provably build the same logs from the same seeds.
//!
//! The digest is FNV-1a 64 over every envelope's JSON text, in log order: fixed-width arithmetic
//! with no hasher, no `usize` and no map iteration in it, so it is itself the same everywhere.
//! [`golden_digest`] runs the workloads that exercise every seeded decision (the generator, the
//! choreography, the saga, and faulty delivery: duplicates, reordering, failures and latency)
//! with fixed seeds and a fixed start time. The engine's tests and the app's browser tests assert
//! the same constant; a divergence fails one of them.

use super::generator::{generate_orders, GeneratorConfig};
use super::services::Mode;
use super::simulation::{Simulation, SimulationConfig};
use super::{CommandError, Shop, ShopStore};
use eventide_engine::delivery::DeliverySettings;
use eventide_engine::ids::Timestamp;

/// 2026-11-26T09:00:00Z: when every golden run starts.
pub const GOLDEN_START: Timestamp = Timestamp(1_795_683_600_000);

/// What [`golden_digest`] returns on every platform. Change it only with a change that is meant
/// to change the logs (and say so in the commit).
pub const GOLDEN_DIGEST: u64 = 0x65eb_0d9c_d344_36f2;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a 64, fed a piece at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fnv1a64(u64);

impl Default for Fnv1a64 {
    fn default() -> Self {
        Fnv1a64(FNV_OFFSET)
    }
}

impl Fnv1a64 {
    pub fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(FNV_PRIME);
        }
    }

    pub fn finish(self) -> u64 {
        self.0
    }
}

/// Feeds every envelope of `store` to `hasher`, each as its JSON text and a newline (so the
/// boundaries between events count too).
fn write_log(hasher: &mut Fnv1a64, store: &ShopStore) {
    for event in store.events() {
        hasher.write(event.to_json().to_string().as_bytes());
        hasher.write(b"\n");
    }
}

/// The fingerprint of one log: FNV-1a 64 over its envelopes' JSON, in order.
pub fn log_digest(store: &ShopStore) -> u64 {
    let mut hasher = Fnv1a64::default();
    write_log(&mut hasher, store);
    hasher.finish()
}

/// Delivery at its worst that still finishes: slow, jittery, duplicating, reordering and
/// failing now and then, with retries.
pub fn faulty_delivery() -> DeliverySettings {
    DeliverySettings {
        latency_ms: 800,
        jitter_ms: 1_500,
        duplicate_rate: 0.2,
        reorder_rate: 0.25,
        per_aggregate_ordering: false,
        failure_rate: 0.15,
        max_attempts: 8,
        backoff_ms: 250,
        ..DeliverySettings::default()
    }
}

/// A simulation run to its end.
fn simulated(config: SimulationConfig) -> Result<Simulation, CommandError> {
    let mut simulation = Simulation::new(config)?;
    simulation.run(u64::MAX)?;
    Ok(simulation)
}

/// The golden runs, each a log: (a) the generator, (b) choreography, (c) orchestration and
/// (d) orchestration over faulty delivery, all seeded and starting at [`GOLDEN_START`].
pub fn golden_logs() -> Result<Vec<(&'static str, ShopStore)>, CommandError> {
    let mut generated = Shop::new();
    generate_orders(&mut generated, GeneratorConfig::new(42, GOLDEN_START), 40)?;

    let choreography = SimulationConfig::new(7, 40, GOLDEN_START);
    let mut orchestration = SimulationConfig::new(7, 40, GOLDEN_START);
    orchestration.mode = Mode::Orchestration;
    let mut faulty = SimulationConfig::new(13, 40, GOLDEN_START);
    faulty.mode = Mode::Orchestration;
    faulty.delivery = faulty_delivery();

    let mut logs = vec![("generator", generated.store().clone())];
    for (name, config) in [
        ("choreography", choreography),
        ("orchestration", orchestration),
        ("faulty delivery", faulty),
    ] {
        logs.push((name, simulated(config)?.shop().store().clone()));
    }
    Ok(logs)
}

/// One digest of every golden log, in turn: what [`GOLDEN_DIGEST`] pins.
pub fn golden_digest() -> Result<u64, CommandError> {
    let mut hasher = Fnv1a64::default();
    for (name, store) in golden_logs()? {
        hasher.write(name.as_bytes());
        hasher.write(b"\n");
        write_log(&mut hasher, &store);
    }
    Ok(hasher.finish())
}
