//! The error of reading and writing crmkit tables: it names the source (a
//! file or a table), the row and the column.
//!
//! ```
//! use crmkit_datafusion::LoadError;
//!
//! let e = LoadError::new("deals.parquet", Some(3), Some("amount"), "negative amount");
//! assert_eq!(e.to_string(), "deals.parquet: row 3, column amount: negative amount");
//! Ok::<(), crmkit::Error>(())
//! ```

use std::fmt;

/// A value that could not be read or written, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file, or the table when there is no file.
    pub source: String,
    /// The row within the source (0-based, counted across its batches).
    pub row: Option<usize>,
    /// The column, with the struct field after a dot
    /// (`stage_history.entered_at`).
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl LoadError {
    /// An error at `source`, `row`, `column`.
    pub fn new(
        source: &str,
        row: Option<usize>,
        column: Option<&str>,
        message: impl Into<String>,
    ) -> LoadError {
        LoadError {
            source: source.to_string(),
            row,
            column: column.map(str::to_string),
            message: message.into(),
        }
    }

    /// The same error, its row moved by `offset` and its source renamed
    /// (a batch's error placed in its file).
    pub fn within(mut self, source: &str, offset: usize) -> LoadError {
        self.source = source.to_string();
        self.row = self.row.map(|r| r + offset);
        self
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)?;
        let mut sep = ": ";
        if let Some(row) = self.row {
            write!(f, "{sep}row {row}")?;
            sep = ", ";
        }
        if let Some(column) = &self.column {
            write!(f, "{sep}column {column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for LoadError {}

impl From<LoadError> for datafusion::error::DataFusionError {
    fn from(e: LoadError) -> Self {
        datafusion::error::DataFusionError::Execution(e.to_string())
    }
}
