//! C API of the marketing analytics: experiment analysis, sample size and
//! attribution, JSON in and JSON out (see [`crate::experiments`] and
//! [`crate::attribution`] for the shapes).

use std::ffi::c_char;

use super::dataset::crm_dataset;
use super::{crm_status, dataset_json_call, json_call};
use crate::attribution::{
    AttributionRequest, DatasetAttributionRequest, attribution_report, dataset_attribution_report,
};
use crate::experiments::{ExperimentRequest, SampleSizeRequest, analyze, sample_size};

/// Analyses an A/B/n experiment and writes the JSON analysis to
/// `*out_json`.
///
/// `request_json` is a NUL-terminated UTF-8 JSON object (all but metric
/// and arms optional; for "metric":"mean" the arms give "n", "mean", "sd"
/// or "values"):
///
/// ```text
/// {"metric":"conversion","arms":[{"name":"A","visitors":1000,
///  "conversions":100},{"name":"B","visitors":1000,"conversions":130}],
///  "alpha":0.05, "control":"A", "expected_split":[1,1],
///  "planned_per_arm":3841, "prior":{"alpha":1,"beta":1},
///  "credible_level":0.95, "sequential":{"mixing_sd":0.05},
///  "yates":false, "srm_threshold":0.001}
/// ```
///
/// The analysis holds "arms", "chi_square", "comparisons" (each with the
/// test, its assumptions and whether they hold, intervals for the
/// difference and the lift, the Bayesian P(variant beats control) and
/// expected losses, the sequential test, a Bonferroni-adjusted p-value and
/// a "verdict" {"code","reason"}), "sample_ratio" and "warnings"
/// ({"code","message"}: peeking, sample_ratio_mismatch,
/// assumption_violated, test_undefined). No number is NaN.
///
/// Errors: CRM_STATUS_NULL_POINTER, CRM_STATUS_INVALID_UTF8,
/// CRM_STATUS_JSON for malformed JSON or an unknown field (the message
/// names the JSON path), CRM_STATUS_INVALID for an empty arm, a duplicate
/// name or an option out of range (the message names the field, e.g.
/// `arms[1].visitors`), CRM_STATUS_UNSUPPORTED for a non-integer prior
/// alpha. On failure `*out_json` is left untouched. The string is freed
/// with crm_string_free().
///
/// # Safety
///
/// `request_json` must be NULL or a NUL-terminated string; `out_json` must
/// be NULL or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_experiment_analyze(
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status {
    // SAFETY: the caller upholds the contract in the docs above.
    unsafe {
        json_call(request_json, out_json, |json| {
            analyze(&ExperimentRequest::from_json(json)?)
        })
    }
}

/// Plans an experiment: the size per arm for an effect, or the minimum
/// detectable effect for a size, written as JSON to `*out_json`.
///
/// `request_json`: {"metric":"conversion","baseline":0.1,
/// "effect":{"relative":0.2}} or {"metric":"mean","baseline":50,"sd":25,
/// "per_arm":1000}, with optional "alpha" (0.05), "power" (0.8) and "arms"
/// (2). Exactly one of "effect" ({"absolute":x} or {"relative":x}) and
/// "per_arm" is given.
///
/// The plan: {"solved_for":"sample_size","per_arm":3841,"total":7682,
/// "absolute_effect":0.02,"relative_effect":0.2,
/// "formula":"two_proportions_normal_approximation"}.
///
/// Errors: as crm_experiment_analyze(); CRM_STATUS_OVERFLOW when the size
/// does not fit in 64 bits. On failure `*out_json` is left untouched.
///
/// # Safety
///
/// As crm_experiment_analyze().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sample_size(
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status {
    // SAFETY: the caller upholds the contract in the docs above.
    unsafe {
        json_call(request_json, out_json, |json| {
            sample_size(&SampleSizeRequest::from_json(json)?)
        })
    }
}

/// Attributes conversions and revenue of customer journeys to channels
/// and campaigns under one or more models, written as JSON to `*out_json`.
///
/// `request_json`: {"currency":"USD","models":[{"model":"linear"},
/// {"model":"time_decay","half_life_days":7},{"model":"position_based",
/// "first":0.4,"last":0.4},{"model":"markov","order":1},
/// {"model":"shapley"},{"model":"shapley_rate","exact_up_to":15,
/// "permutations":10000,"seed":0},{"model":"first_touch"},
/// {"model":"last_touch"},{"model":"last_non_direct"}],"journeys":[{"touches":
/// [{"channel":"email","campaign":"spring","at":"2026-03-01T10:00:00Z",
/// "direct":false}],"conversions":1,"value":"300.00","converted_at":"..."}],
/// "lookback_days":90 (1 to 3652059, or null for no window),"spend":
/// [{"channel":"email","amount":"50"}],"scale":6,"top_paths":10,
/// "direct_takes_last_touch":true}. Instants lie in years 1 to 9999.
/// docs/json.md describes every member.
///
/// The report: "total_conversions", "total_value", "unattributed_*",
/// "models" (per model: "channels" and "campaigns" as {"key",
/// "conversions","value","spend","cost_per_acquisition","roi"}; Markov adds
/// "removal_effects" and "conversion_probability", shapley_rate
/// "shapley_values" and "shapley_estimate") and "paths" (top paths,
/// length distribution, days to conversion). Decimals are strings; each
/// model's credit sums exactly to the attributed total.
///
/// Errors: as crm_experiment_analyze(); CRM_STATUS_UNSUPPORTED for a Markov
/// chain with too many states. On failure `*out_json` is left untouched.
///
/// # Safety
///
/// As crm_experiment_analyze().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_attribution_report(
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status {
    // SAFETY: the caller upholds the contract in the docs above.
    unsafe {
        json_call(request_json, out_json, |json| {
            attribution_report(&AttributionRequest::from_json(json)?)
        })
    }
}

/// Attributes the conversions recorded in `dataset` to the touches recorded
/// before them, written as JSON to `*out_json` (the report of
/// crm_attribution_report()).
///
/// `request_json`: {"conversion":{"event":"won_deal"} (or {"event":
/// "purchase"}, {"event":"lifecycle_stage","stage":"customer"}),
/// "models":[{"model":"markov"},...] (as crm_attribution_report()),
/// "as_of":"2026-11-01T00:00:00Z","lookback_days":90,"currency":"USD",
/// "touch_types":["source_campaign","email_click","website_visit",
/// "form_submission","content_download","direct"] (also "email_open", off
/// by default),"direct_takes_last_touch":false,"ad_touches":"paid_channel",
/// "scale":6,"top_paths":10}; all but "conversion" and "models" optional.
/// Touches are the contact's source campaign, e-mail clicks and visits,
/// forms or downloads with a campaign or UTM tags in their URL (else
/// "direct"); a campaign's spend is its cost plus the spend entries booked
/// to it. Touches of an ad campaign (search, social or display with
/// advertising spend booked to it) are reported on "paid_" and its channel
/// ("paid_social") with its spend ("paid_channel", the default), on its
/// channel ("channel") or left out ("exclude").
///
/// Errors: CRM_STATUS_NULL_POINTER, CRM_STATUS_INVALID_UTF8,
/// CRM_STATUS_JSON for malformed JSON or an unknown field (the message
/// names the JSON path), CRM_STATUS_INVALID for an option out of range,
/// CRM_STATUS_CURRENCY_MISMATCH for a conversion value without an exchange
/// rate, CRM_STATUS_INVALID_ARGUMENT for a dataset handle of the wrong
/// kind. On failure `*out_json` is left untouched. The string is freed
/// with crm_string_free().
///
/// # Safety
///
/// `dataset` must be NULL or a live handle from crm_dataset_from_json();
/// `request_json` NULL or a NUL-terminated string; `out_json` NULL or
/// valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_attribution_dataset_report(
    dataset: *const crm_dataset,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status {
    // SAFETY: the caller upholds the contract in the docs above.
    unsafe {
        dataset_json_call(dataset, request_json, out_json, |dataset, json| {
            dataset_attribution_report(dataset, &DatasetAttributionRequest::from_json(json)?)
        })
    }
}
