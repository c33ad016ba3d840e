//! The state of one contact in one journey: small, serialisable, versioned.
//! The host stores it (a JSON value or its own columns) and passes it back
//! with the next input.

use serde::{Deserialize, Serialize};

use crate::model::{ContactId, DealId, Timestamp, check_timestamp};
use crate::{Error, Result};

/// The format version of [`JourneyState`]'s JSON; a state of another format
/// is refused.
pub const STATE_FORMAT: u32 = 1;

/// How many history entries a state keeps (the oldest are dropped and
/// counted in `history_dropped`).
pub const HISTORY_LIMIT: usize = 32;

/// Where a contact stands with a journey.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Never entered.
    #[default]
    NotEntered,
    /// Inside the journey, at `step`.
    Active,
    /// Reached an end (or a goal without a next step).
    Completed,
    /// Left through an exit condition or event.
    Exited,
}

/// One step taken, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    /// The step.
    pub step: String,
    /// When the step ran (the time it was due, or the event's time).
    pub at: Timestamp,
    /// How late it ran: `as_of` minus `at`, in seconds (catch-up after a
    /// pause shows here).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub late_seconds: i64,
    /// A reason code: `entered`, `action`, `waiting`, `waited`,
    /// `condition_met`, `event_met`, `timed_out`, `then`, `else`, `arm`,
    /// `goal_reached`, `goal_jump`, `goal_missed`, `jump`, `exit`, `end`,
    /// `start_journey`.
    pub reason: String,
    /// Details (the arm, the exit, the event id; for `action`, the id of
    /// the [`JourneyAction`](super::JourneyAction) the step emitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

fn format_version() -> u32 {
    STATE_FORMAT
}

/// The state of one contact in one journey (the default is
/// [`JourneyState::new`]: never entered).
///
/// JSON form (an active contact waiting at step `pause`):
/// `{"format": 1, "journey": "welcome", "version": 1, "status": "active",
/// "contact": "C-1", "run": 1, "entered_at": "...", "step": "pause",
/// "since": "...", "wake_at": "...", "history": [...]}`. `{}` (or an empty
/// string) is a contact that never entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JourneyState {
    /// The state format ([`STATE_FORMAT`]).
    #[serde(default = "format_version")]
    pub format: u32,
    /// The journey id (empty before the first entry).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub journey: String,
    /// The journey version the state belongs to.
    #[serde(default)]
    pub version: u32,
    /// Where the contact stands.
    #[serde(default)]
    pub status: Status,
    /// The contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactId>,
    /// The deal the contact entered with (deal-triggered journeys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal: Option<DealId>,
    /// How many times the contact entered (1 for the first run).
    #[serde(default)]
    pub run: u32,
    /// When the current (or last) run started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entered_at: Option<Timestamp>,
    /// The current step (active), or the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Since when the contact is at `step`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Timestamp>,
    /// When the contact is due next (a wait ends, a condition is re-checked,
    /// a timeout); `None` when only an event moves it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wake_at: Option<Timestamp>,
    /// The timeout of a `wait_until` or `wait_for_event` step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Timestamp>,
    /// The contact is to arrive at `step` when due (set by a migration that
    /// moved it; the step runs at the next tick).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub arriving: bool,
    /// Steps run in this run (makes action ids unique per visit).
    #[serde(default)]
    pub visits: u32,
    /// The split arms assigned: (split step, arm).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arms: Vec<(String, String)>,
    /// Goals reached in this run, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<String>,
    /// The exit taken (status `exited`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<String>,
    /// When the contact completed or exited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_at: Option<Timestamp>,
    /// The time of the latest input handled; older events are replays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_at: Option<Timestamp>,
    /// Ids of the events handled at `seen_at`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<String>,
    /// The latest steps taken (at most [`HISTORY_LIMIT`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
    /// How many older history entries were dropped.
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub history_dropped: u64,
}

fn is_zero_u64(v: &u64) -> bool {
    *v == 0
}

impl Default for JourneyState {
    fn default() -> JourneyState {
        JourneyState::new()
    }
}

impl JourneyState {
    /// The state of a contact that never entered.
    pub fn new() -> JourneyState {
        JourneyState {
            format: STATE_FORMAT,
            journey: String::new(),
            version: 0,
            status: Status::NotEntered,
            contact: None,
            deal: None,
            run: 0,
            entered_at: None,
            step: None,
            since: None,
            wake_at: None,
            deadline: None,
            arriving: false,
            visits: 0,
            arms: Vec::new(),
            goals: Vec::new(),
            exit: None,
            left_at: None,
            seen_at: None,
            seen: Vec::new(),
            history: Vec::new(),
            history_dropped: 0,
        }
    }

    /// Parses a state (`{}` or `""` is a contact that never entered).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) naming the path, or
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for another format.
    pub fn from_json(json: &str) -> Result<JourneyState> {
        if json.trim().is_empty() {
            return Ok(JourneyState::new());
        }
        let state: JourneyState = Error::parse_json(json)?;
        state.validate()?;
        Ok(state)
    }

    /// Checks a state built in Rust as [`JourneyState::from_json`] checks
    /// a parsed one, so both doors refuse the same values: the format is
    /// [`STATE_FORMAT`], at most [`HISTORY_LIMIT`] history entries, every
    /// time in years 1 to 9999, and an entered state names its journey and
    /// (while active) a non-empty step, with non-empty split arms and
    /// goals. [`Journey::advance`](super::Journey::advance), the batch
    /// tick and [`migrate`](fn@super::migrate) call it (naming `state.…`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) naming the field
    /// (`format`, `history`, `wake_at`, `history[3].at`, `step`, …).
    pub fn validate(&self) -> Result<()> {
        if self.format != STATE_FORMAT {
            return Err(Error::invalid(
                "format",
                format!(
                    "state format {} is not supported (expected {STATE_FORMAT})",
                    self.format
                ),
            ));
        }
        if self.history.len() > HISTORY_LIMIT {
            return Err(Error::invalid(
                "history",
                format!(
                    "at most {HISTORY_LIMIT} history entries, got {}",
                    self.history.len()
                ),
            ));
        }
        let times = [
            ("entered_at", self.entered_at),
            ("since", self.since),
            ("wake_at", self.wake_at),
            ("deadline", self.deadline),
            ("left_at", self.left_at),
            ("seen_at", self.seen_at),
        ];
        for (field, at) in times {
            if let Some(at) = at {
                check_timestamp(at, field)?;
            }
        }
        for (i, h) in self.history.iter().enumerate() {
            check_timestamp(h.at, format!("history[{i}].at"))?;
        }
        if self.status == Status::NotEntered {
            return Ok(());
        }
        if self.journey.is_empty() {
            return Err(Error::invalid(
                "journey",
                "an entered state names its journey (empty id)",
            ));
        }
        if self.is_active() && self.step.as_deref().is_none_or(str::is_empty) {
            return Err(Error::invalid(
                "step",
                "an active state names the step it is at (empty or missing)",
            ));
        }
        for (i, (step, arm)) in self.arms.iter().enumerate() {
            if step.is_empty() || arm.is_empty() {
                return Err(Error::invalid(
                    format!("arms[{i}]"),
                    "a split arm names its step and arm (empty id)",
                ));
            }
        }
        if let Some(i) = self.goals.iter().position(String::is_empty) {
            return Err(Error::invalid(format!("goals[{i}]"), "empty goal id"));
        }
        Ok(())
    }

    /// Writes the state as JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) if serialisation fails.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::new(crate::ErrorKind::Json, e.to_string()))
    }

    /// `true` while the contact is inside the journey.
    pub fn is_active(&self) -> bool {
        self.status == Status::Active
    }

    /// `true` when the contact is due at `as_of` (a wait or timeout ended, or
    /// a condition is to be re-checked).
    pub fn is_due(&self, as_of: Timestamp) -> bool {
        self.status == Status::Active && self.wake_at.is_some_and(|w| w <= as_of)
    }

    /// The arm the contact got in split `step`.
    pub fn arm(&self, step: &str) -> Option<&str> {
        self.arms
            .iter()
            .find(|(s, _)| s == step)
            .map(|(_, a)| a.as_str())
    }

    pub(crate) fn record(&mut self, entry: HistoryEntry) {
        if self.history.len() >= HISTORY_LIMIT {
            self.history.remove(0);
            self.history_dropped = self.history_dropped.saturating_add(1);
        }
        self.history.push(entry);
    }
}
