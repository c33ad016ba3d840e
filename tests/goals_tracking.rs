//! SMART goal tracking: progress, linear pacing, least-squares projection,
//! required rate, status thresholds and days left.

use chrono::NaiveDate;
use crmkit::ErrorKind;
use crmkit::goals::{
    Goal, Locale, Observation, TrackingStatus, TrackingThresholds, track, track_with,
};
use rust_decimal::Decimal;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("test date")
}

fn dec(text: &str) -> Decimal {
    text.parse().expect("test decimal")
}

fn goal(json: &str) -> Goal {
    Goal::from_json(json).unwrap_or_else(|err| panic!("{err}\n{json}"))
}

fn as_of() -> NaiveDate {
    d(2024, 7, 1)
}

const PREVENT_CHURN: &str = r#"{"name": "prevent churn"}"#;

const REDUCE_CHURN: &str = r#"{
    "objective": "increase_retention", "kpi": "churn_rate", "target": "-25%",
    "deadline": "end of next quarter",
    "plan": {"action": "use our new CRM to improve communication between sales and support",
             "resources": ["our new CRM"]}
}"#;

/// Churn from 8 % (2024-07-01) to 6 % by the end of the year.
const TRACKED: &str = r#"{
    "kpi": "churn_rate", "objective": "increase_retention",
    "baseline": {"value": 8, "date": "2024-07-01"}, "target": 6,
    "deadline": "2024-12-31",
    "plan": {"action": "call every customer flagged at risk", "resources": ["CRM"]}
}"#;

fn m(y: i32, mo: u32, day: u32, value: &str) -> Observation {
    Observation::new(d(y, mo, day), dec(value))
}

#[test]
fn tracking_reports_progress_pacing_projection_and_required_rate() {
    let goal = goal(TRACKED);
    let points = [
        m(2024, 7, 1, "8"),
        m(2024, 8, 1, "7.7"),
        m(2024, 9, 1, "7.4"),
        m(2024, 10, 1, "1"), // after as_of: ignored
    ];
    let progress = track(&goal, &points, d(2024, 9, 1)).expect("track");
    assert_eq!(progress.current, dec("7.4"));
    assert_eq!(progress.progress, Some(dec("0.3")));
    // 62 of 183 days.
    assert_eq!(progress.expected_progress, dec("0.3388"));
    assert_eq!(progress.days_left, 121);
    // The points lie on a line losing 0.3 a month: 8 - 0.3 * 183 / 31.
    assert_eq!(progress.projected, Some(dec("6.2290")));
    assert_eq!(progress.projected_progress, Some(dec("0.8855")));
    // 1.4 points in 121 days.
    assert_eq!(progress.required_per_day, Some(dec("-0.011570")));
    assert_eq!(progress.status, TrackingStatus::AtRisk);
    assert_eq!(progress.plan_version, Some(1));
    let summary = progress.summary(Locale::En, Some(crmkit::kpi::catalog::Unit::Percent));
    assert!(summary.starts_with("at risk: 30% of the way"), "{summary}");
    for locale in Locale::ALL {
        assert!(!progress.summary(locale, None).contains('{'));
    }
}

#[test]
fn tracking_statuses_follow_the_documented_thresholds() {
    let goal = goal(TRACKED);
    let fast = [m(2024, 7, 1, "8"), m(2024, 8, 1, "7.5"), m(2024, 9, 1, "7")];
    assert_eq!(
        track(&goal, &fast, d(2024, 9, 1)).expect("track").status,
        TrackingStatus::OnTrack
    );
    let slow = [
        m(2024, 7, 1, "8"),
        m(2024, 8, 1, "7.9"),
        m(2024, 9, 1, "7.8"),
    ];
    assert_eq!(
        track(&goal, &slow, d(2024, 9, 1)).expect("track").status,
        TrackingStatus::OffTrack
    );
    let done = [m(2024, 7, 1, "8"), m(2024, 11, 1, "5.9")];
    assert_eq!(
        track(&goal, &done, d(2024, 11, 2)).expect("track").status,
        TrackingStatus::Achieved
    );
    let late = [m(2024, 7, 1, "8"), m(2024, 12, 31, "6.5")];
    let progress = track(&goal, &late, d(2025, 1, 15)).expect("track");
    assert_eq!(progress.status, TrackingStatus::Missed);
    assert_eq!(progress.required_per_day, None);
    assert!(progress.days_left < 0);
    // One measurement: no projection, pacing decides (progress 0.25 vs 0.34 expected).
    let single = [m(2024, 9, 1, "7.5")];
    let progress = track(&goal, &single, d(2024, 9, 1)).expect("track");
    assert_eq!(progress.projected, None);
    assert_eq!(progress.status, TrackingStatus::OffTrack);
}

#[test]
fn progress_is_undefined_when_the_target_equals_the_baseline() {
    let flat = TRACKED.replace(r#""target": 6"#, r#""target": 8"#);
    let progress = track(&goal(&flat), &[], d(2024, 9, 1)).expect("track");
    assert_eq!(progress.progress, None);
    assert_eq!(progress.status, TrackingStatus::Achieved);
}

#[test]
fn a_relative_target_without_baseline_tracks_from_the_first_measurement() {
    let goal = goal(REDUCE_CHURN);
    let points = [m(2024, 7, 1, "8"), m(2024, 8, 1, "7")];
    let progress = track(&goal, &points, d(2024, 8, 1)).expect("track");
    assert_eq!(progress.baseline, dec("8"));
    assert_eq!(progress.target, dec("6"));
    // "End of next quarter" counts from the first measurement (Q3), not
    // from as_of, so the deadline does not move while the goal is tracked.
    assert_eq!(progress.deadline, d(2024, 12, 31));
    assert_eq!(progress.start, d(2024, 7, 1));
    let later = track(&goal, &points, d(2024, 11, 1)).expect("track");
    assert_eq!(later.deadline, d(2024, 12, 31));
    assert_eq!(progress.progress, Some(dec("0.5")));
}

#[test]
fn goals_that_cannot_be_tracked_say_why() {
    let err = track(&goal(PREVENT_CHURN), &[], as_of()).expect_err("no target");
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert_eq!(err.path(), Some("target"));
    let no_deadline = TRACKED.replace(r#""deadline": "2024-12-31","#, "");
    let err = track(&goal(&no_deadline), &[], as_of()).expect_err("no deadline");
    assert_eq!(err.path(), Some("deadline"));
    let err = track(&goal(REDUCE_CHURN), &[], as_of()).expect_err("no baseline");
    assert_eq!(err.path(), Some("baseline"));
}

#[test]
fn the_at_risk_threshold_moves_the_status_and_is_checked() {
    let goal = goal(TRACKED);
    let points = [
        m(2024, 7, 1, "8"),
        m(2024, 8, 1, "7.7"),
        m(2024, 9, 1, "7.4"),
    ];
    // The projection reaches 0.8855 of the way.
    let lenient = TrackingThresholds {
        at_risk: dec("0.5"),
    };
    let strict = TrackingThresholds {
        at_risk: dec("0.9"),
    };
    let status =
        |t: &TrackingThresholds| track_with(&goal, &points, d(2024, 9, 1), t).map(|p| p.status);
    assert_eq!(status(&lenient), Ok(TrackingStatus::AtRisk));
    assert_eq!(status(&strict), Ok(TrackingStatus::OffTrack));
    let bad = TrackingThresholds {
        at_risk: dec("1.5"),
    };
    assert_eq!(status(&bad).map_err(|e| e.kind()), Err(ErrorKind::Invalid));
}
