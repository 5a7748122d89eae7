//! # Eventide's script worker
//!
//! Answers the page's [`WorkerRequest`]s with the script host (`eventide-script`, Rhai). It is a
//! wasm module of its own, run in a Web Worker that the page starts only when scripts are first
//! used: the main bundle carries no script engine, and a script that never ends blocks the
//! worker, never the page. A script only ever sees copies of events and its replies are data, so
//! a failing script cannot touch the store.
//!
//! # Layout
//! - [`handle`]: one request, one reply. Pure apart from the clock the caller hands in (the
//!   browser's `performance.now()`, a fake one in tests), so it is tested natively.
//! - [`handle_message`]: the same, for the text that travels between page and worker
//!   ([`RequestEnvelope`] in, [`ReplyEnvelope`] out).
//! - `main.rs`: the worker's entry point on wasm32 (listen, answer, say it is ready).
//!
//! [`RequestEnvelope`]: eventide_shop::scripting::RequestEnvelope
//! [`ReplyEnvelope`]: eventide_shop::scripting::ReplyEnvelope

use eventide_script::{
    Deadline, ErrorKind, Intention, Policy, Projection, ScriptError, ScriptHost,
};
use eventide_shop::scripting::{
    HandlerReads, PlannedIntention, ReplyEnvelope, RequestEnvelope, ScriptFailure, ScriptKind,
    TableRow, WorkerReply, WorkerRequest,
};
use serde_json::Value;

/// Answers one request. `clock` reads milliseconds from any origin; a run stops once
/// `time_limit_ms` have passed on it (and, whatever the clock says, after the host's operation
/// limit in any one call). Every failure, the script's or the input's, is a
/// [`WorkerReply::Failed`]: nothing here panics on what a user wrote.
pub fn handle(request: WorkerRequest, clock: impl Fn() -> f64 + 'static) -> WorkerReply {
    let answered = match request {
        WorkerRequest::Compile { kind, source } => compile(kind, &source),
        WorkerRequest::Run {
            kind,
            source,
            events,
            time_limit_ms,
        } => deadline(time_limit_ms, clock).and_then(|deadline| match kind {
            ScriptKind::Projection => project(&source, &events, &deadline),
            ScriptKind::Policy => plan(&source, &events, &deadline),
        }),
        WorkerRequest::When {
            source,
            events,
            key,
            column,
            value,
            time_limit_ms,
        } => deadline(time_limit_ms, clock)
            .and_then(|deadline| first_time(&source, &events, (&key, &column, &value), &deadline)),
    };
    answered.unwrap_or_else(WorkerReply::Failed)
}

/// Answers one message as it travels: a [`RequestEnvelope`]'s JSON text in, a
/// [`ReplyEnvelope`]'s out, with the request's `id`. Text that is not a request is answered with
/// an "input" failure (under its `id` when one can be read, else 0, which the page never uses).
pub fn handle_message(text: &str, clock: impl Fn() -> f64 + 'static) -> String {
    let envelope = match serde_json::from_str::<RequestEnvelope>(text) {
        Ok(RequestEnvelope { id, request }) => ReplyEnvelope {
            id,
            reply: handle(request, clock),
        },
        Err(error) => ReplyEnvelope {
            id: request_id(text).unwrap_or(0),
            reply: WorkerReply::Failed(input(format!(
                "the worker could not read the request: {error}"
            ))),
        },
    };
    serde_json::to_string(&envelope).unwrap_or_else(|error| {
        // Only a reply holding something JSON cannot write (none does) gets here: say so
        // rather than leave the page waiting.
        let failed = ReplyEnvelope {
            id: envelope.id,
            reply: WorkerReply::Failed(input(format!(
                "the worker could not write its reply: {error}"
            ))),
        };
        serde_json::to_string(&failed).unwrap_or_default()
    })
}

/// The `id` of a message that is not a whole request, to answer it nonetheless.
fn request_id(text: &str) -> Option<u64> {
    serde_json::from_str::<Value>(text)
        .ok()?
        .get("id")?
        .as_u64()
}

fn compile(kind: ScriptKind, source: &str) -> Result<WorkerReply, ScriptFailure> {
    let host = ScriptHost::default();
    let (handles, reads) = match kind {
        ScriptKind::Projection => {
            let script = Projection::compile(&host, source).map_err(failure)?;
            (script.handles().to_vec(), script.reads().to_vec())
        }
        ScriptKind::Policy => {
            let script = Policy::compile(&host, source).map_err(failure)?;
            (script.handles().to_vec(), script.reads().to_vec())
        }
    };
    let reads = reads
        .into_iter()
        .map(|(event_type, reads)| HandlerReads { event_type, reads })
        .collect();
    Ok(WorkerReply::Compiled { handles, reads })
}

/// The run's deadline, counted from now. An infinite limit means none.
fn deadline(
    time_limit_ms: f64,
    clock: impl Fn() -> f64 + 'static,
) -> Result<Deadline, ScriptFailure> {
    if time_limit_ms == f64::INFINITY {
        Ok(Deadline::none())
    } else if time_limit_ms > 0.0 {
        Ok(Deadline::after_ms(time_limit_ms, clock))
    } else {
        Err(input(format!(
            "the time limit must be a positive number of milliseconds, not {time_limit_ms}"
        )))
    }
}

/// A projection folded from its initial state over `events`, as a table.
fn project(
    source: &str,
    events: &[Value],
    deadline: &Deadline,
) -> Result<WorkerReply, ScriptFailure> {
    let projection = Projection::compile(&ScriptHost::default(), source).map_err(failure)?;
    let mut state = projection.init(deadline).map_err(failure)?;
    let mut handled = 0;
    for event in events {
        if projection
            .apply(&mut state, event, deadline)
            .map_err(failure)?
        {
            handled += 1;
        }
    }
    let table = projection.table(&state, deadline).map_err(failure)?;
    Ok(WorkerReply::Table {
        columns: table.columns,
        rows: table
            .rows
            .into_iter()
            .map(|row| TableRow {
                key: row.key,
                cells: row.cells,
            })
            .collect(),
        events: handled,
    })
}

/// The first event after which a projection's row `key` has `value` in `column`: the table is
/// read after every event the script handles (a scan, so it costs a table per event).
fn first_time(
    source: &str,
    events: &[Value],
    (key, column, value): (&str, &str, &str),
    deadline: &Deadline,
) -> Result<WorkerReply, ScriptFailure> {
    let projection = Projection::compile(&ScriptHost::default(), source).map_err(failure)?;
    let mut state = projection.init(deadline).map_err(failure)?;
    let mut handled = 0;
    for event in events {
        if !projection
            .apply(&mut state, event, deadline)
            .map_err(failure)?
        {
            continue;
        }
        handled += 1;
        let table = projection.table(&state, deadline).map_err(failure)?;
        let Some(index) = table.columns.iter().position(|name| name == column) else {
            continue;
        };
        let holds = table
            .rows
            .iter()
            .find(|row| row.key == key)
            .and_then(|row| row.cells.get(index))
            .is_some_and(|cell| cell_equals(cell, value));
        if holds {
            return Ok(WorkerReply::FirstTime {
                position: event.get("position").and_then(Value::as_u64),
                events: handled,
            });
        }
    }
    Ok(WorkerReply::FirstTime {
        position: None,
        events: handled,
    })
}

/// A cell equals what a person typed: text as written, numbers by value.
fn cell_equals(cell: &Value, typed: &str) -> bool {
    let typed = typed.trim();
    match cell {
        Value::String(text) => text == typed,
        Value::Number(number) => typed
            .parse::<f64>()
            .ok()
            .zip(number.as_f64())
            .is_some_and(|(a, b)| a == b),
        // true, false, null, or a list or map written as JSON.
        other => serde_json::to_string(other).is_ok_and(|text| text == typed),
    }
}

/// A policy run from its initial state over `events`: what it would have done, event by event.
fn plan(source: &str, events: &[Value], deadline: &Deadline) -> Result<WorkerReply, ScriptFailure> {
    let policy = Policy::compile(&ScriptHost::default(), source).map_err(failure)?;
    let mut state = policy.init(deadline).map_err(failure)?;
    let mut handled = 0;
    let mut planned = Vec::new();
    for event in events {
        let intentions = policy
            .handle(&mut state, event, deadline)
            .map_err(failure)?;
        let event_type = event.get("event_type").and_then(Value::as_str);
        if policy
            .handles()
            .iter()
            .any(|name| Some(name.as_str()) == event_type)
        {
            handled += 1;
        }
        // `handle` has read the position already, or refused the event.
        let position = event.get("position").and_then(Value::as_u64).unwrap_or(0);
        planned.extend(
            intentions
                .iter()
                .map(|intention| planned_intention(position, intention)),
        );
    }
    Ok(WorkerReply::Intentions {
        intentions: planned,
        events: handled,
    })
}

/// An intention and what it would be in the shop's terms, or why it is nothing the shop knows.
fn planned_intention(position: u64, intention: &Intention) -> PlannedIntention {
    let (command, event, problem) = match intention {
        Intention::Command { .. } => match intention.to_shop_command() {
            Ok(command) => (Some(command), None, None),
            Err(error) => (None, None, Some(error.to_string())),
        },
        Intention::Publish { .. } => match intention.to_shop_event() {
            Ok(event) => (None, Some(event), None),
            Err(error) => (None, None, Some(error.to_string())),
        },
    };
    PlannedIntention {
        position,
        intention: intention.to_json(),
        command,
        event,
        problem,
    }
}

fn input(message: String) -> ScriptFailure {
    ScriptFailure {
        kind: "input".to_string(),
        line: None,
        column: None,
        message,
        event_position: None,
    }
}

/// The failure as it crosses to the page: the kind as a word, the rest as it is.
pub fn failure(error: ScriptError) -> ScriptFailure {
    let kind = match error.kind {
        ErrorKind::Compile => "compile",
        ErrorKind::Runtime => "runtime",
        ErrorKind::Limit => "limit",
        ErrorKind::Shape => "shape",
        ErrorKind::Input => "input",
    };
    ScriptFailure {
        kind: kind.to_string(),
        line: error.line,
        column: error.column,
        message: error.message,
        event_position: error.event_position,
    }
}

#[cfg(test)]
mod tests;
