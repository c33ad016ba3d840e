//! Features for the propensity models and the ideal-customer profile: what
//! is read from a contact, its company, the deal and the contact's
//! activities, and how it is encoded.

use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::model::{Dataset, Deal, FieldPath, FieldValue, ProtectedAttribute, Timestamp};
use crate::money::Currency;
use crate::{Error, ErrorKind, Result};

/// One feature of a model. JSON: `{"type": "category", "field":
/// "company.industry"}`, `{"type": "number", "field": "company.employees"}`,
/// `{"type": "activity_count", "activity": "meeting"}` or
/// `{"type": "deal_value"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FeatureSpec {
    /// A field read as a category (text, flag, or any value as text).
    Category {
        /// The field.
        field: FieldPath,
    },
    /// A numeric field (number, money converted to the model currency,
    /// flag as 0/1).
    Number {
        /// The field.
        field: FieldPath,
    },
    /// How many activities of a type (`"meeting"`, `"website_visit"`...)
    /// the contact had up to the decision time (the close of a closed deal,
    /// `as_of` for an open one).
    ActivityCount {
        /// The activity type name.
        activity: String,
    },
    /// The deal's value in the model currency.
    DealValue,
}

const ACTIVITY_TYPES: [&str; 11] = [
    "website_visit",
    "form_submission",
    "content_download",
    "email",
    "call",
    "meeting",
    "proposal_sent",
    "purchase",
    "referral",
    "survey_answer",
    "review",
];

impl FeatureSpec {
    /// A short label (`company.industry`, `activity_count:meeting`).
    pub fn label(&self) -> String {
        match self {
            FeatureSpec::Category { field } | FeatureSpec::Number { field } => field.to_string(),
            FeatureSpec::ActivityCount { activity } => format!("activity_count:{activity}"),
            FeatureSpec::DealValue => "deal_value".to_string(),
        }
    }

    /// `true` for categorical features.
    pub fn is_category(&self) -> bool {
        matches!(self, FeatureSpec::Category { .. })
    }

    /// The protected attribute this feature reads, if any.
    pub fn protected(&self) -> Option<ProtectedAttribute> {
        match self {
            FeatureSpec::Category { field } | FeatureSpec::Number { field } => field.protected(),
            _ => None,
        }
    }
}

/// Checks a feature list: activity types exist, no duplicates, and no
/// protected attribute unless it is in `allowed`.
///
/// # Errors
///
/// [`ErrorKind::ProtectedAttribute`] for a protected attribute not in
/// `allowed`, [`ErrorKind::Invalid`] for an unknown activity type or a
/// duplicate, each naming `features[i].field`.
pub fn check_features(
    features: &[FeatureSpec],
    allowed: &[ProtectedAttribute],
) -> Result<Vec<ProtectedAttribute>> {
    let mut used = Vec::new();
    for (i, feature) in features.iter().enumerate() {
        if let FeatureSpec::ActivityCount { activity } = feature {
            if !ACTIVITY_TYPES.contains(&activity.as_str()) {
                return Err(Error::invalid(
                    format!("features[{i}].activity"),
                    format!(
                        "unknown activity type {activity:?}: expected one of {}",
                        ACTIVITY_TYPES.join(", ")
                    ),
                ));
            }
        }
        if features[..i].contains(feature) {
            return Err(Error::invalid(
                format!("features[{i}]"),
                "duplicate feature",
            ));
        }
        if let Some(p) = feature.protected() {
            if !allowed.contains(&p) {
                return Err(Error::at(
                    ErrorKind::ProtectedAttribute,
                    format!("features[{i}].field"),
                    format!(
                        "{} is a protected attribute ({}); list it in allow_protected to use it",
                        feature.label(),
                        p.field_name()
                    ),
                ));
            }
            if !used.contains(&p) {
                used.push(p);
            }
        }
    }
    Ok(used)
}

/// A raw feature value before encoding.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Raw {
    Category(Option<String>),
    Number(Option<f64>),
}

impl Raw {
    pub(crate) fn display(&self) -> String {
        match self {
            Raw::Category(Some(text)) => text.clone(),
            Raw::Number(Some(v)) => format!("{v}"),
            Raw::Category(None) | Raw::Number(None) => "(missing)".to_string(),
        }
    }
}

fn value_text(value: FieldValue<'_>) -> String {
    match value {
        FieldValue::Text(t) => t.to_string(),
        FieldValue::Number(n) => n.normalize().to_string(),
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::Date(d) => d.to_string(),
        FieldValue::Timestamp(t) => t.to_rfc3339(),
        FieldValue::Money(m) => m.to_string(),
    }
}

/// Reads the raw value of `feature` for a contact (by position), optionally
/// with a deal, counting activities up to `until`.
pub(crate) fn raw_value(
    dataset: &Dataset,
    feature: &FeatureSpec,
    contact_position: usize,
    deal: Option<&Deal>,
    until: Timestamp,
    currency: Currency,
) -> Result<Raw> {
    let contact = dataset.contacts().get(contact_position);
    Ok(match feature {
        FeatureSpec::Category { field } => Raw::Category(
            contact.and_then(|c| field.resolve(c, dataset.company_of(c)).map(value_text)),
        ),
        FeatureSpec::Number { field } => {
            let value = contact.and_then(|c| field.resolve(c, dataset.company_of(c)));
            Raw::Number(match value {
                None => None,
                Some(FieldValue::Number(n)) => n.to_f64(),
                Some(FieldValue::Bool(b)) => Some(if b { 1.0 } else { 0.0 }),
                Some(FieldValue::Money(m)) => Some(super::rfm::convert(dataset, &m, currency)?),
                Some(other) => {
                    return Err(Error::invalid(
                        field.to_string(),
                        format!(
                            "expected a number, money or flag field, found a {} value",
                            other.kind()
                        ),
                    ));
                }
            })
        }
        FeatureSpec::ActivityCount { activity } => {
            let count = dataset
                .activities_at(contact_position)
                .filter(|a| a.at <= until && a.kind.type_name() == activity)
                .count();
            Raw::Number(Some(count as f64))
        }
        FeatureSpec::DealValue => Raw::Number(match deal {
            Some(d) => Some(super::rfm::convert(dataset, &d.value, currency)?),
            None => None,
        }),
    })
}

/// Most levels a category feature of a propensity model keeps: the
/// `MAX_CATEGORY_LEVELS` most frequent values in training (ties by value)
/// keep their own level, all other values share one "other" level. Bounds
/// the model's width however many distinct values a free-text field holds.
pub const MAX_CATEGORY_LEVELS: usize = 100;

/// How one feature is turned into model inputs, learnt from training data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Encoder {
    /// Category levels seen in training; code 0 is missing (or unseen,
    /// without an "other" level), level `i` has code `i + 1`.
    Category {
        /// The levels, sorted.
        levels: Vec<String>,
        /// `true` when rare levels were folded into one "other" level
        /// (see [`MAX_CATEGORY_LEVELS`]): its code is `levels.len() + 1`,
        /// and any value not in `levels` (folded in training or unseen)
        /// takes it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        other: bool,
    },
    /// A number: standardised for logistic regression, binned at the
    /// `edges` (training quantiles) for naive Bayes; code 0 is missing.
    Number {
        /// Training mean.
        mean: f64,
        /// Training standard deviation (0 for a constant feature, which the
        /// logistic model then ignores).
        std: f64,
        /// Upper bin edges, ascending.
        edges: Vec<f64>,
    },
}

impl Encoder {
    /// Learns the encoder of a column of raw values, keeping at most
    /// `max_levels` category levels (the most frequent; the others fold
    /// into "other").
    pub(crate) fn learn_folded(column: &[&Raw], bins: usize, max_levels: usize) -> Encoder {
        let encoder = Encoder::learn(column, bins);
        match encoder {
            Encoder::Category { levels, .. } if levels.len() > max_levels => {
                let mut counts: std::collections::BTreeMap<&str, usize> =
                    std::collections::BTreeMap::new();
                for raw in column {
                    if let Raw::Category(Some(t)) = raw {
                        *counts.entry(t.as_str()).or_insert(0) += 1;
                    }
                }
                let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
                ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                let mut kept: Vec<String> = ranked
                    .into_iter()
                    .take(max_levels)
                    .map(|(t, _)| t.to_string())
                    .collect();
                kept.sort();
                Encoder::Category {
                    levels: kept,
                    other: true,
                }
            }
            other => other,
        }
    }

    /// Learns the encoder of a column of raw values.
    pub(crate) fn learn(column: &[&Raw], bins: usize) -> Encoder {
        if column.iter().any(|r| matches!(r, Raw::Category(_))) {
            let mut levels: Vec<String> = column
                .iter()
                .filter_map(|r| match r {
                    Raw::Category(Some(t)) => Some(t.clone()),
                    _ => None,
                })
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            levels.shrink_to_fit();
            return Encoder::Category {
                levels,
                other: false,
            };
        }
        let mut values: Vec<f64> = column
            .iter()
            .filter_map(|r| match r {
                Raw::Number(Some(v)) if v.is_finite() => Some(*v),
                _ => None,
            })
            .collect();
        values.sort_by(f64::total_cmp);
        let n = values.len() as f64;
        let mean = if values.is_empty() {
            0.0
        } else {
            values.iter().sum::<f64>() / n
        };
        let var = if values.is_empty() {
            0.0
        } else {
            values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n
        };
        let mut edges: Vec<f64> = (1..bins)
            .filter_map(|b| values.get(b * values.len() / bins).copied())
            .collect();
        edges.dedup();
        Encoder::Number {
            mean,
            std: var.sqrt(),
            edges,
        }
    }

    /// Number of naive-Bayes codes.
    pub(crate) fn levels(&self) -> u32 {
        match self {
            Encoder::Category { levels, other } => levels.len() as u32 + 1 + u32::from(*other),
            Encoder::Number { edges, .. } => edges.len() as u32 + 2,
        }
    }

    /// The naive-Bayes code of a raw value.
    pub(crate) fn code(&self, raw: &Raw) -> u32 {
        match (self, raw) {
            (Encoder::Category { levels, other }, Raw::Category(Some(t))) => {
                match levels.binary_search(t) {
                    Ok(i) => i as u32 + 1,
                    Err(_) if *other => levels.len() as u32 + 1,
                    Err(_) => 0,
                }
            }
            (Encoder::Number { edges, .. }, Raw::Number(Some(v))) if v.is_finite() => {
                edges.iter().take_while(|e| *v >= **e).count() as u32 + 1
            }
            _ => 0,
        }
    }

    /// Number of logistic-regression columns.
    pub(crate) fn width(&self) -> usize {
        match self {
            Encoder::Category { levels, other } => levels.len() + usize::from(*other),
            Encoder::Number { .. } => 1,
        }
    }

    /// Writes the logistic-regression columns of a raw value.
    pub(crate) fn write_columns(&self, raw: &Raw, out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = 0.0);
        match (self, raw) {
            (Encoder::Category { .. }, Raw::Category(Some(_))) => {
                let code = self.code(raw);
                if code > 0 {
                    if let Some(slot) = out.get_mut(code as usize - 1) {
                        *slot = 1.0;
                    }
                }
            }
            (Encoder::Number { mean, std, .. }, Raw::Number(Some(v)))
                if v.is_finite() && *std > 0.0 =>
            {
                if let Some(slot) = out.first_mut() {
                    *slot = (v - mean) / std;
                }
            }
            _ => {}
        }
    }
}
