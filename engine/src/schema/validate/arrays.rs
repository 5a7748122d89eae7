//! Arrays: counts, `uniqueItems`, `contains`, and each item against `items` (one schema, or a
//! tuple and `additionalItems`; 2020-12: `prefixItems` and `items`), `minContains`,
//! `maxContains` and `unevaluatedItems` (2020-12).

use serde_json::Value;

use super::equality::first_duplicate;
use super::words::counted;
use super::{require, Walker};
use crate::schema::document::{ArrayRules, Draft, NodeId};

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
            require!(self, ok, self.contains(rules, contained, items));
        }
        for (index, item) in items.iter().enumerate() {
            let segment = index.to_string();
            if let Some(schema) = rules.all_items {
                require!(self, ok, self.child(&segment, schema, item));
            } else if let Some(&schema) = rules.tuple_items.get(index) {
                require!(self, ok, self.child(&segment, schema, item));
            } else if rules.rest_applies {
                let positions = rules.tuple_items.len();
                let keyword = if self.draft() == Draft::TwentyTwelve {
                    "items"
                } else {
                    "additionalItems"
                };
                require!(
                    self,
                    ok,
                    self.additional(keyword, rules.additional_items, &segment, item, || {
                        format!(
                            "is not allowed: the array may have at most {}",
                            counted(positions as u64, "item")
                        )
                    })
                );
            }
        }
        if let Some(unevaluated) = rules.unevaluated_items {
            // Only when every other check passed: a failed one drops its annotations, and the
            // value is refused anyway.
            if ok {
                let evaluated = self.evaluated(rules.owner, value);
                for (index, item) in items.iter().enumerate() {
                    if !evaluated.has_item(index) {
                        let segment = index.to_string();
                        require!(
                            self,
                            ok,
                            self.unevaluated(
                                "unevaluatedItems",
                                unevaluated,
                                &segment,
                                item,
                                || {
                                    "is not allowed: no keyword of the schema evaluates this item"
                                        .to_string()
                                }
                            )
                        );
                    }
                }
            }
        }
        ok
    }

    /// `contains`: at least one item matches (draft 6 and 7), or, in 2020-12, between
    /// `minContains` (1 unless given) and `maxContains` items do.
    fn contains(&mut self, rules: &ArrayRules, contained: NodeId, items: &[Value]) -> bool {
        if self.draft() != Draft::TwentyTwelve {
            return items.iter().any(|item| self.trial(contained, item))
                || self.fail("contains", || {
                    "must contain an item that matches the schema under \"contains\", found none"
                        .to_string()
                });
        }
        let matched = items
            .iter()
            .filter(|item| self.trial(contained, item))
            .count();
        let minimum = rules.min_contains.unwrap_or(1.0);
        let mut ok = true;
        if (matched as f64) < minimum {
            let keyword = if minimum == 1.0 {
                "contains"
            } else {
                "minContains"
            };
            require!(
                self,
                ok,
                self.fail(keyword, || {
                    format!(
                        "must contain at least {minimum} items that match the schema under \
                         \"contains\", found {matched}"
                    )
                })
            );
        }
        if let Some(maximum) = rules.max_contains {
            require!(
                self,
                ok,
                (matched as f64) <= maximum
                    || self.fail("maxContains", || {
                        format!(
                            "must contain at most {maximum} items that match the schema under \
                             \"contains\", found {matched}"
                        )
                    })
            );
        }
        ok
    }
}
