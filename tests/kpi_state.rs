//! Accumulator states sized by their part (issue 17): a part's state holds
//! only what its records contributed, so it does not grow with the
//! dataset's contact count, and it still merges into the whole.

use chrono::{Duration, TimeZone, Utc};
use crmkit::kpi::{KpiEngine, KpiRequest, Partition};
use crmkit::model::{Activity, ActivityKind, Contact, ContactId, Dataset, DatasetParts};
use crmkit::money::{Currency, Money};
use rust_decimal::Decimal;

fn usd() -> Currency {
    Currency::new("USD").expect("usd")
}

/// A shop of `contacts` customers, each with one purchase in 2026.
fn shop(contacts: usize) -> Dataset {
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("start");
    let mut parts = DatasetParts {
        reporting_currency: Some(usd()),
        ..DatasetParts::default()
    };
    let template: Contact = serde_json::from_value(serde_json::json!({
        "id": "C0", "name": "shopper", "created_at": start.to_rfc3339()
    }))
    .expect("contact");
    for c in 0..contacts {
        let id: ContactId = format!("C{c}").parse().expect("id");
        let mut contact = template.clone();
        contact.id = id.clone();
        parts.contacts.push(contact);
        parts
            .activities
            .push(purchase(&format!("P{c}"), &id, 400 + (c as i64 % 200)));
    }
    Dataset::new(parts).expect("shop")
}

fn purchase(id: &str, contact: &ContactId, day: i64) -> Activity {
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("start");
    Activity {
        id: id.parse().expect("activity id"),
        contact: contact.clone(),
        at: start + Duration::days(day),
        deal: None,
        campaign: None,
        rep: None,
        kind: ActivityKind::Purchase {
            amount: Money::new(Decimal::new(2500, 2), usd()),
            items: Vec::new(),
        },
    }
}

fn request() -> KpiRequest {
    KpiRequest::from_json(
        r#"{"kpis": ["revenue", "orders", "active_customers", "repeat_customers", "new_customers", "churn_rate"],
            "period": {"start": "2026-01-01", "end": "2026-07-01"},
            "options": {"revenue_source": "purchases", "active_customer_days": 90}}"#,
    )
    .expect("request")
}

/// Purchases of the first `k` contacts, outside the dataset.
fn part_of(k: usize) -> Vec<Activity> {
    (0..k)
        .flat_map(|c| {
            let id: ContactId = format!("C{c}").parse().expect("id");
            [
                purchase(&format!("X{c}a"), &id, 380),
                purchase(&format!("X{c}b"), &id, 420),
            ]
        })
        .collect()
}

#[test]
fn the_state_of_a_part_does_not_grow_with_the_datasets_contacts() {
    let request = request();
    let part = part_of(5);
    let mut sizes = Vec::new();
    for contacts in [50, 5_000] {
        let ds = shop(contacts);
        let engine = KpiEngine::new(&ds, &request).expect("engine");
        let mut acc = engine.accumulator();
        engine
            .accumulate(
                &mut acc,
                &Partition {
                    activities: &part,
                    ..Partition::default()
                },
            )
            .expect("accumulate");
        sizes.push(acc.to_json().expect("json").len());
    }
    assert_eq!(
        sizes.first(),
        sizes.last(),
        "state of a 5-contact part for 50 and 5,000 contacts"
    );
    // And it is small: a few hundred bytes per contact seen at most.
    assert!(sizes.iter().all(|&s| s < 5 * 300 + 3_000), "{sizes:?}");
}

#[test]
fn a_part_state_grows_with_the_contacts_it_saw() {
    let ds = shop(2_000);
    let engine = KpiEngine::new(&ds, &request()).expect("engine");
    let size = |k: usize| {
        let part = part_of(k);
        let mut acc = engine.accumulator();
        engine
            .accumulate(
                &mut acc,
                &Partition {
                    activities: &part,
                    ..Partition::default()
                },
            )
            .expect("accumulate");
        acc.to_json().expect("json").len()
    };
    let (ten, hundred) = (size(10), size(100));
    assert!(hundred > ten, "{ten} {hundred}");
    // Linear in the contacts seen, not in the dataset's 2,000.
    assert!(hundred < 12 * ten, "{ten} {hundred}");
}

#[test]
fn parts_of_a_shop_merge_into_the_whole() {
    let ds = shop(300);
    let engine = KpiEngine::new(&ds, &request()).expect("engine");
    let (a, b) = ds.activities().split_at(137);
    let mut left = engine.accumulator();
    engine
        .accumulate(
            &mut left,
            &Partition {
                contacts: ds.contacts(),
                activities: a,
                ..Partition::default()
            },
        )
        .expect("left");
    let mut right = engine.accumulator();
    engine
        .accumulate(
            &mut right,
            &Partition {
                activities: b,
                ..Partition::default()
            },
        )
        .expect("right");
    // Shipped as JSON between machines, then merged.
    let right =
        crmkit::kpi::KpiAccumulator::from_json(&right.to_json().expect("json")).expect("read back");
    left.merge(&right).expect("merge");
    assert_eq!(
        engine.finish(&left).expect("finish"),
        engine.compute().expect("whole")
    );
}

#[test]
fn a_purchase_in_two_merged_parts_is_refused_by_name() {
    let ds = shop(20);
    let engine = KpiEngine::new(&ds, &request()).expect("engine");
    let part = part_of(3);
    let (a, b) = part.split_at(4);
    // The second part repeats the first part's last purchase.
    let mut b = b.to_vec();
    b.push(a.last().expect("purchase").clone());
    let fed = |records: &[Activity]| {
        let mut acc = engine.accumulator();
        engine
            .accumulate(
                &mut acc,
                &Partition {
                    activities: records,
                    ..Partition::default()
                },
            )
            .expect("accumulate");
        acc
    };
    let mut left = fed(a);
    let right = fed(&b);
    let before = left.clone();
    let err = left.merge(&right).expect_err("a shared purchase");
    assert_eq!(err.kind(), crmkit::ErrorKind::Invalid);
    assert!(err.to_string().contains(r#"activity "X1b""#), "{err}");
    assert!(err.to_string().contains("both accumulators"), "{err}");
    // Nothing was merged.
    assert_eq!(left, before);
    // Without the repeated record, the parts merge.
    left.merge(&fed(part.split_at(4).1))
        .expect("disjoint parts");
}

#[test]
fn a_deal_fed_twice_to_one_accumulator_is_refused_by_name() {
    let ds = crmkit::sample::generate(&crmkit::sample::SampleConfig {
        contacts: 60,
        ..crmkit::sample::SampleConfig::default()
    })
    .expect("sample");
    let request =
        KpiRequest::from_json(r#"{"period": {"start": "2026-01-01", "end": "2026-07-01"}}"#)
            .expect("request");
    let engine = KpiEngine::new(&ds, &request).expect("engine");
    let deals = ds.deals();
    let (a, b) = deals.split_at(deals.len() / 2);
    let mut acc = engine.accumulator();
    let part = |deals| Partition {
        deals,
        ..Partition::default()
    };
    engine
        .accumulate(
            &mut acc,
            &Partition {
                deals: a,
                ..Partition::whole(&ds)
            },
        )
        .expect("first half");
    let overlap = deals.get(deals.len() / 2 - 1..).expect("overlap");
    let err = engine
        .accumulate(&mut acc, &part(overlap))
        .expect_err("a deal fed twice");
    let first_again = a.last().expect("deal").id.to_string();
    assert!(
        err.to_string().contains(&format!("deal \"{first_again}\"")),
        "{err}"
    );
    engine.accumulate(&mut acc, &part(b)).expect("second half");
    assert_eq!(
        engine.finish(&acc).expect("finish"),
        engine.compute().expect("whole")
    );
}

#[test]
fn a_part_of_ten_purchases_out_of_100000_contacts_ships_a_state_of_its_size() {
    let request = request();
    let part = part_of(5);
    let size = |contacts: usize| {
        let ds = shop(contacts);
        let engine = KpiEngine::new(&ds, &request).expect("engine");
        let mut acc = engine.accumulator();
        engine
            .accumulate(
                &mut acc,
                &Partition {
                    activities: &part,
                    ..Partition::default()
                },
            )
            .expect("accumulate");
        acc.to_json().expect("json").len()
    };
    let (small, large) = (size(10), size(100_000));
    assert_eq!(small, large, "10 purchases, 10 or 100,000 contacts");
    assert!(large < 10 * 300 + 3_000, "{large} bytes");
}

/// The dataset of a worker: only the contacts of its part, in its own order.
fn worker(contacts: &[Contact]) -> Dataset {
    Dataset::new(DatasetParts {
        reporting_currency: Some(usd()),
        contacts: contacts.to_vec(),
        ..DatasetParts::default()
    })
    .expect("worker dataset")
}

#[test]
fn workers_holding_only_their_contacts_merge_into_the_whole() {
    let ds = shop(300);
    let request = request();
    // Worker A holds contacts 120..300 in reverse order, worker B 0..120:
    // the same contact sits at different positions in each table.
    let (b_contacts, a_contacts) = ds.contacts().split_at(120);
    let a_contacts: Vec<Contact> = a_contacts.iter().rev().cloned().collect();
    let state = |contacts: &[Contact]| {
        let local = worker(contacts);
        let engine = KpiEngine::new(&local, &request).expect("engine");
        let activities: Vec<Activity> = ds
            .activities()
            .iter()
            .cloned()
            .chain(part_of(300))
            .filter(|a| contacts.iter().any(|c| c.id == a.contact))
            .collect();
        let mut acc = engine.accumulator();
        engine
            .accumulate(
                &mut acc,
                &Partition {
                    contacts,
                    activities: &activities,
                    ..Partition::default()
                },
            )
            .expect("accumulate");
        acc.to_json().expect("json")
    };
    let (a, b) = (state(&a_contacts), state(b_contacts));
    // The coordinator reads and merges the states without any contact
    // table: its engine's dataset is empty.
    let empty = worker(&[]);
    let coordinator = KpiEngine::new(&empty, &request).expect("coordinator");
    let mut merged = crmkit::kpi::KpiAccumulator::from_json(&a).expect("a");
    merged
        .merge(&crmkit::kpi::KpiAccumulator::from_json(&b).expect("b"))
        .expect("merge");
    // The whole: the shop with the extra purchases, in one dataset.
    let mut parts = ds.parts().clone();
    parts.activities.extend(part_of(300));
    let whole = Dataset::new(parts).expect("whole");
    assert_eq!(
        coordinator.finish(&merged).expect("finish"),
        KpiEngine::new(&whole, &request)
            .expect("engine")
            .compute()
            .expect("whole")
    );
}

#[test]
fn a_state_of_another_format_is_refused_with_its_version() {
    let ds = shop(20);
    let engine = KpiEngine::new(&ds, &request()).expect("engine");
    let mut acc = engine.accumulator();
    let part = part_of(3);
    engine
        .accumulate(
            &mut acc,
            &Partition {
                activities: &part,
                ..Partition::default()
            },
        )
        .expect("accumulate");
    let json = acc.to_json().expect("json");
    let mut state: serde_json::Value = serde_json::from_str(&json).expect("value");
    assert_eq!(state["version"], 2, "{json}");
    assert!(state["contacts"].get("C1").is_some(), "keyed by id: {json}");
    // A state written before the version field (facts keyed by position).
    let fields = state.as_object_mut().expect("object");
    fields.remove("version");
    let err = crmkit::kpi::KpiAccumulator::from_json(&state.to_string()).expect_err("old");
    assert_eq!(err.path(), Some("version"), "{err}");
    assert!(err.to_string().contains("format 1"), "{err}");
    assert!(err.to_string().contains("reads format 2"), "{err}");
    state["version"] = serde_json::json!(3);
    let err = crmkit::kpi::KpiAccumulator::from_json(&state.to_string()).expect_err("newer");
    assert_eq!(err.path(), Some("version"), "{err}");
    assert!(
        err.to_string().contains("format 3 is not supported"),
        "{err}"
    );
    // The current format reads back equal.
    assert_eq!(
        crmkit::kpi::KpiAccumulator::from_json(&json).expect("current"),
        acc
    );
}
