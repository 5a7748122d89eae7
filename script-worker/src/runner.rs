//! The runner: the worker's copy of the log and its deployed scripts, and the answer to each
//! request. One request, one reply; what a request assumes (the copy, how far it goes, the
//! script's version) is checked first, and a worker that lacks it says so (`OutOfStep`) rather
//! than answer about another log.

use std::collections::BTreeMap;

use eventide_script::{Deadline, Policy, Projection, ScriptHost};
use eventide_shop::scripting::{
    CopyId, HandlerReads, RowWindow, ScriptFailure, ScriptId, ScriptKind, ScriptRef, WorkerReply,
    WorkerRequest,
};

use crate::convert::{self, cell_equals, deadline, failure, input, planned};
use crate::copy::{AppendRefused, LogCopy};
use crate::live::{LivePolicy, LiveProjection};

enum Live {
    Projection(LiveProjection),
    Policy(LivePolicy),
}

impl Live {
    fn script(&self) -> ScriptRef {
        match self {
            Live::Projection(live) => live.script,
            Live::Policy(live) => live.script,
        }
    }
}

/// The worker's state between requests. Natively it is what the tests and the benchmark drive;
/// in the browser `main.rs` keeps one for the worker's life.
#[derive(Default)]
pub struct Runner {
    copy: Option<LogCopy>,
    scripts: BTreeMap<ScriptId, Live>,
}

impl Runner {
    /// Answers one request. `clock` reads milliseconds from any origin; a run stops once its
    /// time limit has passed on it (and, whatever the clock says, after the host's operation
    /// limit in any one call). Every failure, the script's or the input's, is a
    /// [`WorkerReply::Failed`]: nothing here panics on what a user wrote.
    pub fn handle(
        &mut self,
        request: WorkerRequest,
        clock: impl Fn() -> f64 + 'static,
    ) -> WorkerReply {
        match self.answer(request, clock) {
            Ok(reply) | Err(reply) => reply,
        }
    }

    /// How many checkpoints the projection `id` keeps (for tests and the benchmark).
    pub fn checkpoints(&self, id: ScriptId) -> usize {
        match self.scripts.get(&id) {
            Some(Live::Projection(live)) => live.checkpoints(),
            _ => 0,
        }
    }

    fn answer(
        &mut self,
        request: WorkerRequest,
        clock: impl Fn() -> f64 + 'static,
    ) -> Result<WorkerReply, WorkerReply> {
        let failed = WorkerReply::Failed;
        match request {
            WorkerRequest::Compile { kind, source } => compile(kind, &source).map_err(failed),
            WorkerRequest::NewCopy { copy, event_types } => {
                self.copy = Some(LogCopy::new(copy, event_types));
                Ok(WorkerReply::Synced { copy, through: 0 })
            }
            WorkerRequest::Append {
                copy,
                after,
                through,
                events,
            } => {
                let out_of_step = self.out_of_step(false);
                let held = self
                    .copy
                    .as_mut()
                    .filter(|held| held.id == copy)
                    .ok_or_else(|| out_of_step.clone())?;
                match held.append(after, through, &events) {
                    Ok(()) => Ok(WorkerReply::Synced { copy, through }),
                    Err(AppendRefused::OutOfStep) => Err(out_of_step),
                    Err(AppendRefused::Bad(problem)) => Err(failed(problem)),
                }
            }
            WorkerRequest::Load {
                script,
                kind,
                source,
            } => {
                let host = ScriptHost::default();
                let (live, handles) = match kind {
                    ScriptKind::Projection => {
                        let projection = Projection::compile(&host, &source)
                            .map_err(|error| failed(failure(error)))?;
                        let handles = projection.handles().to_vec();
                        (
                            Live::Projection(LiveProjection::new(script, projection)),
                            handles,
                        )
                    }
                    ScriptKind::Policy => {
                        let policy = Policy::compile(&host, &source)
                            .map_err(|error| failed(failure(error)))?;
                        let handles = policy.handles().to_vec();
                        (Live::Policy(LivePolicy::new(script, policy)), handles)
                    }
                };
                self.scripts.insert(script.id, live);
                Ok(WorkerReply::Loaded {
                    script: script.id,
                    handles,
                })
            }
            WorkerRequest::Unload { script } => {
                self.scripts.remove(&script);
                Ok(WorkerReply::Loaded {
                    script,
                    handles: Vec::new(),
                })
            }
            WorkerRequest::TableAt {
                copy,
                script,
                at,
                rows,
                time_limit_ms,
            } => {
                let deadline = deadline(time_limit_ms, clock).map_err(failed)?;
                let held = copy_through(&self.copy, copy, at)?;
                let Some(Live::Projection(live)) = self
                    .scripts
                    .get_mut(&script.id)
                    .filter(|live| live.script() == script)
                else {
                    return Err(out_of_step(self.copy.as_ref(), true));
                };
                let (table, events) = live.table_at(held, at, &deadline).map_err(failed)?;
                Ok(convert::table(at, table, rows, events))
            }
            WorkerRequest::CatchUp {
                copy,
                script,
                through,
                report_after,
                time_limit_ms,
            } => {
                let deadline = deadline(time_limit_ms, clock).map_err(failed)?;
                let held = copy_through(&self.copy, copy, through)?;
                let Some(Live::Policy(live)) = self
                    .scripts
                    .get_mut(&script.id)
                    .filter(|live| live.script() == script)
                else {
                    return Err(out_of_step(self.copy.as_ref(), true));
                };
                let caught = live
                    .catch_up(held, through, report_after, &deadline)
                    .map_err(failed)?;
                Ok(WorkerReply::Intentions {
                    after: caught.after,
                    through: caught.through,
                    intentions: caught.intentions,
                    events: caught.events,
                })
            }
            WorkerRequest::DryRun {
                copy,
                kind,
                source,
                at,
                time_limit_ms,
            } => {
                let deadline = deadline(time_limit_ms, clock).map_err(failed)?;
                let held = copy_through(&self.copy, copy, at)?;
                dry_run(held, kind, &source, at, &deadline).map_err(failed)
            }
            WorkerRequest::When {
                copy,
                script,
                through,
                key,
                column,
                value,
                time_limit_ms,
            } => {
                let deadline = deadline(time_limit_ms, clock).map_err(failed)?;
                let held = copy_through(&self.copy, copy, through)?;
                let Some(Live::Projection(live)) = self
                    .scripts
                    .get(&script.id)
                    .filter(|live| live.script() == script)
                else {
                    return Err(out_of_step(self.copy.as_ref(), true));
                };
                first_time(
                    held,
                    &live.projection,
                    through,
                    (&key, &column, &value),
                    &deadline,
                )
                .map_err(failed)
            }
        }
    }

    fn out_of_step(&self, script_missing: bool) -> WorkerReply {
        out_of_step(self.copy.as_ref(), script_missing)
    }
}

/// The copy a request names, if the worker holds it as far as `through`.
fn copy_through(
    held: &Option<LogCopy>,
    copy: CopyId,
    through: u64,
) -> Result<&LogCopy, WorkerReply> {
    held.as_ref()
        .filter(|held| held.id == copy && held.through() >= through)
        .ok_or_else(|| out_of_step(held.as_ref(), false))
}

fn out_of_step(copy: Option<&LogCopy>, script_missing: bool) -> WorkerReply {
    WorkerReply::OutOfStep {
        copy: copy.map(|held| held.id),
        through: copy.map_or(0, LogCopy::through),
        script_missing,
    }
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

/// A script run from its initial state over the copy up to `at`: a whole table, or every
/// intention. Refused when it handles a type the copy does not hold (its answer would be wrong).
fn dry_run(
    copy: &LogCopy,
    kind: ScriptKind,
    source: &str,
    at: u64,
    deadline: &Deadline,
) -> Result<WorkerReply, ScriptFailure> {
    let host = ScriptHost::default();
    let missing = |handles: &[String]| {
        handles.iter().find(|name| !copy.holds(name)).map(|name| {
            input(format!(
                "the worker's copy of the log holds no {name} events"
            ))
        })
    };
    let events = copy.range(0, at);
    match kind {
        ScriptKind::Projection => {
            let projection =
                Projection::compile_for(&host, source, &copy.event_types()).map_err(failure)?;
            if let Some(problem) = missing(projection.handles()) {
                return Err(problem);
            }
            let handled = copy.mask(projection.handles());
            let mut state = projection.init(deadline).map_err(failure)?;
            let mut count = 0;
            for held in events.iter().filter(|held| handled[held.kind]) {
                projection
                    .apply(&mut state, &held.envelope()?, deadline)
                    .map_err(failure)?;
                count += 1;
            }
            let table = projection.table(&state, deadline).map_err(failure)?;
            Ok(convert::table(at, table, RowWindow::ALL, count))
        }
        ScriptKind::Policy => {
            let policy = Policy::compile(&host, source).map_err(failure)?;
            if let Some(problem) = missing(policy.handles()) {
                return Err(problem);
            }
            let handled = copy.mask(policy.handles());
            let mut state = policy.init(deadline).map_err(failure)?;
            let (mut intentions, mut count) = (Vec::new(), 0);
            for held in events.iter().filter(|held| handled[held.kind]) {
                let decided = policy
                    .handle(&mut state, &held.envelope()?, deadline)
                    .map_err(failure)?;
                count += 1;
                intentions.extend(decided.iter().map(|i| planned(held.position, i)));
            }
            Ok(WorkerReply::Intentions {
                after: 0,
                through: at,
                intentions,
                events: count,
            })
        }
    }
}

/// The first event after which a projection's row `key` has `value` in `column`: the table is
/// read after every event the script handles (a scan, so it costs a table per event).
fn first_time(
    copy: &LogCopy,
    projection: &Projection,
    through: u64,
    (key, column, value): (&str, &str, &str),
    deadline: &Deadline,
) -> Result<WorkerReply, ScriptFailure> {
    let handled = copy.mask(projection.handles());
    let mut state = projection.init(deadline).map_err(failure)?;
    let mut count = 0;
    for held in copy
        .range(0, through)
        .iter()
        .filter(|held| handled[held.kind])
    {
        projection
            .apply(&mut state, &held.envelope()?, deadline)
            .map_err(failure)?;
        count += 1;
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
                position: Some(held.position),
                events: count,
            });
        }
    }
    Ok(WorkerReply::FirstTime {
        position: None,
        events: count,
    })
}
