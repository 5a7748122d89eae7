//! Mapped events as Eventide's envelope (the JSON `Recorded::to_json` writes), numbered as the
//! store numbers them: a position in the log from 1, and a version in each stream from 1. This
//! is what scripts fold, so a projection written for any log reads the same fields.

use rustc_hash::FxHashMap;
use serde_json::{json, Value};

use eventide_engine::Position;

use crate::mapping::MappedEvent;
use crate::read::Place;
use crate::store::LogStore;

/// Numbers events as they come and writes each as an envelope.
#[derive(Default)]
pub struct Envelopes {
    position: u64,
    versions: FxHashMap<String, u64>,
}

impl Envelopes {
    pub fn new() -> Envelopes {
        Envelopes::default()
    }

    /// The next event's envelope. An event without an id is known by its place in the file
    /// (`line-17`); without a stream, it is the only event of its own (`version` 1, no
    /// aggregate); without a time, both times are `null`.
    pub fn next(&mut self, event: MappedEvent) -> Value {
        self.position += 1;
        let version = match &event.stream {
            Some(stream) => match self.versions.get_mut(stream) {
                Some(version) => {
                    *version += 1;
                    *version
                }
                None => {
                    self.versions.insert(stream.clone(), 1);
                    1
                }
            },
            None => 1,
        };
        let id = event.id.unwrap_or_else(|| match event.place {
            Place::Line(line) => format!("line-{line}"),
            Place::Item(item) => format!("event-{item}"),
        });
        let time = event.time.map(|time| time.to_rfc3339());
        let category = event.stream.as_deref().map(category);
        let metadata = match &event.producer {
            Some(producer) => json!({"producer": producer}),
            None => json!({}),
        };
        json!({
            "event_id": id,
            "event_type": event.event_type,
            "schema_version": 1,
            "aggregate_type": category,
            "aggregate_id": event.stream,
            "aggregate_version": version,
            "position": self.position,
            "recorded_at": time,
            "occurred_at": time,
            "correlation_id": event.correlation,
            "causation_id": event.causation,
            "metadata": metadata,
            "payload": event.data,
        })
    }
}

/// A held log's events up to `through` as envelopes, numbered as the store numbers them.
pub fn envelopes_of(store: &LogStore, through: Position) -> impl Iterator<Item = Value> + '_ {
    let mut envelopes = Envelopes::new();
    store
        .events()
        .take_while(move |event| event.position() <= through)
        .map(move |event| envelopes.next(event.to_mapped()))
}

/// A stream's category is what comes before its first `/`, `-` or `:` (`book/B-007` is a
/// `book`, `order-7` an `order`); a stream with none is a category of its own.
pub fn category(stream: &str) -> &str {
    stream
        .split(['/', '-', ':'])
        .next()
        .filter(|head| !head.is_empty())
        .unwrap_or(stream)
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventide_engine::Timestamp;

    fn event(line: u64, stream: Option<&str>) -> MappedEvent {
        MappedEvent {
            place: Place::Line(line),
            id: None,
            event_type: "book.lent".into(),
            stream: stream.map(str::to_owned),
            time: Some(Timestamp::from_millis(0)),
            correlation: Some("flow".into()),
            causation: None,
            producer: Some("/desk".into()),
            data: json!({"book": "B-1"}),
        }
    }

    #[test]
    fn positions_run_through_the_log_and_versions_through_each_stream() {
        let mut envelopes = Envelopes::new();
        let written: Vec<Value> = [Some("book/B-1"), Some("book/B-2"), Some("book/B-1"), None]
            .into_iter()
            .enumerate()
            .map(|(n, stream)| envelopes.next(event(n as u64 + 1, stream)))
            .collect();
        let numbers: Vec<(u64, u64)> = written
            .iter()
            .map(|e| {
                (
                    e["position"].as_u64().unwrap_or(0),
                    e["aggregate_version"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        assert_eq!(numbers, [(1, 1), (2, 1), (3, 2), (4, 1)]);
        assert_eq!(written[0]["event_id"], "line-1");
        assert_eq!(written[0]["aggregate_type"], "book");
        assert_eq!(written[3]["aggregate_type"], Value::Null);
        assert_eq!(written[0]["recorded_at"], "1970-01-01T00:00:00.000Z");
        assert_eq!(written[0]["metadata"], json!({"producer": "/desk"}));
        assert_eq!(written[0]["payload"], json!({"book": "B-1"}));
    }

    #[test]
    fn a_category_is_the_stream_name_before_its_first_separator() {
        assert_eq!(category("book/B-007"), "book");
        assert_eq!(category("order-7"), "order");
        assert_eq!(category("tenant:42"), "tenant");
        assert_eq!(category("plain"), "plain");
        assert_eq!(category("-odd"), "-odd");
    }
}
