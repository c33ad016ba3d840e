//! The SMART validator: per criterion a verdict with reasons.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::codes::{Criterion, ReasonCode, Severity, Verdict};
use super::goal::{ChangeDirection, Goal, KpiRef, Objective, Target, non_blank};
use super::history::best_quarterly_improvement;
use super::relevance::related;
use crate::kpi::catalog::{KpiDefinition, KpiId};
use crate::money::Currency;

/// The thresholds the validator judges by. The defaults are documented on
/// each field; [`Validator::with_thresholds`] changes them.
///
/// JSON: every field optional, e.g. `{"deadline_warn_days": 365}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// An action plan with fewer words than this is vague (default 3; in
    /// Chinese text, two characters count as a word).
    pub min_plan_words: u32,
    /// A deadline more than this many days after `as_of` is far away: warn
    /// (default 730, two years).
    pub deadline_warn_days: i64,
    /// A deadline more than this many days after `as_of` is absurdly far
    /// away: fail (default 1826, five years).
    pub deadline_fail_days: i64,
    /// A required quarterly improvement more than this many times the best
    /// one in the history fails Achievable (default 2; above 1 it warns).
    #[serde(with = "crate::money::decimal_serde")]
    pub history_fail_ratio: Decimal,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            min_plan_words: 3,
            deadline_warn_days: 730,
            deadline_fail_days: 1826,
            history_fail_ratio: Decimal::TWO,
        }
    }
}

impl Thresholds {
    /// Loads thresholds from JSON (missing fields take their defaults) and
    /// checks them.
    ///
    /// # Errors
    ///
    /// [`crate::ErrorKind::Json`] naming the path for a malformed document,
    /// [`crate::ErrorKind::Invalid`] naming the field for inconsistent
    /// values (see [`Thresholds::check`]).
    pub fn from_json(json: &str) -> crate::Result<Thresholds> {
        let thresholds: Thresholds = crate::Error::parse_json(json)?;
        thresholds.check()?;
        Ok(thresholds)
    }

    /// Checks that `min_plan_words` is at least 1, `deadline_warn_days` is
    /// not negative, `deadline_fail_days` is at least `deadline_warn_days`
    /// and `history_fail_ratio` is at least 1.
    ///
    /// # Errors
    ///
    /// [`crate::ErrorKind::Invalid`] naming the first offending field.
    pub fn check(&self) -> crate::Result<()> {
        use crate::Error;
        if self.min_plan_words == 0 {
            return Err(Error::invalid("min_plan_words", "must be at least 1"));
        }
        if self.deadline_warn_days < 0 {
            return Err(Error::invalid(
                "deadline_warn_days",
                format!("must not be negative, got {}", self.deadline_warn_days),
            ));
        }
        if self.deadline_fail_days < self.deadline_warn_days {
            return Err(Error::invalid(
                "deadline_fail_days",
                format!(
                    "must be at least deadline_warn_days ({}), got {}",
                    self.deadline_warn_days, self.deadline_fail_days
                ),
            ));
        }
        if self.history_fail_ratio < Decimal::ONE {
            return Err(Error::invalid(
                "history_fail_ratio",
                format!("must be at least 1, got {}", self.history_fail_ratio),
            ));
        }
        Ok(())
    }
}

/// The values a finding's message refers to. Only the fields that matter
/// for the reason are set; JSON leaves the others out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Details {
    /// The KPI concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpi: Option<KpiId>,
    /// The value concerned: the target, the baseline or the current value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::money::decimal_serde::option"
    )]
    pub value: Option<Decimal>,
    /// A ratio (required pace / best pace in the history).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::money::decimal_serde::option"
    )]
    pub ratio: Option<Decimal>,
    /// A date (the deadline, the baseline date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// A number of days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
    /// The target as written in the goal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// A direction of change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<super::goal::ChangeDirection>,
    /// Text from the goal (an unknown KPI id, a deadline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// One reason behind a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// The stable reason code.
    pub code: ReasonCode,
    /// The values the message refers to.
    pub details: Details,
}

impl Reason {
    fn new(code: ReasonCode) -> Reason {
        Reason {
            code,
            details: Details::default(),
        }
    }

    fn with(code: ReasonCode, details: Details) -> Reason {
        Reason { code, details }
    }

    /// The criterion this finding is about.
    pub fn criterion(&self) -> Criterion {
        self.code.criterion()
    }

    /// Its weight on the verdict.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

/// The result of validating a goal: the verdict on each criterion and the
/// findings behind them. Turn it into messages with
/// [`Report::localize`](super::Report::localize).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The day the goal was judged on.
    pub as_of: NaiveDate,
    /// The resolved deadline, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<NaiveDate>,
    /// The target as a value of the KPI, if it can be known.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::money::decimal_serde::option"
    )]
    pub target_value: Option<Decimal>,
    /// The goal's objective, named by some messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<Objective>,
    /// The currency of the goal's money values, shown in messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// Verdicts in S, M, A, R, T order.
    pub verdicts: [Verdict; 5],
    /// Every finding, grouped by criterion in S, M, A, R, T order.
    pub findings: Vec<Reason>,
}

impl Report {
    /// The verdict on `criterion`.
    pub fn verdict(&self, criterion: Criterion) -> Verdict {
        self.verdicts
            .get(criterion.index())
            .copied()
            .unwrap_or(Verdict::CannotTell)
    }

    /// The worst verdict over the five criteria.
    pub fn overall(&self) -> Verdict {
        self.verdicts.iter().copied().max().unwrap_or(Verdict::Pass)
    }

    /// Whether the goal is SMART: every criterion passes (warnings allowed).
    pub fn is_smart(&self) -> bool {
        self.overall() <= Verdict::Warn
    }

    /// The findings about `criterion`.
    pub fn findings_for(&self, criterion: Criterion) -> impl Iterator<Item = &Reason> {
        self.findings
            .iter()
            .filter(move |f| f.criterion() == criterion)
    }

    /// Whether some finding has `code`.
    pub fn has(&self, code: ReasonCode) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }
}

/// The SMART validator. Immutable, `Send + Sync`, cheap to copy; one
/// validator serves any number of goals and threads.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crmkit::goals::{Criterion, Goal, ReasonCode, Validator, Verdict};
///
/// let as_of = NaiveDate::from_ymd_opt(2024, 7, 1).expect("date");
/// let goal = Goal::from_json(r#"{"name": "more deals", "kpi": "win_rate",
///     "target": "+5%", "deadline": "2024-12-31"}"#)?;
/// let report = Validator::new().validate(&goal, as_of);
/// // Measurable and time-bound, but no plan and no reason yet.
/// assert_eq!(report.verdict(Criterion::Measurable), Verdict::Pass);
/// assert_eq!(report.verdict(Criterion::Timely), Verdict::Pass);
/// assert!(!report.is_smart());
/// assert!(report.findings_for(Criterion::Relevant).count() > 0);
/// Ok::<(), crmkit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Validator {
    thresholds: Thresholds,
}

/// −100 (%).
const MINUS_HUNDRED: Decimal = Decimal::from_parts(100, 0, 0, true, 0);

/// Days in an average quarter (365.25 / 4).
const QUARTER_DAYS: Decimal = Decimal::from_parts(913_125, 0, 0, false, 4);

impl Validator {
    /// A validator with the default [`Thresholds`].
    pub fn new() -> Validator {
        Validator::default()
    }

    /// A validator with other thresholds.
    ///
    /// # Errors
    ///
    /// [`crate::ErrorKind::Invalid`] if [`Thresholds::check`] fails.
    pub fn with_thresholds(thresholds: Thresholds) -> crate::Result<Validator> {
        thresholds.check()?;
        Ok(Validator { thresholds })
    }

    /// The thresholds in use.
    pub fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// Judges `goal` on each SMART criterion as of `as_of`. Never fails and
    /// never panics: anything wrong with the goal is a finding.
    pub fn validate(&self, goal: &Goal, as_of: NaiveDate) -> Report {
        let ctx = Context::new(goal, as_of);
        // Eight findings fit in a small allocation (most goals have six to eight).
        let mut findings = Vec::with_capacity(8);
        let mut verdicts = [Verdict::Pass; 5];
        self.specific(goal, &mut findings);
        self.measurable(goal, &ctx, &mut findings);
        self.achievable(goal, &ctx, as_of, &mut findings);
        self.relevant(goal, &ctx, &mut findings);
        self.timely(goal, &ctx, as_of, &mut findings);
        for finding in &findings {
            if let Some(slot) = verdicts.get_mut(finding.criterion().index()) {
                *slot = (*slot).max(finding.severity().verdict());
            }
        }
        Report {
            as_of,
            deadline: ctx.deadline.ok().flatten(),
            target_value: ctx.target_value,
            objective: goal.objective.clone(),
            currency: goal.currency,
            verdicts,
            findings,
        }
    }

    fn specific(&self, goal: &Goal, out: &mut Vec<Reason>) {
        match non_blank(goal.plan.as_ref().map(|p| p.action.as_str())) {
            None => out.push(Reason::new(ReasonCode::NoActionPlan)),
            Some(action) if fewer_words_than(action, self.thresholds.min_plan_words) => {
                out.push(Reason::new(ReasonCode::ActionPlanVague));
            }
            Some(_) => out.push(Reason::new(ReasonCode::ActionPlanStated)),
        }
        if non_blank(goal.owner.as_deref()).is_none() {
            out.push(Reason::new(ReasonCode::NoOwner));
        }
    }

    fn measurable(&self, goal: &Goal, ctx: &Context, out: &mut Vec<Reason>) {
        let start = out.len();
        match &goal.kpi {
            None => out.push(Reason::new(ReasonCode::NoKpi)),
            Some(KpiRef::Unknown(text)) if text.trim().is_empty() => {
                out.push(Reason::new(ReasonCode::NoKpi));
            }
            Some(KpiRef::Unknown(text)) => out.push(Reason::with(
                ReasonCode::UnknownKpi,
                Details {
                    text: Some(shorten(text)),
                    ..Details::default()
                },
            )),
            Some(KpiRef::Known(_)) => {}
        }
        let Some(target) = goal.target else {
            out.push(Reason::new(ReasonCode::NoTarget));
            return;
        };
        if let Some(def) = ctx.def {
            if let Some(base) = ctx.base
                && !in_domain(&def, base)
            {
                out.push(ctx.finding(ReasonCode::BaselineOutsideDomain, Some(base)));
            }
            let outside = match (ctx.target_value, target) {
                (Some(value), _) => !in_domain(&def, value),
                // A relative change without a base: below −100 % leaves a
                // non-negative domain whatever the base.
                (None, Target::RelativePercent(change)) => {
                    def.min.is_some_and(|m| m >= Decimal::ZERO) && change < MINUS_HUNDRED
                }
                (None, Target::Absolute(_)) => false,
            };
            if outside {
                let mut finding = ctx.finding(ReasonCode::TargetOutsideDomain, ctx.target_value);
                finding.details.target = Some(target);
                out.push(finding);
            }
        }
        let unchanged = match target {
            Target::RelativePercent(change) => change.is_zero(),
            Target::Absolute(value) => ctx.base == Some(value),
        };
        if unchanged {
            out.push(ctx.finding(ReasonCode::TargetEqualsBaseline, ctx.base));
        }
        if let (Some(stated), Some(implied)) = (goal.direction, ctx.implied)
            && stated != implied
        {
            let mut finding = ctx.finding(ReasonCode::DirectionContradictsTarget, ctx.target_value);
            finding.details.direction = Some(stated);
            finding.details.target = Some(target);
            out.push(finding);
        }
        let failed = out
            .get(start..)
            .is_some_and(|new| new.iter().any(|f| f.severity() == Severity::Fail));
        if !failed && ctx.def.is_some() {
            let mut finding = ctx.finding(ReasonCode::KpiMeasurable, ctx.target_value);
            finding.details.target = Some(target);
            out.push(finding);
            if matches!(target, Target::RelativePercent(_)) && goal.baseline.is_none() {
                out.push(Reason::new(ReasonCode::BaselineFromMeasurements));
            }
        }
    }

    fn achievable(&self, goal: &Goal, ctx: &Context, as_of: NaiveDate, out: &mut Vec<Reason>) {
        let start = out.len();
        let plan = goal.plan.as_ref();
        let has_action = non_blank(plan.map(|p| p.action.as_str())).is_some();
        let has_resources = plan.is_some_and(|p| p.resources.iter().any(|r| !r.trim().is_empty()));
        if !has_action && !has_resources {
            out.push(Reason::new(ReasonCode::NoMeans));
        } else if !has_resources {
            out.push(Reason::new(ReasonCode::NoResources));
        }
        self.achievable_target(goal, ctx, as_of, out);
        let judged = out.get(start..).is_some_and(|new| {
            new.iter()
                .any(|f| f.severity() != Severity::Info || f.code == ReasonCode::WithinHistory)
        });
        if !judged {
            out.push(Reason::new(ReasonCode::Achievable));
        }
    }

    fn achievable_target(
        &self,
        goal: &Goal,
        ctx: &Context,
        as_of: NaiveDate,
        out: &mut Vec<Reason>,
    ) {
        let (Some(def), Some(target)) = (ctx.def, goal.target) else {
            out.push(Reason::new(ReasonCode::CannotJudgeTarget));
            return;
        };
        // Possible by definition, impossible as a goal: zero churn, 100 %.
        let impossible = match (ctx.target_value, target) {
            (Some(value), _) => def.ideal_limit == Some(value),
            (None, Target::RelativePercent(change)) => {
                def.ideal_limit == Some(Decimal::ZERO) && change == MINUS_HUNDRED
            }
            (None, Target::Absolute(_)) => false,
        };
        if impossible {
            let value = ctx.target_value.or(def.ideal_limit);
            out.push(ctx.finding(ReasonCode::ImpossibleByDefinition, value));
            return;
        }
        let (Some(target_value), Some(sign)) = (ctx.target_value, ctx.effective.map(|d| d.sign()))
        else {
            return;
        };
        if let Some(current) = ctx.latest {
            let gap = target_value
                .checked_sub(current)
                .and_then(|g| g.checked_mul(sign));
            if gap.is_some_and(|g| g <= Decimal::ZERO) {
                out.push(ctx.finding(ReasonCode::TargetAlreadyReached, Some(current)));
                return;
            }
        }
        if goal.history.is_empty() {
            return;
        }
        let Some(best) = best_quarterly_improvement(&goal.history, as_of, &goal.calendar, sign)
        else {
            out.push(Reason::new(ReasonCode::HistoryTooShort));
            return;
        };
        if best <= Decimal::ZERO {
            out.push(ctx.finding(ReasonCode::NeverImproved, None));
            return;
        }
        let Some(current) = ctx.latest.or(ctx.base) else {
            return;
        };
        let Some(deadline) = ctx.deadline.ok().flatten() else {
            return;
        };
        let days_left = (deadline - as_of).num_days();
        if days_left <= 0 {
            return;
        }
        // required per quarter / best = gap * quarter days / (days left * best),
        // with a single division.
        let numerator = target_value
            .checked_sub(current)
            .and_then(|gap| gap.checked_mul(sign))
            .and_then(|gap| gap.checked_mul(QUARTER_DAYS));
        let denominator = best.checked_mul(Decimal::from(days_left));
        let Some(ratio) = numerator
            .zip(denominator)
            .and_then(|(n, d)| n.checked_div(d))
        else {
            return;
        };
        let ratio = ratio.round_dp(2);
        let code = if ratio > self.thresholds.history_fail_ratio {
            ReasonCode::BeyondHistory
        } else if ratio > Decimal::ONE {
            ReasonCode::FasterThanHistory
        } else {
            ReasonCode::WithinHistory
        };
        let mut finding = ctx.finding(code, None);
        finding.details.ratio = Some(ratio);
        out.push(finding);
    }

    fn relevant(&self, goal: &Goal, ctx: &Context, out: &mut Vec<Reason>) {
        match &goal.objective {
            None => out.push(Reason::new(ReasonCode::NoObjective)),
            Some(Objective::Custom(name)) if name.trim().is_empty() => {
                out.push(Reason::new(ReasonCode::NoObjective));
            }
            Some(Objective::Custom(_)) => {
                out.push(ctx.finding(ReasonCode::CustomObjective, None));
            }
            Some(objective) => {
                let code = match ctx.def {
                    Some(def) => {
                        let improving = ChangeDirection::improving(def.direction);
                        match ctx.stated_or_implied {
                            Some(direction) if direction != improving => {
                                ReasonCode::AgainstObjective
                            }
                            _ if !related(objective, def.id, def.category) => {
                                ReasonCode::KpiUnrelated
                            }
                            _ => ReasonCode::ServesObjective,
                        }
                    }
                    None => ReasonCode::ServesObjective,
                };
                let mut finding = ctx.finding(code, None);
                if code == ReasonCode::AgainstObjective {
                    finding.details.direction = ctx.stated_or_implied;
                }
                out.push(finding);
            }
        }
        if non_blank(goal.reason.as_deref()).is_none() {
            out.push(Reason::new(ReasonCode::NoReason));
        }
    }

    fn timely(&self, goal: &Goal, ctx: &Context, as_of: NaiveDate, out: &mut Vec<Reason>) {
        let deadline = match &ctx.deadline {
            Ok(None) => {
                out.push(Reason::new(ReasonCode::NoDeadline));
                return;
            }
            Err(()) => {
                let mut finding = Reason::new(ReasonCode::DeadlineUnresolvable);
                finding.details.text = goal.deadline.map(|d| d.to_string());
                out.push(finding);
                return;
            }
            Ok(Some(date)) => *date,
        };
        let days = (deadline - as_of).num_days();
        let code = if days < 0 {
            ReasonCode::DeadlinePassed
        } else if days > self.thresholds.deadline_fail_days {
            ReasonCode::DeadlineTooFar
        } else if days > self.thresholds.deadline_warn_days {
            ReasonCode::DeadlineFar
        } else {
            ReasonCode::DeadlineSet
        };
        out.push(Reason::with(
            code,
            Details {
                date: Some(deadline),
                days: Some(days),
                ..Details::default()
            },
        ));
        if let Some(date) = goal.baseline.and_then(|b| b.date)
            && date > deadline
        {
            out.push(Reason::with(
                ReasonCode::BaselineAfterDeadline,
                Details {
                    date: Some(date),
                    ..Details::default()
                },
            ));
        }
    }
}

/// What the criteria share: the KPI definition, base and target values,
/// directions and the resolved deadline.
struct Context {
    def: Option<KpiDefinition>,
    /// The baseline, else the latest measurement up to `as_of`.
    base: Option<Decimal>,
    /// The latest measurement up to `as_of`.
    latest: Option<Decimal>,
    target_value: Option<Decimal>,
    /// The direction the target implies.
    implied: Option<ChangeDirection>,
    /// The direction the target implies, else the stated one.
    stated_or_implied: Option<ChangeDirection>,
    /// `stated_or_implied`, else the KPI's improving direction.
    effective: Option<ChangeDirection>,
    /// `Err` if the deadline is outside the supported range.
    deadline: Result<Option<NaiveDate>, ()>,
}

impl Context {
    fn new(goal: &Goal, as_of: NaiveDate) -> Context {
        let def = goal.known_kpi().map(KpiId::definition);
        let latest = goal
            .history
            .iter()
            .filter(|m| m.date <= as_of)
            .max_by_key(|m| m.date)
            .map(|m| m.value);
        let base = goal.baseline.map(|b| b.value).or(latest);
        let target_value = goal.target.and_then(|t| t.value_from(base));
        let implied = match goal.target {
            Some(Target::RelativePercent(change)) => {
                ChangeDirection::between(Decimal::ZERO, change)
            }
            // Against the stated baseline only: a latest measurement that
            // already passed the target says nothing about the direction.
            Some(Target::Absolute(value)) => goal
                .baseline
                .and_then(|b| ChangeDirection::between(b.value, value)),
            None => None,
        };
        // The target is what moves the KPI: when it implies a direction,
        // that one counts (a contradicting stated direction fails M).
        let stated_or_implied = implied.or(goal.direction);
        let effective = stated_or_implied.or(def.map(|d| ChangeDirection::improving(d.direction)));
        Context {
            def,
            base,
            latest,
            target_value,
            implied,
            stated_or_implied,
            effective,
            deadline: goal
                .deadline_from(goal.set_on.unwrap_or(as_of))
                .map_err(|_| ()),
        }
    }

    /// A finding about the goal's KPI, with `value`.
    fn finding(&self, code: ReasonCode, value: Option<Decimal>) -> Reason {
        Reason::with(
            code,
            Details {
                kpi: self.def.map(|d| d.id),
                value,
                ..Details::default()
            },
        )
    }
}

fn in_domain(def: &KpiDefinition, value: Decimal) -> bool {
    def.min.is_none_or(|m| value >= m) && def.max.is_none_or(|m| value <= m)
}

/// Whether an action plan has fewer than `min` words; two CJK characters
/// count as a word. Stops counting once `min` is reached.
fn fewer_words_than(text: &str, min: u32) -> bool {
    let min = usize::try_from(min).unwrap_or(usize::MAX);
    if text.split_whitespace().take(min).count() >= min {
        return false;
    }
    let cjk = text
        .chars()
        .filter(|c| ('\u{3400}'..='\u{9fff}').contains(c) || ('\u{f900}'..='\u{faff}').contains(c))
        .take(min.saturating_mul(2))
        .count();
    cjk / 2 < min
}

/// Caller text for a message, cut to 80 characters.
fn shorten(text: &str) -> String {
    text.trim().chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_plans_count_characters_as_words() {
        assert!(!fewer_words_than("加强销售与客服团队之间的沟通", 3));
        assert!(fewer_words_than("沟通", 3));
        assert!(fewer_words_than("call them", 3));
        assert!(!fewer_words_than("call every lead", 3));
    }
}
