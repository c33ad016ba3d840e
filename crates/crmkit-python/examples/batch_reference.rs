//! The Rust side of `bench/bench.py`: the same 1,000,000 synthetic leads
//! scored by `ScoringModel::score_batch` directly, and one lead scored from
//! JSON text by `score_json_into` (the work behind the C call
//! `crm_score_lead_json`). Medians; run with `--release`. With `--json`
//! it prints one JSON line of medians (milliseconds, microseconds) for
//! `bench/bench.py`, which runs it between its own rounds.

use std::time::Instant;

use crmkit::scoring::{Batch, BatchEvent, BatchScore, ScoringModel, encode_decimal};
use rust_decimal::Decimal;

const N: usize = 1_000_000;

const MODEL: &str = r#"{
  "categories": [{"id": "engagement", "max": 40}],
  "rules": [
    {"id": "title", "points": 20, "when": {"field": "contact.job_title", "op": "contains", "value": "director"}},
    {"id": "size", "points": "7.5", "when": {"field": "company.employees", "op": "range", "min": 100}},
    {"id": "pricing", "points": 10, "max_points": 30, "decay": {"half_life_days": 30},
     "activity": {"type": "website_visit", "url": "/pricing*"}},
    {"id": "bounce", "points": -15, "activity": {"type": "email", "event": "bounced"}}],
  "grades": [{"grade": "A", "min": 40}, {"grade": "B", "min": 20}, {"grade": "C"}],
  "handoffs": [{"from": ["lead"], "to": "mql", "min": 30}]
}"#;

const LEAD: &str = r#"{"contact": {"id": "C-1", "job_title": "Sales Director", "company": "CO-1", "created_at": "2026-01-01T00:00:00Z"}, "company": {"id": "CO-1", "name": "Acme", "employees": 500}, "activities": [{"id": "A-1", "contact": "C-1", "at": "2026-02-01T00:00:00Z", "kind": {"type": "website_visit", "url": "/pricing"}}]}"#;

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times.get(times.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() -> Result<(), crmkit::Error> {
    let model = ScoringModel::from_json(MODEL)?;
    let as_of = chrono::DateTime::from_timestamp(1_772_496_000, 0)
        .ok_or_else(|| crmkit::Error::invalid("as_of", "out of range"))?;
    let titles: Vec<i64> = (0..N as i64).map(|i| i % 2).collect();
    let employees: Vec<i64> = (0..N as i64)
        .map(|i| encode_decimal(Decimal::from(i % 1000)))
        .collect();
    let leads: Vec<u32> = (0..N as u32).collect();
    let rules: Vec<u32> = (0..N as u32).map(|i| i % 2).collect();
    let ats: Vec<i64> = (0..N as i64)
        .map(|i| 1_769_904_000 + (i % 30) * 86_400)
        .collect();
    let mut times = Vec::new();
    let mut alone = Vec::new();
    for _ in 0..7 {
        // As the Python binding does: events built from three arrays,
        // results split into three arrays.
        let start = Instant::now();
        let events: Vec<BatchEvent> = leads
            .iter()
            .zip(&rules)
            .zip(&ats)
            .map(|((&lead, &rule), &at)| BatchEvent { lead, rule, at })
            .collect();
        let batch = Batch {
            leads: N,
            columns: vec![&titles, &employees],
            events: &events,
            stages: None,
        };
        let mut out = vec![BatchScore::default(); N];
        let scoring = Instant::now();
        model.score_batch(&batch, as_of, &mut out, None)?;
        alone.push(scoring.elapsed().as_secs_f64());
        std::hint::black_box(&out);
        times.push(start.elapsed().as_secs_f64());
    }
    let alone = median(alone) * 1e3;
    let with_events = median(times) * 1e3;

    let loops = 20_000;
    let mut times = Vec::new();
    let mut out = String::new();
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..loops {
            out.clear();
            model.score_json_into(LEAD, as_of, &mut out)?;
            std::hint::black_box(&out);
        }
        times.push(start.elapsed().as_secs_f64() / f64::from(loops));
    }
    let per_lead = median(times) * 1e6;
    if std::env::args().any(|arg| arg == "--json") {
        println!(
            r#"{{"score_batch_ms": {alone:.3}, "score_batch_with_events_ms": {with_events:.3}, "score_json_us": {per_lead:.3}}}"#
        );
    } else {
        println!("Rust score_batch alone, {N} leads: {alone:.1} ms (median of 7)");
        println!(
            "Rust score_batch with the events built from three arrays: {with_events:.1} ms (median of 7)"
        );
        println!("Rust score_json_into (the C call's work), per lead: {per_lead:.2} us");
    }
    Ok(())
}
