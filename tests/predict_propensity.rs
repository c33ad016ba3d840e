//! Propensity models: the logistic fit matches an independent Newton
//! solution, naive Bayes follows its counting formula, training on the
//! sample company respects protected attributes, and degenerate input gives
//! clear errors, never NaN.

use crmkit::ErrorKind;
use crmkit::model::Dataset;
use crmkit::predict::sim::{Rng, simulate_leads};
use crmkit::predict::{
    LogisticOptions, LogisticRegression, NaiveBayes, NaiveBayesOptions, ProfileSpec,
    PropensityModel, PropensitySpec, profile,
};
use crmkit::sample::SAMPLE_AS_OF;
use proptest::prelude::*;

fn sample() -> Dataset {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/sample_company.json"
    );
    let json = std::fs::read_to_string(path).expect("sample data");
    Dataset::from_json(&json).expect("valid sample")
}

/// Plain Newton's method on the same penalised objective, with dense
/// Gaussian elimination: written independently of the library.
#[allow(clippy::needless_range_loop)]
fn reference_newton(x: &[Vec<f64>], y: &[bool], l2: f64) -> Vec<f64> {
    let k = x[0].len() + 1;
    let mut beta = vec![0.0; k];
    for _ in 0..100 {
        let mut g = vec![0.0; k];
        let mut h = vec![vec![0.0; k]; k];
        for (row, &yi) in x.iter().zip(y) {
            let mut v = vec![1.0];
            v.extend_from_slice(row);
            let z: f64 = v.iter().zip(&beta).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            for i in 0..k {
                g[i] += (if yi { 1.0 } else { 0.0 } - p) * v[i];
                for j in 0..k {
                    h[i][j] += p * (1.0 - p) * v[i] * v[j];
                }
            }
        }
        for i in 1..k {
            g[i] -= l2 * beta[i];
            h[i][i] += l2;
        }
        // Solve h d = g by Gaussian elimination with partial pivoting.
        let mut m: Vec<Vec<f64>> = h
            .iter()
            .zip(&g)
            .map(|(r, gi)| {
                let mut r = r.clone();
                r.push(*gi);
                r
            })
            .collect();
        for c in 0..k {
            let pivot = (c..k)
                .max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs()))
                .unwrap();
            m.swap(c, pivot);
            for r in c + 1..k {
                let f = m[r][c] / m[c][c];
                for cc in c..=k {
                    m[r][cc] -= f * m[c][cc];
                }
            }
        }
        let mut d = vec![0.0; k];
        for r in (0..k).rev() {
            let s: f64 = (r + 1..k).map(|c| m[r][c] * d[c]).sum();
            d[r] = (m[r][k] - s) / m[r][r];
        }
        for i in 0..k {
            beta[i] += d[i];
        }
        if d.iter().all(|v| v.abs() < 1e-14) {
            break;
        }
    }
    beta
}

#[test]
fn logistic_fit_matches_a_reference_newton_solution_to_1e_6() {
    let mut rng = Rng::new(42);
    let (flat, y) = simulate_leads(&mut rng, 60, -0.3, &[1.2, -0.7, 0.4]);
    let rows: Vec<Vec<f64>> = flat.chunks(3).map(<[f64]>::to_vec).collect();
    for l2 in [0.0, 0.5, 3.0] {
        let model = LogisticRegression::fit(
            &flat,
            3,
            &y,
            &LogisticOptions {
                l2,
                max_iterations: 100,
            },
        )
        .expect("fits");
        let want = reference_newton(&rows, &y, l2);
        assert!((model.intercept - want[0]).abs() < 1e-6, "l2={l2}");
        for (got, want) in model.coefficients.iter().zip(&want[1..]) {
            assert!((got - want).abs() < 1e-6, "l2={l2}: {got} vs {want}");
        }
        assert!(model.convergence.converged);
    }
}

#[test]
fn logistic_fit_recovers_simulated_coefficients() {
    let truth = [0.8, -1.5, 0.0, 0.6];
    let mut rng = Rng::new(7);
    let (x, y) = simulate_leads(&mut rng, 50_000, -1.0, &truth);
    let model = LogisticRegression::fit(&x, 4, &y, &LogisticOptions::default()).expect("fits");
    assert!((model.intercept + 1.0).abs() < 0.05);
    for (got, want) in model.coefficients.iter().zip(truth) {
        assert!((got - want).abs() < 0.05, "{got} vs {want}");
    }
    let mut out = vec![0.0; 2];
    model.predict_into(&x[..8], &mut out).expect("two rows");
    assert!((out[0] - model.probability(&x[..4])).abs() < 1e-15);
    assert!(model.predict_into(&x[..7], &mut out).is_err());
}

#[test]
fn degenerate_training_sets_give_clear_errors() {
    let x = [0.0, 1.0, 2.0, 3.0];
    let err = LogisticRegression::fit(&x, 1, &[true; 4], &LogisticOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    let err = LogisticRegression::fit(&x, 1, &[false; 4], &LogisticOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    // A constant feature: fine with a penalty (its coefficient stays 0),
    // a singular Hessian without.
    let constant = [1.0, 1.0, 1.0, 1.0];
    let y = [true, false, true, false];
    let model =
        LogisticRegression::fit(&constant, 1, &y, &LogisticOptions::default()).expect("fits");
    assert!(model.coefficients[0].abs() < 1e-9 && model.intercept.is_finite());
    let err = LogisticRegression::fit(
        &constant,
        1,
        &y,
        &LogisticOptions {
            l2: 0.0,
            max_iterations: 50,
        },
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Numerical);
    // Separable data without penalty does not converge.
    let err = LogisticRegression::fit(
        &x,
        1,
        &[false, false, true, true],
        &LogisticOptions {
            l2: 0.0,
            max_iterations: 50,
        },
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Numerical);
    let err = LogisticRegression::fit(
        &[0.0, f64::NAN],
        1,
        &[true, false],
        &LogisticOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.path(), Some("x[1]"));
    assert!(NaiveBayes::fit(&[0, 1], &[2], &[true, true], &NaiveBayesOptions::default()).is_err());
}

#[test]
fn naive_bayes_uses_smoothed_frequencies_and_clamps_its_probabilities() {
    // One feature with two values; value 0: 3 won 1 lost, value 1: 0 won 2 lost.
    let codes = [0, 0, 0, 0, 1, 1];
    let y = [true, true, true, false, false, false];
    let nb = NaiveBayes::fit(&codes, &[2], &y, &NaiveBayesOptions::default()).expect("fits");
    let p_won: f64 = (3.0 + 1.0) / (3.0 + 2.0);
    let p_lost = (1.0 + 1.0) / (3.0 + 2.0);
    assert!((nb.log_ratios[0][0] - (p_won / p_lost).ln()).abs() < 1e-12);
    assert!(nb.prior_log_odds.abs() < 1e-12);
    let z: f64 = (p_won / p_lost).ln();
    assert!((nb.probability(&[0]) - 1.0 / (1.0 + (-z).exp())).abs() < 1e-12);
    // Strong evidence is clamped to [0.05, 0.95].
    let options = NaiveBayesOptions {
        smoothing: 0.01,
        min_probability: 0.05,
    };
    let codes: Vec<u32> = (0..200).map(|i| u32::from(i % 2 == 0)).collect();
    let y: Vec<bool> = (0..200).map(|i| i % 2 == 0).collect();
    let nb = NaiveBayes::fit(&codes, &[2], &y, &options).expect("fits");
    assert_eq!(nb.probability(&[1]), 0.95);
    assert_eq!(nb.probability(&[0]), 0.05);
    // An unseen code contributes nothing.
    assert!((nb.probability(&[7]) - 0.5).abs() < 1e-12);
}

const SPEC: &str = r#"{"model": "naive_bayes", "features": [
    {"type": "category", "field": "company.industry"},
    {"type": "number", "field": "company.employees"},
    {"type": "activity_count", "activity": "meeting"},
    {"type": "deal_value"}]}"#;

#[test]
fn training_on_the_sample_predicts_every_open_deal_with_reasons() {
    let dataset = sample();
    for model_kind in ["naive_bayes", "logistic"] {
        let json = SPEC.replace("naive_bayes", model_kind);
        let spec = PropensitySpec::from_json(&json).expect("valid spec");
        let model = PropensityModel::train(&dataset, &spec, SAMPLE_AS_OF).expect("trains");
        let evaluation = model.training.evaluation.as_ref().expect("hold-out");
        assert!(evaluation.examples > 0);
        let predictions = model.predict(&dataset, SAMPLE_AS_OF).expect("predicts");
        let open = dataset.deals().iter().filter(|d| d.is_open()).count();
        let with_deal = predictions.iter().filter(|p| p.deal.is_some()).count();
        assert_eq!(with_deal, open);
        // Lead contacts without an open deal are scored too, once each.
        let mut contacts: Vec<_> = predictions
            .iter()
            .filter(|p| p.deal.is_none())
            .map(|p| &p.contact)
            .collect();
        let before = contacts.len();
        contacts.sort();
        contacts.dedup();
        assert_eq!(contacts.len(), before);
        for p in predictions.iter().filter(|p| p.deal.is_none()) {
            let contact = dataset.contact(&p.contact).expect("exists");
            assert!(contact.lifecycle.stage.is_lead());
            assert!(dataset.deals_of_contact(&p.contact).all(|d| !d.is_open()));
            assert!(
                p.contributions
                    .iter()
                    .any(|c| c.feature == "deal_value" && c.value == "(missing)")
            );
        }
        for pair in predictions.windows(2) {
            assert!(pair[0].probability >= pair[1].probability);
        }
        for p in &predictions {
            assert!(p.probability > 0.0 && p.probability < 1.0);
            assert_eq!(p.contributions.len(), 4);
            assert_eq!(p.expected_value.currency.as_str(), "USD");
            assert!(!p.uses_protected);
        }
        // The model survives a JSON round trip with the same predictions.
        let again = PropensityModel::from_json(&model.to_json().expect("json")).expect("loads");
        let repeat = again.predict(&dataset, SAMPLE_AS_OF).expect("predicts");
        for (a, b) in predictions.iter().zip(&repeat) {
            assert_eq!(a.deal, b.deal);
            assert!((a.probability - b.probability).abs() < 1e-12);
        }
    }
}

#[test]
fn the_hold_out_split_is_deterministic() {
    let dataset = sample();
    let spec = PropensitySpec::from_json(SPEC).expect("valid");
    let a = PropensityModel::train(&dataset, &spec, SAMPLE_AS_OF).expect("trains");
    let b = PropensityModel::train(&dataset, &spec, SAMPLE_AS_OF).expect("trains");
    assert_eq!(a, b);
}

#[test]
fn protected_attributes_are_refused_unless_allowed() {
    let dataset = sample();
    let json = r#"{"features": [{"type": "number", "field": "contact.age"}]}"#;
    let err = PropensitySpec::from_json(json).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ProtectedAttribute);
    assert_eq!(err.path(), Some("features[0].field"));
    let allowed =
        r#"{"features": [{"type": "number", "field": "contact.age"}], "allow_protected": ["age"]}"#;
    let spec = PropensitySpec::from_json(allowed).expect("allowed");
    let model = PropensityModel::train(&dataset, &spec, SAMPLE_AS_OF).expect("trains");
    assert!(
        model
            .predict(&dataset, SAMPLE_AS_OF)
            .expect("predicts")
            .iter()
            .all(|p| p.uses_protected)
    );
    let profile_spec = r#"{"outcome": {"type": "top_revenue", "fraction": 0.2},
        "features": [{"type": "category", "field": "contact.gender"}]}"#;
    assert_eq!(
        ProfileSpec::from_json(profile_spec).unwrap_err().kind(),
        ErrorKind::ProtectedAttribute
    );
}

#[test]
fn bad_specs_name_the_json_path() {
    let err = PropensitySpec::from_json(
        r#"{"features": [{"type": "category", "field": "contact.shoe"}]}"#,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Json);
    // Internally tagged features are read whole: the path names the feature.
    assert_eq!(err.path(), Some("features[0]"));
    assert!(err.message().contains("contact.shoe"), "{err}");
    let err = PropensitySpec::from_json(
        r#"{"features": [{"type": "activity_count", "activity": "dance"}]}"#,
    )
    .unwrap_err();
    assert_eq!(err.path(), Some("features[0].activity"));
    let err = PropensitySpec::from_json(r#"{"features": [], "holdout_percent": 20}"#).unwrap_err();
    assert_eq!(err.path(), Some("features"));
}

#[test]
fn the_ideal_customer_profile_reports_over_represented_values() {
    let dataset = sample();
    let spec = ProfileSpec::from_json(
        r#"{"outcome": {"type": "top_revenue", "fraction": 0.25}, "min_support": 0.0,
            "features": [{"type": "category", "field": "company.industry"},
                         {"type": "activity_count", "activity": "meeting"}]}"#,
    )
    .expect("valid");
    let report = profile(&dataset, &spec, SAMPLE_AS_OF).expect("profiles");
    assert!(report.group > 0 && report.group < report.population);
    assert!(!report.indicators.is_empty());
    for i in &report.indicators {
        assert!(i.lift > 1.0);
        let share = i.population_count as f64 / report.population as f64;
        assert!((i.lift - i.support / share).abs() < 1e-12);
        assert!((i.support - i.group_count as f64 / report.group as f64).abs() < 1e-12);
    }
    let churn = ProfileSpec::from_json(
        r#"{"outcome": {"type": "churned", "inactive_days": 90},
            "features": [{"type": "category", "field": "contact.country"}]}"#,
    )
    .expect("valid");
    let report = profile(&dataset, &churn, SAMPLE_AS_OF).expect("profiles");
    assert!(report.group > 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn logistic_fits_on_hostile_matrices_are_finite_or_clear_errors(
        rows in prop::collection::vec((prop::collection::vec(prop_oneof![-1e6f64..1e6, Just(0.0), Just(f64::NAN)], 2), any::<bool>()), 0..30),
        l2 in prop_oneof![Just(0.0), 0.0f64..10.0, Just(-1.0)],
    ) {
        let x: Vec<f64> = rows.iter().flat_map(|r| r.0.clone()).collect();
        let y: Vec<bool> = rows.iter().map(|r| r.1).collect();
        match LogisticRegression::fit(&x, 2, &y, &LogisticOptions { l2, max_iterations: 50 }) {
            Ok(model) => {
                prop_assert!(model.intercept.is_finite());
                let mut out = vec![0.0; y.len()];
                model.predict_into(&x, &mut out).expect("same shape");
                prop_assert!(out.iter().all(|p| (0.0..=1.0).contains(p)));
            }
            Err(err) => prop_assert!(matches!(err.kind(), ErrorKind::Numerical | ErrorKind::Invalid)),
        }
    }

    #[test]
    fn naive_bayes_probabilities_stay_inside_the_clamp(
        rows in prop::collection::vec((0u32..4, 0u32..3, any::<bool>()), 0..40),
    ) {
        let codes: Vec<u32> = rows.iter().flat_map(|r| [r.0, r.1]).collect();
        let y: Vec<bool> = rows.iter().map(|r| r.2).collect();
        match NaiveBayes::fit(&codes, &[4, 3], &y, &NaiveBayesOptions::default()) {
            Ok(nb) => {
                for r in &rows {
                    let p = nb.probability(&[r.0, r.1]);
                    prop_assert!((0.01..=0.99).contains(&p));
                }
            }
            Err(err) => prop_assert_eq!(err.kind(), ErrorKind::Invalid),
        }
    }
}

#[test]
fn large_fits_started_from_a_subsample_reach_the_full_sample_optimum() {
    // 250,000 rows: Newton starts from a 1-in-16 subsample fit.
    let truth = [0.9, -0.4, 0.2];
    let mut rng = Rng::new(99);
    let (x, y) = simulate_leads(&mut rng, 250_000, 0.3, &truth);
    let l2 = 2.0;
    let model = LogisticRegression::fit(
        &x,
        3,
        &y,
        &LogisticOptions {
            l2,
            max_iterations: 100,
        },
    )
    .expect("fits");
    // The penalised gradient, computed here, vanishes at the solution.
    let mut g = [0.0_f64; 4];
    for (row, &won) in x.chunks(3).zip(&y) {
        let z = model.intercept
            + row
                .iter()
                .zip(&model.coefficients)
                .map(|(a, b)| a * b)
                .sum::<f64>();
        let p = 1.0 / (1.0 + (-z).exp());
        let r = if won { 1.0 } else { 0.0 } - p;
        g[0] += r;
        for j in 0..3 {
            g[j + 1] += r * row[j];
        }
    }
    for j in 0..3 {
        g[j + 1] -= l2 * model.coefficients[j];
    }
    for v in g {
        assert!(v.abs() < 1e-6, "gradient {g:?}");
    }
}

#[test]
fn training_as_of_a_past_date_uses_only_deals_closed_by_then() {
    let dataset = sample();
    let spec = PropensitySpec::from_json(SPEC).expect("valid");
    let now = PropensityModel::train(&dataset, &spec, SAMPLE_AS_OF).expect("trains");
    let earlier = SAMPLE_AS_OF - chrono::Duration::days(120);
    let closed_by_then = dataset
        .deals()
        .iter()
        .filter(|d| d.closed_at.is_some_and(|c| c <= earlier))
        .count();
    match PropensityModel::train(&dataset, &spec, earlier) {
        Ok(past) => {
            let used = past.training.train_examples + past.training.holdout_examples;
            assert_eq!(used, closed_by_then);
            assert!(used < now.training.train_examples + now.training.holdout_examples);
        }
        Err(err) => assert_eq!(err.kind(), ErrorKind::Invalid),
    }
}
