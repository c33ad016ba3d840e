//! C API of the predictive models ([`crate::predict`]): propensity models
//! trained on a dataset, logistic regression on flat arrays, CLV models
//! fitted from a dataset or from flat RFM arrays, at-risk customers and the
//! ideal-customer profile. Models are immutable handles, serialisable to and
//! from JSON.
//!
//! One submodule per model family, re-exported here: `propensity`,
//! `logistic`, `clv` (fitting and predicting), `customers` (the CLV report
//! and the ideal-customer profile) and `clv_parts` (the model piece by
//! piece on flat arrays). The handle types and the argument helpers they
//! share stay here.

use std::ffi::c_char;

use super::{FfiError, Handle, handle_tag, str_arg};
use crate::Error;
use crate::predict::{ClvModel, LogisticRegression, PropensityModel, TimeUnit};

// In this order, the header's: cbindgen writes the functions in the order
// it meets them.
// crm_propensity_*.
mod propensity;
// crm_logistic_*.
mod logistic;
// Fitting and predicting CLV models, their JSON form and release.
mod clv;
// crm_clv_report_json, crm_profile_json.
mod customers;
// crm_rfm_json and the model piece by piece.
mod clv_parts;

pub use clv::*;
pub use clv_parts::*;
pub use customers::*;
pub use logistic::*;
pub use propensity::*;

/// A trained propensity model (naive Bayes or logistic regression over
/// dataset features), made by crm_propensity_train() or
/// crm_propensity_model_from_json() and released with
/// crm_propensity_model_free(). Immutable: one handle may be used from
/// several threads at once.
#[allow(non_camel_case_types)]
pub struct crm_propensity_model {
    _private: [u8; 0],
}

/// A logistic regression over flat feature arrays, made by
/// crm_logistic_fit() or crm_logistic_from_json() and released with
/// crm_logistic_free(). Immutable: safe to share across threads.
#[allow(non_camel_case_types)]
pub struct crm_logistic {
    _private: [u8; 0],
}

/// A fitted CLV model (BG/NBD + Gamma-Gamma), made by
/// crm_clv_fit_dataset(), crm_clv_fit_arrays() or crm_clv_model_from_json()
/// and released with crm_clv_model_free(). Immutable: safe to share across
/// threads.
#[allow(non_camel_case_types)]
pub struct crm_clv_model {
    _private: [u8; 0],
}

const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<PropensityModel>();
    shareable::<LogisticRegression>();
    shareable::<ClvModel>();
};

impl Handle for crm_propensity_model {
    type Inner = PropensityModel;
    const NAME: &'static str = "crm_propensity_model";
    const MAGIC: u64 = handle_tag(b"crm_prop");
}

impl Handle for crm_logistic {
    type Inner = LogisticRegression;
    const NAME: &'static str = "crm_logistic";
    const MAGIC: u64 = handle_tag(b"crm_logr");
}

impl Handle for crm_clv_model {
    type Inner = ClvModel;
    const NAME: &'static str = "crm_clv_model";
    const MAGIC: u64 = handle_tag(b"crm_clvm");
}

/// Reads an optional JSON options argument: NULL means the defaults.
///
/// # Safety
///
/// As for `str_arg`.
unsafe fn options_arg<T: serde::de::DeserializeOwned + Default>(
    ptr: *const c_char,
    name: &str,
) -> Result<T, FfiError> {
    if ptr.is_null() {
        return Ok(T::default());
    }
    // SAFETY: forwarded to the caller.
    let text = unsafe { str_arg(ptr, name) }?;
    Ok(Error::parse_json(text)?)
}

fn unit_arg(unit: u32) -> Result<TimeUnit, FfiError> {
    match unit {
        0 => Ok(TimeUnit::Days),
        1 => Ok(TimeUnit::Weeks),
        2 => Ok(TimeUnit::CalendarWeeks),
        other => Err(FfiError::invalid_argument(
            "unit",
            format!("expected 0 (days), 1 (weeks: days / 7) or 2 (calendar weeks), found {other}"),
        )),
    }
}
