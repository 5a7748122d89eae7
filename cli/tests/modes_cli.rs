//! `eventide simulate --mode ... --failure ...` as a user runs it: both coordination models on
//! the same seed, their outcomes and message counts in the JSON, what an injected failure does
//! to each, and exit code 2 with a message for a mode or failure that does not exist.

use std::process::{Command, Output};

use serde_json::Value;

fn eventide(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eventide"))
        .args(args)
        .output()
        .expect("the eventide binary runs")
}

/// Runs `simulate` with `args` and returns its report, which must be one line of JSON.
fn simulate(args: &[&str]) -> Value {
    let output = eventide(&[&["simulate"], args].concat());
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(stdout.trim().lines().count(), 1, "one line: {stdout}");
    serde_json::from_str(stdout.trim()).expect("JSON")
}

fn outcome(report: &Value, field: &str) -> u64 {
    report["outcomes"][field]
        .as_u64()
        .unwrap_or_else(|| panic!("no outcome {field} in {}", report["outcomes"]))
}

/// A service's derived state, as the report prints it.
fn report_state<'a>(report: &'a Value, service: &str) -> &'a Value {
    &report["services"][service]["state"]
}

/// The same seed and size, in one mode with one failure.
fn run(mode: &str, failure: &str) -> Value {
    simulate(&[
        "--seed",
        "21",
        "--orders",
        "15",
        "--mode",
        mode,
        "--failure",
        failure,
    ])
}

#[test]
fn it_should_report_outcomes_and_messages_including_the_saga_in_orchestration() {
    let report = run("orchestration", "none");
    assert_eq!(report["mode"], "orchestration");
    assert_eq!(report["failure"], "none");
    for field in ["placed", "paid", "shipped", "cancelled", "stuck"] {
        assert!(report["outcomes"][field].is_u64(), "{field}: {report}");
    }
    assert!(outcome(&report, "placed") > 0);
    assert_eq!(outcome(&report, "stuck"), 0);

    let messages = report["messages"].as_object().expect("messages by service");
    for name in [
        "Order",
        "Inventory",
        "FraudDetection",
        "Payment",
        "Shipping",
        "Notification",
        "CheckoutSaga",
    ] {
        let counts = &messages[name];
        assert!(counts["sent"].is_u64(), "{name}: {counts}");
        assert!(counts["received"].is_u64(), "{name}: {counts}");
    }
    let saga = &messages["CheckoutSaga"];
    assert!(saga["sent"].as_u64() > Some(0), "{saga}");
    assert!(saga["received"].as_u64() > Some(0), "{saga}");
    assert!(report["services"]["CheckoutSaga"]["state"].is_object());
}

#[test]
fn it_should_report_no_saga_in_choreography() {
    let report = run("choreography", "none");
    assert_eq!(report["mode"], "choreography");
    assert!(report["messages"]["Order"].is_object());
    assert!(report["messages"].get("CheckoutSaga").is_none());
    assert!(report["services"].get("CheckoutSaga").is_none());
}

#[test]
fn it_should_reach_the_same_outcomes_in_both_modes_for_the_same_seed() {
    let choreography = run("choreography", "none");
    let orchestration = run("orchestration", "none");
    assert_eq!(choreography["outcomes"], orchestration["outcomes"]);
    // The outcome is the same; the conversation is not: the coordinator adds messages.
    assert_ne!(choreography["messages"], orchestration["messages"]);
}

#[test]
fn it_should_leave_orders_stuck_only_in_choreography_when_shipping_is_down() {
    let choreography = run("choreography", "shipping-down");
    let orchestration = run("orchestration", "shipping-down");
    assert_eq!(choreography["failure"], "shipping-down");
    assert!(outcome(&choreography, "stuck") > 0, "{choreography}");
    assert_eq!(outcome(&choreography, "shipped"), 0);
    assert_eq!(outcome(&orchestration, "stuck"), 0, "{orchestration}");
    assert_eq!(
        outcome(&orchestration, "cancelled"),
        outcome(&orchestration, "placed"),
        "the saga compensates every order"
    );
    let timeouts = &report_state(&orchestration, "CheckoutSaga")["timeouts"];
    assert!(timeouts.as_u64() > Some(0), "{timeouts}");
}

#[test]
fn it_should_cancel_every_order_in_both_modes_when_payments_are_declined() {
    for mode in ["choreography", "orchestration"] {
        let report = run(mode, "payments-declined");
        assert_eq!(report["failure"], "payments-declined");
        assert!(outcome(&report, "placed") > 0, "{mode}");
        assert_eq!(outcome(&report, "paid"), 0, "{mode}");
        assert_eq!(
            outcome(&report, "cancelled"),
            outcome(&report, "placed"),
            "{mode}"
        );
    }
}

#[test]
fn it_should_exit_with_code_2_and_a_message_on_an_unknown_mode_or_failure() {
    for (args, names) in [
        (&["simulate", "--mode", "x"][..], ["--mode", "choreography"]),
        (
            &["simulate", "--failure", "x"],
            ["--failure", "shipping-down"],
        ),
    ] {
        let output = eventide(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}: no report");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("error"), "{args:?}: {stderr}");
        for name in names {
            assert!(stderr.contains(name), "{args:?} names {name}: {stderr}");
        }
    }
}
