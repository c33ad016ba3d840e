//! Customer service: the customers' tickets with their SLA timings, the
//! phone calls behind phone tickets (and call-backs of missed ones), and
//! the follow-up tasks of open deals.

use chrono::Duration;

use super::{Generator, id};
use crate::Result;
use crate::model::*;

impl Generator<'_> {
    pub(super) fn service(&mut self) -> Result<()> {
        let customers: Vec<ContactId> = self
            .parts
            .contacts
            .iter()
            .filter(|c| c.lifecycle.stage.is_customer())
            .map(|c| c.id.clone())
            .collect();
        let agents = [id::<RepId>("R-5".to_string())?, id("R-6".to_string())?];
        for (k, contact) in customers.iter().enumerate() {
            for _ in 0..self.rng.range(0, 3) {
                let n = self.parts.tickets.len() + 1;
                let opened_at = self.time_between(self.start, self.end - Duration::days(1));
                // 95 % of first responses within the 8-hour SLA and 92 % of
                // resolutions within 3 days (healthy SLA attainment is
                // 85–95 %: digitalenabler.com's SLA calculator, TicketBoard's
                // SLA compliance bands); one draw each, mapped piecewise.
                let r = self.rng.range(5, 60 * 30);
                let minutes = if r <= 1_710 {
                    5 + (r - 5) * 465 / 1_705
                } else {
                    480 + (r - 1_710) * 1_320 / 90
                };
                let first = opened_at + Duration::minutes(minutes);
                let r = self.rng.range(10, 60 * 24 * 5);
                let minutes = if r <= 6_620 {
                    10 + (r - 10) * 2_590 / 6_610
                } else {
                    4_400 + (r - 6_620) * 2_800 / 580
                };
                let resolved = first + Duration::minutes(minutes);
                let channel = [
                    TicketChannel::Email,
                    TicketChannel::Phone,
                    TicketChannel::Chat,
                    TicketChannel::Web,
                ][self.rng.range(0, 3) as usize];
                let kind = if self.rng.chance(0.12) {
                    TicketKind::Complaint
                } else {
                    TicketKind::Question
                };
                self.parts.tickets.push(Ticket {
                    id: id(format!("T-{n:04}"))?,
                    contact: contact.clone(),
                    channel,
                    kind,
                    priority: Priority::Normal,
                    subject: "help needed".to_string(),
                    assignee: Some(agents[n % 2].clone()),
                    opened_at,
                    first_response_at: (first < self.end).then_some(first),
                    resolved_at: (resolved < self.end && !self.rng.chance(0.08))
                        .then_some(resolved),
                    sla: Some(Sla {
                        first_response_minutes: Some(8 * 60),
                        resolution_minutes: Some(3 * 24 * 60),
                    }),
                });
                if channel == TicketChannel::Phone {
                    let outcome = [
                        CallOutcome::Connected,
                        CallOutcome::Connected,
                        CallOutcome::Abandoned,
                        CallOutcome::Missed,
                    ][self.rng.range(0, 3) as usize];
                    let talk = if outcome == CallOutcome::Connected {
                        self.rng.range(120, 900) as u32
                    } else {
                        0
                    };
                    let wait = self.rng.range(5, 300) as u32;
                    let hold = if talk > 0 {
                        self.rng.range(0, 120) as u32
                    } else {
                        0
                    };
                    self.push_activity_full(
                        contact,
                        opened_at,
                        ActivityKind::Call {
                            direction: CallDirection::Inbound,
                            outcome,
                            wait_seconds: wait,
                            talk_seconds: talk,
                            hold_seconds: hold,
                            wrap_up_seconds: if talk > 0 { 45 } else { 0 },
                            callback: false,
                        },
                        None,
                        None,
                        Some(agents[k % 2].clone()),
                    )?;
                    if outcome != CallOutcome::Connected {
                        self.push_activity_full(
                            contact,
                            opened_at + Duration::minutes(40),
                            ActivityKind::Call {
                                direction: CallDirection::Outbound,
                                outcome: CallOutcome::Connected,
                                wait_seconds: 0,
                                talk_seconds: 300,
                                hold_seconds: 0,
                                wrap_up_seconds: 60,
                                callback: true,
                            },
                            None,
                            None,
                            Some(agents[k % 2].clone()),
                        )?;
                    }
                }
            }
        }
        let open_deals: Vec<(DealId, ContactId, Option<RepId>, Timestamp)> = self
            .parts
            .deals
            .iter()
            .filter(|d| d.is_open())
            .map(|d| {
                (
                    d.id.clone(),
                    d.contact.clone(),
                    d.owner.clone(),
                    d.created_at,
                )
            })
            .collect();
        for (deal, contact, owner, created_at) in open_deals {
            let Some(assignee) = owner else { continue };
            let n = self.parts.tasks.len() + 1;
            let due = created_at + Duration::days(self.rng.range(1, 14));
            let done = self
                .rng
                .chance(0.6)
                .then(|| due - Duration::hours(2))
                .filter(|d| *d >= created_at && *d < self.end);
            self.parts.tasks.push(Task {
                id: id(format!("K-{n:04}"))?,
                title: "follow up on deal".to_string(),
                kind: TaskKind::Call,
                assignee,
                contact: Some(contact),
                deal: Some(deal),
                created_at,
                due,
                done_at: done,
            });
        }
        Ok(())
    }
}
