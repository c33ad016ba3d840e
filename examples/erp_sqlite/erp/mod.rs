//! The ERP integration, in three steps: the ERP's tables ([`schema`]), rows
//! to a crmkit dataset ([`load`]), and crmkit's results back into the
//! database ([`results`]); journeys keep their per-contact state in the
//! database too ([`journeys`]).

pub mod journeys;
pub mod load;
pub mod results;
pub mod schema;

use std::fmt;

pub use load::MapError;

/// Anything that can go wrong in the integration.
#[derive(Debug)]
pub enum ErpError {
    /// The database refused a statement.
    Sql(rusqlite::Error),
    /// A row could not be mapped (table, row, column and why).
    Map(MapError),
    /// crmkit rejected the data or a configuration.
    Crm(crmkit::Error),
    /// JSON (de)serialisation of a column failed.
    Json(serde_json::Error),
}

impl fmt::Display for ErpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErpError::Sql(e) => write!(f, "database: {e}"),
            ErpError::Map(e) => write!(f, "mapping: {e}"),
            ErpError::Crm(e) => write!(f, "crmkit: {e}"),
            ErpError::Json(e) => write!(f, "json: {e}"),
        }
    }
}

impl std::error::Error for ErpError {}

impl From<rusqlite::Error> for ErpError {
    fn from(e: rusqlite::Error) -> Self {
        ErpError::Sql(e)
    }
}

impl From<MapError> for ErpError {
    fn from(e: MapError) -> Self {
        ErpError::Map(e)
    }
}

impl From<crmkit::Error> for ErpError {
    fn from(e: crmkit::Error) -> Self {
        ErpError::Crm(e)
    }
}

impl From<serde_json::Error> for ErpError {
    fn from(e: serde_json::Error) -> Self {
        ErpError::Json(e)
    }
}
