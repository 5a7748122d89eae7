//! What a log holds, in a few figures: events per type, streams, and the recorded-time range.
//! Shown after an import so the user sees what they are about to work on.

use std::fmt;

use serde_json::{json, Map, Value};

use crate::events::ShopEventKind;
use crate::ShopStore;
use eventide_engine::envelope::Named;
use eventide_engine::ids::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogSummary {
    pub events: usize,
    pub streams: usize,
    /// The first and last recorded time; `None` for an empty log.
    pub time_range: Option<(Timestamp, Timestamp)>,
    /// Every event type the log holds, with its count, in catalog order.
    pub per_type: Vec<(ShopEventKind, usize)>,
}

/// The figures of a log.
pub fn summarize(store: &ShopStore) -> LogSummary {
    let events = store.events();
    LogSummary {
        events: events.len(),
        streams: store.stream_count(),
        time_range: events
            .first()
            .zip(events.last())
            .map(|(first, last)| (first.recorded_at, last.recorded_at)),
        per_type: ShopEventKind::ALL
            .iter()
            .map(|&kind| (kind, store.count_by_kind(kind)))
            .filter(|&(_, count)| count > 0)
            .collect(),
    }
}

impl LogSummary {
    /// `{"events", "streams", "first_recorded_at", "last_recorded_at", "events_per_type"}`.
    pub fn to_json(&self) -> Value {
        let per_type: Map<String, Value> = self
            .per_type
            .iter()
            .map(|(kind, count)| (kind.name().to_string(), json!(count)))
            .collect();
        let (first, last) = match self.time_range {
            Some((first, last)) => (json!(first.to_rfc3339()), json!(last.to_rfc3339())),
            None => (Value::Null, Value::Null),
        };
        json!({
            "events": self.events,
            "streams": self.streams,
            "first_recorded_at": first,
            "last_recorded_at": last,
            "events_per_type": per_type,
        })
    }
}

impl fmt::Display for LogSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} events in {} streams", self.events, self.streams)?;
        if let Some((first, last)) = self.time_range {
            write!(f, ", recorded from {first} to {last}")?;
        }
        for (kind, count) in &self.per_type {
            write!(f, "\n  {kind}: {count}")?;
        }
        Ok(())
    }
}
