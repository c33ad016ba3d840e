//! Conditions and actions of a journey, run by the rules engine through its
//! public API: each condition becomes a one-rule-per-event-type rule set
//! whose guard is the condition, each action a one-rule set whose action
//! is the step's. Conditions therefore read exactly the fields the rules
//! engine reads, and actions get the rules engine's deterministic ids and
//! effects.

use crate::automation::{
    Action, ActionSpec, Condition, EnrollmentPolicy, EnrollmentState, Event, EventType,
    FindingKind, HitPolicy, RuleDoc, RuleSet, RuleSetDoc, Trigger, analyze,
};
use crate::model::{ContactId, Dataset, DealId, Timestamp};
use crate::money::ExchangeRates;
use crate::{Error, Result};

/// The event types a condition probe listens to directly; other events are
/// read as one of these (see [`probe_kind`]).
fn probe_triggers() -> Vec<Trigger> {
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

/// The event type a condition is evaluated under: events derived by the
/// rules engine's tick, and score changes, are read as a contact update
/// (a deal stuck as a deal stage change, so `deal.stage` is its stage).
fn probe_kind(kind: EventType) -> EventType {
    match kind {
        EventType::ScoreChanged | EventType::DateReached | EventType::LeadStuck => {
            EventType::ContactUpdated
        }
        EventType::DealStuck => EventType::DealStageChanged,
        other => other,
    }
}

fn marker() -> Vec<ActionSpec> {
    vec![ActionSpec::AddTag {
        tag: "journey-condition".to_string(),
    }]
}

/// Moves a rules-engine error at `rules[i].when...` to `path...`.
fn relocate(err: Error, path: &str, inner: &str) -> Error {
    let rest = err
        .path()
        .and_then(|p| p.find(inner).map(|at| p[at + inner.len()..].to_string()))
        .unwrap_or_default();
    let kind = err.kind();
    Error::at(kind, format!("{path}{rest}"), err.message().to_string())
}

/// A compiled condition.
#[derive(Debug)]
pub(crate) struct ConditionProbe {
    rules: RuleSet,
}

impl ConditionProbe {
    /// Compiles `condition`; errors name `path` (`steps[2].condition`).
    pub(crate) fn compile(
        condition: &Condition,
        path: &str,
        rates: Option<&ExchangeRates>,
    ) -> Result<ConditionProbe> {
        let rules = probe_triggers()
            .into_iter()
            .enumerate()
            .map(|(i, trigger)| RuleDoc {
                id: format!("c{i}"),
                name: String::new(),
                priority: 0,
                enabled: true,
                trigger,
                when: Some(condition.clone()),
                then: Some(marker()),
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
            exchange_rates: rates.cloned(),
            rules,
        };
        let rules = RuleSet::compile(doc).map_err(|e| relocate(e, path, ".when"))?;
        Ok(ConditionProbe { rules })
    }

    /// Whether the condition holds for `event` (read under its probe kind).
    pub(crate) fn holds(
        &self,
        event: &Event,
        snapshot: &Dataset,
        as_of: Timestamp,
    ) -> Result<bool> {
        let kind = probe_kind(event.kind);
        let empty = EnrollmentState::default();
        let decisions = if kind == event.kind {
            self.rules.decide(event, snapshot, &empty, as_of)?
        } else {
            let mut read_as = event.clone();
            read_as.kind = kind;
            self.rules.decide(&read_as, snapshot, &empty, as_of)?
        };
        Ok(!decisions.is_empty())
    }

    /// `true` when the rules engine's analysis proves the condition can
    /// never hold (a contradiction for every event type).
    pub(crate) fn never_holds(&self) -> bool {
        let report = analyze(&self.rules);
        let contradictions = report
            .findings
            .iter()
            .filter(|f| f.kind == FindingKind::Contradiction)
            .count();
        contradictions > 0
    }
}

/// A compiled action step: one rule set for contact journeys and one for
/// journeys entered with a deal (whose tags, owner and stage moves refer to
/// the deal, as for the rules engine's deal events).
#[derive(Debug)]
pub(crate) struct ActionProbe {
    contact: RuleSet,
    deal: RuleSet,
}

impl ActionProbe {
    /// Compiles the action of step `step` of journey `journey`; the rule id
    /// `journey:step` starts every action id.
    pub(crate) fn compile(
        journey: &str,
        step: &str,
        spec: &ActionSpec,
        path: &str,
    ) -> Result<ActionProbe> {
        let make = |trigger: Trigger| {
            let doc = RuleSetDoc {
                hit_policy: HitPolicy::First,
                max_cascade_depth: 0,
                max_actions_per_event: None,
                max_work_per_event: None,
                exchange_rates: None,
                rules: vec![RuleDoc {
                    id: format!("{journey}:{step}"),
                    name: String::new(),
                    priority: 0,
                    enabled: true,
                    trigger,
                    when: None,
                    then: Some(vec![spec.clone()]),
                    branches: Vec::new(),
                    otherwise: None,
                    enrollment: EnrollmentPolicy::EveryTime,
                }],
            };
            RuleSet::compile(doc).map_err(|e| relocate(e, path, ".then[0]"))
        };
        Ok(ActionProbe {
            contact: make(Trigger::ContactUpdated { field: None })?,
            deal: make(Trigger::DealValueChanged {})?,
        })
    }

    /// Runs the action for the contact (and deal) as of `at`; `occurrence`
    /// names this run of the step and makes the action id.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run(
        &self,
        contact: &ContactId,
        deal: Option<&DealId>,
        occurrence: String,
        at: Timestamp,
        snapshot: &Dataset,
        as_of: Timestamp,
    ) -> Result<Vec<Action>> {
        let (rules, kind) = match deal {
            Some(_) => (&self.deal, EventType::DealValueChanged),
            None => (&self.contact, EventType::ContactUpdated),
        };
        let mut event = Event::new(occurrence, kind, at);
        event.contact = Some(contact.clone());
        event.deal = deal.cloned();
        let mut state = EnrollmentState::default();
        let (actions, _) = rules.apply(&event, snapshot, &mut state, as_of)?;
        Ok(actions)
    }
}
