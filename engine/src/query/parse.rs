//! Text to [`Query`], with winnow. The grammar, loosest first:
//!
//! ```text
//! query      = or
//! or         = and (("or" | "||") and)*
//! and        = unary (("and" | "&&") unary)*
//! unary      = ("not" | "!") unary | "(" or ")" | test
//! test       = field ("exists" | "contains" value | comparison value)
//! field      = type | stream | aggregate | producer | correlation | recorded | occurred
//!            | position | data.<name> | data.<list>.<name>
//! comparison = "==" | "=" | "!=" | "<" | "<=" | ">" | ">="
//! value      = integer | "quoted text" | bare word (letters, digits, _ - . : +)
//! ```
//!
//! Keywords and envelope fields ignore case. A syntax error names the column and what was
//! expected there.

use winnow::ascii::multispace0;
use winnow::combinator::{alt, cut_err, opt, preceded};
use winnow::error::{ContextError, ModalResult, StrContext, StrContextValue};
use winnow::prelude::*;
use winnow::token::{any, one_of, take_while};

use super::ast::{Check, Comparison, Field, Literal, Query, Test};
use super::error::SyntaxError;

const EXPECTED_FIELD: &str =
    "a field (type, stream, aggregate, producer, correlation, recorded, occurred, position or data.<name>)";
const EXPECTED_OPERATOR: &str = "an operator (==, !=, <, <=, >, >=, contains or exists)";
const EXPECTED_VALUE: &str = "a value (a number, \"quoted text\" or a word)";
const EXPECTED_MORE: &str = "`and`, `or` or the end of the query";

/// Reads a query. Blank text is no query at all (`None`): every event matches.
pub fn parse(text: &str) -> Result<Option<Query>, SyntaxError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    whole
        .parse(text)
        .map(Some)
        .map_err(|error| syntax_error(text, error.offset(), error.inner()))
}

fn syntax_error(text: &str, offset: usize, error: &ContextError) -> SyntaxError {
    let offset = offset.min(text.len());
    let column = text
        .get(..offset)
        .map_or(offset, |before| before.chars().count())
        + 1;
    let expected = error
        .context()
        .find_map(|context| match context {
            StrContext::Expected(value) => Some(value.to_string()),
            _ => None,
        })
        .unwrap_or_else(|| EXPECTED_MORE.to_string());
    let rest = text.get(offset..).unwrap_or("").trim_start();
    let found = match rest.chars().next() {
        None => "the end of the query".to_string(),
        Some(c) if is_word_char(c) => {
            let word: String = rest
                .chars()
                .take_while(|&c| is_bare_char(c))
                .take(24)
                .collect();
            format!("`{word}`")
        }
        Some(c) => format!("`{c}`"),
    };
    SyntaxError {
        column,
        expected,
        found,
    }
}

fn expected(what: &'static str) -> StrContext {
    StrContext::Expected(StrContextValue::Description(what))
}

fn whole(input: &mut &str) -> ModalResult<Query> {
    let query = or(input)?;
    multispace0(input)?;
    Ok(query)
}

fn or(input: &mut &str) -> ModalResult<Query> {
    let mut left = and(input)?;
    loop {
        let start = input.checkpoint();
        multispace0(input)?;
        if opt(alt((keyword("or"), "||"))).parse_next(input)?.is_none() {
            input.reset(&start);
            return Ok(left);
        }
        let right = cut_err(and).parse_next(input)?;
        left = Query::Or(Box::new(left), Box::new(right));
    }
}

fn and(input: &mut &str) -> ModalResult<Query> {
    let mut left = unary(input)?;
    loop {
        let start = input.checkpoint();
        multispace0(input)?;
        if opt(alt((keyword("and"), "&&")))
            .parse_next(input)?
            .is_none()
        {
            input.reset(&start);
            return Ok(left);
        }
        let right = cut_err(unary).parse_next(input)?;
        left = Query::And(Box::new(left), Box::new(right));
    }
}

fn unary(input: &mut &str) -> ModalResult<Query> {
    multispace0(input)?;
    if opt(alt((keyword("not"), "!"))).parse_next(input)?.is_some() {
        let inner = cut_err(unary).parse_next(input)?;
        return Ok(Query::Not(Box::new(inner)));
    }
    if opt('(').parse_next(input)?.is_some() {
        let inner = cut_err(or).parse_next(input)?;
        multispace0(input)?;
        cut_err(')'.context(StrContext::Expected(StrContextValue::CharLiteral(')'))))
            .parse_next(input)?;
        return Ok(inner);
    }
    let field = field(input)?;
    multispace0(input)?;
    let check = cut_err(check).parse_next(input)?;
    Ok(Query::Test(Test { field, check }))
}

fn field(input: &mut &str) -> ModalResult<Field> {
    take_while(1.., |c: char| is_word_char(c) || c == '.')
        .verify_map(field_named)
        .context(expected(EXPECTED_FIELD))
        .parse_next(input)
}

fn field_named(word: &str) -> Option<Field> {
    if let Some(name) = word.strip_prefix(Field::DATA_PREFIX) {
        // `data.total`, or a field of a list's records: `data.lines.sku`.
        let parts = name.split('.').count();
        let words = name
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(is_word_char));
        return (words && parts <= 2).then(|| Field::Data(name.to_string()));
    }
    Field::ENVELOPE
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(word))
        .map(|(_, field)| field.clone())
}

fn check(input: &mut &str) -> ModalResult<Check> {
    alt((
        keyword("exists").value(Check::Exists),
        preceded(keyword("contains"), cut_err(preceded(multispace0, value))).map(Check::Contains),
        (comparison, cut_err(preceded(multispace0, value)))
            .map(|(comparison, value)| Check::Compare(comparison, value)),
    ))
    .context(expected(EXPECTED_OPERATOR))
    .parse_next(input)
}

fn comparison(input: &mut &str) -> ModalResult<Comparison> {
    alt((
        "==".value(Comparison::Eq),
        "!=".value(Comparison::Ne),
        "<=".value(Comparison::Le),
        ">=".value(Comparison::Ge),
        "<".value(Comparison::Lt),
        ">".value(Comparison::Gt),
        "=".value(Comparison::Eq),
    ))
    .parse_next(input)
}

fn value(input: &mut &str) -> ModalResult<Literal> {
    alt((
        quoted.map(Literal::Text),
        take_while(1.., is_bare_char).map(|word: &str| match word.parse::<i64>() {
            Ok(number) => Literal::Int(number),
            Err(_) => Literal::Text(word.to_string()),
        }),
    ))
    .context(expected(EXPECTED_VALUE))
    .parse_next(input)
}

fn quoted(input: &mut &str) -> ModalResult<String> {
    '"'.parse_next(input)?;
    let mut text = String::new();
    loop {
        match cut_err(any.context(expected("a closing `\"`"))).parse_next(input)? {
            '"' => return Ok(text),
            '\\' => text.push(
                cut_err(one_of(['"', '\\']).context(expected("`\"` or `\\` after `\\`")))
                    .parse_next(input)?,
            ),
            c => text.push(c),
        }
    }
}

/// A whole word that equals `word`, ignoring case (so `order` is not `or` and then `der`).
fn keyword<'a>(
    word: &'static str,
) -> impl Parser<&'a str, &'a str, winnow::error::ErrMode<ContextError>> {
    take_while(1.., is_word_char).verify(move |found: &str| found.eq_ignore_ascii_case(word))
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_bare_char(c: char) -> bool {
    is_word_char(c) || matches!(c, '-' | '.' | ':' | '+')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test(field: Field, check: Check) -> Query {
        Query::Test(Test { field, check })
    }

    fn eq(field: Field, literal: Literal) -> Query {
        test(field, Check::Compare(Comparison::Eq, literal))
    }

    fn text(value: &str) -> Literal {
        Literal::Text(value.to_string())
    }

    fn error(query: &str) -> String {
        match parse(query) {
            Err(error) => error.to_string(),
            Ok(parsed) => panic!("{query:?} parsed as {parsed:?}"),
        }
    }

    #[test]
    fn blank_text_is_no_query() {
        assert_eq!(parse("   "), Ok(None));
    }

    #[test]
    fn it_should_read_envelope_and_payload_tests() {
        assert_eq!(
            parse("type == OrderPlaced").unwrap(),
            Some(eq(Field::Type, text("OrderPlaced")))
        );
        assert_eq!(
            parse("data.total > 100").unwrap(),
            Some(test(
                Field::Data("total".into()),
                Check::Compare(Comparison::Gt, Literal::Int(100))
            ))
        );
        assert_eq!(
            parse(r#"data.customer == "C-042""#).unwrap(),
            Some(eq(Field::Data("customer".into()), text("C-042")))
        );
        assert_eq!(
            parse("data.reason exists").unwrap(),
            Some(test(Field::Data("reason".into()), Check::Exists))
        );
        assert_eq!(
            parse("Producer CONTAINS pay").unwrap(),
            Some(test(Field::Producer, Check::Contains(text("pay"))))
        );
        assert_eq!(
            parse("recorded >= 2026-11-26T09:14").unwrap(),
            Some(test(
                Field::Recorded,
                Check::Compare(Comparison::Ge, text("2026-11-26T09:14"))
            ))
        );
    }

    #[test]
    fn and_binds_tighter_than_or_and_not_tightest() {
        let a = || eq(Field::Type, text("A"));
        let b = || eq(Field::Type, text("B"));
        let c = || eq(Field::Type, text("C"));
        assert_eq!(
            parse("type == A or type == B and not type == C").unwrap(),
            Some(Query::Or(
                Box::new(a()),
                Box::new(Query::And(
                    Box::new(b()),
                    Box::new(Query::Not(Box::new(c())))
                ))
            ))
        );
        assert_eq!(
            parse("(type == A || type == B) && !type == C").unwrap(),
            Some(Query::And(
                Box::new(Query::Or(Box::new(a()), Box::new(b()))),
                Box::new(Query::Not(Box::new(c())))
            ))
        );
    }

    #[test]
    fn a_word_that_starts_with_a_keyword_is_not_the_keyword() {
        assert_eq!(
            parse("type == Order order").unwrap_err().to_string(),
            "column 15: expected `and`, `or` or the end of the query, found `order`"
        );
        assert_eq!(
            parse("data.x == notable").unwrap(),
            Some(eq(Field::Data("x".into()), text("notable")))
        );
    }

    #[test]
    fn quoted_text_keeps_spaces_and_escapes() {
        assert_eq!(
            parse(r#"data.reason == "card \"declined\" \\ now""#).unwrap(),
            Some(eq(
                Field::Data("reason".into()),
                text(r#"card "declined" \ now"#)
            ))
        );
    }

    #[test]
    fn errors_name_the_column_and_what_was_expected() {
        assert_eq!(
            error("data.total >"),
            format!("column 13: expected {EXPECTED_VALUE}, found the end of the query")
        );
        assert_eq!(
            error("totl > 5"),
            format!("column 1: expected {EXPECTED_FIELD}, found `totl`")
        );
        assert_eq!(
            error("type ~ A"),
            format!("column 6: expected {EXPECTED_OPERATOR}, found `~`")
        );
        assert_eq!(
            error("(type == A"),
            "column 11: expected `)`, found the end of the query"
        );
        assert_eq!(
            error("type == A and"),
            format!("column 14: expected {EXPECTED_FIELD}, found the end of the query")
        );
        assert_eq!(
            error(r#"data.reason == "open"#),
            "column 21: expected a closing `\"`, found the end of the query"
        );
        assert_eq!(
            error("type == A )"),
            "column 11: expected `and`, `or` or the end of the query, found `)`"
        );
    }

    #[test]
    fn printing_a_query_reads_back_as_the_same_query() {
        for text in [
            "type == A or type == B and not type == C",
            "(type == A or type == B) and not (type == C or data.x exists)",
            "not not position >= -4",
            r#"data.reason contains "a \"b\"" or (stream == "O-0001" and aggregate != Order)"#,
        ] {
            let query = parse(text).unwrap().unwrap();
            assert_eq!(parse(&query.to_string()).unwrap(), Some(query), "{text}");
        }
    }
}
