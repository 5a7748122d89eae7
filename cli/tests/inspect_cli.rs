//! `eventide inspect` and `eventide project --log` as a user runs them on logs of other
//! domains: the shipped library log, a KurrentDB-style export, and broken files (exit 2, the
//! line and the field named, nothing on stdout).

mod support;

use std::fs;

use serde_json::Value;
use support::{eventide, TempFile};

fn library() -> String {
    format!(
        "{}/../static/examples/library.ndjson",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn succeeded(args: &[&str]) -> String {
    let output = eventide(args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

fn refused(args: &[&str]) -> String {
    let output = eventide(args);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stdout.is_empty(), "nothing on stdout when refused");
    String::from_utf8(output.stderr).expect("utf-8")
}

#[test]
fn inspect_sums_up_the_shipped_library_log_and_names_each_types_handler() {
    let text = succeeded(&["inspect", &library()]);
    assert!(
        text.contains("NDJSON (one event per line), structured CloudEvents 1.0"),
        "{text}"
    );
    assert!(
        text.contains("mapping: type <- type, stream <- subject, time <- time, id <- id, \
                       correlation <- correlationid, causation <- causationid, producer <- source, data <- data"),
        "{text}"
    );
    assert!(text.contains("org.example.library.book.lent: "), "{text}");
    assert!(
        text.contains("handler: fn OrgExampleLibraryBookLent(event)"),
        "{text}"
    );
    assert!(
        text.contains("payload: book (string), due (string), member (string)"),
        "{text}"
    );
    assert!(text.contains("no problems"), "{text}");
}

#[test]
fn inspect_json_counts_every_line_and_keeps_the_mapping() {
    let report: Value =
        serde_json::from_str(&succeeded(&["inspect", &library(), "--json"])).expect("JSON");
    let lines = fs::read_to_string(library())
        .expect("the example")
        .lines()
        .count();
    assert_eq!(report["report"]["events"], lines as u64);
    assert_eq!(report["mapping"]["stream"], "subject");
    assert_eq!(report["dialect"], "cloud-events");
    assert_eq!(
        report["handlers"]["org.example.library.fine.paid"],
        "OrgExampleLibraryFinePaid"
    );
    let lent = report["report"]["types"]
        .as_array()
        .and_then(|types| {
            types
                .iter()
                .find(|kind| kind["name"] == "org.example.library.book.lent")
        })
        .expect("book.lent is a type");
    assert_eq!(
        lent["schema"]["required"],
        serde_json::json!(["book", "due", "member"])
    );
    assert_eq!(lent["producers"], serde_json::json!(["/library/desk"]));
}

const KURRENT: &str = r#"{"eventId":"e1","eventType":"AccountOpened","streamId":"account-1","created":"2024-05-01T10:00:00Z","data":{"owner":"Ada"},"metadata":{"$correlationId":"c1"}}
{"eventId":"e2","eventType":"MoneyDeposited","streamId":"account-1","created":"2024-05-01T10:05:00Z","data":{"cents":500},"metadata":{"$correlationId":"c1","$causationId":"e1"}}
{"eventId":"e3","eventType":"MoneyDeposited","streamId":"account-1","created":"2024-05-01T10:04:00Z","data":{"cents":200},"metadata":{"$correlationId":"c2","$causationId":"gone"}}
"#;

#[test]
fn inspect_reads_a_kurrentdb_export_and_names_its_problems_by_line() {
    let file = TempFile::new("kurrent.ndjson", KURRENT);
    let text = succeeded(&["inspect", file.path()]);
    assert!(
        text.contains("correlation <- metadata.$correlationId"),
        "{text}"
    );
    assert!(text.contains("3 events from 2024-05-01T10:00:00.000Z to 2024-05-01T10:05:00.000Z; 1 streams; 2 correlations"), "{text}");
    assert!(
        text.contains("1 times earlier than the event before:\n  line 3:"),
        "{text}"
    );
    assert!(
        text.contains("1 causation ids naming no event in the log:\n  line 3: caused by gone"),
        "{text}"
    );
    // A role moved to no field: the stream is gone from the summary.
    let text = succeeded(&["inspect", file.path(), "--stream", "-"]);
    assert!(
        text.contains("stream <- (none)") && text.contains("; 0 streams;"),
        "{text}"
    );
}

#[test]
fn a_broken_line_is_refused_with_its_number_and_field() {
    let broken = KURRENT.replace("\"created\":\"2024-05-01T10:05:00Z\"", "\"created\":true");
    let file = TempFile::new("broken.ndjson", &broken);
    let stderr = refused(&["inspect", file.path()]);
    assert!(
        stderr.contains(&format!(
            "{}: line 2: the time (field `created`) is true",
            file.path()
        )),
        "{stderr}"
    );
    let cut = TempFile::new("cut.ndjson", &KURRENT[..KURRENT.len() - 30]);
    let stderr = refused(&["inspect", cut.path()]);
    assert!(stderr.contains("line 3: not a JSON object"), "{stderr}");
}

#[test]
fn a_log_without_a_type_field_asks_for_one_and_takes_it() {
    let file = TempFile::new(
        "untyped.ndjson",
        "{\"what\":\"a\",\"n\":1}\n{\"what\":\"b\",\"n\":2}\n",
    );
    let stderr = refused(&["inspect", file.path()]);
    assert!(
        stderr.contains("choose one of `n`, `what`") && stderr.contains("--type"),
        "{stderr}"
    );
    let text = succeeded(&["inspect", file.path(), "--type", "what"]);
    assert!(text.contains("types (2):"), "{text}");
    let stderr = refused(&["inspect", file.path(), "--type", "a..b"]);
    assert!(
        stderr.contains("--type: `a..b` is not a field path"),
        "{stderr}"
    );
}

#[test]
fn project_folds_a_foreign_log_through_its_handler_names() {
    let script = TempFile::new(
        "fines.rhai",
        "fn OrgExampleLibraryFineCharged(event) {\n\
         let member = event.payload.member;\n\
         let row = this[member] ?? #{ fines: 0, cents: 0 };\n\
         row.fines += 1; row.cents += event.payload.cents;\n\
         this[member] = row;\n}\n",
    );
    let output: Value = serde_json::from_str(&succeeded(&[
        "project",
        "--script",
        script.path(),
        "--log",
        &library(),
    ]))
    .expect("JSON");
    assert_eq!(
        output["handled"],
        serde_json::json!(["OrgExampleLibraryFineCharged"])
    );
    let rows = output["rows"].as_array().expect("rows");
    assert!(!rows.is_empty());
    // Against the log itself: every fine charged, summed per member.
    let mut expected = std::collections::BTreeMap::<String, i64>::new();
    for line in fs::read_to_string(library()).expect("the example").lines() {
        let event: Value = serde_json::from_str(line).expect("JSON");
        if event["type"] == "org.example.library.fine.charged" {
            let member = event["data"]["member"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            *expected.entry(member).or_default() += event["data"]["cents"].as_i64().unwrap_or(0);
        }
    }
    let got: std::collections::BTreeMap<String, i64> = rows
        .iter()
        .map(|row| {
            (
                row["key"].as_str().unwrap_or_default().to_owned(),
                row["cents"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn project_refuses_a_broken_log_and_mapping_flags_without_a_log() {
    let script = TempFile::new(
        "count.rhai",
        "fn MoneyDeposited(event) { this.n = (this.n ?? 0) + 1; }\n",
    );
    let broken = TempFile::new("project-broken.ndjson", KURRENT.replace("\"eventType\":\"MoneyDeposited\",\"streamId\":\"account-1\",\"created\":\"2024-05-01T10:04:00Z\"", "\"eventType\":null,\"streamId\":\"account-1\",\"created\":\"2024-05-01T10:04:00Z\""));
    let stderr = refused(&["project", "--script", script.path(), "--log", broken.path()]);
    assert!(
        stderr.contains("line 3: the event type (field `eventType`) is missing"),
        "{stderr}"
    );
    let misspelt = TempFile::new("misspelt.rhai", "fn MoneyDepositd(event) { this.n = 1; }\n");
    let stderr = refused(&[
        "project",
        "--script",
        misspelt.path(),
        "--log",
        broken.path(),
    ]);
    assert!(
        stderr.contains("line 3: the event type"),
        "the log is checked first: {stderr}"
    );
    let fine = TempFile::new("project-fine.ndjson", KURRENT);
    let stderr = refused(&["project", "--script", misspelt.path(), "--log", fine.path()]);
    assert!(
        stderr.contains("`MoneyDepositd` is not an event type: did you mean MoneyDeposited?"),
        "{stderr}"
    );
    let stderr = refused(&["project", "--script", script.path(), "--stream", "x"]);
    assert!(stderr.contains("add --log FILE"), "{stderr}");
    let output: Value = serde_json::from_str(&succeeded(&[
        "project",
        "--script",
        script.path(),
        "--log",
        fine.path(),
    ]))
    .expect("JSON");
    assert_eq!(output["events"], 3);
    assert_eq!(output["rows"][0]["value"], 2, "{output}");
}

#[test]
fn inspect_prints_the_inferred_catalog_as_asyncapi() {
    let document: Value =
        serde_json::from_str(&succeeded(&["inspect", &library(), "--asyncapi"])).expect("JSON");
    assert_eq!(document["asyncapi"], "3.0.0");
    assert_eq!(document["info"]["title"], "library.ndjson");
    let channels = document["channels"].as_object().expect("channels");
    assert_eq!(channels.len(), 9, "a channel per type");
    let lent = &document["components"]["messages"]["org.example.library.book.lent"];
    assert_eq!(lent["payload"]["properties"]["book"]["type"], "string");
    assert!(document["operations"]
        .as_object()
        .expect("operations")
        .keys()
        .any(|id| id.starts_with("_library_desk_send_")));
    let why = refused(&["inspect", &library(), "--asyncapi", "--json"]);
    assert!(why.contains("--json"), "{why}");
}
