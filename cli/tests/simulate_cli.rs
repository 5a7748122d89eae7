//! `eventide simulate` as a user runs it: one JSON object with the read models and every
//! service's state, the same for the same seed, and exit code 2 with a message on bad input.

use std::process::{Command, Output};

use serde_json::Value;

fn eventide(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eventide"))
        .args(args)
        .output()
        .expect("the eventide binary runs")
}

/// Runs `simulate` with `args` and returns its stdout, which must be one line of JSON.
fn simulate(args: &[&str]) -> (String, Value) {
    let output = eventide(&[&["simulate"], args].concat());
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(stdout.trim().lines().count(), 1, "one line: {stdout}");
    let report = serde_json::from_str(stdout.trim()).expect("JSON");
    (stdout, report)
}

fn rows<'a>(report: &'a Value, model: &str) -> &'a [Value] {
    report["read_models"][model]
        .as_array()
        .unwrap_or_else(|| panic!("no read model {model} in {report}"))
}

fn state(report: &Value, service: &str, label: &str) -> i64 {
    report["services"][service]["state"][label]
        .as_i64()
        .unwrap_or_else(|| panic!("no {label} for {service}"))
}

#[test]
fn it_should_print_one_json_object_with_read_models_and_services() {
    let (_, report) = simulate(&["--seed", "5", "--orders", "30"]);
    assert!(report.is_object());
    for model in ["Orders", "Inventory", "Revenue"] {
        assert!(!rows(&report, model).is_empty(), "{model} is empty");
    }
    let orders = rows(&report, "Orders");
    assert_eq!(
        Some(orders.len() as u64),
        report["outcomes"]["placed"].as_u64()
    );
    assert!(orders.iter().all(|row| row["Customer"].is_string()
        && row["Total"].is_number()
        && row["Status"].is_string()));
    let services = report["services"].as_object().expect("services");
    for name in [
        "Order",
        "Inventory",
        "FraudDetection",
        "Payment",
        "Shipping",
        "Notification",
        "Personalization",
    ] {
        let service = &services[name];
        assert!(service["state"].is_object(), "{name}: {service}");
        assert_eq!(service["idempotent"], Value::Bool(true), "{name}");
        assert!(service["delivery"]["handled"].as_u64() > Some(0), "{name}");
    }
    assert_eq!(state(&report, "Order", "orders requested"), 30);
}

#[test]
fn it_should_print_the_same_output_for_the_same_seed() {
    let args = [
        "--seed",
        "11",
        "--orders",
        "25",
        "--duplicates",
        "0.2",
        "--reorder",
        "0.3",
        "--failures",
        "0.1",
    ];
    let (first, _) = simulate(&args);
    let (second, _) = simulate(&args);
    assert_eq!(first, second);
    let (other, _) = simulate(&[&args[..1], &["12"], &args[2..]].concat());
    assert_ne!(first, other, "another seed, another run");
}

#[test]
fn it_should_retry_failures_until_every_delivery_is_handled() {
    let (_, report) = simulate(&["--seed", "3", "--orders", "20", "--failures", "0.3"]);
    for (name, service) in report["services"].as_object().expect("services") {
        let delivery = &service["delivery"];
        assert!(
            delivery["failures"].as_u64() > Some(0),
            "{name}: {delivery}"
        );
        assert_eq!(delivery["parked"], 0, "{name}: {delivery}");
        assert_eq!(delivery["open"], 0, "{name}: {delivery}");
    }
    assert_eq!(report["outcomes"]["stuck"], 0);
}

#[test]
fn it_should_show_naive_consumers_diverging_under_duplicates() {
    let base = ["--seed", "7", "--orders", "40", "--per-aggregate-ordering"];
    let (_, reliable) = simulate(&base);
    let (_, idempotent) = simulate(&[&base[..], &["--duplicates", "0.3"]].concat());
    let (_, naive) = simulate(&[&base[..], &["--duplicates", "0.3", "--naive"]].concat());

    // Idempotent consumers make duplicates harmless: the same business outcome.
    assert_eq!(idempotent["outcomes"], reliable["outcomes"]);
    assert_eq!(
        rows(&idempotent, "Orders").len(),
        rows(&reliable, "Orders").len()
    );
    assert_eq!(
        idempotent["services"]["Order"]["state"],
        reliable["services"]["Order"]["state"]
    );

    // Naive ones place an order per copy of a checkout and send an email per copy of an event.
    assert!(
        rows(&naive, "Orders").len() > rows(&idempotent, "Orders").len(),
        "{} orders against {}",
        rows(&naive, "Orders").len(),
        rows(&idempotent, "Orders").len()
    );
    assert_ne!(
        naive["read_models"]["Orders"],
        idempotent["read_models"]["Orders"]
    );
    assert!(
        state(&naive, "Notification", "emails sent")
            > state(&idempotent, "Notification", "emails sent")
    );
    assert_eq!(naive["services"]["Order"]["idempotent"], Value::Bool(false));
    assert!(naive["services"]["Order"]["duplicates_processed"].as_u64() > Some(0));
}

#[test]
fn it_should_exit_with_code_2_and_a_message_on_bad_arguments() {
    for (args, names) in [
        (&["simulate", "--duplicates", "2"][..], "--duplicates"),
        (&["simulate", "--reorder=-0.5"], "--reorder"),
        (&["simulate", "--failures", "often"], "--failures"),
        (&["simulate", "--orders", "0"], "--orders"),
        (&["simulate", "--orders", "x"], "--orders"),
        (&["simulate", "--dedup-window-ms=-1"], "--dedup-window-ms"),
        (
            &["simulate", "--dedup-window-ms", "soon"],
            "--dedup-window-ms",
        ),
        (
            &["simulate", "--dedup-window-ms", "604800001"],
            "--dedup-window-ms",
        ),
    ] {
        let output = eventide(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}: no report");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("error") && stderr.contains(names),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn it_should_process_duplicates_again_past_a_short_dedup_window() {
    let base = [
        "--seed",
        "9",
        "--orders",
        "30",
        "--per-aggregate-ordering",
        "--duplicates",
        "0.5",
    ];
    let (_, remembered) = simulate(&base);
    let (_, forgetful) = simulate(&[&base[..], &["--dedup-window-ms", "0"]].concat());
    let past = |report: &Value| -> u64 {
        report["services"]
            .as_object()
            .expect("services")
            .values()
            .map(|s| s["duplicates_past_window"].as_u64().expect("a count"))
            .sum()
    };
    assert_eq!(remembered["dedup_window_ms"], 86_400_000);
    assert_eq!(past(&remembered), 0);
    assert_eq!(forgetful["dedup_window_ms"], 0);
    // A window of nothing remembers nothing: every copy is processed again, like a naive
    // consumer, but counted as past the window.
    assert!(past(&forgetful) > 0);
    // It holds at most the last id, until it next looks.
    assert!(forgetful["services"]["Order"]["ids_remembered"].as_u64() <= Some(1));
    assert!(remembered["services"]["Order"]["ids_remembered"].as_u64() > Some(30));
    assert!(
        rows(&forgetful, "Orders").len() > rows(&remembered, "Orders").len(),
        "a checkout copy past the window became a second order"
    );
}
