//! An accumulator remembers the segment and options it was fed under: a
//! state finished or merged under others is refused with the difference
//! named, instead of giving another request's numbers.

use crmkit::kpi::{KpiAccumulator, KpiEngine, KpiRequest, Partition};
use crmkit::model::Dataset;
use crmkit::sample::{SampleConfig, generate};

fn sample() -> Dataset {
    generate(&SampleConfig {
        contacts: 60,
        ..SampleConfig::default()
    })
    .expect("sample")
}

fn request(kpis: &str, extra: &str) -> KpiRequest {
    KpiRequest::from_json(&format!(
        r#"{{"kpis": [{kpis}], "period": {{"start": "2026-01-01", "end": "2026-07-01"}}{extra}}}"#
    ))
    .expect("request")
}

fn fed(ds: &Dataset, request: &KpiRequest) -> KpiAccumulator {
    let engine = KpiEngine::new(ds, request).expect("engine");
    let mut acc = engine.accumulator();
    engine
        .accumulate(&mut acc, &Partition::whole(ds))
        .expect("accumulate");
    acc
}

#[test]
fn a_state_fed_under_one_revenue_source_is_not_finished_under_another() {
    let ds = sample();
    let purchases = request(
        r#""revenue""#,
        r#", "options": {"revenue_source": "purchases"}"#,
    );
    let deals = request(
        r#""revenue""#,
        r#", "options": {"revenue_source": "deals"}"#,
    );
    // The two sources give different revenue on the sample (it has both).
    let value = |r: &KpiRequest, acc: &KpiAccumulator| {
        KpiEngine::new(&ds, r)
            .expect("engine")
            .finish(acc)
            .map(|m| m[0].value.clone())
    };
    let shop_state = fed(&ds, &purchases);
    let team_state = fed(&ds, &deals);
    assert_ne!(
        value(&purchases, &shop_state).expect("same settings"),
        value(&deals, &team_state).expect("same settings")
    );
    // Across the state's JSON, too.
    let back = KpiAccumulator::from_json(&shop_state.to_json().expect("json")).expect("back");
    let err = value(&deals, &back).expect_err("other source");
    assert_eq!(err.path(), Some("accumulator.basis"), "{err}");
    let text = err.to_string();
    assert!(
        text.contains(r#"options.revenue_source is "purchases" in the accumulator, "deals" here"#),
        "{text}"
    );
    // Merging a shop state with a team state is refused the same way.
    let mut merged = shop_state.clone();
    let err = merged.merge(&team_state).expect_err("merge");
    assert_eq!(err.path(), Some("accumulator.basis"), "{err}");
    assert!(err.to_string().contains("options.revenue_source"), "{err}");
    assert_eq!(merged, shop_state, "nothing merged");
}

#[test]
fn other_segments_and_options_are_named_too() {
    let ds = sample();
    let plain = request(r#""win_rate""#, "");
    let team = request(r#""win_rate""#, r#", "segment": {"team": "east"}"#);
    let window = request(
        r#""churn_rate""#,
        r#", "options": {"active_customer_days": 90}"#,
    );
    let state = fed(&ds, &plain);
    let err = KpiEngine::new(&ds, &team)
        .expect("engine")
        .finish(&state)
        .expect_err("segment");
    assert!(
        err.to_string()
            .contains("segment is null in the accumulator"),
        "{err}"
    );
    // A window option changes the accumulator's window: refused as before.
    let err = KpiEngine::new(&ds, &window)
        .expect("engine")
        .finish(&state)
        .expect_err("window");
    assert!(
        err.path().is_some_and(|p| p.starts_with("accumulator.")),
        "{err}"
    );
}

#[test]
fn new_revenue_needs_a_state_that_kept_its_events() {
    let ds = sample();
    let without = request(r#""revenue""#, "");
    let with = request(r#""revenue", "new_revenue""#, "");
    let whole = KpiEngine::new(&ds, &with)
        .expect("engine")
        .compute()
        .expect("compute");
    // Fed without new_revenue: finishing new_revenue would give 0.
    let err = KpiEngine::new(&ds, &with)
        .expect("engine")
        .finish(&fed(&ds, &without))
        .expect_err("no events kept");
    assert!(err.to_string().contains("no new-revenue events"), "{err}");
    // Fed with it: finishing with or without it is exact.
    let state = fed(&ds, &with);
    let finished = KpiEngine::new(&ds, &with)
        .expect("engine")
        .finish(&state)
        .expect("finish");
    assert_eq!(finished, whole);
    let revenue_only = KpiEngine::new(&ds, &without)
        .expect("engine")
        .finish(&state)
        .expect("finish");
    assert_eq!(revenue_only[0], whole[0]);
}

#[test]
fn states_written_before_the_basis_are_still_read_and_finished() {
    let ds = sample();
    let plain = request(r#""revenue""#, "");
    let state = fed(&ds, &plain);
    let mut json: serde_json::Value =
        serde_json::from_str(&state.to_json().expect("json")).expect("value");
    assert!(json.get("basis").is_some(), "{json}");
    json.as_object_mut().expect("object").remove("basis");
    let old = KpiAccumulator::from_json(&json.to_string()).expect("old state");
    let engine = KpiEngine::new(&ds, &plain).expect("engine");
    assert_eq!(
        engine.finish(&old).expect("finish"),
        engine.finish(&state).expect("finish")
    );
}
