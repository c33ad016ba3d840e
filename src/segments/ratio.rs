//! A ratio with its numerator and denominator, as the KPIs report them:
//! the value is defined, or undefined with a reason (never NaN).

use rust_decimal::Decimal;
use serde::Serialize;

use crate::kpi::KpiValue;
use crate::money::decimal_serde;

/// A value with the numerator and denominator it was computed from.
///
/// JSON: `{"status": "defined", "value": "50", "numerator": "2",
/// "denominator": "4"}`, or `"status": "undefined"` with `code` and `reason`
/// instead of `value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ratio {
    /// The value, or why there is none.
    #[serde(flatten)]
    pub value: KpiValue,
    /// Numerator.
    #[serde(with = "decimal_serde")]
    pub numerator: Decimal,
    /// Denominator.
    #[serde(with = "decimal_serde")]
    pub denominator: Decimal,
}

impl Ratio {
    /// `numerator / denominator × scale` (100 for a percent).
    pub(crate) fn new(
        numerator: Decimal,
        denominator: Decimal,
        scale: Decimal,
        empty_reason: &str,
    ) -> Ratio {
        Ratio {
            value: crate::kpi::value::divide(numerator, denominator, scale, empty_reason),
            numerator,
            denominator,
        }
    }
}
