//! People, companies and the lead lifecycle.
//!
//! crmkit keeps the lead lifecycle on the contact, as most CRMs do: a person
//! moves from subscriber to lead, MQL, SQL, opportunity and customer, and the
//! [`Lifecycle`] records every transition. "A lead" is therefore a contact
//! whose stage is before [`LifecycleStage::Customer`].
//!
//! ```
//! use crmkit::model::{Contact, LifecycleStage};
//!
//! let contact: Contact = serde_json::from_str(r#"{
//!     "id": "C-1", "name": "Ada Lovelace", "email": "ada@example.com",
//!     "created_at": "2024-01-05T09:00:00Z",
//!     "lifecycle": {"stage": "mql", "history": [
//!         {"from": "subscriber", "to": "lead", "at": "2024-01-06T10:00:00Z"},
//!         {"from": "lead", "to": "mql", "at": "2024-02-01T10:00:00Z"}
//!     ]}
//! }"#).unwrap();
//! assert_eq!(contact.lifecycle.stage, LifecycleStage::Mql);
//! assert!(contact.lifecycle.stage.is_lead());
//! Ok::<(), crmkit::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::Timestamp;
use super::attributes::{AttributeValue, Demographics};
use super::ids::{CampaignId, CompanyId, ContactId, RepId};
use crate::money::Money;

/// Where a person stands in the customer lifecycle.
///
/// The order of the variants is the order of the funnel; `Disqualified` is
/// outside the funnel and compares greater than every other stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStage {
    /// Signed up for content; not yet a lead.
    Subscriber,
    /// Showed interest; not yet qualified.
    Lead,
    /// Marketing-qualified lead.
    Mql,
    /// Sales-qualified lead.
    Sql,
    /// Has an open deal.
    Opportunity,
    /// Has bought.
    Customer,
    /// A customer who recommends the business.
    Evangelist,
    /// Ruled out.
    Disqualified,
}

impl LifecycleStage {
    /// All stages in funnel order.
    pub const ALL: [LifecycleStage; 8] = [
        LifecycleStage::Subscriber,
        LifecycleStage::Lead,
        LifecycleStage::Mql,
        LifecycleStage::Sql,
        LifecycleStage::Opportunity,
        LifecycleStage::Customer,
        LifecycleStage::Evangelist,
        LifecycleStage::Disqualified,
    ];

    /// The JSON name (`"mql"`).
    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleStage::Subscriber => "subscriber",
            LifecycleStage::Lead => "lead",
            LifecycleStage::Mql => "mql",
            LifecycleStage::Sql => "sql",
            LifecycleStage::Opportunity => "opportunity",
            LifecycleStage::Customer => "customer",
            LifecycleStage::Evangelist => "evangelist",
            LifecycleStage::Disqualified => "disqualified",
        }
    }

    /// Parses a JSON name.
    pub fn parse(name: &str) -> Option<LifecycleStage> {
        LifecycleStage::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// `true` for lead, MQL, SQL and opportunity: people sales may still
    /// convert.
    pub fn is_lead(self) -> bool {
        matches!(
            self,
            LifecycleStage::Lead
                | LifecycleStage::Mql
                | LifecycleStage::Sql
                | LifecycleStage::Opportunity
        )
    }

    /// `true` for customer and evangelist.
    pub fn is_customer(self) -> bool {
        matches!(self, LifecycleStage::Customer | LifecycleStage::Evangelist)
    }
}

impl fmt::Display for LifecycleStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One move between lifecycle stages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleTransition {
    /// The stage left.
    pub from: LifecycleStage,
    /// The stage entered.
    pub to: LifecycleStage,
    /// When it happened.
    #[serde(deserialize_with = "super::timestamp_serde::deserialize")]
    pub at: Timestamp,
}

/// A contact's current lifecycle stage and how it got there.
///
/// The [`Dataset`](crate::model::Dataset) checks that the history is in time
/// order, that each transition starts where the previous one ended and that
/// the last one ends in `stage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// The current stage.
    pub stage: LifecycleStage,
    /// Past transitions, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<LifecycleTransition>,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle {
            stage: LifecycleStage::Lead,
            history: Vec::new(),
        }
    }
}

impl Lifecycle {
    /// When the contact first entered `stage`, if it did (from the history).
    pub fn entered(&self, stage: LifecycleStage) -> Option<Timestamp> {
        self.history.iter().find(|t| t.to == stage).map(|t| t.at)
    }

    /// The stage the contact was in at `at` (before its first transition:
    /// the `from` of that transition).
    pub fn stage_at(&self, at: Timestamp) -> LifecycleStage {
        let mut stage = self.history.first().map_or(self.stage, |t| t.from);
        for transition in &self.history {
            if transition.at <= at {
                stage = transition.to;
            }
        }
        stage
    }
}

/// A person the business deals with: a subscriber, lead or customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Unique id.
    pub id: ContactId,
    /// Full name.
    #[serde(default)]
    pub name: String,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Job title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    /// Employer, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<CompanyId>,
    /// The rep who owns the relationship.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<RepId>,
    /// The campaign that brought the contact in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_campaign: Option<CampaignId>,
    /// Country (ISO 3166 alpha-2 suggested, free text accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Sales territory, used by lead distribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<String>,
    /// When the contact was created.
    #[serde(deserialize_with = "super::timestamp_serde::deserialize")]
    pub created_at: Timestamp,
    /// Lifecycle stage and its history.
    #[serde(default)]
    pub lifecycle: Lifecycle,
    /// Demographic facts (some protected).
    #[serde(default, skip_serializing_if = "is_default")]
    pub demographics: Demographics,
    /// Free-form labels.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub tags: BTreeSet<String>,
    /// Custom attributes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, AttributeValue>,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// An organisation: a customer account or a prospect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    /// Unique id.
    pub id: CompanyId,
    /// Name.
    pub name: String,
    /// Industry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    /// Number of employees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employees: Option<u32>,
    /// Yearly revenue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_revenue: Option<Money>,
    /// Country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Sales territory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<String>,
    /// The rep who owns the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<RepId>,
    /// When the company was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "super::timestamp_serde::deserialize_option")]
    pub created_at: Option<Timestamp>,
    /// Free-form labels.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub tags: BTreeSet<String>,
    /// Custom attributes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, AttributeValue>,
}
