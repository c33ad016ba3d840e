//! A/B/n experiment statistics for campaigns and journeys' split steps:
//! conversion rates (two-proportion z-test, Pearson chi-square), means
//! (Welch's t-test), Bayesian beta-binomial comparison in closed form,
//! sample size and minimum detectable effect, the sample ratio mismatch
//! check, a peeking warning and an always-valid sequential test (mSPRT).
//!
//! Every result names its test, lists its assumptions with whether they
//! hold, and never holds NaN: an empty arm, or data for which a test is
//! undefined, is an error or a warning with the reason. Statistics are
//! `f64` (money is not involved: revenue per recipient enters as a mean).
//!
//! ```
//! use crmkit::experiments::{ExperimentRequest, analyze};
//!
//! let request = ExperimentRequest::from_json(r#"{
//!   "metric": "conversion",
//!   "arms": [{"name": "A", "visitors": 1000, "conversions": 100},
//!            {"name": "B", "visitors": 1000, "conversions": 130}]
//! }"#)?;
//! let analysis = analyze(&request)?;
//! let b = &analysis.comparisons[0];
//! assert_eq!(b.verdict.code, "variant_better");
//! let z = &b.proportions.as_ref().unwrap().test;
//! assert_eq!(z.test, "two_proportion_z_test");
//! assert!(z.p_value < 0.05 && z.assumptions_hold());
//! assert!(b.bayesian.as_ref().unwrap().probability_variant_beats_control > 0.97);
//! Ok::<(), crmkit::Error>(())
//! ```

pub mod analyze;
pub mod bayes;
pub mod design;
pub mod distributions;
pub mod means;
pub mod proportions;
pub mod report;
pub mod sequential;

pub use analyze::{
    ArmInput, ArmSummary, Comparison, Conclusion, ExperimentAnalysis, ExperimentRequest, Warning,
    analyze,
};
pub use bayes::{BayesianComparison, Beta, compare_bayesian, probability_greater};
pub use design::{
    DetectableEffect, EffectSize, PlanMetric, SampleRatioCheck, SampleSizePlan, SampleSizeRequest,
    minimum_detectable_effect, sample_ratio_mismatch, sample_size,
};
pub use means::{MeanComparison, SampleSummary, welch_t_test};
pub use proportions::{Proportion, ProportionComparison, chi_square_test, two_proportion_z_test};
pub use report::{Assumption, Interval, MetricKind, TestResult};
pub use sequential::{SequentialOptions, SequentialResult, msprt};
