//! A damped Newton (Levenberg–Marquardt) maximiser for the small, smooth
//! log-likelihoods of the CLV models, with convergence reporting.
//!
//! Each iteration solves `(−H + μI) d = g`; `μ` grows when `−H` is not
//! positive definite or when a step fails to increase the objective, and
//! shrinks after a successful step, so the method moves like gradient
//! ascent far from the optimum and like Newton's method near it. Steps are
//! capped, so a flat or badly scaled start cannot throw the parameters to
//! infinity.

use serde::{Deserialize, Serialize};

use crate::predict::special::cholesky_solve;
use crate::{Error, ErrorKind, Result};

/// How a model fit ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Convergence {
    /// `true` when the convergence criterion was met (predicted gain or
    /// step below tolerance); `false` when the iteration limit was hit.
    pub converged: bool,
    /// Newton iterations used (over all starts).
    pub iterations: u32,
    /// Starting points tried.
    pub starts: u32,
    /// The log-likelihood (or penalised log-likelihood) at the optimum.
    pub log_likelihood: f64,
    /// Largest absolute component of the gradient at the optimum (in the
    /// parameters that were optimised, e.g. the log-parameters).
    pub gradient_norm: f64,
}

/// Value, gradient and Hessian (row-major) of the objective at a point;
/// `None` when the objective is not finite there.
pub(crate) type Evaluation = Option<(f64, Vec<f64>, Vec<f64>)>;

/// The result of [`maximize`].
pub(crate) struct Optimum {
    pub theta: Vec<f64>,
    pub value: f64,
    pub gradient_norm: f64,
    pub iterations: u32,
    pub converged: bool,
}

const MAX_STEP: f64 = 4.0;

/// Maximises the objective from `start`.
pub(crate) fn maximize<F>(start: &[f64], max_iterations: u32, eval: &mut F) -> Option<Optimum>
where
    F: FnMut(&[f64]) -> Evaluation,
{
    let n = start.len();
    let mut theta = start.to_vec();
    let (mut value, mut grad, mut hess) = eval(&theta)?;
    let mut mu = 0.0_f64;
    let mut iterations = 0;
    let mut converged = false;
    while iterations < max_iterations {
        iterations += 1;
        let scale = (0..n)
            .map(|i| hess[i * n + i].abs())
            .fold(1e-8_f64, f64::max);
        let mut accepted = false;
        let mut tries = 0;
        while tries < 60 {
            tries += 1;
            let mut system: Vec<f64> = hess.iter().map(|h| -h).collect();
            for i in 0..n {
                system[i * n + i] += mu;
            }
            let Some(mut step) = cholesky_solve(&system, &grad, n) else {
                mu = (mu * 10.0).max(1e-6 * scale);
                continue;
            };
            let longest = step.iter().fold(0.0_f64, |m, s| m.max(s.abs()));
            if longest > MAX_STEP {
                let shrink = MAX_STEP / longest;
                step.iter_mut().for_each(|s| *s *= shrink);
            }
            let predicted: f64 = step.iter().zip(&grad).map(|(s, g)| s * g).sum();
            let small_step = step
                .iter()
                .zip(&theta)
                .all(|(s, t)| s.abs() <= 1e-10 * t.abs().max(1.0));
            if predicted.abs() <= 1e-12 * value.abs().max(1.0) || small_step {
                converged = true;
                accepted = true;
                break;
            }
            let candidate: Vec<f64> = theta.iter().zip(&step).map(|(t, s)| t + s).collect();
            match eval(&candidate) {
                Some((v, g, h)) if v >= value => {
                    theta = candidate;
                    value = v;
                    grad = g;
                    hess = h;
                    mu *= 0.25;
                    if mu < 1e-12 * scale {
                        mu = 0.0;
                    }
                    accepted = true;
                    break;
                }
                _ => {
                    mu = (mu * 4.0).max(1e-4 * scale);
                }
            }
        }
        if converged || !accepted {
            break;
        }
    }
    let gradient_norm = grad.iter().fold(0.0_f64, |m, g| m.max(g.abs()));
    if !converged {
        // Accept a stall at a point with a tiny gradient as convergence.
        converged = gradient_norm <= 1e-6 * value.abs().max(1.0);
    }
    Some(Optimum {
        theta,
        value,
        gradient_norm,
        iterations,
        converged,
    })
}

/// Runs [`maximize`] from each start in turn until one converges, keeping the
/// best optimum; errors with [`ErrorKind::Numerical`] naming `model` when no
/// start gives a finite objective.
pub(crate) fn maximize_with_restarts<F>(
    model: &str,
    starts: &[Vec<f64>],
    max_iterations: u32,
    eval: &mut F,
) -> Result<(Vec<f64>, Convergence)>
where
    F: FnMut(&[f64]) -> Evaluation,
{
    let mut best: Option<Optimum> = None;
    let mut iterations = 0;
    let mut tried = 0;
    for start in starts {
        tried += 1;
        let Some(optimum) = maximize(start, max_iterations, eval) else {
            continue;
        };
        iterations += optimum.iterations;
        let better = best.as_ref().is_none_or(|b| {
            (optimum.converged && !b.converged)
                || (optimum.converged == b.converged && optimum.value > b.value)
        });
        let done = optimum.converged;
        if better {
            best = Some(optimum);
        }
        if done {
            break;
        }
    }
    let best = best.ok_or_else(|| {
        Error::new(
            ErrorKind::Numerical,
            format!("{model}: the log-likelihood is not finite at any starting point"),
        )
    })?;
    Ok((
        best.theta,
        Convergence {
            converged: best.converged,
            iterations,
            starts: tried,
            log_likelihood: best.value,
            gradient_norm: best.gradient_norm,
        },
    ))
}

/// The normal quantile of the 95 % confidence intervals reported with
/// fitted parameters: `estimate ± 1.96 · standard error`, rounded to 1.96
/// as lifetimes' `summary` does, so that the bounds agree digit for digit.
pub const Z_95: f64 = 1.96;

/// Standard errors of the parameters `exp(θⱼ)` of a fit at its optimum
/// `theta`, from `hessian`, the Hessian of the log-likelihood in `θ`
/// (row-major): the inverse of the observed information `−H` is the
/// asymptotic covariance of `θ`, and the delta method gives
/// `se(exp θⱼ) = exp θⱼ · √[(−H)⁻¹]ⱼⱼ`. At the optimum (zero gradient) this
/// equals the inverse Hessian of the negative log-likelihood in the
/// parameters themselves, which is what lifetimes reports.
///
/// Errors with [`ErrorKind::Numerical`] naming `model` when `−H` is not
/// numerically positive definite (the data do not identify the parameters).
pub(crate) fn log_parameter_standard_errors(
    model: &str,
    theta: &[f64],
    hessian: &[f64],
) -> Result<Vec<f64>> {
    let n = theta.len();
    let information: Vec<f64> = hessian.iter().map(|h| -h).collect();
    let degenerate = || {
        Error::new(
            ErrorKind::Numerical,
            format!(
                "{model}: the Hessian of the log-likelihood at the optimum is degenerate (not negative definite), so the parameters have no standard errors; the data do not identify the model"
            ),
        )
    };
    let mut errors = Vec::with_capacity(n);
    for j in 0..n {
        let mut unit = vec![0.0; n];
        if let Some(u) = unit.get_mut(j) {
            *u = 1.0;
        }
        let column = cholesky_solve(&information, &unit, n).ok_or_else(degenerate)?;
        let variance = column.get(j).copied().unwrap_or(f64::NAN);
        let value = theta.get(j).copied().unwrap_or(f64::NAN).exp();
        let se = value * variance.sqrt();
        if !(variance > 0.0 && se.is_finite()) {
            return Err(degenerate());
        }
        errors.push(se);
    }
    Ok(errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maximises_a_rosenbrock_like_function_from_a_poor_start() {
        // f(x, y) = −(1 − x)² − 10 (y − x²)²
        let mut eval = |t: &[f64]| -> Evaluation {
            let (x, y) = (t[0], t[1]);
            let f = -(1.0 - x).powi(2) - 10.0 * (y - x * x).powi(2);
            let gx = 2.0 * (1.0 - x) + 40.0 * x * (y - x * x);
            let gy = -20.0 * (y - x * x);
            let hxx = -2.0 + 40.0 * (y - x * x) - 80.0 * x * x;
            let hxy = 40.0 * x;
            let hyy = -20.0;
            Some((f, vec![gx, gy], vec![hxx, hxy, hxy, hyy]))
        };
        let (theta, conv) =
            maximize_with_restarts("test", &[vec![-1.5, 2.0]], 500, &mut eval).expect("fits");
        assert!(conv.converged);
        assert!(
            (theta[0] - 1.0).abs() < 1e-6 && (theta[1] - 1.0).abs() < 1e-6,
            "{theta:?}"
        );
    }

    #[test]
    fn standard_errors_invert_the_information_and_refuse_a_degenerate_hessian() {
        // −H = diag(4, 1/4) at θ = (0, ln 2): se(exp θ) = exp θ / √diag.
        let se = log_parameter_standard_errors("m", &[0.0, 2f64.ln()], &[-4.0, 0.0, 0.0, -0.25])
            .expect("definite");
        assert!(
            (se[0] - 0.5).abs() < 1e-15 && (se[1] - 4.0).abs() < 1e-14,
            "{se:?}"
        );
        // A flat direction (singular Hessian) or a saddle has no standard errors.
        for hessian in [[-1.0, -1.0, -1.0, -1.0], [-1.0, 0.0, 0.0, 1.0]] {
            let err =
                log_parameter_standard_errors("m", &[0.0, 0.0], &hessian).expect_err("degenerate");
            assert_eq!(err.kind(), ErrorKind::Numerical);
            assert!(err.to_string().contains("degenerate"), "{err}");
        }
    }

    #[test]
    fn an_objective_that_is_never_finite_is_a_numerical_error() {
        let mut eval = |_: &[f64]| -> Evaluation { None };
        let err = maximize_with_restarts("m", &[vec![0.0]], 10, &mut eval).expect_err("no fit");
        assert_eq!(err.kind(), ErrorKind::Numerical);
    }
}
