//! Numbers as JSON means them: compared exactly (an integer past 2^53 against a float), and
//! `multipleOf` on the decimals they are written as.

use std::cmp::Ordering;

use serde_json::Number;

use crate::schema::document::Draft;

/// A number held as an integer (`i64` or `u64`), exactly.
pub(super) fn exact(number: &Number) -> Option<i128> {
    number
        .as_i64()
        .map(i128::from)
        .or_else(|| number.as_u64().map(i128::from))
}

pub(super) fn float(number: &Number) -> f64 {
    number.as_f64().unwrap_or(f64::NAN)
}

/// Whether a number is an integer: any whole number from draft 6 on (`1.0` is), only one
/// written without a fraction or an exponent in draft 4.
pub(super) fn is_integer(number: &Number, draft: Draft) -> bool {
    if exact(number).is_some() {
        return true;
    }
    let value = float(number);
    draft != Draft::Four && value.is_finite() && value.fract() == 0.0
}

/// Orders two numbers by value, exactly, even an integer past 2^53 against a float.
pub(super) fn compare(a: &Number, b: &Number) -> Ordering {
    match (exact(a), exact(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(x), None) => compare_integer_float(x, float(b)),
        (None, Some(y)) => compare_integer_float(y, float(a)).reverse(),
        (None, None) => float(a).partial_cmp(&float(b)).unwrap_or(Ordering::Equal),
    }
}

/// `integer` against `float`, exactly (no rounding of the integer to a float).
pub(super) fn compare_integer_float(integer: i128, float: f64) -> Ordering {
    // 2^127: beyond it no i128 reaches; below it a float's integer part fits an i128 exactly.
    const LIMIT: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
    if float.is_nan() {
        return Ordering::Equal;
    }
    if float >= LIMIT {
        return Ordering::Less;
    }
    if float < -LIMIT {
        return Ordering::Greater;
    }
    let whole = float.trunc();
    // In range (checked above), so the cast is exact.
    #[allow(clippy::cast_possible_truncation)]
    let whole_integer = whole as i128;
    integer.cmp(&whole_integer).then(if float > whole {
        Ordering::Less
    } else if float < whole {
        Ordering::Greater
    } else {
        Ordering::Equal
    })
}

/// `multipleOf`: whether `value / divisor` is an integer. Integers divide exactly; a float by a
/// whole divisor divides exactly too (the remainder of two floats is exact); a fractional
/// divisor divides the decimals both numbers are written as (`0.3` by `0.1`), as JSON means
/// them, not the binary fractions that approximate them.
pub(super) fn is_multiple_of(value: &Number, divisor: &Number) -> bool {
    let value_float = float(value);
    if value_float == 0.0 {
        return true;
    }
    let divisor_float = float(divisor);
    let whole_divisor = exact(divisor).or_else(|| {
        (divisor_float.fract() == 0.0 && divisor_float.abs() < 9.0e18)
            // Whole and in range, so the cast is exact.
            .then_some(divisor_float as i128)
    });
    if let Some(whole_divisor) = whole_divisor {
        if whole_divisor == 0 {
            return false;
        }
        return match exact(value) {
            Some(integer) => integer % whole_divisor == 0,
            None => value_float.fract() == 0.0 && value_float % divisor_float == 0.0,
        };
    }
    if value_float.abs() < divisor_float.abs() {
        return false;
    }
    let value_decimal = match exact(value) {
        Some(integer) => Some((integer, 0)),
        None => decimal(value_float),
    };
    match (value_decimal, decimal(divisor_float)) {
        (Some(value), Some(divisor)) => divides(value, divisor),
        _ => (value_float / divisor_float).fract() == 0.0,
    }
}

/// A finite float as the shortest decimal that reads back as it: `(mantissa, scale)` with
/// `value = mantissa / 10^scale`; `0.1` is `(1, 1)`, `1e300` is `(1, -300)`.
pub(super) fn decimal(value: f64) -> Option<(i128, i32)> {
    if !value.is_finite() {
        return None;
    }
    let text = format!("{value:e}");
    let (digits, exponent) = text.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let (negative, digits) = match digits.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, digits),
    };
    let fraction_digits = digits
        .split_once('.')
        .map_or(0, |(_, fraction)| fraction.len());
    let mantissa: i128 = digits.replace('.', "").parse().ok()?;
    let scale = i32::try_from(fraction_digits).ok()? - exponent;
    Some((if negative { -mantissa } else { mantissa }, scale))
}

/// Whether `a / 10^p` divided by `b / 10^q` is an integer.
pub(super) fn divides((a, p): (i128, i32), (b, q): (i128, i32)) -> bool {
    let (a, b) = (a.unsigned_abs(), b.unsigned_abs());
    if b == 0 {
        return false;
    }
    if q >= p {
        // a * 10^(q - p) divisible by b: the remainder, a digit at a time (b < 10^18).
        let mut remainder = a % b;
        for _ in 0..(q - p) {
            if remainder == 0 {
                break;
            }
            remainder = remainder * 10 % b;
        }
        remainder == 0
    } else {
        // a divisible by b * 10^(p - q); when that overflows it is larger than a (a != 0).
        let Ok(places) = u32::try_from(p - q) else {
            return false;
        };
        10u128
            .checked_pow(places)
            .and_then(|power| power.checked_mul(b))
            .is_some_and(|scaled| a % scaled == 0)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    #[test]
    fn numbers_order_exactly() {
        let n = |value: Value| match value {
            Value::Number(number) => number,
            _ => unreachable!(),
        };
        assert_eq!(compare(&n(json!(1)), &n(json!(1.0))), Ordering::Equal);
        assert_eq!(compare(&n(json!(-1)), &n(json!(-0.5))), Ordering::Less);
        assert_eq!(
            compare(&n(json!(u64::MAX)), &n(json!(1.8e19))),
            Ordering::Greater
        );
        assert_eq!(
            compare(&n(json!(i64::MIN)), &n(json!(-1e300))),
            Ordering::Greater
        );
        assert_eq!(compare(&n(json!(2.5)), &n(json!(2))), Ordering::Greater);
        assert_eq!(decimal(0.1), Some((1, 1)));
        assert_eq!(decimal(1e300), Some((1, -300)));
        assert_eq!(decimal(-12.25), Some((-1225, 2)));
    }
}
