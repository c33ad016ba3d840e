//! Means (revenue per recipient, order value): Welch's unequal-variance
//! t-test with the Welch–Satterthwaite degrees of freedom, the t interval
//! for the difference and a delta-method interval for the lift.
//!
//! `t = (x̄_B − x̄_A) / √(s_A²/n_A + s_B²/n_B)`,
//! `ν = (s_A²/n_A + s_B²/n_B)² / ((s_A²/n_A)²/(n_A − 1) + (s_B²/n_B)²/(n_B − 1))`,
//! as in scipy's `ttest_ind(equal_var=False)` and the textbooks; `s` is the
//! sample standard deviation (divisor `n − 1`).

use serde::Serialize;

use super::distributions::{student_t_quantile, student_t_two_sided};
use super::report::{Assumption, Interval, TestResult, check_probability, numeric};
use crate::{Error, Result};

/// Size, mean and sample standard deviation of one arm's metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SampleSummary {
    /// Number of observations (recipients).
    pub n: u64,
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation (divisor `n − 1`).
    pub sd: f64,
}

impl SampleSummary {
    /// Builds a summary, refusing fewer than two observations, a
    /// non-finite mean or a negative or non-finite standard deviation.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) naming the field.
    pub fn new(n: u64, mean: f64, sd: f64) -> Result<Self> {
        if n < 2 {
            return Err(Error::invalid(
                "n",
                format!("an arm needs at least 2 observations for a variance, got {n}"),
            ));
        }
        if !mean.is_finite() {
            return Err(Error::invalid("mean", "mean must be a finite number"));
        }
        if !(sd.is_finite() && sd >= 0.0) {
            return Err(Error::invalid(
                "sd",
                "standard deviation must be finite and not negative",
            ));
        }
        Ok(SampleSummary { n, mean, sd })
    }

    /// Checks a summary whose fields were filled directly ([`welch_t_test`]
    /// calls it, so a summary built without [`SampleSummary::new`] is
    /// refused the same way).
    ///
    /// # Errors
    ///
    /// As [`SampleSummary::new`].
    pub fn validate(&self) -> Result<()> {
        SampleSummary::new(self.n, self.mean, self.sd).map(|_| ())
    }

    /// Summarises raw observations (two-pass mean and variance).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for fewer than two
    /// values or a non-finite value (naming its index).
    pub fn from_values(values: &[f64]) -> Result<Self> {
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(Error::invalid(
                format!("values[{i}]"),
                "value must be a finite number",
            ));
        }
        if values.len() < 2 {
            return Err(Error::invalid(
                "values",
                format!(
                    "an arm needs at least 2 observations for a variance, got {}",
                    values.len()
                ),
            ));
        }
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        SampleSummary::new(values.len() as u64, mean, (ss / (n - 1.0)).sqrt())
    }
}

/// Welch's test of two means with intervals for the difference and lift.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeanComparison {
    /// Welch's t-test.
    pub test: TestResult,
    /// `x̄_variant − x̄_control` with its Welch t interval.
    pub difference: Interval,
    /// `x̄_variant / x̄_control − 1` with a delta-method interval; `None`
    /// when the control mean is zero.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lift: Option<Interval>,
}

/// Compares two means (`variant` against `control`) with Welch's t-test.
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for `alpha` outside
/// (0, 1) or when both standard deviations are zero (the test is
/// undefined).
pub fn welch_t_test(
    control: SampleSummary,
    variant: SampleSummary,
    alpha: f64,
) -> Result<MeanComparison> {
    check_probability(alpha, "alpha")?;
    control
        .validate()
        .map_err(|e| e.with_path_prefix("control"))?;
    variant
        .validate()
        .map_err(|e| e.with_path_prefix("variant"))?;
    let (na, nb) = (control.n as f64, variant.n as f64);
    let (va, vb) = (control.sd * control.sd / na, variant.sd * variant.sd / nb);
    let se2 = va + vb;
    if se2 <= 0.0 {
        return Err(Error::invalid(
            "arms",
            "both arms have zero variance, so Welch's t-test is undefined",
        ));
    }
    let se = se2.sqrt();
    let diff = variant.mean - control.mean;
    let t = diff / se;
    let df = se2 * se2 / (va * va / (na - 1.0) + vb * vb / (nb - 1.0));
    let p_value = numeric(student_t_two_sided(t, df), "t tail")?;
    let t_crit = numeric(student_t_quantile(1.0 - alpha / 2.0, df), "t quantile")?;
    let difference = Interval {
        estimate: diff,
        low: diff - t_crit * se,
        high: diff + t_crit * se,
        level: 1.0 - alpha,
        method: "welch_t",
    };
    let lift = (control.mean != 0.0).then(|| {
        let ratio = variant.mean / control.mean;
        // Var(x̄_B/x̄_A) ≈ (v_B + ratio² v_A) / x̄_A² (first-order delta method).
        let se_ratio = ((vb + ratio * ratio * va) / (control.mean * control.mean)).sqrt();
        Interval {
            estimate: ratio - 1.0,
            low: ratio - 1.0 - t_crit * se_ratio,
            high: ratio - 1.0 + t_crit * se_ratio,
            level: 1.0 - alpha,
            method: "delta_method_ratio",
        }
    });
    let smallest = control.n.min(variant.n);
    Ok(MeanComparison {
        test: TestResult {
            test: "welch_t_test",
            statistic: t,
            degrees_of_freedom: Some(df),
            p_value,
            alpha,
            significant: p_value < alpha,
            assumptions: vec![
                Assumption {
                    code: "normal_sampling_distribution",
                    holds: smallest >= 30,
                    detail: format!(
                        "means are close to normal for n >= 30 per arm (central limit rule of thumb; heavy-tailed revenue needs more); smallest arm has {smallest}"
                    ),
                },
                Assumption {
                    code: "independent_randomised_arms",
                    holds: true,
                    detail: "each recipient counted once, in one arm assigned at random (ensured by the design, not checked)".into(),
                },
            ],
        },
        difference,
        lift,
    })
}
