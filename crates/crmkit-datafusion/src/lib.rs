//! crmkit inside Apache DataFusion: crmkit's tables as Arrow/Parquet with a
//! documented [`schema`], a loader back into crmkit's
//! [`Dataset`](crmkit::model::Dataset), and SQL functions that run crmkit's
//! engines on the rows of a query — giving the same digits as the in-memory
//! library.
//!
//! ```
//! use crmkit::sample::{generate, SampleConfig};
//! use crmkit_datafusion::{read, write};
//!
//! let ds = generate(&SampleConfig { contacts: 20, ..SampleConfig::default() })?;
//! let to_crm = |e: crmkit_datafusion::LoadError| crmkit::Error::new(crmkit::ErrorKind::Invalid, e.to_string());
//! let batch = write::contacts(ds.contacts()).map_err(to_crm)?;
//! assert_eq!(batch.num_rows(), ds.contacts().len());
//! assert_eq!(read::contacts(&[batch], "contacts").map_err(to_crm)?.len(), ds.contacts().len());
//! Ok::<(), crmkit::Error>(())
//! ```
//!
//! # Modules
//!
//! - [`schema`]: the Arrow schema of each table.
//! - [`write`](mod@write) and [`read`]: crmkit records to and from record batches.
//! - [`load`]: Parquet files and batches into a `Dataset`.
//! - [`kpi_udaf`]: `crm_kpi`, the KPI accumulators as an aggregate function.
//! - [`kpi_tables`]: the tables `crm_kpi` reads, the KPIs of each, multi-table KPIs.
//! - [`route_udf`]: `crm_route`, an automation rule set's decision for a deal row.
//! - [`clv`]: `crm_rfm`, the RFM summary as an aggregate, and `crm_clv`, a CLV model's prediction.
//! - [`score_batch_udf`]: `crm_lead_score_batch`, the columnar scoring path on encoded columns.
//! - [`score_udf`]: `crm_lead_score`, a scoring model's explained score of a contact.
//! - [`goal_udf`]: `crm_goal_validate`, crmkit's SMART goal validator on a goal JSON column.
//! - [`tables`]: companies, activities, tickets, campaigns and spend as
//!   Arrow tables.
#![deny(missing_docs)]
#![deny(unsafe_code)]

pub mod clv;
mod compiled;
pub mod error;
pub mod goal_udf;
pub mod kpi_tables;
pub mod kpi_udaf;
pub mod load;
pub mod read;
pub mod route_udf;
pub mod schema;
pub mod score_batch_udf;
pub mod score_udf;
pub mod tables;
pub mod write;

pub use error::LoadError;
