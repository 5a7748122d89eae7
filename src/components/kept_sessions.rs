//! Kept in this browser: the saved session when this tab does not hold it (it opened a link),
//! and the sessions kept aside. Each opens (asking first if the tab holds work), exports, or,
//! after a second yes, is forgotten.

use std::rc::Rc;

use yew::prelude::*;

use super::files_panel::download;
use crate::format::{fmt_count, fmt_time};
use crate::saved::{self, Kept};
use crate::state::{use_app, Action, ImportSource};

fn events(count: usize) -> String {
    match count {
        1 => "1 event".to_string(),
        n => format!("{} events", fmt_count(n as u64)),
    }
}

#[function_component(KeptSessions)]
pub fn kept_sessions() -> Html {
    let state = use_app();
    // Which kept session is being asked about ("forget it for good?").
    let forgetting = use_state(|| None::<u64>);
    // Storage is read at render; every change to it comes with a notice, so a render follows.
    let kept = saved::kept();
    let saved_elsewhere = (!state.files.owns_autosave)
        .then(saved::autosaved)
        .flatten()
        .is_some();
    if kept.is_empty() && !saved_elsewhere {
        return html! {};
    }
    let open_saved = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| {
            if let Some(text) = saved::autosaved() {
                dispatcher.dispatch(Action::Import {
                    name: "your saved session".into(),
                    bytes: Rc::new(text.into_bytes()),
                    source: ImportSource::Autosave,
                });
            }
        })
    };
    html! {
        <div class="kept" data-testid="kept-sessions">
            <h3 class="subhead">{"Kept in this browser"}</h3>
            <ul class="kept-list">
                if saved_elsewhere {
                    <li data-testid="saved-session">
                        <span class="kept-what">{"Your saved session (this tab opened a link beside it)"}</span>
                        <button type="button" class="button" onclick={open_saved} data-testid="open-saved">{"Open it"}</button>
                    </li>
                }
                { for kept.iter().map(|entry| kept_row(&state, entry, &forgetting)) }
            </ul>
        </div>
    }
}

fn kept_row(
    state: &crate::state::AppContext,
    entry: &Kept,
    forgetting: &UseStateHandle<Option<u64>>,
) -> Html {
    let id = entry.id;
    let open = {
        let (dispatcher, name) = (state.dispatcher(), entry.name.clone());
        Callback::from(move |_| match saved::kept_text(id) {
            Some(text) => dispatcher.dispatch(Action::Import {
                name: format!("\u{201c}{name}\u{201d}"),
                bytes: Rc::new(text.into_bytes()),
                source: ImportSource::Kept,
            }),
            None => dispatcher.dispatch(Action::InvalidInput(
                "That kept session is no longer in this browser's storage".into(),
            )),
        })
    };
    let export = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| {
            let outcome = saved::kept_text(id)
                .ok_or_else(|| "that kept session is no longer in storage".to_string())
                .and_then(|text| {
                    download(
                        &format!("eventide-kept-{id}.json"),
                        "application/json",
                        &text,
                    )
                });
            if let Err(problem) = outcome {
                dispatcher.dispatch(Action::InvalidInput(problem));
            }
        })
    };
    let ask = {
        let forgetting = forgetting.clone();
        Callback::from(move |_| forgetting.set(Some(id)))
    };
    let cancel = {
        let forgetting = forgetting.clone();
        Callback::from(move |_| forgetting.set(None))
    };
    let forget = {
        let (dispatcher, forgetting, name) =
            (state.dispatcher(), forgetting.clone(), entry.name.clone());
        Callback::from(move |_| {
            forgetting.set(None);
            dispatcher.dispatch(match saved::forget(id) {
                Ok(()) => Action::Notify(format!("\u{201c}{name}\u{201d} is forgotten")),
                Err(problem) => {
                    Action::InvalidInput(format!("It could not be forgotten: {problem}"))
                }
            });
        })
    };
    let when = fmt_time(eventide_engine::Timestamp::from_millis(entry.kept_at));
    html! {
        <li key={id} data-testid="kept-session">
            <span class="kept-what">{ format!("{} · {} · kept {when}", entry.name, events(entry.events)) }</span>
            if **forgetting == Some(id) {
                <span role="alert">{"Forget it for good?"}</span>
                <button type="button" class="button" onclick={export.clone()}>{"Export it first"}</button>
                <button type="button" class="button danger" onclick={forget} data-testid="kept-forget-yes">{"Forget"}</button>
                <button type="button" class="button" onclick={cancel}>{"Cancel"}</button>
            } else {
                <button type="button" class="button" onclick={open} data-testid="kept-open">{"Open"}</button>
                <button type="button" class="button" onclick={export}>{"Export"}</button>
                <button type="button" class="button" onclick={ask} data-testid="kept-forget">{"Forget…"}</button>
            }
        </li>
    }
}
