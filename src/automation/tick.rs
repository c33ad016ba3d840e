//! Time-based triggers: `tick(as_of)` derives `date_reached`, `deal_stuck`
//! and `lead_stuck` events from the snapshot and evaluates them.
//!
//! Each derived event has a stable id and time (the moment it came due, not
//! `as_of`), so ticking again and again with the enrollment state acts only
//! once per occurrence.

use chrono::{NaiveDate, TimeDelta};

use super::engine::{EnrollmentState, Evaluation, days_after};
use super::ruleset::RuleSet;
use super::trigger::{Event, EventType, StuckEntity, Trigger};
use crate::Result;
use crate::calendar::add_months;
use crate::model::{Dataset, FieldPath, FieldValue, Timestamp};

fn midnight(date: NaiveDate) -> Timestamp {
    date.and_time(chrono::NaiveTime::MIN).and_utc()
}

fn years_later(date: NaiveDate, years: u32) -> Option<NaiveDate> {
    let months = i32::try_from(years).ok()?.checked_mul(12)?;
    add_months(date, months).ok()
}

/// The occurrences of a date trigger for a base date, up to `today`.
fn occurrences(trigger: &Trigger, base: NaiveDate, today: NaiveDate) -> Vec<NaiveDate> {
    let Trigger::Date {
        anniversary,
        milestone_years,
        offset_days,
        ..
    } = trigger
    else {
        return Vec::new();
    };
    if *anniversary {
        // The latest anniversary on or before today.
        let mut years = today.years_since(base).unwrap_or(0);
        while years > 0 {
            if let Some(d) = years_later(base, years)
                && d <= today
            {
                return vec![d];
            }
            years -= 1;
        }
        Vec::new()
    } else if !milestone_years.is_empty() {
        milestone_years
            .iter()
            .filter_map(|y| years_later(base, *y))
            .filter(|d| *d <= today)
            .collect()
    } else {
        offset_days
            .and_then(|n| base.checked_add_signed(TimeDelta::days(i64::from(n))))
            .filter(|d| *d <= today)
            .into_iter()
            .collect()
    }
}

impl RuleSet {
    /// The time-based events due at `as_of`, sorted by time and id.
    pub fn due_events(&self, snapshot: &Dataset, as_of: Timestamp) -> Vec<Event> {
        let today = as_of.date_naive();
        let mut events = Vec::new();
        let mut date_triggers: Vec<&Trigger> = Vec::new();
        let mut deal_days: Vec<u32> = Vec::new();
        let mut lead_days: Vec<u32> = Vec::new();
        for rule in &self.rules {
            match &rule.trigger {
                t @ Trigger::Date { .. } if !date_triggers.contains(&t) => {
                    date_triggers.push(t);
                }
                Trigger::Stuck { entity, days, .. } => {
                    let list = match entity {
                        StuckEntity::Deal => &mut deal_days,
                        StuckEntity::Lead => &mut lead_days,
                    };
                    if !list.contains(days) {
                        list.push(*days);
                    }
                }
                _ => {}
            }
        }
        for trigger in date_triggers {
            let Trigger::Date {
                field,
                catch_up_days,
                ..
            } = trigger
            else {
                continue;
            };
            let Ok(path) = FieldPath::parse(field) else {
                continue;
            };
            let schedule = trigger.schedule_key().unwrap_or_default();
            for contact in snapshot.contacts() {
                let base = match path.resolve(contact, snapshot.company_of(contact)) {
                    Some(FieldValue::Date(d)) => d,
                    Some(FieldValue::Timestamp(t)) => t.date_naive(),
                    _ => continue,
                };
                for day in occurrences(trigger, base, today) {
                    let late = (today - day).num_days();
                    if late < 0 || late >= i64::from((*catch_up_days).max(1)) {
                        continue;
                    }
                    let mut e = Event::new(
                        format!("date/{field}/{schedule}/{}/{day}", contact.id),
                        EventType::DateReached,
                        midnight(day),
                    );
                    e.contact = Some(contact.id.clone());
                    e.field = Some(field.clone());
                    e.schedule = Some(schedule.clone());
                    events.push(e);
                }
            }
        }
        for deal in snapshot.deals().iter().filter(|d| d.is_open()) {
            let entered = deal
                .stage_history
                .last()
                .filter(|v| v.stage == deal.stage)
                .map_or(deal.created_at, |v| v.entered_at);
            for n in &deal_days {
                let due = days_after(entered, *n);
                if due > as_of {
                    continue;
                }
                let mut e = Event::new(
                    format!(
                        "stuck/deal/{}/{}/{}/{n}",
                        deal.id,
                        deal.stage,
                        entered.timestamp()
                    ),
                    EventType::DealStuck,
                    due,
                );
                e.deal = Some(deal.id.clone());
                e.contact = Some(deal.contact.clone());
                e.to = Some(deal.stage.to_string());
                e.days = Some(*n);
                events.push(e);
            }
        }
        for contact in snapshot.contacts() {
            let stage = contact.lifecycle.stage;
            if !(stage.is_lead() || stage == crate::model::LifecycleStage::Subscriber) {
                continue;
            }
            let entered = contact
                .lifecycle
                .history
                .last()
                .filter(|t| t.to == stage)
                .map_or(contact.created_at, |t| t.at);
            for n in &lead_days {
                let due = days_after(entered, *n);
                if due > as_of {
                    continue;
                }
                let mut e = Event::new(
                    format!(
                        "stuck/lead/{}/{}/{}/{n}",
                        contact.id,
                        stage,
                        entered.timestamp()
                    ),
                    EventType::LeadStuck,
                    due,
                );
                e.contact = Some(contact.id.clone());
                e.to = Some(stage.as_str().to_string());
                e.days = Some(*n);
                events.push(e);
            }
        }
        events.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        events
    }

    /// Evaluates the date-based and "stuck" triggers over the snapshot at
    /// `as_of`: every due event in time order, with the state threaded
    /// through, so that ticking again fires nothing new.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for an `as_of` outside
    /// the supported time range or an event the rule set cannot evaluate;
    /// [`ErrorKind::CurrencyMismatch`](crate::ErrorKind::CurrencyMismatch) for
    /// a money condition across currencies without rates. On error nothing is
    /// returned and `state` is unchanged.
    pub fn tick(
        &self,
        snapshot: &Dataset,
        state: &EnrollmentState,
        as_of: Timestamp,
    ) -> Result<Evaluation> {
        let mut state = state.clone();
        let mut actions = Vec::new();
        let mut matches = Vec::new();
        for event in self.due_events(snapshot, as_of) {
            let (a, m) = self.apply(&event, snapshot, &mut state, as_of)?;
            actions.extend(a);
            matches.extend(m);
        }
        Ok(Evaluation {
            actions,
            matches,
            state,
        })
    }
}
