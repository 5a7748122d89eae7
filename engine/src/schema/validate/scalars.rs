//! Strings (lengths in characters, `pattern`) and numbers (bounds, `multipleOf`, integers).

use std::cmp::Ordering;

use serde_json::Value;

use super::numbers::{compare, is_integer, is_multiple_of};
use super::words::{counted, describe};
use super::{require, Walker};
use crate::schema::document::{NumberRules, StringRules};

impl Walker<'_> {
    pub(super) fn string(&mut self, rules: &StringRules, value: &Value) -> bool {
        let Value::String(text) = value else {
            return !rules.requires_type || self.wrong_type(&["string"], value);
        };
        let mut ok = true;
        if rules.min_length.is_some() || rules.max_length.is_some() {
            let length = text.chars().count() as u64;
            if let Some(minimum) = rules.min_length {
                require!(
                    self,
                    ok,
                    length >= minimum
                        || self.fail("minLength", || {
                            format!(
                                "must be at least {} long, found {length}",
                                counted(minimum, "character")
                            )
                        })
                );
            }
            if let Some(maximum) = rules.max_length {
                require!(
                    self,
                    ok,
                    length <= maximum
                        || self.fail("maxLength", || {
                            format!(
                                "must be at most {} long, found {length}",
                                counted(maximum, "character")
                            )
                        })
                );
            }
        }
        if let Some(pattern) = &rules.pattern {
            let matches = pattern.find_in(text);
            let pattern = pattern.source();
            require!(
                self,
                ok,
                matches == Some(true)
                    || self.fail("pattern", || match matches {
                        Some(_) => {
                            format!(
                                "must match the pattern \"{pattern}\", found {}",
                                describe(value)
                            )
                        }
                        None => format!(
                            "cannot be checked: the pattern \"{pattern}\" is not a regular \
                             expression this validator supports"
                        ),
                    })
            );
        }
        ok
    }

    pub(super) fn number(&mut self, rules: &NumberRules, value: &Value) -> bool {
        let expected: &[&str] = if rules.requires_integer {
            &["integer"]
        } else {
            &["number"]
        };
        let Value::Number(number) = value else {
            return !rules.requires_type || self.wrong_type(expected, value);
        };
        let mut ok = true;
        if rules.requires_integer && !is_integer(number, self.draft()) {
            return self.wrong_type(expected, value);
        }
        if let Some(minimum) = &rules.minimum {
            let order = compare(number, minimum);
            if rules.minimum_is_exclusive {
                require!(
                    self,
                    ok,
                    order == Ordering::Greater
                        || self.fail("exclusiveMinimum", || {
                            format!("must be greater than {minimum}, found {number}")
                        })
                );
            } else {
                require!(
                    self,
                    ok,
                    order != Ordering::Less
                        || self.fail("minimum", || {
                            format!("must be at least {minimum}, found {number}")
                        })
                );
            }
        }
        if let Some(limit) = &rules.exclusive_minimum {
            require!(
                self,
                ok,
                compare(number, limit) == Ordering::Greater
                    || self.fail("exclusiveMinimum", || {
                        format!("must be greater than {limit}, found {number}")
                    })
            );
        }
        if let Some(maximum) = &rules.maximum {
            let order = compare(number, maximum);
            if rules.maximum_is_exclusive {
                require!(
                    self,
                    ok,
                    order == Ordering::Less
                        || self.fail("exclusiveMaximum", || {
                            format!("must be less than {maximum}, found {number}")
                        })
                );
            } else {
                require!(
                    self,
                    ok,
                    order != Ordering::Greater
                        || self.fail("maximum", || {
                            format!("must be at most {maximum}, found {number}")
                        })
                );
            }
        }
        if let Some(limit) = &rules.exclusive_maximum {
            require!(
                self,
                ok,
                compare(number, limit) == Ordering::Less
                    || self.fail("exclusiveMaximum", || {
                        format!("must be less than {limit}, found {number}")
                    })
            );
        }
        if let Some(divisor) = &rules.multiple_of {
            require!(
                self,
                ok,
                is_multiple_of(number, divisor)
                    || self.fail("multipleOf", || {
                        format!("must be a multiple of {divisor}, found {number}")
                    })
            );
        }
        ok
    }
}
