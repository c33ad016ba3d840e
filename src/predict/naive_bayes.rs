//! The naive-Bayes frequency model used by open-source CRMs for predictive
//! lead scoring: per feature value, the share of won and of lost outcomes
//! with that value (Laplace-smoothed), multiplied under the independence
//! assumption, and the final probability clamped away from 0 and 1 so that
//! it is never read as certain.
//!
//! Features are categorical codes: `0..levels[j]` for feature `j`. Numeric
//! features are binned into codes by the caller (see
//! [`PropensityModel`](super::PropensityModel)).

use serde::{Deserialize, Serialize};

use super::special::sigmoid;
use crate::{Error, Result};

/// Options of [`NaiveBayes::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NaiveBayesOptions {
    /// Pseudo-count added to every value's won and lost counts (default 1).
    pub smoothing: f64,
    /// Lowest probability returned (default 0.01); the highest is
    /// `1 − min_probability`.
    pub min_probability: f64,
}

impl Default for NaiveBayesOptions {
    fn default() -> Self {
        NaiveBayesOptions {
            smoothing: 1.0,
            min_probability: 0.01,
        }
    }
}

impl NaiveBayesOptions {
    /// Checks the ranges.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) naming the option that
    /// is out of range.
    pub fn validate(&self) -> Result<()> {
        if !(self.smoothing.is_finite() && self.smoothing > 0.0) {
            return Err(Error::invalid(
                "smoothing",
                format!("expected a positive number, found {}", self.smoothing),
            ));
        }
        if !(self.min_probability.is_finite()
            && self.min_probability > 0.0
            && self.min_probability < 0.5)
        {
            return Err(Error::invalid(
                "min_probability",
                format!(
                    "expected a probability in (0, 0.5), found {}",
                    self.min_probability
                ),
            ));
        }
        Ok(())
    }
}

/// A fitted naive-Bayes frequency model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NaiveBayes {
    /// ln(won / lost) of the training outcomes.
    pub prior_log_odds: f64,
    /// Per feature, per value code: ln(P(value | won) / P(value | lost)).
    pub log_ratios: Vec<Vec<f64>>,
    /// Per feature, per value code: (won, lost) training counts.
    pub counts: Vec<Vec<(u32, u32)>>,
    /// Options used.
    pub options: NaiveBayesOptions,
}

impl NaiveBayes {
    /// Fits the model to `n` rows of `levels.len()` codes (row-major) with
    /// outcomes `y`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind): mismatched
    /// lengths, a code outside its feature's levels (naming `codes[i]`),
    /// outcomes all the same.
    pub fn fit(
        codes: &[u32],
        levels: &[u32],
        y: &[bool],
        options: &NaiveBayesOptions,
    ) -> Result<NaiveBayes> {
        options.validate()?;
        let k = levels.len();
        let n = y.len();
        if n.checked_mul(k) != Some(codes.len()) {
            return Err(Error::invalid(
                "codes",
                format!("expected {n} rows of {k} codes, found {}", codes.len()),
            ));
        }
        let won = y.iter().filter(|v| **v).count();
        if won == 0 || won == n {
            return Err(Error::invalid(
                "y",
                "training needs at least one won and one lost outcome",
            ));
        }
        let mut counts: Vec<Vec<(u32, u32)>> =
            levels.iter().map(|&l| vec![(0, 0); l as usize]).collect();
        for (r, &yi) in y.iter().enumerate() {
            for (j, table) in counts.iter_mut().enumerate() {
                let index = r * k + j;
                let code = codes.get(index).copied().unwrap_or(u32::MAX);
                let Some(cell) = table.get_mut(code as usize) else {
                    return Err(Error::invalid(
                        format!("codes[{index}]"),
                        format!(
                            "expected a code below {}, found {code}",
                            levels.get(j).copied().unwrap_or(0)
                        ),
                    ));
                };
                if yi {
                    cell.0 += 1;
                } else {
                    cell.1 += 1;
                }
            }
        }
        let s = options.smoothing;
        let (won, lost) = (won as f64, (n - won) as f64);
        let log_ratios = counts
            .iter()
            .map(|table| {
                let levels = table.len() as f64;
                table
                    .iter()
                    .map(|&(w, l)| {
                        let p_won = (f64::from(w) + s) / (won + s * levels);
                        let p_lost = (f64::from(l) + s) / (lost + s * levels);
                        (p_won / p_lost).ln()
                    })
                    .collect()
            })
            .collect();
        Ok(NaiveBayes {
            prior_log_odds: (won / lost).ln(),
            log_ratios,
            counts,
            options: options.clone(),
        })
    }

    /// The contribution of each feature's value to the log-odds (0 for a
    /// code the model has not seen).
    pub fn contribution(&self, feature: usize, code: u32) -> f64 {
        self.log_ratios
            .get(feature)
            .and_then(|t| t.get(code as usize))
            .copied()
            .unwrap_or(0.0)
    }

    /// The clamped probability of a win for one row of codes.
    pub fn probability(&self, row: &[u32]) -> f64 {
        let z = self.prior_log_odds
            + row
                .iter()
                .enumerate()
                .map(|(j, &c)| self.contribution(j, c))
                .sum::<f64>();
        self.clamp(sigmoid(z))
    }

    /// Clamps a probability into `[min, 1 − min]`.
    pub fn clamp(&self, p: f64) -> f64 {
        let lo = self.options.min_probability;
        p.clamp(lo, 1.0 - lo)
    }

    /// Writes the probability of each row of `codes` into `out`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) when `codes` is not a
    /// whole number of rows, `out` has the wrong length, or a code is outside
    /// its feature's levels (naming `codes[i]`).
    pub fn predict_into(&self, codes: &[u32], out: &mut [f64]) -> Result<()> {
        let k = self.log_ratios.len();
        if out.len().checked_mul(k) != Some(codes.len()) {
            return Err(Error::invalid(
                "codes",
                format!("expected {} rows of {k} codes", out.len()),
            ));
        }
        if k == 0 {
            let p = self.clamp(sigmoid(self.prior_log_odds));
            out.iter_mut().for_each(|o| *o = p);
            return Ok(());
        }
        for (o, row) in out.iter_mut().zip(codes.chunks_exact(k)) {
            *o = self.probability(row);
        }
        Ok(())
    }

    /// Checks the tables are finite and consistent (after loading JSON).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for tables that are
    /// not finite or do not match the levels.
    pub fn validate(&self) -> Result<()> {
        self.options
            .validate()
            .map_err(|e| e.with_path_prefix("options"))?;
        if !self.prior_log_odds.is_finite() {
            return Err(Error::invalid("prior_log_odds", "expected a finite number"));
        }
        for (j, table) in self.log_ratios.iter().enumerate() {
            if let Some(i) = table.iter().position(|v| !v.is_finite()) {
                return Err(Error::invalid(
                    format!("log_ratios[{j}][{i}]"),
                    "expected a finite number",
                ));
            }
        }
        Ok(())
    }
}
