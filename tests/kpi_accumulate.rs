//! Records given to an engine through a `Partition` follow the rules a
//! `Dataset` enforces, with the same messages, and no accumulated input
//! yields a KPI outside its catalog range.

use crmkit::ErrorKind;
use crmkit::kpi::catalog::KpiId;
use crmkit::kpi::{KpiEngine, KpiRequest, Partition};
use crmkit::model::{Activity, Dataset, Deal};
use proptest::prelude::*;

const SHOP: &str = r#"{
  "reporting_currency": "USD",
  "pipelines": [{"id": "sales", "name": "Sales", "stages": [
    {"id": "new", "name": "New", "probability": 10},
    {"id": "won", "name": "Won", "probability": 100, "kind": "won"},
    {"id": "lost", "name": "Lost", "probability": 0, "kind": "lost"}]}],
  "contacts": [
    {"id": "C1", "name": "One", "created_at": "1997-01-01T00:00:00Z"},
    {"id": "C2", "name": "Two", "created_at": "1997-01-01T00:00:00Z"}]
}"#;

fn shop() -> Dataset {
    Dataset::from_json(SHOP).expect("valid")
}

fn purchase(id: &str, contact: &str, day: u32, amount: i64) -> Activity {
    let at = chrono::NaiveDate::from_ymd_opt(1997, 1, 1)
        .and_then(|d| d.checked_add_days(chrono::Days::new(u64::from(day))))
        .expect("date");
    serde_json::from_str(&format!(
        r#"{{"id": "{id}", "contact": "{contact}", "at": "{at}T10:00:00Z",
            "kind": {{"type": "purchase", "amount": {{"amount": "{amount}", "currency": "USD"}}}}}}"#
    ))
    .expect("activity")
}

fn deal(id: &str, contact: &str, status: &str, day: u32, amount: i64) -> Deal {
    let at = chrono::NaiveDate::from_ymd_opt(1997, 1, 1)
        .and_then(|d| d.checked_add_days(chrono::Days::new(u64::from(day))))
        .expect("date");
    let (stage, closed) = match status {
        "won" => ("won", format!(r#", "closed_at": "{at}T12:00:00Z""#)),
        "lost" => ("lost", format!(r#", "closed_at": "{at}T12:00:00Z""#)),
        _ => ("new", String::new()),
    };
    serde_json::from_str(&format!(
        r#"{{"id": "{id}", "contact": "{contact}", "pipeline": "sales", "stage": "{stage}",
            "status": "{status}", "value": {{"amount": "{amount}", "currency": "USD"}},
            "created_at": "{at}T00:00:00Z"{closed}}}"#
    ))
    .expect("deal")
}

fn request(options: &str) -> KpiRequest {
    KpiRequest::from_json(&format!(
        r#"{{"period": {{"start": "1997-07-01", "end": "1998-01-01"}}, "options": {{{options}}}}}"#
    ))
    .expect("request")
}

fn accumulate(ds: &Dataset, activities: &[Activity], deals: &[Deal]) -> crmkit::Result<()> {
    let engine = KpiEngine::new(ds, &request(r#""revenue_source": "purchases""#))?;
    let mut acc = engine.accumulator();
    engine.accumulate(
        &mut acc,
        &Partition {
            activities,
            deals,
            ..Partition::default()
        },
    )
}

#[test]
fn a_negative_purchase_is_refused_as_by_a_dataset() {
    let ds = shop();
    let err = accumulate(&ds, &[purchase("P1", "C1", 200, -40)], &[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert_eq!(err.path(), Some("partition.activities[0].kind.amount"));
    // The dataset's message for the same record.
    let mut parts = ds.parts().clone();
    parts.activities.push(purchase("P1", "C1", 200, -40));
    let refused = Dataset::new(parts).unwrap_err();
    assert_eq!(refused.path(), Some("activities[0].kind.amount"));
    assert_eq!(err.message(), refused.message());
}

#[test]
fn a_purchase_by_an_unknown_contact_is_refused() {
    let err = accumulate(&shop(), &[purchase("P1", "C9", 200, 10)], &[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.path(), Some("partition.activities[0].contact"));
    assert!(err.message().contains("unknown contact \"C9\""), "{err}");
}

#[test]
fn duplicate_ids_in_a_part_are_refused() {
    let twice = [purchase("P1", "C1", 200, 10), purchase("P1", "C2", 201, 10)];
    let err = accumulate(&shop(), &twice, &[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert_eq!(err.path(), Some("partition.activities[1].id"));
    let deals = [
        deal("D1", "C1", "won", 200, 5),
        deal("D1", "C2", "won", 201, 5),
    ];
    let err = accumulate(&shop(), &[], &deals).unwrap_err();
    assert_eq!(err.path(), Some("partition.deals[1].id"));
}

#[test]
fn deal_rules_hold_for_parts_too() {
    let err = accumulate(&shop(), &[], &[deal("D1", "C1", "won", 200, -5)]).unwrap_err();
    assert_eq!(err.path(), Some("partition.deals[0].value"));
    // A purchase may name a deal of the same part.
    let paid = purchase("P1", "C1", 200, 10);
    let mut linked = paid.clone();
    linked.deal = Some("D1".parse().expect("id"));
    accumulate(
        &shop(),
        &[linked.clone()],
        &[deal("D1", "C1", "won", 200, 10)],
    )
    .expect("a purchase paying a deal of its part");
    let err = accumulate(&shop(), &[linked], &[]).unwrap_err();
    assert_eq!(err.path(), Some("partition.activities[0].deal"));
}

fn in_catalog_range(kpi: KpiId, value: rust_decimal::Decimal) -> bool {
    let def = kpi.definition();
    def.min.is_none_or(|m| value >= m) && def.max.is_none_or(|m| value <= m)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, .. ProptestConfig::default() })]

    #[test]
    fn no_accumulated_input_yields_a_kpi_outside_its_range(
        purchases in proptest::collection::vec((0u8..8, 0u8..3, 0u32..400, -50i64..300), 0..12),
        deals in proptest::collection::vec((0u8..6, 0u8..3, 0u8..3, 0u32..400, -50i64..900), 0..8),
        options in 0usize..6,
    ) {
        let ds = shop();
        let contacts = ["C1", "C2", "C9"];
        let activities: Vec<Activity> = purchases
            .iter()
            .map(|&(id, c, day, amount)| {
                purchase(&format!("P{id}"), contacts[usize::from(c)], day, amount)
            })
            .collect();
        let deals: Vec<Deal> = deals
            .iter()
            .map(|&(id, c, status, day, amount)| {
                let status = ["won", "lost", "open"][usize::from(status)];
                deal(&format!("D{id}"), contacts[usize::from(c)], status, day, amount)
            })
            .collect();
        let options = [
            r#""revenue_source": "purchases""#,
            r#""revenue_source": "both", "order_basis": "customer_day""#,
            r#""revenue_source": "deals", "active_customer_days": 150"#,
            r#""revenue_source": "purchases", "customer_basis": "previous_period""#,
            r#""revenue_source": "both", "active_customer_days": 100"#,
            r#""churn_basis": "up_for_renewal", "contract_months": 3"#,
        ][options];
        let engine = KpiEngine::new(&ds, &request(options)).expect("engine");
        let mut acc = engine.accumulator();
        // The whole contact list comes along, as a worker's part would.
        let part = Partition {
            contacts: ds.contacts(),
            activities: &activities,
            deals: &deals,
            ..Partition::default()
        };
        if engine.accumulate(&mut acc, &part).is_ok() {
            for m in engine.finish(&acc).expect("finish") {
                if let Some(value) = m.value.as_decimal() {
                    prop_assert!(in_catalog_range(m.kpi, value), "{} = {} out of range", m.kpi, value);
                }
            }
        }
    }
}

#[test]
fn retention_is_not_negative_when_a_new_customer_left_before_the_end() {
    // C2 bought on 1997-03-23 (a customer at the start with a 100-day
    // window); C1's first purchase on 1997-07-01 makes it new, but its
    // window ends before the period does: (E - N) / S would be (0 - 1) / 1.
    let ds = shop();
    let engine = KpiEngine::new(
        &ds,
        &request(r#""revenue_source": "both", "active_customer_days": 100"#),
    )
    .expect("engine");
    let mut acc = engine.accumulator();
    let part = Partition {
        activities: &[purchase("P0", "C1", 181, 0)],
        deals: &[deal("D0", "C2", "won", 81, 0)],
        ..Partition::default()
    };
    engine.accumulate(&mut acc, &part).expect("accumulate");
    let values = engine.finish(&acc).expect("finish");
    let retention = values
        .iter()
        .find(|m| m.kpi == KpiId::RetentionRate)
        .expect("retention");
    assert_eq!(
        retention.value.as_decimal(),
        Some(rust_decimal::Decimal::ZERO),
        "{retention:?}"
    );
}
