//! Everything a component can ask of the store, as one closed set. The reducer (`AppState::apply`)
//! hands each to the concern it belongs to.

use std::rc::Rc;

use eventide_engine::delivery::{DeliverySettings, SubscriptionId};
use eventide_engine::schema::{CompatibilityMode, Upcaster};
use eventide_engine::store::ExpectedVersion;
use eventide_engine::{Position, Timestamp};
use eventide_shop::commands::ShopCommand;
use eventide_shop::events::ShopEventKind;
use eventide_shop::scripting::PlannedIntention;
use eventide_shop::services::{Mode, ServiceName};

use super::{scripts, CenterTab, ImportSource, ResetPoint};

/// Which events a what-if branch leaves out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaveOut {
    Event(Position),
    /// Every event the log's query matches.
    Matches,
}

pub enum Action {
    Execute(ShopCommand),
    /// Open a fresh session as a room's, and connect to it.
    JoinRoom(crate::room::RoomAddress),
    /// What the room said: a status, an event of its stream, a failed publish.
    Heard(crate::room::Heard),
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
    /// Reset a service's subscription to a position or a time: it is sent every event it
    /// consumes after that point again.
    ResetSubscription(SubscriptionId, ResetPoint),
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
    SetExpectedVersion(Option<ExpectedVersion>),
    /// Open a what-if branch at this position.
    Fork(Position),
    /// Open the what-if branch "what if these had not happened?": the log without them.
    ForkWithout(LeaveOut),
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
        intentions: Vec<PlannedIntention>,
    },
    /// Take a deployed script down.
    UndeployScript(scripts::ScriptId),
    /// A room service's policy decided on a delivery (see `room_services`).
    ServiceDecided {
        consumer: String,
        /// The message's stream sequence (whichever delivery of it waits now).
        seq: u64,
        decided: super::room_services::Decided,
    },
    /// A room service finished its work on a delivery; chaos may have lost its ack.
    ServiceDone {
        consumer: String,
        handle: u32,
        ack_lost: bool,
    },
    /// A service this browser kept for the room comes back, compiled again.
    RestoreService {
        saved: super::room_services::SavedService,
        handlers: scripts::Handlers,
    },
    /// Whether a room service checks the log for its earlier reaction before reacting.
    SetServiceIdempotent {
        consumer: String,
        idempotent: bool,
    },
    /// The teacher sets one of the room's controls.
    SetRoomControl(crate::room::Control),
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
    pub(super) fn is_work(&self) -> bool {
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
                | Action::ResetSubscription(..)
                | Action::Fork(_)
                | Action::ForkWithout(_)
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

    /// The action itself, and whether a link asked for it (however deeply wrapped).
    pub(super) fn unwrap_link(self) -> (Action, bool) {
        let mut action = self;
        let mut from_link = false;
        while let Action::FromLink(inner) = action {
            action = *inner;
            from_link = true;
        }
        (action, from_link)
    }
}
