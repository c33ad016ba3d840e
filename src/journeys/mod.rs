//! Journeys: multi-step automations over time (welcome series, nurture
//! campaigns, follow-ups) as a pure, durable state machine.
//!
//! A journey is JSON — entry triggers, exits, and a graph of steps
//! (actions, waits, waits for a condition or an event, if/else, A/B/n
//! splits, goals, jumps, ends) — validated and compiled once into an
//! immutable, `Send + Sync` [`Journey`]. The host stores one small
//! [`JourneyState`] per contact and journey and calls
//! [`Journey::advance`] with an [`Input`] (an event, a tick, or an
//! enrollment by a rule's action), the snapshot and `as_of`; it gets the
//! actions, the new state and when to call again. crmkit never sleeps,
//! never reads a clock and never does I/O.
//!
//! Conditions and actions are the rules engine's ([`crate::automation`]):
//! the same fields, operators, action kinds and deterministic action ids.
//!
//! ```
//! use crmkit::automation::{Event, EventType};
//! use crmkit::journeys::{Input, Journey, JourneyState, Status};
//! use crmkit::model::Dataset;
//!
//! let journey = Journey::from_json(r#"{
//!   "id": "welcome", "start": "hello",
//!   "entry": {"triggers": [{"type": "contact_created"}]},
//!   "exits": [{"id": "bought", "event": {"type": "purchase_made"}}],
//!   "steps": [
//!     {"id": "hello", "type": "action", "action": {"type": "send_email", "template": "welcome-1"}, "next": "pause"},
//!     {"id": "pause", "type": "wait", "days": 3, "next": "tips"},
//!     {"id": "tips", "type": "action", "action": {"type": "send_email", "template": "welcome-2"}, "next": "done"},
//!     {"id": "done", "type": "end"}]}"#)?;
//! let snapshot = Dataset::from_json(r#"{"contacts": [
//!   {"id": "C-1", "name": "Ada", "created_at": "2026-05-01T09:00:00Z"}]}"#)?;
//! let t0 = "2026-05-01T09:00:00Z".parse().unwrap();
//! let mut created = Event::new("E-1", EventType::ContactCreated, t0);
//! created.contact = Some("C-1".parse()?);
//!
//! let (out, state) = journey.advance(&JourneyState::new(), &Input::Event(created), &snapshot, t0)?;
//! assert_eq!(out.actions.len(), 1); // welcome-1
//! assert_eq!(out.actions[0].id, "welcome:hello/then/contact:C-1/r1.v1/0");
//! assert_eq!(out.next_wake_at, Some("2026-05-04T09:00:00Z".parse().unwrap()));
//!
//! // A week later (the host was down): the wait ran, three days late.
//! let later = "2026-05-07T09:00:00Z".parse().unwrap();
//! let (out, state) = journey.advance(&state, &Input::Tick, &snapshot, later)?;
//! assert_eq!(out.actions.len(), 1); // welcome-2
//! assert_eq!(out.actions[0].late_seconds, 3 * 86_400);
//! assert_eq!(state.status, Status::Completed);
//! // Replaying the tick does nothing.
//! assert!(journey.advance(&state, &Input::Tick, &snapshot, later)?.0.actions.is_empty());
//! Ok::<(), crmkit::Error>(())
//! ```

mod advance;
mod analysis;
mod batch;
mod compile;
mod definition;
mod graph;
pub mod migrate;
pub mod presets;
mod schedule;
mod simulate;
mod state;
pub mod time_zone;

pub use advance::{
    Advance, Enrolled, Idle, Input, JourneyAction, JourneyEffect, STEP_BUDGET, StartJourney,
};
pub use analysis::{JourneyAnalysis, JourneyFinding, analyze};
pub use batch::{BatchTick, due, next_wake};
pub use compile::{Journey, TIME_ZONE_FIELD};
pub use definition::{
    ArmDoc, DurationDoc, EntryDoc, ExitDoc, GoalMiss, JourneyDoc, Reentry, StepDoc,
};
pub use migrate::{Migration, Move, MoveRule, migrate, migrate_all};
pub use simulate::{
    ArmStats, GoalStats, Share, Simulation, StepStats, ZTest, history_events, two_proportion_z_test,
};
pub use state::{HISTORY_LIMIT, HistoryEntry, JourneyState, STATE_FORMAT, Status};
pub use time_zone::TimeZoneRule;
