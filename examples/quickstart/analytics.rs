//! Quickstart section: marketing analytics on the sample company —
//! attribution of won deals by channel under three models, and the A/B
//! test of the two nurture variants.

use std::collections::BTreeMap;

use crmkit::attribution::{DatasetAttributionRequest, dataset_attribution_report};
use crmkit::experiments::{ExperimentRequest, analyze};
use crmkit::kpi::KpiValue;
use crmkit::model::{Dataset, DealStatus};
use crmkit::sample::SAMPLE_AS_OF;

fn show(value: &KpiValue) -> String {
    match value {
        KpiValue::Defined { value } => value.round_dp(2).to_string(),
        KpiValue::Undefined { .. } => "n/a".to_string(),
    }
}

pub fn run(dataset: &Dataset) -> Result<(), crmkit::Error> {
    println!();
    println!("== Attribution of won deals by channel (90-day lookback) ==");
    let request = DatasetAttributionRequest::from_json(&format!(
        r#"{{"conversion": {{"event": "won_deal"}}, "as_of": "{}",
            "models": [{{"model": "last_non_direct"}}, {{"model": "linear"}}, {{"model": "markov"}}]}}"#,
        SAMPLE_AS_OF.to_rfc3339()
    ))?;
    let report = dataset_attribution_report(dataset, &request)?;
    println!(
        "{} won deals worth {}; {} without a tracked touch in the window ({})",
        report.total_conversions,
        report.total_value.round_dp(2),
        report.unattributed_conversions,
        report.unattributed_value.round_dp(2)
    );
    let mut table: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for model in &report.models {
        for c in &model.channels {
            table.entry(c.key.as_str()).or_default().push(format!(
                "{:>6} {:>11}",
                c.conversions.round_dp(2),
                c.value.amount.round_dp(0)
            ));
        }
    }
    println!(
        "{:<12} {:>18} {:>18} {:>18}",
        "channel", "last non-direct", "linear", "markov"
    );
    for (channel, cells) in &table {
        println!("{channel:<12} {}", cells.join(" "));
    }
    if let Some(markov) = report.models.get(2) {
        println!("Markov campaigns with spend: ROI and cost per won deal");
        for c in markov.campaigns.iter().filter(|c| c.spend.is_some()) {
            println!(
                "  {:<6} credit {:>6}  revenue {:>10}  spend {:>10}  ROI {:>7}  CPA {:>9}",
                c.key,
                c.conversions.round_dp(2),
                c.value.amount.round_dp(0),
                c.spend
                    .map_or_else(String::new, |s| s.amount.round_dp(0).to_string()),
                show(&c.roi),
                show(&c.cost_per_acquisition),
            );
        }
    }
    let top: Vec<String> = report
        .paths
        .top_paths
        .iter()
        .take(3)
        .map(|p| format!("{} ({})", p.path, p.conversions))
        .collect();
    println!("top paths: {}", top.join("; "));
    if let Some(median) = report.paths.median_days_to_conversion {
        println!("median days from first touch to the win: {median:.1}");
    }

    // The nurture series ran two variants (tags nurture-A and nurture-B on
    // the small deals it enrolled); a conversion is a won deal.
    println!();
    println!("== A/B test: nurture variant A vs B (won deals) ==");
    let mut arms = [(0u64, 0u64); 2];
    for deal in dataset.deals() {
        for (k, tag) in ["nurture-A", "nurture-B"].iter().enumerate() {
            if deal.tags.contains(*tag) {
                arms[k].0 += 1;
                arms[k].1 += u64::from(deal.status == DealStatus::Won);
            }
        }
    }
    let test = ExperimentRequest::from_json(&format!(
        r#"{{"metric": "conversion", "arms": [
            {{"name": "A", "visitors": {}, "conversions": {}}},
            {{"name": "B", "visitors": {}, "conversions": {}}}]}}"#,
        arms[0].0, arms[0].1, arms[1].0, arms[1].1
    ))?;
    let analysis = analyze(&test)?;
    for arm in &analysis.arms {
        println!("variant {}: {:.1} % converted", arm.name, 100.0 * arm.value);
    }
    for c in &analysis.comparisons {
        if let Some(p) = &c.proportions {
            println!(
                "z-test p = {:.3}; difference {:+.1} points (95 % CI {:+.1} to {:+.1})",
                p.test.p_value,
                100.0 * p.difference.estimate,
                100.0 * p.difference.low,
                100.0 * p.difference.high
            );
        }
        if let Some(b) = &c.bayesian {
            println!("P(B beats A) = {:.2}", b.probability_variant_beats_control);
        }
        println!("verdict: {} — {}", c.verdict.code, c.verdict.reason);
    }
    Ok(())
}
