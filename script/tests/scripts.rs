//! The script host as its users meet it: example scripts over generated logs, errors that point
//! at the right line and column, limits that stop runaway scripts, and intentions that become
//! shop commands.

use std::cell::Cell;
use std::rc::Rc;

use eventide_engine::projection::Projection as _;
use eventide_script::{
    Deadline, ErrorKind, ExampleKind, Intention, Limits, Policy, Projection, ScriptError,
    ScriptHost, EXAMPLES,
};
use eventide_shop::bench::START;
use eventide_shop::commands::ShopCommand;
use eventide_shop::events::ShopEvent;
use eventide_shop::generator::{generate_orders, GeneratorConfig};
use eventide_shop::ids::{CustomerId, OrderId};
use eventide_shop::read_models::RevenuePerCustomer;
use eventide_shop::Shop;
use serde_json::{json, Value};

/// A generated shop and its log as JSON envelopes, in log order.
fn generated(seed: u64, orders: u64, customers: u32) -> (Shop, Vec<Value>) {
    let mut config = GeneratorConfig::new(seed, START);
    config.customers = customers;
    let mut shop = Shop::new();
    generate_orders(&mut shop, config, orders).expect("the generator runs");
    let events = shop.store().events().iter().map(|e| e.to_json()).collect();
    (shop, events)
}

fn example(name: &str) -> &'static str {
    EXAMPLES
        .iter()
        .find(|example| example.name.starts_with(name))
        .map(|example| example.source)
        .expect("the example exists")
}

fn projection(source: &str) -> Result<Projection, ScriptError> {
    Projection::compile(&ScriptHost::default(), source)
}

fn event(event_type: &str, position: u64, occurred_at_ms: i64, payload: Value) -> Value {
    json!({
        "event_type": event_type,
        "position": position,
        "recorded_at": occurred_at_ms,
        "occurred_at": occurred_at_ms,
        "payload": payload,
    })
}

fn order_placed(position: u64, customer: &str) -> Value {
    event(
        "OrderPlaced",
        position,
        0,
        json!({"order": format!("O-{position:04}"), "customer": customer, "lines": [], "total": 100}),
    )
}

/// Runs a projection over one `OrderPlaced` event and returns the error it must raise.
fn runtime_error(source: &str, limits: Limits, deadline: &Deadline) -> ScriptError {
    let projection = Projection::compile(&ScriptHost::new(limits), source).expect("compiles");
    let mut state = projection.init(deadline).expect("init runs");
    projection
        .apply(&mut state, &order_placed(7, "C-001"), deadline)
        .expect_err("the handler fails")
}

// ----- The examples -------------------------------------------------------------------------

#[test]
fn every_example_runs_over_a_generated_log() {
    let (_, events) = generated(7, 300, 20);
    let host = ScriptHost::default();
    let deadline = Deadline::none();
    for example in EXAMPLES {
        match example.kind {
            ExampleKind::Projection => {
                let projection = Projection::compile(&host, example.source)
                    .unwrap_or_else(|e| panic!("{}: {e}", example.name));
                let table = projection
                    .run(&events, &deadline)
                    .unwrap_or_else(|e| panic!("{}: {e}", example.name));
                assert!(!table.rows.is_empty(), "{} has no rows", example.name);
                assert!(
                    table.rows.len() <= 20,
                    "{}: one row per customer",
                    example.name
                );
            }
            ExampleKind::Policy => {
                let policy = Policy::compile(&host, example.source)
                    .unwrap_or_else(|e| panic!("{}: {e}", example.name));
                let mut state = policy.init(&deadline).expect("init runs");
                let mut intentions = Vec::new();
                for event in &events {
                    intentions.extend(
                        policy
                            .handle(&mut state, event, &deadline)
                            .unwrap_or_else(|e| panic!("{}: {e}", example.name)),
                    );
                }
                assert!(!intentions.is_empty(), "{} never reacted", example.name);
                for intention in &intentions {
                    match intention {
                        Intention::Command { .. } => {
                            intention.to_shop_command().expect("a valid command");
                        }
                        Intention::Publish { .. } => {
                            intention.to_shop_event().expect("a valid event");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn the_revenue_script_agrees_with_the_built_in_read_model() {
    let (shop, events) = generated(42, 400, 60);
    let table = projection(example("Revenue"))
        .expect("compiles")
        .run(&events, &Deadline::none())
        .expect("runs");
    let built_in = shop
        .history()
        .live()
        .get::<RevenuePerCustomer>()
        .expect("the built-in model is registered");
    assert_eq!(
        table.columns,
        [
            "customer",
            "orders_paid",
            "revenue",
            "refunded",
            "last_event"
        ]
    );
    assert_eq!(table.rows.len(), built_in.row_count());
    let refunds = built_in
        .ranked()
        .iter()
        .filter(|(_, r)| r.refunded.0 > 0)
        .count();
    assert!(refunds > 0, "the log should hold refunds to compare");
    for (row, (customer, revenue)) in table.rows.iter().zip(built_in.ranked()) {
        assert_eq!(row.key, customer.to_string(), "same order, largest first");
        assert_eq!(
            row.cells,
            [
                json!(customer.to_string()),
                json!(revenue.orders_paid),
                json!(revenue.revenue.cents()),
                json!(revenue.refunded.cents()),
                json!(revenue.last_event.0),
            ]
        );
    }
    let total: i64 = table
        .rows
        .iter()
        .filter_map(|row| row.cells[2].as_i64())
        .sum();
    assert_eq!(total, built_in.total().cents());
}

#[test]
fn the_fraud_policy_flags_a_customer_after_three_failures_within_ten_minutes() {
    let policy = Policy::compile(&ScriptHost::default(), example("Fraud")).expect("compiles");
    let deadline = Deadline::none();
    let mut state = policy.init(&deadline).expect("init runs");
    let minute = 60_000;
    let failed = |position: u64, at: i64, customer: &str| {
        let order = format!("O-{position:04}");
        event(
            "PaymentFailed",
            position,
            at,
            json!({"order": order, "customer": customer, "amount": 500, "reason": "card declined"}),
        )
    };
    let mut handle = |event: Value| policy.handle(&mut state, &event, &deadline).expect("runs");
    assert_eq!(policy.handles(), ["PaymentFailed"]);
    // Two failures, then a third too late: the first has left the window.
    assert!(handle(failed(1, 0, "C-007")).is_empty());
    assert!(handle(failed(2, 4 * minute, "C-007")).is_empty());
    assert!(handle(failed(3, 11 * minute, "C-007")).is_empty());
    assert!(handle(failed(4, 12 * minute, "C-008")).is_empty());
    // The third within ten minutes of two others.
    let intentions = handle(failed(5, 13 * minute, "C-007"));
    assert_eq!(intentions.len(), 2, "{intentions:?}");
    assert_eq!(
        intentions[0].to_shop_event(),
        Ok(ShopEvent::FraudCheckFailed {
            order: OrderId(5),
            customer: CustomerId(7),
            score: 100
        })
    );
    assert_eq!(
        intentions[1].to_shop_command(),
        Ok(ShopCommand::CancelOrder {
            order: OrderId(5),
            reason: "suspected fraud: 3 failed payments within 10 minutes".into()
        })
    );
    // Flagged once only.
    assert!(handle(failed(6, 14 * minute, "C-007")).is_empty());
}

#[test]
fn the_loyalty_policy_reacts_to_the_fifth_shipped_order_only() {
    let policy = Policy::compile(&ScriptHost::default(), example("Loyalty")).expect("compiles");
    let deadline = Deadline::none();
    let mut state = policy.init(&deadline).expect("init runs");
    let shipped = |position: u64| {
        let order = format!("O-{position:04}");
        event(
            "ShipmentDispatched",
            position,
            0,
            json!({"order": order, "customer": "C-003", "carrier": "DHL", "lines": []}),
        )
    };
    let reactions: Vec<Vec<Intention>> = (1..=6)
        .map(|n| {
            policy
                .handle(&mut state, &shipped(n), &deadline)
                .expect("runs")
        })
        .collect();
    let counts: Vec<usize> = reactions.iter().map(Vec::len).collect();
    assert_eq!(counts, [0, 0, 0, 0, 1, 0]);
    assert_eq!(
        reactions[4][0].to_shop_event(),
        Ok(ShopEvent::EmailSent {
            customer: CustomerId(3),
            order: Some(OrderId(5)),
            template: "loyalty-reward".into()
        })
    );
    // Events it has no handler for are no reaction at all.
    let other = order_placed(9, "C-003");
    assert!(policy
        .handle(&mut state, &other, &deadline)
        .expect("skips")
        .is_empty());
}

// ----- Conventions and compile errors -------------------------------------------------------

#[test]
fn it_should_point_at_a_syntax_error() {
    let error = projection("fn OrderPlaced(event) {\n    let x = ;\n}\n").unwrap_err();
    assert_eq!(error.kind, ErrorKind::Compile);
    assert_eq!((error.line, error.column), (Some(2), Some(13)), "{error}");
    assert!(
        error.to_string().starts_with("line 2, column 13: "),
        "{error}"
    );
}

#[test]
fn it_should_point_at_an_undefined_variable_when_compiling() {
    let error = projection("fn OrderPlaced(event) {\n  this.n = count + 1;\n}").unwrap_err();
    assert_eq!(error.kind, ErrorKind::Compile);
    assert_eq!((error.line, error.column), (Some(2), Some(12)), "{error}");
    assert!(error.message.contains("count"), "{error}");
}

#[test]
fn it_should_refuse_code_outside_functions_where_it_stands() {
    let error = projection("fn OrderPlaced(event) {}\n\nlet window = 10;\n").unwrap_err();
    assert_eq!((error.line, error.column), (Some(3), Some(1)), "{error}");
    assert!(
        error
            .message
            .starts_with("only functions may stand outside"),
        "{error}"
    );
}

#[test]
fn it_should_suggest_the_event_type_a_handler_meant() {
    let error = projection("fn init() { #{} }\n\n  fn OrderPlace(event) {}\n").unwrap_err();
    assert_eq!((error.line, error.column), (Some(3), Some(6)), "{error}");
    assert_eq!(
        error.message,
        "`OrderPlace` is not an event type: did you mean OrderPlaced?"
    );
}

#[test]
fn it_should_explain_that_the_state_is_this() {
    let error = projection("fn OrderPlaced(state, event) { state }").unwrap_err();
    assert!(error.message.contains("the state is `this`"), "{error}");
    let error = projection("fn init(x) { x }\nfn OrderPlaced(event) {}").unwrap_err();
    assert_eq!(error.line, Some(1));
    assert!(
        error.message.starts_with("`init` takes no parameters"),
        "{error}"
    );
    let error = projection("fn helper() { 1 }").unwrap_err();
    assert!(
        error.message.starts_with("the script handles no event"),
        "{error}"
    );
}

#[test]
fn it_should_list_the_event_types_a_projection_consumes() {
    let revenue = projection(example("Revenue")).expect("compiles");
    assert_eq!(revenue.handles(), ["OrderCancelled", "PaymentProcessed"]);
}

// ----- Run-time errors ----------------------------------------------------------------------

#[test]
fn it_should_point_at_a_runtime_error_and_name_the_event() {
    let source =
        "fn OrderPlaced(event) {\n    let total = event.payload.total;\n    this.x = total / 0;\n}";
    let error = runtime_error(source, Limits::default(), &Deadline::none());
    assert_eq!(error.kind, ErrorKind::Runtime);
    assert_eq!((error.line, error.column), (Some(3), Some(20)), "{error}");
    assert_eq!(error.event_position, Some(7));
    assert!(
        error
            .message
            .starts_with("in OrderPlaced: Division by zero"),
        "{error}"
    );
}

#[test]
fn it_should_point_inside_the_helper_that_failed() {
    let source = "fn OrderPlaced(event) {\n  this.x = half(event.payload.customer);\n}\n\nfn half(n) {\n  n / 2\n}";
    let error = runtime_error(source, Limits::default(), &Deadline::none());
    assert_eq!(error.line, Some(6), "{error}");
    assert!(
        error
            .message
            .starts_with("in half (called from OrderPlaced): "),
        "{error}"
    );
}

#[test]
fn it_should_hint_at_a_misspelt_field() {
    let source = "fn OrderPlaced(event) {\n  this.total = event.payload.totl + 1;\n}";
    let error = runtime_error(source, Limits::default(), &Deadline::none());
    assert_eq!(error.line, Some(2));
    assert!(
        error.message.contains("is a field name misspelt"),
        "{error}"
    );
}

#[test]
fn it_should_report_a_thrown_error_with_its_value() {
    let source = "fn OrderPlaced(event) {\n  throw `no ${event.payload.order}`;\n}";
    let error = runtime_error(source, Limits::default(), &Deadline::none());
    assert_eq!(error.message, "in OrderPlaced: thrown: no O-0007");
    assert_eq!(error.line, Some(2));
}

// ----- Limits -------------------------------------------------------------------------------

#[test]
fn the_operation_limit_stops_an_endless_loop() {
    let limits = Limits {
        max_operations: 10_000,
        ..Limits::default()
    };
    let source = "fn OrderPlaced(event) {\n  loop {\n    this.n = 1;\n  }\n}";
    let error = runtime_error(source, limits, &Deadline::none());
    assert_eq!(error.kind, ErrorKind::Limit);
    assert_eq!(
        error.message,
        "in OrderPlaced: stopped after 10,000 operations: does a loop never end?"
    );
    assert_eq!(error.event_position, Some(7));
}

#[test]
fn the_default_operation_limit_is_a_million() {
    let error = runtime_error(
        "fn OrderPlaced(event) { loop {} }",
        Limits::default(),
        &Deadline::none(),
    );
    assert!(
        error
            .message
            .ends_with("stopped after 1,000,000 operations: does a loop never end?"),
        "{error}"
    );
}

#[test]
fn the_call_depth_limit_stops_endless_recursion() {
    let source = "fn OrderPlaced(event) { down(1) }\nfn down(n) { down(n + 1) }";
    let error = runtime_error(source, Limits::default(), &Deadline::none());
    assert_eq!(error.kind, ErrorKind::Limit);
    assert!(
        error
            .message
            .ends_with("stopped at 32 nested calls: does a function call itself without end?"),
        "{error}"
    );
}

#[test]
fn the_operation_limit_stops_a_recursion_that_is_wide_rather_than_deep() {
    let limits = Limits {
        max_operations: 50_000,
        ..Limits::default()
    };
    let source = "fn OrderPlaced(event) { this.f = fib(25); }\nfn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }";
    let error = runtime_error(source, limits, &Deadline::none());
    assert_eq!(error.kind, ErrorKind::Limit);
    assert!(
        error.message.contains("stopped after 50,000 operations"),
        "{error}"
    );
    assert!(error.message.starts_with("in OrderPlaced: "), "{error}");
}

#[test]
fn the_callers_deadline_stops_a_script() {
    let polls = Rc::new(Cell::new(0));
    let counted = Rc::clone(&polls);
    // Time is up at the third look at the clock.
    let deadline = Deadline::when("2 s", move || {
        counted.set(counted.get() + 1);
        counted.get() >= 3
    });
    let limits = Limits {
        max_operations: 0,
        ..Limits::default()
    };
    let error = runtime_error("fn OrderPlaced(event) {\n  loop { }\n}", limits, &deadline);
    assert_eq!(error.kind, ErrorKind::Limit);
    assert_eq!(
        error.message,
        "in OrderPlaced: stopped after 2 s: does a loop never end?"
    );
    assert_eq!(polls.get(), 3);
}

#[test]
fn a_deadline_from_a_clock_stops_a_fold_of_cheap_handlers_too() {
    // A fake clock that advances a millisecond at every reading.
    let now = Rc::new(Cell::new(0.0));
    let clock = Rc::clone(&now);
    let deadline = Deadline::after_ms(50.0, move || {
        clock.set(clock.get() + 1.0);
        clock.get()
    });
    let projection =
        projection("fn OrderPlaced(event) { this.n = (this.n ?? 0) + 1; }").expect("compiles");
    let events: Vec<Value> = (1..=100_000).map(|n| order_placed(n, "C-001")).collect();
    let error = projection.run(&events, &deadline).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Limit);
    assert!(
        error
            .message
            .ends_with("stopped after 50 ms: does a loop never end?"),
        "{error}"
    );
    assert!(error.event_position.is_some_and(|p| p < 100_000), "{error}");
}

#[test]
fn the_size_limits_stop_data_that_grows_without_end() {
    let limits = Limits {
        max_string_len: 1_000,
        max_array_len: 1_000,
        max_map_len: 1_000,
        ..Limits::default()
    };
    let cases = [
        (
            "let s = \"ab\"; loop { s += s; }",
            "a string grew past 1,000 bytes",
        ),
        (
            "let a = [1]; loop { a += a; }",
            "arrays grew past 1,000 items",
        ),
        (
            "let i = 0; loop { i += 1; this.last = i; this[`k${i}`] = i; }",
            "maps grew past 1,000 entries",
        ),
    ];
    for (body, expected) in cases {
        let source = format!("fn OrderPlaced(event) {{ {body} }}");
        let error = runtime_error(&source, limits.clone(), &Deadline::none());
        assert_eq!(error.kind, ErrorKind::Limit, "{error}");
        assert!(error.message.contains(expected), "{error}");
    }
}

#[test]
fn a_state_that_grows_event_by_event_is_measured_against_the_limit() {
    // `this[key] = value` is the one write Rhai does not measure; the host measures the state
    // every so many operations instead.
    let limits = Limits {
        max_map_len: 1_000,
        ..Limits::default()
    };
    let projection = Projection::compile(
        &ScriptHost::new(limits),
        "fn OrderPlaced(event) { for i in 0..100 { this[`${event.position}-${i}`] = i; } }",
    )
    .expect("compiles");
    let events: Vec<Value> = (1..=10_000).map(|n| order_placed(n, "C-001")).collect();
    let error = projection.run(&events, &Deadline::none()).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Limit, "{error}");
    assert!(
        error.message.contains("maps grew past 1,000 entries"),
        "{error}"
    );
    assert!(error.event_position.is_some_and(|p| p < 200), "{error}");
}

#[test]
fn data_nested_ever_deeper_is_stopped_by_the_size_limits() {
    // Rhai copies and drops nested values recursively: nesting is bounded only by the array
    // and map limits where Rhai checks them (array literals, assignments into `this`).
    let limits = Limits {
        max_array_len: 200,
        max_map_len: 200,
        ..Limits::default()
    };
    for body in [
        "let a = []; loop { a = [a]; }",
        "loop { this.inner = #{ inner: this.inner }; }",
    ] {
        let source = format!("fn OrderPlaced(event) {{ {body} }}");
        let error = runtime_error(&source, limits.clone(), &Deadline::none());
        assert_eq!(error.kind, ErrorKind::Limit, "{error}");
    }
}

// ----- Tables -------------------------------------------------------------------------------

#[test]
fn a_state_of_single_values_is_a_table_with_a_value_column() {
    let projection = projection(
        "fn OrderPlaced(event) { this[event.payload.customer] = (this[event.payload.customer] ?? 0) + 1; }",
    )
    .expect("compiles");
    let events = [
        order_placed(1, "C-002"),
        order_placed(2, "C-001"),
        order_placed(3, "C-002"),
    ];
    let table = projection.run(&events, &Deadline::none()).expect("runs");
    assert_eq!(
        table.to_json(),
        json!({"columns": ["value"], "rows": [{"key": "C-001", "value": 1}, {"key": "C-002", "value": 2}]})
    );
}

#[test]
fn columns_default_to_every_field_alphabetically_and_missing_cells_are_null() {
    let projection = projection(
        "fn OrderPlaced(event) { if event.position == 1 { this.a = #{ z: 1, m: 2 }; } else { this.b = #{ q: 3 }; } }",
    )
    .expect("compiles");
    let table = projection
        .run(
            &[order_placed(1, "C-1"), order_placed(2, "C-1")],
            &Deadline::none(),
        )
        .expect("runs");
    assert_eq!(table.columns, ["m", "q", "z"]);
    assert_eq!(table.rows[0].cells, [json!(2), Value::Null, json!(1)]);
    assert_eq!(table.rows[1].cells, [Value::Null, json!(3), Value::Null]);
}

#[test]
fn a_table_of_the_wrong_shape_says_what_it_got() {
    let deadline = Deadline::none();
    let cases = [
        ("fn init() { 5 }", "the table is an integer"),
        (
            "fn rows() { [#{ n: 1 }] }",
            "row 1 of the array is a map without a usable `key`",
        ),
        ("fn rows() { [3] }", "row 1 of the array is an integer"),
        ("fn columns() { [\"key\"] }", "`columns()` names `key`"),
        ("fn columns() { 3 }", "`columns()` returned an integer"),
        (
            "fn rows() { #{ a: #{ f: Fn(\"rows\") } } }",
            "row a, column f holds a function pointer",
        ),
    ];
    for (function, expected) in cases {
        let source = format!("{function}\nfn OrderPlaced(event) {{}}");
        let projection = projection(&source).expect("compiles");
        let state = projection.init(&deadline).expect("init runs");
        let error = projection.table(&state, &deadline).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Shape, "{error}");
        assert!(error.message.contains(expected), "{expected}: {error}");
    }
}

#[test]
fn the_orders_example_shows_times_as_people_read_them() {
    let projection = projection(example("Orders per customer")).expect("compiles");
    let deadline = Deadline::none();
    let mut state = projection.init(&deadline).expect("init runs");
    let placed = event(
        "OrderPlaced",
        1,
        1_795_683_600_000,
        json!({"order": "O-0001", "customer": "C-001", "lines": [], "total": 100}),
    );
    projection
        .apply(&mut state, &placed, &deadline)
        .expect("folds");
    let table = projection.table(&state, &deadline).expect("table");
    let column = table
        .columns
        .iter()
        .position(|c| c == "last_order_at")
        .expect("the column");
    assert_eq!(
        table.rows[0].cells[column],
        json!("2026-11-26 09:00:00 UTC")
    );
}

#[test]
fn a_cloned_state_is_a_checkpoint_that_later_events_do_not_touch() {
    let projection = projection(example("Orders per customer")).expect("compiles");
    let deadline = Deadline::none();
    let mut state = projection.init(&deadline).expect("init runs");
    projection
        .apply(&mut state, &order_placed(1, "C-001"), &deadline)
        .expect("folds");
    let checkpoint = state.clone();
    projection
        .apply(&mut state, &order_placed(2, "C-001"), &deadline)
        .expect("folds");
    let orders = |state| {
        let table = projection.table(state, &deadline).expect("table");
        table.rows[0].cells[0].clone()
    };
    assert_eq!(orders(&checkpoint), json!(1));
    assert_eq!(orders(&state), json!(2));
    assert_eq!(
        checkpoint.to_json().expect("plain data")["C-001"]["orders"],
        1
    );
}

#[test]
fn events_without_a_handler_are_skipped_and_unreadable_events_refused() {
    let projection = projection(example("Orders per customer")).expect("compiles");
    let deadline = Deadline::none();
    let mut state = projection.init(&deadline).expect("init runs");
    let other = event(
        "StockReceived",
        1,
        0,
        json!({"sku": "SKU-01", "quantity": 4}),
    );
    assert_eq!(projection.apply(&mut state, &other, &deadline), Ok(false));
    assert_eq!(
        projection.apply(&mut state, &order_placed(2, "C-1"), &deadline),
        Ok(true)
    );
    let error = projection
        .apply(&mut state, &json!([1, 2]), &deadline)
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Input);
}

// ----- Policies -----------------------------------------------------------------------------

#[test]
fn a_policy_returns_its_intentions_as_values() {
    let source = r#"
fn OrderPlaced(event) {
    [
        #{ command: "CancelOrder", order: event.payload.order, reason: "test" },
        (),
        #{ publish: "EmailSent", customer: event.payload.customer, order: (), template: "hello" },
    ]
}"#;
    let policy = Policy::compile(&ScriptHost::default(), source).expect("compiles");
    let deadline = Deadline::none();
    let mut state = policy.init(&deadline).expect("init runs");
    let intentions = policy
        .handle(&mut state, &order_placed(42, "C-007"), &deadline)
        .expect("runs");
    assert_eq!(
        intentions,
        [
            Intention::Command {
                name: "CancelOrder".into(),
                args: json!({"order": "O-0042", "reason": "test"})
            },
            Intention::Publish {
                event_type: "EmailSent".into(),
                payload: json!({"customer": "C-007", "order": null, "template": "hello"})
            },
        ]
    );
    assert_eq!(
        intentions[0].to_json(),
        json!({"command": "CancelOrder", "order": "O-0042", "reason": "test"})
    );
}

#[test]
fn a_policy_that_returns_no_intention_says_what_it_returned_and_where() {
    let deadline = Deadline::none();
    let cases = [
        (
            "\"cancel it\"",
            "OrderPlaced returned a string, not an intention (a map)",
        ),
        (
            "#{ order: 1 }",
            "OrderPlaced returned a map with neither `command` nor `publish`",
        ),
        (
            "[#{ command: 5 }]",
            "a map whose `command` is 5, not a name as item 1 of its array",
        ),
    ];
    for (returned, expected) in cases {
        let source = format!("fn init() {{ #{{}} }}\n\nfn OrderPlaced(event) {{\n  {returned}\n}}");
        let policy = Policy::compile(&ScriptHost::default(), &source).expect("compiles");
        let mut state = policy.init(&deadline).expect("init runs");
        let error = policy
            .handle(&mut state, &order_placed(3, "C-1"), &deadline)
            .unwrap_err();
        assert_eq!(error.kind, ErrorKind::Shape);
        assert_eq!(error.line, Some(3), "{error}");
        assert!(error.message.contains(expected), "{expected}: {error}");
        assert_eq!(error.event_position, Some(3));
    }
}

// ----- The host -----------------------------------------------------------------------------

#[test]
fn what_a_script_prints_is_kept_for_the_caller() {
    let host = ScriptHost::default();
    let projection = Projection::compile(
        &host,
        "fn OrderPlaced(event) {\n  print(`placed ${event.payload.order}`);\n  debug(1 + 1);\n}",
    )
    .expect("compiles");
    projection
        .run(&[order_placed(5, "C-1")], &Deadline::none())
        .expect("runs");
    assert_eq!(host.take_output(), ["placed O-0005", "line 3: 2"]);
}

#[test]
fn no_script_panics_the_host() {
    let sources = [
        "fn OrderPlaced(event) { this = 5; }",
        "fn OrderPlaced(event) { this.a.b.c = 1; }",
        "fn OrderPlaced(event) { event.payload.lines[99].sku }",
        "fn OrderPlaced(event) { let f = |x| x + 1; this.f = f; }",
        "fn OrderPlaced(event) { let x = 1; let f = || x; this.x = x; this.f = f.call(); }",
        "fn OrderPlaced(event) { this.n = 9223372036854775807 + 1; }",
        "fn OrderPlaced(event) { this.s = \"é\".sub_string(5, -3); }",
        "fn OrderPlaced(event) { this.v = [1, 2].sort(); }",
        "fn OrderPlaced(event) { this.v = (1.0 / 0.0); }",
        "fn rows() { this.undefined_method() }\nfn OrderPlaced(event) {}",
        "fn init() { init() }\nfn OrderPlaced(event) {}",
        "fn OrderPlaced(event) { eval(\"1\") }",
        "fn OrderPlaced(event) { import \"x\" as y; }",
    ];
    let deadline = Deadline::none();
    for source in sources {
        // Any outcome but a panic will do: an error, or a table.
        if let Ok(projection) = projection(source) {
            if let Ok(mut state) = projection.init(&deadline) {
                let _ = projection.apply(&mut state, &order_placed(1, "C-1"), &deadline);
                let _ = projection.table(&state, &deadline);
                let _ = state.to_json();
            }
        }
    }
}
