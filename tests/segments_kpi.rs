//! A saved segment used as a KPI segment (`{"segment": {"saved": ...}}`)
//! and, with the same condition, as a journey's entry condition (issue 16).
//! Expected values are worked out in the comments.

use crmkit::ErrorKind;
use crmkit::kpi::catalog::KpiId;
use crmkit::kpi::{KpiRequest, TimeSeriesRequest, compute, time_series};
use crmkit::model::Dataset;
use rust_decimal::Decimal;

/// A, B and C are German, F French. A buys $100 (01-10) and $40 (02-03), B
/// $25 (01-20), F $70 (01-15). C becomes a customer only on 03-01 (A, B and
/// F are customers from the start); C buys $60 on 01-25 as a lead. A also
/// has a ticket in January.
const PEOPLE: &str = r#"{
  "reporting_currency": "USD",
  "contacts": [
    {"id": "A", "name": "A", "country": "DE", "created_at": "2025-12-01T00:00:00Z",
     "lifecycle": {"stage": "customer"}},
    {"id": "B", "name": "B", "country": "DE", "created_at": "2025-12-01T00:00:00Z",
     "lifecycle": {"stage": "customer"}},
    {"id": "C", "name": "C", "country": "DE", "created_at": "2025-12-01T00:00:00Z",
     "lifecycle": {"stage": "customer", "history": [
       {"from": "lead", "to": "customer", "at": "2026-03-01T00:00:00Z"}]}},
    {"id": "F", "name": "F", "country": "FR", "created_at": "2025-12-01T00:00:00Z",
     "lifecycle": {"stage": "customer"}}],
  "activities": [
    {"id": "P1", "contact": "A", "at": "2026-01-10T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "100", "currency": "USD"}}},
    {"id": "P2", "contact": "A", "at": "2026-02-03T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "40", "currency": "USD"}}},
    {"id": "P3", "contact": "B", "at": "2026-01-20T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "25", "currency": "USD"}}},
    {"id": "P4", "contact": "F", "at": "2026-01-15T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "70", "currency": "USD"}}},
    {"id": "P5", "contact": "C", "at": "2026-01-25T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "60", "currency": "USD"}}}]
}"#;

const GERMAN_CUSTOMERS: &str = r#"{"name": "german customers", "condition": {"all": [
    {"field": "contact.country", "op": "eq", "value": "DE"},
    {"field": "contact.lifecycle_stage", "op": "eq", "value": "customer"}]}}"#;

fn people() -> Dataset {
    Dataset::from_json(PEOPLE).expect("people")
}

fn value(m: &crmkit::kpi::Measurement) -> Decimal {
    m.value.as_decimal().expect("defined")
}

#[test]
fn a_saved_segment_filters_a_kpi_report_to_its_members() {
    let ds = people();
    let request = KpiRequest::from_json(&format!(
        r#"{{"kpis": ["revenue", "orders"], "period": {{"start": "2026-01-01", "end": "2026-02-01"}},
            "options": {{"revenue_source": "purchases"}},
            "segment": {{"saved": {GERMAN_CUSTOMERS}}}}}"#
    ))
    .expect("request");
    let report = compute(&ds, &request).expect("report");
    // Members as of the period's end (2026-02-01): A and B (C is a lead
    // until 03-01, F is French). Their January purchases: 100 + 25 = 125
    // in 2 orders; C's $60 and F's $70 are left out.
    let revenue = &report.kpis[0].current;
    assert_eq!(revenue.kpi, KpiId::Revenue);
    assert_eq!(value(revenue), Decimal::from(125));
    assert_eq!(value(&report.kpis[1].current), Decimal::from(2));
    // Without the segment: 100 + 25 + 70 + 60 = 255.
    let mut all = request.clone();
    all.segment = None;
    let whole = compute(&ds, &all).expect("whole");
    assert_eq!(value(&whole.kpis[0].current), Decimal::from(255));
}

#[test]
fn a_time_series_evaluates_the_saved_segment_at_the_end_of_its_range() {
    let ds = people();
    let request = TimeSeriesRequest::from_json(&format!(
        r#"{{"kpis": ["revenue"], "range": {{"start": "2026-01-01", "end": "2026-04-01"}},
            "granularity": "month", "options": {{"revenue_source": "purchases"}},
            "segment": {{"saved": {GERMAN_CUSTOMERS}}}}}"#
    ))
    .expect("request");
    let series = time_series(&ds, &request).expect("series");
    // Members as of 2026-04-01: A, B and C. January: 100 + 25 + 60 = 185;
    // February: A's 40; March: nothing.
    let revenue: Vec<Decimal> = series.points.iter().map(|p| value(&p.values[0])).collect();
    assert_eq!(
        revenue,
        [Decimal::from(185), Decimal::from(40), Decimal::ZERO]
    );
}

#[test]
fn a_saved_kpi_segment_names_its_errors() {
    let ds = people();
    let request = KpiRequest::from_json(
        r#"{"kpis": ["revenue"], "period": {"start": "2026-01-01", "end": "2026-02-01"},
            "segment": {"saved": {"name": "bad", "condition": {"field": "deal.value", "op": "gt",
                                   "value": {"amount": "5", "currency": "USD"}}}}}"#,
    )
    .expect("parses");
    let err = compute(&ds, &request).expect_err("a segment reads contact fields only");
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert_eq!(err.path(), Some("segment.saved.condition.field"), "{err}");
}

#[test]
fn the_same_condition_is_a_journey_entry_condition() {
    use crmkit::automation::{Event, EventType};
    use crmkit::journeys::{Idle, Input, Journey, JourneyState};
    let ds = people();
    let segment = crmkit::segments::SavedSegment::from_json(GERMAN_CUSTOMERS).expect("segment");
    let doc = serde_json::json!({"id": "j", "start": "a",
        "entry": {"triggers": [{"type": "contact_created"}], "condition": segment.condition},
        "steps": [{"id": "a", "type": "end"}]});
    let journey = Journey::from_json(&doc.to_string()).expect("journey");
    let as_of: chrono::DateTime<chrono::Utc> = "2026-04-01T00:00:00Z".parse().expect("time");
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
    }
    // The journey lets in the members the KPI time series counted: A, B, C.
    assert_eq!(entered, ["A", "B", "C"]);
}
