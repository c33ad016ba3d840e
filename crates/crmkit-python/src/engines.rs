//! The engines over JSON text: datasets, scoring one lead, automation rules
//! and presets, KPI reports, SMART goals.
//!
//! Each class holds a compiled, immutable engine of the core crate; its
//! methods release the GIL while the engine works, so several Python threads
//! can use one engine at once.

use crmkit::automation::presets::{self, Boundary, RoutingConfig};
use crmkit::automation::{EnrollmentState, Event, RuleSet, analyze};
use crmkit::goals::{Goal, Locale, Observation, Validator, track};
use crmkit::kpi::catalog::definitions;
use crmkit::kpi::{
    KpiRequest, PipelineReportRequest, TimeSeriesRequest, compute, pipeline_report, time_series,
};
use crmkit::model::Dataset;
use crmkit::scoring::ScoringModel;
use crmkit::{Error, ErrorKind};
use pyo3::prelude::*;
use serde::Serialize;

use crate::errors::{IntoPy, json, timestamp};

/// A validated dataset (`crmkit::model::Dataset`), immutable.
#[pyclass(frozen, name = "Dataset", module = "crmkit._native")]
pub struct PyDataset {
    pub(crate) inner: Dataset,
}

#[pymethods]
impl PyDataset {
    /// Parses and validates a dataset from its JSON form.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<PyDataset> {
        let inner = py.detach(|| Dataset::from_json(text)).py_err()?;
        Ok(PyDataset { inner })
    }

    /// The number of records of each kind, as JSON.
    fn counts_json(&self) -> PyResult<String> {
        json(&self.inner.counts())
    }

    /// The dataset's JSON form.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| self.inner.to_json()).py_err()
    }
}

/// A compiled lead scoring model (`crmkit::scoring::ScoringModel`).
#[pyclass(frozen, name = "ScoringModel", module = "crmkit._native")]
pub struct PyScoringModel {
    pub(crate) inner: ScoringModel,
}

#[pymethods]
impl PyScoringModel {
    /// Parses, validates and compiles a model from its JSON form.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<PyScoringModel> {
        let inner = py.detach(|| ScoringModel::from_json(text)).py_err()?;
        Ok(PyScoringModel { inner })
    }

    /// The model summary (categories, grades, handoffs, rules, batch
    /// columns), as JSON.
    fn info_json(&self) -> PyResult<String> {
        json(&self.inner.info())
    }

    /// Scores one lead given as JSON at `as_of_unix`; the explained score as
    /// JSON. Short leads are scored with the GIL held (releasing it costs
    /// more than the work); long ones release it.
    fn score_json(&self, py: Python<'_>, lead: &str, as_of_unix: i64) -> PyResult<String> {
        let as_of = timestamp(as_of_unix, "as_of")?;
        let mut out = String::with_capacity(1024);
        if lead.len() < 16 * 1024 {
            self.inner.score_json_into(lead, as_of, &mut out).py_err()?;
        } else {
            py.detach(|| self.inner.score_json_into(lead, as_of, &mut out))
                .py_err()?;
        }
        Ok(out)
    }

    /// The indices of the activity rules that count an activity given as
    /// the JSON of its kind (`{"type": "website_visit", "url": "/pricing"}`).
    fn match_activity_json(&self, kind: &str) -> PyResult<Vec<u32>> {
        let kind = Error::parse_json(kind).py_err()?;
        Ok(self.inner.matching_rules(&kind).collect())
    }
}

/// A compiled automation rule set (`crmkit::automation::RuleSet`).
#[pyclass(frozen, name = "RuleSet", module = "crmkit._native")]
pub struct PyRuleSet {
    inner: RuleSet,
}

fn state(text: &str) -> PyResult<EnrollmentState> {
    EnrollmentState::from_json(text)
        .map_err(|e| e.with_path_prefix("state"))
        .py_err()
}

#[derive(Serialize)]
struct Outcome<'a, A: Serialize, S: Serialize> {
    actions: &'a A,
    state: &'a S,
}

#[pymethods]
impl PyRuleSet {
    /// Parses, validates and compiles a rule set from its JSON form.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<PyRuleSet> {
        let inner = py.detach(|| RuleSet::from_json(text)).py_err()?;
        Ok(PyRuleSet { inner })
    }

    /// The deal-value routing preset ($500.00, nurture campaign `nurture`);
    /// `boundary` is "call", "nurture" or "unrouted" (see the core docs).
    #[staticmethod]
    fn usd_500_routing(boundary: &str) -> PyResult<PyRuleSet> {
        let doc =
            presets::routing_rule_set(&RoutingConfig::usd_500(boundary_arg(boundary)?).py_err()?);
        Ok(PyRuleSet {
            inner: RuleSet::compile(doc).py_err()?,
        })
    }

    /// Every preset in one rule set, with the routing boundary given.
    #[staticmethod]
    fn standard(boundary: &str) -> PyResult<PyRuleSet> {
        let doc = presets::standard(boundary_arg(boundary)?).py_err()?;
        Ok(PyRuleSet {
            inner: RuleSet::compile(doc).py_err()?,
        })
    }

    /// The rule set's JSON form.
    fn to_json(&self) -> PyResult<String> {
        json(self.inner.doc())
    }

    /// Evaluates one event; `{"actions": [...], "state": {...}}` as JSON.
    fn evaluate_json(
        &self,
        py: Python<'_>,
        dataset: &PyDataset,
        event: &str,
        state_json: &str,
        as_of_unix: i64,
    ) -> PyResult<String> {
        let as_of = timestamp(as_of_unix, "as_of")?;
        py.detach(|| {
            let event = Event::from_json(event)
                .map_err(|e| e.with_path_prefix("event"))
                .py_err()?;
            let state = state(state_json)?;
            let result = self
                .inner
                .evaluate(&event, &dataset.inner, &state, as_of)
                .py_err()?;
            json(&Outcome {
                actions: &result.actions,
                state: &result.state,
            })
        })
    }

    /// Runs the time-based triggers at `as_of`; `{"actions", "state"}` as
    /// JSON.
    fn tick_json(
        &self,
        py: Python<'_>,
        dataset: &PyDataset,
        state_json: &str,
        as_of_unix: i64,
    ) -> PyResult<String> {
        let as_of = timestamp(as_of_unix, "as_of")?;
        py.detach(|| {
            let state = state(state_json)?;
            let result = self.inner.tick(&dataset.inner, &state, as_of).py_err()?;
            json(&Outcome {
                actions: &result.actions,
                state: &result.state,
            })
        })
    }

    /// Replays a list of events (JSON) without side effects; the report as
    /// JSON.
    fn dry_run_json(
        &self,
        py: Python<'_>,
        dataset: &PyDataset,
        events: &str,
        state_json: &str,
    ) -> PyResult<String> {
        py.detach(|| {
            let events: Vec<Event> = Error::parse_json(events)
                .map_err(|e| e.with_path_prefix("events"))
                .py_err()?;
            let state = state(state_json)?;
            let report = self
                .inner
                .dry_run(&dataset.inner, &events, &state)
                .py_err()?;
            json(&report)
        })
    }

    /// The static analysis (gaps, overlaps) as JSON.
    fn analyze_json(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| json(&analyze(&self.inner)))
    }
}

fn boundary_arg(boundary: &str) -> PyResult<Boundary> {
    match boundary {
        "call" => Ok(Boundary::Call),
        "nurture" => Ok(Boundary::Nurture),
        "unrouted" => Ok(Boundary::Unrouted),
        other => Err(Error::invalid(
            "boundary",
            format!("expected \"call\", \"nurture\" or \"unrouted\", found {other:?}"),
        ))
        .py_err(),
    }
}

/// The KPI catalog as JSON.
#[pyfunction]
fn kpi_catalog_json() -> PyResult<String> {
    let catalog: Vec<_> = definitions().collect();
    json(&catalog)
}

/// Computes a KPI report (request and report as JSON).
#[pyfunction]
fn kpi_compute_json(py: Python<'_>, dataset: &PyDataset, request: &str) -> PyResult<String> {
    py.detach(|| {
        let request = KpiRequest::from_json(request).py_err()?;
        json(&compute(&dataset.inner, &request).py_err()?)
    })
}

/// Computes a KPI time series (request and result as JSON).
#[pyfunction]
fn kpi_time_series_json(py: Python<'_>, dataset: &PyDataset, request: &str) -> PyResult<String> {
    py.detach(|| {
        let request = TimeSeriesRequest::from_json(request).py_err()?;
        json(&time_series(&dataset.inner, &request).py_err()?)
    })
}

/// The pipeline bottleneck report (request and result as JSON).
#[pyfunction]
fn pipeline_report_json(py: Python<'_>, dataset: &PyDataset, request: &str) -> PyResult<String> {
    py.detach(|| {
        let request = PipelineReportRequest::from_json(request).py_err()?;
        json(&pipeline_report(&dataset.inner, &request).py_err()?)
    })
}

/// Validates a SMART goal (JSON) at the date of `as_of_unix`; the report,
/// with messages in `locale`, as JSON.
#[pyfunction]
fn goal_validate_json(goal: &str, as_of_unix: i64, locale: &str) -> PyResult<String> {
    let as_of = timestamp(as_of_unix, "as_of")?.date_naive();
    let locale = Locale::parse(locale).py_err()?;
    let goal = Goal::from_json(goal).py_err()?;
    json(&Validator::new().validate(&goal, as_of).localize(locale))
}

#[derive(Serialize)]
struct ProgressDoc<'a, P: Serialize> {
    #[serde(flatten)]
    progress: &'a P,
    locale: Locale,
    status_label: &'static str,
    summary: String,
}

/// Tracks a goal's progress from measurements (JSON); the progress, with a
/// status label and a summary in `locale`, as JSON.
#[pyfunction]
fn goal_progress_json(
    goal: &str,
    measurements: &str,
    as_of_unix: i64,
    locale: &str,
) -> PyResult<String> {
    let as_of = timestamp(as_of_unix, "as_of")?.date_naive();
    let locale = Locale::parse(locale).py_err()?;
    let goal = Goal::from_json(goal).py_err()?;
    let measurements: Vec<Observation> = Error::parse_json(measurements)
        .map_err(|err| {
            let path = match err.path() {
                Some(path) if path.starts_with('[') => format!("measurements{path}"),
                Some(path) if !path.is_empty() => format!("measurements.{path}"),
                _ => "measurements".to_string(),
            };
            Error::at(ErrorKind::Json, path, err.message())
        })
        .py_err()?;
    let progress = track(&goal, &measurements, as_of).py_err()?;
    let unit = goal.known_kpi().map(|k| k.definition().unit);
    json(&ProgressDoc {
        progress: &progress,
        locale,
        status_label: progress.status.label(locale),
        summary: progress.summary(locale, unit),
    })
}

/// Adds the classes and functions of this file to the module.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyDataset>()?;
    module.add_class::<PyScoringModel>()?;
    module.add_class::<PyRuleSet>()?;
    module.add_function(wrap_pyfunction!(kpi_catalog_json, module)?)?;
    module.add_function(wrap_pyfunction!(kpi_compute_json, module)?)?;
    module.add_function(wrap_pyfunction!(kpi_time_series_json, module)?)?;
    module.add_function(wrap_pyfunction!(pipeline_report_json, module)?)?;
    module.add_function(wrap_pyfunction!(goal_validate_json, module)?)?;
    module.add_function(wrap_pyfunction!(goal_progress_json, module)?)?;
    Ok(())
}
