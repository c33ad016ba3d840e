//! The validated snapshot every engine reads: [`Dataset`].
//!
//! A [`DatasetParts`] is the plain, serialisable collection of records. Turning
//! it into a [`Dataset`] (with [`Dataset::new`] or [`Dataset::from_json`])
//! checks every rule of the model — unique ids, references that resolve,
//! closed deals with a close date not before their creation, non-negative
//! money, stages that belong to their pipeline, histories in time order — and
//! builds the indexes the engines use (record by id, activities of a contact
//! in time order, deals of a pipeline) without copying records.
//!
//! ```
//! use crmkit::model::Dataset;
//!
//! let ds = Dataset::from_json(r#"{
//!   "pipelines": [{"id": "sales", "name": "Sales", "stages": [
//!       {"id": "new", "name": "New", "probability": 10},
//!       {"id": "won", "name": "Won", "probability": 100, "kind": "won"}]}],
//!   "contacts": [{"id": "C-1", "name": "Ada", "created_at": "2024-01-01T00:00:00Z"}],
//!   "deals": [{"id": "D-1", "contact": "C-1", "pipeline": "sales", "stage": "new",
//!              "value": {"amount": "500", "currency": "USD"},
//!              "created_at": "2024-01-02T00:00:00Z"}]
//! }"#)?;
//! assert_eq!(ds.counts().deals, 1);
//! assert_eq!(ds.deals_of_contact(&"C-1".parse()?).count(), 1);
//!
//! // A reference to a missing record is an error naming the record and field.
//! let err = Dataset::from_json(r#"{"deals": [{"id": "D-1", "contact": "C-9",
//!     "pipeline": "p", "stage": "s", "value": {"amount": "1", "currency": "USD"},
//!     "created_at": "2024-01-02T00:00:00Z"}]}"#).unwrap_err();
//! assert_eq!(err.path(), Some("deals[0].contact"));
//! Ok::<(), crmkit::Error>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use serde::{Deserialize, Serialize};

use super::activity::Activity;
use super::campaign::{Campaign, SpendEntry};
use super::contact::{Company, Contact};
use super::deal::{Deal, Pipeline};
use super::ids::*;
use super::record_rules::{
    References, check_non_negative, validate_activity, validate_campaign, validate_deal,
    validate_spend, validate_ticket,
};
use super::team::{SalesRep, Task, Team};
use super::ticket::Ticket;
use crate::calendar::FiscalCalendar;
use crate::money::{Currency, ExchangeRates};
use crate::{Error, ErrorKind, Result};

/// All records of a CRM, as plain data. Every list may be absent in JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatasetParts {
    /// The currency reports are expressed in, if the host sets one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporting_currency: Option<Currency>,
    /// Exchange rates for reports across currencies, if supplied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange_rates: Option<ExchangeRates>,
    /// The fiscal calendar (first month of the fiscal year).
    pub fiscal_calendar: FiscalCalendar,
    /// People.
    pub contacts: Vec<Contact>,
    /// Organisations.
    pub companies: Vec<Company>,
    /// Sales processes.
    pub pipelines: Vec<Pipeline>,
    /// Deals.
    pub deals: Vec<Deal>,
    /// Activities, in any order.
    pub activities: Vec<Activity>,
    /// Campaigns.
    pub campaigns: Vec<Campaign>,
    /// Support tickets.
    pub tickets: Vec<Ticket>,
    /// Tasks.
    pub tasks: Vec<Task>,
    /// Sales reps and agents.
    pub reps: Vec<SalesRep>,
    /// Teams.
    pub teams: Vec<Team>,
    /// Marketing and sales spend.
    pub spend: Vec<SpendEntry>,
}

/// How many records of each kind a dataset holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityCounts {
    /// Contacts.
    pub contacts: usize,
    /// Companies.
    pub companies: usize,
    /// Pipelines.
    pub pipelines: usize,
    /// Deals.
    pub deals: usize,
    /// Activities.
    pub activities: usize,
    /// Campaigns.
    pub campaigns: usize,
    /// Tickets.
    pub tickets: usize,
    /// Tasks.
    pub tasks: usize,
    /// Reps.
    pub reps: usize,
    /// Teams.
    pub teams: usize,
    /// Spend entries.
    pub spend: usize,
}

/// Items grouped by an owner index (compressed rows): the items of owner `i`
/// are `items[offsets[i]..offsets[i + 1]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Grouping {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Grouping {
    /// Groups `0..owner_of.len()` by the owner each maps to; items keep their
    /// relative order within a group.
    fn build(owners: usize, owner_of: impl Iterator<Item = Option<u32>> + Clone) -> Grouping {
        let mut counts = vec![0u32; owners + 1];
        for owner in owner_of.clone().flatten() {
            counts[owner as usize + 1] += 1;
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let mut next = counts.clone();
        let total = counts.last().copied().unwrap_or(0) as usize;
        let mut items = vec![0u32; total];
        for (item, owner) in owner_of.enumerate() {
            if let Some(owner) = owner {
                let slot = &mut next[owner as usize];
                items[*slot as usize] = item as u32;
                *slot += 1;
            }
        }
        Grouping {
            offsets: counts,
            items,
        }
    }

    fn group(&self, owner: usize) -> &[u32] {
        match (self.offsets.get(owner), self.offsets.get(owner + 1)) {
            (Some(&start), Some(&end)) => {
                self.items.get(start as usize..end as usize).unwrap_or(&[])
            }
            _ => &[],
        }
    }
}

/// A validated, indexed, immutable CRM snapshot.
///
/// `Dataset` is `Send + Sync`; build it once and share it.
///
/// # Example
///
/// Load a dataset from JSON (or build [`DatasetParts`] in Rust and call
/// [`Dataset::new`]); every reference is checked, and the indexes answer
/// "whose deals", "which activities" without scanning:
///
/// ```
/// use crmkit::model::Dataset;
///
/// let ds = Dataset::from_json(r#"{
///   "pipelines": [{"id": "sales", "name": "Sales",
///                  "stages": [{"id": "new", "name": "New", "probability": 10}]}],
///   "contacts": [{"id": "C-1", "name": "Ada", "created_at": "2026-01-05T09:00:00Z"}],
///   "deals": [{"id": "D-1", "name": "Pilot", "contact": "C-1", "pipeline": "sales",
///              "stage": "new", "value": {"amount": "750.00", "currency": "USD"},
///              "created_at": "2026-01-06T09:00:00Z"}]}"#)?;
/// let ada = "C-1".parse()?;
/// assert_eq!(ds.deals_of_contact(&ada).count(), 1);
/// assert_eq!(ds.counts().deals, 1);
///
/// // A deal of a contact that does not exist is refused, with its path.
/// let err = Dataset::from_json(r#"{"contacts": [], "deals": [{"id": "D-1", "name": "x",
///     "contact": "C-9", "pipeline": "sales", "stage": "new",
///     "value": {"amount": "1", "currency": "USD"}, "created_at": "2026-01-06T09:00:00Z"}]}"#)
///     .unwrap_err();
/// assert!(err.path().unwrap_or("").starts_with("deals[0]"), "{err}");
/// Ok::<(), crmkit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    parts: DatasetParts,
    contact_index: HashMap<ContactId, u32>,
    company_index: HashMap<CompanyId, u32>,
    pipeline_index: HashMap<PipelineId, u32>,
    deal_index: HashMap<DealId, u32>,
    campaign_index: HashMap<CampaignId, u32>,
    ticket_index: HashMap<TicketId, u32>,
    task_index: HashMap<TaskId, u32>,
    rep_index: HashMap<RepId, u32>,
    team_index: HashMap<TeamId, u32>,
    activities_by_contact: Grouping,
    deals_by_contact: Grouping,
    deals_by_pipeline: Grouping,
    tickets_by_contact: Grouping,
    contacts_by_company: Grouping,
}

impl Serialize for Dataset {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.parts.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Dataset {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let parts = DatasetParts::deserialize(d)?;
        Dataset::new(parts).map_err(serde::de::Error::custom)
    }
}

fn build_index<T, K: Clone + Hash + Eq + std::fmt::Display>(
    section: &str,
    items: &[T],
    key: impl Fn(&T) -> &K,
) -> Result<HashMap<K, u32>> {
    let mut index = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let id = key(item);
        if let Some(first) = index.insert(id.clone(), i as u32) {
            return Err(Error::invalid(
                format!("{section}[{i}].id"),
                format!("duplicate id \"{id}\" (first used by {section}[{first}])"),
            ));
        }
    }
    Ok(index)
}

/// Checks that an optional reference resolves.
fn check_ref<K: Hash + Eq + std::fmt::Display>(
    index: &HashMap<K, u32>,
    reference: Option<&K>,
    path: impl FnOnce() -> String,
    what: &str,
) -> Result<Option<u32>> {
    match reference {
        None => Ok(None),
        Some(id) => index
            .get(id)
            .copied()
            .map(Some)
            .ok_or_else(|| Error::not_found(path(), format!("unknown {what} \"{id}\""))),
    }
}

/// The references of records being validated, resolved in the indexes
/// being built (the pipelines still in `parts`).
struct IndexRefs<'a> {
    ds: &'a Dataset,
    parts: &'a DatasetParts,
}

impl References for IndexRefs<'_> {
    fn contact(&self, id: &ContactId) -> bool {
        self.ds.contact_index.contains_key(id)
    }
    fn company(&self, id: &CompanyId) -> bool {
        self.ds.company_index.contains_key(id)
    }
    fn rep(&self, id: &RepId) -> bool {
        self.ds.rep_index.contains_key(id)
    }
    fn team(&self, id: &TeamId) -> bool {
        self.ds.team_index.contains_key(id)
    }
    fn campaign(&self, id: &CampaignId) -> bool {
        self.ds.campaign_index.contains_key(id)
    }
    fn deal(&self, id: &DealId) -> bool {
        self.ds.deal_index.contains_key(id)
    }
    fn pipeline(&self, id: &PipelineId) -> Option<&Pipeline> {
        let &position = self.ds.pipeline_index.get(id)?;
        self.parts.pipelines.get(position as usize)
    }
}

/// The references of records resolved in a built dataset (used for records
/// that reach an engine outside the dataset).
impl References for Dataset {
    fn contact(&self, id: &ContactId) -> bool {
        self.contact_index.contains_key(id)
    }
    fn company(&self, id: &CompanyId) -> bool {
        self.company_index.contains_key(id)
    }
    fn rep(&self, id: &RepId) -> bool {
        self.rep_index.contains_key(id)
    }
    fn team(&self, id: &TeamId) -> bool {
        self.team_index.contains_key(id)
    }
    fn campaign(&self, id: &CampaignId) -> bool {
        self.campaign_index.contains_key(id)
    }
    fn deal(&self, id: &DealId) -> bool {
        self.deal_index.contains_key(id)
    }
    fn pipeline(&self, id: &PipelineId) -> Option<&Pipeline> {
        Dataset::pipeline(self, id)
    }
}

impl Dataset {
    /// Validates `parts` and builds the indexes.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for a record that
    /// breaks a rule (naming the record and field, e.g. `deals[3].value`),
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) for a reference to a
    /// record that does not exist,
    /// [`ErrorKind::CurrencyMismatch`](crate::ErrorKind::CurrencyMismatch) for
    /// an amount in a currency without an exchange rate when a reporting
    /// currency is set.
    pub fn new(parts: DatasetParts) -> Result<Dataset> {
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
        super::time_range::check_parts(&parts)?;
        let contact_index = build_index("contacts", &parts.contacts, |c| &c.id)?;
        let company_index = build_index("companies", &parts.companies, |c| &c.id)?;
        let pipeline_index = build_index("pipelines", &parts.pipelines, |p| &p.id)?;
        let deal_index = build_index("deals", &parts.deals, |d| &d.id)?;
        let campaign_index = build_index("campaigns", &parts.campaigns, |c| &c.id)?;
        let ticket_index = build_index("tickets", &parts.tickets, |t| &t.id)?;
        let task_index = build_index("tasks", &parts.tasks, |t| &t.id)?;
        let rep_index = build_index("reps", &parts.reps, |r| &r.id)?;
        let team_index = build_index("teams", &parts.teams, |t| &t.id)?;
        let mut seen_activity_ids = HashSet::with_capacity(parts.activities.len());
        for (i, activity) in parts.activities.iter().enumerate() {
            if !seen_activity_ids.insert(activity.id.as_str()) {
                return Err(Error::invalid(
                    format!("activities[{i}].id"),
                    format!("duplicate id \"{}\"", activity.id),
                ));
            }
        }
        drop(seen_activity_ids);

        let mut dataset = Dataset {
            contact_index,
            company_index,
            pipeline_index,
            deal_index,
            campaign_index,
            ticket_index,
            task_index,
            rep_index,
            team_index,
            activities_by_contact: Grouping::default(),
            deals_by_contact: Grouping::default(),
            deals_by_pipeline: Grouping::default(),
            tickets_by_contact: Grouping::default(),
            contacts_by_company: Grouping::default(),
            parts: DatasetParts::default(),
        };
        dataset.validate_references(&parts)?;
        dataset.parts = parts;
        dataset.build_groupings();
        Ok(dataset)
    }

    /// Parses and validates a dataset from JSON. Errors name the JSON path
    /// (`deals[3].value`) and the rule broken.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) for malformed JSON or a
    /// wrong shape; otherwise the errors of [`Dataset::new`].
    pub fn from_json(json: &str) -> Result<Dataset> {
        // serde would also read a struct from a JSON array; a dataset is an
        // object.
        if !json.trim_start().starts_with('{') {
            return Err(Error::new(
                ErrorKind::Json,
                "a dataset must be a json object",
            ));
        }
        let parts: DatasetParts = Error::parse_json(json)?;
        Dataset::new(parts)
    }

    /// Writes the dataset as JSON (the [`DatasetParts`] form).
    ///
    /// # Errors
    ///
    /// Only if serialisation fails, which the dataset's own types do not cause.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(&self.parts)
            .map_err(|e| Error::new(ErrorKind::Json, format!("cannot write dataset: {e}")))
    }

    fn validate_references(&self, parts: &DatasetParts) -> Result<()> {
        self.validate_people(parts)?;
        self.validate_pipelines(parts)?;
        self.validate_deals(parts)?;
        self.validate_activities(parts)?;
        self.validate_operations(parts)
    }

    fn validate_people(&self, parts: &DatasetParts) -> Result<()> {
        for (i, rep) in parts.reps.iter().enumerate() {
            check_ref(
                &self.team_index,
                rep.team.as_ref(),
                || format!("reps[{i}].team"),
                "team",
            )?;
        }
        for (i, company) in parts.companies.iter().enumerate() {
            check_ref(
                &self.rep_index,
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
            check_ref(
                &self.company_index,
                contact.company.as_ref(),
                || at("company"),
                "company",
            )?;
            check_ref(
                &self.rep_index,
                contact.owner.as_ref(),
                || at("owner"),
                "rep",
            )?;
            check_ref(
                &self.campaign_index,
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

    fn validate_pipelines(&self, parts: &DatasetParts) -> Result<()> {
        for (i, pipeline) in parts.pipelines.iter().enumerate() {
            if pipeline.stages.is_empty() {
                return Err(Error::invalid(
                    format!("pipelines[{i}].stages"),
                    format!("pipeline \"{}\" has no stages", pipeline.id),
                ));
            }
            let mut seen = HashSet::new();
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

    fn validate_deals(&self, parts: &DatasetParts) -> Result<()> {
        let refs = IndexRefs { ds: self, parts };
        for (i, deal) in parts.deals.iter().enumerate() {
            validate_deal(&refs, &|field: &str| format!("deals[{i}].{field}"), deal)?;
        }
        Ok(())
    }

    fn validate_activities(&self, parts: &DatasetParts) -> Result<()> {
        let refs = IndexRefs { ds: self, parts };
        for (i, activity) in parts.activities.iter().enumerate() {
            validate_activity(
                &refs,
                &|field: &str| format!("activities[{i}].{field}"),
                activity,
            )?;
        }
        Ok(())
    }

    fn validate_operations(&self, parts: &DatasetParts) -> Result<()> {
        let refs = IndexRefs { ds: self, parts };
        for (i, campaign) in parts.campaigns.iter().enumerate() {
            validate_campaign(&|field: &str| format!("campaigns[{i}].{field}"), campaign)?;
        }
        for (i, ticket) in parts.tickets.iter().enumerate() {
            validate_ticket(
                &refs,
                &|field: &str| format!("tickets[{i}].{field}"),
                ticket,
            )?;
        }
        for (i, task) in parts.tasks.iter().enumerate() {
            let at = |field: &str| format!("tasks[{i}].{field}");
            check_ref(
                &self.rep_index,
                Some(&task.assignee),
                || at("assignee"),
                "rep",
            )?;
            check_ref(
                &self.contact_index,
                task.contact.as_ref(),
                || at("contact"),
                "contact",
            )?;
            check_ref(&self.deal_index, task.deal.as_ref(), || at("deal"), "deal")?;
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
            validate_spend(&refs, &|field: &str| format!("spend[{i}].{field}"), entry)?;
        }
        Ok(())
    }

    fn build_groupings(&mut self) {
        let parts = &self.parts;
        let contacts = parts.contacts.len();
        let contact_of = |id: &ContactId| self.contact_index.get(id).copied();
        let mut by_contact = Grouping::build(
            contacts,
            parts.activities.iter().map(|a| contact_of(&a.contact)),
        );
        // Activities of a contact in time order (stable for equal times).
        for owner in 0..contacts {
            let (start, end) = (
                by_contact.offsets[owner] as usize,
                by_contact.offsets[owner + 1] as usize,
            );
            if let Some(slice) = by_contact.items.get_mut(start..end) {
                slice.sort_by_key(|&i| parts.activities.get(i as usize).map(|a| a.at));
            }
        }
        self.deals_by_contact =
            Grouping::build(contacts, parts.deals.iter().map(|d| contact_of(&d.contact)));
        self.tickets_by_contact = Grouping::build(
            contacts,
            parts.tickets.iter().map(|t| contact_of(&t.contact)),
        );
        self.deals_by_pipeline = Grouping::build(
            parts.pipelines.len(),
            parts
                .deals
                .iter()
                .map(|d| self.pipeline_index.get(&d.pipeline).copied()),
        );
        self.contacts_by_company = Grouping::build(
            parts.companies.len(),
            parts.contacts.iter().map(|c| {
                c.company
                    .as_ref()
                    .and_then(|id| self.company_index.get(id).copied())
            }),
        );
        std::mem::swap(&mut self.activities_by_contact, &mut by_contact);
    }

    /// The plain records.
    pub fn parts(&self) -> &DatasetParts {
        &self.parts
    }

    /// Gives the records back, dropping the indexes.
    pub fn into_parts(self) -> DatasetParts {
        self.parts
    }

    /// Record counts per kind.
    pub fn counts(&self) -> EntityCounts {
        let p = &self.parts;
        EntityCounts {
            contacts: p.contacts.len(),
            companies: p.companies.len(),
            pipelines: p.pipelines.len(),
            deals: p.deals.len(),
            activities: p.activities.len(),
            campaigns: p.campaigns.len(),
            tickets: p.tickets.len(),
            tasks: p.tasks.len(),
            reps: p.reps.len(),
            teams: p.teams.len(),
            spend: p.spend.len(),
        }
    }

    /// The fiscal calendar.
    pub fn fiscal_calendar(&self) -> &FiscalCalendar {
        &self.parts.fiscal_calendar
    }

    /// The reporting currency, if set.
    pub fn reporting_currency(&self) -> Option<Currency> {
        self.parts.reporting_currency
    }

    /// The exchange rates, if supplied.
    pub fn exchange_rates(&self) -> Option<&ExchangeRates> {
        self.parts.exchange_rates.as_ref()
    }

    /// All contacts.
    pub fn contacts(&self) -> &[Contact] {
        &self.parts.contacts
    }
    /// All companies.
    pub fn companies(&self) -> &[Company] {
        &self.parts.companies
    }
    /// All pipelines.
    pub fn pipelines(&self) -> &[Pipeline] {
        &self.parts.pipelines
    }
    /// All deals.
    pub fn deals(&self) -> &[Deal] {
        &self.parts.deals
    }
    /// All activities, in input order.
    pub fn activities(&self) -> &[Activity] {
        &self.parts.activities
    }
    /// All campaigns.
    pub fn campaigns(&self) -> &[Campaign] {
        &self.parts.campaigns
    }
    /// All tickets.
    pub fn tickets(&self) -> &[Ticket] {
        &self.parts.tickets
    }
    /// All tasks.
    pub fn tasks(&self) -> &[Task] {
        &self.parts.tasks
    }
    /// All reps.
    pub fn reps(&self) -> &[SalesRep] {
        &self.parts.reps
    }
    /// All teams.
    pub fn teams(&self) -> &[Team] {
        &self.parts.teams
    }
    /// All spend entries.
    pub fn spend(&self) -> &[SpendEntry] {
        &self.parts.spend
    }

    /// The position of a contact in [`Dataset::contacts`].
    pub fn contact_position(&self, id: &ContactId) -> Option<usize> {
        self.contact_index.get(id).map(|&i| i as usize)
    }

    /// A contact by id.
    pub fn contact(&self, id: &ContactId) -> Option<&Contact> {
        self.contact_position(id)
            .and_then(|i| self.parts.contacts.get(i))
    }
    /// A company by id.
    pub fn company(&self, id: &CompanyId) -> Option<&Company> {
        lookup(&self.company_index, id, &self.parts.companies)
    }
    /// A pipeline by id.
    pub fn pipeline(&self, id: &PipelineId) -> Option<&Pipeline> {
        lookup(&self.pipeline_index, id, &self.parts.pipelines)
    }
    /// A deal by id.
    pub fn deal(&self, id: &DealId) -> Option<&Deal> {
        lookup(&self.deal_index, id, &self.parts.deals)
    }
    /// A campaign by id.
    pub fn campaign(&self, id: &CampaignId) -> Option<&Campaign> {
        lookup(&self.campaign_index, id, &self.parts.campaigns)
    }
    /// A ticket by id.
    pub fn ticket(&self, id: &TicketId) -> Option<&Ticket> {
        lookup(&self.ticket_index, id, &self.parts.tickets)
    }
    /// A task by id.
    pub fn task(&self, id: &TaskId) -> Option<&Task> {
        lookup(&self.task_index, id, &self.parts.tasks)
    }
    /// A rep by id.
    pub fn rep(&self, id: &RepId) -> Option<&SalesRep> {
        lookup(&self.rep_index, id, &self.parts.reps)
    }
    /// A team by id.
    pub fn team(&self, id: &TeamId) -> Option<&Team> {
        lookup(&self.team_index, id, &self.parts.teams)
    }

    /// The company a contact works for, if any.
    pub fn company_of(&self, contact: &Contact) -> Option<&Company> {
        contact.company.as_ref().and_then(|id| self.company(id))
    }

    /// A contact's activities, oldest first (unknown id: none).
    pub fn activities_of(&self, contact: &ContactId) -> impl Iterator<Item = &Activity> + '_ {
        self.contact_position(contact)
            .map_or(&[][..], |i| self.activities_by_contact.group(i))
            .iter()
            .filter_map(|&i| self.parts.activities.get(i as usize))
    }

    /// The activities of the contact at `position` in [`Dataset::contacts`],
    /// oldest first. Faster than [`Dataset::activities_of`] in loops over
    /// all contacts.
    pub fn activities_at(&self, position: usize) -> impl Iterator<Item = &Activity> + '_ {
        self.activities_by_contact
            .group(position)
            .iter()
            .filter_map(|&i| self.parts.activities.get(i as usize))
    }

    /// The deals of the contact at `position` in [`Dataset::contacts`], in
    /// input order. Faster than [`Dataset::deals_of_contact`] in loops over
    /// all contacts.
    pub fn deals_at(&self, position: usize) -> impl Iterator<Item = &Deal> + '_ {
        self.deals_by_contact
            .group(position)
            .iter()
            .filter_map(|&i| self.parts.deals.get(i as usize))
    }

    /// The tickets of the contact at `position` in [`Dataset::contacts`], in
    /// input order. Faster than [`Dataset::tickets_of`] in loops over all
    /// contacts.
    pub fn tickets_at(&self, position: usize) -> impl Iterator<Item = &Ticket> + '_ {
        self.tickets_by_contact
            .group(position)
            .iter()
            .filter_map(|&i| self.parts.tickets.get(i as usize))
    }

    /// A contact's deals, in input order.
    pub fn deals_of_contact(&self, contact: &ContactId) -> impl Iterator<Item = &Deal> + '_ {
        self.contact_position(contact)
            .map_or(&[][..], |i| self.deals_by_contact.group(i))
            .iter()
            .filter_map(|&i| self.parts.deals.get(i as usize))
    }

    /// A contact's tickets, in input order.
    pub fn tickets_of(&self, contact: &ContactId) -> impl Iterator<Item = &Ticket> + '_ {
        self.contact_position(contact)
            .map_or(&[][..], |i| self.tickets_by_contact.group(i))
            .iter()
            .filter_map(|&i| self.parts.tickets.get(i as usize))
    }

    /// The deals of a pipeline, in input order.
    pub fn deals_in_pipeline(&self, pipeline: &PipelineId) -> impl Iterator<Item = &Deal> + '_ {
        self.pipeline_index
            .get(pipeline)
            .map_or(&[][..], |&i| self.deals_by_pipeline.group(i as usize))
            .iter()
            .filter_map(|&i| self.parts.deals.get(i as usize))
    }

    /// The contacts of a company, in input order.
    pub fn contacts_of_company(&self, company: &CompanyId) -> impl Iterator<Item = &Contact> + '_ {
        self.company_index
            .get(company)
            .map_or(&[][..], |&i| self.contacts_by_company.group(i as usize))
            .iter()
            .filter_map(|&i| self.parts.contacts.get(i as usize))
    }
}

fn lookup<'a, K: Hash + Eq, T>(index: &HashMap<K, u32>, id: &K, items: &'a [T]) -> Option<&'a T> {
    index.get(id).and_then(|&i| items.get(i as usize))
}
