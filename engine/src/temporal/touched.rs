//! The read-model rows one event changed, found by the keys the event itself names.

use crate::envelope::DomainEvent;
use crate::history::History;
use crate::ids::Position;
use crate::projection::{Cell, Row};
use crate::store::EventStore;

/// A read-model row one event changed: what it was just before, and what it became.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TouchedRow {
    pub model: &'static str,
    pub key: String,
    /// `None` when the event created the row.
    pub before: Option<Row>,
    pub after: Row,
}

/// The read-model rows the event at `position` changed, found without scanning whole models:
/// rows are looked up by the keys the event itself names (its payload's ids, its flow, its
/// minute) and kept when their last event is this one.
pub fn rows_changed_by<E: DomainEvent>(
    history: &History<E>,
    store: &EventStore<E>,
    position: Position,
) -> Vec<TouchedRow> {
    let Some(event) = store.get(position) else {
        return Vec::new();
    };
    let json = event.to_json();
    let mut keys: Vec<String> = Vec::new();
    collect_strings(&json["payload"], &mut keys);
    keys.push(event.correlation_id.to_string());
    let minute = crate::ids::Timestamp(event.recorded_at.0.div_euclid(60_000) * 60_000);
    keys.push(minute.to_rfc3339());
    keys.sort();
    keys.dedup();
    let after = history.state_at(store, position);
    let before = history.state_at(store, Position(position.0.saturating_sub(1)));
    let mut touched = Vec::new();
    for model in after.iter() {
        for key in &keys {
            let Some(row) = model.row(key) else { continue };
            if row.cells.contains(&Cell::Event(position)) {
                let previous = before.by_name(model.name()).and_then(|m| m.row(key));
                touched.push(TouchedRow {
                    model: model.name(),
                    key: key.clone(),
                    before: previous,
                    after: row,
                });
            }
        }
    }
    touched
}

fn collect_strings(value: &serde_json::Value, into: &mut Vec<String>) {
    match value {
        serde_json::Value::String(text) => into.push(text.clone()),
        serde_json::Value::Array(items) => {
            items.iter().for_each(|item| collect_strings(item, into))
        }
        serde_json::Value::Object(map) => map.values().for_each(|item| collect_strings(item, into)),
        _ => {}
    }
}
