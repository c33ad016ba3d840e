//! Reports on a dataset's customers: the CLV report with the customers at
//! risk, and the ideal-customer profile or churn indicators.

use std::ffi::c_char;

use super::options_arg;
use crate::ffi::dataset::crm_dataset;
use crate::ffi::{boundary, crm_status, handle_ref, json_out, out_arg, str_arg, timestamp_arg};
use crate::predict::{ClvReportOptions, ProfileSpec, at_risk, clv_report, profile};

/// Fits the CLV models on `dataset` up to `as_of` and writes to
/// `*out_json` {"report": {"model", "options", "currency", "customers":
/// [...]}, "at_risk": [...]}: every customer's CLV, and the customers whose
/// probability alive is below `threshold` ranked by probability alive x
/// value, at most `limit`. `options_json` may be NULL or {"fit": {...},
/// "clv": {"horizon_months": 12, "monthly_discount_rate": 0.01},
/// "currency": "USD"}.
///
/// # Safety
///
/// `dataset` must be NULL or a live handle; `options_json` NULL or a
/// NUL-terminated string; `out_json` NULL or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_report_json(
    dataset: *const crm_dataset,
    options_json: *const c_char,
    as_of_unix: i64,
    threshold: f64,
    limit: usize,
    out_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let dataset = unsafe { handle_ref(dataset, "dataset") }?;
        // SAFETY: as above.
        let options: ClvReportOptions = unsafe { options_arg(options_json, "options_json") }?;
        // SAFETY: as above.
        let out_json = unsafe { out_arg(out_json, "out_json") }?;
        let as_of = timestamp_arg(as_of_unix, "as_of_unix")?;
        let report = clv_report(dataset, as_of, &options)?;
        let risky = at_risk(&report, threshold, limit)?;
        out_json.write(json_out(&serde_json::json!({
            "report": report,
            "at_risk": risky,
        }))?);
        Ok(())
    })
}

/// Writes to `*out_json` the ideal-customer profile or churn indicators
/// described by `spec_json` ({"outcome": {"type": "top_revenue",
/// "fraction": 0.2} or {"type": "churned", "inactive_days": 90},
/// "features": [...], "min_support": 0.1}) for the customers of `dataset`
/// up to `as_of`.
///
/// # Safety
///
/// `dataset` must be NULL or a live handle; `spec_json` NULL or a
/// NUL-terminated string; `out_json` NULL or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_profile_json(
    dataset: *const crm_dataset,
    spec_json: *const c_char,
    as_of_unix: i64,
    out_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let dataset = unsafe { handle_ref(dataset, "dataset") }?;
        // SAFETY: as above.
        let spec = unsafe { str_arg(spec_json, "spec_json") }?;
        // SAFETY: as above.
        let out_json = unsafe { out_arg(out_json, "out_json") }?;
        let as_of = timestamp_arg(as_of_unix, "as_of_unix")?;
        let spec = ProfileSpec::from_json(spec)?;
        out_json.write(json_out(&profile(dataset, &spec, as_of)?)?);
        Ok(())
    })
}
