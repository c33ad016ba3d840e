//! RFM scores and the standard named segments.
//!
//! **Inputs per customer.** Recency: whole days from the last revenue
//! event to `as_of` (UTC days); frequency: distinct days with a revenue
//! event (purchases of one day are one purchase, the convention of
//! crmkit's [`predict`](crate::predict) RFM summary, which computes R and F
//! here); monetary: the exact total of the customer's revenue events.
//!
//! **Scores (quintiles, 1-5, 5 best).** Each of R, F and M is scored by the
//! customer's position among all scored customers:
//! `score = 1 + ⌊5 × worse / n⌋`, where `worse` counts the customers with a
//! strictly worse value (more days for R, fewer purchases for F, less spend
//! for M). With distinct values this cuts the customers into five equal
//! fifths (20 % each when 5 divides n). **Ties** share one score, that of
//! the lowest position among them (pandas' `rank(method="min")`), so two
//! customers with equal values never get different scores; heavy ties (many
//! one-time buyers) leave some scores unused rather than splitting equals.
//!
//! **Named segments.** The widely published R × FM grid (Putler, "RFM
//! Analysis For Successful Customer Segmentation",
//! <https://www.putler.com/rfm-analysis/>, reproduced by many tools) gives
//! each segment ranges of R and of FM, the mean of F and M. Here
//! `FM = ⌊(F + M + 1) / 2⌋` (the mean, halves rounded up). The published
//! ranges overlap, so crmkit fixes one segment per cell, each inside its
//! published ranges:
//!
//! | R \ FM | 1              | 2                  | 3              | 4                | 5                |
//! |--------|----------------|--------------------|----------------|------------------|------------------|
//! | 5      | New            | Potential loyalist | Loyal          | Champions        | Champions        |
//! | 4      | Promising      | Potential loyalist | Loyal          | Champions        | Champions        |
//! | 3      | About to sleep | Need attention     | Need attention | Loyal            | Loyal            |
//! | 2      | Hibernating    | Hibernating        | At risk        | At risk          | At risk          |
//! | 1      | Lost           | Lost               | At risk        | Cannot lose them | Cannot lose them |
//!
//! (Published ranges: Champions R 4-5 FM 4-5; Loyal R 2-5 FM 3-5; Potential
//! loyalist R 3-5 FM 1-3; New R 4-5 FM ≤1; Promising R 3-4 FM ≤1; Need
//! attention R 2-3 FM 2-3; About to sleep R 2-3 FM ≤2; At risk R ≤2 FM 2-5;
//! Cannot lose them R ≤1 FM 4-5; Hibernating R 1-2 FM 1-2; Lost R ≤2 FM ≤2.)
//!
//! ```
//! use crmkit::segments::RfmSegment;
//! assert_eq!(RfmSegment::from_scores(5, 4, 5), RfmSegment::Champions);
//! assert_eq!(RfmSegment::from_scores(1, 5, 4), RfmSegment::CannotLoseThem);
//! Ok::<(), crmkit::Error>(())
//! ```

use std::cmp::Ordering;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::events::revenue_events;
use super::ratio::Ratio;
use crate::kpi::RevenueSource;
use crate::model::{ContactId, Dataset, Timestamp};
use crate::money::{Currency, decimal_serde};
use crate::predict::{RfmOptions, TimeUnit, rfm_from_arrays};
use crate::{Error, Result};

/// One of the 11 standard RFM segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RfmSegment {
    /// Bought recently, buy often and spend the most.
    Champions,
    /// Buy regularly with good spend.
    Loyal,
    /// Recent customers with average frequency and spend.
    PotentialLoyalist,
    /// Bought very recently, once or for little.
    New,
    /// Recent, but little bought so far.
    Promising,
    /// Middling recency, frequency and spend.
    NeedAttention,
    /// Below-average recency, little bought.
    AboutToSleep,
    /// Spent well and often, but long ago.
    AtRisk,
    /// Were among the best, and have not bought for the longest.
    CannotLoseThem,
    /// Long since the last purchase, little bought.
    Hibernating,
    /// The lowest recency, frequency and spend.
    Lost,
}

impl RfmSegment {
    /// Every segment, best first.
    pub const ALL: [RfmSegment; 11] = [
        RfmSegment::Champions,
        RfmSegment::Loyal,
        RfmSegment::PotentialLoyalist,
        RfmSegment::New,
        RfmSegment::Promising,
        RfmSegment::NeedAttention,
        RfmSegment::AboutToSleep,
        RfmSegment::AtRisk,
        RfmSegment::CannotLoseThem,
        RfmSegment::Hibernating,
        RfmSegment::Lost,
    ];

    /// The JSON name (`"cannot_lose_them"`).
    pub fn as_str(self) -> &'static str {
        match self {
            RfmSegment::Champions => "champions",
            RfmSegment::Loyal => "loyal",
            RfmSegment::PotentialLoyalist => "potential_loyalist",
            RfmSegment::New => "new",
            RfmSegment::Promising => "promising",
            RfmSegment::NeedAttention => "need_attention",
            RfmSegment::AboutToSleep => "about_to_sleep",
            RfmSegment::AtRisk => "at_risk",
            RfmSegment::CannotLoseThem => "cannot_lose_them",
            RfmSegment::Hibernating => "hibernating",
            RfmSegment::Lost => "lost",
        }
    }

    /// The segment of R, F and M scores (1-5; values outside are clamped)
    /// by the grid of the module docs.
    pub fn from_scores(r: u8, f: u8, m: u8) -> RfmSegment {
        Self::from_grid(r, fm_score(f, m))
    }

    /// The segment of an R score and an FM score (1-5, clamped).
    pub fn from_grid(r: u8, fm: u8) -> RfmSegment {
        use RfmSegment::*;
        const GRID: [[RfmSegment; 5]; 5] = [
            // R = 1
            [Lost, Lost, AtRisk, CannotLoseThem, CannotLoseThem],
            // R = 2
            [Hibernating, Hibernating, AtRisk, AtRisk, AtRisk],
            // R = 3
            [AboutToSleep, NeedAttention, NeedAttention, Loyal, Loyal],
            // R = 4
            [Promising, PotentialLoyalist, Loyal, Champions, Champions],
            // R = 5
            [New, PotentialLoyalist, Loyal, Champions, Champions],
        ];
        let row = usize::from(r.clamp(1, 5) - 1);
        let col = usize::from(fm.clamp(1, 5) - 1);
        GRID.get(row)
            .and_then(|cells| cells.get(col))
            .copied()
            .unwrap_or(Lost)
    }
}

/// `FM = ⌊(F + M + 1) / 2⌋`: the mean of F and M, halves rounded up.
fn fm_score(f: u8, m: u8) -> u8 {
    let (f, m) = (u16::from(f.clamp(1, 5)), u16::from(m.clamp(1, 5)));
    (f + m).div_ceil(2) as u8
}

/// A customer's scores and segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RfmScore {
    /// Recency score (5: the most recent fifth).
    pub r: u8,
    /// Frequency score.
    pub f: u8,
    /// Monetary score.
    pub m: u8,
    /// The mean of F and M, halves rounded up.
    pub fm: u8,
    /// The named segment.
    pub segment: RfmSegment,
}

/// One scored customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RfmCustomer {
    /// The customer's index (the input position, or the contact's position
    /// in the dataset).
    pub customer: u32,
    /// The contact (scores from a dataset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactId>,
    /// Whole days from the last revenue event to `as_of` (from a dataset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recency_days: Option<i64>,
    /// Distinct days with a revenue event (from a dataset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency: Option<u64>,
    /// Exact total of the revenue events (from a dataset).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "decimal_serde::option"
    )]
    pub monetary: Option<Decimal>,
    /// Scores and segment.
    #[serde(flatten)]
    pub score: RfmScore,
}

/// How many customers fall in one segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentCount {
    /// The segment.
    pub segment: RfmSegment,
    /// Its customers.
    pub customers: u64,
    /// Its customers ÷ all scored customers, in percent.
    pub share: Ratio,
}

/// Scores, segments and the count of every segment (all 11, in the order
/// of [`RfmSegment::ALL`], empty ones included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RfmSegmentTable {
    /// The instant recency is measured to (from a dataset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Timestamp>,
    /// The currency of `monetary` (from a dataset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// One row per scored customer.
    pub customers: Vec<RfmCustomer>,
    /// The count of every segment.
    pub segments: Vec<SegmentCount>,
}

/// Quintile scores of `values` (see the module docs): `better` orders a
/// better value after a worse one.
///
/// `score = 1 + ⌊5 × worse / n⌋` reaches `k + 1` exactly when
/// `worse ≥ t_k = ⌈k × n / 5⌉` (k = 1..4), and a value has at least `t`
/// strictly worse values exactly when the `t`-th worst value (index `t − 1`
/// in the `better` order) is strictly worse than it. So four order
/// statistics (found by selection, expected linear time, instead of a full
/// sort) and one pass comparing each value with them give every score,
/// ties included.
fn quintiles<T: Copy>(values: &[T], better: impl Fn(&T, &T) -> Ordering) -> Vec<u8> {
    let n = values.len();
    if n == 0 {
        return Vec::new();
    }
    let mut work = values.to_vec();
    let mut cuts: Vec<T> = Vec::with_capacity(4);
    // The cut indices rise, so each selection runs on the part right of
    // the previous one.
    let mut from = 0;
    for k in 1..=4u64 {
        let t = (k * n as u64).div_ceil(5) as usize;
        let at = t.saturating_sub(1).max(from);
        let Some(rest) = work.get_mut(from..) else {
            break;
        };
        let (_, cut, _) = rest.select_nth_unstable_by(at - from, |a, b| better(a, b));
        cuts.push(*cut);
        from = at;
    }
    values
        .iter()
        .map(|v| {
            let above = cuts
                .iter()
                .filter(|cut| better(cut, v) == Ordering::Less)
                .count();
            1 + above as u8
        })
        .collect()
}

fn counts(rows: &[RfmCustomer]) -> Vec<SegmentCount> {
    let mut per = [0u64; 11];
    for row in rows {
        if let Some(slot) = per.get_mut(row.score.segment as usize) {
            *slot += 1;
        }
    }
    let total = Decimal::from(rows.len());
    RfmSegment::ALL
        .iter()
        .zip(per)
        .map(|(&segment, customers)| SegmentCount {
            segment,
            customers,
            share: Ratio::new(
                Decimal::from(customers),
                total,
                Decimal::ONE_HUNDRED,
                "no customer was scored",
            ),
        })
        .collect()
}

fn score_rows(r: &[u8], f: &[u8], m: &[u8]) -> Vec<RfmCustomer> {
    r.iter()
        .zip(f)
        .zip(m)
        .zip(0u32..)
        .map(|(((&r, &f), &m), customer)| RfmCustomer {
            customer,
            contact: None,
            recency_days: None,
            frequency: None,
            monetary: None,
            score: RfmScore {
                r,
                f,
                m,
                fm: fm_score(f, m),
                segment: RfmSegment::from_scores(r, f, m),
            },
        })
        .collect()
}

fn finite(values: &[f64], name: &str) -> Result<()> {
    match values.iter().position(|v| !v.is_finite() || *v < 0.0) {
        Some(i) => Err(Error::invalid(
            format!("{name}[{i}]"),
            format!(
                "expected a finite non-negative number, found {}",
                values.get(i).copied().unwrap_or(f64::NAN)
            ),
        )),
        None => Ok(()),
    }
}

/// Scores customers given as parallel arrays — days since the last
/// purchase, number of purchases and total spend — and names their
/// segments (see the module docs for the rules).
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for arrays of different
/// lengths or a negative or non-finite value (the path names it:
/// `monetary[3]`).
pub fn rfm_segments_from_arrays(
    recency_days: &[f64],
    frequency: &[f64],
    monetary: &[f64],
) -> Result<RfmSegmentTable> {
    let n = recency_days.len();
    if frequency.len() != n || monetary.len() != n {
        return Err(Error::invalid(
            "customers",
            format!(
                "recency, frequency and monetary must have the same length (found {n}, {} and {})",
                frequency.len(),
                monetary.len()
            ),
        ));
    }
    if u32::try_from(n).is_err() {
        return Err(Error::invalid(
            "customers",
            format!("at most {} customers, found {n}", u32::MAX),
        ));
    }
    finite(recency_days, "recency_days")?;
    finite(frequency, "frequency")?;
    finite(monetary, "monetary")?;
    // Fewer days is better: order by descending days.
    let r = quintiles(recency_days, |a, b| b.total_cmp(a));
    let f = quintiles(frequency, |a, b| a.total_cmp(b));
    let m = quintiles(monetary, |a, b| a.total_cmp(b));
    let customers = score_rows(&r, &f, &m);
    Ok(RfmSegmentTable {
        as_of: None,
        currency: None,
        segments: counts(&customers),
        customers,
    })
}

fn both() -> RevenueSource {
    RevenueSource::Both
}

/// A request for the RFM segments of a dataset's customers.
///
/// JSON: `{"as_of": "2026-12-31T00:00:00Z", "revenue_source": "both",
/// "currency": "USD"}`; all but `as_of` optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmSegmentRequest {
    /// Recency is measured to this instant; later events are left out.
    pub as_of: Timestamp,
    /// Won deals, purchases or both (default both; a purchase paying a won
    /// deal counted once).
    #[serde(default = "both")]
    pub revenue_source: RevenueSource,
    /// Currency of the monetary totals (default: the dataset's reporting
    /// currency, else that of the first won deal or purchase).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
}

impl RfmSegmentRequest {
    /// Parses a request; errors name the JSON path.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) for malformed JSON or an
    /// unknown field.
    pub fn from_json(json: &str) -> Result<RfmSegmentRequest> {
        Error::parse_json(json)
    }
}

/// Scores every contact with a revenue event at or before `as_of` and names
/// their segments. Recency and frequency come from
/// [`predict::rfm_from_arrays`](crate::predict::rfm_from_arrays) (UTC days,
/// same-day events merged); the monetary total is summed exactly.
///
/// # Errors
///
/// [`ErrorKind::CurrencyMismatch`](crate::ErrorKind::CurrencyMismatch) when an
/// amount cannot be converted (the path names the record);
/// [`ErrorKind::Overflow`](crate::ErrorKind::Overflow) when a total overflows.
pub fn rfm_segments(dataset: &Dataset, request: &RfmSegmentRequest) -> Result<RfmSegmentTable> {
    let (currency, events) = revenue_events(
        dataset,
        request.revenue_source,
        request.currency,
        request.as_of,
    )?;
    let customers: Vec<u32> = events.iter().map(|e| e.customer).collect();
    let times: Vec<i64> = events.iter().map(|e| e.at).collect();
    let zeros = vec![0.0; events.len()];
    let summary = rfm_from_arrays(
        &customers,
        &times,
        &zeros,
        &RfmOptions {
            unit: TimeUnit::Days,
            calibration_end: request.as_of,
            observation_end: None,
        },
    )?;
    let mut totals = vec![Decimal::ZERO; dataset.contacts().len()];
    for e in &events {
        if let Some(total) = totals.get_mut(e.customer as usize) {
            *total = total
                .checked_add(e.amount)
                .ok_or_else(|| Error::overflow("a customer's total spend overflows"))?;
        }
    }
    let rows = &summary.rows;
    // Days since the last event: T - recency, in whole UTC days.
    let recency: Vec<i64> = rows
        .iter()
        .map(|row| (row.rfm.age - row.rfm.recency).round() as i64)
        .collect();
    let frequency: Vec<u64> = rows
        .iter()
        .map(|row| u64::from(row.rfm.frequency) + 1)
        .collect();
    let monetary: Vec<Decimal> = rows
        .iter()
        .map(|row| {
            totals
                .get(row.customer as usize)
                .copied()
                .unwrap_or(Decimal::ZERO)
        })
        .collect();
    let r = quintiles(&recency, |a, b| b.cmp(a));
    let f = quintiles(&frequency, |a, b| a.cmp(b));
    let m = quintiles(&monetary, |a, b| a.cmp(b));
    let mut scored = score_rows(&r, &f, &m);
    for (i, (out, row)) in scored.iter_mut().zip(rows).enumerate() {
        out.customer = row.customer;
        out.contact = dataset
            .contacts()
            .get(row.customer as usize)
            .map(|c| c.id.clone());
        out.recency_days = recency.get(i).copied();
        out.frequency = frequency.get(i).copied();
        out.monetary = monetary.get(i).copied();
    }
    Ok(RfmSegmentTable {
        as_of: Some(request.as_of),
        currency: Some(currency),
        segments: counts(&scored),
        customers: scored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_cut_fifths_and_ties_share_the_lowest_position() {
        // Ten distinct values: two per fifth.
        let values: Vec<i64> = (1..=10).collect();
        assert_eq!(
            quintiles(&values, |a, b| a.cmp(b)),
            vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        );
        // Ties: [1,1,1,1,1,1,2,2,3,4]: six ones have 0 worse → 1; the twos
        // have 6 worse → 1 + ⌊30/10⌋ = 4; three: 8 worse → 5; four: 9 → 5.
        let tied = [1, 1, 1, 1, 1, 1, 2, 2, 3, 4];
        assert_eq!(
            quintiles(&tied, |a, b| a.cmp(b)),
            vec![1, 1, 1, 1, 1, 1, 4, 4, 5, 5]
        );
    }

    #[test]
    fn quintiles_by_selection_equal_the_definition() {
        // The definition counted directly, O(n²), on heavily tied and on
        // distinct values of every length up to 60 (n not divisible by 5
        // included), in both directions.
        let mut x: u64 = 7;
        for n in 0..60usize {
            for modulus in [3u64, 1000] {
                let values: Vec<u64> = (0..n)
                    .map(|_| {
                        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                        (x >> 33) % modulus
                    })
                    .collect();
                let up: Vec<u8> = values
                    .iter()
                    .map(|v| {
                        let worse = values.iter().filter(|u| *u < v).count();
                        1 + (5 * worse / n) as u8
                    })
                    .collect();
                assert_eq!(quintiles(&values, |a, b| a.cmp(b)), up, "{values:?}");
                let down: Vec<u8> = values
                    .iter()
                    .map(|v| {
                        let worse = values.iter().filter(|u| *u > v).count();
                        1 + (5 * worse / n) as u8
                    })
                    .collect();
                assert_eq!(quintiles(&values, |a, b| b.cmp(a)), down, "{values:?}");
            }
        }
    }

    #[test]
    fn every_segment_has_a_cell() {
        let mut seen = std::collections::BTreeSet::new();
        for r in 1..=5 {
            for fm in 1..=5 {
                seen.insert(RfmSegment::from_grid(r, fm));
            }
        }
        assert_eq!(seen.len(), 11);
    }
}
