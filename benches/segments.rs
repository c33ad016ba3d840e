//! Segment speed (issue 16): the cohort table over 10,000,000 purchases
//! (target ≤ 1 s) and RFM segments for 1,000,000 customers (target
//! ≤ 0.5 s), each with a baseline that does the least work on the same
//! arrays (one pass summing the amounts; one sort of one column), so the
//! ratio can be read on a noisy machine.
//!
//! Run with `cargo bench --bench segments -- --warm-up-time 1 --measurement-time 3`.
//! With `CRMKIT_BENCH_DUMP=<dir>` the generated arrays are also written to
//! `<dir>` (raw little-endian columns) for the peer scripts of
//! `benches/peers/` to time the same work on the same data.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use crmkit::calendar::Granularity;
use crmkit::money::Currency;
use crmkit::segments::{CohortArrayOptions, cohort_from_arrays, rfm_segments_from_arrays};

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// `n` purchases of 1,000,000 customers over three years (2024-2026), in
/// time order, amounts 1.00 to 500.00 in cents.
fn purchases(n: usize) -> (Vec<u32>, Vec<i64>, Vec<i64>) {
    let mut rng = Rng(16);
    let start = 1_704_067_200i64; // 2024-01-01
    let span = 3 * 365 * 86_400;
    let mut times: Vec<i64> = (0..n)
        .map(|_| start + (rng.next() % span as u64) as i64)
        .collect();
    times.sort_unstable();
    let customers = (0..n).map(|_| (rng.next() % 1_000_000) as u32).collect();
    let amounts = (0..n).map(|_| 100 + (rng.next() % 49_901) as i64).collect();
    (customers, times, amounts)
}

/// Writes `values` as raw little-endian bytes to `$CRMKIT_BENCH_DUMP/name`.
fn dump<T: Copy>(name: &str, values: &[T], bytes: impl Fn(T) -> Vec<u8>) {
    if let Ok(dir) = std::env::var("CRMKIT_BENCH_DUMP") {
        let data: Vec<u8> = values.iter().flat_map(|&v| bytes(v)).collect();
        std::fs::write(std::path::Path::new(&dir).join(name), data).expect("dump written");
    }
}

fn cohorts(c: &mut Criterion) {
    let (customers, times, amounts) = purchases(10_000_000);
    dump("cohort_customers.u32", &customers, |v| {
        v.to_le_bytes().to_vec()
    });
    dump("cohort_times.i64", &times, |v| v.to_le_bytes().to_vec());
    dump("cohort_amounts.i64", &amounts, |v| v.to_le_bytes().to_vec());
    let options = CohortArrayOptions {
        granularity: Granularity::Month,
        fiscal_year_start_month: 1,
        currency: Currency::new("USD").expect("usd"),
        scale: 2,
        as_of: chrono::DateTime::from_timestamp(1_798_761_600, 0).expect("2027-01-01"),
    };
    let mut group = c.benchmark_group("cohorts_10m_purchases");
    group.sample_size(10);
    group.bench_function("monthly_table", |b| {
        b.iter(|| {
            let report = cohort_from_arrays(&customers, &times, &amounts, &options).expect("table");
            black_box(report.customers)
        })
    });
    group.bench_function("baseline_sum_amounts", |b| {
        b.iter(|| {
            let total: i128 = customers
                .iter()
                .zip(&times)
                .zip(&amounts)
                .map(|((&c, &t), &a)| i128::from(a) + i128::from(c & 1) + i128::from(t & 1))
                .sum();
            black_box(total)
        })
    });
    group.finish();
}

fn rfm(c: &mut Criterion) {
    let mut rng = Rng(5);
    let n = 1_000_000;
    let recency: Vec<f64> = (0..n).map(|_| (rng.next() % 1_000) as f64).collect();
    let frequency: Vec<f64> = (0..n).map(|_| (1 + rng.next() % 30) as f64).collect();
    let monetary: Vec<f64> = (0..n)
        .map(|_| (rng.next() % 1_000_000) as f64 / 100.0)
        .collect();
    dump("rfm_recency.f64", &recency, |v| v.to_le_bytes().to_vec());
    dump("rfm_frequency.f64", &frequency, |v| {
        v.to_le_bytes().to_vec()
    });
    dump("rfm_monetary.f64", &monetary, |v| v.to_le_bytes().to_vec());
    let mut group = c.benchmark_group("rfm_1m_customers");
    group.sample_size(10);
    group.bench_function("segments", |b| {
        b.iter(|| {
            let table = rfm_segments_from_arrays(&recency, &frequency, &monetary).expect("table");
            black_box(table.segments.len())
        })
    });
    group.bench_function("baseline_sort_one_column", |b| {
        b.iter(|| {
            let mut column = monetary.clone();
            column.sort_unstable_by(f64::total_cmp);
            black_box(column.len())
        })
    });
    group.finish();
}

criterion_group!(benches, cohorts, rfm);
criterion_main!(benches);
