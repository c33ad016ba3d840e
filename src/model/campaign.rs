//! Campaigns and marketing/sales spend.
//!
//! ```
//! use crmkit::model::{Campaign, Channel};
//!
//! let c: Campaign = serde_json::from_str(r#"{
//!     "id": "CMP-1", "name": "Spring webinar", "channel": "email",
//!     "cost": {"amount": "1200", "currency": "USD"},
//!     "start": "2024-03-01", "end": "2024-03-31"
//! }"#).unwrap();
//! assert_eq!(c.channel, Channel::Email);
//! Ok::<(), crmkit::Error>(())
//! ```

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ids::{CampaignId, SpendId, TeamId};
use crate::money::Money;

/// The channel a campaign runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// E-mail.
    Email,
    /// Social media.
    Social,
    /// Paid or organic search.
    Search,
    /// Display advertising.
    Display,
    /// Events and trade shows.
    Events,
    /// Referral programmes.
    Referral,
    /// Content marketing.
    Content,
    /// Direct mail or outbound calling.
    Direct,
    /// Anything else.
    Other,
}

/// What a campaign is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignPurpose {
    /// Bring in new leads.
    #[default]
    Acquisition,
    /// Warm up leads that are not ready to buy.
    Nurture,
    /// Greet new subscribers.
    Welcome,
    /// Keep customers and win back lapsing ones.
    Retention,
}

/// A marketing campaign with its cost and run time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    /// Unique id.
    pub id: CampaignId,
    /// Display name.
    pub name: String,
    /// Channel.
    pub channel: Channel,
    /// Purpose.
    #[serde(default)]
    pub purpose: CampaignPurpose,
    /// Total cost; never negative.
    pub cost: Money,
    /// First day (inclusive).
    pub start: NaiveDate,
    /// Last day (inclusive); not before `start`.
    pub end: NaiveDate,
}

/// Whether spend counts towards marketing or sales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpendCategory {
    /// Marketing spend.
    Marketing,
    /// Sales spend.
    Sales,
}

/// What the money was spent on; lets CAC be computed with or without
/// salaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpendKind {
    /// Advertising and media.
    Advertising,
    /// Salaries and commissions.
    Salaries,
    /// Software and tools.
    Tools,
    /// Anything else.
    Other,
}

/// One entry of marketing or sales spend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpendEntry {
    /// Unique id.
    pub id: SpendId,
    /// The day the cost is booked on.
    pub date: NaiveDate,
    /// Marketing or sales.
    pub category: SpendCategory,
    /// What it was spent on.
    pub kind: SpendKind,
    /// Amount; never negative.
    pub amount: Money,
    /// The campaign it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<CampaignId>,
    /// The team it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<TeamId>,
}
