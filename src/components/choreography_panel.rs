//! The choreography controls: services listening or not, the storefront, the virtual clock,
//! the delivery knobs every subscription gets, idempotent or naive consumers, and chaos mode.
//! Every simulated fault is a knob the user turned, with the seed shown.

use eventide_engine::delivery::{DeliverySettings, SubscriptionId};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::knobs::{
    ConsumersKnob, MillisKnob, PartitionsKnob, PercentKnob, RedeliveryKnobs, WindowKnob,
};
use crate::format::{fmt_count, fmt_time};
use crate::state::{use_app, Action, SIM_SPEEDS};

#[function_component(ChoreographyPanel)]
pub fn choreography_panel() -> Html {
    let state = use_app();
    let dispatcher = state.dispatcher();
    let checkouts = use_state(|| "50".to_string());
    let session = state.session();
    let sim = session.sim();
    let reacting = sim.is_reacting();
    let remaining = sim.checkouts_remaining();
    let in_flight = sim.bus().in_flight();
    // The knobs as the services have them (after an import, a branch or a lesson too).
    let (delivery, idempotent_now, chaos_on) =
        (session.delivery(), session.idempotent(), session.chaos());

    let toggle_reacting = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_| dispatcher.dispatch(Action::SetReacting(!reacting)))
    };
    let on_checkouts = {
        let checkouts = checkouts.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                checkouts.set(input.value());
            }
        })
    };
    let open = {
        let dispatcher = dispatcher.clone();
        let checkouts = checkouts.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            dispatcher.dispatch(
                match checkouts
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (1..=100_000).contains(n))
                {
                    Some(n) => Action::OpenStorefront(n),
                    None => Action::InvalidInput(format!(
                        "Checkouts: '{}' is not a number from 1 to 100,000",
                        checkouts.trim()
                    )),
                },
            );
        })
    };
    let run = {
        let dispatcher = dispatcher.clone();
        let running = state.clock.running;
        Callback::from(move |_| dispatcher.dispatch(Action::SetRunning(!running)))
    };
    let step = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_| dispatcher.dispatch(Action::SimStep))
    };
    let on_speed = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |event: Event| {
            if let Some(speed) = event
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .and_then(|select| select.value().parse::<u64>().ok())
            {
                dispatcher.dispatch(Action::SetSimSpeed(speed));
            }
        })
    };
    let chaos = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_| dispatcher.dispatch(Action::SetChaos(!chaos_on)))
    };
    let idempotent = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |on: bool| dispatcher.dispatch(Action::SetIdempotent(on)))
    };

    html! {
        <section class="panel choreography" aria-labelledby="choreography-title" data-testid="choreography-panel">
            <h2 id="choreography-title" class="panel-title">{"Services"}</h2>
            <p class="panel-hint">{"The shop's services react to events (choreography) or to a saga's commands (orchestration: switch it in the Services tab). Delivery is at least once, on a virtual clock, from seed 42."}</p>
            <label class="switch">
                <input type="checkbox" checked={reacting} onchange={toggle_reacting} data-testid="services-react" />
                <span>{ if reacting { "Services are reacting to new events" } else { "Services are off: commands only do what they say" } }</span>
            </label>
            <form class="command-card" onsubmit={open}>
                <h3 class="command-name">{"Storefront"}</h3>
                <div class="field-row">
                    <label class="field">{"Checkouts"}
                        <input type="number" min="1" value={(*checkouts).clone()} oninput={on_checkouts} data-testid="storefront-count" />
                    </label>
                    <button type="submit" class="button align-end" data-testid="storefront-open">{"Open storefront"}</button>
                </div>
                <p class="panel-hint">{ format!("{} checkouts to come · {} deliveries in flight", fmt_count(remaining), fmt_count(in_flight as u64)) }</p>
            </form>
            <div class="command-card">
                <h3 class="command-name">{"Virtual clock"}</h3>
                <div class="button-row">
                    <button type="button" class={classes!("button", state.clock.running.then_some("is-running"))} onclick={run} data-testid="sim-run">
                        { if state.clock.running { "Pause" } else { "Run" } }
                    </button>
                    <button type="button" class="button" onclick={step} data-testid="sim-step" title="Do the one next thing: a customer's action or a delivery">{"Step"}</button>
                    <label class="speed">{"Speed"}
                        <select onchange={on_speed} aria-label="Virtual time per tick">
                            { for SIM_SPEEDS.iter().map(|&(ms, label)| html! {
                                <option value={ms.to_string()} selected={ms == state.clock.speed}>{ label }</option>
                            }) }
                        </select>
                    </label>
                </div>
                <p class="panel-hint" data-testid="sim-clock">{ format!("{} UTC", fmt_time(sim.clock())) }</p>
            </div>
            <DeliveryKnobs settings={delivery} />
            <div class="command-card">
                <h3 class="command-name">{"Consumers"}</h3>
                <ConsumersKnob idempotent={idempotent_now} testid="idempotent" on_change={idempotent} />
                <button type="button" class={classes!("button", chaos_on.then_some("chaos-on"))} onclick={chaos} data-testid="chaos">
                    { if chaos_on { "Disable chaos mode" } else { "Enable chaos mode" } }
                </button>
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct KnobsProps {
    settings: DeliverySettings,
}

/// The delivery knobs, for every subscription at once or for one of them.
#[function_component(DeliveryKnobs)]
fn delivery_knobs(props: &KnobsProps) -> Html {
    let state = use_app();
    let target = use_state(|| None::<SubscriptionId>);
    let (settings, subscriptions) = {
        let session = state.session();
        let bus = session.sim().bus();
        let settings = target
            .and_then(|id| bus.settings(id).copied())
            .unwrap_or(props.settings);
        let subscriptions: Vec<(SubscriptionId, String)> = bus
            .subscription_ids()
            .map(|id| (id, bus.name(id).to_string()))
            .collect();
        (settings, subscriptions)
    };
    let on_target = {
        let target = target.clone();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<web_sys::HtmlSelectElement>() {
                target.set(select.value().parse::<u16>().ok().map(SubscriptionId));
            }
        })
    };
    let scope = *target;
    let ordering = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| {
            dispatcher.dispatch(Action::SetDelivery {
                target: scope,
                settings: DeliverySettings {
                    per_aggregate_ordering: !settings.per_aggregate_ordering,
                    ..settings
                },
            })
        })
    };
    html! {
        <div class="command-card knobs" data-testid="delivery-knobs">
            <h3 class="command-name">{"Delivery"}</h3>
            <label class="field">{"Subscription"}
                <select onchange={on_target} data-testid="knob-target">
                    <option value="all" selected={scope.is_none()}>{"Every subscription"}</option>
                    { for subscriptions.iter().map(|(id, name)| html! {
                        <option value={id.0.to_string()} selected={scope == Some(*id)}>{ name.clone() }</option>
                    }) }
                </select>
            </label>
            <MillisKnob label="Latency" value={settings.latency_ms} testid="knob-latency" on_change={setter(state.dispatcher(), scope, settings, |s, v| DeliverySettings { latency_ms: v, ..s })} />
            <MillisKnob label="Jitter" value={settings.jitter_ms} testid="knob-jitter" on_change={setter(state.dispatcher(), scope, settings, |s, v| DeliverySettings { jitter_ms: v, ..s })} />
            <PercentKnob label="Duplicates" value={settings.duplicate_rate} testid="knob-duplicates" on_change={setter(state.dispatcher(), scope, settings, |s, v| DeliverySettings { duplicate_rate: v, ..s })} />
            <PercentKnob label="Reordering" value={settings.reorder_rate} testid="knob-reorder" on_change={setter(state.dispatcher(), scope, settings, |s, v| DeliverySettings { reorder_rate: v, ..s })} />
            <PercentKnob label="Failures" value={settings.failure_rate} testid="knob-failures" on_change={setter(state.dispatcher(), scope, settings, |s, v| DeliverySettings { failure_rate: v, ..s })} />
            <label class="switch">
                <input type="checkbox" checked={settings.per_aggregate_ordering} onchange={ordering} data-testid="knob-ordering" />
                <span>{"Keep each aggregate's events in order"}</span>
            </label>
            if settings.per_aggregate_ordering {
                <PartitionsKnob partitions={settings.partitions} members={settings.group_members}
                                on_change={setter(state.dispatcher(), scope, settings, |s, (partitions, group_members): (u8, u8)| DeliverySettings { partitions, group_members, ..s })} />
            }
            <RedeliveryKnobs {settings} on_change={setter(state.dispatcher(), scope, settings, |_, new: DeliverySettings| new)} />
            <WindowKnob value={settings.dedup_window_ms} testid="knob-window" on_change={setter(state.dispatcher(), scope, settings, |s, v| DeliverySettings { dedup_window_ms: v, ..s })} />
        </div>
    }
}

/// A knob's callback: the settings shown, changed by `apply`, for the subscription in scope.
fn setter<T: 'static>(
    dispatcher: UseReducerDispatcher<crate::state::AppState>,
    target: Option<SubscriptionId>,
    settings: DeliverySettings,
    apply: fn(DeliverySettings, T) -> DeliverySettings,
) -> Callback<T> {
    Callback::from(move |value: T| {
        dispatcher.dispatch(Action::SetDelivery {
            target,
            settings: apply(settings, value),
        })
    })
}
