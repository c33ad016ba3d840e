//! Quickstart section: what is in the sample company.

use std::collections::BTreeMap;

use crmkit::model::{Dataset, DealStatus, LifecycleStage};
use crmkit::money::Money;
use crmkit::sample::SAMPLE_AS_OF;

pub fn run(dataset: &Dataset) -> Result<(), crmkit::Error> {
    let counts = dataset.counts();
    println!(
        "== The sample company (data up to {}) ==",
        SAMPLE_AS_OF.date_naive()
    );
    println!(
        "{} contacts at {} companies, {} deals, {} activities, {} campaigns, {} tickets, {} reps in {} teams",
        counts.contacts,
        counts.companies,
        counts.deals,
        counts.activities,
        counts.campaigns,
        counts.tickets,
        counts.reps,
        counts.teams
    );

    let mut lifecycle: BTreeMap<LifecycleStage, usize> = BTreeMap::new();
    for contact in dataset.contacts() {
        *lifecycle.entry(contact.lifecycle.stage).or_default() += 1;
    }
    let funnel: Vec<String> = lifecycle
        .iter()
        .map(|(stage, n)| format!("{stage} {n}"))
        .collect();
    println!("lifecycle: {}", funnel.join(", "));

    // Deal totals per status and currency, exact to the cent.
    let mut totals: BTreeMap<(&str, String), Money> = BTreeMap::new();
    for deal in dataset.deals() {
        let key = (deal.status.as_str(), deal.value.currency.to_string());
        let entry = totals
            .entry(key)
            .or_insert(Money::zero(deal.value.currency));
        *entry = entry.checked_add(&deal.value)?;
    }
    for ((status, _), total) in &totals {
        println!("  {status:>4} deals: {total}");
    }
    let at_500 = dataset
        .deals()
        .iter()
        .filter(|d| d.value.amount == rust_decimal::Decimal::new(500, 0))
        .count();
    println!("deals of exactly 500.00: {at_500}");

    if let Some(pipeline) = dataset.pipelines().first() {
        let mut per_stage: Vec<(String, usize)> = pipeline
            .stages
            .iter()
            .map(|s| (s.name.clone(), 0))
            .collect();
        for deal in dataset
            .deals_in_pipeline(&pipeline.id)
            .filter(|d| d.status == DealStatus::Open)
        {
            if let Some((i, _)) = pipeline.stage(&deal.stage) {
                if let Some(slot) = per_stage.get_mut(i) {
                    slot.1 += 1;
                }
            }
        }
        let open: Vec<String> = per_stage
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(name, n)| format!("{name} {n}"))
            .collect();
        println!(
            "open deals by stage in '{}': {}",
            pipeline.name,
            open.join(", ")
        );
    }
    println!();
    Ok(())
}
