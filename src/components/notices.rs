//! Notices: a toast for each outcome, and a persistent list of problems (rejected commands,
//! invalid input), each linking to what it is about.

use gloo::timers::callback::Timeout;
use yew::prelude::*;

use crate::format::fmt_count;
use crate::state::{use_app, Action, Notice, Tone};

const TOAST_MS: u32 = 6_000;

#[function_component(Notices)]
pub fn notices() -> Html {
    let state = use_app();
    html! {
        <div class="toasts" aria-live="polite" data-testid="notices">
            { for state.notices.shown().iter().map(|notice| html! { <Toast key={notice.id} notice={notice.clone()} /> }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ToastProps {
    notice: Notice,
}

#[function_component(Toast)]
fn toast(props: &ToastProps) -> Html {
    let state = use_app();
    let id = props.notice.id;
    {
        let dispatcher = state.dispatcher();
        use_effect_with(id, move |&id| {
            let timeout = Timeout::new(TOAST_MS, move || dispatcher.dispatch(Action::Dismiss(id)));
            move || drop(timeout)
        });
    }
    let dismiss = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Dismiss(id)))
    };
    let (class, role) = match props.notice.tone {
        Tone::Success => ("toast success", "status"),
        Tone::Problem => ("toast problem", "alert"),
    };
    html! {
        <div class={class} role={role} data-testid="toast">
            <span>{ &props.notice.text }</span>
            <button type="button" class="toast-close" aria-label="Dismiss" onclick={dismiss}>{"×"}</button>
        </div>
    }
}

#[function_component(Problems)]
pub fn problems() -> Html {
    let state = use_app();
    if state.notices.problems().is_empty() {
        return html! {};
    }
    html! {
        <section class="panel problems" aria-labelledby="problems-title" data-testid="problems">
            <h2 id="problems-title" class="panel-title">{ format!("Problems ({})", fmt_count(state.notices.problems().len() as u64)) }</h2>
            <ul>
                { for state.notices.problems().iter().take(20).map(|notice| html! { <li key={notice.id}>{ &notice.text }</li> }) }
            </ul>
        </section>
    }
}
