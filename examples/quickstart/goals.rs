//! Quickstart section: SMART verdicts for the seed articles' goals, and
//! tracking one of them.

use chrono::NaiveDate;
use crmkit::goals::{Criterion, Goal, Locale, Observation, Severity, Validator, track};
use crmkit::sample::SAMPLE_AS_OF;
use rust_decimal::Decimal;

/// The goals of the seed articles, as a user would enter them.
const SEED_GOALS: [(&str, &str); 7] = [
    ("prevent churn", r#"{"name": "prevent churn"}"#),
    (
        "reduce churn 25% by the end of next quarter",
        r#"{"objective": "increase_retention", "kpi": "churn_rate", "target": "-25%",
            "deadline": "end of next quarter",
            "plan": {"action": "use our new CRM to improve communication between sales and support",
                     "resources": ["our new CRM"]},
            "reason": "repeat customers spend more and cost less"}"#,
    ),
    (
        "sales cycle from 4 months to 2",
        r#"{"objective": "shorten_sales_cycle", "kpi": "sales_cycle_length",
            "baseline": {"value": 120}, "target": 60, "deadline": "end of next year",
            "plan": {"action": "assign follow-up tasks automatically so leads never stall",
                     "resources": ["sales automation"]},
            "reason": "leads stall in some stages and the deals never close"}"#,
    ),
    (
        "new revenue +50% this year",
        r#"{"objective": "sell_more", "kpi": "new_revenue", "target": "+50%",
            "deadline": "end of this year",
            "plan": {"action": "score leads and sell only to the most qualified ones",
                     "resources": ["lead scoring"]},
            "reason": "grow by winning new customers"}"#,
    ),
    (
        "CAC from $115 to $80 by year end",
        r#"{"objective": "reduce_acquisition_cost", "kpi": "customer_acquisition_cost",
            "currency": "USD", "baseline": {"value": "115"}, "target": "80",
            "deadline": "end of this year",
            "plan": {"action": "automate sales and marketing and focus on qualified leads",
                     "resources": ["marketing automation", "lead scoring"]},
            "reason": "to become more profitable"}"#,
    ),
    (
        "raise customer satisfaction to 90%",
        r#"{"objective": "raise_satisfaction", "kpi": "customer_satisfaction",
            "direction": "increase", "target": 90, "deadline": "end of next quarter",
            "plan": {"action": "survey every closed ticket and call back unhappy customers",
                     "resources": ["CRM surveys"]}}"#,
    ),
    (
        "cut churn rate to 0",
        r#"{"objective": "increase_retention", "kpi": "churn_rate", "target": 0,
            "deadline": "end of next quarter",
            "plan": {"action": "call every customer who has not ordered for 90 days",
                     "resources": ["CRM automations"]}}"#,
    ),
];

pub fn run() -> Result<(), crmkit::Error> {
    let as_of = SAMPLE_AS_OF.date_naive();
    println!();
    println!("== SMART goals (judged on {as_of}) ==");
    let validator = Validator::new();
    for (title, json) in SEED_GOALS {
        let goal = Goal::from_json(json)?;
        let report = validator.validate(&goal, as_of);
        let verdicts: Vec<String> = Criterion::ALL
            .iter()
            .map(|&c| format!("{} {}", c.letter(), report.verdict(c)))
            .collect();
        println!("{title:<44} {}", verdicts.join("  "));
        // The reasons behind anything that is not a pass.
        for criterion in report.localize(Locale::En).criteria {
            for reason in criterion
                .reasons
                .iter()
                .filter(|r| r.severity > Severity::Info)
            {
                let fix = reason.suggestion.as_deref().unwrap_or("");
                println!(
                    "    {} {}: {} -> {fix}",
                    criterion.letter, reason.code, reason.message
                );
            }
        }
    }

    // Reason codes are stable; messages follow the locale.
    let vague = Goal::from_json(SEED_GOALS[0].1)?;
    let report = validator.validate(&vague, as_of);
    println!("\"prevent churn\", time-bound, in six locales:");
    for locale in Locale::ALL {
        let localized = report.localize(locale);
        let timely = &localized.criteria[4];
        if let Some(reason) = timely.reasons.first() {
            let fix = reason.suggestion.as_deref().unwrap_or("");
            println!(
                "  {:<7} {} ({}): {}; {fix}",
                locale.as_str(),
                timely.name,
                timely.verdict_label,
                reason.message
            );
        }
    }

    // Tracking: churn from 8% to 6% between July and December.
    let goal = Goal::from_json(
        r#"{"objective": "increase_retention", "kpi": "churn_rate",
            "baseline": {"value": 8, "date": "2026-07-01"}, "target": 6,
            "deadline": "2026-12-31"}"#,
    )?;
    let day = |m: u32| NaiveDate::from_ymd_opt(2026, m, 1).unwrap_or(as_of);
    let measurements = [
        Observation::new(day(7), Decimal::new(80, 1)),
        Observation::new(day(8), Decimal::new(77, 1)),
        Observation::new(day(9), Decimal::new(75, 1)),
        Observation::new(day(10), Decimal::new(71, 1)),
        Observation::new(day(11), Decimal::new(68, 1)),
    ];
    let progress = track(&goal, &measurements, as_of)?;
    let unit = goal.known_kpi().map(|k| k.definition().unit);
    println!("tracking churn 8% -> 6% by 2026-12-31:");
    for locale in [Locale::En, Locale::De, Locale::ZhHans] {
        println!("  {}", progress.summary(locale, unit));
    }
    if let Some(projected) = progress.projected {
        println!("  projected at the deadline: {projected}%");
    }
    Ok(())
}
