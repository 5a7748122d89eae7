//! Write your own read model or reacting service: an editor (line numbers, the error marked at
//! its line and column), example scripts, a dry run over the log up to the cursor, a diff against
//! the deployed version (blue/green), and deployment. Scripts run in the script worker, never on
//! the page: a runaway script is stopped there and the store is never touched by a dry run.

use std::collections::BTreeMap;

use eventide_engine::scripting::{
    PlannedIntention, ScriptFailure, ScriptKind, TableRow, WorkerReply, WorkerRequest,
};
use eventide_engine::Position;
use serde_json::Value;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::format::fmt_count;
use crate::scripting::ScriptWorker;
use crate::state::scripts::{Deployed, Draft, Handlers, EXAMPLES};
use crate::state::{use_app, Action, AppContext};

/// How long a run may take in the worker before it is stopped.
pub const TIME_LIMIT_MS: f64 = 5_000.0;
/// Rows shown of a table (a dry run's or a deployed projection's).
const SHOWN_ROWS: usize = 200;

/// What a run produced, or why it did not.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Table {
        columns: Vec<String>,
        rows: Vec<TableRow>,
        events: u64,
    },
    Intentions {
        intentions: Vec<PlannedIntention>,
        events: u64,
    },
    Failed(ScriptFailure),
    /// The worker itself failed (it could not start, or the script crashed it).
    Broken(String),
}

/// The envelopes of the events a script handles, up to `until`, as consumers read them now.
fn events_for(state: &AppContext, handles: &[String], until: Position) -> Vec<Value> {
    let session = state.session();
    let store = session.shop().store();
    let evolution = session.evolution();
    let end = (until.0 as usize).min(store.len());
    store.events()[..end]
        .iter()
        .filter(|event| {
            let name = eventide_engine::Named::name(event.kind());
            handles.iter().any(|handled| handled == name)
        })
        .map(|event| evolution.envelope_for_consumers(event))
        .collect()
}

/// Compiles `source`, then runs it over the log up to `until`; also returns what the worker
/// found it handles, and what each handler reads.
pub async fn run_script(
    state: AppContext,
    kind: ScriptKind,
    source: String,
    until: Position,
) -> (Outcome, Handlers) {
    let worker = ScriptWorker::shared();
    let handlers = match worker
        .call(WorkerRequest::Compile {
            kind,
            source: source.clone(),
        })
        .await
    {
        Ok(WorkerReply::Compiled { handles, reads }) => Handlers { handles, reads },
        Ok(WorkerReply::Failed(failure)) => return (Outcome::Failed(failure), Handlers::default()),
        Ok(other) => {
            return (
                Outcome::Broken(format!("unexpected reply {other:?}")),
                Handlers::default(),
            )
        }
        Err(problem) => return (Outcome::Broken(problem), Handlers::default()),
    };
    let events = events_for(&state, &handlers.handles, until);
    let outcome = match worker
        .call(WorkerRequest::Run {
            kind,
            source,
            events,
            time_limit_ms: TIME_LIMIT_MS,
        })
        .await
    {
        Ok(WorkerReply::Table {
            columns,
            rows,
            events,
        }) => Outcome::Table {
            columns,
            rows,
            events,
        },
        Ok(WorkerReply::Intentions { intentions, events }) => {
            Outcome::Intentions { intentions, events }
        }
        Ok(WorkerReply::Failed(failure)) => Outcome::Failed(failure),
        Ok(other) => Outcome::Broken(format!("unexpected reply {other:?}")),
        Err(problem) => Outcome::Broken(problem),
    };
    (outcome, handlers)
}

/// A dry run: the draft's result and, when a version of it is deployed, the deployed one's on
/// the same events.
#[derive(Clone, Debug, PartialEq)]
struct DryRun {
    at: Position,
    draft: Outcome,
    live: Option<(u32, Outcome)>,
}

#[function_component(ScriptsPanel)]
pub fn scripts_panel() -> Html {
    let state = use_app();
    let draft = state.session().scripts.draft.clone();
    let dry_run = use_state(|| None::<DryRun>);
    let busy = use_state(|| false);
    let editor = use_node_ref();
    let gutter = use_node_ref();

    let edit = {
        let (dispatcher, draft) = (state.dispatcher(), draft.clone());
        move |change: Box<dyn Fn(&mut Draft)>| {
            let mut next = draft.clone();
            change(&mut next);
            dispatcher.dispatch(Action::EditScript(next));
        }
    };
    let on_source = {
        let edit = edit.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(area) = event.target_dyn_into::<HtmlTextAreaElement>() {
                let source = area.value();
                edit(Box::new(move |d| d.source = source.clone()));
            }
        })
    };
    let on_name = {
        let edit = edit.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                let name = input.value();
                edit(Box::new(move |d| d.name = name.clone()));
            }
        })
    };
    let on_kind = {
        let edit = edit.clone();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                let kind = if select.value() == "policy" {
                    ScriptKind::Policy
                } else {
                    ScriptKind::Projection
                };
                edit(Box::new(move |d| d.kind = kind));
            }
        })
    };
    let on_example = {
        let (dispatcher, dry_run) = (state.dispatcher(), dry_run.clone());
        Callback::from(move |event: Event| {
            let chosen = event
                .target_dyn_into::<HtmlSelectElement>()
                .and_then(|select| select.value().parse::<usize>().ok())
                .and_then(|index| EXAMPLES.get(index));
            if let Some(example) = chosen {
                dispatcher.dispatch(Action::EditScript(Draft {
                    name: example.name.to_string(),
                    kind: example.kind,
                    source: example.source.to_string(),
                }));
                dry_run.set(None);
            }
        })
    };
    let on_scroll = {
        let (editor, gutter) = (editor.clone(), gutter.clone());
        Callback::from(move |_: Event| {
            if let (Some(area), Some(numbers)) =
                (editor.cast::<HtmlElement>(), gutter.cast::<HtmlElement>())
            {
                numbers.set_scroll_top(area.scroll_top());
            }
        })
    };
    let run = {
        let (state, dry_run, busy, draft) =
            (state.clone(), dry_run.clone(), busy.clone(), draft.clone());
        Callback::from(move |_| {
            let (state, dry_run, busy, draft) =
                (state.clone(), dry_run.clone(), busy.clone(), draft.clone());
            busy.set(true);
            // The last result goes: a message from an earlier run must not pass for this one's.
            dry_run.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let at = state.session().shop().cursor();
                let deployed = state.session().scripts.deployed(&draft.name).cloned();
                let (outcome, _) =
                    run_script(state.clone(), draft.kind, draft.source.clone(), at).await;
                let live = match deployed {
                    Some(live) if live.kind == draft.kind => {
                        let (result, _) =
                            run_script(state.clone(), live.kind, live.source, at).await;
                        Some((live.version, result))
                    }
                    _ => None,
                };
                dry_run.set(Some(DryRun {
                    at,
                    draft: outcome,
                    live,
                }));
                busy.set(false);
                state.dispatch(Action::ScriptRan);
            });
        })
    };
    let deploy = {
        let (state, dry_run, busy, draft) =
            (state.clone(), dry_run.clone(), busy.clone(), draft.clone());
        Callback::from(move |_| {
            let (state, dry_run, busy, draft) =
                (state.clone(), dry_run.clone(), busy.clone(), draft.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                // A script goes live only if it runs over the log as it stands: one that fails
                // on its first event is refused with that failure, not deployed with a cheer.
                let head = state.session().shop().store().head();
                let (outcome, handlers) =
                    run_script(state.clone(), draft.kind, draft.source.clone(), head).await;
                match outcome {
                    Outcome::Table { .. } | Outcome::Intentions { .. } => {
                        // What was shown of an earlier run no longer speaks for this script.
                        dry_run.set(None);
                        state.dispatch(Action::DeployScript(handlers));
                    }
                    Outcome::Failed(failure) => {
                        state.dispatch(Action::InvalidInput(format!(
                            "{} was not deployed: over the log up to position {} it fails. {} {}",
                            draft.name,
                            fmt_count(head.0),
                            failure_title(&failure),
                            failure.message
                        )));
                        dry_run.set(Some(DryRun {
                            at: head,
                            draft: Outcome::Failed(failure),
                            live: None,
                        }));
                    }
                    Outcome::Broken(problem) => state.dispatch(Action::InvalidInput(format!(
                        "{} was not deployed: {problem}",
                        draft.name
                    ))),
                }
                busy.set(false);
            });
        })
    };

    let failure = match dry_run.as_ref().map(|run| &run.draft) {
        Some(Outcome::Failed(failure)) => Some(failure.clone()),
        _ => None,
    };
    let error_line = failure.as_ref().and_then(|f| f.line);
    let go_to_error = {
        let (editor, failure) = (editor.clone(), failure.clone());
        Callback::from(move |_| {
            if let (Some(area), Some(failure)) =
                (editor.cast::<HtmlTextAreaElement>(), failure.as_ref())
            {
                let offset = offset_of(
                    &area.value(),
                    failure.line.unwrap_or(1),
                    failure.column.unwrap_or(1),
                );
                let _ = area.focus();
                let _ = area.set_selection_range(offset, offset + 1);
            }
        })
    };
    let lines = draft.source.lines().count().max(1);
    let is_policy = draft.kind == ScriptKind::Policy;

    html! {
        <section class="panel scripts-panel" data-testid="scripts-panel">
            <div class="panel-head">
                <h2 class="panel-title">{"Scripts: your own read models and services"}</h2>
                <span class="panel-meta">{"Rhai, run in a Web Worker; nothing changes until you deploy"}</span>
            </div>
            <div class="script-form">
                <label class="field">{"Start from an example"}
                    <select onchange={on_example} data-testid="script-example">
                        <option value="" selected=true disabled=true>{"Choose an example…"}</option>
                        { for EXAMPLES.iter().enumerate().map(|(i, example)| html! {
                            <option value={i.to_string()}>{ format!("{} ({})", example.name, kind_name(example.kind)) }</option>
                        }) }
                    </select>
                </label>
                <label class="field">{"Name"}
                    <input value={draft.name.clone()} oninput={on_name} data-testid="script-name" />
                </label>
                <label class="field">{"Kind"}
                    <select onchange={on_kind} data-testid="script-kind">
                        <option value="projection" selected={!is_policy}>{"Projection (a read model)"}</option>
                        <option value="policy" selected={is_policy}>{"Policy (a reacting service)"}</option>
                    </select>
                </label>
            </div>
            <div class={classes!("code-editor", error_line.is_some().then_some("has-error"))}>
                <pre class="gutter" ref={gutter} aria-hidden="true">
                    { for (1..=lines).map(|n| html! {
                        <span class={classes!("line-number", (Some(n) == error_line).then_some("error-line"))}>{ format!("{n}\n") }</span>
                    }) }
                </pre>
                <textarea class="code" ref={editor} spellcheck="false" wrap="off" rows="18"
                          value={draft.source.clone()} oninput={on_source} onscroll={on_scroll}
                          aria-label="Script source" data-testid="script-source" />
            </div>
            if let Some(failure) = &failure {
                <p class="script-error" data-testid="script-error" role="alert">
                    <strong>{ failure_title(failure) }</strong>{ format!(" {}", failure.message) }
                    if failure.line.is_some() {
                        {" "}<button type="button" class="link" onclick={go_to_error} data-testid="script-go-to-error">{"Go to it"}</button>
                    }
                </p>
            }
            <div class="button-row">
                <button type="button" class="button primary" onclick={run} disabled={*busy} data-testid="script-dry-run">
                    { if *busy { "Running…" } else { "Dry run up to the cursor" } }
                </button>
                <button type="button" class="button" onclick={deploy} disabled={*busy} data-testid="script-deploy">{"Deploy"}</button>
                if is_policy {
                    <span class="muted">{"A deployed policy reacts to every event appended from then on, in the cause's flow."}</span>
                }
            </div>
            { match dry_run.as_ref() {
                Some(run) => dry_run_view(run),
                None => html! { <p class="muted">{"A dry run replays the log up to the cursor through the script in the worker, and shows what it would build or do. If a version of this script is deployed, it also shows what would change (blue/green)."}</p> },
            } }
            <DeployedList />
        </section>
    }
}

fn kind_name(kind: ScriptKind) -> &'static str {
    match kind {
        ScriptKind::Projection => "projection",
        ScriptKind::Policy => "policy",
    }
}

fn failure_title(failure: &ScriptFailure) -> String {
    let place = match (failure.line, failure.column) {
        (Some(line), Some(column)) => format!("Line {line}, column {column}:"),
        (Some(line), None) => format!("Line {line}:"),
        _ => "Stopped:".to_string(),
    };
    match failure.event_position {
        Some(position) => format!("{place} (at event #{})", fmt_count(position)),
        None => place,
    }
}

/// The UTF-16 offset of a line and column (both 1-based) in `text`, for the text area's selection.
fn offset_of(text: &str, line: usize, column: usize) -> u32 {
    let mut offset = 0usize;
    for (index, content) in text.split('\n').enumerate() {
        if index + 1 == line {
            let within: usize = content
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf16)
                .sum();
            return (offset + within) as u32;
        }
        offset += content.chars().map(char::len_utf16).sum::<usize>() + 1;
    }
    offset as u32
}

fn dry_run_view(run: &DryRun) -> Html {
    let at = format!("up to position {}", fmt_count(run.at.0));
    html! {
        <div class="dry-run" data-testid="script-result">
            { match &run.draft {
                Outcome::Table { columns, rows, events } => html! {
                    <>
                        <h3 class="subhead">{ format!("Dry run: {} rows from {} events, {at}", fmt_count(rows.len() as u64), fmt_count(*events)) }</h3>
                        { match &run.live {
                            Some((version, Outcome::Table { rows: live_rows, .. })) => diff_view(*version, columns, live_rows, rows),
                            Some((version, _)) => html! { <p class="muted">{ format!("The deployed v{version} did not produce a table to compare with.") }</p> },
                            None => html! {},
                        } }
                        { table_view(columns, rows, "script-table") }
                    </>
                },
                Outcome::Intentions { intentions, events } => html! {
                    <>
                        <h3 class="subhead">{ format!("Dry run: {} intentions from {} events, {at}", fmt_count(intentions.len() as u64), fmt_count(*events)) }</h3>
                        if let Some((version, Outcome::Intentions { intentions: live, .. })) = &run.live {
                            { intentions_diff(*version, live, intentions) }
                        }
                        if intentions.is_empty() {
                            <p class="muted">{"It would have done nothing so far."}</p>
                        } else {
                            <ul class="intentions" data-testid="script-intentions">
                                { for intentions.iter().take(SHOWN_ROWS).map(|planned| html! {
                                    <li>
                                        <span class="mono">{ format!("#{} → ", fmt_count(planned.position)) }</span>
                                        <span class="mono">{ planned.intention.to_string() }</span>
                                        if let Some(problem) = &planned.problem {
                                            <span class="warning">{ format!(" · would be refused: {problem}") }</span>
                                        }
                                    </li>
                                }) }
                            </ul>
                        }
                    </>
                },
                Outcome::Failed(_) => html! { <p class="muted">{"Nothing ran: fix the script and try again. The store was not touched."}</p> },
                Outcome::Broken(problem) => html! { <p class="warning" data-testid="script-broken">{ problem.clone() }</p> },
            } }
        </div>
    }
}

/// Rows added, removed and changed between two tables of the same script, by key.
struct TableChanges {
    added: Vec<String>,
    removed: Vec<String>,
    changed: Vec<(String, Vec<String>)>,
}

impl TableChanges {
    fn list(&self) -> Html {
        html! {
            <ul class="diff-list">
                { for self.added.iter().take(20).map(|key| html! { <li class="diff-added">{ format!("+ {key}") }</li> }) }
                { for self.removed.iter().take(20).map(|key| html! { <li class="diff-removed">{ format!("− {key}") }</li> }) }
                { for self.changed.iter().take(20).map(|(key, fields)| html! { <li class="diff-changed">{ format!("~ {key}: {}", fields.join(", ")) }</li> }) }
            </ul>
        }
    }
}

fn table_changes(columns: &[String], before: &[TableRow], after: &[TableRow]) -> TableChanges {
    let old: BTreeMap<&str, &TableRow> = before.iter().map(|row| (row.key.as_str(), row)).collect();
    let new: BTreeMap<&str, &TableRow> = after.iter().map(|row| (row.key.as_str(), row)).collect();
    let added = new
        .keys()
        .filter(|k| !old.contains_key(*k))
        .map(|k| k.to_string())
        .collect();
    let removed = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .map(|k| k.to_string())
        .collect();
    let changed = new
        .iter()
        .filter_map(|(key, row)| {
            let was = old.get(key)?;
            let fields: Vec<String> = columns
                .iter()
                .enumerate()
                .filter(|(i, _)| row.cells.get(*i) != was.cells.get(*i))
                .map(|(i, column)| {
                    format!(
                        "{column}: {} → {}",
                        was.cells.get(i).map_or("—".into(), cell_text),
                        row.cells.get(i).map_or("—".into(), cell_text)
                    )
                })
                .collect();
            (!fields.is_empty() || was.cells.len() != row.cells.len())
                .then(|| (key.to_string(), fields))
        })
        .collect();
    TableChanges {
        added,
        removed,
        changed,
    }
}

/// What the draft would change against the deployed version of the same script (blue/green).
fn diff_view(version: u32, columns: &[String], live: &[TableRow], draft: &[TableRow]) -> Html {
    let changes = table_changes(columns, live, draft);
    html! {
        <div class="script-diff" data-testid="script-diff">
            <p><strong>{ format!("Against the deployed v{version}: ") }</strong>
                <span class="diff-added">{ format!("{} added", changes.added.len()) }</span>{" · "}
                <span class="diff-removed">{ format!("{} removed", changes.removed.len()) }</span>{" · "}
                <span class="diff-changed">{ format!("{} changed", changes.changed.len()) }</span>
            </p>
            { changes.list() }
        </div>
    }
}

/// What the draft policy would do that the deployed version would not, and the reverse.
fn intentions_diff(version: u32, live: &[PlannedIntention], draft: &[PlannedIntention]) -> Html {
    let describe =
        |planned: &PlannedIntention| format!("#{} → {}", planned.position, planned.intention);
    let before: Vec<String> = live.iter().map(describe).collect();
    let after: Vec<String> = draft.iter().map(describe).collect();
    let added: Vec<&String> = after.iter().filter(|line| !before.contains(line)).collect();
    let removed: Vec<&String> = before.iter().filter(|line| !after.contains(line)).collect();
    html! {
        <div class="script-diff" data-testid="script-diff">
            <p><strong>{ format!("Against the deployed v{version}: ") }</strong>
                <span class="diff-added">{ format!("{} more", added.len()) }</span>{" · "}
                <span class="diff-removed">{ format!("{} fewer", removed.len()) }</span>
            </p>
            <ul class="diff-list">
                { for added.iter().take(20).map(|line| html! { <li class="diff-added">{ format!("+ {line}") }</li> }) }
                { for removed.iter().take(20).map(|line| html! { <li class="diff-removed">{ format!("− {line}") }</li> }) }
            </ul>
        </div>
    }
}

fn table_view(columns: &[String], rows: &[TableRow], testid: &'static str) -> Html {
    html! {
        <div class="table-wrap">
            <table class="compare-table script-table" data-testid={testid}>
                <thead><tr><th scope="col">{"Key"}</th>{ for columns.iter().map(|c| html! { <th scope="col">{ c.clone() }</th> }) }</tr></thead>
                <tbody>
                    { for rows.iter().take(SHOWN_ROWS).map(|row| html! {
                        <tr data-testid={format!("{testid}-row")}>
                            <th scope="row" class="mono">{ row.key.clone() }</th>
                            { for row.cells.iter().map(|cell| html! { <td>{ cell_text(cell) }</td> }) }
                        </tr>
                    }) }
                </tbody>
            </table>
            if rows.len() > SHOWN_ROWS {
                <p class="muted">{ format!("The first {SHOWN_ROWS} of {} rows.", fmt_count(rows.len() as u64)) }</p>
            }
        </div>
    }
}

fn cell_text(cell: &Value) -> String {
    match cell {
        Value::String(text) => text.clone(),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}

/// Deployed policies react to what is appended: each time the log grows past what a policy has
/// seen, the worker runs it over the log (its state is rebuilt from the same events every time,
/// so nothing but its text needs keeping) and the page carries out its new decisions.
#[hook]
pub fn use_policies(state: &AppContext) {
    let in_flight = use_mut_ref(std::collections::BTreeSet::<crate::state::scripts::ScriptId>::new);
    let state = state.clone();
    use_effect_with(state.revision, move |_| {
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
            let (state, in_flight) = (state.clone(), in_flight.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let up_to = state.session().shop().store().head();
                let (outcome, _) =
                    run_script(state.clone(), policy.kind, policy.source.clone(), up_to).await;
                in_flight.borrow_mut().remove(&policy.id);
                let intentions = match outcome {
                    Outcome::Intentions { intentions, .. } => intentions,
                    Outcome::Failed(failure) => {
                        state.dispatch(Action::InvalidInput(format!(
                            "{} stopped: {} {}",
                            policy.name,
                            failure_title(&failure),
                            failure.message
                        )));
                        Vec::new()
                    }
                    Outcome::Broken(problem) => {
                        state.dispatch(Action::InvalidInput(format!("{}: {problem}", policy.name)));
                        Vec::new()
                    }
                    Outcome::Table { .. } => Vec::new(),
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

/// The deployed projections, each as of the cursor: rerun in the worker when the cursor or the
/// log moves (after the slider rests), so they follow the timeline like the built-in models.
#[function_component(DeployedList)]
fn deployed_list() -> Html {
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
    let table = use_state(|| None::<(crate::state::scripts::ScriptId, Position, Outcome)>);
    let cursor = state.session().shop().cursor();
    // One run at a time: while one is in the worker, cursor moves only mark it stale; when it
    // comes back, `finished` changes and the newest cursor is run. So a scrub or a running
    // simulation is followed as fast as the worker answers, never queued up behind it.
    let running = use_mut_ref(|| false);
    // Which script, version and cursor the table shows: a component shown for another script
    // must never keep this one's result.
    let last_run = use_mut_ref(|| None::<(crate::state::scripts::ScriptId, u32, Position)>);
    let finished = use_state(|| 0u32);
    {
        let (state, table, script) = (state.clone(), table.clone(), props.script.clone());
        let (running, last_run, finished) = (running.clone(), last_run.clone(), finished.clone());
        use_effect_with((cursor, script.id, script.version, *finished), move |_| {
            let wanted = Some((script.id, script.version, cursor));
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
                let (outcome, _) =
                    run_script(state.clone(), script.kind, script.source, cursor).await;
                table.set(Some((script.id, cursor, outcome)));
                *running.borrow_mut() = false;
                finished.set(finished.wrapping_add(1));
            });
        });
    }
    let undeploy = {
        let (dispatcher, id) = (state.dispatcher(), props.script.id);
        Callback::from(move |_| dispatcher.dispatch(Action::UndeployScript(id)))
    };
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
                            Outcome::Table { columns, rows, .. } => html! {
                                <>
                                    <WhenDid script={script.clone()} columns={columns.clone()} />
                                    { table_view(columns, rows, "deployed-table") }
                                </>
                            },
                            Outcome::Failed(failure) => html! { <p class="warning">{ format!("{} {}", failure_title(failure), failure.message) }</p> },
                            Outcome::Broken(problem) => html! { <p class="warning">{ problem.clone() }</p> },
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
            let events = events_for(&state, &script.handles, head);
            wasm_bindgen_futures::spawn_local(async move {
                let reply = ScriptWorker::shared()
                    .call(WorkerRequest::When {
                        source: script.source,
                        events,
                        key,
                        column,
                        value,
                        time_limit_ms: TIME_LIMIT_MS,
                    })
                    .await;
                answer.set(Some(match reply {
                    Ok(WorkerReply::FirstTime { position, events }) => Ok((position, events)),
                    Ok(WorkerReply::Failed(failure)) => {
                        Err(format!("{} {}", failure_title(&failure), failure.message))
                    }
                    Ok(other) => Err(format!("unexpected reply {other:?}")),
                    Err(problem) => Err(problem),
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
        let actor = eventide_engine::shop::simulation::PolicyActor {
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
    let undeploy = {
        let (dispatcher, id) = (state.dispatcher(), script.id);
        Callback::from(move |_| dispatcher.dispatch(Action::UndeployScript(id)))
    };
    html! {
        <div class="deployed-projection" data-testid="deployed-policy">
            <div class="panel-head">
                <h4 class="subhead">{ format!("{} v{} (policy)", script.name, script.version) }
                    <span class="muted">{ format!(" · reacts to {}", script.handles.join(", ")) }</span>
                </h4>
                <button type="button" class="button" onclick={undeploy} data-testid="script-undeploy">{"Undeploy"}</button>
            </div>
            <p data-testid="policy-reactions">{ format!("{} event(s) in the log so far came from it (producer \u{201c}policy: {}\u{201d}); it has seen up to position {}.", fmt_count(reactions as u64), script.name, fmt_count(script.fed_to)) }</p>
        </div>
    }
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
                let (at_a, _) =
                    run_script(state.clone(), script.kind, script.source.clone(), a).await;
                let (at_b, _) = run_script(state, script.kind, script.source, b).await;
                tables.set(Some((at_a, at_b)));
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
                Some((Outcome::Table { rows: before, .. }, Outcome::Table { columns, rows: after, .. })) => {
                    let changes = table_changes(columns, before, after);
                    html! {
                        <div class="script-diff">
                            <p>
                                <span class="diff-added">{ format!("{} added", changes.added.len()) }</span>{" · "}
                                <span class="diff-removed">{ format!("{} removed", changes.removed.len()) }</span>{" · "}
                                <span class="diff-changed">{ format!("{} changed", changes.changed.len()) }</span>
                            </p>
                            { changes.list() }
                        </div>
                    }
                }
                Some(_) => html! { <p class="warning">{"The script did not produce a table at A or at B: dry run it in the Scripts tab to see why."}</p> },
            } }
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::offset_of;

    #[test]
    fn offsets_count_lines_and_columns_from_one() {
        let text = "fn a() {}\nfn b() { x }\n";
        assert_eq!(offset_of(text, 1, 1), 0);
        assert_eq!(offset_of(text, 2, 10), 19);
        assert_eq!(offset_of("é\nx", 2, 1), 2);
    }
}
