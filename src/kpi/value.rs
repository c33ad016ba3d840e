//! KPI values: an exact decimal with the numerator and denominator it came
//! from, or an explicit [`KpiValue::Undefined`] with a reason.
//!
//! ```
//! use crmkit::kpi::catalog::KpiId;
//! use crmkit::kpi::{KpiValue, Measurement};
//! use rust_decimal::Decimal;
//!
//! let m = Measurement::ratio(KpiId::WinRate, Decimal::from(2), Decimal::from(5), "no deals closed");
//! assert_eq!(m.value.as_decimal(), Some(Decimal::from(40)));
//! let none = Measurement::ratio(KpiId::WinRate, Decimal::ZERO, Decimal::ZERO, "no deals closed");
//! assert!(matches!(none.value, KpiValue::Undefined { .. }));
//! Ok::<(), crmkit::Error>(())
//! ```

use rust_decimal::Decimal;
use serde::Serialize;

use super::catalog::{KpiId, Unit};
use crate::money::{Currency, decimal_serde};

/// Why a KPI has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UndefinedCode {
    /// The denominator is zero (no deals closed, no customers at the start).
    EmptyDenominator,
    /// The value needs data the host did not configure (service spend).
    NotConfigured,
    /// The arithmetic overflowed the exact decimal range.
    Overflow,
    /// The data holds no record of the kind the KPI is built on (no deals
    /// at all, no purchases at all): the value cannot be told, it is not 0.
    MissingData,
    /// The KPI looks back before the first record of the data (an activity
    /// window or contracts that started before it), so the customers it
    /// counts cannot be told.
    InsufficientHistory,
}

/// The value of one KPI: a number, or undefined with a reason. Never NaN.
///
/// JSON: `{"status": "defined", "value": "40"}` or
/// `{"status": "undefined", "code": "empty_denominator", "reason": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum KpiValue {
    /// A value in the KPI's unit (35 means 35 % for a percent KPI).
    Defined {
        /// The value.
        #[serde(with = "decimal_serde")]
        value: Decimal,
    },
    /// No value can be given.
    Undefined {
        /// Machine-readable reason.
        code: UndefinedCode,
        /// Human-readable reason.
        reason: String,
    },
}

impl KpiValue {
    /// The value, if defined.
    pub fn as_decimal(&self) -> Option<Decimal> {
        match self {
            KpiValue::Defined { value } => Some(*value),
            KpiValue::Undefined { .. } => None,
        }
    }

    /// `true` when defined.
    pub fn is_defined(&self) -> bool {
        matches!(self, KpiValue::Defined { .. })
    }
}

/// One row of a KPI's breakdown (a stage of a pipeline, a lifecycle stage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakdownRow {
    /// What the row is about (`"sales/proposal"`, `"mql"`).
    pub key: String,
    /// The value for that row.
    #[serde(flatten)]
    pub value: KpiValue,
    /// Numerator of the row.
    #[serde(with = "decimal_serde")]
    pub numerator: Decimal,
    /// Denominator of the row.
    #[serde(with = "decimal_serde")]
    pub denominator: Decimal,
}

/// A computed KPI: its value with the numerator and denominator it was
/// computed from, its unit and (for money) currency.
///
/// For plain counts and sums the denominator is 1. For a percent,
/// `value = numerator / denominator × 100`; for every other unit
/// `value = numerator / denominator`. Durations are in the catalog unit
/// (days, hours or minutes). A median over an even number of items has the
/// two middle items' sum as numerator and 2 as denominator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Measurement {
    /// Which KPI.
    pub kpi: KpiId,
    /// The value or why there is none.
    #[serde(flatten)]
    pub value: KpiValue,
    /// Numerator.
    #[serde(with = "decimal_serde")]
    pub numerator: Decimal,
    /// Denominator.
    #[serde(with = "decimal_serde")]
    pub denominator: Decimal,
    /// Unit of the value.
    pub unit: Unit,
    /// Currency, for money KPIs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// Per-stage (or other) breakdown, when the KPI has one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub breakdown: Vec<BreakdownRow>,
}

/// `numerator / denominator × scale`, or undefined when the denominator is
/// zero or the result overflows.
pub(crate) fn divide(
    numerator: Decimal,
    denominator: Decimal,
    scale: Decimal,
    empty_reason: &str,
) -> KpiValue {
    if denominator.is_zero() {
        return KpiValue::Undefined {
            code: UndefinedCode::EmptyDenominator,
            reason: empty_reason.to_string(),
        };
    }
    match numerator
        .checked_mul(scale)
        .and_then(|n| n.checked_div(denominator))
    {
        Some(value) => KpiValue::Defined {
            value: value.normalize(),
        },
        None => KpiValue::Undefined {
            code: UndefinedCode::Overflow,
            reason: format!("{numerator} / {denominator} overflows"),
        },
    }
}

impl Measurement {
    /// A measurement in the KPI's catalog unit: a percent is scaled by 100,
    /// everything else is `numerator / denominator`. `empty_reason` explains
    /// an empty denominator.
    pub fn ratio(
        kpi: KpiId,
        numerator: Decimal,
        denominator: Decimal,
        empty_reason: &str,
    ) -> Measurement {
        let unit = kpi.definition().unit;
        let scale = if unit == Unit::Percent {
            Decimal::ONE_HUNDRED
        } else {
            Decimal::ONE
        };
        Measurement {
            kpi,
            value: divide(numerator, denominator, scale, empty_reason),
            numerator,
            denominator,
            unit,
            currency: None,
            breakdown: Vec::new(),
        }
    }

    /// A plain count or sum (denominator 1).
    pub fn total(kpi: KpiId, value: Decimal) -> Measurement {
        Measurement::ratio(kpi, value, Decimal::ONE, "")
    }

    /// An undefined measurement with a reason.
    pub fn undefined(kpi: KpiId, code: UndefinedCode, reason: impl Into<String>) -> Measurement {
        Measurement {
            kpi,
            value: KpiValue::Undefined {
                code,
                reason: reason.into(),
            },
            numerator: Decimal::ZERO,
            denominator: Decimal::ZERO,
            unit: kpi.definition().unit,
            currency: None,
            breakdown: Vec::new(),
        }
    }

    /// Sets the currency (for money KPIs).
    pub fn with_currency(mut self, currency: Currency) -> Measurement {
        self.currency = Some(currency);
        self
    }

    /// Sets the breakdown.
    pub fn with_breakdown(mut self, breakdown: Vec<BreakdownRow>) -> Measurement {
        self.breakdown = breakdown;
        self
    }
}
