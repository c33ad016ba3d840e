//! Computing a lead's numbers: each rule's contribution, the category
//! scores, the total, the grade and the handoff, exactly, in fixed-point
//! units of 1/10,000 point.
//!
//! The facts come through [`LeadFacts`], so that typed records
//! ([`LeadInput`]) and a lead document read in place
//! ([`super::lead_reader`]) are scored by the same code. An [`Evaluation`]
//! holds indices into the model and numbers only; the explanation
//! ([`super::LeadScore`]) and the JSON writer ([`super::score_writer`]) are
//! both built from it.
//!
//! ```
//! use crmkit::scoring::ScoringModel;
//!
//! let model = ScoringModel::from_json(r#"{"rules": [{"id": "cto", "points": 10,
//!     "when": {"field": "contact.job_title", "op": "equals", "value": "cto"}}]}"#)?;
//! let lead = r#"{"contact": {"id": "C-1", "job_title": "CTO", "created_at": "2026-01-01T00:00:00Z"}}"#;
//! let score = model.score_json(lead, "2026-02-01T00:00:00Z".parse().unwrap())?;
//! assert_eq!(score.total.to_string(), "10");
//! Ok::<(), crmkit::Error>(())
//! ```

use super::activity::{self, ActivityFacts};
use super::decay::SECONDS_PER_DAY;
use super::doc::Combine;
use super::explain::{LeadInput, Recommendation, RuleType};
use super::model::{RuleKind, ScoringModel, capped_units};
use super::points::{
    MAX_RULE_POINTS, MAX_TOTAL_POINTS, UNITS_PER_POINT, from_units, mul_units, rule_overflow,
    total_overflow,
};
use crate::Result;
use crate::model::{FieldPath, FieldValue, LifecycleStage, Timestamp};

/// What the engine reads from a lead.
pub(crate) trait LeadFacts {
    /// The value of a contact or company field, if it has one.
    fn value(&self, field: &FieldPath) -> Option<FieldValue<'_>>;
    /// The contact's lifecycle stage.
    fn stage(&self) -> LifecycleStage;
    /// Each activity's details and time, in whole seconds since the Unix
    /// epoch (a fraction dropped, as `Timestamp::timestamp` drops it).
    fn activities(&self) -> impl Iterator<Item = (ActivityFacts<'_>, i64)>;
}

impl LeadFacts for LeadInput<'_> {
    fn value(&self, field: &FieldPath) -> Option<FieldValue<'_>> {
        field.resolve(self.contact, self.company)
    }

    fn stage(&self) -> LifecycleStage {
        self.contact.lifecycle.stage
    }

    fn activities(&self) -> impl Iterator<Item = (ActivityFacts<'_>, i64)> {
        self.activities
            .iter()
            .map(|a| (ActivityFacts::from(&a.kind), a.at.timestamp()))
    }
}

/// One rule that fired (or whose matching activities all expired). Points
/// are in units of 1/10,000 point, as in the batch path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fired {
    /// Index into the model's rules.
    pub rule: usize,
    pub rule_type: RuleType,
    pub occurrences: u64,
    pub expired: u64,
    /// Points per occurrence × occurrences.
    pub before: i128,
    /// The sum of the decayed points.
    pub after: i128,
    /// After the rule's cap.
    pub points: i128,
}

/// A category's sum and its score within bounds, in units.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CategoryResult {
    pub raw: i128,
    pub score: i128,
}

/// A handoff that fires: its index, the score compared and the threshold
/// (units).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FiredHandoff {
    pub index: usize,
    pub score: i128,
    pub threshold: i128,
}

/// A lead's numbers, before any text is written.
#[derive(Debug, Clone)]
pub(crate) struct Evaluation {
    /// In model order.
    pub fired: Vec<Fired>,
    /// In model order.
    pub categories: Vec<CategoryResult>,
    /// Units.
    pub total: i128,
    /// Index into the model's grades.
    pub grade: Option<usize>,
    pub stage: LifecycleStage,
    pub handoff: Option<FiredHandoff>,
}

/// The whole seconds from `at` to `as_of` (both in whole seconds since the
/// Unix epoch, fractions dropped, as in the batch path), or `None` if `at`
/// is after `as_of`.
fn elapsed(at: i64, as_of: i64) -> Option<i64> {
    as_of.checked_sub(at).filter(|s| *s >= 0)
}

/// One activity rule's occurrences for one lead.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    occurrences: u64,
    expired: u64,
    before: i128,
    after: i128,
}

impl ScoringModel {
    /// Scores a lead's facts at `as_of`.
    ///
    /// Everything is summed in `i128` units of 1/10,000 point; products
    /// (points × decay factor, score × weight) are rounded to units half
    /// away from zero, which is the decimal rounding of the explanation
    /// (see [`super::points`]).
    pub(crate) fn evaluate(&self, lead: &impl LeadFacts, as_of: Timestamp) -> Result<Evaluation> {
        let tallies = self.tally(lead, as_of);
        let mut categories = vec![CategoryResult { raw: 0, score: 0 }; self.categories.len()];
        let mut fired = Vec::with_capacity(self.rules.len());
        for (index, tally) in tallies.iter().enumerate() {
            if let Some(f) = self.fire(index, lead, tally)? {
                if let Some(result) = self
                    .rules
                    .get(index)
                    .and_then(|r| categories.get_mut(r.category))
                {
                    result.raw += f.points;
                }
                fired.push(f);
            }
        }
        let mut total: Option<i128> = None;
        for (category, result) in self.categories.iter().zip(&mut categories) {
            result.score = result.raw.clamp(
                i128::from(category.min_units),
                i128::from(category.max_units),
            );
            let weighted = mul_units(result.score, i128::from(category.weight_units));
            total = Some(match (self.combine, total) {
                (_, None) => weighted,
                (Combine::Sum, Some(t)) => t + weighted,
                (Combine::Max, Some(t)) => t.max(weighted),
            });
        }
        let mut total = total.unwrap_or(0);
        let (min, max) = self.total_units;
        if let Some(min) = min {
            total = total.max(i128::from(min));
        }
        if let Some(max) = max {
            total = total.min(i128::from(max));
        }
        if total.abs() > i128::from(MAX_TOTAL_POINTS) * i128::from(UNITS_PER_POINT) {
            return Err(total_overflow());
        }
        let stage = lead.stage();
        Ok(Evaluation {
            fired,
            grade: self.grade_index(total),
            handoff: self.handoff_for(stage, total, &categories),
            categories,
            total,
            stage,
        })
    }

    /// Counts every activity rule's occurrences in one pass over the
    /// activities, each checked only against the rules of its type.
    fn tally(&self, lead: &impl LeadFacts, as_of: Timestamp) -> Vec<Tally> {
        let mut tallies = vec![Tally::default(); self.rules.len()];
        let as_of = as_of.timestamp();
        for (facts, at) in lead.activities() {
            let candidates = self
                .by_type
                .get(activity::type_index(&facts))
                .map_or(&[][..], Vec::as_slice);
            if candidates.is_empty() {
                continue;
            }
            let Some(seconds) = elapsed(at, as_of) else {
                continue;
            };
            for &(index, _) in candidates {
                let (Some(rule), Some(tally)) = (self.rules.get(index), tallies.get_mut(index))
                else {
                    continue;
                };
                let RuleKind::Activity {
                    matcher,
                    decay,
                    expire_after_days,
                } = &rule.kind
                else {
                    continue;
                };
                if !matcher.matches(&facts) {
                    continue;
                }
                if expire_after_days.is_some_and(|d| seconds > i64::from(d) * SECONDS_PER_DAY) {
                    tally.expired += 1;
                    continue;
                }
                let factor = decay.factor_units(seconds / SECONDS_PER_DAY);
                tally.occurrences += 1;
                tally.before += i128::from(rule.points_units);
                tally.after += mul_units(i128::from(rule.points_units), i128::from(factor));
            }
        }
        tallies
    }

    /// Rule `index`'s contribution, if it fired.
    fn fire(&self, index: usize, lead: &impl LeadFacts, tally: &Tally) -> Result<Option<Fired>> {
        let Some(rule) = self.rules.get(index) else {
            return Ok(None);
        };
        let points = i128::from(rule.points_units);
        let (occurrences, expired, before, after) = match &rule.kind {
            RuleKind::Attribute { condition, .. } => {
                if !condition.matches(lead.value(&condition.field)) {
                    return Ok(None);
                }
                (1, 0, points, points)
            }
            RuleKind::Activity { .. } => {
                if tally.occurrences == 0 && tally.expired == 0 {
                    return Ok(None);
                }
                (tally.occurrences, tally.expired, tally.before, tally.after)
            }
        };
        let capped = capped_units(after, rule.max_units);
        if capped.abs() > i128::from(MAX_RULE_POINTS) * i128::from(UNITS_PER_POINT) {
            return Err(rule_overflow(&rule.id));
        }
        Ok(Some(Fired {
            rule: index,
            rule_type: rule.kind.rule_type(),
            occurrences,
            expired,
            before,
            after,
            points: capped,
        }))
    }

    /// The index of the grade band of a total (units), if one applies.
    pub(crate) fn grade_index(&self, total: i128) -> Option<usize> {
        self.grades
            .iter()
            .position(|g| total >= i128::from(g.min_units))
    }

    /// The first handoff that fires for a contact at `stage`.
    fn handoff_for(
        &self,
        stage: LifecycleStage,
        total: i128,
        categories: &[CategoryResult],
    ) -> Option<FiredHandoff> {
        self.handoffs.iter().enumerate().find_map(|(index, h)| {
            if !h.from.contains(&stage) {
                return None;
            }
            let score = match h.category_index {
                Some(i) => categories.get(i)?.score,
                None => total,
            };
            let threshold = i128::from(h.threshold_units);
            let fires = match (h.min, h.below) {
                (Some(_), _) => score >= threshold,
                (None, Some(_)) => score < threshold,
                (None, None) => return None,
            };
            fires.then_some(FiredHandoff {
                index,
                score,
                threshold,
            })
        })
    }

    /// The recommendation, with its reason in words, of a fired handoff.
    pub(crate) fn recommendation(
        &self,
        fired: &FiredHandoff,
        stage: LifecycleStage,
    ) -> Option<Recommendation> {
        let h = self.handoffs.get(fired.index)?;
        let what = match h.category_index.and_then(|i| self.categories.get(i)) {
            Some(c) => format!("{} score", c.id),
            None => "total score".to_string(),
        };
        let words = if h.min.is_some() {
            "reached"
        } else {
            "fell below"
        };
        let (score, threshold) = (from_units(fired.score), from_units(fired.threshold));
        Some(Recommendation {
            handoff: h.id.clone(),
            from: stage,
            to: h.to,
            score,
            threshold,
            reason: format!(
                "{what} {score} {words} {threshold}: move from {stage} to {}",
                h.to
            ),
        })
    }
}
