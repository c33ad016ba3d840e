//! Loading, validating and compiling a scoring model.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::Serialize;

use super::activity::{self, Matcher};
use super::condition::{self, ColumnKind, Condition, Predicate, TextTest};
use super::decay::{Decay, DecayKind, MAX_DECAY_DAYS};
use super::doc::{Combine, ModelDoc, Rollup, RuleDoc};
use super::explain::RuleType;
use super::points::{checked_amount, to_units};
use super::score_writer::JsonFragments;
use crate::model::{FieldPath, FieldValue, LifecycleStage, ProtectedAttribute};
use crate::{Error, ErrorKind, Result};

/// The most rules a model may have.
pub const MAX_RULES: usize = 1_000;
/// The largest magnitude of a rule's points per occurrence.
pub const MAX_POINTS: i64 = 1_000_000;
/// The largest magnitude of a bound (caps, grade and handoff thresholds).
pub const MAX_BOUND: i64 = 1_000_000_000_000;
/// The largest category weight.
pub const MAX_WEIGHT: i64 = 1_000;
/// The most text tests one text column may carry in the batch path.
pub const MAX_TEXT_TESTS: usize = 63;

/// A score category (`fit`, `engagement` or a named group) with its bounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Category {
    /// The category's id.
    pub id: String,
    /// The lowest score the category can have, if bounded.
    #[serde(with = "crate::money::decimal_serde::option")]
    pub min: Option<Decimal>,
    /// The highest score the category can have (its cap), if bounded.
    #[serde(with = "crate::money::decimal_serde::option")]
    pub max: Option<Decimal>,
    /// The factor the category's score is multiplied by in the total.
    #[serde(with = "crate::money::decimal_serde")]
    pub weight: Decimal,
    #[serde(skip)]
    pub(crate) min_units: i64,
    #[serde(skip)]
    pub(crate) max_units: i64,
    #[serde(skip)]
    pub(crate) weight_units: i64,
}

/// A grade band: totals at or above `min` get `grade`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grade {
    /// The grade's name (`"A"`, `"MQL"`).
    pub grade: String,
    /// The lowest total of the band; `None` for a catch-all last band.
    #[serde(with = "crate::money::decimal_serde::option")]
    pub min: Option<Decimal>,
    #[serde(skip)]
    pub(crate) min_units: i64,
}

/// A lifecycle handoff: when the score crosses a threshold and the contact
/// is in one of the `from` stages, recommend moving it to `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handoff {
    /// The handoff's id (given, or `"<from>-to-<to>"`).
    pub id: String,
    /// The stages it applies to.
    pub from: Vec<LifecycleStage>,
    /// The recommended stage.
    pub to: LifecycleStage,
    /// Fires when the score is at least this.
    #[serde(with = "crate::money::decimal_serde::option")]
    pub min: Option<Decimal>,
    /// Fires when the score is below this.
    #[serde(with = "crate::money::decimal_serde::option")]
    pub below: Option<Decimal>,
    /// The category whose score is compared; `None` for the total.
    pub category: Option<String>,
    #[serde(skip)]
    pub(crate) category_index: Option<usize>,
    /// `min` or `below` in units, for the batch path.
    #[serde(skip)]
    pub(crate) threshold_units: i64,
}

/// What a rule looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RuleKind {
    Attribute {
        condition: Condition,
        column: usize,
    },
    Activity {
        matcher: Matcher,
        decay: Decay,
        expire_after_days: Option<u32>,
    },
}

impl RuleKind {
    /// Whether the rule looks at an attribute or at activities.
    pub(crate) fn rule_type(&self) -> RuleType {
        match self {
            RuleKind::Attribute { .. } => RuleType::Attribute,
            RuleKind::Activity { .. } => RuleType::Activity,
        }
    }
}

/// A compiled rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rule {
    pub id: String,
    pub description: String,
    pub category: usize,
    pub points: Decimal,
    pub points_units: i64,
    pub max_points: Option<Decimal>,
    pub max_units: Option<i64>,
    pub kind: RuleKind,
}

/// A column of the batch path: which field it holds and how it is encoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnSpec {
    /// The field.
    pub field: FieldPath,
    /// The encoding (see [`super::batch`]).
    #[serde(flatten)]
    pub kind: ColumnKind,
    #[serde(skip)]
    pub(crate) text_tests: Vec<TextTest>,
}

/// An attribute rule in the batch path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BatchRule {
    pub column: usize,
    pub predicate: Predicate,
    pub points_units: i64,
    pub category: usize,
}

/// A validated, compiled scoring model: immutable, `Send + Sync`, reused
/// for every lead. See the [module docs](super) for the JSON form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoringModel {
    pub(crate) id: Option<String>,
    pub(crate) protected_used: Vec<ProtectedAttribute>,
    pub(crate) categories: Vec<Category>,
    pub(crate) combine: Combine,
    pub(crate) total_min: Option<Decimal>,
    pub(crate) total_max: Option<Decimal>,
    /// `total_min` and `total_max` in units.
    pub(crate) total_units: (Option<i64>, Option<i64>),
    pub(crate) rules: Vec<Rule>,
    /// Indices into `rules` of the activity rules, in order; an event's
    /// `rule` in the batch path indexes this list.
    pub(crate) activity_rules: Vec<usize>,
    /// For each activity type, the activity rules that can match it: the
    /// index into `rules` and the index into `activity_rules`.
    pub(crate) by_type: Vec<Vec<(usize, u32)>>,
    pub(crate) grades: Vec<Grade>,
    pub(crate) handoffs: Vec<Handoff>,
    pub(crate) rollup: Rollup,
    pub(crate) columns: Vec<ColumnSpec>,
    pub(crate) batch_rules: Vec<BatchRule>,
    pub(crate) batch_unsupported: Option<String>,
    /// The model's parts of a score's JSON, escaped once.
    pub(crate) fragments: JsonFragments,
}

fn bound(value: Option<Decimal>, path: &str) -> Result<Option<Decimal>> {
    value
        .map(|v| checked_amount(v, MAX_BOUND, path))
        .transpose()
}

fn units(value: Decimal) -> i64 {
    to_units(value).unwrap_or(0)
}

fn check_id(id: &str, path: &str) -> Result<()> {
    if id.trim().is_empty() {
        return Err(Error::invalid(path, "expected a non-empty id"));
    }
    if id.len() > 256 || id.chars().any(char::is_control) {
        return Err(Error::invalid(
            path,
            "expected an id of at most 256 bytes without control characters",
        ));
    }
    Ok(())
}

impl ScoringModel {
    /// Loads, validates and compiles a model from its JSON document.
    ///
    /// # Errors
    ///
    /// Errors name the JSON path: an unknown member or a wrong JSON type is
    /// [`ErrorKind::Json`]; an operator that does not suit the field's kind,
    /// a value of the wrong kind, an unknown field or category, a duplicate
    /// id or an impossible range is [`ErrorKind::Invalid`]; a rule on a
    /// protected attribute without `"allow_protected_attributes": true` is
    /// [`ErrorKind::ProtectedAttribute`].
    pub fn from_json(json: &str) -> Result<ScoringModel> {
        let doc: ModelDoc = Error::parse_json(json)?;
        ScoringModel::compile(doc)
    }

    fn compile(doc: ModelDoc) -> Result<ScoringModel> {
        if let Some(id) = &doc.id {
            check_id(id, "id")?;
        }
        // Categories: fit and engagement always exist.
        let mut categories: Vec<Category> = Vec::new();
        for (i, c) in doc.categories.iter().enumerate() {
            let path = format!("categories[{i}]");
            check_id(&c.id, &format!("{path}.id"))?;
            if categories.iter().any(|x| x.id == c.id) {
                return Err(Error::invalid(
                    format!("{path}.id"),
                    format!("duplicate category id {:?}", c.id),
                ));
            }
            let min = bound(c.min, &format!("{path}.min"))?;
            let max = bound(c.max, &format!("{path}.max"))?;
            if let (Some(l), Some(h)) = (min, max)
                && l > h
            {
                return Err(Error::invalid(
                    path,
                    format!("impossible range: min {l} is greater than max {h}"),
                ));
            }
            let weight = match c.weight {
                Some(w) => {
                    let w = checked_amount(w, MAX_WEIGHT, &format!("{path}.weight"))?;
                    if w.is_sign_negative() && !w.is_zero() {
                        return Err(Error::invalid(
                            format!("{path}.weight"),
                            format!("expected a weight of at least 0, found {w}"),
                        ));
                    }
                    w
                }
                None => Decimal::ONE,
            };
            categories.push(Category {
                id: c.id.clone(),
                min,
                max,
                weight,
                min_units: min.map_or(i64::MIN, units),
                max_units: max.map_or(i64::MAX, units),
                weight_units: units(weight),
            });
        }
        for builtin in ["engagement", "fit"] {
            if !categories.iter().any(|c| c.id == builtin) {
                categories.insert(
                    0,
                    Category {
                        id: builtin.to_string(),
                        min: None,
                        max: None,
                        weight: Decimal::ONE,
                        min_units: i64::MIN,
                        max_units: i64::MAX,
                        weight_units: units(Decimal::ONE),
                    },
                );
            }
        }

        let total_min = bound(doc.total.min, "total.min")?;
        let total_max = bound(doc.total.max, "total.max")?;
        if let (Some(l), Some(h)) = (total_min, total_max)
            && l > h
        {
            return Err(Error::invalid(
                "total",
                format!("impossible range: min {l} is greater than max {h}"),
            ));
        }

        if doc.rules.is_empty() {
            return Err(Error::invalid("rules", "expected at least one rule"));
        }
        if doc.rules.len() > MAX_RULES {
            return Err(Error::invalid(
                "rules",
                format!(
                    "expected at most {MAX_RULES} rules, found {}",
                    doc.rules.len()
                ),
            ));
        }
        let mut model = ScoringModel {
            id: doc.id.clone(),
            protected_used: Vec::new(),
            categories,
            combine: doc.total.combine,
            total_min,
            total_max,
            total_units: (total_min.map(units), total_max.map(units)),
            rules: Vec::new(),
            activity_rules: Vec::new(),
            by_type: vec![Vec::new(); activity::TYPE_COUNT],
            grades: Vec::new(),
            handoffs: Vec::new(),
            rollup: doc.account.rollup,
            columns: Vec::new(),
            batch_rules: Vec::new(),
            batch_unsupported: None,
            fragments: JsonFragments::default(),
        };
        let mut protected = BTreeSet::new();
        for (i, rule) in doc.rules.iter().enumerate() {
            let path = format!("rules[{i}]");
            if let Some(first) = doc.rules.iter().take(i).position(|r| r.id == rule.id) {
                return Err(Error::invalid(
                    format!("{path}.id"),
                    format!("duplicate rule id {:?} (first at rules[{first}])", rule.id),
                ));
            }
            let compiled = model.compile_rule(rule, &path, doc.allow_protected_attributes)?;
            if let RuleKind::Attribute { condition, .. } = &compiled.kind
                && let Some(p) = condition.field.protected()
            {
                protected.insert(p);
            }
            if let RuleKind::Activity { matcher, .. } = &compiled.kind {
                let index = u32::try_from(model.activity_rules.len()).unwrap_or(u32::MAX);
                if let Some(list) = model.by_type.get_mut(matcher.type_index()) {
                    list.push((model.rules.len(), index));
                }
                model.activity_rules.push(model.rules.len());
            }
            model.rules.push(compiled);
        }
        model.protected_used = protected.into_iter().collect();

        for (i, g) in doc.grades.iter().enumerate() {
            let path = format!("grades[{i}]");
            check_id(&g.grade, &format!("{path}.grade"))?;
            if model.grades.iter().any(|x| x.grade == g.grade) {
                return Err(Error::invalid(
                    format!("{path}.grade"),
                    format!("duplicate grade {:?}", g.grade),
                ));
            }
            let min = bound(g.min, &format!("{path}.min"))?;
            let previous = model.grades.last();
            match (min, previous) {
                (_, Some(Grade { min: None, .. })) => {
                    return Err(Error::invalid(
                        path,
                        "only the last grade may leave out \"min\" (it catches every lower score)",
                    ));
                }
                (Some(m), Some(Grade { min: Some(p), .. })) if m >= *p => {
                    return Err(Error::invalid(
                        format!("{path}.min"),
                        format!(
                            "grades must be listed from the highest min down: {m} is not below {p}"
                        ),
                    ));
                }
                _ => {}
            }
            model.grades.push(Grade {
                grade: g.grade.clone(),
                min,
                min_units: min.map_or(i64::MIN, units),
            });
        }

        for (i, h) in doc.handoffs.iter().enumerate() {
            let path = format!("handoffs[{i}]");
            let min = bound(h.min, &format!("{path}.min"))?;
            let below = bound(h.below, &format!("{path}.below"))?;
            if min.is_some() == below.is_some() {
                return Err(Error::invalid(
                    path,
                    "a handoff needs exactly one of \"min\" (at least) and \"below\"",
                ));
            }
            if h.from.is_empty() {
                return Err(Error::invalid(
                    format!("{path}.from"),
                    "expected at least one lifecycle stage",
                ));
            }
            if h.from.contains(&h.to) {
                return Err(Error::invalid(
                    format!("{path}.to"),
                    format!("stage {} is also among the stages it moves from", h.to),
                ));
            }
            let category_index = match &h.category {
                Some(c) => Some(model.category_index(c, &format!("{path}.category"))?),
                None => None,
            };
            let id = match &h.id {
                Some(id) => {
                    check_id(id, &format!("{path}.id"))?;
                    id.clone()
                }
                None => format!(
                    "{}-to-{}",
                    h.from
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join("-"),
                    h.to
                ),
            };
            if model.handoffs.iter().any(|x| x.id == id) {
                return Err(Error::invalid(
                    format!("{path}.id"),
                    format!("duplicate handoff id {id:?}"),
                ));
            }
            model.handoffs.push(Handoff {
                id,
                from: h.from.clone(),
                to: h.to,
                min,
                below,
                category: h.category.clone(),
                category_index,
                threshold_units: min.or(below).map_or(0, units),
            });
        }
        model.compile_batch();
        model.fragments = JsonFragments::new(&model);
        Ok(model)
    }

    fn category_index(&self, id: &str, path: &str) -> Result<usize> {
        self.categories
            .iter()
            .position(|c| c.id == id)
            .ok_or_else(|| {
                let known: Vec<&str> = self.categories.iter().map(|c| c.id.as_str()).collect();
                Error::invalid(
                    path,
                    format!(
                        "unknown category {id:?}: expected one of {} (declare others in \"categories\")",
                        known.join(", ")
                    ),
                )
            })
    }

    fn compile_rule(&mut self, rule: &RuleDoc, path: &str, allow_protected: bool) -> Result<Rule> {
        check_id(&rule.id, &format!("{path}.id"))?;
        let points = checked_amount(rule.points, MAX_POINTS, &format!("{path}.points"))?;
        let max_points = match rule.max_points {
            Some(m) => {
                let m = checked_amount(m, MAX_BOUND, &format!("{path}.max_points"))?;
                if m <= Decimal::ZERO {
                    return Err(Error::invalid(
                        format!("{path}.max_points"),
                        format!("expected a positive limit on the rule's points, found {m}"),
                    ));
                }
                Some(m)
            }
            None => None,
        };
        let (kind, default_category) = match (&rule.when, &rule.activity) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(Error::invalid(
                    path,
                    "a rule needs exactly one of \"when\" (an attribute condition) and \"activity\"",
                ));
            }
            (Some(when), None) => {
                if rule.decay.is_some() || rule.expire_after_days.is_some() {
                    return Err(Error::invalid(
                        path,
                        "\"decay\" and \"expire_after_days\" apply to activity rules only",
                    ));
                }
                let condition = condition::compile(when, &format!("{path}.when"))?;
                if let Some(p) = condition.field.protected()
                    && !allow_protected
                {
                    return Err(Error::at(
                        ErrorKind::ProtectedAttribute,
                        format!("{path}.when.field"),
                        format!(
                            "{} is the protected attribute {:?}; a model may use it only with \"allow_protected_attributes\": true",
                            condition.field,
                            p.field_name()
                        ),
                    ));
                }
                (
                    RuleKind::Attribute {
                        condition,
                        column: 0,
                    },
                    "fit",
                )
            }
            (None, Some(activity)) => {
                let matcher = activity::compile(activity, &format!("{path}.activity"))?;
                let kind = match rule.decay {
                    None => DecayKind::None,
                    Some(d) => {
                        let dpath = format!("{path}.decay");
                        let (kind, days) = match (d.half_life_days, d.linear_days) {
                            (Some(h), None) => (DecayKind::HalfLife(h), h),
                            (None, Some(l)) => (DecayKind::Linear(l), l),
                            _ => {
                                return Err(Error::invalid(
                                    dpath,
                                    "expected exactly one of \"half_life_days\" and \"linear_days\"",
                                ));
                            }
                        };
                        if days == 0 || days > MAX_DECAY_DAYS {
                            return Err(Error::invalid(
                                dpath,
                                format!(
                                    "expected a number of days from 1 to {MAX_DECAY_DAYS}, found {days}"
                                ),
                            ));
                        }
                        kind
                    }
                };
                if rule.expire_after_days == Some(0) {
                    return Err(Error::invalid(
                        format!("{path}.expire_after_days"),
                        "expected at least 1 day",
                    ));
                }
                (
                    RuleKind::Activity {
                        matcher,
                        decay: Decay::new(kind, rule.expire_after_days),
                        expire_after_days: rule.expire_after_days,
                    },
                    "engagement",
                )
            }
        };
        let category = self.category_index(
            rule.category.as_deref().unwrap_or(default_category),
            &format!("{path}.category"),
        )?;
        let description = match (&rule.description, &kind) {
            (Some(d), _) => d.clone(),
            (None, RuleKind::Attribute { condition, .. }) => condition.description.clone(),
            (None, RuleKind::Activity { matcher, .. }) => matcher.describe(),
        };
        Ok(Rule {
            id: rule.id.clone(),
            description,
            category,
            points,
            points_units: units(points),
            max_points,
            max_units: max_points.map(units),
            kind,
        })
    }

    /// Lays out the batch columns and predicates of the attribute rules.
    fn compile_batch(&mut self) {
        for index in 0..self.rules.len() {
            let Some(rule) = self.rules.get(index) else {
                continue;
            };
            let RuleKind::Attribute { condition, .. } = &rule.kind else {
                continue;
            };
            let kind = condition.column_kind();
            let field = condition.field.clone();
            let column = match self
                .columns
                .iter()
                .position(|c| c.field == field && c.kind == kind)
            {
                Some(c) => c,
                None => {
                    self.columns.push(ColumnSpec {
                        field,
                        kind,
                        text_tests: Vec::new(),
                    });
                    self.columns.len() - 1
                }
            };
            let mut bit = None;
            if let condition::Test::Text(test) = &condition.test
                && *test != TextTest::Present
                && let Some(spec) = self.columns.get_mut(column)
            {
                if spec.text_tests.len() >= MAX_TEXT_TESTS {
                    self.batch_unsupported = Some(format!(
                        "field {} has more than {MAX_TEXT_TESTS} text tests, the most a batch column can carry",
                        spec.field
                    ));
                } else {
                    bit = u32::try_from(spec.text_tests.len()).ok();
                    spec.text_tests.push(test.clone());
                }
            }
            let predicate = condition.predicate(bit);
            let points_units = capped_units(rule.points_units, rule.max_units);
            let category = rule.category;
            self.batch_rules.push(BatchRule {
                column,
                predicate,
                points_units,
                category,
            });
            if let Some(Rule {
                kind: RuleKind::Attribute { column: c, .. },
                ..
            }) = self.rules.get_mut(index)
            {
                *c = column;
            }
        }
    }

    /// The model's id, if it has one.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The categories, in the order of results: `fit` and `engagement`
    /// first unless declared elsewhere, then the declared ones.
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// The grade bands, highest first.
    pub fn grades(&self) -> &[Grade] {
        &self.grades
    }

    /// The lifecycle handoffs, in the order they are tried.
    pub fn handoffs(&self) -> &[Handoff] {
        &self.handoffs
    }

    /// The protected attributes the model uses (empty unless it opted in).
    pub fn protected_attributes(&self) -> &[ProtectedAttribute] {
        &self.protected_used
    }

    /// The ids of the rules, in model order.
    pub fn rule_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.rules.iter().map(|r| r.id.as_str())
    }

    /// The ids of the activity rules; an event's `rule` in the batch path
    /// is an index into this list.
    pub fn activity_rule_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.activity_rules
            .iter()
            .filter_map(|&i| self.rules.get(i))
            .map(|r| r.id.as_str())
    }

    /// The roll-up used for company scores.
    pub fn rollup(&self) -> Rollup {
        self.rollup
    }

    /// The columns the batch path reads, in order.
    pub fn columns(&self) -> &[ColumnSpec] {
        &self.columns
    }

    /// Encodes a text for text column `column` (the bit set of the model's
    /// text tests on that field that the text passes).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) when `column` is not a
    /// text column of the model.
    pub fn encode_text(&self, column: usize, text: &str) -> Result<i64> {
        let spec = self.column(column)?;
        if spec.kind != ColumnKind::Text {
            return Err(Error::new(
                ErrorKind::Invalid,
                format!("column {column} ({}) is not a text column", spec.field),
            ));
        }
        Ok(condition::encode_text(text, &spec.text_tests))
    }

    /// Encodes a field value (or its absence) for column `column`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) when `column` is out
    /// of range or `value` has the wrong kind for it.
    pub fn encode_value(&self, column: usize, value: Option<FieldValue<'_>>) -> Result<i64> {
        let spec = self.column(column)?;
        Ok(condition::encode_value(spec.kind, value, &spec.text_tests))
    }

    pub(crate) fn column(&self, column: usize) -> Result<&ColumnSpec> {
        self.columns.get(column).ok_or_else(|| {
            Error::new(
                ErrorKind::Invalid,
                format!(
                    "column {column} does not exist: the model has {} columns",
                    self.columns.len()
                ),
            )
        })
    }
}

/// A summary of a compiled model: what a host needs to lay out batch
/// inputs and read batch outputs. JSON via serde.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelInfo<'a> {
    /// The model's id.
    pub id: Option<&'a str>,
    /// The categories, in the order of results and batch category scores.
    pub categories: &'a [Category],
    /// The grades, highest first; a batch grade is an index into this list.
    pub grades: &'a [Grade],
    /// The handoffs.
    pub handoffs: &'a [Handoff],
    /// The rule ids, in model order.
    pub rules: Vec<&'a str>,
    /// The activity rule ids; a batch event's rule indexes this list.
    pub activity_rules: Vec<&'a str>,
    /// The batch columns, in order.
    pub columns: &'a [ColumnSpec],
    /// The protected attributes the model uses.
    pub protected_attributes_used: &'a [ProtectedAttribute],
    /// Why the batch path cannot run this model, if it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_unsupported: Option<&'a str>,
}

impl ScoringModel {
    /// A summary of the model (see [`ModelInfo`]).
    pub fn info(&self) -> ModelInfo<'_> {
        ModelInfo {
            id: self.id.as_deref(),
            categories: &self.categories,
            grades: &self.grades,
            handoffs: &self.handoffs,
            rules: self.rule_ids().collect(),
            activity_rules: self.activity_rule_ids().collect(),
            columns: &self.columns,
            protected_attributes_used: &self.protected_used,
            batch_unsupported: self.batch_unsupported.as_deref(),
        }
    }
}

/// Applies a rule's cap (a limit on the magnitude) to a units value, in
/// the batch path's `i64` or the evaluation's `i128`.
pub(crate) fn capped_units<T>(value: T, max: Option<i64>) -> T
where
    T: Copy + Ord + std::ops::Neg<Output = T> + From<i64>,
{
    match max {
        Some(m) => value.clamp(-T::from(m), T::from(m)),
        None => value,
    }
}

// The engine is shared across threads.
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<ScoringModel>();
};
