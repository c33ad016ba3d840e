//! Propensity models, RFM summaries, the ideal-customer profile, journeys,
//! experiments and attribution: thin shells over the core crate that take
//! and give JSON text (the same requests and responses as the C API), so
//! the typed Python layer (`crmkit/_analytics.py`, `crmkit/_journeys.py`)
//! follows the core's documents without a second copy of their shapes.
//!
//! Every engine is immutable and `Send + Sync`; the GIL is released while
//! it works.

use crmkit::Error;
use crmkit::attribution::{
    AttributionRequest, DatasetAttributionRequest, attribution_report, dataset_attribution_report,
};
use crmkit::automation::Event;
use crmkit::experiments::{ExperimentRequest, SampleSizeRequest, analyze, sample_size};
use crmkit::journeys::{self, Input, Journey, JourneyState, history_events};
use crmkit::money::Currency;
use crmkit::predict::{
    ClvReport, ClvReportOptions, ProfileSpec, PropensityModel, PropensitySpec, RfmOptions, at_risk,
    clv_report, profile, rfm_from_arrays, rfm_from_dataset,
};
use crmkit::segments::{
    CohortRequest, RfmSegmentRequest, SegmentRequest, cohort_report, rfm_segments, segment_members,
};
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

use crate::engines::PyDataset;
use crate::errors::{IntoPy, json, timestamp, to_py};

fn parse<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> PyResult<T> {
    Error::parse_json(text)
        .map_err(|e| e.with_path_prefix(what))
        .py_err()
}

/// A trained propensity model (`crmkit::predict::PropensityModel`).
#[pyclass(frozen, name = "PropensityModel", module = "crmkit._native")]
pub struct PyPropensityModel {
    inner: PropensityModel,
}

#[pymethods]
impl PyPropensityModel {
    /// Trains on the deals of `dataset` closed at or before `as_of_unix`
    /// (won = positive) from the JSON spec.
    #[staticmethod]
    fn train(
        py: Python<'_>,
        dataset: &PyDataset,
        spec: &str,
        as_of_unix: i64,
    ) -> PyResult<PyPropensityModel> {
        let as_of = timestamp(as_of_unix, "as_of")?;
        let inner = py
            .detach(|| {
                let spec = PropensitySpec::from_json(spec)?;
                PropensityModel::train(&dataset.inner, &spec, as_of)
            })
            .py_err()?;
        Ok(PyPropensityModel { inner })
    }

    /// Loads a model saved with `to_json`.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<PyPropensityModel> {
        let inner = py.detach(|| PropensityModel::from_json(text)).py_err()?;
        Ok(PyPropensityModel { inner })
    }

    /// The model's JSON form (spec, encoders, fitted parameters, training
    /// summary with the hold-out evaluation).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| self.inner.to_json()).py_err()
    }

    /// The open leads of `dataset` with probability, expected value and
    /// per-feature contributions, highest probability first, as JSON.
    fn predict_json(
        &self,
        py: Python<'_>,
        dataset: &PyDataset,
        as_of_unix: i64,
    ) -> PyResult<String> {
        let as_of = timestamp(as_of_unix, "as_of")?;
        let predictions = py
            .detach(|| self.inner.predict(&dataset.inner, as_of))
            .py_err()?;
        json(&predictions)
    }
}

/// The ideal-customer profile (or churn indicators) of `dataset` from the
/// JSON spec, as JSON.
#[pyfunction]
fn profile_json(
    py: Python<'_>,
    dataset: &PyDataset,
    spec: &str,
    as_of_unix: i64,
) -> PyResult<String> {
    let as_of = timestamp(as_of_unix, "as_of")?;
    let report = py
        .detach(|| {
            let spec = ProfileSpec::from_json(spec)?;
            profile(&dataset.inner, &spec, as_of)
        })
        .py_err()?;
    json(&report)
}

/// The RFM summary of the purchases in `dataset`, from JSON options
/// (`crmkit::predict::RfmOptions`), amounts in `currency` (default: the
/// dataset's reporting currency), as JSON.
#[pyfunction]
#[pyo3(signature = (dataset, options, currency=None))]
fn rfm_dataset_json(
    py: Python<'_>,
    dataset: &PyDataset,
    options: &str,
    currency: Option<&str>,
) -> PyResult<String> {
    let options: RfmOptions = parse(options, "options")?;
    let currency = match currency {
        Some(code) => Some(
            Currency::new(code)
                .map_err(|e| e.with_path_prefix("currency"))
                .py_err()?,
        ),
        None => None,
    };
    let table = py
        .detach(|| rfm_from_dataset(&dataset.inner, &options, currency))
        .py_err()?;
    json(&table)
}

/// The RFM summary of purchases given as NumPy arrays (dense customer
/// indices, Unix seconds, non-negative amounts), as JSON.
#[pyfunction]
fn rfm_arrays_json<'py>(
    py: Python<'py>,
    customers: PyReadonlyArray1<'py, u32>,
    at_unix: PyReadonlyArray1<'py, i64>,
    amounts: PyReadonlyArray1<'py, f64>,
    options: &str,
) -> PyResult<String> {
    let options: RfmOptions = parse(options, "options")?;
    let not_contiguous = |name: &str| {
        to_py(Error::invalid(
            name,
            "the array is not contiguous (pass numpy.ascontiguousarray(...))",
        ))
    };
    let customers = customers
        .as_slice()
        .map_err(|_| not_contiguous("customers"))?;
    let at_unix = at_unix.as_slice().map_err(|_| not_contiguous("at"))?;
    let amounts = amounts.as_slice().map_err(|_| not_contiguous("amounts"))?;
    let table = py
        .detach(|| rfm_from_arrays(customers, at_unix, amounts, &options))
        .py_err()?;
    json(&table)
}

/// A compiled journey (`crmkit::journeys::Journey`).
#[pyclass(frozen, name = "Journey", module = "crmkit._native")]
pub struct PyJourney {
    inner: Journey,
}

#[pymethods]
impl PyJourney {
    /// Parses, validates and compiles a journey from its JSON definition.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<PyJourney> {
        let inner = py.detach(|| Journey::from_json(text)).py_err()?;
        Ok(PyJourney { inner })
    }

    /// The journey's id.
    fn id(&self) -> String {
        self.inner.id().to_owned()
    }

    /// The journey's version.
    fn version(&self) -> u32 {
        self.inner.version()
    }

    /// The step ids, in definition order.
    fn step_ids(&self) -> Vec<String> {
        self.inner.step_ids().map(str::to_owned).collect()
    }

    /// The definition as JSON.
    fn definition_json(&self) -> PyResult<String> {
        json(self.inner.doc())
    }

    /// The state of a contact that has not entered yet, as JSON.
    #[staticmethod]
    fn new_state_json() -> PyResult<String> {
        JourneyState::new().to_json().py_err()
    }

    /// Advances one contact's state (JSON; empty text for a new contact)
    /// by an input (JSON: `{"event": ...}`, `"tick"`, ...) at `as_of_unix`:
    /// the result and the new state, both JSON. The state given is not
    /// changed.
    fn advance_json(
        &self,
        py: Python<'_>,
        dataset: &PyDataset,
        state: &str,
        input: &str,
        as_of_unix: i64,
    ) -> PyResult<(String, String)> {
        let as_of = timestamp(as_of_unix, "as_of")?;
        py.detach(|| {
            let state = if state.trim().is_empty() {
                JourneyState::new()
            } else {
                JourneyState::from_json(state).map_err(|e| e.with_path_prefix("state"))?
            };
            let input = Input::from_json(input).map_err(|e| e.with_path_prefix("input"))?;
            let (advance, next) = self.inner.advance(&state, &input, &dataset.inner, as_of)?;
            Ok::<_, Error>((advance, next))
        })
        .py_err()
        .and_then(|(advance, next)| Ok((json(&advance)?, json(&next)?)))
    }

    /// Simulates the journey over events (JSON array of automation events;
    /// `None`: the dataset's own history) up to `until_unix`, as JSON.
    #[pyo3(signature = (dataset, until_unix, events=None))]
    fn simulate_json(
        &self,
        py: Python<'_>,
        dataset: &PyDataset,
        until_unix: i64,
        events: Option<&str>,
    ) -> PyResult<String> {
        let until = timestamp(until_unix, "until")?;
        let events: Vec<Event> = match events {
            Some(text) => parse(text, "events")?,
            None => history_events(&dataset.inner),
        };
        let report = py
            .detach(|| self.inner.simulate(&dataset.inner, &events, until))
            .py_err()?;
        json(&report)
    }

    /// The static analysis of the journey (findings), as JSON.
    fn analyze_json(&self, py: Python<'_>) -> PyResult<String> {
        let analysis = py.detach(|| journeys::analyze(&self.inner));
        json(&analysis)
    }
}

/// Analyses an A/B test from its JSON request; the analysis as JSON.
#[pyfunction]
fn experiment_analyze_json(py: Python<'_>, request: &str) -> PyResult<String> {
    let analysis = py
        .detach(|| analyze(&ExperimentRequest::from_json(request)?))
        .py_err()?;
    json(&analysis)
}

/// Plans an experiment's sample size from its JSON request, as JSON.
#[pyfunction]
fn sample_size_json(py: Python<'_>, request: &str) -> PyResult<String> {
    let plan = py
        .detach(|| sample_size(&SampleSizeRequest::from_json(request)?))
        .py_err()?;
    json(&plan)
}

/// The multi-touch attribution report of a JSON request, as JSON.
#[pyfunction]
fn attribution_report_json(py: Python<'_>, request: &str) -> PyResult<String> {
    let report = py
        .detach(|| attribution_report(&AttributionRequest::from_json(request)?))
        .py_err()?;
    json(&report)
}

/// The attribution report of a JSON request over the touches and
/// conversions of `dataset` (`crmkit::attribution::DatasetAttributionRequest`), as JSON.
#[pyfunction]
fn dataset_attribution_json(
    py: Python<'_>,
    dataset: &PyDataset,
    request: &str,
) -> PyResult<String> {
    let report = py
        .detach(|| {
            dataset_attribution_report(
                &dataset.inner,
                &DatasetAttributionRequest::from_json(request)?,
            )
        })
        .py_err()?;
    json(&report)
}

/// The cohort retention table of a JSON request over `dataset`
/// (`crmkit::segments::CohortRequest`), as JSON.
#[pyfunction]
fn cohort_report_json(py: Python<'_>, dataset: &PyDataset, request: &str) -> PyResult<String> {
    let report = py
        .detach(|| cohort_report(&dataset.inner, &CohortRequest::from_json(request)?))
        .py_err()?;
    json(&report)
}

/// The RFM scores and named segments of `dataset`'s customers
/// (`crmkit::segments::RfmSegmentRequest`), as JSON.
#[pyfunction]
fn rfm_segments_json(py: Python<'_>, dataset: &PyDataset, request: &str) -> PyResult<String> {
    let table = py
        .detach(|| rfm_segments(&dataset.inner, &RfmSegmentRequest::from_json(request)?))
        .py_err()?;
    json(&table)
}

/// The members of a saved segment as of a time, and who entered and left
/// since another (`crmkit::segments::SegmentRequest`), as JSON.
#[pyfunction]
fn segment_members_json(py: Python<'_>, dataset: &PyDataset, request: &str) -> PyResult<String> {
    let members = py
        .detach(|| segment_members(&dataset.inner, &SegmentRequest::from_json(request)?))
        .py_err()?;
    json(&members)
}

/// The CLV report of `dataset` as of `as_of_unix` (purchases summarised,
/// BG/NBD and Gamma-Gamma fitted, every customer's value), as JSON.
#[pyfunction]
fn clv_report_json(
    py: Python<'_>,
    dataset: &PyDataset,
    as_of_unix: i64,
    options: &str,
) -> PyResult<String> {
    let as_of = timestamp(as_of_unix, "as_of")?;
    let options: ClvReportOptions = parse(options, "options")?;
    let report = py
        .detach(|| clv_report(&dataset.inner, as_of, &options))
        .py_err()?;
    json(&report)
}

/// The customers of `dataset` most at risk (probability alive below
/// `threshold`, ranked by probability alive x value if retained, at most
/// `limit`), from its CLV report as of `as_of_unix`, as JSON.
#[pyfunction]
fn at_risk_json(
    py: Python<'_>,
    dataset: &PyDataset,
    as_of_unix: i64,
    options: &str,
    threshold: f64,
    limit: usize,
) -> PyResult<String> {
    let as_of = timestamp(as_of_unix, "as_of")?;
    let options: ClvReportOptions = parse(options, "options")?;
    let customers = py
        .detach(|| {
            at_risk(
                &clv_report(&dataset.inner, as_of, &options)?,
                threshold,
                limit,
            )
        })
        .py_err()?;
    json(&customers)
}

/// The customers most at risk in a CLV report given back as JSON (the text
/// of `clv_report_json`, e.g. a report's `to_json()`), ranked as
/// `at_risk_json` ranks them, without fitting the models again.
#[pyfunction]
fn at_risk_from_report_json(
    py: Python<'_>,
    report: &str,
    threshold: f64,
    limit: usize,
) -> PyResult<String> {
    let report: ClvReport = parse(report, "report")?;
    let customers = py.detach(|| at_risk(&report, threshold, limit)).py_err()?;
    json(&customers)
}

/// Adds the classes and functions of this file to the module.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyPropensityModel>()?;
    module.add_class::<PyJourney>()?;
    module.add_function(wrap_pyfunction!(profile_json, module)?)?;
    module.add_function(wrap_pyfunction!(rfm_dataset_json, module)?)?;
    module.add_function(wrap_pyfunction!(rfm_arrays_json, module)?)?;
    module.add_function(wrap_pyfunction!(experiment_analyze_json, module)?)?;
    module.add_function(wrap_pyfunction!(sample_size_json, module)?)?;
    module.add_function(wrap_pyfunction!(attribution_report_json, module)?)?;
    module.add_function(wrap_pyfunction!(dataset_attribution_json, module)?)?;
    module.add_function(wrap_pyfunction!(cohort_report_json, module)?)?;
    module.add_function(wrap_pyfunction!(rfm_segments_json, module)?)?;
    module.add_function(wrap_pyfunction!(segment_members_json, module)?)?;
    module.add_function(wrap_pyfunction!(clv_report_json, module)?)?;
    module.add_function(wrap_pyfunction!(at_risk_json, module)?)?;
    module.add_function(wrap_pyfunction!(at_risk_from_report_json, module)?)?;
    Ok(())
}
