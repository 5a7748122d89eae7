//! `eventide bench-log`: a foreign log (the lending library's, generated to the size asked
//! for) imported from NDJSON and filtered, timed natively beside a plain `serde_json` reader of
//! the same file (`eventide_logs::bench`, with `Instant` as the stopwatch and the counting
//! allocator as the heap).

use std::time::Instant;

use clap::Args;
use eventide_logs::bench::{self, LogBenchConfig};

use crate::alloc::live_bytes;

#[derive(Args)]
pub struct BenchLogArgs {
    /// How many events the generated log holds.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=20_000_000))]
    events: u64,
    /// The seed of the generated log.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

pub fn run(args: &BenchLogArgs) -> Result<String, String> {
    let origin = Instant::now();
    let clock = move || origin.elapsed().as_secs_f64() * 1000.0;
    let config = LogBenchConfig {
        events: args.events,
        seed: args.seed,
        plain_peer: true,
    };
    let report = bench::run(config, &clock, Some(&live_bytes))?;
    serde_json::to_string(&report)
        .map_err(|error| format!("the report could not be written: {error}"))
}
