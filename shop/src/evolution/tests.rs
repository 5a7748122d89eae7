//! The evolution's unit tests: registration, upcasting, suggestions and saving.

use serde_json::json;

use super::*;
use crate::generator::{generate_orders, GeneratorConfig};
use crate::Shop;
use eventide_engine::ids::Timestamp;
use eventide_engine::schema::UpcastStep;

fn shop_with_orders() -> Shop {
    let mut shop = Shop::new();
    let config = GeneratorConfig::new(7, Timestamp(1_700_000_000_000));
    generate_orders(&mut shop, config, 60).expect("the generator's commands are valid");
    shop
}

fn with_property(kind: ShopEventKind, name: &str, property: Value, required: bool) -> Value {
    let mut schema = event_catalog::schema(kind);
    schema["properties"][name] = property;
    if required {
        schema["required"]
            .as_array_mut()
            .expect("catalog schemas list required fields")
            .push(json!(name));
    }
    schema
}

fn renamed(kind: ShopEventKind, from: &str, to: &str) -> Value {
    let mut schema = event_catalog::schema(kind);
    let properties = schema["properties"].as_object_mut().expect("properties");
    let moved = properties.remove(from).expect("the field exists");
    properties.insert(to.to_string(), moved);
    let required = schema["required"].as_array_mut().expect("required");
    for name in required.iter_mut() {
        if name == from {
            *name = json!(to);
        }
    }
    schema
}

#[test]
fn a_field_with_a_default_registers_and_old_events_read_with_it() {
    let shop = shop_with_orders();
    let mut evolution = Evolution::new();
    let kind = ShopEventKind::OrderPlaced;
    let schema = with_property(
        kind,
        "currency",
        json!({"type": "string", "default": "EUR"}),
        true,
    );
    let upcaster = Upcaster::new(vec![UpcastStep::AddDefault {
        field: "currency".into(),
        value: json!("EUR"),
    }]);
    let proposal = evolution
        .propose(kind, &schema, &upcaster, shop.store())
        .unwrap();
    assert!(proposal.checked > 0);
    assert_eq!(proposal.failing_count, 0, "{:?}", proposal.failing);
    assert!(proposal.breaks.is_empty());
    assert!(proposal.can_register(), "{:?}", proposal.refusal());

    let version = evolution
        .register(kind, schema, upcaster, shop.store())
        .unwrap();
    assert_eq!(version, SchemaVersion(2));
    let placed = shop.store().read_by_kind(kind).next().unwrap();
    let (original, upcast) = evolution.both_payloads(placed);
    assert_eq!(original.0, SchemaVersion::V1);
    assert!(original.1.get("currency").is_none());
    let (latest, upcast) = upcast.unwrap();
    assert_eq!(latest, SchemaVersion(2));
    assert_eq!(upcast.unwrap()["currency"], "EUR");
}

#[test]
fn scripts_are_given_the_upcast_envelope() {
    let shop = shop_with_orders();
    let mut evolution = Evolution::new();
    let kind = ShopEventKind::OrderPlaced;
    let schema = with_property(
        kind,
        "channel",
        json!({"type": "string", "default": "web"}),
        false,
    );
    let upcaster = Upcaster::new(vec![UpcastStep::AddDefault {
        field: "channel".into(),
        value: json!("web"),
    }]);
    let placed = shop.store().read_by_kind(kind).next().unwrap();
    assert_eq!(evolution.envelope_for_consumers(placed), placed.to_json());
    evolution
        .register(kind, schema, upcaster, shop.store())
        .unwrap_or_else(|error| panic!("{error}"));
    let envelope = evolution.envelope_for_consumers(placed);
    assert_eq!(envelope["schema_version"], 2);
    assert_eq!(envelope["payload"]["channel"], "web");
    assert_eq!(envelope["position"], placed.to_json()["position"]);
}

#[test]
fn a_required_field_without_a_default_fails_every_recorded_event() {
    let shop = shop_with_orders();
    let evolution = Evolution::new();
    let kind = ShopEventKind::OrderPlaced;
    let schema = with_property(kind, "currency", json!({"type": "string"}), true);
    let proposal = evolution
        .propose(kind, &schema, &Upcaster::default(), shop.store())
        .unwrap();
    assert_eq!(proposal.failing_count, proposal.checked);
    assert!(proposal.failing[0].problem.contains("currency"));
    let refusal = proposal.refusal().unwrap();
    assert!(
        refusal.contains("not BACKWARD compatible") || refusal.contains("would fail"),
        "{refusal}"
    );
}

#[test]
fn a_rename_with_its_upcaster_keeps_every_consumer_reading() {
    let shop = shop_with_orders();
    let mut evolution = Evolution::new();
    let kind = ShopEventKind::PaymentProcessed;
    evolution.set_mode(kind, CompatibilityMode::None);
    let upcaster = Upcaster::new(vec![UpcastStep::Rename {
        from: "amount".into(),
        to: "amount_cents".into(),
    }]);
    let schema = renamed(kind, "amount", "amount_cents");
    evolution
        .register(kind, schema, upcaster, shop.store())
        .unwrap();
    // Consumers read the renamed field as the one their code knows: nothing changes.
    let upcasting = evolution.upcasting().unwrap();
    for event in shop.store().read_by_kind(kind) {
        assert_eq!(upcasting.read(event), None);
    }
}

#[test]
fn mapped_values_reach_the_consumers() {
    let shop = shop_with_orders();
    let mut evolution = Evolution::new();
    let kind = ShopEventKind::ShipmentDispatched;
    let shipped = shop
        .store()
        .read_by_kind(kind)
        .next()
        .expect("a shipment")
        .clone();
    let carrier = event_catalog::payload(&shipped.event)["carrier"].clone();
    let upcaster = Upcaster::new(vec![UpcastStep::MapValues {
        field: "carrier".into(),
        mapping: vec![(carrier, json!("Renamed Carrier"))],
    }]);
    let mut schema = event_catalog::schema(kind);
    schema["properties"]["carrier"]["description"] = json!("the carrier's new name");
    evolution
        .register(kind, schema, upcaster, shop.store())
        .unwrap_or_else(|error| panic!("{error}"));
    let read = evolution.upcasting().unwrap().read(&shipped).unwrap();
    match read.event {
        ShopEvent::ShipmentDispatched { carrier, .. } => assert_eq!(carrier, "Renamed Carrier"),
        other => panic!("{other:?}"),
    }
    assert_eq!(read.position, shipped.position);
}

#[test]
fn splitting_a_field_the_code_reads_breaks_its_consumers() {
    let shop = shop_with_orders();
    let evolution = Evolution::new();
    let kind = ShopEventKind::OrderPlaced;
    let mut schema = renamed(kind, "customer", "customer_prefix");
    schema["properties"]["customer_number"] = json!({"type": "string"});
    let upcaster = Upcaster::new(vec![UpcastStep::Split {
        from: "customer".into(),
        into: vec!["customer_prefix".into(), "customer_number".into()],
        separator: "-".into(),
    }]);
    let mut evolution = evolution;
    evolution.set_mode(kind, CompatibilityMode::None);
    let proposal = evolution
        .propose(kind, &schema, &upcaster, shop.store())
        .unwrap();
    assert!(!proposal.breaks.is_empty());
    assert!(proposal
        .breaks
        .iter()
        .any(|b| b.consumer.name == "Orders" && b.why.contains("customer")));
    assert!(evolution
        .register(kind, schema, upcaster, shop.store())
        .is_err());
    assert_eq!(evolution.latest(kind), SchemaVersion::V1);
}

#[test]
fn the_suggestion_renames_defaults_and_removes() {
    let kind = ShopEventKind::OrderPlaced;
    let latest = event_catalog::schema(kind);
    let mut proposed = renamed(kind, "customer", "buyer");
    proposed["properties"]["channel"] = json!({"type": "string", "default": "web"});
    let suggested = suggest_upcaster(&latest, &proposed);
    assert_eq!(
        suggested.to_string(),
        "rename \"customer\" to \"buyer\"; add \"channel\" = \"web\""
    );
    proposed["properties"]
        .as_object_mut()
        .unwrap()
        .remove("total");
    let suggested = suggest_upcaster(&latest, &proposed);
    assert!(
        suggested.to_string().contains("remove \"customer\""),
        "{suggested}"
    );
    assert!(
        suggested.to_string().contains("remove \"total\""),
        "{suggested}"
    );
}

#[test]
fn validation_names_the_field_and_the_rule() {
    let evolution = Evolution::new();
    let kind = ShopEventKind::StockReceived;
    let bad = json!({"sku": "SKU-01", "quantity": 0});
    let error = evolution
        .validate(kind, SchemaVersion::V1, &bad)
        .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("quantity"), "{message}");
    assert!(message.contains("minimum"), "{message}");
    assert!(evolution
        .validate(
            kind,
            SchemaVersion::V1,
            &json!({"sku": "SKU-01", "quantity": 3})
        )
        .is_ok());
    assert!(evolution
        .validate(kind, SchemaVersion(2), &json!({}))
        .is_err());
}

#[test]
fn the_record_round_trips_through_a_scenario() {
    let shop = shop_with_orders();
    let mut evolution = Evolution::new();
    let kind = ShopEventKind::OrderPlaced;
    evolution.set_mode(kind, CompatibilityMode::BackwardTransitive);
    let schema = with_property(
        kind,
        "channel",
        json!({"type": "string", "default": "web"}),
        false,
    );
    let upcaster = Upcaster::new(vec![UpcastStep::AddDefault {
        field: "channel".into(),
        value: json!("web"),
    }]);
    evolution
        .register(kind, schema, upcaster, shop.store())
        .unwrap_or_else(|error| panic!("{error}"));
    let record = evolution.record();
    let text = serde_json::to_string(&record).unwrap();
    let again: EvolutionRecord = serde_json::from_str(&text).unwrap();
    let restored = Evolution::from_record(&again, shop.store()).unwrap();
    assert_eq!(restored.latest(kind), SchemaVersion(2));
    assert_eq!(restored.mode(kind), CompatibilityMode::BackwardTransitive);
    assert_eq!(restored.upcasters(kind), evolution.upcasters(kind));
}
