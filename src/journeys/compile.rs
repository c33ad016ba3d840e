//! Loading a journey: parsing, validation with JSON paths, and the compiled
//! immutable [`Journey`].

use std::collections::HashMap;

use super::definition::{GoalMiss, JourneyDoc, StepDoc};
use super::graph::Graph;
use super::schedule::Wait;
use super::time_zone::TimeZoneRule;
use crate::automation::{ActionSpec, CompiledAction, CompiledCondition, Trigger};
use crate::model::FieldPath;
use crate::money::ExchangeRates;
use crate::{Error, Result};

/// The default field holding a contact's time zone (a fixed offset, a
/// POSIX TZ rule or a name of the built-in table; see
/// [`TimeZoneRule`]).
pub const TIME_ZONE_FIELD: &str = "contact.attributes.utc_offset";

/// One arm of a compiled split: buckets below `upto` (of 10,000) take it.
#[derive(Debug)]
pub(crate) struct Arm {
    pub(crate) id: String,
    pub(crate) upto: u32,
    pub(crate) next: usize,
}

/// A compiled step.
#[derive(Debug)]
pub(crate) enum Kind {
    Action {
        action: CompiledAction,
        next: usize,
    },
    StartJourney {
        journey: String,
        next: usize,
    },
    Wait {
        wait: Wait,
        next: usize,
    },
    WaitUntil {
        condition: CompiledCondition,
        timeout: Wait,
        check_every_hours: u32,
        met: usize,
        timed_out: usize,
    },
    WaitForEvent {
        event: Trigger,
        timeout: Wait,
        met: usize,
        timed_out: usize,
    },
    If {
        condition: CompiledCondition,
        then: usize,
        otherwise: usize,
    },
    Split {
        arms: Vec<Arm>,
    },
    Goal {
        condition: Option<CompiledCondition>,
        event: Option<Trigger>,
        miss: GoalMiss,
        next: Option<usize>,
    },
    Jump {
        to: usize,
    },
    End,
}

/// A compiled step with its id.
#[derive(Debug)]
pub(crate) struct Step {
    pub(crate) id: String,
    pub(crate) kind: Kind,
}

/// A compiled exit.
#[derive(Debug)]
pub(crate) struct Exit {
    pub(crate) id: String,
    pub(crate) condition: Option<CompiledCondition>,
    pub(crate) event: Option<Trigger>,
}

/// A validated, compiled journey: immutable, `Send + Sync`, reused across
/// calls and threads.
#[derive(Debug)]
pub struct Journey {
    pub(crate) doc: JourneyDoc,
    pub(crate) steps: Vec<Step>,
    pub(crate) index: HashMap<String, usize>,
    pub(crate) start: usize,
    pub(crate) entry_condition: Option<CompiledCondition>,
    pub(crate) exits: Vec<Exit>,
    pub(crate) goals: Vec<usize>,
    /// The journey's time zone (default UTC).
    pub(crate) zone: TimeZoneRule,
    pub(crate) time_zone_field: FieldPath,
    /// The time zone field as written (named in errors).
    pub(crate) time_zone_field_name: String,
    /// Whether a wait depends on the local time (`at`, days or business
    /// days, which are local calendar days): only then is the contact's
    /// time zone read.
    pub(crate) local_time: bool,
    /// Whether an exit has a condition (checked at every step).
    pub(crate) exit_conditions: bool,
    /// Whether a goal has a condition (checked at every wake-up).
    pub(crate) goal_conditions: bool,
}

/// Compiles a condition of the journey; errors name `path`
/// (`steps[2].condition.value`).
fn condition(
    c: &crate::automation::Condition,
    path: &str,
    rates: Option<&ExchangeRates>,
) -> Result<CompiledCondition> {
    CompiledCondition::compile(c, rates).map_err(|e| e.with_path_prefix(path))
}

/// Compiles the action of step `step`: its actions' ids start with
/// `journey:step`, the rule id the rules engine would give them.
fn action(journey: &str, step: &str, spec: &ActionSpec, path: &str) -> Result<CompiledAction> {
    let rule = format!("{journey}:{step}");
    if rule.len() > 128 {
        return Err(Error::invalid(
            path,
            format!(
                "the journey id and the step id together must be at most 127 bytes (\"{rule}\" starts every action id of the step)"
            ),
        ));
    }
    CompiledAction::compile(&rule, spec).map_err(|e| e.with_path_prefix(path))
}

fn check_id(id: &str, path: &str, what: &str) -> Result<()> {
    if id.is_empty() || id.len() > 128 {
        return Err(Error::invalid(
            path,
            format!("{what} must be 1 to 128 bytes long"),
        ));
    }
    if id.contains('/') || id.contains(':') || id.chars().any(char::is_control) {
        return Err(Error::invalid(
            path,
            format!("{what} {id:?} must not contain '/', ':' or control characters"),
        ));
    }
    Ok(())
}

fn exactly_one<T, U>(a: &Option<T>, b: &Option<U>, path: &str, what: &str) -> Result<()> {
    if a.is_some() == b.is_some() {
        return Err(Error::invalid(
            path,
            format!("{what} needs exactly one of condition and event"),
        ));
    }
    Ok(())
}

impl Journey {
    /// Parses, validates and compiles a journey from JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) for malformed JSON,
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for every
    /// validation error, each naming its JSON path (`steps[2].next`).
    pub fn from_json(json: &str) -> Result<Journey> {
        let doc: JourneyDoc = Error::parse_json(json)?;
        Journey::compile(doc)
    }

    /// Validates and compiles a journey document: unknown step ids, steps
    /// that cannot be reached, dead ends (a step without its next step),
    /// cycles without a wait, a wait for an e-mail event about an e-mail the
    /// journey never sends, split weights that do not add up to 100 and
    /// goals whose condition can never hold are refused, as are conditions
    /// and actions the rules engine refuses.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) naming the JSON path.
    pub fn compile(doc: JourneyDoc) -> Result<Journey> {
        check_id(&doc.id, "id", "journey id")?;
        if doc.version == 0 {
            return Err(Error::invalid("version", "version starts at 1"));
        }
        if doc.entry.triggers.is_empty() && doc.entry.enrolled_by.is_empty() {
            return Err(Error::invalid(
                "entry",
                "a journey needs at least one entry trigger or enrolled_by campaign",
            ));
        }
        let zone = match &doc.time_zone {
            None => TimeZoneRule::UTC,
            Some(tz) => TimeZoneRule::parse(tz)
                .map_err(|e| Error::invalid("time_zone", e.message().to_string()))?,
        };
        let time_zone_field_name = doc
            .time_zone_field
            .clone()
            .unwrap_or_else(|| TIME_ZONE_FIELD.to_string());
        let time_zone_field = FieldPath::parse(&time_zone_field_name)
            .map_err(|e| Error::invalid("time_zone_field", e.message().to_string()))?;
        if doc.steps.is_empty() {
            return Err(Error::invalid("steps", "a journey needs at least one step"));
        }
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, step) in doc.steps.iter().enumerate() {
            let path = format!("steps[{i}].id");
            check_id(step.id(), &path, "step id")?;
            if let Some(first) = index.insert(step.id().to_string(), i) {
                return Err(Error::invalid(
                    path,
                    format!(
                        "duplicate step id {:?} (first used by steps[{first}])",
                        step.id()
                    ),
                ));
            }
        }
        let start = *index
            .get(&doc.start)
            .ok_or_else(|| Error::invalid("start", format!("unknown step id {:?}", doc.start)))?;
        // Links: every target must exist and every required link be given.
        let mut links = Vec::with_capacity(doc.steps.len());
        for (i, step) in doc.steps.iter().enumerate() {
            let mut targets = Vec::new();
            for (field, target) in step.links() {
                let path = format!("steps[{i}].{field}");
                let Some(target) = target else {
                    return Err(Error::invalid(
                        path,
                        format!(
                            "dead end: {} step {:?} has no {field}; name the next step or add an end step",
                            step.type_name(),
                            step.id()
                        ),
                    ));
                };
                let t = *index
                    .get(target)
                    .ok_or_else(|| Error::invalid(path, format!("unknown step id {target:?}")))?;
                targets.push(t);
            }
            links.push(targets);
        }
        let graph = Graph {
            ids: doc.steps.iter().map(StepDoc::id).collect(),
            links,
            waits: doc.steps.iter().map(StepDoc::waits).collect(),
        };
        // Goals are reachable from anywhere: a contact jumps to them.
        let mut roots = vec![start];
        roots.extend(
            doc.steps
                .iter()
                .enumerate()
                .filter(|(_, s)| matches!(s, StepDoc::Goal { .. }))
                .map(|(i, _)| i),
        );
        graph.check_reachable(&roots)?;
        graph.check_cycles_wait()?;
        let rates = None;
        let entry_condition = match &doc.entry.condition {
            Some(c) => Some(condition(c, "entry.condition", rates)?),
            None => None,
        };
        let mut exits = Vec::with_capacity(doc.exits.len());
        for (i, exit) in doc.exits.iter().enumerate() {
            let path = format!("exits[{i}]");
            check_id(&exit.id, &format!("{path}.id"), "exit id")?;
            exactly_one(&exit.condition, &exit.event, &path, "an exit")?;
            let condition = match &exit.condition {
                Some(c) => Some(condition(c, &format!("{path}.condition"), rates)?),
                None => None,
            };
            exits.push(Exit {
                id: exit.id.clone(),
                condition,
                event: exit.event.clone(),
            });
        }
        let sent: Vec<&str> = doc
            .steps
            .iter()
            .filter_map(|s| match s {
                StepDoc::Action {
                    action: ActionSpec::SendEmail { template, .. },
                    ..
                } => Some(template.as_str()),
                _ => None,
            })
            .collect();
        let mut steps = Vec::with_capacity(doc.steps.len());
        let mut goals = Vec::new();
        for (i, step) in doc.steps.iter().enumerate() {
            let path = format!("steps[{i}]");
            let to = |target: &Option<String>| -> usize {
                target
                    .as_ref()
                    .and_then(|t| index.get(t).copied())
                    .unwrap_or(0)
            };
            let kind = match step {
                StepDoc::Action {
                    action: spec, next, ..
                } => Kind::Action {
                    action: action(&doc.id, step.id(), spec, &format!("{path}.action"))?,
                    next: to(next),
                },
                StepDoc::StartJourney { journey, next, .. } => {
                    check_id(journey, &format!("{path}.journey"), "journey id")?;
                    Kind::StartJourney {
                        journey: journey.clone(),
                        next: to(next),
                    }
                }
                StepDoc::Wait {
                    days,
                    business_days,
                    hours,
                    at,
                    next,
                    ..
                } => {
                    let duration = super::definition::DurationDoc {
                        days: *days,
                        business_days: *business_days,
                        hours: *hours,
                        at: at.clone(),
                    };
                    Kind::Wait {
                        wait: Wait::compile(&duration, &path)?,
                        next: to(next),
                    }
                }
                StepDoc::WaitUntil {
                    condition,
                    timeout,
                    check_every_hours,
                    met,
                    timed_out,
                    ..
                } => {
                    let check = check_every_hours.unwrap_or(1);
                    if check == 0 {
                        return Err(Error::invalid(
                            format!("{path}.check_every_hours"),
                            "expected at least 1 hour",
                        ));
                    }
                    Kind::WaitUntil {
                        condition: self::condition(condition, &format!("{path}.condition"), rates)?,
                        timeout: Wait::compile(timeout, &format!("{path}.timeout"))?,
                        check_every_hours: check,
                        met: to(met),
                        timed_out: to(timed_out),
                    }
                }
                StepDoc::WaitForEvent {
                    event,
                    timeout,
                    met,
                    timed_out,
                    ..
                } => {
                    if let Trigger::EmailOpened { email: Some(e) }
                    | Trigger::EmailClicked { email: Some(e) } = event
                        && !sent.contains(&e.as_str())
                    {
                        return Err(Error::invalid(
                            format!("{path}.event.email"),
                            format!(
                                "the journey waits for e-mail {e:?} to be {}, but no send_email step of the journey sends it (templates sent: {})",
                                if matches!(event, Trigger::EmailOpened { .. }) {
                                    "opened"
                                } else {
                                    "clicked"
                                },
                                if sent.is_empty() {
                                    "none".to_string()
                                } else {
                                    sent.join(", ")
                                }
                            ),
                        ));
                    }
                    if matches!(event, Trigger::Date { .. } | Trigger::Stuck { .. }) {
                        return Err(Error::invalid(
                            format!("{path}.event.type"),
                            "date and stuck events are derived by the rules engine's tick for rules and never reach a journey; use a wait or wait_until step",
                        ));
                    }
                    Kind::WaitForEvent {
                        event: event.clone(),
                        timeout: Wait::compile(timeout, &format!("{path}.timeout"))?,
                        met: to(met),
                        timed_out: to(timed_out),
                    }
                }
                StepDoc::If {
                    condition,
                    then,
                    otherwise,
                    ..
                } => Kind::If {
                    condition: self::condition(condition, &format!("{path}.condition"), rates)?,
                    then: to(then),
                    otherwise: to(otherwise),
                },
                StepDoc::Split { arms, .. } => {
                    if arms.len() < 2 {
                        return Err(Error::invalid(
                            format!("{path}.arms"),
                            "a split needs at least two arms",
                        ));
                    }
                    let total: u64 = arms.iter().map(|a| u64::from(a.weight)).sum();
                    if total != 100 {
                        let listed: Vec<String> = arms
                            .iter()
                            .map(|a| format!("{} {}", a.id, a.weight))
                            .collect();
                        return Err(Error::invalid(
                            format!("{path}.arms"),
                            format!(
                                "split weights add up to {total}, not 100 ({})",
                                listed.join(" + ")
                            ),
                        ));
                    }
                    let mut compiled = Vec::with_capacity(arms.len());
                    let mut upto = 0u32;
                    for (a, arm) in arms.iter().enumerate() {
                        check_id(&arm.id, &format!("{path}.arms[{a}].id"), "arm id")?;
                        if arms.iter().take(a).any(|b| b.id == arm.id) {
                            return Err(Error::invalid(
                                format!("{path}.arms[{a}].id"),
                                format!("duplicate arm id {:?}", arm.id),
                            ));
                        }
                        upto += arm.weight * 100;
                        compiled.push(Arm {
                            id: arm.id.clone(),
                            upto,
                            next: index.get(&arm.next).copied().unwrap_or(0),
                        });
                    }
                    Kind::Split { arms: compiled }
                }
                StepDoc::Goal {
                    condition,
                    event,
                    if_not_met,
                    next,
                    ..
                } => {
                    exactly_one(condition, event, &path, "a goal")?;
                    let condition = match condition {
                        Some(c) => {
                            let cpath = format!("{path}.condition");
                            let compiled = self::condition(c, &cpath, rates)?;
                            if compiled.never_holds() {
                                return Err(Error::invalid(
                                    cpath,
                                    format!(
                                        "goal {:?} can never be reached: the rules engine's analysis finds its condition contradictory",
                                        step.id()
                                    ),
                                ));
                            }
                            Some(compiled)
                        }
                        None => None,
                    };
                    goals.push(i);
                    Kind::Goal {
                        condition,
                        event: event.clone(),
                        miss: *if_not_met,
                        next: next.as_ref().and_then(|n| index.get(n).copied()),
                    }
                }
                StepDoc::Jump { to: target, .. } => Kind::Jump {
                    to: index.get(target).copied().unwrap_or(0),
                },
                StepDoc::End { .. } => Kind::End,
            };
            steps.push(Step {
                id: step.id().to_string(),
                kind,
            });
        }
        let local_time = steps.iter().any(|s| {
            let waits = match &s.kind {
                Kind::Wait { wait, .. } => [Some(wait), None],
                Kind::WaitUntil { timeout, .. } | Kind::WaitForEvent { timeout, .. } => {
                    [Some(timeout), None]
                }
                _ => [None, None],
            };
            waits
                .iter()
                .flatten()
                .any(|w| w.at.is_some() || w.business_days > 0 || w.days > 0)
        });
        let exit_conditions = exits.iter().any(|x| x.condition.is_some());
        let goal_conditions = steps.iter().any(|s| {
            matches!(
                s.kind,
                Kind::Goal {
                    condition: Some(_),
                    ..
                }
            )
        });
        Ok(Journey {
            doc,
            steps,
            index,
            start,
            entry_condition,
            exits,
            goals,
            zone,
            time_zone_field,
            time_zone_field_name,
            local_time,
            exit_conditions,
            goal_conditions,
        })
    }

    /// The journey id.
    pub fn id(&self) -> &str {
        &self.doc.id
    }

    /// The version of the definition.
    pub fn version(&self) -> u32 {
        self.doc.version
    }

    /// The document the journey was compiled from.
    pub fn doc(&self) -> &JourneyDoc {
        &self.doc
    }

    /// The ids of the steps, in document order.
    pub fn step_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.steps.iter().map(|s| s.id.as_str())
    }

    /// The ids of the goal steps, in document order.
    pub fn goal_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.goals
            .iter()
            .filter_map(|g| self.steps.get(*g).map(|s| s.id.as_str()))
    }

    /// The position of a step.
    pub(crate) fn position(&self, step: &str) -> Option<usize> {
        self.index.get(step).copied()
    }
}
