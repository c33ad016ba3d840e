//! The columnar batch path: many leads at once over prepared `i64` columns
//! and matched activity events, in fixed-point arithmetic, with results
//! equal to the explainable path to the last digit.
//!
//! # Input
//!
//! * One column per entry of [`ScoringModel::columns`], each holding one
//!   `i64` per lead, encoded by the column's [`ColumnKind`]: numbers and
//!   money as `2·⌊x·10⁴⌋` (+1 when `x` has more than four decimal places, so
//!   that comparisons with thresholds stay exact), flags 0/1, dates as days
//!   since 1970-01-01, instants as `2·seconds` (+1 with a fraction), text as
//!   the bit set returned by [`ScoringModel::encode_text`], and
//!   [`MISSING`](super::MISSING) (`i64::MIN`) for no value.
//!   [`ScoringModel::encode_value`] does all of this for one value.
//! * Events: one [`BatchEvent`] per (activity, activity rule) match, sorted
//!   by lead, with the activity's time in whole Unix seconds. Matching is
//!   independent of `as_of`, so events are prepared once and rescored at
//!   any `as_of`.
//!
//! [`ScoringModel::prepare`] builds both from [`LeadInput`]s.
//!
//! # Output
//!
//! One [`BatchScore`] per lead (the total in units of 1/10,000 point, the
//! grade index and, when the leads' lifecycle stages are given, the index
//! of the recommended handoff) and optionally the category scores, `leads ×
//! categories` values in units, lead-major. The explanation itself
//! (contributions, reasons, changes) is only in the explainable path.

use super::activity::{self, ActivityFacts};
use super::condition;
#[cfg(doc)]
use super::condition::ColumnKind;
use super::decay::{Decay, SECONDS_PER_DAY};
use super::doc::Combine;
use super::explain::LeadInput;
use super::model::{RuleKind, ScoringModel};
use super::points::{
    MAX_RULE_POINTS, MAX_TOTAL_POINTS, UNITS_PER_POINT, from_units, mul_units, mul_units_i64,
    rule_overflow, to_units, total_overflow,
};
use crate::model::{ActivityKind, LifecycleStage, Timestamp};
use crate::{Error, ErrorKind, Result};

/// One activity matched by one activity rule, for the batch path.
///
/// `#[repr(C)]`: the C ABI passes arrays of these unchanged.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BatchEvent {
    /// The lead's index in the batch.
    pub lead: u32,
    /// The rule's index in [`ScoringModel::activity_rule_ids`].
    pub rule: u32,
    /// When the activity happened, in whole seconds since the Unix epoch.
    pub at: i64,
}

/// One lead's result in the batch path.
///
/// `#[repr(C)]`: the C ABI writes arrays of these unchanged.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BatchScore {
    /// The total score in units of 1/10,000 point.
    pub total_units: i64,
    /// The index of the grade in [`ScoringModel::grades`], or -1 for none.
    pub grade: i32,
    /// The index of the recommended handoff in [`ScoringModel::handoffs`],
    /// or -1 for none (always -1 without [`Batch::stages`]).
    pub handoff: i32,
}

impl Default for BatchScore {
    fn default() -> Self {
        BatchScore {
            total_units: 0,
            grade: -1,
            handoff: -1,
        }
    }
}

impl BatchScore {
    /// The total as an exact decimal (`total_units / 10,000`).
    pub fn total(&self) -> rust_decimal::Decimal {
        from_units(i128::from(self.total_units))
    }
}

/// The input of [`ScoringModel::score_batch`], borrowed from the caller.
#[derive(Debug, Clone)]
pub struct Batch<'a> {
    /// The number of leads.
    pub leads: usize,
    /// One slice of `leads` values per model column, in model order.
    pub columns: Vec<&'a [i64]>,
    /// The matched activities, sorted by lead.
    pub events: &'a [BatchEvent],
    /// Each lead's lifecycle stage, as its index in
    /// [`LifecycleStage::ALL`](crate::model::LifecycleStage::ALL), for
    /// handoff recommendations; `None` to skip them.
    pub stages: Option<&'a [u8]>,
}

/// Columns and events built by [`ScoringModel::prepare`], owned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PreparedBatch {
    leads: usize,
    columns: Vec<Vec<i64>>,
    events: Vec<BatchEvent>,
    stages: Vec<u8>,
}

impl PreparedBatch {
    /// The number of leads.
    pub fn leads(&self) -> usize {
        self.leads
    }

    /// The encoded columns, in model order.
    pub fn columns(&self) -> &[Vec<i64>] {
        &self.columns
    }

    /// The matched activity events, sorted by lead.
    pub fn events(&self) -> &[BatchEvent] {
        &self.events
    }

    /// The leads' lifecycle stages (indices into
    /// [`LifecycleStage::ALL`](crate::model::LifecycleStage::ALL)).
    pub fn stages(&self) -> &[u8] {
        &self.stages
    }

    /// Borrows the batch for [`ScoringModel::score_batch`].
    pub fn as_batch(&self) -> Batch<'_> {
        Batch {
            leads: self.leads,
            columns: self.columns.iter().map(Vec::as_slice).collect(),
            events: &self.events,
            stages: Some(&self.stages),
        }
    }
}

/// Leads scored per pass of the rule-major inner loops.
const CHUNK: usize = 256;

struct ActivityRule<'m> {
    points: i64,
    max: Option<i64>,
    category: usize,
    expire_seconds: i64,
    decay: &'m Decay,
}

impl ScoringModel {
    /// Encodes leads into batch columns and matches their activities into
    /// events. Lead `i` of the batch is `leads[i]`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for a batch of more
    /// than `u32::MAX` leads or a lead whose values do not fit the model's
    /// columns.
    pub fn prepare(&self, leads: &[LeadInput<'_>]) -> Result<PreparedBatch> {
        if u32::try_from(leads.len()).is_err() {
            return Err(Error::new(
                ErrorKind::Invalid,
                format!("a batch holds at most {} leads", u32::MAX),
            ));
        }
        let columns = self
            .columns
            .iter()
            .map(|spec| {
                leads
                    .iter()
                    .map(|lead| {
                        let value = spec.field.resolve(lead.contact, lead.company);
                        condition::encode_value(spec.kind, value, &spec.text_tests)
                    })
                    .collect()
            })
            .collect();
        let mut events = Vec::new();
        for (index, lead) in leads.iter().enumerate() {
            let lead_index = u32::try_from(index).unwrap_or(u32::MAX);
            for activity in &lead.activities {
                for rule in self.matching_rules(&activity.kind) {
                    events.push(BatchEvent {
                        lead: lead_index,
                        rule,
                        at: activity.at.timestamp(),
                    });
                }
            }
        }
        let stages = leads
            .iter()
            .map(|lead| stage_code(lead.contact.lifecycle.stage))
            .collect();
        Ok(PreparedBatch {
            leads: leads.len(),
            columns,
            events,
            stages,
        })
    }

    /// The activity rules (indices into [`ScoringModel::activity_rule_ids`])
    /// that count an activity of this kind: the `rule` of its batch events.
    pub fn matching_rules<'s>(&'s self, kind: &'s ActivityKind) -> impl Iterator<Item = u32> + 's {
        let facts = ActivityFacts::from(kind);
        self.by_type
            .get(activity::type_index(&facts))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(
                move |&(rule, index)| match self.rules.get(rule).map(|r| &r.kind) {
                    Some(RuleKind::Activity { matcher, .. }) if matcher.matches(&facts) => {
                        Some(index)
                    }
                    _ => None,
                },
            )
    }

    /// The first handoff that applies to a lead at `stage` with `total`;
    /// category scores are re-derived from the chunk accumulator.
    fn batch_handoff(&self, stage: u8, total: i64, acc: &[i64], i: usize) -> i32 {
        let Some(&stage) = LifecycleStage::ALL.get(usize::from(stage)) else {
            return -1;
        };
        self.handoffs
            .iter()
            .position(|h| {
                if !h.from.contains(&stage) {
                    return false;
                }
                let score = match h.category_index {
                    Some(c) => match (self.categories.get(c), acc.get(c * CHUNK + i)) {
                        (Some(category), Some(&raw)) => {
                            raw.clamp(category.min_units, category.max_units)
                        }
                        _ => return false,
                    },
                    None => total,
                };
                if h.min.is_some() {
                    score >= h.threshold_units
                } else {
                    score < h.threshold_units
                }
            })
            .map_or(-1, |h| i32::try_from(h).unwrap_or(-1))
    }

    fn check_batch(
        &self,
        batch: &Batch<'_>,
        out: &[BatchScore],
        categories: Option<&[i64]>,
    ) -> Result<()> {
        if let Some(reason) = &self.batch_unsupported {
            return Err(Error::new(ErrorKind::Unsupported, reason.clone()));
        }
        if batch.columns.len() != self.columns.len() {
            return Err(Error::invalid(
                "columns",
                format!(
                    "expected {} columns (see the model's columns), found {}",
                    self.columns.len(),
                    batch.columns.len()
                ),
            ));
        }
        for (i, column) in batch.columns.iter().enumerate() {
            if column.len() != batch.leads {
                return Err(Error::invalid(
                    format!("columns[{i}]"),
                    format!(
                        "expected {} values (one per lead), found {}",
                        batch.leads,
                        column.len()
                    ),
                ));
            }
        }
        if out.len() != batch.leads {
            return Err(Error::invalid(
                "out",
                format!(
                    "expected room for {} scores, found {}",
                    batch.leads,
                    out.len()
                ),
            ));
        }
        if let Some(categories) = categories {
            let needed = batch.leads.checked_mul(self.categories.len());
            if needed != Some(categories.len()) {
                return Err(Error::invalid(
                    "categories",
                    format!(
                        "expected room for {} leads x {} categories, found {}",
                        batch.leads,
                        self.categories.len(),
                        categories.len()
                    ),
                ));
            }
        }
        if let Some(stages) = batch.stages {
            if stages.len() != batch.leads {
                return Err(Error::invalid(
                    "stages",
                    format!(
                        "expected {} stages (one per lead), found {}",
                        batch.leads,
                        stages.len()
                    ),
                ));
            }
            if let Some(i) = stages
                .iter()
                .position(|&s| usize::from(s) >= LifecycleStage::ALL.len())
            {
                return Err(Error::invalid(
                    format!("stages[{i}]"),
                    format!(
                        "expected a lifecycle stage index below {}",
                        LifecycleStage::ALL.len()
                    ),
                ));
            }
        }
        let rules = self.activity_rules.len();
        let mut previous = 0_u32;
        for (i, event) in batch.events.iter().enumerate() {
            if event.lead < previous {
                return Err(Error::invalid(
                    format!("events[{i}].lead"),
                    "events must be sorted by lead",
                ));
            }
            previous = event.lead;
            if event.lead as usize >= batch.leads {
                return Err(Error::invalid(
                    format!("events[{i}].lead"),
                    format!(
                        "lead {} is outside the batch of {}",
                        event.lead, batch.leads
                    ),
                ));
            }
            if event.rule as usize >= rules {
                return Err(Error::invalid(
                    format!("events[{i}].rule"),
                    format!(
                        "rule {} does not exist: the model has {rules} activity rules",
                        event.rule
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Scores a batch at `as_of`, writing one [`BatchScore`] per lead to
    /// `out` and, when given, the category scores (units, `leads ×
    /// categories`, lead-major) to `categories`.
    ///
    /// # Errors
    ///
    /// The totals, grades and category scores equal those of
    /// [`ScoringModel::score`] on the same leads, digit for digit. Fails
    /// with [`ErrorKind::Unsupported`] for a model whose text tests do not
    /// fit the batch encoding, [`ErrorKind::Invalid`] for inputs of the
    /// wrong size or unsorted events, and [`ErrorKind::Overflow`] as the
    /// explainable path would; on failure `out` may be partly written.
    pub fn score_batch(
        &self,
        batch: &Batch<'_>,
        as_of: Timestamp,
        out: &mut [BatchScore],
        mut categories: Option<&mut [i64]>,
    ) -> Result<()> {
        self.check_batch(batch, out, categories.as_deref())?;
        let as_of = as_of.timestamp();
        let k = self.categories.len();
        let activity_rules: Vec<ActivityRule<'_>> = self
            .activity_rules
            .iter()
            .filter_map(|&i| self.rules.get(i))
            .filter_map(|rule| match &rule.kind {
                RuleKind::Activity {
                    decay,
                    expire_after_days,
                    ..
                } => Some(ActivityRule {
                    points: rule.points_units,
                    max: rule.max_units,
                    category: rule.category,
                    expire_seconds: expire_after_days
                        .map_or(i64::MAX, |d| i64::from(d) * SECONDS_PER_DAY),
                    decay,
                }),
                RuleKind::Attribute { .. } => None,
            })
            .collect();
        let mut rule_sums = vec![0_i128; activity_rules.len()];
        let mut active = vec![false; activity_rules.len()];
        let mut touched: Vec<usize> = Vec::new();
        let total_min = self.total_min.and_then(to_units);
        let total_max = self.total_max.and_then(to_units);
        let plain_sum = self.combine == Combine::Sum
            && self
                .categories
                .iter()
                .all(|c| c.weight_units == UNITS_PER_POINT);
        let grade_mins: Vec<i64> = self.grades.iter().map(|g| g.min_units).collect();
        let mut totals = [0_i64; CHUNK];
        let mut acc = vec![0_i64; CHUNK * k];
        let mut event = 0_usize;
        let events = batch.events;
        let rule_limit = i128::from(MAX_RULE_POINTS) * i128::from(UNITS_PER_POINT);
        let total_limit = i128::from(MAX_TOTAL_POINTS) * i128::from(UNITS_PER_POINT);

        let mut start = 0;
        while start < batch.leads {
            let n = CHUNK.min(batch.leads - start);
            acc.fill(0);
            // Attribute rules, rule-major over the chunk.
            for rule in &self.batch_rules {
                let (Some(column), Some(dst)) = (
                    batch
                        .columns
                        .get(rule.column)
                        .and_then(|c| c.get(start..start + n)),
                    acc.get_mut(rule.category * CHUNK..rule.category * CHUNK + n),
                ) else {
                    continue;
                };
                let points = rule.points_units;
                match &rule.predicate {
                    condition::Predicate::Range(low, high) => {
                        let (low, high) = (*low, *high);
                        for (d, &v) in dst.iter_mut().zip(column) {
                            *d += if v >= low && v <= high { points } else { 0 };
                        }
                    }
                    condition::Predicate::Bits(mask) => {
                        let mask = *mask as i64;
                        for (d, &v) in dst.iter_mut().zip(column) {
                            *d += if v & mask != 0 { points } else { 0 };
                        }
                    }
                    condition::Predicate::Set(values) => {
                        for (d, &v) in dst.iter_mut().zip(column) {
                            *d += if values.contains(&v) { points } else { 0 };
                        }
                    }
                }
            }
            // Activity events of the chunk's leads, capped per rule, into
            // their categories.
            for i in 0..n {
                let lead = start + i;
                while let Some(e) = events.get(event) {
                    if e.lead as usize != lead {
                        break;
                    }
                    event += 1;
                    let rule_index = e.rule as usize;
                    let Some(rule) = activity_rules.get(rule_index) else {
                        continue;
                    };
                    let seconds = as_of.saturating_sub(e.at);
                    if seconds < 0 || seconds > rule.expire_seconds {
                        // After as_of, or expired: not counted.
                        continue;
                    }
                    let factor = rule.decay.factor_units(seconds / SECONDS_PER_DAY);
                    if let (Some(sum), Some(seen)) =
                        (rule_sums.get_mut(rule_index), active.get_mut(rule_index))
                    {
                        if !*seen {
                            *seen = true;
                            touched.push(rule_index);
                        }
                        // |points| <= 10^10 units and factor <= 10^4: the
                        // product fits an i64.
                        *sum += i128::from(mul_units_i64(rule.points, factor));
                    }
                }
                for &r in &touched {
                    let (Some(sum), Some(rule)) = (rule_sums.get_mut(r), activity_rules.get(r))
                    else {
                        continue;
                    };
                    let capped = match rule.max {
                        Some(m) => (*sum).clamp(-i128::from(m), i128::from(m)),
                        None => *sum,
                    };
                    *sum = 0;
                    if let Some(seen) = active.get_mut(r) {
                        *seen = false;
                    }
                    if capped.abs() > rule_limit {
                        let id = self
                            .activity_rules
                            .get(r)
                            .and_then(|&i| self.rules.get(i))
                            .map_or("", |rule| rule.id.as_str());
                        return Err(rule_overflow(id));
                    }
                    if let Some(slot) = acc.get_mut(rule.category * CHUNK + i) {
                        // |capped| <= 10^15 units: the sum of such values
                        // and of attribute points stays far from i64's end.
                        *slot = slot.saturating_add(i64::try_from(capped).unwrap_or(0));
                    }
                }
                touched.clear();
            }
            // Category scores: clamped in place, column by column.
            let mut bound = 0_i128;
            for (c, category) in self.categories.iter().enumerate() {
                let Some(raw) = acc.get_mut(c * CHUNK..c * CHUNK + n) else {
                    continue;
                };
                let (low, high) = (category.min_units, category.max_units);
                let mut largest = 0_u64;
                for v in raw.iter_mut() {
                    *v = (*v).clamp(low, high);
                    largest = largest.max(v.unsigned_abs());
                }
                bound += i128::from(largest);
            }
            if let Some(cats) = categories.as_deref_mut() {
                for c in 0..k {
                    let (Some(scores), Some(rows)) = (
                        acc.get(c * CHUNK..c * CHUNK + n),
                        cats.get_mut(start * k..(start + n) * k),
                    ) else {
                        continue;
                    };
                    for (row, &score) in rows.chunks_exact_mut(k).zip(scores) {
                        if let Some(slot) = row.get_mut(c) {
                            *slot = score;
                        }
                    }
                }
            }
            // Totals: a column-major sum in i64 when the weights are 1 and
            // the sum provably stays within the total's limit; otherwise
            // the weighted or largest combination in i128, lead by lead.
            if plain_sum && bound <= total_limit {
                let totals = &mut totals[..n];
                totals.fill(0);
                for c in 0..k {
                    let Some(scores) = acc.get(c * CHUNK..c * CHUNK + n) else {
                        continue;
                    };
                    for (t, &s) in totals.iter_mut().zip(scores) {
                        *t += s;
                    }
                }
            } else {
                for (i, slot) in totals[..n].iter_mut().enumerate() {
                    let mut total: Option<i128> = None;
                    for (c, category) in self.categories.iter().enumerate() {
                        let score = acc.get(c * CHUNK + i).copied().unwrap_or(0);
                        let weighted = if category.weight_units == UNITS_PER_POINT {
                            i128::from(score)
                        } else {
                            mul_units(i128::from(score), i128::from(category.weight_units))
                        };
                        total = Some(match (self.combine, total) {
                            (_, None) => weighted,
                            (Combine::Sum, Some(t)) => t + weighted,
                            (Combine::Max, Some(t)) => t.max(weighted),
                        });
                    }
                    let mut total = total.unwrap_or(0);
                    if let Some(min) = total_min {
                        total = total.max(i128::from(min));
                    }
                    if let Some(max) = total_max {
                        total = total.min(i128::from(max));
                    }
                    if total.abs() > total_limit {
                        return Err(total_overflow());
                    }
                    *slot = i64::try_from(total).map_err(|_| total_overflow())?;
                }
            }
            // Total bounds, grade and handoff, lead by lead.
            for (i, &sum) in totals[..n].iter().enumerate() {
                let lead = start + i;
                let mut total = sum;
                if let Some(min) = total_min {
                    total = total.max(min);
                }
                if let Some(max) = total_max {
                    total = total.min(max);
                }
                if i128::from(total).abs() > total_limit {
                    return Err(total_overflow());
                }
                let grade = grade_mins
                    .iter()
                    .position(|&min| total >= min)
                    .map_or(-1, |g| i32::try_from(g).unwrap_or(-1));
                let handoff = match batch.stages.and_then(|s| s.get(lead)) {
                    Some(&stage) => self.batch_handoff(stage, total, &acc, i),
                    None => -1,
                };
                if let Some(slot) = out.get_mut(lead) {
                    *slot = BatchScore {
                        total_units: total,
                        grade,
                        handoff,
                    };
                }
            }
            start += n;
        }
        Ok(())
    }
}

/// The index of `stage` in [`LifecycleStage::ALL`].
pub fn stage_code(stage: LifecycleStage) -> u8 {
    LifecycleStage::ALL
        .iter()
        .position(|s| *s == stage)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(u8::MAX)
}
