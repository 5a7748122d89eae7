//! The log's query language (the kernel's [`Query`], the same bar as the shop's) over a user's
//! log. Names the store numbers (types, streams, producers, correlations) are tested once each
//! when the query is compiled, so most tests cost one array read per event; times and positions
//! are columns; and `data.<field>` is decided once per distinct value of the field when
//! compiled ([`crate::payloads`]), so it costs a shape's slot and a value's number per event.

use std::cmp::Ordering;

use eventide_engine::query::{
    Check, Comparison, Field, Literal, MinuteCount, Query, QueryError, Test,
};
use eventide_engine::{Position, Timestamp};
use serde_json::Value;

use crate::envelope::category;
use crate::payloads::PayloadField;
use crate::store::{LogEvent, LogStore, Names};

/// A query compiled against one log as it stands: names, shapes and values are looked up
/// once, so a log that grows afterwards needs the query compiled again (the explorer compiles
/// only over a log read whole).
#[derive(Clone, Debug)]
pub struct LogFilter {
    root: Node,
}

#[derive(Clone, Debug)]
enum Node {
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Kinds(Vec<bool>),
    /// By stream number; `absent` for events of no stream.
    Streams {
        set: Vec<bool>,
        absent: bool,
    },
    Producers {
        set: Vec<bool>,
        absent: bool,
    },
    Correlations {
        set: Vec<bool>,
        absent: bool,
    },
    Time(Comparison, i64),
    Position(Comparison, i64),
    /// A payload field: decided once per distinct value when compiled.
    Data {
        field: PayloadField,
        /// By the field's value number: whether the test holds for it.
        passes: Vec<bool>,
        /// For a payload without the field.
        absent: bool,
    },
}

impl LogFilter {
    /// Parses and compiles; blank text is no filter (`None`).
    pub fn parse(text: &str, store: &LogStore) -> Result<Option<LogFilter>, QueryError> {
        match eventide_engine::query::parse(text)? {
            None => Ok(None),
            Some(query) => LogFilter::compile(&query, store).map(Some),
        }
    }

    pub fn compile(query: &Query, store: &LogStore) -> Result<LogFilter, QueryError> {
        Ok(LogFilter {
            root: compile(query, store)?,
        })
    }

    pub fn matches(&self, event: &LogEvent<'_>) -> bool {
        self.root.test(event)
    }

    /// The positions of every event that matches, in order.
    pub fn scan(&self, store: &LogStore) -> Vec<Position> {
        store
            .events()
            .filter(|event| self.matches(event))
            .map(|event| event.position())
            .collect()
    }
}

/// Matches per minute, for the timeline's histogram: each run of matches in the same minute,
/// in log order (a foreign log's clock may run backwards, so a minute can come back as a run
/// of its own); matches with no time are left out.
pub fn minute_runs(store: &LogStore, matches: &[Position]) -> Vec<MinuteCount> {
    const MINUTE_MS: i64 = 60_000;
    let mut runs: Vec<MinuteCount> = Vec::new();
    for &position in matches {
        let Some(time) = store.event(position).and_then(|event| event.time()) else {
            continue;
        };
        let minute = Timestamp::from_millis(time.millis().div_euclid(MINUTE_MS) * MINUTE_MS);
        match runs.last_mut() {
            Some(run) if run.minute == minute => {
                run.count += 1;
                run.last = position;
            }
            _ => runs.push(MinuteCount {
                minute,
                count: 1,
                first: position,
                last: position,
            }),
        }
    }
    runs
}

impl Node {
    fn test(&self, event: &LogEvent<'_>) -> bool {
        let member = |set: &[bool], absent: bool, index: Option<u32>| match index {
            Some(index) => set.get(index as usize).copied().unwrap_or(false),
            None => absent,
        };
        match self {
            Node::And(a, b) => a.test(event) && b.test(event),
            Node::Or(a, b) => a.test(event) || b.test(event),
            Node::Not(a) => !a.test(event),
            Node::Kinds(set) => member(set, false, Some(event.kind_index())),
            Node::Streams { set, absent } => member(set, *absent, event.stream_index()),
            Node::Producers { set, absent } => member(set, *absent, event.producer_index()),
            Node::Correlations { set, absent } => member(set, *absent, event.correlation_index()),
            Node::Time(comparison, at) => event
                .time()
                .is_some_and(|time| comparison.holds(time.millis().cmp(at))),
            Node::Position(comparison, at) => comparison.holds((event.position().0 as i64).cmp(at)),
            Node::Data {
                field,
                passes,
                absent,
            } => match event.field_value(field) {
                Some(value) => member(passes, false, Some(value)),
                None => *absent,
            },
        }
    }

    /// Cheaper tests first, so the payload is read only when they do not decide.
    fn cost(&self) -> u32 {
        match self {
            Node::Data { .. } => 3,
            Node::And(a, b) | Node::Or(a, b) => a.cost() + b.cost(),
            Node::Not(a) => a.cost(),
            _ => 1,
        }
    }
}

fn compile(query: &Query, store: &LogStore) -> Result<Node, QueryError> {
    let pair = |a: &Query, b: &Query| -> Result<(Box<Node>, Box<Node>), QueryError> {
        let (a, b) = (compile(a, store)?, compile(b, store)?);
        Ok(if b.cost() < a.cost() {
            (Box::new(b), Box::new(a))
        } else {
            (Box::new(a), Box::new(b))
        })
    };
    Ok(match query {
        Query::And(a, b) => {
            let (a, b) = pair(a, b)?;
            Node::And(a, b)
        }
        Query::Or(a, b) => {
            let (a, b) = pair(a, b)?;
            Node::Or(a, b)
        }
        Query::Not(a) => Node::Not(Box::new(compile(a, store)?)),
        Query::Test(test) => compile_test(test, store)?,
    })
}

fn compile_test(Test { field, check }: &Test, store: &LogStore) -> Result<Node, QueryError> {
    let test = ValueTest::new(check);
    let names = |names: &Names| -> Vec<bool> {
        names
            .iter()
            .map(|(_, name)| test.test(Some(&Value::from(name))))
            .collect()
    };
    // Exists holds for an event with the name; every other test fails without one, except
    // `!=`, which an absent name passes (as the shop's filter has it).
    let absent = matches!(check, Check::Compare(Comparison::Ne, _));
    Ok(match field {
        Field::Type => {
            let set = names(store.kinds());
            if let Check::Compare(Comparison::Eq | Comparison::Ne, literal) = check {
                let text = literal.text();
                if !store
                    .kinds()
                    .iter()
                    .any(|(_, name)| name.eq_ignore_ascii_case(&text))
                {
                    return Err(QueryError::UnknownEventType(text));
                }
            }
            Node::Kinds(set)
        }
        Field::Stream => Node::Streams {
            set: names(store.streams()),
            absent,
        },
        Field::Aggregate => Node::Streams {
            set: store
                .streams()
                .iter()
                .map(|(_, name)| test.test(Some(&Value::from(category(name)))))
                .collect(),
            absent,
        },
        Field::Producer => Node::Producers {
            set: names(store.producers()),
            absent,
        },
        Field::Correlation => Node::Correlations {
            set: names(store.correlations()),
            absent,
        },
        Field::Recorded | Field::Occurred | Field::Position => {
            let (comparison, at) = match check {
                Check::Exists => (Comparison::Ge, i64::MIN),
                Check::Contains(_) => {
                    return Err(QueryError::NoText {
                        field: field.clone(),
                    })
                }
                Check::Compare(comparison, literal) => (*comparison, literal.number_for(field)?),
            };
            if *field == Field::Position {
                Node::Position(comparison, at)
            } else {
                Node::Time(comparison, at)
            }
        }
        Field::Data(name) => {
            let mut path = name.split('.');
            let field = store.payload_field(path.next().unwrap_or_default());
            let inner: Vec<&str> = path.collect();
            let passes = store
                .payloads()
                .values(&field)
                .map(|(_, text)| {
                    let value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
                    test.test(inner.iter().try_fold(&value, |value, key| value.get(key)))
                })
                .collect();
            Node::Data {
                field,
                passes,
                absent: test.test(None),
            }
        }
    })
}

/// A check on a JSON value, the literal read every way it can be once: text compares ignoring
/// ASCII case, numbers as numbers, and values of different shapes are unequal and unordered.
#[derive(Clone, Debug)]
struct ValueTest {
    check: Check,
    lower: String,
    number: Option<f64>,
}

impl ValueTest {
    fn new(check: &Check) -> ValueTest {
        let literal = match check {
            Check::Compare(_, literal) | Check::Contains(literal) => Some(literal),
            Check::Exists => None,
        };
        ValueTest {
            check: check.clone(),
            lower: literal
                .map(Literal::text)
                .unwrap_or_default()
                .to_ascii_lowercase(),
            // `2.5` reaches us as text: a number compares as one whichever way it was read.
            number: match literal {
                Some(Literal::Int(n)) => Some(*n as f64),
                Some(literal) => literal.text().parse::<f64>().ok(),
                None => None,
            },
        }
    }

    fn test(&self, value: Option<&Value>) -> bool {
        let Some(value) = value.filter(|value| !value.is_null()) else {
            return false;
        };
        match &self.check {
            Check::Exists => true,
            Check::Contains(_) => match value {
                Value::String(text) => text.to_ascii_lowercase().contains(&self.lower),
                Value::Number(number) => number.to_string().contains(&self.lower),
                Value::Bool(flag) => flag.to_string() == self.lower,
                // A list contains the text when one of its elements is, or holds, it.
                Value::Array(items) => items.iter().any(|item| self.test(Some(item))),
                _ => false,
            },
            Check::Compare(comparison, _) => match self.ordering(value) {
                Some(ordering) => comparison.holds(ordering),
                None => *comparison == Comparison::Ne,
            },
        }
    }

    fn ordering(&self, value: &Value) -> Option<Ordering> {
        match value {
            Value::String(text) => Some(
                text.bytes()
                    .map(|byte| byte.to_ascii_lowercase())
                    .cmp(self.lower.bytes()),
            ),
            Value::Number(number) => number.as_f64()?.partial_cmp(&self.number?),
            Value::Bool(flag) => (flag.to_string() == self.lower).then_some(Ordering::Equal),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::MappedEvent;
    use crate::read::Place;
    use eventide_engine::Timestamp;
    use serde_json::json;

    fn store() -> LogStore {
        let mut store = LogStore::new();
        let events = [
            (
                "loan.opened",
                Some("book/B-1"),
                json!({"fine": 0, "reader": "R-1"}),
                Some("/desk"),
            ),
            (
                "loan.closed",
                Some("book/B-1"),
                json!({"fine": 2.5, "reader": "R-2"}),
                None,
            ),
            (
                "fine.paid",
                None,
                json!({"amount": 250, "tags": ["late", "cash"]}),
                Some("/till"),
            ),
        ];
        for (line, (kind, stream, data, producer)) in events.into_iter().enumerate() {
            store
                .push(&MappedEvent {
                    place: Place::Line(line as u64 + 1),
                    id: Some(format!("e{line}")),
                    event_type: kind.into(),
                    stream: stream.map(str::to_owned),
                    time: Some(Timestamp::from_millis(line as i64 * 60_000)),
                    correlation: Some(format!("flow-{}", line / 2)),
                    causation: None,
                    producer: producer.map(str::to_owned),
                    data,
                })
                .unwrap();
        }
        store
    }

    fn matching(text: &str) -> Vec<u64> {
        let store = store();
        let filter = LogFilter::parse(text, &store).unwrap().unwrap();
        filter.scan(&store).into_iter().map(|at| at.0).collect()
    }

    #[test]
    fn it_should_select_by_the_envelope() {
        assert_eq!(matching("type == loan.opened"), [1]);
        assert_eq!(matching("type contains loan"), [1, 2]);
        assert_eq!(matching("stream == \"book/B-1\""), [1, 2]);
        assert_eq!(
            matching("stream != \"book/B-1\""),
            [3],
            "no stream is not that stream"
        );
        assert_eq!(matching("aggregate == book"), [1, 2]);
        assert_eq!(matching("producer exists"), [1, 3]);
        assert_eq!(matching("correlation == flow-1"), [3]);
        assert_eq!(matching("position >= 2 and not type == fine.paid"), [2]);
        assert_eq!(matching("recorded >= 60000"), [2, 3]);
    }

    #[test]
    fn it_should_select_by_payload_fields() {
        assert_eq!(
            matching("data.fine > 1"),
            [2],
            "a fraction compares as a number"
        );
        assert_eq!(matching("data.reader == \"r-2\""), [2], "text ignores case");
        assert_eq!(matching("data.tags contains late"), [3]);
        assert_eq!(matching("data.amount exists or data.fine == 0"), [1, 3]);
    }

    #[test]
    fn it_should_compare_a_fractional_literal_as_a_number() {
        assert_eq!(matching("data.fine == 2.5"), [2]);
        assert_eq!(matching("data.fine > 2.4"), [2]);
        assert_eq!(matching("data.fine < 0.5"), [1]);
    }

    #[test]
    fn it_should_refuse_a_type_the_log_lacks() {
        let store = store();
        assert_eq!(
            LogFilter::parse("type == book.burnt", &store).unwrap_err(),
            QueryError::UnknownEventType("book.burnt".into())
        );
        assert!(LogFilter::parse("  ", &store).unwrap().is_none());
    }

    #[test]
    fn it_should_count_matches_per_minute_in_runs_of_the_log() {
        let mut store = LogStore::new();
        // Seconds 10, 50, 70, 20 (the clock runs back), and one with no time.
        for (line, seconds) in [
            (1, Some(10)),
            (2, Some(50)),
            (3, Some(70)),
            (4, Some(20)),
            (5, None),
        ] {
            store
                .push(&MappedEvent {
                    place: Place::Line(line),
                    id: None,
                    event_type: "a".into(),
                    stream: None,
                    time: seconds.map(|s| Timestamp::from_millis(s * 1_000)),
                    correlation: None,
                    causation: None,
                    producer: None,
                    data: json!({}),
                })
                .unwrap();
        }
        let all: Vec<Position> = (1..=5).map(Position).collect();
        let runs: Vec<(i64, u32, u64, u64)> = minute_runs(&store, &all)
            .iter()
            .map(|run| (run.minute.millis(), run.count, run.first.0, run.last.0))
            .collect();
        assert_eq!(runs, [(0, 2, 1, 2), (60_000, 1, 3, 3), (0, 1, 4, 4)]);
    }
}
