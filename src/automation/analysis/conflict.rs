//! Conflicting actions among the rules that act on the same input: the
//! first conflicting pair in priority order, found in time linear in the
//! number of actions (a summary of the later rules' actions is kept while
//! walking from the last rule back to the first).

use std::collections::HashSet;

use super::super::action::ActionSpec;

/// Conflicting actions between two branches, described.
pub(super) fn conflict(a: &[&ActionSpec], b: &[&ActionSpec]) -> Option<String> {
    for x in a {
        for y in b {
            let found = match (x, y) {
                (
                    ActionSpec::CreateTask { task, .. },
                    ActionSpec::EnrollInCampaign { campaign },
                )
                | (
                    ActionSpec::EnrollInCampaign { campaign },
                    ActionSpec::CreateTask { task, .. },
                ) => Some(format!(
                    "a {} task and enrollment in campaign {campaign} for the same input",
                    serde_json::to_value(task)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                )),
                (
                    ActionSpec::EnrollInCampaign { campaign: c1 },
                    ActionSpec::RemoveFromCampaign { campaign: c2 },
                )
                | (
                    ActionSpec::RemoveFromCampaign { campaign: c1 },
                    ActionSpec::EnrollInCampaign { campaign: c2 },
                ) if c1 == c2 => Some(format!("enrolls in and removes from campaign {c1}")),
                (ActionSpec::AddTag { tag: t1 }, ActionSpec::RemoveTag { tag: t2 })
                | (ActionSpec::RemoveTag { tag: t1 }, ActionSpec::AddTag { tag: t2 })
                    if t1 == t2 =>
                {
                    Some(format!("adds and removes tag {t1:?}"))
                }
                (
                    ActionSpec::SetLifecycleStage { stage: s1 },
                    ActionSpec::SetLifecycleStage { stage: s2 },
                ) if s1 != s2 => Some(format!("sets the lifecycle stage to both {s1} and {s2}")),
                (
                    ActionSpec::MoveDealStage { stage: s1 },
                    ActionSpec::MoveDealStage { stage: s2 },
                ) if s1 != s2 => Some(format!("moves the deal to both {s1} and {s2}")),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
    }
    None
}

/// What the actions of a group of rules do, for conflict checks.
#[derive(Default)]
struct Summary<'a> {
    tasks: bool,
    enrolled: HashSet<&'a str>,
    removed: HashSet<&'a str>,
    tags_added: HashSet<&'a str>,
    tags_removed: HashSet<&'a str>,
    lifecycle: HashSet<&'a str>,
    deal_stages: HashSet<&'a str>,
}

fn other_than(set: &HashSet<&str>, value: &str) -> bool {
    set.len() > 1 || (set.len() == 1 && !set.contains(value))
}

impl<'a> Summary<'a> {
    /// `true` when `x` conflicts with an action of the summary (the same
    /// pairs as [`conflict`]).
    fn clashes(&self, x: &ActionSpec) -> bool {
        match x {
            ActionSpec::CreateTask { .. } => !self.enrolled.is_empty(),
            ActionSpec::EnrollInCampaign { campaign } => {
                self.tasks || self.removed.contains(campaign.as_str())
            }
            ActionSpec::RemoveFromCampaign { campaign } => {
                self.enrolled.contains(campaign.as_str())
            }
            ActionSpec::AddTag { tag } => self.tags_removed.contains(tag.as_str()),
            ActionSpec::RemoveTag { tag } => self.tags_added.contains(tag.as_str()),
            ActionSpec::SetLifecycleStage { stage } => other_than(&self.lifecycle, stage.as_str()),
            ActionSpec::MoveDealStage { stage } => other_than(&self.deal_stages, stage.as_str()),
            _ => false,
        }
    }

    fn add(&mut self, x: &'a ActionSpec) {
        match x {
            ActionSpec::CreateTask { .. } => self.tasks = true,
            ActionSpec::EnrollInCampaign { campaign } => {
                self.enrolled.insert(campaign.as_str());
            }
            ActionSpec::RemoveFromCampaign { campaign } => {
                self.removed.insert(campaign.as_str());
            }
            ActionSpec::AddTag { tag } => {
                self.tags_added.insert(tag.as_str());
            }
            ActionSpec::RemoveTag { tag } => {
                self.tags_removed.insert(tag.as_str());
            }
            ActionSpec::SetLifecycleStage { stage } => {
                self.lifecycle.insert(stage.as_str());
            }
            ActionSpec::MoveDealStage { stage } => {
                self.deal_stages.insert(stage.as_str());
            }
            _ => {}
        }
    }
}

/// The first conflict between the actions of two different rules of
/// `actions` (one list per rule, in priority order): the same answer as
/// checking every pair `(i, j)`, `i < j`, in order, in linear time.
pub(super) fn first_conflict(actions: &[Vec<&ActionSpec>]) -> Option<String> {
    let mut later = Summary::default();
    let mut first = None;
    for (i, list) in actions.iter().enumerate().rev() {
        if list.iter().any(|x| later.clashes(x)) {
            first = Some(i);
        }
        for x in list {
            later.add(x);
        }
    }
    let i = first?;
    let a = actions.get(i)?;
    actions.iter().skip(i + 1).find_map(|b| conflict(a, b))
}
