//! The what-if branch, while one is open: where it forked, what it holds, and how it differs
//! from the main line; keep it as the main line or discard it.

use std::rc::Rc;

use eventide_engine::temporal::{diff, ModelDiff, RowChange};
use yew::prelude::*;

use crate::format::fmt_count;
use crate::state::{use_app, Action};

#[function_component(BranchBar)]
pub fn branch_bar() -> Html {
    let state = use_app();
    let comparison = use_state(|| None::<Rc<Vec<ModelDiff>>>);
    let session = state.session();
    let Some(branch) = session.branch() else {
        return match session.set_aside() {
            Some(set_aside) => set_aside_bar(&state, set_aside),
            None => html! {},
        };
    };
    let fork_at = branch.fork_at;
    let on_branch = session.shop().store().head().0.saturating_sub(fork_at.0);
    let on_main = branch
        .main
        .shop()
        .store()
        .head()
        .0
        .saturating_sub(fork_at.0);
    let compare = {
        let (state, comparison) = (state.clone(), comparison.clone());
        Callback::from(move |_| {
            let session = state.session();
            if let Some(branch) = session.branch() {
                comparison.set(Some(Rc::new(diff(
                    branch.main.shop().history().live(),
                    session.shop().history().live(),
                ))));
            }
        })
    };
    let close = |keep: bool| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::CloseBranch { keep }))
    };
    html! {
        <div class="branch-bar" role="status" data-testid="branch-bar">
            <div class="branch-line">
                <strong>{"What-if branch"}</strong>
                <span data-testid="branch-what">{ match &branch.without {
                    Some(skipped) => without_words(skipped, on_branch_since(&session, branch)),
                    None => format!("forked at position {} · {} events on the branch since · {} on the main line", fmt_count(fork_at.0), fmt_count(on_branch), fmt_count(on_main)),
                } }</span>
                <button type="button" class="button" onclick={compare} data-testid="branch-compare">{"Compare with main"}</button>
                <button type="button" class="button" onclick={close(true)} data-testid="branch-keep">{"Keep as main line"}</button>
                <button type="button" class="button" onclick={close(false)} data-testid="branch-discard">{"Discard"}</button>
            </div>
            if let Some(diffs) = &*comparison {
                <ul class="branch-diff" data-testid="branch-diff">
                    { for diffs.iter().map(|model| {
                        let (added, removed, changed) = model.counts();
                        let sample: Vec<String> = model.changes.iter().take(4).map(|change| match change {
                            RowChange::Added(row) => format!("+{}", row.key),
                            RowChange::Removed(row) => format!("−{}", row.key),
                            RowChange::Changed { key, fields } => format!("~{} ({})", key, fields.iter().map(|f| f.column).collect::<Vec<_>>().join(", ")),
                        }).collect();
                        html! {
                            <li>
                                <strong>{ model.model }</strong>
                                { format!(": {added} only on the branch, {removed} only on main, {changed} different") }
                                if !sample.is_empty() { <span class="muted">{ format!(" · {}", sample.join(" ")) }</span> }
                            </li>
                        }
                    }) }
                </ul>
            }
        </div>
    }
}

/// "What if these had not happened?", in words: which events the branch leaves out, and how
/// many more went with them.
fn without_words(left: &crate::state::LeftOut, own: u64) -> String {
    let picked = &left.picked;
    let which = match picked.len() {
        1 => picked
            .iter()
            .map(|at| format!("#{}", fmt_count(at.0)))
            .collect::<String>(),
        n => {
            let first: Vec<String> = picked
                .iter()
                .take(3)
                .map(|at| format!("#{}", fmt_count(at.0)))
                .collect();
            format!(
                "{} events ({}{})",
                fmt_count(n as u64),
                first.join(", "),
                if n > 3 { ", …" } else { "" }
            )
        }
    };
    let more = match left.all.len() - picked.len() {
        0 => String::new(),
        n => format!(
            ", nor the {} events that followed from it",
            fmt_count(n as u64)
        ),
    };
    let own = match own {
        0 => String::new(),
        n => format!(" · {} events of your own since", fmt_count(n)),
    };
    format!("the log as if {which} had not happened{more} (the main line is untouched){own}")
}

/// Events appended on the branch since it opened.
fn on_branch_since(session: &crate::state::Session, branch: &crate::state::Branch) -> u64 {
    session
        .shop()
        .store()
        .head()
        .0
        .saturating_sub(branch.opened_at.0)
}

/// The main line a kept branch replaced: still here, one click from coming back.
fn set_aside_bar(state: &crate::state::AppContext, set_aside: &crate::state::SetAside) -> Html {
    let events = set_aside.line.shop().store().head().0;
    let switch = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::SwitchLines))
    };
    let forget = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::ForgetSetAside))
    };
    html! {
        <div class="branch-bar set-aside" role="status" data-testid="set-aside-bar">
            <div class="branch-line">
                <strong>{"A line set aside"}</strong>
                <span>{ format!("{} events, {} after the fork at position {}: not in the log, still in this tab", fmt_count(events), fmt_count(events.saturating_sub(set_aside.fork_at.0)), fmt_count(set_aside.fork_at.0)) }</span>
                <button type="button" class="button" onclick={switch} data-testid="set-aside-switch">{"Switch back to it"}</button>
                <button type="button" class="button" onclick={forget} data-testid="set-aside-forget">{"Let it go…"}</button>
            </div>
        </div>
    }
}
