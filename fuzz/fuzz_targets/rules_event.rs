//! Any bytes given as an event to the $500 routing rule set give an
//! evaluation or an error, never a panic; an evaluation is deterministic
//! and its new enrollment state survives a JSON round trip.
#![no_main]

use crmkit::automation::{EnrollmentState, Event, RuleSet};
use crmkit::model::Dataset;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const DATASET: &str = include_str!("../fixtures/dataset.json");
const RULES: &str = include_str!("../fixtures/rules.json");

fn fixtures() -> &'static (Dataset, RuleSet) {
    static CELL: OnceLock<(Dataset, RuleSet)> = OnceLock::new();
    CELL.get_or_init(|| {
        (
            Dataset::from_json(DATASET).expect("the fixture dataset loads"),
            RuleSet::from_json(RULES).expect("the fixture rule set loads"),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(event) = Event::from_json(text) else {
        return;
    };
    let (dataset, rules) = fixtures();
    let as_of = "2024-05-01T09:00:00Z".parse().expect("a valid instant");
    let state = EnrollmentState::default();
    let first = rules.evaluate(&event, dataset, &state, as_of);
    let second = rules.evaluate(&event, dataset, &state, as_of);
    assert_eq!(first.is_ok(), second.is_ok(), "evaluation is deterministic");
    if let (Ok(first), Ok(second)) = (first, second) {
        assert_eq!(first.state, second.state, "evaluation is deterministic");
        let json = first.state.to_json().expect("a state serialises");
        assert_eq!(
            EnrollmentState::from_json(&json).expect("a state reloads"),
            first.state
        );
    }
});
