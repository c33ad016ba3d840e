//! The batch scoring path over NumPy arrays.
//!
//! Columns arrive as one-dimensional `int64` arrays (the encoding of the
//! core's batch path, see `crmkit::scoring::batch`) and are read in place,
//! without a copy, when they are C-contiguous. Events arrive as the bytes of
//! a NumPy structured array with the layout of [`BatchEvent`] and are read
//! in place too; the engine writes its [`BatchScore`]s straight into the
//! bytes of a structured result array. Nothing is copied or converted on
//! the way in or out (unaligned arrays take a copying fallback), and the GIL
//! is released while the engine scores.
//! [`encode_column`] turns a NumPy column of plain values (numbers, flags,
//! text, Unix seconds) into that encoding with the core's own encoders.

use crmkit::scoring::{
    Batch, BatchEvent, BatchScore, ColumnKind, MISSING, encode_date, encode_decimal,
    encode_timestamp,
};
use crmkit::{Error, ErrorKind};
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyReadwriteArray1, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

use crate::engines::PyScoringModel;
use crate::errors::{IntoPy, timestamp, to_py};

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

// The structured NumPy dtypes `crmkit.EVENT_DTYPE` and `crmkit.SCORE_DTYPE`
// mirror these `#[repr(C)]` layouts field for field; the batch path reads
// and writes NumPy memory as these types, so the layouts are pinned here.
const _: () = {
    assert!(std::mem::size_of::<BatchEvent>() == 16);
    assert!(std::mem::offset_of!(BatchEvent, lead) == 0);
    assert!(std::mem::offset_of!(BatchEvent, rule) == 4);
    assert!(std::mem::offset_of!(BatchEvent, at) == 8);
    assert!(std::mem::size_of::<BatchScore>() == 16);
    assert!(std::mem::offset_of!(BatchScore, total_units) == 0);
    assert!(std::mem::offset_of!(BatchScore, grade) == 8);
    assert!(std::mem::offset_of!(BatchScore, handoff) == 12);
};

/// Views NumPy bytes as events, without a copy, when they are aligned for
/// [`BatchEvent`] and a whole number of events; `None` otherwise.
fn events_in_place(bytes: &[u8]) -> Option<&[BatchEvent]> {
    // SAFETY: `BatchEvent` is `#[repr(C)]` of `u32, u32, i64` without
    // padding (pinned by the assertions above), so every bit pattern of
    // 16 bytes is a valid value; `align_to` only yields the aligned middle,
    // and the view borrows `bytes`, so it cannot outlive the array borrow.
    let (head, events, tail) = unsafe { bytes.align_to::<BatchEvent>() };
    (head.is_empty() && tail.is_empty()).then_some(events)
}

/// Views NumPy bytes as writable scores, as [`events_in_place`] does.
fn scores_in_place(bytes: &mut [u8]) -> Option<&mut [BatchScore]> {
    // SAFETY: `BatchScore` is `#[repr(C)]` of `i64, i32, i32` without
    // padding (pinned above): every bit pattern is valid and every value
    // written is a valid byte pattern; the view borrows `bytes` mutably.
    let (head, scores, tail) = unsafe { bytes.align_to_mut::<BatchScore>() };
    (head.is_empty() && tail.is_empty()).then_some(scores)
}

/// The bytes of one event record, in the layout of [`BatchEvent`].
fn event_record(event: &BatchEvent) -> [u8; 16] {
    let mut record = [0u8; 16];
    let (lead, rest) = record.split_at_mut(4);
    let (rule, at) = rest.split_at_mut(4);
    lead.copy_from_slice(&event.lead.to_ne_bytes());
    rule.copy_from_slice(&event.rule.to_ne_bytes());
    at.copy_from_slice(&event.at.to_ne_bytes());
    record
}

/// Reads 16-byte event records one by one (the unaligned fallback).
fn events_copied(bytes: &[u8]) -> Vec<BatchEvent> {
    bytes
        .chunks_exact(16)
        .map(|record| {
            let (lead, rest) = record.split_at(4);
            let (rule, at) = rest.split_at(4);
            BatchEvent {
                lead: u32::from_ne_bytes(lead.try_into().unwrap_or_default()),
                rule: u32::from_ne_bytes(rule.try_into().unwrap_or_default()),
                at: i64::from_ne_bytes(at.try_into().unwrap_or_default()),
            }
        })
        .collect()
}

/// Writes scores as 16-byte records (the unaligned fallback).
fn write_scores(scores: &[BatchScore], bytes: &mut [u8]) {
    for (score, record) in scores.iter().zip(bytes.chunks_exact_mut(16)) {
        let (total, rest) = record.split_at_mut(8);
        let (grade, handoff) = rest.split_at_mut(4);
        total.copy_from_slice(&score.total_units.to_ne_bytes());
        grade.copy_from_slice(&score.grade.to_ne_bytes());
        handoff.copy_from_slice(&score.handoff.to_ne_bytes());
    }
}

/// Scores `n_leads` leads over encoded columns; see
/// `crmkit.ScoringModel.score_batch`.
///
/// `events` are the bytes of a C-contiguous `crmkit.EVENT_DTYPE` array (the
/// layout of [`BatchEvent`]) and `out` those of a `crmkit.SCORE_DTYPE`
/// array of `n_leads` records (the layout of [`BatchScore`]); both are used
/// in place, without a copy, when 8-byte aligned (NumPy's allocations
/// are), and copied otherwise. `categories`, when given, is a C-contiguous
/// `int64` array of `n_leads × categories` values written in place. The
/// GIL is released while the engine scores.
#[pyfunction]
#[pyo3(signature = (model, columns, n_leads, events, stages, as_of_unix, out, categories))]
#[allow(clippy::too_many_arguments)]
fn score_batch<'py>(
    py: Python<'py>,
    model: &PyScoringModel,
    columns: Vec<PyReadonlyArray1<'py, i64>>,
    n_leads: usize,
    events: PyReadonlyArray1<'py, u8>,
    stages: Option<PyReadonlyArray1<'py, u8>>,
    as_of_unix: i64,
    mut out: PyReadwriteArray1<'py, u8>,
    categories: Option<PyReadwriteArray1<'py, i64>>,
) -> PyResult<()> {
    let as_of = timestamp(as_of_unix, "as_of")?;
    let mut slices = Vec::with_capacity(columns.len());
    for (i, column) in columns.iter().enumerate() {
        slices.push(contiguous(column, &format!("columns[{i}]"))?);
    }
    let event_bytes = contiguous(&events, "events")?;
    if event_bytes.len() % 16 != 0 {
        return Err(to_py(Error::invalid(
            "events",
            "expected an array of crmkit.EVENT_DTYPE records (16 bytes each)",
        )));
    }
    let stages = match &stages {
        Some(stages) => Some(contiguous(stages, "stages")?),
        None => None,
    };
    let out_bytes = out
        .as_slice_mut()
        .map_err(|_| to_py(Error::invalid("out", "the output array is not contiguous")))?;
    if Some(out_bytes.len()) != n_leads.checked_mul(16) {
        return Err(to_py(Error::invalid(
            "out",
            format!("expected room for {n_leads} crmkit.SCORE_DTYPE records"),
        )));
    }
    let mut categories = categories;
    let category_values = match categories.as_mut() {
        Some(values) => Some(values.as_slice_mut().map_err(|_| {
            to_py(Error::invalid(
                "categories",
                "the category array is not contiguous",
            ))
        })?),
        None => None,
    };
    py.detach(|| {
        let copied;
        let events = match events_in_place(event_bytes) {
            Some(events) => events,
            None => {
                copied = events_copied(event_bytes);
                &copied
            }
        };
        let batch = Batch {
            leads: n_leads,
            columns: slices,
            events,
            stages,
        };
        match scores_in_place(out_bytes) {
            Some(scores) => model
                .inner
                .score_batch(&batch, as_of, scores, category_values),
            None => {
                let mut scores = vec![BatchScore::default(); n_leads];
                model
                    .inner
                    .score_batch(&batch, as_of, &mut scores, category_values)?;
                write_scores(&scores, out_bytes);
                Ok(())
            }
        }
    })
    .py_err()
}

/// Packs three event arrays (lead index, rule index, Unix seconds) into
/// the bytes of a `crmkit.EVENT_DTYPE` array, with the GIL released.
#[pyfunction]
fn pack_events<'py>(
    py: Python<'py>,
    lead: PyReadonlyArray1<'py, u32>,
    rule: PyReadonlyArray1<'py, u32>,
    at: PyReadonlyArray1<'py, i64>,
) -> PyResult<Bound<'py, PyArray1<u8>>> {
    let leads = contiguous(&lead, "events.lead")?;
    let rules = contiguous(&rule, "events.rule")?;
    let ats = contiguous(&at, "events.at")?;
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
    let len = leads
        .len()
        .checked_mul(16)
        .ok_or_else(|| to_py(Error::new(ErrorKind::Overflow, "too many events")))?;
    let packed = PyArray1::<u8>::zeros(py, len, false);
    {
        let mut writable = packed.readwrite();
        let bytes = writable.as_slice_mut().map_err(|_| {
            to_py(Error::invalid(
                "events",
                "the packed array is not contiguous",
            ))
        })?;
        py.detach(|| {
            let records = leads
                .iter()
                .zip(rules)
                .zip(ats)
                .map(|((&lead, &rule), &at)| BatchEvent { lead, rule, at });
            match events_in_place_mut(bytes) {
                Some(slots) => {
                    for (slot, event) in slots.iter_mut().zip(records) {
                        *slot = event;
                    }
                }
                None => {
                    for (record, event) in bytes.chunks_exact_mut(16).zip(records) {
                        record.copy_from_slice(&event_record(&event));
                    }
                }
            }
        });
    }
    Ok(packed)
}

/// Views NumPy bytes as writable events, as [`events_in_place`] does.
fn events_in_place_mut(bytes: &mut [u8]) -> Option<&mut [BatchEvent]> {
    // SAFETY: as in `events_in_place`: every bit pattern is a valid
    // `BatchEvent` and every written value a valid byte pattern.
    let (head, events, tail) = unsafe { bytes.align_to_mut::<BatchEvent>() };
    (head.is_empty() && tail.is_empty()).then_some(events)
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
    module.add_function(wrap_pyfunction!(pack_events, module)?)?;
    module.add_function(wrap_pyfunction!(encode_column, module)?)?;
    module.add_function(wrap_pyfunction!(encode_unix_seconds, module)?)?;
    Ok(())
}
