//! Key performance indicators: the catalog, exact calculators over a
//! [`Dataset`](crate::model::Dataset) for a period and an optional segment,
//! reports with the previous period and the change, time series, mergeable
//! accumulators and the pipeline bottleneck report.
//!
//! Every value is exact (a `Decimal`) and carries its numerator and
//! denominator; an empty denominator gives [`KpiValue::Undefined`] with a
//! reason, never NaN or zero. The formula of each KPI, with the choice made
//! where sources disagree, is on its [`KpiId`](catalog::KpiId) variant.
//!
//! ```
//! use crmkit::kpi::catalog::KpiId;
//! use crmkit::kpi::{compute, KpiRequest};
//! use crmkit::sample::{generate, SampleConfig};
//!
//! let ds = generate(&SampleConfig { contacts: 80, ..SampleConfig::default() })?;
//! let request = KpiRequest::from_json(r#"{
//!     "kpis": ["win_rate", "revenue", "churn_rate"],
//!     "period": {"start": "2026-04-01", "end": "2026-07-01"},
//!     "granularity": "quarter"
//! }"#)?;
//! let report = compute(&ds, &request)?;
//! let win_rate = &report.row(KpiId::WinRate).unwrap().current;
//! if let Some(value) = win_rate.value.as_decimal() {
//!     // value = numerator / denominator x 100, exactly
//!     assert_eq!(value, (win_rate.numerator * rust_decimal::Decimal::ONE_HUNDRED / win_rate.denominator).normalize());
//! }
//! assert_eq!(report.previous_period.to_string(), "2026-01-01..2026-04-01");
//! Ok::<(), crmkit::Error>(())
//! ```

mod accumulate;
mod batch;
pub mod catalog;
mod context;
mod engine;
mod facts;
mod finish;
pub mod pipeline;
mod records;
mod request;
mod validate;
pub(crate) mod value;

pub use accumulate::KpiAccumulator;
pub use engine::{
    Change, KpiEngine, KpiReport, MAX_SERIES_POINTS, Partition, ReportRow, TimeSeries,
    TimeSeriesPoint, compute, time_series,
};
pub use pipeline::{Items, PipelineReport, PipelineReportRequest, pipeline_report};
pub use request::{
    ChurnBasis, CustomerBasis, KpiOptions, KpiRequest, OrderBasis, RevenueSource, Segment,
    TimeSeriesRequest,
};
pub use value::{BreakdownRow, KpiValue, Measurement, UndefinedCode};
