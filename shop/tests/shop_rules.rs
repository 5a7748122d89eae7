//! The shop's business rules as specifications: given these events, when this command, then
//! these events or this rejection. Every rejection is also checked to have changed nothing: not
//! the log, not the aggregates, not a single read model (see `support::shop::Then::then_rejects`).

mod support;

use eventide_engine::{Metadata, Named, StreamVersion};
use eventide_shop::aggregates::OrderStatus;
use eventide_shop::commands::{Rejection, MAX_QUANTITY};
use eventide_shop::ids::{CustomerId, Money, OrderId, Sku};
use eventide_shop::read_models::{InventoryLevels, OrderSummaries, RevenuePerCustomer};
use eventide_shop::{CommandError, ShopStream};
use support::shop::*;

const ALICE: CustomerId = CustomerId(1);
const BOB: CustomerId = CustomerId(2);
/// Trail running shoes, $129.00.
const SHOES: Sku = Sku(1);
/// Merino wool socks, $19.00.
const SOCKS: Sku = Sku(3);
/// Leather belt, $59.00.
const BELT: Sku = Sku(5);
/// Not in the catalog.
const UNKNOWN: Sku = Sku(99);
const O1: OrderId = OrderId(1);
const O2: OrderId = OrderId(2);

/// Alice's order O-0001: one pair of shoes and two pairs of socks, $167.00.
const ALICES_ORDER: &[(Sku, u32)] = &[(SHOES, 1), (SOCKS, 2)];
const BOBS_ORDER: &[(Sku, u32)] = &[(BELT, 1)];

fn placed() -> eventide_shop::ShopEvent {
    order_placed(O1, ALICE, ALICES_ORDER)
}

fn paid() -> eventide_shop::ShopEvent {
    payment_processed(O1, ALICE, total(ALICES_ORDER))
}

fn shipped() -> eventide_shop::ShopEvent {
    shipment_dispatched(O1, ALICE, "DHL", ALICES_ORDER)
}

fn cancelled(refunded: Money) -> eventide_shop::ShopEvent {
    order_cancelled(O1, ALICE, "changed my mind", refunded)
}

// Placing orders.

#[test]
fn it_should_place_an_order_at_the_catalog_prices() {
    given([]).when(place(ALICE, ALICES_ORDER)).then([placed()]);
    assert_eq!(total(ALICES_ORDER), Money(16_700));
}

#[test]
fn it_should_hand_out_order_numbers_in_sequence() {
    let placing =
        given([placed(), order_placed(O2, BOB, BOBS_ORDER)]).when(place(BOB, &[(SOCKS, 1)]));
    assert_eq!(placing.recorded()[0].stream, ShopStream::Order(OrderId(3)));
    assert_eq!(placing.recorded()[0].version, StreamVersion(1));
    placing
        .then([order_placed(OrderId(3), BOB, &[(SOCKS, 1)])])
        // A refused order does not use up a number.
        .when(place(ALICE, &[]))
        .then_rejects(Rejection::EmptyOrder)
        .when(place(ALICE, &[(BELT, 2)]))
        .then([order_placed(OrderId(4), ALICE, &[(BELT, 2)])]);
}

#[test]
fn it_should_number_the_first_order_one() {
    let spec = given([])
        .when(place(BOB, BOBS_ORDER))
        .then([order_placed(O1, BOB, BOBS_ORDER)]);
    assert_eq!(spec.shop().aggregates().next_order_id(), O2);
}

#[test]
fn it_should_not_place_an_empty_order() {
    given([])
        .when(place(ALICE, &[]))
        .then_rejects(Rejection::EmptyOrder);
}

#[test]
fn it_should_not_place_an_order_for_a_product_not_in_the_catalog() {
    given([])
        .when(place(ALICE, &[(SHOES, 1), (UNKNOWN, 1)]))
        .then_rejects(Rejection::UnknownProduct(UNKNOWN));
}

#[test]
fn it_should_not_place_an_order_with_a_zero_quantity() {
    given([])
        .when(place(ALICE, &[(SHOES, 1), (SOCKS, 0)]))
        .then_rejects(Rejection::ZeroQuantity);
}

#[test]
fn it_should_not_place_an_order_for_more_than_the_largest_quantity() {
    given([])
        .when(place(ALICE, &[(SOCKS, MAX_QUANTITY + 1)]))
        .then_rejects(Rejection::QuantityTooLarge(MAX_QUANTITY + 1));
}

// Paying.

#[test]
fn it_should_take_payment_of_the_order_total() {
    given([placed()]).when(pay(O1)).then([paid()]);
}

#[test]
fn it_should_record_a_declined_payment() {
    let spec = given([placed()])
        .when(decline(O1, "card expired"))
        .then([payment_failed(
            O1,
            ALICE,
            total(ALICES_ORDER),
            "card expired",
        )]);
    let order = spec.shop().aggregates().order(O1).expect("O-0001 exists");
    assert_eq!(order.status, OrderStatus::PaymentFailed);
    assert_eq!(order.paid, Money::ZERO);
}

#[test]
fn it_should_take_payment_on_a_retry_after_a_declined_card() {
    given([
        placed(),
        payment_failed(O1, ALICE, total(ALICES_ORDER), "card declined"),
    ])
    .when(pay(O1))
    .then([paid()]);
}

#[test]
fn it_should_not_take_payment_twice() {
    given([placed(), paid()])
        .when(pay(O1))
        .then_rejects(Rejection::AlreadyPaid(O1));
}

#[test]
fn it_should_not_record_a_declined_payment_for_a_paid_order() {
    given([placed(), paid()])
        .when(decline(O1, "card declined"))
        .then_rejects(Rejection::AlreadyPaid(O1));
}

#[test]
fn it_should_not_take_payment_for_a_shipped_order() {
    given([placed(), paid(), shipped()])
        .when(pay(O1))
        .then_rejects(Rejection::AlreadyPaid(O1));
}

#[test]
fn it_should_not_take_payment_for_a_cancelled_order() {
    given([placed(), cancelled(Money::ZERO)])
        .when(pay(O1))
        .then_rejects(Rejection::OrderCancelled(O1));
}

// Dispatching.

/// Stock for Alice's order, received and reserved for it: what a shipment needs.
fn alices_stock_reserved() -> Vec<eventide_shop::ShopEvent> {
    vec![
        stock_received(SHOES, 10),
        stock_received(SOCKS, 10),
        inventory_reserved(SHOES, O1, 1),
        inventory_reserved(SOCKS, O1, 2),
    ]
}

/// Alice's order placed, with its stock reserved, and paid: ready to ship.
fn ready_to_ship() -> Vec<eventide_shop::ShopEvent> {
    let mut history = vec![placed()];
    history.extend(alices_stock_reserved());
    history.push(paid());
    history
}

#[test]
fn it_should_dispatch_a_paid_order_with_its_lines() {
    given(ready_to_ship())
        .when(dispatch(O1, "  DHL "))
        .then([shipped()]);
}

#[test]
fn it_should_not_dispatch_what_was_never_reserved() {
    given([placed(), paid()])
        .when(dispatch(O1, "DHL"))
        .then_rejects(Rejection::NotReserved {
            order: O1,
            sku: SHOES,
            needed: 1,
            reserved: 0,
        });
}

#[test]
fn it_should_not_dispatch_stock_that_is_on_the_shelf_but_not_reserved() {
    given([
        placed(),
        stock_received(SHOES, 10),
        stock_received(SOCKS, 10),
        paid(),
    ])
    .when(dispatch(O1, "DHL"))
    .then_rejects(Rejection::NotReserved {
        order: O1,
        sku: SHOES,
        needed: 1,
        reserved: 0,
    });
}

#[test]
fn it_should_not_dispatch_an_order_whose_stock_is_only_partly_reserved() {
    given([
        placed(),
        stock_received(SHOES, 10),
        stock_received(SOCKS, 10),
        inventory_reserved(SHOES, O1, 1),
        inventory_reserved(SOCKS, O1, 1),
        paid(),
    ])
    .when(dispatch(O1, "DHL"))
    .then_rejects(Rejection::NotReserved {
        order: O1,
        sku: SOCKS,
        needed: 2,
        reserved: 1,
    });
}

#[test]
fn it_should_not_dispatch_on_another_orders_reservation() {
    given([
        placed(),
        order_placed(O2, BOB, ALICES_ORDER),
        stock_received(SHOES, 10),
        stock_received(SOCKS, 10),
        inventory_reserved(SHOES, O2, 1),
        inventory_reserved(SOCKS, O2, 2),
        paid(),
    ])
    .when(dispatch(O1, "DHL"))
    .then_rejects(Rejection::NotReserved {
        order: O1,
        sku: SHOES,
        needed: 1,
        reserved: 0,
    });
}

#[test]
fn it_should_need_every_line_of_a_product_reserved_to_dispatch() {
    // The same product on two lines: the shipment takes three pairs of socks, not two.
    let socks_twice = &[(SOCKS, 1), (SOCKS, 2)];
    given([
        order_placed(O1, ALICE, socks_twice),
        stock_received(SOCKS, 10),
        inventory_reserved(SOCKS, O1, 2),
        payment_processed(O1, ALICE, total(socks_twice)),
    ])
    .when(dispatch(O1, "DHL"))
    .then_rejects(Rejection::NotReserved {
        order: O1,
        sku: SOCKS,
        needed: 3,
        reserved: 2,
    })
    .when(reserve(O1, SOCKS, 1))
    .then([inventory_reserved(SOCKS, O1, 1)])
    .when(dispatch(O1, "DHL"))
    .then([shipment_dispatched(O1, ALICE, "DHL", socks_twice)]);
}

#[test]
fn it_should_use_a_shipments_reservation_up_and_leave_what_is_available() {
    let spec = given(ready_to_ship())
        .when(dispatch(O1, "DHL"))
        .then([shipped()]);
    let shoes = spec
        .shop()
        .aggregates()
        .stock(SHOES)
        .expect("shoes stocked");
    assert_eq!(
        shoes.reserved_for(O1),
        0,
        "the goods left with the shipment"
    );
    assert_eq!(shoes.available(), 9, "shipping a promise frees nothing");
    let levels = spec
        .shop()
        .history()
        .live()
        .get::<InventoryLevels>()
        .expect("the inventory model");
    for (sku, on_hand, shipped) in [(SHOES, 9, 1), (SOCKS, 8, 2)] {
        let level = levels.get(sku).expect("stocked");
        assert_eq!(
            (
                level.on_hand,
                level.reserved,
                level.available(),
                level.shipped
            ),
            (on_hand, 0, on_hand, shipped),
            "{sku}"
        );
    }
}

#[test]
fn it_should_not_dispatch_an_unpaid_order() {
    given([placed()])
        .when(dispatch(O1, "DHL"))
        .then_rejects(Rejection::NotPaid(O1));
}

#[test]
fn it_should_not_dispatch_an_order_whose_payment_was_declined() {
    given([
        placed(),
        payment_failed(O1, ALICE, total(ALICES_ORDER), "insufficient funds"),
    ])
    .when(dispatch(O1, "DHL"))
    .then_rejects(Rejection::NotPaid(O1));
}

#[test]
fn it_should_not_dispatch_without_a_carrier() {
    given([placed(), paid()])
        .when(dispatch(O1, "   "))
        .then_rejects(Rejection::NoCarrier);
}

#[test]
fn it_should_not_dispatch_an_order_twice() {
    given([placed(), paid(), shipped()])
        .when(dispatch(O1, "UPS"))
        .then_rejects(Rejection::AlreadyDispatched(O1));
}

#[test]
fn it_should_not_dispatch_a_cancelled_order() {
    given([placed(), paid(), cancelled(total(ALICES_ORDER))])
        .when(dispatch(O1, "DHL"))
        .then_rejects(Rejection::OrderCancelled(O1));
}

// Cancelling.

#[test]
fn it_should_cancel_an_unpaid_order_with_nothing_to_refund() {
    given([placed()])
        .when(cancel(O1, " changed my mind "))
        .then([cancelled(Money::ZERO)]);
}

#[test]
fn it_should_refund_what_was_paid_when_a_paid_order_is_cancelled() {
    let spec = given([placed(), paid()])
        .when(cancel(O1, "changed my mind"))
        .then([cancelled(total(ALICES_ORDER))]);
    let revenue = spec
        .shop()
        .history()
        .live()
        .get::<RevenuePerCustomer>()
        .and_then(|revenue| revenue.get(ALICE))
        .expect("Alice has a revenue row");
    assert_eq!(revenue.revenue, Money::ZERO);
    assert_eq!(revenue.refunded, total(ALICES_ORDER));
}

#[test]
fn it_should_refund_a_payment_that_was_taken_on_a_retry() {
    given([
        placed(),
        payment_failed(O1, ALICE, total(ALICES_ORDER), "card declined"),
        paid(),
    ])
    .when(cancel(O1, "changed my mind"))
    .then([cancelled(total(ALICES_ORDER))]);
}

#[test]
fn it_should_refund_nothing_when_the_only_payment_was_declined() {
    given([
        placed(),
        payment_failed(O1, ALICE, total(ALICES_ORDER), "card declined"),
    ])
    .when(cancel(O1, "changed my mind"))
    .then([cancelled(Money::ZERO)]);
}

#[test]
fn it_should_not_cancel_a_shipped_order() {
    given([placed(), paid(), shipped()])
        .when(cancel(O1, "too late"))
        .then_rejects(Rejection::AlreadyDispatched(O1));
}

#[test]
fn it_should_not_cancel_an_order_twice() {
    given([placed(), cancelled(Money::ZERO)])
        .when(cancel(O1, "again"))
        .then_rejects(Rejection::OrderCancelled(O1));
}

#[test]
fn it_should_reject_every_command_for_an_order_that_does_not_exist() {
    let spec = given([placed(), stock_received(SHOES, 10)]);
    let spec = spec.when(pay(O2)).then_rejects(Rejection::UnknownOrder(O2));
    let spec = spec
        .when(dispatch(O2, "DHL"))
        .then_rejects(Rejection::UnknownOrder(O2));
    let spec = spec
        .when(cancel(O2, "nope"))
        .then_rejects(Rejection::UnknownOrder(O2));
    let spec = spec
        .when(reserve(O2, SHOES, 1))
        .then_rejects(Rejection::UnknownOrder(O2));
    let spec = spec
        .when(release(O2, SHOES, 1))
        .then_rejects(Rejection::UnknownOrder(O2));
    // Order numbers start at 1: there is no O-0000.
    spec.when(pay(OrderId(0)))
        .then_rejects(Rejection::UnknownOrder(OrderId(0)));
}

// Stock.

#[test]
fn it_should_receive_stock() {
    given([])
        .when(restock(SHOES, 20))
        .then([stock_received(SHOES, 20)]);
}

#[test]
fn it_should_not_receive_stock_of_a_product_not_in_the_catalog() {
    given([])
        .when(restock(UNKNOWN, 20))
        .then_rejects(Rejection::UnknownProduct(UNKNOWN));
}

#[test]
fn it_should_not_receive_zero_stock() {
    given([])
        .when(restock(SHOES, 0))
        .then_rejects(Rejection::ZeroQuantity);
}

#[test]
fn it_should_reserve_available_stock_for_an_order() {
    let spec = given([placed(), stock_received(SHOES, 5)])
        .when(reserve(O1, SHOES, 5))
        .then([inventory_reserved(SHOES, O1, 5)]);
    let stock = spec
        .shop()
        .aggregates()
        .stock(SHOES)
        .expect("shoes are stocked");
    assert_eq!(stock.available(), 0);
    assert_eq!(stock.reserved_for(O1), 5);
}

#[test]
fn it_should_not_reserve_more_than_is_available() {
    given([placed(), stock_received(SHOES, 5)])
        .when(reserve(O1, SHOES, 6))
        .then_rejects(Rejection::OutOfStock {
            sku: SHOES,
            available: 5,
            requested: 6,
        });
}

#[test]
fn it_should_count_other_orders_reservations_as_unavailable() {
    given([
        placed(),
        order_placed(O2, BOB, &[(SHOES, 4)]),
        stock_received(SHOES, 10),
        inventory_reserved(SHOES, O1, 7),
    ])
    .when(reserve(O2, SHOES, 4))
    .then_rejects(Rejection::OutOfStock {
        sku: SHOES,
        available: 3,
        requested: 4,
    })
    .when(reserve(O2, SHOES, 3))
    .then([inventory_reserved(SHOES, O2, 3)]);
}

#[test]
fn it_should_make_released_stock_available_again() {
    given([
        placed(),
        order_placed(O2, BOB, &[(SHOES, 3)]),
        stock_received(SHOES, 5),
        inventory_reserved(SHOES, O1, 5),
        inventory_released(SHOES, O1, 2),
    ])
    .when(reserve(O2, SHOES, 3))
    .then_rejects(Rejection::OutOfStock {
        sku: SHOES,
        available: 2,
        requested: 3,
    })
    .when(reserve(O2, SHOES, 2))
    .then([inventory_reserved(SHOES, O2, 2)]);
}

#[test]
fn it_should_not_reserve_a_product_that_was_never_stocked() {
    given([placed()])
        .when(reserve(O1, SOCKS, 1))
        .then_rejects(Rejection::OutOfStock {
            sku: SOCKS,
            available: 0,
            requested: 1,
        });
}

#[test]
fn it_should_not_reserve_a_product_not_in_the_catalog() {
    given([placed()])
        .when(reserve(O1, UNKNOWN, 1))
        .then_rejects(Rejection::UnknownProduct(UNKNOWN));
}

#[test]
fn it_should_not_reserve_zero() {
    given([placed(), stock_received(SHOES, 5)])
        .when(reserve(O1, SHOES, 0))
        .then_rejects(Rejection::ZeroQuantity);
}

#[test]
fn it_should_release_what_an_order_reserved() {
    given([
        placed(),
        stock_received(SHOES, 5),
        inventory_reserved(SHOES, O1, 3),
    ])
    .when(release(O1, SHOES, 3))
    .then([inventory_released(SHOES, O1, 3)]);
}

#[test]
fn it_should_not_release_more_than_was_reserved() {
    given([
        placed(),
        stock_received(SHOES, 5),
        inventory_reserved(SHOES, O1, 3),
    ])
    .when(release(O1, SHOES, 4))
    .then_rejects(Rejection::NothingToRelease {
        order: O1,
        sku: SHOES,
        quantity: 4,
    });
}

#[test]
fn it_should_not_release_what_another_order_reserved() {
    given([
        placed(),
        order_placed(O2, BOB, BOBS_ORDER),
        stock_received(SHOES, 5),
        inventory_reserved(SHOES, O1, 3),
    ])
    .when(release(O2, SHOES, 1))
    .then_rejects(Rejection::NothingToRelease {
        order: O2,
        sku: SHOES,
        quantity: 1,
    });
}

#[test]
fn it_should_not_release_a_reservation_twice() {
    given([
        placed(),
        stock_received(SHOES, 5),
        inventory_reserved(SHOES, O1, 3),
        inventory_released(SHOES, O1, 3),
    ])
    .when(release(O1, SHOES, 1))
    .then_rejects(Rejection::NothingToRelease {
        order: O1,
        sku: SHOES,
        quantity: 1,
    });
}

// Carts.

#[test]
fn it_should_record_a_product_view() {
    given([])
        .when(view(ALICE, SHOES))
        .then([product_viewed(ALICE, SHOES)]);
}

#[test]
fn it_should_not_record_a_view_of_a_product_not_in_the_catalog() {
    given([])
        .when(view(ALICE, UNKNOWN))
        .then_rejects(Rejection::UnknownProduct(UNKNOWN));
}

#[test]
fn it_should_add_an_item_to_a_cart_at_the_catalog_price() {
    given([])
        .when(add(ALICE, SHOES, 2))
        .then([item_added(ALICE, SHOES, 2)]);
}

#[test]
fn it_should_not_add_a_product_not_in_the_catalog() {
    given([])
        .when(add(ALICE, UNKNOWN, 1))
        .then_rejects(Rejection::UnknownProduct(UNKNOWN));
}

#[test]
fn it_should_not_add_zero_items() {
    given([])
        .when(add(ALICE, SHOES, 0))
        .then_rejects(Rejection::ZeroQuantity);
}

#[test]
fn it_should_remove_an_item_from_a_cart() {
    given([item_added(ALICE, SHOES, 2)])
        .when(remove(ALICE, SHOES, 1))
        .then([item_removed(ALICE, SHOES, 1)]);
}

#[test]
fn it_should_not_remove_more_than_the_cart_holds() {
    given([item_added(ALICE, SHOES, 2)])
        .when(remove(ALICE, SHOES, 3))
        .then_rejects(Rejection::NotInCart {
            customer: ALICE,
            sku: SHOES,
        });
}

#[test]
fn it_should_not_remove_an_item_from_an_empty_cart() {
    given([])
        .when(remove(ALICE, SHOES, 1))
        .then_rejects(Rejection::NotInCart {
            customer: ALICE,
            sku: SHOES,
        });
}

#[test]
fn it_should_not_remove_zero_items() {
    given([item_added(ALICE, SHOES, 2)])
        .when(remove(ALICE, SHOES, 0))
        .then_rejects(Rejection::ZeroQuantity);
}

#[test]
fn it_should_check_out_a_cart_with_its_lines_and_total() {
    given([
        item_added(ALICE, SHOES, 1),
        item_added(ALICE, SOCKS, 1),
        item_added(ALICE, BELT, 1),
        item_added(ALICE, SOCKS, 1),
        item_removed(ALICE, BELT, 1),
    ])
    .when(check_out(ALICE))
    .then([cart_checked_out(ALICE, ALICES_ORDER)]);
}

#[test]
fn it_should_not_check_out_an_empty_cart() {
    given([])
        .when(check_out(ALICE))
        .then_rejects(Rejection::EmptyCart(ALICE));
}

#[test]
fn it_should_not_check_out_a_cart_whose_items_were_all_removed() {
    given([item_added(ALICE, SHOES, 2), item_removed(ALICE, SHOES, 2)])
        .when(check_out(ALICE))
        .then_rejects(Rejection::EmptyCart(ALICE));
}

#[test]
fn it_should_empty_the_cart_on_checkout() {
    let spec = given([item_added(ALICE, SHOES, 1)])
        .when(check_out(ALICE))
        .then([cart_checked_out(ALICE, &[(SHOES, 1)])]);
    let cart = spec
        .shop()
        .aggregates()
        .cart(ALICE)
        .expect("Alice has a cart");
    assert!(cart.lines().is_empty());
    spec.when(check_out(ALICE))
        .then_rejects(Rejection::EmptyCart(ALICE))
        .when(remove(ALICE, SHOES, 1))
        .then_rejects(Rejection::NotInCart {
            customer: ALICE,
            sku: SHOES,
        });
}

#[test]
fn it_should_keep_each_customers_cart_to_themselves() {
    given([item_added(ALICE, SHOES, 1), item_added(BOB, BELT, 1)])
        .when(remove(BOB, SHOES, 1))
        .then_rejects(Rejection::NotInCart {
            customer: BOB,
            sku: SHOES,
        })
        .when(check_out(BOB))
        .then([cart_checked_out(BOB, BOBS_ORDER)])
        .when(check_out(ALICE))
        .then([cart_checked_out(ALICE, &[(SHOES, 1)])]);
}

// Flows: correlation and causation.

#[test]
fn it_should_start_a_new_flow_when_the_command_continues_none() {
    let placing = given([]).when(place(ALICE, ALICES_ORDER));
    let event = &placing.recorded()[0];
    assert_eq!(event.correlation_id, event.id.as_correlation());
    assert_eq!(event.causation_id, None);
    assert!(event.metadata.is_empty());
}

#[test]
fn it_should_carry_the_correlation_and_causation_given_by_in_flow() {
    let placing = given([]).when(place(ALICE, ALICES_ORDER));
    let first = placing.recorded()[0].clone();
    let paying =
        placing
            .then([placed()])
            .when_in_flow(pay(O1), first.correlation_id, Some(first.id));
    let second = paying.recorded()[0].clone();
    assert_ne!(second.id, first.id);
    assert_eq!(second.correlation_id, first.correlation_id);
    assert_eq!(second.causation_id, Some(first.id));

    // The stock arrives and is reserved in flows of its own: a shipment needs it.
    let mut stocked = paying.then([paid()]);
    for (command, event) in [
        (restock(SHOES, 10), stock_received(SHOES, 10)),
        (restock(SOCKS, 10), stock_received(SOCKS, 10)),
        (reserve(O1, SHOES, 1), inventory_reserved(SHOES, O1, 1)),
        (reserve(O1, SOCKS, 2), inventory_reserved(SOCKS, O1, 2)),
    ] {
        stocked = stocked.when(command).then([event]);
    }
    let dispatching = stocked.when_in_flow(dispatch(O1, "DHL"), first.correlation_id, None);
    let third = dispatching.recorded()[0].clone();
    assert_eq!(third.correlation_id, first.correlation_id);
    assert_eq!(third.causation_id, None);

    let spec = dispatching.then([shipped()]);
    let flow: Vec<_> = spec
        .shop()
        .store()
        .read_by_correlation(first.correlation_id)
        .map(|event| event.id)
        .collect();
    assert_eq!(flow, [first.id, second.id, third.id]);
}

#[test]
fn it_should_carry_the_commands_metadata_into_its_event() {
    let adding = given([]).when_with_metadata(
        add(ALICE, SHOES, 1),
        Metadata::default().with("screen", "catalog"),
    );
    assert_eq!(adding.recorded()[0].metadata.get("screen"), Some("catalog"));
}

// Business time.

#[test]
fn it_should_record_a_back_dated_fact_at_its_business_time() {
    let spec = given([]);
    let yesterday = spec.now().plus_millis(-86_400_000);
    let spec = spec
        .when_dated(restock(SHOES, 5), yesterday)
        .then([stock_received(SHOES, 5)]);
    let recorded = &spec.shop().store().events()[0];
    assert_eq!(recorded.occurred_at, yesterday);
    assert!(recorded.recorded_at > recorded.occurred_at);
}

#[test]
fn it_should_not_accept_a_business_time_later_than_now() {
    let spec = given([placed()]);
    let now = spec.now();
    // 2099-01-01T00:00:00Z.
    let in_2099 = eventide_engine::Timestamp(4_070_908_800_000);
    let spec = spec
        .when_dated(pay(O1), in_2099)
        .then_fails(CommandError::OccursInTheFuture {
            command: "ProcessPayment",
            occurred_at: in_2099,
            now,
        });
    // A millisecond ahead of the clock is just as much in the future.
    let now = spec.now();
    let spec =
        spec.when_dated(pay(O1), now.plus_millis(1))
            .then_fails(CommandError::OccursInTheFuture {
                command: "ProcessPayment",
                occurred_at: now.plus_millis(1),
                now,
            });
    let now = spec.now();
    spec.when_dated(pay(O1), now).then([paid()]);
}

// Refusals.

#[test]
fn it_should_append_nothing_and_change_no_read_model_when_a_command_is_rejected() {
    // A shop with something in every read model, and a cursor in the past.
    let spec = given([
        stock_received(SHOES, 10),
        item_added(BOB, SOCKS, 1),
        placed(),
        inventory_reserved(SHOES, O1, 1),
        paid(),
        shipped(),
        order_placed(O2, BOB, BOBS_ORDER),
    ]);
    let length = spec.shop().store().len();
    let models = spec.shop().history().live().iter().count();
    assert_eq!(models, 5);
    // Every model has rows, except the sagas': no saga runs without orchestration.
    assert!(spec
        .shop()
        .history()
        .live()
        .iter()
        .filter(|model| model.name() != "Sagas")
        .all(|model| model.row_count() > 0));

    let rejected = [
        (place(ALICE, &[]), Rejection::EmptyOrder),
        (pay(O1), Rejection::AlreadyPaid(O1)),
        (dispatch(O2, "DHL"), Rejection::NotPaid(O2)),
        (cancel(O1, "late"), Rejection::AlreadyDispatched(O1)),
        (
            reserve(O2, SHOES, 10),
            Rejection::OutOfStock {
                sku: SHOES,
                available: 9,
                requested: 10,
            },
        ),
        (
            release(O2, SHOES, 1),
            Rejection::NothingToRelease {
                order: O2,
                sku: SHOES,
                quantity: 1,
            },
        ),
        (check_out(ALICE), Rejection::EmptyCart(ALICE)),
        (add(BOB, UNKNOWN, 1), Rejection::UnknownProduct(UNKNOWN)),
        (restock(SHOES, 0), Rejection::ZeroQuantity),
    ];
    let mut spec = spec;
    for (command, rejection) in rejected {
        spec = spec.when(command).then_rejects(rejection);
    }
    assert_eq!(spec.shop().store().len(), length);

    // The next accepted command lands right after the last event, as if nothing had happened.
    let accepted = spec.when(pay(O2));
    assert_eq!(accepted.recorded()[0].position.0, length as u64 + 1);
    assert_eq!(accepted.recorded()[0].kind().name(), "PaymentProcessed");
}

#[test]
fn it_should_leave_the_read_models_as_the_events_say() {
    let spec = given(ready_to_ship())
        .when(dispatch(O1, "DHL"))
        .then([shipped()]);
    let live = spec.shop().history().live();
    let summary = live
        .get::<OrderSummaries>()
        .and_then(|orders| orders.get(O1))
        .expect("O-0001 is summarised");
    assert_eq!(summary.status, OrderStatus::Shipped);
    assert_eq!(summary.items, 3);
    let shoes = live
        .get::<InventoryLevels>()
        .and_then(|levels| levels.get(SHOES))
        .expect("shoes are stocked");
    assert_eq!((shoes.on_hand, shoes.reserved, shoes.shipped), (9, 0, 1));
}

// Regressions.

/// Bug: stock reserved for an order stayed reserved in the Inventory aggregate after the order
/// shipped, and could then be released. The release put shipped goods back on sale: the
/// aggregate counted them available again (overselling), while the inventory read model, which
/// had already taken them off the shelf at dispatch, went to a negative reservation.
#[test]
fn regression_releasing_a_shipped_orders_reservation_put_shipped_stock_back_on_sale() {
    given([
        stock_received(SHOES, 1),
        placed(),
        inventory_reserved(SHOES, O1, 1),
        paid(),
        shipped(),
    ])
    .when(release(O1, SHOES, 1))
    .then_rejects(Rejection::AlreadyDispatched(O1));
}

/// More of one thing than a `u32` counts: 4,295 lines or events of a million each.
const PAST_U32: usize = 4_295;

/// Bug: a cart line's quantity was summed with `+=`, so a cart holding more than 4,294,967,295
/// of one product panicked in a debug build (and wrapped around in a release build), whether
/// the items came from commands or from an imported log. Folding events must never panic.
#[test]
fn regression_a_cart_line_of_more_than_u32_max_items_overflowed() {
    let history = vec![item_added(ALICE, SOCKS, MAX_QUANTITY); PAST_U32];
    let spec = given(history);
    let cart = spec
        .shop()
        .aggregates()
        .cart(ALICE)
        .expect("Alice has a cart");
    assert_eq!(cart.lines()[0].quantity, u32::MAX);
}

/// Bug: an order's reservations of one product were summed with `+=`: the same overflow as
/// the cart's, in the Inventory aggregate.
#[test]
fn regression_reserving_more_than_u32_max_units_for_one_order_overflowed() {
    let mut history = vec![placed()];
    history.extend(vec![inventory_reserved(SOCKS, O1, MAX_QUANTITY); PAST_U32]);
    let spec = given(history);
    let stock = spec
        .shop()
        .aggregates()
        .stock(SOCKS)
        .expect("socks are reserved");
    assert_eq!(stock.reserved_for(O1), u32::MAX);
}

/// Bug: the order summary added up an order's items with `sum()`, which overflowed for an order
/// of more than 4,294,967,295 items (thousands of lines of a million each).
#[test]
fn regression_an_order_of_more_than_u32_max_items_overflowed_its_summary() {
    let huge = vec![(SOCKS, MAX_QUANTITY); PAST_U32];
    let spec = given([])
        .when(place(ALICE, &huge))
        .then([order_placed(O1, ALICE, &huge)]);
    let summary = spec
        .shop()
        .history()
        .live()
        .get::<OrderSummaries>()
        .and_then(|orders| orders.get(O1))
        .expect("O-0001 is summarised");
    assert_eq!(summary.items, u32::MAX);
}
