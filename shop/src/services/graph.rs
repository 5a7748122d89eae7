//! The choreography graph, derived from the services' declarations and never drawn by hand:
//! a node per service (and per outside source of events), an edge from each publisher of an
//! event type to each of its consumers, labelled with the event types it carries.
//!
//! Nodes are placed in layers by their distance from the sources (breadth first over the
//! edges), so a flow reads from top to bottom; an edge that points back up (a failure that
//! cancels an order, a shipment reported back) is a feedback edge: a fact of the layout, not of
//! meaning. What an edge means, success or failure, comes from its event types
//! ([`GraphEdge::meaning`]).

use petgraph::algo::toposort;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{depth_first_search, DfsEvent};

use super::{services_for, Mode, ServiceName};
use crate::events::ShopEventKind as K;
use eventide_engine::envelope::Named;

/// A node of the graph: a service, or a source of events outside the services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    /// Customers at the storefront: browse, add to cart, check out.
    Storefront,
    /// The chaos-engineering platform (Netflix's ChaosModeEnabled).
    ChaosPlatform,
    Service(ServiceName),
}

impl Node {
    pub fn name(self) -> &'static str {
        match self {
            Node::Storefront => "Storefront",
            Node::ChaosPlatform => "Chaos platform",
            Node::Service(service) => service.name(),
        }
    }
}

/// The event types a source outside the services publishes.
fn source_publishes(node: Node) -> &'static [K] {
    match node {
        Node::Storefront => &[K::ProductViewed, K::ItemAddedToCart, K::CartCheckedOut],
        Node::ChaosPlatform => &[K::ChaosModeEnabled, K::ChaosModeDisabled],
        Node::Service(_) => &[],
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedNode {
    pub node: Node,
    /// Distance from the sources: 0 for the sources themselves.
    pub layer: usize,
    /// Position within the layer, from 0.
    pub slot: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphEdge {
    pub from: Node,
    pub to: Node,
    pub kinds: Vec<K>,
    /// True when the edge points back to an earlier (or the same) layer.
    pub feedback: bool,
}

/// What an edge carries, by the meaning of its event types: a view draws the unhappy path apart
/// from business going as it should, whichever way the edge points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeMeaning {
    /// No failure among its event types (a shipment dispatched, an order placed).
    Success,
    /// Only failures, cancellations, timeouts or compensations.
    Failure,
    /// Both: a reply that may go either way (a payment processed or failed).
    Either,
}

impl GraphEdge {
    pub fn meaning(&self) -> EdgeMeaning {
        let failures = self.kinds.iter().filter(|kind| kind.is_failure()).count();
        match failures {
            0 => EdgeMeaning::Success,
            n if n == self.kinds.len() => EdgeMeaning::Failure,
            _ => EdgeMeaning::Either,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceGraph {
    pub nodes: Vec<PlacedNode>,
    pub edges: Vec<GraphEdge>,
}

impl ServiceGraph {
    pub fn layers(&self) -> usize {
        self.nodes.iter().map(|n| n.layer + 1).max().unwrap_or(0)
    }

    pub fn widest_layer(&self) -> usize {
        (0..self.layers())
            .map(|layer| self.nodes.iter().filter(|n| n.layer == layer).count())
            .max()
            .unwrap_or(0)
    }

    pub fn placed(&self, node: Node) -> Option<&PlacedNode> {
        self.nodes.iter().find(|placed| placed.node == node)
    }

    /// Who publishes an event type: the node an in-flight event starts from.
    pub fn publisher_of(&self, kind: K) -> Option<Node> {
        self.edges
            .iter()
            .find(|edge| edge.kinds.contains(&kind))
            .map(|edge| edge.from)
    }
}

/// Builds the choreography graph from the declarations.
pub fn choreography() -> ServiceGraph {
    for_mode(Mode::Choreography)
}

/// Builds the graph of a coordination model from its services' declarations.
pub fn for_mode(mode: Mode) -> ServiceGraph {
    let services = services_for(mode);
    let mut publishers: Vec<(Node, &'static [K])> = vec![
        (Node::Storefront, source_publishes(Node::Storefront)),
        (Node::ChaosPlatform, source_publishes(Node::ChaosPlatform)),
    ];
    publishers.extend(
        services
            .iter()
            .map(|s| (Node::Service(s.name()), s.declaration().publishes)),
    );

    let mut graph: DiGraph<Node, Vec<K>> = DiGraph::new();
    let index: Vec<(Node, NodeIndex)> = publishers
        .iter()
        .map(|(node, _)| (*node, graph.add_node(*node)))
        .collect();
    let find = |node: Node| index.iter().find(|(n, _)| *n == node).map(|(_, i)| *i);
    for service in &services {
        let consumer = Node::Service(service.name());
        for &kind in service.declaration().consumes {
            for (publisher, publishes) in &publishers {
                if !publishes.contains(&kind) {
                    continue;
                }
                let (Some(from), Some(to)) = (find(*publisher), find(consumer)) else {
                    continue;
                };
                match graph.find_edge(from, to) {
                    Some(edge) => graph[edge].push(kind),
                    None => {
                        graph.add_edge(from, to, vec![kind]);
                    }
                }
            }
        }
    }

    // Layers by the longest path from the sources, over the graph without the edges that close
    // a cycle (a failure flowing back up): a service sits below everything it waits for, as
    // shipping waits for both the reservations and the payment. The unreachable join the last
    // layer.
    let sources: Vec<NodeIndex> = [Node::Storefront, Node::ChaosPlatform]
        .into_iter()
        .filter_map(find)
        .collect();
    let mut closes_cycle = Vec::new();
    depth_first_search(&graph, sources.iter().copied(), |event| {
        if let DfsEvent::BackEdge(from, to) = event {
            closes_cycle.push((from, to));
        }
    });
    let mut forward: DiGraph<(), ()> = DiGraph::new();
    for _ in graph.node_indices() {
        forward.add_node(());
    }
    for edge in graph.edge_indices() {
        if let Some((from, to)) = graph.edge_endpoints(edge) {
            if !closes_cycle.contains(&(from, to)) {
                forward.add_edge(from, to, ());
            }
        }
    }
    let mut layer = vec![usize::MAX; graph.node_count()];
    for source in &sources {
        layer[source.index()] = 0;
    }
    // Without its cycle-closing edges the graph is acyclic, so a topological order exists.
    let order = toposort(&forward, None).unwrap_or_default();
    for node in order {
        let here = layer[node.index()];
        if here == usize::MAX {
            continue;
        }
        for next in forward.neighbors(node) {
            let deeper = &mut layer[next.index()];
            if *deeper == usize::MAX || *deeper < here + 1 {
                *deeper = here + 1;
            }
        }
    }
    let deepest = layer
        .iter()
        .copied()
        .filter(|&l| l != usize::MAX)
        .max()
        .unwrap_or(0);
    for l in &mut layer {
        if *l == usize::MAX {
            *l = deepest + 1;
        }
    }

    let mut nodes: Vec<PlacedNode> = Vec::new();
    for (node, id) in &index {
        let this_layer = layer[id.index()];
        let slot = nodes.iter().filter(|n| n.layer == this_layer).count();
        nodes.push(PlacedNode {
            node: *node,
            layer: this_layer,
            slot,
        });
    }
    let layer_of = |node: Node| nodes.iter().find(|n| n.node == node).map_or(0, |n| n.layer);
    let edges = graph
        .edge_indices()
        .filter_map(|edge| {
            let (from, to) = graph.edge_endpoints(edge)?;
            let (from, to) = (graph[from], graph[to]);
            Some(GraphEdge {
                from,
                to,
                kinds: graph[edge].clone(),
                feedback: layer_of(to) <= layer_of(from),
            })
        })
        .collect();
    ServiceGraph { nodes, edges }
}

#[cfg(test)]
mod tests {
    use super::super::all_services;
    use super::*;

    #[test]
    fn every_declared_consumption_is_an_edge_from_its_publisher() {
        let graph = choreography();
        for service in all_services() {
            for kind in service.declaration().consumes {
                assert!(
                    graph
                        .edges
                        .iter()
                        .any(|e| e.to == Node::Service(service.name()) && e.kinds.contains(kind)),
                    "{} consumes {} but no edge carries it",
                    service.name().name(),
                    kind.name()
                );
            }
        }
        assert_eq!(graph.nodes.len(), all_services().len() + 2);
    }

    #[test]
    fn the_flow_reads_from_the_storefront_down() {
        let graph = choreography();
        let layer = |name| graph.placed(Node::Service(name)).map(|n| n.layer);
        assert_eq!(graph.placed(Node::Storefront).map(|n| n.layer), Some(0));
        assert!(layer(ServiceName::Order) < layer(ServiceName::FraudDetection));
        assert!(layer(ServiceName::FraudDetection) < layer(ServiceName::Payment));
        assert!(layer(ServiceName::Payment) < layer(ServiceName::Shipping));
        let cancel = graph
            .edges
            .iter()
            .find(|e| {
                e.from == Node::Service(ServiceName::Payment)
                    && e.to == Node::Service(ServiceName::Order)
            })
            .expect("payment failures reach the order service");
        assert!(
            cancel.feedback,
            "a failure flowing back up is a feedback edge"
        );
        assert_eq!(
            graph.publisher_of(K::CartCheckedOut),
            Some(Node::Storefront)
        );
    }
}

#[cfg(test)]
mod meaning_tests {
    use super::*;

    fn edge(graph: &ServiceGraph, from: ServiceName, to: ServiceName) -> &GraphEdge {
        graph
            .edges
            .iter()
            .find(|e| e.from == Node::Service(from) && e.to == Node::Service(to))
            .expect("the edge")
    }

    #[test]
    fn a_dispatched_shipment_is_no_failure_whichever_way_its_edge_points() {
        // The meaning comes from the event types alone; the layout (longest path) decides
        // direction, and must not change it.
        let graph = choreography();
        let shipped = edge(&graph, ServiceName::Shipping, ServiceName::Notification);
        assert_eq!(shipped.meaning(), EdgeMeaning::Success);
        let failed = edge(&graph, ServiceName::Payment, ServiceName::Order);
        assert_eq!(failed.meaning(), EdgeMeaning::Failure);
        let placed = edge(&graph, ServiceName::Order, ServiceName::Inventory);
        assert_eq!(placed.meaning(), EdgeMeaning::Either, "placed or cancelled");
        let orchestrated = for_mode(Mode::Orchestration);
        let shipped = edge(
            &orchestrated,
            ServiceName::Shipping,
            ServiceName::CheckoutSaga,
        );
        assert_eq!(shipped.meaning(), EdgeMeaning::Success);
    }
}

#[cfg(test)]
mod orchestration_tests {
    use super::*;

    #[test]
    fn orchestration_puts_the_saga_in_the_middle() {
        let graph = for_mode(Mode::Orchestration);
        let saga = Node::Service(ServiceName::CheckoutSaga);
        for participant in [
            ServiceName::Order,
            ServiceName::Inventory,
            ServiceName::Payment,
            ServiceName::Shipping,
        ] {
            let participant = Node::Service(participant);
            assert!(
                graph
                    .edges
                    .iter()
                    .any(|e| e.from == saga && e.to == participant),
                "saga commands {participant:?}"
            );
            assert!(
                graph
                    .edges
                    .iter()
                    .any(|e| e.from == participant && e.to == saga),
                "{participant:?} replies to the saga"
            );
        }
        // No participant of the checkout listens to another participant.
        let participants = [
            ServiceName::Order,
            ServiceName::Inventory,
            ServiceName::FraudDetection,
            ServiceName::Payment,
            ServiceName::Shipping,
        ];
        for edge in &graph.edges {
            let both = [edge.from, edge.to]
                .iter()
                .all(|n| participants.iter().any(|p| *n == Node::Service(*p)));
            assert!(!both, "{:?} -> {:?} bypasses the saga", edge.from, edge.to);
        }
    }
}
