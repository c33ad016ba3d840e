//! The automation rules engine: triggers, typed conditions, actions with
//! deterministic ids, hit policies, enrollment state, cascades, time-based
//! triggers, dry runs, presets and the static analysis of rule sets (gaps,
//! overlaps, unreachable rules, contradictions).
//!
//! A rule set is JSON, validated and compiled once into an immutable,
//! `Send + Sync` [`RuleSet`]. The engine is pure: [`RuleSet::evaluate`]
//! takes an [`Event`], the snapshot ([`Dataset`](crate::model::Dataset)),
//! the [`EnrollmentState`] and `as_of`, and returns the [`Action`]s for the
//! host to carry out with the new state.
//!
//! ```
//! use crmkit::automation::{Event, EventType, EnrollmentState, RuleSet, analyze};
//! use crmkit::model::Dataset;
//!
//! let rules = RuleSet::from_json(r#"{"hit_policy": "first", "rules": [{
//!     "id": "route", "trigger": {"type": "deal_created"},
//!     "branches": [
//!       {"if": {"field": "deal.value", "op": "gt", "value": {"amount": "500", "currency": "USD"}},
//!        "then": [{"type": "create_task", "task": "call", "title": "Call the lead"}]},
//!       {"if": {"field": "deal.value", "op": "lt", "value": {"amount": "500", "currency": "USD"}},
//!        "then": [{"type": "enroll_in_campaign", "campaign": "nurture"}]}]}]}"#)?;
//! // The snapshot holds the records events name (an unknown deal is `NotFound`).
//! let snapshot = Dataset::from_json(r#"{
//!   "pipelines": [{"id": "sales", "name": "Sales", "stages": [{"id": "new", "name": "New", "probability": 10}]}],
//!   "contacts": [{"id": "C-1", "name": "Ada", "created_at": "2026-04-01T00:00:00Z"}],
//!   "deals": [{"id": "D-1", "name": "Pilot", "contact": "C-1", "pipeline": "sales", "stage": "new",
//!              "value": {"amount": "750.00", "currency": "USD"}, "created_at": "2026-04-30T00:00:00Z"}]}"#)?;
//! let at = "2026-05-01T09:00:00Z".parse().unwrap();
//! let mut event = Event::new("E-1", EventType::DealCreated, at);
//! event.deal = Some("D-1".parse()?);
//! event.value = Some(crmkit::money::Money::parse("750.00", "USD".parse()?)?);
//! let out = rules.evaluate(&event, &snapshot, &EnrollmentState::default(), at)?;
//! assert_eq!(out.actions.len(), 1);
//! assert_eq!(out.actions[0].id, "route/if[0]/deal:D-1/E-1/0");
//! // Replaying the same event with the new state does nothing.
//! assert!(rules.evaluate(&event, &snapshot, &out.state, at)?.actions.is_empty());
//! // The analysis finds the deal of exactly $500 that no branch routes.
//! let report = analyze(&rules);
//! assert!(report.findings.iter().any(|f| f.example_text.contains("deal.value = 500.00 USD")));
//! Ok::<(), crmkit::Error>(())
//! ```

mod action;
mod analysis;
mod compiled;
pub(crate) mod condition;
pub(crate) mod context;
mod dryrun;
mod engine;
mod overlay;
pub mod presets;
mod ruleset;
mod tick;
mod trigger;

pub use action::{Action, ActionSpec, Assignee, Assignment, Effect};
pub use analysis::{
    AnalysisReport, Finding, FindingKind, MAX_ANALYSIS_WORK, TriggerSummary, analyze,
    analyze_within,
};
pub use compiled::{CompiledAction, CompiledCondition};
pub use condition::{Condition, MAX_CONDITION_DEPTH, Op};
pub use dryrun::{DryRun, DryRunError, RuleRun};
pub use engine::{Decision, Enrollment, EnrollmentState, Evaluation, MatchOutcome, RuleMatch};
pub use overlay::{DEFAULT_MAX_ACTIONS, DEFAULT_MAX_WORK, MAX_ACTIONS_LIMIT, MAX_WORK_LIMIT};
pub use ruleset::{
    BranchDoc, EnrollmentPolicy, HitPolicy, MAX_CASCADE_DEPTH, RuleDoc, RuleSet, RuleSetDoc,
};
pub use trigger::{
    Direction, EntityKind, Event, EventType, PurchaseCount, PurchaseCountName, StuckEntity, Trigger,
};
