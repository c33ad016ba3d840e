//! Lead scoring: rule-based fit and engagement scores with decay, caps,
//! grades, handoff recommendations and explanations, plus a fast columnar
//! batch path.
//!
//! A model is a JSON document, validated and compiled once into an
//! immutable, `Send + Sync` [`ScoringModel`]. Each rule gives points (which
//! may be negative) either for an **attribute** of the contact or its
//! company (`when`) or per occurrence of an **activity** (`activity`), in a
//! category. The engine sums the rules per category, holds each category
//! within its bounds, combines the categories into the total, grades it and
//! recommends the lifecycle move it implies.
//!
//! ```
//! use crmkit::model::{Activity, Contact};
//! use crmkit::scoring::{LeadInput, ScoringModel};
//!
//! let model = ScoringModel::from_json(r#"{
//!   "categories": [{"id": "engagement", "max": 40}],
//!   "rules": [
//!     {"id": "title", "points": 20,
//!      "when": {"field": "contact.job_title", "op": "contains", "value": "director"}},
//!     {"id": "pricing", "points": 10, "max_points": 30, "decay": {"half_life_days": 30},
//!      "activity": {"type": "website_visit", "url": "/pricing*"}},
//!     {"id": "bounce", "points": -15, "activity": {"type": "email", "event": "bounced"}}
//!   ],
//!   "grades": [{"grade": "A", "min": 40}, {"grade": "B", "min": 20}, {"grade": "C"}],
//!   "handoffs": [{"from": ["lead"], "to": "mql", "min": 30}]
//! }"#)?;
//!
//! let contact: Contact = serde_json::from_str(r#"{"id": "C-1",
//!     "job_title": "Sales Director", "created_at": "2026-01-01T00:00:00Z"}"#).unwrap();
//! let visit: Activity = serde_json::from_str(r#"{"id": "A-1", "contact": "C-1",
//!     "at": "2026-02-01T00:00:00Z", "kind": {"type": "website_visit", "url": "/pricing"}}"#).unwrap();
//! let lead = LeadInput { contact: &contact, company: None, activities: vec![&visit] };
//!
//! let as_of = "2026-03-03T00:00:00Z".parse().unwrap(); // 30 days later: half the points
//! let score = model.score(&lead, as_of)?;
//! assert_eq!(score.total.to_string(), "25");
//! assert_eq!(score.grade.as_deref(), Some("B"));
//! assert_eq!(score.contribution("pricing").unwrap().points.to_string(), "5");
//! assert_eq!(score.recommendation, None); // 25 is below the MQL threshold of 30
//! Ok::<(), crmkit::Error>(())
//! ```
//!
//! # The model document
//!
//! ```json
//! {
//!   "id": "b2b-2026",                       // optional
//!   "allow_protected_attributes": false,    // see below
//!   "categories": [{"id": "fit", "min": 0, "max": 60, "weight": 1},
//!                  {"id": "engagement", "max": 40}, {"id": "product_x", "max": 20}],
//!   "total": {"combine": "sum", "min": 0, "max": 100},  // or "max"
//!   "rules": [ ... ],
//!   "grades": [{"grade": "A", "min": 80}, {"grade": "B", "min": 50}, {"grade": "C"}],
//!   "handoffs": [{"id": "mql", "from": ["subscriber", "lead"], "to": "mql", "min": 50},
//!                {"id": "recycle", "from": ["mql"], "to": "lead", "below": 20}],
//!   "account": {"rollup": "max"}            // or "sum", "mean"
//! }
//! ```
//!
//! * **Categories**: `fit` and `engagement` always exist; other ids must be
//!   declared. A category's score is the sum of its rules, held within
//!   `min..=max` (its floor and cap).
//! * **Total**: `sum` adds the categories' scores times their weights,
//!   `max` takes the largest; then it is held within the total's `min..=max`.
//! * **Attribute rules**: `{"id", "points", "category" (default fit),
//!   "when": {"field", "op", ...}}` with `field` a
//!   [`FieldPath`](crate::model::FieldPath) (`company.employees`,
//!   `contact.attributes.plan`) and `op` one of `equals` (`value`), `in`
//!   (`values`), `range` (`min`, `max`, inclusive, either may be left out),
//!   `contains` (`value`, text only) and `exists`. Text comparisons ignore
//!   case. Values must suit the field's kind: a number, `"2024-05-01"` for
//!   dates, an RFC 3339 instant for timestamps, `{"amount", "currency"}` for
//!   money (money in another currency never matches; nothing is converted).
//!   A custom attribute's kind is that of the value, or `"kind"`.
//! * **Activity rules**: `{"id", "points", "max_points", "category" (default
//!   engagement), "activity": {"type", ...}, "decay", "expire_after_days"}`.
//!   Each matching activity up to `as_of` is an occurrence worth `points`
//!   (after decay); the rule's sum is held within `±max_points`. Types and
//!   their filters: `website_visit` (`url` pattern with `*`,
//!   `duration_seconds` range, `goal_completed`), `form_submission` (`form`),
//!   `content_download` (`content`), `email` (`event`: opened, clicked,
//!   replied, unsubscribed, bounced, sent; `subject`), `call` (`direction`,
//!   `outcome`, `talk_seconds`), `meeting` (`duration_minutes`),
//!   `proposal_sent`, `purchase` (`min_amount`, `max_amount`), `referral`,
//!   `survey_answer` (`scale`: nps or csat, `score` range, `survey`) and
//!   `review` (`rating`). Ranges are `{"min": .., "max": ..}`.
//! * **Decay and expiry**: `"decay": {"half_life_days": 30}` or
//!   `{"linear_days": 90}`; `"expire_after_days": 180` ignores occurrences
//!   more than 180 days before `as_of`. The rounding is documented in
//!   [`decay`](self#decay-and-rounding) below.
//! * **Grades**: listed from the highest `min` down; the last may leave out
//!   `min` to catch every lower total.
//! * **Handoffs**: the first whose `from` holds the contact's stage and
//!   whose threshold is crossed (`min`: at least, `below`: under) on the
//!   total (or on `category`) becomes the result's recommendation.
//! * **Protected attributes** (age, gender, marital status, ethnicity): a
//!   rule on one fails to load with
//!   [`ErrorKind::ProtectedAttribute`](crate::ErrorKind::ProtectedAttribute)
//!   unless the model sets `"allow_protected_attributes": true`; every result
//!   of such a model lists them in `protected_attributes_used`.
//!
//! Points, caps, weights and thresholds have at most four decimal places.
//!
//! # Decay and rounding
//!
//! Scores are exact decimals with four decimal places. Ages are whole days
//! (the whole seconds between the activity and `as_of`, divided by 86,400,
//! rounded down). The half-life factor 2^(−age/h) and the linear factor
//! 1 − age/L are rounded half away from zero to four decimal places
//! (computed without floating point, the same on every platform), and so is
//! each occurrence's `points × factor` and each category's `score ×
//! weight`. Everything else is exact addition. The batch path computes the
//! same numbers in integer units of 1/10,000 point.
//!
//! # Paths
//!
//! * [`ScoringModel::score`] / [`ScoringModel::score_since`]: one lead,
//!   explained ([`LeadScore`]), with the changes since a previous score.
//! * [`ScoringModel::score_dataset`], [`ScoringModel::score_accounts`]:
//!   every contact of a [`Dataset`](crate::model::Dataset), and companies
//!   rolled up from their contacts.
//! * [`ScoringModel::prepare`] and [`ScoringModel::score_batch`]: the
//!   columnar batch path (see [`batch`]).
//! * [`ScoringModel::score_json`]: one lead given as JSON.

mod activity;
pub mod batch;
mod condition;
mod decay;
mod doc;
mod evaluate;
mod explain;
mod json_cursor;
mod lead_json;
mod lead_reader;
mod model;
mod points;
mod score_writer;
mod timestamp_text;

pub use batch::{Batch, BatchEvent, BatchScore, PreparedBatch, stage_code};
pub use condition::{
    ColumnKind, MAX_THRESHOLD, MISSING, encode_date, encode_decimal, encode_timestamp,
};
pub use decay::MAX_DECAY_DAYS;
pub use doc::{Combine, Operator, Rollup, SurveyScale};
pub use explain::{
    AccountScore, CategoryScore, Changes, ContactTotal, Contribution, Delta, LeadInput, LeadScore,
    Recommendation, RuleType,
};
pub use model::{
    Category, ColumnSpec, Grade, Handoff, MAX_BOUND, MAX_POINTS, MAX_RULES, MAX_TEXT_TESTS,
    MAX_WEIGHT, ModelInfo, ScoringModel,
};
pub use points::{MAX_RULE_POINTS, MAX_TOTAL_POINTS, SCALE, UNITS_PER_POINT};
