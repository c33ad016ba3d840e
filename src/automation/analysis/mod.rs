//! Static analysis of a rule set: gaps, overlaps, conflicts, unreachable
//! rules and branches, and contradictory conditions, each with a concrete
//! example input.
//!
//! For each event type the analysis splits every field the rules look at
//! into cells at the literals the conditions use (for a number: below,
//! at and between each boundary, and above the last; for text: each value
//! named and "any other value"; for dates relative to `as_of`: days since the
//! date), and evaluates every rule on one representative of every
//! combination of cells. Inside a cell every condition has the same truth
//! value, so the findings are exact for numeric, money, categorical,
//! lifecycle-stage and date conditions. Text tests (`contains`,
//! `starts_with`), tags and presence tests are treated as independent yes/no
//! facts. Money fields are analysed in the currency of their literals; a
//! field compared in two currencies is reported (`mixed_currencies`).
//! Values are assumed present: a missing field (which makes `ne` and
//! `not_in` hold and every other test fail) is not a cell of its own.

use std::collections::BTreeMap;

use serde::Serialize;

use super::action::ActionSpec;
use super::ruleset::{HitPolicy, Rule, RuleSet};
use super::trigger::EventType;

mod conflict;
mod fanout;
#[cfg(test)]
mod reference;
mod space;
mod sweep;
#[cfg(test)]
mod tests;

use space::{F, Space};
use sweep::Tally;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// An input no rule acts on.
    Gap,
    /// An input several rules match (first match: who wins; all matches:
    /// they all act, without conflicting actions).
    Overlap,
    /// An input several rules act on with conflicting actions (a call task
    /// and a nurture campaign; adding and removing the same tag...).
    Conflict,
    /// A rule that never acts: earlier rules always win (first match).
    UnreachableRule,
    /// A branch never taken: earlier branches always hold first.
    UnreachableBranch,
    /// Conditions that can never hold together.
    Contradiction,
    /// A money field compared in several currencies: not analysed across
    /// them.
    MixedCurrencies,
    /// Too many combinations to enumerate for one event type, or the work
    /// budget of the analysis ran out: the report is partial.
    Truncated,
    /// Cascades that multiply: one event can make some rule act several
    /// times (rules whose actions each trigger several rules), so the
    /// actions per event grow with the power of the cascade depth.
    FanOut,
}

/// One finding of the analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// What kind of finding.
    pub kind: FindingKind,
    /// The event type (trigger) concerned.
    pub trigger: EventType,
    /// The rules concerned (for overlaps: the winner first).
    pub rules: Vec<String>,
    /// The branch concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// A plain explanation.
    pub message: String,
    /// A concrete input showing the finding: field path → value (empty for
    /// contradictions, which have none).
    pub example: BTreeMap<String, serde_json::Value>,
    /// The same input as text (`deal.value = 500.00 USD`).
    pub example_text: String,
    /// The region of inputs the example stands for
    /// (`deal.value = 500.00 USD`, `event.form = any other value`).
    pub region: Vec<String>,
}

/// Per event type, how the rules cover the inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TriggerSummary {
    /// The event type.
    pub trigger: EventType,
    /// The rules listening to it, in priority order.
    pub rules: Vec<String>,
    /// The number of input cells examined.
    pub cells: u64,
    /// Cells no rule acts on.
    pub gap_cells: u64,
    /// Cells several rules match.
    pub overlap_cells: u64,
}

/// The result of [`analyze`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalysisReport {
    /// The hit policy analysed under.
    pub hit_policy: HitPolicy,
    /// Per event type.
    pub triggers: Vec<TriggerSummary>,
    /// The findings, by event type and kind.
    pub findings: Vec<Finding>,
    /// `true` when the work budget ([`MAX_ANALYSIS_WORK`]) or the cell limit
    /// stopped the analysis of some event type early: the gaps, overlaps and
    /// conflicts listed are real, but others may exist, and no rule or branch
    /// of such an event type is reported unreachable or contradictory (a
    /// `truncated` finding says which event types).
    pub partial: bool,
}

impl AnalysisReport {
    /// The findings of one kind.
    pub fn of_kind(&self, kind: FindingKind) -> impl Iterator<Item = &Finding> + '_ {
        self.findings.iter().filter(move |f| f.kind == kind)
    }
}

/// The most cells enumerated per event type.
const MAX_CELLS: u64 = 200_000;
/// The most gap findings reported per event type.
const MAX_GAPS: usize = 64;
/// The most overlap (or conflict) findings reported per event type.
const MAX_OVERLAPS: usize = 64;
/// The work budget of one analysis, in atom and rule evaluations (summed
/// over the input cells of every event type). Past it the analysis stops
/// and the report says it is partial.
pub const MAX_ANALYSIS_WORK: u64 = 100_000_000;

struct RuleForm<'r> {
    rule: &'r Rule,
    when: F,
    branches: Vec<F>,
}

/// Analyses a rule set: for every event type its rules listen to, the gaps,
/// overlaps, conflicts, unreachable rules and branches and contradictions,
/// each with an example input.
pub fn analyze(rules: &RuleSet) -> AnalysisReport {
    analyze_within(rules, MAX_ANALYSIS_WORK)
}

/// Like [`analyze`], with a work budget of `max_work` atom and rule
/// evaluations instead of [`MAX_ANALYSIS_WORK`]: past it the report is
/// partial (`partial` is `true` and a `truncated` finding names the event
/// type where the analysis stopped).
pub fn analyze_within(rules: &RuleSet, max_work: u64) -> AnalysisReport {
    analyze_by(rules, max_work, Enumeration::Sweep)
}

/// How the input cells are enumerated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enumeration {
    /// Evaluating again only what changes between neighbouring cells.
    Sweep,
    /// Evaluating everything in every cell (the reference of the tests).
    #[cfg(test)]
    Exhaustive,
}

fn analyze_by(rules: &RuleSet, max_work: u64, how: Enumeration) -> AnalysisReport {
    let mut report = AnalysisReport {
        hit_policy: rules.hit_policy(),
        triggers: Vec::new(),
        findings: Vec::new(),
        partial: false,
    };
    let mut budget = max_work;
    for kind in EventType::ALL {
        let group: Vec<&Rule> = rules
            .rules
            .iter()
            .filter(|r| r.trigger.event_type() == kind)
            .collect();
        if !group.is_empty() {
            let policy = rules.hit_policy();
            analyze_group(kind, &group, policy, &mut budget, how, &mut report);
        }
    }
    fanout::check(rules, &mut report);
    report
}

/// Where a rule or branch was beaten: the cell and the winner.
type Shadow = Option<(Vec<usize>, usize)>;

struct Example {
    json: BTreeMap<String, serde_json::Value>,
    text: String,
    region: Vec<String>,
}

fn analyze_group(
    kind: EventType,
    group: &[&Rule],
    policy: HitPolicy,
    budget: &mut u64,
    how: Enumeration,
    report: &mut AnalysisReport,
) {
    let mut space = Space::default();
    let forms: Vec<RuleForm<'_>> = group
        .iter()
        .map(|rule| {
            let trigger = space.trigger(&rule.trigger);
            let guard = space.convert(&rule.guard);
            let branches = rule
                .branches
                .iter()
                .map(|b| space.convert(&b.cond))
                .collect();
            RuleForm {
                rule,
                when: F::And(vec![trigger, guard]),
                branches,
            }
        })
        .collect();
    space.finish();
    let rule_ids: Vec<String> = group.iter().map(|r| r.id.to_string()).collect();
    for (field, currencies) in &space.mixed {
        report.findings.push(Finding {
            kind: FindingKind::MixedCurrencies,
            trigger: kind,
            rules: rule_ids.clone(),
            branch: None,
            message: format!(
                "{field} is compared in {currencies}; conditions in the second currency are treated as independent facts, and evaluation converts with exchange rates or fails"
            ),
            example: BTreeMap::new(),
            example_text: String::new(),
            region: Vec::new(),
        });
    }
    let cells: Vec<Vec<space::Cell>> = space.dims.iter().map(|d| space.cells(d)).collect();
    let total = cells
        .iter()
        .try_fold(1u64, |acc, c| acc.checked_mul(c.len() as u64))
        .unwrap_or(u64::MAX);
    if total > MAX_CELLS {
        report.partial = true;
        report.findings.push(Finding {
            kind: FindingKind::Truncated,
            trigger: kind,
            rules: rule_ids.clone(),
            branch: None,
            message: format!(
                "{total} combinations of {} fields exceed the limit of {MAX_CELLS}; not analysed",
                space.dims.len()
            ),
            example: BTreeMap::new(),
            example_text: String::new(),
            region: Vec::new(),
        });
        report.triggers.push(TriggerSummary {
            trigger: kind,
            rules: rule_ids,
            cells: 0,
            gap_cells: 0,
            overlap_cells: 0,
        });
        return;
    }
    let Tally {
        wins,
        satisfiable,
        taken,
        shadow_example,
        rule_shadow,
        gaps,
        gap_cells,
        overlap_cells,
        overlaps,
        visited,
        stopped,
        unlisted_overlaps,
    } = match how {
        Enumeration::Sweep => sweep::sweep(&space, &cells, &forms, policy, budget),
        #[cfg(test)]
        Enumeration::Exhaustive => reference::exhaustive(&space, &cells, &forms, policy, budget),
    };
    let example_of = |choice: &[usize]| -> Example {
        let mut json = BTreeMap::new();
        let mut texts = Vec::new();
        let mut region = Vec::new();
        for ((dim, cs), i) in space.dims.iter().zip(&cells).zip(choice) {
            if let Some(cell) = cs.get(*i) {
                let (value, text) = space.example_json(dim, cell);
                json.insert(dim.name.clone(), value);
                texts.push((dim.name.clone(), format!("{} = {text}", dim.name)));
                region.push(cell.region.clone());
            }
        }
        texts.sort();
        let texts: Vec<String> = texts.into_iter().map(|(_, t)| t).collect();
        Example {
            json,
            text: if texts.is_empty() {
                format!("any {kind} event")
            } else {
                texts.join(", ")
            },
            region,
        }
    };

    if stopped {
        report.partial = true;
        report.findings.push(Finding {
            kind: FindingKind::Truncated,
            trigger: kind,
            rules: rule_ids.clone(),
            branch: None,
            message: format!(
                "the analysis work budget (atom and rule evaluations) ran out after {visited} of {total} input combinations; the findings for {kind} are partial and no rule or branch is reported unreachable or contradictory"
            ),
            example: BTreeMap::new(),
            example_text: String::new(),
            region: Vec::new(),
        });
    }
    let id = |r: usize| {
        forms
            .get(r)
            .map_or(String::new(), |f| f.rule.id.to_string())
    };
    let label = |r: usize, b: usize| {
        forms
            .get(r)
            .and_then(|f| f.rule.branches.get(b))
            .map_or(String::new(), |b| b.label.to_string())
    };
    let push = |report: &mut AnalysisReport,
                kind_: FindingKind,
                rules_: Vec<String>,
                branch: Option<String>,
                message: String,
                example: Option<Example>| {
        let example = example.unwrap_or(Example {
            json: BTreeMap::new(),
            text: String::new(),
            region: Vec::new(),
        });
        report.findings.push(Finding {
            kind: kind_,
            trigger: kind,
            rules: rules_,
            branch,
            message,
            example: example.json,
            example_text: example.text,
            region: example.region,
        });
    };

    for gap in &gaps {
        let ex = example_of(gap);
        push(
            report,
            FindingKind::Gap,
            rule_ids.clone(),
            None,
            format!(
                "no rule acts on this {kind} input: {}",
                ex.region.join(", ")
            ),
            Some(ex),
        );
    }
    if gap_cells > gaps.len() as u64 {
        push(
            report,
            FindingKind::Gap,
            rule_ids.clone(),
            None,
            format!(
                "{} more gap cells not listed",
                gap_cells - gaps.len() as u64
            ),
            None,
        );
    }
    for (set, choice) in &overlaps {
        let ex = example_of(choice);
        let names: Vec<String> = set.iter().map(|(r, _)| id(*r)).collect();
        let actions: Vec<Vec<&ActionSpec>> = set
            .iter()
            .map(|(r, b)| {
                forms
                    .get(*r)
                    .and_then(|f| f.rule.branches.get(*b))
                    .map(|br| br.actions.iter().map(|p| &p.spec).collect())
                    .unwrap_or_default()
            })
            .collect();
        let clash = match policy {
            HitPolicy::All => conflict::first_conflict(&actions),
            HitPolicy::First => None,
        };
        let (kind_, message) = match (policy, clash) {
            (HitPolicy::First, _) => (
                FindingKind::Overlap,
                format!(
                    "rules {} all match; under first match {} wins and the others do nothing",
                    names.join(", "),
                    names.first().cloned().unwrap_or_default()
                ),
            ),
            (HitPolicy::All, Some(what)) => (
                FindingKind::Conflict,
                format!("rules {} all act: {what}", names.join(", ")),
            ),
            (HitPolicy::All, None) => (
                FindingKind::Overlap,
                format!("rules {} all act on the same input", names.join(", ")),
            ),
        };
        push(report, kind_, names, None, message, Some(ex));
    }
    if unlisted_overlaps {
        push(
            report,
            FindingKind::Overlap,
            rule_ids.clone(),
            None,
            format!(
                "more overlapping inputs not listed ({overlap_cells} overlap cells in all; the first {MAX_OVERLAPS} distinct sets of rules are listed)"
            ),
            None,
        );
    }
    for (r, form) in forms.iter().enumerate() {
        if stopped {
            break;
        }
        let any_satisfiable = satisfiable.get(r).is_some_and(|v| v.iter().any(|s| *s));
        if !any_satisfiable {
            push(
                report,
                FindingKind::Contradiction,
                vec![id(r)],
                None,
                format!(
                    "the conditions of rule {} can never hold together: {}",
                    id(r),
                    rule_text(form.rule)
                ),
                None,
            );
            continue;
        }
        if policy == HitPolicy::First && !wins.get(r).copied().unwrap_or(false) {
            let shadow = rule_shadow.get(r).cloned().flatten();
            let winner = shadow.as_ref().map_or(String::new(), |(_, w)| id(*w));
            push(
                report,
                FindingKind::UnreachableRule,
                vec![id(r), winner.clone()],
                None,
                format!(
                    "rule {} never acts: whenever it matches, an earlier rule ({winner}) wins",
                    id(r)
                ),
                shadow.map(|(c, _)| example_of(&c)),
            );
            continue;
        }
        for b in 0..form.branches.len() {
            let was_taken = taken
                .get(r)
                .and_then(|v| v.get(b))
                .copied()
                .unwrap_or(false);
            if was_taken {
                continue;
            }
            let sat = satisfiable
                .get(r)
                .and_then(|v| v.get(b))
                .copied()
                .unwrap_or(false);
            let text = form
                .rule
                .branches
                .get(b)
                .map_or(String::new(), |br| br.cond.text());
            if sat {
                let shadow = shadow_example
                    .get(r)
                    .and_then(|v| v.get(b))
                    .cloned()
                    .flatten();
                let winner = shadow.as_ref().map_or(String::new(), |(_, w)| label(r, *w));
                push(
                    report,
                    FindingKind::UnreachableBranch,
                    vec![id(r)],
                    Some(label(r, b)),
                    format!(
                        "branch {} of rule {} ({text}) is never taken: branch {winner} always holds first",
                        label(r, b),
                        id(r)
                    ),
                    shadow.map(|(c, _)| example_of(&c)),
                );
            } else {
                push(
                    report,
                    FindingKind::Contradiction,
                    vec![id(r)],
                    Some(label(r, b)),
                    format!(
                        "branch {} of rule {} can never hold: {text}",
                        label(r, b),
                        id(r)
                    ),
                    None,
                );
            }
        }
    }
    report.triggers.push(TriggerSummary {
        trigger: kind,
        rules: rule_ids,
        cells: visited,
        gap_cells,
        overlap_cells,
    });
}

fn rule_text(rule: &Rule) -> String {
    let branches: Vec<String> = rule.branches.iter().map(|b| b.cond.text()).collect();
    format!(
        "{} when {} then one of [{}]",
        rule.trigger.describe(),
        rule.guard.text(),
        branches.join("; ")
    )
}
