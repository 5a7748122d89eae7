//! What a user-written policy asks for joins the simulation like a built-in service's reaction:
//! in the cause's flow, in the policy's name, validated, all or nothing.

use eventide_engine::rng::SeededRng;
use eventide_engine::{Position, Timestamp};
use eventide_shop::commands::ShopCommand;
use eventide_shop::events::ShopEvent;
use eventide_shop::ids::{CustomerId, Money, OrderId, Sku};
use eventide_shop::simulation::{
    PolicyActor, ScriptReaction, Simulation, SimulationConfig, PRODUCER, SCRIPT, STOREFRONT,
};
use eventide_shop::CommandError;

fn shop_with_a_cart() -> (Simulation, SeededRng) {
    let mut ids = SeededRng::new(9);
    let mut simulation =
        Simulation::idle(SimulationConfig::new(1, 0, Timestamp(1_700_000_000_000)));
    simulation
        .execute(
            ShopCommand::AddItemToCart {
                customer: CustomerId(7),
                sku: Sku(1),
                quantity: 2,
            },
            &mut ids,
        )
        .expect("a valid command");
    (simulation, ids)
}

#[test]
fn a_published_reaction_is_in_the_cause_s_flow_and_the_policy_s_name() {
    let (mut simulation, mut ids) = shop_with_a_cart();
    let head = simulation.shop().store().head();
    let email = ShopEvent::EmailSent {
        customer: CustomerId(7),
        order: None,
        template: "welcome".into(),
    };
    simulation
        .react_for(
            PolicyActor {
                id: 3,
                name: "Welcome mail",
            },
            head,
            ScriptReaction::Publish(email),
            &mut ids,
        )
        .expect("published");
    let store = simulation.shop().store();
    let (cause, effect) = (&store.events()[0], &store.events()[1]);
    assert_eq!(effect.correlation_id, cause.correlation_id);
    assert_eq!(effect.causation_id, Some(cause.id));
    assert_eq!(effect.metadata.get(PRODUCER), Some("policy: Welcome mail"));
    assert_eq!(effect.metadata.get(SCRIPT), Some("3"));
}

#[test]
fn an_invalid_or_refused_reaction_changes_nothing() {
    let (mut simulation, mut ids) = shop_with_a_cart();
    let head = simulation.shop().store().head();
    let bad_score = ShopEvent::FraudCheckPassed {
        order: OrderId(1),
        customer: CustomerId(7),
        score: 200,
        amount: Money(100),
    };
    let error = simulation
        .react_for(
            actor("Scorer"),
            head,
            ScriptReaction::Publish(bad_score),
            &mut ids,
        )
        .expect_err("invalid");
    assert!(matches!(error, CommandError::Invalid { .. }), "{error}");
    let refused = ShopCommand::DispatchShipment {
        order: OrderId(99),
        carrier: "DHL".into(),
    };
    assert!(simulation
        .react_for(
            actor("Shipper"),
            head,
            ScriptReaction::Command(refused),
            &mut ids
        )
        .is_err());
    assert!(simulation
        .react_for(
            actor("Lost"),
            Position(42),
            ScriptReaction::Publish(ShopEvent::ChaosModeDisabled {}),
            &mut ids
        )
        .is_err());
    assert_eq!(simulation.shop().store().head(), head);
}

fn actor(name: &str) -> PolicyActor<'_> {
    PolicyActor { id: 1, name }
}

#[test]
fn a_policy_named_like_a_built_in_producer_is_told_apart_by_its_id() {
    let (mut simulation, mut ids) = shop_with_a_cart();
    let head = simulation.shop().store().head();
    let storefront = PolicyActor {
        id: 9,
        name: "Storefront",
    };
    simulation
        .react_for(
            storefront,
            head,
            ScriptReaction::Publish(ShopEvent::ChaosModeDisabled {}),
            &mut ids,
        )
        .expect("published");
    let store = simulation.shop().store();
    let (cause, effect) = (&store.events()[0], &store.events()[1]);
    assert_ne!(effect.metadata.get(PRODUCER), Some(STOREFRONT));
    assert!(storefront.published(effect));
    assert!(
        !storefront.published(cause),
        "the cause is not the policy's own"
    );
    assert!(!PolicyActor {
        id: 10,
        ..storefront
    }
    .published(effect));
}
