//! The app's one store: a Yew reducer holding the engine behind a shared cell.
//!
//! The engine is never cloned: actions mutate it in place and bump `revision`, and every
//! component compares state by that counter alone, never by walking the log. An action that
//! changes nothing returns the same `Rc`, so Yew skips the render.
//!
//! Whether an action changed anything is never computed by hand: the session and the search
//! bump revisions of their own when they really change, the rest of the state is small plain
//! values compared before and after. Each concern has its own module, state and reducer
//! methods, and [`AppState::apply`] only hands each action to its concern:
//! - [`commands`]: a user's command, and what the next one carries;
//! - [`generation`]: generated workloads;
//! - [`timeline`]: the cursor, playing it, the event selected;
//! - [`simulation`]: the services, their clock, delivery, consumers, chaos;
//! - [`files`] and [`branches`]: imports, a fresh start, confirmations, what-if branches;
//! - [`lesson`]: the lesson open and the learner's progress;
//! - [`script_actions`]: the script editor and deployed scripts (their data: [`scripts`]);
//! - [`schemas`]: the schema registry;
//! - [`view`]: tabs, text size, help, the welcome, the log's query, and the view a link shares;
//! - [`notices`]: what the app says about each outcome.
//!
//! Scenario settings (what a file carries beside its events) are one typed struct,
//! [`ScenarioSettings`]; the knobs in it are read from the engine, never kept beside it.

mod action;
mod branches;
mod commands;
mod files;
mod generation;
mod lesson;
mod notices;
mod pending;
mod reset_point;
mod room;
pub mod room_services;
mod schemas;
mod script_actions;
pub mod scripts;
mod search;
mod session;
mod settings;
mod simulation;
mod tab;
mod timeline;
mod view;

use std::cell::{Ref, RefCell, RefMut};
use std::rc::Rc;

use eventide_engine::Position;
use yew::prelude::*;

pub use action::{Action, LeaveOut};
pub use commands::NextCommand;
pub use files::Files;
pub use lesson::Lessons;
pub use notices::{Notice, Notices, Tone};
pub use pending::{Asking, ExportWhich, Pending};
pub use reset_point::{ResetPoint, ResetPointError};
pub use room::RoomView;
pub use search::{LogSearch, Refusal};
pub use session::{Branch, GenerateJob, ImportSource, LeftOut, Session, SetAside, DEFAULT_SEED};
pub use settings::{Readable, ScenarioSettings};
pub use simulation::{Clock, SIM_SPEEDS};
pub use tab::CenterTab;
pub use timeline::{Timeline, SPEEDS};
pub use view::{SharedView, View};

#[derive(Clone)]
pub struct AppState {
    session: Rc<RefCell<Session>>,
    /// The query over the event log and what it selects; shared like the session (updated in
    /// place, with a revision of its own).
    pub search: Rc<RefCell<LogSearch>>,
    /// Bumped by every action that changes anything; the only thing renders compare.
    pub revision: u64,
    pub timeline: Timeline,
    /// The services' virtual clock: running or not, and how fast.
    pub clock: Clock,
    pub next_command: NextCommand,
    pub view: View,
    pub lessons: Lessons,
    pub files: Files,
    pub notices: Notices,
    /// The room this tab joined, if any.
    pub room: Option<RoomView>,
    /// An action from a link is being applied: it is no gesture of the learner's.
    linking: bool,
}

impl PartialEq for AppState {
    fn eq(&self, other: &Self) -> bool {
        self.revision == other.revision
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState::with_session(Session::default())
    }
}

impl AppState {
    /// The state of a tab holding `session` (the default one starts at the page's clock; tests
    /// hand in their own).
    pub fn with_session(session: Session) -> AppState {
        AppState {
            session: Rc::new(RefCell::new(session)),
            search: Rc::default(),
            revision: 0,
            timeline: Timeline::default(),
            clock: Clock::default(),
            next_command: NextCommand::default(),
            view: View::default(),
            lessons: Lessons::default(),
            files: Files::default(),
            notices: Notices::default(),
            room: None,
            linking: false,
        }
    }

    /// Read access to the engine for rendering.
    pub fn session(&self) -> Ref<'_, Session> {
        self.session.borrow()
    }

    fn session_mut(&self) -> RefMut<'_, Session> {
        self.session.borrow_mut()
    }

    fn notify(&mut self, tone: Tone, text: String, event: Option<Position>) {
        self.notices.push(tone, text, event);
    }

    /// The revisions of what is shared in place (the session, the search): compared before and
    /// after an action, since the state before shares the same cells.
    fn shared_revisions(&self) -> (u64, u64) {
        (self.session().revision(), self.search.borrow().revision())
    }

    /// Whether every plain part of the state equals `other`'s. Destructured, so a field added
    /// to the state cannot be forgotten here.
    fn same_values(&self, other: &AppState) -> bool {
        let AppState {
            session: _,
            search: _,
            revision: _,
            linking: _,
            timeline,
            clock,
            next_command,
            view,
            lessons,
            files,
            notices,
            room,
        } = self;
        *timeline == other.timeline
            && *clock == other.clock
            && *next_command == other.next_command
            && *view == other.view
            && *lessons == other.lessons
            && *files == other.files
            && *notices == other.notices
            && *room == other.room
    }

    /// Hands the action to its concern. Nothing here decides whether anything changed.
    fn apply(&mut self, action: Action) {
        if let Some(what) = self.room_refuses(&action) {
            self.notify(
                Tone::Problem,
                format!("In a room the log is the room's: {what} is not done in a room yet."),
                None,
            );
            return;
        }
        match action {
            Action::Execute(command) if self.room.is_some() => self.propose_to_room(command),
            Action::Execute(command) => self.execute(command),
            Action::JoinRoom(address) => self.join_room(address),
            Action::Heard(heard) => self.heard(heard),
            Action::SetBackdate(at) => self.next_command.backdate = at,
            Action::SetExpectedVersion(expected) => self.next_command.expected = expected,
            Action::InvalidInput(text) => self.notify(Tone::Problem, text, None),
            Action::Notify(text) => self.notify(Tone::Success, text, None),
            Action::Dismiss(id) => self.notices.dismiss(id),

            Action::StartGenerating { seed, orders } => self.start_generating(seed, orders),
            Action::ContinueGenerating => self.continue_generating(),
            Action::CancelGenerating => self.cancel_generating(),

            Action::Seek(target) => self.seek_noted(target),
            Action::SeekTime(time) => self.seek_time(time),
            Action::StepBack => self.step_back(),
            Action::StepForward => self.step_forward(),
            Action::GoLive => self.go_live(),
            Action::Tick { events } => self.tick(events),
            Action::TogglePlay => self.toggle_play(),
            Action::SetSpeed(speed) => self.timeline.speed = speed,
            Action::Select(position) => self.select(position),

            Action::SetReacting(on) => self.set_reacting(on),
            Action::OpenStorefront(checkouts) => self.open_storefront(checkouts),
            Action::SetRunning(running) => self.clock.running = running,
            Action::SimTick => self.sim_tick(),
            Action::SimStep => self.sim_step(),
            Action::SetSimSpeed(speed) => self.clock.speed = speed,
            Action::SetDelivery { target, settings } => self.set_delivery(target, settings),
            Action::SetIdempotent(idempotent) => self.set_idempotent(idempotent),
            Action::SetChaos(on) => self.set_chaos(on),
            Action::ReplayParked(service) => self.replay_parked(service),
            Action::ResetSubscription(service, to) => self.reset_subscription(service, to),
            Action::SetMode(mode) => self.set_mode(mode),

            Action::Import {
                name,
                bytes,
                source,
            } => self.import(name, &bytes, source),
            Action::ContinueImport => self.continue_import(),
            Action::CancelImport => self.cancel_import(),
            Action::ClaimAutosave => self.files.owns_autosave = true,
            Action::StartFresh => self.ask_fresh(),
            Action::Confirm => self.confirm(),
            Action::CancelPending => self.cancel_pending(),
            Action::Fork(at) => self.fork(at),
            Action::ForkWithout(which) => self.fork_without(which),
            Action::CloseBranch { keep } => self.ask_close_branch(keep),
            Action::SwitchLines => self.switch_lines(),
            Action::ForgetSetAside => self.ask_forget_set_aside(),

            Action::ToggleLessons => self.lessons.open = !self.lessons.open,
            Action::LoadLesson(slug) => self.open_lesson(slug, None),
            Action::OpenLesson { slug, at } => self.open_lesson(slug, at),
            Action::AnswerLesson(choice) => self.answer_lesson(choice),
            Action::RevealLesson => self.reveal_lesson(),

            Action::EditScript(draft) => self.edit_script(draft),
            Action::DeployScript(handlers) => self.deploy_script(handlers),
            Action::ScriptRan => self.session_mut().scripts_mut().dry_runs += 1,
            Action::PolicyReacted {
                id,
                version,
                up_to,
                intentions,
            } => self.policy_reacted(id, version, up_to, intentions),
            Action::UndeployScript(id) => {
                self.stop_serving(id);
                self.undeploy_script(id)
            }
            Action::ServiceDecided {
                consumer,
                seq,
                decided,
            } => {
                let now = eventide_engine::Timestamp::from_millis(js_sys::Date::now() as i64);
                self.service_decided(&consumer, seq, decided, now)
            }
            Action::ServiceDone {
                consumer,
                handle,
                ack_lost,
            } => self.service_done(&consumer, handle, ack_lost),
            Action::RestoreService { saved, handlers } => self.restore_service(saved, handlers),
            Action::SetServiceIdempotent {
                consumer,
                idempotent,
            } => self.set_service_idempotent(&consumer, idempotent),
            Action::SetRoomControl(control) => self.set_control(control),

            Action::RegisterSchema {
                kind,
                schema,
                upcaster,
            } => self.register_schema(kind, schema, upcaster),
            Action::SetSchemaMode { kind, mode } => self.session_mut().set_schema_mode(kind, mode),

            Action::ToggleHelp => self.view.help = !self.view.help,
            Action::CloseHelp => self.view.help = false,
            Action::ToggleLargeText => self.view.large_text = !self.view.large_text,
            Action::SetLargeText(on) => self.view.large_text = on,
            Action::ChooseTab(tab) => self.view.tab = tab,
            Action::SetQuery(text) => self.set_query(&text),
            Action::Welcome(show) => self.view.welcome = show,

            // `reduce` unwraps what a link asked for before it gets here.
            Action::FromLink(_) => {}
        }
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let work = action.is_work();
        let (action, from_link) = action.unwrap_link();
        let before = self.shared_revisions();
        let mut next = (*self).clone();
        next.linking = from_link;
        next.apply(action);
        next.linking = false;
        if next.shared_revisions() == before && next.same_values(&self) {
            return self;
        }
        next.latch_steps();
        // The log may have grown or been replaced: the search tests what is new.
        next.search
            .borrow_mut()
            .refresh(next.session.borrow().shop().store().events());
        if work {
            next.view.welcome = false;
            next.files.work += 1;
            next.files.precious = true;
        }
        next.revision += 1;
        Rc::new(next)
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

#[cfg(test)]
mod tests;
