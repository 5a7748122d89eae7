//! The choreography graph as SVG: services as nodes, event types as labelled edges, laid out in
//! layers from the declarations and routed around every box ([`layout`]). Events in flight move
//! along their edges as the virtual clock runs; at a past cursor the graph shows what was in
//! flight then. An edge that carries only failures is drawn dashed and red, whichever way it
//! points; a failure among an edge's event types is marked in its label.
//!
//! The drawing is laid out for the width of its frame (measured, and again whenever the frame
//! resizes): a narrow frame, such as the projector's centre beside a lesson, puts fewer
//! services side by side instead of shrinking the text or scrolling sideways. It grows with the
//! large-text mode, so its text is never smaller than the app's.

use eventide_engine::delivery::{Outcome, SubscriptionStats};
use eventide_engine::Timestamp;
use eventide_shop::services::graph::{EdgeMeaning, Node, ServiceGraph};
use eventide_shop::services::ServiceName;
use yew::prelude::*;

use super::frame_width::use_element_width;
use crate::format::fmt_count;
use crate::state::use_app;

mod layout;
mod placement;

const MAX_DOTS: usize = 80;
/// How much larger everything is drawn in large-text mode (the app's `.large-text` size).
const LARGE_TEXT: f64 = 1.25;

/// One colour per node, used on its graph node, its card and its events.
pub fn node_colour(node: Node) -> &'static str {
    match node {
        Node::Storefront => "#475569",
        Node::ChaosPlatform => "#be123c",
        Node::Service(service) => match service {
            ServiceName::Order => "#1d4ed8",
            ServiceName::Inventory => "#0f766e",
            ServiceName::FraudDetection => "#b45309",
            ServiceName::Payment => "#15803d",
            ServiceName::Shipping => "#7c3aed",
            ServiceName::Notification => "#0e7490",
            ServiceName::Personalization => "#c026d3",
            ServiceName::CheckoutSaga => "#111827",
        },
    }
}

#[derive(Properties, PartialEq)]
pub struct ServiceGraphProps {
    pub graph: std::rc::Rc<ServiceGraph>,
    pub selected: Option<Selection>,
    pub on_select: Callback<Selection>,
}

/// What the user picked in the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    Node(Node),
    Edge(Node, Node),
}

#[function_component(ServiceGraphView)]
pub fn service_graph_view(props: &ServiceGraphProps) -> Html {
    let state = use_app();
    let session = state.session();
    let sim = session.sim();
    let store = sim.shop().store();
    let graph = &props.graph;
    let cursor = sim.shop().cursor();
    let live = sim.shop().is_live();
    let now: Timestamp = if live {
        sim.clock()
    } else {
        store
            .get(cursor)
            .map_or(sim.clock(), |event| event.recorded_at)
    };
    let views = sim.services_at(cursor);
    let stats_of = |service: ServiceName| -> Option<SubscriptionStats> {
        views
            .iter()
            .find(|moment| moment.service == service)
            .map(|moment| moment.stats)
    };

    // Deliveries in flight at `now`: from the bus while live, from its history in the past.
    let mut dots: Vec<(u32, Node, Node, f64)> = Vec::new();
    let subscriber = |subscription| {
        sim.services()
            .iter()
            .find(|r| r.subscription == subscription)
            .map(|r| r.service.name())
    };
    let dot = |id: u32, position, subscription, published: Timestamp, due: Timestamp| {
        let (service, event) = (subscriber(subscription)?, store.get(position)?);
        let from = graph.publisher_of(event.kind())?;
        let span = (due.0 - published.0).max(1) as f64;
        let t = ((now.0 - published.0) as f64 / span).clamp(0.0, 1.0);
        Some((id, from, Node::Service(service), t))
    };
    if live {
        for (delivery, due) in sim.bus().open_deliveries().take(MAX_DOTS) {
            dots.extend(dot(
                delivery.id.0,
                delivery.position,
                delivery.subscription,
                delivery.published_at,
                due,
            ));
        }
    } else {
        let history = sim.bus().history();
        let first = history.partition_point(|record| record.due_at <= now);
        for record in history[first..].iter().take(5_000) {
            if dots.len() >= MAX_DOTS {
                break;
            }
            let finished = record.outcome != Outcome::Failed;
            if finished && record.delivery.published_at <= now && record.delivery.position <= cursor
            {
                dots.extend(dot(
                    record.delivery.id.0,
                    record.delivery.position,
                    record.delivery.subscription,
                    record.delivery.published_at,
                    record.due_at,
                ));
            }
        }
    }

    let scale = if state.view.large_text {
        LARGE_TEXT
    } else {
        1.0
    };
    let frame = use_node_ref();
    let room = use_element_width(frame.clone());
    let drawn = use_memo(
        (props.graph.clone(), scale.to_bits(), *room),
        |(graph, _, room)| layout::layout(graph, scale, room.map(f64::from)),
    );
    let sizes = drawn.sizes;
    let route_of = |from: Node, to: Node| {
        graph
            .edges
            .iter()
            .position(|e| e.from == from && e.to == to)
            .and_then(|i| drawn.routes.get(i))
    };
    let px = |v: f64| format!("{v:.1}");
    html! {
        <div class="graph-fit" ref={frame}>
        <svg class="service-graph" viewBox={format!("0 0 {:.0} {:.0}", drawn.width, drawn.height)} role="img" data-testid="service-graph"
             style={format!("max-width: {:.0}px", drawn.width)} data-scale={scale.to_string()}
             aria-label="Choreography graph: services and the event types between them">
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" fill="#64748b" />
                </marker>
                <marker id="arrow-failure" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" fill="#be123c" />
                </marker>
            </defs>
            { for graph.edges.iter().zip(&drawn.routes).map(|(edge, route)| {
                let d = route.path();
                let (from, to) = (edge.from, edge.to);
                let onclick = {
                    let on_select = props.on_select.clone();
                    Callback::from(move |_| on_select.emit(Selection::Edge(from, to)))
                };
                let selected = props.selected == Some(Selection::Edge(from, to));
                let (meaning, marker) = match edge.meaning() {
                    EdgeMeaning::Success => ("success", "url(#arrow)"),
                    EdgeMeaning::Failure => ("failure", "url(#arrow-failure)"),
                    EdgeMeaning::Either => ("either", "url(#arrow)"),
                };
                html! {
                    <g class="edge-group" {onclick}>
                        <path class="edge-hit" d={d.clone()} />
                        <path class={classes!("graph-edge", meaning, selected.then_some("selected"))} d={d} marker-end={marker}
                              data-testid="graph-edge" data-from={from.name()} data-to={to.name()} data-meaning={meaning} />
                    </g>
                }
            }) }
            { for drawn.labels.iter().map(|label| html! {
                <g class="graph-label">
                    <rect x={px(label.rect.x)} y={px(label.rect.y)} width={px(label.rect.w)} height={px(label.rect.h)} rx="4" />
                    { for label.lines.iter().enumerate().map(|(i, (line, failure))| html! {
                        <text class={classes!(failure.then_some("failure"))} x={px(label.rect.x + 5.0 * sizes.scale)} y={px(label.rect.y + sizes.line_h * (i as f64 + 1.0))}
                              font-size={px(sizes.small_font)} data-testid="graph-label-line">{ *line }</text>
                    }) }
                </g>
            }) }
            { for dots.iter().filter_map(|(id, from, to, t)| {
                let point = route_of(*from, *to)?.at(*t);
                Some(html! { <circle key={*id} class="graph-dot" cx={px(point.x)} cy={px(point.y)} r={px(5.0 * sizes.scale)}
                                     fill={node_colour(*from)} data-testid="graph-dot" /> })
            }) }
            { for drawn.boxes.iter().map(|&(node, rect)| {
                let onclick = {
                    let on_select = props.on_select.clone();
                    Callback::from(move |_| on_select.emit(Selection::Node(node)))
                };
                let badge = match node {
                    Node::Service(service) => stats_of(service).map(|s| format!(
                        "✓{}  queue {}  ✗{}  DLQ {}",
                        fmt_count(s.handled), fmt_count(s.open), fmt_count(s.failures), fmt_count(s.parked)
                    )).unwrap_or_default(),
                    _ => "source of events".to_string(),
                };
                let selected = props.selected == Some(Selection::Node(node));
                let text_x = px(rect.x + 14.0 * sizes.scale);
                let middle = rect.y + rect.h / 2.0;
                html! {
                    <g class={classes!("graph-node", selected.then_some("selected"))} {onclick} tabindex="0" role="button"
                       data-testid="graph-node" data-name={node.name()}>
                        <rect x={px(rect.x)} y={px(rect.y)} width={px(rect.w)} height={px(rect.h)} rx="8" />
                        <rect class="node-bar" x={px(rect.x)} y={px(rect.y)} width={px(6.0 * sizes.scale)} height={px(rect.h)} rx="3" fill={node_colour(node)} />
                        <text class="node-name" x={text_x.clone()} y={px(middle - 4.0 * sizes.scale)} font-size={px(sizes.name_font)}>{ node.name() }</text>
                        <text class="node-badge" x={text_x} y={px(middle + 14.0 * sizes.scale)} font-size={px(sizes.small_font)} data-testid="node-badge">{ badge }</text>
                    </g>
                }
            }) }
        </svg>
        </div>
    }
}
