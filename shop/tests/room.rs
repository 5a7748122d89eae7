//! A room, without the broker: tabs propose the events their commands decide, a room's stream
//! orders the proposals, and every tab admits the stream in that order by the same rules. Every
//! tab then holds the same log, position for position, whoever proposed what and however late
//! each tab caught up.

use eventide_engine::rng::SeededRng;
use eventide_engine::{Position, Timestamp};
use eventide_shop::commands::{PaymentOutcome, RequestedLine, ShopCommand};
use eventide_shop::ids::{CustomerId, OrderId, Sku};
use eventide_shop::room::{Admitted, Proposal, Refused, Room};
use eventide_shop::simulation::{ScriptReaction, PRODUCER};
use eventide_shop::{CommandContext, Shop, ShopEvent};
use proptest::prelude::*;
use serde_json::Value;

/// 2026-11-26T09:00:00Z.
const START: Timestamp = Timestamp(1_795_683_600_000);

/// One browser tab in the room: its shop, its ids, its reader, and how much of the room's
/// stream it has admitted.
struct Tab {
    shop: Shop,
    ids: SeededRng,
    room: Room,
    admitted: usize,
}

impl Tab {
    fn new(seed: u64) -> Tab {
        Tab {
            shop: Shop::new(),
            ids: SeededRng::new(seed),
            room: Room::new(),
            admitted: 0,
        }
    }

    fn propose(&mut self, command: ShopCommand, now: Timestamp) -> Option<Proposal> {
        self.shop
            .propose(command, CommandContext::new(now, &mut self.ids))
            .ok()
    }

    /// Admits everything the stream holds that this tab has not admitted yet.
    fn catch_up(&mut self, stream: &[(Value, Timestamp)]) -> Vec<Result<Admitted, Refused>> {
        let new = &stream[self.admitted..];
        self.admitted = stream.len();
        new.iter()
            .map(|(envelope, stored_at)| {
                self.room
                    .admit(&mut self.shop, envelope.clone(), *stored_at)
            })
            .collect()
    }

    fn log(&self) -> Vec<Value> {
        self.shop
            .store()
            .events()
            .iter()
            .map(|event| event.to_json())
            .collect()
    }
}

fn add(customer: u32, sku: u16) -> ShopCommand {
    ShopCommand::AddItemToCart {
        customer: CustomerId(customer),
        sku: Sku(sku),
        quantity: 1,
    }
}

fn at(seconds: i64) -> Timestamp {
    START.plus_millis(seconds * 1_000)
}

#[test]
fn a_tab_s_proposal_lands_in_every_tab_at_the_same_position() {
    let (mut a, mut b) = (Tab::new(1), Tab::new(2));
    let mut stream = Vec::new();
    let proposal = a.propose(add(1, 1), at(0)).expect("a cart takes an item");
    assert!(a.shop.store().is_empty(), "proposing appends nothing");
    stream.push((proposal.envelope, at(1)));
    assert_eq!(a.catch_up(&stream), [Ok(Admitted::Landed(Position(1)))]);
    assert_eq!(b.catch_up(&stream), [Ok(Admitted::Landed(Position(1)))]);
    assert_eq!(a.log(), b.log());
    let landed = &a.shop.store().events()[0];
    assert_eq!(landed.id, proposal.id);
    assert_eq!(
        landed.recorded_at,
        at(1),
        "recorded when the room stored it"
    );
}

#[test]
fn two_tabs_changing_one_aggregate_at_once_see_the_first_land_and_the_second_refused() {
    let (mut a, mut b) = (Tab::new(1), Tab::new(2));
    let mut stream = Vec::new();
    // Both decide against the empty cart of customer 7.
    let first = a.propose(add(7, 1), at(0)).expect("a proposal");
    let second = b.propose(add(7, 2), at(0)).expect("a proposal");
    stream.push((first.envelope, at(1)));
    stream.push((second.envelope, at(1)));
    for tab in [&mut a, &mut b] {
        let outcomes = tab.catch_up(&stream);
        assert_eq!(outcomes[0], Ok(Admitted::Landed(Position(1))));
        match &outcomes[1] {
            Err(Refused::Stale {
                expected, actual, ..
            }) => assert_eq!((*expected, *actual), (0, 1)),
            other => panic!("the second is stale, not {other:?}"),
        }
    }
    assert_eq!(a.log(), b.log());
    assert_eq!(a.shop.store().len(), 1);
}

#[test]
fn a_service_s_reaction_lands_in_its_cause_s_flow_under_its_name_and_no_aggregate_s_event_is_published(
) {
    let (mut a, mut b) = (Tab::new(1), Tab::new(2));
    let mut stream = Vec::new();
    stream.push((
        a.propose(add(3, 1), at(0)).expect("a proposal").envelope,
        at(1),
    ));
    b.catch_up(&stream);
    let email = ShopEvent::EmailSent {
        customer: CustomerId(3),
        order: None,
        template: "welcome".into(),
    };
    let reaction = b
        .shop
        .propose_reaction(
            Position(1),
            ScriptReaction::Publish(email),
            "Welcome (Bea)",
            at(2),
            &mut b.ids,
        )
        .expect("a service may publish an email");
    assert_eq!(b.shop.store().len(), 1, "proposing appends nothing");
    stream.push((reaction.envelope, at(3)));
    a.catch_up(&stream);
    b.catch_up(&stream);
    assert_eq!(a.log(), b.log());
    let (cause, landed) = (&a.shop.store().events()[0], &a.shop.store().events()[1]);
    assert_eq!(landed.causation_id, Some(cause.id));
    assert_eq!(landed.correlation_id, cause.correlation_id);
    assert_eq!(landed.metadata.get(PRODUCER), Some("Welcome (Bea)"));

    let decided_by_a_cart = ShopEvent::CartCheckedOut {
        customer: CustomerId(3),
        lines: Vec::new(),
        total: Default::default(),
    };
    let refused = b.shop.propose_reaction(
        Position(1),
        ScriptReaction::Publish(decided_by_a_cart),
        "Welcome (Bea)",
        at(4),
        &mut b.ids,
    );
    assert!(
        refused.is_err(),
        "an aggregate's event is decided, not published"
    );
    let unknown = b.shop.propose_reaction(
        Position(9),
        ScriptReaction::Command(add(3, 2)),
        "Welcome (Bea)",
        at(4),
        &mut b.ids,
    );
    assert!(unknown.is_err(), "a reaction to no event is refused");
}

/// Both tabs admit each of `commands` as `a` decides it, one after another.
fn in_turn(
    a: &mut Tab,
    b: &mut Tab,
    stream: &mut Vec<(Value, Timestamp)>,
    commands: Vec<ShopCommand>,
) {
    for command in commands {
        let at = at(stream.len() as i64 + 1);
        let proposal = a
            .propose(command.clone(), at)
            .unwrap_or_else(|| panic!("{command:?} is decided"));
        stream.push((proposal.envelope, at));
        for tab in [&mut *a, &mut *b] {
            assert!(tab.catch_up(stream).iter().all(Result::is_ok));
        }
    }
}

/// A paid order of one SKU-01, its stock reserved, in both tabs.
fn paid_and_reserved() -> (Tab, Tab, Vec<(Value, Timestamp)>) {
    let (mut a, mut b) = (Tab::new(1), Tab::new(2));
    let mut stream = Vec::new();
    let order = OrderId(1);
    in_turn(
        &mut a,
        &mut b,
        &mut stream,
        vec![
            ShopCommand::RestockInventory {
                sku: Sku(1),
                quantity: 5,
            },
            ShopCommand::PlaceOrder {
                customer: CustomerId(1),
                lines: vec![RequestedLine {
                    sku: Sku(1),
                    quantity: 1,
                }],
            },
            ShopCommand::ReserveInventory {
                order,
                sku: Sku(1),
                quantity: 1,
            },
            ShopCommand::ProcessPayment {
                order,
                outcome: PaymentOutcome::Approved,
            },
        ],
    );
    (a, b, stream)
}

#[test]
fn a_decision_on_another_aggregate_lands_only_while_what_it_read_there_holds() {
    let order = OrderId(1);
    let dispatch = ShopCommand::DispatchShipment {
        order,
        carrier: "DHL".into(),
    };
    let release = ShopCommand::ReleaseInventory {
        order,
        sku: Sku(1),
        quantity: 1,
    };
    let refused_because = |outcome: &Result<Admitted, Refused>| match outcome {
        Err(Refused::NoLongerHolds { reason, .. }) => reason.clone(),
        other => panic!("refused for what it read, not {other:?}"),
    };

    // A dispatches the order while B releases its stock, each against the same states; the
    // release reaches the room first, so the stock the dispatch counted on is gone.
    let (mut a, mut b, mut stream) = paid_and_reserved();
    let shipped = a
        .propose(dispatch.clone(), at(10))
        .expect("a dispatch is decided");
    let released = b
        .propose(release.clone(), at(10))
        .expect("a release is decided");
    stream.push((released.envelope, at(11)));
    stream.push((shipped.envelope, at(11)));
    for tab in [&mut a, &mut b] {
        let outcomes = tab.catch_up(&stream);
        assert!(matches!(outcomes[0], Ok(Admitted::Landed(_))));
        assert_eq!(
            refused_because(&outcomes[1]),
            "1 of SKU-01 reserved for O-0001 (now 0)"
        );
    }
    assert_eq!(a.log(), b.log());

    // The other way round: the dispatch lands first, and the release counted on an order
    // that had not shipped.
    let (mut a, mut b, mut stream) = paid_and_reserved();
    let shipped = a
        .propose(dispatch.clone(), at(10))
        .expect("a dispatch is decided");
    let released = b.propose(release, at(10)).expect("a release is decided");
    stream.push((shipped.envelope, at(11)));
    stream.push((released.envelope, at(11)));
    for tab in [&mut a, &mut b] {
        let outcomes = tab.catch_up(&stream);
        assert!(matches!(outcomes[0], Ok(Admitted::Landed(_))));
        assert_eq!(refused_because(&outcomes[1]), "O-0001 not having shipped");
    }
    assert_eq!(a.log(), b.log());

    // What the decision did not read changes nothing: another order's reservation on the same
    // product lands between the dispatch's decision and its arrival, and both land.
    let (mut a, mut b, mut stream) = paid_and_reserved();
    in_turn(
        &mut a,
        &mut b,
        &mut stream,
        vec![ShopCommand::PlaceOrder {
            customer: CustomerId(2),
            lines: vec![RequestedLine {
                sku: Sku(1),
                quantity: 1,
            }],
        }],
    );
    let reserved = b
        .propose(
            ShopCommand::ReserveInventory {
                order: OrderId(2),
                sku: Sku(1),
                quantity: 1,
            },
            at(20),
        )
        .expect("a reservation is decided");
    let shipped = a.propose(dispatch, at(20)).expect("a dispatch is decided");
    stream.push((reserved.envelope, at(21)));
    stream.push((shipped.envelope, at(21)));
    for tab in [&mut a, &mut b] {
        let outcomes = tab.catch_up(&stream);
        assert!(
            outcomes
                .iter()
                .all(|outcome| matches!(outcome, Ok(Admitted::Landed(_)))),
            "{outcomes:?}"
        );
    }
}

#[test]
fn an_order_numbered_out_of_turn_is_refused_and_changes_nothing() {
    let mut a = Tab::new(1);
    let placed = a
        .propose(
            ShopCommand::PlaceOrder {
                customer: CustomerId(1),
                lines: vec![RequestedLine {
                    sku: Sku(1),
                    quantity: 1,
                }],
            },
            at(0),
        )
        .expect("an order is decided");
    let mut forged = placed.envelope;
    forged["payload"]["order"] = Value::from("O-9999999");
    forged["aggregate_id"] = Value::from("O-9999999");
    let outcome = a.catch_up(&[(forged, at(1))]);
    assert!(
        matches!(&outcome[0], Err(Refused::OutOfTurn { next, .. }) if *next == OrderId(1)),
        "{outcome:?}"
    );
    assert!(a.shop.store().is_empty());
    assert_eq!(a.shop.aggregates().next_order_id(), OrderId(1));
}

#[test]
fn a_repeat_changes_nothing_and_the_clock_never_runs_back() {
    let mut tab = Tab::new(1);
    let first = tab.propose(add(1, 1), at(0)).expect("a proposal");
    let mut stream = vec![(first.envelope.clone(), at(10))];
    tab.catch_up(&stream);
    stream.push((first.envelope, at(11)));
    assert_eq!(tab.catch_up(&stream), [Ok(Admitted::Repeat)]);
    // A second event stored "earlier" (another clock) is recorded at the head's time.
    let later = tab.propose(add(2, 1), at(0)).expect("a proposal");
    stream.push((later.envelope, at(5)));
    tab.catch_up(&stream);
    let times: Vec<Timestamp> = tab
        .shop
        .store()
        .events()
        .iter()
        .map(|e| e.recorded_at)
        .collect();
    assert_eq!(times, [at(10), at(10)]);
}

#[test]
fn an_envelope_that_does_not_read_is_refused_with_its_field_and_changes_nothing() {
    let mut tab = Tab::new(1);
    let mut envelope = tab.propose(add(1, 1), at(0)).expect("a proposal").envelope;
    envelope["payload"]["quantity"] = Value::from("lots");
    let refused = tab
        .room
        .admit(&mut tab.shop, envelope, at(1))
        .expect_err("a quantity must be a number");
    let Refused::Unreadable(error) = &refused else {
        panic!("unreadable, not {refused:?}");
    };
    assert_eq!(error.field(), Some("payload.quantity"), "{refused}");
    assert!(tab.shop.store().is_empty());
}

/// What a tab does next in a random session of the room.
#[derive(Clone, Debug)]
enum Act {
    /// Tab `tab` proposes a command decided against what it has admitted so far.
    Propose { tab: usize, command: ShopCommand },
    /// Tab `tab` admits what the stream holds.
    CatchUp { tab: usize },
}

fn act() -> impl Strategy<Value = Act> {
    let command = prop_oneof![
        (1u32..4, 1u16..4).prop_map(|(customer, sku)| add(customer, sku)),
        (1u32..4, 1u16..4).prop_map(|(customer, sku)| ShopCommand::ViewProduct {
            customer: CustomerId(customer),
            sku: Sku(sku),
        }),
        (1u32..4).prop_map(|customer| ShopCommand::CheckOutCart {
            customer: CustomerId(customer)
        }),
        (1u32..4, 1u16..4).prop_map(|(customer, sku)| ShopCommand::PlaceOrder {
            customer: CustomerId(customer),
            lines: vec![RequestedLine {
                sku: Sku(sku),
                quantity: 1
            }],
        }),
        (1u16..4).prop_map(|sku| ShopCommand::RestockInventory {
            sku: Sku(sku),
            quantity: 5
        }),
    ];
    prop_oneof![
        (0usize..3, command).prop_map(|(tab, command)| Act::Propose { tab, command }),
        (0usize..3).prop_map(|tab| Act::CatchUp { tab }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Three tabs propose against whatever they have admitted (often behind the room); in the
    /// end every tab has admitted the whole stream and holds the same log, envelope for envelope.
    #[test]
    fn every_tab_builds_the_same_log_from_the_room_s_stream(acts in proptest::collection::vec(act(), 1..80)) {
        let mut tabs = [Tab::new(11), Tab::new(22), Tab::new(33)];
        let mut stream: Vec<(Value, Timestamp)> = Vec::new();
        for (n, act) in acts.into_iter().enumerate() {
            let now = at(n as i64);
            match act {
                Act::Propose { tab, command } => {
                    if let Some(proposal) = tabs[tab].propose(command, now) {
                        stream.push((proposal.envelope, now));
                    }
                }
                Act::CatchUp { tab } => {
                    tabs[tab].catch_up(&stream);
                }
            }
        }
        for tab in &mut tabs {
            tab.catch_up(&stream);
        }
        let first = tabs[0].log();
        prop_assert!(first.len() <= stream.len());
        for tab in &tabs[1..] {
            prop_assert_eq!(&tab.log(), &first);
        }
    }
}
