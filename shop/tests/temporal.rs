//! Temporal queries, as a user asks them: what changed between two moments (and which event is
//! to blame), and when did something first become true.

use eventide_engine::temporal::{
    diff, when, Comparison, Method, RowChange, Wanted, WhenError, WhenQuery,
};
use eventide_engine::{Position, Timestamp};
use eventide_shop::events::{ShopEvent, ShopEventKind};
use eventide_shop::generator::{generate_orders, GeneratorConfig};
use eventide_shop::Shop;

fn shop(orders: u64) -> Shop {
    let mut shop = Shop::with_checkpoint_interval(64);
    generate_orders(
        &mut shop,
        GeneratorConfig::new(5, Timestamp::from_millis(1_795_683_600_000)),
        orders,
    )
    .expect("the workload runs");
    shop
}

fn shipped_order(shop: &Shop) -> (String, Position) {
    let event = shop
        .store()
        .read_by_kind(ShopEventKind::ShipmentDispatched)
        .nth(3)
        .expect("some order shipped");
    match &event.event {
        ShopEvent::ShipmentDispatched { order, .. } => (order.to_string(), event.position),
        _ => unreachable!("read by kind"),
    }
}

fn query(
    shop: &Shop,
    model: &str,
    key: &str,
    column: &str,
    comparison: Comparison,
    value: &str,
) -> WhenQuery {
    WhenQuery::new(shop.history().live(), model, key, column, comparison, value)
        .expect("a question the shop's models can answer")
}

#[test]
fn it_should_list_every_row_as_added_between_the_origin_and_the_head() {
    let shop = shop(30);
    let history = shop.history();
    let origin = history.state_at(shop.store(), Position::ORIGIN);
    let diffs = diff(&origin, history.live());
    let orders = diffs
        .iter()
        .find(|d| d.model == "Orders")
        .expect("the orders model");
    assert_eq!(
        orders.counts().0,
        history
            .live()
            .by_name("Orders")
            .map_or(0, |m| m.row_count())
    );
    for (key, position) in &orders.blame {
        let event = shop
            .store()
            .get(*position)
            .expect("blame names a stored event");
        assert!(
            event.to_json().to_string().contains(key.as_str()),
            "{key} blamed on #{}",
            position.0
        );
    }
}

#[test]
fn it_should_name_the_changed_fields_and_blame_the_event_that_changed_them() {
    let shop = shop(40);
    let (order, shipped_at) = shipped_order(&shop);
    let store = shop.store();
    let before = shop.history().state_at(store, Position(shipped_at.0 - 1));
    let after = shop.history().state_at(store, shipped_at);
    let diffs = diff(&before, &after);
    let orders = diffs
        .iter()
        .find(|d| d.model == "Orders")
        .expect("the orders model");
    let change = orders
        .changes
        .iter()
        .find_map(|change| match change {
            RowChange::Changed { key, fields } if *key == order => Some(fields.clone()),
            _ => None,
        })
        .expect("the shipped order changed");
    assert!(change.iter().any(|field| field.column == "Status"));
    assert_eq!(orders.blame.get(&order), Some(&shipped_at));
}

#[test]
fn it_should_bisect_when_the_answer_can_only_flip_once() {
    let shop = shop(40);
    let (order, shipped_at) = shipped_order(&shop);
    let answer = when(
        shop.history(),
        shop.store(),
        &query(
            &shop,
            "Orders",
            &order,
            "Status",
            Comparison::Equals,
            "shipped",
        ),
    );
    assert_eq!(answer.position, Some(shipped_at));
    assert!(
        matches!(answer.method, Method::Bisection { .. }),
        "{:?}",
        answer.method
    );
}

#[test]
fn it_should_scan_when_the_answer_may_flip_back() {
    let shop = shop(40);
    let (order, _) = shipped_order(&shop);
    // "paid" is left again when the order ships: only a scan finds its first moment.
    let answer = when(
        shop.history(),
        shop.store(),
        &query(
            &shop,
            "Orders",
            &order,
            "Status",
            Comparison::Equals,
            "paid",
        ),
    );
    let paid = shop
        .store()
        .read_by_kind(ShopEventKind::PaymentProcessed)
        .find(|event| matches!(&event.event, ShopEvent::PaymentProcessed { order: o, .. } if o.to_string() == order))
        .map(|event| event.position);
    assert_eq!(answer.position, paid);
    assert!(matches!(answer.method, Method::Scan { .. }));
}

#[test]
fn bisection_and_scan_agree_on_a_growing_count() {
    let shop = shop(60);
    let sku = "SKU-03";
    let bisected = when(
        shop.history(),
        shop.store(),
        &query(&shop, "Inventory", sku, "Shipped", Comparison::AtLeast, "3"),
    );
    assert!(matches!(bisected.method, Method::Bisection { .. }));
    // The same question as a scan: fold the log and stop at the first position with 3 shipped.
    let mut state = shop.history().state_at(shop.store(), Position::ORIGIN);
    let mut first = None;
    for event in shop.store().events() {
        state.apply(event);
        let shipped = state
            .by_name("Inventory")
            .and_then(|m| m.row(sku))
            .and_then(|row| match row.cells.get(5) {
                Some(eventide_engine::projection::Cell::Count(n)) => Some(*n),
                _ => None,
            });
        if shipped.is_some_and(|n| n >= 3) {
            first = Some(event.position);
            break;
        }
    }
    assert_eq!(bisected.position, first);
}

#[test]
fn a_question_that_never_comes_true_has_no_answer() {
    let shop = shop(10);
    let answer = when(
        shop.history(),
        shop.store(),
        &query(
            &shop,
            "Orders",
            "O-9999",
            "Status",
            Comparison::Equals,
            "shipped",
        ),
    );
    assert_eq!(answer.position, None);
}

#[test]
fn it_should_refuse_an_at_least_value_that_is_not_a_number() {
    // Before the value was typed, "at least three" was taken, and never matched anything.
    let shop = shop(10);
    let asked = WhenQuery::new(
        shop.history().live(),
        "Inventory",
        "SKU-03",
        "Shipped",
        Comparison::AtLeast,
        " three ",
    );
    assert_eq!(asked, Err(WhenError::NotANumber("three".into())));
    let refusal = asked
        .err()
        .map(|error| error.to_string())
        .unwrap_or_default();
    assert!(refusal.contains("'three' is not a number"), "{refusal}");
}

#[test]
fn it_should_read_an_at_least_value_once_with_its_thousands_separators() {
    let shop = shop(10);
    let query = query(
        &shop,
        "Inventory",
        "SKU-03",
        "shipped",
        Comparison::AtLeast,
        "1,000",
    );
    assert_eq!(query.wanted(), &Wanted::AtLeast(1000));
    assert_eq!(
        query.column(),
        "Shipped",
        "the field as the model spells it"
    );
}

#[test]
fn it_should_refuse_a_model_or_a_field_that_does_not_exist() {
    let shop = shop(10);
    let live = shop.history().live();
    assert_eq!(
        WhenQuery::new(
            live,
            "Ordres",
            "O-0001",
            "Status",
            Comparison::Equals,
            "paid"
        ),
        Err(WhenError::UnknownModel("Ordres".into()))
    );
    assert_eq!(
        WhenQuery::new(
            live,
            "Inventory",
            "SKU-01",
            "Status",
            Comparison::Equals,
            "paid"
        ),
        Err(WhenError::UnknownColumn {
            model: "Inventory".into(),
            column: "Status".into()
        })
    );
}

#[test]
fn it_should_find_the_rows_an_event_changed_without_scanning_the_models() {
    let shop = shop(40);
    let (order, shipped_at) = shipped_order(&shop);
    let touched =
        eventide_engine::temporal::rows_changed_by(shop.history(), shop.store(), shipped_at);
    let models: Vec<&str> = touched.iter().map(|t| t.model).collect();
    assert!(
        models.contains(&"Orders") && models.contains(&"Inventory") && models.contains(&"Activity"),
        "{models:?}"
    );
    let order_row = touched
        .iter()
        .find(|t| t.model == "Orders")
        .expect("the order's row");
    assert_eq!(order_row.key, order);
    assert!(
        order_row.before.is_some(),
        "the order existed before it shipped"
    );
}

#[test]
fn a_late_back_dated_event_changes_the_business_past_but_not_the_recorded_past() {
    use eventide_engine::rng::SeededRng;
    use eventide_engine::temporal::{as_of_business_time, late_events};
    use eventide_shop::commands::{RequestedLine, ShopCommand};
    use eventide_shop::ids::{CustomerId, Sku};
    use eventide_shop::read_models::OrderSummaries;
    use eventide_shop::CommandContext;

    let mut shop = Shop::new();
    let mut ids = SeededRng::new(3);
    let t = |minutes: i64| Timestamp::from_millis(1_795_683_600_000 + minutes * 60_000);
    let place = || ShopCommand::PlaceOrder {
        customer: CustomerId(1),
        lines: vec![RequestedLine {
            sku: Sku(1),
            quantity: 1,
        }],
    };
    shop.execute(place(), CommandContext::new(t(0), &mut ids))
        .expect("placed at 09:00");
    shop.execute(place(), CommandContext::new(t(60), &mut ids))
        .expect("placed at 10:00");
    // At 11:00 we learn of an order that was really placed at 09:30.
    let mut late = CommandContext::new(t(120), &mut ids);
    late.occurred_at = Some(t(30));
    shop.execute(place(), late).expect("recorded late");

    let orders = |set: &eventide_engine::projection::ReadModelSet<eventide_shop::ShopEvent>| {
        set.get::<OrderSummaries>().map_or(0, |o| o.len())
    };
    let head = shop.store().head();
    // Business time 09:45, as known now: the back-dated order counts.
    assert_eq!(
        orders(&as_of_business_time(
            shop.history(),
            shop.store(),
            t(45),
            head
        )),
        2
    );
    // Business time 09:45, as known at 10:30 (before the late report): it did not.
    let known_then = shop.store().position_at(t(90));
    assert_eq!(
        orders(&as_of_business_time(
            shop.history(),
            shop.store(),
            t(45),
            known_then
        )),
        1
    );
    // The recording-time view of 09:45 never changes.
    let recorded_view = shop
        .history()
        .state_at(shop.store(), shop.store().position_at(t(45)));
    assert_eq!(orders(&recorded_view), 1);
    assert_eq!(late_events(shop.store(), 60_000).count(), 1);
}

#[test]
fn an_aggregate_can_be_read_as_of_a_position_a_time_or_a_version() {
    use eventide_engine::StreamVersion;
    use eventide_shop::as_of::{aggregate_as_of, parse_aggregate, AsOf};
    let shop = shop(40);
    let (order, shipped_at) = shipped_order(&shop);
    let stream = parse_aggregate(&order).expect("an order id");
    let store = shop.store();
    let (version, now) =
        aggregate_as_of(store, stream, AsOf::Position(store.head())).expect("the order exists");
    assert_eq!(now["status"], "shipped");
    let (_, before) = aggregate_as_of(store, stream, AsOf::Position(Position(shipped_at.0 - 1)))
        .expect("it existed");
    assert_ne!(before["status"], "shipped");
    let (first, placed) =
        aggregate_as_of(store, stream, AsOf::Version(StreamVersion(1))).expect("version 1");
    assert_eq!(
        (first, placed["status"].as_str()),
        (StreamVersion(1), Some("placed"))
    );
    let shipped_time = store
        .get(shipped_at)
        .map(|e| e.recorded_at)
        .expect("the shipment");
    assert_eq!(
        aggregate_as_of(store, stream, AsOf::Time(shipped_time)).map(|(v, _)| v),
        Some(version)
    );
    assert!(
        aggregate_as_of(store, stream, AsOf::Position(Position::ORIGIN)).is_none(),
        "not yet placed"
    );
    assert_eq!(
        parse_aggregate("SKU-03").map(|s| s.to_string()),
        Some("SKU-03".into())
    );
    assert!(parse_aggregate("nonsense").is_none());
}
