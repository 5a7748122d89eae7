//! The deployed scripts: each projection's table as of the cursor (asked of the worker, which
//! folds from its nearest checkpoint, when the cursor or the log moves), "when did" asked of it,
//! each policy's reactions, a projection in the time machine's A/B diff, and the hook that lets
//! deployed policies catch up with what is appended.

use eventide_engine::Position;
use eventide_shop::scripting::{RowWindow, ScriptFailure, ScriptKind, WorkerReply};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::scripts_panel::{changes_view, failure_title, table_view, Outcome, SHOWN_ROWS};
use crate::format::fmt_count;
use crate::scripting::runner::ScriptRunner;
use crate::scripting::table_diff::{self, Table};
use crate::state::scripts::{Deployed, ScriptId};
use crate::state::{use_app, Action, AppContext};

/// Deployed policies react to what is appended: each time the log grows past what a policy has
/// seen, the worker folds it on from where it stopped over the new events only, and the page
/// carries out its new decisions. A failure is reported once, when it is new: the policy owns
/// it (the worker keeps one that would recur at its event).
#[hook]
pub fn use_policies(state: &AppContext) {
    let in_flight = use_mut_ref(std::collections::BTreeSet::<ScriptId>::new);
    // The last failure reported of each policy, so one that recurs is not reported again.
    let reported = use_mut_ref(std::collections::BTreeMap::<ScriptId, ScriptFailure>::new);
    let state = state.clone();
    use_effect_with(state.revision, move |_| {
        // In a room a policy would append to this tab's log alone: policies wait outside it.
        if state.room.is_some() {
            return;
        }
        let due: Vec<Deployed> = {
            let session = state.session();
            let head = session.shop().store().head().0;
            session
                .scripts
                .deployed
                .iter()
                .filter(|script| script.kind == ScriptKind::Policy && script.fed_to < head)
                .cloned()
                .collect()
        };
        for policy in due {
            if !in_flight.borrow_mut().insert(policy.id) {
                continue;
            }
            let (state, in_flight, reported) = (state.clone(), in_flight.clone(), reported.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let up_to = state.session().shop().store().head();
                let answer = ScriptRunner::shared()
                    .catch_up(&state, &policy, up_to, policy.fed_to)
                    .await;
                in_flight.borrow_mut().remove(&policy.id);
                let intentions = match answer {
                    Ok(WorkerReply::Intentions { intentions, .. }) => {
                        reported.borrow_mut().remove(&policy.id);
                        intentions
                    }
                    Ok(WorkerReply::Failed(failure)) | Err(failure) => {
                        let new = reported.borrow_mut().insert(policy.id, failure.clone())
                            != Some(failure.clone());
                        if new {
                            state.dispatch(Action::InvalidInput(stopped(&policy.name, &failure)));
                        }
                        Vec::new()
                    }
                    Ok(_) => Vec::new(),
                };
                state.dispatch(Action::PolicyReacted {
                    id: policy.id,
                    version: policy.version,
                    up_to,
                    intentions,
                });
            });
        }
    });
}

/// A policy's failure in words: the worker's, or the script's at its place.
fn stopped(name: &str, failure: &ScriptFailure) -> String {
    if failure.kind.is_worker() {
        format!("{name}: {}", failure.message)
    } else {
        format!(
            "{name} stopped: {} {}",
            failure_title(failure),
            failure.message
        )
    }
}

/// The deployed projections, each as of the cursor: rerun in the worker when the cursor or the
/// log moves (after the slider rests), so they follow the timeline like the built-in models.
#[function_component(DeployedList)]
pub fn deployed_list() -> Html {
    let state = use_app();
    let deployed: Vec<Deployed> = state.session().scripts.deployed.clone();
    if deployed.is_empty() {
        return html! {};
    }
    html! {
        <div class="deployed" data-testid="deployed-scripts">
            <h3 class="subhead">{"Deployed"}</h3>
            { for deployed.into_iter().map(deployed_item) }
        </div>
    }
}

/// One deployed script, keyed by its id so no component ever shows another script's state.
fn deployed_item(script: Deployed) -> Html {
    let key = script.id.0;
    match script.kind {
        ScriptKind::Projection => html! { <DeployedProjection {key} {script} /> },
        ScriptKind::Policy => html! { <DeployedPolicy {key} {script} /> },
    }
}

#[derive(Properties, PartialEq)]
pub struct DeployedProps {
    pub script: Deployed,
}

/// One deployed projection's table as of the cursor.
#[function_component(DeployedProjection)]
pub fn deployed_projection(props: &DeployedProps) -> Html {
    let state = use_app();
    let table = use_state(|| None::<(ScriptId, Position, Outcome)>);
    let cursor = state.session().shop().cursor();
    // The head too: the log may have grown (or been replaced) under a cursor that stayed.
    let head = state.session().shop().store().head();
    // One run at a time: while one is in the worker, cursor moves only mark it stale; when it
    // comes back, `finished` changes and the newest cursor is run. So a scrub or a running
    // simulation is followed as fast as the worker answers, never queued up behind it.
    let running = use_mut_ref(|| false);
    // Which script, version and cursor the table shows: a component shown for another script
    // must never keep this one's result.
    let last_run = use_mut_ref(|| None::<(ScriptId, u32, Position, Position)>);
    let finished = use_state(|| 0u32);
    {
        let (state, table, script) = (state.clone(), table.clone(), props.script.clone());
        let (running, last_run, finished) = (running.clone(), last_run.clone(), finished.clone());
        use_effect_with(
            (cursor, head, script.id, script.version, *finished),
            move |_| {
                let wanted = Some((script.id, script.version, cursor, head));
                if *running.borrow() || *last_run.borrow() == wanted {
                    return;
                }
                *running.borrow_mut() = true;
                *last_run.borrow_mut() = wanted;
                // Another script's table must not show while this one's first run is out.
                if table.as_ref().is_some_and(|(id, ..)| *id != script.id) {
                    table.set(None);
                }
                wasm_bindgen_futures::spawn_local(async move {
                    let shown = RowWindow {
                        first: 0,
                        count: SHOWN_ROWS,
                    };
                    let answer = ScriptRunner::shared()
                        .table_at(&state, &script, cursor, shown)
                        .await;
                    table.set(Some((script.id, cursor, Outcome::of(answer))));
                    *running.borrow_mut() = false;
                    finished.set(finished.wrapping_add(1));
                });
            },
        );
    }
    let undeploy = undeploy(&state, props.script.id);
    let script = &props.script;
    html! {
        <div class="deployed-projection" data-testid="deployed-projection">
            <div class="panel-head">
                <h4 class="subhead">{ format!("{} v{}", script.name, script.version) }
                    <span class="muted">{ format!(" · consumes {}", script.handles.join(", ")) }</span>
                </h4>
                <button type="button" class="button" onclick={undeploy} data-testid="script-undeploy">{"Undeploy"}</button>
            </div>
            { match table.as_ref().filter(|(id, ..)| *id == script.id) {
                None => html! { <p class="muted">{"Building…"}</p> },
                Some((_, at, outcome)) => html! {
                    <>
                        <p class="muted" data-testid="deployed-at">
                            { format!("As of position {}", fmt_count(at.0)) }
                            if *at != cursor { {" · catching up with the cursor…"} }
                        </p>
                        { match outcome {
                            Outcome::Table { columns, rows, total_rows, .. } => html! {
                                <>
                                    <WhenDid script={script.clone()} columns={columns.clone()} />
                                    { table_view(columns, rows, *total_rows, "deployed-table") }
                                </>
                            },
                            Outcome::Failed(failure) if failure.kind.is_worker() => html! { <p class="warning">{ failure.message.clone() }</p> },
                            Outcome::Failed(failure) => html! { <p class="warning">{ format!("{} {}", failure_title(failure), failure.message) }</p> },
                            Outcome::Intentions { .. } => html! {},
                        } }
                    </>
                },
            } }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct WhenDidProps {
    script: Deployed,
    columns: Vec<String>,
}

/// "When did this row's column first become this value?", asked of a deployed projection: the
/// worker replays the whole log through it and checks the row after every event it handles.
#[function_component(WhenDid)]
fn when_did(props: &WhenDidProps) -> Html {
    let state = use_app();
    let key = use_state(String::new);
    let column = use_state(|| props.columns.first().cloned().unwrap_or_default());
    let value = use_state(String::new);
    let answer = use_state(|| None::<Result<(Option<u64>, u64), String>>);
    let typed = |handle: UseStateHandle<String>| {
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                handle.set(input.value());
            }
        })
    };
    let on_column = {
        let column = column.clone();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                column.set(select.value());
            }
        })
    };
    // The columns come from the table at the cursor, which changes: a choice no longer offered
    // falls back to the first column, as the select then shows.
    let column_now = if props.columns.contains(&column) {
        (*column).clone()
    } else {
        props.columns.first().cloned().unwrap_or_default()
    };
    let ask = {
        let (state, answer, script) = (state.clone(), answer.clone(), props.script.clone());
        let (key, column, value) = ((*key).clone(), column_now.clone(), (*value).clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (state, answer, script) = (state.clone(), answer.clone(), script.clone());
            let (key, column, value) = (key.trim().to_string(), column.clone(), value.clone());
            let head = state.session().shop().store().head();
            wasm_bindgen_futures::spawn_local(async move {
                let reply = ScriptRunner::shared()
                    .when(&state, &script, head, (key, column, value))
                    .await;
                answer.set(Some(match reply {
                    Ok(WorkerReply::FirstTime { position, events }) => Ok((position, events)),
                    Ok(WorkerReply::Failed(failure)) | Err(failure) => {
                        Err(format!("{} {}", failure_title(&failure), failure.message))
                    }
                    Ok(other) => Err(format!("unexpected reply {other:?}")),
                }));
            });
        })
    };
    let seek = |position: u64| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| {
            dispatcher.dispatch(Action::Seek(Position(position)));
            dispatcher.dispatch(Action::Select(Some(Position(position))));
        })
    };
    html! {
        <form class="time-form script-when" onsubmit={ask}>
            <label class="field">{"When did row"}<input value={(*key).clone()} oninput={typed(key.clone())} placeholder="key" data-testid="script-when-key" /></label>
            <label class="field">{"have"}
                <select onchange={on_column} data-testid="script-when-column">
                    { for props.columns.iter().map(|c| html! { <option value={c.clone()} selected={*c == column_now}>{ c.clone() }</option> }) }
                </select>
            </label>
            <label class="field">{"equal to"}<input value={(*value).clone()} oninput={typed(value.clone())} data-testid="script-when-value" /></label>
            <button type="submit" class="button align-end" data-testid="script-when-run">{"Ask (a scan)"}</button>
            { match answer.as_ref() {
                None => html! {},
                Some(Ok((Some(position), events))) => html! {
                    <p class="align-end" data-testid="script-when-answer">
                        { format!("First after event #{} (scanned {} events) ", fmt_count(*position), fmt_count(*events)) }
                        <button type="button" class="link" onclick={seek(*position)}>{"go there"}</button>
                    </p>
                },
                Some(Ok((None, events))) => html! { <p class="align-end" data-testid="script-when-answer">{ format!("Never, in {} events.", fmt_count(*events)) }</p> },
                Some(Err(problem)) => html! { <p class="warning" data-testid="script-when-answer">{ problem.clone() }</p> },
            } }
        </form>
    }
}

/// A deployed policy: what it listens to and what it has done (its events, in the log).
#[function_component(DeployedPolicy)]
fn deployed_policy(props: &DeployedProps) -> Html {
    let state = use_app();
    let script = &props.script;
    let reactions = {
        let actor = eventide_shop::simulation::PolicyActor {
            id: script.id.0,
            name: &script.name,
        };
        let session = state.session();
        session
            .shop()
            .store()
            .events()
            .iter()
            .filter(|event| actor.published(event))
            .count()
    };
    let room_service = state.room.as_ref().and_then(|room| {
        room.services
            .iter()
            .find(|s| s.script == script.id)
            .cloned()
    });
    let undeploy = undeploy(&state, script.id);
    html! {
        <div class="deployed-projection" data-testid="deployed-policy">
            <div class="panel-head">
                <h4 class="subhead">{ format!("{} v{} (policy)", script.name, script.version) }
                    <span class="muted">{ format!(" · reacts to {}", script.handles.join(", ")) }</span>
                </h4>
                <button type="button" class="button" onclick={undeploy} data-testid="script-undeploy">{"Undeploy"}</button>
            </div>
            if let Some(service) = room_service {
                <p data-testid="policy-in-room">{ format!("A service of the room, as {} on its durable consumer {}: its deliveries are in the Services tab.", service.label.producer, service.consumer) }</p>
            } else {
                <p data-testid="policy-reactions">{ format!("{} event(s) in the log so far came from it (producer \u{201c}policy: {}\u{201d}); it has seen up to position {}.", fmt_count(reactions as u64), script.name, fmt_count(script.fed_to)) }</p>
            }
        </div>
    }
}

/// Takes a script down; the worker drops what it kept for it.
fn undeploy(state: &AppContext, id: ScriptId) -> Callback<MouseEvent> {
    let dispatcher = state.dispatcher();
    Callback::from(move |_| {
        dispatcher.dispatch(Action::UndeployScript(id));
        wasm_bindgen_futures::spawn_local(async move { ScriptRunner::shared().unload(id).await });
    })
}

#[derive(Properties, PartialEq)]
pub struct ScriptDiffProps {
    pub script: Deployed,
    pub a: Position,
    pub b: Position,
}

/// A deployed projection in the time machine's diff: its table at A and at B, from the worker.
#[function_component(ScriptDiff)]
pub fn script_diff(props: &ScriptDiffProps) -> Html {
    let state = use_app();
    let tables = use_state(|| None::<(Outcome, Outcome)>);
    {
        let (state, tables, script) = (state.clone(), tables.clone(), props.script.clone());
        use_effect_with((props.a, props.b, script.version), move |&(a, b, _)| {
            tables.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let runner = ScriptRunner::shared();
                let at_a = runner.table_at(&state, &script, a, RowWindow::ALL).await;
                let at_b = runner.table_at(&state, &script, b, RowWindow::ALL).await;
                tables.set(Some((Outcome::of(at_a), Outcome::of(at_b))));
            });
        });
    }
    let title = format!(
        "{} v{} (your script)",
        props.script.name, props.script.version
    );
    html! {
        <details class="diff-model" open=true data-testid="script-diff-model">
            <summary>{ title }</summary>
            { match tables.as_ref() {
                None => html! { <p class="muted">{"Replaying it at A and at B in the worker…"}</p> },
                Some((Outcome::Table { columns: columns_a, rows: at_a, .. }, Outcome::Table { columns: columns_b, rows: at_b, .. })) => {
                    let changes = table_diff::diff(
                        Table { columns: columns_a, rows: at_a },
                        Table { columns: columns_b, rows: at_b },
                    );
                    html! { <div class="script-diff">{ changes_view(&changes) }</div> }
                }
                Some(_) => html! { <p class="warning">{"The script did not produce a table at A or at B: dry run it in the Scripts tab to see why."}</p> },
            } }
        </details>
    }
}
