//! Regular expressions in schemas, read one way wherever they appear (`pattern` and
//! `patternProperties` alike): as ECMA 262 expressions, which is what JSON Schema says they are.
//!
//! A pattern keeps its text, which the diff compares, and, when `regex_lite` can run its
//! translation, a compiled [`Regex`]. A pattern it cannot run (look-around, back-references,
//! `\p{..}`, or no regular expression at all) still loads: the validator then reports, wherever
//! the pattern would decide something, that it cannot be checked, rather than pass or fail the
//! value silently; the diff treats it as matching no property name.

use regex_lite::Regex;

/// One pattern of a schema, as written and as compiled.
#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    source: String,
    regex: Option<Regex>,
}

impl Pattern {
    pub(crate) fn new(source: &str) -> Pattern {
        Pattern {
            source: source.to_string(),
            regex: Regex::new(&translate(source)).ok(),
        }
    }

    /// The pattern as the schema writes it.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// Whether the pattern matches somewhere in `text` (patterns are not anchored); `None` when
    /// it cannot be run.
    pub(crate) fn find_in(&self, text: &str) -> Option<bool> {
        self.regex.as_ref().map(|regex| regex.is_match(text))
    }
}

impl PartialEq for Pattern {
    /// Two patterns are the same when written the same.
    fn eq(&self, other: &Pattern) -> bool {
        self.source == other.source
    }
}

/// A JSON Schema pattern (an ECMA 262 regular expression) in `regex_lite`'s syntax.
/// `regex_lite` already reads `\d`, `\w` and `\b` as ASCII, as ECMA 262 does; `.` and `\s`
/// differ, so they are spelt out: `.` stops at every line terminator (`\r`, U+2028 and U+2029
/// too, not only `\n`) and `\s` takes in Unicode spaces (U+00A0, U+FEFF, ...), as does `\S`
/// outside a class (inside one it stays ASCII's: `regex_lite` has no nested classes).
fn translate(pattern: &str) -> String {
    const DOT: &str = r"[^\n\r\x{2028}\x{2029}]";
    const SPACES: &str = r"\x09-\x0D\x20\xA0\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";
    let mut translated = String::with_capacity(pattern.len() + 16);
    let mut in_class = false;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('s') if in_class => translated.push_str(SPACES),
                Some('s') => {
                    translated.push('[');
                    translated.push_str(SPACES);
                    translated.push(']');
                }
                // `regex_lite` has no nested classes: inside one, `\S` stays ASCII's.
                Some('S') if in_class => translated.push_str(r"\S"),
                Some('S') => {
                    translated.push_str("[^");
                    translated.push_str(SPACES);
                    translated.push(']');
                }
                // `\cJ`: the control character of a letter.
                Some('c')
                    if chars
                        .clone()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic()) =>
                {
                    let letter = chars.next().map_or(0, |c| c as u32);
                    translated.push_str(&format!("\\x{{{:02X}}}", letter % 32));
                }
                Some(escaped) => {
                    translated.push('\\');
                    translated.push(escaped);
                }
                None => translated.push('\\'),
            },
            '[' if in_class => translated.push_str(r"\["),
            '[' => {
                in_class = true;
                translated.push('[');
            }
            ']' if in_class => {
                in_class = false;
                translated.push(']');
            }
            // Set operators in Rust's classes, plain characters in ECMA 262's.
            '&' | '~' if in_class => {
                translated.push('\\');
                translated.push(c);
            }
            '.' if !in_class => translated.push_str(DOT),
            c => translated.push(c),
        }
    }
    translated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_reads_as_ecma_262_and_one_that_cannot_run_says_so() {
        let dot = Pattern::new("^a.c$");
        assert_eq!(dot.find_in("abc"), Some(true));
        assert_eq!(dot.find_in("a\rc"), Some(false));
        assert_eq!(dot.find_in("xabcx"), Some(false));
        assert_eq!(Pattern::new("b").find_in("abc"), Some(true));
        let look_ahead = Pattern::new("^(?=a)");
        assert_eq!(look_ahead.find_in("a"), None);
        assert_eq!(look_ahead.source(), "^(?=a)");
        assert_eq!(Pattern::new("(").find_in("("), None);
    }
}
