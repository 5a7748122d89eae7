//! The user's scripts: the one being edited and those deployed. Only their text and what the
//! worker said they handle live here; they run in the script worker, never on the page.

use eventide_engine::scripting::ScriptKind;
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

/// A script that is live: its projection shows beside the built-in read models.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Deployed {
    pub name: String,
    pub kind: ScriptKind,
    pub source: String,
    /// The event types it has handlers for: what it consumes, in the catalog's words.
    pub handles: Vec<String>,
    /// Counts deployments of this name: a redeploy is a new version.
    pub version: u32,
    /// A policy has reacted to every event up to here (it joins at the head when deployed, as a
    /// new service subscribing to the end of the log does).
    #[serde(default)]
    pub fed_to: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Scripts {
    pub draft: Draft,
    pub deployed: Vec<Deployed>,
    /// Dry runs finished in this session (what a lesson checks); not saved.
    #[serde(skip)]
    pub dry_runs: u32,
}

impl Scripts {
    pub fn deployed(&self, name: &str) -> Option<&Deployed> {
        self.deployed.iter().find(|script| script.name == name)
    }

    /// Makes `draft` live under its name, replacing an earlier version of it; a policy reacts
    /// to what is appended after `head`.
    pub fn deploy(&mut self, handles: Vec<String>, head: u64) -> u32 {
        let draft = self.draft.clone();
        let version = self.deployed(&draft.name).map_or(1, |old| old.version + 1);
        self.deployed.retain(|script| script.name != draft.name);
        self.deployed.push(Deployed {
            name: draft.name,
            kind: draft.kind,
            source: draft.source,
            handles,
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

    #[test]
    fn deploying_again_makes_a_new_version_in_place() {
        let mut scripts = Scripts::default();
        assert_eq!(scripts.deploy(vec!["OrderPlaced".into()], 0), 1);
        scripts.draft.source.push_str("\n// edited");
        assert_eq!(scripts.deploy(vec!["OrderPlaced".into()], 5), 2);
        assert_eq!(scripts.deployed[0].fed_to, 5);
        assert_eq!(scripts.deployed.len(), 1);
        assert!(scripts.deployed[0].source.ends_with("// edited"));
        assert_eq!(scripts.consumers_of("OrderPlaced").count(), 1);
        assert_eq!(scripts.consumers_of("PaymentFailed").count(), 0);
    }
}
