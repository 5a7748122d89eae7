//! A [`Query`] compiled against a domain, and the test of one event against it.
//!
//! Compiling does every lookup once: event type and aggregate names become a set of kinds,
//! `data.<name>` becomes a slot per event type (no string comparison per event), times and
//! numbers are read once. Then the tree is specialised for each event type: `type` tests and
//! fields the type lacks fold to constants, so most event types' trees are a bare `true` or
//! `false` (one array read per event), and what remains tests its cheapest conditions first.
//! A stream test formats a stream's name when a scan meets that stream and remembers the answer
//! in a small cache of the streams met lately. Nothing here allocates per event.

use std::cmp::Ordering;
use std::fmt::Write;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

use rustc_hash::FxHasher;

use super::ast::{Check, Comparison, Field, Literal, Query, Test};
use super::error::QueryError;
use super::{FieldValue, PayloadFields};
use crate::envelope::{Named, Recorded, StreamKey};
use crate::trace::PRODUCER;

/// A query ready to test events of the domain `E`.
#[derive(Debug)]
pub struct Filter<E> {
    /// The query specialised for each event type (by kind index).
    by_kind: Box<[Node]>,
    /// How many stream tests remember their answers per stream.
    stream_tests: usize,
    domain: PhantomData<fn(&E)>,
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Const(bool),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
    /// The event's type is one of these (by kind index).
    Kinds(Box<[bool]>),
    /// The stream's category is one of these (by index).
    Categories(Box<[bool]>),
    Stream {
        test: ValueTest,
        memo: usize,
    },
    Producer(ValueTest),
    Correlation(CorrelationTest),
    Recorded(Comparison, i64),
    Occurred(Comparison, i64),
    Position(Comparison, i64),
    Data {
        /// The field's slot for each event type (by kind index), if that type has it.
        slots: Box<[Option<u16>]>,
        test: ValueTest,
    },
    /// A payload field at a known slot: `Data` specialised for one event type.
    Field {
        slot: u16,
        test: ValueTest,
    },
}

/// A check on a value of unknown shape (text, number, id), with the literal read every way
/// it can be once.
#[derive(Clone, Debug, PartialEq)]
struct ValueTest {
    check: ValueCheck,
    lower: String,
    int: Option<i64>,
    /// The literal as an id: an optional prefix (lower case) and a number.
    id: Option<(Option<String>, u64)>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum ValueCheck {
    Compare(Comparison),
    Contains,
    Exists,
}

#[derive(Clone, Debug, PartialEq)]
struct CorrelationTest {
    /// Lower-case hex digits, without hyphens.
    hex: String,
    check: CorrelationCheck,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CorrelationCheck {
    Starts,
    NotStarts,
    Contains,
}

impl<E: PayloadFields> Filter<E> {
    /// Parses and compiles; blank text is no filter (`None`).
    pub fn parse(text: &str) -> Result<Option<Filter<E>>, QueryError> {
        match super::parse(text)? {
            Some(query) => Filter::compile(&query).map(Some),
            None => Ok(None),
        }
    }

    pub fn compile(query: &Query) -> Result<Filter<E>, QueryError> {
        let mut stream_tests = 0;
        let root = compile::<E>(query, &mut stream_tests)?;
        Ok(Filter {
            by_kind: E::Kind::ALL
                .iter()
                .map(|kind| specialise(&root, kind.index()))
                .collect(),
            stream_tests,
            domain: PhantomData,
        })
    }

    /// A tester that keeps what it learns between events (which streams match): use one per
    /// scan of a log.
    pub fn scanner(&self) -> Scanner<'_, E> {
        Scanner {
            filter: self,
            streams: (0..self.stream_tests)
                .map(|_| StreamMemo::default())
                .collect(),
            text: String::new(),
        }
    }

    /// Whether one event matches. For many events, use a [`Scanner`].
    pub fn matches(&self, event: &Recorded<E>) -> bool {
        self.scanner().test(event)
    }
}

/// Tests events one after another against a [`Filter`].
pub struct Scanner<'f, E: PayloadFields> {
    filter: &'f Filter<E>,
    streams: Vec<StreamMemo<E::Stream>>,
    /// Room to write a number or an id as text for `contains`, reused.
    text: String,
}

impl<E: PayloadFields> Scanner<'_, E> {
    pub fn test(&mut self, event: &Recorded<E>) -> bool {
        let filter = self.filter;
        match filter.by_kind.get(event.kind().index()) {
            Some(Node::Const(answer)) => *answer,
            Some(tree) => self.node(tree, event),
            None => false,
        }
    }

    fn node(&mut self, node: &Node, event: &Recorded<E>) -> bool {
        match node {
            Node::Const(answer) => *answer,
            Node::And(left, right) => self.node(left, event) && self.node(right, event),
            Node::Or(left, right) => self.node(left, event) || self.node(right, event),
            Node::Not(inner) => !self.node(inner, event),
            Node::Kinds(kinds) => kinds.get(event.kind().index()).copied().unwrap_or(false),
            Node::Categories(categories) => categories
                .get(event.stream.category().index())
                .copied()
                .unwrap_or(false),
            Node::Stream { test, memo } => {
                if let Some(id) = E::stream_id(&event.stream) {
                    return test.test(Some(FieldValue::Id(id)), &mut self.text);
                }
                if let Some(known) = self.streams.get(*memo).and_then(|m| m.get(&event.stream)) {
                    return known;
                }
                self.text.clear();
                let _ = write!(self.text, "{}", event.stream);
                let name = std::mem::take(&mut self.text);
                let answer = test.test(Some(FieldValue::Text(&name)), &mut self.text);
                self.text = name;
                if let Some(memo) = self.streams.get_mut(*memo) {
                    memo.insert(event.stream, answer);
                }
                answer
            }
            Node::Producer(test) => test.test(
                event.metadata.get(PRODUCER).map(FieldValue::Text),
                &mut self.text,
            ),
            Node::Correlation(test) => test.test(event),
            Node::Recorded(comparison, at) => comparison.holds(event.recorded_at.0.cmp(at)),
            Node::Occurred(comparison, at) => comparison.holds(event.occurred_at.0.cmp(at)),
            Node::Position(comparison, at) => {
                comparison.holds(i64::try_from(event.position.0).unwrap_or(i64::MAX).cmp(at))
            }
            Node::Data { slots, test } => {
                match slots.get(event.kind().index()).copied().flatten() {
                    Some(slot) => {
                        let text = &mut self.text;
                        event
                            .event
                            .any_field(usize::from(slot), &mut |value| test.test(Some(value), text))
                    }
                    None => false,
                }
            }
            Node::Field { slot, test } => {
                let text = &mut self.text;
                event.event.any_field(usize::from(*slot), &mut |value| {
                    test.test(Some(value), text)
                })
            }
        }
    }
}

/// Slots of a [`StreamMemo`]: a power of two, small enough (tens of kilobytes) to stay in the
/// processor's cache, large enough for the streams of a busy stretch of the log.
const MEMO_SLOTS: usize = 4096;

/// The answers of one stream test for the streams met lately: direct-mapped (a slot per hash,
/// the newest stream wins it). A log of a hundred thousand streams would make a full map miss
/// the processor's cache on every event; events of one stream come close together, so this
/// answers most of them, and a stream pushed out is only formatted again.
struct StreamMemo<S> {
    slots: Box<[Option<(S, bool)>]>,
}

impl<S> Default for StreamMemo<S> {
    fn default() -> Self {
        StreamMemo {
            slots: (0..MEMO_SLOTS).map(|_| None).collect(),
        }
    }
}

impl<S: Copy + Eq + Hash> StreamMemo<S> {
    fn slot(stream: &S) -> usize {
        let mut hasher = FxHasher::default();
        stream.hash(&mut hasher);
        // The hash's high bits are its best mixed.
        (hasher.finish() >> (64 - MEMO_SLOTS.trailing_zeros())) as usize
    }

    fn get(&self, stream: &S) -> Option<bool> {
        match self.slots.get(Self::slot(stream)) {
            Some(Some((known, answer))) if known == stream => Some(*answer),
            _ => None,
        }
    }

    fn insert(&mut self, stream: S, answer: bool) {
        if let Some(slot) = self.slots.get_mut(Self::slot(&stream)) {
            *slot = Some((stream, answer));
        }
    }
}

/// The tree as it reads for events of one type (by kind index): what that type settles is
/// folded to a constant, and each `and`/`or` tests its cheaper side first (tests have no
/// effects, so their order changes only the time taken).
fn specialise(node: &Node, kind: usize) -> Node {
    let ordered = |a: Node, b: Node| if cost(&b) < cost(&a) { (b, a) } else { (a, b) };
    match node {
        Node::And(left, right) => match (specialise(left, kind), specialise(right, kind)) {
            (Node::Const(false), _) | (_, Node::Const(false)) => Node::Const(false),
            (Node::Const(true), other) | (other, Node::Const(true)) => other,
            (a, b) => {
                let (a, b) = ordered(a, b);
                Node::And(Box::new(a), Box::new(b))
            }
        },
        Node::Or(left, right) => match (specialise(left, kind), specialise(right, kind)) {
            (Node::Const(true), _) | (_, Node::Const(true)) => Node::Const(true),
            (Node::Const(false), other) | (other, Node::Const(false)) => other,
            (a, b) => {
                let (a, b) = ordered(a, b);
                Node::Or(Box::new(a), Box::new(b))
            }
        },
        Node::Not(inner) => match specialise(inner, kind) {
            Node::Const(answer) => Node::Const(!answer),
            other => Node::Not(Box::new(other)),
        },
        Node::Kinds(kinds) => Node::Const(kinds.get(kind).copied().unwrap_or(false)),
        Node::Data { slots, test } => match slots.get(kind).copied().flatten() {
            Some(slot) => Node::Field {
                slot,
                test: test.clone(),
            },
            None => Node::Const(false),
        },
        other => other.clone(),
    }
}

/// A rough price of testing a node: array reads first, then fields of the envelope and the
/// payload, then metadata, then what formats or hashes.
fn cost(node: &Node) -> u32 {
    match node {
        Node::Const(_) => 0,
        Node::Kinds(_)
        | Node::Categories(_)
        | Node::Recorded(..)
        | Node::Occurred(..)
        | Node::Position(..) => 1,
        Node::Field { .. } | Node::Data { .. } => 2,
        Node::Producer(_) => 3,
        Node::Correlation(_) => 4,
        Node::Stream { .. } => 6,
        Node::Not(inner) => cost(inner),
        Node::And(a, b) | Node::Or(a, b) => cost(a) + cost(b),
    }
}

fn compile<E: PayloadFields>(query: &Query, stream_tests: &mut usize) -> Result<Node, QueryError> {
    Ok(match query {
        Query::And(left, right) => Node::And(
            Box::new(compile::<E>(left, stream_tests)?),
            Box::new(compile::<E>(right, stream_tests)?),
        ),
        Query::Or(left, right) => Node::Or(
            Box::new(compile::<E>(left, stream_tests)?),
            Box::new(compile::<E>(right, stream_tests)?),
        ),
        Query::Not(inner) => Node::Not(Box::new(compile::<E>(inner, stream_tests)?)),
        Query::Test(test) => compile_test::<E>(test, stream_tests)?,
    })
}

fn compile_test<E: PayloadFields>(
    Test { field, check }: &Test,
    stream_tests: &mut usize,
) -> Result<Node, QueryError> {
    let value = ValueTest::new(check);
    Ok(match field {
        Field::Type => Node::Kinds(names::<E::Kind>(&value, check, || {
            QueryError::UnknownEventType(literal_text(check))
        })?),
        Field::Aggregate => Node::Categories(names::<<E::Stream as StreamKey>::Category>(
            &value,
            check,
            || QueryError::UnknownAggregateType(literal_text(check)),
        )?),
        Field::Stream => {
            *stream_tests += 1;
            Node::Stream {
                test: value,
                memo: *stream_tests - 1,
            }
        }
        Field::Producer => Node::Producer(value),
        Field::Correlation => Node::Correlation(CorrelationTest::new(field, check)?),
        Field::Recorded | Field::Occurred | Field::Position => {
            let (comparison, literal) = match check {
                // Every event has these: `exists` holds for all, as `position >= 0` does.
                Check::Exists => (Comparison::Ge, i64::MIN),
                Check::Contains(_) => {
                    return Err(QueryError::NoText {
                        field: field.clone(),
                    })
                }
                Check::Compare(comparison, literal) => (*comparison, literal.number_for(field)?),
            };
            match field {
                Field::Recorded => Node::Recorded(comparison, literal),
                Field::Occurred => Node::Occurred(comparison, literal),
                _ => Node::Position(comparison, literal),
            }
        }
        Field::Data(name) => {
            let slots: Box<[Option<u16>]> = E::Kind::ALL
                .iter()
                .map(|&kind| E::field_slot(kind, name).and_then(|slot| u16::try_from(slot).ok()))
                .collect();
            if slots.iter().all(Option::is_none) {
                return Err(QueryError::UnknownPayloadField(name.clone()));
            }
            Node::Data { slots, test: value }
        }
    })
}

/// Which members of a closed set of names pass the test. An equality that names no member is a
/// typing mistake, and said so.
fn names<K: Named>(
    test: &ValueTest,
    check: &Check,
    unknown: impl FnOnce() -> QueryError,
) -> Result<Box<[bool]>, QueryError> {
    let mut text = String::new();
    let set: Box<[bool]> = K::ALL
        .iter()
        .map(|kind| test.test(Some(FieldValue::Text(kind.name())), &mut text))
        .collect();
    let names_one = K::ALL.iter().any(|kind| {
        matches!(check, Check::Compare(Comparison::Eq | Comparison::Ne, literal)
            if kind.name().eq_ignore_ascii_case(&literal.text()))
    });
    match check {
        Check::Compare(Comparison::Eq | Comparison::Ne, _) if !names_one => Err(unknown()),
        _ => Ok(set),
    }
}

fn literal_text(check: &Check) -> String {
    match check {
        Check::Compare(_, literal) | Check::Contains(literal) => literal.text(),
        Check::Exists => String::new(),
    }
}

impl ValueTest {
    fn new(check: &Check) -> ValueTest {
        let (check, literal) = match check {
            Check::Compare(comparison, literal) => {
                (ValueCheck::Compare(*comparison), Some(literal))
            }
            Check::Contains(literal) => (ValueCheck::Contains, Some(literal)),
            Check::Exists => (ValueCheck::Exists, None),
        };
        let text = literal.map(Literal::text).unwrap_or_default();
        let int = match literal {
            Some(Literal::Int(n)) => Some(*n),
            _ => None,
        };
        ValueTest {
            check,
            id: literal.and_then(id_of),
            lower: text.to_ascii_lowercase(),
            int,
        }
    }

    fn test(&self, value: Option<FieldValue<'_>>, text: &mut String) -> bool {
        let Some(value) = value else {
            return false;
        };
        match self.check {
            ValueCheck::Exists => true,
            ValueCheck::Contains => match value {
                FieldValue::Text(haystack) => contains_ignoring_case(haystack, &self.lower),
                FieldValue::Int(n) => {
                    text.clear();
                    let _ = write!(text, "{n}");
                    text.contains(self.lower.as_str())
                }
                FieldValue::Id(id) => {
                    text.clear();
                    id.write_to(text);
                    contains_ignoring_case(text, &self.lower)
                }
                FieldValue::Other => false,
            },
            ValueCheck::Compare(comparison) => match self.ordering(value) {
                Some(ordering) => comparison.holds(ordering),
                // Values of different shapes are unequal and unordered.
                None => comparison == Comparison::Ne,
            },
        }
    }

    fn ordering(&self, value: FieldValue<'_>) -> Option<Ordering> {
        match value {
            FieldValue::Int(n) => self.int.map(|literal| n.cmp(&literal)),
            FieldValue::Text(text) => Some(
                text.bytes()
                    .map(|b| b.to_ascii_lowercase())
                    .cmp(self.lower.bytes()),
            ),
            FieldValue::Id(id) => {
                let (prefix, number) = self.id.as_ref()?;
                let same_kind = prefix
                    .as_ref()
                    .is_none_or(|prefix| prefix.eq_ignore_ascii_case(id.prefix));
                same_kind.then(|| id.number.cmp(number))
            }
            FieldValue::Other => None,
        }
    }
}

/// `C-042` as (`c`, 42), `42` as (none, 42).
fn id_of(literal: &Literal) -> Option<(Option<String>, u64)> {
    match literal {
        Literal::Int(n) => u64::try_from(*n).ok().map(|n| (None, n)),
        Literal::Text(text) => match text.rsplit_once('-') {
            Some((prefix, digits)) if !prefix.is_empty() => digits
                .parse()
                .ok()
                .map(|n| (Some(prefix.to_ascii_lowercase()), n)),
            _ => text.parse().ok().map(|n| (None, n)),
        },
    }
}

/// Whether `haystack` holds `needle` (already lower case), ignoring ASCII case, without
/// allocating.
fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
}

impl CorrelationTest {
    fn new(field: &Field, check: &Check) -> Result<CorrelationTest, QueryError> {
        let (check, literal) = match check {
            Check::Compare(Comparison::Eq, literal) => (CorrelationCheck::Starts, literal),
            Check::Compare(Comparison::Ne, literal) => (CorrelationCheck::NotStarts, literal),
            Check::Contains(literal) => (CorrelationCheck::Contains, literal),
            // Every event has a correlation id.
            Check::Exists => {
                return Ok(CorrelationTest {
                    hex: String::new(),
                    check: CorrelationCheck::Starts,
                })
            }
            Check::Compare(comparison, _) => {
                return Err(QueryError::Unsupported {
                    field: field.clone(),
                    comparison: *comparison,
                })
            }
        };
        let hex: String = literal
            .text()
            .chars()
            .filter(|&c| c != '-')
            .collect::<String>()
            .to_ascii_lowercase();
        if hex.is_empty() || hex.len() > 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(QueryError::NotAnId {
                field: field.clone(),
                text: literal.text(),
            });
        }
        Ok(CorrelationTest { hex, check })
    }

    fn test<E: PayloadFields>(&self, event: &Recorded<E>) -> bool {
        let mut buffer = [0u8; 32];
        let id = event.correlation_id.0.simple().encode_lower(&mut buffer);
        match self.check {
            CorrelationCheck::Starts => id.starts_with(self.hex.as_str()),
            CorrelationCheck::NotStarts => !id.starts_with(self.hex.as_str()),
            CorrelationCheck::Contains => id.contains(self.hex.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::Metadata;
    use crate::ids::{CorrelationId, EventId, Position, SchemaVersion, StreamVersion, Timestamp};
    use crate::query::Matches;
    use crate::test_domain::{Sku, StockEvent, StockStream};

    /// Event n: SKU-(n % 3 + 1), quantity n * 10, recorded n * 20 seconds in; every other one by
    /// the "warehouse" producer.
    fn log(count: u64) -> Vec<Recorded<StockEvent>> {
        (1..=count)
            .map(|n| {
                let sku = Sku((n % 3 + 1) as u16);
                let metadata = if n % 2 == 0 {
                    Metadata::default().with(PRODUCER, "warehouse")
                } else {
                    Metadata::default()
                };
                Recorded {
                    id: EventId(uuid::Uuid::from_u128(u128::from(n))),
                    position: Position(n),
                    stream: StockStream::Inventory(sku),
                    version: StreamVersion(1),
                    schema_version: SchemaVersion::V1,
                    recorded_at: Timestamp(n as i64 * 20_000),
                    occurred_at: Timestamp(n as i64 * 20_000),
                    correlation_id: CorrelationId(uuid::Uuid::from_u128(
                        0xabcd_u128 << 112 | u128::from(n),
                    )),
                    causation_id: None,
                    metadata,
                    event: StockEvent::StockReceived {
                        sku,
                        quantity: n as u32 * 10,
                    },
                }
            })
            .collect()
    }

    fn positions(query: &str, events: &[Recorded<StockEvent>]) -> Vec<u64> {
        let filter = Filter::<StockEvent>::parse(query).unwrap().unwrap();
        Matches::scan(&filter, events)
            .positions()
            .iter()
            .map(|p| p.0)
            .collect()
    }

    fn refused(query: &str) -> String {
        Filter::<StockEvent>::parse(query).unwrap_err().to_string()
    }

    #[test]
    fn it_should_select_by_payload_field() {
        let events = log(9);
        assert_eq!(positions("data.quantity > 60", &events), [7, 8, 9]);
        assert_eq!(positions("data.quantity <= 20", &events), [1, 2]);
        assert_eq!(positions(r#"data.sku == "SKU-02""#, &events), [1, 4, 7]);
        assert_eq!(positions("data.sku == sku-2", &events), [1, 4, 7]);
        assert_eq!(positions("data.sku == 2", &events), [1, 4, 7]);
        assert_eq!(positions("data.sku > SKU-02", &events), [2, 5, 8]);
        assert_eq!(positions("data.sku contains 03", &events), [2, 5, 8]);
        assert_eq!(positions("data.quantity contains 9", &events), [9]);
        assert_eq!(positions("data.sku exists", &events).len(), 9);
    }

    #[test]
    fn it_should_select_by_envelope_field() {
        let events = log(9);
        assert_eq!(positions("type == stockreceived", &events).len(), 9);
        assert_eq!(
            positions("aggregate == Inventory and position > 7", &events),
            [8, 9]
        );
        assert_eq!(positions(r#"stream == "SKU-01""#, &events), [3, 6, 9]);
        assert_eq!(positions("producer == warehouse", &events), [2, 4, 6, 8]);
        assert_eq!(positions("not producer exists", &events), [1, 3, 5, 7, 9]);
        assert_eq!(positions("correlation == abcd", &events).len(), 9);
        assert_eq!(positions("correlation == ABCD0000-0000", &events).len(), 9);
        assert_eq!(positions("correlation contains 0003", &events), [3]);
        // Event 3 is recorded at 00:01:00.
        assert_eq!(
            positions(
                r#"recorded >= "1970-01-01 00:01" and recorded < 1970-01-01T00:02"#,
                &events
            ),
            [3, 4, 5]
        );
        assert_eq!(positions("occurred < 40001", &events), [1, 2]);
    }

    #[test]
    fn it_should_combine_with_and_or_not() {
        let events = log(9);
        assert_eq!(
            positions(
                "data.quantity > 60 or stream == SKU-01 and not position == 3",
                &events
            ),
            [6, 7, 8, 9]
        );
        assert_eq!(
            positions(
                "(data.quantity > 60 or stream == SKU-01) and not position == 9",
                &events
            ),
            [3, 6, 7, 8]
        );
    }

    #[test]
    fn it_should_refuse_what_the_domain_does_not_have() {
        assert_eq!(
            refused("type == StockRecieved"),
            "there is no event type 'StockRecieved'"
        );
        assert_eq!(
            refused("aggregate == Cart"),
            "there is no aggregate type 'Cart'"
        );
        assert_eq!(
            refused("data.total > 1"),
            "no event type has a payload field 'total'"
        );
        assert_eq!(
            refused("recorded > yesterday"),
            "recorded: 'yesterday' is not a time (write 2026-11-26 09:14[:03], RFC 3339, or milliseconds)"
        );
        assert_eq!(
            refused("position > many"),
            "position: 'many' is not a whole number"
        );
        assert_eq!(
            refused("correlation < abc"),
            "correlation cannot be compared with <"
        );
        assert_eq!(
            refused("correlation == xyz"),
            "correlation: 'xyz' is not an id (hex digits, as shown in the log)"
        );
        assert_eq!(
            refused("position contains 4"),
            "position has no text to search with contains"
        );
        assert_eq!(
            refused("data.quantity >"),
            "column 16: expected a value (a number, \"quoted text\" or a word), found the end of the query"
        );
    }

    #[test]
    fn it_should_count_matches_per_minute_and_extend_as_the_log_grows() {
        let events = log(9);
        let filter = Filter::<StockEvent>::parse("data.quantity >= 20")
            .unwrap()
            .unwrap();
        let mut matches = Matches::scan(&filter, &events[..4]);
        assert_eq!(matches.count_at(Position(3)), 2);
        assert!(matches.refresh(&filter, &events));
        assert!(!matches.refresh(&filter, &events));
        assert_eq!(matches, Matches::scan(&filter, &events));
        // 20 s apart: three events a minute, the first minute holding events 1 and 2.
        let minutes: Vec<(i64, u32, u64, u64)> = matches
            .minutes()
            .iter()
            .map(|m| (m.minute.0, m.count, m.first.0, m.last.0))
            .collect();
        assert_eq!(
            minutes,
            [
                (0, 1, 2, 2),
                (60_000, 3, 3, 5),
                (120_000, 3, 6, 8),
                (180_000, 1, 9, 9)
            ]
        );
        // Another log (not a growth of this one) is scanned afresh.
        let other = log(2);
        assert!(matches.refresh(&filter, &other[1..]));
        assert_eq!(matches.positions(), &[Position(2)]);
    }
}
