//! What can be wrong with a query: its text does not parse, or it names something the log's
//! domain does not have. Each is a sentence for the person who typed it.

use super::ast::{Comparison, Field};

/// The text is not a query: where, and what would have been.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: expected {expected}, found {found}")]
pub struct SyntaxError {
    /// 1-based, in characters.
    pub column: usize,
    pub expected: String,
    pub found: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    Syntax(#[from] SyntaxError),
    #[error("there is no event type '{0}'")]
    UnknownEventType(String),
    #[error("there is no aggregate type '{0}'")]
    UnknownAggregateType(String),
    #[error("no event type has a payload field '{0}'")]
    UnknownPayloadField(String),
    #[error(
        "{field}: '{text}' is not a time (write 2026-11-26 09:14[:03], RFC 3339, or milliseconds)"
    )]
    NotATime { field: Field, text: String },
    #[error("{field}: '{text}' is not a whole number")]
    NotANumber { field: Field, text: String },
    #[error("{field} cannot be compared with {}", .comparison.symbol())]
    Unsupported {
        field: Field,
        comparison: Comparison,
    },
    #[error("{field}: '{text}' is not an id (hex digits, as shown in the log)")]
    NotAnId { field: Field, text: String },
    #[error("{field} has no text to search with contains")]
    NoText { field: Field },
}
