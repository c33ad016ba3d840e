//! The BG/NBD model of repeat purchasing (Fader, Hardie & Lee, 2005):
//! maximum-likelihood fit and its expectations.
//!
//! While alive, a customer buys as a Poisson process with rate
//! λ ~ Gamma(r, α); after each repeat purchase the customer drops out with
//! probability p ~ Beta(a, b). The log-likelihood is computed in log space
//! with a Lanczos log-gamma and a stable log-sum-exp;
//! the fit maximises it over the log-parameters with a damped Newton method
//! using the exact gradient and Hessian, from several starting points, on
//! customers compressed into weighted groups of identical
//! `(frequency, recency, age)`.

use serde::{Deserialize, Serialize};

use super::grouped::RfmGroup;
use super::optimize::{
    Convergence, Evaluation, Z_95, log_parameter_standard_errors, maximize_with_restarts,
};
use super::rfm::Rfm;
use super::special::{digamma, hyp2f1, ln_gamma, log_add_exp, sigmoid, trigamma};
use crate::{Error, ErrorKind, Result};

/// The four BG/NBD parameters; `alpha` is in the time unit of the data.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BgNbdParams {
    /// Shape of the purchase-rate distribution.
    pub r: f64,
    /// Scale (rate) of the purchase-rate distribution, in time units.
    pub alpha: f64,
    /// First shape of the drop-out probability distribution.
    pub a: f64,
    /// Second shape of the drop-out probability distribution.
    pub b: f64,
}

impl BgNbdParams {
    /// Checks that every parameter is finite and positive.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] for a parameter that
    /// is not finite and positive.
    pub fn validate(&self) -> Result<()> {
        for (name, value) in [
            ("r", self.r),
            ("alpha", self.alpha),
            ("a", self.a),
            ("b", self.b),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(Error::invalid(
                    name,
                    format!("expected a finite positive number, found {value}"),
                ));
            }
        }
        Ok(())
    }

    /// The log-likelihood of one customer.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] for invalid parameters or an impossible
    /// history (see [`check_history`]).
    pub fn log_likelihood(&self, frequency: u32, recency: f64, age: f64) -> Result<f64> {
        self.validate()?;
        check_history(frequency, recency, age)?;
        Ok(self.log_likelihood_unchecked(frequency, recency, age))
    }

    fn log_likelihood_unchecked(&self, frequency: u32, recency: f64, age: f64) -> f64 {
        let BgNbdParams { r, alpha, a, b } = *self;
        let x = f64::from(frequency);
        let a1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln();
        let a2 = ln_gamma(a + b) + ln_gamma(b + x) - ln_gamma(b) - ln_gamma(a + b + x);
        let a3 = -(r + x) * (alpha + age).ln();
        let tail = if frequency > 0 {
            let a4 = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + recency).ln();
            log_add_exp(a3, a4)
        } else {
            a3
        };
        a1 + a2 + tail
    }

    /// The probability that a customer with this history is still alive at
    /// the end of the observation period. Always 1 for `frequency = 0`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] for invalid parameters or an impossible
    /// history (see [`check_history`]: e.g. a recency after the age).
    pub fn probability_alive(&self, frequency: u32, recency: f64, age: f64) -> Result<f64> {
        self.validate()?;
        check_history(frequency, recency, age)?;
        Ok(self.probability_alive_unchecked(frequency, recency, age))
    }

    fn probability_alive_unchecked(&self, frequency: u32, recency: f64, age: f64) -> f64 {
        if frequency == 0 {
            return 1.0;
        }
        let BgNbdParams { r, alpha, a, b } = *self;
        let x = f64::from(frequency);
        let log_odds_dead =
            a.ln() - (b + x - 1.0).ln() + (r + x) * ((alpha + age).ln() - (alpha + recency).ln());
        sigmoid(-log_odds_dead)
    }

    /// Expected number of repeat purchases of a new customer in `(0, t]`
    /// (`E[X(t)]`, `t` in the model's time unit).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] for invalid parameters or a negative or
    /// non-finite `t`; [`ErrorKind::Numerical`] when the expectation cannot
    /// be evaluated for these parameters.
    pub fn expected_purchases(&self, t: f64) -> Result<f64> {
        self.validate()?;
        check_horizon(t)?;
        let BgNbdParams { r, alpha, a, b } = *self;
        let z = t / (alpha + t);
        averaged_near_one(a, |a| {
            expectation(r, a, b, 0.0, z).map(|share| (a + b - 1.0) / (a - 1.0) * share)
        })
    }

    /// Expected number of purchases in the next `t` time units of a customer
    /// with this history (the conditional expectation of the model).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] for invalid parameters, a negative or
    /// non-finite `t` or an impossible history (see [`check_history`]);
    /// [`ErrorKind::Numerical`] when the expectation cannot be evaluated
    /// for these parameters.
    pub fn conditional_expected_purchases(
        &self,
        t: f64,
        frequency: u32,
        recency: f64,
        age: f64,
    ) -> Result<f64> {
        self.validate()?;
        check_horizon(t)?;
        check_history(frequency, recency, age)?;
        let BgNbdParams { r, alpha, a, b } = *self;
        let x = f64::from(frequency);
        let z = t / (alpha + age + t);
        let alive = self.probability_alive_unchecked(frequency, recency, age);
        averaged_near_one(a, |a| {
            expectation(r, a, b, x, z).map(|share| (a + b + x - 1.0) / (a - 1.0) * share * alive)
        })
    }
}

/// Checks a customer's history `(frequency, recency, age)` as the fits do:
/// a finite non-negative age, a recency between 0 and the age, and recency
/// 0 without repeat purchases.
///
/// # Errors
///
/// [`ErrorKind::Invalid`] naming `age` or `recency`.
pub fn check_history(frequency: u32, recency: f64, age: f64) -> Result<()> {
    if !(age.is_finite() && age >= 0.0) {
        return Err(Error::invalid(
            "age",
            format!("expected a finite non-negative age, found {age}"),
        ));
    }
    if !(recency.is_finite() && recency >= 0.0 && recency <= age) {
        return Err(Error::invalid(
            "recency",
            format!("expected a recency between 0 and the age {age}, found {recency}"),
        ));
    }
    if frequency == 0 && recency != 0.0 {
        return Err(Error::invalid(
            "recency",
            "a customer without repeat purchases has recency 0",
        ));
    }
    Ok(())
}

/// Evaluates `f(a)`, which has a removable singularity at `a = 1`, as the
/// mean of its values just either side of 1 when `a` is that close.
fn averaged_near_one(a: f64, f: impl Fn(f64) -> Option<f64>) -> Result<f64> {
    const EPS: f64 = 1e-5;
    let value = if (a - 1.0).abs() < EPS {
        match (f(1.0 - EPS), f(1.0 + EPS)) {
            (Some(lo), Some(hi)) => Some(0.5 * (lo + hi)),
            _ => None,
        }
    } else {
        f(a)
    };
    match value {
        Some(v) if v.is_finite() => Ok(v.max(0.0)),
        _ => Err(Error::new(
            ErrorKind::Numerical,
            "the BG/NBD expectation is undefined for these parameters (the hypergeometric series did not converge and a <= 3 or b + x < 2 rules out its integral form)",
        )),
    }
}

fn check_horizon(t: f64) -> Result<()> {
    if t.is_finite() && t >= 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            "t",
            format!("expected a finite non-negative time, found {t}"),
        ))
    }
}

/// `1 − (1 − z)^(r+x) · ₂F₁(r + x, b + x; a + b + x − 1; z)`, the share of
/// the BG/NBD expectation that multiplies `(a + b + x − 1)/(a − 1)`.
///
/// First by the power series after Euler's transformation (which is
/// `1 − (1 − z)^(a−1) · ₂F₁(a + b − 1 − r, a − 1; a + b + x − 1; z)`). When
/// that series does not converge — large `a` and `b`, where its terms grow
/// like `eᵃᶻ` before they fall — by the integral form
/// `E[1 − ((1 − z)/(1 − zs))^(r+x)]` over `s ~ Beta(b + x, a − 1)`, whose
/// integrand lies in `[0, 1]` so that it stays finite for any `a` and `b`.
fn expectation(r: f64, a: f64, b: f64, x: f64, z: f64) -> Option<f64> {
    let series = hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
        .map(|f| 1.0 - (1.0 - z).powf(a - 1.0) * f)
        .filter(|v| v.is_finite());
    series.or_else(|| expectation_by_quadrature(r + x, b + x, a - 1.0, z))
}

/// `E[1 − ((1 − z)/(1 − zs))^power]` for `s ~ Beta(shape1, shape2)` by
/// Simpson's rule over the window of ±14 standard deviations around the
/// mean (clipped to `[0, 1]`), normalised by the integral of the density
/// on the same grid. Both shapes must be at least 2 (the density is then
/// bounded, smooth and zero at the ends); `None` otherwise.
pub(crate) fn expectation_by_quadrature(
    power: f64,
    shape1: f64,
    shape2: f64,
    z: f64,
) -> Option<f64> {
    const STEPS: u32 = 1_000;
    if !(shape1 >= 2.0 && shape2 >= 2.0 && power.is_finite() && (0.0..1.0).contains(&z)) {
        return None;
    }
    let total = shape1 + shape2;
    let mean = shape1 / total;
    let sd = (shape1 * shape2 / (total * total * (total + 1.0))).sqrt();
    let lo = (mean - 14.0 * sd).max(0.0);
    let hi = (mean + 14.0 * sd).min(1.0);
    let mode = ((shape1 - 1.0) / (total - 2.0)).clamp(lo, hi);
    let log_density = |s: f64| (shape1 - 1.0) * s.ln() + (shape2 - 1.0) * (-s).ln_1p();
    let peak = log_density(mode);
    let ln_one_minus_z = (-z).ln_1p();
    let h = (hi - lo) / f64::from(STEPS);
    let (mut mass, mut sum) = (0.0, 0.0);
    for i in 0..=STEPS {
        let s = lo + f64::from(i) * h;
        let weight = if i == 0 || i == STEPS {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        let density = if s <= 0.0 || s >= 1.0 {
            0.0
        } else {
            (log_density(s) - peak).exp()
        };
        // 1 − ((1 − z)/(1 − zs))^power, without cancellation for small z.
        let share = -(power * (ln_one_minus_z - (-z * s).ln_1p())).exp_m1();
        mass += weight * density;
        sum += weight * density * share;
    }
    let value = sum / mass;
    (mass > 0.0 && value.is_finite()).then_some(value)
}

/// The error of a fit without standard errors.
pub(crate) fn no_standard_errors(model: &str) -> Error {
    Error::new(
        ErrorKind::Numerical,
        format!(
            "{model}: no standard errors: the Hessian of the log-likelihood at the optimum is degenerate (not negative definite), so the data do not identify the parameters precisely (or the model was saved before standard errors were reported)"
        ),
    )
}

/// Options of [`BgNbd::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BgNbdOptions {
    /// Newton iterations allowed per starting point (default 200, 1 to
    /// 10,000).
    pub max_iterations: u32,
    /// A small L2 penalty on the log-parameters (default 0: plain maximum
    /// likelihood); a positive value keeps fits on tiny samples finite.
    pub penalty: f64,
}

impl Default for BgNbdOptions {
    fn default() -> Self {
        BgNbdOptions {
            max_iterations: 200,
            penalty: 0.0,
        }
    }
}

/// A fitted BG/NBD model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BgNbd {
    /// The fitted parameters.
    pub params: BgNbdParams,
    /// How the fit ended.
    pub convergence: Convergence,
    /// Customers used.
    pub customers: usize,
    /// Distinct `(frequency, recency, age)` groups the likelihood was
    /// evaluated on.
    pub groups: usize,
    /// Asymptotic standard error of each parameter, from the Hessian of the
    /// log-likelihood at the optimum (the inverse observed information, as
    /// lifetimes reports it; of the penalised log-likelihood when a penalty
    /// is set). Absent when that Hessian is degenerate (see
    /// [`parameter_standard_errors`](Self::parameter_standard_errors)) and
    /// in models saved before it was reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_errors: Option<BgNbdParams>,
}

impl BgNbd {
    /// The standard errors of the parameters.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Numerical`] when the fit has none: the Hessian of the
    /// log-likelihood at the optimum is degenerate (the optimum is flat in
    /// some direction, typically `a` and `b` growing without bound, so the
    /// data do not pin the parameters down), or the model was saved before
    /// standard errors were reported.
    pub fn parameter_standard_errors(&self) -> Result<BgNbdParams> {
        self.standard_errors
            .ok_or_else(|| no_standard_errors("BG/NBD"))
    }

    /// The 95 % confidence interval of each parameter, `estimate ± 1.96 ·
    /// standard error` (the normal approximation lifetimes' `summary`
    /// prints), as `(lower, upper)`; `None` without standard errors. A
    /// lower bound may be negative when the estimate is imprecise.
    pub fn confidence_intervals_95(&self) -> Option<(BgNbdParams, BgNbdParams)> {
        let se = self.standard_errors?;
        let p = self.params;
        let bound = |sign: f64| BgNbdParams {
            r: p.r + sign * Z_95 * se.r,
            alpha: p.alpha + sign * Z_95 * se.alpha,
            a: p.a + sign * Z_95 * se.a,
            b: p.b + sign * Z_95 * se.b,
        };
        Some((bound(-1.0), bound(1.0)))
    }
}

/// Customers compressed into weighted groups, sorted by frequency.
struct Groups {
    /// `(frequency, start, end)`: ranges of `recency`/`age`/`weight` per
    /// frequency.
    runs: Vec<(f64, f64, usize, usize)>,
    recency: Vec<f64>,
    age: Vec<f64>,
    weight: Vec<f64>,
}

fn group(customers: &[RfmGroup], scale: f64) -> Groups {
    let mut keys: Vec<((u32, f64, f64), f64)> = customers
        .iter()
        .map(|g| {
            let c = &g.rfm;
            (
                (c.frequency, c.recency / scale, c.age / scale),
                g.count as f64,
            )
        })
        .collect();
    keys.sort_by(|(p, _), (q, _)| {
        p.0.cmp(&q.0)
            .then(p.1.total_cmp(&q.1))
            .then(p.2.total_cmp(&q.2))
    });
    let mut groups = Groups {
        runs: Vec::new(),
        recency: Vec::new(),
        age: Vec::new(),
        weight: Vec::new(),
    };
    let mut previous: Option<(u32, f64, f64)> = None;
    for (key, count) in keys {
        if previous == Some(key) {
            if let Some(w) = groups.weight.last_mut() {
                *w += count;
            }
            continue;
        }
        let new_run = previous.is_none_or(|p| p.0 != key.0);
        previous = Some(key);
        let index = groups.weight.len();
        if new_run {
            groups.runs.push((f64::from(key.0), 0.0, index, index));
        }
        groups.recency.push(key.1);
        groups.age.push(key.2);
        groups.weight.push(count);
        if let Some(run) = groups.runs.last_mut() {
            run.3 = index + 1;
        }
    }
    for run in &mut groups.runs {
        run.1 = groups
            .weight
            .get(run.2..run.3)
            .map_or(0.0, |w| w.iter().sum());
    }
    groups
}

/// Log-likelihood, gradient and Hessian in the log-parameters.
fn evaluate(groups: &Groups, theta: &[f64], penalty: f64) -> Evaluation {
    let p: Vec<f64> = theta.iter().map(|t| t.exp()).collect();
    let &[r, alpha, a, b] = p.as_slice() else {
        return None;
    };
    if !p.iter().all(|v| v.is_finite() && *v > 0.0) {
        return None;
    }
    let mut ll = 0.0;
    let mut g = [0.0_f64; 4];
    let mut h = [0.0_f64; 16];
    let ln_alpha = alpha.ln();
    let (dg_r, tg_r) = (digamma(r), trigamma(r));
    let (dg_ab, tg_ab) = (digamma(a + b), trigamma(a + b));
    let (dg_b, tg_b) = (digamma(b), trigamma(b));
    let base = -ln_gamma(r) + r * ln_alpha + ln_gamma(a + b) - ln_gamma(b);
    for &(x, total, start, end) in &groups.runs {
        let a12 = base + ln_gamma(r + x) + ln_gamma(b + x) - ln_gamma(a + b + x);
        ll += total * a12;
        let d_abx = digamma(a + b + x);
        let t_abx = trigamma(a + b + x);
        g[0] += total * (digamma(r + x) - dg_r + ln_alpha);
        g[1] += total * r / alpha;
        g[2] += total * (dg_ab - d_abx);
        g[3] += total * (dg_ab + digamma(b + x) - dg_b - d_abx);
        h[0] += total * (trigamma(r + x) - tg_r);
        h[1] += total / alpha;
        h[5] += total * (-r / (alpha * alpha));
        let aa = tg_ab - t_abx;
        h[10] += total * aa;
        h[11] += total * aa;
        h[15] += total * (tg_ab + trigamma(b + x) - tg_b - t_abx);
        let rx = r + x;
        let c4 = if x > 0.0 {
            a.ln() - (b + x - 1.0).ln()
        } else {
            0.0
        };
        let inv_bx = if x > 0.0 { 1.0 / (b + x - 1.0) } else { 0.0 };
        for i in start..end {
            let (Some(&w), Some(&age), Some(&rec)) = (
                groups.weight.get(i),
                groups.age.get(i),
                groups.recency.get(i),
            ) else {
                return None;
            };
            let inv_t = 1.0 / (alpha + age);
            let l_t = (alpha + age).ln();
            let a3 = -rx * l_t;
            let d3 = [-l_t, -rx * inv_t, 0.0, 0.0];
            if x > 0.0 {
                let inv_tx = 1.0 / (alpha + rec);
                let l_tx = (alpha + rec).ln();
                let a4 = c4 - rx * l_tx;
                let lse = log_add_exp(a3, a4);
                let pi = (a4 - lse).exp();
                let q = 1.0 - pi;
                ll += w * lse;
                let d4 = [-l_tx, -rx * inv_tx, 1.0 / a, -inv_bx];
                for k in 0..4 {
                    g[k] += w * (q * d3[k] + pi * d4[k]);
                }
                // Second derivatives of A3 and A4, then the mixing term.
                h[1] += w * (q * -inv_t + pi * -inv_tx);
                h[5] += w * (q * rx * inv_t * inv_t + pi * rx * inv_tx * inv_tx);
                h[10] += w * pi * -(1.0 / (a * a));
                h[15] += w * pi * inv_bx * inv_bx;
                let mix = w * pi * q;
                let diff = [d4[0] - d3[0], d4[1] - d3[1], d4[2], d4[3]];
                for j in 0..4 {
                    for k in j..4 {
                        h[j * 4 + k] += mix * diff[j] * diff[k];
                    }
                }
            } else {
                ll += w * a3;
                g[0] += w * d3[0];
                g[1] += w * d3[1];
                h[1] += w * -inv_t;
                h[5] += w * rx * inv_t * inv_t;
            }
        }
    }
    // Symmetrise, then change variables to θ = ln(params).
    for j in 0..4 {
        for k in 0..j {
            h[j * 4 + k] = h[k * 4 + j];
        }
    }
    let mut gt = vec![0.0; 4];
    let mut ht = vec![0.0; 16];
    for j in 0..4 {
        gt[j] = p[j] * g[j] - penalty * theta[j];
        for k in 0..4 {
            ht[j * 4 + k] = p[j] * p[k] * h[j * 4 + k];
        }
        ht[j * 4 + j] += p[j] * g[j] - penalty;
    }
    let value = ll - 0.5 * penalty * theta.iter().map(|t| t * t).sum::<f64>();
    if value.is_finite() && gt.iter().chain(&ht).all(|v| v.is_finite()) {
        Some((value, gt, ht))
    } else {
        None
    }
}

impl BgNbd {
    /// Fits the model to customers' `(frequency, recency, age)` by maximum
    /// likelihood (`monetary` is ignored).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] for an empty sample or an impossible
    /// history (naming `customers[i].field`); [`ErrorKind::Numerical`] when
    /// the data cannot identify the model (fewer than two customers, no
    /// repeat purchase at all) or the optimiser finds no finite optimum.
    pub fn fit(customers: &[Rfm], options: &BgNbdOptions) -> Result<BgNbd> {
        let groups = RfmGroup::singletons(customers);
        BgNbd::fit_weighted(&groups, options, &|i| format!("customers[{i}]"))
    }

    /// The fit of customers given as weighted groups (`fit` is this with
    /// every count 1); `path` names group `i` in errors.
    pub(crate) fn fit_weighted(
        customers: &[RfmGroup],
        options: &BgNbdOptions,
        path: &dyn Fn(usize) -> String,
    ) -> Result<BgNbd> {
        if customers.is_empty() {
            return Err(Error::invalid(
                "customers",
                "expected at least one customer",
            ));
        }
        if options.max_iterations == 0 || options.max_iterations > 10_000 {
            return Err(Error::invalid(
                "max_iterations",
                format!("expected 1 to 10000, found {}", options.max_iterations),
            ));
        }
        if !(options.penalty.is_finite() && options.penalty >= 0.0) {
            return Err(Error::invalid(
                "penalty",
                "expected a finite non-negative number",
            ));
        }
        let total = RfmGroup::total(customers)?;
        for (i, g) in customers.iter().enumerate() {
            let c = &g.rfm;
            check_history(c.frequency, c.recency, c.age)
                .map_err(|e| e.with_path_prefix(&path(i)))?;
        }
        if total < 2 {
            return Err(Error::new(
                ErrorKind::Numerical,
                "BG/NBD needs at least two customers to be fitted",
            ));
        }
        if customers.iter().all(|g| g.rfm.frequency == 0) {
            return Err(Error::new(
                ErrorKind::Numerical,
                "BG/NBD cannot be fitted: no customer made a repeat purchase",
            ));
        }
        // Rescale time so that the longest age is 10 units: keeps alpha near 1.
        let scale = customers.iter().fold(0.0_f64, |m, g| m.max(g.rfm.age)) / 10.0;
        if scale <= 0.0 {
            return Err(Error::new(
                ErrorKind::Numerical,
                "BG/NBD cannot be fitted: every customer has age 0",
            ));
        }
        let groups = group(customers, scale);
        let starts = [
            vec![0.0, 0.0, 0.0, 0.0],
            vec![-1.0, 0.5, -0.5, 1.0],
            vec![1.0, 1.5, 0.5, 2.0],
            vec![-2.0, -1.0, 1.0, 0.0],
        ];
        let mut eval = |theta: &[f64]| evaluate(&groups, theta, options.penalty);
        let (theta, convergence) =
            maximize_with_restarts("BG/NBD", &starts, options.max_iterations, &mut eval)?;
        let params = BgNbdParams {
            r: theta.first().copied().unwrap_or(0.0).exp(),
            alpha: theta.get(1).copied().unwrap_or(0.0).exp() * scale,
            a: theta.get(2).copied().unwrap_or(0.0).exp(),
            b: theta.get(3).copied().unwrap_or(0.0).exp(),
        };
        if params.validate().is_err()
            || [params.r, params.alpha, params.a, params.b]
                .iter()
                .any(|v| *v > 1e12 || *v < 1e-12)
        {
            return Err(Error::new(
                ErrorKind::Numerical,
                format!(
                    "BG/NBD fit diverged (parameters {params:?}): the data do not identify the model"
                ),
            ));
        }
        // Rescaling time shifts ln(alpha) by a constant: the Hessian in the
        // log-parameters is the same in the caller's unit.
        let (_, _, hessian) = evaluate(&groups, &theta, options.penalty).ok_or_else(|| {
            Error::new(
                ErrorKind::Numerical,
                "BG/NBD: the log-likelihood is not finite at the optimum",
            )
        })?;
        let mut log_params = theta.clone();
        if let Some(t) = log_params.get_mut(1) {
            *t += scale.ln();
        }
        // A degenerate Hessian (a flat optimum, e.g. drop-out shapes running
        // off to infinity) leaves the parameters usable but without
        // standard errors; `standard_errors()` then explains why.
        let se = log_parameter_standard_errors("BG/NBD", &log_params, &hessian).unwrap_or_default();
        let standard_errors = match se.as_slice() {
            &[r, alpha, a, b] => Some(BgNbdParams { r, alpha, a, b }),
            _ => None,
        };
        // Report the log-likelihood in the caller's time unit: rescaling time
        // by `scale` adds x·ln(scale) per customer.
        let mut convergence = convergence;
        let purchases: f64 = customers
            .iter()
            .map(|g| f64::from(g.rfm.frequency) * g.count as f64)
            .sum();
        convergence.log_likelihood -= purchases * scale.ln();
        Ok(BgNbd {
            params,
            convergence,
            customers: usize::try_from(total).unwrap_or(usize::MAX),
            groups: groups.weight.len(),
            standard_errors,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Rfm> {
        let raw = [
            (0, 0.0, 30.0),
            (2, 10.0, 38.0),
            (5, 30.0, 31.0),
            (1, 3.0, 20.0),
            (0, 0.0, 12.0),
            (7, 25.0, 27.0),
        ];
        raw.iter()
            .map(|&(x, t, a)| Rfm {
                frequency: x,
                recency: t,
                age: a,
                monetary: 0.0,
            })
            .collect()
    }

    #[test]
    fn gradient_and_hessian_match_finite_differences() {
        let groups = group(&RfmGroup::singletons(&sample()), 3.0);
        let theta = [0.2, -0.3, 0.4, 0.7];
        let (f0, g, h) = evaluate(&groups, &theta, 0.0).expect("finite");
        let eps = 1e-6;
        for j in 0..4 {
            let mut up = theta;
            up[j] += eps;
            let mut down = theta;
            down[j] -= eps;
            let (fu, gu, _) = evaluate(&groups, &up, 0.0).expect("finite");
            let (fd, gd, _) = evaluate(&groups, &down, 0.0).expect("finite");
            let numeric = (fu - fd) / (2.0 * eps);
            assert!(
                (numeric - g[j]).abs() < 1e-5 * numeric.abs().max(1.0),
                "g[{j}] {numeric} vs {}",
                g[j]
            );
            for k in 0..4 {
                let numeric = (gu[k] - gd[k]) / (2.0 * eps);
                assert!(
                    (numeric - h[j * 4 + k]).abs() < 1e-4 * numeric.abs().max(1.0),
                    "h[{j}][{k}] {numeric} vs {}",
                    h[j * 4 + k]
                );
            }
        }
        assert!(f0.is_finite());
    }

    #[test]
    fn the_integral_form_agrees_with_the_series_where_both_converge() {
        for &(r, a, b, x, z) in &[
            (0.5, 50.0, 80.0, 3.0, 0.4),
            (0.24, 3.5, 2.43, 0.0, 0.7),
            (2.0, 12.0, 4.0, 10.0, 0.2),
        ] {
            let series = hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
                .map(|f| 1.0 - (1.0 - z).powf(a - 1.0) * f)
                .expect("converges");
            let integral = expectation_by_quadrature(r + x, b + x, a - 1.0, z).expect("defined");
            assert!(
                (series - integral).abs() < 1e-9 * series.abs(),
                "{series} vs {integral}"
            );
        }
        // Shapes below 2 (unbounded density) are left to the series.
        assert_eq!(expectation_by_quadrature(1.0, 1.5, 3.0, 0.5), None);
    }

    #[test]
    fn grouped_likelihood_equals_the_sum_over_customers() {
        let customers = sample();
        let params = BgNbdParams {
            r: 0.8,
            alpha: 4.0,
            a: 0.9,
            b: 2.5,
        };
        let direct: f64 = customers
            .iter()
            .map(|c| {
                params
                    .log_likelihood(c.frequency, c.recency, c.age)
                    .expect("valid")
            })
            .sum();
        let groups = group(&RfmGroup::singletons(&customers), 1.0);
        let theta = [
            params.r.ln(),
            params.alpha.ln(),
            params.a.ln(),
            params.b.ln(),
        ];
        let (grouped, _, _) = evaluate(&groups, &theta, 0.0).expect("finite");
        assert!((direct - grouped).abs() < 1e-10 * direct.abs());
    }
}
