//! Deals, pipelines and stage history.
//!
//! A [`Pipeline`] is an ordered list of [`Stage`]s, each with a win
//! probability. A [`Deal`] sits in one stage of one pipeline, has an exact
//! [`Money`] value and records each stage it visited.
//!
//! ```
//! use crmkit::model::{Deal, DealStatus};
//!
//! let deal: Deal = serde_json::from_str(r#"{
//!     "id": "D-1", "name": "Starter plan", "contact": "C-1",
//!     "pipeline": "sales", "stage": "proposal",
//!     "value": {"amount": "500.00", "currency": "USD"},
//!     "created_at": "2024-03-01T12:00:00Z"
//! }"#).unwrap();
//! assert_eq!(deal.status, DealStatus::Open);
//! assert_eq!(deal.value.amount.to_string(), "500.00");
//! Ok::<(), crmkit::Error>(())
//! ```

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::Timestamp;
use super::ids::{CampaignId, CompanyId, ContactId, DealId, PipelineId, RepId, StageId};
use crate::money::{Money, Percent};

/// Whether a deal is still being worked on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealStatus {
    /// Still in progress.
    #[default]
    Open,
    /// Closed and won.
    Won,
    /// Closed and lost.
    Lost,
}

impl DealStatus {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            DealStatus::Open => "open",
            DealStatus::Won => "won",
            DealStatus::Lost => "lost",
        }
    }
}

impl fmt::Display for DealStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of business a deal is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealKind {
    /// A first sale to a new customer, or a new sale of the same product.
    #[default]
    New,
    /// Renewal of an existing contract.
    Renewal,
    /// More of the same product to an existing customer.
    Upsell,
    /// A different product to an existing customer.
    CrossSell,
}

/// The role a stage plays in its pipeline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// A working stage.
    #[default]
    Open,
    /// The closed-won stage.
    Won,
    /// The closed-lost stage.
    Lost,
}

/// One step of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// Id, unique within the pipeline.
    pub id: StageId,
    /// Display name.
    pub name: String,
    /// Chance that a deal in this stage is won.
    pub probability: Percent,
    /// Open, won or lost.
    #[serde(default)]
    pub kind: StageKind,
}

/// An ordered sales (or lead) process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
    /// Unique id.
    pub id: PipelineId,
    /// Display name.
    pub name: String,
    /// Stages in process order.
    pub stages: Vec<Stage>,
}

impl Pipeline {
    /// The stage with `id` and its position.
    pub fn stage(&self, id: &StageId) -> Option<(usize, &Stage)> {
        self.stages.iter().enumerate().find(|(_, s)| &s.id == id)
    }
}

/// One stay of a deal in a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageVisit {
    /// The stage.
    pub stage: StageId,
    /// When the deal entered it.
    #[serde(deserialize_with = "super::timestamp_serde::deserialize")]
    pub entered_at: Timestamp,
    /// When it left; `None` while it is still there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "super::timestamp_serde::deserialize_option")]
    pub exited_at: Option<Timestamp>,
}

/// A potential or closed sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deal {
    /// Unique id.
    pub id: DealId,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// The primary contact.
    pub contact: ContactId,
    /// The buying company, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<CompanyId>,
    /// The pipeline the deal runs through.
    pub pipeline: PipelineId,
    /// The current (or final) stage.
    pub stage: StageId,
    /// Exact value; never negative.
    pub value: Money,
    /// Open, won or lost.
    #[serde(default)]
    pub status: DealStatus,
    /// Why the deal was lost (only for lost deals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_reason: Option<String>,
    /// New business, renewal, upsell or cross-sell.
    #[serde(default)]
    pub kind: DealKind,
    /// When the deal was created.
    #[serde(deserialize_with = "super::timestamp_serde::deserialize")]
    pub created_at: Timestamp,
    /// When it was won or lost; required exactly for closed deals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "super::timestamp_serde::deserialize_option")]
    pub closed_at: Option<Timestamp>,
    /// The rep who owns it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<RepId>,
    /// The campaign it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_campaign: Option<CampaignId>,
    /// Stages visited, oldest first; the last one is the current stage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stage_history: Vec<StageVisit>,
    /// Free-form labels.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub tags: BTreeSet<String>,
}

impl Deal {
    /// `true` while the deal is open.
    pub fn is_open(&self) -> bool {
        self.status == DealStatus::Open
    }
}
