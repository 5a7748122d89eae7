//! Who reads an event type, and which of its payload fields: the built-in services (in either
//! coordination model), the checkout saga and the read models, each from the declaration beside
//! its code (`Service::reads`, `Projection::READS`), and the user's deployed scripts, whose
//! reads the script host finds in their source.

use serde::{Deserialize, Serialize};

use crate::events::ShopEventKind;
use crate::read_models::built_in;
use crate::services::{services_for, Mode};
use eventide_engine::envelope::{Named, PayloadReads};

/// Which payload fields a consumer reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldReads {
    /// These top-level fields, and no other.
    Fields(Vec<String>),
    /// Fields chosen as it runs (a computed key, the payload handed on whole): any of them.
    Every,
}

impl FieldReads {
    fn declared(reads: PayloadReads<ShopEventKind>, kind: ShopEventKind) -> FieldReads {
        match reads.iter().find(|(read, _)| *read == kind) {
            Some((_, fields)) => FieldReads::Fields(fields.iter().map(|f| f.to_string()).collect()),
            // A consumer that forgot to declare a type it consumes may read anything in it (a
            // test keeps every built-in declaration complete).
            None => FieldReads::Every,
        }
    }
}

/// What kind of consumer a reader is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReaderRole {
    Service,
    ReadModel,
    /// A deployed user script: it reads the field names of the latest version, so a rename
    /// leaves it reading the old name.
    Script,
}

impl ReaderRole {
    pub fn name(self) -> &'static str {
        match self {
            ReaderRole::Service => "service",
            ReaderRole::ReadModel => "read model",
            ReaderRole::Script => "your script",
        }
    }
}

/// Someone who reads an event type's payloads, and which of its fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reader {
    pub name: String,
    pub role: ReaderRole,
    /// The coordination models a service takes part in; empty for read models and scripts.
    pub modes: Vec<Mode>,
    /// Built-in readers name fields as the code's version 1 does and follow them through the
    /// upcasters' renames; scripts name them as the latest version does.
    pub reads: FieldReads,
}

impl Reader {
    /// A deployed script that reads `reads` of the type.
    pub fn script(name: impl Into<String>, reads: FieldReads) -> Reader {
        Reader {
            name: name.into(),
            role: ReaderRole::Script,
            modes: Vec::new(),
            reads,
        }
    }

    /// Whether it reads a field under the name the upcasters give it (compiled code redeployed
    /// against the new names), rather than under the name it was written for (a script).
    pub fn follows_renames(&self) -> bool {
        self.role != ReaderRole::Script
    }
}

/// The built-in consumers of `kind`, by name: services (with the models they consume it in)
/// and read models, each with the fields it reads.
pub fn built_in_readers(kind: ShopEventKind) -> Vec<Reader> {
    let mut readers: Vec<Reader> = Vec::new();
    for mode in [Mode::Choreography, Mode::Orchestration] {
        for service in services_for(mode) {
            if !service.declaration().consumes.contains(&kind) {
                continue;
            }
            let name = service.name().name();
            match readers.iter_mut().find(|reader| reader.name == name) {
                Some(reader) => reader.modes.push(mode),
                None => readers.push(Reader {
                    name: name.to_string(),
                    role: ReaderRole::Service,
                    modes: vec![mode],
                    reads: FieldReads::declared(service.reads(), kind),
                }),
            }
        }
    }
    for model in built_in() {
        if model.consumes().contains(&kind) {
            readers.push(Reader {
                name: model.name().to_string(),
                role: ReaderRole::ReadModel,
                modes: Vec::new(),
                reads: FieldReads::declared(model.reads(), kind),
            });
        }
    }
    readers.sort_by(|a, b| a.name.cmp(&b.name));
    readers
}
