//! What a scenario carries beside its events: the services' knobs, the scripts, the schema
//! registry, the view a link shares and the line's recipe. One typed struct, written by every
//! export (file, autosave, link) and read by every import. Every field is optional, so a file
//! from before a field existed still loads, and each is read on its own: one that does not read
//! is left out (the view and the registry then say so), the others still apply.

use eventide_engine::delivery::DeliverySettings;
use eventide_shop::evolution::EvolutionRecord;
use eventide_shop::services::Mode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::scripts::Scripts;
use super::view::SharedView;
use super::AppState;
use crate::recipe::Recipe;

/// The settings of a scenario file (`settings` in the interchange's scenario object). Fields in
/// alphabetical order: the order the untyped map this replaced wrote them in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSettings {
    /// The delivery settings most subscriptions had.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "or_none"
    )]
    pub delivery: Option<DeliverySettings>,
    /// The schema registry: versions beyond the first, their upcasters, the modes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evolution: Option<Readable<EvolutionRecord>>,
    /// Whether every consumer was idempotent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "or_none"
    )]
    pub idempotent: Option<bool>,
    /// The coordination model.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "or_none"
    )]
    pub mode: Option<Mode>,
    /// The steps that made the log (their own settings empty), unproven until a share replays
    /// them.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "or_none"
    )]
    pub recipe: Option<Box<Recipe>>,
    /// The script being edited and the deployed ones.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "or_none"
    )]
    pub scripts: Option<Scripts>,
    /// Where the sharer was (links only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<Readable<SharedView>>,
    /// The query filtering the event log, as the user left it (a link's is in its view).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

/// A setting that was there: read, or unreadable, with serde's reason (said to the user).
#[derive(Clone, Debug, PartialEq)]
pub enum Readable<T> {
    Read(T),
    Unreadable(String),
}

impl<T: Serialize> Serialize for Readable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Readable::Read(value) => value.serialize(serializer),
            // Nothing to write back: what could not be read is not ours to keep.
            Readable::Unreadable(_) => serializer.serialize_none(),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Readable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Ok(match serde_json::from_value(value) {
            Ok(read) => Readable::Read(read),
            Err(error) => Readable::Unreadable(error.to_string()),
        })
    }
}

/// A knob that does not read is left out, as if the file did not have it.
fn or_none<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).ok())
}

impl ScenarioSettings {
    /// The settings as a scenario file holds them (the interchange keeps them as JSON).
    pub fn to_map(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        }
    }

    /// The settings a file held; keys this version does not know (another writer's, such as
    /// the command line's generator settings) are ignored.
    pub fn read(map: Map<String, Value>) -> ScenarioSettings {
        serde_json::from_value(Value::Object(map)).unwrap_or_default()
    }
}

impl AppState {
    /// What a scenario file of this tab carries beside its events: the knobs as the services
    /// have them, the scripts and the schema registry (the session adds its recipe).
    pub fn scenario_settings(&self) -> ScenarioSettings {
        let session = self.session();
        ScenarioSettings {
            delivery: Some(session.delivery()),
            evolution: Some(Readable::Read(session.evolution().record())),
            idempotent: Some(session.idempotent()),
            mode: Some(session.sim().mode()),
            recipe: None,
            scripts: Some(session.scripts.clone()),
            view: None,
            query: {
                let search = self.search.borrow();
                (!search.text().is_empty()).then(|| search.text().to_string())
            },
        }
    }

    /// The settings a shared link carries: the scenario's and where this tab stands.
    pub fn shared_settings(&self) -> ScenarioSettings {
        ScenarioSettings {
            view: Some(Readable::Read(SharedView::of(self))),
            ..self.scenario_settings()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Settings as the untyped map of earlier versions wrote them: a delivery from before the
    /// dedup window, scripts from before ids, and another writer's keys beside them.
    const OLD_FILE: &str = r#"{
        "delivery": {"latency_ms": 250, "jitter_ms": 50, "duplicate_rate": 0.1,
                     "reorder_rate": 0.0, "failure_rate": 0.0,
                     "per_aggregate_ordering": true, "max_attempts": 5,
                     "backoff_ms": 100},
        "evolution": {"types": {}},
        "idempotent": false,
        "mode": "orchestration",
        "scripts": {"draft": {"name": "My policy", "source": "", "kind": "Policy"}, "deployed": []},
        "generator": "orders",
        "orders": 10
    }"#;

    fn map(text: &str) -> Map<String, Value> {
        match serde_json::from_str(text) {
            Ok(Value::Object(map)) => map,
            other => panic!("not an object: {other:?}"),
        }
    }

    #[test]
    fn it_should_read_the_settings_files_from_before_the_typed_struct() {
        let settings = ScenarioSettings::read(map(OLD_FILE));
        let delivery = settings.delivery.expect("the delivery reads");
        assert_eq!(delivery.latency_ms, 250);
        assert_eq!(
            delivery.dedup_window_ms,
            DeliverySettings::default().dedup_window_ms,
            "a file from before the window gets the default one"
        );
        assert_eq!(settings.idempotent, Some(false));
        assert_eq!(settings.mode, Some(Mode::Orchestration));
        assert!(matches!(settings.evolution, Some(Readable::Read(_))));
        assert_eq!(settings.recipe, None);
        assert_eq!(settings.view, None);
    }

    #[test]
    fn it_should_leave_out_only_the_setting_that_does_not_read() {
        let mut old = map(OLD_FILE);
        old.insert("mode".into(), Value::from("telepathy"));
        old.insert("view".into(), Value::from(7));
        let settings = ScenarioSettings::read(old);
        assert_eq!(settings.mode, None);
        assert!(matches!(settings.view, Some(Readable::Unreadable(_))));
        assert_eq!(settings.idempotent, Some(false));
        assert!(settings.delivery.is_some());
    }

    #[test]
    fn it_should_write_what_it_reads() {
        let settings = ScenarioSettings::read(map(OLD_FILE));
        let again = ScenarioSettings::read(settings.to_map());
        assert_eq!(again, settings);
        assert!(!settings.to_map().contains_key("generator"));
        assert!(ScenarioSettings::default().to_map().is_empty());
    }
}
