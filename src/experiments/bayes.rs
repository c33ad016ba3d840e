//! Bayesian beta-binomial comparison of two conversion rates, in closed
//! form (no Monte Carlo noise).
//!
//! With a Beta(α₀, β₀) prior each arm's posterior is
//! Beta(α₀ + conversions, β₀ + visitors − conversions). For posteriors
//! `p_A ~ Beta(α_A, β_A)` and `p_B ~ Beta(α_B, β_B)` with integer `α_B`,
//! Evan Miller's formula ("Formulas for Bayesian A/B Testing", 2015) gives
//!
//! `P(p_B > p_A) = Σ_{i=0}^{α_B−1} B(α_A + i, β_A + β_B) / ((β_B + i) B(1 + i, β_B) B(α_A, β_A))`.
//!
//! The terms are summed in log space with the ratio of consecutive terms
//! `(α_A + i)(β_B + i) / ((α_A + β_A + β_B + i)(i + 1))`. When only `α_A`
//! is an integer the symmetric sum is used (`1 − P(p_A > p_B)`).
//!
//! The expected loss of choosing B (Chris Stucchio, "Bayesian A/B Testing
//! at VWO", 2015) is
//! `E[max(p_A − p_B, 0)] = α_A/(α_A+β_A) · P(X_{α_A+1,β_A} > p_B) − α_B/(α_B+β_B) · P(p_A > X_{α_B+1,β_B})`,
//! which needs the same probabilities with one shape raised by one.
//! Credible intervals are the equal-tailed Beta quantiles.

use serde::{Deserialize, Serialize};

use super::distributions::{beta_quantile, ln_beta};
use super::proportions::Proportion;
use super::report::{Interval, check_probability, numeric};
use crate::predict::special::log_add_exp;
use crate::{Error, ErrorKind, Result};

/// A Beta(alpha, beta) distribution, used as prior and posterior.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Beta {
    /// First shape (prior successes + 1 for the uniform prior).
    pub alpha: f64,
    /// Second shape.
    pub beta: f64,
}

impl Default for Beta {
    /// The uniform prior Beta(1, 1).
    fn default() -> Self {
        Beta {
            alpha: 1.0,
            beta: 1.0,
        }
    }
}

impl Beta {
    /// Checks both shapes are finite and positive.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] naming the shape.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [("alpha", self.alpha), ("beta", self.beta)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid(
                    name,
                    format!("shape must be finite and positive, got {v}"),
                ));
            }
        }
        Ok(())
    }

    /// The posterior after observing an arm.
    pub fn posterior(&self, arm: Proportion) -> Beta {
        Beta {
            alpha: self.alpha + arm.conversions as f64,
            beta: self.beta + (arm.visitors - arm.conversions) as f64,
        }
    }

    /// The mean α / (α + β).
    pub fn mean(&self) -> f64 {
        self.alpha / (self.alpha + self.beta)
    }

    fn raised_alpha(&self) -> Beta {
        Beta {
            alpha: self.alpha + 1.0,
            beta: self.beta,
        }
    }
}

fn is_integer(x: f64) -> bool {
    x.fract() == 0.0 && (1.0..=1e9).contains(&x)
}

/// Miller's sum for P(X_b > X_a), `b.alpha` a positive integer.
fn miller_sum(a: Beta, b: Beta) -> Result<f64> {
    let ln_b0 = numeric(ln_beta(a.alpha, a.beta + b.beta), "ln B")?
        - numeric(ln_beta(a.alpha, a.beta), "ln B")?;
    let mut log_term = ln_b0;
    let mut log_sum = f64::NEG_INFINITY;
    let n = b.alpha as u64;
    for i in 0..n {
        log_sum = log_add_exp(log_sum, log_term);
        let i = i as f64;
        log_term += ((a.alpha + i) * (b.beta + i)).ln()
            - ((a.alpha + a.beta + b.beta + i) * (i + 1.0)).ln();
    }
    Ok(log_sum.exp().clamp(0.0, 1.0))
}

/// P(X_b > X_a) for independent Beta variables, by Evan Miller's closed
/// form. One of the two first shapes must be an integer (it is whenever the
/// prior's alpha is).
///
/// # Errors
///
/// [`ErrorKind::Invalid`] for invalid shapes; [`ErrorKind::Unsupported`]
/// when neither first shape is an integer up to 1e9.
pub fn probability_greater(b: Beta, a: Beta) -> Result<f64> {
    a.validate()?;
    b.validate()?;
    if is_integer(b.alpha) && (b.alpha <= a.alpha || !is_integer(a.alpha)) {
        miller_sum(a, b)
    } else if is_integer(a.alpha) {
        Ok(1.0 - miller_sum(b, a)?)
    } else {
        Err(Error::new(
            ErrorKind::Unsupported,
            "the closed form needs an integer first shape (use an integer prior alpha)",
        ))
    }
}

/// The Bayesian comparison of a variant with the control.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BayesianComparison {
    /// `"beta_binomial_closed_form"`.
    pub method: &'static str,
    /// The prior both arms share.
    pub prior: Beta,
    /// P(variant's rate > control's rate).
    pub probability_variant_beats_control: f64,
    /// E[max(p_control − p_variant, 0)]: the conversion rate lost, on
    /// average, if the variant is chosen.
    pub expected_loss_choosing_variant: f64,
    /// E[max(p_variant − p_control, 0)].
    pub expected_loss_choosing_control: f64,
    /// Equal-tailed credible interval of the control's rate (estimate: the
    /// posterior mean).
    pub control_rate: Interval,
    /// Equal-tailed credible interval of the variant's rate.
    pub variant_rate: Interval,
}

fn credible(posterior: Beta, level: f64) -> Result<Interval> {
    let tail = (1.0 - level) / 2.0;
    Ok(Interval {
        estimate: posterior.mean(),
        low: numeric(
            beta_quantile(tail, posterior.alpha, posterior.beta),
            "beta quantile",
        )?,
        high: numeric(
            beta_quantile(1.0 - tail, posterior.alpha, posterior.beta),
            "beta quantile",
        )?,
        level,
        method: "beta_posterior_equal_tailed",
    })
}

/// Compares `variant` with `control` under a shared Beta `prior`.
///
/// # Errors
///
/// [`ErrorKind::Invalid`] for an invalid prior or `level` outside (0, 1);
/// [`ErrorKind::Unsupported`] for a prior whose alpha is not an integer.
pub fn compare_bayesian(
    control: Proportion,
    variant: Proportion,
    prior: Beta,
    level: f64,
) -> Result<BayesianComparison> {
    prior.validate().map_err(|e| e.with_path_prefix("prior"))?;
    check_probability(level, "credible_level")?;
    control
        .validate()
        .map_err(|e| e.with_path_prefix("control"))?;
    variant
        .validate()
        .map_err(|e| e.with_path_prefix("variant"))?;
    let a = prior.posterior(control);
    let b = prior.posterior(variant);
    let p_b = probability_greater(b, a)?;
    // Loss of choosing B: E[p_A 1{p_A > p_B}] − E[p_B 1{p_A > p_B}].
    let loss_b = a.mean() * probability_greater(a.raised_alpha(), b)?
        - b.mean() * probability_greater(a, b.raised_alpha())?;
    let loss_a = b.mean() * probability_greater(b.raised_alpha(), a)?
        - a.mean() * probability_greater(b, a.raised_alpha())?;
    Ok(BayesianComparison {
        method: "beta_binomial_closed_form",
        prior,
        probability_variant_beats_control: p_b,
        expected_loss_choosing_variant: loss_b.max(0.0),
        expected_loss_choosing_control: loss_a.max(0.0),
        control_rate: credible(a, level)?,
        variant_rate: credible(b, level)?,
    })
}
