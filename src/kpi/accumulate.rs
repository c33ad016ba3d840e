//! Mergeable accumulators: one pass per entity kind fills a
//! [`KpiAccumulator`]; accumulators over disjoint parts of the data merge
//! into the accumulator of the whole.
//!
//! Every field is a count, an exact sum, a min, a flag set or a list of
//! durations, so [`KpiAccumulator::merge`] is exact, associative and
//! commutative. Facts that span several records of one customer (the first
//! won deal, "was a customer at the start") live in a dense per-contact
//! table that merges element by element.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::context::{Context, Window, stage_index, ts};
use super::request::{OrderBasis, RevenueSource};
use crate::model::{
    Activity, ActivityKind, CallDirection, CallOutcome, Campaign, Contact, Deal, DealKind,
    DealStatus, EmailEvent, LifecycleStage, SpendCategory, SpendEntry, SpendKind, SurveyScore,
    Ticket, TicketKind,
};
use crate::{Error, Result};

pub(crate) const ACTIVE_START: u16 = 1;
pub(crate) const ACTIVE_END: u16 = 1 << 1;
pub(crate) const CALLED: u16 = 1 << 2;
pub(crate) const UP_FOR_RENEWAL: u16 = 1 << 3;
pub(crate) const RENEWED: u16 = 1 << 4;
pub(crate) const CROSS_SELL: u16 = 1 << 5;
pub(crate) const UPSELL: u16 = 1 << 6;
pub(crate) const ON_LIST_START: u16 = 1 << 7;
pub(crate) const NEW_SUBSCRIBER: u16 = 1 << 8;

pub(crate) const FIRST_IN_SEGMENT: u8 = 1;
pub(crate) const FIRST_FROM_CAMPAIGN: u8 = 1 << 1;

/// What the accumulator knows about one contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ContactState {
    /// Time of the contact's first revenue event (won deal or purchase, as
    /// the revenue source says; any segment), or `i64::MAX`.
    pub first_customer: i64,
    /// `FIRST_*` flags of that event.
    pub first_customer_flags: u8,
    /// `ACTIVE_START`... flags.
    pub flags: u16,
    /// Orders (revenue events) in the period and the segment.
    pub orders: u32,
    /// First bounce or unsubscribe, or `i64::MAX`.
    pub email_lost: i64,
}

impl Default for ContactState {
    fn default() -> Self {
        ContactState {
            first_customer: i64::MAX,
            first_customer_flags: 0,
            flags: 0,
            orders: 0,
            email_lost: i64::MAX,
        }
    }
}

impl ContactState {
    /// Records a revenue event at `t` with `FIRST_*` flags as a candidate
    /// first event (ties merge their flags, so the result is independent
    /// of the order records come in).
    fn first_event(&mut self, t: i64, flags: u8) {
        match t.cmp(&self.first_customer) {
            std::cmp::Ordering::Less => {
                self.first_customer = t;
                self.first_customer_flags = flags;
            }
            std::cmp::Ordering::Equal => self.first_customer_flags |= flags,
            std::cmp::Ordering::Greater => {}
        }
    }

    fn merge(&mut self, other: &ContactState) {
        self.first_event(other.first_customer, other.first_customer_flags);
        self.flags |= other.flags;
        self.orders = self.orders.saturating_add(other.orders);
        self.email_lost = self.email_lost.min(other.email_lost);
    }
}

/// Lifecycle stages that have a next stage, in funnel order.
pub(crate) const FUNNEL: [LifecycleStage; 6] = [
    LifecycleStage::Subscriber,
    LifecycleStage::Lead,
    LifecycleStage::Mql,
    LifecycleStage::Sql,
    LifecycleStage::Opportunity,
    LifecycleStage::Customer,
];

/// Exact sums and counts gathered from records; see the module docs.
///
/// Create one with [`KpiEngine::accumulator`](super::KpiEngine::accumulator),
/// feed it with [`KpiEngine::accumulate`](super::KpiEngine::accumulate), merge
/// partial ones with [`KpiAccumulator::merge`] and turn it into values with
/// [`KpiEngine::finish`](super::KpiEngine::finish).
///
/// Accumulators are serde-serialisable, so partial results computed on other
/// machines can be shipped as JSON ([`KpiAccumulator::to_json`]) and merged
/// here; a deserialised accumulator only merges with one of the same period
/// and dataset shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiAccumulator {
    pub(crate) window: Window,
    pub(crate) contacts: Vec<ContactState>,
    // contacts
    pub(crate) leads: u64,
    pub(crate) leads_converted: u64,
    pub(crate) stage_entered: [u64; 6],
    pub(crate) stage_advanced: [u64; 6],
    // deals
    /// Deals and purchase activities seen at all (any time, any segment):
    /// without any, the KPIs built on them cannot be told.
    pub(crate) deals_seen: u64,
    pub(crate) purchases_seen: u64,
    /// The earliest instant of any record seen (`i64::MAX` before any).
    pub(crate) first_record: i64,
    pub(crate) won: u64,
    pub(crate) lost: u64,
    pub(crate) renewals_won: u64,
    pub(crate) renewals_closed: u64,
    /// Revenue of the period from the configured revenue source.
    pub(crate) revenue: Decimal,
    /// Value of the deals won in the period.
    pub(crate) deal_revenue: Decimal,
    /// Revenue events of the period (orders under `OrderBasis::Event`).
    pub(crate) orders: u64,
    /// `(contact, UTC day)` of every revenue event of the period, kept only
    /// for `OrderBasis::CustomerDay`.
    pub(crate) order_days: Vec<(u32, i64)>,
    pub(crate) campaign_revenue: Decimal,
    pub(crate) open_deals: u64,
    pub(crate) open_value: Decimal,
    pub(crate) weighted_value: Decimal,
    pub(crate) cycle_secs: Vec<i64>,
    /// Per flat stage index: completed stays ending in the period and their
    /// total seconds.
    pub(crate) stays: Vec<(u64, i128)>,
    /// Revenue events of the period, kept only when new revenue is asked
    /// for: (contact, time, value).
    pub(crate) revenue_events: Vec<(u32, i64, Decimal)>,
    /// Deal creations that may follow a call of the period: (contact, time).
    pub(crate) deal_creations: Vec<(u32, i64)>,
    // activities
    pub(crate) referrals: u64,
    pub(crate) visits: u64,
    pub(crate) visits_with_goal: u64,
    pub(crate) visit_secs: u128,
    pub(crate) outbound_calls: Vec<(u32, i64)>,
    pub(crate) proposals: u64,
    pub(crate) campaign_responses: u64,
    pub(crate) campaign_purchases: u64,
    pub(crate) purchases: u64,
    pub(crate) purchase_revenue: Decimal,
    pub(crate) promoters: u64,
    pub(crate) detractors: u64,
    pub(crate) nps_answers: u64,
    pub(crate) csat_satisfied: u64,
    pub(crate) csat_answers: u64,
    pub(crate) calls: u64,
    pub(crate) callbacks: u64,
    pub(crate) connected_calls: u64,
    pub(crate) handle_secs: u128,
    pub(crate) inbound_calls: u64,
    pub(crate) inbound_lost: u64,
    // tickets
    pub(crate) tickets_opened: u64,
    pub(crate) tickets_same_day: u64,
    pub(crate) complaints: u64,
    pub(crate) resolution_secs: Vec<i64>,
    pub(crate) first_responses: u64,
    pub(crate) first_response_secs: u128,
    pub(crate) sla_tickets: u64,
    pub(crate) sla_met: u64,
    // spend and campaigns
    pub(crate) marketing_spend: Decimal,
    pub(crate) marketing_salaries: Decimal,
    pub(crate) sales_spend: Decimal,
    pub(crate) sales_salaries: Decimal,
    pub(crate) service_spend: Decimal,
    pub(crate) campaigns_run: u64,
    pub(crate) campaign_cost: Decimal,
}

fn add(sum: &mut Decimal, amount: Decimal) -> Result<()> {
    *sum = sum
        .checked_add(amount)
        .ok_or_else(|| Error::overflow(format!("sum {sum} + {amount} overflows")))?;
    Ok(())
}

impl KpiAccumulator {
    pub(crate) fn new(window: Window, contacts: usize, stages: usize) -> KpiAccumulator {
        KpiAccumulator {
            window,
            contacts: vec![ContactState::default(); contacts],
            leads: 0,
            leads_converted: 0,
            stage_entered: [0; 6],
            stage_advanced: [0; 6],
            deals_seen: 0,
            purchases_seen: 0,
            first_record: i64::MAX,
            won: 0,
            lost: 0,
            renewals_won: 0,
            renewals_closed: 0,
            revenue: Decimal::ZERO,
            deal_revenue: Decimal::ZERO,
            orders: 0,
            order_days: Vec::new(),
            campaign_revenue: Decimal::ZERO,
            open_deals: 0,
            open_value: Decimal::ZERO,
            weighted_value: Decimal::ZERO,
            cycle_secs: Vec::new(),
            stays: vec![(0, 0); stages],
            revenue_events: Vec::new(),
            deal_creations: Vec::new(),
            referrals: 0,
            visits: 0,
            visits_with_goal: 0,
            visit_secs: 0,
            outbound_calls: Vec::new(),
            proposals: 0,
            campaign_responses: 0,
            campaign_purchases: 0,
            purchases: 0,
            purchase_revenue: Decimal::ZERO,
            promoters: 0,
            detractors: 0,
            nps_answers: 0,
            csat_satisfied: 0,
            csat_answers: 0,
            calls: 0,
            callbacks: 0,
            connected_calls: 0,
            handle_secs: 0,
            inbound_calls: 0,
            inbound_lost: 0,
            tickets_opened: 0,
            tickets_same_day: 0,
            complaints: 0,
            resolution_secs: Vec::new(),
            first_responses: 0,
            first_response_secs: 0,
            sla_tickets: 0,
            sla_met: 0,
            marketing_spend: Decimal::ZERO,
            marketing_salaries: Decimal::ZERO,
            sales_spend: Decimal::ZERO,
            sales_salaries: Decimal::ZERO,
            service_spend: Decimal::ZERO,
            campaigns_run: 0,
            campaign_cost: Decimal::ZERO,
        }
    }

    /// The accumulator as JSON, to ship it to where the parts are merged.
    ///
    /// # Errors
    ///
    /// Only if serialisation fails, which the accumulator's own types do not
    /// cause.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| {
            Error::new(
                crate::ErrorKind::Json,
                format!("cannot write accumulator: {e}"),
            )
        })
    }

    /// Reads an accumulator written by [`KpiAccumulator::to_json`]; errors
    /// name the JSON path.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) for malformed JSON or a
    /// wrong shape; [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for a
    /// state that breaks the accumulator's invariants, naming the JSON path.
    pub fn from_json(json: &str) -> Result<KpiAccumulator> {
        Error::parse_json(json)
    }

    /// The period this accumulator covers.
    pub fn period(&self) -> crate::calendar::Period {
        self.window.period
    }

    /// Adds everything `other` gathered. Both must come from the same engine
    /// and period.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) if the two cover
    /// different periods or datasets; [`ErrorKind::Overflow`](crate::ErrorKind::Overflow)
    /// if a sum overflows.
    pub fn merge(&mut self, other: &KpiAccumulator) -> Result<()> {
        if self.window != other.window
            || self.contacts.len() != other.contacts.len()
            || self.stays.len() != other.stays.len()
        {
            return Err(Error::new(
                crate::ErrorKind::Invalid,
                "cannot merge accumulators of different periods or datasets",
            ));
        }
        for (mine, theirs) in self.contacts.iter_mut().zip(&other.contacts) {
            mine.merge(theirs);
        }
        for (mine, theirs) in self.stays.iter_mut().zip(&other.stays) {
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        }
        for i in 0..FUNNEL.len() {
            self.stage_entered[i] += other.stage_entered[i];
            self.stage_advanced[i] += other.stage_advanced[i];
        }
        macro_rules! sum {
            ($($f:ident),*) => { $( self.$f += other.$f; )* };
        }
        self.first_record = self.first_record.min(other.first_record);
        sum!(
            deals_seen,
            purchases_seen,
            orders,
            leads,
            leads_converted,
            won,
            lost,
            renewals_won,
            renewals_closed,
            open_deals,
            referrals,
            visits,
            visits_with_goal,
            visit_secs,
            proposals,
            campaign_responses,
            campaign_purchases,
            purchases,
            promoters,
            detractors,
            nps_answers,
            csat_satisfied,
            csat_answers,
            calls,
            callbacks,
            connected_calls,
            handle_secs,
            inbound_calls,
            inbound_lost,
            tickets_opened,
            tickets_same_day,
            complaints,
            first_responses,
            first_response_secs,
            sla_tickets,
            sla_met,
            campaigns_run
        );
        macro_rules! money {
            ($($f:ident),*) => { $( add(&mut self.$f, other.$f)?; )* };
        }
        money!(
            revenue,
            deal_revenue,
            campaign_revenue,
            open_value,
            weighted_value,
            purchase_revenue,
            marketing_spend,
            marketing_salaries,
            sales_spend,
            sales_salaries,
            service_spend,
            campaign_cost
        );
        self.cycle_secs.extend_from_slice(&other.cycle_secs);
        self.revenue_events.extend_from_slice(&other.revenue_events);
        self.order_days.extend_from_slice(&other.order_days);
        self.deal_creations.extend_from_slice(&other.deal_creations);
        self.outbound_calls.extend_from_slice(&other.outbound_calls);
        self.resolution_secs
            .extend_from_slice(&other.resolution_secs);
        Ok(())
    }

    fn contact_mut(&mut self, position: Option<usize>) -> Option<&mut ContactState> {
        position.and_then(|p| self.contacts.get_mut(p))
    }

    fn mark_active(&mut self, position: Option<usize>, t: i64) {
        let w = self.window;
        let mut flags = 0;
        if w.active_start_from <= t && t < w.t0 {
            flags |= ACTIVE_START;
        }
        if w.active_end_from <= t && t < w.t1 {
            flags |= ACTIVE_END;
        }
        if flags != 0
            && let Some(state) = self.contact_mut(position)
        {
            state.flags |= flags;
        }
    }

    /// A revenue event (a won deal or a purchase counted by the revenue
    /// source) of the contact at `position`, at `t`, worth `value`.
    #[allow(clippy::too_many_arguments)]
    fn revenue_event(
        &mut self,
        ctx: &Context<'_>,
        position: Option<usize>,
        t: i64,
        value: Decimal,
        in_segment: bool,
        from_campaign: bool,
    ) -> Result<()> {
        let mut flags = 0;
        if in_segment {
            flags |= FIRST_IN_SEGMENT;
        }
        if from_campaign {
            flags |= FIRST_FROM_CAMPAIGN;
        }
        // Facts about the customer as a whole, whatever the segment.
        if let Some(state) = self.contact_mut(position) {
            state.first_event(t, flags);
        }
        if !in_segment {
            return Ok(());
        }
        self.mark_active(position, t);
        if !self.window.contains(t) {
            return Ok(());
        }
        self.orders += 1;
        add(&mut self.revenue, value)?;
        if let Some(state) = self.contact_mut(position) {
            state.orders = state.orders.saturating_add(1);
        }
        if let Some(c) = position.and_then(|p| u32::try_from(p).ok()) {
            if ctx.options.order_basis == OrderBasis::CustomerDay {
                self.order_days.push((c, t.div_euclid(86_400)));
            }
            if ctx.track_revenue_events {
                self.revenue_events.push((c, t, value));
            }
        }
        Ok(())
    }

    pub(crate) fn add_contact(
        &mut self,
        ctx: &Context<'_>,
        position: Option<usize>,
        contact: &Contact,
    ) -> Result<()> {
        let created = ts(contact.created_at);
        self.first_record = self.first_record.min(created);
        if !ctx.contact_in_segment(contact) {
            return Ok(());
        }
        let w = self.window;
        let in_period = w.contains(created);
        if contact.email.is_some() {
            let flag = if created < w.t0 {
                ON_LIST_START
            } else if in_period {
                NEW_SUBSCRIBER
            } else {
                0
            };
            if let Some(state) = self.contact_mut(position) {
                state.flags |= flag;
            }
        }
        let life = &contact.lifecycle;
        let first = life.history.first().map_or(life.stage, |t| t.from);
        // Entry `i` of the lifecycle: the stage and when it was entered
        // (entry 0 is the stage the contact was created in).
        let entry = |i: usize| -> Option<(LifecycleStage, i64)> {
            match i.checked_sub(1) {
                None => Some((first, created)),
                Some(k) => life.history.get(k).map(|t| (t.to, ts(t.at))),
            }
        };
        let entries = life.history.len() + 1;
        let reached = |pred: fn(LifecycleStage) -> bool| {
            (0..entries).any(|i| entry(i).is_some_and(|(s, _)| pred(s)))
        };
        if in_period && reached(|s| s.is_lead() || s.is_customer()) {
            self.leads += 1;
            if reached(LifecycleStage::is_customer) {
                self.leads_converted += 1;
            }
        }
        for i in 0..entries {
            let Some((stage, at)) = entry(i) else {
                continue;
            };
            if !w.contains(at) {
                continue;
            }
            let Some(slot) = FUNNEL.iter().position(|s| *s == stage) else {
                continue;
            };
            self.stage_entered[slot] += 1;
            let advanced = (i + 1..entries).any(|j| {
                entry(j).is_some_and(|(later, _)| {
                    later > stage && later != LifecycleStage::Disqualified
                })
            });
            if advanced {
                self.stage_advanced[slot] += 1;
            }
        }
        Ok(())
    }

    pub(crate) fn add_deal(
        &mut self,
        ctx: &Context<'_>,
        position: Option<usize>,
        deal: &Deal,
    ) -> Result<()> {
        let w = self.window;
        let in_segment = ctx.deal_in_segment(deal);
        let created = ts(deal.created_at);
        let closed = deal.closed_at.map(ts);
        let contact = position.and_then(|p| u32::try_from(p).ok());
        self.deals_seen += 1;
        self.first_record = self.first_record.min(created);
        // Facts about the customer as a whole, whatever the segment.
        if let Some(c) = contact
            && w.t0 < created
            && created
                <= w.t1
                    .saturating_add(i64::from(ctx.options.opportunity_window_days) * 86_400)
        {
            self.deal_creations.push((c, created));
        }
        let value = if in_segment || deal.status == DealStatus::Won {
            ctx.amount(&deal.value)?
        } else {
            Decimal::ZERO
        };
        if let (DealStatus::Won, Some(closed)) = (deal.status, closed)
            && ctx.options.revenue_source.deals()
        {
            self.revenue_event(
                ctx,
                position,
                closed,
                value,
                in_segment,
                deal.source_campaign.is_some(),
            )?;
        }
        if !in_segment {
            return Ok(());
        }
        let pipeline = ctx.stages.pipeline(ctx.dataset, &deal.pipeline);
        match (deal.status, closed) {
            (DealStatus::Won, Some(closed)) => {
                if w.renewal_from <= closed
                    && closed < w.renewal_to
                    && let Some(state) = self.contact_mut(position)
                {
                    state.flags |= UP_FOR_RENEWAL;
                }
                if w.contains(closed) {
                    self.won += 1;
                    add(&mut self.deal_revenue, value)?;
                    if deal.source_campaign.is_some() {
                        add(&mut self.campaign_revenue, value)?;
                    }
                    self.cycle_secs.push(closed - created);
                    let flag = match deal.kind {
                        DealKind::Renewal => {
                            self.renewals_won += 1;
                            self.renewals_closed += 1;
                            RENEWED
                        }
                        DealKind::CrossSell => CROSS_SELL,
                        DealKind::Upsell => UPSELL,
                        DealKind::New => 0,
                    };
                    if let Some(state) = self.contact_mut(position) {
                        state.flags |= flag;
                    }
                }
            }
            (DealStatus::Lost, Some(closed)) if w.contains(closed) => {
                self.lost += 1;
                if deal.kind == DealKind::Renewal {
                    self.renewals_closed += 1;
                }
            }
            _ => {}
        }
        // Open at the end of the period.
        if created < w.t1 && closed.is_none_or(|c| c >= w.t1) {
            self.open_deals += 1;
            add(&mut self.open_value, value)?;
            let stage = deal
                .stage_history
                .iter()
                .rev()
                .find(|v| ts(v.entered_at) < w.t1)
                .map_or(&deal.stage, |v| &v.stage);
            let probability = stage_index(pipeline, stage)
                .and_then(|i| ctx.stages.stages.get(i))
                .map_or(Decimal::ZERO, |s| s.1);
            let weighted = value
                .checked_mul(probability)
                .ok_or_else(|| Error::overflow(format!("{value} x {probability} overflows")))?;
            add(&mut self.weighted_value, weighted)?;
        }
        for visit in &deal.stage_history {
            let Some(exited) = visit.exited_at.map(ts) else {
                continue;
            };
            if !w.contains(exited) {
                continue;
            }
            if let Some(slot) =
                stage_index(pipeline, &visit.stage).and_then(|i| self.stays.get_mut(i))
            {
                slot.0 += 1;
                slot.1 += i128::from(exited - ts(visit.entered_at));
            }
        }
        Ok(())
    }

    pub(crate) fn add_activity(
        &mut self,
        ctx: &Context<'_>,
        position: Option<usize>,
        activity: &Activity,
        pays_won_deal: bool,
    ) -> Result<()> {
        let w = self.window;
        let t = ts(activity.at);
        self.first_record = self.first_record.min(t);
        let in_segment = ctx.activity_in_segment(activity);
        if let ActivityKind::Purchase { amount, .. } = &activity.kind {
            self.purchases_seen += 1;
            let source = ctx.options.revenue_source;
            let counted = source.purchases() && !(source == RevenueSource::Both && pays_won_deal);
            let value = if counted || in_segment {
                ctx.amount(amount)?
            } else {
                Decimal::ZERO
            };
            if counted {
                self.revenue_event(
                    ctx,
                    position,
                    t,
                    value,
                    in_segment,
                    activity.campaign.is_some(),
                )?;
            }
            if in_segment && w.contains(t) {
                self.purchases += 1;
                add(&mut self.purchase_revenue, value)?;
                if activity.campaign.is_some() {
                    self.campaign_purchases += 1;
                }
            }
        }
        if !in_segment {
            return Ok(());
        }
        let in_period = w.contains(t);
        if let ActivityKind::Email {
            event: EmailEvent::Bounced | EmailEvent::Unsubscribed,
            ..
        } = &activity.kind
            && let Some(state) = self.contact_mut(position)
        {
            state.email_lost = state.email_lost.min(t);
        }
        if !in_period {
            return Ok(());
        }
        let is_response = !matches!(
            activity.kind,
            ActivityKind::Email {
                event: EmailEvent::Sent | EmailEvent::Bounced,
                ..
            }
        );
        if activity.campaign.is_some() && is_response {
            self.campaign_responses += 1;
        }
        match &activity.kind {
            ActivityKind::WebsiteVisit {
                duration_seconds,
                goal_completed,
                ..
            } => {
                self.visits += 1;
                self.visit_secs += u128::from(*duration_seconds);
                if *goal_completed {
                    self.visits_with_goal += 1;
                }
            }
            ActivityKind::Referral { .. } => self.referrals += 1,
            ActivityKind::ProposalSent { .. } => self.proposals += 1,
            ActivityKind::SurveyAnswer { score, .. } => match score {
                SurveyScore::Nps(nps) => {
                    self.nps_answers += 1;
                    match nps.value() {
                        9..=10 => self.promoters += 1,
                        0..=6 => self.detractors += 1,
                        _ => {}
                    }
                }
                SurveyScore::Csat(csat) => {
                    self.csat_answers += 1;
                    if csat.value() >= 4 {
                        self.csat_satisfied += 1;
                    }
                }
            },
            ActivityKind::Call {
                direction,
                outcome,
                talk_seconds,
                hold_seconds,
                wrap_up_seconds,
                callback,
                ..
            } => {
                self.calls += 1;
                if *callback {
                    self.callbacks += 1;
                }
                if *outcome == CallOutcome::Connected {
                    self.connected_calls += 1;
                    self.handle_secs += u128::from(*talk_seconds)
                        + u128::from(*hold_seconds)
                        + u128::from(*wrap_up_seconds);
                }
                match direction {
                    CallDirection::Outbound => {
                        if let Some(c) = position.and_then(|p| u32::try_from(p).ok()) {
                            self.outbound_calls.push((c, t));
                        }
                        if let Some(state) = self.contact_mut(position) {
                            state.flags |= CALLED;
                        }
                    }
                    CallDirection::Inbound => {
                        self.inbound_calls += 1;
                        if matches!(outcome, CallOutcome::Abandoned | CallOutcome::Missed) {
                            self.inbound_lost += 1;
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn add_ticket(&mut self, ctx: &Context<'_>, ticket: &Ticket) -> Result<()> {
        let opened = ts(ticket.opened_at);
        self.first_record = self.first_record.min(opened);
        if !ctx.ticket_in_segment(ticket) {
            return Ok(());
        }
        let w = self.window;
        if w.contains(opened) {
            self.tickets_opened += 1;
            if ticket
                .resolved_at
                .is_some_and(|r| r.date_naive() == ticket.opened_at.date_naive())
            {
                self.tickets_same_day += 1;
            }
            if ticket.kind == TicketKind::Complaint {
                self.complaints += 1;
            }
        }
        if let Some(first) = ticket.first_response_at.map(ts)
            && w.contains(first)
        {
            self.first_responses += 1;
            self.first_response_secs += u128::try_from(first - opened).unwrap_or(0);
        }
        if let Some(resolved) = ticket.resolved_at.map(ts)
            && w.contains(resolved)
        {
            let took = resolved - opened;
            self.resolution_secs.push(took);
            if let Some(sla) = &ticket.sla {
                self.sla_tickets += 1;
                let within = |target: Option<u32>, at: Option<i64>| match target {
                    None => true,
                    Some(minutes) => at.is_some_and(|at| at - opened <= i64::from(minutes) * 60),
                };
                if within(sla.first_response_minutes, ticket.first_response_at.map(ts))
                    && within(sla.resolution_minutes, Some(resolved))
                {
                    self.sla_met += 1;
                }
            }
        }
        Ok(())
    }

    pub(crate) fn add_spend(&mut self, ctx: &Context<'_>, spend: &SpendEntry) -> Result<()> {
        if !ctx.spend_in_segment(spend) || !self.window.period.contains(spend.date) {
            return Ok(());
        }
        let amount = ctx.amount(&spend.amount)?;
        if ctx.is_service_team(spend.team.as_ref()) {
            return add(&mut self.service_spend, amount);
        }
        let salaries = spend.kind == SpendKind::Salaries;
        match spend.category {
            SpendCategory::Marketing => {
                add(&mut self.marketing_spend, amount)?;
                if salaries {
                    add(&mut self.marketing_salaries, amount)?;
                }
            }
            SpendCategory::Sales => {
                add(&mut self.sales_spend, amount)?;
                if salaries {
                    add(&mut self.sales_salaries, amount)?;
                }
            }
        }
        Ok(())
    }

    pub(crate) fn add_campaign(&mut self, ctx: &Context<'_>, campaign: &Campaign) -> Result<()> {
        if !ctx.campaign_in_segment(campaign) {
            return Ok(());
        }
        let period = self.window.period;
        if campaign.start <= period.last_day() && campaign.end >= period.start() {
            self.campaigns_run += 1;
        }
        if period.contains(campaign.start) {
            add(&mut self.campaign_cost, ctx.amount(&campaign.cost)?)?;
        }
        Ok(())
    }
}
