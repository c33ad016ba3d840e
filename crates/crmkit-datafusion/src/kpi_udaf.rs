//! `crm_kpi`: crmkit's KPI accumulators as a DataFusion aggregate function.
//!
//! It drives the KPI API
//! ([`KpiEngine`], [`Partition`](crmkit::kpi::Partition), [`KpiAccumulator`]); the
//! tables it reads and the KPIs of each are in [`kpi_tables`](crate::kpi_tables).
//!
//! ```sql
//! SELECT r.team, crm_kpi('win_rate', d.id, d.contact, d.pipeline, d.stage, d.status,
//!                        d.amount, d.currency, d.created_at, d.closed_at, d.owner)
//! FROM deals d JOIN reps r ON d.owner = r.id GROUP BY r.team
//! ```
//!
//! The first argument is the KPI id, a literal; the others are deal
//! columns, matched **by name** to the [`schema::deals`](crate::schema::deals)
//! columns (pass at least `id`, `contact`, `pipeline`, `stage`, `amount`,
//! `currency` and `created_at`; `status`, `closed_at`, `kind`, `owner` and
//! `stage_history` when the KPI needs them). The result is the KPI value as
//! an exact decimal string (`"41.176470588235294117647058824"`, the digits of
//! [`crmkit::kpi::compute`]), or `NULL` when it is undefined (no closed deal
//! for a win rate).
//!
//! Partial states are the accumulators' serialised JSON
//! ([`KpiAccumulator::to_json`]); `merge_batch` merges them with
//! [`KpiAccumulator::merge`] and `evaluate` finishes with
//! [`KpiEngine::finish`]. Any split of the rows into batches and partitions
//! gives the same result, digit for digit.
//!
//! # Cost
//!
//! Each row becomes a crmkit record, checked with the rules of
//! [`Dataset`] against the context dataset, and the partial state keeps
//! every record id it was fed (so that a row counted twice is refused) and
//! the facts of every contact it saw, as JSON. That is exact and
//! mergeable, but not cheap: on one 2-core machine, the KPIs of 10 million
//! purchases of 1 million customers plus 1 million deals, from Parquet,
//! took 93 s through `crm_kpi_state` (states of 309 MB), against 25 s for
//! loading the same files into a `Dataset` and calling
//! [`crmkit::kpi::compute`], and 1.1 to 1.4 s in polars or DuckDB for the
//! subset they can express (`benches/kpi_scale.rs`, `benches/kpi_peers.py`).
//! Until a columnar path exists, use these functions where the data does
//! not fit one process, or group by something smaller than the whole table.
//!
//! The deal KPIs covered (inputs in the deals table alone): see
//! [`DEAL_KPIS`]. KPIs that need other tables are computed by one
//! accumulator per table merged at the end, or in memory; see the crate
//! notes.
//!
//! ```
//! use std::sync::Arc;
//! use crmkit::kpi::KpiRequest;
//! use crmkit::sample::{generate, SampleConfig};
//! use crmkit_datafusion::kpi_udaf::KpiFunction;
//!
//! let ds = generate(&SampleConfig { contacts: 30, ..SampleConfig::default() })?;
//! let request = KpiRequest::from_json(r#"{"period": {"start": "2026-01-01", "end": "2026-07-01"}}"#)?;
//! let udaf = KpiFunction::new(Arc::new(ds), request)?.into_udaf();
//! assert_eq!(udaf.name(), "crm_kpi");
//! Ok::<(), crmkit::Error>(())
//! ```

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crmkit::kpi::catalog::KpiId;
use crmkit::kpi::{KpiAccumulator, KpiEngine, KpiRequest};
use crmkit::model::Dataset;
use datafusion::arrow::array::{Array, ArrayRef, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility,
};
use datafusion::physical_expr::expressions::Literal;

use crate::kpi_tables::{KpiTable, value_text};

/// The KPIs whose inputs are all in the deals table (revenue: under
/// `"revenue_source": "deals"`; crmkit's default, `both`, also counts the
/// purchases of the activities table).
pub const DEAL_KPIS: &[KpiId] = &[
    KpiId::WinRate,
    KpiId::Revenue,
    KpiId::AverageDealSize,
    KpiId::SalesCycleLength,
    KpiId::SalesCycleLengthMedian,
    KpiId::OpenDeals,
    KpiId::WeightedPipelineValue,
];

fn crm(e: crmkit::Error) -> DataFusionError {
    DataFusionError::Execution(format!("crm_kpi: {e}"))
}

/// The `crm_kpi` aggregate for one KPI request (its period and options)
/// over one dataset's configuration (pipelines, reps, teams, contacts,
/// exchange rates), shared by every accumulator it creates.
#[derive(Debug)]
pub struct KpiFunction {
    context: Arc<Dataset>,
    request: KpiRequest,
    signature: Signature,
    /// `true` for `crm_kpi_state`: the result is the accumulator's JSON.
    state_only: bool,
}

impl PartialEq for KpiFunction {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.context, &other.context)
            && self.request == other.request
            && self.state_only == other.state_only
    }
}

impl Eq for KpiFunction {}

impl Hash for KpiFunction {
    fn hash<H: Hasher>(&self, state: &mut H) {
        Arc::as_ptr(&self.context).hash(state);
    }
}

impl KpiFunction {
    /// The function for `request` over `context`.
    ///
    /// # Errors
    ///
    /// crmkit's error if the request does not compile against the dataset.
    pub fn new(context: Arc<Dataset>, request: KpiRequest) -> crmkit::Result<KpiFunction> {
        KpiEngine::new(&context, &request)?;
        Ok(KpiFunction {
            context,
            request,
            signature: Signature::variadic_any(Volatility::Immutable),
            state_only: false,
        })
    }

    /// The same function as `crm_kpi_state`: same arguments, but the
    /// result is the group's accumulator as JSON, to be merged with the
    /// states of other tables by [`finish_states`](crate::kpi_tables::finish_states).
    pub fn state_only(mut self) -> KpiFunction {
        self.state_only = true;
        self
    }

    /// Wraps it for registration (`ctx.register_udaf(...)`).
    pub fn into_udaf(self) -> AggregateUDF {
        AggregateUDF::new_from_impl(self)
    }
}

impl AggregateUDFImpl for KpiFunction {
    fn name(&self) -> &str {
        if self.state_only {
            "crm_kpi_state"
        } else {
            "crm_kpi"
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let kpi = args
            .exprs
            .first()
            .and_then(|e| e.downcast_ref::<Literal>())
            .and_then(|l| match l.value() {
                ScalarValue::Utf8(Some(s))
                | ScalarValue::LargeUtf8(Some(s))
                | ScalarValue::Utf8View(Some(s)) => Some(s.clone()),
                _ => None,
            })
            .ok_or_else(|| {
                DataFusionError::Plan(
                    "crm_kpi: the first argument must be a KPI id literal, e.g. 'win_rate'".into(),
                )
            })?;
        let kpi = KpiId::parse(&kpi).map_err(crm)?;
        let engine = KpiEngine::new(&self.context, &self.request).map_err(crm)?;
        let columns: Vec<Field> = args
            .expr_fields
            .iter()
            .skip(1)
            .map(|f| {
                let name = f.name().rsplit('.').next().unwrap_or(f.name()).to_string();
                Field::new(name, f.data_type().clone(), true)
            })
            .collect();
        let names: Vec<&str> = columns.iter().map(|f| f.name().as_str()).collect();
        let table = KpiTable::detect(&names).ok_or_else(|| {
            DataFusionError::Plan(format!(
                "crm_kpi: cannot tell the table from the columns {names:?}; {}",
                KpiTable::HINT
            ))
        })?;
        Ok(Box::new(KpiAccumulatorAdapter {
            context: Arc::clone(&self.context),
            request: self.request.clone(),
            table,
            state_only: self.state_only,
            kpi,
            schema: Arc::new(Schema::new(columns)),
            acc: engine.accumulator(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format!("{}[accumulator_json]", args.name),
            DataType::Utf8,
            true,
        ))])
    }
}

/// One group's [`KpiAccumulator`].
#[derive(Debug)]
struct KpiAccumulatorAdapter {
    context: Arc<Dataset>,
    request: KpiRequest,
    table: KpiTable,
    state_only: bool,
    kpi: KpiId,
    schema: Arc<Schema>,
    acc: KpiAccumulator,
}

impl KpiAccumulatorAdapter {
    fn engine(&self) -> Result<KpiEngine<'_>> {
        KpiEngine::new(&self.context, &self.request).map_err(crm)
    }
}

impl Accumulator for KpiAccumulatorAdapter {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let columns: Vec<ArrayRef> = values.iter().skip(1).cloned().collect();
        let batch = RecordBatch::try_new(Arc::clone(&self.schema), columns)?;
        let records = self.table.read(&[batch])?;
        let engine = KpiEngine::new(&self.context, &self.request).map_err(crm)?;
        engine
            .accumulate(&mut self.acc, &records.partition())
            .map_err(crm)
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        if self.state_only {
            return Ok(ScalarValue::Utf8(Some(self.acc.to_json().map_err(crm)?)));
        }
        let measurements = self.engine()?.finish(&self.acc).map_err(crm)?;
        let value = value_text(&measurements, self.kpi);
        Ok(ScalarValue::Utf8(value))
    }

    fn size(&self) -> usize {
        // The accumulator's heap part is not exposed by crmkit; its fixed
        // part is what is counted (serialising it here would cost a pass).
        std::mem::size_of_val(self)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Utf8(Some(
            self.acc.to_json().map_err(crm)?,
        ))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(column) = states.first() else {
            return Ok(());
        };
        let json = column
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or_else(|| DataFusionError::Internal("crm_kpi: state is not Utf8".into()))?;
        for i in 0..json.len() {
            if json.is_valid(i) {
                let other = KpiAccumulator::from_json(json.value(i)).map_err(crm)?;
                self.acc.merge(&other).map_err(crm)?;
            }
        }
        Ok(())
    }
}

/// Whether `kpi` is computed from the deals table alone.
pub fn is_deal_kpi(kpi: KpiId) -> bool {
    DEAL_KPIS.contains(&kpi)
}
