//! Arrow to crmkit records: reads batches in the [`schema`](crate::schema)
//! of this crate back into crmkit's validated types. Every failure names the
//! source, the row (counted across the batches of one source) and the
//! column.
//!
//! Columns are found by name, in any order; text columns may be `Utf8`,
//! `LargeUtf8` or `Utf8View` (what DataFusion reads Parquet strings as);
//! money may be `Decimal128` of any scale up to 28; times must be
//! microsecond timestamps with a time zone (a timestamp without one is a
//! local wall time in Arrow, and crmkit needs instants). A nullable column
//! may be left out.
//!
//! ```
//! use crmkit::sample::{generate, SampleConfig};
//! use crmkit_datafusion::{read, write};
//!
//! let ds = generate(&SampleConfig { contacts: 20, ..SampleConfig::default() })?;
//! let to_crm = |e: crmkit_datafusion::LoadError| crmkit::Error::new(crmkit::ErrorKind::Invalid, e.to_string());
//! let batch = write::deals(ds.deals()).map_err(to_crm)?;
//! let deals = read::deals(&[batch], "deals").map_err(to_crm)?;
//! // Tags are not part of the deals table (see the schema module).
//! let expected: Vec<_> = ds.deals().iter().cloned().map(|mut d| { d.tags.clear(); d }).collect();
//! assert_eq!(deals, expected);
//! Ok::<(), crmkit::Error>(())
//! ```

use std::collections::BTreeSet;
use std::sync::Arc;

use crmkit::model::{
    Activity, ActivityId, ActivityKind, CampaignId, CompanyId, Contact, ContactId, Deal, DealId,
    Lifecycle, LifecycleStage, LifecycleTransition, PipelineId, RepId, SalesRep, StageId,
    StageVisit, TeamId, Timestamp,
};
use crmkit::money::{Currency, Money};
use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Decimal128Array, ListArray, StringArray, StructArray,
    TimestampMicrosecondArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;

use crate::error::LoadError;

/// Where the value being read sits.
#[derive(Clone, Copy)]
struct Place<'a> {
    source: &'a str,
    row: usize,
}

impl Place<'_> {
    fn error(&self, column: &str, message: impl Into<String>) -> LoadError {
        LoadError::new(self.source, Some(self.row), Some(column), message)
    }
}

/// Text column, cast to `Utf8`.
struct Text {
    name: String,
    array: Option<StringArray>,
}

impl Text {
    fn get(&self, i: usize) -> Option<&str> {
        let a = self.array.as_ref()?;
        (i < a.len() && a.is_valid(i)).then(|| a.value(i))
    }

    fn required(&self, place: Place<'_>, i: usize) -> Result<&str, LoadError> {
        self.get(i)
            .ok_or_else(|| place.error(&self.name, "null in a required column"))
    }
}

struct Instants {
    name: String,
    array: Option<TimestampMicrosecondArray>,
}

impl Instants {
    fn get(&self, place: Place<'_>, i: usize) -> Result<Option<Timestamp>, LoadError> {
        let Some(a) = self.array.as_ref() else {
            return Ok(None);
        };
        if i >= a.len() || a.is_null(i) {
            return Ok(None);
        }
        let micros = a.value(i);
        Timestamp::from_timestamp_micros(micros)
            .map(Some)
            .ok_or_else(|| place.error(&self.name, format!("{micros} µs is out of range")))
    }

    fn required(&self, place: Place<'_>, i: usize) -> Result<Timestamp, LoadError> {
        self.get(place, i)?
            .ok_or_else(|| place.error(&self.name, "null in a required column"))
    }
}

struct Amounts {
    name: String,
    array: Decimal128Array,
    scale: u32,
}

impl Amounts {
    fn required(&self, place: Place<'_>, i: usize) -> Result<Decimal, LoadError> {
        if i >= self.array.len() || self.array.is_null(i) {
            return Err(place.error(&self.name, "null in a required column"));
        }
        Decimal::try_from_i128_with_scale(self.array.value(i), self.scale)
            .map_err(|e| place.error(&self.name, format!("amount out of crmkit's range: {e}")))
    }
}

/// The columns of one batch, found by name.
struct Columns<'a> {
    batch: &'a RecordBatch,
    source: &'a str,
    prefix: &'a str,
}

impl<'a> Columns<'a> {
    fn err(&self, name: &str, message: impl Into<String>) -> LoadError {
        LoadError::new(
            self.source,
            None,
            Some(&format!("{}{name}", self.prefix)),
            message,
        )
    }

    fn find(&self, name: &str, required: bool) -> Result<Option<&'a ArrayRef>, LoadError> {
        match self.batch.schema().index_of(name) {
            Ok(i) => Ok(self.batch.columns().get(i)),
            Err(_) if required => Err(self.err(name, "missing column")),
            Err(_) => Ok(None),
        }
    }

    fn text(&self, name: &str, required: bool) -> Result<Text, LoadError> {
        let full = format!("{}{name}", self.prefix);
        let Some(column) = self.find(name, required)? else {
            return Ok(Text {
                name: full,
                array: None,
            });
        };
        match column.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {}
            other => return Err(self.err(name, format!("expected text, found {other}"))),
        }
        let cast = cast(column, &DataType::Utf8).map_err(|e| self.err(name, e.to_string()))?;
        let array = cast
            .as_any()
            .downcast_ref::<StringArray>()
            .cloned()
            .ok_or_else(|| self.err(name, "expected text"))?;
        Ok(Text {
            name: full,
            array: Some(array),
        })
    }

    fn instants(&self, name: &str, required: bool) -> Result<Instants, LoadError> {
        let full = format!("{}{name}", self.prefix);
        let Some(column) = self.find(name, required)? else {
            return Ok(Instants {
                name: full,
                array: None,
            });
        };
        match column.data_type() {
            DataType::Timestamp(TimeUnit::Microsecond, Some(_)) => {}
            other => {
                return Err(self.err(
                    name,
                    format!("expected Timestamp(Microsecond, \"UTC\"), found {other}"),
                ));
            }
        }
        let array = column
            .as_any()
            .downcast_ref::<TimestampMicrosecondArray>()
            .cloned()
            .ok_or_else(|| self.err(name, "expected a microsecond timestamp"))?;
        Ok(Instants {
            name: full,
            array: Some(array),
        })
    }

    fn amounts(&self, name: &str) -> Result<Amounts, LoadError> {
        let full = format!("{}{name}", self.prefix);
        let column = self
            .find(name, true)?
            .ok_or_else(|| self.err(name, "missing column"))?;
        let scale = match column.data_type() {
            DataType::Decimal128(_, scale) if (0..=28).contains(scale) => *scale as u32,
            other => {
                return Err(self.err(
                    name,
                    format!("expected Decimal128 with a scale from 0 to 28, found {other}"),
                ));
            }
        };
        let array = column
            .as_any()
            .downcast_ref::<Decimal128Array>()
            .cloned()
            .ok_or_else(|| self.err(name, "expected Decimal128"))?;
        Ok(Amounts {
            name: full,
            array,
            scale,
        })
    }

    fn list(&self, name: &str) -> Result<Option<ListArray>, LoadError> {
        let Some(column) = self.find(name, false)? else {
            return Ok(None);
        };
        column
            .as_any()
            .downcast_ref::<ListArray>()
            .cloned()
            .map(Some)
            .ok_or_else(|| {
                self.err(
                    name,
                    format!("expected a list, found {}", column.data_type()),
                )
            })
    }
}

fn id<T>(
    make: impl Fn(String) -> crmkit::Result<T>,
    place: Place<'_>,
    column: &str,
    value: &str,
) -> Result<T, LoadError> {
    make(value.to_string()).map_err(|e| place.error(column, e.to_string()))
}

fn opt_id<T>(
    make: impl Fn(String) -> crmkit::Result<T>,
    place: Place<'_>,
    column: &Text,
    i: usize,
) -> Result<Option<T>, LoadError> {
    column
        .get(i)
        .map(|v| id(make, place, &column.name, v))
        .transpose()
}

fn enum_value<T: DeserializeOwned>(
    place: Place<'_>,
    column: &str,
    value: &str,
) -> Result<T, LoadError> {
    serde_json::from_value(serde_json::Value::String(value.to_string()))
        .map_err(|e| place.error(column, e.to_string()))
}

fn money(
    place: Place<'_>,
    amounts: &Amounts,
    currencies: &Text,
    i: usize,
) -> Result<Money, LoadError> {
    let amount = amounts.required(place, i)?;
    let code = currencies.required(place, i)?;
    let currency = Currency::new(code).map_err(|e| place.error(&currencies.name, e.to_string()))?;
    Ok(Money::new(amount, currency))
}

/// The rows of `list` at `row` as a struct slice: (child struct, start, end).
fn list_items(list: Option<&ListArray>, row: usize) -> Option<(Arc<dyn Array>, usize, usize)> {
    let list = list?;
    if row >= list.len() || list.is_null(row) {
        return None;
    }
    let offsets = list.value_offsets();
    let start = usize::try_from(*offsets.get(row)?).ok()?;
    let end = usize::try_from(*offsets.get(row + 1)?).ok()?;
    Some((list.values().clone(), start, end))
}

fn struct_batch(
    values: &Arc<dyn Array>,
    source: &str,
    column: &str,
) -> Result<RecordBatch, LoadError> {
    let s = values
        .as_any()
        .downcast_ref::<StructArray>()
        .ok_or_else(|| LoadError::new(source, None, Some(column), "expected a list of structs"))?;
    Ok(RecordBatch::from(s.clone()))
}

/// Deals from batches in the [`schema::deals`](crate::schema::deals) schema.
///
/// # Errors
///
/// A [`LoadError`] naming `source`, the row and the column of the first
/// value that is missing, null where required, of the wrong type, or not a
/// valid crmkit value (an empty id, a status that is not `open`, `won` or
/// `lost`, a currency that is not three capital letters).
pub fn deals(batches: &[RecordBatch], source: &str) -> Result<Vec<Deal>, LoadError> {
    let mut out = Vec::new();
    for batch in batches {
        let offset = out.len();
        let c = Columns {
            batch,
            source,
            prefix: "",
        };
        let (id_col, name, contact, company) = (
            c.text("id", true)?,
            c.text("name", false)?,
            c.text("contact", true)?,
            c.text("company", false)?,
        );
        let (pipeline, stage, status, kind) = (
            c.text("pipeline", true)?,
            c.text("stage", true)?,
            c.text("status", false)?,
            c.text("kind", false)?,
        );
        let (amount, currency, lost_reason) = (
            c.amounts("amount")?,
            c.text("currency", true)?,
            c.text("lost_reason", false)?,
        );
        let (created_at, closed_at) = (
            c.instants("created_at", true)?,
            c.instants("closed_at", false)?,
        );
        let (owner, source_campaign) = (c.text("owner", false)?, c.text("source_campaign", false)?);
        let history = c.list("stage_history")?;
        let visits = match &history {
            Some(list) => Some(struct_batch(list.values(), source, "stage_history")?),
            None => None,
        };
        let visit_columns = visits.as_ref().map(|b| Columns {
            batch: b,
            source,
            prefix: "stage_history.",
        });
        let visit_stage = visit_columns
            .as_ref()
            .map(|v| v.text("stage", true))
            .transpose()?;
        let visit_entered = visit_columns
            .as_ref()
            .map(|v| v.instants("entered_at", true))
            .transpose()?;
        let visit_exited = visit_columns
            .as_ref()
            .map(|v| v.instants("exited_at", false))
            .transpose()?;
        for i in 0..batch.num_rows() {
            let place = Place {
                source,
                row: offset + i,
            };
            let mut stage_history = Vec::new();
            if let (Some((_, start, end)), Some(vs), Some(ve), Some(vx)) = (
                list_items(history.as_ref(), i),
                &visit_stage,
                &visit_entered,
                &visit_exited,
            ) {
                for j in start..end {
                    stage_history.push(StageVisit {
                        stage: id(StageId::new, place, &vs.name, vs.required(place, j)?)?,
                        entered_at: ve.required(place, j)?,
                        exited_at: vx.get(place, j)?,
                    });
                }
            }
            out.push(Deal {
                id: id(DealId::new, place, &id_col.name, id_col.required(place, i)?)?,
                name: name.get(i).unwrap_or_default().to_string(),
                contact: id(
                    ContactId::new,
                    place,
                    &contact.name,
                    contact.required(place, i)?,
                )?,
                company: opt_id(CompanyId::new, place, &company, i)?,
                pipeline: id(
                    PipelineId::new,
                    place,
                    &pipeline.name,
                    pipeline.required(place, i)?,
                )?,
                stage: id(StageId::new, place, &stage.name, stage.required(place, i)?)?,
                value: money(place, &amount, &currency, i)?,
                status: match status.get(i) {
                    Some(s) => enum_value(place, &status.name, s)?,
                    None => Default::default(),
                },
                lost_reason: lost_reason.get(i).map(str::to_string),
                kind: match kind.get(i) {
                    Some(s) => enum_value(place, &kind.name, s)?,
                    None => Default::default(),
                },
                created_at: created_at.required(place, i)?,
                closed_at: closed_at.get(place, i)?,
                owner: opt_id(RepId::new, place, &owner, i)?,
                source_campaign: opt_id(CampaignId::new, place, &source_campaign, i)?,
                stage_history,
                tags: BTreeSet::new(),
            });
        }
    }
    Ok(out)
}

/// Purchase activities from batches in the
/// [`schema::purchases`](crate::schema::purchases) schema.
///
/// # Errors
///
/// As [`deals`].
pub fn purchases(batches: &[RecordBatch], source: &str) -> Result<Vec<Activity>, LoadError> {
    let mut out = Vec::new();
    for batch in batches {
        let offset = out.len();
        let c = Columns {
            batch,
            source,
            prefix: "",
        };
        let (id_col, contact, at) = (
            c.text("id", true)?,
            c.text("contact", true)?,
            c.instants("at", true)?,
        );
        let (amount, currency) = (c.amounts("amount")?, c.text("currency", true)?);
        let (deal, campaign, rep) = (
            c.text("deal", false)?,
            c.text("campaign", false)?,
            c.text("rep", false)?,
        );
        for i in 0..batch.num_rows() {
            let place = Place {
                source,
                row: offset + i,
            };
            out.push(Activity {
                id: id(
                    ActivityId::new,
                    place,
                    &id_col.name,
                    id_col.required(place, i)?,
                )?,
                contact: id(
                    ContactId::new,
                    place,
                    &contact.name,
                    contact.required(place, i)?,
                )?,
                at: at.required(place, i)?,
                deal: opt_id(DealId::new, place, &deal, i)?,
                campaign: opt_id(CampaignId::new, place, &campaign, i)?,
                rep: opt_id(RepId::new, place, &rep, i)?,
                kind: ActivityKind::Purchase {
                    amount: money(place, &amount, &currency, i)?,
                    items: Vec::new(),
                },
            });
        }
    }
    Ok(out)
}

fn stage(place: Place<'_>, column: &str, value: &str) -> Result<LifecycleStage, LoadError> {
    LifecycleStage::parse(value)
        .ok_or_else(|| place.error(column, format!("unknown lifecycle stage {value:?}")))
}

/// Contacts from batches in the [`schema::contacts`](crate::schema::contacts)
/// schema.
///
/// # Errors
///
/// As [`deals`].
pub fn contacts(batches: &[RecordBatch], source: &str) -> Result<Vec<Contact>, LoadError> {
    let mut out = Vec::new();
    for batch in batches {
        let offset = out.len();
        let c = Columns {
            batch,
            source,
            prefix: "",
        };
        let (id_col, name) = (c.text("id", true)?, c.text("name", false)?);
        let [
            email,
            phone,
            job_title,
            company,
            owner,
            campaign,
            country,
            territory,
        ] = [
            "email",
            "phone",
            "job_title",
            "company",
            "owner",
            "source_campaign",
            "country",
            "territory",
        ]
        .map(|n| c.text(n, false));
        let (email, phone, job_title, company) = (email?, phone?, job_title?, company?);
        let (owner, campaign, country, territory) = (owner?, campaign?, country?, territory?);
        let created_at = c.instants("created_at", true)?;
        let lifecycle_stage = c.text("lifecycle_stage", false)?;
        let history = c.list("lifecycle_history")?;
        let items = match &history {
            Some(list) => Some(struct_batch(list.values(), source, "lifecycle_history")?),
            None => None,
        };
        let ic = items.as_ref().map(|b| Columns {
            batch: b,
            source,
            prefix: "lifecycle_history.",
        });
        let from = ic.as_ref().map(|v| v.text("from", true)).transpose()?;
        let to = ic.as_ref().map(|v| v.text("to", true)).transpose()?;
        let at = ic.as_ref().map(|v| v.instants("at", true)).transpose()?;
        for i in 0..batch.num_rows() {
            let place = Place {
                source,
                row: offset + i,
            };
            let mut lifecycle = Lifecycle::default();
            if let Some(s) = lifecycle_stage.get(i) {
                lifecycle.stage = stage(place, &lifecycle_stage.name, s)?;
            }
            if let (Some((_, start, end)), Some(f), Some(t), Some(a)) =
                (list_items(history.as_ref(), i), &from, &to, &at)
            {
                for j in start..end {
                    lifecycle.history.push(LifecycleTransition {
                        from: stage(place, &f.name, f.required(place, j)?)?,
                        to: stage(place, &t.name, t.required(place, j)?)?,
                        at: a.required(place, j)?,
                    });
                }
            }
            out.push(Contact {
                id: id(
                    ContactId::new,
                    place,
                    &id_col.name,
                    id_col.required(place, i)?,
                )?,
                name: name.get(i).unwrap_or_default().to_string(),
                email: email.get(i).map(str::to_string),
                phone: phone.get(i).map(str::to_string),
                job_title: job_title.get(i).map(str::to_string),
                company: opt_id(CompanyId::new, place, &company, i)?,
                owner: opt_id(RepId::new, place, &owner, i)?,
                source_campaign: opt_id(CampaignId::new, place, &campaign, i)?,
                country: country.get(i).map(str::to_string),
                territory: territory.get(i).map(str::to_string),
                created_at: created_at.required(place, i)?,
                lifecycle,
                demographics: Default::default(),
                tags: BTreeSet::new(),
                attributes: Default::default(),
            });
        }
    }
    Ok(out)
}

/// Sales reps from batches in the [`schema::reps`](crate::schema::reps)
/// schema.
///
/// # Errors
///
/// As [`deals`].
pub fn reps(batches: &[RecordBatch], source: &str) -> Result<Vec<SalesRep>, LoadError> {
    let mut out = Vec::new();
    for batch in batches {
        let offset = out.len();
        let c = Columns {
            batch,
            source,
            prefix: "",
        };
        let (id_col, name, email, team) = (
            c.text("id", true)?,
            c.text("name", false)?,
            c.text("email", false)?,
            c.text("team", false)?,
        );
        let active = match c.find("active", false)? {
            Some(a) => Some(
                a.as_any()
                    .downcast_ref::<BooleanArray>()
                    .cloned()
                    .ok_or_else(|| {
                        c.err(
                            "active",
                            format!("expected Boolean, found {}", a.data_type()),
                        )
                    })?,
            ),
            None => None,
        };
        for i in 0..batch.num_rows() {
            let place = Place {
                source,
                row: offset + i,
            };
            out.push(SalesRep {
                id: id(RepId::new, place, &id_col.name, id_col.required(place, i)?)?,
                name: name.get(i).unwrap_or_default().to_string(),
                email: email.get(i).map(str::to_string),
                team: opt_id(TeamId::new, place, &team, i)?,
                territories: Vec::new(),
                active: active
                    .as_ref()
                    .is_none_or(|a| i >= a.len() || a.is_null(i) || a.value(i)),
            });
        }
    }
    Ok(out)
}
