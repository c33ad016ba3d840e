//! Journey definitions: every load-time validation error, with its JSON path.

use crmkit::ErrorKind;
use crmkit::journeys::Journey;
use serde_json::{Value, json};

fn journey(steps: Value) -> Value {
    json!({"id": "j", "start": "a",
           "entry": {"triggers": [{"type": "contact_created"}]},
           "steps": steps})
}

fn refused(doc: Value) -> crmkit::Error {
    match Journey::from_json(&doc.to_string()) {
        Ok(_) => panic!("journey must be refused: {doc}"),
        Err(e) => e,
    }
}

fn email(id: &str, template: &str, next: &str) -> Value {
    json!({"id": id, "type": "action", "action": {"type": "send_email", "template": template}, "next": next})
}

#[test]
fn a_valid_journey_with_every_step_kind_loads() {
    let doc = journey(json!([
        email("a", "w1", "w"),
        {"id": "w", "type": "wait", "business_days": 2, "at": "09:00", "next": "u"},
        {"id": "u", "type": "wait_until", "condition": {"field": "contact.tags", "op": "has", "value": "engaged"},
         "timeout": {"days": 7}, "met": "e", "timed_out": "e"},
        {"id": "e", "type": "wait_for_event", "event": {"type": "email_opened", "email": "w1"},
         "timeout": {"hours": 48}, "met": "i", "timed_out": "i"},
        {"id": "i", "type": "if", "condition": {"field": "contact.country", "op": "eq", "value": "DE"},
         "then": "s", "else": "s"},
        {"id": "s", "type": "split", "arms": [{"id": "A", "weight": 50, "next": "g"}, {"id": "B", "weight": 50, "next": "x"}]},
        {"id": "x", "type": "start_journey", "journey": "other", "next": "j2"},
        {"id": "j2", "type": "jump", "to": "g"},
        {"id": "g", "type": "goal", "event": {"type": "purchase_made"}, "next": "end"},
        {"id": "end", "type": "end"}
    ]));
    let j = Journey::from_json(&doc.to_string()).expect("loads");
    assert_eq!(j.step_ids().count(), 10);
    assert_eq!(j.goal_ids().collect::<Vec<_>>(), vec!["g"]);
    fn send_sync<T: Send + Sync>(_: &T) {}
    send_sync(&j);
}

#[test]
fn an_unknown_step_id_is_named_with_its_path() {
    let e = refused(journey(
        json!([email("a", "w1", "nowhere"), {"id": "z", "type": "end"}]),
    ));
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert_eq!(e.path(), Some("steps[0].next"));
    assert!(e.message().contains("unknown step id \"nowhere\""), "{e}");
    let e = refused(
        json!({"id": "j", "start": "missing", "entry": {"triggers": [{"type": "contact_created"}]},
                           "steps": [{"id": "a", "type": "end"}]}),
    );
    assert_eq!(e.path(), Some("start"));
}

#[test]
fn a_duplicate_step_id_is_refused() {
    let e = refused(journey(
        json!([email("a", "w1", "b"), {"id": "a", "type": "end"}]),
    ));
    assert_eq!(e.path(), Some("steps[1].id"));
    assert!(e.message().contains("duplicate step id"), "{e}");
}

#[test]
fn a_step_that_cannot_be_reached_is_refused() {
    let e = refused(journey(json!([
        email("a", "w1", "end"),
        email("orphan", "w2", "end"),
        {"id": "end", "type": "end"}])));
    assert_eq!(e.path(), Some("steps[1]"));
    assert!(e.message().contains("\"orphan\" cannot be reached"), "{e}");
}

#[test]
fn a_dead_end_is_refused() {
    let e = refused(journey(json!([
        {"id": "a", "type": "action", "action": {"type": "add_tag", "tag": "x"}}])));
    assert_eq!(e.path(), Some("steps[0].next"));
    assert!(e.message().starts_with("dead end"), "{e}");
    let e = refused(journey(json!([
        {"id": "a", "type": "wait_for_event", "event": {"type": "form_submitted"}, "timeout": {"days": 1}, "met": "b"},
        {"id": "b", "type": "end"}])));
    assert_eq!(e.path(), Some("steps[0].timed_out"));
}

#[test]
fn a_cycle_without_a_wait_is_refused_and_one_with_a_wait_is_not() {
    let e = refused(journey(json!([
        email("a", "w1", "b"),
        {"id": "b", "type": "if", "condition": {"field": "contact.country", "op": "eq", "value": "DE"},
         "then": "a", "else": "c"},
        {"id": "c", "type": "end"}])));
    assert!(e.message().contains("cycle without a wait"), "{e}");
    assert!(e.message().contains("a -> b -> a"), "{e}");
    let ok = journey(json!([
        email("a", "w1", "w"),
        {"id": "w", "type": "wait", "days": 7, "next": "b"},
        {"id": "b", "type": "if", "condition": {"field": "contact.country", "op": "eq", "value": "DE"},
         "then": "a", "else": "c"},
        {"id": "c", "type": "end"}]));
    assert!(Journey::from_json(&ok.to_string()).is_ok());
}

#[test]
fn waiting_for_an_email_the_journey_never_sends_is_refused() {
    let e = refused(journey(json!([
        email("a", "welcome-1", "e"),
        {"id": "e", "type": "wait_for_event", "event": {"type": "email_opened", "email": "welcome-2"},
         "timeout": {"days": 3}, "met": "end", "timed_out": "end"},
        {"id": "end", "type": "end"}])));
    assert_eq!(e.path(), Some("steps[1].event.email"));
    assert!(e.message().contains("welcome-2"), "{e}");
    assert!(e.message().contains("templates sent: welcome-1"), "{e}");
    let e = refused(journey(json!([
        {"id": "a", "type": "wait_for_event", "event": {"type": "stuck", "entity": "deal", "days": 3},
         "timeout": {"days": 3}, "met": "end", "timed_out": "end"},
        {"id": "end", "type": "end"}])));
    assert_eq!(e.path(), Some("steps[0].event.type"));
}

#[test]
fn split_weights_must_add_up_to_100() {
    let e = refused(journey(json!([
        {"id": "a", "type": "split", "arms": [{"id": "A", "weight": 50, "next": "end"},
                                              {"id": "B", "weight": 40, "next": "end"}]},
        {"id": "end", "type": "end"}])));
    assert_eq!(e.path(), Some("steps[0].arms"));
    assert!(
        e.message().contains("add up to 90, not 100 (A 50 + B 40)"),
        "{e}"
    );
}

#[test]
fn a_goal_that_can_never_hold_is_refused() {
    let e = refused(journey(json!([
        email("a", "w1", "end"),
        {"id": "end", "type": "end"},
        {"id": "g", "type": "goal", "condition": {"all": [
            {"field": "deal.value", "op": "gt", "value": {"amount": "500", "currency": "USD"}},
            {"field": "deal.value", "op": "lt", "value": {"amount": "100", "currency": "USD"}}]}}])));
    assert_eq!(e.path(), Some("steps[2].condition"));
    assert!(e.message().contains("can never be reached"), "{e}");
}

#[test]
fn conditions_and_actions_are_checked_by_the_rules_engine_with_journey_paths() {
    let e = refused(journey(json!([
        {"id": "a", "type": "if", "condition": {"field": "contact.shoe_size", "op": "eq", "value": 3},
         "then": "end", "else": "end"},
        {"id": "end", "type": "end"}])));
    assert!(
        e.path().unwrap_or("").starts_with("steps[0].condition"),
        "{e:?}"
    );
    let e = refused(journey(json!([
        {"id": "a", "type": "action", "action": {"type": "send_email"}, "next": "end"},
        {"id": "end", "type": "end"}])));
    assert_eq!(e.kind(), ErrorKind::Json);
    assert!(e.path().unwrap_or("").starts_with("steps[0]"), "{e:?}");
}

#[test]
fn entry_exits_waits_and_time_zones_are_checked() {
    let mut doc = journey(json!([{"id": "a", "type": "end"}]));
    doc["entry"] = json!({});
    assert_eq!(refused(doc).path(), Some("entry"));
    let mut doc = journey(json!([{"id": "a", "type": "end"}]));
    doc["time_zone"] = json!("Mars/Olympus");
    assert_eq!(refused(doc).path(), Some("time_zone"));
    let mut doc = journey(json!([{"id": "a", "type": "end"}]));
    doc["exits"] = json!([{"id": "x", "event": {"type": "deal_won"},
                           "condition": {"field": "deal.status", "op": "eq", "value": "won"}}]);
    assert_eq!(refused(doc).path(), Some("exits[0]"));
    let e = refused(journey(json!([
        {"id": "a", "type": "wait", "next": "end"}, {"id": "end", "type": "end"}])));
    assert_eq!(e.path(), Some("steps[0]"));
    let e = refused(journey(json!([
        {"id": "a", "type": "wait", "days": 1, "hours": 2, "next": "end"}, {"id": "end", "type": "end"}])));
    assert_eq!(e.path(), Some("steps[0]"));
    let e = refused(journey(json!([
        {"id": "a", "type": "wait", "at": "25:00", "next": "end"}, {"id": "end", "type": "end"}])));
    assert_eq!(e.path(), Some("steps[0].at"));
    let e = refused(journey(json!([{"id": "a/b", "type": "end"}])));
    assert_eq!(e.path(), Some("steps[0].id"));
}
