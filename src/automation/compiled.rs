//! Conditions and actions compiled on their own, for hosts (and crmkit's
//! journeys) that evaluate a condition or resolve an action outside a rule
//! set, with exactly the rules engine's semantics: the same field paths,
//! snapshot look-ups, exchange rates, assignment rules and deterministic
//! action ids.

use std::sync::Arc;

use super::action::{ActionSpec, Assignee, Plan};
use super::condition::{Cond, Condition, compile};
use super::context::Ctx;
use super::engine::{EnrollmentState, action_id, resolve};
use super::overlay::Overlay;
use super::ruleset::{EnrollmentPolicy, HitPolicy, RuleDoc, RuleSet, RuleSetDoc, validate_rule_id};
use super::trigger::{Event, Trigger};
use super::{Action, FindingKind, analyze};
use crate::Result;
use crate::model::{Dataset, TeamId, Timestamp};
use crate::money::ExchangeRates;

/// A condition compiled once and evaluated against events, as a rule's
/// `when` would be.
///
/// ```
/// use crmkit::automation::{ActionSpec, CompiledAction, CompiledCondition, Condition, Event,
///     EventType, EnrollmentState, Op};
/// use crmkit::model::Dataset;
///
/// let snapshot = Dataset::from_json(r#"{"contacts": [
///   {"id": "C-1", "name": "Ada", "created_at": "2026-04-01T00:00:00Z", "tags": ["vip"]}]}"#)?;
/// let at = "2026-05-01T09:00:00Z".parse().unwrap();
/// let mut event = Event::new("E-1", EventType::ContactUpdated, at);
/// event.contact = Some("C-1".parse()?);
///
/// let vip = Condition::leaf("contact.tags", Op::Has, serde_json::json!("vip"));
/// let vip = CompiledCondition::compile(&vip, None)?;
/// assert!(vip.holds(&event, &snapshot, at)?);
///
/// let tag = ActionSpec::AddTag { tag: "welcomed".into() };
/// let tag = CompiledAction::compile("welcome", &tag)?;
/// let action = tag.resolve(&event, &snapshot, &mut EnrollmentState::default(), at)?;
/// // The id a rule `welcome` with `then: [add_tag]` gives for this event.
/// assert_eq!(action.id, "welcome/then/contact:C-1/E-1/0");
/// Ok::<(), crmkit::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CompiledCondition {
    doc: Condition,
    cond: Cond,
    rates: Option<ExchangeRates>,
}

impl CompiledCondition {
    /// Validates and compiles `condition`. `rates` convert money across
    /// currencies (without them, the snapshot's rates are used, as for a
    /// rule set without `exchange_rates`).
    ///
    /// # Errors
    ///
    /// An invalid condition (unknown field, a literal of the wrong kind,
    /// nesting deeper than [`MAX_CONDITION_DEPTH`](super::MAX_CONDITION_DEPTH));
    /// the error path is relative to the condition (`all[1].value`).
    pub fn compile(
        condition: &Condition,
        rates: Option<&ExchangeRates>,
    ) -> Result<CompiledCondition> {
        Ok(CompiledCondition {
            doc: condition.clone(),
            cond: compile(condition)?,
            rates: rates.cloned(),
        })
    }

    /// Whether the condition holds for `event` in `snapshot` at `as_of`,
    /// exactly as a rule's `when` on that event.
    ///
    /// # Errors
    ///
    /// An invalid event (path `event...`), an event naming a record the
    /// snapshot does not hold (`NotFound`), or a money comparison across
    /// currencies without exchange rates.
    pub fn holds(&self, event: &Event, snapshot: &Dataset, as_of: Timestamp) -> Result<bool> {
        event.validate().map_err(|e| e.with_path_prefix("event"))?;
        RuleSet::check_event_references(event, snapshot)?;
        let rates = self.rates.as_ref().or_else(|| snapshot.exchange_rates());
        let ctx = Ctx::new(event, snapshot, as_of, rates);
        self.cond.eval(&ctx)
    }

    /// The condition as text (`deal.value > 500.00 USD`), as in the rules
    /// engine's reasons.
    pub fn text(&self) -> String {
        self.cond.text()
    }

    /// The condition as written.
    pub fn doc(&self) -> &Condition {
        &self.doc
    }

    /// `true` when the rules engine's static analysis ([`analyze`]) proves
    /// that the condition can never hold, whatever the event (a
    /// contradiction such as `deal.value > 500 and deal.value < 100`). This
    /// runs the analysis, so it is meant for load time.
    pub fn never_holds(&self) -> bool {
        let rules = analysis_triggers()
            .into_iter()
            .enumerate()
            .map(|(i, trigger)| RuleDoc {
                id: format!("c{i}"),
                name: String::new(),
                priority: 0,
                enabled: true,
                trigger,
                when: Some(self.doc.clone()),
                then: Some(vec![ActionSpec::AddTag {
                    tag: "condition".to_string(),
                }]),
                branches: Vec::new(),
                otherwise: None,
                enrollment: EnrollmentPolicy::EveryTime,
            })
            .collect();
        let doc = RuleSetDoc {
            hit_policy: HitPolicy::First,
            max_cascade_depth: 0,
            max_actions_per_event: None,
            max_work_per_event: None,
            exchange_rates: self.rates.clone(),
            rules,
        };
        match RuleSet::compile(doc) {
            Ok(rules) => analyze(&rules)
                .findings
                .iter()
                .any(|f| f.kind == FindingKind::Contradiction),
            Err(_) => false,
        }
    }
}

/// The event types the contradiction analysis looks at: every event type a
/// host sends (derived events read the same fields).
fn analysis_triggers() -> Vec<Trigger> {
    vec![
        Trigger::ContactCreated {},
        Trigger::ContactUpdated { field: None },
        Trigger::LifecycleStageChanged {
            from: None,
            to: None,
        },
        Trigger::DealCreated {},
        Trigger::DealValueChanged {},
        Trigger::DealStageChanged {
            from: None,
            to: None,
        },
        Trigger::DealWon {},
        Trigger::DealLost {},
        Trigger::PurchaseMade { count: None },
        Trigger::FormSubmitted { form: None },
        Trigger::EmailOpened { email: None },
        Trigger::EmailClicked { email: None },
        Trigger::TicketOpened {},
        Trigger::TicketClosed {},
        Trigger::SurveyAnswered { survey: None },
    ]
}

/// An action compiled once and resolved for events, as the only action of
/// a rule's `then` would be: the action id is
/// `rule/then/entity/event/0` (`welcome/then/contact:C-1/E-1/0`), the
/// assignee is chosen by the same rules, texts are rendered the same way.
/// See [`CompiledCondition`] for an example.
#[derive(Debug, Clone)]
pub struct CompiledAction {
    rule: Arc<str>,
    branch: Arc<str>,
    reason: Arc<str>,
    plan: Plan,
}

impl CompiledAction {
    /// Validates and compiles `spec` as the action of the rule `rule`
    /// (the first part of every action id). The reason of each action is
    /// `rule` until [`CompiledAction::with_reason`] sets another.
    ///
    /// # Errors
    ///
    /// A rule id that is empty, longer than 128 bytes or contains `/` or
    /// control characters (path `id`), or an invalid action (an unclosed
    /// `{{` placeholder, an empty tag...; paths relative to the action).
    pub fn compile(rule: &str, spec: &ActionSpec) -> Result<CompiledAction> {
        validate_rule_id(rule)?;
        Ok(CompiledAction {
            rule: rule.into(),
            branch: "then".into(),
            reason: rule.into(),
            plan: Plan::compile(spec)?,
        })
    }

    /// Sets the reason every action carries.
    pub fn with_reason(mut self, reason: &str) -> CompiledAction {
        self.reason = reason.into();
        self
    }

    /// The action as written.
    pub fn spec(&self) -> &ActionSpec {
        &self.plan.spec
    }

    /// The team whose turn the action reads and advances in
    /// [`EnrollmentState::round_robin`], when it assigns round robin.
    pub fn round_robin_team(&self) -> Option<&TeamId> {
        match &self.plan.spec {
            ActionSpec::CreateTask {
                assignee: Assignee::RoundRobin(team),
                ..
            }
            | ActionSpec::Notify {
                user: Assignee::RoundRobin(team),
                ..
            } => Some(team),
            _ => None,
        }
    }

    /// The action for `event` in `snapshot` at `as_of`. The record the
    /// action is about follows the event, as for a rule: a deal event tags
    /// the deal, a contact event the contact. A round-robin assignment
    /// reads the team's turn in `state` and advances it; nothing else in
    /// `state` is read or written (a standalone action has no enrollment
    /// policy).
    ///
    /// # Errors
    ///
    /// An invalid event (path `event...`) or an event naming a record the
    /// snapshot does not hold (`NotFound`); `state` is then unchanged.
    pub fn resolve(
        &self,
        event: &Event,
        snapshot: &Dataset,
        state: &mut EnrollmentState,
        as_of: Timestamp,
    ) -> Result<Action> {
        event.validate().map_err(|e| e.with_path_prefix("event"))?;
        RuleSet::check_event_references(event, snapshot)?;
        let ctx = Ctx::new(event, snapshot, as_of, snapshot.exchange_rates());
        let entity = event.entity_key();
        let id = action_id(&self.rule, &self.branch, &entity, &event.id, 0);
        let mut overlay = Overlay::default();
        let effect = resolve(&self.plan, &ctx, &id, &mut overlay, state);
        overlay.commit(state);
        Ok(Action {
            id,
            rule: self.rule.clone(),
            branch: self.branch.clone(),
            entity,
            event: event.id.clone(),
            depth: 0,
            reason: self.reason.clone(),
            effect,
        })
    }
}
