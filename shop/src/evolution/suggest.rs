//! A first upcaster for a proposed schema, read off the difference between two schemas: a
//! starting point to edit, never registered without the check.

use serde_json::Value;

use eventide_engine::schema::{UpcastStep, Upcaster};

/// A first upcaster for a schema change, to edit rather than write: a rename where exactly
/// one property went and exactly one new one without a default has its type, a default for each new property that
/// declares one, and a removal for each other property that went.
pub fn suggest_upcaster(latest: &Value, proposed: &Value) -> Upcaster {
    let properties = |schema: &Value| {
        schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default()
    };
    let (before, after) = (properties(latest), properties(proposed));
    let gone: Vec<(&String, &Value)> = before
        .iter()
        .filter(|(name, _)| !after.contains_key(*name))
        .collect();
    let came: Vec<(&String, &Value)> = after
        .iter()
        .filter(|(name, _)| !before.contains_key(*name))
        .collect();
    let mut steps = Vec::new();
    let same_type = |old: &Value| -> Vec<&String> {
        came.iter()
            .filter(|(_, new)| new.get("type") == old.get("type") && new.get("default").is_none())
            .map(|(name, _)| *name)
            .collect()
    };
    let renamed = match gone.as_slice() {
        [(from, old)] => match same_type(old).as_slice() {
            [to] => {
                steps.push(UpcastStep::Rename {
                    from: (*from).clone(),
                    to: (*to).clone(),
                });
                Some(((*from).clone(), (*to).clone()))
            }
            _ => None,
        },
        _ => None,
    };
    for (name, schema) in &came {
        if renamed.as_ref().is_some_and(|(_, to)| to == *name) {
            continue;
        }
        if let Some(value) = schema.get("default") {
            steps.push(UpcastStep::AddDefault {
                field: (*name).clone(),
                value: value.clone(),
            });
        }
    }
    for (name, _) in &gone {
        if renamed.as_ref().is_some_and(|(from, _)| from == *name) {
            continue;
        }
        steps.push(UpcastStep::Remove {
            field: (*name).clone(),
        });
    }
    Upcaster::new(steps)
}
