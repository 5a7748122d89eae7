//! The delivery knobs as small controlled inputs: a percentage, a duration in milliseconds, the
//! dedup window and whether consumers deduplicate. Each shows its value and reports a typed new one; the panel that owns the
//! settings decides what to do with it (dispatch an action, or keep it for a comparison run).

use eventide_engine::delivery::DeliverySettings;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::format::fmt_count;

#[derive(Properties, PartialEq)]
pub struct PercentProps {
    pub label: AttrValue,
    /// 0 to 1.
    pub value: f64,
    pub testid: AttrValue,
    pub on_change: Callback<f64>,
}

/// A rate from 0 to 100% in steps of 5.
#[function_component(PercentKnob)]
pub fn percent_knob(props: &PercentProps) -> Html {
    let onchange = {
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            if let Some(value) = event
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|input| input.value().parse::<f64>().ok())
            {
                on_change.emit(value / 100.0);
            }
        })
    };
    let percent = (props.value * 100.0).round();
    html! {
        <label class="knob">
            <span>{ props.label.clone() }</span>
            <input type="range" min="0" max="100" step="5" value={format!("{percent}")} {onchange} data-testid={props.testid.clone()} />
            <output>{ format!("{percent}%") }</output>
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct MillisProps {
    pub label: AttrValue,
    pub value: u32,
    pub testid: AttrValue,
    pub on_change: Callback<u32>,
}

/// A delay from 0 to 2 s in steps of 10 ms.
#[function_component(MillisKnob)]
pub fn millis_knob(props: &MillisProps) -> Html {
    let onchange = {
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            if let Some(value) = event
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|input| input.value().parse::<u32>().ok())
            {
                on_change.emit(value);
            }
        })
    };
    html! {
        <label class="knob">
            <span>{ props.label.clone() }</span>
            <input type="range" min="0" max="2000" step="10" value={props.value.to_string()} {onchange} data-testid={props.testid.clone()} />
            <output>{ format!("{} ms", props.value) }</output>
        </label>
    }
}

/// The windows offered, from "forgets at once" to a day (the default). JetStream's default
/// duplicate window is two minutes.
pub const DEDUP_WINDOWS: &[u64] = &[
    0,
    500,
    1_000,
    5_000,
    30_000,
    120_000,
    3_600_000,
    DeliverySettings::DEFAULT_DEDUP_WINDOW_MS,
    DeliverySettings::MAX_DEDUP_WINDOW_MS,
];

/// A window in words: "500 ms", "2 min", "1 day".
pub fn fmt_window(ms: u64) -> String {
    const MINUTE: u64 = 60_000;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    match ms {
        0 => "none (forgets at once)".into(),
        ms if ms % DAY == 0 => plural(ms / DAY, "day"),
        ms if ms % HOUR == 0 => plural(ms / HOUR, "hour"),
        ms if ms % MINUTE == 0 => format!("{} min", fmt_count(ms / MINUTE)),
        ms if ms % 1_000 == 0 => format!("{} s", fmt_count(ms / 1_000)),
        ms => format!("{} ms", fmt_count(ms)),
    }
}

fn plural(n: u64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{} {unit}s", fmt_count(n))
    }
}

#[derive(Properties, PartialEq)]
pub struct WindowProps {
    pub value: u64,
    pub testid: AttrValue,
    pub on_change: Callback<u64>,
}

/// The dedup window: how long an idempotent consumer remembers an event id, with what happens
/// to a copy that comes later.
#[function_component(WindowKnob)]
pub fn window_knob(props: &WindowProps) -> Html {
    let onchange = {
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            if let Some(value) = event
                .target_dyn_into::<HtmlSelectElement>()
                .and_then(|select| select.value().parse::<u64>().ok())
            {
                on_change.emit(value);
            }
        })
    };
    // A window loaded from a file may be none of the presets: offer it too.
    let mut windows = DEDUP_WINDOWS.to_vec();
    if !windows.contains(&props.value) {
        windows.push(props.value);
        windows.sort_unstable();
    }
    html! {
        <div class="knob-window">
            <label class="field">{"Dedup window"}
                <select {onchange} data-testid={props.testid.clone()}>
                    { for windows.iter().map(|&ms| html! {
                        <option value={ms.to_string()} selected={ms == props.value}>{ fmt_window(ms) }</option>
                    }) }
                </select>
            </label>
            <p class="panel-hint">{"How long an idempotent consumer remembers an event id after processing it, as a JetStream duplicate window does (2 min by default there). Memory stays bounded; a duplicate that comes later is processed again."}</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ConsumersProps {
    pub idempotent: bool,
    pub testid: AttrValue,
    pub on_change: Callback<bool>,
}

/// Idempotent or naive consumers: a checkbox that is checked when consumers deduplicate, under a
/// label that says so whatever its state (a label that changed with the box read backwards: an
/// unticked "Naive" looked like "not naive"), and a line saying what happens to a duplicate now.
#[function_component(ConsumersKnob)]
pub fn consumers_knob(props: &ConsumersProps) -> Html {
    let onchange = {
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                on_change.emit(input.checked());
            }
        })
    };
    let hint_id = format!("{}-hint", props.testid);
    html! {
        <div class="knob-consumers">
            <label class="switch">
                <input type="checkbox" checked={props.idempotent} {onchange} aria-describedby={hint_id.clone()} data-testid={props.testid.clone()} />
                <span>{"Idempotent consumers (deduplicate by event id)"}</span>
            </label>
            <p class="panel-hint" id={hint_id} data-testid={format!("{}-now", props.testid)}>
                { if props.idempotent {
                    "Now: each consumer remembers the event ids it processed and skips a duplicate."
                } else {
                    "Now: naive consumers, a duplicate is processed again."
                } }
            </p>
        </div>
    }
}

/// The partition counts offered: a lane per stream (0), or a few partitions.
const PARTITION_CHOICES: &[u8] = &[0, 1, 2, 3, 4, 8];

#[derive(Properties, PartialEq)]
pub struct PartitionsProps {
    pub partitions: u8,
    pub members: u8,
    /// Reports the new (partitions, members); the settings clamp members to the partitions.
    pub on_change: Callback<(u8, u8)>,
}

/// Partitions and the consumer group that shares them, as Kafka has them: each stream's events
/// go to one partition, order holds within a partition only, and each partition has one member.
#[function_component(PartitionsKnob)]
pub fn partitions_knob(props: &PartitionsProps) -> Html {
    let selected = |event: &Event| {
        event
            .target_dyn_into::<HtmlSelectElement>()
            .and_then(|select| select.value().parse::<u8>().ok())
    };
    let on_partitions = {
        let on_change = props.on_change.clone();
        let members = props.members;
        Callback::from(move |event: Event| {
            if let Some(partitions) = selected(&event) {
                on_change.emit((partitions, members));
            }
        })
    };
    let on_members = {
        let on_change = props.on_change.clone();
        let partitions = props.partitions;
        Callback::from(move |event: Event| {
            if let Some(members) = selected(&event) {
                on_change.emit((partitions, members));
            }
        })
    };
    html! {
        <div class="knob-partitions">
            <label class="field">{"Partitions"}
                <select onchange={on_partitions} data-testid="knob-partitions">
                    { for PARTITION_CHOICES.iter().map(|&n| html! {
                        <option value={n.to_string()} selected={n == props.partitions}>
                            { if n == 0 { "a lane per aggregate".to_string() } else { n.to_string() } }
                        </option>
                    }) }
                </select>
            </label>
            if props.partitions > 0 {
                <label class="field">{"Consumers in the group"}
                    <select onchange={on_members} data-testid="knob-members">
                        { for (1..=props.partitions).map(|n| html! {
                            <option value={n.to_string()} selected={n == props.members}>{ n.to_string() }</option>
                        }) }
                    </select>
                </label>
            }
            <p class="panel-hint">{"With partitions, each aggregate's events go to one partition by a hash of its id: order holds within a partition only, and two aggregates in one partition wait for each other. Each partition belongs to one consumer of the group. A change re-keys what is published from then on, as adding partitions to a Kafka topic does."}</p>
        </div>
    }
}

/// The ack waits offered: the simulator's own (one to four times the latency), or a fixed wait
/// (JetStream's default is 30 s).
const ACK_WAITS: &[Option<u32>] = &[None, Some(500), Some(1_000), Some(5_000), Some(30_000)];

/// Maximum deliveries offered before a delivery is parked in the dead letters.
const MAX_DELIVERIES: &[u32] = &[1, 2, 3, 5, 10, 20];

/// An ack wait in words.
pub fn fmt_ack_wait(ack_wait: Option<u32>) -> String {
    match ack_wait {
        None => "1-4x the latency".into(),
        Some(ms) => fmt_window(u64::from(ms)),
    }
}

#[derive(Properties, PartialEq)]
pub struct RedeliveryProps {
    pub settings: DeliverySettings,
    pub on_change: Callback<DeliverySettings>,
}

/// The redelivery policy: how long the broker waits for an acknowledgement before sending
/// again, how often it tries, how long it backs off after a failure, and then the dead letters.
#[function_component(RedeliveryKnobs)]
pub fn redelivery_knobs(props: &RedeliveryProps) -> Html {
    let settings = props.settings;
    let picked = |event: &Event| {
        event
            .target_dyn_into::<HtmlSelectElement>()
            .map(|select| select.value())
    };
    let on_ack_wait = {
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            if let Some(value) = picked(&event) {
                let ack_wait_ms = value.parse::<u32>().ok();
                on_change.emit(DeliverySettings {
                    ack_wait_ms,
                    ..settings
                });
            }
        })
    };
    let on_max = {
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            if let Some(max_attempts) = picked(&event).and_then(|v| v.parse::<u32>().ok()) {
                on_change.emit(DeliverySettings {
                    max_attempts,
                    ..settings
                });
            }
        })
    };
    let on_backoff = {
        let on_change = props.on_change.clone();
        Callback::from(move |backoff_ms: u32| {
            on_change.emit(DeliverySettings {
                backoff_ms,
                ..settings
            })
        })
    };
    // A value from a file or a lesson may be none of the presets: offer it too.
    let mut maxima = MAX_DELIVERIES.to_vec();
    if !maxima.contains(&settings.max_attempts) {
        maxima.push(settings.max_attempts);
        maxima.sort_unstable();
    }
    let mut waits = ACK_WAITS.to_vec();
    if !waits.contains(&settings.ack_wait_ms) {
        waits.push(settings.ack_wait_ms);
        waits.sort_unstable();
    }
    html! {
        <div class="knob-redelivery">
            <label class="field">{"Ack wait"}
                <select onchange={on_ack_wait} data-testid="knob-ack-wait">
                    { for waits.iter().map(|&wait| html! {
                        <option value={wait.map(|ms| ms.to_string()).unwrap_or_default()} selected={wait == settings.ack_wait_ms}>{ fmt_ack_wait(wait) }</option>
                    }) }
                </select>
            </label>
            <label class="field">{"Max deliveries"}
                <select onchange={on_max} data-testid="knob-max-deliveries">
                    { for maxima.iter().map(|&n| html! {
                        <option value={n.to_string()} selected={n == settings.max_attempts}>{ n.to_string() }</option>
                    }) }
                </select>
            </label>
            <MillisKnob label="Backoff" value={settings.backoff_ms} testid="knob-backoff" on_change={on_backoff} />
            <p class="panel-hint">{"A lost acknowledgement brings a copy once the ack wait is over; a failure is retried after the backoff, doubled each time; after the last delivery it waits in the dead letters."}</p>
        </div>
    }
}
