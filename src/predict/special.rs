//! Special functions and small dense linear algebra used by the models:
//! `ln Γ` (Lanczos), digamma, trigamma, the Gauss hypergeometric series
//! `₂F₁`, a stable `ln(eᵃ + eᵇ)`, and a Cholesky solver.
//!
//! Everything here works in `f64` and never returns NaN for finite inputs in
//! its documented domain; out-of-domain inputs give `None` (or `+∞`), which
//! the callers turn into [`ErrorKind::Numerical`](crate::ErrorKind).

use std::f64::consts::PI;

/// Lanczos coefficients (g = 7, n = 9), as used by many numerical libraries;
/// relative error below 1e-15 for positive arguments.
const LANCZOS_G: f64 = 7.0;
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// `ln Γ(x)` for `x > 0` (Lanczos approximation, with the reflection
/// formula below 0.5). Returns `+∞` for `x ≤ 0` or NaN input.
pub fn ln_gamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::INFINITY;
    }
    if x < 0.5 {
        // Γ(x)Γ(1−x) = π / sin(πx), and sin(πx) > 0 on (0, 0.5).
        return (PI / (PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = LANCZOS[0];
    for (i, c) in LANCZOS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + LANCZOS_G + 0.5;
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The digamma function ψ(x) = d/dx ln Γ(x), for `x > 0`.
pub fn digamma(mut x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    let mut result = 0.0;
    while x < 10.0 {
        result -= 1.0 / x;
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    result + x.ln()
        - 0.5 * inv
        - inv2
            * (1.0 / 12.0
                - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 / 132.0))))
}

/// The trigamma function ψ₁(x) = d²/dx² ln Γ(x), for `x > 0`.
pub fn trigamma(mut x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    let mut result = 0.0;
    while x < 10.0 {
        result += 1.0 / (x * x);
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    result
        + inv
        + 0.5 * inv2
        + inv * inv2 * (1.0 / 6.0 - inv2 * (1.0 / 30.0 - inv2 * (1.0 / 42.0 - inv2 / 30.0)))
}

/// `ln(eᵃ + eᵇ)` without overflow.
pub fn log_add_exp(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let (hi, lo) = if a > b { (a, b) } else { (b, a) };
    hi + (lo - hi).exp().ln_1p()
}

/// The logistic function 1 / (1 + e⁻ᶻ), computed without overflow.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// The Gauss hypergeometric function ₂F₁(a, b; c; z) for `0 ≤ z < 1`, by its
/// power series.
///
/// Returns `None` when `c` is zero or a negative integer (a pole), when `z`
/// is outside `[0, 1)`, or when the series has not converged to a relative
/// precision of 1e-14 after 200,000 terms. Callers transform their arguments
/// (Euler's transformation) so that the series converges quickly.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Option<f64> {
    if !(a.is_finite() && b.is_finite() && c.is_finite() && z.is_finite()) {
        return None;
    }
    if !(0.0..1.0).contains(&z) {
        return None;
    }
    if c <= 0.0 && c.fract() == 0.0 {
        return None;
    }
    let mut term = 1.0_f64;
    let mut sum = 1.0_f64;
    for n in 0..200_000u32 {
        let n = f64::from(n);
        let ratio = (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        term *= ratio;
        sum += term;
        if !sum.is_finite() {
            return None;
        }
        // Once the ratio of successive terms is below 1 the tail is at most
        // about term / (1 − z).
        let next = (a + n + 1.0) * (b + n + 1.0) / ((c + n + 1.0) * (n + 2.0)) * z;
        if term == 0.0 || (next.abs() < 1.0 && term.abs() <= 1e-15 * (1.0 - z) * sum.abs()) {
            return Some(sum);
        }
    }
    None
}

/// Solves `A x = b` for a symmetric positive-definite `A` (row-major,
/// `n × n`) by Cholesky decomposition. Returns `None` when `A` is not
/// numerically positive definite.
pub fn cholesky_solve(a: &[f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    if a.len() != n * n || b.len() != n {
        return None;
    }
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut sum = a[i * n + j];
            for k in 0..j {
                sum -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if sum.is_nan() || sum <= 0.0 || !sum.is_finite() {
                    return None;
                }
                l[i * n + i] = sum.sqrt();
            } else {
                l[i * n + j] = sum / l[j * n + j];
            }
        }
    }
    let mut y = vec![0.0; n];
    for i in 0..n {
        let mut sum = b[i];
        for k in 0..i {
            sum -= l[i * n + k] * y[k];
        }
        y[i] = sum / l[i * n + i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let mut sum = y[i];
        for k in i + 1..n {
            sum -= l[k * n + i] * x[k];
        }
        x[i] = sum / l[i * n + i];
    }
    if x.iter().all(|v| v.is_finite()) {
        Some(x)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_matches_factorials_and_half_integers() {
        let mut factorial = 1.0_f64;
        for n in 1..30 {
            factorial *= n as f64;
            let got = ln_gamma(n as f64 + 1.0);
            assert!(
                (got - factorial.ln()).abs() < 1e-12 * factorial.ln().max(1.0),
                "n={n}"
            );
        }
        assert!((ln_gamma(0.5) - PI.sqrt().ln()).abs() < 1e-14);
        assert!((ln_gamma(1e-8) - (1e8_f64).ln()).abs() < 1e-6);
        assert_eq!(ln_gamma(0.0), f64::INFINITY);
        assert_eq!(ln_gamma(-1.0), f64::INFINITY);
    }

    #[test]
    fn digamma_and_trigamma_are_derivatives_of_ln_gamma() {
        for &x in &[0.05_f64, 0.3, 1.0, 2.5, 7.0, 40.0, 1234.5] {
            let h = 1e-5 * x.max(1.0);
            let d = (ln_gamma(x + h) - ln_gamma(x - h)) / (2.0 * h);
            assert!((digamma(x) - d).abs() < 1e-6 * d.abs().max(1.0), "x={x}");
            let t = (digamma(x + h) - digamma(x - h)) / (2.0 * h);
            assert!((trigamma(x) - t).abs() < 1e-5 * t.abs().max(1.0), "x={x}");
        }
        // ψ(1) = −γ (Euler–Mascheroni), ψ₁(1) = π²/6.
        assert!((digamma(1.0) + 0.577_215_664_901_532_9).abs() < 1e-13);
        assert!((trigamma(1.0) - PI * PI / 6.0).abs() < 1e-12);
    }

    #[test]
    fn hyp2f1_matches_closed_forms() {
        // ₂F₁(1, 1; 2; z) = −ln(1 − z) / z
        for &z in &[0.1, 0.5, 0.9, 0.99] {
            let got = hyp2f1(1.0, 1.0, 2.0, z).expect("converges");
            let want = -(1.0 - z).ln() / z;
            assert!((got - want).abs() < 1e-10 * want, "z={z}");
        }
        // ₂F₁(a, b; b; z) = (1 − z)^(−a)
        let got = hyp2f1(2.5, 3.0, 3.0, 0.3).expect("converges");
        assert!((got - 0.7_f64.powf(-2.5)).abs() < 1e-12);
        assert_eq!(hyp2f1(1.0, 1.0, 0.0, 0.5), None);
        assert_eq!(hyp2f1(1.0, 1.0, 2.0, 1.0), None);
        assert_eq!(hyp2f1(1.0, 1.0, 2.0, 0.0), Some(1.0));
    }

    #[test]
    fn log_add_exp_is_stable() {
        assert!((log_add_exp(1000.0, 1000.0) - (1000.0 + 2f64.ln())).abs() < 1e-12);
        assert_eq!(log_add_exp(f64::NEG_INFINITY, -3.0), -3.0);
        assert!((log_add_exp(0.0, 0.0) - 2f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn sigmoid_saturates_without_nan() {
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(sigmoid(1000.0), 1.0);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-16);
    }

    #[test]
    fn cholesky_solves_and_rejects_indefinite_matrices() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let x = cholesky_solve(&a, &[2.0, 1.0], 2).expect("spd");
        assert!((4.0 * x[0] + 2.0 * x[1] - 2.0).abs() < 1e-12);
        assert!((2.0 * x[0] + 3.0 * x[1] - 1.0).abs() < 1e-12);
        assert_eq!(cholesky_solve(&[1.0, 2.0, 2.0, 1.0], &[1.0, 1.0], 2), None);
    }
}
