//! The scoring C ABI from Rust: a model handle shared by threads gives
//! identical results; the flat batch call agrees with the JSON call; any
//! bytes given as a model or a lead give a status and a message, never a
//! crash.
#![cfg(feature = "ffi")]

use std::ffi::{CStr, CString, c_char};

use crmkit::ffi::crm_status;
use crmkit::ffi::scoring::{
    crm_lead_score, crm_score_batch, crm_score_lead_json, crm_scoring_model,
    crm_scoring_model_free, crm_scoring_model_from_json,
};
use crmkit::ffi::{crm_last_error_message, crm_string_free};
use crmkit::model::Dataset;
use crmkit::sample::SAMPLE_AS_OF;
use crmkit::scoring::{LeadInput, ScoringModel};
use proptest::prelude::*;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/sample_company.json"
);
const MODEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/scoring_model.json"
);

/// A model handle that may be shared by threads (the header says so).
struct Shared(*mut crm_scoring_model);
// SAFETY: crm_scoring_model is immutable after loading and documented as
// safe to use from several threads at once.
unsafe impl Send for Shared {}
// SAFETY: as above.
unsafe impl Sync for Shared {}

fn load(json: &str) -> Shared {
    let json = CString::new(json).expect("no NUL");
    let mut model = std::ptr::null_mut();
    // SAFETY: a valid C string and out pointer.
    let status = unsafe { crm_scoring_model_from_json(json.as_ptr(), &mut model) };
    assert_eq!(status, crm_status::Ok, "{}", last_error());
    Shared(model)
}

fn last_error() -> String {
    // SAFETY: crm_last_error_message never returns NULL.
    unsafe { CStr::from_ptr(crm_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

fn score_lead(model: &Shared, lead: &CStr) -> Result<String, (crm_status, String)> {
    let mut out: *mut c_char = std::ptr::null_mut();
    // SAFETY: a live handle, a valid C string and out pointer.
    let status =
        unsafe { crm_score_lead_json(model.0, lead.as_ptr(), SAMPLE_AS_OF.timestamp(), &mut out) };
    if status != crm_status::Ok {
        return Err((status, last_error()));
    }
    // SAFETY: on success `out` is a string from crmkit, freed once here.
    let text = unsafe { CStr::from_ptr(out) }
        .to_string_lossy()
        .into_owned();
    // SAFETY: as above.
    unsafe { crm_string_free(out) };
    Ok(text)
}

fn sample_leads(dataset: &Dataset) -> Vec<CString> {
    (0..dataset.contacts().len())
        .map(|i| {
            let contact = &dataset.contacts()[i];
            let activities: Vec<_> = dataset.activities_at(i).collect();
            let json = serde_json::json!({
                "contact": contact,
                "company": dataset.company_of(contact),
                "activities": activities,
            });
            CString::new(json.to_string()).expect("no NUL")
        })
        .collect()
}

#[test]
fn a_model_handle_shared_by_threads_gives_identical_results() {
    let dataset =
        Dataset::from_json(&std::fs::read_to_string(SAMPLE).expect("sample")).expect("dataset");
    let model = load(&std::fs::read_to_string(MODEL).expect("model"));
    let leads = sample_leads(&dataset);
    let expected: Vec<String> = leads
        .iter()
        .map(|lead| score_lead(&model, lead).expect("score"))
        .collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let (model, leads) = (&model, &leads);
                scope.spawn(move || {
                    // Each thread walks the leads from a different start.
                    let n = leads.len();
                    (0..n)
                        .map(|i| (i + t * 7) % n)
                        .map(|i| (i, score_lead(model, &leads[i]).expect("score")))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            for (i, text) in handle.join().expect("thread") {
                assert_eq!(text, expected[i], "lead {i}");
            }
        }
    });
    // SAFETY: the handle is freed once, after every thread finished.
    unsafe { crm_scoring_model_free(model.0) };
}

#[test]
fn the_flat_batch_call_agrees_with_the_json_call() {
    let dataset =
        Dataset::from_json(&std::fs::read_to_string(SAMPLE).expect("sample")).expect("dataset");
    let json = std::fs::read_to_string(MODEL).expect("model");
    let native = ScoringModel::from_json(&json).expect("model");
    let model = load(&json);
    let leads: Vec<LeadInput<'_>> = (0..dataset.contacts().len())
        .filter_map(|i| LeadInput::from_dataset(&dataset, i))
        .collect();
    let prepared = native.prepare(&leads).expect("prepare");
    let columns: Vec<*const i64> = prepared.columns().iter().map(|c| c.as_ptr()).collect();
    let mut out = vec![
        crm_lead_score {
            total_units: -1,
            grade: -9,
            handoff: 9
        };
        prepared.leads()
    ];
    // SAFETY: every array has the documented length; crm_score_event and
    // BatchEvent have the same layout.
    let status = unsafe {
        crm_score_batch(
            model.0,
            columns.as_ptr(),
            columns.len(),
            prepared.leads(),
            prepared.events().as_ptr().cast(),
            prepared.events().len(),
            prepared.stages().as_ptr(),
            SAMPLE_AS_OF.timestamp(),
            out.as_mut_ptr(),
            std::ptr::null_mut(),
            0,
        )
    };
    assert_eq!(status, crm_status::Ok, "{}", last_error());
    for (i, lead) in sample_leads(&dataset).iter().enumerate() {
        let text = score_lead(&model, lead).expect("score");
        let value: serde_json::Value = serde_json::from_str(&text).expect("json");
        let total: rust_decimal::Decimal = value["total"]
            .as_str()
            .expect("total")
            .parse()
            .expect("decimal");
        assert_eq!(
            rust_decimal::Decimal::new(out[i].total_units, 4),
            total,
            "lead {i}"
        );
        let grade = usize::try_from(out[i].grade)
            .ok()
            .map(|g| native.grades()[g].grade.clone());
        assert_eq!(grade.as_deref(), value["grade"].as_str(), "lead {i}");
        let handoff = usize::try_from(out[i].handoff)
            .ok()
            .map(|h| native.handoffs()[h].id.clone());
        assert_eq!(
            handoff.as_deref(),
            value["recommendation"]["handoff"].as_str(),
            "lead {i}"
        );
    }
    // SAFETY: freed once.
    unsafe { crm_scoring_model_free(model.0) };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_as_a_model_or_lead_give_a_status_and_a_message(bytes in prop::collection::vec(1_u8..=255, 0..300)) {
        let text = CString::new(bytes).expect("no NUL byte is generated");
        let mut model = std::ptr::null_mut();
        // SAFETY: a valid C string (maybe not UTF-8) and out pointer.
        let status = unsafe { crm_scoring_model_from_json(text.as_ptr(), &mut model) };
        if status == crm_status::Ok {
            // SAFETY: freed once.
            unsafe { crm_scoring_model_free(model) };
        } else {
            prop_assert!(model.is_null());
            prop_assert!(!last_error().is_empty());
        }
        let shared = load(r#"{"rules": [{"id": "r", "points": 1, "activity": {"type": "referral"}}]}"#);
        match score_lead(&shared, &text) {
            Ok(json) => prop_assert!(json.contains("\"total\"")),
            Err((status, message)) => {
                prop_assert_ne!(status, crm_status::Panic);
                prop_assert!(!message.is_empty());
            }
        }
        // SAFETY: freed once.
        unsafe { crm_scoring_model_free(shared.0) };
    }
}
