//! The compiled side of a request: the reporting currency, the segment
//! matcher and the lookups every accumulator shares.

use std::collections::HashMap;

use chrono::{NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

use super::request::{CustomerBasis, KpiOptions, Segment};
use crate::calendar::Period;
use crate::model::{
    Activity, Campaign, CampaignId, Contact, Dataset, Deal, PipelineId, RepId, SpendEntry,
    StageKind, TeamId, Ticket, Timestamp,
};
use crate::money::{Currency, Money};
use crate::{Error, ErrorKind, Result};

/// Seconds since the Unix epoch of midnight UTC starting `date`.
pub(crate) fn day_start(date: NaiveDate) -> i64 {
    Utc.from_utc_datetime(&date.and_time(chrono::NaiveTime::MIN))
        .timestamp()
}

/// The instants a period's accumulator compares against, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Window {
    pub period: Period,
    /// First instant of the period.
    pub t0: i64,
    /// First instant after the period.
    pub t1: i64,
    /// Start of the "active customer" look-back before `t0` and `t1`.
    pub active_start_from: i64,
    pub active_end_from: i64,
    /// Deals won in `[renewal_from, renewal_to)` come up for renewal in the
    /// period (their contract ends in it).
    pub renewal_from: i64,
    pub renewal_to: i64,
}

impl Window {
    /// The window of `period`; `previous` is the period before it (used by
    /// [`CustomerBasis::PreviousPeriod`]).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) when the window would
    /// leave the supported time range.
    pub fn new(period: Period, previous: Period, options: &KpiOptions) -> Result<Window> {
        let t0 = day_start(period.start());
        let t1 = day_start(period.end());
        let active = i64::from(options.active_customer_days) * 86_400;
        let months = i32::try_from(options.contract_months).unwrap_or(i32::MAX);
        let renewal_from = day_start(crate::calendar::add_months(period.start(), -months)?);
        let renewal_to = day_start(crate::calendar::add_months(period.end(), -months)?);
        let (active_start_from, active_end_from) = match options.customer_basis {
            CustomerBasis::ActiveWindow => (t0 - active, t1 - active),
            CustomerBasis::PreviousPeriod => (day_start(previous.start()).min(t0), t0),
        };
        Ok(Window {
            period,
            t0,
            t1,
            active_start_from,
            active_end_from,
            renewal_from,
            renewal_to,
        })
    }
}

/// Where a stage sits in the flat table of all pipelines' stages.
#[derive(Debug, Clone)]
pub(crate) struct StageTable {
    /// Position of each pipeline in the dataset and the flat offset of its
    /// first stage.
    pipelines: HashMap<PipelineId, (usize, usize)>,
    /// `(pipeline id / stage id, probability as a fraction, kind)`.
    pub stages: Vec<(String, Decimal, StageKind)>,
}

impl StageTable {
    fn new(dataset: &Dataset) -> StageTable {
        let mut pipelines = HashMap::new();
        let mut stages = Vec::new();
        for (position, pipeline) in dataset.pipelines().iter().enumerate() {
            pipelines.insert(pipeline.id.clone(), (position, stages.len()));
            for stage in &pipeline.stages {
                stages.push((
                    format!("{}/{}", pipeline.id, stage.id),
                    stage.probability.as_fraction(),
                    stage.kind,
                ));
            }
        }
        StageTable { pipelines, stages }
    }

    /// The pipeline `id` and the flat offset of its first stage.
    pub fn pipeline<'d>(
        &self,
        dataset: &'d Dataset,
        id: &PipelineId,
    ) -> Option<(usize, &'d crate::model::Pipeline)> {
        // A handful of pipelines is the rule: comparing ids beats hashing.
        if self.pipelines.len() <= 8 {
            let mut offset = 0;
            for pipeline in dataset.pipelines() {
                if &pipeline.id == id {
                    return Some((offset, pipeline));
                }
                offset += pipeline.stages.len();
            }
            return None;
        }
        let &(position, offset) = self.pipelines.get(id)?;
        Some((offset, dataset.pipelines().get(position)?))
    }
}

/// The flat index of `stage` in a pipeline found with [`StageTable::pipeline`].
pub(crate) fn stage_index(
    found: Option<(usize, &crate::model::Pipeline)>,
    stage: &crate::model::StageId,
) -> Option<usize> {
    let (offset, pipeline) = found?;
    pipeline
        .stages
        .iter()
        .position(|s| &s.id == stage)
        .map(|p| offset + p)
}

/// The shared, read-only context of every accumulator of one engine.
#[derive(Debug, Clone)]
pub(crate) struct Context<'d> {
    pub dataset: &'d Dataset,
    pub currency: Currency,
    pub segment: Option<Segment>,
    pub options: KpiOptions,
    pub stages: StageTable,
    /// For a team segment: the team's reps.
    team_reps: Vec<RepId>,
    /// For a saved segment: membership by contact position.
    saved_members: std::sync::Arc<[bool]>,
    /// Whether accumulators keep the list of revenue events of the period
    /// (only new revenue needs it).
    pub track_revenue_events: bool,
}

pub(crate) fn ts(t: Timestamp) -> i64 {
    t.timestamp()
}

impl<'d> Context<'d> {
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for options out of
    /// range or when no reporting currency can be found;
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) for a segment naming
    /// an unknown rep, team, pipeline or campaign; the errors of a saved
    /// segment's condition (path `segment.saved.condition...`), evaluated
    /// as of `members_as_of`.
    pub fn new(
        dataset: &'d Dataset,
        segment: Option<Segment>,
        options: KpiOptions,
        members_as_of: Timestamp,
    ) -> Result<Context<'d>> {
        options.validate()?;
        let currency = options
            .currency
            .or(dataset.reporting_currency())
            .or_else(|| dataset.deals().first().map(|d| d.value.currency))
            .ok_or_else(|| {
                Error::invalid(
                    "options.currency",
                    "no reporting currency: set options.currency or the dataset's reporting_currency",
                )
            })?;
        if let Some(segment) = &segment {
            let known = match segment {
                Segment::Owner(rep) => dataset.rep(rep).is_some(),
                Segment::Team(team) => dataset.team(team).is_some(),
                Segment::Pipeline(p) => dataset.pipeline(p).is_some(),
                Segment::Campaign(c) => dataset.campaign(c).is_some(),
                Segment::Channel(_) | Segment::Saved(_) => true,
            };
            if !known {
                let (field, id) = match segment {
                    Segment::Owner(r) => ("owner", r.to_string()),
                    Segment::Team(t) => ("team", t.to_string()),
                    Segment::Pipeline(p) => ("pipeline", p.to_string()),
                    Segment::Campaign(c) => ("campaign", c.to_string()),
                    Segment::Channel(c) => ("channel", format!("{c:?}")),
                    Segment::Saved(s) => ("saved", s.name.clone()),
                };
                return Err(Error::not_found(
                    format!("segment.{field}"),
                    format!("unknown {field} \"{id}\""),
                ));
            }
        }
        for (i, team) in options.service_teams.iter().enumerate() {
            if dataset.team(team).is_none() {
                return Err(Error::not_found(
                    format!("options.service_teams[{i}]"),
                    format!("unknown team \"{team}\""),
                ));
            }
        }
        let team_reps = match &segment {
            Some(Segment::Team(team)) => dataset
                .reps()
                .iter()
                .filter(|r| r.team.as_ref() == Some(team))
                .map(|r| r.id.clone())
                .collect(),
            _ => Vec::new(),
        };
        let mut ctx = Context {
            dataset,
            currency,
            segment,
            options,
            stages: StageTable::new(dataset),
            team_reps,
            saved_members: std::sync::Arc::from(Vec::new()),
            track_revenue_events: true,
        };
        ctx.evaluate_saved_segment(members_as_of)?;
        Ok(ctx)
    }

    /// (Re)evaluates a saved segment's membership as of `as_of`.
    ///
    /// # Errors
    ///
    /// Those of the segment's condition, under `segment.saved`.
    pub fn evaluate_saved_segment(&mut self, as_of: Timestamp) -> Result<()> {
        if let Some(Segment::Saved(saved)) = &self.segment {
            self.saved_members = saved
                .membership(self.dataset, as_of)
                .map_err(|e| e.with_path_prefix("segment.saved"))?
                .into();
        }
        Ok(())
    }

    /// Whether the contact `id` is a member of the saved segment.
    fn saved_member(&self, id: &crate::model::ContactId) -> bool {
        self.dataset
            .contact_position(id)
            .and_then(|p| self.saved_members.get(p).copied())
            .unwrap_or(false)
    }

    /// `money` in the reporting currency.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CurrencyMismatch`](crate::ErrorKind::CurrencyMismatch) when
    /// `money` has no exchange rate into the reporting currency;
    /// [`ErrorKind::Overflow`](crate::ErrorKind::Overflow) when the conversion
    /// leaves the decimal range.
    #[inline]
    pub fn amount(&self, money: &Money) -> Result<Decimal> {
        if money.currency == self.currency {
            return Ok(money.amount);
        }
        let rates = self.dataset.exchange_rates().ok_or_else(|| {
            Error::new(
                ErrorKind::CurrencyMismatch,
                format!(
                    "{money} cannot be reported in {} without exchange rates",
                    self.currency
                ),
            )
        })?;
        Ok(rates.convert(money, self.currency)?.amount)
    }

    fn rep_matches(&self, rep: Option<&RepId>) -> bool {
        match (&self.segment, rep) {
            (Some(Segment::Owner(owner)), Some(rep)) => owner == rep,
            (Some(Segment::Team(_)), Some(rep)) => self.team_reps.contains(rep),
            _ => false,
        }
    }

    fn campaign_matches(&self, campaign: Option<&CampaignId>) -> bool {
        match (&self.segment, campaign) {
            (Some(Segment::Campaign(c)), Some(campaign)) => c == campaign,
            (Some(Segment::Channel(channel)), Some(campaign)) => self
                .dataset
                .campaign(campaign)
                .is_some_and(|c| c.channel == *channel),
            _ => false,
        }
    }

    #[inline]
    pub fn contact_in_segment(&self, contact: &Contact) -> bool {
        match &self.segment {
            None => true,
            Some(Segment::Owner(_) | Segment::Team(_)) => self.rep_matches(contact.owner.as_ref()),
            Some(Segment::Pipeline(p)) => self
                .dataset
                .deals_of_contact(&contact.id)
                .any(|d| &d.pipeline == p),
            Some(Segment::Campaign(_) | Segment::Channel(_)) => {
                self.campaign_matches(contact.source_campaign.as_ref())
            }
            Some(Segment::Saved(_)) => self.saved_member(&contact.id),
        }
    }

    #[inline]
    pub fn deal_in_segment(&self, deal: &Deal) -> bool {
        match &self.segment {
            None => true,
            Some(Segment::Owner(_) | Segment::Team(_)) => self.rep_matches(deal.owner.as_ref()),
            Some(Segment::Pipeline(p)) => &deal.pipeline == p,
            Some(Segment::Campaign(_) | Segment::Channel(_)) => {
                self.campaign_matches(deal.source_campaign.as_ref())
            }
            Some(Segment::Saved(_)) => self.saved_member(&deal.contact),
        }
    }

    #[inline]
    pub fn activity_in_segment(&self, activity: &Activity) -> bool {
        match &self.segment {
            None => true,
            Some(Segment::Owner(_) | Segment::Team(_)) => match &activity.rep {
                Some(rep) => self.rep_matches(Some(rep)),
                None => activity
                    .deal
                    .as_ref()
                    .and_then(|d| self.dataset.deal(d))
                    .is_some_and(|d| self.rep_matches(d.owner.as_ref())),
            },
            Some(Segment::Pipeline(p)) => activity
                .deal
                .as_ref()
                .and_then(|d| self.dataset.deal(d))
                .is_some_and(|d| &d.pipeline == p),
            Some(Segment::Campaign(_) | Segment::Channel(_)) => match &activity.campaign {
                Some(c) => self.campaign_matches(Some(c)),
                None => self
                    .dataset
                    .contact(&activity.contact)
                    .is_some_and(|c| self.campaign_matches(c.source_campaign.as_ref())),
            },
            Some(Segment::Saved(_)) => self.saved_member(&activity.contact),
        }
    }

    #[inline]
    pub fn ticket_in_segment(&self, ticket: &Ticket) -> bool {
        match &self.segment {
            None => true,
            Some(Segment::Owner(_) | Segment::Team(_)) => {
                self.rep_matches(ticket.assignee.as_ref())
            }
            Some(Segment::Pipeline(_)) => false,
            Some(Segment::Campaign(_) | Segment::Channel(_)) => self
                .dataset
                .contact(&ticket.contact)
                .is_some_and(|c| self.campaign_matches(c.source_campaign.as_ref())),
            Some(Segment::Saved(_)) => self.saved_member(&ticket.contact),
        }
    }

    pub fn spend_in_segment(&self, spend: &SpendEntry) -> bool {
        match &self.segment {
            None => true,
            Some(Segment::Team(team)) => spend.team.as_ref() == Some(team),
            Some(Segment::Owner(_) | Segment::Pipeline(_) | Segment::Saved(_)) => false,
            Some(Segment::Campaign(_) | Segment::Channel(_)) => {
                self.campaign_matches(spend.campaign.as_ref())
            }
        }
    }

    pub fn campaign_in_segment(&self, campaign: &Campaign) -> bool {
        match &self.segment {
            None => true,
            Some(Segment::Campaign(c)) => &campaign.id == c,
            Some(Segment::Channel(channel)) => campaign.channel == *channel,
            Some(_) => false,
        }
    }

    pub fn is_service_team(&self, team: Option<&TeamId>) -> bool {
        team.is_some_and(|t| self.options.service_teams.contains(t))
    }
}
