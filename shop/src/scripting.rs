//! What the page and the script worker say to each other. The page runs no script itself: it
//! sends a request (a script's text and the events it handles, as JSON envelopes) and shows the
//! reply. Plain data, so the engine stays free of any script engine.

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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerRequest {
    /// Compile a script: the reply names the event types it has handlers for.
    Compile { kind: ScriptKind, source: String },
    /// Run a script from its initial state over `events` (envelopes as `Recorded::to_json`
    /// writes them, in log order), stopping after `time_limit_ms`.
    Run {
        kind: ScriptKind,
        source: String,
        events: Vec<Value>,
        time_limit_ms: f64,
    },
    /// "When did row `key`'s `column` first equal `value`?": a projection run over `events`,
    /// the row checked after each event it handles (a scan: a script says nothing about
    /// whether its answer, once true, stays true). Reply `FirstTime`.
    When {
        source: String,
        events: Vec<Value>,
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
    /// A projection's read model after the events.
    Table {
        columns: Vec<String>,
        rows: Vec<TableRow>,
        events: u64,
    },
    /// What a policy would have done, event by event.
    Intentions {
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

/// Why a script did not run to the end: its kind ("compile", "runtime", "limit", "shape",
/// "input"), where (line and column, when known) and at which event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScriptFailure {
    pub kind: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub event_position: Option<u64>,
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
