//! Feeding records into a batch of accumulators whose periods do not
//! overlap (one period, a period and the one before, the periods of a time
//! series): each record goes to the period(s) its instants fall in, found by
//! binary search, never to every accumulator; what a record says about its
//! contact goes to that contact's [`ContactFacts`].
//!
//! When the records come grouped by contact (the whole dataset), a batch can
//! fold each contact's facts into customer counts as soon as the contact is
//! done, so no per-contact table is kept at all; otherwise the facts of the
//! contacts seen go into the accumulators, keyed by contact id (a part's
//! state holds only the contacts it saw, needs no contact table to be read,
//! and merges exactly).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::accumulate::{FUNNEL, KpiAccumulator, add};
use super::context::{Context, stage_index, ts};
use super::facts::{
    Buckets, ContactFacts, CustomerCounts, FIRST_FROM_CAMPAIGN, FIRST_IN_SEGMENT, FoldOptions,
    Folder, WON_CROSS_SELL, WON_NEW, WON_RENEWAL, WON_UPSELL,
};
use super::request::{OrderBasis, RevenueSource};
use crate::model::{
    Activity, ActivityKind, CallDirection, CallOutcome, Campaign, Contact, ContactId, Deal,
    DealKind, DealStatus, EmailEvent, LifecycleStage, SpendCategory, SpendEntry, SpendKind,
    SurveyScore, Ticket, TicketKind,
};
use crate::{Error, Result};

/// Sums of an accumulator that gather in [`Batch::pending`] first.
const REVENUE: usize = 0;
const PURCHASE_REVENUE: usize = 1;

/// The largest mantissa of a `Decimal` (2^96 - 1).
const MAX_MANTISSA: i128 = (1 << 96) - 1;

/// An exact running sum of non-negative amounts of one scale (mantissa,
/// scale) not yet added to its accumulator's total. A series adds every
/// purchase to a period's revenue and purchase revenue, so one `i128` add
/// there instead of a `Decimal::checked_add` call matters. Adding a sum of
/// same-scale amounts in one go gives the same value and the same scale
/// as adding them one by one (the sum keeps the larger scale; a zero keeps
/// the other side's); a run ends at an amount of another scale, a negative
/// one, or before the mantissa would leave a `Decimal`'s range.
type Pending = Option<(i128, u32)>;

fn sum_of(acc: &mut KpiAccumulator, which: usize) -> &mut Decimal {
    if which == REVENUE {
        &mut acc.revenue
    } else {
        &mut acc.purchase_revenue
    }
}

/// Adds a pending run to `total`.
fn settle(total: &mut Decimal, (mantissa, scale): (i128, u32)) -> Result<()> {
    let run = Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| {
        Error::overflow(format!("a sum of amounts ({mantissa}e-{scale}) overflows"))
    })?;
    add(total, run)
}

/// Accumulators fed together; see the module docs.
pub(crate) struct Batch<'a, 'd> {
    ctx: &'a Context<'d>,
    accs: &'a mut [KpiAccumulator],
    buckets: Buckets,
    options: FoldOptions,
    /// `Some` when contacts are folded as they complete.
    fold: Option<(Folder, Vec<CustomerCounts>)>,
    /// The contact whose records are coming in.
    current: Option<(ContactId, ContactFacts)>,
    /// Lists of a folded contact's facts, cleared, kept for the next one
    /// (a fold allocates per contact only when a list outgrows them).
    spare: ContactFacts,
    /// Facts of the contacts seen, when not folding, by contact id.
    facts: BTreeMap<ContactId, ContactFacts>,
    /// Runs of amounts per window not yet in its `REVENUE` and
    /// `PURCHASE_REVENUE` totals (added at [`Batch::close`]).
    pending: Vec<[Pending; 2]>,
    deals_seen: u64,
    purchases_seen: u64,
    first_record: i64,
    /// Earliest and latest deal creation any window can look at.
    creations_from: i64,
    creations_to: i64,
}

impl<'a, 'd> Batch<'a, 'd> {
    /// A batch over `accs`, or `None` when their periods are not sorted
    /// or overlap. `fold` only when every contact's records come together.
    pub fn new(
        ctx: &'a Context<'d>,
        accs: &'a mut [KpiAccumulator],
        fold: bool,
    ) -> Option<Batch<'a, 'd>> {
        let mut buckets = Buckets::new(accs.iter().map(|a| &a.window))?;
        buckets.index_days();
        let window_secs = i64::from(ctx.options.opportunity_window_days) * 86_400;
        let creations_from = buckets.t0.first().copied().unwrap_or(i64::MAX);
        let creations_to = buckets
            .t1
            .last()
            .copied()
            .unwrap_or(i64::MIN)
            .saturating_add(window_secs);
        let n = buckets.len();
        Some(Batch {
            ctx,
            accs,
            buckets,
            options: FoldOptions {
                per_day: ctx.options.order_basis == OrderBasis::CustomerDay,
                new_revenue_months: ctx.options.new_revenue_months,
                opportunity_window_secs: window_secs,
            },
            fold: fold.then(|| (Folder::new(n), vec![CustomerCounts::default(); n])),
            current: None,
            spare: ContactFacts::default(),
            facts: BTreeMap::new(),
            pending: vec![[None; 2]; n],
            deals_seen: 0,
            purchases_seen: 0,
            first_record: i64::MAX,
            creations_from,
            creations_to,
        })
    }

    /// The accumulator whose period contains `t`.
    #[inline]
    fn at(&mut self, t: i64) -> Option<&mut KpiAccumulator> {
        let p = self.buckets.bucket(t)?;
        self.accs.get_mut(p)
    }

    /// The accumulator of window `p`, if any.
    #[inline]
    fn acc(&mut self, p: Option<usize>) -> Option<&mut KpiAccumulator> {
        self.accs.get_mut(p?)
    }

    /// Adds `value` to sum `which` (`REVENUE` or `PURCHASE_REVENUE`) of
    /// window `p`, through its pending run.
    fn add_to(&mut self, p: usize, which: usize, value: Decimal) -> Result<()> {
        let Some(acc) = self.accs.get_mut(p) else {
            return Ok(());
        };
        let Some(slot) = self.pending.get_mut(p).and_then(|s| s.get_mut(which)) else {
            return add(sum_of(acc, which), value);
        };
        let (mantissa, scale) = (value.mantissa(), value.scale());
        let negative = value.is_sign_negative();
        match slot {
            None if !negative => {
                *slot = Some((mantissa, scale));
                return Ok(());
            }
            Some((m, s)) if !negative && *s == scale => {
                if let Some(sum) = m.checked_add(mantissa).filter(|&x| x <= MAX_MANTISSA) {
                    *m = sum;
                    return Ok(());
                }
            }
            _ => {}
        }
        if let Some(run) = slot.take() {
            settle(sum_of(acc, which), run)?;
        }
        if negative {
            add(sum_of(acc, which), value)
        } else {
            *slot = Some((mantissa, scale));
            Ok(())
        }
    }

    /// The facts of `contact` (records of other contacts that came before
    /// are set aside or folded).
    fn facts(&mut self, contact: Option<&ContactId>) -> Result<Option<&mut ContactFacts>> {
        let Some(c) = contact else {
            return Ok(None);
        };
        if self.current.as_ref().is_none_or(|(k, _)| k != c) {
            self.flush()?;
            let facts = std::mem::take(&mut self.spare);
            self.current = Some((c.clone(), facts));
        }
        Ok(self.current.as_mut().map(|(_, f)| f))
    }

    fn flush(&mut self) -> Result<()> {
        let Some((c, mut facts)) = self.current.take() else {
            return Ok(());
        };
        if facts.is_empty() {
            self.spare = facts;
            return Ok(());
        }
        match &mut self.fold {
            Some((folder, counts)) => {
                let folded = folder.fold(&mut facts, &self.buckets, self.options, counts);
                facts.clear();
                self.spare = facts;
                folded
            }
            None => {
                match self.facts.get_mut(&c) {
                    Some(known) => known.merge(&facts),
                    None => {
                        self.facts.insert(c, facts);
                    }
                }
                Ok(())
            }
        }
    }

    /// Hands everything gathered to the accumulators.
    pub fn close(mut self) -> Result<()> {
        self.flush()?;
        for (acc, runs) in self.accs.iter_mut().zip(&mut self.pending) {
            for (which, run) in runs.iter_mut().enumerate() {
                if let Some(run) = run.take() {
                    settle(sum_of(acc, which), run)?;
                }
            }
        }
        if let Some((mut folder, mut counts)) = self.fold.take() {
            folder.finish(&mut counts);
            for (acc, c) in self.accs.iter_mut().zip(&counts) {
                acc.customers.merge(c)?;
            }
        }
        let last = self.accs.len().saturating_sub(1);
        let mut facts = std::mem::take(&mut self.facts);
        for (i, acc) in self.accs.iter_mut().enumerate() {
            acc.deals_seen += self.deals_seen;
            acc.purchases_seen += self.purchases_seen;
            acc.first_record = acc.first_record.min(self.first_record);
            let mine = if i == last {
                std::mem::take(&mut facts)
            } else {
                facts.clone()
            };
            if acc.contacts.is_empty() {
                acc.contacts = mine;
            } else {
                for (c, f) in mine {
                    acc.contacts.entry(c).or_default().merge(&f);
                }
            }
        }
        Ok(())
    }

    /// A revenue event (a won deal or a purchase counted by the revenue
    /// source) of `contact`, at `t` (in window `p`), worth `value`.
    fn revenue_event(
        &mut self,
        contact: Option<&ContactId>,
        (t, p): (i64, Option<usize>),
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
        let track = self.ctx.track_revenue_events;
        let in_period = p.is_some();
        // Only events some window can see (in a period, or in an activity
        // window before a period's start or end) are kept.
        let seen = in_period || self.buckets.sees(t);
        if let Some(facts) = self.facts(contact)? {
            // Facts about the customer as a whole, whatever the segment.
            facts.first_event(t, flags);
            if in_segment && seen {
                facts
                    .events
                    .push((t, (track && in_period).then_some(value)));
            }
        }
        if !in_segment {
            return Ok(());
        }
        if let Some(p) = p {
            if let Some(acc) = self.accs.get_mut(p) {
                acc.orders += 1;
            }
            self.add_to(p, REVENUE, value)?;
        }
        Ok(())
    }

    pub fn add_contact(&mut self, contact: &Contact) -> Result<()> {
        let ctx = self.ctx;
        let created = ts(contact.created_at);
        self.first_record = self.first_record.min(created);
        if !ctx.contact_in_segment(contact) {
            return Ok(());
        }
        if contact.email.is_some()
            && let Some(facts) = self.facts(Some(&contact.id))?
        {
            facts.subscribed = Some(facts.subscribed.map_or(created, |s| s.min(created)));
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
        if let Some(acc) = self.at(created)
            && reached(|s| s.is_lead() || s.is_customer())
        {
            acc.leads += 1;
            if reached(LifecycleStage::is_customer) {
                acc.leads_converted += 1;
            }
        }
        for i in 0..entries {
            let Some((stage, at)) = entry(i) else {
                continue;
            };
            let Some(slot) = FUNNEL.iter().position(|s| *s == stage) else {
                continue;
            };
            let Some(acc) = self.at(at) else {
                continue;
            };
            if let Some(n) = acc.stage_entered.get_mut(slot) {
                *n += 1;
            }
            let advanced = (i + 1..entries).any(|j| {
                entry(j).is_some_and(|(later, _)| {
                    later > stage && later != LifecycleStage::Disqualified
                })
            });
            if advanced && let Some(n) = acc.stage_advanced.get_mut(slot) {
                *n += 1;
            }
        }
        Ok(())
    }

    pub fn add_deal(&mut self, contact: Option<&ContactId>, deal: &Deal) -> Result<()> {
        let ctx = self.ctx;
        let in_segment = ctx.deal_in_segment(deal);
        let created = ts(deal.created_at);
        let closed = deal.closed_at.map(ts);
        self.deals_seen += 1;
        self.first_record = self.first_record.min(created);
        // Facts about the customer as a whole, whatever the segment.
        if self.creations_from < created
            && created <= self.creations_to
            && let Some(facts) = self.facts(contact)?
        {
            facts.creations.push(created);
        }
        let value = if in_segment || deal.status == DealStatus::Won {
            ctx.amount(&deal.value)?
        } else {
            Decimal::ZERO
        };
        if let (DealStatus::Won, Some(closed)) = (deal.status, closed)
            && ctx.options.revenue_source.deals()
        {
            let p = self.buckets.bucket(closed);
            self.revenue_event(
                contact,
                (closed, p),
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
                let kind = match deal.kind {
                    DealKind::Renewal => WON_RENEWAL,
                    DealKind::CrossSell => WON_CROSS_SELL,
                    DealKind::Upsell => WON_UPSELL,
                    DealKind::New => WON_NEW,
                };
                if let Some(facts) = self.facts(contact)? {
                    facts.won.push((closed, kind));
                }
                if let Some(acc) = self.at(closed) {
                    acc.won += 1;
                    add(&mut acc.deal_revenue, value)?;
                    if deal.source_campaign.is_some() {
                        add(&mut acc.campaign_revenue, value)?;
                    }
                    acc.cycle_secs.push(closed - created);
                    if deal.kind == DealKind::Renewal {
                        acc.renewals_won += 1;
                        acc.renewals_closed += 1;
                    }
                }
            }
            (DealStatus::Lost, Some(closed)) => {
                if let Some(acc) = self.at(closed) {
                    acc.lost += 1;
                    if deal.kind == DealKind::Renewal {
                        acc.renewals_closed += 1;
                    }
                }
            }
            _ => {}
        }
        // Open at the end of each period that ends after its creation and
        // not after its close.
        for p in self.buckets.ends_in(created, closed.unwrap_or(i64::MAX)) {
            let Some(acc) = self.accs.get_mut(p) else {
                continue;
            };
            let t1 = acc.window.t1;
            acc.open_deals += 1;
            add(&mut acc.open_value, value)?;
            let stage = deal
                .stage_history
                .iter()
                .rev()
                .find(|v| ts(v.entered_at) < t1)
                .map_or(&deal.stage, |v| &v.stage);
            let probability = stage_index(pipeline, stage)
                .and_then(|i| ctx.stages.stages.get(i))
                .map_or(Decimal::ZERO, |s| s.1);
            let weighted = value
                .checked_mul(probability)
                .ok_or_else(|| Error::overflow(format!("{value} x {probability} overflows")))?;
            add(&mut acc.weighted_value, weighted)?;
        }
        for visit in &deal.stage_history {
            let Some(exited) = visit.exited_at.map(ts) else {
                continue;
            };
            let Some(acc) = self.at(exited) else {
                continue;
            };
            if let Some(slot) =
                stage_index(pipeline, &visit.stage).and_then(|i| acc.stays.get_mut(i))
            {
                slot.0 += 1;
                slot.1 += i128::from(exited - ts(visit.entered_at));
            }
        }
        Ok(())
    }

    pub fn add_activity(
        &mut self,
        contact: Option<&ContactId>,
        activity: &Activity,
        pays_won_deal: bool,
    ) -> Result<()> {
        let ctx = self.ctx;
        let t = ts(activity.at);
        let p = self.buckets.bucket(t);
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
                    contact,
                    (t, p),
                    value,
                    in_segment,
                    activity.campaign.is_some(),
                )?;
            }
            if in_segment
                && let Some(p) = p
                && let Some(acc) = self.accs.get_mut(p)
            {
                acc.purchases += 1;
                if activity.campaign.is_some() {
                    acc.campaign_purchases += 1;
                }
                self.add_to(p, PURCHASE_REVENUE, value)?;
            }
        }
        if !in_segment {
            return Ok(());
        }
        if let ActivityKind::Email {
            event: EmailEvent::Bounced | EmailEvent::Unsubscribed,
            ..
        } = &activity.kind
            && let Some(facts) = self.facts(contact)?
        {
            facts.email_lost = facts.email_lost.min(t);
        }
        if let ActivityKind::Call {
            direction: CallDirection::Outbound,
            ..
        } = &activity.kind
            && p.is_some()
            && let Some(facts) = self.facts(contact)?
        {
            facts.calls.push(t);
        }
        let Some(acc) = self.acc(p) else {
            return Ok(());
        };
        let is_response = !matches!(
            activity.kind,
            ActivityKind::Email {
                event: EmailEvent::Sent | EmailEvent::Bounced,
                ..
            }
        );
        if activity.campaign.is_some() && is_response {
            acc.campaign_responses += 1;
        }
        match &activity.kind {
            ActivityKind::WebsiteVisit {
                duration_seconds,
                goal_completed,
                ..
            } => {
                acc.visits += 1;
                acc.visit_secs += u128::from(*duration_seconds);
                if *goal_completed {
                    acc.visits_with_goal += 1;
                }
            }
            ActivityKind::Referral { .. } => acc.referrals += 1,
            ActivityKind::ProposalSent { .. } => acc.proposals += 1,
            ActivityKind::SurveyAnswer { score, .. } => match score {
                SurveyScore::Nps(nps) => {
                    acc.nps_answers += 1;
                    match nps.value() {
                        9..=10 => acc.promoters += 1,
                        0..=6 => acc.detractors += 1,
                        _ => {}
                    }
                }
                SurveyScore::Csat(csat) => {
                    acc.csat_answers += 1;
                    if csat.value() >= 4 {
                        acc.csat_satisfied += 1;
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
                acc.calls += 1;
                if *callback {
                    acc.callbacks += 1;
                }
                if *outcome == CallOutcome::Connected {
                    acc.connected_calls += 1;
                    acc.handle_secs += u128::from(*talk_seconds)
                        + u128::from(*hold_seconds)
                        + u128::from(*wrap_up_seconds);
                }
                if *direction == CallDirection::Inbound {
                    acc.inbound_calls += 1;
                    if matches!(outcome, CallOutcome::Abandoned | CallOutcome::Missed) {
                        acc.inbound_lost += 1;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    pub fn add_ticket(&mut self, ticket: &Ticket) -> Result<()> {
        let opened = ts(ticket.opened_at);
        self.first_record = self.first_record.min(opened);
        if !self.ctx.ticket_in_segment(ticket) {
            return Ok(());
        }
        if let Some(acc) = self.at(opened) {
            acc.tickets_opened += 1;
            if ticket
                .resolved_at
                .is_some_and(|r| r.date_naive() == ticket.opened_at.date_naive())
            {
                acc.tickets_same_day += 1;
            }
            if ticket.kind == TicketKind::Complaint {
                acc.complaints += 1;
            }
        }
        if let Some(first) = ticket.first_response_at.map(ts)
            && let Some(acc) = self.at(first)
        {
            acc.first_responses += 1;
            acc.first_response_secs += u128::try_from(first - opened).unwrap_or(0);
        }
        if let Some(resolved) = ticket.resolved_at.map(ts)
            && let Some(acc) = self.at(resolved)
        {
            let took = resolved - opened;
            acc.resolution_secs.push(took);
            if let Some(sla) = &ticket.sla {
                acc.sla_tickets += 1;
                let within = |target: Option<u32>, at: Option<i64>| match target {
                    None => true,
                    Some(minutes) => at.is_some_and(|at| at - opened <= i64::from(minutes) * 60),
                };
                if within(sla.first_response_minutes, ticket.first_response_at.map(ts))
                    && within(sla.resolution_minutes, Some(resolved))
                {
                    acc.sla_met += 1;
                }
            }
        }
        Ok(())
    }

    pub fn add_spend(&mut self, spend: &SpendEntry) -> Result<()> {
        let ctx = self.ctx;
        if !ctx.spend_in_segment(spend) {
            return Ok(());
        }
        let Some(acc) = self
            .accs
            .iter_mut()
            .find(|a| a.window.period.contains(spend.date))
        else {
            return Ok(());
        };
        let amount = ctx.amount(&spend.amount)?;
        if ctx.is_service_team(spend.team.as_ref()) {
            return add(&mut acc.service_spend, amount);
        }
        let salaries = spend.kind == SpendKind::Salaries;
        match spend.category {
            SpendCategory::Marketing => {
                add(&mut acc.marketing_spend, amount)?;
                if salaries {
                    add(&mut acc.marketing_salaries, amount)?;
                }
            }
            SpendCategory::Sales => {
                add(&mut acc.sales_spend, amount)?;
                if salaries {
                    add(&mut acc.sales_salaries, amount)?;
                }
            }
        }
        Ok(())
    }

    pub fn add_campaign(&mut self, campaign: &Campaign) -> Result<()> {
        let ctx = self.ctx;
        if !ctx.campaign_in_segment(campaign) {
            return Ok(());
        }
        for acc in self.accs.iter_mut() {
            let period = acc.window.period;
            if campaign.start <= period.last_day() && campaign.end >= period.start() {
                acc.campaigns_run += 1;
            }
            if period.contains(campaign.start) {
                add(&mut acc.campaign_cost, ctx.amount(&campaign.cost)?)?;
            }
        }
        Ok(())
    }
}
