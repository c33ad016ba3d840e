//! Many contacts at once: which states are due, and a tick over a slice of
//! states updated in place (a host with a million contacts in journeys
//! keeps them in one array per journey and ticks it).

use serde::Serialize;

use super::advance::{Input, JourneyAction};
use super::compile::Journey;
use super::state::JourneyState;
use crate::model::{Dataset, Timestamp, check_timestamp};
use crate::{Error, Result};

/// The positions of the states due at `as_of` (an active contact whose
/// wake-up time has come).
pub fn due(states: &[JourneyState], as_of: Timestamp) -> Vec<usize> {
    states
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_due(as_of))
        .map(|(i, _)| i)
        .collect()
}

/// The earliest wake-up among active states: when the host should tick
/// next.
pub fn next_wake(states: &[JourneyState]) -> Option<Timestamp> {
    states
        .iter()
        .filter(|s| s.is_active())
        .filter_map(|s| s.wake_at)
        .min()
}

/// The result of a tick over many states.
#[derive(Debug, Default, Serialize)]
pub struct BatchTick {
    /// (position of the state, action), in state order.
    pub actions: Vec<(usize, JourneyAction)>,
    /// How many states were due and advanced.
    pub advanced: usize,
    /// (position, error) of the states that failed; they are unchanged.
    #[serde(serialize_with = "errors_as_text")]
    pub errors: Vec<(usize, Error)>,
    /// The earliest wake-up after the tick.
    pub next_wake_at: Option<Timestamp>,
}

fn errors_as_text<S: serde::Serializer>(
    errors: &[(usize, Error)],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(errors.len()))?;
    for (i, e) in errors {
        seq.serialize_element(&(i, e.to_string()))?;
    }
    seq.end()
}

impl Journey {
    /// Ticks every state of the slice at `as_of`, in place: states with
    /// nothing due are skipped without work; a state that fails is left as
    /// it was and its error reported (a state that fails
    /// [`JourneyState::validate`] among them, naming `state.…`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) naming `as_of`
    /// when it is outside years 1 to 9999 (nothing is advanced).
    pub fn tick_all(
        &self,
        states: &mut [JourneyState],
        snapshot: &Dataset,
        as_of: Timestamp,
    ) -> Result<BatchTick> {
        check_timestamp(as_of, "as_of")?;
        let mut out = BatchTick::default();
        for (i, state) in states.iter_mut().enumerate() {
            if !state.is_due(as_of) {
                if state.is_active()
                    && let Some(w) = state.wake_at
                {
                    out.next_wake_at = Some(out.next_wake_at.map_or(w, |n| n.min(w)));
                }
                continue;
            }
            match self.advance_in_place(state, &Input::Tick, snapshot, as_of) {
                Ok(advance) => {
                    out.advanced += 1;
                    out.actions
                        .extend(advance.actions.into_iter().map(|a| (i, a)));
                    if let Some(w) = advance.next_wake_at {
                        out.next_wake_at = Some(out.next_wake_at.map_or(w, |n| n.min(w)));
                    }
                }
                Err(e) => out.errors.push((i, e)),
            }
        }
        Ok(out)
    }
}
