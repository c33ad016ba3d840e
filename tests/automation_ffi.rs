//! Property tests of the automation functions of the C ABI, called from
//! Rust: any bytes as a rule set, event or state give a status and, on
//! failure, a message — never a crash — and out pointers are written only
//! on success.
#![cfg(feature = "ffi")]

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use crmkit::ffi::automation::{
    crm_rules, crm_rules_analyze, crm_rules_evaluate, crm_rules_free, crm_rules_from_json,
};
use crmkit::ffi::dataset::{crm_dataset, crm_dataset_free, crm_dataset_from_json};
use crmkit::ffi::{crm_last_error_message, crm_status, crm_string_free};
use proptest::prelude::*;

const RULES: &str = r#"{"rules": [{"id": "route", "trigger": {"type": "deal_created"}, "branches": [
  {"if": {"field": "deal.value", "op": "ge", "value": {"amount": "500", "currency": "USD"}},
   "then": [{"type": "create_task", "task": "call", "title": "call"}]},
  {"if": {"field": "deal.value", "op": "lt", "value": {"amount": "500", "currency": "USD"}},
   "then": [{"type": "enroll_in_campaign", "campaign": "nurture"}]}]}]}"#;

const AS_OF: i64 = 1_777_626_000;

fn last_error() -> String {
    // SAFETY: crm_last_error_message returns a valid NUL-terminated string.
    unsafe { CStr::from_ptr(crm_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

fn c_string(bytes: &[u8]) -> CString {
    CString::new(
        bytes
            .iter()
            .copied()
            .filter(|&b| b != 0)
            .collect::<Vec<u8>>(),
    )
    .expect("no nul")
}

fn take(ptr: *mut c_char) -> String {
    // SAFETY: a string returned by the library, freed once here.
    let text = unsafe { CStr::from_ptr(ptr) }
        .to_string_lossy()
        .into_owned();
    // SAFETY: as above.
    unsafe { crm_string_free(ptr) };
    text
}

struct Fixture {
    rules: *mut crm_rules,
    dataset: *mut crm_dataset,
}

impl Fixture {
    fn new() -> Fixture {
        let rules_json = CString::new(RULES).expect("rules");
        // The deal the events name (an unknown deal is `NotFound`).
        let dataset_json = CString::new(
            r#"{"pipelines": [{"id": "sales", "name": "Sales", "stages": [
                 {"id": "new", "name": "New", "probability": 10}]}],
               "contacts": [{"id": "C-1", "name": "Ada", "created_at": "2026-01-01T00:00:00Z"}],
               "deals": [{"id": "D-1", "name": "Deal", "contact": "C-1", "pipeline": "sales",
                 "stage": "new", "value": {"amount": "1.00", "currency": "USD"},
                 "created_at": "2026-04-01T00:00:00Z"}]}"#,
        )
        .expect("dataset");
        let mut rules = ptr::null_mut();
        let mut dataset = ptr::null_mut();
        // SAFETY: valid strings and out pointers.
        unsafe {
            assert_eq!(
                crm_rules_from_json(rules_json.as_ptr(), &mut rules),
                crm_status::Ok
            );
            assert_eq!(
                crm_dataset_from_json(dataset_json.as_ptr(), &mut dataset),
                crm_status::Ok
            );
        }
        Fixture { rules, dataset }
    }

    fn evaluate(&self, event: &CString, state: &CString) -> (crm_status, Option<(String, String)>) {
        let sentinel = ptr::dangling_mut::<c_char>();
        let (mut actions, mut new_state) = (sentinel, sentinel);
        // SAFETY: live handles, NUL-terminated strings, valid out pointers.
        let status = unsafe {
            crm_rules_evaluate(
                self.rules,
                self.dataset,
                event.as_ptr(),
                state.as_ptr(),
                AS_OF,
                &mut actions,
                &mut new_state,
            )
        };
        if status == crm_status::Ok {
            (status, Some((take(actions), take(new_state))))
        } else {
            assert_eq!(
                (actions, new_state),
                (sentinel, sentinel),
                "outputs written on failure"
            );
            (status, None)
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // SAFETY: handles from the library, freed once.
        unsafe {
            crm_rules_free(self.rules);
            crm_dataset_free(self.dataset);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_as_a_rule_set_give_a_status_and_a_message(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let text = c_string(&bytes);
        let sentinel = ptr::dangling_mut::<crm_rules>();
        let mut out = sentinel;
        // SAFETY: NUL-terminated string, valid out pointer.
        let status = unsafe { crm_rules_from_json(text.as_ptr(), &mut out) };
        if status == crm_status::Ok {
            let mut report = ptr::null_mut();
            // SAFETY: live handle, valid out pointer.
            prop_assert_eq!(unsafe { crm_rules_analyze(out, &mut report) }, crm_status::Ok);
            take(report);
            // SAFETY: handle from the library, freed once.
            unsafe { crm_rules_free(out) };
        } else {
            prop_assert_eq!(out, sentinel);
            prop_assert!(!last_error().is_empty());
        }
    }

    #[test]
    fn any_bytes_as_an_event_or_state_give_a_status_and_a_message(
        event in prop::collection::vec(any::<u8>(), 0..200),
        state in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let fixture = Fixture::new();
        let (status, _) = fixture.evaluate(&c_string(&event), &c_string(&state));
        if status != crm_status::Ok {
            prop_assert!(!last_error().is_empty());
        }
    }

    #[test]
    fn any_amount_routes_deterministically_and_once(cents in 0i64..10_000_000, id in "[A-Z]-[0-9]{1,6}") {
        let fixture = Fixture::new();
        let amount = format!("{}.{:02}", cents / 100, cents % 100);
        let event = CString::new(format!(
            r#"{{"id": "{id}", "type": "deal_created", "at": "2026-05-01T08:00:00Z", "deal": "D-1",
               "value": {{"amount": "{amount}", "currency": "USD"}}}}"#)).expect("event");
        let empty = CString::new("").expect("state");
        let (status, first) = fixture.evaluate(&event, &empty);
        prop_assert_eq!(status, crm_status::Ok, "{}", last_error());
        let (actions, state) = first.expect("outputs");
        let want = if cents >= 50_000 { "create_task" } else { "enroll_in_campaign" };
        prop_assert!(actions.contains(want), "{} -> {}", amount, actions);
        let (_, second) = fixture.evaluate(&event, &empty);
        prop_assert_eq!(&second.expect("outputs").0, &actions, "same input, same output");
        let state = CString::new(state).expect("state");
        let (_, replay) = fixture.evaluate(&event, &state);
        prop_assert_eq!(replay.expect("outputs").0, "[]", "a replay acts once");
    }
}
