//! Ideal-customer profile and churn indicators: for a chosen group of
//! customers (the best by revenue, or those who stopped buying), the
//! attribute values and behaviours that are over-represented in the group
//! compared with all customers, with their lift and support.
//!
//! The customers are the contacts with at least one purchase or won deal
//! up to `as_of`; their revenue is the sum of both, in one currency.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::features::{Encoder, FeatureSpec, Raw, check_features, raw_value};
use crate::model::{ActivityKind, Dataset, DealStatus, ProtectedAttribute, Timestamp};
use crate::money::Currency;
use crate::{Error, Result};

/// The group of customers to profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProfileOutcome {
    /// The best customers: the top `fraction` (0 to 1) by revenue.
    TopRevenue {
        /// Share of customers in the group (e.g. 0.2).
        fraction: f64,
    },
    /// Churned customers: no purchase or won deal in the last
    /// `inactive_days` days before `as_of`.
    Churned {
        /// Days of silence that count as churn.
        inactive_days: u32,
    },
}

/// What to profile. JSON: `{"outcome": {"type": "top_revenue", "fraction":
/// 0.2}, "features": [...], "min_support": 0.1}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSpec {
    /// The group.
    pub outcome: ProfileOutcome,
    /// Attributes and behaviours to examine (`deal_value` is not allowed).
    pub features: Vec<FeatureSpec>,
    /// Protected attributes that may be examined (default none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_protected: Vec<ProtectedAttribute>,
    /// Smallest share of the group that must have a value for it to be
    /// reported (default 0.1).
    #[serde(default = "default_support")]
    pub min_support: f64,
    /// Quantile bins for numbers (2 to 20, default 4).
    #[serde(default = "default_bins")]
    pub bins: u8,
    /// Currency of revenue (default: the reporting currency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
}

fn default_support() -> f64 {
    0.1
}

fn default_bins() -> u8 {
    4
}

impl ProfileSpec {
    /// Parses and validates a spec from JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) for malformed JSON or a
    /// wrong shape; the errors of [`ProfileSpec::validate`].
    pub fn from_json(json: &str) -> Result<ProfileSpec> {
        let spec: ProfileSpec = Error::parse_json(json)?;
        spec.validate()?;
        Ok(spec)
    }

    /// Checks ranges, features and protected attributes.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for ranges or unknown
    /// features (naming the field);
    /// [`ErrorKind::ProtectedAttribute`](crate::ErrorKind::ProtectedAttribute)
    /// for a protected attribute that was not allowed.
    pub fn validate(&self) -> Result<()> {
        if let ProfileOutcome::TopRevenue { fraction } = self.outcome {
            if !(fraction.is_finite() && fraction > 0.0 && fraction < 1.0) {
                return Err(Error::invalid(
                    "outcome.fraction",
                    "expected a fraction between 0 and 1 (exclusive)",
                ));
            }
        }
        if !(self.min_support.is_finite() && (0.0..=1.0).contains(&self.min_support)) {
            return Err(Error::invalid(
                "min_support",
                "expected a fraction between 0 and 1",
            ));
        }
        if !(2..=20).contains(&self.bins) {
            return Err(Error::invalid("bins", "expected 2 to 20"));
        }
        if self.features.is_empty() {
            return Err(Error::invalid("features", "expected at least one feature"));
        }
        if let Some(i) = self
            .features
            .iter()
            .position(|f| *f == FeatureSpec::DealValue)
        {
            return Err(Error::invalid(
                format!("features[{i}]"),
                "deal_value does not describe a customer",
            ));
        }
        check_features(&self.features, &self.allow_protected)?;
        Ok(())
    }
}

/// A value over-represented in the group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// The feature's label.
    pub feature: String,
    /// The value (a category, or a number range `[lo, hi)`).
    pub value: String,
    /// Group members with the value.
    pub group_count: usize,
    /// Customers with the value.
    pub population_count: usize,
    /// Share of the group with the value.
    pub support: f64,
    /// Support ÷ share of all customers with the value (> 1: over-represented).
    pub lift: f64,
    /// Share of the customers with the value who are in the group.
    pub group_rate: f64,
}

/// The profile of a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileReport {
    /// The group profiled.
    pub outcome: ProfileOutcome,
    /// Customers considered.
    pub population: usize,
    /// Customers in the group.
    pub group: usize,
    /// Over-represented values, highest lift first (ties: higher support,
    /// then feature and value).
    pub indicators: Vec<Indicator>,
    /// Protected attributes examined (explicitly allowed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uses_protected: Vec<ProtectedAttribute>,
}

fn bin_label(encoder: &Encoder, code: u32) -> String {
    match encoder {
        Encoder::Number { edges, .. } if code > 0 => {
            let i = code as usize - 1;
            let lo = if i == 0 {
                "-inf".to_string()
            } else {
                edges.get(i - 1).map_or("?".into(), |e| format!("{e}"))
            };
            let hi = edges.get(i).map_or("+inf".into(), |e| format!("{e}"));
            format!("[{lo}, {hi})")
        }
        Encoder::Category { levels, .. } if code > 0 => {
            levels.get(code as usize - 1).cloned().unwrap_or_default()
        }
        _ => "(missing)".to_string(),
    }
}

/// Profiles the group described by `spec` among the customers of
/// `dataset` up to `as_of`.
///
/// # Errors
///
/// The spec's errors (including
/// [`ErrorKind::ProtectedAttribute`](crate::ErrorKind)); currency
/// mismatches; [`ErrorKind::Invalid`](crate::ErrorKind) when there are no
/// customers or the group is empty or is everyone (nothing to compare).
pub fn profile(dataset: &Dataset, spec: &ProfileSpec, as_of: Timestamp) -> Result<ProfileReport> {
    spec.validate()?;
    let currency = spec
        .currency
        .or(dataset.reporting_currency())
        .or_else(|| dataset.deals().first().map(|d| d.value.currency))
        .unwrap_or(Currency::new("USD")?);
    // position -> (revenue, last purchase or win)
    let mut customers: BTreeMap<usize, (f64, Timestamp)> = BTreeMap::new();
    let mut record = |position: usize, value: f64, at: Timestamp| {
        let entry = customers.entry(position).or_insert((0.0, at));
        entry.0 += value;
        entry.1 = entry.1.max(at);
    };
    for activity in dataset.activities() {
        if let ActivityKind::Purchase { amount, .. } = &activity.kind {
            if activity.at <= as_of {
                if let Some(p) = dataset.contact_position(&activity.contact) {
                    record(
                        p,
                        super::rfm::convert(dataset, amount, currency)?,
                        activity.at,
                    );
                }
            }
        }
    }
    for deal in dataset.deals() {
        if let (DealStatus::Won, Some(closed)) = (deal.status, deal.closed_at) {
            if closed <= as_of {
                if let Some(p) = dataset.contact_position(&deal.contact) {
                    record(
                        p,
                        super::rfm::convert(dataset, &deal.value, currency)?,
                        closed,
                    );
                }
            }
        }
    }
    if customers.is_empty() {
        return Err(Error::invalid(
            "dataset",
            "no customer has a purchase or a won deal before as_of",
        ));
    }
    let positions: Vec<usize> = customers.keys().copied().collect();
    let in_group: Vec<bool> = match &spec.outcome {
        ProfileOutcome::TopRevenue { fraction } => {
            let mut ranked: Vec<(usize, f64)> = customers.iter().map(|(p, v)| (*p, v.0)).collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let take = ((positions.len() as f64 * fraction).ceil() as usize).max(1);
            let top: std::collections::BTreeSet<usize> =
                ranked.iter().take(take).map(|r| r.0).collect();
            positions.iter().map(|p| top.contains(p)).collect()
        }
        ProfileOutcome::Churned { inactive_days } => {
            let cutoff = as_of
                .checked_sub_signed(chrono::Duration::days(i64::from(*inactive_days)))
                .unwrap_or(Timestamp::MIN_UTC);
            customers.values().map(|v| v.1 < cutoff).collect()
        }
    };
    let group = in_group.iter().filter(|g| **g).count();
    if group == 0 || group == positions.len() {
        return Err(Error::invalid(
            "outcome",
            format!(
                "the group has {group} of {} customers; nothing to compare",
                positions.len()
            ),
        ));
    }
    let mut indicators = Vec::new();
    for (i, feature) in spec.features.iter().enumerate() {
        let column: Vec<Raw> = positions
            .iter()
            .map(|&p| raw_value(dataset, feature, p, None, as_of, currency))
            .collect::<Result<_>>()
            .map_err(|e| e.with_path_prefix(&format!("features[{i}]")))?;
        let refs: Vec<&Raw> = column.iter().collect();
        let encoder = Encoder::learn(&refs, usize::from(spec.bins));
        let mut counts: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
        for (raw, &g) in column.iter().zip(&in_group) {
            let entry = counts.entry(encoder.code(raw)).or_insert((0, 0));
            entry.1 += 1;
            if g {
                entry.0 += 1;
            }
        }
        let (n, g_total) = (positions.len() as f64, group as f64);
        for (code, (in_g, all)) in counts {
            let support = in_g as f64 / g_total;
            let share = all as f64 / n;
            let lift = support / share;
            if in_g == 0 || support < spec.min_support || lift <= 1.0 {
                continue;
            }
            indicators.push(Indicator {
                feature: feature.label(),
                value: bin_label(&encoder, code),
                group_count: in_g,
                population_count: all,
                support,
                lift,
                group_rate: in_g as f64 / all as f64,
            });
        }
    }
    indicators.sort_by(|a, b| {
        b.lift
            .total_cmp(&a.lift)
            .then(b.support.total_cmp(&a.support))
            .then_with(|| a.feature.cmp(&b.feature))
            .then_with(|| a.value.cmp(&b.value))
    });
    Ok(ProfileReport {
        outcome: spec.outcome.clone(),
        population: positions.len(),
        group,
        indicators,
        uses_protected: check_features(&spec.features, &spec.allow_protected)?,
    })
}
