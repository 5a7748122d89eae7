//! The event store, on a domain of its own: counters and gauges (`support::counter`), to show
//! the store is generic and knows nothing of the shop.

mod support;

use eventide_engine::store::{AppendError, Direction, ExpectedVersion, VersionConflict};
use eventide_engine::{CorrelationId, Metadata, Position, SchemaVersion, StreamVersion};
use serde_json::json;
use support::counter::*;

const C1: Meter = Meter::Counter(1);
const C2: Meter = Meter::Counter(2);
const G1: Meter = Meter::Gauge(1);

fn positions<'a>(
    events: impl IntoIterator<Item = &'a eventide_engine::Recorded<Tally>>,
) -> Vec<u64> {
    events.into_iter().map(|event| event.position.0).collect()
}

fn versions<'a>(events: impl Iterator<Item = &'a eventide_engine::Recorded<Tally>>) -> Vec<u32> {
    events.map(|event| event.version.0).collect()
}

/// Three events on C1, two on G1 and one on C2, interleaved: positions 1 to 6.
fn interleaved() -> TallyStore {
    store_with([
        (C1, incremented(1, 1)),
        (G1, incremented(2, 10)),
        (C1, incremented(3, 2)),
        (C2, reset(4)),
        (C1, reset(5)),
        (G1, incremented(6, 20)),
    ])
}

// Positions and versions.

#[test]
fn an_empty_store_is_at_the_origin() {
    let store = TallyStore::new();
    assert!(store.is_empty());
    assert_eq!(store.len(), 0);
    assert_eq!(store.head(), Position::ORIGIN);
    assert_eq!(store.stream_version(C1), StreamVersion::NONE);
    assert_eq!(store.stream_count(), 0);
    assert!(store.get(Position(1)).is_none());
    assert!(store.read_all(Position::ORIGIN).is_empty());
}

#[test]
fn it_should_number_positions_from_one_without_gaps_across_streams() {
    let store = interleaved();
    assert_eq!(positions(store.events()), [1, 2, 3, 4, 5, 6]);
    assert_eq!(store.head(), Position(6));
    assert_eq!(store.len(), 6);
    for event in store.events() {
        assert_eq!(store.get(event.position), Some(event));
    }
    assert!(store.get(Position::ORIGIN).is_none());
    assert!(store.get(Position(7)).is_none());
}

#[test]
fn it_should_version_each_stream_from_one_without_gaps() {
    let store = interleaved();
    assert_eq!(store.stream_version(C1), StreamVersion(3));
    assert_eq!(store.stream_version(G1), StreamVersion(2));
    assert_eq!(store.stream_version(C2), StreamVersion(1));
    assert_eq!(store.stream_version(Meter::Gauge(9)), StreamVersion::NONE);
    assert_eq!(store.stream_count(), 3);
    let c1 = store.events().iter().filter(|event| event.stream == C1);
    assert_eq!(versions(c1), [1, 2, 3]);
}

#[test]
fn it_should_count_the_streams_a_prefix_of_the_log_holds() {
    let store = interleaved();
    let by_scan = |cursor: u64| {
        let mut seen = Vec::new();
        for event in store.events().slice(0..cursor as usize) {
            if !seen.contains(&event.stream) {
                seen.push(event.stream);
            }
        }
        seen.len()
    };
    for cursor in 0..=store.head().0 {
        assert_eq!(
            store.stream_count_at(Position(cursor)),
            by_scan(cursor),
            "at {cursor}"
        );
    }
    assert_eq!(store.stream_count_at(Position(99)), store.stream_count());
}

#[test]
fn it_should_append_a_batch_at_consecutive_positions_and_versions() {
    let mut store = store_with([(G1, incremented(1, 1))]);
    let appended = store
        .append(
            C1,
            ExpectedVersion::NoStream,
            vec![incremented(2, 1), incremented(3, 1), reset(4)],
            at(10),
        )
        .unwrap();
    assert_eq!(appended.range, Some((Position(2), Position(4))));
    assert_eq!(appended.count(), 3);
    assert_eq!(appended.duplicates, 0);
    assert_eq!(appended.stream_version, StreamVersion(3));
    assert_eq!(positions(store.events()), [1, 2, 3, 4]);
    assert_eq!(versions(store.events().starting_at(1).iter()), [1, 2, 3]);
    assert!(store
        .events()
        .starting_at(1)
        .iter()
        .all(|event| event.recorded_at == at(10)));
}

#[test]
fn it_should_keep_what_the_proposed_event_carried() {
    let mut store = TallyStore::new();
    let cause = id(100);
    let correlation = CorrelationId(id(200).0);
    let mut proposed = incremented(1, 5).caused_by(correlation, cause);
    proposed.metadata = Metadata::default().with("user", "ada");
    proposed.schema_version = SchemaVersion(2);
    store
        .append(C1, ExpectedVersion::Any, vec![proposed], at(7))
        .unwrap();
    let recorded = &store.events()[0];
    assert_eq!(recorded.id, id(1));
    assert_eq!(recorded.stream, C1);
    assert_eq!(recorded.event, Tally::Incremented { by: 5 });
    assert_eq!(recorded.correlation_id, correlation);
    assert_eq!(recorded.causation_id, Some(cause));
    assert_eq!(recorded.metadata.get("user"), Some("ada"));
    assert_eq!(recorded.schema_version, SchemaVersion(2));
    assert_eq!(recorded.recorded_at, at(7));
}

// Optimistic concurrency.

#[test]
fn expected_any_appends_to_a_new_or_an_existing_stream() {
    let mut store = TallyStore::new();
    for n in 1..=3 {
        store
            .append(C1, ExpectedVersion::Any, vec![incremented(n, 1)], at(1))
            .unwrap();
    }
    assert_eq!(store.stream_version(C1), StreamVersion(3));
}

#[test]
fn expected_no_stream_appends_only_to_a_stream_that_does_not_exist() {
    let mut store = TallyStore::new();
    store
        .append(
            C1,
            ExpectedVersion::NoStream,
            vec![incremented(1, 1)],
            at(1),
        )
        .unwrap();
    let error = store
        .append(
            C1,
            ExpectedVersion::NoStream,
            vec![incremented(2, 1)],
            at(2),
        )
        .unwrap_err();
    assert_eq!(
        error,
        AppendError::Conflict(VersionConflict {
            stream: C1,
            expected: ExpectedVersion::NoStream,
            actual: StreamVersion(1),
        })
    );
    // Another stream does not exist yet, whatever else the log holds.
    store
        .append(
            C2,
            ExpectedVersion::NoStream,
            vec![incremented(3, 1)],
            at(3),
        )
        .unwrap();
}

#[test]
fn expected_exact_appends_only_at_exactly_that_version() {
    let mut store = store_with([(C1, incremented(1, 1)), (C1, incremented(2, 1))]);
    for wrong in [0, 1, 3, 99] {
        let error = store
            .append(
                C1,
                ExpectedVersion::Exact(StreamVersion(wrong)),
                vec![incremented(3, 1)],
                at(10),
            )
            .unwrap_err();
        assert_eq!(
            error,
            AppendError::Conflict(VersionConflict {
                stream: C1,
                expected: ExpectedVersion::Exact(StreamVersion(wrong)),
                actual: StreamVersion(2),
            })
        );
    }
    let appended = store
        .append(
            C1,
            ExpectedVersion::Exact(StreamVersion(2)),
            vec![incremented(3, 1)],
            at(10),
        )
        .unwrap();
    assert_eq!(appended.stream_version, StreamVersion(3));
}

#[test]
fn expected_exact_zero_means_the_stream_does_not_exist() {
    let mut store = TallyStore::new();
    store
        .append(
            C1,
            ExpectedVersion::Exact(StreamVersion::NONE),
            vec![incremented(1, 1)],
            at(1),
        )
        .unwrap();
    assert!(!ExpectedVersion::Exact(StreamVersion::NONE).admits(StreamVersion(1)));
    assert!(ExpectedVersion::NoStream.admits(StreamVersion::NONE));
    assert!(ExpectedVersion::Any.admits(StreamVersion(42)));
}

#[test]
fn a_conflict_names_the_stream_and_both_versions_and_appends_nothing_of_the_batch() {
    let mut store = interleaved();
    let before = store.clone();
    let error = store
        .append(
            G1,
            ExpectedVersion::Exact(StreamVersion(1)),
            vec![incremented(10, 1), incremented(11, 1), reset(12)],
            at(100),
        )
        .unwrap_err();
    let AppendError::Conflict(conflict) = &error else {
        panic!("expected a conflict, got {error:?}");
    };
    assert_eq!(conflict.stream, G1);
    assert_eq!(conflict.expected, ExpectedVersion::Exact(StreamVersion(1)));
    assert_eq!(conflict.actual, StreamVersion(2));
    assert_eq!(
        error.to_string(),
        "stream gauge-1 is at version 2, expected version 1"
    );
    assert_eq!(store.events(), before.events());
    assert_eq!(store.stream_version(G1), StreamVersion(2));
    for n in 10..=12 {
        assert!(
            !store.contains(id(n)),
            "nothing of a refused batch is stored"
        );
    }
    // The refused ids are free to use: a retry at the right version appends all of them.
    let appended = store
        .append(
            G1,
            ExpectedVersion::Exact(StreamVersion(2)),
            vec![incremented(10, 1), incremented(11, 1), reset(12)],
            at(100),
        )
        .unwrap();
    assert_eq!(appended.count(), 3);
}

// Idempotency.

#[test]
fn appending_a_stored_event_id_again_is_a_silent_no_op() {
    let mut store = interleaved();
    let before = store.clone();
    let appended = store
        .append(C1, ExpectedVersion::Any, vec![incremented(3, 2)], at(100))
        .unwrap();
    assert_eq!(appended.range, None);
    assert_eq!(appended.count(), 0);
    assert_eq!(appended.duplicates, 1);
    assert_eq!(appended.stream_version, StreamVersion(3));
    assert_eq!(store.events(), before.events());
}

#[test]
fn a_retried_batch_is_not_checked_against_the_expected_version() {
    let mut store = TallyStore::new();
    let batch = vec![incremented(1, 1), incremented(2, 1)];
    store
        .append(C1, ExpectedVersion::NoStream, batch.clone(), at(1))
        .unwrap();
    // The first attempt got through; its retry still says "no stream", and is not a conflict.
    let retry = store
        .append(C1, ExpectedVersion::NoStream, batch, at(2))
        .unwrap();
    assert_eq!(retry.range, None);
    assert_eq!(retry.duplicates, 2);
    assert_eq!(store.len(), 2);
}

#[test]
fn a_stored_id_is_a_duplicate_whatever_stream_it_is_proposed_for() {
    let mut store = store_with([(C1, incremented(1, 1))]);
    let appended = store
        .append(G1, ExpectedVersion::Any, vec![incremented(1, 1)], at(5))
        .unwrap();
    assert_eq!(appended.duplicates, 1);
    assert_eq!(store.stream_version(G1), StreamVersion::NONE);
}

#[test]
fn only_the_fresh_events_of_a_partly_stored_batch_are_appended() {
    let mut store = store_with([(C1, incremented(1, 1)), (C1, incremented(2, 1))]);
    let appended = store
        .append(
            C1,
            ExpectedVersion::Exact(StreamVersion(2)),
            vec![
                incremented(2, 1),
                incremented(3, 1),
                incremented(1, 1),
                reset(4),
            ],
            at(10),
        )
        .unwrap();
    assert_eq!(appended.duplicates, 2);
    assert_eq!(appended.range, Some((Position(3), Position(4))));
    let ids: Vec<_> = store.events().iter().map(|event| event.id).collect();
    assert_eq!(ids, [id(1), id(2), id(3), id(4)]);
    assert_eq!(versions(store.events().iter()), [1, 2, 3, 4]);
}

#[test]
fn a_partly_stored_batch_is_still_checked_against_the_expected_version() {
    let mut store = store_with([(C1, incremented(1, 1))]);
    let error = store
        .append(
            C1,
            ExpectedVersion::NoStream,
            vec![incremented(1, 1), incremented(2, 1)],
            at(10),
        )
        .unwrap_err();
    assert!(matches!(error, AppendError::Conflict(_)));
    assert_eq!(store.len(), 1);
}

#[test]
fn an_id_repeated_within_one_batch_is_appended_once() {
    let mut store = TallyStore::new();
    let appended = store
        .append(
            C1,
            ExpectedVersion::NoStream,
            vec![
                incremented(1, 1),
                incremented(1, 1),
                reset(2),
                incremented(1, 9),
            ],
            at(1),
        )
        .unwrap();
    assert_eq!(appended.count(), 2);
    assert_eq!(appended.duplicates, 2);
    assert_eq!(store.len(), 2);
    // The first occurrence wins.
    assert_eq!(store.events()[0].event, Tally::Incremented { by: 1 });
    assert_eq!(store.events()[1].event, Tally::Reset {});
}

// Time.

#[test]
fn recorded_time_may_stand_still_but_not_go_backwards() {
    let mut store = store_with([(C1, incremented(1, 1))]);
    store
        .append(C1, ExpectedVersion::Any, vec![incremented(2, 1)], at(1))
        .unwrap();
    let before = store.clone();
    let error = store
        .append(
            C2,
            ExpectedVersion::Any,
            vec![incremented(3, 1), reset(4)],
            at(0),
        )
        .unwrap_err();
    assert_eq!(
        error,
        AppendError::TimeWentBackwards {
            head: at(1),
            given: at(0),
        }
    );
    assert_eq!(store.events(), before.events());
    assert_eq!(store.stream_version(C2), StreamVersion::NONE);
}

/// Bug: the store recorded an event whose business time lay after its recorded time (a fact
/// dated 2099, recorded today), so every path that appends as it is (an import, a replay, a
/// branch) let in what `Shop::execute` refuses.
#[test]
fn business_time_may_be_earlier_than_recorded_time_but_never_later() {
    let mut store = store_with([(C1, incremented(1, 1))]);
    let mut earlier = incremented(2, 1);
    earlier.occurred_at = Some(at(0));
    store
        .append(C1, ExpectedVersion::Any, vec![earlier], at(5))
        .expect("a back-dated fact is recorded");
    let mut same = incremented(3, 1);
    same.occurred_at = Some(at(5));
    store
        .append(C1, ExpectedVersion::Any, vec![same], at(5))
        .expect("a fact recorded as it happens");
    let before = store.clone();
    let mut future = incremented(5, 1);
    future.occurred_at = Some(at(6));
    let error = store
        .append(
            C2,
            ExpectedVersion::Any,
            vec![incremented(4, 1), future.clone()],
            at(5),
        )
        .unwrap_err();
    assert_eq!(
        error,
        AppendError::OccurredAfterRecorded {
            id: future.id,
            occurred_at: at(6),
            recorded_at: at(5),
        }
    );
    assert_eq!(
        store.events(),
        before.events(),
        "the batch is refused whole"
    );
    assert_eq!(store.stream_version(C2), StreamVersion::NONE);
}

#[test]
fn position_at_is_the_cursor_after_the_last_event_at_or_before_a_time() {
    let mut store = TallyStore::new();
    for (n, millis) in [(1, 10), (2, 20), (3, 20), (4, 30)] {
        store
            .append(
                C1,
                ExpectedVersion::Any,
                vec![incremented(n, 1)],
                at(millis),
            )
            .unwrap();
    }
    assert_eq!(store.position_at(at(9)), Position::ORIGIN);
    assert_eq!(store.position_at(at(10)), Position(1));
    assert_eq!(store.position_at(at(19)), Position(1));
    assert_eq!(store.position_at(at(20)), Position(3));
    assert_eq!(store.position_at(at(29)), Position(3));
    assert_eq!(store.position_at(at(30)), Position(4));
    assert_eq!(store.position_at(at(i64::MAX)), Position(4));
    assert_eq!(TallyStore::new().position_at(at(10)), Position::ORIGIN);
}

// Reads.

#[test]
fn read_stream_forwards_starts_at_the_given_version_inclusive() {
    let store = interleaved();
    let read = |from| versions(store.read_stream(C1, StreamVersion(from), Direction::Forwards));
    assert_eq!(read(0), [1, 2, 3], "version 0 means from the start");
    assert_eq!(read(1), [1, 2, 3]);
    assert_eq!(read(2), [2, 3]);
    assert_eq!(read(3), [3]);
    assert!(read(4).is_empty());
    assert!(read(99).is_empty());
    let ids: Vec<_> = store
        .read_stream(C1, StreamVersion(2), Direction::Forwards)
        .map(|event| event.id)
        .collect();
    assert_eq!(ids, [id(3), id(5)]);
}

#[test]
fn read_stream_backwards_starts_at_the_given_version_inclusive() {
    let store = interleaved();
    let read = |from| versions(store.read_stream(C1, StreamVersion(from), Direction::Backwards));
    assert_eq!(read(0), [3, 2, 1], "version 0 means from the end");
    assert_eq!(read(3), [3, 2, 1]);
    assert_eq!(read(2), [2, 1]);
    assert_eq!(read(1), [1]);
    assert_eq!(
        read(99),
        [3, 2, 1],
        "a version past the end reads from the end"
    );
}

#[test]
fn read_stream_of_an_unknown_stream_is_empty_both_ways() {
    let store = interleaved();
    for direction in [Direction::Forwards, Direction::Backwards] {
        assert_eq!(
            store
                .read_stream(Meter::Counter(9), StreamVersion::NONE, direction)
                .count(),
            0
        );
    }
}

#[test]
fn read_all_starts_at_the_given_position_inclusive() {
    let store = interleaved();
    assert_eq!(
        positions(store.read_all(Position::ORIGIN)),
        [1, 2, 3, 4, 5, 6]
    );
    assert_eq!(positions(store.read_all(Position(1))), [1, 2, 3, 4, 5, 6]);
    assert_eq!(positions(store.read_all(Position(4))), [4, 5, 6]);
    assert_eq!(positions(store.read_all(Position(6))), [6]);
    assert!(store.read_all(Position(7)).is_empty());
    assert!(store.read_all(Position(u64::MAX)).is_empty());
}

#[test]
fn between_reads_after_one_cursor_up_to_and_including_another() {
    let store = interleaved();
    assert_eq!(
        positions(store.between(Position(0), Position(6))),
        [1, 2, 3, 4, 5, 6]
    );
    assert_eq!(positions(store.between(Position(2), Position(4))), [3, 4]);
    assert!(store.between(Position(3), Position(3)).is_empty());
    assert!(store.between(Position(5), Position(2)).is_empty());
    assert_eq!(positions(store.between(Position(5), Position(99))), [6]);
}

#[test]
fn read_by_kind_finds_every_event_of_a_type_in_log_order() {
    let store = interleaved();
    let resets: Vec<_> = store
        .read_by_kind(TallyKind::Reset)
        .map(|e| e.position.0)
        .collect();
    assert_eq!(resets, [4, 5]);
    let increments: Vec<_> = store
        .read_by_kind(TallyKind::Incremented)
        .rev()
        .map(|e| e.position.0)
        .collect();
    assert_eq!(increments, [6, 3, 2, 1]);
    assert_eq!(store.count_by_kind(TallyKind::Reset), 2);
    assert_eq!(store.count_by_kind(TallyKind::Incremented), 4);
}

#[test]
fn read_by_category_finds_every_event_of_an_aggregate_type_in_log_order() {
    let store = interleaved();
    let counters: Vec<_> = store
        .read_by_category(MeterType::Counter)
        .map(|e| e.position.0)
        .collect();
    assert_eq!(counters, [1, 3, 4, 5]);
    let gauges: Vec<_> = store
        .read_by_category(MeterType::Gauge)
        .map(|e| e.position.0)
        .collect();
    assert_eq!(gauges, [2, 6]);
}

#[test]
fn read_by_correlation_finds_one_flow_across_streams() {
    let mut store = TallyStore::new();
    let flow = id(1).as_correlation();
    store
        .append(C1, ExpectedVersion::Any, vec![incremented(1, 1)], at(1))
        .unwrap();
    store
        .append(G1, ExpectedVersion::Any, vec![incremented(2, 1)], at(2))
        .unwrap();
    store
        .append(
            G1,
            ExpectedVersion::Any,
            vec![reset(3).caused_by(flow, id(1))],
            at(3),
        )
        .unwrap();
    store
        .append(
            C2,
            ExpectedVersion::Any,
            vec![incremented(4, 1).caused_by(flow, id(3))],
            at(4),
        )
        .unwrap();
    let ids: Vec<_> = store.read_by_correlation(flow).map(|e| e.id).collect();
    assert_eq!(ids, [id(1), id(3), id(4)]);
    let other: Vec<_> = store
        .read_by_correlation(id(2).as_correlation())
        .map(|e| e.id)
        .collect();
    assert_eq!(other, [id(2)]);
    assert_eq!(
        store.read_by_correlation(id(99).as_correlation()).count(),
        0
    );
}

#[test]
fn get_by_id_finds_every_stored_event_and_nothing_else() {
    let store = interleaved();
    for event in store.events() {
        assert_eq!(store.get_by_id(event.id), Some(event));
        assert!(store.contains(event.id));
    }
    assert_eq!(store.get_by_id(id(7)), None);
    assert!(!store.contains(id(7)));
}

#[test]
fn get_by_id_keeps_working_as_the_id_index_grows() {
    let mut store = TallyStore::new();
    for n in 1..=2_000 {
        store
            .append(
                Meter::Counter((n % 7) as u8),
                ExpectedVersion::Any,
                vec![incremented(n, 1)],
                at(1),
            )
            .unwrap();
    }
    for n in 1..=2_000 {
        assert_eq!(store.get_by_id(id(n)).map(|e| e.position.0), Some(n as u64));
    }
}

// The envelope.

#[test]
fn to_json_holds_every_field_of_the_envelope() {
    let mut store = store_with([(G1, incremented(1, 1))]);
    let correlation = id(1).as_correlation();
    let mut proposed = incremented(2, 3).caused_by(correlation, id(1));
    proposed.metadata = Metadata::default().with("user", "ada");
    store
        .append(
            G1,
            ExpectedVersion::Any,
            vec![proposed],
            at(1_764_150_843_120),
        )
        .unwrap();
    let json = store.events()[1].to_json();
    assert_eq!(
        json,
        json!({
            "event_id": "00000000-0000-0000-0000-000000000002",
            "event_type": "Incremented",
            "schema_version": 1,
            "aggregate_type": "Gauge",
            "aggregate_id": "gauge-1",
            "aggregate_version": 2,
            "position": 2,
            "recorded_at": "2025-11-26T09:54:03.120Z",
            "occurred_at": "2025-11-26T09:54:03.120Z",
            "correlation_id": "00000000-0000-0000-0000-000000000001",
            "causation_id": "00000000-0000-0000-0000-000000000001",
            "metadata": {"user": "ada"},
            "payload": {"by": 3},
        })
    );
}

#[test]
fn to_json_of_a_flows_first_event_has_no_cause_and_no_metadata() {
    let store = store_with([(C1, reset(1))]);
    let json = store.events()[0].to_json();
    let fields: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
    assert_eq!(fields.len(), 13, "{fields:?}");
    assert_eq!(json["causation_id"], serde_json::Value::Null);
    let metadata = &json["metadata"];
    assert!(
        metadata.is_null() || metadata.as_object().is_some_and(|map| map.is_empty()),
        "no metadata: {metadata}"
    );
    assert_eq!(json["correlation_id"], json["event_id"]);
    assert_eq!(json["event_type"], "Reset");
    assert_eq!(json["payload"], json!({}));
}
