//! The Arrow schema of crmkit's tables: what a Parquet file or a
//! `RecordBatch` holds for contacts, deals (with their stage history),
//! purchases and sales reps.
//!
//! Conventions, the same in every table:
//!
//! - ids and free text are `Utf8`;
//! - instants are `Timestamp(Microsecond, "UTC")` — microseconds since the
//!   Unix epoch, the unit Parquet and DataFusion use for `TIMESTAMP`
//!   (a time with sub-microsecond digits cannot be written: an error, not a
//!   rounding);
//! - money is two columns: `amount` as [`Decimal128`](DataType::Decimal128)
//!   with precision [`MONEY_PRECISION`] and scale [`MONEY_SCALE`] (exact, as
//!   in SQL's `DECIMAL(38, 4)`) and `currency`, the ISO 4217 code as `Utf8`.
//!   The reader accepts any `Decimal128` scale up to 28;
//! - enums (deal status and kind, lifecycle stage) are their crmkit JSON
//!   names as `Utf8` (`"won"`, `"cross_sell"`, `"mql"`);
//! - a column that may be null in crmkit is nullable here, and such a column
//!   may also be left out of a table altogether.
//!
//! Deals carry their stage history as a list of
//! `{stage, entered_at, exited_at}` structs, contacts their lifecycle
//! history as a list of `{from, to, at}` structs. What is not in these
//! tables (contact demographics, tags and custom attributes, purchase line
//! items) is not read or written; the loader leaves them empty.
//!
//! ```
//! use crmkit_datafusion::schema;
//!
//! let deals = schema::deals();
//! assert_eq!(deals.field_with_name("amount").unwrap().data_type().to_string(), "Decimal128(38, 4)");
//! assert_eq!(
//!     deals.field_with_name("created_at").unwrap().data_type().to_string(),
//!     "Timestamp(µs, \"UTC\")"
//! );
//! Ok::<(), crmkit::Error>(())
//! ```

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};

/// Precision of every money amount column.
pub const MONEY_PRECISION: u8 = 38;
/// Scale of every money amount column written by this crate.
pub const MONEY_SCALE: i8 = 4;

/// The money amount type, `Decimal128(38, 4)`.
pub fn money() -> DataType {
    DataType::Decimal128(MONEY_PRECISION, MONEY_SCALE)
}

/// The instant type, `Timestamp(Microsecond, "UTC")`.
pub fn timestamp() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("UTC")))
}

fn text(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

fn instant(name: &str, nullable: bool) -> Field {
    Field::new(name, timestamp(), nullable)
}

/// The struct of one stage visit: `stage`, `entered_at`, `exited_at`.
pub fn stage_visit_fields() -> Fields {
    Fields::from(vec![
        text("stage", false),
        instant("entered_at", false),
        instant("exited_at", true),
    ])
}

/// The struct of one lifecycle transition: `from`, `to`, `at`.
pub fn lifecycle_transition_fields() -> Fields {
    Fields::from(vec![
        text("from", false),
        text("to", false),
        instant("at", false),
    ])
}

/// A list of structs, as the history columns use.
pub fn list_of(fields: Fields) -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Struct(fields), true)))
}

/// Deals: one row per deal, with its stage history.
///
/// `id`, `name`, `contact`, `company`?, `pipeline`, `stage`, `status`,
/// `kind`, `amount`, `currency`, `lost_reason`?, `created_at`, `closed_at`?,
/// `owner`?, `source_campaign`?, `stage_history` (list of
/// [`stage_visit_fields`]); `?` marks a nullable column.
pub fn deals() -> SchemaRef {
    Arc::new(Schema::new(vec![
        text("id", false),
        text("name", false),
        text("contact", false),
        text("company", true),
        text("pipeline", false),
        text("stage", false),
        text("status", false),
        text("kind", false),
        Field::new("amount", money(), false),
        text("currency", false),
        text("lost_reason", true),
        instant("created_at", false),
        instant("closed_at", true),
        text("owner", true),
        text("source_campaign", true),
        Field::new("stage_history", list_of(stage_visit_fields()), true),
    ]))
}

/// Purchases: one row per purchase activity.
///
/// `id`, `contact`, `at`, `amount`, `currency`, `deal`?, `campaign`?,
/// `rep`?.
pub fn purchases() -> SchemaRef {
    Arc::new(Schema::new(vec![
        text("id", false),
        text("contact", false),
        instant("at", false),
        Field::new("amount", money(), false),
        text("currency", false),
        text("deal", true),
        text("campaign", true),
        text("rep", true),
    ]))
}

/// Contacts: one row per contact, with the lifecycle history.
///
/// `id`, `name`, `email`?, `phone`?, `job_title`?, `company`?, `owner`?,
/// `source_campaign`?, `country`?, `territory`?, `created_at`,
/// `lifecycle_stage`, `lifecycle_history` (list of
/// [`lifecycle_transition_fields`]).
pub fn contacts() -> SchemaRef {
    Arc::new(Schema::new(vec![
        text("id", false),
        text("name", false),
        text("email", true),
        text("phone", true),
        text("job_title", true),
        text("company", true),
        text("owner", true),
        text("source_campaign", true),
        text("country", true),
        text("territory", true),
        instant("created_at", false),
        text("lifecycle_stage", false),
        Field::new(
            "lifecycle_history",
            list_of(lifecycle_transition_fields()),
            true,
        ),
    ]))
}

/// Sales reps: `id`, `name`, `email`?, `team`?, `active`.
pub fn reps() -> SchemaRef {
    Arc::new(Schema::new(vec![
        text("id", false),
        text("name", false),
        text("email", true),
        text("team", true),
        Field::new("active", DataType::Boolean, false),
    ]))
}
