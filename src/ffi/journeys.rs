//! C API of journeys ([`Journey`]): load a journey, advance one contact
//! (state JSON in and out), simulate it over a dataset's event history and
//! analyse it.
//!
//! The host owns the per-contact state: pass the `new_state_json` of one
//! call as the `state_json` of the next ("" or "{}" for a contact that never
//! entered). Replaying an input gives no new actions.

use std::ffi::c_char;

use super::dataset::crm_dataset;
use super::{
    Handle, boundary, boundary_or, crm_status, handle_free, handle_new, handle_ref, handle_tag,
    json_out, json_owned, out_arg, str_arg, timestamp_arg,
};
use crate::journeys::{Input, Journey, JourneyState, analyze, history_events};

/// A validated, compiled journey, loaded with crm_journey_from_json() and
/// released with crm_journey_free().
///
/// A journey never changes after it is loaded, so one handle may be used
/// from several threads at once without locking (it must not be freed while
/// another thread uses it).
#[allow(non_camel_case_types)]
pub struct crm_journey {
    _private: [u8; 0],
}

const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<Journey>();
};

impl Handle for crm_journey {
    type Inner = Journey;
    const NAME: &'static str = "crm_journey";
    const MAGIC: u64 = handle_tag(b"crm_jrny");
}

/// Loads, validates and compiles a journey from JSON and writes a new handle
/// to `*out`.
///
/// `json` is a journey document: {"id", "version", "start", "entry":
/// {"triggers", "enrolled_by", "condition", "reentry"}, "exits", "steps":
/// [{"id", "type": "action"|"start_journey"|"wait"|"wait_until"|
/// "wait_for_event"|"if"|"split"|"goal"|"jump"|"end", ...}]}. On failure
/// (CRM_STATUS_JSON for malformed JSON or a wrong shape, CRM_STATUS_INVALID
/// for an unknown step, an unreachable step, a dead end, a cycle without a
/// wait, split weights that do not add up to 100...)
/// crm_last_error_message() names the JSON path (`steps[2].next: unknown
/// step id "x"`) and `*out` is left untouched.
///
/// # Safety
///
/// `json` must be NULL or a NUL-terminated string; `out` must be NULL or
/// valid for writing one pointer. The handle written to `*out` must be
/// released with crm_journey_free().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_journey_from_json(
    json: *const c_char,
    out: *mut *mut crm_journey,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let json = unsafe { str_arg(json, "json") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out, "out") }?;
        let journey = Journey::from_json(json)?;
        out.write(handle_new::<crm_journey>(journey));
        Ok(())
    })
}

/// Releases a journey handle. NULL is a no-op.
///
/// # Safety
///
/// `journey` must be NULL or a handle from crm_journey_from_json() that has
/// not been freed yet, and no other thread may be using it. It must not be
/// used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_journey_free(journey: *mut crm_journey) {
    // SAFETY: the caller upholds the contract in the docs above.
    boundary_or((), || unsafe { handle_free(journey) });
}

/// Advances one contact at `as_of_unix` (seconds since 1970-01-01T00:00:00Z).
///
/// `state_json` is the contact's state from the previous call ("" for a
/// contact that never entered); `input_json` is `"tick"`, {"event":
/// {"id", "type", "at", "contact", ...}} or {"enrolled": {"id",
/// "campaign", "contact", "deal", "at"}}. On success `*out_result_json`
/// receives {"actions": [...], "taken": [...], "next_wake_at": ...,
/// "idle": ...} (each action with a deterministic "id"),
/// `*out_new_state_json` the new state (both freed with crm_string_free())
/// and `*out_next_wake_unix` when to call again (INT64_MIN when only an
/// event moves the contact). On failure nothing is written.
///
/// # Safety
///
/// `journey` and `dataset` must be NULL or live handles; the strings must be
/// NULL or NUL-terminated; the out pointers must be NULL or valid for
/// writing one value.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn crm_journey_advance(
    journey: *const crm_journey,
    dataset: *const crm_dataset,
    state_json: *const c_char,
    input_json: *const c_char,
    as_of_unix: i64,
    out_result_json: *mut *mut c_char,
    out_new_state_json: *mut *mut c_char,
    out_next_wake_unix: *mut i64,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let journey = unsafe { handle_ref(journey, "journey") }?;
        // SAFETY: as above.
        let dataset = unsafe { handle_ref(dataset, "dataset") }?;
        // SAFETY: as above.
        let state_json = unsafe { str_arg(state_json, "state_json") }?;
        // SAFETY: as above.
        let input_json = unsafe { str_arg(input_json, "input_json") }?;
        // SAFETY: as above.
        let out_result = unsafe { out_arg(out_result_json, "out_result_json") }?;
        // SAFETY: as above.
        let out_state = unsafe { out_arg(out_new_state_json, "out_new_state_json") }?;
        // SAFETY: as above.
        let out_wake = unsafe { out_arg(out_next_wake_unix, "out_next_wake_unix") }?;
        let as_of = timestamp_arg(as_of_unix, "as_of_unix")?;
        let state = JourneyState::from_json(state_json).map_err(|e| e.with_path_prefix("state"))?;
        let input = Input::from_json(input_json).map_err(|e| e.with_path_prefix("input"))?;
        let (advance, next) = journey.advance(&state, &input, dataset, as_of)?;
        let result = json_owned(&advance)?;
        let new_state = json_owned(&next)?;
        out_result.write(result.into_raw());
        out_state.write(new_state.into_raw());
        out_wake.write(advance.next_wake_at.map_or(i64::MIN, |w| w.timestamp()));
        Ok(())
    })
}

/// Simulates the journey over the dataset's event history (contacts
/// created, deals created/won/lost, purchases, forms, e-mails opened and
/// clicked) up to `until_unix`, and writes the report to `*out_json`:
/// {"entered", "active", "completed", "exited", "actions", "steps":
/// [{"step", "reached", "now_here", "exited_here"}], "goals": [{"goal",
/// "conversions": {"count", "of", "rate"}, "median_days", "p90_days"}],
/// "arms": [{"split", "arm", "conversions", "versus_first": {"z",
/// "p_value"}}]}; undefined rates are null.
///
/// # Safety
///
/// `journey` and `dataset` must be NULL or live handles; `out_json` must be
/// NULL or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_journey_simulate(
    journey: *const crm_journey,
    dataset: *const crm_dataset,
    until_unix: i64,
    out_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let journey = unsafe { handle_ref(journey, "journey") }?;
        // SAFETY: as above.
        let dataset = unsafe { handle_ref(dataset, "dataset") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out_json, "out_json") }?;
        let until = timestamp_arg(until_unix, "until_unix")?;
        let events = history_events(dataset);
        let report = journey.simulate(dataset, &events, until)?;
        out.write(json_out(&report)?);
        Ok(())
    })
}

/// Analyses the journey and writes {"journey", "version", "steps": [[type,
/// count]...], "goals", "exits", "findings": [{"kind", "path",
/// "message"}]} to `*out_json` (findings: conditions that can never hold,
/// split arms of weight 0).
///
/// # Safety
///
/// `journey` must be NULL or a live handle; `out_json` must be NULL or valid
/// for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_journey_analyze(
    journey: *const crm_journey,
    out_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let journey = unsafe { handle_ref(journey, "journey") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out_json, "out_json") }?;
        out.write(json_out(&analyze(journey))?);
        Ok(())
    })
}
