//! Moving contacts to a new version of a journey.
//!
//! The rules, applied to each state of the old version:
//!
//! 1. A contact not inside the journey (never entered, completed, exited)
//!    only gets the new version number.
//! 2. A contact at a step that still exists with the same type stays there.
//!    If it waits and the wait's duration or timeout changed, the wake-up
//!    and deadline are recomputed from when it arrived (`since`) with the
//!    new durations (`rescheduled`); a wake-up that is then in the past runs
//!    at the next tick, reported as late.
//! 3. A contact at a step that still exists with another type arrives at
//!    the new step at the next tick (`restarted`).
//! 4. A contact at a step that was removed moves to the first step of the
//!    old version's path from it (its links in order: `next`, `met` before
//!    `timed_out`, `then` before `else`, arms in order) that still exists,
//!    and arrives there at the next tick (`moved`). When no later step
//!    survives, the contact completes the journey (`ended`).
//!
//! HubSpot and ActiveCampaign move contacts waiting at a deleted step on to
//! the next action; rule 4 does the same through any removed steps, and
//! every move is reported with its rule.

use serde::Serialize;

use super::compile::{Journey, Kind};
use super::state::{JourneyState, Status};
use crate::model::{Dataset, Timestamp};
use crate::{Error, Result};

/// Which rule moved a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveRule {
    /// Rule 1: not inside the journey.
    NotActive,
    /// Rule 2: the step exists unchanged.
    Kept,
    /// Rule 2: the step exists, its durations changed.
    Rescheduled,
    /// Rule 3: the step exists with another type.
    Restarted,
    /// Rule 4: the step was removed; moved to a later surviving step.
    Moved,
    /// Rule 4: the step was removed and no later step survives.
    Ended,
}

/// What happened to one contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    /// The contact (`None` for a state that never entered).
    pub contact: Option<String>,
    /// The step it was at.
    pub from: Option<String>,
    /// The step it is at now.
    pub to: Option<String>,
    /// The rule applied.
    pub rule: MoveRule,
}

/// The report of a migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Migration {
    /// The old version.
    pub from_version: u32,
    /// The new version.
    pub to_version: u32,
    /// One move per state, in input order.
    pub moves: Vec<Move>,
}

/// Moves one state from `old` to `new` (see the module documentation for
/// the rules). `snapshot` gives contacts' time zones for rescheduled waits;
/// `as_of` is when moved contacts arrive (at the next tick).
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) when the journeys have
/// different ids, the new version is not newer, the state does not
/// belong to the old version or fails [`JourneyState::validate`]
/// (`state.history`, `state.wake_at`, …), or `as_of` is outside years 1 to
/// 9999 (`as_of`).
pub fn migrate(
    old: &Journey,
    new: &Journey,
    state: &JourneyState,
    snapshot: &Dataset,
    as_of: Timestamp,
) -> Result<(JourneyState, Move)> {
    if old.id() != new.id() {
        return Err(Error::invalid(
            "journey.id",
            format!("cannot migrate journey {:?} into {:?}", old.id(), new.id()),
        ));
    }
    if new.version() <= old.version() {
        return Err(Error::invalid(
            "journey.version",
            format!(
                "the new version ({}) must be newer than the old one ({})",
                new.version(),
                old.version()
            ),
        ));
    }
    crate::model::check_timestamp(as_of, "as_of")?;
    state.validate().map_err(|e| e.with_path_prefix("state"))?;
    let mut st = state.clone();
    let contact = st.contact.as_ref().map(|c| c.to_string());
    let from = st.step.clone();
    if st.status == Status::NotEntered {
        return Ok((
            st,
            Move {
                contact,
                from,
                to: None,
                rule: MoveRule::NotActive,
            },
        ));
    }
    if st.journey != old.id() || st.version != old.version() {
        return Err(Error::invalid(
            "state.version",
            format!(
                "the state is at {} version {}, not {} version {}",
                st.journey,
                st.version,
                old.id(),
                old.version()
            ),
        ));
    }
    st.version = new.version();
    if !st.is_active() {
        let to = st.step.clone();
        return Ok((
            st,
            Move {
                contact,
                from,
                to,
                rule: MoveRule::NotActive,
            },
        ));
    }
    let Some(old_idx) = st.step.as_deref().and_then(|s| old.position(s)) else {
        return Err(Error::invalid(
            "state.step",
            "the state names no step of the old version",
        ));
    };
    let old_step = old.steps.get(old_idx).map(|s| &s.kind);
    let rule = match st.step.as_deref().and_then(|s| new.position(s)) {
        Some(new_idx) => {
            let new_step = new.steps.get(new_idx).map(|s| &s.kind);
            match (old_step, new_step) {
                (Some(a), Some(b)) if same_type(a, b) => {
                    if st.arriving || durations_equal(a, b) {
                        MoveRule::Kept
                    } else {
                        reschedule(new, b, &mut st, snapshot)?;
                        MoveRule::Rescheduled
                    }
                }
                _ => {
                    arrive_at_next_tick(&mut st, as_of);
                    MoveRule::Restarted
                }
            }
        }
        None => match surviving_successor(old, new, old_idx) {
            Some(step) => {
                st.step = Some(step);
                arrive_at_next_tick(&mut st, as_of);
                MoveRule::Moved
            }
            None => {
                st.status = Status::Completed;
                st.left_at = Some(as_of);
                st.wake_at = None;
                st.deadline = None;
                st.arriving = false;
                MoveRule::Ended
            }
        },
    };
    let to = st.step.clone();
    Ok((
        st,
        Move {
            contact,
            from,
            to,
            rule,
        },
    ))
}

/// Migrates many states; the report lists every move in input order.
///
/// # Errors
///
/// The first error of [`migrate`], prefixed with the state's index
/// (`states[3].state.version`); no partial result.
pub fn migrate_all(
    old: &Journey,
    new: &Journey,
    states: &[JourneyState],
    snapshot: &Dataset,
    as_of: Timestamp,
) -> Result<(Vec<JourneyState>, Migration)> {
    let mut out = Vec::with_capacity(states.len());
    let mut moves = Vec::with_capacity(states.len());
    for (i, state) in states.iter().enumerate() {
        let (st, mv) = migrate(old, new, state, snapshot, as_of)
            .map_err(|e| e.with_path_prefix(&format!("states[{i}]")))?;
        out.push(st);
        moves.push(mv);
    }
    Ok((
        out,
        Migration {
            from_version: old.version(),
            to_version: new.version(),
            moves,
        },
    ))
}

fn arrive_at_next_tick(st: &mut JourneyState, as_of: Timestamp) {
    st.arriving = true;
    st.wake_at = Some(as_of);
    st.deadline = None;
}

fn same_type(a: &Kind, b: &Kind) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn durations_equal(a: &Kind, b: &Kind) -> bool {
    match (a, b) {
        (Kind::Wait { wait: x, .. }, Kind::Wait { wait: y, .. }) => x == y,
        (
            Kind::WaitUntil {
                timeout: x,
                check_every_hours: cx,
                ..
            },
            Kind::WaitUntil {
                timeout: y,
                check_every_hours: cy,
                ..
            },
        ) => x == y && cx == cy,
        (Kind::WaitForEvent { timeout: x, .. }, Kind::WaitForEvent { timeout: y, .. }) => x == y,
        _ => true,
    }
}

fn reschedule(
    new: &Journey,
    kind: &Kind,
    st: &mut JourneyState,
    snapshot: &Dataset,
) -> crate::Result<()> {
    let Some(since) = st.since else {
        return Ok(());
    };
    let zone = new.zone_for(snapshot, st.contact.as_ref())?;
    match kind {
        Kind::Wait { wait, .. } => st.wake_at = Some(wait.end(since, &zone)),
        Kind::WaitUntil {
            timeout,
            check_every_hours,
            ..
        } => {
            let deadline = timeout.end(since, &zone);
            let poll = since + chrono::Duration::hours(i64::from(*check_every_hours));
            st.deadline = Some(deadline);
            st.wake_at = Some(poll.min(deadline));
        }
        Kind::WaitForEvent { timeout, .. } => {
            let deadline = timeout.end(since, &zone);
            st.deadline = Some(deadline);
            st.wake_at = Some(deadline);
        }
        _ => {}
    }
    Ok(())
}

/// The first step reachable from `from` in the old graph (breadth-first,
/// links in order) whose id exists in the new version.
fn surviving_successor(old: &Journey, new: &Journey, from: usize) -> Option<String> {
    let mut seen = vec![false; old.steps.len()];
    let mut queue = std::collections::VecDeque::from([from]);
    while let Some(i) = queue.pop_front() {
        if std::mem::replace(seen.get_mut(i)?, true) {
            continue;
        }
        let step = old.steps.get(i)?;
        if i != from && new.position(&step.id).is_some() {
            return Some(step.id.clone());
        }
        queue.extend(successors(&step.kind));
    }
    None
}

fn successors(kind: &Kind) -> Vec<usize> {
    match kind {
        Kind::Action { next, .. } | Kind::StartJourney { next, .. } | Kind::Wait { next, .. } => {
            vec![*next]
        }
        Kind::WaitUntil { met, timed_out, .. } | Kind::WaitForEvent { met, timed_out, .. } => {
            vec![*met, *timed_out]
        }
        Kind::If {
            then, otherwise, ..
        } => vec![*then, *otherwise],
        Kind::Split { arms } => arms.iter().map(|a| a.next).collect(),
        Kind::Goal { next, .. } => next.iter().copied().collect(),
        Kind::Jump { to } => vec![*to],
        Kind::End => Vec::new(),
    }
}
