//! The sample company's third pass, run after every other record is drawn
//! and from its own random stream (so every earlier record, and the first
//! two passes' random draws, stay as they were): self-serve trials that
//! give a share of new sign-ups a first purchase within days, and the
//! monthly subscription payments of every customer, with a monthly
//! cancellation rate, so that a customer stays a customer until it cancels.
//!
//! The ranges it is tuned to:
//!
//! * **First purchase soon after sign-up**: in products with a self-serve
//!   plan, roughly 5–20 % of sign-ups buy within the first ten days (the
//!   length of a typical welcome series). The pass starts a trial for 40 %
//!   of contacts within hours of sign-up, and converts a quarter of them
//!   2–9 days later, so about 10 % of sign-ups buy inside the welcome
//!   series' window.
//! * **Trial-to-paid conversion**: opt-in free trials (no card asked) are
//!   usually reported converting at about 15–25 % to paid in SaaS
//!   trial-conversion benchmarks. The pass's 25 % also keeps the year's
//!   win rate where the second pass put it (25 %): trial deals are deals of
//!   the sales pipeline, won or lost ("trial expired") like the others.
//! * **Customer churn**: SaaS churn benchmarks (subscription-billing
//!   vendors' and SaaS metrics surveys) put B2B monthly logo churn at
//!   roughly 1–3 %, lower for larger contracts, that is about 3–8 % a
//!   quarter. Every contact with a won deal pays a monthly subscription
//!   from a month after its first won deal, and cancels in a given month
//!   with probability [`MONTHLY_CANCELLATION`], so the quarterly churn
//!   measured on payments (`revenue_source` `both`, a customer being a
//!   contact with a won deal or a payment in the last 60 days: two missed
//!   monthly payments) lands in that range: 3.8 % in the second quarter of
//!   2026 and 3.3 % in the third. Measured on won deals alone, a customer
//!   would lapse whenever it signed nothing new for a while, and half of
//!   them would "churn" every quarter.
//! * **Add-on purchases**: paying customers also buy add-ons at a rate of
//!   their own (one in 45 days on average, exponentially spread across
//!   customers), only while they pay, so churn does not move; the spread
//!   gives the CLV models' BG/NBD fit the customer heterogeneity it
//!   estimates (on monthly payments alone its parameters diverge).

use chrono::Duration;
use rust_decimal::Decimal;

use super::{Generator, STAGES, SampleRng, earliest_by_contact, id, one_item_purchase};
use crate::model::*;
use crate::money::Money;
use crate::{Error, Result};

/// Share of contacts that start a self-serve trial right after sign-up.
const TRIAL_SHARE: f64 = 0.40;
/// Share of trials converted to a paid plan (a won deal) within 2–9 days.
const TRIAL_CONVERSION: f64 = 0.25;
/// Days after which an unconverted trial ends (the deal is lost).
const TRIAL_DAYS: i64 = 14;
/// Probability that a paying customer cancels in a given month.
pub(super) const MONTHLY_CANCELLATION: f64 = 0.02;
/// Monthly subscription fee by the contact's `plan_interest`, in its home
/// currency (USD, EUR or GBP): starter, pro, enterprise.
const MONTHLY_FEES: [(&str, i64); 3] = [("starter", 49), ("pro", 149), ("enterprise", 499)];

impl Generator<'_> {
    /// The whole third pass.
    pub(super) fn realism(&mut self) -> Result<()> {
        self.rng = SampleRng::new(self.config.seed ^ 0x7265_616c_6973_6d21);
        self.trials()?;
        self.subscriptions()
    }

    /// A contact's home currency (the currency of its income).
    fn home_currency(contact: &Contact) -> Result<crate::money::Currency> {
        contact
            .demographics
            .income
            .map_or_else(|| crate::money::Currency::new("USD"), |m| Ok(m.currency))
    }

    /// Self-serve trials: a deal opened within hours of sign-up for the
    /// annual value of a plan (over $500, so the $500 routing gives it a
    /// call task, not the nurture campaign), won 2–9 days later for a
    /// quarter of them (paid at once: a purchase paying the deal), else
    /// lost when the trial ends. Contacts are taken in order; trials that
    /// would end after the data are skipped.
    fn trials(&mut self) -> Result<()> {
        let contacts: Vec<Contact> = self
            .parts
            .contacts
            .iter()
            .filter(|c| c.lifecycle.stage != LifecycleStage::Disqualified)
            .cloned()
            .collect();
        for contact in contacts {
            if !self.rng.chance(TRIAL_SHARE) {
                continue;
            }
            let created = contact.created_at + Duration::minutes(self.rng.range(30, 12 * 60));
            let won = self.rng.chance(TRIAL_CONVERSION);
            let closed = if won {
                created + Duration::seconds(self.rng.range(2 * 86_400, 9 * 86_400))
            } else {
                created + Duration::days(TRIAL_DAYS)
            };
            let value = self.money(600, 1_500, Self::home_currency(&contact)?);
            if closed >= self.end {
                continue;
            }
            let n = self.parts.deals.len() + 1;
            let deal_id: DealId = id(format!("D-{n:04}"))?;
            let stage = |k: usize| id::<StageId>(STAGES[k].0.to_string());
            let closing = stage(if won { 4 } else { 5 })?;
            let visits = vec![
                StageVisit {
                    stage: stage(0)?,
                    entered_at: created,
                    exited_at: Some(closed),
                },
                StageVisit {
                    stage: closing.clone(),
                    entered_at: closed,
                    exited_at: None,
                },
            ];
            if won {
                self.push_activity_full(
                    &contact.id,
                    closed,
                    one_item_purchase("SUB-1", value),
                    Some(deal_id.clone()),
                    None,
                    None,
                )?;
            }
            self.parts.deals.push(Deal {
                id: deal_id,
                name: format!("{} self-serve trial", contact.name),
                contact: contact.id.clone(),
                company: contact.company.clone(),
                pipeline: id("sales".to_string())?,
                stage: closing,
                value,
                status: if won {
                    DealStatus::Won
                } else {
                    DealStatus::Lost
                },
                lost_reason: (!won).then(|| "trial expired".to_string()),
                kind: DealKind::New,
                created_at: created,
                closed_at: Some(closed),
                owner: None,
                source_campaign: contact.source_campaign.clone(),
                stage_history: visits,
                tags: ["self-serve".to_string(), "trial".to_string()]
                    .into_iter()
                    .collect(),
            });
        }
        Ok(())
    }

    /// Monthly subscription payments (purchase activities of SKU
    /// `SUB-MONTHLY`, not tied to a deal) of every contact with a won deal,
    /// every 30 days from 30 days after its first won deal, until the end
    /// of the data or until it cancels ([`MONTHLY_CANCELLATION`] a month).
    fn subscriptions(&mut self) -> Result<()> {
        let first_won_by_contact = earliest_by_contact(&self.parts.deals, |d| {
            d.closed_at.filter(|_| d.status == DealStatus::Won)
        });
        let first_won: Vec<(Timestamp, usize)> = self
            .parts
            .contacts
            .iter()
            .enumerate()
            .filter_map(|(index, c)| first_won_by_contact.get(&c.id).map(|&t| (t, index)))
            .collect();
        let mut spans = Vec::new();
        for (first, index) in first_won {
            let contact = self
                .parts
                .contacts
                .get(index)
                .cloned()
                .ok_or_else(|| Error::invalid("contacts", "contact vanished"))?;
            let plan = match contact.attributes.get("plan_interest") {
                Some(AttributeValue::Text(plan)) => plan.as_str(),
                _ => "starter",
            };
            let fee = MONTHLY_FEES
                .iter()
                .find(|(name, _)| *name == plan)
                .map_or(49, |(_, fee)| *fee);
            let amount = Money::new(Decimal::from(fee), Self::home_currency(&contact)?);
            let mut at = first + Duration::days(30);
            let mut paid = None;
            while at < self.end {
                if self.rng.chance(MONTHLY_CANCELLATION) {
                    break;
                }
                self.push_activity(&contact.id, at, one_item_purchase("SUB-MONTHLY", amount))?;
                paid = Some((paid.map_or(at, |(from, _)| from), at));
                at += Duration::days(30);
            }
            if let Some((from, to)) = paid {
                spans.push((contact.id.clone(), from, to, amount.currency));
            }
        }
        self.add_ons(spans)
    }

    /// Add-on purchases (SKU `ADD-ON`, $20-200 in the home currency) of
    /// each paying customer between its first and last subscription
    /// payment, at random times (a Poisson process) with a rate of its own
    /// (exponentially distributed across customers, one in 45 days on
    /// average). Customers differ in how much they buy, as real ones do;
    /// without it every customer's purchases would be the same monthly
    /// clock and a BG/NBD fit of the purchases would have no heterogeneity
    /// to estimate (its parameters run off to infinity). Add-ons fall
    /// inside the paying span, so they never make a cancelled customer
    /// look active later.
    fn add_ons(
        &mut self,
        spans: Vec<(ContactId, Timestamp, Timestamp, crate::money::Currency)>,
    ) -> Result<()> {
        for (contact, from, to, currency) in spans {
            // The customer's rate: exponential across customers, mean one
            // add-on in 45 days (mean gap 45 / E for E ~ Exp(1)).
            let relative_rate = (-(1.0 - self.rng.next_f64()).ln()).max(1e-3);
            let mean_gap_days = 45.0 / relative_rate;
            let mut at = from;
            loop {
                let gap = -(1.0 - self.rng.next_f64()).ln() * mean_gap_days * 86_400.0;
                at += Duration::seconds(gap.min(400.0 * 86_400.0) as i64);
                if at >= to {
                    break;
                }
                let amount = self.money(20, 200, currency);
                self.push_activity(&contact, at, one_item_purchase("ADD-ON", amount))?;
            }
        }
        Ok(())
    }
}
