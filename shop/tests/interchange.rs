//! Export and import of the shop's log, as a specification: every log survives a round trip
//! through either format envelope for envelope, and every broken file is refused with the event
//! (index and id) and the field to fix, leaving nothing half-imported.

use eventide_engine::rng::SeededRng;
use eventide_engine::{Metadata, Named, Timestamp};
use eventide_shop::commands::ShopCommand;
use eventide_shop::events::ShopEventKind;
use eventide_shop::generator::{generate_orders, GeneratorConfig};
use eventide_shop::ids::{CustomerId, Sku};
use eventide_shop::interchange::cloudevents::{self, is_attribute_name};
use eventide_shop::interchange::{
    self, import, summarize, to_cloudevents, to_scenario, FieldProblem, Format, ImportError,
    MAX_IMPORT_BYTES,
};
use eventide_shop::services::{Failure, Mode};
use eventide_shop::simulation::{Simulation, SimulationConfig, PRODUCER};
use eventide_shop::{CommandContext, Shop, ShopStore};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// 2026-11-26T09:00:00Z.
const START: Timestamp = Timestamp(1_795_683_600_000);

// ---------------------------------------------------------------------------------------------
// Logs to export
// ---------------------------------------------------------------------------------------------

fn generated(seed: u64, orders: u64) -> Shop {
    let mut shop = Shop::new();
    generate_orders(&mut shop, GeneratorConfig::new(seed, START), orders).expect("generates");
    shop
}

/// A simulated shop: services and (orchestrated) the saga, every event with a producer.
fn simulated(seed: u64, orders: u64, mode: Mode, failure: Failure) -> Simulation {
    let mut config = SimulationConfig::new(seed, orders, START);
    config.mode = mode;
    config.failure = failure;
    let mut simulation = Simulation::new(config).expect("the storefront opens");
    simulation.run(u64::MAX).expect("the run completes");
    simulation
}

/// A log with what generated ones lack: back-dated events, a newer schema version, metadata
/// keys that cannot be CloudEvents attribute names, and one that collides with an attribute.
fn odd_log() -> Shop {
    let mut shop = Shop::new();
    let mut ids = SeededRng::new(11);
    let customer = CustomerId(7);
    let mut viewing = CommandContext::new(START, &mut ids);
    viewing.occurred_at = Some(START.plus_millis(-86_400_000));
    viewing.metadata = Metadata::default()
        .with(PRODUCER, "Storefront")
        .with("Screen-Name", "catalog page")
        .with("position", "not the log's")
        .with("a_very_long_metadata_key_indeed", "kept");
    shop.execute(
        ShopCommand::ViewProduct {
            customer,
            sku: Sku(3),
        },
        viewing,
    )
    .expect("appends");
    let first = shop.store().events()[0].id;
    let mut restocking = CommandContext::new(START, &mut ids);
    restocking.correlation = Some(first.as_correlation());
    restocking.causation = Some(first);
    shop.execute(
        ShopCommand::RestockInventory {
            sku: Sku(3),
            quantity: 5,
        },
        restocking,
    )
    .expect("appends");
    shop
}

fn settings() -> Map<String, Value> {
    let Value::Object(settings) =
        json!({"orders": 12, "mode": "orchestration", "nested": {"a": [1, 2]}})
    else {
        unreachable!()
    };
    settings
}

/// Both files of one log, as bytes.
fn files(store: &ShopStore) -> [(Format, Vec<u8>); 2] {
    [
        (
            Format::CloudEvents,
            to_cloudevents(store).to_string().into_bytes(),
        ),
        (
            Format::Scenario,
            to_scenario(store, Some(42), settings())
                .to_string()
                .into_bytes(),
        ),
    ]
}

/// Exports `shop` both ways and imports each file: same envelopes, same state.
fn assert_round_trips(shop: &Shop) {
    for (format, bytes) in files(shop.store()) {
        let imported = import(&bytes).unwrap_or_else(|error| panic!("{format}: {error}"));
        assert_eq!(imported.format, format);
        let (before, after) = (shop.store().events(), imported.shop.store().events());
        assert_eq!(before.len(), after.len(), "{format}: event count");
        if let Some(i) = (0..before.len()).find(|&i| before[i] != after[i]) {
            panic!(
                "{format}: event at index {i} differs:\n exported {:?}\n imported {:?}",
                before[i], after[i]
            );
        }
        assert_eq!(imported.shop.aggregates(), shop.aggregates(), "{format}");
        assert!(
            imported
                .shop
                .history()
                .live()
                .same_state(shop.history().live()),
            "{format}: read models differ"
        );
        if format == Format::Scenario {
            assert_eq!(imported.seed, Some(42));
            assert_eq!(imported.settings, settings());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------------

#[test]
fn a_generated_log_round_trips_through_both_formats() {
    assert_round_trips(&generated(7, 40));
}

#[test]
fn an_orchestrated_simulation_with_saga_events_round_trips() {
    let simulation = simulated(3, 15, Mode::Orchestration, Failure::PaymentsDeclined);
    let store = simulation.shop().store();
    assert!(store.count_by_kind(ShopEventKind::SagaStarted) > 0);
    assert!(store.count_by_kind(ShopEventKind::SagaCompensated) > 0);
    assert!(store
        .read_by_kind(ShopEventKind::SagaStarted)
        .all(|event| event.metadata.get(PRODUCER).is_some()));
    assert_round_trips(simulation.shop());
}

#[test]
fn a_choreographed_simulation_round_trips() {
    assert_round_trips(simulated(5, 15, Mode::Choreography, Failure::None).shop());
}

#[test]
fn back_dated_events_and_odd_metadata_round_trip() {
    assert_round_trips(&odd_log());
}

#[test]
fn an_empty_log_round_trips() {
    assert_round_trips(&Shop::new());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn any_generated_log_round_trips(seed in any::<u64>(), orders in 0u64..12) {
        assert_round_trips(&generated(seed, orders));
    }
}

#[test]
fn a_single_cloudevent_imports_as_a_batch_of_one() {
    let shop = generated(1, 1);
    let first = cloudevents::to_cloudevent(&shop.store().events()[0]);
    let imported = import(first.to_string().as_bytes()).expect("imports");
    assert_eq!(
        imported.shop.store().events(),
        shop.store().events().slice(0..1)
    );
}

#[test]
fn the_summary_counts_types_streams_and_the_time_range() {
    let shop = generated(9, 10);
    let imported = import(&files(shop.store())[0].1).expect("imports");
    let summary = summarize(imported.shop.store());
    let events = shop.store().events();
    assert_eq!(summary.events, events.len());
    assert_eq!(summary.streams, shop.store().stream_count());
    assert_eq!(
        summary.time_range,
        Some((events[0].recorded_at, events[events.len() - 1].recorded_at))
    );
    assert_eq!(
        summary.per_type.iter().map(|(_, n)| n).sum::<usize>(),
        events.len()
    );
    let placed = summary
        .per_type
        .iter()
        .find(|(kind, _)| *kind == ShopEventKind::OrderPlaced);
    assert_eq!(placed, Some(&(ShopEventKind::OrderPlaced, 10)));
    let json = summary.to_json();
    assert_eq!(json["events_per_type"]["OrderPlaced"], 10);
    assert_eq!(summarize(&ShopStore::new()).time_range, None);
}

// ---------------------------------------------------------------------------------------------
// CloudEvents attributes
// ---------------------------------------------------------------------------------------------

#[test]
fn every_attribute_name_follows_the_cloudevents_naming_rule() {
    let simulation = simulated(3, 8, Mode::Orchestration, Failure::None);
    let odd = odd_log();
    let batches = [
        to_cloudevents(simulation.shop().store()),
        to_cloudevents(odd.store()),
    ];
    for event in batches
        .iter()
        .flat_map(|batch| batch.as_array().expect("an array"))
    {
        for name in event.as_object().expect("an object").keys() {
            assert!(
                name.len() <= 20
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                "attribute `{name}` breaks the CloudEvents naming rule"
            );
            assert!(is_attribute_name(name), "{name}");
        }
    }
    for name in cloudevents::EXTENSIONS {
        assert!(is_attribute_name(name), "{name}");
    }
    assert!(!is_attribute_name("correlation_id"));
    assert!(!is_attribute_name("Producer"));
    assert!(!is_attribute_name("averyveryverylongname1"));
}

#[test]
fn an_exported_event_carries_every_attribute_the_brief_names() {
    let simulation = simulated(3, 4, Mode::Orchestration, Failure::None);
    let store = simulation.shop().store();
    let batch = to_cloudevents(store);
    let index = store
        .events()
        .iter()
        .position(|event| event.causation_id.is_some() && event.metadata.get(PRODUCER).is_some())
        .expect("an event with a cause and a producer");
    let (event, recorded) = (&batch[index], &store.events()[index]);
    assert_eq!(event["specversion"], "1.0");
    assert_eq!(event["id"], recorded.id.to_string());
    assert_eq!(event["source"], "/eventide/shop");
    assert_eq!(
        event["type"],
        format!("shop.eventide.{}", recorded.kind().name())
    );
    assert_eq!(event["time"], recorded.recorded_at.to_rfc3339());
    assert_eq!(event["datacontenttype"], "application/json");
    assert_eq!(
        event["dataschema"],
        format!("urn:eventide:schema:{}:1", recorded.kind().name())
    );
    assert_eq!(event["data"], recorded.to_json()["payload"]);
    assert_eq!(event["correlationid"], recorded.correlation_id.to_string());
    assert_eq!(event["position"], index + 1);
    assert_eq!(
        event["causationid"],
        recorded.causation_id.unwrap().to_string()
    );
    assert_eq!(event["aggregateversion"], recorded.version.0);
    assert_eq!(event["schemaversion"], 1);
    assert_eq!(
        event["producer"],
        recorded.metadata.get(PRODUCER).expect("a producer")
    );
    let envelope = recorded.to_json();
    assert_eq!(
        event["subject"],
        format!(
            "{}/{}",
            envelope["aggregate_type"].as_str().unwrap(),
            envelope["aggregate_id"].as_str().unwrap()
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Rejections
// ---------------------------------------------------------------------------------------------

fn batch() -> (Shop, Value) {
    let shop = generated(4, 6);
    let batch = to_cloudevents(shop.store());
    (shop, batch)
}

fn scenario() -> (Shop, Value) {
    let shop = generated(4, 6);
    let scenario = to_scenario(shop.store(), Some(4), Map::new());
    (shop, scenario)
}

fn rejected(file: &Value) -> ImportError {
    import(file.to_string().as_bytes()).expect_err("the file is refused")
}

/// The error names event `index` (and its id) and `field`, in its fields and in its message.
fn assert_names(error: &ImportError, shop: &Shop, index: usize, field: &str) {
    let message = error.to_string();
    let at = error
        .event()
        .unwrap_or_else(|| panic!("names no event: {message}"));
    assert_eq!(at.index, index, "{message}");
    assert!(
        message.contains(&format!("event at index {index} ")),
        "{message}"
    );
    if let Some(id) = at.id {
        assert_eq!(id, shop.store().events()[index].id, "{message}");
        assert!(message.contains(&id.to_string()), "{message}");
    }
    assert_eq!(error.field(), Some(field), "{message}");
    assert!(message.contains(&format!("field `{field}`")), "{message}");
}

#[test]
fn it_should_refuse_malformed_json_saying_where() {
    let text = "[\n  {\"specversion\": \"1.0\",,}\n]";
    let error = import(text.as_bytes()).unwrap_err();
    assert!(
        matches!(
            error,
            ImportError::MalformedJson {
                line: 2,
                column: 25,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("line 2, column 25"), "{error}");
}

#[test]
fn it_should_refuse_truncated_json_saying_where() {
    let (_, batch) = batch();
    let text = batch.to_string();
    let error = import(&text.as_bytes()[..text.len() / 2]).unwrap_err();
    assert!(
        matches!(error, ImportError::Truncated { line: 1, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("truncated"), "{error}");
}

#[test]
fn it_should_refuse_a_file_over_the_size_limit_before_parsing_it() {
    // Not JSON at all: the size is refused first, so the content never matters.
    let huge = vec![b'x'; MAX_IMPORT_BYTES + 1];
    let error = import(&huge).unwrap_err();
    assert_eq!(
        error,
        ImportError::TooLarge {
            size: MAX_IMPORT_BYTES as u64 + 1,
            limit: MAX_IMPORT_BYTES as u64
        }
    );
    assert!(interchange::check_size(MAX_IMPORT_BYTES as u64).is_ok());
}

#[test]
fn it_should_refuse_a_file_in_neither_format() {
    for text in ["42", "{\"hello\": 1}", "\"events\""] {
        assert!(
            matches!(
                import(text.as_bytes()),
                Err(ImportError::UnknownFormat { .. })
            ),
            "{text}"
        );
    }
}

#[test]
fn it_should_refuse_an_unknown_event_type() {
    let (shop, mut file) = batch();
    file[3]["type"] = json!("shop.eventide.OrderTeleported");
    let error = rejected(&file);
    assert_names(&error, &shop, 3, "type");
    assert!(matches!(
        error.problem(),
        Some(FieldProblem::UnknownEventType { .. })
    ));

    let (shop, mut file) = batch();
    file[2]["type"] = json!("OrderPlaced");
    assert_names(&rejected(&file), &shop, 2, "type");

    let (shop, mut file) = scenario();
    file["events"][4]["event_type"] = json!("OrderTeleported");
    assert_names(&rejected(&file), &shop, 4, "event_type");
}

#[test]
fn it_should_refuse_a_payload_that_does_not_fit_its_type_naming_the_field() {
    let (shop, file) = batch();
    let index = shop
        .store()
        .events()
        .iter()
        .position(|e| e.kind() == ShopEventKind::OrderPlaced)
        .expect("an order");
    let mut wrong_type = file.clone();
    wrong_type[index]["data"]["lines"][0]["quantity"] = json!("two");
    let error = rejected(&wrong_type);
    assert_names(&error, &shop, index, "data.lines[0].quantity");
    assert!(error.to_string().contains("OrderPlaced"), "{error}");
    // The schema's own rule, in words: the payload is validated before it is read.
    assert!(
        error.to_string().contains("must be an integer") && error.to_string().contains("(type)"),
        "{error}"
    );

    let mut below_minimum = file.clone();
    below_minimum[index]["data"]["lines"][0]["quantity"] = json!(0);
    let error = rejected(&below_minimum);
    assert_names(&error, &shop, index, "data.lines[0].quantity");
    assert!(error.to_string().contains("(minimum)"), "{error}");

    let mut missing = file.clone();
    missing[index]["data"]
        .as_object_mut()
        .unwrap()
        .remove("customer");
    let error = rejected(&missing);
    assert_names(&error, &shop, index, "data.customer");
    assert_eq!(error.problem(), Some(&FieldProblem::Missing));

    let mut bad_id = file.clone();
    bad_id[index]["data"]["order"] = json!("X-12");
    let error = rejected(&bad_id);
    assert_names(&error, &shop, index, "data.order");
    assert!(error.to_string().contains("(pattern)"), "{error}");

    let mut unknown = file.clone();
    unknown[index]["data"]["colour"] = json!("red");
    assert_names(&rejected(&unknown), &shop, index, "data.colour");

    let (shop, mut file) = scenario();
    file["events"][index]["payload"]["total"] = json!(12.5);
    assert_names(&rejected(&file), &shop, index, "payload.total");
}

#[test]
fn it_should_refuse_missing_or_invalid_envelope_fields() {
    let cases: [(&str, Option<Value>); 9] = [
        ("correlationid", None),
        ("aggregateversion", None),
        ("position", Some(json!("3"))),
        ("time", Some(json!("yesterday"))),
        ("subject", None),
        ("specversion", Some(json!("0.3"))),
        ("datacontenttype", Some(json!("text/xml"))),
        (
            "dataschema",
            Some(json!("urn:eventide:schema:OrderPlaced:2")),
        ),
        ("causationid", Some(json!("not-a-uuid"))),
    ];
    for (field, value) in cases {
        let (shop, mut file) = batch();
        let event = file[5].as_object_mut().unwrap();
        match value {
            Some(value) => event.insert(field.to_string(), value),
            None => event.remove(field),
        };
        assert_names(&rejected(&file), &shop, 5, field);
    }

    let (shop, mut file) = batch();
    file[5]["id"] = json!("E-1");
    let error = rejected(&file);
    assert_names(&error, &shop, 5, "id");
    assert!(error.to_string().contains("(no valid id)"), "{error}");

    let (shop, mut file) = scenario();
    file["events"][5]["occurred_at"] = json!(17);
    assert_names(&rejected(&file), &shop, 5, "occurred_at");
    let (shop, mut file) = scenario();
    file["events"][5]["metadata"] = json!({"producer": 3});
    assert_names(&rejected(&file), &shop, 5, "metadata.producer");
    let (shop, mut file) = scenario();
    file["events"][5]["shoe_size"] = json!(44);
    let error = rejected(&file);
    assert_names(&error, &shop, 5, "shoe_size");
    assert!(matches!(
        error.problem(),
        Some(FieldProblem::Unknown { .. })
    ));

    let (_, mut file) = batch();
    file[1] = json!([1, 2]);
    let error = rejected(&file);
    assert!(
        matches!(error, ImportError::EventNotAnObject { index: 1, .. }),
        "{error:?}"
    );
}

#[test]
fn it_should_refuse_duplicate_event_ids() {
    let (shop, mut file) = batch();
    file[6]["id"] = file[2]["id"].clone();
    let error = rejected(&file);
    // The event names the id it now carries: the duplicate, event 2's.
    let repeated = shop.store().events()[2].id;
    assert_eq!(error.event().and_then(|at| at.id), Some(repeated));
    assert_eq!(error.field(), Some("id"));
    assert_eq!(
        error.problem(),
        Some(&FieldProblem::DuplicateId { first: 2 })
    );
    let message = error.to_string();
    assert!(
        message.contains(&format!("event at index 6 (id {repeated})")),
        "{message}"
    );
    assert!(message.contains("field `id`"), "{message}");
}

#[test]
fn it_should_refuse_positions_that_are_not_contiguous_from_one() {
    let (shop, mut file) = batch();
    file[0]["position"] = json!(2);
    assert_names(&rejected(&file), &shop, 0, "position");

    let (shop, mut file) = batch();
    file.as_array_mut().unwrap().remove(4);
    let error = rejected(&file);
    // Event 5 of the log is now at index 4, where position 5 was expected.
    assert_eq!(error.event().map(|at| at.index), Some(4));
    assert_eq!(
        error.event().and_then(|at| at.id),
        Some(shop.store().events()[5].id)
    );
    assert_eq!(error.field(), Some("position"));
    assert!(error.to_string().contains("is 6, expected 5"), "{error}");
}

#[test]
fn it_should_refuse_gaps_in_a_streams_versions() {
    let (shop, mut file) = batch();
    let index = shop
        .store()
        .events()
        .iter()
        .position(|e| e.version.0 == 2)
        .expect("a second event in some stream");
    file[index]["aggregateversion"] = json!(3);
    let error = rejected(&file);
    assert_names(&error, &shop, index, "aggregateversion");
    assert!(error.to_string().contains("is 3, expected 2"), "{error}");

    let (shop, mut file) = scenario();
    file["events"][index]["aggregate_version"] = json!(1);
    assert_names(&rejected(&file), &shop, index, "aggregate_version");
}

#[test]
fn it_should_refuse_recorded_times_that_go_backwards() {
    let (shop, mut file) = batch();
    let events = shop.store().events();
    let index = (1..events.len())
        .find(|&i| events[i].recorded_at > events[0].recorded_at)
        .expect("time passes");
    file[index]["time"] = json!(events[0].recorded_at.plus_millis(-1).to_rfc3339());
    let error = rejected(&file);
    assert_names(&error, &shop, index, "time");
    assert!(matches!(
        error.problem(),
        Some(FieldProblem::TimeWentBackwards { .. })
    ));

    let (shop, mut file) = scenario();
    file["events"][index]["recorded_at"] = json!("2000-01-01T00:00:00Z");
    assert_names(&rejected(&file), &shop, index, "recorded_at");
}

/// Bug: a log whose event occurred after it was recorded (business time in 2099) was
/// imported as it was, although no fact is known before it happens.
#[test]
fn it_should_refuse_an_event_that_occurred_after_it_was_recorded() {
    let future = "2099-01-01T00:00:00Z";
    let (shop, mut file) = batch();
    let index = 3;
    file[index]["occurredat"] = json!(future);
    let error = rejected(&file);
    assert_names(&error, &shop, index, "occurredat");
    assert!(
        matches!(
            error.problem(),
            Some(FieldProblem::OccurredAfterRecorded { occurred_at, recorded_at })
                if occurred_at.to_rfc3339().starts_with("2099-01-01")
                    && *recorded_at == shop.store().events()[index].recorded_at
        ),
        "{error}"
    );
    assert!(error.to_string().contains("2099-01-01"), "{error}");

    let (shop, mut file) = scenario();
    file["events"][index]["occurred_at"] = json!(future);
    assert_names(&rejected(&file), &shop, index, "occurred_at");

    // One millisecond late is as wrong as a century; the same instant is fine.
    let (shop, mut file) = scenario();
    let recorded = shop.store().events()[index].recorded_at;
    file["events"][index]["occurred_at"] = json!(recorded.plus_millis(1).to_rfc3339());
    assert_names(&rejected(&file), &shop, index, "occurred_at");
    file["events"][index]["occurred_at"] = json!(recorded.to_rfc3339());
    assert!(import(file.to_string().as_bytes()).is_ok());
}

#[test]
fn it_should_refuse_a_stream_that_does_not_match_the_payloads_aggregate() {
    let (shop, mut file) = batch();
    let index = shop
        .store()
        .events()
        .iter()
        .position(|e| e.kind() == ShopEventKind::OrderPlaced)
        .expect("an order");
    file[index]["subject"] = json!("Order/O-0099");
    let error = rejected(&file);
    assert_names(&error, &shop, index, "subject");
    assert!(error.to_string().contains("Order/O-0099"), "{error}");
    assert!(error.to_string().contains("Order/O-0001"), "{error}");

    let (shop, mut file) = scenario();
    file["events"][index]["aggregate_type"] = json!("Cart");
    assert_names(&rejected(&file), &shop, index, "aggregate_type");
    let (shop, mut file) = scenario();
    file["events"][index]["aggregate_id"] = json!("O-0002");
    assert_names(&rejected(&file), &shop, index, "aggregate_id");
}

#[test]
fn it_should_refuse_an_order_opened_out_of_turn() {
    // The read models keep orders by number: a file must not open order 2,000,000,000.
    let (shop, mut file) = batch();
    let index = shop
        .store()
        .events()
        .iter()
        .position(|e| e.kind() == ShopEventKind::OrderPlaced)
        .expect("an order");
    file[index]["data"]["order"] = json!("O-2000000000");
    file[index]["subject"] = json!("Order/O-2000000000");
    let error = rejected(&file);
    assert_names(&error, &shop, index, "data.order");
    assert!(matches!(
        error.problem(),
        Some(FieldProblem::OrderOutOfTurn { .. })
    ));
}

#[test]
fn it_should_refuse_a_scenario_with_a_bad_header() {
    let cases: [(&str, Value); 5] = [
        ("format", json!("eventide-snapshot")),
        ("version", json!(2)),
        ("seed", json!(-1)),
        ("settings", json!([1])),
        ("events", json!({})),
    ];
    for (field, value) in cases {
        let (_, mut file) = scenario();
        file[field] = value;
        let error = rejected(&file);
        assert!(
            matches!(&error, ImportError::Scenario { field: named, .. } if named == field),
            "{error:?}"
        );
        assert!(error.to_string().contains(&format!("`{field}`")), "{error}");
    }
    let (_, mut file) = scenario();
    file["author"] = json!("me");
    assert_eq!(rejected(&file).field(), Some("author"));
}

#[test]
fn it_should_report_the_first_problem_in_file_order() {
    let (shop, mut file) = batch();
    file[2]["position"] = json!(9);
    file[7]["type"] = json!("nope");
    assert_names(&rejected(&file), &shop, 2, "position");
}

#[test]
fn it_should_leave_a_shop_that_is_not_empty_untouched() {
    let source = generated(2, 3);
    let log = interchange::read(&files(source.store())[1].1).expect("reads");
    let mut target = generated(3, 1);
    let before = target.store().events().to_vec();
    let error = log.replay_into(&mut target).unwrap_err();
    assert_eq!(
        error,
        ImportError::ShopNotEmpty {
            events: before.len()
        }
    );
    assert_eq!(target.store().events(), before.as_slice());
}

#[test]
fn an_import_into_a_waiting_simulation_gives_the_same_log() {
    let source = generated(8, 5);
    let log = interchange::read(&files(source.store())[0].1).expect("reads");
    let mut simulation = Simulation::idle(SimulationConfig::new(8, 0, START));
    simulation
        .with_shop(|shop| log.replay_into(shop))
        .expect("replays");
    assert_eq!(simulation.shop().store().events(), source.store().events());
}

#[test]
fn it_should_refuse_an_event_written_at_a_later_schema_version() {
    let (shop, file) = batch();
    let mut later = file.clone();
    later[2]["schemaversion"] = json!(2);
    let error = rejected(&later);
    assert_names(&error, &shop, 2, "schemaversion");
    assert!(error.to_string().contains("upcast"), "{error}");
}
