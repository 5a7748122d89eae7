//! What the page and the script worker say to each other. The page runs no script itself. The
//! worker keeps its own copy of the log, fed only what was appended (as JSON envelopes), and the
//! deployed scripts with their state checkpoints; the page asks for answers at positions. Plain
//! data, so the engine stays free of any script engine.
//!
//! The protocol is "the page believes, the worker checks": every request names the copy of the
//! log it assumes (a [`CopyId`], new whenever the page's log is replaced) and the scripts by
//! [`ScriptRef`]. A worker that lacks what a request assumes (it restarted, or the copy moved on)
//! answers [`WorkerReply::OutOfStep`] and the page sends the log again. Replies name the copy and
//! the position they answer, so a stale one is recognised as such.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::commands::ShopCommand;
use crate::evolution::FieldReads;
use crate::ShopEvent;

/// What a script is: a read model, or a service that reacts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScriptKind {
    Projection,
    Policy,
}

impl ScriptKind {
    pub const ALL: [ScriptKind; 2] = [ScriptKind::Projection, ScriptKind::Policy];

    /// The word a form uses for it (`<option value=...>`), read back by [`ScriptKind::parse`].
    pub fn name(self) -> &'static str {
        match self {
            ScriptKind::Projection => "projection",
            ScriptKind::Policy => "policy",
        }
    }

    /// The kind a form's word names, if any.
    pub fn parse(word: &str) -> Option<ScriptKind> {
        ScriptKind::ALL.into_iter().find(|kind| kind.name() == word)
    }
}

/// A deployed script's identity: it stays through redeploys (new versions) and is what its
/// events carry, since a name is free text and may be anything, "Storefront" included.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct ScriptId(pub u64);

/// One version of one deployed script, as requests name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ScriptRef {
    pub id: ScriptId,
    pub version: u32,
}

/// Which copy of the log the worker holds. The page starts a new one whenever its log is
/// replaced (an import, a branch switch, a new session, a schema change that alters how
/// consumers read events) or the event types it sends grow; nothing of an older copy
/// (checkpoints, a policy's progress) carries over.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct CopyId(pub u64);

/// Which rows of a table to send back: a cursor move needs only what is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowWindow {
    pub first: usize,
    pub count: usize,
}

impl RowWindow {
    /// Every row (a diff needs them all).
    pub const ALL: RowWindow = RowWindow {
        first: 0,
        count: usize::MAX,
    };
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerRequest {
    /// Compile a script: the reply names the event types it has handlers for.
    Compile { kind: ScriptKind, source: String },
    /// Start copy `copy` of the log, empty, holding events of `event_types` only (the page sends
    /// no other). Reply `Synced`.
    NewCopy {
        copy: CopyId,
        event_types: Vec<String>,
    },
    /// Events appended to the log (envelopes as consumers read them, in log order, of the copy's
    /// types only). `after` is the position the copy has been fed up to, `through` the one it is
    /// fed up to with these (events of other types in between were never sent). Reply `Synced`,
    /// or `OutOfStep` when the worker's copy is another or elsewhere.
    Append {
        copy: CopyId,
        after: u64,
        through: u64,
        events: Vec<Value>,
    },
    /// Compile and keep a deployed script (replacing any other version of it). Reply `Loaded`.
    Load {
        script: ScriptRef,
        kind: ScriptKind,
        source: String,
    },
    /// Drop a deployed script and everything kept for it. Reply `Loaded` with no handlers.
    Unload { script: ScriptId },
    /// A deployed projection's table after the events up to `at`, from its nearest checkpoint.
    TableAt {
        copy: CopyId,
        script: ScriptRef,
        at: u64,
        rows: RowWindow,
        time_limit_ms: f64,
    },
    /// A deployed policy's decisions caused by the events in (its progress, `through`]: it
    /// folds on from where it stopped. Those caused at or before `report_after` are not sent
    /// (it saw them before being deployed, or acted on them already). Reply `Intentions`.
    CatchUp {
        copy: CopyId,
        script: ScriptRef,
        through: u64,
        report_after: u64,
        time_limit_ms: f64,
    },
    /// A script that is not deployed (a draft, or a deployed one's text for comparison) run
    /// from its initial state over the copy up to `at`. Reply `Table` or `Intentions`.
    DryRun {
        copy: CopyId,
        kind: ScriptKind,
        source: String,
        at: u64,
        time_limit_ms: f64,
    },
    /// "When did row `key`'s `column` first equal `value`?", asked of a deployed projection over
    /// the copy up to `through`: the row is checked after each event it handles (a scan: a script
    /// says nothing about whether its answer, once true, stays true). Reply `FirstTime`.
    When {
        copy: CopyId,
        script: ScriptRef,
        through: u64,
        key: String,
        column: String,
        value: String,
        time_limit_ms: f64,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerReply {
    Compiled {
        handles: Vec<String>,
        /// The payload fields each handler reads, by event type (a worker from before this
        /// was known sends none).
        #[serde(default)]
        reads: Vec<HandlerReads>,
    },
    /// The copy now holds the events up to `through`.
    Synced {
        copy: CopyId,
        through: u64,
    },
    /// A deployed script is kept (or dropped): the event types it handles.
    Loaded {
        script: ScriptId,
        handles: Vec<String>,
    },
    /// The worker lacks what the request assumed: it holds `copy` (if any) up to `through`,
    /// and not the script named (when `script_missing`). The page sends the log again.
    OutOfStep {
        copy: Option<CopyId>,
        through: u64,
        script_missing: bool,
    },
    /// A projection's read model after the events up to `at`: the rows asked for of
    /// `total_rows`.
    Table {
        at: u64,
        columns: Vec<String>,
        rows: Vec<TableRow>,
        total_rows: usize,
        events: u64,
    },
    /// What a policy would have done (or, caught up, does), event by event, for the events
    /// in (`after`, `through`].
    Intentions {
        after: u64,
        through: u64,
        intentions: Vec<PlannedIntention>,
        events: u64,
    },
    /// The answer to `When`: the position of the first event after which it held, if any.
    FirstTime {
        position: Option<u64>,
        events: u64,
    },
    Failed(ScriptFailure),
}

/// The payload fields a script's handler for `event_type` reads, found in its source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlerReads {
    pub event_type: String,
    pub reads: FieldReads,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableRow {
    pub key: String,
    pub cells: Vec<Value>,
}

/// One thing a policy decided to do, and what it would be in the shop's terms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedIntention {
    /// The event that caused it.
    pub position: u64,
    pub intention: Value,
    pub command: Option<ShopCommand>,
    pub event: Option<ShopEvent>,
    /// Why it is neither a valid command nor a publishable event.
    pub problem: Option<String>,
}

/// Why a script, or the worker running it, did not get to the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The script does not parse, or breaks a convention.
    Compile,
    /// A function failed while running: an unknown variable, a type mismatch, a `throw`.
    Runtime,
    /// A limit stopped it: operations, time, call depth or the size of its data.
    Limit,
    /// It ran, but what it returned has the wrong shape.
    Shape,
    /// The worker was handed something it cannot read (a malformed request or event).
    Input,
    /// The worker crashed (a trap, a stack overflow), could not start, or was stopped.
    WorkerCrashed,
    /// The worker did not answer in time.
    WorkerTimedOut,
}

impl FailureKind {
    /// Whether running the same script over the same events would fail the same way: a time
    /// limit or a crash may not recur, a mistake in the script does.
    pub fn recurs(self) -> bool {
        matches!(
            self,
            FailureKind::Compile | FailureKind::Runtime | FailureKind::Shape | FailureKind::Input
        )
    }

    /// Whether the worker itself failed, not the script.
    pub fn is_worker(self) -> bool {
        matches!(
            self,
            FailureKind::WorkerCrashed | FailureKind::WorkerTimedOut
        )
    }
}

/// Why a script did not run to the end: its kind, where (line and column, when known) and at
/// which event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScriptFailure {
    pub kind: FailureKind,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub event_position: Option<u64>,
}

impl ScriptFailure {
    /// A failure with no place in a script.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> ScriptFailure {
        ScriptFailure {
            kind,
            line: None,
            column: None,
            message: message.into(),
            event_position: None,
        }
    }
}

/// A request as it travels to the worker, as a JSON string: `{"id": n, "request": ...}`. The
/// page numbers its requests; the worker answers each with the same `id`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestEnvelope {
    pub id: u64,
    pub request: WorkerRequest,
}

/// A reply as it travels back, as a JSON string: `{"id": n, "reply": ...}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplyEnvelope {
    pub id: u64,
    pub reply: WorkerReply,
}

/// What the worker posts once, when it has started listening. A worker drops the messages that
/// arrive while it has no listener, and its wasm module loads asynchronously: the page holds its
/// requests back until it has seen this.
pub const WORKER_READY: &str = r#"{"ready":true}"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_kind_reads_back_from_its_name() {
        for kind in ScriptKind::ALL {
            assert_eq!(ScriptKind::parse(kind.name()), Some(kind));
        }
        assert_eq!(ScriptKind::parse("Policy"), None);
    }

    #[test]
    fn a_failure_kind_travels_as_a_word() {
        let failure = ScriptFailure::new(FailureKind::WorkerTimedOut, "late");
        let json = serde_json::to_value(&failure).expect("writes");
        assert_eq!(json["kind"], "worker_timed_out");
        assert_eq!(
            serde_json::to_value(FailureKind::Limit).expect("writes"),
            "limit"
        );
    }
}
