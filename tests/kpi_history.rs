//! The complaint rate counts customers at the end of the period; when the
//! activity window before the end reaches before the data's first record,
//! those customers cannot be told and the rate is `insufficient_history`,
//! not an inflated figure.

use crmkit::kpi::catalog::KpiId;
use crmkit::kpi::{KpiEngine, KpiRequest, KpiValue, UndefinedCode};
use crmkit::sample::{SampleConfig, generate};

fn complaint_rate(ds: &crmkit::model::Dataset, options: &str) -> KpiValue {
    let request = KpiRequest::from_json(&format!(
        r#"{{"kpis": ["complaint_rate"], "period": {{"start": "2026-04-01", "end": "2026-07-01"}},
            "options": {{{options}}}}}"#
    ))
    .expect("request");
    let values = KpiEngine::new(ds, &request)
        .expect("engine")
        .compute()
        .expect("compute");
    let m = values.first().expect("one measurement");
    assert_eq!(m.kpi, KpiId::ComplaintRate);
    m.value.clone()
}

#[test]
fn complaint_rate_is_insufficient_history_when_the_window_reaches_before_the_data() {
    let ds = generate(&SampleConfig::default()).expect("sample");
    let first = ds
        .contacts()
        .iter()
        .map(|c| c.created_at)
        .min()
        .expect("contacts");
    // The 365-day window (customer_basis active_window) before 2026-07-01
    // starts on 2025-07-01, before the sample's first record.
    assert!(first.date_naive() > chrono::NaiveDate::from_ymd_opt(2025, 7, 1).expect("date"));
    match complaint_rate(&ds, r#""customer_basis": "active_window""#) {
        KpiValue::Undefined { code, reason } => {
            assert_eq!(code, UndefinedCode::InsufficientHistory);
            assert!(reason.contains("2025-07-01"), "{reason}");
            assert!(reason.contains("end of the period"), "{reason}");
        }
        other => panic!("expected insufficient history, got {other:?}"),
    }
    // A window the data covers gives a figure.
    assert!(
        complaint_rate(&ds, r#""active_customer_days": 90"#)
            .as_decimal()
            .is_some()
    );
    // So does the cohort basis (customers of the period itself at its end),
    // the default.
    for options in [r#""customer_basis": "previous_period""#, ""] {
        assert!(complaint_rate(&ds, options).as_decimal().is_some());
    }
}

#[test]
fn complaint_rate_has_no_maximum_and_can_pass_100_per_100_customers() {
    // October 2026 on the sample, revenue from won deals only and a 60-day
    // window: 7 complaint tickets against 1 customer at the end of the
    // month, 700 complaints per 100 customers. The catalog said the rate
    // could not pass 100; it now has no maximum.
    let ds = generate(&SampleConfig::default()).expect("sample");
    let request = KpiRequest::from_json(
        r#"{"kpis": ["complaint_rate"], "period": {"start": "2026-10-01", "end": "2026-11-01"},
            "options": {"revenue_source": "deals", "active_customer_days": 60}}"#,
    )
    .expect("request");
    let values = KpiEngine::new(&ds, &request)
        .expect("engine")
        .compute()
        .expect("compute");
    let rate = values[0].value.as_decimal().expect("defined");
    assert_eq!(rate, rust_decimal::Decimal::from(700));
    let definition = KpiId::ComplaintRate.definition();
    assert_eq!(definition.max, None);
    assert!(definition.min.is_some_and(|min| rate >= min));
}
