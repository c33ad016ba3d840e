//! The deals of a contact (value, stage path, the activities along it) and
//! the follow-ups of the deals waiting in needs analysis, topped up to the
//! two thirds the sample promises.

use std::collections::BTreeSet;

use chrono::Duration;
use rust_decimal::Decimal;

use super::{Generator, NEEDS_ANALYSIS, STAGES, id, one_item_purchase};
use crate::Result;
use crate::model::*;
use crate::money::{Currency, Money};

impl Generator<'_> {
    fn deal_value(&mut self, home: Currency) -> Money {
        let usd = self.parts.reporting_currency.unwrap_or(home);
        match self.rng.range(0, 9) {
            0 => Money::new(Decimal::new(50_000, 2), usd),
            1 => {
                let near = [49_999, 50_001, 49_900, 50_100];
                Money::new(Decimal::new(near[self.rng.range(0, 3) as usize], 2), usd)
            }
            2 | 3 => self.money(80, 480, home),
            _ => self.money(520, 6_000, home),
        }
    }

    pub(super) fn deals(
        &mut self,
        contact: &Contact,
        home: Currency,
        rep: Option<&RepId>,
    ) -> Result<()> {
        let stage = contact.lifecycle.stage;
        let plan: Vec<(DealStatus, DealKind)> = match stage {
            LifecycleStage::Sql if self.rng.chance(0.5) => vec![(DealStatus::Lost, DealKind::New)],
            LifecycleStage::Opportunity => vec![(DealStatus::Open, DealKind::New)],
            LifecycleStage::Customer | LifecycleStage::Evangelist => {
                let mut plan = vec![(DealStatus::Won, DealKind::New)];
                if self.rng.chance(0.3) {
                    plan.push((
                        DealStatus::Won,
                        [DealKind::Upsell, DealKind::CrossSell, DealKind::Renewal]
                            [self.rng.range(0, 2) as usize],
                    ));
                }
                if self.rng.chance(0.15) {
                    plan.push((DealStatus::Open, DealKind::Upsell));
                }
                plan
            }
            _ => Vec::new(),
        };
        let became = contact
            .lifecycle
            .entered(LifecycleStage::Opportunity)
            .unwrap_or(contact.created_at);
        // The longest stage path takes 100 days; deals start early enough to
        // finish inside the data's time span.
        let latest_start = self.end - Duration::days(101);
        let mut cursor = became.min(latest_start);
        for (k, (status, kind)) in plan.into_iter().enumerate() {
            if k > 0 && cursor > latest_start {
                break;
            }
            let n = self.parts.deals.len() + 1;
            let deal_id: DealId = id(format!("D-{n:04}"))?;
            let created_at = cursor;
            let value = self.deal_value(home);
            let (mut visits, stage_index, closed_at) = self.stage_path(status, created_at);
            let stage_id = self.stage_ids[stage_index].clone();
            cursor = closed_at.unwrap_or(created_at) + Duration::days(self.rng.range(20, 90));
            // An open deal entered its current stage 3–45 days before the
            // end of the data (a live pipeline, not deals parked for half a
            // year); the whole path moves later, no extra random draw.
            let mut created_at = created_at;
            if status == DealStatus::Open {
                let target = self.end - Duration::days(3 + (n as i64 * 37) % 43);
                let shift = visits
                    .last()
                    .map_or(Duration::zero(), |v| target - v.entered_at);
                if shift > Duration::zero() {
                    for v in &mut visits {
                        v.entered_at += shift;
                        v.exited_at = v.exited_at.map(|t| t + shift);
                    }
                    created_at += shift;
                }
            }
            self.deal_activities(contact, &deal_id, &visits, status, value, rep)?;
            self.parts.deals.push(Deal {
                id: deal_id,
                name: format!("{} deal", contact.name),
                contact: contact.id.clone(),
                company: contact.company.clone(),
                pipeline: id("sales".to_string())?,
                stage: stage_id,
                value,
                status,
                lost_reason: (status == DealStatus::Lost)
                    .then(|| ["price", "timing", "competitor"][n % 3].to_string()),
                kind,
                created_at,
                closed_at,
                owner: rep.cloned(),
                source_campaign: contact.source_campaign.clone(),
                stage_history: visits,
                tags: BTreeSet::new(),
            });
        }
        Ok(())
    }

    /// The stages a deal went through, its final stage index and close time.
    pub(super) fn stage_path(
        &mut self,
        status: DealStatus,
        created_at: Timestamp,
    ) -> (Vec<StageVisit>, usize, Option<Timestamp>) {
        let last_open = match status {
            DealStatus::Won => 3,
            DealStatus::Lost => self.rng.range(0, 3) as usize,
            DealStatus::Open => match self.rng.range(0, 9) {
                0..=4 => NEEDS_ANALYSIS,
                5 | 6 => 0,
                7 | 8 => 2,
                _ => 3,
            },
        };
        let mut visits = Vec::new();
        let mut at = created_at;
        for stage in 0..=last_open {
            let stay = Duration::hours(self.rng.range(24, 24 * 25));
            let exit = at + stay;
            let still_here = status == DealStatus::Open && stage == last_open;
            visits.push(StageVisit {
                stage: self.stage_ids[stage].clone(),
                entered_at: at,
                exited_at: (!still_here).then_some(exit),
            });
            at = exit;
        }
        let closing = match status {
            DealStatus::Won => Some(4),
            DealStatus::Lost => Some(5),
            DealStatus::Open => None,
        };
        match closing {
            Some(index) => {
                visits.push(StageVisit {
                    stage: self.stage_ids[index].clone(),
                    entered_at: at,
                    exited_at: None,
                });
                (visits, index, Some(at))
            }
            None => (visits, last_open, None),
        }
    }

    pub(super) fn deal_activities(
        &mut self,
        contact: &Contact,
        deal: &DealId,
        visits: &[StageVisit],
        status: DealStatus,
        value: Money,
        rep: Option<&RepId>,
    ) -> Result<()> {
        for visit in visits {
            let stage = visit.stage.as_str();
            if stage == "won" || stage == "lost" {
                continue;
            }
            let open_in_needs_analysis =
                stage == STAGES[NEEDS_ANALYSIS].0 && visit.exited_at.is_none();
            // Two thirds of the deals waiting in needs analysis were followed
            // up within a week; the rest were not touched since.
            let follow_up = !open_in_needs_analysis || self.rng.chance(2.0 / 3.0);
            if open_in_needs_analysis {
                self.waiting_in_needs_analysis += 1;
                if follow_up {
                    self.followed_in_needs_analysis += 1;
                } else {
                    self.not_followed.push((
                        contact.id.clone(),
                        deal.clone(),
                        visit.entered_at,
                        rep.cloned(),
                    ));
                }
            }
            if follow_up {
                let at = visit.entered_at + Duration::hours(self.rng.range(2, 24 * 6));
                let at = at.min(self.end - Duration::hours(1));
                let outcome = if self.rng.chance(0.7) {
                    CallOutcome::Connected
                } else {
                    CallOutcome::NoAnswer
                };
                let talk = if outcome == CallOutcome::Connected {
                    self.rng.range(60, 1_500) as u32
                } else {
                    0
                };
                self.push_activity_full(
                    &contact.id,
                    at,
                    ActivityKind::Call {
                        direction: CallDirection::Outbound,
                        outcome,
                        wait_seconds: 0,
                        talk_seconds: talk,
                        hold_seconds: 0,
                        wrap_up_seconds: if talk > 0 { 60 } else { 0 },
                        callback: false,
                    },
                    Some(deal.clone()),
                    None,
                    rep.cloned(),
                )?;
            }
            if stage == "proposal" {
                let at = visit.entered_at + Duration::hours(1);
                self.push_activity_full(
                    &contact.id,
                    at,
                    ActivityKind::ProposalSent {
                        amount: Some(value),
                    },
                    Some(deal.clone()),
                    None,
                    rep.cloned(),
                )?;
            }
            if stage == "negotiation" {
                let at = visit.entered_at + Duration::hours(30);
                self.push_activity_full(
                    &contact.id,
                    at,
                    ActivityKind::Meeting {
                        duration_minutes: 45,
                    },
                    Some(deal.clone()),
                    None,
                    rep.cloned(),
                )?;
            }
        }
        if status == DealStatus::Won {
            let closed = visits.last().map_or(self.start, |v| v.entered_at);
            let purchases = self.rng.range(1, 4);
            let mut at = closed;
            for _ in 0..purchases {
                if at >= self.end {
                    break;
                }
                let amount = if at == closed {
                    value
                } else {
                    self.money(40, 400, value.currency)
                };
                self.push_activity(&contact.id, at, one_item_purchase("SUB-1", amount))?;
                at += Duration::days(self.rng.range(20, 120));
            }
            let survey_at = self.time_between(
                closed,
                self.end.max(closed + Duration::days(1)) - Duration::hours(3),
            );
            if survey_at < self.end {
                let nps = NpsScore::new(self.rng.range(3, 10) as u8)?;
                self.push_activity(
                    &contact.id,
                    survey_at,
                    ActivityKind::SurveyAnswer {
                        survey: "nps".to_string(),
                        score: SurveyScore::Nps(nps),
                    },
                )?;
                let csat = CsatScore::new(self.rng.range(2, 5) as u8)?;
                self.push_activity(
                    &contact.id,
                    survey_at + Duration::minutes(1),
                    ActivityKind::SurveyAnswer {
                        survey: "csat".to_string(),
                        score: SurveyScore::Csat(csat),
                    },
                )?;
                if contact.lifecycle.stage == LifecycleStage::Evangelist {
                    self.push_activity(
                        &contact.id,
                        survey_at + Duration::hours(2),
                        ActivityKind::Referral { referred: None },
                    )?;
                }
            }
        }
        Ok(())
    }

    /// Tops the follow-ups of the deals waiting in needs analysis up to
    /// two thirds (rounded), so that the sample shows the promised finding
    /// exactly rather than up to the noise of the random draw. The extra
    /// calls are appended after every other activity, so no other record
    /// changes.
    pub(super) fn follow_up_two_thirds(&mut self) -> Result<()> {
        let target = (self.waiting_in_needs_analysis * 2 + 1) / 3;
        let extra = target.saturating_sub(self.followed_in_needs_analysis);
        let chosen: Vec<_> = self.not_followed.drain(..).take(extra).collect();
        for (contact, deal, entered, rep) in chosen {
            let at = (entered + Duration::days(1))
                .min(self.end - Duration::hours(1))
                .max(entered);
            self.push_activity_full(
                &contact,
                at,
                ActivityKind::Call {
                    direction: CallDirection::Outbound,
                    outcome: CallOutcome::Connected,
                    wait_seconds: 0,
                    talk_seconds: 600,
                    hold_seconds: 0,
                    wrap_up_seconds: 60,
                    callback: false,
                },
                Some(deal),
                None,
                rep,
            )?;
        }
        Ok(())
    }
}
