//! Propensity models over a dataset: training, predicting the open leads,
//! JSON form and release.

use std::ffi::c_char;

use super::crm_propensity_model;
use crate::ffi::dataset::crm_dataset;
use crate::ffi::{
    boundary, boundary_or, crm_status, handle_free, handle_new, handle_ref, json_out, out_arg,
    str_arg, string_out, timestamp_arg,
};
use crate::predict::{PropensityModel, PropensitySpec};

/// Trains a propensity model on the deals of `dataset` closed at or before
/// `as_of_unix` (won = positive) from the JSON
/// spec `spec_json` (features, "model": "naive_bayes" or "logistic",
/// "holdout_percent", "allow_protected"...) and writes a new handle to
/// `*out`. Protected attributes not listed in "allow_protected" give
/// CRM_STATUS_PROTECTED_ATTRIBUTE; a training split without won or without
/// lost deals gives CRM_STATUS_INVALID.
///
/// # Safety
///
/// `dataset` must be NULL or a live dataset handle; `spec_json` NULL or a
/// NUL-terminated string; `out` NULL or valid for writing one pointer. The
/// handle must be released with crm_propensity_model_free().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_propensity_train(
    dataset: *const crm_dataset,
    spec_json: *const c_char,
    as_of_unix: i64,
    out: *mut *mut crm_propensity_model,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let dataset = unsafe { handle_ref(dataset, "dataset") }?;
        // SAFETY: as above.
        let spec = unsafe { str_arg(spec_json, "spec_json") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out, "out") }?;
        let as_of = timestamp_arg(as_of_unix, "as_of_unix")?;
        let spec = PropensitySpec::from_json(spec)?;
        let model = PropensityModel::train(dataset, &spec, as_of)?;
        out.write(handle_new::<crm_propensity_model>(model));
        Ok(())
    })
}

/// Loads a propensity model from the JSON written by
/// crm_propensity_model_to_json() and writes a new handle to `*out`.
///
/// # Safety
///
/// `json` must be NULL or a NUL-terminated string; `out` NULL or valid for
/// writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_propensity_model_from_json(
    json: *const c_char,
    out: *mut *mut crm_propensity_model,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let json = unsafe { str_arg(json, "json") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out, "out") }?;
        let model = PropensityModel::from_json(json)?;
        out.write(handle_new::<crm_propensity_model>(model));
        Ok(())
    })
}

/// Writes the model's JSON form (spec, encoders, coefficients or tables,
/// training summary with the hold-out evaluation) to `*out_json`; free it
/// with crm_string_free().
///
/// # Safety
///
/// `model` must be NULL or a live handle; `out_json` NULL or valid for
/// writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_propensity_model_to_json(
    model: *const crm_propensity_model,
    out_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let model = unsafe { handle_ref(model, "model") }?;
        // SAFETY: as above.
        let out_json = unsafe { out_arg(out_json, "out_json") }?;
        out_json.write(string_out(model.to_json()?)?);
        Ok(())
    })
}

/// Predicts every open lead of `dataset` (each open deal, and each lead
/// contact without an open deal): writes to `*out_json` a JSON array of
/// {"deal" (absent for a contact without a deal), "contact", "probability",
/// "expected_value", "contributions": [{"feature", "value", "effect"}]},
/// highest probability first. Free it with crm_string_free().
///
/// # Safety
///
/// `model` and `dataset` must be NULL or live handles; `out_json` NULL or
/// valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_propensity_predict_json(
    model: *const crm_propensity_model,
    dataset: *const crm_dataset,
    as_of_unix: i64,
    out_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let model = unsafe { handle_ref(model, "model") }?;
        // SAFETY: as above.
        let dataset = unsafe { handle_ref(dataset, "dataset") }?;
        // SAFETY: as above.
        let out_json = unsafe { out_arg(out_json, "out_json") }?;
        let as_of = timestamp_arg(as_of_unix, "as_of_unix")?;
        out_json.write(json_out(&model.predict(dataset, as_of)?)?);
        Ok(())
    })
}

/// Releases a propensity model. NULL is a no-op.
///
/// # Safety
///
/// `model` must be NULL or a live handle not used by another thread; it
/// must not be used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_propensity_model_free(model: *mut crm_propensity_model) {
    // SAFETY: the caller upholds the contract in the docs above.
    boundary_or((), || unsafe { handle_free(model) });
}
