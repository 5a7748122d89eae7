//! The query's syntax tree: what a user asked for, as types, before it meets a domain. Printing
//! a tree (`Display`) gives text that parses back to the same tree.

use std::fmt;

use super::error::QueryError;
use crate::ids::Timestamp;

/// A whole query: conditions on one event, combined with `and`, `or` and `not`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    And(Box<Query>, Box<Query>),
    Or(Box<Query>, Box<Query>),
    Not(Box<Query>),
    Test(Test),
}

/// One condition on one field of an event: `data.total > 100`, `type == OrderPlaced`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Test {
    pub field: Field,
    pub check: Check,
}

/// What a condition looks at: a field of the envelope, or a top-level field of the payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    /// The event type's name.
    Type,
    /// The stream (aggregate id) as shown: `O-0042`.
    Stream,
    /// The stream's category, the aggregate type: `Order`.
    Aggregate,
    /// Who produced it (the envelope's `producer` metadata); absent for commands.
    Producer,
    /// The flow's correlation id: the full id or the first hex digits of it.
    Correlation,
    /// When it was recorded (UTC).
    Recorded,
    /// When it happened in the business's world (UTC).
    Occurred,
    /// Its global position in the log.
    Position,
    /// A top-level payload field, by the name the payload's JSON gives it: `data.total`.
    Data(String),
}

impl Field {
    /// The envelope fields, by the name a query spells them with.
    pub const ENVELOPE: &'static [(&'static str, Field)] = &[
        ("type", Field::Type),
        ("stream", Field::Stream),
        ("aggregate", Field::Aggregate),
        ("producer", Field::Producer),
        ("correlation", Field::Correlation),
        ("recorded", Field::Recorded),
        ("occurred", Field::Occurred),
        ("position", Field::Position),
    ];

    /// The prefix of a payload field: `data.total`.
    pub const DATA_PREFIX: &'static str = "data.";
}

/// What a condition asks of its field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    Compare(Comparison, Literal),
    /// The field's text holds this text, ignoring ASCII case.
    Contains(Literal),
    /// The field is there (and not null).
    Exists,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Comparison {
    pub const ALL: &'static [Comparison] = &[
        Comparison::Eq,
        Comparison::Ne,
        Comparison::Lt,
        Comparison::Le,
        Comparison::Gt,
        Comparison::Ge,
    ];

    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Eq => "==",
            Comparison::Ne => "!=",
            Comparison::Lt => "<",
            Comparison::Le => "<=",
            Comparison::Gt => ">",
            Comparison::Ge => ">=",
        }
    }

    /// Whether an ordering between the field and the literal satisfies this comparison.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            Comparison::Eq => ordering == Equal,
            Comparison::Ne => ordering != Equal,
            Comparison::Lt => ordering == Less,
            Comparison::Le => ordering != Greater,
            Comparison::Gt => ordering == Greater,
            Comparison::Ge => ordering != Less,
        }
    }
}

/// A value written in a query: a whole number, or text (quoted, or a bare word such as
/// `OrderPlaced` or `C-042`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Literal {
    Int(i64),
    Text(String),
}

impl Literal {
    /// The literal as text, as a number would be written.
    pub fn text(&self) -> String {
        match self {
            Literal::Int(n) => n.to_string(),
            Literal::Text(text) => text.clone(),
        }
    }

    /// The literal as the number `field` compares with: a position (commas allowed), or a
    /// time (text as a date and time, or milliseconds). Every log's filter reads it this way.
    pub fn number_for(&self, field: &Field) -> Result<i64, QueryError> {
        match (field, self) {
            (_, Literal::Int(n)) => Ok(*n),
            (Field::Position, Literal::Text(text)) => {
                text.replace(',', "")
                    .parse()
                    .map_err(|_| QueryError::NotANumber {
                        field: field.clone(),
                        text: text.clone(),
                    })
            }
            (_, Literal::Text(text)) => {
                Timestamp::parse(text)
                    .map(Timestamp::millis)
                    .ok_or_else(|| QueryError::NotATime {
                        field: field.clone(),
                        text: text.clone(),
                    })
            }
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Data(name) => write!(f, "{}{name}", Field::DATA_PREFIX),
            field => {
                let name = Field::ENVELOPE
                    .iter()
                    .find(|(_, known)| known == field)
                    .map_or("?", |(name, _)| name);
                f.write_str(name)
            }
        }
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Int(n) => write!(f, "{n}"),
            Literal::Text(text) => {
                f.write_str("\"")?;
                for c in text.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("\"")
            }
        }
    }
}

impl fmt::Display for Test {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.check {
            Check::Compare(comparison, literal) => {
                write!(f, "{} {} {literal}", self.field, comparison.symbol())
            }
            Check::Contains(literal) => write!(f, "{} contains {literal}", self.field),
            Check::Exists => write!(f, "{} exists", self.field),
        }
    }
}

impl fmt::Display for Query {
    /// Parentheses only where the tree needs them: `and` binds tighter than `or`, both group
    /// to the left, and `not` binds tightest.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let grouped = |query: &Query, f: &mut fmt::Formatter<'_>| write!(f, "({query})");
        match self {
            Query::Test(test) => write!(f, "{test}"),
            Query::Not(inner) => {
                f.write_str("not ")?;
                match **inner {
                    Query::And(..) | Query::Or(..) => grouped(inner, f),
                    _ => write!(f, "{inner}"),
                }
            }
            Query::And(left, right) => {
                match **left {
                    Query::Or(..) => grouped(left, f)?,
                    _ => write!(f, "{left}")?,
                }
                f.write_str(" and ")?;
                match **right {
                    Query::Or(..) | Query::And(..) => grouped(right, f),
                    _ => write!(f, "{right}"),
                }
            }
            Query::Or(left, right) => {
                write!(f, "{left} or ")?;
                match **right {
                    Query::Or(..) => grouped(right, f),
                    _ => write!(f, "{right}"),
                }
            }
        }
    }
}
