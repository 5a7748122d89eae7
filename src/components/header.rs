//! The top bar: the product, and what the log holds right now.

use eventide_engine::shop::read_models::OrderSummaries;
use yew::prelude::*;

use crate::format::fmt_count;
use crate::state::use_app;

#[function_component(Header)]
pub fn header() -> Html {
    let state = use_app();
    let session = state.session();
    let store = session.shop().store();
    let orders = session
        .shop()
        .history()
        .live()
        .get::<OrderSummaries>()
        .map_or(0, |orders| orders.len());
    html! {
        <header class="topbar">
            <div class="brand">
                <span class="logo" aria-hidden="true">{"◆"}</span>
                <span class="name">{"Eventide"}</span>
                <span class="tagline">{"an event-sourced shop, live in your browser"}</span>
            </div>
            <dl class="stats">
                <div><dt>{"Events"}</dt><dd data-testid="event-count">{ fmt_count(store.len() as u64) }</dd></div>
                <div><dt>{"Streams"}</dt><dd>{ fmt_count(store.stream_count() as u64) }</dd></div>
                <div><dt>{"Orders"}</dt><dd>{ fmt_count(orders as u64) }</dd></div>
            </dl>
        </header>
    }
}
