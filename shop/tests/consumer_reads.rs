//! The payload fields each built-in consumer declares it reads, kept honest: every type it
//! consumes has a declaration naming only fields of that type; changing the fields it does not
//! declare changes nothing it does (its state, or a service's reactions), over whole runs in
//! both coordination models; and each field it declares changes something in one of them. A
//! read model also loses nothing by being handed only the types it folds.

use eventide_engine::projection::ReadModel;
use eventide_engine::{Named, PayloadReads, Timestamp};
use eventide_shop::compare::run_mode;
use eventide_shop::event_catalog;
use eventide_shop::events::{ShopEvent, ShopEventKind};
use eventide_shop::read_models::built_in;
use eventide_shop::services::{services_for, Failure, Mode, Reaction, Service};
use eventide_shop::ShopRecorded;
use serde_json::Value;

const START: Timestamp = Timestamp(1_700_000_000_000);
const SEED: u64 = 21;

/// Logs of whole runs: both models, with and without failures, so that compensations,
/// cancellations and timeouts are in them too.
fn runs() -> Vec<(Mode, Vec<ShopRecorded>)> {
    let mut runs = Vec::new();
    for mode in [Mode::Choreography, Mode::Orchestration] {
        for failure in [
            Failure::None,
            Failure::PaymentsDeclined,
            Failure::ShippingDown,
        ] {
            let simulation = run_mode(SEED, 40, mode, failure, START).expect("the run completes");
            runs.push((mode, simulation.shop().store().events().to_vec()));
        }
    }
    runs
}

/// Another value of the same shape: numbers flip their lowest bit, ids move to the next
/// number, text grows, and arrays and objects change in every part.
fn perturb(value: &Value) -> Value {
    match value {
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Value::from(u ^ 1),
            (None, Some(i)) => Value::from(i ^ 1),
            _ => value.clone(),
        },
        Value::String(text) => {
            let mut chars: Vec<char> = text.chars().collect();
            match chars.last_mut() {
                Some(last) if last.is_ascii_digit() => {
                    *last = if *last == '9' {
                        '8'
                    } else {
                        (*last as u8 + 1) as char
                    };
                    Value::String(chars.into_iter().collect())
                }
                _ => Value::String(format!("{text}!")),
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(perturb).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(name, value)| (name.clone(), perturb(value)))
                .collect(),
        ),
        Value::Null | Value::Bool(_) => value.clone(),
    }
}

/// The log with `fields` (or, with `all_but`, every other field) of each `kind` payload
/// changed, through the payload's JSON.
fn changed(
    log: &[ShopRecorded],
    kind: ShopEventKind,
    fields: &[&str],
    all_but: bool,
) -> Vec<ShopRecorded> {
    log.iter()
        .map(|event| {
            if event.kind() != kind {
                return event.clone();
            }
            let mut payload = event_catalog::payload(&event.event);
            if let Value::Object(map) = &mut payload {
                for (name, value) in map.iter_mut() {
                    if fields.contains(&name.as_str()) != all_but {
                        *value = perturb(value);
                    }
                }
            }
            let read: ShopEvent = event_catalog::from_payload(kind, &payload)
                .unwrap_or_else(|problem| panic!("{} still reads: {problem}", kind.name()));
            let mut event = event.clone();
            event.event = read;
            event
        })
        .collect()
}

fn declared(reads: PayloadReads<ShopEventKind>, kind: ShopEventKind) -> &'static [&'static str] {
    reads
        .iter()
        .find(|(read, _)| *read == kind)
        .map(|(_, fields)| *fields)
        .unwrap_or_else(|| panic!("no declaration for {}", kind.name()))
}

/// What a service does over a log: every reaction, then its state.
fn behaviour(
    service: &dyn Service,
    log: &[ShopRecorded],
) -> (Vec<Reaction>, Vec<(&'static str, i64)>) {
    let mut service = service.clone_boxed();
    let consumes = service.declaration().consumes;
    let mut reactions = Vec::new();
    for event in log.iter().filter(|e| consumes.contains(&e.kind())) {
        reactions.extend(service.react(event, SEED));
    }
    (reactions, service.state())
}

/// Whether a read model folds the two logs (of the same length) through the same states: a
/// field read and later overwritten still shows between the two events.
fn same_fold(model: &dyn ReadModel<ShopEvent>, a: &[ShopRecorded], b: &[ShopRecorded]) -> bool {
    let (mut left, mut right) = (model.empty(), model.empty());
    a.iter().zip(b).all(|(x, y)| {
        left.apply(x);
        right.apply(y);
        left.same_state(right.as_ref())
    })
}

fn check_declaration(who: &str, reads: PayloadReads<ShopEventKind>, consumed: &[ShopEventKind]) {
    for kind in consumed {
        assert_eq!(
            reads.iter().filter(|(read, _)| read == kind).count(),
            1,
            "{who} consumes {} and must declare what it reads of it, once",
            kind.name()
        );
    }
    for (kind, fields) in reads {
        assert!(
            consumed.contains(kind),
            "{who} declares reads of {}, which it does not consume",
            kind.name()
        );
        let known: Vec<&str> = event_catalog::field_names(*kind).collect();
        for field in *fields {
            assert!(
                known.contains(field),
                "{who} reads \"{field}\", which {} does not have",
                kind.name()
            );
        }
    }
}

#[test]
fn every_consumed_type_has_a_declaration_of_fields_it_has() {
    for model in built_in() {
        check_declaration(model.name(), model.reads(), model.consumes());
    }
    for service in services_for(Mode::Orchestration) {
        let mut consumed: Vec<ShopEventKind> = Vec::new();
        for mode in [Mode::Choreography, Mode::Orchestration] {
            for other in services_for(mode) {
                if other.name() == service.name() {
                    consumed.extend(other.declaration().consumes);
                }
            }
        }
        consumed.sort_by_key(|kind| kind.index());
        consumed.dedup();
        check_declaration(service.name().name(), service.reads(), &consumed);
    }
}

#[test]
fn it_should_not_change_a_consumer_when_fields_it_does_not_read_change() {
    for (mode, log) in runs() {
        for model in built_in() {
            for &kind in model.consumes() {
                let other = changed(&log, kind, declared(model.reads(), kind), true);
                assert!(
                    same_fold(model.as_ref(), &log, &other),
                    "{} reads a field of {} it does not declare ({mode:?})",
                    model.name(),
                    kind.name()
                );
            }
        }
        for service in services_for(mode) {
            let original = behaviour(service.as_ref(), &log);
            for &kind in service.declaration().consumes {
                let other = changed(&log, kind, declared(service.reads(), kind), true);
                assert!(
                    behaviour(service.as_ref(), &other) == original,
                    "{} reads a field of {} it does not declare ({mode:?})",
                    service.name().name(),
                    kind.name()
                );
            }
        }
    }
}

#[test]
fn it_should_change_a_consumer_when_a_field_it_declares_changes() {
    let runs = runs();
    let mut unused = Vec::new();
    for model in built_in() {
        for (kind, fields) in model.reads() {
            for field in *fields {
                let matters = runs.iter().any(|(_, log)| {
                    !same_fold(model.as_ref(), log, &changed(log, *kind, &[field], false))
                });
                if !matters {
                    unused.push(format!("{} {}.{field}", model.name(), kind.name()));
                }
            }
        }
    }
    for service in services_for(Mode::Orchestration) {
        for (kind, fields) in service.reads() {
            for field in *fields {
                let matters = runs.iter().any(|(mode, log)| {
                    services_for(*mode)
                        .into_iter()
                        .filter(|s| s.name() == service.name())
                        .any(|s| {
                            behaviour(s.as_ref(), log)
                                != behaviour(s.as_ref(), &changed(log, *kind, &[field], false))
                        })
                });
                if !matters {
                    unused.push(format!("{} {}.{field}", service.name().name(), kind.name()));
                }
            }
        }
    }
    assert!(unused.is_empty(), "declared but never read: {unused:?}");
}

/// A set hands a model only the types it folds (`CONSUMES`, or all with `FOLDS_EVERY_TYPE`):
/// that must lose nothing, so handing it every other event too changes none of its states.
#[test]
fn it_should_change_no_read_model_to_hand_it_types_it_does_not_fold() {
    for (mode, log) in runs() {
        for model in built_in() {
            let (mut routed, mut everything) = (model.empty(), model.empty());
            for event in &log {
                if routed.folds(event.kind()) {
                    routed.apply(event);
                }
                everything.apply(event);
                assert!(
                    routed.same_state(everything.as_ref()),
                    "{} ({mode:?}) changed on {} at {}, which it does not fold",
                    model.name(),
                    event.kind().name(),
                    event.position.0
                );
            }
        }
    }
}
