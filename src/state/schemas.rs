//! The reducer's schema side: the next version of an event type registered with its upcaster,
//! if its mode, the recorded events and the consumers allow it (the mode itself is set through
//! the session directly: choosing the one in place changes nothing).

use eventide_engine::schema::Upcaster;
use eventide_engine::Named;
use eventide_shop::events::ShopEventKind;

use super::{AppState, Tone};

impl AppState {
    pub(super) fn register_schema(
        &mut self,
        kind: ShopEventKind,
        schema: serde_json::Value,
        upcaster: Upcaster,
    ) {
        let outcome = self.session_mut().register_version(kind, schema, upcaster);
        match outcome {
            Ok(version) => self.notify(
                Tone::Success,
                format!(
                    "{} {version} registered: consumers now read every {} as {version}",
                    kind.name(),
                    kind.name()
                ),
                None,
            ),
            Err(error) => self.notify(Tone::Problem, error, None),
        }
    }
}
