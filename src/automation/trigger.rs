//! Triggers (what a rule listens to) and events (what happened).
//!
//! An [`Event`] is a fact the host reports (`deal_created`, `form_submitted`,
//! `score_changed`...) or one that [`RuleSet::tick`](super::RuleSet::tick)
//! derives from the snapshot (`date_reached`, `deal_stuck`, `lead_stuck`).
//! A [`Trigger`] selects events of one [`EventType`], optionally narrowed
//! (a named form, a target stage, the first or Nth purchase, a score
//! threshold crossed upwards).

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::{
    ContactId, Deal, DealId, LifecycleStage, PipelineId, StageId, TicketId, Timestamp,
};
use crate::money::Money;
use crate::{Error, Result};

/// The kind of an [`Event`]. JSON form: the snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// A contact (lead) was created.
    ContactCreated,
    /// A contact field changed (`field` names it).
    ContactUpdated,
    /// The contact's lifecycle stage changed (`from`, `to`).
    LifecycleStageChanged,
    /// A deal was created (`value` may carry its value).
    DealCreated,
    /// A deal's value changed (`old_value`, `value`).
    DealValueChanged,
    /// A deal moved to another stage (`from`, `to`).
    DealStageChanged,
    /// A deal was won.
    DealWon,
    /// A deal was lost.
    DealLost,
    /// The contact bought something (`value`, `purchase_number`).
    PurchaseMade,
    /// The contact submitted a form (`form`).
    FormSubmitted,
    /// The contact opened an e-mail (`email`).
    EmailOpened,
    /// The contact clicked a link in an e-mail (`email`).
    EmailClicked,
    /// The contact's score changed (`old_score`, `new_score`).
    ScoreChanged,
    /// A support ticket was opened.
    TicketOpened,
    /// A support ticket was closed.
    TicketClosed,
    /// The contact answered a survey (`survey`, `survey_score`).
    SurveyAnswered,
    /// A date-based trigger came due (derived by `tick`).
    DateReached,
    /// A deal stayed in one stage for `days` days (derived by `tick`).
    DealStuck,
    /// A lead stayed in one lifecycle stage for `days` days (derived by `tick`).
    LeadStuck,
}

impl EventType {
    /// Every event type, in declaration order.
    pub const ALL: [EventType; 19] = [
        EventType::ContactCreated,
        EventType::ContactUpdated,
        EventType::LifecycleStageChanged,
        EventType::DealCreated,
        EventType::DealValueChanged,
        EventType::DealStageChanged,
        EventType::DealWon,
        EventType::DealLost,
        EventType::PurchaseMade,
        EventType::FormSubmitted,
        EventType::EmailOpened,
        EventType::EmailClicked,
        EventType::ScoreChanged,
        EventType::TicketOpened,
        EventType::TicketClosed,
        EventType::SurveyAnswered,
        EventType::DateReached,
        EventType::DealStuck,
        EventType::LeadStuck,
    ];

    /// The JSON name (`"deal_created"`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ContactCreated => "contact_created",
            EventType::ContactUpdated => "contact_updated",
            EventType::LifecycleStageChanged => "lifecycle_stage_changed",
            EventType::DealCreated => "deal_created",
            EventType::DealValueChanged => "deal_value_changed",
            EventType::DealStageChanged => "deal_stage_changed",
            EventType::DealWon => "deal_won",
            EventType::DealLost => "deal_lost",
            EventType::PurchaseMade => "purchase_made",
            EventType::FormSubmitted => "form_submitted",
            EventType::EmailOpened => "email_opened",
            EventType::EmailClicked => "email_clicked",
            EventType::ScoreChanged => "score_changed",
            EventType::TicketOpened => "ticket_opened",
            EventType::TicketClosed => "ticket_closed",
            EventType::SurveyAnswered => "survey_answered",
            EventType::DateReached => "date_reached",
            EventType::DealStuck => "deal_stuck",
            EventType::LeadStuck => "lead_stuck",
        }
    }

    /// The kind of record the event is about, used for enrollment and for
    /// action ids.
    pub fn entity_kind(self) -> EntityKind {
        match self {
            EventType::DealCreated
            | EventType::DealValueChanged
            | EventType::DealStageChanged
            | EventType::DealWon
            | EventType::DealLost
            | EventType::DealStuck => EntityKind::Deal,
            EventType::TicketOpened | EventType::TicketClosed => EntityKind::Ticket,
            _ => EntityKind::Contact,
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of record an event concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// A contact (person, lead).
    Contact,
    /// A deal.
    Deal,
    /// A support ticket.
    Ticket,
}

impl EntityKind {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Contact => "contact",
            EntityKind::Deal => "deal",
            EntityKind::Ticket => "ticket",
        }
    }
}

/// Something that happened, reported by the host or derived by `tick`.
///
/// JSON form: `{"id": "E-1", "type": "deal_created", "at": "2026-05-01T09:00:00Z",
/// "deal": "D-1", "value": {"amount": "750.00", "currency": "USD"}}`. Only
/// `id`, `type` and `at` are required; the other fields are the details of
/// the event type. Values carried by the event are newer than the snapshot:
/// `value` overrides the snapshot deal's value and `to` its stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// The host's unique id of the event; with the rule, branch and entity it
    /// makes the ids of the actions, so replaying an event is harmless.
    pub id: String,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// When it happened.
    pub at: Timestamp,
    /// The contact concerned (derived from the deal or ticket when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactId>,
    /// The deal concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal: Option<DealId>,
    /// The ticket concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<TicketId>,
    /// The field that changed (`contact_updated`, `date_reached`), as a field
    /// path such as `contact.email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The stage left (lifecycle or deal stage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The stage entered (lifecycle or deal stage; the current stage for
    /// `deal_stuck` and `lead_stuck`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The deal's (new) value, or the purchase amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Money>,
    /// The deal's previous value (`deal_value_changed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_value: Option<Money>,
    /// Which purchase of the contact this is: 1 for the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_number: Option<u32>,
    /// The form submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
    /// The e-mail (template or campaign name) opened or clicked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The survey answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<String>,
    /// The score given in the survey answer.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::money::decimal_serde::option"
    )]
    pub survey_score: Option<Decimal>,
    /// The score before the change (`score_changed`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::money::decimal_serde::option"
    )]
    pub old_score: Option<Decimal>,
    /// The score after the change (`score_changed`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::money::decimal_serde::option"
    )]
    pub new_score: Option<Decimal>,
    /// Days in the stage (`deal_stuck`, `lead_stuck`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// The schedule of a date trigger (`date_reached`): `anniversary`,
    /// `milestones:1,5`, `offset:+30`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
}

impl Event {
    /// A bare event of `kind` with `id` at `at`; fill in the details with
    /// struct update syntax or by setting fields.
    pub fn new(id: impl Into<String>, kind: EventType, at: Timestamp) -> Event {
        Event {
            id: id.into(),
            kind,
            at,
            contact: None,
            deal: None,
            ticket: None,
            field: None,
            from: None,
            to: None,
            value: None,
            old_value: None,
            purchase_number: None,
            form: None,
            email: None,
            survey: None,
            survey_score: None,
            old_score: None,
            new_score: None,
            days: None,
            schedule: None,
        }
    }

    /// The `deal_created` event of `deal` at its creation, with the id
    /// `deal-created/<deal id>` (the contact is derived from the deal).
    ///
    /// ```
    /// use crmkit::automation::{Event, EventType};
    /// use crmkit::sample::{SampleConfig, generate};
    ///
    /// let ds = generate(&SampleConfig { contacts: 10, ..SampleConfig::default() })?;
    /// let deal = &ds.deals()[0];
    /// let event = Event::deal_created(deal);
    /// assert_eq!(event.id, format!("deal-created/{}", deal.id));
    /// assert_eq!((event.kind, event.at), (EventType::DealCreated, deal.created_at));
    /// Ok::<(), crmkit::Error>(())
    /// ```
    pub fn deal_created(deal: &Deal) -> Event {
        let mut event = Event::new(
            format!("deal-created/{}", deal.id),
            EventType::DealCreated,
            deal.created_at,
        );
        event.deal = Some(deal.id.clone());
        event
    }

    /// The [`deal_created`](Self::deal_created) events of `deals`, in the
    /// order a replay takes them: by time, then by event id. This is the
    /// event log that replays a routing rule set over the deals a CRM
    /// already holds ([`RuleSet::dry_run`](super::RuleSet::dry_run)).
    pub fn deal_created_log<'a>(deals: impl IntoIterator<Item = &'a Deal>) -> Vec<Event> {
        let mut events: Vec<Event> = deals.into_iter().map(Event::deal_created).collect();
        events.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        events
    }

    /// Parses an event from JSON; errors name the JSON path.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) for malformed JSON or a
    /// wrong shape; [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for an
    /// event that fails [`Event::validate`].
    pub fn from_json(json: &str) -> Result<Event> {
        let event: Event = Error::parse_json(json)?;
        event.validate()?;
        Ok(event)
    }

    /// Checks the event id and that the record the event is about is named.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for an empty or
    /// malformed event id or an event that does not name its record.
    pub fn validate(&self) -> Result<()> {
        if self.id.is_empty() || self.id.len() > crate::model::MAX_ID_LEN {
            return Err(Error::invalid(
                "id",
                format!(
                    "event id must be 1 to {} bytes long",
                    crate::model::MAX_ID_LEN
                ),
            ));
        }
        let printable_ascii = self.id.bytes().all(|b| (0x20..0x7f).contains(&b));
        if !printable_ascii && self.id.chars().any(char::is_control) {
            return Err(Error::invalid("id", "event id contains control characters"));
        }
        let (named, field) = match self.kind.entity_kind() {
            EntityKind::Deal => (self.deal.is_some(), "deal"),
            EntityKind::Ticket => (self.ticket.is_some(), "ticket"),
            EntityKind::Contact => (self.contact.is_some(), "contact"),
        };
        if !named {
            return Err(Error::invalid(
                field,
                format!("a {} event must name its {field}", self.kind),
            ));
        }
        Ok(())
    }

    /// The id of the record the event is about (`D-1` for deal events).
    pub fn entity_id(&self) -> &str {
        match self.kind.entity_kind() {
            EntityKind::Deal => self.deal.as_ref().map_or("", |d| d.as_str()),
            EntityKind::Ticket => self.ticket.as_ref().map_or("", |t| t.as_str()),
            EntityKind::Contact => self.contact.as_ref().map_or("", |c| c.as_str()),
        }
    }

    /// The enrollment key of the record (`deal:D-1`).
    pub fn entity_key(&self) -> String {
        let kind = self.kind.entity_kind().as_str();
        let id = self.entity_id();
        let mut key = String::with_capacity(kind.len() + 1 + id.len());
        key.push_str(kind);
        key.push(':');
        key.push_str(id);
        key
    }

    /// The name that narrows the event for the trigger index: the form,
    /// e-mail, survey, changed field or target stage.
    pub(crate) fn index_name(&self) -> Option<&str> {
        match self.kind {
            EventType::FormSubmitted => self.form.as_deref(),
            EventType::EmailOpened | EventType::EmailClicked => self.email.as_deref(),
            EventType::SurveyAnswered => self.survey.as_deref(),
            EventType::ContactUpdated | EventType::DateReached => self.field.as_deref(),
            EventType::DealStageChanged | EventType::LifecycleStageChanged => self.to.as_deref(),
            _ => None,
        }
    }
}

/// Which purchase a `purchase_made` trigger wants. JSON form: `"first"`,
/// `"repeat"` (second or later) or a number N (exactly the Nth).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PurchaseCount {
    /// `"first"` or `"repeat"`.
    Named(PurchaseCountName),
    /// Exactly the Nth purchase (N ≥ 1).
    Nth(u32),
}

/// The named purchase counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseCountName {
    /// The first purchase.
    First,
    /// Any purchase after the first.
    Repeat,
}

impl PurchaseCount {
    /// The purchase numbers it accepts, as an inclusive range.
    pub fn range(self) -> (u32, u32) {
        match self {
            PurchaseCount::Named(PurchaseCountName::First) => (1, 1),
            PurchaseCount::Named(PurchaseCountName::Repeat) => (2, u32::MAX),
            PurchaseCount::Nth(n) => (n, n),
        }
    }
}

/// Which way a score must cross its threshold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From below the threshold to at or above it.
    #[default]
    Up,
    /// From at or above the threshold to below it.
    Down,
    /// Either way.
    Either,
}

/// The record a "stuck" trigger watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StuckEntity {
    /// An open deal in the same pipeline stage.
    Deal,
    /// A lead (lifecycle stage before customer) in the same lifecycle stage.
    Lead,
}

/// What a rule listens to. JSON form: `{"type": "deal_created"}`,
/// `{"type": "form_submitted", "form": "demo"}`,
/// `{"type": "score_crossed", "threshold": 50, "direction": "up"}`,
/// `{"type": "date", "field": "contact.created_at", "anniversary": true}`,
/// `{"type": "stuck", "entity": "deal", "days": 14}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// A contact was created.
    ContactCreated {},
    /// A contact was updated; any field, or the named one.
    ContactUpdated {
        /// The field path that must have changed (`contact.email`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
    /// The lifecycle stage changed, optionally from/to given stages.
    LifecycleStageChanged {
        /// The stage left.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<LifecycleStage>,
        /// The stage entered.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<LifecycleStage>,
    },
    /// A deal was created.
    DealCreated {},
    /// A deal's value changed.
    DealValueChanged {},
    /// A deal changed stage, optionally from/to given stages.
    DealStageChanged {
        /// The stage left.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<StageId>,
        /// The stage entered.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<StageId>,
    },
    /// A deal was won.
    DealWon {},
    /// A deal was lost.
    DealLost {},
    /// A purchase was made; any, the first, a repeat or the Nth.
    PurchaseMade {
        /// Which purchase.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        count: Option<PurchaseCount>,
    },
    /// A form was submitted; any, or the named one.
    FormSubmitted {
        /// The form's name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        form: Option<String>,
    },
    /// An e-mail was opened; any, or the named one.
    EmailOpened {
        /// The e-mail's name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
    },
    /// A link in an e-mail was clicked; any, or in the named one.
    EmailClicked {
        /// The e-mail's name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
    },
    /// A score crossed a threshold (listens to `score_changed`).
    ScoreCrossed {
        /// The threshold.
        #[serde(with = "crate::money::decimal_serde")]
        threshold: Decimal,
        /// Up (default), down or either way.
        #[serde(default)]
        direction: Direction,
    },
    /// A ticket was opened.
    TicketOpened {},
    /// A ticket was closed.
    TicketClosed {},
    /// A survey was answered; any, or the named one.
    SurveyAnswered {
        /// The survey's name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        survey: Option<String>,
    },
    /// A date of the contact came due: every anniversary, the given tenure
    /// milestones (years), or once N days before (negative) or after the
    /// date. Exactly one of `anniversary`, `milestone_years`, `offset_days`.
    Date {
        /// A date or timestamp field of the contact or company
        /// (`contact.created_at`, `contact.attributes.renewal`).
        field: String,
        /// Every yearly anniversary.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        anniversary: bool,
        /// Only these anniversaries (tenure milestones, in years).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        milestone_years: Vec<u32>,
        /// Once, this many days after (negative: before) the date.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offset_days: Option<i32>,
        /// How many days late a `tick` may still fire the trigger (default 1:
        /// a host that ticks daily).
        #[serde(default = "one", skip_serializing_if = "is_one")]
        catch_up_days: u32,
    },
    /// A deal or lead stayed in the same stage for `days` days (evaluated by
    /// `tick`).
    Stuck {
        /// Deal or lead.
        entity: StuckEntity,
        /// Days in the stage.
        days: u32,
        /// Only this stage (a deal stage id, or a lifecycle stage name).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stage: Option<String>,
        /// Only deals of this pipeline.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pipeline: Option<PipelineId>,
    },
}

fn one() -> u32 {
    1
}

fn is_one(value: &u32) -> bool {
    *value == 1
}

impl Trigger {
    /// The type of event the trigger listens to.
    pub fn event_type(&self) -> EventType {
        match self {
            Trigger::ContactCreated {} => EventType::ContactCreated,
            Trigger::ContactUpdated { .. } => EventType::ContactUpdated,
            Trigger::LifecycleStageChanged { .. } => EventType::LifecycleStageChanged,
            Trigger::DealCreated {} => EventType::DealCreated,
            Trigger::DealValueChanged {} => EventType::DealValueChanged,
            Trigger::DealStageChanged { .. } => EventType::DealStageChanged,
            Trigger::DealWon {} => EventType::DealWon,
            Trigger::DealLost {} => EventType::DealLost,
            Trigger::PurchaseMade { .. } => EventType::PurchaseMade,
            Trigger::FormSubmitted { .. } => EventType::FormSubmitted,
            Trigger::EmailOpened { .. } => EventType::EmailOpened,
            Trigger::EmailClicked { .. } => EventType::EmailClicked,
            Trigger::ScoreCrossed { .. } => EventType::ScoreChanged,
            Trigger::TicketOpened {} => EventType::TicketOpened,
            Trigger::TicketClosed {} => EventType::TicketClosed,
            Trigger::SurveyAnswered { .. } => EventType::SurveyAnswered,
            Trigger::Date { .. } => EventType::DateReached,
            Trigger::Stuck {
                entity: StuckEntity::Deal,
                ..
            } => EventType::DealStuck,
            Trigger::Stuck {
                entity: StuckEntity::Lead,
                ..
            } => EventType::LeadStuck,
        }
    }

    /// The name the trigger is indexed under, if it narrows its event type by
    /// one (see [`Event`]'s `form`, `email`, `survey`, `field`, `to`).
    pub(crate) fn index_name(&self) -> Option<String> {
        match self {
            Trigger::FormSubmitted { form } => form.clone(),
            Trigger::EmailOpened { email } | Trigger::EmailClicked { email } => email.clone(),
            Trigger::SurveyAnswered { survey } => survey.clone(),
            Trigger::ContactUpdated { field } => field.clone(),
            Trigger::Date { field, .. } => Some(field.clone()),
            Trigger::DealStageChanged { to, .. } => to.as_ref().map(|s| s.to_string()),
            Trigger::LifecycleStageChanged { to, .. } => to.map(|s| s.as_str().to_string()),
            _ => None,
        }
    }

    /// The canonical schedule text of a date trigger (`anniversary`,
    /// `milestones:1,5`, `offset:+30`), matched against [`Event::schedule`].
    pub fn schedule_key(&self) -> Option<String> {
        match self {
            Trigger::Date {
                anniversary,
                milestone_years,
                offset_days,
                ..
            } => Some(if *anniversary {
                "anniversary".to_string()
            } else if !milestone_years.is_empty() {
                let years: Vec<String> = milestone_years.iter().map(u32::to_string).collect();
                format!("milestones:{}", years.join(","))
            } else {
                format!("offset:{:+}", offset_days.unwrap_or(0))
            }),
            _ => None,
        }
    }

    /// Checks the trigger's own parameters (called when a rule set loads);
    /// the error path is relative to the trigger.
    pub(crate) fn validate(&self) -> Result<()> {
        match self {
            Trigger::ContactUpdated { field: Some(field) } if field != "contact.tags" => {
                crate::model::FieldPath::parse(field).map_err(|e| e.with_path_prefix("field"))?;
            }
            Trigger::PurchaseMade {
                count: Some(PurchaseCount::Nth(0)),
            } => {
                return Err(Error::invalid(
                    "count",
                    "purchase count must be \"first\", \"repeat\" or a number from 1",
                ));
            }
            Trigger::Date {
                field,
                anniversary,
                milestone_years,
                offset_days,
                ..
            } => {
                let path = crate::model::FieldPath::parse(field)
                    .map_err(|e| Error::invalid("field", e.message().to_string()))?;
                if let Some(kind) = path.kind()
                    && !matches!(
                        kind,
                        crate::model::FieldKind::Date | crate::model::FieldKind::Timestamp
                    )
                {
                    return Err(Error::invalid(
                        "field",
                        format!("{field} is a {kind:?} field, expected a date or timestamp field")
                            .to_lowercase(),
                    ));
                }
                let chosen = usize::from(*anniversary)
                    + usize::from(!milestone_years.is_empty())
                    + usize::from(offset_days.is_some());
                if chosen != 1 {
                    return Err(Error::invalid(
                        "",
                        "a date trigger needs exactly one of anniversary, milestone_years, offset_days",
                    ));
                }
                if milestone_years.contains(&0) {
                    return Err(Error::invalid(
                        "milestone_years",
                        "milestone years must be 1 or more",
                    ));
                }
            }
            Trigger::Stuck {
                entity,
                days,
                stage,
                ..
            } => {
                if *days == 0 {
                    return Err(Error::invalid("days", "stuck days must be 1 or more"));
                }
                if let (StuckEntity::Lead, Some(stage)) = (entity, stage)
                    && LifecycleStage::parse(stage).is_none()
                {
                    return Err(Error::invalid(
                        "stage",
                        format!("unknown lifecycle stage {stage:?}"),
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// `true` when the trigger accepts `event` (same type, and the narrowing
    /// parameters agree).
    pub fn matches(&self, event: &Event) -> bool {
        if self.event_type() != event.kind {
            return false;
        }
        let same = |want: &Option<String>, got: &Option<String>| {
            want.as_ref().is_none_or(|w| got.as_ref() == Some(w))
        };
        match self {
            Trigger::ContactUpdated { field } => same(field, &event.field),
            Trigger::LifecycleStageChanged { from, to } => {
                let ok = |want: &Option<LifecycleStage>, got: &Option<String>| {
                    want.is_none_or(|w| got.as_deref() == Some(w.as_str()))
                };
                ok(from, &event.from) && ok(to, &event.to)
            }
            Trigger::DealStageChanged { from, to } => {
                let ok = |want: &Option<StageId>, got: &Option<String>| {
                    want.as_ref()
                        .is_none_or(|w| got.as_deref() == Some(w.as_str()))
                };
                ok(from, &event.from) && ok(to, &event.to)
            }
            Trigger::PurchaseMade { count: None } => true,
            Trigger::PurchaseMade { count: Some(count) } => {
                let (lo, hi) = count.range();
                event
                    .purchase_number
                    .is_some_and(|n| (lo..=hi).contains(&n))
            }
            Trigger::FormSubmitted { form } => same(form, &event.form),
            Trigger::EmailOpened { email } | Trigger::EmailClicked { email } => {
                same(email, &event.email)
            }
            Trigger::SurveyAnswered { survey } => same(survey, &event.survey),
            Trigger::ScoreCrossed {
                threshold,
                direction,
            } => match (event.old_score, event.new_score) {
                (Some(old), Some(new)) => {
                    let up = old < *threshold && new >= *threshold;
                    let down = old >= *threshold && new < *threshold;
                    match direction {
                        Direction::Up => up,
                        Direction::Down => down,
                        Direction::Either => up || down,
                    }
                }
                _ => false,
            },
            Trigger::Date { field, .. } => {
                event.field.as_deref() == Some(field.as_str())
                    && event.schedule == self.schedule_key()
            }
            Trigger::Stuck { days, stage, .. } => {
                event.days == Some(*days)
                    && stage
                        .as_ref()
                        .is_none_or(|s| event.to.as_deref() == Some(s.as_str()))
            }
            _ => true,
        }
    }

    /// A short human description (`form_submitted(form=demo)`).
    pub fn describe(&self) -> String {
        let mut text = self.event_type().as_str().to_string();
        match self {
            Trigger::ScoreCrossed {
                threshold,
                direction,
            } => {
                text = format!("score_crossed({threshold}, {direction:?})").to_lowercase();
            }
            Trigger::Stuck {
                entity,
                days,
                stage,
                ..
            } => {
                text = format!(
                    "stuck({}, {days} days{})",
                    if *entity == StuckEntity::Deal {
                        "deal"
                    } else {
                        "lead"
                    },
                    stage
                        .as_ref()
                        .map_or(String::new(), |s| format!(", stage={s}"))
                );
            }
            Trigger::PurchaseMade { count: Some(c) } => {
                let (lo, hi) = c.range();
                text = if hi == u32::MAX {
                    format!("purchase_made(#{lo}+)")
                } else {
                    format!("purchase_made(#{lo})")
                };
            }
            Trigger::Date { field, .. } => {
                text = format!("date({field}, {})", self.schedule_key().unwrap_or_default());
            }
            _ => {
                if let Some(name) = self.index_name() {
                    text = format!("{text}({name})");
                }
            }
        }
        text
    }
}
