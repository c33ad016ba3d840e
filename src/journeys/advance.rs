//! Pure execution: [`Journey::advance`] takes a contact's state, an input
//! (an event, a tick, or an enrollment by a rule's action), the snapshot and
//! `as_of`, and returns the actions, the new state and when the contact is
//! due next.
//!
//! Time only moves through `as_of` and the inputs' times. A tick runs every
//! wait that has ended by `as_of`, in time order, each at the time it was
//! due (so actions carry the time they would have run), and reports how
//! late each step ran. Replaying an input gives no new actions: events
//! already handled are recognised by id and time, and action ids are
//! deterministic (`journey:step/then/contact:C-1/r1.v3/0`: the rules
//! engine's format, with the run and the visit of the step as the event).

use std::borrow::Cow;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::compile::{Journey, Kind};
use super::definition::{GoalMiss, Reentry};
use super::schedule::{split_bucket, stable_hash};
use super::state::{HISTORY_LIMIT, HistoryEntry, JourneyState, STATE_FORMAT, Status};
use super::time_zone::TimeZoneRule;
use crate::automation::{Action, Effect, EnrollmentState, Event, EventType};
use crate::model::{
    ContactId, Dataset, DealId, FieldValue, MAX_TIMESTAMP, Timestamp, check_timestamp,
};
use crate::{Error, Result};

/// The most steps one call runs for one contact (a catch-up over a very long
/// pause may need several calls; the contact stays due).
pub const STEP_BUDGET: u32 = 10_000;

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

enum Go {
    Arrive(usize, Timestamp),
    Goal(usize, Timestamp, &'static str, Option<String>),
    Wake,
}

struct Runner<'a> {
    journey: &'a Journey,
    snapshot: &'a Dataset,
    as_of: Timestamp,
    until: Timestamp,
    zone: TimeZoneRule,
    budget: u32,
    out: Advance,
}

impl Journey {
    /// The time zone of local-time waits (`at`, business days) for
    /// `contact`: its own (the time zone field), else the journey's. Only
    /// read when the journey has such waits.
    ///
    /// # Errors
    ///
    /// The contact's field holds something that is not a time zone (see
    /// [`TimeZoneRule::parse`]): the error names the field and the contact.
    pub(crate) fn zone_for(
        &self,
        snapshot: &Dataset,
        contact: Option<&ContactId>,
    ) -> Result<TimeZoneRule> {
        if !self.local_time {
            return Ok(self.zone);
        }
        let Some(contact) = contact.and_then(|c| snapshot.contact(c)) else {
            return Ok(self.zone);
        };
        let company = snapshot.company_of(contact);
        let refuse = |why: String| {
            Error::invalid(
                self.time_zone_field_name.as_str(),
                format!("contact {}: {why}", contact.id),
            )
        };
        match self.time_zone_field.resolve(contact, company) {
            None => Ok(self.zone),
            Some(FieldValue::Text(text)) => {
                TimeZoneRule::parse(text).map_err(|e| refuse(e.message().to_string()))
            }
            Some(other) => Err(refuse(format!(
                "{other:?} is not a time zone (expected text such as \"+02:00\", \"Europe/Paris\" or \"CET-1CEST,M3.5.0,M10.5.0/3\")"
            ))),
        }
    }

    /// Advances one contact: returns what to do and the new state (`state`
    /// itself is not changed).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) when the state
    /// belongs to another journey, version (migrate it first) or contact, or
    /// names an unknown step; when the state fails
    /// [`JourneyState::validate`] (`state.history`, `state.wake_at`, …);
    /// when `as_of` is outside years 1 to 9999 (`as_of`); when the event is
    /// invalid or later than `as_of`; errors of conditions (money across currencies without
    /// rates). Errors leave no partial result.
    pub fn advance(
        &self,
        state: &JourneyState,
        input: &Input,
        snapshot: &Dataset,
        as_of: Timestamp,
    ) -> Result<(Advance, JourneyState)> {
        let mut next = state.clone();
        let out = self.advance_in_place(&mut next, input, snapshot, as_of)?;
        Ok((out, next))
    }

    /// Like [`Journey::advance`], but updates `state` in place (only on
    /// success). A tick for a contact with nothing due touches nothing and
    /// allocates nothing.
    ///
    /// # Errors
    ///
    /// As [`Journey::advance`].
    pub fn advance_in_place(
        &self,
        state: &mut JourneyState,
        input: &Input,
        snapshot: &Dataset,
        as_of: Timestamp,
    ) -> Result<Advance> {
        check_timestamp(as_of, "as_of")?;
        if matches!(input, Input::Tick) && !state.is_due(as_of) {
            // The cheap part of the state's checks (a full check of a
            // state with nothing due would cost more than the tick).
            if state.format != STATE_FORMAT
                || state.history.len() > HISTORY_LIMIT
                || state.wake_at.is_some_and(|w| w > MAX_TIMESTAMP)
            {
                state.validate().map_err(|e| e.with_path_prefix("state"))?;
            }
            return Ok(Advance {
                next_wake_at: state.wake_at.filter(|_| state.is_active()),
                idle: Some(Idle::NotDue),
                ..Advance::default()
            });
        }
        self.check_state(state)?;
        let mut work = state.clone();
        let mut runner = Runner {
            journey: self,
            snapshot,
            as_of,
            until: as_of,
            zone: self.zone,
            budget: STEP_BUDGET,
            out: Advance::default(),
        };
        runner.zone = runner.zone_of(&work)?;
        match input {
            Input::Tick => runner.drive(&mut work, Go::Wake)?,
            Input::Event(event) => runner.on_event(&mut work, event)?,
            Input::Enrolled(enrolled) => runner.on_enrolled(&mut work, enrolled)?,
        }
        let mut out = runner.out;
        out.next_wake_at = work.wake_at.filter(|_| work.is_active());
        if out.taken.is_empty() && out.idle.is_none() {
            out.idle = Some(Idle::NoEffect);
        }
        *state = work;
        Ok(out)
    }

    fn check_state(&self, state: &JourneyState) -> Result<()> {
        state.validate().map_err(|e| e.with_path_prefix("state"))?;
        if state.status == Status::NotEntered {
            return Ok(());
        }
        if state.journey != self.doc.id {
            return Err(Error::invalid(
                "state.journey",
                format!(
                    "the state belongs to journey {:?}, not {:?}",
                    state.journey, self.doc.id
                ),
            ));
        }
        if state.version != self.doc.version {
            return Err(Error::invalid(
                "state.version",
                format!(
                    "the state is at version {} of the journey, which is at version {}: migrate it first",
                    state.version, self.doc.version
                ),
            ));
        }
        if state.contact.is_none() {
            return Err(Error::invalid(
                "state.contact",
                "an entered state names its contact",
            ));
        }
        if state.is_active() {
            let known = state.step.as_deref().and_then(|s| self.position(s));
            if known.is_none() {
                return Err(Error::invalid(
                    "state.step",
                    format!("unknown step {:?}", state.step.as_deref().unwrap_or("")),
                ));
            }
        }
        Ok(())
    }
}

fn contact_in(st: &JourneyState) -> Result<ContactId> {
    st.contact
        .clone()
        .ok_or_else(|| Error::invalid("state.contact", "an entered state names its contact"))
}

/// The turn a round-robin assignment of a journey takes: a stable hash of
/// the team and the contact. A journey's state belongs to one contact, so
/// it cannot carry a team's rotation from one contact to the next; instead
/// each contact is given the same rep of the team every time (in every
/// step and journey, in every replay), and the reps share the contacts
/// evenly on average. The turn indexes the team's active reps sorted by id,
/// as in the rules engine.
fn round_robin_turn(team: &str, event: &Event) -> u64 {
    let contact = event.contact.as_ref().map_or("", |c| c.as_str());
    stable_hash(&["round_robin", team, contact])
}

/// Whether `event` is about a deal other than the one the contact is in
/// the journey for.
fn about_other_deal(st: &JourneyState, event: &Event) -> bool {
    matches!((&st.deal, &event.deal), (Some(mine), Some(theirs)) if mine != theirs)
}

fn late(as_of: Timestamp, at: Timestamp) -> i64 {
    (as_of - at).num_seconds().max(0)
}

impl Runner<'_> {
    fn zone_of(&self, st: &JourneyState) -> Result<TimeZoneRule> {
        self.journey.zone_for(self.snapshot, st.contact.as_ref())
    }

    fn record(
        &mut self,
        st: &mut JourneyState,
        step: usize,
        at: Timestamp,
        reason: &str,
        detail: Option<String>,
    ) {
        let id = self
            .journey
            .steps
            .get(step)
            .map(|s| s.id.clone())
            .unwrap_or_default();
        let entry = HistoryEntry {
            step: id,
            at,
            late_seconds: late(self.as_of, at),
            reason: reason.to_string(),
            detail,
        };
        self.out.taken.push(entry.clone());
        st.record(entry);
    }

    /// The event conditions are read with when no event is at hand.
    fn check_event(st: &JourneyState, at: Timestamp) -> Event {
        let mut e = Event::new("journey-check", EventType::ContactUpdated, at);
        e.contact = st.contact.clone();
        e.deal = st.deal.clone();
        e
    }

    fn exit_by_condition(&self, event: &Event) -> Result<Option<String>> {
        for exit in &self.journey.exits {
            if let Some(c) = &exit.condition
                && c.holds(event, self.snapshot, self.as_of)?
            {
                return Ok(Some(exit.id.clone()));
            }
        }
        Ok(None)
    }

    fn leave(&mut self, st: &mut JourneyState, at: Timestamp, exit: String) {
        let step = st
            .step
            .as_deref()
            .and_then(|s| self.journey.position(s))
            .unwrap_or(0);
        self.record(st, step, at, "exit", Some(exit.clone()));
        st.status = Status::Exited;
        st.exit = Some(exit);
        st.left_at = Some(at);
        st.wake_at = None;
        st.deadline = None;
    }

    fn complete(&mut self, st: &mut JourneyState, at: Timestamp) {
        st.status = Status::Completed;
        st.left_at = Some(at);
        st.wake_at = None;
        st.deadline = None;
    }

    /// The first goal (not yet reached in this run) that the event or the
    /// condition satisfies.
    fn goal_hit(&self, st: &JourneyState, event: &Event, real: bool) -> Result<Option<usize>> {
        for &g in &self.journey.goals {
            let Some(step) = self.journey.steps.get(g) else {
                continue;
            };
            if st.goals.contains(&step.id) {
                continue;
            }
            if let Kind::Goal {
                condition,
                event: trigger,
                ..
            } = &step.kind
            {
                let by_event = real && trigger.as_ref().is_some_and(|t| t.matches(event));
                let by_condition = match condition {
                    Some(c) => c.holds(event, self.snapshot, self.as_of)?,
                    None => false,
                };
                if by_event || by_condition {
                    return Ok(Some(g));
                }
            }
        }
        Ok(None)
    }

    fn drive(&mut self, st: &mut JourneyState, mut go: Go) -> Result<()> {
        loop {
            if self.budget == 0 || st.status != Status::Active {
                return Ok(());
            }
            self.budget -= 1;
            go = match go {
                Go::Arrive(idx, at) => {
                    if self.journey.exit_conditions {
                        let check = Self::check_event(st, at);
                        if let Some(exit) = self.exit_by_condition(&check)? {
                            self.leave(st, at, exit);
                            return Ok(());
                        }
                    }
                    match self.arrive(st, idx, at)? {
                        Some(next) => next,
                        None => return Ok(()),
                    }
                }
                Go::Goal(idx, at, reason, detail) => {
                    match self.reach_goal(st, idx, at, reason, detail) {
                        Some(next) => next,
                        None => return Ok(()),
                    }
                }
                Go::Wake => {
                    let Some(wake) = st.wake_at.filter(|w| *w <= self.until) else {
                        return Ok(());
                    };
                    if st.arriving {
                        st.arriving = false;
                        match self.current(st) {
                            Some(idx) => {
                                go = Go::Arrive(idx, wake);
                                continue;
                            }
                            None => {
                                return Err(Error::invalid(
                                    "state.step",
                                    "the state names no step",
                                ));
                            }
                        }
                    }
                    let goal = if self.journey.exit_conditions || self.journey.goal_conditions {
                        let check = Self::check_event(st, wake);
                        if let Some(exit) = self.exit_by_condition(&check)? {
                            self.leave(st, wake, exit);
                            return Ok(());
                        }
                        self.goal_hit(st, &check, false)?
                    } else {
                        None
                    };
                    if let Some(g) = goal {
                        Go::Goal(g, wake, "goal_jump", None)
                    } else {
                        match self.wake(st, wake)? {
                            Some(next) => next,
                            None => return Ok(()),
                        }
                    }
                }
            };
        }
    }

    fn current(&self, st: &JourneyState) -> Option<usize> {
        st.step.as_deref().and_then(|s| self.journey.position(s))
    }

    fn wait_at(
        &mut self,
        st: &mut JourneyState,
        idx: usize,
        at: Timestamp,
        wake: Option<Timestamp>,
        deadline: Option<Timestamp>,
    ) -> Option<Go> {
        st.since = Some(at);
        st.wake_at = wake;
        st.deadline = deadline;
        self.record(
            st,
            idx,
            at,
            "waiting",
            wake.map(|w| format!("until {}", w.to_rfc3339())),
        );
        Some(Go::Wake)
    }

    fn arrive(&mut self, st: &mut JourneyState, idx: usize, at: Timestamp) -> Result<Option<Go>> {
        let journey = self.journey;
        let Some(step) = journey.steps.get(idx) else {
            return Err(Error::invalid("state.step", "step out of range"));
        };
        st.step = Some(step.id.clone());
        st.since = Some(at);
        st.wake_at = None;
        st.deadline = None;
        st.arriving = false;
        st.visits = st.visits.saturating_add(1);
        let check = || Self::check_event(st, at);
        Ok(match &step.kind {
            Kind::Action { action, next } => {
                let contact = contact_in(st)?;
                let kind = match st.deal {
                    Some(_) => EventType::DealValueChanged,
                    None => EventType::ContactUpdated,
                };
                let mut event = Event::new(format!("r{}.v{}", st.run, st.visits), kind, at);
                event.contact = Some(contact);
                event.deal = st.deal.clone();
                let mut turns = EnrollmentState::default();
                if let Some(team) = action.round_robin_team() {
                    turns
                        .round_robin
                        .insert(team.to_string(), round_robin_turn(team.as_str(), &event));
                }
                let done = action.resolve(&event, self.snapshot, &mut turns, self.as_of)?;
                self.record(st, idx, at, "action", Some(done.id.clone()));
                self.out.actions.push(JourneyAction {
                    id: done.id,
                    step: step.id.clone(),
                    at,
                    late_seconds: late(self.as_of, at),
                    effect: JourneyEffect::Rule(done.effect),
                });
                Some(Go::Arrive(*next, at))
            }
            Kind::StartJourney {
                journey: other,
                next,
            } => {
                let contact = contact_in(st)?;
                let id = format!(
                    "{}:{}/then/contact:{}/r{}.v{}/0",
                    journey.doc.id, step.id, contact, st.run, st.visits
                );
                self.out.actions.push(JourneyAction {
                    id,
                    step: step.id.clone(),
                    at,
                    late_seconds: late(self.as_of, at),
                    effect: JourneyEffect::StartJourney(StartJourney {
                        journey: other.clone(),
                        contact,
                        deal: st.deal.clone(),
                    }),
                });
                self.record(st, idx, at, "start_journey", Some(other.clone()));
                Some(Go::Arrive(*next, at))
            }
            Kind::Wait { wait, .. } => {
                let wake = wait.end(at, &self.zone);
                self.wait_at(st, idx, at, Some(wake), None)
            }
            Kind::WaitUntil {
                condition,
                timeout,
                check_every_hours,
                met,
                ..
            } => {
                if condition.holds(&check(), self.snapshot, self.as_of)? {
                    self.record(st, idx, at, "condition_met", None);
                    Some(Go::Arrive(*met, at))
                } else {
                    let deadline = timeout.end(at, &self.zone);
                    let poll = at + Duration::hours(i64::from(*check_every_hours));
                    self.wait_at(st, idx, at, Some(poll.min(deadline)), Some(deadline))
                }
            }
            Kind::WaitForEvent { timeout, .. } => {
                let deadline = timeout.end(at, &self.zone);
                self.wait_at(st, idx, at, Some(deadline), Some(deadline))
            }
            Kind::If {
                condition,
                then,
                otherwise,
            } => {
                if condition.holds(&check(), self.snapshot, self.as_of)? {
                    self.record(st, idx, at, "then", None);
                    Some(Go::Arrive(*then, at))
                } else {
                    self.record(st, idx, at, "else", None);
                    Some(Go::Arrive(*otherwise, at))
                }
            }
            Kind::Split { arms } => {
                let contact = st.contact.as_ref().map_or("", |c| c.as_str());
                let bucket = split_bucket(&journey.doc.id, &step.id, contact);
                let arm = arms.iter().find(|a| bucket < a.upto).or(arms.last());
                let Some(arm) = arm else {
                    return Err(Error::invalid("steps", "split without arms"));
                };
                st.arms.retain(|(s, _)| *s != step.id);
                st.arms.push((step.id.clone(), arm.id.clone()));
                self.record(st, idx, at, "arm", Some(arm.id.clone()));
                Some(Go::Arrive(arm.next, at))
            }
            Kind::Goal {
                condition,
                miss,
                next,
                ..
            } => {
                let met = match condition {
                    Some(c) => c.holds(&check(), self.snapshot, self.as_of)?,
                    None => false,
                };
                if met {
                    Some(Go::Goal(idx, at, "goal_reached", None))
                } else {
                    match miss {
                        GoalMiss::Continue => {
                            self.record(st, idx, at, "goal_missed", None);
                            match next {
                                Some(n) => Some(Go::Arrive(*n, at)),
                                None => {
                                    self.complete(st, at);
                                    None
                                }
                            }
                        }
                        GoalMiss::Wait => {
                            self.wait_at(st, idx, at, None, None);
                            None
                        }
                        GoalMiss::End => {
                            self.record(st, idx, at, "goal_missed", Some("end".into()));
                            self.complete(st, at);
                            None
                        }
                    }
                }
            }
            Kind::Jump { to } => {
                self.record(st, idx, at, "jump", None);
                Some(Go::Arrive(*to, at))
            }
            Kind::End => {
                self.record(st, idx, at, "end", None);
                self.complete(st, at);
                None
            }
        })
    }

    fn reach_goal(
        &mut self,
        st: &mut JourneyState,
        idx: usize,
        at: Timestamp,
        reason: &'static str,
        detail: Option<String>,
    ) -> Option<Go> {
        let (id, next) = match self.journey.steps.get(idx) {
            Some(step) => match &step.kind {
                Kind::Goal { next, .. } => (step.id.clone(), *next),
                _ => (step.id.clone(), None),
            },
            None => return None,
        };
        st.step = Some(id.clone());
        st.since = Some(at);
        st.wake_at = None;
        st.deadline = None;
        if !st.goals.contains(&id) {
            st.goals.push(id);
        }
        self.record(st, idx, at, reason, detail);
        match next {
            Some(n) => Some(Go::Arrive(n, at)),
            None => {
                self.complete(st, at);
                None
            }
        }
    }

    fn wake(&mut self, st: &mut JourneyState, wake: Timestamp) -> Result<Option<Go>> {
        let Some(idx) = self.current(st) else {
            return Err(Error::invalid("state.step", "the state names no step"));
        };
        let journey = self.journey;
        let Some(step) = journey.steps.get(idx) else {
            return Err(Error::invalid("state.step", "step out of range"));
        };
        Ok(match &step.kind {
            Kind::Wait { next, .. } => {
                self.record(st, idx, wake, "waited", None);
                Some(Go::Arrive(*next, wake))
            }
            Kind::WaitUntil {
                condition,
                check_every_hours,
                met,
                timed_out,
                ..
            } => {
                let check = Self::check_event(st, wake);
                let deadline = st.deadline.unwrap_or(wake);
                if condition.holds(&check, self.snapshot, self.as_of)? {
                    self.record(st, idx, wake, "condition_met", None);
                    Some(Go::Arrive(*met, wake))
                } else if wake >= deadline {
                    self.record(st, idx, wake, "timed_out", None);
                    Some(Go::Arrive(*timed_out, wake))
                } else {
                    let poll = wake + Duration::hours(i64::from(*check_every_hours));
                    st.wake_at = Some(poll.min(deadline));
                    Some(Go::Wake)
                }
            }
            Kind::WaitForEvent { timed_out, .. } => {
                self.record(st, idx, wake, "timed_out", None);
                Some(Go::Arrive(*timed_out, wake))
            }
            _ => {
                return Err(Error::invalid(
                    "state.wake_at",
                    format!("step {:?} does not wait", step.id),
                ));
            }
        })
    }

    /// Resolves the contact an event is about.
    fn contact_of(&self, event: &Event) -> Result<ContactId> {
        if let Some(c) = &event.contact {
            return Ok(c.clone());
        }
        let by_deal = event
            .deal
            .as_ref()
            .and_then(|d| self.snapshot.deal(d))
            .map(|d| d.contact.clone());
        let by_ticket = || {
            event
                .ticket
                .as_ref()
                .and_then(|t| self.snapshot.ticket(t))
                .map(|t| t.contact.clone())
        };
        by_deal.or_else(by_ticket).ok_or_else(|| {
            Error::invalid(
                "event.contact",
                "the event names no contact, and its deal or ticket is not in the snapshot",
            )
        })
    }

    fn check_contact(st: &JourneyState, contact: &ContactId) -> Result<()> {
        match &st.contact {
            Some(c) if c != contact => Err(Error::invalid(
                "event.contact",
                format!("the state belongs to contact {c}, the input is about {contact}"),
            )),
            _ => Ok(()),
        }
    }

    /// `true` (and nothing else changes) when the input was seen before.
    fn seen(st: &mut JourneyState, id: &str, at: Timestamp) -> bool {
        match st.seen_at {
            Some(s) if s > at => return true,
            Some(s) if s == at => {
                if st.seen.iter().any(|x| x == id) {
                    return true;
                }
                st.seen.push(id.to_string());
            }
            _ => {
                st.seen_at = Some(at);
                st.seen = vec![id.to_string()];
            }
        }
        false
    }

    fn check_time(&self, at: Timestamp, path: &str) -> Result<()> {
        if at > self.as_of {
            return Err(Error::invalid(
                path,
                format!(
                    "the input happened at {}, after as_of {}",
                    at.to_rfc3339(),
                    self.as_of.to_rfc3339()
                ),
            ));
        }
        Ok(())
    }

    /// Whether the contact may enter at `at` (idle reason otherwise).
    fn may_enter(&self, st: &JourneyState, at: Timestamp) -> Option<Idle> {
        match st.status {
            Status::NotEntered => None,
            Status::Active => Some(Idle::NoEffect),
            Status::Completed | Status::Exited => match self.journey.doc.entry.reentry {
                Reentry::Once => Some(Idle::Reentry),
                Reentry::EveryTime => None,
                Reentry::AgainAfterDays(n) => {
                    let after = st.entered_at.map(|e| e + Duration::days(i64::from(n)));
                    (after.is_some_and(|a| at < a)).then_some(Idle::Reentry)
                }
            },
        }
    }

    fn enter(
        &mut self,
        st: &mut JourneyState,
        contact: ContactId,
        deal: Option<DealId>,
        at: Timestamp,
        cause: String,
    ) -> Result<()> {
        st.journey = self.journey.doc.id.clone();
        st.version = self.journey.doc.version;
        st.status = Status::Active;
        st.contact = Some(contact);
        st.deal = deal;
        st.run = st.run.saturating_add(1);
        st.entered_at = Some(at);
        st.visits = 0;
        st.goals.clear();
        st.exit = None;
        st.left_at = None;
        self.zone = self.zone_of(st)?;
        let start = self.journey.start;
        self.record(st, start, at, "entered", Some(cause));
        self.drive(st, Go::Arrive(start, at))?;
        self.drive(st, Go::Wake)
    }

    fn on_enrolled(&mut self, st: &mut JourneyState, en: &Enrolled) -> Result<()> {
        self.check_time(en.at, "enrolled.at")?;
        Self::check_contact(st, &en.contact)?;
        if !self.journey.doc.entry.enrolled_by.contains(&en.campaign) {
            self.out.idle = Some(Idle::NoEntry);
            return Ok(());
        }
        if Self::seen(st, &en.id, en.at) {
            self.out.idle = Some(Idle::Replay);
            return Ok(());
        }
        if st.is_active() {
            self.until = en.at;
            self.drive(st, Go::Wake)?;
            self.until = self.as_of;
            self.drive(st, Go::Wake)?;
        }
        if let Some(idle) = self.may_enter(st, en.at) {
            self.out.idle = Some(idle);
            return Ok(());
        }
        if let Some(cond) = &self.journey.entry_condition {
            let mut e = Event::new(en.id.clone(), EventType::ContactUpdated, en.at);
            e.contact = Some(en.contact.clone());
            e.deal = en.deal.clone();
            if !cond.holds(&e, self.snapshot, self.as_of)? {
                self.out.idle = Some(Idle::EntryCondition);
                return Ok(());
            }
        }
        self.enter(
            st,
            en.contact.clone(),
            en.deal.clone(),
            en.at,
            format!("enrolled by {}", en.id),
        )
    }

    fn on_event(&mut self, st: &mut JourneyState, event: &Event) -> Result<()> {
        event.validate().map_err(|e| e.with_path_prefix("event"))?;
        self.check_time(event.at, "event.at")?;
        let contact = self.contact_of(event)?;
        Self::check_contact(st, &contact)?;
        if Self::seen(st, &event.id, event.at) {
            self.out.idle = Some(Idle::Replay);
            return Ok(());
        }
        if st.is_active() {
            // What was due before the event happened runs first.
            self.until = event.at;
            self.drive(st, Go::Wake)?;
            self.until = self.as_of;
        }
        if st.is_active() && about_other_deal(st, event) {
            self.drive(st, Go::Wake)?;
            if self.out.taken.is_empty() {
                self.out.idle = Some(Idle::OtherDeal);
            }
            return Ok(());
        }
        if st.is_active() {
            let subject: Cow<'_, Event> = if event.deal.is_none() && st.deal.is_some() {
                let mut e = event.clone();
                e.deal = st.deal.clone();
                if e.contact.is_none() {
                    e.contact = Some(contact.clone());
                }
                Cow::Owned(e)
            } else {
                Cow::Borrowed(event)
            };
            let at = event.at;
            let by_event = self
                .journey
                .exits
                .iter()
                .find(|x| x.event.as_ref().is_some_and(|t| t.matches(event)))
                .map(|x| x.id.clone());
            let exit = match by_event {
                Some(x) => Some(x),
                None => self.exit_by_condition(&subject)?,
            };
            if let Some(exit) = exit {
                self.leave(st, at, exit);
                return Ok(());
            }
            if let Some(g) = self.goal_hit(st, &subject, true)? {
                self.drive(st, Go::Goal(g, at, "goal_jump", Some(event.id.clone())))?;
                return self.drive(st, Go::Wake);
            }
            let Some(idx) = self.current(st) else {
                return Ok(());
            };
            let go = match self.journey.steps.get(idx).map(|s| &s.kind) {
                Some(Kind::WaitForEvent {
                    event: want, met, ..
                }) if want.matches(event) => {
                    self.record(st, idx, at, "event_met", Some(event.id.clone()));
                    Some(Go::Arrive(*met, at))
                }
                Some(Kind::WaitUntil { condition, met, .. })
                    if condition.holds(&subject, self.snapshot, self.as_of)? =>
                {
                    self.record(st, idx, at, "condition_met", Some(event.id.clone()));
                    Some(Go::Arrive(*met, at))
                }
                _ => None,
            };
            if let Some(go) = go {
                self.drive(st, go)?;
            }
            return self.drive(st, Go::Wake);
        }
        let triggered = self
            .journey
            .doc
            .entry
            .triggers
            .iter()
            .any(|t| t.matches(event));
        if !triggered {
            self.out.idle = Some(Idle::NoEntry);
            return Ok(());
        }
        if let Some(idle) = self.may_enter(st, event.at) {
            self.out.idle = Some(idle);
            return Ok(());
        }
        if let Some(cond) = &self.journey.entry_condition
            && !cond.holds(event, self.snapshot, self.as_of)?
        {
            self.out.idle = Some(Idle::EntryCondition);
            return Ok(());
        }
        let deal = event.deal.clone();
        self.enter(st, contact, deal, event.at, format!("event {}", event.id))
    }
}
