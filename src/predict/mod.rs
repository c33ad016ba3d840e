//! Predictive models: conversion propensity, ideal-customer profiles and
//! churn indicators, customer lifetime value (BG/NBD + Gamma-Gamma) and
//! at-risk customers.
//!
//! * [`PropensityModel`] trains a [`NaiveBayes`] frequency model or an
//!   L2-regularised [`LogisticRegression`] (Newton/IRLS) on won and lost
//!   deals, evaluates it on a deterministic hold-out split ([`evaluate()`]:
//!   ROC AUC, log loss, Brier score, lift by decile, calibration) and
//!   predicts each open deal's probability, expected value and the features
//!   that moved it. Protected attributes are refused unless allowed.
//! * [`profile()`] finds the values over-represented among the best
//!   customers or among churned ones (lift and support).
//! * [`rfm_from_arrays`] / [`rfm_from_dataset`] summarise purchases;
//!   [`BgNbd`] and [`GammaGamma`] are fitted by maximum likelihood (stable
//!   log-likelihoods, damped Newton with restarts, convergence reported);
//!   [`ClvModel`] combines them into a discounted monthly CLV in exact
//!   money, and [`at_risk`] ranks the customers likely to leave.
//!
//! The models compute in `f64`; degenerate data (one customer, no repeat
//! buyer, all won, all lost) give an [`ErrorKind::Numerical`] or
//! [`ErrorKind::Invalid`] error, never NaN.
//!
//! ```
//! use crmkit::predict::{BgNbdParams, LogisticOptions, LogisticRegression, evaluate};
//!
//! // Flat arrays: one feature per lead, outcome won/lost.
//! let x = [0.0, 1.0, 2.0, 3.0, 0.5, 2.5, 1.5, 1.2];
//! let y = [false, false, true, true, false, true, false, true];
//! let model = LogisticRegression::fit(&x, 1, &y, &LogisticOptions::default())?;
//! assert!(model.convergence.converged);
//! assert!(model.probability(&[3.0]) > model.probability(&[0.0]));
//! let p: Vec<f64> = x.iter().map(|v| model.probability(&[*v])).collect();
//! assert!(evaluate(&p, &y)?.roc_auc.unwrap() > 0.9);
//!
//! // A customer who bought 4 times, last on day 30 of 31, is more likely
//! // alive than one whose last purchase was on day 5.
//! let bgnbd = BgNbdParams { r: 0.24, alpha: 4.41, a: 0.79, b: 2.43 };
//! assert!(bgnbd.probability_alive(4, 30.0, 31.0)? > bgnbd.probability_alive(4, 5.0, 31.0)?);
//! Ok::<(), crmkit::Error>(())
//! ```
//!
//! [`ErrorKind::Numerical`]: crate::ErrorKind::Numerical
//! [`ErrorKind::Invalid`]: crate::ErrorKind::Invalid

pub mod bgnbd;
pub mod clv;
pub mod evaluate;
pub mod features;
pub mod gamma_gamma;
pub mod grouped;
pub(crate) mod lbfgs;
pub mod logistic;
pub mod naive_bayes;
pub(crate) mod optimize;
pub mod profile;
pub mod propensity;
pub mod rfm;
#[doc(hidden)]
pub mod sim;
pub(crate) mod special;

pub use bgnbd::{BgNbd, BgNbdOptions, BgNbdParams};
pub use clv::{
    AtRiskCustomer, ClvFitOptions, ClvModel, ClvOptions, ClvReport, ClvReportOptions, CustomerClv,
    CustomerValue, RiskReason, SpendModel, at_risk, clv_report,
};
pub use evaluate::{CalibrationRow, LiftRow, ModelEvaluation, evaluate};
pub use features::{Encoder, FeatureSpec, MAX_CATEGORY_LEVELS};
pub use gamma_gamma::{GammaGamma, GammaGammaOptions, GammaGammaParams};
pub use grouped::{RfmGroup, group_customers};
pub use logistic::{LogisticOptions, LogisticRegression, MAX_FEATURES, MAX_NEWTON_FEATURES};
pub use naive_bayes::{NaiveBayes, NaiveBayesOptions};
pub use optimize::Convergence;
pub use profile::{Indicator, ProfileOutcome, ProfileReport, ProfileSpec, profile};
pub use propensity::{
    FeatureContribution, FittedModel, LeadPrediction, ModelKind, PropensityModel, PropensitySpec,
    TrainingSummary,
};
pub use rfm::{
    DatasetRfm, Rfm, RfmOptions, RfmRow, RfmTable, TimeUnit, rfm_from_arrays, rfm_from_dataset,
};
