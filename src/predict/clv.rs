//! Customer lifetime value: BG/NBD for the number of future purchases,
//! Gamma-Gamma for their value, summed month by month over a horizon with a
//! discount rate, and the at-risk ranking built on it.
//!
//! The models work in `f64`; values leave this module as exact [`Money`]
//! rounded to the cent.

use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::{Deserialize, Serialize};

use super::bgnbd::{BgNbd, BgNbdOptions};
use super::gamma_gamma::{GammaGamma, GammaGammaOptions};
use super::grouped::RfmGroup;
use super::rfm::{Rfm, RfmOptions, TimeUnit, rfm_from_dataset};
use crate::model::{ContactId, Dataset, Timestamp};
use crate::money::{Currency, Money};
use crate::{Error, ErrorKind, Result};

/// How CLV is computed from the fitted models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClvOptions {
    /// Months of future cash flow summed (default 12, at most 1200).
    pub horizon_months: u32,
    /// Discount rate per month, as a fraction (default 0.01 = 1 % a month).
    pub monthly_discount_rate: f64,
}

impl Default for ClvOptions {
    fn default() -> Self {
        ClvOptions {
            horizon_months: 12,
            monthly_discount_rate: 0.01,
        }
    }
}

impl ClvOptions {
    /// Checks the ranges.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] naming the option that
    /// is out of range.
    pub fn validate(&self) -> Result<()> {
        if self.horizon_months > 1200 {
            return Err(Error::invalid(
                "horizon_months",
                "expected at most 1200 months",
            ));
        }
        let d = self.monthly_discount_rate;
        if !(d.is_finite() && (0.0..10.0).contains(&d)) {
            return Err(Error::invalid(
                "monthly_discount_rate",
                format!("expected a fraction between 0 and 10, found {d}"),
            ));
        }
        Ok(())
    }
}

/// Options for fitting a [`ClvModel`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClvFitOptions {
    /// The time unit of the RFM data (default days).
    pub unit: TimeUnit,
    /// BG/NBD fit options.
    pub bgnbd: BgNbdOptions,
    /// Gamma-Gamma fit options.
    pub gamma_gamma: GammaGammaOptions,
    /// Which spend model is fitted beside BG/NBD (default Gamma-Gamma).
    pub spend_model: SpendModel,
}

/// The spend model of a [`ClvModel`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpendModel {
    /// Fit Gamma-Gamma on the repeat buyers with a positive mean spend (an
    /// error when fewer than two of them, or all with the same spend).
    #[default]
    GammaGamma,
    /// BG/NBD only: no spend model is fitted (e.g. data without amounts);
    /// every customer's expected spend is the fallback spend, the mean
    /// repeat spend observed (0 when there is none).
    None,
}

/// The two fitted models and the unit of time they were fitted in.
///
/// JSON form: `{"unit": "days", "bgnbd": {...}, "gamma_gamma": {...},
/// "fallback_spend": 12.5}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClvModel {
    /// The time unit of recency and age.
    pub unit: TimeUnit,
    /// The purchase-count model.
    pub bgnbd: BgNbd,
    /// The spend model; `None` for a BG/NBD-only model
    /// ([`SpendModel::None`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gamma_gamma: Option<GammaGamma>,
    /// Mean repeat spend observed in the fitting data: the documented
    /// fallback for customers without repeat purchases when the
    /// Gamma-Gamma population mean is infinite (`q ≤ 1`), and every
    /// customer's spend in a BG/NBD-only model.
    pub fallback_spend: f64,
}

/// The predicted value of one customer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerValue {
    /// Probability that the customer is still alive.
    pub probability_alive: f64,
    /// Expected purchases over the horizon.
    pub expected_purchases: f64,
    /// Expected spend per purchase.
    pub expected_spend: f64,
    /// `true` when `expected_spend` is the fallback mean (see
    /// [`ClvModel::fallback_spend`]).
    pub spend_fallback: bool,
    /// Discounted value over the horizon (in the money unit of the data).
    pub clv: f64,
}

impl ClvModel {
    /// Fits BG/NBD and (unless `options.spend_model` is
    /// [`SpendModel::None`]) Gamma-Gamma to the same customers.
    ///
    /// # Errors
    ///
    /// Those of [`BgNbd::fit`] and [`GammaGamma::fit`].
    pub fn fit(customers: &[Rfm], options: &ClvFitOptions) -> Result<ClvModel> {
        let groups = RfmGroup::singletons(customers);
        ClvModel::fit_weighted(&groups, options, &|i| format!("customers[{i}]"))
    }

    /// The fit of customers given as weighted groups (`fit` is this with
    /// every count 1); `path` names group `i` in errors.
    pub(crate) fn fit_weighted(
        customers: &[RfmGroup],
        options: &ClvFitOptions,
        path: &dyn Fn(usize) -> String,
    ) -> Result<ClvModel> {
        let bgnbd = BgNbd::fit_weighted(customers, &options.bgnbd, path)?;
        let gamma_gamma = match options.spend_model {
            SpendModel::GammaGamma => Some(GammaGamma::fit_weighted(
                customers,
                &options.gamma_gamma,
                path,
            )?),
            SpendModel::None => None,
        };
        // With counts 1 (`fit`), `monetary * 1` is `monetary`.
        let (sum, count) =
            customers
                .iter()
                .filter(|g| g.rfm.frequency > 0)
                .fold((0.0, 0.0), |(s, n), g| {
                    let w = g.count as f64;
                    (s + g.rfm.monetary * w, n + w)
                });
        Ok(ClvModel {
            unit: options.unit,
            bgnbd,
            gamma_gamma,
            fallback_spend: if count > 0.0 { sum / count } else { 0.0 },
        })
    }

    /// Loads a model from its JSON form, validating the parameters.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`] for malformed JSON or a
    /// wrong shape; [`ErrorKind::Invalid`] for
    /// parameters that are not finite and positive.
    pub fn from_json(json: &str) -> Result<ClvModel> {
        let model: ClvModel = Error::parse_json(json)?;
        model
            .bgnbd
            .params
            .validate()
            .map_err(|e| e.with_path_prefix("bgnbd.params"))?;
        if let Some(gamma_gamma) = &model.gamma_gamma {
            gamma_gamma
                .params
                .validate()
                .map_err(|e| e.with_path_prefix("gamma_gamma.params"))?;
        }
        if !(model.fallback_spend.is_finite() && model.fallback_spend >= 0.0) {
            return Err(Error::invalid(
                "fallback_spend",
                "expected a finite non-negative number",
            ));
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

    /// The expected spend per purchase of a customer and whether it is the
    /// fallback spend: the Gamma-Gamma expectation, or
    /// [`fallback_spend`](Self::fallback_spend) when that is infinite or
    /// the model has no spend model.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] for a negative or non-finite `monetary`.
    pub fn expected_spend(&self, frequency: u32, monetary: f64) -> Result<(f64, bool)> {
        if !(monetary.is_finite() && monetary >= 0.0) {
            return Err(Error::invalid(
                "monetary",
                format!("expected a finite non-negative mean spend, found {monetary}"),
            ));
        }
        let Some(gamma_gamma) = &self.gamma_gamma else {
            return Ok((self.fallback_spend, true));
        };
        match gamma_gamma.params.expected_spend(frequency, monetary) {
            Ok(spend) => Ok((spend, false)),
            Err(e) if e.kind() == ErrorKind::Numerical => Ok((self.fallback_spend, true)),
            Err(e) => Err(e),
        }
    }

    /// Predicts one customer's value over `options.horizon_months`: the sum
    /// over months `i` of expected spend × expected purchases in month `i`
    /// ÷ (1 + rate)ⁱ.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] for a customer history
    /// that is impossible (recency after age, negative values) or options out
    /// of range; [`ErrorKind::Numerical`] when the
    /// model's expectations cannot be evaluated finitely.
    pub fn customer_value(&self, customer: &Rfm, options: &ClvOptions) -> Result<CustomerValue> {
        options.validate()?;
        let Rfm {
            frequency,
            recency,
            age,
            monetary,
        } = *customer;
        let params = &self.bgnbd.params;
        let probability_alive = params
            .probability_alive(frequency, recency, age)
            .map_err(|e| e.with_path_prefix("customer"))?;
        let (expected_spend, spend_fallback) = self
            .expected_spend(frequency, monetary)
            .map_err(|e| e.with_path_prefix("customer"))?;
        let month = self.unit.per_month();
        let mut previous = 0.0;
        let mut clv = 0.0;
        let mut discount = 1.0;
        for i in 1..=options.horizon_months {
            let cumulative = params.conditional_expected_purchases(
                f64::from(i) * month,
                frequency,
                recency,
                age,
            )?;
            discount /= 1.0 + options.monthly_discount_rate;
            clv += expected_spend * (cumulative - previous).max(0.0) * discount;
            previous = cumulative;
        }
        if !clv.is_finite() {
            return Err(Error::new(
                ErrorKind::Numerical,
                "the customer value is not finite",
            ));
        }
        Ok(CustomerValue {
            probability_alive,
            expected_purchases: previous,
            expected_spend,
            spend_fallback,
            clv,
        })
    }
}

/// Converts a model value to exact money rounded to the cent.
///
/// # Errors
///
/// [`ErrorKind::Invalid`] when `value` is NaN or
/// infinite; [`ErrorKind::Overflow`] when it does
/// not fit the decimal range.
pub fn to_money(value: f64, currency: Currency) -> Result<Money> {
    if !value.is_finite() {
        return Err(Error::new(ErrorKind::Numerical, "value is not finite"));
    }
    let amount = Decimal::from_f64(value)
        .ok_or_else(|| Error::overflow(format!("{value} does not fit a decimal")))?;
    Ok(Money::new(amount, currency).round_dp(2))
}

/// Options of [`clv_report`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClvReportOptions {
    /// Fitting options.
    pub fit: ClvFitOptions,
    /// Horizon and discount rate.
    pub clv: ClvOptions,
    /// Currency of the values (default: the dataset's reporting currency).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
}

/// One customer of a [`ClvReport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerClv {
    /// The contact.
    pub contact: ContactId,
    /// Their purchase history.
    #[serde(flatten)]
    pub rfm: Rfm,
    /// Model predictions.
    pub probability_alive: f64,
    /// Expected purchases over the horizon.
    pub expected_purchases: f64,
    /// `true` when the spend is the documented fallback.
    pub spend_fallback: bool,
    /// Expected spend per purchase, to the cent.
    pub expected_spend: Money,
    /// Discounted customer lifetime value over the horizon, to the cent.
    pub clv: Money,
    /// Total spent so far (all purchases up to `as_of`), to the cent.
    pub historical_value: Money,
}

/// CLV of every customer of a dataset, with the fitted models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClvReport {
    /// The fitted models.
    pub model: ClvModel,
    /// Options used.
    pub options: ClvOptions,
    /// Currency of the values.
    pub currency: Currency,
    /// Customers by descending CLV (ties by contact id).
    pub customers: Vec<CustomerClv>,
}

/// Summarises the purchases of `dataset` up to `as_of`, fits the models
/// and predicts every customer's value.
///
/// # Errors
///
/// The errors of the RFM summary
/// ([`ErrorKind::CurrencyMismatch`]), of
/// the fits ([`ErrorKind::Numerical`] when the
/// data cannot identify a model) and of [`ClvModel::customer_value`].
pub fn clv_report(
    dataset: &Dataset,
    as_of: Timestamp,
    options: &ClvReportOptions,
) -> Result<ClvReport> {
    options
        .clv
        .validate()
        .map_err(|e| e.with_path_prefix("clv"))?;
    let rfm = rfm_from_dataset(
        dataset,
        &RfmOptions {
            unit: options.fit.unit,
            calibration_end: as_of,
            observation_end: None,
        },
        options.currency,
    )?;
    let customers = rfm.table.customers();
    let model = ClvModel::fit(&customers, &options.fit)?;
    let mut totals = vec![0.0_f64; dataset.contacts().len()];
    for activity in dataset.activities() {
        if let crate::model::ActivityKind::Purchase { amount, .. } = &activity.kind {
            if activity.at <= as_of {
                if let Some(slot) = dataset
                    .contact_position(&activity.contact)
                    .and_then(|p| totals.get_mut(p))
                {
                    *slot += super::rfm::convert(dataset, amount, rfm.currency)?;
                }
            }
        }
    }
    let mut rows = Vec::with_capacity(customers.len());
    for (row, contact) in rfm.table.rows.iter().zip(&rfm.contacts) {
        let value = model.customer_value(&row.rfm, &options.clv)?;
        rows.push(CustomerClv {
            contact: contact.clone(),
            rfm: row.rfm,
            probability_alive: value.probability_alive,
            expected_purchases: value.expected_purchases,
            spend_fallback: value.spend_fallback,
            expected_spend: to_money(value.expected_spend, rfm.currency)?,
            clv: to_money(value.clv, rfm.currency)?,
            historical_value: to_money(
                totals.get(row.customer as usize).copied().unwrap_or(0.0),
                rfm.currency,
            )?,
        });
    }
    rows.sort_by(|a, b| {
        b.clv
            .amount
            .cmp(&a.clv.amount)
            .then_with(|| a.contact.cmp(&b.contact))
    });
    Ok(ClvReport {
        model,
        options: options.clv.clone(),
        currency: rfm.currency,
        customers: rows,
    })
}

/// Why a customer is flagged at risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskReason {
    /// The probability alive is below the threshold.
    LowProbabilityAlive,
    /// The time since the last purchase is more than twice the customer's
    /// mean time between purchases.
    LongSilence,
    /// The customer's historical value is in the top quarter of customers.
    HighValue,
}

/// A customer at risk of leaving.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtRiskCustomer {
    /// The contact.
    pub contact: ContactId,
    /// Probability that the customer is still alive.
    pub probability_alive: f64,
    /// The value at stake if the customer is kept: CLV ÷ probability alive
    /// (the customer's value if alive), to the cent.
    pub value_if_retained: Money,
    /// Ranking score: probability alive × value if retained (= CLV), to
    /// the cent. Customers who are probably still reachable and valuable
    /// rank first.
    pub score: Money,
    /// Periods since the last purchase.
    pub periods_since_last_purchase: f64,
    /// Why they are flagged.
    pub reasons: Vec<RiskReason>,
}

/// Customers whose probability alive is below `threshold` (in `(0, 1]`),
/// ranked by probability alive × value if retained, at most `limit` of
/// them. Customers without repeat purchases are never flagged (BG/NBD
/// considers them alive).
///
/// # Errors
///
/// [`ErrorKind::Invalid`] when `threshold` is
/// outside `(0, 1]`.
pub fn at_risk(report: &ClvReport, threshold: f64, limit: usize) -> Result<Vec<AtRiskCustomer>> {
    if !(threshold.is_finite() && threshold > 0.0 && threshold <= 1.0) {
        return Err(Error::invalid(
            "threshold",
            format!("expected a probability in (0, 1], found {threshold}"),
        ));
    }
    let mut values: Vec<Decimal> = report
        .customers
        .iter()
        .map(|c| c.historical_value.amount)
        .collect();
    values.sort();
    let top_quarter = values
        .get(values.len() * 3 / 4)
        .copied()
        .unwrap_or(Decimal::MAX);
    let mut flagged = Vec::new();
    for c in &report.customers {
        if c.rfm.frequency == 0 || c.probability_alive >= threshold {
            continue;
        }
        let clv = c.clv.amount;
        let alive = Decimal::from_f64(c.probability_alive).unwrap_or(Decimal::ZERO);
        let value_if_retained = if alive > Decimal::ZERO {
            clv.checked_div(alive).unwrap_or(Decimal::ZERO)
        } else {
            Decimal::ZERO
        };
        let silence = c.rfm.age - c.rfm.recency;
        let gap = c.rfm.recency / f64::from(c.rfm.frequency);
        let mut reasons = vec![RiskReason::LowProbabilityAlive];
        if silence > 2.0 * gap {
            reasons.push(RiskReason::LongSilence);
        }
        if c.historical_value.amount >= top_quarter {
            reasons.push(RiskReason::HighValue);
        }
        flagged.push(AtRiskCustomer {
            contact: c.contact.clone(),
            probability_alive: c.probability_alive,
            value_if_retained: Money::new(value_if_retained, report.currency).round_dp(2),
            score: c.clv,
            periods_since_last_purchase: silence,
            reasons,
        });
    }
    flagged.sort_by(|a, b| {
        b.score
            .amount
            .cmp(&a.score.amount)
            .then_with(|| a.probability_alive.total_cmp(&b.probability_alive))
            .then_with(|| a.contact.cmp(&b.contact))
    });
    flagged.truncate(limit);
    Ok(flagged)
}
