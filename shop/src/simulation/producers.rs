//! Who an event says produced it: the storefront, a service, the chaos platform, a user or a
//! user's deployed policy, named in its metadata. Traces draw a lane per producer.

use serde::Serialize;

use crate::commands::ShopCommand;
use crate::events::ShopEvent;

/// The metadata key naming who produced an event: a service, the storefront, the chaos
/// platform or a user. Traces draw a lane per producer.
pub const PRODUCER: &str = eventide_engine::trace::PRODUCER;
pub const STOREFRONT: &str = "Storefront";
pub const PLATFORM: &str = "Chaos platform";
pub const USER: &str = "User";
/// The metadata key that names the deployed script an event came from: its identity, where
/// `producer` is only a label for people (a script may be called anything, "Storefront" too).
pub const SCRIPT: &str = "script";

/// A user's deployed policy as the author of what it decided: a stable id (its identity) and
/// its name (for people).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PolicyActor<'a> {
    pub id: u64,
    pub name: &'a str,
}

impl PolicyActor<'_> {
    /// The producer label its events carry: never one of the built-in producers' names.
    pub fn producer(&self) -> String {
        format!("policy: {}", self.name)
    }

    /// Whether `event` is one this policy published (it must not react to its own events).
    pub fn published<E: eventide_engine::DomainEvent>(
        &self,
        event: &eventide_engine::Recorded<E>,
    ) -> bool {
        event.metadata.get(SCRIPT) == Some(self.id.to_string().as_str())
    }
}

/// What a policy script asks the shop for.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScriptReaction {
    Command(ShopCommand),
    Publish(ShopEvent),
}
