//! Fan-out: cascades that multiply. With cascades on, an action that
//! implies an event (`move_deal_stage`, `set_lifecycle_stage`, tags) lets
//! the rules hearing that event act in turn. When one event can reach some
//! rule along two paths (two rules each moving the deal on, both heard by
//! the next layer...), that rule acts twice, and layers of such rules
//! double the actions at each level: 2^L actions for L layers. The check
//! counts, for each rule acting on a host event, how often every rule could
//! act within the cascade depth (conditions ignored: a worst case), and
//! reports the first rule set path where a rule acts more than once.

use std::collections::BTreeMap;

use super::super::ruleset::{HitPolicy, RuleSet, implied_event};
use super::{AnalysisReport, Finding, FindingKind};

/// The most edge visits the fan-out check spends.
const MAX_FANOUT_WORK: u64 = 20_000_000;

/// The cascade graph: for each rule and branch, the rules that hear the
/// events its actions imply, once per implying action (a multiset).
fn successors(rules: &RuleSet) -> Vec<Vec<Vec<usize>>> {
    rules
        .rules
        .iter()
        .map(|rule| {
            rule.branches
                .iter()
                .map(|branch| {
                    let mut out = Vec::new();
                    for plan in &branch.actions {
                        let Some((kind, name)) = implied_event(&plan.spec) else {
                            continue;
                        };
                        let hearers = rules.candidates(kind, Some(&name));
                        match rules.hit_policy() {
                            HitPolicy::All => out.extend(hearers.iter().map(|r| *r as usize)),
                            // Under first match one rule acts per event.
                            HitPolicy::First => out.extend(hearers.first().map(|r| *r as usize)),
                        }
                    }
                    out
                })
                .collect()
        })
        .collect()
}

/// Adds a `fan_out` finding when some event can make a rule act more than
/// once through cascades.
pub(super) fn check(rules: &RuleSet, report: &mut AnalysisReport) {
    let depth = rules.max_cascade_depth() as usize;
    if depth == 0 {
        return;
    }
    let graph = successors(rules);
    // The widest branch of each rule (a rule takes one branch per event).
    let mut work = 0u64;
    for root in 0..graph.len() {
        // levels[d]: how many times each rule acts at cascade level d.
        let mut levels: Vec<BTreeMap<usize, u64>> = vec![BTreeMap::from([(root, 1)])];
        let mut multiplied: Option<(usize, usize, u64)> = None;
        let mut actions = 0u64;
        while levels.len() <= depth {
            let Some(current) = levels.last() else {
                break;
            };
            let mut next: BTreeMap<usize, u64> = BTreeMap::new();
            for (&rule, &count) in current {
                let branches = graph.get(rule).map_or(&[][..], Vec::as_slice);
                let widest = branches.iter().max_by_key(|b| b.len());
                let width = rules
                    .rules
                    .get(rule)
                    .and_then(|r| r.branches.iter().map(|b| b.actions.len()).max())
                    .unwrap_or(0) as u64;
                actions = actions.saturating_add(count.saturating_mul(width));
                for &s in widest.map_or(&[][..], Vec::as_slice) {
                    work += 1;
                    let slot = next.entry(s).or_default();
                    *slot = slot.saturating_add(count);
                }
            }
            if next.is_empty() || work > MAX_FANOUT_WORK {
                break;
            }
            if let Some((&rule, &count)) = next
                .iter()
                .max_by_key(|(r, c)| (**c, std::cmp::Reverse(**r)))
                && count > 1
                && multiplied.is_none_or(|(_, _, c)| count > c)
            {
                multiplied = Some((levels.len(), rule, count));
            }
            levels.push(next);
        }
        if let Some(last) = levels.last()
            && levels.len() > depth
        {
            // Actions of the deepest level.
            for (&rule, &count) in last {
                let width = rules
                    .rules
                    .get(rule)
                    .and_then(|r| r.branches.iter().map(|b| b.actions.len()).max())
                    .unwrap_or(0) as u64;
                actions = actions.saturating_add(count.saturating_mul(width));
            }
        }
        if let Some((level, rule, count)) = multiplied {
            let chain = path(&graph, &levels, level, rule);
            let names: Vec<String> = chain
                .iter()
                .filter_map(|r| rules.rules.get(*r).map(|x| x.id.to_string()))
                .collect();
            let Some(first) = rules.rules.get(root) else {
                return;
            };
            let budget = rules.max_actions_per_event();
            report.findings.push(Finding {
                kind: FindingKind::FanOut,
                trigger: first.trigger.event_type(),
                rules: names.clone(),
                branch: None,
                message: format!(
                    "cascades multiply: one {} event can make rule {} act {count} times at cascade level {level} (along {} and other paths), up to {actions} actions per event in the worst case (conditions ignored){}",
                    first.trigger.event_type(),
                    names.last().cloned().unwrap_or_default(),
                    names.join(" -> "),
                    if actions > u64::from(budget) {
                        format!(
                            "; past max_actions_per_event ({budget}) the evaluation fails"
                        )
                    } else {
                        String::new()
                    }
                ),
                example: BTreeMap::new(),
                example_text: String::new(),
                region: Vec::new(),
            });
            return;
        }
        if work > MAX_FANOUT_WORK {
            return;
        }
    }
}

/// A path from the root (level 0) to `rule` at `level`, walking back
/// through rules that act at each earlier level.
fn path(
    graph: &[Vec<Vec<usize>>],
    levels: &[BTreeMap<usize, u64>],
    level: usize,
    rule: usize,
) -> Vec<usize> {
    let mut out = vec![rule];
    let mut current = rule;
    for d in (0..level).rev() {
        let Some(at) = levels.get(d) else { break };
        let parent = at.keys().copied().find(|p| {
            graph
                .get(*p)
                .is_some_and(|bs| bs.iter().any(|b| b.contains(&current)))
        });
        match parent {
            Some(p) => {
                out.push(p);
                current = p;
            }
            None => break,
        }
    }
    out.reverse();
    out
}
