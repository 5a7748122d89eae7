//! The worker's answers, as the page will read them: compiled handlers, errors at their place,
//! limits that stop runaway scripts, tables, and intentions in the shop's terms; and the
//! runner's promises: answers from checkpoints equal a fold from the start, a policy's catch-up
//! folds only what is new, a worker that lacks what a request assumes says so, and each script
//! owns its failures.

use std::cell::Cell;
use std::rc::Rc;

use eventide_shop::commands::ShopCommand;
use eventide_shop::events::ShopEvent;
use eventide_shop::evolution::FieldReads;
use eventide_shop::ids::{CustomerId, OrderId};
use eventide_shop::scripting::{
    CopyId, FailureKind, HandlerReads, ReplyEnvelope, RequestEnvelope, RowWindow, ScriptFailure,
    ScriptId, ScriptKind, ScriptRef, TableRow, WORKER_READY,
};
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

const COPY: CopyId = CopyId(1);

/// A runner holding `events` (of the types they have) in copy 1, up to the last position.
fn holding(events: &[Value]) -> (Runner, u64) {
    let mut runner = Runner::default();
    let mut types: Vec<String> = events
        .iter()
        .filter_map(|e| {
            e.get("event_type")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    types.sort();
    types.dedup();
    let through = events
        .iter()
        .filter_map(|e| e.get("position").and_then(Value::as_u64))
        .max()
        .unwrap_or(0);
    runner.handle(
        WorkerRequest::NewCopy {
            copy: COPY,
            event_types: types,
        },
        || 0.0,
    );
    let synced = runner.handle(
        WorkerRequest::Append {
            copy: COPY,
            after: 0,
            through,
            events: events.to_vec(),
        },
        || 0.0,
    );
    assert_eq!(
        synced,
        WorkerReply::Synced {
            copy: COPY,
            through
        }
    );
    (runner, through)
}

fn run(kind: ScriptKind, source: &str, events: Vec<Value>) -> WorkerReply {
    run_with(kind, source, events, 5_000.0, || 0.0)
}

fn run_with(
    kind: ScriptKind,
    source: &str,
    events: Vec<Value>,
    time_limit_ms: f64,
    clock: impl Fn() -> f64 + 'static,
) -> WorkerReply {
    let (mut runner, at) = holding(&events);
    runner.handle(
        WorkerRequest::DryRun {
            copy: COPY,
            kind,
            source: source.to_string(),
            at,
            time_limit_ms,
        },
        clock,
    )
}

fn handle(request: WorkerRequest, clock: impl Fn() -> f64 + 'static) -> WorkerReply {
    Runner::default().handle(request, clock)
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
    assert_eq!(failure.kind, FailureKind::Compile);
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
    assert_eq!(failure.kind, FailureKind::Limit);
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
    let failure = failed(run_with(ScriptKind::Projection, busy, events, 20.0, clock));
    assert_eq!(failure.kind, FailureKind::Limit);
    assert!(
        failure.message.contains("stopped after 20 ms"),
        "{failure:?}"
    );
    let position = failure.event_position.expect("the event it stopped at");
    assert!((2..1_000).contains(&position), "{failure:?}");
}

#[test]
fn it_should_refuse_a_time_limit_that_is_not_positive() {
    let failure = failed(run_with(
        ScriptKind::Projection,
        "fn OrderPlaced(event) { }",
        Vec::new(),
        0.0,
        || 0.0,
    ));
    assert_eq!(failure.kind, FailureKind::Input);
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
            at: 3,
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
            total_rows: 2,
            events: 3,
        }
    );
}

#[test]
fn it_should_fold_a_foreign_log_through_the_handlers_its_types_name() {
    let source = "\
fn OrgExampleBookLent(event) {
    let book = event.payload.book;
    this[book] = (this[book] ?? 0) + 1;
}";
    let events = vec![
        event("org.example.book.lent", 1, json!({"book": "B-1"})),
        event("org.example.book.returned", 2, json!({"book": "B-1"})),
        event("org.example.book.lent", 3, json!({"book": "B-1"})),
    ];
    let WorkerReply::Table { rows, events, .. } = run(ScriptKind::Projection, source, events)
    else {
        panic!("expected a table");
    };
    assert_eq!(events, 2, "only the lent events ran");
    assert_eq!(rows[0].cells, vec![json!(2)]);
    // A handler the log's types do not name is still a mistake.
    let typo = "fn OrgExampleBookLnt(event) { }";
    let failure = failed(run(
        ScriptKind::Projection,
        typo,
        vec![event("org.example.book.lent", 1, json!({}))],
    ));
    assert!(
        failure.message.contains("OrgExampleBookLnt"),
        "{}",
        failure.message
    );
}

#[test]
fn it_should_report_a_runtime_error_at_the_event_that_caused_it() {
    let failure = failed(run(
        ScriptKind::Projection,
        "fn OrderPlaced(event) {\n    if event.position == 2 { throw \"no\"; }\n}",
        vec![order_placed(1, "C-001", 1), order_placed(2, "C-001", 1)],
    ));
    assert_eq!(failure.kind, FailureKind::Runtime);
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
        ..
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
    let reply: ReplyEnvelope =
        serde_json::from_str(&handle_message(&mut Runner::default(), &text, || 0.0)).unwrap();
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
        &mut Runner::default(),
        r#"{"id": 7, "request": {"Compile": {}}}"#,
        || 0.0,
    ))
    .unwrap();
    assert_eq!(reply.id, 7);
    assert_eq!(failed(reply.reply).kind, FailureKind::Input);

    let reply: ReplyEnvelope =
        serde_json::from_str(&handle_message(&mut Runner::default(), "not json", || 0.0)).unwrap();
    assert_eq!(reply.id, 0);
}

#[test]
fn it_should_refuse_an_event_it_cannot_read() {
    let mut runner = Runner::default();
    runner.handle(
        WorkerRequest::NewCopy {
            copy: COPY,
            event_types: vec!["OrderPlaced".into()],
        },
        || 0.0,
    );
    let failure = failed(runner.handle(
        WorkerRequest::Append {
            copy: COPY,
            after: 0,
            through: 1,
            events: vec![json!("not an envelope")],
        },
        || 0.0,
    ));
    assert_eq!(failure.kind, FailureKind::Input);
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
    let (mut runner, through) = holding(&events);
    let script = load(&mut runner, 1, ScriptKind::Projection, counting);
    let mut ask = |value: &str| {
        runner.handle(
            WorkerRequest::When {
                copy: COPY,
                script,
                through,
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

fn load(runner: &mut Runner, id: u64, kind: ScriptKind, source: &str) -> ScriptRef {
    let script = ScriptRef {
        id: ScriptId(id),
        version: 1,
    };
    let reply = runner.handle(
        WorkerRequest::Load {
            script,
            kind,
            source: source.into(),
        },
        || 0.0,
    );
    assert!(matches!(reply, WorkerReply::Loaded { .. }), "{reply:?}");
    script
}

fn table_at(runner: &mut Runner, script: ScriptRef, at: u64) -> WorkerReply {
    runner.handle(
        WorkerRequest::TableAt {
            copy: COPY,
            script,
            at,
            rows: RowWindow::ALL,
            time_limit_ms: f64::INFINITY,
        },
        || 0.0,
    )
}

fn catch_up(
    runner: &mut Runner,
    script: ScriptRef,
    through: u64,
    report_after: u64,
) -> WorkerReply {
    runner.handle(
        WorkerRequest::CatchUp {
            copy: COPY,
            script,
            through,
            report_after,
            time_limit_ms: f64::INFINITY,
        },
        || 0.0,
    )
}

const PER_CUSTOMER: &str = "fn OrderPlaced(event) {\n    let c = event.payload.customer;\n    let row = this[c] ?? #{ orders: 0, ordered: 0 };\n    row.orders += 1;\n    row.ordered += event.payload.total;\n    this[c] = row;\n}";

/// Orders at every third position, by customers C-000 to C-016 in turn.
fn orders(count: u64) -> Vec<Value> {
    (1..=count)
        .map(|n| order_placed(n * 3, &format!("C-{:03}", n % 17), n as i64))
        .collect()
}

#[test]
fn it_should_answer_a_table_at_any_position_as_a_fold_from_the_start_would() {
    // Enough events for several checkpoints; positions asked out of order, backwards and
    // between the events.
    let events = orders(CHECKPOINT_EVERY * 3 + 10);
    let (mut runner, head) = holding(&events);
    let script = load(&mut runner, 1, ScriptKind::Projection, PER_CUSTOMER);
    let asked = [head, 2, 3, 5_000, head - 1, 3_074, 3_072, 1, head / 2, head];
    for at in asked {
        let from_checkpoints = table_at(&mut runner, script, at);
        let from_the_start = {
            let (mut fresh, _) = holding(&events);
            fresh.handle(
                WorkerRequest::DryRun {
                    copy: COPY,
                    kind: ScriptKind::Projection,
                    source: PER_CUSTOMER.into(),
                    at,
                    time_limit_ms: f64::INFINITY,
                },
                || 0.0,
            )
        };
        assert_eq!(from_checkpoints, from_the_start, "at {at}");
    }
    assert_eq!(
        runner.checkpoints(ScriptId(1)),
        4,
        "one at 0, one per 1,024 handled"
    );
}

#[test]
fn it_should_send_only_the_rows_asked_for_and_say_how_many_there_are() {
    let (mut runner, head) = holding(&orders(40));
    let script = load(&mut runner, 1, ScriptKind::Projection, PER_CUSTOMER);
    let reply = runner.handle(
        WorkerRequest::TableAt {
            copy: COPY,
            script,
            at: head,
            rows: RowWindow { first: 2, count: 3 },
            time_limit_ms: f64::INFINITY,
        },
        || 0.0,
    );
    let WorkerReply::Table {
        rows, total_rows, ..
    } = reply
    else {
        panic!("expected a table, got {reply:?}");
    };
    assert_eq!(total_rows, 17);
    let keys: Vec<&str> = rows.iter().map(|row| row.key.as_str()).collect();
    assert_eq!(keys, ["C-002", "C-003", "C-004"]);
}

/// A policy that publishes on every customer's third order: its state carries over events.
const THIRD_ORDER: &str = "fn OrderPlaced(event) {\n    let c = event.payload.customer;\n    this[c] = (this[c] ?? 0) + 1;\n    if this[c] == 3 { #{ publish: \"EmailSent\", customer: c, order: event.payload.order, template: \"third\" } }\n}";

#[test]
fn it_should_catch_a_policy_up_on_the_new_events_only() {
    let events = orders(100);
    let (mut runner, _) = holding(&events[..60]);
    let script = load(&mut runner, 1, ScriptKind::Policy, THIRD_ORDER);
    // Deployed at 90: it learns from the history but reports nothing of it.
    let first = catch_up(&mut runner, script, 90, 90);
    assert!(
        matches!(&first, WorkerReply::Intentions { after: 0, through: 90, intentions, events: 30 } if intentions.is_empty()),
        "{first:?}"
    );
    // Then 40 more orders arrive, in two appends.
    for (after, part) in [(180, &events[60..80]), (240, &events[80..])] {
        let through = part
            .last()
            .and_then(|e| e["position"].as_u64())
            .unwrap_or(0);
        let synced = runner.handle(
            WorkerRequest::Append {
                copy: COPY,
                after,
                through,
                events: part.to_vec(),
            },
            || 0.0,
        );
        assert!(matches!(synced, WorkerReply::Synced { .. }), "{synced:?}");
    }
    let second = catch_up(&mut runner, script, 210, 90);
    let third = catch_up(&mut runner, script, 300, 90);
    let (
        WorkerReply::Intentions {
            after: a2,
            events: e2,
            intentions: i2,
            ..
        },
        WorkerReply::Intentions {
            after: a3,
            events: e3,
            intentions: i3,
            ..
        },
    ) = (&second, &third)
    else {
        panic!("expected intentions: {second:?} {third:?}");
    };
    // Each folded only what it had not seen.
    assert_eq!((*a2, *e2, *a3, *e3), (90, 40, 210, 30));
    // Together they decided what one run over the whole log decides after position 90.
    let whole = run(ScriptKind::Policy, THIRD_ORDER, events);
    let WorkerReply::Intentions {
        intentions: all, ..
    } = whole
    else {
        panic!("expected intentions: {whole:?}");
    };
    let after_deploy: Vec<_> = all.into_iter().filter(|p| p.position > 90).collect();
    assert!(!after_deploy.is_empty());
    assert_eq!([i2.clone(), i3.clone()].concat(), after_deploy);
}

#[test]
fn it_should_say_it_is_out_of_step_rather_than_answer_about_another_log() {
    let (mut runner, head) = holding(&orders(5));
    let script = load(&mut runner, 1, ScriptKind::Projection, PER_CUSTOMER);
    let out_of_step = WorkerReply::OutOfStep {
        copy: Some(COPY),
        through: head,
        script_missing: false,
    };
    // Beyond what it holds, another copy, or an append that skips some events.
    assert_eq!(table_at(&mut runner, script, head + 1), out_of_step);
    let other = runner.handle(
        WorkerRequest::TableAt {
            copy: CopyId(2),
            script,
            at: 1,
            rows: RowWindow::ALL,
            time_limit_ms: 1.0,
        },
        || 0.0,
    );
    assert_eq!(other, out_of_step);
    let skipping = WorkerRequest::Append {
        copy: COPY,
        after: head + 3,
        through: head + 6,
        events: Vec::new(),
    };
    assert_eq!(runner.handle(skipping, || 0.0), out_of_step);
    // Another version of the script than the one it keeps.
    let newer = ScriptRef {
        version: 2,
        ..script
    };
    assert_eq!(
        table_at(&mut runner, newer, head),
        WorkerReply::OutOfStep {
            copy: Some(COPY),
            through: head,
            script_missing: true,
        }
    );
    // A fresh worker holds nothing.
    assert_eq!(
        table_at(&mut Runner::default(), script, 0),
        WorkerReply::OutOfStep {
            copy: None,
            through: 0,
            script_missing: false,
        }
    );
}

#[test]
fn it_should_start_every_script_again_on_a_new_copy() {
    let (mut runner, head) = holding(&orders(6));
    let script = load(&mut runner, 1, ScriptKind::Projection, PER_CUSTOMER);
    assert!(matches!(
        table_at(&mut runner, script, head),
        WorkerReply::Table { total_rows: 6, .. }
    ));
    // The log was replaced: a copy with one order of another customer.
    runner.handle(
        WorkerRequest::NewCopy {
            copy: CopyId(2),
            event_types: vec!["OrderPlaced".into()],
        },
        || 0.0,
    );
    runner.handle(
        WorkerRequest::Append {
            copy: CopyId(2),
            after: 0,
            through: 1,
            events: vec![order_placed(1, "C-900", 5)],
        },
        || 0.0,
    );
    let reply = runner.handle(
        WorkerRequest::TableAt {
            copy: CopyId(2),
            script,
            at: 1,
            rows: RowWindow::ALL,
            time_limit_ms: f64::INFINITY,
        },
        || 0.0,
    );
    let WorkerReply::Table { rows, .. } = reply else {
        panic!("expected a table, got {reply:?}");
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].key, "C-900");
}

#[test]
fn it_should_keep_each_scripts_failure_its_own_and_answer_before_it() {
    let (mut runner, head) = holding(&orders(6));
    let failing = load(
        &mut runner,
        1,
        ScriptKind::Projection,
        "fn OrderPlaced(event) {\n    if event.position == 9 { throw \"no\"; }\n    this.n = (this.n ?? 0) + 1;\n}",
    );
    let fine = load(&mut runner, 2, ScriptKind::Projection, PER_CUSTOMER);
    let failure = failed(table_at(&mut runner, failing, head));
    assert_eq!(
        (failure.kind, failure.event_position),
        (FailureKind::Runtime, Some(9))
    );
    assert!(matches!(
        table_at(&mut runner, fine, head),
        WorkerReply::Table { total_rows: 6, .. }
    ));
    // Before the failing event it still answers; from it on the failure is kept.
    let before = table_at(&mut runner, failing, 6);
    assert!(
        matches!(&before, WorkerReply::Table { rows, .. } if rows[0].cells == [json!(2)]),
        "{before:?}"
    );
    assert_eq!(failed(table_at(&mut runner, failing, 12)), failure);
}

#[test]
fn it_should_keep_a_policy_that_fails_stopped_at_its_event() {
    let (mut runner, head) = holding(&orders(6));
    let policy = load(
        &mut runner,
        1,
        ScriptKind::Policy,
        "fn OrderPlaced(event) {\n    if event.position == 9 { throw \"no\"; }\n}",
    );
    let failure = failed(catch_up(&mut runner, policy, head, 0));
    assert_eq!(
        (failure.kind, failure.event_position),
        (FailureKind::Runtime, Some(9))
    );
    assert_eq!(failed(catch_up(&mut runner, policy, head, 0)), failure);
}
