//! L2-regularised logistic regression fitted by Newton's method (IRLS) on a
//! dense row-major matrix: deterministic, exact gradient and Hessian, step
//! halving when a step does not increase the penalised log-likelihood.
//!
//! Newton's dense `(k+1)²` Hessian is used up to [`MAX_NEWTON_FEATURES`]
//! features; wider data are fitted by L-BFGS (limited-memory BFGS), whose
//! memory is linear in the features and which reaches the same optimum (the
//! objective is strictly concave with a positive penalty). At most
//! [`MAX_FEATURES`] features are accepted.
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
    /// Newton iterations allowed (default 100, 1 to 1,000).
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

/// Most features fitted by Newton's method (its Hessian then takes at most
/// 257² doubles, 0.5 MB, and a pass `n · 257² / 2` multiplications); wider
/// data use L-BFGS.
pub const MAX_NEWTON_FEATURES: usize = 256;

/// Most features accepted by [`LogisticRegression::fit`] (L-BFGS then keeps
/// about 24 vectors of this length: under 200 MB).
pub const MAX_FEATURES: usize = 1_000_000;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

/// Samples at least this large start Newton from a subsample fit.
const SUBSAMPLE_FROM: usize = 200_000;
/// One row in this many forms the subsample.
const SUBSAMPLE_STRIDE: usize = 16;

/// Rows per block of the Hessian accumulation.
const BLOCK: usize = 256;

/// The penalised log-likelihood, its gradient and its Hessian (negated,
/// i.e. `XᵀWX + λI'`, positive definite) at `(beta0, beta)`, in one pass.
#[allow(clippy::too_many_arguments)]
fn pass(
    x: &[f64],
    y: &[bool],
    k: usize,
    beta0: f64,
    beta: &[f64],
    l2: f64,
    scratch: &mut Vec<f64>,
) -> (f64, Vec<f64>, Vec<f64>) {
    let dim = k + 1;
    let mut grad = vec![0.0; dim];
    let mut hess = vec![0.0; dim * dim];
    let ll = accumulate(x, y, k, beta0, beta, &mut grad, &mut hess, scratch);
    for j in 1..dim {
        grad[j] -= l2 * beta[j - 1];
        hess[j * dim + j] += l2;
    }
    for j in 0..dim {
        for l in 0..j {
            hess[j * dim + l] = hess[l * dim + j];
        }
    }
    let value = ll - 0.5 * l2 * beta.iter().map(|b| b * b).sum::<f64>();
    (value, grad, hess)
}

/// Adds the gradient and the upper triangle of the Hessian (`XᵀWX`, with a
/// leading column of ones) of the unpenalised log-likelihood, and returns
/// that log-likelihood. Rows are processed in blocks transposed to columns,
/// so that each Hessian entry is a contiguous dot product (four partial
/// sums, which vectorise).
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
) -> f64 {
    let dim = k + 1;
    let mut ll = 0.0;
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
            let z = beta0 + dot(xi, beta);
            // One exponential gives both p = σ(z) and ln(1 + e^z).
            let e = (-z.abs()).exp();
            let p = if z >= 0.0 {
                1.0 / (1.0 + e)
            } else {
                e / (1.0 + e)
            };
            let softplus = z.max(0.0) + e.ln_1p();
            let won = y.get(i).copied().unwrap_or(false);
            ll += if won { z - softplus } else { -softplus };
            weights[r] = p * (1.0 - p);
            residuals[r] = if won { 1.0 - p } else { -p };
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
    ll
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

/// Validates the inputs of a fit and returns the number of rows.
fn check_inputs(x: &[f64], k: usize, y: &[bool], options: &LogisticOptions) -> Result<usize> {
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
    if k > MAX_FEATURES {
        return Err(Error::invalid(
            "n_features",
            format!("expected at most {MAX_FEATURES} features, found {k}"),
        ));
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid(
            format!("x[{i}]"),
            "expected a finite number",
        ));
    }
    if options.max_iterations == 0 || options.max_iterations > 1_000 {
        return Err(Error::invalid(
            "max_iterations",
            format!("expected 1 to 1000, found {}", options.max_iterations),
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
    Ok(n)
}

/// The negated penalised log-likelihood at `theta = (β₀, β)` and its
/// gradient (written to `grad`), in one pass over the rows: the objective
/// L-BFGS minimises.
fn negative_value_and_gradient(
    x: &[f64],
    y: &[bool],
    k: usize,
    theta: &[f64],
    l2: f64,
    grad: &mut [f64],
) -> f64 {
    grad.iter_mut().for_each(|g| *g = 0.0);
    let (Some(&beta0), Some(beta)) = (theta.first(), theta.get(1..)) else {
        return f64::NAN;
    };
    let mut ll = 0.0;
    for (i, &won) in y.iter().enumerate() {
        let xi = x.get(i * k..(i + 1) * k).unwrap_or(&[]);
        let z = beta0 + dot(xi, beta);
        let e = (-z.abs()).exp();
        let p = if z >= 0.0 {
            1.0 / (1.0 + e)
        } else {
            e / (1.0 + e)
        };
        let softplus = z.max(0.0) + e.ln_1p();
        ll += if won { z - softplus } else { -softplus };
        // d(−ll)/dz = p − y
        let residual = if won { p - 1.0 } else { p };
        if let Some(g0) = grad.first_mut() {
            *g0 += residual;
        }
        for (g, v) in grad.iter_mut().skip(1).zip(xi) {
            *g += residual * v;
        }
    }
    let mut penalty = 0.0;
    for (g, b) in grad.iter_mut().skip(1).zip(beta) {
        *g += l2 * b;
        penalty += b * b;
    }
    -ll + 0.5 * l2 * penalty
}

impl LogisticRegression {
    /// Fits the model to `n` rows of `k` features (`x`, row-major, length
    /// `n·k`) and outcomes `y` (length `n`): by Newton's method up to
    /// [`MAX_NEWTON_FEATURES`] features, by L-BFGS
    /// ([`fit_lbfgs`](Self::fit_lbfgs)) above.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] for mismatched lengths, more than
    /// [`MAX_FEATURES`] features, non-finite values (naming `x[i]`), a
    /// negative penalty, or outcomes that are all the same (at least one of
    /// each is needed); [`ErrorKind::Numerical`] when the Hessian is
    /// singular (collinear features without penalty) or the method does not
    /// converge.
    pub fn fit(
        x: &[f64],
        k: usize,
        y: &[bool],
        options: &LogisticOptions,
    ) -> Result<LogisticRegression> {
        check_inputs(x, k, y, options)?;
        if k > MAX_NEWTON_FEATURES {
            return Self::fit_lbfgs(x, k, y, options);
        }
        Self::fit_newton(x, k, y, options)
    }

    /// Fits the same model as [`fit`](Self::fit) by L-BFGS at any width
    /// (memory linear in `k`), with `20 × max_iterations` iterations
    /// allowed. On data Newton can fit, the two agree to about 1e-7 in each
    /// coefficient (L-BFGS stops when no gradient component of the
    /// penalised log-likelihood exceeds 1e-9 · max(1, n)).
    ///
    /// # Errors
    ///
    /// As for [`fit`](Self::fit); a fit that has not converged (separable
    /// data without penalty) is [`ErrorKind::Numerical`].
    pub fn fit_lbfgs(
        x: &[f64],
        k: usize,
        y: &[bool],
        options: &LogisticOptions,
    ) -> Result<LogisticRegression> {
        let n = check_inputs(x, k, y, options)?;
        let l2 = options.l2;
        let positives = y.iter().filter(|v| **v).count();
        let rate = positives as f64 / n as f64;
        let mut start = super::lbfgs::zeroed(k + 1)?;
        if let Some(b0) = start.first_mut() {
            *b0 = (rate / (1.0 - rate)).ln();
        }
        let lbfgs = super::lbfgs::LbfgsOptions {
            max_iterations: options.max_iterations.saturating_mul(20),
            gradient_tolerance: 1e-9 * (n as f64).max(1.0),
            ..Default::default()
        };
        let mut objective = |theta: &[f64], grad: &mut [f64]| -> f64 {
            negative_value_and_gradient(x, y, k, theta, l2, grad)
        };
        let minimum = super::lbfgs::minimize(start, &lbfgs, &mut objective)?;
        let converged = minimum.converged && minimum.x.iter().all(|b| b.is_finite());
        if !converged {
            return Err(Error::new(
                ErrorKind::Numerical,
                format!(
                    "logistic regression (L-BFGS) did not converge in {} iterations (separable data? use a positive l2 penalty)",
                    minimum.iterations
                ),
            ));
        }
        let intercept = minimum.x.first().copied().unwrap_or(0.0);
        let coefficients = minimum.x.get(1..).unwrap_or(&[]).to_vec();
        Ok(LogisticRegression {
            intercept,
            coefficients,
            l2,
            convergence: Convergence {
                converged,
                iterations: minimum.iterations,
                starts: 1,
                log_likelihood: -minimum.value,
                gradient_norm: minimum.gradient_norm,
            },
        })
    }

    fn fit_newton(
        x: &[f64],
        k: usize,
        y: &[bool],
        options: &LogisticOptions,
    ) -> Result<LogisticRegression> {
        let n = y.len();
        let positives = y.iter().filter(|v| **v).count();
        let l2 = options.l2;
        let dim = k + 1;
        // Start from the base rate, or, on large samples, from the fit on a
        // fixed 1-in-16 subsample (with the penalty scaled to match), which
        // is close enough for Newton to finish in two or three full passes.
        let rate = positives as f64 / n as f64;
        let mut beta0 = (rate / (1.0 - rate)).ln();
        let mut beta = vec![0.0; k];
        if n >= SUBSAMPLE_FROM {
            let rows: Vec<usize> = (0..n).step_by(SUBSAMPLE_STRIDE).collect();
            let xs: Vec<f64> = rows
                .iter()
                .flat_map(|&i| x.get(i * k..(i + 1) * k).unwrap_or(&[]).iter().copied())
                .collect();
            let ys: Vec<bool> = rows
                .iter()
                .map(|&i| y.get(i).copied().unwrap_or(false))
                .collect();
            let small = LogisticOptions {
                l2: l2 / SUBSAMPLE_STRIDE as f64,
                max_iterations: options.max_iterations,
            };
            if let Ok(start) = LogisticRegression::fit(&xs, k, &ys, &small) {
                beta0 = start.intercept;
                beta = start.coefficients;
            }
        }
        let mut scratch = Vec::new();
        let (mut value, mut grad, mut hess) = pass(x, y, k, beta0, &beta, l2, &mut scratch);
        let mut iterations = 0;
        let mut converged = false;
        while iterations < options.max_iterations {
            iterations += 1;
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
                let (v, g, h) = pass(x, y, k, b0, &b, l2, &mut scratch);
                if v.is_finite() && v >= value - 1e-12 * value.abs().max(1.0) {
                    beta0 = b0;
                    beta = b;
                    value = v;
                    grad = g;
                    hess = h;
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
                let gradient_norm = grad.iter().fold(0.0_f64, |m, g| m.max(g.abs()));
                converged = accepted || gradient_norm <= 1e-8 * n as f64;
                break;
            }
        }
        let gradient_norm = grad.iter().fold(0.0_f64, |m, g| m.max(g.abs()));
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
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] when `x` is not a
    /// whole number of rows, `out` has the wrong length, or a value is not
    /// finite (naming `x[i]`).
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
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] for a coefficient that
    /// is not finite.
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
