//! `eventide project` as a user runs it: a script's read model as JSON, or the script's mistake
//! as `FILE:line:column: message` with exit code 2.

mod support;

use serde_json::Value;
use support::{eventide, TempFile};

fn example(file: &str) -> String {
    format!("{}/../script/examples/{file}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs a command that must be refused; returns its stderr.
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
fn project_prints_the_read_model_of_a_script_as_json() {
    let script = example("revenue_per_customer.rhai");
    let output = eventide(&[
        "project", "--script", &script, "--seed", "7", "--orders", "200",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(document["seed"], 7);
    assert_eq!(
        document["handled"],
        serde_json::json!(["OrderCancelled", "PaymentProcessed"])
    );
    assert_eq!(
        document["columns"],
        serde_json::json!([
            "customer",
            "orders_paid",
            "revenue",
            "refunded",
            "last_event"
        ])
    );
    let rows = document["rows"].as_array().expect("rows");
    assert!(!rows.is_empty());
    for row in rows {
        assert_eq!(row["key"], row["customer"], "{row}");
        assert!(row["revenue"].is_i64(), "{row}");
    }
    let revenues: Vec<i64> = rows
        .iter()
        .filter_map(|row| row["revenue"].as_i64())
        .collect();
    assert!(
        revenues.windows(2).all(|pair| pair[0] >= pair[1]),
        "largest first"
    );
    assert!(document["events"]
        .as_u64()
        .is_some_and(|events| events > 1_000));
}

#[test]
fn project_gives_the_same_read_model_for_the_same_seed() {
    let script = example("orders_per_customer.rhai");
    let run = || eventide(&["project", "--script", &script, "--orders", "50"]).stdout;
    assert_eq!(run(), run());
}

#[test]
fn a_syntax_error_is_shown_with_file_line_and_column() {
    let script = TempFile::new("syntax", "fn OrderPlaced(event) {\n    let x = ;\n}\n");
    let stderr = refused(&["project", "--script", script.path()]);
    assert!(
        stderr.starts_with(&format!("{}:2:13: ", script.path())),
        "{stderr}"
    );
}

#[test]
fn a_runtime_error_is_shown_with_its_place_and_event() {
    let script = TempFile::new(
        "runtime",
        "fn OrderPlaced(event) {\n    this.x = event.payload.total / 0;\n}\n",
    );
    let stderr = refused(&["project", "--script", script.path(), "--orders", "5"]);
    let place = format!("{}:2:", script.path());
    assert!(stderr.starts_with(&place), "{stderr}");
    assert!(
        stderr.contains("in OrderPlaced: Division by zero"),
        "{stderr}"
    );
    assert!(stderr.contains("(at event "), "{stderr}");
}

#[test]
fn an_endless_script_is_stopped_by_the_time_limit() {
    let script = TempFile::new("endless", "fn OrderPlaced(event) {\n    loop { }\n}\n");
    let stderr = refused(&[
        "project",
        "--script",
        script.path(),
        "--orders",
        "5",
        "--time-limit-ms",
        "200",
        "--max-operations",
        "1000000000000",
    ]);
    assert!(
        stderr.contains("stopped after 200 ms: does a loop never end?"),
        "{stderr}"
    );
}

#[test]
fn an_unreadable_script_is_refused_with_a_clear_message() {
    let missing = std::env::temp_dir().join("eventide-project-no-such-script.rhai");
    let missing = missing.to_str().expect("a UTF-8 temp path");
    let stderr = refused(&["project", "--script", missing]);
    assert!(
        stderr.starts_with(&format!("error: cannot read {missing}: ")),
        "{stderr}"
    );
}
