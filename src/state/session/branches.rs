//! What-if branches: the main line's prefix replayed into a line of its own, and the main line
//! a kept branch set aside, one click from coming back.

use std::collections::BTreeSet;
use std::rc::Rc;

use eventide_engine::Position;
use eventide_shop::simulation::{Simulation, SimulationConfig};

use super::imports::{ImportJob, ImportSource};
use super::{Session, DEFAULT_SEED};
use crate::state::scripts::PolicyProgress;
use crate::state::ScenarioSettings;

/// A what-if branch: the main line's log up to `fork_at`, replayed into a simulation of its own,
/// where commands go while the branch is open. The main line is kept, untouched, beside it.
pub struct Branch {
    pub fork_at: Position,
    pub main: Simulation,
    /// What the deployed policies had seen of the main line when the branch opened.
    pub(super) main_progress: PolicyProgress,
    /// For "what if these had not happened?": the main line's events left out of the branch
    /// (it forks just before the first).
    pub without: Option<Rc<LeftOut>>,
    /// The branch's head when it opened: what it holds past this is the user's own.
    pub opened_at: Position,
}

/// What a what-if branch leaves out: the events picked, and with them what followed from
/// them (`Shop::leave_out`).
#[derive(Debug, PartialEq, Eq)]
pub struct LeftOut {
    pub picked: BTreeSet<Position>,
    pub all: BTreeSet<Position>,
}

/// The events a what-if branch leaves out, and how far into the main line it replays.
pub struct Without {
    pub(super) left_out: Rc<LeftOut>,
    pub(super) through: Position,
}

/// At most this many events left out at once (a query's matches): more is a different log,
/// not a what-if.
pub const MAX_SKIPPED: usize = 100_000;

/// The main line a kept branch replaced: out of the log, but one click from coming back.
pub struct SetAside {
    /// Where the kept branch had forked from this line.
    pub fork_at: Position,
    pub line: Simulation,
    progress: PolicyProgress,
}

impl Session {
    pub fn branch(&self) -> Option<&Branch> {
        self.branch.as_ref()
    }

    /// Starts opening a what-if branch at `fork_at`: the log up to there is replayed, a chunk at
    /// a time (`continue_import`), into a new line, which the app then works on while the main
    /// line waits beside it. Nothing changes until the whole prefix is in.
    pub fn start_fork(&mut self, fork_at: Position) -> Result<(), String> {
        if self.branch.is_some() {
            return Err("A branch is already open: keep or discard it first".into());
        }
        if self.import_job.is_some() {
            return Err("An import or another branch is still being replayed".into());
        }
        let fork_at = fork_at.min(self.sim.shop().store().head());
        let start = self
            .sim
            .shop()
            .store()
            .events()
            .first()
            .map_or(self.now(), |e| e.recorded_at);
        let mut line = Simulation::idle(SimulationConfig::new(DEFAULT_SEED, 0, start));
        let evolution = self.sim.shop().evolution().clone();
        // The branch reads its events as the main line does.
        line.with_shop(|shop| shop.set_evolution(evolution));
        self.import_job = Some(ImportJob {
            name: format!("a branch at position {}", fork_at.0),
            source: ImportSource::File,
            fork_at: Some(fork_at),
            events: eventide_shop::checked::CheckedLog::default(),
            settings: ScenarioSettings::default(),
            line,
            done: 0,
            recipe: None,
            knobs_replayed: false,
            without: None,
        });
        self.changed();
        Ok(())
    }

    /// Starts opening the branch "what if these had not happened?": the whole main line
    /// replayed without `skipped` (a chunk at a time), forking just before the first of them.
    /// The main line is not touched; its read models and the branch's compare side by side.
    pub fn start_fork_without(&mut self, picked: Vec<Position>) -> Result<(), String> {
        let head = self.sim.shop().store().head();
        let picked: BTreeSet<Position> = picked
            .into_iter()
            .filter(|at| at.0 >= 1 && *at <= head)
            .collect();
        let Some(&first) = picked.first() else {
            return Err("No event to leave out: pick one in the log, or filter some".into());
        };
        if picked.len() > MAX_SKIPPED {
            return Err(format!(
                "{} events is too many to leave out at once (at most {MAX_SKIPPED}): narrow the filter",
                picked.len()
            ));
        }
        let all = self.sim.shop().leave_out(&picked);
        self.start_fork(Position(first.0 - 1))?;
        if let Some(job) = self.import_job.as_mut() {
            job.name = match picked.len() {
                1 => format!("the log without #{}", first.0),
                n => format!("the log without {n} events"),
            };
            job.without = Some(Without {
                left_out: Rc::new(LeftOut { picked, all }),
                through: head,
            });
        }
        Ok(())
    }

    /// Closes the branch. `keep` makes it the main line and sets the old main line aside, so it
    /// can come back ([`Session::switch_lines`]); otherwise the branch is thrown away.
    pub fn close_branch(&mut self, keep: bool) -> Option<Position> {
        let branch = self.branch.take()?;
        self.changed();
        self.forget_recipe();
        if keep {
            self.set_aside = Some(SetAside {
                fork_at: branch.fork_at,
                line: branch.main,
                progress: branch.main_progress,
            });
        } else {
            self.sim = branch.main;
            let head = self.shop().store().head().0;
            self.scripts.restore_progress(&branch.main_progress, head);
        }
        Some(branch.fork_at)
    }

    /// The main line a kept branch replaced, if it has not been let go.
    pub fn set_aside(&self) -> Option<&SetAside> {
        self.set_aside.as_ref()
    }

    /// Puts the line set aside back as the main line, and sets the current one aside: nothing
    /// is lost either way.
    pub fn switch_lines(&mut self) -> bool {
        if self.branch.is_some() || self.import_job.is_some() {
            return false;
        }
        let Some(set_aside) = self.set_aside.as_mut() else {
            return false;
        };
        std::mem::swap(&mut self.sim, &mut set_aside.line);
        self.recipe = None;
        let progress = self.scripts.progress();
        let head = self.sim.shop().store().head().0;
        self.scripts.restore_progress(&set_aside.progress, head);
        set_aside.progress = progress;
        self.job = None;
        self.changed();
        true
    }

    /// Forgets the line set aside (the user confirmed it, after being offered the export).
    pub fn forget_set_aside(&mut self) -> bool {
        let forgot = self.set_aside.take().is_some();
        if forgot {
            self.changed();
        }
        forgot
    }
}
