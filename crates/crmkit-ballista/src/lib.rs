//! crmkit's SQL functions on an Apache Ballista cluster: the same queries
//! as single-node DataFusion (`crmkit-datafusion`), the same digits.
//!
//! - [`functions`]: the function set of one context, registered alike on
//!   the client, the scheduler and every executor.
//! - [`cluster`]: an in-process standalone cluster (a scheduler and two or
//!   more executors), a client of a remote scheduler, and the scheduler's
//!   session builder.
//! - Binaries `crmkit-scheduler` and `crmkit-executor`: a real cluster,
//!   one process each, configured by the same `--functions` file.
//!
//! ```
//! use std::sync::Arc;
//! use crmkit::sample::{generate, SampleConfig, SAMPLE_AS_OF};
//! use crmkit_ballista::{cluster, functions::CrmFunctions};
//!
//! let ds = Arc::new(generate(&SampleConfig { contacts: 10, ..SampleConfig::default() })?);
//! let request = crmkit::kpi::KpiRequest::from_json(
//!     r#"{"period": {"start": "2026-01-01", "end": "2026-07-01"}}"#,
//! )?;
//! let rfm = crmkit::predict::RfmOptions {
//!     unit: crmkit::predict::TimeUnit::Weeks,
//!     calibration_end: SAMPLE_AS_OF,
//!     observation_end: None,
//! };
//! let functions = CrmFunctions::new(ds, SAMPLE_AS_OF, request, rfm)?;
//! let rt = tokio::runtime::Runtime::new().map_err(|e| crmkit::Error::new(crmkit::ErrorKind::Invalid, e.to_string()))?;
//! let n = rt.block_on(async {
//!     let ctx = cluster::standalone(&functions, 2, 1).await?;
//!     let batches = ctx.sql("SELECT crm_clv('{}', 12, 1, 2.0, 3.0, 4.0) IS NULL AS x").await?.collect().await;
//!     Ok::<_, datafusion::error::DataFusionError>(batches.is_err())
//! }).map_err(|e| crmkit::Error::new(crmkit::ErrorKind::Invalid, e.to_string()))?;
//! assert!(n, "a CLV model that does not load is a query error on the cluster too");
//! Ok::<(), crmkit::Error>(())
//! ```
#![deny(missing_docs)]
#![deny(unsafe_code)]

pub mod args;
pub mod cluster;
pub mod functions;

pub use functions::{CrmFunctions, FunctionsConfig};
