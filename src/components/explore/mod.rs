//! The explorer's views: a user's own log beside the shop. The layer covers the shop while a
//! log is being mapped, read or explored; the shop underneath is inert and unchanged.

mod detail;
mod log_list;
mod mapping_dialog;
mod scripts;
mod tables;

use eventide_engine::Position;
use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

use super::icons::{icon, Icon};
use super::match_histogram::histogram;
use crate::explore::{
    ExploreAction, ExploreTab, Explorer, LogSource, MatchStep, SkipChoice, Stage,
};
use crate::format::{fmt_bytes, fmt_count, fmt_time};

/// The handle every explorer view gets from context.
pub type ExplorerContext = UseReducerHandle<Explorer>;

/// The explorer from context. Panics only if a view is mounted outside `App`, a programming
/// error, not something a user can cause.
#[hook]
pub fn use_explorer() -> ExplorerContext {
    use_context::<ExplorerContext>().expect("explorer views are mounted inside App's providers")
}

/// Everything the explorer shows, or nothing while it is closed.
#[function_component(ExploreLayer)]
pub fn explore_layer() -> Html {
    let explorer = use_explorer();
    let stage = explorer.stage();
    match &*stage {
        Stage::Closed => html! {},
        Stage::Mapping(_) => html! { <mapping_dialog::MappingDialog /> },
        Stage::Reading(reading) => {
            let (done, total) = reading.progress();
            let cancel = {
                let explorer = explorer.clone();
                Callback::from(move |_| explorer.dispatch(ExploreAction::Cancel))
            };
            html! {
                <div class="dialog-backdrop">
                    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="reading-title" data-testid="explore-reading">
                        <h2 id="reading-title">{ format!("Opening {}", reading.name) }</h2>
                        <div class="progress">
                            <progress max={total.to_string()} value={done.to_string()} />
                            <span data-testid="explore-reading-progress">{ format!("{} events read, {} of {}", fmt_count(reading.events() as u64), fmt_bytes(done), fmt_bytes(total)) }</span>
                        </div>
                        <div class="button-row">
                            <button type="button" class="button" onclick={cancel} data-testid="explore-cancel">{"Cancel"}</button>
                        </div>
                    </div>
                </div>
            }
        }
        Stage::Refused { message } => {
            let close = {
                let explorer = explorer.clone();
                Callback::from(move |_| explorer.dispatch(ExploreAction::Cancel))
            };
            html! {
                <div class="dialog-backdrop">
                    <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="refused-title" data-testid="explore-refused">
                        <h2 id="refused-title">{"The log was not opened"}</h2>
                        <p data-testid="explore-refused-why">{ message.clone() }</p>
                        <div class="button-row">
                            <button type="button" class="button primary" onclick={close} data-testid="explore-refused-close">{"Back to the shop"}</button>
                        </div>
                    </div>
                </div>
            }
        }
        Stage::Open(open) => {
            html! { <Workspace open_revision={explorer.revision} name={open.name.clone()} /> }
        }
    }
}

#[derive(Properties, PartialEq)]
struct WorkspaceProps {
    open_revision: u64,
    name: AttrValue,
}

/// An open log: its own header, timeline, log, tabs and detail.
#[function_component(Workspace)]
fn workspace(props: &WorkspaceProps) -> Html {
    let explorer = use_explorer();
    let stage = explorer.stage();
    let Stage::Open(open) = &*stage else {
        return html! {};
    };
    let close = {
        let explorer = explorer.clone();
        Callback::from(move |_| explorer.dispatch(ExploreAction::Close))
    };
    // The explorer's keys are its own: ← and → step its cursor, and nothing reaches the
    // shop's shortcuts underneath.
    let on_key = {
        let explorer = explorer.clone();
        Callback::from(move |event: KeyboardEvent| {
            event.stop_propagation();
            let typing = event
                .target_dyn_into::<HtmlElement>()
                .is_some_and(|element| {
                    matches!(element.tag_name().as_str(), "SELECT" | "TEXTAREA")
                        || (element.tag_name() == "INPUT"
                            && element.get_attribute("type").as_deref() != Some("range"))
                });
            if typing {
                return;
            }
            let by = match event.key().as_str() {
                "ArrowLeft" => -1,
                "ArrowRight" => 1,
                _ => return,
            };
            event.prevent_default();
            explorer.dispatch(ExploreAction::Step(by));
        })
    };
    let store = open.log.store();
    let span = store
        .time_span()
        .map(|(first, last)| format!(" · {} to {}", fmt_time(first), fmt_time(last)))
        .unwrap_or_default();
    let tabs = ExploreTab::ALL.iter().map(|&tab| {
        let explorer = explorer.clone();
        let onclick = Callback::from(move |_| explorer.dispatch(ExploreAction::Tab(tab)));
        let active = tab == open.tab;
        html! {
            <button type="button" role="tab" aria-selected={active.to_string()} class={classes!("center-tab", active.then_some("active"))} {onclick} data-testid={tab.testid()}>{ tab.label() }</button>
        }
    });
    html! {
        <div class="explore-layer" onkeydown={on_key} data-testid="explore-workspace" data-revision={props.open_revision.to_string()}>
            <header class="explore-head">
                <h1 class="explore-title">{ format!("Exploring {}", props.name) }</h1>
                <span class="panel-meta" data-testid="explore-summary">
                    { format!("{} events · {} types · {} streams{span}", fmt_count(store.len() as u64), store.kinds().len(), store.streams().len()) }
                </span>
                <button type="button" class="button" onclick={close} data-testid="explore-close">{"Back to the shop"}</button>
            </header>
            <ExploreTimeline />
            <main class="explore-main">
                <section class="explore-log panel" aria-label="The log">
                    <QueryField />
                    <log_list::LogList />
                </section>
                <section class="explore-center" aria-label="Read models">
                    <div class="center-tabs" role="tablist">{ for tabs }</div>
                    { match open.tab {
                        ExploreTab::Streams => html! { <tables::Streams /> },
                        ExploreTab::Minutes => html! { <tables::Minutes /> },
                        ExploreTab::Catalog => html! { <tables::Catalog /> },
                        ExploreTab::Diff => html! { <tables::Diff /> },
                        ExploreTab::WhatIf => html! { <tables::WhatIf /> },
                        ExploreTab::Scripts => html! { <scripts::Scripts /> },
                    } }
                </section>
                <aside class="explore-detail" aria-label="The selected event" data-testid="explore-detail-pane">
                    <detail::Detail />
                </aside>
            </main>
        </div>
    }
}

/// The explorer's own timeline: one cursor over the log that every view follows.
#[function_component(ExploreTimeline)]
fn explore_timeline() -> Html {
    let explorer = use_explorer();
    let stage = explorer.stage();
    let Stage::Open(open) = &*stage else {
        return html! {};
    };
    let head = open.head();
    let on_slide = {
        let explorer = explorer.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(value) = event
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|input| input.value().parse::<u64>().ok())
            {
                explorer.dispatch(ExploreAction::Seek(Position(value)));
            }
        })
    };
    let go = |at: Position| {
        let explorer = explorer.clone();
        Callback::from(move |_: MouseEvent| explorer.dispatch(ExploreAction::Seek(at)))
    };
    let step = |by: i64| {
        let explorer = explorer.clone();
        Callback::from(move |_: MouseEvent| explorer.dispatch(ExploreAction::Step(by)))
    };
    let time = crate::explore::time_at(&open.log, open.cursor)
        .map(|time| format!(" · {}", fmt_time(time)))
        .unwrap_or_default();
    let jump_time = {
        let explorer = explorer.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let value = event
                .target_dyn_into::<web_sys::HtmlFormElement>()
                .and_then(|form| form.get_with_name("time"))
                .and_then(|element| {
                    wasm_bindgen::JsCast::dyn_into::<HtmlInputElement>(element).ok()
                })
                .map(|input| input.value())
                .unwrap_or_default();
            explorer.dispatch(ExploreAction::SeekTime(value));
        })
    };
    let time_hint = crate::explore::time_at(&open.log, open.cursor)
        .map_or_else(|| "YYYY-MM-DD HH:MM:SS".to_string(), fmt_time);
    html! {
        <div class={classes!("timeline", (open.cursor < head).then_some("in-past"))} data-testid="explore-timeline">
            <div class="timeline-controls">
                <button type="button" class="icon-button" onclick={go(Position::ORIGIN)} title="The start" aria-label="Go to the start">{ icon(Icon::Start) }</button>
                <button type="button" class="icon-button" onclick={step(-1)} title="One event back (←)" aria-label="One event back" data-testid="explore-step-back">{ icon(Icon::StepBack) }</button>
                <button type="button" class="icon-button" onclick={step(1)} title="One event on (→)" aria-label="One event on" data-testid="explore-step-forward">{ icon(Icon::StepForward) }</button>
                <button type="button" class="icon-button" onclick={go(head)} title="The end of the log" aria-label="Go to the end of the log" data-testid="explore-end">{ icon(Icon::End) }</button>
            </div>
            <div class="timeline-track">
                <div class="slider-wrap">
                    if open.matches.is_some() {
                        { histogram(&open.match_minutes, head, "explore-histogram") }
                    }
                    <input type="range" class="slider" min="0" max={head.0.to_string()} value={open.cursor.0.to_string()}
                           oninput={on_slide} aria-label="Position in the log" data-testid="explore-slider" />
                </div>
                <div class="timeline-readout">
                    <span data-testid="explore-cursor"><strong>{ format!("After {} of {} events", fmt_count(open.cursor.0), fmt_count(head.0)) }</strong>{ time }</span>
                    if let Some(problem) = &open.jump_problem {
                        <span class="query-error" role="alert" data-testid="explore-jump-problem">{ problem.clone() }</span>
                    }
                </div>
            </div>
            <form class="jump" onsubmit={jump_time}>
                <label>{"As of (UTC)"}<input name="time" class="time-input" placeholder={time_hint} data-testid="explore-jump-time" /></label>
                <button type="submit" class="button">{"Go"}</button>
            </form>
        </div>
    }
}

/// The query over the log, applied with Enter; a refused one says why and the one before stays.
#[function_component(QueryField)]
fn query_field() -> Html {
    let explorer = use_explorer();
    let stage = explorer.stage();
    let Stage::Open(open) = &*stage else {
        return html! {};
    };
    let on_key = {
        let explorer = explorer.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Enter" {
                if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                    explorer.dispatch(ExploreAction::Query(input.value()));
                }
            }
        })
    };
    let to_match = |step: MatchStep| {
        let explorer = explorer.clone();
        let disabled = open
            .match_from_cursor(step)
            .is_none_or(|at| at == open.cursor);
        let onclick =
            Callback::from(move |_: MouseEvent| explorer.dispatch(ExploreAction::Match(step)));
        (onclick, disabled)
    };
    let navigation = open.matches.as_ref().map(|_| {
        let buttons = [
            (MatchStep::First, "First", "When did it first happen? The first match"),
            (MatchStep::Previous, "Previous", "The match before the cursor"),
            (MatchStep::Next, "Next", "The match after the cursor"),
            (MatchStep::Last, "Last", "The last match"),
        ];
        let skip = {
            let explorer = explorer.clone();
            let query = open.query.clone();
            Callback::from(move |_: MouseEvent| {
                explorer.dispatch(ExploreAction::Skip(Some(SkipChoice::Matches(query.clone()))))
            })
        };
        html! {
            <div class="button-row explore-match-steps" role="group" aria-label="Go to a match">
                <button type="button" class="button compact" onclick={skip} data-testid="explore-what-if-matches"
                        title="Fold every stream again without the matches, beside the real line">{"What if not?"}</button>
                { for buttons.into_iter().map(|(step, label, title)| {
                    let (onclick, disabled) = to_match(step);
                    html! {
                        <button type="button" class="button compact" {onclick} {disabled} {title}
                                data-testid={format!("explore-match-{}", label.to_ascii_lowercase())}>{ label }</button>
                    }
                }) }
            </div>
        }
    });
    // An example from this log: its first type, and a field its payload has.
    let store = open.log.store();
    let first = store.event(Position(1));
    let field = first.map(|event| event.data()).and_then(|data| {
        data.as_object()
            .and_then(|fields| fields.keys().next().cloned())
    });
    let placeholder = match (first.map(|event| event.kind()), field) {
        (Some(kind), Some(field)) => format!("type == \"{kind}\" and data.{field} exists"),
        (Some(kind), None) => format!("type == \"{kind}\""),
        _ => "type == \"…\"".to_string(),
    };
    let count = match (open.matches_at_cursor(), &open.matches) {
        (Some(at_cursor), Some(matches)) => format!(
            "{} match by the cursor, {} in all",
            fmt_count(at_cursor as u64),
            fmt_count(matches.len() as u64)
        ),
        _ => format!("{} events", fmt_count(open.cursor.0)),
    };
    html! {
        <div class="explore-query">
            <input type="search" class="query-input" value={open.query.clone()} onkeydown={on_key}
                   {placeholder}
                   aria-label="Filter the log (Enter applies)" data-testid="explore-query" />
            <span class="panel-meta" data-testid="explore-count" aria-live="polite">{ count }</span>
            { navigation.unwrap_or_default() }
            if let Some(refusal) = &open.refusal {
                <p class="query-error" role="alert" data-testid="explore-refusal">{ refusal.clone() }</p>
            }
        </div>
    }
}

/// Where the shipped example log is served from (`index.html` copies `static/examples`).
const EXAMPLE_LOG: &str = "examples/library.ndjson";

/// In the Files panel: open a log of any domain (a file, or the shipped example), beside the
/// shop and apart from it.
#[function_component(OpenLogField)]
pub fn open_log_field() -> Html {
    let explorer = use_explorer();
    let state = crate::state::use_app();
    let on_file = {
        let (explorer, dispatcher) = (explorer.clone(), state.dispatcher());
        Callback::from(move |event: Event| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            input.set_value("");
            let (explorer, dispatcher) = (explorer.clone(), dispatcher.clone());
            // Only the first slice now: the mapping is detected from it, and the rest is read
            // a slice at a time once the user opens the log.
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                let head_end = crate::explore::HEAD.min(file.size() as u64);
                match read_slice(&file, 0, head_end).await {
                    Ok(head) => explorer.dispatch(ExploreAction::Read {
                        remembered: crate::saved::explore_mapping(&name, file.size() as u64)
                            .map(Box::new),
                        name,
                        source: LogSource::File(file),
                        head,
                    }),
                    Err(error) => dispatcher.dispatch(crate::state::Action::InvalidInput(format!(
                        "{name} could not be read: {error}"
                    ))),
                }
            });
        })
    };
    let try_example = {
        let (explorer, dispatcher) = (explorer.clone(), state.dispatcher());
        Callback::from(move |_| {
            let (explorer, dispatcher) = (explorer.clone(), dispatcher.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match fetch_bytes(EXAMPLE_LOG).await {
                    Ok(bytes) => explorer.dispatch(ExploreAction::read_bytes(
                        "the lending library's log".into(),
                        bytes.into(),
                    )),
                    Err(problem) => dispatcher.dispatch(crate::state::Action::InvalidInput(
                        format!("The example log could not be fetched: {problem}"),
                    )),
                }
            });
        })
    };
    html! {
        <div class="explore-open" data-testid="explore-open">
            <h3 class="subhead">{"Explore any event log"}</h3>
            <p class="panel-hint">{"Your own CloudEvents batch or NDJSON (a Kafka topic, a NATS stream, a KurrentDB export): map its fields, then time-travel, search and diff it. The shop stays as it is."}</p>
            <button type="button" class="button" onclick={try_example} data-testid="explore-example">{"Try the lending library's log"}</button>
            <label class="field file-field">{"Open a log file"}
                <input type="file" accept=".json,.ndjson,.jsonl,.txt,application/json,application/x-ndjson,application/cloudevents-batch+json" onchange={on_file} data-testid="explore-file" />
            </label>
        </div>
    }
}

/// Bytes `from..to` of a file, or why they could not be read.
pub async fn read_slice(file: &web_sys::File, from: u64, to: u64) -> Result<Vec<u8>, String> {
    let blob = file
        .slice_with_f64_and_f64(from as f64, to as f64)
        .map_err(|error| format!("{error:?}"))?;
    let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
        .await
        .map_err(|error| format!("{error:?}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The bytes at a URL of this site, or why not.
async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window().ok_or("no window")?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|error| format!("{error:?}"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| "not a response")?;
    if !response.ok() {
        return Err(format!("the server answered {}", response.status()));
    }
    let buffer = response
        .array_buffer()
        .map_err(|error| format!("{error:?}"))?;
    let buffer = wasm_bindgen_futures::JsFuture::from(buffer)
        .await
        .map_err(|error| format!("{error:?}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
