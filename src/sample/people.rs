//! The contacts: their lifecycle stage and its history, demographics and
//! attributes, and their marketing engagement; each contact's deals are
//! drawn as it is made (module `deals`).

use std::collections::BTreeSet;

use chrono::Duration;

use super::{EDUCATION, Generator, OCCUPATIONS, TERRITORIES, URLS, currency, id};
use crate::Result;
use crate::model::*;

impl Generator<'_> {
    pub(super) fn people(&mut self) -> Result<()> {
        let currencies = [currency("USD")?, currency("EUR")?, currency("GBP")?];
        let lifecycle_mix = [
            (LifecycleStage::Subscriber, 15),
            (LifecycleStage::Lead, 20),
            (LifecycleStage::Mql, 13),
            (LifecycleStage::Sql, 10),
            (LifecycleStage::Opportunity, 17),
            (LifecycleStage::Customer, 20),
            (LifecycleStage::Evangelist, 3),
            (LifecycleStage::Disqualified, 2),
        ];
        for k in 0..self.config.contacts {
            let roll = self.rng.range(0, 99);
            let mut acc = 0;
            let mut stage = LifecycleStage::Lead;
            for (s, weight) in lifecycle_mix {
                acc += weight;
                if roll < acc {
                    stage = s;
                    break;
                }
            }
            let contact_id: ContactId = id(format!("C-{:04}", k + 1))?;
            let created_at = self.time_between(
                self.start,
                self.start + Duration::days(self.config.days / 2),
            );
            let history = self.lifecycle_history(stage, created_at);
            let rep = self.rng.pick(&self.parts.reps[..4]).map(|r| r.id.clone());
            let company = if self.config.companies > 0 && self.rng.chance(0.8) {
                Some(id(format!(
                    "CO-{:03}",
                    self.rng.range(1, self.config.companies as i64)
                ))?)
            } else {
                None
            };
            let home = currencies[if self.rng.chance(0.8) { 0 } else { 1 + (k % 2) }];
            let campaign_index = self.rng.range(1, 7);
            let source_campaign = if campaign_index <= 6 {
                Some(id(format!("CMP-{campaign_index}"))?)
            } else {
                None
            };
            let mut demographics = Demographics {
                age: Some(self.rng.range(22, 67) as u8),
                occupation: self.rng.pick(&OCCUPATIONS).map(|s| s.to_string()),
                income: Some(self.money(30_000, 180_000, home).round_dp(0)),
                education: self.rng.pick(&EDUCATION).map(|s| s.to_string()),
                ..Demographics::default()
            };
            if self.rng.chance(0.3) {
                demographics.gender = Some(["female", "male", "non-binary"][k % 3].to_string());
                demographics.marital_status = Some(["single", "married"][k % 2].to_string());
            }
            let mut tags = BTreeSet::new();
            if self.rng.chance(0.25) {
                tags.insert("newsletter".to_string());
            }
            let mut attributes = std::collections::BTreeMap::new();
            attributes.insert(
                "plan_interest".to_string(),
                AttributeValue::Text(["starter", "pro", "enterprise"][k % 3].to_string()),
            );
            let contact = Contact {
                id: contact_id.clone(),
                name: format!("Contact {:04}", k + 1),
                email: Some(format!("contact{:04}@example.com", k + 1)),
                phone: None,
                job_title: demographics.occupation.clone(),
                company,
                owner: rep.clone(),
                source_campaign: source_campaign.clone(),
                country: Some(["US", "DE", "GB", "BR", "PT", "CN"][k % 6].to_string()),
                territory: self.rng.pick(&TERRITORIES).map(|s| s.to_string()),
                created_at,
                lifecycle: Lifecycle { stage, history },
                demographics,
                tags,
                attributes,
            };
            self.engagement(&contact, source_campaign.as_ref())?;
            self.deals(&contact, home, rep.as_ref())?;
            self.parts.contacts.push(contact);
        }
        Ok(())
    }

    fn lifecycle_history(
        &mut self,
        stage: LifecycleStage,
        created_at: Timestamp,
    ) -> Vec<LifecycleTransition> {
        let funnel = [
            LifecycleStage::Subscriber,
            LifecycleStage::Lead,
            LifecycleStage::Mql,
            LifecycleStage::Sql,
            LifecycleStage::Opportunity,
            LifecycleStage::Customer,
            LifecycleStage::Evangelist,
        ];
        let target = if stage == LifecycleStage::Disqualified {
            LifecycleStage::Lead
        } else {
            stage
        };
        let mut history = Vec::new();
        let mut at = created_at;
        for pair in funnel.windows(2) {
            if pair[0] >= target {
                break;
            }
            at = (at + Duration::hours(self.rng.range(6, 24 * 10)))
                .min(self.end - Duration::hours(1));
            history.push(LifecycleTransition {
                from: pair[0],
                to: pair[1],
                at,
            });
        }
        if stage == LifecycleStage::Disqualified {
            history.push(LifecycleTransition {
                from: LifecycleStage::Lead,
                to: LifecycleStage::Disqualified,
                at: at + Duration::days(3),
            });
        }
        history
    }

    fn engagement(&mut self, contact: &Contact, campaign: Option<&CampaignId>) -> Result<()> {
        let n = self
            .rng
            .range(0, 2 * self.config.activities_per_contact as i64);
        for _ in 0..n {
            let at = self.time_between(contact.created_at, self.end);
            let kind = match self.rng.range(0, 9) {
                0..=3 => ActivityKind::WebsiteVisit {
                    url: self.rng.pick(&URLS).copied().unwrap_or("/").to_string(),
                    duration_seconds: self.rng.range(5, 600) as u32,
                    goal_completed: self.rng.chance(0.08),
                },
                4 => ActivityKind::FormSubmission {
                    form: ["contact-us", "demo-request", "newsletter"]
                        [self.rng.range(0, 2) as usize]
                        .to_string(),
                },
                5 => ActivityKind::ContentDownload {
                    content: ["crm-strategy-ebook", "pricing-sheet", "roi-calculator"]
                        [self.rng.range(0, 2) as usize]
                        .to_string(),
                },
                _ => {
                    let event = match self.rng.range(0, 19) {
                        0..=8 => EmailEvent::Opened,
                        9..=13 => EmailEvent::Clicked,
                        14..=15 => EmailEvent::Replied,
                        16..=17 => EmailEvent::Bounced,
                        _ => EmailEvent::Unsubscribed,
                    };
                    ActivityKind::Email {
                        event,
                        subject: Some("monthly newsletter".to_string()),
                    }
                }
            };
            let attributed = if self.rng.chance(0.4) {
                campaign.cloned()
            } else {
                None
            };
            self.push_activity_full(&contact.id, at, kind, None, attributed, None)?;
        }
        Ok(())
    }
}
