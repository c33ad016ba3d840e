//! Lead scoring: every rule kind, decay, expiry, caps, negative points,
//! grades, handoffs, changes, roll-up, the protected-attribute guard, each
//! load error, the batch path and sharing a model across threads.

use crmkit::model::{Activity, Company, Contact, Dataset, ProtectedAttribute, Timestamp};
use crmkit::scoring::{LeadInput, LeadScore, RuleType, ScoringModel};
use crmkit::{ErrorKind, Result};
use rust_decimal::Decimal;
use serde_json::json;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/sample_company.json"
);
const SAMPLE_MODEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/scoring_model.json"
);

fn ts(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

fn d(text: &str) -> Decimal {
    text.parse().expect("decimal")
}

const AS_OF: &str = "2026-06-01T00:00:00Z";

fn contact(extra: serde_json::Value) -> Contact {
    let mut value = json!({"id": "C-1", "name": "Ada", "created_at": "2026-01-01T00:00:00Z"});
    if let (Some(map), Some(extra)) = (value.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            map.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(value).expect("contact")
}

fn company(extra: serde_json::Value) -> Company {
    let mut value = json!({"id": "CO-1", "name": "Acme"});
    if let (Some(map), Some(extra)) = (value.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            map.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(value).expect("company")
}

/// An activity of C-1 `days_ago` days before [`AS_OF`].
fn activity(n: usize, days_ago: i64, kind: serde_json::Value) -> Activity {
    let at = ts(AS_OF) - chrono::Duration::days(days_ago);
    serde_json::from_value(
        json!({"id": format!("A-{n}"), "contact": "C-1", "at": at, "kind": kind}),
    )
    .expect("activity")
}

fn model(json: serde_json::Value) -> ScoringModel {
    ScoringModel::from_json(&json.to_string()).unwrap_or_else(|e| panic!("model: {e}"))
}

fn load_error(json: serde_json::Value) -> crmkit::Error {
    ScoringModel::from_json(&json.to_string()).expect_err("the model must be refused")
}

fn score(
    model: &ScoringModel,
    contact: &Contact,
    company: Option<&Company>,
    activities: &[Activity],
) -> LeadScore {
    let lead = LeadInput {
        contact,
        company,
        activities: activities.iter().collect(),
    };
    model.score(&lead, ts(AS_OF)).expect("score")
}

fn attribute_rule(id: &str, points: i64, when: serde_json::Value) -> serde_json::Value {
    json!({"id": id, "points": points, "when": when})
}

/// Scores one attribute rule on a contact and company; the points it gave.
fn fires(when: serde_json::Value, contact: &Contact, company: Option<&Company>) -> bool {
    let m = model(json!({"rules": [attribute_rule("r", 7, when)]}));
    let s = score(&m, contact, company, &[]);
    match s.contribution("r") {
        Some(c) => {
            assert_eq!(c.points, d("7"));
            assert_eq!(s.total, d("7"));
            true
        }
        None => {
            assert_eq!(s.total, Decimal::ZERO);
            false
        }
    }
}

// ---------------------------------------------------------------------------
// Attribute rules
// ---------------------------------------------------------------------------

#[test]
fn text_equals_and_in_ignore_case() {
    let acme = company(json!({"industry": "Software", "country": "US"}));
    let c = contact(json!({"country": "gb", "job_title": "VP Sales"}));
    assert!(fires(
        json!({"field": "company.industry", "op": "equals", "value": "software"}),
        &c,
        Some(&acme)
    ));
    assert!(!fires(
        json!({"field": "company.industry", "op": "equals", "value": "soft"}),
        &c,
        Some(&acme)
    ));
    assert!(fires(
        json!({"field": "contact.country", "op": "in", "values": ["US", "GB"]}),
        &c,
        Some(&acme)
    ));
    assert!(!fires(
        json!({"field": "contact.country", "op": "in", "values": ["FR"]}),
        &c,
        Some(&acme)
    ));
    // Without a company, company rules see no value.
    assert!(!fires(
        json!({"field": "company.industry", "op": "equals", "value": "software"}),
        &c,
        None
    ));
}

#[test]
fn contains_matches_part_of_a_text() {
    let c = contact(json!({"job_title": "Senior Marketing MANAGER"}));
    assert!(fires(
        json!({"field": "contact.job_title", "op": "contains", "value": "manager"}),
        &c,
        None
    ));
    assert!(!fires(
        json!({"field": "contact.job_title", "op": "contains", "value": "director"}),
        &c,
        None
    ));
}

#[test]
fn numeric_ranges_include_their_ends() {
    for (employees, expected) in [(49, false), (50, true), (500, true), (501, false)] {
        let co = company(json!({"employees": employees}));
        let when = json!({"field": "company.employees", "op": "range", "min": 50, "max": 500});
        assert_eq!(
            fires(when, &contact(json!({})), Some(&co)),
            expected,
            "{employees}"
        );
    }
    let co = company(json!({"employees": 10}));
    assert!(fires(
        json!({"field": "company.employees", "op": "range", "max": 10}),
        &contact(json!({})),
        Some(&co)
    ));
    assert!(fires(
        json!({"field": "company.employees", "op": "equals", "value": 10}),
        &contact(json!({})),
        Some(&co)
    ));
    assert!(fires(
        json!({"field": "company.employees", "op": "in", "values": [5, 10]}),
        &contact(json!({})),
        Some(&co)
    ));
}

#[test]
fn money_rules_compare_only_in_their_currency() {
    let when = json!({"field": "company.annual_revenue", "op": "range",
                      "min": {"amount": "1000000", "currency": "USD"}});
    let usd = company(json!({"annual_revenue": {"amount": "1000000.00", "currency": "USD"}}));
    let small = company(json!({"annual_revenue": {"amount": "999999.99", "currency": "USD"}}));
    let eur = company(json!({"annual_revenue": {"amount": "5000000", "currency": "EUR"}}));
    let c = contact(json!({}));
    assert!(fires(when.clone(), &c, Some(&usd)));
    assert!(!fires(when.clone(), &c, Some(&small)));
    assert!(
        !fires(when, &c, Some(&eur)),
        "no conversion between currencies"
    );
}

#[test]
fn exists_needs_a_value_of_any_kind() {
    let with = contact(json!({"email": "a@b.c", "attributes": {"score_card": 3}}));
    let without = contact(json!({}));
    let email = json!({"field": "contact.email", "op": "exists"});
    assert!(fires(email.clone(), &with, None));
    assert!(!fires(email, &without, None));
    let custom = json!({"field": "contact.attributes.score_card", "op": "exists"});
    assert!(fires(custom.clone(), &with, None));
    assert!(!fires(custom, &without, None));
}

#[test]
fn dates_timestamps_and_flags_compare_by_kind() {
    let c = contact(json!({"created_at": "2026-03-15T10:00:00Z", "attributes": {
        "renewal": {"date": "2026-09-30"}, "trial": true, "seats": 12.5}}));
    assert!(fires(
        json!({"field": "contact.attributes.renewal", "op": "range",
        "min": {"date": "2026-09-01"}, "max": {"date": "2026-09-30"}}),
        &c,
        None
    ));
    assert!(!fires(
        json!({"field": "contact.attributes.renewal", "op": "range",
        "kind": "date", "max": "2026-09-29"}),
        &c,
        None
    ));
    assert!(fires(
        json!({"field": "contact.created_at", "op": "range",
        "min": "2026-03-01T00:00:00Z"}),
        &c,
        None
    ));
    assert!(!fires(
        json!({"field": "contact.created_at", "op": "range",
        "max": "2026-03-15T09:59:59Z"}),
        &c,
        None
    ));
    assert!(fires(
        json!({"field": "contact.attributes.trial", "op": "equals", "value": true}),
        &c,
        None
    ));
    assert!(!fires(
        json!({"field": "contact.attributes.trial", "op": "equals", "value": false}),
        &c,
        None
    ));
    assert!(fires(
        json!({"field": "contact.attributes.seats", "op": "range", "min": 12.5}),
        &c,
        None
    ));
    assert!(!fires(
        json!({"field": "contact.attributes.seats", "op": "range", "kind": "number",
        "min": "12.5001"}),
        &c,
        None
    ));
    // A custom attribute of another kind than the rule's does not match.
    assert!(!fires(
        json!({"field": "contact.attributes.trial", "op": "equals", "value": "yes"}),
        &c,
        None
    ));
}

// ---------------------------------------------------------------------------
// Activity rules
// ---------------------------------------------------------------------------

fn activity_points(rule: serde_json::Value, activities: &[Activity]) -> (u64, Decimal) {
    let m = model(json!({"rules": [rule]}));
    let s = score(&m, &contact(json!({})), None, activities);
    s.contribution("r")
        .map_or((0, Decimal::ZERO), |c| (c.occurrences, c.points))
}

#[test]
fn every_activity_type_can_be_matched() {
    let all = vec![
        activity(
            1,
            1,
            json!({"type": "website_visit", "url": "/pricing/enterprise", "duration_seconds": 90}),
        ),
        activity(
            2,
            1,
            json!({"type": "website_visit", "url": "/blog/x", "goal_completed": true}),
        ),
        activity(
            3,
            1,
            json!({"type": "form_submission", "form": "demo-request"}),
        ),
        activity(
            4,
            1,
            json!({"type": "content_download", "content": "roi-calculator"}),
        ),
        activity(
            5,
            1,
            json!({"type": "email", "event": "opened", "subject": "Spring launch"}),
        ),
        activity(6, 1, json!({"type": "email", "event": "clicked"})),
        activity(7, 1, json!({"type": "email", "event": "replied"})),
        activity(8, 1, json!({"type": "email", "event": "unsubscribed"})),
        activity(9, 1, json!({"type": "email", "event": "bounced"})),
        activity(
            10,
            1,
            json!({"type": "purchase", "amount": {"amount": "1500", "currency": "USD"}}),
        ),
        activity(
            11,
            1,
            json!({"type": "purchase", "amount": {"amount": "20", "currency": "USD"}}),
        ),
        activity(
            12,
            1,
            json!({"type": "call", "direction": "inbound", "outcome": "connected", "talk_seconds": 300}),
        ),
        activity(
            13,
            1,
            json!({"type": "call", "direction": "outbound", "outcome": "no_answer"}),
        ),
        activity(14, 1, json!({"type": "meeting", "duration_minutes": 45})),
        activity(15, 1, json!({"type": "referral"})),
        activity(
            16,
            1,
            json!({"type": "survey_answer", "survey": "q2-nps", "score": {"nps": 10}}),
        ),
        activity(
            17,
            1,
            json!({"type": "survey_answer", "survey": "support", "score": {"csat": 2}}),
        ),
        activity(18, 1, json!({"type": "proposal_sent"})),
        activity(19, 1, json!({"type": "review", "rating": 5})),
    ];
    let cases = [
        (json!({"type": "website_visit"}), 2),
        (json!({"type": "website_visit", "url": "/pricing*"}), 1),
        (
            json!({"type": "website_visit", "duration_seconds": {"min": 60}}),
            1,
        ),
        (json!({"type": "website_visit", "goal_completed": true}), 1),
        (json!({"type": "form_submission", "form": "demo-*"}), 1),
        (json!({"type": "form_submission", "form": "newsletter"}), 0),
        (json!({"type": "content_download", "content": "*roi*"}), 1),
        (json!({"type": "email", "event": "opened"}), 1),
        (
            json!({"type": "email", "event": "opened", "subject": "*launch*"}),
            1,
        ),
        (
            json!({"type": "email", "event": "clicked", "subject": "*launch*"}),
            0,
        ),
        (json!({"type": "email", "event": "clicked"}), 1),
        (json!({"type": "email", "event": "replied"}), 1),
        (json!({"type": "email", "event": "unsubscribed"}), 1),
        (json!({"type": "email", "event": "bounced"}), 1),
        (json!({"type": "purchase"}), 2),
        (
            json!({"type": "purchase", "min_amount": {"amount": "1000", "currency": "USD"}}),
            1,
        ),
        (
            json!({"type": "purchase", "max_amount": {"amount": "20", "currency": "USD"}}),
            1,
        ),
        (
            json!({"type": "purchase", "min_amount": {"amount": "1", "currency": "EUR"}}),
            0,
        ),
        (json!({"type": "call"}), 2),
        (
            json!({"type": "call", "outcome": "connected", "talk_seconds": {"min": 120}}),
            1,
        ),
        (json!({"type": "call", "direction": "outbound"}), 1),
        (
            json!({"type": "meeting", "duration_minutes": {"min": 30, "max": 60}}),
            1,
        ),
        (json!({"type": "referral"}), 1),
        (
            json!({"type": "survey_answer", "scale": "nps", "score": {"min": 9}}),
            1,
        ),
        (
            json!({"type": "survey_answer", "scale": "csat", "score": {"max": 2}}),
            1,
        ),
        (
            json!({"type": "survey_answer", "scale": "csat", "survey": "q2*"}),
            0,
        ),
        (json!({"type": "proposal_sent"}), 1),
        (json!({"type": "review", "rating": {"min": 4}}), 1),
    ];
    for (matcher, expected) in cases {
        let rule = json!({"id": "r", "points": 3, "activity": matcher.clone()});
        let (occurrences, points) = activity_points(rule, &all);
        assert_eq!(occurrences, expected, "{matcher}");
        assert_eq!(points, Decimal::from(3 * expected), "{matcher}");
    }
}

#[test]
fn points_count_per_occurrence_up_to_the_rule_maximum() {
    let visits: Vec<Activity> = (0..5)
        .map(|i| activity(i, 1, json!({"type": "website_visit", "url": "/pricing"})))
        .collect();
    let rule = json!({"id": "r", "points": 4, "max_points": 10,
                      "activity": {"type": "website_visit", "url": "/pricing"}});
    let m = model(json!({"rules": [rule]}));
    let s = score(&m, &contact(json!({})), None, &visits);
    let c = s.contribution("r").expect("fired");
    assert_eq!(c.rule_type, RuleType::Activity);
    assert_eq!(c.occurrences, 5);
    assert_eq!(c.points_before_decay, d("20"));
    assert_eq!(c.points_after_decay, d("20"));
    assert_eq!(c.points, d("10"));
    assert!(c.capped);
    assert_eq!(s.total, d("10"));
}

#[test]
fn negative_points_lower_the_score_within_their_own_cap() {
    let events: Vec<Activity> = (0..3)
        .map(|i| activity(i, 2, json!({"type": "email", "event": "bounced"})))
        .collect();
    let m = model(json!({"rules": [
        {"id": "title", "points": 30, "when": {"field": "contact.job_title", "op": "exists"}},
        {"id": "r", "points": -8, "max_points": 20, "category": "fit",
         "activity": {"type": "email", "event": "bounced"}}
    ]}));
    let s = score(&m, &contact(json!({"job_title": "cto"})), None, &events);
    assert_eq!(s.contribution("r").map(|c| c.points), Some(d("-20")));
    assert_eq!(s.total, d("10"));
    assert_eq!(s.category("fit"), Some(d("10")));
}

// ---------------------------------------------------------------------------
// Time: decay, expiry, future activities
// ---------------------------------------------------------------------------

#[test]
fn half_life_decay_halves_points_every_half_life() {
    let visits = vec![
        activity(1, 0, json!({"type": "website_visit", "url": "/x"})),
        activity(2, 30, json!({"type": "website_visit", "url": "/x"})),
        activity(3, 60, json!({"type": "website_visit", "url": "/x"})),
        activity(4, 45, json!({"type": "website_visit", "url": "/x"})),
    ];
    let rule = json!({"id": "r", "points": 10, "decay": {"half_life_days": 30},
                      "activity": {"type": "website_visit"}});
    let m = model(json!({"rules": [rule]}));
    let s = score(&m, &contact(json!({})), None, &visits);
    let c = s.contribution("r").expect("fired");
    // 10 + 5 + 2.5 + 10 * 2^-1.5 (= 0.3536 after rounding the factor) = 21.036
    assert_eq!(c.points_before_decay, d("40"));
    assert_eq!(c.points_after_decay, d("21.036"));
    assert_eq!(s.total, d("21.036"));
}

#[test]
fn linear_decay_fades_to_zero_over_its_window() {
    let visits = vec![
        activity(1, 0, json!({"type": "meeting"})),
        activity(2, 45, json!({"type": "meeting"})),
        activity(3, 90, json!({"type": "meeting"})),
        activity(4, 200, json!({"type": "meeting"})),
    ];
    let rule = json!({"id": "r", "points": 10, "decay": {"linear_days": 90},
                      "activity": {"type": "meeting"}});
    let (occurrences, points) = activity_points(rule, &visits);
    assert_eq!(
        occurrences, 4,
        "faded occurrences still count as occurrences"
    );
    assert_eq!(points, d("15"));
}

#[test]
fn expired_and_future_activities_do_not_count() {
    let visits = vec![
        activity(1, 10, json!({"type": "referral"})),
        activity(2, 30, json!({"type": "referral"})),
        activity(3, 31, json!({"type": "referral"})),
        activity(4, -1, json!({"type": "referral"})),
    ];
    let rule = json!({"id": "r", "points": 5, "expire_after_days": 30,
                      "activity": {"type": "referral"}});
    let m = model(json!({"rules": [rule]}));
    let s = score(&m, &contact(json!({})), None, &visits);
    let c = s.contribution("r").expect("fired");
    assert_eq!((c.occurrences, c.expired), (2, 1));
    assert_eq!(c.points, d("10"));

    // Only expired occurrences: listed, worth nothing.
    let s = score(&m, &contact(json!({})), None, &visits[2..3]);
    let c = s.contribution("r").expect("listed");
    assert_eq!((c.occurrences, c.expired, c.points), (0, 1, Decimal::ZERO));
}

#[test]
fn rescoring_later_never_raises_a_decayed_score() {
    let visits: Vec<Activity> = (0..6)
        .map(|i| {
            activity(
                i as usize,
                i * 7,
                json!({"type": "website_visit", "url": "/demo"}),
            )
        })
        .collect();
    let m = model(
        json!({"rules": [{"id": "r", "points": 3, "decay": {"half_life_days": 14},
        "activity": {"type": "website_visit"}}]}),
    );
    let c = contact(json!({}));
    let lead = LeadInput {
        contact: &c,
        company: None,
        activities: visits.iter().collect(),
    };
    let mut last = None;
    for day in 0..120 {
        let as_of = ts(AS_OF) + chrono::Duration::days(day);
        let total = m.score(&lead, as_of).expect("score").total;
        if let Some(last) = last {
            assert!(total <= last, "day {day}: {total} > {last}");
        }
        last = Some(total);
    }
}

// ---------------------------------------------------------------------------
// Categories, total, grades, handoffs
// ---------------------------------------------------------------------------

fn grading_model() -> ScoringModel {
    model(json!({
        "categories": [
            {"id": "fit", "min": 0, "max": 40},
            {"id": "engagement", "max": 50},
            {"id": "product_x", "max": 10, "weight": 0.5}
        ],
        "total": {"combine": "sum", "max": 80},
        "rules": [
            {"id": "title", "points": 25, "when": {"field": "contact.job_title", "op": "contains", "value": "director"}},
            {"id": "size", "points": 25, "when": {"field": "company.employees", "op": "range", "min": 100}},
            {"id": "junk", "points": -60, "when": {"field": "contact.email", "op": "contains", "value": "test"}},
            {"id": "demo", "points": 20, "activity": {"type": "form_submission", "form": "demo-request"}},
            {"id": "x-page", "category": "product_x", "points": 7, "activity": {"type": "website_visit", "url": "/x*"}}
        ],
        "grades": [{"grade": "A", "min": 60}, {"grade": "B", "min": 40}, {"grade": "C", "min": 10}],
        "handoffs": [
            {"id": "to-sql", "from": ["mql"], "to": "sql", "min": 60},
            {"id": "to-mql", "from": ["lead"], "to": "mql", "min": 40},
            {"id": "fit-recycle", "from": ["mql"], "to": "lead", "below": 10, "category": "fit"}
        ]
    }))
}

#[test]
fn categories_are_capped_and_weighted_into_the_total() {
    let m = grading_model();
    let c = contact(json!({"job_title": "Sales Director", "lifecycle": {"stage": "lead"}}));
    let co = company(json!({"employees": 500}));
    let acts = vec![
        activity(
            1,
            1,
            json!({"type": "form_submission", "form": "demo-request"}),
        ),
        activity(2, 1, json!({"type": "website_visit", "url": "/x/overview"})),
        activity(3, 2, json!({"type": "website_visit", "url": "/x/pricing"})),
    ];
    let s = score(&m, &c, Some(&co), &acts);
    let fit = &s.categories[0];
    assert_eq!(
        (fit.id.as_str(), fit.raw, fit.score, fit.capped),
        ("fit", d("50"), d("40"), true)
    );
    assert_eq!(s.category("engagement"), Some(d("20")));
    assert_eq!(s.category("product_x"), Some(d("10")));
    // 40 + 20 + 10 * 0.5
    assert_eq!(s.total, d("65"));
    assert_eq!(s.grade.as_deref(), Some("A"));
    let rec = s.recommendation.as_ref().expect("a handoff");
    assert_eq!((rec.handoff.as_str(), rec.to.as_str()), ("to-mql", "mql"));
    assert_eq!(rec.threshold, d("40"));
}

#[test]
fn floors_hold_negative_categories_and_grades_can_be_absent() {
    let m = grading_model();
    let c = contact(json!({"email": "test@example.com", "lifecycle": {"stage": "mql"}}));
    let s = score(&m, &c, None, &[]);
    assert_eq!(s.category("fit"), Some(Decimal::ZERO));
    assert!(s.categories[0].capped);
    assert_eq!(s.total, Decimal::ZERO);
    assert_eq!(s.grade, None, "no catch-all band");
    let rec = s.recommendation.expect("recycled");
    assert_eq!(rec.handoff, "fit-recycle");
    assert!(rec.reason.contains("fell below"), "{}", rec.reason);
}

#[test]
fn the_total_is_capped_and_max_combination_takes_the_best_category() {
    let m = grading_model();
    let c = contact(json!({"job_title": "director", "lifecycle": {"stage": "customer"}}));
    let co = company(json!({"employees": 1000}));
    let acts: Vec<Activity> = (0..5)
        .map(|i| {
            activity(
                i,
                1,
                json!({"type": "form_submission", "form": "demo-request"}),
            )
        })
        .collect();
    let s = score(&m, &c, Some(&co), &acts);
    assert_eq!(s.total, d("80"), "40 + 50 capped at 80");
    assert_eq!(s.recommendation, None, "customers are in no handoff's from");

    let max = model(json!({"total": {"combine": "max"}, "rules": [
        {"id": "a", "points": 12, "when": {"field": "contact.job_title", "op": "exists"}},
        {"id": "b", "points": 30, "activity": {"type": "referral"}}]}));
    let s = score(
        &max,
        &c,
        None,
        &[activity(1, 1, json!({"type": "referral"}))],
    );
    assert_eq!(s.total, d("30"));
}

#[test]
fn a_catch_all_grade_takes_every_lower_total() {
    let m = model(
        json!({"rules": [{"id": "a", "points": 5, "when": {"field": "contact.name", "op": "exists"}}],
        "grades": [{"grade": "SQL", "min": 50}, {"grade": "MQL", "min": 5}, {"grade": "cold"}]}),
    );
    assert_eq!(
        score(&m, &contact(json!({})), None, &[]).grade.as_deref(),
        Some("MQL")
    );
    assert_eq!(m.grade_of(d("4.9999")), Some("cold"));
    assert_eq!(m.grade_of(d("50")), Some("SQL"));
}

// ---------------------------------------------------------------------------
// Explanations and changes
// ---------------------------------------------------------------------------

#[test]
fn changes_since_a_previous_score_name_rules_categories_and_grade() {
    let m = grading_model();
    let c = contact(json!({"job_title": "director", "lifecycle": {"stage": "lead"}}));
    let before = score(&m, &c, None, &[]);
    let acts = [activity(
        1,
        1,
        json!({"type": "form_submission", "form": "demo-request"}),
    )];
    let lead = LeadInput {
        contact: &c,
        company: None,
        activities: acts.iter().collect(),
    };
    let after = m
        .score_since(&lead, ts(AS_OF), Some(&before))
        .expect("score");
    let changes = after.changes.as_ref().expect("changes");
    assert_eq!(changes.total.previous, d("25"));
    assert_eq!(changes.total.current, d("45"));
    assert_eq!(changes.total.delta, d("20"));
    assert_eq!(changes.previous_grade.as_deref(), Some("C"));
    assert!(changes.grade_changed);
    assert_eq!(changes.rules.len(), 1);
    assert_eq!(
        (changes.rules[0].id.as_str(), changes.rules[0].delta),
        ("demo", d("20"))
    );
    assert_eq!(changes.categories.len(), 1);
    assert_eq!(changes.categories[0].id, "engagement");

    // A previous score of another contact is refused.
    let other = contact(json!({"id": "C-2"}));
    let other_score = score(&m, &other, None, &[]);
    let err = m
        .score_since(&lead, ts(AS_OF), Some(&other_score))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
}

#[test]
fn results_round_trip_through_json_and_are_deterministic() {
    let m = grading_model();
    let c = contact(json!({"job_title": "director"}));
    let acts = vec![activity(
        1,
        3,
        json!({"type": "website_visit", "url": "/x"}),
    )];
    let a = score(&m, &c, None, &acts);
    let b = score(&m, &c, None, &acts);
    assert_eq!(a, b);
    let text = serde_json::to_string(&a).expect("json");
    assert!(text.contains(r#""total":"28.5""#), "{text}");
    let back: LeadScore = serde_json::from_str(&text).expect("parse");
    assert_eq!(back, a);
}

#[test]
fn score_json_scores_a_lead_document_and_checks_it() -> Result<()> {
    let m = grading_model();
    let doc = json!({
        "contact": {"id": "C-1", "job_title": "director", "company": "CO-1",
                    "created_at": "2026-01-01T00:00:00Z"},
        "company": {"id": "CO-1", "name": "Acme", "employees": 120},
        "activities": [{"id": "A-1", "contact": "C-1", "at": "2026-05-30T00:00:00Z",
                        "kind": {"type": "form_submission", "form": "demo-request"}}]
    });
    let s = m.score_json(&doc.to_string(), ts(AS_OF))?;
    assert_eq!(s.total, d("60"));

    let mut with_previous = doc.clone();
    with_previous["previous"] = serde_json::to_value(&s).expect("json");
    let again = m.score_json(&with_previous.to_string(), ts(AS_OF))?;
    assert_eq!(again.changes.map(|c| c.total.delta), Some(Decimal::ZERO));

    let mut foreign = doc.clone();
    foreign["activities"][0]["contact"] = json!("C-9");
    let err = m.score_json(&foreign.to_string(), ts(AS_OF)).unwrap_err();
    assert_eq!(err.path(), Some("activities[0].contact"));

    let mut wrong_company = doc;
    wrong_company["company"]["id"] = json!("CO-2");
    let err = m
        .score_json(&wrong_company.to_string(), ts(AS_OF))
        .unwrap_err();
    assert_eq!(err.path(), Some("company.id"));

    // A hostile previous score gives an error, not a panic.
    let mut hostile = with_previous.clone();
    hostile["previous"]["total"] = json!("-79228162514264337593543950335");
    let err = m.score_json(&hostile.to_string(), ts(AS_OF)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Overflow);

    let err = m.score_json("{\"contact\": 3}", ts(AS_OF)).unwrap_err();
    assert_eq!((err.kind(), err.path()), (ErrorKind::Json, Some("contact")));
    Ok(())
}

// ---------------------------------------------------------------------------
// Company roll-up
// ---------------------------------------------------------------------------

fn rollup_dataset() -> Dataset {
    Dataset::from_json(&json!({
        "companies": [{"id": "CO-1", "name": "Acme"}, {"id": "CO-2", "name": "Empty"}],
        "contacts": [
            {"id": "C-1", "company": "CO-1", "job_title": "director", "created_at": "2026-01-01T00:00:00Z"},
            {"id": "C-2", "company": "CO-1", "job_title": "analyst", "created_at": "2026-01-01T00:00:00Z"},
            {"id": "C-3", "company": "CO-1", "job_title": "director of ops", "created_at": "2026-01-01T00:00:00Z"}
        ],
        "activities": [{"id": "A-1", "contact": "C-2", "at": "2026-05-01T00:00:00Z",
                        "kind": {"type": "referral"}}]
    }).to_string()).expect("dataset")
}

#[test]
fn company_scores_roll_up_by_sum_max_or_mean() {
    let ds = rollup_dataset();
    let rules = json!([
        {"id": "dir", "points": 10, "when": {"field": "contact.job_title", "op": "contains", "value": "director"}},
        {"id": "ref", "points": 1, "activity": {"type": "referral"}}
    ]);
    for (rollup, expected) in [("sum", "21"), ("max", "10"), ("mean", "7")] {
        let m = model(json!({"rules": rules, "account": {"rollup": rollup}}));
        let scores = m.score_dataset(&ds, ts(AS_OF)).expect("scores");
        let accounts = m.score_accounts(&ds, &scores).expect("accounts");
        assert_eq!(accounts[0].score, Some(d(expected)), "{rollup}");
        assert_eq!(accounts[0].contacts.len(), 3);
        assert_eq!(
            accounts[0].contacts[0].contact.as_str(),
            "C-1",
            "highest first, ties by id"
        );
        assert_eq!(accounts[1].score, None, "no contacts: undefined");
    }
    let m = model(json!({"rules": rules, "account": {"rollup": "mean"}}));
    assert_eq!(
        m.roll_up(&[d("1"), d("1"), d("0")]).expect("mean"),
        Some(d("0.6667"))
    );
}

// ---------------------------------------------------------------------------
// Protected attributes
// ---------------------------------------------------------------------------

#[test]
fn protected_attributes_are_refused_unless_the_model_opts_in() {
    for field in [
        "contact.age",
        "contact.gender",
        "contact.marital_status",
        "contact.ethnicity",
        "contact.attributes.gender",
    ] {
        let when = json!({"field": field, "op": "exists"});
        let err = load_error(json!({"rules": [attribute_rule("p", 1, when.clone())]}));
        assert_eq!(err.kind(), ErrorKind::ProtectedAttribute, "{field}");
        assert_eq!(err.path(), Some("rules[0].when.field"));
    }
    let m = model(json!({"allow_protected_attributes": true, "rules": [
        attribute_rule("age", 5, json!({"field": "contact.age", "op": "range", "min": 30})),
        attribute_rule("title", 1, json!({"field": "contact.job_title", "op": "exists"}))]}));
    assert_eq!(m.protected_attributes(), &[ProtectedAttribute::Age]);
    let young = contact(json!({"demographics": {"age": 25}}));
    let s = score(&m, &young, None, &[]);
    assert_eq!(s.total, Decimal::ZERO);
    assert_eq!(
        s.protected_attributes_used,
        vec![ProtectedAttribute::Age],
        "said even when it did not fire"
    );
    let plain = model(
        json!({"rules": [attribute_rule("title", 1, json!({"field": "contact.job_title", "op": "exists"}))]}),
    );
    assert!(
        score(&plain, &young, None, &[])
            .protected_attributes_used
            .is_empty()
    );
}

// ---------------------------------------------------------------------------
// Load errors
// ---------------------------------------------------------------------------

fn assert_load_error(json: serde_json::Value, kind: ErrorKind, path: &str, words: &str) {
    let err = load_error(json);
    assert_eq!(err.kind(), kind, "{err}");
    assert_eq!(err.path(), Some(path), "{err}");
    assert!(err.message().contains(words), "{err}");
    assert_eq!(err.message(), err.message().trim_end_matches('.'));
}

#[test]
fn load_errors_name_the_json_path_and_what_was_expected() {
    let when = |w: serde_json::Value| json!({"rules": [attribute_rule("r", 1, w)]});
    assert_load_error(
        json!({"rules": [{"id": "r", "points": 1, "whn": {}}]}),
        ErrorKind::Json,
        "rules[0].whn",
        "unknown field",
    );
    assert_load_error(
        when(json!({"field": "contact.job_title", "op": "equals", "value": "x", "colour": 1})),
        ErrorKind::Json,
        "rules[0].when.colour",
        "unknown field",
    );
    assert_load_error(
        when(json!({"field": "company.employees", "op": "equals", "value": "many"})),
        ErrorKind::Invalid,
        "rules[0].when.value",
        "expected a number",
    );
    assert_load_error(
        when(json!({"field": "company.employees", "op": "contains", "value": "1"})),
        ErrorKind::Invalid,
        "rules[0].when.op",
        "does not apply to number field",
    );
    assert_load_error(
        when(json!({"field": "contact.job_title", "op": "range", "min": "a"})),
        ErrorKind::Invalid,
        "rules[0].when.op",
        "does not apply to text field",
    );
    assert_load_error(
        when(json!({"field": "company.annual_revenue", "op": "range", "min": 5})),
        ErrorKind::Invalid,
        "rules[0].when.min",
        "expected money",
    );
    assert_load_error(
        when(json!({"field": "contact.shoe_size", "op": "exists"})),
        ErrorKind::Invalid,
        "rules[0].when.field",
        "unknown field",
    );
    assert_load_error(
        when(json!({"field": "company.employees", "op": "range", "min": 10, "max": 5})),
        ErrorKind::Invalid,
        "rules[0].when",
        "impossible range",
    );
    assert_load_error(
        when(json!({"field": "contact.job_title", "op": "equals", "kind": "number", "value": 1})),
        ErrorKind::Invalid,
        "rules[0].when.kind",
        "is text, not number",
    );
    assert_load_error(
        when(json!({"field": "contact.job_title", "op": "in", "values": ["a", 3]})),
        ErrorKind::Invalid,
        "rules[0].when.values[1]",
        "expected a string",
    );
    assert_load_error(
        when(json!({"field": "contact.job_title", "op": "equals"})),
        ErrorKind::Json,
        "rules[0].when",
        "needs \"value\"",
    );
    assert_load_error(
        json!({"rules": [attribute_rule("r", 1, json!({"field": "contact.name", "op": "exists"})),
                         attribute_rule("r", 2, json!({"field": "contact.name", "op": "exists"}))]}),
        ErrorKind::Invalid,
        "rules[1].id",
        "duplicate rule id",
    );
    assert_load_error(
        json!({"rules": [{"id": "r", "points": 1, "category": "nope", "activity": {"type": "referral"}}]}),
        ErrorKind::Invalid,
        "rules[0].category",
        "unknown category",
    );
    assert_load_error(
        json!({"rules": [{"id": "r", "points": "1.00001", "activity": {"type": "referral"}}]}),
        ErrorKind::Invalid,
        "rules[0].points",
        "decimal places",
    );
    assert_load_error(
        json!({"rules": [{"id": "r", "points": "x", "activity": {"type": "referral"}}]}),
        ErrorKind::Json,
        "rules[0].points",
        "not an exact decimal",
    );
    assert_load_error(
        json!({"rules": [{"id": "r", "points": 1, "activity": {"type": "teleport"}}]}),
        ErrorKind::Json,
        "rules[0].activity.type",
        "unknown variant",
    );
    assert_load_error(
        json!({"rules": [{"id": "r", "points": 1, "activity": {"type": "meeting",
            "duration_minutes": {"min": 60, "max": 30}}}]}),
        ErrorKind::Invalid,
        "rules[0].activity.duration_minutes",
        "impossible range",
    );
    assert_load_error(
        json!({"rules": [{"id": "r", "points": 1, "activity": {"type": "survey_answer",
            "scale": "csat", "score": {"min": 0}}}]}),
        ErrorKind::Invalid,
        "rules[0].activity.score",
        "between 1 and 5",
    );
    assert_load_error(
        json!({"rules": [{"id": "r", "points": 1, "decay": {"half_life_days": 30},
            "when": {"field": "contact.name", "op": "exists"}}]}),
        ErrorKind::Invalid,
        "rules[0]",
        "activity rules only",
    );
    assert_load_error(
        json!({"rules": [{"id": "r", "points": 1, "decay": {"half_life_days": 0},
            "activity": {"type": "referral"}}]}),
        ErrorKind::Invalid,
        "rules[0].decay",
        "from 1 to",
    );
    assert_load_error(
        json!({"rules": [{"id": "r", "points": 1}]}),
        ErrorKind::Invalid,
        "rules[0]",
        "exactly one of",
    );
    assert_load_error(
        json!({"rules": [{"id": "r", "points": 1, "max_points": -3, "activity": {"type": "referral"}}]}),
        ErrorKind::Invalid,
        "rules[0].max_points",
        "positive",
    );
    assert_load_error(
        json!({"categories": [{"id": "fit", "min": 5, "max": 1}], "rules": [{"id": "r", "points": 1, "activity": {"type": "referral"}}]}),
        ErrorKind::Invalid,
        "categories[0]",
        "impossible range",
    );
    assert_load_error(
        json!({"rules": [{"id": "r", "points": 1, "activity": {"type": "referral"}}],
               "grades": [{"grade": "B", "min": 10}, {"grade": "A", "min": 20}]}),
        ErrorKind::Invalid,
        "grades[1].min",
        "highest min down",
    );
    assert_load_error(
        json!({"rules": [{"id": "r", "points": 1, "activity": {"type": "referral"}}],
               "handoffs": [{"from": ["lead"], "to": "mql"}]}),
        ErrorKind::Invalid,
        "handoffs[0]",
        "exactly one of",
    );
    assert_load_error(
        json!({"rules": []}),
        ErrorKind::Invalid,
        "rules",
        "at least one rule",
    );
    let err = ScoringModel::from_json("{\"rules\": [").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Json);
}

// ---------------------------------------------------------------------------
// The sample model, the batch path and threads
// ---------------------------------------------------------------------------

fn sample() -> (Dataset, ScoringModel) {
    let dataset =
        Dataset::from_json(&std::fs::read_to_string(SAMPLE).expect("sample")).expect("dataset");
    let model = ScoringModel::from_json(&std::fs::read_to_string(SAMPLE_MODEL).expect("model"))
        .expect("the sample model loads");
    (dataset, model)
}

#[test]
fn the_batch_path_equals_the_explainable_path_on_the_sample() {
    let (dataset, model) = sample();
    let as_of = crmkit::sample::SAMPLE_AS_OF;
    let scores = model.score_dataset(&dataset, as_of).expect("scores");
    let leads: Vec<LeadInput<'_>> = (0..dataset.contacts().len())
        .filter_map(|i| LeadInput::from_dataset(&dataset, i))
        .collect();
    let prepared = model.prepare(&leads).expect("prepare");
    let k = model.categories().len();
    let mut out = vec![Default::default(); prepared.leads()];
    let mut categories = vec![0_i64; prepared.leads() * k];
    model
        .score_batch(&prepared.as_batch(), as_of, &mut out, Some(&mut categories))
        .expect("batch");
    let mut graded = 0;
    for (i, (score, row)) in scores.iter().zip(&out).enumerate() {
        assert_eq!(row.total(), score.total, "lead {i}");
        let grade = usize::try_from(row.grade)
            .ok()
            .map(|g| model.grades()[g].grade.as_str());
        assert_eq!(grade, score.grade.as_deref(), "lead {i}");
        for (c, category) in score.categories.iter().enumerate() {
            assert_eq!(
                Decimal::new(categories[i * k + c], 4),
                category.score,
                "lead {i} category {}",
                category.id
            );
        }
        let handoff = usize::try_from(row.handoff)
            .ok()
            .map(|h| model.handoffs()[h].id.as_str());
        assert_eq!(
            handoff,
            score.recommendation.as_ref().map(|r| r.handoff.as_str()),
            "lead {i}"
        );
        graded += usize::from(score.grade.as_deref() == Some("A"));
    }
    assert!(graded > 0, "the sample model grades some leads A");
    assert!(scores.iter().any(|s| s.recommendation.is_some()));
}

#[test]
fn batch_inputs_of_the_wrong_shape_are_refused() {
    let (dataset, model) = sample();
    let leads: Vec<LeadInput<'_>> = (0..3)
        .filter_map(|i| LeadInput::from_dataset(&dataset, i))
        .collect();
    let prepared = model.prepare(&leads).expect("prepare");
    let mut out = vec![Default::default(); 3];
    let as_of = crmkit::sample::SAMPLE_AS_OF;

    let mut batch = prepared.as_batch();
    batch.columns.pop();
    assert_eq!(
        model
            .score_batch(&batch, as_of, &mut out, None)
            .unwrap_err()
            .path(),
        Some("columns")
    );

    let batch = prepared.as_batch();
    let err = model
        .score_batch(&batch, as_of, &mut out[..2], None)
        .unwrap_err();
    assert_eq!(err.path(), Some("out"));

    let mut events = prepared.events().to_vec();
    events.push(crmkit::scoring::BatchEvent {
        lead: 0,
        rule: 0,
        at: 0,
    });
    let batch = crmkit::scoring::Batch {
        events: &events,
        ..prepared.as_batch()
    };
    let err = model
        .score_batch(&batch, as_of, &mut out, None)
        .unwrap_err();
    assert!(err.message().contains("sorted"), "{err}");

    let events = [crmkit::scoring::BatchEvent {
        lead: 0,
        rule: 999,
        at: 0,
    }];
    let batch = crmkit::scoring::Batch {
        events: &events,
        ..prepared.as_batch()
    };
    let err = model
        .score_batch(&batch, as_of, &mut out, None)
        .unwrap_err();
    assert_eq!(err.path(), Some("events[0].rule"));
}

#[test]
fn a_model_shared_by_threads_gives_identical_results() {
    let (dataset, model) = sample();
    let as_of = crmkit::sample::SAMPLE_AS_OF;
    let expected = model.score_dataset(&dataset, as_of).expect("scores");
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| model.score_dataset(&dataset, as_of).expect("scores")))
            .collect();
        for handle in handles {
            assert_eq!(handle.join().expect("thread"), expected);
        }
    });
}

#[test]
fn values_encode_by_column_kind_and_other_currencies_are_missing() {
    use crmkit::model::FieldValue;
    use crmkit::money::{Currency, Money};
    use crmkit::scoring::{ColumnKind, MISSING};
    let m = model(json!({"rules": [
        attribute_rule("rev", 1, json!({"field": "company.annual_revenue", "op": "range",
            "min": {"amount": "10", "currency": "EUR"}})),
        attribute_rule("title", 1, json!({"field": "contact.job_title", "op": "contains", "value": "vp"})),
        attribute_rule("title2", 1, json!({"field": "contact.job_title", "op": "equals", "value": "cto"})),
        attribute_rule("day", 1, json!({"field": "contact.attributes.renewal", "op": "exists", "kind": "date"})),
    ]}));
    let kinds: Vec<ColumnKind> = m.columns().iter().map(|c| c.kind).collect();
    let eur = Currency::new("EUR").expect("eur");
    let usd = Currency::new("USD").expect("usd");
    assert_eq!(
        kinds,
        vec![ColumnKind::Money(eur), ColumnKind::Text, ColumnKind::Date]
    );
    let money = |amount: &str, currency| Some(FieldValue::Money(Money::new(d(amount), currency)));
    assert_eq!(
        m.encode_value(0, money("12.5", eur)).expect("encode"),
        250_000
    );
    assert_eq!(
        m.encode_value(0, money("12.5", usd)).expect("encode"),
        MISSING
    );
    assert_eq!(m.encode_value(0, None).expect("encode"), MISSING);
    assert_eq!(m.encode_text(1, "VP, CTO office").expect("encode"), 0b01);
    assert_eq!(m.encode_text(1, "CTO").expect("encode"), 0b10);
    assert_eq!(
        m.encode_value(1, Some(FieldValue::Text("vp")))
            .expect("encode"),
        0b01
    );
    let date = "1970-01-11".parse().expect("date");
    assert_eq!(
        m.encode_value(2, Some(FieldValue::Date(date)))
            .expect("encode"),
        10
    );
    assert!(m.encode_text(0, "x").is_err(), "not a text column");
    assert!(m.encode_value(9, None).is_err(), "no such column");
    let info = serde_json::to_value(m.info()).expect("info");
    assert_eq!(
        info["columns"][0],
        json!({"field": "company.annual_revenue", "kind": "money", "currency": "EUR"})
    );
    assert_eq!(info["rules"], json!(["rev", "title", "title2", "day"]));
}

#[test]
fn too_many_text_tests_on_one_field_leave_the_batch_path_unsupported() {
    let rules: Vec<serde_json::Value> = (0..64)
        .map(|i| {
            attribute_rule(
                &format!("t{i}"),
                1,
                json!({"field": "contact.job_title",
            "op": "equals", "value": format!("title {i}")}),
            )
        })
        .collect();
    let m = model(json!({"rules": rules}));
    let c = contact(json!({"job_title": "Title 63"}));
    assert_eq!(
        score(&m, &c, None, &[]).total,
        d("1"),
        "the explained path still works"
    );
    let lead = LeadInput {
        contact: &c,
        company: None,
        activities: Vec::new(),
    };
    let prepared = m.prepare(&[lead]).expect("prepare");
    let mut out = vec![Default::default(); 1];
    let err = m
        .score_batch(&prepared.as_batch(), ts(AS_OF), &mut out, None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
}

#[test]
fn handoff_thresholds_are_inclusive_for_min_and_exclusive_for_below_in_both_paths() {
    let m = model(json!({
        "rules": [attribute_rule("ten", 10, json!({"field": "contact.name", "op": "exists"}))],
        "handoffs": [
            {"id": "up", "from": ["lead"], "to": "mql", "min": 10},
            {"id": "down", "from": ["mql"], "to": "lead", "below": 10},
            {"id": "down-fit", "from": ["sql"], "to": "mql", "below": "10.0001", "category": "fit"}
        ]
    }));
    let contacts: Vec<Contact> = ["lead", "mql", "sql"]
        .iter()
        .map(|stage| contact(json!({"lifecycle": {"stage": stage}})))
        .collect();
    let expected = [Some("up"), None, Some("down-fit")];
    let leads: Vec<LeadInput<'_>> = contacts
        .iter()
        .map(|c| LeadInput {
            contact: c,
            company: None,
            activities: Vec::new(),
        })
        .collect();
    let prepared = m.prepare(&leads).expect("prepare");
    let mut out = vec![Default::default(); 3];
    m.score_batch(&prepared.as_batch(), ts(AS_OF), &mut out, None)
        .expect("batch");
    for ((lead, want), row) in leads.iter().zip(expected).zip(&out) {
        let explained = m.score(lead, ts(AS_OF)).expect("score");
        assert_eq!(
            explained
                .recommendation
                .as_ref()
                .map(|r| r.handoff.as_str()),
            want
        );
        let batch: &crmkit::scoring::BatchScore = row;
        let batch = usize::try_from(batch.handoff)
            .ok()
            .map(|h| m.handoffs()[h].id.as_str());
        assert_eq!(batch, want);
    }
}
