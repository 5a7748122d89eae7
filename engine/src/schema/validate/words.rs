//! How a violation says what it found and what was expected.

use std::fmt;

use serde_json::Value;

/// At most this many characters of a value in a message.
pub(super) const SHOWN: usize = 60;

/// A value as JSON text, cut short when long.
pub(super) fn render(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// What a message says it found: scalars as they are, containers by their type.
pub(super) fn describe(value: &Value) -> String {
    match value {
        Value::Object(_) => "an object".to_string(),
        Value::Array(_) => "an array".to_string(),
        _ => render(value),
    }
}

pub(super) fn type_phrase(name: &str) -> &'static str {
    match name {
        "null" => "null",
        "boolean" => "a boolean",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "array" => "an array",
        "object" => "an object",
        _ => "a value of a known type",
    }
}

/// `a`, `a or b`, `a, b or c`.
pub(super) fn list(items: impl Iterator<Item = impl fmt::Display>, conjunction: &str) -> String {
    let items: Vec<String> = items.map(|item| item.to_string()).collect();
    match items.as_slice() {
        [] => "of no type".to_string(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

/// `"a"`, `one of "a" or "b"`, or for many, how many.
pub(super) fn one_of(allowed: &[Value]) -> String {
    match allowed.len() {
        0 => "nothing (the enum is empty)".to_string(),
        1 => render(&allowed[0]),
        2..=6 => format!("one of {}", list(allowed.iter().map(render), "or")),
        many => format!("one of the {many} allowed values"),
    }
}

pub(super) fn alternatives_phrase(count: usize) -> String {
    match count {
        1 => "the 1 alternative".to_string(),
        count => format!("the {count} alternatives"),
    }
}

/// `1 item`, `3 items`, `1 property`, `2 properties`.
pub(super) fn counted(count: u64, noun: &str) -> String {
    match (count, noun.strip_suffix('y')) {
        (1, _) => format!("1 {noun}"),
        (_, Some(stem)) => format!("{count} {stem}ies"),
        (_, None) => format!("{count} {noun}s"),
    }
}
