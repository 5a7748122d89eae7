//! Schema evolution, generic over a domain's event types: the schema registry (a subject per
//! event type, its numbered versions and compatibility mode), an upcaster for each step from one
//! version to the next, and how a payload written at an older version reads at the latest.
//!
//! What a domain keeps for itself: its first schemas, how an upcast payload reads back into its
//! code's types, and who breaks when a field goes (which consumers read what). So a domain asks
//! this module for the verdict of a proposed version ([`SchemaVersions::verdicts`]), makes its own
//! checks, and only then adds it ([`SchemaVersions::push`]).

use std::collections::BTreeMap;
use std::marker::PhantomData;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::envelope::Named;
use crate::ids::SchemaVersion;
use crate::schema::{
    check_versions, CompatibilityMode, JsonSchema, RegistrationError, SchemaRegistry, UpcastError,
    Upcaster, Verdict, Violation,
};

/// Every event type's schema versions, compatibility mode and upcasters.
#[derive(Clone, Debug)]
pub struct SchemaVersions<K: Named> {
    registry: SchemaRegistry<String>,
    /// `chains[kind][n - 1]` upcasts version n to n + 1.
    chains: Vec<Vec<Upcaster>>,
    kinds: PhantomData<K>,
}

/// Why a payload was refused: it does not match its schema.
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

/// Why a next version was not added. Nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NextVersionError {
    #[error(transparent)]
    Registry(#[from] RegistrationError),
    /// The schema equals an earlier version, which the registry returned.
    #[error("{kind} v{proposed}: this schema is already version {existing}")]
    AlreadyRegistered {
        kind: &'static str,
        proposed: u16,
        existing: u16,
    },
}

/// The evolution as a saved scenario holds it.
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

impl<K: Named> SchemaVersions<K> {
    /// Version 1 of every event type, `first(kind)`, in `BACKWARD` mode, and no upcasters. A
    /// first schema that is not a valid document is left out (the type then has no version to
    /// validate against): a domain's tests check its schemas.
    pub fn new(first: impl Fn(K) -> Value) -> Self {
        let mut registry = SchemaRegistry::new();
        for &kind in K::ALL {
            let _ = registry.register(kind.name().to_string(), first(kind));
        }
        SchemaVersions {
            registry,
            chains: vec![Vec::new(); K::ALL.len()],
            kinds: PhantomData,
        }
    }

    pub fn registry(&self) -> &SchemaRegistry<String> {
        &self.registry
    }

    pub fn mode(&self, kind: K) -> CompatibilityMode {
        self.registry.mode(kind.name())
    }

    pub fn set_mode(&mut self, kind: K, mode: CompatibilityMode) {
        self.registry.set_mode(kind.name().to_string(), mode);
    }

    /// The version consumers read.
    pub fn latest(&self, kind: K) -> SchemaVersion {
        SchemaVersion(self.upcasters(kind).len() as u16 + 1)
    }

    /// The upcasters of a type, from version 1 on.
    pub fn upcasters(&self, kind: K) -> &[Upcaster] {
        self.chains.get(kind.index()).map_or(&[], Vec::as_slice)
    }

    /// Every type's upcasters, by the type's index.
    pub fn chains(&self) -> &[Vec<Upcaster>] {
        &self.chains
    }

    /// Whether any type has a version beyond the first.
    pub fn has_evolved(&self) -> bool {
        self.chains.iter().any(|chain| !chain.is_empty())
    }

    /// Checks a payload against its type's schema at `version`.
    pub fn validate(
        &self,
        kind: K,
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
        kind: K,
        from: SchemaVersion,
        payload: &Value,
    ) -> Result<Value, UpcastError> {
        upcast_through(self.upcasters(kind), from, payload)
    }

    /// The verdict on `proposed` as the next version of `kind` in every compatibility mode, the
    /// type's own first, each judged against the same earlier versions.
    pub fn verdicts(&self, kind: K, proposed: &JsonSchema) -> Vec<(CompatibilityMode, Verdict)> {
        let mode = self.mode(kind);
        std::iter::once(mode)
            .chain(
                CompatibilityMode::ALL
                    .iter()
                    .copied()
                    .filter(|&other| other != mode),
            )
            .map(|candidate| {
                let earlier = self.registry.versions(kind.name());
                (candidate, check_versions(candidate, earlier, proposed))
            })
            .collect()
    }

    /// Adds the next version of `kind` with the upcaster from the one before, if the registry
    /// finds it compatible in the type's mode. The domain's own checks come first.
    pub fn push(
        &mut self,
        kind: K,
        schema: Value,
        upcaster: Upcaster,
    ) -> Result<SchemaVersion, NextVersionError> {
        let proposed = self.latest(kind).0 + 1;
        let version = self.registry.register(kind.name().to_string(), schema)?;
        if version.0 != proposed {
            return Err(NextVersionError::AlreadyRegistered {
                kind: kind.name(),
                proposed,
                existing: version.0,
            });
        }
        if let Some(chain) = self.chains.get_mut(kind.index()) {
            chain.push(upcaster);
        }
        Ok(version)
    }

    /// What a scenario saves: modes of their own and every version after the first.
    pub fn record(&self) -> EvolutionRecord {
        let mut types = BTreeMap::new();
        for &kind in K::ALL {
            let name = kind.name();
            let versions: Vec<VersionRecord> = self
                .registry
                .versions(name)
                .skip(1)
                .zip(self.upcasters(kind))
                .map(|((_, schema), upcaster)| VersionRecord {
                    schema: schema.source().clone(),
                    upcaster: upcaster.clone(),
                })
                .collect();
            let mode = self.registry.has_own_mode(name).then(|| self.mode(kind));
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
}

/// A payload written at `from`, upcast through every later step of `chain`.
pub fn upcast_through(
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

/// A version 1 field's name after every step of `chain`, or `None` once a split or merge took
/// it apart.
pub fn follow(chain: &[Upcaster], field: &str) -> Option<String> {
    chain.iter().try_fold(field.to_string(), |name, upcaster| {
        upcaster.field_after(&name)
    })
}
