//! Quickstart section: lead scoring with the sample scoring model.

use std::collections::BTreeMap;

use crmkit::model::{Dataset, LifecycleStage};
use crmkit::sample::SAMPLE_AS_OF;
use crmkit::scoring::{BatchScore, LeadInput, ScoringModel};

/// The sample scoring model (fit, engagement with decay, an enterprise-plan
/// group, grades A-D and MQL/SQL handoffs).
const MODEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/scoring_model.json"
);

pub fn run(dataset: &Dataset) -> Result<(), Box<dyn std::error::Error>> {
    let model = ScoringModel::from_json(&std::fs::read_to_string(MODEL)?)?;
    println!();
    println!(
        "== Lead scoring (model {}, as of {}) ==",
        model.id().unwrap_or("unnamed"),
        SAMPLE_AS_OF.date_naive()
    );

    // Leads: contacts not yet customers and not disqualified.
    let leads: Vec<LeadInput<'_>> = (0..dataset.contacts().len())
        .filter_map(|i| LeadInput::from_dataset(dataset, i))
        .filter(|lead| {
            let stage = lead.contact.lifecycle.stage;
            !stage.is_customer() && stage != LifecycleStage::Disqualified
        })
        .collect();
    let mut scores = leads
        .iter()
        .map(|lead| model.score(lead, SAMPLE_AS_OF))
        .collect::<Result<Vec<_>, _>>()?;

    // The batch path gives the same totals, digit for digit.
    let prepared = model.prepare(&leads)?;
    let mut batch = vec![BatchScore::default(); prepared.leads()];
    model.score_batch(&prepared.as_batch(), SAMPLE_AS_OF, &mut batch, None)?;
    let same = scores.iter().zip(&batch).all(|(s, b)| s.total == b.total());
    println!(
        "{} leads scored; batch path agrees with the explained scores: {same}",
        scores.len()
    );

    let mut grades: BTreeMap<String, usize> = BTreeMap::new();
    for score in &scores {
        *grades
            .entry(score.grade.clone().unwrap_or_else(|| "-".into()))
            .or_default() += 1;
    }
    let grades: Vec<String> = grades.iter().map(|(g, n)| format!("{g} {n}")).collect();
    println!("grades: {}", grades.join(", "));
    let handoffs = scores.iter().filter(|s| s.recommendation.is_some()).count();
    println!("recommended lifecycle moves: {handoffs}");

    scores.sort_by(|a, b| b.total.cmp(&a.total).then(a.contact.cmp(&b.contact)));
    println!("top ten leads:");
    for score in scores.iter().take(10) {
        let stage = dataset
            .contact(&score.contact)
            .map_or("?", |c| c.lifecycle.stage.as_str());
        println!(
            "  {:<7} {:>7} {}  ({stage}{})",
            score.contact,
            score.total.to_string(),
            score.grade.as_deref().unwrap_or("-"),
            score
                .recommendation
                .as_ref()
                .map_or(String::new(), |r| format!(" -> recommend {}", r.to)),
        );
        let mut reasons: Vec<_> = score
            .contributions
            .iter()
            .filter(|c| !c.points.is_zero())
            .collect();
        reasons.sort_by_key(|c| std::cmp::Reverse(c.points.abs()));
        for c in reasons.iter().take(3) {
            let times = if c.occurrences > 1 {
                format!(" x{}", c.occurrences)
            } else {
                String::new()
            };
            let sign = if c.points.is_sign_positive() { "+" } else { "" };
            println!(
                "          {:>9} {} ({}{times})",
                format!("{sign}{}", c.points),
                c.rule,
                c.reason
            );
        }
    }

    // Accounts rolled up from every contact's score.
    let all = model.score_dataset(dataset, SAMPLE_AS_OF)?;
    let mut accounts = model.score_accounts(dataset, &all)?;
    accounts.sort_by(|a, b| b.score.cmp(&a.score).then(a.company.cmp(&b.company)));
    let top: Vec<String> = accounts
        .iter()
        .take(3)
        .map(|a| {
            format!(
                "{} {} ({} contacts)",
                a.company,
                a.score.map_or("undefined".into(), |s| s.to_string()),
                a.contacts.len()
            )
        })
        .collect();
    let rollup = format!("{:?}", model.rollup()).to_lowercase();
    println!(
        "top accounts ({rollup} of their contacts): {}",
        top.join(", ")
    );
    Ok(())
}
