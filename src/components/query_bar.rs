//! The query bar over the event log: a query typed and applied with Enter (or Filter), Clear to
//! show the log whole. It only sends [`Action::SetQuery`]; the reducer parses, filters and
//! refuses a bad query with the reason, which shows here.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::{use_app, Action, LeaveOut};

const PLACEHOLDER: &str = r#"Filter: type == OrderPlaced and data.total > 10000"#;
const SYNTAX: &str = "Fields: type, stream, aggregate, producer, correlation, recorded, occurred, \
position, data.<field>, data.lines.<field> (any line; money in cents). Tests: == != < <= > >= contains exists. Combine with and, \
or, not and parentheses.";

#[function_component(QueryBar)]
pub fn query_bar() -> Html {
    let state = use_app();
    let (applied, refused) = {
        let search = state.search.borrow();
        (search.text().to_string(), search.refused().cloned())
    };
    let draft = use_state(|| applied.clone());
    // A query applied from elsewhere (a link, Clear) shows in the field; a refused one stays
    // as typed, to be fixed.
    {
        let draft = draft.setter();
        use_effect_with(applied.clone(), move |applied| draft.set(applied.clone()));
    }
    let oninput = {
        let draft = draft.setter();
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                draft.set(input.value());
            }
        })
    };
    let onsubmit = {
        let dispatcher = state.dispatcher();
        let draft = draft.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            dispatcher.dispatch(Action::SetQuery((*draft).clone()));
        })
    };
    let clear = {
        let dispatcher = state.dispatcher();
        let draft = draft.setter();
        Callback::from(move |_: MouseEvent| {
            draft.set(String::new());
            dispatcher.dispatch(Action::SetQuery(String::new()));
        })
    };
    let active = !applied.is_empty();
    let what_if = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| {
            dispatcher.dispatch(Action::ForkWithout(LeaveOut::Matches))
        })
    };
    let can_what_if = state.session().branch().is_none() && state.room.is_none();

    html! {
        <form class={classes!("query-bar", active.then_some("active"))} {onsubmit} role="search" aria-label="Filter the event log">
            <input type="text" name="query" class="query-input" value={(*draft).clone()} {oninput}
                   placeholder={PLACEHOLDER} title={SYNTAX} aria-label="Query over the event log"
                   aria-describedby="query-syntax" spellcheck="false" autocomplete="off"
                   aria-invalid={refused.is_some().to_string()} data-testid="query-input" />
            <button type="submit" class="button" data-testid="query-apply">{"Filter"}</button>
            if active || !draft.is_empty() {
                <button type="button" class="button" onclick={clear} data-testid="query-clear">{"Clear"}</button>
            }
            if active && can_what_if {
                <button type="button" class="button" onclick={what_if} data-testid="query-what-if"
                        title="What if these had not happened? Replays the log without every match in a what-if branch, to compare every read model with the real line">
                    {"Without these"}
                </button>
            }
            <span id="query-syntax" class="visually-hidden">{ SYNTAX }</span>
            if let Some(refused) = refused {
                <p class="query-error" role="alert" data-testid="query-error">
                    { format!("Not applied: {}", refused.reason) }
                    { if active { " (the filter before stays)" } else { "" } }
                </p>
            }
        </form>
    }
}
