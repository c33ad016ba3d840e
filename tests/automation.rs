//! The automation engine: triggers, conditions, actions, policies, enrollment
//! state, cascades, time-based triggers, dry runs and the $500 routing.

use crmkit::ErrorKind;
use crmkit::automation::presets::{self, Boundary, RoutingConfig};
use crmkit::automation::{
    Assignment, Effect, EnrollmentState, Evaluation, Event, MatchOutcome, RuleSet,
};
use crmkit::model::{Dataset, Timestamp};
use serde_json::{Value, json};

const SNAPSHOT: &str = r#"{
 "pipelines": [{"id": "sales", "name": "Sales", "stages": [
   {"id": "new", "name": "New", "probability": 10},
   {"id": "proposal", "name": "Proposal", "probability": 50},
   {"id": "won", "name": "Won", "probability": 100, "kind": "won"},
   {"id": "lost", "name": "Lost", "probability": 0, "kind": "lost"}]}],
 "teams": [{"id": "east", "name": "East"}],
 "reps": [
   {"id": "R-1", "name": "Ann", "team": "east", "territories": ["north"]},
   {"id": "R-2", "name": "Bob", "team": "east", "territories": ["north", "south"]},
   {"id": "R-3", "name": "Cy", "team": "east", "active": false}],
 "companies": [{"id": "CO-1", "name": "Acme", "employees": 250, "industry": "software"}],
 "contacts": [
   {"id": "C-1", "name": "Ada", "email": "ada@example.com", "company": "CO-1", "owner": "R-1",
    "territory": "south", "created_at": "2024-05-01T09:00:00Z",
    "lifecycle": {"stage": "mql", "history": [{"from": "lead", "to": "mql", "at": "2026-04-01T00:00:00Z"}]},
    "demographics": {"age": 41}, "tags": ["vip"],
    "attributes": {"renewal": {"date": "2026-05-08"}, "budget": 1200}},
   {"id": "C-2", "name": "Bo", "created_at": "2026-04-20T09:00:00Z", "lifecycle": {"stage": "subscriber"}}],
 "deals": [
   {"id": "D-1", "name": "Starter", "contact": "C-1", "pipeline": "sales", "stage": "proposal",
    "value": {"amount": "500.00", "currency": "USD"}, "owner": "R-2",
    "created_at": "2026-04-01T00:00:00Z",
    "stage_history": [
      {"stage": "new", "entered_at": "2026-04-01T00:00:00Z", "exited_at": "2026-04-05T00:00:00Z"},
      {"stage": "proposal", "entered_at": "2026-04-05T00:00:00Z"}]},
   {"id": "D-2", "name": "Euro deal", "contact": "C-2", "pipeline": "sales", "stage": "new",
    "value": {"amount": "450.00", "currency": "EUR"}, "created_at": "2026-04-25T00:00:00Z"}],
 "tasks": [{"id": "K-1", "title": "x", "assignee": "R-1", "created_at": "2026-04-01T00:00:00Z",
            "due": "2026-04-02T00:00:00Z"}],
 "tickets": [{"id": "T-1", "contact": "C-1", "channel": "email", "opened_at": "2026-04-28T00:00:00Z",
              "resolved_at": "2026-04-29T00:00:00Z", "priority": "high"}]
}"#;

fn snapshot() -> Dataset {
    Dataset::from_json(SNAPSHOT).expect("test snapshot is valid")
}

fn as_of() -> Timestamp {
    "2026-05-01T09:00:00Z".parse().expect("timestamp")
}

fn ts(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

fn rules(doc: Value) -> RuleSet {
    RuleSet::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("rule set must load: {e}"))
}

fn load_err(doc: Value) -> crmkit::Error {
    RuleSet::from_json(&doc.to_string()).expect_err("rule set must be refused")
}

fn event(doc: Value) -> Event {
    Event::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("event must parse: {e}"))
}

fn run(rules: &RuleSet, ev: &Event) -> Evaluation {
    rules
        .evaluate(ev, &snapshot(), &EnrollmentState::default(), as_of())
        .unwrap_or_else(|e| panic!("evaluation must succeed: {e}"))
}

fn fired(rules: &RuleSet, ev: &Event) -> Vec<String> {
    run(rules, ev)
        .actions
        .iter()
        .map(|a| a.rule.to_string())
        .collect()
}

fn tag_rule(id: &str, trigger: Value) -> Value {
    json!({"id": id, "trigger": trigger, "enrollment": "every_time",
           "then": [{"type": "add_tag", "tag": id}]})
}

fn one_rule(rule: Value) -> RuleSet {
    rules(json!({"rules": [rule]}))
}

fn money(amount: &str, currency: &str) -> Value {
    json!({"amount": amount, "currency": currency})
}

// ---------------------------------------------------------------- triggers

#[test]
fn every_trigger_hears_its_own_event_and_no_other() {
    let cases: Vec<(Value, Value)> = vec![
        (
            json!({"type": "contact_created"}),
            json!({"type": "contact_created", "contact": "C-1"}),
        ),
        (
            json!({"type": "contact_updated"}),
            json!({"type": "contact_updated", "contact": "C-1", "field": "contact.email"}),
        ),
        (
            json!({"type": "lifecycle_stage_changed"}),
            json!({"type": "lifecycle_stage_changed", "contact": "C-1", "from": "lead", "to": "mql"}),
        ),
        (
            json!({"type": "deal_created"}),
            json!({"type": "deal_created", "deal": "D-1"}),
        ),
        (
            json!({"type": "deal_value_changed"}),
            json!({"type": "deal_value_changed", "deal": "D-1", "old_value": money("1", "USD"), "value": money("2", "USD")}),
        ),
        (
            json!({"type": "deal_stage_changed"}),
            json!({"type": "deal_stage_changed", "deal": "D-1", "from": "new", "to": "proposal"}),
        ),
        (
            json!({"type": "deal_won"}),
            json!({"type": "deal_won", "deal": "D-1"}),
        ),
        (
            json!({"type": "deal_lost"}),
            json!({"type": "deal_lost", "deal": "D-1"}),
        ),
        (
            json!({"type": "purchase_made"}),
            json!({"type": "purchase_made", "contact": "C-1", "purchase_number": 1}),
        ),
        (
            json!({"type": "form_submitted"}),
            json!({"type": "form_submitted", "contact": "C-1", "form": "demo"}),
        ),
        (
            json!({"type": "email_opened"}),
            json!({"type": "email_opened", "contact": "C-1", "email": "news"}),
        ),
        (
            json!({"type": "email_clicked"}),
            json!({"type": "email_clicked", "contact": "C-1", "email": "news"}),
        ),
        (
            json!({"type": "score_crossed", "threshold": 50}),
            json!({"type": "score_changed", "contact": "C-1", "old_score": 40, "new_score": 55}),
        ),
        (
            json!({"type": "ticket_opened"}),
            json!({"type": "ticket_opened", "ticket": "T-1"}),
        ),
        (
            json!({"type": "ticket_closed"}),
            json!({"type": "ticket_closed", "ticket": "T-1"}),
        ),
        (
            json!({"type": "survey_answered"}),
            json!({"type": "survey_answered", "contact": "C-1", "survey": "nps", "survey_score": 9}),
        ),
    ];
    let all: Vec<Value> = cases
        .iter()
        .enumerate()
        .map(|(i, (trigger, _))| tag_rule(&format!("r{i}"), trigger.clone()))
        .collect();
    let set = rules(json!({"rules": all}));
    for (i, (_, ev)) in cases.iter().enumerate() {
        let mut ev = ev.clone();
        ev["id"] = json!(format!("E-{i}"));
        ev["at"] = json!("2026-05-01T08:00:00Z");
        assert_eq!(
            fired(&set, &event(ev.clone())),
            vec![format!("r{i}")],
            "event {ev}"
        );
    }
}

#[test]
fn narrowed_triggers_check_their_parameters() {
    let set = rules(json!({"rules": [
        tag_rule("email-field", json!({"type": "contact_updated", "field": "contact.email"})),
        tag_rule("to-customer", json!({"type": "lifecycle_stage_changed", "from": "sql", "to": "customer"})),
        tag_rule("to-proposal", json!({"type": "deal_stage_changed", "to": "proposal"})),
        tag_rule("first", json!({"type": "purchase_made", "count": "first"})),
        tag_rule("repeat", json!({"type": "purchase_made", "count": "repeat"})),
        tag_rule("third", json!({"type": "purchase_made", "count": 3})),
        tag_rule("demo-form", json!({"type": "form_submitted", "form": "demo"})),
        tag_rule("news-click", json!({"type": "email_clicked", "email": "news"})),
        tag_rule("nps", json!({"type": "survey_answered", "survey": "nps"})),
        tag_rule("down", json!({"type": "score_crossed", "threshold": "50", "direction": "down"})),
        tag_rule("either", json!({"type": "score_crossed", "threshold": "50", "direction": "either"})),
    ]}));
    let check = |ev: Value, want: &[&str]| {
        let mut ev = ev;
        ev["id"] = json!("E");
        ev["at"] = json!("2026-05-01T08:00:00Z");
        let mut got = fired(&set, &event(ev.clone()));
        got.sort();
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "event {ev}");
    };
    check(
        json!({"type": "contact_updated", "contact": "C-1", "field": "contact.email"}),
        &["email-field"],
    );
    check(
        json!({"type": "contact_updated", "contact": "C-1", "field": "contact.name"}),
        &[],
    );
    check(
        json!({"type": "lifecycle_stage_changed", "contact": "C-1", "from": "sql", "to": "customer"}),
        &["to-customer"],
    );
    check(
        json!({"type": "lifecycle_stage_changed", "contact": "C-1", "from": "lead", "to": "customer"}),
        &[],
    );
    check(
        json!({"type": "deal_stage_changed", "deal": "D-1", "from": "new", "to": "proposal"}),
        &["to-proposal"],
    );
    check(
        json!({"type": "deal_stage_changed", "deal": "D-1", "from": "proposal", "to": "won"}),
        &[],
    );
    check(
        json!({"type": "purchase_made", "contact": "C-1", "purchase_number": 1}),
        &["first"],
    );
    check(
        json!({"type": "purchase_made", "contact": "C-1", "purchase_number": 2}),
        &["repeat"],
    );
    check(
        json!({"type": "purchase_made", "contact": "C-1", "purchase_number": 3}),
        &["repeat", "third"],
    );
    check(json!({"type": "purchase_made", "contact": "C-1"}), &[]);
    check(
        json!({"type": "form_submitted", "contact": "C-1", "form": "demo"}),
        &["demo-form"],
    );
    check(
        json!({"type": "form_submitted", "contact": "C-1", "form": "newsletter"}),
        &[],
    );
    check(
        json!({"type": "email_clicked", "contact": "C-1", "email": "news"}),
        &["news-click"],
    );
    check(
        json!({"type": "email_opened", "contact": "C-1", "email": "news"}),
        &[],
    );
    check(
        json!({"type": "survey_answered", "contact": "C-1", "survey": "nps", "survey_score": 3}),
        &["nps"],
    );
    check(
        json!({"type": "score_changed", "contact": "C-1", "old_score": 60, "new_score": 50}),
        &[],
    );
    check(
        json!({"type": "score_changed", "contact": "C-1", "old_score": 50, "new_score": "49.5"}),
        &["down", "either"],
    );
    check(
        json!({"type": "score_changed", "contact": "C-1", "old_score": "49.99", "new_score": 50}),
        &["either"],
    );
}

#[test]
fn events_must_name_the_record_they_are_about() {
    let err =
        Event::from_json(r#"{"id": "E", "type": "deal_created", "at": "2026-05-01T00:00:00Z"}"#)
            .expect_err("no deal");
    assert_eq!(err.path(), Some("deal"));
    let err = Event::from_json(
        r#"{"id": "", "type": "contact_created", "at": "2026-05-01T00:00:00Z", "contact": "C-1"}"#,
    )
    .expect_err("empty id");
    assert_eq!(err.kind(), ErrorKind::Invalid);
    let err =
        Event::from_json(r#"{"id": "E", "type": "deal_exploded", "at": "2026-05-01T00:00:00Z"}"#)
            .expect_err("unknown type");
    assert_eq!(err.kind(), ErrorKind::Json);
    assert_eq!(err.path(), Some("type"));
}

// ----------------------------------------------------------- the $500 rule

fn route(boundary: Boundary, amount: &str) -> Vec<Effect> {
    let set = RuleSet::compile(presets::routing_rule_set(
        &RoutingConfig::usd_500(boundary).expect("config"),
    ))
    .expect("preset compiles");
    let ev = event(
        json!({"id": "E-1", "type": "deal_created", "at": "2026-05-01T08:00:00Z",
                          "deal": "D-1", "value": money(amount, "USD")}),
    );
    run(&set, &ev)
        .actions
        .into_iter()
        .map(|a| a.effect)
        .collect()
}

fn is_call(effects: &[Effect]) -> bool {
    matches!(effects, [Effect::CreateTask { .. }])
}

fn is_nurture(effects: &[Effect]) -> bool {
    matches!(effects, [Effect::EnrollInCampaign { campaign, .. }] if campaign.as_str() == "nurture")
}

#[test]
fn routing_with_the_boundary_on_the_call_side_calls_at_exactly_500() {
    assert!(is_call(&route(Boundary::Call, "500.00")));
    assert!(is_call(&route(Boundary::Call, "500")));
    assert!(is_call(&route(Boundary::Call, "500.01")));
    assert!(is_nurture(&route(Boundary::Call, "499.99")));
}

#[test]
fn routing_with_the_boundary_on_the_nurture_side_nurtures_at_exactly_500() {
    assert!(is_nurture(&route(Boundary::Nurture, "500.00")));
    assert!(is_nurture(&route(Boundary::Nurture, "499.99")));
    assert!(is_call(&route(Boundary::Nurture, "500.01")));
}

#[test]
fn routing_as_the_seed_wrote_it_leaves_exactly_500_unrouted() {
    assert!(route(Boundary::Unrouted, "500.00").is_empty());
    assert!(is_call(&route(Boundary::Unrouted, "500.01")));
    assert!(is_nurture(&route(Boundary::Unrouted, "499.99")));
}

#[test]
fn routing_reads_the_snapshot_value_when_the_event_carries_none() {
    let set = RuleSet::compile(presets::routing_rule_set(
        &RoutingConfig::usd_500(Boundary::Call).expect("config"),
    ))
    .expect("compiles");
    // D-1 is worth exactly 500.00 USD in the snapshot.
    let ev = event(
        json!({"id": "E", "type": "deal_created", "at": "2026-05-01T08:00:00Z", "deal": "D-1"}),
    );
    let out = run(&set, &ev);
    let Some(Effect::CreateTask {
        assignee,
        assigned_by,
        title,
        due,
        deal,
        ..
    }) = out.actions.first().map(|a| &a.effect)
    else {
        panic!("expected a call task, got {:?}", out.actions);
    };
    assert_eq!(
        assignee.as_ref().map(|r| r.as_str()),
        Some("R-2"),
        "the deal owner"
    );
    assert_eq!(*assigned_by, Assignment::Owner);
    assert_eq!(title, "Call Ada about Starter (500.00 USD)");
    assert_eq!(*due, ts("2026-05-02T08:00:00Z"));
    assert_eq!(deal.as_ref().map(|d| d.as_str()), Some("D-1"));
    assert!(
        out.actions[0].reason.contains("deal.value >= 500.00 USD"),
        "{}",
        out.actions[0].reason
    );
}

#[test]
fn money_conditions_refuse_another_currency_without_rates() {
    let set = RuleSet::compile(presets::routing_rule_set(
        &RoutingConfig::usd_500(Boundary::Call).expect("config"),
    ))
    .expect("compiles");
    let ev = event(
        json!({"id": "E", "type": "deal_created", "at": "2026-05-01T08:00:00Z",
                          "deal": "D-2", "value": money("450.00", "EUR")}),
    );
    let err = set
        .evaluate(&ev, &snapshot(), &EnrollmentState::default(), as_of())
        .expect_err("EUR against USD without rates");
    assert_eq!(err.kind(), ErrorKind::CurrencyMismatch);
    assert!(err.message().contains("450.00 EUR"), "{err}");
    assert!(err.message().contains("no exchange rates"), "{err}");
}

#[test]
fn money_conditions_convert_with_the_rule_set_rates() {
    let mut doc =
        presets::routing_rule_set(&RoutingConfig::usd_500(Boundary::Call).expect("config"));
    doc.exchange_rates = Some(
        serde_json::from_value(json!({"base": "USD", "rates": {"EUR": "1.10"}})).expect("rates"),
    );
    let set = RuleSet::compile(doc).expect("compiles");
    let at = "2026-05-01T08:00:00Z";
    // 450 EUR = 495 USD: nurture. 460 EUR = 506 USD: call.
    let low = event(
        json!({"id": "E1", "type": "deal_created", "at": at, "deal": "D-2", "value": money("450.00", "EUR")}),
    );
    let high = event(
        json!({"id": "E2", "type": "deal_created", "at": at, "deal": "D-2", "value": money("460.00", "EUR")}),
    );
    assert!(is_nurture(
        &run(&set, &low)
            .actions
            .into_iter()
            .map(|a| a.effect)
            .collect::<Vec<_>>()
    ));
    assert!(is_call(
        &run(&set, &high)
            .actions
            .into_iter()
            .map(|a| a.effect)
            .collect::<Vec<_>>()
    ));
}

// -------------------------------------------------------------- conditions

fn when(condition: Value) -> RuleSet {
    one_rule(
        json!({"id": "r", "trigger": {"type": "form_submitted"}, "when": condition,
                    "enrollment": "every_time", "then": [{"type": "add_tag", "tag": "x"}]}),
    )
}

fn holds(condition: Value, contact: &str) -> bool {
    let set = when(condition);
    let ev = event(
        json!({"id": "E", "type": "form_submitted", "at": "2026-05-01T08:00:00Z",
                          "contact": contact, "form": "demo"}),
    );
    !run(&set, &ev).actions.is_empty()
}

#[test]
fn number_conditions_compare_exactly() {
    assert!(holds(
        json!({"field": "contact.age", "op": "ge", "value": 41}),
        "C-1"
    ));
    assert!(!holds(
        json!({"field": "contact.age", "op": "gt", "value": 41}),
        "C-1"
    ));
    assert!(holds(
        json!({"field": "company.employees", "op": "between", "value": [250, 500]}),
        "C-1"
    ));
    assert!(holds(
        json!({"field": "contact.attributes.budget", "op": "lt", "value": 1200.01}),
        "C-1"
    ));
    assert!(holds(
        json!({"field": "contact.age", "op": "in", "value": [40, 41]}),
        "C-1"
    ));
    // A missing value: no comparison holds, ne and not_in do.
    assert!(!holds(
        json!({"field": "contact.age", "op": "lt", "value": 100}),
        "C-2"
    ));
    assert!(holds(
        json!({"field": "contact.age", "op": "ne", "value": 41}),
        "C-2"
    ));
    assert!(holds(
        json!({"field": "contact.age", "op": "missing"}),
        "C-2"
    ));
    assert!(holds(
        json!({"field": "contact.age", "op": "exists"}),
        "C-1"
    ));
}

#[test]
fn text_set_and_stage_conditions() {
    assert!(holds(
        json!({"field": "company.industry", "op": "eq", "value": "software"}),
        "C-1"
    ));
    assert!(holds(
        json!({"field": "contact.email", "op": "contains", "value": "EXAMPLE"}),
        "C-1"
    ));
    assert!(holds(
        json!({"field": "contact.name", "op": "starts_with", "value": "ad"}),
        "C-1"
    ));
    assert!(holds(
        json!({"field": "contact.territory", "op": "in", "value": ["north", "south"]}),
        "C-1"
    ));
    assert!(!holds(
        json!({"field": "contact.territory", "op": "not_in", "value": ["south"]}),
        "C-1"
    ));
    assert!(holds(
        json!({"field": "contact.tags", "op": "has", "value": "vip"}),
        "C-1"
    ));
    assert!(!holds(
        json!({"field": "contact.tags", "op": "has", "value": "vip"}),
        "C-2"
    ));
    // Lifecycle stages compare in funnel order.
    assert!(holds(
        json!({"field": "contact.lifecycle_stage", "op": "ge", "value": "mql"}),
        "C-1"
    ));
    assert!(!holds(
        json!({"field": "contact.lifecycle_stage", "op": "ge", "value": "sql"}),
        "C-1"
    ));
    assert!(holds(
        json!({"field": "contact.lifecycle_stage", "op": "lt", "value": "lead"}),
        "C-2"
    ));
}

#[test]
fn date_conditions_are_relative_to_as_of() {
    // C-1 was created on 2024-05-01, C-2 on 2026-04-20; as_of is 2026-05-01.
    assert!(holds(
        json!({"field": "contact.created_at", "op": "older_than_days", "value": 730}),
        "C-1"
    ));
    assert!(!holds(
        json!({"field": "contact.created_at", "op": "older_than_days", "value": 731}),
        "C-1"
    ));
    assert!(holds(
        json!({"field": "contact.created_at", "op": "within_last_days", "value": 11}),
        "C-2"
    ));
    assert!(!holds(
        json!({"field": "contact.created_at", "op": "within_last_days", "value": 10}),
        "C-2"
    ));
    // The renewal date (2026-05-08) lies 6.6 days ahead.
    assert!(holds(
        json!({"field": "contact.attributes.renewal", "op": "within_next_days", "value": 7}),
        "C-1"
    ));
    assert!(!holds(
        json!({"field": "contact.attributes.renewal", "op": "within_next_days", "value": 5}),
        "C-1"
    ));
    assert!(holds(
        json!({"field": "contact.created_at", "op": "lt", "value": "2025-01-01"}),
        "C-1"
    ));
}

#[test]
fn all_any_not_combine() {
    let vip = json!({"field": "contact.tags", "op": "has", "value": "vip"});
    let old = json!({"field": "contact.age", "op": "gt", "value": 60});
    assert!(!holds(json!({"all": [vip, old]}), "C-1"));
    assert!(holds(json!({"any": [vip, old]}), "C-1"));
    assert!(holds(json!({"all": [vip, {"not": old}]}), "C-1"));
    assert!(holds(json!({"all": []}), "C-1"));
    assert!(!holds(json!({"any": []}), "C-1"));
}

#[test]
fn score_conditions_read_the_event() {
    let set = one_rule(
        json!({"id": "hot", "trigger": {"type": "score_crossed", "threshold": 50},
        "when": {"field": "event.new_score", "op": "ge", "value": 80}, "enrollment": "every_time",
        "then": [{"type": "adjust_score", "points": "-5"}]}),
    );
    let at = "2026-05-01T08:00:00Z";
    let warm = event(
        json!({"id": "E1", "type": "score_changed", "at": at, "contact": "C-1", "old_score": 40, "new_score": 60}),
    );
    let hot = event(
        json!({"id": "E2", "type": "score_changed", "at": at, "contact": "C-1", "old_score": 40, "new_score": 85}),
    );
    assert!(run(&set, &warm).actions.is_empty());
    let out = run(&set, &hot);
    assert!(
        matches!(&out.actions[0].effect, Effect::AdjustScore { points, .. } if points.to_string() == "-5")
    );
}

#[test]
fn branches_take_the_first_that_holds_and_else_otherwise() {
    let set = one_rule(
        json!({"id": "tier", "trigger": {"type": "deal_created"}, "enrollment": "every_time",
        "branches": [
            {"if": {"field": "deal.value", "op": "ge", "value": money("1000", "USD")}, "then": [{"type": "add_tag", "tag": "large"}]},
            {"if": {"field": "deal.value", "op": "ge", "value": money("100", "USD")}, "then": [{"type": "add_tag", "tag": "medium"}]}],
        "else": [{"type": "add_tag", "tag": "small"}]}),
    );
    let tag = |amount: &str| {
        let ev = event(
            json!({"id": "E", "type": "deal_created", "at": "2026-05-01T08:00:00Z",
                              "deal": "D-1", "value": money(amount, "USD")}),
        );
        let out = run(&set, &ev);
        match &out.actions[0].effect {
            Effect::AddTag { tag, target } => {
                assert_eq!(target, "deal:D-1");
                (tag.clone(), out.actions[0].branch.clone())
            }
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(tag("5000"), ("large".into(), "if[0]".into()));
    assert_eq!(tag("100.00"), ("medium".into(), "if[1]".into()));
    assert_eq!(tag("99.99"), ("small".into(), "else".into()));
}

#[test]
fn load_errors_name_the_json_path_and_what_was_expected() {
    let err = load_err(json!({"rules": [
        {"id": "ok", "trigger": {"type": "deal_created"}, "then": [{"type": "add_tag", "tag": "x"}]},
        {"id": "bad", "trigger": {"type": "deal_created"}, "branches": [
            {"if": {"field": "deal.value", "op": "gt", "value": 500}, "then": [{"type": "add_tag", "tag": "x"}]}]}]}));
    assert_eq!(err.path(), Some("rules[1].branches[0].if.value"));
    assert!(err.message().contains("expected money"), "{err}");

    let err = load_err(
        json!({"rules": [{"id": "r", "trigger": {"type": "deal_created"},
        "when": {"field": "deal.colour", "op": "eq", "value": "red"}, "then": [{"type": "add_tag", "tag": "x"}]}]}),
    );
    assert_eq!(err.path(), Some("rules[0].when.field"));

    let err = load_err(
        json!({"rules": [{"id": "r", "trigger": {"type": "deal_created"},
        "when": {"field": "contact.name", "op": "gt", "value": "a"}, "then": [{"type": "add_tag", "tag": "x"}]}]}),
    );
    assert_eq!(err.path(), Some("rules[0].when.op"));

    let err = load_err(
        json!({"rules": [{"id": "r", "trigger": {"type": "deal_created"},
        "when": {"all": [{"field": "contact.tags", "op": "has", "value": 3}]}, "then": [{"type": "add_tag", "tag": "x"}]}]}),
    );
    assert_eq!(err.path(), Some("rules[0].when.all[0].value"));

    let err = load_err(
        json!({"rules": [{"id": "r", "trigger": {"type": "deal_created"}, "then": [{"type": "teleport"}]}]}),
    );
    assert_eq!(err.kind(), ErrorKind::Json);
    assert!(
        err.path()
            .is_some_and(|p| p.starts_with("rules[0].then[0]")),
        "{err}"
    );

    let err = load_err(json!({"rules": [
        {"id": "same", "trigger": {"type": "deal_created"}, "then": [{"type": "add_tag", "tag": "x"}]},
        {"id": "same", "trigger": {"type": "deal_won"}, "then": [{"type": "add_tag", "tag": "x"}]}]}));
    assert_eq!(err.path(), Some("rules[1].id"));

    let err = load_err(json!({"rules": [{"id": "r", "trigger": {"type": "deal_created"}}]}));
    assert_eq!(err.path(), Some("rules[0]"));
    let err = load_err(
        json!({"rules": [{"id": "r", "trigger": {"type": "deal_created"},
        "then": [{"type": "create_task", "task": "call", "title": "Call {{contact.shoe}}"}]}]}),
    );
    assert_eq!(err.path(), Some("rules[0].then[0].title"));
    let err = load_err(
        json!({"rules": [{"id": "r", "trigger": {"type": "deal_created"},
        "when": {"field": "deal.value", "op": "between", "value": [money("9", "USD"), money("1", "USD")]},
        "then": [{"type": "add_tag", "tag": "x"}]}]}),
    );
    assert!(err.message().contains("empty range"), "{err}");
    let err = load_err(
        json!({"rules": [{"id": "r", "trigger": {"type": "date", "field": "contact.name", "anniversary": true},
        "then": [{"type": "add_tag", "tag": "x"}]}]}),
    );
    assert_eq!(err.path(), Some("rules[0].trigger.field"));
}

// ----------------------------------------------------------------- actions

#[test]
fn every_action_type_resolves_for_the_event() {
    let set = one_rule(
        json!({"id": "all", "trigger": {"type": "ticket_closed"}, "then": [
        {"type": "create_task", "task": "meeting", "title": "Meet {{contact.name}}", "assignee": {"rep": "R-2"}, "due_in_days": 3},
        {"type": "enroll_in_campaign", "campaign": "nurture"},
        {"type": "remove_from_campaign", "campaign": "welcome"},
        {"type": "send_email", "template": "t", "subject": "Hi {{contact.name}}", "fields": {"company": "company.name", "priority": "ticket.priority"}},
        {"type": "issue_discount", "percent": 10, "prefix": "SAVE", "valid_days": 7},
        {"type": "add_tag", "tag": "helped"},
        {"type": "remove_tag", "tag": "angry"},
        {"type": "set_lifecycle_stage", "stage": "customer"},
        {"type": "move_deal_stage", "stage": "won"},
        {"type": "adjust_score", "points": 5},
        {"type": "request_feedback", "survey": "csat"},
        {"type": "notify", "user": "owner", "message": "{{contact.name}}'s ticket is closed"}]}),
    );
    let ev = event(
        json!({"id": "E-9", "type": "ticket_closed", "at": "2026-05-01T08:00:00Z", "ticket": "T-1"}),
    );
    let out = run(&set, &ev);
    let json = serde_json::to_value(&out.actions).expect("actions serialise");
    let types: Vec<&str> = json
        .as_array()
        .expect("list")
        .iter()
        .map(|a| a["type"].as_str().expect("type"))
        .collect();
    assert_eq!(
        types,
        [
            "create_task",
            "enroll_in_campaign",
            "remove_from_campaign",
            "send_email",
            "issue_discount",
            "add_tag",
            "remove_tag",
            "set_lifecycle_stage",
            "move_deal_stage",
            "adjust_score",
            "request_feedback",
            "notify"
        ]
    );
    assert_eq!(json[0]["id"], "all/then/ticket:T-1/E-9/0");
    assert_eq!(json[0]["assignee"], "R-2");
    assert_eq!(json[0]["assigned_by"], "rep");
    assert_eq!(json[0]["due"], "2026-05-04T08:00:00Z");
    assert_eq!(
        json[0]["contact"], "C-1",
        "the contact comes from the ticket"
    );
    assert_eq!(json[1]["contact"], "C-1");
    assert_eq!(json[3]["subject"], "Hi Ada");
    assert_eq!(json[3]["to"], "ada@example.com");
    assert_eq!(
        json[3]["personalisation"],
        json!({"company": "Acme", "priority": "high"})
    );
    assert!(json[4]["code"].as_str().expect("code").starts_with("SAVE-"));
    assert_eq!(json[4]["expires"], "2026-05-08T08:00:00Z");
    assert_eq!(json[5]["target"], "contact:C-1");
    assert_eq!(json[10]["ticket"], "T-1");
    assert_eq!(json[11]["user"], "R-1", "the contact's owner");
    assert_eq!(json[11]["message"], "Ada's ticket is closed");
}

#[test]
fn action_ids_and_discount_codes_are_deterministic() {
    let set = one_rule(
        json!({"id": "reward", "trigger": {"type": "purchase_made", "count": "repeat"},
        "enrollment": "every_time", "then": [{"type": "issue_discount", "percent": 10, "prefix": "THANKS"}]}),
    );
    let mk = |id: &str| {
        event(
            json!({"id": id, "type": "purchase_made", "at": "2026-05-01T08:00:00Z", "contact": "C-1", "purchase_number": 2}),
        )
    };
    let a = run(&set, &mk("P-1"));
    let b = run(&set, &mk("P-1"));
    let c = run(&set, &mk("P-2"));
    assert_eq!(a, b);
    assert_eq!(a.actions[0].id, "reward/then/contact:C-1/P-1/0");
    let code = |e: &Evaluation| match &e.actions[0].effect {
        Effect::IssueDiscount { code, .. } => code.clone(),
        other => panic!("{other:?}"),
    };
    assert_ne!(code(&a), code(&c), "another event, another code");
}

#[test]
fn round_robin_rotates_through_active_team_members_via_the_state() {
    let set = one_rule(
        json!({"id": "rr", "trigger": {"type": "form_submitted"}, "enrollment": "every_time",
        "then": [{"type": "create_task", "task": "call", "title": "t", "assignee": {"round_robin": "east"}}]}),
    );
    let mut state = EnrollmentState::default();
    let mut picks = Vec::new();
    for i in 0..4 {
        let ev = event(
            json!({"id": format!("E{i}"), "type": "form_submitted", "at": format!("2026-05-01T08:0{i}:00Z"), "contact": "C-1"}),
        );
        let out = set
            .evaluate(&ev, &snapshot(), &state, as_of())
            .expect("evaluates");
        state = out.state;
        match &out.actions[0].effect {
            Effect::CreateTask { assignee, .. } => {
                picks.push(assignee.clone().expect("assigned").to_string())
            }
            other => panic!("{other:?}"),
        }
    }
    // R-3 is inactive.
    assert_eq!(picks, ["R-1", "R-2", "R-1", "R-2"]);
    assert_eq!(state.round_robin.get("east"), Some(&4));
}

#[test]
fn least_loaded_and_territory_distribution() {
    // R-1 has one open task, R-2 none.
    let set = one_rule(
        json!({"id": "ll", "trigger": {"type": "form_submitted"}, "enrollment": "every_time",
        "then": [
            {"type": "create_task", "task": "call", "title": "a", "assignee": {"least_loaded": "east"}},
            {"type": "create_task", "task": "call", "title": "b", "assignee": {"least_loaded": "east"}},
            {"type": "create_task", "task": "call", "title": "c", "assignee": {"least_loaded": "east"}},
            {"type": "create_task", "task": "email", "title": "d", "assignee": "territory"},
            {"type": "create_task", "task": "email", "title": "e", "assignee": {"round_robin": "nobody"}}]}),
    );
    let ev = event(
        json!({"id": "E", "type": "form_submitted", "at": "2026-05-01T08:00:00Z", "contact": "C-1"}),
    );
    let out = run(&set, &ev);
    let who: Vec<(Option<String>, Assignment)> = out
        .actions
        .iter()
        .map(|a| match &a.effect {
            Effect::CreateTask {
                assignee,
                assigned_by,
                ..
            } => (assignee.as_ref().map(|r| r.to_string()), *assigned_by),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(who[0], (Some("R-2".into()), Assignment::LeastLoaded));
    // R-1 and R-2 now have one task each: the smaller id wins the tie.
    assert_eq!(who[1], (Some("R-1".into()), Assignment::LeastLoaded));
    assert_eq!(who[2], (Some("R-2".into()), Assignment::LeastLoaded));
    // C-1 is in territory "south", covered by R-2 only.
    assert_eq!(who[3], (Some("R-2".into()), Assignment::Territory));
    assert_eq!(who[4], (None, Assignment::Unassigned));
}

// ---------------------------------------------------------------- policies

fn two_rules(policy: &str) -> RuleSet {
    rules(json!({"hit_policy": policy, "rules": [
        {"id": "low", "priority": 1, "trigger": {"type": "form_submitted"}, "enrollment": "every_time", "then": [{"type": "add_tag", "tag": "low"}]},
        {"id": "high", "priority": 5, "trigger": {"type": "form_submitted", "form": "demo"}, "enrollment": "every_time", "then": [{"type": "add_tag", "tag": "high"}]},
        {"id": "off", "priority": 9, "enabled": false, "trigger": {"type": "form_submitted"}, "then": [{"type": "add_tag", "tag": "off"}]}]}))
}

#[test]
fn first_match_acts_with_the_highest_priority_rule_only() {
    let ev = event(
        json!({"id": "E", "type": "form_submitted", "at": "2026-05-01T08:00:00Z", "contact": "C-1", "form": "demo"}),
    );
    assert_eq!(fired(&two_rules("first"), &ev), ["high"]);
    let other = event(
        json!({"id": "E", "type": "form_submitted", "at": "2026-05-01T08:00:00Z", "contact": "C-1", "form": "other"}),
    );
    assert_eq!(fired(&two_rules("first"), &other), ["low"]);
}

#[test]
fn all_matches_act_in_priority_order() {
    let ev = event(
        json!({"id": "E", "type": "form_submitted", "at": "2026-05-01T08:00:00Z", "contact": "C-1", "form": "demo"}),
    );
    assert_eq!(fired(&two_rules("all"), &ev), ["high", "low"]);
}

fn policy_rule(policy: Value) -> RuleSet {
    one_rule(
        json!({"id": "p", "trigger": {"type": "form_submitted"}, "enrollment": policy,
        "when": {"field": "event.form", "op": "eq", "value": "demo"},
        "then": [{"type": "add_tag", "tag": "x"}]}),
    )
}

/// Feeds (id, time, form) events in order, threading the state; returns
/// which of them acted.
fn feed(set: &RuleSet, events: &[(&str, &str, &str)]) -> Vec<bool> {
    let mut state = EnrollmentState::default();
    events
        .iter()
        .map(|(id, at, form)| {
            let ev = event(json!({"id": id, "type": "form_submitted", "at": at, "contact": "C-1", "form": form}));
            let out = set.evaluate(&ev, &snapshot(), &state, ev.at).expect("evaluates");
            state = out.state;
            !out.actions.is_empty()
        })
        .collect()
}

#[test]
fn enrollment_once_acts_once_per_record() {
    let got = feed(
        &policy_rule(json!("once")),
        &[
            ("E1", "2026-01-01T00:00:00Z", "demo"),
            ("E2", "2026-02-01T00:00:00Z", "demo"),
            ("E3", "2027-02-01T00:00:00Z", "demo"),
        ],
    );
    assert_eq!(got, [true, false, false]);
}

#[test]
fn enrollment_again_after_days_waits_that_long() {
    let got = feed(
        &policy_rule(json!({"again_after_days": 30})),
        &[
            ("E1", "2026-01-01T00:00:00Z", "demo"),
            ("E2", "2026-01-30T23:59:59Z", "demo"),
            ("E3", "2026-01-31T00:00:00Z", "demo"),
            ("E4", "2026-02-01T00:00:00Z", "demo"),
        ],
    );
    assert_eq!(got, [true, false, true, false]);
}

#[test]
fn enrollment_on_transition_needs_a_non_match_in_between() {
    let got = feed(
        &policy_rule(json!("on_transition")),
        &[
            ("E1", "2026-01-01T00:00:00Z", "demo"),
            ("E2", "2026-01-02T00:00:00Z", "demo"),
            ("E3", "2026-01-03T00:00:00Z", "other"),
            ("E4", "2026-01-04T00:00:00Z", "demo"),
        ],
    );
    assert_eq!(got, [true, false, false, true]);
}

#[test]
fn enrollment_every_time_acts_on_each_new_event() {
    let got = feed(
        &policy_rule(json!("every_time")),
        &[
            ("E1", "2026-01-01T00:00:00Z", "demo"),
            ("E2", "2026-01-01T00:00:00Z", "demo"),
            ("E3", "2026-01-02T00:00:00Z", "demo"),
        ],
    );
    assert_eq!(got, [true, true, true]);
}

#[test]
fn replaying_an_event_never_doubles_an_action() {
    for policy in [
        json!("once"),
        json!("every_time"),
        json!("on_transition"),
        json!({"again_after_days": 1}),
    ] {
        let set = policy_rule(policy.clone());
        let got = feed(
            &set,
            &[
                ("E1", "2026-01-01T00:00:00Z", "demo"),
                ("E1", "2026-01-01T00:00:00Z", "demo"),
                ("E2", "2026-01-05T00:00:00Z", "other"),
                ("E1", "2026-01-01T00:00:00Z", "demo"),
            ],
        );
        assert_eq!(got, [true, false, false, false], "policy {policy}");
    }
    // The replay is reported as such.
    let set = policy_rule(json!("every_time"));
    let ev = event(
        json!({"id": "E1", "type": "form_submitted", "at": "2026-01-01T00:00:00Z", "contact": "C-1", "form": "demo"}),
    );
    let first = set
        .evaluate(&ev, &snapshot(), &EnrollmentState::default(), ev.at)
        .expect("ok");
    let again = set
        .evaluate(&ev, &snapshot(), &first.state, ev.at)
        .expect("ok");
    assert_eq!(again.matches[0].outcome, MatchOutcome::Replay);
    assert_eq!(again.state, first.state);
}

#[test]
fn enrollment_state_round_trips_through_json() {
    let set = policy_rule(json!("on_transition"));
    let ev = event(
        json!({"id": "E1", "type": "form_submitted", "at": "2026-01-01T00:00:00Z", "contact": "C-1", "form": "demo"}),
    );
    let out = set
        .evaluate(&ev, &snapshot(), &EnrollmentState::default(), ev.at)
        .expect("ok");
    let json = out.state.to_json().expect("serialises");
    assert_eq!(
        EnrollmentState::from_json(&json).expect("parses"),
        out.state
    );
    assert_eq!(
        EnrollmentState::from_json("").expect("empty"),
        EnrollmentState::default()
    );
    assert!(json.contains("contact:C-1"), "{json}");
    assert!(EnrollmentState::from_json(r#"{"entities": 3}"#).is_err());
}

// ---------------------------------------------------------------- cascades

fn cascade_set(depth: u32) -> RuleSet {
    rules(json!({"max_cascade_depth": depth, "rules": [
        {"id": "convert", "trigger": {"type": "deal_won"}, "then": [{"type": "set_lifecycle_stage", "stage": "customer"}]},
        {"id": "welcome-customer", "trigger": {"type": "lifecycle_stage_changed", "to": "customer"},
         "then": [{"type": "move_deal_stage", "stage": "won"}, {"type": "send_email", "template": "welcome-customer"}]},
        {"id": "celebrate", "trigger": {"type": "deal_stage_changed", "to": "won"}, "then": [{"type": "notify", "message": "won"}]}]}))
}

#[test]
fn cascades_follow_implied_events_up_to_the_configured_depth() {
    let ev =
        event(json!({"id": "W", "type": "deal_won", "at": "2026-05-01T08:00:00Z", "deal": "D-1"}));
    let rules_fired = |depth| {
        run(&cascade_set(depth), &ev)
            .actions
            .iter()
            .map(|a| (a.rule.to_string(), a.depth))
            .collect::<Vec<_>>()
    };
    assert_eq!(rules_fired(0), [("convert".to_string(), 0)]);
    assert_eq!(
        rules_fired(1),
        [
            ("convert".to_string(), 0),
            ("welcome-customer".into(), 1),
            ("welcome-customer".into(), 1)
        ]
    );
    assert_eq!(
        rules_fired(2),
        [
            ("convert".to_string(), 0),
            ("welcome-customer".into(), 1),
            ("welcome-customer".into(), 1),
            ("celebrate".into(), 2)
        ]
    );
    // The implied event's id is the id of the action that implied it.
    let out = run(&cascade_set(1), &ev);
    assert_eq!(out.actions[1].event, out.actions[0].id);
}

#[test]
fn cascade_cycles_are_refused_at_load() {
    let err = load_err(json!({"max_cascade_depth": 3, "rules": [
        {"id": "a", "trigger": {"type": "lifecycle_stage_changed", "to": "sql"}, "then": [{"type": "set_lifecycle_stage", "stage": "mql"}]},
        {"id": "b", "trigger": {"type": "lifecycle_stage_changed", "to": "mql"}, "then": [{"type": "set_lifecycle_stage", "stage": "sql"}]}]}));
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(
        err.message().contains("cascade cycle: a -> b -> a"),
        "{err}"
    );
    let err = load_err(json!({"max_cascade_depth": 1, "rules": [
        {"id": "self", "trigger": {"type": "contact_updated"}, "then": [{"type": "add_tag", "tag": "touched"}]}]}));
    assert!(err.message().contains("self -> self"), "{err}");
    // Without cascades the same rules are fine.
    rules(json!({"rules": [
        {"id": "self", "trigger": {"type": "contact_updated"}, "then": [{"type": "add_tag", "tag": "touched"}]}]}));
    let err = load_err(json!({"max_cascade_depth": 99, "rules": []}));
    assert_eq!(err.path(), Some("max_cascade_depth"));
}

// ------------------------------------------------------- time and dry runs

#[test]
fn tick_fires_date_triggers_on_their_day_once() {
    let set = rules(json!({"rules": [
        {"id": "anniv", "trigger": {"type": "date", "field": "contact.created_at", "anniversary": true}, "enrollment": "every_time",
         "then": [{"type": "send_email", "template": "anniversary"}]},
        {"id": "two-years", "trigger": {"type": "date", "field": "contact.created_at", "milestone_years": [1, 2]},
         "enrollment": "every_time", "then": [{"type": "issue_discount", "percent": 15, "prefix": "TWO"}]},
        {"id": "pre-renewal", "trigger": {"type": "date", "field": "contact.attributes.renewal", "offset_days": -7},
         "then": [{"type": "create_task", "task": "call", "title": "renewal"}]}]}));
    // C-1 was created on 2024-05-01 (second anniversary 2026-05-01); its renewal is on 2026-05-08.
    let out = set
        .tick(&snapshot(), &EnrollmentState::default(), as_of())
        .expect("tick");
    let got: Vec<&str> = out.actions.iter().map(|a| &*a.rule).collect();
    assert_eq!(got, ["pre-renewal", "anniv", "two-years"]);
    assert!(out.actions.iter().all(|a| a.entity == "contact:C-1"));
    // Ticking again the same day fires nothing new.
    let again = set
        .tick(
            &snapshot(),
            &out.state,
            as_of() + chrono::TimeDelta::hours(3),
        )
        .expect("tick");
    assert!(again.actions.is_empty(), "{:?}", again.actions);
    // The next day is past the catch-up window of one day.
    let next_day = set
        .tick(
            &snapshot(),
            &EnrollmentState::default(),
            ts("2026-05-02T09:00:00Z"),
        )
        .expect("tick");
    assert!(next_day.actions.is_empty());
}

#[test]
fn tick_finds_deals_and_leads_stuck_in_a_stage() {
    let set = rules(json!({"rules": [
        {"id": "deal-26", "trigger": {"type": "stuck", "entity": "deal", "days": 26}, "enrollment": "every_time",
         "then": [{"type": "create_task", "task": "call", "title": "{{deal.name}} stuck {{event.days}} days in {{deal.stage}}"}]},
        {"id": "deal-27", "trigger": {"type": "stuck", "entity": "deal", "days": 27, "stage": "proposal"}, "enrollment": "every_time",
         "then": [{"type": "notify", "message": "x"}]},
        {"id": "lead-30", "trigger": {"type": "stuck", "entity": "lead", "days": 30, "stage": "mql"},
         "then": [{"type": "adjust_score", "points": -10}]}]}));
    // D-1 entered proposal on 2026-04-05 (26 days before as_of); D-2 is 6 days
    // in "new"; C-1 became an MQL on 2026-04-01 (30 days).
    let out = set
        .tick(&snapshot(), &EnrollmentState::default(), as_of())
        .expect("tick");
    let got: Vec<(&str, &str)> = out
        .actions
        .iter()
        .map(|a| (&*a.rule, a.entity.as_str()))
        .collect();
    // Both came due at 2026-05-01T00:00; equal times are ordered by event id.
    assert_eq!(got, [("deal-26", "deal:D-1"), ("lead-30", "contact:C-1")]);
    match &out.actions[0].effect {
        Effect::CreateTask {
            title, assignee, ..
        } => {
            assert_eq!(title, "Starter stuck 26 days in proposal");
            assert_eq!(assignee.as_ref().map(|r| r.as_str()), Some("R-2"));
        }
        other => panic!("{other:?}"),
    }
    let later = set
        .tick(&snapshot(), &out.state, ts("2026-05-03T09:00:00Z"))
        .expect("tick");
    let got: Vec<&str> = later.actions.iter().map(|a| &*a.rule).collect();
    assert_eq!(
        got,
        ["deal-27"],
        "the 26-day trigger already fired for this stay"
    );
}

#[test]
fn dry_run_reports_per_rule_counts() {
    let set = RuleSet::compile(presets::routing_rule_set(
        &RoutingConfig::usd_500(Boundary::Unrouted).expect("config"),
    ))
    .expect("compiles");
    let mk = |id: &str, deal: &str, amount: &str| {
        event(
            json!({"id": id, "type": "deal_created", "at": "2026-05-01T08:00:00Z", "deal": deal, "value": money(amount, "USD")}),
        )
    };
    let events = vec![
        mk("E1", "D-1", "700"),
        mk("E2", "D-1", "800"),
        mk("E3", "D-3", "100"),
        mk("E4", "D-4", "500.00"),
        mk("E5", "D-2", "450"),
    ];
    let mut bad = mk("E6", "D-5", "1");
    bad.value = Some(crmkit::money::Money::parse("1", "EUR".parse().expect("eur")).expect("money"));
    let mut events = events;
    events.push(bad);
    // The deals the events name must be in the snapshot (an unknown deal is
    // `NotFound`): D-3 to D-5 join the test snapshot here.
    let mut doc: Value = serde_json::from_str(SNAPSHOT).expect("snapshot json");
    for id in ["D-3", "D-4", "D-5"] {
        doc["deals"]
            .as_array_mut()
            .expect("deals")
            .push(json!({"id": id, "name": id,
            "contact": "C-1", "pipeline": "sales", "stage": "new",
            "value": {"amount": "1.00", "currency": "USD"}, "created_at": "2026-04-01T00:00:00Z"}));
    }
    let snapshot = Dataset::from_json(&doc.to_string()).expect("snapshot with more deals");
    let report = set
        .dry_run(&snapshot, &events, &EnrollmentState::default())
        .expect("dry run");
    assert_eq!(report.events, 6);
    let r = &report.rules[0];
    assert_eq!((r.matched, r.fired, r.suppressed), (4, 3, 1), "{r:?}");
    assert_eq!(r.actions.get("create_task"), Some(&1));
    assert_eq!(r.actions.get("enroll_in_campaign"), Some(&2));
    assert_eq!(r.branches.get("if[0]"), Some(&2));
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].event, "E6");
}

#[test]
fn the_compiled_rule_set_is_send_and_sync() {
    fn shareable<T: Send + Sync>() {}
    shareable::<RuleSet>();
}

#[test]
fn presets_compile_and_do_what_they_say() {
    let set =
        RuleSet::compile(presets::standard(Boundary::Call).expect("presets")).expect("compiles");
    assert_eq!(set.len(), 7);
    let at = "2026-05-01T08:00:00Z";
    let cases = [
        (
            json!({"id": "P", "type": "purchase_made", "at": at, "contact": "C-1", "purchase_number": 2, "value": money("20", "USD")}),
            vec![
                "repeat-purchase-discount",
                "repeat-purchase-discount",
                "post-purchase-email",
            ],
        ),
        (
            json!({"id": "P", "type": "purchase_made", "at": at, "contact": "C-1", "purchase_number": 1}),
            vec!["post-purchase-email"],
        ),
        (
            json!({"id": "T", "type": "ticket_closed", "at": at, "ticket": "T-1"}),
            vec!["ticket-feedback"],
        ),
        (
            json!({"id": "N", "type": "contact_created", "at": at, "contact": "C-2"}),
            vec!["welcome-series", "welcome-series"],
        ),
        (
            json!({"id": "N", "type": "contact_created", "at": at, "contact": "C-1"}),
            vec![],
        ),
    ];
    for (ev, want) in cases {
        assert_eq!(fired(&set, &event(ev.clone())), want, "{ev}");
    }
    let ev = event(
        json!({"id": "P", "type": "purchase_made", "at": at, "contact": "C-1", "purchase_number": 2, "value": money("20", "USD")}),
    );
    let out = run(&set, &ev);
    let email = out
        .actions
        .iter()
        .find(|a| &*a.rule == "post-purchase-email")
        .expect("email");
    match &email.effect {
        Effect::SendEmail {
            personalisation, ..
        } => {
            assert_eq!(
                personalisation.get("amount").map(String::as_str),
                Some("20 USD")
            );
            assert_eq!(
                personalisation.get("first_name").map(String::as_str),
                Some("Ada")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn rule_set_documents_round_trip_through_json() {
    let doc = presets::standard(Boundary::Nurture).expect("presets");
    let json = serde_json::to_string(&doc).expect("serialises");
    let again = RuleSet::from_json(&json).expect("loads");
    assert_eq!(again.doc(), &doc);
    assert!(
        json.contains(r#""op":"le""#),
        "the nurture boundary is explicit: {json}"
    );
}

// ------------------------------------------------ index and ids (speed work)

#[test]
fn narrowed_and_unnarrowed_rules_interleave_by_priority() {
    // Priorities alternate between rules that hear every form and rules
    // narrowed to "demo", so the precomputed candidate lists must merge them.
    let set = rules(json!({"hit_policy": "all", "rules": [
        {"id": "any-1", "priority": 1, "trigger": {"type": "form_submitted"}, "enrollment": "every_time", "then": [{"type": "add_tag", "tag": "a"}]},
        {"id": "demo-4", "priority": 4, "trigger": {"type": "form_submitted", "form": "demo"}, "enrollment": "every_time", "then": [{"type": "add_tag", "tag": "a"}]},
        {"id": "any-3", "priority": 3, "trigger": {"type": "form_submitted"}, "enrollment": "every_time", "then": [{"type": "add_tag", "tag": "a"}]},
        {"id": "demo-2", "priority": 2, "trigger": {"type": "form_submitted", "form": "demo"}, "enrollment": "every_time", "then": [{"type": "add_tag", "tag": "a"}]},
        {"id": "other-5", "priority": 5, "trigger": {"type": "form_submitted", "form": "other"}, "enrollment": "every_time", "then": [{"type": "add_tag", "tag": "a"}]},
        {"id": "any-3b", "priority": 3, "trigger": {"type": "form_submitted"}, "enrollment": "every_time", "then": [{"type": "add_tag", "tag": "a"}]}]}));
    let demo = event(
        json!({"id": "E-1", "type": "form_submitted", "at": "2026-04-30T10:00:00Z",
                            "contact": "C-1", "form": "demo"}),
    );
    assert_eq!(
        fired(&set, &demo),
        ["demo-4", "any-3", "any-3b", "demo-2", "any-1"]
    );
    let unknown = event(
        json!({"id": "E-2", "type": "form_submitted", "at": "2026-04-30T10:00:00Z",
                               "contact": "C-1", "form": "nobody-narrows-to-this"}),
    );
    assert_eq!(fired(&set, &unknown), ["any-3", "any-3b", "any-1"]);
    let decided: Vec<&str> = set
        .decide(&demo, &snapshot(), &EnrollmentState::default(), as_of())
        .expect("decides")
        .iter()
        .map(|d| d.rule)
        .collect();
    assert_eq!(decided, ["demo-4", "any-3", "any-3b", "demo-2", "any-1"]);
}

#[test]
fn action_ids_carry_multi_digit_indexes() {
    let then: Vec<Value> = (0..12)
        .map(|i| json!({"type": "add_tag", "tag": format!("t{i}")}))
        .collect();
    let set = one_rule(json!({"id": "many", "trigger": {"type": "form_submitted"}, "then": then}));
    let ev = event(
        json!({"id": "E-9", "type": "form_submitted", "at": "2026-04-30T10:00:00Z",
                          "contact": "C-1", "form": "demo"}),
    );
    let ids: Vec<String> = run(&set, &ev)
        .actions
        .iter()
        .map(|a| a.id.clone())
        .collect();
    let expected: Vec<String> = (0..12)
        .map(|i| format!("many/then/contact:C-1/E-9/{i}"))
        .collect();
    assert_eq!(ids, expected);
}
