//! `eventide bench`: the shop workload at a chosen size, timed natively.
//!
//! Figures: `append_per_sec` (raw appends into a fresh store, one optimistic-concurrency check
//! each), `replay_ms` (a full rebuild of every built-in read model from the log), `seek_p50_ms`
//! and `seek_p99_ms` (500 seeded random seeks by position), and memory per event.

use std::time::Instant;

use clap::Args;
use eventide_engine::rng::SeededRng;
use eventide_engine::shop::events::{ShopEvent, ShopEventKind};
use eventide_engine::shop::generator::{generate_events, GeneratorConfig};
use eventide_engine::shop::{Shop, ShopStore};
use eventide_engine::store::ExpectedVersion;
use eventide_engine::temporal;
use eventide_engine::{NewEvent, Position, Timestamp};
use serde_json::json;

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

/// 2026-11-26T09:00:00Z: a fixed start, so every run generates the same log.
const START: Timestamp = Timestamp(1_795_683_600_000);

pub fn run(args: &BenchArgs) -> Result<String, String> {
    let heap_before = live_bytes();
    let started = Instant::now();
    let mut shop = Shop::with_checkpoint_interval(args.checkpoint_interval);
    generate_events(
        &mut shop,
        GeneratorConfig::new(args.seed, START),
        args.events,
    )
    .map_err(|error| format!("the workload stopped: {error}"))?;
    let generate_ms = ms(started);
    let heap_all_in = live_bytes().saturating_sub(heap_before);
    let events = shop.store().len();

    let append_per_sec = time_appends(shop.store())?;
    let replay_ms = time_replay(&shop);
    let (seek_p50_ms, seek_p99_ms) = time_seeks(&mut shop, args.seed, args.seeks);
    let diff_ms = time_diff(&shop);
    let (bisect_ms, bisect_probes) = time_bisect(&shop);

    let per_event = |bytes: usize| (bytes as f64 / events.max(1) as f64).round();
    Ok(json!({
        "events": events,
        "streams": shop.store().stream_count(),
        "orders": shop.aggregates().order_count(),
        "generate_ms": round(generate_ms),
        "append_per_sec": append_per_sec.round(),
        "replay_ms": round(replay_ms),
        "seek_p50_ms": round(seek_p50_ms),
        "seek_p99_ms": round(seek_p99_ms),
        "diff_ms": round(diff_ms),
        "bisect_ms": round(bisect_ms),
        "bisect_probes": bisect_probes,
        "checkpoint_interval": args.checkpoint_interval,
        "checkpoints": shop.history().checkpoint_count(),
        "bytes_per_event": per_event(shop.store().heap_bytes()),
        "read_model_bytes_per_event": per_event(shop.history().heap_bytes()),
        "bytes_per_event_all_in": per_event(heap_all_in),
    })
    .to_string())
}

/// Appends the generated log, event by event, into a fresh store, checking each stream's
/// version as a command would.
fn time_appends(source: &ShopStore) -> Result<f64, String> {
    let batches: Vec<_> = source
        .events()
        .iter()
        .map(|recorded| {
            let mut event = NewEvent::new(recorded.id, recorded.event.clone());
            event.correlation_id = recorded.correlation_id;
            event.causation_id = recorded.causation_id;
            (
                recorded.stream,
                recorded.version,
                recorded.recorded_at,
                event,
            )
        })
        .collect();
    let mut store = ShopStore::new();
    let started = Instant::now();
    for (stream, version, recorded_at, event) in batches {
        let expected = match version.0 {
            1 => ExpectedVersion::NoStream,
            n => ExpectedVersion::Exact(eventide_engine::StreamVersion(n - 1)),
        };
        store
            .append(stream, expected, vec![event], recorded_at)
            .map_err(|error| format!("re-appending the log failed: {error}"))?;
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(store.len() as f64 / seconds.max(1e-9))
}

/// The best of three full rebuilds, so a cold cache does not decide the figure.
fn time_replay(shop: &Shop) -> f64 {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            let rebuilt = shop.history().rebuild(shop.store());
            let elapsed = ms(started);
            assert!(
                rebuilt.same_state(shop.history().live()),
                "rebuild differs from live"
            );
            elapsed
        })
        .fold(f64::INFINITY, f64::min)
}

fn time_seeks(shop: &mut Shop, seed: u64, seeks: u64) -> (f64, f64) {
    let mut rng = SeededRng::new(seed ^ 0x5eed);
    let head = shop.store().head().0;
    let mut times: Vec<f64> = (0..seeks)
        .map(|_| {
            let target = Position(rng.below(head + 1));
            let started = Instant::now();
            shop.seek(target);
            ms(started)
        })
        .collect();
    shop.go_live();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}

/// Every read model's differences between two states half the log apart (500,000 events at a
/// million), including building both states from their checkpoints.
fn time_diff(shop: &Shop) -> f64 {
    let head = shop.store().head().0;
    let (a, b) = (Position(head / 4), Position(head / 4 + head / 2));
    let started = Instant::now();
    let before = shop.history().state_at(shop.store(), a);
    let after = shop.history().state_at(shop.store(), b);
    let diffs = temporal::diff(&before, &after);
    let elapsed = ms(started);
    assert!(
        diffs.iter().any(|d| !d.changes.is_empty()) || head < 10,
        "half the log apart, something changed"
    );
    elapsed
}

/// "When did an order first ship?" for an order shipped mid-log, answered by bisection.
fn time_bisect(shop: &Shop) -> (f64, u32) {
    let store = shop.store();
    let middle = store.head().0 / 2;
    let Some(order) = store
        .read_by_kind(ShopEventKind::ShipmentDispatched)
        .find(|event| event.position.0 >= middle)
        .and_then(|event| match &event.event {
            ShopEvent::ShipmentDispatched { order, .. } => Some(*order),
            _ => None,
        })
    else {
        return (0.0, 0);
    };
    let query = temporal::WhenQuery {
        model: "Orders".into(),
        key: order.to_string(),
        column: "Status".into(),
        comparison: temporal::Comparison::Equals,
        value: "shipped".into(),
    };
    let started = Instant::now();
    let answer = temporal::when(shop.history(), store, &query);
    let elapsed = ms(started);
    let probes = match answer.method {
        temporal::Method::Bisection { probes } => probes,
        temporal::Method::Scan { .. } => 0,
    };
    (elapsed, probes)
}

fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

fn round(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}
