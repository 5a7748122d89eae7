//! Subscriptions as real brokers have them, on the kernel's bus alone (the one-event stock
//! domain, a stream per product): a checkpoint that only passes what was acknowledged with
//! everything before it, a reset that replays from a position, and partitions that keep order
//! within themselves only.

mod support;

use eventide_engine::delivery::{
    partition_of, Bus, Delivery, DeliverySettings, Outcome, ResetRefused, SubscriptionId,
};
use eventide_engine::envelope::NewEvent;
use eventide_engine::ids::{EventId, Position, Timestamp};
use eventide_engine::store::{EventStore, ExpectedVersion};
use eventide_engine::Recorded;
use proptest::prelude::*;
use support::stock::{Sku, StockEvent, StockStream};
use uuid::Uuid;

type Store = EventStore<StockEvent>;

/// A log of one event per entry of `skus`, in that order, a millisecond apart.
fn log(skus: &[u16]) -> Store {
    let mut store = Store::new();
    for (n, &sku) in skus.iter().enumerate() {
        let id = EventId(Uuid::from_u128(n as u128 + 1));
        let event = StockEvent::StockReceived {
            sku: Sku(sku),
            quantity: 1,
        };
        store
            .append(
                StockStream::Inventory(Sku(sku)),
                ExpectedVersion::Any,
                vec![NewEvent::new(id, event)],
                Timestamp::from_millis(n as i64),
            )
            .expect("a fresh id on a growing clock");
    }
    store
}

fn subscribed(settings: DeliverySettings) -> (Bus<StockEvent>, SubscriptionId) {
    let mut bus = Bus::new(11);
    let id = bus.subscribe(
        "stock",
        &[support::stock::StockEventKind::StockReceived],
        settings,
    );
    (bus, id)
}

fn publish_all(bus: &mut Bus<StockEvent>, store: &Store) {
    for event in store.events() {
        bus.publish(event, event.recorded_at);
    }
}

/// Runs the bus dry, each attempt's outcome chosen by `outcome` from its delivery; returns the
/// positions handled, in the order they were.
fn drain(
    bus: &mut Bus<StockEvent>,
    mut outcome: impl FnMut(&Delivery) -> Outcome,
) -> Vec<Position> {
    let mut handled = Vec::new();
    while let Some(due) = bus.next_due() {
        let Some(attempt) = bus.pop_due(due) else {
            break;
        };
        let delivery = *attempt.delivery();
        let result = bus.complete(attempt, outcome(&delivery), due);
        if result == Outcome::Handled {
            handled.push(delivery.position);
        }
    }
    handled
}

/// An outcome for every attempt: each one at `position` fails, the others are handled.
fn failing_at(position: Position) -> impl FnMut(&Delivery) -> Outcome {
    move |delivery| {
        if delivery.position == position {
            Outcome::Failed
        } else {
            Outcome::Handled
        }
    }
}

fn stream_of(store: &Store, position: Position) -> StockStream {
    store
        .get(position)
        .map(|event: &Recorded<StockEvent>| event.stream)
        .expect("a position of the log")
}

#[test]
fn the_checkpoint_stops_before_the_first_event_not_yet_acknowledged() {
    let store = log(&[1, 2, 3, 4]);
    let (mut bus, id) = subscribed(DeliverySettings {
        per_aggregate_ordering: false,
        max_attempts: 3,
        ..DeliverySettings::exactly_once()
    });
    assert_eq!(bus.stats(id).checkpoint, Position::ORIGIN);
    publish_all(&mut bus, &store);
    assert_eq!(
        bus.stats(id).checkpoint,
        Position::ORIGIN,
        "nothing acknowledged yet"
    );
    // The second event fails once; the others are handled on their first attempt.
    let mut failed_once = false;
    let mut checkpoints = Vec::new();
    while let Some(due) = bus.next_due() {
        let attempt = bus.pop_due(due).expect("due");
        let delivery = *attempt.delivery();
        let outcome = if delivery.position == Position(2) && !failed_once {
            failed_once = true;
            Outcome::Failed
        } else {
            Outcome::Handled
        };
        bus.complete(attempt, outcome, due);
        checkpoints.push(bus.stats(id).checkpoint.0);
    }
    // 1 handled, 2 failed (held at 1), 3 and 4 handled (still held), 2's retry (all of it).
    assert_eq!(checkpoints, [1, 1, 1, 1, 4]);
}

#[test]
fn a_parked_event_no_longer_holds_the_checkpoint_back() {
    let store = log(&[1, 2, 3]);
    let (mut bus, id) = subscribed(DeliverySettings {
        per_aggregate_ordering: false,
        max_attempts: 2,
        ..DeliverySettings::exactly_once()
    });
    publish_all(&mut bus, &store);
    let handled = drain(&mut bus, failing_at(Position(2)));
    assert_eq!(handled, [Position(1), Position(3)]);
    assert_eq!(bus.parked(id).len(), 1);
    assert_eq!(bus.stats(id).checkpoint, Position(3));
}

#[test]
fn a_reset_sends_again_every_event_after_its_position_and_moves_the_checkpoint_back() {
    let store = log(&[1, 2, 1, 2, 3]);
    let (mut bus, id) = subscribed(DeliverySettings::exactly_once());
    publish_all(&mut bus, &store);
    drain(&mut bus, |_| Outcome::Handled);
    assert_eq!(bus.stats(id).checkpoint, Position(5));

    let sent = bus.reset(id, Position(2), store.events(), Timestamp::from_millis(10));
    assert_eq!(sent, Ok(3));
    let stats = bus.stats(id);
    assert_eq!(
        (stats.checkpoint, stats.open, stats.replayed),
        (Position(2), 3, 3)
    );
    let again = drain(&mut bus, |_| Outcome::Handled);
    assert_eq!(again, [Position(3), Position(4), Position(5)]);
    assert_eq!(bus.stats(id).checkpoint, Position(5));
}

#[test]
fn a_reset_does_not_send_twice_what_is_still_on_its_way() {
    let store = log(&[1, 2, 3]);
    let (mut bus, id) = subscribed(DeliverySettings::exactly_once());
    publish_all(&mut bus, &store);
    // Only the first is handled; 2 and 3 are still on their way.
    let due = bus.next_due().expect("due");
    let attempt = bus.pop_due(due).expect("due");
    bus.complete(attempt, Outcome::Handled, due);
    assert_eq!(bus.reset(id, Position::ORIGIN, store.events(), due), Ok(1));
    let handled = drain(&mut bus, |_| Outcome::Handled);
    let mut sorted = handled.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [Position(1), Position(2), Position(3)],
        "{handled:?}"
    );
}

#[test]
fn a_reset_ahead_of_the_checkpoint_is_refused_and_changes_nothing() {
    let store = log(&[1, 2, 3]);
    let (mut bus, id) = subscribed(DeliverySettings::exactly_once());
    publish_all(&mut bus, &store);
    let before = bus.stats(id);
    let refused = bus.reset(id, Position(2), store.events(), Timestamp::from_millis(5));
    assert_eq!(
        refused,
        Err(ResetRefused::Ahead {
            to: Position(2),
            checkpoint: Position::ORIGIN
        })
    );
    assert_eq!(bus.stats(id), before);
    assert_eq!(
        bus.reset(
            SubscriptionId(9),
            Position::ORIGIN,
            store.events(),
            Timestamp::from_millis(5)
        ),
        Err(ResetRefused::Unknown)
    );
}

#[test]
fn a_stream_lands_in_the_same_partition_on_every_target() {
    // FNV-1a (32-bit) of "SKU-01".."SKU-06", modulo 4: these values are the contract (they must not move with the hasher
    // of the day, or a shared run would partition differently in another browser).
    let partitions: Vec<u8> = (1..=6)
        .map(|sku| partition_of(&StockStream::Inventory(Sku(sku)), 4))
        .collect();
    assert_eq!(partitions, [2, 3, 0, 1, 2, 3]);
    assert_eq!(partition_of(&StockStream::Inventory(Sku(1)), 1), 0);
    assert_eq!(
        partition_of(&StockStream::Inventory(Sku(1)), 0),
        0,
        "no partitions: one"
    );
}

#[test]
fn each_partition_counts_the_deliveries_waiting_in_it() {
    let skus = [1, 2, 3, 4, 1, 2];
    let store = log(&skus);
    let (mut bus, id) = subscribed(DeliverySettings {
        partitions: 4,
        ..DeliverySettings::exactly_once()
    });
    publish_all(&mut bus, &store);
    let mut expected = [0u32; 8];
    for sku in skus {
        expected[usize::from(partition_of(&StockStream::Inventory(Sku(sku)), 4))] += 1;
    }
    assert_eq!(bus.stats(id).partition_waiting, expected);
    drain(&mut bus, |_| Outcome::Handled);
    assert_eq!(bus.stats(id).partition_waiting, [0; 8]);
}

#[test]
fn settings_keep_partitions_and_members_within_bounds() {
    let clamped = DeliverySettings {
        partitions: 200,
        group_members: 0,
        ..DeliverySettings::default()
    }
    .clamped();
    assert_eq!((clamped.partitions, clamped.group_members), (8, 1));
    let clamped = DeliverySettings {
        partitions: 2,
        group_members: 5,
        ..DeliverySettings::default()
    }
    .clamped();
    assert_eq!(
        (clamped.partitions, clamped.group_members),
        (2, 2),
        "a member per partition at most"
    );
    // A scenario saved before partitions existed reads as a lane per stream and one member.
    let mut old = serde_json::to_value(DeliverySettings::default()).expect("serialises");
    if let Some(fields) = old.as_object_mut() {
        fields.remove("partitions");
        fields.remove("group_members");
        assert!(
            !fields.contains_key("ack_wait_ms"),
            "no ack wait set, none written"
        );
    }
    let read: DeliverySettings = serde_json::from_value(old).expect("an old file reads");
    assert_eq!(
        (read.partitions, read.group_members, read.ack_wait_ms),
        (0, 1, None)
    );
}

#[test]
fn a_copy_whose_acknowledgement_was_lost_comes_once_the_ack_wait_is_over() {
    let store = log(&[1, 2, 3, 4]);
    let (mut bus, _) = subscribed(DeliverySettings {
        latency_ms: 100,
        duplicate_rate: 1.0,
        per_aggregate_ordering: false,
        ack_wait_ms: Some(30_000),
        ..DeliverySettings::exactly_once()
    });
    for event in store.events() {
        bus.publish(event, Timestamp::from_millis(0));
    }
    let mut dues: Vec<(bool, i64)> = bus
        .open_deliveries()
        .map(|(delivery, due)| (delivery.duplicate, due.millis()))
        .collect();
    dues.sort();
    assert_eq!(
        dues,
        [
            (false, 100),
            (false, 100),
            (false, 100),
            (false, 100),
            (true, 30_100),
            (true, 30_100),
            (true, 30_100),
            (true, 30_100)
        ]
    );
    let clamped = DeliverySettings {
        ack_wait_ms: Some(u32::MAX),
        ..DeliverySettings::default()
    }
    .clamped();
    assert_eq!(clamped.ack_wait_ms, Some(DeliverySettings::MAX_ACK_WAIT_MS));
}

#[test]
fn a_reset_takes_the_dead_letters_it_sends_again_out_of_the_dead_letters() {
    let store = log(&[1, 2, 3]);
    let (mut bus, id) = subscribed(DeliverySettings {
        per_aggregate_ordering: false,
        max_attempts: 1,
        ..DeliverySettings::exactly_once()
    });
    publish_all(&mut bus, &store);
    drain(&mut bus, failing_at(Position(2)));
    assert_eq!((bus.parked(id).len(), bus.stats(id).parked), (1, 1));
    assert_eq!(
        bus.reset(id, Position(1), store.events(), Timestamp::from_millis(9)),
        Ok(2)
    );
    assert_eq!((bus.parked(id).len(), bus.stats(id).parked), (0, 0));
    let again = drain(&mut bus, |_| Outcome::Handled);
    assert_eq!(again, [Position(2), Position(3)]);
}

/// Changing the partitions mid-flight strands nothing: every delivery still arrives once, and
/// what was published before the change keeps its order within each old partition.
#[test]
fn repartitioning_mid_flight_strands_nothing_and_keeps_the_old_lanes_in_order() {
    let skus = [1, 2, 3, 4, 1, 2, 3, 4, 1, 2];
    let store = log(&skus);
    let mut bus = Bus::new(5);
    let id = bus.subscribe(
        "stock",
        &[support::stock::StockEventKind::StockReceived],
        DeliverySettings {
            latency_ms: 50,
            jitter_ms: 400,
            reorder_rate: 0.5,
            partitions: 2,
            ..DeliverySettings::default()
        },
    );
    for event in store.events().slice(0..6) {
        bus.publish(event, event.recorded_at);
    }
    let mut settings = *bus.settings(id).expect("subscribed");
    settings.partitions = 4;
    bus.set_settings(id, settings);
    for event in store.events().starting_at(6) {
        bus.publish(event, event.recorded_at);
    }
    let handled = drain(&mut bus, |_| Outcome::Handled);
    let mut sorted = handled.clone();
    sorted.sort();
    assert_eq!(sorted, (1..=10).map(Position).collect::<Vec<_>>());
    for partition in 0..2 {
        let old: Vec<Position> = handled
            .iter()
            .copied()
            .filter(|p| p.0 <= 6 && partition_of(&stream_of(&store, *p), 2) == partition)
            .collect();
        let mut ordered = old.clone();
        ordered.sort();
        assert_eq!(old, ordered, "old partition {partition}");
    }
}

proptest! {
    /// Whatever the latency, jitter, detours and failures, a partition's events reach the
    /// consumer in log order, and every event is handled once.
    #[test]
    fn order_holds_within_each_partition(
        skus in proptest::collection::vec(1u16..12, 1..60),
        partitions in 1u8..=8,
        seed in any::<u64>(),
        failure_rate in 0.0f64..0.5,
    ) {
        let store = log(&skus);
        let mut bus = Bus::new(seed);
        let id = bus.subscribe(
            "stock",
            &[support::stock::StockEventKind::StockReceived],
            DeliverySettings {
                latency_ms: 50,
                jitter_ms: 400,
                reorder_rate: 0.5,
                failure_rate,
                max_attempts: 1_000,
                partitions,
                ..DeliverySettings::default()
            },
        );
        publish_all(&mut bus, &store);
        let mut draw = eventide_engine::rng::SeededRng::new(seed);
        let handled = drain(&mut bus, |_| {
            if draw.chance(failure_rate) { Outcome::Failed } else { Outcome::Handled }
        });
        let mut sorted = handled.clone();
        sorted.sort();
        let all: Vec<Position> = (1..=skus.len() as u64).map(Position).collect();
        prop_assert_eq!(sorted, all);
        for partition in 0..partitions {
            let in_it: Vec<Position> = handled
                .iter()
                .copied()
                .filter(|&p| partition_of(&stream_of(&store, p), partitions) == partition)
                .collect();
            let mut ordered = in_it.clone();
            ordered.sort();
            prop_assert_eq!(in_it, ordered, "partition {}", partition);
        }
        prop_assert_eq!(bus.stats(id).checkpoint, Position(skus.len() as u64));
    }
}
