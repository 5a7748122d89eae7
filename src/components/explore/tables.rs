//! The read models every log has, at the explorer's cursor: each stream's state (its payloads
//! merged, each field blamed on the event that set it), events per type per minute, the
//! catalog of types inferred from the log, and the diff between two points with blame.

use eventide_engine::Position;
use eventide_logs::asyncapi::{asyncapi, CatalogType};
use eventide_logs::models::{
    stream_diff, stream_state, stream_state_without, streams_between, StreamState,
};
use eventide_logs::LogStore;
use serde_json::Value;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::use_explorer;
use crate::components::VirtualList;
use crate::explore::{ExploreAction, SkipChoice, Stage};
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
        // As of another version of this stream: the whole explorer's cursor goes there.
        let versions = store.stream_events(state.stream);
        let visit = |version: u32, label: &'static str, testid: &'static str| {
            let at = version
                .checked_sub(1)
                .and_then(|index| versions.get(index as usize))
                .map(|&at| Position(u64::from(at)));
            let explorer = explorer.clone();
            let onclick = Callback::from(move |_: MouseEvent| {
                if let Some(at) = at {
                    explorer.dispatch(ExploreAction::Visit(at));
                }
            });
            html! { <button type="button" class="button compact" {onclick} disabled={at.is_none()} data-testid={testid}>{ label }</button> }
        };
        html! {
            <div class="explore-stream-state" data-testid="explore-stream-state">
                <h3 class="subhead" data-testid="explore-stream-version">{ format!("{} at version {} of {}", store.streams().name(state.stream), state.version, versions.len()) }</h3>
                <div class="button-row explore-match-steps" role="group" aria-label="The stream as of another of its versions">
                    { visit(1, "First", "explore-version-first") }
                    { visit(state.version.saturating_sub(1), "Before", "explore-version-before") }
                    { visit(state.version + 1, "After", "explore-version-after") }
                    { visit(versions.len() as u32, "Latest", "explore-version-latest") }
                </div>
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
    // Names lose the prefix every type shares, worked out once for all the rows.
    let shared = super::log_list::shared_prefix(store.kinds().iter().map(|(_, name)| name));
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
                    <span class="col-type" title={kind.to_string()}>{ clip(kind.get(shared..).unwrap_or(kind), 32) }</span>
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

/// A minute as `2026-02-08 01:40`: its seconds are always naught.
fn fmt_minute(minute: eventide_engine::Timestamp) -> String {
    let shown = fmt_time(minute);
    shown
        .strip_suffix(":00")
        .map_or_else(|| shown.clone(), str::to_owned)
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
    let shared =
        super::log_list::shared_prefix(open.log.store().kinds().iter().map(|(_, name)| name));
    let render = {
        let (explorer, rows) = (explorer.clone(), rows.clone());
        Callback::from(move |index: usize| {
            let stage = explorer.stage();
            let (Stage::Open(open), Some(row)) = (&*stage, rows.get(index)) else {
                return html! {};
            };
            let kind = open.log.store().kinds().name(row.kind);
            html! {
                <div class="table-row explore-minute-row" data-testid="explore-minute-row">
                    <span class="col-time">{ row.minute.map_or_else(|| "no time".into(), fmt_minute) }</span>
                    <span class="col-type" title={kind.to_string()}>{ kind.get(shared..).unwrap_or(kind).to_string() }</span>
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
    let export = {
        let explorer = explorer.clone();
        Callback::from(move |_: MouseEvent| {
            let stage = explorer.stage();
            let Stage::Open(open) = &*stage else {
                return;
            };
            let document = asyncapi(
                &open.name,
                &CatalogType::of_log(&open.log),
                !open.log.store().correlations().is_empty(),
            );
            let text = serde_json::to_string_pretty(&document).unwrap_or_default();
            let file = format!("{}-asyncapi.json", file_stem(&open.name));
            if let Err(problem) =
                crate::components::files_panel::download(&file, "application/json", &text)
            {
                gloo::console::error!(problem);
            }
        })
    };
    html! {
        <section class="panel explore-table" data-testid="explore-catalog">
            <div class="explore-what-if-head">
                <p class="panel-hint">{ format!("{} event types, each with the schema every one of its payloads matches (inferred from the log).", store.kinds().len()) }</p>
                <button type="button" class="button compact" onclick={export} data-testid="explore-asyncapi"
                        title="Download the catalog as an AsyncAPI 3.0 document: a channel per type, its inferred schema, a send per producer">{"Export AsyncAPI"}</button>
            </div>
            <ul class="explore-types">{ for entries }</ul>
        </section>
    }
}

/// A file name from a log's name: letters, digits, `-` and `_` kept, anything else a `-`.
fn file_stem(name: &str) -> String {
    let stem: String = name
        .rsplit_once('.')
        .map_or(name, |(stem, _)| stem)
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem.trim_matches('-');
    if stem.is_empty() {
        "log".into()
    } else {
        stem.into()
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

/// What if these events had not happened? The read models folded again without them, beside
/// the real ones, as of the cursor; the log is untouched.
#[function_component(WhatIf)]
pub fn what_if() -> Html {
    let explorer = use_explorer();
    let select = use_select();
    let stage = explorer.stage();
    let Stage::Open(open) = &*stage else {
        return html! {};
    };
    let store = open.log.store();
    let Some(skipped) = &open.skipped else {
        let skip_matches = open.matches.as_ref().map(|matches| {
            let explorer = explorer.clone();
            let query = open.query.clone();
            let onclick = Callback::from(move |_| {
                explorer.dispatch(ExploreAction::Skip(Some(SkipChoice::Matches(
                    query.clone(),
                ))))
            });
            html! {
                <button type="button" class="button" {onclick} data-testid="explore-skip-matches">
                    { format!("Skip the query's {} matches", fmt_count(matches.len() as u64)) }
                </button>
            }
        });
        return html! {
            <section class="panel explore-table" data-testid="explore-what-if">
                <p class="panel-hint">{"What if an event had not happened? Pick one and choose \u{201c}What if it had not happened?\u{201d} in its detail, or apply a query and skip all its matches: every stream is folded again without them, beside the real line. The log itself is never changed."}</p>
                { skip_matches.unwrap_or_default() }
            </section>
        };
    };
    let skipped_by_cursor =
        &skipped.positions[..skipped.positions.partition_point(|&at| at <= open.cursor)];
    let what = match &skipped.what {
        SkipChoice::Event(at) => format!(
            "Without event #{} ({})",
            fmt_count(at.0),
            store
                .event(*at)
                .map(|event| event.kind())
                .unwrap_or_default()
        ),
        SkipChoice::Matches(query) => format!(
            "Without the {} matches of \u{201c}{}\u{201d}",
            fmt_count(skipped.positions.len() as u64),
            clip(query, 60)
        ),
    };
    let back = {
        let explorer = explorer.clone();
        Callback::from(move |_| explorer.dispatch(ExploreAction::Skip(None)))
    };
    // Events by type: the real counts and the counts without, by the cursor.
    let mut skipped_per_kind = vec![0usize; store.kinds().len()];
    for &at in skipped_by_cursor {
        if let Some(event) = store.event(at) {
            skipped_per_kind[event.kind_index() as usize] += 1;
        }
    }
    let shared = super::log_list::shared_prefix(store.kinds().iter().map(|(_, name)| name));
    let kinds = store.kinds().iter().filter_map(|(kind, name)| {
        let real = LogStore::count_at(store.kind_events(kind), open.cursor);
        let left_out = skipped_per_kind[kind as usize];
        (real > 0).then(|| html! {
            <tr class={classes!((left_out > 0).then_some("changed"))} data-testid="explore-what-if-type">
                <td title={name.to_string()}>{ clip(&name[shared..], 48) }</td>
                <td class="col-num">{ fmt_count(real as u64) }</td>
                <td class="col-num">{ fmt_count((real - left_out) as u64) }</td>
            </tr>
        })
    });
    // The streams the skipped events belong to, each folded both ways.
    let mut seen = vec![false; store.streams().len()];
    let touched: Vec<u32> = skipped_by_cursor
        .iter()
        .filter_map(|&at| store.event(at).and_then(|event| event.stream_index()))
        .filter(|&stream| !std::mem::replace(&mut seen[stream as usize], true))
        .collect();
    let compared: Vec<Html> = touched
        .iter()
        .take(DIFF_PAGE)
        .filter_map(|&stream| {
            let real = stream_state(store, stream, open.cursor)?;
            let without = stream_state_without(store, stream, open.cursor, &skipped.positions)?;
            let names: std::collections::BTreeSet<&str> = real
                .fields
                .iter()
                .chain(&without.fields)
                .map(|field| field.name.as_str())
                .collect();
            let field = |state: &StreamState, name: &str| {
                state.fields.iter().find(|field| field.name == name).cloned()
            };
            let rows: Vec<Html> = names
                .into_iter()
                .filter_map(|name| {
                    let (was, would) = (field(&real, name), field(&without, name));
                    let differs = was.as_ref().map(|f| &f.value) != would.as_ref().map(|f| &f.value);
                    differs.then(|| {
                        let cell = |field: &Option<eventide_logs::models::StateField>| match field {
                            Some(field) => html! { <>{ clip(&compact(&field.value), 60) }{" "}{ event_link(store, field.set_by, &select) }</> },
                            None => html! { <span class="muted">{"(not set)"}</span> },
                        };
                        html! {
                            <tr data-testid="explore-what-if-field">
                                <td>{ name.to_string() }</td>
                                <td class="mono">{ cell(&was) }</td>
                                <td class="mono">{ cell(&would) }</td>
                            </tr>
                        }
                    })
                })
                .collect();
            (!rows.is_empty()).then(|| html! {
                <div class="explore-what-if-stream" data-testid="explore-what-if-stream">
                    <h4 class="subhead">{ store.streams().name(stream).to_string() }</h4>
                    <table class="mapping-preview">
                        <thead><tr><th>{"Field"}</th><th>{"Really"}</th><th>{"Without"}</th></tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
            })
        })
        .collect();
    let changed = compared.len();
    html! {
        <section class="panel explore-table" data-testid="explore-what-if">
            <div class="explore-what-if-head">
                <p class="panel-meta" data-testid="explore-what-if-what">{ what }</p>
                <button type="button" class="button compact" onclick={back} data-testid="explore-what-if-back">{"Back to the real line"}</button>
            </div>
            <p class="panel-hint" data-testid="explore-what-if-count">{ format!(
                "{} of them by the cursor, in {} streams; {}{} would read differently. The log itself is unchanged.",
                fmt_count(skipped_by_cursor.len() as u64),
                fmt_count(touched.len() as u64),
                fmt_count(changed as u64),
                if touched.len() > DIFF_PAGE { format!(" of the first {DIFF_PAGE}") } else { String::new() },
            ) }</p>
            <table class="mapping-preview explore-what-if-types">
                <thead><tr><th>{"Events by type"}</th><th>{"Really"}</th><th>{"Without"}</th></tr></thead>
                <tbody>{ for kinds }</tbody>
            </table>
            { for compared }
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_log_name_gives_a_plain_file_name() {
        assert_eq!(super::file_stem("billing.json"), "billing");
        assert_eq!(
            super::file_stem("the lending library's log"),
            "the-lending-library-s-log"
        );
        assert_eq!(super::file_stem("../x.ndjson"), "x");
        assert_eq!(super::file_stem("???"), "log");
    }
}
