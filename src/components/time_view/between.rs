//! The events between two times, filtered by type, aggregate and flow.

use eventide_engine::Position;
use yew::prelude::*;

use super::{select_value, typed};
use crate::format::fmt_count;
use crate::state::{use_app, Action};

/// "Which events happened between two times?", filtered by type, aggregate and flow.
#[function_component(BetweenPanel)]
pub(super) fn between_panel() -> Html {
    use eventide_engine::Named;
    use eventide_shop::events::ShopEventKind;
    const LIMIT: usize = 200;
    let state = use_app();
    let from = use_state(String::new);
    let to = use_state(String::new);
    // `None`: any type.
    let kind = use_state(|| None::<ShopEventKind>);
    let aggregate = use_state(String::new);
    let flow = use_state(String::new);
    let result = use_state(|| None::<Result<(usize, Vec<(Position, String)>), String>>);
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |event: Event| {
            if let Some(v) = select_value(&event) {
                kind.set(ShopEventKind::from_name(&v));
            }
        })
    };
    let run = {
        let (state, from, to, kind, aggregate, flow, result) = (
            state.clone(),
            from.clone(),
            to.clone(),
            kind.clone(),
            aggregate.clone(),
            flow.clone(),
            result.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let session = state.session();
            let store = session.shop().store();
            let outcome = (|| {
                let parse = |text: &str, name: &str| {
                    eventide_engine::Timestamp::parse(text)
                        .ok_or_else(|| format!("{name}: '{}' is not a date and time", text.trim()))
                };
                let (from, to) = (parse(&from, "From")?, parse(&to, "To")?);
                let first = store.position_at(from.plus_millis(-1)).0 as usize;
                let last = store.position_at(to).0 as usize;
                let wanted = *kind;
                let aggregate = aggregate.trim().to_ascii_uppercase();
                let flow = flow.trim().to_ascii_lowercase();
                let matches: Vec<(Position, String)> = store
                    .events()
                    .slice(first.min(last)..last)
                    .iter()
                    .filter(|e| wanted.is_none_or(|k| e.kind() == k))
                    .filter(|e| {
                        aggregate.is_empty()
                            || e.stream.to_string().eq_ignore_ascii_case(&aggregate)
                    })
                    .filter(|e| flow.is_empty() || e.correlation_id.to_string().starts_with(&flow))
                    .map(|e| {
                        (
                            e.position,
                            format!(
                                "{} · {} {}",
                                crate::format::fmt_clock(e.recorded_at),
                                e.kind().name(),
                                e.stream
                            ),
                        )
                    })
                    .collect();
                let total = matches.len();
                Ok((total, matches.into_iter().take(LIMIT).collect()))
            })();
            result.set(Some(outcome));
        })
    };
    let select = |position: Position| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Select(Some(position))))
    };
    html! {
        <div class="time-block" data-testid="between">
            <h3 class="subhead">{"Events between two times"}</h3>
            <form class="time-form" onsubmit={run}>
                <label class="field">{"From (UTC)"}<input value={(*from).clone()} oninput={typed(&from)} placeholder="2026-11-26 09:00" data-testid="between-from" /></label>
                <label class="field">{"To (UTC)"}<input value={(*to).clone()} oninput={typed(&to)} placeholder="2026-11-26 10:00" data-testid="between-to" /></label>
                <label class="field">{"Type"}
                    <select onchange={on_kind} data-testid="between-type">
                        <option value="any" selected={kind.is_none()}>{"any"}</option>
                        { for ShopEventKind::ALL.iter().map(|k| html! { <option value={k.name()} selected={*kind == Some(*k)}>{ k.name() }</option> }) }
                    </select>
                </label>
                <label class="field">{"Aggregate"}<input value={(*aggregate).clone()} oninput={typed(&aggregate)} placeholder="any" data-testid="between-aggregate" /></label>
                <label class="field">{"Correlation"}<input value={(*flow).clone()} oninput={typed(&flow)} placeholder="any" /></label>
                <button type="submit" class="button primary compare-run align-end" data-testid="between-run">{"Find"}</button>
            </form>
            { match &*result {
                None => html! {},
                Some(Err(problem)) => html! { <p class="warning">{ problem.clone() }</p> },
                Some(Ok((total, rows))) => html! {
                    <>
                        <p class="muted" data-testid="between-count">{ format!("{} events{}", fmt_count(*total as u64), if *total > rows.len() { format!(", the first {} shown", rows.len()) } else { String::new() }) }</p>
                        <ul class="links">
                            { for rows.iter().map(|(position, line)| html! {
                                <li><button type="button" class="link" onclick={select(*position)}>{ format!("#{}", fmt_count(position.0)) }</button>{ format!(" {line}") }</li>
                            }) }
                        </ul>
                    </>
                },
            } }
        </div>
    }
}
