//! The crmkit SQL functions of one context, as the lists a client session,
//! the scheduler and every executor register.
//!
//! On a cluster a plan names its functions; the scheduler (planning) and
//! each executor (running tasks) look them up by name in their own
//! registry. So the client, the scheduler and every executor are built from
//! the same [`CrmFunctions`]: the same context dataset (its configuration,
//! contacts and activities), scoring instant, KPI request and RFM options.
//! The rule sets, scoring models, KPI ids and CLV models themselves travel
//! with the plan as literals.
//!
//! ```
//! use std::sync::Arc;
//! use crmkit::sample::{generate, SampleConfig, SAMPLE_AS_OF};
//! use crmkit_ballista::functions::CrmFunctions;
//!
//! let ds = Arc::new(generate(&SampleConfig { contacts: 20, ..SampleConfig::default() })?);
//! let request = crmkit::kpi::KpiRequest::from_json(
//!     r#"{"period": {"start": "2026-01-01", "end": "2026-07-01"}}"#,
//! )?;
//! let rfm = crmkit::predict::RfmOptions {
//!     unit: crmkit::predict::TimeUnit::Weeks,
//!     calibration_end: SAMPLE_AS_OF,
//!     observation_end: None,
//! };
//! let functions = CrmFunctions::new(ds, SAMPLE_AS_OF, request, rfm)?;
//! let names: Vec<String> = functions.scalar_udfs().iter().map(|f| f.name().to_string()).collect();
//! assert_eq!(names, ["crm_route", "crm_lead_score", "crm_clv"]);
//! let registry = functions.registry();
//! assert!(registry.aggregate_functions.contains_key("crm_kpi"));
//! assert!(registry.scalar_functions.contains_key("abs"));
//! Ok::<(), crmkit::Error>(())
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ballista_core::registry::BallistaFunctionRegistry;
use crmkit::kpi::KpiRequest;
use crmkit::model::{Dataset, Timestamp};
use crmkit::money::Currency;
use crmkit::predict::{RfmOptions, rfm_from_dataset};
use crmkit_datafusion::clv::{ClvFunction, RfmFunction};
use crmkit_datafusion::kpi_udaf::KpiFunction;
use crmkit_datafusion::route_udf::RouteFunction;
use crmkit_datafusion::score_udf::LeadScoreFunction;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::SessionState;
use datafusion::execution::registry::FunctionRegistry;
use datafusion::logical_expr::{AggregateUDF, ScalarUDF};
use datafusion::prelude::SessionContext;
use serde::Deserialize;

/// The crmkit functions over one context: `crm_route`, `crm_lead_score`,
/// `crm_clv` (scalar) and `crm_kpi`, `crm_rfm` (aggregate).
#[derive(Debug, Clone)]
pub struct CrmFunctions {
    scalars: Vec<Arc<ScalarUDF>>,
    aggregates: Vec<Arc<AggregateUDF>>,
}

/// The JSON file the executor and scheduler binaries read (`--functions
/// FILE`): where the context dataset is and the functions' settings.
///
/// ```json
/// {"dataset": "sample_company.json", "as_of": "2026-11-01T00:00:00Z",
///  "kpi_request": {"period": {"start": "2026-04-01", "end": "2026-07-01"}},
///  "rfm": {"unit": "weeks", "calibration_end": "2026-11-01T00:00:00Z"}}
/// ```
///
/// `dataset` is a crmkit dataset JSON file, relative to the config file's
/// folder unless absolute.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionsConfig {
    /// The context dataset file (crmkit's dataset JSON).
    pub dataset: PathBuf,
    /// The instant lead scores are computed at.
    pub as_of: Timestamp,
    /// The KPI request (period and options) of `crm_kpi`.
    pub kpi_request: KpiRequest,
    /// The RFM options of `crm_rfm`.
    pub rfm: RfmOptions,
}

impl CrmFunctions {
    /// The functions over `context`: lead scores at `as_of`, KPIs for
    /// `kpi_request`, RFM summaries with `rfm` in the currency
    /// [`rfm_from_dataset`] would use (the reporting currency, converted
    /// with the context's exchange rates).
    ///
    /// # Errors
    ///
    /// crmkit's error if the KPI request does not compile against the
    /// context.
    pub fn new(
        context: Arc<Dataset>,
        as_of: Timestamp,
        kpi_request: KpiRequest,
        rfm: RfmOptions,
    ) -> crmkit::Result<CrmFunctions> {
        let currency = match context.reporting_currency() {
            Some(c) => c,
            None => rfm_from_dataset(&context, &rfm, None)?.currency,
        };
        Self::with_currency(context, as_of, kpi_request, rfm, currency)
    }

    fn with_currency(
        context: Arc<Dataset>,
        as_of: Timestamp,
        kpi_request: KpiRequest,
        rfm: RfmOptions,
        currency: Currency,
    ) -> crmkit::Result<CrmFunctions> {
        let rates = context.exchange_rates().cloned();
        let kpi = KpiFunction::new(Arc::clone(&context), kpi_request)?.into_udaf();
        Ok(CrmFunctions {
            scalars: vec![
                Arc::new(RouteFunction::new(Arc::clone(&context)).into_udf()),
                Arc::new(LeadScoreFunction::new(Arc::clone(&context), as_of).into_udf()),
                Arc::new(ClvFunction::default().into_udf()),
            ],
            aggregates: vec![
                Arc::new(kpi),
                Arc::new(RfmFunction::new(rfm, currency, rates).into_udaf()),
            ],
        })
    }

    /// The functions a [`FunctionsConfig`] file describes.
    ///
    /// # Errors
    ///
    /// A message naming the file (or the dataset file) if it cannot be
    /// read, is not valid JSON of that shape (with serde's line and column),
    /// or the dataset or KPI request is not valid.
    pub fn from_config_file(path: &Path) -> std::result::Result<CrmFunctions, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let config: FunctionsConfig =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let dataset_path = match path.parent() {
            Some(dir) if config.dataset.is_relative() => dir.join(&config.dataset),
            _ => config.dataset.clone(),
        };
        let dataset_text = std::fs::read_to_string(&dataset_path)
            .map_err(|e| format!("{}: cannot read: {e}", dataset_path.display()))?;
        let dataset = Dataset::from_json(&dataset_text)
            .map_err(|e| format!("{}: {e}", dataset_path.display()))?;
        CrmFunctions::new(
            Arc::new(dataset),
            config.as_of,
            config.kpi_request,
            config.rfm,
        )
        .map_err(|e| format!("{}: kpi_request: {e}", path.display()))
    }

    /// The scalar functions.
    pub fn scalar_udfs(&self) -> &[Arc<ScalarUDF>] {
        &self.scalars
    }

    /// The aggregate functions.
    pub fn aggregate_udfs(&self) -> &[Arc<AggregateUDF>] {
        &self.aggregates
    }

    /// Registers them on a client session (single-node or Ballista).
    pub fn register(&self, ctx: &SessionContext) {
        for f in &self.scalars {
            ctx.register_udf(f.as_ref().clone());
        }
        for f in &self.aggregates {
            ctx.register_udaf(f.as_ref().clone());
        }
    }

    /// Registers them on a session state (what the scheduler plans with).
    ///
    /// # Errors
    ///
    /// DataFusion's registration error.
    pub fn register_state(&self, state: &mut SessionState) -> Result<()> {
        for f in &self.scalars {
            state.register_udf(Arc::clone(f))?;
        }
        for f in &self.aggregates {
            state.register_udaf(Arc::clone(f))?;
        }
        Ok(())
    }

    /// Ballista's default executor registry (DataFusion's built-in
    /// functions) with these added: what an executor resolves a task's
    /// function names with.
    pub fn registry(&self) -> BallistaFunctionRegistry {
        let mut registry = BallistaFunctionRegistry::default();
        for f in &self.scalars {
            registry
                .scalar_functions
                .insert(f.name().to_string(), Arc::clone(f));
        }
        for f in &self.aggregates {
            registry
                .aggregate_functions
                .insert(f.name().to_string(), Arc::clone(f));
        }
        registry
    }
}

/// A configuration error as DataFusion's.
pub(crate) fn config_error(what: &str, e: impl std::fmt::Display) -> DataFusionError {
    DataFusionError::Configuration(format!("crmkit-ballista: {what}: {e}"))
}
