//! The script runner's benchmark (prints figures, asserts none):
//!
//! 1. A cursor move with one deployed projection ("Orders per customer") over a log of EVENTS
//!    events (a million by default): what the page's thread does for it (write the request,
//!    read the reply's 200 rows, as `ScriptWorker` does) and what the worker does (fold from
//!    the nearest checkpoint, build the table), p50 and p95 over random positions; beside it,
//!    what the old protocol cost the page (every event of the prefix as JSON, each move).
//! 2. A policy's catch-up ("Loyalty: the fifth shipped order") after k new events, at several
//!    log lengths: it should grow with k, not with the log.
//!
//!   cargo bench -p eventide-script-worker --bench runner [-- EVENTS]

use std::time::Instant;

use eventide_engine::Named;
use eventide_script_worker::{Runner, CHECKPOINT_EVERY};
use eventide_shop::bench::START;
use eventide_shop::generator::{generate_events, GeneratorConfig};
use eventide_shop::scripting::{
    CopyId, ReplyEnvelope, RequestEnvelope, RowWindow, ScriptId, ScriptKind, ScriptRef,
    WorkerReply, WorkerRequest,
};
use eventide_shop::Shop;
use serde_json::Value;

const PROJECTION: &str = include_str!("../../script/examples/orders_per_customer.rhai");
const POLICY: &str = include_str!("../../script/examples/loyalty_fifth_order.rhai");
const COPY: CopyId = CopyId(1);
const BATCH: usize = 16_384;

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// The p-quantile of `samples` (sorted here), in ms.
fn quantile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let index = ((samples.len() - 1) as f64 * p).round() as usize;
    samples[index]
}

/// A small deterministic sequence of positions in 1..=head (no random source needed).
fn positions(head: u64, count: usize) -> Vec<u64> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            1 + x % head
        })
        .collect()
}

/// A runner holding the envelopes of `types` from `shop`, fed as the page feeds it (in batches),
/// and the time that took the worker.
fn fed_runner(shop: &Shop, types: &[&str]) -> (Runner, f64, usize) {
    let mut runner = Runner::default();
    runner.handle(
        WorkerRequest::NewCopy {
            copy: COPY,
            event_types: types.iter().map(|t| t.to_string()).collect(),
        },
        || 0.0,
    );
    let evolution = shop.evolution();
    let wanted: Vec<&eventide_shop::events::ShopEventKind> =
        eventide_shop::events::ShopEventKind::ALL
            .iter()
            .filter(|kind| types.contains(&kind.name()))
            .collect();
    let head = shop.store().head().0;
    let (mut after, mut batch, mut sent, mut worker_ms) = (0, Vec::new(), 0, 0.0);
    for event in shop.store().events() {
        if wanted.contains(&&event.kind()) {
            batch.push(evolution.envelope_for_consumers(event));
        }
        let last = event.position.0 == head;
        if batch.len() == BATCH || last {
            sent += batch.len();
            let through = event.position.0;
            let request = WorkerRequest::Append {
                copy: COPY,
                after,
                through,
                events: std::mem::take(&mut batch),
            };
            let start = Instant::now();
            let reply = runner.handle(request, || 0.0);
            worker_ms += ms(start);
            assert!(matches!(reply, WorkerReply::Synced { .. }), "{reply:?}");
            after = through;
        }
    }
    (runner, worker_ms, sent)
}

fn main() {
    let events: u64 = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(1_000_000);
    let start = Instant::now();
    let mut shop = Shop::new();
    generate_events(&mut shop, GeneratorConfig::new(42, START), events).expect("generates");
    let head = shop.store().head().0;
    println!("log: {head} events, generated in {:.0} ms", ms(start));

    cursor_moves(&shop, head);
    catch_ups(&shop, head);
}

fn cursor_moves(shop: &Shop, head: u64) {
    let (mut runner, feed_ms, sent) = fed_runner(shop, &["OrderPlaced"]);
    println!(
        "projection: {sent} OrderPlaced envelopes fed in {feed_ms:.0} ms of worker time \
         (checkpoint every {CHECKPOINT_EVERY} handled events)"
    );
    let script = ScriptRef {
        id: ScriptId(1),
        version: 1,
    };
    runner.handle(
        WorkerRequest::Load {
            script,
            kind: ScriptKind::Projection,
            source: PROJECTION.into(),
        },
        || 0.0,
    );
    let table_at = |at: u64| WorkerRequest::TableAt {
        copy: COPY,
        script,
        at,
        rows: RowWindow {
            first: 0,
            count: 200,
        },
        // A finite limit: JSON has no infinity (and the clock here never moves).
        time_limit_ms: 60_000.0,
    };
    let first = Instant::now();
    let reply = runner.handle(table_at(head), || 0.0);
    let WorkerReply::Table { total_rows, .. } = &reply else {
        panic!("{reply:?}");
    };
    println!(
        "projection: first table at the head (folds the whole log once) {:.0} ms, {total_rows} rows, {} checkpoints",
        ms(first),
        runner.checkpoints(ScriptId(1))
    );

    let (mut page, mut worker) = (Vec::new(), Vec::new());
    for (n, at) in positions(head, 300).into_iter().enumerate() {
        // The page's thread: write the request as it travels, then read the reply.
        let started = Instant::now();
        let text = serde_json::to_string(&RequestEnvelope {
            id: n as u64,
            request: table_at(at),
        })
        .expect("writes");
        let mut page_ms = ms(started);
        // The worker: read it, answer it, write the reply.
        let started = Instant::now();
        let reply = eventide_script_worker::handle_message(&mut runner, &text, || 0.0);
        worker.push(ms(started));
        let started = Instant::now();
        let envelope: ReplyEnvelope = serde_json::from_str(&reply).expect("reads");
        page_ms += ms(started);
        page.push(page_ms);
        assert!(
            matches!(envelope.reply, WorkerReply::Table { .. }),
            "{:?}",
            envelope.reply
        );
    }
    println!(
        "cursor move, page thread (request out, 200 rows in): p50 {:.3} ms, p95 {:.3} ms",
        quantile(&mut page, 0.5),
        quantile(&mut page, 0.95)
    );
    println!(
        "cursor move, worker (nearest checkpoint + fold + table): p50 {:.2} ms, p95 {:.2} ms",
        quantile(&mut worker, 0.5),
        quantile(&mut worker, 0.95)
    );

    // What the old protocol cost the page on each move: every handled event of the prefix.
    let evolution = shop.evolution();
    let mut old = Vec::new();
    for at in positions(head, 5) {
        let started = Instant::now();
        let prefix: Vec<Value> = shop
            .store()
            .events()
            .slice(0..at as usize)
            .iter()
            .filter(|event| event.kind().name() == "OrderPlaced")
            .map(|event| evolution.envelope_for_consumers(event))
            .collect();
        let text = serde_json::to_string(&prefix).expect("writes");
        old.push(ms(started));
        std::hint::black_box(text);
    }
    println!(
        "cursor move, page thread, old whole-prefix protocol (5 moves): p50 {:.0} ms",
        quantile(&mut old, 0.5)
    );
}

fn catch_ups(shop: &Shop, head: u64) {
    let (mut runner, _, sent) = fed_runner(shop, &["ShipmentDispatched"]);
    println!("policy: {sent} ShipmentDispatched envelopes held");
    let lengths = [head / 10, head / 2, head - head / 10];
    let news = [1_000u64, 10_000, 100_000];
    let mut version = 0;
    for length in lengths {
        for new in news.iter().copied().filter(|new| length + new <= head) {
            // A fresh version, caught up to `length` (its state from the whole history), then
            // timed on the next `new` events.
            version += 1;
            let script = ScriptRef {
                id: ScriptId(2),
                version,
            };
            runner.handle(
                WorkerRequest::Load {
                    script,
                    kind: ScriptKind::Policy,
                    source: POLICY.into(),
                },
                || 0.0,
            );
            let catch_up = |through: u64| WorkerRequest::CatchUp {
                copy: COPY,
                script,
                through,
                report_after: length,
                time_limit_ms: f64::INFINITY,
            };
            let reply = runner.handle(catch_up(length), || 0.0);
            assert!(matches!(reply, WorkerReply::Intentions { .. }), "{reply:?}");
            let started = Instant::now();
            let reply = runner.handle(catch_up(length + new), || 0.0);
            let took = ms(started);
            let WorkerReply::Intentions {
                events, intentions, ..
            } = reply
            else {
                panic!("{reply:?}");
            };
            println!(
                "policy catch-up: log at {length:>8}, {new:>6} new events ({events:>5} handled, \
                 {:>4} intentions): {took:.2} ms",
                intentions.len()
            );
        }
    }
}
