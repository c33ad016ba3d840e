//! Shapley values of the conversion-rate game: exact for up to
//! `exact_up_to` channels (15 by default), a seeded permutation-sampling
//! estimate with a guaranteed error bound beyond.
//!
//! The game (Shao & Li, "Data-driven multi-touch attribution models",
//! KDD 2011; Dalessandro et al., "Causally motivated attribution for
//! online advertising", 2012) uses converting *and* non-converting
//! journeys: the worth of a set of channels S is the conversion rate of
//! the journeys whose channels all lie in S,
//!
//! `v(S) = converting journeys with C_j ⊆ S / journeys with C_j ⊆ S`
//!
//! (0 when no journey lies in S). Unlike the game of the `shapley` module
//! it is not a sum of unanimity games, so its Shapley value
//! `φ_c = Σ_{S ∌ c} |S|! (n − |S| − 1)! / n! · (v(S ∪ {c}) − v(S))` needs
//! the worth of every coalition:
//!
//! * **exact** (n ≤ `exact_up_to`, at most 20): the journey counts per
//!   channel set are summed over subsets for all `2ⁿ` coalitions (a zeta
//!   transform, `n·2ⁿ` additions), then the sum above is evaluated;
//! * **sampled** (more channels): `m` uniformly random channel orders
//!   drawn from a SplitMix64 stream seeded by `seed` (so the same request
//!   gives the same result on every platform); `φ̂_c` is the mean marginal
//!   contribution `v(P ∪ {c}) − v(P)` of c over its predecessors P
//!   (Castro, Gómez & Tejada 2009). Each marginal contribution lies in
//!   [−1, 1], so by Hoeffding's inequality and a union bound over the n
//!   channels, with probability at least 95 % every channel satisfies
//!   `|φ̂_c − φ_c| ≤ ε = √(2 ln(2n / 0.05) / m)` — the `error_bound`
//!   reported with the result (in conversion-rate units). The per-channel
//!   standard error of the mean is reported as well; it is usually far
//!   smaller than the guaranteed bound.
//!
//! `φ` can be negative (a channel whose journeys convert less than those
//! without it). Credit is split over the positive values only:
//! `credit_c = total × max(φ_c, 0) / Σ max(φ, 0)`. The values themselves
//! (they sum to `v(all channels) − v(∅)`, the overall conversion rate)
//! are reported as they are.
//!
//! ```
//! use crmkit::attribution::{AttributionRequest, attribution_report};
//!
//! let request = AttributionRequest::from_json(r#"{"currency": "USD",
//!   "models": [{"model": "shapley_rate"}],
//!   "journeys": [
//!     {"touches": [{"channel": "email", "at": "2026-03-01T10:00:00Z"}], "conversions": 1},
//!     {"touches": [{"channel": "email", "at": "2026-03-01T10:00:00Z"}]},
//!     {"touches": [{"channel": "search", "at": "2026-03-02T10:00:00Z"}], "conversions": 1}]
//! }"#)?;
//! let report = attribution_report(&request)?;
//! let model = &report.models[0];
//! // v({email}) = 1/2, v({search}) = 1, v(both) = 2/3: φ = 1/12 and 7/12.
//! let values = model.shapley_values.as_ref().expect("values");
//! assert!((values["search"].value - 7.0 / 12.0).abs() < 1e-12);
//! assert_eq!(model.shapley_estimate.as_ref().map(|e| e.method), Some("exact"));
//! Ok::<(), crmkit::Error>(())
//! ```

use std::collections::HashMap;

use serde::Serialize;

use crate::sample::SampleRng;
use crate::{Error, ErrorKind, Result};

/// The largest `exact_up_to` accepted (2²⁰ coalitions).
pub const MAX_EXACT_CHANNELS: u8 = 20;

/// The confidence of the sampled estimate's error bound.
pub const BOUND_CONFIDENCE: f64 = 0.95;

/// How the Shapley values of the conversion-rate game were obtained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShapleyEstimate {
    /// `exact` or `sampled`.
    pub method: &'static str,
    /// Channel orders drawn (0 when exact).
    pub permutations: u32,
    /// Sampled: with probability ≥ `confidence`, every value is within
    /// this distance of the exact one (Hoeffding + union bound); exact: 0.
    pub error_bound: f64,
    /// The confidence of `error_bound`.
    pub confidence: f64,
}

/// The Shapley values `φ_c` (conversion-rate units, indexed like the
/// channels), their standard errors (0 when exact) and how they were
/// obtained.
pub(crate) struct RateShapley {
    pub values: Vec<f64>,
    pub standard_errors: Vec<f64>,
    pub estimate: ShapleyEstimate,
}

/// One distinct channel set with its journeys and converting journeys.
struct SetCount {
    channels: Vec<u32>,
    journeys: f64,
    converting: f64,
}

fn set_counts<'a>(paths: impl Iterator<Item = (&'a [u32], bool)>) -> Vec<SetCount> {
    let mut index: HashMap<Vec<u32>, usize> = HashMap::new();
    let mut sets: Vec<SetCount> = Vec::new();
    for (channels, converted) in paths {
        let mut key = channels.to_vec();
        key.sort_unstable();
        key.dedup();
        if key.is_empty() {
            continue;
        }
        let next = sets.len();
        let i = *index.entry(key.clone()).or_insert(next);
        if i == sets.len() {
            sets.push(SetCount {
                channels: key,
                journeys: 0.0,
                converting: 0.0,
            });
        }
        if let Some(s) = sets.get_mut(i) {
            s.journeys += 1.0;
            if converted {
                s.converting += 1.0;
            }
        }
    }
    sets
}

/// The Hoeffding/union error bound of `permutations` orders over
/// `channels` channels at [`BOUND_CONFIDENCE`].
pub fn sampled_error_bound(channels: usize, permutations: u32) -> f64 {
    if channels == 0 || permutations == 0 {
        return 0.0;
    }
    let delta = 1.0 - BOUND_CONFIDENCE;
    (2.0 * (2.0 * channels as f64 / delta).ln() / f64::from(permutations)).sqrt()
}

/// Shapley values of the conversion-rate game over `channel_count`
/// channels; `paths` gives each journey's channels and whether it
/// converted.
pub(crate) fn rate_shapley<'a>(
    paths: impl Iterator<Item = (&'a [u32], bool)>,
    channel_count: usize,
    exact_up_to: u8,
    permutations: u32,
    seed: u64,
) -> Result<RateShapley> {
    let sets = set_counts(paths);
    if channel_count <= usize::from(exact_up_to.min(MAX_EXACT_CHANNELS)) {
        Ok(exact(&sets, channel_count))
    } else {
        sampled(&sets, channel_count, permutations, seed)
    }
}

fn exact(sets: &[SetCount], n: usize) -> RateShapley {
    let size = 1usize << n;
    let mut journeys = vec![0.0f64; size];
    let mut converting = vec![0.0f64; size];
    for s in sets {
        let mask = s.channels.iter().fold(0usize, |m, c| m | (1usize << c));
        journeys[mask] += s.journeys;
        converting[mask] += s.converting;
    }
    for bit in 0..n {
        let b = 1usize << bit;
        for mask in 0..size {
            if mask & b != 0 {
                journeys[mask] += journeys[mask ^ b];
                converting[mask] += converting[mask ^ b];
            }
        }
    }
    let worth: Vec<f64> = journeys
        .iter()
        .zip(&converting)
        .map(|(j, c)| if *j > 0.0 { c / j } else { 0.0 })
        .collect();
    // w(s) = s! (n − s − 1)! / n!, built by the ratio w(s+1)/w(s) = (s+1)/(n−s−1).
    let mut weight = vec![0.0f64; n.max(1)];
    if n > 0 {
        weight[0] = 1.0 / n as f64;
        for s in 0..n - 1 {
            weight[s + 1] = weight[s] * (s + 1) as f64 / (n - s - 1) as f64;
        }
    }
    let mut values = vec![0.0f64; n];
    for mask in 0..size {
        let s = mask.count_ones() as usize;
        for (c, value) in values.iter_mut().enumerate() {
            let b = 1usize << c;
            if mask & b == 0 {
                *value += weight[s] * (worth[mask | b] - worth[mask]);
            }
        }
    }
    RateShapley {
        values,
        standard_errors: vec![0.0; n],
        estimate: ShapleyEstimate {
            method: "exact",
            permutations: 0,
            error_bound: 0.0,
            confidence: 1.0,
        },
    }
}

fn sampled(sets: &[SetCount], n: usize, permutations: u32, seed: u64) -> Result<RateShapley> {
    if permutations == 0 {
        return Err(Error::new(
            ErrorKind::Invalid,
            "permutations must be at least 1 to estimate Shapley values",
        ));
    }
    let mut rng = SampleRng::new(seed);
    let mut order: Vec<usize> = (0..n).collect();
    let mut position = vec![0usize; n];
    let mut bucket_journeys = vec![0.0f64; n];
    let mut bucket_converting = vec![0.0f64; n];
    let mut sum = vec![0.0f64; n];
    let mut sum_sq = vec![0.0f64; n];
    for _ in 0..permutations {
        // Fisher–Yates.
        for i in (1..n).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        for (k, c) in order.iter().enumerate() {
            position[*c] = k;
        }
        bucket_journeys.iter_mut().for_each(|x| *x = 0.0);
        bucket_converting.iter_mut().for_each(|x| *x = 0.0);
        for s in sets {
            // The set lies inside the prefix from the position of its last
            // channel on.
            let done = s
                .channels
                .iter()
                .map(|c| position[*c as usize])
                .max()
                .unwrap_or(0);
            bucket_journeys[done] += s.journeys;
            bucket_converting[done] += s.converting;
        }
        let (mut j, mut conv, mut before) = (0.0f64, 0.0f64, 0.0f64);
        for (k, c) in order.iter().enumerate() {
            j += bucket_journeys[k];
            conv += bucket_converting[k];
            let now = if j > 0.0 { conv / j } else { 0.0 };
            let marginal = now - before;
            sum[*c] += marginal;
            sum_sq[*c] += marginal * marginal;
            before = now;
        }
    }
    let m = f64::from(permutations);
    let values: Vec<f64> = sum.iter().map(|s| s / m).collect();
    let standard_errors = values
        .iter()
        .zip(&sum_sq)
        .map(|(mean, sq)| {
            if permutations < 2 {
                return 0.0;
            }
            let var = ((sq - m * mean * mean) / (m - 1.0)).max(0.0);
            (var / m).sqrt()
        })
        .collect();
    Ok(RateShapley {
        values,
        standard_errors,
        estimate: ShapleyEstimate {
            method: "sampled",
            permutations,
            error_bound: sampled_error_bound(n, permutations),
            confidence: BOUND_CONFIDENCE,
        },
    })
}
