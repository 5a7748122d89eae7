//! `$ref`: resolved inside the document only (a JSON pointer, or a subschema's `$id`), never
//! fetched; and the JSON pointers nodes are known by.

use serde_json::Value;

use super::loader::{error, Loaded, Loader};
use super::model::*;
use super::Problem;

impl<'a> Loader<'a> {
    pub(super) fn load_reference(&mut self, at: &str, reference: &str) -> Loaded<NodeId> {
        let (pointer, target) = self.resolve_reference(at, reference)?;
        self.load(pointer, target)
    }

    /// Finds what a `$ref` points to inside this document: a subschema whose `$id` is the
    /// reference, or the JSON pointer after `#` (when the part before `#` is empty or the root's
    /// own `$id`). Confluent also accepts `#/$defs/x` for a definition under `definitions`.
    pub(super) fn resolve_reference(
        &self,
        at: &str,
        reference: &str,
    ) -> Loaded<(String, &'a Value)> {
        let is_plain_pointer = reference == "#" || reference.starts_with("#/");
        if !is_plain_pointer {
            if let Some(found) = find_by_id(self.root, self.draft.id_keyword(), reference, "") {
                return Ok(found);
            }
        }
        let (base, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let root_id = self
            .root
            .get(self.draft.id_keyword())
            .and_then(Value::as_str)
            .map(|id| id.trim_end_matches('#'));
        if !base.is_empty() && Some(base) != root_id {
            return Err(error(at, Problem::NonLocalReference(reference.to_string())));
        }
        let unresolved = || error(at, Problem::UnresolvedReference(reference.to_string()));
        let fragment = percent_decode(fragment).ok_or_else(unresolved)?;
        if fragment.is_empty() {
            return Ok((String::new(), self.root));
        }
        let Some(tokens) = fragment.strip_prefix('/') else {
            return Err(unresolved());
        };
        let mut tokens: Vec<String> = tokens.split('/').map(unescape_token).collect();
        if let Some(found) = follow(self.root, &tokens) {
            return Ok((pointer_of(&tokens), found));
        }
        if tokens.first().map(String::as_str) == Some("$defs") {
            tokens[0] = "definitions".to_string();
            if let Some(found) = follow(self.root, &tokens) {
                return Ok((pointer_of(&tokens), found));
            }
        }
        Err(unresolved())
    }

    /// A reference that leads only to references (`{"$ref": "#"}` at the root) is no schema.
    pub(super) fn check_reference_chains(&self) -> Loaded<()> {
        for node in &self.nodes {
            let Kind::Reference(mut target) = node.kind else {
                continue;
            };
            let mut steps = 0;
            while let Kind::Reference(next) = self.nodes[target.0].kind {
                target = next;
                steps += 1;
                if steps > self.nodes.len() {
                    let location = match &node.origin {
                        Origin::At(pointer) => pointer.clone(),
                        _ => String::new(),
                    };
                    let reference = self
                        .root
                        .pointer(&location)
                        .and_then(|value| value.get("$ref"))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    return Err(error(&location, Problem::ReferenceCycle(reference)));
                }
            }
        }
        Ok(())
    }
}
/// subschemas this way: `"$id": "#address"`).
pub(super) fn find_by_id<'a>(
    value: &'a Value,
    id_keyword: &str,
    id: &str,
    pointer: &str,
) -> Option<(String, &'a Value)> {
    match value {
        Value::Object(object) => {
            if object.get(id_keyword).and_then(Value::as_str) == Some(id) {
                return Some((pointer.to_string(), value));
            }
            object.iter().find_map(|(key, child)| {
                find_by_id(child, id_keyword, id, &child_pointer(pointer, &[key]))
            })
        }
        Value::Array(items) => items.iter().enumerate().find_map(|(index, child)| {
            find_by_id(
                child,
                id_keyword,
                id,
                &child_pointer(pointer, &[&index.to_string()]),
            )
        }),
        _ => None,
    }
}

pub(super) fn follow<'a>(root: &'a Value, tokens: &[String]) -> Option<&'a Value> {
    tokens.iter().try_fold(root, |value, token| match value {
        Value::Object(object) => object.get(token),
        Value::Array(items) => token
            .parse::<usize>()
            .ok()
            .and_then(|index| items.get(index)),
        _ => None,
    })
}

/// `location` extended by `path`, each token escaped as JSON pointers require (`~` and `/`).
pub(super) fn child_pointer(location: &str, path: &[&str]) -> String {
    let mut pointer = location.to_string();
    for token in path {
        pointer.push('/');
        pointer.push_str(&token.replace('~', "~0").replace('/', "~1"));
    }
    pointer
}

pub(super) fn pointer_of(tokens: &[String]) -> String {
    let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
    child_pointer("", &tokens)
}

pub(super) fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Decodes `%xx` escapes in a URI fragment; `None` when they do not spell UTF-8.
pub(super) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text.get(index + 1..index + 3)?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(decoded).ok()
}
