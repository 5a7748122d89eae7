//! The engine as the browser holds it: one shop, where new ids and the time come from, and a
//! generation job that may be spread over many frames.

use eventide_engine::rng::IdSource;
use eventide_engine::schema::{CompatibilityMode, Upcaster};
use eventide_engine::store::Appended;
use eventide_engine::store::ExpectedVersion;
use eventide_engine::{EventId, Position, SchemaVersion, Timestamp};
use eventide_shop::catalog::PRODUCTS;
use eventide_shop::commands::{RequestedLine, ShopCommand};
use eventide_shop::events::ShopEventKind;
use eventide_shop::evolution::{Evolution, EvolutionRecord};
use eventide_shop::generator::{Budget, Generated, Generator, GeneratorConfig};
use eventide_shop::ids::CustomerId;
use eventide_shop::interchange;
use eventide_shop::services::ServiceName;
use eventide_shop::simulation::{PolicyActor, ScriptReaction, Simulation, SimulationConfig};
use eventide_shop::{CommandError, Shop};

use super::scripts::PolicyProgress;
use crate::recipe::{Recipe, Step};

const HOUR_MS: u64 = 3_600_000;

/// Random v4 ids for commands a person issues. Generated workloads use a seeded source instead.
pub struct BrowserIds;

impl IdSource for BrowserIds {
    fn next_event_id(&mut self) -> EventId {
        EventId(uuid::Uuid::new_v4())
    }
}

/// A workload being generated a chunk at a time.
pub struct GenerateJob {
    generator: Generator,
    budget: Budget,
    pub orders: u64,
    pub events: u64,
}

impl GenerateJob {
    pub fn progress(&self) -> f64 {
        match self.budget {
            Budget::Orders(limit) if limit > 0 => self.orders as f64 / limit as f64,
            Budget::Events(limit) if limit > 0 => self.events as f64 / limit as f64,
            _ => 1.0,
        }
    }

    pub fn target_orders(&self) -> u64 {
        match self.budget {
            Budget::Orders(limit) => limit,
            Budget::Events(_) => 0,
        }
    }
}

/// The seed of the services' decisions and of delivery, until the user picks another.
pub const DEFAULT_SEED: u64 = 42;

/// A what-if branch: the main line's log up to `fork_at`, replayed into a simulation of its own,
/// where commands go while the branch is open. The main line is kept, untouched, beside it.
pub struct Branch {
    pub fork_at: Position,
    pub main: Simulation,
    /// What the deployed policies had seen of the main line when the branch opened.
    main_progress: PolicyProgress,
}

/// The main line a kept branch replaced: out of the log, but one click from coming back.
pub struct SetAside {
    /// Where the kept branch had forked from this line.
    pub fork_at: Position,
    pub line: Simulation,
    progress: PolicyProgress,
}

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
}

/// Appends recorded envelopes, exactly as they are, to `shop` (a fork, an import).
/// Does a services step to a simulation: the one place both the live session and a replayed
/// recipe change the services, so the two cannot drift apart. Returns how many deliveries a
/// `ReplayParked` sent again (0 for the others). Commands, generations and policy reactions need
/// ids and are the session's own.
fn apply_to_services(sim: &mut Simulation, step: &Step) -> Result<usize, String> {
    let failed = |error: CommandError| error.to_string();
    match step {
        Step::Services { config } => *sim = Simulation::idle(config.clone()),
        Step::Reacting { on } => sim.set_reacting(*on),
        Step::OpenStorefront { checkouts } => sim.open_storefront(*checkouts).map_err(failed)?,
        Step::AdvanceTo { until } => sim.advance_to(*until).map_err(failed)?,
        Step::SimSteps { count } => {
            for _ in 0..*count {
                sim.step().map_err(failed)?;
            }
        }
        Step::Delivery {
            subscription,
            settings,
        } => {
            let targets: Vec<_> = match subscription {
                Some(one) => vec![*one],
                None => sim.subscriptions().collect(),
            };
            for target in targets {
                sim.set_subscription_delivery(target, *settings);
            }
        }
        Step::Idempotent {
            service,
            idempotent,
        } => {
            let services = match service {
                Some(one) => vec![*one],
                None => <ServiceName as eventide_engine::Named>::ALL.to_vec(),
            };
            for service in services {
                sim.set_idempotent(service, *idempotent);
            }
        }
        Step::Inject { event } => sim.inject(event.clone()).map_err(failed)?,
        Step::Mode { mode } => sim.set_mode(*mode)?,
        Step::ReplayParked { service } => return Ok(sim.replay_parked(*service)),
        Step::Generate { .. }
        | Step::Command { .. }
        | Step::React { .. }
        | Step::Evolution { .. } => return Err("not a step of the services".into()),
    }
    Ok(0)
}

/// Replays `events` into `shop` through the kernel's log replay: every check an import makes
/// (position, id, version, times), so a chunk that does not continue the line is refused.
fn replay(
    shop: &mut Shop,
    events: &[eventide_engine::Recorded<eventide_shop::ShopEvent>],
) -> Result<(), String> {
    eventide_engine::replay::replay(shop, events.iter().cloned())
        .map(|_| ())
        .map_err(|error| error.to_string())
}

/// Where an imported log comes from: it decides what the notice says and whether the tab then
/// owns the autosave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportSource {
    /// A file the user chose.
    File,
    /// The session autosaved in this browser.
    Autosave,
    /// A session kept aside in this browser.
    Kept,
    /// A scenario carried by the address.
    Link,
}

/// A log being replayed a chunk at a time into a line of its own: an import (the session's line
/// is replaced only when every event is in) or a what-if branch (the main line's prefix, read
/// from the main line itself; the branch opens when it is all in).
pub struct ImportJob {
    pub name: String,
    pub source: ImportSource,
    /// Set when the job opens a branch at this position.
    pub fork_at: Option<Position>,
    events: Vec<eventide_engine::Recorded<eventide_shop::ShopEvent>>,
    settings: serde_json::Map<String, serde_json::Value>,
    line: Simulation,
    pub done: usize,
    /// The recipe the line was replayed from (an opened recipe link), so sharing again stays short.
    recipe: Option<Recipe>,
    /// Whether the services' knobs (delivery, idempotence, model) came back with the replayed
    /// steps, so the settings must not set them over again (recipes from version 2 on).
    pub knobs_replayed: bool,
}

impl ImportJob {
    /// The events in the line replayed so far.
    pub fn events_in(&self) -> usize {
        self.line.shop().store().len()
    }

    pub fn total(&self) -> usize {
        self.fork_at
            .map_or(self.events.len(), |fork_at| fork_at.0 as usize)
    }
}

impl Default for Session {
    fn default() -> Self {
        Session::starting_at(Timestamp::from_millis(js_sys::Date::now() as i64))
    }
}

/// The scenario setting that carries the line's recipe (steps only; the file has the settings).
const RECIPE_SETTING: &str = "recipe";

/// The ids a recipe carries, handed out in order as the replayed commands ask for them. Run
/// out, it hands out nil ids: the replay then differs and the proof refuses the recipe.
struct RecordedIds(std::vec::IntoIter<EventId>);

impl IdSource for RecordedIds {
    fn next_event_id(&mut self) -> EventId {
        self.0.next().unwrap_or(EventId(uuid::Uuid::nil()))
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
        }
    }

    /// Makes a session again from its recipe's steps (the settings are the import's to apply).
    pub fn replay(recipe: &Recipe) -> Result<Session, String> {
        let mut session = Session::starting_at(recipe.start);
        for step in &recipe.steps {
            match step {
                Step::Generate { seed, orders } => {
                    session.start_generating(*seed, *orders);
                    while session.job.is_some() {
                        session
                            .continue_job(u64::MAX)
                            .map_err(|error| error.to_string())?;
                    }
                }
                Step::Command {
                    command,
                    at,
                    occurred_at,
                    ids,
                    expected,
                } => {
                    // As `execute` did: the wall clock moved the simulation on only while the
                    // services were not running; while they ran, the command took their clock.
                    if !session.sim.is_reacting() {
                        session
                            .sim
                            .advance_to(*at)
                            .map_err(|error| error.to_string())?;
                    }
                    let mut ids = RecordedIds(ids.clone().into_iter());
                    session
                        .sim
                        .execute_expecting(command.clone(), &mut ids, *occurred_at, *expected)
                        .map_err(|error| error.to_string())?;
                }
                Step::React {
                    policy,
                    name,
                    cause,
                    reaction,
                    ids,
                } => {
                    let actor = PolicyActor { id: *policy, name };
                    let mut ids = RecordedIds(ids.clone().into_iter());
                    session
                        .sim
                        .react_for(actor, *cause, reaction.clone(), &mut ids)
                        .map_err(|error| error.to_string())?;
                }
                Step::Evolution { record } => session.restore_evolution(record)?,
                services => {
                    apply_to_services(&mut session.sim, services)?;
                }
            }
        }
        session.recipe = Some(Recipe {
            settings: serde_json::Map::new(),
            ..recipe.clone()
        });
        Ok(session)
    }

    /// This line's recipe with `settings`, if replaying it proved to make exactly this log
    /// (every envelope equal, field for field).
    pub fn proven_recipe(
        &self,
        settings: serde_json::Map<String, serde_json::Value>,
    ) -> Option<Recipe> {
        if self.job.is_some() || self.import_job.is_some() || self.branch.is_some() {
            return None;
        }
        let recipe = self.recipe.as_ref().filter(|r| r.replays_in_a_moment())?;
        let replayed = Session::replay(recipe).ok()?;
        // Every envelope field for field (what the scenario file would write), without
        // serialising two copies of a large log to compare them.
        (replayed.shop().store().events() == self.shop().store().events()).then(|| Recipe {
            settings,
            ..recipe.clone()
        })
    }

    /// Forgets the steps: what follows cannot be replayed from them.
    fn forget_recipe(&mut self) {
        self.recipe = None;
    }

    /// Does one thing to the services' simulation and, while the line has a recipe, writes it
    /// down. Every change to the simulation goes through here (there is no `&mut Simulation`
    /// outside the session), so a run of the services shares as its steps. Returns how many
    /// deliveries a `ReplayParked` sent again (0 for the others).
    pub fn run_services(&mut self, step: Step) -> Result<usize, String> {
        // Choosing the model already in use changes nothing, and a reopened link asks it again.
        if matches!(step, Step::Mode { mode } if mode == self.sim.mode()) {
            return Ok(0);
        }
        let done = apply_to_services(&mut self.sim, &step)?;
        if let Some(recipe) = self.recipe.as_mut() {
            recipe.push(step);
        }
        Ok(done)
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

    /// A fresh session prepared as a lesson's scenario asks.
    pub fn prepared(scenario: crate::lessons::Scenario) -> Result<Session, String> {
        use crate::lessons::Scenario;
        let mut session = Session::default();
        match scenario {
            Scenario::Empty => {}
            Scenario::History { orders } => session.generate_now(orders)?,
            Scenario::HistoryAndOpen { orders, open } => {
                session.generate_now(orders)?;
                // Fresh orders, one line each, from customers of the history: placed, not paid.
                for i in 0..open {
                    let product = &PRODUCTS[i as usize % PRODUCTS.len()];
                    let command = ShopCommand::PlaceOrder {
                        customer: CustomerId(1 + i as u32),
                        lines: vec![RequestedLine {
                            sku: product.sku,
                            quantity: 1,
                        }],
                    };
                    session
                        .execute(command, None, None)
                        .map_err(|error| error.to_string())?;
                }
            }
            Scenario::Services {
                mode,
                checkouts,
                delivery,
                idempotent,
                failure,
            } => {
                let mut config = SimulationConfig::new(DEFAULT_SEED, 0, session.now());
                config.mode = mode;
                config.delivery = delivery;
                config.idempotent = idempotent;
                config.failure = failure;
                session.run_services(Step::Services { config })?;
                session.run_services(Step::Reacting { on: true })?;
                session.run_services(Step::OpenStorefront { checkouts })?;
            }
        }
        Ok(session)
    }

    /// Generates `orders` orders at once (a lesson's scenario: small, so no chunks).
    fn generate_now(&mut self, orders: u64) -> Result<(), String> {
        self.start_generating(DEFAULT_SEED, orders);
        while self.job.is_some() {
            self.continue_job(u64::MAX)
                .map_err(|error| error.to_string())?;
        }
        Ok(())
    }

    /// The whole scenario as a JSON file: events, schemas registered beyond version 1, settings.
    /// The line as a scenario file; its recipe, if it has one, rides along in the settings, so
    /// a session restored from the autosave or a file shares as a short link again (the share
    /// still proves the recipe by replaying it).
    pub fn export_scenario(
        &self,
        mut settings: serde_json::Map<String, serde_json::Value>,
    ) -> String {
        if let Some(recipe) = &self.recipe {
            if let Ok(steps) = serde_json::to_value(Recipe {
                settings: serde_json::Map::new(),
                ..recipe.clone()
            }) {
                settings.insert(RECIPE_SETTING.into(), steps);
            }
        }
        interchange::export_scenario(self.shop().store(), Some(DEFAULT_SEED), settings)
    }

    pub fn export_cloudevents(&self) -> String {
        interchange::export_cloudevents(self.shop().store())
    }

    /// Reads and checks a file, then starts replaying it into a line of its own. Nothing here
    /// changes until the whole log is in; on an error the message names the event and the field.
    pub fn start_import(
        &mut self,
        name: String,
        bytes: &[u8],
        source: ImportSource,
    ) -> Result<(), String> {
        interchange::check_size(bytes.len() as u64).map_err(|error| error.to_string())?;
        if Recipe::looks_like(bytes) {
            let recipe = Recipe::read(bytes)?;
            let replayed = Session::replay(&recipe)
                .map_err(|problem| format!("the link's recipe does not replay ({problem})"))?;
            self.import_job = Some(ImportJob {
                name,
                source,
                fork_at: None,
                settings: recipe.settings,
                events: Vec::new(),
                line: replayed.sim,
                done: 0,
                knobs_replayed: recipe.version >= 2,
                recipe: replayed.recipe,
            });
            return Ok(());
        }
        let mut log = interchange::read(bytes).map_err(|error| error.to_string())?;
        let start = log.events.first().map_or(self.now(), |e| e.recorded_at);
        // A recipe the file carries is kept unproven: sharing replays it before trusting it.
        let recipe = log
            .settings
            .remove(RECIPE_SETTING)
            .and_then(|steps| Recipe::read(steps.to_string().as_bytes()).ok());
        self.import_job = Some(ImportJob {
            name,
            source,
            fork_at: None,
            settings: log.settings,
            events: log.events,
            line: Simulation::idle(SimulationConfig::new(DEFAULT_SEED, 0, start)),
            done: 0,
            recipe,
            knobs_replayed: false,
        });
        Ok(())
    }

    pub fn import_job(&self) -> Option<&ImportJob> {
        self.import_job.as_ref()
    }

    pub fn cancel_import(&mut self) -> Option<ImportJob> {
        self.import_job.take()
    }

    /// Replays up to `max_events` more. When all are in, a branch opens at once (the main line
    /// waits beside it, untouched); an import's new line waits, ready, until
    /// [`Session::adopt_import`] puts it in place, so the user can be asked first. An error
    /// abandons the job and leaves the session as it was.
    pub fn continue_import(&mut self, max_events: usize) -> Result<Option<ImportJob>, String> {
        let Some(job) = self.import_job.as_mut() else {
            return Ok(None);
        };
        let end = (job.done + max_events).min(job.total());
        let chunk = match job.fork_at {
            // The main line's prefix is append-only history: reading it as the main line grows
            // meanwhile is safe.
            Some(_) => &self.sim.shop().store().events()[job.done..end],
            None => &job.events[job.done..end],
        };
        let outcome = job.line.with_shop(|shop| replay(shop, chunk));
        if let Err(problem) = outcome {
            self.import_job = None;
            return Err(problem);
        }
        job.done = end;
        if job.done < job.total() {
            return Ok(None);
        }
        let Some(mut job) = self.import_job.take() else {
            return Ok(None);
        };
        job.events = Vec::new();
        if let Some(fork_at) = job.fork_at {
            self.forget_recipe();
            let idle = Simulation::idle(SimulationConfig::new(DEFAULT_SEED, 0, self.now()));
            let line = std::mem::replace(&mut job.line, idle);
            let main = std::mem::replace(&mut self.sim, line);
            let main_progress = self.scripts.progress();
            // The branch's events after the fork are new to every policy.
            self.scripts.rewind_to(fork_at.0);
            self.branch = Some(Branch {
                fork_at,
                main,
                main_progress,
            });
        }
        Ok(Some(job))
    }

    /// Puts a finished import in place of the whole session (its branch and the line set aside
    /// go too: the caller asked the user first) and returns what the file held.
    pub fn adopt_import(
        &mut self,
        mut job: ImportJob,
    ) -> (
        ImportJob,
        interchange::LogSummary,
        serde_json::Map<String, serde_json::Value>,
    ) {
        let summary = interchange::summarize(job.line.shop().store());
        let settings = std::mem::take(&mut job.settings);
        let idle = Simulation::idle(SimulationConfig::new(DEFAULT_SEED, 0, self.now()));
        self.sim = std::mem::replace(&mut job.line, idle);
        self.recipe = job.recipe.take();
        self.branch = None;
        self.set_aside = None;
        self.job = None;
        // Policies deployed before join the imported log at its head: its history is not news.
        self.scripts.join_at(self.shop().store().head().0);
        (job, summary, settings)
    }

    /// An import that finished while the session held work: it waits for the user's answer.
    pub fn hold_import(&mut self, job: ImportJob) {
        self.ready_import = Some(job);
    }

    pub fn take_ready_import(&mut self) -> Option<ImportJob> {
        self.ready_import.take()
    }

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
            events: Vec::new(),
            settings: serde_json::Map::new(),
            line,
            done: 0,
            recipe: None,
            knobs_replayed: false,
        });
        Ok(())
    }

    /// Closes the branch. `keep` makes it the main line and sets the old main line aside, so it
    /// can come back ([`Session::switch_lines`]); otherwise the branch is thrown away.
    pub fn close_branch(&mut self, keep: bool) -> Option<Position> {
        let branch = self.branch.take()?;
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
        true
    }

    /// Forgets the line set aside (the user confirmed it, after being offered the export).
    pub fn forget_set_aside(&mut self) -> bool {
        self.set_aside.take().is_some()
    }

    /// A line as a scenario file: the current one, the main line under an open branch, or the
    /// one set aside.
    pub fn export_line(
        &self,
        which: super::pending::ExportWhich,
        settings: serde_json::Map<String, serde_json::Value>,
    ) -> Option<String> {
        use super::pending::ExportWhich;
        let line = match which {
            ExportWhich::Current => &self.sim,
            ExportWhich::Main => &self.branch.as_ref()?.main,
            ExportWhich::SetAside => &self.set_aside.as_ref()?.line,
        };
        Some(interchange::export_scenario(
            line.shop().store(),
            Some(DEFAULT_SEED),
            settings,
        ))
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
                        .saturating_sub(branch.fork_at.0)
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

    /// Every event type's schemas, modes and upcasters, on the line the user works on.
    pub fn evolution(&self) -> &Evolution {
        self.shop().evolution()
    }

    /// Registers the next schema version of `kind` with its upcaster; read models and services
    /// read the log through it from then on. A refusal says why and changes nothing.
    pub fn register_version(
        &mut self,
        kind: ShopEventKind,
        schema: serde_json::Value,
        upcaster: Upcaster,
    ) -> Result<SchemaVersion, String> {
        let version = self
            .sim
            .with_shop(|shop| shop.register_version(kind, schema, upcaster))
            .map_err(|error| error.to_string())?;
        self.record_evolution();
        Ok(version)
    }

    pub fn set_schema_mode(&mut self, kind: ShopEventKind, mode: CompatibilityMode) {
        self.sim.with_shop(|shop| shop.set_schema_mode(kind, mode));
        self.record_evolution();
    }

    /// Puts back the evolution a scenario saved; a record the log does not satisfy is refused.
    pub fn restore_evolution(&mut self, record: &EvolutionRecord) -> Result<(), String> {
        if *record == self.evolution().record() {
            return Ok(());
        }
        let evolution = Evolution::from_record(record, self.shop().store())
            .map_err(|error| error.to_string())?;
        self.sim.with_shop(|shop| shop.set_evolution(evolution));
        self.record_evolution();
        Ok(())
    }

    /// Writes the registry down as it now stands: commands after it write by it.
    fn record_evolution(&mut self) {
        let record = self.evolution().record();
        if let Some(recipe) = self.recipe.as_mut() {
            recipe.push(Step::Evolution { record });
        }
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

    pub fn seek(&mut self, target: Position) -> Position {
        self.sim.seek(target)
    }

    pub fn go_live(&mut self) {
        self.sim.go_live();
    }

    /// Starts a workload that ends about now: its history is placed in the recent past (an order
    /// flow takes up to about an hour), unless the log already reaches later than that.
    pub fn start_generating(&mut self, seed: u64, orders: u64) {
        let mut config = GeneratorConfig::new(seed, self.now());
        let span_ms = orders.saturating_mul(config.mean_arrival_ms) + HOUR_MS;
        let head = self
            .shop()
            .store()
            .events()
            .last()
            .map(|event| event.recorded_at);
        let backdated = config
            .start
            .plus_millis(-(span_ms.min(i64::MAX as u64) as i64));
        config.start = head.map_or(backdated, |head| head.max(backdated));
        if let Some(recipe) = self.recipe.as_mut() {
            recipe.steps.push(Step::Generate { seed, orders });
        }
        self.job = Some(GenerateJob {
            generator: Generator::new(config),
            budget: Budget::Orders(orders),
            orders: 0,
            events: 0,
        });
    }

    pub fn job(&self) -> Option<&GenerateJob> {
        self.job.as_ref()
    }

    pub fn cancel_job(&mut self) -> Option<GenerateJob> {
        // Stopped part way: the recipe's step would make the whole workload.
        self.forget_recipe();
        self.job.take()
    }

    /// Runs the job for at most `max_events`; returns the job's total once it has finished.
    pub fn continue_job(&mut self, max_events: u64) -> Result<Option<Generated>, CommandError> {
        let Some(job) = self.job.as_mut() else {
            return Ok(None);
        };
        let step = self
            .sim
            .with_shop(|shop| job.generator.run_chunk(shop, job.budget, max_events));
        let step = match step {
            Ok(step) => step,
            Err(error) => {
                self.job = None;
                return Err(error);
            }
        };
        job.orders = step.orders_finished;
        job.events += step.events;
        if job.generator.is_done(job.budget) || step.events == 0 {
            let total = Generated {
                events: job.events,
                orders_placed: job.orders,
                orders_finished: job.orders,
            };
            self.job = None;
            return Ok(Some(total));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod recipe_tests {
    use super::*;

    fn generated() -> Session {
        let mut session = Session::starting_at(Timestamp::from_millis(1_700_000_000_000));
        session.start_generating(11, 30);
        while session.job.is_some() {
            session.continue_job(500).expect("generates");
        }
        session
    }

    #[test]
    fn a_generated_session_is_proven_by_its_recipe_and_replays_to_the_same_log() {
        let session = generated();
        let recipe = session
            .proven_recipe(serde_json::Map::new())
            .expect("a recipe that reproduces the log");
        assert_eq!(
            recipe.steps,
            vec![Step::Generate {
                seed: 11,
                orders: 30
            }]
        );
        let back = Recipe::read(recipe.to_json().as_bytes()).expect("reads");
        let replayed = Session::replay(&back).expect("replays");
        assert_eq!(
            replayed.export_scenario(serde_json::Map::new()),
            session.export_scenario(serde_json::Map::new())
        );
    }

    #[test]
    fn a_run_of_the_services_is_proven_by_a_few_steps() {
        let start = Timestamp::from_millis(1_700_000_000_000);
        let mut session = Session::starting_at(start);
        let mut config = SimulationConfig::new(DEFAULT_SEED, 0, start);
        config.idempotent = false;
        for step in [
            Step::Services { config },
            Step::Reacting { on: true },
            Step::OpenStorefront { checkouts: 12 },
        ] {
            session.run_services(step).expect("runs");
        }
        // The clock runs on a frame at a time, then single steps, a knob, chaos, more time.
        for frame in 1..=200 {
            let until = start.plus_millis(frame * 250);
            session
                .run_services(Step::AdvanceTo { until })
                .expect("runs");
        }
        for _ in 0..25 {
            session
                .run_services(Step::SimSteps { count: 1 })
                .expect("steps");
        }
        let knob = Step::Idempotent {
            service: Some(ServiceName::Payment),
            idempotent: true,
        };
        session.run_services(knob).expect("turns");
        let chaos = eventide_shop::ShopEvent::ChaosModeEnabled {
            reason: "game day".into(),
        };
        session
            .run_services(Step::Inject { event: chaos })
            .expect("injects");
        let until = start.plus_millis(3_600_000);
        session
            .run_services(Step::AdvanceTo { until })
            .expect("runs");
        assert!(session.shop().store().len() > 50, "the run made events");

        let recipe = session
            .proven_recipe(serde_json::Map::new())
            .expect("a recipe that reproduces the run");
        // 200 frames of clock are one step, 25 single steps another.
        assert_eq!(recipe.steps.len(), 8, "{:?}", recipe.steps);
        let back = Recipe::read(recipe.to_json().as_bytes()).expect("reads");
        let replayed = Session::replay(&back).expect("replays");
        assert_eq!(
            replayed.shop().store().events(),
            session.shop().store().events()
        );
        // The services themselves came back: their next steps make the same events.
        let mut replayed = replayed;
        let later = start.plus_millis(7_200_000);
        for line in [&mut session, &mut replayed] {
            line.run_services(Step::OpenStorefront { checkouts: 3 })
                .expect("opens");
            line.run_services(Step::AdvanceTo { until: later })
                .expect("runs");
        }
        assert_eq!(
            replayed.shop().store().events(),
            session.shop().store().events()
        );
    }

    #[test]
    fn the_schema_registry_is_a_step_so_commands_after_it_replay_under_it() {
        let mut session = generated();
        session.set_schema_mode(ShopEventKind::OrderPlaced, CompatibilityMode::Full);
        session.set_schema_mode(ShopEventKind::OrderPlaced, CompatibilityMode::None);
        let recipe = session
            .proven_recipe(serde_json::Map::new())
            .expect("a recipe");
        // Two changes in a row are one step: the registry as it ended up.
        let changes = recipe
            .steps
            .iter()
            .filter(|step| matches!(step, Step::Evolution { .. }))
            .count();
        assert_eq!(changes, 1, "{:?}", recipe.steps);
        let replayed = Session::replay(&recipe).expect("replays");
        assert_eq!(replayed.evolution().record(), session.evolution().record());
        assert_eq!(
            replayed.evolution().mode(ShopEventKind::OrderPlaced),
            CompatibilityMode::None
        );
    }

    #[test]
    fn a_recipe_that_does_not_reproduce_the_log_is_not_offered() {
        let mut session = generated();
        // Steps that make another log (a different seed) than the one held.
        session.recipe = Some(Recipe::new(
            Timestamp::from_millis(1_700_000_000_000),
            vec![Step::Generate {
                seed: 12,
                orders: 30,
            }],
        ));
        assert!(session.proven_recipe(serde_json::Map::new()).is_none());
        // Steps forgotten (an import, a branch, a simulation run): none is offered.
        session.recipe = None;
        assert!(session.proven_recipe(serde_json::Map::new()).is_none());
    }

    fn reopen(file: &str) -> Session {
        let mut reopened = Session::starting_at(Timestamp::from_millis(1_800_000_000_000));
        reopened
            .start_import("saved".into(), file.as_bytes(), ImportSource::Autosave)
            .expect("the file reads");
        let job = loop {
            if let Some(job) = reopened.continue_import(10_000).expect("replays") {
                break job;
            }
        };
        reopened.adopt_import(job);
        reopened
    }

    #[test]
    fn a_session_reopened_from_its_file_is_still_proven_by_its_recipe() {
        let session = generated();
        let reopened = reopen(&session.export_scenario(serde_json::Map::new()));
        let recipe = reopened
            .proven_recipe(serde_json::Map::new())
            .expect("the file's recipe still reproduces its log");
        assert_eq!(Some(recipe), session.proven_recipe(serde_json::Map::new()));
        // A file whose recipe does not make its log falls back to the file, as before.
        let mut other = generated();
        other.recipe = Some(Recipe::new(
            Timestamp::from_millis(1_700_000_000_000),
            vec![Step::Generate {
                seed: 12,
                orders: 30,
            }],
        ));
        let reopened = reopen(&other.export_scenario(serde_json::Map::new()));
        assert!(reopened.proven_recipe(serde_json::Map::new()).is_none());
    }

    /// The session's replay once appended whatever it was handed: an event whose id was already
    /// in the line was skipped in silence (the store's idempotence), and the import finished
    /// one event short. It now makes the import's checks.
    #[test]
    fn an_import_that_repeats_an_event_is_refused_not_shortened() {
        let session = generated();
        let mut log = session.shop().store().events()[..3].to_vec();
        let mut again = log[0].clone();
        again.position = Position(4);
        again.recorded_at = log[2].recorded_at;
        log.push(again);
        let mut importing = Session::starting_at(Timestamp::from_millis(1_800_000_000_000));
        let start = log[0].recorded_at;
        importing.import_job = Some(ImportJob {
            name: "a repeat".into(),
            source: ImportSource::File,
            fork_at: None,
            settings: serde_json::Map::new(),
            events: log,
            line: Simulation::idle(SimulationConfig::new(DEFAULT_SEED, 0, start)),
            done: 0,
            recipe: None,
            knobs_replayed: false,
        });
        let Err(refused) = importing.continue_import(10) else {
            panic!("#4 repeats #1's id, yet the import went on");
        };
        assert!(refused.contains("already in the log"), "{refused}");
        assert!(importing.import_job().is_none(), "the job is abandoned");
    }
}
