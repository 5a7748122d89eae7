//! JSON equality with numbers compared by value, and the order that finds duplicates.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::numbers::compare;

/// JSON equality, with numbers compared by value (`1` equals `1.0`).
pub(super) fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => compare(x, y) == Ordering::Equal,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| equal(x, y)))
        }
        _ => a == b,
    }
}

/// A total order on JSON values whose equality is [`equal`], for finding duplicates by sorting.
pub(super) fn order(a: &Value, b: &Value) -> Ordering {
    fn rank(value: &Value) -> u8 {
        match value {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
        }
    }
    fn sorted(object: &Map<String, Value>) -> Vec<(&String, &Value)> {
        let mut members: Vec<_> = object.iter().collect();
        members.sort_by(|a, b| a.0.cmp(b.0));
        members
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => compare(x, y),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .map(|(x, y)| order(x, y))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| x.len().cmp(&y.len())),
        (Value::Object(x), Value::Object(y)) => x.len().cmp(&y.len()).then_with(|| {
            sorted(x)
                .into_iter()
                .zip(sorted(y))
                .map(|((xk, xv), (yk, yv))| xk.cmp(yk).then_with(|| order(xv, yv)))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        }),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// The first pair of equal items (by the second item's index), if any: `O(n log n)`.
pub(super) fn first_duplicate(items: &[Value]) -> Option<(usize, usize)> {
    let mut indexes: Vec<usize> = (0..items.len()).collect();
    // Stable: equal items stay in index order, so each run starts with its first two indexes.
    indexes.sort_by(|&a, &b| order(&items[a], &items[b]));
    indexes
        .windows(2)
        .filter(|pair| order(&items[pair[0]], &items[pair[1]]).is_eq())
        .map(|pair| (pair[0], pair[1]))
        .min_by_key(|&(_, second)| second)
}
