//! Journeys: one advance with nothing due, one step with an action against
//! the rules engine's `evaluate` for the same action, and a tick over many
//! contacts in five journeys with 10% of them due.
//!
//! Run: `cargo bench --bench journeys -- --warm-up-time 1 --measurement-time 3`.
//! The tick size is 1,000,000 contacts by default; set
//! `CRMKIT_BENCH_CONTACTS` to change it.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use crmkit::automation::{EnrollmentState, Event, EventType, RuleSet};
use crmkit::journeys::{Input, Journey, JourneyState};
use crmkit::model::{Dataset, Timestamp};

fn ts(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

fn journey(id: &str) -> Journey {
    Journey::from_json(&format!(
        r#"{{"id": "{id}", "start": "a", "entry": {{"triggers": [{{"type": "contact_created"}}]}},
          "steps": [
            {{"id": "a", "type": "action", "action": {{"type": "add_tag", "tag": "welcomed"}}, "next": "w"}},
            {{"id": "w", "type": "wait", "days": 1, "next": "b"}},
            {{"id": "b", "type": "action", "action": {{"type": "add_tag", "tag": "day-2"}}, "next": "w2"}},
            {{"id": "w2", "type": "wait", "days": 30, "next": "end"}},
            {{"id": "end", "type": "end"}}]}}"#
    ))
    .expect("journey")
}

fn entered(j: &Journey, snapshot: &Dataset, contact: &str, at: Timestamp) -> JourneyState {
    let mut e = Event::new("E", EventType::ContactCreated, at);
    e.contact = Some(contact.parse().expect("id"));
    j.advance(&JourneyState::new(), &Input::Event(e), snapshot, at)
        .expect("enter")
        .1
}

fn bench(c: &mut Criterion) {
    let snapshot = Dataset::from_json(
        r#"{"contacts": [{"id": "C-1", "name": "Ada", "created_at": "2026-04-01T09:00:00Z"}]}"#,
    )
    .expect("snapshot");
    let t0 = ts("2026-05-01T09:00:00Z");
    let j = journey("welcome");
    let waiting = entered(&j, &snapshot, "C-1", t0);

    c.bench_function("journeys/advance_nothing_due", |b| {
        let mut state = waiting.clone();
        b.iter(|| {
            j.advance_in_place(black_box(&mut state), &Input::Tick, &snapshot, t0)
                .expect("advance")
        })
    });

    // One due step with one action (wake, add_tag, arrive at the next wait).
    // The waiting state is cloned outside the timing (criterion's batched
    // setup), so the figure is the step alone, comparable with `evaluate`.
    let due_at = ts("2026-05-02T09:00:00Z");
    c.bench_function("journeys/advance_one_action_step", |b| {
        b.iter_batched_ref(
            || waiting.clone(),
            |state| {
                j.advance_in_place(black_box(state), &Input::Tick, &snapshot, due_at)
                    .expect("advance")
            },
            criterion::BatchSize::SmallInput,
        )
    });
    let rules = RuleSet::from_json(
        r#"{"rules": [{"id": "r", "trigger": {"type": "contact_updated"}, "enrollment": "every_time",
            "then": [{"type": "add_tag", "tag": "day-2"}]}]}"#,
    )
    .expect("rules");
    let mut event = Event::new("E-2", EventType::ContactUpdated, due_at);
    event.contact = Some("C-1".parse().expect("id"));
    let empty = EnrollmentState::default();
    c.bench_function("journeys/rules_evaluate_same_action", |b| {
        b.iter(|| {
            rules
                .evaluate(black_box(&event), &snapshot, &empty, due_at)
                .expect("evaluate")
        })
    });

    // A tick over N contacts in five journeys, 10% due.
    let n: usize = std::env::var("CRMKIT_BENCH_CONTACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let journeys: Vec<Journey> = (0..5).map(|i| journey(&format!("j{i}"))).collect();
    let late = ts("2026-04-30T12:00:00Z");
    let mut base: Vec<Vec<JourneyState>> = journeys
        .iter()
        .map(|j| {
            let due = entered(j, &snapshot, "C-1", late);
            let not_due = entered(j, &snapshot, "C-1", t0);
            (0..n / 5)
                .map(|i| {
                    if i % 10 == 0 {
                        due.clone()
                    } else {
                        not_due.clone()
                    }
                })
                .collect()
        })
        .collect();
    let as_of = ts("2026-05-01T13:00:00Z");
    let mut group = c.benchmark_group("journeys/tick");
    group.sample_size(10);
    group.bench_function(format!("{n}_contacts_5_journeys_10pct_due"), |b| {
        b.iter_batched_ref(
            || base.clone(),
            |states| {
                let mut actions = 0;
                for (j, s) in journeys.iter().zip(states.iter_mut()) {
                    actions += j
                        .tick_all(s, &snapshot, as_of)
                        .expect("in range")
                        .actions
                        .len();
                }
                assert_eq!(actions, n / 10);
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
    base.clear();
}

criterion_group!(benches, bench);
criterion_main!(benches);
