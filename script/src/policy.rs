//! Policies written by users: reacting services. On an event a handler returns what it intends to
//! happen next (commands to send, events to publish); the host hands those back as values and
//! executes nothing. A policy may keep state of its own, as a projection does.

use eventide_shop::evolution::FieldReads;
use rhai::Dynamic;
use serde_json::Value;

use crate::compiled::{place_of, Compiled, Known};
use crate::error::{ErrorKind, ScriptError};
use crate::handler::{handler_name, EventTypes};
use crate::host::{Deadline, ScriptHost};
use crate::intention::Intention;
use crate::projection::State;
use crate::value::{self, describe, event_to_dynamic, event_type_and_position};

const KNOWN: &[Known] = &[Known {
    name: "init",
    purpose: "it returns the state before the first event",
}];

/// A compiled policy script.
pub struct Policy {
    script: Compiled,
    source: String,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("handles", &self.handles())
            .finish_non_exhaustive()
    }
}

impl Policy {
    pub fn compile(host: &ScriptHost, source: &str) -> Result<Policy, ScriptError> {
        // A policy's intentions are shop commands and events: it reacts to the shop's types.
        Compiled::compile(host, source, KNOWN, &EventTypes::shop()).map(|script| Policy {
            script,
            source: source.to_string(),
        })
    }

    /// The event types this policy reacts to, sorted.
    pub fn handles(&self) -> &[String] {
        self.script.handlers()
    }

    /// The payload fields each handler reads, by event type: [`FieldReads::Every`] where the
    /// source does not tell (a computed key, the payload handed on whole).
    pub fn reads(&self) -> &[(String, FieldReads)] {
        self.script.reads()
    }

    pub fn host(&self) -> &ScriptHost {
        self.script.host()
    }

    /// The policy's state before the first event.
    pub fn init(&self, deadline: &Deadline) -> Result<State, ScriptError> {
        self.script.init(deadline).map(State)
    }

    /// Lets the policy react to one event: the intentions its handler returned (none for an
    /// event type it has no handler for). A handler returns `()` for nothing, one intention, or
    /// an array of them.
    pub fn handle(
        &self,
        state: &mut State,
        event: &Value,
        deadline: &Deadline,
    ) -> Result<Vec<Intention>, ScriptError> {
        let (event_type, position) = event_type_and_position(event)?;
        let handler = handler_name(event_type);
        if !self.script.handles(&handler) {
            return Ok(Vec::new());
        }
        let argument = event_to_dynamic(event)?;
        let returned = self
            .script
            .call(&handler, Some(&mut state.0), (argument,), deadline)
            .map_err(|error| error.during(position))?;
        intentions(returned).map_err(|message| {
            ScriptError::new(ErrorKind::Shape, format!("{event_type} returned {message}"))
                .at(place_of(&self.source, &handler))
                .during(position)
        })
    }
}

fn intentions(returned: Dynamic) -> Result<Vec<Intention>, String> {
    if returned.is_unit() {
        return Ok(Vec::new());
    }
    match returned.flatten().try_cast_result::<rhai::Array>() {
        Ok(items) => items
            .into_iter()
            .enumerate()
            .filter(|(_, item)| !item.is_unit())
            .map(|(index, item)| {
                intention(item).map_err(|what| format!("{what} as item {} of its array", index + 1))
            })
            .collect(),
        Err(single) => intention(single).map(|intention| vec![intention]),
    }
}

/// `#{ command: "CancelOrder", ... }` or `#{ publish: "EmailSent", ... }`.
fn intention(item: Dynamic) -> Result<Intention, String> {
    let words = describe(&item);
    let Value::Object(mut fields) = value::to_json(&item)? else {
        return Err(format!("{words}, not an intention (a map)"));
    };
    let command = fields.remove("command");
    let publish = fields.remove("publish");
    let name = |value: Value, key: &str| match value {
        Value::String(name) if !name.is_empty() => Ok(name),
        other => Err(format!("a map whose `{key}` is {other}, not a name")),
    };
    match (command, publish) {
        (Some(command), None) => Ok(Intention::Command {
            name: name(command, "command")?,
            args: Value::Object(fields),
        }),
        (None, Some(publish)) => Ok(Intention::Publish {
            event_type: name(publish, "publish")?,
            payload: Value::Object(fields),
        }),
        (Some(_), Some(_)) => {
            Err("a map with both `command` and `publish`: one or the other".into())
        }
        (None, None) => Err(
            "a map with neither `command` nor `publish`: which is it, a command to send or an \
             event to publish?"
                .into(),
        ),
    }
}
