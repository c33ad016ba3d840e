//! A time series equals the per-period computation, point by point, on a
//! deal-based B2B company and on a purchase-based shop, for every KPI and
//! every customer, revenue and order option.
//!
//! The bound tests: a weekly and a monthly series equal the per-period
//! computation when records sit exactly on the bounds the series looks
//! up: period starts and ends, the starts of the activity windows before
//! them, the contract ends of renewals, one second either side, and far
//! before and after every bound. A series of many points places records
//! with a day table (one row per day) where one period uses binary
//! searches, so any off-by-one in the table shows here as a difference.
//! Both a deal-based company and a purchase-based shop.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use crmkit::kpi::{KpiEngine, KpiRequest, TimeSeriesRequest, time_series};
use crmkit::model::{ActivityKind, Dataset, DatasetParts, DealKind, DealStatus, Timestamp};
use crmkit::sample::{SampleConfig, generate};

/// The range of the sample tests.
const YEAR: (&str, &str) = ("2025-11-01", "2026-11-01");

/// Checks every point of the series of `granularity` over `range` against
/// `compute` for its period alone; returns the number of points.
fn check_series_equals_periods(
    ds: &Dataset,
    granularity: &str,
    range: (&str, &str),
    options: &str,
) -> usize {
    let request = TimeSeriesRequest::from_json(&format!(
        r#"{{"granularity": "{granularity}", "range": {{"start": "{}", "end": "{}"}},
            "options": {{{options}}}}}"#,
        range.0, range.1
    ))
    .expect("request");
    let series = time_series(ds, &request).expect("series");
    assert!(series.points.len() >= 4);
    for point in &series.points {
        let one = KpiRequest {
            kpis: request.kpis.clone(),
            period: point.period,
            granularity: Some(request.granularity),
            segment: None,
            options: request.options.clone(),
        };
        let values = KpiEngine::new(ds, &one)
            .expect("engine")
            .compute()
            .expect("compute");
        assert_eq!(
            point.values, values,
            "{granularity} {} with {options}",
            point.period
        );
    }
    series.points.len()
}

/// The sample company (a deal-based B2B business).
fn b2b(contacts: usize) -> Dataset {
    generate(&SampleConfig {
        contacts,
        ..SampleConfig::default()
    })
    .expect("sample")
}

/// The same contacts with their purchases and no deals: a shop.
fn shop(ds: &Dataset) -> Dataset {
    let mut parts = ds.clone().into_parts();
    parts.deals.clear();
    parts.tasks.retain(|t| t.deal.is_none());
    parts.activities.retain(|a| a.deal.is_none());
    Dataset::new(parts).expect("shop")
}

#[test]
fn a_monthly_series_equals_each_month_computed_alone_on_a_b2b_company() {
    let ds = b2b(150);
    check_series_equals_periods(&ds, "month", YEAR, "");
    check_series_equals_periods(
        &ds,
        "month",
        YEAR,
        r#""customer_basis": "previous_period", "active_customer_days": 90"#,
    );
}

#[test]
fn a_series_equals_each_period_computed_alone_on_a_shop() {
    let ds = shop(&b2b(150));
    assert!(
        ds.activities()
            .iter()
            .any(|a| matches!(a.kind, ActivityKind::Purchase { .. }))
    );
    check_series_equals_periods(&ds, "month", YEAR, r#""revenue_source": "purchases""#);
    check_series_equals_periods(
        &ds,
        "quarter",
        YEAR,
        r#""revenue_source": "purchases", "order_basis": "customer_day", "customer_basis": "previous_period""#,
    );
    check_series_equals_periods(
        &ds,
        "week",
        YEAR,
        r#""revenue_source": "both", "active_customer_days": 60"#,
    );
}

/// The range of the bound tests (Monday to Monday, so weeks fit it).
const RANGE: (&str, &str) = ("2025-11-03", "2026-11-02");
const ACTIVE_DAYS: i64 = 60;

fn midnight(d: NaiveDate) -> Timestamp {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
}

/// The instants a series over `RANGE` at `granularity` looks up: each
/// period start, the activity window's start before it, the start of the
/// contracts ending in it (12 months back), one second either side; and
/// instants years before and after.
fn bound_instants(ds: &Dataset, granularity: &str) -> Vec<Timestamp> {
    let request = TimeSeriesRequest::from_json(&format!(
        r#"{{"kpis": ["revenue"], "granularity": "{granularity}",
            "range": {{"start": "{}", "end": "{}"}}}}"#,
        RANGE.0, RANGE.1
    ))
    .expect("request");
    let series = time_series(ds, &request).expect("series");
    let mut starts: Vec<NaiveDate> = series.points.iter().map(|p| p.period.start()).collect();
    starts.extend(series.points.last().map(|p| p.period.end()));
    let mut instants = Vec::new();
    for start in starts {
        let t0 = midnight(start);
        let renewal = start
            .checked_sub_months(chrono::Months::new(12))
            .map(midnight)
            .expect("a year back");
        for at in [t0, t0 - Duration::days(ACTIVE_DAYS), renewal] {
            for s in [-1, 0, 1] {
                instants.push(at + Duration::seconds(s));
            }
        }
    }
    let first = midnight(NaiveDate::from_ymd_opt(2021, 2, 3).expect("date"));
    let last = midnight(NaiveDate::from_ymd_opt(2029, 5, 6).expect("date"));
    instants.extend([
        first,
        first + Duration::seconds(1),
        last,
        last - Duration::seconds(1),
    ]);
    instants
}

/// The sample company with, at every bound instant, a purchase and a won
/// deal (kinds in turn: new, renewal, cross-sell, upsell) of some contact;
/// a lost deal and an open deal created at the instant too.
fn with_records_on_bounds(ds: &Dataset, instants: &[Timestamp]) -> Dataset {
    let mut parts: DatasetParts = ds.clone().into_parts();
    let purchase = parts
        .activities
        .iter()
        .find(|a| matches!(a.kind, ActivityKind::Purchase { .. }))
        .cloned()
        .expect("a purchase");
    let won = parts
        .deals
        .iter()
        .find(|d| d.status == DealStatus::Won && d.closed_at.is_some())
        .cloned()
        .expect("a won deal");
    let lost = parts
        .deals
        .iter()
        .find(|d| d.status == DealStatus::Lost && d.closed_at.is_some())
        .cloned()
        .expect("a lost deal");
    let open = parts
        .deals
        .iter()
        .find(|d| d.status == DealStatus::Open)
        .cloned()
        .expect("an open deal");
    let contacts: Vec<_> = parts.contacts.iter().map(|c| c.id.clone()).collect();
    let kinds = [
        DealKind::New,
        DealKind::Renewal,
        DealKind::CrossSell,
        DealKind::Upsell,
    ];
    for (i, &at) in instants.iter().enumerate() {
        let contact = contacts
            .get(i * 7 % contacts.len())
            .cloned()
            .expect("contact");
        if let Some(c) = parts.contacts.iter_mut().find(|c| c.id == contact) {
            c.created_at = c.created_at.min(at - Duration::days(900));
        }
        let mut p = purchase.clone();
        p.id = format!("bound-purchase-{i}").parse().expect("id");
        p.contact = contact.clone();
        p.at = at;
        p.deal = None;
        parts.activities.push(p);
        // A won deal closed at the instant (every other one, a lost deal
        // too), its history moved along.
        let templates = if i % 2 == 1 {
            vec![("won", &won), ("lost", &lost)]
        } else {
            vec![("won", &won)]
        };
        for (name, template) in templates {
            let mut d = template.clone();
            let shift = at - d.closed_at.expect("closed");
            d.id = format!("bound-{name}-{i}").parse().expect("id");
            d.contact = contact.clone();
            d.company = None;
            d.kind = kinds.get(i % kinds.len()).copied().expect("kind");
            d.created_at += shift;
            d.closed_at = Some(at);
            for v in &mut d.stage_history {
                v.entered_at += shift;
                v.exited_at = v.exited_at.map(|t| t + shift);
            }
            parts.deals.push(d);
        }
        // An open deal created at the instant.
        let mut o = open.clone();
        let shift = at - o.created_at;
        o.id = format!("bound-open-{i}").parse().expect("id");
        o.contact = contact;
        o.company = None;
        o.created_at = at;
        for v in &mut o.stage_history {
            v.entered_at += shift;
            v.exited_at = v.exited_at.map(|t| t + shift);
        }
        parts.deals.push(o);
    }
    Dataset::new(parts).expect("records on bounds")
}

#[test]
fn weekly_and_monthly_series_equal_each_period_with_deals_on_every_bound() {
    let base = b2b(120);
    for granularity in ["week", "month"] {
        let ds = with_records_on_bounds(&base, &bound_instants(&base, granularity));
        let points = check_series_equals_periods(
            &ds,
            granularity,
            RANGE,
            &format!(r#""revenue_source": "deals", "active_customer_days": {ACTIVE_DAYS}"#),
        );
        assert!(points >= 12, "{granularity}: {points} points");
        check_series_equals_periods(
            &ds,
            granularity,
            RANGE,
            r#""revenue_source": "both", "customer_basis": "previous_period""#,
        );
    }
}

#[test]
fn weekly_and_monthly_series_equal_each_period_with_purchases_on_every_bound() {
    let base = b2b(120);
    for granularity in ["week", "month"] {
        let ds = shop(&with_records_on_bounds(
            &base,
            &bound_instants(&base, granularity),
        ));
        assert!(ds.deals().is_empty());
        check_series_equals_periods(
            &ds,
            granularity,
            RANGE,
            &format!(r#""revenue_source": "purchases", "active_customer_days": {ACTIVE_DAYS}"#),
        );
        check_series_equals_periods(
            &ds,
            granularity,
            RANGE,
            &format!(
                r#""revenue_source": "purchases", "order_basis": "customer_day", "active_customer_days": {ACTIVE_DAYS}"#
            ),
        );
    }
}
