//! The worker's answers, as the page will read them: compiled handlers, errors at their place,
//! limits that stop runaway scripts, tables, and intentions in the shop's terms.

use std::cell::Cell;
use std::rc::Rc;

use eventide_shop::commands::ShopCommand;
use eventide_shop::events::ShopEvent;
use eventide_shop::evolution::FieldReads;
use eventide_shop::ids::{CustomerId, OrderId};
use eventide_shop::scripting::{ReplyEnvelope, RequestEnvelope, ScriptFailure, WORKER_READY};
use serde_json::json;

use super::*;

fn event(event_type: &str, position: u64, payload: Value) -> Value {
    json!({
        "event_type": event_type,
        "position": position,
        "recorded_at": 0,
        "occurred_at": 0,
        "payload": payload,
    })
}

fn order_placed(position: u64, customer: &str, total: i64) -> Value {
    event(
        "OrderPlaced",
        position,
        json!({"order": format!("O-{position:04}"), "customer": customer, "lines": [], "total": total}),
    )
}

fn run(kind: ScriptKind, source: &str, events: Vec<Value>) -> WorkerReply {
    handle(
        WorkerRequest::Run {
            kind,
            source: source.to_string(),
            events,
            time_limit_ms: 5_000.0,
        },
        || 0.0,
    )
}

fn failed(reply: WorkerReply) -> ScriptFailure {
    match reply {
        WorkerReply::Failed(failure) => failure,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn it_should_name_the_event_types_a_script_handles() {
    let reply = handle(
        WorkerRequest::Compile {
            kind: ScriptKind::Policy,
            source: "fn PaymentFailed(event) { this.x = event.payload.reason; }\nfn OrderPlaced(event) { this.y = event.payload; }".into(),
        },
        || 0.0,
    );
    assert_eq!(
        reply,
        WorkerReply::Compiled {
            handles: vec!["OrderPlaced".into(), "PaymentFailed".into()],
            reads: vec![
                HandlerReads {
                    event_type: "OrderPlaced".into(),
                    reads: FieldReads::Every,
                },
                HandlerReads {
                    event_type: "PaymentFailed".into(),
                    reads: FieldReads::Fields(vec!["reason".into()]),
                },
            ],
        }
    );
}

#[test]
fn it_should_read_a_compile_reply_from_before_reads_were_sent() {
    let old = json!({"Compiled": {"handles": ["OrderPlaced"]}});
    let reply: WorkerReply = serde_json::from_value(old).expect("reads");
    assert_eq!(
        reply,
        WorkerReply::Compiled {
            handles: vec!["OrderPlaced".into()],
            reads: Vec::new(),
        }
    );
}

#[test]
fn it_should_put_a_syntax_error_at_its_line_and_column() {
    let failure = failed(handle(
        WorkerRequest::Compile {
            kind: ScriptKind::Projection,
            source: "fn OrderPlaced(event) {\n    let x = ;\n}\n".into(),
        },
        || 0.0,
    ));
    assert_eq!(failure.kind, "compile");
    assert_eq!(failure.line, Some(2));
    assert_eq!(failure.column, Some(13), "{failure:?}");
    assert_eq!(failure.event_position, None);
}

#[test]
fn it_should_stop_a_loop_that_never_ends_after_the_operation_limit() {
    let failure = failed(run(
        ScriptKind::Projection,
        "fn OrderPlaced(event) {\n    loop { }\n}",
        vec![order_placed(1, "C-001", 100), order_placed(7, "C-002", 100)],
    ));
    assert_eq!(failure.kind, "limit");
    assert!(
        failure
            .message
            .contains("stopped after 1,000,000 operations"),
        "{failure:?}"
    );
    assert_eq!(failure.event_position, Some(1));
}

#[test]
fn it_should_stop_a_slow_run_at_its_time_limit() {
    // Each reading of the clock is 1 ms later: no single handler reaches the operation limit,
    // but together they take longer than the 20 ms allowed.
    let now = Rc::new(Cell::new(0.0));
    let clock = {
        let now = Rc::clone(&now);
        move || {
            now.set(now.get() + 1.0);
            now.get()
        }
    };
    let busy = "fn OrderPlaced(event) {\n    let n = 0;\n    while n < 10000 { n += 1; }\n}";
    let events = (1..=1_000).map(|p| order_placed(p, "C-001", 1)).collect();
    let failure = failed(handle(
        WorkerRequest::Run {
            kind: ScriptKind::Projection,
            source: busy.into(),
            events,
            time_limit_ms: 20.0,
        },
        clock,
    ));
    assert_eq!(failure.kind, "limit");
    assert!(
        failure.message.contains("stopped after 20 ms"),
        "{failure:?}"
    );
    let position = failure.event_position.expect("the event it stopped at");
    assert!((2..1_000).contains(&position), "{failure:?}");
}

#[test]
fn it_should_refuse_a_time_limit_that_is_not_positive() {
    let failure = failed(handle(
        WorkerRequest::Run {
            kind: ScriptKind::Projection,
            source: "fn OrderPlaced(event) { }".into(),
            events: Vec::new(),
            time_limit_ms: 0.0,
        },
        || 0.0,
    ));
    assert_eq!(failure.kind, "input");
}

#[test]
fn it_should_show_a_projection_as_a_table() {
    let source = "\
fn columns() { [\"orders\", \"ordered\"] }
fn OrderPlaced(event) {
    let order = event.payload;
    let row = this[order.customer] ?? #{ orders: 0, ordered: 0 };
    row.orders += 1;
    row.ordered += order.total;
    this[order.customer] = row;
}";
    let events = vec![
        order_placed(1, "C-002", 500),
        order_placed(2, "C-001", 100),
        order_placed(3, "C-002", 250),
    ];
    assert_eq!(
        run(ScriptKind::Projection, source, events),
        WorkerReply::Table {
            columns: vec!["orders".into(), "ordered".into()],
            rows: vec![
                TableRow {
                    key: "C-001".into(),
                    cells: vec![json!(1), json!(100)]
                },
                TableRow {
                    key: "C-002".into(),
                    cells: vec![json!(2), json!(750)]
                },
            ],
            events: 3,
        }
    );
}

#[test]
fn it_should_report_a_runtime_error_at_the_event_that_caused_it() {
    let failure = failed(run(
        ScriptKind::Projection,
        "fn OrderPlaced(event) {\n    if event.position == 2 { throw \"no\"; }\n}",
        vec![order_placed(1, "C-001", 1), order_placed(2, "C-001", 1)],
    ));
    assert_eq!(failure.kind, "runtime");
    assert_eq!(failure.event_position, Some(2));
    assert_eq!(failure.line, Some(2));
}

#[test]
fn it_should_turn_a_policys_intentions_into_shop_commands_and_events() {
    let source = r#"
fn OrderPlaced(event) {
    let order = event.payload;
    if order.total < 1000 { return []; }
    [
        #{ command: "CancelOrder", order: order.order, reason: "too big" },
        #{ publish: "EmailSent", customer: order.customer, order: order.order, template: "sorry" },
        #{ command: "CancelOrder", order: order.order },
    ]
}"#;
    let events = vec![
        order_placed(1, "C-001", 10),
        order_placed(2, "C-002", 5_000),
    ];
    let WorkerReply::Intentions {
        intentions,
        events: handled,
    } = run(ScriptKind::Policy, source, events)
    else {
        panic!("expected intentions");
    };
    assert_eq!(handled, 2);
    assert_eq!(intentions.len(), 3);
    assert!(intentions.iter().all(|planned| planned.position == 2));

    assert_eq!(
        intentions[0].command,
        Some(ShopCommand::CancelOrder {
            order: OrderId(2),
            reason: "too big".into()
        })
    );
    assert_eq!(
        intentions[0].intention,
        json!({"command": "CancelOrder", "order": "O-0002", "reason": "too big"})
    );
    assert_eq!(
        (&intentions[0].event, &intentions[0].problem),
        (&None, &None)
    );

    assert_eq!(
        intentions[1].event,
        Some(ShopEvent::EmailSent {
            customer: CustomerId(2),
            order: Some(OrderId(2)),
            template: "sorry".into()
        })
    );
    assert_eq!(intentions[1].command, None);

    let problem = intentions[2].problem.as_deref().expect("a missing reason");
    assert!(problem.contains("`reason`"), "{problem}");
    assert_eq!(
        (&intentions[2].command, &intentions[2].event),
        (&None, &None)
    );
}

#[test]
fn it_should_answer_a_message_under_its_id() {
    let request = RequestEnvelope {
        id: 41,
        request: WorkerRequest::Compile {
            kind: ScriptKind::Projection,
            source: "fn OrderPlaced(event) { }".into(),
        },
    };
    let text = serde_json::to_string(&request).unwrap();
    let reply: ReplyEnvelope = serde_json::from_str(&handle_message(&text, || 0.0)).unwrap();
    assert_eq!(
        reply,
        ReplyEnvelope {
            id: 41,
            reply: WorkerReply::Compiled {
                handles: vec!["OrderPlaced".into()],
                reads: vec![HandlerReads {
                    event_type: "OrderPlaced".into(),
                    reads: FieldReads::Fields(Vec::new()),
                }],
            }
        }
    );
    // The page (and the end-to-end test) writes this shape by hand.
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({"id": 41, "request": {"Compile": {"kind": "Projection", "source": "fn OrderPlaced(event) { }"}}})
    );
    assert!(serde_json::from_str::<Value>(WORKER_READY).is_ok());
}

#[test]
fn it_should_answer_a_message_it_cannot_read_with_an_input_failure() {
    let reply: ReplyEnvelope = serde_json::from_str(&handle_message(
        r#"{"id": 7, "request": {"Compile": {}}}"#,
        || 0.0,
    ))
    .unwrap();
    assert_eq!(reply.id, 7);
    assert_eq!(failed(reply.reply).kind, "input");

    let reply: ReplyEnvelope = serde_json::from_str(&handle_message("not json", || 0.0)).unwrap();
    assert_eq!(reply.id, 0);
}

#[test]
fn it_should_refuse_an_event_it_cannot_read() {
    let failure = failed(run(
        ScriptKind::Projection,
        "fn OrderPlaced(event) { }",
        vec![json!("not an envelope")],
    ));
    assert_eq!(failure.kind, "input");
}

#[test]
fn it_should_find_the_first_event_after_which_a_row_holds_a_value() {
    let counting = "fn OrderPlaced(event) {\n    let c = event.payload.customer;\n    let row = this[c] ?? #{ orders: 0 };\n    row.orders += 1;\n    this[c] = row;\n}";
    let events = vec![
        order_placed(3, "C-001", 100),
        order_placed(5, "C-002", 100),
        order_placed(8, "C-001", 100),
        order_placed(9, "C-001", 100),
    ];
    let ask = |value: &str| {
        handle(
            WorkerRequest::When {
                source: counting.into(),
                events: events.clone(),
                key: "C-001".into(),
                column: "orders".into(),
                value: value.into(),
                time_limit_ms: f64::INFINITY,
            },
            || 0.0,
        )
    };
    assert_eq!(
        ask("2"),
        WorkerReply::FirstTime {
            position: Some(8),
            events: 3
        }
    );
    assert_eq!(
        ask("7"),
        WorkerReply::FirstTime {
            position: None,
            events: 4
        }
    );
}
