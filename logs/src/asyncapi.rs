//! A foreign log's catalog as an AsyncAPI 3.0 document: a channel and a message per event type
//! (its payload the schema inferred from the log), a send operation per producer seen, and
//! the envelope the mapping reads as the message headers. Nothing names consumers: a log does
//! not say who reads it.

use serde_json::{json, Map, Value};

use crate::inspect::Report;
use crate::models::OpenLog;

/// One event type as the catalog knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct CatalogType {
    pub name: String,
    pub events: u64,
    pub producers: Vec<String>,
    pub schema: Value,
}

impl CatalogType {
    /// The explorer's catalog.
    pub fn of_log(log: &OpenLog) -> Vec<CatalogType> {
        let store = log.store();
        store
            .kinds()
            .iter()
            .zip(log.catalog())
            .map(|((kind, name), entry)| CatalogType {
                name: name.to_owned(),
                events: store.kind_events(kind).len() as u64,
                producers: entry
                    .producers
                    .iter()
                    .map(|&producer| store.producers().name(producer).to_owned())
                    .collect(),
                schema: entry.schema.to_schema(),
            })
            .collect()
    }

    /// `eventide inspect`'s report (its busiest producers).
    pub fn of_report(report: &Report) -> Vec<CatalogType> {
        report
            .types
            .iter()
            .map(|kind| CatalogType {
                name: kind.name.clone(),
                events: kind.events,
                producers: kind.producers.clone(),
                schema: kind.schema.clone(),
            })
            .collect()
    }
}

/// The document for `types`, titled after the log; `correlated` when its events carry a
/// correlation id.
pub fn asyncapi(title: &str, types: &[CatalogType], correlated: bool) -> Value {
    let mut channels = Map::new();
    let mut operations = Map::new();
    let mut messages = Map::new();
    for kind in types {
        // Two names that differ only where a key cannot show it keep keys of their own.
        let mut key = component_key(&kind.name);
        while messages.contains_key(&key) {
            key.push('_');
        }
        let mut message = json!({
            "name": kind.name,
            "title": kind.name,
            "summary": format!("{} events of this type in the log; the payload schema is inferred from them.", kind.events),
            "contentType": "application/json",
            "headers": envelope_headers(),
            "payload": kind.schema,
        });
        if correlated {
            message["correlationId"] = json!({"$ref": "#/components/correlationIds/flow"});
        }
        messages.insert(key.clone(), message);
        channels.insert(
            key.clone(),
            json!({
                "address": kind.name,
                "messages": {key.clone(): {"$ref": format!("#/components/messages/{key}")}},
            }),
        );
        for producer in &kind.producers {
            operations.insert(
                format!("{}_send_{key}", component_key(producer)),
                json!({
                    "action": "send",
                    "channel": {"$ref": format!("#/channels/{key}")},
                    "summary": format!("{producer} publishes {}", kind.name),
                    "messages": [{"$ref": format!("#/channels/{key}/messages/{key}")}],
                }),
            );
        }
    }
    let mut components = json!({ "messages": messages });
    if correlated {
        components["correlationIds"] = json!({
            "flow": {
                "description": "Every event of one flow shares this id.",
                "location": "$message.header#/correlation",
            }
        });
    }
    json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": title,
            "version": "1.0.0",
            "description": format!("The event types of {title}, inferred by Eventide from the log itself: each type's payload schema, and who publishes it."),
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": components,
    })
}

/// The envelope as Eventide maps any log: what travels beside the payload.
fn envelope_headers() -> Value {
    let text = json!({"type": "string"});
    json!({
        "type": "object",
        "properties": {
            "id": text,
            "type": text,
            "stream": text,
            "time": {"type": "string", "format": "date-time"},
            "producer": text,
            "correlation": text,
            "causation": text,
        },
        "required": ["type"],
    })
}

/// A name as an AsyncAPI component key, which allows letters, digits, `.`, `-` and `_`.
fn component_key(name: &str) -> String {
    let key: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if key.is_empty() {
        "_".into()
    } else {
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(name: &str, producers: &[&str]) -> CatalogType {
        CatalogType {
            name: name.into(),
            events: 3,
            producers: producers.iter().map(|p| p.to_string()).collect(),
            schema: json!({"type": "object"}),
        }
    }

    #[test]
    fn it_should_give_each_type_a_channel_and_each_producer_a_send() {
        let doc = asyncapi(
            "billing.json",
            &[
                kind("com.acme.invoice.paid", &["/billing", "/billing/eu"]),
                kind("Order Placed!", &[]),
                kind("Order Placed?", &[]),
            ],
            true,
        );
        assert_eq!(doc["asyncapi"], "3.0.0");
        let channels = doc["channels"].as_object().unwrap();
        assert_eq!(channels.len(), 3);
        assert_eq!(doc["channels"]["Order_Placed_"]["address"], "Order Placed!");
        assert_eq!(
            doc["channels"]["Order_Placed__"]["address"],
            "Order Placed?"
        );
        assert_eq!(doc["operations"].as_object().unwrap().len(), 2);
        assert_eq!(
            doc["operations"]["_billing_eu_send_com.acme.invoice.paid"]["action"],
            "send"
        );
        assert!(doc["components"]["correlationIds"]["flow"].is_object());
        let uncorrelated = asyncapi("x", &[kind("a", &[])], false);
        assert!(uncorrelated["components"].get("correlationIds").is_none());
        assert!(uncorrelated["components"]["messages"]["a"]
            .get("correlationId")
            .is_none());
    }
}
