//! The page's face of the script runner: requests that name positions, answered by the worker
//! from its own copy of the log. Before each request the [`Feed`] sends what the worker lacks
//! (what was appended since, a new copy when the log was replaced, a script it does not keep),
//! so a cursor move costs the page's thread a small request and the rows it shows, and a head
//! move the events appended. A worker that answers `OutOfStep` (it restarted, or another copy
//! is newer) is sent the log again and asked once more.

use std::cell::RefCell;
use std::rc::Rc;

use eventide_engine::Position;
use eventide_shop::scripting::{
    CopyId, FailureKind, HandlerReads, RowWindow, ScriptFailure, ScriptId, ScriptKind, WorkerReply,
    WorkerRequest,
};

use super::feed::Feed;
use super::ScriptWorker;
use crate::state::scripts::Deployed;
use crate::state::AppContext;

/// How long a run may take in the worker before it is stopped.
pub const TIME_LIMIT_MS: f64 = 5_000.0;

thread_local! {
    static SHARED: ScriptRunner = ScriptRunner {
        worker: ScriptWorker::shared(),
        feed: Rc::default(),
    };
}

/// The page's script runner: the shared worker and what it is believed to hold. Cheap to clone.
#[derive(Clone)]
pub struct ScriptRunner {
    worker: ScriptWorker,
    feed: Rc<RefCell<Feed>>,
}

/// What a compiled script handles, and the payload fields each handler reads.
pub type Compiled = (Vec<String>, Vec<HandlerReads>);

impl ScriptRunner {
    /// The page's runner, on the shared worker.
    pub fn shared() -> ScriptRunner {
        SHARED.with(ScriptRunner::clone)
    }

    /// Compiles a script: the event types it handles and what each handler reads.
    pub async fn compile(&self, kind: ScriptKind, source: &str) -> Result<Compiled, ScriptFailure> {
        let request = WorkerRequest::Compile {
            kind,
            source: source.to_string(),
        };
        match self.call(request).await? {
            WorkerReply::Compiled { handles, reads } => Ok((handles, reads)),
            WorkerReply::Failed(failure) => Err(failure),
            other => Err(unexpected(&other)),
        }
    }

    /// A script that is not deployed, run from its initial state over the log up to `at`: a
    /// whole table or every intention. `handles` are the types it handles (from `compile`).
    pub async fn dry_run(
        &self,
        state: &AppContext,
        kind: ScriptKind,
        source: &str,
        handles: &[String],
        at: Position,
    ) -> Result<WorkerReply, ScriptFailure> {
        self.ask(state, handles, None, |copy| WorkerRequest::DryRun {
            copy,
            kind,
            source: source.to_string(),
            at: at.0,
            time_limit_ms: TIME_LIMIT_MS,
        })
        .await
    }

    /// A deployed projection's table after the events up to `at`: the rows in `rows`.
    pub async fn table_at(
        &self,
        state: &AppContext,
        script: &Deployed,
        at: Position,
        rows: RowWindow,
    ) -> Result<WorkerReply, ScriptFailure> {
        let named = script.script_ref();
        self.ask(state, &script.handles, Some(script), |copy| {
            WorkerRequest::TableAt {
                copy,
                script: named,
                at: at.0,
                rows,
                time_limit_ms: TIME_LIMIT_MS,
            }
        })
        .await
    }

    /// A deployed policy's decisions on the events after where it stopped, up to `through`;
    /// none caused at or before `report_after` (the page's own record of its progress).
    pub async fn catch_up(
        &self,
        state: &AppContext,
        policy: &Deployed,
        through: Position,
        report_after: u64,
    ) -> Result<WorkerReply, ScriptFailure> {
        let named = policy.script_ref();
        self.ask(state, &policy.handles, Some(policy), |copy| {
            WorkerRequest::CatchUp {
                copy,
                script: named,
                through: through.0,
                report_after,
                time_limit_ms: TIME_LIMIT_MS,
            }
        })
        .await
    }

    /// "When did row `key`'s `column` first equal `value`?", over the log up to `through`.
    pub async fn when(
        &self,
        state: &AppContext,
        script: &Deployed,
        through: Position,
        (key, column, value): (String, String, String),
    ) -> Result<WorkerReply, ScriptFailure> {
        let named = script.script_ref();
        self.ask(state, &script.handles, Some(script), |copy| {
            WorkerRequest::When {
                copy,
                script: named,
                through: through.0,
                key: key.clone(),
                column: column.clone(),
                value: value.clone(),
                time_limit_ms: TIME_LIMIT_MS,
            }
        })
        .await
    }

    /// Lets the worker drop a script taken down, and all it kept for it.
    pub async fn unload(&self, script: ScriptId) {
        self.feed.borrow_mut().unloaded(script);
        // Nothing to tell anyone if it fails: a new worker keeps nothing anyway.
        let _ = self.call(WorkerRequest::Unload { script }).await;
    }

    /// Brings the worker up to date, then asks `request` of the copy it holds; once more from
    /// a fresh copy if the worker lacked what the request assumed.
    async fn ask(
        &self,
        state: &AppContext,
        wanted: &[String],
        script: Option<&Deployed>,
        request: impl Fn(CopyId) -> WorkerRequest,
    ) -> Result<WorkerReply, ScriptFailure> {
        for _ in 0..2 {
            // Planned and posted in one go (no await between): requests from other tasks
            // then reach the worker after these, so they see the copy this believes in.
            let (copy, messages) = {
                let session = state.session();
                let mut feed = self.feed.borrow_mut();
                let mut messages = feed.sync(session.shop().store(), session.evolution(), wanted);
                if let Some(script) = script.filter(|s| feed.load(s.script_ref(), &s.source)) {
                    messages.push(WorkerRequest::Load {
                        script: script.script_ref(),
                        kind: script.kind,
                        source: script.source.clone(),
                    });
                }
                (feed.copy(), messages)
            };
            let Some(copy) = copy else {
                return Err(ScriptFailure::new(
                    FailureKind::Input,
                    "the page has no copy of the log to ask about",
                ));
            };
            let mut in_step = true;
            for message in messages {
                let loading = match &message {
                    WorkerRequest::Load { script, .. } => Some(script.id),
                    _ => None,
                };
                match self.call(message).await? {
                    WorkerReply::Synced { .. } | WorkerReply::Loaded { .. } => {}
                    WorkerReply::OutOfStep { .. } => {
                        self.feed.borrow_mut().out_of_step(copy, None);
                        in_step = false;
                        break;
                    }
                    WorkerReply::Failed(failure) => {
                        if let Some(id) = loading {
                            self.feed.borrow_mut().unloaded(id);
                        }
                        return Err(failure);
                    }
                    other => return Err(unexpected(&other)),
                }
            }
            if !in_step {
                continue;
            }
            match self.call(request(copy)).await? {
                WorkerReply::OutOfStep { script_missing, .. } => {
                    let script = script.filter(|_| script_missing).map(|s| s.id);
                    self.feed.borrow_mut().out_of_step(copy, script);
                }
                WorkerReply::Failed(failure) => return Err(failure),
                reply => return Ok(reply),
            }
        }
        Err(ScriptFailure::new(
            FailureKind::WorkerCrashed,
            "the script worker lost its copy of the log twice in a row",
        ))
    }

    /// One call; a worker that failed is forgotten with all it held.
    async fn call(&self, request: WorkerRequest) -> Result<WorkerReply, ScriptFailure> {
        let answer = self.worker.call(request).await;
        if answer.is_err() {
            self.feed.borrow_mut().forget();
        }
        answer
    }
}

fn unexpected(reply: &WorkerReply) -> ScriptFailure {
    ScriptFailure::new(
        FailureKind::Input,
        format!("the script worker answered something else: {reply:?}"),
    )
}
