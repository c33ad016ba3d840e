//! Exact points: the decimal form used by explanations and the fixed-point
//! form (integer units of 1/10,000 point) used by the batch path, with the
//! one rounding rule both share.
//!
//! Every number a model author writes (points, caps, weights, thresholds)
//! has at most four decimal places, so it is exactly an integer number of
//! units. Products (points × decay factor, score × weight) have up to eight
//! decimal places and are rounded to four, half away from zero; sums are
//! exact. Doing the same in `i128` units and in `Decimal` therefore gives
//! the same digits, which `tests/scoring_props.rs` checks.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::{Error, ErrorKind, Result};

/// Decimal places of every score, contribution and factor.
pub const SCALE: u32 = 4;

/// Fixed-point units per point (10^[`SCALE`]).
pub const UNITS_PER_POINT: i64 = 10_000;

/// The largest magnitude, in points, of a rule's contribution after its cap;
/// a larger one is an [`ErrorKind::Overflow`] error in both paths.
pub const MAX_RULE_POINTS: i64 = 100_000_000_000;

/// The largest magnitude, in points, of the total score; it keeps every
/// total representable as `i64` units.
pub const MAX_TOTAL_POINTS: i64 = 900_000_000_000_000;

/// Serde for decimal scores: written as JSON strings (`"12.5"`) straight
/// into the output, read from strings or numbers.
pub(crate) mod score_serde {
    use rust_decimal::Decimal;
    use serde::{Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(value)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        crate::money::decimal_serde::deserialize(d)
    }

    /// The same for `Option<Decimal>` (`null` when absent).
    pub(crate) mod option {
        use rust_decimal::Decimal;
        use serde::{Deserializer, Serializer};

        pub(crate) fn serialize<S: Serializer>(
            value: &Option<Decimal>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(v) => s.collect_str(v),
                None => s.serialize_none(),
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Decimal>, D::Error> {
            crate::money::decimal_serde::option::deserialize(d)
        }
    }
}

/// Rounds to [`SCALE`] places, half away from zero.
pub(crate) fn round(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(SCALE, RoundingStrategy::MidpointAwayFromZero)
}

/// A product of two unit values (each scaled by 10^4), rounded back to
/// units half away from zero: the fixed-point twin of `round(a * b)`.
pub(crate) fn mul_units(a: i128, b: i128) -> i128 {
    // 64-bit division is several times cheaper; most products fit.
    if let (Ok(a), Ok(b)) = (i64::try_from(a), i64::try_from(b))
        && let Some(product) = a.checked_mul(b)
    {
        return i128::from(round_product(product));
    }
    let product = a * b;
    let unit = i128::from(UNITS_PER_POINT);
    let quotient = product / unit;
    let rest = product % unit;
    if rest.abs() * 2 >= unit {
        quotient + product.signum()
    } else {
        quotient
    }
}

/// [`mul_units`] in `i64`, for factors known to keep `a * b` within `i64`
/// (|points| ≤ 10¹⁰ units times a decay factor ≤ 10⁴ units).
#[inline]
pub(crate) fn mul_units_i64(a: i64, b: i64) -> i64 {
    round_product(a.saturating_mul(b))
}

/// A product of two unit values (scaled by 10^8) rounded back to units,
/// half away from zero.
#[inline]
fn round_product(product: i64) -> i64 {
    let quotient = product / UNITS_PER_POINT;
    let rest = product % UNITS_PER_POINT;
    if rest.abs() * 2 >= UNITS_PER_POINT {
        quotient + product.signum()
    } else {
        quotient
    }
}

/// The decimal value of `units`.
pub(crate) fn from_units(units: i128) -> Decimal {
    Decimal::from_i128_with_scale(units, SCALE).normalize()
}

/// The exact units of `value`, or `None` when it has more than four decimal
/// places or is too large.
pub(crate) fn to_units(value: Decimal) -> Option<i64> {
    let scaled = value.checked_mul(Decimal::from(UNITS_PER_POINT))?;
    if !scaled.fract().is_zero() {
        return None;
    }
    i64::try_from(scaled.trunc().mantissa() / 10_i128.pow(scaled.trunc().scale())).ok()
}

/// Checks that a number written in the model has at most four decimal
/// places and a magnitude of at most `limit`, and returns it.
pub(crate) fn checked_amount(value: Decimal, limit: i64, path: &str) -> Result<Decimal> {
    if value.abs() > Decimal::from(limit) {
        return Err(Error::invalid(
            path,
            format!("expected a number between -{limit} and {limit}, found {value}"),
        ));
    }
    if to_units(value).is_none() {
        return Err(Error::invalid(
            path,
            format!("expected at most {SCALE} decimal places, found {value}"),
        ));
    }
    Ok(value.normalize())
}

pub(crate) fn rule_overflow(rule: &str) -> Error {
    Error::new(
        ErrorKind::Overflow,
        format!("rule {rule:?} contributes more than {MAX_RULE_POINTS} points"),
    )
}

pub(crate) fn total_overflow() -> Error {
    Error::new(
        ErrorKind::Overflow,
        format!("the total score exceeds {MAX_TOTAL_POINTS} points"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_products_round_like_decimals() {
        let cases = [
            (15_000, 5_000),
            (-15_000, 5_000),
            (1, 5_000),
            (-1, 5_000),
            (3, 3_333),
            (123_456_789, 9_999),
            (-7, 7_143),
        ];
        for (a, b) in cases {
            let fixed = from_units(mul_units(a, b));
            let exact = round(from_units(a) * from_units(b));
            assert_eq!(fixed, exact, "{a} x {b}");
            let narrow = mul_units_i64(a as i64, b as i64);
            assert_eq!(from_units(i128::from(narrow)), exact, "{a} x {b} in i64");
        }
    }

    #[test]
    fn units_are_exact_or_refused() {
        assert_eq!(to_units("1.2345".parse().unwrap()), Some(12_345));
        assert_eq!(to_units("-0.5".parse().unwrap()), Some(-5_000));
        assert_eq!(to_units("0.00001".parse().unwrap()), None);
        let err = checked_amount("1.00001".parse().unwrap(), 10, "rules[0].points").unwrap_err();
        assert_eq!(err.path(), Some("rules[0].points"));
        assert!(checked_amount(Decimal::from(11), 10, "x").is_err());
    }
}
