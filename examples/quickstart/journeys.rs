//! Quickstart section: journeys. Runs the welcome series and the $500
//! nurture campaign (entered through the routing preset's nurture branch)
//! over the sample company's history, and prints where the contacts are,
//! the conversions, and one contact's path with the reasons.

use crmkit::automation::presets::{Boundary, RoutingConfig, routing_rule_set};
use crmkit::automation::{EnrollmentState, EventType, RuleSet};
use crmkit::journeys::{Enrolled, Input, Journey, Simulation, history_events, presets};
use crmkit::model::{Dataset, DealStatus, Timestamp};
use crmkit::sample::SAMPLE_AS_OF;

fn rate(share: &crmkit::journeys::Share) -> String {
    match share.rate {
        Some(r) => format!("{}/{} ({:.1}%)", share.count, share.of, r * 100.0),
        None => format!("{}/{} (undefined)", share.count, share.of),
    }
}

fn print(journey: &Journey, sim: &Simulation) -> Result<(), crmkit::Error> {
    println!(
        "{}: {} entered, {} inside, {} completed, exits {:?}, {} actions",
        journey.id(),
        sim.entered,
        sim.active,
        sim.completed,
        sim.exited,
        sim.actions
    );
    for step in sim.steps.iter().filter(|s| s.reached > 0) {
        println!(
            "  {:<16} reached {:>4}  now here {:>4}  exited here {:>3}",
            step.step, step.reached, step.now_here, step.exited_here
        );
    }
    for goal in &sim.goals {
        let days = |d: Option<f64>| d.map_or("-".to_string(), |d| format!("{d:.1}"));
        println!(
            "  goal {:<12} conversions {}  days to goal: median {} p90 {}",
            goal.goal,
            rate(&goal.conversions),
            days(goal.median_days),
            days(goal.p90_days)
        );
    }
    let converted = sim.states.iter().find(|(_, s)| !s.goals.is_empty());
    if let Some((contact, _)) = converted.or_else(|| sim.states.iter().next()) {
        println!("  path of {contact}:");
        for h in journey.path_of(sim, contact)? {
            println!(
                "    {}  {:<14} {:<13} {}",
                h.at.format("%Y-%m-%d %H:%M"),
                h.step,
                h.reason,
                h.detail.as_deref().unwrap_or("")
            );
        }
    }
    Ok(())
}

fn input_time(input: &Input) -> Option<Timestamp> {
    match input {
        Input::Event(e) => Some(e.at),
        Input::Enrolled(e) => Some(e.at),
        Input::Tick => None,
    }
}

pub fn run(dataset: &Dataset) -> Result<(), crmkit::Error> {
    println!();
    println!("== Journeys: welcome series and the $500 nurture campaign ==");
    let events = history_events(dataset);
    let welcome = presets::welcome_series()?;
    let sim = welcome.simulate(dataset, &events, SAMPLE_AS_OF)?;
    print(&welcome, &sim)?;
    if sim.goals.iter().all(|g| g.conversions.count == 0) {
        // Say why, from the data: purchases here are won deals.
        let mut days: Vec<i64> = dataset
            .contacts()
            .iter()
            .filter_map(|c| {
                dataset
                    .deals_of_contact(&c.id)
                    .filter(|d| d.status == DealStatus::Won)
                    .filter_map(|d| d.closed_at)
                    .min()
                    .map(|first| (first - c.created_at).num_days())
            })
            .collect();
        days.sort_unstable();
        if let (Some(first), Some(last)) = (days.first(), days.last()) {
            println!(
                "  no conversions: the sample's first purchases (won deals) come {first} to {last} days after sign-up, after the series has ended"
            );
        }
    }

    // Deals under $500 are routed to the nurture campaign by the rules
    // engine's preset; its enroll_in_campaign actions start the journey.
    let rules = RuleSet::compile(routing_rule_set(&RoutingConfig::usd_500(Boundary::Call)?))?;
    let mut state = EnrollmentState::default();
    let mut inputs = Vec::new();
    for event in &events {
        if event.kind == EventType::DealCreated {
            let eval = rules.evaluate(event, dataset, &state, event.at)?;
            state = eval.state;
            inputs.extend(
                eval.actions
                    .iter()
                    .filter_map(|a| Enrolled::from_action(a, event.at))
                    .map(Input::Enrolled),
            );
        }
        inputs.push(Input::Event(event.clone()));
    }
    inputs.sort_by_key(input_time);
    let nurture = presets::nurture_500()?;
    print(
        &nurture,
        &nurture.simulate_inputs(dataset, &inputs, SAMPLE_AS_OF)?,
    )?;
    Ok(())
}
