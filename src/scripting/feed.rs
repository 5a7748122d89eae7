//! What the page believes the script worker holds, and the messages that bring it up to date:
//! the events appended since the last message (of the types its scripts handle), a new copy
//! when the log was replaced, and the deployed scripts it keeps. Pure, so tested natively; the
//! worker checks every belief (`OutOfStep`), so a wrong one costs a resend, never a wrong answer.
//!
//! Telling the same log from a replaced one is O(1): the id of the last event fed must still be
//! at its position, and the schemas consumers read by must not have changed (an import, a
//! branch switch or a new session fails the first; registering a version the second).

use std::collections::BTreeMap;

use eventide_engine::{EventId, Named, Position};
use eventide_shop::events::ShopEventKind;
use eventide_shop::evolution::Evolution;
use eventide_shop::scripting::{CopyId, ScriptId, ScriptRef, WorkerRequest};
use eventide_shop::ShopStore;

/// Events per `Append` message, so no message grows without bound when a long log is sent.
pub const APPEND_BATCH: usize = 16_384;

/// The copy of the log the worker is believed to hold.
#[derive(Clone, Debug, PartialEq)]
struct Fed {
    id: CopyId,
    /// Which event types it holds, by kind index.
    kinds: Vec<bool>,
    /// Every event up to here was offered.
    through: u64,
    /// The id of the event at `through`, to tell that the log is still the same.
    last: Option<EventId>,
    readers: u64,
}

#[derive(Debug, Default)]
pub struct Feed {
    last_copy: u64,
    fed: Option<Fed>,
    /// The version and text of each script the worker keeps: an import may bring another
    /// script under an id and version already seen.
    loaded: BTreeMap<ScriptId, (u32, String)>,
}

/// How consumers read the log: it changes whenever a schema version is registered.
fn readers(evolution: &Evolution) -> u64 {
    ShopEventKind::ALL
        .iter()
        .map(|kind| u64::from(evolution.latest(*kind).0))
        .sum()
}

impl Feed {
    /// The copy the worker is believed to hold, if any.
    pub fn copy(&self) -> Option<CopyId> {
        self.fed.as_ref().map(|fed| fed.id)
    }

    /// The messages that bring the worker's copy up to the log's head, holding at least the
    /// event types `wanted` (names; unknown ones are ignored). Empty when it is up to date:
    /// a cursor move with nothing appended costs nothing here.
    pub fn sync(
        &mut self,
        store: &ShopStore,
        evolution: &Evolution,
        wanted: &[String],
    ) -> Vec<WorkerRequest> {
        let head = store.head().0;
        let readers = readers(evolution);
        let wanted: Vec<ShopEventKind> = wanted
            .iter()
            .filter_map(|name| ShopEventKind::from_name(name))
            .collect();
        let same = self.fed.as_ref().is_some_and(|fed| {
            fed.readers == readers
                && fed.through <= head
                && (fed.through == 0
                    || store.get(Position(fed.through)).map(|event| event.id) == fed.last)
                && wanted.iter().all(|kind| fed.kinds[kind.index()])
        });
        let mut messages = Vec::new();
        if !same {
            // A new copy holds what the old one did (its scripts still run) and what is wanted.
            let mut kinds = self.fed.as_ref().map_or_else(
                || vec![false; ShopEventKind::ALL.len()],
                |fed| fed.kinds.clone(),
            );
            for kind in &wanted {
                kinds[kind.index()] = true;
            }
            self.last_copy += 1;
            let id = CopyId(self.last_copy);
            messages.push(WorkerRequest::NewCopy {
                copy: id,
                event_types: ShopEventKind::ALL
                    .iter()
                    .filter(|kind| kinds[kind.index()])
                    .map(|kind| kind.name().to_string())
                    .collect(),
            });
            self.fed = Some(Fed {
                id,
                kinds,
                through: 0,
                last: None,
                readers,
            });
        }
        let Some(fed) = self.fed.as_mut() else {
            return messages;
        };
        if fed.through == head {
            return messages;
        }
        let new = store
            .events()
            .starting_at(usize::try_from(fed.through).unwrap_or(usize::MAX));
        let mut after = fed.through;
        let mut batch = Vec::new();
        for event in new {
            if fed.kinds[event.kind().index()] {
                batch.push(evolution.envelope_for_consumers(event));
            }
            if batch.len() == APPEND_BATCH {
                let through = event.position.0;
                messages.push(WorkerRequest::Append {
                    copy: fed.id,
                    after,
                    through,
                    events: std::mem::take(&mut batch),
                });
                after = through;
            }
        }
        if after < head {
            messages.push(WorkerRequest::Append {
                copy: fed.id,
                after,
                through: head,
                events: batch,
            });
        }
        fed.through = head;
        fed.last = store.events().last().map(|event| event.id);
        messages
    }

    /// Whether the worker must be sent `script` (with `source`) to keep: it is not believed to
    /// keep that version with that text. Believed to keep it from now on.
    pub fn load(&mut self, script: ScriptRef, source: &str) -> bool {
        let kept = self
            .loaded
            .get(&script.id)
            .is_some_and(|(version, text)| *version == script.version && text == source);
        if !kept {
            self.loaded
                .insert(script.id, (script.version, source.to_string()));
        }
        !kept
    }

    /// The worker said it lacks what a request on `copy` assumed: forget the copy (unless a
    /// newer one was started since) and, when `script_missing`, that it keeps `script`.
    pub fn out_of_step(&mut self, copy: CopyId, script: Option<ScriptId>) {
        if self.copy() == Some(copy) {
            self.fed = None;
        }
        if let Some(script) = script {
            self.loaded.remove(&script);
        }
    }

    /// The worker was dropped (a crash, a stop): a new one holds nothing.
    pub fn forget(&mut self) {
        self.fed = None;
        self.loaded.clear();
    }

    /// A script was taken down.
    pub fn unloaded(&mut self, script: ScriptId) {
        self.loaded.remove(&script);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventide_engine::Timestamp;
    use eventide_shop::generator::{generate_orders, GeneratorConfig};
    use eventide_shop::Shop;

    fn shop(orders: u64, seed: u64) -> Shop {
        let mut shop = Shop::new();
        generate_orders(
            &mut shop,
            GeneratorConfig::new(seed, eventide_shop::bench::START),
            orders,
        )
        .expect("generates");
        shop
    }

    fn appended(messages: &[WorkerRequest]) -> usize {
        messages
            .iter()
            .map(|m| match m {
                WorkerRequest::Append { events, .. } => events.len(),
                _ => 0,
            })
            .sum()
    }

    fn placed() -> Vec<String> {
        vec!["OrderPlaced".to_string()]
    }

    #[test]
    fn it_should_send_only_what_was_appended_and_nothing_when_nothing_was() {
        let mut shop = shop(20, 1);
        let mut feed = Feed::default();
        let first = feed.sync(shop.store(), shop.evolution(), &placed());
        assert!(matches!(first[0], WorkerRequest::NewCopy { .. }));
        let placed_so_far = shop
            .store()
            .events()
            .iter()
            .filter(|e| e.kind() == ShopEventKind::OrderPlaced)
            .count();
        assert_eq!(appended(&first), placed_so_far);
        assert!(feed
            .sync(shop.store(), shop.evolution(), &placed())
            .is_empty());

        let head = shop.store().head().0;
        let later = shop.store().events().last().map_or(0, |e| e.recorded_at.0) + 60_000;
        generate_orders(&mut shop, GeneratorConfig::new(2, Timestamp(later)), 3)
            .expect("generates");
        let next = feed.sync(shop.store(), shop.evolution(), &placed());
        let [WorkerRequest::Append {
            after,
            through,
            events,
            ..
        }] = next.as_slice()
        else {
            panic!("expected one append: {next:?}");
        };
        assert_eq!((*after, *through), (head, shop.store().head().0));
        assert!(events
            .iter()
            .all(|e| e["event_type"] == "OrderPlaced" && e["position"].as_u64() > Some(head)));
        let new_orders = shop
            .store()
            .events()
            .starting_at(head as usize)
            .iter()
            .filter(|e| e.kind() == ShopEventKind::OrderPlaced)
            .count();
        assert_eq!(events.len(), new_orders);
        assert!(new_orders > 0);
    }

    #[test]
    fn it_should_start_a_new_copy_when_the_log_is_replaced_or_more_types_are_wanted() {
        let (one, other) = (shop(5, 1), shop(5, 2));
        let mut feed = Feed::default();
        feed.sync(one.store(), one.evolution(), &placed());
        let first = feed.copy();
        let replaced = feed.sync(other.store(), other.evolution(), &placed());
        assert!(
            matches!(replaced[0], WorkerRequest::NewCopy { .. }),
            "{replaced:?}"
        );
        assert_ne!(feed.copy(), first);

        let copy = feed.copy();
        let more = feed.sync(
            other.store(),
            other.evolution(),
            &["PaymentFailed".to_string()],
        );
        let WorkerRequest::NewCopy { event_types, .. } = &more[0] else {
            panic!("expected a new copy: {more:?}");
        };
        assert_eq!(event_types, &["OrderPlaced", "PaymentFailed"]);
        assert_ne!(feed.copy(), copy);

        // Out of step on an older copy changes nothing; on the current one, it starts again.
        feed.out_of_step(CopyId(0), None);
        assert!(feed
            .sync(other.store(), other.evolution(), &placed())
            .is_empty());
        feed.out_of_step(feed.copy().expect("a copy"), None);
        assert!(matches!(
            feed.sync(other.store(), other.evolution(), &placed())[0],
            WorkerRequest::NewCopy { .. }
        ));
    }

    #[test]
    fn it_should_load_each_version_and_text_of_a_script_once() {
        let mut feed = Feed::default();
        let v1 = ScriptRef {
            id: ScriptId(4),
            version: 1,
        };
        assert!(feed.load(v1, "fn A(e) {}"));
        assert!(!feed.load(v1, "fn A(e) {}"));
        assert!(feed.load(ScriptRef { version: 2, ..v1 }, "fn A(e) {}"));
        // Another script under the same id and version (from an import) is sent too.
        assert!(feed.load(ScriptRef { version: 2, ..v1 }, "fn B(e) {}"));
        feed.forget();
        assert!(feed.load(v1, "fn A(e) {}"));
    }
}
