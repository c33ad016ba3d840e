//! Companies, activities, tickets, campaigns and spend as Arrow tables: schema, write
//! and read, with the conventions of the [`schema`] module
//! (ids and text `Utf8`, instants `Timestamp(Microsecond, "UTC")`, money a
//! `Decimal128(38, 4)` amount beside an ISO 4217 currency code, enums their
//! crmkit JSON names, nullable columns may be left out).
//!
//! | table | columns (`?` nullable) |
//! |---|---|
//! | [`companies`](TableSpec::companies) | `id`, `name`, `industry`?, `employees`? (`UInt32`), `annual_revenue`? + `annual_revenue_currency`?, `country`?, `territory`?, `owner`?, `created_at`? |
//! | [`activities`](TableSpec::activities) | `id`, `contact`, `at`, `deal`?, `campaign`?, `rep`?, `type` (`"purchase"`, `"call"`, …), `amount`? + `currency`? (the money of a purchase or a proposal), `details`? (the other fields of the kind as JSON text, e.g. `{"url":"/pricing","duration_seconds":40,"goal_completed":false}`) |
//! | [`tickets`](TableSpec::tickets) | `id`, `contact`, `channel`, `kind`, `priority`, `subject`, `assignee`?, `opened_at`, `first_response_at`?, `resolved_at`?, `sla_first_response_minutes`? (`UInt32`), `sla_resolution_minutes`? (`UInt32`) |
//! | [`campaigns`](TableSpec::campaigns) | `id`, `name`, `channel`, `purpose`, `cost` + `cost_currency`, `start` and `end` (`Date32`, both days inclusive) |
//! | [`spend`](TableSpec::spend) | `id`, `date` (`Date32`, the booking day), `category`, `kind`, `amount` + `currency`, `campaign`?, `team`? |
//!
//! Company tags and custom attributes are not in the table (as for
//! contacts); everything else round-trips exactly. The activities table
//! holds every kind of activity, purchases included: load it *or* the
//! purchases table of [`schema::purchases`], not
//! both.
//!
//! Reading checks each value at its column (an unknown enum name, an empty
//! id, a negative count, a currency that is not three capital letters,
//! details that are not a JSON object) and then builds the record with
//! crmkit's own deserializer; every error names the source, the row
//! (counted across batches) and the column.
//!
//! ```
//! use crmkit::sample::{generate, SampleConfig};
//! use crmkit_datafusion::tables::TableSpec;
//!
//! let to_crm = |e: crmkit_datafusion::LoadError| crmkit::Error::new(crmkit::ErrorKind::Invalid, e.to_string());
//! let ds = generate(&SampleConfig { contacts: 20, ..SampleConfig::default() })?;
//! let spec = TableSpec::tickets();
//! let batch = spec.write(ds.tickets()).map_err(to_crm)?;
//! assert_eq!(batch.schema(), spec.schema());
//! let back: Vec<crmkit::model::Ticket> = spec.read(&[batch], "tickets").map_err(to_crm)?;
//! assert_eq!(back, ds.tickets());
//! Ok::<(), crmkit::Error>(())
//! ```

use std::str::FromStr;
use std::sync::Arc;

use crmkit::chrono::{self, DateTime, NaiveDate, SecondsFormat, Utc};
use crmkit::model::{
    ActivityId, CampaignId, CampaignPurpose, Channel, CompanyId, ContactId, DealId, Priority,
    RepId, SpendCategory, SpendId, SpendKind, TeamId, TicketChannel, TicketId, TicketKind,
};
use crmkit::money::Currency;
use datafusion::arrow::array::{
    Array, ArrayRef, Date32Array, Decimal128Array, Int64Array, StringArray,
    TimestampMicrosecondArray, UInt32Array,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::LoadError;
use crate::schema;

/// The Arrow type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// `Utf8` (an id, a name, an enum's JSON name).
    Text,
    /// `Timestamp(Microsecond, "UTC")`.
    Instant,
    /// `Date32`, a calendar day.
    Date,
    /// `UInt32`, a count.
    Count,
    /// `Decimal128(38, 4)` beside a `Utf8` currency column.
    Money {
        /// The name of the currency column.
        currency: &'static str,
    },
    /// `Utf8` holding a JSON object.
    Json,
}

type Check = fn(&str) -> Result<(), String>;

/// One column of a table.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// The column's name.
    pub name: &'static str,
    /// Its type.
    pub ty: ColumnType,
    /// Whether it may be null (and left out).
    pub nullable: bool,
    check: Option<Check>,
}

/// A crmkit JSON value of `T` given as a string must deserialize.
fn check<T: DeserializeOwned>(value: &str) -> Result<(), String> {
    serde_json::from_value::<T>(Value::String(value.to_string()))
        .map(drop)
        .map_err(|e| e.to_string())
}

const fn col(name: &'static str, ty: ColumnType, nullable: bool) -> ColumnSpec {
    ColumnSpec {
        name,
        ty,
        nullable,
        check: None,
    }
}

const fn checked(name: &'static str, nullable: bool, check: Check) -> ColumnSpec {
    ColumnSpec {
        name,
        ty: ColumnType::Text,
        nullable,
        check: Some(check),
    }
}

/// A table of crmkit records: its columns and how a record's JSON maps to
/// one flat row.
#[derive(Debug, Clone, Copy)]
pub struct TableSpec {
    /// The table's name, used in write errors.
    pub name: &'static str,
    /// Its columns in order (a money column is followed by its currency
    /// column in the schema).
    pub columns: &'static [ColumnSpec],
    flatten: fn(Value) -> Result<Map<String, Value>, String>,
    unflatten: fn(Map<String, Value>) -> Value,
    /// The column a whole-record error is reported at.
    record_column: Option<&'static str>,
}

fn object(value: Value) -> Result<Map<String, Value>, String> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(format!("expected a JSON object, found {other}")),
    }
}

fn as_is(map: Map<String, Value>) -> Value {
    Value::Object(map)
}

const COMPANIES: &[ColumnSpec] = &[
    checked("id", false, check::<CompanyId>),
    col("name", ColumnType::Text, false),
    col("industry", ColumnType::Text, true),
    col("employees", ColumnType::Count, true),
    col(
        "annual_revenue",
        ColumnType::Money {
            currency: "annual_revenue_currency",
        },
        true,
    ),
    col("country", ColumnType::Text, true),
    col("territory", ColumnType::Text, true),
    checked("owner", true, check::<RepId>),
    col("created_at", ColumnType::Instant, true),
];

const ACTIVITIES: &[ColumnSpec] = &[
    checked("id", false, check::<ActivityId>),
    checked("contact", false, check::<ContactId>),
    col("at", ColumnType::Instant, false),
    checked("deal", true, check::<DealId>),
    checked("campaign", true, check::<CampaignId>),
    checked("rep", true, check::<RepId>),
    col("type", ColumnType::Text, false),
    col(
        "amount",
        ColumnType::Money {
            currency: "currency",
        },
        true,
    ),
    col("details", ColumnType::Json, true),
];

const TICKETS: &[ColumnSpec] = &[
    checked("id", false, check::<TicketId>),
    checked("contact", false, check::<ContactId>),
    checked("channel", false, check::<TicketChannel>),
    checked("kind", false, check::<TicketKind>),
    checked("priority", false, check::<Priority>),
    col("subject", ColumnType::Text, false),
    checked("assignee", true, check::<RepId>),
    col("opened_at", ColumnType::Instant, false),
    col("first_response_at", ColumnType::Instant, true),
    col("resolved_at", ColumnType::Instant, true),
    col("sla_first_response_minutes", ColumnType::Count, true),
    col("sla_resolution_minutes", ColumnType::Count, true),
];

const CAMPAIGNS: &[ColumnSpec] = &[
    checked("id", false, check::<CampaignId>),
    col("name", ColumnType::Text, false),
    checked("channel", false, check::<Channel>),
    checked("purpose", false, check::<CampaignPurpose>),
    col(
        "cost",
        ColumnType::Money {
            currency: "cost_currency",
        },
        false,
    ),
    col("start", ColumnType::Date, false),
    col("end", ColumnType::Date, false),
];

const SPEND: &[ColumnSpec] = &[
    checked("id", false, check::<SpendId>),
    col("date", ColumnType::Date, false),
    checked("category", false, check::<SpendCategory>),
    checked("kind", false, check::<SpendKind>),
    col(
        "amount",
        ColumnType::Money {
            currency: "currency",
        },
        false,
    ),
    checked("campaign", true, check::<CampaignId>),
    checked("team", true, check::<TeamId>),
];

/// An activity's `kind` object spread over `type`, `amount` and `details`.
fn flatten_activity(value: Value) -> Result<Map<String, Value>, String> {
    let mut map = object(value)?;
    let mut kind = map
        .remove("kind")
        .map(object)
        .transpose()?
        .unwrap_or_default();
    if let Some(tag) = kind.remove("type") {
        map.insert("type".into(), tag);
    }
    if matches!(kind.get("amount"), Some(Value::Object(_)))
        && let Some(amount) = kind.remove("amount")
    {
        map.insert("amount".into(), amount);
    }
    if !kind.is_empty() {
        map.insert("details".into(), Value::Object(kind));
    }
    Ok(map)
}

fn unflatten_activity(mut map: Map<String, Value>) -> Value {
    let mut kind = match map.remove("details") {
        Some(Value::Object(details)) => details,
        _ => Map::new(),
    };
    if let Some(tag) = map.remove("type") {
        kind.insert("type".into(), tag);
    }
    if let Some(amount) = map.remove("amount") {
        kind.insert("amount".into(), amount);
    }
    map.insert("kind".into(), Value::Object(kind));
    Value::Object(map)
}

const SLA: [(&str, &str); 2] = [
    ("first_response_minutes", "sla_first_response_minutes"),
    ("resolution_minutes", "sla_resolution_minutes"),
];

fn flatten_ticket(value: Value) -> Result<Map<String, Value>, String> {
    let mut map = object(value)?;
    if let Some(Value::Object(sla)) = map.remove("sla") {
        for (field, column) in SLA {
            if let Some(v) = sla.get(field) {
                map.insert(column.into(), v.clone());
            }
        }
    }
    Ok(map)
}

fn unflatten_ticket(mut map: Map<String, Value>) -> Value {
    let mut sla = Map::new();
    for (field, column) in SLA {
        if let Some(v) = map.remove(column) {
            sla.insert(field.into(), v);
        }
    }
    if !sla.is_empty() {
        map.insert("sla".into(), Value::Object(sla));
    }
    Value::Object(map)
}

/// A column's values while a batch is written.
enum Builder {
    Text(Vec<Option<String>>),
    Instant(Vec<Option<i64>>),
    Date(Vec<Option<i32>>),
    Count(Vec<Option<u32>>),
    Money(Vec<Option<i128>>, Vec<Option<String>>),
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

fn decimal_of(value: &Value) -> Result<Decimal, String> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => return Err(format!("expected a decimal, found {other}")),
    };
    Decimal::from_str(&text).map_err(|e| format!("{text}: {e}"))
}

fn units(amount: Decimal) -> Result<i128, String> {
    let scale = u32::try_from(schema::MONEY_SCALE).unwrap_or(4);
    let mut scaled = amount;
    scaled.rescale(scale);
    if scaled != amount {
        return Err(format!(
            "{amount} has more than {scale} decimal places; the money columns are DECIMAL(38, {scale})"
        ));
    }
    Ok(scaled.mantissa())
}

fn instant_of(value: &Value) -> Result<i64, String> {
    let text = value
        .as_str()
        .ok_or_else(|| format!("expected an RFC 3339 time, found {value}"))?;
    let at = DateTime::parse_from_rfc3339(text).map_err(|e| format!("{text}: {e}"))?;
    if !at.timestamp_subsec_nanos().is_multiple_of(1_000) {
        return Err(format!(
            "{text} has sub-microsecond digits; Arrow timestamps hold microseconds"
        ));
    }
    Ok(at.timestamp_micros())
}

impl Builder {
    fn new(ty: ColumnType) -> Builder {
        match ty {
            ColumnType::Text | ColumnType::Json => Builder::Text(Vec::new()),
            ColumnType::Instant => Builder::Instant(Vec::new()),
            ColumnType::Date => Builder::Date(Vec::new()),
            ColumnType::Count => Builder::Count(Vec::new()),
            ColumnType::Money { .. } => Builder::Money(Vec::new(), Vec::new()),
        }
    }

    /// Adds one value (`None`: null).
    fn push(&mut self, ty: ColumnType, value: Option<&Value>) -> Result<(), String> {
        match (self, value) {
            (Builder::Text(v), None) => v.push(None),
            (Builder::Instant(v), None) => v.push(None),
            (Builder::Date(v), None) => v.push(None),
            (Builder::Count(v), None) => v.push(None),
            (Builder::Money(a, c), None) => {
                a.push(None);
                c.push(None);
            }
            (Builder::Text(v), Some(value)) => v.push(Some(match (ty, value) {
                (ColumnType::Json, value) => value.to_string(),
                (_, Value::String(s)) => s.clone(),
                (_, other) => return Err(format!("expected text, found {other}")),
            })),
            (Builder::Instant(v), Some(value)) => v.push(Some(instant_of(value)?)),
            (Builder::Date(v), Some(value)) => {
                let text = value.as_str().unwrap_or_default();
                let day = NaiveDate::from_str(text).map_err(|e| format!("{value}: {e}"))?;
                let days = (day - epoch()).num_days();
                v.push(Some(
                    i32::try_from(days).map_err(|_| format!("{day} is out of Date32's range"))?,
                ));
            }
            (Builder::Count(v), Some(value)) => v.push(Some(
                value
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| format!("expected a count from 0 to 2^32-1, found {value}"))?,
            )),
            (Builder::Money(a, c), Some(value)) => {
                let amount = value
                    .get("amount")
                    .ok_or_else(|| format!("expected money, found {value}"))?;
                let currency = value
                    .get("currency")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("expected money, found {value}"))?;
                a.push(Some(units(decimal_of(amount)?)?));
                c.push(Some(currency.to_string()));
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<Vec<ArrayRef>, String> {
        Ok(match self {
            Builder::Text(v) => vec![Arc::new(StringArray::from(v))],
            Builder::Instant(v) => {
                vec![Arc::new(
                    TimestampMicrosecondArray::from(v).with_timezone("UTC"),
                )]
            }
            Builder::Date(v) => vec![Arc::new(Date32Array::from(v))],
            Builder::Count(v) => vec![Arc::new(UInt32Array::from(v))],
            Builder::Money(a, c) => vec![
                Arc::new(
                    Decimal128Array::from(a)
                        .with_precision_and_scale(schema::MONEY_PRECISION, schema::MONEY_SCALE)
                        .map_err(|e| e.to_string())?,
                ),
                Arc::new(StringArray::from(c)),
            ],
        })
    }
}

/// A column of one batch as read, with JSON values per row.
enum Reader {
    Absent,
    Text(StringArray),
    Instant(TimestampMicrosecondArray),
    Date(Date32Array),
    Count(Int64Array),
    Money(Decimal128Array, u32, StringArray, &'static str),
}

fn text_array(column: &ArrayRef) -> Result<StringArray, String> {
    match column.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {}
        other => return Err(format!("expected text, found {other}")),
    }
    cast(column, &DataType::Utf8)
        .map_err(|e| e.to_string())?
        .as_any()
        .downcast_ref::<StringArray>()
        .cloned()
        .ok_or_else(|| "expected text".to_string())
}

impl Reader {
    /// The value at row `i`; an error may name another column (a money
    /// value's currency column).
    fn value(&self, i: usize) -> Result<Option<Value>, (Option<&'static str>, String)> {
        let valid = |a: &dyn Array| i < a.len() && a.is_valid(i);
        Ok(match self {
            Reader::Absent => None,
            Reader::Text(a) => valid(a).then(|| Value::String(a.value(i).to_string())),
            Reader::Instant(a) if valid(a) => {
                let micros = a.value(i);
                let at = DateTime::<Utc>::from_timestamp_micros(micros)
                    .ok_or_else(|| (None, format!("{micros} µs is out of range")))?;
                Some(Value::String(
                    at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                ))
            }
            Reader::Date(a) if valid(a) => {
                let days = a.value(i);
                let day = epoch()
                    .checked_add_signed(chrono::Duration::days(i64::from(days)))
                    .ok_or_else(|| (None, format!("day {days} is out of range")))?;
                Some(Value::String(day.to_string()))
            }
            Reader::Count(a) if valid(a) => {
                let n = a.value(i);
                let n = u32::try_from(n)
                    .map_err(|_| (None, format!("{n} is not a count from 0 to 2^32-1")))?;
                Some(Value::from(n))
            }
            Reader::Money(a, scale, c, currency) if valid(a) => {
                let amount = Decimal::try_from_i128_with_scale(a.value(i), *scale)
                    .map_err(|e| (None, format!("amount out of crmkit's range: {e}")))?;
                if !valid(c) {
                    return Err((Some(*currency), "an amount without a currency".into()));
                }
                let code = c.value(i);
                Currency::new(code).map_err(|e| (Some(*currency), e.to_string()))?;
                let mut money = Map::new();
                money.insert("amount".into(), Value::String(amount.to_string()));
                money.insert("currency".into(), Value::String(code.to_string()));
                Some(Value::Object(money))
            }
            _ => None,
        })
    }
}

impl TableSpec {
    /// Companies ([`crmkit::model::Company`]).
    pub fn companies() -> TableSpec {
        TableSpec {
            name: "companies",
            columns: COMPANIES,
            flatten: object,
            unflatten: as_is,
            record_column: None,
        }
    }

    /// Activities of every kind ([`crmkit::model::Activity`]).
    pub fn activities() -> TableSpec {
        TableSpec {
            name: "activities",
            columns: ACTIVITIES,
            flatten: flatten_activity,
            unflatten: unflatten_activity,
            record_column: Some("details"),
        }
    }

    /// Support tickets ([`crmkit::model::Ticket`]).
    pub fn tickets() -> TableSpec {
        TableSpec {
            name: "tickets",
            columns: TICKETS,
            flatten: flatten_ticket,
            unflatten: unflatten_ticket,
            record_column: None,
        }
    }

    /// Marketing campaigns with their cost and run time
    /// ([`crmkit::model::Campaign`]); CAC counts the cost of the campaigns
    /// that start in the period.
    pub fn campaigns() -> TableSpec {
        TableSpec {
            name: "campaigns",
            columns: CAMPAIGNS,
            flatten: object,
            unflatten: as_is,
            record_column: None,
        }
    }

    /// Marketing and sales spend ([`crmkit::model::SpendEntry`]).
    pub fn spend() -> TableSpec {
        TableSpec {
            name: "spend",
            columns: SPEND,
            flatten: object,
            unflatten: as_is,
            record_column: None,
        }
    }

    /// The Arrow schema.
    pub fn schema(&self) -> SchemaRef {
        let mut fields = Vec::new();
        for c in self.columns {
            let ty = match c.ty {
                ColumnType::Text | ColumnType::Json => DataType::Utf8,
                ColumnType::Instant => schema::timestamp(),
                ColumnType::Date => DataType::Date32,
                ColumnType::Count => DataType::UInt32,
                ColumnType::Money { currency } => {
                    fields.push(Field::new(c.name, schema::money(), c.nullable));
                    fields.push(Field::new(currency, DataType::Utf8, c.nullable));
                    continue;
                }
            };
            fields.push(Field::new(c.name, ty, c.nullable));
        }
        Arc::new(Schema::new(fields))
    }

    /// The records as one batch in [`schema`](Self::schema).
    ///
    /// # Errors
    ///
    /// A [`LoadError`] naming the table, row and column of a value that does
    /// not fit (an amount with more than four decimals, a sub-microsecond
    /// time).
    pub fn write<T: Serialize>(&self, records: &[T]) -> Result<RecordBatch, LoadError> {
        let table = self.name;
        let mut builders: Vec<Builder> = self.columns.iter().map(|c| Builder::new(c.ty)).collect();
        for (row, record) in records.iter().enumerate() {
            let value = serde_json::to_value(record)
                .map_err(|e| LoadError::new(table, Some(row), None, e.to_string()))?;
            let flat =
                (self.flatten)(value).map_err(|e| LoadError::new(table, Some(row), None, e))?;
            for (c, builder) in self.columns.iter().zip(&mut builders) {
                let value = flat.get(c.name).filter(|v| !v.is_null());
                if value.is_none() && !c.nullable {
                    return Err(LoadError::new(
                        table,
                        Some(row),
                        Some(c.name),
                        "no value for a required column",
                    ));
                }
                builder
                    .push(c.ty, value)
                    .map_err(|e| LoadError::new(table, Some(row), Some(c.name), e))?;
            }
        }
        let mut columns = Vec::new();
        for (c, builder) in self.columns.iter().zip(builders) {
            columns.extend(
                builder
                    .finish()
                    .map_err(|e| LoadError::new(table, None, Some(c.name), e))?,
            );
        }
        RecordBatch::try_new(self.schema(), columns)
            .map_err(|e| LoadError::new(table, None, None, e.to_string()))
    }

    fn reader(
        &self,
        batch: &RecordBatch,
        source: &str,
        c: &ColumnSpec,
    ) -> Result<Reader, LoadError> {
        let err = |name: &str, m: String| LoadError::new(source, None, Some(name), m);
        let find = |name: &str| batch.column_by_name(name).cloned();
        let Some(column) = find(c.name) else {
            return if c.nullable {
                Ok(Reader::Absent)
            } else {
                Err(err(c.name, "missing column".into()))
            };
        };
        let e = |m: String| err(c.name, m);
        Ok(match c.ty {
            ColumnType::Text | ColumnType::Json => Reader::Text(text_array(&column).map_err(e)?),
            ColumnType::Instant => match column.data_type() {
                DataType::Timestamp(TimeUnit::Microsecond, Some(_)) => Reader::Instant(
                    column
                        .as_any()
                        .downcast_ref::<TimestampMicrosecondArray>()
                        .cloned()
                        .ok_or_else(|| e("expected a microsecond timestamp".into()))?,
                ),
                other => {
                    return Err(e(format!(
                        "expected Timestamp(Microsecond, \"UTC\"), found {other}"
                    )));
                }
            },
            ColumnType::Date => Reader::Date(
                column
                    .as_any()
                    .downcast_ref::<Date32Array>()
                    .cloned()
                    .ok_or_else(|| e(format!("expected Date32, found {}", column.data_type())))?,
            ),
            ColumnType::Count => {
                if !column.data_type().is_integer() {
                    return Err(e(format!(
                        "expected an integer, found {}",
                        column.data_type()
                    )));
                }
                let wide = cast(&column, &DataType::Int64).map_err(|x| e(x.to_string()))?;
                Reader::Count(
                    wide.as_any()
                        .downcast_ref::<Int64Array>()
                        .cloned()
                        .ok_or_else(|| e("expected an integer".into()))?,
                )
            }
            ColumnType::Money { currency } => {
                let scale = match column.data_type() {
                    DataType::Decimal128(_, s) if (0..=28).contains(s) => {
                        u32::try_from(*s).unwrap_or(0)
                    }
                    other => {
                        return Err(e(format!(
                            "expected Decimal128 with a scale from 0 to 28, found {other}"
                        )));
                    }
                };
                let amounts = column
                    .as_any()
                    .downcast_ref::<Decimal128Array>()
                    .cloned()
                    .ok_or_else(|| e("expected Decimal128".into()))?;
                let codes = find(currency).ok_or_else(|| err(currency, "missing column".into()))?;
                let codes = text_array(&codes).map_err(|m| err(currency, m))?;
                Reader::Money(amounts, scale, codes, currency)
            }
        })
    }

    /// Records from batches in [`schema`](Self::schema) (columns found by
    /// name, in any order; text may be `Utf8`, `LargeUtf8` or `Utf8View`,
    /// counts any integer type, money any `Decimal128` scale up to 28).
    ///
    /// # Errors
    ///
    /// A [`LoadError`] naming `source`, the row and the column of the first
    /// value that is missing, null where required, of the wrong type or not
    /// a valid crmkit value.
    pub fn read<T: DeserializeOwned>(
        &self,
        batches: &[RecordBatch],
        source: &str,
    ) -> Result<Vec<T>, LoadError> {
        let mut out = Vec::new();
        for batch in batches {
            let offset = out.len();
            let readers = self
                .columns
                .iter()
                .map(|c| self.reader(batch, source, c))
                .collect::<Result<Vec<_>, _>>()?;
            for i in 0..batch.num_rows() {
                let row = offset + i;
                let at =
                    |column: &str, m: String| LoadError::new(source, Some(row), Some(column), m);
                let mut flat = Map::new();
                for (c, reader) in self.columns.iter().zip(&readers) {
                    let value = reader
                        .value(i)
                        .map_err(|(column, m)| at(column.unwrap_or(c.name), m))?;
                    let Some(mut value) = value else {
                        if c.nullable {
                            continue;
                        }
                        return Err(at(c.name, "null in a required column".into()));
                    };
                    if let (Some(check), Value::String(s)) = (c.check, &value) {
                        check(s).map_err(|m| at(c.name, m))?;
                    }
                    if c.ty == ColumnType::Json {
                        let text = value.as_str().unwrap_or_default();
                        value = serde_json::from_str::<Value>(text)
                            .map_err(|e| at(c.name, format!("not JSON: {e}")))?;
                        if !value.is_object() {
                            return Err(at(
                                c.name,
                                format!("expected a JSON object, found {value}"),
                            ));
                        }
                    }
                    flat.insert(c.name.to_string(), value);
                }
                let record = serde_json::from_value((self.unflatten)(flat)).map_err(|e| {
                    LoadError::new(source, Some(row), self.record_column, e.to_string())
                })?;
                out.push(record);
            }
        }
        Ok(out)
    }
}
