//! The log's search: the query applied to the event log, compiled once, and what it selects,
//! kept up to date as the log grows (only new events are tested) or is replaced (tested
//! afresh). A query that does not read or names what the shop does not have is refused with
//! the reason, and the query applied before stays.

use eventide_engine::query::{Filter, Matches};
use eventide_engine::store::LogSlice;
use eventide_engine::Recorded;
use eventide_shop::events::ShopEvent;

#[derive(Debug, Default)]
pub struct LogSearch {
    /// The query applied, as the user wrote it; empty when the log is shown whole.
    text: String,
    filter: Option<Filter<ShopEvent>>,
    matches: Matches,
    /// The last query refused, and why.
    refused: Option<Refusal>,
    /// Bumped whenever the query applied or the refusal shown changes (not as the log grows:
    /// the session's revision says that).
    revision: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub text: String,
    pub reason: String,
}

impl LogSearch {
    /// Applies a query (blank: none) to the log. Says whether anything changed; a refused
    /// query changes only the refusal shown, and the query applied again changes nothing.
    pub fn set(&mut self, text: &str, events: LogSlice<'_, Recorded<ShopEvent>>) -> bool {
        let text = text.trim();
        let changed = match Filter::<ShopEvent>::parse(text) {
            Ok(_) if text == self.text && self.refused.is_none() => false,
            Ok(filter) => {
                self.matches = filter
                    .as_ref()
                    .map(|filter| Matches::scan(filter, events))
                    .unwrap_or_default();
                self.filter = filter;
                self.text = text.to_string();
                self.refused = None;
                true
            }
            Err(error) => {
                let refusal = Refusal {
                    text: text.to_string(),
                    reason: error.to_string(),
                };
                let changed = self.refused.as_ref() != Some(&refusal);
                self.refused = Some(refusal);
                changed
            }
        };
        if changed {
            self.revision += 1;
        }
        changed
    }

    /// How many times the query or its refusal changed.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Tests what was appended since (or the whole log, if it was replaced).
    pub fn refresh(&mut self, events: LogSlice<'_, Recorded<ShopEvent>>) {
        if let Some(filter) = &self.filter {
            self.matches.refresh(filter, events);
        }
    }

    /// The query applied; empty when none is.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// What the query selects, if one is applied.
    pub fn matches(&self) -> Option<&Matches> {
        self.filter.as_ref().map(|_| &self.matches)
    }

    pub fn refused(&self) -> Option<&Refusal> {
        self.refused.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventide_shop::generator::{generate_events, GeneratorConfig};
    use eventide_shop::Shop;

    fn shop(events: u64) -> Shop {
        let mut shop = Shop::default();
        generate_events(
            &mut shop,
            GeneratorConfig::new(7, eventide_shop::bench::START),
            events,
        )
        .unwrap();
        shop
    }

    #[test]
    fn it_should_keep_the_applied_query_when_a_bad_one_is_refused() {
        let shop = shop(200);
        let mut search = LogSearch::default();
        assert!(search.set("type == OrderPlaced", shop.store().events()));
        let placed = search.matches().unwrap().positions().to_vec();
        assert!(!placed.is_empty());
        assert!(search.set("type == OrderPlaced and", shop.store().events()));
        assert_eq!(search.text(), "type == OrderPlaced");
        assert_eq!(search.matches().unwrap().positions(), placed);
        assert!(search
            .refused()
            .unwrap()
            .reason
            .starts_with("column 24: expected a field"));
        assert!(search.set("  ", shop.store().events()));
        assert_eq!(search.matches(), None);
        assert_eq!(search.refused(), None);
    }

    #[test]
    fn it_should_change_nothing_when_the_same_query_comes_again() {
        let shop = shop(200);
        let mut search = LogSearch::default();
        assert!(search.set("type == OrderPlaced", shop.store().events()));
        let revision = search.revision();
        assert!(!search.set(" type == OrderPlaced ", shop.store().events()));
        assert!(search.set("type ==", shop.store().events()));
        assert!(
            !search.set("type ==", shop.store().events()),
            "the same refusal"
        );
        assert_eq!(search.revision(), revision + 1);
    }

    #[test]
    fn it_should_follow_the_log_as_it_grows() {
        let shop = shop(400);
        let events = shop.store().events();
        let mut search = LogSearch::default();
        search.set("type == OrderPlaced", events.slice(0..100));
        search.refresh(events);
        let fresh = Matches::scan(
            &Filter::<ShopEvent>::parse("type == OrderPlaced")
                .unwrap()
                .unwrap(),
            events,
        );
        assert_eq!(search.matches(), Some(&fresh));
    }
}
