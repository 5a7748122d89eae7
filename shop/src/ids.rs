//! The shop's identifiers and money. Ids are small numbers shown with a prefix (`O-0042`) and
//! serialised as those strings, so payloads read well and parse back exactly.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident($inner:ty), $prefix:literal, $width:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub $inner);

        impl $name {
            pub const PREFIX: &'static str = $prefix;
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "-{:0", $width, "}"), self.0)
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;

            /// Accepts `O-0042`, `o-42` or plain `42`.
            fn from_str(text: &str) -> Result<Self, InvalidId> {
                let text = text.trim();
                let digits = match text.split_once('-') {
                    Some((prefix, digits)) if prefix.eq_ignore_ascii_case($prefix) => digits,
                    Some(_) => return Err(InvalidId { kind: stringify!($name), text: text.into() }),
                    None => text,
                };
                digits
                    .parse::<$inner>()
                    .ok()
                    .filter(|&n| n > 0)
                    .map($name)
                    .ok_or_else(|| InvalidId { kind: stringify!($name), text: text.into() })
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

prefixed_id!(
    /// An order number, handed out by the shop in sequence from 1.
    OrderId(u32), "O", 4
);
prefixed_id!(
    /// A customer of the shop.
    CustomerId(u32), "C", 3
);
prefixed_id!(
    /// A stock-keeping unit: one product in the catalog.
    Sku(u16), "SKU", 2
);

/// A piece of text that was meant to be an id and is not one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is not a valid {kind} (expected a positive number, optionally prefixed)")]
pub struct InvalidId {
    pub kind: &'static str,
    pub text: String,
}

/// An amount of money in cents. Integer cents, so sums never drift.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn cents(self) -> i64 {
        self.0
    }

    pub fn times(self, quantity: u32) -> Money {
        Money(self.0.saturating_mul(i64::from(quantity)))
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0.saturating_add(other.0))
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money(self.0.saturating_sub(other.0))
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_cents(self.0))
    }
}

/// `123456` cents as `$1,234.56`; negative amounts as `-$1,234.56`.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let dollars = (cents / 100).to_string();
    let mut grouped = String::with_capacity(dollars.len() + dollars.len() / 3);
    for (i, digit) in dollars.chars().enumerate() {
        if i > 0 && (dollars.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}${grouped}.{:02}", cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_print_with_prefix_and_parse_leniently() {
        assert_eq!(OrderId(42).to_string(), "O-0042");
        assert_eq!("O-0042".parse(), Ok(OrderId(42)));
        assert_eq!("o-42".parse(), Ok(OrderId(42)));
        assert_eq!(" 42 ".parse(), Ok(OrderId(42)));
        assert!("C-42".parse::<OrderId>().is_err());
        assert!("0".parse::<OrderId>().is_err());
        assert!("forty".parse::<Sku>().is_err());
        assert_eq!(Sku(3).to_string(), "SKU-03");
    }

    #[test]
    fn ids_serialise_as_their_display_form() {
        assert_eq!(serde_json::to_string(&CustomerId(7)).unwrap(), "\"C-007\"");
        assert_eq!(
            serde_json::from_str::<CustomerId>("\"C-007\"").unwrap(),
            CustomerId(7)
        );
    }

    #[test]
    fn money_formats_with_grouping() {
        assert_eq!(Money(123_456).to_string(), "$1,234.56");
        assert_eq!(Money(-5).to_string(), "-$0.05");
        assert_eq!(Money(100_000_000).to_string(), "$1,000,000.00");
    }
}
