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

use super::compile::Journey;
use super::state::{HISTORY_LIMIT, JourneyState, STATE_FORMAT, Status};
use super::time_zone::TimeZoneRule;
use crate::model::{ContactId, Dataset, FieldValue, MAX_TIMESTAMP, Timestamp, check_timestamp};
use crate::{Error, Result};

mod inputs;
mod io;
mod runner;

pub use io::{Advance, Enrolled, Idle, Input, JourneyAction, JourneyEffect, StartJourney};
use runner::{Go, Runner};

/// The most steps one call runs for one contact (a catch-up over a very long
/// pause may need several calls; the contact stays due).
pub const STEP_BUDGET: u32 = 10_000;

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
