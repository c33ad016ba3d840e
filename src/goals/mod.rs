//! SMART goals: a validator that says, with reasons, whether a goal is
//! Specific, Measurable, Achievable, Relevant and Time-bound; goal tracking
//! from measurements of its KPI; messages in six locales.
//!
//! A [`Goal`] names its business [`Objective`], the KPI it is measured by
//! (an id of the [KPI catalog](crate::kpi::catalog)), a baseline, a
//! [`Target`] (a value or a relative change such as `"-25%"`), a deadline
//! (a date or "end of next quarter", resolved by [`crate::calendar`]), the
//! action [`Plan`] with its resources, the owner, the [`Scope`] and the
//! reason it matters. Loading a goal only checks the JSON; judging it is the
//! [`Validator`]'s job, which gives each criterion a [`Verdict`] (pass,
//! warn, cannot tell, fail) backed by [`Reason`]s with stable
//! [`ReasonCode`]s. [`Report::localize`] renders messages and suggestions
//! in a [`Locale`]; codes never depend on the locale.
//!
//! Nothing reads the clock: `as_of` is always explicit.
//!
//! ```
//! use chrono::NaiveDate;
//! use crmkit::goals::{Criterion, Goal, Locale, ReasonCode, Validator, Verdict};
//!
//! let as_of = NaiveDate::from_ymd_opt(2024, 7, 1).expect("date");
//! let vague = Goal::from_json(r#"{"name": "prevent churn"}"#)?;
//! let report = Validator::new().validate(&vague, as_of);
//! assert_eq!(report.verdict(Criterion::Specific), Verdict::Fail);
//! assert_eq!(report.verdict(Criterion::Relevant), Verdict::CannotTell);
//! assert!(report.has(ReasonCode::NoDeadline));
//!
//! let smart = Goal::from_json(r#"{
//!   "name": "reduce churn",
//!   "objective": "increase_retention",
//!   "kpi": "churn_rate",
//!   "target": "-25%",
//!   "deadline": "end of next quarter",
//!   "plan": {"action": "improve communication between sales and support",
//!            "resources": ["our new CRM"]},
//!   "reason": "repeat customers spend more and cost less"
//! }"#)?;
//! let report = Validator::new().validate(&smart, as_of);
//! assert!(report.is_smart());
//! assert_eq!(report.deadline, NaiveDate::from_ymd_opt(2024, 12, 31));
//! let german = report.localize(Locale::parse("de-DE")?);
//! assert_eq!(german.criteria[4].name, "terminiert");
//! Ok::<(), crmkit::Error>(())
//! ```

mod codes;
mod goal;
mod history;
mod locale;
mod relevance;
mod report;
mod text;
mod track;
mod validate;

pub use codes::{Criterion, ReasonCode, Severity, Verdict};
pub use goal::{
    Baseline, ChangeDirection, Goal, KpiRef, Objective, Observation, Plan, Scope, Target,
};
pub use locale::Locale;
pub use report::{
    LocalizedCriterion, LocalizedReason, LocalizedReport, criterion_name, verdict_label,
};
pub use track::{Progress, TrackingStatus, TrackingThresholds, track, track_with};
pub use validate::{Details, Reason, Report, Thresholds, Validator};

use chrono::NaiveDate;

/// Loads a goal from JSON and validates it with the default thresholds,
/// with messages in `locale`: what `crm_goal_validate` does.
///
/// # Errors
///
/// [`crate::ErrorKind::Json`] (naming the JSON path) if the goal does not
/// load; [`crate::ErrorKind::Unsupported`] for an unknown locale.
pub fn validate_json(
    goal_json: &str,
    as_of: NaiveDate,
    locale: &str,
) -> crate::Result<LocalizedReport> {
    let locale = Locale::parse(locale)?;
    let goal = Goal::from_json(goal_json)?;
    Ok(Validator::new().validate(&goal, as_of).localize(locale))
}
