//! Predictive-model benchmarks: BG/NBD + Gamma-Gamma fits on 2,500 and
//! 1,000,000 customers, an RFM summary of 10,000,000 purchases, logistic
//! training on 1,000,000 leads × 20 features and batch prediction.
//!
//! Run: `cargo bench --bench predict -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use crmkit::model::Timestamp;
use crmkit::predict::sim::{Rng, simulate_customers, simulate_leads};
use crmkit::predict::{
    BgNbd, BgNbdOptions, GammaGamma, GammaGammaOptions, LogisticOptions, LogisticRegression, Rfm,
    RfmOptions, TimeUnit, rfm_from_arrays,
};

fn customers(n: usize, seed: u64) -> Vec<Rfm> {
    let mut rng = Rng::new(seed);
    simulate_customers(
        &mut rng,
        n,
        [0.24, 4.41, 0.79, 2.43],
        [6.25, 3.74, 15.44],
        30.0,
        365.0,
        true,
    )
    .into_iter()
    .map(|c| Rfm {
        frequency: c.x,
        recency: c.t_x,
        age: c.t,
        monetary: c.spend,
    })
    .collect()
}

fn fit_both(data: &[Rfm]) {
    let bg = BgNbd::fit(data, &BgNbdOptions::default()).expect("BG/NBD fits");
    let gg = GammaGamma::fit(data, &GammaGammaOptions::default()).expect("GG fits");
    black_box((bg, gg));
}

fn clv_fits(c: &mut Criterion) {
    let small = customers(2_500, 1);
    c.bench_function("bgnbd+gamma_gamma fit 2,500 customers", |b| {
        b.iter(|| fit_both(black_box(&small)))
    });
    let large = customers(1_000_000, 2);
    let mut group = c.benchmark_group("large");
    group.sample_size(10);
    group.bench_function("bgnbd+gamma_gamma fit 1,000,000 customers", |b| {
        b.iter(|| fit_both(black_box(&large)))
    });
    group.finish();
}

/// BG/NBD alone on CDNOW-sized samples (issue 21's figures: 2,357 and
/// 235,700 customers, ages up to 39 weeks in days).
fn bgnbd_fits(c: &mut Criterion) {
    let mut group = c.benchmark_group("bgnbd");
    for n in [2_357usize, 235_700] {
        let data = customers(n, 5);
        group.sample_size(if n > 10_000 { 10 } else { 50 });
        group.bench_function(format!("bgnbd fit {n} customers"), |b| {
            b.iter(|| BgNbd::fit(black_box(&data), &BgNbdOptions::default()).expect("fits"))
        });
    }
    group.finish();
}

fn rfm(c: &mut Criterion) {
    // 10M purchases by 1M customers over two years, in time order.
    let n = 10_000_000usize;
    let mut rng = Rng::new(3);
    let start = 1_700_000_000_i64;
    let mut customers = Vec::with_capacity(n);
    let mut times = Vec::with_capacity(n);
    let mut amounts = Vec::with_capacity(n);
    for i in 0..n {
        customers.push((rng.next_u64() % 1_000_000) as u32);
        times.push(start + (i as i64) * 6);
        amounts.push(10.0 + (rng.next_u64() % 10_000) as f64 / 100.0);
    }
    let options = RfmOptions {
        unit: TimeUnit::Days,
        calibration_end: Timestamp::from_timestamp(start + 45_000_000, 0).expect("valid"),
        observation_end: Some(Timestamp::from_timestamp(start + 60_000_000, 0).expect("valid")),
    };
    let mut group = c.benchmark_group("rfm");
    group.sample_size(10);
    group.bench_function("rfm summary of 10,000,000 purchases", |b| {
        b.iter(|| {
            rfm_from_arrays(black_box(&customers), &times, &amounts, &options).expect("valid")
        })
    });
    group.finish();
}

fn propensity(c: &mut Criterion) {
    let coefficients: Vec<f64> = (0..20).map(|j| (j as f64 - 10.0) / 10.0).collect();
    let mut rng = Rng::new(4);
    let (x, y) = simulate_leads(&mut rng, 1_000_000, -0.5, &coefficients);
    let mut group = c.benchmark_group("propensity");
    group.sample_size(10);
    group.bench_function("logistic training 1,000,000 leads x 20 features", |b| {
        b.iter(|| {
            LogisticRegression::fit(black_box(&x), 20, &y, &LogisticOptions::default())
                .expect("fits")
        })
    });
    let model = LogisticRegression::fit(&x, 20, &y, &LogisticOptions::default()).expect("fits");
    let mut out = vec![0.0; y.len()];
    group.bench_function("logistic prediction 1,000,000 leads x 20 features", |b| {
        b.iter(|| {
            model
                .predict_into(black_box(&x), &mut out)
                .expect("same shape")
        })
    });
    group.finish();
}

criterion_group!(benches, clv_fits, bgnbd_fits, rfm, propensity);
criterion_main!(benches);
