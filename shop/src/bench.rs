//! The shop workload, measured: the figures `eventide bench` prints natively and the browser
//! benchmark prints for the wasm build. The engine reads no clock, so the caller hands in a
//! stopwatch (milliseconds, any origin) and, where it can count them, the live heap bytes.

use serde::Serialize;

use crate::events::{ShopEvent, ShopEventKind};
use crate::generator::{generate_events, GeneratorConfig};
use crate::reference_fold::{FoldSummary, ReferenceFold};
use crate::{Shop, ShopStore};
use eventide_engine::query::{Filter, Matches};
use eventide_engine::rng::SeededRng;
use eventide_engine::store::ExpectedVersion;
use eventide_engine::temporal;
use eventide_engine::{Named, NewEvent, Position, Timestamp};

/// 2026-11-26T09:00:00Z: a fixed start, so every run generates the same log.
pub const START: Timestamp = Timestamp(1_795_683_600_000);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BenchConfig {
    pub events: u64,
    pub seed: u64,
    pub checkpoint_interval: u64,
    pub seeks: u64,
}

/// Every figure, in the units its name gives.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchReport {
    pub events: usize,
    pub streams: usize,
    pub orders: usize,
    pub generate_ms: f64,
    pub append_per_sec: f64,
    /// The median of five full rebuilds of every read model from the log.
    pub replay_ms: f64,
    /// The median of five folds of the same log into the same five models as plain FxHash
    /// maps in one loop: what the hardware allows (`shop::reference_fold`).
    pub reference_fold_ms: f64,
    /// `replay_ms / reference_fold_ms`: the engine's overhead over the tight loop.
    pub replay_vs_reference: f64,
    /// What the reference fold ends with; the browser's plain-JavaScript fold must match it.
    pub fold_summary: FoldSummary,
    pub seek_p50_ms: f64,
    pub seek_p99_ms: f64,
    pub diff_ms: f64,
    pub bisect_ms: f64,
    pub bisect_probes: u32,
    /// Each of [`FILTER_QUERIES`] over the whole log: the median of five scans (every event
    /// tested, the matching positions and the per-minute counts collected).
    pub filter: Vec<FilterFigure>,
    /// The median of five loops that only count the log's events by type: the least any scan
    /// of the log costs here, to read the filter figures against.
    pub filter_floor_ms: f64,
    pub checkpoint_interval: u64,
    pub checkpoints: usize,
    pub bytes_per_event: f64,
    pub read_model_bytes_per_event: f64,
    /// Live heap growth while generating, per event, where the caller can measure it.
    pub bytes_per_event_all_in: Option<f64>,
}

/// A query over the log, timed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FilterFigure {
    pub query: &'static str,
    pub ms: f64,
    pub matches: usize,
}

/// The queries the filter figures time: payload predicates, an envelope field with a stream
/// test (each stream's name formatted once), and a mix under `not`.
pub const FILTER_QUERIES: &[&str] = &[
    r#"type == OrderPlaced and data.total > 10000 or data.customer == "C-042""#,
    r#"stream contains "O-00" and not producer exists"#,
    r#"not (data.reason exists or type contains Cart) and data.quantity >= 2"#,
];

/// Runs the workload and times each step with `clock` (milliseconds). `heap` reads the live
/// heap in bytes, if the caller can.
pub fn run(
    config: BenchConfig,
    clock: &dyn Fn() -> f64,
    heap: Option<&dyn Fn() -> usize>,
) -> Result<BenchReport, String> {
    let heap_before = heap.map(|heap| heap());
    let started = clock();
    let mut shop = Shop::with_checkpoint_interval(config.checkpoint_interval);
    generate_events(
        &mut shop,
        GeneratorConfig::new(config.seed, START),
        config.events,
    )
    .map_err(|error| format!("the workload stopped: {error}"))?;
    let generate_ms = clock() - started;
    let heap_all_in = heap
        .zip(heap_before)
        .map(|(heap, before)| heap().saturating_sub(before));
    let events = shop.store().len();

    let append_per_sec = time_appends(shop.store(), clock)?;
    let replay_ms = time_replay(&shop, clock);
    let (reference_fold_ms, fold_summary) = time_reference_fold(&shop, clock);
    let (seek_p50_ms, seek_p99_ms) = time_seeks(&mut shop, config.seed, config.seeks, clock);
    let diff_ms = time_diff(&shop, clock);
    let (bisect_ms, bisect_probes) = time_bisect(&shop, clock);
    let filter = time_filters(&shop, clock)?;
    let filter_floor_ms = time_scan_floor(&shop, clock);

    let per_event = |bytes: usize| (bytes as f64 / events.max(1) as f64).round();
    Ok(BenchReport {
        events,
        streams: shop.store().stream_count(),
        orders: shop.aggregates().order_count(),
        generate_ms: round(generate_ms),
        append_per_sec: append_per_sec.round(),
        replay_ms: round(replay_ms),
        reference_fold_ms: round(reference_fold_ms),
        replay_vs_reference: round(replay_ms / reference_fold_ms.max(1e-9)),
        fold_summary,
        seek_p50_ms: round(seek_p50_ms),
        seek_p99_ms: round(seek_p99_ms),
        diff_ms: round(diff_ms),
        bisect_ms: round(bisect_ms),
        bisect_probes,
        filter,
        filter_floor_ms: round(filter_floor_ms),
        checkpoint_interval: config.checkpoint_interval,
        checkpoints: shop.history().checkpoint_count(),
        bytes_per_event: per_event(shop.store().heap_bytes()),
        read_model_bytes_per_event: per_event(shop.history().heap_bytes()),
        bytes_per_event_all_in: heap_all_in.map(per_event),
    })
}

/// Appends the generated log, event by event, into a fresh store, checking each stream's
/// version as a command would.
fn time_appends(source: &ShopStore, clock: &dyn Fn() -> f64) -> Result<f64, String> {
    let batches: Vec<_> = source
        .events()
        .iter()
        .map(|recorded| {
            let mut event = NewEvent::new(recorded.id, recorded.event.clone());
            event.correlation_id = recorded.correlation_id;
            event.causation_id = recorded.causation_id;
            event.occurred_at = Some(recorded.occurred_at);
            (
                recorded.stream,
                recorded.version,
                recorded.recorded_at,
                event,
            )
        })
        .collect();
    let mut store = ShopStore::new();
    let started = clock();
    for (stream, version, recorded_at, event) in batches {
        let expected = match version.0 {
            1 => ExpectedVersion::NoStream,
            n => ExpectedVersion::Exact(eventide_engine::StreamVersion(n - 1)),
        };
        store
            .append(stream, expected, vec![event], recorded_at)
            .map_err(|error| format!("re-appending the log failed: {error}"))?;
    }
    let seconds = (clock() - started) / 1000.0;
    Ok(store.len() as f64 / seconds.max(1e-9))
}

/// The median of five full rebuilds, so neither a cold cache nor one lucky run decides it.
fn time_replay(shop: &Shop, clock: &dyn Fn() -> f64) -> f64 {
    median(
        (0..RUNS)
            .map(|_| {
                let started = clock();
                let rebuilt = shop.history().rebuild(shop.store());
                let elapsed = clock() - started;
                assert!(
                    rebuilt.same_state(shop.history().live()),
                    "rebuild differs from live"
                );
                elapsed
            })
            .collect(),
    )
}

fn time_reference_fold(shop: &Shop, clock: &dyn Fn() -> f64) -> (f64, FoldSummary) {
    let mut summary = FoldSummary::default();
    let times = (0..RUNS)
        .map(|_| {
            let started = clock();
            let fold = ReferenceFold::of(shop.store().events());
            let elapsed = clock() - started;
            summary = fold.summary();
            elapsed
        })
        .collect();
    (median(times), summary)
}

fn time_filters(shop: &Shop, clock: &dyn Fn() -> f64) -> Result<Vec<FilterFigure>, String> {
    FILTER_QUERIES
        .iter()
        .map(|&query| {
            let filter = Filter::<ShopEvent>::parse(query)
                .map_err(|error| format!("{query}: {error}"))?
                .ok_or_else(|| format!("{query}: blank"))?;
            let mut matches = 0;
            let times = (0..RUNS)
                .map(|_| {
                    let started = clock();
                    let found = Matches::scan(&filter, shop.store().events());
                    let elapsed = clock() - started;
                    matches = found.positions().len();
                    elapsed
                })
                .collect();
            Ok(FilterFigure {
                query,
                ms: round(median(times)),
                matches,
            })
        })
        .collect()
}

fn time_scan_floor(shop: &Shop, clock: &dyn Fn() -> f64) -> f64 {
    median(
        (0..RUNS)
            .map(|_| {
                let started = clock();
                let mut per_kind = [0usize; 64];
                for event in shop.store().events() {
                    if let Some(count) = per_kind.get_mut(event.kind().index()) {
                        *count += 1;
                    }
                }
                let elapsed = clock() - started;
                assert_eq!(per_kind.iter().sum::<usize>(), shop.store().len());
                elapsed
            })
            .collect(),
    )
}

/// Timed runs of each repeated figure.
const RUNS: usize = 5;

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times.get(times.len() / 2).copied().unwrap_or(0.0)
}

fn time_seeks(shop: &mut Shop, seed: u64, seeks: u64, clock: &dyn Fn() -> f64) -> (f64, f64) {
    let mut rng = SeededRng::new(seed ^ 0x5eed);
    let head = shop.store().head().0;
    let mut times: Vec<f64> = (0..seeks)
        .map(|_| {
            let target = Position(rng.below(head + 1));
            let started = clock();
            shop.seek(target);
            clock() - started
        })
        .collect();
    shop.go_live();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}

/// Every read model's differences between two states half the log apart (500,000 events at a
/// million), as the time machine shows them: both states built from their checkpoints, and each
/// changed field of a page of rows per model blamed on the event that last changed it.
fn time_diff(shop: &Shop, clock: &dyn Fn() -> f64) -> f64 {
    let head = shop.store().head().0;
    let (a, b) = (Position(head / 4), Position(head / 4 + head / 2));
    let started = clock();
    let diffs = temporal::diff_between(
        shop.history(),
        shop.store(),
        a,
        b,
        temporal::BlameLimits::default(),
    );
    let elapsed = clock() - started;
    assert!(
        diffs.iter().any(|d| !d.changes.is_empty()) || head < 10,
        "half the log apart, something changed"
    );
    elapsed
}

/// "When did an order first ship?" for an order shipped mid-log, answered by bisection.
fn time_bisect(shop: &Shop, clock: &dyn Fn() -> f64) -> (f64, u32) {
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
    let Ok(query) = temporal::WhenQuery::new(
        shop.history().live(),
        "Orders",
        &order.to_string(),
        "Status",
        temporal::Comparison::Equals,
        "shipped",
    ) else {
        return (0.0, 0);
    };
    let started = clock();
    let answer = temporal::when(shop.history(), store, &query);
    let elapsed = clock() - started;
    let probes = match answer.method {
        temporal::Method::Bisection { probes } => probes,
        temporal::Method::Scan { .. } => 0,
    };
    (elapsed, probes)
}

fn round(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}
