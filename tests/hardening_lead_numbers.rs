//! Issue 20: the scoring lead documents follow the exactness rule of every
//! other JSON door. A money amount (or any number) written as a JSON number
//! that a 64-bit float cannot hold exactly is refused with its JSON path
//! and a hint to write a string, on both roads (`score_json` and
//! `score_json_to_string`, which `crm_score_lead_json` uses); written as a
//! string it is exact.

use crmkit::ErrorKind;
use crmkit::scoring::ScoringModel;

const MODEL: &str = r#"{"rules": [
    {"id": "rich", "points": 10,
     "when": {"field": "contact.attributes.budget", "op": "ge",
              "value": {"amount": "50000000000000", "currency": "USD"}}},
    {"id": "big", "points": 5,
     "when": {"field": "company.annual_revenue", "op": "ge",
              "value": {"amount": "50000000000000", "currency": "USD"}}}]}"#;

fn lead(budget: &str, revenue: &str) -> String {
    format!(
        r#"{{"contact": {{"id": "C-1", "company": "CO-1", "created_at": "2026-01-01T00:00:00Z",
             "attributes": {{"budget": {{"amount": {budget}, "currency": "USD"}}}}}},
            "company": {{"id": "CO-1", "name": "Acme",
             "annual_revenue": {{"amount": {revenue}, "currency": "USD"}}}}}}"#
    )
}

fn as_of() -> crmkit::model::Timestamp {
    "2026-02-01T00:00:00Z".parse().expect("time")
}

/// The three inexact amounts of the issue.
const INEXACT: [&str; 3] = [
    "12345678901234567.89",
    "9999999999999999.99",
    "1.0000000000000000000000000000000000000001",
];

#[test]
fn inexact_money_numbers_in_a_lead_are_refused_with_their_path() {
    let model = ScoringModel::from_json(MODEL).expect("model");
    for amount in INEXACT {
        for (doc, path) in [
            (lead(amount, "\"1\""), "contact.attributes.budget.amount"),
            (lead("\"1\"", amount), "company.annual_revenue.amount"),
        ] {
            for result in [
                model.score_json(&doc, as_of()).map(|s| s.total.to_string()),
                model.score_json_to_string(&doc, as_of()),
            ] {
                let err = result.expect_err(amount);
                assert_eq!(err.kind(), ErrorKind::Json, "{amount}: {err}");
                assert_eq!(err.path(), Some(path), "{amount}: {err}");
                assert!(err.to_string().contains("string"), "{err}");
            }
        }
    }
}

#[test]
fn money_in_a_lead_is_exact_as_a_string_or_a_short_number() {
    let model = ScoringModel::from_json(MODEL).expect("model");
    let doc = lead("\"9999999999999999.99\"", "\"12345678901234567.89\"");
    let score = model.score_json(&doc, as_of()).expect("scores");
    assert_eq!(score.total.to_string(), "15");
    assert_eq!(model.score_json_to_string(&doc, as_of()).expect("json"), {
        serde_json::to_string(&score).expect("json")
    });
    // Short numbers are exact as numbers too.
    let doc = lead("12.5", "10000000000000000");
    assert_eq!(
        model
            .score_json(&doc, as_of())
            .expect("scores")
            .total
            .to_string(),
        "5"
    );
    // 40 decimals do not fit a decimal: refused, never rounded.
    // The message says why (the amount), not only which forms are accepted.
    let doc = lead("\"1.0000000000000000000000000000000000000001\"", "\"1\"");
    let err = model.score_json(&doc, as_of()).expect_err("40 decimals");
    assert!(
        err.to_string().contains("not an exact decimal"),
        "the message should name the inexact amount: {err}"
    );
    assert!(
        !err.to_string().contains("expected an attribute value"),
        "{err}"
    );
}

#[test]
fn a_money_attribute_with_a_bad_currency_names_the_currency() {
    let model = ScoringModel::from_json(MODEL).expect("model");
    let doc = lead("\"1\"", "\"1\"").replacen("\"USD\"", "\"usd\"", 1);
    let err = model
        .score_json(&doc, as_of())
        .expect_err("lowercase currency");
    assert!(err.to_string().contains("usd"), "{err}");
    // An object that is not money keeps the list of accepted forms.
    let doc = lead("\"1\"", "\"1\"").replacen(
        "{\"amount\": \"1\", \"currency\": \"USD\"}",
        "{\"colour\": \"red\"}",
        1,
    );
    let err = model.score_json(&doc, as_of()).expect_err("not a value");
    assert!(
        err.to_string().contains("expected an attribute value"),
        "{err}"
    );
}
