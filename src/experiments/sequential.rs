//! An always-valid sequential test for those who read results every day:
//! the mixture sequential probability ratio test (mSPRT) of Johari, Pekelis
//! & Walsh ("Always Valid Inference", 2017; the method behind Optimizely's
//! Stats Engine), in its normal approximation.
//!
//! With the observed difference `θ̂ = x̄_B − x̄_A`, its variance
//! `V = σ_A²/n_A + σ_B²/n_B` and a normal mixing distribution N(0, τ²) over
//! the true difference, the mixture likelihood ratio against θ = 0 is
//!
//! `Λ = √(V / (V + τ²)) · exp(τ² θ̂² / (2 V (V + τ²)))`.
//!
//! The always-valid p-value is `min(1, 1/Λ)` at this look (the running
//! minimum over all earlier looks when they are supplied); H₀ is rejected
//! once `Λ ≥ 1/α`, and this may be checked after every visitor without
//! inflating the false-positive rate. τ should be about the size of effect
//! one expects (Johari et al. §4); the caller chooses it.

use serde::{Deserialize, Serialize};

use super::report::check_probability;
use crate::{Error, Result};

/// Options of the sequential test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SequentialOptions {
    /// Standard deviation τ of the normal mixing distribution over the true
    /// difference (rate points for conversions, metric units for means).
    pub mixing_sd: f64,
    /// The smallest always-valid p-value of earlier looks, if any (the
    /// p-value is the running minimum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_p_value: Option<f64>,
}

/// The result of the mSPRT at this look.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SequentialResult {
    /// `"msprt_normal_mixture"`.
    pub test: &'static str,
    /// `ln Λ`, the log of the mixture likelihood ratio (the log keeps it
    /// finite for overwhelming evidence).
    pub log_likelihood_ratio: f64,
    /// The always-valid p-value (running minimum of `min(1, 1/Λ)`).
    pub always_valid_p_value: f64,
    /// `always_valid_p_value < alpha`: safe to stop now.
    pub reject_null: bool,
}

/// Runs the mSPRT on the observed difference `difference` with variance
/// `variance` (of the difference).
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for a non-positive or
/// non-finite `mixing_sd` or `variance`, a previous p-value outside
/// [0, 1], or `alpha` outside (0, 1).
pub fn msprt(
    difference: f64,
    variance: f64,
    options: &SequentialOptions,
    alpha: f64,
) -> Result<SequentialResult> {
    check_probability(alpha, "alpha")?;
    let tau2 = options.mixing_sd * options.mixing_sd;
    if !(options.mixing_sd.is_finite() && options.mixing_sd > 0.0) {
        return Err(Error::invalid(
            "sequential.mixing_sd",
            "must be finite and positive",
        ));
    }
    if !(variance.is_finite() && variance > 0.0 && difference.is_finite()) {
        return Err(Error::invalid(
            "arms",
            "the difference has no variance, so the sequential test is undefined",
        ));
    }
    if let Some(p) = options.previous_p_value {
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::invalid(
                "sequential.previous_p_value",
                "must lie in [0, 1]",
            ));
        }
    }
    let log_lr = 0.5 * (variance / (variance + tau2)).ln()
        + tau2 * difference * difference / (2.0 * variance * (variance + tau2));
    let mut p = (-log_lr).exp().min(1.0);
    if let Some(previous) = options.previous_p_value {
        p = p.min(previous);
    }
    Ok(SequentialResult {
        test: "msprt_normal_mixture",
        log_likelihood_ratio: log_lr,
        always_valid_p_value: p,
        reject_null: p < alpha,
    })
}
