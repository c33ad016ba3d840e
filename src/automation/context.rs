//! What a condition can read: the event, the records it concerns in the
//! snapshot (resolved lazily, at most once per evaluation) and `as_of`.

use std::cell::OnceCell;
use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::trigger::{EntityKind, Event, EventType};
use crate::model::{
    Company, Contact, Dataset, Deal, FieldPath, FieldValue, LifecycleStage, RepId, Ticket,
    Timestamp,
};
use crate::money::{ExchangeRates, Money};

/// A value read for a condition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Val<'a> {
    Text(&'a str),
    Number(Decimal),
    Money(Money),
    Time(Timestamp),
    Bool(bool),
    Set(&'a BTreeSet<String>),
    Stage(LifecycleStage),
}

/// The static kind of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Text,
    Number,
    Money,
    Time,
    Bool,
    Set,
    Stage,
    /// A custom attribute: typed by its value.
    Any,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Number => "number",
            Kind::Money => "money",
            Kind::Time => "date",
            Kind::Bool => "boolean",
            Kind::Set => "set",
            Kind::Stage => "lifecycle stage",
            Kind::Any => "attribute",
        }
    }
}

/// Where a condition reads its value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Source {
    Model(FieldPath),
    ContactTags,
    ContactLifecycle,
    ContactOwner,
    CompanyTags,
    DealValue,
    DealStage,
    DealPipeline,
    DealStatus,
    DealKind,
    DealOwner,
    DealName,
    DealCreatedAt,
    DealDaysInStage,
    DealTags,
    TicketPriority,
    TicketKind,
    TicketChannel,
    TicketSubject,
    EventValue,
    EventOldValue,
    EventFrom,
    EventTo,
    EventField,
    EventForm,
    EventEmail,
    EventSurvey,
    EventSurveyScore,
    EventOldScore,
    EventNewScore,
    EventPurchaseNumber,
    EventDays,
    EventAt,
}

const NAMED: [(&str, Source, Kind); 32] = [
    ("contact.tags", Source::ContactTags, Kind::Set),
    (
        "contact.lifecycle_stage",
        Source::ContactLifecycle,
        Kind::Stage,
    ),
    ("contact.owner", Source::ContactOwner, Kind::Text),
    ("company.tags", Source::CompanyTags, Kind::Set),
    ("deal.value", Source::DealValue, Kind::Money),
    ("deal.stage", Source::DealStage, Kind::Text),
    ("deal.pipeline", Source::DealPipeline, Kind::Text),
    ("deal.status", Source::DealStatus, Kind::Text),
    ("deal.kind", Source::DealKind, Kind::Text),
    ("deal.owner", Source::DealOwner, Kind::Text),
    ("deal.name", Source::DealName, Kind::Text),
    ("deal.created_at", Source::DealCreatedAt, Kind::Time),
    ("deal.days_in_stage", Source::DealDaysInStage, Kind::Number),
    ("deal.tags", Source::DealTags, Kind::Set),
    ("ticket.priority", Source::TicketPriority, Kind::Text),
    ("ticket.kind", Source::TicketKind, Kind::Text),
    ("ticket.channel", Source::TicketChannel, Kind::Text),
    ("ticket.subject", Source::TicketSubject, Kind::Text),
    ("event.value", Source::EventValue, Kind::Money),
    ("event.old_value", Source::EventOldValue, Kind::Money),
    ("event.from", Source::EventFrom, Kind::Text),
    ("event.to", Source::EventTo, Kind::Text),
    ("event.field", Source::EventField, Kind::Text),
    ("event.form", Source::EventForm, Kind::Text),
    ("event.email", Source::EventEmail, Kind::Text),
    ("event.survey", Source::EventSurvey, Kind::Text),
    ("event.survey_score", Source::EventSurveyScore, Kind::Number),
    ("event.old_score", Source::EventOldScore, Kind::Number),
    ("event.new_score", Source::EventNewScore, Kind::Number),
    (
        "event.purchase_number",
        Source::EventPurchaseNumber,
        Kind::Number,
    ),
    ("event.days", Source::EventDays, Kind::Number),
    ("event.at", Source::EventAt, Kind::Time),
];

impl Source {
    /// Parses a field path: the model's `contact.*` / `company.*` paths, or
    /// one of the `deal.*`, `ticket.*`, `event.*` paths and `contact.tags`.
    pub(crate) fn parse(path: &str) -> crate::Result<(Source, Kind)> {
        if let Some((_, source, kind)) = NAMED.iter().find(|(name, _, _)| *name == path) {
            return Ok((source.clone(), *kind));
        }
        if path.starts_with("contact.") || path.starts_with("company.") {
            let field = FieldPath::parse(path)?;
            let kind = match field.kind() {
                None => Kind::Any,
                Some(crate::model::FieldKind::Text) => Kind::Text,
                Some(crate::model::FieldKind::Number) => Kind::Number,
                Some(crate::model::FieldKind::Money) => Kind::Money,
                Some(crate::model::FieldKind::Bool) => Kind::Bool,
                Some(crate::model::FieldKind::Date | crate::model::FieldKind::Timestamp) => {
                    Kind::Time
                }
            };
            return Ok((Source::Model(field), kind));
        }
        let names: Vec<&str> = NAMED
            .iter()
            .map(|(n, _, _)| *n)
            .filter(|n| !n.starts_with("contact.") && !n.starts_with("company."))
            .collect();
        Err(crate::Error::new(
            crate::ErrorKind::Invalid,
            format!(
                "unknown field {path:?}: expected contact.*, company.* or one of {}",
                names.join(", ")
            ),
        ))
    }

    /// `true` when every value of the source is at least zero (money and
    /// counts), which the analysis uses as the lower end of the domain.
    pub(crate) fn non_negative(&self) -> bool {
        matches!(
            self,
            Source::DealValue
                | Source::EventValue
                | Source::EventOldValue
                | Source::DealDaysInStage
                | Source::EventPurchaseNumber
                | Source::EventDays
                | Source::EventSurveyScore
        )
    }

    /// `true` when the source only takes whole numbers.
    pub(crate) fn integer(&self) -> bool {
        matches!(
            self,
            Source::DealDaysInStage | Source::EventPurchaseNumber | Source::EventDays
        )
    }
}

/// The evaluation context of one event.
pub(crate) struct Ctx<'a> {
    pub(crate) event: &'a Event,
    pub(crate) snapshot: &'a Dataset,
    pub(crate) as_of: Timestamp,
    pub(crate) rates: Option<&'a ExchangeRates>,
    deal: OnceCell<Option<&'a Deal>>,
    ticket: OnceCell<Option<&'a Ticket>>,
    contact: OnceCell<Option<&'a Contact>>,
    company: OnceCell<Option<&'a Company>>,
    /// Read the contact's lifecycle stage as of `as_of` from its history
    /// (saved segments) instead of its current stage (rules).
    stage_as_of: bool,
}

fn date_time(date: NaiveDate) -> Timestamp {
    date.and_time(chrono::NaiveTime::MIN).and_utc()
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        event: &'a Event,
        snapshot: &'a Dataset,
        as_of: Timestamp,
        rates: Option<&'a ExchangeRates>,
    ) -> Ctx<'a> {
        Ctx {
            event,
            snapshot,
            as_of,
            rates,
            deal: OnceCell::new(),
            ticket: OnceCell::new(),
            contact: OnceCell::new(),
            company: OnceCell::new(),
            stage_as_of: false,
        }
    }

    /// Reads the contact's lifecycle stage as it was at `as_of` (from its
    /// history) rather than its current stage.
    pub(crate) fn with_stage_as_of(mut self) -> Ctx<'a> {
        self.stage_as_of = true;
        self
    }

    pub(crate) fn deal(&self) -> Option<&'a Deal> {
        *self.deal.get_or_init(|| {
            self.event
                .deal
                .as_ref()
                .and_then(|id| self.snapshot.deal(id))
        })
    }

    pub(crate) fn ticket(&self) -> Option<&'a Ticket> {
        *self.ticket.get_or_init(|| {
            self.event
                .ticket
                .as_ref()
                .and_then(|id| self.snapshot.ticket(id))
        })
    }

    pub(crate) fn contact(&self) -> Option<&'a Contact> {
        *self.contact.get_or_init(|| {
            let id = self
                .event
                .contact
                .as_ref()
                .or_else(|| self.deal().map(|d| &d.contact))
                .or_else(|| self.ticket().map(|t| &t.contact))?;
            self.snapshot.contact(id)
        })
    }

    pub(crate) fn company(&self) -> Option<&'a Company> {
        *self.company.get_or_init(|| {
            let contact = self.contact()?;
            self.snapshot.company_of(contact)
        })
    }

    /// The contact id of the event (named, or through the deal or ticket).
    pub(crate) fn contact_id(&self) -> Option<&'a crate::model::ContactId> {
        self.event
            .contact
            .as_ref()
            .or_else(|| self.deal().map(|d| &d.contact))
            .or_else(|| self.ticket().map(|t| &t.contact))
    }

    /// The owner of the deal (for deal events) or else of the contact.
    pub(crate) fn owner(&self) -> Option<&'a RepId> {
        let deal_owner = if self.event.kind.entity_kind() == EntityKind::Deal {
            self.deal().and_then(|d| d.owner.as_ref())
        } else {
            None
        };
        deal_owner.or_else(|| self.contact().and_then(|c| c.owner.as_ref()))
    }

    fn is_deal_event(&self) -> bool {
        self.event.kind.entity_kind() == EntityKind::Deal
    }

    /// Reads a source; `None` when the value is absent.
    pub(crate) fn read(&self, source: &Source) -> Option<Val<'a>> {
        let ev = self.event;
        let text = |t: &'a Option<String>| t.as_deref().map(Val::Text);
        match source {
            Source::Model(path) => {
                let contact = self.contact()?;
                let company = match path {
                    FieldPath::Contact(_) => None,
                    FieldPath::Company(_) => self.company(),
                };
                Some(match path.resolve(contact, company)? {
                    FieldValue::Text(t) => Val::Text(t),
                    FieldValue::Number(n) => Val::Number(n),
                    FieldValue::Bool(b) => Val::Bool(b),
                    FieldValue::Date(d) => Val::Time(date_time(d)),
                    FieldValue::Timestamp(t) => Val::Time(t),
                    FieldValue::Money(m) => Val::Money(m),
                })
            }
            Source::ContactTags => self.contact().map(|c| Val::Set(&c.tags)),
            Source::ContactLifecycle => self.contact().map(|c| {
                Val::Stage(if self.stage_as_of {
                    c.lifecycle.stage_at(self.as_of)
                } else {
                    c.lifecycle.stage
                })
            }),
            Source::ContactOwner => self
                .contact()
                .and_then(|c| c.owner.as_ref())
                .map(|o| Val::Text(o.as_str())),
            Source::CompanyTags => self.company().map(|c| Val::Set(&c.tags)),
            Source::DealValue => match (self.is_deal_event(), &ev.value) {
                (true, Some(value)) => Some(Val::Money(*value)),
                _ => self.deal().map(|d| Val::Money(d.value)),
            },
            Source::DealStage => match (ev.kind, &ev.to) {
                (EventType::DealStageChanged | EventType::DealStuck, Some(to)) => {
                    Some(Val::Text(to))
                }
                _ => self.deal().map(|d| Val::Text(d.stage.as_str())),
            },
            Source::DealPipeline => self.deal().map(|d| Val::Text(d.pipeline.as_str())),
            Source::DealStatus => self.deal().map(|d| Val::Text(d.status.as_str())),
            Source::DealKind => self.deal().map(|d| {
                Val::Text(match d.kind {
                    crate::model::DealKind::New => "new",
                    crate::model::DealKind::Renewal => "renewal",
                    crate::model::DealKind::Upsell => "upsell",
                    crate::model::DealKind::CrossSell => "cross_sell",
                })
            }),
            Source::DealOwner => self
                .deal()
                .and_then(|d| d.owner.as_ref())
                .map(|o| Val::Text(o.as_str())),
            Source::DealName => self.deal().map(|d| Val::Text(&d.name)),
            Source::DealCreatedAt => self.deal().map(|d| Val::Time(d.created_at)),
            Source::DealDaysInStage => self.deal().map(|d| {
                let since = d
                    .stage_history
                    .last()
                    .filter(|v| v.stage == d.stage)
                    .map_or(d.created_at, |v| v.entered_at);
                Val::Number(Decimal::from((self.as_of - since).num_days().max(0)))
            }),
            Source::DealTags => self.deal().map(|d| Val::Set(&d.tags)),
            Source::TicketPriority => self.ticket().map(|t| {
                Val::Text(match t.priority {
                    crate::model::Priority::Low => "low",
                    crate::model::Priority::Normal => "normal",
                    crate::model::Priority::High => "high",
                    crate::model::Priority::Urgent => "urgent",
                })
            }),
            Source::TicketKind => self.ticket().map(|t| {
                Val::Text(match t.kind {
                    crate::model::TicketKind::Question => "question",
                    crate::model::TicketKind::Problem => "problem",
                    crate::model::TicketKind::Complaint => "complaint",
                    crate::model::TicketKind::Request => "request",
                })
            }),
            Source::TicketChannel => self.ticket().map(|t| {
                Val::Text(match t.channel {
                    crate::model::TicketChannel::Email => "email",
                    crate::model::TicketChannel::Phone => "phone",
                    crate::model::TicketChannel::Chat => "chat",
                    crate::model::TicketChannel::Web => "web",
                    crate::model::TicketChannel::Social => "social",
                })
            }),
            Source::TicketSubject => self.ticket().map(|t| Val::Text(&t.subject)),
            Source::EventValue => ev.value.map(Val::Money),
            Source::EventOldValue => ev.old_value.map(Val::Money),
            Source::EventFrom => text(&ev.from),
            Source::EventTo => text(&ev.to),
            Source::EventField => text(&ev.field),
            Source::EventForm => text(&ev.form),
            Source::EventEmail => text(&ev.email),
            Source::EventSurvey => text(&ev.survey),
            Source::EventSurveyScore => ev.survey_score.map(Val::Number),
            Source::EventOldScore => ev.old_score.map(Val::Number),
            Source::EventNewScore => ev.new_score.map(Val::Number),
            Source::EventPurchaseNumber => ev.purchase_number.map(|n| Val::Number(n.into())),
            Source::EventDays => ev.days.map(|n| Val::Number(n.into())),
            Source::EventAt => Some(Val::Time(ev.at)),
        }
    }

    /// Renders a source as text for e-mail personalisation.
    pub(crate) fn render(&self, source: &Source) -> String {
        let mut out = String::new();
        self.render_into(source, &mut out);
        out
    }

    /// Appends the text of a source to `out`.
    pub(crate) fn render_into(&self, source: &Source, out: &mut String) {
        use std::fmt::Write as _;
        let _ = match self.read(source) {
            None => Ok(()),
            Some(Val::Text(t)) => {
                out.push_str(t);
                Ok(())
            }
            Some(Val::Number(n)) => write!(out, "{}", n.normalize()),
            Some(Val::Money(m)) => write!(out, "{m}"),
            Some(Val::Time(t)) => write!(out, "{}", t.date_naive()),
            Some(Val::Bool(b)) => write!(out, "{b}"),
            Some(Val::Set(s)) => {
                for (i, item) in s.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(item);
                }
                Ok(())
            }
            Some(Val::Stage(s)) => {
                out.push_str(s.as_str());
                Ok(())
            }
        };
    }
}
