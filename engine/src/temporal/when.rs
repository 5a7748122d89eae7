//! "When did this first become that?": the first position at which a row's field equals (or
//! reaches) a value, by bisection where the model says the answer settles, by a scan otherwise.

use crate::envelope::DomainEvent;
use crate::history::History;
use crate::ids::Position;
use crate::projection::{Cell, ReadModelSet, Wanted};
use crate::store::EventStore;

/// How a "when did" query compares the field with the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Equals,
    /// For counts and amounts: the field reached at least the value.
    AtLeast,
}

/// The query's side of [`Wanted`] (declared beside [`crate::projection::Projection::settles`],
/// whose contract it is): read from the user's text, and matched against a cell.
impl Wanted {
    /// Reads the user's `text` for `comparison`. "At least" needs a whole number (thousands
    /// separators allowed); anything else is refused, since it could never match.
    pub fn parse(comparison: Comparison, text: &str) -> Result<Wanted, WhenError> {
        let text = text.trim();
        match comparison {
            Comparison::Equals => Ok(Wanted::Text(text.to_string())),
            Comparison::AtLeast => text
                .replace(',', "")
                .parse::<i64>()
                .map(Wanted::AtLeast)
                .map_err(|_| WhenError::NotANumber(text.to_string())),
        }
    }

    pub fn comparison(&self) -> Comparison {
        match self {
            Wanted::Text(_) => Comparison::Equals,
            Wanted::AtLeast(_) => Comparison::AtLeast,
        }
    }

    fn matches(&self, cell: &Cell) -> bool {
        match self {
            Wanted::Text(text) => cell_text(cell).eq_ignore_ascii_case(text),
            Wanted::AtLeast(least) => cell_number(cell).is_some_and(|have| have >= *least),
        }
    }
}

/// A "when did" question that cannot be asked: the user's mistake, said so they can fix it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WhenError {
    #[error("there is no read model named '{0}'")]
    UnknownModel(String),
    #[error("{model} has no field '{column}'")]
    UnknownColumn { model: String, column: String },
    #[error("'{0}' is not a number: \"at least\" compares counts and amounts (in cents) with a whole number")]
    NotANumber(String),
}

/// "When did `column` of row `key` in `model` first become `wanted`?" Made by
/// [`WhenQuery::new`], which resolves the model and the column once and reads the value once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhenQuery {
    /// The model's registered name.
    model: &'static str,
    /// The field's index among the model's columns.
    column: usize,
    /// The field's name, as the model spells it.
    column_name: &'static str,
    key: String,
    wanted: Wanted,
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
    /// The question about `models` (any state of them: the set of models is the same at every
    /// position): `model` by its name, `column` by name ignoring ASCII case, `value` read for
    /// `comparison`. The row `key` is not checked: a row may come and go.
    pub fn new<E: DomainEvent>(
        models: &ReadModelSet<E>,
        model: &str,
        key: &str,
        column: &str,
        comparison: Comparison,
        value: &str,
    ) -> Result<WhenQuery, WhenError> {
        let found = models
            .by_name(model)
            .ok_or_else(|| WhenError::UnknownModel(model.to_string()))?;
        let (index, name) = found
            .columns()
            .iter()
            .copied()
            .enumerate()
            .find(|(_, name)| name.eq_ignore_ascii_case(column))
            .ok_or_else(|| WhenError::UnknownColumn {
                model: found.name().to_string(),
                column: column.to_string(),
            })?;
        Ok(WhenQuery {
            model: found.name(),
            column: index,
            column_name: name,
            key: key.to_string(),
            wanted: Wanted::parse(comparison, value)?,
        })
    }

    pub fn model(&self) -> &'static str {
        self.model
    }

    pub fn column(&self) -> &'static str {
        self.column_name
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn wanted(&self) -> &Wanted {
        &self.wanted
    }

    fn holds<E: DomainEvent>(&self, models: &ReadModelSet<E>) -> bool {
        models
            .by_name(self.model)
            .and_then(|model| model.row(&self.key))
            .and_then(|row| {
                row.cells
                    .get(self.column)
                    .map(|cell| self.wanted.matches(cell))
            })
            .unwrap_or(false)
    }

    /// Whether the model says this predicate, once true, stays true.
    fn settles<E: DomainEvent>(&self, models: &ReadModelSet<E>) -> bool {
        models
            .by_name(self.model)
            .is_some_and(|model| model.settles(self.column_name, &self.wanted))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temporal::fixtures::log;

    #[test]
    fn it_should_read_an_at_least_value_once_as_a_whole_number() {
        assert_eq!(
            Wanted::parse(Comparison::AtLeast, " 1,200 "),
            Ok(Wanted::AtLeast(1200))
        );
        assert_eq!(
            Wanted::parse(Comparison::Equals, " Shipped "),
            Ok(Wanted::Text("Shipped".into()))
        );
    }

    #[test]
    fn it_should_refuse_an_at_least_value_that_is_not_a_number() {
        // It used to be taken as asked, and then never matched anything.
        assert_eq!(
            Wanted::parse(Comparison::AtLeast, "12.5"),
            Err(WhenError::NotANumber("12.5".into()))
        );
        let (_, history) = log(&[(1, 2)], 2);
        let asked = WhenQuery::new(
            history.live(),
            "Receipts",
            "SKU-01",
            "Last",
            Comparison::AtLeast,
            "many",
        );
        assert_eq!(asked, Err(WhenError::NotANumber("many".into())));
    }

    #[test]
    fn it_should_find_the_first_position_a_count_reaches_the_value() {
        let (store, history) = log(&[(1, 2), (1, 7), (1, 4), (1, 9)], 2);
        let query = WhenQuery::new(
            history.live(),
            "Receipts",
            "SKU-01",
            "last",
            Comparison::AtLeast,
            "5",
        )
        .expect("a question the models can answer");
        let answer = when(&history, &store, &query);
        assert_eq!(answer.position, Some(Position(2)));
        assert_eq!(answer.method, Method::Scan { events: 2 });
    }

    #[test]
    fn it_should_refuse_a_model_or_a_column_the_set_does_not_have() {
        let (_, history) = log(&[(1, 2)], 2);
        let ask = |model: &str, column: &str| {
            WhenQuery::new(
                history.live(),
                model,
                "SKU-01",
                column,
                Comparison::Equals,
                "2",
            )
        };
        assert_eq!(
            ask("Nothing", "Last"),
            Err(WhenError::UnknownModel("Nothing".into()))
        );
        assert_eq!(
            ask("Units", "Last"),
            Err(WhenError::UnknownColumn {
                model: "Units".into(),
                column: "Last".into()
            })
        );
    }
}
