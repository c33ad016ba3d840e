//! Quickstart section: customer segments. Prints the sample company's
//! quarterly cohort retention table (won deals and purchases) and how many
//! customers fall in each RFM segment.

use crmkit::model::Dataset;
use crmkit::sample::SAMPLE_AS_OF;
use crmkit::segments::{
    CohortRequest, RfmSegmentRequest, SegmentRequest, cohort_report, rfm_segments, segment_members,
};

pub fn run(dataset: &Dataset) -> Result<(), crmkit::Error> {
    println!();
    println!("== Segments: quarterly cohort retention (won deals and purchases) ==");
    let request = CohortRequest::from_json(&format!(
        r#"{{"as_of": "{}", "granularity": "quarter"}}"#,
        SAMPLE_AS_OF.to_rfc3339()
    ))?;
    let report = cohort_report(dataset, &request)?;
    println!(
        "{} customers, revenue in {}; retention % per quarter after acquisition (* = quarter not over)",
        report.customers, report.currency
    );
    for cohort in &report.cohorts {
        let cells: Vec<String> = cohort
            .periods
            .iter()
            .map(|p| {
                let value = p
                    .retention
                    .value
                    .as_decimal()
                    .map_or("-".to_string(), |v| v.round_dp(0).to_string());
                format!("{value:>4}{}", if p.complete { " " } else { "*" })
            })
            .collect();
        println!(
            "  {} ({:>3} customers): {}",
            cohort.period.start(),
            cohort.customers,
            cells.join("")
        );
    }

    println!();
    println!("== Segments: RFM ==");
    let request =
        RfmSegmentRequest::from_json(&format!(r#"{{"as_of": "{}"}}"#, SAMPLE_AS_OF.to_rfc3339()))?;
    let table = rfm_segments(dataset, &request)?;
    for count in &table.segments {
        let share = count
            .share
            .value
            .as_decimal()
            .map_or("-".to_string(), |v| format!("{}%", v.round_dp(1)));
        println!(
            "  {:<20} {:>4}  {share}",
            count.segment.as_str(),
            count.customers
        );
    }

    let request = SegmentRequest::from_json(&format!(
        r#"{{"segment": {{"name": "customers",
             "condition": {{"field": "contact.lifecycle_stage", "op": "eq", "value": "customer"}}}},
           "as_of": "{}", "since": "{}"}}"#,
        SAMPLE_AS_OF.to_rfc3339(),
        (SAMPLE_AS_OF - chrono::TimeDelta::days(90)).to_rfc3339()
    ))?;
    let members = segment_members(dataset, &request)?;
    if let Some(changes) = &members.changes {
        println!(
            "Saved segment \"customers\": {} now, {} 90 days ago ({} entered, {} left)",
            members.count,
            changes.count_then,
            changes.entered.len(),
            changes.left.len()
        );
    }
    Ok(())
}
