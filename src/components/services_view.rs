//! The services side of the app: the choreography graph and a card per service with its lag,
//! queue, failures, dead letters, chaos settings and derived state, as of the cursor. Where a
//! naive service has processed duplicates, the wrong value stands beside the right one.

use std::rc::Rc;

use eventide_engine::delivery::{DeliverySettings, SubscriptionId, SubscriptionStats};
use eventide_engine::Named;
use eventide_shop::services::graph::{for_mode, Node};
use eventide_shop::services::{LogLevel, Mode, ServiceName, ServiceView};
use eventide_shop::simulation::ServiceMoment;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::service_graph::{node_colour, Selection, ServiceGraphView};
use crate::format::{fmt_count, fmt_signed};
use crate::state::{use_app, Action, ResetPoint};

#[function_component(ServicesView)]
pub fn services_view() -> Html {
    let state = use_app();
    let mode = state.session().sim().mode();
    let graph = use_memo(mode, |mode| for_mode(*mode));
    let selected = use_state(|| None::<Selection>);
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |pick: Selection| selected.set(Some(pick)))
    };
    let session = state.session();
    let sim = session.sim();
    let cursor = sim.shop().cursor();
    let views = sim.services_at(cursor);
    let now = sim.clock();
    let lag_ms = |stats: &SubscriptionStats| {
        stats
            .oldest_open
            .and_then(|position| sim.shop().store().get(position))
            .map_or(0, |event| (now.0 - event.recorded_at.0).max(0))
    };
    let cards = views.iter().filter_map(|ServiceMoment { service: name, view, stats }| {
        let runtime = sim.services().iter().find(|r| r.service.name() == *name)?;
        let name = *name;
        let declaration = runtime.service.declaration();
        let highlighted = *selected == Some(Selection::Node(Node::Service(name)));
        let lag = if sim.shop().is_live() { Some(lag_ms(stats)) } else { None };
        let subscription = sim.subscription_of(name);
        let settings = subscription.and_then(|id| sim.bus().settings(id).copied());
        Some(html! {
            <ServiceCard key={name.name()} {name} view={view.clone()} stats={*stats} {lag} {subscription} {settings} {highlighted}
                         consumes={declaration.consumes.iter().map(|k| k.name()).collect::<Vec<_>>()}
                         publishes={declaration.publishes.iter().map(|k| k.name()).collect::<Vec<_>>()} />
        })
    });
    let switch = |to: Mode| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::SetMode(to)))
    };
    html! {
        <div class="services-view" data-testid="services-view">
            <super::room_services::RoomPanel />
            <div class="mode-switch" role="radiogroup" aria-label="Coordination model">
                <button type="button" role="radio" aria-checked={(mode == Mode::Choreography).to_string()}
                        class={classes!("mode-option", (mode == Mode::Choreography).then_some("active"))}
                        onclick={switch(Mode::Choreography)} data-testid="mode-choreography">{"Choreography"}</button>
                <button type="button" role="radio" aria-checked={(mode == Mode::Orchestration).to_string()}
                        class={classes!("mode-option", (mode == Mode::Orchestration).then_some("active"))}
                        onclick={switch(Mode::Orchestration)} data-testid="mode-orchestration">{"Orchestration"}</button>
                <span class="muted">{ match mode {
                    Mode::Choreography => "Services react to each other's events; no one is in charge.",
                    Mode::Orchestration => "The CheckoutSaga commands each step and compensates failures.",
                } }</span>
            </div>
            <div class="graph-frame">
                <ServiceGraphView graph={Rc::clone(&graph)} selected={*selected} {on_select} />
            </div>
            if let Some(pick) = *selected {
                <SelectionDetail selection={pick} graph={Rc::clone(&graph)} />
            }
            <p class="panel-hint">{"Edges carry event types from their publisher to every consumer, derived from what each service declares. Dashed edges flow back up: a failure cancelling an order. Dots are events in flight."}</p>
            <div class="service-cards">{ for cards }</div>
            <super::subscriptions::Subscriptions />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ServiceCardProps {
    name: ServiceName,
    view: ServiceView,
    stats: SubscriptionStats,
    /// Age of the oldest undelivered event, live only.
    lag: Option<i64>,
    subscription: Option<SubscriptionId>,
    /// Its subscription's delivery settings now.
    settings: Option<DeliverySettings>,
    highlighted: bool,
    consumes: Vec<&'static str>,
    publishes: Vec<&'static str>,
}

#[function_component(ServiceCard)]
fn service_card(props: &ServiceCardProps) -> Html {
    let state = use_app();
    let replay = {
        let dispatcher = state.dispatcher();
        let name = props.name;
        Callback::from(move |_| dispatcher.dispatch(Action::ReplayParked(name)))
    };
    let parked: Vec<(u64, &'static str)> = {
        let session = state.session();
        let sim = session.sim();
        sim.subscription_of(props.name)
            .map(|id| {
                sim.bus()
                    .parked(id)
                    .iter()
                    .rev()
                    .take(5)
                    .filter_map(|d| {
                        sim.shop()
                            .store()
                            .get(d.position)
                            .map(|e| (d.position.0, e.kind().name()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let s = &props.stats;
    let view = &props.view;
    // Only where the twin has folded everything the service saw (nothing early waits for a
    // gap) is a difference a wrong value rather than a delivery still on its way.
    let diverged = view.settled && view.state != view.expected;
    let ops = view.ops;
    html! {
        <article class={classes!("service-card", props.highlighted.then_some("highlighted"), diverged.then_some("diverged"))}
                 style={format!("--service-colour: {}", node_colour(Node::Service(props.name)))}
                 data-testid="service-card" data-name={props.name.name()}>
            <header>
                <h3>{ props.name.name() }</h3>
                <span class={classes!("mode", (!view.idempotent).then_some("naive"))}>{ if view.idempotent { "idempotent" } else { "naive" } }</span>
            </header>
            <p class="chips"><span class="chip-label">{"consumes"}</span>{ for props.consumes.iter().map(|k| html! { <code>{ *k }</code> }) }</p>
            <p class="chips"><span class="chip-label">{"publishes"}</span>{ for props.publishes.iter().map(|k| html! { <code>{ *k }</code> }) }</p>
            <dl class="service-stats">
                <div><dt>{"handled"}</dt><dd>{ fmt_count(s.handled) }</dd></div>
                <div><dt>{"checkpoint"}</dt><dd data-testid="service-checkpoint">
                    { format!("#{}", fmt_count(s.checkpoint.0)) }
                    if s.replayed > 0 { { format!(" · {} replayed", fmt_count(s.replayed)) } }
                </dd></div>
                <div><dt>{"lag"}</dt><dd data-testid="service-lag">{ format!("{} events", fmt_count(s.open)) }{ props.lag.map(|ms| format!(" · {} ms", fmt_count(ms as u64))).unwrap_or_default() }</dd></div>
                <div><dt>{"duplicates"}</dt><dd>{ format!("{} ignored · {} processed", fmt_count(view.duplicates_ignored), fmt_count(view.duplicates_processed)) }</dd></div>
                <div><dt>{"failures"}</dt><dd>{ fmt_count(s.failures) }</dd></div>
                <div><dt>{"ledger"}</dt><dd data-testid="service-ledger">{ format!("{} ids remembered", fmt_count(view.remembered as u64)) }</dd></div>
            </dl>
            if view.duplicates_past_window > 0 {
                <p class="warning past-window" data-testid="past-window">
                    { format!("Duplicates past the window: {}, processed again", fmt_count(view.duplicates_past_window)) }
                </p>
            }
            <dl class="service-state" data-testid="service-state">
                { for view.state.iter().zip(&view.expected).map(|((label, value), (_, expected))| html! {
                    <div class={classes!((view.settled && value != expected).then_some("wrong"))}>
                        <dt>{ *label }</dt>
                        <dd>
                            { fmt_signed(*value) }
                            if view.settled && value != expected {
                                <span class="expected" data-testid="expected-value">{ format!(" (exactly once: {})", fmt_signed(*expected)) }</span>
                            }
                        </dd>
                    </div>
                }) }
            </dl>
            <p class={classes!("ops", (ops.log_level == LogLevel::Debug).then_some("chaos"))} data-testid="service-ops">
                { format!("retry budget {} · logging {} · alert after {} failures",
                    ops.retry_budget, if ops.log_level == LogLevel::Debug { "debug" } else { "info" }, ops.alert_threshold) }
            </p>
            if let Some(settings) = props.settings.filter(|s| s.per_aggregate_ordering && s.partitions > 0) {
                <Partitions {settings} waiting={s.partition_waiting} />
            }
            if let (Some(_), Some(subscription)) = (props.lag, props.subscription) {
                <ResetForm {subscription} label={props.name.name()} checkpoint={s.checkpoint.0}
                           hint="A reset moves it back and sends every event it consumes after that again: an idempotent service skips them, a naive one does it all twice." />
            }
            if s.parked > 0 {
                <div class="parked" data-testid="parked">
                    <strong>{ format!("{} parked (dead letters)", fmt_count(s.parked)) }</strong>
                    <ul>{ for parked.iter().map(|(position, kind)| html! { <li>{ format!("#{} {}", fmt_count(*position), kind) }</li> }) }</ul>
                    <button type="button" class="button" onclick={replay} data-testid="replay-parked">{"Replay parked"}</button>
                </div>
            }
        </article>
    }
}

#[derive(Properties, PartialEq)]
struct PartitionsProps {
    settings: DeliverySettings,
    waiting: [u32; DeliverySettings::MAX_PARTITIONS as usize],
}

/// A partitioned subscription's partitions: the group member that owns each, and what waits in
/// it. Order holds within a partition only.
#[function_component(Partitions)]
fn partitions(props: &PartitionsProps) -> Html {
    let members = props.settings.group_members.max(1);
    html! {
        <table class="partitions" data-testid="partitions">
            <caption>{ format!("{} · {} in the group", counted(props.settings.partitions, "partition"), counted(members, "consumer")) }</caption>
            <thead><tr><th>{"partition"}</th><th>{"member"}</th><th>{"waiting"}</th></tr></thead>
            <tbody>
                { for (0..props.settings.partitions).map(|p| html! {
                    <tr data-testid="partition">
                        <td>{ format!("P{p}") }</td>
                        <td>{ format!("consumer {}", p % members + 1) }</td>
                        <td>{ fmt_count(u64::from(props.waiting.get(usize::from(p)).copied().unwrap_or(0))) }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

#[derive(Properties, PartialEq)]
pub struct ResetFormProps {
    pub subscription: SubscriptionId,
    /// Whose subscription, for the field's label.
    pub label: AttrValue,
    pub checkpoint: u64,
    /// What a reset does to this consumer.
    pub hint: AttrValue,
}

/// "Replay from": a position or a time to move the checkpoint back to. What is neither is
/// refused here, with what would do, and nothing is sent.
#[function_component(ResetForm)]
pub fn reset_form(props: &ResetFormProps) -> Html {
    let state = use_app();
    let input = use_node_ref();
    let problem = use_state(|| None::<String>);
    let onsubmit = {
        let dispatcher = state.dispatcher();
        let input = input.clone();
        let problem = problem.clone();
        let subscription = props.subscription;
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let text = input
                .cast::<HtmlInputElement>()
                .map(|field| field.value())
                .unwrap_or_default();
            match ResetPoint::parse(&text) {
                Ok(point) => {
                    problem.set(None);
                    dispatcher.dispatch(Action::ResetSubscription(subscription, point));
                }
                Err(error) => problem.set(Some(error.to_string())),
            }
        })
    };
    let field_id = format!("reset-{}", props.subscription.0);
    let hint_id = format!("reset-hint-{}", props.subscription.0);
    html! {
        <form class="reset-subscription" {onsubmit} data-testid="reset-form">
            <label for={field_id.clone()} title={props.label.clone()}>{"Replay from"}</label>
            <input id={field_id} ref={input} type="text" placeholder="start, a position or a time"
                   aria-describedby={hint_id.clone()} data-testid="reset-to" />
            <button type="submit" class="button" data-testid="reset-subscription">{"Reset"}</button>
            if let Some(problem) = &*problem {
                <p class="problem" role="alert" data-testid="reset-problem">{ problem.clone() }</p>
            }
            <p class="panel-hint" id={hint_id}>
                { format!("Checkpoint now #{}. ", fmt_count(props.checkpoint)) }{ props.hint.clone() }
            </p>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct SelectionDetailProps {
    selection: Selection,
    graph: Rc<eventide_shop::services::graph::ServiceGraph>,
}

/// What a picked node or edge carries, and its latest deliveries up to the cursor, each one
/// click from its event.
#[function_component(SelectionDetail)]
fn selection_detail(props: &SelectionDetailProps) -> Html {
    let state = use_app();
    let session = state.session();
    let sim = session.sim();
    let store = sim.shop().store();
    let cursor = sim.shop().cursor();
    let (title, target, kinds): (String, Option<Node>, Vec<&'static str>) = match props.selection {
        Selection::Node(node) => {
            let kinds = match node {
                Node::Service(service) => sim
                    .services()
                    .iter()
                    .find(|r| r.service.name() == service)
                    .map(|r| {
                        r.service
                            .declaration()
                            .consumes
                            .iter()
                            .map(|k| k.name())
                            .collect()
                    })
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            (
                format!("{}: its subscription", node.name()),
                Some(node),
                kinds,
            )
        }
        Selection::Edge(from, to) => {
            let kinds = props
                .graph
                .edges
                .iter()
                .find(|e| e.from == from && e.to == to)
                .map(|e| e.kinds.iter().map(|k| k.name()).collect())
                .unwrap_or_default();
            (format!("{} → {}", from.name(), to.name()), Some(to), kinds)
        }
    };
    let subscription = match target {
        Some(Node::Service(service)) => sim.subscription_of(service),
        _ => None,
    };
    let recent: Vec<(u64, &'static str, String, u32)> = subscription
        .map(|id| {
            sim.bus()
                .history()
                .iter()
                .rev()
                .take(20_000)
                .filter(|record| {
                    record.delivery.subscription == id && record.delivery.position <= cursor
                })
                .filter_map(|record| {
                    let event = store.get(record.delivery.position)?;
                    let kind = event.kind().name();
                    kinds.contains(&kind).then(|| {
                        (
                            record.delivery.position.0,
                            kind,
                            format!("{:?}", record.outcome),
                            record.delivery.attempt,
                        )
                    })
                })
                .take(8)
                .collect()
        })
        .unwrap_or_default();
    let settings = subscription.and_then(|id| sim.bus().settings(id).copied());
    html! {
        <div class="selection-detail" data-testid="selection-detail">
            <h3>{ title }</h3>
            <p class="chips"><span class="chip-label">{"event types"}</span>{ for kinds.iter().map(|k| html! { <code>{ *k }</code> }) }</p>
            if let Some(settings) = settings {
                <p class="muted">{ format!(
                    "latency {} ms ± {} · duplicates {:.0}% · reordering {:.0}% · failures {:.0}% · {} · ack wait {} · {} deliveries, backoff {} ms · dedup window {}",
                    settings.latency_ms, settings.jitter_ms, settings.duplicate_rate * 100.0, settings.reorder_rate * 100.0,
                    settings.failure_rate * 100.0, ordering_words(&settings), super::knobs::fmt_ack_wait(settings.ack_wait_ms),
                    settings.max_attempts, settings.backoff_ms, super::knobs::fmt_window(settings.dedup_window_ms)) }</p>
            }
            if recent.is_empty() {
                <p class="muted">{"Nothing delivered here yet at this point in time."}</p>
            } else {
                <ul class="links">
                    { for recent.iter().map(|(position, kind, outcome, attempt)| {
                        let dispatcher = state.dispatcher();
                        let at = eventide_engine::Position(*position);
                        let onclick = Callback::from(move |_| dispatcher.dispatch(Action::Select(Some(at))));
                        html! {
                            <li>
                                <button type="button" class="link" {onclick}><span class="event-type">{ *kind }</span>{ format!(" #{}", fmt_count(*position)) }</button>
                                { format!(" · attempt {attempt} · {outcome}") }
                            </li>
                        }
                    }) }
                </ul>
            }
        </div>
    }
}

/// "1 partition", "4 partitions".
fn counted(n: u8, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// How a subscription keeps order, in words.
pub(super) fn ordering_words(settings: &DeliverySettings) -> String {
    match (settings.per_aggregate_ordering, settings.partitions) {
        (false, _) => "unordered".into(),
        (true, 0) => "in order per aggregate".into(),
        (true, n) => format!("{} in order", counted(n, "partition")),
    }
}
