//! Schema evolution of the shop's events: a schema per event type and version (the registry),
//! an upcaster for each step between versions, and what a proposed next version would do to the
//! log and to the consumers that read it.
//!
//! The shop's producers are code, and their code writes version 1 of every payload: the log
//! keeps each event exactly as written. Consumers (read models and services) read the *latest*
//! version: an older event is upcast on its way to them, step by step. The built-in consumers
//! are compiled against version 1's field names; they follow each field through the upcasters'
//! renames (as a consumer redeployed against the new names would), so a version may rename a
//! field, add one, or map its values, but a version that folds a field they read into others
//! (a split or a merge) breaks them, and is refused.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::event_catalog::{self, consumers, Party};
use super::events::{ShopEvent, ShopEventKind};
use super::ShopStore;
use crate::envelope::{DomainEvent, Named, Recorded, Upcasting};
use crate::ids::{Position, SchemaVersion};
use crate::schema::{
    check_versions, CompatibilityMode, JsonSchema, RegistrationError, SchemaRegistry, UpcastError,
    UpcastStep, Upcaster, Verdict, Violation,
};

/// A payload and the schema version it is at.
pub type VersionedPayload = (SchemaVersion, Value);

/// A payload upcast to a version, or why it could not be.
pub type UpcastPayload = (SchemaVersion, Result<Value, UpcastError>);

/// The version the shop's code writes.
pub const CODE_VERSION: SchemaVersion = SchemaVersion::V1;

/// How many failing events a proposal lists (it counts them all).
const LISTED_FAILURES: usize = 20;

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

/// A recorded event the proposed version could not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailingEvent {
    pub position: Position,
    pub problem: String,
}

/// A consumer that could not read events of the proposed version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    pub consumer: Party,
    pub why: String,
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
    pub breaks: Vec<Break>,
}

impl Proposal {
    pub fn verdict(&self) -> Option<&Verdict> {
        self.verdicts
            .iter()
            .find(|(mode, _)| *mode == self.mode)
            .map(|(_, verdict)| verdict)
    }

    /// Compatible in the type's mode, every recorded event still valid, no consumer broken.
    pub fn can_register(&self) -> bool {
        self.verdict().is_some_and(Verdict::is_compatible)
            && self.failing_count == 0
            && self.breaks.is_empty()
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
        if let Some(first) = self.failing.first() {
            return Some(format!(
                "{name} {}: {} recorded event(s) would fail validation, the first #{}: {}",
                self.version, self.failing_count, first.position.0, first.problem
            ));
        }
        if let Some(first) = self.breaks.first() {
            return Some(format!(
                "{name} {}: {} could no longer read it: {}",
                self.version, first.consumer.name, first.why
            ));
        }
        None
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

    /// What registering `schema` as the next version of `kind`, with `upcaster` from the
    /// current latest, would do: the verdict in every mode, the recorded events that would fail
    /// validation once upcast, and the consumers that could no longer read.
    pub fn propose(
        &self,
        kind: ShopEventKind,
        schema: &Value,
        upcaster: &Upcaster,
        store: &ShopStore,
    ) -> Result<Proposal, EvolutionError> {
        let parsed = JsonSchema::parse(schema.clone())
            .map_err(|error| EvolutionError::Invalid(error.to_string()))?;
        let mode = self.mode(kind);
        // The type's own mode first, then the others, each judged against the same versions.
        let verdicts = std::iter::once(mode)
            .chain(
                CompatibilityMode::ALL
                    .iter()
                    .copied()
                    .filter(|&other| other != mode),
            )
            .map(|candidate| {
                let earlier = self.registry.versions(kind.name());
                (candidate, check_versions(candidate, earlier, &parsed))
            })
            .collect();
        let mut chain = self.chains[kind.index()].clone();
        chain.push(upcaster.clone());

        let mut failing = Vec::new();
        let mut failing_count = 0;
        let mut undecodable = None;
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
                    } else if undecodable.is_none() {
                        if let Err(problem) = read_as_code(kind, &chain, &upcast) {
                            undecodable = Some((event.position, problem));
                        }
                    }
                }
            }
        }
        let breaks = breaks(kind, &chain, undecodable);
        Ok(Proposal {
            kind,
            version: SchemaVersion(chain.len() as u16 + 1),
            mode,
            verdicts,
            checked,
            failing,
            failing_count,
            breaks,
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

/// A first upcaster for a schema change, to edit rather than write: a rename where exactly
/// one property went and exactly one new one without a default has its type, a default for each new property that
/// declares one, and a removal for each other property that went.
pub fn suggest_upcaster(latest: &Value, proposed: &Value) -> Upcaster {
    let properties = |schema: &Value| {
        schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default()
    };
    let (before, after) = (properties(latest), properties(proposed));
    let gone: Vec<(&String, &Value)> = before
        .iter()
        .filter(|(name, _)| !after.contains_key(*name))
        .collect();
    let came: Vec<(&String, &Value)> = after
        .iter()
        .filter(|(name, _)| !before.contains_key(*name))
        .collect();
    let mut steps = Vec::new();
    let same_type = |old: &Value| -> Vec<&String> {
        came.iter()
            .filter(|(_, new)| new.get("type") == old.get("type") && new.get("default").is_none())
            .map(|(name, _)| *name)
            .collect()
    };
    let renamed = match gone.as_slice() {
        [(from, old)] => match same_type(old).as_slice() {
            [to] => {
                steps.push(UpcastStep::Rename {
                    from: (*from).clone(),
                    to: (*to).clone(),
                });
                Some(((*from).clone(), (*to).clone()))
            }
            _ => None,
        },
        _ => None,
    };
    for (name, schema) in &came {
        if renamed.as_ref().is_some_and(|(_, to)| to == *name) {
            continue;
        }
        if let Some(value) = schema.get("default") {
            steps.push(UpcastStep::AddDefault {
                field: (*name).clone(),
                value: value.clone(),
            });
        }
    }
    for (name, _) in &gone {
        if renamed.as_ref().is_some_and(|(from, _)| from == *name) {
            continue;
        }
        steps.push(UpcastStep::Remove {
            field: (*name).clone(),
        });
    }
    Upcaster::new(steps)
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

/// The event a latest-version payload means to the shop's code: each of the code's fields is
/// found under the name the upcasters gave it.
fn read_as_code(
    kind: ShopEventKind,
    chain: &[Upcaster],
    latest: &Value,
) -> Result<ShopEvent, String> {
    let mut fields = Map::new();
    for field in event_catalog::field_names(kind) {
        let name = follow(chain, field).ok_or_else(|| format!("\"{field}\" is gone"))?;
        if let Some(value) = latest.get(&name) {
            fields.insert(field.to_string(), value.clone());
        }
    }
    event_catalog::from_payload(kind, &Value::Object(fields))
}

/// A code field's name after every upcaster, or `None` once a split or merge took it apart.
fn follow(chain: &[Upcaster], field: &str) -> Option<String> {
    chain.iter().try_fold(field.to_string(), |name, upcaster| {
        upcaster.field_after(&name)
    })
}

/// The built-in consumers of `kind` that could not read its events through `chain`.
fn breaks(
    kind: ShopEventKind,
    chain: &[Upcaster],
    undecodable: Option<(Position, String)>,
) -> Vec<Break> {
    let lost: Vec<&str> = event_catalog::field_names(kind)
        .filter(|field| follow(chain, field).is_none())
        .collect();
    let why = if let Some(field) = lost.first() {
        Some(format!(
            "it reads \"{field}\", which the upcaster removes, splits or merges into other fields"
        ))
    } else {
        let example = event_catalog::payload(&event_catalog::example(kind));
        let example_problem = upcast_through(chain, CODE_VERSION, &example)
            .map_err(|error| error.to_string())
            .and_then(|upcast| read_as_code(kind, chain, &upcast))
            .err()
            .map(|problem| format!("a new event would not read: {problem}"));
        undecodable
            .map(|(position, problem)| format!("event #{} would not read: {problem}", position.0))
            .or(example_problem)
    };
    match why {
        None => Vec::new(),
        Some(why) => consumers(kind)
            .into_iter()
            .map(|consumer| Break {
                consumer,
                why: why.clone(),
            })
            .collect(),
    }
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
        let read = read_as_code(kind, chain, &upcast).ok()?;
        (read != event.event).then(|| Recorded {
            event: read,
            ..event.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ids::Timestamp;
    use crate::shop::generator::{generate_orders, GeneratorConfig};
    use crate::shop::Shop;

    fn shop_with_orders() -> Shop {
        let mut shop = Shop::new();
        let config = GeneratorConfig::new(7, Timestamp(1_700_000_000_000));
        generate_orders(&mut shop, config, 60).expect("the generator's commands are valid");
        shop
    }

    fn with_property(kind: ShopEventKind, name: &str, property: Value, required: bool) -> Value {
        let mut schema = event_catalog::schema(kind);
        schema["properties"][name] = property;
        if required {
            schema["required"]
                .as_array_mut()
                .expect("catalog schemas list required fields")
                .push(json!(name));
        }
        schema
    }

    fn renamed(kind: ShopEventKind, from: &str, to: &str) -> Value {
        let mut schema = event_catalog::schema(kind);
        let properties = schema["properties"].as_object_mut().expect("properties");
        let moved = properties.remove(from).expect("the field exists");
        properties.insert(to.to_string(), moved);
        let required = schema["required"].as_array_mut().expect("required");
        for name in required.iter_mut() {
            if name == from {
                *name = json!(to);
            }
        }
        schema
    }

    #[test]
    fn a_field_with_a_default_registers_and_old_events_read_with_it() {
        let shop = shop_with_orders();
        let mut evolution = Evolution::new();
        let kind = ShopEventKind::OrderPlaced;
        let schema = with_property(
            kind,
            "currency",
            json!({"type": "string", "default": "EUR"}),
            true,
        );
        let upcaster = Upcaster::new(vec![UpcastStep::AddDefault {
            field: "currency".into(),
            value: json!("EUR"),
        }]);
        let proposal = evolution
            .propose(kind, &schema, &upcaster, shop.store())
            .unwrap();
        assert!(proposal.checked > 0);
        assert_eq!(proposal.failing_count, 0, "{:?}", proposal.failing);
        assert!(proposal.breaks.is_empty());
        assert!(proposal.can_register(), "{:?}", proposal.refusal());

        let version = evolution
            .register(kind, schema, upcaster, shop.store())
            .unwrap();
        assert_eq!(version, SchemaVersion(2));
        let placed = shop.store().read_by_kind(kind).next().unwrap();
        let (original, upcast) = evolution.both_payloads(placed);
        assert_eq!(original.0, SchemaVersion::V1);
        assert!(original.1.get("currency").is_none());
        let (latest, upcast) = upcast.unwrap();
        assert_eq!(latest, SchemaVersion(2));
        assert_eq!(upcast.unwrap()["currency"], "EUR");
    }

    #[test]
    fn scripts_are_given_the_upcast_envelope() {
        let shop = shop_with_orders();
        let mut evolution = Evolution::new();
        let kind = ShopEventKind::OrderPlaced;
        let schema = with_property(
            kind,
            "channel",
            json!({"type": "string", "default": "web"}),
            false,
        );
        let upcaster = Upcaster::new(vec![UpcastStep::AddDefault {
            field: "channel".into(),
            value: json!("web"),
        }]);
        let placed = shop.store().read_by_kind(kind).next().unwrap();
        assert_eq!(evolution.envelope_for_consumers(placed), placed.to_json());
        evolution
            .register(kind, schema, upcaster, shop.store())
            .unwrap_or_else(|error| panic!("{error}"));
        let envelope = evolution.envelope_for_consumers(placed);
        assert_eq!(envelope["schema_version"], 2);
        assert_eq!(envelope["payload"]["channel"], "web");
        assert_eq!(envelope["position"], placed.to_json()["position"]);
    }

    #[test]
    fn a_required_field_without_a_default_fails_every_recorded_event() {
        let shop = shop_with_orders();
        let evolution = Evolution::new();
        let kind = ShopEventKind::OrderPlaced;
        let schema = with_property(kind, "currency", json!({"type": "string"}), true);
        let proposal = evolution
            .propose(kind, &schema, &Upcaster::default(), shop.store())
            .unwrap();
        assert_eq!(proposal.failing_count, proposal.checked);
        assert!(proposal.failing[0].problem.contains("currency"));
        let refusal = proposal.refusal().unwrap();
        assert!(
            refusal.contains("not BACKWARD compatible") || refusal.contains("would fail"),
            "{refusal}"
        );
    }

    #[test]
    fn a_rename_with_its_upcaster_keeps_every_consumer_reading() {
        let shop = shop_with_orders();
        let mut evolution = Evolution::new();
        let kind = ShopEventKind::PaymentProcessed;
        evolution.set_mode(kind, CompatibilityMode::None);
        let upcaster = Upcaster::new(vec![UpcastStep::Rename {
            from: "amount".into(),
            to: "amount_cents".into(),
        }]);
        let schema = renamed(kind, "amount", "amount_cents");
        evolution
            .register(kind, schema, upcaster, shop.store())
            .unwrap();
        // Consumers read the renamed field as the one their code knows: nothing changes.
        let upcasting = evolution.upcasting().unwrap();
        for event in shop.store().read_by_kind(kind) {
            assert_eq!(upcasting.read(event), None);
        }
    }

    #[test]
    fn mapped_values_reach_the_consumers() {
        let shop = shop_with_orders();
        let mut evolution = Evolution::new();
        let kind = ShopEventKind::ShipmentDispatched;
        let shipped = shop
            .store()
            .read_by_kind(kind)
            .next()
            .expect("a shipment")
            .clone();
        let carrier = event_catalog::payload(&shipped.event)["carrier"].clone();
        let upcaster = Upcaster::new(vec![UpcastStep::MapValues {
            field: "carrier".into(),
            mapping: vec![(carrier, json!("Renamed Carrier"))],
        }]);
        let mut schema = event_catalog::schema(kind);
        schema["properties"]["carrier"]["description"] = json!("the carrier's new name");
        evolution
            .register(kind, schema, upcaster, shop.store())
            .unwrap_or_else(|error| panic!("{error}"));
        let read = evolution.upcasting().unwrap().read(&shipped).unwrap();
        match read.event {
            ShopEvent::ShipmentDispatched { carrier, .. } => assert_eq!(carrier, "Renamed Carrier"),
            other => panic!("{other:?}"),
        }
        assert_eq!(read.position, shipped.position);
    }

    #[test]
    fn splitting_a_field_the_code_reads_breaks_its_consumers() {
        let shop = shop_with_orders();
        let evolution = Evolution::new();
        let kind = ShopEventKind::OrderPlaced;
        let mut schema = renamed(kind, "customer", "customer_prefix");
        schema["properties"]["customer_number"] = json!({"type": "string"});
        let upcaster = Upcaster::new(vec![UpcastStep::Split {
            from: "customer".into(),
            into: vec!["customer_prefix".into(), "customer_number".into()],
            separator: "-".into(),
        }]);
        let mut evolution = evolution;
        evolution.set_mode(kind, CompatibilityMode::None);
        let proposal = evolution
            .propose(kind, &schema, &upcaster, shop.store())
            .unwrap();
        assert!(!proposal.breaks.is_empty());
        assert!(proposal
            .breaks
            .iter()
            .any(|b| b.consumer.name == "Orders" && b.why.contains("customer")));
        assert!(evolution
            .register(kind, schema, upcaster, shop.store())
            .is_err());
        assert_eq!(evolution.latest(kind), SchemaVersion::V1);
    }

    #[test]
    fn the_suggestion_renames_defaults_and_removes() {
        let kind = ShopEventKind::OrderPlaced;
        let latest = event_catalog::schema(kind);
        let mut proposed = renamed(kind, "customer", "buyer");
        proposed["properties"]["channel"] = json!({"type": "string", "default": "web"});
        let suggested = suggest_upcaster(&latest, &proposed);
        assert_eq!(
            suggested.to_string(),
            "rename \"customer\" to \"buyer\"; add \"channel\" = \"web\""
        );
        proposed["properties"]
            .as_object_mut()
            .unwrap()
            .remove("total");
        let suggested = suggest_upcaster(&latest, &proposed);
        assert!(
            suggested.to_string().contains("remove \"customer\""),
            "{suggested}"
        );
        assert!(
            suggested.to_string().contains("remove \"total\""),
            "{suggested}"
        );
    }

    #[test]
    fn validation_names_the_field_and_the_rule() {
        let evolution = Evolution::new();
        let kind = ShopEventKind::StockReceived;
        let bad = json!({"sku": "SKU-01", "quantity": 0});
        let error = evolution
            .validate(kind, SchemaVersion::V1, &bad)
            .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("quantity"), "{message}");
        assert!(message.contains("minimum"), "{message}");
        assert!(evolution
            .validate(
                kind,
                SchemaVersion::V1,
                &json!({"sku": "SKU-01", "quantity": 3})
            )
            .is_ok());
        assert!(evolution
            .validate(kind, SchemaVersion(2), &json!({}))
            .is_err());
    }

    #[test]
    fn the_record_round_trips_through_a_scenario() {
        let shop = shop_with_orders();
        let mut evolution = Evolution::new();
        let kind = ShopEventKind::OrderPlaced;
        evolution.set_mode(kind, CompatibilityMode::BackwardTransitive);
        let schema = with_property(
            kind,
            "channel",
            json!({"type": "string", "default": "web"}),
            false,
        );
        let upcaster = Upcaster::new(vec![UpcastStep::AddDefault {
            field: "channel".into(),
            value: json!("web"),
        }]);
        evolution
            .register(kind, schema, upcaster, shop.store())
            .unwrap_or_else(|error| panic!("{error}"));
        let record = evolution.record();
        let text = serde_json::to_string(&record).unwrap();
        let again: EvolutionRecord = serde_json::from_str(&text).unwrap();
        let restored = Evolution::from_record(&again, shop.store()).unwrap();
        assert_eq!(restored.latest(kind), SchemaVersion(2));
        assert_eq!(restored.mode(kind), CompatibilityMode::BackwardTransitive);
        assert_eq!(restored.upcasters(kind), evolution.upcasters(kind));
    }
}
