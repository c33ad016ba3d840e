//! The pipeline bottleneck report, on a hand-built pipeline (values worked
//! out in the comments) and on the sample company, where the seed's finding
//! must appear.

use crmkit::ErrorKind;
use crmkit::kpi::pipeline::FindingCode;
use crmkit::kpi::{PipelineReportRequest, pipeline_report};
use crmkit::model::Dataset;
use crmkit::sample::{SAMPLE_AS_OF, SampleConfig, generate};
use rust_decimal::Decimal;

const PIPE: &str = r#"{
  "reporting_currency": "USD",
  "reps": [{"id": "R-1", "name": "Ana"}, {"id": "R-2", "name": "Ben"}],
  "pipelines": [{"id": "p", "name": "P", "stages": [
    {"id": "new", "name": "New", "probability": 10},
    {"id": "qualify", "name": "Qualify", "probability": 40},
    {"id": "won", "name": "Won", "probability": 100, "kind": "won"},
    {"id": "lost", "name": "Lost", "probability": 0, "kind": "lost"}]}],
  "contacts": [{"id": "C-1", "name": "A", "created_at": "2023-12-01T00:00:00Z"}],
  "deals": [
    {"id": "D-1", "contact": "C-1", "owner": "R-1", "pipeline": "p", "stage": "qualify", "value": {"amount": "1", "currency": "USD"}, "created_at": "2024-01-01T00:00:00Z",
     "stage_history": [{"stage": "new", "entered_at": "2024-01-01T00:00:00Z", "exited_at": "2024-01-11T00:00:00Z"}, {"stage": "qualify", "entered_at": "2024-01-11T00:00:00Z"}]},
    {"id": "D-2", "contact": "C-1", "owner": "R-2", "pipeline": "p", "stage": "qualify", "value": {"amount": "1", "currency": "USD"}, "created_at": "2024-02-01T00:00:00Z",
     "stage_history": [{"stage": "new", "entered_at": "2024-02-01T00:00:00Z", "exited_at": "2024-02-05T00:00:00Z"}, {"stage": "qualify", "entered_at": "2024-02-05T00:00:00Z"}]},
    {"id": "D-3", "contact": "C-1", "owner": "R-2", "pipeline": "p", "stage": "qualify", "value": {"amount": "1", "currency": "USD"}, "created_at": "2024-02-10T00:00:00Z",
     "stage_history": [{"stage": "new", "entered_at": "2024-02-10T00:00:00Z", "exited_at": "2024-02-11T00:00:00Z"}, {"stage": "qualify", "entered_at": "2024-02-11T00:00:00Z"}]},
    {"id": "D-4", "contact": "C-1", "owner": "R-1", "pipeline": "p", "stage": "new", "value": {"amount": "1", "currency": "USD"}, "created_at": "2024-02-20T00:00:00Z",
     "stage_history": [{"stage": "new", "entered_at": "2024-02-20T00:00:00Z"}]},
    {"id": "D-5", "contact": "C-1", "pipeline": "p", "stage": "lost", "status": "lost", "value": {"amount": "1", "currency": "USD"}, "created_at": "2024-01-01T00:00:00Z", "closed_at": "2024-01-05T00:00:00Z",
     "stage_history": [{"stage": "new", "entered_at": "2024-01-01T00:00:00Z", "exited_at": "2024-01-05T00:00:00Z"}, {"stage": "lost", "entered_at": "2024-01-05T00:00:00Z"}]},
    {"id": "D-6", "contact": "C-1", "pipeline": "p", "stage": "won", "status": "won", "value": {"amount": "1", "currency": "USD"}, "created_at": "2024-01-01T00:00:00Z", "closed_at": "2024-01-20T00:00:00Z",
     "stage_history": [{"stage": "new", "entered_at": "2024-01-01T00:00:00Z", "exited_at": "2024-01-03T00:00:00Z"}, {"stage": "qualify", "entered_at": "2024-01-03T00:00:00Z", "exited_at": "2024-01-20T00:00:00Z"}, {"stage": "won", "entered_at": "2024-01-20T00:00:00Z"}]},
    {"id": "D-7", "contact": "C-1", "pipeline": "p", "stage": "new", "value": {"amount": "1", "currency": "USD"}, "created_at": "2024-03-05T00:00:00Z"}],
  "activities": [
    {"id": "A-1", "contact": "C-1", "deal": "D-1", "at": "2024-01-13T00:00:00Z", "kind": {"type": "call", "direction": "outbound", "outcome": "connected"}},
    {"id": "A-2", "contact": "C-1", "deal": "D-2", "at": "2024-02-20T00:00:00Z", "kind": {"type": "email", "event": "sent"}},
    {"id": "A-3", "contact": "C-1", "deal": "D-3", "at": "2024-02-12T00:00:00Z", "kind": {"type": "email", "event": "opened"}},
    {"id": "A-4", "contact": "C-1", "deal": "D-4", "at": "2024-02-21T00:00:00Z", "kind": {"type": "meeting", "duration_minutes": 30}}]
}"#;

fn request(extra: &str) -> PipelineReportRequest {
    PipelineReportRequest::from_json(&format!(r#"{{"as_of": "2024-03-01T00:00:00Z"{extra}}}"#))
        .expect("request")
}

fn dec(text: &str) -> Decimal {
    text.parse().expect("decimal")
}

#[test]
fn stages_report_counts_shares_ages_conversion_and_follow_up() {
    let ds = Dataset::from_json(PIPE).expect("dataset");
    let report = pipeline_report(&ds, &request("")).expect("report");
    // Open on March 1: D-1, D-2, D-3 in qualify, D-4 in new (D-7 is created later,
    // D-5 and D-6 are closed).
    assert_eq!(report.open_items, 4);
    assert_eq!(
        report.stages.len(),
        2,
        "won and lost are not working stages"
    );
    let new = &report.stages[0];
    let qualify = &report.stages[1];
    // new: D-4 since Feb 20 = 10 days; followed up by the meeting on Feb 21.
    assert_eq!(
        (new.open, new.share.numerator, new.share.denominator),
        (1, 1, 4)
    );
    assert_eq!(new.share.value.as_decimal(), Some(dec("25")));
    assert_eq!(new.mean_days_in_stage.as_decimal(), Some(dec("10")));
    assert_eq!(new.follow_up_coverage.value.as_decimal(), Some(dec("100")));
    // Stays in new that ended: D-1, D-2, D-3, D-6 moved on to qualify, D-5 was lost: 4 / 5.
    assert_eq!(
        (
            new.conversion_to_next.numerator,
            new.conversion_to_next.denominator
        ),
        (4, 5)
    );
    // qualify: 3 of 4 = 75 %; ages D-1 50 days (Jan 11 - Mar 1), D-2 25, D-3 19:
    // mean 94 / 3, median 25.
    assert_eq!(qualify.share.value.as_decimal(), Some(dec("75")));
    let mean = qualify.mean_days_in_stage.as_decimal().expect("mean");
    assert_eq!(mean.round_dp(6), dec("31.333333"));
    assert_eq!(qualify.median_days_in_stage.as_decimal(), Some(dec("25")));
    // Follow-up within 7 days: D-1 (call two days in) yes; D-2's e-mail came 15 days in;
    // D-3 only opened an e-mail (engagement, not follow-up): 1 / 3.
    assert_eq!(
        (
            qualify.follow_up_coverage.numerator,
            qualify.follow_up_coverage.denominator
        ),
        (1, 3)
    );
    // Stays in qualify that ended: D-6 moved on to won: 1 / 1.
    assert_eq!(
        qualify.conversion_to_next.value.as_decimal(),
        Some(dec("100"))
    );
    // Finding: qualify holds 75 % (>= 40 %) and coverage 33.3 % < 80 %.
    assert_eq!(report.findings.len(), 1);
    let finding = &report.findings[0];
    assert_eq!(finding.code, FindingCode::BottleneckWithoutFollowUp);
    assert_eq!(finding.stage.as_str(), "qualify");
    assert_eq!(
        finding.message,
        "75 % of open deals (3 of 4) sit in Qualify, and only 33.3 % of those (1 of 3) were followed up within 7 days"
    );
}

#[test]
fn the_follow_up_window_and_thresholds_are_options() {
    let ds = Dataset::from_json(PIPE).expect("dataset");
    // With 20 days D-2's e-mail (15 days in) counts: 2 / 3.
    let report = pipeline_report(&ds, &request(r#", "follow_up_days": 20"#)).expect("report");
    assert_eq!(report.stages[1].follow_up_coverage.numerator, 2);
    // A bottleneck threshold of 80 % finds no bottleneck, only low follow-up.
    let report = pipeline_report(
        &ds,
        &request(r#", "bottleneck_share": 80, "coverage_target": 50"#),
    )
    .expect("report");
    let codes: Vec<_> = report.findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, vec![FindingCode::LowFollowUp]);
}

#[test]
fn the_report_can_be_limited_to_one_owner() {
    let ds = Dataset::from_json(PIPE).expect("dataset");
    let report =
        pipeline_report(&ds, &request(r#", "segment": {"owner": "R-1"}"#)).expect("report");
    // R-1 owns D-1 (qualify) and D-4 (new).
    assert_eq!(report.open_items, 2);
    assert_eq!(report.stages[1].open, 1);
}

#[test]
fn unknown_pipelines_and_bad_requests_are_errors_with_paths() {
    let ds = Dataset::from_json(PIPE).expect("dataset");
    let err = pipeline_report(&ds, &request(r#", "pipeline": "nope""#)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.path(), Some("pipeline"));
    let err = PipelineReportRequest::from_json(r#"{"as_of": "yesterday"}"#).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Json);
    assert_eq!(err.path(), Some("as_of"));
    let err = PipelineReportRequest::from_json(
        r#"{"as_of": "2024-03-01T00:00:00Z", "follow_up_days": 0}"#,
    )
    .unwrap_err();
    assert_eq!(err.path(), Some("follow_up_days"));
    let empty = Dataset::from_json("{}").expect("dataset");
    assert!(pipeline_report(&empty, &request("")).is_err());
}

#[test]
fn the_sample_company_shows_half_the_deals_in_needs_analysis_and_two_thirds_followed_up() {
    let ds = generate(&SampleConfig::default()).expect("sample");
    let report = pipeline_report(&ds, &PipelineReportRequest::new(SAMPLE_AS_OF)).expect("report");
    let counts: Vec<_> = report
        .stages
        .iter()
        .map(|s| (s.stage.as_str(), s.open))
        .collect();
    assert_eq!(
        counts,
        vec![
            ("new", 14),
            ("needs-analysis", 28),
            ("proposal", 12),
            ("negotiation", 7)
        ]
    );
    let needs = &report.stages[1];
    // 28 of 61 open deals = 45.9 %: about half.
    assert_eq!((needs.share.numerator, needs.share.denominator), (28, 61));
    // 19 of 28 = 67.9 % followed up within a week: about two thirds.
    assert_eq!(
        (
            needs.follow_up_coverage.numerator,
            needs.follow_up_coverage.denominator
        ),
        (19, 28)
    );
    let finding = &report.findings[0];
    assert_eq!(finding.code, FindingCode::BottleneckWithoutFollowUp);
    assert_eq!(finding.stage.as_str(), "needs-analysis");
    assert_eq!(
        finding.message,
        "45.9 % of open deals (28 of 61) sit in Needs analysis, and only 67.9 % of those (19 of 28) were followed up within 7 days"
    );
}

#[test]
fn the_report_serialises_to_json() {
    let ds = Dataset::from_json(PIPE).expect("dataset");
    let report = pipeline_report(&ds, &request("")).expect("report");
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(json["stages"][1]["share"]["value"], "75");
    assert_eq!(json["stages"][1]["share"]["numerator"], 3);
    assert_eq!(json["findings"][0]["code"], "bottleneck_without_follow_up");
}

const LEADS: &str = r#"{
  "contacts": [
    {"id": "L-1", "created_at": "2024-01-01T00:00:00Z", "lifecycle": {"stage": "mql", "history": [
      {"from": "lead", "to": "mql", "at": "2024-01-10T00:00:00Z"}]}},
    {"id": "L-2", "created_at": "2024-02-01T00:00:00Z", "lifecycle": {"stage": "lead"}},
    {"id": "L-3", "created_at": "2024-01-05T00:00:00Z", "lifecycle": {"stage": "disqualified", "history": [
      {"from": "lead", "to": "mql", "at": "2024-01-06T00:00:00Z"},
      {"from": "mql", "to": "disqualified", "at": "2024-01-20T00:00:00Z"}]}},
    {"id": "L-4", "created_at": "2024-01-01T00:00:00Z", "lifecycle": {"stage": "sql", "history": [
      {"from": "subscriber", "to": "lead", "at": "2024-02-15T00:00:00Z"},
      {"from": "lead", "to": "sql", "at": "2024-04-01T00:00:00Z"}]}}],
  "activities": [
    {"id": "A-1", "contact": "L-1", "at": "2024-01-12T00:00:00Z", "kind": {"type": "call", "direction": "outbound", "outcome": "connected"}},
    {"id": "A-2", "contact": "L-2", "at": "2024-02-02T00:00:00Z", "kind": {"type": "email", "event": "opened"}},
    {"id": "A-3", "contact": "L-4", "at": "2024-02-16T00:00:00Z", "kind": {"type": "meeting"}}]
}"#;

#[test]
fn the_report_follows_leads_through_the_lifecycle() {
    let ds = Dataset::from_json(LEADS).expect("dataset");
    let report = pipeline_report(&ds, &request(r#", "items": "leads""#)).expect("report");
    assert_eq!(report.pipeline, None);
    // On March 1: L-1 is an MQL since Jan 10 (51 days), L-2 a lead since Feb 1
    // (29 days), L-4 a lead since Feb 15 (15 days; its move to SQL is in April);
    // L-3 is disqualified.
    assert_eq!(report.open_items, 3);
    let keys: Vec<_> = report
        .stages
        .iter()
        .map(|s| (s.stage.as_str(), s.open))
        .collect();
    assert_eq!(
        keys,
        vec![("lead", 2), ("mql", 1), ("sql", 0), ("opportunity", 0)]
    );
    let lead = &report.stages[0];
    assert_eq!(lead.mean_days_in_stage.as_decimal(), Some(dec("22"))); // (29 + 15) / 2
    // L-4 got a meeting a day in; L-2 only opened an e-mail: 1 / 2.
    assert_eq!(
        (
            lead.follow_up_coverage.numerator,
            lead.follow_up_coverage.denominator
        ),
        (1, 2)
    );
    // Lead stays that ended: L-1 and L-3 moved on to MQL: 2 / 2. (L-4's subscriber
    // stay is not a lead stage.)
    assert_eq!(
        (
            lead.conversion_to_next.numerator,
            lead.conversion_to_next.denominator
        ),
        (2, 2)
    );
    // MQL stays that ended: L-3, disqualified: 0 / 1.
    let mql = &report.stages[1];
    assert_eq!(
        (
            mql.conversion_to_next.numerator,
            mql.conversion_to_next.denominator
        ),
        (0, 1)
    );
    assert_eq!(mql.follow_up_coverage.value.as_decimal(), Some(dec("100")));
    assert_eq!(
        report.findings[0].message,
        "66.7 % of open leads (2 of 3) sit in Lead, and only 50 % of those (1 of 2) were followed up within 7 days"
    );
    // A lead report takes no pipeline.
    let err = pipeline_report(&ds, &request(r#", "items": "leads", "pipeline": "p""#)).unwrap_err();
    assert_eq!(err.path(), Some("pipeline"));
}
