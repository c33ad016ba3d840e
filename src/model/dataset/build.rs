//! Building a [`Dataset`]: the indexes, and every rule of the model with
//! each family of records visited once. The activities (the largest family
//! by far: a shop has millions of purchases) are checked in a single pass
//! that also resolves each one's contact once, for the rules and for the
//! grouping by contact.

use std::collections::HashSet;

use super::super::id_index::Probe;
use super::super::record_rules::{
    References, check_known, check_non_negative, unknown_activity_contact,
    validate_activity_details, validate_campaign, validate_deal, validate_spend, validate_ticket,
};
use super::super::time_range;
use super::{Dataset, DatasetParts, Grouping, IdIndex};
use crate::{Error, Result};

/// Contact positions the caller already knows for `activities[start..]`
/// (the column door builds those activities from contact positions).
pub(super) struct KnownContacts {
    pub(super) start: usize,
    pub(super) positions: Vec<u32>,
}

impl KnownContacts {
    fn position(&self, activity: usize) -> Option<u32> {
        let offset = activity.checked_sub(self.start)?;
        self.positions.get(offset).copied()
    }
}

/// The index of `items` by id; a duplicate id is an error naming both
/// records.
fn index_of<T>(section: &str, items: &[T], key: fn(&T) -> &[u8]) -> Result<IdIndex> {
    let mut index = IdIndex::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let id = key(item);
        let id_at = |p: u32| items.get(p as usize).map_or(&[][..], key);
        if let Some(first) = index.insert(id, i as u32, id_at) {
            return Err(Error::invalid(
                format!("{section}[{i}].id"),
                format!(
                    "duplicate id \"{}\" (first used by {section}[{first}])",
                    String::from_utf8_lossy(id)
                ),
            ));
        }
    }
    Ok(index)
}

/// Validates `parts` and builds the dataset.
pub(super) fn build(parts: DatasetParts, known: Option<KnownContacts>) -> Result<Dataset> {
    let limit = u32::MAX as usize;
    for (section, len) in [
        ("contacts", parts.contacts.len()),
        ("activities", parts.activities.len()),
        ("deals", parts.deals.len()),
    ] {
        if len >= limit {
            return Err(Error::invalid(
                section,
                format!("{len} records is more than a dataset can index"),
            ));
        }
    }
    time_range::check_parts(&parts)?;
    let mut dataset = Dataset {
        contact_index: index_of("contacts", &parts.contacts, |c| c.id.as_bytes())?,
        company_index: index_of("companies", &parts.companies, |c| c.id.as_bytes())?,
        pipeline_index: index_of("pipelines", &parts.pipelines, |p| p.id.as_bytes())?,
        deal_index: index_of("deals", &parts.deals, |d| d.id.as_bytes())?,
        campaign_index: index_of("campaigns", &parts.campaigns, |c| c.id.as_bytes())?,
        ticket_index: index_of("tickets", &parts.tickets, |t| t.id.as_bytes())?,
        task_index: index_of("tasks", &parts.tasks, |t| t.id.as_bytes())?,
        rep_index: index_of("reps", &parts.reps, |r| r.id.as_bytes())?,
        team_index: index_of("teams", &parts.teams, |t| t.id.as_bytes())?,
        activities_by_contact: Grouping::default(),
        deals_by_contact: Grouping::default(),
        deals_by_pipeline: Grouping::default(),
        tickets_by_contact: Grouping::default(),
        contacts_by_company: Grouping::default(),
        parts,
    };
    dataset.validate_people()?;
    dataset.validate_pipelines()?;
    dataset.validate_deals()?;
    let activity_contacts = dataset.validate_activities(known.as_ref())?;
    drop(known);
    dataset.validate_operations()?;
    dataset.build_groupings(activity_contacts);
    Ok(dataset)
}

impl Dataset {
    fn validate_people(&self) -> Result<()> {
        let parts = &self.parts;
        for (i, rep) in parts.reps.iter().enumerate() {
            check_known(
                |id| self.team(id).is_some(),
                rep.team.as_ref(),
                || format!("reps[{i}].team"),
                "team",
            )?;
        }
        for (i, company) in parts.companies.iter().enumerate() {
            check_known(
                |id| References::rep(self, id),
                company.owner.as_ref(),
                || format!("companies[{i}].owner"),
                "rep",
            )?;
            if let Some(revenue) = &company.annual_revenue {
                check_non_negative(
                    revenue,
                    || format!("companies[{i}].annual_revenue"),
                    "annual revenue",
                )?;
            }
        }
        for (i, contact) in parts.contacts.iter().enumerate() {
            let at = |field: &str| format!("contacts[{i}].{field}");
            check_known(
                |id| References::company(self, id),
                contact.company.as_ref(),
                || at("company"),
                "company",
            )?;
            check_known(
                |id| References::rep(self, id),
                contact.owner.as_ref(),
                || at("owner"),
                "rep",
            )?;
            check_known(
                |id| References::campaign(self, id),
                contact.source_campaign.as_ref(),
                || at("source_campaign"),
                "campaign",
            )?;
            if let Some(income) = &contact.demographics.income {
                check_non_negative(income, || at("demographics.income"), "income")?;
            }
            let history = &contact.lifecycle.history;
            for (k, transition) in history.iter().enumerate() {
                let path = || at(&format!("lifecycle.history[{k}]"));
                if transition.from == transition.to {
                    return Err(Error::invalid(
                        path(),
                        format!("transition from {} to itself", transition.from),
                    ));
                }
                if let Some(previous) = k.checked_sub(1).and_then(|p| history.get(p)) {
                    if transition.at < previous.at {
                        return Err(Error::invalid(
                            path(),
                            "lifecycle transitions are not in time order",
                        ));
                    }
                    if transition.from != previous.to {
                        return Err(Error::invalid(
                            path(),
                            format!(
                                "transition starts at {} but the previous one ended at {}",
                                transition.from, previous.to
                            ),
                        ));
                    }
                }
            }
            if let Some(last) = history.last() {
                if last.to != contact.lifecycle.stage {
                    return Err(Error::invalid(
                        at("lifecycle.stage"),
                        format!(
                            "stage is {} but the history ends at {}",
                            contact.lifecycle.stage, last.to
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn validate_pipelines(&self) -> Result<()> {
        for (i, pipeline) in self.parts.pipelines.iter().enumerate() {
            if pipeline.stages.is_empty() {
                return Err(Error::invalid(
                    format!("pipelines[{i}].stages"),
                    format!("pipeline \"{}\" has no stages", pipeline.id),
                ));
            }
            let mut seen = HashSet::with_capacity(pipeline.stages.len());
            for (k, stage) in pipeline.stages.iter().enumerate() {
                if !seen.insert(&stage.id) {
                    return Err(Error::invalid(
                        format!("pipelines[{i}].stages[{k}].id"),
                        format!(
                            "duplicate stage id \"{}\" in pipeline \"{}\"",
                            stage.id, pipeline.id
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn validate_deals(&self) -> Result<()> {
        for (i, deal) in self.parts.deals.iter().enumerate() {
            validate_deal(self, &|field: &str| format!("deals[{i}].{field}"), deal)?;
        }
        Ok(())
    }

    /// Every rule of every activity in one pass (time range, unique id,
    /// references, amounts); returns each activity's contact position.
    ///
    /// The two index lookups of an activity (its own id, its contact's)
    /// land at random places of tables far larger than the caches, so the
    /// pass goes by blocks: first every id of the block is hashed, then the
    /// first slots of all of them are loaded, then the contact records those
    /// slots name (short loops of independent loads, so that the cache
    /// misses of the block overlap); then each activity is checked, in
    /// order, from warm caches.
    fn validate_activities(&self, known: Option<&KnownContacts>) -> Result<Vec<u32>> {
        const BLOCK: usize = 32;
        const NONE: u32 = u32::MAX;
        let activities = &self.parts.activities;
        let contacts = &self.parts.contacts;
        let mut ids = IdIndex::with_capacity(activities.len());
        let id_at = |p: u32| {
            activities
                .get(p as usize)
                .map_or(&[][..], |a| a.id.as_bytes())
        };
        let contact_at = |p: u32| {
            contacts
                .get(p as usize)
                .map_or(&[][..], |c| c.id.as_bytes())
        };
        let mut positions = Vec::with_capacity(activities.len());
        let mut own = [Probe::default(); BLOCK];
        let mut theirs = [None::<Probe>; BLOCK];
        let mut first = [NONE; BLOCK];
        for (b, block) in activities.chunks(BLOCK).enumerate() {
            let base = b * BLOCK;
            for (k, activity) in block.iter().enumerate() {
                own[k] = ids.probe(activity.id.as_bytes());
                theirs[k] = if known.and_then(|c| c.position(base + k)).is_some() {
                    None
                } else {
                    Some(self.contact_index.probe(activity.contact.as_bytes()))
                };
            }
            let mut touched = 0u32;
            for k in 0..block.len() {
                touched ^= ids.first(own[k]);
                first[k] = theirs[k].map_or(NONE, |p| self.contact_index.first(p));
            }
            // Load the contact records the first slots name (the id is
            // compared with the record's on lookup).
            for &position in first.iter().take(block.len()) {
                touched ^= contact_at(position).len() as u32;
            }
            std::hint::black_box(touched);
            for (k, activity) in block.iter().enumerate() {
                let i = base + k;
                let at = |field: &str| format!("activities[{i}].{field}");
                time_range::check_activity_at(activity.at, i)?;
                if ids
                    .insert_probed(own[k], activity.id.as_bytes(), i as u32, id_at)
                    .is_some()
                {
                    return Err(Error::invalid(
                        at("id"),
                        format!("duplicate id \"{}\"", activity.id),
                    ));
                }
                let position = match (known.and_then(|c| c.position(i)), theirs[k]) {
                    (Some(position), _) => Some(position),
                    (None, Some(probe)) => self.contact_index.get_probed(
                        probe,
                        activity.contact.as_bytes(),
                        contact_at,
                    ),
                    (None, None) => self.contact_slot(&activity.contact),
                };
                let position = position.ok_or_else(|| unknown_activity_contact(&at, activity))?;
                validate_activity_details(self, &at, activity)?;
                positions.push(position);
            }
        }
        Ok(positions)
    }

    fn validate_operations(&self) -> Result<()> {
        let parts = &self.parts;
        for (i, campaign) in parts.campaigns.iter().enumerate() {
            validate_campaign(&|field: &str| format!("campaigns[{i}].{field}"), campaign)?;
        }
        for (i, ticket) in parts.tickets.iter().enumerate() {
            validate_ticket(self, &|field: &str| format!("tickets[{i}].{field}"), ticket)?;
        }
        for (i, task) in parts.tasks.iter().enumerate() {
            let at = |field: &str| format!("tasks[{i}].{field}");
            check_known(
                |id| References::rep(self, id),
                Some(&task.assignee),
                || at("assignee"),
                "rep",
            )?;
            check_known(
                |id| References::contact(self, id),
                task.contact.as_ref(),
                || at("contact"),
                "contact",
            )?;
            check_known(
                |id| References::deal(self, id),
                task.deal.as_ref(),
                || at("deal"),
                "deal",
            )?;
            if let Some(done) = task.done_at {
                if done < task.created_at {
                    return Err(Error::invalid(
                        at("done_at"),
                        format!("task \"{}\" was done before it was created", task.id),
                    ));
                }
            }
        }
        for (i, entry) in parts.spend.iter().enumerate() {
            validate_spend(self, &|field: &str| format!("spend[{i}].{field}"), entry)?;
        }
        Ok(())
    }

    fn build_groupings(&mut self, activity_contacts: Vec<u32>) {
        let parts = &self.parts;
        let contacts = parts.contacts.len();
        // Activities of a contact in time order (input order for equal
        // times); the times travel with the positions, so that sorting a
        // contact's activities reads no activity record.
        let by_contact = Grouping::build_by_key(contacts, &activity_contacts, |i| {
            parts.activities.get(i).map(|a| a.at).unwrap_or_default()
        });
        drop(activity_contacts);
        let deals_by_contact = Grouping::build(
            contacts,
            parts.deals.iter().map(|d| self.contact_slot(&d.contact)),
        );
        let tickets_by_contact = Grouping::build(
            contacts,
            parts.tickets.iter().map(|t| self.contact_slot(&t.contact)),
        );
        let deals_by_pipeline = Grouping::build(
            parts.pipelines.len(),
            parts.deals.iter().map(|d| self.pipeline_slot(&d.pipeline)),
        );
        let contacts_by_company = Grouping::build(
            parts.companies.len(),
            parts
                .contacts
                .iter()
                .map(|c| c.company.as_ref().and_then(|id| self.company_slot(id))),
        );
        self.activities_by_contact = by_contact;
        self.deals_by_contact = deals_by_contact;
        self.tickets_by_contact = tickets_by_contact;
        self.deals_by_pipeline = deals_by_pipeline;
        self.contacts_by_company = contacts_by_company;
    }
}
