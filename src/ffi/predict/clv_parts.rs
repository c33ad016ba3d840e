//! The CLV model piece by piece, on flat arrays: the RFM table from
//! purchases (the input of crm_clv_fit_arrays()), BG/NBD fitted alone, the
//! model's time unit, expected purchases (new and conditional), expected
//! spend, and the fitted parameters with their standard errors.

use std::ffi::c_char;

use super::{crm_clv_model, unit_arg};
use crate::Error;
use crate::ffi::{
    ArraySpan, boundary, crm_status, disjoint_arrays, handle_new, handle_ref, json_out, out_arg,
    slice_arg, slice_arg_mut, timestamp_arg,
};
use crate::predict::{ClvFitOptions, ClvModel, Rfm, TimeUnit};

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
        disjoint_arrays(&[
            ArraySpan::input("frequency", frequency, n),
            ArraySpan::input("recency", recency, n),
            ArraySpan::input("age", age, n),
            ArraySpan::output("out_expected", out_expected, n),
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
        disjoint_arrays(&[
            ArraySpan::input("frequency", frequency, n),
            ArraySpan::input("monetary", monetary, n),
            ArraySpan::output("out_spend", out_spend, n),
            ArraySpan::output("out_fallback", out_fallback, n),
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
        disjoint_arrays(&[
            ArraySpan::output("out_params", out_params, 4),
            ArraySpan::output("out_standard_errors", out_standard_errors, 4),
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
        disjoint_arrays(&[
            ArraySpan::output("out_params", out_params, 3),
            ArraySpan::output("out_standard_errors", out_standard_errors, 3),
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
