//! Revenue and purchase revenue of a period are exact sums of amounts of
//! mixed scales, with the scale of adding them one by one: the largest
//! scale of a non-zero amount (a zero amount does not raise it), shown by
//! the measurement's numerator (its value is normalized). The batch
//! gathers runs of same-scale amounts before adding them to a period's
//! total; this pins that the runs change neither the digits nor the scale,
//! in one period and in every point of a weekly series.

use crmkit::kpi::{KpiEngine, KpiRequest, KpiValue, TimeSeriesRequest, time_series};
use crmkit::model::{ActivityKind, Dataset};
use crmkit::sample::{SampleConfig, generate};
use rust_decimal::Decimal;

const AMOUNTS: [&str; 8] = [
    "10.5", "0.000", "2.25", "3", "0.0001", "7.10", "0.00000", "19.99",
];

/// The sample's purchases only (no deals), with amounts cycling through
/// `AMOUNTS`.
fn shop_with_mixed_scales() -> Dataset {
    let mut parts = generate(&SampleConfig {
        contacts: 120,
        ..SampleConfig::default()
    })
    .expect("sample")
    .into_parts();
    parts.deals.clear();
    parts.tasks.retain(|t| t.deal.is_none());
    parts.activities.retain(|a| a.deal.is_none());
    // One currency, the reporting one, so no conversion rounds the sums.
    let currency = "USD".parse().expect("usd");
    parts.reporting_currency = Some(currency);
    let mut k = 0;
    for a in &mut parts.activities {
        if let ActivityKind::Purchase { amount, items } = &mut a.kind {
            amount.currency = currency;
            items.clear();
            amount.amount = AMOUNTS
                .get(k % AMOUNTS.len())
                .and_then(|s| s.parse().ok())
                .expect("amount");
            k += 1;
        }
    }
    assert!(k > 20, "{k} purchases");
    Dataset::new(parts).expect("shop")
}

/// The purchases of `[start, end)` summed one by one.
fn one_by_one(ds: &Dataset, start: &str, end: &str) -> Decimal {
    let start: chrono::NaiveDate = start.parse().expect("start");
    let end: chrono::NaiveDate = end.parse().expect("end");
    let mut sum = Decimal::ZERO;
    for a in ds.activities() {
        let day = a.at.date_naive();
        if let ActivityKind::Purchase { amount, .. } = &a.kind
            && start <= day
            && day < end
        {
            sum = sum.checked_add(amount.amount).expect("sum");
        }
    }
    sum
}

fn defined(v: &KpiValue) -> Decimal {
    match v {
        KpiValue::Defined { value } => *value,
        KpiValue::Undefined { reason, .. } => panic!("undefined: {reason}"),
    }
}

#[test]
fn revenue_sums_keep_the_digits_and_scale_of_adding_one_by_one() {
    let ds = shop_with_mixed_scales();
    let kpis =
        r#""kpis": ["revenue", "purchase_revenue"], "options": {"revenue_source": "purchases"}"#;
    let request = TimeSeriesRequest::from_json(&format!(
        r#"{{{kpis}, "granularity": "week", "range": {{"start": "2025-11-03", "end": "2026-11-02"}}}}"#
    ))
    .expect("request");
    let series = time_series(&ds, &request).expect("series");
    let mut scales = Vec::new();
    for point in &series.points {
        let (start, end) = (point.period.start(), point.period.end());
        let expected = one_by_one(&ds, &start.to_string(), &end.to_string());
        let one = KpiRequest::from_json(&format!(
            r#"{{{kpis}, "period": {{"start": "{start}", "end": "{end}"}}}}"#
        ))
        .expect("one");
        let values = KpiEngine::new(&ds, &one)
            .expect("engine")
            .compute()
            .expect("compute");
        for (from_series, alone) in point.values.iter().zip(&values) {
            for m in [from_series, alone] {
                // The value is normalized; the numerator is the sum as added.
                assert_eq!(defined(&m.value), expected, "{} in {start}..{end}", m.kpi);
                assert_eq!(
                    m.numerator.to_string(),
                    expected.to_string(),
                    "{} in {start}..{end}",
                    m.kpi
                );
            }
        }
        scales.push(expected.scale());
    }
    // The data mixes scales within periods (else this proves little).
    assert!(scales.contains(&4), "{scales:?}");
    assert!(scales.iter().any(|&s| s < 4), "{scales:?}");
}
