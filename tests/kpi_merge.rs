//! The merge property: for every KPI, accumulating disjoint parts of the data
//! (split by position, by customer or by time) and merging the accumulators
//! gives exactly the value computed over the whole dataset.

use chrono::{Duration, NaiveDate};
use crmkit::kpi::catalog::KpiId;
use crmkit::kpi::{KpiEngine, KpiRequest, Partition, Segment};
use crmkit::model::{Activity, Campaign, Contact, Dataset, Deal, SpendEntry, Ticket, Timestamp};
use crmkit::sample::{SampleConfig, generate};
use proptest::prelude::*;

/// Owned records of one part.
#[derive(Default, Clone)]
struct Part {
    contacts: Vec<Contact>,
    deals: Vec<Deal>,
    activities: Vec<Activity>,
    tickets: Vec<Ticket>,
    campaigns: Vec<Campaign>,
    spend: Vec<SpendEntry>,
}

impl Part {
    fn view(&self) -> Partition<'_> {
        Partition {
            contacts: &self.contacts,
            deals: &self.deals,
            activities: &self.activities,
            tickets: &self.tickets,
            campaigns: &self.campaigns,
            spend: &self.spend,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Split {
    /// Cut every list at positions derived from the seed.
    Position,
    /// All records of a contact go to the same part.
    Customer,
    /// Records go to the part of their time stamp.
    Time,
}

fn bucket_of_text(text: &str, parts: usize) -> usize {
    let hash = text
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    (hash % parts as u64) as usize
}

fn bucket_of_time(t: Timestamp, cuts: &[Timestamp]) -> usize {
    cuts.iter().filter(|c| t >= **c).count()
}

fn split(ds: &Dataset, how: Split, parts: usize, salt: u64) -> Vec<Part> {
    let mut out = vec![Part::default(); parts];
    let start = ds
        .contacts()
        .iter()
        .map(|c| c.created_at)
        .min()
        .unwrap_or_default();
    let cuts: Vec<Timestamp> = (1..parts)
        .map(|k| start + Duration::days((k as i64) * 400 / parts as i64 + (salt % 17) as i64))
        .collect();
    let at_day = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let positional = |i: usize, len: usize| -> usize {
        // Contiguous runs: part k holds a contiguous range of positions.
        if len == 0 {
            0
        } else {
            ((i as u64 * parts as u64 + salt % 3) / (len as u64 + 1)) as usize % parts
        }
    };
    macro_rules! route {
        ($list:expr, $field:ident, $customer:expr, $time:expr) => {{
            let list = $list;
            for (i, item) in list.iter().enumerate() {
                let b = match how {
                    Split::Position => positional(i, list.len()),
                    Split::Customer => bucket_of_text(&$customer(item), parts),
                    Split::Time => bucket_of_time($time(item), &cuts),
                };
                out[b].$field.push(item.clone());
            }
        }};
    }
    route!(
        ds.contacts(),
        contacts,
        |c: &Contact| c.id.to_string(),
        |c: &Contact| c.created_at
    );
    route!(
        ds.deals(),
        deals,
        |d: &Deal| d.contact.to_string(),
        |d: &Deal| d.created_at
    );
    route!(
        ds.activities(),
        activities,
        |a: &Activity| a.contact.to_string(),
        |a: &Activity| a.at
    );
    route!(
        ds.tickets(),
        tickets,
        |t: &Ticket| t.contact.to_string(),
        |t: &Ticket| t.opened_at
    );
    route!(
        ds.campaigns(),
        campaigns,
        |c: &Campaign| c.id.to_string(),
        |c: &Campaign| at_day(c.start)
    );
    route!(
        ds.spend(),
        spend,
        |s: &SpendEntry| s.id.to_string(),
        |s: &SpendEntry| at_day(s.date)
    );
    out
}

fn segment(choice: u8) -> Option<Segment> {
    let json = match choice % 7 {
        0 | 1 => return None,
        2 => r#"{"owner": "R-1"}"#,
        3 => r#"{"team": "west"}"#,
        4 => r#"{"pipeline": "sales"}"#,
        5 => r#"{"campaign": "CMP-2"}"#,
        _ => r#"{"channel": "email"}"#,
    };
    serde_json::from_str(json).ok()
}

fn request(start_offset: i64, days: i64, seg: u8, options: u8) -> KpiRequest {
    let start =
        NaiveDate::from_ymd_opt(2025, 11, 1).unwrap_or_default() + Duration::days(start_offset);
    let period =
        crmkit::calendar::Period::new(start, start + Duration::days(days)).expect("period");
    let mut request = KpiRequest::new(period);
    request.segment = segment(seg);
    request.options.churn_basis = if options & 1 == 0 {
        crmkit::kpi::ChurnBasis::StartingCustomers
    } else {
        crmkit::kpi::ChurnBasis::UpForRenewal
    };
    request.options.cac_includes_salaries = options & 2 == 0;
    if options & 4 != 0 {
        request.options.service_teams = vec!["support".parse().expect("team id")];
    }
    request.options.new_revenue_months = 1 + u32::from(options >> 3) % 12;
    request
}

fn check_merge(ds: &Dataset, request: &KpiRequest, how: Split, parts: usize, salt: u64) {
    let engine = KpiEngine::new(ds, request).expect("engine");
    let whole = engine.compute().expect("whole");
    assert_eq!(
        whole.len(),
        KpiId::ALL.len(),
        "the whole catalog is computed"
    );
    let pieces = split(ds, how, parts, salt);
    let mut accs = pieces
        .iter()
        .map(|p| {
            let mut acc = engine.accumulator();
            engine.accumulate(&mut acc, &p.view()).expect("accumulate");
            acc
        })
        .collect::<Vec<_>>();
    // Merge in a salt-dependent order.
    accs.rotate_left((salt as usize) % parts.max(1));
    let mut merged = accs.pop().expect("at least one part");
    while let Some(acc) = accs.pop() {
        merged.merge(&acc).expect("merge");
    }
    let from_parts = engine.finish(&merged).expect("finish");
    for (a, b) in whole.iter().zip(&from_parts) {
        assert_eq!(
            a, b,
            "{} differs after merging {parts} parts split {how:?}",
            a.kpi
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, .. ProptestConfig::default() })]

    #[test]
    fn merging_partitions_equals_computing_the_whole_for_every_kpi(
        seed in any::<u64>(),
        contacts in 10usize..70,
        start_offset in 0i64..330,
        days in 1i64..200,
        seg in any::<u8>(),
        options in any::<u8>(),
        how in prop_oneof![Just(Split::Position), Just(Split::Customer), Just(Split::Time)],
        parts in 1usize..5,
        salt in any::<u64>(),
    ) {
        let ds = generate(&SampleConfig { seed, contacts, companies: 8, ..SampleConfig::default() })
            .expect("sample");
        check_merge(&ds, &request(start_offset, days, seg, options), how, parts, salt);
    }
}

#[test]
fn merging_works_on_the_full_sample_company_split_by_customer_and_by_time() {
    let ds = generate(&SampleConfig::default()).expect("sample");
    for (offset, days) in [(0, 365), (90, 92), (240, 30)] {
        for seg in [0, 2, 3, 5] {
            let r = request(offset, days, seg, 5);
            check_merge(&ds, &r, Split::Customer, 3, 1);
            check_merge(&ds, &r, Split::Time, 4, 2);
        }
    }
}

#[test]
fn accumulators_of_different_periods_do_not_merge() {
    let ds = generate(&SampleConfig {
        contacts: 20,
        ..SampleConfig::default()
    })
    .expect("sample");
    let engine = KpiEngine::new(&ds, &request(0, 30, 0, 0)).expect("engine");
    let mut a = engine.accumulator();
    let other = engine
        .accumulator_for(
            crmkit::calendar::Period::new(
                NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
                NaiveDate::from_ymd_opt(2026, 2, 1).unwrap_or_default(),
            )
            .expect("period"),
        )
        .expect("accumulator");
    let err = a.merge(&other).unwrap_err();
    assert_eq!(err.kind(), crmkit::ErrorKind::Invalid);
}

#[test]
fn merging_an_empty_accumulator_changes_nothing() {
    let ds = generate(&SampleConfig {
        contacts: 40,
        ..SampleConfig::default()
    })
    .expect("sample");
    let engine = KpiEngine::new(&ds, &request(30, 120, 0, 0)).expect("engine");
    let mut acc = engine.accumulator();
    engine
        .accumulate(&mut acc, &Partition::whole(&ds))
        .expect("accumulate");
    let before = engine.finish(&acc).expect("finish");
    acc.merge(&engine.accumulator()).expect("merge");
    assert_eq!(engine.finish(&acc).expect("finish"), before);
}

#[test]
fn accumulators_shipped_as_json_merge_to_the_whole() {
    let ds = generate(&SampleConfig::default()).expect("sample");
    let r = request(60, 180, 0, 0);
    let engine = KpiEngine::new(&ds, &r).expect("engine");
    let mut merged = engine.accumulator();
    for part in split(&ds, Split::Customer, 3, 5) {
        let mut acc = engine.accumulator();
        engine
            .accumulate(&mut acc, &part.view())
            .expect("accumulate");
        // As if computed on another machine.
        let shipped = crmkit::kpi::KpiAccumulator::from_json(&acc.to_json().expect("json"))
            .expect("read back");
        assert_eq!(shipped, acc);
        merged.merge(&shipped).expect("merge");
    }
    assert_eq!(
        engine.finish(&merged).expect("finish"),
        engine.compute().expect("whole")
    );
    let err = crmkit::kpi::KpiAccumulator::from_json(r#"{"window": 3}"#).unwrap_err();
    assert!(err.path().is_some(), "{err}");
}

#[test]
fn parts_can_be_accumulated_on_several_threads() {
    let ds = generate(&SampleConfig::default()).expect("sample");
    let engine = KpiEngine::new(&ds, &request(0, 365, 3, 4)).expect("engine");
    let parts = split(&ds, Split::Time, 4, 9);
    let accs: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .iter()
            .map(|part| {
                let engine = &engine;
                scope.spawn(move || {
                    let mut acc = engine.accumulator();
                    engine.accumulate(&mut acc, &part.view()).map(|()| acc)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread").expect("accumulate"))
            .collect()
    });
    let mut merged = engine.accumulator();
    for acc in &accs {
        merged.merge(acc).expect("merge");
    }
    assert_eq!(
        engine.finish(&merged).expect("finish"),
        engine.compute().expect("whole")
    );
}
