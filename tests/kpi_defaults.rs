//! The KPI defaults on the sample company (issue 21, "the sample and the
//! defaults must give a churn a CRM team would recognise"): with no options
//! at all, quarterly churn is defined wherever the data holds the previous
//! quarter, sits in the range of subscription businesses, and is undefined
//! with the reason where it cannot be told.
//!
//! `measure` (ignored) prints the figures of the closing note:
//! `cargo test --test kpi_defaults -- --ignored --nocapture`.

use crmkit::kpi::catalog::KpiId;
use crmkit::kpi::{KpiRequest, KpiValue, UndefinedCode, compute};
use crmkit::sample::{SampleConfig, generate};
use rust_decimal::prelude::ToPrimitive;

#[test]
fn sample_churn_with_default_options_is_in_the_range_of_subscription_businesses() {
    let ds = generate(&SampleConfig::default()).expect("sample");
    // The sample's data runs from 2025-11-01 to 2026-11-01. Q1 2026's
    // previous quarter (Q4 2025) starts on 2025-10-01, before the data:
    // its churn cannot be told. Q2 and Q3 have a full previous quarter.
    let mut defined = 0;
    for (start, end) in [
        ("2026-01-01", "2026-04-01"),
        ("2026-04-01", "2026-07-01"),
        ("2026-07-01", "2026-10-01"),
    ] {
        let request = KpiRequest::from_json(&format!(
            r#"{{"kpis": ["churn_rate", "retention_rate"],
                "period": {{"start": "{start}", "end": "{end}"}}, "granularity": "quarter"}}"#
        ))
        .expect("request");
        let report = compute(&ds, &request).expect("report");
        let churn = &report.row(KpiId::ChurnRate).expect("churn").current;
        match &churn.value {
            KpiValue::Defined { value } => {
                defined += 1;
                let churn_pct = value.to_f64().expect("finite");
                eprintln!(
                    "churn {start}: {value} ({} / {})",
                    churn.numerator, churn.denominator
                );
                // Subscription benchmarks commonly quoted for B2B SaaS put
                // annual logo churn between about 5 % (enterprise
                // contracts) and 30-40 % (small businesses), i.e. roughly
                // 1-10 % a quarter; the sample's generator aims at 1-3 % a
                // month (its docs, crmkit::sample). A deal-only reading
                // gave 58-93 % here, and the 365-day window was undefined
                // in every quarter of the one year of data.
                assert!(
                    (1.0..=10.0).contains(&churn_pct),
                    "churn from {start}: {value}"
                );
                assert!(
                    churn.denominator >= rust_decimal::Decimal::from(40),
                    "{start}"
                );
                let retention = &report.row(KpiId::RetentionRate).expect("retention").current;
                assert_eq!(
                    retention.value.as_decimal().map(|r| r + value),
                    Some(rust_decimal::Decimal::ONE_HUNDRED),
                    "{start}: retention and churn of the previous-period basis add to 100"
                );
            }
            KpiValue::Undefined { code, reason } => {
                assert_eq!(start, "2026-01-01", "{start}: {reason}");
                assert_eq!(*code, UndefinedCode::InsufficientHistory);
                assert!(
                    reason.contains("previous period") && reason.contains("2025-10-01"),
                    "{reason}"
                );
            }
        }
    }
    assert_eq!(defined, 2);
}

#[test]
fn sample_monthly_churn_with_default_options_is_a_monthly_subscription_figure() {
    // Month over month with no options: the buyers of the previous month
    // who did not pay or buy in the month. The generator's customers cancel
    // 2 % a month (crmkit::sample docs; B2B SaaS monthly logo churn is
    // commonly put at 1-3 %); on 14-94 customers a month one or two
    // cancellations move the figure, so every defined month must stay at
    // or under 5 % (deals alone gave 55-100 %, see tests/kpi_shop.rs).
    let ds = generate(&SampleConfig::default()).expect("sample");
    let request = crmkit::kpi::TimeSeriesRequest::from_json(
        r#"{"kpis": ["churn_rate"], "granularity": "month",
            "range": {"start": "2025-11-01", "end": "2026-11-01"}}"#,
    )
    .expect("request");
    let series = crmkit::kpi::time_series(&ds, &request).expect("series");
    assert_eq!(series.points.len(), 12);
    for (k, point) in series.points.iter().enumerate() {
        let churn = &point.values[0];
        match &churn.value {
            KpiValue::Defined { value } => {
                assert!(
                    k >= 2,
                    "{}: defined before a previous month of data",
                    point.period
                );
                let pct = value.to_f64().expect("finite");
                assert!((0.0..=5.0).contains(&pct), "{}: {value}", point.period);
            }
            // November 2025 has no previous month in the data; December's
            // previous month starts at 2025-11-01 00:00, before the first
            // record of that day.
            KpiValue::Undefined { code, .. } => {
                assert!(k < 2, "{}: undefined", point.period);
                assert_eq!(*code, UndefinedCode::InsufficientHistory);
            }
        }
    }
}

#[test]
#[ignore]
fn measure() {
    let ds = generate(&SampleConfig::default()).expect("sample");
    let quarters = [
        ("2025-11-01", "2026-01-01"),
        ("2026-01-01", "2026-04-01"),
        ("2026-04-01", "2026-07-01"),
        ("2026-07-01", "2026-10-01"),
        ("2026-10-01", "2026-11-01"),
    ];
    let sets = [
        "",
        r#""revenue_source": "deals", "customer_basis": "active_window""#,
        r#""revenue_source": "both""#,
        r#""revenue_source": "both", "active_customer_days": 30"#,
        r#""revenue_source": "both", "active_customer_days": 45"#,
        r#""revenue_source": "both", "active_customer_days": 60"#,
        r#""revenue_source": "both", "active_customer_days": 90"#,
        r#""revenue_source": "both", "active_customer_days": 120"#,
        r#""revenue_source": "both", "active_customer_days": 180"#,
        r#""revenue_source": "deals", "active_customer_days": 60"#,
        r#""revenue_source": "deals", "active_customer_days": 90"#,
        r#""revenue_source": "both", "customer_basis": "previous_period""#,
        r#""revenue_source": "deals", "customer_basis": "previous_period""#,
        r#""revenue_source": "both", "churn_basis": "up_for_renewal""#,
    ];
    let kpis = [
        "churn_rate",
        "retention_rate",
        "retained_customers",
        "new_customers",
        "active_customers",
        "revenue",
        "orders",
        "customer_lifetime_value_simple",
        "complaint_rate",
    ];
    for options in sets {
        println!("== options {{{options}}}");
        for (start, end) in quarters {
            let request = KpiRequest::from_json(&format!(
                r#"{{"kpis": {kpis:?}, "period": {{"start": "{start}", "end": "{end}"}},
                "granularity": "quarter", "options": {{{options}}}}}"#
            ))
            .expect("request");
            let report = compute(&ds, &request).expect("report");
            let mut line = format!("{start}..{end}:");
            for row in &report.kpis {
                let m = &row.current;
                let v = match &m.value {
                    KpiValue::Defined { value } => format!(
                        "{} ({}/{})",
                        value.round_dp(2),
                        m.numerator.round_dp(2),
                        m.denominator.round_dp(2)
                    ),
                    KpiValue::Undefined { reason, .. } => {
                        format!("undef[{}]", reason.chars().take(70).collect::<String>())
                    }
                };
                line.push_str(&format!(" {}={v};", m.kpi));
            }
            println!("{line}");
        }
    }
}

#[test]
#[ignore]
fn measure_monthly() {
    let ds = generate(&SampleConfig::default()).expect("sample");
    for options in [
        "",
        r#""revenue_source": "both", "active_customer_days": 60"#,
    ] {
        let request = crmkit::kpi::TimeSeriesRequest::from_json(&format!(
            r#"{{"kpis": ["churn_rate", "active_customers"], "granularity": "month",
                "range": {{"start": "2025-11-01", "end": "2026-11-01"}}, "options": {{{options}}}}}"#
        ))
        .expect("request");
        let series = crmkit::kpi::time_series(&ds, &request).expect("series");
        println!("== monthly, options {{{options}}}");
        for p in &series.points {
            let churn = &p.values[0];
            let shown = match &churn.value {
                KpiValue::Defined { value } => format!(
                    "{} ({}/{})",
                    value.round_dp(2),
                    churn.numerator,
                    churn.denominator
                ),
                KpiValue::Undefined { .. } => "undefined".to_string(),
            };
            println!(
                "{}: churn {shown}; active {:?}",
                p.period,
                p.values[1].value.as_decimal()
            );
        }
    }
}
