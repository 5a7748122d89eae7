//! The read models every log has, at the explorer's cursor: each stream's state (its payloads
//! merged, each field blamed on the event that set it), events per type per minute, the
//! catalog of types inferred from the log, and the diff between two points with blame.

use eventide_engine::Position;
use eventide_logs::models::{stream_diff, stream_state, streams_between, StreamState};
use eventide_logs::LogStore;
use serde_json::Value;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::use_explorer;
use crate::components::VirtualList;
use crate::explore::{ExploreAction, Stage};
use crate::format::{clip, fmt_count, fmt_time};

const ROW_HEIGHT: u32 = 30;
/// How many changed streams the diff lists (all are counted).
const DIFF_PAGE: usize = 50;

fn compact(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn state_text(state: &StreamState) -> String {
    state
        .fields
        .iter()
        .map(|field| format!("{}: {}", field.name, clip(&compact(&field.value), 40)))
        .collect::<Vec<_>>()
        .join(" · ")
}

#[hook]
fn use_select() -> Callback<Position> {
    let explorer = use_explorer();
    Callback::from(move |at: Position| explorer.dispatch(ExploreAction::Select(Some(at))))
}

fn event_link(store: &LogStore, at: Position, select: &Callback<Position>) -> Html {
    let select = select.clone();
    let kind = store
        .event(at)
        .map(|event| event.kind())
        .unwrap_or_default();
    html! {
        <button type="button" class="link" onclick={Callback::from(move |_| select.emit(at))}
                title={kind.to_string()} data-testid="explore-blame">{ format!("#{}", fmt_count(at.0)) }</button>
    }
}

/// Each stream as of the cursor; the selected event's stream in full above, field by field.
#[function_component(Streams)]
pub fn streams() -> Html {
    let explorer = use_explorer();
    let select = use_select();
    let stage = explorer.stage();
    let Stage::Open(open) = &*stage else {
        return html! {};
    };
    let store = open.log.store();
    let count = store.streams_at(open.cursor);
    let chosen = open
        .selected
        .and_then(|at| store.event(at))
        .and_then(|event| event.stream_index())
        .and_then(|stream| stream_state(store, stream, open.cursor));
    let focus = chosen.map(|state| {
        html! {
            <div class="explore-stream-state" data-testid="explore-stream-state">
                <h3 class="subhead">{ format!("{} at version {}", store.streams().name(state.stream), state.version) }</h3>
                <table class="mapping-preview">
                    <thead><tr><th>{"Field"}</th><th>{"Value"}</th><th>{"Set by"}</th></tr></thead>
                    <tbody>
                        { for state.fields.iter().map(|field| html! {
                            <tr data-testid="explore-state-field">
                                <td>{ field.name.clone() }</td>
                                <td class="mono">{ clip(&compact(&field.value), 80) }</td>
                                <td>{ event_link(store, field.set_by, &select) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        }
    });
    let render = {
        let (explorer, select) = (explorer.clone(), select.clone());
        Callback::from(move |index: usize| {
            let stage = explorer.stage();
            let Stage::Open(open) = &*stage else {
                return html! {};
            };
            let store = open.log.store();
            let Some(state) = stream_state(store, index as u32, open.cursor) else {
                return html! {};
            };
            let last = state.last;
            let onclick = {
                let select = select.clone();
                Callback::from(move |_| select.emit(last))
            };
            let kind = store
                .event(last)
                .map(|event| event.kind())
                .unwrap_or_default();
            html! {
                <button type="button" class="table-row explore-stream-row" {onclick} data-testid="explore-stream-row">
                    <span class="col-stream">{ store.streams().name(state.stream) }</span>
                    <span class="col-num">{ state.version }</span>
                    <span class="col-type" title={kind.to_string()}>{ clip(kind, 32) }</span>
                    <span class="col-state">{ state_text(&state) }</span>
                </button>
            }
        })
    };
    html! {
        <section class="panel explore-table" data-testid="explore-streams">
            <p class="panel-hint">{ format!("{} streams as of the cursor: each one's payloads merged in order. Pick an event to see its stream field by field, each field with the event that set it.", fmt_count(count as u64)) }</p>
            { focus.unwrap_or_default() }
            <div class="table-header explore-stream-row" aria-hidden="true">
                <span class="col-stream">{"Stream"}</span><span class="col-num">{"Version"}</span><span class="col-type">{"Last event"}</span><span class="col-state">{"State"}</span>
            </div>
            if count == 0 {
                <p class="empty">{"No stream has begun by the cursor."}</p>
            } else {
                <VirtualList {count} row_height={ROW_HEIGHT} {render} class="explore-rows" testid="explore-stream-list" label="Streams" />
            }
        </section>
    }
}

/// Events per type per minute, as of the cursor, the latest minute first.
#[function_component(Minutes)]
pub fn minutes() -> Html {
    let explorer = use_explorer();
    let stage = explorer.stage();
    let Stage::Open(open) = &*stage else {
        return html! {};
    };
    let rows = std::rc::Rc::new(open.log.minutes().at(open.log.store(), open.cursor));
    let count = rows.len();
    let render = {
        let (explorer, rows) = (explorer.clone(), rows.clone());
        Callback::from(move |index: usize| {
            let stage = explorer.stage();
            let (Stage::Open(open), Some(row)) = (&*stage, rows.get(index)) else {
                return html! {};
            };
            html! {
                <div class="table-row explore-minute-row" data-testid="explore-minute-row">
                    <span class="col-time">{ row.minute.map_or_else(|| "no time".into(), fmt_time) }</span>
                    <span class="col-type">{ open.log.store().kinds().name(row.kind).to_string() }</span>
                    <span class="col-num">{ fmt_count(row.count as u64) }</span>
                </div>
            }
        })
    };
    html! {
        <section class="panel explore-table" data-testid="explore-minutes">
            <p class="panel-hint">{"Events of each type in each minute, up to the cursor."}</p>
            <div class="table-header explore-minute-row" aria-hidden="true">
                <span class="col-time">{"Minute (UTC)"}</span><span class="col-type">{"Event type"}</span><span class="col-num">{"Events"}</span>
            </div>
            if count == 0 {
                <p class="empty">{"No event by the cursor."}</p>
            } else {
                <VirtualList {count} row_height={ROW_HEIGHT} {render} class="explore-rows" testid="explore-minute-list" label="Events per type per minute" />
            }
        </section>
    }
}

/// Each type the log holds: how many, when, from which producers, and its inferred schema.
#[function_component(Catalog)]
pub fn catalog() -> Html {
    let explorer = use_explorer();
    let stage = explorer.stage();
    let Stage::Open(open) = &*stage else {
        return html! {};
    };
    let store = open.log.store();
    let entries = store.kinds().iter().zip(open.log.catalog()).map(|((kind, name), entry)| {
        let events = store.kind_events(kind);
        let by_cursor = LogStore::count_at(events, open.cursor);
        let producers = entry
            .producers
            .iter()
            .map(|&producer| store.producers().name(producer).to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let schema = serde_json::to_string_pretty(&entry.schema.to_schema()).unwrap_or_default();
        let span = match (entry.first, entry.last) {
            (Some(first), Some(last)) => format!("{} to {}", fmt_time(first), fmt_time(last)),
            _ => "no time".into(),
        };
        html! {
            <li class="explore-type" data-testid="explore-type">
                <div class="explore-type-head">
                    <strong class="event-type">{ name.to_string() }</strong>
                    <span class="panel-meta">{ format!("{} events ({} by the cursor) · {span}", fmt_count(events.len() as u64), fmt_count(by_cursor as u64)) }</span>
                </div>
                <div class="panel-hint">{ format!("Producers: {}", if producers.is_empty() { "none named".to_string() } else { producers }) }</div>
                <details>
                    <summary>{"Inferred JSON Schema"}</summary>
                    <pre class="payload" data-testid="explore-schema">{ schema }</pre>
                </details>
            </li>
        }
    });
    html! {
        <section class="panel explore-table" data-testid="explore-catalog">
            <p class="panel-hint">{ format!("{} event types, each with the schema every one of its payloads matches (inferred from the log).", store.kinds().len()) }</p>
            <ul class="explore-types">{ for entries }</ul>
        </section>
    }
}

/// Every stream that differs between an earlier point and the cursor, field by field, each
/// change blamed on the last event between them that made it.
#[function_component(Diff)]
pub fn diff() -> Html {
    let explorer = use_explorer();
    let select = use_select();
    let stage = explorer.stage();
    let Stage::Open(open) = &*stage else {
        return html! {};
    };
    let store = open.log.store();
    let (from, to) = (open.diff_from.min(open.cursor), open.cursor);
    let changed = streams_between(store, from, to);
    let diffs: Vec<_> = changed
        .iter()
        .filter_map(|&stream| stream_diff(store, stream, from, to))
        .take(DIFF_PAGE)
        .collect();
    let on_from = {
        let explorer = explorer.clone();
        Callback::from(move |event: Event| {
            if let Some(value) = event
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|input| input.value().replace(',', "").parse::<u64>().ok())
            {
                explorer.dispatch(ExploreAction::DiffFrom(Position(value)));
            }
        })
    };
    let rows = diffs.iter().map(|diff| {
        html! {
            <li class="explore-diff" data-testid="explore-diff-stream">
                <strong>{ store.streams().name(diff.stream).to_string() }</strong>
                if diff.added { <span class="tag">{"new"}</span> }
                <table class="mapping-preview">
                    <tbody>
                        { for diff.fields.iter().map(|field| html! {
                            <tr data-testid="explore-diff-field">
                                <td>{ field.name.clone() }</td>
                                <td class="mono">{ field.before.as_ref().map_or_else(|| "—".into(), |value| clip(&compact(value), 40)) }</td>
                                <td>{"→"}</td>
                                <td class="mono">{ field.after.as_ref().map_or_else(|| "—".into(), |value| clip(&compact(value), 40)) }</td>
                                <td>{ event_link(store, field.blame, &select) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </li>
        }
    });
    html! {
        <section class="panel explore-table" data-testid="explore-diff">
            <div class="explore-diff-head">
                <label class="field">{"From position"}
                    <input type="number" min="0" max={to.0.to_string()} value={from.0.to_string()} onchange={on_from} data-testid="explore-diff-from" />
                </label>
                <span class="panel-meta" data-testid="explore-diff-count">
                    { format!("{} streams had events between {} and the cursor ({}){}", fmt_count(changed.len() as u64), fmt_count(from.0), fmt_count(to.0),
                        if changed.len() > DIFF_PAGE { format!("; the first {DIFF_PAGE} that differ are listed") } else { String::new() }) }
                </span>
            </div>
            <ul class="explore-diffs">{ for rows }</ul>
        </section>
    }
}
