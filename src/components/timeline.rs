//! The master timeline: one cursor over the global log that every panel follows.

use eventide_engine::{Position, Timestamp};
use gloo::render::{request_animation_frame, AnimationFrame};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::icons::{icon, Icon};
use super::match_histogram::MatchHistogram;
use crate::format::{fmt_count, fmt_time};
use crate::state::{use_app, Action, SPEEDS};

#[function_component(Timeline)]
pub fn timeline() -> Html {
    let state = use_app();
    let dispatcher = state.dispatcher();
    let session = state.session();
    let store = session.shop().store();
    let head = store.head();
    let cursor = session.shop().cursor();
    let live = session.shop().is_live();
    let cursor_time = store.get(cursor).map(|event| event.recorded_at);

    let send = |action: fn() -> Action| {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(action()))
    };
    // The slider fires far more often than a screen refreshes: keep only the newest value and
    // seek once per animation frame, so scrubbing a million events stays smooth.
    let pending = use_mut_ref(Scrub::default);
    let on_slide = {
        let dispatcher = dispatcher.clone();
        let pending = pending.clone();
        Callback::from(move |event: InputEvent| {
            let Some(value) = event
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|input| input.value().parse::<u64>().ok())
            else {
                return;
            };
            let mut scrub = pending.borrow_mut();
            scrub.value = Some(value);
            if !scrub.scheduled {
                scrub.scheduled = true;
                let (pending, dispatcher) = (pending.clone(), dispatcher.clone());
                // The previous frame has fired: replacing its handle only forgets it.
                scrub.frame = Some(request_animation_frame(move |_| {
                    let value = {
                        let mut scrub = pending.borrow_mut();
                        scrub.scheduled = false;
                        scrub.value.take()
                    };
                    if let Some(value) = value {
                        dispatcher.dispatch(Action::Seek(Position(value)));
                    }
                }));
            }
        })
    };
    let on_speed = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |event: Event| {
            if let Some(speed) = event
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .and_then(|select| select.value().parse::<u64>().ok())
            {
                dispatcher.dispatch(Action::SetSpeed(speed));
            }
        })
    };
    let jump_position = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let value = form_value(&event, Jump::Position);
            dispatcher.dispatch(match value.trim().replace(',', "").parse::<u64>() {
                Ok(position) => Action::Seek(Position(position)),
                Err(_) => Action::InvalidInput(format!(
                    "Jump to position: '{}' is not a position",
                    value.trim()
                )),
            });
        })
    };
    let jump_time = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let value = form_value(&event, Jump::Time);
            dispatcher.dispatch(match Timestamp::parse(&value) {
                Some(time) => Action::SeekTime(time),
                None => Action::InvalidInput(format!(
                    "Jump to time: '{}' is not a date and time",
                    value.trim()
                )),
            });
        })
    };
    let play_label = if state.timeline.playing {
        "Pause"
    } else {
        "Play"
    };
    // Beside a lesson on a short screen the jump fields fold behind a button (style.css decides
    // when), so the timeline is one row; this is whether the user unfolded them there.
    let jumps_open = use_state_eq(|| false);
    let toggle_jumps = {
        let jumps_open = jumps_open.clone();
        Callback::from(move |_: MouseEvent| jumps_open.set(!*jumps_open))
    };

    html! {
        <section class={classes!("timeline", (!live).then_some("in-past"), jumps_open.then_some("jumps-open"))} aria-label="Timeline">
            <div class="timeline-controls">
                <button class="icon-button" title="Start (Home)" aria-label="Go to the start" onclick={send(|| Action::Seek(Position::ORIGIN))} data-testid="timeline-start">{ icon(Icon::Start) }</button>
                <button class="icon-button" title="Step back (←)" aria-label="Step back one event" onclick={send(|| Action::StepBack)} data-testid="timeline-step-back">{ icon(Icon::StepBack) }</button>
                <button class="icon-button play" title="Play or pause (space)" aria-label={play_label} aria-pressed={state.timeline.playing.to_string()} onclick={send(|| Action::TogglePlay)} data-testid="timeline-play">
                    { icon(if state.timeline.playing { Icon::Pause } else { Icon::Play }) }
                </button>
                <button class="icon-button" title="Step forward (→)" aria-label="Step forward one event" onclick={send(|| Action::StepForward)} data-testid="timeline-step-forward">{ icon(Icon::StepForward) }</button>
                <button class={classes!("button", "live-button", live.then_some("is-live"))} title="Back to live (End)" onclick={send(|| Action::GoLive)} data-testid="timeline-live">
                    { if live { "● Live" } else { "Go live" } }
                </button>
                <label class="speed"><span class="speed-word">{"Speed"}</span>
                    <select onchange={on_speed} aria-label="Playback speed in events per second">
                        { for SPEEDS.iter().map(|&speed| html! {
                            <option value={speed.to_string()} selected={speed == state.timeline.speed}>{ format!("{} ev/s", fmt_count(speed)) }</option>
                        }) }
                    </select>
                </label>
                <button class="button jumps-fold" onclick={toggle_jumps} aria-expanded={jumps_open.to_string()}
                        title="Jump to a position or a time" data-testid="jumps-fold">{ "Jump…" }</button>
            </div>
            <div class="timeline-track">
                <div class="slider-wrap">
                    <MatchHistogram />
                    <input type="range" class="slider" min="0" max={head.0.to_string()} value={cursor.0.to_string()}
                           step="1" oninput={on_slide} aria-label="Timeline position" data-testid="timeline-slider" />
                </div>
                <div class="timeline-readout">
                    <span>{"position "}<strong data-testid="cursor-position">{ fmt_count(cursor.0) }</strong>{ format!(" of {}", fmt_count(head.0)) }</span>
                    { match cursor_time.map(fmt_time) {
                        // The date can give way beside a lesson (style.css); the time of day stays.
                        Some(shown) => match shown.split_once(' ') {
                            Some((date, time)) => html! { <span><span class="readout-date">{ format!("{date} ") }</span>{ format!("{time} UTC") }</span> },
                            None => html! { <span>{ format!("{shown} UTC") }</span> },
                        },
                        None => html! { <span>{ "the empty log" }</span> },
                    } }
                </div>
            </div>
            <div class="timeline-jumps">
                <form class="jump" onsubmit={jump_position}>
                    <label>{"Position"}<input name={Jump::Position.field()} inputmode="numeric" placeholder={cursor.0.to_string()} data-testid="jump-position" /></label>
                    <button type="submit" class="button">{"Go"}</button>
                </form>
                <form class="jump" onsubmit={jump_time}>
                    <label>{"Time (UTC)"}<input name={Jump::Time.field()} class="time-input" placeholder={cursor_time.map_or_else(|| "YYYY-MM-DD HH:MM:SS".to_string(), fmt_time)} data-testid="jump-time" /></label>
                    <button type="submit" class="button">{"Go"}</button>
                </form>
            </div>
        </section>
    }
}

/// The newest slider value not yet applied, and the animation frame that will apply it.
#[derive(Default)]
struct Scrub {
    value: Option<u64>,
    scheduled: bool,
    frame: Option<AnimationFrame>,
}

/// The value of a named field of the form that was submitted.
/// The timeline's two jumps, each a form with one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Jump {
    Position,
    Time,
}

impl Jump {
    /// The name of the jump's input in its form.
    fn field(self) -> &'static str {
        match self {
            Jump::Position => "position",
            Jump::Time => "time",
        }
    }
}

/// What the jump's field holds when its form is submitted.
fn form_value(event: &SubmitEvent, jump: Jump) -> String {
    event
        .target_dyn_into::<web_sys::HtmlFormElement>()
        .and_then(|form| form.get_with_name(jump.field()))
        .and_then(|element| wasm_bindgen::JsCast::dyn_into::<HtmlInputElement>(element).ok())
        .map(|input| input.value())
        .unwrap_or_default()
}
