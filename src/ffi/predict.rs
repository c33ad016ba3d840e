//! C API of the predictive models ([`crate::predict`]): propensity models
//! trained on a dataset, logistic regression on flat arrays, CLV models
//! fitted from a dataset or from flat RFM arrays, at-risk customers and the
//! ideal-customer profile. Models are immutable handles, serialisable to and
//! from JSON.

use std::ffi::c_char;

use super::dataset::crm_dataset;
use super::{
    FfiError, Handle, boundary, boundary_or, crm_status, handle_free, handle_new, handle_ref,
    handle_tag, json_out, out_arg, slice_arg, slice_arg_mut, str_arg, string_out, timestamp_arg,
};
use crate::Error;
use crate::predict::{
    ClvFitOptions, ClvModel, ClvOptions, ClvReportOptions, LogisticOptions, LogisticRegression,
    ProfileSpec, PropensityModel, PropensitySpec, Rfm, TimeUnit, at_risk, clv_report, profile,
};

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

fn rows_arg(n_rows: usize, n_features: usize, name: &str) -> Result<usize, FfiError> {
    n_rows
        .checked_mul(n_features)
        .ok_or_else(|| FfiError::invalid_argument(name, "n_rows * n_features overflows"))
}

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
        super::disjoint_arrays(&[
            super::ArraySpan::input("x", x, len),
            super::ArraySpan::output("out_probabilities", out_probabilities, n_rows),
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

/// Fits BG/NBD + Gamma-Gamma to the purchases of `dataset` up to `as_of`
/// and writes a new handle to `*out`. `options_json` may be NULL (defaults)
/// or a JSON object {"unit": "days"|"weeks", "bgnbd": {"penalty": 0,
/// "max_iterations": 200}, "gamma_gamma": {...}}. Data that cannot identify
/// the models (no repeat buyer...) give CRM_STATUS_NUMERICAL.
///
/// # Safety
///
/// `dataset` must be NULL or a live handle; `options_json` NULL or a
/// NUL-terminated string; `out` NULL or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_fit_dataset(
    dataset: *const crm_dataset,
    options_json: *const c_char,
    as_of_unix: i64,
    out: *mut *mut crm_clv_model,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let dataset = unsafe { handle_ref(dataset, "dataset") }?;
        // SAFETY: as above.
        let fit: ClvFitOptions = unsafe { options_arg(options_json, "options_json") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out, "out") }?;
        let as_of = timestamp_arg(as_of_unix, "as_of_unix")?;
        let rfm = crate::predict::rfm_from_dataset(
            dataset,
            &crate::predict::RfmOptions {
                unit: fit.unit,
                calibration_end: as_of,
                observation_end: None,
            },
            None,
        )?;
        let model = ClvModel::fit(&rfm.table.customers(), &fit)?;
        out.write(handle_new::<crm_clv_model>(model));
        Ok(())
    })
}

/// Fits BG/NBD + Gamma-Gamma to `n` customers given as flat arrays:
/// repeat purchases `frequency`, `recency` and `age` (T) in periods of
/// `unit` (0 = days, 1 = weeks of days / 7, 2 = calendar weeks), and mean
/// repeat spend `monetary`. For data without spends use
/// crm_clv_fit_bgnbd_arrays().
///
/// # Safety
///
/// Each array must hold `n` values (NULL allowed when `n` is 0); `out` NULL
/// or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_fit_arrays(
    frequency: *const u32,
    recency: *const f64,
    age: *const f64,
    monetary: *const f64,
    n: usize,
    unit: u32,
    out: *mut *mut crm_clv_model,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let customers = unsafe { customers_arg(frequency, recency, age, monetary, n) }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out, "out") }?;
        let unit = unit_arg(unit)?;
        let options = ClvFitOptions {
            unit,
            ..ClvFitOptions::default()
        };
        out.write(handle_new::<crm_clv_model>(ClvModel::fit(
            &customers, &options,
        )?));
        Ok(())
    })
}

/// # Safety
///
/// Each array must hold `n` values (or be NULL when `n` is 0).
unsafe fn customers_arg(
    frequency: *const u32,
    recency: *const f64,
    age: *const f64,
    monetary: *const f64,
    n: usize,
) -> Result<Vec<Rfm>, FfiError> {
    // SAFETY: forwarded to the caller.
    let (frequency, recency, age, monetary) = unsafe {
        (
            slice_arg(frequency, n, "frequency")?,
            slice_arg(recency, n, "recency")?,
            slice_arg(age, n, "age")?,
            slice_arg(monetary, n, "monetary")?,
        )
    };
    Ok((0..n)
        .map(|i| Rfm {
            frequency: frequency.get(i).copied().unwrap_or(0),
            recency: recency.get(i).copied().unwrap_or(0.0),
            age: age.get(i).copied().unwrap_or(0.0),
            monetary: monetary.get(i).copied().unwrap_or(0.0),
        })
        .collect())
}

/// Predicts `n` customers given as flat arrays (as for
/// crm_clv_fit_arrays(), in the model's unit): writes the probability
/// alive, the expected purchases over `horizon_months` and the discounted
/// CLV (sum of monthly cash flows at `monthly_discount_rate`, a fraction)
/// into the three output arrays of `n` doubles. Nothing is written unless
/// every customer succeeds.
///
/// # Safety
///
/// `model` must be NULL or a live handle; each input array must hold `n`
/// values and each output array room for `n` doubles (NULL allowed when
/// `n` is 0).
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn crm_clv_predict(
    model: *const crm_clv_model,
    frequency: *const u32,
    recency: *const f64,
    age: *const f64,
    monetary: *const f64,
    n: usize,
    horizon_months: u32,
    monthly_discount_rate: f64,
    out_probability_alive: *mut f64,
    out_expected_purchases: *mut f64,
    out_clv: *mut f64,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let model = unsafe { handle_ref(model, "model") }?;
        super::disjoint_arrays(&[
            super::ArraySpan::input("frequency", frequency, n),
            super::ArraySpan::input("recency", recency, n),
            super::ArraySpan::input("age", age, n),
            super::ArraySpan::input("monetary", monetary, n),
            super::ArraySpan::output("out_probability_alive", out_probability_alive, n),
            super::ArraySpan::output("out_expected_purchases", out_expected_purchases, n),
            super::ArraySpan::output("out_clv", out_clv, n),
        ])?;
        // SAFETY: as above.
        let customers = unsafe { customers_arg(frequency, recency, age, monetary, n) }?;
        // SAFETY: as above.
        let alive = unsafe { slice_arg_mut(out_probability_alive, n, "out_probability_alive") }?;
        // SAFETY: as above.
        let purchases =
            unsafe { slice_arg_mut(out_expected_purchases, n, "out_expected_purchases") }?;
        // SAFETY: as above.
        let clv = unsafe { slice_arg_mut(out_clv, n, "out_clv") }?;
        let options = ClvOptions {
            horizon_months,
            monthly_discount_rate,
        };
        let values = customers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                model
                    .customer_value(c, &options)
                    .map_err(|e| e.with_path_prefix(&format!("customers[{i}]")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (i, v) in values.iter().enumerate() {
            if let (Some(a), Some(p), Some(c)) =
                (alive.get_mut(i), purchases.get_mut(i), clv.get_mut(i))
            {
                *a = v.probability_alive;
                *p = v.expected_purchases;
                *c = v.clv;
            }
        }
        Ok(())
    })
}

/// Writes the CLV model's JSON form ({"unit", "bgnbd": {"params": {"r",
/// "alpha", "a", "b"}, "convergence": {...}}, "gamma_gamma": {...},
/// "fallback_spend"}) to `*out_json`; free it with crm_string_free().
///
/// # Safety
///
/// `model` must be NULL or a live handle; `out_json` NULL or valid for
/// writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_model_to_json(
    model: *const crm_clv_model,
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

/// Loads a CLV model from the JSON of crm_clv_model_to_json().
///
/// # Safety
///
/// `json` must be NULL or a NUL-terminated string; `out` NULL or valid for
/// writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_model_from_json(
    json: *const c_char,
    out: *mut *mut crm_clv_model,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let json = unsafe { str_arg(json, "json") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out, "out") }?;
        out.write(handle_new::<crm_clv_model>(ClvModel::from_json(json)?));
        Ok(())
    })
}

/// Releases a CLV model. NULL is a no-op.
///
/// # Safety
///
/// `model` must be NULL or a live handle not used by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_model_free(model: *mut crm_clv_model) {
    // SAFETY: the caller upholds the contract in the docs above.
    boundary_or((), || unsafe { handle_free(model) });
}

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

/// Summarises `n` purchases given as flat arrays — dense customer indices
/// `customers` (0..N), Unix times `at_unix` in seconds and non-negative
/// `amounts` — in periods of `unit` (0 = days, 1 = weeks of days / 7 with
/// purchases merged per day, 2 = calendar weeks), with calibration
/// up to `calibration_end_unix` and hold-out up to `observation_end_unix`
/// (equal to the calibration end for no hold-out). Writes to `*out_json`
/// {"unit", "holdout_length", "rows": [{"customer", "frequency", "recency",
/// "age", "monetary", "holdout_frequency", "holdout_monetary"}]}, the input
/// of crm_clv_fit_arrays(). Free it with crm_string_free().
///
/// # Safety
///
/// Each array must hold `n` values (NULL allowed when `n` is 0); `out_json`
/// NULL or valid for writing one pointer.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn crm_rfm_json(
    customers: *const u32,
    at_unix: *const i64,
    amounts: *const f64,
    n: usize,
    unit: u32,
    calibration_end_unix: i64,
    observation_end_unix: i64,
    out_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let customers = unsafe { slice_arg(customers, n, "customers") }?;
        // SAFETY: as above.
        let at_unix = unsafe { slice_arg(at_unix, n, "at_unix") }?;
        // SAFETY: as above.
        let amounts = unsafe { slice_arg(amounts, n, "amounts") }?;
        // SAFETY: as above.
        let out_json = unsafe { out_arg(out_json, "out_json") }?;
        let unit = unit_arg(unit)?;
        let options = crate::predict::RfmOptions {
            unit,
            calibration_end: timestamp_arg(calibration_end_unix, "calibration_end_unix")?,
            observation_end: Some(timestamp_arg(observation_end_unix, "observation_end_unix")?),
        };
        let table = crate::predict::rfm_from_arrays(customers, at_unix, amounts, &options)?;
        out_json.write(json_out(&table)?);
        Ok(())
    })
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

/// Fits BG/NBD alone (no spend model: every customer's expected spend is
/// then the mean repeat spend observed, here 0) to `n` customers given as
/// flat arrays of repeat purchases `frequency`, `recency` and `age` (T) in
/// periods of `unit` (0 = days, 1 = weeks of days / 7, 2 = calendar weeks).
/// Customers without spends are welcome: nothing is refused for lack of
/// Gamma-Gamma data. Data without any repeat purchase give
/// CRM_STATUS_NUMERICAL.
///
/// # Safety
///
/// Each array must hold `n` values (NULL allowed when `n` is 0); `out` NULL
/// or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_fit_bgnbd_arrays(
    frequency: *const u32,
    recency: *const f64,
    age: *const f64,
    n: usize,
    unit: u32,
    out: *mut *mut crm_clv_model,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let (frequency, recency, age) = unsafe {
            (
                slice_arg(frequency, n, "frequency")?,
                slice_arg(recency, n, "recency")?,
                slice_arg(age, n, "age")?,
            )
        };
        let customers: Vec<Rfm> = frequency
            .iter()
            .zip(recency.iter().zip(age))
            .map(|(&frequency, (&recency, &age))| Rfm {
                frequency,
                recency,
                age,
                monetary: 0.0,
            })
            .collect();
        // SAFETY: as above.
        let out = unsafe { out_arg(out, "out") }?;
        let options = ClvFitOptions {
            unit: unit_arg(unit)?,
            spend_model: crate::predict::SpendModel::None,
            ..ClvFitOptions::default()
        };
        out.write(handle_new::<crm_clv_model>(ClvModel::fit(
            &customers, &options,
        )?));
        Ok(())
    })
}

/// Writes the time unit of a CLV model (0 = days, 1 = weeks of days / 7,
/// 2 = calendar weeks) to `*out_unit`: the unit of every time argument of
/// the crm_clv_* calls and of the BG/NBD `alpha`.
///
/// # Safety
///
/// `model` must be NULL or a live handle; `out_unit` NULL or valid for
/// writing one value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_model_unit(
    model: *const crm_clv_model,
    out_unit: *mut u32,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let model = unsafe { handle_ref(model, "model") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out_unit, "out_unit") }?;
        out.write(match model.unit {
            TimeUnit::Days => 0,
            TimeUnit::Weeks => 1,
            TimeUnit::CalendarWeeks => 2,
        });
        Ok(())
    })
}

/// Writes E[X(t)], the expected number of repeat purchases of a new
/// customer in `(0, t]` (`t` in the model's unit, finite and >= 0), to
/// `*out_expected`.
///
/// # Safety
///
/// `model` must be NULL or a live handle; `out_expected` NULL or valid for
/// writing one double.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_expected_purchases_new(
    model: *const crm_clv_model,
    t: f64,
    out_expected: *mut f64,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let model = unsafe { handle_ref(model, "model") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out_expected, "out_expected") }?;
        out.write(model.bgnbd.params.expected_purchases(t)?);
        Ok(())
    })
}

/// Writes, for each of `n` customers given as flat arrays (as for
/// crm_clv_fit_arrays(), in the model's unit), the expected number of
/// purchases in the next `t` periods of the model's unit (any finite
/// `t >= 0`, not only whole months) into `out_expected[0..n]`. Nothing is
/// written unless every customer succeeds (an impossible history, e.g.
/// recency after age, gives CRM_STATUS_INVALID naming `customers[i]`).
/// `out_expected` must not share memory with an input array
/// (CRM_STATUS_INVALID).
///
/// # Safety
///
/// `model` must be NULL or a live handle; the input arrays must hold `n`
/// values and `out_expected` room for `n` doubles (NULL allowed when `n` is
/// 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_conditional_expected_purchases(
    model: *const crm_clv_model,
    t: f64,
    frequency: *const u32,
    recency: *const f64,
    age: *const f64,
    n: usize,
    out_expected: *mut f64,
) -> crm_status {
    boundary(|| {
        super::disjoint_arrays(&[
            super::ArraySpan::input("frequency", frequency, n),
            super::ArraySpan::input("recency", recency, n),
            super::ArraySpan::input("age", age, n),
            super::ArraySpan::output("out_expected", out_expected, n),
        ])?;
        // SAFETY: the caller upholds the contract in the docs above.
        let model = unsafe { handle_ref(model, "model") }?;
        let values = {
            // SAFETY: as above.
            let (frequency, recency, age) = unsafe {
                (
                    slice_arg(frequency, n, "frequency")?,
                    slice_arg(recency, n, "recency")?,
                    slice_arg(age, n, "age")?,
                )
            };
            let params = &model.bgnbd.params;
            frequency
                .iter()
                .zip(recency.iter().zip(age))
                .enumerate()
                .map(|(i, (&x, (&t_x, &big_t)))| {
                    params
                        .conditional_expected_purchases(t, x, t_x, big_t)
                        .map_err(|e| e.with_path_prefix(&format!("customers[{i}]")))
                })
                .collect::<Result<Vec<f64>, Error>>()?
        };
        // SAFETY: as above; the input slices are no longer used.
        let out = unsafe { slice_arg_mut(out_expected, n, "out_expected") }?;
        out.copy_from_slice(&values);
        Ok(())
    })
}

/// Writes, for each of `n` customers with `frequency[i]` repeat purchases
/// of mean amount `monetary[i]`, the expected spend per purchase into
/// `out_spend[0..n]` (the Gamma-Gamma conditional expectation) and into
/// `out_fallback[0..n]` 1 when that value is the model's fallback spend
/// (the mean repeat spend observed: for a BG/NBD-only model, or where the
/// Gamma-Gamma expectation is infinite), else 0. `out_fallback` may be
/// NULL. Nothing is written unless every customer succeeds (a negative or
/// non-finite spend gives CRM_STATUS_INVALID).
///
/// # Safety
///
/// `model` must be NULL or a live handle; the input arrays must hold `n`
/// values, `out_spend` room for `n` doubles and `out_fallback` (unless
/// NULL) for `n` bytes (NULL allowed when `n` is 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_expected_spend(
    model: *const crm_clv_model,
    frequency: *const u32,
    monetary: *const f64,
    n: usize,
    out_spend: *mut f64,
    out_fallback: *mut u8,
) -> crm_status {
    boundary(|| {
        super::disjoint_arrays(&[
            super::ArraySpan::input("frequency", frequency, n),
            super::ArraySpan::input("monetary", monetary, n),
            super::ArraySpan::output("out_spend", out_spend, n),
            super::ArraySpan::output("out_fallback", out_fallback, n),
        ])?;
        // SAFETY: the caller upholds the contract in the docs above.
        let model = unsafe { handle_ref(model, "model") }?;
        let values = {
            // SAFETY: as above.
            let (frequency, monetary) = unsafe {
                (
                    slice_arg(frequency, n, "frequency")?,
                    slice_arg(monetary, n, "monetary")?,
                )
            };
            frequency
                .iter()
                .zip(monetary)
                .enumerate()
                .map(|(i, (&x, &m))| {
                    model
                        .expected_spend(x, m)
                        .map_err(|e| e.with_path_prefix(&format!("customers[{i}]")))
                })
                .collect::<Result<Vec<(f64, bool)>, Error>>()?
        };
        // SAFETY: as above; the input slices are no longer used.
        let spend = unsafe { slice_arg_mut(out_spend, n, "out_spend") }?;
        let fallback = if out_fallback.is_null() {
            None
        } else {
            // SAFETY: as above.
            Some(unsafe { slice_arg_mut(out_fallback, n, "out_fallback") }?)
        };
        for (slot, (value, _)) in spend.iter_mut().zip(&values) {
            *slot = *value;
        }
        if let Some(fallback) = fallback {
            for (slot, (_, used)) in fallback.iter_mut().zip(&values) {
                *slot = u8::from(*used);
            }
        }
        Ok(())
    })
}

/// Writes the BG/NBD parameters `{r, alpha, a, b}` (alpha in the model's
/// unit) to `out_params[0..4]` and, unless `out_standard_errors` is NULL,
/// their standard errors (from the Hessian of the log-likelihood at the
/// optimum, as lifetimes reports them; the 95 % interval is
/// value ± 1.96 × error) to `out_standard_errors[0..4]`. A fit whose
/// Hessian is degenerate has no standard errors: asking for them gives
/// CRM_STATUS_NUMERICAL with the reason, and nothing is written.
///
/// # Safety
///
/// `model` must be NULL or a live handle; `out_params` room for 4 doubles;
/// `out_standard_errors` NULL or room for 4 doubles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_bgnbd_params(
    model: *const crm_clv_model,
    out_params: *mut f64,
    out_standard_errors: *mut f64,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let model = unsafe { handle_ref(model, "model") }?;
        super::disjoint_arrays(&[
            super::ArraySpan::output("out_params", out_params, 4),
            super::ArraySpan::output("out_standard_errors", out_standard_errors, 4),
        ])?;
        let p = model.bgnbd.params;
        let errors = if out_standard_errors.is_null() {
            None
        } else {
            let se = model.bgnbd.parameter_standard_errors()?;
            Some([se.r, se.alpha, se.a, se.b])
        };
        // SAFETY: as above.
        let params = unsafe { slice_arg_mut(out_params, 4, "out_params") }?;
        params.copy_from_slice(&[p.r, p.alpha, p.a, p.b]);
        if let Some(errors) = errors {
            // SAFETY: as above.
            let out = unsafe { slice_arg_mut(out_standard_errors, 4, "out_standard_errors") }?;
            out.copy_from_slice(&errors);
        }
        Ok(())
    })
}

/// Writes the Gamma-Gamma parameters `{p, q, gamma}` to `out_params[0..3]`
/// and, unless `out_standard_errors` is NULL, their standard errors to
/// `out_standard_errors[0..3]`. A BG/NBD-only model gives
/// CRM_STATUS_INVALID; a degenerate Hessian (when standard errors are
/// asked for) CRM_STATUS_NUMERICAL; nothing is written then.
///
/// # Safety
///
/// `model` must be NULL or a live handle; `out_params` room for 3 doubles;
/// `out_standard_errors` NULL or room for 3 doubles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_gamma_gamma_params(
    model: *const crm_clv_model,
    out_params: *mut f64,
    out_standard_errors: *mut f64,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let model = unsafe { handle_ref(model, "model") }?;
        super::disjoint_arrays(&[
            super::ArraySpan::output("out_params", out_params, 3),
            super::ArraySpan::output("out_standard_errors", out_standard_errors, 3),
        ])?;
        let gamma_gamma = model.gamma_gamma.as_ref().ok_or_else(|| {
            Error::invalid("model", "the model has no spend model (fitted BG/NBD only)")
        })?;
        let v = gamma_gamma.params;
        let errors = if out_standard_errors.is_null() {
            None
        } else {
            let se = gamma_gamma.parameter_standard_errors()?;
            Some([se.p, se.q, se.gamma])
        };
        // SAFETY: as above.
        let params = unsafe { slice_arg_mut(out_params, 3, "out_params") }?;
        params.copy_from_slice(&[v.p, v.q, v.gamma]);
        if let Some(errors) = errors {
            // SAFETY: as above.
            let out = unsafe { slice_arg_mut(out_standard_errors, 3, "out_standard_errors") }?;
            out.copy_from_slice(&errors);
        }
        Ok(())
    })
}
