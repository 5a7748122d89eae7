//! A schema registry: for each subject (here, an event type), the numbered versions of its
//! schema and the compatibility mode new versions must meet.
//!
//! A version is only ever added, never changed or removed, and only when it is compatible with
//! the earlier ones in the subject's mode; a refused registration leaves the subject as it was.
//! Registering a schema identical to an existing version returns that version, as Confluent's
//! registry does, so registering at start-up is idempotent.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use serde_json::Value;

use super::compatibility::{check_versions, CompatibilityMode, Verdict};
use super::document::{JsonSchema, SchemaError};
use crate::ids::SchemaVersion;

/// Subjects, keyed by `K` (an event type's name by default), each with its versions and mode.
#[derive(Clone, Debug)]
pub struct SchemaRegistry<K = String> {
    default_mode: CompatibilityMode,
    subjects: BTreeMap<K, Subject>,
}

#[derive(Clone, Debug, Default)]
struct Subject {
    /// `None` follows the registry's default mode.
    mode: Option<CompatibilityMode>,
    /// Version `n` is at index `n - 1`.
    versions: Vec<JsonSchema>,
}

/// Why a schema was not registered. The subject is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    #[error("the schema is not a valid JSON Schema: {0}")]
    Invalid(#[from] SchemaError),
    #[error(
        "the schema is not {} compatible: {} incompatible change(s)",
        verdict.mode,
        verdict.incompatible_changes().count()
    )]
    Incompatible { verdict: Verdict },
    #[error(
        "the subject already has {} versions, the most a schema version can number",
        u16::MAX
    )]
    VersionsExhausted,
}

impl<K> Default for SchemaRegistry<K> {
    fn default() -> Self {
        SchemaRegistry::with_default_mode(CompatibilityMode::default())
    }
}

impl<K> SchemaRegistry<K> {
    /// An empty registry whose subjects are checked in `BACKWARD` mode unless set otherwise.
    pub fn new() -> Self {
        SchemaRegistry::default()
    }

    /// An empty registry whose subjects follow `mode` unless set otherwise.
    pub fn with_default_mode(default_mode: CompatibilityMode) -> Self {
        SchemaRegistry {
            default_mode,
            subjects: BTreeMap::new(),
        }
    }

    pub fn default_mode(&self) -> CompatibilityMode {
        self.default_mode
    }

    /// Changes the mode of every subject that has none of its own.
    pub fn set_default_mode(&mut self, mode: CompatibilityMode) {
        self.default_mode = mode;
    }

    /// Every subject with a version or a mode of its own, in key order.
    pub fn subjects(&self) -> impl Iterator<Item = &K> {
        self.subjects.keys()
    }
}

impl<K: Ord> SchemaRegistry<K> {
    /// The mode new versions of `subject` must meet: its own, or the registry's default.
    pub fn mode<Q>(&self, subject: &Q) -> CompatibilityMode
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.subjects
            .get(subject)
            .and_then(|subject| subject.mode)
            .unwrap_or(self.default_mode)
    }

    /// Whether `subject` has a mode of its own rather than following the default.
    pub fn has_own_mode<Q>(&self, subject: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.subjects
            .get(subject)
            .is_some_and(|subject| subject.mode.is_some())
    }

    /// Sets the mode of one subject (which need not have a version yet). Existing versions stay;
    /// the mode applies to the next registration.
    pub fn set_mode(&mut self, subject: K, mode: CompatibilityMode) {
        self.subjects.entry(subject).or_default().mode = Some(mode);
    }

    /// Registers `schema` as the next version of `subject` if it is compatible with the earlier
    /// versions in the subject's mode; returns its version. A schema equal to an existing
    /// version is not added again: that version is returned.
    pub fn register(
        &mut self,
        subject: K,
        schema: Value,
    ) -> Result<SchemaVersion, RegistrationError> {
        if let Some(version) = self.find(&subject, &schema) {
            return Ok(version);
        }
        let schema = JsonSchema::parse(schema)?;
        let verdict = self.check_parsed(&subject, &schema);
        if !verdict.is_compatible() {
            return Err(RegistrationError::Incompatible { verdict });
        }
        let versions = &mut self.subjects.entry(subject).or_default().versions;
        let version = u16::try_from(versions.len() + 1)
            .map(SchemaVersion)
            .map_err(|_| RegistrationError::VersionsExhausted)?;
        versions.push(schema);
        Ok(version)
    }

    /// What registering `schema` under `subject` would find, without registering it.
    pub fn check<Q>(&self, subject: &Q, schema: Value) -> Result<Verdict, SchemaError>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let schema = JsonSchema::parse(schema)?;
        Ok(self.check_parsed(subject, &schema))
    }

    /// One version of a subject's schema.
    pub fn version<Q>(&self, subject: &Q, version: SchemaVersion) -> Option<&JsonSchema>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let index = usize::from(version.0).checked_sub(1)?;
        self.subjects.get(subject)?.versions.get(index)
    }

    /// The latest version of a subject's schema, with its number.
    pub fn latest<Q>(&self, subject: &Q) -> Option<(SchemaVersion, &JsonSchema)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.versions(subject).last()
    }

    /// Every version of a subject's schema, oldest first.
    pub fn versions<Q>(
        &self,
        subject: &Q,
    ) -> impl DoubleEndedIterator<Item = (SchemaVersion, &JsonSchema)> + '_
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.subjects
            .get(subject)
            .map(|subject| subject.versions.as_slice())
            .unwrap_or_default()
            .iter()
            .zip(1..=u16::MAX)
            .map(|(schema, number)| (SchemaVersion(number), schema))
    }

    fn check_parsed<Q>(&self, subject: &Q, schema: &JsonSchema) -> Verdict
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        check_versions(self.mode(subject), self.versions(subject), schema)
    }

    /// The version whose schema is exactly `schema`, if any.
    fn find<Q>(&self, subject: &Q, schema: &Value) -> Option<SchemaVersion>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.versions(subject)
            .find(|(_, registered)| registered.source() == schema)
            .map(|(version, _)| version)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn versions_are_numbered_from_one_and_looked_up_by_number() {
        let mut registry = SchemaRegistry::new();
        let v1 = json!({"type": "object", "properties": {"id": {"type": "string"}}});
        let v2 = json!({"type": "object", "properties": {"id": {"type": "string"}}, "title": "t"});
        assert_eq!(
            registry.register("OrderPlaced".to_string(), v1.clone()),
            Ok(SchemaVersion(1))
        );
        assert_eq!(
            registry.register("OrderPlaced".to_string(), v2.clone()),
            Ok(SchemaVersion(2))
        );
        assert_eq!(
            registry.register("OrderPlaced".to_string(), v1.clone()),
            Ok(SchemaVersion(1))
        );
        assert_eq!(
            registry
                .version("OrderPlaced", SchemaVersion(1))
                .map(JsonSchema::source),
            Some(&v1)
        );
        assert_eq!(
            registry.latest("OrderPlaced").map(|(version, _)| version),
            Some(SchemaVersion(2))
        );
        assert!(registry.version("OrderPlaced", SchemaVersion(0)).is_none());
        assert!(registry.version("OrderPlaced", SchemaVersion(3)).is_none());
        assert_eq!(registry.versions("CartOpened").count(), 0);
    }
}
