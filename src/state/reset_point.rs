//! Where a subscription is reset to, as a user types it: the start, a position (`1200`,
//! `#1,200`) or a time (`2026-11-26 09:14:03`, read as UTC like every time the app shows).

use std::fmt;

use eventide_engine::{Position, Timestamp};

/// The point a reset goes back to; a time becomes the position of the last event recorded at
/// or before it when the reset is carried out (a recipe keeps that position).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetPoint {
    Position(Position),
    Time(Timestamp),
}

/// What a reset field held that is neither a position nor a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResetPointError(String);

impl fmt::Display for ResetPointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is neither a position (a number such as 1200) nor a time (such as 2026-11-26 09:14:03)",
            self.0
        )
    }
}

impl ResetPoint {
    /// Reads what the user typed: empty or `start` is the start of the log.
    pub fn parse(text: &str) -> Result<ResetPoint, ResetPointError> {
        let text = text.trim();
        if text.is_empty() || text.eq_ignore_ascii_case("start") {
            return Ok(ResetPoint::Position(Position::ORIGIN));
        }
        let digits: String = text
            .strip_prefix('#')
            .unwrap_or(text)
            .chars()
            .filter(|c| *c != ',' && *c != '_')
            .collect();
        if let Ok(position) = digits.parse::<u64>() {
            return Ok(ResetPoint::Position(Position(position)));
        }
        Timestamp::parse(text)
            .map(ResetPoint::Time)
            .ok_or_else(|| ResetPointError(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_point_is_the_start_a_position_or_a_time() {
        let position = |n| Ok(ResetPoint::Position(Position(n)));
        assert_eq!(ResetPoint::parse(""), position(0));
        assert_eq!(ResetPoint::parse(" Start "), position(0));
        assert_eq!(ResetPoint::parse("1200"), position(1_200));
        assert_eq!(ResetPoint::parse("#1,200"), position(1_200));
        assert_eq!(
            ResetPoint::parse("2026-11-26 09:14:03"),
            Ok(ResetPoint::Time(Timestamp(1_795_684_443_000)))
        );
    }

    #[test]
    fn anything_else_is_refused_with_what_would_do() {
        let refused = ResetPoint::parse("yesterday").expect_err("not a point");
        assert_eq!(
            refused.to_string(),
            "'yesterday' is neither a position (a number such as 1200) nor a time (such as 2026-11-26 09:14:03)"
        );
        assert!(
            ResetPoint::parse("-3").is_err(),
            "no position before the start"
        );
    }
}
