//! The reducer's scripts side: the editor's draft, deploying and taking down scripts, and a
//! deployed policy's decisions carried out in the log. The scripts themselves (and what they
//! remember of each line) are `scripts`; the worker that runs them is `crate::scripting`.

use eventide_engine::Position;
use eventide_shop::scripting::PlannedIntention;
use eventide_shop::simulation::{PolicyActor, ScriptReaction};

use super::scripts::{Draft, Handlers, ScriptId};
use super::{AppState, Tone};

impl AppState {
    /// The editor's script changed (its text, name or kind); the same draft is no change.
    pub(super) fn edit_script(&mut self, draft: Draft) {
        if self.session().scripts.draft != draft {
            self.session_mut().scripts_mut().draft = draft;
        }
    }

    /// Makes the draft live; the worker compiled it and found these handlers.
    pub(super) fn deploy_script(&mut self, handlers: Handlers) {
        let name = self.session().scripts.draft.name.clone();
        let head = self.session().shop().store().head().0;
        let version = self.session_mut().scripts_mut().deploy(handlers, head);
        let id = self
            .session()
            .scripts
            .deployed(&name)
            .map(|script| script.id);
        if let Some(id) = id {
            self.serve_in_room(id, None);
        }
        let serving = self.room.as_ref().and_then(|room| {
            room.services
                .iter()
                .find(|service| Some(service.script) == id)
                .map(|service| service.consumer.clone())
        });
        let text = match serving {
            Some(consumer) => format!(
                "{name} v{version} deployed as a service of the room, on its durable consumer {consumer}: its deliveries are in the Services tab"
            ),
            None => format!(
                "{name} v{version} deployed: it now follows the timeline beside the read models"
            ),
        };
        self.notify(Tone::Success, text, None);
    }

    /// Takes a deployed script down; one not deployed is no change.
    pub(super) fn undeploy_script(&mut self, id: ScriptId) {
        if self.session().scripts.by_id(id).is_some() {
            self.session_mut()
                .scripts_mut()
                .deployed
                .retain(|script| script.id != id);
        }
    }

    /// Carries out a policy's new decisions, each in its cause's flow; refusals are reported
    /// together. A policy never reacts to what it published itself (that would loop). A run
    /// of an older version, or over events already reacted to, changes nothing.
    pub(super) fn policy_reacted(
        &mut self,
        id: ScriptId,
        version: u32,
        up_to: Position,
        intentions: Vec<PlannedIntention>,
    ) {
        let (fed_to, name) = match self.session().scripts.by_id(id) {
            Some(policy) if policy.version == version && policy.fed_to < up_to.0 => {
                (policy.fed_to, policy.name.clone())
            }
            _ => return,
        };
        let actor = PolicyActor {
            id: id.0,
            name: &name,
        };
        let (mut done, mut refused) = (0usize, Vec::new());
        for planned in intentions {
            if planned.position <= fed_to || planned.position > up_to.0 {
                continue;
            }
            let cause = Position(planned.position);
            let own = self
                .session()
                .shop()
                .store()
                .get(cause)
                .is_some_and(|event| actor.published(event));
            if own {
                continue;
            }
            let reaction = match (planned.command, planned.event) {
                (Some(command), _) => ScriptReaction::Command(command),
                (None, Some(event)) => ScriptReaction::Publish(event),
                (None, None) => {
                    refused.push(
                        planned
                            .problem
                            .unwrap_or_else(|| planned.intention.to_string()),
                    );
                    continue;
                }
            };
            match self.session_mut().react_for(actor, cause, reaction) {
                Ok(_) => done += 1,
                Err(error) => refused.push(error.to_string()),
            }
        }
        if let Some(policy) = self
            .session_mut()
            .scripts_mut()
            .deployed
            .iter_mut()
            .find(|policy| policy.id == id)
        {
            policy.fed_to = up_to.0;
        }
        if done > 0 {
            self.notify(
                Tone::Success,
                format!("{name} reacted: {done} new event(s) in the log"),
                None,
            );
        }
        if let Some(first) = refused.first() {
            self.notify(
                Tone::Problem,
                format!(
                    "{name}: {} reaction(s) refused, the first: {first}",
                    refused.len()
                ),
                None,
            );
        }
    }
}
