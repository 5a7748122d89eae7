//! Which row of the service graph each node goes in, and where in the row: presentation, kept
//! out of the domain, which only says who publishes what to whom.
//!
//! Nodes are placed in layers by the longest path from the sources, over the graph without the
//! edges that close a cycle, so a flow reads from top to bottom and a service sits below
//! everything it waits for (shipping waits for both the reservations and the payment). An edge
//! that points back up (a failure that cancels an order, a shipment reported back) is a fact
//! of the layout, not of meaning, which comes from its event types.

use petgraph::algo::toposort;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{depth_first_search, DfsEvent};

use eventide_shop::services::graph::{Node, ServiceGraph};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlacedNode {
    pub node: Node,
    /// Distance from the sources: 0 for the sources themselves.
    pub layer: usize,
    /// Position within the layer, from 0.
    pub slot: usize,
}

/// Every node of a graph in its layer and slot, in the graph's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    pub nodes: Vec<PlacedNode>,
}

impl Placement {
    pub fn layers(&self) -> usize {
        self.nodes.iter().map(|n| n.layer + 1).max().unwrap_or(0)
    }

    pub fn placed(&self, node: Node) -> Option<&PlacedNode> {
        self.nodes.iter().find(|placed| placed.node == node)
    }
}

/// Places the graph's nodes in layers: the sources in the first, every other node one below
/// the deepest node it waits for, and nodes no source reaches in a last layer of their own.
pub fn place(graph: &ServiceGraph) -> Placement {
    let mut digraph: DiGraph<Node, ()> = DiGraph::new();
    let index: Vec<(Node, NodeIndex)> = graph
        .nodes
        .iter()
        .map(|node| (*node, digraph.add_node(*node)))
        .collect();
    let find = |node: Node| index.iter().find(|(n, _)| *n == node).map(|(_, i)| *i);
    for edge in &graph.edges {
        if let (Some(from), Some(to)) = (find(edge.from), find(edge.to)) {
            digraph.add_edge(from, to, ());
        }
    }
    let sources: Vec<NodeIndex> = graph
        .nodes
        .iter()
        .filter(|node| node.is_source())
        .filter_map(|node| find(*node))
        .collect();
    let mut closes_cycle = Vec::new();
    depth_first_search(&digraph, sources.iter().copied(), |event| {
        if let DfsEvent::BackEdge(from, to) = event {
            closes_cycle.push((from, to));
        }
    });
    let mut forward: DiGraph<(), ()> = DiGraph::new();
    for _ in digraph.node_indices() {
        forward.add_node(());
    }
    for edge in digraph.edge_indices() {
        if let Some((from, to)) = digraph.edge_endpoints(edge) {
            if !closes_cycle.contains(&(from, to)) {
                forward.add_edge(from, to, ());
            }
        }
    }
    // `None`: no source reaches the node (yet).
    let mut layer: Vec<Option<usize>> = vec![None; digraph.node_count()];
    for source in &sources {
        layer[source.index()] = Some(0);
    }
    // Without its cycle-closing edges the graph is acyclic, so a topological order exists.
    let order = toposort(&forward, None).unwrap_or_default();
    for node in order {
        let Some(here) = layer[node.index()] else {
            continue;
        };
        for next in forward.neighbors(node) {
            let deeper = &mut layer[next.index()];
            *deeper = Some(deeper.map_or(here + 1, |d| d.max(here + 1)));
        }
    }
    let unreached = layer.iter().flatten().max().copied().unwrap_or(0) + 1;
    let mut nodes: Vec<PlacedNode> = Vec::new();
    for (node, id) in &index {
        let this_layer = layer[id.index()].unwrap_or(unreached);
        let slot = nodes.iter().filter(|n| n.layer == this_layer).count();
        nodes.push(PlacedNode {
            node: *node,
            layer: this_layer,
            slot,
        });
    }
    Placement { nodes }
}

#[cfg(test)]
mod tests {
    use eventide_shop::services::graph::{choreography, for_mode};
    use eventide_shop::services::{Mode, ServiceName};

    use super::*;

    #[test]
    fn the_flow_reads_from_the_storefront_down() {
        let graph = choreography();
        let placement = place(&graph);
        let layer = |name| placement.placed(Node::Service(name)).map(|n| n.layer);
        assert_eq!(placement.placed(Node::Storefront).map(|n| n.layer), Some(0));
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
        let layer_of = |node| placement.placed(node).map(|n| n.layer);
        assert!(
            layer_of(cancel.to) <= layer_of(cancel.from),
            "a failure flows back up"
        );
    }

    #[test]
    fn every_node_has_a_layer_and_a_slot_of_its_own() {
        for mode in [Mode::Choreography, Mode::Orchestration] {
            let graph = for_mode(mode);
            let placement = place(&graph);
            assert_eq!(placement.nodes.len(), graph.nodes.len());
            for (i, a) in placement.nodes.iter().enumerate() {
                for b in &placement.nodes[i + 1..] {
                    assert!((a.layer, a.slot) != (b.layer, b.slot), "{a:?} and {b:?}");
                }
            }
            let shipping = placement
                .placed(Node::Service(ServiceName::Shipping))
                .map(|n| n.layer);
            assert!(shipping > Some(0), "{mode:?}: shipping below the sources");
        }
    }

    #[test]
    fn a_node_no_source_reaches_goes_in_a_last_layer_of_its_own() {
        let mut graph = choreography();
        // Cut every edge into the notification service: nothing reaches it any more.
        let notification = Node::Service(ServiceName::Notification);
        graph.edges.retain(|edge| edge.to != notification);
        let placement = place(&graph);
        let deepest_reached = placement
            .nodes
            .iter()
            .filter(|n| n.node != notification)
            .map(|n| n.layer)
            .max();
        assert_eq!(
            placement.placed(notification).map(|n| n.layer),
            deepest_reached.map(|d| d + 1)
        );
    }
}
