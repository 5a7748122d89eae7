//! "When did this first become that?": the first position at which a row's field equals (or
//! reaches) a value, by bisection where the model says the answer settles, by a scan otherwise.

use crate::envelope::DomainEvent;
use crate::history::History;
use crate::ids::Position;
use crate::projection::{Cell, ReadModelSet};
use crate::store::EventStore;

/// How a "when did" query compares the field with the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Equals,
    /// For counts and amounts: the field reached at least the value.
    AtLeast,
}

/// "When did `column` of row `key` in `model` first become `value`?"
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhenQuery {
    pub model: String,
    pub key: String,
    pub column: String,
    pub comparison: Comparison,
    pub value: String,
}

/// How the answer was found, so the user can see why it is fast or slow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// The predicate can only flip once, so a binary search over positions finds the flip.
    Bisection { probes: u32 },
    /// It may flip back and forth: every position was tried in order.
    Scan { events: u64 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhenAnswer {
    /// The first position at which the predicate holds, if it ever does.
    pub position: Option<Position>,
    pub method: Method,
}

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Count(n) | Cell::Cents(n) => n.to_string(),
        Cell::Time(time) => time.to_rfc3339(),
        Cell::Event(position) => position.0.to_string(),
    }
}

fn cell_number(cell: &Cell) -> Option<i64> {
    match cell {
        Cell::Count(n) | Cell::Cents(n) => Some(*n),
        Cell::Event(position) => i64::try_from(position.0).ok(),
        _ => None,
    }
}

impl WhenQuery {
    fn holds<E: DomainEvent>(&self, models: &ReadModelSet<E>) -> bool {
        let Some(model) = models.by_name(&self.model) else {
            return false;
        };
        let Some(index) = model
            .columns()
            .iter()
            .position(|c| c.eq_ignore_ascii_case(&self.column))
        else {
            return false;
        };
        let Some(row) = model.row(&self.key) else {
            return false;
        };
        let Some(cell) = row.cells.get(index) else {
            return false;
        };
        match self.comparison {
            Comparison::Equals => cell_text(cell).eq_ignore_ascii_case(self.value.trim()),
            Comparison::AtLeast => {
                let wanted = self.value.trim().replace(',', "").parse::<i64>().ok();
                matches!((cell_number(cell), wanted), (Some(have), Some(wanted)) if have >= wanted)
            }
        }
    }

    /// Whether the model says this predicate, once true, stays true.
    fn settles<E: DomainEvent>(&self, models: &ReadModelSet<E>) -> bool {
        models.by_name(&self.model).is_some_and(|model| {
            model.settles(
                &self.column,
                self.comparison == Comparison::AtLeast,
                &self.value,
            )
        })
    }
}

/// Answers a "when did" query over the whole log.
pub fn when<E: DomainEvent>(
    history: &History<E>,
    store: &EventStore<E>,
    query: &WhenQuery,
) -> WhenAnswer {
    let head = store.head();
    if query.settles(history.live()) {
        // Bisection: find the first position where the predicate holds, knowing it never unholds.
        let mut probes = 0;
        if !query.holds(history.live()) {
            return WhenAnswer {
                position: None,
                method: Method::Bisection { probes: 1 },
            };
        }
        let (mut low, mut high) = (0u64, head.0);
        while low < high {
            let middle = low + (high - low) / 2;
            probes += 1;
            if query.holds(&history.state_at(store, Position(middle))) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return WhenAnswer {
            position: Some(Position(low)),
            method: Method::Bisection { probes: probes + 1 },
        };
    }
    // A scan: fold event by event from the start and stop at the first position that holds.
    let mut state = history.state_at(store, Position::ORIGIN);
    if query.holds(&state) {
        return WhenAnswer {
            position: Some(Position::ORIGIN),
            method: Method::Scan { events: 0 },
        };
    }
    for (scanned, event) in store.events().iter().enumerate() {
        state.apply(event);
        if query.holds(&state) {
            return WhenAnswer {
                position: Some(event.position),
                method: Method::Scan {
                    events: scanned as u64 + 1,
                },
            };
        }
    }
    WhenAnswer {
        position: None,
        method: Method::Scan { events: head.0 },
    }
}
