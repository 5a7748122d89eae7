//! Any log, end to end through the crate's public API: the shipped example log is what the
//! generator writes, maps without a single change and is a clean log; a log read as NDJSON or
//! as a batch gives the same events; a broken line stops everything at its number.

use std::collections::BTreeSet;

use eventide_logs::example::{library_log, LOANS, SEED};
use eventide_logs::{
    map_log, sample, values, Dialect, Envelopes, Inspector, LogStop, MappedEvent, Mapping, Place,
    Role, SAMPLE,
};
use proptest::prelude::*;
use serde_json::{json, Value};

const SHIPPED: &str = include_str!("../../static/examples/library.ndjson");

fn ndjson(events: &[Value]) -> String {
    events
        .iter()
        .map(|event| format!("{event}\n"))
        .collect::<String>()
}

fn mapping_of(text: &str) -> Mapping {
    let records = sample(text.as_bytes(), SAMPLE).expect("a readable log");
    Mapping::detect(&values(&records))
        .expect("a mapping")
        .mapping
}

fn mapped(text: &str, mapping: &Mapping) -> Vec<MappedEvent> {
    let mut events = Vec::new();
    map_log(text.as_bytes(), mapping, |event| {
        events.push(event);
        Ok::<(), ()>(())
    })
    .expect("every record maps");
    events
}

#[test]
fn the_shipped_example_is_what_the_generator_writes() {
    // If this fails after a change to the generator, regenerate the file (see `example`).
    let generated = ndjson(&library_log(SEED, LOANS));
    assert!(
        generated == SHIPPED,
        "static/examples/library.ndjson is stale: run \
         `cargo run -p eventide-logs --example library > static/examples/library.ndjson`"
    );
}

#[test]
fn the_example_maps_as_cloudevents_and_is_a_clean_log() {
    let records = sample(SHIPPED.as_bytes(), SAMPLE).expect("readable");
    let detection = Mapping::detect(&values(&records)).expect("a mapping");
    assert_eq!(detection.dialect, Dialect::CloudEvents);
    for role in Role::ALL {
        assert!(
            detection.mapping.field(role).is_some(),
            "{role:?} has a field"
        );
    }
    let events = mapped(SHIPPED, &detection.mapping);
    assert!(
        (2_000..6_000).contains(&events.len()),
        "{} events",
        events.len()
    );
    let mut inspector = Inspector::new();
    for event in &events {
        inspector.add(event);
    }
    let report = inspector.finish();
    assert_eq!(report.duplicate_ids.count, 0);
    assert_eq!(
        report.time_backwards.count, 0,
        "{:?}",
        report.time_backwards
    );
    assert_eq!(report.broken_causation.count, 0);
    assert_eq!(report.causation_ahead.count, 0);
    let types: BTreeSet<&str> = report.types.iter().map(|kind| kind.name.as_str()).collect();
    for kind in [
        "book.acquired",
        "member.joined",
        "book.lent",
        "loan.renewed",
        "book.returned",
        "fine.charged",
        "fine.paid",
        "hold.placed",
        "hold.ready",
    ] {
        assert!(
            types.contains(format!("org.example.library.{kind}").as_str()),
            "{kind}"
        );
    }
    // Flows: a loan's events share a correlation and each names its cause.
    assert!(report.correlations > 500, "{}", report.correlations);
    let caused = events
        .iter()
        .filter(|event| event.causation.is_some())
        .count();
    assert!(
        caused * 2 > events.len(),
        "{caused} of {} have a cause",
        events.len()
    );
}

#[test]
fn envelopes_number_the_example_as_the_store_would() {
    let mapping = mapping_of(SHIPPED);
    let mut envelopes = Envelopes::new();
    let mut last_version = std::collections::HashMap::new();
    for (index, event) in mapped(SHIPPED, &mapping).into_iter().enumerate() {
        let envelope = envelopes.next(event);
        assert_eq!(envelope["position"], json!(index + 1));
        let stream = envelope["aggregate_id"]
            .as_str()
            .expect("a stream")
            .to_owned();
        let version = envelope["aggregate_version"].as_u64().expect("a version");
        let before = last_version.insert(stream, version).unwrap_or(0);
        assert_eq!(version, before + 1);
    }
}

#[test]
fn a_held_log_gives_the_envelopes_its_file_gives() {
    let mapping = mapping_of(SHIPPED);
    let mut store = eventide_logs::LogStore::new();
    let mut envelopes = Envelopes::new();
    let mut from_file = Vec::new();
    for event in mapped(SHIPPED, &mapping) {
        store.push(&event).expect("a small log");
        from_file.push(envelopes.next(event));
    }
    let held: Vec<Value> =
        eventide_logs::envelope::envelopes_of(&store, eventide_engine::Position(100)).collect();
    assert_eq!(held.len(), 100);
    assert_eq!(held, from_file[..100]);
}

#[test]
fn a_bad_line_deep_in_a_log_is_named_and_nothing_after_it_is_read() {
    let mut lines: Vec<String> = SHIPPED.lines().take(50).map(str::to_owned).collect();
    lines[36] = lines[36].replace("\"time\":\"", "\"time\":\"not ");
    let text = lines.join("\n");
    let mapping = mapping_of(SHIPPED);
    let mut seen = 0;
    let stopped = map_log(text.as_bytes(), &mapping, |_| {
        seen += 1;
        Ok::<(), ()>(())
    });
    let Err(LogStop::Unmapped(error)) = stopped else {
        panic!("line 37 must be refused: {stopped:?}")
    };
    assert_eq!(error.place, Place::Line(37));
    assert_eq!(error.role, Role::Time);
    assert_eq!(seen, 36);
    assert!(
        error
            .to_string()
            .starts_with("line 37: the time (field `time`)"),
        "{error}"
    );
}

fn any_event() -> impl Strategy<Value = Value> {
    (
        "[a-z]{1,8}",
        proptest::option::of("[a-z0-9-]{1,6}"),
        proptest::option::of(0i64..4_000_000_000_000),
        prop::collection::btree_map("[a-z]{1,4}", any::<i32>(), 0..4),
    )
        .prop_map(|(kind, stream, time, data)| {
            let mut event = json!({"type": kind, "data": data});
            if let Some(fields) = event.as_object_mut() {
                if let Some(stream) = stream {
                    fields.insert("streamId".into(), json!(stream));
                }
                if let Some(time) = time {
                    fields.insert("time".into(), json!(time));
                }
            }
            event
        })
}

proptest! {
    #[test]
    fn a_log_reads_the_same_as_ndjson_or_as_a_batch(
        events in prop::collection::vec(any_event(), 1..40)
    ) {
        let lines = ndjson(&events);
        let batch = serde_json::to_string_pretty(&events).expect("written");
        let mapping = mapping_of(&lines);
        let strip = |events: Vec<MappedEvent>| -> Vec<MappedEvent> {
            events.into_iter().map(|event| MappedEvent { place: Place::Line(0), ..event }).collect()
        };
        let from_lines = mapped(&lines, &mapping);
        let from_batch = mapped(&batch, &mapping);
        prop_assert_eq!(from_lines.len(), events.len());
        prop_assert_eq!(from_batch.first().map(|event| event.place), Some(Place::Item(1)));
        prop_assert_eq!(strip(from_lines), strip(from_batch));
    }
}
