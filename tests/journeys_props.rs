//! Properties: no journey, state or input JSON makes crmkit panic, and
//! advancing is deterministic.

use crmkit::journeys::{Input, Journey, JourneyState};
use crmkit::model::{Dataset, Timestamp};
use proptest::prelude::*;

const JOURNEY: &str = r#"{"id": "j", "start": "a",
  "entry": {"triggers": [{"type": "contact_created"}, {"type": "deal_created"}], "enrolled_by": ["nurture"], "reentry": "every_time"},
  "exits": [{"id": "x", "condition": {"field": "contact.tags", "op": "has", "value": "stop"}}],
  "steps": [
    {"id": "a", "type": "action", "action": {"type": "send_email", "template": "w1"}, "next": "s"},
    {"id": "s", "type": "split", "arms": [{"id": "A", "weight": 50, "next": "w"}, {"id": "B", "weight": 50, "next": "e"}]},
    {"id": "w", "type": "wait", "business_days": 1, "at": "09:00", "next": "u"},
    {"id": "u", "type": "wait_until", "condition": {"field": "contact.country", "op": "eq", "value": "DE"},
     "timeout": {"hours": 30}, "met": "end", "timed_out": "e"},
    {"id": "e", "type": "wait_for_event", "event": {"type": "email_opened", "email": "w1"},
     "timeout": {"days": 2}, "met": "g", "timed_out": "end"},
    {"id": "g", "type": "goal", "event": {"type": "purchase_made"}, "next": "end"},
    {"id": "end", "type": "end"}]}"#;

const SNAPSHOT: &str = r#"{"contacts": [
  {"id": "C-1", "name": "Ada", "country": "DE", "created_at": "2026-04-01T09:00:00Z", "attributes": {"utc_offset": "+02:00"}},
  {"id": "C-2", "name": "Bo", "created_at": "2026-04-01T09:00:00Z", "tags": ["stop"]}]}"#;

fn base() -> Timestamp {
    "2026-05-01T00:00:00Z".parse().unwrap()
}

fn input_json() -> impl Strategy<Value = String> {
    let kinds = prop::sample::select(vec![
        "contact_created",
        "deal_created",
        "email_opened",
        "purchase_made",
        "form_submitted",
        "deal_won",
    ]);
    let contacts = prop::sample::select(vec!["C-1", "C-2", "C-3"]);
    prop_oneof![
        Just("\"tick\"".to_string()),
        (kinds, contacts.clone(), 0u32..400, 0u8..4).prop_map(|(k, c, hours, id)| {
            let at = base() + chrono::Duration::hours(i64::from(hours));
            format!(
                r#"{{"event": {{"id": "E-{id}", "type": "{k}", "at": "{}", "contact": "{c}", "email": "w1"}}}}"#,
                at.to_rfc3339()
            )
        }),
        (contacts, 0u32..400).prop_map(|(c, hours)| {
            let at = base() + chrono::Duration::hours(i64::from(hours));
            format!(
                r#"{{"enrolled": {{"id": "A-1", "campaign": "nurture", "contact": "{c}", "at": "{}"}}}}"#,
                at.to_rfc3339()
            )
        }),
    ]
}

/// Mutates a JSON text: cut, byte flips, insertions.
fn mangle(text: &str, cut: usize, flip: usize, byte: u8) -> String {
    let mut bytes = text.as_bytes().to_vec();
    if !bytes.is_empty() {
        let i = flip % bytes.len();
        bytes[i] = byte;
    }
    bytes.truncate(cut.min(bytes.len()));
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mangled_journey_state_and_input_json_never_panic(
        cut in 0usize..2000, flip in 0usize..2000, byte in any::<u8>(),
        input in input_json(), hours in 0u32..800,
    ) {
        let _ = Journey::from_json(&mangle(JOURNEY, cut, flip, byte));
        let journey = Journey::from_json(JOURNEY).unwrap();
        let snapshot = Dataset::from_json(SNAPSHOT).unwrap();
        let as_of = base() + chrono::Duration::hours(i64::from(hours)) + chrono::Duration::days(20);
        let _ = Input::from_json(&mangle(&input, cut, flip, byte));
        let Ok(input) = Input::from_json(&input) else { return Ok(()); };
        if let Ok((_, state)) = journey.advance(&JourneyState::new(), &input, &snapshot, as_of) {
            let json = state.to_json().unwrap();
            if let Ok(mangled) = JourneyState::from_json(&mangle(&json, cut, flip, byte)) {
                let _ = journey.advance(&mangled, &Input::Tick, &snapshot, as_of);
                let _ = journey.advance(&mangled, &input, &snapshot, as_of);
            }
        }
    }

    #[test]
    fn advancing_is_deterministic_and_replays_add_nothing(
        inputs in prop::collection::vec(input_json(), 1..8), step_hours in 1u32..100,
    ) {
        let journey = Journey::from_json(JOURNEY).unwrap();
        let snapshot = Dataset::from_json(SNAPSHOT).unwrap();
        let run = || {
            let mut state = JourneyState::new();
            let mut log = Vec::new();
            let mut as_of = base() + chrono::Duration::days(17);
            for text in &inputs {
                as_of += chrono::Duration::hours(i64::from(step_hours));
                let input = Input::from_json(text).unwrap();
                match journey.advance(&state, &input, &snapshot, as_of) {
                    Ok((out, next)) => {
                        // Replaying the same input on the new state acts no more.
                        let (again, _) = journey.advance(&next, &input, &snapshot, as_of).unwrap();
                        prop_assert!(again.actions.is_empty(), "replay acted: {:?}", again.actions);
                        log.push(serde_json::to_string(&out).unwrap());
                        state = next;
                    }
                    Err(e) => log.push(format!("error {e}")),
                }
            }
            Ok((log, state))
        };
        let first = run()?;
        let second = run()?;
        prop_assert_eq!(first, second);
    }
}
