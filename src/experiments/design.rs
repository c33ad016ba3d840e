//! Planning and health checks: sample size and minimum detectable effect
//! for conversion rates and means, and the sample ratio mismatch check.
//!
//! Sample size per arm for two proportions (two-sided level α, power
//! 1 − β; the normal-approximation formula without continuity correction,
//! e.g. Chow, Shao & Wang, *Sample Size Calculations in Clinical
//! Research*, §4.2, and Fleiss, Levin & Paik 2003):
//!
//! `n = (z_{1−α/2} √(2 p̄ q̄) + z_{1−β} √(p₁q₁ + p₂q₂))² / (p₂ − p₁)²`,
//! `p̄ = (p₁ + p₂)/2`, rounded up.
//!
//! For means with a common standard deviation σ:
//! `n = 2 (z_{1−α/2} + z_{1−β})² σ² / δ²`, rounded up.
//!
//! The minimum detectable effect inverts these for a given `n` (closed form
//! for means; bisection on p₂ for proportions).
//!
//! The sample ratio mismatch check is Pearson's chi-square goodness-of-fit
//! test of the arm sizes against the planned split; by the usual industry
//! convention (Kohavi, Tang & Xu, *Trustworthy Online Controlled
//! Experiments*, ch. 21) a p-value below 0.001 flags a mismatch.

use serde::{Deserialize, Serialize};

use super::distributions::{chi_square_sf, normal_quantile};
use super::report::{Assumption, MetricKind, TestResult, check_probability, numeric};
use crate::{Error, Result};

/// The effect to detect, absolute (rate points, or metric units for means)
/// or relative to the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum EffectSize {
    /// `p₂ − p₁` (or `μ₂ − μ₁`).
    Absolute(f64),
    /// `p₂ / p₁ − 1`.
    Relative(f64),
}

/// The metric being planned for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanMetric {
    /// A conversion rate with its baseline.
    Conversion {
        /// The control's expected conversion rate, in (0, 1).
        baseline_rate: f64,
    },
    /// A mean with the metric's standard deviation.
    Mean {
        /// The control's expected mean (needed for relative effects).
        baseline_mean: f64,
        /// The standard deviation per observation, assumed equal in arms.
        sd: f64,
    },
}

/// Input of [`sample_size`]: give `effect` to solve for the size per arm,
/// or `per_arm` to solve for the minimum detectable effect.
///
/// JSON: `{"metric":"conversion","baseline":0.1,"effect":{"relative":0.2}}`
/// or `{"metric":"mean","baseline":50,"sd":25,"per_arm":1000}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleSizeRequest {
    /// Conversion rate or mean.
    pub metric: MetricKind,
    /// The control's expected rate (in (0, 1)) or mean.
    pub baseline: f64,
    /// Mean metric: the standard deviation per observation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// The effect to detect (solve for the size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<EffectSize>,
    /// The size per arm (solve for the minimum detectable effect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_arm: Option<u64>,
    /// Two-sided significance level; default 0.05.
    #[serde(default = "default_alpha")]
    pub alpha: f64,
    /// Power 1 − β; default 0.8.
    #[serde(default = "default_power")]
    pub power: f64,
    /// Number of arms (control included); the total is `arms × per_arm`.
    /// Default 2. The level applies per comparison (no multiplicity
    /// correction).
    #[serde(default = "default_arms")]
    pub arms: u32,
}

impl SampleSizeRequest {
    /// Parses a request from JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) naming the JSON path.
    pub fn from_json(json: &str) -> Result<Self> {
        Error::parse_json(json)
    }

    /// The metric with its parameters.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) when a mean metric
    /// has no `sd`.
    pub fn plan_metric(&self) -> Result<PlanMetric> {
        Ok(match self.metric {
            MetricKind::Conversion => PlanMetric::Conversion {
                baseline_rate: self.baseline,
            },
            MetricKind::Mean => PlanMetric::Mean {
                baseline_mean: self.baseline,
                sd: self
                    .sd
                    .ok_or_else(|| Error::invalid("sd", "required for the mean metric"))?,
            },
        })
    }
}

fn default_alpha() -> f64 {
    0.05
}
fn default_power() -> f64 {
    0.8
}
fn default_arms() -> u32 {
    2
}

/// The result of [`sample_size`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleSizePlan {
    /// `sample_size` or `minimum_detectable_effect`: what was solved for.
    pub solved_for: &'static str,
    /// Observations in each arm (needed, or given).
    pub per_arm: u64,
    /// `per_arm × arms`.
    pub total: u64,
    /// The absolute effect (planned, or detectable).
    pub absolute_effect: f64,
    /// The effect relative to the baseline; absent for a zero baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relative_effect: Option<f64>,
    /// The formula used.
    pub formula: &'static str,
}

fn z_values(alpha: f64, power: f64) -> Result<(f64, f64)> {
    check_probability(alpha, "alpha")?;
    check_probability(power, "power")?;
    Ok((
        numeric(normal_quantile(1.0 - alpha / 2.0), "normal quantile")?,
        numeric(normal_quantile(power), "normal quantile")?,
    ))
}

/// The mean metric's baseline must be a number and its standard deviation
/// finite and positive.
fn check_mean_plan(baseline_mean: f64, sd: f64) -> Result<()> {
    if !baseline_mean.is_finite() {
        return Err(Error::invalid(
            "baseline",
            format!("the baseline mean must be a finite number, got {baseline_mean}"),
        ));
    }
    if !(sd.is_finite() && sd > 0.0) {
        return Err(Error::invalid(
            "sd",
            "standard deviation must be finite and positive",
        ));
    }
    Ok(())
}

fn proportion_n(p1: f64, p2: f64, za: f64, zb: f64) -> f64 {
    let pbar = 0.5 * (p1 + p2);
    let root =
        za * (2.0 * pbar * (1.0 - pbar)).sqrt() + zb * (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
    root * root / ((p2 - p1) * (p2 - p1))
}

/// The sample size per arm to detect `effect` with the given level and
/// power.
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for a baseline outside
/// (0, 1), a zero effect, a target rate outside (0, 1), a non-positive
/// standard deviation, fewer than 2 arms, or level/power outside (0, 1);
/// [`ErrorKind::Overflow`](crate::ErrorKind::Overflow) when the size does
/// not fit in 64 bits.
pub fn sample_size(request: &SampleSizeRequest) -> Result<SampleSizePlan> {
    let (za, zb) = z_values(request.alpha, request.power)?;
    if request.arms < 2 {
        return Err(Error::invalid(
            "arms",
            "an experiment needs at least 2 arms",
        ));
    }
    let metric = request.plan_metric()?;
    let effect = match (request.effect, request.per_arm) {
        (Some(effect), None) => effect,
        (None, Some(per_arm)) => {
            let mde = minimum_detectable_effect(metric, per_arm, request.alpha, request.power)?;
            return Ok(SampleSizePlan {
                solved_for: "minimum_detectable_effect",
                per_arm,
                total: per_arm
                    .checked_mul(u64::from(request.arms))
                    .ok_or_else(|| Error::overflow("total sample size does not fit in 64 bits"))?,
                absolute_effect: mde.absolute,
                relative_effect: mde.relative,
                formula: match metric {
                    PlanMetric::Conversion { .. } => "two_proportions_normal_approximation",
                    PlanMetric::Mean { .. } => "two_means_normal_approximation",
                },
            });
        }
        _ => {
            return Err(Error::invalid(
                "effect",
                "give exactly one of effect (to solve for the size) and per_arm (to solve for the detectable effect)",
            ));
        }
    };
    let (n, absolute, formula) = match metric {
        PlanMetric::Conversion { baseline_rate } => {
            check_probability(baseline_rate, "baseline")?;
            let delta = match effect {
                EffectSize::Absolute(d) => d,
                EffectSize::Relative(r) => baseline_rate * r,
            };
            let target = baseline_rate + delta;
            if !(delta.is_finite() && delta != 0.0) {
                return Err(Error::invalid(
                    "effect",
                    "effect must be finite and not zero",
                ));
            }
            check_probability(target, "effect").map_err(|_| {
                Error::invalid("effect", format!("target rate {target} is outside (0, 1)"))
            })?;
            (
                proportion_n(baseline_rate, target, za, zb),
                delta,
                "two_proportions_normal_approximation",
            )
        }
        PlanMetric::Mean { baseline_mean, sd } => {
            check_mean_plan(baseline_mean, sd)?;
            let delta = match effect {
                EffectSize::Absolute(d) => d,
                EffectSize::Relative(r) => baseline_mean * r,
            };
            if !(delta.is_finite() && delta != 0.0) {
                return Err(Error::invalid(
                    "effect",
                    "effect must be finite and not zero",
                ));
            }
            let z = za + zb;
            (
                2.0 * z * z * sd * sd / (delta * delta),
                delta,
                "two_means_normal_approximation",
            )
        }
    };
    let per_arm = n.ceil();
    if !(per_arm.is_finite() && per_arm < 1.8e19) {
        return Err(Error::overflow("sample size does not fit in 64 bits"));
    }
    let per_arm = per_arm as u64;
    let total = per_arm
        .checked_mul(u64::from(request.arms))
        .ok_or_else(|| Error::overflow("total sample size does not fit in 64 bits"))?;
    let baseline = match metric {
        PlanMetric::Conversion { baseline_rate } => baseline_rate,
        PlanMetric::Mean { baseline_mean, .. } => baseline_mean,
    };
    Ok(SampleSizePlan {
        solved_for: "sample_size",
        per_arm,
        total,
        absolute_effect: absolute,
        relative_effect: (baseline != 0.0).then(|| absolute / baseline.abs()),
        formula,
    })
}

/// The smallest effect detectable with `per_arm` observations per arm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DetectableEffect {
    /// Absolute effect (rate points or metric units), upward.
    pub absolute: f64,
    /// Relative to the baseline; `None` for a zero baseline mean.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relative: Option<f64>,
}

/// The minimum detectable (upward) effect for a given size per arm.
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for `per_arm` zero,
/// inputs out of range as in [`sample_size`], or when no upward effect on a
/// conversion rate is detectable with this size (even a rate of 1 is not).
pub fn minimum_detectable_effect(
    metric: PlanMetric,
    per_arm: u64,
    alpha: f64,
    power: f64,
) -> Result<DetectableEffect> {
    let (za, zb) = z_values(alpha, power)?;
    if per_arm == 0 {
        return Err(Error::invalid("per_arm", "size per arm must be positive"));
    }
    let n = per_arm as f64;
    match metric {
        PlanMetric::Mean { baseline_mean, sd } => {
            check_mean_plan(baseline_mean, sd)?;
            let absolute = (za + zb) * sd * (2.0 / n).sqrt();
            Ok(DetectableEffect {
                absolute,
                relative: (baseline_mean != 0.0).then(|| absolute / baseline_mean.abs()),
            })
        }
        PlanMetric::Conversion { baseline_rate } => {
            check_probability(baseline_rate, "baseline")?;
            // proportion_n decreases as p₂ moves away from p₁: bisect on p₂.
            let (mut low, mut high) = (baseline_rate, 1.0 - f64::EPSILON);
            if proportion_n(baseline_rate, high, za, zb) > n {
                return Err(Error::invalid(
                    "per_arm",
                    "too few observations per arm to detect any upward effect",
                ));
            }
            for _ in 0..200 {
                let mid = 0.5 * (low + high);
                if proportion_n(baseline_rate, mid, za, zb) > n {
                    low = mid;
                } else {
                    high = mid;
                }
            }
            let absolute = high - baseline_rate;
            Ok(DetectableEffect {
                absolute,
                relative: Some(absolute / baseline_rate),
            })
        }
    }
}

/// The sample ratio mismatch check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleRatioCheck {
    /// The chi-square goodness-of-fit test of the arm sizes.
    pub test: TestResult,
    /// The threshold below which the p-value flags a mismatch.
    pub threshold: f64,
    /// Whether the split differs from the plan (p < threshold): results
    /// are then untrustworthy.
    pub mismatch: bool,
}

/// Tests whether the arm sizes `counts` fit the planned `weights` (any
/// positive numbers, normalised; empty means an equal split).
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for fewer than two
/// arms, a weight count different from the arm count, a non-positive
/// weight, no observations at all, or a threshold outside (0, 1).
pub fn sample_ratio_mismatch(
    counts: &[u64],
    weights: &[f64],
    threshold: f64,
) -> Result<SampleRatioCheck> {
    check_probability(threshold, "srm_threshold")?;
    if counts.len() < 2 {
        return Err(Error::invalid("arms", "the check needs at least two arms"));
    }
    let equal = vec![1.0; counts.len()];
    let weights = if weights.is_empty() {
        &equal[..]
    } else {
        weights
    };
    if weights.len() != counts.len() {
        return Err(Error::invalid(
            "expected_split",
            format!("{} weights for {} arms", weights.len(), counts.len()),
        ));
    }
    if let Some(i) = weights.iter().position(|w| !(w.is_finite() && *w > 0.0)) {
        return Err(Error::invalid(
            format!("expected_split[{i}]"),
            "weight must be finite and positive",
        ));
    }
    let total: f64 = counts.iter().map(|c| *c as f64).sum();
    if total <= 0.0 {
        return Err(Error::invalid("arms", "no observations in any arm"));
    }
    let weight_sum: f64 = weights.iter().sum();
    let mut statistic = 0.0;
    let mut smallest = f64::INFINITY;
    for (c, w) in counts.iter().zip(weights) {
        let expected = total * w / weight_sum;
        smallest = smallest.min(expected);
        let gap = *c as f64 - expected;
        statistic += gap * gap / expected;
    }
    let df = (counts.len() - 1) as f64;
    let p_value = numeric(chi_square_sf(statistic, df), "chi-square tail")?;
    Ok(SampleRatioCheck {
        test: TestResult {
            test: "chi_square_goodness_of_fit",
            statistic,
            degrees_of_freedom: Some(df),
            p_value,
            alpha: threshold,
            significant: p_value < threshold,
            assumptions: vec![Assumption {
                code: "expected_counts_at_least_5",
                holds: smallest >= 5.0,
                detail: format!("smallest expected arm size is {smallest}"),
            }],
        },
        threshold,
        mismatch: p_value < threshold,
    })
}
