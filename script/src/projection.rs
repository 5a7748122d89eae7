//! Projections written by users: a fold of events into a state, shown as a table of rows keyed by
//! string with named columns. The state lives outside the compiled script, so a caller can fold
//! one event at a time, clone the state as a checkpoint and go back to it (time travel).

use std::borrow::Borrow;
use std::collections::BTreeSet;

use rhai::Dynamic;
use serde_json::Value;

use eventide_shop::evolution::FieldReads;

use crate::compiled::{Compiled, Known};
use crate::error::{ErrorKind, ScriptError};
use crate::handler::{handler_name, EventTypes};
use crate::host::{Deadline, ScriptHost};
use crate::value::{self, describe, event_to_dynamic, event_type_and_position, key_text};

const KNOWN: &[Known] = &[
    Known {
        name: "init",
        purpose: "it returns the state before the first event",
    },
    Known {
        name: "rows",
        purpose: "it returns the table's rows from the state, which is `this`",
    },
    Known {
        name: "columns",
        purpose: "it returns the column names in the order to show them",
    },
];

/// The column a row gets when it is a single value rather than a map.
pub const VALUE_COLUMN: &str = "value";
/// The field of a row (in the array form) that holds its key; never a column.
pub const KEY_FIELD: &str = "key";

/// A script's state: whatever `init()` returned, as the handlers have changed it since. Cloning
/// copies it (Rhai's maps are not persistent), so checkpoint every few thousand events rather
/// than every one.
#[derive(Clone, Debug)]
pub struct State(pub(crate) Dynamic);

impl State {
    /// The state as JSON, to show it while debugging a script.
    pub fn to_json(&self) -> Result<Value, ScriptError> {
        value::to_json(&self.0)
            .map_err(|what| ScriptError::new(ErrorKind::Shape, format!("the state holds {what}")))
    }
}

/// A read model as a script defines it: rows in order, each cell aligned with `columns`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScriptTable {
    pub columns: Vec<String>,
    pub rows: Vec<ScriptRow>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScriptRow {
    pub key: String,
    /// One value per column; `null` where the row has no such field.
    pub cells: Vec<Value>,
}

impl ScriptTable {
    /// `{"columns": [...], "rows": [{"key": ..., "<column>": ..., ...}, ...]}`: the shape the
    /// command line prints. A column is never called `key`, so the two cannot clash.
    pub fn to_json(&self) -> Value {
        let rows = self
            .rows
            .iter()
            .map(|row| {
                let mut object = serde_json::Map::new();
                object.insert(KEY_FIELD.to_string(), Value::String(row.key.clone()));
                for (column, cell) in self.columns.iter().zip(&row.cells) {
                    object.insert(column.clone(), cell.clone());
                }
                Value::Object(object)
            })
            .collect();
        serde_json::json!({ "columns": self.columns, "rows": Value::Array(rows) })
    }
}

/// A compiled projection script. Folding needs a [`State`] from [`Projection::init`].
pub struct Projection {
    script: Compiled,
}

impl std::fmt::Debug for Projection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Projection")
            .field("handles", &self.handles())
            .finish_non_exhaustive()
    }
}

impl Projection {
    pub fn compile(host: &ScriptHost, source: &str) -> Result<Projection, ScriptError> {
        Projection::compile_for(host, source, &EventTypes::shop())
    }

    /// Compiles a projection of another log: its handlers must name that log's `types`.
    pub fn compile_for(
        host: &ScriptHost,
        source: &str,
        types: &EventTypes,
    ) -> Result<Projection, ScriptError> {
        Compiled::compile(host, source, KNOWN, types).map(|script| Projection { script })
    }

    /// The event types this projection consumes, sorted: those it has a handler for.
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

    /// The state before the first event.
    pub fn init(&self, deadline: &Deadline) -> Result<State, ScriptError> {
        self.script.init(deadline).map(State)
    }

    /// Folds one event (its envelope, as `Recorded::to_json` writes it) into `state`. Returns
    /// whether a handler ran: events of other types are skipped without being converted.
    /// After an error `state` may hold part of the failed handler's changes: go back to a
    /// checkpoint or start again.
    pub fn apply(
        &self,
        state: &mut State,
        event: &Value,
        deadline: &Deadline,
    ) -> Result<bool, ScriptError> {
        let (event_type, position) = event_type_and_position(event)?;
        let handler = handler_name(event_type);
        if !self.script.handles(&handler) {
            return Ok(false);
        }
        let argument = event_to_dynamic(event)?;
        // A projection's handler works on `this`; what it returns is ignored.
        let _ = self
            .script
            .call(&handler, Some(&mut state.0), (argument,), deadline)
            .map_err(|error| error.during(position))?;
        Ok(true)
    }

    /// The table the state shows: what `rows()` returns, or the state itself, as either a map
    /// of key to row or an array of rows that each have a `key`. A row is a map of column to
    /// value, or a single value (column `value`). Columns are those `columns()` names, in its
    /// order, or else every field any row has, in alphabetical order.
    pub fn table(&self, state: &State, deadline: &Deadline) -> Result<ScriptTable, ScriptError> {
        let rows_value = if self.script.defines("rows") {
            // A copy, so that `rows()` cannot change the state it reads.
            let mut this = state.0.clone();
            self.script.call("rows", Some(&mut this), (), deadline)?
        } else {
            state.0.clone()
        };
        let declared = if self.script.defines("columns") {
            let columns = self.script.call("columns", None, (), deadline)?;
            let names = value::strings(&columns).ok_or_else(|| {
                shape(format!(
                    "`columns()` returned {}, not an array of strings",
                    describe(&columns)
                ))
            })?;
            if names.iter().any(|name| name == KEY_FIELD) {
                return Err(shape(format!(
                    "`columns()` names `{KEY_FIELD}`: that field is the row's key, never a column"
                )));
            }
            Some(names)
        } else {
            None
        };
        build_table(rows_value, declared)
    }

    /// Folds every event, from `init()`, and returns the table. Events may be borrowed or made
    /// on the fly (`store.events().iter().map(Recorded::to_json)`), so a long log need not be
    /// held as JSON all at once.
    pub fn run<E: Borrow<Value>>(
        &self,
        events: impl IntoIterator<Item = E>,
        deadline: &Deadline,
    ) -> Result<ScriptTable, ScriptError> {
        let mut state = self.init(deadline)?;
        for event in events {
            self.apply(&mut state, event.borrow(), deadline)?;
        }
        self.table(&state, deadline)
    }
}

fn shape(message: String) -> ScriptError {
    ScriptError::new(ErrorKind::Shape, message)
}

/// One row: a map of column to value, or a single value (column `value`).
enum Row {
    Map(rhai::Map),
    Single(Dynamic),
}

fn build_table(rows: Dynamic, declared: Option<Vec<String>>) -> Result<ScriptTable, ScriptError> {
    let keyed: Vec<(String, Row)> = match rows.flatten().try_cast_result::<rhai::Map>() {
        Ok(map) => map
            .into_iter()
            .map(|(key, row)| (key.to_string(), into_row(row)))
            .collect(),
        Err(rows) => match rows.try_cast_result::<rhai::Array>() {
            Ok(array) => array
                .into_iter()
                .enumerate()
                .map(|(index, row)| keyed_row(index, row))
                .collect::<Result<_, _>>()?,
            Err(other) => {
                return Err(shape(format!(
                    "the table is {}: it must be a map of key to row, \
                     or an array of rows that each have a `key`",
                    describe(&other)
                )))
            }
        },
    };
    let columns = declared.unwrap_or_else(|| {
        let mut names = BTreeSet::new();
        for (_, row) in &keyed {
            match row {
                Row::Map(fields) => names.extend(
                    fields
                        .keys()
                        .map(|key| key.as_str())
                        .filter(|key| *key != KEY_FIELD),
                ),
                Row::Single(_) => {
                    names.insert(VALUE_COLUMN);
                }
            }
        }
        names.into_iter().map(str::to_string).collect()
    });
    let rows = keyed
        .iter()
        .map(|(key, row)| {
            let cells = columns
                .iter()
                .map(|column| {
                    let cell = match row {
                        Row::Map(fields) => fields.get(column.as_str()),
                        Row::Single(value) => (column == VALUE_COLUMN).then_some(value),
                    };
                    cell.map_or(Ok(Value::Null), value::to_json)
                        .map_err(|what| shape(format!("row {key}, column {column} holds {what}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ScriptRow {
                key: key.clone(),
                cells,
            })
        })
        .collect::<Result<Vec<_>, ScriptError>>()?;
    Ok(ScriptTable { columns, rows })
}

fn into_row(row: Dynamic) -> Row {
    match row.flatten().try_cast_result::<rhai::Map>() {
        Ok(fields) => Row::Map(fields),
        Err(value) => Row::Single(value),
    }
}

/// A row of the array form: a map whose `key` is a string, a number or a boolean.
fn keyed_row(index: usize, row: Dynamic) -> Result<(String, Row), ScriptError> {
    let refuse = |what: String| {
        shape(format!(
            "row {} of the array is {what}: in an array, each row is a map with a `key`",
            index + 1
        ))
    };
    match into_row(row) {
        Row::Map(fields) => match fields.get(KEY_FIELD).and_then(key_text) {
            Some(key) => Ok((key, Row::Map(fields))),
            None => Err(refuse("a map without a usable `key`".to_string())),
        },
        Row::Single(value) => Err(refuse(describe(&value))),
    }
}
