//! The worker's copy of the log: the envelopes of the event types the page sends, in log order,
//! each with its position and type. Kept as compact JSON text, since a parsed envelope takes
//! several times the memory and most are read only when a fold passes them.

use eventide_engine::handler_name::handler_name;
use eventide_engine::Named;
use eventide_script::EventTypes;
use eventide_shop::events::ShopEventKind;
use eventide_shop::scripting::{CopyId, FailureKind, ScriptFailure};
use serde::Deserialize;
use serde_json::Value;

/// One event of the copy.
pub(crate) struct Held {
    pub(crate) position: u64,
    /// Its type, as an index into the copy's types.
    pub(crate) kind: usize,
    text: Box<str>,
}

impl Held {
    /// The envelope, parsed again (it was valid JSON when it arrived).
    pub(crate) fn envelope(&self) -> Result<Value, ScriptFailure> {
        serde_json::from_str(&self.text).map_err(|error| {
            ScriptFailure::new(
                FailureKind::Input,
                format!("event {} cannot be read: {error}", self.position),
            )
        })
    }
}

/// What the worker needs of an envelope to file it; the rest stays text.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    event_type: std::borrow::Cow<'a, str>,
    position: u64,
}

/// Why an append was not taken: the copy is not where the page thinks, or an event is bad.
pub(crate) enum AppendRefused {
    OutOfStep,
    Bad(ScriptFailure),
}

pub(crate) struct LogCopy {
    pub(crate) id: CopyId,
    types: Vec<String>,
    events: Vec<Held>,
    /// Every event up to here has been offered (those of other types were never sent).
    through: u64,
}

impl LogCopy {
    pub(crate) fn new(id: CopyId, mut types: Vec<String>) -> LogCopy {
        types.sort();
        types.dedup();
        LogCopy {
            id,
            types,
            events: Vec::new(),
            through: 0,
        }
    }

    pub(crate) fn through(&self) -> u64 {
        self.through
    }

    /// For each of the copy's types, whether `handles` (sorted handler names) names it: a
    /// shop type is its own handler's name, a foreign log's is named by its words
    /// (`org.example.book.lent` by `OrgExampleBookLent`).
    pub(crate) fn mask(&self, handles: &[String]) -> Vec<bool> {
        self.types
            .iter()
            .map(|name| {
                handles
                    .binary_search_by(|handle| handle.as_str().cmp(&handler_name(name)))
                    .is_ok()
            })
            .collect()
    }

    /// Whether the copy holds events of the type `handler` is named after.
    pub(crate) fn holds(&self, handler: &str) -> bool {
        self.types.iter().any(|name| handler_name(name) == handler)
    }

    /// The types a script over this copy may name: the shop's, and any other the copy holds
    /// (a log a user brought).
    pub(crate) fn event_types(&self) -> EventTypes {
        EventTypes::of(
            ShopEventKind::ALL
                .iter()
                .map(|kind| kind.name())
                .chain(self.types.iter().map(String::as_str)),
        )
    }

    /// Takes the events in (`after`, `through`], all or none: each must be of one of the copy's
    /// types, in log order, within the range.
    pub(crate) fn append(
        &mut self,
        after: u64,
        through: u64,
        events: &[Value],
    ) -> Result<(), AppendRefused> {
        if after != self.through || through < after {
            return Err(AppendRefused::OutOfStep);
        }
        let bad =
            |message: String| AppendRefused::Bad(ScriptFailure::new(FailureKind::Input, message));
        let mut held = Vec::with_capacity(events.len());
        let mut last = after;
        for event in events {
            let text = serde_json::to_string(event)
                .map_err(|error| bad(format!("an appended event cannot be written: {error}")))?;
            let head: Head = serde_json::from_str(&text).map_err(|error| {
                bad(format!(
                    "an appended event is not an envelope with `event_type` and `position`: {error}"
                ))
            })?;
            if head.position <= last || head.position > through {
                return Err(bad(format!(
                    "event {} arrived out of order: expected a position in ({last}, {through}]",
                    head.position
                )));
            }
            let kind = self
                .types
                .binary_search_by(|name| name.as_str().cmp(&head.event_type))
                .map_err(|_| {
                    bad(format!(
                        "event {} is a {}, which this copy does not hold",
                        head.position, head.event_type
                    ))
                })?;
            last = head.position;
            held.push(Held {
                position: head.position,
                kind,
                text: text.into_boxed_str(),
            });
        }
        self.events.extend(held);
        self.through = through;
        Ok(())
    }

    /// The events with a position in (`after`, `through`].
    pub(crate) fn range(&self, after: u64, through: u64) -> &[Held] {
        let start = self.events.partition_point(|held| held.position <= after);
        let end = self.events.partition_point(|held| held.position <= through);
        self.events.get(start..end.max(start)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(event_type: &str, position: u64) -> Value {
        json!({"event_type": event_type, "position": position, "payload": {}})
    }

    #[test]
    fn it_should_take_appends_only_where_the_copy_stands() {
        let mut copy = LogCopy::new(CopyId(1), vec!["OrderPlaced".into()]);
        assert!(copy.append(0, 3, &[envelope("OrderPlaced", 2)]).is_ok());
        assert_eq!(copy.through(), 3);
        assert!(matches!(
            copy.append(0, 5, &[envelope("OrderPlaced", 4)]),
            Err(AppendRefused::OutOfStep)
        ));
        assert!(copy.append(3, 5, &[envelope("OrderPlaced", 5)]).is_ok());
        let positions: Vec<u64> = copy.range(2, 5).iter().map(|h| h.position).collect();
        assert_eq!(positions, [5]);
        assert_eq!(copy.range(0, 4).len(), 1);
        assert!(copy.range(5, 5).is_empty());
    }

    #[test]
    fn it_should_refuse_a_batch_with_a_bad_event_whole() {
        let mut copy = LogCopy::new(CopyId(1), vec!["OrderPlaced".into()]);
        let batch = [envelope("OrderPlaced", 1), envelope("PaymentFailed", 2)];
        assert!(matches!(
            copy.append(0, 2, &batch),
            Err(AppendRefused::Bad(_))
        ));
        let backwards = [envelope("OrderPlaced", 2), envelope("OrderPlaced", 1)];
        assert!(matches!(
            copy.append(0, 2, &backwards),
            Err(AppendRefused::Bad(_))
        ));
        assert_eq!(copy.through(), 0);
        assert!(copy.range(0, 9).is_empty());
    }
}
