//! "Generate N orders": a seeded, realistic workload, run a chunk at a time with progress and a
//! cancel button. The seed is shown, so any run can be repeated exactly.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::format::fmt_count;
use crate::state::{use_app, Action};

/// Beyond this a link or a lesson is the wrong tool: about 8 million events.
const MAX_ORDERS: u64 = 1_000_000;

#[function_component(GeneratePanel)]
pub fn generate_panel() -> Html {
    let state = use_app();
    let count = use_state(|| "100".to_string());
    let seed = use_state(|| "42".to_string());
    let on_count = {
        let count = count.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                count.set(input.value());
            }
        })
    };
    let on_seed = {
        let seed = seed.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                seed.set(input.value());
            }
        })
    };
    let onsubmit = {
        let dispatcher = state.dispatcher();
        let (count, seed) = (count.clone(), seed.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let orders = count
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=MAX_ORDERS).contains(n));
            let seed_value = seed.trim().parse::<u64>().ok();
            dispatcher.dispatch(match (orders, seed_value) {
                (Some(orders), Some(seed)) => Action::StartGenerating { seed, orders },
                (None, _) => Action::InvalidInput(format!(
                    "Orders: '{}' is not a number from 1 to {}",
                    count.trim(),
                    fmt_count(MAX_ORDERS)
                )),
                (_, None) => {
                    Action::InvalidInput(format!("Seed: '{}' is not a whole number", seed.trim()))
                }
            });
        })
    };
    let cancel = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::CancelGenerating))
    };
    let session = state.session();
    let job = session.job();
    html! {
        <section class="panel generate" aria-labelledby="generate-title">
            <h2 id="generate-title" class="panel-title">{"Generate activity"}</h2>
            <form class="command-card" {onsubmit}>
                <div class="field-row">
                    <label class="field">{"Orders"}
                        <input type="number" min="1" max={MAX_ORDERS.to_string()} value={(*count).clone()}
                               oninput={on_count} data-testid="cmd-generate-count" />
                    </label>
                    <label class="field">{"Seed"}
                        <input type="number" min="0" value={(*seed).clone()} oninput={on_seed} data-testid="cmd-generate-seed" />
                    </label>
                </div>
                <p class="panel-hint">{"Customers browse, fill carts and check out; payments are approved or declined; orders ship or are cancelled. About 8 events an order."}</p>
                if let Some(job) = job {
                    <div class="progress" data-testid="generate-progress">
                        <progress max="1" value={job.progress().to_string()} />
                        <span>{ format!("{} of {} orders · {} events", fmt_count(job.orders), fmt_count(job.target_orders()), fmt_count(job.events)) }</span>
                        <button type="button" class="button" onclick={cancel} data-testid="cmd-generate-cancel">{"Cancel"}</button>
                    </div>
                } else {
                    <button type="submit" class="button primary" data-testid="cmd-generate">{"Generate orders"}</button>
                }
            </form>
        </section>
    }
}
