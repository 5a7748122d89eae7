//! Queries on the fields of an order's lines (`data.lines.sku`): over a generated log, the
//! filter selects exactly the events a plain reading of each envelope's JSON selects (some
//! line has it), with `not` meaning no line has it.

use eventide_engine::query::{Filter, Matches};
use eventide_engine::{Position, Timestamp};
use eventide_shop::events::ShopEvent;
use eventide_shop::generator::{generate_orders, GeneratorConfig};
use eventide_shop::Shop;
use serde_json::Value;

fn generated() -> Shop {
    let mut shop = Shop::new();
    generate_orders(&mut shop, GeneratorConfig::new(11, Timestamp(0)), 300).expect("generates");
    shop
}

/// The positions whose payload has a line for which `holds` says yes.
fn naive(shop: &Shop, holds: impl Fn(&Value) -> bool) -> Vec<Position> {
    shop.store()
        .events()
        .iter()
        .filter(|event| {
            let json = event.to_json();
            json["payload"]["lines"]
                .as_array()
                .is_some_and(|lines| lines.iter().any(&holds))
        })
        .map(|event| event.position)
        .collect()
}

fn matched(shop: &Shop, query: &str) -> Vec<Position> {
    let filter = Filter::<ShopEvent>::parse(query)
        .expect("the query reads")
        .expect("not blank");
    Matches::scan(&filter, shop.store().events())
        .positions()
        .to_vec()
}

#[test]
fn a_line_field_matches_the_events_with_such_a_line() {
    let shop = generated();
    let sku = naive(&shop, |line| line["sku"] == "SKU-03");
    assert!(!sku.is_empty(), "the generated log sells SKU-03");
    assert_eq!(matched(&shop, r#"data.lines.sku == "SKU-03""#), sku);
    let many = naive(&shop, |line| {
        line["quantity"].as_i64().is_some_and(|q| q >= 2)
    });
    assert!(!many.is_empty());
    assert_eq!(matched(&shop, "data.lines.quantity >= 2"), many);
    let dear = naive(&shop, |line| {
        line["unit_price"]
            .as_i64()
            .is_some_and(|cents| cents > 5_000)
    });
    assert_eq!(matched(&shop, "data.lines.unit_price > 5000"), dear);
}

#[test]
fn not_a_line_field_means_no_line_has_it() {
    let shop = generated();
    let with = naive(&shop, |line| line["sku"] == "SKU-03");
    let orders: Vec<Position> = matched(&shop, "type == OrderPlaced");
    let without: Vec<Position> = orders
        .iter()
        .copied()
        .filter(|position| !with.contains(position))
        .collect();
    assert_eq!(
        matched(
            &shop,
            r#"type == OrderPlaced and not data.lines.sku == "SKU-03""#
        ),
        without
    );
}

#[test]
fn a_line_field_no_event_has_is_refused() {
    let problem = Filter::<ShopEvent>::parse("data.lines.colour == red")
        .err()
        .map(|error| error.to_string())
        .unwrap_or_default();
    assert!(problem.contains("lines.colour"), "{problem}");
    assert!(
        Filter::<ShopEvent>::parse("data.a.b.c == 1").is_err(),
        "two levels at most"
    );
}
