//! Version migration (every rule, reported) and the batch tick / due helper.

use crmkit::automation::{Effect, Event, EventType};
use crmkit::journeys::{
    Input, Journey, JourneyEffect, JourneyState, MoveRule, Status, due, migrate, migrate_all,
    next_wake,
};
use crmkit::model::{Dataset, Timestamp};
use serde_json::{Value, json};

fn ts(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

/// The snapshot the journeys run against: the contacts C-0 to C-9 (an
/// event naming a contact the snapshot does not hold is `NotFound`).
fn snapshot() -> Dataset {
    let contacts: Vec<Value> = (0..10)
        .map(|i| {
            json!({"id": format!("C-{i}"), "name": format!("Contact {i}"),
                        "created_at": "2026-01-01T00:00:00Z"})
        })
        .collect();
    Dataset::from_json(&json!({ "contacts": contacts }).to_string()).expect("snapshot")
}

fn load(version: u32, steps: Value) -> Journey {
    let doc = json!({"id": "j", "version": version, "start": "a",
        "entry": {"triggers": [{"type": "contact_created"}]}, "steps": steps});
    Journey::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("loads: {e}"))
}

fn email(id: &str, template: &str, next: &str) -> Value {
    json!({"id": id, "type": "action", "action": {"type": "send_email", "template": template}, "next": next})
}

fn v1() -> Journey {
    load(
        1,
        json!([
        email("a", "w1", "w"),
        {"id": "w", "type": "wait", "days": 2, "next": "b"},
        email("b", "w2", "w2"),
        {"id": "w2", "type": "wait", "days": 3, "next": "c"},
        email("c", "w3", "end"),
        {"id": "end", "type": "end"}]),
    )
}

fn enter(j: &Journey, contact: &str, at: &str) -> JourneyState {
    let mut e = Event::new(format!("E-{contact}"), EventType::ContactCreated, ts(at));
    e.contact = Some(contact.parse().expect("id"));
    j.advance(&JourneyState::new(), &Input::Event(e), &snapshot(), ts(at))
        .expect("enter")
        .1
}

fn sent(out: &crmkit::journeys::Advance) -> Vec<String> {
    out.actions
        .iter()
        .filter_map(|a| match &a.effect {
            JourneyEffect::Rule(Effect::SendEmail { template, .. }) => Some(template.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_contact_at_an_unchanged_step_stays_and_a_changed_wait_is_rescheduled_from_its_start() {
    let old = v1();
    let state = enter(&old, "C-1", "2026-05-01T09:00:00Z");
    let same = load(2, serde_json::to_value(&old.doc().steps).expect("steps"));
    let (kept, mv) =
        migrate(&old, &same, &state, &snapshot(), ts("2026-05-02T09:00:00Z")).expect("migrate");
    assert_eq!(mv.rule, MoveRule::Kept);
    assert_eq!(kept.version, 2);
    assert_eq!(kept.wake_at, state.wake_at);
    let longer = load(
        2,
        json!([
        email("a", "w1", "w"),
        {"id": "w", "type": "wait", "days": 5, "next": "b"},
        email("b", "w2", "end"),
        {"id": "end", "type": "end"}]),
    );
    let (moved, mv) = migrate(
        &old,
        &longer,
        &state,
        &snapshot(),
        ts("2026-05-02T09:00:00Z"),
    )
    .expect("migrate");
    assert_eq!(mv.rule, MoveRule::Rescheduled);
    assert_eq!(moved.wake_at, Some(ts("2026-05-06T09:00:00Z")));
    let out = longer
        .advance(
            &moved,
            &Input::Tick,
            &snapshot(),
            ts("2026-05-06T09:00:00Z"),
        )
        .expect("tick")
        .0;
    assert_eq!(sent(&out), vec!["w2"]);
}

#[test]
fn a_contact_at_a_removed_step_moves_to_the_next_surviving_step_and_runs_it_at_the_next_tick() {
    let old = v1();
    let state = enter(&old, "C-1", "2026-05-01T09:00:00Z");
    // "w" and "b" are removed: the contact waiting at w moves on to w2.
    let new = load(
        2,
        json!([
        email("a", "w1", "w2"),
        {"id": "w2", "type": "wait", "days": 3, "next": "c"},
        email("c", "w3", "end"),
        {"id": "end", "type": "end"}]),
    );
    let (st, mv) =
        migrate(&old, &new, &state, &snapshot(), ts("2026-05-02T09:00:00Z")).expect("migrate");
    assert_eq!(mv.rule, MoveRule::Moved);
    assert_eq!(
        (mv.from.as_deref(), mv.to.as_deref()),
        (Some("w"), Some("w2"))
    );
    assert_eq!(st.wake_at, Some(ts("2026-05-02T09:00:00Z")));
    let (out, st) = new
        .advance(&st, &Input::Tick, &snapshot(), ts("2026-05-02T09:00:00Z"))
        .expect("tick");
    assert!(out.actions.is_empty());
    assert_eq!(st.step.as_deref(), Some("w2"));
    assert_eq!(st.wake_at, Some(ts("2026-05-05T09:00:00Z")));
    // Nothing after the removed step survives: the contact completes.
    let tiny = load(
        2,
        json!([email("a", "w1", "end"), {"id": "end", "type": "end"}]),
    );
    let tiny2 = load(
        2,
        json!([email("a", "w1", "z"), {"id": "z", "type": "end"}]),
    );
    assert_eq!(
        migrate(&old, &tiny, &state, &snapshot(), ts("2026-05-02T09:00:00Z"))
            .expect("m")
            .1
            .rule,
        MoveRule::Moved
    );
    let (st, mv) = migrate(
        &old,
        &tiny2,
        &state,
        &snapshot(),
        ts("2026-05-02T09:00:00Z"),
    )
    .expect("m");
    assert_eq!(mv.rule, MoveRule::Ended);
    assert_eq!(st.status, Status::Completed);
}

#[test]
fn a_step_that_changed_type_is_restarted_and_inactive_contacts_only_change_version() {
    let old = v1();
    let state = enter(&old, "C-1", "2026-05-01T09:00:00Z");
    let new = load(
        2,
        json!([
        email("a", "w1", "w"),
        {"id": "w", "type": "action", "action": {"type": "add_tag", "tag": "migrated"}, "next": "end"},
        {"id": "end", "type": "end"}]),
    );
    let (st, mv) =
        migrate(&old, &new, &state, &snapshot(), ts("2026-05-02T09:00:00Z")).expect("migrate");
    assert_eq!(mv.rule, MoveRule::Restarted);
    let (out, st) = new
        .advance(&st, &Input::Tick, &snapshot(), ts("2026-05-02T10:00:00Z"))
        .expect("tick");
    assert!(
        matches!(&out.actions[0].effect, JourneyEffect::Rule(Effect::AddTag { tag, .. }) if tag == "migrated")
    );
    assert_eq!(out.actions[0].late_seconds, 3_600);
    assert_eq!(st.status, Status::Completed);
    let states = [JourneyState::new(), state.clone(), st];
    let (_, report) = migrate_all(
        &old,
        &new,
        &states[..2],
        &snapshot(),
        ts("2026-05-02T09:00:00Z"),
    )
    .expect("all");
    assert_eq!(report.moves[0].rule, MoveRule::NotActive);
    assert_eq!(report.moves[1].rule, MoveRule::Restarted);
    // A state of another version is refused with its index.
    let err = migrate_all(
        &old,
        &new,
        &[states[1].clone(), states[2].clone()],
        &snapshot(),
        ts("2026-05-02T09:00:00Z"),
    )
    .expect_err("v2 state");
    assert!(err.path().unwrap_or("").starts_with("states[1]"), "{err:?}");
    assert!(migrate(&new, &old, &state, &snapshot(), ts("2026-05-02T09:00:00Z")).is_err());
}

#[test]
fn due_finds_the_states_to_tick_and_tick_all_advances_only_those() {
    let j = v1();
    let mut states: Vec<JourneyState> = (0..10)
        .map(|i| enter(&j, &format!("C-{i}"), &format!("2026-05-01T0{i}:00:00Z")))
        .collect();
    states.push(JourneyState::new());
    let as_of = ts("2026-05-03T04:30:00Z");
    assert_eq!(due(&states, as_of), vec![0, 1, 2, 3, 4]);
    assert_eq!(next_wake(&states), Some(ts("2026-05-03T00:00:00Z")));
    let before = states.clone();
    let tick = j.tick_all(&mut states, &snapshot(), as_of).expect("tick");
    assert_eq!(tick.advanced, 5);
    assert_eq!(tick.actions.len(), 5);
    assert!(tick.errors.is_empty());
    assert_eq!(tick.next_wake_at, Some(ts("2026-05-03T05:00:00Z")));
    assert_eq!(states[5..], before[5..]);
    assert!(due(&states, as_of).is_empty());
    // A broken state is reported and left as it was.
    states[6].step = Some("gone".into());
    states[6].wake_at = Some(ts("2026-05-01T00:00:00Z"));
    let kept = states[6].clone();
    let tick = j.tick_all(&mut states, &snapshot(), as_of).expect("tick");
    assert_eq!(tick.errors.len(), 1);
    assert_eq!(tick.errors[0].0, 6);
    assert_eq!(states[6], kept);
}
