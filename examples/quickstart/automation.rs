//! Quickstart section: automation rules. Routes every sample deal with the
//! $500 preset, shows what the seed's own wording would have left unrouted,
//! ticks the time-based presets, and prints the analysis of the preset rule
//! set.

use std::collections::BTreeMap;

use crmkit::automation::presets::{self, Boundary, RoutingConfig};
use crmkit::automation::{Effect, EnrollmentState, Event, EventType, RuleSet, analyze};
use crmkit::model::Dataset;
use crmkit::sample::SAMPLE_AS_OF;

pub fn run(dataset: &Dataset) -> Result<(), crmkit::Error> {
    println!();
    println!("== Automation: the $500 deal routing ==");
    let events = Event::deal_created_log(dataset.deals());
    for boundary in [Boundary::Call, Boundary::Unrouted] {
        let rules = RuleSet::compile(presets::routing_rule_set(&RoutingConfig::usd_500(
            boundary,
        )?))?;
        // Each deal as of its creation; EUR and GBP deals are converted with
        // the dataset's exchange rates.
        let report = rules.dry_run(dataset, &events, &EnrollmentState::default())?;
        let mut routed: BTreeMap<&str, usize> = BTreeMap::new();
        for action in &report.actions {
            let what = match &action.effect {
                Effect::CreateTask { .. } => "call task",
                Effect::EnrollInCampaign { .. } => "nurture",
                _ => "other",
            };
            *routed.entry(what).or_default() += 1;
        }
        let unrouted = report.events - report.actions.len() - report.errors.len();
        println!(
            "{boundary:?} boundary: {} deals -> {} call tasks, {} nurture enrollments, {unrouted} unrouted, {} errors",
            report.events,
            routed.get("call task").copied().unwrap_or(0),
            routed.get("nurture").copied().unwrap_or(0),
            report.errors.len()
        );
        if boundary == Boundary::Call
            && let Some(action) = report.actions.first()
        {
            println!("  e.g. {} ({})", action.id, action.reason);
        }
    }

    println!();
    println!(
        "== Automation: time-based presets at {} ==",
        SAMPLE_AS_OF.date_naive()
    );
    let standard = RuleSet::compile(presets::standard(Boundary::Call)?)?;
    let ticked = standard.tick(dataset, &EnrollmentState::default(), SAMPLE_AS_OF)?;
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for action in &ticked.actions {
        *by_rule.entry(&*action.rule).or_default() += 1;
    }
    for (rule, n) in &by_rule {
        println!("{rule}: {n} actions");
    }
    let again = standard.tick(dataset, &ticked.state, SAMPLE_AS_OF)?;
    println!(
        "ticking again with the returned state: {} new actions",
        again.actions.len()
    );

    println!();
    println!("== Automation: analysis of the preset rule set (seed boundary) ==");
    let seed = RuleSet::compile(presets::standard(Boundary::Unrouted)?)?;
    let report = analyze(&seed);
    for finding in &report.findings {
        println!(
            "[{:?}] {}: {}",
            finding.kind, finding.trigger, finding.message
        );
        if !finding.example_text.is_empty() {
            println!("    example: {}", finding.example_text);
        }
    }
    let fixed = analyze(&standard);
    println!(
        "with the boundary assigned to the call branch: {} findings, {} of them gaps on deal_created",
        fixed.findings.len(),
        fixed
            .findings
            .iter()
            .filter(|f| f.kind == crmkit::automation::FindingKind::Gap
                && f.trigger == EventType::DealCreated)
            .count()
    );
    Ok(())
}
