//! Loading and validating datasets.
//!
//! `cargo bench --bench dataset`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crmkit::model::Dataset;
use crmkit::sample::{SampleConfig, generate_parts};

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

criterion_group!(benches, load);
criterion_main!(benches);
