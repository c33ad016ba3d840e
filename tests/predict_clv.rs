//! CLV models: BG/NBD and Gamma-Gamma recover known parameters from seeded
//! simulations (with tolerances that shrink with the sample size), their
//! expectations agree with independent computations, and degenerate data
//! give clear errors instead of NaN.

use crmkit::ErrorKind;
use crmkit::predict::sim::{Rng, simulate_customers};
use crmkit::predict::{
    BgNbd, BgNbdOptions, BgNbdParams, ClvFitOptions, ClvModel, ClvOptions, GammaGamma,
    GammaGammaOptions, Rfm,
};
use proptest::prelude::*;

const TRUE_BGNBD: [f64; 4] = [0.24, 4.41, 0.79, 2.43];
const TRUE_GG: [f64; 3] = [6.25, 3.74, 15.44];

fn simulate(seed: u64, n: usize) -> Vec<Rfm> {
    let mut rng = Rng::new(seed);
    simulate_customers(&mut rng, n, TRUE_BGNBD, TRUE_GG, 20.0, 40.0, false)
        .into_iter()
        .map(|c| Rfm {
            frequency: c.x,
            recency: c.t_x,
            age: c.t,
            monetary: c.spend,
        })
        .collect()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

fn true_params() -> BgNbdParams {
    let [r, alpha, a, b] = TRUE_BGNBD;
    BgNbdParams { r, alpha, a, b }
}

#[test]
fn bgnbd_and_gamma_gamma_recover_simulated_parameters_more_closely_with_more_customers() {
    for (seed, n) in [(11_u64, 20_000_usize), (12, 200_000)] {
        let data = simulate(seed, n);
        // The tolerance shrinks like 1/sqrt(n): 14% at 20k, 4.5% at 200k.
        let tolerance = 20.0 / (n as f64).sqrt();
        let fit = BgNbd::fit(&data, &BgNbdOptions::default()).expect("BG/NBD fits");
        assert!(fit.convergence.converged, "{:?}", fit.convergence);
        let p = fit.params;
        for (got, want, name) in [
            (p.r, TRUE_BGNBD[0], "r"),
            (p.alpha, TRUE_BGNBD[1], "alpha"),
            (p.a, TRUE_BGNBD[2], "a"),
            (p.b, TRUE_BGNBD[3], "b"),
        ] {
            assert!(rel(got, want) < tolerance, "n={n} {name}: {got} vs {want}");
        }
        let gg = GammaGamma::fit(&data, &GammaGammaOptions::default()).expect("GG fits");
        assert!(gg.convergence.converged, "{:?}", gg.convergence);
        let q = gg.params;
        for (got, want, name) in [
            (q.p, TRUE_GG[0], "p"),
            (q.q, TRUE_GG[1], "q"),
            (q.gamma, TRUE_GG[2], "gamma"),
        ] {
            assert!(rel(got, want) < tolerance, "n={n} {name}: {got} vs {want}");
        }
    }
}

#[test]
fn the_fitted_log_likelihood_is_the_maximum_and_is_reported_in_the_callers_units() {
    let data = simulate(3, 3_000);
    let fit = BgNbd::fit(&data, &BgNbdOptions::default()).expect("fits");
    let at = |p: &BgNbdParams| -> f64 {
        data.iter()
            .map(|c| {
                p.log_likelihood(c.frequency, c.recency, c.age)
                    .expect("valid")
            })
            .sum()
    };
    let fitted = at(&fit.params);
    assert!((fitted - fit.convergence.log_likelihood).abs() < 1e-6 * fitted.abs());
    assert!(fitted >= at(&true_params()));
    // Any nearby point is no better.
    for k in 0..4 {
        for factor in [0.97, 1.03] {
            let mut p = fit.params;
            match k {
                0 => p.r *= factor,
                1 => p.alpha *= factor,
                2 => p.a *= factor,
                _ => p.b *= factor,
            }
            assert!(at(&p) <= fitted + 1e-9);
        }
    }
}

/// E[Y(t) | x, t_x, T] by direct numerical integration over the drop-out
/// probability (Simpson's rule), independent of the hypergeometric form:
/// the Beta(a, b + x) density is normalised by integrating it with the same
/// rule (taken relative to its mode, so huge shapes neither overflow nor
/// underflow), so no special function of the library is used.
fn conditional_by_quadrature(p: &BgNbdParams, t: f64, x: u32, t_x: f64, age: f64) -> f64 {
    let xf = f64::from(x);
    let (a, b) = (p.a, p.b + xf);
    let log_density = |q: f64| (a - 1.0) * q.ln() + (b - 1.0) * (1.0 - q).ln();
    let mode = (a - 1.0) / (a + b - 2.0);
    let peak = log_density(mode);
    let weight = |q: f64| -> f64 {
        if q <= 0.0 || q >= 1.0 {
            return 0.0;
        }
        (log_density(q) - peak).exp()
    };
    let inner = |q: f64| (1.0 - ((p.alpha + age) / (p.alpha + age + q * t)).powf(p.r + xf)) / q;
    let steps = 200_000;
    let h = 1.0 / f64::from(steps);
    let (mut numerator, mut denominator) = (0.0, 0.0);
    for i in 1..steps {
        let q = f64::from(i) * h;
        let simpson = if i % 2 == 1 { 4.0 } else { 2.0 };
        let w = weight(q);
        numerator += simpson * w * inner(q);
        denominator += simpson * w;
    }
    numerator / denominator * p.probability_alive(x, t_x, age).expect("valid history")
}

#[test]
fn conditional_expectations_match_numerical_integration() {
    // a > 1 and b + x > 1 keep the integrand smooth for Simpson's rule.
    let p = BgNbdParams {
        r: 0.6,
        alpha: 5.0,
        a: 2.2,
        b: 3.5,
    };
    for (t, x, t_x, age) in [
        (10.0, 0, 0.0, 20.0),
        (30.0, 3, 15.0, 30.0),
        (52.0, 8, 38.0, 40.0),
    ] {
        let closed = p
            .conditional_expected_purchases(t, x, t_x, age)
            .expect("defined");
        let numeric = conditional_by_quadrature(&p, t, x, t_x, age);
        assert!(rel(closed, numeric) < 1e-6, "{closed} vs {numeric}");
    }
}

#[test]
fn a_new_customer_expects_the_unconditional_number_of_purchases() {
    let p = true_params();
    for t in [1.0, 10.0, 100.0] {
        let unconditional = p.expected_purchases(t).expect("defined");
        let conditional = p
            .conditional_expected_purchases(t, 0, 0.0, 0.0)
            .expect("defined");
        assert!(rel(unconditional, conditional) < 1e-9);
    }
    // Monte Carlo: mean repeat purchases in (0, 30] of simulated customers.
    let mut rng = Rng::new(5);
    let sims = simulate_customers(&mut rng, 200_000, TRUE_BGNBD, TRUE_GG, 30.0, 30.0, false);
    let mean = sims.iter().map(|c| f64::from(c.x)).sum::<f64>() / sims.len() as f64;
    let want = p.expected_purchases(30.0).expect("defined");
    assert!(rel(mean, want) < 0.03, "{mean} vs {want}");
}

#[test]
fn probability_alive_falls_with_silence_and_is_one_without_repeat_purchases() {
    let p = true_params();
    assert_eq!(p.probability_alive(0, 0.0, 50.0).expect("valid"), 1.0);
    let mut last = 1.0;
    for age in [10.0, 20.0, 40.0, 80.0] {
        let alive = p.probability_alive(3, 10.0, age).expect("valid");
        assert!(alive <= last && alive > 0.0);
        last = alive;
    }
    // Near a = 1 the expectation is still finite and continuous.
    let near = BgNbdParams { a: 1.0, ..p };
    let e = near.expected_purchases(20.0).expect("defined");
    let e2 = BgNbdParams { a: 1.001, ..p }
        .expected_purchases(20.0)
        .expect("defined");
    assert!(rel(e, e2) < 1e-2);
}

#[test]
fn clv_sums_discounted_monthly_cash_flows_and_grows_with_the_horizon() {
    let data = simulate(21, 5_000);
    let model = ClvModel::fit(&data, &ClvFitOptions::default()).expect("fits");
    let customer = Rfm {
        frequency: 5,
        recency: 30.0,
        age: 35.0,
        monetary: 20.0,
    };
    let one = model
        .customer_value(
            &customer,
            &ClvOptions {
                horizon_months: 1,
                monthly_discount_rate: 0.0,
            },
        )
        .expect("value");
    let expected_month = model
        .bgnbd
        .params
        .conditional_expected_purchases(365.25 / 12.0, 5, 30.0, 35.0)
        .expect("defined");
    assert!(rel(one.clv, one.expected_spend * expected_month) < 1e-12);
    let year = model
        .customer_value(
            &customer,
            &ClvOptions {
                horizon_months: 12,
                monthly_discount_rate: 0.0,
            },
        )
        .expect("value");
    let discounted = model
        .customer_value(
            &customer,
            &ClvOptions {
                horizon_months: 12,
                monthly_discount_rate: 0.02,
            },
        )
        .expect("value");
    assert!(year.clv > one.clv && discounted.clv < year.clv && discounted.clv > 0.0);
    let json = model.to_json().expect("serialises");
    let loaded = ClvModel::from_json(&json).expect("loads");
    let again = loaded
        .customer_value(&customer, &ClvOptions::default())
        .expect("value");
    let before = model
        .customer_value(&customer, &ClvOptions::default())
        .expect("value");
    assert!(rel(again.clv, before.clv) < 1e-12);
    assert_eq!(loaded.bgnbd.customers, model.bgnbd.customers);
    let bad = json.replace(&format!("{}", model.bgnbd.params.r), "-1.0");
    assert!(ClvModel::from_json(&bad).is_err());
}

#[test]
fn degenerate_samples_give_clear_errors() {
    let one = [Rfm {
        frequency: 2,
        recency: 5.0,
        age: 10.0,
        monetary: 3.0,
    }];
    assert_eq!(
        BgNbd::fit(&one, &BgNbdOptions::default())
            .unwrap_err()
            .kind(),
        ErrorKind::Numerical
    );
    let no_repeat = vec![
        Rfm {
            frequency: 0,
            recency: 0.0,
            age: 10.0,
            monetary: 0.0
        };
        50
    ];
    let err = BgNbd::fit(&no_repeat, &BgNbdOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Numerical);
    assert!(err.message().contains("repeat purchase"), "{err}");
    assert_eq!(
        GammaGamma::fit(&no_repeat, &GammaGammaOptions::default())
            .unwrap_err()
            .kind(),
        ErrorKind::Numerical
    );
    let same_spend = vec![
        Rfm {
            frequency: 2,
            recency: 5.0,
            age: 10.0,
            monetary: 3.0
        };
        10
    ];
    assert_eq!(
        GammaGamma::fit(&same_spend, &GammaGammaOptions::default())
            .unwrap_err()
            .kind(),
        ErrorKind::Numerical
    );
    let bad = [
        Rfm {
            frequency: 1,
            recency: 12.0,
            age: 10.0,
            monetary: 1.0,
        },
        one[0],
    ];
    let err = BgNbd::fit(&bad, &BgNbdOptions::default()).unwrap_err();
    assert_eq!(err.path(), Some("customers[0].recency"));
    assert_eq!(
        BgNbd::fit(&[], &BgNbdOptions::default())
            .unwrap_err()
            .kind(),
        ErrorKind::Invalid
    );
}

fn customer() -> impl Strategy<Value = Rfm> {
    (
        0u32..30,
        0.0f64..1.0,
        0.0f64..200.0,
        prop_oneof![Just(0.0), 0.0f64..1e6],
    )
        .prop_map(|(x, share, age, m)| Rfm {
            frequency: x,
            recency: if x == 0 { 0.0 } else { share * age },
            age,
            monetary: if x == 0 { 0.0 } else { m },
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn fits_on_any_small_sample_give_finite_results_or_a_clear_error(
        customers in prop::collection::vec(customer(), 0..40),
    ) {
        match ClvModel::fit(&customers, &ClvFitOptions::default()) {
            Ok(model) => {
                let p = model.bgnbd.params;
                prop_assert!(p.validate().is_ok());
                prop_assert!(model.bgnbd.convergence.log_likelihood.is_finite());
                for c in &customers {
                    if let Ok(v) = model.customer_value(c, &ClvOptions::default()) {
                        prop_assert!(v.clv.is_finite() && v.clv >= 0.0);
                        prop_assert!((0.0..=1.0).contains(&v.probability_alive));
                    }
                }
            }
            Err(err) => prop_assert!(matches!(err.kind(), ErrorKind::Numerical | ErrorKind::Invalid), "{err}"),
        }
    }

    #[test]
    fn expectations_never_return_nan(
        r in 1e-3f64..50.0, alpha in 1e-3f64..1e3, a in 1e-3f64..50.0, b in 1e-3f64..50.0,
        x in 0u32..200, share in 0.0f64..1.0, age in 0.0f64..500.0, t in 0.0f64..1000.0,
    ) {
        let p = BgNbdParams { r, alpha, a, b };
        let recency = if x == 0 { 0.0 } else { share * age };
        let alive = p.probability_alive(x, recency, age).expect("valid history");
        prop_assert!((0.0..=1.0).contains(&alive));
        prop_assert!(p.log_likelihood(x, recency, age).expect("valid history").is_finite());
        match p.conditional_expected_purchases(t, x, recency, age) {
            Ok(e) => prop_assert!(e.is_finite() && e >= 0.0),
            Err(err) => prop_assert_eq!(err.kind(), ErrorKind::Numerical),
        }
    }
}

/// The inverse of a small symmetric matrix by Gauss-Jordan elimination.
fn invert(m: &[f64], n: usize) -> Vec<f64> {
    let mut a = m.to_vec();
    let mut inv: Vec<f64> = (0..n * n)
        .map(|i| if i / n == i % n { 1.0 } else { 0.0 })
        .collect();
    for c in 0..n {
        let pivot = a[c * n + c];
        for k in 0..n {
            a[c * n + k] /= pivot;
            inv[c * n + k] /= pivot;
        }
        for r in 0..n {
            if r != c {
                let f = a[r * n + c];
                for k in 0..n {
                    a[r * n + k] -= f * a[c * n + k];
                    inv[r * n + k] -= f * inv[c * n + k];
                }
            }
        }
    }
    inv
}

#[test]
fn standard_errors_match_a_finite_difference_hessian_of_the_log_likelihood() {
    let data = simulate(31, 4_000);
    let fit = BgNbd::fit(&data, &BgNbdOptions::default()).expect("fits");
    let se = fit.standard_errors.expect("reported");
    let p0 = fit.params;
    let values = [p0.r, p0.alpha, p0.a, p0.b];
    let ll = |v: &[f64; 4]| -> f64 {
        let p = BgNbdParams {
            r: v[0],
            alpha: v[1],
            a: v[2],
            b: v[3],
        };
        data.iter()
            .map(|c| {
                p.log_likelihood(c.frequency, c.recency, c.age)
                    .expect("valid")
            })
            .sum()
    };
    // Central second differences of the log-likelihood in the parameters
    // themselves (not their logarithms).
    let mut information = [0.0; 16];
    for j in 0..4 {
        for k in 0..4 {
            let (hj, hk) = (1e-4 * values[j], 1e-4 * values[k]);
            let at = |dj: f64, dk: f64| {
                let mut v = values;
                v[j] += dj;
                v[k] += dk;
                ll(&v)
            };
            let second = (at(hj, hk) - at(hj, -hk) - at(-hj, hk) + at(-hj, -hk)) / (4.0 * hj * hk);
            information[j * 4 + k] = -second;
        }
    }
    let covariance = invert(&information, 4);
    for (j, (got, name)) in [(se.r, "r"), (se.alpha, "alpha"), (se.a, "a"), (se.b, "b")]
        .into_iter()
        .enumerate()
    {
        let want = covariance[j * 4 + j].sqrt();
        assert!(rel(got, want) < 1e-3, "se({name}) {got} vs {want}");
    }
    // Confidence intervals: estimate ± 1.96 se, as lifetimes prints them.
    let (lower, upper) = fit.confidence_intervals_95().expect("reported");
    assert!((lower.a - (p0.a - 1.96 * se.a)).abs() < 1e-12);
    assert!((upper.r - (p0.r + 1.96 * se.r)).abs() < 1e-12);
    // More customers, smaller standard errors (about 1/sqrt(n)).
    let bigger = BgNbd::fit(&simulate(32, 16_000), &BgNbdOptions::default()).expect("fits");
    let se4 = bigger.standard_errors.expect("reported");
    assert!(
        se4.r < 0.7 * se.r && se4.b < 0.7 * se.b,
        "{se4:?} vs {se:?}"
    );
    let gg = GammaGamma::fit(&data, &GammaGammaOptions::default()).expect("fits");
    let gse = gg.standard_errors.expect("reported");
    assert!(gse.p > 0.0 && gse.q > 0.0 && gse.gamma > 0.0);
    assert!(
        gse.p < gg.params.p && gse.gamma < gg.params.gamma,
        "{gse:?}"
    );
}

#[test]
fn huge_dropout_shapes_still_predict_finite_values_that_match_integration() {
    // Issue 20: a fit on data with almost no drop-out gave a ≈ 3.5e6,
    // b ≈ 9.9e6, where the hypergeometric series does not converge.
    let p = BgNbdParams {
        r: 0.8,
        alpha: 6.0,
        a: 3.5e6,
        b: 9.9e6,
    };
    for (t, x, t_x, age) in [
        (30.0, 4, 20.0, 38.0),
        (365.0, 0, 0.0, 10.0),
        (7.0, 12, 35.0, 36.0),
    ] {
        let closed = p
            .conditional_expected_purchases(t, x, t_x, age)
            .expect("finite");
        let numeric = conditional_by_quadrature(&p, t, x, t_x, age);
        assert!(rel(closed, numeric) < 1e-6, "{closed} vs {numeric}");
    }
    let new = p.expected_purchases(52.0).expect("finite");
    let numeric = conditional_by_quadrature(&p, 52.0, 0, 0.0, 0.0);
    assert!(rel(new, numeric) < 1e-6, "{new} vs {numeric}");
    // The whole CLV path works for such a model.
    let model = ClvModel::from_json(
        r#"{"unit":"days","bgnbd":{"params":{"r":0.8,"alpha":6.0,"a":3.5e6,"b":9.9e6},
        "convergence":{"converged":true,"iterations":1,"starts":1,"log_likelihood":-1.0,"gradient_norm":0.0},
        "customers":2,"groups":2},"fallback_spend":10.0}"#,
    )
    .expect("valid");
    let value = model
        .customer_value(
            &Rfm {
                frequency: 3,
                recency: 20.0,
                age: 30.0,
                monetary: 12.0,
            },
            &ClvOptions {
                horizon_months: 24,
                monthly_discount_rate: 0.01,
            },
        )
        .expect("finite");
    assert!(value.clv.is_finite() && value.clv > 0.0, "{value:?}");
    assert!(value.spend_fallback, "no spend model: the fallback spend");
}

#[test]
fn parameter_helpers_validate_their_input_like_the_fits() {
    let p = true_params();
    let invalid = |r: crmkit::Result<f64>| r.expect_err("refused").kind();
    // Recency after T, NaN or negative recency, NaN age.
    assert_eq!(
        invalid(p.probability_alive(2, 40.0, 38.0)),
        ErrorKind::Invalid
    );
    assert_eq!(
        invalid(p.probability_alive(2, f64::NAN, 38.0)),
        ErrorKind::Invalid
    );
    assert_eq!(
        invalid(p.probability_alive(2, -1.0, 38.0)),
        ErrorKind::Invalid
    );
    assert_eq!(
        invalid(p.probability_alive(0, 3.0, 38.0)),
        ErrorKind::Invalid
    );
    assert_eq!(
        invalid(p.log_likelihood(2, 5.0, f64::NAN)),
        ErrorKind::Invalid
    );
    let err = p
        .conditional_expected_purchases(10.0, 2, 40.0, 38.0)
        .expect_err("recency after age");
    assert_eq!(err.path(), Some("recency"));
    assert_eq!(invalid(p.expected_purchases(-1.0)), ErrorKind::Invalid);
    let bad = BgNbdParams { r: -1.0, ..p };
    assert_eq!(
        invalid(bad.probability_alive(2, 5.0, 38.0)),
        ErrorKind::Invalid
    );
    let gg = crmkit::predict::GammaGammaParams {
        p: 6.25,
        q: 3.74,
        gamma: 15.44,
    };
    let err = gg.expected_spend(2, -10.0).expect_err("negative spend");
    assert_eq!(
        (err.kind(), err.path()),
        (ErrorKind::Invalid, Some("monetary"))
    );
    assert_eq!(
        invalid(gg.expected_spend(2, f64::INFINITY)),
        ErrorKind::Invalid
    );
    assert!(gg.expected_spend(2, 10.0).expect("valid") > 0.0);
    let heavy = crmkit::predict::GammaGammaParams { q: 0.9, ..gg };
    assert_eq!(invalid(heavy.expected_spend(0, 0.0)), ErrorKind::Numerical);
    assert_eq!(invalid(heavy.population_mean_spend()), ErrorKind::Numerical);
}

#[test]
fn gamma_gamma_reports_the_repeat_buyers_it_leaves_out_for_a_zero_spend() {
    let mut data = simulate(41, 2_000);
    let repeaters = data.iter().filter(|c| c.frequency > 0).count();
    let mut zeroed = 0;
    for c in data.iter_mut().filter(|c| c.frequency > 0).step_by(10) {
        c.monetary = 0.0;
        zeroed += 1;
    }
    let gg = GammaGamma::fit(&data, &GammaGammaOptions::default()).expect("fits");
    assert_eq!(gg.dropped_zero_spend, zeroed);
    assert_eq!(gg.customers, repeaters - zeroed);
    // All repeat spends zero: refused, and the message says why.
    for c in &mut data {
        c.monetary = 0.0;
    }
    let err = GammaGamma::fit(&data, &GammaGammaOptions::default()).expect_err("no spends");
    assert!(err.to_string().contains("mean spend of 0"), "{err}");
    // A BG/NBD-only model needs no spends.
    let model = ClvModel::fit(
        &data,
        &ClvFitOptions {
            spend_model: crmkit::predict::SpendModel::None,
            ..ClvFitOptions::default()
        },
    )
    .expect("BG/NBD alone fits");
    assert!(model.gamma_gamma.is_none());
    assert_eq!(model.fallback_spend, 0.0);
}
