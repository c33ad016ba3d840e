//! Range checks of the attribution and experiment requests at both doors
//! (issue 20): a request parsed from JSON and the same request built in
//! Rust are refused the same way, with an error naming the field, instead
//! of panicking or answering out of range. Each case below panicked or
//! returned a result with a NaN or an impossible rate before the checks.

use chrono::{DateTime, Utc};
use crmkit::ErrorKind;
use crmkit::attribution::{
    AttributionRequest, Conversion, CustomerPath, DatasetAttributionRequest, Model, Touch,
    attribution_report, dataset_attribution_report,
};
use crmkit::experiments::{
    Beta, EffectSize, MetricKind, Proportion, SampleSizeRequest, SampleSummary, chi_square_test,
    compare_bayesian, sample_size, two_proportion_z_test, welch_t_test,
};
use crmkit::money::Currency;
use rust_decimal::Decimal;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("timestamp")
}

fn refused<T: std::fmt::Debug>(result: crmkit::Result<T>, path: &str) {
    let err = result.expect_err("out-of-range input must be refused");
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
    assert_eq!(err.path(), Some(path), "{err}");
}

fn journey(touch_at: DateTime<Utc>) -> CustomerPath {
    CustomerPath {
        touches: vec![Touch {
            channel: "email".into(),
            campaign: None,
            at: touch_at,
            direct: false,
        }],
        conversions: 1,
        value: Decimal::from(10),
        converted_at: None,
    }
}

fn rust_request(lookback_days: Option<u32>, touch_at: DateTime<Utc>) -> AttributionRequest {
    AttributionRequest {
        currency: Currency::new("USD").expect("usd"),
        journeys: vec![journey(touch_at)],
        models: vec![Model::Linear],
        lookback_days,
        spend: Vec::new(),
        scale: 6,
        top_paths: 10,
        direct_takes_last_touch: true,
    }
}

// JSON door: a lookback of u32::MAX days reached before year -262144 and
// panicked ("DateTime - TimeDelta overflowed"); zero days is refused too.
#[test]
fn json_attribution_lookback_out_of_range_is_refused() {
    for days in ["4294967295", "3652060", "0"] {
        let json = format!(
            r#"{{"currency": "USD", "lookback_days": {days}, "models": [{{"model": "linear"}}],
                "journeys": [{{"touches": [{{"channel": "email", "at": "2026-03-01T00:00:00Z"}}],
                               "conversions": 1, "value": "10"}}]}}"#
        );
        let request = AttributionRequest::from_json(&json).expect("parses");
        refused(attribution_report(&request), "lookback_days");
    }
    // The longest window is accepted and keeps the touch.
    let request = rust_request(Some(3_652_059), at("2026-03-01T00:00:00Z"));
    let report = attribution_report(&request).expect("the longest window works");
    assert_eq!(report.unattributed_conversions, Decimal::ZERO);
}

// Rust door: the same checks on a request built field by field, and
// instants outside years 1-9999 (chrono allows ±262,143) named by path.
#[test]
fn rust_attribution_request_out_of_range_is_refused() {
    let march = at("2026-03-01T00:00:00Z");
    refused(
        attribution_report(&rust_request(Some(u32::MAX), march)),
        "lookback_days",
    );
    refused(
        attribution_report(&rust_request(Some(0), march)),
        "lookback_days",
    );
    let far = at("+200000-01-01T00:00:00Z");
    refused(
        attribution_report(&rust_request(Some(90), far)),
        "journeys[0].touches[0].at",
    );
    let mut late = rust_request(None, march);
    late.journeys[0].converted_at = Some(DateTime::<Utc>::MAX_UTC);
    refused(attribution_report(&late), "journeys[0].converted_at");
    let mut shares = rust_request(None, march);
    shares.models = vec![Model::PositionBased {
        first: 0.7,
        last: 0.7,
    }];
    refused(attribution_report(&shares), "models[0].first");
    shares.models = vec![Model::Markov { order: 9 }];
    refused(attribution_report(&shares), "models[0].order");
    shares.models = vec![Model::TimeDecay {
        half_life_days: f64::NAN,
    }];
    refused(attribution_report(&shares), "models[0].half_life_days");
    shares.models = vec![Model::ShapleyRate {
        exact_up_to: 15,
        permutations: 0,
        seed: 0,
    }];
    refused(attribution_report(&shares), "models[0].permutations");
}

#[test]
fn rust_dataset_attribution_request_out_of_range_is_refused() {
    let dataset =
        crmkit::sample::generate(&crmkit::sample::SampleConfig::default()).expect("sample dataset");
    let request =
        |as_of: Option<DateTime<Utc>>, lookback_days: Option<u32>| DatasetAttributionRequest {
            conversion: Conversion::WonDeal,
            models: vec![Model::LastTouch],
            currency: None,
            as_of,
            lookback_days,
            touch_types: vec![crmkit::attribution::TouchType::EmailClick],
            direct_takes_last_touch: false,
            ad_touches: crmkit::attribution::AdTouches::default(),
            scale: 6,
            top_paths: 3,
        };
    refused(
        dataset_attribution_report(
            &dataset,
            &request(Some(at("+200000-01-01T00:00:00Z")), None),
        ),
        "as_of",
    );
    refused(
        dataset_attribution_report(&dataset, &request(None, Some(u32::MAX))),
        "lookback_days",
    );
    dataset_attribution_report(
        &dataset,
        &request(Some(at("2026-11-01T00:00:00Z")), Some(90)),
    )
    .expect("an in-range request runs");
}

// Rust door of the experiment functions: arms built field by field
// without `Proportion::new` / `SampleSummary::new`. Before, 20 conversions
// of 10 visitors gave a "rate" of 2 (z-test) or underflowed `visitors −
// conversions` (Bayesian), an empty arm divided by zero and one
// observation gave zero degrees of freedom.
#[test]
fn rust_experiment_arms_out_of_range_are_refused() {
    let good = Proportion::new(100, 10).expect("valid arm");
    let too_many = Proportion {
        visitors: 10,
        conversions: 20,
    };
    let empty = Proportion {
        visitors: 0,
        conversions: 0,
    };
    refused(
        two_proportion_z_test(good, too_many, 0.05),
        "variant.conversions",
    );
    refused(two_proportion_z_test(empty, good, 0.05), "control.visitors");
    refused(
        chi_square_test(&[good, too_many], false, 0.05),
        "arms[1].conversions",
    );
    refused(
        compare_bayesian(too_many, good, Beta::default(), 0.95),
        "control.conversions",
    );
    let summary = SampleSummary::new(50, 3.0, 1.0).expect("valid summary");
    let one = SampleSummary {
        n: 1,
        mean: 3.0,
        sd: 1.0,
    };
    refused(welch_t_test(summary, one, 0.05), "variant.n");
    let negative_sd = SampleSummary {
        n: 10,
        mean: 3.0,
        sd: -1.0,
    };
    refused(welch_t_test(negative_sd, summary, 0.05), "control.sd");
}

#[test]
fn rust_sample_size_request_out_of_range_is_refused() {
    let base = SampleSizeRequest {
        metric: MetricKind::Mean,
        baseline: f64::NAN,
        sd: Some(10.0),
        effect: Some(EffectSize::Absolute(1.0)),
        per_arm: None,
        alpha: 0.05,
        power: 0.8,
        arms: 2,
    };
    // Before: Ok with a NaN relative effect.
    refused(sample_size(&base), "baseline");
    let by_size = SampleSizeRequest {
        effect: None,
        per_arm: Some(1000),
        ..base
    };
    refused(sample_size(&by_size), "baseline");
    for (alpha, power, path) in [(1.0, 0.8, "alpha"), (0.05, 0.0, "power")] {
        let request = SampleSizeRequest {
            baseline: 50.0,
            alpha,
            power,
            ..base
        };
        refused(sample_size(&request), path);
    }
    let rate = SampleSizeRequest {
        metric: MetricKind::Conversion,
        baseline: 1.5,
        sd: None,
        ..base
    };
    refused(sample_size(&rate), "baseline");
    let arms = SampleSizeRequest {
        baseline: 50.0,
        arms: 1,
        ..base
    };
    refused(sample_size(&arms), "arms");
}

// The hardening fuzz round found the work of one call unbounded in the
// number of models: 2,000 copies of `{"model": "linear"}` took 9 s in a
// debug build. The list is capped at MAX_MODELS at both doors, and the
// dataset door refuses before it builds the paths.
#[test]
fn attribution_model_lists_longer_than_the_cap_are_refused() {
    use crmkit::attribution::MAX_MODELS;
    let mut request = rust_request(None, at("2026-03-01T00:00:00Z"));
    request.models = vec![Model::Linear; MAX_MODELS];
    attribution_report(&request).expect("MAX_MODELS models are allowed");
    request.models.push(Model::Linear);
    refused(attribution_report(&request), "models");

    let dataset =
        crmkit::sample::generate(&crmkit::sample::SampleConfig::default()).expect("sample");
    let dataset_request = DatasetAttributionRequest {
        conversion: Conversion::WonDeal,
        models: vec![Model::LastTouch; MAX_MODELS + 1],
        currency: None,
        as_of: None,
        lookback_days: None,
        touch_types: vec![crmkit::attribution::TouchType::EmailClick],
        direct_takes_last_touch: false,
        ad_touches: crmkit::attribution::AdTouches::default(),
        scale: 6,
        top_paths: 3,
    };
    refused(
        dataset_attribution_report(&dataset, &dataset_request),
        "models",
    );
}
