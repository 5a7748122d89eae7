//! Payloads kept by shape give back what was read, and a query on a payload field (decided
//! once per distinct value) picks the same events as the test written out over each payload.

use eventide_logs::{LogFilter, LogStore, MappedEvent, Place};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const KEYS: &[&str] = &["book", "cents", "member", "nested", "note"];
const TEXTS: &[&str] = &["B-1", "b-1", "M-01", "late", ""];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..300).prop_map(Value::from),
        prop::sample::select(vec![0.5f64, 150.0, 150.5, -2.25]).prop_map(Value::from),
        prop::sample::select(TEXTS).prop_map(Value::from),
    ]
}

fn payload() -> impl Strategy<Value = Value> {
    let value = leaf().prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            prop::collection::btree_map(prop::sample::select(KEYS), inner, 0..3).prop_map(
                |fields| {
                    Value::Object(
                        fields
                            .into_iter()
                            .map(|(key, value)| (key.to_owned(), value))
                            .collect(),
                    )
                }
            ),
        ]
    });
    prop_oneof![
        4 => prop::collection::btree_map(prop::sample::select(KEYS), value.clone(), 0..4)
            .prop_map(|fields| {
                Value::Object(
                    fields
                        .into_iter()
                        .map(|(key, value)| (key.to_owned(), value))
                        .collect::<Map<_, _>>(),
                )
            }),
        1 => value,
    ]
}

fn store_of(payloads: &[Value]) -> LogStore {
    let mut store = LogStore::new();
    for (index, data) in payloads.iter().enumerate() {
        let line = index as u64 + 1;
        store
            .push(&MappedEvent {
                place: Place::Line(line),
                id: Some(format!("e{line}")),
                event_type: "thing.happened".into(),
                stream: None,
                time: None,
                correlation: None,
                causation: None,
                producer: None,
                data: data.clone(),
            })
            .expect("a small log");
    }
    store
}

fn at<'a>(data: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(data, |value, key| value.get(key))
        .filter(|value| !value.is_null())
}

/// The query bar's rules written out: text compares as text ignoring ASCII case (with a
/// number's literal read as its text), numbers as numbers, and a value of another kind is
/// neither equal nor ordered.
fn expected(query: &Query, data: &Value) -> bool {
    match query {
        Query::Exists(path) => at(data, path).is_some(),
        Query::Above(path, number) => match at(data, path) {
            Some(Value::Number(value)) => value.as_f64().is_some_and(|value| value > *number),
            Some(Value::String(text)) => text.to_ascii_lowercase() > format!("{number}"),
            _ => false,
        },
        Query::Equals(path, text) => at(data, path)
            .and_then(Value::as_str)
            .is_some_and(|value| value.eq_ignore_ascii_case(text)),
    }
}

#[derive(Clone, Debug)]
enum Query {
    Exists(Vec<&'static str>),
    Above(Vec<&'static str>, f64),
    Equals(Vec<&'static str>, &'static str),
}

impl Query {
    fn text(&self) -> String {
        let path = |path: &[&str]| format!("data.{}", path.join("."));
        match self {
            Query::Exists(at) => format!("{} exists", path(at)),
            Query::Above(at, number) => format!("{} > {number}", path(at)),
            Query::Equals(at, text) => format!("{} == \"{text}\"", path(at)),
        }
    }
}

fn query() -> impl Strategy<Value = Query> {
    let path = prop::collection::vec(prop::sample::select(KEYS), 1..3);
    prop_oneof![
        path.clone().prop_map(Query::Exists),
        (
            path.clone(),
            prop::sample::select(vec![0.0f64, 150.0, 149.5])
        )
            .prop_map(|(at, number)| Query::Above(at, number)),
        (path, prop::sample::select(&TEXTS[..4])).prop_map(|(at, text)| Query::Equals(at, text)),
    ]
}

proptest! {
    #[test]
    fn every_payload_comes_back_as_it_was_read(payloads in prop::collection::vec(payload(), 1..40)) {
        let store = store_of(&payloads);
        for (event, data) in store.events().zip(&payloads) {
            prop_assert_eq!(&event.data(), data);
            prop_assert_eq!(event.data_text(), serde_json::to_string(data).unwrap());
        }
    }

    #[test]
    fn a_payload_query_picks_the_events_its_test_picks(
        payloads in prop::collection::vec(payload(), 1..40),
        query in query(),
    ) {
        let store = store_of(&payloads);
        let filter = LogFilter::parse(&query.text(), &store)
            .map_err(|error| TestCaseError::fail(format!("{}: {error}", query.text())))?
            .expect("a query");
        let found: Vec<u64> = filter.scan(&store).iter().map(|position| position.0).collect();
        let wanted: Vec<u64> = payloads
            .iter()
            .enumerate()
            .filter(|(_, data)| expected(&query, data))
            .map(|(index, _)| index as u64 + 1)
            .collect();
        prop_assert_eq!(found, wanted, "{}", query.text());
    }
}

#[test]
fn a_double_comes_back_to_its_last_digit() {
    let payloads = [
        json!({"x": 1.0715660391465825e-75}),
        json!({"x": 0.1 + 0.2}),
        json!({"x": 123.456_789_012_345_67}),
    ];
    let store = store_of(&payloads);
    for (event, data) in store.events().zip(&payloads) {
        assert_eq!(&event.data(), data);
    }
}

#[test]
fn a_causation_an_earlier_event_carries_reads_as_its_id() {
    let mut store = LogStore::new();
    for (line, causation) in [(1, None), (2, Some("e1")), (3, Some("elsewhere"))] {
        store
            .push(&MappedEvent {
                place: Place::Line(line),
                id: Some(format!("e{line}")),
                event_type: "thing.happened".into(),
                stream: None,
                time: None,
                correlation: None,
                causation: causation.map(str::to_owned),
                producer: None,
                data: json!({}),
            })
            .expect("a small log");
    }
    let causations: Vec<_> = store.events().map(|event| event.causation()).collect();
    assert_eq!(causations, [None, Some("e1"), Some("elsewhere")]);
}
