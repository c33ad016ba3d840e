//! Predictive models on datasets: RFM summaries from purchase activities,
//! the CLV report and at-risk ranking on the sample company, degenerate
//! datasets, and hostile JSON for every loader.

use crmkit::ErrorKind;
use crmkit::model::{Dataset, Timestamp};
use crmkit::predict::{
    ClvModel, ClvReportOptions, ProfileSpec, PropensityModel, PropensitySpec, RfmOptions,
    RiskReason, TimeUnit, at_risk, clv_report, rfm_from_dataset,
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

fn at(text: &str) -> Timestamp {
    text.parse().expect("RFC 3339")
}

const SMALL: &str = r#"{
  "reporting_currency": "USD",
  "pipelines": [{"id": "p", "name": "P", "stages": [
    {"id": "open", "name": "Open", "probability": 20},
    {"id": "won", "name": "Won", "probability": 100, "kind": "won"},
    {"id": "lost", "name": "Lost", "probability": 0, "kind": "lost"}]}],
  "contacts": [
    {"id": "C-1", "name": "A", "created_at": "2024-01-01T00:00:00Z", "country": "DE"},
    {"id": "C-2", "name": "B", "created_at": "2024-01-01T00:00:00Z", "country": "FR"}],
  "deals": [
    {"id": "D-1", "contact": "C-1", "pipeline": "p", "stage": "won", "status": "won",
     "value": {"amount": "100", "currency": "USD"},
     "created_at": "2024-01-02T00:00:00Z", "closed_at": "2024-01-10T00:00:00Z"},
    {"id": "D-2", "contact": "C-2", "pipeline": "p", "stage": "won", "status": "won",
     "value": {"amount": "200", "currency": "USD"},
     "created_at": "2024-01-02T00:00:00Z", "closed_at": "2024-01-12T00:00:00Z"},
    {"id": "D-3", "contact": "C-2", "pipeline": "p", "stage": "open",
     "value": {"amount": "50", "currency": "USD"}, "created_at": "2024-02-01T00:00:00Z"}],
  "activities": [
    {"id": "A-1", "contact": "C-1", "at": "2024-01-10T10:00:00Z",
     "kind": {"type": "purchase", "amount": {"amount": "100", "currency": "USD"}}},
    {"id": "A-2", "contact": "C-1", "at": "2024-01-10T15:00:00Z",
     "kind": {"type": "purchase", "amount": {"amount": "20", "currency": "USD"}}},
    {"id": "A-3", "contact": "C-1", "at": "2024-01-20T10:00:00Z",
     "kind": {"type": "purchase", "amount": {"amount": "30", "currency": "USD"}}},
    {"id": "A-4", "contact": "C-2", "at": "2024-02-20T10:00:00Z",
     "kind": {"type": "purchase", "amount": {"amount": "40", "currency": "USD"}}}]
}"#;

#[test]
fn rfm_from_a_dataset_merges_same_day_purchases_and_names_contacts() {
    let dataset = Dataset::from_json(SMALL).expect("valid");
    let options = RfmOptions {
        unit: TimeUnit::Days,
        calibration_end: at("2024-01-31T00:00:00Z"),
        observation_end: Some(at("2024-03-01T00:00:00Z")),
    };
    let rfm = rfm_from_dataset(&dataset, &options, None).expect("summarises");
    // C-2's first purchase is after the cut-off: not a calibration customer.
    assert_eq!(rfm.contacts.len(), 1);
    assert_eq!(rfm.contacts[0].as_str(), "C-1");
    let row = rfm.table.rows[0];
    assert_eq!(row.rfm.frequency, 1);
    assert_eq!(row.rfm.recency, 10.0);
    assert_eq!(row.rfm.age, 21.0);
    assert_eq!(row.rfm.monetary, 30.0);
    assert_eq!(row.holdout_frequency, 0);
}

#[test]
fn training_without_lost_deals_is_refused_clearly() {
    let dataset = Dataset::from_json(SMALL).expect("valid");
    let spec = PropensitySpec::from_json(
        r#"{"holdout_percent": 0, "features": [{"type": "category", "field": "contact.country"}]}"#,
    )
    .expect("valid");
    let err = PropensityModel::train(&dataset, &spec, at("2024-03-01T00:00:00Z")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(err.message().contains("won and one lost"), "{err}");
    // The CLV models cannot be fitted on one customer.
    let err = clv_report(
        &dataset,
        at("2024-03-01T00:00:00Z"),
        &ClvReportOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Numerical);
    // A profile needs a group smaller than everyone.
    let spec = ProfileSpec::from_json(
        r#"{"outcome": {"type": "churned", "inactive_days": 1000},
            "features": [{"type": "category", "field": "contact.country"}]}"#,
    )
    .expect("valid");
    let err = crmkit::predict::profile(&dataset, &spec, at("2024-03-01T00:00:00Z")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    // A silence longer than the calendar is no silence at all, not a panic.
    let spec = ProfileSpec::from_json(
        r#"{"outcome": {"type": "churned", "inactive_days": 4294967295},
            "features": [{"type": "category", "field": "contact.country"}]}"#,
    )
    .expect("valid");
    let err = crmkit::predict::profile(&dataset, &spec, at("2024-03-01T00:00:00Z")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
}

fn report() -> crmkit::predict::ClvReport {
    let options: ClvReportOptions =
        serde_json::from_str(r#"{"fit": {"unit": "weeks", "bgnbd": {"penalty": 1.0}}}"#)
            .expect("options");
    clv_report(&sample(), SAMPLE_AS_OF, &options).expect("fits the sample")
}

#[test]
fn the_clv_report_gives_every_customer_an_exact_value_in_the_reporting_currency() {
    let report = report();
    assert!(!report.customers.is_empty());
    assert_eq!(report.currency.as_str(), "USD");
    for pair in report.customers.windows(2) {
        assert!(pair[0].clv.amount >= pair[1].clv.amount);
    }
    for c in &report.customers {
        assert!(c.clv.amount.scale() <= 2 && !c.clv.is_negative());
        assert!((0.0..=1.0).contains(&c.probability_alive));
        assert!(c.historical_value.amount > rust_decimal::Decimal::ZERO);
    }
    let json = report.model.to_json().expect("json");
    assert!(ClvModel::from_json(&json).is_ok());
}

#[test]
fn at_risk_customers_are_below_the_threshold_and_ranked_by_alive_times_value() {
    let report = report();
    let risky = at_risk(&report, 0.8, 10).expect("ranks");
    assert!(!risky.is_empty() && risky.len() <= 10);
    for r in &risky {
        assert!(r.probability_alive < 0.8);
        assert!(r.reasons.contains(&RiskReason::LowProbabilityAlive));
        assert!(r.score.amount <= r.value_if_retained.amount);
    }
    for pair in risky.windows(2) {
        assert!(pair[0].score.amount >= pair[1].score.amount);
    }
    // A lower threshold flags no more customers.
    let fewer = at_risk(&report, 0.5, usize::MAX).expect("ranks");
    let more = at_risk(&report, 0.8, usize::MAX).expect("ranks");
    assert!(fewer.len() <= more.len());
    assert_eq!(
        at_risk(&report, f64::NAN, 10).unwrap_err().kind(),
        ErrorKind::Invalid
    );
    assert_eq!(
        at_risk(&report, 0.0, 10).unwrap_err().kind(),
        ErrorKind::Invalid
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn hostile_json_never_panics_the_loaders(text in ".{0,200}") {
        let errors = [
            PropensitySpec::from_json(&text).err(),
            ProfileSpec::from_json(&text).err(),
            ClvModel::from_json(&text).err(),
            PropensityModel::from_json(&text).err(),
        ];
        for err in errors.iter().flatten() {
            prop_assert!(!err.message().is_empty());
        }
    }

    #[test]
    fn mutated_valid_specs_load_or_fail_with_a_path(
        holdout in any::<u8>(), bins in any::<u8>(), l2 in prop_oneof![Just(-1.0f64), 0.0f64..1e9, Just(1e308)],
        smoothing in prop_oneof![Just(0.0f64), Just(-3.0), 0.001f64..100.0],
    ) {
        let json = format!(
            r#"{{"model": "logistic", "holdout_percent": {holdout}, "bins": {bins},
                "logistic": {{"l2": {l2}}}, "naive_bayes": {{"smoothing": {smoothing}}},
                "features": [{{"type": "deal_value"}}]}}"#
        );
        match PropensitySpec::from_json(&json) {
            Ok(spec) => {
                prop_assert!(spec.holdout_percent <= 50 && (2..=20).contains(&spec.bins));
                // Training never panics or returns NaN on the sample.
                if let Ok(model) = PropensityModel::train(&sample(), &spec, SAMPLE_AS_OF) {
                    for p in model.predict(&sample(), SAMPLE_AS_OF).expect("predicts") {
                        prop_assert!(p.probability.is_finite());
                    }
                }
            }
            Err(err) => prop_assert!(err.path().is_some(), "{err}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn rfm_does_not_depend_on_the_order_of_purchases(
        purchases in prop::collection::vec((0u32..6, 0i64..60 * 86_400, 0.0f64..500.0), 0..60),
        weeks in any::<bool>(),
    ) {
        let options = RfmOptions {
            unit: if weeks { TimeUnit::Weeks } else { TimeUnit::Days },
            calibration_end: Timestamp::from_timestamp(40 * 86_400, 0).expect("valid"),
            observation_end: Some(Timestamp::from_timestamp(55 * 86_400, 0).expect("valid")),
        };
        let mut sorted = purchases.clone();
        sorted.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)).then(a.2.total_cmp(&b.2)));
        let split = |p: &[(u32, i64, f64)]| -> (Vec<u32>, Vec<i64>, Vec<f64>) {
            (p.iter().map(|x| x.0).collect(), p.iter().map(|x| x.1).collect(), p.iter().map(|x| x.2).collect())
        };
        let (c1, t1, a1) = split(&sorted);
        let mut reversed = sorted.clone();
        reversed.reverse();
        let (c2, t2, a2) = split(&reversed);
        let streamed = crmkit::predict::rfm_from_arrays(&c1, &t1, &a1, &options).expect("valid");
        let sorted_by_customer = crmkit::predict::rfm_from_arrays(&c2, &t2, &a2, &options).expect("valid");
        prop_assert_eq!(streamed.rows.len(), sorted_by_customer.rows.len());
        for (a, b) in streamed.rows.iter().zip(&sorted_by_customer.rows) {
            prop_assert_eq!(a.customer, b.customer);
            prop_assert_eq!(a.rfm.frequency, b.rfm.frequency);
            prop_assert_eq!(a.rfm.recency, b.rfm.recency);
            prop_assert_eq!(a.rfm.age, b.rfm.age);
            prop_assert!((a.rfm.monetary - b.rfm.monetary).abs() <= 1e-9 * a.rfm.monetary.max(1.0));
            prop_assert_eq!(a.holdout_frequency, b.holdout_frequency);
            prop_assert!((a.holdout_monetary - b.holdout_monetary).abs() <= 1e-9 * a.holdout_monetary.max(1.0));
        }
    }
}

/// Purchases of `n` customers over a year: times at any hour, several
/// purchases on some days, first purchases spread over the first months.
fn purchase_log(n: u32) -> (Vec<u32>, Vec<i64>, Vec<f64>) {
    let mut rng = crmkit::predict::sim::Rng::new(77);
    let (mut customers, mut times, mut amounts) = (Vec::new(), Vec::new(), Vec::new());
    let start = 1_700_000_000_i64;
    for c in 0..n {
        let mut day = (rng.next_u64() % 120) as i64;
        let gap = 3 + rng.next_u64() % 40;
        // Heterogeneous drop-out after each purchase.
        let dropout = rng.uniform().powi(2);
        loop {
            let same_day = 1 + rng.next_u64() % 2;
            for _ in 0..same_day {
                customers.push(c);
                times.push(start + day * 86_400 + (rng.next_u64() % 86_400) as i64);
                amounts.push(5.0 + (rng.next_u64() % 5_000) as f64 / 100.0);
            }
            day += 1 + (rng.next_u64() % (2 * gap)) as i64;
            if day > 400 || rng.uniform() < dropout {
                break;
            }
        }
    }
    (customers, times, amounts)
}

#[test]
fn weeks_are_days_divided_by_seven_and_fit_the_same_model_up_to_the_scale_of_alpha() {
    let (customers, times, amounts) = purchase_log(3_000);
    let options = |unit| RfmOptions {
        unit,
        calibration_end: Timestamp::from_timestamp(1_700_000_000 + 300 * 86_400, 0).expect("valid"),
        observation_end: None,
    };
    let days =
        crmkit::predict::rfm_from_arrays(&customers, &times, &amounts, &options(TimeUnit::Days))
            .expect("valid");
    let weeks =
        crmkit::predict::rfm_from_arrays(&customers, &times, &amounts, &options(TimeUnit::Weeks))
            .expect("valid");
    assert_eq!(days.rows.len(), weeks.rows.len());
    for (d, w) in days.rows.iter().zip(&weeks.rows) {
        // Same per-day merging: same frequency and spend; times ÷ 7.
        assert_eq!(d.rfm.frequency, w.rfm.frequency);
        assert_eq!(d.rfm.monetary, w.rfm.monetary);
        assert!((d.rfm.recency / 7.0 - w.rfm.recency).abs() < 1e-12);
        assert!((d.rfm.age / 7.0 - w.rfm.age).abs() < 1e-12);
    }
    let fit = |table: &crmkit::predict::RfmTable| {
        crmkit::predict::BgNbd::fit(&table.customers(), &Default::default()).expect("fits")
    };
    let (d, w) = (fit(&days).params, fit(&weeks).params);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs();
    assert!(
        close(w.r, d.r) && close(w.a, d.a) && close(w.b, d.b),
        "{w:?} vs {d:?}"
    );
    assert!(
        close(w.alpha, d.alpha / 7.0),
        "alpha {} vs {} / 7",
        w.alpha,
        d.alpha
    );
    // Calendar-week bins are a different model: they merge a week's purchases.
    let calendar = crmkit::predict::rfm_from_arrays(
        &customers,
        &times,
        &amounts,
        &options(TimeUnit::CalendarWeeks),
    )
    .expect("valid");
    let merged: u32 = calendar.rows.iter().map(|r| r.rfm.frequency).sum();
    let daily: u32 = weeks.rows.iter().map(|r| r.rfm.frequency).sum();
    assert!(merged < daily, "{merged} vs {daily}");
}

#[test]
fn the_clv_report_in_weeks_gives_the_same_customers_values_as_in_days() {
    let options = |unit: &str| -> ClvReportOptions {
        serde_json::from_str(&format!(r#"{{"fit": {{"unit": "{unit}"}}}}"#)).expect("options")
    };
    let days = clv_report(&sample(), SAMPLE_AS_OF, &options("days")).expect("fits");
    let weeks = clv_report(&sample(), SAMPLE_AS_OF, &options("weeks")).expect("fits");
    let (d, w) = (days.model.bgnbd.params, weeks.model.bgnbd.params);
    assert!(
        (w.alpha - d.alpha / 7.0).abs() <= 1e-6 * w.alpha,
        "{w:?} vs {d:?}"
    );
    assert_eq!(days.customers.len(), weeks.customers.len());
    for (a, b) in days.customers.iter().zip(&weeks.customers) {
        assert_eq!(a.contact, b.contact);
        assert!((a.probability_alive - b.probability_alive).abs() < 1e-6);
        assert!((a.clv.amount - b.clv.amount).abs() <= rust_decimal::Decimal::new(1, 2));
    }
}
