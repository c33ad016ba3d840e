//! Multi-touch attribution: which touches deserve the credit for
//! conversions and revenue.
//!
//! Journeys (ordered touches with channel, campaign and time, ending in
//! conversions with revenue, or in nothing) are credited under rule-based
//! models (first, last, last non-direct, linear, time decay, position
//! based) and data-driven ones (Markov removal effect of order 1–4,
//! Shapley values over channels). Rule-based credit is split per journey
//! in exact decimals; every model's credit sums exactly to the
//! conversions and revenue it distributes (rounded shares, residual to the
//! largest share). Per channel and campaign the report gives conversions,
//! revenue as [`Money`](crate::money::Money), cost per acquisition and ROI
//! against spend, and the paths behind them.
//!
//! ```
//! use crmkit::attribution::{AttributionRequest, attribution_report};
//! use rust_decimal::Decimal;
//!
//! let request = AttributionRequest::from_json(r#"{
//!   "currency": "USD",
//!   "models": [{"model": "linear"}, {"model": "markov"}],
//!   "journeys": [
//!     {"touches": [{"channel": "email", "at": "2026-03-01T10:00:00Z"},
//!                  {"channel": "search", "at": "2026-03-03T10:00:00Z"}],
//!      "conversions": 1, "value": "300.00"},
//!     {"touches": [{"channel": "email", "at": "2026-03-05T10:00:00Z"}]}
//!   ],
//!   "spend": [{"channel": "email", "amount": "50"}]
//! }"#)?;
//! let report = attribution_report(&request)?;
//! let linear = &report.models[0];
//! assert_eq!(linear.channels[0].key, "email");
//! assert_eq!(linear.channels[0].value.amount, Decimal::new(15000, 2)); // 150.00
//! Ok::<(), crmkit::Error>(())
//! ```

pub mod from_dataset;
mod intern;
pub mod journey;
pub mod markov;
mod paths;
pub mod report;
mod rule_credit;
pub mod rules;
pub mod shapley;
pub mod shapley_rate;
mod split;

pub use from_dataset::{
    AdTouches, Conversion, DatasetAttributionRequest, TouchType, attribution_request,
    dataset_attribution_report,
};
pub use journey::{CustomerPath, MAX_LOOKBACK_DAYS, Touch};
pub use report::{
    AttributionReport, AttributionRequest, Credit, MAX_MODELS, ModelResult, PathCount, PathStats,
    ShapleyValue, Spend, attribution_report,
};
pub use rules::Model;
pub use shapley_rate::ShapleyEstimate;
