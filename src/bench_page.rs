//! The in-browser benchmarks, timed with `performance.now()` and printed as one line of JSON:
//! `#bench` or `#bench=EVENTS`, the shop's workload in the wasm build; `#bench-log` or
//! `#bench-log=EVENTS`, a foreign log (the lending library's, as NDJSON) imported and filtered.

use eventide_engine::history::DEFAULT_CHECKPOINT_INTERVAL;
use eventide_logs::bench::{self as log_bench, LogBenchConfig};
use eventide_shop::bench::{self, BenchConfig};
use eventide_shop::generator::{generate_events, GeneratorConfig};
use eventide_shop::reference_fold::plain_log_json;
use eventide_shop::Shop;
use gloo::timers::callback::Timeout;
use yew::prelude::*;

/// What a benchmark address runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// The shop: generate, replay, seek, diff, filter.
    Shop,
    /// A foreign log: import an NDJSON file and filter it.
    ForeignLog,
}

impl Workload {
    /// Longest prefix first: `#bench-log` also starts with `#bench`.
    const ALL: [Workload; 2] = [Workload::ForeignLog, Workload::Shop];

    fn address(self) -> &'static str {
        match self {
            Workload::Shop => "#bench",
            Workload::ForeignLog => "#bench-log",
        }
    }

    /// The most events the page runs: the shop's log, its indexes and every checkpoint, or the
    /// log's file and its store side by side, do not fit a wasm32 tab's memory (4 GiB, with
    /// vectors that double) past these.
    pub fn most_events(self) -> u64 {
        match self {
            Workload::Shop => 2_000_000,
            Workload::ForeignLog => 2_000_000,
        }
    }

    fn running(self, events: u64) -> String {
        match self {
            Workload::Shop => format!("Running the shop workload with {events} events…"),
            Workload::ForeignLog => format!("Importing and filtering a log of {events} events…"),
        }
    }
}

/// A benchmark address: what it runs, and how many events or why it cannot run.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchRequest {
    pub workload: Workload,
    pub events: Result<u64, String>,
}

/// What `#bench`, `#bench=N`, `#bench-log` or `#bench-log=N` asks for (a million when no
/// number is given), or why it cannot run; `None` when the address is not a benchmark's.
pub fn requested(hash: &str) -> Option<BenchRequest> {
    Workload::ALL.into_iter().find_map(|workload| {
        let rest = hash.strip_prefix(workload.address())?;
        let count = match rest.strip_prefix('=') {
            Some(count) => count,
            None if rest.is_empty() => {
                return Some(BenchRequest {
                    workload,
                    events: Ok(1_000_000),
                })
            }
            None => return None,
        };
        let most = workload.most_events();
        let events = match count.parse::<u64>() {
            Ok(n) if (1..=most).contains(&n) => Ok(n),
            Ok(_) => Err(format!(
                "The benchmark runs 1 to {} events in a browser tab; {count} is outside that.",
                crate::format::fmt_count(most)
            )),
            Err(_) => Err(format!(
                "The benchmark wants a number of events ({}=1000000); \u{201c}{}\u{201d} is not one.",
                workload.address(),
                crate::format::clip(count, 40)
            )),
        };
        Some(BenchRequest { workload, events })
    })
}

/// The window property that holds the benchmark's log as JSON text, for the plain-JavaScript
/// fold `scripts/bench-browser.sh` runs beside the engine in the same page.
const PLAIN_LOG_PROPERTY: &str = "eventideBenchLog";

/// Generates the benchmark's log again (the same seed, so the same events) and leaves it on the
/// window as JSON text; the timed figures are already taken, so this costs them nothing.
fn hand_over_plain_log(events: u64) -> Result<(), String> {
    let mut shop = Shop::new();
    generate_events(&mut shop, GeneratorConfig::new(SEED, bench::START), events)
        .map_err(|error| format!("the plain log could not be generated: {error}"))?;
    let text = plain_log_json(shop.store().events());
    drop(shop);
    hand_over(PLAIN_LOG_PROPERTY, &text.into())
}

fn hand_over(property: &str, value: &wasm_bindgen::JsValue) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window to hand the plain log to")?;
    js_sys::Reflect::set(&window, &property.into(), value)
        .map(|_| ())
        .map_err(|_| "the plain log could not be handed to the page".to_string())
}

/// The window property that holds the foreign log's NDJSON file as bytes, for the
/// plain-JavaScript reader `scripts/bench-browser.sh` runs beside the import in the same page.
const NDJSON_PROPERTY: &str = "eventideBenchNdjson";

/// Writes the foreign log's file again (the same seed, so the same events) and leaves its bytes
/// on the window.
fn hand_over_ndjson(config: LogBenchConfig) -> Result<(), String> {
    let file = log_bench::ndjson(config);
    hand_over(
        NDJSON_PROPERTY,
        &js_sys::Uint8Array::from(file.as_slice()).into(),
    )
}

/// Runs one benchmark and gives its figures as one line of JSON.
fn run(workload: Workload, events: u64) -> String {
    let performance = web_sys::window().and_then(|w| w.performance());
    let clock = move || performance.as_ref().map_or(0.0, |p| p.now());
    let line = match workload {
        Workload::Shop => {
            let config = BenchConfig {
                events,
                seed: SEED,
                checkpoint_interval: DEFAULT_CHECKPOINT_INTERVAL,
                seeks: 500,
            };
            bench::run(config, &clock, Some(&wasm_memory_bytes))
                .and_then(|report| serde_json::to_string(&report).map_err(|e| e.to_string()))
                .and_then(|line| hand_over_plain_log(events).map(|()| line))
        }
        Workload::ForeignLog => {
            let config = LogBenchConfig {
                events,
                seed: SEED,
                plain_peer: false,
            };
            // Linear memory only grows, and the import reuses what writing the file freed: its
            // growth says nothing here, so the store's own count is the memory figure.
            log_bench::run(config, &clock, None)
                .and_then(|report| serde_json::to_string(&report).map_err(|e| e.to_string()))
                .and_then(|line| hand_over_ndjson(config).map(|()| line))
        }
    };
    line.unwrap_or_else(|problem| serde_json::json!({ "error": problem }).to_string())
}

/// The wasm module's linear memory: it only grows, so its growth over the workload is what the
/// log, its indexes, read models and checkpoints took, all in (as the page pays for it).
fn wasm_memory_bytes() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size::<0>() * 65_536
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

/// The workload's seed, here and in `eventide bench`'s default.
const SEED: u64 = 42;

#[derive(Properties, PartialEq)]
pub struct BenchPageProps {
    pub request: BenchRequest,
}

#[function_component(BenchPage)]
pub fn bench_page(props: &BenchPageProps) -> Html {
    let result = use_state(|| None::<String>);
    let BenchRequest { workload, events } = props.request.clone();
    {
        let result = result.clone();
        use_effect_with(events.clone(), move |events| {
            // After the first paint, so the page shows that it is working.
            let timeout =
                events.as_ref().ok().copied().map(|events| {
                    Timeout::new(50, move || result.set(Some(run(workload, events))))
                });
            move || drop(timeout)
        });
    }
    html! {
        <main class="bench-page">
            <h1>{"Eventide benchmark (wasm)"}</h1>
            { match (&events, &*result) {
                (Err(problem), _) => html! { <p class="problem" role="alert" data-testid="bench-problem">{ problem.clone() }</p> },
                (Ok(events), None) => html! { <p data-testid="bench-running">{ workload.running(*events) }</p> },
                (Ok(_), Some(line)) => html! { <pre data-testid="bench-result">{ line.clone() }</pre> },
            } }
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(hash: &str) -> Option<(Workload, Result<u64, String>)> {
        requested(hash).map(|request| (request.workload, request.events))
    }

    #[test]
    fn every_benchmark_address_is_bounded_with_a_message() {
        assert_eq!(events("#bench"), Some((Workload::Shop, Ok(1_000_000))));
        assert_eq!(events("#bench=5000"), Some((Workload::Shop, Ok(5_000))));
        assert_eq!(
            events("#bench-log"),
            Some((Workload::ForeignLog, Ok(1_000_000)))
        );
        assert_eq!(
            events("#bench-log=20000"),
            Some((Workload::ForeignLog, Ok(20_000)))
        );
        assert_eq!(events("#lesson=cqrs"), None);
        assert_eq!(events("#benchmark"), None);
        assert_eq!(events("#bench-logs"), None);
        for bad in [
            "#bench=10000000",
            "#bench=0",
            "#bench=abc",
            "#bench=-1",
            "#bench=99999999999999999999",
            "#bench-log=0",
            "#bench-log=3000000",
            "#bench-log=x",
        ] {
            assert!(
                matches!(events(bad), Some((_, Err(ref text))) if !text.is_empty()),
                "{bad}"
            );
        }
    }
}
