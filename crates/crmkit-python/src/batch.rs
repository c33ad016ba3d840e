//! The batch scoring path over NumPy arrays.
//!
//! Columns arrive as one-dimensional `int64` arrays (the encoding of the
//! core's batch path, see `crmkit::scoring::batch`) and are read in place,
//! without a copy, when they are C-contiguous; the results leave as new
//! NumPy arrays. The GIL is released while the engine scores.
//! [`encode_column`] turns a NumPy column of plain values (numbers, flags,
//! text, Unix seconds) into that encoding with the core's own encoders.

use crmkit::scoring::{
    Batch, BatchEvent, BatchScore, ColumnKind, MISSING, encode_date, encode_decimal,
    encode_timestamp,
};
use crmkit::{Error, ErrorKind};
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

use crate::engines::PyScoringModel;
use crate::errors::{IntoPy, timestamp, to_py};

/// The arrays `score_batch` returns: totals (units of 1/10,000 point),
/// grade indices, handoff indices and, when asked for, category scores.
type BatchArrays<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i32>>,
    Bound<'py, PyArray1<i32>>,
    Option<Bound<'py, PyArray2<i64>>>,
);

fn contiguous<'a, T: numpy::Element>(
    array: &'a PyReadonlyArray1<'_, T>,
    name: &str,
) -> PyResult<&'a [T]> {
    array.as_slice().map_err(|_| {
        to_py(Error::invalid(
            name,
            "the array is not contiguous (pass numpy.ascontiguousarray(...))",
        ))
    })
}

/// Scores `n` leads over encoded columns; see `crmkit.ScoringModel.score_batch`.
#[pyfunction]
#[pyo3(signature = (model, columns, n_leads, event_lead, event_rule, event_at, stages, as_of_unix, categories))]
#[allow(clippy::too_many_arguments)]
fn score_batch<'py>(
    py: Python<'py>,
    model: &PyScoringModel,
    columns: Vec<PyReadonlyArray1<'py, i64>>,
    n_leads: usize,
    event_lead: PyReadonlyArray1<'py, u32>,
    event_rule: PyReadonlyArray1<'py, u32>,
    event_at: PyReadonlyArray1<'py, i64>,
    stages: Option<PyReadonlyArray1<'py, u8>>,
    as_of_unix: i64,
    categories: bool,
) -> PyResult<BatchArrays<'py>> {
    let as_of = timestamp(as_of_unix, "as_of")?;
    let mut slices = Vec::with_capacity(columns.len());
    for (i, column) in columns.iter().enumerate() {
        slices.push(contiguous(column, &format!("columns[{i}]"))?);
    }
    let leads = contiguous(&event_lead, "events.lead")?;
    let rules = contiguous(&event_rule, "events.rule")?;
    let ats = contiguous(&event_at, "events.at")?;
    if leads.len() != rules.len() || leads.len() != ats.len() {
        return Err(to_py(Error::invalid(
            "events",
            format!(
                "the event arrays differ in length: lead {}, rule {}, at {}",
                leads.len(),
                rules.len(),
                ats.len()
            ),
        )));
    }
    let stages = match &stages {
        Some(stages) => Some(contiguous(stages, "stages")?),
        None => None,
    };
    let k = model.inner.categories().len();
    let (scores, category_scores) = py
        .detach(|| {
            let events: Vec<BatchEvent> = leads
                .iter()
                .zip(rules)
                .zip(ats)
                .map(|((&lead, &rule), &at)| BatchEvent { lead, rule, at })
                .collect();
            let batch = Batch {
                leads: n_leads,
                columns: slices,
                events: &events,
                stages,
            };
            let mut out = vec![BatchScore::default(); n_leads];
            let mut category_scores = if categories {
                let len = n_leads.checked_mul(k).ok_or_else(|| {
                    Error::new(ErrorKind::Overflow, "too many leads times categories")
                })?;
                Some(vec![0i64; len])
            } else {
                None
            };
            model
                .inner
                .score_batch(&batch, as_of, &mut out, category_scores.as_deref_mut())?;
            Ok::<_, Error>((out, category_scores))
        })
        .py_err()?;
    let (totals, grades, handoffs) = py.detach(|| {
        let mut totals = Vec::with_capacity(scores.len());
        let mut grades = Vec::with_capacity(scores.len());
        let mut handoffs = Vec::with_capacity(scores.len());
        for score in &scores {
            totals.push(score.total_units);
            grades.push(score.grade);
            handoffs.push(score.handoff);
        }
        (totals, grades, handoffs)
    });
    let category_scores = match category_scores {
        Some(values) => Some(PyArray1::from_vec(py, values).reshape([n_leads, k])?),
        None => None,
    };
    Ok((
        PyArray1::from_vec(py, totals),
        PyArray1::from_vec(py, grades),
        PyArray1::from_vec(py, handoffs),
        category_scores,
    ))
}

fn column_kind(model: &PyScoringModel, column: usize) -> PyResult<&ColumnKind> {
    model
        .inner
        .columns()
        .get(column)
        .map(|spec| &spec.kind)
        .ok_or_else(|| {
            to_py(Error::invalid(
                "column",
                format!(
                    "column {column} does not exist: the model has {} columns",
                    model.inner.columns().len()
                ),
            ))
        })
}

fn is_number(kind: &ColumnKind) -> bool {
    matches!(kind, ColumnKind::Number | ColumnKind::Money(_))
}

fn wrong_kind(column: usize, kind: &ColumnKind, given: &str) -> PyErr {
    to_py(Error::invalid(
        format!("columns[{column}]"),
        format!("a {given} array cannot fill a {kind:?} column"),
    ))
}

/// Encodes a NumPy column of plain values for batch column `column`:
/// `bool`, `int64` and `float64` arrays (NaN is no value) for number, money
/// and flag columns; `object` arrays of `str`, `int`, `float`,
/// `decimal.Decimal`, `bool` or `None` for any column (text goes through the
/// model's text tests). Dates and timestamps go through
/// [`encode_unix_seconds`].
#[pyfunction]
fn encode_column<'py>(
    py: Python<'py>,
    model: &PyScoringModel,
    column: usize,
    values: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let kind = column_kind(model, column)?;
    if let Ok(array) = values.cast::<PyArray1<f64>>() {
        if !is_number(kind) && *kind != ColumnKind::Any {
            return Err(wrong_kind(column, kind, "float64"));
        }
        let array = array.readonly();
        let values = contiguous(&array, "values")?;
        let any = *kind == ColumnKind::Any;
        let encoded: Vec<i64> = py.detach(|| {
            values
                .iter()
                .map(|&x| {
                    if x.is_nan() {
                        MISSING
                    } else if any {
                        0
                    } else {
                        // Out of the decimal range (infinite, > 7.9e28) is
                        // beyond every threshold: the core's saturation.
                        Decimal::from_f64(x).map_or(
                            if x > 0.0 { i64::MAX } else { i64::MIN + 1 },
                            encode_decimal,
                        )
                    }
                })
                .collect()
        });
        return Ok(PyArray1::from_vec(py, encoded));
    }
    if let Ok(array) = values.cast::<PyArray1<i64>>() {
        let array = array.readonly();
        let values = contiguous(&array, "values")?;
        let encoded: Vec<i64> = match kind {
            ColumnKind::Number | ColumnKind::Money(_) => py.detach(|| {
                values
                    .iter()
                    .map(|&x| encode_decimal(Decimal::from(x)))
                    .collect()
            }),
            ColumnKind::Bool => values.iter().map(|&x| i64::from(x != 0)).collect(),
            ColumnKind::Any => vec![0; values.len()],
            _ => return Err(wrong_kind(column, kind, "int64")),
        };
        return Ok(PyArray1::from_vec(py, encoded));
    }
    if let Ok(array) = values.cast::<PyArray1<bool>>() {
        let array = array.readonly();
        let values = contiguous(&array, "values")?;
        let encoded: Vec<i64> = match kind {
            ColumnKind::Bool => values.iter().map(|&x| i64::from(x)).collect(),
            ColumnKind::Any => vec![0; values.len()],
            _ => return Err(wrong_kind(column, kind, "bool")),
        };
        return Ok(PyArray1::from_vec(py, encoded));
    }
    let array = values.cast::<PyArray1<Py<PyAny>>>().map_err(|_| {
        let found = values
            .getattr("dtype")
            .map(|d| d.to_string())
            .unwrap_or_else(|_| values.get_type().to_string());
        to_py(Error::invalid(
            format!("columns[{column}]"),
            format!(
                "expected a one-dimensional bool, int64, float64 or object array, found {found}"
            ),
        ))
    })?;
    let mut encoded = Vec::with_capacity(array.len());
    for (row, item) in array.readonly().as_array().iter().enumerate() {
        let item = item.bind(py);
        encoded.push(
            encode_object(model, column, kind, item)
                .map_err(|e| to_py(e.with_path_prefix(&format!("columns[{column}][{row}]"))))?,
        );
    }
    Ok(PyArray1::from_vec(py, encoded))
}

fn encode_object(
    model: &PyScoringModel,
    column: usize,
    kind: &ColumnKind,
    item: &Bound<'_, PyAny>,
) -> Result<i64, Error> {
    if item.is_none() {
        return Ok(MISSING);
    }
    if let Ok(f) = item.cast::<PyFloat>()
        && f.value().is_nan()
    {
        return Ok(MISSING);
    }
    if *kind == ColumnKind::Any {
        return Ok(0);
    }
    if let Ok(flag) = item.cast::<PyBool>() {
        return if *kind == ColumnKind::Bool {
            Ok(i64::from(flag.is_true()))
        } else {
            Err(Error::invalid("", "a bool in a column that is not a flag"))
        };
    }
    if let Ok(text) = item.cast::<PyString>() {
        let text = text
            .to_cow()
            .map_err(|_| Error::invalid("", "the text is not valid UTF-8"))?;
        return match kind {
            ColumnKind::Text => model.inner.encode_text(column, &text),
            ColumnKind::Number | ColumnKind::Money(_) => {
                Ok(encode_decimal(crmkit::money::parse_decimal(&text)?))
            }
            _ => Err(Error::invalid("", format!("text in a {kind:?} column"))),
        };
    }
    let is_decimal = item.get_type().name().is_ok_and(|name| name == "Decimal");
    if is_number(kind)
        && (is_decimal || item.cast::<PyInt>().is_ok() || item.cast::<PyFloat>().is_ok())
    {
        let text = item
            .str()
            .map_err(|_| Error::invalid("", "the number cannot be read"))?;
        let text = text.to_string();
        if matches!(
            text.as_str(),
            "inf" | "-inf" | "Infinity" | "-Infinity" | "NaN" | "sNaN"
        ) {
            return Err(Error::invalid("", format!("{text} is not a finite number")));
        }
        return Ok(encode_decimal(crmkit::money::parse_decimal(&text)?));
    }
    Err(Error::invalid(
        "",
        format!(
            "a {} cannot fill a {kind:?} column",
            item.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ),
    ))
}

/// Encodes whole seconds since the Unix epoch (`i64::MIN`, NumPy's `NaT`,
/// is no value) for a date or timestamp column.
#[pyfunction]
fn encode_unix_seconds<'py>(
    py: Python<'py>,
    model: &PyScoringModel,
    column: usize,
    seconds: PyReadonlyArray1<'py, i64>,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let kind = *column_kind(model, column)?;
    let values = contiguous(&seconds, "values")?;
    let encoded: Result<Vec<i64>, Error> = py.detach(|| {
        values
            .iter()
            .enumerate()
            .map(|(row, &s)| {
                if s == MISSING {
                    return Ok(MISSING);
                }
                let at = chrono::DateTime::from_timestamp(s, 0).ok_or_else(|| {
                    Error::invalid(
                        format!("columns[{column}][{row}]"),
                        format!("{s} seconds since 1970 is out of range"),
                    )
                })?;
                match kind {
                    ColumnKind::Timestamp => Ok(encode_timestamp(at)),
                    ColumnKind::Date => Ok(encode_date(at.date_naive())),
                    ColumnKind::Any => Ok(0),
                    _ => Err(Error::invalid(
                        format!("columns[{column}]"),
                        format!("datetimes cannot fill a {kind:?} column"),
                    )),
                }
            })
            .collect()
    });
    Ok(PyArray1::from_vec(py, encoded.py_err()?))
}

/// Adds the functions of this file to the module.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(score_batch, module)?)?;
    module.add_function(wrap_pyfunction!(encode_column, module)?)?;
    module.add_function(wrap_pyfunction!(encode_unix_seconds, module)?)?;
    Ok(())
}
