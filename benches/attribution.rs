//! Attribution over 1,000,000 converting paths of mean length 4 across 20
//! channels (issue 16 targets: rule-based ≤ 0.5 s, Markov ≤ 2 s on one
//! core), plus the `shapley_rate` game (exact at 15 channels, sampled at
//! 20) on the same paths.
//!
//! Run: `cargo bench --bench attribution -- --warm-up-time 1 --measurement-time 3`.
//! `CRMKIT_BENCH_PATHS` changes the number of paths. With
//! `CRMKIT_BENCH_DUMP=<dir>` the generated paths are also written to `<dir>`
//! (raw little-endian columns: per touch its path index `u32` and channel
//! index `u8`, per path its value in cents `i64`) for the peer scripts of
//! `benches/peers/`.

use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use crmkit::attribution::{AttributionRequest, CustomerPath, Model, Touch, attribution_report};
use crmkit::money::Currency;
use crmkit::sample::SampleRng;
use rust_decimal::Decimal;

/// `paths` converting journeys of 1–7 touches (mean 4) over `channels`
/// channels, the channel mix skewed (channel k drawn with weight 1/(k+1)),
/// each converting once for 1.00–500.00.
fn journeys(paths: usize, channels: u32) -> Vec<CustomerPath> {
    let mut rng = SampleRng::new(16);
    let names: Vec<String> = (0..channels).map(|c| format!("channel-{c:02}")).collect();
    let weights: Vec<f64> = (0..channels).map(|c| 1.0 / f64::from(c + 1)).collect();
    let total: f64 = weights.iter().sum();
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("date");
    (0..paths)
        .map(|_| {
            let len = rng.range(1, 7) as usize;
            let mut at = start + Duration::hours(rng.range(0, 24 * 200));
            let touches = (0..len)
                .map(|_| {
                    let mut x = rng.next_f64() * total;
                    let mut c = 0;
                    while c + 1 < weights.len() && x >= weights[c] {
                        x -= weights[c];
                        c += 1;
                    }
                    at += Duration::hours(rng.range(1, 72));
                    Touch {
                        channel: names[c].clone(),
                        campaign: Some(format!("cmp-{}", c % 7)),
                        at,
                        direct: c == 0,
                    }
                })
                .collect();
            CustomerPath {
                touches,
                conversions: 1,
                value: Decimal::new(rng.range(100, 50_000), 2),
                converted_at: None,
            }
        })
        .collect()
}

/// Writes the paths for the peer scripts when `CRMKIT_BENCH_DUMP` is set.
fn dump(journeys: &[CustomerPath]) {
    let Ok(dir) = std::env::var("CRMKIT_BENCH_DUMP") else {
        return;
    };
    let dir = std::path::Path::new(&dir);
    let (mut path, mut channel, mut value) = (Vec::new(), Vec::new(), Vec::new());
    for (i, j) in journeys.iter().enumerate() {
        for t in &j.touches {
            path.extend_from_slice(&(i as u32).to_le_bytes());
            let index: u8 = t
                .channel
                .trim_start_matches("channel-")
                .parse()
                .expect("channel-NN");
            channel.push(index);
        }
        let cents = i64::try_from(j.value.mantissa()).expect("cents");
        value.extend_from_slice(&cents.to_le_bytes());
    }
    std::fs::write(dir.join("attribution_touch_path.u32"), path).expect("dump");
    std::fs::write(dir.join("attribution_touch_channel.u8"), channel).expect("dump");
    std::fs::write(dir.join("attribution_path_value.i64"), value).expect("dump");
}

fn request(journeys: Vec<CustomerPath>, model: Model) -> AttributionRequest {
    AttributionRequest {
        currency: Currency::new("USD").expect("currency"),
        journeys,
        models: vec![model],
        lookback_days: None,
        spend: Vec::new(),
        scale: 6,
        top_paths: 10,
        direct_takes_last_touch: true,
    }
}

fn bench(c: &mut Criterion) {
    let paths: usize = std::env::var("CRMKIT_BENCH_PATHS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let base = journeys(paths, 20);
    dump(&base);
    let mut group = c.benchmark_group("attribution");
    group.sample_size(10);
    for (name, model) in [
        ("last_touch", Model::LastTouch),
        ("linear", Model::Linear),
        (
            "time_decay",
            Model::TimeDecay {
                half_life_days: 7.0,
            },
        ),
        ("markov_order1", Model::Markov { order: 1 }),
        (
            "shapley_rate_sampled_20ch_1000perm",
            Model::ShapleyRate {
                exact_up_to: 15,
                permutations: 1_000,
                seed: 1,
            },
        ),
    ] {
        let req = request(base.clone(), model);
        group.bench_function(format!("{name}/{paths}_paths_20_channels"), |b| {
            b.iter(|| attribution_report(black_box(&req)).expect("report"))
        });
    }
    let fifteen = request(
        journeys(paths, 15),
        Model::ShapleyRate {
            exact_up_to: 15,
            permutations: 1,
            seed: 0,
        },
    );
    group.bench_function(
        format!("shapley_rate_exact/{paths}_paths_15_channels"),
        |b| b.iter(|| attribution_report(black_box(&fifteen)).expect("report")),
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
