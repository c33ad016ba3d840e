//! Issue 20's original size attacks, as ignored tests to time and measure
//! one at a time in a release build (they assert only that each call ends
//! in a result or a clean error; the figures are in the hardening note):
//!
//! ```text
//! cargo test --release --test hardening_reproducers --no-run
//! /usr/bin/time -v target/release/deps/hardening_reproducers-* --ignored --exact cascade_14_layers
//! ```
//!
//! Each prints its own wall time; `/usr/bin/time -v` gives the peak RSS.

use std::time::Instant;

use crmkit::automation::{EnrollmentState, Event, EventType, RuleSet, analyze};
use crmkit::model::{Dataset, Timestamp};
use crmkit::predict::{LogisticOptions, LogisticRegression, PropensityModel, PropensitySpec};
use serde_json::json;

fn as_of() -> Timestamp {
    "2026-05-01T09:00:00Z".parse().expect("timestamp")
}

/// The issue's cascade: `layers` layers of two `every_time` rules under
/// `hit_policy: all`, each moving the deal to the next layer's stage.
fn cascade(layers: usize, max_actions: Option<u64>) -> RuleSet {
    let mut rules = Vec::new();
    for l in 0..layers {
        let trigger = if l == 0 {
            json!({"type": "deal_created"})
        } else {
            json!({"type": "deal_stage_changed", "to": format!("s{l}")})
        };
        for r in 0..2 {
            rules.push(json!({"id": format!("l{l}-r{r}"), "trigger": trigger,
                "enrollment": "every_time",
                "then": [{"type": "move_deal_stage", "stage": format!("s{}", l + 1)}]}));
        }
    }
    let mut doc = json!({"hit_policy": "all", "max_cascade_depth": layers.min(16), "rules": rules});
    if let Some(max) = max_actions {
        doc["max_actions_per_event"] = json!(max);
    }
    RuleSet::from_json(&doc.to_string()).expect("cascade rule set compiles")
}

fn run_cascade(layers: usize, max_actions: Option<u64>) {
    let json = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/sample_company.json"
    ))
    .expect("sample");
    let snapshot = Dataset::from_json(&json).expect("sample loads");
    let rules = cascade(layers, max_actions);
    let mut event = Event::new("E-1", EventType::DealCreated, as_of());
    event.deal = Some(snapshot.deals()[0].id.clone());
    let start = Instant::now();
    let out = rules.evaluate(&event, &snapshot, &EnrollmentState::default(), as_of());
    println!(
        "cascade {layers} layers, budget {max_actions:?}: {:?} in {:.3} s",
        out.as_ref().map(|o| o.actions.len()).map_err(|e| e
            .to_string()
            .chars()
            .take(120)
            .collect::<String>()),
        start.elapsed().as_secs_f64()
    );
}

#[test]
#[ignore = "reproducer"]
fn cascade_12_layers() {
    run_cascade(12, None);
}

#[test]
#[ignore = "reproducer"]
fn cascade_13_layers() {
    run_cascade(13, None);
}

#[test]
#[ignore = "reproducer"]
fn cascade_14_layers() {
    run_cascade(14, None);
}

/// 14 layers with the action budget raised to its maximum: all 32,766
/// actions are produced (the overlay is linear).
#[test]
#[ignore = "reproducer"]
fn cascade_14_layers_budget_raised() {
    run_cascade(14, Some(1_000_000));
}

fn wide_logistic(rows: usize, k: usize) {
    let mut x = vec![0.0; rows * k];
    for (i, v) in x.iter_mut().enumerate() {
        *v = ((i * 7919) % 13) as f64 / 13.0 - 0.5;
    }
    let y: Vec<bool> = (0..rows).map(|r| r % 2 == 0).collect();
    let start = Instant::now();
    let model = LogisticRegression::fit(&x, k, &y, &LogisticOptions::default());
    println!(
        "logistic {rows} rows x {k} features: {} in {:.3} s",
        model
            .map(|m| format!("converged {}", m.convergence.converged))
            .unwrap_or_else(|e| e.to_string()),
        start.elapsed().as_secs_f64()
    );
}

#[test]
#[ignore = "reproducer"]
fn logistic_4_rows_4000_features() {
    wide_logistic(4, 4_000);
}

#[test]
#[ignore = "reproducer"]
fn logistic_4_rows_20000_features() {
    wide_logistic(4, 20_000);
}

/// `crm_propensity_train` with a logistic model on a category of 20,000
/// distinct values.
#[test]
#[ignore = "reproducer"]
fn propensity_20000_categories() {
    let mut contacts = Vec::new();
    let mut deals = Vec::new();
    for i in 0..20_000 {
        contacts.push(format!(
            r#"{{"id":"C{i}","name":"N","created_at":"2024-01-01T00:00:00Z","attributes":{{"industry":"industry-{i}"}}}}"#
        ));
        let (stage, status) = if i % 3 == 0 {
            ("won", "won")
        } else {
            ("lost", "lost")
        };
        deals.push(format!(
            r#"{{"id":"D{i}","contact":"C{i}","pipeline":"p","stage":"{stage}","status":"{status}","value":{{"amount":"100","currency":"USD"}},"created_at":"2024-01-02T00:00:00Z","closed_at":"2024-02-01T00:00:00Z"}}"#
        ));
    }
    let json = format!(
        r#"{{"reporting_currency":"USD","pipelines":[{{"id":"p","name":"P","stages":[
        {{"id":"open","name":"Open","probability":20}},
        {{"id":"won","name":"Won","probability":100,"kind":"won"}},
        {{"id":"lost","name":"Lost","probability":0,"kind":"lost"}}]}}],
        "contacts":[{}],"deals":[{}]}}"#,
        contacts.join(","),
        deals.join(",")
    );
    let dataset = Dataset::from_json(&json).expect("valid dataset");
    let spec = PropensitySpec::from_json(
        r#"{"model":"logistic","features":[{"type":"category","field":"contact.attributes.industry"}]}"#,
    )
    .expect("spec");
    let start = Instant::now();
    let model = PropensityModel::train(
        &dataset,
        &spec,
        "2024-06-01T00:00:00Z".parse().expect("time"),
    );
    println!(
        "propensity, 20,000 categories: {} in {:.3} s",
        if model.is_ok() {
            "trained".to_string()
        } else {
            format!("{:?}", model.err())
        },
        start.elapsed().as_secs_f64()
    );
}

/// The issue's 4,000 threshold rules (an 880 KB rule set).
#[test]
#[ignore = "reproducer"]
fn analysis_4000_rules() {
    let rules: Vec<_> = (0..4_000)
        .map(|i| {
            json!({"id": format!("t{i}"), "trigger": {"type": "deal_created"},
                "when": {"field": "deal.value", "op": "gt",
                         "value": {"amount": format!("{}", 10 * (i + 1)), "currency": "USD"}},
                "then": [{"type": "add_tag", "tag": format!("over-{i}")}]})
        })
        .collect();
    let doc = json!({"rules": rules}).to_string();
    let set = RuleSet::from_json(&doc).expect("compiles");
    let start = Instant::now();
    let report = analyze(&set);
    let size = serde_json::to_string(&report).expect("json").len();
    println!(
        "analysis of 4,000 rules ({} KB): partial {}, {} findings, report {size} bytes in {:.3} s",
        doc.len() / 1000,
        report.partial,
        report.findings.len(),
        start.elapsed().as_secs_f64()
    );
}
