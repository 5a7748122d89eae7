//! The app's one store: a Yew reducer holding the engine behind a shared cell.
//!
//! The engine is never cloned: actions mutate it in place and bump `revision`, and every
//! component compares state by that counter alone, never by walking the log. An action that
//! changes nothing returns the same `Rc`, so Yew skips the render.

mod lesson;
mod pending;
pub mod scripts;
mod search;
mod session;
mod tab;
mod view;

use std::cell::{Ref, RefCell, RefMut};
use std::rc::Rc;

use eventide_engine::delivery::{DeliverySettings, SubscriptionId};
use eventide_engine::schema::{CompatibilityMode, Upcaster};
use eventide_engine::{Named, Position, Timestamp};
use eventide_shop::commands::ShopCommand;
use eventide_shop::events::{ShopEvent, ShopEventKind};
use eventide_shop::evolution::EvolutionRecord;
use eventide_shop::services::{Mode, ServiceName};
use yew::prelude::*;

use crate::format::fmt_count;
use crate::lessons::Gesture;
use crate::recipe::Step;

pub use pending::{Asking, ExportWhich, Pending};
pub use search::{LogSearch, Refusal};
pub use session::{GenerateJob, ImportSource, Session, SetAside, DEFAULT_SEED};
pub use tab::CenterTab;
pub use view::{SharedView, VIEW_KEY};

/// A message shown for a while in the corner, and kept in the problems list if it is one.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub id: u64,
    pub tone: Tone,
    pub text: String,
    /// The event this notice is about, one click away.
    pub event: Option<Position>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Success,
    Problem,
}

/// How fast "play" moves the cursor, in events per second.
pub const SPEEDS: &[u64] = &[1, 10, 100, 1_000, 10_000];

/// Events generated per chunk: small enough that a frame stays responsive.
pub const GENERATE_CHUNK: u64 = 20_000;

/// The most events one tab holds: a wasm32 tab has 4 GiB, and the log, its indexes, the read
/// models and their checkpoints take a few hundred bytes an event.
pub const MAX_EVENTS_IN_TAB: u64 = 10_000_000;
/// What an order takes in the generated workload, rounded up (about 8.3 events measured).
const EVENTS_PER_ORDER: u64 = 9;

/// Events an import replays per task, like generation.
pub const IMPORT_CHUNK: usize = 20_000;

/// How much virtual time one tick of the running simulation covers, in milliseconds; a tick
/// comes every 100 ms of real time.
pub const SIM_SPEEDS: &[(u64, &str)] = &[
    (100, "1×"),
    (1_000, "10×"),
    (6_000, "60×"),
    (60_000, "600×"),
];

#[derive(Clone)]
pub struct AppState {
    session: Rc<RefCell<Session>>,
    /// Bumped by every action that changes anything; the only thing renders compare.
    pub revision: u64,
    pub notices: Rc<Vec<Notice>>,
    pub problems: Rc<Vec<Notice>>,
    pub selected: Option<Position>,
    pub playing: bool,
    pub speed: u64,
    /// Whether the simulation's virtual clock is running.
    pub running: bool,
    pub sim_speed: u64,
    /// The delivery settings the user chose for every subscription.
    pub delivery: DeliverySettings,
    pub idempotent: bool,
    pub chaos: bool,
    /// The keyboard-shortcut overlay is open.
    pub help: bool,
    /// Presenter mode: everything larger, for the back of the room.
    pub large_text: bool,
    /// The centre tab open.
    pub tab: CenterTab,
    /// The query over the event log and what it selects; shared like the session (updated in
    /// place, with the revision).
    pub search: Rc<RefCell<LogSearch>>,
    /// Business time for the next commands, when the user back-dates them.
    pub backdate: Option<Timestamp>,
    /// The stream version the next command expects, as a client that read earlier would send
    /// it; taken by that command (`None`: the version the aggregate decided at).
    pub expected: Option<eventide_engine::store::ExpectedVersion>,
    /// The lessons panel is open.
    pub lessons_open: bool,
    /// The lesson loaded, and the learner's progress in it.
    pub lesson: Option<(&'static str, crate::lessons::Progress)>,
    /// The welcome for a first visit (nothing saved, no link): what this is, where to start.
    pub welcome: bool,
    /// An action from a link is being applied: it is no gesture of the learner's.
    linking: bool,
    /// A destructive step waiting for the user's yes.
    pub pending: Option<Pending>,
    /// Counts what the user did (commands, generation, imports, scripts, knobs): a tab opened
    /// from a link writes nothing to the browser's storage until this moves.
    pub work: u64,
    /// The session holds something replacing it would lose (the user's work, a restored or
    /// imported log): a lesson or an import then asks first.
    pub precious: bool,
    /// This tab writes the autosave. A tab opened from a link does not, until the user works
    /// in it (the session saved before is kept aside first).
    pub owns_autosave: bool,
    next_notice: u64,
}

impl PartialEq for AppState {
    fn eq(&self, other: &Self) -> bool {
        self.revision == other.revision
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            session: Rc::new(RefCell::new(Session::default())),
            revision: 0,
            notices: Rc::default(),
            problems: Rc::default(),
            selected: None,
            playing: false,
            speed: 10,
            running: false,
            sim_speed: SIM_SPEEDS[1].0,
            delivery: DeliverySettings::default(),
            idempotent: true,
            chaos: false,
            help: false,
            large_text: false,
            tab: CenterTab::ReadModels,
            search: Rc::default(),
            backdate: None,
            expected: None,
            lessons_open: false,
            lesson: None,
            welcome: false,
            linking: false,
            pending: None,
            work: 0,
            precious: false,
            owns_autosave: false,
            next_notice: 1,
        }
    }
}

pub enum Action {
    Execute(ShopCommand),
    StartGenerating {
        seed: u64,
        orders: u64,
    },
    ContinueGenerating,
    CancelGenerating,
    Seek(Position),
    SeekTime(Timestamp),
    StepBack,
    StepForward,
    GoLive,
    /// Moves the cursor forward while playing, by `events`.
    Tick {
        events: u64,
    },
    TogglePlay,
    SetSpeed(u64),
    Select(Option<Position>),
    Dismiss(u64),
    /// A form held something that is not a valid command: say so, change nothing else.
    InvalidInput(String),
    /// Services start or stop reacting to new events.
    SetReacting(bool),
    /// Customers come to the storefront for this many more checkouts.
    OpenStorefront(u64),
    SetRunning(bool),
    /// One tick of the running simulation: virtual time moves on by the chosen speed.
    SimTick,
    /// The simulation does its one next thing (a customer action or a delivery).
    SimStep,
    SetSimSpeed(u64),
    /// New delivery settings for one subscription, or for every one (`None`).
    SetDelivery {
        target: Option<SubscriptionId>,
        settings: DeliverySettings,
    },
    SetIdempotent(bool),
    SetChaos(bool),
    ReplayParked(ServiceName),
    /// Switch the coordination model (between flows).
    SetMode(Mode),
    ToggleHelp,
    /// Close the shortcuts list if it is open (Esc); never opens it.
    CloseHelp,
    ToggleLargeText,
    /// Large text as remembered or as a link asks (not a toggle: applied, not flipped).
    SetLargeText(bool),
    ChooseTab(CenterTab),
    /// Filter the event log by this query (blank: show it whole); a bad one is refused with
    /// the reason and the query before stays.
    SetQuery(String),
    ToggleLessons,
    /// Replace the log with a file's (all or nothing; asks first if the session holds work).
    Import {
        name: String,
        bytes: Rc<Vec<u8>>,
        source: ImportSource,
    },
    /// This tab writes the autosave from now on (it restored it, or there was none).
    ClaimAutosave,
    /// Replay the next chunk of an import.
    ContinueImport,
    CancelImport,
    /// Say something to the user (a link to copy, say).
    Notify(String),
    /// Load a lesson's scenario (again, to reset it) and start it.
    LoadLesson(&'static str),
    /// Open a lesson at a position (a shared link): its scenario is run on to there.
    OpenLesson {
        slug: &'static str,
        at: Option<Position>,
    },
    /// An empty session in place of this one (asks first if it holds work).
    StartFresh,
    /// Show the welcome (a first visit) or put it away.
    Welcome(bool),
    AnswerLesson(usize),
    RevealLesson,
    /// Back-date the next commands to this business time (or stop back-dating).
    SetBackdate(Option<Timestamp>),
    /// The stream version the next command expects (`None`: the aggregate's own).
    SetExpectedVersion(Option<eventide_engine::store::ExpectedVersion>),
    /// Open a what-if branch at this position.
    Fork(Position),
    /// Close the branch, keeping it as the main line or discarding it.
    CloseBranch {
        keep: bool,
    },
    /// Register the next schema version of an event type with the upcaster from the current
    /// one, if its mode, the recorded events and the consumers allow it.
    RegisterSchema {
        kind: ShopEventKind,
        schema: serde_json::Value,
        upcaster: Upcaster,
    },
    SetSchemaMode {
        kind: ShopEventKind,
        mode: CompatibilityMode,
    },
    /// The editor's script changed (its text, name or kind).
    EditScript(scripts::Draft),
    /// Make the draft live; the worker compiled it and found these handlers.
    DeployScript(scripts::Handlers),
    /// A dry run finished (lessons count them).
    ScriptRan,
    /// A deployed policy, run over the log up to `up_to`, decided these; the ones caused by
    /// events it has not reacted to yet are carried out.
    PolicyReacted {
        id: scripts::ScriptId,
        version: u32,
        up_to: Position,
        intentions: Vec<eventide_shop::scripting::PlannedIntention>,
    },
    /// Take a deployed script down.
    UndeployScript(scripts::ScriptId),
    /// What a link asked for on opening (a lesson, a shared scenario): not the user's work, so
    /// it does not make the tab write over the saved session.
    FromLink(Box<Action>),
    /// Carry out the pending destructive step: the user said yes.
    Confirm,
    /// Drop the pending step: nothing changes.
    CancelPending,
    /// Bring the line set aside back as the main line (the current one is set aside instead).
    SwitchLines,
    /// Let the line set aside go (asks first).
    ForgetSetAside,
}

impl Action {
    /// Whether this is something the user made or changed (what autosave keeps), as opposed to
    /// time passing, navigation, or what a link asked for.
    fn is_work(&self) -> bool {
        matches!(
            self,
            Action::Execute(_)
                | Action::StartGenerating { .. }
                | Action::OpenStorefront(_)
                | Action::SetDelivery { .. }
                | Action::SetIdempotent(_)
                | Action::SetChaos(_)
                | Action::SetMode(_)
                | Action::ReplayParked(_)
                | Action::Fork(_)
                | Action::RegisterSchema { .. }
                | Action::SetSchemaMode { .. }
                | Action::EditScript(_)
                | Action::DeployScript(..)
                | Action::UndeployScript(_)
                | Action::Import {
                    source: ImportSource::File | ImportSource::Kept,
                    ..
                }
                | Action::SwitchLines
        )
    }
}

impl AppState {
    /// Read access to the engine for rendering.
    pub fn session(&self) -> Ref<'_, Session> {
        self.session.borrow()
    }

    fn session_mut(&self) -> RefMut<'_, Session> {
        self.session.borrow_mut()
    }

    fn notify(&mut self, tone: Tone, text: String, event: Option<Position>) {
        let notice = Notice {
            id: self.next_notice,
            tone,
            text,
            event,
        };
        self.next_notice += 1;
        if tone == Tone::Problem {
            Rc::make_mut(&mut self.problems).insert(0, notice.clone());
        }
        let notices = Rc::make_mut(&mut self.notices);
        notices.push(notice);
        // Only the newest few stay on screen; the problems list keeps the rest.
        if notices.len() > 4 {
            notices.remove(0);
        }
    }

    fn apply(&mut self, action: Action) -> bool {
        match action {
            Action::Execute(command) => {
                let name = command.name();
                let backdate = self.backdate;
                // A stated expectation is for the next command only.
                let expected = self.expected.take();
                let outcome = self.session_mut().execute(command, backdate, expected);
                match outcome {
                    Ok(appended) => {
                        self.session_mut().go_live();
                        self.playing = false;
                        let last = appended.range.map(|(_, last)| last);
                        let text = match last.and_then(|at| {
                            let session = self.session();
                            session.shop().store().get(at).map(|e| e.kind())
                        }) {
                            Some(kind) => format!(
                                "{name} → {} at position {}",
                                eventide_engine::Named::name(kind),
                                fmt_position(last)
                            ),
                            None => format!("{name}: already recorded, nothing appended"),
                        };
                        self.selected = last;
                        self.notify(Tone::Success, text, last);
                    }
                    Err(error) => self.notify(Tone::Problem, error.to_string(), None),
                }
                true
            }
            Action::StartGenerating { seed, orders } => {
                let held = self.session().shop().store().len() as u64;
                let after = held.saturating_add(orders.saturating_mul(EVENTS_PER_ORDER));
                if after > MAX_EVENTS_IN_TAB {
                    self.notify(
                        Tone::Problem,
                        format!(
                            "{} more orders would take this tab past about {} events, more than its memory holds (it has {}). Generate fewer, or export this session and start fresh.",
                            fmt_count(orders),
                            fmt_count(MAX_EVENTS_IN_TAB),
                            fmt_count(held)
                        ),
                        None,
                    );
                } else {
                    self.session_mut().start_generating(seed, orders);
                }
                true
            }
            Action::ContinueGenerating => {
                let outcome = self.session_mut().continue_job(GENERATE_CHUNK);
                match outcome {
                    Ok(Some(done)) => {
                        self.notify(
                            Tone::Success,
                            format!(
                                "Generated {} orders in {} events",
                                fmt_count(done.orders_finished),
                                fmt_count(done.events)
                            ),
                            None,
                        );
                    }
                    Ok(None) => {}
                    Err(error) => self.notify(Tone::Problem, error.to_string(), None),
                }
                true
            }
            Action::CancelGenerating => {
                let cancelled = self.session_mut().cancel_job();
                if let Some(job) = cancelled {
                    self.notify(
                        Tone::Success,
                        format!(
                            "Generation stopped after {} events; they stay in the log",
                            fmt_count(job.events)
                        ),
                        None,
                    );
                }
                true
            }
            Action::Seek(target) => {
                let moved = self.seek(target);
                let noted = self.noted_seek();
                moved || noted
            }
            Action::SeekTime(time) => {
                let target = self.session().shop().store().position_at(time);
                let moved = self.seek(target);
                let noted = self.noted_seek();
                moved || noted
            }
            Action::StepBack => {
                let cursor = self.session().shop().cursor();
                let moved = cursor.0 > 0 && self.seek(Position(cursor.0 - 1));
                let noted = moved && self.note(Gesture::SteppedBack);
                moved || noted
            }
            Action::StepForward => {
                let cursor = self.session().shop().cursor();
                self.seek(cursor.next())
            }
            Action::GoLive => {
                let was_live = self.session().shop().is_live();
                self.session_mut().go_live();
                let changed = !was_live || self.playing;
                self.playing = false;
                changed
            }
            Action::Tick { events } => {
                if !self.playing {
                    return false;
                }
                let cursor = self.session().shop().cursor();
                self.seek(Position(cursor.0 + events.max(1)));
                if self.session().shop().is_live() {
                    self.playing = false;
                }
                true
            }
            Action::TogglePlay => {
                if !self.playing && self.session().shop().is_live() {
                    // Playing from the head would do nothing: start from the beginning.
                    self.session_mut().seek(Position::ORIGIN);
                }
                self.playing = !self.playing;
                true
            }
            Action::SetSpeed(speed) => {
                let changed = self.speed != speed;
                self.speed = speed;
                changed
            }
            Action::Select(position) => {
                let changed = self.selected != position;
                self.selected = position;
                // Clicking the event a command just selected is still the learner's pick.
                let noted = self.note(Gesture::Picked(position));
                changed || noted
            }
            Action::InvalidInput(text) => {
                self.notify(Tone::Problem, text, None);
                true
            }
            Action::SetReacting(on) => {
                let _ = self.session_mut().run_services(Step::Reacting { on });
                if !on {
                    self.running = false;
                }
                true
            }
            Action::OpenStorefront(checkouts) => {
                let opened = {
                    let mut session = self.session_mut();
                    session
                        .run_services(Step::Reacting { on: true })
                        .and_then(|_| session.run_services(Step::OpenStorefront { checkouts }))
                };
                match opened {
                    Ok(_) => {
                        self.running = true;
                        self.notify(
                            Tone::Success,
                            format!(
                                "The storefront is open for {} checkouts",
                                fmt_count(checkouts)
                            ),
                            None,
                        );
                    }
                    Err(error) => self.notify(Tone::Problem, error, None),
                }
                true
            }
            Action::SetRunning(running) => {
                let changed = self.running != running;
                self.running = running;
                changed
            }
            Action::SimTick => {
                if !self.running {
                    return false;
                }
                let outcome = {
                    let mut session = self.session_mut();
                    let until = session.now().plus_millis(self.sim_speed as i64);
                    session
                        .run_services(Step::AdvanceTo { until })
                        .map(|_| session.sim().is_quiescent())
                };
                match outcome {
                    Ok(true) => {
                        self.running = false;
                        self.notify(
                            Tone::Success,
                            "All quiet: every event has been delivered".into(),
                            None,
                        );
                    }
                    Ok(false) => {}
                    Err(error) => {
                        self.running = false;
                        self.notify(Tone::Problem, error, None);
                    }
                }
                true
            }
            Action::SimStep => {
                let outcome = self.session_mut().run_services(Step::SimSteps { count: 1 });
                if let Err(error) = outcome {
                    self.notify(Tone::Problem, error, None);
                }
                true
            }
            Action::SetSimSpeed(speed) => {
                let changed = self.sim_speed != speed;
                self.sim_speed = speed;
                changed
            }
            Action::SetDelivery { target, settings } => {
                let settings = settings.clamped();
                let _ = self.session_mut().run_services(Step::Delivery {
                    subscription: target,
                    settings,
                });
                if target.is_none() {
                    self.delivery = settings;
                }
                true
            }
            Action::SetIdempotent(idempotent) => {
                self.idempotent = idempotent;
                let _ = self.session_mut().run_services(Step::Idempotent {
                    service: None,
                    idempotent,
                });
                true
            }
            Action::SetChaos(on) => {
                let event = if on {
                    ShopEvent::ChaosModeEnabled {
                        reason: "game day".into(),
                    }
                } else {
                    ShopEvent::ChaosModeDisabled {}
                };
                let outcome = {
                    let mut session = self.session_mut();
                    session
                        .run_services(Step::Reacting { on: true })
                        .and_then(|_| session.run_services(Step::Inject { event }))
                };
                match outcome {
                    Ok(_) => {
                        self.chaos = on;
                        self.running = true;
                    }
                    Err(error) => self.notify(Tone::Problem, error, None),
                }
                true
            }
            Action::SetMode(mode) => {
                let outcome = self.session_mut().run_services(Step::Mode { mode });
                match outcome {
                    Ok(_) => self.notify(
                        Tone::Success,
                        format!("Now coordinating by {}", mode.name()),
                        None,
                    ),
                    Err(problem) => self.notify(Tone::Problem, problem, None),
                }
                true
            }
            Action::Fork(at) => {
                let outcome = self.session_mut().start_fork(at);
                match outcome {
                    // A short prefix is replayed at once; a long one a chunk per task.
                    Ok(()) => {
                        self.apply(Action::ContinueImport);
                    }
                    Err(problem) => self.notify(Tone::Problem, problem, None),
                }
                true
            }
            Action::CloseBranch { keep } => {
                let loses = {
                    let session = self.session();
                    session.branch().is_some_and(|branch| {
                        let line = if keep {
                            branch.main.shop().store().head()
                        } else {
                            session.shop().store().head()
                        };
                        line > branch.fork_at
                    })
                };
                if loses {
                    self.pending = Some(if keep {
                        Pending::KeepBranch
                    } else {
                        Pending::DiscardBranch
                    });
                } else {
                    self.close_branch(keep);
                }
                true
            }
            Action::ClaimAutosave => !std::mem::replace(&mut self.owns_autosave, true),
            Action::Import {
                name,
                bytes,
                source,
            } => {
                let started = self
                    .session_mut()
                    .start_import(name.clone(), &bytes, source);
                match started {
                    // A small file is in at once; a big one continues a chunk per task.
                    Ok(()) => {
                        self.apply(Action::ContinueImport);
                    }
                    Err(problem) => self.notify(
                        Tone::Problem,
                        format!("{name} was not imported (nothing changed): {problem}"),
                        None,
                    ),
                }
                true
            }
            Action::ContinueImport => {
                let outcome = self.session_mut().continue_import(IMPORT_CHUNK);
                match outcome {
                    Ok(Some(job)) if job.fork_at.is_some() => {
                        let at = job.fork_at.unwrap_or_default();
                        self.running = false;
                        self.notify(Tone::Success, format!("What-if branch opened at position {}: commands now go to the branch", fmt_count(at.0)), None);
                    }
                    Ok(Some(job)) => {
                        let asks = self.would_lose_work();
                        if asks {
                            self.pending = Some(Pending::Import {
                                name: job.name.clone(),
                                events: job.events_in(),
                            });
                            self.session_mut().hold_import(job);
                        } else {
                            self.adopt_import(job);
                        }
                    }
                    Ok(None) => {}
                    Err(problem) => self.notify(
                        Tone::Problem,
                        format!("The import stopped (nothing changed): {problem}"),
                        None,
                    ),
                }
                true
            }
            Action::CancelImport => {
                let cancelled = self.session_mut().cancel_import();
                if let Some(job) = cancelled {
                    let what = match job.fork_at {
                        Some(_) => format!("Opening {} cancelled: nothing changed", job.name),
                        None => format!("Import of {} cancelled: nothing changed", job.name),
                    };
                    self.notify(Tone::Success, what, None);
                }
                true
            }
            Action::Notify(text) => {
                self.notify(Tone::Success, text, None);
                true
            }
            Action::ToggleLessons => {
                self.lessons_open = !self.lessons_open;
                true
            }
            Action::LoadLesson(slug) => self.apply(Action::OpenLesson { slug, at: None }),
            Action::OpenLesson { slug, at } => {
                if crate::lessons::find(slug).is_none() {
                    self.notify(Tone::Problem, format!("There is no lesson '{slug}'"), None);
                } else if self.would_lose_work() {
                    self.pending = Some(Pending::Lesson { slug, at });
                } else {
                    self.load_lesson(slug, at);
                }
                true
            }
            Action::StartFresh => {
                if self.would_lose_work() {
                    self.pending = Some(Pending::Fresh);
                } else {
                    self.start_fresh();
                }
                true
            }
            Action::Welcome(show) => std::mem::replace(&mut self.welcome, show) != show,
            Action::AnswerLesson(choice) => {
                if let Some((_, progress)) = self.lesson.as_mut() {
                    // The prediction is locked once made: the learner commits to it.
                    if progress.answered.is_none() {
                        progress.answered = Some(choice);
                    }
                }
                true
            }
            Action::RevealLesson => {
                if let Some((_, progress)) = self.lesson.as_mut() {
                    progress.revealed = progress.answered.is_some();
                }
                true
            }
            Action::SetBackdate(at) => {
                let changed = self.backdate != at;
                self.backdate = at;
                changed
            }
            Action::SetExpectedVersion(expected) => {
                let changed = self.expected != expected;
                self.expected = expected;
                changed
            }
            Action::ToggleHelp => {
                self.help = !self.help;
                true
            }
            Action::CloseHelp => std::mem::replace(&mut self.help, false),
            Action::EditScript(draft) => {
                if self.session().scripts.draft == draft {
                    return false;
                }
                self.session_mut().scripts.draft = draft;
                true
            }
            Action::ScriptRan => {
                self.session_mut().scripts.dry_runs += 1;
                true
            }
            Action::PolicyReacted {
                id,
                version,
                up_to,
                intentions,
            } => self.policy_reacted(id, version, up_to, intentions),
            Action::DeployScript(handlers) => {
                let name = self.session().scripts.draft.name.clone();
                let head = self.session().shop().store().head().0;
                let version = self.session_mut().scripts.deploy(handlers, head);
                self.notify(
                    Tone::Success,
                    format!("{name} v{version} deployed: it now follows the timeline beside the read models"),
                    None,
                );
                true
            }
            Action::UndeployScript(id) => {
                let mut session = self.session_mut();
                let before = session.scripts.deployed.len();
                session.scripts.deployed.retain(|script| script.id != id);
                before != session.scripts.deployed.len()
            }
            Action::ToggleLargeText => {
                self.large_text = !self.large_text;
                true
            }
            Action::SetLargeText(on) => {
                let changed = self.large_text != on;
                self.large_text = on;
                changed
            }
            Action::ChooseTab(tab) => {
                let changed = self.tab != tab;
                self.tab = tab;
                changed
            }
            Action::SetQuery(text) => self.set_query(&text),
            Action::RegisterSchema {
                kind,
                schema,
                upcaster,
            } => {
                let outcome = self.session_mut().register_version(kind, schema, upcaster);
                match outcome {
                    Ok(version) => self.notify(
                        Tone::Success,
                        format!(
                            "{} {version} registered: consumers now read every {} as {version}",
                            kind.name(),
                            kind.name()
                        ),
                        None,
                    ),
                    Err(error) => self.notify(Tone::Problem, error, None),
                }
                true
            }
            Action::SetSchemaMode { kind, mode } => {
                self.session_mut().set_schema_mode(kind, mode);
                true
            }
            Action::ReplayParked(service) => {
                let count = self
                    .session_mut()
                    .run_services(Step::ReplayParked { service })
                    .unwrap_or(0);
                self.notify(
                    Tone::Success,
                    format!(
                        "{} parked deliveries to {} sent again",
                        fmt_count(count as u64),
                        eventide_engine::Named::name(service)
                    ),
                    None,
                );
                self.running = true;
                true
            }
            Action::FromLink(action) => {
                self.linking = true;
                let changed = self.apply(*action);
                self.linking = false;
                changed
            }
            Action::Confirm => match self.pending.take() {
                Some(pending) => {
                    self.carry_out(pending);
                    true
                }
                None => false,
            },
            Action::CancelPending => match self.pending.take() {
                Some(Pending::Import { name, .. }) => {
                    self.session_mut().take_ready_import();
                    self.notify(
                        Tone::Success,
                        format!("{name} was not opened: nothing changed"),
                        None,
                    );
                    true
                }
                Some(_) => true,
                None => false,
            },
            Action::SwitchLines => {
                let switched = self.session_mut().switch_lines();
                if switched {
                    self.running = false;
                    self.playing = false;
                    self.selected = None;
                    self.notify(
                        Tone::Success,
                        "Switched lines: the one you left is set aside, one click away".into(),
                        None,
                    );
                }
                switched
            }
            Action::ForgetSetAside => {
                let has = self.session().set_aside().is_some();
                if has {
                    self.pending = Some(Pending::ForgetSetAside);
                }
                has
            }
            Action::Dismiss(id) => {
                let before = self.notices.len();
                Rc::make_mut(&mut self.notices).retain(|notice| notice.id != id);
                before != self.notices.len()
            }
        }
    }

    /// Whether replacing the whole session now would lose something the user made.
    fn would_lose_work(&self) -> bool {
        self.precious && !self.session().what_a_replace_loses().is_empty()
    }

    /// The step the user confirmed.
    fn carry_out(&mut self, pending: Pending) {
        match pending {
            Pending::Import { .. } => {
                let ready = self.session_mut().take_ready_import();
                if let Some(job) = ready {
                    self.adopt_import(job);
                }
            }
            Pending::Lesson { slug, at } => self.load_lesson(slug, at),
            Pending::Fresh => self.start_fresh(),
            Pending::KeepBranch => self.close_branch(true),
            Pending::DiscardBranch => self.close_branch(false),
            Pending::ForgetSetAside => {
                if self.session_mut().forget_set_aside() {
                    self.notify(Tone::Success, "The line set aside is gone".into(), None);
                }
            }
        }
    }

    fn close_branch(&mut self, keep: bool) {
        let closed = self.session_mut().close_branch(keep);
        if closed.is_some() {
            self.running = false;
            self.selected = None;
            let text = if keep {
                "The branch is now the main line; the old main line is set aside (switch back at any time)"
            } else {
                "Branch discarded: back on the main line"
            };
            self.notify(Tone::Success, text.into(), None);
        }
    }

    /// A finished import takes the session's place.
    fn adopt_import(&mut self, job: session::ImportJob) {
        let knobs_replayed = job.knobs_replayed;
        let (job, summary, settings) = self.session_mut().adopt_import(job);
        self.apply_settings(&settings, knobs_replayed);
        self.running = false;
        self.playing = false;
        self.selected = None;
        self.lesson = None;
        self.precious = summary.events > 0;
        // A shared link puts the recipient where the sharer was.
        if let Some(view) = settings.get(VIEW_KEY) {
            self.apply_view(view);
        }
        if job.source == ImportSource::Autosave {
            self.owns_autosave = true;
        }
        let what = match job.source {
            ImportSource::Autosave => "Restored your saved session",
            ImportSource::Kept => "Opened the kept session",
            ImportSource::File | ImportSource::Link => "Imported",
        };
        self.notify(
            Tone::Success,
            format!(
                "{what} {}: {} events in {} streams",
                job.name,
                fmt_count(summary.events as u64),
                fmt_count(summary.streams as u64)
            ),
            None,
        );
    }

    /// An empty session, with the knobs at their defaults; the user's scripts stay (code, not
    /// history) and join the new line at its head.
    fn start_fresh(&mut self) {
        let scripts = std::mem::take(&mut self.session_mut().scripts);
        let mut session = Session::default();
        session.scripts = scripts;
        session.scripts.join_at(0);
        *self.session_mut() = session;
        self.running = false;
        self.playing = false;
        self.selected = None;
        self.lesson = None;
        self.backdate = None;
        self.expected = None;
        self.precious = false;
        self.delivery = DeliverySettings::default();
        self.idempotent = true;
        self.chaos = false;
        self.notify(Tone::Success, "A fresh, empty session".into(), None);
    }

    /// Carries out a policy's new decisions, each in its cause's flow; refusals are reported
    /// together. A policy never reacts to what it published itself (that would loop).
    fn policy_reacted(
        &mut self,
        id: scripts::ScriptId,
        version: u32,
        up_to: Position,
        intentions: Vec<eventide_shop::scripting::PlannedIntention>,
    ) -> bool {
        use eventide_shop::simulation::{PolicyActor, ScriptReaction};
        let (fed_to, name) = match self.session().scripts.by_id(id) {
            Some(policy) if policy.version == version && policy.fed_to < up_to.0 => {
                (policy.fed_to, policy.name.clone())
            }
            _ => return false,
        };
        let actor = PolicyActor {
            id: id.0,
            name: &name,
        };
        let (mut done, mut refused) = (0usize, Vec::new());
        for planned in intentions {
            if planned.position <= fed_to || planned.position > up_to.0 {
                continue;
            }
            let cause = Position(planned.position);
            let own = self
                .session()
                .shop()
                .store()
                .get(cause)
                .is_some_and(|event| actor.published(event));
            if own {
                continue;
            }
            let reaction = match (planned.command, planned.event) {
                (Some(command), _) => ScriptReaction::Command(command),
                (None, Some(event)) => ScriptReaction::Publish(event),
                (None, None) => {
                    refused.push(
                        planned
                            .problem
                            .unwrap_or_else(|| planned.intention.to_string()),
                    );
                    continue;
                }
            };
            match self.session_mut().react_for(actor, cause, reaction) {
                Ok(_) => done += 1,
                Err(error) => refused.push(error.to_string()),
            }
        }
        if let Some(policy) = self
            .session_mut()
            .scripts
            .deployed
            .iter_mut()
            .find(|policy| policy.id == id)
        {
            policy.fed_to = up_to.0;
        }
        if done > 0 {
            self.notify(
                Tone::Success,
                format!("{name} reacted: {done} new event(s) in the log"),
                None,
            );
        }
        if let Some(first) = refused.first() {
            self.notify(
                Tone::Problem,
                format!(
                    "{name}: {} reaction(s) refused, the first: {first}",
                    refused.len()
                ),
                None,
            );
        }
        true
    }

    /// What a scenario file says about the knobs and the schemas, put back in place. A recipe's
    /// steps already set the knobs as they were (`knobs_replayed`), per subscription and all.
    fn apply_settings(
        &mut self,
        settings: &serde_json::Map<String, serde_json::Value>,
        knobs_replayed: bool,
    ) {
        let delivery = settings
            .get("delivery")
            .and_then(|v| serde_json::from_value::<DeliverySettings>(v.clone()).ok());
        if knobs_replayed {
            // Only the panel's copies follow what the steps already set.
            let idempotent = {
                let session = self.session();
                session.sim().services().iter().all(|r| r.idempotent)
            };
            self.idempotent = idempotent;
            if let Some(delivery) = delivery {
                self.delivery = delivery.clamped();
            }
        } else if let Some(delivery) = delivery {
            self.apply(Action::SetDelivery {
                target: None,
                settings: delivery,
            });
        }
        if let Some(idempotent) = settings
            .get("idempotent")
            .and_then(|v| v.as_bool())
            .filter(|_| !knobs_replayed)
        {
            self.apply(Action::SetIdempotent(idempotent));
        }
        if let Some(mode) = settings
            .get("mode")
            .and_then(|v| serde_json::from_value::<Mode>(v.clone()).ok())
            .filter(|_| !knobs_replayed)
        {
            let _ = self.session_mut().run_services(Step::Mode { mode });
        }
        if let Some(saved) = settings
            .get("scripts")
            .and_then(|v| serde_json::from_value::<scripts::Scripts>(v.clone()).ok())
        {
            self.session_mut().scripts = saved.with_ids();
        }
        if let Some(record) = settings.get("evolution") {
            let restored = serde_json::from_value::<EvolutionRecord>(record.clone())
                .map_err(|error| error.to_string())
                .and_then(|record| self.session_mut().restore_evolution(&record));
            if let Err(problem) = restored {
                self.notify(
                    Tone::Problem,
                    format!("The scenario's schema versions were not restored: {problem}"),
                    None,
                );
            }
        }
    }

    fn set_query(&mut self, text: &str) -> bool {
        let session = self.session.borrow();
        self.search
            .borrow_mut()
            .set(text, session.shop().store().events())
    }

    fn seek(&mut self, target: Position) -> bool {
        let before = (
            self.session().shop().cursor(),
            self.session().shop().is_live(),
        );
        self.session_mut().seek(target);
        let after = (
            self.session().shop().cursor(),
            self.session().shop().is_live(),
        );
        before != after
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        let work = action.is_work();
        if next.apply(action) {
            next.latch_steps();
            // The log may have grown or been replaced: the search tests what is new.
            next.search
                .borrow_mut()
                .refresh(next.session.borrow().shop().store().events());
            if work {
                next.welcome = false;
                next.work += 1;
                next.precious = true;
            }
            next.revision += 1;
            Rc::new(next)
        } else {
            self
        }
    }
}

/// The handle every component gets from context.
pub type AppContext = UseReducerHandle<AppState>;

/// The app state from context. Panics only if a component is mounted outside `App`, which is
/// a programming error, not something a user can cause.
#[hook]
pub fn use_app() -> AppContext {
    use_context::<AppContext>().expect("components are mounted inside App's context provider")
}

fn fmt_position(position: Option<Position>) -> String {
    position.map_or_else(|| "-".into(), |p| fmt_count(p.0))
}
