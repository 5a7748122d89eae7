//! Event schemas and their evolution: a JSON Schema compatibility checker and a schema registry,
//! with the semantics of Confluent Schema Registry for JSON Schema.
//!
//! An event log keeps every event ever written, so an event type's payload schema can only
//! change in ways its readers survive. This module answers "may this schema replace that one?":
//!
//! 1. [`diff()`] lists every [`Change`] from an original schema to an update, each a
//!    [`ChangeKind`] (Confluent's names, such as `PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL`) at
//!    a path (`#/properties/address`), and each classified as backward compatible or not.
//! 2. [`check`] runs the diff in the directions and against the versions a
//!    [`CompatibilityMode`] asks for, and returns a [`Verdict`].
//! 3. [`SchemaRegistry`] keeps each subject's versions and mode, and registers a new version
//!    only when the verdict is compatible.
//!
//! Everything is pure: schemas are [`serde_json::Value`]s, `$ref`s resolve inside the document
//! only, and nothing reads a clock, a file or the network.
//!
//! ```
//! use eventide_engine::schema::{check, CompatibilityMode};
//! use serde_json::json;
//!
//! let v1 = json!({"type": "object", "properties": {"sku": {"type": "string"}},
//!                 "additionalProperties": false});
//! let v2 = json!({"type": "object", "properties": {"sku": {"type": "string"},
//!                 "note": {"type": "string"}}, "additionalProperties": false});
//! let verdict = check(CompatibilityMode::Backward, &[v1], &v2).expect("valid schemas");
//! assert!(verdict.is_compatible());
//! assert_eq!(
//!     verdict.comparisons[0].changes[0].to_string(),
//!     "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/note"
//! );
//! ```
//!
//! # Layout
//! - `change`: [`ChangeKind`] (names and classification), [`Change`], [`SchemaPath`].
//! - `document`: loading a JSON Schema into typed nodes ([`JsonSchema`]); local `$ref`s.
//! - `diff`: the rules, one module per kind of schema (object, array, combined, number, ...).
//! - `compatibility`: modes, directions, [`check`] and its [`Verdict`].
//! - `pattern`: regular expressions, read as ECMA 262 ones wherever a schema has them.
//! - `registry`: [`SchemaRegistry`].
//! - `validate`: whether a payload matches a schema ([`JsonSchema::violations`]), each
//!   [`Violation`] at its place in the payload.
//! - `upcast`: [`Upcaster`]s, declared as data ([`UpcastStep`]): how version n reads as n + 1.

mod change;
mod compatibility;
mod diff;
mod document;
mod pattern;
mod registry;
mod upcast;
mod validate;

pub use change::{Change, ChangeKind, SchemaPath};
pub use compatibility::{
    check, check_versions, CheckError, Comparison, CompatibilityMode, Direction, UnknownMode,
    Verdict,
};
pub use diff::diff;
pub use document::{JsonSchema, Problem, SchemaError};
pub use registry::{RegistrationError, SchemaRegistry};
pub use upcast::{FieldFate, UpcastError, UpcastStep, Upcaster};
pub use validate::Violation;
