//! Write your own read model or reacting service: an editor (line numbers, the error marked at
//! its line and column), example scripts, a dry run over the log up to the cursor, a diff against
//! the deployed version (blue/green), and deployment. Scripts run in the script worker, never on
//! the page: a runaway script is stopped there and the store is never touched by a dry run.

use eventide_engine::Position;
use eventide_shop::scripting::{
    PlannedIntention, ScriptFailure, ScriptKind, TableRow, WorkerReply,
};
use serde_json::Value;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::format::fmt_count;
use crate::scripting::runner::ScriptRunner;
use crate::scripting::table_diff::{self, Table, TableDiff};
use crate::state::scripts::{Draft, Handlers, EXAMPLES};
use crate::state::{use_app, Action, AppContext};

/// Rows shown of a table (a dry run's or a deployed projection's).
pub(super) const SHOWN_ROWS: usize = 200;

/// What a run produced, or why it did not (the script's failure, or the worker's: see
/// [`ScriptFailure::kind`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Table {
        columns: Vec<String>,
        rows: Vec<TableRow>,
        /// All the rows there are (`rows` may be the first of them only).
        total_rows: usize,
        events: u64,
    },
    Intentions {
        intentions: Vec<PlannedIntention>,
        events: u64,
    },
    Failed(ScriptFailure),
}

impl Outcome {
    /// The runner's answer as an outcome.
    pub fn of(answer: Result<WorkerReply, ScriptFailure>) -> Outcome {
        match answer {
            Ok(WorkerReply::Table {
                columns,
                rows,
                total_rows,
                events,
                ..
            }) => Outcome::Table {
                columns,
                rows,
                total_rows,
                events,
            },
            Ok(WorkerReply::Intentions {
                intentions, events, ..
            }) => Outcome::Intentions { intentions, events },
            Ok(WorkerReply::Failed(failure)) | Err(failure) => Outcome::Failed(failure),
            Ok(other) => Outcome::Failed(ScriptFailure::new(
                eventide_shop::scripting::FailureKind::Input,
                format!("unexpected reply {other:?}"),
            )),
        }
    }
}

/// Compiles `source`, then runs it over the log up to `until` in the worker's copy; also
/// returns what the worker found it handles, and what each handler reads.
pub async fn run_script(
    state: AppContext,
    kind: ScriptKind,
    source: String,
    until: Position,
) -> (Outcome, Handlers) {
    let runner = ScriptRunner::shared();
    let handlers = match runner.compile(kind, &source).await {
        Ok((handles, reads)) => Handlers { handles, reads },
        Err(failure) => return (Outcome::Failed(failure), Handlers::default()),
    };
    let answer = runner
        .dry_run(&state, kind, &source, &handlers.handles, until)
        .await;
    (Outcome::of(answer), handlers)
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
                if let Some(kind) = ScriptKind::parse(&select.value()) {
                    edit(Box::new(move |d| d.kind = kind));
                }
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
                    Outcome::Failed(failure) if failure.kind.is_worker() => {
                        state.dispatch(Action::InvalidInput(format!(
                            "{} was not deployed: {}",
                            draft.name, failure.message
                        )));
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
                }
                busy.set(false);
            });
        })
    };

    let failure = match dry_run.as_ref().map(|run| &run.draft) {
        Some(Outcome::Failed(failure)) if !failure.kind.is_worker() => Some(failure.clone()),
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
                            <option value={i.to_string()}>{ format!("{} ({})", example.name, example.kind.name()) }</option>
                        }) }
                    </select>
                </label>
                <label class="field">{"Name"}
                    <input value={draft.name.clone()} oninput={on_name} data-testid="script-name" />
                </label>
                <label class="field">{"Kind"}
                    <select onchange={on_kind} data-testid="script-kind">
                        <option value={ScriptKind::Projection.name()} selected={!is_policy}>{"Projection (a read model)"}</option>
                        <option value={ScriptKind::Policy.name()} selected={is_policy}>{"Policy (a reacting service)"}</option>
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
            <super::deployed_scripts::DeployedList />
        </section>
    }
}

pub(super) fn failure_title(failure: &ScriptFailure) -> String {
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
                Outcome::Table { columns, rows, total_rows, events } => html! {
                    <>
                        <h3 class="subhead">{ format!("Dry run: {} rows from {} events, {at}", fmt_count(*total_rows as u64), fmt_count(*events)) }</h3>
                        { match &run.live {
                            Some((version, Outcome::Table { columns: live_columns, rows: live_rows, .. })) => diff_view(*version, Table { columns: live_columns, rows: live_rows }, Table { columns, rows }),
                            Some((version, _)) => html! { <p class="muted">{ format!("The deployed v{version} did not produce a table to compare with.") }</p> },
                            None => html! {},
                        } }
                        { table_view(columns, rows, *total_rows, "script-table") }
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
                Outcome::Failed(failure) if failure.kind.is_worker() => html! { <p class="warning" data-testid="script-broken">{ failure.message.clone() }</p> },
                Outcome::Failed(_) => html! { <p class="muted">{"Nothing ran: fix the script and try again. The store was not touched."}</p> },
            } }
        </div>
    }
}

/// What differs between two tables of the same script: columns by name, rows by key.
pub(super) fn changes_view(changes: &TableDiff) -> Html {
    let count = |n: usize| fmt_count(n as u64);
    html! {
        <>
            <p>
                <span class="diff-added">{ format!("{} added", count(changes.rows_added.len())) }</span>{" · "}
                <span class="diff-removed">{ format!("{} removed", count(changes.rows_removed.len())) }</span>{" · "}
                <span class="diff-changed">{ format!("{} changed", count(changes.rows_changed.len())) }</span>
            </p>
            <ul class="diff-list" data-testid="script-diff-list">
                { for changes.columns_added.iter().map(|column| html! { <li class="diff-added" data-testid="column-added">{ format!("+ column {column}") }</li> }) }
                { for changes.columns_removed.iter().map(|column| html! { <li class="diff-removed" data-testid="column-removed">{ format!("− column {column}") }</li> }) }
                { for changes.rows_added.iter().take(20).map(|key| html! { <li class="diff-added">{ format!("+ {key}") }</li> }) }
                { for changes.rows_removed.iter().take(20).map(|key| html! { <li class="diff-removed">{ format!("− {key}") }</li> }) }
                { for changes.rows_changed.iter().take(20).map(|row| {
                    let fields: Vec<String> = row.fields.iter().map(|field| format!("{}: {} → {}", field.column, cell_text(&field.before), cell_text(&field.after))).collect();
                    html! { <li class="diff-changed">{ format!("~ {}: {}", row.key, fields.join(", ")) }</li> }
                }) }
            </ul>
        </>
    }
}

/// What the draft would change against the deployed version of the same script (blue/green).
fn diff_view(version: u32, live: Table<'_>, draft: Table<'_>) -> Html {
    let changes = table_diff::diff(live, draft);
    html! {
        <div class="script-diff" data-testid="script-diff">
            <p><strong>{ format!("Against the deployed v{version}:") }</strong></p>
            { changes_view(&changes) }
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

/// A table's first rows; `total_rows` are all it has (`rows` may be only the first of them).
pub(super) fn table_view(
    columns: &[String],
    rows: &[TableRow],
    total_rows: usize,
    testid: &'static str,
) -> Html {
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
            if total_rows > SHOWN_ROWS.min(rows.len()) {
                <p class="muted">{ format!("The first {} of {} rows.", SHOWN_ROWS.min(rows.len()), fmt_count(total_rows as u64)) }</p>
            }
        </div>
    }
}

pub(super) fn cell_text(cell: &Value) -> String {
    match cell {
        Value::String(text) => text.clone(),
        Value::Null => "—".into(),
        other => other.to_string(),
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
