//! The choreography graph, derived from the services' declarations and never drawn by hand:
//! a node per service (and per outside source of events), an edge from each publisher of an
//! event type to each of its consumers, labelled with the event types it carries. What an edge
//! means, success or failure, comes from its event types ([`GraphEdge::meaning`]). Where the
//! nodes go on a screen is the web app's business (its service graph's placement).

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

    /// Whether events start here: a source outside the services, which consumes nothing.
    pub fn is_source(self) -> bool {
        !matches!(self, Node::Service(_))
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

/// Who publishes to whom, and which event types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphEdge {
    pub from: Node,
    pub to: Node,
    pub kinds: Vec<K>,
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

/// The sources first, then the services in the order of their catalog; the edges in the order
/// their consumers declare what they consume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceGraph {
    pub nodes: Vec<Node>,
    pub edges: Vec<GraphEdge>,
}

impl ServiceGraph {
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

/// Builds the graph of a coordination model from its services' declarations: an edge per
/// publisher and consumer, in the order the consumers declare what they consume.
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
    let mut edges: Vec<GraphEdge> = Vec::new();
    for service in &services {
        let consumer = Node::Service(service.name());
        for &kind in service.declaration().consumes {
            for (publisher, publishes) in &publishers {
                if !publishes.contains(&kind) {
                    continue;
                }
                match edges
                    .iter_mut()
                    .find(|edge| edge.from == *publisher && edge.to == consumer)
                {
                    Some(edge) => edge.kinds.push(kind),
                    None => edges.push(GraphEdge {
                        from: *publisher,
                        to: consumer,
                        kinds: vec![kind],
                    }),
                }
            }
        }
    }
    let nodes = publishers.into_iter().map(|(node, _)| node).collect();
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
    fn the_storefront_publishes_the_checkout_and_payment_failures_reach_the_order_service() {
        let graph = choreography();
        assert_eq!(
            graph.publisher_of(K::CartCheckedOut),
            Some(Node::Storefront)
        );
        let failures = graph
            .edges
            .iter()
            .find(|e| {
                e.from == Node::Service(ServiceName::Payment)
                    && e.to == Node::Service(ServiceName::Order)
            })
            .expect("payment failures reach the order service");
        assert_eq!(failures.meaning(), EdgeMeaning::Failure);
        assert!(graph.nodes.iter().filter(|n| n.is_source()).count() == 2);
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
