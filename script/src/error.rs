//! What went wrong in a script, and where. Compile and run-time errors carry the line and column
//! Rhai reports, so an editor can put the cursor on the mistake; nothing a script does panics.

use std::fmt;

use rhai::{EvalAltResult, ParseError, Position};

use crate::host::{Deadline, Limits};

/// Which kind of mistake, so a caller can tell a script's bug from a budget running out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The script does not parse, or breaks a convention (code outside a function, a handler
    /// named after no event type).
    Compile,
    /// A function failed while running: an unknown variable, a type mismatch, a `throw`.
    Runtime,
    /// A limit stopped it: operations, time, call depth or the size of its data.
    Limit,
    /// It ran, but what it returned has the wrong shape (a table that is not a map, an intention
    /// that is neither a command nor a publication).
    Shape,
    /// The host was handed an event it cannot read (not an object, no `event_type`).
    Input,
}

/// A script's mistake: where it is (when Rhai knows) and what it is, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptError {
    pub kind: ErrorKind,
    /// 1-based line in the script's source.
    pub line: Option<usize>,
    /// 1-based column (in characters) on that line.
    pub column: Option<usize>,
    pub message: String,
    /// The log position of the event being handled when it happened, if any.
    pub event_position: Option<u64>,
}

impl ScriptError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> ScriptError {
        ScriptError {
            kind,
            line: None,
            column: None,
            message: message.into(),
            event_position: None,
        }
    }

    pub(crate) fn at(mut self, place: Option<(usize, usize)>) -> ScriptError {
        if let Some((line, column)) = place {
            self.line = Some(line);
            self.column = Some(column);
        }
        self
    }

    pub(crate) fn at_position(self, position: Position) -> ScriptError {
        let line = position.line();
        let column = position.position().or(line.map(|_| 1));
        self.at(line.zip(column))
    }

    pub(crate) fn during(mut self, event_position: Option<u64>) -> ScriptError {
        self.event_position = self.event_position.or(event_position);
        self
    }

    /// A syntax error, where the parser found it.
    pub(crate) fn from_parse(error: &ParseError) -> ScriptError {
        ScriptError::new(ErrorKind::Compile, error.err_type().to_string())
            .at_position(error.position())
    }

    /// A run-time error of `function` (called by the host), unwrapped to where it happened and
    /// worded for someone who did not read Rhai's source.
    pub(crate) fn from_eval(
        error: EvalAltResult,
        function: &str,
        limits: &Limits,
        deadline: &Deadline,
    ) -> ScriptError {
        // A failure inside a helper arrives wrapped once per call on the way out; the innermost
        // error has the position that matters.
        let mut inner = error;
        let mut innermost_function = function.to_string();
        while let EvalAltResult::ErrorInFunctionCall(name, _, cause, _) = inner {
            innermost_function = name;
            inner = *cause;
        }
        let position = inner.take_position();
        let (kind, what) = describe(&inner, limits, deadline);
        let context = if innermost_function == function {
            format!("in {function}")
        } else {
            format!("in {innermost_function} (called from {function})")
        };
        ScriptError::new(kind, format!("{context}: {what}")).at_position(position)
    }
}

/// The kind and the words for one of Rhai's run-time errors, with its position taken out.
fn describe(error: &EvalAltResult, limits: &Limits, deadline: &Deadline) -> (ErrorKind, String) {
    use EvalAltResult as E;
    match error {
        E::ErrorTooManyOperations(_) => (
            ErrorKind::Limit,
            format!(
                "stopped after {} operations: does a loop never end?",
                thousands(limits.max_operations)
            ),
        ),
        E::ErrorTerminated(..) => (
            ErrorKind::Limit,
            format!(
                "stopped after {}: does a loop never end?",
                deadline.budget()
            ),
        ),
        E::ErrorStackOverflow(_) => (
            ErrorKind::Limit,
            format!(
                "stopped at {} nested calls: does a function call itself without end?",
                limits.max_call_depth
            ),
        ),
        E::ErrorDataTooLarge(what, _) => (ErrorKind::Limit, too_large(what, limits)),
        E::ErrorRuntime(value, _) => (ErrorKind::Runtime, format!("thrown: {value}")),
        E::ErrorFunctionNotFound(signature, _) if signature.contains("()") => (
            ErrorKind::Runtime,
            format!(
                "no function {signature}: one of the values is () (nothing); \
                 is a field name misspelt, or a row missing?"
            ),
        ),
        other => (ErrorKind::Runtime, other.to_string()),
    }
}

fn too_large(what: &str, limits: &Limits) -> String {
    if what.contains("string") {
        format!(
            "a string grew past {} bytes, the limit",
            thousands(limits.max_string_len as u64)
        )
    } else if what.contains("array") {
        format!(
            "arrays grew past {} items in one value, the limit",
            thousands(limits.max_array_len as u64)
        )
    } else if what.contains("map") {
        format!(
            "maps grew past {} entries in one value (nested maps count too), the limit",
            thousands(limits.max_map_len as u64)
        )
    } else {
        format!("{what} is over its limit")
    }
}

/// `1000000` as `1,000,000`: limits are read by people.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "line {line}, column {column}: ")?,
            (Some(line), None) => write!(f, "line {line}: ")?,
            _ => {}
        }
        f.write_str(&self.message)?;
        if let Some(position) = self.event_position {
            write!(f, " (at event {position})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScriptError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_show_the_place_before_the_message() {
        let error = ScriptError::new(ErrorKind::Runtime, "in OrderPlaced: boom").at(Some((3, 7)));
        assert_eq!(error.to_string(), "line 3, column 7: in OrderPlaced: boom");
        let error = ScriptError::new(ErrorKind::Limit, "stopped").during(Some(12));
        assert_eq!(error.to_string(), "stopped (at event 12)");
    }

    #[test]
    fn it_should_group_thousands() {
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(0), "0");
    }
}
