//! The banner that says, in a colour used for nothing else, that the app shows the past.

use yew::prelude::*;

use super::icons::{icon, Icon};
use crate::format::{fmt_count, fmt_time};
use crate::state::{use_app, Action};

#[function_component(PastBanner)]
pub fn past_banner() -> Html {
    let state = use_app();
    let session = state.session();
    if session.shop().is_live() {
        return html! {};
    }
    let cursor = session.shop().cursor();
    let head = session.shop().store().head();
    let time = session.shop().store().get(cursor).map_or_else(
        || "before the first event".to_string(),
        |event| format!("{} UTC", fmt_time(event.recorded_at)),
    );
    let live = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::GoLive))
    };
    let fork = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Fork(cursor)))
    };
    let cancel = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::CancelImport))
    };
    // A long prefix is replayed into the branch a chunk per task, with its progress here.
    let forking = session
        .import_job()
        .filter(|job| job.fork_at.is_some())
        .map(|job| (job.done, job.total()));
    html! {
        <div class="past-banner" role="status" data-testid="past-banner">
            <span class="past-icon">{ icon(Icon::StepBack) }</span>
            <strong>{"Viewing the past"}</strong>
            <span>{ format!("position {} of {}", fmt_count(cursor.0), fmt_count(head.0)) }</span>
            <span>{ time }</span>
            <span class="past-note">{"Every panel shows the world as it was then."}</span>
            if let Some((done, total)) = forking {
                <span class="progress" data-testid="fork-progress">
                    <progress max={total.to_string()} value={done.to_string()} />
                    { format!(" opening the branch: {} of {} events", fmt_count(done as u64), fmt_count(total as u64)) }
                </span>
                <button class="button past-live" onclick={cancel} data-testid="fork-cancel">{"Cancel"}</button>
            } else if session.branch().is_none() {
                <button class="button past-live" onclick={fork} data-testid="fork-here" title="Replay the log up to here into a what-if branch">{"Branch from here"}</button>
            }
            <button class="button past-live" onclick={live}>{"Back to live"}</button>
        </div>
    }
}
