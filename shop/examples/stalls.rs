//! The longest a chunk of generation takes as the log grows, natively: the browser generates
//! in chunks of 20,000 events, one a frame, so a slow chunk is a stalled tab.
//!
//!   cargo run --release -p eventide-shop --example stalls [EVENTS]   (default 10,000,000)
//!
//! Prints each chunk over 60 ms as it happens, then the chunks' median, p99 and maximum.

use std::process::ExitCode;
use std::time::Instant;

use eventide_shop::bench::START;
use eventide_shop::generator::{Budget, Generator, GeneratorConfig};
use eventide_shop::Shop;

/// What the web app generates a frame (`GENERATE_CHUNK`).
const CHUNK_EVENTS: u64 = 20_000;

fn main() -> ExitCode {
    let total = match std::env::args().nth(1).map(|arg| arg.parse::<u64>()) {
        None => 10_000_000,
        Some(Ok(events)) if events > 0 => events,
        Some(_) => {
            eprintln!("usage: stalls [EVENTS] (a whole number above 0)");
            return ExitCode::from(2);
        }
    };
    let mut shop = Shop::with_checkpoint_interval(4096);
    let mut generator = Generator::new(GeneratorConfig::new(7, START));
    let mut times = Vec::new();
    let started = Instant::now();
    while (shop.store().len() as u64) < total {
        let chunk = Instant::now();
        if let Err(error) = generator.run_chunk(&mut shop, Budget::Events(total), CHUNK_EVENTS) {
            eprintln!("the workload stopped: {error}");
            return ExitCode::FAILURE;
        }
        let ms = chunk.elapsed().as_secs_f64() * 1000.0;
        if ms > 60.0 {
            println!("chunk ending at {} events: {ms:.1} ms", shop.store().len());
        }
        times.push(ms);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{} events in {:.1} s, {} chunks: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        shop.store().len(),
        started.elapsed().as_secs_f64(),
        times.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
    ExitCode::SUCCESS
}
