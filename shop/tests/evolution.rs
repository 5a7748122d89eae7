//! Schema evolution end to end: payloads validated on append, versions registered with their
//! upcasters, and read models, time travel and services reading old events as the new version
//! while the log keeps them as written.

use eventide_engine::rng::SeededRng;
use eventide_engine::schema::{CompatibilityMode, UpcastStep, Upcaster};
use eventide_engine::{Position, SchemaVersion, Timestamp};
use eventide_shop::event_catalog;
use eventide_shop::events::{ShopEvent, ShopEventKind};
use eventide_shop::generator::{generate_orders, GeneratorConfig};
use eventide_shop::ids::{CustomerId, OrderId, Sku};
use eventide_shop::read_models::InventoryLevels;
use eventide_shop::{CommandContext, CommandError, Shop};
use proptest::prelude::*;
use serde_json::json;

const START: Timestamp = Timestamp(1_700_000_000_000);

fn generated(seed: u64, orders: u64) -> Shop {
    let mut shop = Shop::new();
    generate_orders(&mut shop, GeneratorConfig::new(seed, START), orders)
        .expect("the generator's commands are valid");
    shop
}

fn stock_of(shop: &Shop, sku: Sku) -> Option<i64> {
    shop.history()
        .at_cursor()
        .get::<InventoryLevels>()
        .and_then(|levels| levels.get(sku))
        .map(|level| level.on_hand)
}

#[test]
fn a_payload_that_breaks_its_schema_is_refused_and_nothing_is_appended() {
    let mut shop = generated(3, 2);
    let before = shop.store().len();
    let mut ids = SeededRng::new(1);
    // The type allows it (a u8), the schema does not: scores run from 0 to 100.
    let verdict = ShopEvent::FraudCheckPassed {
        order: OrderId(1),
        customer: CustomerId(1),
        score: 150,
        amount: eventide_shop::ids::Money(100),
    };
    let error = shop
        .publish(verdict, CommandContext::new(START, &mut ids))
        .expect_err("refused");
    assert!(matches!(error, CommandError::Invalid { .. }), "{error}");
    let message = error.to_string();
    assert!(
        message.contains("/score") && message.contains("maximum"),
        "{message}"
    );
    assert_eq!(shop.store().len(), before);
}

#[test]
fn mapped_values_reach_the_read_models_at_every_point_in_time() {
    let mut shop = generated(5, 30);
    let (from, to) = (Sku(1), Sku(2));
    let received_from: i64 = shop
        .store()
        .read_by_kind(ShopEventKind::StockReceived)
        .filter_map(|e| match e.event {
            ShopEvent::StockReceived { sku, quantity } if sku == from => Some(i64::from(quantity)),
            _ => None,
        })
        .sum();
    assert!(received_from > 0, "the workload restocks SKU-01");
    let before_to = stock_of(&shop, to).unwrap_or(0);

    // Version 2 folds one product into another: a catalogue merge, declared as data.
    let kind = ShopEventKind::StockReceived;
    let mut schema = event_catalog::schema(kind);
    schema["description"] = json!("Units of a product arrived; SKU-01 is now sold as SKU-02.");
    let upcaster = Upcaster::new(vec![UpcastStep::MapValues {
        field: "sku".into(),
        mapping: vec![(json!(from.to_string()), json!(to.to_string()))],
    }]);
    let version = shop
        .register_version(kind, schema, upcaster)
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(version, SchemaVersion(2));

    // The log is untouched; the read model counts SKU-01's deliveries under SKU-02.
    assert!(shop
        .store()
        .read_by_kind(kind)
        .any(|e| matches!(e.event, ShopEvent::StockReceived { sku, .. } if sku == from)));
    assert_eq!(stock_of(&shop, to), Some(before_to + received_from));

    // Time travel reads through the upcaster too: any point equals a rebuild to it.
    let head = shop.store().head();
    for target in [Position(1), Position(head.0 / 3), Position(head.0 / 2)] {
        shop.seek(target);
        let seen = shop.history().at_cursor().clone();
        let rebuilt = shop.history().state_at(shop.store(), target);
        assert!(seen.same_state(&rebuilt), "at {target}");
    }
    shop.go_live();
    assert!(shop
        .history()
        .live()
        .same_state(&shop.history().rebuild(shop.store())));
}

#[test]
fn a_version_that_splits_a_field_the_code_reads_is_refused_and_changes_nothing() {
    let mut shop = generated(6, 5);
    let kind = ShopEventKind::OrderPlaced;
    shop.set_schema_mode(kind, CompatibilityMode::None);
    let mut schema = event_catalog::schema(kind);
    let properties = schema["properties"].as_object_mut().expect("properties");
    properties.remove("order");
    properties.insert("order_prefix".into(), json!({"type": "string"}));
    properties.insert("order_number".into(), json!({"type": "string"}));
    schema["required"] = json!(["customer", "lines", "total"]);
    let upcaster = Upcaster::new(vec![UpcastStep::Split {
        from: "order".into(),
        into: vec!["order_prefix".into(), "order_number".into()],
        separator: "-".into(),
    }]);
    let proposal = shop
        .evolution()
        .propose(kind, &schema, &upcaster, shop.store())
        .expect("a valid schema");
    assert_eq!(proposal.failing_count, 0);
    assert!(proposal.breaks.iter().any(|b| b.consumer.name == "Orders"));
    let error = shop
        .register_version(kind, schema, upcaster)
        .expect_err("refused");
    assert!(error.to_string().contains("\"order\""), "{error}");
    assert_eq!(shop.evolution().latest(kind), SchemaVersion::V1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// A rename with its upcaster and a new field with a default change nothing the built-in
    /// consumers see: they follow the rename and ignore the new field.
    #[test]
    fn renames_and_defaults_leave_every_read_model_as_it_was(seed in any::<u64>(), orders in 1u64..15) {
        let mut shop = generated(seed, orders);
        let before = shop.history().live().clone();
        let kind = ShopEventKind::OrderPlaced;
        shop.set_schema_mode(kind, CompatibilityMode::None);
        let mut schema = event_catalog::schema(kind);
        let properties = schema["properties"].as_object_mut().expect("properties");
        let total = properties.remove("total").expect("a total");
        properties.insert("total_cents".into(), total);
        properties.insert("channel".into(), json!({"type": "string", "default": "web"}));
        schema["required"] = json!(["order", "customer", "lines", "total_cents", "channel"]);
        let upcaster = Upcaster::new(vec![
            UpcastStep::Rename { from: "total".into(), to: "total_cents".into() },
            UpcastStep::AddDefault { field: "channel".into(), value: json!("web") },
        ]);
        shop.register_version(kind, schema, upcaster).unwrap_or_else(|error| panic!("{error}"));
        prop_assert!(shop.history().live().same_state(&before));
        let placed = shop.store().read_by_kind(kind).next().expect("an order");
        let (_, upcast) = shop.evolution().both_payloads(placed);
        let (version, payload) = upcast.expect("upcast");
        let payload = payload.expect("upcasts");
        prop_assert_eq!(version, SchemaVersion(2));
        prop_assert_eq!(&payload["channel"], &json!("web"));
        prop_assert!(payload.get("total").is_none() && payload.get("total_cents").is_some());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    /// The generator and the simulated storefront and services append without validating
    /// (their events come from the shop's own code); every event they record is valid anyway.
    #[test]
    fn every_event_the_shop_s_own_code_records_matches_its_schema(seed in any::<u64>(), orders in 1u64..12, orchestrated in any::<bool>()) {
        use eventide_shop::services::{Failure, Mode};
        use eventide_shop::simulation::{Simulation, SimulationConfig};

        let evolution = eventide_shop::evolution::Evolution::new();
        let generated = generated(seed, orders);
        let mut config = SimulationConfig::new(seed, orders, START);
        config.mode = if orchestrated { Mode::Orchestration } else { Mode::Choreography };
        config.failure = if seed % 2 == 0 { Failure::PaymentsDeclined } else { Failure::None };
        let mut simulation = Simulation::new(config).expect("the storefront opens");
        simulation.run(100_000).expect("the simulation runs");
        for shop in [&generated, simulation.shop()] {
            for event in shop.store().events() {
                let payload = event_catalog::payload(&event.event);
                let checked = evolution.validate(event.kind(), SchemaVersion::V1, &payload);
                prop_assert!(checked.is_ok(), "#{}: {:?}", event.position, checked);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Who breaks: only the consumers that read a field the change takes away (issue #12)
// ---------------------------------------------------------------------------------------------

/// OrderPlaced's schema without `total` and with a required `coupon`: the lesson's change.
fn order_placed_without_total_with_a_coupon() -> serde_json::Value {
    let mut schema = event_catalog::schema(ShopEventKind::OrderPlaced);
    let properties = schema["properties"].as_object_mut().expect("properties");
    properties.remove("total");
    properties.insert("coupon".into(), json!({"type": "string"}));
    schema["required"] = json!(["order", "customer", "lines", "coupon"]);
    schema
}

fn blamed(proposal: &eventide_shop::evolution::Proposal) -> Vec<&str> {
    let mut names: Vec<&str> = proposal
        .breaks
        .iter()
        .map(|b| b.consumer.name.as_str())
        .collect();
    names.sort_unstable();
    names
}

#[test]
fn it_should_blame_only_the_consumers_that_read_a_removed_field() {
    let shop = generated(12, 8);
    let kind = ShopEventKind::OrderPlaced;
    let schema = order_placed_without_total_with_a_coupon();
    let proposal = shop
        .evolution()
        .propose(kind, &schema, &Upcaster::default(), shop.store())
        .expect("a valid schema");
    // The Orders read model shows each order's total; fraud detection scores it.
    assert_eq!(blamed(&proposal), ["FraudDetection", "Orders"]);
    for b in &proposal.breaks {
        assert!(
            b.why.contains("total") && b.why.contains("removed"),
            "{}: {}",
            b.consumer.name,
            b.why
        );
        assert!(!b.why.contains("coupon"), "{}", b.why);
    }
    // The required coupon is the registry's business: not BACKWARD compatible.
    assert!(proposal
        .verdict()
        .is_some_and(|verdict| !verdict.is_compatible()));
}

#[test]
fn it_should_blame_only_the_readers_of_a_field_the_suggested_upcaster_removes() {
    let shop = generated(12, 8);
    let kind = ShopEventKind::OrderPlaced;
    let schema = order_placed_without_total_with_a_coupon();
    let upcaster =
        eventide_shop::evolution::suggest_upcaster(&event_catalog::schema(kind), &schema);
    assert_eq!(upcaster.to_string(), "remove \"total\"");
    let proposal = shop
        .evolution()
        .propose(kind, &schema, &upcaster, shop.store())
        .expect("a valid schema");
    assert_eq!(blamed(&proposal), ["FraudDetection", "Orders"]);
    assert!(proposal.breaks.iter().all(|b| b.why.contains("total")));
}

#[test]
fn it_should_blame_the_readers_of_a_field_whose_type_changes() {
    let shop = generated(12, 8);
    let kind = ShopEventKind::PaymentProcessed;
    let mut schema = event_catalog::schema(kind);
    schema["properties"]["amount"] = json!({"type": "string"});
    let proposal = shop
        .evolution()
        .propose(kind, &schema, &Upcaster::default(), shop.store())
        .expect("a valid schema");
    // Revenue and Activity add up amounts; Orders, Shipping and the saga only read the order.
    assert_eq!(blamed(&proposal), ["Activity", "Revenue"]);
    assert!(proposal
        .breaks
        .iter()
        .all(|b| b.why.contains("amount") && b.why.contains("type")));
}

#[test]
fn it_should_register_the_removal_of_a_field_no_consumer_reads() {
    let mut shop = generated(12, 150);
    let before = shop.history().live().clone();
    let kind = ShopEventKind::PaymentFailed;
    assert!(shop.store().count_by_kind(kind) > 0, "some payments fail");
    shop.set_schema_mode(kind, CompatibilityMode::None);
    let mut schema = event_catalog::schema(kind);
    schema["properties"]
        .as_object_mut()
        .expect("properties")
        .remove("reason");
    schema["required"] = json!(["order", "customer", "amount"]);
    let upcaster = Upcaster::new(vec![UpcastStep::Remove {
        field: "reason".into(),
    }]);
    let proposal = shop
        .evolution()
        .propose(kind, &schema, &upcaster, shop.store())
        .expect("a valid schema");
    assert!(proposal.breaks.is_empty(), "{:?}", proposal.breaks);
    shop.register_version(kind, schema, upcaster)
        .unwrap_or_else(|error| panic!("{error}"));
    // Nobody read the reason, so every read model is as it was.
    assert!(shop.history().live().same_state(&before));
}

#[test]
fn it_should_blame_a_script_by_the_fields_it_reads_and_follow_renames_only_for_built_ins() {
    use eventide_shop::evolution::{FieldReads, Loss, Reader};

    let shop = generated(12, 8);
    let kind = ShopEventKind::OrderPlaced;
    // `total` becomes `total_cents`, with the upcaster step that says so.
    let mut schema = event_catalog::schema(kind);
    let properties = schema["properties"].as_object_mut().expect("properties");
    let total = properties.remove("total").expect("a total");
    properties.insert("total_cents".into(), total);
    schema["required"] = json!(["order", "customer", "lines", "total_cents"]);
    let upcaster = Upcaster::new(vec![UpcastStep::Rename {
        from: "total".into(),
        to: "total_cents".into(),
    }]);
    let scripts = [
        Reader::script(
            "Orders per customer v1",
            FieldReads::Fields(vec!["customer".into(), "total".into()]),
        ),
        Reader::script(
            "Who ordered v1",
            FieldReads::Fields(vec!["customer".into()]),
        ),
        Reader::script("Anything v1", FieldReads::Every),
    ];
    let proposal = shop
        .evolution()
        .propose_with(kind, &schema, &upcaster, shop.store(), &scripts)
        .expect("a valid schema");
    // The built-in readers follow the rename; a script reads the name it was written with.
    assert_eq!(blamed(&proposal), ["Anything v1", "Orders per customer v1"]);
    let named = |name: &str| {
        proposal
            .breaks
            .iter()
            .find(|b| b.consumer.name == name)
            .expect("blamed")
    };
    let script = named("Orders per customer v1");
    assert_eq!(script.losses.len(), 1);
    assert_eq!(script.losses[0].field, "total");
    assert_eq!(script.losses[0].loss, Loss::Renamed("total_cents".into()));
    let anything = named("Anything v1");
    assert!(anything.why.contains("dynamically"), "{}", anything.why);
    assert!(proposal
        .unaffected
        .iter()
        .any(|reader| reader.name == "Who ordered v1"));
    assert!(proposal
        .unaffected
        .iter()
        .any(|reader| reader.name == "Orders"));
    // A script that breaks is the user's to update: it does not stop the registration.
    assert_eq!(
        proposal.refusal().map(|r| r.contains("BACKWARD")),
        Some(true)
    );
}

#[test]
fn it_should_blame_the_readers_of_a_field_an_upcaster_splits() {
    let shop = generated(12, 8);
    let kind = ShopEventKind::ShipmentDispatched;
    let mut schema = event_catalog::schema(kind);
    let properties = schema["properties"].as_object_mut().expect("properties");
    properties.remove("carrier");
    properties.insert("carrier_name".into(), json!({"type": "string"}));
    properties.insert("carrier_service".into(), json!({"type": "string"}));
    schema["required"] = json!(["order", "customer", "lines"]);
    let upcaster = Upcaster::new(vec![UpcastStep::Split {
        from: "carrier".into(),
        into: vec!["carrier_name".into(), "carrier_service".into()],
        separator: " ".into(),
    }]);
    let proposal = shop
        .evolution()
        .propose(kind, &schema, &upcaster, shop.store())
        .expect("a valid schema");
    // No built-in consumer reads the carrier: nobody breaks.
    assert!(proposal.breaks.is_empty(), "{:?}", proposal.breaks);
    let scripts = [eventide_shop::evolution::Reader::script(
        "Carriers v1",
        eventide_shop::evolution::FieldReads::Fields(vec!["carrier".into()]),
    )];
    let proposal = shop
        .evolution()
        .propose_with(kind, &schema, &upcaster, shop.store(), &scripts)
        .expect("a valid schema");
    assert_eq!(blamed(&proposal), ["Carriers v1"]);
    assert!(
        proposal.breaks[0].why.contains("splits"),
        "{}",
        proposal.breaks[0].why
    );
}
