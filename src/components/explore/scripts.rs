//! A read model of your own over the explored log: a projection in Rhai, run in the script
//! worker over the log's envelopes up to the cursor (the log itself is never touched). When
//! "what if" leaves events out, the same script runs again without them, and what differs is
//! shown beside the real table.

use std::cell::Cell;
use std::rc::Rc;

use eventide_engine::handler_name::handler_name;
use eventide_engine::Position;
use eventide_logs::envelope::envelopes_of;
use eventide_logs::{LogStore, OpenLog};
use eventide_shop::scripting::{
    CopyId, FailureKind, ScriptFailure, ScriptKind, WorkerReply, WorkerRequest,
};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::use_explorer;
use crate::components::scripts_panel::{changes_view, table_view, Outcome};
use crate::explore::Stage;
use crate::format::fmt_count;
use crate::scripting::table_diff::{self, Table};
use crate::scripting::ScriptWorker;

/// The explorer's copies of a log in the worker are numbered apart from the shop's (which
/// count up from 1), so neither is ever taken for the other.
const FIRST_COPY: u64 = 1 << 62;
/// Envelopes sent to the worker a message at a time.
const BATCH: usize = 5_000;
/// How long a run may take in the worker.
const TIME_LIMIT_MS: f64 = 20_000.0;
/// How many of a log's types the example script has a handler for.
const EXAMPLE_TYPES: usize = 12;

thread_local! {
    static COPIES: Cell<u64> = const { Cell::new(FIRST_COPY) };
}

/// A projection for this log to start from: a row per stream, its events counted and the
/// last one's type, with a handler for each of the log's first types.
pub fn example_script(store: &LogStore) -> String {
    let mut script = String::from(
        "// A read model of this log, in Rhai: a row per stream, how many events it has had and\n\
         // the last one's type. A handler is named after its event type (see the Catalog).\n\
         // Run folds the log up to the cursor in the script worker; the log is never changed.\n\n\
         fn init() {\n    #{}\n}\n\nfn columns() {\n    [\"events\", \"last\"]\n}\n",
    );
    for (_, kind) in store.kinds().iter().take(EXAMPLE_TYPES) {
        let handler = handler_name(kind);
        if handler.is_empty() {
            continue;
        }
        script.push_str(&format!(
            "\nfn {handler}(event) {{\n    let stream = event.aggregate ?? \"(no stream)\";\n    \
             let row = this[stream] ?? #{{ events: 0 }};\n    row.events += 1;\n    \
             row.last = event.type;\n    this[stream] = row;\n}}\n"
        ));
    }
    script
}

/// The projection's table over the log up to `at`, leaving out `skipped` (ascending).
async fn run(
    log: Rc<OpenLog>,
    source: String,
    at: Position,
    skipped: Rc<Vec<Position>>,
) -> Outcome {
    // The dry run compiles the script against the copy's types (the log's own), so a
    // mistake in it comes back from there, at its line.
    let worker = ScriptWorker::shared();
    let copy = CopyId(COPIES.with(|copies| {
        let next = copies.get() + 1;
        copies.set(next);
        next
    }));
    let store = log.store();
    let mut event_types: Vec<String> = store
        .kinds()
        .iter()
        .map(|(_, name)| name.to_owned())
        .collect();
    event_types.sort();
    if let Err(failure) = expect_synced(
        worker
            .call(WorkerRequest::NewCopy { copy, event_types })
            .await,
    ) {
        return Outcome::Failed(failure);
    }
    let mut after = 0;
    let mut batch = Vec::with_capacity(BATCH);
    // Built a batch at a time, so a long log is never held twice as JSON.
    let mut envelopes = envelopes_of(store, at).enumerate().peekable();
    while envelopes.peek().is_some() {
        let mut through = after;
        for (index, envelope) in envelopes.by_ref() {
            through = index as u64 + 1;
            if skipped.binary_search(&Position(through)).is_err() {
                batch.push(envelope);
            }
            if batch.len() == BATCH {
                break;
            }
        }
        let events = std::mem::take(&mut batch);
        let appended = worker
            .call(WorkerRequest::Append {
                copy,
                after,
                through,
                events,
            })
            .await;
        if let Err(failure) = expect_synced(appended) {
            return Outcome::Failed(failure);
        }
        after = through;
    }
    Outcome::of(
        worker
            .call(WorkerRequest::DryRun {
                copy,
                kind: ScriptKind::Projection,
                source,
                at: at.0,
                time_limit_ms: TIME_LIMIT_MS,
            })
            .await,
    )
}

fn expect_synced(answer: Result<WorkerReply, ScriptFailure>) -> Result<(), ScriptFailure> {
    match answer? {
        WorkerReply::Synced { .. } => Ok(()),
        WorkerReply::Failed(failure) => Err(failure),
        other => Err(ScriptFailure::new(
            FailureKind::Input,
            format!("the script worker answered something else: {other:?}"),
        )),
    }
}

/// A run's result: as of where, the real table, and the table without the skipped events.
#[derive(Clone, Debug, PartialEq)]
struct Ran {
    at: Position,
    real: Outcome,
    without: Option<(usize, Outcome)>,
}

#[function_component(Scripts)]
pub fn scripts() -> Html {
    let explorer = use_explorer();
    let stage = explorer.stage();
    let Stage::Open(open) = &*stage else {
        return html! {};
    };
    let source = {
        // Written once, when the tab first shows, not on every render.
        let log = open.log.clone();
        use_state(move || example_script(log.store()))
    };
    let ran = use_state(|| None::<Ran>);
    let busy = use_state(|| false);
    let on_input = {
        let source = source.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(area) = event.target_dyn_into::<HtmlTextAreaElement>() {
                source.set(area.value());
            }
        })
    };
    let on_run = {
        let (explorer, source, ran, busy) =
            (explorer.clone(), source.clone(), ran.clone(), busy.clone());
        Callback::from(move |_: MouseEvent| {
            let (log, at, skipped) = match &*explorer.stage() {
                Stage::Open(open) => (
                    open.log.clone(),
                    open.cursor,
                    open.skipped
                        .as_ref()
                        .map(|skipped| skipped.positions.clone()),
                ),
                _ => return,
            };
            let (text, ran, busy) = ((*source).clone(), ran.clone(), busy.clone());
            busy.set(true);
            ran.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let real = run(log.clone(), text.clone(), at, Rc::new(Vec::new())).await;
                let without = match skipped {
                    Some(skipped) if matches!(real, Outcome::Table { .. }) => {
                        let left_out = skipped.partition_point(|&position| position <= at);
                        Some((left_out, run(log, text, at, skipped).await))
                    }
                    _ => None,
                };
                ran.set(Some(Ran { at, real, without }));
                busy.set(false);
            });
        })
    };
    let result = ran.as_ref().map(|ran| {
        let without = match (&ran.real, &ran.without) {
            (
                Outcome::Table { columns, rows, .. },
                Some((left_out, Outcome::Table { columns: other_columns, rows: other_rows, .. })),
            ) => {
                let changes = table_diff::diff(
                    Table { columns, rows },
                    Table { columns: other_columns, rows: other_rows },
                );
                html! {
                    <div class="script-diff" data-testid="explore-script-what-if">
                        <p><strong>{ format!("Without the {} events left out by What if:", fmt_count(*left_out as u64)) }</strong></p>
                        { changes_view(&changes) }
                    </div>
                }
            }
            (_, Some((_, Outcome::Failed(failure)))) => html! { <p class="warning">{ format!("Without the events left out, it fails: {}", failure.message) }</p> },
            _ => html! {},
        };
        let real = match &ran.real {
            Outcome::Table { columns, rows, total_rows, events } => html! {
                <>
                    <h3 class="subhead">{ format!("{} rows from {} events, up to position {}", fmt_count(*total_rows as u64), fmt_count(*events), fmt_count(ran.at.0)) }</h3>
                    { table_view(columns, rows, *total_rows, "explore-script-table") }
                </>
            },
            Outcome::Intentions { .. } => html! { <p class="muted">{"That is a policy: here, write a projection (a table)."}</p> },
            Outcome::Failed(failure) => {
                let at = match (failure.line, failure.column) {
                    (Some(line), Some(column)) => format!("line {line}, column {column}: "),
                    (Some(line), None) => format!("line {line}: "),
                    _ => String::new(),
                };
                html! { <p class="query-error" role="alert" data-testid="explore-script-error">{ format!("{at}{}", failure.message) }</p> }
            }
        };
        html! { <div class="dry-run" data-testid="explore-script-result">{ without }{ real }</div> }
    });
    html! {
        <section class="panel explore-table explore-scripts" data-testid="explore-scripts">
            <p class="panel-hint">{"Your own read model of this log: a projection in Rhai, folded over the log up to the cursor. With What if leaving events out, it runs again without them and shows what differs."}</p>
            <textarea class="script-editor explore-script-editor" rows="14" spellcheck="false" value={(*source).clone()}
                      oninput={on_input} aria-label="The projection's script" data-testid="explore-script" />
            <div class="button-row">
                <button type="button" class="button" onclick={on_run} disabled={*busy} data-testid="explore-script-run">
                    { if *busy { "Running…" } else { "Run as of the cursor" } }
                </button>
            </div>
            { result.unwrap_or_default() }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventide_logs::MappedEvent;

    #[test]
    fn the_example_names_a_handler_for_each_of_the_first_types() {
        let mut store = LogStore::new();
        for (line, kind) in ["org.example.book.lent", "org.example.book.returned", "..."]
            .iter()
            .enumerate()
        {
            store
                .push(&MappedEvent {
                    place: eventide_logs::Place::Line(line as u64 + 1),
                    id: None,
                    event_type: (*kind).into(),
                    stream: None,
                    time: None,
                    correlation: None,
                    causation: None,
                    producer: None,
                    data: serde_json::json!({}),
                })
                .unwrap();
        }
        let script = example_script(&store);
        assert!(script.contains("fn OrgExampleBookLent(event)"), "{script}");
        assert!(
            script.contains("fn OrgExampleBookReturned(event)"),
            "{script}"
        );
        assert_eq!(
            script.matches("(event)").count(),
            2,
            "no handler for a type with no name"
        );
    }
}
