//! Lead scoring benchmarks.
//!
//! `cargo bench --bench scoring -- --warm-up-time 1 --measurement-time 3`
//!
//! * `columnar`: 25 attribute rules over prepared columns (100,000 leads a
//!   pass), and in the same group the floor score_batch is held to: a
//!   column-major loop doing the same comparisons on the same columns (for
//!   each rule, one pass over its column adding into a score column), and a
//!   lead-major plain loop.
//! * `engagement`: 20 activities per lead matched to 10 engagement rules with
//!   decay and expiry (50,000 leads a pass).
//! * `rescore`: 1,000,000 contacts end to end from prepared columns and
//!   events (25 attribute rules, 20 activities each, 10 engagement rules)
//!   to totals, grades and category scores; and `prepare`, encoding and
//!   matching the sample company's leads.
//! * `ffi`: the flat C batch call against the native call on the same
//!   input, and one lead as JSON through the C ABI and natively.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crmkit::model::{Dataset, FieldValue};
use crmkit::money::{Currency, Money};
use crmkit::sample::{SAMPLE_AS_OF, SampleRng};
use crmkit::scoring::{
    Batch, BatchEvent, BatchScore, ColumnKind, LeadInput, MISSING, ScoringModel,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};

const TITLES: [&str; 8] = [
    "founder",
    "sales director",
    "marketing manager",
    "analyst",
    "it manager",
    "operations lead",
    "vp of sales",
    "intern",
];
const INDUSTRIES: [&str; 6] = [
    "software",
    "finance",
    "retail",
    "healthcare",
    "manufacturing",
    "education",
];
const COUNTRIES: [&str; 5] = ["US", "GB", "DE", "FR", "IN"];

/// 25 attribute rules over 9 fields of every kind.
fn attribute_rules() -> Vec<Value> {
    let usd = |a: &str| json!({"amount": a, "currency": "USD"});
    let whens = [
        json!({"field": "company.employees", "op": "range", "min": 1, "max": 49}),
        json!({"field": "company.employees", "op": "range", "min": 50, "max": 199}),
        json!({"field": "company.employees", "op": "range", "min": 200, "max": 999}),
        json!({"field": "company.employees", "op": "range", "min": 1000, "max": 4999}),
        json!({"field": "company.employees", "op": "range", "min": 5000}),
        json!({"field": "company.annual_revenue", "op": "range", "max": usd("999999.99")}),
        json!({"field": "company.annual_revenue", "op": "range", "min": usd("1000000"), "max": usd("49999999.99")}),
        json!({"field": "company.annual_revenue", "op": "range", "min": usd("50000000")}),
        json!({"field": "contact.job_title", "op": "in", "values": ["founder", "ceo"]}),
        json!({"field": "contact.job_title", "op": "contains", "value": "director"}),
        json!({"field": "contact.job_title", "op": "contains", "value": "manager"}),
        json!({"field": "contact.job_title", "op": "equals", "value": "analyst"}),
        json!({"field": "contact.job_title", "op": "equals", "value": "intern"}),
        json!({"field": "company.industry", "op": "in", "values": ["software", "finance"]}),
        json!({"field": "company.industry", "op": "equals", "value": "retail"}),
        json!({"field": "company.industry", "op": "equals", "value": "healthcare"}),
        json!({"field": "company.industry", "op": "in", "values": ["manufacturing", "education"]}),
        json!({"field": "contact.attributes.seats", "op": "range", "kind": "number", "min": 10}),
        json!({"field": "contact.attributes.seats", "op": "range", "kind": "number", "min": "100.5"}),
        json!({"field": "contact.attributes.seats", "op": "range", "kind": "number", "max": 2}),
        json!({"field": "contact.attributes.trial", "op": "equals", "value": true}),
        json!({"field": "contact.created_at", "op": "range", "min": "2026-06-01T00:00:00Z"}),
        json!({"field": "contact.created_at", "op": "range", "max": "2025-12-31T23:59:59Z"}),
        json!({"field": "contact.email", "op": "exists"}),
        json!({"field": "contact.country", "op": "in", "values": ["us", "gb", "de"]}),
    ];
    let points = [
        -5, 2, 6, 10, 8, -3, 5, 9, 15, 12, 7, -4, -10, 10, 3, 4, 2, 5, 6, -2, 4, 3, -3, 1, 5,
    ];
    whens
        .into_iter()
        .zip(points)
        .enumerate()
        .map(|(i, (when, p))| json!({"id": format!("fit{i}"), "points": p, "when": when}))
        .collect()
}

/// 10 engagement rules with decay, caps and expiry.
fn activity_rules() -> Vec<Value> {
    let matchers = [
        json!({"type": "website_visit", "url": "/pricing*"}),
        json!({"type": "website_visit", "url": "/demo*"}),
        json!({"type": "website_visit", "url": "/blog/*"}),
        json!({"type": "form_submission", "form": "demo-request"}),
        json!({"type": "content_download"}),
        json!({"type": "email", "event": "clicked"}),
        json!({"type": "email", "event": "replied"}),
        json!({"type": "email", "event": "unsubscribed"}),
        json!({"type": "meeting"}),
        json!({"type": "call", "outcome": "connected"}),
    ];
    let points = ["6", "8", "1.5", "20", "4", "2", "5", "-15", "10", "5"];
    matchers
        .into_iter()
        .zip(points)
        .enumerate()
        .map(|(i, (activity, p))| {
            let mut rule = json!({"id": format!("eng{i}"), "points": p, "activity": activity,
                                  "max_points": 40});
            rule["decay"] = if i % 3 == 2 {
                json!({"linear_days": 90})
            } else {
                json!({"half_life_days": 15 + 10 * i})
            };
            if i % 2 == 0 {
                rule["expire_after_days"] = json!(180);
            }
            rule
        })
        .collect()
}

fn model(rules: Vec<Value>) -> ScoringModel {
    let doc = json!({
        "categories": [{"id": "fit", "min": -20, "max": 60}, {"id": "engagement", "min": 0, "max": 80}],
        "total": {"combine": "sum", "min": 0, "max": 100},
        "rules": rules,
        "grades": [{"grade": "A", "min": 70}, {"grade": "B", "min": 45}, {"grade": "C", "min": 20}, {"grade": "D"}]
    });
    ScoringModel::from_json(&doc.to_string()).expect("benchmark model")
}

/// Encoded columns for `leads` random leads.
fn columns(model: &ScoringModel, leads: usize, seed: u64) -> Vec<Vec<i64>> {
    let mut rng = SampleRng::new(seed);
    let usd = Currency::new("USD").expect("usd");
    let mut columns: Vec<Vec<i64>> = vec![Vec::with_capacity(leads); model.columns().len()];
    // Text codes are computed once per distinct text, as a host would.
    let codes = |column: usize, pool: &[&str]| -> Vec<i64> {
        pool.iter()
            .map(|t| model.encode_text(column, t).expect("text column"))
            .collect()
    };
    let specs: Vec<(String, ColumnKind)> = model
        .columns()
        .iter()
        .map(|c| (c.field.to_string(), c.kind))
        .collect();
    let title_codes = specs
        .iter()
        .position(|(f, _)| f == "contact.job_title")
        .map(|c| codes(c, &TITLES));
    let industry_codes = specs
        .iter()
        .position(|(f, _)| f == "company.industry")
        .map(|c| codes(c, &INDUSTRIES));
    let country_codes = specs
        .iter()
        .position(|(f, _)| f == "contact.country")
        .map(|c| codes(c, &COUNTRIES));
    for _ in 0..leads {
        for (c, (field, _)) in specs.iter().enumerate() {
            let missing = rng.chance(0.05);
            let pick = |codes: &Option<Vec<i64>>, rng: &mut SampleRng| {
                let codes = codes.as_deref().unwrap_or(&[]);
                let i = rng.range(0, codes.len() as i64 - 1) as usize;
                codes.get(i).copied().unwrap_or(MISSING)
            };
            let value = match field.as_str() {
                _ if missing => MISSING,
                "contact.job_title" => pick(&title_codes, &mut rng),
                "company.industry" => pick(&industry_codes, &mut rng),
                "contact.country" => pick(&country_codes, &mut rng),
                "company.employees" => model
                    .encode_value(c, Some(FieldValue::Number(rng.range(1, 20_000).into())))
                    .expect("encode"),
                "company.annual_revenue" => {
                    let amount = Decimal::new(rng.range(0, 20_000_000_000), 2);
                    model
                        .encode_value(c, Some(FieldValue::Money(Money::new(amount, usd))))
                        .expect("encode")
                }
                "contact.attributes.seats" => model
                    .encode_value(
                        c,
                        Some(FieldValue::Number(Decimal::new(rng.range(0, 50_000), 2))),
                    )
                    .expect("encode"),
                "contact.attributes.trial" => i64::from(rng.chance(0.3)),
                "contact.created_at" => {
                    let at = SAMPLE_AS_OF - chrono::Duration::seconds(rng.range(0, 400 * 86_400));
                    model
                        .encode_value(c, Some(FieldValue::Timestamp(at)))
                        .expect("encode")
                }
                "contact.email" => 0,
                other => panic!("no generator for column {other}"),
            };
            columns[c].push(value);
        }
    }
    columns
}

/// `per_lead` events per lead over `rules` activity rules in the last year.
fn events(leads: usize, per_lead: usize, rules: u32, seed: u64) -> Vec<BatchEvent> {
    let mut rng = SampleRng::new(seed);
    let as_of = SAMPLE_AS_OF.timestamp();
    let mut events = Vec::with_capacity(leads * per_lead);
    for lead in 0..leads {
        for _ in 0..per_lead {
            events.push(BatchEvent {
                lead: lead as u32,
                rule: rng.range(0, i64::from(rules) - 1) as u32,
                at: as_of - rng.range(0, 365 * 86_400),
            });
        }
    }
    events
}

/// The baseline: a plain loop doing the same comparisons as the 25 rules
/// on the same encoded columns (no categories, caps or grades).
struct PlainRule {
    column: usize,
    low: i64,
    high: i64,
    mask: i64,
    points: i64,
}

fn plain_rules(model: &ScoringModel, columns: &[Vec<i64>]) -> Vec<PlainRule> {
    // Recover each rule's comparison from the model's own encoding: a text
    // rule tests one bit of its column; the others a [low, high] range.
    let mut text_bits = vec![0_u32; columns.len()];
    attribute_rules()
        .iter()
        .map(|rule| {
            let when = &rule["when"];
            let field = when["field"].as_str().expect("field");
            let column = model
                .columns()
                .iter()
                .position(|c| c.field.to_string() == field)
                .expect("column");
            let points = rule["points"].as_i64().expect("points") * 10_000;
            let kind = model.columns()[column].kind;
            if kind == ColumnKind::Text && when["op"] != "exists" {
                let bit = text_bits[column];
                text_bits[column] += 1;
                return PlainRule {
                    column,
                    low: 0,
                    high: 0,
                    mask: 1 << bit,
                    points,
                };
            }
            let encode = |v: &Value| -> i64 {
                match kind {
                    ColumnKind::Money(_) => crmkit::scoring::encode_decimal(
                        v["amount"]
                            .as_str()
                            .expect("amount")
                            .parse()
                            .expect("decimal"),
                    ),
                    ColumnKind::Timestamp => crmkit::scoring::encode_timestamp(
                        v.as_str().expect("instant").parse().expect("instant"),
                    ),
                    ColumnKind::Bool => i64::from(v.as_bool().expect("bool")),
                    _ => crmkit::scoring::encode_decimal(match v {
                        Value::String(s) => s.parse().expect("decimal"),
                        other => other.to_string().parse().expect("decimal"),
                    }),
                }
            };
            let (low, high) = match when["op"].as_str() {
                Some("exists") => (MISSING + 1, i64::MAX),
                Some("equals") => {
                    let v = encode(&when["value"]);
                    (v, v)
                }
                _ => (
                    when.get("min").map_or(MISSING + 1, &encode),
                    when.get("max").map_or(i64::MAX, &encode),
                ),
            };
            PlainRule {
                column,
                low,
                high,
                mask: 0,
                points,
            }
        })
        .collect()
}

/// The floor: the same comparisons column by column (for each rule, one
/// pass over its column adding points into a score column), which the
/// compiler vectorises.
fn column_major_loop(rules: &[PlainRule], columns: &[Vec<i64>], out: &mut [i64]) {
    out.fill(0);
    for rule in rules {
        let column = &columns[rule.column];
        let points = rule.points;
        if rule.mask != 0 {
            let mask = rule.mask;
            for (total, &v) in out.iter_mut().zip(column) {
                *total += if v & mask != 0 { points } else { 0 };
            }
        } else {
            let (low, high) = (rule.low, rule.high);
            for (total, &v) in out.iter_mut().zip(column) {
                *total += if v >= low && v <= high { points } else { 0 };
            }
        }
    }
}

fn plain_loop(rules: &[PlainRule], columns: &[Vec<i64>], out: &mut [i64]) {
    for (lead, total) in out.iter_mut().enumerate() {
        let mut sum = 0_i64;
        for rule in rules {
            let v = columns[rule.column][lead];
            let hit = if rule.mask != 0 {
                v & rule.mask != 0
            } else {
                v >= rule.low && v <= rule.high
            };
            sum += if hit { rule.points } else { 0 };
        }
        *total = sum;
    }
}

/// Times `a` and `b` alternately, `rounds` times each, and prints their
/// medians and ratio: on a noisy shared machine alternating keeps both
/// under the same load, which two criterion runs one after the other do
/// not.
fn interleaved(label: &str, rounds: usize, mut a: impl FnMut(), mut b: impl FnMut()) {
    let mut times_a = Vec::with_capacity(rounds);
    let mut times_b = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = std::time::Instant::now();
        a();
        times_a.push(start.elapsed());
        let start = std::time::Instant::now();
        b();
        times_b.push(start.elapsed());
    }
    times_a.sort();
    times_b.sort();
    let (ma, mb) = (times_a[rounds / 2], times_b[rounds / 2]);
    println!(
        "interleaved {label}: median {ma:?} vs {mb:?}, ratio {:.3}",
        mb.as_secs_f64() / ma.as_secs_f64()
    );
}

fn columnar(c: &mut Criterion) {
    const LEADS: usize = 100_000;
    let model = model(attribute_rules());
    let columns = columns(&model, LEADS, 7);
    let batch = Batch {
        leads: LEADS,
        columns: columns.iter().map(Vec::as_slice).collect(),
        events: &[],
        stages: None,
    };
    let rules = plain_rules(&model, &columns);
    let mut out = vec![BatchScore::default(); LEADS];
    let mut plain = vec![0_i64; LEADS];

    // The baseline computes the raw sum of the same comparisons.
    model
        .score_batch(&batch, SAMPLE_AS_OF, &mut out, None)
        .expect("batch");
    plain_loop(&rules, &columns, &mut plain);
    let mut categories = vec![0_i64; LEADS * model.categories().len()];
    let no_caps = ScoringModel::from_json(&json!({"rules": attribute_rules()}).to_string())
        .expect("uncapped model");
    no_caps
        .score_batch(&batch, SAMPLE_AS_OF, &mut out, Some(&mut categories))
        .expect("batch");
    let mut floor = vec![0_i64; LEADS];
    column_major_loop(&rules, &columns, &mut floor);
    for (lead, &sum) in plain.iter().enumerate() {
        assert_eq!(
            out[lead].total_units, sum,
            "the baseline does the same comparisons"
        );
        assert_eq!(floor[lead], sum, "the floor does the same comparisons");
    }

    interleaved(
        "columnar score_batch vs column-major floor (100k leads)",
        31,
        || {
            model
                .score_batch(black_box(&batch), SAMPLE_AS_OF, &mut out, None)
                .expect("batch")
        },
        || column_major_loop(black_box(&rules), black_box(&columns), &mut floor),
    );
    interleaved(
        "columnar score_batch vs lead-major plain loop (100k leads)",
        31,
        || {
            model
                .score_batch(black_box(&batch), SAMPLE_AS_OF, &mut out, None)
                .expect("batch")
        },
        || plain_loop(black_box(&rules), black_box(&columns), &mut plain),
    );

    let mut group = c.benchmark_group("columnar");
    group.throughput(Throughput::Elements(LEADS as u64));
    group.bench_function("25 attribute rules, score_batch", |b| {
        b.iter(|| {
            model
                .score_batch(black_box(&batch), SAMPLE_AS_OF, &mut out, None)
                .expect("batch")
        })
    });
    group.bench_function("floor: column-major loop, same 25 comparisons", |b| {
        b.iter(|| column_major_loop(black_box(&rules), black_box(&columns), &mut floor))
    });
    group.bench_function("lead-major plain loop, same 25 comparisons", |b| {
        b.iter(|| plain_loop(black_box(&rules), black_box(&columns), &mut plain))
    });
    group.finish();
}

fn engagement(c: &mut Criterion) {
    const LEADS: usize = 50_000;
    let model = model(activity_rules());
    let events = events(LEADS, 20, 10, 11);
    let batch = Batch {
        leads: LEADS,
        columns: Vec::new(),
        events: &events,
        stages: None,
    };
    let mut out = vec![BatchScore::default(); LEADS];
    let mut group = c.benchmark_group("engagement");
    group.throughput(Throughput::Elements(LEADS as u64));
    group.bench_function("20 activities x 10 rules with decay", |b| {
        b.iter(|| {
            model
                .score_batch(black_box(&batch), SAMPLE_AS_OF, &mut out, None)
                .expect("batch")
        })
    });
    group.finish();
}

fn rescore(c: &mut Criterion) {
    const LEADS: usize = 1_000_000;
    let mut rules = attribute_rules();
    rules.extend(activity_rules());
    let model = model(rules);
    let columns = columns(&model, LEADS, 13);
    let events = events(LEADS, 20, 10, 17);
    let batch = Batch {
        leads: LEADS,
        columns: columns.iter().map(Vec::as_slice).collect(),
        events: &events,
        stages: None,
    };
    let mut out = vec![BatchScore::default(); LEADS];
    let mut categories = vec![0_i64; LEADS * model.categories().len()];
    let mut group = c.benchmark_group("rescore");
    group.sample_size(10);
    group.throughput(Throughput::Elements(LEADS as u64));
    group.bench_function(
        "1M contacts, 25 fit + 10 engagement rules, 20 activities each",
        |b| {
            b.iter(|| {
                model
                    .score_batch(
                        black_box(&batch),
                        SAMPLE_AS_OF,
                        &mut out,
                        Some(&mut categories),
                    )
                    .expect("batch")
            })
        },
    );

    // Preparing (encoding and matching) the sample company's 300 leads.
    let dataset = Dataset::from_json(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/data/sample_company.json"
        ))
        .expect("sample"),
    )
    .expect("dataset");
    let sample_model = ScoringModel::from_json(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/data/scoring_model.json"
        ))
        .expect("model"),
    )
    .expect("sample model");
    let leads: Vec<LeadInput<'_>> = (0..dataset.contacts().len())
        .filter_map(|i| LeadInput::from_dataset(&dataset, i))
        .collect();
    group.throughput(Throughput::Elements(leads.len() as u64));
    group.bench_function("prepare the sample's leads (encode + match)", |b| {
        b.iter(|| sample_model.prepare(black_box(&leads)).expect("prepare"))
    });
    group.bench_function("explain every sample lead (score_dataset)", |b| {
        b.iter(|| {
            sample_model
                .score_dataset(black_box(&dataset), SAMPLE_AS_OF)
                .expect("scores")
        })
    });
    group.finish();
}

#[cfg(feature = "ffi")]
fn ffi(c: &mut Criterion) {
    use crmkit::ffi::scoring::{
        crm_lead_score, crm_score_batch, crm_score_event, crm_scoring_model,
        crm_scoring_model_free, crm_scoring_model_from_json,
    };
    use std::ffi::CString;

    const LEADS: usize = 100_000;
    let mut rules = attribute_rules();
    rules.extend(activity_rules());
    let native = model(rules.clone());
    let model_json = CString::new(
        json!({
            "categories": [{"id": "fit", "min": -20, "max": 60}, {"id": "engagement", "min": 0, "max": 80}],
            "total": {"combine": "sum", "min": 0, "max": 100},
            "rules": rules,
            "grades": [{"grade": "A", "min": 70}, {"grade": "B", "min": 45}, {"grade": "C", "min": 20}, {"grade": "D"}]
        })
        .to_string(),
    )
    .expect("no NUL");
    let mut handle: *mut crm_scoring_model = std::ptr::null_mut();
    // SAFETY: valid C string and out pointer.
    let status = unsafe { crm_scoring_model_from_json(model_json.as_ptr(), &mut handle) };
    assert_eq!(status.code(), 0);

    let columns = columns(&native, LEADS, 19);
    let events = events(LEADS, 5, 10, 23);
    let c_events: Vec<crm_score_event> = events
        .iter()
        .map(|e| crm_score_event {
            lead: e.lead,
            rule: e.rule,
            at_unix: e.at,
        })
        .collect();
    let column_ptrs: Vec<*const i64> = columns.iter().map(|c| c.as_ptr()).collect();
    let batch = Batch {
        leads: LEADS,
        columns: columns.iter().map(Vec::as_slice).collect(),
        events: &events,
        stages: None,
    };
    let mut out = vec![BatchScore::default(); LEADS];
    let mut c_out = vec![
        crm_lead_score {
            total_units: 0,
            grade: 0,
            handoff: -1
        };
        LEADS
    ];
    let as_of = SAMPLE_AS_OF.timestamp();

    // Both paths agree before they are timed.
    native
        .score_batch(&batch, SAMPLE_AS_OF, &mut out, None)
        .expect("native");
    // SAFETY: every array has the documented length.
    let status = unsafe {
        crm_score_batch(
            handle,
            column_ptrs.as_ptr(),
            column_ptrs.len(),
            LEADS,
            c_events.as_ptr(),
            c_events.len(),
            std::ptr::null(),
            as_of,
            c_out.as_mut_ptr(),
            std::ptr::null_mut(),
            0,
        )
    };
    assert_eq!(status.code(), 0);
    assert!(
        out.iter()
            .zip(&c_out)
            .all(|(a, b)| a.total_units == b.total_units && a.grade == b.grade)
    );

    interleaved(
        "ffi native score_batch vs C crm_score_batch (100k leads)",
        31,
        || {
            native
                .score_batch(black_box(&batch), SAMPLE_AS_OF, &mut out, None)
                .expect("batch")
        },
        || {
            // SAFETY: as above.
            let status = unsafe {
                crm_score_batch(
                    handle,
                    black_box(column_ptrs.as_ptr()),
                    column_ptrs.len(),
                    LEADS,
                    c_events.as_ptr(),
                    c_events.len(),
                    std::ptr::null(),
                    as_of,
                    c_out.as_mut_ptr(),
                    std::ptr::null_mut(),
                    0,
                )
            };
            assert_eq!(status.code(), 0);
        },
    );

    let mut group = c.benchmark_group("ffi");
    group.throughput(Throughput::Elements(LEADS as u64));
    group.bench_function("native score_batch, 35 rules, 5 activities each", |b| {
        b.iter(|| {
            native
                .score_batch(black_box(&batch), SAMPLE_AS_OF, &mut out, None)
                .expect("batch")
        })
    });
    group.bench_function("C crm_score_batch, same input", |b| {
        b.iter(|| {
            // SAFETY: as above.
            unsafe {
                crm_score_batch(
                    handle,
                    black_box(column_ptrs.as_ptr()),
                    column_ptrs.len(),
                    LEADS,
                    c_events.as_ptr(),
                    c_events.len(),
                    std::ptr::null(),
                    as_of,
                    c_out.as_mut_ptr(),
                    std::ptr::null_mut(),
                    0,
                )
            }
        })
    });

    // One lead as JSON: a sample contact with its company and activities.
    let dataset = Dataset::from_json(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/data/sample_company.json"
        ))
        .expect("sample"),
    )
    .expect("dataset");
    let sample_model_json = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/scoring_model.json"
    ))
    .expect("model");
    let sample_model = ScoringModel::from_json(&sample_model_json).expect("sample model");
    let mut sample_handle: *mut crm_scoring_model = std::ptr::null_mut();
    let sample_c = CString::new(sample_model_json).expect("no NUL");
    // SAFETY: valid C string and out pointer.
    assert_eq!(
        unsafe { crm_scoring_model_from_json(sample_c.as_ptr(), &mut sample_handle) }.code(),
        0
    );
    group.throughput(Throughput::Elements(1));
    // A small lead (3 activities) and one the size of the sample's median
    // lead (15 activities).
    for wanted in [3, 15] {
        let position = (0..dataset.contacts().len())
            .find(|&i| {
                dataset.activities_at(i).count() == wanted
                    && dataset.company_of(&dataset.contacts()[i]).is_some()
            })
            .expect("a contact with that many activities");
        let contact = &dataset.contacts()[position];
        let activities: Vec<_> = dataset.activities_at(position).collect();
        let lead_json = json!({"contact": contact, "company": dataset.company_of(contact),
                               "activities": activities})
        .to_string();
        let lead_c = CString::new(lead_json.clone()).expect("no NUL");
        group.bench_function(
            format!("native score_json + to_string, lead with {wanted} activities"),
            |b| {
                b.iter(|| {
                    let score = sample_model
                        .score_json(black_box(&lead_json), SAMPLE_AS_OF)
                        .expect("score");
                    serde_json::to_string(&score).expect("json")
                })
            },
        );
        group.bench_function(
            format!("native score_json_to_string, lead with {wanted} activities"),
            |b| {
                b.iter(|| {
                    sample_model
                        .score_json_to_string(black_box(&lead_json), SAMPLE_AS_OF)
                        .expect("score")
                })
            },
        );
        group.bench_function(
            format!("C crm_score_lead_json, lead with {wanted} activities"),
            |b| {
                // SAFETY: a valid handle and string, both outliving the bench.
                b.iter(|| unsafe { score_lead_c(sample_handle, black_box(lead_c.as_ptr()), as_of) })
            },
        );
        // A host scoring from two threads (the machine's cores) at once:
        // the time per lead of the pair, so its inverse is the throughput.
        group.bench_function(
            format!("C crm_score_lead_json from 2 threads, lead with {wanted} activities"),
            |b| {
                // Raw pointers are not Send; the model is Sync and the text
                // is only read, so their addresses travel to the threads.
                let (model_at, lead_at) = (sample_handle as usize, lead_c.as_ptr() as usize);
                b.iter_custom(|iters| {
                    let start = std::time::Instant::now();
                    std::thread::scope(|scope| {
                        for share in [iters / 2, iters - iters / 2] {
                            scope.spawn(move || {
                                for _ in 0..share {
                                    // SAFETY: the handle and the text
                                    // outlive the scope.
                                    unsafe {
                                        score_lead_c(
                                            model_at as *const crm_scoring_model,
                                            black_box(lead_at as *const std::ffi::c_char),
                                            as_of,
                                        )
                                    }
                                }
                            });
                        }
                    });
                    start.elapsed()
                })
            },
        );
    }
    group.finish();
    // SAFETY: handles from crm_scoring_model_from_json, freed once.
    unsafe {
        crm_scoring_model_free(handle);
        crm_scoring_model_free(sample_handle);
    }
}

/// One `crm_score_lead_json` call, its result checked and freed.
///
/// # Safety
/// `model` is a live handle and `lead` a NUL-terminated string.
#[cfg(feature = "ffi")]
unsafe fn score_lead_c(
    model: *const crmkit::ffi::scoring::crm_scoring_model,
    lead: *const std::ffi::c_char,
    as_of: i64,
) {
    let mut out_json = std::ptr::null_mut();
    // SAFETY: as the caller promises; the out pointer is valid and the
    // result is freed once.
    unsafe {
        let status = crmkit::ffi::scoring::crm_score_lead_json(model, lead, as_of, &mut out_json);
        assert_eq!(status.code(), 0);
        crmkit::ffi::crm_string_free(out_json);
    }
}

#[cfg(feature = "ffi")]
criterion_group!(benches, columnar, engagement, rescore, ffi);
#[cfg(not(feature = "ffi"))]
criterion_group!(benches, columnar, engagement, rescore);
criterion_main!(benches);
