//! Any bytes given as an automation rule set give a rule set or an error,
//! never a panic; a rule set that loads survives a JSON round trip of its
//! document, can be analysed, and evaluates a fixed event (or refuses it
//! with an error) over a small dataset without panicking.
#![no_main]

mod fixture;

use crmkit::automation::{EnrollmentState, Event, RuleSet, analyze};
use fixture::dataset;
use libfuzzer_sys::fuzz_target;

const EVENT: &str = include_str!("../seeds/rules_event/created.json");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(rules) = RuleSet::from_json(text) else {
        return;
    };
    let json = serde_json::to_string(rules.doc()).expect("a rule set document serialises");
    let again = RuleSet::from_json(&json).expect("a serialised rule set reloads");
    assert_eq!(again.doc(), rules.doc());

    let report = analyze(&rules);
    serde_json::to_string(&report).expect("an analysis serialises");

    let event = Event::from_json(EVENT).expect("the fixed event loads");
    let as_of = "2024-05-01T09:00:00Z".parse().expect("a valid instant");
    let state = EnrollmentState::default();
    if let Ok(evaluation) = rules.evaluate(&event, dataset(), &state, as_of) {
        let state_json = evaluation.state.to_json().expect("a state serialises");
        let state_again = EnrollmentState::from_json(&state_json).expect("a state reloads");
        assert_eq!(state_again, evaluation.state);
    }
    let _ = rules.tick(dataset(), &state, as_of);
});
