//! C API of the KPI area: the catalog, KPI reports and time series over a
//! [`crm_dataset`], and the pipeline bottleneck report. Requests and results
//! cross as JSON (see [`crate::kpi`] for their shapes).

use std::ffi::c_char;

use super::dataset::crm_dataset;
use super::{boundary, crm_status, handle_ref, json_out, out_arg, str_arg};
use crate::kpi::catalog::definitions;
use crate::kpi::{
    KpiRequest, PipelineReportRequest, TimeSeriesRequest, compute, pipeline_report, time_series,
};

/// Writes to `*out_json` the KPI catalog: a JSON array with one object per
/// KPI, in catalog order, e.g. {"id":"win_rate","name":"Win rate",
/// "unit":"percent","direction":"higher_is_better","category":"sales",
/// "min":"0","max":"100","ideal_limit":"100","formula":"..."}.
///
/// The string is owned by the caller, who frees it with crm_string_free().
/// On failure `*out_json` is left untouched.
///
/// # Safety
///
/// `out_json` must be NULL or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_kpi_catalog(out_json: *mut *mut c_char) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let out_json = unsafe { out_arg(out_json, "out_json") }?;
        let catalog: Vec<_> = definitions().collect();
        out_json.write(json_out(&catalog)?);
        Ok(())
    })
}

/// Computes a KPI report and writes it to `*out_report_json`.
///
/// `request_json` is a NUL-terminated UTF-8 JSON object:
/// {"kpis":["win_rate",...] (optional, default: the whole catalog),
/// "period":{"start":"2026-07-01","end":"2026-10-01"} (end exclusive),
/// "granularity":"quarter" (optional: how the previous period is found),
/// "segment":{"owner":"R-1"} (optional: owner, team, pipeline, campaign or
/// channel), "options":{...} (optional formula options, docs/json.md)}.
/// Customers, revenue and orders come by default from won deals and
/// purchases ("revenue_source":"both"), and the customers at the start of
/// a period are the buyers of the previous period
/// ("customer_basis":"previous_period"); before issue 21 the defaults were
/// "deals" and a 365-day "active_window": pass them to keep those digits
/// (the C ABI, CRM_ABI_VERSION, is unchanged: same functions and layouts).
///
/// The report is {"period":..,"previous_period":..,"currency":"USD",
/// "kpis":[{"current":M,"previous":M,"change":{"absolute":"..","relative":
/// {"status":..}}}]} where each measurement M is {"kpi":"win_rate",
/// "status":"defined","value":"40","numerator":"2","denominator":"5",
/// "unit":"percent"} or, for an empty denominator, {"status":"undefined",
/// "code":"empty_denominator","reason":"..."} with the same other fields.
/// Decimals are strings.
///
/// Errors: CRM_STATUS_JSON for malformed JSON or an unknown field or KPI id
/// (the message names the JSON path), CRM_STATUS_INVALID for options out of
/// range, CRM_STATUS_NOT_FOUND for a segment naming an unknown record,
/// CRM_STATUS_CURRENCY_MISMATCH when money cannot be converted. On failure
/// `*out_report_json` is left untouched. The string is freed with
/// crm_string_free().
///
/// # Safety
///
/// `dataset` must be NULL or a live handle from crm_dataset_from_json();
/// `request_json` must be NULL or a NUL-terminated string; `out_report_json`
/// must be NULL or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_kpi_compute(
    dataset: *const crm_dataset,
    request_json: *const c_char,
    out_report_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let dataset = unsafe { handle_ref(dataset, "dataset") }?;
        // SAFETY: as above.
        let request_json = unsafe { str_arg(request_json, "request_json") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out_report_json, "out_report_json") }?;
        let request = KpiRequest::from_json(request_json)?;
        out.write(json_out(&compute(dataset, &request)?)?);
        Ok(())
    })
}

/// Computes KPIs per week, month, quarter or year over a range and writes the
/// series to `*out_json`.
///
/// `request_json`: {"kpis":["revenue"],"range":{"start":..,"end":..},
/// "granularity":"month","segment":..,"options":..}. The result is
/// {"granularity":"month","currency":"USD","points":[{"period":{..},
/// "values":[M,...]}]} with measurements M as in crm_kpi_compute(). Errors and
/// ownership as for crm_kpi_compute().
///
/// # Safety
///
/// As for crm_kpi_compute().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_kpi_time_series(
    dataset: *const crm_dataset,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let dataset = unsafe { handle_ref(dataset, "dataset") }?;
        // SAFETY: as above.
        let request_json = unsafe { str_arg(request_json, "request_json") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out_json, "out_json") }?;
        let request = TimeSeriesRequest::from_json(request_json)?;
        out.write(json_out(&time_series(dataset, &request)?)?);
        Ok(())
    })
}

/// Builds the pipeline bottleneck report and writes it to `*out_json`.
///
/// `request_json`: {"as_of":"2026-11-01T00:00:00Z","pipeline":"sales"
/// (optional, default the first pipeline),"follow_up_days":7 (optional),
/// "bottleneck_share":40,"coverage_target":80 (optional percents),
/// "segment":{"owner":"R-1"} (optional),"items":"deals" (optional; "leads"
/// follows contacts through the lead stages of the lifecycle instead, and
/// takes no pipeline)}. The result is {"items":"deals","pipeline":"sales",
/// "as_of":..,"open_items":61,"stages":[{"stage":"needs-analysis",
/// "name":..,"open":28,"share":{"status":"defined","value":"45.9..",
/// "numerator":28,"denominator":61},"mean_days_in_stage":{..},
/// "median_days_in_stage":{..},"conversion_to_next":{..},
/// "follow_up_coverage":{..}}],"findings":[{"code":
/// "bottleneck_without_follow_up","stage":..,"message":..}]}.
///
/// Errors: CRM_STATUS_JSON for malformed JSON, CRM_STATUS_NOT_FOUND for an
/// unknown pipeline, CRM_STATUS_INVALID when the dataset has no pipeline.
/// Ownership as for crm_kpi_compute().
///
/// # Safety
///
/// As for crm_kpi_compute().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_report(
    dataset: *const crm_dataset,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let dataset = unsafe { handle_ref(dataset, "dataset") }?;
        // SAFETY: as above.
        let request_json = unsafe { str_arg(request_json, "request_json") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out_json, "out_json") }?;
        let request = PipelineReportRequest::from_json(request_json)?;
        out.write(json_out(&pipeline_report(dataset, &request)?)?);
        Ok(())
    })
}
