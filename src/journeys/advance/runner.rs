//! The step machine of one contact's advance: [`Runner`] moves the state
//! from step to step ([`Go`]: arrive at a step, reach a goal, wake from a
//! wait), records each step taken, and runs the actions; module `inputs`
//! feeds it events and enrollments.

use chrono::Duration;

use super::super::compile::{Journey, Kind};
use super::super::definition::GoalMiss;
use super::super::schedule::{split_bucket, stable_hash};
use super::super::state::{HistoryEntry, JourneyState, Status};
use super::super::time_zone::TimeZoneRule;
use super::{Advance, JourneyAction, JourneyEffect, StartJourney};
use crate::automation::{EnrollmentState, Event, EventType};
use crate::model::{ContactId, Dataset, Timestamp};
use crate::{Error, Result};

pub(super) enum Go {
    Arrive(usize, Timestamp),
    Goal(usize, Timestamp, &'static str, Option<String>),
    Wake,
}

pub(super) struct Runner<'a> {
    pub(super) journey: &'a Journey,
    pub(super) snapshot: &'a Dataset,
    pub(super) as_of: Timestamp,
    pub(super) until: Timestamp,
    pub(super) zone: TimeZoneRule,
    pub(super) budget: u32,
    pub(super) out: Advance,
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

fn late(as_of: Timestamp, at: Timestamp) -> i64 {
    (as_of - at).num_seconds().max(0)
}

impl Runner<'_> {
    pub(super) fn zone_of(&self, st: &JourneyState) -> Result<TimeZoneRule> {
        self.journey.zone_for(self.snapshot, st.contact.as_ref())
    }

    pub(super) fn record(
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

    pub(super) fn exit_by_condition(&self, event: &Event) -> Result<Option<String>> {
        for exit in &self.journey.exits {
            if let Some(c) = &exit.condition
                && c.holds(event, self.snapshot, self.as_of)?
            {
                return Ok(Some(exit.id.clone()));
            }
        }
        Ok(None)
    }

    pub(super) fn leave(&mut self, st: &mut JourneyState, at: Timestamp, exit: String) {
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
    pub(super) fn goal_hit(
        &self,
        st: &JourneyState,
        event: &Event,
        real: bool,
    ) -> Result<Option<usize>> {
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

    pub(super) fn drive(&mut self, st: &mut JourneyState, mut go: Go) -> Result<()> {
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

    pub(super) fn current(&self, st: &JourneyState) -> Option<usize> {
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
}
