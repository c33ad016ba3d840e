//! Journeys built from a [`Dataset`]: the touches are the contact's
//! campaign-linked activities and source campaign, the conversions are
//! won deals, purchases or a lifecycle stage reached, and the spend is the
//! campaigns' cost plus the spend entries booked to them.
//!
//! Touches (each can be switched off in `touch_types`):
//!
//! * `source_campaign`: the campaign that brought the contact in, at the
//!   contact's creation;
//! * `email_click`: a clicked e-mail (channel of its campaign, `email`
//!   without one); `email_open` counts only when asked for (GA4 does not
//!   count opens as sessions either);
//! * `website_visit`, `form_submission`, `content_download`: with a
//!   campaign, on the campaign's channel; without one, a URL carrying
//!   `utm_campaign=<campaign id>` names the campaign and `utm_medium=` (or
//!   `utm_source=`) the channel; otherwise the touch is `direct`
//!   (untracked) on the `direct` channel, and `direct` in `touch_types`
//!   decides whether such touches count at all.
//!
//! Conversions (`conversion`): `won_deal` (at `closed_at`, value the deal
//! value in the report currency), `purchase` (at the purchase, value its
//! amount) or `lifecycle_stage` (the first time the contact entered that
//! stage or a later one of the funnel, value 0). Each conversion's journey
//! is the touches after the contact's previous conversion up to the
//! conversion (a touch credits one conversion; the lookback window of the
//! report trims it further), the path convention of the Markov literature.
//! Touches after a contact's last conversion (or of a contact that never
//! converted) form a non-converting journey, used by `markov` and
//! `shapley_rate`. Only records before `as_of` count.
//!
//! Spend: per campaign its `cost` plus the [`SpendEntry`](crate::model::SpendEntry)
//! amounts booked to it (ads bought for the campaign), in the report
//! currency; per channel the sum over its campaigns.
//!
//! **Ad touches** (`ad_touches`). An *ad campaign* is a campaign on a
//! paid-media channel (`search`, `social` or `display`) with advertising
//! spend booked to it: at least one spend entry of kind `advertising`, to
//! that campaign, with an amount above zero (any date; the spend totals
//! above ignore `as_of` too). Every touch linked to an ad campaign — the
//! contact's source campaign, a visit, form or download with that campaign
//! or naming it in `utm_campaign`, an e-mail click of it — is an *ad
//! touch*: the CRM's record of a contact arriving through a bought ad.
//! With the default `"paid_channel"` ad touches and the ad campaign's spend
//! are reported on the channel `paid_<channel>` (`paid_social`,
//! `paid_search`, `paid_display`), so paid and organic traffic of one
//! channel are credited apart (GA4's default channel groups split Paid
//! Social from Organic Social the same way); `"channel"` keeps them on the
//! campaign's channel (ads then count like any campaign touch);
//! `"exclude"` drops them (the organic view; the ad campaigns' spend is
//! still listed). The rule needs the ad buy on record: a campaign `cost`
//! has no kind (it may pay an agency or organic posting), an e-mail or
//! event campaign promoted with ads is still reached by its e-mail or
//! event, and a spend entry with no campaign reaches nobody in
//! particular. The dataset has no per-contact ad impressions, so views
//! that did not lead to a recorded visit, form or lead (view-through) are
//! not touches: a spend entry never creates a touch on its own.
//!
//! ```
//! use crmkit::attribution::{DatasetAttributionRequest, dataset_attribution_report};
//! use crmkit::model::Dataset;
//! use rust_decimal::Decimal;
//!
//! let shop = Dataset::from_json(r#"{
//!   "reporting_currency": "USD",
//!   "campaigns": [{"id": "CMP-1", "name": "Newsletter", "channel": "email",
//!     "cost": {"amount": "10", "currency": "USD"}, "start": "2024-05-01", "end": "2024-05-31"}],
//!   "contacts": [{"id": "S-1", "created_at": "2024-05-01T00:00:00Z"}],
//!   "activities": [
//!     {"id": "E-1", "contact": "S-1", "at": "2024-05-03T09:00:00Z", "campaign": "CMP-1",
//!      "kind": {"type": "email", "event": "clicked"}},
//!     {"id": "P-1", "contact": "S-1", "at": "2024-05-03T10:00:00Z",
//!      "kind": {"type": "purchase", "amount": {"amount": "45.50", "currency": "USD"}}}]
//! }"#)?;
//! let request = DatasetAttributionRequest::from_json(
//!     r#"{"conversion": {"event": "purchase"}, "models": [{"model": "last_touch"}]}"#)?;
//! let report = dataset_attribution_report(&shop, &request)?;
//! let email = &report.models[0].channels[0];
//! assert_eq!((email.key.as_str(), email.value.amount), ("email", Decimal::new(4550, 2)));
//! Ok::<(), crmkit::Error>(())
//! ```

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::journey::{CustomerPath, Touch};
use super::report::{
    AttributionReport, AttributionRequest, Spend, attribution_report, default_lookback,
    default_scale, default_top,
};
use super::rules::Model;
use crate::model::{
    ActivityKind, Channel, Dataset, DealStatus, EmailEvent, LifecycleStage, SpendKind,
};
use crate::money::{Currency, Money};
use crate::{Error, Result};

/// What counts as a conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
pub enum Conversion {
    /// A won deal, at its close.
    WonDeal,
    /// A purchase.
    Purchase,
    /// The contact reached `stage` (or a later funnel stage).
    LifecycleStage {
        /// The stage.
        stage: LifecycleStage,
    },
}

/// A kind of touch taken from the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TouchType {
    /// The contact's source campaign, at its creation.
    SourceCampaign,
    /// A clicked e-mail.
    EmailClick,
    /// An opened e-mail (off by default).
    EmailOpen,
    /// A website visit with a campaign or UTM parameters.
    WebsiteVisit,
    /// A form filled in.
    FormSubmission,
    /// Content downloaded.
    ContentDownload,
    /// Visits, forms and downloads with no campaign or UTM (untracked).
    Direct,
}

fn default_touch_types() -> Vec<TouchType> {
    vec![
        TouchType::SourceCampaign,
        TouchType::EmailClick,
        TouchType::WebsiteVisit,
        TouchType::FormSubmission,
        TouchType::ContentDownload,
        TouchType::Direct,
    ]
}

/// How touches of ad campaigns (see the module docs) are reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdTouches {
    /// On the channel `paid_<channel>` (`paid_social`), spend too.
    #[default]
    PaidChannel,
    /// On the campaign's own channel, like other campaign touches.
    Channel,
    /// Left out of the journeys.
    Exclude,
}

/// The request of [`dataset_attribution_report`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetAttributionRequest {
    /// What counts as a conversion.
    pub conversion: Conversion,
    /// The models to run.
    pub models: Vec<Model>,
    /// Report currency; default the dataset's reporting currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// Only records before this instant count; default all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<DateTime<Utc>>,
    /// Lookback window in days (default 90, `null` for none; otherwise 1
    /// to [`MAX_LOOKBACK_DAYS`](super::journey::MAX_LOOKBACK_DAYS)).
    #[serde(default = "default_lookback")]
    pub lookback_days: Option<u32>,
    /// The touch types that count; default all but `email_open`.
    #[serde(default = "default_touch_types")]
    pub touch_types: Vec<TouchType>,
    /// Whether a direct touch may take the last-touch credit; default
    /// `false` (GA's convention).
    #[serde(default)]
    pub direct_takes_last_touch: bool,
    /// How touches of ad campaigns are reported; default
    /// [`AdTouches::PaidChannel`].
    #[serde(default)]
    pub ad_touches: AdTouches,
    /// Decimal places of credit; default 6.
    #[serde(default = "default_scale")]
    pub scale: u32,
    /// How many top paths to list; default 10.
    #[serde(default = "default_top")]
    pub top_paths: usize,
}

impl DatasetAttributionRequest {
    /// Parses a request from JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) naming the JSON path.
    pub fn from_json(json: &str) -> Result<Self> {
        Error::parse_json(json)
    }
}

/// The JSON name of a campaign channel (`paid_search` style names are the
/// caller's; the dataset's channels are `email`, `search`...).
pub fn channel_name(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "email",
        Channel::Social => "social",
        Channel::Search => "search",
        Channel::Display => "display",
        Channel::Events => "events",
        Channel::Referral => "referral",
        Channel::Content => "content",
        Channel::Direct => "direct_mail",
        Channel::Other => "other",
    }
}

/// Whether `channel` is bought media (an ad campaign's channel must be).
fn paid_media(channel: Channel) -> bool {
    matches!(
        channel,
        Channel::Search | Channel::Social | Channel::Display
    )
}

/// The ad campaigns of `dataset` (see the module docs): on a paid-media
/// channel with advertising spend above zero booked to them.
pub fn ad_campaigns(dataset: &Dataset) -> Vec<&crate::model::CampaignId> {
    dataset
        .campaigns()
        .iter()
        .filter(|c| paid_media(c.channel))
        .filter(|c| {
            dataset.spend().iter().any(|e| {
                e.kind == SpendKind::Advertising
                    && e.amount.amount > Decimal::ZERO
                    && e.campaign.as_ref() == Some(&c.id)
            })
        })
        .map(|c| &c.id)
        .collect()
}

/// The value of `key=` in a URL's query, if present and not empty.
fn query_param<'a>(url: &'a str, key: &str) -> Option<&'a str> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, v)| *k == key && !v.is_empty())
        .map(|(_, v)| v)
}

/// Builds the journeys and spend of `dataset` into an
/// [`AttributionRequest`].
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) when no currency is
/// given and the dataset has no reporting currency, for an `as_of` outside
/// years 1 to 9999 or a lookback outside 1 to
/// [`MAX_LOOKBACK_DAYS`](super::journey::MAX_LOOKBACK_DAYS) days;
/// [`ErrorKind::CurrencyMismatch`](crate::ErrorKind::CurrencyMismatch)
/// when a deal, purchase or cost cannot be converted (named by its id).
pub fn attribution_request(
    dataset: &Dataset,
    request: &DatasetAttributionRequest,
) -> Result<AttributionRequest> {
    let currency = request
        .currency
        .or_else(|| dataset.reporting_currency())
        .ok_or_else(|| {
            Error::invalid(
                "currency",
                "give a currency: the dataset has no reporting currency",
            )
        })?;
    if let Some(as_of) = request.as_of {
        crate::model::check_timestamp(as_of, "as_of")?;
    }
    super::journey::check_lookback(request.lookback_days)?;
    let convert = |money: &Money, what: &str| -> Result<Decimal> {
        if money.currency == currency {
            return Ok(money.amount);
        }
        dataset
            .exchange_rates()
            .ok_or_else(|| {
                Error::new(
                    crate::ErrorKind::CurrencyMismatch,
                    format!("{what}: no exchange rates to convert {money} to {currency}"),
                )
            })?
            .convert(money, currency)
            .map(|m| m.amount)
            .map_err(|e| Error::new(e.kind(), format!("{what}: {e}")))
    };
    let before = |at: DateTime<Utc>| request.as_of.is_none_or(|end| at < end);
    let counts = |t: TouchType| request.touch_types.contains(&t);
    let ads = ad_campaigns(dataset);
    let is_ad = |id: &crate::model::CampaignId| ads.contains(&id);
    let campaign_channel = |id: &crate::model::CampaignId| -> String {
        let name = dataset
            .campaign(id)
            .map_or("other", |c| channel_name(c.channel));
        if request.ad_touches == AdTouches::PaidChannel && is_ad(id) {
            format!("paid_{name}")
        } else {
            name.to_string()
        }
    };
    let ad_left_out = |id: Option<&crate::model::CampaignId>| {
        request.ad_touches == AdTouches::Exclude && id.is_some_and(is_ad)
    };
    let mut journeys = Vec::new();
    for (position, contact) in dataset.contacts().iter().enumerate() {
        let mut touches: Vec<Touch> = Vec::new();
        if let Some(source) = &contact.source_campaign {
            if counts(TouchType::SourceCampaign)
                && before(contact.created_at)
                && !ad_left_out(Some(source))
            {
                touches.push(Touch {
                    channel: campaign_channel(source),
                    campaign: Some(source.as_str().to_string()),
                    at: contact.created_at,
                    direct: false,
                });
            }
        }
        let mut conversions: Vec<(DateTime<Utc>, Decimal)> = Vec::new();
        for activity in dataset.activities_at(position) {
            if !before(activity.at) {
                continue;
            }
            let (kind, url) = match &activity.kind {
                ActivityKind::Purchase { amount, .. } => {
                    if request.conversion == Conversion::Purchase {
                        let what = format!("activity {}", activity.id.as_str());
                        conversions.push((activity.at, convert(amount, &what)?));
                    }
                    continue;
                }
                ActivityKind::Email { event, .. } => match event {
                    EmailEvent::Clicked => (TouchType::EmailClick, None),
                    EmailEvent::Opened => (TouchType::EmailOpen, None),
                    _ => continue,
                },
                ActivityKind::WebsiteVisit { url, .. } => (TouchType::WebsiteVisit, Some(url)),
                ActivityKind::FormSubmission { .. } => (TouchType::FormSubmission, None),
                ActivityKind::ContentDownload { .. } => (TouchType::ContentDownload, None),
                _ => continue,
            };
            let email = matches!(kind, TouchType::EmailClick | TouchType::EmailOpen);
            let utm_campaign = url
                .and_then(|u| query_param(u, "utm_campaign"))
                .and_then(|c| c.parse().ok())
                .filter(|c| dataset.campaign(c).is_some());
            let campaign = activity.campaign.clone().or(utm_campaign);
            let (channel, direct) = match (&campaign, url) {
                (Some(c), _) => (campaign_channel(c), false),
                (None, _) if email => ("email".to_string(), false),
                (None, Some(u)) => {
                    match query_param(u, "utm_medium").or_else(|| query_param(u, "utm_source")) {
                        Some(medium) => (medium.to_string(), false),
                        None => ("direct".to_string(), true),
                    }
                }
                (None, None) => ("direct".to_string(), true),
            };
            let wanted = if direct {
                counts(TouchType::Direct)
            } else {
                counts(kind)
            };
            if wanted && !ad_left_out(campaign.as_ref()) {
                touches.push(Touch {
                    channel,
                    campaign: campaign.map(|c| c.as_str().to_string()),
                    at: activity.at,
                    direct,
                });
            }
        }
        match request.conversion {
            Conversion::WonDeal => {
                for deal in dataset.deals_at(position) {
                    if let (true, Some(closed)) = (deal.status == DealStatus::Won, deal.closed_at) {
                        if before(closed) {
                            let what = format!("deal {}", deal.id.as_str());
                            conversions.push((closed, convert(&deal.value, &what)?));
                        }
                    }
                }
            }
            Conversion::LifecycleStage { stage } => {
                let reached = contact
                    .lifecycle
                    .history
                    .iter()
                    .find(|t| t.to >= stage && t.to != LifecycleStage::Disqualified);
                if let Some(t) = reached.filter(|t| before(t.at)) {
                    conversions.push((t.at, Decimal::ZERO));
                }
            }
            Conversion::Purchase => {}
        }
        touches.sort_by_key(|t| t.at);
        conversions.sort_by_key(|c| c.0);
        let mut rest = touches.as_slice();
        for (at, value) in conversions {
            let split = rest.partition_point(|t| t.at <= at);
            let (mine, later) = rest.split_at(split);
            journeys.push(CustomerPath {
                touches: mine.to_vec(),
                conversions: 1,
                value,
                converted_at: Some(at),
            });
            rest = later;
        }
        if !rest.is_empty() {
            journeys.push(CustomerPath {
                touches: rest.to_vec(),
                conversions: 0,
                value: Decimal::ZERO,
                converted_at: None,
            });
        }
    }
    let mut spend = Vec::new();
    for campaign in dataset.campaigns() {
        let what = format!("campaign {}", campaign.id.as_str());
        let mut amount = convert(&campaign.cost, &what)?;
        for entry in dataset.spend() {
            if entry.campaign.as_ref() == Some(&campaign.id) {
                let what = format!("spend {}", entry.id.as_str());
                amount = amount
                    .checked_add(convert(&entry.amount, &what)?)
                    .ok_or_else(|| Error::overflow(format!("{what}: spend overflows")))?;
            }
        }
        spend.push(Spend {
            channel: campaign_channel(&campaign.id),
            campaign: Some(campaign.id.as_str().to_string()),
            amount,
        });
    }
    Ok(AttributionRequest {
        currency,
        journeys,
        models: request.models.clone(),
        lookback_days: request.lookback_days,
        spend,
        scale: request.scale,
        top_paths: request.top_paths,
        direct_takes_last_touch: request.direct_takes_last_touch,
    })
}

/// Attribution over the dataset's journeys (see the module docs for how
/// they are built).
///
/// # Errors
///
/// Those of [`attribution_request`] and
/// [`attribution_report`].
pub fn dataset_attribution_report(
    dataset: &Dataset,
    request: &DatasetAttributionRequest,
) -> Result<AttributionReport> {
    // Refused before the paths are built, not after.
    super::report::check_models(&request.models)?;
    attribution_report(&attribution_request(dataset, request)?)
}
