//! The in-browser benchmark (`#bench` or `#bench=EVENTS` in the address): the engine's workload
//! figures for the wasm build, timed with `performance.now()`, printed as one line of JSON.

use eventide_engine::history::DEFAULT_CHECKPOINT_INTERVAL;
use eventide_shop::bench::{self, BenchConfig};
use eventide_shop::generator::{generate_events, GeneratorConfig};
use eventide_shop::reference_fold::plain_log_json;
use eventide_shop::Shop;
use gloo::timers::callback::Timeout;
use yew::prelude::*;

/// The most events the benchmark page generates: the log, its indexes and every checkpoint of a
/// bigger run do not fit in a wasm32 tab's memory (4 GiB, with vectors that double).
pub const MAX_BENCH_EVENTS: u64 = 2_000_000;

/// What `#bench` or `#bench=N` asks for (a million when no number is given), or why it cannot
/// run; `None` when the address is not the benchmark's.
pub fn requested_events(hash: &str) -> Option<Result<u64, String>> {
    let rest = hash.strip_prefix("#bench")?;
    let count = match rest.strip_prefix('=') {
        Some(count) => count,
        None if rest.is_empty() => return Some(Ok(1_000_000)),
        None => return None,
    };
    Some(match count.parse::<u64>() {
        Ok(n) if (1..=MAX_BENCH_EVENTS).contains(&n) => Ok(n),
        Ok(_) => Err(format!(
            "The benchmark runs 1 to {} events in a browser tab; {count} is outside that.",
            crate::format::fmt_count(MAX_BENCH_EVENTS)
        )),
        Err(_) => Err(format!(
            "The benchmark wants a number of events (#bench=1000000); \u{201c}{}\u{201d} is not one.",
            crate::format::clip(count, 40)
        )),
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
    let window = web_sys::window().ok_or("no window to hand the plain log to")?;
    js_sys::Reflect::set(&window, &PLAIN_LOG_PROPERTY.into(), &text.into())
        .map(|_| ())
        .map_err(|_| "the plain log could not be handed to the page".to_string())
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
    /// The events to run, or why the address cannot be run.
    pub events: Result<u64, String>,
}

#[function_component(BenchPage)]
pub fn bench_page(props: &BenchPageProps) -> Html {
    let result = use_state(|| None::<String>);
    {
        let result = result.clone();
        let events = props.events.clone();
        use_effect_with(events, move |events| {
            let events = events.as_ref().ok().copied();
            // After the first paint, so the page shows that it is working.
            let timeout = events.map(|events| {
                Timeout::new(50, move || {
                    let performance = web_sys::window().and_then(|w| w.performance());
                    let clock = move || performance.as_ref().map_or(0.0, |p| p.now());
                    let config = BenchConfig {
                        events,
                        seed: SEED,
                        checkpoint_interval: DEFAULT_CHECKPOINT_INTERVAL,
                        seeks: 500,
                    };
                    let line = bench::run(config, &clock, Some(&wasm_memory_bytes))
                        .and_then(|report| {
                            serde_json::to_string(&report).map_err(|e| e.to_string())
                        })
                        .and_then(|line| hand_over_plain_log(events).map(|()| line))
                        .unwrap_or_else(|problem| {
                            serde_json::json!({ "error": problem }).to_string()
                        });
                    result.set(Some(line));
                })
            });
            move || drop(timeout)
        });
    }
    html! {
        <main class="bench-page">
            <h1>{"Eventide benchmark (wasm)"}</h1>
            { match (&props.events, &*result) {
                (Err(problem), _) => html! { <p class="problem" role="alert" data-testid="bench-problem">{ problem.clone() }</p> },
                (Ok(events), None) => html! { <p data-testid="bench-running">{ format!("Running the shop workload with {events} events…") }</p> },
                (Ok(_), Some(line)) => html! { <pre data-testid="bench-result">{ line.clone() }</pre> },
            } }
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_benchmark_address_is_bounded_with_a_message() {
        assert_eq!(requested_events("#bench"), Some(Ok(1_000_000)));
        assert_eq!(requested_events("#bench=5000"), Some(Ok(5_000)));
        assert_eq!(requested_events("#lesson=cqrs"), None);
        assert_eq!(requested_events("#benchmark"), None);
        for bad in [
            "#bench=10000000",
            "#bench=0",
            "#bench=abc",
            "#bench=-1",
            "#bench=99999999999999999999",
        ] {
            assert!(
                matches!(requested_events(bad), Some(Err(ref text)) if !text.is_empty()),
                "{bad}"
            );
        }
    }
}
