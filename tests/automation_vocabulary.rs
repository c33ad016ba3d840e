//! One operator vocabulary for scoring models and automation rules (issue
//! 18): the rules engine's names (`eq`, `between`, `ge`, `le`) work in
//! scoring models, and the scoring names (`equals`, `range`) in rules, with
//! the same results.

use crmkit::automation::{EnrollmentState, Event, EventType, RuleSet};
use crmkit::model::{Company, Contact, Dataset, Timestamp};
use crmkit::scoring::{LeadInput, ScoringModel};
use serde_json::{Value, json};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/sample_company.json"
);

fn as_of() -> Timestamp {
    "2026-06-01T00:00:00Z".parse().expect("timestamp")
}

fn contact(extra: Value) -> Contact {
    let mut value = json!({"id": "C-1", "name": "Ada", "created_at": "2026-01-01T00:00:00Z"});
    if let (Some(map), Some(extra)) = (value.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            map.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(value).expect("contact")
}

fn company() -> Company {
    serde_json::from_value(json!({"id": "CO-1", "name": "Acme", "industry": "Software",
        "employees": 250}))
    .expect("company")
}

/// The score total and the explanation of a one-rule model.
fn score(when: Value, contact: &Contact) -> (String, Vec<String>) {
    let model = ScoringModel::from_json(
        &json!({"rules": [{"id": "r", "points": 7, "when": when}]}).to_string(),
    )
    .unwrap_or_else(|e| panic!("model with {when}: {e}"));
    let company = company();
    let lead = LeadInput {
        contact,
        company: Some(&company),
        activities: Vec::new(),
    };
    let s = model.score(&lead, as_of()).expect("score");
    let json = serde_json::to_value(&s).expect("json");
    let reasons = json["contributions"]
        .as_array()
        .map(|a| a.iter().map(|c| c.to_string()).collect())
        .unwrap_or_default();
    (s.total.to_string(), reasons)
}

#[test]
fn scoring_accepts_the_rules_engine_operator_names() {
    let pairs = [
        (
            json!({"field": "company.industry", "op": "equals", "value": "software"}),
            json!({"field": "company.industry", "op": "eq", "value": "software"}),
        ),
        (
            json!({"field": "company.employees", "op": "range", "min": 100, "max": 500}),
            json!({"field": "company.employees", "op": "between", "value": [100, 500]}),
        ),
        (
            json!({"field": "company.employees", "op": "range", "min": 100, "max": 500}),
            json!({"field": "company.employees", "op": "between", "min": 100, "max": 500}),
        ),
        (
            json!({"field": "company.employees", "op": "range", "min": 250}),
            json!({"field": "company.employees", "op": "ge", "value": 250}),
        ),
        (
            json!({"field": "company.employees", "op": "range", "max": 249}),
            json!({"field": "company.employees", "op": "le", "value": 249}),
        ),
    ];
    let c = contact(json!({}));
    let mut fired = 0;
    for (scoring_name, rules_name) in pairs {
        let a = score(scoring_name.clone(), &c);
        let b = score(rules_name.clone(), &c);
        assert_eq!(a, b, "{scoring_name} and {rules_name} differ");
        if a.0 != "0" {
            fired += 1;
        }
    }
    // Both outcomes are exercised (employees 250: in range, >= 250 holds,
    // <= 249 does not).
    assert_eq!(fired, 4);
}

#[test]
fn scoring_refuses_a_malformed_between() {
    for when in [
        json!({"field": "company.employees", "op": "between", "value": 5}),
        json!({"field": "company.employees", "op": "between", "value": [1, 2, 3]}),
    ] {
        let err = ScoringModel::from_json(
            &json!({"rules": [{"id": "r", "points": 1, "when": when}]}).to_string(),
        )
        .expect_err("refused");
        assert!(err.to_string().contains("value"), "{err}");
    }
    let err = ScoringModel::from_json(
        &json!({"rules": [{"id": "r", "points": 1,
            "when": {"field": "company.employees", "op": "ge"}}]})
        .to_string(),
    )
    .expect_err("ge needs a value");
    assert!(err.to_string().contains("value"), "{err}");
}

fn route(condition: Value) -> Vec<String> {
    let json = std::fs::read_to_string(SAMPLE).expect("sample");
    let snapshot = Dataset::from_json(&json).expect("sample loads");
    let rules = RuleSet::from_json(
        &json!({"hit_policy": "all", "rules": [{"id": "r", "trigger": {"type": "deal_created"},
            "enrollment": "every_time", "when": condition,
            "then": [{"type": "add_tag", "tag": "hit"}]}]})
        .to_string(),
    )
    .unwrap_or_else(|e| panic!("rules: {e}"));
    let mut out = Vec::new();
    for (i, deal) in snapshot.deals().iter().enumerate() {
        let mut e = Event::new(format!("E-{i}"), EventType::DealCreated, as_of());
        e.deal = Some(deal.id.clone());
        let eval = rules
            .evaluate(&e, &snapshot, &EnrollmentState::default(), as_of())
            .expect("evaluates");
        for a in eval.actions {
            out.push(format!("{} {}", a.entity, a.reason));
        }
    }
    out
}

#[test]
fn rules_accept_the_scoring_operator_names() {
    let usd = |a: &str| json!({"amount": a, "currency": "USD"});
    let pairs = [
        (
            json!({"field": "deal.stage", "op": "eq", "value": "proposal"}),
            json!({"field": "deal.stage", "op": "equals", "value": "proposal"}),
        ),
        (
            json!({"field": "deal.value", "op": "between", "value": [usd("1000"), usd("20000")]}),
            json!({"field": "deal.value", "op": "range", "value": [usd("1000"), usd("20000")]}),
        ),
    ];
    let mut hits = 0;
    for (rules_name, scoring_name) in pairs {
        let a = route(rules_name.clone());
        let b = route(scoring_name.clone());
        assert_eq!(a, b, "{rules_name} and {scoring_name} differ");
        hits += a.len();
    }
    assert!(hits > 0, "the conditions match some sample deals");
}
