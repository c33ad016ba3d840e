//! What goes into an advance and what comes out: the [`Input`] (an event,
//! a tick or an [`Enrolled`]) and the [`Advance`] (the [`JourneyAction`]s,
//! the steps taken, when the contact is due next, or why nothing happened).

use serde::{Deserialize, Serialize};

use super::super::state::HistoryEntry;
use crate::automation::{Action, Effect, Event};
use crate::model::{ContactId, DealId, Timestamp};
use crate::{Error, Result};

/// An enrollment by a rule's `enroll_in_campaign` action (the $500
/// routing's nurture branch), built with [`Enrolled::from_action`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enrolled {
    /// The id of the action (the input's id for replay detection).
    pub id: String,
    /// The campaign enrolled in.
    pub campaign: String,
    /// The contact.
    pub contact: ContactId,
    /// The deal of the rule's event, if it was about a deal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal: Option<DealId>,
    /// When.
    pub at: Timestamp,
}

impl Enrolled {
    /// The enrollment an action of the rules engine makes: `None` unless it
    /// enrolls a known contact in a campaign.
    pub fn from_action(action: &Action, at: Timestamp) -> Option<Enrolled> {
        let Effect::EnrollInCampaign {
            campaign,
            contact: Some(contact),
        } = &action.effect
        else {
            return None;
        };
        let deal = action
            .entity
            .strip_prefix("deal:")
            .and_then(|d| d.parse().ok());
        Some(Enrolled {
            id: action.id.clone(),
            campaign: campaign.to_string(),
            contact: contact.clone(),
            deal,
            at,
        })
    }
}

/// What moves a contact. JSON form: `{"event": {...}}`, `"tick"` or
/// `{"enrolled": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // an input is built once per call
pub enum Input {
    /// Something happened to the contact.
    Event(Event),
    /// Time passed: run what is due at `as_of`.
    Tick,
    /// A rule's action enrolled the contact.
    Enrolled(Enrolled),
}

impl Input {
    /// Parses an input from JSON; errors name the path.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) naming the path.
    pub fn from_json(json: &str) -> Result<Input> {
        Error::parse_json(json)
    }
}

/// Starting another journey (the host feeds it to that journey as an
/// enrollment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartJourney {
    /// The journey to start.
    pub journey: String,
    /// The contact.
    pub contact: ContactId,
    /// The deal the contact is in this journey with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal: Option<DealId>,
}

/// What an action step does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JourneyEffect {
    /// An action of the rules engine (e-mail, task, tag...).
    Rule(Effect),
    /// Start another journey.
    StartJourney(StartJourney),
}

/// An action for the host to carry out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JourneyAction {
    /// Deterministic id: the same step, visit and contact give the same id.
    pub id: String,
    /// The step that acted.
    pub step: String,
    /// When it was due.
    pub at: Timestamp,
    /// How late it runs (`as_of - at`, seconds).
    pub late_seconds: i64,
    /// What to do.
    pub effect: JourneyEffect,
}

/// Why an input did nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Idle {
    /// Nothing is due yet (a tick).
    NotDue,
    /// The contact is not in the journey and the input does not enroll it.
    NoEntry,
    /// The entry condition does not hold.
    EntryCondition,
    /// The re-entry policy keeps the contact out.
    Reentry,
    /// The event was handled before (or is older than one handled).
    Replay,
    /// The contact is in the journey; the event changes nothing.
    NoEffect,
    /// The contact is in the journey for a deal and the event is about
    /// another of its deals: a deal's journey does not hear the contact's
    /// other deals (their wins, losses and values).
    OtherDeal,
}

/// The result of one advance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Advance {
    /// The actions, in the order they were due.
    pub actions: Vec<JourneyAction>,
    /// The steps taken, with their reasons and lateness.
    pub taken: Vec<HistoryEntry>,
    /// When the contact is due next (`None`: only an event moves it, or it
    /// left).
    pub next_wake_at: Option<Timestamp>,
    /// Why nothing happened, when nothing did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle: Option<Idle>,
}
