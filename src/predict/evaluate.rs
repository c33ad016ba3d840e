//! Evaluation of probability forecasts against outcomes: ROC AUC, log loss,
//! Brier score, lift by decile and a calibration table.
//!
//! Undefined values (AUC with only one class, any metric on an empty set)
//! are `None` (JSON `null`), never NaN.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// One decile of a lift table (leads sorted by descending probability).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiftRow {
    /// 1 for the top tenth.
    pub decile: u32,
    /// Leads in the decile.
    pub count: usize,
    /// Positive outcomes in the decile.
    pub positives: usize,
    /// Share of positives in the decile.
    pub rate: Option<f64>,
    /// The decile's rate divided by the overall rate.
    pub lift: Option<f64>,
}

/// One bin of a calibration table (probabilities cut at 0.1, 0.2, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationRow {
    /// Lower edge of the bin.
    pub lower: f64,
    /// Upper edge of the bin.
    pub upper: f64,
    /// Forecasts in the bin.
    pub count: usize,
    /// Mean forecast probability in the bin.
    pub mean_predicted: Option<f64>,
    /// Observed share of positives in the bin.
    pub observed_rate: Option<f64>,
}

/// Quality of probability forecasts on a hold-out set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEvaluation {
    /// Forecasts evaluated.
    pub examples: usize,
    /// Positive outcomes among them.
    pub positives: usize,
    /// Area under the ROC curve (ties count one half); `None` unless both
    /// outcomes occur.
    pub roc_auc: Option<f64>,
    /// Mean negative log-likelihood (probabilities clipped to
    /// [1e-15, 1 − 1e-15]).
    pub log_loss: Option<f64>,
    /// Mean squared error of the probabilities.
    pub brier: Option<f64>,
    /// Lift by decile.
    pub lift: Vec<LiftRow>,
    /// Calibration in ten equal-width bins.
    pub calibration: Vec<CalibrationRow>,
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den != 0.0).then(|| num / den)
}

/// Evaluates probabilities against outcomes.
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind): different lengths, a
/// probability outside `[0, 1]` or NaN (naming `probabilities[i]`).
pub fn evaluate(probabilities: &[f64], outcomes: &[bool]) -> Result<ModelEvaluation> {
    if probabilities.len() != outcomes.len() {
        return Err(Error::invalid(
            "probabilities",
            format!(
                "expected {} probabilities, found {}",
                outcomes.len(),
                probabilities.len()
            ),
        ));
    }
    if let Some(i) = probabilities.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return Err(Error::invalid(
            format!("probabilities[{i}]"),
            "expected a probability in [0, 1]",
        ));
    }
    let n = outcomes.len();
    let positives = outcomes.iter().filter(|o| **o).count();
    let negatives = n - positives;
    let nf = n as f64;

    // Sort ascending by probability for the rank-sum AUC.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        probabilities[a]
            .total_cmp(&probabilities[b])
            .then(a.cmp(&b))
    });
    let roc_auc = if positives > 0 && negatives > 0 {
        let mut rank_sum = 0.0;
        let mut i = 0;
        while i < n {
            let mut j = i;
            while j + 1 < n && probabilities[order[j + 1]] == probabilities[order[i]] {
                j += 1;
            }
            let mean_rank = (i + j) as f64 / 2.0 + 1.0;
            for &index in &order[i..=j] {
                if outcomes[index] {
                    rank_sum += mean_rank;
                }
            }
            i = j + 1;
        }
        let p = positives as f64;
        Some((rank_sum - p * (p + 1.0) / 2.0) / (p * negatives as f64))
    } else {
        None
    };
    let (mut log_loss, mut brier) = (0.0, 0.0);
    for (&p, &o) in probabilities.iter().zip(outcomes) {
        let clipped = p.clamp(1e-15, 1.0 - 1e-15);
        log_loss -= if o {
            clipped.ln()
        } else {
            (1.0 - clipped).ln()
        };
        let y = if o { 1.0 } else { 0.0 };
        brier += (p - y) * (p - y);
    }
    let base_rate = ratio(positives as f64, nf);
    let mut lift = Vec::new();
    if n > 0 {
        for d in 0..10usize {
            // Descending order: the top decile holds the highest forecasts.
            let lo = n * d / 10;
            let hi = n * (d + 1) / 10;
            let members = order.iter().rev().skip(lo).take(hi - lo);
            let hits = members.filter(|&&i| outcomes[i]).count();
            let rate = ratio(hits as f64, (hi - lo) as f64);
            lift.push(LiftRow {
                decile: d as u32 + 1,
                count: hi - lo,
                positives: hits,
                rate,
                lift: match (rate, base_rate) {
                    (Some(r), Some(b)) if b > 0.0 => Some(r / b),
                    _ => None,
                },
            });
        }
    }
    let mut calibration: Vec<CalibrationRow> = (0..10)
        .map(|b| CalibrationRow {
            lower: f64::from(b) / 10.0,
            upper: f64::from(b + 1) / 10.0,
            count: 0,
            mean_predicted: None,
            observed_rate: None,
        })
        .collect();
    let mut sums = [(0.0_f64, 0.0_f64); 10];
    for (&p, &o) in probabilities.iter().zip(outcomes) {
        let bin = ((p * 10.0) as usize).min(9);
        if let (Some(row), Some(sum)) = (calibration.get_mut(bin), sums.get_mut(bin)) {
            row.count += 1;
            sum.0 += p;
            sum.1 += if o { 1.0 } else { 0.0 };
        }
    }
    for (row, sum) in calibration.iter_mut().zip(sums) {
        row.mean_predicted = ratio(sum.0, row.count as f64);
        row.observed_rate = ratio(sum.1, row.count as f64);
    }
    Ok(ModelEvaluation {
        examples: n,
        positives,
        roc_auc,
        log_loss: ratio(log_loss, nf),
        brier: ratio(brier, nf),
        lift,
        calibration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_as_one_half_and_is_undefined_for_one_class() {
        let e = evaluate(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]).expect("valid");
        assert_eq!(e.roc_auc, Some(0.75));
        let e = evaluate(&[0.5, 0.5], &[false, true]).expect("valid");
        assert_eq!(e.roc_auc, Some(0.5));
        let e = evaluate(&[0.2, 0.9], &[true, true]).expect("valid");
        assert_eq!(e.roc_auc, None);
        let e = evaluate(&[], &[]).expect("empty");
        assert_eq!(e.log_loss, None);
        assert!(e.lift.is_empty());
    }

    #[test]
    fn brier_log_loss_and_lift_follow_their_definitions() {
        let e = evaluate(&[1.0, 0.0, 0.5, 0.5], &[true, false, true, false]).expect("valid");
        assert!((e.brier.expect("defined") - 0.125).abs() < 1e-15);
        let want = (2.0 * (-(1.0 - 1e-15_f64).ln()) + 2.0 * -(0.5_f64.ln())) / 4.0;
        assert!((e.log_loss.expect("defined") - want).abs() < 1e-12);
        assert_eq!(e.lift.iter().map(|r| r.count).sum::<usize>(), 4);
        assert!(evaluate(&[f64::NAN], &[true]).is_err());
    }
}
