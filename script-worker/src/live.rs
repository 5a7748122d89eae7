//! The deployed scripts as the worker keeps them: each compiled once, with its own state on the
//! current copy of the log. A projection keeps a checkpoint every [`CHECKPOINT_EVERY`] events
//! it handles, so "the table at P" folds from the nearest one at or before P; a policy keeps
//! where it stopped, so a catch-up folds only the events appended since. Each owns its failure:
//! one that would recur (a mistake in the script) is kept at its event, and positions before it
//! still answer; a time limit or a crash is not kept (the next request tries again).

use eventide_script::{Deadline, Policy, Projection, State};
use eventide_shop::scripting::{CopyId, PlannedIntention, ScriptFailure, ScriptRef};

use crate::convert::{failure, planned};
use crate::copy::LogCopy;

/// Events a projection handles between two of its checkpoints: a seek folds at most this many.
pub const CHECKPOINT_EVERY: u64 = 1_024;

/// A state after the events up to `position`, `handled` of them by the script.
#[derive(Clone)]
struct Folded {
    position: u64,
    handled: u64,
    state: State,
}

/// The failure that stops a script at `event_position` (kept only if it recurs).
fn kept(failure: &ScriptFailure) -> Option<ScriptFailure> {
    (failure.kind.recurs() && failure.event_position.is_some()).then(|| failure.clone())
}

pub(crate) struct LiveProjection {
    pub(crate) script: ScriptRef,
    pub(crate) projection: Projection,
    on: Option<ProjectionOnCopy>,
}

struct ProjectionOnCopy {
    copy: CopyId,
    /// Which of the copy's types the script handles.
    handled: Vec<bool>,
    /// The first is the initial state at 0; one more every [`CHECKPOINT_EVERY`] handled events.
    checkpoints: Vec<Folded>,
    /// The furthest the fold has gone.
    frontier: Folded,
    /// The state last answered before the frontier, to step on from.
    recent: Option<Folded>,
    broken: Option<ScriptFailure>,
}

impl LiveProjection {
    pub(crate) fn new(script: ScriptRef, projection: Projection) -> LiveProjection {
        LiveProjection {
            script,
            projection,
            on: None,
        }
    }

    /// How many checkpoints it keeps on the current copy (for tests and the benchmark).
    pub fn checkpoints(&self) -> usize {
        self.on.as_ref().map_or(0, |on| on.checkpoints.len())
    }

    /// The table after the events up to `at` (which the copy holds), and the events handled.
    pub(crate) fn table_at(
        &mut self,
        copy: &LogCopy,
        at: u64,
        deadline: &Deadline,
    ) -> Result<(eventide_script::ScriptTable, u64), ScriptFailure> {
        let projection = &self.projection;
        let on = projection_on_copy(&mut self.on, projection, copy, deadline)?;
        if let Some(broken) = &on.broken {
            if broken.event_position.is_some_and(|position| position <= at) {
                return Err(broken.clone());
            }
        }
        let answered = if at >= on.frontier.position {
            let folded = fold_projection(
                projection,
                copy,
                &on.handled,
                &mut on.frontier,
                at,
                Some(&mut on.checkpoints),
                deadline,
            );
            if let Err(problem) = folded {
                // The failed handler may have changed part of the state: back to the last
                // checkpoint, which never holds a failed event.
                if let Some(last) = on.checkpoints.last() {
                    on.frontier = last.clone();
                }
                on.broken = on.broken.take().or_else(|| kept(&problem));
                return Err(problem);
            }
            &on.frontier
        } else {
            let nearest = on
                .checkpoints
                .partition_point(|checkpoint| checkpoint.position <= at)
                .saturating_sub(1);
            let checkpoint = on.checkpoints.get(nearest);
            let recent = on
                .recent
                .take()
                .filter(|recent| recent.position <= at)
                .filter(|recent| checkpoint.is_none_or(|c| recent.position >= c.position));
            let mut start = match (recent, checkpoint) {
                (Some(recent), _) => recent,
                (None, Some(checkpoint)) => checkpoint.clone(),
                (None, None) => on.frontier.clone(),
            };
            let folded = fold_projection(
                projection,
                copy,
                &on.handled,
                &mut start,
                at,
                None,
                deadline,
            );
            if let Err(problem) = folded {
                on.broken = on.broken.take().or_else(|| kept(&problem));
                return Err(problem);
            }
            &*on.recent.insert(start)
        };
        let table = projection
            .table(&answered.state, deadline)
            .map_err(failure)?;
        Ok((table, answered.handled))
    }
}

/// A projection's state on `copy`, started from `init()` when the copy is new to it.
fn projection_on_copy<'a>(
    on: &'a mut Option<ProjectionOnCopy>,
    projection: &Projection,
    copy: &LogCopy,
    deadline: &Deadline,
) -> Result<&'a mut ProjectionOnCopy, ScriptFailure> {
    if on.as_ref().is_none_or(|current| current.copy != copy.id) {
        let initial = Folded {
            position: 0,
            handled: 0,
            state: projection.init(deadline).map_err(failure)?,
        };
        *on = Some(ProjectionOnCopy {
            copy: copy.id,
            handled: copy.mask(projection.handles()),
            checkpoints: vec![initial.clone()],
            frontier: initial,
            recent: None,
            broken: None,
        });
    }
    on.as_mut()
        .ok_or_else(|| crate::convert::input("a projection without state".into()))
}

/// Folds the events in (`from.position`, `through`] the script handles into `from`, adding a
/// checkpoint to `checkpoints` (when given) every [`CHECKPOINT_EVERY`] handled events.
fn fold_projection(
    projection: &Projection,
    copy: &LogCopy,
    handled: &[bool],
    from: &mut Folded,
    through: u64,
    mut checkpoints: Option<&mut Vec<Folded>>,
    deadline: &Deadline,
) -> Result<(), ScriptFailure> {
    for held in copy.range(from.position, through) {
        if !handled.get(held.kind).copied().unwrap_or(false) {
            continue;
        }
        let envelope = held.envelope()?;
        projection
            .apply(&mut from.state, &envelope, deadline)
            .map_err(failure)?;
        from.handled += 1;
        from.position = held.position;
        if let Some(checkpoints) = checkpoints.as_deref_mut() {
            let last = checkpoints.last().map_or(0, |c| c.handled);
            if from.handled - last >= CHECKPOINT_EVERY {
                checkpoints.push(from.clone());
            }
        }
    }
    from.position = from.position.max(through);
    Ok(())
}

pub(crate) struct LivePolicy {
    pub(crate) script: ScriptRef,
    pub(crate) policy: Policy,
    on: Option<PolicyOnCopy>,
}

struct PolicyOnCopy {
    copy: CopyId,
    handled: Vec<bool>,
    through: u64,
    state: State,
    broken: Option<ScriptFailure>,
}

/// What a catch-up did: the events it covered and what the policy decided on them.
pub(crate) struct CaughtUp {
    pub(crate) after: u64,
    pub(crate) through: u64,
    pub(crate) intentions: Vec<PlannedIntention>,
    pub(crate) events: u64,
}

impl LivePolicy {
    pub(crate) fn new(script: ScriptRef, policy: Policy) -> LivePolicy {
        LivePolicy {
            script,
            policy,
            on: None,
        }
    }

    /// Folds on from where it stopped to `through`; the intentions caused after `report_after`.
    pub(crate) fn catch_up(
        &mut self,
        copy: &LogCopy,
        through: u64,
        report_after: u64,
        deadline: &Deadline,
    ) -> Result<CaughtUp, ScriptFailure> {
        // Asked about less than it has seen (it cannot fold backwards): start again.
        if self
            .on
            .as_ref()
            .is_some_and(|on| on.copy != copy.id || on.through > through)
        {
            self.on = None;
        }
        if self.on.is_none() {
            self.on = Some(PolicyOnCopy {
                copy: copy.id,
                handled: copy.mask(self.policy.handles()),
                through: 0,
                state: self.policy.init(deadline).map_err(failure)?,
                broken: None,
            });
        }
        let Some(on) = self.on.as_mut() else {
            return Err(crate::convert::input("no state".into()));
        };
        if let Some(broken) = &on.broken {
            return Err(broken.clone());
        }
        let after = on.through;
        let (mut intentions, mut events) = (Vec::new(), 0);
        for held in copy.range(after, through) {
            if !on.handled.get(held.kind).copied().unwrap_or(false) {
                continue;
            }
            let decided = held.envelope().and_then(|envelope| {
                self.policy
                    .handle(&mut on.state, &envelope, deadline)
                    .map_err(failure)
            });
            match decided {
                Ok(decided) => {
                    events += 1;
                    if held.position > report_after {
                        intentions.extend(decided.iter().map(|i| planned(held.position, i)));
                    }
                }
                Err(problem) => {
                    match kept(&problem) {
                        // It stops at that event for good.
                        Some(kept) => on.broken = Some(kept),
                        // Its state may hold part of the failed handler: start again next time.
                        None => self.on = None,
                    }
                    return Err(problem);
                }
            }
        }
        on.through = through;
        Ok(CaughtUp {
            after,
            through,
            intentions,
            events,
        })
    }
}
