//! The native half of the `crmkit` Python package (`crmkit._native`).
//!
//! The Python package (`python/crmkit/`) holds the public, typed API:
//! dataclasses, `decimal.Decimal` money, timezone-aware datetimes and the
//! exception hierarchy. This module is the thin shell under it: it holds the
//! compiled engines of the core crate (`Send + Sync`, shared by every Python
//! thread), converts JSON text and NumPy arrays, releases the GIL while an
//! engine works, and turns [`crmkit::Error`] into the Python exception of its
//! kind. It uses only the core crate's public API.
//!
//! Build and install with `pip install crates/crmkit-python` (maturin).

mod analytics;
mod batch;
mod clv;
mod engines;
mod errors;

use pyo3::prelude::*;

/// The module `crmkit._native`.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    engines::register(module)?;
    analytics::register(module)?;
    batch::register(module)?;
    clv::register(module)?;
    Ok(())
}
