//! Any bytes given as a KPI request (or a time-series request) give a
//! report over a small fixed dataset or an error, never a panic; reports
//! are deterministic.
#![no_main]

mod fixture;

use crmkit::kpi::{KpiRequest, TimeSeriesRequest, compute, time_series};
use fixture::dataset;
use libfuzzer_sys::fuzz_target;


fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(request) = KpiRequest::from_json(text) {
        let first = compute(dataset(), &request);
        assert_eq!(
            first,
            compute(dataset(), &request),
            "reports are deterministic"
        );
        if let Ok(report) = first {
            serde_json::to_string(&report).expect("a report serialises");
        }
    }
    if let Ok(request) = TimeSeriesRequest::from_json(text)
        && let Ok(series) = time_series(dataset(), &request)
    {
        serde_json::to_string(&series).expect("a series serialises");
    }
});
