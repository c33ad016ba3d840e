//! The JSON a lead's score is written as is pinned byte for byte: the same
//! input gives the same bytes, from the native call and through the C ABI,
//! whatever the engine does inside to be fast.

use crmkit::model::Dataset;
use crmkit::sample::SAMPLE_AS_OF;
use crmkit::scoring::{LeadInput, LeadScore, ScoringModel};
use serde_json::json;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/sample_company.json"
);
const SAMPLE_MODEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/scoring_model.json"
);

fn sample() -> (Dataset, ScoringModel) {
    let dataset =
        Dataset::from_json(&std::fs::read_to_string(SAMPLE).expect("sample")).expect("dataset");
    let model = ScoringModel::from_json(&std::fs::read_to_string(SAMPLE_MODEL).expect("model"))
        .expect("sample model");
    (dataset, model)
}

/// The lead document of the contact at `position`, as the benchmark builds it.
fn lead_json(dataset: &Dataset, position: usize) -> serde_json::Value {
    let contact = &dataset.contacts()[position];
    let activities: Vec<_> = dataset.activities_at(position).collect();
    json!({"contact": contact, "company": dataset.company_of(contact), "activities": activities})
}

/// The first contact with a company and exactly `wanted` activities.
fn position_with(dataset: &Dataset, wanted: usize) -> usize {
    (0..dataset.contacts().len())
        .find(|&i| {
            dataset.activities_at(i).count() == wanted
                && dataset.company_of(&dataset.contacts()[i]).is_some()
        })
        .expect("a contact with that many activities")
}

/// The output of the busiest kind of sample lead (15 activities), as the
/// engine wrote it (re-pinned when the sample gained its campaign touches
/// and nurture e-mails; the engine did not change).
const PINNED_15: &str = r#"{"contact":"C-0040","model":"sample-b2b","as_of":"2026-11-01T00:00:00Z","total":"39.561","grade":"C","categories":[{"id":"fit","raw":"20","score":"20","capped":false},{"id":"engagement","raw":"19.561","score":"19.561","capped":false},{"id":"enterprise_plan","raw":"0","score":"0","capped":false}],"contributions":[{"rule":"fit.size","category":"fit","type":"attribute","reason":"company.employees in 200..=5000","occurrences":1,"expired":0,"points_before_decay":"10","points_after_decay":"10","points":"10","capped":false},{"rule":"fit.manager","category":"fit","type":"attribute","reason":"contact.job_title contains \"manager\"","occurrences":1,"expired":0,"points_before_decay":"8","points_after_decay":"8","points":"8","capped":false},{"rule":"fit.reachable","category":"fit","type":"attribute","reason":"contact.email exists","occurrences":1,"expired":0,"points_before_decay":"2","points_after_decay":"2","points":"2","capped":false},{"rule":"eng.pricing","category":"engagement","type":"activity","reason":"website visit to \"/pricing*\"","occurrences":2,"expired":0,"points_before_decay":"12","points_after_decay":"0.981","points":"0.981","capped":false},{"rule":"eng.demo_page","category":"engagement","type":"activity","reason":"website visit to \"/demo*\"","occurrences":1,"expired":0,"points_before_decay":"8","points_after_decay":"0.052","points":"0.052","capped":false},{"rule":"eng.blog","category":"engagement","type":"activity","reason":"website visit to \"/blog/*\"","occurrences":2,"expired":0,"points_before_decay":"2","points_after_decay":"0.35","points":"0.35","capped":false},{"rule":"eng.demo_request","category":"engagement","type":"activity","reason":"form submission \"demo-request\"","occurrences":1,"expired":0,"points_before_decay":"20","points_after_decay":"13.82","points":"13.82","capped":false},{"rule":"eng.download","category":"engagement","type":"activity","reason":"content download","occurrences":2,"expired":0,"points_before_decay":"8","points_after_decay":"1.516","points":"1.516","capped":false},{"rule":"eng.email_click","category":"engagement","type":"activity","reason":"email clicked","occurrences":2,"expired":0,"points_before_decay":"4","points_after_decay":"0.1","points":"0.1","capped":false},{"rule":"eng.email_reply","category":"engagement","type":"activity","reason":"email replied","occurrences":1,"expired":0,"points_before_decay":"5","points_after_decay":"2.742","points":"2.742","capped":false}],"recommendation":null,"protected_attributes_used":[]}"#;

/// The output of a 3-activity sample lead given its own score of 40 days
/// earlier as `previous`, as the engine wrote it (re-pinned with the
/// sample's campaign touches).
const PINNED_3_WITH_CHANGES: &str = r#"{"contact":"C-0209","model":"sample-b2b","as_of":"2026-11-01T00:00:00Z","total":"50.2167","grade":"B","categories":[{"id":"fit","raw":"52","score":"50","capped":true},{"id":"engagement","raw":"0.2167","score":"0.2167","capped":false},{"id":"enterprise_plan","raw":"0","score":"0","capped":false}],"contributions":[{"rule":"fit.industry","category":"fit","type":"attribute","reason":"company.industry in [\"software\", \"finance\"]","occurrences":1,"expired":0,"points_before_decay":"15","points_after_decay":"15","points":"15","capped":false},{"rule":"fit.size","category":"fit","type":"attribute","reason":"company.employees in 200..=5000","occurrences":1,"expired":0,"points_before_decay":"10","points_after_decay":"10","points":"10","capped":false},{"rule":"fit.revenue","category":"fit","type":"attribute","reason":"company.annual_revenue >= 10000000 USD","occurrences":1,"expired":0,"points_before_decay":"10","points_after_decay":"10","points":"10","capped":false},{"rule":"fit.decision_maker","category":"fit","type":"attribute","reason":"contact.job_title in [\"founder\", \"sales director\"]","occurrences":1,"expired":0,"points_before_decay":"15","points_after_decay":"15","points":"15","capped":false},{"rule":"fit.reachable","category":"fit","type":"attribute","reason":"contact.email exists","occurrences":1,"expired":0,"points_before_decay":"2","points_after_decay":"2","points":"2","capped":false},{"rule":"eng.blog","category":"engagement","type":"activity","reason":"website visit to \"/blog/*\"","occurrences":1,"expired":0,"points_before_decay":"1","points_after_decay":"0.2167","points":"0.2167","capped":false}],"recommendation":{"handoff":"mql","from":"subscriber","to":"mql","score":"50.2167","threshold":"40","reason":"total score 50.2167 reached 40: move from subscriber to mql"},"protected_attributes_used":[],"changes":{"previous_as_of":"2026-09-22T00:00:00Z","total":{"id":"","previous":"50.8833","current":"50.2167","delta":"-0.6666"},"previous_grade":"B","grade_changed":false,"categories":[{"id":"engagement","previous":"0.8833","current":"0.2167","delta":"-0.6666"}],"rules":[{"id":"eng.blog","previous":"0.8833","current":"0.2167","delta":"-0.6666"}]}}"#;

/// The 3-activity lead with its score of 40 days earlier as `previous`.
fn lead_with_previous(dataset: &Dataset, model: &ScoringModel) -> serde_json::Value {
    let mut doc = lead_json(dataset, position_with(dataset, 3));
    let earlier = SAMPLE_AS_OF - chrono::Duration::days(40);
    let previous = model
        .score_json(&doc.to_string(), earlier)
        .expect("earlier score");
    doc["previous"] = serde_json::to_value(&previous).expect("json");
    doc
}

#[test]
fn score_json_writes_the_pinned_bytes_for_a_busy_lead() {
    let (dataset, model) = sample();
    let doc = lead_json(&dataset, position_with(&dataset, 15)).to_string();
    let score = model.score_json(&doc, SAMPLE_AS_OF).expect("score");
    assert_eq!(serde_json::to_string(&score).expect("json"), PINNED_15);
}

#[test]
fn score_json_writes_the_pinned_bytes_for_a_lead_with_changes() {
    let (dataset, model) = sample();
    let doc = lead_with_previous(&dataset, &model).to_string();
    let score = model.score_json(&doc, SAMPLE_AS_OF).expect("score");
    assert_eq!(
        serde_json::to_string(&score).expect("json"),
        PINNED_3_WITH_CHANGES
    );
}

#[test]
fn every_sample_lead_scores_the_same_from_json_as_from_the_dataset() {
    let (dataset, model) = sample();
    for position in 0..dataset.contacts().len() {
        let doc = lead_json(&dataset, position).to_string();
        let from_json = model.score_json(&doc, SAMPLE_AS_OF).expect("score");
        let lead = LeadInput::from_dataset(&dataset, position).expect("lead");
        let direct = model.score(&lead, SAMPLE_AS_OF).expect("score");
        assert_eq!(from_json, direct, "contact at {position}");
        let text = serde_json::to_string(&from_json).expect("json");
        assert_eq!(text, serde_json::to_string(&direct).expect("json"));
        let written = model
            .score_json_to_string(&doc, SAMPLE_AS_OF)
            .expect("score");
        assert_eq!(written, text, "contact at {position}");
        let back: LeadScore = serde_json::from_str(&text).expect("parse back");
        assert_eq!(back, direct, "contact at {position}");
    }
}

#[cfg(feature = "ffi")]
#[test]
fn the_c_call_writes_the_same_pinned_bytes() {
    use crmkit::ffi::scoring::{
        crm_score_lead_json, crm_scoring_model, crm_scoring_model_free, crm_scoring_model_from_json,
    };
    use std::ffi::{CStr, CString};

    let (dataset, model) = sample();
    let model_c = CString::new(std::fs::read_to_string(SAMPLE_MODEL).expect("model")).expect("c");
    let mut handle: *mut crm_scoring_model = std::ptr::null_mut();
    // SAFETY: a valid C string and out pointer.
    let status = unsafe { crm_scoring_model_from_json(model_c.as_ptr(), &mut handle) };
    assert_eq!(status.code(), 0);
    let docs = [
        (lead_json(&dataset, position_with(&dataset, 15)), PINNED_15),
        (lead_with_previous(&dataset, &model), PINNED_3_WITH_CHANGES),
    ];
    for (doc, pinned) in docs {
        let doc = CString::new(doc.to_string()).expect("c");
        let mut out = std::ptr::null_mut();
        // SAFETY: a live handle, a valid C string and out pointer; the
        // result is read, then freed once.
        let text = unsafe {
            let status =
                crm_score_lead_json(handle, doc.as_ptr(), SAMPLE_AS_OF.timestamp(), &mut out);
            assert_eq!(status.code(), 0);
            let text = CStr::from_ptr(out).to_str().expect("utf-8").to_string();
            crmkit::ffi::crm_string_free(out);
            text
        };
        assert_eq!(text, pinned);
    }
    // SAFETY: the handle from crm_scoring_model_from_json, freed once.
    unsafe { crm_scoring_model_free(handle) };
}
