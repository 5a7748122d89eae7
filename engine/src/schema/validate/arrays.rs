//! Arrays: counts, `uniqueItems`, `contains`, and each item against `items` (one schema, or a
//! tuple and `additionalItems`).

use serde_json::Value;

use super::equality::first_duplicate;
use super::words::counted;
use super::{require, Walker};
use crate::schema::document::ArrayRules;

impl Walker<'_> {
    pub(super) fn array(&mut self, rules: &ArrayRules, value: &Value) -> bool {
        let Value::Array(items) = value else {
            return !rules.requires_type || self.wrong_type(&["array"], value);
        };
        let mut ok = true;
        let count = items.len() as u64;
        if let Some(minimum) = rules.min_items {
            require!(
                self,
                ok,
                count >= minimum
                    || self.fail("minItems", || {
                        format!(
                            "must have at least {}, found {count}",
                            counted(minimum, "item")
                        )
                    })
            );
        }
        if let Some(maximum) = rules.max_items {
            require!(
                self,
                ok,
                count <= maximum
                    || self.fail("maxItems", || {
                        format!(
                            "must have at most {}, found {count}",
                            counted(maximum, "item")
                        )
                    })
            );
        }
        if rules.unique_items {
            if let Some((first, second)) = first_duplicate(items) {
                require!(
                    self,
                    ok,
                    self.fail("uniqueItems", || {
                        format!("must not repeat an item, but items {first} and {second} are equal")
                    })
                );
            }
        }
        if let Some(contained) = rules.contains {
            require!(
                self,
                ok,
                items.iter().any(|item| self.trial(contained, item))
                    || self.fail("contains", || {
                        "must contain an item that matches the schema under \"contains\", found \
                         none"
                            .to_string()
                    })
            );
        }
        for (index, item) in items.iter().enumerate() {
            let segment = index.to_string();
            if let Some(schema) = rules.all_items {
                require!(self, ok, self.child(&segment, schema, item));
            } else if let Some(&schema) = rules.tuple_items.get(index) {
                require!(self, ok, self.child(&segment, schema, item));
            } else if !rules.tuple_items.is_empty() {
                let positions = rules.tuple_items.len();
                require!(
                    self,
                    ok,
                    self.additional(
                        "additionalItems",
                        rules.additional_items,
                        &segment,
                        item,
                        || {
                            format!(
                                "is not allowed: the array may have at most {}",
                                counted(positions as u64, "item")
                            )
                        }
                    )
                );
            }
        }
        ok
    }
}
