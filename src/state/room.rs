//! The reducer's room side: joining, what the room says, and a command proposed to the room.

use std::collections::{BTreeMap, BTreeSet};

use eventide_engine::{EventId, Timestamp};
use eventide_shop::commands::ShopCommand;
use eventide_shop::room::Admitted;
use eventide_shop::scripting::ScriptKind;

use super::room_services::RoomService;
use super::{Action, AppState, Tone};
use crate::format::fmt_count;
use crate::room::{ConsumerLag, Heard, Role, RoomAddress, RoomStatus};

/// The room this tab is in, as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct RoomView {
    pub address: RoomAddress,
    /// Who this tab is in the room: the producer of what it proposes.
    pub me: String,
    pub status: RoomStatus,
    /// The events this tab proposed that the room has not delivered yet: their fate is news.
    pub proposed: BTreeSet<EventId>,
    /// The reactions this tab's services published that the room has not delivered yet, with
    /// the event each reacts to and the service's name: their service's card tells of them,
    /// not a notice, and an idempotent service counts them as done.
    pub reactions: BTreeMap<EventId, (EventId, String)>,
    /// The room's log was this long when the tab joined (known once joined).
    pub joined_at: Option<u64>,
    /// The stream sequence of the last event heard (every tab reads the stream in order).
    pub heard_seq: u64,
    /// This tab's services in the room (its policies, each on its own durable consumer).
    pub services: Vec<RoomService>,
    /// Every service's consumer in the room, as the server last said.
    pub consumers: Vec<ConsumerLag>,
    pub controls: RoomControls,
}

/// What the teacher has set for the room.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoomControls {
    pub storefront_paused: bool,
    pub chaos: bool,
    /// Consumers of the services that fail on every delivery.
    pub failing: Vec<String>,
}

impl RoomView {
    /// This browser's key for what it keeps of the room: server, room and who is in it.
    pub fn key(&self) -> String {
        format!("{} {} {}", self.address.server, self.address.name, self.me)
    }

    pub fn is_teacher(&self) -> bool {
        self.address.role == Role::Teacher
    }
}

impl AppState {
    /// Opens a fresh session as the room's (the saved work stays saved: a link opens beside
    /// it); the header's room badge connects.
    pub(super) fn join_room(&mut self, address: RoomAddress) {
        // A link pasted over work does not replace it: the room opens in a tab of its own.
        if !self.linking && !self.session().shop().store().is_empty() {
            self.notify(
                Tone::Problem,
                "This tab holds work: open the room link in a new tab to join it.".into(),
                None,
            );
            return;
        }
        if self.room.is_some() {
            self.notify(Tone::Problem, "This tab is in a room already.".into(), None);
            return;
        }
        self.start_fresh();
        self.session_mut().enter_room();
        self.notify(
            Tone::Success,
            format!("Joining room {} on {}", address.name, address.server),
            None,
        );
        // A tab its link does not name is a guest with a number drawn here (the page may
        // draw; the engine never does).
        let me = match (&address.attendee, address.role) {
            (Some(name), _) => name.clone(),
            (None, Role::Teacher) => "teacher".into(),
            // The same guest as last time in this room, from this browser: its services
            // come back with it.
            (None, Role::Attendee) => {
                let room = format!("{} {}", address.server, address.name);
                let kept = crate::saved::room_guest(&room).filter(|name| {
                    name.starts_with("guest-")
                        && name.len() <= 16
                        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                });
                kept.unwrap_or_else(|| {
                    let drawn = format!("guest-{:04}", (js_sys::Math::random() * 10_000.0) as u32);
                    crate::saved::keep_room_guest(&room, &drawn);
                    drawn
                })
            }
        };
        if self
            .session()
            .scripts
            .deployed
            .iter()
            .any(|script| script.kind == ScriptKind::Policy)
        {
            self.notify(
                Tone::Success,
                "Your deployed policies wait outside the room: deploy one again here to make it a service of the room.".into(),
                None,
            );
        }
        self.room = Some(RoomView {
            me,
            address,
            status: RoomStatus::Joining,
            proposed: BTreeSet::new(),
            reactions: BTreeMap::new(),
            joined_at: None,
            heard_seq: 0,
            services: Vec::new(),
            consumers: Vec::new(),
            controls: RoomControls::default(),
        });
    }

    pub(super) fn heard(&mut self, heard: Heard) {
        match heard {
            Heard::Status(status) => {
                let before = self.room.as_ref().map(|room| room.status.clone());
                if let Some(room) = self.room.as_mut() {
                    room.status = status.clone();
                }
                match (before, status) {
                    (_, RoomStatus::Refused(reason)) => self.notify(
                        Tone::Problem,
                        format!("The room refused this tab: {reason}"),
                        None,
                    ),
                    (Some(RoomStatus::Connected), RoomStatus::Reconnecting) => self.notify(
                        Tone::Problem,
                        "Lost the room's connection: reconnecting. What you send waits and is not lost."
                            .into(),
                        None,
                    ),
                    (Some(RoomStatus::Reconnecting), RoomStatus::Connected) => {
                        self.notify(Tone::Success, "Back in the room".into(), None)
                    }
                    _ => {}
                }
            }
            Heard::Joined { last_seq } => {
                if let Some(room) = self.room.as_mut() {
                    room.joined_at = Some(last_seq);
                }
            }
            Heard::ToService(delivery) => self.delivered_to_service(delivery),
            Heard::Consumers(consumers) => {
                if let Some(room) = self.room.as_mut() {
                    room.consumers = consumers;
                }
            }
            Heard::Control(control) => self.heard_control(control),
            Heard::Delivered {
                text,
                stored_at_ms,
                seq,
            } => {
                if let Some(room) = self.room.as_mut() {
                    room.heard_seq = room.heard_seq.max(seq);
                }
                let stored_at = Timestamp::from_millis(stored_at_ms);
                // Read once: its id says whether it is ours, and the session admits it.
                let envelope = serde_json::from_str::<serde_json::Value>(&text)
                    .map_err(|error| format!("an event from the room is not JSON: {error}"));
                let id = envelope.as_ref().ok().and_then(crate::room::event_id_of);
                let outcome = envelope
                    .and_then(|envelope| self.session_mut().admit_from_room(envelope, stored_at));
                let (ours, reaction) = match (id, self.room.as_mut()) {
                    (Some(id), Some(room)) => (
                        room.proposed.remove(&id),
                        room.reactions.remove(&id).is_some(),
                    ),
                    _ => (false, false),
                };
                if reaction {
                    // A service that waited for this reaction to land may acknowledge now.
                    self.release_landed();
                }
                match outcome {
                    Ok(Admitted::Landed(at)) if ours => {
                        self.timeline.selected = Some(at);
                        self.notify(
                            Tone::Success,
                            format!(
                                "Your event landed in the room at position {}",
                                fmt_count(at.0)
                            ),
                            Some(at),
                        );
                    }
                    Ok(_) => {}
                    // Everyone's stale events are refused in every tab; only the proposer (a person or
                    // one of its services) is told.
                    Err(problem) if ours || reaction => self.notify(Tone::Problem, problem, None),
                    Err(_) => {}
                }
            }
            Heard::RoomRefused(problem) => self.notify(
                Tone::Problem,
                format!("The room refused it: {problem}"),
                None,
            ),
            Heard::PublishFailed(problem) => self.notify(
                Tone::Problem,
                format!("Not sent to the room: {problem}"),
                None,
            ),
        }
    }

    /// What would append to this tab's log alone, or replace it, and so is refused in a room:
    /// the room's log is the one every tab builds from its stream (see `eventide_shop::room`).
    pub(super) fn room_refuses(&self, action: &Action) -> Option<&'static str> {
        self.room.as_ref()?;
        Some(match action {
            Action::StartGenerating { .. } => "generating orders",
            Action::OpenStorefront(_) => "opening the storefront",
            Action::SetReacting(true) => "letting this tab's services react",
            Action::SetChaos(_) => "chaos mode",
            Action::ReplayParked(_) | Action::ResetSubscription(..) => {
                "redelivering to this tab's services"
            }
            Action::Import { .. } | Action::LoadLesson(_) | Action::OpenLesson { .. } => {
                "replacing the log"
            }
            Action::StartFresh => "starting afresh (open Eventide without the room link)",
            Action::Fork(_) | Action::ForkWithout(_) | Action::SwitchLines => "a what-if branch",
            _ => return None,
        })
    }

    /// A command in a room: decided here, appended by the room (see `eventide_shop::room`).
    pub(super) fn propose_to_room(&mut self, command: ShopCommand) {
        let name = command.name();
        let paused = self
            .room
            .as_ref()
            .is_some_and(|room| room.controls.storefront_paused && !room.is_teacher());
        if paused {
            return self.notify(
                Tone::Problem,
                format!("{name} not sent: the teacher has paused the room's storefront"),
                None,
            );
        }
        match self.room.as_ref().map(|room| &room.status) {
            Some(RoomStatus::Joining) => {
                return self.notify(
                    Tone::Problem,
                    format!("{name} not sent: the tab is still joining the room"),
                    None,
                )
            }
            Some(RoomStatus::Refused(_)) => {
                return self.notify(
                    Tone::Problem,
                    format!("{name} not sent: the room refused this tab"),
                    None,
                )
            }
            _ => {}
        }
        let now = Timestamp::from_millis(js_sys::Date::now() as i64);
        let me = self
            .room
            .as_ref()
            .map(|room| room.me.clone())
            .unwrap_or_default();
        let backdate = self.next_command.backdate;
        let expected = self.next_command.expected.take();
        let proposed = self
            .session_mut()
            .propose(command, now, me, backdate, expected);
        match proposed {
            Ok(proposal) => {
                if let Some(room) = self.room.as_mut() {
                    room.proposed.insert(proposal.id);
                }
                crate::room::send(proposal.envelope.to_string(), proposal.id.to_string());
                self.notify(Tone::Success, format!("{name} sent to the room"), None);
            }
            Err(error) => self.notify(Tone::Problem, error.to_string(), None),
        }
    }
}
