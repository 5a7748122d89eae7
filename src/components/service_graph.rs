//! The choreography graph as SVG: services as nodes, event types as labelled edges, laid out in
//! layers from the declarations. Events in flight move along their edges as the virtual clock
//! runs; at a past cursor the graph shows what was in flight then.

use eventide_engine::delivery::{Outcome, SubscriptionStats};
use eventide_engine::shop::services::graph::{GraphEdge, Node, ServiceGraph};
use eventide_engine::shop::services::ServiceName;
use eventide_engine::{Named, Timestamp};
use yew::prelude::*;

use crate::format::fmt_count;
use crate::state::use_app;

const WIDTH: f64 = 820.0;
const LAYER_GAP: f64 = 150.0;
const NODE_W: f64 = 172.0;
const NODE_H: f64 = 52.0;
const TOP: f64 = 24.0;
const MAX_DOTS: usize = 80;

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

#[derive(Clone, Copy)]
struct Point {
    x: f64,
    y: f64,
}

/// At most this many nodes side by side; a wider layer wraps onto further rows.
const PER_ROW: usize = 3;
const WRAP_GAP: f64 = 78.0;

/// Rows a layer takes once wrapped.
fn rows_of(graph: &ServiceGraph, layer: usize) -> usize {
    graph
        .nodes
        .iter()
        .filter(|n| n.layer == layer)
        .count()
        .div_ceil(PER_ROW)
        .max(1)
}

fn centre(graph: &ServiceGraph, node: Node) -> Point {
    let Some(placed) = graph.placed(node) else {
        return Point { x: 0.0, y: 0.0 };
    };
    let in_layer = graph
        .nodes
        .iter()
        .filter(|n| n.layer == placed.layer)
        .count()
        .max(1);
    let (row, column) = (placed.slot / PER_ROW, placed.slot % PER_ROW);
    let in_row = (in_layer - row * PER_ROW).min(PER_ROW);
    let above: f64 = (0..placed.layer)
        .map(|layer| (rows_of(graph, layer) - 1) as f64 * WRAP_GAP)
        .sum();
    Point {
        x: WIDTH * (column as f64 + 1.0) / (in_row as f64 + 1.0),
        y: TOP + NODE_H / 2.0 + placed.layer as f64 * LAYER_GAP + above + row as f64 * WRAP_GAP,
    }
}

/// The four control points of an edge's cubic curve.
fn curve(graph: &ServiceGraph, edge: &GraphEdge) -> [Point; 4] {
    let (a, b) = (centre(graph, edge.from), centre(graph, edge.to));
    if edge.feedback {
        // Out of the source's right side, round, and into the target's right side.
        let start = Point {
            x: a.x + NODE_W / 2.0,
            y: a.y,
        };
        let end = Point {
            x: b.x + NODE_W / 2.0,
            y: b.y + 8.0,
        };
        let bulge = 70.0 + (a.y - b.y).abs() * 0.25;
        [
            start,
            Point {
                x: start.x + bulge,
                y: start.y,
            },
            Point {
                x: end.x + bulge,
                y: end.y,
            },
            end,
        ]
    } else {
        let start = Point {
            x: a.x,
            y: a.y + NODE_H / 2.0,
        };
        let end = Point {
            x: b.x,
            y: b.y - NODE_H / 2.0,
        };
        let mid = (end.y - start.y) / 2.0;
        [
            start,
            Point {
                x: start.x,
                y: start.y + mid,
            },
            Point {
                x: end.x,
                y: end.y - mid,
            },
            end,
        ]
    }
}

fn at(points: &[Point; 4], t: f64) -> Point {
    let u = 1.0 - t;
    let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    Point {
        x: a * points[0].x + b * points[1].x + c * points[2].x + d * points[3].x,
        y: a * points[0].y + b * points[1].y + c * points[2].y + d * points[3].y,
    }
}

struct Label {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    lines: Vec<&'static str>,
}

/// Edge labels, placed so that none covers another or a node. Edges that carry the same event
/// types from one publisher to several consumers share one label, just under the publisher.
fn place_labels(graph: &ServiceGraph) -> Vec<Label> {
    let mut groups: Vec<(
        Node,
        &Vec<eventide_engine::shop::events::ShopEventKind>,
        Vec<&GraphEdge>,
    )> = Vec::new();
    for edge in &graph.edges {
        match groups
            .iter_mut()
            .find(|(from, kinds, _)| *from == edge.from && **kinds == edge.kinds)
        {
            Some(group) => group.2.push(edge),
            None => groups.push((edge.from, &edge.kinds, vec![edge])),
        }
    }
    let mut labels: Vec<Label> = groups
        .iter()
        .map(|(from, kinds, edges)| {
            let lines: Vec<&'static str> = kinds.iter().map(|k| k.name()).collect();
            let width = lines.iter().map(|l| l.len()).max().unwrap_or(0) as f64 * 6.9 + 10.0;
            let height = lines.len() as f64 * 14.0 + 4.0;
            let anchor = match edges.as_slice() {
                [edge] => at(&curve(graph, edge), 0.5),
                _ => {
                    let c = centre(graph, *from);
                    Point {
                        x: c.x,
                        y: c.y + NODE_H / 2.0 + height / 2.0 + 6.0,
                    }
                }
            };
            Label {
                x: anchor.x - width / 2.0,
                y: anchor.y - height / 2.0,
                width,
                height,
                lines,
            }
        })
        .collect();
    let obstacles: Vec<(f64, f64, f64, f64)> = graph
        .nodes
        .iter()
        .map(|placed| {
            let c = centre(graph, placed.node);
            (c.x - NODE_W / 2.0, c.y - NODE_H / 2.0, NODE_W, NODE_H)
        })
        .collect();
    let overlaps = |a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)| {
        a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
    };
    for _ in 0..40 {
        let mut moved = false;
        for i in 0..labels.len() {
            let mine = (labels[i].x, labels[i].y, labels[i].width, labels[i].height);
            let blocker = obstacles
                .iter()
                .copied()
                .chain(labels[..i].iter().map(|l| (l.x, l.y, l.width, l.height)))
                .find(|other| overlaps(mine, *other));
            if let Some(other) = blocker {
                labels[i].y = other.1 + other.3 + 3.0;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    labels
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
            .find(|(name, _, _)| *name == service)
            .map(|(_, _, stats)| *stats)
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

    let labels = place_labels(graph);
    let lowest_label = labels.iter().map(|l| l.y + l.height).fold(0.0, f64::max);
    let lowest_node = graph
        .nodes
        .iter()
        .map(|n| centre(graph, n.node).y + NODE_H / 2.0)
        .fold(0.0, f64::max);
    let height = (lowest_node + TOP).max(lowest_label + TOP);
    html! {
        <svg class="service-graph" viewBox={format!("0 0 {WIDTH} {height}")} role="img" data-testid="service-graph"
             aria-label="Choreography graph: services and the event types between them">
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" fill="#64748b" />
                </marker>
            </defs>
            { for graph.edges.iter().map(|edge| {
                let p = curve(graph, edge);
                let d = format!("M {:.1} {:.1} C {:.1} {:.1}, {:.1} {:.1}, {:.1} {:.1}", p[0].x, p[0].y, p[1].x, p[1].y, p[2].x, p[2].y, p[3].x, p[3].y);
                let (from, to) = (edge.from, edge.to);
                let onclick = {
                    let on_select = props.on_select.clone();
                    Callback::from(move |_| on_select.emit(Selection::Edge(from, to)))
                };
                let selected = props.selected == Some(Selection::Edge(from, to));
                html! {
                    <g class="edge-group" {onclick}>
                        <path class="edge-hit" d={d.clone()} />
                        <path class={classes!("graph-edge", edge.feedback.then_some("feedback"), selected.then_some("selected"))} d={d} marker-end="url(#arrow)"
                              data-testid="graph-edge" data-from={from.name()} data-to={to.name()} />
                    </g>
                }
            }) }
            { for labels.iter().map(|label| html! {
                <g class="graph-label">
                    <rect x={format!("{:.1}", label.x)} y={format!("{:.1}", label.y)} width={format!("{:.1}", label.width)} height={format!("{:.1}", label.height)} rx="4" />
                    { for label.lines.iter().enumerate().map(|(i, line)| html! {
                        <text x={format!("{:.1}", label.x + 5.0)} y={format!("{:.1}", label.y + 14.0 + i as f64 * 14.0)}>{ *line }</text>
                    }) }
                </g>
            }) }
            { for dots.iter().filter_map(|(id, from, to, t)| {
                let edge = graph.edges.iter().find(|e| e.from == *from && e.to == *to)?;
                let point = at(&curve(graph, edge), *t);
                Some(html! { <circle key={*id} class="graph-dot" cx={format!("{:.1}", point.x)} cy={format!("{:.1}", point.y)} r="5"
                                     fill={node_colour(*from)} data-testid="graph-dot" /> })
            }) }
            { for graph.nodes.iter().map(|placed| {
                let node = placed.node;
                let c = centre(graph, node);
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
                html! {
                    <g class={classes!("graph-node", selected.then_some("selected"))} {onclick} tabindex="0" role="button"
                       data-testid="graph-node" data-name={node.name()}>
                        <rect x={format!("{:.1}", c.x - NODE_W / 2.0)} y={format!("{:.1}", c.y - NODE_H / 2.0)} width={NODE_W.to_string()} height={NODE_H.to_string()} rx="8" />
                        <rect class="node-bar" x={format!("{:.1}", c.x - NODE_W / 2.0)} y={format!("{:.1}", c.y - NODE_H / 2.0)} width="6" height={NODE_H.to_string()} rx="3" fill={node_colour(node)} />
                        <text class="node-name" x={format!("{:.1}", c.x - NODE_W / 2.0 + 14.0)} y={format!("{:.1}", c.y - 4.0)}>{ node.name() }</text>
                        <text class="node-badge" x={format!("{:.1}", c.x - NODE_W / 2.0 + 14.0)} y={format!("{:.1}", c.y + 14.0)} data-testid="node-badge">{ badge }</text>
                    </g>
                }
            }) }
        </svg>
    }
}
