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
            .map(|c| p.log_likelihood(c.frequency, c.recency, c.age))
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
/// probability (Simpson's rule), independent of the hypergeometric form.
fn conditional_by_quadrature(p: &BgNbdParams, t: f64, x: u32, t_x: f64, age: f64) -> f64 {
    let xf = f64::from(x);
    let (a, b) = (p.a, p.b + xf);
    let ln_beta = crmkit::predict::special::ln_gamma(a) + crmkit::predict::special::ln_gamma(b)
        - crmkit::predict::special::ln_gamma(a + b);
    let f = |q: f64| -> f64 {
        if q <= 0.0 {
            return 0.0;
        }
        let density = ((a - 1.0) * q.ln() + (b - 1.0) * (1.0 - q).ln() - ln_beta).exp();
        let inner = (1.0 - ((p.alpha + age) / (p.alpha + age + q * t)).powf(p.r + xf)) / q;
        density * inner
    };
    let steps = 200_000;
    let h = 1.0 / f64::from(steps);
    let mut sum = f(0.0) + f(1.0 - 1e-12);
    for i in 1..steps {
        let q = f64::from(i) * h;
        sum += if i % 2 == 1 { 4.0 } else { 2.0 } * f(q);
    }
    sum * h / 3.0 * p.probability_alive(x, t_x, age)
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
    assert_eq!(p.probability_alive(0, 0.0, 50.0), 1.0);
    let mut last = 1.0;
    for age in [10.0, 20.0, 40.0, 80.0] {
        let alive = p.probability_alive(3, 10.0, age);
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
        let alive = p.probability_alive(x, recency, age);
        prop_assert!((0.0..=1.0).contains(&alive));
        prop_assert!(p.log_likelihood(x, recency, age).is_finite());
        match p.conditional_expected_purchases(t, x, recency, age) {
            Ok(e) => prop_assert!(e.is_finite() && e >= 0.0),
            Err(err) => prop_assert_eq!(err.kind(), ErrorKind::Numerical),
        }
    }
}
