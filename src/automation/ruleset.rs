//! Rule sets: the JSON document, its validation and the compiled, indexed,
//! immutable [`RuleSet`].

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::action::{ActionSpec, Plan};
use super::condition::{Cond, Condition, compile};
use super::overlay::{DEFAULT_MAX_ACTIONS, DEFAULT_MAX_WORK, MAX_ACTIONS_LIMIT, MAX_WORK_LIMIT};
use super::trigger::{EventType, Trigger};
use crate::money::ExchangeRates;
use crate::{Error, ErrorKind, Result};

/// How many rules may act on one event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HitPolicy {
    /// Only the first matching rule, in priority order, acts.
    First,
    /// Every matching rule acts, in priority order.
    #[default]
    All,
}

/// When a rule may act again for the same record.
///
/// JSON form: `"once"`, `"every_time"`, `"on_transition"` or
/// `{"again_after_days": 30}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentPolicy {
    /// At most once per record.
    #[default]
    Once,
    /// Again once this many days have passed since it last acted.
    AgainAfterDays(u32),
    /// Each time the rule's conditions go from not matching to matching.
    OnTransition,
    /// On every matching event (a replayed event still acts only once).
    EveryTime,
}

/// One `if` branch of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BranchDoc {
    /// The branch condition.
    #[serde(rename = "if")]
    pub condition: Condition,
    /// The actions when it is the first branch that holds.
    pub then: Vec<ActionSpec>,
}

/// A rule as written in JSON.
///
/// `when` is a guard: the rule applies only when it holds. Then either
/// `then` (unconditional actions) or `branches` (if / else-if, the first
/// that holds wins) with an optional `else`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    /// Unique id (no `/`): part of every action id.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Higher runs first; equal priorities keep document order.
    #[serde(default)]
    pub priority: i32,
    /// Disabled rules are kept but never run.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// What the rule listens to.
    pub trigger: Trigger,
    /// The guard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// Unconditional actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<Vec<ActionSpec>>,
    /// Conditional branches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<BranchDoc>,
    /// Actions when no branch holds.
    #[serde(default, rename = "else", skip_serializing_if = "Option::is_none")]
    pub otherwise: Option<Vec<ActionSpec>>,
    /// Enrollment policy (default `once`).
    #[serde(default)]
    pub enrollment: EnrollmentPolicy,
}

fn yes() -> bool {
    true
}

fn is_true(value: &bool) -> bool {
    *value
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

/// A rule set as written in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSetDoc {
    /// First match or all matches (default `all`).
    #[serde(default)]
    pub hit_policy: HitPolicy,
    /// How many levels of implied events may trigger further rules; 0 (the
    /// default) turns cascades off. `set_lifecycle_stage` implies
    /// `lifecycle_stage_changed`, `move_deal_stage` implies
    /// `deal_stage_changed` (not `deal_won`/`deal_lost`: hosts report those),
    /// and a tag added to or removed from a contact implies
    /// `contact_updated` of `contact.tags`. With cascades on, a rule set
    /// whose rules could trigger each other in a loop is refused at load.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub max_cascade_depth: u32,
    /// The most actions one event may ask for, its cascades included
    /// (default [`DEFAULT_MAX_ACTIONS`], at most [`MAX_ACTIONS_LIMIT`]). An
    /// evaluation that needs more fails with an error naming the cascade
    /// (the rule ids) that reached the limit, and changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_actions_per_event: Option<u32>,
    /// The most rule checks (a rule examined for an event, or an action
    /// made) one event may cost, its cascades included (default
    /// [`DEFAULT_MAX_WORK`], at most [`MAX_WORK_LIMIT`]); exceeding it fails
    /// like `max_actions_per_event`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_work_per_event: Option<u64>,
    /// Rates for money conditions across currencies; without them (and
    /// without rates in the snapshot) such a comparison is an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_rates: Option<ExchangeRates>,
    /// The rules.
    pub rules: Vec<RuleDoc>,
}

/// The largest cascade depth accepted.
pub const MAX_CASCADE_DEPTH: u32 = 16;

/// A compiled branch.
#[derive(Debug, Clone)]
pub(crate) struct Branch {
    pub(crate) label: Arc<str>,
    pub(crate) cond: Cond,
    pub(crate) actions: Vec<Plan>,
    pub(crate) reason: Arc<str>,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) id: Arc<str>,
    pub(crate) position: usize,
    pub(crate) trigger: Trigger,
    pub(crate) guard: Cond,
    pub(crate) branches: Vec<Branch>,
    pub(crate) policy: EnrollmentPolicy,
}

/// FNV-1a: a fast hasher for the short trigger names of the index (the
/// names come from the rule set, not from attackers who could pick
/// colliding keys to slow a lookup down; a collision only costs time).
#[derive(Debug, Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

type FnvBuild = std::hash::BuildHasherDefault<Fnv>;

/// The rules of one event type, in priority order: those that hear every
/// event of the type, and per name (form, e-mail, stage...) the merge of
/// those with the rules narrowed to the name, computed once at load.
#[derive(Debug, Clone, Default)]
struct Bucket {
    any: Vec<u32>,
    named: HashMap<String, Vec<u32>, FnvBuild>,
}

/// A validated, compiled and indexed rule set: immutable, `Send + Sync`,
/// built once and reused for every event.
///
/// # Example
///
/// The $500 routing preset, compiled once; [`RuleSet::decide`] says which
/// branch each deal takes without building actions:
///
/// ```
/// use crmkit::automation::presets::{Boundary, RoutingConfig, routing_rule_set};
/// use crmkit::automation::{EnrollmentState, Event, EventType, RuleSet};
/// use crmkit::model::Dataset;
///
/// let rules = RuleSet::compile(routing_rule_set(&RoutingConfig::usd_500(Boundary::Call)?))?;
/// let snapshot = Dataset::from_json(r#"{
///   "pipelines": [{"id": "sales", "name": "Sales",
///                  "stages": [{"id": "new", "name": "New", "probability": 10}]}],
///   "contacts": [{"id": "C-1", "name": "Ada", "created_at": "2026-04-01T00:00:00Z"}],
///   "deals": [
///     {"id": "D-1", "name": "Big", "contact": "C-1", "pipeline": "sales", "stage": "new",
///      "value": {"amount": "750.00", "currency": "USD"}, "created_at": "2026-04-30T00:00:00Z"},
///     {"id": "D-2", "name": "Small", "contact": "C-1", "pipeline": "sales", "stage": "new",
///      "value": {"amount": "120.00", "currency": "USD"}, "created_at": "2026-04-30T00:00:00Z"}]}"#)?;
/// let at = "2026-05-01T09:00:00Z".parse().unwrap();
/// let mut branches = Vec::new();
/// for deal in ["D-1", "D-2"] {
///     let mut event = Event::new(format!("created-{deal}"), EventType::DealCreated, at);
///     event.deal = Some(deal.parse()?);
///     let decisions = rules.decide(&event, &snapshot, &EnrollmentState::default(), at)?;
///     branches.push(decisions[0].branch.to_string());
/// }
/// // The call branch first, the nurture branch second.
/// assert_eq!(branches, ["if[0]", "if[1]"]);
/// Ok::<(), crmkit::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RuleSet {
    doc: RuleSetDoc,
    /// Enabled rules in priority order (the rank is the index).
    pub(crate) rules: Vec<Rule>,
    index: Vec<Bucket>,
}

const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<RuleSet>();
};

fn compile_actions(list: &[ActionSpec], path: &str) -> Result<Vec<Plan>> {
    if list.is_empty() {
        return Err(Error::invalid(path, "expected at least one action"));
    }
    list.iter()
        .enumerate()
        .map(|(i, spec)| {
            Plan::compile(spec).map_err(|e| e.with_path_prefix(&format!("{path}[{i}]")))
        })
        .collect()
}

/// A rule id is 1 to 128 bytes without '/' or control characters (it is
/// the first part of every action id).
pub(super) fn validate_rule_id(id: &str) -> Result<()> {
    if id.is_empty() || id.len() > 128 {
        return Err(Error::invalid("id", "rule id must be 1 to 128 bytes long"));
    }
    if id.contains('/') || id.chars().any(char::is_control) {
        return Err(Error::invalid(
            "id",
            format!("rule id {id:?} must not contain '/' or control characters"),
        ));
    }
    Ok(())
}

fn compile_rule(doc: &RuleDoc, position: usize) -> Result<Rule> {
    validate_rule_id(&doc.id)?;
    doc.trigger
        .validate()
        .map_err(|e| e.with_path_prefix("trigger"))?;
    let guard = match &doc.when {
        Some(c) => compile(c).map_err(|e| e.with_path_prefix("when"))?,
        None => Cond::True,
    };
    let trigger_text = doc.trigger.describe();
    let guard_text = match &guard {
        Cond::True => String::new(),
        g => format!(" when {}", g.text()),
    };
    let mut branches = Vec::new();
    match (&doc.then, doc.branches.is_empty()) {
        (Some(then), true) => {
            if doc.otherwise.is_some() {
                return Err(Error::invalid(
                    "else",
                    "else needs branches; with then the actions are unconditional",
                ));
            }
            branches.push(Branch {
                label: "then".into(),
                cond: Cond::True,
                actions: compile_actions(then, "then")?,
                reason: format!("{trigger_text}{guard_text}").into(),
            });
        }
        (None, false) => {
            for (i, b) in doc.branches.iter().enumerate() {
                let path = format!("branches[{i}]");
                let cond =
                    compile(&b.condition).map_err(|e| e.with_path_prefix(&format!("{path}.if")))?;
                let reason = format!("{trigger_text}{guard_text}: {}", cond.text());
                branches.push(Branch {
                    label: format!("if[{i}]").into(),
                    cond,
                    actions: compile_actions(&b.then, &format!("{path}.then"))?,
                    reason: reason.into(),
                });
            }
            if let Some(otherwise) = &doc.otherwise {
                let prior: Vec<String> = branches.iter().map(|b| b.cond.text()).collect();
                branches.push(Branch {
                    label: "else".into(),
                    cond: Cond::True,
                    actions: compile_actions(otherwise, "else")?,
                    reason: format!(
                        "{trigger_text}{guard_text}: else (none of: {})",
                        prior.join("; ")
                    )
                    .into(),
                });
            }
        }
        (Some(_), false) => {
            return Err(Error::invalid(
                "then",
                "a rule has either then or branches, not both",
            ));
        }
        (None, true) => {
            return Err(Error::invalid("", "a rule needs then or branches"));
        }
    }
    if let EnrollmentPolicy::AgainAfterDays(0) = doc.enrollment {
        return Err(Error::invalid(
            "enrollment.again_after_days",
            "expected 1 or more days",
        ));
    }
    Ok(Rule {
        id: doc.id.as_str().into(),
        position,
        trigger: doc.trigger.clone(),
        guard,
        branches,
        policy: doc.enrollment,
    })
}

/// The event an action implies, for cascades: its type and the name it is
/// indexed by.
pub(crate) fn implied_event(spec: &ActionSpec) -> Option<(EventType, String)> {
    match spec {
        ActionSpec::SetLifecycleStage { stage } => {
            Some((EventType::LifecycleStageChanged, stage.as_str().to_string()))
        }
        ActionSpec::MoveDealStage { stage } => {
            Some((EventType::DealStageChanged, stage.as_str().to_string()))
        }
        ActionSpec::AddTag { .. } | ActionSpec::RemoveTag { .. } => {
            Some((EventType::ContactUpdated, "contact.tags".to_string()))
        }
        _ => None,
    }
}

impl RuleSet {
    /// Parses, validates and compiles a rule set from JSON. Errors name the
    /// JSON path (`rules[3].branches[0].if.value`) and what was expected.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) for malformed JSON or a
    /// wrong shape; [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for a
    /// rule that breaks the validation rules (unknown fields, operators that do
    /// not suit the field, impossible ranges, limits), each naming the JSON
    /// path.
    pub fn from_json(json: &str) -> Result<RuleSet> {
        let doc: RuleSetDoc = Error::parse_json(json)?;
        RuleSet::compile(doc)
    }

    /// Validates and compiles a rule set document.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for a rule that breaks
    /// the validation rules, naming its path in the document.
    pub fn compile(doc: RuleSetDoc) -> Result<RuleSet> {
        if doc.max_cascade_depth > MAX_CASCADE_DEPTH {
            return Err(Error::invalid(
                "max_cascade_depth",
                format!("expected at most {MAX_CASCADE_DEPTH}"),
            ));
        }
        if let Some(n) = doc.max_actions_per_event
            && !(1..=MAX_ACTIONS_LIMIT).contains(&n)
        {
            return Err(Error::invalid(
                "max_actions_per_event",
                format!("expected 1 to {MAX_ACTIONS_LIMIT}"),
            ));
        }
        if let Some(n) = doc.max_work_per_event
            && !(1..=MAX_WORK_LIMIT).contains(&n)
        {
            return Err(Error::invalid(
                "max_work_per_event",
                format!("expected 1 to {MAX_WORK_LIMIT}"),
            ));
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut compiled = Vec::new();
        for (i, rule) in doc.rules.iter().enumerate() {
            let prefix = format!("rules[{i}]");
            if let Some(first) = seen.insert(rule.id.as_str(), i) {
                return Err(Error::invalid(
                    format!("{prefix}.id"),
                    format!(
                        "duplicate rule id {:?} (first used by rules[{first}])",
                        rule.id
                    ),
                ));
            }
            let c = compile_rule(rule, i).map_err(|e| e.with_path_prefix(&prefix))?;
            if rule.enabled {
                compiled.push((rule.priority, c));
            }
        }
        // Higher priority first; the sort is stable, so ties keep document order.
        compiled.sort_by_key(|(priority, _)| std::cmp::Reverse(*priority));
        let rules: Vec<Rule> = compiled.into_iter().map(|(_, r)| r).collect();
        let mut index = vec![Bucket::default(); EventType::ALL.len()];
        for (rank, rule) in rules.iter().enumerate() {
            let rank =
                u32::try_from(rank).map_err(|_| Error::invalid("rules", "too many rules"))?;
            let Some(bucket) = index.get_mut(rule.trigger.event_type().index()) else {
                continue;
            };
            match rule.trigger.index_name() {
                Some(name) => bucket.named.entry(name).or_default().push(rank),
                None => bucket.any.push(rank),
            }
        }
        for bucket in &mut index {
            for list in bucket.named.values_mut() {
                list.extend_from_slice(&bucket.any);
                // Ranks are distinct; sorting merges the two ascending lists.
                list.sort_unstable();
            }
        }
        let set = RuleSet { doc, rules, index };
        if set.doc.max_cascade_depth > 0 {
            set.check_cycles()?;
        }
        Ok(set)
    }

    /// The document the rule set was compiled from.
    pub fn doc(&self) -> &RuleSetDoc {
        &self.doc
    }

    /// The hit policy.
    pub fn hit_policy(&self) -> HitPolicy {
        self.doc.hit_policy
    }

    /// The maximum cascade depth.
    pub fn max_cascade_depth(&self) -> u32 {
        self.doc.max_cascade_depth
    }

    /// The most actions one event may ask for (see
    /// [`RuleSetDoc::max_actions_per_event`]).
    pub fn max_actions_per_event(&self) -> u32 {
        self.doc
            .max_actions_per_event
            .unwrap_or(DEFAULT_MAX_ACTIONS)
    }

    /// The most rule checks one event may cost (see
    /// [`RuleSetDoc::max_work_per_event`]).
    pub fn max_work_per_event(&self) -> u64 {
        self.doc.max_work_per_event.unwrap_or(DEFAULT_MAX_WORK)
    }

    pub(crate) fn rates(&self) -> Option<&ExchangeRates> {
        self.doc.exchange_rates.as_ref()
    }

    /// The number of enabled rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// `true` when no rule is enabled.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Ranks of the rules that may hear an event of `kind` narrowed by
    /// `name`, in priority order (the unnarrowed rules of the event type
    /// merged with those narrowed to `name`, precomputed at load).
    pub(crate) fn candidates(&self, kind: EventType, name: Option<&str>) -> &[u32] {
        let Some(bucket) = self.index.get(kind.index()) else {
            return &[];
        };
        match name {
            Some(n) if !bucket.named.is_empty() => bucket
                .named
                .get(n)
                .map_or(bucket.any.as_slice(), Vec::as_slice),
            _ => bucket.any.as_slice(),
        }
    }

    /// Refuses rule sets whose actions could trigger each other in a loop.
    fn check_cycles(&self) -> Result<()> {
        let n = self.rules.len();
        let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (a, rule) in self.rules.iter().enumerate() {
            let implied: Vec<(EventType, String)> = rule
                .branches
                .iter()
                .flat_map(|b| b.actions.iter())
                .filter_map(|p| implied_event(&p.spec))
                .collect();
            for (b, other) in self.rules.iter().enumerate() {
                let hears = implied.iter().any(|(kind, name)| {
                    other.trigger.event_type() == *kind
                        && other.trigger.index_name().is_none_or(|n| n == *name)
                });
                if hears {
                    if let Some(list) = edges.get_mut(a) {
                        list.push(b);
                    }
                }
            }
        }
        // Iterative depth-first search with colours: 0 new, 1 on stack, 2 done.
        let mut colour = vec![0u8; n];
        for start in 0..n {
            if colour.get(start) != Some(&0) {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            if let Some(c) = colour.get_mut(start) {
                *c = 1;
            }
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let succ = edges.get(node).and_then(|e| e.get(*next)).copied();
                *next += 1;
                match succ {
                    None => {
                        if let Some(c) = colour.get_mut(node) {
                            *c = 2;
                        }
                        stack.pop();
                    }
                    Some(s) => match colour.get(s) {
                        Some(0) => {
                            if let Some(c) = colour.get_mut(s) {
                                *c = 1;
                            }
                            stack.push((s, 0));
                        }
                        Some(1) => {
                            let from = stack.iter().position(|(x, _)| *x == s).unwrap_or(0);
                            let mut names: Vec<&str> = stack
                                .get(from..)
                                .unwrap_or(&[])
                                .iter()
                                .filter_map(|(x, _)| self.rules.get(*x).map(|r| &*r.id))
                                .collect();
                            if let Some(r) = self.rules.get(s) {
                                names.push(&r.id);
                            }
                            let position = self.rules.get(s).map_or(0, |r| r.position);
                            return Err(Error::at(
                                ErrorKind::Invalid,
                                format!("rules[{position}]"),
                                format!(
                                    "cascade cycle: {} (actions of each rule trigger the next)",
                                    names.join(" -> ")
                                ),
                            ));
                        }
                        _ => {}
                    },
                }
            }
        }
        Ok(())
    }
}
