//! Which table `crm_kpi` reads, which KPIs one table answers, and how the
//! KPIs that need several tables are computed.
//!
//! `crm_kpi(kpi_id, columns...)` tells the table from the names of the
//! columns it is given ([`KpiTable::detect`]): pass the columns of one
//! table of this crate's schema by name (`d.id, d.contact, ...`); a column
//! that is not passed is read as absent (null).
//!
//! # One table
//!
//! [`TABLE_KPIS`] lists every KPI whose inputs live in one table, with
//! that table; for those, `SELECT crm_kpi('<kpi>', <that table's columns>)
//! FROM <table>` equals [`crmkit::kpi::compute`] on the whole dataset,
//! digit for digit (the dataset given to
//! [`KpiFunction::new`](crate::kpi_udaf::KpiFunction::new) supplies what is
//! configuration: contacts and their teams, pipelines, exchange rates). The
//! revenue KPIs read the table of the request's `revenue_source`: deals
//! with `"revenue_source": "deals"`, purchases (or activities) with
//! `"purchases"`; under crmkit's default, `both`, they need the deals and
//! the activities tables (one state per table, below).
//!
//! # Several tables
//!
//! A KPI over several tables (CAC: spend, the first revenue events and
//! the costs of the campaigns that start in the period, from the
//! campaigns table;
//! cost per interaction: spend, tickets and calls; lead-to-customer
//! conversion is *not* one of them: crmkit reads it from the contacts'
//! lifecycle history alone) is computed with **one accumulator per table,
//! merged at the end**: `crm_kpi_state` (the same arguments as `crm_kpi`,
//! registered with [`KpiFunction::state_only`](crate::kpi_udaf::KpiFunction::state_only))
//! returns each table's accumulator as JSON, and [`finish_states`] merges
//! them and finishes. No join is needed: crmkit's accumulators carry
//! per-record facts keyed by contact, and merging is exact and
//! order-independent.
//!
//! ```sql
//! SELECT crm_kpi_state('customer_acquisition_cost', id, date, category, kind, amount, currency, campaign) FROM spend
//! UNION ALL
//! SELECT crm_kpi_state('customer_acquisition_cost', id, name, channel, purpose, cost, cost_currency, "start", "end") FROM campaigns
//! UNION ALL
//! SELECT crm_kpi_state('customer_acquisition_cost', id, contact, pipeline, stage, status, amount, currency, created_at, closed_at) FROM deals
//! ```
//!
//! ```
//! use std::sync::Arc;
//! use crmkit::kpi::catalog::KpiId;
//! use crmkit::kpi::{KpiEngine, KpiRequest, Partition};
//! use crmkit::sample::{generate, SampleConfig};
//! use crmkit_datafusion::kpi_tables::{finish_states, table_of};
//!
//! let ds = generate(&SampleConfig { contacts: 40, ..SampleConfig::default() })?;
//! assert!(table_of(KpiId::WinRate).is_some());
//! let request = KpiRequest::from_json(r#"{"period": {"start": "2026-01-01", "end": "2026-07-01"}}"#)?;
//! let engine = KpiEngine::new(&ds, &request)?;
//! let mut states = Vec::new();
//! for part in [Partition { contacts: ds.contacts(), ..Partition::default() },
//!              Partition { deals: ds.deals(), ..Partition::default() }] {
//!     let mut acc = engine.accumulator();
//!     engine.accumulate(&mut acc, &part)?;
//!     states.push(acc.to_json()?);
//! }
//! let merged = finish_states(&ds, &request, KpiId::LeadConversionRate, &states)?;
//! let whole = engine.compute()?;
//! let want = whole.iter().find(|m| m.kpi == KpiId::LeadConversionRate).and_then(|m| m.value.as_decimal());
//! assert_eq!(merged, want.map(|d| d.to_string()));
//! Ok::<(), crmkit::Error>(())
//! ```

use crmkit::kpi::catalog::KpiId;
use crmkit::kpi::{KpiAccumulator, KpiEngine, KpiRequest, Measurement, Partition};
use crmkit::model::{Activity, Campaign, Contact, Dataset, Deal, SpendEntry, Ticket};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::Result;

use crate::read;
use crate::tables::TableSpec;

/// A table `crm_kpi` can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KpiTable {
    /// [`schema::contacts`](crate::schema::contacts).
    Contacts,
    /// [`schema::deals`](crate::schema::deals).
    Deals,
    /// [`schema::purchases`](crate::schema::purchases).
    Purchases,
    /// [`TableSpec::activities`].
    Activities,
    /// [`TableSpec::tickets`].
    Tickets,
    /// [`TableSpec::spend`].
    Spend,
    /// [`TableSpec::campaigns`].
    Campaigns,
}

/// The records of one batch of a [`KpiTable`].
#[derive(Debug, Default)]
pub struct KpiRecords {
    contacts: Vec<Contact>,
    deals: Vec<Deal>,
    activities: Vec<Activity>,
    tickets: Vec<Ticket>,
    campaigns: Vec<Campaign>,
    spend: Vec<SpendEntry>,
}

impl KpiRecords {
    /// The records as a KPI partition.
    pub fn partition(&self) -> Partition<'_> {
        Partition {
            contacts: &self.contacts,
            deals: &self.deals,
            activities: &self.activities,
            tickets: &self.tickets,
            campaigns: &self.campaigns,
            spend: &self.spend,
        }
    }
}

impl KpiTable {
    /// What [`detect`](Self::detect) looks for, for error messages.
    pub const HINT: &'static str = "pass the columns of one table by name: deals (with `pipeline`), \
         contacts (with `lifecycle_stage`), tickets (with `opened_at`), spend (with `date` and \
         `category`), activities (with `type`), purchases (with `at` and `amount`) or campaigns (with \
         `start` and `cost`)";

    /// The table whose columns `names` are: deals have `pipeline`, contacts
    /// `lifecycle_stage`, tickets `opened_at`, spend `date` and `category`,
    /// activities `type`, purchases `at` and `amount`, campaigns `start`
    /// and `cost` (checked in this order); `None` otherwise.
    pub fn detect(names: &[&str]) -> Option<KpiTable> {
        let has = |n: &str| names.contains(&n);
        Some(if has("pipeline") {
            KpiTable::Deals
        } else if has("lifecycle_stage") {
            KpiTable::Contacts
        } else if has("opened_at") {
            KpiTable::Tickets
        } else if has("date") && has("category") {
            KpiTable::Spend
        } else if has("type") {
            KpiTable::Activities
        } else if has("at") && has("amount") {
            KpiTable::Purchases
        } else if has("start") && has("cost") {
            KpiTable::Campaigns
        } else {
            return None;
        })
    }

    /// The table's name in this crate's schema.
    pub fn name(self) -> &'static str {
        match self {
            KpiTable::Contacts => "contacts",
            KpiTable::Deals => "deals",
            KpiTable::Purchases => "purchases",
            KpiTable::Activities => "activities",
            KpiTable::Tickets => "tickets",
            KpiTable::Spend => "spend",
            KpiTable::Campaigns => "campaigns",
        }
    }

    /// Reads `batches` as this table's records.
    ///
    /// # Errors
    ///
    /// The reader's [`LoadError`](crate::LoadError) (source
    /// `crm_kpi <table>`, row and column) as an execution error.
    pub fn read(self, batches: &[RecordBatch]) -> Result<KpiRecords> {
        let source = format!("crm_kpi {}", self.name());
        let mut r = KpiRecords::default();
        match self {
            KpiTable::Contacts => r.contacts = read::contacts(batches, &source)?,
            KpiTable::Deals => r.deals = read::deals(batches, &source)?,
            KpiTable::Purchases => r.activities = read::purchases(batches, &source)?,
            KpiTable::Activities => {
                r.activities = TableSpec::activities().read(batches, &source)?
            }
            KpiTable::Tickets => r.tickets = TableSpec::tickets().read(batches, &source)?,
            KpiTable::Spend => r.spend = TableSpec::spend().read(batches, &source)?,
            KpiTable::Campaigns => r.campaigns = TableSpec::campaigns().read(batches, &source)?,
        }
        Ok(r)
    }
}

/// Every KPI whose inputs live in one table, with that table (for the
/// revenue KPIs, the table of `"revenue_source": "deals"`; with
/// `"purchases"` they read purchases or activities instead, and with the
/// default, `both`, deals and activities). KPIs not listed need several tables: see the module
/// documentation.
pub const TABLE_KPIS: &[(KpiId, KpiTable)] = &[
    (KpiId::WinRate, KpiTable::Deals),
    (KpiId::Revenue, KpiTable::Deals),
    (KpiId::AverageDealSize, KpiTable::Deals),
    (KpiId::SalesCycleLength, KpiTable::Deals),
    (KpiId::SalesCycleLengthMedian, KpiTable::Deals),
    (KpiId::OpenDeals, KpiTable::Deals),
    (KpiId::WeightedPipelineValue, KpiTable::Deals),
    (KpiId::OpenPipelineValue, KpiTable::Deals),
    (KpiId::RenewalRate, KpiTable::Deals),
    (KpiId::PurchaseRevenue, KpiTable::Activities),
    (KpiId::SalesCalls, KpiTable::Activities),
    (KpiId::ProposalsSent, KpiTable::Activities),
    (KpiId::LeadCount, KpiTable::Contacts),
    (KpiId::LeadConversionRate, KpiTable::Contacts),
    (KpiId::TicketsHandled, KpiTable::Tickets),
    (KpiId::AverageResolutionTime, KpiTable::Tickets),
    (KpiId::FirstResponseTime, KpiTable::Tickets),
];

/// The one table `kpi` needs, if it needs one (default options).
pub fn table_of(kpi: KpiId) -> Option<KpiTable> {
    TABLE_KPIS.iter().find(|(k, _)| *k == kpi).map(|(_, t)| *t)
}

/// Merges the accumulator states of several tables (the results of
/// `crm_kpi_state`) and finishes `kpi`: its exact value as a decimal
/// string, or `None` when undefined.
///
/// # Errors
///
/// As [`finish_states_all`].
pub fn finish_states(
    context: &Dataset,
    request: &KpiRequest,
    kpi: KpiId,
    states: &[String],
) -> crmkit::Result<Option<String>> {
    Ok(value_text(
        &finish_states_all(context, request, states)?,
        kpi,
    ))
}

/// The value of `kpi` among `measurements` as an exact decimal string (the
/// result of `crm_kpi`), or `None` when it is undefined or not among them.
pub fn value_text(measurements: &[Measurement], kpi: KpiId) -> Option<String> {
    measurements
        .iter()
        .find(|m| m.kpi == kpi)
        .and_then(|m| m.value.as_decimal())
        .map(|d| d.to_string())
}

/// Merges the accumulator states (the results of `crm_kpi_state`) once and
/// finishes every KPI of the request: crmkit's measurements, as
/// [`KpiEngine::finish`] gives them. Cheaper than one [`finish_states`]
/// per KPI, which reads the states each time.
///
/// # Errors
///
/// crmkit's error if the request does not compile against `context`, a
/// state is not an accumulator's JSON, or states of different periods are
/// merged.
pub fn finish_states_all(
    context: &Dataset,
    request: &KpiRequest,
    states: &[String],
) -> crmkit::Result<Vec<Measurement>> {
    let engine = KpiEngine::new(context, request)?;
    let mut acc = engine.accumulator();
    for state in states {
        acc.merge(&KpiAccumulator::from_json(state)?)?;
    }
    engine.finish(&acc)
}
