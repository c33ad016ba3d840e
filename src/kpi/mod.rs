//! Key performance indicators: the catalog of metrics a CRM strategy is
//! measured by.
//!
//! ```
//! use crmkit::kpi::catalog::{KpiId, Category};
//!
//! let service: Vec<_> = KpiId::ALL.iter().filter(|k| k.definition().category == Category::Service).collect();
//! assert!(service.len() >= 10);
//! Ok::<(), crmkit::Error>(())
//! ```

pub mod catalog;
