//! `pattern` and `patternProperties`: one rule, ECMA 262's, for both.

use serde_json::json;

use super::{found, valid};

#[test]
fn patterns_read_dot_and_spaces_as_ecma_262_does() {
    let dot = json!({"pattern": "^a.b$"});
    assert!(valid(&dot, json!("axb")));
    for terminator in ["a\nb", "a\rb", "a\u{2028}b", "a\u{2029}b"] {
        assert!(!valid(&dot, json!(terminator)), "{terminator:?}");
    }
    let space = json!({"pattern": "^\\s$"});
    assert!(valid(&space, json!("\u{a0}")));
    assert!(valid(&space, json!("\u{feff}")));
    assert!(!valid(&space, json!("x")));
    let not_space = json!({"pattern": "^\\S+$"});
    assert!(valid(&not_space, json!("ab")));
    assert!(!valid(&not_space, json!("a\u{3000}b")));
    let class = json!({"pattern": "^[.[&~]+$"});
    assert!(valid(&class, json!(".[&~")));
    assert!(!valid(&class, json!("x")));
    assert!(valid(&json!({"pattern": "^\\cC\\cj$"}), json!("\u{3}\n")));
    assert!(valid(&json!({"pattern": "^\\d+$"}), json!("123")));
    assert!(!valid(&json!({"pattern": "^\\d+$"}), json!("١٢٣")));
}

#[test]
fn a_pattern_that_cannot_run_fails_with_a_reason() {
    let source = json!({"type": "string", "pattern": "^(?=a)"});
    assert_eq!(
        found(source.clone(), json!("a")),
        [
            "(root): cannot be checked: the pattern \"^(?=a)\" is not a regular expression \
          this validator supports (pattern)"
        ]
    );
    // Other types are not strings, so the pattern says nothing about them.
    assert!(valid(&json!({"pattern": "(?=a)"}), json!(1)));
}

#[test]
fn pattern_properties_follow_the_same_rule_as_pattern() {
    // ECMA 262's `.`, which stops at `\r`, decides which members a pattern describes.
    let dot = json!({"patternProperties": {"^a.c$": {"type": "string"}}});
    assert_eq!(
        found(dot.clone(), json!({"abc": 1})),
        ["/abc: must be a string, found 1 (type)"]
    );
    assert!(valid(&dot, json!({"a\rc": 1})));
    // A pattern that cannot run loads, and every member it might describe is reported.
    let look_ahead = json!({"patternProperties": {"^(?=a)": {}}});
    assert_eq!(
        found(look_ahead.clone(), json!({"ab": 1})),
        [
            "/ab: cannot be checked: the pattern \"^(?=a)\" is not a regular expression this \
             validator supports (patternProperties)"
        ]
    );
    assert!(valid(&look_ahead, json!({})));
    assert!(valid(&look_ahead, json!("not an object")));
}
