//! Evaluation: events in, actions and the new enrollment state out.
//!
//! The engine is pure: [`RuleSet::evaluate`] reads the event, the snapshot,
//! the enrollment state and `as_of`, and returns the actions with the new
//! state. The host stores the state (a small JSON value) and passes it back
//! with the next event, so a replayed event never acts twice.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

use super::action::{Action, ActionSpec, Assignee, Assignment, Effect, Plan, code_of};
use super::context::Ctx;
use super::overlay::{Budget, Chain, Overlay, View};
use super::ruleset::{EnrollmentPolicy, HitPolicy, Rule, RuleSet};
use super::trigger::{EntityKind, Event, EventType, Trigger};
use crate::model::{Dataset, RepId, Timestamp};
use crate::{Error, Result};

/// What the engine remembers about one rule and one record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enrollment {
    /// How many times the rule acted for the record.
    #[serde(default)]
    pub fired: u32,
    /// When it last acted (the event's time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_fired: Option<Timestamp>,
    /// Whether the rule's conditions held at the last event (kept for
    /// `on_transition`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub matched: bool,
    /// The time of the latest event handled; older events are replays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_at: Option<Timestamp>,
    /// The ids of the events handled at `seen_at` (a set: JSON lists them
    /// sorted).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub seen: BTreeSet<String>,
}

/// The enrollment state of a rule set: a small serialisable value the host
/// stores and passes back with each event.
///
/// JSON form: `{"entities": {"deal:D-1": {"route": {"fired": 1, ...}}},
/// "round_robin": {"east": 3}}`; `{}` is the empty state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollmentState {
    /// Per record (`deal:D-1`), per rule id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub entities: BTreeMap<String, BTreeMap<String, Enrollment>>,
    /// The next turn of each round-robin team.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub round_robin: BTreeMap<String, u64>,
}

impl EnrollmentState {
    /// Parses a state from JSON (`{}` or `""` is the empty state).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) for malformed JSON or a
    /// wrong shape; [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for a
    /// state that breaks its rules, naming the JSON path.
    pub fn from_json(json: &str) -> Result<EnrollmentState> {
        if json.trim().is_empty() {
            return Ok(EnrollmentState::default());
        }
        Error::parse_json(json)
    }

    /// Writes the state as JSON.
    ///
    /// # Errors
    ///
    /// Only if serialisation fails, which the state's own types do not cause.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::new(crate::ErrorKind::Json, e.to_string()))
    }

    /// The enrollment of `rule` for the record `entity` (`deal:D-1`).
    pub fn enrollment(&self, entity: &str, rule: &str) -> Option<&Enrollment> {
        self.entities.get(entity).and_then(|m| m.get(rule))
    }
}

/// Why a rule whose conditions held did or did not act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchOutcome {
    /// It acted.
    Fired,
    /// Its enrollment policy held it back (already enrolled, too soon, no
    /// transition).
    NotReenrolled,
    /// The event (or a later one) was already handled: a replay.
    Replay,
}

/// A rule whose trigger and conditions matched an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleMatch {
    /// The rule.
    #[serde(serialize_with = "super::action::arc_str")]
    pub rule: Arc<str>,
    /// The event.
    pub event: String,
    /// The branch taken.
    #[serde(serialize_with = "super::action::arc_str")]
    pub branch: Arc<str>,
    /// Whether it acted.
    pub outcome: MatchOutcome,
}

/// The result of an evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// The actions, in order: by event (the host's first, then implied
    /// events), then by rule priority, then by action order.
    pub actions: Vec<Action>,
    /// Every rule whose conditions matched, and what came of it.
    pub matches: Vec<RuleMatch>,
    /// The new enrollment state.
    pub state: EnrollmentState,
}

fn days(n: u32) -> TimeDelta {
    TimeDelta::days(i64::from(n))
}

/// `at` plus `n` days, saturating at the latest representable instant.
pub(crate) fn days_after(at: Timestamp, n: u32) -> Timestamp {
    at.checked_add_signed(days(n))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC)
}

impl RuleSet {
    /// Evaluates one event: returns the actions, the rules that matched and
    /// the new enrollment state (`state` itself is not changed).
    ///
    /// Errors (a money condition across currencies without rates, an event
    /// without the record it is about) leave no partial result.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) for an event naming
    /// a record the snapshot does not hold;
    /// [`ErrorKind::CurrencyMismatch`](crate::ErrorKind::CurrencyMismatch) for
    /// a money condition across currencies without rates;
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) when the rule set's
    /// action or work budget per event is exceeded (naming the cascade chain).
    pub fn evaluate(
        &self,
        event: &Event,
        snapshot: &Dataset,
        state: &EnrollmentState,
        as_of: Timestamp,
    ) -> Result<Evaluation> {
        let mut new_state = state.clone();
        let (actions, matches) = self.apply(event, snapshot, &mut new_state, as_of)?;
        Ok(Evaluation {
            actions,
            matches,
            state: new_state,
        })
    }

    /// Like [`RuleSet::evaluate`], but updates `state` in place (only on
    /// success), which saves copying a large state.
    ///
    /// # Errors
    ///
    /// The errors of [`RuleSet::evaluate`]; `state` is then unchanged.
    pub fn apply(
        &self,
        event: &Event,
        snapshot: &Dataset,
        state: &mut EnrollmentState,
        as_of: Timestamp,
    ) -> Result<(Vec<Action>, Vec<RuleMatch>)> {
        event.validate().map_err(|e| e.with_path_prefix("event"))?;
        Self::check_event_references(event, snapshot)?;
        let mut run = Run {
            host: event,
            snapshot,
            state,
            as_of,
            overlay: Overlay::default(),
            actions: Vec::new(),
            matches: Vec::new(),
            derived: Vec::new(),
            budget: Budget::new(self.max_actions_per_event(), self.max_work_per_event()),
        };
        let host_chain: Chain = Arc::from(Vec::new());
        self.process(event, &host_chain, 0, &mut run)?;
        let mut depth = 1;
        while !run.derived.is_empty() && depth <= self.max_cascade_depth() {
            let events = std::mem::take(&mut run.derived);
            for (ev, chain) in &events {
                self.process(ev, chain, depth, &mut run)?;
            }
            depth += 1;
        }
        let Run {
            overlay,
            actions,
            matches,
            ..
        } = run;
        overlay.commit(state);
        Ok((actions, matches))
    }

    /// What the rules decide for one event: which rules match, which branch
    /// each takes and whether its enrollment policy lets it act, without
    /// building actions, updating the state or following cascades. This is
    /// the fast path for routing decisions; [`RuleSet::evaluate`] gives the
    /// actions.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) for an event naming
    /// a record the snapshot does not hold;
    /// [`ErrorKind::CurrencyMismatch`](crate::ErrorKind::CurrencyMismatch) for
    /// a money condition across currencies without rates.
    pub fn decide<'r>(
        &'r self,
        event: &Event,
        snapshot: &Dataset,
        state: &EnrollmentState,
        as_of: Timestamp,
    ) -> Result<Vec<Decision<'r>>> {
        event.validate().map_err(|e| e.with_path_prefix("event"))?;
        Self::check_event_references(event, snapshot)?;
        let rates = self.rates().or_else(|| snapshot.exchange_rates());
        let ctx = Ctx::new(event, snapshot, as_of, rates);
        let entity = if state.entities.is_empty() {
            String::new()
        } else {
            event.entity_key()
        };
        let overlay = Overlay::default();
        let mut out = Vec::with_capacity(self.decisions_hint(event));
        self.steps(&ctx, &entity, state, &overlay, &mut |_| Ok(()), |step| {
            if let Some(branch) = step.branch {
                out.push(Decision {
                    rule: &step.rule.id,
                    branch: &branch.label,
                    outcome: step.outcome(),
                    actions: branch.actions.len(),
                });
            }
        })?;
        Ok(out)
    }

    /// How many rules can match the event at most (a capacity hint).
    fn decisions_hint(&self, event: &Event) -> usize {
        match self.hit_policy() {
            HitPolicy::First => 1,
            HitPolicy::All => self.candidates(event.kind, event.index_name()).len(),
        }
    }

    /// Runs the rules that hear the event, in priority order, and hands each
    /// verdict to `visit` (stopping after the first match under first-match).
    fn steps<'r>(
        &'r self,
        ctx: &Ctx<'_>,
        entity: &str,
        state: &EnrollmentState,
        overlay: &Overlay,
        spend: &mut dyn FnMut(&str) -> Result<()>,
        mut visit: impl FnMut(Step<'r>),
    ) -> Result<()> {
        let event = ctx.event;
        for &rank in self.candidates(event.kind, event.index_name()) {
            let Some(rule) = self.rules.get(rank as usize) else {
                continue;
            };
            spend(&rule.id)?;
            if !rule.trigger.matches(event) {
                continue;
            }
            if let Trigger::Stuck {
                pipeline: Some(p), ..
            } = &rule.trigger
                && ctx.deal().map(|d| &d.pipeline) != Some(p)
            {
                continue;
            }
            let branch = select_branch(rule, ctx).map_err(|e| {
                Error::new(e.kind(), format!("rule {:?}: {}", rule.id, e.message()))
            })?;
            let previous: View<'_> = overlay.view(state, entity, &rule.id);
            let replay = previous.is_replay(event);
            let allowed = !replay
                && branch.is_some()
                && match rule.policy {
                    EnrollmentPolicy::Once => previous.fired() == 0,
                    EnrollmentPolicy::AgainAfterDays(n) => previous
                        .last_fired()
                        .is_none_or(|t| event.at >= days_after(t, n)),
                    EnrollmentPolicy::OnTransition => !previous.exists() || !previous.matched(),
                    EnrollmentPolicy::EveryTime => true,
                };
            let matched = branch.is_some();
            visit(Step {
                rule,
                branch,
                allowed,
                replay,
            });
            if matched && self.hit_policy() == HitPolicy::First {
                break;
            }
        }
        Ok(())
    }

    /// Evaluates one event (the host's or an implied one) of the run.
    fn process(&self, event: &Event, chain: &Chain, depth: u32, run: &mut Run<'_>) -> Result<()> {
        let snapshot = run.snapshot;
        let state = run.state;
        let rates = self.rates().or_else(|| snapshot.exchange_rates());
        let ctx = Ctx::new(event, snapshot, run.as_of, rates);
        let entity = event.entity_key();
        let mut steps = Vec::with_capacity(self.candidates(event.kind, event.index_name()).len());
        let host = run.host;
        let budget = &mut run.budget;
        self.steps(
            &ctx,
            &entity,
            state,
            &run.overlay,
            &mut |rule| budget.work(host, chain, rule),
            |step| steps.push(step),
        )?;
        for step in steps {
            let rule = step.rule;
            if step.replay {
                if let Some(b) = step.branch {
                    run.matches.push(RuleMatch {
                        rule: rule.id.clone(),
                        event: event.id.clone(),
                        branch: b.label.clone(),
                        outcome: MatchOutcome::Replay,
                    });
                }
                continue;
            }
            if step.allowed || rule.policy == EnrollmentPolicy::OnTransition {
                let matched = (rule.policy == EnrollmentPolicy::OnTransition)
                    .then_some(step.branch.is_some());
                run.overlay
                    .record(state, &entity, &rule.id, event, matched, step.allowed);
            }
            let Some(branch) = step.branch else {
                continue;
            };
            run.matches.push(RuleMatch {
                rule: rule.id.clone(),
                event: event.id.clone(),
                branch: branch.label.clone(),
                outcome: step.outcome(),
            });
            if !step.allowed {
                continue;
            }
            let mut next_chain: Option<Chain> = None;
            for (i, plan) in branch.actions.iter().enumerate() {
                run.budget.action(host, chain, &rule.id)?;
                let id = action_id(&rule.id, &branch.label, &entity, &event.id, i);
                let effect = resolve(plan, &ctx, &id, &mut run.overlay, state);
                let action = Action {
                    id,
                    rule: rule.id.clone(),
                    branch: branch.label.clone(),
                    entity: entity.clone(),
                    event: event.id.clone(),
                    depth,
                    reason: branch.reason.clone(),
                    effect,
                };
                if depth < self.max_cascade_depth() {
                    let mut implied = Vec::new();
                    implied_events(&action, &ctx, &mut implied);
                    if !implied.is_empty() {
                        let chain = next_chain
                            .get_or_insert_with(|| {
                                let mut names: Vec<Arc<str>> = chain.to_vec();
                                names.push(rule.id.clone());
                                Arc::from(names)
                            })
                            .clone();
                        run.derived
                            .extend(implied.into_iter().map(|e| (e, chain.clone())));
                    }
                }
                run.actions.push(action);
            }
        }
        Ok(())
    }

    /// An event naming a deal, contact or ticket the snapshot does not
    /// hold is refused (`NotFound`), as everywhere else in crmkit.
    pub(super) fn check_event_references(event: &Event, snapshot: &Dataset) -> Result<()> {
        if let Some(id) = &event.deal
            && snapshot.deal(id).is_none()
        {
            return Err(Error::at(
                crate::ErrorKind::NotFound,
                "event.deal",
                format!(
                    "event {:?} names deal {id}, which is not in the snapshot",
                    event.id
                ),
            ));
        }
        if let Some(id) = &event.contact
            && snapshot.contact(id).is_none()
        {
            return Err(Error::at(
                crate::ErrorKind::NotFound,
                "event.contact",
                format!(
                    "event {:?} names contact {id}, which is not in the snapshot",
                    event.id
                ),
            ));
        }
        if let Some(id) = &event.ticket
            && snapshot.ticket(id).is_none()
        {
            return Err(Error::at(
                crate::ErrorKind::NotFound,
                "event.ticket",
                format!(
                    "event {:?} names ticket {id}, which is not in the snapshot",
                    event.id
                ),
            ));
        }
        Ok(())
    }
}

/// The working state of one evaluation.
struct Run<'a> {
    /// The host's event (named in budget errors).
    host: &'a Event,
    snapshot: &'a Dataset,
    state: &'a EnrollmentState,
    as_of: Timestamp,
    overlay: Overlay,
    actions: Vec<Action>,
    matches: Vec<RuleMatch>,
    /// Implied events of the next cascade level, each with its chain.
    derived: Vec<(Event, Chain)>,
    budget: Budget,
}

/// The deterministic action id `rule/branch/entity/event/index`, built
/// without the formatting machinery (it is made for every action).
pub(super) fn action_id(
    rule: &str,
    branch: &str,
    entity: &str,
    event: &str,
    index: usize,
) -> String {
    let mut id = String::with_capacity(rule.len() + branch.len() + entity.len() + event.len() + 8);
    for part in [rule, branch, entity, event] {
        id.push_str(part);
        id.push('/');
    }
    if index < 10 {
        id.push(char::from(b'0' + index as u8));
    } else {
        let _ = write!(id, "{index}");
    }
    id
}

/// One rule's verdict on one event.
struct Step<'r> {
    rule: &'r Rule,
    branch: Option<&'r super::ruleset::Branch>,
    allowed: bool,
    replay: bool,
}

impl Step<'_> {
    fn outcome(&self) -> MatchOutcome {
        if self.replay {
            MatchOutcome::Replay
        } else if self.allowed {
            MatchOutcome::Fired
        } else {
            MatchOutcome::NotReenrolled
        }
    }
}

/// What one rule decided for an event (see [`RuleSet::decide`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision<'r> {
    /// The rule.
    pub rule: &'r str,
    /// The branch taken (`then`, `if[0]`, `else`).
    pub branch: &'r str,
    /// Whether it would act.
    pub outcome: MatchOutcome,
    /// How many actions the branch has.
    pub actions: usize,
}

fn select_branch<'r>(rule: &'r Rule, ctx: &Ctx<'_>) -> Result<Option<&'r super::ruleset::Branch>> {
    if !rule.guard.eval(ctx)? {
        return Ok(None);
    }
    for branch in &rule.branches {
        if branch.cond.eval(ctx)? {
            return Ok(Some(branch));
        }
    }
    Ok(None)
}

/// The events an action implies, for cascades.
fn implied_events(action: &Action, ctx: &Ctx<'_>, out: &mut Vec<Event>) {
    let parent = ctx.event;
    let base = |kind: EventType| {
        let mut e = Event::new(action.id.clone(), kind, parent.at);
        e.contact = ctx.contact_id().cloned();
        e.deal = parent.deal.clone();
        e.ticket = parent.ticket.clone();
        e
    };
    match &action.effect {
        Effect::SetLifecycleStage { stage, contact } if contact.is_some() => {
            let current = ctx.contact().map(|c| c.lifecycle.stage);
            if current == Some(*stage) {
                return;
            }
            let mut e = base(EventType::LifecycleStageChanged);
            e.from = current.map(|s| s.as_str().to_string());
            e.to = Some(stage.as_str().to_string());
            out.push(e);
        }
        Effect::MoveDealStage {
            stage,
            deal: Some(_),
        } => {
            let current = match (parent.kind, &parent.to) {
                (EventType::DealStageChanged, Some(to)) => Some(to.clone()),
                _ => ctx.deal().map(|d| d.stage.to_string()),
            };
            if current.as_deref() == Some(stage.as_str()) {
                return;
            }
            let mut e = base(EventType::DealStageChanged);
            e.from = current;
            e.to = Some(stage.to_string());
            out.push(e);
        }
        Effect::AddTag { target, .. } | Effect::RemoveTag { target, .. }
            if target.starts_with("contact:") =>
        {
            let mut e = base(EventType::ContactUpdated);
            e.field = Some("contact.tags".to_string());
            out.push(e);
        }
        _ => {}
    }
}

fn active_reps(snapshot: &Dataset, keep: impl Fn(&crate::model::SalesRep) -> bool) -> Vec<&RepId> {
    let mut reps: Vec<&RepId> = snapshot
        .reps()
        .iter()
        .filter(|r| r.active && keep(r))
        .map(|r| &r.id)
        .collect();
    reps.sort();
    reps
}

fn least_loaded(reps: &[&RepId], overlay: &mut Overlay, snapshot: &Dataset) -> Option<RepId> {
    let loads = overlay.loads.get_or_insert_with(|| {
        let mut loads: HashMap<RepId, u32> = HashMap::new();
        for task in snapshot.tasks().iter().filter(|t| t.done_at.is_none()) {
            *loads.entry(task.assignee.clone()).or_default() += 1;
        }
        loads
    });
    let best = reps
        .iter()
        .min_by_key(|r| (loads.get(**r).copied().unwrap_or(0), **r))
        .map(|r| (*r).clone())?;
    *loads.entry(best.clone()).or_default() += 1;
    Some(best)
}

/// Chooses a rep: (rep, how, note).
fn assign(
    who: &Assignee,
    ctx: &Ctx<'_>,
    overlay: &mut Overlay,
    state: &EnrollmentState,
) -> (Option<RepId>, Assignment, Option<String>) {
    let snapshot = ctx.snapshot;
    let owner = || match ctx.owner() {
        Some(o) => (Some(o.clone()), Assignment::Owner, None),
        None => (
            None,
            Assignment::Unassigned,
            Some("neither the deal nor the contact has an owner".to_string()),
        ),
    };
    match who {
        Assignee::Owner => owner(),
        Assignee::Rep(rep) => {
            let note = snapshot
                .rep(rep)
                .is_none()
                .then(|| format!("rep {rep} is not in the snapshot"));
            (Some(rep.clone()), Assignment::Rep, note)
        }
        Assignee::RoundRobin(team) => {
            let reps = active_reps(snapshot, |r| r.team.as_ref() == Some(team));
            if reps.is_empty() {
                return (
                    None,
                    Assignment::Unassigned,
                    Some(format!("team {team} has no active reps")),
                );
            }
            let key = team.as_str();
            let turn = overlay.turn(state, key);
            let len = reps.len() as u64;
            let pick = reps.get((turn % len) as usize).map(|r| (*r).clone());
            overlay.set_turn(key, turn.wrapping_add(1));
            (pick, Assignment::RoundRobin, None)
        }
        Assignee::LeastLoaded(team) => {
            let reps = active_reps(snapshot, |r| r.team.as_ref() == Some(team));
            match least_loaded(&reps, overlay, snapshot) {
                Some(rep) => (Some(rep), Assignment::LeastLoaded, None),
                None => (
                    None,
                    Assignment::Unassigned,
                    Some(format!("team {team} has no active reps")),
                ),
            }
        }
        Assignee::Territory => {
            let territory = ctx.contact().and_then(|c| c.territory.as_deref());
            let Some(territory) = territory else {
                let (rep, how, _) = owner();
                return (
                    rep,
                    how,
                    Some("the contact has no territory; assigned to the owner".into()),
                );
            };
            let reps = active_reps(snapshot, |r| r.territories.iter().any(|t| t == territory));
            match least_loaded(&reps, overlay, snapshot) {
                Some(rep) => (Some(rep), Assignment::Territory, None),
                None => {
                    let (rep, how, _) = owner();
                    (
                        rep,
                        how,
                        Some(format!(
                            "no active rep covers territory {territory}; assigned to the owner"
                        )),
                    )
                }
            }
        }
    }
}

/// Turns a compiled action into the effect for this event.
pub(super) fn resolve(
    plan: &Plan,
    ctx: &Ctx<'_>,
    id: &str,
    overlay: &mut Overlay,
    state: &EnrollmentState,
) -> Effect {
    let contact = || ctx.contact_id().cloned();
    let text = || {
        plan.text
            .as_ref()
            .map(|t| t.render(ctx))
            .unwrap_or_default()
    };
    let target = || match ctx.event.kind.entity_kind() {
        EntityKind::Deal if ctx.event.deal.is_some() => ctx.event.entity_key(),
        _ => format!("contact:{}", ctx.contact_id().map_or("", |c| c.as_str())),
    };
    match &plan.spec {
        ActionSpec::CreateTask {
            task,
            assignee,
            due_in_days,
            ..
        } => {
            let (rep, how, note) = assign(assignee, ctx, overlay, state);
            Effect::CreateTask {
                task: *task,
                title: text(),
                assignee: rep,
                assigned_by: how,
                due: days_after(ctx.event.at, *due_in_days),
                contact: contact(),
                deal: ctx.event.deal.clone(),
                note,
            }
        }
        ActionSpec::EnrollInCampaign { campaign } => Effect::EnrollInCampaign {
            campaign: campaign.clone(),
            contact: contact(),
        },
        ActionSpec::RemoveFromCampaign { campaign } => Effect::RemoveFromCampaign {
            campaign: campaign.clone(),
            contact: contact(),
        },
        ActionSpec::SendEmail { template, .. } => Effect::SendEmail {
            template: template.clone(),
            subject: text(),
            contact: contact(),
            to: ctx.contact().and_then(|c| c.email.clone()),
            personalisation: plan
                .fields
                .iter()
                .map(|(name, source)| (name.clone(), ctx.render(source)))
                .collect(),
        },
        ActionSpec::IssueDiscount {
            percent,
            prefix,
            valid_days,
        } => Effect::IssueDiscount {
            code: format!("{prefix}-{}", code_of(id)),
            percent: *percent,
            contact: contact(),
            expires: days_after(ctx.event.at, *valid_days),
        },
        ActionSpec::AddTag { tag } => Effect::AddTag {
            tag: tag.clone(),
            target: target(),
        },
        ActionSpec::RemoveTag { tag } => Effect::RemoveTag {
            tag: tag.clone(),
            target: target(),
        },
        ActionSpec::SetLifecycleStage { stage } => Effect::SetLifecycleStage {
            contact: contact(),
            stage: *stage,
        },
        ActionSpec::MoveDealStage { stage } => Effect::MoveDealStage {
            deal: ctx.event.deal.clone(),
            stage: stage.clone(),
        },
        ActionSpec::AdjustScore { points } => Effect::AdjustScore {
            contact: contact(),
            points: *points,
        },
        ActionSpec::RequestFeedback { survey, channel } => Effect::RequestFeedback {
            contact: contact(),
            survey: survey.clone(),
            channel: channel.clone(),
            ticket: ctx.event.ticket.clone(),
        },
        ActionSpec::Notify { user, .. } => {
            let (rep, how, note) = assign(user, ctx, overlay, state);
            Effect::Notify {
                user: rep,
                assigned_by: how,
                message: text(),
                note,
            }
        }
    }
}
