//! Any bytes given as a pipeline report request give a report over a small
//! fixed dataset or an error, never a panic; reports are deterministic.
#![no_main]

mod fixture;

use crmkit::kpi::{PipelineReportRequest, pipeline_report};
use fixture::dataset;
use libfuzzer_sys::fuzz_target;


fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(request) = PipelineReportRequest::from_json(text) else {
        return;
    };
    let first = pipeline_report(dataset(), &request);
    assert_eq!(
        first,
        pipeline_report(dataset(), &request),
        "reports are deterministic"
    );
    if let Ok(report) = first {
        serde_json::to_string(&report).expect("a report serialises");
    }
});
