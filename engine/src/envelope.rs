//! The envelope every event travels in, and the traits a domain implements so the store can
//! index its events without knowing what they mean.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::{Debug, Display};
use std::hash::Hash;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::ids::{CorrelationId, EventId, Position, SchemaVersion, StreamVersion, Timestamp};

/// A closed set of names (event types, aggregate types), each with a dense index so that
/// per-kind indexes are plain vectors instead of hash maps.
pub trait Named: Copy + Eq + Hash + Debug + 'static {
    /// Every member, in index order.
    const ALL: &'static [Self];

    fn name(self) -> &'static str;

    fn index(self) -> usize;

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|kind| kind.name() == name)
    }
}

/// The identity of one aggregate instance, and so of its stream (`Order O-0042`).
pub trait StreamKey: Copy + Eq + Hash + Debug + Display + 'static {
    /// The aggregate type, also called the stream's category.
    type Category: Named;

    fn category(&self) -> Self::Category;
}

/// A domain event: a past-tense fact. The domain decides what it carries; the envelope adds
/// everything the store and the consumers need to place it.
///
/// The payload contract: an event serialises adjacently tagged, its type's name under
/// [`DomainEvent::TAG`] and its fields under `payload` (serde's
/// `#[serde(tag = "event_type", content = "payload")]`), and reads back from that shape. The
/// envelope's `payload` is that object's `payload` ([`DomainEvent::payload`]); a domain checks
/// its events keep the contract with [`check_payload_contract`], for an example of every type.
pub trait DomainEvent: Clone + Debug + PartialEq + Serialize + DeserializeOwned + 'static {
    type Kind: Named;
    type Stream: StreamKey;

    /// The field beside `payload` that names the event's type when it serialises.
    const TAG: &'static str = "event_type";

    fn kind(&self) -> Self::Kind;

    /// The event's fields alone: what the envelope carries as `payload`. Refused, with what the
    /// event serialised as, if it breaks the payload contract.
    fn payload(&self) -> Result<serde_json::Value, PayloadContractError> {
        let broken = |found: serde_json::Value| PayloadContractError {
            kind: self.kind().name(),
            found: found.to_string(),
        };
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut map))
                if map.len() == 2
                    && map.get(Self::TAG).and_then(serde_json::Value::as_str)
                        == Some(self.kind().name()) =>
            {
                match map.remove(PAYLOAD) {
                    Some(payload) => Ok(payload),
                    None => Err(broken(serde_json::Value::Object(map))),
                }
            }
            Ok(other) => Err(broken(other)),
            Err(error) => Err(broken(serde_json::Value::String(error.to_string()))),
        }
    }

    /// The event of type `kind` with these fields: the payload contract read backwards.
    fn from_payload(kind: Self::Kind, payload: serde_json::Value) -> serde_json::Result<Self> {
        let mut tagged = serde_json::Map::new();
        tagged.insert(Self::TAG.into(), kind.name().into());
        tagged.insert(PAYLOAD.into(), payload);
        serde_json::from_value(serde_json::Value::Object(tagged))
    }
}

/// The key a domain event's fields serialise under (see [`DomainEvent`]'s payload contract).
pub const PAYLOAD: &str = "payload";

/// An event that does not serialise as the payload contract says.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a {kind} event must serialise as {{\"<tag>\": \"{kind}\", \"payload\": {{..}}}}, not as {found}")]
pub struct PayloadContractError {
    pub kind: &'static str,
    pub found: String,
}

/// Whether `event` keeps the payload contract both ways: it serialises adjacently tagged under
/// `payload`, and its payload reads back as the same event. A domain's tests call this for an
/// example of each of its types.
pub fn check_payload_contract<E: DomainEvent>(event: &E) -> Result<(), PayloadContractError> {
    let payload = event.payload()?;
    match E::from_payload(event.kind(), payload.clone()) {
        Ok(back) if back == *event => Ok(()),
        Ok(back) => Err(PayloadContractError {
            kind: event.kind().name(),
            found: format!("{back:?}, read back from {payload}"),
        }),
        Err(error) => Err(PayloadContractError {
            kind: event.kind().name(),
            found: format!("{payload}, which does not read back: {error}"),
        }),
    }
}

/// The payload fields a consumer reads, per event type it consumes: top-level fields, named as
/// the code's version of the payload names them. A consumer declares them beside the code that
/// reads them, so "who breaks if this field goes?" follows from what each one really reads.
pub type PayloadReads<K> = &'static [(K, &'static [&'static str])];

/// Free-form context about an event that is not part of the fact itself (who produced it,
/// from which screen). Most events carry none or one entry, usually of static strings, so it is
/// a boxed slice of copy-on-write strings: one word when empty, no allocation for the strings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata(Option<Box<[MetadataEntry]>>);

type MetadataEntry = (Cow<'static, str>, Cow<'static, str>);

impl Metadata {
    pub fn with(
        self,
        key: impl Into<Cow<'static, str>>,
        value: impl Into<Cow<'static, str>>,
    ) -> Metadata {
        let key = key.into();
        let mut entries: Vec<_> = self.0.map(Vec::from).unwrap_or_default();
        entries.retain(|(existing, _)| *existing != key);
        entries.push((key, value.into()));
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Metadata(Some(entries.into_boxed_slice()))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .flat_map(|entries| entries.iter())
            .map(|(key, value)| (key.as_ref(), value.as_ref()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.as_ref().is_none_or(|entries| entries.is_empty())
    }
}

impl Serialize for Metadata {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Metadata {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, String>::deserialize(deserializer)?;
        Ok(map
            .into_iter()
            .fold(Metadata::default(), |metadata, (k, v)| metadata.with(k, v)))
    }
}

/// An event proposed for appending: the store adds position, stream version and time.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent<E> {
    pub id: EventId,
    /// When it happened in the business's world, if not when it is recorded: a late report of
    /// yesterday's delivery is back-dated. `None` means "now", the recording time.
    pub occurred_at: Option<Timestamp>,
    pub schema_version: SchemaVersion,
    pub correlation_id: CorrelationId,
    pub causation_id: Option<EventId>,
    pub metadata: Metadata,
    pub event: E,
}

impl<E> NewEvent<E> {
    /// An event that starts a new flow: it correlates on its own id and has no cause.
    pub fn new(id: EventId, event: E) -> NewEvent<E> {
        NewEvent {
            id,
            occurred_at: None,
            schema_version: SchemaVersion::V1,
            correlation_id: id.as_correlation(),
            causation_id: None,
            metadata: Metadata::default(),
            event,
        }
    }

    /// An event caused by another: same flow, and the cause is named.
    pub fn caused_by(mut self, correlation_id: CorrelationId, cause: EventId) -> NewEvent<E> {
        self.correlation_id = correlation_id;
        self.causation_id = Some(cause);
        self
    }

    pub fn in_flow(mut self, correlation_id: CorrelationId, cause: Option<EventId>) -> Self {
        self.correlation_id = correlation_id;
        self.causation_id = cause;
        self
    }
}

/// A recorded event: immutable once in the store. Serialises as the JSON envelope
/// (`event_type`, `schema_version`, `aggregate_type`, `aggregate_id`, ..., `payload`).
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded<E: DomainEvent> {
    pub id: EventId,
    pub position: Position,
    pub stream: E::Stream,
    pub version: StreamVersion,
    pub schema_version: SchemaVersion,
    pub recorded_at: Timestamp,
    /// Business time: when it happened, which may be earlier than when it was recorded.
    pub occurred_at: Timestamp,
    pub correlation_id: CorrelationId,
    pub causation_id: Option<EventId>,
    pub metadata: Metadata,
    pub event: E,
}

impl<E: DomainEvent> Recorded<E> {
    pub fn kind(&self) -> E::Kind {
        self.event.kind()
    }

    /// The envelope as JSON, every field named as in the catalog.
    pub fn to_json(&self) -> serde_json::Value {
        // An event that breaks the payload contract (its domain's tests say so) carries none.
        let payload = self.event.payload().unwrap_or(serde_json::Value::Null);
        serde_json::json!({
            "event_id": self.id,
            "event_type": self.kind().name(),
            "schema_version": self.schema_version,
            "aggregate_type": self.stream.category().name(),
            "aggregate_id": self.stream.to_string(),
            "aggregate_version": self.version,
            "position": self.position,
            "recorded_at": self.recorded_at.to_rfc3339(),
            "occurred_at": self.occurred_at.to_rfc3339(),
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "metadata": self.metadata,
            "payload": payload,
        })
    }
}

/// How consumers read a recorded event *now*: once an event type's schema has evolved, its old
/// events are upcast on the way to their readers while the log keeps them as written.
pub trait Upcasting<E: DomainEvent> {
    /// The event as its consumers read it, or `None` when it reads exactly as recorded (the
    /// common case, which must stay cheap: no clone).
    fn read(&self, event: &Recorded<E>) -> Option<Recorded<E>>;

    /// Whether events of `kind` may read otherwise than recorded. `false` (a type that never
    /// evolved) lets a read-model set hand its events on without asking `read` for each.
    fn evolves(&self, _kind: E::Kind) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_domain::{Sku, StockEvent, StockEventKind};

    /// The stock domain's event, serialised as serde does by default: externally tagged, so its
    /// fields sit under its type's name and there is no `payload`.
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    enum Untagged {
        StockReceived { sku: Sku, quantity: u32 },
    }

    impl DomainEvent for Untagged {
        type Kind = StockEventKind;
        type Stream = crate::test_domain::StockStream;

        fn kind(&self) -> StockEventKind {
            StockEventKind::StockReceived
        }
    }

    #[test]
    fn it_should_take_the_payload_of_an_event_that_keeps_the_contract() {
        let event = StockEvent::StockReceived {
            sku: Sku(3),
            quantity: 10,
        };
        assert_eq!(
            event.payload(),
            Ok(serde_json::json!({"sku": "SKU-03", "quantity": 10}))
        );
        assert_eq!(check_payload_contract(&event), Ok(()));
    }

    #[test]
    fn it_should_refuse_an_event_that_does_not_serialise_under_payload() {
        let event = Untagged::StockReceived {
            sku: Sku(3),
            quantity: 10,
        };
        let refused = event.payload().expect_err("no payload to take");
        assert!(refused.found.contains("\"StockReceived\":{"), "{refused}");
        assert!(check_payload_contract(&event).is_err());
    }
}
