//! Hostile inputs to the KPI area: malformed JSON, extreme numbers, extreme
//! dates and empty data never panic; they give an error with a path or an
//! explicit undefined value.

use crmkit::kpi::{
    KpiEngine, KpiRequest, PipelineReportRequest, TimeSeriesRequest, compute, pipeline_report,
    time_series,
};
use crmkit::model::Dataset;
use crmkit::sample::{SampleConfig, generate};
use proptest::prelude::*;
use std::sync::OnceLock;

fn sample() -> &'static Dataset {
    static DS: OnceLock<Dataset> = OnceLock::new();
    DS.get_or_init(|| {
        generate(&SampleConfig {
            contacts: 40,
            ..SampleConfig::default()
        })
        .expect("sample")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_the_request_parsers(text in ".{0,200}") {
        let _ = KpiRequest::from_json(&text);
        let _ = TimeSeriesRequest::from_json(&text);
        let _ = PipelineReportRequest::from_json(&text);
    }

    #[test]
    fn extreme_options_are_refused_or_computed(
        months in any::<i64>(),
        days in any::<i64>(),
        margin in prop_oneof![Just("-5".to_string()), Just("1e30".to_string()), Just("NaN".to_string()), "[0-9]{1,3}(\\.[0-9]{1,4})?"],
    ) {
        let json = format!(
            r#"{{"period": {{"start": "2026-01-01", "end": "2026-04-01"}},
                "options": {{"new_revenue_months": {months}, "active_customer_days": {days},
                             "gross_margin": "{margin}"}}}}"#
        );
        match KpiRequest::from_json(&json) {
            Ok(request) => {
                prop_assert!(request.options.new_revenue_months >= 1);
                let report = compute(sample(), &request);
                prop_assert!(report.is_ok(), "{:?}", report.err());
            }
            Err(err) => prop_assert!(err.path().is_some(), "{err}"),
        }
    }

    #[test]
    fn any_period_computes_or_fails_cleanly(
        start_year in -250_000i32..250_000,
        length in 1i64..5_000,
    ) {
        let Some(start) = chrono::NaiveDate::from_ymd_opt(start_year, 1, 1) else { return Ok(()) };
        let Some(end) = start.checked_add_days(chrono::Days::new(length as u64)) else { return Ok(()) };
        let Ok(period) = crmkit::calendar::Period::new(start, end) else { return Ok(()) };
        let request = KpiRequest::new(period);
        if let Ok(engine) = KpiEngine::new(sample(), &request) {
            if let Ok(values) = engine.compute() {
                prop_assert_eq!(values.len(), crmkit::kpi::catalog::KpiId::ALL.len());
            }
        }
        let _ = compute(sample(), &request);
    }

    #[test]
    fn any_as_of_gives_a_pipeline_report(seconds in -8_000_000_000_000i64..8_000_000_000_000) {
        if let Some(as_of) = chrono::DateTime::from_timestamp(seconds, 0) {
            let report = pipeline_report(sample(), &PipelineReportRequest::new(as_of));
            // Inside the supported range (years 1 to 9999) a report, outside
            // an error naming `as_of`; never a panic.
            let in_range = (crmkit::model::MIN_UNIX_SECONDS..=crmkit::model::MAX_UNIX_SECONDS)
                .contains(&seconds);
            match report {
                Ok(_) => prop_assert!(in_range),
                Err(err) => prop_assert!(!in_range && err.path() == Some("as_of"), "{}", err),
            }
        }
    }
}

#[test]
fn a_time_series_with_too_many_periods_is_refused() {
    let request = TimeSeriesRequest::from_json(
        r#"{"granularity": "day", "range": {"start": "2000-01-01", "end": "2026-01-01"}}"#,
    )
    .expect("request");
    let err = time_series(sample(), &request).unwrap_err();
    assert!(err.path().is_some_and(|p| p.starts_with("range")), "{err}");
}

#[test]
fn nan_and_negative_numbers_in_requests_name_their_path() {
    let err = KpiRequest::from_json(
        r#"{"period": {"start": "2026-01-01", "end": "2026-04-01"}, "options": {"contract_months": -1}}"#,
    )
    .unwrap_err();
    assert_eq!(err.path(), Some("options.contract_months"));
    let err = PipelineReportRequest::from_json(
        r#"{"as_of": "2026-01-01T00:00:00Z", "coverage_target": "NaN"}"#,
    )
    .unwrap_err();
    assert_eq!(err.path(), Some("coverage_target"));
    let err = PipelineReportRequest::from_json(
        r#"{"as_of": "2026-01-01T00:00:00Z", "bottleneck_share": 101}"#,
    )
    .unwrap_err();
    assert_eq!(err.path(), Some("bottleneck_share"));
}
