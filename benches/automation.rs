//! Automation engine speed: the $500 routing decision per event, and
//! throughput of 200 rules over 40 trigger kinds, with baselines showing that
//! the cost follows the rules sharing the event's trigger, not the total.
//!
//! Issue 20's figures: a cascade of 2^L actions, a dry run of N events at
//! one instant, and the analysis of N threshold rules on one field.
//!
//! Run with `cargo bench --bench automation -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crmkit::automation::presets::{self, Boundary, RoutingConfig};
use crmkit::automation::{EnrollmentState, Event, EventType, RuleSet};
use crmkit::model::{Dataset, Timestamp};
use crmkit::money::Money;
use serde_json::{Value, json};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/sample_company.json"
);

fn as_of() -> Timestamp {
    "2026-05-01T09:00:00Z".parse().expect("timestamp")
}

fn routing(c: &mut Criterion, snapshot: &Dataset) {
    let rules = RuleSet::compile(presets::routing_rule_set(
        &RoutingConfig::usd_500(Boundary::Call).expect("config"),
    ))
    .expect("compiles");
    let usd = "USD".parse().expect("usd");
    let amounts = [
        "120.00", "499.99", "500.00", "500.01", "2500.00", "75.50", "980.00", "500",
    ];
    let events: Vec<Event> = amounts
        .iter()
        .enumerate()
        .map(|(i, amount)| {
            let mut e = Event::new(format!("E-{i}"), EventType::DealCreated, as_of());
            e.deal = Some(format!("D-{:04}", i + 1).parse().expect("deal id"));
            e.value = Some(Money::parse(amount, usd).expect("money"));
            e
        })
        .collect();
    let empty = EnrollmentState::default();
    let now = as_of();
    let mut group = c.benchmark_group("routing_500");
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("evaluate", |b| {
        b.iter(|| {
            for e in &events {
                let out = rules
                    .evaluate(black_box(e), snapshot, &empty, now)
                    .expect("evaluates");
                black_box(out);
            }
        })
    });
    group.bench_function("decide", |b| {
        b.iter(|| {
            for e in &events {
                let out = rules
                    .decide(black_box(e), snapshot, &empty, now)
                    .expect("decides");
                black_box(out);
            }
        })
    });
    group.bench_function("apply_in_place", |b| {
        b.iter(|| {
            let mut state = EnrollmentState::default();
            for e in &events {
                let out = rules
                    .apply(black_box(e), snapshot, &mut state, now)
                    .expect("evaluates");
                black_box(out);
            }
        })
    });
    group.finish();
}

/// `per_trigger` rules on each of `triggers` trigger kinds: the 18 host event
/// types other than forms, then `form_submitted` narrowed to distinct forms.
fn rule_set(triggers: usize, per_trigger: usize) -> (RuleSet, Vec<Value>) {
    let mut kinds: Vec<Value> = [
        "contact_created",
        "deal_created",
        "deal_value_changed",
        "deal_won",
        "deal_lost",
        "ticket_opened",
        "ticket_closed",
    ]
    .iter()
    .map(|t| json!({"type": t}))
    .collect();
    kinds.push(json!({"type": "contact_updated", "field": "contact.email"}));
    kinds.push(json!({"type": "lifecycle_stage_changed", "to": "customer"}));
    kinds.push(json!({"type": "deal_stage_changed", "to": "proposal"}));
    kinds.push(json!({"type": "purchase_made", "count": "repeat"}));
    kinds.push(json!({"type": "email_opened", "email": "news"}));
    kinds.push(json!({"type": "email_clicked", "email": "news"}));
    kinds.push(json!({"type": "score_crossed", "threshold": 50}));
    kinds.push(json!({"type": "survey_answered", "survey": "nps"}));
    let mut form = 0;
    while kinds.len() < triggers {
        kinds.push(json!({"type": "form_submitted", "form": format!("form-{form}")}));
        form += 1;
    }
    kinds.truncate(triggers);
    let stages = ["lead", "mql", "sql", "opportunity", "customer"];
    let mut rules = Vec::new();
    for (k, trigger) in kinds.iter().enumerate() {
        for r in 0..per_trigger {
            let when = match r % 3 {
                0 => {
                    json!({"field": "contact.lifecycle_stage", "op": "ge", "value": stages[r % stages.len()]})
                }
                1 => json!({"field": "contact.country", "op": "in", "value": ["US", "DE", "GB"]}),
                _ => json!({"all": [{"field": "contact.age", "op": "ge", "value": 30},
                                    {"not": {"field": "contact.tags", "op": "has", "value": "churned"}}]}),
            };
            rules.push(
                json!({"id": format!("k{k}-r{r}"), "priority": r, "trigger": trigger,
                "enrollment": "every_time", "when": when,
                "then": [{"type": "add_tag", "tag": format!("t{r}")}]}),
            );
        }
    }
    let set = RuleSet::from_json(&json!({"hit_policy": "all", "rules": rules}).to_string())
        .expect("bench rule set compiles");
    (set, kinds)
}

/// One matching event per trigger kind.
fn events_for(kinds: &[Value], snapshot: &Dataset) -> Vec<Event> {
    let contacts = snapshot.contacts();
    kinds
        .iter()
        .enumerate()
        .map(|(i, trigger)| {
            let contact = &contacts[i % contacts.len()];
            let deal = snapshot.deals_of_contact(&contact.id).next().map(|d| d.id.to_string());
            let ticket = snapshot.tickets().first().map(|t| t.id.to_string());
            let kind = match trigger["type"].as_str().expect("type") {
                "score_crossed" => "score_changed",
                other => other,
            };
            let mut e = json!({"id": format!("E-{i}"), "type": kind, "at": "2026-05-01T08:00:00Z",
                "contact": contact.id.as_str(), "deal": deal.unwrap_or_else(|| "D-0001".into()),
                "ticket": ticket.unwrap_or_else(|| "T-0001".into()),
                "field": "contact.email", "to": trigger.get("to").cloned().unwrap_or(json!("proposal")),
                "purchase_number": 2, "email": "news", "survey": "nps", "old_score": 40, "new_score": 60,
                "value": {"amount": "750.00", "currency": "USD"}});
            if let Some(form) = trigger.get("form") {
                e["form"] = form.clone();
            }
            Event::from_json(&e.to_string()).expect("bench event parses")
        })
        .collect()
}

fn throughput(c: &mut Criterion, snapshot: &Dataset) {
    let empty = EnrollmentState::default();
    let now = as_of();
    let mut group = c.benchmark_group("rules_by_trigger");
    for (name, triggers, per_trigger) in [
        ("200_rules_40_triggers", 40, 5),
        ("2000_rules_400_triggers", 400, 5),
        ("200_rules_4_triggers", 4, 50),
    ] {
        let (set, kinds) = rule_set(triggers, per_trigger);
        // The same 40 (or 4) kinds of events in every configuration.
        let events = events_for(&kinds[..kinds.len().min(40)], snapshot);
        group.throughput(Throughput::Elements(events.len() as u64));
        group.bench_function(format!("{name}/decide"), |b| {
            b.iter(|| {
                for e in &events {
                    let out = set
                        .decide(black_box(e), snapshot, &empty, now)
                        .expect("decides");
                    black_box(out);
                }
            })
        });
        group.bench_function(format!("{name}/evaluate"), |b| {
            b.iter(|| {
                for e in &events {
                    let out = set
                        .evaluate(black_box(e), snapshot, &empty, now)
                        .expect("evaluates");
                    black_box(out);
                }
            })
        });
    }
    group.finish();
}

/// `layers` layers of two `every_time` rules under `hit_policy: all`, each
/// moving the deal to the next layer's stage: one event implies 2 + 4 + ...
/// + 2^layers actions (the cascade of issue 20).
fn cascade_rules(layers: usize) -> RuleSet {
    let mut rules = Vec::new();
    for l in 0..layers {
        let trigger = if l == 0 {
            json!({"type": "deal_created"})
        } else {
            json!({"type": "deal_stage_changed", "to": format!("s{l}")})
        };
        for r in 0..2 {
            rules.push(json!({"id": format!("l{l}-r{r}"), "trigger": trigger,
                "enrollment": "every_time",
                "then": [{"type": "move_deal_stage", "stage": format!("s{}", l + 1)}]}));
        }
    }
    RuleSet::from_json(
        &json!({"hit_policy": "all", "max_cascade_depth": layers, "rules": rules}).to_string(),
    )
    .expect("cascade rule set compiles")
}

fn cascade(c: &mut Criterion, snapshot: &Dataset) {
    let deal = &snapshot.deals()[0];
    let mut event = Event::new("E-1", EventType::DealCreated, as_of());
    event.deal = Some(deal.id.clone());
    let empty = EnrollmentState::default();
    let mut group = c.benchmark_group("cascade");
    group.sample_size(10);
    for layers in [6, 8, 10] {
        let rules = cascade_rules(layers);
        let actions = (1u64 << (layers + 1)) - 2;
        group.throughput(Throughput::Elements(actions));
        group.bench_function(format!("{layers}_layers_{actions}_actions"), |b| {
            b.iter(|| {
                let out = rules
                    .evaluate(black_box(&event), snapshot, &empty, as_of())
                    .expect("evaluates");
                assert_eq!(out.actions.len() as u64, actions);
                black_box(out);
            })
        });
    }
    group.finish();
}

/// A dry run of `n` events for one deal at the same instant: each event's
/// id joins the enrollment's list of events seen at that instant.
fn dry_run_same_instant(c: &mut Criterion, snapshot: &Dataset) {
    let rules = RuleSet::from_json(
        &json!({"rules": [{"id": "tag", "trigger": {"type": "deal_created"},
            "enrollment": "every_time", "then": [{"type": "add_tag", "tag": "seen"}]}]})
        .to_string(),
    )
    .expect("compiles");
    let deal = &snapshot.deals()[0];
    let mut group = c.benchmark_group("dry_run_same_instant");
    group.sample_size(10);
    for n in [1_000, 4_000] {
        let events: Vec<Event> = (0..n)
            .map(|i| {
                let mut e = Event::new(format!("E-{i}"), EventType::DealCreated, as_of());
                e.deal = Some(deal.id.clone());
                e
            })
            .collect();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("{n}_events"), |b| {
            b.iter(|| {
                let run = rules
                    .dry_run(snapshot, black_box(&events), &EnrollmentState::default())
                    .expect("dry run");
                assert_eq!(run.actions.len(), n);
                black_box(run);
            })
        });
    }
    group.finish();
}

/// `n` rules routing `deal_created` by thresholds on one field
/// (`deal.value > 10`, `> 20`, ...): the common shape of a large rule set.
fn threshold_rules(n: usize) -> RuleSet {
    let rules: Vec<Value> = (0..n)
        .map(|i| {
            json!({"id": format!("t{i}"), "trigger": {"type": "deal_created"},
                "when": {"field": "deal.value", "op": "gt",
                         "value": {"amount": format!("{}", 10 * (i + 1)), "currency": "USD"}},
                "then": [{"type": "add_tag", "tag": format!("over-{i}")}]})
        })
        .collect();
    RuleSet::from_json(&json!({"rules": rules}).to_string()).expect("compiles")
}

fn analysis(c: &mut Criterion) {
    let mut group = c.benchmark_group("analyze_thresholds");
    group.sample_size(10);
    for n in [1_000, 4_000, 16_000] {
        let rules = threshold_rules(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("{n}_rules"), |b| {
            b.iter(|| black_box(crmkit::automation::analyze(black_box(&rules))))
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let json = std::fs::read_to_string(SAMPLE).expect("sample dataset");
    let snapshot = Dataset::from_json(&json).expect("sample loads");
    routing(c, &snapshot);
    throughput(c, &snapshot);
    cascade(c, &snapshot);
    dry_run_same_instant(c, &snapshot);
    analysis(c);
}

criterion_group!(automation, benches);
criterion_main!(automation);
