//! Experiment statistics against published worked examples and exact
//! references. Every expected value below is either the published figure
//! of the cited example or, for digits beyond the published rounding, the
//! same formula evaluated by mpmath 1.3.0 at 40 significant digits (the
//! script's inputs are the example's data; nothing is fitted).

#![allow(clippy::excessive_precision)] // reference values keep the digits they were printed with

use crmkit::ErrorKind;
use crmkit::experiments::{
    Beta, EffectSize, ExperimentRequest, MetricKind, PlanMetric, Proportion, SampleSizeRequest,
    SampleSummary, SequentialOptions, analyze, chi_square_test, compare_bayesian,
    minimum_detectable_effect, msprt, probability_greater, sample_ratio_mismatch, sample_size,
    two_proportion_z_test, welch_t_test,
};
use proptest::prelude::*;

fn assert_close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:.17e}, want {want:.17e} (tolerance {tol:e})"
    );
}

fn arm(visitors: u64, conversions: u64) -> Proportion {
    Proportion::new(visitors, conversions).unwrap()
}

// statsmodels' documentation example for `proportions_ztest`: counts
// [5, 12] of nobs [83, 99]; published p-value "0.159" (three decimals).
// z = (12/99 − 5/83) / √(p̄ q̄ (1/83 + 1/99)), p̄ = 17/182:
// z = 1.407830415125878389, p = 2Φ(−z) = 0.1591812918115700157.
#[test]
fn z_test_matches_the_statsmodels_example() {
    let r = two_proportion_z_test(arm(83, 5), arm(99, 12), 0.05).unwrap();
    assert_eq!(r.test.test, "two_proportion_z_test");
    assert_close(r.test.statistic, 1.407_830_415_125_878_4, 1e-9, "z");
    assert_close(r.test.p_value, 0.159_181_291_811_570_02, 1e-9, "p");
    assert_eq!(format!("{:.3}", r.test.p_value), "0.159");
    assert!(!r.test.significant);
    // Wald interval: (12/99 − 5/83) ± 1.959964 √(p̂₁q̂₁/83 + p̂₂q̂₂/99).
    assert_close(
        r.difference.low,
        -0.021_207_895_074_544_257,
        1e-9,
        "diff low",
    );
    assert_close(
        r.difference.high,
        0.143_150_209_787_943_31,
        1e-9,
        "diff high",
    );
    // Lift (12/99)/(5/83) − 1 = 1.0121..., Katz log interval.
    let lift = r.lift.unwrap();
    assert_close(lift.estimate, 1.012_121_212_121_212_1, 1e-9, "lift");
    assert_close(lift.low, -0.261_011_680_265_341_01, 1e-9, "lift low");
    assert_close(lift.high, 4.478_614_024_267_443, 1e-9, "lift high");
    // 5 expected conversions per arm is the rule of thumb: 83 × 17/182 = 7.75.
    assert!(r.test.assumptions_hold());
}

// scipy's documentation example for `chi2_contingency`:
// [[10, 10, 20], [20, 20, 20]] gives statistic 2.7777777777777777,
// p-value 0.24935220877729619, dof 2. As arms: 30, 30 and 40 visitors
// with 10, 10 and 20 conversions.
#[test]
fn chi_square_matches_the_scipy_example() {
    let r = chi_square_test(&[arm(30, 10), arm(30, 10), arm(40, 20)], false, 0.05).unwrap();
    assert_close(r.statistic, 2.777_777_777_777_777_7, 1e-9, "chi2");
    assert_close(r.p_value, 0.249_352_208_777_296_19, 1e-9, "p");
    assert_eq!(r.degrees_of_freedom, Some(2.0));
}

// Without correction a 2 × 2 chi-square is z²; with Yates' correction
// (statsmodels example data) χ² = 1.327372906523734434, p = 0.24927311867487489.
#[test]
fn chi_square_of_two_arms_is_z_squared_and_yates_corrects_it() {
    let z = two_proportion_z_test(arm(83, 5), arm(99, 12), 0.05).unwrap();
    let plain = chi_square_test(&[arm(83, 5), arm(99, 12)], false, 0.05).unwrap();
    assert_close(plain.statistic, z.test.statistic.powi(2), 1e-9, "z squared");
    assert_close(plain.p_value, z.test.p_value, 1e-9, "same p");
    let yates = chi_square_test(&[arm(83, 5), arm(99, 12)], true, 0.05).unwrap();
    assert_eq!(yates.test, "pearson_chi_square_yates");
    assert_close(yates.statistic, 1.327_372_906_523_734_4, 1e-9, "yates chi2");
    assert_close(yates.p_value, 0.249_273_118_674_874_89, 1e-9, "yates p");
}

// Wikipedia, "Welch's t-test", Examples, first pair of samples
// (A₁ and A₂, 15 values each): published t = 2.46 (sign by order),
// ν = 25.0, p = 0.021. Full precision: t = 2.455356398286005063,
// ν = 24.98852929023141436, p = 0.021378001462867032; 95% interval of the
// difference 2.1666...: [0.3492370661924052, 3.984096267140928].
#[test]
fn welch_matches_the_wikipedia_example() {
    let a1 = [
        27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4,
    ];
    let a2 = [
        27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4,
    ];
    let c = SampleSummary::from_values(&a1).unwrap();
    let v = SampleSummary::from_values(&a2).unwrap();
    let r = welch_t_test(c, v, 0.05).unwrap();
    assert_close(r.test.statistic, 2.455_356_398_286_005, 1e-9, "t");
    assert_close(
        r.test.degrees_of_freedom.unwrap(),
        24.988_529_290_231_414,
        1e-9,
        "df",
    );
    assert_close(r.test.p_value, 0.021_378_001_462_867_032, 1e-9, "p");
    assert_close(r.difference.low, 0.349_237_066_192_405_2, 1e-9, "ci low");
    assert_close(r.difference.high, 3.984_096_267_140_928, 1e-9, "ci high");
    assert!(r.test.significant);
    // 15 per arm is below the n >= 30 rule of thumb: reported, not hidden.
    assert!(!r.test.assumptions_hold());
}

// Evan Miller's closed form for A = Beta(1+100, 1+900), B = Beta(1+130,
// 1+870), checked in mpmath both by the sum and by numerical integration
// ∫ f_A(x) (1 − I_x(α_B, β_B)) dx: 0.9821650661163505218. Expected losses
// (Stucchio): choosing B 9.237449150470706e-5, choosing A
// 0.030032494251983749; credible intervals from the Beta quantiles.
#[test]
fn bayesian_matches_miller_closed_form_and_integration() {
    let r = compare_bayesian(arm(1000, 100), arm(1000, 130), Beta::default(), 0.95).unwrap();
    assert_close(
        r.probability_variant_beats_control,
        0.982_165_066_116_350_5,
        1e-9,
        "P(B>A)",
    );
    assert_close(
        r.expected_loss_choosing_variant,
        9.237_449_150_470_706e-5,
        1e-9,
        "loss B",
    );
    assert_close(
        r.expected_loss_choosing_control,
        0.030_032_494_251_983_75,
        1e-9,
        "loss A",
    );
    // E[p_B − p_A] = loss(A) − loss(B) = 30/1002.
    assert_close(
        r.expected_loss_choosing_control - r.expected_loss_choosing_variant,
        30.0 / 1002.0,
        1e-12,
        "mean difference",
    );
    assert_close(r.control_rate.low, 0.082_936_398_495_817_85, 1e-9, "A low");
    assert_close(r.control_rate.high, 0.120_169_129_875_860_6, 1e-9, "A high");
    assert_close(r.variant_rate.low, 0.110_586_653_888_051_41, 1e-9, "B low");
    assert_close(
        r.variant_rate.high,
        0.152_286_185_352_726_43,
        1e-9,
        "B high",
    );
}

#[test]
fn probability_greater_is_complementary_and_handles_large_counts() {
    let a = Beta {
        alpha: 2001.0,
        beta: 98001.0,
    };
    let b = Beta {
        alpha: 2101.0,
        beta: 97901.0,
    };
    let p = probability_greater(b, a).unwrap();
    let q = probability_greater(a, b).unwrap();
    assert_close(p + q, 1.0, 1e-9, "complement");
    assert!(p > 0.9 && p < 1.0);
    // A non-integer prior alpha on both sides has no closed form.
    let err = probability_greater(
        Beta {
            alpha: 1.5,
            beta: 2.0,
        },
        Beta {
            alpha: 2.5,
            beta: 1.0,
        },
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
}

// n = (z₀.₉₇₅ √(2 p̄ q̄) + z₀.₈ √(p₁q₁ + p₂q₂))² / (p₂ − p₁)² for 10% → 12%:
// 3840.8474824362725 → 3841 per arm. Means, σ = 25, δ = 5:
// 2 (z₀.₉₇₅ + z₀.₈)² σ²/δ² = 392.44 → 393.
#[test]
fn sample_size_and_mde_follow_the_normal_formulas() {
    let plan = sample_size(&SampleSizeRequest {
        metric: MetricKind::Conversion,
        baseline: 0.10,
        sd: None,
        effect: Some(EffectSize::Relative(0.20)),
        per_arm: None,
        alpha: 0.05,
        power: 0.8,
        arms: 3,
    })
    .unwrap();
    assert_eq!(plan.per_arm, 3841);
    assert_eq!(plan.total, 3 * 3841);
    let json = SampleSizeRequest::from_json(
        r#"{"metric":"mean","baseline":50,"sd":25,"effect":{"absolute":5}}"#,
    )
    .unwrap();
    assert_eq!(sample_size(&json).unwrap().per_arm, 393);
    let json =
        SampleSizeRequest::from_json(r#"{"metric":"mean","baseline":50,"sd":25,"per_arm":1000}"#)
            .unwrap();
    let mde = sample_size(&json).unwrap();
    assert_eq!(mde.solved_for, "minimum_detectable_effect");
    assert_close(
        mde.absolute_effect,
        3.132_267_496_229_586,
        1e-9,
        "mde via request",
    );
    let mde = minimum_detectable_effect(
        PlanMetric::Mean {
            baseline_mean: 50.0,
            sd: 25.0,
        },
        1000,
        0.05,
        0.8,
    )
    .unwrap();
    assert_close(mde.absolute, 3.132_267_496_229_586, 1e-9, "mde mean");
    let mde = minimum_detectable_effect(
        PlanMetric::Conversion { baseline_rate: 0.1 },
        3841,
        0.05,
        0.8,
    )
    .unwrap();
    assert_close(mde.absolute, 0.019_999_586_570_913_72, 1e-9, "mde rate");
    let bad = SampleSizeRequest::from_json(
        r#"{"metric":"conversion","baseline":0.95,"effect":{"absolute":0.1}}"#,
    )
    .unwrap();
    assert_eq!(sample_size(&bad).unwrap_err().kind(), ErrorKind::Invalid);
}

// 5000 vs 5200 on a 50/50 plan: χ² = 200²/5100·... = 3.9215686, p = 0.0476704:
// suspicious at 0.05 but not at the 0.001 convention.
#[test]
fn sample_ratio_mismatch_uses_chi_square_goodness_of_fit() {
    let r = sample_ratio_mismatch(&[5000, 5200], &[], 0.001).unwrap();
    assert_close(r.test.statistic, 3.921_568_627_450_980_4, 1e-9, "chi2");
    assert_close(r.test.p_value, 0.047_670_380_656_161_45, 1e-9, "p");
    assert!(!r.mismatch);
    assert!(
        sample_ratio_mismatch(&[5000, 5600], &[], 0.001)
            .unwrap()
            .mismatch
    );
    // A planned 1:3 split fits 2500:7500 exactly.
    let planned = sample_ratio_mismatch(&[2500, 7500], &[1.0, 3.0], 0.001).unwrap();
    assert_close(planned.test.statistic, 0.0, 1e-12, "exact fit");
}

// Johari et al.'s mixture ratio for 100/1000 vs 130/1000, τ = 0.05:
// ln Λ = 0.75495374710364697, always-valid p = 1/Λ = 0.47003235458554768.
#[test]
fn msprt_matches_the_normal_mixture_formula() {
    let (pa, pb) = (0.1, 0.13);
    let variance = pa * (1.0 - pa) / 1000.0 + pb * (1.0 - pb) / 1000.0;
    let options = SequentialOptions {
        mixing_sd: 0.05,
        previous_p_value: None,
    };
    let r = msprt(pb - pa, variance, &options, 0.05).unwrap();
    assert_close(
        r.log_likelihood_ratio,
        0.754_953_747_103_646_97,
        1e-9,
        "ln L",
    );
    assert_close(r.always_valid_p_value, 0.470_032_354_585_547_68, 1e-9, "p");
    assert!(!r.reject_null);
    let earlier = SequentialOptions {
        mixing_sd: 0.05,
        previous_p_value: Some(0.2),
    };
    assert_eq!(
        msprt(pb - pa, variance, &earlier, 0.05)
            .unwrap()
            .always_valid_p_value,
        0.2
    );
}

#[test]
fn analysis_gives_verdicts_warnings_and_errors_with_paths() {
    let request = |extra: &str| {
        ExperimentRequest::from_json(&format!(
            r#"{{"metric":"conversion","arms":[{{"name":"A","visitors":1000,"conversions":100}},
                {{"name":"B","visitors":1000,"conversions":130}}]{extra}}}"#
        ))
        .unwrap()
    };
    let plain = analyze(&request("")).unwrap();
    assert_eq!(plain.comparisons[0].verdict.code, "variant_better");
    assert!(plain.warnings.is_empty());
    let early = analyze(&request(r#","planned_per_arm":3841"#)).unwrap();
    assert_eq!(early.comparisons[0].verdict.code, "keep_running");
    assert_eq!(early.warnings[0].code, "peeking");
    let sequential = analyze(&request(
        r#","planned_per_arm":3841,"sequential":{"mixing_sd":0.05}"#,
    ))
    .unwrap();
    assert!(sequential.warnings.is_empty());
    assert_eq!(sequential.comparisons[0].verdict.code, "keep_running");
    assert!(sequential.comparisons[0].verdict.reason.contains("mSPRT"));

    // Three arms: Bonferroni doubles the p-values.
    let abn = analyze(
        &ExperimentRequest::from_json(
            r#"{"metric":"conversion","control":"B","arms":[
                {"name":"A","visitors":1000,"conversions":100},
                {"name":"B","visitors":1000,"conversions":130},
                {"name":"C","visitors":1000,"conversions":131}]}"#,
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(abn.comparisons.len(), 2);
    assert_eq!(abn.comparisons[0].variant, "A");
    assert_eq!(abn.comparisons[0].control, "B");
    let c = &abn.comparisons[0];
    let raw = c.proportions.as_ref().unwrap().test.p_value;
    assert_close(c.adjusted_p_value.unwrap(), 2.0 * raw, 1e-15, "bonferroni");
    assert_eq!(
        abn.chi_square.as_ref().unwrap().degrees_of_freedom,
        Some(2.0)
    );

    // Means with raw values.
    let means = analyze(
        &ExperimentRequest::from_json(
            r#"{"metric":"mean","arms":[{"name":"A","values":[1,2,3,4]},{"name":"B","n":4,"mean":2.5,"sd":1.2909944487358056}]}"#,
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        means.comparisons[0].verdict.code,
        "no_significant_difference"
    );
    assert!(
        means
            .warnings
            .iter()
            .any(|w| w.code == "assumption_violated")
    );

    // An empty arm is an error naming it; zero conversions everywhere is a warning.
    let empty = ExperimentRequest::from_json(
        r#"{"metric":"conversion","arms":[{"name":"A","visitors":10,"conversions":1},{"name":"B","visitors":0,"conversions":0}]}"#,
    )
    .unwrap();
    let err = analyze(&empty).unwrap_err();
    assert_eq!(err.path(), Some("arms[1].visitors"));
    let none = ExperimentRequest::from_json(
        r#"{"metric":"conversion","arms":[{"name":"A","visitors":10,"conversions":0},{"name":"B","visitors":10,"conversions":0}]}"#,
    )
    .unwrap();
    let r = analyze(&none).unwrap();
    assert_eq!(r.comparisons[0].verdict.code, "undefined");
    assert!(r.warnings.iter().any(|w| w.code == "test_undefined"));
    assert!(!serde_json::to_string(&r).unwrap().contains("NaN"));
    let err =
        ExperimentRequest::from_json(r#"{"metric":"conversion","arms":[],"alpah":1}"#).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Json);
}

proptest! {
    #[test]
    fn analysis_never_panics_or_yields_non_finite_numbers(
        arms in prop::collection::vec((0u64..5000, 0u64..5000), 0..5),
        alpha in 0.0f64..1.2,
        planned in prop::option::of(0u64..10000),
        tau in prop::option::of(-0.1f64..0.3),
    ) {
        let arms: Vec<String> = arms
            .iter()
            .enumerate()
            .map(|(i, (v, c))| format!(r#"{{"name":"{i}","visitors":{v},"conversions":{c}}}"#))
            .collect();
        let mut json = format!(r#"{{"metric":"conversion","alpha":{alpha},"arms":[{}]"#, arms.join(","));
        if let Some(p) = planned {
            json.push_str(&format!(r#","planned_per_arm":{p}"#));
        }
        if let Some(t) = tau {
            json.push_str(&format!(r#","sequential":{{"mixing_sd":{t}}}"#));
        }
        json.push('}');
        let request = ExperimentRequest::from_json(&json).unwrap();
        if let Ok(analysis) = analyze(&request) {
            let text = serde_json::to_string(&analysis).unwrap();
            // serde_json writes a non-finite f64 as null; no field is
            // ever legitimately null (absent options are left out).
            prop_assert!(!text.contains(":null"), "non-finite number in {text}");
            for c in &analysis.comparisons {
                if let Some(b) = &c.bayesian {
                    prop_assert!((0.0..=1.0).contains(&b.probability_variant_beats_control));
                }
            }
        }
    }

    #[test]
    fn any_text_is_refused_or_analysed_without_panic(text in ".{0,200}") {
        if let Ok(request) = ExperimentRequest::from_json(&text) {
            let _ = analyze(&request);
        }
    }
}
