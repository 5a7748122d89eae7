//! The selected event: its whole envelope, its payload, what caused it and what it caused.
//! Cause and effect are one click apart.

use eventide_engine::{Named, Position, StreamKey};
use eventide_shop::ShopRecorded;
use yew::prelude::*;

use eventide_engine::projection::Cell;
use eventide_engine::temporal::{rows_changed_by, TouchedRow};

use crate::format::{fmt_cell, fmt_count, fmt_time};
use crate::state::{use_app, Action, LeaveOut};

#[function_component(EventDetail)]
pub fn event_detail() -> Html {
    let state = use_app();
    let session = state.session();
    let store = session.shop().store();
    let Some(event) = state
        .timeline
        .selected
        .and_then(|position| store.get(position))
    else {
        return html! {
            <section class="panel detail" data-testid="event-detail">
                <h2 class="panel-title">{"Event"}</h2>
                <p class="empty">{"Select an event in the log, or a row's last event, to see its envelope, its cause and its effects."}</p>
            </section>
        };
    };
    let select = |position: Position| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Select(Some(position))))
    };
    let link = |other: &ShopRecorded| {
        html! {
            <button type="button" class="link" onclick={select(other.position)}>
                <span class="event-type">{ other.kind().name() }</span>
                { format!(" #{}", fmt_count(other.position.0)) }
            </button>
        }
    };
    let cause = event.causation_id.map(|id| (id, store.get_by_id(id)));
    let effects: Vec<&ShopRecorded> = store
        .read_by_correlation(event.correlation_id)
        .filter(|other| other.causation_id == Some(event.id))
        .collect();
    let flow_size = store.read_by_correlation(event.correlation_id).count();
    // The stream's own history beside the global log: a query for its events (the category
    // too, since a query compares ids by their number and O-0001 and C-001 share one).
    let show_stream = {
        let dispatcher = state.dispatcher();
        let query = format!(
            "aggregate == {} and stream == \"{}\"",
            event.stream.category().name(),
            event.stream
        );
        Callback::from(move |_| dispatcher.dispatch(Action::SetQuery(query.clone())))
    };
    let seek = {
        let dispatcher = state.dispatcher();
        let position = event.position;
        Callback::from(move |_| dispatcher.dispatch(Action::Seek(position)))
    };
    let what_if = {
        let dispatcher = state.dispatcher();
        let position = event.position;
        Callback::from(move |_| dispatcher.dispatch(Action::ForkWithout(LeaveOut::Event(position))))
    };
    // One what-if at a time, and none in a room (its log is the room's).
    let can_what_if = session.branch().is_none() && state.room.is_none();
    let pretty =
        |value: &serde_json::Value| serde_json::to_string_pretty(value).unwrap_or_default();
    let ((written_at, written), upcast) = session.evolution().both_payloads(event);
    let touched = rows_changed_by(session.shop().history(), store, event.position);
    let future = event.position > session.shop().cursor();

    html! {
        <section class="panel detail" data-testid="event-detail">
            <div class="panel-head">
                <h2 class="panel-title"><span class="event-type">{ event.kind().name() }</span></h2>
                <button type="button" class="button" onclick={seek} data-testid="detail-seek">{"Seek here"}</button>
            </div>
            if future {
                <p class="note past-note-inline">{"This event is after the cursor: at the time shown, it has not happened yet."}</p>
            }
            if can_what_if {
                <p class="detail-what-if">
                    <button type="button" class="button" onclick={what_if} data-testid="detail-what-if"
                            title="Replays the log without this event in a what-if branch, to compare every read model with the real line">
                        {"What if it had not happened?"}
                    </button>
                </p>
            }
            <dl class="envelope">
                <dt>{"Event id"}</dt><dd class="mono">{ event.id.to_string() }</dd>
                <dt>{"Event type"}</dt><dd class="mono">{ event.kind().name() }</dd>
                <dt>{"Schema version"}</dt><dd>{ event.schema_version.to_string() }</dd>
                <dt>{"Aggregate"}</dt>
                <dd>
                    { format!("{} {} ", event.stream.category().name(), event.stream) }
                    <button type="button" class="link" onclick={show_stream} title="Filter the log to this stream's events" data-testid="detail-show-stream">{"its stream"}</button>
                </dd>
                <dt>{"Aggregate version"}</dt><dd>{ event.version.to_string() }</dd>
                <dt>{"Global position"}</dt><dd>{ fmt_count(event.position.0) }</dd>
                <dt>{"Recorded at"}</dt><dd>{ format!("{} UTC", fmt_time(event.recorded_at)) }</dd>
                <dt>{"Occurred at"}</dt>
                <dd data-testid="detail-occurred">
                    { format!("{} UTC", fmt_time(event.occurred_at)) }
                    if event.occurred_at < event.recorded_at {
                        <span class="late">{ format!(" · recorded {} later", late_by(event.recorded_at.0 - event.occurred_at.0)) }</span>
                    }
                </dd>
                <dt>{"Correlation id"}</dt><dd class="mono">{ event.correlation_id.to_string() }</dd>
                <dt>{"Causation id"}</dt>
                <dd class="mono">{ event.causation_id.map_or_else(|| "none: this event started its flow".to_string(), |id| id.to_string()) }</dd>
                <dt>{"Metadata"}</dt>
                <dd>{ if event.metadata.is_empty() { "none".to_string() } else {
                    event.metadata.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
                } }</dd>
            </dl>
            { match upcast {
                None => html! {
                    <>
                        <h3 class="subhead">{"Payload"}</h3>
                        <pre class="payload" data-testid="detail-payload">{ pretty(&written) }</pre>
                    </>
                },
                Some((latest, read)) => html! {
                    <div class="payload-pair">
                        <div>
                            <h3 class="subhead">{ format!("Payload as written ({written_at})") }</h3>
                            <pre class="payload" data-testid="detail-payload">{ pretty(&written) }</pre>
                        </div>
                        <div>
                            <h3 class="subhead">{ format!("As consumers read it ({latest}, upcast)") }</h3>
                            { match read {
                                Ok(read) => html! { <pre class="payload" data-testid="detail-upcast">{ pretty(&read) }</pre> },
                                Err(problem) => html! { <p class="warning">{ problem.to_string() }</p> },
                            } }
                        </div>
                    </div>
                },
            } }
            <h3 class="subhead">{"Caused by"}</h3>
            <p>
                { match cause {
                    None => html! { {"Nothing: a command started this flow."} },
                    Some((_, Some(cause))) => link(cause),
                    Some((id, None)) => html! { <span class="warning">{ format!("{} is not a stored event", id.short()) }</span> },
                } }
            </p>
            <h3 class="subhead">{ format!("Caused ({})", effects.len()) }</h3>
            if effects.is_empty() {
                <p class="muted">{"No stored event names this one as its cause."}</p>
            } else {
                <ul class="links">{ for effects.iter().map(|effect| html! { <li>{ link(effect) }</li> }) }</ul>
            }
            <p class="muted">{ format!("{} events share this correlation id.", fmt_count(flow_size as u64)) }</p>
            <h3 class="subhead">{ format!("Read-model rows it changed ({})", touched.len()) }</h3>
            if touched.is_empty() {
                <p class="muted">{"None: no read model folds this event."}</p>
            } else {
                <ul class="touched" data-testid="detail-touched">
                    { for touched.iter().map(|row| {
                        let changes = describe_change(row);
                        html! { <li><strong>{ format!("{} {}", row.model, row.key) }</strong>{ format!(" {changes}") }</li> }
                    }) }
                </ul>
            }
        </section>
    }
}

/// "created" or the fields that changed, old → new (the last-event link aside).
fn describe_change(row: &TouchedRow) -> String {
    let Some(before) = &row.before else {
        return "created".into();
    };
    let changes: Vec<String> = before
        .cells
        .iter()
        .zip(&row.after.cells)
        .filter(|(a, b)| a != b && !matches!(b, Cell::Event(_)))
        .map(|(a, b)| format!("{} → {}", fmt_cell(a), fmt_cell(b)))
        .collect();
    if changes.is_empty() {
        "touched, no visible field changed".into()
    } else {
        changes.join(", ")
    }
}

/// How late a back-dated event was recorded, in words.
fn late_by(millis: i64) -> String {
    let seconds = millis / 1000;
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}
