//! Search and filter the log: a small query language over the envelope and the payload
//! (`type == OrderPlaced and data.total > 100`, `not producer exists`, `recorded >= 2026-11-26
//! 09:14`), generic over any domain.
//!
//! - [`ast`]: the typed syntax tree, and how it prints (text that reads back as the same tree).
//! - [`parse`](mod@parse): text to tree, with winnow; errors name the column and what was expected.
//! - [`filter`]: a tree compiled against a domain: event type names resolved to a set of kinds,
//!   payload field names to a slot per event type, times and numbers read once. Testing an
//!   event then costs a few comparisons and no allocation, which is what lets a million events
//!   be filtered in a blink in the browser.
//! - [`matches`]: the positions a filter selects in a log, with a count per minute of recorded
//!   time; extended as the log grows instead of rescanned.
//!
//! A domain opts in with [`PayloadFields`]: it names the top-level payload fields of each event
//! type and reads one of them as a small [`FieldValue`]. No payload is ever serialised to filter
//! it.

pub mod ast;
mod error;
pub mod filter;
pub mod matches;
pub mod parse;

pub use ast::{Check, Comparison, Field, Literal, Query, Test};
pub use error::{QueryError, SyntaxError};
pub use filter::Filter;
pub use matches::{Matches, MinuteCount};
pub use parse::parse;

use std::fmt;

use crate::envelope::DomainEvent;

/// The payload fields of a domain's events, read without serialising: what a query's
/// `data.<name>` tests look at.
pub trait PayloadFields: DomainEvent {
    /// The slot of a top-level payload field of an event type, by the name the payload's JSON
    /// gives it; `None` when that type has no such field. Asked once per query, never per event.
    fn field_slot(kind: Self::Kind, name: &str) -> Option<usize>;

    /// The field in `slot` (as [`Self::field_slot`] numbers them for this event's type); `None`
    /// when the field is null (an email about no order) or there is no such slot.
    fn field(&self, slot: usize) -> Option<FieldValue<'_>>;

    /// Whether `test` holds for some value of the field in `slot`. A plain field has one value
    /// (or none, when null); a field inside a list of records (`data.lines.sku`, a slot the
    /// domain gives a dotted name) has one per record, and the test holds if it holds for any.
    fn any_field(&self, slot: usize, test: &mut dyn FnMut(FieldValue<'_>) -> bool) -> bool {
        self.field(slot).is_some_and(test)
    }

    /// The stream as an id, when its name is one (`O-0042`): `stream` tests then compare it as
    /// they compare an id field, without formatting its name. `None` (the default) for a
    /// stream named otherwise: its displayed name is compared as text.
    fn stream_id(_stream: &Self::Stream) -> Option<IdValue> {
        None
    }
}

/// One payload field, as a query sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldValue<'a> {
    /// A whole number: a quantity, a score, an amount in cents.
    Int(i64),
    Text(&'a str),
    /// An identifier shown with a prefix, such as `C-042`: compared by its number, so
    /// `data.customer == "C-42"`, `== 42` and `> "C-040"` all mean what they say.
    Id(IdValue),
    /// Something with no scalar value (a list of lines): it exists, and compares with nothing.
    Other,
}

/// An identifier shown as `{prefix}-{number}`, the number zero-padded to `width` digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdValue {
    pub prefix: &'static str,
    pub number: u64,
    pub width: u8,
}

impl IdValue {
    /// Appends the id as shown (`C-042`), without the formatting machinery: filters write ids
    /// to search them with `contains`, once per event.
    pub fn write_to(&self, out: &mut String) {
        out.push_str(self.prefix);
        out.push('-');
        let mut digits = [0u8; 20];
        let mut n = self.number;
        let mut len = 0;
        while n > 0 || len == 0 {
            digits[len] = b'0' + (n % 10) as u8;
            n /= 10;
            len += 1;
        }
        for _ in len..usize::from(self.width) {
            out.push('0');
        }
        out.extend(digits[..len].iter().rev().map(|&d| char::from(d)));
    }
}

impl fmt::Display for IdValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        self.write_to(&mut text);
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::IdValue;

    #[test]
    fn an_id_is_written_with_its_prefix_and_padded_number() {
        let id = |prefix, number, width| IdValue {
            prefix,
            number,
            width,
        };
        assert_eq!(id("C", 42, 3).to_string(), "C-042");
        assert_eq!(id("SKU", 0, 2).to_string(), "SKU-00");
        assert_eq!(id("O", 123_456, 4).to_string(), "O-123456");
        assert_eq!(id("X", u64::MAX, 0).to_string(), format!("X-{}", u64::MAX));
    }
}
