//! Cohort retention, RFM segments and saved segments on a purchase-based
//! shop and a deal-based B2B company; every expected value is worked out
//! in the comments.

use crmkit::ErrorKind;
use crmkit::calendar::Granularity;
use crmkit::model::Dataset;
use crmkit::money::Currency;
use crmkit::segments::{
    CohortAccumulator, CohortArrayOptions, CohortReport, CohortRequest, RfmSegment,
    RfmSegmentRequest, SegmentRequest, cohort_from_arrays, cohort_report, rfm_segments,
    rfm_segments_from_arrays, segment_members,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// A shop: A buys 2026-01-05 ($100 and $5 the same day), 01-20 ($50),
/// 02-10 ($30), 04-02 ($20); B 01-15 ($200), 03-01 ($10); C 02-03 ($40),
/// 02-04 ($60), 03-15 ($25); D only after as_of (05-10).
const SHOP: &str = r#"{
  "reporting_currency": "USD",
  "contacts": [
    {"id": "A", "name": "A", "created_at": "2026-01-01T00:00:00Z"},
    {"id": "B", "name": "B", "created_at": "2026-01-01T00:00:00Z"},
    {"id": "C", "name": "C", "created_at": "2026-01-01T00:00:00Z"},
    {"id": "D", "name": "D", "created_at": "2026-01-01T00:00:00Z"}],
  "activities": [
    {"id": "P1", "contact": "A", "at": "2026-01-05T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "100", "currency": "USD"}}},
    {"id": "P2", "contact": "A", "at": "2026-01-05T18:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "5", "currency": "USD"}}},
    {"id": "P3", "contact": "A", "at": "2026-01-20T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "50", "currency": "USD"}}},
    {"id": "P4", "contact": "A", "at": "2026-02-10T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "30", "currency": "USD"}}},
    {"id": "P5", "contact": "A", "at": "2026-04-02T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "20", "currency": "USD"}}},
    {"id": "P6", "contact": "B", "at": "2026-01-15T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "200", "currency": "USD"}}},
    {"id": "P7", "contact": "B", "at": "2026-03-01T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "10", "currency": "USD"}}},
    {"id": "P8", "contact": "C", "at": "2026-02-03T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "40", "currency": "USD"}}},
    {"id": "P9", "contact": "C", "at": "2026-02-04T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "60", "currency": "USD"}}},
    {"id": "P10", "contact": "C", "at": "2026-03-15T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "25", "currency": "USD"}}},
    {"id": "P11", "contact": "D", "at": "2026-05-10T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "99", "currency": "USD"}}}]
}"#;

/// A B2B company: X wins 2025-01-10 ($1000) and a renewal 2025-07-01
/// ($500), loses one deal; Y wins 2025-04-20 ($300) and pays it by a
/// purchase on 2025-05-01; X also buys $999 on 2025-02-01 (no deal).
const B2B: &str = r#"{
  "reporting_currency": "USD",
  "pipelines": [{"id": "sales", "name": "Sales", "stages": [
    {"id": "new", "name": "New", "probability": 10},
    {"id": "won", "name": "Won", "probability": 100, "kind": "won"},
    {"id": "lost", "name": "Lost", "probability": 0, "kind": "lost"}]}],
  "contacts": [
    {"id": "X", "name": "X", "created_at": "2025-01-01T00:00:00Z"},
    {"id": "Y", "name": "Y", "created_at": "2025-01-01T00:00:00Z"}],
  "deals": [
    {"id": "D1", "contact": "X", "pipeline": "sales", "stage": "won", "status": "won", "value": {"amount": "1000", "currency": "USD"}, "created_at": "2024-12-01T00:00:00Z", "closed_at": "2025-01-10T00:00:00Z"},
    {"id": "D2", "contact": "X", "pipeline": "sales", "stage": "won", "status": "won", "kind": "renewal", "value": {"amount": "500", "currency": "USD"}, "created_at": "2025-06-01T00:00:00Z", "closed_at": "2025-07-01T00:00:00Z"},
    {"id": "D3", "contact": "X", "pipeline": "sales", "stage": "lost", "status": "lost", "value": {"amount": "700", "currency": "USD"}, "created_at": "2025-02-01T00:00:00Z", "closed_at": "2025-03-01T00:00:00Z"},
    {"id": "D4", "contact": "Y", "pipeline": "sales", "stage": "won", "status": "won", "value": {"amount": "300", "currency": "USD"}, "created_at": "2025-03-01T00:00:00Z", "closed_at": "2025-04-20T00:00:00Z"}],
  "activities": [
    {"id": "P1", "contact": "X", "at": "2025-02-01T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "999", "currency": "USD"}}},
    {"id": "P2", "contact": "Y", "deal": "D4", "at": "2025-05-01T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "300", "currency": "USD"}}}]
}"#;

fn shop() -> Dataset {
    Dataset::from_json(SHOP).expect("shop")
}

fn b2b() -> Dataset {
    Dataset::from_json(B2B).expect("b2b")
}

fn dec(n: i64) -> Decimal {
    Decimal::from(n)
}

fn cohorts(ds: &Dataset, request: &str) -> CohortReport {
    cohort_report(ds, &CohortRequest::from_json(request).expect("request")).expect("report")
}

/// (active, retention %, revenue, cumulative revenue, complete) per offset.
fn row(
    report: &CohortReport,
    cohort: usize,
) -> Vec<(u64, Option<Decimal>, Decimal, Decimal, bool)> {
    report.cohorts[cohort]
        .periods
        .iter()
        .map(|p| {
            (
                p.active,
                p.retention.value.as_decimal(),
                p.revenue,
                p.cumulative_revenue,
                p.complete,
            )
        })
        .collect()
}

#[test]
fn monthly_cohorts_of_a_shop() {
    let report = cohorts(
        &shop(),
        r#"{"as_of": "2026-04-15T00:00:00Z", "revenue_source": "purchases"}"#,
    );
    // D's only purchase is after as_of: cohorts January {A, B}, February {C}.
    assert_eq!(report.customers, 3);
    assert_eq!(report.cohorts.len(), 2);
    assert_eq!(report.cohorts[0].customers, 2);
    assert_eq!(report.cohorts[0].period.start().to_string(), "2026-01-01");
    // January: 100 + 5 + 50 + 200 = 355; February A 30; March B 10; April
    // A 20 (April is not over on 04-15).
    assert_eq!(
        row(&report, 0),
        vec![
            (2, Some(dec(100)), dec(355), dec(355), true),
            (1, Some(dec(50)), dec(30), dec(385), true),
            (1, Some(dec(50)), dec(10), dec(395), true),
            (1, Some(dec(50)), dec(20), dec(415), false),
        ]
    );
    let april = &report.cohorts[0].periods[3];
    assert_eq!(
        (april.retention.numerator, april.retention.denominator),
        (dec(1), dec(2))
    );
    // Revenue per customer: 20 / 2 = 10; cumulative 415 / 2 = 207.5.
    assert_eq!(april.revenue_per_customer.value.as_decimal(), Some(dec(10)));
    assert_eq!(
        april.cumulative_revenue_per_customer.value.as_decimal(),
        Some(Decimal::new(2075, 1))
    );
    // February {C}: 40 + 60; March 25; April nothing.
    assert_eq!(
        row(&report, 1),
        vec![
            (1, Some(dec(100)), dec(100), dec(100), true),
            (1, Some(dec(100)), dec(25), dec(125), true),
            (0, Some(dec(0)), dec(0), dec(125), false),
        ]
    );
}

#[test]
fn quarterly_and_weekly_cohorts_of_a_shop() {
    let report = cohorts(
        &shop(),
        r#"{"as_of": "2026-04-15T00:00:00Z", "granularity": "quarter", "revenue_source": "purchases"}"#,
    );
    // Q1 {A, B, C}: 355 + 30 + 10 + 100 + 25 = 520; Q2: A's 20, 1 of 3.
    assert_eq!(report.cohorts.len(), 1);
    let q = &report.cohorts[0].periods;
    assert_eq!((q[0].active, q[0].revenue), (3, dec(520)));
    assert_eq!((q[1].active, q[1].revenue), (1, dec(20)));
    assert_eq!(
        (q[1].retention.numerator, q[1].retention.denominator),
        (dec(1), dec(3))
    );
    assert!(
        q[1].retention
            .value
            .as_decimal()
            .expect("defined")
            .to_string()
            .starts_with("33.333")
    );
    // ISO weeks: A's first purchase (Monday 2026-01-05) opens the week of
    // 01-05; B's (Thursday 01-15) the week of 01-12; C's (Tuesday 02-03)
    // the week of 02-02.
    let weekly = cohorts(
        &shop(),
        r#"{"as_of": "2026-04-15T00:00:00Z", "granularity": "week", "revenue_source": "purchases"}"#,
    );
    let starts: Vec<String> = weekly
        .cohorts
        .iter()
        .map(|c| c.period.start().to_string())
        .collect();
    assert_eq!(starts, ["2026-01-05", "2026-01-12", "2026-02-02"]);
    // A: weeks 0 (01-05), 2 (01-20), 5 (02-10), 12 (04-02).
    let a: Vec<u32> = weekly.cohorts[0]
        .periods
        .iter()
        .filter(|p| p.active > 0)
        .map(|p| p.offset)
        .collect();
    assert_eq!(a, [0, 2, 5, 12]);
}

#[test]
fn quarterly_cohorts_of_a_b2b_company_by_won_deals() {
    let report = cohorts(
        &b2b(),
        r#"{"as_of": "2025-12-31T00:00:00Z", "granularity": "quarter", "revenue_source": "deals"}"#,
    );
    // Q1 {X}: D1 1000 in Q1, nothing in Q2, renewal 500 in Q3, Q4 open.
    assert_eq!(
        row(&report, 0),
        vec![
            (1, Some(dec(100)), dec(1000), dec(1000), true),
            (0, Some(dec(0)), dec(0), dec(1000), true),
            (1, Some(dec(100)), dec(500), dec(1500), true),
            (0, Some(dec(0)), dec(0), dec(1500), false),
        ]
    );
    // Q2 {Y}: D4 300 (the lost deal D3 never counts).
    assert_eq!(report.cohorts[1].customers, 1);
    assert_eq!(report.cohorts[1].periods[0].revenue, dec(300));
    // Both sources: X's $999 purchase joins Q1; Y's purchase pays D4 and
    // is not counted again.
    let both = cohorts(
        &b2b(),
        r#"{"as_of": "2025-12-31T00:00:00Z", "granularity": "quarter"}"#,
    );
    assert_eq!(both.cohorts[0].periods[0].revenue, dec(1999));
    assert_eq!(both.cohorts[1].periods[0].revenue, dec(300));
    // Purchases only: Y's cohort is Q2 by the purchase of 05-01.
    let shop_view = cohorts(
        &b2b(),
        r#"{"as_of": "2025-12-31T00:00:00Z", "granularity": "quarter", "revenue_source": "purchases"}"#,
    );
    assert_eq!(shop_view.cohorts[0].periods[0].revenue, dec(999));
    assert_eq!(shop_view.cohorts[0].periods[2].active, 0);
}

#[test]
fn cohort_requests_name_their_errors() {
    let err = CohortRequest::from_json(
        r#"{"as_of": "2026-01-01T00:00:00Z", "granularity": "fortnight"}"#,
    )
    .expect_err("unknown granularity");
    assert_eq!(err.kind(), ErrorKind::Json);
    assert_eq!(err.path(), Some("granularity"));
    let usd = Currency::new("USD").expect("usd");
    let options = CohortArrayOptions {
        granularity: Granularity::Month,
        fiscal_year_start_month: 1,
        currency: usd,
        scale: 2,
        as_of: chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("valid"),
    };
    let err = cohort_from_arrays(&[0, 1], &[0, i64::MAX], &[1, 2], &options).expect_err("time");
    assert_eq!(err.path(), Some("at_unix[1]"));
    let err = cohort_from_arrays(&[0], &[0, 1], &[1], &options).expect_err("lengths");
    assert_eq!(err.kind(), ErrorKind::Invalid);
    let mut acc = CohortAccumulator::new(Granularity::Month, 1, usd, 2).expect("acc");
    assert_eq!(
        acc.add(2, 0, dec(1)).expect_err("range").path(),
        Some("customer")
    );
    let other = CohortAccumulator::new(Granularity::Week, 1, usd, 2).expect("acc");
    assert_eq!(
        acc.merge(&other).expect_err("granularity").kind(),
        ErrorKind::Invalid
    );
}

fn usd() -> Currency {
    Currency::new("USD").expect("usd")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Accumulators fed with any partition of the events merge into the
    /// report of all of them, and the array path (sorted or not) agrees.
    #[test]
    fn cohort_state_from_parts_merges_to_the_whole(
        events in prop::collection::vec((0u32..6, 0i64..(800 * 86_400), 0i64..100_000, 0usize..3), 0..60),
        granularity in prop::sample::select(vec![Granularity::Day, Granularity::Week, Granularity::Month, Granularity::Quarter, Granularity::Year]),
        first_month in 1u32..=12,
    ) {
        let base = 1_735_689_600i64; // 2025-01-01
        let as_of = chrono::DateTime::from_timestamp(base + 700 * 86_400, 0).expect("valid");
        let mut whole = CohortAccumulator::new(granularity, first_month, usd(), 6).expect("acc");
        let mut parts: Vec<CohortAccumulator> = (0..3)
            .map(|_| CohortAccumulator::new(granularity, first_month, usd(), 6).expect("acc"))
            .collect();
        let kept: Vec<&(u32, i64, i64, usize)> = events.iter().filter(|e| base + e.1 <= as_of.timestamp()).collect();
        for &&(c, t, cents, part) in &kept {
            whole.add(c, base + t, Decimal::new(cents, 2)).expect("add");
            parts[part].add(c, base + t, Decimal::new(cents, 2)).expect("add");
        }
        let mut merged = parts.remove(0);
        for p in &parts {
            merged.merge(p).expect("merge");
        }
        let expected = whole.report(as_of).expect("report");
        prop_assert_eq!(&merged.report(as_of).expect("report"), &expected);
        let options = CohortArrayOptions { granularity, fiscal_year_start_month: first_month, currency: usd(), scale: 2, as_of };
        let customers: Vec<u32> = events.iter().map(|e| e.0).collect();
        let times: Vec<i64> = events.iter().map(|e| base + e.1).collect();
        let cents: Vec<i64> = events.iter().map(|e| e.2).collect();
        // Unsorted input (events after as_of are ignored).
        prop_assert_eq!(&cohort_from_arrays(&customers, &times, &cents, &options).expect("arrays"), &expected);
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.sort_by_key(|&i| times[i]);
        let sorted = |v: &[i64]| order.iter().map(|&i| v[i]).collect::<Vec<_>>();
        let sorted_customers: Vec<u32> = order.iter().map(|&i| customers[i]).collect();
        prop_assert_eq!(
            &cohort_from_arrays(&sorted_customers, &sorted(&times), &sorted(&cents), &options).expect("arrays"),
            &expected
        );
        // Every cohort's offset 0 is all of its customers.
        for cohort in &expected.cohorts {
            prop_assert_eq!(cohort.periods[0].active, cohort.customers);
        }
    }
}

/// The array path takes customers in cache-sized ranges (65,536 per sweep
/// with narrow state) and switches to wide state when the periods span
/// 65,535 or more: both must agree with the accumulator. 200,000
/// customers make four sweeps; daily cohorts over 65,600 days (180 years)
/// need the wide state.
#[test]
fn cohort_arrays_agree_with_the_accumulator_across_sweeps_and_long_spans() {
    let mut seed = 7u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        seed >> 33
    };
    for (granularity, days, customers_n, events_n) in [
        (Granularity::Month, 900i64, 200_000u64, 300_000usize),
        (Granularity::Day, 65_600, 3, 40),
    ] {
        let base = -2_208_988_800i64; // 1900-01-01
        let as_of = chrono::DateTime::from_timestamp(base + days * 86_400, 0).expect("valid");
        let mut events: Vec<(u32, i64, i64)> = (0..events_n)
            .map(|_| {
                (
                    (next() % customers_n) as u32,
                    base + (next() % (days as u64 * 86_400)) as i64,
                    (next() % 10_000) as i64,
                )
            })
            .collect();
        // Customer customers_n - 1 buys first and last, so the span is full.
        events.push(((customers_n - 1) as u32, base, 1));
        events.push(((customers_n - 1) as u32, base + days * 86_400 - 1, 1));
        let mut acc =
            CohortAccumulator::new(granularity, 1, usd(), customers_n as usize).expect("acc");
        for &(c, t, cents) in &events {
            acc.add(c, t, Decimal::new(cents, 2)).expect("add");
        }
        let expected = acc.report(as_of).expect("report");
        let options = CohortArrayOptions {
            granularity,
            fiscal_year_start_month: 1,
            currency: usd(),
            scale: 2,
            as_of,
        };
        let customers: Vec<u32> = events.iter().map(|e| e.0).collect();
        let times: Vec<i64> = events.iter().map(|e| e.1).collect();
        let cents: Vec<i64> = events.iter().map(|e| e.2).collect();
        let unsorted = cohort_from_arrays(&customers, &times, &cents, &options).expect("arrays");
        assert_eq!(unsorted, expected, "{granularity:?}, unsorted");
        events.sort_by_key(|e| e.1);
        let customers: Vec<u32> = events.iter().map(|e| e.0).collect();
        let times: Vec<i64> = events.iter().map(|e| e.1).collect();
        let cents: Vec<i64> = events.iter().map(|e| e.2).collect();
        let sorted = cohort_from_arrays(&customers, &times, &cents, &options).expect("arrays");
        assert_eq!(sorted, expected, "{granularity:?}, sorted");
        assert_eq!(expected.customers, {
            let mut seen: Vec<u32> = customers.clone();
            seen.sort_unstable();
            seen.dedup();
            seen.len() as u64
        });
    }
}

/// Contact, recency days, frequency, monetary, R, F, M, segment.
type ShopRow = (String, i64, u64, Decimal, u8, u8, u8, RfmSegment);

#[test]
fn rfm_segments_of_a_shop_by_hand() {
    let table = rfm_segments(
        &shop(),
        &RfmSegmentRequest::from_json(
            r#"{"as_of": "2026-04-15T00:00:00Z", "revenue_source": "purchases"}"#,
        )
        .expect("request"),
    )
    .expect("table");
    // A: last 04-02 → 13 days; days 01-05 (twice), 01-20, 02-10, 04-02 → F 4;
    //    M 205.  B: 03-01 → 45 days; F 2; M 210.  C: 03-15 → 31 days; F 3; M 125.
    // R (fewer days better): A has 2 worse → 1 + ⌊10/3⌋ = 4; C 1 → 2; B 0 → 1.
    // F: A 4, C 2, B 1.  M: B 4, A 2, C 1.
    // A: FM ⌊(4+2+1)/2⌋ = 3, R 4 → loyal.  B: FM ⌊(1+4+1)/2⌋ = 3, R 1 → at risk.
    // C: FM ⌊(2+1+1)/2⌋ = 2, R 2 → hibernating.  D: no purchase by as_of.
    let rows: Vec<ShopRow> = table
        .customers
        .iter()
        .map(|c| {
            (
                c.contact.as_ref().expect("contact").to_string(),
                c.recency_days.expect("r"),
                c.frequency.expect("f"),
                c.monetary.expect("m"),
                c.score.r,
                c.score.f,
                c.score.m,
                c.score.segment,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("A".into(), 13, 4, dec(205), 4, 4, 2, RfmSegment::Loyal),
            ("B".into(), 45, 2, dec(210), 1, 1, 4, RfmSegment::AtRisk),
            (
                "C".into(),
                31,
                3,
                dec(125),
                2,
                2,
                1,
                RfmSegment::Hibernating
            ),
        ]
    );
    let counts: Vec<(RfmSegment, u64)> = table
        .segments
        .iter()
        .filter(|s| s.customers > 0)
        .map(|s| (s.segment, s.customers))
        .collect();
    assert_eq!(
        counts,
        vec![
            (RfmSegment::Loyal, 1),
            (RfmSegment::AtRisk, 1),
            (RfmSegment::Hibernating, 1)
        ]
    );
    assert_eq!(table.segments.len(), 11);
}

#[test]
fn rfm_segments_of_a_b2b_company_by_won_deals() {
    let table = rfm_segments(
        &b2b(),
        &RfmSegmentRequest::from_json(
            r#"{"as_of": "2025-12-31T00:00:00Z", "revenue_source": "deals"}"#,
        )
        .expect("request"),
    )
    .expect("table");
    // X: last win 07-01 → 183 days, 2 wins, $1500; Y: 04-20 → 255 days, 1
    // win, $300. X is better on all three: 1 of 2 worse → 1 + ⌊5/2⌋ = 3;
    // Y gets 1 on all. X: R 3, FM 3 → need attention; Y: R 1, FM 1 → lost.
    let got: Vec<(i64, u64, Decimal, u8, RfmSegment)> = table
        .customers
        .iter()
        .map(|c| {
            (
                c.recency_days.expect("r"),
                c.frequency.expect("f"),
                c.monetary.expect("m"),
                c.score.r,
                c.score.segment,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (183, 2, dec(1500), 3, RfmSegment::NeedAttention),
            (255, 1, dec(300), 1, RfmSegment::Lost),
        ]
    );
}

#[test]
fn rfm_scores_from_arrays_with_ties() {
    // Ten customers. Recency days: 1..=10 → fewer is better: day 1 has 9
    // worse → 1 + ⌊45/10⌋ = 5 ... day 10 → 1: [5,5,4,4,3,3,2,2,1,1].
    // Frequency: six one-time buyers tie (0 worse → 1), two with 2 (6
    // worse → 4), then 3 and 4 (8 and 9 worse → 5).
    // Monetary: 10, 20, ... 100 → [1,1,2,2,3,3,4,4,5,5].
    let recency: Vec<f64> = (1..=10).map(f64::from).collect();
    let frequency = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 4.0];
    let monetary: Vec<f64> = (1..=10).map(|i| f64::from(i) * 10.0).collect();
    let table = rfm_segments_from_arrays(&recency, &frequency, &monetary).expect("table");
    let r: Vec<u8> = table.customers.iter().map(|c| c.score.r).collect();
    let f: Vec<u8> = table.customers.iter().map(|c| c.score.f).collect();
    let m: Vec<u8> = table.customers.iter().map(|c| c.score.m).collect();
    assert_eq!(r, [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
    assert_eq!(f, [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
    assert_eq!(m, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    // Customer 0: R5, FM ⌊(1+1+1)/2⌋ = 1 → new. Customer 2: R4, FM ⌊(1+2+1)/2⌋
    // = 2 → potential loyalist. Customer 6: R2, FM ⌊(4+4+1)/2⌋ = 4 → at risk.
    // Customer 9: R1, FM 5 → cannot lose them. Customer 4: R3, FM 2 → need attention.
    let seg = |i: usize| table.customers[i].score.segment;
    assert_eq!(seg(0), RfmSegment::New);
    assert_eq!(seg(2), RfmSegment::PotentialLoyalist);
    assert_eq!(seg(4), RfmSegment::NeedAttention);
    assert_eq!(seg(6), RfmSegment::AtRisk);
    assert_eq!(seg(9), RfmSegment::CannotLoseThem);
    let share = &table
        .segments
        .iter()
        .find(|s| s.segment == RfmSegment::New)
        .expect("new")
        .share;
    assert_eq!((share.numerator, share.denominator), (dec(2), dec(10)));
    assert_eq!(share.value.as_decimal(), Some(dec(20)));
    let err = rfm_segments_from_arrays(&[1.0], &[1.0], &[f64::NAN]).expect_err("nan");
    assert_eq!(err.path(), Some("monetary[0]"));
    // No customers: every share is undefined, not NaN.
    let empty = rfm_segments_from_arrays(&[], &[], &[]).expect("empty");
    assert!(empty.segments.iter().all(|s| !s.share.value.is_defined()));
}

/// Contacts with lifecycle histories: S1 DE lead→mql 02-01→sql 03-01; S2 DE
/// lead→sql 01-15→customer 04-01; S3 FR sql; S4 DE sql created 05-01; S5 DE
/// lead→sql 01-05→disqualified 04-01.
const PEOPLE: &str = r#"{
  "contacts": [
    {"id": "S1", "name": "S1", "country": "DE", "created_at": "2026-01-01T00:00:00Z", "lifecycle": {"stage": "sql", "history": [
      {"from": "lead", "to": "mql", "at": "2026-02-01T00:00:00Z"}, {"from": "mql", "to": "sql", "at": "2026-03-01T00:00:00Z"}]}},
    {"id": "S2", "name": "S2", "country": "DE", "created_at": "2026-01-01T00:00:00Z", "lifecycle": {"stage": "customer", "history": [
      {"from": "lead", "to": "sql", "at": "2026-01-15T00:00:00Z"}, {"from": "sql", "to": "customer", "at": "2026-04-01T00:00:00Z"}]}},
    {"id": "S3", "name": "S3", "country": "FR", "created_at": "2026-01-01T00:00:00Z", "lifecycle": {"stage": "sql"}},
    {"id": "S4", "name": "S4", "country": "DE", "created_at": "2026-05-01T00:00:00Z", "lifecycle": {"stage": "sql"}},
    {"id": "S5", "name": "S5", "country": "DE", "created_at": "2026-01-01T00:00:00Z", "lifecycle": {"stage": "disqualified", "history": [
      {"from": "lead", "to": "sql", "at": "2026-01-05T00:00:00Z"}, {"from": "sql", "to": "disqualified", "at": "2026-04-01T00:00:00Z"}]}}]
}"#;

const GERMAN_PIPELINE: &str = r#"{"name": "german pipeline", "condition": {"all": [
    {"field": "contact.lifecycle_stage", "op": "in", "value": ["sql", "opportunity", "customer"]},
    {"field": "contact.country", "op": "eq", "value": "DE"}]}}"#;

#[test]
fn saved_segment_members_and_changes_as_of_two_dates() {
    let ds = Dataset::from_json(PEOPLE).expect("people");
    let request = SegmentRequest::from_json(&format!(
        r#"{{"segment": {GERMAN_PIPELINE}, "as_of": "2026-06-01T00:00:00Z", "since": "2026-02-15T00:00:00Z"}}"#
    ))
    .expect("request");
    let members = segment_members(&ds, &request).expect("members");
    // 02-15: S1 is an MQL, S2 an SQL, S3 French, S4 not created, S5 an SQL → {S2, S5}.
    // 06-01: S1 SQL, S2 customer, S4 SQL, S5 disqualified → {S1, S2, S4}.
    let ids = |v: &[crmkit::model::ContactId]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&members.members), ["S1", "S2", "S4"]);
    assert_eq!(members.count, 3);
    let changes = members.changes.expect("changes");
    assert_eq!(changes.count_then, 2);
    assert_eq!(ids(&changes.entered), ["S1", "S4"]);
    assert_eq!(ids(&changes.left), ["S5"]);
}

#[test]
fn saved_segments_refuse_event_fields_and_backward_ranges() {
    let err = SegmentRequest::from_json(
        r#"{"segment": {"name": "big", "condition": {"all": [
            {"field": "contact.country", "op": "eq", "value": "DE"},
            {"field": "deal.value", "op": "gt", "value": {"amount": "5", "currency": "USD"}}]}},
           "as_of": "2026-06-01T00:00:00Z"}"#,
    )
    .expect_err("deal field");
    assert_eq!(err.path(), Some("segment.condition.all[1].field"));
    let err = SegmentRequest::from_json(&format!(
        r#"{{"segment": {GERMAN_PIPELINE}, "as_of": "2026-01-01T00:00:00Z", "since": "2026-02-01T00:00:00Z"}}"#
    ))
    .expect_err("since after as_of");
    assert_eq!(err.path(), Some("since"));
}

#[test]
fn a_saved_segment_is_a_journey_entry_condition() {
    use crmkit::automation::{Event, EventType};
    use crmkit::journeys::{Idle, Input, Journey, JourneyState};
    let ds = Dataset::from_json(PEOPLE).expect("people");
    let segment = crmkit::segments::SavedSegment::from_json(GERMAN_PIPELINE).expect("segment");
    let doc = serde_json::json!({"id": "j", "start": "a",
        "entry": {"triggers": [{"type": "contact_created"}], "condition": segment.condition},
        "steps": [{"id": "a", "type": "end"}]});
    let journey = Journey::from_json(&doc.to_string()).expect("journey");
    let as_of: chrono::DateTime<chrono::Utc> = "2026-06-01T00:00:00Z".parse().expect("time");
    let mut entered = Vec::new();
    for contact in ds.contacts() {
        let mut event = Event::new(
            format!("e-{}", contact.id),
            EventType::ContactCreated,
            as_of,
        );
        event.contact = Some(contact.id.clone());
        let (out, _) = journey
            .advance(&JourneyState::new(), &Input::Event(event), &ds, as_of)
            .expect("advance");
        if out.idle != Some(Idle::EntryCondition) {
            entered.push(contact.id.to_string());
        }
        // The journey lets in exactly the segment's members as of now.
        assert_eq!(
            out.idle != Some(Idle::EntryCondition),
            segment.contains(&ds, &contact.id, as_of).expect("contains"),
            "{}",
            contact.id
        );
    }
    assert_eq!(entered, ["S1", "S2", "S4"]);
}
