//! Bitemporal time: the world as of a business time.

use yew::prelude::*;

use super::typed;
use crate::format::fmt_count;
use crate::state::use_app;

/// Bitemporal time: the world as of a business time, as known now and as known at the cursor,
/// beside the ordinary recording-time view. A late, back-dated event moves only the first.
#[function_component(BitemporalPanel)]
pub(super) fn bitemporal_panel() -> Html {
    let state = use_app();
    let business = use_state(String::new);
    let result = use_state(|| None::<Result<Vec<(String, String, String, String)>, String>>);
    let on_business = typed(&business);
    let run = {
        let (state, business, result) = (state.clone(), business.clone(), result.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let session = state.session();
            let shop = session.shop();
            let store = shop.store();
            let cursor = shop.cursor();
            let Some(at) = eventide_engine::Timestamp::parse(&business) else {
                result.set(Some(Err(format!(
                    "Business time: '{}' is not a date and time",
                    business.trim()
                ))));
                return;
            };
            let now = summary(&eventide_engine::temporal::as_of_business_time(
                shop.history(),
                store,
                at,
                store.head(),
            ));
            let then = summary(&eventide_engine::temporal::as_of_business_time(
                shop.history(),
                store,
                at,
                cursor,
            ));
            let recorded = summary(&shop.history().state_at(store, store.position_at(at)));
            let rows = now
                .into_iter()
                .zip(then)
                .zip(recorded)
                .map(|(((name, a), (_, b)), (_, c))| (name, a, b, c))
                .collect();
            result.set(Some(Ok(rows)));
        })
    };
    let (late, cursor) = {
        let session = state.session();
        let store = session.shop().store();
        (
            eventide_engine::temporal::late_events(store, 60_000).count(),
            session.shop().cursor(),
        )
    };
    html! {
        <div class="time-block" data-testid="bitemporal">
            <h3 class="subhead">{"As of business time"}</h3>
            <p class="panel-hint">{ format!(
                "Events carry when they happened (occurred at) beside when they were recorded. {} event(s) were recorded more than a minute late; back-date a command in the Commands panel to make one.",
                fmt_count(late as u64)) }</p>
            <form class="time-form" onsubmit={run}>
                <label class="field">{"Business time (UTC)"}<input value={(*business).clone()} oninput={on_business} placeholder="2026-11-26 09:45" data-testid="business-time" /></label>
                <button type="submit" class="button primary compare-run align-end" data-testid="business-run">{"Show"}</button>
            </form>
            { match &*result {
                None => html! {},
                Some(Err(problem)) => html! { <p class="warning">{ problem.clone() }</p> },
                Some(Ok(rows)) => html! {
                    <table class="compare-table" data-testid="bitemporal-table">
                        <thead><tr>
                            <th></th>
                            <th scope="col">{"Happened by then, as known now"}</th>
                            <th scope="col">{ format!("…as known at the cursor (#{})", fmt_count(cursor.0)) }</th>
                            <th scope="col">{"Recorded by then"}</th>
                        </tr></thead>
                        <tbody>
                            { for rows.iter().map(|(name, a, b, c)| html! {
                                <tr><th scope="row">{ name.clone() }</th><td>{ a.clone() }</td><td>{ b.clone() }</td><td>{ c.clone() }</td></tr>
                            }) }
                        </tbody>
                    </table>
                },
            } }
        </div>
    }
}

/// One line per read model: its rows, and for revenue the total.
fn summary(
    models: &eventide_engine::projection::ReadModelSet<eventide_shop::ShopEvent>,
) -> Vec<(String, String)> {
    models
        .iter()
        .map(|model| {
            let extra = models
                .get::<eventide_shop::read_models::RevenuePerCustomer>()
                .filter(|_| model.name() == "Revenue")
                .map(|revenue| format!(" · {}", revenue.total()))
                .unwrap_or_default();
            (
                model.name().to_string(),
                format!("{} rows{extra}", fmt_count(model.row_count() as u64)),
            )
        })
        .collect()
}
