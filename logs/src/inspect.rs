//! What a log holds, in one pass and without keeping its events: the types (how many, when,
//! from which producers, an inferred schema), the streams, the time span, and where the log
//! breaks its own promises (an id written twice, time running backwards, a causation id that
//! names no earlier event).

use std::collections::hash_map::Entry;
use std::collections::BTreeMap;
use std::hash::BuildHasher;

use eventide_engine::Timestamp;
use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};
use serde::Serialize;
use serde_json::Value;

use crate::infer::Sketch;
use crate::mapping::MappedEvent;
use crate::read::Place;

/// How many examples of each kind of problem are kept (all are counted).
const EXAMPLES: usize = 5;
/// How many producers per type, and busiest streams, are listed.
const LISTED: usize = 10;

/// Folds mapped events, one at a time, into a [`Report`].
#[derive(Default)]
pub struct Inspector {
    events: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    untimed: u64,
    types: BTreeMap<String, TypeFold>,
    streams: FxHashMap<String, u64>,
    correlations: FxHashSet<u64>,
    /// Every id seen, by a 64-bit hash (8 bytes an event instead of the text), with the
    /// ordinal of its first event.
    ids: FxHashMap<u64, u64>,
    /// Causations not yet found among the ids seen before them: settled at the end.
    unresolved: Vec<(u64, Place, String)>,
    duplicate_ids: Problems,
    backwards: Problems,
}

#[derive(Default)]
struct TypeFold {
    count: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    producers: BTreeMap<String, u64>,
    schema: Sketch,
}

/// One kind of problem: how often, and the first few places.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Problems {
    pub count: u64,
    pub examples: Vec<Example>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Example {
    pub place: String,
    pub detail: String,
}

impl Problems {
    fn note(&mut self, place: Place, detail: String) {
        self.count += 1;
        if self.examples.len() < EXAMPLES {
            self.examples.push(Example {
                place: place.to_string(),
                detail,
            });
        }
    }
}

fn hash_of(text: &str) -> u64 {
    FxBuildHasher.hash_one(text)
}

impl Inspector {
    pub fn new() -> Inspector {
        Inspector::default()
    }

    pub fn add(&mut self, event: &MappedEvent) {
        self.events += 1;
        let ordinal = self.events;
        match event.time {
            Some(time) => {
                if let Some(last) = self.last.filter(|last| time < *last) {
                    self.backwards.note(
                        event.place,
                        format!("{time} comes after an event at {last}"),
                    );
                }
                self.first = Some(self.first.map_or(time, |first| first.min(time)));
                self.last = Some(self.last.map_or(time, |last| last.max(time)));
            }
            None => self.untimed += 1,
        }
        if let Some(id) = &event.id {
            match self.ids.entry(hash_of(id)) {
                Entry::Occupied(_) => self
                    .duplicate_ids
                    .note(event.place, format!("the id {id} was written before")),
                Entry::Vacant(slot) => {
                    slot.insert(ordinal);
                }
            }
        }
        if let Some(causation) = &event.causation {
            let known = self
                .ids
                .get(&hash_of(causation))
                .is_some_and(|seen| *seen < ordinal);
            if !known {
                self.unresolved
                    .push((hash_of(causation), event.place, causation.clone()));
            }
        }
        if let Some(correlation) = &event.correlation {
            self.correlations.insert(hash_of(correlation));
        }
        if let Some(stream) = &event.stream {
            match self.streams.get_mut(stream) {
                Some(count) => *count += 1,
                None => {
                    self.streams.insert(stream.clone(), 1);
                }
            }
        }
        let fold = match self.types.get_mut(&event.event_type) {
            Some(fold) => fold,
            None => self.types.entry(event.event_type.clone()).or_default(),
        };
        fold.count += 1;
        if let Some(time) = event.time {
            fold.first = Some(fold.first.map_or(time, |first| first.min(time)));
            fold.last = Some(fold.last.map_or(time, |last| last.max(time)));
        }
        if let Some(producer) = &event.producer {
            *fold.producers.entry(producer.clone()).or_default() += 1;
        }
        fold.schema.add(&event.data);
    }

    pub fn finish(self) -> Report {
        let mut broken = Problems::default();
        let mut forward = Problems::default();
        for (hash, place, causation) in &self.unresolved {
            if self.ids.contains_key(hash) {
                forward.note(
                    *place,
                    format!("caused by {causation}, which comes later in the log"),
                );
            } else {
                broken.note(
                    *place,
                    format!("caused by {causation}, which is not in the log"),
                );
            }
        }
        let mut busiest: Vec<StreamCount> = self
            .streams
            .iter()
            .map(|(stream, events)| StreamCount {
                stream: stream.clone(),
                events: *events,
            })
            .collect();
        // Busiest first; ties by name, so the report is the same on every run.
        busiest.sort_by(|a, b| {
            b.events
                .cmp(&a.events)
                .then_with(|| a.stream.cmp(&b.stream))
        });
        busiest.truncate(LISTED);
        let types = self
            .types
            .into_iter()
            .map(|(name, fold)| {
                let mut producers: Vec<(String, u64)> = fold.producers.into_iter().collect();
                producers.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                let more_producers = producers.len().saturating_sub(LISTED);
                producers.truncate(LISTED);
                TypeReport {
                    name,
                    events: fold.count,
                    first: fold.first.map(Timestamp::to_rfc3339),
                    last: fold.last.map(Timestamp::to_rfc3339),
                    producers: producers.into_iter().map(|(name, _)| name).collect(),
                    more_producers,
                    schema: fold.schema.to_schema(),
                }
            })
            .collect();
        Report {
            events: self.events,
            first: self.first.map(Timestamp::to_rfc3339),
            last: self.last.map(Timestamp::to_rfc3339),
            untimed: self.untimed,
            streams: self.streams.len() as u64,
            busiest_streams: busiest,
            correlations: self.correlations.len() as u64,
            types,
            duplicate_ids: self.duplicate_ids,
            time_backwards: self.backwards,
            broken_causation: broken,
            causation_ahead: forward,
        }
    }
}

/// What `eventide inspect` prints (as text, or as this JSON with `--json`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub events: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    /// Events with no time.
    pub untimed: u64,
    pub streams: u64,
    pub busiest_streams: Vec<StreamCount>,
    pub correlations: u64,
    pub types: Vec<TypeReport>,
    pub duplicate_ids: Problems,
    pub time_backwards: Problems,
    /// Causation ids that name no event of the log.
    pub broken_causation: Problems,
    /// Causation ids that name an event written later (a cause after its effect).
    pub causation_ahead: Problems,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StreamCount {
    pub stream: String,
    pub events: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeReport {
    pub name: String,
    pub events: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    /// The busiest producers (CloudEvents `source`), busiest first.
    pub producers: Vec<String>,
    /// How many more producers there were than listed.
    pub more_producers: usize,
    /// An inferred JSON Schema of the payloads.
    pub schema: Value,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(line: u64, id: &str, kind: &str, time: i64) -> MappedEvent {
        MappedEvent {
            place: Place::Line(line),
            id: Some(id.into()),
            event_type: kind.into(),
            stream: Some(format!("s-{}", line % 2)),
            time: Some(Timestamp::from_millis(time)),
            correlation: Some("flow".into()),
            causation: None,
            producer: Some(format!("/{kind}")),
            data: json!({"n": line}),
        }
    }

    #[test]
    fn a_clean_log_is_summed_up_per_type_and_stream() {
        let mut inspector = Inspector::new();
        for line in 1..=5 {
            let kind = if line % 2 == 0 { "B" } else { "A" };
            inspector.add(&event(line, &format!("e{line}"), kind, line as i64 * 1000));
        }
        let report = inspector.finish();
        assert_eq!(report.events, 5);
        assert_eq!(report.streams, 2);
        assert_eq!(
            report.busiest_streams[0],
            StreamCount {
                stream: "s-1".into(),
                events: 3
            }
        );
        assert_eq!(report.correlations, 1);
        let names: Vec<(&str, u64)> = report
            .types
            .iter()
            .map(|t| (t.name.as_str(), t.events))
            .collect();
        assert_eq!(names, [("A", 3), ("B", 2)]);
        assert_eq!(report.types[0].producers, ["/A"]);
        assert_eq!(report.types[0].schema["required"], json!(["n"]));
        assert_eq!(report.first.as_deref(), Some("1970-01-01T00:00:01.000Z"));
        assert_eq!(report.duplicate_ids, Problems::default());
        assert_eq!(report.broken_causation, Problems::default());
    }

    #[test]
    fn duplicates_backward_time_and_broken_causation_are_named_by_place() {
        let mut inspector = Inspector::new();
        inspector.add(&event(1, "a", "A", 5_000));
        inspector.add(&event(2, "a", "A", 6_000));
        inspector.add(&event(3, "b", "A", 4_000));
        let mut orphan = event(4, "c", "A", 7_000);
        orphan.causation = Some("nowhere".into());
        inspector.add(&orphan);
        let mut early = event(5, "d", "A", 8_000);
        early.causation = Some("e".into());
        inspector.add(&early);
        inspector.add(&event(6, "e", "A", 9_000));
        let mut fine = event(7, "f", "A", 9_500);
        fine.causation = Some("e".into());
        inspector.add(&fine);
        let report = inspector.finish();
        assert_eq!(report.duplicate_ids.count, 1);
        assert_eq!(report.duplicate_ids.examples[0].place, "line 2");
        assert_eq!(report.time_backwards.count, 1);
        assert_eq!(report.time_backwards.examples[0].place, "line 3");
        assert_eq!(report.broken_causation.count, 1);
        assert_eq!(
            report.broken_causation.examples[0],
            Example {
                place: "line 4".into(),
                detail: "caused by nowhere, which is not in the log".into()
            }
        );
        assert_eq!(report.causation_ahead.count, 1);
        assert_eq!(report.causation_ahead.examples[0].place, "line 5");
    }
}
