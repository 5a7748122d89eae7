//! The check of a proposed next version before it is registered: the verdict in every
//! compatibility mode, every recorded event upcast and validated, a new event likewise, and
//! every reader of the type judged by the fields it reads.

use serde_json::Value;

use super::consumers::{built_in_readers, Reader, ReaderRole};
use super::impact::{Break, Impact};
use super::{read_as_code, Evolution, EvolutionError, CODE_VERSION};
use crate::event_catalog;
use crate::events::ShopEventKind;
use crate::ShopStore;
use eventide_engine::envelope::Named;
use eventide_engine::evolution::upcast_through;
use eventide_engine::ids::{Position, SchemaVersion};
use eventide_engine::schema::{diff, CompatibilityMode, JsonSchema, Upcaster, Verdict};

/// How many failing events a proposal lists (it counts them all).
const LISTED_FAILURES: usize = 20;

/// A recorded event the proposed version could not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailingEvent {
    pub position: Position,
    pub problem: String,
}

/// What registering a proposed next version would do, found before doing it.
#[derive(Clone, Debug)]
pub struct Proposal {
    pub kind: ShopEventKind,
    /// The number the version would get.
    pub version: SchemaVersion,
    pub mode: CompatibilityMode,
    /// The verdict in every mode, the event type's own first.
    pub verdicts: Vec<(CompatibilityMode, Verdict)>,
    /// Recorded events of the type checked: upcast to the proposed version and validated.
    pub checked: usize,
    /// The first few recorded events that would fail validation under it.
    pub failing: Vec<FailingEvent>,
    pub failing_count: usize,
    /// Why an event the code writes from now on would not upcast or validate, if it would not.
    pub new_event_problem: Option<String>,
    /// The readers that could no longer read, each with the fields it loses.
    pub breaks: Vec<Break>,
    /// The readers that read none of the fields the change affects.
    pub unaffected: Vec<Reader>,
}

impl Proposal {
    pub fn verdict(&self) -> Option<&Verdict> {
        self.verdicts
            .iter()
            .find(|(mode, _)| *mode == self.mode)
            .map(|(_, verdict)| verdict)
    }

    /// The built-in readers that break. A script that breaks does not stop a registration: it
    /// is the user's to update, and the check says so.
    pub fn built_in_breaks(&self) -> impl Iterator<Item = &Break> {
        self.breaks
            .iter()
            .filter(|b| b.consumer.role != ReaderRole::Script)
    }

    /// Compatible in the type's mode, every recorded and new event valid, no built-in reader
    /// broken.
    pub fn can_register(&self) -> bool {
        self.refusal().is_none()
    }

    /// Why it cannot be registered, in a sentence; `None` when it can.
    pub fn refusal(&self) -> Option<String> {
        let name = self.kind.name();
        if let Some(verdict) = self.verdict().filter(|verdict| !verdict.is_compatible()) {
            let changes: Vec<String> = verdict
                .incompatible_changes()
                .map(|(_, change)| change.to_string())
                .collect();
            return Some(format!(
                "{name} {}: not {} compatible: {}",
                self.version,
                self.mode.name(),
                changes.join(", ")
            ));
        }
        if self.verdict().is_none() {
            return Some(format!("{name} {}: no verdict", self.version));
        }
        if let Some(first) = self.failing.first() {
            return Some(format!(
                "{name} {}: {} recorded event(s) would fail validation, the first #{}: {}",
                self.version, self.failing_count, first.position.0, first.problem
            ));
        }
        if let Some(problem) = &self.new_event_problem {
            return Some(format!("{name} {}: {problem}", self.version));
        }
        let broken: Vec<&Break> = self.built_in_breaks().collect();
        if let Some(first) = broken.first() {
            let others = match broken.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            return Some(format!(
                "{name} {}: {} could no longer read it{others}: it {}",
                self.version, first.consumer.name, first.why
            ));
        }
        None
    }
}

impl Evolution {
    /// What registering `schema` as the next version of `kind`, with `upcaster` from the
    /// current latest, would do to the built-in readers: see [`Evolution::propose_with`].
    pub fn propose(
        &self,
        kind: ShopEventKind,
        schema: &Value,
        upcaster: &Upcaster,
        store: &ShopStore,
    ) -> Result<Proposal, EvolutionError> {
        self.propose_with(kind, schema, upcaster, store, &[])
    }

    /// What registering `schema` as the next version of `kind`, with `upcaster` from the
    /// current latest, would do: the verdict in every mode, the recorded events that would fail
    /// validation once upcast, and which readers (the built-in ones and `scripts`) could no
    /// longer read, by the fields each reads.
    pub fn propose_with(
        &self,
        kind: ShopEventKind,
        schema: &Value,
        upcaster: &Upcaster,
        store: &ShopStore,
        scripts: &[Reader],
    ) -> Result<Proposal, EvolutionError> {
        let parsed = JsonSchema::parse(schema.clone())
            .map_err(|error| EvolutionError::Invalid(error.to_string()))?;
        let mode = self.mode(kind);
        let verdicts = self.versions.verdicts(kind, &parsed);
        let before = self.upcasters(kind);
        let mut chain = before.to_vec();
        chain.push(upcaster.clone());

        let mut failing = Vec::new();
        let mut failing_count = 0;
        let mut unreadable = Vec::new();
        let mut checked = 0;
        let mut fail = |position: Position, problem: String| {
            failing_count += 1;
            if failing.len() < LISTED_FAILURES {
                failing.push(FailingEvent { position, problem });
            }
        };
        for event in store.read_by_kind(kind) {
            checked += 1;
            let original = event_catalog::payload(&event.event);
            match upcast_through(&chain, event.schema_version, &original) {
                Err(error) => fail(event.position, error.to_string()),
                Ok(upcast) => {
                    let violations = parsed.violations(&upcast);
                    if let Some(first) = violations.first() {
                        fail(event.position, first.to_string());
                    } else if unreadable.is_empty() {
                        unreadable = unreadable_fields(
                            kind,
                            &chain,
                            Some(event.position),
                            &original,
                            &upcast,
                        );
                    }
                }
            }
        }
        // The code goes on writing version 1: a new event must upcast, validate and read too.
        let example = event_catalog::payload(&event_catalog::example(kind));
        let new_event_problem = match upcast_through(&chain, CODE_VERSION, &example) {
            Err(error) => Some(format!("a new event would not upcast: {error}")),
            Ok(upcast) => match parsed.violations(&upcast).first() {
                Some(first) => Some(format!("a new event would not be valid: {first}")),
                None => {
                    if unreadable.is_empty() {
                        unreadable = unreadable_fields(kind, &chain, None, &example, &upcast);
                    }
                    None
                }
            },
        };

        let latest = self
            .registry()
            .version(kind.name(), self.latest(kind))
            .map(|schema| (schema.source().clone(), diff(schema, &parsed)))
            .unwrap_or_else(|| (event_catalog::schema(kind), Vec::new()));
        let impact = Impact {
            kind,
            chain: before,
            upcaster,
            latest: &latest.0,
            proposed: schema,
            changes: &latest.1,
            unreadable: &unreadable,
        };
        let mut readers = built_in_readers(kind);
        readers.extend(scripts.iter().cloned());
        let (breaks, unaffected) = impact.judge(readers);
        Ok(Proposal {
            kind,
            version: SchemaVersion(chain.len() as u16 + 1),
            mode,
            verdicts,
            checked,
            failing,
            failing_count,
            new_event_problem,
            breaks,
            unaffected,
        })
    }
}

/// The code fields whose upcast values would not read, with why; every field when the event
/// would not read at all.
fn unreadable_fields(
    kind: ShopEventKind,
    chain: &[Upcaster],
    position: Option<Position>,
    written: &Value,
    upcast: &Value,
) -> Vec<(Option<Position>, &'static str, String)> {
    match read_as_code(kind, chain, written, upcast) {
        Ok((_, fields)) => fields
            .into_iter()
            .map(|(field, problem)| (position, field, problem))
            .collect(),
        Err(problem) => event_catalog::field_names(kind)
            .map(|field| (position, field, problem.clone()))
            .collect(),
    }
}
