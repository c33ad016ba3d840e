//! Cohort retention: customers grouped by the period of their first revenue
//! event, and per later period how many of them were active and what they
//! spent.
//!
//! Definitions (the usual cohort-analysis conventions, as in Fader &
//! Hardie's and most analytics tools' retention triangles):
//!
//! * A **revenue event** is a won deal (at its close date) or a purchase
//!   activity, chosen by `revenue_source` (default both; a purchase paying
//!   a won deal is counted once, through the deal, as in the KPIs). A
//!   deal-based B2B business uses `"deals"`, a shop `"purchases"`.
//! * A customer's **cohort** is the period (day, ISO week, month — the
//!   default —, quarter or year) of their first revenue event at or before
//!   `as_of`.
//! * A customer is **active** in a period when they have at least one
//!   revenue event in it (whatever its amount). Period offset 0 is the
//!   acquisition period itself, so its retention is always 100 %.
//! * **Retention** at offset k = active customers of the cohort in its k-th
//!   period ÷ customers of the cohort, in percent, with its numerator and
//!   denominator. **Revenue** is the cohort's exact revenue in that period;
//!   **revenue per customer** divides it (and the cumulative revenue) by
//!   the cohort's size.
//! * Offsets run up to the period holding `as_of`; that last period is
//!   marked `complete: false` while it has not ended, so a partial month
//!   is never mistaken for a drop in retention.
//!
//! [`CohortAccumulator`] is the mergeable state: accumulators fed with
//! any partition of the events and merged give the same report as one fed
//! with all of them.
//!
//! ```
//! use crmkit::segments::{CohortAccumulator, CohortReport};
//! use crmkit::calendar::Granularity;
//! use crmkit::money::Currency;
//! use rust_decimal::Decimal;
//!
//! let usd = Currency::new("USD")?;
//! // Customer 0 buys in January and March 2026, customer 1 in January only.
//! let jan = 1_767_225_600; // 2026-01-01T00:00:00Z
//! let mar = jan + 59 * 86_400;
//! let mut acc = CohortAccumulator::new(Granularity::Month, 1, usd, 2)?;
//! acc.add(0, jan, Decimal::from(100))?;
//! acc.add(1, jan + 3_600, Decimal::from(50))?;
//! let mut later = CohortAccumulator::new(Granularity::Month, 1, usd, 2)?;
//! later.add(0, mar, Decimal::from(70))?;
//! acc.merge(&later)?;
//! let as_of = chrono::DateTime::from_timestamp(mar + 86_400, 0).unwrap();
//! let report: CohortReport = acc.report(as_of)?;
//! let january = &report.cohorts[0];
//! assert_eq!(january.customers, 2);
//! assert_eq!(january.periods[2].active, 1); // March: one of two
//! assert_eq!(january.periods[2].retention.value.as_decimal(), Some(Decimal::from(50)));
//! assert!(!january.periods[2].complete);
//! Ok::<(), crmkit::Error>(())
//! ```

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::events::revenue_events;
use super::periods::Numbering;
use super::ratio::Ratio;
use crate::calendar::{Granularity, Period};
use crate::kpi::RevenueSource;
use crate::model::{Dataset, Timestamp};
use crate::model::{MAX_UNIX_SECONDS, MIN_UNIX_SECONDS};
use crate::money::{Currency, decimal_serde};
use crate::{Error, Result};

fn month() -> Granularity {
    Granularity::Month
}
fn both() -> RevenueSource {
    RevenueSource::Both
}

/// A request for a cohort report over a dataset.
///
/// JSON: `{"as_of": "2026-12-31T00:00:00Z", "granularity": "month",
/// "revenue_source": "both", "currency": "USD"}`; all but `as_of` optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CohortRequest {
    /// Events after this instant are left out; the last period reported is
    /// the one holding it.
    pub as_of: Timestamp,
    /// The cohort and offset period (default month). Quarters and years
    /// follow the dataset's fiscal calendar.
    #[serde(default = "month")]
    pub granularity: Granularity,
    /// Won deals, purchases or both (default both).
    #[serde(default = "both")]
    pub revenue_source: RevenueSource,
    /// Report currency (default: the dataset's reporting currency, else the
    /// currency of the first won deal or purchase).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
}

impl CohortRequest {
    /// Parses a request; errors name the JSON path.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) for malformed JSON or an
    /// unknown field.
    pub fn from_json(json: &str) -> Result<CohortRequest> {
        Error::parse_json(json)
    }
}

/// One period of a cohort.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CohortPeriod {
    /// Periods since the acquisition period (0 is the acquisition period).
    pub offset: u32,
    /// The calendar period.
    pub period: Period,
    /// Whether the period had ended at `as_of`.
    pub complete: bool,
    /// Customers of the cohort with a revenue event in the period.
    pub active: u64,
    /// Active ÷ cohort customers, in percent.
    pub retention: Ratio,
    /// Revenue of the cohort in the period, exact, in the report currency.
    #[serde(with = "decimal_serde")]
    pub revenue: Decimal,
    /// Revenue of the cohort from its acquisition period to this one.
    #[serde(with = "decimal_serde")]
    pub cumulative_revenue: Decimal,
    /// Revenue of the period ÷ cohort customers.
    pub revenue_per_customer: Ratio,
    /// Cumulative revenue ÷ cohort customers (the cohort's realised value
    /// per customer so far).
    pub cumulative_revenue_per_customer: Ratio,
}

/// One cohort: the customers acquired in one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cohort {
    /// The acquisition period.
    pub period: Period,
    /// Customers whose first revenue event falls in it.
    pub customers: u64,
    /// Offsets 0, 1, ... up to the period holding `as_of`.
    pub periods: Vec<CohortPeriod>,
}

/// A cohort retention table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CohortReport {
    /// The period size of cohorts and offsets.
    pub granularity: Granularity,
    /// The currency of every amount.
    pub currency: Currency,
    /// The instant the report is as of.
    pub as_of: Timestamp,
    /// Where revenue events came from (absent for reports built from
    /// arrays or accumulators).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue_source: Option<RevenueSource>,
    /// Customers in all cohorts.
    pub customers: u64,
    /// Cohorts in time order; periods without a new customer have none.
    pub cohorts: Vec<Cohort>,
}

/// Per (cohort, offset): active customers and revenue.
type Cells = BTreeMap<i64, Vec<(u64, Decimal)>>;

fn check_time(at: i64, path: impl FnOnce() -> String) -> Result<()> {
    if (MIN_UNIX_SECONDS..=MAX_UNIX_SECONDS).contains(&at) {
        Ok(())
    } else {
        Err(Error::invalid(
            path(),
            format!(
                "expected Unix seconds from {MIN_UNIX_SECONDS} to {MAX_UNIX_SECONDS}, got {at}"
            ),
        ))
    }
}

/// The mergeable state of a cohort report: per customer, the periods they
/// were active in and their revenue in each.
///
/// Customers are dense indices `0..customers` (a contact's position in
/// the dataset); two accumulators merge when they share the granularity,
/// fiscal year start, currency and number of customers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortAccumulator {
    numbering: Numbering,
    currency: Currency,
    /// Per customer: (period, revenue), sorted by period.
    customers: Vec<Vec<(i64, Decimal)>>,
}

impl CohortAccumulator {
    /// An empty accumulator for `customers` customers. Quarters and years
    /// start in month `fiscal_year_start_month` (1 = January).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for a month outside 1-12.
    pub fn new(
        granularity: Granularity,
        fiscal_year_start_month: u32,
        currency: Currency,
        customers: usize,
    ) -> Result<CohortAccumulator> {
        Ok(CohortAccumulator {
            numbering: Numbering::new(granularity, fiscal_year_start_month)?,
            currency,
            customers: vec![Vec::new(); customers],
        })
    }

    /// Adds one revenue event: customer index, Unix time in seconds and
    /// amount in the accumulator's currency. Add only events at or before
    /// the `as_of` of the report.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for a customer index out
    /// of range or a time outside the supported range;
    /// [`ErrorKind::Overflow`](crate::ErrorKind::Overflow) when a sum overflows.
    pub fn add(&mut self, customer: u32, at_unix: i64, amount: Decimal) -> Result<()> {
        check_time(at_unix, || "at_unix".to_string())?;
        let count = self.customers.len();
        let periods = self.customers.get_mut(customer as usize).ok_or_else(|| {
            Error::invalid(
                "customer",
                format!("customer index {customer} is out of range (0..{count})"),
            )
        })?;
        add_to(periods, self.numbering.index(at_unix), amount)
    }

    /// Adds everything `other` gathered.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) when the two differ in
    /// granularity, fiscal year, currency or number of customers;
    /// [`ErrorKind::Overflow`](crate::ErrorKind::Overflow) when a sum overflows.
    pub fn merge(&mut self, other: &CohortAccumulator) -> Result<()> {
        if self.numbering != other.numbering
            || self.currency != other.currency
            || self.customers.len() != other.customers.len()
        {
            return Err(Error::invalid(
                "",
                "cannot merge cohort accumulators of different granularity, currency or customers",
            ));
        }
        for (mine, theirs) in self.customers.iter_mut().zip(&other.customers) {
            for &(period, amount) in theirs {
                add_to(mine, period, amount)?;
            }
        }
        Ok(())
    }

    /// The retention table as of `as_of`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Overflow`](crate::ErrorKind::Overflow) when a revenue sum
    /// overflows; [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) when a
    /// period lies outside the supported dates.
    pub fn report(&self, as_of: Timestamp) -> Result<CohortReport> {
        let last = self.numbering.index(as_of.timestamp());
        let mut cells = Cells::new();
        for periods in &self.customers {
            let Some(&(cohort, _)) = periods.first() else {
                continue;
            };
            if cohort > last {
                continue;
            }
            let row = cells.entry(cohort).or_default();
            for &(period, amount) in periods {
                if period > last {
                    break;
                }
                let offset = usize::try_from(period - cohort).unwrap_or(usize::MAX);
                add_cell(row, offset, amount)?;
            }
        }
        build_report(self.numbering, self.currency, as_of, None, &cells)
    }
}

fn add_to(periods: &mut Vec<(i64, Decimal)>, period: i64, amount: Decimal) -> Result<()> {
    let slot = match periods.last() {
        Some(&(p, _)) if p == period => periods.len() - 1,
        Some(&(p, _)) if p > period => match periods.binary_search_by_key(&period, |e| e.0) {
            Ok(i) => i,
            Err(i) => {
                periods.insert(i, (period, Decimal::ZERO));
                i
            }
        },
        _ => {
            periods.push((period, Decimal::ZERO));
            periods.len() - 1
        }
    };
    if let Some(entry) = periods.get_mut(slot) {
        entry.1 = entry
            .1
            .checked_add(amount)
            .ok_or_else(|| Error::overflow("a customer's revenue in one period overflows"))?;
    }
    Ok(())
}

fn add_cell(row: &mut Vec<(u64, Decimal)>, offset: usize, amount: Decimal) -> Result<()> {
    if row.len() <= offset {
        row.resize(offset + 1, (0, Decimal::ZERO));
    }
    if let Some(cell) = row.get_mut(offset) {
        cell.0 += 1;
        cell.1 = cell
            .1
            .checked_add(amount)
            .ok_or_else(|| Error::overflow("a cohort's revenue in one period overflows"))?;
    }
    Ok(())
}

fn build_report(
    numbering: Numbering,
    currency: Currency,
    as_of: Timestamp,
    revenue_source: Option<RevenueSource>,
    cells: &Cells,
) -> Result<CohortReport> {
    let last = numbering.index(as_of.timestamp());
    let as_of_day = as_of.date_naive();
    let mut cohorts = Vec::with_capacity(cells.len());
    let mut total = 0u64;
    let empty = "the cohort has no customers";
    for (&cohort, row) in cells {
        let size = row.first().map_or(0, |c| c.0);
        total += size;
        let size_d = Decimal::from(size);
        let span = usize::try_from(last - cohort).unwrap_or(0);
        let mut periods = Vec::with_capacity(span + 1);
        let mut cumulative = Decimal::ZERO;
        for offset in 0..=span {
            let (active, revenue) = row.get(offset).copied().unwrap_or((0, Decimal::ZERO));
            cumulative = cumulative
                .checked_add(revenue)
                .ok_or_else(|| Error::overflow("a cohort's cumulative revenue overflows"))?;
            let period = numbering.period(cohort + offset as i64)?;
            // The period is complete once its last day is before as_of's
            // day, or as_of is the very start of the next period.
            let complete = period.end() <= as_of_day;
            periods.push(CohortPeriod {
                offset: u32::try_from(offset).unwrap_or(u32::MAX),
                period,
                complete,
                active,
                retention: Ratio::new(Decimal::from(active), size_d, Decimal::ONE_HUNDRED, empty),
                revenue,
                cumulative_revenue: cumulative,
                revenue_per_customer: Ratio::new(revenue, size_d, Decimal::ONE, empty),
                cumulative_revenue_per_customer: Ratio::new(
                    cumulative,
                    size_d,
                    Decimal::ONE,
                    empty,
                ),
            });
        }
        cohorts.push(Cohort {
            period: numbering.period(cohort)?,
            customers: size,
            periods,
        });
    }
    Ok(CohortReport {
        granularity: numbering.granularity,
        currency,
        as_of,
        revenue_source,
        customers: total,
        cohorts,
    })
}

/// Builds the mergeable state of a cohort report from a dataset's revenue
/// events at or before `request.as_of`.
///
/// # Errors
///
/// [`ErrorKind::CurrencyMismatch`](crate::ErrorKind::CurrencyMismatch) when an
/// amount cannot be converted (the path names the record).
pub fn cohort_accumulator(dataset: &Dataset, request: &CohortRequest) -> Result<CohortAccumulator> {
    let (currency, events) = revenue_events(
        dataset,
        request.revenue_source,
        request.currency,
        request.as_of,
    )?;
    let mut acc = CohortAccumulator::new(
        request.granularity,
        dataset.fiscal_calendar().first_month(),
        currency,
        dataset.contacts().len(),
    )?;
    for e in events {
        acc.add(e.customer, e.at, e.amount)?;
    }
    Ok(acc)
}

/// The cohort retention table of a dataset (see the module docs for the
/// definitions).
///
/// # Errors
///
/// As [`cohort_accumulator`] and [`CohortAccumulator::report`].
pub fn cohort_report(dataset: &Dataset, request: &CohortRequest) -> Result<CohortReport> {
    let mut report = cohort_accumulator(dataset, request)?.report(request.as_of)?;
    report.revenue_source = Some(request.revenue_source);
    Ok(report)
}

/// Options of [`cohort_from_arrays`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortArrayOptions {
    /// The cohort and offset period.
    pub granularity: Granularity,
    /// First month of the fiscal year for quarters and years (1-12).
    pub fiscal_year_start_month: u32,
    /// The currency of the amounts.
    pub currency: Currency,
    /// Decimal places of the minor units (2: amounts are cents).
    pub scale: u32,
    /// Events after this instant are ignored.
    pub as_of: Timestamp,
}

/// Builds the cohort retention table from revenue events given as parallel
/// arrays: dense customer indices (0..N), Unix times in seconds and exact
/// amounts in minor units (`amount = amounts_minor[i] / 10^scale`).
///
/// Events in time order are read in place, in a few sequential sweeps
/// over the customer column (one per range of customers whose state fits
/// in a core's cache, at most 16); other inputs are first copied in time
/// order (O(n log n), three more columns of memory). The result equals
/// the [`CohortAccumulator`] fed with the same events.
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for arrays of different
/// lengths, a time out of range (`at_unix[3]`), sparse customer indices or
/// a scale above 28; [`ErrorKind::Overflow`](crate::ErrorKind::Overflow) when a
/// sum does not fit an exact decimal.
pub fn cohort_from_arrays(
    customers: &[u32],
    at_unix: &[i64],
    amounts_minor: &[i64],
    options: &CohortArrayOptions,
) -> Result<CohortReport> {
    let n = customers.len();
    if at_unix.len() != n || amounts_minor.len() != n {
        return Err(Error::invalid(
            "purchases",
            format!(
                "customers, times and amounts must have the same length (found {n}, {} and {})",
                at_unix.len(),
                amounts_minor.len()
            ),
        ));
    }
    if options.scale > 28 {
        return Err(Error::invalid(
            "scale",
            format!("expected 0 to 28 decimal places, got {}", options.scale),
        ));
    }
    let numbering = Numbering::new(options.granularity, options.fiscal_year_start_month)?;
    let mut n_customers = 0usize;
    for (i, (&c, &at)) in customers.iter().zip(at_unix).enumerate() {
        check_time(at, || format!("at_unix[{i}]"))?;
        n_customers = n_customers.max(c as usize + 1);
    }
    if n_customers > n.saturating_mul(4).saturating_add(1 << 20) {
        return Err(Error::invalid(
            "customers",
            format!(
                "customer indices must be dense: index {} is too large for {n} events",
                n_customers - 1
            ),
        ));
    }
    let as_of = options.as_of.timestamp();
    // Events in time order: the arrays themselves, or sorted copies.
    let sorted: Option<(Vec<u32>, Vec<i64>, Vec<i64>)> = if at_unix.is_sorted() {
        None
    } else {
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by_key(|&i| at_unix.get(i as usize).copied().unwrap_or(i64::MAX));
        let pick = |column: &[i64]| -> Vec<i64> {
            order
                .iter()
                .map(|&i| column.get(i as usize).copied().unwrap_or(0))
                .collect()
        };
        let c = order
            .iter()
            .map(|&i| customers.get(i as usize).copied().unwrap_or(0))
            .collect();
        Some((c, pick(at_unix), pick(amounts_minor)))
    };
    let (customers, at_unix, amounts_minor) = match &sorted {
        None => (customers, at_unix, amounts_minor),
        Some((c, t, a)) => (&c[..], &t[..], &a[..]),
    };
    // Only events at or before as_of count.
    let end = at_unix.partition_point(|&t| t <= as_of);
    let (Some(&first_at), Some(&last_at)) = (at_unix.first(), at_unix.get(end.wrapping_sub(1)))
    else {
        return build_report(
            numbering,
            options.currency,
            options.as_of,
            None,
            &Cells::new(),
        );
    };
    // The periods spanned decide how narrow the per-customer state can be.
    let base = numbering.index(first_at);
    let span = numbering.index(last_at) - base;
    let input = Purchases {
        customers: customers.get(..end).unwrap_or_default(),
        at_unix: at_unix.get(..end).unwrap_or_default(),
        amounts_minor: amounts_minor.get(..end).unwrap_or_default(),
        numbering,
        base,
    };
    let rows = if span < i64::from(u16::MAX) {
        input.tally::<u32>(n_customers)
    } else {
        input.tally::<u64>(n_customers)
    };
    let mut cells = Cells::new();
    for (k, row) in rows.into_iter().enumerate() {
        if row.is_empty() {
            continue;
        }
        let converted = row
            .into_iter()
            .map(|(active, minor)| {
                Decimal::try_from_i128_with_scale(minor, options.scale)
                    .map(|d| (active, d))
                    .map_err(|_| Error::overflow("a cohort's revenue overflows"))
            })
            .collect::<Result<Vec<_>>>()?;
        cells.insert(base + k as i64, converted);
    }
    build_report(numbering, options.currency, options.as_of, None, &cells)
}

/// A customer's state while tallying: the period of their first event
/// (their cohort) and the last period they were counted active in, both
/// relative to the first period of all events, packed into one word.
trait Slot: Copy {
    /// No event yet.
    const EMPTY: Self;
    /// (cohort, last active period).
    fn unpack(self) -> (u32, u32);
    fn pack(cohort: u32, seen: u32) -> Self;
}

/// Two 16-bit periods (spans under 65,535 periods: 179 years of days).
impl Slot for u32 {
    const EMPTY: u32 = u32::MAX;
    #[inline]
    fn unpack(self) -> (u32, u32) {
        (self >> 16, self & 0xFFFF)
    }
    #[inline]
    fn pack(cohort: u32, seen: u32) -> u32 {
        (cohort << 16) | seen
    }
}

/// Two 32-bit periods (any span of supported dates).
impl Slot for u64 {
    const EMPTY: u64 = u64::MAX;
    #[inline]
    fn unpack(self) -> (u32, u32) {
        ((self >> 32) as u32, self as u32)
    }
    #[inline]
    fn pack(cohort: u32, seen: u32) -> u64 {
        (u64::from(cohort) << 32) | u64::from(seen)
    }
}

/// Bytes of per-customer state one sweep keeps (within a core's L2).
const SWEEP_BYTES: usize = 256 * 1024;

/// The most sweeps over the events: beyond that, wider ranges (state out
/// of the cache, but never more than 16 passes over the events).
const MAX_SWEEPS: usize = 16;

/// The validated arrays of [`cohort_from_arrays`], in time order, up to
/// `as_of`.
struct Purchases<'a> {
    customers: &'a [u32],
    at_unix: &'a [i64],
    amounts_minor: &'a [i64],
    numbering: Numbering,
    /// The period of the first event.
    base: i64,
}

impl Purchases<'_> {
    /// Per cohort (relative to `base`), per offset: active customers and
    /// revenue in minor units.
    ///
    /// Events come in time order but customers in random order, and a
    /// per-customer array indexed in that order is one cache (and TLB)
    /// miss per event once it outgrows the caches: with 1,000,000
    /// customers that miss was most of the time of the whole table. So the
    /// customers are taken in ranges whose state fits in [`SWEEP_BYTES`]:
    /// each sweep reads the customer column sequentially, skips the other
    /// ranges' events and works on cache-resident state.
    fn tally<S: Slot>(&self, n_customers: usize) -> Vec<Vec<(u64, i128)>> {
        let empty = S::EMPTY.unpack().0;
        let width = (SWEEP_BYTES / std::mem::size_of::<S>())
            .max(n_customers.div_ceil(MAX_SWEEPS))
            .max(1);
        let mut state = vec![S::EMPTY; width.min(n_customers)];
        let mut rows: Vec<Vec<(u64, i128)>> = Vec::new();
        let mut lo = 0usize;
        while lo < n_customers {
            state.fill(S::EMPTY);
            let (mut period, mut next_start) = (0u32, i64::MIN);
            for (i, &c) in self.customers.iter().enumerate() {
                let Some(slot) = (c as usize)
                    .checked_sub(lo)
                    .and_then(|local| state.get_mut(local))
                else {
                    continue;
                };
                let (Some(&at), Some(&amount)) = (self.at_unix.get(i), self.amounts_minor.get(i))
                else {
                    continue;
                };
                if at >= next_start {
                    let index = self.numbering.index(at);
                    // Time order: index >= base, and index - base is within
                    // the span the slot type was chosen for.
                    period = u32::try_from(index - self.base).unwrap_or(u32::MAX);
                    next_start = self
                        .numbering
                        .period(index + 1)
                        .ok()
                        .and_then(|p| p.start().and_hms_opt(0, 0, 0))
                        .map_or(i64::MAX, |t| t.and_utc().timestamp());
                }
                let (mut cohort, seen) = slot.unpack();
                let new_active = cohort == empty || seen != period;
                if cohort == empty {
                    cohort = period;
                }
                *slot = S::pack(cohort, period);
                let offset = (period - cohort) as usize;
                if rows.len() <= cohort as usize {
                    rows.resize_with(cohort as usize + 1, Vec::new);
                }
                let Some(row) = rows.get_mut(cohort as usize) else {
                    continue;
                };
                if row.len() <= offset {
                    row.resize(offset + 1, (0, 0));
                }
                if let Some(cell) = row.get_mut(offset) {
                    cell.0 += u64::from(new_active);
                    cell.1 += i128::from(amount);
                }
            }
            lo = lo.saturating_add(width);
        }
        rows
    }
}
