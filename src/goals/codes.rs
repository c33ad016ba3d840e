//! The SMART criteria, verdicts, severities and reason codes: the stable,
//! machine-readable part of a validation report.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One of the five SMART criteria.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// What exactly will be done.
    Specific,
    /// Which KPI shows it, and what value counts as success.
    Measurable,
    /// Whether it can be reached, with which means.
    Achievable,
    /// Whether it serves the business objective.
    Relevant,
    /// By when.
    Timely,
}

impl Criterion {
    /// The five criteria in S, M, A, R, T order.
    pub const ALL: [Criterion; 5] = [
        Criterion::Specific,
        Criterion::Measurable,
        Criterion::Achievable,
        Criterion::Relevant,
        Criterion::Timely,
    ];

    /// The stable lowercase name (`"specific"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Criterion::Specific => "specific",
            Criterion::Measurable => "measurable",
            Criterion::Achievable => "achievable",
            Criterion::Relevant => "relevant",
            Criterion::Timely => "timely",
        }
    }

    /// The letter of SMART (`'S'`).
    pub fn letter(self) -> char {
        match self {
            Criterion::Specific => 'S',
            Criterion::Measurable => 'M',
            Criterion::Achievable => 'A',
            Criterion::Relevant => 'R',
            Criterion::Timely => 'T',
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verdict on one criterion.
///
/// Ordered from best to worst: `Pass < Warn < CannotTell < Fail`. A
/// criterion's verdict is the worst severity among its findings (an
/// [`Severity::Info`] finding leaves it at `Pass`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The criterion is met.
    Pass,
    /// Met, with a weakness worth fixing.
    Warn,
    /// The goal does not say enough to judge.
    CannotTell,
    /// Not met.
    Fail,
}

impl Verdict {
    /// The stable name (`"pass"`, `"warn"`, `"cannot_tell"`, `"fail"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::CannotTell => "cannot_tell",
            Verdict::Fail => "fail",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a finding weighs on its criterion's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// An explanation or a hint; does not change the verdict.
    Info,
    /// Makes the verdict at least [`Verdict::Warn`].
    Warn,
    /// Makes the verdict at least [`Verdict::CannotTell`].
    CannotTell,
    /// Makes the verdict [`Verdict::Fail`].
    Fail,
}

impl Severity {
    /// The verdict this severity alone leads to.
    pub fn verdict(self) -> Verdict {
        match self {
            Severity::Info => Verdict::Pass,
            Severity::Warn => Verdict::Warn,
            Severity::CannotTell => Verdict::CannotTell,
            Severity::Fail => Verdict::Fail,
        }
    }
}

macro_rules! reason_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $code:literal, $criterion:ident, $severity:ident; )*) => {
        /// A machine-readable reason: the stable part of a finding, which
        /// never depends on the locale. Its JSON form is the snake_case code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum ReasonCode {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl ReasonCode {
            /// Every reason code.
            pub const ALL: &'static [ReasonCode] = &[$(ReasonCode::$variant,)*];

            /// The stable code (`"no_action_plan"`).
            pub fn as_str(self) -> &'static str {
                match self { $(ReasonCode::$variant => $code,)* }
            }

            /// The criterion the reason belongs to.
            pub fn criterion(self) -> Criterion {
                match self { $(ReasonCode::$variant => Criterion::$criterion,)* }
            }

            /// The severity of a finding with this reason.
            pub fn severity(self) -> Severity {
                match self { $(ReasonCode::$variant => Severity::$severity,)* }
            }
        }
    };
}

reason_codes! {
    /// S: the goal says what will be done.
    ActionPlanStated = "action_plan_stated", Specific, Info;
    /// S: no action plan.
    NoActionPlan = "no_action_plan", Specific, Fail;
    /// S: the action plan is too short to say what will be done (fewer
    /// than [`super::Thresholds::min_plan_words`] words).
    ActionPlanVague = "action_plan_vague", Specific, Warn;
    /// S: nobody is named as responsible (a hint).
    NoOwner = "no_owner", Specific, Info;
    /// M: measured by a catalog KPI with a quantified target.
    KpiMeasurable = "kpi_measurable", Measurable, Info;
    /// M: no KPI.
    NoKpi = "no_kpi", Measurable, Fail;
    /// M: the KPI is not one crmkit can compute.
    UnknownKpi = "unknown_kpi", Measurable, Fail;
    /// M: no target.
    NoTarget = "no_target", Measurable, Fail;
    /// M: the target lies outside the KPI's possible values.
    TargetOutsideDomain = "target_outside_domain", Measurable, Fail;
    /// M: the baseline lies outside the KPI's possible values.
    BaselineOutsideDomain = "baseline_outside_domain", Measurable, Fail;
    /// M: the target equals the baseline (a change of 0 %).
    TargetEqualsBaseline = "target_equals_baseline", Measurable, Fail;
    /// M: the stated direction contradicts the target.
    DirectionContradictsTarget = "direction_contradicts_target", Measurable, Fail;
    /// M: a relative target without a baseline: the baseline will be the
    /// first measurement (a hint).
    BaselineFromMeasurements = "baseline_from_measurements", Measurable, Info;
    /// A: nothing makes the goal look out of reach.
    Achievable = "achievable", Achievable, Info;
    /// A: the required pace is within what the history shows.
    WithinHistory = "within_history", Achievable, Info;
    /// A: neither an action plan nor resources or tools.
    NoMeans = "no_means", Achievable, Fail;
    /// A: an action plan but no resources or tools named.
    NoResources = "no_resources", Achievable, Warn;
    /// A: the target is possible by definition but not as a goal (zero
    /// churn, a 100 % win rate).
    ImpossibleByDefinition = "impossible_by_definition", Achievable, Fail;
    /// A: the required pace is more than
    /// [`super::Thresholds::history_fail_ratio`] times the best
    /// quarter-on-quarter improvement in the history.
    BeyondHistory = "beyond_history", Achievable, Fail;
    /// A: the required pace exceeds the best quarter-on-quarter improvement
    /// in the history, but by at most
    /// [`super::Thresholds::history_fail_ratio`] times.
    FasterThanHistory = "faster_than_history", Achievable, Warn;
    /// A: the history shows no quarter-on-quarter improvement at all.
    NeverImproved = "never_improved", Achievable, Warn;
    /// A: the history has fewer than two quarters (a hint).
    HistoryTooShort = "history_too_short", Achievable, Info;
    /// A: the latest measurement already meets the target.
    TargetAlreadyReached = "target_already_reached", Achievable, Warn;
    /// A: without a KPI and a target, achievability cannot be judged.
    CannotJudgeTarget = "cannot_judge_target", Achievable, CannotTell;
    /// R: the KPI serves the stated objective in the right direction.
    ServesObjective = "serves_objective", Relevant, Info;
    /// R: no business objective, so relevance cannot be judged.
    NoObjective = "no_objective", Relevant, CannotTell;
    /// R: the target moves the KPI the wrong way for the objective.
    AgainstObjective = "against_objective", Relevant, Fail;
    /// R: the KPI is not one usually linked to the objective.
    KpiUnrelated = "kpi_unrelated", Relevant, Warn;
    /// R: a custom objective; its link to the KPI is taken as stated.
    CustomObjective = "custom_objective", Relevant, Info;
    /// R: the goal does not say why it matters (a hint).
    NoReason = "no_reason", Relevant, Info;
    /// T: the deadline resolves to a date in a sensible range.
    DeadlineSet = "deadline_set", Timely, Info;
    /// T: no deadline.
    NoDeadline = "no_deadline", Timely, Fail;
    /// T: the deadline is before `as_of`.
    DeadlinePassed = "deadline_passed", Timely, Fail;
    /// T: the deadline is more than
    /// [`super::Thresholds::deadline_fail_days`] days after `as_of`.
    DeadlineTooFar = "deadline_too_far", Timely, Fail;
    /// T: the deadline is more than
    /// [`super::Thresholds::deadline_warn_days`] days after `as_of`.
    DeadlineFar = "deadline_far", Timely, Warn;
    /// T: the deadline falls outside the supported date range.
    DeadlineUnresolvable = "deadline_unresolvable", Timely, Fail;
    /// T: the baseline was measured after the deadline.
    BaselineAfterDeadline = "baseline_after_deadline", Timely, Fail;
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
