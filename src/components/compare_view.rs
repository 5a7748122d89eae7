//! Choreography and orchestration side by side: the same seed, the same checkouts, the same
//! injected failure, run both ways; the numbers and a plain reading of them.

use std::rc::Rc;

use eventide_engine::shop::compare::{compare, reading, ModeReport};
use eventide_engine::shop::services::Failure;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::format::fmt_count;
use crate::state::use_app;

/// Enough to see every effect, small enough to run in a blink.
const MAX_CHECKOUTS: u64 = 2_000;

#[derive(Clone, PartialEq)]
struct Outcome {
    reports: Rc<[ModeReport; 2]>,
    reading: Rc<Vec<String>>,
    failure: Failure,
    checkouts: u64,
}

#[function_component(CompareView)]
pub fn compare_view() -> Html {
    let state = use_app();
    let checkouts = use_state(|| "100".to_string());
    let failure = use_state(|| Failure::ShippingDown);
    let result = use_state(|| None::<Result<Outcome, String>>);
    let on_checkouts = {
        let checkouts = checkouts.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                checkouts.set(input.value());
            }
        })
    };
    let on_failure = {
        let failure = failure.clone();
        Callback::from(move |event: Event| {
            if let Some(parsed) = event
                .target_dyn_into::<HtmlSelectElement>()
                .and_then(|s| Failure::parse(&s.value()))
            {
                failure.set(parsed);
            }
        })
    };
    let run = {
        let (checkouts, failure, result, state) = (
            checkouts.clone(),
            failure.clone(),
            result.clone(),
            state.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Some(n) = checkouts
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=MAX_CHECKOUTS).contains(n))
            else {
                result.set(Some(Err(format!(
                    "Checkouts: '{}' is not a number from 1 to {}",
                    checkouts.trim(),
                    fmt_count(MAX_CHECKOUTS)
                ))));
                return;
            };
            let start = state.session().now();
            let outcome = compare(crate::state::DEFAULT_SEED, n, *failure, start)
                .map(|reports| Outcome {
                    reading: Rc::new(reading(&reports, *failure)),
                    reports: Rc::new(reports),
                    failure: *failure,
                    checkouts: n,
                })
                .map_err(|error| error.to_string());
            result.set(Some(outcome));
        })
    };
    html! {
        <section class="panel compare-view" data-testid="compare-view">
            <h2 class="panel-title">{"Choreography or orchestration?"}</h2>
            <p class="panel-hint">{ format!("Runs the same checkouts from seed {} both ways, with the same failure injected, and sets the results side by side.", crate::state::DEFAULT_SEED) }</p>
            <form class="compare-form" onsubmit={run}>
                <label class="field">{"Checkouts"}
                    <input type="number" min="1" max={MAX_CHECKOUTS.to_string()} value={(*checkouts).clone()} oninput={on_checkouts} data-testid="compare-count" />
                </label>
                <label class="field">{"Inject"}
                    <select onchange={on_failure} data-testid="compare-failure">
                        { for Failure::ALL.iter().map(|f| html! { <option value={f.name()} selected={*f == *failure}>{ f.describe() }</option> }) }
                    </select>
                </label>
                <button type="submit" class="button primary compare-run" data-testid="compare-run">{"Run both"}</button>
            </form>
            { match &*result {
                None => html! {},
                Some(Err(problem)) => html! { <p class="warning">{ problem.clone() }</p> },
                Some(Ok(outcome)) => comparison(outcome),
            } }
        </section>
    }
}

fn comparison(outcome: &Outcome) -> Html {
    let [chor, orch] = &*outcome.reports;
    let row = |label: &str, a: String, b: String| {
        html! {
            <tr><th scope="row">{ label.to_string() }</th><td>{ a }</td><td>{ b }</td></tr>
        }
    };
    let count = |n: u64| fmt_count(n);
    let services: Vec<&'static str> = orch.messages.iter().map(|m| m.service).collect();
    html! {
        <>
            <ul class="reading" data-testid="compare-reading">
                { for outcome.reading.iter().map(|line| html! { <li>{ line.clone() }</li> }) }
            </ul>
            <table class="compare-table" data-testid="compare-table">
                <caption>{ format!("{} checkouts · {}", fmt_count(outcome.checkouts), outcome.failure.describe()) }</caption>
                <thead><tr><th></th><th scope="col">{"Choreography"}</th><th scope="col">{"Orchestration"}</th></tr></thead>
                <tbody>
                    { row("Orders placed", count(chor.outcomes.placed), count(orch.outcomes.placed)) }
                    { row("Orders paid", count(chor.outcomes.paid), count(orch.outcomes.paid)) }
                    { row("Orders shipped", count(chor.outcomes.shipped), count(orch.outcomes.shipped)) }
                    { row("Orders cancelled", count(chor.outcomes.cancelled), count(orch.outcomes.cancelled)) }
                    { row("Orders stuck", count(chor.outcomes.stuck), count(orch.outcomes.stuck)) }
                    { row("Messages parked", count(chor.parked), count(orch.parked)) }
                    { row("Messages", count(chor.total_messages), count(orch.total_messages)) }
                    { row("Through the coordinator", "—".into(), format!("{:.0}%", orch.coordinator_share * 100.0)) }
                    { row("Graph edges", count(chor.edges as u64), count(orch.edges as u64)) }
                    { row("Events recorded", count(chor.events), count(orch.events)) }
                    { row("Where the rules live", chor.where_rules_live.into(), orch.where_rules_live.into()) }
                </tbody>
            </table>
            <h3 class="subhead">{"Messages per service (sent / received)"}</h3>
            <table class="compare-table">
                <thead><tr><th></th><th scope="col">{"Choreography"}</th><th scope="col">{"Orchestration"}</th></tr></thead>
                <tbody>
                    { for services.iter().map(|service| {
                        let cell = |report: &ModeReport| report
                            .messages
                            .iter()
                            .find(|m| m.service == *service)
                            .map_or_else(|| "—".to_string(), |m| format!("{} / {}", fmt_count(m.sent), fmt_count(m.received)));
                        row(service, cell(chor), cell(orch))
                    }) }
                </tbody>
            </table>
            <h3 class="subhead">{"Who listens to whom"}</h3>
            <table class="compare-table">
                <thead><tr><th></th><th scope="col">{"Choreography"}</th><th scope="col">{"Orchestration"}</th></tr></thead>
                <tbody>
                    { for services.iter().map(|service| {
                        let cell = |report: &ModeReport| report
                            .knows
                            .iter()
                            .find(|(s, _)| s == service)
                            .map_or_else(|| "—".to_string(), |(_, sources)| if sources.is_empty() { "only outside sources".into() } else { sources.join(", ") });
                        row(service, cell(chor), cell(orch))
                    }) }
                </tbody>
            </table>
        </>
    }
}
