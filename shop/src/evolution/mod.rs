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
//! - this module: [`Evolution`], the shop's side of the kernel's
//!   [`eventide_engine::evolution::SchemaVersions`] (the registry and the upcaster chains, which
//!   are generic): its first schemas, how an upcast payload reads back into the shop's code
//!   ([`ShopUpcasting`]), and the loading of what a scenario saved ([`EvolutionRecord`]).
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

use std::sync::Arc;

use serde_json::{Map, Value};

use super::event_catalog;
use super::events::{ShopEvent, ShopEventKind};
use super::ShopStore;
use eventide_engine::envelope::{DomainEvent, Named, Recorded, Upcasting};
use eventide_engine::evolution::{follow, upcast_through, NextVersionError, SchemaVersions};
pub use eventide_engine::evolution::{EvolutionRecord, PayloadRejected, TypeRecord, VersionRecord};
use eventide_engine::ids::SchemaVersion;
use eventide_engine::schema::{
    CompatibilityMode, RegistrationError, SchemaRegistry, UpcastError, Upcaster,
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
    versions: SchemaVersions<ShopEventKind>,
}

impl Default for Evolution {
    fn default() -> Self {
        Evolution::new()
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

impl Evolution {
    /// Version 1 of every event type, in `BACKWARD` mode, and no upcasters. (The catalog's
    /// schemas are valid documents: a test says so.)
    pub fn new() -> Evolution {
        Evolution {
            versions: SchemaVersions::new(event_catalog::schema),
        }
    }

    pub fn registry(&self) -> &SchemaRegistry<String> {
        self.versions.registry()
    }

    pub fn mode(&self, kind: ShopEventKind) -> CompatibilityMode {
        self.versions.mode(kind)
    }

    pub fn set_mode(&mut self, kind: ShopEventKind, mode: CompatibilityMode) {
        self.versions.set_mode(kind, mode);
    }

    /// The version consumers read.
    pub fn latest(&self, kind: ShopEventKind) -> SchemaVersion {
        self.versions.latest(kind)
    }

    /// The upcasters of a type, from version 1 on.
    pub fn upcasters(&self, kind: ShopEventKind) -> &[Upcaster] {
        self.versions.upcasters(kind)
    }

    /// Whether any type has a version beyond the code's.
    pub fn has_evolved(&self) -> bool {
        self.versions.has_evolved()
    }

    /// Checks a payload against its type's schema at `version`.
    pub fn validate(
        &self,
        kind: ShopEventKind,
        version: SchemaVersion,
        payload: &Value,
    ) -> Result<(), PayloadRejected> {
        self.versions.validate(kind, version, payload)
    }

    /// A payload written at `from`, as the latest version reads it.
    pub fn upcast(
        &self,
        kind: ShopEventKind,
        from: SchemaVersion,
        payload: &Value,
    ) -> Result<Value, UpcastError> {
        self.versions.upcast(kind, from, payload)
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
                chains: self.versions.chains().to_vec(),
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
        self.versions
            .push(kind, schema, upcaster)
            .map_err(|error| match error {
                NextVersionError::Registry(error) => EvolutionError::Registry(error),
                already @ NextVersionError::AlreadyRegistered { .. } => {
                    EvolutionError::Refused(already.to_string())
                }
            })
    }

    /// What a scenario saves: modes of their own and every version after the first.
    pub fn record(&self) -> EvolutionRecord {
        self.versions.record()
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
