//! Quickstart section: predictive models on the sample company — the leads
//! most likely to convert, the ideal-customer profile and the customers
//! most at risk of leaving.

use crmkit::model::Dataset;
use crmkit::predict::{
    ClvReportOptions, ProfileSpec, PropensityModel, PropensitySpec, at_risk, clv_report, profile,
};
use crmkit::sample::SAMPLE_AS_OF;

pub fn run(dataset: &Dataset) -> Result<(), crmkit::Error> {
    println!("== Predictive models ==");
    let spec = PropensitySpec::from_json(
        r#"{"model": "logistic", "holdout_percent": 25, "logistic": {"l2": 2.0},
            "features": [
              {"type": "category", "field": "company.industry"},
              {"type": "category", "field": "contact.job_title"},
              {"type": "number", "field": "company.employees"},
              {"type": "activity_count", "activity": "meeting"},
              {"type": "activity_count", "activity": "website_visit"},
              {"type": "deal_value"}]}"#,
    )?;
    let model = PropensityModel::train(dataset, &spec, SAMPLE_AS_OF)?;
    if let Some(e) = &model.training.evaluation {
        println!(
            "propensity (logistic, {} training deals, {} held out): AUC {}, Brier {}",
            model.training.train_examples,
            model.training.holdout_examples,
            e.roc_auc.map_or("undefined".into(), |v| format!("{v:.2}")),
            e.brier.map_or("undefined".into(), |v| format!("{v:.3}")),
        );
    }
    println!("top leads by propensity:");
    for lead in model.predict(dataset, SAMPLE_AS_OF)?.iter().take(5) {
        let describe = |c: Option<&crmkit::predict::FeatureContribution>| {
            c.map_or("-".to_string(), |c| {
                format!("{}={} ({:+.2})", c.feature, c.value, c.effect)
            })
        };
        let up = lead
            .contributions
            .iter()
            .filter(|c| c.effect > 0.0)
            .max_by(|a, b| a.effect.total_cmp(&b.effect));
        let down = lead
            .contributions
            .iter()
            .filter(|c| c.effect < 0.0)
            .min_by(|a, b| a.effect.total_cmp(&b.effect));
        println!(
            "  {:<16} {:>5.1}%  expected {}  up: {}  down: {}",
            lead.deal
                .as_ref()
                .map_or(format!("{} (no deal)", lead.contact), |d| d.to_string()),
            lead.probability * 100.0,
            lead.expected_value,
            describe(up),
            describe(down)
        );
    }

    let icp = ProfileSpec::from_json(
        r#"{"outcome": {"type": "top_revenue", "fraction": 0.25}, "min_support": 0.2,
            "features": [
              {"type": "category", "field": "company.industry"},
              {"type": "category", "field": "contact.job_title"},
              {"type": "category", "field": "contact.country"},
              {"type": "number", "field": "company.employees"},
              {"type": "activity_count", "activity": "meeting"}]}"#,
    )?;
    let report = profile(dataset, &icp, SAMPLE_AS_OF)?;
    println!(
        "ideal-customer profile (top quarter by revenue, {} of {} customers):",
        report.group, report.population
    );
    for indicator in report.indicators.iter().take(5) {
        println!(
            "  {} = {}: lift {:.2}, support {:.0}%",
            indicator.feature,
            indicator.value,
            indicator.lift,
            indicator.support * 100.0
        );
    }

    // The sample has few repeat buyers: a light penalty on the
    // log-parameters keeps the BG/NBD fit away from the boundary.
    let options: ClvReportOptions = serde_json::from_str(
        r#"{"fit": {"unit": "weeks", "bgnbd": {"penalty": 1.0}}, "clv": {"horizon_months": 12}}"#,
    )
    .map_err(|e| crmkit::Error::new(crmkit::ErrorKind::Json, e.to_string()))?;
    let clv = clv_report(dataset, SAMPLE_AS_OF, &options)?;
    let p = clv.model.bgnbd.params;
    println!(
        "BG/NBD r={:.3} alpha={:.2} a={:.3} b={:.3} ({} iterations); 12-month CLV of {} customers",
        p.r,
        p.alpha,
        p.a,
        p.b,
        clv.model.bgnbd.convergence.iterations,
        clv.customers.len()
    );
    println!("ten customers most at risk (P(alive) < 0.75, by P(alive) x value):");
    for customer in at_risk(&clv, 0.75, 10)? {
        println!(
            "  {}  P(alive) {:.2}  value if kept {}  silent {:.1} weeks",
            customer.contact,
            customer.probability_alive,
            customer.value_if_retained,
            customer.periods_since_last_purchase
        );
    }
    println!();
    Ok(())
}
