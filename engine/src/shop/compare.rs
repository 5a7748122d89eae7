//! The same business flow run both ways, side by side: what each coordination model costs in
//! messages, who depends on whom, where the rules live, what an injected failure does, and how
//! much traffic passes through the coordinator.

use serde::Serialize;

use super::aggregates::OrderStatus;
use super::read_models::OrderSummaries;
use super::services::graph::{for_mode, Node};
use super::services::{Failure, Mode, ServiceName};
use super::simulation::{Simulation, SimulationConfig, PRODUCER};
use super::CommandError;
use crate::delivery::DeliverySettings;
use crate::envelope::Named;
use crate::ids::Timestamp;

/// What became of the orders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Outcomes {
    pub placed: u64,
    pub paid: u64,
    pub shipped: u64,
    pub cancelled: u64,
    /// Placed but neither shipped nor cancelled when everything went quiet: stuck.
    pub stuck: u64,
}

impl Outcomes {
    pub fn of(simulation: &Simulation) -> Outcomes {
        let Some(orders) = simulation.shop().history().live().get::<OrderSummaries>() else {
            return Outcomes::default();
        };
        let with = |status| u64::from(orders.count_with(status));
        let shipped = with(OrderStatus::Shipped);
        let cancelled = with(OrderStatus::Cancelled);
        let placed = orders.len() as u64;
        Outcomes {
            placed,
            // Every shipped order was paid first.
            paid: with(OrderStatus::Paid) + shipped,
            shipped,
            cancelled,
            stuck: placed - shipped - cancelled,
        }
    }
}

/// How many messages one service sent (events it produced) and received (deliveries it handled).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MessageCount {
    pub service: &'static str,
    pub sent: u64,
    pub received: u64,
}

pub fn messages(simulation: &Simulation) -> Vec<MessageCount> {
    simulation
        .services()
        .iter()
        .map(|runtime| {
            let name = runtime.service.name().name();
            let sent = simulation
                .shop()
                .store()
                .events()
                .iter()
                .filter(|event| event.metadata.get(PRODUCER) == Some(name))
                .count() as u64;
            let stats = simulation.bus().stats(runtime.subscription);
            MessageCount {
                service: name,
                sent,
                received: stats.handled + stats.duplicates_ignored,
            }
        })
        .collect()
}

/// One coordination model's run, measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModeReport {
    pub mode: Mode,
    pub outcomes: Outcomes,
    pub messages: Vec<MessageCount>,
    pub total_messages: u64,
    /// The share of all messages sent or received by the coordinator (0 without one).
    pub coordinator_share: f64,
    /// Services each service consumes events from: who knows whom.
    pub knows: Vec<(&'static str, Vec<&'static str>)>,
    pub edges: usize,
    pub parked: u64,
    pub events: u64,
    pub where_rules_live: &'static str,
}

pub fn report(simulation: &Simulation) -> ModeReport {
    let mode = simulation.mode();
    let messages = messages(simulation);
    let total: u64 = messages.iter().map(|m| m.sent + m.received).sum();
    let coordinator: u64 = messages
        .iter()
        .filter(|m| m.service == ServiceName::CheckoutSaga.name())
        .map(|m| m.sent + m.received)
        .sum();
    let graph = for_mode(mode);
    let services: Vec<ServiceName> = simulation
        .services()
        .iter()
        .map(|r| r.service.name())
        .collect();
    let knows = services
        .iter()
        .map(|&service| {
            let mut sources: Vec<&'static str> = graph
                .edges
                .iter()
                .filter(|edge| edge.to == Node::Service(service))
                .filter_map(|edge| match edge.from {
                    Node::Service(from) => Some(from.name()),
                    _ => None,
                })
                .collect();
            sources.sort_unstable();
            sources.dedup();
            (service.name(), sources)
        })
        .collect();
    let parked = simulation
        .services()
        .iter()
        .map(|runtime| simulation.bus().stats(runtime.subscription).parked)
        .sum();
    ModeReport {
        mode,
        outcomes: Outcomes::of(simulation),
        total_messages: total / 2,
        coordinator_share: if total == 0 { 0.0 } else { coordinator as f64 / total as f64 },
        messages,
        knows,
        edges: graph.edges.len(),
        parked,
        events: simulation.shop().store().len() as u64,
        where_rules_live: match mode {
            Mode::Choreography => "spread over the services: each decides its own next step from the events it hears",
            Mode::Orchestration => "in one place: the CheckoutSaga's state machine decides every step and every compensation",
        },
    }
}

/// Runs `orders` checkouts from `seed` in one coordination model with `failure` injected.
pub fn run_mode(
    seed: u64,
    orders: u64,
    mode: Mode,
    failure: Failure,
    start: Timestamp,
) -> Result<Simulation, CommandError> {
    let mut config = SimulationConfig::new(seed, orders, start);
    config.mode = mode;
    config.failure = failure;
    config.delivery = DeliverySettings::default();
    let mut simulation = Simulation::new(config)?;
    simulation.run(u64::MAX)?;
    Ok(simulation)
}

/// Both models on the same workload and the same failure.
pub fn compare(
    seed: u64,
    orders: u64,
    failure: Failure,
    start: Timestamp,
) -> Result<[ModeReport; 2], CommandError> {
    let choreography = run_mode(seed, orders, Mode::Choreography, failure, start)?;
    let orchestration = run_mode(seed, orders, Mode::Orchestration, failure, start)?;
    Ok([report(&choreography), report(&orchestration)])
}

/// A short plain-language reading of the two runs.
pub fn reading(reports: &[ModeReport; 2], failure: Failure) -> Vec<String> {
    let [chor, orch] = reports;
    let mut lines = vec![format!(
        "Orchestration sent {} messages against choreography's {}: the coordinator adds a request before, and hears a reply after, every step.",
        orch.total_messages, chor.total_messages
    )];
    lines.push(format!(
        "{:.0}% of orchestration's traffic passes through the CheckoutSaga: one place to see the whole flow, and one place that must keep up (the bottleneck).",
        orch.coordinator_share * 100.0
    ));
    let chor_links: usize = chor.knows.iter().map(|(_, s)| s.len()).sum();
    let orch_links: usize = orch.knows.iter().map(|(_, s)| s.len()).sum();
    lines.push(format!(
        "In choreography {chor_links} service-to-service dependencies are spread across the participants; in orchestration there are {orch_links}, all of them to or from the saga."
    ));
    match failure {
        Failure::None => lines.push("With nothing injected, both models reach the same outcome for the same seed.".into()),
        Failure::PaymentsDeclined => lines.push(format!(
            "With every card declined, choreography cancelled {} orders through the order service's own reaction; orchestration cancelled {} as compensations the saga ran and recorded.",
            chor.outcomes.cancelled, orch.outcomes.cancelled
        )),
        Failure::ShippingDown => lines.push(format!(
            "With shipping down, choreography leaves {} paid orders stuck and {} messages parked: nobody owns the flow. Orchestration's saga times out and compensates (refund, release, cancel): {} stuck.",
            chor.outcomes.stuck, chor.parked, orch.outcomes.stuck
        )),
    }
    lines
}
