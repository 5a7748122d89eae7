//! The top bar: the product, and what the log held at the cursor, as every other panel shows
//! it; in the past, each count also says what the head holds ("86 of 200").

use eventide_shop::read_models::OrderSummaries;
use yew::prelude::*;

use crate::format::fmt_count;
use crate::state::{use_app, Action};

#[function_component(Header)]
pub fn header() -> Html {
    let state = use_app();
    let session = state.session();
    let shop = session.shop();
    let store = shop.store();
    let cursor = shop.cursor();
    let orders_in = |models: &eventide_engine::projection::ReadModelSet<_>| {
        models
            .get::<OrderSummaries>()
            .map_or(0, |orders| orders.len()) as u64
    };
    // Each count as of the cursor, and the head's beside it while the cursor is in the past.
    let stats = [
        ("Events", "event-count", cursor.0, store.len() as u64),
        (
            "Streams",
            "stream-count",
            store.stream_count_at(cursor) as u64,
            store.stream_count() as u64,
        ),
        (
            "Orders",
            "order-count",
            orders_in(shop.history().at_cursor()),
            orders_in(shop.history().live()),
        ),
    ];
    let live = shop.is_live();
    let toggle_large = {
        let dispatcher = state.dispatcher();
        let on = state.view.large_text;
        // The presenter's choice outlives the session: it is remembered apart from it.
        Callback::from(move |_| {
            crate::saved::remember_large_text(!on);
            dispatcher.dispatch(Action::ToggleLargeText)
        })
    };
    let toggle_lessons = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::ToggleLessons))
    };
    let toggle_help = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::ToggleHelp))
    };
    html! {
        <header class="topbar">
            <div class="brand">
                <span class="logo" aria-hidden="true">{"◆"}</span>
                <span class="name">{"Eventide"}</span>
                // In a room the top bar holds the room's badge: the tagline gives way.
                if state.room.is_none() {
                    <span class="tagline">{"an event-sourced shop, live in your browser"}</span>
                }
            </div>
            <div class="header-tools">
                <super::room_badge::RoomBadge />
                <button type="button" class={classes!("button", "tool", state.lessons.open.then_some("on"))} aria-pressed={state.lessons.open.to_string()}
                        onclick={toggle_lessons} data-testid="lessons-button">{"Lessons"}</button>
                <button type="button" class={classes!("button", "tool", state.view.large_text.then_some("on"))} aria-pressed={state.view.large_text.to_string()}
                        onclick={toggle_large} data-testid="large-text">{"Large text"}</button>
                <super::files_panel::CopyLinkButton />
                <button type="button" class="button tool" onclick={toggle_help} aria-label="Keyboard shortcuts" data-testid="help-button">{"? Shortcuts"}</button>
            </div>
            <dl class="stats">
                { for stats.iter().map(|&(name, testid, at_cursor, at_head)| html! {
                    <div>
                        <dt>{ name }</dt>
                        <dd>
                            <span data-testid={testid}>{ fmt_count(at_cursor) }</span>
                            if !live {
                                <span class="stat-of" data-testid={format!("{testid}-head")}>{ format!(" of {}", fmt_count(at_head)) }</span>
                            }
                        </dd>
                    </div>
                }) }
            </dl>
        </header>
    }
}

/// The keyboard shortcuts, one key press away (`?`), for presenters and keyboard users.
#[function_component(HelpOverlay)]
pub fn help_overlay() -> Html {
    let state = use_app();
    if !state.view.help {
        return html! {};
    }
    let close = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::CloseHelp))
    };
    let keys = [
        ("←", "step back one event"),
        ("→", "step forward one event"),
        ("Space", "play or pause the timeline"),
        ("Home", "go to the start of the log"),
        ("End", "back to live"),
        ("/", "type a query over the event log (Enter applies it)"),
        ("?", "show or hide this list"),
        ("Esc", "close this list"),
        (
            "Tab",
            "move between controls; Enter or Space presses a button",
        ),
    ];
    html! {
        <div class="help-backdrop" role="dialog" aria-modal="true" aria-labelledby="help-title" data-testid="help-overlay" onclick={close.clone()}>
            <div class="help-card" onclick={Callback::from(|event: MouseEvent| event.stop_propagation())}>
                <h2 id="help-title" class="panel-title">{"Keyboard shortcuts"}</h2>
                <dl class="help-keys">
                    { for keys.iter().map(|(key, what)| html! { <><dt><kbd>{ *key }</kbd></dt><dd>{ *what }</dd></> }) }
                </dl>
                <button type="button" class="button" onclick={close}>{"Close"}</button>
            </div>
        </div>
    }
}
