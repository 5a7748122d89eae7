//! Choreography and orchestration side by side: the same seed, the same checkouts, the same
//! injected failure and the same delivery (duplicates, reordering, latency, failures, the dedup
//! window, idempotent or naive consumers; the app's own settings to begin with), run both ways;
//! the numbers, whether the business outcomes agree, and a plain reading of them.

use std::rc::Rc;

use eventide_engine::delivery::DeliverySettings;
use eventide_shop::compare::{compare_under, reading, verdict, Comparison, Conditions, ModeReport};
use eventide_shop::services::Failure;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::knobs::{fmt_window, ConsumersKnob, MillisKnob, PercentKnob, WindowKnob};
use crate::format::fmt_count;
use crate::state::use_app;

/// Enough to see every effect, small enough to run in a blink.
const MAX_CHECKOUTS: u64 = 2_000;

#[derive(Clone, PartialEq)]
struct Outcome {
    comparison: Rc<Comparison>,
    reading: Rc<Vec<String>>,
    verdict: Rc<Vec<String>>,
    failure: Failure,
    checkouts: u64,
}

#[function_component(CompareView)]
pub fn compare_view() -> Html {
    let state = use_app();
    let checkouts = use_state(|| "100".to_string());
    let failure = use_state(|| Failure::ShippingDown);
    let result = use_state(|| None::<Result<Outcome, String>>);
    // The app's delivery settings to begin with; changed here, they change only this run.
    let app_conditions = {
        let session = state.session();
        Conditions {
            delivery: session.delivery(),
            idempotent: session.idempotent(),
        }
    };
    let conditions = use_state(|| app_conditions);
    let on_conditions = {
        let conditions = conditions.clone();
        Callback::from(move |next: Conditions| conditions.set(next))
    };
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
        let (checkouts, failure, result, state, conditions) = (
            checkouts.clone(),
            failure.clone(),
            result.clone(),
            state.clone(),
            conditions.clone(),
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
            let outcome =
                compare_under(crate::state::DEFAULT_SEED, n, *failure, *conditions, start)
                    .map(|comparison| Outcome {
                        reading: Rc::new(reading(&comparison.reports, *failure)),
                        verdict: Rc::new(verdict(&comparison)),
                        comparison: Rc::new(comparison),
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
            <p class="panel-hint">{ format!("Runs the same checkouts from seed {} both ways, with the same failure injected and the same delivery, and sets the results side by side.", crate::state::DEFAULT_SEED) }</p>
            <form class="compare-form" onsubmit={run}>
                <label class="field">{"Checkouts"}
                    <input type="number" min="1" max={MAX_CHECKOUTS.to_string()} value={(*checkouts).clone()} oninput={on_checkouts} data-testid="compare-count" />
                </label>
                <label class="field">{"Inject"}
                    <select onchange={on_failure} data-testid="compare-failure">
                        { for Failure::ALL.iter().map(|f| html! { <option value={f.name()} selected={*f == *failure}>{ f.describe() }</option> }) }
                    </select>
                </label>
                <ConditionsForm conditions={*conditions} app={app_conditions} on_change={on_conditions} />
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

#[derive(Properties, PartialEq)]
struct ConditionsProps {
    conditions: Conditions,
    /// The app's current settings, to go back to.
    app: Conditions,
    on_change: Callback<Conditions>,
}

/// The delivery a comparison runs under: the knobs of the choreography panel, for this run only.
#[function_component(ConditionsForm)]
fn conditions_form(props: &ConditionsProps) -> Html {
    let conditions = props.conditions;
    let set = |apply: fn(DeliverySettings, f64) -> DeliverySettings| {
        let on_change = props.on_change.clone();
        Callback::from(move |value: f64| {
            on_change.emit(Conditions {
                delivery: apply(conditions.delivery, value).clamped(),
                ..conditions
            })
        })
    };
    let on_latency = {
        let on_change = props.on_change.clone();
        Callback::from(move |latency_ms: u32| {
            on_change.emit(Conditions {
                delivery: DeliverySettings {
                    latency_ms,
                    ..conditions.delivery
                },
                ..conditions
            })
        })
    };
    let on_window = {
        let on_change = props.on_change.clone();
        Callback::from(move |dedup_window_ms: u64| {
            on_change.emit(Conditions {
                delivery: DeliverySettings {
                    dedup_window_ms,
                    ..conditions.delivery
                }
                .clamped(),
                ..conditions
            })
        })
    };
    let on_idempotent = {
        let on_change = props.on_change.clone();
        Callback::from(move |idempotent: bool| {
            on_change.emit(Conditions {
                idempotent,
                ..conditions
            })
        })
    };
    let reset = {
        let (on_change, app) = (props.on_change.clone(), props.app);
        Callback::from(move |_| on_change.emit(app))
    };
    let delivery = conditions.delivery;
    html! {
        <fieldset class="compare-conditions knobs" data-testid="compare-conditions">
            <legend>{"Delivery for both runs"}</legend>
            <MillisKnob label="Latency" value={delivery.latency_ms} testid="compare-latency" on_change={on_latency} />
            <PercentKnob label="Duplicates" value={delivery.duplicate_rate} testid="compare-duplicates" on_change={set(|s, v| DeliverySettings { duplicate_rate: v, ..s })} />
            <PercentKnob label="Reordering" value={delivery.reorder_rate} testid="compare-reorder" on_change={set(|s, v| DeliverySettings { reorder_rate: v, ..s })} />
            <PercentKnob label="Failures" value={delivery.failure_rate} testid="compare-failures" on_change={set(|s, v| DeliverySettings { failure_rate: v, ..s })} />
            <WindowKnob value={delivery.dedup_window_ms} testid="compare-window" on_change={on_window} />
            <ConsumersKnob idempotent={conditions.idempotent} testid="compare-idempotent" on_change={on_idempotent} />
            if conditions != props.app {
                <button type="button" class="button" onclick={reset} data-testid="compare-use-app">{"Use the app's delivery settings"}</button>
            }
        </fieldset>
    }
}

/// The conditions in one line, for the table's caption.
fn describe(conditions: &Conditions) -> String {
    let d = conditions.delivery;
    format!(
        "latency {} ms · duplicates {:.0}% · reordering {:.0}% · failures {:.0}% ({} attempts) · {} · dedup window {}",
        d.latency_ms,
        d.duplicate_rate * 100.0,
        d.reorder_rate * 100.0,
        d.failure_rate * 100.0,
        d.max_attempts,
        if conditions.idempotent { "idempotent" } else { "naive" },
        fmt_window(d.dedup_window_ms)
    )
}

fn comparison(outcome: &Outcome) -> Html {
    let comparison = &*outcome.comparison;
    let [chor, orch] = &comparison.reports;
    let agree = comparison.between_models().is_empty();
    let [chor_vs_once, orch_vs_once] = comparison.from_exactly_once();
    let against_once = |differences: &Vec<_>| {
        if differences.is_empty() {
            "same as exactly once".to_string()
        } else {
            format!("differs from exactly once ({})", differences.len())
        }
    };
    let row = |label: &str, a: String, b: String| {
        html! {
            <tr><th scope="row">{ label.to_string() }</th><td>{ a }</td><td>{ b }</td></tr>
        }
    };
    let count = |n: u64| fmt_count(n);
    let services: Vec<&'static str> = orch.messages.iter().map(|m| m.service).collect();
    html! {
        <>
            <div class={classes!("compare-verdict", if agree { "equal" } else { "differ" })} data-testid="compare-verdict" data-equal={agree.to_string()}>
                <strong>{ if agree { "Same business outcome" } else { "Different business outcomes" } }</strong>
                <ul>{ for outcome.verdict.iter().map(|line| html! { <li>{ line.clone() }</li> }) }</ul>
            </div>
            <ul class="reading" data-testid="compare-reading">
                { for outcome.reading.iter().map(|line| html! { <li>{ line.clone() }</li> }) }
            </ul>
            <table class="compare-table" data-testid="compare-table">
                <caption>{ format!("{} checkouts · {} · {}", fmt_count(outcome.checkouts), outcome.failure.describe(), describe(&comparison.conditions)) }</caption>
                <thead><tr><th></th><th scope="col">{"Choreography"}</th><th scope="col">{"Orchestration"}</th></tr></thead>
                <tbody>
                    { row("Orders placed", count(chor.outcomes.placed), count(orch.outcomes.placed)) }
                    { row("Orders paid", count(chor.outcomes.paid), count(orch.outcomes.paid)) }
                    { row("Orders shipped", count(chor.outcomes.shipped), count(orch.outcomes.shipped)) }
                    { row("Orders cancelled", count(chor.outcomes.cancelled), count(orch.outcomes.cancelled)) }
                    { row("Orders stuck", count(chor.outcomes.stuck), count(orch.outcomes.stuck)) }
                    { row("Business outcome", against_once(&chor_vs_once), against_once(&orch_vs_once)) }
                    { row("Paid orders (exactly once)", format!("{} ({})", count(comparison.outcomes[0].paid_orders() as u64), count(comparison.exactly_once.paid_orders() as u64)), format!("{} ({})", count(comparison.outcomes[1].paid_orders() as u64), count(comparison.exactly_once.paid_orders() as u64))) }
                    { row("Messages parked", count(chor.parked), count(orch.parked)) }
                    { row("Duplicates processed", count(chor.duplicates_processed), count(orch.duplicates_processed)) }
                    { row("… past the dedup window", count(chor.duplicates_past_window), count(orch.duplicates_past_window)) }
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
