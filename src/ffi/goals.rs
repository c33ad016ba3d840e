//! C API of [`crate::goals`]: SMART validation and goal tracking, JSON in
//! and JSON out.

use std::ffi::c_char;

use serde::Serialize;

use super::{boundary, crm_status, json_out, out_arg, str_arg, timestamp_arg};
use crate::goals::{Goal, Locale, Observation, Progress, Validator, track};
use crate::{Error, ErrorKind};

/// Validates a SMART goal and writes a JSON report to `*out_json`.
///
/// `goal_json` is a NUL-terminated UTF-8 JSON object; every field is
/// optional (judging what is missing is the point):
///
/// ```text
/// {"id": "G-1", "name": "reduce churn",
///  "objective": "increase_retention",      (or {"custom": "..."};
///      built-in: increase_retention, shorten_sales_cycle, sell_more,
///      reduce_acquisition_cost, raise_satisfaction, raise_loyalty,
///      raise_conversion, improve_service)
///  "kpi": "churn_rate",                    (a KPI catalog id)
///  "direction": "decrease",                (or "increase")
///  "baseline": {"value": "8", "date": "2024-06-30"},
///  "target": "-25%",                       (signed % = change; a number = value)
///  "deadline": "end of next quarter",      (or "YYYY-MM-DD", "in 3 months")
///  "set_on": "2024-07-01",                 (relative deadlines count from here,
///                                           else from as_of)
///  "calendar": {"first_month": 1},         (fiscal year start)
///  "plan": {"action": "...", "resources": ["CRM"], "version": 1,
///           "since": "2024-07-01", "note": "..."},
///  "plan_history": [...], "owner": "...",
///  "segment": {"team": "...", "pipeline": "...", "campaign": "..."},
///  "reason": "...", "currency": "USD", "supersedes": "G-0",
///  "history": [{"date": "2024-03-31", "value": "8.4"}]}
/// ```
///
/// `as_of_unix` is the moment of the assessment in seconds since the Unix
/// epoch; its UTC calendar day is used. `locale` is "en", "de", "pt", "ru",
/// "zh-Hans" or "zh-Hant" (regions such as "pt-BR", "zh-TW" are accepted).
///
/// The report (freed with crm_string_free()):
///
/// ```text
/// {"locale": "en", "as_of": "2024-07-01",
///  "deadline": "2024-12-31",             (omitted if unknown)
///  "target_value": "6",                  (omitted if unknown)
///  "overall": "pass",                    (pass | warn | cannot_tell | fail)
///  "smart": true,
///  "criteria": [                         (S, M, A, R, T in this order)
///    {"criterion": "specific", "letter": "S", "name": "specific",
///     "verdict": "pass", "verdict_label": "pass",
///     "reasons": [{"code": "action_plan_stated", "severity": "info",
///                  "message": "...", "suggestion": "...",  (optional)
///                  "details": {...}}]}, ...]}
///
/// "details" holds only the values the message refers to, among "kpi"
/// (an id), "value" and "ratio" (decimal strings), "target" (as written,
/// e.g. "-25%"), "date", "days", "direction" and "text" (an unknown KPI id
/// or deadline as given).
/// ```
///
/// Reason codes and verdicts are stable; messages depend on the locale.
///
/// Errors: CRM_STATUS_NULL_POINTER for a NULL argument,
/// CRM_STATUS_INVALID_UTF8, CRM_STATUS_JSON for malformed JSON or a wrong
/// shape (the message names the JSON path), CRM_STATUS_UNSUPPORTED for an
/// unknown locale, CRM_STATUS_INVALID_ARGUMENT for an out-of-range
/// `as_of_unix`. On failure `*out_json` is left untouched.
///
/// # Safety
///
/// `goal_json` and `locale` must be NULL or NUL-terminated strings;
/// `out_json` must be NULL or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_goal_validate(
    goal_json: *const c_char,
    as_of_unix: i64,
    locale: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let goal_json = unsafe { str_arg(goal_json, "goal_json") }?;
        // SAFETY: as above.
        let locale = unsafe { str_arg(locale, "locale") }?;
        // SAFETY: as above.
        let out_json = unsafe { out_arg(out_json, "out_json") }?;
        let as_of = timestamp_arg(as_of_unix, "as_of_unix")?.date_naive();
        let locale = Locale::parse(locale)?;
        let goal = Goal::from_json(goal_json)?;
        let report = Validator::new().validate(&goal, as_of).localize(locale);
        out_json.write(json_out(&report)?);
        Ok(())
    })
}

/// The document crm_goal_progress() returns: the progress and a summary.
#[derive(Serialize)]
struct ProgressDoc<'a> {
    #[serde(flatten)]
    progress: &'a Progress,
    locale: Locale,
    status_label: &'static str,
    summary: String,
}

/// Tracks a goal from measurements of its KPI and writes a JSON progress
/// report to `*out_json`.
///
/// `goal_json` is a goal as for crm_goal_validate(); it must have a target
/// and a deadline, and a baseline unless a measurement up to `as_of` gives
/// one. `measurements_json` is a JSON array (possibly empty, in any order)
/// of {"date": "YYYY-MM-DD", "value": "7.5"} (values as strings or
/// numbers); measurements after `as_of` are ignored. `as_of_unix` and
/// `locale` are as for crm_goal_validate().
///
/// The report (freed with crm_string_free()); decimals are strings, shares
/// are fractions (0.5 = half-way), null marks an undefined value:
///
/// ```text
/// {"as_of": "2024-08-15", "start": "2024-07-01", "deadline": "2024-12-31",
///  "days_left": 138, "direction": "decrease",
///  "baseline": "8", "target": "6", "current": "7.5",
///  "current_date": "2024-08-01",          (null: no measurement yet)
///  "progress": "0.25",                    (null if target == baseline)
///  "expected_progress": "0.2459",         (linear pacing)
///  "projected": "6.1",                    (least squares at the deadline;
///                                          null with < 2 dates)
///  "projected_progress": "0.95",
///  "required_per_day": "-0.010870",       (null once no day is left)
///  "observed_per_day": "-0.0161",
///  "status": "at_risk",   (achieved | on_track | at_risk | off_track | missed)
///  "plan_version": 1,
///  "locale": "en", "status_label": "at risk", "summary": "..."}
/// ```
///
/// Status: achieved when the latest value meets the target; missed when
/// the deadline has passed without it; otherwise on_track when the
/// projection (or, without one, progress / expected progress) reaches at
/// least 1, at_risk from 0.8, off_track below.
///
/// Errors: as for crm_goal_validate(), plus CRM_STATUS_INVALID when the
/// goal cannot be tracked (no target, no deadline, no baseline) and
/// CRM_STATUS_OVERFLOW when the numbers exceed the exact decimal range.
/// On failure `*out_json` is left untouched.
///
/// # Safety
///
/// `goal_json`, `measurements_json` and `locale` must be NULL or
/// NUL-terminated strings; `out_json` must be NULL or valid for writing one
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_goal_progress(
    goal_json: *const c_char,
    measurements_json: *const c_char,
    as_of_unix: i64,
    locale: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let goal_json = unsafe { str_arg(goal_json, "goal_json") }?;
        // SAFETY: as above.
        let measurements_json = unsafe { str_arg(measurements_json, "measurements_json") }?;
        // SAFETY: as above.
        let locale = unsafe { str_arg(locale, "locale") }?;
        // SAFETY: as above.
        let out_json = unsafe { out_arg(out_json, "out_json") }?;
        let as_of = timestamp_arg(as_of_unix, "as_of_unix")?.date_naive();
        let locale = Locale::parse(locale)?;
        let goal = Goal::from_json(goal_json)?;
        let measurements: Vec<Observation> = Error::parse_json(measurements_json)
            .map_err(|err| Error::at(ErrorKind::Json, prefixed(err.path()), err.message()))?;
        let progress = track(&goal, &measurements, as_of)?;
        let unit = goal.known_kpi().map(|k| k.definition().unit);
        let doc = ProgressDoc {
            progress: &progress,
            locale,
            status_label: progress.status.label(locale),
            summary: progress.summary(locale, unit),
        };
        out_json.write(json_out(&doc)?);
        Ok(())
    })
}

/// Names the measurements argument in a JSON path.
fn prefixed(path: Option<&str>) -> String {
    match path {
        Some(path) if path.starts_with('[') => format!("measurements{path}"),
        Some(path) if !path.is_empty() => format!("measurements.{path}"),
        _ => "measurements".to_string(),
    }
}
