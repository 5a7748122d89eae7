//! `eventide bench`: the shop workload at a chosen size, timed natively (the engine's
//! `bench::run`, with `Instant` as the stopwatch and the counting allocator as the heap).

use std::time::Instant;

use clap::Args;
use eventide_shop::bench::{self, BenchConfig};

use crate::alloc::live_bytes;

#[derive(Args)]
pub struct BenchArgs {
    /// How many events the workload appends.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=50_000_000))]
    events: u64,
    /// The seed of the workload and of the seek positions.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Events between two time-travel checkpoints.
    #[arg(long, default_value_t = eventide_engine::history::DEFAULT_CHECKPOINT_INTERVAL,
          value_parser = clap::value_parser!(u64).range(1..))]
    checkpoint_interval: u64,
    /// How many random seeks to time.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    seeks: u64,
}

pub fn run(args: &BenchArgs) -> Result<String, String> {
    let origin = Instant::now();
    let clock = move || origin.elapsed().as_secs_f64() * 1000.0;
    let config = BenchConfig {
        events: args.events,
        seed: args.seed,
        checkpoint_interval: args.checkpoint_interval,
        seeks: args.seeks,
    };
    let report = bench::run(config, &clock, Some(&live_bytes))?;
    serde_json::to_string(&report)
        .map_err(|error| format!("the report could not be written: {error}"))
}
