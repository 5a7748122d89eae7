//! The log's query language, as properties: a printed query reads back as the same tree, and a
//! compiled filter selects exactly the events a naive reading of each event's JSON envelope
//! selects, for random logs of the counter domain and random queries.

mod support;

use eventide_engine::query::{
    parse, Check, Comparison, Field, FieldValue, Filter, Literal, Matches, PayloadFields, Query,
    Test,
};
use eventide_engine::store::ExpectedVersion;
use eventide_engine::trace::PRODUCER;
use eventide_engine::{Metadata, NewEvent, Recorded};
use proptest::prelude::*;
use serde_json::Value;
use support::counter::*;

impl PayloadFields for Tally {
    fn field_slot(kind: TallyKind, name: &str) -> Option<usize> {
        (kind == TallyKind::Incremented && name == "by").then_some(0)
    }

    fn field(&self, slot: usize) -> Option<FieldValue<'_>> {
        match (self, slot) {
            (Tally::Incremented { by }, 0) => Some(FieldValue::Int(i64::from(*by))),
            _ => None,
        }
    }
}

fn comparison() -> impl Strategy<Value = Comparison> {
    prop::sample::select(Comparison::ALL.to_vec())
}

fn equality() -> impl Strategy<Value = Comparison> {
    prop::sample::select(vec![Comparison::Eq, Comparison::Ne])
}

fn text(choices: &'static [&'static str]) -> impl Strategy<Value = Literal> {
    prop::sample::select(choices).prop_map(|text| Literal::Text(text.to_string()))
}

fn test(field: Field, check: Check) -> Query {
    Query::Test(Test { field, check })
}

/// Tests that compile against the counter domain.
fn valid_test() -> impl Strategy<Value = Query> {
    prop_oneof![
        (equality(), text(&["Incremented", "reset", "RESET"]))
            .prop_map(|(c, l)| test(Field::Type, Check::Compare(c, l))),
        (equality(), text(&["Counter", "gauge"]))
            .prop_map(|(c, l)| test(Field::Aggregate, Check::Compare(c, l))),
        (equality(), text(&["counter-1", "GAUGE-2", "gauge-3"]))
            .prop_map(|(c, l)| test(Field::Stream, Check::Compare(c, l))),
        text(&["ter", "-1", "Gau"]).prop_map(|l| test(Field::Stream, Check::Contains(l))),
        (comparison(), 0i64..40)
            .prop_map(|(c, n)| test(Field::Position, Check::Compare(c, Literal::Int(n)))),
        (comparison(), 0i64..20)
            .prop_map(|(c, n)| test(Field::Data("by".into()), Check::Compare(c, Literal::Int(n)))),
        Just(test(Field::Data("by".into()), Check::Exists)),
        (comparison(), text(&["alpha", "BETA", "b"]))
            .prop_map(|(c, l)| test(Field::Producer, Check::Compare(c, l))),
        text(&["ph", "ET"]).prop_map(|l| test(Field::Producer, Check::Contains(l))),
        Just(test(Field::Producer, Check::Exists)),
    ]
}

fn combined(leaf: impl Strategy<Value = Query> + 'static) -> impl Strategy<Value = Query> {
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Query::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Query::Or(Box::new(a), Box::new(b))),
            inner.prop_map(|q| Query::Not(Box::new(q))),
        ]
    })
}

/// Any test at all, of any field, with any literal (quotes, backslashes, spaces, any number).
fn any_test() -> impl Strategy<Value = Query> {
    let field = prop_oneof![
        prop::sample::select(
            Field::ENVELOPE
                .iter()
                .map(|(_, field)| field.clone())
                .collect::<Vec<_>>()
        ),
        "[a-z_][a-z0-9_]{0,8}".prop_map(Field::Data),
    ];
    let literal = prop_oneof![
        any::<i64>().prop_map(Literal::Int),
        any::<String>().prop_map(Literal::Text),
    ];
    let check = prop_oneof![
        (comparison(), literal.clone()).prop_map(|(c, l)| Check::Compare(c, l)),
        literal.prop_map(Check::Contains),
        Just(Check::Exists),
    ];
    (field, check).prop_map(|(field, check)| test(field, check))
}

/// A log of the counter domain: each event an increment or a reset of one of six meters, some
/// with a producer.
fn log() -> impl Strategy<Value = Vec<Recorded<Tally>>> {
    let event = (
        0u8..6,
        prop::option::of(0u32..20),
        prop::option::of(prop::sample::select(vec!["alpha", "Beta"])),
    );
    prop::collection::vec(event, 0..40).prop_map(|events| {
        let mut store = TallyStore::new();
        for (n, (meter, by, producer)) in (1u128..).zip(events) {
            let stream = if meter < 3 {
                Meter::Counter(meter + 1)
            } else {
                Meter::Gauge(meter - 2)
            };
            let mut event = match by {
                Some(by) => incremented(n, by),
                None => reset(n),
            };
            if let Some(producer) = producer {
                event.metadata = Metadata::default().with(PRODUCER, producer);
            }
            let event: NewEvent<Tally> = event;
            store
                .append(stream, ExpectedVersion::Any, vec![event], at(n as i64))
                .expect("appends");
        }
        store.events().to_vec()
    })
}

/// The query read the slow, obvious way: over the event's JSON envelope.
fn naive(query: &Query, event: &Value) -> bool {
    match query {
        Query::And(a, b) => naive(a, event) && naive(b, event),
        Query::Or(a, b) => naive(a, event) || naive(b, event),
        Query::Not(q) => !naive(q, event),
        Query::Test(Test { field, check }) => {
            let value = match field {
                Field::Type => event.get("event_type"),
                Field::Aggregate => event.get("aggregate_type"),
                Field::Stream => event.get("aggregate_id"),
                Field::Position => event.get("position"),
                Field::Producer => event.get("metadata").and_then(|m| m.get("producer")),
                Field::Data(name) => event.get("payload").and_then(|p| p.get(name)),
                other => panic!("not generated: {other}"),
            };
            let Some(value) = value.filter(|v| !v.is_null()) else {
                return false;
            };
            match (check, value) {
                (Check::Exists, _) => true,
                (Check::Contains(literal), Value::String(s)) => s
                    .to_ascii_lowercase()
                    .contains(&literal.text().to_ascii_lowercase()),
                (Check::Compare(c, Literal::Int(n)), Value::Number(v)) => {
                    c.holds(v.as_i64().expect("whole").cmp(n))
                }
                (Check::Compare(c, literal), Value::String(s)) => c.holds(
                    s.to_ascii_lowercase()
                        .cmp(&literal.text().to_ascii_lowercase()),
                ),
                other => panic!("not generated: {other:?}"),
            }
        }
    }
}

proptest! {
    #[test]
    fn a_printed_query_reads_back_as_the_same_query(query in combined(any_test())) {
        let text = query.to_string();
        prop_assert_eq!(parse(&text), Ok(Some(query)), "{}", text);
    }

    #[test]
    fn the_filter_selects_what_a_naive_reading_of_the_envelopes_selects(
        query in combined(valid_test()),
        events in log(),
    ) {
        let filter = Filter::<Tally>::compile(&query).expect("compiles");
        let expected: Vec<_> = events
            .iter()
            .filter(|event| naive(&query, &event.to_json()))
            .map(|event| event.position)
            .collect();
        let matches = Matches::scan(&filter, &events);
        prop_assert_eq!(matches.positions(), &expected[..], "{}", query);
        // Scanning a prefix first and the rest as it is appended gives the same answer.
        let mut grown = Matches::scan(&filter, &events[..events.len() / 2]);
        grown.refresh(&filter, &events);
        prop_assert_eq!(grown, matches);
    }
}
