//! The pieces every test result is made of: the test's identity, its
//! statistic and p-value, its assumptions (and whether they hold), and
//! intervals with their method.

use serde::{Deserialize, Serialize};

/// What the experiment measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// A conversion rate: arms give `visitors` and `conversions`.
    Conversion,
    /// A mean (revenue per recipient): arms give `n`, `mean`, `sd` or raw
    /// `values`.
    Mean,
}

/// One assumption of a test and whether the data satisfy it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assumption {
    /// A stable machine-readable code, e.g. `expected_counts_at_least_5`.
    pub code: &'static str,
    /// Whether the data satisfy it (`true` for assumptions the data cannot
    /// check, such as independent samples, which the design must ensure).
    pub holds: bool,
    /// What was checked, with the numbers.
    pub detail: String,
}

/// The outcome of one hypothesis test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestResult {
    /// Which test, e.g. `two_proportion_z_test`, `pearson_chi_square`,
    /// `welch_t_test`.
    pub test: &'static str,
    /// The test statistic (z, χ² or t).
    pub statistic: f64,
    /// Degrees of freedom, where the reference distribution has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub degrees_of_freedom: Option<f64>,
    /// The two-sided p-value.
    pub p_value: f64,
    /// The significance level the verdict used.
    pub alpha: f64,
    /// `p_value < alpha`.
    pub significant: bool,
    /// The test's assumptions and whether they hold.
    pub assumptions: Vec<Assumption>,
}

impl TestResult {
    /// Whether every assumption holds.
    pub fn assumptions_hold(&self) -> bool {
        self.assumptions.iter().all(|a| a.holds)
    }
}

/// A point estimate with a two-sided interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interval {
    /// The point estimate.
    pub estimate: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// Coverage, e.g. 0.95.
    pub level: f64,
    /// How the interval was computed, e.g. `wald_unpooled`.
    pub method: &'static str,
}

/// Checks a significance level or coverage lies strictly between 0 and 1.
pub(crate) fn check_probability(value: f64, path: &str) -> crate::Result<()> {
    if value > 0.0 && value < 1.0 {
        Ok(())
    } else {
        Err(crate::Error::invalid(
            path,
            format!("must lie strictly between 0 and 1, got {value}"),
        ))
    }
}

/// Turns an out-of-domain special-function result into a numerical error.
pub(crate) fn numeric<T>(value: Option<T>, what: &str) -> crate::Result<T> {
    value.ok_or_else(|| {
        crate::Error::new(
            crate::ErrorKind::Numerical,
            format!("{what} could not be computed for these inputs"),
        )
    })
}
