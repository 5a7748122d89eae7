//! Which handler a script names for an event type. Shop types are handler names already
//! (`OrderPlaced`); a foreign log's are often not (`org.example.library.book.lent`,
//! `order-placed`), so their words are joined, each capitalised: `OrgExampleLibraryBookLent`.

use eventide_engine::Named;
use eventide_shop::events::ShopEventKind;

/// The event types a script may handle, by their handlers' names: the shop's, or those of a
/// log a user brought. A capital-letter function that names none of them is a mistake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventTypes {
    /// Sorted and without repeats.
    handlers: Vec<String>,
}

impl EventTypes {
    /// The shop's event types (their names are handler names already).
    pub fn shop() -> EventTypes {
        EventTypes::of(ShopEventKind::ALL.iter().map(|kind| kind.name()))
    }

    /// A log's event types, as they are written in it.
    pub fn of<'a>(types: impl IntoIterator<Item = &'a str>) -> EventTypes {
        let mut handlers: Vec<String> = types
            .into_iter()
            .map(|kind| handler_name(kind).into_owned())
            .filter(|handler| !handler.is_empty())
            .collect();
        handlers.sort();
        handlers.dedup();
        EventTypes { handlers }
    }

    pub fn contains(&self, handler: &str) -> bool {
        self.handlers
            .binary_search_by(|known| known.as_str().cmp(handler))
            .is_ok()
    }

    /// The handler a misspelt name most likely meant: at most three edits away.
    pub(crate) fn closest(&self, name: &str) -> Option<&str> {
        let name = name.to_lowercase();
        self.handlers
            .iter()
            .map(|candidate| {
                (
                    distance(&name, &candidate.to_lowercase()),
                    candidate.as_str(),
                )
            })
            .filter(|(distance, _)| *distance <= 3)
            .min()
            .map(|(_, candidate)| candidate)
    }
}

/// Levenshtein distance: edits between two short names.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

pub use eventide_engine::handler_name::handler_name;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_logs_types_are_known_by_their_handlers_and_misspellings_are_caught() {
        let types = EventTypes::of(["org.example.library.book.lent", "book.returned", "..."]);
        assert!(types.contains("OrgExampleLibraryBookLent"));
        assert!(types.contains("BookReturned"));
        assert!(!types.contains("OrderPlaced"));
        assert_eq!(types.closest("BookReturnd"), Some("BookReturned"));
        assert_eq!(types.closest("Whatever"), None);
        assert!(EventTypes::shop().contains("OrderPlaced"));
        assert_eq!(
            EventTypes::shop().closest("Paymentfailed"),
            Some("PaymentFailed")
        );
    }
}
