//! The engine as the browser holds it: one shop (the line the user works on), where new ids
//! and the time come from, and what is under way on it. By what it does:
//! - [`generation`]: a generated workload spread over many frames, and a lesson's scenario;
//! - [`services`]: every change to the services' simulation, and the knobs read back from it;
//! - [`imports`]: scenario files in and out, replayed a chunk at a time;
//! - [`branches`]: what-if branches and the line a kept branch set aside;
//! - [`schemas`]: the schema registry's changes;
//! - [`replay`]: a line made again from its recipe, and the proof that it is exact.

mod branches;
mod generation;
mod imports;
mod replay;
mod room;
mod schemas;
mod services;

use eventide_engine::rng::IdSource;
use eventide_engine::store::{Appended, ExpectedVersion};
use eventide_engine::{EventId, Position, Timestamp};
use eventide_shop::commands::ShopCommand;
use eventide_shop::simulation::{PolicyActor, ScriptReaction, Simulation, SimulationConfig};
use eventide_shop::{CommandError, Shop};

use crate::recipe::{Recipe, Step};

pub use branches::{Branch, LeftOut, SetAside};

pub use generation::GenerateJob;
pub use imports::{ImportJob, ImportSource};

/// Random v4 ids for commands a person issues. Generated workloads use a seeded source instead.
pub struct BrowserIds;

impl IdSource for BrowserIds {
    fn next_event_id(&mut self) -> EventId {
        EventId(uuid::Uuid::new_v4())
    }
}

/// The seed of the services' decisions and of delivery, until the user picks another.
pub const DEFAULT_SEED: u64 = 42;

pub struct Session {
    /// The line the user works on: the main line, or a branch while one is open.
    sim: Simulation,
    branch: Option<Branch>,
    set_aside: Option<SetAside>,
    ids: BrowserIds,
    job: Option<GenerateJob>,
    /// The script being edited and the deployed ones (saved with the scenario). A branch
    /// shares them with the main line: they are code, not history.
    pub scripts: super::scripts::Scripts,
    import_job: Option<ImportJob>,
    /// A finished import waiting for the user's yes before it replaces the session.
    ready_import: Option<ImportJob>,
    /// The steps that made this line's log, while they are known (a foreign import, a branch
    /// or a simulation run forgets them; a share then carries the whole file).
    recipe: Option<Recipe>,
    /// In a room: the reader of what the room's stream delivers (see `session/room.rs`).
    room: Option<eventide_shop::room::Room>,
    /// Bumped by every change to anything above: the reducer compares it before and after an
    /// action, so one that changes nothing re-renders nothing.
    revision: u64,
}

impl Default for Session {
    fn default() -> Self {
        Session::starting_at(Timestamp::from_millis(js_sys::Date::now() as i64))
    }
}

impl Session {
    /// An empty session whose clock starts at `start` (no wall clock read: replays run natively).
    pub fn starting_at(start: Timestamp) -> Session {
        Session {
            recipe: Some(Recipe::new(start, Vec::new())),
            sim: Simulation::idle(SimulationConfig::new(DEFAULT_SEED, 0, start)),
            branch: None,
            set_aside: None,
            ids: BrowserIds,
            job: None,
            scripts: Default::default(),
            import_job: None,
            ready_import: None,
            room: None,
            revision: 0,
        }
    }

    /// How many changes this session has seen (see the field).
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Notes a change (every method that really changes the session calls it).
    fn changed(&mut self) {
        self.revision += 1;
    }

    /// Puts `next` in this session's place (a lesson, a fresh start): a change, even to a
    /// session that happens to have seen as many changes itself.
    pub fn replace_with(&mut self, next: Session) {
        let revision = self.revision.max(next.revision) + 1;
        *self = next;
        self.revision = revision;
    }

    /// The scripts, to change them: counts as a change (check first for one that is not).
    pub fn scripts_mut(&mut self) -> &mut super::scripts::Scripts {
        self.changed();
        &mut self.scripts
    }

    /// The ids of the events at `range`, in order (what a recipe step carries).
    fn ids_of(&self, range: Option<(Position, Position)>) -> Vec<EventId> {
        let store = self.sim.shop().store();
        range.map_or_else(Vec::new, |(first, last)| {
            (first.0..=last.0)
                .filter_map(|at| store.get(Position(at)).map(|event| event.id))
                .collect()
        })
    }

    pub fn shop(&self) -> &Shop {
        self.sim.shop()
    }

    pub fn sim(&self) -> &Simulation {
        &self.sim
    }

    /// What replacing the whole session (an import, a lesson) would lose, one line each.
    pub fn what_a_replace_loses(&self) -> Vec<String> {
        use crate::format::fmt_count;
        let mut goes = Vec::new();
        let main = self
            .branch
            .as_ref()
            .map_or(&self.sim, |branch| &branch.main);
        let events = main.shop().store().len();
        if events > 0 {
            goes.push(format!(
                "This session's {} events leave this tab.",
                fmt_count(events as u64)
            ));
        }
        if let Some(branch) = &self.branch {
            goes.push(format!(
                "The open branch, with {} events of its own.",
                fmt_count(
                    self.shop()
                        .store()
                        .head()
                        .0
                        .saturating_sub(branch.opened_at.0)
                )
            ));
        }
        if let Some(set_aside) = &self.set_aside {
            goes.push(format!(
                "The line set aside when a branch was kept ({} events).",
                fmt_count(set_aside.line.shop().store().len() as u64)
            ));
        }
        if !self.scripts.deployed.is_empty() {
            goes.push(format!(
                "{} deployed script(s) are replaced by the new session's.",
                self.scripts.deployed.len()
            ));
        }
        goes
    }

    /// Carries out what a deployed policy decided about the event at `cause`. The recipe keeps
    /// the decision itself (not the script's run), with the ids its events got.
    pub fn react_for(
        &mut self,
        policy: PolicyActor<'_>,
        cause: Position,
        reaction: ScriptReaction,
    ) -> Result<Appended, CommandError> {
        let step = (policy.id, policy.name.to_string(), reaction.clone());
        let appended = self.sim.react_for(policy, cause, reaction, &mut self.ids)?;
        if appended.range.is_some() {
            self.changed();
            let ids = self.ids_of(appended.range);
            if let Some(recipe) = self.recipe.as_mut() {
                let (policy, name, reaction) = step;
                recipe.push(Step::React {
                    policy,
                    name,
                    cause,
                    reaction,
                    ids,
                });
            }
        }
        Ok(appended)
    }

    /// The virtual clock: it stands still until the simulation runs, and never falls behind
    /// the newest event.
    pub fn now(&self) -> Timestamp {
        self.sim.clock()
    }

    /// Issues a user's command. While the services are not running, time is the wall clock's;
    /// while they run, it is the simulation's virtual time.
    /// `expected`: the stream version the user said to expect (`None`: the aggregate's own);
    /// a stream elsewhere is refused with a typed version conflict and nothing changes.
    pub fn execute(
        &mut self,
        command: ShopCommand,
        occurred_at: Option<Timestamp>,
        expected: Option<ExpectedVersion>,
    ) -> Result<Appended, CommandError> {
        // The clock moves on (or events are appended, or both): a change either way.
        self.changed();
        let reacting = self.sim.is_reacting();
        if !reacting {
            let wall = Timestamp::from_millis(js_sys::Date::now() as i64);
            self.sim.advance_to(wall)?;
        }
        let at = self.sim.clock();
        let appended =
            self.sim
                .execute_expecting(command.clone(), &mut self.ids, occurred_at, expected)?;
        if appended.range.is_some() {
            let ids = self.ids_of(appended.range);
            if let Some(recipe) = self.recipe.as_mut() {
                recipe.push(Step::Command {
                    command,
                    at,
                    occurred_at,
                    ids,
                    expected,
                });
            }
        }
        Ok(appended)
    }

    /// Moves the cursor; says whether it moved (or went live or left it).
    pub fn seek(&mut self, target: Position) -> bool {
        let before = (self.shop().cursor(), self.shop().is_live());
        self.sim.seek(target);
        let moved = before != (self.shop().cursor(), self.shop().is_live());
        if moved {
            self.changed();
        }
        moved
    }

    pub fn go_live(&mut self) {
        if !self.shop().is_live() {
            self.sim.go_live();
            self.changed();
        }
    }
}
