//! The reducer's command side: a user's command, and what the next one carries (a business
//! time when back-dated, a stream version it expects).

use eventide_engine::store::ExpectedVersion;
use eventide_engine::Timestamp;
use eventide_shop::commands::ShopCommand;

use super::{AppState, Tone};
use crate::format::fmt_count;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NextCommand {
    /// Business time for the next commands, when the user back-dates them.
    pub backdate: Option<Timestamp>,
    /// The stream version the next command expects, as a client that read earlier would send
    /// it; taken by that command (`None`: the version the aggregate decided at).
    pub expected: Option<ExpectedVersion>,
}

impl AppState {
    pub(super) fn execute(&mut self, command: ShopCommand) {
        let name = command.name();
        let backdate = self.next_command.backdate;
        // A stated expectation is for the next command only.
        let expected = self.next_command.expected.take();
        let outcome = self.session_mut().execute(command, backdate, expected);
        match outcome {
            Ok(appended) => {
                self.session_mut().go_live();
                self.timeline.playing = false;
                let last = appended.range.map(|(_, last)| last);
                let kind = last.and_then(|at| {
                    let session = self.session();
                    session.shop().store().get(at).map(|event| event.kind())
                });
                let text = match (kind, last) {
                    (Some(kind), Some(at)) => format!(
                        "{name} → {} at position {}",
                        eventide_engine::Named::name(kind),
                        fmt_count(at.0)
                    ),
                    _ => format!("{name}: already recorded, nothing appended"),
                };
                self.timeline.selected = last;
                self.notify(Tone::Success, text, last);
            }
            Err(error) => self.notify(Tone::Problem, error.to_string(), None),
        }
    }
}
