//! Compatibility modes, and the check of a proposed schema against earlier versions.
//!
//! Events outlive the code that wrote them, so a new version of an event's schema must agree
//! with the old ones in the direction that matters:
//!
//! - **backward**: the new schema can read what the old one wrote (consumers upgrade first).
//!   The diff from old to new has no incompatible change.
//! - **forward**: the old schema can read what the new one writes (producers upgrade first).
//!   The diff from new to old has no incompatible change.
//! - **full**: both.
//! - **transitive**: against every earlier version, not only the latest, for logs that are
//!   replayed from the start. `v3` may be compatible with `v2` and still unable to read `v1`.
//! - **none**: no check.
//!
//! These are Confluent Schema Registry's modes, with its names; `BACKWARD` is the default.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use super::change::Change;
use super::diff::diff;
use super::document::{JsonSchema, SchemaError};
use crate::ids::SchemaVersion;

/// Which earlier versions a proposed schema must agree with, and in which direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CompatibilityMode {
    /// The new schema reads data written with the latest version.
    #[default]
    Backward,
    /// The new schema reads data written with every earlier version.
    BackwardTransitive,
    /// The latest version reads data written with the new schema.
    Forward,
    /// Every earlier version reads data written with the new schema.
    ForwardTransitive,
    /// Backward and forward, with the latest version.
    Full,
    /// Backward and forward, with every earlier version.
    FullTransitive,
    /// Any schema is accepted.
    None,
}

impl CompatibilityMode {
    pub const ALL: [CompatibilityMode; 7] = [
        CompatibilityMode::Backward,
        CompatibilityMode::BackwardTransitive,
        CompatibilityMode::Forward,
        CompatibilityMode::ForwardTransitive,
        CompatibilityMode::Full,
        CompatibilityMode::FullTransitive,
        CompatibilityMode::None,
    ];

    /// Confluent's name for the mode, such as `BACKWARD_TRANSITIVE`.
    pub fn name(&self) -> &'static str {
        match self {
            CompatibilityMode::Backward => "BACKWARD",
            CompatibilityMode::BackwardTransitive => "BACKWARD_TRANSITIVE",
            CompatibilityMode::Forward => "FORWARD",
            CompatibilityMode::ForwardTransitive => "FORWARD_TRANSITIVE",
            CompatibilityMode::Full => "FULL",
            CompatibilityMode::FullTransitive => "FULL_TRANSITIVE",
            CompatibilityMode::None => "NONE",
        }
    }

    /// The directions this mode checks, in the order they are reported.
    pub fn directions(&self) -> &'static [Direction] {
        match self {
            CompatibilityMode::Backward | CompatibilityMode::BackwardTransitive => {
                &[Direction::Backward]
            }
            CompatibilityMode::Forward | CompatibilityMode::ForwardTransitive => {
                &[Direction::Forward]
            }
            CompatibilityMode::Full | CompatibilityMode::FullTransitive => {
                &[Direction::Backward, Direction::Forward]
            }
            CompatibilityMode::None => &[],
        }
    }

    /// Whether every earlier version is checked, not only the latest.
    pub fn is_transitive(&self) -> bool {
        matches!(
            self,
            CompatibilityMode::BackwardTransitive
                | CompatibilityMode::ForwardTransitive
                | CompatibilityMode::FullTransitive
        )
    }
}

impl fmt::Display for CompatibilityMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A mode name that is none of Confluent's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown compatibility mode \"{0}\": expected one of BACKWARD, BACKWARD_TRANSITIVE, FORWARD, \
     FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE"
)]
pub struct UnknownMode(pub String);

/// Parses a mode name in any case: `backward_transitive` is `BACKWARD_TRANSITIVE`.
impl FromStr for CompatibilityMode {
    type Err = UnknownMode;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        CompatibilityMode::ALL
            .into_iter()
            .find(|mode| mode.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| UnknownMode(name.to_string()))
    }
}

/// Which way one comparison goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Can the proposed schema read data written with the earlier one? Diffs earlier → proposed.
    Backward,
    /// Can the earlier schema read data written with the proposed one? Diffs proposed → earlier.
    Forward,
}

impl Direction {
    pub fn name(&self) -> &'static str {
        match self {
            Direction::Backward => "backward",
            Direction::Forward => "forward",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The changes between the proposed schema and one earlier version, in one direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// The earlier version compared with.
    pub version: SchemaVersion,
    pub direction: Direction,
    /// Every change found, compatible or not.
    pub changes: Vec<Change>,
}

impl Comparison {
    pub fn is_compatible(&self) -> bool {
        self.changes.iter().all(Change::is_backward_compatible)
    }

    /// The changes that break this direction.
    pub fn incompatible_changes(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|change| !change.is_backward_compatible())
    }
}

/// The outcome of checking a proposed schema: every comparison made, and whether all passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub mode: CompatibilityMode,
    /// Per earlier version (latest first) and direction (backward before forward).
    pub comparisons: Vec<Comparison>,
}

impl Verdict {
    /// Compatible when no comparison found an incompatible change (trivially so in `NONE` mode,
    /// or when there is no earlier version).
    pub fn is_compatible(&self) -> bool {
        self.comparisons.iter().all(Comparison::is_compatible)
    }

    /// Every incompatible change, with the comparison it was found in.
    pub fn incompatible_changes(&self) -> impl Iterator<Item = (&Comparison, &Change)> {
        self.comparisons.iter().flat_map(|comparison| {
            comparison
                .incompatible_changes()
                .map(move |change| (comparison, change))
        })
    }
}

/// A schema given to [`check`] that is not a valid JSON Schema, or more versions than a
/// [`SchemaVersion`] can number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("version {version} is not a valid JSON Schema: {error}")]
    InvalidEarlierVersion {
        version: SchemaVersion,
        error: SchemaError,
    },
    #[error("the proposed schema is not a valid JSON Schema: {0}")]
    InvalidProposed(SchemaError),
    #[error("more than {} earlier versions", u16::MAX)]
    TooManyVersions,
}

/// Checks `proposed` against `earlier_versions` (oldest first; they are versions 1, 2, ...)
/// in `mode`, and reports every change found.
pub fn check(
    mode: CompatibilityMode,
    earlier_versions: &[Value],
    proposed: &Value,
) -> Result<Verdict, CheckError> {
    let earlier = earlier_versions
        .iter()
        .enumerate()
        .map(|(index, schema)| {
            let version = version_number(index)?;
            JsonSchema::parse(schema.clone())
                .map(|schema| (version, schema))
                .map_err(|error| CheckError::InvalidEarlierVersion { version, error })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let proposed = JsonSchema::parse(proposed.clone()).map_err(CheckError::InvalidProposed)?;
    Ok(check_versions(
        mode,
        earlier.iter().map(|(version, schema)| (*version, schema)),
        &proposed,
    ))
}

/// [`check`] over schemas already loaded, numbered by the caller (a registry's versions).
/// `earlier` runs oldest first.
pub fn check_versions<'a, I>(mode: CompatibilityMode, earlier: I, proposed: &JsonSchema) -> Verdict
where
    I: DoubleEndedIterator<Item = (SchemaVersion, &'a JsonSchema)>,
{
    let checked = earlier
        .rev()
        .take(if mode.is_transitive() { usize::MAX } else { 1 });
    let mut comparisons = Vec::new();
    for (version, schema) in checked {
        for &direction in mode.directions() {
            let changes = match direction {
                Direction::Backward => diff(schema, proposed),
                Direction::Forward => diff(proposed, schema),
            };
            comparisons.push(Comparison {
                version,
                direction,
                changes,
            });
        }
    }
    Verdict { mode, comparisons }
}

/// Version `index + 1`, the way a registry numbers a subject's versions.
fn version_number(index: usize) -> Result<SchemaVersion, CheckError> {
    u16::try_from(index + 1)
        .map(SchemaVersion)
        .map_err(|_| CheckError::TooManyVersions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_in_any_case_and_print_as_confluent_names_them() {
        for mode in CompatibilityMode::ALL {
            assert_eq!(mode.name().parse(), Ok(mode));
            assert_eq!(mode.name().to_lowercase().parse(), Ok(mode));
            assert_eq!(mode.to_string(), mode.name());
        }
        assert_eq!(
            "Full_Transitive".parse(),
            Ok(CompatibilityMode::FullTransitive)
        );
        assert!("sideways".parse::<CompatibilityMode>().is_err());
        assert_eq!(CompatibilityMode::default(), CompatibilityMode::Backward);
    }
}
