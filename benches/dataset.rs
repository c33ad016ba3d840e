//! Loading and validating datasets.
//!
//! `cargo bench --bench dataset -- --warm-up-time 1 --measurement-time 3`
//!
//! Besides the sample company, a retail purchase log (issue 21, "Loading
//! data"): 35,000 contacts and 100,000 purchases by default, times
//! `CRMKIT_LOAD_BENCH_SCALE` (100 gives the 3.5 million contacts
//! and 10 million purchases; run that size once with
//! `examples/load_scale.rs`, which also reports memory). Targets at full
//! size: `Dataset::new` ≤ 2 s, `Dataset::from_json` ≥ 150 MB/s, memory ≤
//! 1.5x a dataframe of the same rows (`benches/dataframe_reference.py`).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crmkit::model::{Dataset, PurchaseColumns};
use crmkit::money::Currency;
use crmkit::sample::{SampleConfig, generate_parts};

#[path = "support/purchase_log.rs"]
mod purchase_log;

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("dataset");
    group.sample_size(10);

    let sample = generate_parts(&SampleConfig::default()).expect("sample");
    let json = serde_json::to_string(&sample).expect("json");
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("from_json sample company (300 contacts)", |b| {
        b.iter(|| Dataset::from_json(black_box(&json)).expect("valid"))
    });

    let config = SampleConfig {
        contacts: 20_000,
        companies: 4_000,
        ..SampleConfig::default()
    };
    let parts = generate_parts(&config).expect("large sample");
    group.throughput(Throughput::Elements(parts.activities.len() as u64));
    group.bench_function("validate and index 20k contacts", |b| {
        b.iter(|| Dataset::new(black_box(parts.clone())).expect("valid"))
    });
    group.finish();
}

fn purchase_log(c: &mut Criterion) {
    let scale: usize = std::env::var("CRMKIT_LOAD_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let (contacts, purchases) = (35_000 * scale, 100_000 * scale);
    let columns = purchase_log::columns(contacts, purchases, 7);
    let parts = purchase_log::records(&columns, contacts);
    let json = serde_json::to_string(&parts).expect("json");
    let mut group = c.benchmark_group(format!("purchase log {contacts} x {purchases}"));
    group.sample_size(10);
    group.throughput(Throughput::Elements(purchases as u64));
    group.bench_function("build records", |b| {
        b.iter(|| purchase_log::records(black_box(&columns), contacts))
    });
    // The clone is measured too; "clone only" gives its share.
    group.bench_function("clone only", |b| b.iter(|| black_box(&parts).clone()));
    group.bench_function("clone + Dataset::new", |b| {
        b.iter(|| Dataset::new(black_box(&parts).clone()).expect("valid"))
    });
    let mut contacts_only = parts.clone();
    contacts_only.activities = Vec::new();
    let gbp = [Currency::new("GBP").expect("GBP")];
    group.bench_function("clone contacts + Dataset::with_purchases", |b| {
        b.iter(|| {
            let purchases = PurchaseColumns {
                contacts: &columns.customers,
                at_unix: &columns.at_unix,
                amounts_minor: &columns.pence,
                scale: 2,
                currencies: &gbp,
                id_prefix: "P",
            };
            Dataset::with_purchases(black_box(&contacts_only).clone(), &purchases).expect("valid")
        })
    });
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("Dataset::from_json", |b| {
        b.iter(|| Dataset::from_json(black_box(&json)).expect("valid"))
    });
    group.finish();
}

/// The sample generator at two sizes, four times apart: linear work gives
/// a ratio near 4 (before each contact stopped scanning every deal it was
/// near 16, and 200,000 contacts took minutes).
fn sample_generation(c: &mut Criterion) {
    let mut group = c.benchmark_group("sample generation");
    group.sample_size(10);
    for contacts in [10_000, 40_000] {
        let config = SampleConfig {
            contacts,
            companies: contacts / 5,
            ..SampleConfig::default()
        };
        group.throughput(Throughput::Elements(contacts as u64));
        group.bench_function(format!("generate_parts {contacts} contacts"), |b| {
            b.iter(|| generate_parts(black_box(&config)).expect("sample"))
        });
    }
    group.finish();
}

criterion_group!(benches, load, purchase_log, sample_generation);
criterion_main!(benches);
