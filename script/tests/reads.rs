//! Which payload fields a script's handlers read, told from the source before it runs: named
//! accesses through the event or an alias of its payload, and "every field" wherever the text
//! cannot tell.

use eventide_script::{Policy, Projection, ScriptHost, EXAMPLES};
use eventide_shop::evolution::FieldReads;

fn reads(source: &str) -> Vec<(String, FieldReads)> {
    Projection::compile(&ScriptHost::default(), source)
        .unwrap_or_else(|error| panic!("{error}"))
        .reads()
        .to_vec()
}

fn fields(names: &[&str]) -> FieldReads {
    FieldReads::Fields(names.iter().map(|name| name.to_string()).collect())
}

#[test]
fn it_should_find_the_fields_read_through_the_event_and_an_alias_of_its_payload() {
    let found = reads(
        r#"
fn OrderPlaced(event) {
    let order = event.payload;
    let row = this[order.customer] ?? #{ orders: 0, ordered: 0 };
    row.ordered += order["total"];
    row.first_sku = event.payload.lines[0].sku;
    row.at = event.occurred_at;
    row.position = event["position"];
    this[order.customer] = row;
}
fn PaymentFailed(e) {
    let copy = e;
    let p = copy.payload;
    let again = p;
    this.last = again?.reason;
}
"#,
    );
    assert_eq!(
        found,
        [
            (
                "OrderPlaced".to_string(),
                fields(&["customer", "lines", "total"])
            ),
            ("PaymentFailed".to_string(), fields(&["reason"])),
        ]
    );
}

#[test]
fn it_should_assume_every_field_when_the_source_cannot_tell() {
    for body in [
        "let name = \"total\"; this.x = event.payload[name];",
        "this.last = event.payload;",
        "let order = event.payload; this.last = order;",
        "let order = event.payload; for key in order.keys() { this[key] = 1; }",
        "let order = event.payload; if \"total\" in order { this.x = 1; }",
        "this.x = helper(event);",
        "let order = event.payload; this.x = helper(order);",
        "let order = event.payload; let f = || order.total; this.x = f.call();",
        "let key = \"payload\"; this.x = event[key].total;",
    ] {
        let source = format!("fn helper(x) {{ x }}\nfn OrderPlaced(event) {{ {body} }}");
        assert_eq!(
            reads(&source),
            [("OrderPlaced".to_string(), FieldReads::Every)],
            "{body}"
        );
    }
}

#[test]
fn it_should_read_no_field_of_a_handler_that_only_counts() {
    assert_eq!(
        reads("fn OrderPlaced(event) { this.count = (this.count ?? 0) + 1; this.at = event.position; }"),
        [("OrderPlaced".to_string(), fields(&[]))]
    );
}

#[test]
fn the_examples_read_what_they_say() {
    let host = ScriptHost::default();
    let of = |name: &str| {
        EXAMPLES
            .iter()
            .find(|example| example.name.starts_with(name))
            .map(|example| example.source)
            .expect("the example exists")
    };
    let orders = Projection::compile(&host, of("Orders per customer")).expect("compiles");
    assert_eq!(
        orders.reads(),
        [(
            "OrderPlaced".to_string(),
            fields(&["customer", "order", "total"])
        )]
    );
    let revenue = Projection::compile(&host, of("Revenue per customer")).expect("compiles");
    assert_eq!(
        revenue.reads(),
        [
            (
                "OrderCancelled".to_string(),
                fields(&["customer", "refunded"])
            ),
            (
                "PaymentProcessed".to_string(),
                fields(&["amount", "customer"])
            ),
        ]
    );
    let fraud = Policy::compile(&host, of("Fraud")).expect("compiles");
    assert_eq!(
        fraud.reads(),
        [("PaymentFailed".to_string(), fields(&["customer", "order"]))]
    );
}
