//! The explainable path: exact decimal scores with every rule's
//! contribution, the grade, the recommended handoff and the changes since a
//! previous score; and the company roll-up.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::doc::Rollup;
use super::evaluate::Evaluation;
use super::model::ScoringModel;
use super::points::{from_units, round, score_serde};
use crate::model::{
    Activity, Company, CompanyId, Contact, ContactId, Dataset, LifecycleStage, ProtectedAttribute,
    Timestamp,
};
use crate::{Error, ErrorKind, Result};

/// One lead to score: a contact, its company and its activities.
#[derive(Debug, Clone)]
pub struct LeadInput<'a> {
    /// The contact.
    pub contact: &'a Contact,
    /// The contact's company, if any (company rules see no value without it).
    pub company: Option<&'a Company>,
    /// The contact's activities, in any order.
    pub activities: Vec<&'a Activity>,
}

impl<'a> LeadInput<'a> {
    /// The lead of the contact at `position` in [`Dataset::contacts`].
    pub fn from_dataset(dataset: &'a Dataset, position: usize) -> Option<LeadInput<'a>> {
        let contact = dataset.contacts().get(position)?;
        Some(LeadInput {
            contact,
            company: dataset.company_of(contact),
            activities: dataset.activities_at(position).collect(),
        })
    }
}

/// A lead's score with its explanation. JSON: numbers are decimal strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadScore {
    /// The contact scored.
    pub contact: ContactId,
    /// The id of the model, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The instant the score is valid at.
    pub as_of: Timestamp,
    /// The total score.
    #[serde(with = "score_serde")]
    pub total: Decimal,
    /// The grade band of the total, if one applies.
    #[serde(default)]
    pub grade: Option<String>,
    /// The score of each category, in model order.
    pub categories: Vec<CategoryScore>,
    /// The rules that fired (or whose activities all expired), in model
    /// order.
    pub contributions: Vec<Contribution>,
    /// The lifecycle move the score implies, if any.
    #[serde(default)]
    pub recommendation: Option<Recommendation>,
    /// The protected attributes the model uses; empty unless the model
    /// opted in, and then present on every result.
    #[serde(default)]
    pub protected_attributes_used: Vec<ProtectedAttribute>,
    /// What changed since the previous score, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Changes>,
}

impl LeadScore {
    /// The score of category `id`, if the model has it.
    pub fn category(&self, id: &str) -> Option<Decimal> {
        self.categories.iter().find(|c| c.id == id).map(|c| c.score)
    }

    /// The contribution of rule `id`, if it fired.
    pub fn contribution(&self, id: &str) -> Option<&Contribution> {
        self.contributions.iter().find(|c| c.rule == id)
    }
}

/// A category's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryScore {
    /// The category id.
    pub id: String,
    /// The sum of its rules' contributions.
    #[serde(with = "score_serde")]
    pub raw: Decimal,
    /// `raw` held within the category's min and max.
    #[serde(with = "score_serde")]
    pub score: Decimal,
    /// `true` when the cap or floor changed the score.
    pub capped: bool,
}

/// Whether a rule reads an attribute or counts activities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleType {
    /// An attribute (fit) rule.
    Attribute,
    /// An activity (behaviour) rule.
    Activity,
}

/// What one rule added to the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contribution {
    /// The rule id: the machine-readable reason code.
    pub rule: String,
    /// The category it counts in.
    pub category: String,
    /// Attribute or activity rule.
    #[serde(rename = "type")]
    pub rule_type: RuleType,
    /// The human-readable reason (the rule's description).
    pub reason: String,
    /// Occurrences counted (1 for an attribute rule that matched).
    pub occurrences: u64,
    /// Matching activities ignored because they expired.
    pub expired: u64,
    /// Points per occurrence × occurrences.
    #[serde(with = "score_serde")]
    pub points_before_decay: Decimal,
    /// The sum of each occurrence's decayed points.
    #[serde(with = "score_serde")]
    pub points_after_decay: Decimal,
    /// The points counted, after the rule's cap.
    #[serde(with = "score_serde")]
    pub points: Decimal,
    /// `true` when the rule's cap changed the points.
    pub capped: bool,
}

/// A recommended lifecycle move (the marketing-to-sales handoff).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    /// The handoff's id.
    pub handoff: String,
    /// The contact's current stage.
    pub from: LifecycleStage,
    /// The recommended stage.
    pub to: LifecycleStage,
    /// The score compared (the total or a category's score).
    #[serde(with = "score_serde")]
    pub score: Decimal,
    /// The threshold it crossed.
    #[serde(with = "score_serde")]
    pub threshold: Decimal,
    /// Why, in words.
    pub reason: String,
}

/// The change of one number since the previous score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delta {
    /// What changed: a category id or a rule id (empty for the total).
    pub id: String,
    /// The previous value (0 when it did not exist).
    #[serde(with = "score_serde")]
    pub previous: Decimal,
    /// The current value (0 when it no longer exists).
    #[serde(with = "score_serde")]
    pub current: Decimal,
    /// `current - previous`.
    #[serde(with = "score_serde")]
    pub delta: Decimal,
}

/// What changed since a previous score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Changes {
    /// When the previous score was valid.
    pub previous_as_of: Timestamp,
    /// The total's change.
    pub total: Delta,
    /// The previous grade.
    #[serde(default)]
    pub previous_grade: Option<String>,
    /// `true` when the grade changed.
    pub grade_changed: bool,
    /// Categories whose score changed.
    pub categories: Vec<Delta>,
    /// Rules whose points changed (fired, stopped firing, or moved).
    pub rules: Vec<Delta>,
}

/// A company's score, rolled up from its contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountScore {
    /// The company.
    pub company: CompanyId,
    /// How the score was rolled up.
    pub rollup: Rollup,
    /// The score; `None` (undefined) for a company without contacts.
    #[serde(with = "score_serde::option")]
    pub score: Option<Decimal>,
    /// The grade of the score, if one applies.
    #[serde(default)]
    pub grade: Option<String>,
    /// The contacts and their totals, highest first (ties by id).
    pub contacts: Vec<ContactTotal>,
}

/// A contact's total inside an [`AccountScore`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactTotal {
    /// The contact.
    pub contact: ContactId,
    /// Its total.
    #[serde(with = "score_serde")]
    pub total: Decimal,
}

impl ScoringModel {
    /// Scores one lead at `as_of`, with its explanation.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Overflow`](crate::ErrorKind::Overflow) when a rule's points
    /// or the total leave the exact range.
    pub fn score(&self, lead: &LeadInput<'_>, as_of: Timestamp) -> Result<LeadScore> {
        self.score_since(lead, as_of, None)
    }

    /// Scores one lead at `as_of` and, when `previous` is given (an earlier
    /// score of the same contact), says what changed since.
    ///
    /// # Errors
    ///
    /// The errors of [`ScoringModel::score`].
    pub fn score_since(
        &self,
        lead: &LeadInput<'_>,
        as_of: Timestamp,
        previous: Option<&LeadScore>,
    ) -> Result<LeadScore> {
        let evaluation = self.evaluate(lead, as_of)?;
        let score = self.explain(lead.contact.id.clone(), as_of, &evaluation);
        self.with_changes(score, previous)
    }

    /// The explanation of an evaluation.
    pub(crate) fn explain(
        &self,
        contact: ContactId,
        as_of: Timestamp,
        evaluation: &Evaluation,
    ) -> LeadScore {
        let category_id = |index: usize| {
            self.categories
                .get(index)
                .map(|c| c.id.clone())
                .unwrap_or_default()
        };
        let contributions = evaluation
            .fired
            .iter()
            .filter_map(|f| {
                let rule = self.rules.get(f.rule)?;
                Some(Contribution {
                    rule: rule.id.clone(),
                    category: category_id(rule.category),
                    rule_type: f.rule_type,
                    reason: rule.description.clone(),
                    occurrences: f.occurrences,
                    expired: f.expired,
                    points_before_decay: from_units(f.before),
                    points_after_decay: from_units(f.after),
                    points: from_units(f.points),
                    capped: f.points != f.after,
                })
            })
            .collect();
        let categories = evaluation
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| CategoryScore {
                id: category_id(i),
                raw: from_units(c.raw),
                score: from_units(c.score),
                capped: c.score != c.raw,
            })
            .collect();
        LeadScore {
            contact,
            model: self.id.clone(),
            as_of,
            total: from_units(evaluation.total),
            grade: evaluation
                .grade
                .and_then(|g| self.grades.get(g))
                .map(|g| g.grade.clone()),
            categories,
            contributions,
            recommendation: evaluation
                .handoff
                .as_ref()
                .and_then(|h| self.recommendation(h, evaluation.stage)),
            protected_attributes_used: self.protected_used.clone(),
            changes: None,
        }
    }

    /// Adds what changed since `previous`, if given, to `score`.
    fn with_changes(
        &self,
        mut score: LeadScore,
        previous: Option<&LeadScore>,
    ) -> Result<LeadScore> {
        if let Some(previous) = previous {
            if previous.contact != score.contact {
                return Err(Error::invalid(
                    "previous.contact",
                    format!(
                        "the previous score is of contact {:?}, not {:?}",
                        previous.contact.as_str(),
                        score.contact.as_str()
                    ),
                ));
            }
            score.changes = Some(changes(previous, &score)?);
        }
        Ok(score)
    }

    /// The grade band of a total, if one applies.
    pub fn grade_of(&self, total: Decimal) -> Option<&str> {
        self.grades
            .iter()
            .find(|g| g.min.is_none_or(|m| total >= m))
            .map(|g| g.grade.as_str())
    }

    /// Scores the contact with id `contact` of `dataset` at `as_of`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) when the dataset has
    /// no contact `contact`; the errors of [`ScoringModel::score`].
    pub fn score_contact(
        &self,
        dataset: &Dataset,
        contact: &ContactId,
        as_of: Timestamp,
    ) -> Result<LeadScore> {
        let lead = dataset
            .contact_position(contact)
            .and_then(|i| LeadInput::from_dataset(dataset, i))
            .ok_or_else(|| {
                Error::not_found("contact", format!("unknown contact {:?}", contact.as_str()))
            })?;
        self.score(&lead, as_of)
    }

    /// Scores every contact of `dataset` at `as_of`, in dataset order.
    ///
    /// # Errors
    ///
    /// The errors of [`ScoringModel::score`], for the first contact that fails.
    pub fn score_dataset(&self, dataset: &Dataset, as_of: Timestamp) -> Result<Vec<LeadScore>> {
        (0..dataset.contacts().len())
            .filter_map(|i| LeadInput::from_dataset(dataset, i))
            .map(|lead| self.score(&lead, as_of))
            .collect()
    }

    /// Rolls the contacts' scores up into one score per company of
    /// `dataset`, with the model's roll-up (sum, max or mean).
    ///
    /// `scores` are lead scores of the dataset's contacts (for instance from
    /// [`ScoringModel::score_dataset`]); contacts without a score are left
    /// out.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Overflow`](crate::ErrorKind::Overflow) when an account's
    /// roll-up leaves the exact range.
    pub fn score_accounts(
        &self,
        dataset: &Dataset,
        scores: &[LeadScore],
    ) -> Result<Vec<AccountScore>> {
        let by_contact: std::collections::HashMap<&ContactId, Decimal> =
            scores.iter().map(|s| (&s.contact, s.total)).collect();
        let mut accounts = Vec::with_capacity(dataset.companies().len());
        for company in dataset.companies() {
            let mut contacts: Vec<ContactTotal> = dataset
                .contacts_of_company(&company.id)
                .filter_map(|c| {
                    by_contact.get(&c.id).map(|t| ContactTotal {
                        contact: c.id.clone(),
                        total: *t,
                    })
                })
                .collect();
            contacts.sort_by(|a, b| b.total.cmp(&a.total).then(a.contact.cmp(&b.contact)));
            let totals: Vec<Decimal> = contacts.iter().map(|c| c.total).collect();
            let score = self.roll_up(&totals)?;
            accounts.push(AccountScore {
                company: company.id.clone(),
                rollup: self.rollup,
                grade: score.and_then(|s| self.grade_of(s)).map(str::to_string),
                score,
                contacts,
            });
        }
        Ok(accounts)
    }

    /// Rolls totals up with the model's roll-up; `None` (undefined) for no
    /// totals. The mean is rounded half away from zero to 4 places.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Overflow`](crate::ErrorKind::Overflow) when the roll-up
    /// leaves the exact range.
    pub fn roll_up(&self, totals: &[Decimal]) -> Result<Option<Decimal>> {
        if totals.is_empty() {
            return Ok(None);
        }
        let overflow = || Error::new(ErrorKind::Overflow, "the roll-up does not fit a decimal");
        let mut sum = Decimal::ZERO;
        for t in totals {
            sum = sum.checked_add(*t).ok_or_else(overflow)?;
        }
        let value = match self.rollup {
            Rollup::Sum => sum,
            Rollup::Max => totals.iter().copied().max().unwrap_or(Decimal::ZERO),
            Rollup::Mean => round(
                sum.checked_div(Decimal::from(totals.len()))
                    .ok_or_else(overflow)?,
            ),
        };
        Ok(Some(value.normalize()))
    }
}

fn delta(id: &str, previous: Decimal, current: Decimal) -> Result<Delta> {
    // `previous` comes from the caller and may be anything a decimal holds.
    let change = current.checked_sub(previous).ok_or_else(|| {
        Error::new(
            ErrorKind::Overflow,
            format!("the change of {id:?} since the previous score does not fit a decimal"),
        )
    })?;
    Ok(Delta {
        id: id.to_string(),
        previous: previous.normalize(),
        current: current.normalize(),
        delta: change.normalize(),
    })
}

fn changes(previous: &LeadScore, current: &LeadScore) -> Result<Changes> {
    let mut categories = Vec::new();
    for c in &current.categories {
        let before = previous.category(&c.id).unwrap_or(Decimal::ZERO);
        if before != c.score {
            categories.push(delta(&c.id, before, c.score)?);
        }
    }
    for p in &previous.categories {
        if current.category(&p.id).is_none() && !p.score.is_zero() {
            categories.push(delta(&p.id, p.score, Decimal::ZERO)?);
        }
    }
    let mut rules = Vec::new();
    for c in &current.contributions {
        let before = previous
            .contribution(&c.rule)
            .map_or(Decimal::ZERO, |p| p.points);
        if before != c.points {
            rules.push(delta(&c.rule, before, c.points)?);
        }
    }
    for p in &previous.contributions {
        if current.contribution(&p.rule).is_none() && !p.points.is_zero() {
            rules.push(delta(&p.rule, p.points, Decimal::ZERO)?);
        }
    }
    Ok(Changes {
        previous_as_of: previous.as_of,
        total: delta("", previous.total, current.total)?,
        previous_grade: previous.grade.clone(),
        grade_changed: previous.grade != current.grade,
        categories,
        rules,
    })
}
