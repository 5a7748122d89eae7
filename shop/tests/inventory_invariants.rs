//! Stock never goes negative, whatever a user asks for and in whatever order.
//!
//! Random sequences of shop commands over a few products and orders (placing, paying, declining,
//! reserving, releasing, restocking, dispatching and cancelling, including a dispatch with
//! nothing reserved or unpaid, a cancel after a dispatch and a release after it) are sent one
//! at a time through `Shop::execute`. After every command, accepted or not, every figure of the
//! stock (on hand, reserved, available) is checked to be at least zero on both sides that keep
//! it: the Inventory aggregate, which decides, and the Inventory read model, which only folds.
//! The two must also agree, and what was received must equal what is on hand plus what shipped.

use eventide_engine::rng::SeededRng;
use eventide_engine::Timestamp;
use eventide_shop::commands::{PaymentOutcome, RequestedLine, ShopCommand};
use eventide_shop::ids::{CustomerId, OrderId, Sku};
use eventide_shop::read_models::InventoryLevels;
use eventide_shop::{CommandContext, CommandError, Shop};
use proptest::prelude::*;

/// 2025-11-26T09:54:00Z.
const START: Timestamp = Timestamp(1_764_150_840_000);

/// Three products of the catalog and one that is not in it.
const SKUS: &[Sku] = &[Sku(1), Sku(3), Sku(5), Sku(99)];

fn sku() -> impl Strategy<Value = Sku> {
    prop::sample::select(SKUS)
}

/// Order numbers around the few a run places, so some commands name an order that is not there.
fn order() -> impl Strategy<Value = OrderId> {
    (0u32..5).prop_map(OrderId)
}

fn quantity() -> impl Strategy<Value = u32> {
    prop_oneof![8 => 1u32..6, 1 => Just(0), 1 => Just(1_000_000)]
}

fn command() -> impl Strategy<Value = ShopCommand> {
    prop_oneof![
        2 => (
            1u32..3,
            prop::collection::vec((sku(), 1u32..4), 1..4)
        )
            .prop_map(|(customer, lines)| ShopCommand::PlaceOrder {
                customer: CustomerId(customer),
                lines: lines
                    .into_iter()
                    .map(|(sku, quantity)| RequestedLine { sku, quantity })
                    .collect(),
            }),
        2 => (order(), prop::bool::weighted(0.8)).prop_map(|(order, approved)| {
            ShopCommand::ProcessPayment {
                order,
                outcome: if approved {
                    PaymentOutcome::Approved
                } else {
                    PaymentOutcome::Declined {
                        reason: "card declined".into(),
                    }
                },
            }
        }),
        3 => (order(), sku(), quantity()).prop_map(|(order, sku, quantity)| {
            ShopCommand::ReserveInventory {
                order,
                sku,
                quantity,
            }
        }),
        2 => (order(), sku(), quantity()).prop_map(|(order, sku, quantity)| {
            ShopCommand::ReleaseInventory {
                order,
                sku,
                quantity,
            }
        }),
        2 => (sku(), quantity())
            .prop_map(|(sku, quantity)| ShopCommand::RestockInventory { sku, quantity }),
        3 => order().prop_map(|order| ShopCommand::DispatchShipment {
            order,
            carrier: "DHL".into(),
        }),
        1 => order().prop_map(|order| ShopCommand::CancelOrder {
            order,
            reason: "changed my mind".into(),
        }),
    ]
}

/// Every stock figure is at least zero on the aggregate and on the read model, and both agree.
fn check_stock(shop: &Shop, after: &str) -> Result<(), TestCaseError> {
    let levels = shop
        .history()
        .live()
        .get::<InventoryLevels>()
        .ok_or_else(|| TestCaseError::fail("the Inventory read model is registered"))?;
    for level in levels.iter() {
        prop_assert!(
            level.on_hand >= 0 && level.reserved >= 0 && level.available() >= 0,
            "after {}: {} shows on hand {}, reserved {}, available {}",
            after,
            level.sku,
            level.on_hand,
            level.reserved,
            level.available()
        );
        prop_assert!(level.shipped >= 0, "after {}: {} shipped", after, level.sku);
    }
    for &sku in SKUS {
        let stock = shop.aggregates().stock_or_empty(sku);
        let (on_hand, reserved, available) = levels.get(sku).map_or((0, 0, 0), |level| {
            (level.on_hand, level.reserved, level.available())
        });
        // The aggregate counts in unsigned numbers: it agrees with a read model that never
        // went negative only if neither lost track of a unit.
        prop_assert_eq!(
            (
                i128::from(stock.on_hand()),
                i128::from(stock.reserved()),
                i128::from(stock.available())
            ),
            (
                i128::from(on_hand),
                i128::from(reserved),
                i128::from(available)
            ),
            "after {}: the aggregate and the read model disagree on {}",
            after,
            sku
        );
    }
    Ok(())
}

/// Every unit received is either on hand or has shipped.
fn check_conservation(shop: &Shop, after: &str) -> Result<(), TestCaseError> {
    let levels = shop
        .history()
        .live()
        .get::<InventoryLevels>()
        .ok_or_else(|| TestCaseError::fail("the Inventory read model is registered"))?;
    for &sku in SKUS {
        let received: i64 = shop
            .store()
            .events()
            .iter()
            .filter_map(|event| match &event.event {
                eventide_shop::ShopEvent::StockReceived { sku: s, quantity } if *s == sku => {
                    Some(i64::from(*quantity))
                }
                _ => None,
            })
            .sum();
        let (on_hand, shipped) = levels
            .get(sku)
            .map_or((0, 0), |level| (level.on_hand, level.shipped));
        prop_assert_eq!(on_hand + shipped, received, "after {}: {}", after, sku);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_sequence_of_accepted_commands_makes_any_stock_figure_negative(
        commands in prop::collection::vec(command(), 1..60)
    ) {
        let mut shop = Shop::new();
        let mut ids = SeededRng::new(11);
        let mut now = START;
        for (step, command) in commands.into_iter().enumerate() {
            let after = format!("command {} ({:?})", step + 1, command);
            match shop.execute(command, CommandContext::new(now, &mut ids)) {
                Ok(_) | Err(CommandError::Rejected { .. }) => {}
                Err(other) => return Err(TestCaseError::fail(format!("{after}: {other}"))),
            }
            now = now.plus_millis(1_000);
            check_stock(&shop, &after)?;
            check_conservation(&shop, &after)?;
        }
        // The aggregates are a fold of the log like the read models: a rebuild agrees.
        prop_assert!(shop.history().rebuild(shop.store()).same_state(shop.history().live()));
    }
}
