//! # Eventide's script worker
//!
//! Runs the user's scripts (`eventide-script`, Rhai) for the page, as a script runner service.
//! It is a wasm module of its own, run in a Web Worker that the page starts only when scripts
//! are first used: the main bundle carries no script engine, and a script that never ends
//! blocks the worker, never the page. A script only ever sees copies of events and its replies
//! are data, so a failing script cannot touch the store.
//!
//! The worker keeps its own copy of the log, fed only the events appended since (of the types
//! the deployed scripts handle), and each deployed script's state on it: a projection's
//! checkpoints, a policy's progress. So a cursor move costs the page a small request and the
//! rows it shows, and a policy's catch-up folds only the new events.
//!
//! # Layout
//! - [`Runner`] (`runner.rs`): one request, one reply, against the state kept between them.
//!   Pure apart from the clock the caller hands in (the browser's `performance.now()`, a fake
//!   one in tests), so it is tested natively.
//! - `copy.rs`: the copy of the log; `live.rs`: the deployed scripts' states (checkpoints,
//!   progress, a failure each owns); `convert.rs`: the host's answers in the protocol's terms.
//! - [`handle_message`]: a request as it travels ([`RequestEnvelope`] in, [`ReplyEnvelope`]
//!   out); [`in_process`]: the same runner for the page's browser tests.
//! - `main.rs`: the worker's entry point on wasm32 (listen, answer, say it is ready).
//!
//! [`RequestEnvelope`]: eventide_shop::scripting::RequestEnvelope
//! [`ReplyEnvelope`]: eventide_shop::scripting::ReplyEnvelope

mod convert;
mod copy;
mod live;
mod runner;

use std::cell::RefCell;

use eventide_shop::scripting::{ReplyEnvelope, RequestEnvelope, WorkerReply, WorkerRequest};
use serde_json::Value;

pub use convert::failure;
pub use live::CHECKPOINT_EVERY;
pub use runner::Runner;

/// Answers one message as it travels: a [`RequestEnvelope`]'s JSON text in, a
/// [`ReplyEnvelope`]'s out, with the request's `id`. Text that is not a request is answered with
/// an "input" failure (under its `id` when one can be read, else 0, which the page never uses).
///
/// [`RequestEnvelope`]: eventide_shop::scripting::RequestEnvelope
/// [`ReplyEnvelope`]: eventide_shop::scripting::ReplyEnvelope
pub fn handle_message(
    runner: &mut Runner,
    text: &str,
    clock: impl Fn() -> f64 + 'static,
) -> String {
    let envelope = match serde_json::from_str::<RequestEnvelope>(text) {
        Ok(RequestEnvelope { id, request }) => ReplyEnvelope {
            id,
            reply: runner.handle(request, clock),
        },
        Err(error) => ReplyEnvelope {
            id: request_id(text).unwrap_or(0),
            reply: WorkerReply::Failed(convert::input(format!(
                "the worker could not read the request: {error}"
            ))),
        },
    };
    serde_json::to_string(&envelope).unwrap_or_else(|error| {
        // Only a reply holding something JSON cannot write (none does) gets here: say so
        // rather than leave the page waiting.
        let failed = ReplyEnvelope {
            id: envelope.id,
            reply: WorkerReply::Failed(convert::input(format!(
                "the worker could not write its reply: {error}"
            ))),
        };
        serde_json::to_string(&failed).unwrap_or_default()
    })
}

/// A runner of its own answering requests in-process, for the page's browser tests (the test
/// runner serves no worker module): the same logic as the worker, reading `clock`.
pub fn in_process(
    clock: impl Fn() -> f64 + Clone + 'static,
) -> Box<dyn Fn(WorkerRequest) -> WorkerReply> {
    let runner = RefCell::new(Runner::default());
    Box::new(move |request| runner.borrow_mut().handle(request, clock.clone()))
}

/// The `id` of a message that is not a whole request, to answer it nonetheless.
fn request_id(text: &str) -> Option<u64> {
    serde_json::from_str::<Value>(text)
        .ok()?
        .get("id")?
        .as_u64()
}

#[cfg(test)]
mod tests;
