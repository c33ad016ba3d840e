//! Conversion of the core crate's errors into Python exceptions.
//!
//! The exception classes live in Python (`crmkit/_errors.py`), so that each
//! can also derive from the matching built-in (`ValueError`, `LookupError`,
//! `OverflowError`, ...). This module looks the class up by the error's kind
//! and raises it with `(message, kind, path)`.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use serde::Serialize;

/// The name of the Python class for an error kind (see `crmkit/_errors.py`).
fn class_name(kind: crmkit::ErrorKind) -> &'static str {
    use crmkit::ErrorKind;
    match kind {
        ErrorKind::Json => "JsonError",
        ErrorKind::Invalid => "InvalidError",
        ErrorKind::NotFound => "NotFoundError",
        ErrorKind::CurrencyMismatch => "CurrencyMismatchError",
        ErrorKind::Overflow => "OverflowError",
        ErrorKind::Unsupported => "UnsupportedError",
        ErrorKind::ProtectedAttribute => "ProtectedAttributeError",
        ErrorKind::Numerical => "NumericalError",
        _ => "CrmError",
    }
}

/// The Python exception for a core error: an instance of the class of its
/// kind, carrying `message`, `kind` and `path` (or `None`).
pub fn to_py(err: crmkit::Error) -> PyErr {
    Python::attach(|py| {
        let raised = py
            .import("crmkit._errors")
            .and_then(|errors| errors.getattr(class_name(err.kind())))
            .and_then(|class| class.call1((err.message(), err.kind().as_str(), err.path())));
        match raised {
            Ok(exception) => PyErr::from_value(exception),
            Err(import_error) => import_error,
        }
    })
}

/// A core result as a Python result.
pub trait IntoPy<T> {
    /// Maps the error to its Python exception.
    fn py_err(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for crmkit::Result<T> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

/// `value` as JSON text (results of the engines are plain serde data).
pub fn json<T: Serialize + ?Sized>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|err| {
        PyRuntimeError::new_err(format!("the result cannot be written as JSON: {err}"))
    })
}

/// An instant given as whole seconds since the Unix epoch.
pub fn timestamp(unix: i64, name: &str) -> PyResult<crmkit::model::Timestamp> {
    chrono::DateTime::from_timestamp(unix, 0).ok_or_else(|| {
        to_py(crmkit::Error::invalid(
            name,
            format!("{unix} seconds since 1970 is outside the supported range of instants"),
        ))
    })
}
