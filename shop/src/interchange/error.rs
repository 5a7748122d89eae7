//! What can be wrong with a file offered for import, as types: the file as a whole (too large,
//! not JSON, an unknown format, a bad scenario header) or one event, named by its index and id,
//! and one of its fields, named as the file spells it (`data.lines[1].quantity`).

use std::fmt;

use eventide_engine::ids::{EventId, Position, StreamVersion, Timestamp};

/// Which event of the file a problem is in: its zero-based index in the array of events, and
/// its id once that has been read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventAt {
    pub index: usize,
    pub id: Option<EventId>,
}

impl fmt::Display for EventAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.id {
            Some(id) => write!(f, "event at index {} (id {id})", self.index),
            None => write!(f, "event at index {} (no valid id)", self.index),
        }
    }
}

/// Why an import was refused. Nothing was imported: the shop the caller holds is untouched.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Checked before parsing, so a huge file costs nothing but its length.
    #[error("the file is {size} bytes, over the import limit of {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    /// The JSON stops before it is complete: a cut-off download or copy.
    #[error("the file ends early at line {line}, column {column}: the JSON is truncated")]
    Truncated { line: usize, column: usize },
    #[error("the file is not valid JSON at line {line}, column {column}: {message}")]
    MalformedJson {
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "the file is {found}, neither a CloudEvents batch (a JSON array of events) nor an \
         Eventide scenario (an object with \"format\": \"{scenario}\")",
        scenario = super::SCENARIO_FORMAT
    )]
    UnknownFormat { found: String },
    /// A field of the scenario's header (`format`, `version`, `seed`, `settings`, `events`).
    #[error("scenario field `{field}` {problem}")]
    Scenario {
        field: String,
        problem: FieldProblem,
    },
    #[error("event at index {index} must be a JSON object, found {found}")]
    EventNotAnObject { index: usize, found: String },
    /// One event is wrong, or does not follow the events before it.
    #[error("{at}, field `{field}` {problem}")]
    Event {
        at: EventAt,
        field: String,
        problem: FieldProblem,
    },
    /// Imports build a shop from nothing; they never merge into a log.
    #[error("the shop to import into already holds {events} events; import into an empty one")]
    ShopNotEmpty { events: usize },
}

impl ImportError {
    /// The event the error is about, if it is about one.
    pub fn event(&self) -> Option<EventAt> {
        match self {
            ImportError::Event { at, .. } => Some(*at),
            ImportError::EventNotAnObject { index, .. } => Some(EventAt {
                index: *index,
                id: None,
            }),
            _ => None,
        }
    }

    /// The field the error names, if it names one (`subject`, `data.order`, `events`).
    pub fn field(&self) -> Option<&str> {
        match self {
            ImportError::Event { field, .. } | ImportError::Scenario { field, .. } => Some(field),
            _ => None,
        }
    }

    /// What is wrong with the field, if the error names one.
    pub fn problem(&self) -> Option<&FieldProblem> {
        match self {
            ImportError::Event { problem, .. } | ImportError::Scenario { problem, .. } => {
                Some(problem)
            }
            _ => None,
        }
    }
}

/// What is wrong with one field. Each message reads on from "field `x` ".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldProblem {
    #[error("is missing")]
    Missing,
    #[error("must be {expected}, found {found}")]
    Invalid { expected: String, found: String },
    #[error("names an unknown event type: {found}")]
    UnknownEventType { found: String },
    /// The payload does not deserialise as its event type: serde's words, at the field.
    #[error("does not fit {event_type}: {message}")]
    PayloadMismatch {
        event_type: &'static str,
        message: String,
    },
    /// The payload breaks a rule of its event type's JSON Schema: the rule's own words.
    #[error("breaks {event_type} v1's schema: {rule}")]
    SchemaViolation {
        event_type: &'static str,
        rule: String,
    },
    /// A field the format (or the event type's payload) does not have: a typo, or a newer
    /// format than this build reads. Refused, because importing it would silently drop it.
    #[error("is not a field of {of}")]
    Unknown { of: String },
    #[error("repeats the id of the event at index {first}")]
    DuplicateId { first: usize },
    #[error("is {found}, expected {expected}: positions run 1, 2, 3, ... with no gap")]
    PositionGap { expected: Position, found: Position },
    #[error(
        "is {found}, expected {expected}: the versions of stream {stream} run 1, 2, 3, ... \
         with no gap"
    )]
    VersionGap {
        stream: String,
        expected: StreamVersion,
        found: StreamVersion,
    },
    #[error("is {found}, earlier than the previous event's {previous}: recorded time never runs backwards")]
    TimeWentBackwards {
        previous: Timestamp,
        found: Timestamp,
    },
    /// Business time may be earlier than recorded time (a back-dated fact), never later.
    #[error(
        "is {occurred_at}, later than the time it was recorded ({recorded_at}): nothing \
         happens after it is known"
    )]
    OccurredAfterRecorded {
        occurred_at: Timestamp,
        recorded_at: Timestamp,
    },
    #[error("declares stream {declared}, but the payload belongs to {actual}")]
    WrongStream { declared: String, actual: String },
    /// The shop hands order numbers out in turn; the aggregates and read models rely on it.
    #[error(
        "opens order {found}, but the next order number is {expected}: orders are numbered in turn"
    )]
    OrderOutOfTurn { expected: String, found: String },
    /// The store refused an event that passed every check above: a bug, reported, not hidden.
    #[error("was refused by the store: {message}")]
    Refused { message: String },
}
