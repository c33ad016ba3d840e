//! A time series equals the per-period computation, point by point, on a
//! deal-based B2B company and on a purchase-based shop, for every KPI and
//! every customer, revenue and order option.

use crmkit::kpi::{KpiEngine, KpiRequest, TimeSeriesRequest, time_series};
use crmkit::model::{ActivityKind, Dataset};
use crmkit::sample::{SampleConfig, generate};

fn check_series_equals_periods(ds: &Dataset, granularity: &str, options: &str) {
    let request = TimeSeriesRequest::from_json(&format!(
        r#"{{"granularity": "{granularity}", "range": {{"start": "2025-11-01", "end": "2026-11-01"}},
            "options": {{{options}}}}}"#
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
        assert_eq!(point.values, values, "{} with {options}", point.period);
    }
}

fn b2b() -> Dataset {
    generate(&SampleConfig {
        contacts: 150,
        ..SampleConfig::default()
    })
    .expect("sample")
}

/// The sample's contacts with purchases only (no deals): a shop.
fn shop() -> Dataset {
    let mut parts = b2b().into_parts();
    parts.deals.clear();
    parts.tasks.retain(|t| t.deal.is_none());
    parts.activities.retain(|a| a.deal.is_none());
    assert!(
        parts
            .activities
            .iter()
            .any(|a| matches!(a.kind, ActivityKind::Purchase { .. }))
    );
    Dataset::new(parts).expect("shop")
}

#[test]
fn a_monthly_series_equals_each_month_computed_alone_on_a_b2b_company() {
    let ds = b2b();
    check_series_equals_periods(&ds, "month", "");
    check_series_equals_periods(
        &ds,
        "month",
        r#""customer_basis": "previous_period", "active_customer_days": 90"#,
    );
}

#[test]
fn a_series_equals_each_period_computed_alone_on_a_shop() {
    let ds = shop();
    check_series_equals_periods(&ds, "month", r#""revenue_source": "purchases""#);
    check_series_equals_periods(
        &ds,
        "quarter",
        r#""revenue_source": "purchases", "order_basis": "customer_day", "customer_basis": "previous_period""#,
    );
    check_series_equals_periods(
        &ds,
        "week",
        r#""revenue_source": "both", "active_customer_days": 60"#,
    );
}
