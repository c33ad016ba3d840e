//! crmkit — the domain logic of customer-relationship management, as an
//! embeddable library with a stable C ABI.
//!
//! crmkit is for engineers who would otherwise re-implement lead scoring,
//! deal routing, KPI reports and goal tracking by hand inside an ERP or an
//! in-house CRM. It is pure (no I/O, no clock: every time-dependent call
//! takes an explicit `as_of`), exact (money is [`money::Money`], a decimal
//! with a currency; mixing currencies without rates is an error) and
//! explainable (results carry their reasons).
//!
//! ```
//! use crmkit::model::{Dataset, DealStatus};
//! use crmkit::money::{Currency, Money};
//!
//! let dataset = Dataset::from_json(r#"{
//!   "pipelines": [{"id": "sales", "name": "Sales", "stages": [
//!     {"id": "qualify", "name": "Qualify", "probability": 20},
//!     {"id": "won", "name": "Won", "probability": 100, "kind": "won"}]}],
//!   "contacts": [{"id": "C-1", "name": "Ada", "created_at": "2024-01-01T09:00:00Z"}],
//!   "deals": [
//!     {"id": "D-1", "contact": "C-1", "pipeline": "sales", "stage": "won", "status": "won",
//!      "value": {"amount": "499.99", "currency": "USD"},
//!      "created_at": "2024-01-02T09:00:00Z", "closed_at": "2024-01-20T09:00:00Z"},
//!     {"id": "D-2", "contact": "C-1", "pipeline": "sales", "stage": "qualify",
//!      "value": {"amount": "0.01", "currency": "USD"}, "created_at": "2024-02-01T09:00:00Z"}]
//! }"#)?;
//!
//! let usd = Currency::new("USD")?;
//! let total = Money::sum(usd, dataset.deals().iter().map(|d| &d.value))?;
//! assert_eq!(total, Money::parse("500.00", usd)?); // exact to the cent
//! let won = dataset.deals().iter().filter(|d| d.status == DealStatus::Won).count();
//! assert_eq!(won, 1);
//! Ok::<(), crmkit::Error>(())
//! ```
//!
//! # Modules
//!
//! - [`model`]: contacts, companies, lifecycle, deals, pipelines, activities,
//!   campaigns, tickets, tasks, reps; the validated [`model::Dataset`].
//! - [`money`]: exact money, currencies, exchange rates, percentages.
//! - [`calendar`]: periods, fiscal calendars, relative deadlines.
//! - [`kpi`]: the KPI catalog (ids, units, directions, formulas), exact KPI
//!   calculators per period and segment, mergeable accumulators, reports,
//!   time series and the pipeline bottleneck report.
//! - [`goals`]: SMART goal validator with reasons, goal tracking, six locales.
//! - [`automation`]: automation rules, the $500 deal routing, rule-set gap/overlap analysis.
//! - [`journeys`]: multi-step automations over time (waits, goals, A/B
//!   splits) as a pure, durable state machine.
//! - [`predict`]: conversion propensity, ideal-customer profile, RFM,
//!   BG/NBD + Gamma-Gamma customer lifetime value, at-risk customers.
//! - [`attribution`]: multi-touch attribution (rule-based, Markov,
//!   Shapley) with ROI and cost per acquisition.
//! - [`experiments`]: A/B/n test statistics (z, chi-square, Welch,
//!   Bayesian closed form, sample size, SRM, mSPRT).
//! - [`sample`]: a seeded generator of realistic sample data.
//! - [`scoring`]: lead scoring models, explained scores and a batch path.
//! - `ffi` (feature `ffi`, on by default): the C ABI declared in
//!   `include/crmkit.h`.
#![deny(missing_docs)]
#![deny(unsafe_code)]
#![deny(clippy::missing_errors_doc)]

pub mod attribution;
pub mod automation;
pub mod calendar;
pub mod error;
mod exact_json;
pub mod experiments;
#[cfg(feature = "ffi")]
#[allow(unsafe_code)]
pub mod ffi;
pub mod goals;
pub mod journeys;
pub mod kpi;
pub mod model;
pub mod money;
pub mod predict;
pub mod sample;
pub mod scoring;
pub mod segments;

pub use error::{Error, ErrorKind, Result};

/// The `chrono` crate crmkit's API uses (`Timestamp` is
/// `chrono::DateTime<chrono::Utc>`), re-exported so that a host uses the
/// same version.
pub use chrono;
/// The `rust_decimal` crate crmkit's API uses (`Money` amounts are
/// `rust_decimal::Decimal`), re-exported so that a host uses the same
/// version.
pub use rust_decimal;

/// The README's Rust examples, compiled and run as doctests so that they
/// cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
