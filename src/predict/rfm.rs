//! RFM summaries: per customer, the number of repeat purchases (frequency),
//! the time of the last one (recency), the age `T` and the mean repeat
//! spend, measured from the first purchase in whole days or weeks, with an
//! optional hold-out period after a calibration cut-off.
//!
//! Purchases of the same UTC day count as one purchase whose amount is
//! their sum, as is usual for BG/NBD; [`TimeUnit::Weeks`] measures the
//! same day-merged history in weeks of seven days (days ÷ 7, the
//! convention of lifetimes, CLVTools and PyMC-Marketing), and only
//! [`TimeUnit::CalendarWeeks`] merges whole calendar weeks. Frequency counts the
//! distinct purchase periods after the first; the monetary value is the
//! mean amount of those repeat periods (0 when there are none), so the
//! first purchase never biases the Gamma-Gamma spend model.

use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::model::{ActivityKind, ContactId, Dataset, Timestamp};
use crate::money::Currency;
use crate::{Error, ErrorKind, Result};

/// One customer's purchase history in the form the CLV models read.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rfm {
    /// Repeat purchases (distinct purchase periods after the first).
    pub frequency: u32,
    /// Time from the first to the last purchase, in periods.
    pub recency: f64,
    /// Time from the first purchase to the end of the calibration period
    /// (`T`), in periods.
    pub age: f64,
    /// Mean amount of the repeat purchases; 0 without repeat purchases.
    #[serde(default)]
    pub monetary: f64,
}

/// The period RFM times are measured in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Days (UTC calendar days); purchases of one day are merged.
    #[default]
    Days,
    /// Continuous weeks: the day-based history divided by 7 (purchases of
    /// one day merged, recency and age in days ÷ 7), the convention of the
    /// BG/NBD literature and of lifetimes, CLVTools and PyMC-Marketing. A
    /// fit in weeks equals the fit in days with `alpha` divided by 7.
    Weeks,
    /// Calendar weeks counted from 1970-01-01 (a Thursday): purchases of
    /// one such week are merged and times are whole weeks. Not the
    /// literature's convention; kept for callers that want weekly bins.
    CalendarWeeks,
}

impl TimeUnit {
    /// Seconds in one period.
    pub fn seconds(self) -> i64 {
        match self {
            TimeUnit::Days => 86_400,
            TimeUnit::Weeks | TimeUnit::CalendarWeeks => 7 * 86_400,
        }
    }

    /// Periods in an average month (365.25 / 12 days).
    pub fn per_month(self) -> f64 {
        match self {
            TimeUnit::Days => 365.25 / 12.0,
            TimeUnit::Weeks | TimeUnit::CalendarWeeks => 365.25 / 12.0 / 7.0,
        }
    }

    /// Seconds of the bins purchases are merged in (a day, or a calendar
    /// week for [`TimeUnit::CalendarWeeks`]).
    fn merge_seconds(self) -> i64 {
        match self {
            TimeUnit::Days | TimeUnit::Weeks => 86_400,
            TimeUnit::CalendarWeeks => 7 * 86_400,
        }
    }

    /// Merge bins per period (7 days in a week of [`TimeUnit::Weeks`]).
    fn bins_per_period(self) -> f64 {
        match self {
            TimeUnit::Weeks => 7.0,
            TimeUnit::Days | TimeUnit::CalendarWeeks => 1.0,
        }
    }
}

/// One customer's row of an [`RfmTable`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmRow {
    /// The customer's index (as given in the input arrays, or the contact's
    /// position in the dataset).
    pub customer: u32,
    /// Calibration-period summary.
    #[serde(flatten)]
    pub rfm: Rfm,
    /// Distinct purchase periods in the hold-out period.
    pub holdout_frequency: u32,
    /// Mean amount per hold-out purchase period; 0 without any.
    pub holdout_monetary: f64,
}

/// Per-customer RFM summary; customers whose first purchase falls after the
/// calibration cut-off are left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmTable {
    /// The period of the times.
    pub unit: TimeUnit,
    /// Length of the hold-out period in periods (0 without hold-out).
    pub holdout_length: f64,
    /// One row per customer, by customer index.
    pub rows: Vec<RfmRow>,
}

impl RfmTable {
    /// The calibration summaries alone, in row order.
    pub fn customers(&self) -> Vec<Rfm> {
        self.rows.iter().map(|row| row.rfm).collect()
    }
}

/// Options of an RFM summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmOptions {
    /// Days or weeks (default days).
    #[serde(default)]
    pub unit: TimeUnit,
    /// End of the calibration period: purchases at or before it are
    /// summarised, `T` is measured up to it.
    pub calibration_end: Timestamp,
    /// End of the hold-out period: purchases after `calibration_end` and at
    /// or before this are counted as hold-out; purchases after it are
    /// ignored. Default: no hold-out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observation_end: Option<Timestamp>,
}

/// Largest customer index accepted, relative to the number of purchases:
/// indices must be dense (0..N).
fn max_customers(purchases: usize) -> usize {
    purchases.saturating_mul(4).saturating_add(1 << 20)
}

/// Summarises purchases given as parallel arrays: dense customer indices,
/// Unix times in seconds and non-negative amounts. Purchases of one UTC
/// day (one calendar week for [`TimeUnit::CalendarWeeks`]) are merged;
/// times are in `options.unit`.
///
/// Runs in linear time (a counting sort by customer); purchases need not be
/// sorted.
///
/// # Errors
///
/// [`ErrorKind::Invalid`] naming the offending array element (`amounts[3]`):
/// arrays of different lengths, a customer index outside the dense range, a
/// negative or non-finite amount, a time outside the supported range.
pub fn rfm_from_arrays(
    customers: &[u32],
    at_unix: &[i64],
    amounts: &[f64],
    options: &RfmOptions,
) -> Result<RfmTable> {
    let n = customers.len();
    if at_unix.len() != n || amounts.len() != n {
        return Err(Error::invalid(
            "purchases",
            format!(
                "customers, times and amounts must have the same length (found {n}, {} and {})",
                at_unix.len(),
                amounts.len()
            ),
        ));
    }
    if u32::try_from(n).is_err() {
        return Err(Error::invalid(
            "purchases",
            format!("at most {} purchases per summary, found {n}", u32::MAX),
        ));
    }
    let unit = options.unit.merge_seconds();
    let per_period = options.unit.bins_per_period();
    let cutoff = options.calibration_end.timestamp();
    let end = options.observation_end.map_or(cutoff, |e| e.timestamp());
    if end < cutoff {
        return Err(Error::invalid(
            "observation_end",
            "must not be before calibration_end",
        ));
    }
    let cutoff_period = cutoff.div_euclid(unit);
    let holdout_length = (end.div_euclid(unit) - cutoff_period) as f64 / per_period;
    let mut n_customers = 0usize;
    for (i, (&c, &amount)) in customers.iter().zip(amounts).enumerate() {
        if !(amount.is_finite() && amount >= 0.0) {
            return Err(Error::invalid(
                format!("amounts[{i}]"),
                format!("expected a finite non-negative amount, found {amount}"),
            ));
        }
        n_customers = n_customers.max(c as usize + 1);
    }
    if n_customers > max_customers(n) {
        return Err(Error::invalid(
            "customers",
            format!(
                "customer indices must be dense: index {} is too large for {n} purchases",
                n_customers - 1
            ),
        ));
    }
    if at_unix.is_sorted() {
        return Ok(streaming(
            customers,
            at_unix,
            amounts,
            n_customers,
            options.unit,
            cutoff,
            end,
            holdout_length,
        ));
    }
    // Counting sort of purchase positions by customer.
    let mut offsets = vec![0u32; n_customers + 1];
    for &c in customers {
        if let Some(slot) = offsets.get_mut(c as usize + 1) {
            *slot += 1;
        }
    }
    for i in 1..offsets.len() {
        offsets[i] += offsets[i - 1];
    }
    let mut next = offsets.clone();
    let mut order = vec![0u32; n];
    for (i, &c) in customers.iter().enumerate() {
        if let Some(slot) = next.get_mut(c as usize) {
            if let Some(o) = order.get_mut(*slot as usize) {
                *o = i as u32;
            }
            *slot += 1;
        }
    }
    let mut rows = Vec::new();
    let mut scratch: Vec<(i64, f64)> = Vec::new();
    for customer in 0..n_customers {
        let (Some(&lo), Some(&hi)) = (offsets.get(customer), offsets.get(customer + 1)) else {
            continue;
        };
        if lo == hi {
            continue;
        }
        scratch.clear();
        for &i in order.get(lo as usize..hi as usize).unwrap_or(&[]) {
            let i = i as usize;
            if let (Some(&at), Some(&amount)) = (at_unix.get(i), amounts.get(i)) {
                if at <= end {
                    scratch.push((at, amount));
                }
            }
        }
        if !scratch.is_sorted_by_key(|p| p.0) {
            scratch.sort_by_key(|p| p.0);
        }
        let Some(&(first_at, _)) = scratch.first() else {
            continue;
        };
        if first_at > cutoff {
            continue;
        }
        let first = first_at.div_euclid(unit);
        let (mut x, mut last, mut repeat_sum) = (0u32, first, 0.0);
        let (mut hx, mut h_last, mut h_sum) = (0u32, i64::MIN, 0.0);
        for &(at, amount) in &scratch {
            let period = at.div_euclid(unit);
            if at <= cutoff {
                if period != first {
                    if period != last {
                        x += 1;
                        last = period;
                    }
                    repeat_sum += amount;
                }
            } else if period != last {
                if period != h_last {
                    hx += 1;
                    h_last = period;
                }
                h_sum += amount;
            }
        }
        rows.push(RfmRow {
            customer: customer as u32,
            rfm: Rfm {
                frequency: x,
                recency: (last - first) as f64 / per_period,
                age: (cutoff_period - first) as f64 / per_period,
                monetary: if x > 0 {
                    repeat_sum / f64::from(x)
                } else {
                    0.0
                },
            },
            holdout_frequency: hx,
            holdout_monetary: if hx > 0 { h_sum / f64::from(hx) } else { 0.0 },
        });
    }
    Ok(RfmTable {
        unit: options.unit,
        holdout_length,
        rows,
    })
}

/// Per-customer running state of [`streaming`].
#[derive(Clone, Copy)]
struct State {
    first: i64,
    last: i64,
    h_last: i64,
    x: u32,
    hx: u32,
    repeat_sum: f64,
    h_sum: f64,
}

/// One pass over purchases already in time order: one state update per
/// purchase, no sorting.
#[allow(clippy::too_many_arguments)]
fn streaming(
    customers: &[u32],
    at_unix: &[i64],
    amounts: &[f64],
    n_customers: usize,
    unit: TimeUnit,
    cutoff: i64,
    end: i64,
    holdout_length: f64,
) -> RfmTable {
    let seconds = unit.merge_seconds();
    let per_period = unit.bins_per_period();
    let empty = State {
        first: i64::MIN,
        last: i64::MIN,
        h_last: i64::MIN,
        x: 0,
        hx: 0,
        repeat_sum: 0.0,
        h_sum: 0.0,
    };
    let mut states = vec![empty; n_customers];
    // Times are sorted: the period only needs a division when a boundary
    // is crossed.
    let (mut period, mut next_boundary) = (i64::MIN, i64::MIN);
    for ((&c, &at), &amount) in customers.iter().zip(at_unix).zip(amounts) {
        if at > end {
            break;
        }
        if at >= next_boundary {
            period = at.div_euclid(seconds);
            next_boundary = period
                .checked_add(1)
                .and_then(|p| p.checked_mul(seconds))
                .unwrap_or(i64::MAX);
        }
        let Some(s) = states.get_mut(c as usize) else {
            continue;
        };
        if s.first == i64::MIN {
            if at > cutoff {
                // First purchase after the cut-off: not a calibration customer.
                s.first = i64::MAX;
                continue;
            }
            s.first = period;
            s.last = period;
            continue;
        }
        if s.first == i64::MAX {
            continue;
        }
        if at <= cutoff {
            if period != s.first {
                if period != s.last {
                    s.x += 1;
                    s.last = period;
                }
                s.repeat_sum += amount;
            }
        } else if period != s.last {
            if period != s.h_last {
                s.hx += 1;
                s.h_last = period;
            }
            s.h_sum += amount;
        }
    }
    let cutoff_period = cutoff.div_euclid(seconds);
    let rows = states
        .iter()
        .enumerate()
        .filter(|(_, s)| s.first != i64::MIN && s.first != i64::MAX)
        .map(|(customer, s)| RfmRow {
            customer: customer as u32,
            rfm: Rfm {
                frequency: s.x,
                recency: (s.last - s.first) as f64 / per_period,
                age: (cutoff_period - s.first) as f64 / per_period,
                monetary: if s.x > 0 {
                    s.repeat_sum / f64::from(s.x)
                } else {
                    0.0
                },
            },
            holdout_frequency: s.hx,
            holdout_monetary: if s.hx > 0 {
                s.h_sum / f64::from(s.hx)
            } else {
                0.0
            },
        })
        .collect();
    RfmTable {
        unit,
        holdout_length,
        rows,
    }
}

/// An RFM table built from a dataset's purchase activities, with the
/// contact of each row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetRfm {
    /// The currency the amounts were converted to.
    pub currency: Currency,
    /// The contact of each row of `table` (same order).
    pub contacts: Vec<ContactId>,
    /// The summary; `customer` is the contact's position in the dataset.
    pub table: RfmTable,
}

/// Summarises the purchase activities of `dataset`, converting amounts to
/// `currency` (default: the dataset's reporting currency, else the currency
/// of the first purchase) with the dataset's exchange rates.
///
/// # Errors
///
/// A purchase in another currency without a rate gives
/// [`ErrorKind::CurrencyMismatch`].
pub fn rfm_from_dataset(
    dataset: &Dataset,
    options: &RfmOptions,
    currency: Option<Currency>,
) -> Result<DatasetRfm> {
    let purchases: Vec<(usize, &crate::model::Activity, &crate::money::Money)> = dataset
        .activities()
        .iter()
        .enumerate()
        .filter_map(|(i, a)| match &a.kind {
            ActivityKind::Purchase { amount, .. } => Some((i, a, amount)),
            _ => None,
        })
        .collect();
    let currency = currency
        .or(dataset.reporting_currency())
        .or_else(|| purchases.first().map(|p| p.2.currency));
    let Some(currency) = currency else {
        return Ok(DatasetRfm {
            currency: Currency::new("USD")?,
            contacts: Vec::new(),
            table: rfm_from_arrays(&[], &[], &[], options)?,
        });
    };
    let mut customers = Vec::with_capacity(purchases.len());
    let mut times = Vec::with_capacity(purchases.len());
    let mut amounts = Vec::with_capacity(purchases.len());
    for (i, activity, amount) in purchases {
        let converted = convert(dataset, amount, currency)
            .map_err(|e| e.with_path_prefix(&format!("activities[{i}].kind.amount")))?;
        let position = dataset.contact_position(&activity.contact).ok_or_else(|| {
            Error::not_found(format!("activities[{i}].contact"), "unknown contact")
        })?;
        customers.push(position as u32);
        times.push(activity.at.timestamp());
        amounts.push(converted);
    }
    let table = rfm_from_arrays(&customers, &times, &amounts, options)?;
    let contacts = table
        .rows
        .iter()
        .filter_map(|row| {
            dataset
                .contacts()
                .get(row.customer as usize)
                .map(|c| c.id.clone())
        })
        .collect();
    Ok(DatasetRfm {
        currency,
        contacts,
        table,
    })
}

/// Converts `money` to `currency` as an `f64` (for the statistical models).
pub(crate) fn convert(
    dataset: &Dataset,
    money: &crate::money::Money,
    currency: Currency,
) -> Result<f64> {
    let converted = if money.currency == currency {
        *money
    } else {
        let rates = dataset.exchange_rates().ok_or_else(|| {
            Error::new(
                ErrorKind::CurrencyMismatch,
                format!(
                    "cannot convert {} to {currency} without exchange rates",
                    money.currency
                ),
            )
        })?;
        rates.convert(money, currency)?
    };
    converted
        .amount
        .to_f64()
        .ok_or_else(|| Error::overflow(format!("{converted} does not fit a floating-point number")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: i64) -> i64 {
        d * 86_400 + 3_600
    }

    #[test]
    fn same_day_purchases_merge_and_the_first_is_not_a_repeat() {
        let options = RfmOptions {
            unit: TimeUnit::Days,
            calibration_end: Timestamp::from_timestamp(day(30), 0).expect("valid"),
            observation_end: Some(Timestamp::from_timestamp(day(40), 0).expect("valid")),
        };
        // Customer 0: days 0, 0, 5, 10 and 35 (hold-out); customer 2: day 31 only.
        let table = rfm_from_arrays(
            &[0, 0, 0, 0, 0, 2],
            &[day(0), day(0) + 60, day(10), day(5), day(35), day(31)],
            &[10.0, 5.0, 20.0, 40.0, 7.0, 1.0],
            &options,
        )
        .expect("valid");
        // The same purchases in time order take the streaming path and
        // give the same table.
        let sorted = rfm_from_arrays(
            &[0, 0, 0, 0, 2, 0],
            &[day(0), day(0) + 60, day(5), day(10), day(31), day(35)],
            &[10.0, 5.0, 40.0, 20.0, 1.0, 7.0],
            &options,
        )
        .expect("valid");
        assert_eq!(sorted, table);
        assert_eq!(table.rows.len(), 1);
        let row = table.rows[0];
        assert_eq!(row.rfm.frequency, 2);
        assert_eq!(row.rfm.recency, 10.0);
        assert_eq!(row.rfm.age, 30.0);
        assert_eq!(row.rfm.monetary, 30.0);
        assert_eq!(row.holdout_frequency, 1);
        assert_eq!(row.holdout_monetary, 7.0);
        assert_eq!(table.holdout_length, 10.0);
    }

    #[test]
    fn bad_arrays_are_refused_with_their_index() {
        let options = RfmOptions {
            unit: TimeUnit::Weeks,
            calibration_end: Timestamp::from_timestamp(day(30), 0).expect("valid"),
            observation_end: None,
        };
        let err = rfm_from_arrays(&[0, 1], &[0, 0], &[1.0, f64::NAN], &options).expect_err("nan");
        assert_eq!(err.path(), Some("amounts[1]"));
        let err = rfm_from_arrays(&[0], &[0, 1], &[1.0], &options).expect_err("lengths");
        assert_eq!(err.kind(), ErrorKind::Invalid);
        let err = rfm_from_arrays(&[u32::MAX], &[0], &[1.0], &options).expect_err("sparse");
        assert_eq!(err.path(), Some("customers"));
    }
}
