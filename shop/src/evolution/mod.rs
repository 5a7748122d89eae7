//! Schema evolution of the shop's events: a schema per event type and version (the registry),
//! an upcaster for each step between versions, and what a proposed next version would do to the
//! log and to the consumers that read it.
//!
//! The shop's producers are code, and their code writes version 1 of every payload: the log
//! keeps each event exactly as written. Consumers (read models and services) read the *latest*
//! version: an older event is upcast on its way to them, step by step. The built-in consumers
//! are compiled against version 1's field names; they follow each field through the upcasters'
//! renames (as a consumer redeployed against the new names would), so a version may rename a
//! field, add one, or map its values. A version that removes a field, changes its type or folds
//! it into others (a split or a merge) breaks exactly the consumers that read that field (each
//! declares what it reads), and is refused while one of them does.
//!
//! # Layout
//! - this module: [`Evolution`] (the registry and the upcaster chains), how consumers read the
//!   log through them ([`ShopUpcasting`]), and what a scenario saves ([`EvolutionRecord`]).
//! - `propose`: [`Proposal`], the check of a next version before it is registered.
//! - `consumers`: [`Reader`]s, who reads an event type and which of its fields.
//! - `impact`: what a change does to each field, and so to each reader ([`Break`]).
//! - `suggest`: [`suggest_upcaster`], a first upcaster read off two schemas.

mod consumers;
mod impact;
mod propose;
mod suggest;

pub use consumers::{built_in_readers, FieldReads, Reader, ReaderRole};
pub use impact::{Break, FieldLoss, Loss};
pub use propose::{FailingEvent, Proposal};
pub use suggest::suggest_upcaster;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::event_catalog;
use super::events::{ShopEvent, ShopEventKind};
use super::ShopStore;
use eventide_engine::envelope::{DomainEvent, Named, Recorded, Upcasting};
use eventide_engine::ids::SchemaVersion;
use eventide_engine::schema::{
    CompatibilityMode, RegistrationError, SchemaRegistry, UpcastError, Upcaster, Violation,
};

/// A payload and the schema version it is at.
pub type VersionedPayload = (SchemaVersion, Value);

/// A payload upcast to a version, or why it could not be.
pub type UpcastPayload = (SchemaVersion, Result<Value, UpcastError>);

/// The version the shop's code writes.
pub const CODE_VERSION: SchemaVersion = SchemaVersion::V1;

/// Every event type's schema versions, compatibility mode and upcasters.
#[derive(Clone, Debug)]
pub struct Evolution {
    registry: SchemaRegistry<String>,
    /// `chains[kind][n - 1]` upcasts version n to n + 1.
    chains: Vec<Vec<Upcaster>>,
}

impl Default for Evolution {
    fn default() -> Self {
        Evolution::new()
    }
}

/// Why an event's payload was refused: it does not match its schema.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind} v{version} payload refused: {}", first_violation(violations))]
pub struct PayloadRejected {
    pub kind: &'static str,
    pub version: u16,
    pub violations: Vec<Violation>,
}

fn first_violation(violations: &[Violation]) -> String {
    match violations {
        [] => "no schema for this version".into(),
        [only] => only.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
    }
}

/// Why a version was not registered. Nothing changed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum EvolutionError {
    #[error("{0}")]
    Refused(String),
    #[error("the proposed schema is not valid: {0}")]
    Invalid(String),
    #[error(transparent)]
    Registry(#[from] RegistrationError),
}

/// The evolution as a scenario saves it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EvolutionRecord {
    /// Per event type that has more than version 1 or a mode of its own.
    pub types: BTreeMap<String, TypeRecord>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TypeRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Versions 2 and on, each with the upcaster from the one before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<VersionRecord>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionRecord {
    pub schema: Value,
    pub upcaster: Upcaster,
}

impl Evolution {
    /// Version 1 of every event type, in `BACKWARD` mode, and no upcasters.
    pub fn new() -> Evolution {
        let mut registry = SchemaRegistry::new();
        for kind in ShopEventKind::ALL {
            // The catalog's schemas are valid documents (a test says so), so this cannot fail.
            let _ = registry.register(kind.name().to_string(), event_catalog::schema(*kind));
        }
        Evolution {
            registry,
            chains: vec![Vec::new(); ShopEventKind::ALL.len()],
        }
    }

    pub fn registry(&self) -> &SchemaRegistry<String> {
        &self.registry
    }

    pub fn mode(&self, kind: ShopEventKind) -> CompatibilityMode {
        self.registry.mode(kind.name())
    }

    pub fn set_mode(&mut self, kind: ShopEventKind, mode: CompatibilityMode) {
        self.registry.set_mode(kind.name().to_string(), mode);
    }

    /// The version consumers read.
    pub fn latest(&self, kind: ShopEventKind) -> SchemaVersion {
        SchemaVersion(self.chains[kind.index()].len() as u16 + 1)
    }

    /// The upcasters of a type, from version 1 on.
    pub fn upcasters(&self, kind: ShopEventKind) -> &[Upcaster] {
        &self.chains[kind.index()]
    }

    /// Whether any type has a version beyond the code's.
    pub fn has_evolved(&self) -> bool {
        self.chains.iter().any(|chain| !chain.is_empty())
    }

    /// Checks a payload against its type's schema at `version`.
    pub fn validate(
        &self,
        kind: ShopEventKind,
        version: SchemaVersion,
        payload: &Value,
    ) -> Result<(), PayloadRejected> {
        let rejected = |violations| PayloadRejected {
            kind: kind.name(),
            version: version.0,
            violations,
        };
        let schema = self
            .registry
            .version(kind.name(), version)
            .ok_or_else(|| rejected(Vec::new()))?;
        let violations = schema.violations(payload);
        if violations.is_empty() {
            Ok(())
        } else {
            Err(rejected(violations))
        }
    }

    /// A payload written at `from`, as the latest version reads it.
    pub fn upcast(
        &self,
        kind: ShopEventKind,
        from: SchemaVersion,
        payload: &Value,
    ) -> Result<Value, UpcastError> {
        upcast_through(&self.chains[kind.index()], from, payload)
    }

    /// An event's payload as written and as its consumers read it (the same when its type has
    /// not evolved), with the version each is at.
    pub fn both_payloads(
        &self,
        event: &Recorded<ShopEvent>,
    ) -> (VersionedPayload, Option<UpcastPayload>) {
        let kind = event.event.kind();
        let original = event_catalog::payload(&event.event);
        let latest = self.latest(kind);
        if latest <= event.schema_version {
            return ((event.schema_version, original), None);
        }
        let upcast = self.upcast(kind, event.schema_version, &original);
        ((event.schema_version, original), Some((latest, upcast)))
    }

    /// An event's envelope as consumers read it (what user scripts are given): the payload
    /// upcast to the latest version, and that version in `schema_version`.
    pub fn envelope_for_consumers(&self, event: &Recorded<ShopEvent>) -> Value {
        let mut envelope = event.to_json();
        if let (_, Some((latest, Ok(upcast)))) = self.both_payloads(event) {
            envelope["schema_version"] = Value::from(latest.0);
            envelope["payload"] = upcast;
        }
        envelope
    }

    /// How consumers read the log now: `None` while no type has evolved (they read it as
    /// written, at no cost).
    pub fn upcasting(&self) -> Option<Arc<ShopUpcasting>> {
        self.has_evolved().then(|| {
            Arc::new(ShopUpcasting {
                chains: self.chains.clone(),
            })
        })
    }

    /// Registers the next version of `kind` with its upcaster, if the proposal allows it.
    pub fn register(
        &mut self,
        kind: ShopEventKind,
        schema: Value,
        upcaster: Upcaster,
        store: &ShopStore,
    ) -> Result<SchemaVersion, EvolutionError> {
        let proposal = self.propose(kind, &schema, &upcaster, store)?;
        if let Some(refusal) = proposal.refusal() {
            return Err(EvolutionError::Refused(refusal));
        }
        let version = self.registry.register(kind.name().to_string(), schema)?;
        if version != proposal.version {
            // The schema equals an earlier version: the registry returned that one.
            return Err(EvolutionError::Refused(format!(
                "{} {}: this schema is already version {}",
                kind.name(),
                proposal.version,
                version.0
            )));
        }
        self.chains[kind.index()].push(upcaster);
        Ok(version)
    }

    /// What a scenario saves: modes of their own and every version after the first.
    pub fn record(&self) -> EvolutionRecord {
        let mut types = BTreeMap::new();
        for kind in ShopEventKind::ALL {
            let name = kind.name();
            let versions: Vec<VersionRecord> = self
                .registry
                .versions(name)
                .skip(1)
                .zip(self.upcasters(*kind))
                .map(|((_, schema), upcaster)| VersionRecord {
                    schema: schema.source().clone(),
                    upcaster: upcaster.clone(),
                })
                .collect();
            let mode = self.registry.has_own_mode(name).then(|| self.mode(*kind));
            if !versions.is_empty() || mode.is_some() {
                types.insert(
                    name.to_string(),
                    TypeRecord {
                        mode: mode.map(|mode| mode.name().to_string()),
                        versions,
                    },
                );
            }
        }
        EvolutionRecord { types }
    }

    /// Rebuilds the evolution a scenario saved, checking every version against `store` as a
    /// registration would. On any error the caller keeps what it had.
    pub fn from_record(
        record: &EvolutionRecord,
        store: &ShopStore,
    ) -> Result<Evolution, EvolutionError> {
        let mut evolution = Evolution::new();
        for (name, saved) in &record.types {
            let kind = ShopEventKind::from_name(name)
                .ok_or_else(|| EvolutionError::Invalid(format!("unknown event type {name:?}")))?;
            if let Some(mode) = &saved.mode {
                let mode = mode
                    .parse::<CompatibilityMode>()
                    .map_err(|error| EvolutionError::Invalid(error.to_string()))?;
                evolution.set_mode(kind, mode);
            }
            for version in &saved.versions {
                evolution.register(
                    kind,
                    version.schema.clone(),
                    version.upcaster.clone(),
                    store,
                )?;
            }
        }
        Ok(evolution)
    }
}

fn upcast_through(
    chain: &[Upcaster],
    from: SchemaVersion,
    payload: &Value,
) -> Result<Value, UpcastError> {
    let start = usize::from(from.0.max(1)) - 1;
    let mut current = payload.clone();
    for upcaster in chain.iter().skip(start) {
        current = upcaster.apply(&current)?;
    }
    Ok(current)
}

/// A code field whose upcast value the code's type cannot hold, and serde's reason.
type Unreadable = (&'static str, String);

/// The event a latest-version payload means to the shop's code: each of the code's fields is
/// found under the name the upcasters gave it. A field the upcasters took away, or whose new
/// value the code's type cannot hold, is read as written (registration makes sure no built-in
/// consumer reads such a field); the latter are returned with the reason, field by field.
fn read_as_code(
    kind: ShopEventKind,
    chain: &[Upcaster],
    written: &Value,
    latest: &Value,
) -> Result<(ShopEvent, Vec<Unreadable>), String> {
    let as_written = written.as_object().cloned().unwrap_or_default();
    let upcast = |field: &str| follow(chain, field).and_then(|name| latest.get(&name).cloned());
    let mut all = as_written.clone();
    for field in event_catalog::field_names(kind) {
        if let Some(value) = upcast(field) {
            all.insert(field.to_string(), value);
        }
    }
    if let Ok(event) = event_catalog::from_payload(kind, &Value::Object(all)) {
        return Ok((event, Vec::new()));
    }
    // Some field does not read: find which, one at a time, keeping those that do.
    let mut fields: Map<String, Value> = as_written;
    let mut unreadable = Vec::new();
    for field in event_catalog::field_names(kind) {
        let Some(value) = upcast(field) else {
            continue;
        };
        let mut trial = fields.clone();
        trial.insert(field.to_string(), value);
        match event_catalog::from_payload(kind, &Value::Object(trial.clone())) {
            Ok(_) => fields = trial,
            Err(problem) => unreadable.push((field, problem)),
        }
    }
    event_catalog::from_payload(kind, &Value::Object(fields)).map(|event| (event, unreadable))
}

/// A code field's name after every upcaster, or `None` once a split or merge took it apart.
fn follow(chain: &[Upcaster], field: &str) -> Option<String> {
    chain.iter().try_fold(field.to_string(), |name, upcaster| {
        upcaster.field_after(&name)
    })
}

/// The log as the shop's consumers read it once some types have evolved.
#[derive(Debug)]
pub struct ShopUpcasting {
    chains: Vec<Vec<Upcaster>>,
}

impl Upcasting<ShopEvent> for ShopUpcasting {
    fn read(&self, event: &Recorded<ShopEvent>) -> Option<Recorded<ShopEvent>> {
        let kind = event.event.kind();
        let chain = &self.chains[kind.index()];
        if chain.len() < usize::from(event.schema_version.0) {
            return None;
        }
        let original = event_catalog::payload(&event.event);
        // Registration checked every recorded event and the example, so these hold; should one
        // not, the consumer reads the event as written rather than not at all.
        let upcast = upcast_through(chain, event.schema_version, &original).ok()?;
        let (read, _) = read_as_code(kind, chain, &original, &upcast).ok()?;
        (read != event.event).then(|| Recorded {
            event: read,
            ..event.clone()
        })
    }

    fn evolves(&self, kind: ShopEventKind) -> bool {
        self.chains
            .get(kind.index())
            .is_some_and(|chain| !chain.is_empty())
    }
}

#[cfg(test)]
mod tests;
