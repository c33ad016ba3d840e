//! Logistic regression on flat feature arrays: fitting, predicting, JSON
//! form and release.

use std::ffi::c_char;

use super::crm_logistic;
use crate::Error;
use crate::ffi::{
    ArraySpan, FfiError, boundary, boundary_or, crm_status, disjoint_arrays, handle_free,
    handle_new, handle_ref, json_out, out_arg, slice_arg, slice_arg_mut, str_arg,
};
use crate::predict::{LogisticOptions, LogisticRegression};

fn rows_arg(n_rows: usize, n_features: usize, name: &str) -> Result<usize, FfiError> {
    n_rows
        .checked_mul(n_features)
        .ok_or_else(|| FfiError::invalid_argument(name, "n_rows * n_features overflows"))
}

/// Fits an L2-regularised logistic regression (Newton/IRLS) to `n_rows`
/// rows of `n_features` doubles (`x`, row-major) with outcomes `y` (one
/// byte per row, non-zero = won) and penalty `l2` (>= 0; the intercept is
/// not penalised), and writes a new handle to `*out`. All-equal outcomes
/// give CRM_STATUS_INVALID; no convergence CRM_STATUS_NUMERICAL.
///
/// # Safety
///
/// `x` must point to `n_rows * n_features` doubles and `y` to `n_rows`
/// bytes (either may be NULL when its length is 0); `out` NULL or valid for
/// writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_logistic_fit(
    x: *const f64,
    y: *const u8,
    n_rows: usize,
    n_features: usize,
    l2: f64,
    out: *mut *mut crm_logistic,
) -> crm_status {
    boundary(|| {
        let len = rows_arg(n_rows, n_features, "n_features")?;
        // SAFETY: the caller upholds the contract in the docs above.
        let x = unsafe { slice_arg(x, len, "x") }?;
        // SAFETY: as above.
        let y = unsafe { slice_arg(y, n_rows, "y") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out, "out") }?;
        let y: Vec<bool> = y.iter().map(|v| *v != 0).collect();
        let options = LogisticOptions {
            l2,
            ..LogisticOptions::default()
        };
        let model = LogisticRegression::fit(x, n_features, &y, &options)?;
        out.write(handle_new::<crm_logistic>(model));
        Ok(())
    })
}

/// Writes the probability of each of `n_rows` rows of `x` (row-major,
/// `n_features` doubles each, which must equal the model's feature count)
/// into `out_probabilities[0..n_rows]`.
///
/// # Safety
///
/// `model` must be NULL or a live handle; `x` must point to
/// `n_rows * n_features` doubles and `out_probabilities` to `n_rows`
/// writable doubles (NULL allowed when `n_rows` is 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_logistic_predict(
    model: *const crm_logistic,
    x: *const f64,
    n_rows: usize,
    n_features: usize,
    out_probabilities: *mut f64,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let model = unsafe { handle_ref(model, "model") }?;
        if n_features != model.coefficients.len() {
            return Err(FfiError::invalid_argument(
                "n_features",
                format!(
                    "the model has {} features, not {n_features}",
                    model.coefficients.len()
                ),
            ));
        }
        let len = rows_arg(n_rows, n_features, "n_features")?;
        disjoint_arrays(&[
            ArraySpan::input("x", x, len),
            ArraySpan::output("out_probabilities", out_probabilities, n_rows),
        ])?;
        // SAFETY: as above.
        let x = unsafe { slice_arg(x, len, "x") }?;
        // SAFETY: as above.
        let out = unsafe { slice_arg_mut(out_probabilities, n_rows, "out_probabilities") }?;
        model.predict_into(x, out)?;
        Ok(())
    })
}

/// Writes the model's JSON form ({"intercept", "coefficients", "l2",
/// "convergence"}) to `*out_json`; free it with crm_string_free().
///
/// # Safety
///
/// `model` must be NULL or a live handle; `out_json` NULL or valid for
/// writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_logistic_to_json(
    model: *const crm_logistic,
    out_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let model = unsafe { handle_ref(model, "model") }?;
        // SAFETY: as above.
        let out_json = unsafe { out_arg(out_json, "out_json") }?;
        out_json.write(json_out(model)?);
        Ok(())
    })
}

/// Loads a logistic regression from the JSON of crm_logistic_to_json().
///
/// # Safety
///
/// `json` must be NULL or a NUL-terminated string; `out` NULL or valid for
/// writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_logistic_from_json(
    json: *const c_char,
    out: *mut *mut crm_logistic,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let json = unsafe { str_arg(json, "json") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out, "out") }?;
        let model: LogisticRegression = Error::parse_json(json)?;
        model.validate()?;
        out.write(handle_new::<crm_logistic>(model));
        Ok(())
    })
}

/// Releases a logistic regression. NULL is a no-op.
///
/// # Safety
///
/// `model` must be NULL or a live handle not used by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_logistic_free(model: *mut crm_logistic) {
    // SAFETY: the caller upholds the contract in the docs above.
    boundary_or((), || unsafe { handle_free(model) });
}
