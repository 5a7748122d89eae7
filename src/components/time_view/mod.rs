//! Temporal queries in a click: what changed between two moments A and B, each changed field
//! blamed on the event that last changed it (a link that selects it); and "when did this field
//! first become that value?", answered by bisection where it can only happen once and by a scan
//! where it may come and go.
//!
//! Beside them: `bitemporal` (the world as of a business time), `as_of` (one aggregate as of a
//! position, a time or its version) and `between` (the events between two times).

mod as_of;
mod between;
mod bitemporal;
mod when;

use std::rc::Rc;

use eventide_engine::projection::Cell;
use eventide_engine::temporal::{
    diff_between, BlameLimits, FieldBlame, ModelDiff, RowBlame, RowChange,
};
use eventide_engine::Position;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::format::{fmt_cell, fmt_count};
use crate::state::{use_app, Action};

/// Changes listed per model; the counts say how many more there are.
const SHOWN: usize = 40;

fn input_value(event: &InputEvent) -> Option<String> {
    event
        .target_dyn_into::<HtmlInputElement>()
        .map(|input| input.value())
}

fn select_value(event: &Event) -> Option<String> {
    event
        .target_dyn_into::<HtmlSelectElement>()
        .map(|select| select.value())
}

/// Keeps a text field's state in step with what is typed.
fn typed(handle: &UseStateHandle<String>) -> Callback<InputEvent> {
    let handle = handle.clone();
    Callback::from(move |event: InputEvent| {
        if let Some(value) = input_value(&event) {
            handle.set(value);
        }
    })
}

/// Keeps a select's state in step with what is chosen.
fn chosen(handle: &UseStateHandle<String>) -> Callback<Event> {
    let handle = handle.clone();
    Callback::from(move |event: Event| {
        if let Some(value) = select_value(&event) {
            handle.set(value);
        }
    })
}

#[function_component(TimeView)]
pub fn time_view() -> Html {
    html! {
        <section class="panel time-view" data-testid="time-view">
            <h2 class="panel-title">{"Time machine"}</h2>
            <DiffPanel />
            <when::WhenPanel />
            <bitemporal::BitemporalPanel />
            <as_of::AggregatePanel />
            <between::BetweenPanel />
        </section>
    }
}

#[function_component(DiffPanel)]
fn diff_panel() -> Html {
    let state = use_app();
    let (cursor, head) = {
        let session = state.session();
        (session.shop().cursor().0, session.shop().store().head().0)
    };
    let a = use_state(|| cursor.saturating_sub(100).to_string());
    let b = use_state(|| cursor.to_string());
    let result = use_state(|| None::<Result<(u64, u64, Rc<Vec<ModelDiff>>), String>>);
    let to_cursor =
        |handle: UseStateHandle<String>| Callback::from(move |_| handle.set(cursor.to_string()));
    let run = {
        let (a, b, result, state) = (a.clone(), b.clone(), result.clone(), state.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let parse = |text: &str, name: &str| {
                text.trim()
                    .replace(',', "")
                    .parse::<u64>()
                    .ok()
                    .filter(|p| *p <= head)
                    .ok_or_else(|| {
                        format!(
                            "{name}: '{}' is not a position from 0 to {}",
                            text.trim(),
                            fmt_count(head)
                        )
                    })
            };
            let outcome = parse(&a, "A")
                .and_then(|a| parse(&b, "B").map(|b| (a, b)))
                .map(|(a, b)| {
                    let session = state.session();
                    let shop = session.shop();
                    // Field blame for the rows a model's list shows, no more: it costs a walk
                    // back through the row's events.
                    let limits = BlameLimits {
                        rows: SHOWN,
                        ..BlameLimits::default()
                    };
                    let diffs = diff_between(
                        shop.history(),
                        shop.store(),
                        Position(a),
                        Position(b),
                        limits,
                    );
                    (a, b, Rc::new(diffs))
                });
            result.set(Some(outcome));
        })
    };
    let select = |position: Position| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Select(Some(position))))
    };
    html! {
        <div class="time-block">
            <h3 class="subhead">{"What changed between A and B?"}</h3>
            <p class="panel-hint">{"Each field links to the event that last changed it between A and B (\u{2264} where the search stopped early: the change is at or before it)."}</p>
            <form class="time-form" onsubmit={run}>
                <label class="field">{"A (position)"}<input value={(*a).clone()} oninput={typed(&a)} data-testid="diff-a" /></label>
                <button type="button" class="button align-end" onclick={to_cursor(a.clone())}>{"A = cursor"}</button>
                <label class="field">{"B (position)"}<input value={(*b).clone()} oninput={typed(&b)} data-testid="diff-b" /></label>
                <button type="button" class="button align-end" onclick={to_cursor(b.clone())}>{"B = cursor"}</button>
                <button type="submit" class="button primary compare-run align-end" data-testid="diff-run">{"Compare"}</button>
            </form>
            { match &*result {
                None => html! {},
                Some(Err(problem)) => html! { <p class="warning">{ problem.clone() }</p> },
                Some(Ok((a, b, diffs))) => html! {
                    <div data-testid="diff-result">
                        <p class="muted">{ format!("From position {} to {}: {} events.", fmt_count(*a), fmt_count(*b), fmt_count(b.abs_diff(*a))) }</p>
                        if a > b {
                            <p class="muted">{"B comes before A: each row links to its last event at B, and no field is blamed."}</p>
                        }
                        { for state.session().scripts.deployed.iter()
                            .filter(|script| script.kind == eventide_shop::scripting::ScriptKind::Projection)
                            .map(|script| html! {
                                <super::deployed_scripts::ScriptDiff script={script.clone()} a={Position(*a)} b={Position(*b)} />
                            }) }
                        { for diffs.iter().map(|model| {
                            let (added, removed, changed) = model.counts();
                            html! {
                                <details class="diff-model" open={added + removed + changed > 0}>
                                    <summary data-testid="diff-model">{ format!("{} · {} added · {} removed · {} changed", model.model, added, removed, changed) }</summary>
                                    <ul class="diff-rows">
                                        { for model.changes.iter().take(SHOWN).map(|change| change_item(model, change, &select)) }
                                    </ul>
                                    if model.total() > SHOWN {
                                        <p class="muted">{ format!("… and {} more", fmt_count((model.total() - SHOWN) as u64)) }</p>
                                    }
                                </details>
                            }
                        }) }
                    </div>
                },
            } }
        </div>
    }
}

/// The link to the event a field's value at B came from: it selects that event.
fn blame_link(blame: FieldBlame, select: &dyn Fn(Position) -> Callback<MouseEvent>) -> Html {
    let (label, title) = match blame {
        FieldBlame::Exact(at) => (
            format!("blame #{}", fmt_count(at.0)),
            "The last event between A and B that changed this field".to_string(),
        ),
        FieldBlame::AtOrBefore(at) => (
            format!("blame \u{2264} #{}", fmt_count(at.0)),
            format!(
                "The search stopped at #{}: this field last changed at or before it",
                fmt_count(at.0)
            ),
        ),
    };
    html! {
        <button type="button" class="link field-blame" title={title} onclick={select(blame.position())} data-testid="field-blame">{ label }</button>
    }
}

/// One added, removed or changed row: each field with what it became, and the event behind it.
fn change_item(
    model: &ModelDiff,
    change: &RowChange,
    select: &dyn Fn(Position) -> Callback<MouseEvent>,
) -> Html {
    let (key, verb, class, fields): (&str, &str, &str, Vec<(&str, String)>) = match change {
        RowChange::Added(row) => (
            &row.key,
            " added",
            "added",
            model
                .columns
                .iter()
                .zip(&row.cells)
                .filter(|(_, cell)| !matches!(cell, Cell::Event(_)))
                .map(|(column, cell)| (*column, fmt_cell(cell)))
                .collect(),
        ),
        RowChange::Removed(row) => (&row.key, " removed", "removed", Vec::new()),
        RowChange::Changed { key, fields } => (
            key,
            "",
            "changed",
            fields
                .iter()
                .map(|f| {
                    (
                        f.column,
                        format!("{} → {}", fmt_cell(&f.before), fmt_cell(&f.after)),
                    )
                })
                .collect(),
        ),
    };
    let blame = model.field_blame.get(key);
    // Without field blame (B before A, or a model with no event column), the row's last event.
    let row_blame = model.blame.get(key).copied().filter(|_| blame.is_none());
    html! {
        <li class={class} data-testid="diff-row">
            <strong>{ key.to_string() }</strong>{ verb }
            if let Some(RowBlame::Removed(at)) = blame {
                {" · "}<button type="button" class="link field-blame" onclick={select(*at)} data-testid="field-blame">{ format!("removed by #{}", fmt_count(at.0)) }</button>
            }
            if let Some(position) = row_blame {
                {" · "}<button type="button" class="link" onclick={select(position)} data-testid="blame">{ format!("blame #{}", fmt_count(position.0)) }</button>
            }
            if !fields.is_empty() {
                <ul class="diff-fields">
                    { for fields.into_iter().map(|(column, text)| html! {
                        <li data-testid="diff-field">
                            { format!("{column}: {text}") }
                            if let Some(field) = blame.and_then(|blame| blame.field(column)) {
                                {" "}{ blame_link(field, select) }
                            }
                        </li>
                    }) }
                </ul>
            }
        </li>
    }
}
