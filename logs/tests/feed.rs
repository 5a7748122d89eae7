//! A log fed a slice at a time gives the records a whole read gives, wherever the slices fall.

use eventide_logs::{read_log, Feed, Record, Stop};
use proptest::prelude::*;
use serde_json::{json, Value};

fn event() -> impl Strategy<Value = Value> {
    let text = prop::sample::select(vec!["a", "b,c", "]}", "\"q\"", "back\\slash", "ü ✓", "{["]);
    (text.clone(), text, 0i64..1000, any::<bool>()).prop_map(|(kind, note, n, nested)| {
        if nested {
            json!({"type": kind, "data": {"note": note, "list": [n, {"deep": [note]}]}})
        } else {
            json!({"type": kind, "n": n})
        }
    })
}

fn whole(bytes: &[u8]) -> Vec<Record> {
    let mut records = Vec::new();
    read_log(bytes, |record| {
        records.push(record);
        Ok::<(), ()>(())
    })
    .map_err(|stop| match stop {
        Stop::Unreadable(error) => error,
        Stop::Refused(()) => unreachable!(),
    })
    .expect("a readable log");
    records
}

fn fed(bytes: &[u8], slices: &[usize]) -> Vec<Record> {
    let mut feed = Feed::new();
    let mut records = Vec::new();
    let mut rest = bytes;
    let mut sizes = slices.iter().cycle();
    while !rest.is_empty() {
        let size = (*sizes.next().unwrap_or(&1)).clamp(1, rest.len());
        feed.push(&rest[..size]);
        rest = &rest[size..];
        feed.records(usize::MAX, |record| {
            records.push(record);
            Ok::<(), ()>(())
        })
        .expect("a readable log");
    }
    feed.end();
    feed.records(usize::MAX, |record| {
        records.push(record);
        Ok::<(), ()>(())
    })
    .expect("a readable log");
    assert!(feed.is_done());
    records
}

proptest! {
    #[test]
    fn a_log_fed_in_slices_reads_as_it_does_whole(
        events in prop::collection::vec(event(), 0..30),
        batch in any::<bool>(),
        pretty in any::<bool>(),
        slices in prop::collection::vec(1usize..50, 1..8),
    ) {
        let bytes = if batch {
            let value = Value::from(events);
            if pretty { serde_json::to_vec_pretty(&value) } else { serde_json::to_vec(&value) }
                .expect("JSON")
        } else {
            events
                .iter()
                .map(|event| format!("{event}\n{}", if pretty { "\n" } else { "" }))
                .collect::<String>()
                .into_bytes()
        };
        prop_assert_eq!(fed(&bytes, &slices), whole(&bytes));
    }
}
