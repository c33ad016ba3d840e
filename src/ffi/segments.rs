//! C API of customer segments: cohort retention tables, RFM segments and
//! saved-segment membership over a dataset, JSON in and JSON out (see
//! [`crate::segments`] for the definitions).

use std::ffi::c_char;

use super::dataset::crm_dataset;
use super::{crm_status, dataset_json_call};
use crate::segments::{
    CohortRequest, RfmSegmentRequest, SegmentRequest, cohort_report, rfm_segments, segment_members,
};

/// Builds the cohort retention table of `dataset` and writes it as JSON to
/// `*out_json`.
///
/// `request_json`: {"as_of":"2026-12-31T00:00:00Z","granularity":"month"
/// (or "day", "week", "quarter", "year"; quarters and years follow the
/// dataset's fiscal calendar),"revenue_source":"both" (or "deals",
/// "purchases"),"currency":"USD"}; all but "as_of" optional. A customer's
/// cohort is the period of their first revenue event (won deal or
/// purchase); they are active in a period with at least one revenue event
/// in it.
///
/// The report: {"granularity","currency","as_of","revenue_source",
/// "customers","cohorts":[{"period":{"start","end"},"customers",
/// "periods":[{"offset","period","complete","active","retention",
/// "revenue","cumulative_revenue","revenue_per_customer",
/// "cumulative_revenue_per_customer"}]}]}. Ratios are {"status":"defined",
/// "value","numerator","denominator"} (retention in percent); decimals are
/// strings.
///
/// Errors: CRM_STATUS_NULL_POINTER, CRM_STATUS_INVALID_UTF8,
/// CRM_STATUS_JSON for malformed JSON or an unknown field (the message
/// names the JSON path), CRM_STATUS_CURRENCY_MISMATCH when an amount cannot
/// be converted, CRM_STATUS_INVALID_ARGUMENT for a dataset handle of the
/// wrong kind. On failure `*out_json` is left untouched. The string is
/// freed with crm_string_free().
///
/// # Safety
///
/// `dataset` must be NULL or a live handle from crm_dataset_from_json();
/// `request_json` NULL or a NUL-terminated string; `out_json` NULL or
/// valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_cohort_report(
    dataset: *const crm_dataset,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status {
    // SAFETY: the caller upholds the contract in the docs above.
    unsafe {
        dataset_json_call(dataset, request_json, out_json, |dataset, json| {
            cohort_report(dataset, &CohortRequest::from_json(json)?)
        })
    }
}

/// Scores the customers of `dataset` on recency, frequency and monetary
/// value (quintiles 1-5, ties sharing the lower score) and names their
/// segment, written as JSON to `*out_json`.
///
/// `request_json`: {"as_of":"2026-12-31T00:00:00Z","revenue_source":"both",
/// "currency":"USD"}; all but "as_of" optional.
///
/// The table: {"as_of","currency","customers":[{"customer","contact",
/// "recency_days","frequency","monetary","r","f","m","fm","segment"}],
/// "segments":[{"segment","customers","share"}]} with all 11 segments
/// ("champions", "loyal", "potential_loyalist", "new", "promising",
/// "need_attention", "about_to_sleep", "at_risk", "cannot_lose_them",
/// "hibernating", "lost") in that order.
///
/// Errors and ownership as for crm_cohort_report().
///
/// # Safety
///
/// As crm_cohort_report().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_rfm_segments(
    dataset: *const crm_dataset,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status {
    // SAFETY: the caller upholds the contract in the docs above.
    unsafe {
        dataset_json_call(dataset, request_json, out_json, |dataset, json| {
            rfm_segments(dataset, &RfmSegmentRequest::from_json(json)?)
        })
    }
}

/// Evaluates a saved segment (a condition of the rules engine over
/// contact.* and company.* fields) over `dataset` as of an instant and
/// writes the members as JSON to `*out_json`.
///
/// `request_json`: {"segment":{"name":"vip","condition":{"field":
/// "contact.tags","op":"has","value":"vip"}},"as_of":"2026-06-01T00:00:00Z",
/// "since":"2026-03-01T00:00:00Z" (optional)}. As of an instant, only
/// contacts created by then exist and the lifecycle stage is the one they
/// had then.
///
/// The result: {"name","as_of","count","members":["C-1",...],"changes":
/// {"since","count_then","entered":[...],"left":[...]}} ("changes" only
/// with "since").
///
/// Errors: as crm_cohort_report(); CRM_STATUS_INVALID for a condition the
/// rules engine refuses, a deal.*, ticket.* or event.* field (the message
/// names the path, e.g. `segment.condition.all[1].field`) or "since" after
/// "as_of". On failure `*out_json` is left untouched.
///
/// # Safety
///
/// As crm_cohort_report().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_segment_members(
    dataset: *const crm_dataset,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status {
    // SAFETY: the caller upholds the contract in the docs above.
    unsafe {
        dataset_json_call(dataset, request_json, out_json, |dataset, json| {
            segment_members(dataset, &SegmentRequest::from_json(json)?)
        })
    }
}
