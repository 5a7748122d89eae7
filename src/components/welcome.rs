//! The first minute: on a first visit (nothing saved, no link), a short welcome above the
//! centre panels says what Eventide is and where to start. It never covers the timeline or the
//! log, goes away with one click, and is gone once the session holds anything.

use yew::prelude::*;

use crate::lessons::LESSONS;
use crate::state::{use_app, Action};

#[function_component(Welcome)]
pub fn welcome() -> Html {
    let state = use_app();
    let empty = state.session().shop().store().is_empty();
    if !state.view.welcome || !empty || state.lessons.current.is_some() {
        return html! {};
    }
    let first = LESSONS[0].slug;
    let start = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| {
            if let Some(location) = web_sys::window().map(|window| window.location()) {
                let address = crate::lessons::address(first, None);
                let _ = location.set_hash(address.trim_start_matches('#'));
            }
            dispatcher.dispatch(Action::LoadLesson(first));
        })
    };
    let explore = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Welcome(false)))
    };
    html! {
        <section class="panel welcome" aria-labelledby="welcome-title" data-testid="welcome">
            <h2 id="welcome-title" class="panel-title">{"Welcome to Eventide"}</h2>
            <p>{"An event-sourced shop running in this tab: every command appends an immutable event to the log at the bottom, and every panel is derived from that log. Fifteen short lessons walk through event sourcing, CQRS, choreography, sagas, delivery faults and schema evolution, each in this live app."}</p>
            <div class="button-row">
                <button type="button" class="button primary" onclick={start} data-testid="welcome-start">{"Start lesson 1"}</button>
                <button type="button" class="button" onclick={explore} data-testid="welcome-explore">{"Explore on my own"}</button>
            </div>
        </section>
    }
}
