//! Computing a lead's numbers: each rule's contribution, the category
//! scores, the total, the grade and the handoff, in exact decimals.
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

use rust_decimal::Decimal;

use super::activity;
use super::decay::SECONDS_PER_DAY;
use super::doc::Combine;
use super::explain::{LeadInput, Recommendation, RuleType};
use super::model::{RuleKind, ScoringModel};
use super::points::{MAX_TOTAL_POINTS, check_rule, round, total_overflow};
use crate::Result;
use crate::model::{ActivityKind, FieldPath, FieldValue, LifecycleStage, Timestamp};

/// What the engine reads from a lead.
pub(crate) trait LeadFacts {
    /// The value of a contact or company field, if it has one.
    fn value(&self, field: &FieldPath) -> Option<FieldValue<'_>>;
    /// The contact's lifecycle stage.
    fn stage(&self) -> LifecycleStage;
    /// Each activity's details and time.
    fn activities(&self) -> impl Iterator<Item = (&ActivityKind, Timestamp)>;
}

impl LeadFacts for LeadInput<'_> {
    fn value(&self, field: &FieldPath) -> Option<FieldValue<'_>> {
        field.resolve(self.contact, self.company)
    }

    fn stage(&self) -> LifecycleStage {
        self.contact.lifecycle.stage
    }

    fn activities(&self) -> impl Iterator<Item = (&ActivityKind, Timestamp)> {
        self.activities.iter().map(|a| (&a.kind, a.at))
    }
}

/// One rule that fired (or whose matching activities all expired).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fired {
    /// Index into the model's rules.
    pub rule: usize,
    pub rule_type: RuleType,
    pub occurrences: u64,
    pub expired: u64,
    /// Points per occurrence × occurrences (normalized).
    pub before: Decimal,
    /// The sum of the decayed points (normalized).
    pub after: Decimal,
    /// After the rule's cap (normalized).
    pub points: Decimal,
    pub capped: bool,
}

/// A category's sum and its score within bounds (both normalized).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CategoryResult {
    pub raw: Decimal,
    pub score: Decimal,
}

/// A handoff that fires: its index, the score compared and the threshold.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FiredHandoff {
    pub index: usize,
    pub score: Decimal,
    pub threshold: Decimal,
}

/// A lead's numbers, before any text is written.
#[derive(Debug, Clone)]
pub(crate) struct Evaluation {
    /// In model order.
    pub fired: Vec<Fired>,
    /// In model order.
    pub categories: Vec<CategoryResult>,
    /// Normalized.
    pub total: Decimal,
    /// Index into the model's grades.
    pub grade: Option<usize>,
    pub stage: LifecycleStage,
    pub handoff: Option<FiredHandoff>,
}

fn clamp(value: Decimal, min: Option<Decimal>, max: Option<Decimal>) -> Decimal {
    let value = min.map_or(value, |m| value.max(m));
    max.map_or(value, |m| value.min(m))
}

/// The whole seconds from `at` to `as_of`, or `None` if `at` is after
/// `as_of`. Both instants are taken to the whole second (fractions
/// dropped), as in the batch path.
fn elapsed(at: Timestamp, as_of: Timestamp) -> Option<i64> {
    as_of
        .timestamp()
        .checked_sub(at.timestamp())
        .filter(|s| *s >= 0)
}

/// One activity rule's occurrences for one lead.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    occurrences: u64,
    expired: u64,
    before: Decimal,
    after: Decimal,
}

impl ScoringModel {
    /// Scores a lead's facts at `as_of`.
    pub(crate) fn evaluate(&self, lead: &impl LeadFacts, as_of: Timestamp) -> Result<Evaluation> {
        let tallies = self.tally(lead, as_of);
        let mut raw = vec![Decimal::ZERO; self.categories.len()];
        let mut fired = Vec::new();
        for (index, tally) in tallies.iter().enumerate() {
            if let Some(f) = self.fire(index, lead, tally)? {
                if let Some(slot) = self.rules.get(index).and_then(|r| raw.get_mut(r.category)) {
                    *slot += f.points;
                }
                fired.push(f);
            }
        }
        let mut categories = Vec::with_capacity(self.categories.len());
        let mut total: Option<Decimal> = None;
        for (category, raw) in self.categories.iter().zip(raw) {
            let score = clamp(raw, category.min, category.max);
            let weighted = round(score * category.weight);
            total = Some(match (self.combine, total) {
                (_, None) => weighted,
                (Combine::Sum, Some(t)) => t + weighted,
                (Combine::Max, Some(t)) => t.max(weighted),
            });
            categories.push(CategoryResult {
                raw: raw.normalize(),
                score: score.normalize(),
            });
        }
        let total = clamp(
            total.unwrap_or(Decimal::ZERO),
            self.total_min,
            self.total_max,
        );
        if total.abs() > Decimal::from(MAX_TOTAL_POINTS) {
            return Err(total_overflow());
        }
        let stage = lead.stage();
        Ok(Evaluation {
            fired,
            grade: self.grade_index(total),
            handoff: self.handoff_for(stage, total, &categories),
            categories,
            total: total.normalize(),
            stage,
        })
    }

    /// Counts every activity rule's occurrences in one pass over the
    /// activities, each checked only against the rules of its type.
    fn tally(&self, lead: &impl LeadFacts, as_of: Timestamp) -> Vec<Tally> {
        let mut tallies = vec![Tally::default(); self.rules.len()];
        for (kind, at) in lead.activities() {
            let candidates = self
                .by_type
                .get(activity::type_index(kind))
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
                if !matcher.matches(kind) {
                    continue;
                }
                if expire_after_days.is_some_and(|d| seconds > i64::from(d) * SECONDS_PER_DAY) {
                    tally.expired += 1;
                    continue;
                }
                tally.occurrences += 1;
                tally.before += rule.points;
                tally.after += round(rule.points * decay.factor(seconds / SECONDS_PER_DAY));
            }
        }
        tallies
    }

    /// Rule `index`'s contribution, if it fired.
    fn fire(&self, index: usize, lead: &impl LeadFacts, tally: &Tally) -> Result<Option<Fired>> {
        let Some(rule) = self.rules.get(index) else {
            return Ok(None);
        };
        let (rule_type, occurrences, expired, before, after) = match &rule.kind {
            RuleKind::Attribute { condition, .. } => {
                if !condition.matches(lead.value(&condition.field)) {
                    return Ok(None);
                }
                (RuleType::Attribute, 1, 0, rule.points, rule.points)
            }
            RuleKind::Activity { .. } => {
                if tally.occurrences == 0 && tally.expired == 0 {
                    return Ok(None);
                }
                (
                    RuleType::Activity,
                    tally.occurrences,
                    tally.expired,
                    tally.before,
                    tally.after,
                )
            }
        };
        let points = clamp(after, rule.max_points.map(|m| -m), rule.max_points);
        let points = check_rule(points, &rule.id)?;
        Ok(Some(Fired {
            rule: index,
            rule_type,
            occurrences,
            expired,
            before: before.normalize(),
            after: after.normalize(),
            points: points.normalize(),
            capped: points != after,
        }))
    }

    /// The index of the grade band of a total, if one applies.
    pub(crate) fn grade_index(&self, total: Decimal) -> Option<usize> {
        self.grades
            .iter()
            .position(|g| g.min.is_none_or(|m| total >= m))
    }

    /// The first handoff that fires for a contact at `stage`.
    fn handoff_for(
        &self,
        stage: LifecycleStage,
        total: Decimal,
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
            let (fires, threshold) = match (h.min, h.below) {
                (Some(min), _) => (score >= min, min),
                (None, Some(below)) => (score < below, below),
                (None, None) => return None,
            };
            fires.then_some(FiredHandoff {
                index,
                score: score.normalize(),
                threshold: threshold.normalize(),
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
        Some(Recommendation {
            handoff: h.id.clone(),
            from: stage,
            to: h.to,
            score: fired.score,
            threshold: fired.threshold,
            reason: format!(
                "{what} {} {words} {}: move from {stage} to {}",
                fired.score, fired.threshold, h.to
            ),
        })
    }
}
