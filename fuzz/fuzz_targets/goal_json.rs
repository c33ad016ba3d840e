//! Any bytes given as a SMART goal give a goal or an error, never a panic;
//! a goal that loads survives a JSON round trip, validates into a report
//! in every locale, and tracks against fixed measurements (or refuses with
//! an error) without panicking.
#![no_main]

use chrono::NaiveDate;
use crmkit::goals::{Goal, Locale, Measurement, Validator, track};
use libfuzzer_sys::fuzz_target;

const LOCALES: &[&str] = &["en", "de", "pt", "ru", "zh-Hans", "zh-Hant"];
const MEASUREMENTS: &str = r#"[{"date": "2024-03-31", "value": "8.4"},
    {"date": "2024-07-31", "value": "7.9"}, {"date": "2024-08-31", "value": 7.5}]"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(goal) = Goal::from_json(text) else {
        return;
    };
    let json = goal.to_json().expect("a goal serialises");
    let again = Goal::from_json(&json).expect("a serialised goal reloads");
    assert_eq!(again, goal);

    let as_of = NaiveDate::from_ymd_opt(2024, 9, 15).expect("a valid date");
    let report = Validator::new().validate(&goal, as_of);
    for locale in LOCALES {
        let locale = Locale::parse(locale).expect("a supported locale");
        serde_json::to_string(&report.localize(locale)).expect("a report serialises");
    }
    let measurements: Vec<Measurement> =
        serde_json::from_str(MEASUREMENTS).expect("the fixed measurements load");
    if let Ok(progress) = track(&goal, &measurements, as_of) {
        serde_json::to_string(&progress).expect("a progress report serialises");
    }
    let _ = track(&goal, &[], as_of);
});
