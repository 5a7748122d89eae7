//! The reducer's room services: a policy deployed in a room is a service of the room. It
//! consumes the room's log through its own durable JetStream consumer, one message at a time
//! with explicit acks, and publishes its reactions to the room. It acknowledges a message only
//! after it has reacted and finished its work ([`HOLD_MS`]): close the tab in between and the
//! broker delivers the message again when the service returns, with a delivery count of 2.
//! An idempotent service looks in the room's log for a reaction of its own to that event (the
//! log is its idempotency store) and only acknowledges; a naive one reacts again, and the
//! duplicate lands for everyone to see. What runs the policy is `components::room_services`.

use std::collections::VecDeque;

use eventide_engine::{DomainEvent, EventId, Named, Position, Timestamp};
use eventide_shop::scripting::{PlannedIntention, ScriptKind};
use eventide_shop::simulation::{ScriptReaction, PRODUCER};
use serde::{Deserialize, Serialize};

use super::scripts::{Draft, Handlers, ScriptId};
use super::{AppState, Tone};
use crate::room::{Control, Redelivery, Role, ServiceDelivery, ServiceLabel, Settle};

/// How long the broker waits for an ack before it delivers a message again.
pub const ACK_WAIT_MS: u32 = 6_000;
/// Deliveries of one message before the broker gives up on it (a dead letter).
pub const MAX_DELIVER: u32 = 5;
/// How long a service works on after it has reacted, before it acknowledges: the window in
/// which a closed tab leaves the delivery unacknowledged.
pub const HOLD_MS: u32 = 2_500;
/// A failed delivery is asked for again after this long.
const RETRY_AFTER_MS: u32 = 1_500;
/// Deliveries each service shows, newest last.
const SHOWN_DELIVERIES: usize = 6;

/// One of this tab's services in the room.
#[derive(Clone, Debug, PartialEq)]
pub struct RoomService {
    pub script: ScriptId,
    /// The durable consumer's name on the server.
    pub consumer: String,
    pub label: ServiceLabel,
    pub idempotent: bool,
    /// Deliveries waiting their turn (the consumer sends one at a time; a redelivery may come
    /// while one waits).
    pub inbox: VecDeque<ServiceDelivery>,
    /// The delivery it has reacted to and not acknowledged yet.
    pub holding: Option<Holding>,
    /// What it decided on the last message (its sequence), for a redelivery of it: the policy
    /// has folded that event in, and a naive service re-runs the same decision.
    pub decided: Option<(u64, Vec<PlannedIntention>)>,
    /// The latest deliveries of events it handles, newest last.
    pub deliveries: VecDeque<Handled>,
}

/// A delivery a service reacted to, not acknowledged yet: it acknowledges once its work is
/// done ([`HOLD_MS`]) and its reactions are in the room's log (a reaction still on its way
/// would be lost with the tab if the ack went first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holding {
    pub handle: u32,
    pub seq: u64,
    /// The event it reacted to.
    pub cause: EventId,
    /// Its work is done: it acknowledges as soon as its reactions have landed.
    pub done: bool,
}

/// A delivery a service handled, as its card shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Handled {
    pub seq: u64,
    pub position: Option<Position>,
    pub event_type: String,
    /// The broker's delivery count: 2 or more is a redelivery.
    pub count: u32,
    pub outcome: Outcome,
    pub ack: Ack,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// It published this many reactions (and these were refused).
    Reacted {
        reactions: usize,
        refused: Vec<String>,
    },
    /// It had reacted to this event before (its reaction is in the log): no reaction again.
    AlreadyReacted,
    /// The policy decided nothing on it.
    NothingToDo,
    /// It failed: the teacher's injected failure, or its script's own.
    Failed(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ack {
    /// Reacted; acknowledging once its work is done.
    Held,
    Acked,
    /// Chaos lost the ack: the broker delivers it again after its ack wait.
    Lost,
    /// The broker delivered it again before its ack went (the connection was lost a while).
    DeliveredAgain,
    /// Asked for again (a failure); the last allowed delivery goes to no one after it.
    Nakked {
        last: bool,
    },
}

/// What the policy made of a delivery (the page's worker runs it).
#[derive(Clone, Debug, PartialEq)]
pub enum Decided {
    /// Not an event it handles, one the room refused, or its own: acknowledged at once.
    NotForIt,
    Intentions(Vec<PlannedIntention>),
    Failed(String),
}

/// A delivery whose turn it is: its event has landed in this tab's log (or was refused).
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceTurn {
    pub consumer: String,
    pub handle: u32,
    /// The message's sequence in the room's stream: a decision is the message's.
    pub seq: u64,
    pub script: ScriptId,
    /// Where its event is in this tab's log; `None`: the room refused it.
    pub at: Option<Position>,
    /// Whether the policy handles that event's type (and did not publish it itself).
    pub for_it: bool,
    /// The decision already made on this message, for a redelivery.
    pub decided: Option<Vec<PlannedIntention>>,
}

/// A service as this browser keeps it for the room, so it comes back when the tab does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedService {
    pub name: String,
    pub source: String,
    pub idempotent: bool,
}

/// A durable consumer's name: `svc-<attendee>-<policy>`, in the characters JetStream allows.
pub fn consumer_name(attendee: &str, policy: &str) -> String {
    let slug: String = policy
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let slug: String = slug.chars().take(40).collect();
    // Names that differ only where the slug cannot show it keep consumers of their own.
    let hash = policy.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    format!("svc-{attendee}-{}-{hash:08x}", slug.trim_end_matches('-'))
}

impl AppState {
    /// A policy deployed (or deployed again) in a room becomes, or stays, a room service.
    pub(super) fn serve_in_room(&mut self, id: ScriptId, idempotent: Option<bool>) {
        let Some(script) = self.session().scripts.by_id(id).cloned() else {
            return;
        };
        let Some(room) = self.room.as_mut() else {
            return;
        };
        if script.kind != ScriptKind::Policy {
            return;
        }
        let label = ServiceLabel {
            producer: format!("{} ({})", script.name, room.me),
            consumes: script.handles.clone(),
        };
        if let Some(service) = room.services.iter_mut().find(|s| s.script == id) {
            service.label = label;
            service.decided = None;
            if let Some(idempotent) = idempotent {
                service.idempotent = idempotent;
            }
        } else {
            let consumer = consumer_name(&room.me, &script.name);
            crate::room::serve(
                consumer.clone(),
                &label,
                Redelivery {
                    ack_wait_ms: ACK_WAIT_MS,
                    max_deliver: MAX_DELIVER,
                },
            );
            room.services.push(RoomService {
                script: id,
                consumer,
                label,
                idempotent: idempotent.unwrap_or(true),
                inbox: VecDeque::new(),
                holding: None,
                decided: None,
                deliveries: VecDeque::new(),
            });
        }
        self.save_room_services(None);
    }

    /// A service taken down stops consuming; its consumer keeps its place on the server, so
    /// what arrives meanwhile waits for it (the teacher sees its lag grow).
    pub(super) fn stop_serving(&mut self, id: ScriptId) {
        let Some(room) = self.room.as_mut() else {
            return;
        };
        if let Some(at) = room.services.iter().position(|s| s.script == id) {
            let service = room.services.remove(at);
            // What it had been handed goes back to the broker (after its ack wait), not kept
            // alive for a service that is gone.
            for waiting in &service.inbox {
                crate::room::settle(waiting.handle, Settle::Forget);
            }
            if let Some(held) = service.holding {
                crate::room::settle(held.handle, Settle::Forget);
            }
            crate::room::unserve(service.consumer);
            let name = self
                .session()
                .scripts
                .by_id(id)
                .map(|script| script.name.clone());
            self.save_room_services(name.as_deref());
        }
    }

    /// Brings back a service this browser kept for the room (the tab came back): the policy
    /// deployed under its name serves again, or it is deployed. The editor's draft stays.
    pub(super) fn restore_service(&mut self, saved: SavedService, handlers: Handlers) {
        let deployed = self
            .session()
            .scripts
            .deployed(&saved.name)
            .filter(|script| script.kind == ScriptKind::Policy)
            .map(|script| script.id);
        let id = match deployed {
            Some(id) => Some(id),
            None => {
                let head = self.session().shop().store().head().0;
                let mut session = self.session_mut();
                let scripts = session.scripts_mut();
                let draft = std::mem::replace(
                    &mut scripts.draft,
                    Draft {
                        name: saved.name.clone(),
                        kind: ScriptKind::Policy,
                        source: saved.source,
                    },
                );
                scripts.deploy(handlers, head);
                scripts.draft = draft;
                scripts.deployed(&saved.name).map(|script| script.id)
            }
        };
        if let Some(id) = id {
            self.serve_in_room(id, Some(saved.idempotent));
            self.notify(
                Tone::Success,
                format!(
                    "{} is back: its consumer resumes where it acknowledged",
                    saved.name
                ),
                None,
            );
        }
    }

    pub(super) fn set_service_idempotent(&mut self, consumer: &str, idempotent: bool) {
        let Some(service) = self.room_service_mut(consumer) else {
            return;
        };
        service.idempotent = idempotent;
        self.save_room_services(None);
    }

    fn room_service_mut(&mut self, consumer: &str) -> Option<&mut RoomService> {
        self.room
            .as_mut()?
            .services
            .iter_mut()
            .find(|s| s.consumer == consumer)
    }

    /// Keeps this tab's services for the room in the browser, for when the tab returns.
    /// What is kept is merged, not replaced: a kept service not back yet (still compiling, or
    /// no longer compiling) stays kept; only `taken_down` is let go.
    fn save_room_services(&mut self, taken_down: Option<&str>) {
        let Some(room) = self.room.as_ref() else {
            return;
        };
        let saved: Vec<SavedService> = {
            let session = self.session();
            let serving: Vec<SavedService> = room
                .services
                .iter()
                .filter_map(|service| {
                    let script = session.scripts.by_id(service.script)?;
                    Some(SavedService {
                        name: script.name.clone(),
                        source: script.source.clone(),
                        idempotent: service.idempotent,
                    })
                })
                .collect();
            let mut kept: Vec<SavedService> = crate::saved::room_services(&room.key())
                .into_iter()
                .filter(|old| {
                    Some(old.name.as_str()) != taken_down
                        && !serving.iter().any(|new| new.name == old.name)
                })
                .collect();
            kept.extend(serving);
            kept
        };
        if let Err(problem) = crate::saved::write_room_services(&room.key(), &saved) {
            self.notify(
                Tone::Problem,
                format!("Your room services are not kept for a return: {problem}"),
                None,
            );
        }
    }

    /// A message of the log for one of this tab's services.
    pub(super) fn delivered_to_service(&mut self, delivery: ServiceDelivery) {
        let Some(service) = self.room_service_mut(&delivery.consumer) else {
            // Not (or no longer) ours: back to the broker, for the consumer's next reader.
            crate::room::settle(delivery.handle, Settle::Forget);
            return;
        };
        // A redelivery replaces an older delivery of the same message still waiting, and
        // ends a hold on it (that ack came too late: the broker has delivered it again).
        service.inbox.retain(|waiting| {
            let superseded = waiting.seq == delivery.seq;
            if superseded {
                crate::room::settle(waiting.handle, Settle::Forget);
            }
            !superseded
        });
        if let Some(held) = service.holding.filter(|held| held.seq == delivery.seq) {
            crate::room::settle(held.handle, Settle::Forget);
            service.holding = None;
            if let Some(shown) = service
                .deliveries
                .iter_mut()
                .rev()
                .find(|shown| shown.seq == held.seq && shown.ack == Ack::Held)
            {
                shown.ack = Ack::DeliveredAgain;
            }
        }
        service.inbox.push_back(delivery);
    }

    /// The deliveries whose turn it is, one per service: the first waiting, once this tab's
    /// log has caught up with the room as far as that message (and as far as it was when the
    /// tab joined, so an idempotent service sees its earlier reactions).
    pub fn service_turns(&self) -> Vec<ServiceTurn> {
        let Some(room) = self.room.as_ref() else {
            return Vec::new();
        };
        let Some(joined_at) = room.joined_at else {
            return Vec::new();
        };
        let session = self.session();
        let store = session.shop().store();
        room.services
            .iter()
            .filter(|service| service.holding.is_none())
            .filter_map(|service| {
                let delivery = service.inbox.front()?;
                if room.heard_seq < delivery.seq.max(joined_at) {
                    return None;
                }
                let script = session.scripts.by_id(service.script)?;
                let event = delivery.event.and_then(|id| store.get_by_id(id));
                let for_it = event.is_some_and(|event| {
                    script
                        .handles
                        .iter()
                        .any(|kind| kind == event.event.kind().name())
                        && event.metadata.get(PRODUCER) != Some(service.label.producer.as_str())
                });
                Some(ServiceTurn {
                    consumer: service.consumer.clone(),
                    handle: delivery.handle,
                    seq: delivery.seq,
                    script: service.script,
                    at: event.map(|event| event.position),
                    for_it,
                    decided: service
                        .decided
                        .as_ref()
                        .filter(|(seq, _)| *seq == delivery.seq)
                        .map(|(_, decided)| decided.clone()),
                })
            })
            .collect()
    }

    /// Carries out what a service's policy decided on a delivery, and settles it: a failure
    /// (the teacher's, or the script's) asks for it again; nothing to do is acknowledged; a
    /// reaction is published and its ack held while the service finishes.
    pub(super) fn service_decided(
        &mut self,
        consumer: &str,
        seq: u64,
        decided: Decided,
        now: Timestamp,
    ) {
        let failing = self
            .room
            .as_ref()
            .is_some_and(|room| room.controls.failing.iter().any(|c| c == consumer));
        let Some(service) = self.room_service_mut(consumer) else {
            return;
        };
        // The policy has folded this event in now: a redelivery of it (after a failure, a
        // lost ack, or while this decision was being made) carries out the same decision
        // rather than asking the policy again, which would decide nothing.
        if let Decided::Intentions(intentions) = &decided {
            service.decided = Some((seq, intentions.clone()));
        }
        // The decision is the message's, whichever delivery of it waits now.
        if service.inbox.front().map(|d| d.seq) != Some(seq) {
            return;
        }
        let Some(delivery) = service.inbox.pop_front() else {
            return;
        };
        let handle = delivery.handle;
        let (idempotent, producer) = (service.idempotent, service.label.producer.clone());
        let cause = {
            let session = self.session();
            delivery
                .event
                .and_then(|id| session.shop().store().get_by_id(id))
                .map(|event| {
                    (
                        event.position,
                        event.id,
                        event.event.kind().name().to_string(),
                    )
                })
        };
        let intentions = match (decided, cause.as_ref()) {
            (Decided::NotForIt, _) | (_, None) => {
                crate::room::settle(handle, Settle::Ack);
                return;
            }
            (_, Some(_)) if failing => Err("the teacher injected a failure into it".to_string()),
            (Decided::Failed(problem), _) => Err(problem),
            (Decided::Intentions(intentions), _) => Ok(intentions),
        };
        let Some((position, cause_id, event_type)) = cause else {
            return;
        };
        let handled = |outcome, ack| Handled {
            seq: delivery.seq,
            position: Some(position),
            event_type: event_type.clone(),
            count: delivery.count,
            outcome,
            ack,
        };
        let entry = match intentions {
            Err(problem) => {
                crate::room::settle(
                    handle,
                    Settle::Nak {
                        delay_ms: RETRY_AFTER_MS,
                    },
                );
                let last = delivery.count >= MAX_DELIVER;
                handled(Outcome::Failed(problem), Ack::Nakked { last })
            }
            Ok(intentions) if intentions.is_empty() => {
                crate::room::settle(handle, Settle::Ack);
                handled(Outcome::NothingToDo, Ack::Acked)
            }
            Ok(_) if idempotent && self.reacted_before(cause_id, &producer) => {
                // Its earlier reaction may still be on its way: the ack waits for it to land.
                if let Some(service) = self.room_service_mut(consumer) {
                    service.holding = Some(Holding {
                        handle,
                        seq: delivery.seq,
                        cause: cause_id,
                        done: true,
                    });
                }
                self.release_landed();
                let acked = self
                    .room
                    .as_ref()
                    .and_then(|room| room.services.iter().find(|s| s.consumer == consumer))
                    .is_some_and(|service| service.holding.is_none());
                handled(
                    Outcome::AlreadyReacted,
                    if acked { Ack::Acked } else { Ack::Held },
                )
            }
            Ok(intentions) => {
                let (reactions, refused) =
                    self.propose_reactions(position, &intentions, &producer, now);
                if let Some(service) = self.room_service_mut(consumer) {
                    service.holding = Some(Holding {
                        handle: delivery.handle,
                        seq: delivery.seq,
                        cause: cause_id,
                        done: false,
                    });
                }
                handled(Outcome::Reacted { reactions, refused }, Ack::Held)
            }
        };
        if let Some(service) = self.room_service_mut(consumer) {
            service.deliveries.push_back(entry);
            while service.deliveries.len() > SHOWN_DELIVERIES {
                service.deliveries.pop_front();
            }
        }
    }

    /// The service's work on a delivery is done: it acknowledges, unless chaos lost the ack
    /// (then the broker delivers it again after its ack wait).
    pub(super) fn service_done(&mut self, consumer: &str, handle: u32, ack_lost: bool) {
        let Some(service) = self.room_service_mut(consumer) else {
            return;
        };
        let Some(held) = service
            .holding
            .as_mut()
            .filter(|held| held.handle == handle)
        else {
            return;
        };
        if ack_lost {
            // Chaos: the ack never reaches the broker, which delivers the message again.
            service.holding = None;
            crate::room::settle(handle, Settle::Forget);
            if let Some(last) = service.deliveries.back_mut().filter(|d| d.ack == Ack::Held) {
                last.ack = Ack::Lost;
            }
            return;
        }
        held.done = true;
        self.release_landed();
    }

    /// Acknowledges every held delivery whose work is done and whose reactions have all
    /// reached the room's log (landed, or refused by the room's rule: either way, decided).
    pub(super) fn release_landed(&mut self) {
        let Some(room) = self.room.as_mut() else {
            return;
        };
        let in_flight: Vec<(EventId, String)> = room.reactions.values().cloned().collect();
        for service in &mut room.services {
            let Some(held) = service.holding else {
                continue;
            };
            let waiting = in_flight
                .iter()
                .any(|(cause, by)| *cause == held.cause && *by == service.label.producer);
            if !held.done || waiting {
                continue;
            }
            service.holding = None;
            crate::room::settle(held.handle, Settle::Ack);
            if let Some(last) = service.deliveries.back_mut().filter(|d| d.ack == Ack::Held) {
                last.ack = Ack::Acked;
            }
        }
    }

    /// Whether the log holds a reaction of `producer` to the event `cause`, or this tab has
    /// one on its way to the room.
    fn reacted_before(&self, cause: EventId, producer: &str) -> bool {
        let on_its_way = self.room.as_ref().is_some_and(|room| {
            room.reactions
                .values()
                .any(|(to, by)| *to == cause && by == producer)
        });
        on_its_way
            || self.session().shop().store().events().iter().any(|event| {
                event.causation_id == Some(cause) && event.metadata.get(PRODUCER) == Some(producer)
            })
    }

    /// Proposes a service's reactions to the room; how many went, and why others did not.
    fn propose_reactions(
        &mut self,
        cause: Position,
        intentions: &[PlannedIntention],
        producer: &str,
        now: Timestamp,
    ) -> (usize, Vec<String>) {
        let (mut sent, mut refused) = (0, Vec::new());
        for planned in intentions {
            let reaction = match (&planned.command, &planned.event) {
                (Some(command), _) => ScriptReaction::Command(command.clone()),
                (None, Some(event)) => ScriptReaction::Publish(event.clone()),
                (None, None) => {
                    refused.push(
                        planned
                            .problem
                            .clone()
                            .unwrap_or_else(|| planned.intention.to_string()),
                    );
                    continue;
                }
            };
            let proposed = self
                .session_mut()
                .propose_reaction(cause, reaction, producer, now);
            match proposed {
                Ok(proposal) => {
                    let cause_id = self
                        .session()
                        .shop()
                        .store()
                        .get(cause)
                        .map(|event| event.id);
                    if let (Some(room), Some(cause_id)) = (self.room.as_mut(), cause_id) {
                        room.reactions
                            .insert(proposal.id, (cause_id, producer.to_string()));
                    }
                    crate::room::send(proposal.envelope.to_string(), proposal.id.to_string());
                    sent += 1;
                }
                Err(error) => refused.push(error.to_string()),
            }
        }
        (sent, refused)
    }

    /// The teacher changes a control for the room; for anyone else the server refuses it.
    pub(super) fn set_control(&mut self, control: Control) {
        let teacher = self
            .room
            .as_ref()
            .is_some_and(|room| room.address.role == Role::Teacher);
        if !teacher {
            self.notify(
                Tone::Problem,
                "Only the teacher controls the room.".into(),
                None,
            );
            return;
        }
        crate::room::control(control);
    }

    /// A control the room keeps changed (or this tab joined and hears it): said when it is news.
    pub(super) fn heard_control(&mut self, control: Control) {
        let Some(room) = self.room.as_mut() else {
            return;
        };
        let controls = &mut room.controls;
        let news = match &control {
            Control::StorefrontPaused(on) if *on != controls.storefront_paused => {
                controls.storefront_paused = *on;
                Some(if *on {
                    "The teacher paused the room's storefront: commands wait".to_string()
                } else {
                    "The teacher opened the room's storefront again".to_string()
                })
            }
            Control::Chaos(on) if *on != controls.chaos => {
                controls.chaos = *on;
                Some(if *on {
                    "The teacher turned on chaos: a third of the services' acks get lost"
                        .to_string()
                } else {
                    "The teacher turned chaos off".to_string()
                })
            }
            Control::Failing(consumers) if *consumers != controls.failing => {
                let mine: Vec<&RoomService> = room
                    .services
                    .iter()
                    .filter(|s| {
                        consumers.contains(&s.consumer) && !controls.failing.contains(&s.consumer)
                    })
                    .collect();
                let news = mine.first().map(|service| {
                    format!(
                        "The teacher injected a failure into your {}",
                        service.label.producer
                    )
                });
                controls.failing = consumers.clone();
                news
            }
            _ => None,
        };
        if let Some(news) = news {
            self.notify(Tone::Success, news, None);
        }
    }
}

/// The room's services as a graph: who publishes which event types (from the log's
/// producers) and who consumes them (from the consumers on the server).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RoomGraph {
    pub publishers: Vec<String>,
    pub types: Vec<String>,
    pub consumers: Vec<String>,
    /// (publisher, type) and (type, consumer), as indexes into the lists above.
    pub published: Vec<(usize, usize)>,
    pub consumed: Vec<(usize, usize)>,
}

impl RoomGraph {
    /// From each event's producer and type, and each consumer's label.
    pub fn derive<'a>(
        events: impl IntoIterator<Item = (&'a str, &'a str)>,
        consumers: &[ServiceLabel],
    ) -> RoomGraph {
        let mut graph = RoomGraph::default();
        for (producer, kind) in events {
            let from = index_of(&mut graph.publishers, producer);
            let to = index_of(&mut graph.types, kind);
            if !graph.published.contains(&(from, to)) {
                graph.published.push((from, to));
            }
        }
        for label in consumers {
            let to = index_of(&mut graph.consumers, &label.producer);
            for kind in &label.consumes {
                let from = index_of(&mut graph.types, kind);
                if !graph.consumed.contains(&(from, to)) {
                    graph.consumed.push((from, to));
                }
            }
        }
        graph
    }

    /// Who publishes the type at `kind` (an index into `types`).
    pub fn publishers_of(&self, kind: usize) -> impl Iterator<Item = &str> {
        self.published
            .iter()
            .filter(move |(_, to)| *to == kind)
            .filter_map(|(from, _)| self.publishers.get(*from))
            .map(String::as_str)
    }

    /// Who consumes the type at `kind`.
    pub fn consumers_of(&self, kind: usize) -> impl Iterator<Item = &str> {
        self.consumed
            .iter()
            .filter(move |(from, _)| *from == kind)
            .filter_map(|(_, to)| self.consumers.get(*to))
            .map(String::as_str)
    }
}

fn index_of(list: &mut Vec<String>, name: &str) -> usize {
    list.iter()
        .position(|known| known == name)
        .unwrap_or_else(|| {
            list.push(name.to_string());
            list.len() - 1
        })
}

/// How often a service's reactions are in the log, against the events it reacted to: equal
/// when each was handled exactly once; more reactions than causes are duplicates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReactionCount {
    pub reactions: usize,
    pub causes: usize,
}

impl ReactionCount {
    pub fn of(causations: impl IntoIterator<Item = Option<EventId>>) -> ReactionCount {
        let mut causes = std::collections::BTreeSet::new();
        let mut reactions = 0;
        for cause in causations.into_iter().flatten() {
            reactions += 1;
            causes.insert(cause);
        }
        ReactionCount {
            reactions,
            causes: causes.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::room::{Heard, RoomAddress, RoomStatus};
    use eventide_engine::rng::SeededRng;
    use eventide_shop::commands::ShopCommand;
    use eventide_shop::events::ShopEvent;
    use eventide_shop::ids::{CustomerId, Sku};
    use eventide_shop::{CommandContext, Shop};

    const NOW: Timestamp = Timestamp(1_795_683_600_000);
    fn consumer() -> String {
        consumer_name("Bea", "Confirmation")
    }

    /// Bea's tab in room `r`, caught up, with the Confirmation policy deployed as a service.
    fn bea(idempotent: bool) -> AppState {
        // As `join_room` leaves a tab, without the wall clock a fresh session reads.
        let mut state = AppState::with_session(crate::state::Session::starting_at(NOW));
        state.session_mut().enter_room();
        let address = RoomAddress::new("ws://h:1".into(), "t".into(), "r".into())
            .and_then(|address| address.called("Bea".into()))
            .expect("a room address");
        state.room = Some(crate::state::room::RoomView {
            address,
            me: "Bea".into(),
            status: RoomStatus::Joining,
            proposed: Default::default(),
            reactions: Default::default(),
            joined_at: None,
            heard_seq: 0,
            services: Vec::new(),
            consumers: Vec::new(),
            controls: Default::default(),
        });
        state.heard(Heard::Joined { last_seq: 0 });
        state.heard(Heard::Status(RoomStatus::Connected));
        state.session_mut().scripts_mut().draft = Draft {
            name: "Confirmation".into(),
            kind: ScriptKind::Policy,
            source: String::new(),
        };
        state.deploy_script(Handlers {
            handles: vec!["ItemAddedToCart".into()],
            reads: Vec::new(),
        });
        state.set_service_idempotent(&consumer(), idempotent);
        state
    }

    /// What another tab proposed: an item added to customer 3's cart.
    fn ada_adds_an_item() -> String {
        let mut ids = SeededRng::new(9);
        let command = ShopCommand::AddItemToCart {
            customer: CustomerId(3),
            sku: Sku(1),
            quantity: 1,
        };
        Shop::new()
            .propose(command, CommandContext::new(NOW, &mut ids))
            .expect("a proposal")
            .envelope
            .to_string()
    }

    fn deliver(state: &mut AppState, text: &str, seq: u64) {
        state.heard(Heard::Delivered {
            text: text.to_string(),
            stored_at_ms: NOW.0 + seq as i64,
            seq,
        });
    }

    fn hand_to_service(state: &mut AppState, text: &str, handle: u32, count: u32) {
        let envelope = serde_json::from_str(text).expect("an envelope");
        state.delivered_to_service(ServiceDelivery {
            consumer: consumer(),
            handle,
            seq: 1,
            count,
            event: crate::room::event_id_of(&envelope),
        });
    }

    /// Bea's service's email in reaction to the event at position 1, as the room would carry it.
    fn bea_s_email(state: &mut AppState) -> serde_json::Value {
        state
            .session_mut()
            .propose_reaction(
                Position(1),
                ScriptReaction::Publish(email().remove(0).event.expect("an event")),
                "Confirmation (Bea)",
                NOW,
            )
            .expect("a reaction")
            .envelope
    }

    /// The room delivers the reaction this tab has on its way (at stream sequence 2).
    fn land_the_reaction_on_its_way(state: &mut AppState) {
        let on_its_way = state
            .room
            .as_ref()
            .and_then(|room| room.reactions.keys().next().copied())
            .expect("a reaction on its way");
        let mut landed = bea_s_email(state);
        landed["event_id"] = serde_json::json!(on_its_way.to_string());
        deliver(state, &landed.to_string(), 2);
    }

    fn email() -> Vec<PlannedIntention> {
        vec![PlannedIntention {
            position: 1,
            intention: serde_json::Value::Null,
            command: None,
            event: Some(ShopEvent::EmailSent {
                customer: CustomerId(3),
                order: None,
                template: "confirmation".into(),
            }),
            problem: None,
        }]
    }

    fn service(state: &AppState) -> &RoomService {
        state
            .room
            .as_ref()
            .and_then(|room| room.services.first())
            .expect("a room service")
    }

    #[test]
    fn a_delivery_waits_for_its_event_then_the_service_reacts_and_holds_its_ack() {
        let mut state = bea(true);
        let deployed = state.notices.shown().iter().any(|notice| {
            notice
                .text
                .contains("deployed as a service of the room, on its durable consumer")
        });
        assert!(deployed, "the deploy says it is a room service");
        let order = ada_adds_an_item();
        hand_to_service(&mut state, &order, 1, 1);
        assert!(
            state.service_turns().is_empty(),
            "its event has not reached this tab yet"
        );
        deliver(&mut state, &order, 1);
        let turns = state.service_turns();
        assert_eq!(turns.len(), 1);
        assert_eq!((turns[0].at, turns[0].for_it), (Some(Position(1)), true));
        state.service_decided(&consumer(), 1, Decided::Intentions(email()), NOW);
        let bea = service(&state);
        assert_eq!(
            bea.holding.map(|held| (held.handle, held.seq, held.done)),
            Some((1, 1, false))
        );
        assert!(matches!(
            bea.deliveries[0].outcome,
            Outcome::Reacted { reactions: 1, .. }
        ));
        assert_eq!(
            state.room.as_ref().map(|room| room.reactions.len()),
            Some(1)
        );
        assert!(
            state.service_turns().is_empty(),
            "one message at a time: the ack is held"
        );
        state.service_done(&consumer(), 1, false);
        // Its work is done, but its reaction has not reached the room's log yet: a tab closed
        // now must leave the delivery unacknowledged, or the reaction would be lost.
        assert_eq!(service(&state).holding.map(|held| held.done), Some(true));
        assert_eq!(service(&state).deliveries[0].ack, Ack::Held);
        land_the_reaction_on_its_way(&mut state);
        assert_eq!(service(&state).holding, None);
        assert_eq!(service(&state).deliveries[0].ack, Ack::Acked);
    }

    #[test]
    fn under_chaos_a_lost_ack_leaves_the_delivery_to_come_again() {
        let mut state = bea(true);
        let order = ada_adds_an_item();
        deliver(&mut state, &order, 1);
        hand_to_service(&mut state, &order, 1, 1);
        state.service_decided(&consumer(), 1, Decided::Intentions(email()), NOW);
        state.service_done(&consumer(), 1, true);
        assert_eq!(service(&state).deliveries[0].ack, Ack::Lost);
        // The broker delivers it again before the reaction is back from the room: the
        // idempotent service counts the one on its way, does not react again, and holds its
        // ack until that reaction lands.
        hand_to_service(&mut state, &order, 2, 2);
        let turn = state.service_turns().remove(0);
        assert_eq!((turn.handle, turn.decided.clone()), (2, Some(email())));
        state.service_decided(&consumer(), 1, Decided::Intentions(email()), NOW);
        assert_eq!(
            service(&state).deliveries[1].outcome,
            Outcome::AlreadyReacted
        );
        assert_eq!(service(&state).deliveries[1].ack, Ack::Held);
        assert!(service(&state).holding.is_some_and(|held| held.done));
        assert_eq!(
            state.room.as_ref().map(|room| room.reactions.len()),
            Some(1)
        );
    }

    /// The tab was closed after reacting and before its ack: the broker delivers the event
    /// again to the returning tab, whose log holds the reaction already.
    fn returned_with_its_reaction_in_the_log(idempotent: bool) -> AppState {
        let mut state = bea(idempotent);
        let order = ada_adds_an_item();
        deliver(&mut state, &order, 1);
        let reaction = bea_s_email(&mut state);
        deliver(&mut state, &reaction.to_string(), 2);
        hand_to_service(&mut state, &order, 7, 2);
        assert_eq!(
            state.service_turns().len(),
            1,
            "its turn: the tab has caught up"
        );
        state.service_decided(&consumer(), 1, Decided::Intentions(email()), NOW);
        state
    }

    #[test]
    fn an_idempotent_service_finds_its_earlier_reaction_and_only_acknowledges_a_redelivery() {
        let state = returned_with_its_reaction_in_the_log(true);
        let handled = &service(&state).deliveries[0];
        assert_eq!(
            (handled.count, &handled.outcome, handled.ack),
            (2, &Outcome::AlreadyReacted, Ack::Acked)
        );
        assert_eq!(
            state.room.as_ref().map(|room| room.reactions.len()),
            Some(0)
        );
    }

    #[test]
    fn a_naive_service_reacts_again_to_a_redelivery() {
        let state = returned_with_its_reaction_in_the_log(false);
        let handled = &service(&state).deliveries[0];
        assert!(matches!(
            handled.outcome,
            Outcome::Reacted { reactions: 1, .. }
        ));
        assert_eq!(
            state.room.as_ref().map(|room| room.reactions.len()),
            Some(1),
            "a duplicate on its way"
        );
    }

    #[test]
    fn a_service_the_teacher_made_fail_asks_again_and_says_when_the_broker_gives_up() {
        let mut state = bea(true);
        let order = ada_adds_an_item();
        deliver(&mut state, &order, 1);
        state.heard_control(Control::Failing(vec![consumer()]));
        for count in 1..=MAX_DELIVER {
            hand_to_service(&mut state, &order, count, count);
            state.service_decided(&consumer(), 1, Decided::Intentions(email()), NOW);
        }
        let deliveries = &service(&state).deliveries;
        assert_eq!(deliveries.len(), MAX_DELIVER as usize);
        assert!(deliveries
            .iter()
            .all(|d| matches!(d.outcome, Outcome::Failed(_))));
        assert_eq!(deliveries[0].ack, Ack::Nakked { last: false });
        assert_eq!(
            deliveries[MAX_DELIVER as usize - 1].ack,
            Ack::Nakked { last: true }
        );
        assert_eq!(
            state.room.as_ref().map(|room| room.reactions.len()),
            Some(0)
        );
    }

    #[test]
    fn a_delivery_again_after_a_failure_carries_out_the_decision_the_policy_made_on_it() {
        let mut state = bea(true);
        let order = ada_adds_an_item();
        deliver(&mut state, &order, 1);
        state.heard_control(Control::Failing(vec![consumer()]));
        hand_to_service(&mut state, &order, 1, 1);
        state.service_decided(&consumer(), 1, Decided::Intentions(email()), NOW);
        state.heard_control(Control::Failing(Vec::new()));
        hand_to_service(&mut state, &order, 2, 2);
        // The worker has folded the event in: asked again it would decide nothing.
        let turn = state.service_turns().remove(0);
        assert_eq!(turn.decided, Some(email()));
        state.service_decided(
            &consumer(),
            1,
            Decided::Intentions(turn.decided.unwrap_or_default()),
            NOW,
        );
        assert!(matches!(
            service(&state).deliveries[1].outcome,
            Outcome::Reacted { reactions: 1, .. }
        ));
    }

    #[test]
    fn a_delivery_made_again_while_its_ack_is_held_is_shown_so_and_the_new_one_acknowledged() {
        let mut state = bea(true);
        let order = ada_adds_an_item();
        deliver(&mut state, &order, 1);
        hand_to_service(&mut state, &order, 1, 1);
        state.service_decided(&consumer(), 1, Decided::Intentions(email()), NOW);
        // The broker delivers it again before the held ack went.
        hand_to_service(&mut state, &order, 2, 2);
        assert_eq!(service(&state).deliveries[0].ack, Ack::DeliveredAgain);
        state.service_decided(&consumer(), 1, Decided::Intentions(email()), NOW);
        assert_eq!(
            service(&state).deliveries[1].outcome,
            Outcome::AlreadyReacted
        );
        assert_eq!(service(&state).deliveries[1].ack, Ack::Held);
        // Its first reaction lands: the second delivery is acknowledged, the first stays as
        // it was shown.
        land_the_reaction_on_its_way(&mut state);
        let acks: Vec<Ack> = service(&state).deliveries.iter().map(|d| d.ack).collect();
        assert_eq!(acks, [Ack::DeliveredAgain, Ack::Acked]);
        assert_eq!(service(&state).holding, None);
    }

    #[test]
    fn a_tab_that_is_not_the_teacher_controls_nothing() {
        let mut state = bea(true);
        state.set_control(Control::Chaos(true));
        let said: Vec<&str> = state
            .notices
            .shown()
            .iter()
            .map(|notice| notice.text.as_str())
            .collect();
        assert!(
            said.contains(&"Only the teacher controls the room."),
            "{said:?}"
        );
    }

    #[test]
    fn a_consumer_is_named_by_its_attendee_and_policy_in_allowed_characters() {
        let name = consumer_name("Bea", "Fraud: three failed payments in ten minutes");
        assert!(
            name.starts_with("svc-Bea-Fraud-three-failed-payments-in-ten-minut-"),
            "{name}"
        );
        assert!(consumer_name("guest-0042", "a.b*c>").starts_with("svc-guest-0042-a-b-c-"));
        for name in [consumer_name("Bea", "a b"), consumer_name("Bea", "a.b")] {
            assert!(
                name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "{name}"
            );
        }
        assert_ne!(consumer_name("Bea", "a b"), consumer_name("Bea", "a.b"));
    }

    #[test]
    fn the_room_graph_joins_publishers_to_consumers_through_event_types() {
        let events = [
            ("Ada", "OrderPlaced"),
            ("Confirmation (Bea)", "EmailSent"),
            ("Ada", "OrderPlaced"),
            ("Cy", "OrderPlaced"),
        ];
        let consumers = [ServiceLabel {
            producer: "Confirmation (Bea)".into(),
            consumes: vec!["OrderPlaced".into()],
        }];
        let graph = RoomGraph::derive(events, &consumers);
        assert_eq!(graph.publishers, ["Ada", "Confirmation (Bea)", "Cy"]);
        assert_eq!(graph.types, ["OrderPlaced", "EmailSent"]);
        assert_eq!(graph.published, [(0, 0), (1, 1), (2, 0)]);
        assert_eq!(graph.consumers, ["Confirmation (Bea)"]);
        assert_eq!(graph.consumed, [(0, 0)]);
        assert!(graph.publishers_of(0).eq(["Ada", "Cy"]));
        assert!(graph.consumers_of(0).eq(["Confirmation (Bea)"]));
        assert!(graph.publishers_of(1).eq(["Confirmation (Bea)"]));
        assert_eq!(graph.consumers_of(1).count(), 0);
    }

    #[test]
    fn reactions_beyond_their_causes_are_duplicates() {
        let (a, b) = (
            EventId(uuid::Uuid::from_u128(1)),
            EventId(uuid::Uuid::from_u128(2)),
        );
        assert_eq!(
            ReactionCount::of([Some(a), Some(b), Some(a), None]),
            ReactionCount {
                reactions: 3,
                causes: 2
            }
        );
    }
}
