//! One aggregate as of a position, a time or its version.

use eventide_engine::Position;
use yew::prelude::*;

use super::{select_value, typed};
use crate::state::use_app;

/// What the "as of" value is read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AsOfKind {
    Position,
    Time,
    Version,
}

impl AsOfKind {
    /// In the order the choice lists them.
    const ALL: [AsOfKind; 3] = [AsOfKind::Position, AsOfKind::Time, AsOfKind::Version];

    /// The option's value in the page (what tests and the e2e choose).
    fn value(self) -> &'static str {
        match self {
            AsOfKind::Position => "position",
            AsOfKind::Time => "time",
            AsOfKind::Version => "version",
        }
    }

    fn label(self) -> &'static str {
        match self {
            AsOfKind::Position => "position",
            AsOfKind::Time => "time (UTC)",
            AsOfKind::Version => "its version",
        }
    }

    fn parse(value: &str) -> Option<AsOfKind> {
        AsOfKind::ALL.into_iter().find(|kind| kind.value() == value)
    }
}

/// "What was the state of aggregate X as of a position, a time or a version?"
#[function_component(AggregatePanel)]
pub(super) fn aggregate_panel() -> Html {
    use eventide_shop::as_of::{aggregate_as_of, parse_aggregate, AsOf};
    let state = use_app();
    let aggregate = use_state(|| "O-0001".to_string());
    let kind = use_state(|| AsOfKind::Position);
    let at = use_state(String::new);
    let result = use_state(|| None::<Result<String, String>>);
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |event: Event| {
            if let Some(chosen) = select_value(&event).and_then(|v| AsOfKind::parse(&v)) {
                kind.set(chosen);
            }
        })
    };
    let run = {
        let (state, aggregate, kind, at, result) = (
            state.clone(),
            aggregate.clone(),
            kind.clone(),
            at.clone(),
            result.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let session = state.session();
            let store = session.shop().store();
            let outcome = (|| {
                let stream = parse_aggregate(&aggregate).ok_or_else(|| {
                    format!(
                        "Aggregate: '{}' is not an order (O-…), cart (C-…) or product (SKU-…)",
                        aggregate.trim()
                    )
                })?;
                let value = at.trim().replace(',', "");
                let as_of = match *kind {
                    AsOfKind::Time => AsOf::Time(
                        eventide_engine::Timestamp::parse(&value)
                            .ok_or_else(|| format!("Time: '{value}' is not a date and time"))?,
                    ),
                    AsOfKind::Version => AsOf::Version(eventide_engine::StreamVersion(
                        value
                            .parse()
                            .map_err(|_| format!("Version: '{value}' is not a number"))?,
                    )),
                    AsOfKind::Position if value.is_empty() => {
                        AsOf::Position(session.shop().cursor())
                    }
                    AsOfKind::Position => AsOf::Position(Position(
                        value
                            .parse()
                            .map_err(|_| format!("Position: '{value}' is not a number"))?,
                    )),
                };
                Ok(match aggregate_as_of(store, stream, as_of) {
                    Some((version, json)) => format!(
                        "{stream} at version {version}:\n{}",
                        serde_json::to_string_pretty(&json).unwrap_or_default()
                    ),
                    None => format!("{stream} did not exist yet at that point."),
                })
            })();
            result.set(Some(outcome));
        })
    };
    html! {
        <div class="time-block" data-testid="aggregate-as-of">
            <h3 class="subhead">{"An aggregate as of…"}</h3>
            <form class="time-form" onsubmit={run}>
                <label class="field">{"Aggregate"}<input value={(*aggregate).clone()} oninput={typed(&aggregate)} data-testid="as-of-aggregate" /></label>
                <label class="field">{"as of"}
                    <select onchange={on_kind} data-testid="as-of-kind">
                        { for AsOfKind::ALL.iter().map(|&option| html! {
                            <option value={option.value()} selected={*kind == option}>{ option.label() }</option>
                        }) }
                    </select>
                </label>
                <label class="field">{"Value"}<input value={(*at).clone()} oninput={typed(&at)} placeholder="the cursor" data-testid="as-of-value" /></label>
                <button type="submit" class="button primary compare-run align-end" data-testid="as-of-run">{"Show"}</button>
            </form>
            { match &*result {
                None => html! {},
                Some(Err(problem)) => html! { <p class="warning">{ problem.clone() }</p> },
                Some(Ok(text)) => html! { <pre class="payload" data-testid="as-of-result">{ text.clone() }</pre> },
            } }
        </div>
    }
}
