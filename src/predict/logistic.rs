//! L2-regularised logistic regression fitted by Newton's method (IRLS) on a
//! dense row-major matrix: deterministic, exact gradient and Hessian, step
//! halving when a step does not increase the penalised log-likelihood.
//!
//! The objective maximised is
//! `Σᵢ [yᵢ zᵢ − ln(1 + e^zᵢ)] − (λ/2) Σⱼ βⱼ²` with `zᵢ = β₀ + xᵢ·β`;
//! the intercept `β₀` is not penalised.

use serde::{Deserialize, Serialize};

use super::optimize::Convergence;
use super::special::{cholesky_solve, sigmoid};
use crate::{Error, ErrorKind, Result};

/// Options of [`LogisticRegression::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogisticOptions {
    /// The L2 penalty λ (default 1; 0 is plain maximum likelihood, which
    /// fails with [`ErrorKind::Numerical`] on separable data).
    pub l2: f64,
    /// Newton iterations allowed (default 100).
    pub max_iterations: u32,
}

impl Default for LogisticOptions {
    fn default() -> Self {
        LogisticOptions {
            l2: 1.0,
            max_iterations: 100,
        }
    }
}

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogisticRegression {
    /// The intercept β₀.
    pub intercept: f64,
    /// One coefficient per feature.
    pub coefficients: Vec<f64>,
    /// The penalty used.
    pub l2: f64,
    /// How the fit ended.
    pub convergence: Convergence,
}

fn objective(x: &[f64], y: &[bool], k: usize, beta0: f64, beta: &[f64], l2: f64) -> f64 {
    let mut ll = 0.0;
    for (row, &yi) in x.chunks_exact(k.max(1)).zip(y) {
        let z = beta0 + dot(row, beta);
        // ln(1 + e^z), stable for large |z|.
        let softplus = if z > 0.0 {
            z + (-z).exp().ln_1p()
        } else {
            z.exp().ln_1p()
        };
        ll += if yi { z - softplus } else { -softplus };
    }
    ll - 0.5 * l2 * beta.iter().map(|b| b * b).sum::<f64>()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

/// Rows per block of the Hessian accumulation.
const BLOCK: usize = 256;

/// Adds the gradient and the upper triangle of the Hessian (`XᵀWX`, with a
/// leading column of ones) of the unpenalised log-likelihood. Rows are
/// processed in blocks transposed to columns, so that each Hessian entry is
/// a contiguous dot product (four partial sums, which vectorise).
#[allow(clippy::too_many_arguments)]
fn accumulate(
    x: &[f64],
    y: &[bool],
    k: usize,
    beta0: f64,
    beta: &[f64],
    grad: &mut [f64],
    hess: &mut [f64],
    scratch: &mut Vec<f64>,
) {
    let dim = k + 1;
    scratch.clear();
    scratch.resize(dim * BLOCK + 2 * BLOCK, 0.0);
    let (cols, rest) = scratch.split_at_mut(dim * BLOCK);
    let (weights, residuals) = rest.split_at_mut(BLOCK);
    let rows = y.len();
    let mut start = 0;
    while start < rows {
        let len = BLOCK.min(rows - start);
        for r in 0..len {
            let i = start + r;
            let xi = x.get(i * k..(i + 1) * k).unwrap_or(&[]);
            let p = sigmoid(beta0 + dot(xi, beta));
            weights[r] = p * (1.0 - p);
            residuals[r] = if y.get(i).copied().unwrap_or(false) {
                1.0 - p
            } else {
                -p
            };
            cols[r] = 1.0;
            for (j, v) in xi.iter().enumerate() {
                cols[(j + 1) * BLOCK + r] = *v;
            }
        }
        let mut weighted = [0.0_f64; BLOCK];
        for j in 0..dim {
            let cj = &cols[j * BLOCK..j * BLOCK + len];
            grad[j] += dot4(cj, &residuals[..len]);
            for (w, (c, wt)) in weighted.iter_mut().zip(cj.iter().zip(&weights[..len])) {
                *w = c * wt;
            }
            for l in j..dim {
                let cl = &cols[l * BLOCK..l * BLOCK + len];
                hess[j * dim + l] += dot4(&weighted[..len], cl);
            }
        }
        start += len;
    }
}

/// A dot product with four independent partial sums.
fn dot4(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0_f64; 4];
    let chunks = a.len() / 4;
    for (ca, cb) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
        acc[0] += ca[0] * cb[0];
        acc[1] += ca[1] * cb[1];
        acc[2] += ca[2] * cb[2];
        acc[3] += ca[3] * cb[3];
    }
    let mut tail = 0.0;
    for (p, q) in a[chunks * 4..].iter().zip(&b[chunks * 4..]) {
        tail += p * q;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

impl LogisticRegression {
    /// Fits the model to `n` rows of `k` features (`x`, row-major, length
    /// `n·k`) and outcomes `y` (length `n`).
    ///
    /// Errors: [`ErrorKind::Invalid`] for mismatched lengths, non-finite
    /// values (naming `x[i]`), a negative penalty, or outcomes that are all
    /// the same (at least one of each is needed); [`ErrorKind::Numerical`]
    /// when the Hessian is singular (collinear features without penalty) or
    /// Newton's method does not converge.
    pub fn fit(
        x: &[f64],
        k: usize,
        y: &[bool],
        options: &LogisticOptions,
    ) -> Result<LogisticRegression> {
        let n = y.len();
        if n.checked_mul(k) != Some(x.len()) || (k == 0 && !x.is_empty()) {
            return Err(Error::invalid(
                "x",
                format!(
                    "expected {n} rows of {k} features, found {} values",
                    x.len()
                ),
            ));
        }
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            return Err(Error::invalid(
                format!("x[{i}]"),
                "expected a finite number",
            ));
        }
        if !(options.l2.is_finite() && options.l2 >= 0.0) {
            return Err(Error::invalid(
                "l2",
                format!(
                    "expected a finite non-negative penalty, found {}",
                    options.l2
                ),
            ));
        }
        let positives = y.iter().filter(|v| **v).count();
        if positives == 0 || positives == n {
            return Err(Error::invalid(
                "y",
                "training needs at least one positive and one negative outcome",
            ));
        }
        let l2 = options.l2;
        let dim = k + 1;
        // Start from the base rate.
        let rate = positives as f64 / n as f64;
        let mut beta0 = (rate / (1.0 - rate)).ln();
        let mut beta = vec![0.0; k];
        let mut value = objective(x, y, k, beta0, &beta, l2);
        let mut iterations = 0;
        let mut converged = false;
        let mut gradient_norm = f64::INFINITY;
        let mut hess = vec![0.0; dim * dim];
        let mut grad = vec![0.0; dim];
        let mut row = vec![0.0; dim];
        while iterations < options.max_iterations {
            iterations += 1;
            hess.iter_mut().for_each(|h| *h = 0.0);
            grad.iter_mut().for_each(|g| *g = 0.0);
            accumulate(x, y, k, beta0, &beta, &mut grad, &mut hess, &mut row);
            for j in 1..dim {
                grad[j] -= l2 * beta[j - 1];
                hess[j * dim + j] += l2;
            }
            for j in 0..dim {
                for l in 0..j {
                    hess[j * dim + l] = hess[l * dim + j];
                }
            }
            gradient_norm = grad.iter().fold(0.0_f64, |m, g| m.max(g.abs()));
            let step = cholesky_solve(&hess, &grad, dim).ok_or_else(|| {
                Error::new(
                    ErrorKind::Numerical,
                    "logistic regression: the Hessian is singular (collinear or constant features); use a positive l2 penalty",
                )
            })?;
            let mut scale = 1.0;
            let mut accepted = false;
            for _ in 0..40 {
                let b0 = beta0 + scale * step[0];
                let b: Vec<f64> = beta
                    .iter()
                    .zip(&step[1..])
                    .map(|(b, s)| b + scale * s)
                    .collect();
                let v = objective(x, y, k, b0, &b, l2);
                if v.is_finite() && v >= value - 1e-12 * value.abs().max(1.0) {
                    beta0 = b0;
                    beta = b;
                    value = v;
                    accepted = true;
                    break;
                }
                scale *= 0.5;
            }
            let largest = step.iter().fold(0.0_f64, |m, s| m.max(s.abs())) * scale;
            let size = beta.iter().fold(beta0.abs(), |m, b| m.max(b.abs()));
            // Newton converges quadratically: once a step is this small, the
            // point it reached is accurate to about its square.
            let full_step = scale == 1.0;
            if !accepted
                || (full_step && largest <= 1e-8 * (1.0 + size))
                || largest <= 1e-13 * (1.0 + size)
            {
                converged = accepted || gradient_norm <= 1e-8 * n as f64;
                break;
            }
        }
        if !converged || !beta0.is_finite() || beta.iter().any(|b| !b.is_finite()) {
            return Err(Error::new(
                ErrorKind::Numerical,
                format!(
                    "logistic regression did not converge in {iterations} iterations (separable data? use a positive l2 penalty)"
                ),
            ));
        }
        Ok(LogisticRegression {
            intercept: beta0,
            coefficients: beta,
            l2,
            convergence: Convergence {
                converged,
                iterations,
                starts: 1,
                log_likelihood: value,
                gradient_norm,
            },
        })
    }

    /// The log-odds `β₀ + x·β` of one row of features.
    pub fn log_odds(&self, row: &[f64]) -> f64 {
        self.intercept + dot(row, &self.coefficients)
    }

    /// The probability of a positive outcome for one row.
    pub fn probability(&self, row: &[f64]) -> f64 {
        sigmoid(self.log_odds(row))
    }

    /// Writes the probability of each row of `x` (row-major, as for
    /// [`fit`](Self::fit)) into `out`, one per row.
    pub fn predict_into(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
        let k = self.coefficients.len();
        if out.len().checked_mul(k) != Some(x.len()) || (k == 0 && !x.is_empty()) {
            return Err(Error::invalid(
                "x",
                format!(
                    "expected {} rows of {k} features, found {} values",
                    out.len(),
                    x.len()
                ),
            ));
        }
        if k == 0 {
            out.iter_mut().for_each(|o| *o = sigmoid(self.intercept));
            return Ok(());
        }
        for (o, row) in out.iter_mut().zip(x.chunks_exact(k)) {
            let z = self.log_odds(row);
            // A NaN feature gives the base-rate-free answer 0.5 rather than NaN.
            *o = if z.is_nan() { 0.5 } else { sigmoid(z) };
        }
        Ok(())
    }

    /// Checks that the coefficients are finite (after loading from JSON).
    pub fn validate(&self) -> Result<()> {
        if !self.intercept.is_finite() {
            return Err(Error::invalid("intercept", "expected a finite number"));
        }
        if let Some(i) = self.coefficients.iter().position(|c| !c.is_finite()) {
            return Err(Error::invalid(
                format!("coefficients[{i}]"),
                "expected a finite number",
            ));
        }
        Ok(())
    }
}
