//! The static analysis of rule sets on crafted rule sets with known gaps,
//! overlaps, conflicts, unreachable rules and contradictions, and property
//! tests: the analysis finds every gap of random interval partitions, and
//! loading and evaluating random rule sets and events is deterministic and
//! never panics.

use crmkit::automation::presets::{self, Boundary, RoutingConfig};
use crmkit::automation::{
    AnalysisReport, EnrollmentState, Event, FindingKind, HitPolicy, RuleSet, analyze,
};
use crmkit::model::Dataset;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

fn rules(doc: Value) -> RuleSet {
    RuleSet::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("rule set must load: {e}"))
}

fn usd(amount: &str) -> Value {
    json!({"amount": amount, "currency": "USD"})
}

fn value_rule(id: &str, priority: i32, op: &str, amount: &str, action: Value) -> Value {
    json!({"id": id, "priority": priority, "trigger": {"type": "deal_created"},
           "when": {"field": "deal.value", "op": op, "value": usd(amount)}, "then": [action]})
}

fn tag(name: &str) -> Value {
    json!({"type": "add_tag", "tag": name})
}

fn kinds(report: &AnalysisReport, kind: FindingKind) -> Vec<String> {
    report
        .of_kind(kind)
        .map(|f| f.example_text.clone())
        .collect()
}

#[test]
fn the_seed_rule_leaves_exactly_500_usd_unrouted() {
    let seed = RuleSet::compile(presets::routing_rule_set(
        &RoutingConfig::usd_500(Boundary::Unrouted).expect("config"),
    ))
    .expect("compiles");
    let report = analyze(&seed);
    let gaps: Vec<_> = report.of_kind(FindingKind::Gap).collect();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].example_text, "deal.value = 500.00 USD");
    assert_eq!(gaps[0].example["deal.value"], usd("500.00"));
    assert_eq!(gaps[0].rules, ["deal-value-routing"]);
    assert_eq!(
        report.findings.len(),
        1,
        "nothing else is wrong: {:?}",
        report.findings
    );
    let summary = &report.triggers[0];
    assert_eq!(
        (summary.cells, summary.gap_cells, summary.overlap_cells),
        (3, 1, 0)
    );
}

#[test]
fn the_routing_with_an_explicit_boundary_has_no_gap_either_way() {
    for boundary in [Boundary::Call, Boundary::Nurture] {
        let set = RuleSet::compile(presets::routing_rule_set(
            &RoutingConfig::usd_500(boundary).expect("config"),
        ))
        .expect("compiles");
        let report = analyze(&set);
        assert!(
            report.findings.is_empty(),
            "{boundary:?}: {:?}",
            report.findings
        );
    }
}

#[test]
fn a_threshold_in_another_currency_and_scale_moves_the_gap() {
    let mut config = RoutingConfig::usd_500(Boundary::Unrouted).expect("config");
    config.threshold =
        crmkit::money::Money::parse("99.995", "EUR".parse().expect("eur")).expect("money");
    let set = RuleSet::compile(presets::routing_rule_set(&config)).expect("compiles");
    let report = analyze(&set);
    assert_eq!(
        kinds(&report, FindingKind::Gap),
        ["deal.value = 99.995 EUR"]
    );
}

#[test]
fn overlaps_under_first_match_name_the_winner() {
    let set = rules(json!({"hit_policy": "first", "rules": [
        value_rule("big", 2, "gt", "100", tag("big")),
        value_rule("any", 1, "gt", "50", tag("any"))]}));
    let report = analyze(&set);
    let overlaps: Vec<_> = report.of_kind(FindingKind::Overlap).collect();
    assert_eq!(overlaps.len(), 1, "{overlaps:?}");
    assert_eq!(overlaps[0].rules, ["big", "any"]);
    assert!(
        overlaps[0].message.contains("big wins"),
        "{}",
        overlaps[0].message
    );
    assert_eq!(overlaps[0].example_text, "deal.value = 101.00 USD");
    // Both 50 and anything below are gaps; no rule is unreachable.
    assert_eq!(
        kinds(&report, FindingKind::Gap),
        ["deal.value = 0.00 USD", "deal.value = 50.00 USD"]
    );
    assert_eq!(report.of_kind(FindingKind::UnreachableRule).count(), 0);
}

#[test]
fn a_rule_always_beaten_by_an_earlier_one_is_unreachable() {
    let set = rules(json!({"hit_policy": "first", "rules": [
        value_rule("over-100", 5, "gt", "100", tag("a")),
        value_rule("over-200", 1, "gt", "200", tag("b"))]}));
    let report = analyze(&set);
    let found: Vec<_> = report.of_kind(FindingKind::UnreachableRule).collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rules, ["over-200", "over-100"]);
    assert_eq!(found[0].example_text, "deal.value = 201.00 USD");
    // Under all matches the same rule set has no unreachable rule.
    let mut doc = set.doc().clone();
    doc.hit_policy = HitPolicy::All;
    let all = analyze(&RuleSet::compile(doc).expect("compiles"));
    assert_eq!(all.of_kind(FindingKind::UnreachableRule).count(), 0);
    assert_eq!(all.of_kind(FindingKind::Overlap).count(), 1);
}

#[test]
fn call_and_nurture_for_the_same_deal_is_a_conflict_under_all_matches() {
    let set = rules(json!({"hit_policy": "all", "rules": [
        value_rule("call", 0, "ge", "400", json!({"type": "create_task", "task": "call", "title": "call"})),
        value_rule("nurture", 0, "le", "600", json!({"type": "enroll_in_campaign", "campaign": "nurture"}))]}));
    let report = analyze(&set);
    let conflicts: Vec<_> = report.of_kind(FindingKind::Conflict).collect();
    assert_eq!(conflicts.len(), 1, "{:?}", report.findings);
    assert_eq!(conflicts[0].rules, ["call", "nurture"]);
    assert!(
        conflicts[0]
            .message
            .contains("call task and enrollment in campaign nurture"),
        "{}",
        conflicts[0].message
    );
    assert_eq!(conflicts[0].example_text, "deal.value = 400.00 USD");
    assert_eq!(report.of_kind(FindingKind::Gap).count(), 0);
}

#[test]
fn opposite_tags_and_stages_conflict() {
    let set = rules(json!({"rules": [
        {"id": "add", "trigger": {"type": "form_submitted"}, "then": [tag("hot")]},
        {"id": "remove", "trigger": {"type": "form_submitted", "form": "unsubscribe"}, "then": [{"type": "remove_tag", "tag": "hot"}]}]}));
    let report = analyze(&set);
    let conflicts: Vec<_> = report.of_kind(FindingKind::Conflict).collect();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].example_text, "event.form = \"unsubscribe\"");
}

#[test]
fn a_branch_covered_by_earlier_branches_is_unreachable() {
    let set = rules(
        json!({"rules": [{"id": "tiers", "trigger": {"type": "deal_created"}, "branches": [
        {"if": {"field": "deal.value", "op": "gt", "value": usd("100")}, "then": [tag("a")]},
        {"if": {"field": "deal.value", "op": "gt", "value": usd("200")}, "then": [tag("b")]},
        {"if": {"field": "deal.value", "op": "le", "value": usd("100")}, "then": [tag("c")]}],
        "else": [tag("d")]}]}),
    );
    let report = analyze(&set);
    let found: Vec<_> = report.of_kind(FindingKind::UnreachableBranch).collect();
    let branches: Vec<_> = found
        .iter()
        .map(|f| f.branch.clone().unwrap_or_default())
        .collect();
    assert_eq!(branches, ["if[1]", "else"]);
    assert_eq!(found[0].example_text, "deal.value = 201.00 USD");
    assert!(
        found[0].message.contains("branch if[0] always holds first"),
        "{}",
        found[0].message
    );
}

#[test]
fn contradictory_conditions_are_reported_without_an_example() {
    let set = rules(json!({"rules": [
        {"id": "never", "trigger": {"type": "deal_created"},
         "when": {"all": [{"field": "deal.value", "op": "gt", "value": usd("500")},
                          {"field": "deal.value", "op": "lt", "value": usd("100")}]},
         "then": [tag("x")]},
        {"id": "half", "trigger": {"type": "contact_created"}, "branches": [
            {"if": {"all": [{"field": "contact.country", "op": "eq", "value": "US"},
                            {"field": "contact.country", "op": "in", "value": ["DE", "FR"]}]}, "then": [tag("y")]},
            {"if": {"field": "contact.lifecycle_stage", "op": "gt", "value": "disqualified"}, "then": [tag("z")]}],
         "else": [tag("w")]}]}));
    let report = analyze(&set);
    let found: Vec<_> = report.of_kind(FindingKind::Contradiction).collect();
    let got: Vec<(String, Option<String>)> = found
        .iter()
        .map(|f| (f.rules[0].clone(), f.branch.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("half".to_string(), Some("if[0]".to_string())),
            ("half".to_string(), Some("if[1]".to_string())),
            ("never".to_string(), None)
        ]
    );
    assert!(found.iter().all(|f| f.example.is_empty()));
}

#[test]
fn categorical_gaps_name_an_unhandled_value() {
    let set = rules(json!({"rules": [
        {"id": "demo", "trigger": {"type": "form_submitted", "form": "demo"}, "then": [tag("demo")]},
        {"id": "pricing", "trigger": {"type": "form_submitted"},
         "when": {"field": "event.form", "op": "in", "value": ["pricing", "quote"]}, "then": [tag("pricing")]}]}));
    let report = analyze(&set);
    assert_eq!(
        kinds(&report, FindingKind::Gap),
        ["event.form = \"other\" (any other value)"]
    );
}

#[test]
fn lifecycle_stage_gaps_follow_the_funnel() {
    let set = rules(json!({"rules": [
        {"id": "nurture", "trigger": {"type": "form_submitted"},
         "when": {"field": "contact.lifecycle_stage", "op": "lt", "value": "sql"}, "then": [tag("n")]},
        {"id": "upsell", "trigger": {"type": "form_submitted"},
         "when": {"field": "contact.lifecycle_stage", "op": "in", "value": ["customer", "evangelist"]}, "then": [tag("u")]}]}));
    let report = analyze(&set);
    assert_eq!(
        kinds(&report, FindingKind::Gap),
        [
            "contact.lifecycle_stage = sql",
            "contact.lifecycle_stage = opportunity",
            "contact.lifecycle_stage = disqualified"
        ]
    );
}

#[test]
fn date_gaps_are_found_in_days_relative_to_as_of() {
    let set = rules(json!({"rules": [
        {"id": "old", "trigger": {"type": "contact_created"},
         "when": {"field": "contact.created_at", "op": "older_than_days", "value": 30}, "then": [tag("old")]},
        {"id": "new", "trigger": {"type": "contact_created"},
         "when": {"field": "contact.created_at", "op": "within_last_days", "value": 7}, "then": [tag("new")]}]}));
    let report = analyze(&set);
    assert_eq!(
        kinds(&report, FindingKind::Gap),
        [
            "days since contact.created_at = -1 days",
            "days since contact.created_at = 8 days"
        ]
    );
}

#[test]
fn trigger_parameters_take_part_in_the_analysis() {
    let set = rules(json!({"rules": [
        {"id": "first", "trigger": {"type": "purchase_made", "count": "first"}, "then": [tag("a")]},
        {"id": "third", "trigger": {"type": "purchase_made", "count": 3}, "then": [tag("b")]},
        {"id": "up", "trigger": {"type": "score_crossed", "threshold": 50}, "then": [tag("c")]}]}));
    let report = analyze(&set);
    let gaps = kinds(&report, FindingKind::Gap);
    assert!(
        gaps.contains(&"event.purchase_number = 2".to_string()),
        "{gaps:?}"
    );
    assert!(
        gaps.contains(&"event.purchase_number = 4".to_string()),
        "{gaps:?}"
    );
    assert!(
        !gaps.iter().any(|g| g.contains("purchase_number = 3")),
        "{gaps:?}"
    );
    // The score crossing: gaps are the changes that do not cross 50 upwards.
    assert!(
        gaps.contains(&"event.new_score = 49, event.old_score = 49".to_string()),
        "{gaps:?}"
    );
}

#[test]
fn mixed_currencies_on_one_field_are_reported() {
    let set = rules(json!({"rules": [
        value_rule("usd", 0, "gt", "500", tag("a")),
        {"id": "eur", "trigger": {"type": "deal_created"},
         "when": {"field": "deal.value", "op": "gt", "value": {"amount": "450", "currency": "EUR"}}, "then": [tag("b")]}]}));
    let report = analyze(&set);
    assert_eq!(report.of_kind(FindingKind::MixedCurrencies).count(), 1);
}

#[test]
fn the_standard_presets_report_only_expected_findings() {
    let set =
        RuleSet::compile(presets::standard(Boundary::Call).expect("presets")).expect("compiles");
    let report = analyze(&set);
    let json = serde_json::to_value(&report).expect("serialises");
    assert!(json["findings"].is_array());
    // Repeat-purchase discount and post-purchase e-mail both act on repeat
    // purchases (on purpose): an overlap, not a conflict.
    assert_eq!(report.of_kind(FindingKind::Conflict).count(), 0);
    assert_eq!(report.of_kind(FindingKind::Overlap).count(), 1);
    // The welcome series ignores contacts created past the subscriber stage.
    assert!(
        kinds(&report, FindingKind::Gap).contains(&"contact.lifecycle_stage = lead".to_string())
    );
}

// ------------------------------------------------------------- properties

/// A random partition: cut points and, for each elementary piece
/// (`(-inf, p0)`, `[p0]`, `(p0, p1)`, ..., `(pk, inf)`), whether it is covered.
fn partition() -> impl Strategy<Value = (Vec<i64>, Vec<bool>, bool)> {
    (
        prop::collection::btree_set(-500i64..500, 1..8),
        any::<bool>(),
    )
        .prop_flat_map(|(points, first)| {
            let points: Vec<i64> = points.into_iter().collect();
            let pieces = 2 * points.len() + 1;
            (
                Just(points),
                prop::collection::vec(any::<bool>(), pieces),
                Just(first),
            )
        })
}

fn point(p: i64) -> Decimal {
    Decimal::new(p, 1)
}

/// Rules covering the maximal runs of covered pieces, one rule per run.
fn rules_for(points: &[i64], covered: &[bool], first: bool) -> (Value, Vec<Decimal>) {
    let mut rules_json = Vec::new();
    let mut literals = Vec::new();
    let mut i = 0;
    while i < covered.len() {
        if !covered.get(i).copied().unwrap_or(false) {
            i += 1;
            continue;
        }
        let start = i;
        while covered.get(i).copied().unwrap_or(false) {
            i += 1;
        }
        let end = i - 1; // inclusive piece index
        let mut parts = Vec::new();
        // Piece 2j+1 is the point j; piece 2j is the open interval below point j.
        if start > 0 {
            let (op, p) = if start % 2 == 1 {
                ("ge", (start - 1) / 2)
            } else {
                ("gt", start / 2 - 1)
            };
            let v = point(points[p]);
            literals.push(v);
            parts.push(json!({"field": "contact.attributes.x", "op": op, "value": v.to_string().parse::<f64>().unwrap()}));
        }
        if end < covered.len() - 1 {
            let (op, p) = if end % 2 == 1 {
                ("le", (end - 1) / 2)
            } else {
                ("lt", end / 2)
            };
            let v = point(points[p]);
            literals.push(v);
            parts.push(json!({"field": "contact.attributes.x", "op": op, "value": v.to_string().parse::<f64>().unwrap()}));
        }
        rules_json.push(
            json!({"id": format!("run{start}"), "priority": (start % 3) as i32,
            "trigger": {"type": "form_submitted"}, "when": {"all": parts}, "then": [tag("x")]}),
        );
    }
    literals.sort();
    literals.dedup();
    (
        json!({"hit_policy": if first { "first" } else { "all" }, "rules": rules_json}),
        literals,
    )
}

/// The cell of `x` among the literals: 0 below the first, 1 at it, 2 between
/// the first and second...
fn cell_of(x: Decimal, literals: &[Decimal]) -> usize {
    let mut cell = 0;
    for l in literals {
        if x < *l {
            return cell;
        }
        if x == *l {
            return cell + 1;
        }
        cell += 2;
    }
    cell
}

fn covered_at(x: Decimal, points: &[i64], covered: &[bool]) -> bool {
    let pts: Vec<Decimal> = points.iter().map(|p| point(*p)).collect();
    covered.get(cell_of(x, &pts)).copied().unwrap_or(false)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_analysis_finds_every_gap_of_a_random_interval_partition((points, covered, first) in partition()) {
        // With no rule at all there is no trigger to analyse.
        prop_assume!(covered.iter().any(|c| *c));
        let (doc, literals) = rules_for(&points, &covered, first);
        let set = rules(doc);
        let report = analyze(&set);
        let found: std::collections::BTreeSet<usize> = report
            .of_kind(FindingKind::Gap)
            .map(|g| {
                let text = g.example.get("contact.attributes.x").and_then(Value::as_str).unwrap_or("none");
                let x: Decimal = text.parse().unwrap_or_else(|_| panic!("example {text:?}"));
                prop_assert!(!covered_at(x, &points, &covered), "gap example {x} is covered");
                Ok(cell_of(x, &literals))
            })
            .collect::<Result<_, TestCaseError>>()?;
        // Every cell of the literals' partition that no rule covers is found.
        let mut expected = std::collections::BTreeSet::new();
        for cell in 0..=2 * literals.len() {
            // A representative of the cell.
            let x = if literals.is_empty() {
                Decimal::ZERO
            } else if cell % 2 == 1 {
                literals[cell / 2]
            } else if cell == 0 {
                literals[0] - Decimal::ONE
            } else if cell / 2 == literals.len() {
                literals[literals.len() - 1] + Decimal::ONE
            } else {
                (literals[cell / 2 - 1] + literals[cell / 2]) / Decimal::TWO
            };
            if !covered_at(x, &points, &covered) {
                expected.insert(cell);
            }
        }
        prop_assert_eq!(found, expected);
        let any_gap = covered.iter().any(|c| !c);
        prop_assert_eq!(report.of_kind(FindingKind::Gap).count() > 0, any_gap);
    }
}

const SNAPSHOT: &str = r#"{"contacts": [{"id": "C-1", "name": "Ada", "created_at": "2024-01-01T00:00:00Z",
  "tags": ["vip"], "attributes": {"x": 5}}],
 "pipelines": [{"id": "p", "name": "P", "stages": [{"id": "s", "name": "S", "probability": 10}]}],
 "deals": [{"id": "D-1", "contact": "C-1", "pipeline": "p", "stage": "s",
   "value": {"amount": "500.00", "currency": "USD"}, "created_at": "2024-01-02T00:00:00Z"}]}"#;

fn json_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(null)),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(json!("NaN"), Value::Number)),
        "[a-z0-9.:-]{0,12}".prop_map(Value::from),
        Just(json!("1e400")),
        Just(json!("-99999999999999999999999999999")),
        (
            any::<i64>(),
            prop_oneof![Just("USD"), Just("EUR"), Just("usd")]
        )
            .prop_map(|(a, c)| json!({"amount": a.to_string(), "currency": c})),
        prop::collection::vec(any::<i32>().prop_map(Value::from), 0..3).prop_map(Value::from),
        Just(json!({"date": "2026-01-01"})),
    ]
}

fn field() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "deal.value",
        "deal.stage",
        "deal.days_in_stage",
        "contact.tags",
        "contact.age",
        "contact.lifecycle_stage",
        "contact.created_at",
        "contact.attributes.x",
        "event.new_score",
        "event.form",
        "company.employees",
        "deal.nope",
        "",
        "contact.",
    ])
}

fn op() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "between",
        "in",
        "not_in",
        "contains",
        "starts_with",
        "exists",
        "missing",
        "has",
        "older_than_days",
        "within_last_days",
        "within_next_days",
        "bogus",
    ])
}

fn condition() -> impl Strategy<Value = Value> {
    let leaf = (field(), op(), json_value())
        .prop_map(|(f, o, v)| json!({"field": f, "op": o, "value": v}));
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| json!({"all": v})),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| json!({"any": v})),
            inner.prop_map(|c| json!({"not": c})),
        ]
    })
}

fn trigger() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"type": "deal_created"})),
        Just(json!({"type": "form_submitted", "form": "demo"})),
        Just(json!({"type": "purchase_made", "count": "repeat"})),
        any::<i32>().prop_map(|t| json!({"type": "score_crossed", "threshold": t})),
        Just(json!({"type": "stuck", "entity": "deal", "days": 3})),
        Just(json!({"type": "nonsense"})),
    ]
}

fn rule_set() -> impl Strategy<Value = Value> {
    let rule = (trigger(), prop::option::of(condition()), prop::collection::vec(condition(), 1..3), any::<bool>())
        .prop_map(|(t, when, branches, with_else)| {
            let mut r = json!({"id": "r", "trigger": t,
                "branches": branches.into_iter().map(|c| json!({"if": c, "then": [{"type": "add_tag", "tag": "t"}]})).collect::<Vec<_>>()});
            if let Some(w) = when { r["when"] = w; }
            if with_else { r["else"] = json!([{"type": "notify", "message": "m"}]); }
            r
        });
    (prop::collection::vec(rule, 0..4), any::<bool>()).prop_map(|(mut list, first)| {
        for (i, r) in list.iter_mut().enumerate() {
            r["id"] = json!(format!("r{i}"));
        }
        json!({"hit_policy": if first { "first" } else { "all" }, "rules": list})
    })
}

fn an_event() -> impl Strategy<Value = Value> {
    (prop::sample::select(vec!["deal_created", "form_submitted", "purchase_made", "score_changed", "deal_stuck"]),
     json_value(), json_value(), prop::option::of(any::<u32>()))
        .prop_map(|(kind, v, s, n)| {
            let mut e = json!({"id": "E", "type": kind, "at": "2026-05-01T00:00:00Z", "deal": "D-1", "contact": "C-1",
                               "form": "demo", "value": v, "new_score": s, "old_score": 0});
            if let Some(n) = n { e["purchase_number"] = json!(n); e["days"] = json!(n); }
            e
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn evaluation_is_deterministic_and_never_panics(doc in rule_set(), ev in an_event()) {
        let snapshot = Dataset::from_json(SNAPSHOT).expect("snapshot");
        let Ok(set) = RuleSet::from_json(&doc.to_string()) else { return Ok(()); };
        let _ = analyze(&set);
        let Ok(event) = Event::from_json(&ev.to_string()) else { return Ok(()); };
        let as_of = "2026-05-02T00:00:00Z".parse().expect("as_of");
        let a = set.evaluate(&event, &snapshot, &EnrollmentState::default(), as_of);
        let b = set.evaluate(&event, &snapshot, &EnrollmentState::default(), as_of);
        prop_assert_eq!(&a, &b);
        if let Ok(out) = a {
            let again = set.evaluate(&event, &snapshot, &out.state, as_of).expect("replay evaluates");
            prop_assert!(again.actions.is_empty(), "a replay acted: {:?}", again.actions);
        }
        let _ = set.tick(&snapshot, &EnrollmentState::default(), as_of);
    }

    #[test]
    fn any_text_as_a_rule_set_or_event_gives_a_result_or_an_error(text in ".{0,200}") {
        let _ = RuleSet::from_json(&text);
        let _ = Event::from_json(&text);
        let _ = EnrollmentState::from_json(&text);
    }
}

#[test]
fn derived_events_only_take_the_values_their_rules_name() {
    // `tick` makes stuck events only for the rules' thresholds and date
    // events only for the rules' schedules: no gap for other values, and two
    // thresholds never overlap.
    let set = rules(json!({"rules": [
        {"id": "stuck-14", "trigger": {"type": "stuck", "entity": "deal", "days": 14}, "then": [tag("a")]},
        {"id": "stuck-30", "trigger": {"type": "stuck", "entity": "deal", "days": 30}, "then": [tag("b")]},
        {"id": "anniv", "trigger": {"type": "date", "field": "contact.created_at", "anniversary": true}, "then": [tag("c")]}]}));
    let report = analyze(&set);
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    // A stage filter leaves the other stages as a real gap.
    let set = rules(json!({"rules": [
        {"id": "stuck-proposal", "trigger": {"type": "stuck", "entity": "deal", "days": 14, "stage": "proposal"}, "then": [tag("a")]}]}));
    assert_eq!(
        kinds(&analyze(&set), FindingKind::Gap),
        ["event.days = \"14\", event.to = \"other\" (any other value)"]
    );
}

#[test]
fn decide_agrees_with_evaluate() {
    let set = rules(json!({"hit_policy": "all", "rules": [
        value_rule("big", 2, "gt", "100", tag("big")),
        value_rule("any", 1, "gt", "50", tag("any")),
        value_rule("small", 0, "lt", "50", tag("small"))]}));
    let snapshot = Dataset::from_json(SNAPSHOT).expect("snapshot");
    let as_of = "2026-05-02T00:00:00Z".parse().expect("as_of");
    for amount in ["10", "50", "75", "150"] {
        let ev = Event::from_json(
            &json!({"id": "E", "type": "deal_created", "at": "2026-05-01T00:00:00Z",
            "deal": "D-1", "value": usd(amount)})
            .to_string(),
        )
        .expect("event");
        let decided: Vec<String> = set
            .decide(&ev, &snapshot, &EnrollmentState::default(), as_of)
            .expect("decides")
            .iter()
            .map(|d| d.rule.to_string())
            .collect();
        let evaluated: Vec<String> = set
            .evaluate(&ev, &snapshot, &EnrollmentState::default(), as_of)
            .expect("evaluates")
            .actions
            .iter()
            .map(|a| a.rule.to_string())
            .collect();
        assert_eq!(decided, evaluated, "amount {amount}");
    }
}

#[test]
fn absolute_date_conditions_are_split_at_their_dates() {
    let set = rules(json!({"rules": [
        {"id": "early", "trigger": {"type": "contact_created"},
         "when": {"field": "contact.created_at", "op": "lt", "value": "2025-01-01"}, "then": [tag("early")]},
        {"id": "late", "trigger": {"type": "contact_created"},
         "when": {"field": "contact.created_at", "op": "ge", "value": "2025-06-01"}, "then": [tag("late")]}]}));
    let report = analyze(&set);
    assert_eq!(
        kinds(&report, FindingKind::Gap),
        [
            "contact.created_at = 2025-01-01",
            "contact.created_at = 2025-01-02"
        ]
    );
}

#[test]
fn extreme_literals_and_times_neither_panic_nor_overflow() {
    let max = "79228162514264337593543950335";
    let set = rules(json!({"rules": [
        {"id": "huge", "trigger": {"type": "form_submitted"}, "enrollment": {"again_after_days": 4294967295u32},
         "when": {"any": [{"field": "contact.attributes.x", "op": "lt", "value": 7.9e28},
                          {"field": "deal.value", "op": "ge", "value": usd(max)},
                          {"field": "deal.value", "op": "between", "value": [usd("-79228162514264337593543950335"), usd(max)]}]},
         "then": [{"type": "create_task", "task": "call", "title": "t", "due_in_days": 4294967295u32},
                  {"type": "issue_discount", "percent": 100, "prefix": "X", "valid_days": 4294967295u32}]},
        {"id": "stuck", "trigger": {"type": "stuck", "entity": "deal", "days": 4294967295u32}, "then": [tag("x")]}]}));
    let report = analyze(&set);
    assert!(!report.triggers.is_empty());
    let snapshot = Dataset::from_json(SNAPSHOT).expect("snapshot");
    let far = "+262000-01-01T00:00:00Z".parse().expect("far future");
    let ev = Event::from_json(
        &json!({"id": "E", "type": "form_submitted", "at": "+262000-01-01T00:00:00Z",
        "contact": "C-1"})
        .to_string(),
    )
    .expect("event");
    let out = set
        .evaluate(&ev, &snapshot, &EnrollmentState::default(), far)
        .expect("evaluates");
    assert_eq!(out.actions.len(), 2);
    let again = set
        .evaluate(&ev, &snapshot, &out.state, far)
        .expect("evaluates");
    assert!(again.actions.is_empty());
    set.tick(&snapshot, &EnrollmentState::default(), far)
        .expect("ticks");
}
