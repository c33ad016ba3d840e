//! Seeded simulation from the models, for tests and benchmarks: a small
//! deterministic PRNG with gamma, beta and exponential samplers, and
//! generators of BG/NBD + Gamma-Gamma customers and of logistic leads.
//!
//! Not part of the stable API (hidden from the docs); the same seed gives
//! the same data on every platform.

use crate::predict::special::sigmoid;

/// xoshiro256** seeded through SplitMix64.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator from a 64-bit seed.
    pub fn new(seed: u64) -> Rng {
        let mut z = seed;
        let mut next = || {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            x ^ (x >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform on the open interval (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = self.uniform();
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Exponential with the given rate.
    pub fn exponential(&mut self, rate: f64) -> f64 {
        -self.uniform().ln() / rate
    }

    /// Gamma with `shape` and `rate` (Marsaglia–Tsang).
    pub fn gamma(&mut self, shape: f64, rate: f64) -> f64 {
        if shape < 1.0 {
            let u = self.uniform();
            return self.gamma(shape + 1.0, rate) * u.powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = self.uniform();
            if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v / rate;
            }
        }
    }

    /// Beta(a, b).
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a, 1.0);
        let y = self.gamma(b, 1.0);
        x / (x + y)
    }
}

/// One simulated customer: repeat purchases `x`, time of the last one `t_x`,
/// age `t` (all in the same unit) and mean repeat spend (0 when `x = 0`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimCustomer {
    /// Repeat purchases in (0, T].
    pub x: u32,
    /// Time of the last purchase.
    pub t_x: f64,
    /// Observation length T.
    pub t: f64,
    /// Mean spend of the repeat purchases.
    pub spend: f64,
}

/// Simulates `n` customers from BG/NBD(r, alpha, a, b) with ages drawn
/// uniformly from `[t_min, t_max]`, and spends from Gamma-Gamma(p, q, gamma).
/// When `whole_units` is set, times are rounded down to whole units (as
/// an RFM summary in days would give).
#[allow(clippy::too_many_arguments)]
pub fn simulate_customers(
    rng: &mut Rng,
    n: usize,
    bgnbd: [f64; 4],
    gamma_gamma: [f64; 3],
    t_min: f64,
    t_max: f64,
    whole_units: bool,
) -> Vec<SimCustomer> {
    let [r, alpha, a, b] = bgnbd;
    let [p, q, gamma] = gamma_gamma;
    (0..n)
        .map(|_| {
            let mut t = t_min + (t_max - t_min) * rng.uniform();
            if whole_units {
                t = t.floor();
            }
            let lambda = rng.gamma(r, alpha);
            let drop = rng.beta(a, b);
            let nu = rng.gamma(q, gamma);
            let (mut x, mut t_x, mut now) = (0u32, 0.0, 0.0);
            loop {
                now += rng.exponential(lambda);
                let at = if whole_units { now.floor() } else { now };
                if at > t || x >= 100_000 {
                    break;
                }
                x += 1;
                t_x = at;
                if rng.uniform() < drop {
                    break;
                }
            }
            let spend = if x == 0 {
                0.0
            } else {
                (0..x).map(|_| rng.gamma(p, nu)).sum::<f64>() / f64::from(x)
            };
            SimCustomer { x, t_x, t, spend }
        })
        .collect()
}

/// Simulates `n` leads with `k` standard-normal features (row-major) and
/// outcomes drawn from a logistic model with `intercept` and `coefficients`.
pub fn simulate_leads(
    rng: &mut Rng,
    n: usize,
    intercept: f64,
    coefficients: &[f64],
) -> (Vec<f64>, Vec<bool>) {
    let k = coefficients.len();
    let mut x = Vec::with_capacity(n * k);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let mut z = intercept;
        for c in coefficients {
            let v = rng.normal();
            z += c * v;
            x.push(v);
        }
        y.push(rng.uniform() < sigmoid(z));
    }
    (x, y)
}
