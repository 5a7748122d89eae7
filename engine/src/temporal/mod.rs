//! Temporal queries over the read models: what changed between two moments (with blame: the
//! event behind each changed field), and "when did this first become that?", answered by
//! bisection where the answer can only flip once and by a scan where it cannot.
//!
//! # Layout
//!
//! - `diff.rs`: the plain difference of every read model between two states
//!   ([`ModelDiff`], [`RowChange`], [`FieldChange`]), with row-level blame.
//! - `blame.rs`: [`diff_between`], the same diff with each changed field blamed on the event
//!   that last changed it ([`FieldBlame`], [`RowBlame`], within [`BlameLimits`]): one forward
//!   fold over (A, B] through the models' change sets.
//! - `when.rs`: "when did" queries ([`WhenQuery`], made from the user's text once: a typed
//!   [`Wanted`] value or a [`WhenError`]; [`when`]), by bisection or a scan.
//! - `touched.rs`: the rows one event changed ([`rows_changed_by`]), from the change sets.
//! - `bitemporal.rs`: the read models as of business time, and the events recorded late.

mod bitemporal;
mod blame;
mod diff;
#[cfg(test)]
mod fixtures;
mod touched;
mod when;

pub use crate::projection::Wanted;
pub use bitemporal::{as_of_business_time, late_events};
pub use blame::{diff_between, BlameLimits, ColumnBlame, FieldBlame, RowBlame};
pub use diff::{diff, diff_by_rows, FieldChange, ModelDiff, RowChange};
pub use touched::{rows_changed_by, TouchedRow};
pub use when::{when, Comparison, Method, WhenAnswer, WhenError, WhenQuery};

use crate::ids::Position;
use crate::projection::{Cell, Row};

/// The event a row names as its last change: the last `Event` cell.
fn blame_of(row: &Row) -> Option<Position> {
    row.cells.iter().rev().find_map(|cell| match cell {
        Cell::Event(position) => Some(*position),
        _ => None,
    })
}
