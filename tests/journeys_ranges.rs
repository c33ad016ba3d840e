//! Range checks on journeys values built in Rust (issue 20): every entry
//! point refuses what the JSON door refuses, naming the field — times
//! outside years 1 to 9999, a history over the cap, an unknown state
//! format — instead of silently carrying them on.

use chrono::{DateTime, Utc};
use crmkit::automation::{Event, EventType};
use crmkit::journeys::{
    HISTORY_LIMIT, Input, Journey, JourneyState, history_events, migrate, migrate_all,
};
use crmkit::model::{Dataset, Timestamp};
use serde_json::json;

fn ts(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

/// Year 10000, one second past the supported range.
fn too_late() -> Timestamp {
    DateTime::from_timestamp(253_402_300_800, 0).expect("chrono holds it")
}

fn snapshot() -> Dataset {
    Dataset::from_json(
        &json!({"contacts": [{"id": "C-1", "name": "Ada", "created_at": "2026-05-01T09:00:00Z"}]})
            .to_string(),
    )
    .expect("snapshot")
}

fn journey(version: u32) -> Journey {
    let doc = json!({"id": "j", "version": version, "start": "a",
        "entry": {"triggers": [{"type": "contact_created"}]},
        "steps": [{"id": "a", "type": "wait", "days": 2, "next": "end"},
                  {"id": "end", "type": "end"}]});
    Journey::from_json(&doc.to_string()).expect("journey")
}

/// C-1 waiting at step `a` of version 1, due on 3 May.
fn waiting() -> JourneyState {
    let mut e = Event::new("E-1", EventType::ContactCreated, ts("2026-05-01T09:00:00Z"));
    e.contact = Some("C-1".parse().expect("id"));
    journey(1)
        .advance(
            &JourneyState::new(),
            &Input::Event(e),
            &snapshot(),
            ts("2026-05-01T09:00:00Z"),
        )
        .expect("enter")
        .1
}

fn overfull() -> JourneyState {
    let mut st = waiting();
    let entry = st.history[0].clone();
    st.history = vec![entry; HISTORY_LIMIT + 8];
    st
}

#[test]
fn advance_refuses_an_as_of_outside_years_1_to_9999() {
    let j = journey(1);
    for as_of in [
        too_late(),
        DateTime::<Utc>::MAX_UTC,
        DateTime::<Utc>::MIN_UTC,
    ] {
        let err = j
            .advance(&waiting(), &Input::Tick, &snapshot(), as_of)
            .expect_err("out of range");
        assert_eq!(err.path(), Some("as_of"), "{err}");
        assert!(err.message().contains("years 1 to 9999"), "{err}");
        // Even for a contact with nothing due (the fast path).
        let err = j
            .advance(&JourneyState::new(), &Input::Tick, &snapshot(), as_of)
            .expect_err("out of range");
        assert_eq!(err.path(), Some("as_of"));
    }
}

#[test]
fn advance_refuses_states_the_json_door_refuses_with_the_same_message() {
    let j = journey(1);
    let as_of = ts("2026-05-04T09:00:00Z");
    let mut late = waiting();
    late.wake_at = Some(too_late());
    let mut format = waiting();
    format.format = 99;
    let mut history_time = waiting();
    history_time.history[0].at = too_late();
    for (state, field) in [
        (overfull(), "history"),
        (late, "wake_at"),
        (format, "format"),
        (history_time, "history[0].at"),
    ] {
        let err = j
            .advance(&state, &Input::Tick, &snapshot(), as_of)
            .expect_err(field);
        assert_eq!(err.path(), Some(format!("state.{field}").as_str()), "{err}");
        // The JSON door says the same about the same state.
        let json = state.to_json().expect("serialises");
        let parsed = JourneyState::from_json(&json).expect_err(field);
        assert_eq!(parsed.path(), Some(field), "{parsed}");
        // (Times beyond 9999 may already fail as JSON there.)
        if field == "history" || field == "format" {
            assert_eq!(parsed.message(), err.message());
        }
        assert_eq!(state.validate().expect_err(field).path(), Some(field));
    }
    // A valid state passes.
    assert!(waiting().validate().is_ok());
    assert!(JourneyState::new().validate().is_ok());
    let mut blank = waiting();
    blank.step = Some(String::new());
    assert_eq!(
        blank.validate().expect_err("empty step").path(),
        Some("step")
    );
    let mut blank = waiting();
    blank.goals.push(String::new());
    assert_eq!(
        blank.validate().expect_err("empty goal").path(),
        Some("goals[0]")
    );
}

#[test]
fn the_batch_tick_refuses_an_out_of_range_as_of_and_reports_bad_states() {
    let j = journey(1);
    let mut states = vec![waiting(), overfull()];
    let err = j
        .tick_all(&mut states, &snapshot(), too_late())
        .expect_err("as_of");
    assert_eq!(err.path(), Some("as_of"));
    let tick = j
        .tick_all(&mut states, &snapshot(), ts("2026-05-04T09:00:00Z"))
        .expect("in range");
    assert_eq!(tick.advanced, 1);
    assert_eq!(tick.errors.len(), 1);
    assert_eq!(tick.errors[0].0, 1);
    assert_eq!(tick.errors[0].1.path(), Some("state.history"));
}

#[test]
fn simulation_refuses_an_until_outside_the_range() {
    let ds = snapshot();
    let events = history_events(&ds);
    let err = journey(1)
        .simulate(&ds, &events, too_late())
        .expect_err("until");
    assert_eq!(err.path(), Some("until"));
    assert!(
        journey(1)
            .simulate(&ds, &events, ts("2026-06-01T00:00:00Z"))
            .is_ok()
    );
}

#[test]
fn migration_refuses_bad_states_and_as_of_naming_them() {
    let (old, new) = (journey(1), journey(2));
    let err = migrate(
        &old,
        &new,
        &overfull(),
        &snapshot(),
        ts("2026-05-02T00:00:00Z"),
    )
    .expect_err("history");
    assert_eq!(err.path(), Some("state.history"));
    let err = migrate(&old, &new, &waiting(), &snapshot(), too_late()).expect_err("as_of");
    assert_eq!(err.path(), Some("as_of"));
    let err = migrate_all(
        &old,
        &new,
        &[waiting(), overfull()],
        &snapshot(),
        ts("2026-05-02T00:00:00Z"),
    )
    .expect_err("second state");
    assert_eq!(err.path(), Some("states[1].state.history"));
    assert!(
        migrate(
            &old,
            &new,
            &waiting(),
            &snapshot(),
            ts("2026-05-02T00:00:00Z")
        )
        .is_ok()
    );
}
