//! The user's scripts: the one being edited and those deployed. Only their text and what the
//! worker said they handle live here; they run in the script worker, never on the page.

use eventide_shop::evolution::{FieldReads, Reader};
use eventide_shop::scripting::{HandlerReads, ScriptKind, ScriptRef};
use serde::{Deserialize, Serialize};

/// A starting point for a script, shipped as text (the page carries no script engine).
pub struct Example {
    pub name: &'static str,
    pub kind: ScriptKind,
    pub source: &'static str,
}

pub const EXAMPLES: &[Example] = &[
    Example {
        name: "Orders per customer",
        kind: ScriptKind::Projection,
        source: include_str!("../../script/examples/orders_per_customer.rhai"),
    },
    Example {
        name: "Revenue per customer",
        kind: ScriptKind::Projection,
        source: include_str!("../../script/examples/revenue_per_customer.rhai"),
    },
    Example {
        name: "Fraud: three failed payments in ten minutes",
        kind: ScriptKind::Policy,
        source: include_str!("../../script/examples/fraud_failed_payments.rhai"),
    },
    Example {
        name: "Loyalty: the fifth shipped order",
        kind: ScriptKind::Policy,
        source: include_str!("../../script/examples/loyalty_fifth_order.rhai"),
    },
    Example {
        name: "Confirmation: an email for each order",
        kind: ScriptKind::Policy,
        source: include_str!("../../script/examples/confirmation_each_order.rhai"),
    },
];

/// The script in the editor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub name: String,
    pub kind: ScriptKind,
    pub source: String,
}

impl Default for Draft {
    fn default() -> Self {
        let first = &EXAMPLES[0];
        Draft {
            name: first.name.to_string(),
            kind: first.kind,
            source: first.source.to_string(),
        }
    }
}

/// What the worker found in a compiled script: the event types it handles, and the payload
/// fields each handler reads.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Handlers {
    pub handles: Vec<String>,
    pub reads: Vec<HandlerReads>,
}

/// A deployed script's identity (the worker keeps its state by it as well).
pub use eventide_shop::scripting::ScriptId;

/// Which events of a line each deployed policy has reacted to: every line (the main line, a
/// branch, the line set aside) has its own.
pub type PolicyProgress = Vec<(ScriptId, u64)>;

/// A script that is live: its projection shows beside the built-in read models.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Deployed {
    /// Given on first deployment; files saved before ids existed get one when read.
    #[serde(default)]
    pub id: ScriptId,
    pub name: String,
    pub kind: ScriptKind,
    pub source: String,
    /// The event types it has handlers for: what it consumes, in the catalog's words.
    pub handles: Vec<String>,
    /// The payload fields each handler reads, as the worker found them in the source. Files
    /// saved before this was known have none: such a script counts as reading every field.
    #[serde(default)]
    pub reads: Vec<HandlerReads>,
    /// Counts deployments of this name: a redeploy is a new version.
    pub version: u32,
    /// A policy has reacted to every event up to here (it joins at the head when deployed, as a
    /// new service subscribing to the end of the log does).
    #[serde(default)]
    pub fed_to: u64,
}

impl Deployed {
    /// This version of this script, as the worker knows it.
    pub fn script_ref(&self) -> ScriptRef {
        ScriptRef {
            id: self.id,
            version: self.version,
        }
    }

    /// The script as a reader of `event_type`, for the catalog's impact check.
    pub fn reader(&self, event_type: &str) -> Reader {
        let reads = self
            .reads
            .iter()
            .find(|handler| handler.event_type == event_type)
            .map_or(FieldReads::Every, |handler| handler.reads.clone());
        Reader::script(format!("{} v{}", self.name, self.version), reads)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Scripts {
    pub draft: Draft,
    pub deployed: Vec<Deployed>,
    /// Dry runs finished in this session (what a lesson checks); not saved.
    #[serde(skip)]
    pub dry_runs: u32,
    /// The last id given to a deployed script.
    #[serde(default)]
    pub last_id: u64,
}

impl Scripts {
    pub fn deployed(&self, name: &str) -> Option<&Deployed> {
        self.deployed.iter().find(|script| script.name == name)
    }

    pub fn by_id(&self, id: ScriptId) -> Option<&Deployed> {
        self.deployed.iter().find(|script| script.id == id)
    }

    /// Gives every deployed script an id of its own (files saved before ids existed have none,
    /// and a hand-edited file may repeat one).
    pub fn with_ids(mut self) -> Scripts {
        let mut seen = std::collections::BTreeSet::new();
        self.last_id = self
            .deployed
            .iter()
            .map(|script| script.id.0)
            .max()
            .unwrap_or(0)
            .max(self.last_id);
        for script in &mut self.deployed {
            if script.id.0 == 0 || !seen.insert(script.id) {
                self.last_id += 1;
                script.id = ScriptId(self.last_id);
                seen.insert(script.id);
            }
        }
        self
    }

    /// Where each policy stands on the current line.
    pub fn progress(&self) -> PolicyProgress {
        self.deployed
            .iter()
            .map(|script| (script.id, script.fed_to))
            .collect()
    }

    /// Puts back a line's progress; a policy deployed since joins that line at `head`.
    pub fn restore_progress(&mut self, progress: &PolicyProgress, head: u64) {
        for script in &mut self.deployed {
            script.fed_to = progress
                .iter()
                .find(|(id, _)| *id == script.id)
                .map_or(head, |&(_, fed_to)| fed_to);
        }
    }

    /// A new line that shares history up to `at`: what came after is new to every policy.
    pub fn rewind_to(&mut self, at: u64) {
        for script in &mut self.deployed {
            script.fed_to = script.fed_to.min(at);
        }
    }

    /// A log that arrived whole (an import): policies join at its head, as a new service
    /// subscribing to the end of a log does, instead of reacting to its history.
    pub fn join_at(&mut self, head: u64) {
        for script in &mut self.deployed {
            script.fed_to = head;
        }
    }

    /// Makes `draft` live under its name, replacing an earlier version of it; a policy reacts
    /// to what is appended after `head`.
    pub fn deploy(&mut self, handlers: Handlers, head: u64) -> u32 {
        let Handlers { handles, reads } = handlers;
        let draft = self.draft.clone();
        let earlier = self.deployed(&draft.name).map(|old| (old.id, old.version));
        let (id, version) = match earlier {
            Some((id, version)) => (id, version + 1),
            None => {
                self.last_id += 1;
                (ScriptId(self.last_id), 1)
            }
        };
        self.deployed.retain(|script| script.name != draft.name);
        self.deployed.push(Deployed {
            id,
            name: draft.name,
            kind: draft.kind,
            source: draft.source,
            handles,
            reads,
            version,
            fed_to: head,
        });
        version
    }

    /// The deployed scripts that consume an event type.
    pub fn consumers_of<'a>(&'a self, event_type: &'a str) -> impl Iterator<Item = &'a Deployed> {
        self.deployed
            .iter()
            .filter(move |script| script.handles.iter().any(|h| h == event_type))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handling(types: &[&str]) -> Handlers {
        Handlers {
            handles: types.iter().map(|t| t.to_string()).collect(),
            reads: Vec::new(),
        }
    }

    #[test]
    fn a_script_saved_before_reads_were_known_reads_every_field() {
        let mut scripts = Scripts::default();
        scripts.deploy(
            Handlers {
                handles: vec!["OrderPlaced".into()],
                reads: vec![HandlerReads {
                    event_type: "OrderPlaced".into(),
                    reads: FieldReads::Fields(vec!["total".into()]),
                }],
            },
            0,
        );
        let reader = scripts.deployed[0].reader("OrderPlaced");
        assert_eq!(reader.reads, FieldReads::Fields(vec!["total".into()]));
        let mut old = serde_json::to_value(&scripts).expect("serialises");
        old["deployed"][0]
            .as_object_mut()
            .expect("an object")
            .remove("reads");
        let read: Scripts = serde_json::from_value(old).expect("reads");
        assert_eq!(
            read.deployed[0].reader("OrderPlaced").reads,
            FieldReads::Every
        );
    }

    #[test]
    fn deploying_again_makes_a_new_version_in_place() {
        let mut scripts = Scripts::default();
        assert_eq!(scripts.deploy(handling(&["OrderPlaced"]), 0), 1);
        scripts.draft.source.push_str("\n// edited");
        assert_eq!(scripts.deploy(handling(&["OrderPlaced"]), 5), 2);
        assert_eq!(scripts.deployed[0].fed_to, 5);
        assert_eq!(scripts.deployed.len(), 1);
        assert!(scripts.deployed[0].source.ends_with("// edited"));
        assert_eq!(scripts.consumers_of("OrderPlaced").count(), 1);
        assert_eq!(scripts.consumers_of("PaymentFailed").count(), 0);
    }

    #[test]
    fn a_script_keeps_its_id_through_versions_and_another_gets_its_own() {
        let mut scripts = Scripts::default();
        scripts.deploy(Handlers::default(), 0);
        let first = scripts.deployed[0].id;
        scripts.deploy(Handlers::default(), 0);
        assert_eq!(scripts.deployed[0].id, first);
        scripts.draft.name = "Storefront".into();
        scripts.deploy(Handlers::default(), 0);
        assert_ne!(scripts.deployed[1].id, first);
    }

    #[test]
    fn scripts_saved_without_ids_get_distinct_ones() {
        let mut scripts = Scripts::default();
        scripts.deploy(Handlers::default(), 0);
        scripts.draft.name = "Other".into();
        scripts.deploy(Handlers::default(), 0);
        let mut old: serde_json::Value = serde_json::to_value(&scripts).expect("serialises");
        for script in old["deployed"].as_array_mut().expect("a list") {
            script.as_object_mut().expect("an object").remove("id");
        }
        old.as_object_mut().expect("an object").remove("last_id");
        let read: Scripts = serde_json::from_value(old).expect("reads");
        let read = read.with_ids();
        assert_ne!(read.deployed[0].id, read.deployed[1].id);
        assert!(read.deployed.iter().all(|script| script.id.0 > 0));
    }

    #[test]
    fn each_line_keeps_its_own_policy_progress() {
        let mut scripts = Scripts::default();
        scripts.draft.kind = ScriptKind::Policy;
        scripts.deploy(Handlers::default(), 100);
        let main = scripts.progress();
        scripts.rewind_to(40);
        assert_eq!(
            scripts.deployed[0].fed_to, 40,
            "a branch at 40 is new after 40"
        );
        scripts.restore_progress(&main, 0);
        assert_eq!(scripts.deployed[0].fed_to, 100);
        scripts.join_at(7);
        assert_eq!(scripts.deployed[0].fed_to, 7);
    }
}
