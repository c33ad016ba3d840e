//! Records given to an engine outside its dataset (a [`Partition`]) follow
//! the rules a [`Dataset`] enforces, checked by the same functions and with
//! the same messages; paths name the part (`partition.activities[3].kind.amount`).

use std::collections::HashMap;

use super::engine::Partition;
use crate::model::record_rules::{
    References, check_known, validate_activity, validate_campaign, validate_deal, validate_spend,
    validate_ticket,
};
use crate::model::{
    CampaignId, CompanyId, ContactId, Dataset, Deal, DealId, DealStatus, Pipeline, PipelineId,
    RepId, TeamId,
};
use crate::{Error, Result};

/// References of a part: the engine's dataset, plus the part's own deals.
struct PartRefs<'a> {
    dataset: &'a Dataset,
    deals: &'a HashMap<&'a DealId, &'a Deal>,
}

impl References for PartRefs<'_> {
    fn contact(&self, id: &ContactId) -> bool {
        self.dataset.contact_position(id).is_some()
    }
    fn company(&self, id: &CompanyId) -> bool {
        self.dataset.company(id).is_some()
    }
    fn rep(&self, id: &RepId) -> bool {
        self.dataset.rep(id).is_some()
    }
    fn team(&self, id: &TeamId) -> bool {
        self.dataset.team(id).is_some()
    }
    fn campaign(&self, id: &CampaignId) -> bool {
        self.dataset.campaign(id).is_some()
    }
    fn deal(&self, id: &DealId) -> bool {
        self.deals.contains_key(id) || self.dataset.deal(id).is_some()
    }
    fn pipeline(&self, id: &PipelineId) -> Option<&Pipeline> {
        self.dataset.pipeline(id)
    }
}

/// The part's deals by id, checked for duplicates.
pub(crate) struct PartDeals<'a> {
    deals: HashMap<&'a DealId, &'a Deal>,
}

impl PartDeals<'_> {
    /// Whether `id` is a won deal of the part.
    pub fn is_won(&self, id: &DealId) -> bool {
        self.deals
            .get(id)
            .is_some_and(|d| d.status == DealStatus::Won)
    }
}

/// Refuses a second record with the same id in one list of the part.
fn unique<'a, T, K: std::hash::Hash + Eq + std::fmt::Display + 'a>(
    section: &str,
    items: &'a [T],
    key: impl Fn(&'a T) -> &'a K,
) -> Result<()> {
    let mut seen: HashMap<&K, usize> = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let id = key(item);
        if let Some(first) = seen.insert(id, i) {
            return Err(Error::invalid(
                format!("partition.{section}[{i}].id"),
                format!("duplicate id \"{id}\" (first used by partition.{section}[{first}])"),
            ));
        }
    }
    Ok(())
}

/// Checks every record of `part` against the rules of a dataset, with
/// references resolved in `dataset` (and, for deals, in the part itself).
/// Duplicates are refused within one part; parts merged later must not
/// share records (the merge cannot see ids).
pub(crate) fn validate_partition<'a>(
    dataset: &Dataset,
    part: &Partition<'a>,
) -> Result<PartDeals<'a>> {
    unique("contacts", part.contacts, |c| &c.id)?;
    unique("activities", part.activities, |a| &a.id)?;
    unique("tickets", part.tickets, |t| &t.id)?;
    unique("campaigns", part.campaigns, |c| &c.id)?;
    unique("spend", part.spend, |s| &s.id)?;
    let mut deals = HashMap::with_capacity(part.deals.len());
    for (i, deal) in part.deals.iter().enumerate() {
        if deals.insert(&deal.id, deal).is_some() {
            let first = part.deals.iter().position(|d| d.id == deal.id).unwrap_or(0);
            return Err(Error::invalid(
                format!("partition.deals[{i}].id"),
                format!(
                    "duplicate id \"{}\" (first used by partition.deals[{first}])",
                    deal.id
                ),
            ));
        }
    }
    let refs = PartRefs {
        dataset,
        deals: &deals,
    };
    for (i, contact) in part.contacts.iter().enumerate() {
        check_known(
            |id| refs.contact(id),
            Some(&contact.id),
            || format!("partition.contacts[{i}].id"),
            "contact (not in the engine's dataset)",
        )?;
    }
    for (i, deal) in part.deals.iter().enumerate() {
        validate_deal(&refs, &|f: &str| format!("partition.deals[{i}].{f}"), deal)?;
    }
    for (i, activity) in part.activities.iter().enumerate() {
        validate_activity(
            &refs,
            &|f: &str| format!("partition.activities[{i}].{f}"),
            activity,
        )?;
    }
    for (i, ticket) in part.tickets.iter().enumerate() {
        validate_ticket(
            &refs,
            &|f: &str| format!("partition.tickets[{i}].{f}"),
            ticket,
        )?;
    }
    for (i, campaign) in part.campaigns.iter().enumerate() {
        validate_campaign(&|f: &str| format!("partition.campaigns[{i}].{f}"), campaign)?;
    }
    for (i, entry) in part.spend.iter().enumerate() {
        validate_spend(&refs, &|f: &str| format!("partition.spend[{i}].{f}"), entry)?;
    }
    Ok(PartDeals { deals })
}
