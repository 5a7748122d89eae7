//! The event log: every envelope in position order, virtualised, or only those a query selects
//! (the query bar above it). Events after the cursor have not happened yet as far as the rest
//! of the app is concerned, and look it; the list follows the cursor (in a filtered log, the
//! last match at or before it).

use eventide_engine::{Named, StreamKey};
use yew::prelude::*;

use eventide_shop::services::graph::Node;
use eventide_shop::services::ServiceName;
use eventide_shop::simulation::{PLATFORM, PRODUCER, STOREFRONT};

use super::query_bar::QueryBar;
use super::service_graph::node_colour;
use super::VirtualList;
use crate::format::{fmt_clock, fmt_count};
use crate::state::{use_app, Action};

const ROW_HEIGHT: u32 = 30;

#[function_component(EventLog)]
pub fn event_log() -> Html {
    let state = use_app();
    let session = state.session();
    let store = session.shop().store();
    let cursor = session.shop().cursor();
    let count = store.len();
    // With a query applied, the list's rows are its matches: row i is the i-th match.
    let (rows, follow, meta) = match state.search.borrow().matches() {
        Some(matches) => {
            let shown = matches.count_at(cursor);
            let later = matches.positions().len() - shown;
            let mut meta = format!(
                "{} of {} events match",
                fmt_count(shown as u64),
                fmt_count(cursor.0)
            );
            if later > 0 {
                meta.push_str(&format!(
                    " · {} more after the cursor",
                    fmt_count(later as u64)
                ));
            }
            let rows = matches.positions().len();
            let follow = shown.checked_sub(1).or((rows > 0).then_some(0));
            (Some(rows), follow, meta)
        }
        None => (
            None,
            cursor.index().or((count > 0).then_some(0)),
            format!("{} events · append-only", fmt_count(count as u64)),
        ),
    };
    let filtered = rows.is_some();

    let render = {
        let state = state.clone();
        // Rows read the engine when rendered; the list re-renders when the revision changes.
        Callback::from(move |index: usize| {
            let session = state.session();
            let at = if filtered {
                state
                    .search
                    .borrow()
                    .matches()
                    .and_then(|matches| matches.positions().get(index).copied())
            } else {
                Some(eventide_engine::Position::from_index(index))
            };
            let Some(event) = at.and_then(|at| session.shop().store().get(at)) else {
                return html! {};
            };
            let position = event.position;
            let future = position > session.shop().cursor();
            let at_cursor = position == session.shop().cursor();
            let selected = state.timeline.selected == Some(position);
            let onclick = {
                let dispatcher = state.dispatcher();
                Callback::from(move |_| dispatcher.dispatch(Action::Select(Some(position))))
            };
            let kind = event.kind().name();
            let latest = session.evolution().latest(event.kind());
            let upcast = (latest > event.schema_version)
                .then(|| format!("{}→{latest}", event.schema_version));
            html! {
                <button type="button" class={classes!("log-row", future.then_some("future"), at_cursor.then_some("at-cursor"), selected.then_some("selected"))}
                        {onclick} data-testid="event-row" aria-label={format!("{kind} at position {}", position)}>
                    <span class="col-pos">{ fmt_count(position.0) }</span>
                    <span class="col-time">{ fmt_clock(event.recorded_at) }</span>
                    <span class={classes!("col-type", "event-type", format!("agg-{}", event.stream.category().name().to_ascii_lowercase()))}>
                        { kind }
                        if let Some(upcast) = upcast {
                            <span class="upcast-tag" title="Written at the first version, read by consumers as the latest" data-testid="upcast-tag">{ upcast }</span>
                        }
                    </span>
                    <span class="col-producer" style={producer_colour(event.metadata.get(PRODUCER))}>{ event.metadata.get(PRODUCER).unwrap_or("—") }</span>
                    <span class="col-stream">{ format!("{}@{}", event.stream, event.version) }</span>
                    <span class="col-id" title={event.correlation_id.to_string()}>{ event.correlation_id.short() }</span>
                    <span class="col-id" title={event.causation_id.map(|id| id.to_string()).unwrap_or_default()}>
                        { event.causation_id.map_or_else(|| "—".to_string(), |id| id.short()) }
                    </span>
                </button>
            }
        })
    };
    html! {
        <section class="panel event-log" aria-labelledby="log-title">
            <div class="panel-head">
                <h2 id="log-title" class="panel-title">{"Event log"}</h2>
                <QueryBar />
                <span class={classes!("panel-meta", filtered.then_some("match-count"))} data-testid="log-count" aria-live="polite"
                      title={filtered.then_some("The bars behind the timeline's slider: the matches in each minute of recorded time")}>{ meta }</span>
            </div>
            <div class="log-header" aria-hidden="true">
                <span class="col-pos">{"Position"}</span>
                <span class="col-time">{"Recorded (UTC)"}</span>
                <span class="col-type">{"Event type"}</span>
                <span class="col-producer">{"Producer"}</span>
                <span class="col-stream">{"Aggregate@version"}</span>
                <span class="col-id">{"Correlation"}</span>
                <span class="col-id">{"Causation"}</span>
            </div>
            if count == 0 {
                <p class="empty" data-testid="event-log">{"The log is empty. Issue a command or generate some orders."}</p>
            } else if rows == Some(0) {
                <p class="empty log-list" data-testid="event-log">{"No event matches the query."}</p>
            } else {
                <VirtualList count={rows.unwrap_or(count)} row_height={ROW_HEIGHT} render={render} follow={follow}
                             class="log-list" testid="event-log" label={if filtered { "Event log, filtered" } else { "Event log" }} />
            }
        </section>
    }
}

/// The producer's colour, the same as its node in the graph.
fn producer_colour(producer: Option<&str>) -> String {
    let node = match producer {
        Some(STOREFRONT) => Some(Node::Storefront),
        Some(PLATFORM) => Some(Node::ChaosPlatform),
        Some(name) => ServiceName::from_name(name).map(Node::Service),
        None => None,
    };
    node.map(|node| format!("color: {}", node_colour(node)))
        .unwrap_or_default()
}
