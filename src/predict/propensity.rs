//! Conversion propensity: which open deals (leads) are most likely to be
//! won, trained on the deals already won or lost.
//!
//! A [`PropensitySpec`] (JSON) names the features and the model; training
//! learns the feature encoders, fits a [`NaiveBayes`] or
//! [`LogisticRegression`] on a deterministic split of the closed deals and
//! evaluates it on the hold-out part. The resulting [`PropensityModel`] is
//! immutable, serialisable to JSON and predicts, for every open deal, the
//! probability of a win, the expected value (probability × deal value) and
//! the features that pushed it up or down.

use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::{Deserialize, Serialize};

use super::evaluate::{ModelEvaluation, evaluate};
use super::features::{Encoder, FeatureSpec, MAX_CATEGORY_LEVELS, Raw, check_features, raw_value};
use super::logistic::{LogisticOptions, LogisticRegression};
use super::naive_bayes::{NaiveBayes, NaiveBayesOptions};
use crate::model::{
    ContactId, Dataset, Deal, DealId, DealStatus, PipelineId, ProtectedAttribute, Timestamp,
};
use crate::money::{Currency, Money};
use crate::{Error, ErrorKind, Result};

/// Which model to train.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// The naive-Bayes frequency model (the default).
    #[default]
    NaiveBayes,
    /// L2-regularised logistic regression.
    Logistic,
}

/// What to train. JSON example:
///
/// ```json
/// {"model": "logistic", "features": [
///    {"type": "category", "field": "company.industry"},
///    {"type": "activity_count", "activity": "meeting"}],
///  "holdout_percent": 20, "logistic": {"l2": 1.0}}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropensitySpec {
    /// Naive Bayes or logistic regression.
    #[serde(default)]
    pub model: ModelKind,
    /// The features (at least one).
    pub features: Vec<FeatureSpec>,
    /// Protected attributes the model may use (default none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_protected: Vec<ProtectedAttribute>,
    /// Only deals of this pipeline (default all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<PipelineId>,
    /// Share of closed deals held out for evaluation, 0 to 50 (default 20).
    /// A deal is held out when a hash of its id falls in that share, so the
    /// split is the same on every run and platform.
    #[serde(default = "default_holdout")]
    pub holdout_percent: u8,
    /// Number of quantile bins for numbers in naive Bayes (2 to 20,
    /// default 5).
    #[serde(default = "default_bins")]
    pub bins: u8,
    /// The model currency for money features and expected values
    /// (default: the dataset's reporting currency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// Naive-Bayes options.
    #[serde(default)]
    pub naive_bayes: NaiveBayesOptions,
    /// Logistic-regression options.
    #[serde(default)]
    pub logistic: LogisticOptions,
}

fn default_holdout() -> u8 {
    20
}

fn default_bins() -> u8 {
    5
}

impl PropensitySpec {
    /// Parses and validates a spec from JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`] for malformed JSON or a
    /// wrong shape; the errors of [`PropensitySpec::validate`].
    pub fn from_json(json: &str) -> Result<PropensitySpec> {
        let spec: PropensitySpec = Error::parse_json(json)?;
        spec.validate()?;
        Ok(spec)
    }

    /// Checks the spec (ranges, features, protected attributes).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] for ranges, unknown or
    /// duplicate features (naming the field);
    /// [`ErrorKind::ProtectedAttribute`]
    /// for a protected attribute that was not allowed.
    pub fn validate(&self) -> Result<()> {
        if self.features.is_empty() {
            return Err(Error::invalid("features", "expected at least one feature"));
        }
        if self.holdout_percent > 50 {
            return Err(Error::invalid("holdout_percent", "expected 0 to 50"));
        }
        if !(2..=20).contains(&self.bins) {
            return Err(Error::invalid("bins", "expected 2 to 20"));
        }
        self.naive_bayes
            .validate()
            .map_err(|e| e.with_path_prefix("naive_bayes"))?;
        if !(self.logistic.l2.is_finite() && self.logistic.l2 >= 0.0) {
            return Err(Error::invalid(
                "logistic.l2",
                "expected a finite non-negative penalty",
            ));
        }
        check_features(&self.features, &self.allow_protected)?;
        Ok(())
    }
}

/// The fitted model inside a [`PropensityModel`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FittedModel {
    /// Naive Bayes over the encoders' codes.
    NaiveBayes {
        /// The model.
        model: NaiveBayes,
    },
    /// Logistic regression over the encoders' columns.
    Logistic {
        /// The model.
        model: LogisticRegression,
    },
}

/// What training saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSummary {
    /// Closed deals used for training.
    pub train_examples: usize,
    /// Won deals among them.
    pub train_won: usize,
    /// Closed deals held out.
    pub holdout_examples: usize,
    /// Evaluation on the hold-out deals (`None` without hold-out).
    pub evaluation: Option<ModelEvaluation>,
    /// Mean value of the won training deals, used as the expected deal
    /// value of a lead whose deal has no value.
    pub mean_won_value: Money,
}

/// A trained, immutable propensity model.
///
/// # Example
///
/// Train on the sample company's closed deals, then rank its open leads:
///
/// ```
/// use crmkit::predict::{PropensityModel, PropensitySpec};
/// use crmkit::sample::{SAMPLE_AS_OF, SampleConfig, generate};
///
/// let ds = generate(&SampleConfig::default())?;
/// let spec = PropensitySpec::from_json(r#"{"features": [
///     {"type": "category", "field": "company.industry"},
///     {"type": "activity_count", "activity": "meeting"}], "holdout_percent": 20}"#)?;
/// let model = PropensityModel::train(&ds, &spec, SAMPLE_AS_OF)?;
/// let leads = model.predict(&ds, SAMPLE_AS_OF)?;
/// // Highest probability first, each with the contributions behind it.
/// assert!(leads.windows(2).all(|w| w[0].probability >= w[1].probability));
/// assert!(leads.iter().all(|l| (0.0..=1.0).contains(&l.probability)));
/// // The model travels as JSON and predicts the same after loading.
/// let loaded = PropensityModel::from_json(&model.to_json()?)?;
/// assert_eq!(loaded.predict(&ds, SAMPLE_AS_OF)?, leads);
/// Ok::<(), crmkit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropensityModel {
    /// The spec it was trained from.
    pub spec: PropensitySpec,
    /// The model currency.
    pub currency: Currency,
    /// One encoder per feature.
    pub encoders: Vec<Encoder>,
    /// The fitted model.
    pub fitted: FittedModel,
    /// Protected attributes the model uses (allowed explicitly).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uses_protected: Vec<ProtectedAttribute>,
    /// Training and evaluation summary.
    pub training: TrainingSummary,
}

/// How one feature moved a prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureContribution {
    /// The feature's label (`company.industry`).
    pub feature: String,
    /// The value the lead has (`"software"`, `"(missing)"`).
    pub value: String,
    /// Change in log-odds: positive pushed the probability up.
    pub effect: f64,
}

/// The prediction for one open lead: an open deal, or a lead contact
/// without an open deal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadPrediction {
    /// The open deal; `None` for a lead contact without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal: Option<DealId>,
    /// Its contact.
    pub contact: ContactId,
    /// Probability of a win.
    pub probability: f64,
    /// Probability × the deal's value (or the mean won value when the deal
    /// has none), in the model currency, to the cent.
    pub expected_value: Money,
    /// Feature contributions, largest effect first.
    pub contributions: Vec<FeatureContribution>,
    /// `true` when the model uses protected attributes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub uses_protected: bool,
}

/// FNV-1a hash of a string: the deterministic hold-out split.
fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn rows(
    dataset: &Dataset,
    spec: &PropensitySpec,
    deals: &[&Deal],
    as_of: Timestamp,
    currency: Currency,
) -> Result<Vec<Vec<Raw>>> {
    let units: Vec<(usize, Option<&Deal>)> = deals
        .iter()
        .map(|deal| {
            let position = dataset
                .contact_position(&deal.contact)
                .unwrap_or(usize::MAX);
            (position, Some(*deal))
        })
        .collect();
    unit_rows(dataset, spec, &units, as_of, currency)
}

/// Raw feature rows of `(contact position, deal)` units; activity counts
/// run up to the deal's close, or `as_of` while it is open.
fn unit_rows(
    dataset: &Dataset,
    spec: &PropensitySpec,
    units: &[(usize, Option<&Deal>)],
    as_of: Timestamp,
    currency: Currency,
) -> Result<Vec<Vec<Raw>>> {
    units
        .iter()
        .map(|&(position, deal)| {
            let until = deal.and_then(|d| d.closed_at).unwrap_or(as_of);
            spec.features
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    raw_value(dataset, f, position, deal, until, currency)
                        .map_err(|e| e.with_path_prefix(&format!("features[{i}]")))
                })
                .collect()
        })
        .collect()
}

/// Most values of a logistic design matrix (rows × columns, 1 GB of
/// doubles); a larger one is refused before it is allocated.
pub const MAX_DESIGN_VALUES: usize = 1 << 27;

fn design(encoders: &[Encoder], rows: &[Vec<Raw>]) -> Result<(Vec<f64>, usize)> {
    let width: usize = encoders.iter().map(Encoder::width).sum();
    let size = rows
        .len()
        .checked_mul(width)
        .filter(|size| *size <= MAX_DESIGN_VALUES)
        .ok_or_else(|| {
            Error::invalid(
                "features",
                format!(
                    "{} rows x {width} encoded columns exceed the limit of {MAX_DESIGN_VALUES} values",
                    rows.len()
                ),
            )
        })?;
    let mut x = super::lbfgs::zeroed(size)?;
    for (row, out) in rows.iter().zip(x.chunks_exact_mut(width.max(1))) {
        let mut at = 0;
        for (encoder, raw) in encoders.iter().zip(row) {
            let w = encoder.width();
            if let Some(slot) = out.get_mut(at..at + w) {
                encoder.write_columns(raw, slot);
            }
            at += w;
        }
    }
    Ok((x, width))
}

fn codes(encoders: &[Encoder], rows: &[Vec<Raw>]) -> Vec<u32> {
    rows.iter()
        .flat_map(|row| encoders.iter().zip(row).map(|(e, r)| e.code(r)))
        .collect()
}

impl PropensityModel {
    /// Trains a model on the closed deals of `dataset` (won = positive),
    /// holding out a deterministic share for evaluation. Only deals closed at
    /// or before `as_of` are used, so a model can be trained as of a past
    /// date and checked against what happened next.
    ///
    /// # Errors
    ///
    /// The spec's own errors (including
    /// [`ErrorKind::ProtectedAttribute`]); [`ErrorKind::Invalid`] when the
    /// training part has no won or no lost deal; the model's numerical
    /// errors.
    pub fn train(
        dataset: &Dataset,
        spec: &PropensitySpec,
        as_of: Timestamp,
    ) -> Result<PropensityModel> {
        spec.validate()?;
        let currency = spec
            .currency
            .or(dataset.reporting_currency())
            .or_else(|| dataset.deals().first().map(|d| d.value.currency))
            .ok_or_else(|| Error::invalid("deals", "the dataset has no deals to train on"))?;
        let closed: Vec<&Deal> = dataset
            .deals()
            .iter()
            .filter(|d| d.status != DealStatus::Open && d.closed_at.is_some_and(|c| c <= as_of))
            .filter(|d| spec.pipeline.as_ref().is_none_or(|p| &d.pipeline == p))
            .collect();
        let (holdout, train): (Vec<&Deal>, Vec<&Deal>) = closed
            .iter()
            .partition(|d| stable_hash(d.id.as_str()) % 100 < u64::from(spec.holdout_percent));
        let y: Vec<bool> = train.iter().map(|d| d.status == DealStatus::Won).collect();
        let won = y.iter().filter(|v| **v).count();
        if won == 0 || won == y.len() {
            return Err(Error::invalid(
                "deals",
                format!(
                    "training needs at least one won and one lost deal; the training split has {won} won of {}",
                    y.len()
                ),
            ));
        }
        let far_future = Timestamp::MAX_UTC;
        let train_rows = rows(dataset, spec, &train, far_future, currency)?;
        let encoders: Vec<Encoder> = (0..spec.features.len())
            .map(|j| {
                let column: Vec<&Raw> = train_rows.iter().filter_map(|r| r.get(j)).collect();
                Encoder::learn_folded(&column, usize::from(spec.bins), MAX_CATEGORY_LEVELS)
            })
            .collect();
        let fitted = match spec.model {
            ModelKind::NaiveBayes => {
                let levels: Vec<u32> = encoders.iter().map(Encoder::levels).collect();
                let c = codes(&encoders, &train_rows);
                FittedModel::NaiveBayes {
                    model: NaiveBayes::fit(&c, &levels, &y, &spec.naive_bayes)?,
                }
            }
            ModelKind::Logistic => {
                let (x, width) = design(&encoders, &train_rows)?;
                FittedModel::Logistic {
                    model: LogisticRegression::fit(&x, width, &y, &spec.logistic)?,
                }
            }
        };
        let mut total = Decimal::ZERO;
        for deal in train.iter().filter(|d| d.status == DealStatus::Won) {
            let value = super::rfm::convert(dataset, &deal.value, currency)?;
            total += Decimal::from_f64(value).unwrap_or(Decimal::ZERO);
        }
        let mean_won_value = Money::new(total / Decimal::from(won), currency).round_dp(2);
        let uses_protected = check_features(&spec.features, &spec.allow_protected)?;
        let mut model = PropensityModel {
            spec: spec.clone(),
            currency,
            encoders,
            fitted,
            uses_protected,
            training: TrainingSummary {
                train_examples: train.len(),
                train_won: won,
                holdout_examples: holdout.len(),
                evaluation: None,
                mean_won_value,
            },
        };
        if !holdout.is_empty() {
            let holdout_rows = rows(dataset, spec, &holdout, far_future, currency)?;
            let probabilities: Vec<f64> = holdout_rows
                .iter()
                .map(|r| model.probability_of(r))
                .collect();
            let outcomes: Vec<bool> = holdout
                .iter()
                .map(|d| d.status == DealStatus::Won)
                .collect();
            model.training.evaluation = Some(evaluate(&probabilities, &outcomes)?);
        }
        Ok(model)
    }

    /// Loads a model from JSON, checking the spec and the coefficients.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`] for malformed JSON or a
    /// wrong shape; [`ErrorKind::Invalid`] for a
    /// spec or coefficients that fail validation.
    pub fn from_json(json: &str) -> Result<PropensityModel> {
        let model: PropensityModel = Error::parse_json(json)?;
        model
            .spec
            .validate()
            .map_err(|e| e.with_path_prefix("spec"))?;
        if model.encoders.len() != model.spec.features.len() {
            return Err(Error::invalid(
                "encoders",
                "expected one encoder per feature",
            ));
        }
        match &model.fitted {
            FittedModel::NaiveBayes { model: nb } => {
                nb.validate()
                    .map_err(|e| e.with_path_prefix("fitted.model"))?;
                if nb.log_ratios.len() != model.encoders.len() {
                    return Err(Error::invalid(
                        "fitted.model.log_ratios",
                        "expected one table per feature",
                    ));
                }
            }
            FittedModel::Logistic { model: lr } => {
                lr.validate()
                    .map_err(|e| e.with_path_prefix("fitted.model"))?;
                let width: usize = model.encoders.iter().map(Encoder::width).sum();
                if lr.coefficients.len() != width {
                    return Err(Error::invalid(
                        "fitted.model.coefficients",
                        format!("expected {width} coefficients for the encoders"),
                    ));
                }
            }
        }
        Ok(model)
    }

    /// The JSON form.
    ///
    /// # Errors
    ///
    /// Only if serialisation fails, which the model's own types do not cause.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::new(ErrorKind::Json, e.to_string()))
    }

    fn probability_of(&self, row: &[Raw]) -> f64 {
        self.explain(row).0
    }

    /// Probability and per-feature log-odds contributions of one raw row.
    fn explain(&self, row: &[Raw]) -> (f64, Vec<f64>) {
        match &self.fitted {
            FittedModel::NaiveBayes { model } => {
                let effects: Vec<f64> = self
                    .encoders
                    .iter()
                    .zip(row)
                    .enumerate()
                    .map(|(j, (e, r))| model.contribution(j, e.code(r)))
                    .collect();
                let z = model.prior_log_odds + effects.iter().sum::<f64>();
                (model.clamp(super::special::sigmoid(z)), effects)
            }
            FittedModel::Logistic { model } => {
                let mut effects = Vec::with_capacity(row.len());
                let mut at = 0;
                let mut buffer = Vec::new();
                for (encoder, raw) in self.encoders.iter().zip(row) {
                    let w = encoder.width();
                    buffer.clear();
                    buffer.resize(w, 0.0);
                    encoder.write_columns(raw, &mut buffer);
                    let effect: f64 = model
                        .coefficients
                        .get(at..at + w)
                        .map_or(0.0, |c| c.iter().zip(&buffer).map(|(c, v)| c * v).sum());
                    effects.push(effect);
                    at += w;
                }
                let z = model.intercept + effects.iter().sum::<f64>();
                (super::special::sigmoid(z), effects)
            }
        }
    }

    /// Predicts every open lead of `dataset`: each open deal (of the spec's
    /// pipeline), and each contact in a lead stage (lead, MQL, SQL,
    /// opportunity) without an open deal, whose `deal_value` feature is
    /// then missing and whose expected value uses the mean won value.
    /// Highest probability first (ties by deal, then contact id). Activity
    /// counts run up to `as_of`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CurrencyMismatch`] for
    /// deal values without exchange rates;
    /// [`ErrorKind::Invalid`] for features the
    /// dataset cannot provide.
    pub fn predict(&self, dataset: &Dataset, as_of: Timestamp) -> Result<Vec<LeadPrediction>> {
        let open: Vec<&Deal> = dataset
            .deals()
            .iter()
            .filter(|d| d.status == DealStatus::Open)
            .filter(|d| self.spec.pipeline.as_ref().is_none_or(|p| &d.pipeline == p))
            .collect();
        let mut units: Vec<(usize, Option<&Deal>)> = Vec::with_capacity(open.len());
        let mut has_open = vec![false; dataset.contacts().len()];
        for deal in &open {
            let position = dataset
                .contact_position(&deal.contact)
                .unwrap_or(usize::MAX);
            if let Some(flag) = has_open.get_mut(position) {
                *flag = true;
            }
            units.push((position, Some(*deal)));
        }
        for (position, contact) in dataset.contacts().iter().enumerate() {
            if contact.lifecycle.stage.is_lead() && !has_open.get(position).copied().unwrap_or(true)
            {
                units.push((position, None));
            }
        }
        let raw_rows = unit_rows(dataset, &self.spec, &units, as_of, self.currency)?;
        let mut predictions = Vec::with_capacity(units.len());
        for (&(position, deal), row) in units.iter().zip(&raw_rows) {
            let Some(contact) = dataset.contacts().get(position) else {
                continue;
            };
            let (probability, effects) = self.explain(row);
            let value = match deal {
                Some(deal) if !deal.value.amount.is_zero() => {
                    let v = super::rfm::convert(dataset, &deal.value, self.currency)?;
                    Money::new(Decimal::from_f64(v).unwrap_or(Decimal::ZERO), self.currency)
                }
                _ => self.training.mean_won_value,
            };
            let p = Decimal::from_f64(probability)
                .unwrap_or(Decimal::ZERO)
                .round_dp(6);
            let expected_value = value.checked_mul(p)?.round_dp(2);
            let mut contributions: Vec<FeatureContribution> = self
                .spec
                .features
                .iter()
                .zip(row)
                .zip(effects)
                .map(|((f, r), effect)| FeatureContribution {
                    feature: f.label(),
                    value: r.display(),
                    effect,
                })
                .collect();
            contributions.sort_by(|a, b| {
                b.effect
                    .abs()
                    .total_cmp(&a.effect.abs())
                    .then_with(|| a.feature.cmp(&b.feature))
            });
            predictions.push(LeadPrediction {
                deal: deal.map(|d| d.id.clone()),
                contact: contact.id.clone(),
                probability,
                expected_value,
                contributions,
                uses_protected: !self.uses_protected.is_empty(),
            });
        }
        predictions.sort_by(|a, b| {
            b.probability
                .total_cmp(&a.probability)
                .then_with(|| a.deal.cmp(&b.deal))
                .then_with(|| a.contact.cmp(&b.contact))
        });
        Ok(predictions)
    }
}
