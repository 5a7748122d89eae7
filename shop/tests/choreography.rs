//! Choreography under at-least-once delivery, as a specification: the bus delivers late, twice,
//! out of order and to failing consumers; idempotent services with per-aggregate ordering still
//! reach the business outcome of exactly-once, in-order delivery, and naive ones do not.
//!
//! Runs are small (20 to 200 checkouts) so the whole file stays fast in a debug build.

use std::collections::{BTreeMap, HashMap};

use eventide_engine::delivery::{Bus, DeliverySettings, Outcome, ResetRefused, SubscriptionId};
use eventide_engine::rng::SeededRng;
use eventide_engine::{Named, Position, Timestamp};
use eventide_shop::commands::ShopCommand;
use eventide_shop::events::{ShopEvent, ShopEventKind};
use eventide_shop::ids::{CustomerId, Money, Sku};
use eventide_shop::read_models::{InventoryLevels, OrderSummaries, RevenuePerCustomer};
use eventide_shop::services::runtime::Handling;
use eventide_shop::services::{all_services, LogLevel, OpsSettings, ServiceName, ServiceRuntime};
use eventide_shop::simulation::{Simulation, SimulationConfig, PRODUCER};
use eventide_shop::{CommandContext, Shop, ShopRecorded};
use proptest::prelude::*;

/// 2026-11-26T09:00:00Z.
const START: Timestamp = Timestamp(1_795_683_600_000);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn config(seed: u64, orders: u64, delivery: DeliverySettings) -> SimulationConfig {
    let mut config = SimulationConfig::new(seed, orders, START);
    config.delivery = delivery;
    config
}

/// Delivery as it really is: late, jittery, twice now and then, across aggregates out of order,
/// failing consumers retried patiently enough that nothing is parked.
fn unreliable(duplicates: f64, reorder: f64, failures: f64) -> DeliverySettings {
    DeliverySettings {
        duplicate_rate: duplicates,
        reorder_rate: reorder,
        failure_rate: failures,
        per_aggregate_ordering: true,
        max_attempts: 40,
        ..DeliverySettings::default()
    }
}

fn run(config: SimulationConfig) -> Simulation {
    let mut simulation = Simulation::new(config).expect("the storefront opens");
    simulation.run(u64::MAX).expect("the run completes");
    assert!(simulation.is_quiescent(), "the run ends quiet");
    simulation
}

/// Every event of the log, as the serialised JSON envelope.
fn log_of(simulation: &Simulation) -> Vec<String> {
    simulation
        .shop()
        .store()
        .events()
        .iter()
        .map(|event| event.to_json().to_string())
        .collect()
}

/// Compares two logs event by event, naming the first that differs.
fn assert_same_log(left: &[String], right: &[String]) {
    if let Some(index) = (0..left.len().min(right.len())).find(|&i| left[i] != right[i]) {
        panic!(
            "the logs differ first at position {}:\n{}\n{}",
            index + 1,
            left[index],
            right[index]
        );
    }
    assert_eq!(left.len(), right.len(), "the logs have different lengths");
}

fn orders_of(simulation: &Simulation) -> &OrderSummaries {
    simulation
        .shop()
        .history()
        .live()
        .get::<OrderSummaries>()
        .expect("orders are a built-in read model")
}

fn service_state(simulation: &Simulation, name: ServiceName) -> BTreeMap<&'static str, i64> {
    simulation
        .services()
        .iter()
        .find(|runtime| runtime.service.name() == name)
        .map(|runtime| runtime.service.state().into_iter().collect())
        .unwrap_or_default()
}

fn count_of(simulation: &Simulation, kind: ShopEventKind) -> usize {
    simulation.shop().store().count_by_kind(kind)
}

/// What the business cares about, and nothing that timing may change: orders without their
/// numbers (handed out in arrival order), stock per SKU, revenue per customer and what each
/// service concluded. No positions, no timestamps, no activity per minute.
#[derive(Debug, PartialEq)]
struct BusinessOutcome {
    /// (customer, total, status, items), sorted: a multiset.
    orders: Vec<(CustomerId, Money, &'static str, u32)>,
    /// SKU, on hand, reserved, shipped.
    inventory: Vec<(Sku, i64, i64, i64)>,
    /// Customer, orders paid, revenue, refunded.
    revenue: Vec<(CustomerId, u32, Money, Money)>,
    services: Vec<(ServiceName, Vec<(&'static str, i64)>)>,
}

impl BusinessOutcome {
    fn of(simulation: &Simulation) -> BusinessOutcome {
        let live = simulation.shop().history().live();
        let mut orders: Vec<_> = orders_of(simulation)
            .iter()
            .map(|o| (o.customer, o.total, o.status.label(), o.items))
            .collect();
        orders.sort();
        let inventory = live
            .get::<InventoryLevels>()
            .expect("inventory is a built-in read model")
            .iter()
            .map(|level| (level.sku, level.on_hand, level.reserved, level.shipped))
            .collect();
        let mut revenue: Vec<_> = live
            .get::<RevenuePerCustomer>()
            .expect("revenue is a built-in read model")
            .ranked()
            .into_iter()
            .map(|(customer, r)| (customer, r.orders_paid, r.revenue, r.refunded))
            .collect();
        revenue.sort();
        let services = simulation
            .services()
            .iter()
            .map(|runtime| (runtime.service.name(), runtime.service.state()))
            .collect();
        BusinessOutcome {
            orders,
            inventory,
            revenue,
            services,
        }
    }
}

/// A shop with a handful of recorded events to hand to a bus directly.
struct Fixture {
    shop: Shop,
    ids: SeededRng,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            shop: Shop::new(),
            ids: SeededRng::new(7),
        }
    }

    fn execute(&mut self, command: ShopCommand) -> ShopRecorded {
        let appended = self
            .shop
            .execute(command, CommandContext::new(START, &mut self.ids))
            .expect("the command is accepted");
        let (_, last) = appended.range.expect("an event was appended");
        self.shop.store().get(last).cloned().expect("it is stored")
    }

    /// A product view by `customer`: one event on the customer's cart stream.
    fn view(&mut self, customer: u32) -> ShopRecorded {
        self.execute(ShopCommand::ViewProduct {
            customer: CustomerId(customer),
            sku: Sku(1),
        })
    }
}

fn bus_with(settings: DeliverySettings) -> (Bus<ShopEvent>, SubscriptionId) {
    let mut bus = Bus::new(11);
    let subscription = bus.subscribe("Viewer", &[ShopEventKind::ProductViewed], settings);
    (bus, subscription)
}

// ---------------------------------------------------------------------------------------------
// 1. Determinism
// ---------------------------------------------------------------------------------------------

#[test]
fn it_should_give_the_same_log_byte_for_byte_for_the_same_seed_and_settings() {
    let settings = DeliverySettings {
        duplicate_rate: 0.2,
        reorder_rate: 0.3,
        failure_rate: 0.1,
        per_aggregate_ordering: false,
        ..DeliverySettings::default()
    };
    let first = run(config(42, 40, settings));
    let second = run(config(42, 40, settings));
    let log = log_of(&first);
    assert!(log.len() > 300, "a real run: {} events", log.len());
    assert_same_log(&log, &log_of(&second));
    assert!(first
        .shop()
        .history()
        .live()
        .same_state(second.shop().history().live()));
    assert_eq!(BusinessOutcome::of(&first), BusinessOutcome::of(&second));
    assert_eq!(first.summary(), second.summary());
    assert_eq!(first.bus().history(), second.bus().history());
}

#[test]
fn it_should_give_different_logs_for_different_seeds() {
    let logs: Vec<_> = [1, 2, 3]
        .iter()
        .map(|&seed| log_of(&run(config(seed, 20, unreliable(0.2, 0.2, 0.1)))))
        .collect();
    assert_ne!(logs[0], logs[1]);
    assert_ne!(logs[0], logs[2]);
    assert_ne!(logs[1], logs[2]);
}

// ---------------------------------------------------------------------------------------------
// 2. The central property: idempotency and per-aggregate ordering make delivery look exactly once
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn it_should_reach_the_exactly_once_outcome_with_idempotent_ordered_consumers(
        seed in any::<u64>(),
        duplicates in 0.0..0.6f64,
        reorder in 0.0..=1.0f64,
        failures in 0.0..0.5f64,
        orders in 20u64..80,
        partitions in 0u8..=4,
    ) {
        let reference = run(config(seed, orders, DeliverySettings::exactly_once()));
        let delivery = DeliverySettings {
            partitions,
            ..unreliable(duplicates, reorder, failures)
        };
        let chaotic = run(config(seed, orders, delivery));
        for runtime in chaotic.services() {
            let stats = chaotic.bus().stats(runtime.subscription);
            prop_assert_eq!(stats.parked, 0, "{} parked a delivery", runtime.service.name().name());
            prop_assert_eq!(runtime.duplicates_processed, 0);
        }
        prop_assert_eq!(BusinessOutcome::of(&chaotic), BusinessOutcome::of(&reference));
    }
}

#[test]
fn it_should_reach_the_exactly_once_outcome_through_the_worst_delivery_at_200_orders() {
    let reference = run(config(2024, 200, DeliverySettings::exactly_once()));
    let chaotic = run(config(2024, 200, unreliable(0.5, 1.0, 0.3)));
    let duplicates_ignored: u64 = chaotic
        .services()
        .iter()
        .map(|runtime| chaotic.bus().stats(runtime.subscription).duplicates_ignored)
        .sum();
    assert!(duplicates_ignored > 100, "{duplicates_ignored} duplicates");
    assert_eq!(
        BusinessOutcome::of(&chaotic),
        BusinessOutcome::of(&reference)
    );
}

#[test]
fn it_should_scramble_an_order_dependent_fold_without_per_aggregate_ordering() {
    // Personalization folds each customer's browsing in order: its "favourite changed" count
    // depends on the order of a cart stream's events, so detours without ordering change it.
    let reference = run(config(10, 30, DeliverySettings::exactly_once()));
    let scrambled = DeliverySettings {
        per_aggregate_ordering: false,
        ..unreliable(0.0, 1.0, 0.0)
    };
    let unordered = run(config(10, 30, scrambled));
    let updates = |simulation: &Simulation| {
        service_state(simulation, ServiceName::Personalization)["recommendation updates"]
    };
    assert_ne!(updates(&unordered), updates(&reference));
    let ordered = run(config(10, 30, unreliable(0.0, 1.0, 0.0)));
    assert_eq!(
        BusinessOutcome::of(&ordered),
        BusinessOutcome::of(&reference)
    );
}

#[test]
fn it_should_diverge_from_exactly_once_with_naive_consumers_and_duplicates() {
    let reference = run(config(7, 40, DeliverySettings::exactly_once()));
    let mut naive = config(7, 40, unreliable(0.3, 0.0, 0.0));
    naive.idempotent = false;
    let naive = run(naive);

    // The same customers checked out: the storefront does not depend on delivery.
    assert_eq!(
        count_of(&naive, ShopEventKind::CartCheckedOut),
        count_of(&reference, ShopEventKind::CartCheckedOut)
    );
    let checkouts = count_of(&reference, ShopEventKind::CartCheckedOut);
    assert_eq!(
        orders_of(&reference).len(),
        checkouts,
        "one order per checkout"
    );
    // A duplicated checkout became a second order.
    assert!(
        orders_of(&naive).len() > checkouts,
        "{} orders from {checkouts} checkouts",
        orders_of(&naive).len()
    );
    // A duplicated order event became a second email.
    let emailable = [
        ShopEventKind::OrderPlaced,
        ShopEventKind::ShipmentDispatched,
        ShopEventKind::OrderCancelled,
    ]
    .iter()
    .map(|&kind| count_of(&naive, kind))
    .sum::<usize>();
    let emails = count_of(&naive, ShopEventKind::EmailSent);
    assert!(emails > emailable, "{emails} emails for {emailable} events");
    assert_eq!(
        service_state(&naive, ServiceName::Notification)["emails sent"],
        emails as i64
    );
    let processed: u64 = naive
        .services()
        .iter()
        .map(|r| r.duplicates_processed)
        .sum();
    assert!(processed > 0);
    assert_ne!(BusinessOutcome::of(&naive), BusinessOutcome::of(&reference));
}

// ---------------------------------------------------------------------------------------------
// 3. The delivery bus
// ---------------------------------------------------------------------------------------------

#[test]
fn it_should_make_every_delivery_due_within_latency_plus_jitter() {
    let (mut bus, subscription) = bus_with(DeliverySettings {
        latency_ms: 300,
        jitter_ms: 200,
        per_aggregate_ordering: false,
        ..DeliverySettings::default()
    });
    let mut fixture = Fixture::new();
    for customer in 1..=50 {
        let event = fixture.view(customer);
        bus.publish(&event, START);
    }
    let dues: Vec<i64> = bus
        .open_deliveries()
        .map(|(delivery, due)| {
            assert_eq!(delivery.subscription, subscription);
            due.0 - START.0
        })
        .collect();
    assert_eq!(dues.len(), 50);
    assert!(
        dues.iter().all(|delay| (300..=500).contains(delay)),
        "{dues:?}"
    );
    assert!(
        dues.iter().min() != dues.iter().max(),
        "jitter varies: {dues:?}"
    );
    assert_eq!(
        bus.next_due(),
        Some(START.plus_millis(*dues.iter().min().unwrap()))
    );
    assert_eq!(
        bus.pop_due(START.plus_millis(299)),
        None,
        "nothing arrives early"
    );
}

#[test]
fn it_should_deliver_at_once_with_exactly_once_settings() {
    let (mut bus, _) = bus_with(DeliverySettings::exactly_once());
    let mut fixture = Fixture::new();
    let event = fixture.view(1);
    bus.publish(&event, START);
    let attempt = bus.pop_due(START).expect("due now");
    let delivery = *attempt.delivery();
    assert_eq!(delivery.position, event.position);
    assert_eq!(delivery.attempt, 1);
    assert!(!delivery.duplicate);
    assert_eq!(
        bus.complete(attempt, Outcome::Handled, START),
        Outcome::Handled
    );
    assert!(bus.is_idle());
    assert_eq!(bus.in_flight(), 0);
}

#[test]
fn it_should_deliver_a_duplicate_twice_and_an_idempotent_service_ignores_the_second() {
    let (mut bus, subscription) = bus_with(DeliverySettings {
        duplicate_rate: 1.0,
        ..DeliverySettings::exactly_once()
    });
    let mut fixture = Fixture::new();
    let event = fixture.view(1);
    bus.publish(&event, START);
    assert_eq!(bus.in_flight(), 2, "the event and its copy");

    let personalization = all_services()
        .into_iter()
        .find(|s| s.name() == ServiceName::Personalization)
        .expect("a personalization service");
    let mut runtime = ServiceRuntime::new(personalization, subscription);
    let mut outcomes = Vec::new();
    while let Some(due) = bus.next_due() {
        let attempt = bus.pop_due(due).expect("due");
        let delivery = *attempt.delivery();
        assert_eq!(delivery.position, event.position);
        let outcome =
            match runtime.handle(&event, 1, due, DeliverySettings::DEFAULT_DEDUP_WINDOW_MS) {
                Handling::Ignored => Outcome::IgnoredDuplicate,
                Handling::React(_) => Outcome::Handled,
            };
        outcomes.push((delivery.duplicate, bus.complete(attempt, outcome, due)));
    }
    assert_eq!(
        outcomes,
        vec![(false, Outcome::Handled), (true, Outcome::IgnoredDuplicate)]
    );
    let stats = bus.stats(subscription);
    assert_eq!((stats.enqueued, stats.duplicates_sent), (2, 1));
    assert_eq!((stats.handled, stats.duplicates_ignored), (1, 1));
    assert_eq!((runtime.processed, runtime.duplicates_ignored), (1, 1));
    assert_eq!(
        runtime.service.state(),
        runtime.exactly_once.consumer().state()
    );
}

#[test]
fn it_should_ignore_every_duplicate_in_a_run_of_idempotent_services() {
    let simulation = run(config(
        5,
        30,
        DeliverySettings {
            duplicate_rate: 1.0,
            ..DeliverySettings::default()
        },
    ));
    for runtime in simulation.services() {
        let name = runtime.service.name().name();
        let stats = simulation.bus().stats(runtime.subscription);
        assert!(stats.duplicates_sent > 0, "{name}: {stats:?}");
        assert_eq!(stats.duplicates_ignored, stats.duplicates_sent, "{name}");
        assert_eq!(
            stats.handled,
            stats.enqueued - stats.duplicates_sent,
            "{name}"
        );
        assert_eq!(
            runtime.duplicates_ignored, stats.duplicates_ignored,
            "{name}"
        );
        assert_eq!(runtime.duplicates_processed, 0, "{name}");
        assert_eq!(
            runtime.service.state(),
            runtime.exactly_once.consumer().state(),
            "{name}"
        );
    }
}

/// For every subscription and stream, whether the stream's events were handled in version order.
fn streams_out_of_order(simulation: &Simulation) -> usize {
    let store = simulation.shop().store();
    let mut last = HashMap::new();
    let mut out_of_order = 0;
    for record in simulation.bus().history() {
        if !matches!(record.outcome, Outcome::Handled | Outcome::IgnoredDuplicate) {
            continue;
        }
        let event = store.get(record.delivery.position).expect("stored");
        let key = (record.delivery.subscription, event.stream);
        let previous = last.insert(key, event.version).unwrap_or_default();
        if event.version < previous {
            out_of_order += 1;
        }
    }
    out_of_order
}

#[test]
fn it_should_handle_each_stream_in_version_order_with_per_aggregate_ordering() {
    let reorder = |ordered| DeliverySettings {
        reorder_rate: 1.0,
        duplicate_rate: 0.3,
        failure_rate: 0.2,
        max_attempts: 40,
        per_aggregate_ordering: ordered,
        ..DeliverySettings::default()
    };
    let ordered = run(config(3, 30, reorder(true)));
    assert_eq!(streams_out_of_order(&ordered), 0);
    // The check has teeth: without ordering, the same detours scramble streams.
    let unordered = run(config(3, 30, reorder(false)));
    assert!(streams_out_of_order(&unordered) > 0);
}

/// Regression: switching per-aggregate ordering off left the deliveries waiting behind the head
/// of their lane on no agenda, so they were never delivered (the browser has this knob).
#[test]
fn it_should_release_the_deliveries_waiting_in_a_lane_when_ordering_is_switched_off() {
    let ordered = DeliverySettings::exactly_once();
    let (mut bus, subscription) = bus_with(ordered);
    let mut fixture = Fixture::new();
    let events: Vec<_> = (0..3).map(|_| fixture.view(1)).collect();
    for event in &events {
        bus.publish(event, START);
    }
    bus.set_settings(
        subscription,
        DeliverySettings {
            per_aggregate_ordering: false,
            ..ordered
        },
    );
    let mut delivered = Vec::new();
    while let Some(attempt) = bus.pop_due(START) {
        delivered.push(attempt.delivery().position);
        bus.complete(attempt, Outcome::Handled, START);
    }
    let positions: Vec<_> = events.iter().map(|event| event.position).collect();
    assert_eq!(delivered, positions);
    assert_eq!(bus.in_flight(), 0);

    // The same through a whole run, switched off mid-flight.
    let settings = DeliverySettings {
        reorder_rate: 1.0,
        ..DeliverySettings::default()
    };
    let mut simulation = Simulation::new(config(3, 30, settings)).expect("opens");
    for _ in 0..300 {
        simulation.step().expect("steps");
    }
    for id in simulation.subscriptions().collect::<Vec<_>>() {
        let unordered = DeliverySettings {
            per_aggregate_ordering: false,
            ..settings
        };
        simulation.set_subscription_delivery(id, unordered);
    }
    simulation.run(u64::MAX).expect("runs");
    assert_eq!(simulation.bus().in_flight(), 0, "every delivery arrived");
    for id in simulation.subscriptions().collect::<Vec<_>>() {
        assert_eq!(
            simulation.bus().stats(id).open,
            0,
            "{}",
            simulation.bus().name(id)
        );
    }
}

/// Regression: with ordering switched on mid-flight, a delivery sent before (in no lane) popped
/// the head of its stream's lane when it finished, and the next in line overtook the head.
#[test]
fn it_should_keep_a_lane_in_order_when_ordering_is_switched_on_mid_flight() {
    let ordered = DeliverySettings::exactly_once();
    let (mut bus, subscription) = bus_with(DeliverySettings {
        per_aggregate_ordering: false,
        ..ordered
    });
    let mut fixture = Fixture::new();
    let before = fixture.view(1);
    bus.publish(&before, START);
    bus.set_settings(subscription, ordered);
    let (second, third) = (fixture.view(1), fixture.view(1));
    bus.publish(&second, START);
    bus.publish(&third, START);

    let first = bus.pop_due(START).expect("the earlier delivery");
    assert_eq!(first.delivery().position, before.position);
    bus.complete(first, Outcome::Handled, START);
    let head = bus.pop_due(START).expect("the head of the lane");
    assert_eq!(head.delivery().position, second.position);
    assert_eq!(bus.pop_due(START), None, "the third waits for the second");
    bus.complete(head, Outcome::Handled, START);
    let last = bus.pop_due(START).expect("then the third");
    assert_eq!(last.delivery().position, third.position);
    bus.complete(last, Outcome::Handled, START);
    assert_eq!(bus.in_flight(), 0);
}

#[test]
fn it_should_retry_a_failed_delivery_with_exponential_backoff_and_then_park_it() {
    let (mut bus, subscription) = bus_with(DeliverySettings {
        failure_rate: 1.0,
        max_attempts: 4,
        backoff_ms: 200,
        ..DeliverySettings::exactly_once()
    });
    let mut fixture = Fixture::new();
    let event = fixture.view(1);
    bus.publish(&event, START);
    let mut now = START;
    let mut waits = Vec::new();
    let mut outcomes = Vec::new();
    while let Some(due) = bus.next_due() {
        waits.push(due.0 - now.0);
        now = due;
        let attempt = bus.pop_due(now).expect("due");
        assert_eq!(attempt.delivery().attempt as usize, outcomes.len() + 1);
        assert!(bus.attempt_fails(&attempt), "every attempt fails");
        outcomes.push(bus.complete(attempt, Outcome::Failed, now));
    }
    assert_eq!(waits, vec![0, 200, 400, 800], "the backoff doubles");
    use Outcome::{Failed, Parked};
    assert_eq!(outcomes, vec![Failed, Failed, Failed, Parked]);
    let parked = bus.parked(subscription);
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].position, event.position);
    let stats = bus.stats(subscription);
    assert_eq!((stats.failures, stats.parked, stats.open), (4, 1, 0));
    assert_eq!(bus.in_flight(), 0);
}

#[test]
fn it_should_park_every_delivery_after_two_failed_attempts_and_replay_them_once_fixed() {
    let mut config = config(9, 20, DeliverySettings::default());
    config.delivery.max_attempts = 2;
    let mut simulation = Simulation::new(config).expect("opens");
    let broken = DeliverySettings {
        failure_rate: 1.0,
        max_attempts: 2,
        ..DeliverySettings::default()
    };
    simulation.set_delivery(ServiceName::Notification, broken);
    simulation.run(u64::MAX).expect("runs");

    let stats = simulation.subscription_stats(ServiceName::Notification);
    let subscription = simulation
        .subscription_of(ServiceName::Notification)
        .expect("subscribed");
    let parked = simulation.bus().parked(subscription).len() as u64;
    assert!(parked > 20, "{parked} parked");
    assert_eq!(stats.parked, parked);
    assert_eq!(stats.failures, 2 * parked, "two attempts each");
    assert_eq!(stats.handled, 0);
    assert_eq!(count_of(&simulation, ShopEventKind::EmailSent), 0);

    simulation.set_delivery(
        ServiceName::Notification,
        DeliverySettings {
            failure_rate: 0.0,
            ..broken
        },
    );
    assert_eq!(
        simulation.replay_parked(ServiceName::Notification),
        parked as usize
    );
    simulation.run(u64::MAX).expect("runs");
    assert!(simulation.bus().parked(subscription).is_empty());
    let stats = simulation.subscription_stats(ServiceName::Notification);
    assert_eq!((stats.parked, stats.handled, stats.open), (0, parked, 0));
    let emailable = [
        ShopEventKind::OrderPlaced,
        ShopEventKind::ShipmentDispatched,
        ShopEventKind::OrderCancelled,
    ]
    .iter()
    .map(|&kind| count_of(&simulation, kind))
    .sum::<usize>();
    assert_eq!(count_of(&simulation, ShopEventKind::EmailSent), emailable);
}

#[test]
fn it_should_show_lag_mid_run_and_none_when_quiescent() {
    let mut simulation =
        Simulation::new(config(4, 30, DeliverySettings::default())).expect("opens");
    let mut lagged = false;
    for _ in 0..400 {
        simulation.step().expect("steps");
        let open = simulation.subscriptions().any(|id| {
            let stats = simulation.bus().stats(id);
            stats.open > 0 && stats.oldest_open.is_some()
        });
        lagged |= open && simulation.projection_lag().behind > 0;
    }
    assert!(lagged, "some consumer trails the log mid-run");
    simulation.run(u64::MAX).expect("runs");
    for id in simulation.subscriptions().collect::<Vec<_>>() {
        let stats = simulation.bus().stats(id);
        assert_eq!(
            (stats.open, stats.oldest_open),
            (0, None),
            "{}",
            simulation.bus().name(id)
        );
    }
    let lag = simulation.projection_lag();
    assert_eq!((lag.behind, lag.waiting_ms), (0, 0));
    assert_eq!(lag.checkpoint, simulation.shop().store().head());
    assert_eq!(simulation.bus().in_flight(), 0);
}

// ---------------------------------------------------------------------------------------------
// 4. Services
// ---------------------------------------------------------------------------------------------

#[test]
fn it_should_declare_what_every_service_consumes_and_publishes() {
    let services = all_services();
    assert_eq!(services.len(), 7);
    for service in services {
        let declaration = service.declaration();
        let name = service.name().name();
        assert!(!declaration.consumes.is_empty(), "{name} consumes nothing");
        assert!(
            !declaration.publishes.is_empty(),
            "{name} publishes nothing"
        );
    }
}

#[test]
fn it_should_publish_reactions_in_the_flow_of_their_cause() {
    let simulation = run(config(13, 40, unreliable(0.2, 0.3, 0.1)));
    let store = simulation.shop().store();
    let mut caused = 0;
    for event in store.events() {
        let Some(cause) = event.causation_id else {
            continue;
        };
        let Some(cause) = store.get_by_id(cause) else {
            continue;
        };
        caused += 1;
        assert_eq!(
            event.correlation_id,
            cause.correlation_id,
            "{} at {} has another flow than its cause {}",
            event.kind().name(),
            event.position.0,
            cause.kind().name()
        );
        assert!(cause.position < event.position, "a cause comes first");
    }
    assert!(
        caused > store.len() / 2,
        "{caused} of {} caused",
        store.len()
    );
    // Every event a service produced names the event it reacted to.
    let service_names: Vec<_> = ServiceName::ALL.iter().map(|s| s.name()).collect();
    for event in store.events() {
        if event
            .metadata
            .get(PRODUCER)
            .is_some_and(|producer| service_names.contains(&producer))
        {
            let cause = event.causation_id.and_then(|id| store.get_by_id(id));
            assert!(cause.is_some(), "{} has no cause", event.kind().name());
        }
    }
}

#[test]
fn it_should_brace_services_for_chaos_and_stand_them_down_afterwards() {
    let mut simulation = run(config(21, 20, DeliverySettings::default()));
    assert!(simulation
        .services()
        .iter()
        .all(|runtime| runtime.ops == OpsSettings::NORMAL));

    simulation
        .inject(ShopEvent::ChaosModeEnabled {
            reason: "game day".into(),
        })
        .expect("recorded");
    simulation.run(u64::MAX).expect("runs");
    let braced: Vec<&ServiceRuntime> = simulation
        .services()
        .iter()
        .filter(|runtime| runtime.ops == OpsSettings::CHAOS)
        .collect();
    assert!(braced.len() >= 3, "{} services braced", braced.len());
    for runtime in &braced {
        assert_eq!(runtime.ops.retry_budget, 12);
        assert_eq!(runtime.ops.log_level, LogLevel::Debug);
        assert_eq!(runtime.ops.alert_threshold, 5);
        let settings = simulation
            .bus()
            .settings(runtime.subscription)
            .expect("subscribed");
        assert_eq!(
            settings.max_attempts, 12,
            "the retry budget reaches the bus"
        );
    }
    // Only those that consume chaos events brace.
    for runtime in simulation.services() {
        let consumes = runtime
            .service
            .declaration()
            .consumes
            .contains(&ShopEventKind::ChaosModeEnabled);
        assert_eq!(runtime.ops == OpsSettings::CHAOS, consumes);
    }

    simulation
        .inject(ShopEvent::ChaosModeDisabled {})
        .expect("recorded");
    simulation.run(u64::MAX).expect("runs");
    for runtime in simulation.services() {
        assert_eq!(
            runtime.ops,
            OpsSettings::NORMAL,
            "{}",
            runtime.service.name().name()
        );
        let settings = simulation
            .bus()
            .settings(runtime.subscription)
            .expect("subscribed");
        assert_eq!(settings.max_attempts, OpsSettings::NORMAL.retry_budget);
    }
}

// ---------------------------------------------------------------------------------------------
// Scarce stock
// ---------------------------------------------------------------------------------------------

/// Bug: with too little stock the inventory service's reservations were refused (out of stock),
/// but the shipping service shipped every paid order anyway, and the Inventory read model went
/// to a negative stock on hand and reserved. A shipment now needs its stock reserved: the
/// shipping service waits for it, and the order aggregate refuses a dispatch without it.
#[test]
fn regression_a_paid_order_shipped_stock_the_inventory_service_could_not_reserve() {
    let mut simulation =
        Simulation::new(config(5, 0, unreliable(0.1, 0.2, 0.1))).expect("the storefront opens");
    let mut ids = SeededRng::new(3);
    for product in eventide_shop::catalog::PRODUCTS {
        simulation
            .execute(
                ShopCommand::RestockInventory {
                    sku: product.sku,
                    quantity: 2,
                },
                &mut ids,
            )
            .expect("a clerk restocks");
    }
    simulation
        .open_storefront(40)
        .expect("the storefront opens");
    simulation.run(u64::MAX).expect("the run completes");
    assert!(simulation.is_quiescent(), "the run ends quiet");

    let rejected_reservations = simulation.summary().rejections;
    assert!(rejected_reservations > 0, "some reservations were refused");
    let levels = simulation
        .shop()
        .history()
        .live()
        .get::<InventoryLevels>()
        .expect("the inventory model");
    for level in levels.iter() {
        assert!(
            level.on_hand >= 0 && level.reserved >= 0 && level.available() >= 0,
            "{}: on hand {}, reserved {}, available {}",
            level.sku,
            level.on_hand,
            level.reserved,
            level.available()
        );
        assert!(level.shipped <= 2, "{} shipped more than it had", level.sku);
    }
    let waiting =
        service_state(&simulation, ServiceName::Shipping)["orders waiting for stock or payment"];
    assert!(waiting > 0, "orders whose stock ran out wait, unshipped");
}

/// Bug: a user's command back-dated into the future (2099) was accepted by the running shop.
#[test]
fn regression_a_command_dated_in_2099_was_accepted() {
    let mut simulation = run(config(5, 2, DeliverySettings::default()));
    let before = simulation.shop().store().len();
    let in_2099 = Timestamp(4_070_908_800_000);
    let error = simulation
        .execute_backdated(
            ShopCommand::RestockInventory {
                sku: Sku(1),
                quantity: 1,
            },
            &mut SeededRng::new(9),
            Some(in_2099),
        )
        .expect_err("a fact from the future is refused");
    assert!(
        matches!(
            error,
            eventide_shop::CommandError::OccursInTheFuture { occurred_at, .. }
                if occurred_at == in_2099
        ),
        "{error}"
    );
    assert_eq!(simulation.shop().store().len(), before, "nothing appended");
}

// ---------------------------------------------------------------------------------------------
// Resetting a subscription
// ---------------------------------------------------------------------------------------------

/// Emails the notification service sent, and what exactly-once delivery would have sent.
fn emails(simulation: &Simulation) -> (i64, i64) {
    let runtime = simulation
        .services()
        .iter()
        .find(|runtime| runtime.service.name() == ServiceName::Notification)
        .expect("a notification service");
    let sent = |state: Vec<(&'static str, i64)>| {
        state
            .into_iter()
            .find(|(label, _)| *label == "emails sent")
            .map_or(0, |(_, n)| n)
    };
    (
        sent(runtime.service.state()),
        sent(runtime.exactly_once.consumer().state()),
    )
}

/// A quiet run of 12 orders with the notification service idempotent or naive, then its
/// subscription reset to the start and run dry again.
fn reset_run(idempotent: bool) -> (Simulation, usize) {
    let mut simulation = run(config(5, 12, DeliverySettings::default()));
    simulation.set_idempotent(ServiceName::Notification, idempotent);
    let head = simulation.shop().store().head();
    let stats = simulation.subscription_stats(ServiceName::Notification);
    assert_eq!(
        stats.checkpoint, head,
        "a quiet run has acknowledged everything"
    );
    let sent = simulation
        .reset_subscription(ServiceName::Notification, Position::ORIGIN)
        .expect("a reset back to the start");
    // Back to just before the first event it consumes: what it does not consume it has
    // nothing to acknowledge.
    let first_placed = simulation
        .shop()
        .store()
        .read_by_kind(ShopEventKind::OrderPlaced)
        .next()
        .map(|event| event.position)
        .expect("an order was placed");
    let checkpoint = simulation
        .subscription_stats(ServiceName::Notification)
        .checkpoint;
    assert!(
        checkpoint < first_placed,
        "{checkpoint} after the first order"
    );
    simulation.run(u64::MAX).expect("the replay completes");
    (simulation, sent)
}

#[test]
fn it_should_replay_a_reset_subscription_and_an_idempotent_service_ignores_every_repeat() {
    let (simulation, sent) = reset_run(true);
    let placed = count_of(&simulation, ShopEventKind::OrderPlaced);
    assert!(
        sent >= placed && placed > 0,
        "{sent} sent again, {placed} orders"
    );
    let stats = simulation.subscription_stats(ServiceName::Notification);
    assert_eq!(stats.replayed, sent as u64);
    assert_eq!(stats.duplicates_ignored, sent as u64);
    assert_eq!(stats.checkpoint, simulation.shop().store().head());
    let (sent_emails, expected) = emails(&simulation);
    assert_eq!(sent_emails, expected, "no email sent twice");
}

#[test]
fn it_should_show_a_naive_service_doing_again_everything_a_reset_replays() {
    let (simulation, _) = reset_run(false);
    let (sent_emails, expected) = emails(&simulation);
    assert!(expected > 0);
    assert_eq!(sent_emails, 2 * expected, "every email sent a second time");
    let runtime = simulation
        .services()
        .iter()
        .find(|runtime| runtime.service.name() == ServiceName::Notification)
        .expect("a notification service");
    assert!(runtime.duplicates_processed > 0);
}

#[test]
fn it_should_refuse_to_reset_a_subscription_ahead_of_its_checkpoint() {
    let mut simulation = run(config(5, 3, DeliverySettings::default()));
    let head = simulation.shop().store().head();
    let before = simulation.subscription_stats(ServiceName::Payment);
    let refused = simulation.reset_subscription(ServiceName::Payment, head.next());
    assert_eq!(
        refused,
        Err(ResetRefused::Ahead {
            to: head.next(),
            checkpoint: head
        })
    );
    assert_eq!(simulation.subscription_stats(ServiceName::Payment), before);
    assert!(simulation.is_quiescent(), "nothing was sent");
}
