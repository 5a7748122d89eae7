//! Objects: counts, `required`, `dependencies`, and each member against `properties`,
//! `patternProperties` or `additionalProperties`, `propertyNames`, and (2020-12)
//! `dependentRequired`, `dependentSchemas` and `unevaluatedProperties`.

use serde_json::Value;

use super::words::counted;
use super::{require, Walker};
use crate::schema::document::{Additional, Kind, NodeId, ObjectRules};

impl Walker<'_> {
    pub(super) fn object(&mut self, rules: &ObjectRules, value: &Value) -> bool {
        let Value::Object(members) = value else {
            return !rules.requires_type || self.wrong_type(&["object"], value);
        };
        let mut ok = true;
        let count = members.len() as u64;
        if let Some(minimum) = rules.min_properties {
            require!(
                self,
                ok,
                count >= minimum
                    || self.fail("minProperties", || {
                        format!(
                            "must have at least {}, found {count}",
                            counted(minimum, "property")
                        )
                    })
            );
        }
        if let Some(maximum) = rules.max_properties {
            require!(
                self,
                ok,
                count <= maximum
                    || self.fail("maxProperties", || {
                        format!(
                            "must have at most {}, found {count}",
                            counted(maximum, "property")
                        )
                    })
            );
        }
        for name in &rules.required {
            require!(
                self,
                ok,
                members.contains_key(name)
                    || self.fail_at(name, "required", || "is required but missing".to_string())
            );
        }
        for (present, needed) in &rules.property_dependencies {
            if !members.contains_key(present) {
                continue;
            }
            for name in needed {
                require!(
                    self,
                    ok,
                    members.contains_key(name)
                        || self.fail_at(name, "dependencies", || {
                            format!("is required when \"{present}\" is present, but missing")
                        })
                );
            }
        }
        for (present, dependency) in &rules.schema_dependencies {
            if members.contains_key(present) {
                require!(self, ok, self.check(*dependency, value));
            }
        }
        for (name, member) in members {
            require!(self, ok, self.member(rules, name, member));
        }
        if let Some(unevaluated) = rules.unevaluated_properties {
            // Only when every other check passed: a failed one drops its annotations, and the
            // value is refused anyway.
            if ok {
                let evaluated = self.evaluated(rules.owner, value);
                for (name, member) in members {
                    if !evaluated.has_member(name) {
                        require!(
                            self,
                            ok,
                            self.unevaluated("unevaluatedProperties", unevaluated, name, member, || {
                                "is not allowed: no keyword of the schema evaluates this property"
                                    .to_string()
                            })
                        );
                    }
                }
            }
        }
        ok
    }

    /// One member of an object: its name, and the schemas of `properties`, `patternProperties`
    /// or else `additionalProperties`.
    pub(super) fn member(&mut self, rules: &ObjectRules, name: &str, member: &Value) -> bool {
        let mut ok = true;
        if let Some(names) = rules.property_names {
            let name_value = Value::String(name.to_string());
            require!(
                self,
                ok,
                self.trial(names, &name_value)
                    || self.fail_at(name, "propertyNames", || {
                        "has a name that \"propertyNames\" does not allow".to_string()
                    })
            );
        }
        let mut described = false;
        if let Some(&schema) = rules.properties.get(name) {
            described = true;
            require!(self, ok, self.child(name, schema, member));
        }
        for (pattern, schema) in &rules.pattern_properties {
            match pattern.find_in(name) {
                Some(true) => {
                    described = true;
                    require!(self, ok, self.child(name, *schema, member));
                }
                Some(false) => {}
                // Whether the member is one the pattern describes is unknown: say so, as
                // `pattern` does, rather than guess either way.
                None => {
                    described = true;
                    require!(
                        self,
                        ok,
                        self.fail_at(name, "patternProperties", || {
                            format!(
                                "cannot be checked: the pattern \"{}\" is not a regular \
                                 expression this validator supports",
                                pattern.source()
                            )
                        })
                    );
                }
            }
        }
        if !described {
            require!(
                self,
                ok,
                self.additional(
                    "additionalProperties",
                    rules.additional_properties,
                    name,
                    member,
                    || "is not an allowed property".to_string()
                )
            );
        }
        ok
    }

    /// `additionalProperties` or `additionalItems` for one member or item.
    pub(super) fn additional(
        &mut self,
        keyword: &'static str,
        additional: Additional,
        segment: &str,
        value: &Value,
        forbidden: impl FnOnce() -> String,
    ) -> bool {
        if !additional.permitted {
            return self.fail_at(segment, keyword, forbidden);
        }
        match additional.schema {
            Some(schema) => self.child(segment, schema, value),
            None => true,
        }
    }

    /// `unevaluatedProperties` or `unevaluatedItems` for one member or item: `false` refuses it
    /// with `forbidden`, a schema checks it.
    pub(super) fn unevaluated(
        &mut self,
        keyword: &'static str,
        schema: NodeId,
        segment: &str,
        value: &Value,
        forbidden: impl FnOnce() -> String,
    ) -> bool {
        let target = self.schema.resolve(schema);
        if matches!(self.schema.node(target).kind, Kind::False) {
            return self.fail_at(segment, keyword, forbidden);
        }
        self.child(segment, schema, value)
    }
}
