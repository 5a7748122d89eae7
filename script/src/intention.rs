//! What a policy intends: a command to send or an event to publish, as plain names and JSON, and
//! their translation into the shop's own types, with errors that name the field at fault.

use std::collections::BTreeSet;
use std::str::FromStr;

use eventide_engine::{DomainEvent, Named, StreamKey};
use eventide_shop::commands::{PaymentOutcome, RequestedLine, ShopCommand};
use eventide_shop::events::ShopEvent;
use eventide_shop::ids::Sku;
use serde_json::{Map, Value};

/// One thing a policy wants to happen. Executing it (and whether the shop agrees) is the
/// caller's business: an aggregate may still refuse the command.
#[derive(Clone, Debug, PartialEq)]
pub enum Intention {
    /// `#{ command: "CancelOrder", order: "O-0042", reason: "fraud" }`: `args` holds every
    /// field but `command`.
    Command { name: String, args: Value },
    /// `#{ publish: "EmailSent", customer: "C-007", ... }`: `payload` holds every field but
    /// `publish`.
    Publish { event_type: String, payload: Value },
}

/// Why an intention is not a command or event the shop knows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IntentionError {
    #[error("{0} is a publication, not a command")]
    NotACommand(String),
    #[error("{0} is a command, not a publication")]
    NotAPublication(String),
    #[error("there is no command {name}: the commands are {}", command_names().join(", "))]
    UnknownCommand { name: String },
    #[error("{command} needs `{field}` ({expected})")]
    MissingField {
        command: String,
        field: &'static str,
        expected: &'static str,
    },
    #[error("{command}: `{field}` must be {expected}, not {found}")]
    WrongType {
        command: String,
        field: String,
        expected: &'static str,
        found: String,
    },
    #[error("{command} has no field `{field}`: its fields are {known}")]
    UnknownField {
        command: String,
        field: String,
        known: String,
    },
    #[error("there is no event type {0}")]
    UnknownEventType(String),
    #[error("{event_type} is decided by the {aggregate} aggregate: send it a command instead")]
    DecidedByAggregate {
        event_type: String,
        aggregate: &'static str,
    },
    #[error("{event_type}'s payload does not fit its schema: {reason}")]
    InvalidPayload { event_type: String, reason: String },
}

impl Intention {
    /// The script's own form: `{"command": name, ...args}` or `{"publish": type, ...payload}`.
    pub fn to_json(&self) -> Value {
        let (tag, name, fields) = match self {
            Intention::Command { name, args } => ("command", name, args),
            Intention::Publish {
                event_type,
                payload,
            } => ("publish", event_type, payload),
        };
        let mut object = Map::new();
        object.insert(tag.to_string(), Value::String(name.clone()));
        if let Value::Object(fields) = fields {
            object.extend(fields.clone());
        }
        Value::Object(object)
    }

    /// The shop command this intention names. Ids are accepted as `"O-0042"`, `"o-42"` or `42`;
    /// a field that is missing, of the wrong type or unknown is an error naming it.
    pub fn to_shop_command(&self) -> Result<ShopCommand, IntentionError> {
        let (name, args) = match self {
            Intention::Command { name, args } => (name, args),
            Intention::Publish { event_type, .. } => {
                return Err(IntentionError::NotACommand(event_type.clone()))
            }
        };
        let empty = Map::new();
        let mut fields = Fields {
            command: name,
            args: args.as_object().unwrap_or(&empty),
            read: BTreeSet::new(),
        };
        let command = match name.as_str() {
            "ViewProduct" => ShopCommand::ViewProduct {
                customer: fields.id("customer")?,
                sku: fields.id("sku")?,
            },
            "AddItemToCart" => ShopCommand::AddItemToCart {
                customer: fields.id("customer")?,
                sku: fields.id("sku")?,
                quantity: fields.quantity("quantity")?,
            },
            "RemoveItemFromCart" => ShopCommand::RemoveItemFromCart {
                customer: fields.id("customer")?,
                sku: fields.id("sku")?,
                quantity: fields.quantity("quantity")?,
            },
            "CheckOutCart" => ShopCommand::CheckOutCart {
                customer: fields.id("customer")?,
            },
            "PlaceOrder" => ShopCommand::PlaceOrder {
                customer: fields.id("customer")?,
                lines: fields.lines("lines")?,
            },
            "ProcessPayment" => ShopCommand::ProcessPayment {
                order: fields.id("order")?,
                outcome: fields.outcome()?,
            },
            "ReserveInventory" => ShopCommand::ReserveInventory {
                order: fields.id("order")?,
                sku: fields.id("sku")?,
                quantity: fields.quantity("quantity")?,
            },
            "ReleaseInventory" => ShopCommand::ReleaseInventory {
                order: fields.id("order")?,
                sku: fields.id("sku")?,
                quantity: fields.quantity("quantity")?,
            },
            "RestockInventory" => ShopCommand::RestockInventory {
                sku: fields.id("sku")?,
                quantity: fields.quantity("quantity")?,
            },
            "DispatchShipment" => ShopCommand::DispatchShipment {
                order: fields.id("order")?,
                carrier: fields.text("carrier")?,
            },
            "CancelOrder" => ShopCommand::CancelOrder {
                order: fields.id("order")?,
                reason: fields.text("reason")?,
            },
            _ => return Err(IntentionError::UnknownCommand { name: name.clone() }),
        };
        fields.finish()?;
        Ok(command)
    }

    /// The shop event this intention publishes, its payload read by the event's own schema.
    /// Events that an aggregate decides (an order placed, a payment processed) are refused:
    /// a policy asks for those with a command.
    pub fn to_shop_event(&self) -> Result<ShopEvent, IntentionError> {
        let (event_type, payload) = match self {
            Intention::Publish {
                event_type,
                payload,
            } => (event_type, payload),
            Intention::Command { name, .. } => {
                return Err(IntentionError::NotAPublication(name.clone()))
            }
        };
        let Some(kind) = eventide_shop::events::ShopEventKind::from_name(event_type) else {
            return Err(IntentionError::UnknownEventType(event_type.clone()));
        };
        let event = ShopEvent::from_payload(kind, payload.clone()).map_err(|error| {
            IntentionError::InvalidPayload {
                event_type: event_type.clone(),
                reason: error.to_string(),
            }
        })?;
        if let Some(stream) = event.stream() {
            let aggregate = stream.category();
            if aggregate.is_ruled() {
                return Err(IntentionError::DecidedByAggregate {
                    event_type: event_type.clone(),
                    aggregate: aggregate.name(),
                });
            }
        }
        Ok(event)
    }
}

/// Every command's name, as scripts spell them.
pub fn command_names() -> &'static [&'static str] {
    &[
        "ViewProduct",
        "AddItemToCart",
        "RemoveItemFromCart",
        "CheckOutCart",
        "PlaceOrder",
        "ProcessPayment",
        "ReserveInventory",
        "ReleaseInventory",
        "RestockInventory",
        "DispatchShipment",
        "CancelOrder",
    ]
}

/// Reads a command's fields one by one, remembering which were read so that a misspelt extra
/// field is reported rather than ignored.
struct Fields<'a> {
    command: &'a str,
    args: &'a Map<String, Value>,
    read: BTreeSet<&'static str>,
}

impl Fields<'_> {
    fn get(
        &mut self,
        field: &'static str,
        expected: &'static str,
    ) -> Result<&Value, IntentionError> {
        self.read.insert(field);
        match self.args.get(field) {
            Some(Value::Null) | None => Err(IntentionError::MissingField {
                command: self.command.to_string(),
                field,
                expected,
            }),
            Some(value) => Ok(value),
        }
    }

    fn wrong(&self, field: &str, expected: &'static str, found: &Value) -> IntentionError {
        IntentionError::WrongType {
            command: self.command.to_string(),
            field: field.to_string(),
            expected,
            found: found.to_string(),
        }
    }

    /// An id such as `"O-0042"` (any case, or just the number), or a positive integer.
    fn id<T: FromStr>(&mut self, field: &'static str) -> Result<T, IntentionError> {
        let expected = match field {
            "order" => "an order id like \"O-0042\"",
            "customer" => "a customer id like \"C-007\"",
            _ => "a product id like \"SKU-03\"",
        };
        let value = self.get(field, expected)?.clone();
        let text = match &value {
            Value::String(text) => Some(text.clone()),
            Value::Number(n) => n.as_u64().map(|n| n.to_string()),
            _ => None,
        };
        text.and_then(|text| text.parse().ok())
            .ok_or_else(|| self.wrong(field, expected, &value))
    }

    fn quantity(&mut self, field: &'static str) -> Result<u32, IntentionError> {
        let expected = "a whole number from 0 to 4294967295";
        let value = self.get(field, expected)?.clone();
        value
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| self.wrong(field, expected, &value))
    }

    fn text(&mut self, field: &'static str) -> Result<String, IntentionError> {
        let expected = "a string";
        let value = self.get(field, expected)?.clone();
        match value {
            Value::String(text) => Ok(text),
            other => Err(self.wrong(field, expected, &other)),
        }
    }

    /// `lines: [#{ sku: "SKU-03", quantity: 2 }, ...]`.
    fn lines(&mut self, field: &'static str) -> Result<Vec<RequestedLine>, IntentionError> {
        let expected = "an array of #{ sku, quantity }";
        let value = self.get(field, expected)?.clone();
        let Value::Array(items) = &value else {
            return Err(self.wrong(field, expected, &value));
        };
        items
            .iter()
            .map(|item| {
                let line = |key: &str| item.get(key);
                let sku = match line("sku") {
                    Some(Value::String(text)) => text.parse::<Sku>().ok(),
                    Some(Value::Number(n)) => n.as_u64().and_then(|n| n.to_string().parse().ok()),
                    _ => None,
                };
                let quantity = line("quantity")
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok());
                match (sku, quantity, item.as_object().map(Map::len)) {
                    (Some(sku), Some(quantity), Some(2)) => Ok(RequestedLine { sku, quantity }),
                    _ => Err(self.wrong(field, expected, item)),
                }
            })
            .collect()
    }

    /// `outcome: "approved"`, or `outcome: "declined"` with a `reason`.
    fn outcome(&mut self) -> Result<PaymentOutcome, IntentionError> {
        let expected = "\"approved\" or \"declined\" (with a `reason`)";
        let value = self.get("outcome", expected)?.clone();
        match value.as_str().map(str::to_ascii_lowercase).as_deref() {
            Some("approved") => Ok(PaymentOutcome::Approved),
            Some("declined") => Ok(PaymentOutcome::Declined {
                reason: self.text("reason")?,
            }),
            _ => Err(self.wrong("outcome", expected, &value)),
        }
    }

    /// Refuses fields the command does not have.
    fn finish(self) -> Result<(), IntentionError> {
        match self
            .args
            .keys()
            .find(|key| !self.read.contains(key.as_str()))
        {
            Some(unknown) => Err(IntentionError::UnknownField {
                command: self.command.to_string(),
                field: unknown.clone(),
                known: self
                    .read
                    .iter()
                    .map(|field| format!("`{field}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventide_shop::ids::{CustomerId, OrderId};
    use serde_json::json;

    fn command(name: &str, args: Value) -> Intention {
        Intention::Command {
            name: name.into(),
            args,
        }
    }

    #[test]
    fn it_should_turn_a_cancel_intention_into_the_shop_command() {
        let intention = command("CancelOrder", json!({"order": "O-0042", "reason": "fraud"}));
        assert_eq!(
            intention.to_shop_command(),
            Ok(ShopCommand::CancelOrder {
                order: OrderId(42),
                reason: "fraud".into()
            })
        );
        let numeric = command("CheckOutCart", json!({"customer": 7}));
        assert_eq!(
            numeric.to_shop_command(),
            Ok(ShopCommand::CheckOutCart {
                customer: CustomerId(7)
            })
        );
    }

    #[test]
    fn it_should_name_the_missing_field() {
        let error = command("CancelOrder", json!({"order": "O-0042"}))
            .to_shop_command()
            .unwrap_err();
        assert_eq!(error.to_string(), "CancelOrder needs `reason` (a string)");
    }

    #[test]
    fn it_should_name_the_field_of_the_wrong_type() {
        let error = command(
            "AddItemToCart",
            json!({"customer": "C-1", "sku": "SKU-03", "quantity": -2}),
        )
        .to_shop_command()
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "AddItemToCart: `quantity` must be a whole number from 0 to 4294967295, not -2"
        );
        let error = command("CancelOrder", json!({"order": "C-007", "reason": "x"}))
            .to_shop_command()
            .unwrap_err();
        assert!(matches!(error, IntentionError::WrongType { ref field, .. } if field == "order"));
    }

    #[test]
    fn it_should_refuse_a_misspelt_field_and_an_unknown_command() {
        let error = command(
            "CancelOrder",
            json!({"order": "O-1", "reason": "x", "reson": "y"}),
        )
        .to_shop_command()
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "CancelOrder has no field `reson`: its fields are `order`, `reason`"
        );
        let error = command("CancelOrders", json!({}))
            .to_shop_command()
            .unwrap_err();
        assert!(error
            .to_string()
            .starts_with("there is no command CancelOrders: the commands are ViewProduct"));
    }

    #[test]
    fn it_should_read_payments_and_orders_of_several_lines() {
        let declined = command(
            "ProcessPayment",
            json!({"order": "O-3", "outcome": "declined", "reason": "card expired"}),
        );
        assert_eq!(
            declined.to_shop_command(),
            Ok(ShopCommand::ProcessPayment {
                order: OrderId(3),
                outcome: PaymentOutcome::Declined {
                    reason: "card expired".into()
                }
            })
        );
        let order = command(
            "PlaceOrder",
            json!({"customer": "C-007", "lines": [{"sku": "SKU-03", "quantity": 2}]}),
        );
        assert_eq!(
            order.to_shop_command(),
            Ok(ShopCommand::PlaceOrder {
                customer: CustomerId(7),
                lines: vec![RequestedLine {
                    sku: Sku(3),
                    quantity: 2
                }]
            })
        );
    }

    #[test]
    fn it_should_publish_service_events_but_not_aggregate_decisions() {
        let email = Intention::Publish {
            event_type: "EmailSent".into(),
            payload: json!({"customer": "C-007", "order": "O-0042", "template": "loyalty-reward"}),
        };
        assert_eq!(
            email.to_shop_event(),
            Ok(ShopEvent::EmailSent {
                customer: CustomerId(7),
                order: Some(OrderId(42)),
                template: "loyalty-reward".into()
            })
        );
        let placed = Intention::Publish {
            event_type: "OrderPlaced".into(),
            payload: json!({"order": "O-1", "customer": "C-1", "lines": [], "total": 0}),
        };
        assert!(matches!(
            placed.to_shop_event(),
            Err(IntentionError::DecidedByAggregate {
                aggregate: "Order",
                ..
            })
        ));
        let unknown = Intention::Publish {
            event_type: "CustomerFlagged".into(),
            payload: json!({}),
        };
        assert_eq!(
            unknown.to_shop_event(),
            Err(IntentionError::UnknownEventType("CustomerFlagged".into()))
        );
        let short = Intention::Publish {
            event_type: "FraudCheckFailed".into(),
            payload: json!({"order": "O-1", "customer": "C-1"}),
        };
        assert!(matches!(
            short.to_shop_event(),
            Err(IntentionError::InvalidPayload { .. })
        ));
    }
}
