//! crmkit records to Arrow: one `RecordBatch` per table, in the
//! [`schema`] of this crate.
//!
//! ```
//! use crmkit::sample::{generate, SampleConfig};
//! use crmkit_datafusion::write;
//!
//! let ds = generate(&SampleConfig { contacts: 20, ..SampleConfig::default() })?;
//! let deals = write::deals(ds.deals()).map_err(|e| crmkit::Error::new(crmkit::ErrorKind::Invalid, e.to_string()))?;
//! assert_eq!(deals.num_rows(), ds.deals().len());
//! Ok::<(), crmkit::Error>(())
//! ```

use std::sync::Arc;

use crmkit::model::{ActivityKind, Contact, Deal, SalesRep, Timestamp};
use crmkit::money::Money;
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Decimal128Array, ListArray, StringArray, StructArray,
    TimestampMicrosecondArray,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{Fields, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::LoadError;
use crate::schema;

/// Where a record being written sits, for error messages.
struct Place<'a> {
    table: &'a str,
    row: usize,
}

impl Place<'_> {
    fn error(&self, column: &str, message: impl Into<String>) -> LoadError {
        LoadError::new(self.table, Some(self.row), Some(column), message)
    }
}

/// Microseconds since the epoch; an instant with sub-microsecond digits is
/// an error, not a rounding.
fn micros(at: &Timestamp, place: &Place<'_>, column: &str) -> Result<i64, LoadError> {
    if !at.timestamp_subsec_nanos().is_multiple_of(1_000) {
        return Err(place.error(
            column,
            format!("{at} has sub-microsecond digits; Arrow timestamps hold microseconds"),
        ));
    }
    Ok(at.timestamp_micros())
}

/// The amount as a `Decimal128(38, 4)` mantissa; more than four decimals
/// is an error, not a rounding.
fn money_units(amount: Decimal, place: &Place<'_>, column: &str) -> Result<i128, LoadError> {
    let scale = u32::try_from(schema::MONEY_SCALE).unwrap_or(4);
    let mut scaled = amount;
    scaled.rescale(scale);
    if scaled != amount {
        return Err(place.error(
            column,
            format!(
                "{amount} has more than {scale} decimal places; the money columns are DECIMAL(38, {scale})"
            ),
        ));
    }
    Ok(scaled.mantissa())
}

/// The JSON name of a crmkit enum (`"won"`, `"cross_sell"`).
fn enum_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => e.to_string(),
    }
}

fn utf8(values: Vec<Option<String>>) -> ArrayRef {
    Arc::new(StringArray::from(values))
}

fn utf8_required(values: Vec<String>) -> ArrayRef {
    Arc::new(StringArray::from(values))
}

fn instants(values: Vec<Option<i64>>) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from(values).with_timezone("UTC"))
}

fn amounts(values: Vec<i128>) -> Result<ArrayRef, LoadError> {
    let array = Decimal128Array::from(values)
        .with_precision_and_scale(schema::MONEY_PRECISION, schema::MONEY_SCALE)
        .map_err(|e| LoadError::new("", None, Some("amount"), e.to_string()))?;
    Ok(Arc::new(array))
}

/// A list-of-struct column from per-row children.
fn struct_list(
    fields: Fields,
    offsets: Vec<i32>,
    children: Vec<ArrayRef>,
    table: &str,
    column: &str,
) -> Result<ArrayRef, LoadError> {
    let err = |e: datafusion::arrow::error::ArrowError| {
        LoadError::new(table, None, Some(column), e.to_string())
    };
    let values = StructArray::try_new(fields.clone(), children, None).map_err(err)?;
    let item = match schema::list_of(fields) {
        datafusion::arrow::datatypes::DataType::List(item) => item,
        _ => return Err(LoadError::new(table, None, Some(column), "not a list type")),
    };
    let list = ListArray::try_new(
        item,
        OffsetBuffer::new(offsets.into()),
        Arc::new(values),
        None,
    )
    .map_err(err)?;
    Ok(Arc::new(list))
}

fn batch(table: &str, schema: SchemaRef, columns: Vec<ArrayRef>) -> Result<RecordBatch, LoadError> {
    RecordBatch::try_new(schema, columns)
        .map_err(|e| LoadError::new(table, None, None, e.to_string()))
}

fn offset(len: usize, table: &str, column: &str) -> Result<i32, LoadError> {
    i32::try_from(len).map_err(|_| {
        LoadError::new(
            table,
            None,
            Some(column),
            "more than 2^31 list items in one batch",
        )
    })
}

/// Deals as a batch in the [`schema::deals`] schema.
///
/// # Errors
///
/// A [`LoadError`] naming the row and column when a value does not fit the
/// schema (an amount with more than four decimals, a sub-microsecond time).
pub fn deals(deals: &[Deal]) -> Result<RecordBatch, LoadError> {
    let table = "deals";
    let n = deals.len();
    let (mut id, mut name, mut contact, mut company) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut pipeline, mut stage, mut status, mut kind) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut amount, mut currency, mut lost_reason) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut created_at, mut closed_at, mut owner, mut source_campaign) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let mut offsets = vec![0i32];
    let (mut visit_stage, mut visit_entered, mut visit_exited) =
        (Vec::new(), Vec::new(), Vec::new());
    for (row, deal) in deals.iter().enumerate() {
        let place = Place { table, row };
        id.push(deal.id.as_str().to_string());
        name.push(deal.name.clone());
        contact.push(deal.contact.as_str().to_string());
        company.push(deal.company.as_ref().map(|c| c.as_str().to_string()));
        pipeline.push(deal.pipeline.as_str().to_string());
        stage.push(deal.stage.as_str().to_string());
        status.push(enum_name(&deal.status));
        kind.push(enum_name(&deal.kind));
        amount.push(money_units(deal.value.amount, &place, "amount")?);
        currency.push(deal.value.currency.as_str().to_string());
        lost_reason.push(deal.lost_reason.clone());
        created_at.push(Some(micros(&deal.created_at, &place, "created_at")?));
        closed_at.push(match &deal.closed_at {
            Some(at) => Some(micros(at, &place, "closed_at")?),
            None => None,
        });
        owner.push(deal.owner.as_ref().map(|r| r.as_str().to_string()));
        source_campaign.push(
            deal.source_campaign
                .as_ref()
                .map(|c| c.as_str().to_string()),
        );
        for visit in &deal.stage_history {
            visit_stage.push(visit.stage.as_str().to_string());
            visit_entered.push(Some(micros(
                &visit.entered_at,
                &place,
                "stage_history.entered_at",
            )?));
            visit_exited.push(match &visit.exited_at {
                Some(at) => Some(micros(at, &place, "stage_history.exited_at")?),
                None => None,
            });
        }
        offsets.push(offset(visit_stage.len(), table, "stage_history")?);
    }
    let history = struct_list(
        schema::stage_visit_fields(),
        offsets,
        vec![
            utf8_required(visit_stage),
            instants(visit_entered),
            instants(visit_exited),
        ],
        table,
        "stage_history",
    )?;
    batch(
        table,
        schema::deals(),
        vec![
            utf8_required(id),
            utf8_required(name),
            utf8_required(contact),
            utf8(company),
            utf8_required(pipeline),
            utf8_required(stage),
            utf8_required(status),
            utf8_required(kind),
            amounts(amount)?,
            utf8_required(currency),
            utf8(lost_reason),
            instants(created_at),
            instants(closed_at),
            utf8(owner),
            utf8(source_campaign),
            history,
        ],
    )
}

/// The purchase activities of `activities` as a batch in the
/// [`schema::purchases`] schema; other activities are skipped.
///
/// # Errors
///
/// As [`deals`].
pub fn purchases<'a>(
    activities: impl IntoIterator<Item = &'a crmkit::model::Activity>,
) -> Result<RecordBatch, LoadError> {
    let table = "purchases";
    let (mut id, mut contact, mut at, mut amount, mut currency) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut deal, mut campaign, mut rep) = (Vec::new(), Vec::new(), Vec::new());
    for activity in activities {
        let ActivityKind::Purchase { amount: paid, .. } = &activity.kind else {
            continue;
        };
        let place = Place {
            table,
            row: id.len(),
        };
        let Money {
            amount: value,
            currency: code,
        } = *paid;
        id.push(activity.id.as_str().to_string());
        contact.push(activity.contact.as_str().to_string());
        at.push(Some(micros(&activity.at, &place, "at")?));
        amount.push(money_units(value, &place, "amount")?);
        currency.push(code.as_str().to_string());
        deal.push(activity.deal.as_ref().map(|d| d.as_str().to_string()));
        campaign.push(activity.campaign.as_ref().map(|c| c.as_str().to_string()));
        rep.push(activity.rep.as_ref().map(|r| r.as_str().to_string()));
    }
    batch(
        table,
        schema::purchases(),
        vec![
            utf8_required(id),
            utf8_required(contact),
            instants(at),
            amounts(amount)?,
            utf8_required(currency),
            utf8(deal),
            utf8(campaign),
            utf8(rep),
        ],
    )
}

/// Contacts as a batch in the [`schema::contacts`] schema.
///
/// # Errors
///
/// As [`deals`].
pub fn contacts(contacts: &[Contact]) -> Result<RecordBatch, LoadError> {
    let table = "contacts";
    let n = contacts.len();
    let mut id = Vec::with_capacity(n);
    let mut name = Vec::with_capacity(n);
    let mut optional: [Vec<Option<String>>; 8] = Default::default();
    let mut created_at = Vec::with_capacity(n);
    let mut stage = Vec::with_capacity(n);
    let mut offsets = vec![0i32];
    let (mut from, mut to, mut at) = (Vec::new(), Vec::new(), Vec::new());
    for (row, c) in contacts.iter().enumerate() {
        let place = Place { table, row };
        id.push(c.id.as_str().to_string());
        name.push(c.name.clone());
        let values = [
            c.email.clone(),
            c.phone.clone(),
            c.job_title.clone(),
            c.company.as_ref().map(|x| x.as_str().to_string()),
            c.owner.as_ref().map(|x| x.as_str().to_string()),
            c.source_campaign.as_ref().map(|x| x.as_str().to_string()),
            c.country.clone(),
            c.territory.clone(),
        ];
        for (column, value) in optional.iter_mut().zip(values) {
            column.push(value);
        }
        created_at.push(Some(micros(&c.created_at, &place, "created_at")?));
        stage.push(c.lifecycle.stage.as_str().to_string());
        for t in &c.lifecycle.history {
            from.push(t.from.as_str().to_string());
            to.push(t.to.as_str().to_string());
            at.push(Some(micros(&t.at, &place, "lifecycle_history.at")?));
        }
        offsets.push(offset(from.len(), table, "lifecycle_history")?);
    }
    let history = struct_list(
        schema::lifecycle_transition_fields(),
        offsets,
        vec![utf8_required(from), utf8_required(to), instants(at)],
        table,
        "lifecycle_history",
    )?;
    let mut columns = vec![utf8_required(id), utf8_required(name)];
    columns.extend(optional.into_iter().map(utf8));
    columns.push(instants(created_at));
    columns.push(utf8_required(stage));
    columns.push(history);
    batch(table, schema::contacts(), columns)
}

/// Sales reps as a batch in the [`schema::reps`] schema.
///
/// # Errors
///
/// A [`LoadError`] if the batch cannot be assembled.
pub fn reps(reps: &[SalesRep]) -> Result<RecordBatch, LoadError> {
    batch(
        "reps",
        schema::reps(),
        vec![
            utf8_required(reps.iter().map(|r| r.id.as_str().to_string()).collect()),
            utf8_required(reps.iter().map(|r| r.name.clone()).collect()),
            utf8(reps.iter().map(|r| r.email.clone()).collect()),
            utf8(
                reps.iter()
                    .map(|r| r.team.as_ref().map(|t| t.as_str().to_string()))
                    .collect(),
            ),
            Arc::new(BooleanArray::from(
                reps.iter().map(|r| r.active).collect::<Vec<_>>(),
            )),
        ],
    )
}
