//! The in-browser benchmark (`#bench` or `#bench=EVENTS` in the address): the engine's workload
//! figures for the wasm build, timed with `performance.now()`, printed as one line of JSON.

use eventide_engine::bench::{self, BenchConfig};
use eventide_engine::history::DEFAULT_CHECKPOINT_INTERVAL;
use gloo::timers::callback::Timeout;
use yew::prelude::*;

/// The number of events `#bench=N` asks for, or a million.
pub fn requested_events(hash: &str) -> Option<u64> {
    let rest = hash.strip_prefix("#bench")?;
    match rest.strip_prefix('=') {
        Some(count) => count.parse().ok().filter(|n| (1..=10_000_000).contains(n)),
        None if rest.is_empty() => Some(1_000_000),
        None => None,
    }
}

#[derive(Properties, PartialEq)]
pub struct BenchPageProps {
    pub events: u64,
}

#[function_component(BenchPage)]
pub fn bench_page(props: &BenchPageProps) -> Html {
    let result = use_state(|| None::<String>);
    {
        let result = result.clone();
        let events = props.events;
        use_effect_with(events, move |&events| {
            // After the first paint, so the page shows that it is working.
            let timeout = Timeout::new(50, move || {
                let performance = web_sys::window().and_then(|w| w.performance());
                let clock = move || performance.as_ref().map_or(0.0, |p| p.now());
                let config = BenchConfig {
                    events,
                    seed: 42,
                    checkpoint_interval: DEFAULT_CHECKPOINT_INTERVAL,
                    seeks: 500,
                };
                let line = bench::run(config, &clock, None)
                    .and_then(|report| serde_json::to_string(&report).map_err(|e| e.to_string()))
                    .unwrap_or_else(|problem| serde_json::json!({ "error": problem }).to_string());
                result.set(Some(line));
            });
            move || drop(timeout)
        });
    }
    html! {
        <main class="bench-page">
            <h1>{"Eventide benchmark (wasm)"}</h1>
            { match &*result {
                None => html! { <p data-testid="bench-running">{ format!("Running the shop workload with {} events…", props.events) }</p> },
                Some(line) => html! { <pre data-testid="bench-result">{ line.clone() }</pre> },
            } }
        </main>
    }
}
