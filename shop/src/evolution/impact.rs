//! What a proposed version does to each field of an event type, and so to each reader: a reader
//! breaks if and only if it reads a field that the change removes (from the schema, or by an
//! upcaster step), renames under it (for a script, which reads the old name), changes the type
//! of, splits or merges, or whose upcast value the code could not read. A reader that reads
//! none of those fields is unaffected, whatever else changes (a new required field is the
//! registry's business: its compatibility verdict, not a reader's).

use std::fmt;

use serde_json::{Map, Value};

use super::consumers::{FieldReads, Reader};
use crate::event_catalog;
use crate::events::ShopEventKind;
use eventide_engine::evolution::follow;
use eventide_engine::ids::Position;
use eventide_engine::schema::{Change, ChangeKind, FieldFate, Upcaster};

/// What a change does to a field someone reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Loss {
    /// The proposed schema no longer has it, and no upcaster step carries it to a new name.
    Removed,
    /// An upcaster step removes it.
    RemovedByUpcaster,
    /// An upcaster step cuts it into these fields.
    Split(Vec<String>),
    /// An upcaster step joins it with others into this field.
    Merged(String),
    /// An upcaster step renames it: only a reader that does not follow renames (a script)
    /// loses it.
    Renamed(String),
    /// Its type changes: `integer → string`, or the change within it that does.
    TypeChanged(String),
    /// Its upcast value does not fit the code's type: on a recorded event, or on a new one.
    Unreadable {
        position: Option<Position>,
        problem: String,
    },
}

/// A field a reader reads (named as the latest version names it), and what the change does to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldLoss {
    pub field: String,
    pub loss: Loss,
}

impl fmt::Display for FieldLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = &self.field;
        match &self.loss {
            Loss::Removed => write!(
                f,
                "reads \"{field}\", which is removed: the proposed schema no longer has it \
                 (a rename needs an upcaster step)"
            ),
            Loss::RemovedByUpcaster => {
                write!(f, "reads \"{field}\", which is removed by the upcaster")
            }
            Loss::Split(into) => write!(
                f,
                "reads \"{field}\", which the upcaster splits into {}",
                quoted(into)
            ),
            Loss::Merged(into) => write!(
                f,
                "reads \"{field}\", which the upcaster merges into \"{into}\""
            ),
            Loss::Renamed(to) => write!(
                f,
                "reads \"{field}\", which the upcaster renames to \"{to}\": it still reads the \
                 old name"
            ),
            Loss::TypeChanged(how) => {
                write!(f, "reads \"{field}\", whose type changes ({how})")
            }
            Loss::Unreadable {
                position: Some(position),
                problem,
            } => write!(
                f,
                "reads \"{field}\", which event #{} would not read as: {problem}",
                position.0
            ),
            Loss::Unreadable {
                position: None,
                problem,
            } => write!(
                f,
                "reads \"{field}\", which a new event would not read as: {problem}"
            ),
        }
    }
}

fn quoted(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("\"{name}\"")).collect();
    quoted.join(", ")
}

/// A reader that could not read events of the proposed version, with every field it loses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    pub consumer: Reader,
    pub losses: Vec<FieldLoss>,
    /// The losses in a sentence.
    pub why: String,
}

/// A proposed next version, as the impact check sees it.
pub(super) struct Impact<'a> {
    pub kind: ShopEventKind,
    /// The registered upcasters, version 1 to the latest.
    pub chain: &'a [Upcaster],
    /// The proposed step from the latest to the next version.
    pub upcaster: &'a Upcaster,
    pub latest: &'a Value,
    pub proposed: &'a Value,
    /// The diff from the latest schema to the proposed one.
    pub changes: &'a [Change],
    /// Code fields whose upcast value would not read: (event, field, why), `None` for a new event.
    pub unreadable: &'a [(Option<Position>, &'static str, String)],
}

fn properties(schema: &Value) -> Map<String, Value> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// A property's `type` keyword as a sorted list (`["null", "string"]`), empty for "any".
fn types(property: &Value) -> Vec<String> {
    let mut types: Vec<String> = match property.get("type") {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) => many
            .iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    types.sort();
    types.dedup();
    types
}

fn describe(types: &[String]) -> String {
    if types.is_empty() {
        "any".to_string()
    } else {
        types.join(" or ")
    }
}

fn is_type_change(kind: ChangeKind) -> bool {
    matches!(
        kind,
        ChangeKind::TypeChanged | ChangeKind::TypeNarrowed | ChangeKind::TypeExtended
    )
}

impl Impact<'_> {
    /// What the change does to a field of the latest version, named as it names it.
    fn loss(&self, name: &str, follows_renames: bool) -> Option<Loss> {
        let next = match self.upcaster.fate(name) {
            FieldFate::Removed => return Some(Loss::RemovedByUpcaster),
            FieldFate::Split(into) => return Some(Loss::Split(into)),
            FieldFate::Merged(into) => return Some(Loss::Merged(into)),
            FieldFate::Kept(next) => next,
        };
        if next != name && !follows_renames {
            return Some(Loss::Renamed(next));
        }
        let after = properties(self.proposed);
        let Some(new) = after.get(&next) else {
            return Some(Loss::Removed);
        };
        if let Some(old) = properties(self.latest).get(name) {
            let (was, is) = (types(old), types(new));
            if was != is {
                return Some(Loss::TypeChanged(format!(
                    "{} → {}",
                    describe(&was),
                    describe(&is)
                )));
            }
        }
        // A change of type deeper inside the field (an item of `lines`, say).
        let path = ["properties", name];
        self.changes
            .iter()
            .find(|change| {
                next == name
                    && is_type_change(change.kind)
                    && change.path.segments().len() > 2
                    && change.path.segments()[..2] == path
            })
            .map(|change| Loss::TypeChanged(change.to_string()))
    }

    /// Every field `reader` reads that the change takes from it.
    fn losses(&self, reader: &Reader) -> Vec<FieldLoss> {
        let follows = reader.follows_renames();
        let read: Vec<String> = match &reader.reads {
            FieldReads::Fields(fields) => fields.clone(),
            FieldReads::Every if follows => event_catalog::field_names(self.kind)
                .map(str::to_string)
                .collect(),
            FieldReads::Every => properties(self.latest).keys().cloned().collect(),
        };
        let mut losses = Vec::new();
        for field in read {
            // The field as the latest version names it; one that is gone already, or that the
            // latest version never had, is not this change's doing.
            let latest = if follows {
                follow(self.chain, &field)
            } else {
                properties(self.latest)
                    .contains_key(&field)
                    .then(|| field.clone())
            };
            let Some(latest) = latest else {
                continue;
            };
            let loss = self.loss(&latest, follows).or_else(|| {
                follows
                    .then(|| {
                        self.unreadable
                            .iter()
                            .find(|(_, code_field, _)| *code_field == field)
                    })
                    .flatten()
                    .map(|(position, _, problem)| Loss::Unreadable {
                        position: *position,
                        problem: problem.clone(),
                    })
            });
            if let Some(loss) = loss {
                losses.push(FieldLoss {
                    field: latest,
                    loss,
                });
            }
        }
        losses
    }

    /// The readers that break, each with what it loses, and those that read on unaffected.
    pub fn judge(&self, readers: Vec<Reader>) -> (Vec<Break>, Vec<Reader>) {
        let mut breaks = Vec::new();
        let mut unaffected = Vec::new();
        for reader in readers {
            let losses = self.losses(&reader);
            if losses.is_empty() {
                unaffected.push(reader);
                continue;
            }
            let each: Vec<String> = losses.iter().map(ToString::to_string).collect();
            let why = match reader.reads {
                FieldReads::Every => format!(
                    "reads payload fields dynamically, so any of them: {}",
                    each.join("; ")
                ),
                FieldReads::Fields(_) => each.join("; "),
            };
            breaks.push(Break {
                consumer: reader,
                losses,
                why,
            });
        }
        (breaks, unaffected)
    }
}
