//! The command line as a user runs it: figures on success, a message and exit code 2 on bad input.

use std::process::{Command, Output};

fn eventide(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eventide"))
        .args(args)
        .output()
        .expect("the eventide binary runs")
}

#[test]
fn bench_prints_every_figure_as_one_line_of_json() {
    let output = eventide(&["bench", "--events", "3000", "--seeks", "50"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(stdout.trim().lines().count(), 1, "one line: {stdout}");
    let figures: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    for field in [
        "events",
        "append_per_sec",
        "replay_ms",
        "seek_p50_ms",
        "seek_p99_ms",
        "bytes_per_event",
    ] {
        assert!(figures[field].is_number(), "{field} missing in {figures}");
    }
    assert!(figures["events"]
        .as_u64()
        .is_some_and(|events| events >= 3000));
}

#[test]
fn bench_log_prints_the_import_and_filter_figures_beside_the_plain_reader() {
    let output = eventide(&["bench-log", "--events", "5000"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let figures: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(figures["events"], 5000);
    for field in [
        "import_ms",
        "plain_import_ms",
        "bytes_per_event",
        "bytes_per_event_all_in",
        "plain_bytes_per_event_all_in",
    ] {
        assert!(figures[field].is_number(), "{field} missing in {figures}");
    }
    let filters = figures["filter"].as_array().expect("filter figures");
    assert_eq!(filters.len(), 3, "{figures}");
    for filter in filters {
        assert!(filter["matches"]
            .as_u64()
            .is_some_and(|matches| matches > 0));
        assert!(filter["plain_ms"].is_number(), "{filter}");
    }
}

#[test]
fn bench_is_deterministic_in_what_it_generates() {
    let run = || {
        let output = eventide(&["bench", "--events", "2000", "--seed", "7", "--seeks", "10"]);
        let figures: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        (
            figures["events"].clone(),
            figures["streams"].clone(),
            figures["orders"].clone(),
        )
    };
    assert_eq!(run(), run());
}

#[test]
fn bad_arguments_exit_with_code_2_and_say_what_is_wrong() {
    for args in [
        &["bench", "--events", "lots"][..],
        &["bench", "--events", "0"],
        &["bench", "--checkpoint-interval", "0"],
        &["bench", "--unknown"],
        &["bench-log", "--events", "0"],
        &["frobnicate"],
    ] {
        let output = eventide(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("error"), "{args:?}: {stderr}");
    }
}
