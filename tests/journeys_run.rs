//! Journey execution: every step kind, entry and re-entry, exits at every
//! step, goals, catch-up after a pause, replays, bounded history, state JSON.

use crmkit::automation::presets::{self, Boundary, RoutingConfig};
use crmkit::automation::{Effect, EnrollmentState, Event, EventType, RuleSet};
use crmkit::journeys::{
    Advance, Enrolled, HISTORY_LIMIT, Idle, Input, Journey, JourneyEffect, JourneyState, Status,
};
use crmkit::model::{Dataset, Timestamp};
use crmkit::money::Money;
use serde_json::{Value, json};

fn snapshot_with(c1_tags: &[&str]) -> Dataset {
    let doc = json!({
     "pipelines": [{"id": "sales", "name": "Sales", "stages": [
       {"id": "new", "name": "New", "probability": 10},
       {"id": "won", "name": "Won", "probability": 100, "kind": "won"}]}],
     "contacts": [
       {"id": "C-1", "name": "Ada", "email": "ada@example.com", "country": "DE",
        "created_at": "2026-04-01T09:00:00Z", "tags": c1_tags,
        "attributes": {"utc_offset": "+02:00"}},
       {"id": "C-2", "name": "Bo", "created_at": "2026-04-20T09:00:00Z", "country": "US"}],
     "deals": [
       {"id": "D-1", "name": "Starter", "contact": "C-1", "pipeline": "sales", "stage": "new",
        "value": {"amount": "400.00", "currency": "USD"}, "created_at": "2026-05-01T08:00:00Z"}]
    });
    Dataset::from_json(&doc.to_string()).expect("snapshot")
}

fn snapshot() -> Dataset {
    snapshot_with(&[])
}

fn ts(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

fn load(doc: Value) -> Journey {
    Journey::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("journey must load: {e}"))
}

fn journey(steps: Value) -> Journey {
    load(json!({"id": "j", "start": "a",
                "entry": {"triggers": [{"type": "contact_created"}]},
                "steps": steps}))
}

fn created(contact: &str, at: &str) -> Input {
    let mut e = Event::new(
        format!("created-{contact}"),
        EventType::ContactCreated,
        ts(at),
    );
    e.contact = Some(contact.parse().expect("id"));
    Input::Event(e)
}

fn event(id: &str, kind: EventType, contact: &str, at: &str) -> Event {
    let mut e = Event::new(id, kind, ts(at));
    e.contact = Some(contact.parse().expect("id"));
    e
}

fn step(j: &Journey, state: &JourneyState, input: &Input, as_of: &str) -> (Advance, JourneyState) {
    j.advance(state, input, &snapshot(), ts(as_of))
        .unwrap_or_else(|e| panic!("advance: {e}"))
}

fn templates(out: &Advance) -> Vec<String> {
    out.actions
        .iter()
        .filter_map(|a| match &a.effect {
            JourneyEffect::Rule(Effect::SendEmail { template, .. }) => Some(template.clone()),
            _ => None,
        })
        .collect()
}

fn email(id: &str, template: &str, next: &str) -> Value {
    json!({"id": id, "type": "action", "action": {"type": "send_email", "template": template}, "next": next})
}

#[test]
fn an_action_step_acts_once_with_a_deterministic_id_and_a_replay_does_nothing() {
    let j = journey(json!([email("a", "w1", "end"), {"id": "end", "type": "end"}]));
    let input = created("C-1", "2026-05-01T09:00:00Z");
    let (out, state) = step(&j, &JourneyState::new(), &input, "2026-05-01T09:00:00Z");
    assert_eq!(out.actions.len(), 1);
    assert_eq!(out.actions[0].id, "j:a/then/contact:C-1/r1.v1/0");
    assert_eq!(templates(&out), vec!["w1"]);
    assert_eq!(state.status, Status::Completed);
    // The history's action row names the action it emitted.
    let acted: Vec<_> = state
        .history
        .iter()
        .filter(|h| h.reason == "action")
        .map(|h| (h.step.as_str(), h.detail.as_deref()))
        .collect();
    assert_eq!(acted, vec![("a", Some(out.actions[0].id.as_str()))]);
    let (again, same) = step(&j, &state, &input, "2026-05-02T09:00:00Z");
    assert!(again.actions.is_empty());
    assert_eq!(again.idle, Some(Idle::Replay));
    assert_eq!(same.history, state.history);
    // Same input on the same state: the same action ids (deterministic).
    let (twice, _) = step(&j, &JourneyState::new(), &input, "2026-05-03T09:00:00Z");
    assert_eq!(twice.actions[0].id, out.actions[0].id);
}

#[test]
fn calendar_waits_catch_up_in_time_order_and_report_lateness() {
    let j = journey(json!([
        email("a", "w1", "w1"),
        {"id": "w1", "type": "wait", "days": 2, "next": "b"},
        email("b", "w2", "w2"),
        {"id": "w2", "type": "wait", "hours": 12, "next": "c"},
        email("c", "w3", "end"),
        {"id": "end", "type": "end"}]));
    let (out, state) = step(
        &j,
        &JourneyState::new(),
        &created("C-2", "2026-05-01T09:00:00Z"),
        "2026-05-01T09:00:00Z",
    );
    assert_eq!(templates(&out), vec!["w1"]);
    assert_eq!(out.next_wake_at, Some(ts("2026-05-03T09:00:00Z")));
    // Nothing due yet.
    let (idle, _) = step(&j, &state, &Input::Tick, "2026-05-02T09:00:00Z");
    assert_eq!(idle.idle, Some(Idle::NotDue));
    assert!(idle.actions.is_empty());
    // A week-long pause: both waits ran, in order, at the times they were due.
    let (out, state) = step(&j, &state, &Input::Tick, "2026-05-10T09:00:00Z");
    assert_eq!(templates(&out), vec!["w2", "w3"]);
    assert_eq!(out.actions[0].at, ts("2026-05-03T09:00:00Z"));
    assert_eq!(out.actions[1].at, ts("2026-05-03T21:00:00Z"));
    assert_eq!(out.actions[0].late_seconds, 7 * 86_400);
    assert_eq!(out.actions[1].late_seconds, 6 * 86_400 + 12 * 3_600);
    assert!(
        out.taken
            .iter()
            .any(|h| h.reason == "waited" && h.late_seconds == 7 * 86_400)
    );
    assert_eq!(state.status, Status::Completed);
    assert_eq!(out.next_wake_at, None);
}

#[test]
fn business_day_waits_skip_weekends_and_local_time_waits_use_the_contacts_offset() {
    let j = journey(json!([
        {"id": "a", "type": "wait", "business_days": 1, "next": "b"},
        {"id": "b", "type": "wait", "at": "09:00", "next": "end"},
        {"id": "end", "type": "end"}]));
    // Friday 2026-05-01 10:00 UTC + 1 business day = Monday 05-04 10:00 UTC.
    let (out, state) = step(
        &j,
        &JourneyState::new(),
        &created("C-2", "2026-05-01T10:00:00Z"),
        "2026-05-01T10:00:00Z",
    );
    assert_eq!(out.next_wake_at, Some(ts("2026-05-04T10:00:00Z")));
    // Then until 09:00 local: C-2 has no offset, the journey's default is UTC.
    let (out, _) = step(&j, &state, &Input::Tick, "2026-05-04T10:00:00Z");
    assert_eq!(out.next_wake_at, Some(ts("2026-05-05T09:00:00Z")));
    // C-1 lives at +02:00: Monday 12:00 local -> Tuesday 09:00 local = 07:00 UTC.
    let (_, s1) = step(
        &j,
        &JourneyState::new(),
        &created("C-1", "2026-05-01T10:00:00Z"),
        "2026-05-01T10:00:00Z",
    );
    let (out, _) = step(&j, &s1, &Input::Tick, "2026-05-04T10:00:00Z");
    assert_eq!(out.next_wake_at, Some(ts("2026-05-05T07:00:00Z")));
    // A journey default offset applies to contacts without one.
    let mut doc = j.doc().clone();
    doc.time_zone = Some("-05:00".into());
    let j = Journey::compile(doc).expect("loads");
    let (_, s2) = step(
        &j,
        &JourneyState::new(),
        &created("C-2", "2026-05-01T10:00:00Z"),
        "2026-05-01T10:00:00Z",
    );
    let (out, _) = step(&j, &s2, &Input::Tick, "2026-05-04T10:00:00Z");
    assert_eq!(out.next_wake_at, Some(ts("2026-05-04T14:00:00Z")));
}

fn wait_until_journey() -> Journey {
    journey(json!([
        {"id": "a", "type": "wait_until",
         "condition": {"field": "deal.value", "op": "gt", "value": {"amount": "500", "currency": "USD"}},
         "timeout": {"days": 3}, "check_every_hours": 24, "met": "yes", "timed_out": "no"},
        email("yes", "upgraded", "end"),
        email("no", "still-small", "end"),
        {"id": "end", "type": "end"}]))
}

#[test]
fn wait_until_moves_on_when_the_condition_holds_at_an_event_and_times_out_otherwise() {
    let j = load({
        let mut d = serde_json::to_value(wait_until_journey().doc()).expect("doc");
        d["entry"] = json!({"triggers": [{"type": "deal_created"}]});
        d
    });
    let mut created = Event::new("E-1", EventType::DealCreated, ts("2026-05-01T09:00:00Z"));
    created.deal = Some("D-1".parse().expect("id"));
    let (out, state) = step(
        &j,
        &JourneyState::new(),
        &Input::Event(created),
        "2026-05-01T09:00:00Z",
    );
    assert_eq!(state.deal.as_ref().map(|d| d.as_str()), Some("D-1"));
    assert_eq!(out.next_wake_at, Some(ts("2026-05-02T09:00:00Z")));
    // The deal's value is raised over $500: the condition holds at the event.
    let mut raised = Event::new(
        "E-2",
        EventType::DealValueChanged,
        ts("2026-05-01T15:00:00Z"),
    );
    raised.deal = Some("D-1".parse().expect("id"));
    raised.value = Some(Money::parse("750", "USD".parse().expect("usd")).expect("money"));
    let (out, done) = step(&j, &state, &Input::Event(raised), "2026-05-01T15:00:00Z");
    assert_eq!(templates(&out), vec!["upgraded"]);
    assert!(out.taken.iter().any(|h| h.reason == "condition_met"));
    assert_eq!(done.status, Status::Completed);
    // Without the raise: re-checked daily, then the timeout after 3 days.
    let (out, timed) = step(&j, &state, &Input::Tick, "2026-05-09T00:00:00Z");
    assert_eq!(templates(&out), vec!["still-small"]);
    assert!(
        out.taken
            .iter()
            .any(|h| h.reason == "timed_out" && h.at == ts("2026-05-04T09:00:00Z"))
    );
    assert_eq!(timed.status, Status::Completed);
}

#[test]
fn wait_until_polls_on_ticks() {
    let j = journey(json!([
        {"id": "a", "type": "wait_until", "condition": {"field": "contact.tags", "op": "has", "value": "engaged"},
         "timeout": {"days": 3}, "met": "yes", "timed_out": "no"},
        email("yes", "engaged", "end"),
        email("no", "cold", "end"),
        {"id": "end", "type": "end"}]));
    let (out, state) = step(
        &j,
        &JourneyState::new(),
        &created("C-1", "2026-05-01T09:00:00Z"),
        "2026-05-01T09:00:00Z",
    );
    assert_eq!(out.next_wake_at, Some(ts("2026-05-01T10:00:00Z")));
    let tagged = snapshot_with(&["engaged"]);
    let out = j
        .advance(&state, &Input::Tick, &tagged, ts("2026-05-01T12:30:00Z"))
        .expect("advance")
        .0;
    assert_eq!(templates(&out), vec!["engaged"]);
    assert_eq!(out.actions[0].at, ts("2026-05-01T10:00:00Z"));
}

#[test]
fn wait_for_event_moves_on_the_awaited_event_or_after_the_timeout() {
    let j = journey(json!([
        email("a", "w1", "e"),
        {"id": "e", "type": "wait_for_event", "event": {"type": "email_opened", "email": "w1"},
         "timeout": {"days": 2}, "met": "opened", "timed_out": "resend"},
        email("opened", "thanks", "end"),
        email("resend", "w1-again", "end"),
        {"id": "end", "type": "end"}]));
    let (_, state) = step(
        &j,
        &JourneyState::new(),
        &created("C-1", "2026-05-01T09:00:00Z"),
        "2026-05-01T09:00:00Z",
    );
    assert_eq!(state.deadline, Some(ts("2026-05-03T09:00:00Z")));
    // Another e-mail opened: not the one awaited.
    let mut other = event("O-1", EventType::EmailOpened, "C-1", "2026-05-01T10:00:00Z");
    other.email = Some("newsletter".into());
    let (out, state) = step(&j, &state, &Input::Event(other), "2026-05-01T10:00:00Z");
    assert!(out.actions.is_empty());
    assert_eq!(state.step.as_deref(), Some("e"));
    let mut opened = event("O-2", EventType::EmailOpened, "C-1", "2026-05-02T10:00:00Z");
    opened.email = Some("w1".into());
    let (out, _) = step(
        &j,
        &state,
        &Input::Event(opened.clone()),
        "2026-05-02T10:00:00Z",
    );
    assert_eq!(templates(&out), vec!["thanks"]);
    assert!(
        out.taken
            .iter()
            .any(|h| h.reason == "event_met" && h.detail.as_deref() == Some("O-2"))
    );
    // Opened after the timeout: the timeout ran first (in time order).
    let mut late = opened;
    late.at = ts("2026-05-04T10:00:00Z");
    let (out, _) = step(&j, &state, &Input::Event(late), "2026-05-04T10:00:00Z");
    assert_eq!(templates(&out), vec!["w1-again"]);
}

#[test]
fn if_else_takes_the_branch_of_the_condition() {
    let j = journey(json!([
        {"id": "a", "type": "if", "condition": {"field": "contact.country", "op": "eq", "value": "DE"},
         "then": "de", "else": "other"},
        email("de", "hallo", "end"),
        email("other", "hello", "end"),
        {"id": "end", "type": "end"}]));
    let (out, _) = step(
        &j,
        &JourneyState::new(),
        &created("C-1", "2026-05-01T09:00:00Z"),
        "2026-05-01T09:00:00Z",
    );
    assert_eq!(templates(&out), vec!["hallo"]);
    assert!(out.taken.iter().any(|h| h.reason == "then"));
    let (out, _) = step(
        &j,
        &JourneyState::new(),
        &created("C-2", "2026-05-01T09:00:00Z"),
        "2026-05-01T09:00:00Z",
    );
    assert_eq!(templates(&out), vec!["hello"]);
    assert!(out.taken.iter().any(|h| h.reason == "else"));
}

fn split_journey(a: u32, b: u32, c: u32) -> Journey {
    journey(json!([
        {"id": "a", "type": "split", "arms": [
            {"id": "A", "weight": a, "next": "end"},
            {"id": "B", "weight": b, "next": "end"},
            {"id": "C", "weight": c, "next": "end"}]},
        {"id": "end", "type": "end"}]))
}

#[test]
fn a_split_assigns_each_contact_deterministically_and_100000_contacts_land_within_1_percent() {
    let j = split_journey(50, 30, 20);
    let empty = Dataset::from_json("{}").expect("empty");
    let at = ts("2026-05-01T09:00:00Z");
    let mut counts = [0u32; 3];
    for i in 0..100_000 {
        let mut e = Event::new("E", EventType::ContactCreated, at);
        e.contact = Some(format!("C-{i:06}").parse().expect("id"));
        let (_, state) = j
            .advance(&JourneyState::new(), &Input::Event(e), &empty, at)
            .expect("advance");
        match state.arm("a") {
            Some("A") => counts[0] += 1,
            Some("B") => counts[1] += 1,
            Some("C") => counts[2] += 1,
            other => panic!("no arm: {other:?}"),
        }
    }
    for (count, weight) in counts.iter().zip([50.0, 30.0, 20.0]) {
        let share = f64::from(*count) / 1_000.0;
        assert!((share - weight).abs() <= 1.0, "{counts:?}");
    }
    // Stable across runs and replays: the same contact gets the same arm.
    let (_, s1) = step(
        &j,
        &JourneyState::new(),
        &created("C-1", "2026-05-01T09:00:00Z"),
        "2026-05-01T09:00:00Z",
    );
    let (_, s2) = step(
        &j,
        &JourneyState::new(),
        &created("C-1", "2026-06-01T09:00:00Z"),
        "2026-06-01T09:00:00Z",
    );
    assert_eq!(s1.arm("a"), s2.arm("a"));
    assert!(s1.arm("a").is_some());
}

fn goal_journey() -> Journey {
    load(json!({"id": "nurture", "start": "a",
        "entry": {"triggers": [{"type": "deal_created"}]},
        "steps": [
            email("a", "n1", "w"),
            {"id": "w", "type": "wait", "days": 7, "next": "b"},
            email("b", "n2", "end"),
            {"id": "end", "type": "end"},
            {"id": "won", "type": "goal", "event": {"type": "deal_won"}},
            {"id": "big", "type": "goal",
             "condition": {"field": "deal.value", "op": "gt", "value": {"amount": "500", "currency": "USD"}},
             "next": "call"},
            {"id": "call", "type": "action", "action": {"type": "create_task", "task": "call", "title": "Call"}, "next": "end"}]}))
}

fn deal_event(id: &str, kind: EventType, at: &str) -> Event {
    let mut e = Event::new(id, kind, ts(at));
    e.deal = Some("D-1".parse().expect("id"));
    e
}

#[test]
fn a_goal_pulls_the_contact_from_its_wait_and_counts_a_conversion() {
    let j = goal_journey();
    let (_, state) = step(
        &j,
        &JourneyState::new(),
        &Input::Event(deal_event(
            "E-1",
            EventType::DealCreated,
            "2026-05-01T09:00:00Z",
        )),
        "2026-05-01T09:00:00Z",
    );
    assert_eq!(state.step.as_deref(), Some("w"));
    // By event: the deal is won.
    let (out, won) = step(
        &j,
        &state,
        &Input::Event(deal_event(
            "E-2",
            EventType::DealWon,
            "2026-05-03T09:00:00Z",
        )),
        "2026-05-03T09:00:00Z",
    );
    assert_eq!(won.goals, vec!["won"]);
    assert_eq!(won.status, Status::Completed);
    assert!(
        out.taken
            .iter()
            .any(|h| h.reason == "goal_jump" && h.step == "won")
    );
    // By condition: the value is raised over $500; the goal's next step runs.
    let mut raised = deal_event("E-3", EventType::DealValueChanged, "2026-05-03T09:00:00Z");
    raised.value = Some(Money::parse("900", "USD".parse().expect("usd")).expect("money"));
    let (out, big) = step(&j, &state, &Input::Event(raised), "2026-05-03T09:00:00Z");
    assert_eq!(big.goals, vec!["big"]);
    assert!(matches!(
        out.actions[0].effect,
        JourneyEffect::Rule(Effect::CreateTask { .. })
    ));
    // An unrelated event changes nothing.
    let (out, _) = step(
        &j,
        &state,
        &Input::Event(event(
            "F",
            EventType::FormSubmitted,
            "C-1",
            "2026-05-03T09:00:00Z",
        )),
        "2026-05-03T09:00:00Z",
    );
    assert_eq!(out.idle, Some(Idle::NoEffect));
}

#[test]
fn a_goal_reached_in_sequence_counts_only_when_it_holds() {
    let j = journey(json!([
        {"id": "a", "type": "goal", "condition": {"field": "contact.country", "op": "eq", "value": "DE"}, "next": "end"},
        {"id": "end", "type": "end"}]));
    let (_, de) = step(
        &j,
        &JourneyState::new(),
        &created("C-1", "2026-05-01T09:00:00Z"),
        "2026-05-01T09:00:00Z",
    );
    assert_eq!(de.goals, vec!["a"]);
    let (out, us) = step(
        &j,
        &JourneyState::new(),
        &created("C-2", "2026-05-01T09:00:00Z"),
        "2026-05-01T09:00:00Z",
    );
    assert!(us.goals.is_empty());
    assert!(out.taken.iter().any(|h| h.reason == "goal_missed"));
}

#[test]
fn jump_and_start_journey_steps() {
    let j = journey(json!([
        {"id": "a", "type": "jump", "to": "b"},
        {"id": "b", "type": "start_journey", "journey": "onboarding", "next": "end"},
        {"id": "end", "type": "end"}]));
    let (out, _) = step(
        &j,
        &JourneyState::new(),
        &created("C-1", "2026-05-01T09:00:00Z"),
        "2026-05-01T09:00:00Z",
    );
    assert!(
        out.taken
            .iter()
            .any(|h| h.reason == "jump" && h.step == "a")
    );
    match &out.actions[0].effect {
        JourneyEffect::StartJourney(s) => {
            assert_eq!(s.journey, "onboarding");
            assert_eq!(s.contact.as_str(), "C-1");
        }
        other => panic!("expected start_journey, got {other:?}"),
    }
}

fn exit_journey() -> Journey {
    load(json!({"id": "j", "start": "a",
        "entry": {"triggers": [{"type": "contact_created"}], "reentry": {"again_after_days": 30}},
        "exits": [{"id": "unsubscribed", "condition": {"field": "contact.tags", "op": "has", "value": "unsubscribed"}},
                  {"id": "bought", "event": {"type": "purchase_made"}}],
        "steps": [email("a", "w1", "w"), {"id": "w", "type": "wait", "days": 1, "next": "b"},
                  email("b", "w2", "end"), {"id": "end", "type": "end"}]}))
}

#[test]
fn exit_conditions_are_checked_at_entry_at_every_wake_and_on_events() {
    let j = exit_journey();
    let unsubscribed = snapshot_with(&["unsubscribed"]);
    // At the first step.
    let (out, state) = j
        .advance(
            &JourneyState::new(),
            &created("C-1", "2026-05-01T09:00:00Z"),
            &unsubscribed,
            ts("2026-05-01T09:00:00Z"),
        )
        .expect("advance");
    assert!(out.actions.is_empty());
    assert_eq!(state.status, Status::Exited);
    assert_eq!(state.exit.as_deref(), Some("unsubscribed"));
    // At a wake: the contact unsubscribed while waiting.
    let (_, waiting) = step(
        &j,
        &JourneyState::new(),
        &created("C-1", "2026-05-01T09:00:00Z"),
        "2026-05-01T09:00:00Z",
    );
    let (out, state) = j
        .advance(
            &waiting,
            &Input::Tick,
            &unsubscribed,
            ts("2026-05-03T09:00:00Z"),
        )
        .expect("advance");
    assert!(out.actions.is_empty());
    assert_eq!(state.exit.as_deref(), Some("unsubscribed"));
    // On an event.
    let buy = event(
        "P-1",
        EventType::PurchaseMade,
        "C-1",
        "2026-05-01T12:00:00Z",
    );
    let (_, state) = step(&j, &waiting, &Input::Event(buy), "2026-05-01T12:00:00Z");
    assert_eq!(state.exit.as_deref(), Some("bought"));
    assert_eq!(state.left_at, Some(ts("2026-05-01T12:00:00Z")));
}

#[test]
fn reentry_policies_once_again_after_days_and_every_time() {
    let j = exit_journey();
    let (_, done) = step(
        &j,
        &JourneyState::new(),
        &created("C-1", "2026-05-01T09:00:00Z"),
        "2026-05-03T09:00:00Z",
    );
    assert_eq!(done.status, Status::Completed);
    let again = |at: &str| {
        let mut e = event(&format!("again-{at}"), EventType::ContactCreated, "C-1", at);
        e.id = format!("X-{at}");
        Input::Event(e)
    };
    let (out, _) = step(
        &j,
        &done,
        &again("2026-05-10T09:00:00Z"),
        "2026-05-10T09:00:00Z",
    );
    assert_eq!(out.idle, Some(Idle::Reentry));
    let (out, back) = step(
        &j,
        &done,
        &again("2026-06-01T09:00:00Z"),
        "2026-06-01T09:00:00Z",
    );
    assert_eq!(back.run, 2);
    assert_eq!(out.actions[0].id, "j:a/then/contact:C-1/r2.v1/0");
    let mut once = j.doc().clone();
    once.entry.reentry = crmkit::journeys::Reentry::Once;
    let once = Journey::compile(once).expect("loads");
    assert_eq!(
        step(
            &once,
            &done,
            &again("2027-01-01T09:00:00Z"),
            "2027-01-01T09:00:00Z"
        )
        .0
        .idle,
        Some(Idle::Reentry)
    );
    let mut every = j.doc().clone();
    every.entry.reentry = crmkit::journeys::Reentry::EveryTime;
    let every = Journey::compile(every).expect("loads");
    assert_eq!(
        step(
            &every,
            &done,
            &again("2026-05-04T09:00:00Z"),
            "2026-05-04T09:00:00Z"
        )
        .1
        .run,
        2
    );
}

#[test]
fn the_entry_condition_keeps_contacts_out() {
    let mut doc = exit_journey().doc().clone();
    doc.entry.condition = Some(
        serde_json::from_value(json!({"field": "contact.country", "op": "eq", "value": "DE"}))
            .expect("cond"),
    );
    let j = Journey::compile(doc).expect("loads");
    let (out, state) = step(
        &j,
        &JourneyState::new(),
        &created("C-2", "2026-05-01T09:00:00Z"),
        "2026-05-01T09:00:00Z",
    );
    assert_eq!(out.idle, Some(Idle::EntryCondition));
    assert_eq!(state.status, Status::NotEntered);
    let (out, _) = step(
        &j,
        &JourneyState::new(),
        &Input::Tick,
        "2026-05-01T09:00:00Z",
    );
    assert_eq!(out.idle, Some(Idle::NotDue));
    let form = event(
        "F-1",
        EventType::FormSubmitted,
        "C-1",
        "2026-05-01T09:00:00Z",
    );
    assert_eq!(
        step(
            &j,
            &JourneyState::new(),
            &Input::Event(form),
            "2026-05-01T09:00:00Z"
        )
        .0
        .idle,
        Some(Idle::NoEntry)
    );
}

#[test]
fn the_routing_presets_nurture_branch_enrolls_the_deal_into_a_journey() {
    let rules = RuleSet::compile(presets::routing_rule_set(
        &RoutingConfig::usd_500(Boundary::Call).expect("cfg"),
    ))
    .expect("rules");
    let at = ts("2026-05-01T09:00:00Z");
    let created = deal_event("E-1", EventType::DealCreated, "2026-05-01T09:00:00Z");
    let eval = rules
        .evaluate(&created, &snapshot(), &EnrollmentState::default(), at)
        .expect("evaluate");
    let enrolled = Enrolled::from_action(&eval.actions[0], at).expect("an enrollment");
    assert_eq!(enrolled.campaign, "nurture");
    let j = load(
        json!({"id": "nurture", "start": "a", "entry": {"enrolled_by": ["nurture"]},
        "steps": [email("a", "n1", "end"), {"id": "end", "type": "end"}]}),
    );
    let (out, state) = step(
        &j,
        &JourneyState::new(),
        &Input::Enrolled(enrolled.clone()),
        "2026-05-01T09:00:00Z",
    );
    assert_eq!(templates(&out), vec!["n1"]);
    assert_eq!(state.deal.as_ref().map(|d| d.as_str()), Some("D-1"));
    assert_eq!(
        step(
            &j,
            &state,
            &Input::Enrolled(enrolled),
            "2026-05-01T09:00:00Z"
        )
        .0
        .idle,
        Some(Idle::Replay)
    );
}

#[test]
fn history_is_bounded_and_the_state_round_trips_through_json() {
    let j = journey(json!([
        email("a", "ping", "w"),
        {"id": "w", "type": "wait", "hours": 1, "next": "a"}]));
    let (_, state) = step(
        &j,
        &JourneyState::new(),
        &created("C-1", "2026-05-01T00:00:00Z"),
        "2026-05-01T00:00:00Z",
    );
    let (out, state) = step(&j, &state, &Input::Tick, "2026-05-03T00:00:00Z");
    assert_eq!(out.actions.len(), 48);
    assert_eq!(state.history.len(), HISTORY_LIMIT);
    assert!(state.history_dropped > 0);
    let json = state.to_json().expect("json");
    assert_eq!(JourneyState::from_json(&json).expect("parse"), state);
    let bad = json.replacen("\"format\":1", "\"format\":2", 1);
    assert_eq!(
        JourneyState::from_json(&bad).expect_err("format").path(),
        Some("format")
    );
    assert_eq!(
        JourneyState::from_json("").expect("empty").status,
        Status::NotEntered
    );
}

#[test]
fn a_state_of_another_version_journey_or_contact_is_refused() {
    let j = exit_journey();
    let (_, state) = step(
        &j,
        &JourneyState::new(),
        &created("C-1", "2026-05-01T09:00:00Z"),
        "2026-05-01T09:00:00Z",
    );
    let mut v2 = j.doc().clone();
    v2.version = 2;
    let v2 = Journey::compile(v2).expect("loads");
    let err = v2
        .advance(
            &state,
            &Input::Tick,
            &snapshot(),
            ts("2026-05-05T09:00:00Z"),
        )
        .expect_err("version");
    assert_eq!(err.path(), Some("state.version"));
    let other = event("P", EventType::PurchaseMade, "C-2", "2026-05-01T10:00:00Z");
    let err = j
        .advance(
            &state,
            &Input::Event(other),
            &snapshot(),
            ts("2026-05-05T09:00:00Z"),
        )
        .expect_err("contact");
    assert_eq!(err.path(), Some("event.contact"));
    let future = event("P", EventType::PurchaseMade, "C-1", "2026-06-01T10:00:00Z");
    let err = j
        .advance(
            &state,
            &Input::Event(future),
            &snapshot(),
            ts("2026-05-05T09:00:00Z"),
        )
        .expect_err("future");
    assert_eq!(err.path(), Some("event.at"));
}

#[test]
fn inputs_parse_from_json() {
    assert_eq!(Input::from_json("\"tick\"").expect("tick"), Input::Tick);
    let e = Input::from_json(r#"{"event": {"id": "E", "type": "contact_created", "at": "2026-05-01T09:00:00Z", "contact": "C-1"}}"#).expect("event");
    assert!(matches!(e, Input::Event(_)));
    assert!(Input::from_json(r#"{"event": {"id": "E"}}"#).is_err());
}

/// A snapshot whose contacts keep their time zone in `utc_offset`.
fn zoned(c1: Value, c2: Value) -> Dataset {
    let doc = json!({"contacts": [
        {"id": "C-1", "name": "Ada", "created_at": "2026-04-01T09:00:00Z", "attributes": {"utc_offset": c1}},
        {"id": "C-2", "name": "Bo", "created_at": "2026-04-01T09:00:00Z", "attributes": {"utc_offset": c2}}]});
    Dataset::from_json(&doc.to_string()).expect("snapshot")
}

#[test]
fn a_contact_time_zone_must_be_a_time_zone_when_a_local_time_wait_needs_it() {
    let nine = journey(json!([
        {"id": "a", "type": "wait", "at": "09:00", "next": "end"},
        {"id": "end", "type": "end"}]));
    let t0 = ts("2026-05-04T12:00:00Z");
    // "+0530" (ISO basic form) is an offset: 09:00 at +05:30 is 03:30 UTC.
    let snapshot = zoned(json!("+0530"), json!("Europe/Paris"));
    let (out, _) = nine
        .advance(
            &JourneyState::new(),
            &created("C-1", "2026-05-04T12:00:00Z"),
            &snapshot,
            t0,
        )
        .expect("offset");
    assert_eq!(out.next_wake_at, Some(ts("2026-05-05T03:30:00Z")));
    // A zone name of the built-in table: Paris is on summer time in May,
    // so 09:00 there is 07:00 UTC.
    let (out, _) = nine
        .advance(
            &JourneyState::new(),
            &created("C-2", "2026-05-04T12:00:00Z"),
            &snapshot,
            t0,
        )
        .expect("zone name");
    assert_eq!(out.next_wake_at, Some(ts("2026-05-05T07:00:00Z")));
    // A name outside the table is refused, naming the field and the
    // contact (not silently read as UTC).
    let snapshot = zoned(json!("+0530"), json!("Mars/Olympus"));
    let err = nine
        .advance(
            &JourneyState::new(),
            &created("C-2", "2026-05-04T12:00:00Z"),
            &snapshot,
            t0,
        )
        .expect_err("unknown zone name");
    assert_eq!(err.path(), Some("contact.attributes.utc_offset"));
    assert!(err.message().contains("contact C-2"), "{err}");
    assert!(err.message().contains("Mars/Olympus"), "{err}");
    assert!(err.message().contains("POSIX rule"), "{err}");
    // A number is not an offset either.
    let err = nine
        .advance(
            &JourneyState::new(),
            &created("C-1", "2026-05-04T12:00:00Z"),
            &zoned(json!(2), json!("+01:00")),
            t0,
        )
        .expect_err("number");
    assert_eq!(err.path(), Some("contact.attributes.utc_offset"));
    // A journey whose waits do not depend on the local time (hours are
    // elapsed time) never reads it.
    let days = journey(json!([
        {"id": "a", "type": "wait", "hours": 48, "next": "end"},
        {"id": "end", "type": "end"}]));
    let (out, _) = days
        .advance(
            &JourneyState::new(),
            &created("C-2", "2026-05-04T12:00:00Z"),
            &snapshot,
            t0,
        )
        .expect("hours need no zone");
    assert_eq!(out.next_wake_at, Some(ts("2026-05-06T12:00:00Z")));
}

#[test]
fn the_journey_time_zone_takes_offsets_rules_and_known_names_and_refuses_the_rest() {
    let base = json!({"id": "j", "start": "a", "entry": {"triggers": [{"type": "contact_created"}]},
                      "steps": [{"id": "a", "type": "end"}]});
    for bad in [
        "Mars/Olympus",
        "CET",
        "CET-1CEST",
        "+25:00",
        "+02:60",
        "02:00",
        "",
    ] {
        let mut doc = base.clone();
        doc["time_zone"] = json!(bad);
        let err = Journey::from_json(&doc.to_string()).expect_err(bad);
        assert_eq!(err.path(), Some("time_zone"), "{bad}");
        assert!(err.message().contains("is not a time zone"), "{bad}: {err}");
    }
    for good in [
        "+02:00",
        "-05:30",
        "+0530",
        "+05",
        "UTC",
        "Z",
        "+14:00",
        "Europe/Paris",
        "America/New_York",
        "CET-1CEST,M3.5.0,M10.5.0/3",
        "<+0530>-5:30",
    ] {
        let mut doc = base.clone();
        doc["time_zone"] = json!(good);
        Journey::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("{good}: {e}"));
    }
}

fn team_snapshot() -> Dataset {
    let doc = json!({
      "teams": [{"id": "east", "name": "East"}],
      "reps": [
        {"id": "R-1", "name": "Ann", "team": "east"},
        {"id": "R-2", "name": "Ben", "team": "east"},
        {"id": "R-3", "name": "Cy", "team": "east"}],
      "contacts": (1..=300).map(|i| json!({"id": format!("C-{i}"), "name": format!("N{i}"),
                                             "created_at": "2026-04-01T09:00:00Z"})).collect::<Vec<_>>()});
    Dataset::from_json(&doc.to_string()).expect("snapshot")
}

fn assignee(out: &Advance) -> Vec<String> {
    out.actions
        .iter()
        .filter_map(|a| match &a.effect {
            JourneyEffect::Rule(Effect::CreateTask { assignee, .. }) => {
                assignee.as_ref().map(|r| r.to_string())
            }
            _ => None,
        })
        .collect()
}

#[test]
fn round_robin_in_a_journey_gives_each_contact_one_rep_of_the_team() {
    let task = |id: &str, next: &str| {
        json!({"id": id, "type": "action", "next": next, "action": {"type": "create_task",
               "task": "call", "title": "Call {{contact.name}}", "assignee": {"round_robin": "east"}}})
    };
    let j = journey(json!([
        task("a", "w"),
        {"id": "w", "type": "wait", "days": 1, "next": "b"},
        task("b", "end"),
        {"id": "end", "type": "end"}]));
    let snapshot = team_snapshot();
    let t0 = ts("2026-05-01T09:00:00Z");
    let t1 = ts("2026-05-02T09:00:00Z");
    let mut per_rep = std::collections::BTreeMap::<String, u32>::new();
    for i in 1..=300 {
        let contact = format!("C-{i}");
        let enter = created(&contact, "2026-05-01T09:00:00Z");
        let (first, state) = j
            .advance(&JourneyState::new(), &enter, &snapshot, t0)
            .expect("enter");
        let (second, _) = j
            .advance(&state, &Input::Tick, &snapshot, t1)
            .expect("tick");
        let (a, b) = (assignee(&first), assignee(&second));
        assert_eq!(a.len(), 1);
        // The same rep in every step of the journey, and on a re-run.
        assert_eq!(a, b, "{contact}");
        let (again, _) = j
            .advance(&JourneyState::new(), &enter, &snapshot, t0)
            .expect("re-run");
        assert_eq!(assignee(&again), a);
        *per_rep.entry(a[0].clone()).or_default() += 1;
    }
    // Every rep of the team gets contacts, roughly a third each.
    assert_eq!(per_rep.len(), 3, "{per_rep:?}");
    for (rep, n) in &per_rep {
        assert!((70..=130).contains(n), "{rep}: {n} of 300");
    }
}

#[test]
fn a_deals_journey_does_not_hear_the_contacts_other_deals() {
    let doc = json!({
     "pipelines": [{"id": "sales", "name": "Sales", "stages": [
       {"id": "new", "name": "New", "probability": 10},
       {"id": "won", "name": "Won", "probability": 100, "kind": "won"}]}],
     "contacts": [{"id": "C-1", "name": "Ada", "created_at": "2026-04-01T09:00:00Z"}],
     "deals": [
       {"id": "D-1", "name": "Small", "contact": "C-1", "pipeline": "sales", "stage": "new",
        "value": {"amount": "300.00", "currency": "USD"}, "created_at": "2026-05-01T08:00:00Z"},
       {"id": "D-2", "name": "Other", "contact": "C-1", "pipeline": "sales", "stage": "won", "status": "won",
        "value": {"amount": "900.00", "currency": "USD"}, "created_at": "2026-04-01T08:00:00Z",
        "closed_at": "2026-05-03T08:00:00Z"}]});
    let snapshot = Dataset::from_json(&doc.to_string()).expect("snapshot");
    let j = load(
        json!({"id": "nurture", "start": "a", "entry": {"enrolled_by": ["nurture"]},
        "exits": [{"id": "lost", "event": {"type": "deal_lost"}}],
        "steps": [
          {"id": "a", "type": "wait", "days": 30, "next": "end"},
          {"id": "end", "type": "end"},
          {"id": "won", "type": "goal", "event": {"type": "deal_won"}}]}),
    );
    let enrolled = Enrolled {
        id: "route/if[1]/deal:D-1/E-1/0".into(),
        campaign: "nurture".into(),
        contact: "C-1".parse().expect("id"),
        deal: Some("D-1".parse().expect("id")),
        at: ts("2026-05-01T09:00:00Z"),
    };
    let at = ts("2026-05-05T09:00:00Z");
    let (_, state) = j
        .advance(
            &JourneyState::new(),
            &Input::Enrolled(enrolled),
            &snapshot,
            at,
        )
        .expect("enter");
    let deal_event = |id: &str, kind: EventType, deal: &str| {
        let mut e = Event::new(id, kind, ts("2026-05-03T08:00:00Z"));
        e.contact = Some("C-1".parse().expect("id"));
        e.deal = Some(deal.parse().expect("id"));
        Input::Event(e)
    };
    // The contact's other deal is won (or lost): not this journey's goal or exit.
    for kind in [EventType::DealWon, EventType::DealLost] {
        let (out, after) = j
            .advance(&state, &deal_event("other", kind, "D-2"), &snapshot, at)
            .expect("other deal");
        assert_eq!(out.idle, Some(Idle::OtherDeal));
        assert!(after.goals.is_empty());
        assert_eq!(after.status, Status::Active);
    }
    // Its own deal is won: the goal.
    let (_, after) = j
        .advance(
            &state,
            &deal_event("mine", EventType::DealWon, "D-1"),
            &snapshot,
            at,
        )
        .expect("own deal");
    assert_eq!(after.goals, vec!["won".to_string()]);
}
