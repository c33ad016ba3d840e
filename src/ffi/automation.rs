//! C API of the automation rules engine ([`RuleSet`]): load a rule set,
//! evaluate events against a dataset, tick time-based triggers, dry-run an
//! event log and analyse the rule set for gaps and overlaps.
//!
//! Events, enrollment states, actions and reports cross as JSON. The
//! enrollment state is owned by the host: pass the `new_state_json` of one
//! call as the `state_json` of the next ("" or "{}" is the empty state), and
//! a replayed event acts only once.

use std::ffi::c_char;

use super::dataset::crm_dataset;
use super::{
    Handle, boundary, boundary_or, crm_status, handle_free, handle_new, handle_ref, handle_tag,
    json_out, json_owned, out_arg, str_arg, timestamp_arg,
};
use crate::automation::{EnrollmentState, Event, RuleSet, analyze, presets};

/// A validated, compiled automation rule set, loaded with
/// crm_rules_from_json() and released with crm_rules_free().
///
/// A rule set never changes after it is loaded, so one handle may be used
/// from several threads at once without locking (it must not be freed while
/// another thread uses it).
#[allow(non_camel_case_types)]
pub struct crm_rules {
    _private: [u8; 0],
}

const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<RuleSet>();
};

impl Handle for crm_rules {
    type Inner = RuleSet;
    const NAME: &'static str = "crm_rules";
    const MAGIC: u64 = handle_tag(b"crm_rule");
}

/// Loads, validates and compiles an automation rule set from JSON and writes
/// a new handle to `*out`.
///
/// `json` is a rule set document: {"hit_policy": "first"|"all",
/// "max_cascade_depth": 0, "max_actions_per_event": 10000,
/// "max_work_per_event": 1000000, "rules": [{"id", "trigger", "when", "then"
/// or "branches"/"else", "enrollment", "priority"}]}.
///
/// Limits: cascades at most 16 levels deep; per evaluated event at most
/// `max_actions_per_event` actions (default 10,000, at most 1,000,000) and
/// `max_work_per_event` rule checks (default 1,000,000, at most
/// 100,000,000), past which the evaluation fails with CRM_STATUS_INVALID
/// and a message naming the cascade of rules that reached the limit;
/// conditions nest at most 32 levels (`all`, `any`, `not`). On failure the status
/// says what was wrong (CRM_STATUS_JSON for malformed JSON or a wrong shape,
/// CRM_STATUS_INVALID for a broken rule such as a literal of the wrong kind
/// or a cascade cycle), crm_last_error_message() names the JSON path
/// (`rules[3].when.value: expected a number`), and `*out` is left untouched.
///
/// # Safety
///
/// `json` must be NULL or a NUL-terminated string; `out` must be NULL or
/// valid for writing one pointer. The handle written to `*out` must be
/// released with crm_rules_free().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_rules_from_json(
    json: *const c_char,
    out: *mut *mut crm_rules,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let json = unsafe { str_arg(json, "json") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out, "out") }?;
        let rules = RuleSet::from_json(json)?;
        out.write(handle_new::<crm_rules>(rules));
        Ok(())
    })
}

/// Releases a rule set handle. NULL is a no-op.
///
/// # Safety
///
/// `rules` must be NULL or a handle from crm_rules_from_json() that has not
/// been freed yet, and no other thread may be using it. It must not be used
/// afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_rules_free(rules: *mut crm_rules) {
    // SAFETY: the caller upholds the contract in the docs above.
    boundary_or((), || unsafe { handle_free(rules) });
}

/// Evaluates one event against the rule set and the dataset at `as_of_unix`
/// (seconds since 1970-01-01T00:00:00Z).
///
/// `event_json` is an event ({"id": "E-1", "type": "deal_created", "at":
/// "2026-05-01T09:00:00Z", "deal": "D-1", ...}); `state_json` is the
/// enrollment state returned by the previous call ("" or "{}" when there is
/// none). On success `*out_actions_json` receives a JSON array of actions
/// (each with a deterministic "id" to execute it exactly once) and
/// `*out_new_state_json` the new enrollment state; both are freed with
/// crm_string_free(). On failure (CRM_STATUS_CURRENCY_MISMATCH for a money
/// condition across currencies without exchange rates, CRM_STATUS_JSON for
/// a malformed event or state, CRM_STATUS_NOT_FOUND for an event naming a
/// deal, contact or ticket the dataset does not hold, CRM_STATUS_INVALID
/// past the action or work budget of the rule set...) neither output is
/// written.
///
/// # Safety
///
/// `rules` and `dataset` must be NULL or live handles; the strings must be
/// NULL or NUL-terminated; the out pointers must be NULL or valid for
/// writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_rules_evaluate(
    rules: *const crm_rules,
    dataset: *const crm_dataset,
    event_json: *const c_char,
    state_json: *const c_char,
    as_of_unix: i64,
    out_actions_json: *mut *mut c_char,
    out_new_state_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let rules = unsafe { handle_ref(rules, "rules") }?;
        // SAFETY: as above.
        let dataset = unsafe { handle_ref(dataset, "dataset") }?;
        // SAFETY: as above.
        let event_json = unsafe { str_arg(event_json, "event_json") }?;
        // SAFETY: as above.
        let state_json = unsafe { str_arg(state_json, "state_json") }?;
        // SAFETY: as above.
        let out_actions = unsafe { out_arg(out_actions_json, "out_actions_json") }?;
        // SAFETY: as above.
        let out_state = unsafe { out_arg(out_new_state_json, "out_new_state_json") }?;
        let as_of = timestamp_arg(as_of_unix, "as_of_unix")?;
        let event = Event::from_json(event_json).map_err(|e| e.with_path_prefix("event"))?;
        let state =
            EnrollmentState::from_json(state_json).map_err(|e| e.with_path_prefix("state"))?;
        let result = rules.evaluate(&event, dataset, &state, as_of)?;
        let actions = json_owned(&result.actions)?;
        let new_state = json_owned(&result.state)?;
        out_actions.write(actions.into_raw());
        out_state.write(new_state.into_raw());
        Ok(())
    })
}

/// Evaluates the date-based and "stuck" triggers over the dataset at
/// `as_of_unix`, with the outputs of crm_rules_evaluate(). Ticking again
/// with the new state fires nothing twice.
///
/// # Safety
///
/// As for crm_rules_evaluate().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_rules_tick(
    rules: *const crm_rules,
    dataset: *const crm_dataset,
    state_json: *const c_char,
    as_of_unix: i64,
    out_actions_json: *mut *mut c_char,
    out_new_state_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let rules = unsafe { handle_ref(rules, "rules") }?;
        // SAFETY: as above.
        let dataset = unsafe { handle_ref(dataset, "dataset") }?;
        // SAFETY: as above.
        let state_json = unsafe { str_arg(state_json, "state_json") }?;
        // SAFETY: as above.
        let out_actions = unsafe { out_arg(out_actions_json, "out_actions_json") }?;
        // SAFETY: as above.
        let out_state = unsafe { out_arg(out_new_state_json, "out_new_state_json") }?;
        let as_of = timestamp_arg(as_of_unix, "as_of_unix")?;
        let state =
            EnrollmentState::from_json(state_json).map_err(|e| e.with_path_prefix("state"))?;
        let result = rules.tick(dataset, &state, as_of)?;
        let actions = json_owned(&result.actions)?;
        let new_state = json_owned(&result.state)?;
        out_actions.write(actions.into_raw());
        out_state.write(new_state.into_raw());
        Ok(())
    })
}

/// Replays a JSON array of events over the dataset (each as of its own
/// time, starting from `state_json`) and writes to `*out_report_json` how
/// often each rule matched and fired and what it would have done:
/// {"events", "rules": [{"rule", "matched", "fired", "suppressed",
/// "actions", "branches"}], "actions", "errors", "state"}.
///
/// # Safety
///
/// As for crm_rules_evaluate().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_rules_dry_run(
    rules: *const crm_rules,
    dataset: *const crm_dataset,
    events_json: *const c_char,
    state_json: *const c_char,
    out_report_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let rules = unsafe { handle_ref(rules, "rules") }?;
        // SAFETY: as above.
        let dataset = unsafe { handle_ref(dataset, "dataset") }?;
        // SAFETY: as above.
        let events_json = unsafe { str_arg(events_json, "events_json") }?;
        // SAFETY: as above.
        let state_json = unsafe { str_arg(state_json, "state_json") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out_report_json, "out_report_json") }?;
        let events: Vec<Event> =
            crate::Error::parse_json(events_json).map_err(|e| e.with_path_prefix("events"))?;
        let state =
            EnrollmentState::from_json(state_json).map_err(|e| e.with_path_prefix("state"))?;
        let report = rules.dry_run(dataset, &events, &state)?;
        out.write(json_out(&report)?);
        Ok(())
    })
}

/// Analyses the rule set and writes to `*out_report_json` its gaps,
/// overlaps, conflicts, unreachable rules and branches and contradictions,
/// each with a concrete example input: {"hit_policy", "triggers": [...],
/// "findings": [{"kind": "gap", "trigger": "deal_created", "rules": [...],
/// "message", "example": {"deal.value": {"amount": "500.00", "currency":
/// "USD"}}, "example_text": "deal.value = 500.00 USD", "region": [...]}]}.
///
/// # Safety
///
/// `rules` must be NULL or a live handle; `out_report_json` must be NULL or
/// valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_rules_analyze(
    rules: *const crm_rules,
    out_report_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let rules = unsafe { handle_ref(rules, "rules") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out_report_json, "out_report_json") }?;
        out.write(json_out(&analyze(rules))?);
        Ok(())
    })
}

/// Writes to `*out_json` the names of the ready-made automation rule sets,
/// as a JSON array of strings: ["usd_500_routing", ...,  "standard"]. Each
/// name can be passed to crm_preset_json(). Free the string with
/// crm_string_free().
///
/// # Safety
///
/// `out_json` must be NULL or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_preset_names(out_json: *mut *mut c_char) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let out = unsafe { out_arg(out_json, "out_json") }?;
        out.write(json_out(&presets::NAMES)?);
        Ok(())
    })
}

/// Writes to `*out_json` the rule set document of the ready-made automation
/// preset `name` (see crm_preset_names()), ready for crm_rules_from_json()
/// or to be tuned first. "usd_500_routing" is the $500 deal routing: on
/// deal_created, a call task for the owner at 500.00 USD or more, the
/// "nurture" campaign below; "usd_500_routing_unrouted_boundary" is the
/// seed's rule as written (exactly $500 is routed nowhere, which
/// crm_rules_analyze() reports as a gap). An unknown name gives
/// CRM_STATUS_NOT_FOUND (the message lists the names). Free the string with
/// crm_string_free().
///
/// # Safety
///
/// `name` must be NULL or a NUL-terminated string; `out_json` must be NULL
/// or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_preset_json(
    name: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let name = unsafe { str_arg(name, "name") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out_json, "out_json") }?;
        let doc = presets::by_name(name)?;
        out.write(json_out(&doc)?);
        Ok(())
    })
}
