//! Every consumer as a named subscription, in one table: the services, the read models'
//! projector and the deployed scripts, each with its checkpoint (the last position it
//! acknowledged with everything before it) and its lag, in events and in time. The projector
//! can be reset here (a read model rebuilt); each service is reset from its own card.

use eventide_shop::scripting::ScriptKind;
use eventide_shop::simulation::ServiceMoment;
use yew::prelude::*;

use super::services_view::ResetForm;
use crate::format::fmt_count;
use crate::state::use_app;

/// One consumer's row.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    name: String,
    kind: &'static str,
    /// `None` where it does not apply (a projection folds at the cursor).
    checkpoint: Option<u64>,
    behind: Option<u64>,
    waiting_ms: Option<i64>,
    delivery: String,
}

#[function_component(Subscriptions)]
pub fn subscriptions() -> Html {
    let state = use_app();
    let session = state.session();
    let sim = session.sim();
    let store = sim.shop().store();
    let cursor = sim.shop().cursor();
    let live = sim.shop().is_live();
    let now = sim.clock();
    let mut rows: Vec<Row> = sim
        .services_at(cursor)
        .iter()
        .map(|ServiceMoment { service, stats, .. }| {
            let settings = sim
                .subscription_of(*service)
                .and_then(|id| sim.bus().settings(id).copied());
            let waiting_ms = live.then(|| {
                stats
                    .oldest_open
                    .and_then(|position| store.get(position))
                    .map_or(0, |event| (now.0 - event.recorded_at.0).max(0))
            });
            Row {
                name: eventide_engine::Named::name(*service).to_string(),
                kind: "service",
                checkpoint: Some(stats.checkpoint.0),
                behind: Some(stats.open),
                waiting_ms,
                delivery: settings
                    .map(|s| super::services_view::ordering_words(&s))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let projector = sim.projector();
    let lag = sim.projection_lag();
    let projector_checkpoint = sim.bus().stats(projector).checkpoint.0;
    rows.push(Row {
        name: sim.bus().name(projector).to_string(),
        kind: "read models",
        // The bus's own checkpoint, the one its reset goes back from.
        checkpoint: live.then_some(projector_checkpoint),
        behind: live.then_some(lag.behind),
        waiting_ms: live.then_some(lag.waiting_ms),
        delivery: sim
            .bus()
            .settings(projector)
            .map(super::services_view::ordering_words)
            .unwrap_or_default(),
    });
    let head = store.head().0;
    for script in &session.scripts.deployed {
        rows.push(match script.kind {
            ScriptKind::Policy => Row {
                name: format!("{} v{}", script.name, script.version),
                kind: "policy script",
                checkpoint: Some(script.fed_to),
                behind: Some(head.saturating_sub(script.fed_to)),
                waiting_ms: None,
                delivery: "in log order, from where it joined".into(),
            },
            ScriptKind::Projection => Row {
                name: format!("{} v{}", script.name, script.version),
                kind: "projection script",
                checkpoint: None,
                behind: None,
                waiting_ms: None,
                delivery: "folds up to the cursor when shown".into(),
            },
        });
    }
    let cell = |value: Option<String>| value.unwrap_or_else(|| "—".into());
    html! {
        <section class="subscriptions" aria-labelledby="subscriptions-title" data-testid="subscriptions">
            <h3 id="subscriptions-title">{"Subscriptions"}</h3>
            <table>
                <thead><tr>
                    <th>{"consumer"}</th><th>{"checkpoint"}</th><th>{"lag"}</th><th>{"delivery"}</th>
                </tr></thead>
                <tbody>
                    { for rows.iter().map(|row| html! {
                        <tr data-testid="subscription" data-name={row.name.clone()}>
                            <td><strong>{ row.name.clone() }</strong><span class="muted">{ format!(" · {}", row.kind) }</span></td>
                            <td data-testid="subscription-checkpoint">{ cell(row.checkpoint.map(|p| format!("#{}", fmt_count(p)))) }</td>
                            <td data-testid="subscription-lag">{ cell(row.behind.map(|n| {
                                let time = row.waiting_ms.filter(|ms| *ms > 0).map(|ms| format!(" · {} ms", fmt_count(ms as u64))).unwrap_or_default();
                                format!("{} events{time}", fmt_count(n))
                            })) }</td>
                            <td class="muted">{ row.delivery.clone() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if live {
                <div class="projector-reset" data-testid="projector-reset">
                    <strong>{"Rebuild the read models"}</strong>
                    <ResetForm subscription={projector} label="Read-model projector" checkpoint={projector_checkpoint}
                               hint="A reset moves the projector back: the read models show what it has applied again and catch up as the replay arrives, as a read model is rebuilt from the log." />
                </div>
            } else {
                <p class="panel-hint">{"Checkpoints and lag as of the cursor; the projector's and resets at the head (Live)."}</p>
            }
        </section>
    }
}
