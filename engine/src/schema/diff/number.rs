//! Numbers: bounds, `multipleOf`, and `integer` against `number`.
//!
//! `multipleOf` is compared exactly, in decimal, as Confluent does with `BigDecimal`: with binary
//! floating point, 0.3 would not be a multiple of 0.1.

use serde_json::Number;

use super::scalar::{compare_limit, LimitChanges};
use super::Changes;
use crate::schema::change::ChangeKind;
use crate::schema::document::NumberRules;

pub(super) fn compare_numbers(original: &NumberRules, update: &NumberRules, changes: &mut Changes) {
    let bounds = [
        (
            &original.maximum,
            &update.maximum,
            "maximum",
            LimitChanges {
                added: ChangeKind::MaximumAdded,
                removed: ChangeKind::MaximumRemoved,
                increased: ChangeKind::MaximumIncreased,
                decreased: ChangeKind::MaximumDecreased,
            },
        ),
        (
            &original.minimum,
            &update.minimum,
            "minimum",
            LimitChanges {
                added: ChangeKind::MinimumAdded,
                removed: ChangeKind::MinimumRemoved,
                increased: ChangeKind::MinimumIncreased,
                decreased: ChangeKind::MinimumDecreased,
            },
        ),
        (
            &original.exclusive_maximum,
            &update.exclusive_maximum,
            "exclusiveMaximum",
            LimitChanges {
                added: ChangeKind::ExclusiveMaximumAdded,
                removed: ChangeKind::ExclusiveMaximumRemoved,
                increased: ChangeKind::ExclusiveMaximumIncreased,
                decreased: ChangeKind::ExclusiveMaximumDecreased,
            },
        ),
        (
            &original.exclusive_minimum,
            &update.exclusive_minimum,
            "exclusiveMinimum",
            LimitChanges {
                added: ChangeKind::ExclusiveMinimumAdded,
                removed: ChangeKind::ExclusiveMinimumRemoved,
                increased: ChangeKind::ExclusiveMinimumIncreased,
                decreased: ChangeKind::ExclusiveMinimumDecreased,
            },
        ),
    ];
    for (before, after, keyword, kinds) in bounds {
        let value = |bound: &Option<Number>| bound.as_ref().and_then(Number::as_f64);
        compare_limit(value(before), value(after), keyword, kinds, changes);
    }

    if let Some(kind) =
        compare_multiple_of(original.multiple_of.as_ref(), update.multiple_of.as_ref())
    {
        changes.push_at("multipleOf", kind);
    }

    match (original.requires_integer, update.requires_integer) {
        (true, false) => changes.push(ChangeKind::TypeExtended),
        (false, true) => changes.push(ChangeKind::TypeNarrowed),
        _ => {}
    }
}

fn compare_multiple_of(original: Option<&Number>, update: Option<&Number>) -> Option<ChangeKind> {
    let (original, update) = match (original, update) {
        (None, None) => return None,
        (None, Some(_)) => return Some(ChangeKind::MultipleOfAdded),
        (Some(_), None) => return Some(ChangeKind::MultipleOfRemoved),
        (Some(original), Some(update)) => (original, update),
    };
    let (Some(original), Some(update)) = (Decimal::of(original), Decimal::of(update)) else {
        return (original.as_f64() != update.as_f64()).then_some(ChangeKind::MultipleOfChanged);
    };
    if original.equals(&update) {
        None
    } else if update.is_multiple_of(&original) {
        // Every multiple of the new value is a multiple of the old one: fewer numbers pass.
        Some(ChangeKind::MultipleOfExpanded)
    } else if original.is_multiple_of(&update) {
        Some(ChangeKind::MultipleOfReduced)
    } else {
        Some(ChangeKind::MultipleOfChanged)
    }
}

/// An exact decimal, `digits × 10^exponent`, read from a JSON number's text.
#[derive(Clone, Copy, Debug)]
struct Decimal {
    digits: i128,
    exponent: i32,
}

impl Decimal {
    /// `None` when the number does not fit (more than 38 significant digits, or an exponent too
    /// large to align with another number's).
    fn of(number: &Number) -> Option<Decimal> {
        let text = number.to_string();
        let (mantissa, exponent) = match text.split_once(['e', 'E']) {
            Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().ok()?),
            None => (text.as_str(), 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = format!("{whole}{fraction}").parse::<i128>().ok()?;
        let fraction_digits = i32::try_from(fraction.len()).ok()?;
        Some(Decimal {
            digits,
            exponent: exponent.checked_sub(fraction_digits)?,
        })
    }

    /// Both numbers as integers at the smaller exponent.
    fn aligned(&self, other: &Decimal) -> Option<(i128, i128)> {
        let exponent = self.exponent.min(other.exponent);
        let scale = |decimal: &Decimal| {
            let shift = u32::try_from(decimal.exponent - exponent).ok()?;
            10_i128.checked_pow(shift)?.checked_mul(decimal.digits)
        };
        Some((scale(self)?, scale(other)?))
    }

    fn equals(&self, other: &Decimal) -> bool {
        self.aligned(other).is_some_and(|(this, that)| this == that)
    }

    fn is_multiple_of(&self, divisor: &Decimal) -> bool {
        self.aligned(divisor)
            .is_some_and(|(this, divisor)| divisor != 0 && this % divisor == 0)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn multiple_of(original: serde_json::Value, update: serde_json::Value) -> Option<ChangeKind> {
        let number = |value: serde_json::Value| match value {
            serde_json::Value::Number(number) => number,
            other => panic!("{other} is not a number"),
        };
        compare_multiple_of(Some(&number(original)), Some(&number(update)))
    }

    #[test]
    fn multiple_of_is_compared_exactly_in_decimal() {
        assert_eq!(
            multiple_of(json!(0.1), json!(0.3)),
            Some(ChangeKind::MultipleOfExpanded)
        );
        assert_eq!(
            multiple_of(json!(0.3), json!(0.1)),
            Some(ChangeKind::MultipleOfReduced)
        );
        assert_eq!(
            multiple_of(json!(0.5), json!(10)),
            Some(ChangeKind::MultipleOfExpanded)
        );
        assert_eq!(multiple_of(json!(0.5), json!(0.50)), None);
        assert_eq!(multiple_of(json!(2), json!(2.0)), None);
        assert_eq!(
            multiple_of(json!(10), json!(11)),
            Some(ChangeKind::MultipleOfChanged)
        );
        assert_eq!(
            multiple_of(json!(1e-3), json!(0.002)),
            Some(ChangeKind::MultipleOfExpanded)
        );
    }
}
