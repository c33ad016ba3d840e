//! Parquet files and record batches into a crmkit
//! [`Dataset`], for what fits in memory.
//!
//! The configuration a dataset needs besides its records (pipelines, teams,
//! the reporting currency, exchange rates, the fiscal calendar) comes in as
//! [`DatasetParts`]; the tables add their records to it, and the whole is
//! validated by [`Dataset::new`] — an error there (a deal whose contact is
//! not in the dataset, a stage not in its pipeline) names the record.
//!
//! ```
//! use crmkit::sample::{generate, SampleConfig};
//! use crmkit_datafusion::load::{Table, TableKind, load_dataset};
//! use crmkit_datafusion::write;
//!
//! let to_crm = |e: crmkit_datafusion::LoadError| crmkit::Error::new(crmkit::ErrorKind::Invalid, e.to_string());
//! let ds = generate(&SampleConfig { contacts: 30, ..SampleConfig::default() })?;
//! // Keep the configuration, move the records through Arrow.
//! let mut base = ds.parts().clone();
//! base.contacts.clear();
//! base.deals.clear();
//! let tables = [
//!     Table::new(TableKind::Contacts, "contacts", vec![write::contacts(ds.contacts()).map_err(to_crm)?]),
//!     Table::new(TableKind::Deals, "deals", vec![write::deals(ds.deals()).map_err(to_crm)?]),
//! ];
//! let loaded = load_dataset(base, &tables).map_err(to_crm)?;
//! // Tags are not part of the deals table (see the schema module).
//! let expected: Vec<_> = ds.deals().iter().cloned().map(|mut d| { d.tags.clear(); d }).collect();
//! assert_eq!(loaded.deals(), expected.as_slice());
//! Ok::<(), crmkit::Error>(())
//! ```

use std::fs::File;
use std::path::Path;

use crmkit::model::{Dataset, DatasetParts};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::LoadError;
use crate::read;
use crate::tables::TableSpec;

/// Which crmkit table a set of batches holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TableKind {
    /// [`schema::contacts`](crate::schema::contacts).
    Contacts,
    /// [`schema::deals`](crate::schema::deals).
    Deals,
    /// [`schema::purchases`](crate::schema::purchases).
    Purchases,
    /// [`schema::reps`](crate::schema::reps).
    Reps,
    /// [`TableSpec::companies`].
    Companies,
    /// [`TableSpec::activities`] (every kind; do not also load
    /// [`Purchases`](TableKind::Purchases) for the same rows).
    Activities,
    /// [`TableSpec::tickets`].
    Tickets,
    /// [`TableSpec::campaigns`].
    Campaigns,
    /// [`TableSpec::spend`].
    Spend,
}

/// One table's batches and the name its errors use (a file name, or a
/// table name).
#[derive(Debug, Clone)]
pub struct Table {
    /// What the batches hold.
    pub kind: TableKind,
    /// The source named in errors.
    pub source: String,
    /// The rows.
    pub batches: Vec<RecordBatch>,
}

impl Table {
    /// A table from batches.
    pub fn new(kind: TableKind, source: &str, batches: Vec<RecordBatch>) -> Table {
        Table {
            kind,
            source: source.to_string(),
            batches,
        }
    }

    /// A table read from a Parquet file; errors name the file.
    ///
    /// # Errors
    ///
    /// A [`LoadError`] naming the file when it cannot be opened or is not
    /// valid Parquet.
    pub fn from_parquet(kind: TableKind, path: &Path) -> Result<Table, LoadError> {
        let source = path.display().to_string();
        Ok(Table {
            kind,
            batches: read_parquet(path)?,
            source,
        })
    }
}

/// Every batch of a Parquet file.
///
/// # Errors
///
/// A [`LoadError`] naming the file when it cannot be opened or decoded.
pub fn read_parquet(path: &Path) -> Result<Vec<RecordBatch>, LoadError> {
    let source = path.display().to_string();
    let err = |e: &dyn std::fmt::Display| LoadError::new(&source, None, None, e.to_string());
    let file = File::open(path).map_err(|e| err(&e))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| err(&e))?
        .build()
        .map_err(|e| err(&e))?;
    reader.collect::<Result<Vec<_>, _>>().map_err(|e| err(&e))
}

/// Writes batches of one schema to a Parquet file, with the Parquet
/// writer's default properties.
///
/// # Errors
///
/// A [`LoadError`] naming the file when it cannot be written.
pub fn write_parquet(
    path: &Path,
    schema: SchemaRef,
    batches: &[RecordBatch],
) -> Result<(), LoadError> {
    let source = path.display().to_string();
    let err = |e: &dyn std::fmt::Display| LoadError::new(&source, None, None, e.to_string());
    let file = File::create(path).map_err(|e| err(&e))?;
    let mut writer = ArrowWriter::try_new(file, schema, None).map_err(|e| err(&e))?;
    for batch in batches {
        writer.write(batch).map_err(|e| err(&e))?;
    }
    writer.close().map_err(|e| err(&e))?;
    Ok(())
}

/// Adds the records of `tables` to `base` and validates the whole into a
/// [`Dataset`].
///
/// # Errors
///
/// A [`LoadError`] naming the source, row and column of a value that cannot
/// be read, or (source `dataset`) crmkit's validation error, which names the
/// record (`deals[12].contact`).
pub fn load_dataset(mut base: DatasetParts, tables: &[Table]) -> Result<Dataset, LoadError> {
    for table in tables {
        match table.kind {
            TableKind::Contacts => base
                .contacts
                .extend(read::contacts(&table.batches, &table.source)?),
            TableKind::Deals => base
                .deals
                .extend(read::deals(&table.batches, &table.source)?),
            TableKind::Purchases => base
                .activities
                .extend(read::purchases(&table.batches, &table.source)?),
            TableKind::Reps => base.reps.extend(read::reps(&table.batches, &table.source)?),
            TableKind::Companies => base
                .companies
                .extend(TableSpec::companies().read(&table.batches, &table.source)?),
            TableKind::Activities => base
                .activities
                .extend(TableSpec::activities().read(&table.batches, &table.source)?),
            TableKind::Tickets => base
                .tickets
                .extend(TableSpec::tickets().read(&table.batches, &table.source)?),
            TableKind::Campaigns => base
                .campaigns
                .extend(TableSpec::campaigns().read(&table.batches, &table.source)?),
            TableKind::Spend => base
                .spend
                .extend(TableSpec::spend().read(&table.batches, &table.source)?),
        }
    }
    Dataset::new(base).map_err(|e| LoadError::new("dataset", None, None, e.to_string()))
}
