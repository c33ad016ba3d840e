//! How an input reaches the step machine: an event or an enrollment is
//! checked (its contact, its time, whether it was seen before), runs what
//! was due before it, then moves an active contact (exits, goals, waits for
//! an event or a condition) or enters one the journey admits.

use std::borrow::Cow;

use chrono::Duration;

use super::super::compile::Kind;
use super::super::definition::Reentry;
use super::super::state::{JourneyState, Status};
use super::runner::{Go, Runner};
use super::{Enrolled, Idle};
use crate::automation::{Event, EventType};
use crate::model::{ContactId, DealId, Timestamp};
use crate::{Error, Result};

/// Whether `event` is about a deal other than the one the contact is in
/// the journey for.
fn about_other_deal(st: &JourneyState, event: &Event) -> bool {
    matches!((&st.deal, &event.deal), (Some(mine), Some(theirs)) if mine != theirs)
}

impl Runner<'_> {
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

    pub(super) fn on_enrolled(&mut self, st: &mut JourneyState, en: &Enrolled) -> Result<()> {
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

    pub(super) fn on_event(&mut self, st: &mut JourneyState, event: &Event) -> Result<()> {
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
