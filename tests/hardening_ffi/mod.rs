//! Shared by the hardening tests of the C ABI (`tests/hardening_stack.rs`,
//! `tests/hardening_fuzz.rs`): one valid handle of each kind, and every
//! JSON argument of every C entry point as a [`Slot`] that calls the
//! function with a given document in that argument and valid values in the
//! others.
#![allow(dead_code)] // each test file uses a part

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use crmkit::ffi::analytics::{
    crm_attribution_dataset_report, crm_attribution_report, crm_experiment_analyze, crm_sample_size,
};
use crmkit::ffi::automation::{
    crm_preset_json, crm_rules, crm_rules_dry_run, crm_rules_evaluate, crm_rules_free,
    crm_rules_from_json, crm_rules_tick,
};
use crmkit::ffi::dataset::{crm_dataset, crm_dataset_free, crm_dataset_from_json};
use crmkit::ffi::goals::{crm_goal_progress, crm_goal_validate};
use crmkit::ffi::journeys::{
    crm_journey, crm_journey_advance, crm_journey_free, crm_journey_from_json,
};
use crmkit::ffi::kpi::{crm_kpi_compute, crm_kpi_time_series, crm_pipeline_report};
use crmkit::ffi::predict::{
    crm_clv_fit_arrays, crm_clv_fit_dataset, crm_clv_model, crm_clv_model_free,
    crm_clv_model_from_json, crm_clv_model_to_json, crm_clv_report_json, crm_logistic,
    crm_logistic_fit, crm_logistic_free, crm_logistic_from_json, crm_logistic_to_json,
    crm_profile_json, crm_propensity_model, crm_propensity_model_free,
    crm_propensity_model_from_json, crm_propensity_model_to_json, crm_propensity_train,
};
use crmkit::ffi::scoring::{
    crm_score_lead_json, crm_scoring_match_activity_json, crm_scoring_model,
    crm_scoring_model_free, crm_scoring_model_from_json,
};
use crmkit::ffi::segments::{crm_cohort_report, crm_rfm_segments, crm_segment_members};
use crmkit::ffi::{crm_last_error_message, crm_status, crm_string_free};

/// 2026-11-01T00:00:00Z, after every example's dates.
pub const AS_OF: i64 = 1_793_491_200;

/// The `docs/json.md` block tagged `tag`.
pub fn doc_block(tag: &str) -> String {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json.md"))
        .expect("docs/json.md");
    let marker = format!("```json {tag}\n");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no block {tag}"))
        + marker.len();
    let end = start + page[start..].find("```").expect("closed block");
    page[start..end].to_string()
}

pub fn last_error() -> String {
    // SAFETY: crm_last_error_message returns a valid NUL-terminated string.
    unsafe { CStr::from_ptr(crm_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

pub fn c(text: &str) -> CString {
    CString::new(text).expect("no NUL")
}

/// Frees a string crmkit returned (NULL does nothing).
pub fn free_string(s: *mut c_char) {
    // SAFETY: `s` is NULL or a string returned by crmkit, freed once.
    unsafe { crm_string_free(s) }
}

pub const RULES: &str = r#"{"rules": [{"id": "r", "trigger": {"type": "deal_created"},
  "when": {"any": [{"field": "deal.value", "op": "ge", "value": {"amount": "100", "currency": "USD"}}, {"not": {"field": "contact.tags", "op": "has", "value": "vip"}}]},
  "then": [{"type": "notify", "message": "hi"}]}]}"#;
pub const EVENT: &str = r#"{"id": "E-1", "type": "deal_created", "at": "2026-05-01T08:00:00Z", "deal": "D-0001",
 "value": {"amount": "499.99", "currency": "USD"}}"#;
pub const JOURNEY: &str = r#"{"id": "j", "start": "a", "entry": {"triggers": [{"type": "contact_created"}]},
  "steps": [{"id": "a", "type": "end"}]}"#;
pub const AB_TEST: &str = r#"{"metric":"conversion","arms":[{"name":"A","visitors":1000,"conversions":100},{"name":"B","visitors":1000,"conversions":130}]}"#;
pub const SAMPLE_SIZE: &str = r#"{"metric":"conversion","baseline":0.1,"effect":{"relative":0.2}}"#;
pub const JOURNEYS: &str = r#"{"currency":"USD","models":[{"model":"linear"},{"model":"markov"}],"journeys":[{"touches":[{"channel":"C1","at":"2026-01-01T00:00:00Z"},{"channel":"C2","at":"2026-01-02T00:00:00Z"}],"conversions":1,"value":"50.00"},{"touches":[{"channel":"C1","at":"2026-01-01T00:00:00Z"}]}]}"#;
pub const ATTRIBUTION: &str =
    r#"{"conversion": {"event": "won_deal"}, "models": [{"model": "linear"}]}"#;
pub const GOAL: &str = r#"{"kpi": "churn_rate", "baseline": {"value": 8, "date": "2024-07-01"}, "target": 6, "deadline": "2024-12-31"}"#;
pub const MEASUREMENTS: &str =
    r#"[{"date": "2024-07-01", "value": "8"}, {"date": "2024-08-01", "value": 7.7}]"#;
pub const PROFILE: &str = r#"{"outcome": {"type": "top_revenue", "fraction": 0.25}, "features": [{"type": "category", "field": "company.industry"}]}"#;
pub const ACTIVITY_KIND: &str = r#"{"type": "website_visit", "url": "/pricing"}"#;
pub const JOURNEY_STATE: &str = "";
pub const JOURNEY_INPUT: &str = r#""tick""#;

/// One valid handle of each kind, built from the documented examples.
pub struct Fixture {
    pub dataset: *mut crm_dataset,
    pub rules: *mut crm_rules,
    pub journey: *mut crm_journey,
    pub scoring: *mut crm_scoring_model,
    pub propensity: *mut crm_propensity_model,
    pub logistic: *mut crm_logistic,
    pub clv: *mut crm_clv_model,
    /// The examples, by slot name.
    pub json_model: String,
    pub json_propensity: String,
    pub json_logistic: String,
    pub json_clv: String,
}

fn check(status: crm_status, what: &str) {
    assert_eq!(status, crm_status::Ok, "{what}: {}", last_error());
}

fn take_string(s: *mut c_char) -> String {
    assert!(!s.is_null());
    // SAFETY: a string crmkit returned.
    let text = unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned();
    free_string(s);
    text
}

impl Fixture {
    /// Loads the handles; panics when an example does not load.
    pub fn new() -> Fixture {
        let mut f = Fixture {
            dataset: ptr::null_mut(),
            rules: ptr::null_mut(),
            journey: ptr::null_mut(),
            scoring: ptr::null_mut(),
            propensity: ptr::null_mut(),
            logistic: ptr::null_mut(),
            clv: ptr::null_mut(),
            json_model: String::new(),
            json_propensity: String::new(),
            json_logistic: String::new(),
            json_clv: String::new(),
        };
        // SAFETY: valid strings and out pointers; the handles are freed in Drop.
        unsafe {
            check(
                crm_dataset_from_json(c(&small_company()).as_ptr(), &mut f.dataset),
                "dataset",
            );
            check(
                crm_rules_from_json(c(RULES).as_ptr(), &mut f.rules),
                "rules",
            );
            check(
                crm_journey_from_json(c(JOURNEY).as_ptr(), &mut f.journey),
                "journey",
            );
            f.json_model = doc_block("scoring_model");
            check(
                crm_scoring_model_from_json(c(&f.json_model).as_ptr(), &mut f.scoring),
                "scoring model",
            );
            check(
                crm_propensity_train(
                    f.dataset,
                    c(&doc_block("propensity_spec")).as_ptr(),
                    AS_OF,
                    &mut f.propensity,
                ),
                "propensity",
            );
            let x = [0.0, 1.0, 2.0, 3.0, 0.5, 2.5, 1.5, 1.2];
            let y = [0_u8, 0, 1, 1, 0, 1, 0, 1];
            check(
                crm_logistic_fit(x.as_ptr(), y.as_ptr(), 8, 1, 1.0, &mut f.logistic),
                "logistic",
            );
            let (freq, rec, age, money) = clv_arrays();
            check(
                crm_clv_fit_arrays(
                    freq.as_ptr(),
                    rec.as_ptr(),
                    age.as_ptr(),
                    money.as_ptr(),
                    freq.len(),
                    0,
                    &mut f.clv,
                ),
                "clv",
            );
            let mut out = ptr::null_mut();
            check(crm_propensity_model_to_json(f.propensity, &mut out), "json");
            f.json_propensity = take_string(out);
            check(crm_logistic_to_json(f.logistic, &mut out), "json");
            f.json_logistic = take_string(out);
            check(crm_clv_model_to_json(f.clv, &mut out), "json");
            f.json_clv = take_string(out);
        }
        f
    }
}

/// A generated company of 60 contacts (enough won and lost deals and
/// repeat buyers to train every model), as JSON.
pub fn small_company() -> String {
    let config = crmkit::sample::SampleConfig {
        contacts: 60,
        companies: 12,
        activities_per_contact: 3,
        ..crmkit::sample::SampleConfig::default()
    };
    crmkit::sample::generate(&config)
        .and_then(|d| d.to_json())
        .expect("sample")
}

/// Six customers' repeat purchases, recency, age and mean spend (days).
pub fn clv_arrays() -> ([u32; 6], [f64; 6], [f64; 6], [f64; 6]) {
    (
        [0, 2, 5, 1, 0, 7],
        [0.0, 10.0, 30.0, 3.0, 0.0, 25.0],
        [30.0, 38.0, 31.0, 20.0, 12.0, 27.0],
        [0.0, 20.0, 35.5, 12.0, 0.0, 18.25],
    )
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // SAFETY: each handle came from its constructor and is freed once.
        unsafe {
            crm_dataset_free(self.dataset);
            crm_rules_free(self.rules);
            crm_journey_free(self.journey);
            crm_scoring_model_free(self.scoring);
            crm_propensity_model_free(self.propensity);
            crm_logistic_free(self.logistic);
            crm_clv_model_free(self.clv);
        }
    }
}

/// One JSON argument of one C entry point.
pub struct Slot {
    /// `function/argument`.
    pub name: &'static str,
    /// A valid document for the argument.
    pub example: String,
    /// Calls the function with the document in the argument, valid values
    /// elsewhere, frees what it returned and gives the status.
    pub call: fn(&Fixture, *const c_char) -> crm_status,
}

/// Frees the strings a call wrote and returns its status.
fn done(status: crm_status, outs: &[*mut c_char]) -> crm_status {
    for &s in outs {
        free_string(s);
    }
    status
}

macro_rules! one_out {
    (|$f:ident, $j:ident, $out:ident| $call:expr) => {
        |$f: &Fixture, $j: *const c_char| {
            let mut $out: *mut c_char = ptr::null_mut();
            // SAFETY: valid handles, a NUL-terminated document, valid out pointers.
            let status = unsafe { $call };
            done(status, &[$out])
        }
    };
}

/// Every JSON argument of the C API.
pub fn slots(f: &Fixture) -> Vec<Slot> {
    let s =
        |name: &'static str, example: &str, call: fn(&Fixture, *const c_char) -> crm_status| Slot {
            name,
            example: example.to_string(),
            call,
        };
    vec![
        s(
            "crm_experiment_analyze/request_json",
            AB_TEST,
            one_out!(|f, j, o| {
                let _ = f;
                crm_experiment_analyze(j, &mut o)
            }),
        ),
        s(
            "crm_sample_size/request_json",
            SAMPLE_SIZE,
            one_out!(|f, j, o| {
                let _ = f;
                crm_sample_size(j, &mut o)
            }),
        ),
        s(
            "crm_attribution_report/request_json",
            JOURNEYS,
            one_out!(|f, j, o| {
                let _ = f;
                crm_attribution_report(j, &mut o)
            }),
        ),
        s(
            "crm_attribution_dataset_report/request_json",
            ATTRIBUTION,
            one_out!(|f, j, o| crm_attribution_dataset_report(f.dataset, j, &mut o)),
        ),
        s("crm_rules_from_json/json", RULES, |_f, j| {
            let mut out = ptr::null_mut();
            // SAFETY: as in one_out.
            let status = unsafe { crm_rules_from_json(j, &mut out) };
            // SAFETY: NULL or a new handle.
            unsafe { crm_rules_free(out) };
            status
        }),
        s("crm_rules_evaluate/event_json", EVENT, |f, j| {
            let (mut a, mut b) = (ptr::null_mut(), ptr::null_mut());
            let state = c("{}");
            // SAFETY: as in one_out.
            let status = unsafe {
                crm_rules_evaluate(f.rules, f.dataset, j, state.as_ptr(), AS_OF, &mut a, &mut b)
            };
            done(status, &[a, b])
        }),
        s("crm_rules_evaluate/state_json", "{}", |f, j| {
            let (mut a, mut b) = (ptr::null_mut(), ptr::null_mut());
            let event = c(EVENT);
            // SAFETY: as in one_out.
            let status = unsafe {
                crm_rules_evaluate(f.rules, f.dataset, event.as_ptr(), j, AS_OF, &mut a, &mut b)
            };
            done(status, &[a, b])
        }),
        s("crm_rules_tick/state_json", "{}", |f, j| {
            let (mut a, mut b) = (ptr::null_mut(), ptr::null_mut());
            // SAFETY: as in one_out.
            let status = unsafe { crm_rules_tick(f.rules, f.dataset, j, AS_OF, &mut a, &mut b) };
            done(status, &[a, b])
        }),
        s(
            "crm_rules_dry_run/events_json",
            &format!("[{}]", EVENT),
            one_out!(|f, j, o| {
                let state = c("{}");
                crm_rules_dry_run(f.rules, f.dataset, j, state.as_ptr(), &mut o)
            }),
        ),
        s(
            "crm_rules_dry_run/state_json",
            "{}",
            one_out!(|f, j, o| {
                let events = c(&format!("[{}]", EVENT));
                crm_rules_dry_run(f.rules, f.dataset, events.as_ptr(), j, &mut o)
            }),
        ),
        s(
            "crm_preset_json/name",
            "standard",
            one_out!(|f, j, o| {
                let _ = f;
                crm_preset_json(j, &mut o)
            }),
        ),
        s(
            "crm_dataset_from_json/json",
            &doc_block("dataset"),
            |_f, j| {
                let mut out = ptr::null_mut();
                // SAFETY: as in one_out.
                let status = unsafe { crm_dataset_from_json(j, &mut out) };
                // SAFETY: NULL or a new handle.
                unsafe { crm_dataset_free(out) };
                status
            },
        ),
        s(
            "crm_goal_validate/goal_json",
            &doc_block("goal"),
            one_out!(|f, j, o| {
                let _ = f;
                crm_goal_validate(j, AS_OF, c"en".as_ptr(), &mut o)
            }),
        ),
        s(
            "crm_goal_validate/locale",
            "de",
            one_out!(|f, j, o| {
                let _ = f;
                crm_goal_validate(c(GOAL).as_ptr(), AS_OF, j, &mut o)
            }),
        ),
        s(
            "crm_goal_progress/goal_json",
            GOAL,
            one_out!(|f, j, o| {
                let _ = f;
                crm_goal_progress(j, c(MEASUREMENTS).as_ptr(), AS_OF, c"en".as_ptr(), &mut o)
            }),
        ),
        s(
            "crm_goal_progress/measurements_json",
            MEASUREMENTS,
            one_out!(|f, j, o| {
                let _ = f;
                crm_goal_progress(c(GOAL).as_ptr(), j, AS_OF, c"en".as_ptr(), &mut o)
            }),
        ),
        s("crm_journey_from_json/json", JOURNEY, |_f, j| {
            let mut out = ptr::null_mut();
            // SAFETY: as in one_out.
            let status = unsafe { crm_journey_from_json(j, &mut out) };
            // SAFETY: NULL or a new handle.
            unsafe { crm_journey_free(out) };
            status
        }),
        s("crm_journey_advance/state_json", JOURNEY_STATE, |f, j| {
            let (mut a, mut b, mut wake) = (ptr::null_mut(), ptr::null_mut(), 0_i64);
            let input = c(JOURNEY_INPUT);
            // SAFETY: as in one_out.
            let status = unsafe {
                crm_journey_advance(
                    f.journey,
                    f.dataset,
                    j,
                    input.as_ptr(),
                    AS_OF,
                    &mut a,
                    &mut b,
                    &mut wake,
                )
            };
            done(status, &[a, b])
        }),
        s("crm_journey_advance/input_json", JOURNEY_INPUT, |f, j| {
            let (mut a, mut b, mut wake) = (ptr::null_mut(), ptr::null_mut(), 0_i64);
            let state = c(JOURNEY_STATE);
            // SAFETY: as in one_out.
            let status = unsafe {
                crm_journey_advance(
                    f.journey,
                    f.dataset,
                    state.as_ptr(),
                    j,
                    AS_OF,
                    &mut a,
                    &mut b,
                    &mut wake,
                )
            };
            done(status, &[a, b])
        }),
        s(
            "crm_kpi_compute/request_json",
            &doc_block("kpi_request"),
            one_out!(|f, j, o| crm_kpi_compute(f.dataset, j, &mut o)),
        ),
        s(
            "crm_kpi_time_series/request_json",
            &doc_block("time_series_request"),
            one_out!(|f, j, o| crm_kpi_time_series(f.dataset, j, &mut o)),
        ),
        s(
            "crm_pipeline_report/request_json",
            &doc_block("pipeline_request"),
            one_out!(|f, j, o| crm_pipeline_report(f.dataset, j, &mut o)),
        ),
        s(
            "crm_propensity_train/spec_json",
            &doc_block("propensity_spec"),
            |f, j| {
                let mut out = ptr::null_mut();
                // SAFETY: as in one_out.
                let status = unsafe { crm_propensity_train(f.dataset, j, AS_OF, &mut out) };
                // SAFETY: NULL or a new handle.
                unsafe { crm_propensity_model_free(out) };
                status
            },
        ),
        s(
            "crm_propensity_model_from_json/json",
            &f.json_propensity,
            |_f, j| {
                let mut out = ptr::null_mut();
                // SAFETY: as in one_out.
                let status = unsafe { crm_propensity_model_from_json(j, &mut out) };
                // SAFETY: NULL or a new handle.
                unsafe { crm_propensity_model_free(out) };
                status
            },
        ),
        s("crm_logistic_from_json/json", &f.json_logistic, |_f, j| {
            let mut out = ptr::null_mut();
            // SAFETY: as in one_out.
            let status = unsafe { crm_logistic_from_json(j, &mut out) };
            // SAFETY: NULL or a new handle.
            unsafe { crm_logistic_free(out) };
            status
        }),
        s(
            "crm_clv_fit_dataset/options_json",
            r#"{"unit": "weeks", "bgnbd": {"penalty": 0}}"#,
            |f, j| {
                let mut out = ptr::null_mut();
                // SAFETY: as in one_out.
                let status = unsafe { crm_clv_fit_dataset(f.dataset, j, AS_OF, &mut out) };
                // SAFETY: NULL or a new handle.
                unsafe { crm_clv_model_free(out) };
                status
            },
        ),
        s("crm_clv_model_from_json/json", &f.json_clv, |_f, j| {
            let mut out = ptr::null_mut();
            // SAFETY: as in one_out.
            let status = unsafe { crm_clv_model_from_json(j, &mut out) };
            // SAFETY: NULL or a new handle.
            unsafe { crm_clv_model_free(out) };
            status
        }),
        s(
            "crm_clv_report_json/options_json",
            &doc_block("clv_options"),
            one_out!(|f, j, o| crm_clv_report_json(f.dataset, j, AS_OF, 0.5, 10, &mut o)),
        ),
        s(
            "crm_profile_json/spec_json",
            PROFILE,
            one_out!(|f, j, o| crm_profile_json(f.dataset, j, AS_OF, &mut o)),
        ),
        s(
            "crm_scoring_model_from_json/json",
            &f.json_model,
            |_f, j| {
                let mut out = ptr::null_mut();
                // SAFETY: as in one_out.
                let status = unsafe { crm_scoring_model_from_json(j, &mut out) };
                // SAFETY: NULL or a new handle.
                unsafe { crm_scoring_model_free(out) };
                status
            },
        ),
        s(
            "crm_score_lead_json/lead_json",
            &doc_block("lead"),
            one_out!(|f, j, o| crm_score_lead_json(f.scoring, j, AS_OF, &mut o)),
        ),
        s(
            "crm_scoring_match_activity_json/kind_json",
            ACTIVITY_KIND,
            |f, j| {
                let mut rules = [0_u32; 8];
                let mut count = 0;
                // SAFETY: as in one_out; `rules` holds 8.
                unsafe {
                    crm_scoring_match_activity_json(f.scoring, j, rules.as_mut_ptr(), 8, &mut count)
                }
            },
        ),
        s(
            "crm_cohort_report/request_json",
            &doc_block("cohort_request"),
            one_out!(|f, j, o| crm_cohort_report(f.dataset, j, &mut o)),
        ),
        s(
            "crm_rfm_segments/request_json",
            &doc_block("rfm_request"),
            one_out!(|f, j, o| crm_rfm_segments(f.dataset, j, &mut o)),
        ),
        s(
            "crm_segment_members/request_json",
            &doc_block("segment_request"),
            one_out!(|f, j, o| crm_segment_members(f.dataset, j, &mut o)),
        ),
    ]
}
