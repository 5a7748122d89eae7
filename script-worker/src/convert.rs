//! The host's answers in the protocol's terms: failures with their typed kind, tables (or the
//! window of rows asked for), intentions in the shop's terms, and a run's deadline.

use eventide_script::{Deadline, ErrorKind, Intention, ScriptError, ScriptTable};
use eventide_shop::scripting::{
    FailureKind, PlannedIntention, RowWindow, ScriptFailure, TableRow, WorkerReply,
};
use serde_json::Value;

/// The failure as it crosses to the page: the kind as a [`FailureKind`], the rest as it is.
pub fn failure(error: ScriptError) -> ScriptFailure {
    let kind = match error.kind {
        ErrorKind::Compile => FailureKind::Compile,
        ErrorKind::Runtime => FailureKind::Runtime,
        ErrorKind::Limit => FailureKind::Limit,
        ErrorKind::Shape => FailureKind::Shape,
        ErrorKind::Input => FailureKind::Input,
    };
    ScriptFailure {
        kind,
        line: error.line,
        column: error.column,
        message: error.message,
        event_position: error.event_position,
    }
}

pub(crate) fn input(message: String) -> ScriptFailure {
    ScriptFailure::new(FailureKind::Input, message)
}

/// The run's deadline, counted from now. An infinite limit means none.
pub(crate) fn deadline(
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

/// A table as the page reads it: the rows in `window`, and how many there are in all.
pub(crate) fn table(at: u64, table: ScriptTable, window: RowWindow, events: u64) -> WorkerReply {
    let total_rows = table.rows.len();
    let rows = table
        .rows
        .into_iter()
        .skip(window.first)
        .take(window.count)
        .map(|row| TableRow {
            key: row.key,
            cells: row.cells,
        })
        .collect();
    WorkerReply::Table {
        at,
        columns: table.columns,
        rows,
        total_rows,
        events,
    }
}

/// An intention and what it would be in the shop's terms, or why it is nothing the shop knows.
pub(crate) fn planned(position: u64, intention: &Intention) -> PlannedIntention {
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

/// A cell equals what a person typed: text as written, numbers by value.
pub(crate) fn cell_equals(cell: &Value, typed: &str) -> bool {
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
