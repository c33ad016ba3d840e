//! The journey document: entry, exits and the graph of steps, as written in
//! JSON (validated and compiled by [`Journey::compile`](super::Journey::compile)).

use serde::{Deserialize, Serialize};

use crate::automation::{ActionSpec, Condition, Trigger};

/// A journey as written in JSON.
///
/// ```json
/// {"id": "welcome", "version": 1, "start": "hello",
///  "entry": {"triggers": [{"type": "contact_created"}], "reentry": "once"},
///  "exits": [{"id": "bought", "event": {"type": "purchase_made"}}],
///  "steps": [
///    {"id": "hello", "type": "action", "action": {"type": "send_email", "template": "welcome-1"}, "next": "pause"},
///    {"id": "pause", "type": "wait", "days": 3, "at": "09:00", "next": "done"},
///    {"id": "done", "type": "end"}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JourneyDoc {
    /// Unique id (part of every action id; no `/`).
    pub id: String,
    /// Version of the definition (1 or more); states remember it and
    /// [`migrate`](fn@super::migrate) moves them to a newer one.
    #[serde(default = "one")]
    pub version: u32,
    /// Display name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The time zone of local-time waits (`at`, business days) for
    /// contacts without one of their own: the dataset's time zone (default
    /// UTC). A fixed offset (`"+01:00"`), a POSIX TZ rule with daylight
    /// saving (`"CET-1CEST,M3.5.0,M10.5.0/3"`) or a name of the built-in
    /// table (`"Europe/Paris"`, current rules only); see
    /// [`TimeZoneRule`](super::TimeZoneRule). Parsed at load; an error
    /// names `time_zone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// The contact field holding the contact's own time zone, in any form
    /// `time_zone` accepts (default `contact.attributes.utc_offset`). A
    /// value that is not a time zone makes advancing that contact fail
    /// with an error naming the field and the contact, when a local-time
    /// wait needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone_field: Option<String>,
    /// Who enters and when.
    pub entry: EntryDoc,
    /// Conditions or events that take the contact out of the journey at any
    /// step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exits: Vec<ExitDoc>,
    /// The first step.
    pub start: String,
    /// The steps (a graph linked by step ids).
    pub steps: Vec<StepDoc>,
}

fn one() -> u32 {
    1
}

/// Who enters a journey and how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryDoc {
    /// Events that enroll the contact (every trigger of the rules engine).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    /// Campaigns whose `enroll_in_campaign` action (from a rule, such as the
    /// $500 routing's nurture branch) enrolls the contact.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enrolled_by: Vec<String>,
    /// Only contacts for which this holds at the entry event enter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// Whether a contact that left may enter again (default `once`).
    #[serde(default)]
    pub reentry: Reentry,
}

/// Re-entry policy. JSON form: `"once"`, `"every_time"` or
/// `{"again_after_days": 30}`. A contact inside the journey never enters it
/// a second time at once; the policy applies once it completed or exited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reentry {
    /// Never again.
    #[default]
    Once,
    /// Again when this many days have passed since the last entry.
    AgainAfterDays(u32),
    /// Every time a trigger fires after the contact left.
    EveryTime,
}

/// A reason to leave the journey at any step: exactly one of `condition`
/// and `event`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExitDoc {
    /// Names the exit in states and reports.
    pub id: String,
    /// Leave when this holds (checked on every event and every step taken).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// Leave when such an event arrives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Trigger>,
}

/// A duration: calendar days, business days (Monday to Friday in the
/// contact's time zone) or hours; at most one of them. `at` then moves the
/// end forward to the next such local time (`"09:00"`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DurationDoc {
    /// Calendar days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// Business days (weekends skipped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_days: Option<u32>,
    /// Hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<u32>,
    /// Then until this local time (`HH:MM`) in the contact's time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// One arm of a split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmDoc {
    /// Arm id (`"A"`).
    pub id: String,
    /// Weight in percent; the arms of a split add up to 100.
    pub weight: u32,
    /// The step the arm leads to.
    pub next: String,
}

/// What to do when a contact reaches a goal step whose goal does not hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalMiss {
    /// Go on to the goal's next step without a conversion (default).
    #[default]
    Continue,
    /// Wait at the goal until it holds.
    Wait,
    /// Leave the journey.
    End,
}

/// One step of the graph, tagged by `type`; every step has a unique `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum StepDoc {
    /// Run an action of the rules engine (e-mail, task, tag, score, stage,
    /// discount, survey, notify, campaign).
    Action {
        /// Unique step id.
        id: String,
        /// The action.
        action: ActionSpec,
        /// The next step.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next: Option<String>,
    },
    /// Start another journey for the contact.
    StartJourney {
        /// Unique step id.
        id: String,
        /// The journey to start.
        journey: String,
        /// The next step.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next: Option<String>,
    },
    /// Wait for a duration and/or until a local time.
    Wait {
        /// Unique step id.
        id: String,
        /// Calendar days.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        days: Option<u32>,
        /// Business days (Monday to Friday in the contact's time zone).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        business_days: Option<u32>,
        /// Hours.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hours: Option<u32>,
        /// Then until this local time (`HH:MM`) in the contact's time zone.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<String>,
        /// The next step.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next: Option<String>,
    },
    /// Wait until a condition holds, at most `timeout`.
    WaitUntil {
        /// Unique step id.
        id: String,
        /// The condition.
        condition: Condition,
        /// The longest wait.
        timeout: DurationDoc,
        /// How often a tick re-checks the condition (default 1 hour; events
        /// re-check it at once).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        check_every_hours: Option<u32>,
        /// The step after the condition held.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        met: Option<String>,
        /// The step after the timeout.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timed_out: Option<String>,
    },
    /// Wait for an event (e-mail opened or clicked, form submitted,
    /// purchase), at most `timeout`.
    WaitForEvent {
        /// Unique step id.
        id: String,
        /// The event awaited.
        event: Trigger,
        /// The longest wait.
        timeout: DurationDoc,
        /// The step after the event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        met: Option<String>,
        /// The step after the timeout.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timed_out: Option<String>,
    },
    /// Branch on a condition.
    If {
        /// Unique step id.
        id: String,
        /// The condition.
        condition: Condition,
        /// When it holds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        then: Option<String>,
        /// When it does not.
        #[serde(default, rename = "else", skip_serializing_if = "Option::is_none")]
        otherwise: Option<String>,
    },
    /// A/B/n split: each contact gets one arm, deterministically from the
    /// journey id, the step id and the contact id.
    Split {
        /// Unique step id.
        id: String,
        /// The arms.
        arms: Vec<ArmDoc>,
    },
    /// A goal: when its condition holds (or its event arrives), the contact
    /// jumps here from wherever it waits and a conversion is counted.
    Goal {
        /// Unique step id.
        id: String,
        /// The goal condition.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        condition: Option<Condition>,
        /// Or the goal event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<Trigger>,
        /// Reaching the goal step in sequence while the goal does not hold.
        #[serde(default)]
        if_not_met: GoalMiss,
        /// The step after the goal; none completes the journey.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next: Option<String>,
    },
    /// Go to another step.
    Jump {
        /// Unique step id.
        id: String,
        /// The step.
        to: String,
    },
    /// Leave the journey (completed).
    End {
        /// Unique step id.
        id: String,
    },
}

impl StepDoc {
    /// The step id.
    pub fn id(&self) -> &str {
        match self {
            StepDoc::Action { id, .. }
            | StepDoc::StartJourney { id, .. }
            | StepDoc::Wait { id, .. }
            | StepDoc::WaitUntil { id, .. }
            | StepDoc::WaitForEvent { id, .. }
            | StepDoc::If { id, .. }
            | StepDoc::Split { id, .. }
            | StepDoc::Goal { id, .. }
            | StepDoc::Jump { id, .. }
            | StepDoc::End { id } => id,
        }
    }

    /// The JSON `type` name.
    pub fn type_name(&self) -> &'static str {
        match self {
            StepDoc::Action { .. } => "action",
            StepDoc::StartJourney { .. } => "start_journey",
            StepDoc::Wait { .. } => "wait",
            StepDoc::WaitUntil { .. } => "wait_until",
            StepDoc::WaitForEvent { .. } => "wait_for_event",
            StepDoc::If { .. } => "if",
            StepDoc::Split { .. } => "split",
            StepDoc::Goal { .. } => "goal",
            StepDoc::Jump { .. } => "jump",
            StepDoc::End { .. } => "end",
        }
    }

    /// `true` for the steps where a contact stays until time passes or
    /// something happens.
    pub fn waits(&self) -> bool {
        matches!(
            self,
            StepDoc::Wait { .. }
                | StepDoc::WaitUntil { .. }
                | StepDoc::WaitForEvent { .. }
                | StepDoc::Goal {
                    if_not_met: GoalMiss::Wait,
                    ..
                }
        )
    }

    /// The outgoing links: (JSON field, target), `None` targets where a link
    /// is required but missing (a dead end).
    pub fn links(&self) -> Vec<(String, Option<&str>)> {
        fn one<'s>(name: &str, t: &'s Option<String>) -> Vec<(String, Option<&'s str>)> {
            vec![(name.to_string(), t.as_deref())]
        }
        match self {
            StepDoc::Action { next, .. }
            | StepDoc::StartJourney { next, .. }
            | StepDoc::Wait { next, .. } => one("next", next),
            StepDoc::WaitUntil { met, timed_out, .. }
            | StepDoc::WaitForEvent { met, timed_out, .. } => vec![
                ("met".to_string(), met.as_deref()),
                ("timed_out".to_string(), timed_out.as_deref()),
            ],
            StepDoc::If {
                then, otherwise, ..
            } => vec![
                ("then".to_string(), then.as_deref()),
                ("else".to_string(), otherwise.as_deref()),
            ],
            StepDoc::Split { arms, .. } => arms
                .iter()
                .enumerate()
                .map(|(i, a)| (format!("arms[{i}].next"), Some(a.next.as_str())))
                .collect(),
            StepDoc::Goal { next, .. } => match next {
                Some(n) => vec![("next".to_string(), Some(n.as_str()))],
                None => Vec::new(),
            },
            StepDoc::Jump { to, .. } => vec![("to".to_string(), Some(to.as_str()))],
            StepDoc::End { .. } => Vec::new(),
        }
    }
}
