//! The pending state writes of one evaluation, applied to the enrollment
//! state only when the evaluation succeeds, and the work budget of one
//! evaluation.
//!
//! The overlay is linear: each (record, rule) pair has one pending entry,
//! found by hashing, that holds only what the evaluation changed (the
//! counters and the event ids it added), never a copy of the stored list of
//! events seen; lookups in that list are logarithmic.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::engine::{Enrollment, EnrollmentState};
use super::trigger::Event;
use crate::model::{RepId, Timestamp};
use crate::{Error, ErrorKind, Result};

/// What one evaluation changed in one enrollment.
#[derive(Debug, Clone)]
pub(super) struct Pending {
    fired: u32,
    last_fired: Option<Timestamp>,
    matched: bool,
    seen_at: Option<Timestamp>,
    /// Event ids handled at `seen_at` during this evaluation.
    added: BTreeSet<String>,
    /// Whether the stored ids seen at `seen_at` still count (false once
    /// `seen_at` moved on).
    keeps_stored: bool,
}

impl Pending {
    fn from_stored(stored: Option<&Enrollment>) -> Pending {
        match stored {
            Some(e) => Pending {
                fired: e.fired,
                last_fired: e.last_fired,
                matched: e.matched,
                seen_at: e.seen_at,
                added: BTreeSet::new(),
                keeps_stored: true,
            },
            None => Pending {
                fired: 0,
                last_fired: None,
                matched: false,
                seen_at: None,
                added: BTreeSet::new(),
                keeps_stored: false,
            },
        }
    }
}

/// The enrollment of one rule and record as the evaluation sees it: the
/// stored one with the pending writes over it.
#[derive(Debug, Clone, Copy)]
pub(super) struct View<'s> {
    stored: Option<&'s Enrollment>,
    pending: Option<&'s Pending>,
}

impl View<'_> {
    /// `true` when the rule has an enrollment for the record.
    pub(super) fn exists(&self) -> bool {
        self.stored.is_some() || self.pending.is_some()
    }

    /// How many times the rule acted for the record.
    pub(super) fn fired(&self) -> u32 {
        match (self.pending, self.stored) {
            (Some(p), _) => p.fired,
            (None, Some(s)) => s.fired,
            (None, None) => 0,
        }
    }

    /// When the rule last acted.
    pub(super) fn last_fired(&self) -> Option<Timestamp> {
        match (self.pending, self.stored) {
            (Some(p), _) => p.last_fired,
            (None, Some(s)) => s.last_fired,
            (None, None) => None,
        }
    }

    /// Whether the conditions held at the last event.
    pub(super) fn matched(&self) -> bool {
        match (self.pending, self.stored) {
            (Some(p), _) => p.matched,
            (None, Some(s)) => s.matched,
            (None, None) => false,
        }
    }

    /// `true` when `event` (or a later one) was already handled.
    pub(super) fn is_replay(&self, event: &Event) -> bool {
        let stored_seen = |s: Option<&Enrollment>| s.is_some_and(|s| s.seen.contains(&event.id));
        match self.pending {
            Some(p) => match p.seen_at {
                Some(at) if at > event.at => true,
                Some(at) if at == event.at => {
                    p.added.contains(&event.id) || (p.keeps_stored && stored_seen(self.stored))
                }
                _ => false,
            },
            None => match self.stored.and_then(|s| s.seen_at) {
                Some(at) if at > event.at => true,
                Some(at) if at == event.at => stored_seen(self.stored),
                _ => false,
            },
        }
    }
}

/// Pending state writes of one evaluation (applied only on success).
#[derive(Default)]
pub(super) struct Overlay {
    enrollments: HashMap<String, HashMap<Arc<str>, Pending>>,
    round_robin: HashMap<String, u64>,
    pub(super) loads: Option<HashMap<RepId, u32>>,
}

impl Overlay {
    /// The enrollment of `rule` for the record `entity`.
    pub(super) fn view<'s>(
        &'s self,
        state: &'s EnrollmentState,
        entity: &str,
        rule: &str,
    ) -> View<'s> {
        View {
            stored: state.enrollment(entity, rule),
            pending: self.enrollments.get(entity).and_then(|m| m.get(rule)),
        }
    }

    /// Records that the rule handled `event` for the record: the event is
    /// seen, `matched` is updated when given, and `fired` counts an action.
    pub(super) fn record(
        &mut self,
        state: &EnrollmentState,
        entity: &str,
        rule: &Arc<str>,
        event: &Event,
        matched: Option<bool>,
        fired: bool,
    ) {
        if !self.enrollments.contains_key(entity) {
            self.enrollments.insert(entity.to_string(), HashMap::new());
        }
        let Some(rules) = self.enrollments.get_mut(entity) else {
            return;
        };
        let pending = rules
            .entry(rule.clone())
            .or_insert_with(|| Pending::from_stored(state.enrollment(entity, rule)));
        if pending.seen_at == Some(event.at) {
            pending.added.insert(event.id.clone());
        } else {
            pending.seen_at = Some(event.at);
            pending.added.clear();
            pending.added.insert(event.id.clone());
            pending.keeps_stored = false;
        }
        if let Some(m) = matched {
            pending.matched = m;
        }
        if fired {
            pending.fired = pending.fired.saturating_add(1);
            pending.last_fired = Some(event.at);
        }
    }

    /// The next turn of a round-robin team.
    pub(super) fn turn(&self, state: &EnrollmentState, team: &str) -> u64 {
        self.round_robin
            .get(team)
            .copied()
            .or_else(|| state.round_robin.get(team).copied())
            .unwrap_or(0)
    }

    /// Sets the next turn of a round-robin team.
    pub(super) fn set_turn(&mut self, team: &str, next: u64) {
        self.round_robin.insert(team.to_string(), next);
    }

    /// Writes the pending changes into `state`.
    pub(super) fn commit(self, state: &mut EnrollmentState) {
        for (entity, rules) in self.enrollments {
            let stored = state.entities.entry(entity).or_default();
            for (rule, p) in rules {
                let e = stored.entry(rule.to_string()).or_default();
                e.fired = p.fired;
                e.last_fired = p.last_fired;
                e.matched = p.matched;
                e.seen_at = p.seen_at;
                if !p.keeps_stored {
                    e.seen.clear();
                }
                e.seen.extend(p.added);
            }
        }
        for (team, next) in self.round_robin {
            state.round_robin.insert(team, next);
        }
    }
}

/// The default of `max_actions_per_event`.
pub const DEFAULT_MAX_ACTIONS: u32 = 10_000;
/// The largest `max_actions_per_event` accepted.
pub const MAX_ACTIONS_LIMIT: u32 = 1_000_000;
/// The default of `max_work_per_event`.
pub const DEFAULT_MAX_WORK: u64 = 1_000_000;
/// The largest `max_work_per_event` accepted.
pub const MAX_WORK_LIMIT: u64 = 100_000_000;

/// The rules whose actions implied an event: the host's event first, then
/// each rule whose action implied the next event.
pub(super) type Chain = Arc<[Arc<str>]>;

/// The action and work budget of one evaluation.
pub(super) struct Budget {
    max_actions: u32,
    max_work: u64,
    actions: u32,
    work: u64,
}

impl Budget {
    pub(super) fn new(max_actions: u32, max_work: u64) -> Budget {
        Budget {
            max_actions,
            max_work,
            actions: 0,
            work: 0,
        }
    }

    /// Counts one rule examined for an event.
    pub(super) fn work(&mut self, host: &Event, chain: &Chain, rule: &str) -> Result<()> {
        self.work += 1;
        if self.work > self.max_work {
            return Err(exceeded(
                host,
                chain,
                rule,
                format!(
                    "more than {} rule checks (max_work_per_event)",
                    self.max_work
                ),
                "max_work_per_event",
                MAX_WORK_LIMIT,
            ));
        }
        Ok(())
    }

    /// Counts one action.
    pub(super) fn action(&mut self, host: &Event, chain: &Chain, rule: &str) -> Result<()> {
        self.actions += 1;
        self.work += 1;
        if self.actions > self.max_actions {
            return Err(exceeded(
                host,
                chain,
                rule,
                format!(
                    "more than {} actions (max_actions_per_event)",
                    self.max_actions
                ),
                "max_actions_per_event",
                u64::from(MAX_ACTIONS_LIMIT),
            ));
        }
        Ok(())
    }
}

fn exceeded(
    host: &Event,
    chain: &Chain,
    rule: &str,
    what: String,
    setting: &str,
    limit: u64,
) -> Error {
    let mut names: Vec<&str> = chain.iter().map(|r| &**r).collect();
    names.push(rule);
    Error::new(
        ErrorKind::Invalid,
        format!(
            "event {:?} ({}) asks for {what}; the cascade reaching the limit: {} -> {}; rules whose actions trigger several rules multiply at each level: narrow them, lower max_cascade_depth or raise {setting} (at most {limit})",
            host.id,
            host.kind,
            host.kind,
            names.join(" -> ")
        ),
    )
}
