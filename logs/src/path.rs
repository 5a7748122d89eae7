//! Where a field sits in a JSON object: `eventType`, `metadata.$correlationId`, `data.order.id`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// A dotted path of object keys, read from the top of a record. Keys are matched exactly; a
/// path never indexes into an array (event envelopes name their fields).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldPath(Vec<String>);

/// Why a text is not a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathError(pub String);

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PathError {}

impl FieldPath {
    /// Parses `a.b.c`: every key non-empty, no surrounding blanks.
    pub fn parse(text: &str) -> Result<FieldPath, PathError> {
        if text.trim() != text {
            return Err(PathError(format!("`{text}` has blanks around it")));
        }
        let keys: Vec<String> = text.split('.').map(str::to_owned).collect();
        if keys.iter().any(String::is_empty) {
            return Err(PathError(format!(
                "`{text}` is not a field path: write keys separated by dots, as in `metadata.correlationId`"
            )));
        }
        Ok(FieldPath(keys))
    }

    /// A path of one key, taken as it is (a key may hold a dot here).
    pub fn key(key: &str) -> FieldPath {
        FieldPath(vec![key.to_owned()])
    }

    /// The value at this path, if every key on the way is there (`null` counts as there).
    pub fn get<'a>(&self, record: &'a Value) -> Option<&'a Value> {
        self.0
            .iter()
            .try_fold(record, |value, key| value.as_object()?.get(key))
    }

    /// The top-level key this path starts with.
    pub fn first(&self) -> &str {
        self.0.first().map_or("", String::as_str)
    }

    pub fn depth(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

impl Serialize for FieldPath {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FieldPath {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        FieldPath::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_path_reads_nested_keys_and_stops_at_a_missing_one() {
        let record = json!({"metadata": {"$correlationId": "c-1"}, "n": 3});
        let path = FieldPath::parse("metadata.$correlationId").expect("a path");
        assert_eq!(path.get(&record), Some(&json!("c-1")));
        assert_eq!(path.depth(), 2);
        assert_eq!(path.first(), "metadata");
        assert_eq!(
            FieldPath::parse("metadata.nope")
                .expect("a path")
                .get(&record),
            None
        );
        // A scalar on the way is not an object to look into.
        assert_eq!(FieldPath::parse("n.x").expect("a path").get(&record), None);
    }

    #[test]
    fn empty_keys_and_blanks_are_refused_with_the_text() {
        for bad in ["", "a..b", ".a", "a.", " a"] {
            let error = FieldPath::parse(bad).expect_err("refused");
            assert!(error.0.contains(&format!("`{bad}`")), "{error}");
        }
    }

    #[test]
    fn a_path_travels_as_its_text() {
        let path = FieldPath::parse("data.order.id").expect("a path");
        let text = serde_json::to_string(&path).expect("written");
        assert_eq!(text, "\"data.order.id\"");
        let back: FieldPath = serde_json::from_str(&text).expect("read");
        assert_eq!(back, path);
        assert!(serde_json::from_str::<FieldPath>("\"a..b\"").is_err());
    }
}
