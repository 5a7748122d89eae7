//! The same business flow run both ways, side by side: what each coordination model costs in
//! messages, who depends on whom, where the rules live, what an injected failure does, and how
//! much traffic passes through the coordinator. Both run under the same delivery conditions
//! (duplicates, reordering, latency, failures, idempotent or naive consumers, dedup window),
//! and their business outcomes are set against each other and against exactly-once delivery.

use serde::Serialize;

use super::aggregates::OrderStatus;
use super::outcome::{BusinessOutcome, Difference};
use super::read_models::OrderSummaries;
use super::services::graph::{for_mode, Node};
use super::services::{Failure, Mode, ServiceName};
use super::simulation::{Simulation, SimulationConfig, PRODUCER};
use super::CommandError;
use eventide_engine::delivery::DeliverySettings;
use eventide_engine::envelope::Named;
use eventide_engine::ids::Timestamp;

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
    /// Repeats the services processed (naive ones, or idempotent ones past their window).
    pub duplicates_processed: u64,
    /// Of those, the ones an idempotent service processed because its window had passed.
    pub duplicates_past_window: u64,
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
        duplicates_processed: simulation
            .services()
            .iter()
            .map(|r| r.duplicates_processed)
            .sum(),
        duplicates_past_window: simulation
            .services()
            .iter()
            .map(|r| r.duplicates_past_window)
            .sum(),
        events: simulation.shop().store().len() as u64,
        where_rules_live: match mode {
            Mode::Choreography => "spread over the services: each decides its own next step from the events it hears",
            Mode::Orchestration => "in one place: the CheckoutSaga's state machine decides every step and every compensation",
        },
    }
}

/// What a comparison runs under: the bus's delivery settings for every subscription and whether
/// the consumers keep an idempotency ledger.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Conditions {
    pub delivery: DeliverySettings,
    pub idempotent: bool,
}

impl Default for Conditions {
    /// The shop's defaults: a little latency, nothing lost, idempotent consumers.
    fn default() -> Self {
        Conditions {
            delivery: DeliverySettings::default(),
            idempotent: true,
        }
    }
}

impl Conditions {
    /// Exactly once, in order, at once: the reference the others are judged by.
    pub fn exactly_once() -> Self {
        Conditions {
            delivery: DeliverySettings::exactly_once(),
            idempotent: true,
        }
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
    run_mode_under(seed, orders, mode, failure, Conditions::default(), start)
}

/// The same, under `conditions`.
pub fn run_mode_under(
    seed: u64,
    orders: u64,
    mode: Mode,
    failure: Failure,
    conditions: Conditions,
    start: Timestamp,
) -> Result<Simulation, CommandError> {
    let mut config = SimulationConfig::new(seed, orders, start);
    config.mode = mode;
    config.failure = failure;
    config.delivery = conditions.delivery.clamped();
    config.idempotent = conditions.idempotent;
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
    let conditions = Conditions::default();
    let choreography =
        run_mode_under(seed, orders, Mode::Choreography, failure, conditions, start)?;
    let orchestration = run_mode_under(
        seed,
        orders,
        Mode::Orchestration,
        failure,
        conditions,
        start,
    )?;
    Ok([report(&choreography), report(&orchestration)])
}

/// Both models under the same conditions, with their business outcomes and the one
/// exactly-once delivery reaches (choreography's: the models agree under exactly once).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub conditions: Conditions,
    /// Choreography's, then orchestration's.
    pub reports: [ModeReport; 2],
    pub outcomes: [BusinessOutcome; 2],
    pub exactly_once: BusinessOutcome,
}

impl Comparison {
    /// Where orchestration's business outcome parts from choreography's; empty if they agree.
    pub fn between_models(&self) -> Vec<Difference> {
        self.outcomes[0].differences(&self.outcomes[1])
    }

    /// Where each model's outcome parts from exactly-once delivery's.
    pub fn from_exactly_once(&self) -> [Vec<Difference>; 2] {
        [
            self.outcomes[0].differences(&self.exactly_once),
            self.outcomes[1].differences(&self.exactly_once),
        ]
    }
}

/// Both models under `conditions`, and the exactly-once reference.
pub fn compare_under(
    seed: u64,
    orders: u64,
    failure: Failure,
    conditions: Conditions,
    start: Timestamp,
) -> Result<Comparison, CommandError> {
    let outcome = |simulation: &Simulation| BusinessOutcome::of(simulation.shop().history().live());
    let choreography =
        run_mode_under(seed, orders, Mode::Choreography, failure, conditions, start)?;
    let orchestration = run_mode_under(
        seed,
        orders,
        Mode::Orchestration,
        failure,
        conditions,
        start,
    )?;
    let reference = if conditions == Conditions::exactly_once() {
        outcome(&choreography)
    } else {
        let exactly_once = Conditions::exactly_once();
        outcome(&run_mode_under(
            seed,
            orders,
            Mode::Choreography,
            failure,
            exactly_once,
            start,
        )?)
    };
    Ok(Comparison {
        conditions,
        outcomes: [outcome(&choreography), outcome(&orchestration)],
        reports: [report(&choreography), report(&orchestration)],
        exactly_once: reference,
    })
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
        Failure::None => lines.push("With nothing injected, both models reach the same outcome for the same seed, as long as delivery looks exactly once to the services.".into()),
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

/// Whether the two models' business outcomes agree under the comparison's conditions, and how
/// each stands against exactly-once delivery, in plain words.
pub fn verdict(comparison: &Comparison) -> Vec<String> {
    let mut lines = Vec::new();
    let between = comparison.between_models();
    if between.is_empty() {
        lines.push("Under these delivery settings both models reach the same business outcome: the same orders, stock and revenue.".into());
    } else {
        lines.push(format!(
            "Under these delivery settings the business outcomes differ: {}.",
            summarise(&between)
        ));
    }
    let models = [Mode::Choreography, Mode::Orchestration];
    for ((mode, differences), report) in models
        .iter()
        .zip(comparison.from_exactly_once())
        .zip(&comparison.reports)
    {
        if differences.is_empty() {
            continue;
        }
        let why = if report.duplicates_past_window > 0 {
            format!(
                " ({} duplicates came after the dedup window and were processed again)",
                report.duplicates_past_window
            )
        } else if report.duplicates_processed > 0 {
            format!(
                " ({} duplicates were processed by naive consumers)",
                report.duplicates_processed
            )
        } else if report.parked > 0 {
            format!(" ({} messages are parked)", report.parked)
        } else {
            String::new()
        };
        lines.push(format!(
            "{} is not what exactly-once delivery gives{why}: {}.",
            capitalised(mode.name()),
            summarise(&differences)
        ));
    }
    lines
}

/// The first few differences, and how many more there are.
fn summarise(differences: &[Difference]) -> String {
    const SHOWN: usize = 3;
    let mut text = differences
        .iter()
        .take(SHOWN)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    if differences.len() > SHOWN {
        text.push_str(&format!(" and {} more", differences.len() - SHOWN));
    }
    text
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
