//! Requests and accumulators built in Rust go through the same checks as
//! those read from JSON: periods within the supported years 1 to 9999 (for
//! a report, an extra accumulator and a series), and an accumulator is only
//! finished by an engine whose windows it was made with.

use chrono::NaiveDate;
use crmkit::ErrorKind;
use crmkit::calendar::{Granularity, Period};
use crmkit::kpi::{
    KpiAccumulator, KpiEngine, KpiRequest, Partition, TimeSeriesRequest, time_series,
};
use crmkit::model::Dataset;
use crmkit::sample::{SampleConfig, generate};

fn sample() -> Dataset {
    generate(&SampleConfig {
        contacts: 60,
        ..SampleConfig::default()
    })
    .expect("sample")
}

fn period(y1: i32, y2: i32) -> Period {
    Period::new(
        NaiveDate::from_ymd_opt(y1, 1, 1).expect("start"),
        NaiveDate::from_ymd_opt(y2, 1, 1).expect("end"),
    )
    .expect("period")
}

fn assert_invalid_at(err: crmkit::Error, path: &str) {
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
    assert!(err.to_string().contains(path), "{err}");
}

#[test]
fn a_report_period_beyond_year_9999_built_in_rust_is_refused() {
    let ds = sample();
    let err =
        KpiEngine::new(&ds, &KpiRequest::new(period(12_000, 12_001))).expect_err("year 12000");
    assert_invalid_at(err, "period.start");
    let err = crmkit::kpi::compute(&ds, &KpiRequest::new(period(9_999, 10_001)))
        .expect_err("ends in 10000");
    assert_invalid_at(err, "period.end");
    // The last supported year is fine.
    KpiEngine::new(&ds, &KpiRequest::new(period(9_999, 10_000))).expect("year 9999");
}

#[test]
fn an_extra_accumulator_beyond_year_9999_is_refused() {
    let ds = sample();
    let engine = KpiEngine::new(&ds, &KpiRequest::new(period(2026, 2027))).expect("engine");
    let err = engine
        .accumulator_for(period(20_000, 20_001))
        .expect_err("year 20000");
    assert_invalid_at(err, "period.start");
}

#[test]
fn a_series_range_beyond_year_9999_built_in_rust_is_refused() {
    let ds = sample();
    let request = TimeSeriesRequest {
        kpis: Vec::new(),
        range: period(10_000, 10_002),
        granularity: Granularity::Year,
        segment: None,
        options: Default::default(),
    };
    let err = time_series(&ds, &request).expect_err("year 10000");
    assert_invalid_at(err, "range.start");
}

#[test]
fn an_accumulator_of_an_engine_with_other_options_is_not_finished() {
    let ds = sample();
    let mut request = KpiRequest::new(period(2026, 2027));
    let engine = KpiEngine::new(&ds, &request).expect("engine");
    // A window of 90 days (the default basis, previous_period, has no
    // window: the basis is set too).
    request.options.active_customer_days = 90;
    request.options.customer_basis = crmkit::kpi::CustomerBasis::ActiveWindow;
    let other = KpiEngine::new(&ds, &request).expect("other engine");
    let mut acc = other.accumulator();
    other
        .accumulate(&mut acc, &Partition::whole(&ds))
        .expect("accumulate");
    other.finish(&acc).expect("its own engine");
    let err = engine.finish(&acc).expect_err("other windows");
    assert_invalid_at(err, "accumulator.window");
}

#[test]
fn an_altered_accumulator_read_from_json_is_not_finished() {
    let ds = sample();
    let engine = KpiEngine::new(&ds, &KpiRequest::new(period(2026, 2027))).expect("engine");
    let acc = engine.accumulator();
    let json = acc.to_json().expect("json");
    let t1 = format!("\"t1\":{}", crmkit::model::MAX_UNIX_SECONDS - 1);
    let start = json.find("\"t1\":").expect("t1");
    let end = json
        .get(start + 5..)
        .and_then(|rest| rest.find([',', '}']))
        .expect("end of t1")
        + start
        + 5;
    let altered = format!(
        "{}{t1}{}",
        json.get(..start).expect("head"),
        json.get(end..).expect("tail")
    );
    let read = KpiAccumulator::from_json(&altered).expect("valid JSON");
    assert_ne!(read, acc);
    let err = engine.finish(&read).expect_err("altered window");
    assert_invalid_at(err, "accumulator.window");
}
