//! The one-call analysis of an A/B/n experiment from a JSON-shaped request:
//! every variant against the control with the frequentist test of the
//! metric, the Bayesian comparison (conversion rates), the optional
//! sequential test, the sample ratio check, the peeking warning and a
//! verdict with its reason.
//!
//! Multiple variants: each comparison's p-value is also Bonferroni-adjusted
//! (`min(1, p × comparisons)`, statsmodels' `multipletests(method=
//! "bonferroni")`), and the verdict uses the adjusted value.

use serde::{Deserialize, Serialize};

use super::bayes::{BayesianComparison, Beta, compare_bayesian};
use super::design::{SampleRatioCheck, sample_ratio_mismatch};
use super::means::{MeanComparison, SampleSummary, welch_t_test};
use super::proportions::{
    Proportion, ProportionComparison, chi_square_test, two_proportion_z_test,
};
use super::report::{MetricKind, TestResult, check_probability};
use super::sequential::{SequentialOptions, SequentialResult, msprt};
use crate::{Error, Result};

/// One arm of the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmInput {
    /// The arm's name, unique within the request.
    pub name: String,
    /// Conversion metric: visitors in the arm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitors: Option<u64>,
    /// Conversion metric: visitors who converted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversions: Option<u64>,
    /// Mean metric: number of observations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
    /// Mean metric: the sample mean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Mean metric: the sample standard deviation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// Mean metric: raw observations instead of `n`, `mean`, `sd`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<f64>>,
}

/// The request of [`analyze`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentRequest {
    /// What the arms measure.
    pub metric: MetricKind,
    /// The arms; the control is the first unless `control` names another.
    pub arms: Vec<ArmInput>,
    /// Two-sided significance level; default 0.05.
    #[serde(default = "default_alpha")]
    pub alpha: f64,
    /// The control arm's name; default the first arm.
    #[serde(default)]
    pub control: Option<String>,
    /// The planned traffic split (weights, one per arm); default equal.
    #[serde(default)]
    pub expected_split: Vec<f64>,
    /// The planned size per arm; reading results before every arm reaches
    /// it raises the peeking warning and the verdict `keep_running`.
    #[serde(default)]
    pub planned_per_arm: Option<u64>,
    /// Beta prior of the Bayesian comparison; default Beta(1, 1).
    #[serde(default)]
    pub prior: Beta,
    /// Coverage of the credible intervals; default 0.95.
    #[serde(default = "default_credible")]
    pub credible_level: f64,
    /// The always-valid sequential test (mSPRT); when set, it decides the
    /// verdict and there is no peeking warning.
    #[serde(default)]
    pub sequential: Option<SequentialOptions>,
    /// Yates' continuity correction in the 2 × 2 chi-square test.
    #[serde(default)]
    pub yates: bool,
    /// The p-value below which the split flags a sample ratio mismatch;
    /// default 0.001.
    #[serde(default = "default_srm")]
    pub srm_threshold: f64,
}

fn default_alpha() -> f64 {
    0.05
}
fn default_credible() -> f64 {
    0.95
}
fn default_srm() -> f64 {
    0.001
}

impl ExperimentRequest {
    /// Parses a request from JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) naming the JSON path.
    pub fn from_json(json: &str) -> Result<Self> {
        Error::parse_json(json)
    }
}

/// A machine-readable warning.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// `peeking`, `sample_ratio_mismatch`, `assumption_violated`,
    /// `test_undefined`.
    pub code: &'static str,
    /// What and why, with the numbers.
    pub message: String,
}

/// The verdict of one comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conclusion {
    /// `variant_better`, `control_better`, `no_significant_difference`,
    /// `keep_running`, `sample_ratio_mismatch` or `undefined`.
    pub code: &'static str,
    /// The reason, with the deciding numbers.
    pub reason: String,
}

/// One arm's observed figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmSummary {
    /// The arm's name.
    pub name: String,
    /// Visitors or observations.
    pub n: u64,
    /// Conversions (conversion metric).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversions: Option<u64>,
    /// Conversion rate or mean.
    pub value: f64,
}

/// One variant against the control.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The variant's name.
    pub variant: String,
    /// The control's name.
    pub control: String,
    /// Conversion metric: z-test, difference and lift.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proportions: Option<ProportionComparison>,
    /// Mean metric: Welch's test, difference and lift.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub means: Option<MeanComparison>,
    /// Conversion metric: the Bayesian comparison.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bayesian: Option<BayesianComparison>,
    /// The sequential test, when requested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequential: Option<SequentialResult>,
    /// The frequentist p-value, Bonferroni-adjusted for the number of
    /// comparisons (equal to the raw p-value for one comparison).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjusted_p_value: Option<f64>,
    /// The verdict.
    pub verdict: Conclusion,
}

/// The result of [`analyze`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExperimentAnalysis {
    /// What the arms measure.
    pub metric: MetricKind,
    /// The significance level.
    pub alpha: f64,
    /// The arms as observed, in request order.
    pub arms: Vec<ArmSummary>,
    /// Conversion metric: the chi-square test across all arms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chi_square: Option<TestResult>,
    /// Each variant against the control.
    pub comparisons: Vec<Comparison>,
    /// The sample ratio mismatch check.
    pub sample_ratio: SampleRatioCheck,
    /// Warnings: read them before the verdicts.
    pub warnings: Vec<Warning>,
}

enum ArmData {
    Rate(Proportion),
    Mean(SampleSummary),
}

fn arm_data(metric: MetricKind, arm: &ArmInput, index: usize) -> Result<ArmData> {
    let prefix = format!("arms[{index}]");
    let missing = |field: &str| {
        Error::invalid(
            format!("{prefix}.{field}"),
            format!("required for the {metric:?} metric").to_lowercase(),
        )
    };
    match metric {
        MetricKind::Conversion => {
            let visitors = arm.visitors.ok_or_else(|| missing("visitors"))?;
            let conversions = arm.conversions.ok_or_else(|| missing("conversions"))?;
            Proportion::new(visitors, conversions)
                .map(ArmData::Rate)
                .map_err(|e| e.with_path_prefix(&prefix))
        }
        MetricKind::Mean => {
            let summary = match (&arm.values, arm.n, arm.mean, arm.sd) {
                (Some(values), None, None, None) => {
                    SampleSummary::from_values(values).map_err(|e| e.with_path_prefix(&prefix))?
                }
                (None, Some(n), Some(mean), Some(sd)) => {
                    SampleSummary::new(n, mean, sd).map_err(|e| e.with_path_prefix(&prefix))?
                }
                _ => {
                    return Err(Error::invalid(
                        prefix,
                        "give either values, or n, mean and sd (not both)",
                    ));
                }
            };
            Ok(ArmData::Mean(summary))
        }
    }
}

/// Analyses an experiment.
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) naming the field for
/// fewer than two arms, a duplicate or unknown arm name, an empty arm, an
/// arm without the metric's fields, or options out of range;
/// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) for a prior
/// alpha that is not an integer. A test that is undefined for the data
/// (no conversions anywhere) is not an error: it is left out with a
/// `test_undefined` warning and the verdict `undefined`.
pub fn analyze(request: &ExperimentRequest) -> Result<ExperimentAnalysis> {
    check_probability(request.alpha, "alpha")?;
    check_probability(request.credible_level, "credible_level")?;
    if request.arms.len() < 2 {
        return Err(Error::invalid(
            "arms",
            "an experiment needs at least two arms",
        ));
    }
    for (i, arm) in request.arms.iter().enumerate() {
        if request.arms[..i].iter().any(|a| a.name == arm.name) {
            return Err(Error::invalid(
                format!("arms[{i}].name"),
                format!("duplicate arm name {:?}", arm.name),
            ));
        }
    }
    let control_index = match &request.control {
        None => 0,
        Some(name) => request
            .arms
            .iter()
            .position(|a| &a.name == name)
            .ok_or_else(|| Error::invalid("control", format!("no arm is named {name:?}")))?,
    };
    let data = request
        .arms
        .iter()
        .enumerate()
        .map(|(i, arm)| arm_data(request.metric, arm, i))
        .collect::<Result<Vec<_>>>()?;
    let arms: Vec<ArmSummary> = request
        .arms
        .iter()
        .zip(&data)
        .map(|(arm, d)| match d {
            ArmData::Rate(p) => ArmSummary {
                name: arm.name.clone(),
                n: p.visitors,
                conversions: Some(p.conversions),
                value: p.rate(),
            },
            ArmData::Mean(s) => ArmSummary {
                name: arm.name.clone(),
                n: s.n,
                conversions: None,
                value: s.mean,
            },
        })
        .collect();
    let mut warnings = Vec::new();
    let counts: Vec<u64> = arms.iter().map(|a| a.n).collect();
    let sample_ratio =
        sample_ratio_mismatch(&counts, &request.expected_split, request.srm_threshold)?;
    if sample_ratio.mismatch {
        warnings.push(Warning {
            code: "sample_ratio_mismatch",
            message: format!(
                "arm sizes {counts:?} do not fit the planned split (chi-square p = {:.3e} < {}); assignment or logging is broken and the results cannot be trusted",
                sample_ratio.test.p_value, sample_ratio.threshold
            ),
        });
    }
    let smallest = counts.iter().copied().min().unwrap_or(0);
    let peeking = request.sequential.is_none()
        && request
            .planned_per_arm
            .is_some_and(|planned| smallest < planned);
    if let (true, Some(planned)) = (peeking, request.planned_per_arm) {
        warnings.push(Warning {
            code: "peeking",
            message: format!(
                "the smallest arm has {smallest} of the planned {planned} observations; reading a fixed-horizon test early inflates false positives (use the sequential option to watch daily)"
            ),
        });
    }
    let chi_square = match request.metric {
        MetricKind::Conversion => {
            let rates: Vec<Proportion> = data
                .iter()
                .filter_map(|d| match d {
                    ArmData::Rate(p) => Some(*p),
                    ArmData::Mean(_) => None,
                })
                .collect();
            match chi_square_test(&rates, request.yates, request.alpha) {
                Ok(t) => Some(t),
                Err(e) => {
                    warnings.push(Warning {
                        code: "test_undefined",
                        message: e.to_string(),
                    });
                    None
                }
            }
        }
        MetricKind::Mean => None,
    };
    let comparisons_count = (request.arms.len() - 1) as f64;
    let mut comparisons = Vec::new();
    for (i, d) in data.iter().enumerate() {
        if i == control_index {
            continue;
        }
        let (variant, control) = (&arms[i].name, &arms[control_index].name);
        let mut comparison = Comparison {
            variant: variant.clone(),
            control: control.clone(),
            proportions: None,
            means: None,
            bayesian: None,
            sequential: None,
            adjusted_p_value: None,
            verdict: Conclusion {
                code: "undefined",
                reason: String::new(),
            },
        };
        let frequentist: Result<(TestResult, f64, f64)> = match (&data[control_index], d) {
            (ArmData::Rate(c), ArmData::Rate(v)) => {
                comparison.bayesian = Some(compare_bayesian(
                    *c,
                    *v,
                    request.prior,
                    request.credible_level,
                )?);
                two_proportion_z_test(*c, *v, request.alpha).map(|r| {
                    let (pa, pb) = (c.rate(), v.rate());
                    let variance =
                        pa * (1.0 - pa) / c.visitors as f64 + pb * (1.0 - pb) / v.visitors as f64;
                    let out = (r.test.clone(), r.difference.estimate, variance);
                    comparison.proportions = Some(r);
                    out
                })
            }
            (ArmData::Mean(c), ArmData::Mean(v)) => welch_t_test(*c, *v, request.alpha).map(|r| {
                let variance = c.sd * c.sd / c.n as f64 + v.sd * v.sd / v.n as f64;
                let out = (r.test.clone(), r.difference.estimate, variance);
                comparison.means = Some(r);
                out
            }),
            _ => Err(Error::invalid(
                "arms",
                "all arms must measure the same metric",
            )),
        };
        match frequentist {
            Err(e) => {
                comparison.verdict.reason = e.message().to_string();
                warnings.push(Warning {
                    code: "test_undefined",
                    message: format!("{variant} vs {control}: {}", e.message()),
                });
            }
            Ok((test, difference, variance)) => {
                let adjusted = (test.p_value * comparisons_count).min(1.0);
                comparison.adjusted_p_value = Some(adjusted);
                for a in test.assumptions.iter().filter(|a| !a.holds) {
                    warnings.push(Warning {
                        code: "assumption_violated",
                        message: format!(
                            "{variant} vs {control}: {} ({}): {}",
                            test.test, a.code, a.detail
                        ),
                    });
                }
                if let Some(options) = &request.sequential {
                    match msprt(
                        difference,
                        variance,
                        options,
                        request.alpha / comparisons_count,
                    ) {
                        Ok(s) => comparison.sequential = Some(s),
                        Err(e) => warnings.push(Warning {
                            code: "test_undefined",
                            message: format!("{variant} vs {control}: {}", e.message()),
                        }),
                    }
                }
                comparison.verdict = decide(&Decision {
                    mismatch: sample_ratio.mismatch,
                    peeking: peeking.then_some((smallest, request.planned_per_arm.unwrap_or(0))),
                    sequential: request
                        .sequential
                        .is_some()
                        .then_some(comparison.sequential.as_ref()),
                    adjusted_p_value: adjusted,
                    alpha: request.alpha,
                    difference,
                    test: test.test,
                });
            }
        }
        comparisons.push(comparison);
    }
    Ok(ExperimentAnalysis {
        metric: request.metric,
        alpha: request.alpha,
        arms,
        chi_square,
        comparisons,
        sample_ratio,
        warnings,
    })
}

struct Decision<'a> {
    mismatch: bool,
    peeking: Option<(u64, u64)>,
    sequential: Option<Option<&'a SequentialResult>>,
    adjusted_p_value: f64,
    alpha: f64,
    difference: f64,
    test: &'static str,
}

fn direction(difference: f64) -> &'static str {
    if difference > 0.0 {
        "variant_better"
    } else {
        "control_better"
    }
}

fn decide(d: &Decision<'_>) -> Conclusion {
    if d.mismatch {
        return Conclusion {
            code: "sample_ratio_mismatch",
            reason:
                "the arm sizes do not fit the planned split; fix assignment before reading results"
                    .into(),
        };
    }
    if let Some(sequential) = d.sequential {
        return match sequential {
            Some(s) if s.reject_null => Conclusion {
                code: direction(d.difference),
                reason: format!(
                    "always-valid p-value {:.4} < {} (mSPRT): safe to stop",
                    s.always_valid_p_value, d.alpha
                ),
            },
            Some(s) => Conclusion {
                code: "keep_running",
                reason: format!(
                    "always-valid p-value {:.4} has not fallen below {} (mSPRT)",
                    s.always_valid_p_value, d.alpha
                ),
            },
            None => Conclusion {
                code: "undefined",
                reason: "the sequential test is undefined for these data".into(),
            },
        };
    }
    if let Some((smallest, planned)) = d.peeking {
        return Conclusion {
            code: "keep_running",
            reason: format!(
                "only {smallest} of the planned {planned} observations per arm; a fixed-horizon test is read once, at the planned size"
            ),
        };
    }
    if d.adjusted_p_value < d.alpha {
        Conclusion {
            code: direction(d.difference),
            reason: format!("{} p-value {:.4} < {}", d.test, d.adjusted_p_value, d.alpha),
        }
    } else {
        Conclusion {
            code: "no_significant_difference",
            reason: format!(
                "{} p-value {:.4} >= {}",
                d.test, d.adjusted_p_value, d.alpha
            ),
        }
    }
}
