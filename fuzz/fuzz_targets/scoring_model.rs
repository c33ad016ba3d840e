//! Any bytes given as a scoring model give a model or an error, never a
//! panic; a model that loads scores a fixed lead (or refuses it with an
//! error) deterministically, and its result survives a JSON round trip.
#![no_main]

use crmkit::scoring::{LeadScore, ScoringModel};
use libfuzzer_sys::fuzz_target;

const LEAD: &str = include_str!("../seeds/scoring_lead/lead.json");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(model) = ScoringModel::from_json(text) else {
        return;
    };
    let as_of = "2024-06-01T00:00:00Z".parse().expect("a valid instant");
    let first = model.score_json(LEAD, as_of);
    let second = model.score_json(LEAD, as_of);
    assert_eq!(first, second, "scoring is deterministic");
    let _ = model.info();
    if let Ok(score) = first {
        let json = serde_json::to_string(&score).expect("a score serialises");
        let again: LeadScore = serde_json::from_str(&json).expect("a serialised score reloads");
        assert_eq!(again, score);
    }
});
