//! CLV models (BG/NBD + Gamma-Gamma) fitted from a dataset or from flat RFM
//! arrays: fitting, predicting customers, JSON form and release.

use std::ffi::c_char;

use super::{crm_clv_model, options_arg, unit_arg};
use crate::ffi::dataset::crm_dataset;
use crate::ffi::{
    ArraySpan, FfiError, boundary, boundary_or, crm_status, disjoint_arrays, handle_free,
    handle_new, handle_ref, out_arg, slice_arg, slice_arg_mut, str_arg, string_out, timestamp_arg,
};
use crate::predict::{ClvFitOptions, ClvModel, ClvOptions, Rfm};

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
        disjoint_arrays(&[
            ArraySpan::input("frequency", frequency, n),
            ArraySpan::input("recency", recency, n),
            ArraySpan::input("age", age, n),
            ArraySpan::input("monetary", monetary, n),
            ArraySpan::output("out_probability_alive", out_probability_alive, n),
            ArraySpan::output("out_expected_purchases", out_expected_purchases, n),
            ArraySpan::output("out_clv", out_clv, n),
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
