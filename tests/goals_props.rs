//! Property tests of SMART goals: the validator and the tracker never panic
//! and are deterministic on any goal, every verdict is explained by a
//! finding, goals survive a JSON round trip, hostile JSON gives an error.

use chrono::NaiveDate;
use crmkit::goals::{
    Criterion, Goal, Locale, Observation, Severity, TrackingStatus, Validator, Verdict, track,
    validate_json,
};
use crmkit::kpi::catalog::KpiId;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

fn date_from_days(days: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(days).unwrap_or(NaiveDate::MIN)
}

/// Dates from year 1 to about year 10,000, with extra weight around 2024.
fn any_date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        (738_000i32..740_000).prop_map(date_from_days),
        (1i32..3_652_059).prop_map(date_from_days),
        Just(NaiveDate::MAX),
        Just(NaiveDate::MIN),
    ]
}

/// Decimal texts: ordinary, tiny, huge, negative; all within `Decimal`.
fn any_decimal_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (-200i64..200).prop_map(|n| n.to_string()),
        (any::<i64>(), 0u32..10).prop_map(|(n, scale)| Decimal::new(n, scale).to_string()),
        Just("79228162514264337593543950335".to_string()),
        Just("-79228162514264337593543950335".to_string()),
        Just("0.0000000000000000000000000001".to_string()),
    ]
}

fn any_target() -> impl Strategy<Value = Value> {
    prop_oneof![
        any_decimal_text().prop_map(Value::String),
        (-300i64..300).prop_map(|n| json!(n)),
        (-300i64..300).prop_map(|n| {
            let sign = if n < 0 { "" } else { "+" };
            Value::String(format!("{sign}{n}%"))
        }),
        any_decimal_text().prop_map(|t| json!({"change_percent": t})),
    ]
}

fn any_deadline() -> impl Strategy<Value = String> {
    prop_oneof![
        any_date().prop_map(|d| d.to_string()),
        prop::sample::select(vec![
            "end of this week",
            "end of next month",
            "end of this quarter",
            "end of next quarter",
            "end of the year",
            "end of next year",
        ])
        .prop_map(str::to_string),
        (
            0u32..=10_000,
            prop::sample::select(vec!["days", "weeks", "months", "years"])
        )
            .prop_map(|(n, unit)| format!("in {n} {unit}")),
    ]
}

fn any_kpi() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(KpiId::ALL.to_vec()).prop_map(|k| k.as_str().to_string()),
        "[a-z_]{0,16}",
    ]
}

fn any_objective() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec![
            "increase_retention",
            "shorten_sales_cycle",
            "sell_more",
            "reduce_acquisition_cost",
            "raise_satisfaction",
            "raise_loyalty",
            "raise_conversion",
            "improve_service",
        ])
        .prop_map(|o| json!(o)),
        "\\PC{0,20}".prop_map(|name| json!({"custom": name})),
    ]
}

fn any_measurements() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(
        (any_date(), any_decimal_text()).prop_map(|(d, v)| json!({"date": d, "value": v})),
        0..8,
    )
}

/// A goal document where every field may be missing.
fn any_goal_json() -> impl Strategy<Value = String> {
    (
        (
            prop::option::of(any_objective()),
            prop::option::of(any_kpi()),
            prop::option::of(prop::sample::select(vec!["increase", "decrease"])),
            prop::option::of((any_decimal_text(), prop::option::of(any_date()))),
            prop::option::of(any_target()),
            prop::option::of(any_deadline()),
        ),
        (
            prop::option::of(any_date()),
            1u32..=12,
            prop::option::of(("\\PC{0,40}", prop::collection::vec("\\PC{0,10}", 0..3))),
            prop::option::of("\\PC{0,10}"),
            prop::option::of("\\PC{0,10}"),
            any_measurements(),
        ),
    )
        .prop_map(
            |(
                (objective, kpi, direction, baseline, target, deadline),
                (set_on, first_month, plan, owner, reason, history),
            )| {
                let mut goal = serde_json::Map::new();
                let mut put = |key: &str, value: Option<Value>| {
                    if let Some(value) = value {
                        goal.insert(key.to_string(), value);
                    }
                };
                put("objective", objective);
                put("kpi", kpi.map(Value::String));
                put("direction", direction.map(|d| json!(d)));
                put(
                    "baseline",
                    baseline.map(|(value, date)| match date {
                        Some(date) => json!({"value": value, "date": date}),
                        None => json!({"value": value}),
                    }),
                );
                put("target", target);
                put("deadline", deadline.map(Value::String));
                put("set_on", set_on.map(|d| json!(d)));
                put("calendar", Some(json!({"first_month": first_month})));
                put(
                    "plan",
                    plan.map(
                        |(action, resources)| json!({"action": action, "resources": resources}),
                    ),
                );
                put("owner", owner.map(Value::String));
                put("reason", reason.map(Value::String));
                put("history", Some(Value::Array(history)));
                Value::Object(goal).to_string()
            },
        )
}

/// The placeholders of the message templates, none of which may survive
/// rendering (a '{' may: it can come from the goal's own text).
const PLACEHOLDERS: [&str; 9] = [
    "{kpi}",
    "{value}",
    "{target}",
    "{ratio}",
    "{date}",
    "{days}",
    "{direction}",
    "{objective}",
    "{text}",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn validation_never_panics_is_deterministic_and_explains_every_verdict(
        json in any_goal_json(),
        as_of in any_date(),
    ) {
        let Ok(goal) = Goal::from_json(&json) else { return Ok(()); };
        let validator = Validator::new();
        let report = validator.validate(&goal, as_of);
        prop_assert_eq!(&report, &validator.validate(&goal, as_of));
        for criterion in Criterion::ALL {
            let worst = report
                .findings_for(criterion)
                .map(|f| f.severity().verdict())
                .max();
            prop_assert!(worst.is_some(), "no finding for {}", criterion);
            prop_assert_eq!(worst, Some(report.verdict(criterion)));
        }
        prop_assert_eq!(report.is_smart(), report.overall() <= Verdict::Warn);
        for locale in Locale::ALL {
            let localized = report.localize(locale);
            prop_assert_eq!(&localized, &report.localize(locale));
            for criterion in &localized.criteria {
                for reason in &criterion.reasons {
                    prop_assert!(!reason.message.is_empty());
                    for placeholder in PLACEHOLDERS {
                        prop_assert!(!reason.message.contains(placeholder), "{}", reason.message);
                    }
                    if reason.severity >= Severity::Warn {
                        prop_assert!(reason.suggestion.is_some());
                    }
                }
            }
            prop_assert!(serde_json::to_string(&localized).is_ok());
        }
    }

    #[test]
    fn goals_serialise_and_reload_unchanged(json in any_goal_json()) {
        let Ok(goal) = Goal::from_json(&json) else { return Ok(()); };
        let written = goal.to_json().expect("a loaded goal serialises");
        let reloaded = Goal::from_json(&written);
        prop_assert_eq!(reloaded.as_ref(), Ok(&goal), "{}", written);
    }

    #[test]
    fn tracking_never_panics_and_keeps_its_invariants(
        json in any_goal_json(),
        measurements in any_measurements(),
        as_of in any_date(),
    ) {
        let Ok(goal) = Goal::from_json(&json) else { return Ok(()); };
        let Ok(measurements) =
            serde_json::from_value::<Vec<Observation>>(Value::Array(measurements))
        else {
            return Ok(());
        };
        let first = track(&goal, &measurements, as_of);
        prop_assert_eq!(&first, &track(&goal, &measurements, as_of));
        if let Ok(progress) = first {
            prop_assert!(progress.expected_progress >= Decimal::ZERO);
            prop_assert!(progress.expected_progress <= Decimal::ONE);
            prop_assert_eq!(progress.days_left, (progress.deadline - as_of).num_days());
            if progress.days_left < 0 {
                prop_assert!(matches!(progress.status, TrackingStatus::Achieved | TrackingStatus::Missed));
                prop_assert_eq!(progress.required_per_day, None);
            }
            if progress.target == progress.baseline {
                prop_assert_eq!(progress.progress, None);
            }
            for locale in Locale::ALL {
                let summary = progress.summary(locale, None);
                let unfilled = ["{status}", "{progress}", "{expected}", "{current}", "{target}", "{days}"]
                    .iter()
                    .any(|p| summary.contains(p));
                prop_assert!(!unfilled, "{}", summary);
            }
        }
    }

    #[test]
    fn any_text_is_an_error_or_a_report_never_a_panic(text in "\\PC{0,200}") {
        let as_of = NaiveDate::from_ymd_opt(2024, 7, 1).expect("date");
        let _ = validate_json(&text, as_of, "en");
        let _ = Goal::from_json(&text);
    }

    #[test]
    fn mutated_goal_json_gives_a_json_error_or_a_report(
        json in any_goal_json(),
        cut in 0usize..400,
        junk in "[\\[\\]{}\",:0-9a-z%-]{0,4}",
    ) {
        let mut bytes: Vec<char> = json.chars().collect();
        let at = cut.min(bytes.len());
        bytes.splice(at..at, junk.chars());
        let mutated: String = bytes.into_iter().collect();
        let as_of = NaiveDate::from_ymd_opt(2024, 7, 1).expect("date");
        if let Err(err) = validate_json(&mutated, as_of, "zh-Hant") {
            prop_assert_eq!(err.kind(), crmkit::ErrorKind::Json);
            prop_assert!(!err.to_string().is_empty());
        }
    }
}

#[cfg(feature = "ffi")]
mod ffi {
    use std::ffi::{CStr, CString, c_char};

    use crmkit::ffi::crm_status;
    use crmkit::ffi::goals::{crm_goal_progress, crm_goal_validate};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn any_input_to_the_c_functions_gives_a_status_and_frees_cleanly(
            goal in "\\PC{0,120}",
            measurements in "\\PC{0,60}",
            locale in prop::sample::select(vec!["en", "de", "ru", "zh-Hant", "xx", ""]),
            as_of in any::<i64>(),
        ) {
            let goal = CString::new(goal.replace('\0', "")).expect("no NUL");
            let measurements = CString::new(measurements.replace('\0', "")).expect("no NUL");
            let locale = CString::new(locale).expect("no NUL");
            let mut out: *mut c_char = std::ptr::null_mut();
            // SAFETY: valid C strings and a live out pointer.
            let status = unsafe {
                crm_goal_validate(goal.as_ptr(), as_of, locale.as_ptr(), &mut out)
            };
            prop_assert_ne!(status, crm_status::Panic);
            if status == crm_status::Ok {
                prop_assert!(!out.is_null());
                // SAFETY: a string crmkit returned, freed once.
                unsafe {
                    prop_assert!(CStr::from_ptr(out).to_str().is_ok());
                    crmkit::ffi::crm_string_free(out);
                }
            } else {
                prop_assert!(out.is_null());
            }
            let mut out: *mut c_char = std::ptr::null_mut();
            // SAFETY: as above.
            let status = unsafe {
                crm_goal_progress(
                    goal.as_ptr(),
                    measurements.as_ptr(),
                    as_of,
                    locale.as_ptr(),
                    &mut out,
                )
            };
            prop_assert_ne!(status, crm_status::Panic);
            if status == crm_status::Ok {
                // SAFETY: as above.
                unsafe { crmkit::ffi::crm_string_free(out) };
            } else {
                prop_assert!(out.is_null());
            }
        }
    }
}

#[test]
fn most_generated_goals_load() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = any_goal_json();
    let total = 500;
    let loaded = (0..total)
        .filter(|_| {
            let json = strategy.new_tree(&mut runner).expect("tree").current();
            Goal::from_json(&json).is_ok()
        })
        .count();
    // The property tests above are only as good as the goals that load.
    assert!(
        loaded * 2 > total,
        "only {loaded} of {total} generated goals load"
    );
}
