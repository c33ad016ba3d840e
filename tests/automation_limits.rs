//! Bounded work on the automation engine (issue 20): cascades that multiply
//! stop at the action and work budgets with an error naming the cascade,
//! conditions of any depth are refused without recursion, the analysis
//! reports fan-out and stays bounded, and an event naming a record that is
//! not in the snapshot is `NotFound` (issue 18).
//!
//! The size attacks run in a child process under `ulimit -v` (1 GiB), so a
//! regression fails the test instead of taking the machine down.

use std::process::Command;

use crmkit::automation::{Condition, Op, RuleDoc, RuleSetDoc};
use crmkit::automation::{
    EnrollmentState, Event, EventType, FindingKind, MAX_CONDITION_DEPTH, RuleSet, analyze,
};
use crmkit::model::{Dataset, Timestamp};
use crmkit::{Error, ErrorKind};
use serde_json::json;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/sample_company.json"
);

fn as_of() -> Timestamp {
    "2026-05-01T09:00:00Z".parse().expect("timestamp")
}

fn sample() -> Dataset {
    let json = std::fs::read_to_string(SAMPLE).expect("sample dataset");
    Dataset::from_json(&json).expect("sample loads")
}

/// Runs the test `name` of this file again in a child process limited to
/// 1 GiB of address space; `true` in the child (which then runs the body).
fn in_limited_child(name: &str) -> bool {
    if std::env::var_os("CRMKIT_LIMITED_CHILD").is_some() {
        return true;
    }
    let exe = std::env::current_exe().expect("test binary");
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" --exact \"$1\" --test-threads=1 --nocapture")
        .arg(exe)
        .arg(name)
        .env("CRMKIT_LIMITED_CHILD", "1")
        .output()
        .expect("runs sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "the limited child run of {name} failed ({:?}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    false
}

/// `layers` layers of two `every_time` rules (all matches), each moving the
/// deal to the next layer's stage: 2 + 4 + ... + 2^layers actions.
fn cascade(layers: usize, extra: serde_json::Value) -> RuleSet {
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
    let mut doc = json!({"hit_policy": "all", "max_cascade_depth": layers.min(16), "rules": rules});
    if let (Some(map), Some(extra)) = (doc.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            map.insert(k.clone(), v.clone());
        }
    }
    RuleSet::from_json(&doc.to_string()).expect("cascade rule set compiles")
}

fn deal_created(snapshot: &Dataset) -> Event {
    let mut e = Event::new("E-1", EventType::DealCreated, as_of());
    e.deal = Some(snapshot.deals()[0].id.clone());
    e
}

#[test]
fn exponential_cascade_stops_at_the_action_budget_naming_the_chain() {
    if !in_limited_child("exponential_cascade_stops_at_the_action_budget_naming_the_chain") {
        return;
    }
    let snapshot = sample();
    // 17 layers: 2^18 - 2 = 262,142 actions without a budget (and before
    // the fix, memory growing with their square).
    let rules = cascade(17, json!({}));
    assert_eq!(rules.max_actions_per_event(), 10_000);
    let err = rules
        .evaluate(
            &deal_created(&snapshot),
            &snapshot,
            &EnrollmentState::default(),
            as_of(),
        )
        .expect_err("the cascade exceeds the action budget");
    assert_eq!(err.kind(), ErrorKind::Invalid);
    let message = err.to_string();
    assert!(message.contains("max_actions_per_event"), "{message}");
    assert!(message.contains("more than 10000 actions"), "{message}");
    // The chain: the host event's type, then a rule of each layer.
    assert!(
        message.contains("deal_created -> l0-r"),
        "the chain starts at the host event: {message}"
    );
    assert!(
        message.contains(" -> l1-r") && message.contains(" -> l12-r"),
        "{message}"
    );
}

#[test]
fn the_action_budget_is_configurable_and_bounded() {
    let snapshot = sample();
    let event = deal_created(&snapshot);
    let empty = EnrollmentState::default();
    // 6 layers: 126 actions, within the default budget.
    let out = cascade(6, json!({}))
        .evaluate(&event, &snapshot, &empty, as_of())
        .expect("within the default budget");
    assert_eq!(out.actions.len(), 126);
    // The same rule set with a budget of 100 actions fails, and names the
    // cascade; with exactly 126 it passes.
    let err = cascade(6, json!({"max_actions_per_event": 100}))
        .evaluate(&event, &snapshot, &empty, as_of())
        .expect_err("over a budget of 100");
    assert!(err.to_string().contains("more than 100 actions"), "{err}");
    assert!(err.to_string().contains("deal_created -> l0-r"), "{err}");
    cascade(6, json!({"max_actions_per_event": 126}))
        .evaluate(&event, &snapshot, &empty, as_of())
        .expect("a budget of exactly 126");
    // The work budget counts rule checks and actions.
    let err = cascade(6, json!({"max_work_per_event": 50}))
        .evaluate(&event, &snapshot, &empty, as_of())
        .expect_err("over a work budget of 50");
    assert!(err.to_string().contains("max_work_per_event"), "{err}");
    // Out-of-range budgets are refused at load, naming the setting.
    for (key, value) in [
        ("max_actions_per_event", json!(0)),
        ("max_actions_per_event", json!(1_000_001)),
        ("max_work_per_event", json!(0)),
        ("max_work_per_event", json!(100_000_001u64)),
    ] {
        let doc = json!({"rules": [], key: value});
        let err = RuleSet::from_json(&doc.to_string()).expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::Invalid);
        assert!(err.to_string().contains(key), "{err}");
    }
}

#[test]
fn a_failed_evaluation_leaves_the_state_unchanged() {
    let snapshot = sample();
    let rules = cascade(6, json!({"max_actions_per_event": 100}));
    let mut state = EnrollmentState::default();
    let before = state.clone();
    rules
        .apply(&deal_created(&snapshot), &snapshot, &mut state, as_of())
        .expect_err("over budget");
    assert_eq!(state, before);
}

#[test]
fn cascade_state_records_each_implied_event_once() {
    // The linear overlay: every firing of a layer's rule is remembered,
    // and replaying the host event acts no more.
    let snapshot = sample();
    let rules = cascade(5, json!({}));
    let event = deal_created(&snapshot);
    let out = rules
        .evaluate(&event, &snapshot, &EnrollmentState::default(), as_of())
        .expect("evaluates");
    assert_eq!(out.actions.len(), 62);
    let entity = format!("deal:{}", snapshot.deals()[0].id);
    // Layer 4's rules heard 16 implied events each.
    let last = out.state.enrollment(&entity, "l4-r0").expect("enrolled");
    assert_eq!(last.fired, 16);
    assert_eq!(last.seen.len(), 16);
    let again = rules
        .evaluate(&event, &snapshot, &out.state, as_of())
        .expect("replay");
    assert!(again.actions.is_empty());
}

/// A condition `depth` levels deep: `not` around `all` around ... a leaf.
fn deep(depth: usize) -> Condition {
    let mut c = Condition::leaf("deal.stage", Op::Eq, json!("won"));
    for i in 1..depth {
        c = if i % 2 == 0 {
            Condition::negate(c)
        } else {
            Condition::all(vec![c])
        };
    }
    c
}

fn rule_with(when: Condition) -> RuleSetDoc {
    let rule: RuleDoc = serde_json::from_value(json!({"id": "deep",
        "trigger": {"type": "deal_created"}, "then": [{"type": "add_tag", "tag": "x"}]}))
    .expect("rule");
    let rule = RuleDoc {
        when: Some(when),
        ..rule
    };
    serde_json::from_value::<RuleSetDoc>(json!({"rules": []}))
        .map(|doc| RuleSetDoc {
            rules: vec![rule],
            ..doc
        })
        .expect("doc")
}

#[test]
fn deep_conditions_built_in_rust_are_refused_without_recursion() {
    // A 256 KiB stack: any recursion over 100,000 levels would overflow it.
    let result = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let c = deep(100_000);
            assert_eq!(c.depth(), 100_000);
            let err = RuleSet::compile(rule_with(c)).expect_err("too deep");
            (err.kind(), err.to_string())
        })
        .expect("spawns")
        .join()
        .expect("no stack overflow");
    assert_eq!(result.0, ErrorKind::Invalid);
    assert!(result.1.contains("rules[0].when"), "{}", result.1);
    assert!(result.1.contains("100000 levels"), "{}", result.1);
    assert!(result.1.contains(&format!("at most {MAX_CONDITION_DEPTH}")));
}

#[test]
fn conditions_up_to_the_documented_depth_compile_and_evaluate() {
    let snapshot = sample();
    let ok = RuleSet::compile(rule_with(deep(MAX_CONDITION_DEPTH))).expect("at the limit");
    let mut event = deal_created(&snapshot);
    event.id = "E-2".into();
    ok.evaluate(&event, &snapshot, &EnrollmentState::default(), as_of())
        .expect("evaluates");
    let err = RuleSet::compile(rule_with(deep(MAX_CONDITION_DEPTH + 1))).expect_err("one deeper");
    assert!(
        err.to_string()
            .contains(&format!("{} levels", MAX_CONDITION_DEPTH + 1)),
        "{err}"
    );
}

fn not_found(result: Result<impl std::fmt::Debug, Error>, what: &str) {
    let err = result.expect_err("an unknown record is refused");
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert!(err.to_string().contains(what), "{err}");
}

#[test]
fn an_event_naming_an_unknown_record_is_not_found() {
    let snapshot = sample();
    let rules =
        RuleSet::compile(crmkit::automation::presets::by_name("usd_500_routing").expect("preset"))
            .expect("compiles");
    let empty = EnrollmentState::default();
    let mut deal = Event::new("E-1", EventType::DealCreated, as_of());
    deal.deal = Some("D-9999".parse().expect("id"));
    not_found(rules.evaluate(&deal, &snapshot, &empty, as_of()), "D-9999");
    not_found(rules.decide(&deal, &snapshot, &empty, as_of()), "D-9999");
    let mut contact = Event::new("E-2", EventType::ContactCreated, as_of());
    contact.contact = Some("C-9999".parse().expect("id"));
    not_found(
        rules.evaluate(&contact, &snapshot, &empty, as_of()),
        "C-9999",
    );
    let mut ticket = Event::new("E-3", EventType::TicketOpened, as_of());
    ticket.ticket = Some("T-9999".parse().expect("id"));
    not_found(
        rules.evaluate(&ticket, &snapshot, &empty, as_of()),
        "T-9999",
    );
    // A dry run lists the event as an error and goes on.
    let run = rules.dry_run(&snapshot, &[deal], &empty).expect("dry run");
    assert_eq!(run.errors.len(), 1);
    assert!(run.errors[0].message.contains("D-9999"));
    // A known deal routes.
    let mut known = Event::new("E-4", EventType::DealCreated, as_of());
    known.deal = Some(snapshot.deals()[0].id.clone());
    assert_eq!(
        rules
            .evaluate(&known, &snapshot, &empty, as_of())
            .expect("routes")
            .actions
            .len(),
        1
    );
}

#[test]
fn analysis_warns_about_cascades_that_multiply() {
    let report = analyze(&cascade(4, json!({})));
    let fan: Vec<_> = report.of_kind(FindingKind::FanOut).collect();
    assert_eq!(fan.len(), 1, "{:?}", report.findings);
    assert!(fan[0].message.contains("act 4 times"), "{}", fan[0].message);
    assert!(fan[0].rules.first().is_some_and(|r| r.starts_with("l0-")));
    assert!(fan[0].rules.iter().any(|r| r.starts_with("l1-")));
    // A chain of one rule per layer does not multiply.
    let mut rules = Vec::new();
    for l in 0..4 {
        let trigger = if l == 0 {
            json!({"type": "deal_created"})
        } else {
            json!({"type": "deal_stage_changed", "to": format!("s{l}")})
        };
        rules.push(
            json!({"id": format!("l{l}"), "trigger": trigger, "enrollment": "every_time",
            "then": [{"type": "move_deal_stage", "stage": format!("s{}", l + 1)}]}),
        );
    }
    let chain = RuleSet::from_json(
        &json!({"hit_policy": "all", "max_cascade_depth": 4, "rules": rules}).to_string(),
    )
    .expect("compiles");
    assert_eq!(analyze(&chain).of_kind(FindingKind::FanOut).count(), 0);
}

/// `n` rules on `deal_created` with thresholds on one field.
fn thresholds(n: usize) -> RuleSet {
    let rules: Vec<_> = (0..n)
        .map(|i| {
            json!({"id": format!("t{i}"), "trigger": {"type": "deal_created"},
                "when": {"field": "deal.value", "op": "gt",
                         "value": {"amount": format!("{}", 10 * (i + 1)), "currency": "USD"}},
                "then": [{"type": "add_tag", "tag": format!("over-{i}")}]})
        })
        .collect();
    RuleSet::from_json(&json!({"rules": rules}).to_string()).expect("compiles")
}

#[test]
fn analysis_of_many_thresholds_lists_a_bounded_report() {
    // 400 thresholds: about 800 distinct overlapping sets of rules. The
    // report lists at most 64 of them and says how many more there are.
    let report = analyze(&thresholds(400));
    assert!(!report.partial);
    let overlaps = report.of_kind(FindingKind::Overlap).count();
    assert!(overlaps <= 65, "{overlaps} overlap findings");
    assert!(
        report
            .of_kind(FindingKind::Overlap)
            .any(|f| f.message.contains("not listed")),
        "the report says that more overlaps exist"
    );
    let size = serde_json::to_string(&report).expect("json").len();
    assert!(size < 2_000_000, "report of {size} bytes");
}

#[test]
fn analysis_past_its_work_budget_is_partial_and_says_so() {
    let rules = thresholds(40);
    let full = crmkit::automation::analyze_within(&rules, u64::MAX);
    assert!(!full.partial);
    let partial = crmkit::automation::analyze_within(&rules, 150);
    assert!(partial.partial);
    let truncated: Vec<_> = partial.of_kind(FindingKind::Truncated).collect();
    assert_eq!(truncated.len(), 1);
    assert!(
        truncated[0].message.contains("partial"),
        "{}",
        truncated[0].message
    );
    // No rule is called unreachable or contradictory on partial evidence.
    assert_eq!(partial.of_kind(FindingKind::Contradiction).count(), 0);
    assert_eq!(partial.of_kind(FindingKind::UnreachableRule).count(), 0);
    // The default analysis is the full one here.
    assert_eq!(analyze(&rules), full);
}
