//! The room's services, on the page: the hook that runs this tab's services (each delivery's
//! policy decision in the script worker, the ack held while the service finishes, the
//! services this browser kept brought back on return), and the room's panel in the Services
//! tab: every service's consumer and its lag as the server reports it, the graph of who
//! publishes and who consumes, this tab's services with their deliveries, and the teacher's
//! controls.

use std::collections::BTreeSet;

use eventide_engine::Position;
use eventide_shop::scripting::{ScriptKind, WorkerReply};
use eventide_shop::simulation::PRODUCER;
use gloo::timers::callback::Timeout;
use yew::prelude::*;

use crate::format::fmt_count;
use crate::room::{Control, RoomStatus, ServiceLabel};
use crate::scripting::runner::ScriptRunner;
use crate::state::room_services::{
    Ack, Decided, Handled, Outcome, ReactionCount, RoomGraph, RoomService, HOLD_MS,
};
use crate::state::scripts::Handlers;
use crate::state::{use_app, Action, AppContext};

/// Chaos loses one ack in this many.
const CHAOS_LOSES_ONE_IN: f64 = 3.0;

/// Runs this tab's room services: whenever the state changes, each service whose delivery's
/// turn has come gets its policy's decision from the worker; a held ack is released after
/// [`HOLD_MS`]; and on joining, the services this browser kept for the room come back.
#[hook]
pub fn use_room_services(state: &AppContext) {
    // (consumer, stream sequence) of messages being decided, and (consumer, handle) of held
    // deliveries with their timer running, so each is worked on once.
    let deciding = use_mut_ref(BTreeSet::<(String, u64)>::new);
    let busy = use_mut_ref(BTreeSet::<(String, u32)>::new);
    let restored = use_mut_ref(|| None::<String>);
    let state = state.clone();
    use_effect_with(state.revision, move |_| {
        let Some(room) = state.room.as_ref() else {
            return;
        };
        // Once connected and caught up with the room, the kept services come back.
        let key = room.key();
        if room.status == RoomStatus::Connected
            && room.joined_at.is_some()
            && restored.borrow().as_deref() != Some(key.as_str())
        {
            *restored.borrow_mut() = Some(key.clone());
            for saved in crate::saved::room_services(&key) {
                let state = state.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match ScriptRunner::shared()
                        .compile(ScriptKind::Policy, &saved.source)
                        .await
                    {
                        Ok((handles, reads)) => state.dispatch(Action::RestoreService {
                            saved,
                            handlers: Handlers { handles, reads },
                        }),
                        Err(failure) => state.dispatch(Action::InvalidInput(format!(
                            "{} could not come back: {}",
                            saved.name, failure.message
                        ))),
                    }
                });
            }
        }
        let chaos = room.controls.chaos;
        for service in &room.services {
            if let Some(handle) = service
                .holding
                .filter(|held| !held.done)
                .map(|held| held.handle)
            {
                if busy.borrow_mut().insert((service.consumer.clone(), handle)) {
                    let (state, busy, consumer) =
                        (state.clone(), busy.clone(), service.consumer.clone());
                    Timeout::new(HOLD_MS, move || {
                        // The page may draw (chaos is the page's); the engine never does.
                        let ack_lost = chaos && js_sys::Math::random() * CHAOS_LOSES_ONE_IN < 1.0;
                        busy.borrow_mut().remove(&(consumer.clone(), handle));
                        state.dispatch(Action::ServiceDone {
                            consumer,
                            handle,
                            ack_lost,
                        });
                    })
                    .forget();
                }
            }
        }
        for turn in state.service_turns() {
            if !deciding
                .borrow_mut()
                .insert((turn.consumer.clone(), turn.seq))
            {
                continue;
            }
            let (state, deciding) = (state.clone(), deciding.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let decided = match (turn.at, turn.for_it, turn.decided) {
                    (Some(at), true, Some(decided)) if at.0 > 0 => Decided::Intentions(decided),
                    (Some(at), true, None) if at.0 > 0 => decide(&state, turn.script, at).await,
                    _ => Decided::NotForIt,
                };
                deciding
                    .borrow_mut()
                    .remove(&(turn.consumer.clone(), turn.seq));
                state.dispatch(Action::ServiceDecided {
                    consumer: turn.consumer,
                    seq: turn.seq,
                    decided,
                });
            });
        }
    });
}

/// The policy's decision on the event at `at`, having folded in everything before it.
async fn decide(
    state: &AppContext,
    script: crate::state::scripts::ScriptId,
    at: Position,
) -> Decided {
    let Some(policy) = state.session().scripts.by_id(script).cloned() else {
        return Decided::NotForIt;
    };
    match ScriptRunner::shared()
        .catch_up(state, &policy, at, at.0 - 1)
        .await
    {
        Ok(WorkerReply::Intentions { intentions, .. }) => Decided::Intentions(intentions),
        Ok(WorkerReply::Failed(failure)) | Err(failure) => Decided::Failed(failure.message),
        Ok(other) => Decided::Failed(format!("unexpected reply {other:?}")),
    }
}

/// The room, in the Services tab: shown only in a room.
#[function_component(RoomPanel)]
pub fn room_panel() -> Html {
    let state = use_app();
    let Some(room) = state.room.as_ref() else {
        return html! {};
    };
    let teacher = room.is_teacher();
    let controls = room.controls.clone();
    let control = |control: Control| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::SetRoomControl(control.clone())))
    };
    let labels: Vec<ServiceLabel> = room
        .consumers
        .iter()
        .map(|consumer| ServiceLabel::read(&consumer.description, &consumer.name))
        .collect();
    let graph = {
        let session = state.session();
        let events = session.shop().store().events();
        RoomGraph::derive(
            events.iter().map(|event| {
                use eventide_engine::{DomainEvent, Named};
                (
                    event.metadata.get(PRODUCER).unwrap_or("unknown"),
                    event.event.kind().name(),
                )
            }),
            &labels,
        )
    };
    let rows = room.consumers.iter().zip(&labels).map(|(consumer, label)| {
        let failing = controls.failing.contains(&consumer.name);
        let toggle = {
            let mut failing_now = controls.failing.clone();
            if failing {
                failing_now.retain(|name| *name != consumer.name);
            } else {
                failing_now.push(consumer.name.clone());
            }
            control(Control::Failing(failing_now))
        };
        html! {
            <tr data-testid="room-consumer" data-name={consumer.name.clone()}>
                <td>
                    <strong>{ label.producer.clone() }</strong>
                    if failing { {" "}<span class="warning">{"failing"}</span> }
                    <div class="muted">{ format!("consumes {} · {}", label.consumes.join(", "), consumer.name) }</div>
                    if teacher {
                        <button type="button" class="button" onclick={toggle} data-testid="consumer-fail">
                            { if failing { "Stop the failure" } else { "Inject a failure" } }
                        </button>
                    }
                </td>
                <td class="num" data-testid="consumer-pending">{ fmt_count(consumer.num_pending) }</td>
                <td class="num" data-testid="consumer-unacked">{ fmt_count(consumer.num_ack_pending) }</td>
                <td class="num">{ fmt_count(consumer.num_redelivered) }</td>
                <td class="num">{ fmt_count(consumer.ack_floor) }</td>
            </tr>
        }
    });
    let mine = room.services.clone();
    html! {
        <section class="room-panel" data-testid="room-panel">
            <h3 class="subhead">{ format!("Room {}", room.address.name) }</h3>
            <p class="muted" data-testid="room-controls">
                { if controls.storefront_paused { "Storefront paused by the teacher" } else { "Storefront open" } }
                { " · " }
                { if controls.chaos { "chaos on: a third of the acks get lost" } else { "no chaos" } }
            </p>
            if teacher {
                <div class="room-controls" data-testid="teacher-controls">
                    <button type="button" class="button" aria-pressed={controls.storefront_paused.to_string()}
                            onclick={control(Control::StorefrontPaused(!controls.storefront_paused))} data-testid="room-pause">
                        { if controls.storefront_paused { "Open the storefront" } else { "Pause the storefront" } }
                    </button>
                    <button type="button" class="button" aria-pressed={controls.chaos.to_string()}
                            onclick={control(Control::Chaos(!controls.chaos))} data-testid="room-chaos">
                        { if controls.chaos { "Turn chaos off" } else { "Turn on chaos" } }
                    </button>
                </div>
            }
            <h4 class="subhead">{"Services in the room"}</h4>
            if room.consumers.is_empty() {
                <p class="muted">{"No service consumes the room yet: deploy a policy in the Scripts tab and it becomes one, on its own durable consumer."}</p>
            } else {
                <table class="data-table" data-testid="room-consumers">
                    <thead><tr>
                        <th>{"Service"}</th><th class="num" title="Messages not delivered to it yet">{"Lag"}</th>
                        <th class="num" title="Delivered, not acknowledged">{"Unacked"}</th>
                        <th class="num" title="Deliveries made again">{"Again"}</th>
                        <th class="num" title="Every message up to this stream sequence is acknowledged">{"Acked to"}</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            }
            <RoomGraphView graph={graph} />
            { for mine.into_iter().map(|service| {
                let key = service.consumer.clone();
                html! { <RoomServiceCard {key} {service} /> }
            }) }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct RoomGraphProps {
    graph: RoomGraph,
}

/// The graph as its edges through each event type: who publishes it, and who consumes it.
/// Rows rather than drawn lines: on a projector, long service names stay readable.
#[function_component(RoomGraphView)]
fn room_graph_view(props: &RoomGraphProps) -> Html {
    let graph = &props.graph;
    if graph.types.is_empty() {
        return html! {};
    }
    let names = |names: Vec<&str>| -> Html {
        if names.is_empty() {
            return html! { <span class="muted">{"nobody yet"}</span> };
        }
        names
            .into_iter()
            .map(|name| html! { <div>{ name }</div> })
            .collect::<Html>()
    };
    let rows = graph.types.iter().enumerate().map(|(kind, name)| {
        html! {
            <tr data-testid="room-flow" data-type={name.clone()}>
                <td>{ names(graph.publishers_of(kind).collect()) }</td>
                <td class="room-arrow" aria-hidden="true">{"\u{2192}"}</td>
                <td><strong>{ name.clone() }</strong></td>
                <td class="room-arrow" aria-hidden="true">{"\u{2192}"}</td>
                <td>{ names(graph.consumers_of(kind).collect()) }</td>
            </tr>
        }
    });
    html! {
        <figure class="room-graph" data-testid="room-graph">
            <figcaption><h4 class="subhead">{"Who publishes what, and who consumes it"}</h4>
                <span class="muted">{"From the producers in the room's log and the consumers on the server."}</span></figcaption>
            <table>
                <thead><tr><th>{"Published by"}</th><th></th><th>{"Event"}</th><th></th><th>{"Consumed by"}</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        </figure>
    }
}

#[derive(Properties, PartialEq)]
struct RoomServiceProps {
    service: RoomService,
}

/// One of this tab's services: idempotent or naive, its latest deliveries with their counts,
/// and its reactions in the log against the events it reacted to.
#[function_component(RoomServiceCard)]
fn room_service_card(props: &RoomServiceProps) -> Html {
    let state = use_app();
    let service = &props.service;
    let count = {
        let session = state.session();
        let producer = service.label.producer.as_str();
        ReactionCount::of(
            session
                .shop()
                .store()
                .events()
                .iter()
                .filter(|event| event.metadata.get(PRODUCER) == Some(producer))
                .map(|event| event.causation_id),
        )
    };
    let toggle = {
        let dispatcher = state.dispatcher();
        let (consumer, idempotent) = (service.consumer.clone(), !service.idempotent);
        Callback::from(move |_| {
            dispatcher.dispatch(Action::SetServiceIdempotent {
                consumer: consumer.clone(),
                idempotent,
            })
        })
    };
    let duplicates = count.reactions - count.causes;
    html! {
        <article class={classes!("service-card", (duplicates > 0).then_some("diverged"))} data-testid="room-service" data-consumer={service.consumer.clone()}>
            <header>
                <h3>{ service.label.producer.clone() }</h3>
                <span class={classes!("mode", (!service.idempotent).then_some("naive"))}>{ if service.idempotent { "idempotent" } else { "naive" } }</span>
            </header>
            <p class="muted">{ format!("Durable consumer {} · consumes {}", service.consumer, service.label.consumes.join(", ")) }</p>
            <label class="check">
                <input type="checkbox" checked={service.idempotent} onchange={toggle} data-testid="room-service-idempotent" />
                {" Idempotent: look in the log for its earlier reaction before reacting"}
            </label>
            <p data-testid="service-reactions" data-reactions={count.reactions.to_string()} data-causes={count.causes.to_string()}>
                { match duplicates {
                    0 => format!("In the room's log: {} reaction(s) to {} event(s), each exactly once.", count.reactions, count.causes),
                    n => format!("In the room's log: {} reactions to {} events: {n} duplicate(s).", count.reactions, count.causes),
                } }
            </p>
            if service.deliveries.is_empty() {
                <p class="muted">{"No delivery of an event it handles yet."}</p>
            } else {
                <ol class="room-deliveries" data-testid="room-deliveries">
                    { for service.deliveries.iter().rev().map(delivery_row) }
                </ol>
            }
        </article>
    }
}

fn delivery_row(handled: &Handled) -> Html {
    let at = handled
        .position
        .map_or(String::new(), |at| format!(" at #{}", fmt_count(at.0)));
    let outcome = match &handled.outcome {
        Outcome::Reacted { reactions, refused } if refused.is_empty() => {
            format!("reacted: {reactions} event(s) published")
        }
        Outcome::Reacted { reactions, refused } => format!(
            "reacted: {reactions} published, {} refused ({})",
            refused.len(),
            refused.join("; ")
        ),
        Outcome::AlreadyReacted => {
            "already reacted to it (its reaction is in the log): not again".into()
        }
        Outcome::NothingToDo => "nothing to do".into(),
        Outcome::Failed(problem) => format!("failed: {problem}"),
    };
    let ack = match handled.ack {
        Ack::Held => "working, ack held",
        Ack::Acked => "acked",
        Ack::Lost => "ack lost (chaos): the broker delivers it again",
        Ack::DeliveredAgain => "delivered again before its ack went",
        Ack::Nakked { last: false } => "nak: delivered again soon",
        Ack::Nakked { last: true } => {
            "nak on its last delivery: the broker gives up (a dead letter)"
        }
    };
    let redelivered = handled.count > 1;
    html! {
        <li data-testid="room-delivery" data-count={handled.count.to_string()} data-seq={handled.seq.to_string()}
            class={classes!(redelivered.then_some("redelivered"))}>
            <strong>{ format!("{}{at}", handled.event_type) }</strong>
            { format!(" · delivery {}{} · {outcome} · {ack}", handled.count, if redelivered { " (redelivered)" } else { "" }) }
        </li>
    }
}
