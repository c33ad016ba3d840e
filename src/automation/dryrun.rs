//! Dry run: replay an event log over a snapshot and report, per rule, how
//! often it matched and fired and what it would have done.

use std::collections::BTreeMap;

use serde::Serialize;

use super::action::Action;
use super::engine::{EnrollmentState, MatchOutcome};
use super::ruleset::RuleSet;
use super::trigger::Event;
use crate::Result;
use crate::model::Dataset;

/// What one rule did during a dry run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RuleRun {
    /// The rule.
    pub rule: String,
    /// Events whose trigger and conditions matched.
    pub matched: u32,
    /// Events it acted on.
    pub fired: u32,
    /// Matches held back by the enrollment policy or as replays.
    pub suppressed: u32,
    /// Actions it would have asked for, by type (`create_task`: 12).
    pub actions: BTreeMap<String, u32>,
    /// Matches per branch (`if[0]`: 8, `else`: 3).
    pub branches: BTreeMap<String, u32>,
}

/// An event the dry run could not evaluate, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DryRunError {
    /// The event.
    pub event: String,
    /// The error.
    pub message: String,
}

/// The report of a dry run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DryRun {
    /// Events replayed.
    pub events: usize,
    /// Per rule, in priority order (rules that never matched included).
    pub rules: Vec<RuleRun>,
    /// Every action that would have been asked for.
    pub actions: Vec<Action>,
    /// Events that failed (the run goes on without them).
    pub errors: Vec<DryRunError>,
    /// The enrollment state after the run.
    pub state: EnrollmentState,
}

impl RuleSet {
    /// Replays `events` in order, each evaluated as of its own time, starting
    /// from `state`; nothing is executed.
    ///
    /// # Errors
    ///
    /// The errors of
    /// [`RuleSet::evaluate`](crate::automation::RuleSet::evaluate) for the
    /// first event that fails, naming its index.
    pub fn dry_run(
        &self,
        snapshot: &Dataset,
        events: &[Event],
        state: &EnrollmentState,
    ) -> Result<DryRun> {
        let mut state = state.clone();
        let mut runs: Vec<RuleRun> = self
            .rules
            .iter()
            .map(|r| RuleRun {
                rule: r.id.to_string(),
                ..RuleRun::default()
            })
            .collect();
        let rank: BTreeMap<&str, usize> = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (&*r.id, i))
            .collect();
        let mut all_actions = Vec::new();
        let mut errors = Vec::new();
        for event in events {
            match self.apply(event, snapshot, &mut state, event.at) {
                Ok((actions, matches)) => {
                    for m in &matches {
                        if let Some(run) = rank.get(&*m.rule).and_then(|i| runs.get_mut(*i)) {
                            run.matched += 1;
                            *run.branches.entry(m.branch.to_string()).or_default() += 1;
                            if m.outcome == MatchOutcome::Fired {
                                run.fired += 1;
                            } else {
                                run.suppressed += 1;
                            }
                        }
                    }
                    for a in &actions {
                        if let Some(run) = rank.get(&*a.rule).and_then(|i| runs.get_mut(*i)) {
                            *run.actions.entry(effect_name(a)).or_default() += 1;
                        }
                    }
                    all_actions.extend(actions);
                }
                Err(e) => errors.push(DryRunError {
                    event: event.id.clone(),
                    message: e.to_string(),
                }),
            }
        }
        Ok(DryRun {
            events: events.len(),
            rules: runs,
            actions: all_actions,
            errors,
            state,
        })
    }
}

fn effect_name(action: &Action) -> String {
    serde_json::to_value(&action.effect)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
        .unwrap_or_default()
}
