//! The explored log, virtualised: every event (or the query's matches), those after the
//! cursor dimmed, the cursor's row kept in view.

use eventide_engine::Position;
use yew::prelude::*;

use super::use_explorer;
use crate::components::VirtualList;
use crate::explore::{ExploreAction, Stage};
use crate::format::{clip, fmt_clock, fmt_count};

const ROW_HEIGHT: u32 = 28;

#[function_component(LogList)]
pub fn log_list() -> Html {
    let explorer = use_explorer();
    let stage = explorer.stage();
    let Stage::Open(open) = &*stage else {
        return html! {};
    };
    let matches = open.matches.clone();
    let count = matches
        .as_ref()
        .map_or(open.log.store().len(), |matches| matches.len());
    // The row of the cursor: the last event (or match) at or before it.
    let follow = match &matches {
        Some(matches) => matches
            .partition_point(|&at| at <= open.cursor)
            .checked_sub(1),
        None => open.cursor.index(),
    };
    let render = {
        let explorer = explorer.clone();
        Callback::from(move |index: usize| {
            let stage = explorer.stage();
            let Stage::Open(open) = &*stage else {
                return html! {};
            };
            let at = match &open.matches {
                Some(matches) => matches.get(index).copied(),
                None => Some(Position::from_index(index)),
            };
            let Some(event) = at.and_then(|at| open.log.store().event(at)) else {
                return html! {};
            };
            let position = event.position();
            let onclick = {
                let explorer = explorer.clone();
                Callback::from(move |_| explorer.dispatch(ExploreAction::Select(Some(position))))
            };
            let stream = event.stream().map_or_else(
                || "—".to_string(),
                |stream| format!("{stream}@{}", event.version()),
            );
            html! {
                <button type="button" class={classes!("log-row", "explore-row",
                            (position > open.cursor).then_some("future"),
                            (position == open.cursor).then_some("at-cursor"),
                            (open.selected == Some(position)).then_some("selected"))}
                        {onclick} data-testid="explore-row" aria-label={format!("{} at position {position}", event.kind())}>
                    <span class="col-pos">{ fmt_count(position.0) }</span>
                    <span class="col-time">{ event.time().map_or_else(|| "—".into(), fmt_clock) }</span>
                    <span class="col-type event-type" title={event.kind().to_string()}>{ clip(event.kind(), 40) }</span>
                    <span class="col-stream" title={stream.clone()}>{ stream.clone() }</span>
                    <span class="col-producer">{ event.producer().unwrap_or("—") }</span>
                    <span class="col-id" title={event.correlation().unwrap_or_default().to_string()}>{ clip(event.correlation().unwrap_or("—"), 10) }</span>
                </button>
            }
        })
    };
    html! {
        <>
            <div class="log-header explore-row" aria-hidden="true">
                <span class="col-pos">{"#"}</span>
                <span class="col-time">{"Time"}</span>
                <span class="col-type">{"Type"}</span>
                <span class="col-stream">{"Stream@v"}</span>
                <span class="col-producer">{"Producer"}</span>
                <span class="col-id">{"Flow"}</span>
            </div>
            if count == 0 {
                <p class="empty" data-testid="explore-log">{"No event matches the query."}</p>
            } else {
                <VirtualList {count} row_height={ROW_HEIGHT} {render} {follow} class="explore-list" testid="explore-log" label="The explored log" />
            }
        </>
    }
}
