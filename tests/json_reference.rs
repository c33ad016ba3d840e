//! `docs/json.md`, the reference of the JSON shapes the C API takes, is
//! checked here: every ```` ```json <shape> ```` block is loaded by the Rust
//! function the matching C function calls, and the examples are used
//! together (the event is routed by the rule set over the dataset, the lead
//! scored by the model, the KPI request computed), so the page cannot drift
//! from the code.

use std::collections::BTreeMap;

use crmkit::automation::{EnrollmentState, Event, RuleSet};
use crmkit::goals::Goal;
use crmkit::kpi::{KpiRequest, PipelineReportRequest, TimeSeriesRequest, compute};
use crmkit::model::{Dataset, Timestamp};
use crmkit::predict::{ClvReportOptions, PropensitySpec};
use crmkit::scoring::ScoringModel;

/// The page's tagged JSON blocks by tag.
fn blocks() -> BTreeMap<String, String> {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json.md"))
        .expect("docs/json.md");
    let mut blocks = BTreeMap::new();
    let mut rest = page.as_str();
    while let Some((_, after)) = rest.split_once("```json") {
        let (tag, body) = after.split_once('\n').expect("a block's first line");
        let (body, tail) = body.split_once("```").expect("a closed block");
        let tag = tag.trim().to_string();
        assert!(
            !tag.is_empty(),
            "a ```json block in docs/json.md has no shape tag"
        );
        assert!(
            blocks.insert(tag.clone(), body.to_string()).is_none(),
            "two blocks tagged {tag}"
        );
        rest = tail;
    }
    blocks
}

fn as_of() -> Timestamp {
    "2026-11-01T00:00:00Z".parse().expect("timestamp")
}

#[test]
fn every_documented_shape_loads_and_the_examples_work_together() {
    let mut blocks = blocks();
    let mut take = |tag: &str| {
        blocks
            .remove(tag)
            .unwrap_or_else(|| panic!("docs/json.md has no ```json {tag} block"))
    };
    let dataset = Dataset::from_json(&take("dataset")).expect("dataset example");
    let model = ScoringModel::from_json(&take("scoring_model")).expect("scoring model example");
    let score = model
        .score_json(&take("lead"), as_of())
        .expect("lead example");
    assert!(!score.contributions.is_empty(), "the example lead scores");

    let rules = RuleSet::from_json(&take("rules")).expect("rule set example");
    let event = Event::from_json(&take("event")).expect("event example");
    let outcome = rules
        .evaluate(&event, &dataset, &EnrollmentState::default(), as_of())
        .expect("the example event is routed");
    assert_eq!(outcome.actions.len(), 1, "a $499.99 deal joins the nurture");

    let request = KpiRequest::from_json(&take("kpi_request")).expect("KPI request example");
    compute(&dataset, &request).expect("the example KPI request runs on the example dataset");
    TimeSeriesRequest::from_json(&take("time_series_request")).expect("time series example");
    PipelineReportRequest::from_json(&take("pipeline_request")).expect("pipeline example");
    Goal::from_json(&take("goal")).expect("goal example");
    PropensitySpec::from_json(&take("propensity_spec")).expect("propensity spec example");
    serde_json::from_str::<ClvReportOptions>(&take("clv_options")).expect("CLV options example");
    let cohort = crmkit::segments::CohortRequest::from_json(&take("cohort_request"))
        .expect("cohort request example");
    let cohorts = crmkit::segments::cohort_report(&dataset, &cohort).expect("cohort example runs");
    assert_eq!(cohorts.customers, 1, "C-1 is the example's one customer");
    let rfm = crmkit::segments::RfmSegmentRequest::from_json(&take("rfm_request"))
        .expect("RFM request example");
    crmkit::segments::rfm_segments(&dataset, &rfm).expect("RFM example runs");
    let segment = crmkit::segments::SegmentRequest::from_json(&take("segment_request"))
        .expect("segment request example");
    let members = crmkit::segments::segment_members(&dataset, &segment).expect("segment example");
    assert_eq!(members.count, 1, "C-1 is a customer at Acme (software)");
    assert_eq!(
        members.changes.map(|c| c.entered.len()),
        Some(1),
        "C-1 became a customer on 2026-02-01"
    );

    let attribution =
        crmkit::attribution::AttributionRequest::from_json(&take("attribution_request"))
            .expect("attribution request example");
    let credit = crmkit::attribution::attribution_report(&attribution).expect("attribution runs");
    assert_eq!(credit.models.len(), 7);
    // direct_takes_last_touch false: last touch skips the direct visit.
    let last = &credit.models[0].channels;
    let search = last.iter().find(|c| c.key == "search").expect("search");
    assert_eq!(search.conversions, rust_decimal::Decimal::ONE);
    assert!(
        credit.models[6].shapley_values.is_some(),
        "shapley_rate ran"
    );
    let from_dataset = crmkit::attribution::DatasetAttributionRequest::from_json(&take(
        "dataset_attribution_request",
    ))
    .expect("dataset attribution request example");
    assert_eq!(
        from_dataset.ad_touches,
        crmkit::attribution::AdTouches::PaidChannel,
        "the example names the default ad_touches"
    );
    let report = crmkit::attribution::dataset_attribution_report(&dataset, &from_dataset)
        .expect("dataset attribution example runs on the example dataset");
    assert_eq!(
        report.total_conversions,
        rust_decimal::Decimal::ONE,
        "D-1 is the example's one won deal"
    );
    let experiment = crmkit::experiments::ExperimentRequest::from_json(&take("experiment_request"))
        .expect("experiment request example");
    let analysis = crmkit::experiments::analyze(&experiment).expect("experiment example runs");
    assert_eq!(analysis.comparisons[0].verdict.code, "variant_better");
    let plan = crmkit::experiments::SampleSizeRequest::from_json(&take("sample_size_request"))
        .expect("sample size example");
    let plan = crmkit::experiments::sample_size(&plan).expect("sample size example runs");
    assert_eq!(plan.solved_for, "sample_size");
    assert!(plan.per_arm > 3000, "10 % to 12 % needs thousands per arm");

    assert!(
        blocks.is_empty(),
        "docs/json.md has blocks this test does not check: {:?}",
        blocks.keys().collect::<Vec<_>>()
    );
}
