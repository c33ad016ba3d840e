//! The JSON document of a scoring model, as written by its author.
//!
//! These types only describe the shape of the JSON (serde, unknown fields
//! refused); [`super::ScoringModel::from_json`] validates them and compiles
//! them into the engine. Values whose meaning depends on the field they are
//! compared with (`value`, `values`, `min`, `max`) are kept as raw JSON here
//! and interpreted at compile time, so that errors can name the field kind.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::{CallDirection, CallOutcome, EmailEvent, FieldKind, LifecycleStage};
use crate::money::{Money, decimal_serde};

/// The whole model document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ModelDoc {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub allow_protected_attributes: bool,
    #[serde(default)]
    pub categories: Vec<CategoryDoc>,
    #[serde(default)]
    pub total: TotalDoc,
    pub rules: Vec<RuleDoc>,
    #[serde(default)]
    pub grades: Vec<GradeDoc>,
    #[serde(default)]
    pub handoffs: Vec<HandoffDoc>,
    #[serde(default)]
    pub account: AccountDoc,
}

/// A category (`fit`, `engagement` or a named group) and its bounds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CategoryDoc {
    pub id: String,
    #[serde(default, with = "decimal_serde::option")]
    pub min: Option<Decimal>,
    #[serde(default, with = "decimal_serde::option")]
    pub max: Option<Decimal>,
    #[serde(default, with = "decimal_serde::option")]
    pub weight: Option<Decimal>,
}

/// How category scores combine into the total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// The total is the sum of the weighted category scores.
    #[default]
    Sum,
    /// The total is the largest weighted category score.
    Max,
}

/// The total: combination policy and bounds.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TotalDoc {
    #[serde(default)]
    pub combine: Combine,
    #[serde(default, with = "decimal_serde::option")]
    pub min: Option<Decimal>,
    #[serde(default, with = "decimal_serde::option")]
    pub max: Option<Decimal>,
}

/// One rule: an attribute condition (`when`) or an activity matcher
/// (`activity`), never both.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleDoc {
    pub id: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(with = "decimal_serde")]
    pub points: Decimal,
    #[serde(default, with = "decimal_serde::option")]
    pub max_points: Option<Decimal>,
    #[serde(default)]
    pub when: Option<ConditionDoc>,
    #[serde(default)]
    pub activity: Option<ActivityDoc>,
    #[serde(default)]
    pub decay: Option<DecayDoc>,
    #[serde(default)]
    pub expire_after_days: Option<u32>,
}

/// The operators of attribute conditions.
///
/// One vocabulary with the automation rules engine
/// ([`crate::automation::Op`]): `eq` is accepted for `equals`, `between`
/// (with `"value": [min, max]` or `min`/`max`) for `range`, and `ge` / `le`
/// (with `"value"`) for a range open at one end; the rules engine accepts
/// `equals` and `range` in turn. Both spellings give the same condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    /// The field equals `value` (also spelled `eq`).
    #[serde(alias = "eq")]
    Equals,
    /// The field equals one of `values`.
    In,
    /// The field lies in `min..=max` (either end may be left out); also
    /// spelled `between`, and then `"value": [min, max]` may be given
    /// instead of `min` and `max`.
    #[serde(alias = "between")]
    Range,
    /// The field is at least `value` (the range `min: value`).
    Ge,
    /// The field is at most `value` (the range `max: value`).
    Le,
    /// The text field contains `value` (case-insensitive).
    Contains,
    /// The field has a value.
    Exists,
}

impl Operator {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Equals => "equals",
            Operator::In => "in",
            Operator::Range => "range",
            Operator::Ge => "ge",
            Operator::Le => "le",
            Operator::Contains => "contains",
            Operator::Exists => "exists",
        }
    }
}

/// An attribute condition.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConditionDoc {
    pub field: String,
    pub op: Operator,
    #[serde(default)]
    pub kind: Option<FieldKind>,
    #[serde(default)]
    pub value: Option<serde_json::Value>,
    #[serde(default)]
    pub values: Option<Vec<serde_json::Value>>,
    #[serde(default)]
    pub min: Option<serde_json::Value>,
    #[serde(default)]
    pub max: Option<serde_json::Value>,
}

/// An inclusive range of small integers (durations, survey scores).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CountRange {
    #[serde(default)]
    pub min: Option<u32>,
    #[serde(default)]
    pub max: Option<u32>,
}

/// The survey scale of a survey-answer matcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyScale {
    /// Net Promoter Score, 0–10.
    Nps,
    /// Satisfaction, 1–5.
    Csat,
}

/// An activity matcher, tagged by the activity `type`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum ActivityDoc {
    WebsiteVisit {
        #[serde(default)]
        url: Option<String>,
        #[serde(default)]
        duration_seconds: Option<CountRange>,
        #[serde(default)]
        goal_completed: Option<bool>,
    },
    FormSubmission {
        #[serde(default)]
        form: Option<String>,
    },
    ContentDownload {
        #[serde(default)]
        content: Option<String>,
    },
    Email {
        event: EmailEvent,
        #[serde(default)]
        subject: Option<String>,
    },
    Call {
        #[serde(default)]
        direction: Option<CallDirection>,
        #[serde(default)]
        outcome: Option<CallOutcome>,
        #[serde(default)]
        talk_seconds: Option<CountRange>,
    },
    Meeting {
        #[serde(default)]
        duration_minutes: Option<CountRange>,
    },
    ProposalSent {},
    Purchase {
        #[serde(default)]
        min_amount: Option<Money>,
        #[serde(default)]
        max_amount: Option<Money>,
    },
    Referral {},
    SurveyAnswer {
        #[serde(default)]
        survey: Option<String>,
        scale: SurveyScale,
        #[serde(default)]
        score: Option<CountRange>,
    },
    Review {
        #[serde(default)]
        rating: Option<CountRange>,
    },
}

/// Time decay of an activity rule's points.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecayDoc {
    #[serde(default)]
    pub half_life_days: Option<u32>,
    #[serde(default)]
    pub linear_days: Option<u32>,
}

/// A grade band.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GradeDoc {
    pub grade: String,
    #[serde(default, with = "decimal_serde::option")]
    pub min: Option<Decimal>,
}

/// A lifecycle handoff implied by a threshold crossing.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HandoffDoc {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub from: Vec<LifecycleStage>,
    pub to: LifecycleStage,
    #[serde(default, with = "decimal_serde::option")]
    pub min: Option<Decimal>,
    #[serde(default, with = "decimal_serde::option")]
    pub below: Option<Decimal>,
    #[serde(default)]
    pub category: Option<String>,
}

/// How a company's score is rolled up from its contacts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rollup {
    /// The sum of the contacts' totals.
    Sum,
    /// The largest contact total.
    #[default]
    Max,
    /// The mean of the contacts' totals, rounded to 4 decimal places.
    Mean,
}

/// The account (company) roll-up.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountDoc {
    #[serde(default)]
    pub rollup: Rollup,
}
