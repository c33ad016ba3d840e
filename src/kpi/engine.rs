//! The KPI engine: compiles a request against a dataset, runs one pass per
//! entity kind, and builds reports (with the previous period and the change)
//! and time series.

use rust_decimal::Decimal;
use serde::Serialize;

use super::accumulate::{Basis, KpiAccumulator};
use super::batch::Batch;
use super::catalog::KpiId;
use super::context::{Context, Window};
use super::facts::Buckets;
use super::finish::finish;
use super::records::RecordIds;
use super::request::{KpiRequest, Segment, TimeSeriesRequest};
use super::validate::{PartDeals, validate_partition};
use super::value::{KpiValue, Measurement, UndefinedCode, divide};
use crate::calendar::{Granularity, Period};
use crate::model::{Activity, Campaign, Contact, Dataset, Deal, SpendEntry, Ticket};
use crate::money::{Currency, decimal_serde};
use crate::{Error, Result};

/// A slice of each record list, to accumulate part of a dataset (records of
/// one month, of one group of customers...). Records are matched to their
/// contacts through the engine's dataset.
#[derive(Debug, Clone, Copy, Default)]
pub struct Partition<'a> {
    /// Contacts.
    pub contacts: &'a [Contact],
    /// Deals.
    pub deals: &'a [Deal],
    /// Activities.
    pub activities: &'a [Activity],
    /// Tickets.
    pub tickets: &'a [Ticket],
    /// Campaigns.
    pub campaigns: &'a [Campaign],
    /// Spend entries.
    pub spend: &'a [SpendEntry],
}

impl<'a> Partition<'a> {
    /// Every record of `dataset`.
    pub fn whole(dataset: &'a Dataset) -> Partition<'a> {
        Partition {
            contacts: dataset.contacts(),
            deals: dataset.deals(),
            activities: dataset.activities(),
            tickets: dataset.tickets(),
            campaigns: dataset.campaigns(),
            spend: dataset.spend(),
        }
    }
}

/// A request compiled against a dataset. `Send + Sync`; reuse it.
///
/// ```
/// use crmkit::kpi::{KpiEngine, KpiRequest, Partition};
/// use crmkit::sample::{generate, SampleConfig};
///
/// let ds = generate(&SampleConfig { contacts: 60, ..SampleConfig::default() })?;
/// let request = KpiRequest::from_json(r#"{"period": {"start": "2026-01-01", "end": "2026-07-01"}}"#)?;
/// let engine = KpiEngine::new(&ds, &request)?;
///
/// // Two halves of the deals, accumulated separately and merged...
/// let (a, b) = ds.deals().split_at(ds.deals().len() / 2);
/// let mut left = engine.accumulator();
/// engine.accumulate(&mut left, &Partition { deals: a, ..Partition::whole(&ds) })?;
/// let mut right = engine.accumulator();
/// engine.accumulate(&mut right, &Partition { deals: b, ..Partition::default() })?;
/// left.merge(&right)?;
/// // ... give exactly the values computed in one go.
/// assert_eq!(engine.finish(&left)?, engine.compute()?);
/// Ok::<(), crmkit::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct KpiEngine<'d> {
    ctx: Context<'d>,
    kpis: Vec<KpiId>,
    window: Window,
    granularity: Option<Granularity>,
    basis: Basis,
}

/// What an accumulator's [`Basis`] records of the request.
#[derive(serde::Serialize)]
struct Settings<'a> {
    segment: &'a Option<super::Segment>,
    options: &'a super::KpiOptions,
}

// The docs promise that engines and accumulators can be shared and sent
// across threads.
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<KpiEngine<'static>>();
    shareable::<KpiAccumulator>();
};

impl<'d> KpiEngine<'d> {
    /// Compiles `request` for `dataset`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) for a segment
    /// naming an unknown rep, team, pipeline or campaign (path `segment.owner`...);
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for options out of
    /// range or when no reporting currency is known.
    pub fn new(dataset: &'d Dataset, request: &KpiRequest) -> Result<KpiEngine<'d>> {
        check_period(request.period, "period")?;
        let mut ctx = Context::new(
            dataset,
            request.segment.clone(),
            request.options.clone(),
            period_end(request.period),
        )?;
        let kpis = request.kpi_list().to_vec();
        ctx.track_revenue_events = kpis.contains(&KpiId::NewRevenue);
        let previous = cohort_previous(dataset, request.period, request.granularity)?;
        let window = Window::new(request.period, previous, &ctx.options)?;
        let basis = Basis {
            request: serde_json::to_string(&Settings {
                segment: &ctx.segment,
                options: &ctx.options,
            })
            .map_err(|e| Error::invalid("options", format!("cannot write the options: {e}")))?,
            new_revenue: ctx.track_revenue_events,
        };
        Ok(KpiEngine {
            ctx,
            kpis,
            window,
            granularity: request.granularity,
            basis,
        })
    }

    /// The reporting currency.
    pub fn currency(&self) -> Currency {
        self.ctx.currency
    }

    /// An empty accumulator for the request's period.
    pub fn accumulator(&self) -> KpiAccumulator {
        self.accumulator_for_window(self.window)
    }

    /// An empty accumulator for another period (same segment and options).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for a period outside
    /// the supported years 1 to 9999; [`ErrorKind::Overflow`](crate::ErrorKind::Overflow)
    /// when its windows reach outside the calendar.
    pub fn accumulator_for(&self, period: Period) -> Result<KpiAccumulator> {
        check_period(period, "period")?;
        Ok(self.accumulator_for_window(self.window_of(period)?))
    }

    /// The window of `period`, with its previous period found as for the
    /// request's.
    fn window_of(&self, period: Period) -> Result<Window> {
        let previous = cohort_previous(self.ctx.dataset, period, self.granularity)?;
        Window::new(period, previous, &self.ctx.options)
    }

    fn accumulator_for_window(&self, window: Window) -> KpiAccumulator {
        KpiAccumulator::new(window, self.ctx.stages.stages.len(), self.basis.clone())
    }

    /// Feeds the records of `part` into `acc`, one pass per entity kind.
    ///
    /// Records of a part other than [`Partition::whole`] are first checked
    /// with the rules of [`Dataset::new`] and its messages (negative money,
    /// a close date before creation, a stage outside its pipeline...), their
    /// references resolved in the engine's dataset (deals also in the part),
    /// and ids unique within the part; paths name the part
    /// (`partition.activities[3].kind.amount`). Nothing is accumulated from
    /// a part that fails. A record (same kind and id) already fed to `acc`
    /// is refused, and [`KpiAccumulator::merge`] refuses accumulators that
    /// share one: it would be counted twice.
    ///
    /// The accumulator keeps, per contact, only the facts of the contacts
    /// whose records it saw, so its state grows with the part, not with the
    /// dataset.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) or
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) for a record of the
    /// part that a dataset would refuse, or a record already fed to `acc`;
    /// [`ErrorKind::CurrencyMismatch`](crate::ErrorKind::CurrencyMismatch)
    /// when money cannot be converted into the reporting currency;
    /// [`ErrorKind::Overflow`](crate::ErrorKind::Overflow) when a sum overflows.
    pub fn accumulate(&self, acc: &mut KpiAccumulator, part: &Partition<'_>) -> Result<()> {
        self.accumulate_all(std::slice::from_mut(acc), part)
    }

    /// Feeds `part` into several accumulators (several periods) in the same
    /// pass; when their periods do not overlap, each record goes only to the
    /// period(s) it falls in.
    ///
    /// # Errors
    ///
    /// As [`KpiEngine::accumulate`].
    pub fn accumulate_all(&self, accs: &mut [KpiAccumulator], part: &Partition<'_>) -> Result<()> {
        self.feed(accs, part, false)
    }

    /// Feeds `part` into `accs`: in one batch when their periods are sorted
    /// and apart, else one batch per accumulator. With `fold`, a whole
    /// dataset's contacts are folded into counts as they complete (only for
    /// accumulators that are finished and never merged).
    fn feed(&self, accs: &mut [KpiAccumulator], part: &Partition<'_>, fold: bool) -> Result<()> {
        let ds = self.ctx.dataset;
        // Records outside the dataset: the dataset's rules first, before
        // any accumulator changes.
        let part_deals = if is_whole(ds, part) {
            None
        } else {
            Some(validate_partition(ds, part)?)
        };
        // A record fed twice would be counted twice: refuse it. Folded
        // accumulators are internal (one pass, never merged).
        let records = if fold {
            None
        } else {
            let ids = RecordIds::of(part);
            for acc in accs.iter() {
                acc.records
                    .check_apart(&ids, "was already fed to this accumulator")?;
            }
            Some(ids)
        };
        if Buckets::new(accs.iter().map(|a| &a.window)).is_some() {
            let batch = Batch::new(&self.ctx, accs, fold);
            self.feed_batch(batch, part, part_deals.as_ref())?;
        } else {
            for acc in accs.iter_mut() {
                let batch = Batch::new(&self.ctx, std::slice::from_mut(acc), fold);
                self.feed_batch(batch, part, part_deals.as_ref())?;
            }
        }
        if let Some(ids) = records {
            if let Some((last, others)) = accs.split_last_mut() {
                for acc in others {
                    acc.records.add(ids.clone());
                }
                last.records.add(ids);
            }
        }
        Ok(())
    }

    fn feed_batch(
        &self,
        batch: Option<Batch<'_, 'd>>,
        part: &Partition<'_>,
        part_deals: Option<&PartDeals<'_>>,
    ) -> Result<()> {
        let Some(mut batch) = batch else {
            return Err(Error::new(
                crate::ErrorKind::Invalid,
                "accumulators of overlapping periods cannot share a batch",
            ));
        };
        let ds = self.ctx.dataset;
        match part_deals {
            None => {
                // The whole dataset: walk each contact with its deals and
                // activities, so no record needs an id lookup and a
                // contact's facts are complete when the next one starts.
                for (position, contact) in ds.contacts().iter().enumerate() {
                    let id = Some(&contact.id);
                    batch.add_contact(contact)?;
                    for deal in ds.deals_at(position) {
                        batch.add_deal(id, deal)?;
                    }
                    for activity in ds.activities_at(position) {
                        let pays = pays_won_deal(ds, None, activity);
                        batch.add_activity(id, activity, pays)?;
                    }
                }
                for position in 0..ds.contacts().len() {
                    for ticket in ds.tickets_at(position) {
                        batch.add_ticket(ticket)?;
                    }
                }
            }
            Some(part_deals) => {
                // Facts are keyed by contact id (validation has checked
                // that every contact is known): no position in the
                // dataset's contact table goes into the state.
                for contact in part.contacts {
                    batch.add_contact(contact)?;
                }
                for deal in part.deals {
                    batch.add_deal(Some(&deal.contact), deal)?;
                }
                for activity in part.activities {
                    // Only purchases, outbound calls and lost e-mail
                    // addresses touch a contact's facts.
                    let contact = needs_contact(activity).then_some(&activity.contact);
                    let pays = pays_won_deal(ds, Some(part_deals), activity);
                    batch.add_activity(contact, activity, pays)?;
                }
                for ticket in part.tickets {
                    batch.add_ticket(ticket)?;
                }
            }
        }
        for spend in part.spend {
            batch.add_spend(spend)?;
        }
        for campaign in part.campaigns {
            batch.add_campaign(campaign)?;
        }
        batch.close()
    }

    /// The requested KPIs from a filled accumulator.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for an accumulator
    /// that is not one of this engine's (made by an engine with other
    /// options, for another dataset's pipelines, or read from altered
    /// JSON: its windows do not match its period under this engine's
    /// options), or fed under another segment or other options (revenue
    /// source, order basis...), or without the events `new_revenue` needs
    /// when this engine asks for it (path `accumulator.basis`, the message
    /// names each difference); [`ErrorKind::Overflow`](crate::ErrorKind::Overflow)
    /// when a formula overflows.
    pub fn finish(&self, acc: &KpiAccumulator) -> Result<Vec<Measurement>> {
        check_period(acc.period(), "accumulator.window.period")?;
        if acc.window != self.window_of(acc.period())?
            || acc.stays.len() != self.ctx.stages.stages.len()
        {
            return Err(Error::invalid(
                "accumulator.window",
                format!(
                    "the accumulator for {} was not made by this engine: its windows or pipeline stages differ from this engine's options and dataset",
                    acc.period()
                ),
            ));
        }
        if let Some(theirs) = &acc.basis
            && (theirs.request != self.basis.request
                || (self.basis.new_revenue && !theirs.new_revenue))
        {
            return Err(Error::invalid(
                "accumulator.basis",
                format!(
                    "the accumulator was fed under other settings than this engine's: {}; finish it with the segment and options it was fed under",
                    theirs.differences(&self.basis)
                ),
            ));
        }
        finish(&self.ctx, acc, &self.kpis)
    }

    /// The requested KPIs over the whole dataset for the request's period.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CurrencyMismatch`](crate::ErrorKind::CurrencyMismatch) for
    /// amounts without exchange rates; [`ErrorKind::Overflow`](crate::ErrorKind::Overflow)
    /// when an exact value leaves the decimal range.
    pub fn compute(&self) -> Result<Vec<Measurement>> {
        let mut acc = self.accumulator();
        self.feed(
            std::slice::from_mut(&mut acc),
            &Partition::whole(self.ctx.dataset),
            true,
        )?;
        self.finish(&acc)
    }

    /// The period before the request's: the aligned period of the request's
    /// granularity, or the same number of days just before.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) when the previous
    /// period would start before the supported years 1 to 9999.
    pub fn previous_period(&self) -> Result<Period> {
        previous_of(self.ctx.dataset, self.window.period, self.granularity)
    }

    /// The report: each KPI for the period and the previous one, with the
    /// change, in one pass over the data.
    ///
    /// # Errors
    ///
    /// The errors of [`KpiEngine::compute`] and [`KpiEngine::previous_period`].
    pub fn report(&self) -> Result<KpiReport> {
        let previous = self.previous_period()?;
        // Oldest first, so that the two periods share one batch.
        let mut accs = [
            self.accumulator_for_window(self.window_of(previous)?),
            self.accumulator(),
        ];
        self.feed(&mut accs, &Partition::whole(self.ctx.dataset), true)?;
        let [previous_acc, current_acc] = &accs;
        let current = self.finish(current_acc)?;
        let before = self.finish(previous_acc)?;
        let rows = current
            .into_iter()
            .zip(before)
            .map(|(current, previous)| {
                let change = Change::between(&current.value, &previous.value);
                ReportRow {
                    current,
                    previous,
                    change,
                }
            })
            .collect();
        Ok(KpiReport {
            period: self.window.period,
            previous_period: previous,
            segment: self.ctx.segment.clone(),
            currency: self.ctx.currency,
            kpis: rows,
        })
    }
}

/// The first instant after `period` (midnight UTC of its exclusive end),
/// within the supported time range.
fn period_end(period: Period) -> crate::model::Timestamp {
    period
        .end()
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or(crate::model::MAX_TIMESTAMP)
        .min(crate::model::MAX_TIMESTAMP)
}

/// The period before `period`: the aligned period of `granularity` (fiscal
/// quarters follow the dataset's calendar), or the same number of days just
/// before.
fn previous_of(
    dataset: &Dataset,
    period: Period,
    granularity: Option<Granularity>,
) -> Result<Period> {
    match granularity {
        Some(g) => dataset.fiscal_calendar().previous_period(&period, g),
        None => period.previous(),
    }
}

/// Whether `activity` is a purchase paying a won deal (of the dataset or of
/// `deals`, the part's own): with revenue source `both` the deal's value is
/// its revenue and the purchase is not counted again.
fn pays_won_deal(dataset: &Dataset, deals: Option<&PartDeals<'_>>, activity: &Activity) -> bool {
    let (crate::model::ActivityKind::Purchase { .. }, Some(id)) = (&activity.kind, &activity.deal)
    else {
        return false;
    };
    if deals.is_some_and(|d| d.is_won(id)) {
        return true;
    }
    dataset
        .deal(id)
        .is_some_and(|deal| deal.status == crate::model::DealStatus::Won)
}

/// The period whose customers form the cohort of `period` under
/// [`CustomerBasis::PreviousPeriod`](super::CustomerBasis::PreviousPeriod):
/// the aligned period of `granularity`; without one, the same number of
/// whole calendar months before when `period` spans whole months (the
/// first half-year before the second, the year before), else the same
/// number of days before.
fn cohort_previous(
    dataset: &Dataset,
    period: Period,
    granularity: Option<Granularity>,
) -> Result<Period> {
    use chrono::Datelike;
    if granularity.is_none() && period.start().day() == 1 && period.end().day() == 1 {
        let months = (period.end().year() - period.start().year()) * 12
            + period.end().month() as i32
            - period.start().month() as i32;
        let start = crate::calendar::add_months(period.start(), -months)?;
        return Period::new(start, period.start());
    }
    previous_of(dataset, period, granularity)
}

/// Refuses a period outside the supported years 1 to 9999 (see
/// [`check_date`](crate::model::check_date)), whether the request came
/// from JSON or was built in Rust.
fn check_period(period: Period, path: &str) -> Result<()> {
    crate::model::check_date(period.start(), format!("{path}.start"))?;
    crate::model::check_date(period.last_day(), format!("{path}.end"))
}

/// Whether `part` is exactly the records of `dataset`.
fn is_whole(dataset: &Dataset, part: &Partition<'_>) -> bool {
    std::ptr::eq(part.contacts, dataset.contacts())
        && std::ptr::eq(part.deals, dataset.deals())
        && std::ptr::eq(part.activities, dataset.activities())
        && std::ptr::eq(part.tickets, dataset.tickets())
}

fn needs_contact(activity: &Activity) -> bool {
    use crate::model::{ActivityKind as A, CallDirection, EmailEvent};
    matches!(
        activity.kind,
        A::Purchase { .. }
            | A::Call {
                direction: CallDirection::Outbound,
                ..
            }
            | A::Email {
                event: EmailEvent::Bounced | EmailEvent::Unsubscribed,
                ..
            }
    )
}

/// How a KPI moved from the previous period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Current minus previous, when both are defined.
    #[serde(with = "decimal_serde::option")]
    pub absolute: Option<Decimal>,
    /// The absolute change as a percent of the previous value.
    pub relative: KpiValue,
}

impl Change {
    fn between(current: &KpiValue, previous: &KpiValue) -> Change {
        match (current.as_decimal(), previous.as_decimal()) {
            (Some(now), Some(before)) => {
                let absolute = now.checked_sub(before);
                let relative = match absolute {
                    Some(delta) => divide(
                        delta,
                        before.abs(),
                        Decimal::ONE_HUNDRED,
                        "the previous value is zero",
                    ),
                    None => KpiValue::Undefined {
                        code: UndefinedCode::Overflow,
                        reason: "the change overflows".to_string(),
                    },
                };
                Change {
                    absolute: absolute.map(|a| a.normalize()),
                    relative,
                }
            }
            _ => Change {
                absolute: None,
                relative: KpiValue::Undefined {
                    code: UndefinedCode::EmptyDenominator,
                    reason: "the current or previous value is undefined".to_string(),
                },
            },
        }
    }
}

/// One KPI of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRow {
    /// The value for the period.
    pub current: Measurement,
    /// The value for the previous period.
    pub previous: Measurement,
    /// The change.
    pub change: Change,
}

/// A KPI report: the chosen KPIs for a period and the previous one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KpiReport {
    /// The period.
    pub period: Period,
    /// The period compared against.
    pub previous_period: Period,
    /// The segment, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment: Option<Segment>,
    /// Currency of money values.
    pub currency: Currency,
    /// One row per KPI, in request order.
    pub kpis: Vec<ReportRow>,
}

impl KpiReport {
    /// The row of `kpi`, if it was requested.
    pub fn row(&self, kpi: KpiId) -> Option<&ReportRow> {
        self.kpis.iter().find(|r| r.current.kpi == kpi)
    }
}

/// Computes a KPI report (see [`KpiEngine::report`]).
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for options or a
/// period out of range, [`ErrorKind::NotFound`](crate::ErrorKind::NotFound)
/// for a segment naming an unknown record; the errors of
/// [`KpiEngine::report`].
pub fn compute(dataset: &Dataset, request: &KpiRequest) -> Result<KpiReport> {
    KpiEngine::new(dataset, request)?.report()
}

/// One period of a time series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeSeriesPoint {
    /// The period.
    pub period: Period,
    /// The KPIs for it, in request order.
    pub values: Vec<Measurement>,
}

/// KPIs per period over a range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeSeries {
    /// The granularity.
    pub granularity: Granularity,
    /// Currency of money values.
    pub currency: Currency,
    /// One point per aligned period, oldest first.
    pub points: Vec<TimeSeriesPoint>,
}

/// Computes KPIs per week/month/quarter/year over a range, in one pass over
/// the data: each record goes to the period it falls in (found by binary
/// search), each contact's facts are folded into every period's customer
/// counts once its records are done. Time and memory grow with the records
/// and the number of points only through per-period totals, not through
/// points x records or points x contacts.
///
/// ```
/// use crmkit::kpi::{time_series, TimeSeriesRequest};
/// use crmkit::sample::{generate, SampleConfig};
///
/// let ds = generate(&SampleConfig { contacts: 60, ..SampleConfig::default() })?;
/// let request = TimeSeriesRequest::from_json(r#"{"kpis": ["revenue"], "granularity": "quarter",
///     "range": {"start": "2026-01-01", "end": "2026-07-01"}}"#)?;
/// let series = time_series(&ds, &request)?;
/// assert_eq!(series.points.len(), 2);
/// Ok::<(), crmkit::Error>(())
/// ```
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for a request out of
/// range (too many points, a range outside years 1 to 9999); the errors of
/// [`KpiEngine::report`].
pub fn time_series(dataset: &Dataset, request: &TimeSeriesRequest) -> Result<TimeSeries> {
    check_period(request.range, "range")?;
    let periods = dataset
        .fiscal_calendar()
        .periods_between(request.range, request.granularity)?;
    if periods.len() > MAX_SERIES_POINTS {
        return Err(Error::invalid(
            "range",
            format!(
                "the range has {} {} periods, more than the maximum of {MAX_SERIES_POINTS}",
                periods.len(),
                request.granularity
            ),
        ));
    }
    let first = periods
        .first()
        .copied()
        .ok_or_else(|| Error::invalid("range", "the range contains no period"))?;
    let mut engine = KpiEngine::new(
        dataset,
        &KpiRequest {
            kpis: request.kpis.clone(),
            period: first,
            granularity: Some(request.granularity),
            segment: request.segment.clone(),
            options: request.options.clone(),
        },
    )?;
    // A saved segment's membership: as of the end of the range.
    engine
        .ctx
        .evaluate_saved_segment(period_end(request.range))?;
    let mut accs = periods
        .iter()
        .map(|p| engine.accumulator_for(*p))
        .collect::<Result<Vec<_>>>()?;
    engine.feed(&mut accs, &Partition::whole(dataset), true)?;
    let points = accs
        .iter()
        .map(|acc| {
            Ok(TimeSeriesPoint {
                period: acc.period(),
                values: engine.finish(acc)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(TimeSeries {
        granularity: request.granularity,
        currency: engine.currency(),
        points,
    })
}

/// The most periods a time series may have (each costs one accumulator).
pub const MAX_SERIES_POINTS: usize = 400;
