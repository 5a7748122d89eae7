//! Which field of a foreign record gives each part of Eventide's envelope: the event type, the
//! stream, the time, the id, correlation and causation, the producer and the payload. Detected
//! from a sample of the file (CloudEvents' own attributes, or the names other stores export),
//! shown to the user, and changeable field by field before anything is built.

use std::fmt;

use eventide_engine::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::path::FieldPath;
use crate::read::{Place, Record};

/// A part of the envelope a field can give.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    EventType,
    Stream,
    Time,
    Id,
    Correlation,
    Causation,
    Producer,
    Data,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::EventType,
        Role::Stream,
        Role::Time,
        Role::Id,
        Role::Correlation,
        Role::Causation,
        Role::Producer,
        Role::Data,
    ];

    /// As one word: the CLI's flags, the printed mapping and the web's test ids name it so.
    pub fn word(self) -> &'static str {
        match self {
            Role::EventType => "type",
            Role::Stream => "stream",
            Role::Time => "time",
            Role::Id => "id",
            Role::Correlation => "correlation",
            Role::Causation => "causation",
            Role::Producer => "producer",
            Role::Data => "data",
        }
    }

    /// As a sentence names it.
    pub fn name(self) -> &'static str {
        match self {
            Role::EventType => "the event type",
            Role::Stream => "the stream",
            Role::Time => "the time",
            Role::Id => "the event id",
            Role::Correlation => "the correlation id",
            Role::Causation => "the causation id",
            Role::Producer => "the producer",
            Role::Data => "the payload",
        }
    }

    /// Whether only some events carry this part, so one record with the field is enough to
    /// choose it: a flow's first event has no cause, and a log may correlate only some flows.
    fn is_occasional(self) -> bool {
        matches!(self, Role::Correlation | Role::Causation)
    }

    /// Fields other tools name this part by, most telling first: CloudEvents' attributes and
    /// extensions, KurrentDB's export, Kafka dumps (`kcat -J`), and common application logs.
    fn candidates(self, dialect: Dialect) -> &'static [&'static str] {
        match (dialect, self) {
            (Dialect::CloudEvents, Role::EventType) => &["type"],
            (Dialect::CloudEvents, Role::Stream) => &["subject", "partitionkey"],
            (Dialect::CloudEvents, Role::Time) => &["time"],
            (Dialect::CloudEvents, Role::Id) => &["id"],
            (Dialect::CloudEvents, Role::Correlation) => {
                &["correlationid", "correlation", "traceparent"]
            }
            (Dialect::CloudEvents, Role::Causation) => &["causationid", "causation"],
            (Dialect::CloudEvents, Role::Producer) => &["source"],
            (Dialect::CloudEvents, Role::Data) => &["data"],
            (Dialect::Plain, Role::EventType) => &[
                "type",
                "eventType",
                "event_type",
                "EventType",
                "kind",
                "event",
                "name",
                "@type",
            ],
            (Dialect::Plain, Role::Stream) => &[
                "streamId",
                "stream_id",
                "stream",
                "subject",
                "aggregateId",
                "aggregate_id",
                "entityId",
                "entity_id",
                "key",
            ],
            (Dialect::Plain, Role::Time) => &[
                "time",
                "timestamp",
                "occurredAt",
                "occurred_at",
                "created",
                "createdAt",
                "created_at",
                "recordedAt",
                "ts",
            ],
            (Dialect::Plain, Role::Id) => &["id", "eventId", "event_id", "uuid", "messageId"],
            (Dialect::Plain, Role::Correlation) => &[
                "correlationId",
                "correlation_id",
                "metadata.$correlationId",
                "metadata.correlationId",
                "metadata.correlation_id",
            ],
            (Dialect::Plain, Role::Causation) => &[
                "causationId",
                "causation_id",
                "metadata.$causationId",
                "metadata.causationId",
                "metadata.causation_id",
            ],
            (Dialect::Plain, Role::Producer) => {
                &["source", "producer", "service", "metadata.producer"]
            }
            (Dialect::Plain, Role::Data) => &["data", "payload", "body", "value"],
        }
    }
}

/// What the records look like as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dialect {
    /// Structured-mode CloudEvents 1.0 (they carry `specversion`).
    CloudEvents,
    /// Any other JSON objects.
    Plain,
}

/// Where each part of the envelope comes from. Only the event type is required: a record
/// without an id is known by its place, one without a time has none, one without a stream
/// belongs to none, and without a payload field the whole record is the payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub event_type: FieldPath,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<FieldPath>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<FieldPath>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<FieldPath>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation: Option<FieldPath>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation: Option<FieldPath>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer: Option<FieldPath>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<FieldPath>,
}

/// A mapping found from a sample, with how much of the sample each chosen field covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    pub dialect: Dialect,
    pub mapping: Mapping,
    /// For each role with a field, in how many of the sampled records it was there.
    pub coverage: Vec<(Role, usize)>,
    pub sampled: usize,
}

/// No field in the sample can give the event type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetectError {
    /// The top-level keys the sample has, so the user can pick one.
    pub keys: Vec<String>,
}

impl fmt::Display for DetectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.keys.is_empty() {
            return f.write_str("the log holds no event to map");
        }
        write!(
            f,
            "no field gives the event type (none of `type`, `eventType`, `kind`, ...): choose one of {}",
            self.keys
                .iter()
                .map(|key| format!("`{key}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

impl std::error::Error for DetectError {}

impl Mapping {
    /// The usual mapping for a sample of records (the first thousand, say): for each role, the
    /// first candidate field present in at least half of them (in any of them, for correlation
    /// and causation). Fails only when nothing can give the event type.
    pub fn detect(sample: &[Value]) -> Result<Detection, DetectError> {
        let cloudevents = sample
            .iter()
            .filter(|record| record.get("specversion").is_some())
            .count();
        let dialect = if sample.is_empty() || cloudevents * 2 < sample.len() {
            Dialect::Plain
        } else {
            Dialect::CloudEvents
        };
        let mut coverage = Vec::new();
        let mut choose = |role: Role| {
            let (path, present) = role
                .candidates(dialect)
                .iter()
                .filter_map(|candidate| FieldPath::parse(candidate).ok())
                .map(|path| {
                    let present = sample
                        .iter()
                        .filter(|record| path.get(record).is_some_and(|value| !value.is_null()))
                        .count();
                    (path, present)
                })
                .find(|(_, present)| {
                    *present > 0 && (role.is_occasional() || present * 2 >= sample.len())
                })?;
            coverage.push((role, present));
            Some(path)
        };
        let Some(event_type) = choose(Role::EventType) else {
            return Err(DetectError {
                keys: top_keys(sample),
            });
        };
        let mapping = Mapping {
            event_type,
            stream: choose(Role::Stream),
            time: choose(Role::Time),
            id: choose(Role::Id),
            correlation: choose(Role::Correlation),
            causation: choose(Role::Causation),
            producer: choose(Role::Producer),
            data: choose(Role::Data),
        };
        Ok(Detection {
            dialect,
            mapping,
            coverage,
            sampled: sample.len(),
        })
    }

    /// The type from `event_type`, and nothing else from any field.
    pub fn only_type(event_type: FieldPath) -> Mapping {
        Mapping {
            event_type,
            stream: None,
            time: None,
            id: None,
            correlation: None,
            causation: None,
            producer: None,
            data: None,
        }
    }

    /// The field a role comes from, if any.
    pub fn field(&self, role: Role) -> Option<&FieldPath> {
        match role {
            Role::EventType => Some(&self.event_type),
            Role::Stream => self.stream.as_ref(),
            Role::Time => self.time.as_ref(),
            Role::Id => self.id.as_ref(),
            Role::Correlation => self.correlation.as_ref(),
            Role::Causation => self.causation.as_ref(),
            Role::Producer => self.producer.as_ref(),
            Role::Data => self.data.as_ref(),
        }
    }

    /// The same mapping with one role taken from another field (`None`: from no field). The
    /// event type cannot come from no field.
    pub fn with(mut self, role: Role, field: Option<FieldPath>) -> Result<Mapping, MappingError> {
        let slot = match role {
            Role::EventType => {
                self.event_type = field.ok_or(MappingError::TypeIsRequired)?;
                return Ok(self);
            }
            Role::Stream => &mut self.stream,
            Role::Time => &mut self.time,
            Role::Id => &mut self.id,
            Role::Correlation => &mut self.correlation,
            Role::Causation => &mut self.causation,
            Role::Producer => &mut self.producer,
            Role::Data => &mut self.data,
        };
        *slot = field;
        Ok(self)
    }

    /// One record as an event of the log, or the first field that cannot be read as its role.
    pub fn map(&self, record: &Record) -> Result<MappedEvent, MapError> {
        let value = &record.value;
        let problem = |role: Role, path: &FieldPath, problem: Problem| MapError {
            place: record.place,
            role,
            field: path.clone(),
            problem,
        };
        let event_type = match self.event_type.get(value) {
            None | Some(Value::Null) => {
                return Err(problem(Role::EventType, &self.event_type, Problem::Missing))
            }
            Some(found) => match text(found) {
                Some(text) if !text.trim().is_empty() => text,
                Some(_) => return Err(problem(Role::EventType, &self.event_type, Problem::Blank)),
                None => {
                    return Err(problem(
                        Role::EventType,
                        &self.event_type,
                        Problem::NotText(found.clone()),
                    ))
                }
            },
        };
        let optional_text = |role: Role| -> Result<Option<String>, MapError> {
            let Some(path) = self.field(role) else {
                return Ok(None);
            };
            match path.get(value) {
                None | Some(Value::Null) => Ok(None),
                Some(found) => text(found)
                    .map(Some)
                    .ok_or_else(|| problem(role, path, Problem::NotText(found.clone()))),
            }
        };
        let time =
            match &self.time {
                None => None,
                Some(path) => match path.get(value) {
                    None | Some(Value::Null) => None,
                    Some(found) => Some(time(found).ok_or_else(|| {
                        problem(Role::Time, path, Problem::NotATime(found.clone()))
                    })?),
                },
            };
        let data = match &self.data {
            None => value.clone(),
            Some(path) => path.get(value).cloned().unwrap_or(Value::Null),
        };
        Ok(MappedEvent {
            place: record.place,
            id: optional_text(Role::Id)?,
            event_type,
            stream: optional_text(Role::Stream)?,
            time,
            correlation: optional_text(Role::Correlation)?,
            causation: optional_text(Role::Causation)?,
            producer: optional_text(Role::Producer)?,
            data,
        })
    }
}

fn top_keys(sample: &[Value]) -> Vec<String> {
    let mut keys: Vec<String> = sample
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|object| object.keys().cloned())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Ids and names may be written as numbers (Kafka offsets, numeric keys): both read as text.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Epoch numbers below this are seconds, above it milliseconds: 10^11 seconds is the year
/// 5138, 10^11 milliseconds is March 1973.
const MILLIS_FROM: f64 = 1e11;

/// A time written as RFC 3339 (or `YYYY-MM-DD HH:MM:SS`), or as epoch seconds or milliseconds.
fn time(value: &Value) -> Option<Timestamp> {
    match value {
        Value::String(text) => Timestamp::parse(text),
        Value::Number(number) => {
            let number = number.as_f64()?;
            if !number.is_finite() {
                return None;
            }
            let millis = if number.abs() >= MILLIS_FROM {
                number
            } else {
                number * 1000.0
            };
            // Beyond chrono's years the time cannot be shown; refuse it as a time.
            let millis = millis.round();
            (millis.abs() < 8.0e15).then(|| Timestamp::from_millis(millis as i64))
        }
        _ => None,
    }
}

/// A record read through a mapping: the parts of the envelope it gives, and its payload.
#[derive(Clone, Debug, PartialEq)]
pub struct MappedEvent {
    pub place: Place,
    pub id: Option<String>,
    pub event_type: String,
    pub stream: Option<String>,
    pub time: Option<Timestamp>,
    pub correlation: Option<String>,
    pub causation: Option<String>,
    pub producer: Option<String>,
    pub data: Value,
}

/// A record a mapping cannot read: where, which part, from which field, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct MapError {
    pub place: Place,
    pub role: Role,
    pub field: FieldPath,
    pub problem: Problem,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    Missing,
    Blank,
    NotText(Value),
    NotATime(Value),
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (place, role, field) = (self.place, self.role.name(), &self.field);
        match &self.problem {
            Problem::Missing => write!(f, "{place}: {role} (field `{field}`) is missing"),
            Problem::Blank => write!(f, "{place}: {role} (field `{field}`) is blank"),
            Problem::NotText(value) => write!(
                f,
                "{place}: {role} (field `{field}`) is {value}, which is not text or a number"
            ),
            Problem::NotATime(value) => write!(
                f,
                "{place}: {role} (field `{field}`) is {value}, which is not a time \
                 (RFC 3339 like 2024-05-01T12:00:00Z, or epoch seconds or milliseconds)"
            ),
        }
    }
}

impl std::error::Error for MapError {}

/// Why a mapping cannot be changed that way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MappingError {
    TypeIsRequired,
}

impl fmt::Display for MappingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MappingError::TypeIsRequired => {
                f.write_str("every event needs a type: choose the field that gives it")
            }
        }
    }
}

impl std::error::Error for MappingError {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(text: &str) -> FieldPath {
        FieldPath::parse(text).expect("a path")
    }

    fn record(value: Value) -> Record {
        Record {
            place: Place::Line(3),
            value,
        }
    }

    #[test]
    fn cloudevents_map_by_their_own_attributes() {
        let sample = [
            json!({"specversion": "1.0", "id": "a1", "type": "com.acme.order.placed",
                   "source": "/orders", "subject": "order-7", "time": "2024-05-01T12:00:00Z",
                   "correlationid": "flow-1", "data": {"total": 12}}),
            json!({"specversion": "1.0", "id": "a2", "type": "com.acme.order.paid",
                   "source": "/payments", "subject": "order-7", "time": "2024-05-01T12:01:00Z",
                   "correlationid": "flow-1", "causationid": "a1", "data": {}}),
        ];
        let detection = Mapping::detect(&sample).expect("detected");
        assert_eq!(detection.dialect, Dialect::CloudEvents);
        let mapping = &detection.mapping;
        assert_eq!(mapping.event_type, path("type"));
        assert_eq!(mapping.stream, Some(path("subject")));
        assert_eq!(mapping.producer, Some(path("source")));
        // A cause is only where there is one: one record is enough.
        assert_eq!(mapping.causation, Some(path("causationid")));
        assert!(detection.coverage.contains(&(Role::Causation, 1)));
        let paid = mapping.map(&record(sample[1].clone())).expect("mapped");
        assert_eq!(paid.event_type, "com.acme.order.paid");
        assert_eq!(paid.time, Timestamp::parse("2024-05-01T12:01:00Z"));
        assert_eq!(paid.causation.as_deref(), Some("a1"));
        assert_eq!(paid.data, json!({}));
    }

    #[test]
    fn a_kurrentdb_export_maps_its_metadata_fields() {
        let sample = [json!({"eventId": "e-1", "eventType": "AccountOpened",
            "streamId": "account-1", "created": 1714564800123_i64,
            "data": {"owner": "Ada"},
            "metadata": {"$correlationId": "c-1", "$causationId": "c-1"}})];
        let detection = Mapping::detect(&sample).expect("detected");
        assert_eq!(detection.dialect, Dialect::Plain);
        let event = detection
            .mapping
            .map(&record(sample[0].clone()))
            .expect("mapped");
        assert_eq!(event.id.as_deref(), Some("e-1"));
        assert_eq!(event.stream.as_deref(), Some("account-1"));
        assert_eq!(event.correlation.as_deref(), Some("c-1"));
        assert_eq!(event.time, Some(Timestamp::from_millis(1_714_564_800_123)));
        assert_eq!(event.data, json!({"owner": "Ada"}));
    }

    #[test]
    fn epoch_seconds_and_milliseconds_are_told_apart() {
        assert_eq!(
            time(&json!(1714564800)),
            Some(Timestamp::from_millis(1_714_564_800_000))
        );
        assert_eq!(
            time(&json!(1714564800.5)),
            Some(Timestamp::from_millis(1_714_564_800_500))
        );
        assert_eq!(
            time(&json!(1714564800123_i64)),
            Some(Timestamp::from_millis(1_714_564_800_123))
        );
        assert_eq!(time(&json!("yesterday")), None);
        assert_eq!(time(&json!(1e300)), None);
        assert_eq!(time(&json!(true)), None);
    }

    #[test]
    fn without_a_type_field_detection_names_the_keys_to_choose_from() {
        let error = Mapping::detect(&[json!({"what": "x", "when": 1})]).expect_err("none");
        assert_eq!(error.keys, ["what", "when"]);
        assert!(error.to_string().contains("`what`, `when`"), "{error}");
    }

    #[test]
    fn a_record_the_mapping_cannot_read_is_named_with_its_place_and_field() {
        let mapping = Mapping::detect(&[json!({"type": "A", "time": "2024-01-01"})])
            .expect("detected")
            .mapping;
        let missing = mapping
            .map(&record(json!({"time": "2024-01-01"})))
            .expect_err("no type");
        assert_eq!(
            missing.to_string(),
            "line 3: the event type (field `type`) is missing"
        );
        let bad_time = mapping
            .map(&record(json!({"type": "A", "time": "soon"})))
            .expect_err("bad time");
        assert_eq!(bad_time.role, Role::Time);
        assert!(bad_time
            .to_string()
            .starts_with("line 3: the time (field `time`) is \"soon\""));
        let bad_type = mapping
            .map(&record(json!({"type": {"x": 1}})))
            .expect_err("an object");
        assert!(matches!(bad_type.problem, Problem::NotText(_)));
        let blank = mapping
            .map(&record(json!({"type": "  "})))
            .expect_err("blank");
        assert_eq!(blank.problem, Problem::Blank);
    }

    #[test]
    fn a_role_can_be_moved_to_another_field_or_to_none_except_the_type() {
        let mapping = Mapping::detect(&[json!({"type": "A", "key": 42, "data": {"n": 1}})])
            .expect("detected")
            .mapping;
        assert_eq!(mapping.stream, Some(path("key")));
        let mapping = mapping
            .with(Role::Stream, Some(path("data.n")))
            .expect("changed")
            .with(Role::Data, None)
            .expect("changed");
        let event = mapping
            .map(&record(json!({"type": "A", "key": 42, "data": {"n": 1}})))
            .expect("mapped");
        // A number reads as text; with no payload field the whole record is the payload.
        assert_eq!(event.stream.as_deref(), Some("1"));
        assert_eq!(
            event.data,
            json!({"type": "A", "key": 42, "data": {"n": 1}})
        );
        assert_eq!(
            mapping.with(Role::EventType, None),
            Err(MappingError::TypeIsRequired)
        );
    }

    #[test]
    fn a_mapping_is_saved_as_field_texts_and_read_back() {
        let mapping =
            Mapping::detect(&[json!({"eventType": "A", "metadata": {"$correlationId": "c"}})])
                .expect("detected")
                .mapping;
        let text = serde_json::to_value(&mapping).expect("written");
        assert_eq!(
            text,
            json!({"event_type": "eventType", "correlation": "metadata.$correlationId"})
        );
        let back: Mapping = serde_json::from_value(text).expect("read");
        assert_eq!(back, mapping);
    }
}
