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
//! # Memory
//!
//! A dataset holds one Rust record per row: a [`Contact`] takes 456 bytes,
//! an [`Activity`] 144 and a [`Deal`] 256 (on 64-bit targets), plus the
//! heap text of names, tags and attributes. Ids of up to 15 bytes are kept
//! inside the record; a longer one (a UUID) is two small heap allocations.
//! Measured with `examples/load_scale.rs` (3.5 million contacts and 10
//! million purchases, 64-bit Linux): 3.1 GiB resident, against 2.1 GiB for
//! pandas and 0.5–0.6 GiB for polars holding the same columns
//! (`benches/dataframe_reference.py`). Purchases held as arrays load
//! without JSON or per-row parsing through [`Dataset::with_purchases`];
//! RFM and CLV over a log too large to hold as records can skip the
//! dataset ([`rfm_from_arrays`](crate::predict::rfm_from_arrays)).
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

use serde::{Deserialize, Serialize};

use super::activity::Activity;
use super::campaign::{Campaign, SpendEntry};
use super::contact::{Company, Contact};
use super::deal::{Deal, Pipeline};
use super::id_index::IdIndex;
use super::ids::*;
use super::record_rules::References;
use super::team::{SalesRep, Task, Team};
use super::ticket::Ticket;
use crate::calendar::FiscalCalendar;
use crate::money::{Currency, ExchangeRates};
use crate::{Error, ErrorKind, Result};

mod build;
mod grouping;
mod purchases;

use grouping::Grouping;
pub use purchases::PurchaseColumns;

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

/// A validated, indexed, immutable CRM snapshot.
///
/// `Dataset` is `Send + Sync`; build it once and share it. Two datasets are
/// equal when their records are (the indexes follow from the records).
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
#[derive(Debug, Clone)]
pub struct Dataset {
    parts: DatasetParts,
    contact_index: IdIndex,
    company_index: IdIndex,
    pipeline_index: IdIndex,
    deal_index: IdIndex,
    campaign_index: IdIndex,
    ticket_index: IdIndex,
    task_index: IdIndex,
    rep_index: IdIndex,
    team_index: IdIndex,
    activities_by_contact: Grouping,
    deals_by_contact: Grouping,
    deals_by_pipeline: Grouping,
    tickets_by_contact: Grouping,
    contacts_by_company: Grouping,
}

impl PartialEq for Dataset {
    fn eq(&self, other: &Dataset) -> bool {
        self.parts == other.parts
    }
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

/// The references of records resolved in a built dataset (used while it
/// is validated, and for records that reach an engine outside the dataset).
impl References for Dataset {
    fn contact(&self, id: &ContactId) -> bool {
        self.contact_slot(id).is_some()
    }
    fn company(&self, id: &CompanyId) -> bool {
        self.company_slot(id).is_some()
    }
    fn rep(&self, id: &RepId) -> bool {
        self.rep_slot(id).is_some()
    }
    fn team(&self, id: &TeamId) -> bool {
        self.team_slot(id).is_some()
    }
    fn campaign(&self, id: &CampaignId) -> bool {
        self.campaign_slot(id).is_some()
    }
    fn deal(&self, id: &DealId) -> bool {
        self.deal_slot(id).is_some()
    }
    fn pipeline(&self, id: &PipelineId) -> Option<&Pipeline> {
        Dataset::pipeline(self, id)
    }
}

/// The position of the record with `id` in `items`, through `index`.
fn slot<T>(index: &IdIndex, items: &[T], key: fn(&T) -> &[u8], id: &[u8]) -> Option<u32> {
    index.get(id, |p| items.get(p as usize).map_or(&[][..], key))
}

macro_rules! slot_fns {
    ($($name:ident, $index:ident, $section:ident, $id:ty;)*) => {$(
        fn $name(&self, id: &$id) -> Option<u32> {
            slot(&self.$index, &self.parts.$section, |r| r.id.as_bytes(), id.as_bytes())
        }
    )*};
}

impl Dataset {
    slot_fns! {
        contact_slot, contact_index, contacts, ContactId;
        company_slot, company_index, companies, CompanyId;
        pipeline_slot, pipeline_index, pipelines, PipelineId;
        deal_slot, deal_index, deals, DealId;
        campaign_slot, campaign_index, campaigns, CampaignId;
        ticket_slot, ticket_index, tickets, TicketId;
        task_slot, task_index, tasks, TaskId;
        rep_slot, rep_index, reps, RepId;
        team_slot, team_index, teams, TeamId;
    }

    /// Validates `parts` and builds the indexes.
    ///
    /// Each record is visited once per rule family; references are resolved
    /// through indexes that hold record positions, not copies of the ids.
    ///
    /// # Errors
    ///
    /// The first broken rule, naming the record and field
    /// (`deals[3].contact`): [`ErrorKind::Invalid`] for a broken rule,
    /// [`ErrorKind::NotFound`] for a reference that does not resolve.
    pub fn new(parts: DatasetParts) -> Result<Dataset> {
        build::build(parts, None)
    }

    /// Parses and validates a dataset from JSON. Errors name the JSON path
    /// (`deals[3].value`) and the rule broken.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`] for text that is not a dataset document, else
    /// the errors of [`Dataset::new`].
    pub fn from_json(json: &str) -> Result<Dataset> {
        // serde would also read a struct from a JSON array; a dataset is an
        // object.
        if !json.trim_start().starts_with('{') {
            return Err(Error::new(
                ErrorKind::Json,
                "a dataset must be a json object",
            ));
        }
        // The plain parse is several times faster than the path-tracking
        // one (which records every map key); a document that fails is
        // parsed again by the latter for an error naming its JSON path.
        // One scan before it checks the depth and looks for inexact
        // numbers; only a document that has one is scanned again, for the
        // error's path.
        let inexact = crate::exact_json::scan(json)?;
        let mut de = serde_json::Deserializer::from_str(json);
        let parts = match DatasetParts::deserialize(&mut de).and_then(|p| de.end().map(|()| p)) {
            Ok(parts) => {
                if inexact.is_some() {
                    crate::exact_json::check_numbers(json)?;
                }
                parts
            }
            Err(_) => Error::parse_json::<DatasetParts>(json)?,
        };
        Dataset::new(parts)
    }

    /// Writes the dataset as JSON (the [`DatasetParts`] form).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`] if serialisation fails.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(&self.parts)
            .map_err(|e| Error::new(ErrorKind::Json, format!("cannot write dataset: {e}")))
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
        self.contact_slot(id).map(|i| i as usize)
    }

    /// A contact by id.
    pub fn contact(&self, id: &ContactId) -> Option<&Contact> {
        self.contact_position(id)
            .and_then(|i| self.parts.contacts.get(i))
    }
    /// A company by id.
    pub fn company(&self, id: &CompanyId) -> Option<&Company> {
        self.company_slot(id)
            .and_then(|i| self.parts.companies.get(i as usize))
    }
    /// A pipeline by id.
    pub fn pipeline(&self, id: &PipelineId) -> Option<&Pipeline> {
        self.pipeline_slot(id)
            .and_then(|i| self.parts.pipelines.get(i as usize))
    }
    /// A deal by id.
    pub fn deal(&self, id: &DealId) -> Option<&Deal> {
        self.deal_slot(id)
            .and_then(|i| self.parts.deals.get(i as usize))
    }
    /// A campaign by id.
    pub fn campaign(&self, id: &CampaignId) -> Option<&Campaign> {
        self.campaign_slot(id)
            .and_then(|i| self.parts.campaigns.get(i as usize))
    }
    /// A ticket by id.
    pub fn ticket(&self, id: &TicketId) -> Option<&Ticket> {
        self.ticket_slot(id)
            .and_then(|i| self.parts.tickets.get(i as usize))
    }
    /// A task by id.
    pub fn task(&self, id: &TaskId) -> Option<&Task> {
        self.task_slot(id)
            .and_then(|i| self.parts.tasks.get(i as usize))
    }
    /// A rep by id.
    pub fn rep(&self, id: &RepId) -> Option<&SalesRep> {
        self.rep_slot(id)
            .and_then(|i| self.parts.reps.get(i as usize))
    }
    /// A team by id.
    pub fn team(&self, id: &TeamId) -> Option<&Team> {
        self.team_slot(id)
            .and_then(|i| self.parts.teams.get(i as usize))
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
        self.pipeline_slot(pipeline)
            .map_or(&[][..], |i| self.deals_by_pipeline.group(i as usize))
            .iter()
            .filter_map(|&i| self.parts.deals.get(i as usize))
    }

    /// The contacts of a company, in input order.
    pub fn contacts_of_company(&self, company: &CompanyId) -> impl Iterator<Item = &Contact> + '_ {
        self.company_slot(company)
            .map_or(&[][..], |i| self.contacts_by_company.group(i as usize))
            .iter()
            .filter_map(|&i| self.parts.contacts.get(i as usize))
    }
}
