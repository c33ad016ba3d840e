//! The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee, 2005;
//! Colombo & Jiang, 1999), fitted by maximum likelihood.
//!
//! Each purchase amount is Gamma(p, ν) with a customer-specific rate
//! ν ~ Gamma(q, γ); a customer's mean spend over `x` repeat purchases
//! therefore has a closed-form marginal likelihood. The model assumes spend
//! is independent of purchase frequency. Fitted, like
//! [`BgNbd`](super::BgNbd), by damped Newton on the log-parameters with the
//! exact gradient and Hessian.

use serde::{Deserialize, Serialize};

use super::grouped::RfmGroup;
use super::optimize::{
    Convergence, Evaluation, Z_95, log_parameter_standard_errors, maximize_with_restarts,
};
use super::rfm::Rfm;
use super::special::{digamma, ln_gamma, trigamma};
use crate::{Error, ErrorKind, Result};

/// The three Gamma-Gamma parameters; `gamma` is in money units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GammaGammaParams {
    /// Shape of the spend per purchase.
    pub p: f64,
    /// Shape of the customers' rate distribution.
    pub q: f64,
    /// Scale of the customers' rate distribution (money units).
    pub gamma: f64,
}

impl GammaGammaParams {
    /// Checks that every parameter is finite and positive.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] for a parameter that
    /// is not finite and positive.
    pub fn validate(&self) -> Result<()> {
        for (name, value) in [("p", self.p), ("q", self.q), ("gamma", self.gamma)] {
            if !(value.is_finite() && value > 0.0) {
                return Err(Error::invalid(
                    name,
                    format!("expected a finite positive number, found {value}"),
                ));
            }
        }
        Ok(())
    }

    /// The mean spend per purchase of the population, `pγ / (q − 1)`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] for invalid parameters;
    /// [`ErrorKind::Numerical`] when `q ≤ 1` (the mean is infinite).
    pub fn population_mean_spend(&self) -> Result<f64> {
        self.validate()?;
        if self.q > 1.0 {
            Ok(self.p * self.gamma / (self.q - 1.0))
        } else {
            Err(Error::new(
                ErrorKind::Numerical,
                format!(
                    "the Gamma-Gamma population mean spend is infinite (q = {} <= 1)",
                    self.q
                ),
            ))
        }
    }

    /// The expected spend per purchase of a customer with `frequency` repeat
    /// purchases of mean amount `monetary`: a weighted average of the
    /// population mean and the customer's own mean. For a customer without
    /// repeat purchases it is the population mean.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] for invalid parameters or a negative or
    /// non-finite `monetary` (naming `monetary`);
    /// [`ErrorKind::Numerical`] when the expectation is infinite (`q ≤ 1`
    /// without repeat purchases, `p·x + q ≤ 1` with them).
    pub fn expected_spend(&self, frequency: u32, monetary: f64) -> Result<f64> {
        self.validate()?;
        if !(monetary.is_finite() && monetary >= 0.0) {
            return Err(Error::invalid(
                "monetary",
                format!("expected a finite non-negative mean spend, found {monetary}"),
            ));
        }
        if frequency == 0 {
            return self.population_mean_spend();
        }
        let x = f64::from(frequency);
        let denominator = self.p * x + self.q - 1.0;
        let spend = self.p * (self.gamma + monetary * x) / denominator;
        if denominator > 0.0 && spend.is_finite() {
            Ok(spend)
        } else {
            Err(Error::new(
                ErrorKind::Numerical,
                format!(
                    "the Gamma-Gamma expected spend is infinite for {frequency} repeat purchases (p x + q = {} <= 1)",
                    denominator + 1.0
                ),
            ))
        }
    }
}

/// Options of [`GammaGamma::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GammaGammaOptions {
    /// Newton iterations allowed per starting point (default 200, 1 to
    /// 10,000).
    pub max_iterations: u32,
    /// L2 penalty on the log-parameters (default 0).
    pub penalty: f64,
}

impl Default for GammaGammaOptions {
    fn default() -> Self {
        GammaGammaOptions {
            max_iterations: 200,
            penalty: 0.0,
        }
    }
}

/// A fitted Gamma-Gamma model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GammaGamma {
    /// The fitted parameters.
    pub params: GammaGammaParams,
    /// How the fit ended.
    pub convergence: Convergence,
    /// Customers used (those with at least one repeat purchase and a
    /// positive mean spend).
    pub customers: usize,
    /// Repeat buyers left out of the fit because their mean repeat spend is
    /// 0 (the model's likelihood is defined for positive spends only;
    /// lifetimes refuses such data, crmkit fits on the others and counts
    /// them here).
    #[serde(default)]
    pub dropped_zero_spend: usize,
    /// Asymptotic standard error of each parameter from the Hessian of the
    /// log-likelihood at the optimum (see
    /// [`BgNbd::standard_errors`](super::BgNbd::standard_errors)). Absent
    /// when that Hessian is degenerate and in models saved before it was
    /// reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_errors: Option<GammaGammaParams>,
}

impl GammaGamma {
    /// The standard errors of the parameters.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Numerical`] when the fit has none (a degenerate Hessian
    /// at the optimum, or a model saved before they were reported).
    pub fn parameter_standard_errors(&self) -> Result<GammaGammaParams> {
        self.standard_errors
            .ok_or_else(|| super::bgnbd::no_standard_errors("Gamma-Gamma"))
    }

    /// The 95 % confidence interval of each parameter, `estimate ± 1.96 ·
    /// standard error`, as `(lower, upper)`; `None` without standard
    /// errors.
    pub fn confidence_intervals_95(&self) -> Option<(GammaGammaParams, GammaGammaParams)> {
        let se = self.standard_errors?;
        let v = self.params;
        let bound = |sign: f64| GammaGammaParams {
            p: v.p + sign * Z_95 * se.p,
            q: v.q + sign * Z_95 * se.q,
            gamma: v.gamma + sign * Z_95 * se.gamma,
        };
        Some((bound(-1.0), bound(1.0)))
    }
}

struct SpendData {
    /// `(x, start, end)` runs of customers with the same frequency.
    runs: Vec<(f64, usize, usize)>,
    ln_m: Vec<f64>,
    m: Vec<f64>,
    /// Customers per entry (1 for `fit`).
    weight: Vec<f64>,
}

fn evaluate(data: &SpendData, theta: &[f64], penalty: f64) -> Evaluation {
    let params: Vec<f64> = theta.iter().map(|t| t.exp()).collect();
    let &[p, q, gamma] = params.as_slice() else {
        return None;
    };
    if !params.iter().all(|v| v.is_finite() && *v > 0.0) {
        return None;
    }
    let ln_gamma_v = gamma.ln();
    let (lg_q, dg_q, tg_q) = (ln_gamma(q), digamma(q), trigamma(q));
    let mut ll = 0.0;
    let mut g = [0.0_f64; 3];
    let mut h = [0.0_f64; 9];
    for &(x, start, end) in &data.runs {
        let px = p * x;
        let ln_x = x.ln();
        let base = ln_gamma(px + q) - ln_gamma(px) - lg_q + q * ln_gamma_v + px * ln_x;
        let (d_pq, d_px) = (digamma(px + q), digamma(px));
        let (t_pq, t_px) = (trigamma(px + q), trigamma(px));
        let count: f64 = data.weight.get(start..end).map_or(0.0, |w| w.iter().sum());
        ll += count * base;
        g[0] += count * x * (d_pq - d_px + ln_x);
        g[1] += count * (d_pq - dg_q + ln_gamma_v);
        g[2] += count * q / gamma;
        h[0] += count * x * x * (t_pq - t_px);
        h[1] += count * x * t_pq;
        h[4] += count * (t_pq - tg_q);
        h[5] += count / gamma;
        h[8] += count * -q / (gamma * gamma);
        for i in start..end {
            let (Some(&lm), Some(&m), Some(&w)) =
                (data.ln_m.get(i), data.m.get(i), data.weight.get(i))
            else {
                return None;
            };
            let s = gamma + m * x;
            let ln_s = s.ln();
            let inv = 1.0 / s;
            // With weight 1 (`fit`), `w * t` is `t` exactly.
            ll += w * ((px - 1.0) * lm - (px + q) * ln_s);
            g[0] += w * (x * (lm - ln_s));
            g[1] -= w * ln_s;
            g[2] -= w * ((px + q) * inv);
            h[2] -= w * (x * inv);
            h[5] -= w * inv;
            h[8] += w * ((px + q) * inv * inv);
        }
    }
    for j in 0..3 {
        for k in 0..j {
            h[j * 3 + k] = h[k * 3 + j];
        }
    }
    let mut gt = vec![0.0; 3];
    let mut ht = vec![0.0; 9];
    for j in 0..3 {
        gt[j] = params[j] * g[j] - penalty * theta[j];
        for k in 0..3 {
            ht[j * 3 + k] = params[j] * params[k] * h[j * 3 + k];
        }
        ht[j * 3 + j] += params[j] * g[j] - penalty;
    }
    let value = ll - 0.5 * penalty * theta.iter().map(|t| t * t).sum::<f64>();
    if value.is_finite() && gt.iter().chain(&ht).all(|v| v.is_finite()) {
        Some((value, gt, ht))
    } else {
        None
    }
}

impl GammaGamma {
    /// Fits the model on the customers with at least one repeat purchase and
    /// a positive mean spend (`frequency` and `monetary`; the others are
    /// skipped).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] for a negative or non-finite spend
    /// (naming `customers[i].monetary`); [`ErrorKind::Numerical`] with fewer
    /// than two usable customers, when every usable customer has the same
    /// mean spend (the spread is then not identified), or when the
    /// optimiser does not converge.
    pub fn fit(customers: &[Rfm], options: &GammaGammaOptions) -> Result<GammaGamma> {
        let groups = RfmGroup::singletons(customers);
        GammaGamma::fit_weighted(&groups, options, &|i| format!("customers[{i}]"))
    }

    /// The fit of customers given as weighted groups (`fit` is this with
    /// every count 1); `path` names group `i` in errors.
    pub(crate) fn fit_weighted(
        customers: &[RfmGroup],
        options: &GammaGammaOptions,
        path: &dyn Fn(usize) -> String,
    ) -> Result<GammaGamma> {
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
        RfmGroup::total(customers)?;
        // (frequency, mean spend, customers)
        let mut usable: Vec<(u32, f64, f64)> = Vec::new();
        let mut dropped_zero_spend = 0;
        for (i, g) in customers.iter().enumerate() {
            let c = &g.rfm;
            if !(c.monetary.is_finite() && c.monetary >= 0.0) {
                return Err(Error::invalid(
                    format!("{}.monetary", path(i)),
                    format!("expected a finite non-negative spend, found {}", c.monetary),
                ));
            }
            if c.frequency > 0 && c.monetary > 0.0 {
                usable.push((c.frequency, c.monetary, g.count as f64));
            } else if c.frequency > 0 {
                dropped_zero_spend += usize::try_from(g.count).unwrap_or(usize::MAX);
            }
        }
        let customers_used: f64 = usable.iter().map(|u| u.2).sum();
        if customers_used < 2.0 {
            return Err(Error::new(
                ErrorKind::Numerical,
                format!(
                    "Gamma-Gamma needs at least two customers with repeat purchases and a positive spend (found {customers_used}; {dropped_zero_spend} repeat buyers have a mean spend of 0)"
                ),
            ));
        }
        let first = usable.first().map_or(0.0, |u| u.1);
        if usable.iter().all(|u| u.1 == first) {
            return Err(Error::new(
                ErrorKind::Numerical,
                "Gamma-Gamma cannot be fitted: every customer has the same mean spend",
            ));
        }
        // With weights 1 (`fit`), `m * 1` is `m` and the total is the count.
        let scale = usable.iter().map(|u| u.1 * u.2).sum::<f64>() / customers_used;
        usable.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut data = SpendData {
            runs: Vec::new(),
            ln_m: Vec::with_capacity(usable.len()),
            m: Vec::with_capacity(usable.len()),
            weight: Vec::with_capacity(usable.len()),
        };
        for (i, &(x, m, w)) in usable.iter().enumerate() {
            let x = f64::from(x);
            match data.runs.last_mut() {
                Some(run) if run.0 == x => run.2 = i + 1,
                _ => data.runs.push((x, i, i + 1)),
            }
            let m = m / scale;
            data.m.push(m);
            data.ln_m.push(m.ln());
            data.weight.push(w);
        }
        let starts = [
            vec![0.0, 0.0, 0.0],
            vec![1.0, 1.0, 1.0],
            vec![2.0, 1.5, 0.0],
            vec![-0.5, 0.5, 1.5],
        ];
        let mut eval = |theta: &[f64]| evaluate(&data, theta, options.penalty);
        let (theta, mut convergence) =
            maximize_with_restarts("Gamma-Gamma", &starts, options.max_iterations, &mut eval)?;
        let params = GammaGammaParams {
            p: theta.first().copied().unwrap_or(0.0).exp(),
            q: theta.get(1).copied().unwrap_or(0.0).exp(),
            gamma: theta.get(2).copied().unwrap_or(0.0).exp() * scale,
        };
        if params.validate().is_err()
            || [params.p, params.q].iter().any(|v| *v > 1e12 || *v < 1e-12)
        {
            return Err(Error::new(
                ErrorKind::Numerical,
                format!(
                    "Gamma-Gamma fit diverged (parameters {params:?}): the spends do not identify the model"
                ),
            ));
        }
        let (_, _, hessian) = evaluate(&data, &theta, options.penalty).ok_or_else(|| {
            Error::new(
                ErrorKind::Numerical,
                "Gamma-Gamma: the log-likelihood is not finite at the optimum",
            )
        })?;
        let mut log_params = theta.clone();
        if let Some(t) = log_params.get_mut(2) {
            *t += scale.ln();
        }
        // A degenerate Hessian (a flat optimum, e.g. drop-out shapes running
        // off to infinity) leaves the parameters usable but without
        // standard errors; `standard_errors()` then explains why.
        let se =
            log_parameter_standard_errors("Gamma-Gamma", &log_params, &hessian).unwrap_or_default();
        let standard_errors = match se.as_slice() {
            &[p, q, gamma] => Some(GammaGammaParams { p, q, gamma }),
            _ => None,
        };
        // Rescaling the spends by `scale` shifts each customer's density by
        // −ln(scale).
        convergence.log_likelihood -= customers_used * scale.ln();
        Ok(GammaGamma {
            params,
            convergence,
            customers: customers_used as usize,
            dropped_zero_spend,
            standard_errors,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> SpendData {
        let raw = [(1.0, 3.0), (1.0, 0.5), (2.0, 1.5), (4.0, 0.8), (4.0, 2.2)];
        let mut d = SpendData {
            runs: vec![(1.0, 0, 2), (2.0, 2, 3), (4.0, 3, 5)],
            ln_m: vec![],
            m: vec![],
            weight: vec![],
        };
        for (_, m) in raw {
            d.m.push(m);
            d.ln_m.push(f64::ln(m));
            d.weight.push(1.0);
        }
        d
    }

    #[test]
    fn gradient_and_hessian_match_finite_differences() {
        let d = data();
        let theta = [0.3, 0.9, -0.2];
        let (_, g, h) = evaluate(&d, &theta, 0.0).expect("finite");
        let eps = 1e-6;
        for j in 0..3 {
            let mut up = theta;
            up[j] += eps;
            let mut down = theta;
            down[j] -= eps;
            let (fu, gu, _) = evaluate(&d, &up, 0.0).expect("finite");
            let (fd, gd, _) = evaluate(&d, &down, 0.0).expect("finite");
            let numeric = (fu - fd) / (2.0 * eps);
            assert!(
                (numeric - g[j]).abs() < 1e-5 * numeric.abs().max(1.0),
                "g[{j}]"
            );
            for k in 0..3 {
                let numeric = (gu[k] - gd[k]) / (2.0 * eps);
                assert!(
                    (numeric - h[j * 3 + k]).abs() < 1e-4 * numeric.abs().max(1.0),
                    "h[{j}][{k}] {numeric} {}",
                    h[j * 3 + k]
                );
            }
        }
    }
}
