//! Any bytes given as a lead to the sample scoring model give a score or an
//! error, never a panic; a score is deterministic and survives a JSON round
//! trip, and its total lies within the model's bounds (0..=100).
#![no_main]

use crmkit::scoring::{LeadScore, ScoringModel};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const MODEL: &str = include_str!("../../examples/data/scoring_model.json");

fn model() -> &'static ScoringModel {
    static MODEL_CELL: OnceLock<ScoringModel> = OnceLock::new();
    MODEL_CELL.get_or_init(|| ScoringModel::from_json(MODEL).expect("the sample model loads"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let as_of = "2024-06-01T00:00:00Z".parse().expect("a valid instant");
    let first = model().score_json(text, as_of);
    assert_eq!(
        first,
        model().score_json(text, as_of),
        "scoring is deterministic"
    );
    if let Ok(score) = first {
        let json = serde_json::to_string(&score).expect("a score serialises");
        let again: LeadScore = serde_json::from_str(&json).expect("a serialised score reloads");
        assert_eq!(again, score);
    }
});
