//! `eventide export` and `eventide import` as a user runs them: a generated log printed in
//! either format, read back with a summary, and broken files refused with exit code 2 and a
//! message naming the event and the field.

mod support;

use std::fs;
use std::process::Output;

use eventide_shop::interchange::MAX_IMPORT_BYTES;
use serde_json::{json, Value};
use support::{eventide, TempFile};

fn succeeded(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

/// Exit code 2 and the error on stderr; the error is returned for its wording.
fn refused(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(2),
        "stdout: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(output.stdout.is_empty(), "nothing on stdout when refused");
    String::from_utf8(output.stderr.clone()).expect("utf-8")
}

fn export(format: &str, seed: &str, orders: &str) -> Output {
    eventide(&[
        "export", "--format", format, "--seed", seed, "--orders", orders,
    ])
}

#[test]
fn export_prints_a_cloudevents_batch() {
    let batch = succeeded(&export("cloudevents", "7", "3"));
    let events = batch.as_array().expect("a JSON array");
    assert!(!events.is_empty());
    for (i, event) in events.iter().enumerate() {
        assert_eq!(event["specversion"], "1.0");
        assert_eq!(event["source"], "/eventide/shop");
        assert_eq!(event["position"], i as u64 + 1);
        assert!(event["type"]
            .as_str()
            .unwrap()
            .starts_with("shop.eventide."));
        assert!(event["data"].is_object());
    }
    let placed = events
        .iter()
        .filter(|event| event["type"] == "shop.eventide.OrderPlaced")
        .count();
    assert_eq!(placed, 3);
}

#[test]
fn export_prints_a_scenario_with_seed_and_settings() {
    let scenario = succeeded(&export("scenario", "7", "3"));
    assert_eq!(scenario["format"], "eventide-scenario");
    assert_eq!(scenario["version"], 1);
    assert_eq!(scenario["seed"], 7);
    assert_eq!(scenario["settings"]["orders"], 3);
    let events = scenario["events"].as_array().expect("events");
    assert_eq!(events[0]["position"], 1);
    assert!(events[0]["payload"].is_object());
}

#[test]
fn export_is_deterministic() {
    assert_eq!(
        export("cloudevents", "11", "4").stdout,
        export("cloudevents", "11", "4").stdout
    );
    assert_ne!(
        export("cloudevents", "11", "4").stdout,
        export("cloudevents", "12", "4").stdout
    );
}

#[test]
fn an_exported_file_imports_with_a_summary_in_both_formats() {
    for format in ["cloudevents", "scenario"] {
        let output = export(format, "5", "4");
        let exported = succeeded(&output);
        let file = TempFile::new(&format!("round-trip.{format}.json"), &output.stdout);
        let summary = succeeded(&eventide(&["import", file.path()]));
        let events = match format {
            "cloudevents" => exported.as_array().unwrap().clone(),
            _ => exported["events"].as_array().unwrap().clone(),
        };
        assert_eq!(summary["format"], format);
        assert_eq!(summary["events"], events.len() as u64);
        assert_eq!(summary["events_per_type"]["OrderPlaced"], 4);
        let per_type: u64 = summary["events_per_type"]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum();
        assert_eq!(per_type, events.len() as u64);
        assert!(summary["streams"].as_u64().unwrap() > 4);
        assert_eq!(summary["first_recorded_at"], "2026-11-26T09:00:00.000Z");
        assert!(summary["last_recorded_at"].as_str().unwrap() > "2026-11-26T09:00:00.000Z");
        if format == "scenario" {
            assert_eq!(summary["seed"], 5);
        }
    }
}

#[test]
fn import_refuses_a_broken_event_naming_it_and_the_field() {
    let mut batch = succeeded(&export("cloudevents", "5", "2"));
    let index = batch
        .as_array()
        .unwrap()
        .iter()
        .position(|event| event["type"] == "shop.eventide.OrderPlaced")
        .expect("an order");
    let id = batch[index]["id"].as_str().unwrap().to_string();
    batch[index]["data"]["total"] = json!("a lot");
    let file = TempFile::new("broken-payload.json", batch.to_string().as_bytes());
    let message = refused(&eventide(&["import", file.path()]));
    assert!(
        message.contains(&format!("event at index {index} (id {id})")),
        "{message}"
    );
    assert!(message.contains("field `data.total`"), "{message}");

    let mut scenario = succeeded(&export("scenario", "5", "2"));
    scenario["events"][3]["position"] = json!(40);
    let file = TempFile::new("broken-position.json", scenario.to_string().as_bytes());
    let message = refused(&eventide(&["import", file.path()]));
    assert!(message.contains("event at index 3"), "{message}");
    assert!(
        message.contains("field `position` is 40, expected 4"),
        "{message}"
    );
}

#[test]
fn import_refuses_malformed_and_truncated_json_saying_where() {
    let file = TempFile::new("malformed.json", b"[\n  {\"id\": }\n]");
    let message = refused(&eventide(&["import", file.path()]));
    assert!(
        message.contains("not valid JSON at line 2, column 10"),
        "{message}"
    );

    let output = export("cloudevents", "5", "2");
    let file = TempFile::new("truncated.json", &output.stdout[..output.stdout.len() / 3]);
    let message = refused(&eventide(&["import", file.path()]));
    assert!(message.contains("truncated"), "{message}");
    assert!(message.contains("line "), "{message}");
}

#[test]
fn import_refuses_a_file_over_the_limit_without_reading_it() {
    let file = TempFile::new("huge.json", b"");
    // Sparse: the length is set, no bytes are written.
    fs::OpenOptions::new()
        .write(true)
        .open(file.path())
        .and_then(|handle| handle.set_len(MAX_IMPORT_BYTES as u64 + 1))
        .expect("the file grows");
    let message = refused(&eventide(&["import", file.path()]));
    assert!(message.contains("over the import limit"), "{message}");
}

#[test]
fn import_refuses_unreadable_files_and_other_formats() {
    let message = refused(&eventide(&["import", "/definitely/not/here.json"]));
    assert!(
        message.contains("cannot read /definitely/not/here.json"),
        "{message}"
    );

    let directory = std::env::temp_dir();
    let message = refused(&eventide(&["import", directory.to_str().unwrap()]));
    assert!(message.contains("cannot read"), "{message}");

    let file = TempFile::new("other.json", br#"{"hello": "world"}"#);
    let message = refused(&eventide(&["import", file.path()]));
    assert!(message.contains("neither a CloudEvents batch"), "{message}");
}

#[test]
fn bad_export_arguments_exit_with_code_2() {
    for args in [
        &["export", "--format", "xml"][..],
        &["export", "--orders", "-1"],
        &["export", "--seed", "many"],
        &["import"],
    ] {
        let output = eventide(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}
