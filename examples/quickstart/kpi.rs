//! Quickstart section: a KPI report for the sample company and the pipeline
//! bottleneck report.

use crmkit::kpi::catalog::KpiId;
use crmkit::kpi::{KpiRequest, KpiValue, PipelineReportRequest, compute, pipeline_report};
use crmkit::model::Dataset;
use crmkit::sample::SAMPLE_AS_OF;

fn show(value: &KpiValue) -> String {
    match value {
        KpiValue::Defined { value } => value.round_dp(2).to_string(),
        KpiValue::Undefined { .. } => "undefined".to_string(),
    }
}

pub fn run(dataset: &Dataset) -> Result<(), crmkit::Error> {
    // The second quarter of 2026, compared with the one before, with the
    // default options: revenue, orders and customers come from won deals
    // and purchases (the sample company's monthly subscription payments; a
    // payment of a won deal is counted once), and churn counts the buyers
    // of the previous quarter who did not buy again in this one. The first
    // quarter's churn is undefined: its previous quarter starts before the
    // sample's data (2025-11-01), and the report says so.
    let request = KpiRequest::from_json(
        r#"{
        "kpis": ["lead_count", "lead_conversion_rate", "new_customers", "win_rate",
                 "revenue", "new_revenue", "average_deal_size", "sales_cycle_length",
                 "sales_cycle_length_median", "open_deals", "weighted_pipeline_value",
                 "churn_rate", "retention_rate", "customer_acquisition_cost",
                 "marketing_roi", "net_promoter_score", "customer_satisfaction",
                 "average_resolution_time", "sla_compliance", "abandoned_calls"],
        "period": {"start": "2026-04-01", "end": "2026-07-01"},
        "granularity": "quarter"
    }"#,
    )?;
    let report = compute(dataset, &request)?;
    println!();
    println!(
        "== KPI report {} (vs {}), in {} ==",
        report.period, report.previous_period, report.currency
    );
    for row in &report.kpis {
        let def = row.current.kpi.definition();
        println!(
            "{:<38} {:>14} {:>14}  change {:>10}   [{} / {}]",
            def.name,
            show(&row.current.value),
            show(&row.previous.value),
            row.change
                .absolute
                .map_or_else(|| "n/a".to_string(), |c| c.round_dp(2).to_string()),
            row.current.numerator.round_dp(2),
            row.current.denominator.round_dp(2),
        );
    }
    // Why a value is missing, once per reason.
    let mut reasons = Vec::new();
    for row in &report.kpis {
        for m in [&row.current, &row.previous] {
            if let KpiValue::Undefined { reason, .. } = &m.value
                && !reasons.contains(&reason)
            {
                reasons.push(reason);
            }
        }
    }
    for reason in reasons {
        println!("undefined: {reason}");
    }
    if let Some(row) = report.row(KpiId::WinRate) {
        println!(
            "win rate = {} won / {} closed",
            row.current.numerator, row.current.denominator
        );
    }

    let pipeline = pipeline_report(dataset, &PipelineReportRequest::new(SAMPLE_AS_OF))?;
    println!();
    println!(
        "== Pipeline bottlenecks ({} open deals as of {}) ==",
        pipeline.open_items,
        pipeline.as_of.date_naive()
    );
    println!(
        "{:<16} {:>5} {:>8} {:>10} {:>12} {:>12} {:>12}",
        "stage", "open", "share", "mean days", "median days", "to next", "followed up"
    );
    for stage in &pipeline.stages {
        println!(
            "{:<16} {:>5} {:>8} {:>10} {:>12} {:>12} {:>12}",
            stage.name,
            stage.open,
            show(&stage.share.value),
            show(&stage.mean_days_in_stage),
            show(&stage.median_days_in_stage),
            show(&stage.conversion_to_next.value),
            show(&stage.follow_up_coverage.value),
        );
    }
    for finding in &pipeline.findings {
        println!("finding: {}", finding.message);
    }
    Ok(())
}
