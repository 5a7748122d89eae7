//! "When did this field first become that value?"

use eventide_engine::temporal::{when, Comparison, Method, WhenAnswer, WhenError, WhenQuery};
use eventide_engine::Position;
use yew::prelude::*;

use super::{chosen, select_value, typed};
use crate::format::fmt_count;
use crate::state::{use_app, Action};

#[function_component(WhenPanel)]
pub(super) fn when_panel() -> Html {
    let state = use_app();
    let model = use_state(|| "Orders".to_string());
    let key = use_state(|| "O-0001".to_string());
    let column = use_state(|| "Status".to_string());
    let comparison = use_state(|| Comparison::Equals);
    let value = use_state(|| "shipped".to_string());
    let answer = use_state(|| None::<Result<WhenAnswer, String>>);
    let (models, columns): (Vec<&'static str>, Vec<&'static str>) = {
        let session = state.session();
        let set = session.shop().history().live();
        let models = set.iter().map(|m| m.name()).collect();
        let columns = set
            .by_name(&model)
            .map(|m| m.columns().to_vec())
            .unwrap_or_default();
        (models, columns)
    };
    let on_comparison = {
        let comparison = comparison.clone();
        Callback::from(move |event: Event| {
            comparison.set(if select_value(&event).as_deref() == Some("at-least") {
                Comparison::AtLeast
            } else {
                Comparison::Equals
            });
        })
    };
    let run = {
        let (state, answer) = (state.clone(), answer.clone());
        let (model, key, column) = ((*model).clone(), key.trim().to_string(), (*column).clone());
        let (comparison, value) = (*comparison, (*value).clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let session = state.session();
            let shop = session.shop();
            // The question is read once, here: a value that could never match is refused.
            let asked = WhenQuery::new(
                shop.history().live(),
                &model,
                &key,
                &column,
                comparison,
                &value,
            )
            .map(|query| when(shop.history(), shop.store(), &query))
            .map_err(|problem| {
                let field = match problem {
                    WhenError::UnknownModel(_) => "Read model",
                    WhenError::UnknownColumn { .. } => "Field",
                    WhenError::NotANumber(_) => "Value",
                };
                format!("{field}: {problem}")
            });
            answer.set(Some(asked));
        })
    };
    let seek = |position: Position| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Seek(position)))
    };
    html! {
        <div class="time-block">
            <h3 class="subhead">{"When did it first happen?"}</h3>
            <form class="time-form" onsubmit={run}>
                <label class="field">{"Read model"}
                    <select onchange={chosen(&model)} data-testid="when-model">
                        { for models.iter().map(|m| html! { <option value={*m} selected={*m == model.as_str()}>{ *m }</option> }) }
                    </select>
                </label>
                <label class="field">{"Row"}<input value={(*key).clone()} oninput={typed(&key)} data-testid="when-key" /></label>
                <label class="field">{"Field"}
                    <select onchange={chosen(&column)} data-testid="when-column">
                        { for columns.iter().map(|c| html! { <option value={*c} selected={*c == column.as_str()}>{ *c }</option> }) }
                    </select>
                </label>
                <label class="field">{"is"}
                    <select onchange={on_comparison} data-testid="when-comparison">
                        <option value="equals" selected={*comparison == Comparison::Equals}>{"equal to"}</option>
                        <option value="at-least" selected={*comparison == Comparison::AtLeast}>{"at least"}</option>
                    </select>
                </label>
                <label class="field">{"Value"}<input value={(*value).clone()} oninput={typed(&value)} data-testid="when-value" /></label>
                <button type="submit" class="button primary compare-run align-end" data-testid="when-run">{"Ask"}</button>
            </form>
            { match &*answer {
                None => html! {},
                Some(Err(problem)) => html! { <p class="warning" data-testid="when-problem">{ problem.clone() }</p> },
                Some(Ok(answer)) => {
                    let how = match answer.method {
                        Method::Bisection { probes } => format!("found by bisection in {probes} probes: once true, it stays true"),
                        Method::Scan { events } => format!("found by a scan of {} events: it may come and go, so bisection could miss its first time", fmt_count(events)),
                    };
                    html! {
                        <p data-testid="when-answer">
                            { match answer.position {
                                Some(position) => html! { <>
                                    { format!("First at position {} · {how}. ", fmt_count(position.0)) }
                                    <button type="button" class="button" onclick={seek(position)} data-testid="when-seek">{"Go there"}</button>
                                </> },
                                None => html! { { format!("Never, up to the head · {how}.") } },
                            } }
                        </p>
                    }
                }
            } }
        </div>
    }
}
