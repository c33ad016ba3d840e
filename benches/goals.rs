//! SMART goal validation and tracking.
//!
//! `cargo bench --bench goals -- --warm-up-time 1 --measurement-time 3`
//!
//! The target is at least 1,000,000 validations per second per core on
//! pre-parsed goals (`validate 1000 parsed goals`: elements/s). The JSON-in
//! path (parse + validate + localize) and tracking are measured alongside.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crmkit::goals::{Goal, Locale, Observation, Validator, track, validate_json};
use rust_decimal::Decimal;

const GOALS: [&str; 5] = [
    r#"{"name": "prevent churn"}"#,
    r#"{"objective": "increase_retention", "kpi": "churn_rate", "target": "-25%",
        "deadline": "end of next quarter",
        "plan": {"action": "use our new CRM to improve communication between sales and support",
                 "resources": ["our new CRM"]},
        "reason": "repeat customers spend more and cost less"}"#,
    r#"{"objective": "shorten_sales_cycle", "kpi": "sales_cycle_length",
        "baseline": {"value": 120, "date": "2024-06-30"}, "target": 60, "deadline": "end of this year",
        "plan": {"action": "assign follow-up tasks automatically", "resources": ["sales automation"]},
        "owner": "head of sales", "reason": "leads stall"}"#,
    r#"{"objective": "reduce_acquisition_cost", "kpi": "customer_acquisition_cost", "currency": "USD",
        "baseline": {"value": "115"}, "target": "80", "deadline": "2024-12-31",
        "plan": {"action": "automate marketing and focus on qualified leads", "resources": ["lead scoring"]}}"#,
    r#"{"objective": "increase_retention", "kpi": "churn_rate", "direction": "decrease", "target": 5,
        "deadline": "end of next quarter",
        "plan": {"action": "reward repeat purchases with discount codes", "resources": ["CRM"]},
        "history": [{"date": "2023-09-30", "value": "10"}, {"date": "2023-12-31", "value": "9.6"},
                    {"date": "2024-03-31", "value": "9.3"}, {"date": "2024-06-30", "value": "9.0"}]}"#,
];

fn goals(c: &mut Criterion) {
    let as_of = NaiveDate::from_ymd_opt(2024, 7, 1).expect("date");
    let parsed: Vec<Goal> = GOALS
        .iter()
        .cycle()
        .take(1000)
        .map(|json| Goal::from_json(json).expect("valid goal"))
        .collect();
    let validator = Validator::new();

    let mut group = c.benchmark_group("goals");
    group.throughput(Throughput::Elements(parsed.len() as u64));
    group.bench_function("validate 1000 parsed goals", |b| {
        b.iter(|| {
            for goal in &parsed {
                black_box(validator.validate(black_box(goal), as_of));
            }
        })
    });
    // The same without the goal with a KPI history (4 of 5 goals).
    let without_history: Vec<Goal> = parsed
        .iter()
        .filter(|g| g.history.is_empty())
        .cloned()
        .collect();
    group.throughput(Throughput::Elements(without_history.len() as u64));
    group.bench_function("validate 800 parsed goals without history", |b| {
        b.iter(|| {
            for goal in &without_history {
                black_box(validator.validate(black_box(goal), as_of));
            }
        })
    });

    let reports: Vec<_> = parsed
        .iter()
        .map(|g| validator.validate(g, as_of))
        .collect();
    group.throughput(Throughput::Elements(reports.len() as u64));
    group.bench_function("localize 1000 reports (de)", |b| {
        b.iter(|| {
            for report in &reports {
                black_box(report.localize(Locale::De));
            }
        })
    });

    let jsons: Vec<&str> = GOALS.iter().copied().cycle().take(1000).collect();
    group.throughput(Throughput::Elements(jsons.len() as u64));
    group.bench_function("parse 1000 goal JSONs", |b| {
        b.iter(|| {
            for json in &jsons {
                black_box(Goal::from_json(black_box(json)).expect("valid"));
            }
        })
    });
    group.bench_function("parse + validate 1000 goal JSONs", |b| {
        b.iter(|| {
            for json in &jsons {
                let goal = Goal::from_json(black_box(json)).expect("valid");
                black_box(validator.validate(&goal, as_of));
            }
        })
    });
    group.bench_function("validate_json 1000 (parse, validate, localize en)", |b| {
        b.iter(|| {
            for json in &jsons {
                black_box(validate_json(black_box(json), as_of, "en").expect("valid"));
            }
        })
    });

    let tracked = Goal::from_json(
        r#"{"kpi": "churn_rate", "baseline": {"value": 8, "date": "2024-07-01"},
            "target": 6, "deadline": "2024-12-31"}"#,
    )
    .expect("valid");
    let points: Vec<Observation> = (0..52u32)
        .map(|week| {
            let date = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date")
                + chrono::Days::new(u64::from(week) * 7);
            Observation::new(date, Decimal::new(90 - i64::from(week % 7), 1))
        })
        .collect();
    group.throughput(Throughput::Elements(1));
    group.bench_function("track with 52 weekly measurements", |b| {
        b.iter(|| black_box(track(black_box(&tracked), black_box(&points), as_of)))
    });
    group.finish();
}

criterion_group!(benches, goals);
criterion_main!(benches);
