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
    let shared = shared_prefix(open.log.store().kinds().iter().map(|(_, name)| name));
    let type_head = match shared {
        0 => "Type".to_string(),
        _ => {
            let first = open.log.store().kinds().name(0);
            format!("Type ({}…)", &first[..shared])
        }
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
                    <span class="col-type event-type" title={event.kind().to_string()}>{ clip(&event.kind()[shared..], 40) }</span>
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
                <span class="col-type" title={type_head.clone()}>{ type_head.clone() }</span>
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

/// How long a prefix, ending in a dot, every name shares (`org.example.library.`), so a row
/// shows what tells the types apart; 0 when there is none or only one name.
pub fn shared_prefix<'a>(mut names: impl Iterator<Item = &'a str>) -> usize {
    let Some(first) = names.next() else {
        return 0;
    };
    let mut shared = first.len();
    let mut several = false;
    for name in names {
        several = true;
        shared = first
            .bytes()
            .zip(name.bytes())
            .take(shared)
            .take_while(|(a, b)| a == b)
            .count();
    }
    if !several {
        return 0;
    }
    while !first.is_char_boundary(shared) {
        shared -= 1;
    }
    // Cut at a dot, and leave every name something after it.
    first[..shared].rfind('.').map_or(0, |dot| dot + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_lose_only_the_dotted_prefix_they_all_share() {
        let library = [
            "org.example.library.book.lent",
            "org.example.library.fine.paid",
        ];
        assert_eq!(
            shared_prefix(library.into_iter()),
            "org.example.library.".len()
        );
        let books = ["org.example.book.lent", "org.example.book.returned"];
        assert_eq!(shared_prefix(books.into_iter()), "org.example.book.".len());
        assert_eq!(shared_prefix(["OrderPlaced", "OrderPaid"].into_iter()), 0);
        assert_eq!(
            shared_prefix(["a.b.c"].into_iter()),
            0,
            "one type keeps its name"
        );
        assert_eq!(
            shared_prefix(["a.b", "a.b"].into_iter()),
            2,
            "the same name twice"
        );
        assert_eq!(shared_prefix(std::iter::empty()), 0);
        assert_eq!(
            shared_prefix(["x.é", "x.è"].into_iter()),
            2,
            "a letter is never cut"
        );
    }
}
