//! The KPI catalog: stable ids, names, units, directions, categories and
//! value domains of every metric crmkit computes.
//!
//! The catalog is the contract shared by the KPI calculators and the SMART
//! goal validator: a goal names a [`KpiId`], and the validator reads the
//! KPI's unit, direction and domain from here.
//!
//! ```
//! use crmkit::kpi::catalog::{Direction, KpiId, Unit};
//!
//! let churn = KpiId::parse("churn_rate")?;
//! assert_eq!(churn.definition().unit, Unit::Percent);
//! assert_eq!(churn.definition().direction, Direction::LowerIsBetter);
//! assert!(KpiId::parse("happiness").is_err());
//! Ok::<(), crmkit::Error>(())
//! ```

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Error, ErrorKind, Result};

/// The unit a KPI value is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A count of things.
    Count,
    /// A percentage (35 means 35 %).
    Percent,
    /// Money in the report's currency.
    Money,
    /// A duration in days.
    Days,
    /// A duration in hours.
    Hours,
    /// A duration in minutes.
    Minutes,
    /// A ratio of two counts that is not a share (calls per lead).
    Ratio,
    /// A score on a fixed scale (NPS: −100 to 100).
    Score,
}

/// Whether a higher or a lower value is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// More is better (win rate).
    HigherIsBetter,
    /// Less is better (churn, CAC, resolution time).
    LowerIsBetter,
}

/// The area of the business a KPI belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Marketing.
    Marketing,
    /// Sales.
    Sales,
    /// Retention and customer value.
    Retention,
    /// Customer service.
    Service,
}

/// The static description of one KPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KpiDefinition {
    /// Stable id.
    pub id: KpiId,
    /// English display name.
    pub name: &'static str,
    /// Unit of the value.
    pub unit: Unit,
    /// Which way is better.
    pub direction: Direction,
    /// Area.
    pub category: Category,
    /// Smallest possible value, if bounded.
    #[serde(serialize_with = "ser_bound")]
    pub min: Option<Decimal>,
    /// Largest possible value, if bounded.
    #[serde(serialize_with = "ser_bound")]
    pub max: Option<Decimal>,
    /// A value that is possible by definition but not as a goal (zero
    /// churn, a 100 % win rate), if any.
    #[serde(serialize_with = "ser_bound")]
    pub ideal_limit: Option<Decimal>,
    /// The formula in words.
    pub formula: &'static str,
}

fn ser_bound<S: serde::Serializer>(
    value: &Option<Decimal>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match value {
        Some(v) => s.serialize_str(&v.to_string()),
        None => s.serialize_none(),
    }
}

macro_rules! catalog {
    ($( $variant:ident = $id:literal, $name:literal, $unit:ident, $dir:ident, $cat:ident, $min:expr, $max:expr, $ideal:expr, $formula:literal; )*) => {
        /// The id of a KPI in the catalog. JSON form: the snake_case id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum KpiId {
            $(
                #[doc = concat!($name, ": ", $formula)]
                $variant,
            )*
        }

        impl KpiId {
            /// Every KPI, in catalog order.
            pub const ALL: &'static [KpiId] = &[$(KpiId::$variant,)*];

            /// The stable id string.
            pub fn as_str(self) -> &'static str {
                match self { $(KpiId::$variant => $id,)* }
            }

            /// The KPI's definition.
            pub fn definition(self) -> KpiDefinition {
                match self {
                    $(KpiId::$variant => KpiDefinition {
                        id: KpiId::$variant,
                        name: $name,
                        unit: Unit::$unit,
                        direction: Direction::$dir,
                        category: Category::$cat,
                        min: $min,
                        max: $max,
                        ideal_limit: $ideal,
                        formula: $formula,
                    },)*
                }
            }
        }
    };
}

const ZERO: Option<Decimal> = Some(Decimal::ZERO);
const HUNDRED: Option<Decimal> = Some(Decimal::ONE_HUNDRED);
const MINUS_HUNDRED: Option<Decimal> = Some(Decimal::from_parts(100, 0, 0, true, 0));
const NONE: Option<Decimal> = None;

catalog! {
    LeadCount = "lead_count", "Leads", Count, HigherIsBetter, Marketing, ZERO, NONE, NONE, "contacts created in the period whose lifecycle reached lead or later";
    LeadConversionRate = "lead_conversion_rate", "Lead-to-customer conversion rate", Percent, HigherIsBetter, Marketing, ZERO, HUNDRED, HUNDRED, "leads created in the period that became customers / leads created in the period";
    StageConversionRate = "stage_conversion_rate", "Stage-to-stage conversion rate", Percent, HigherIsBetter, Marketing, ZERO, HUNDRED, HUNDRED, "items that left a lifecycle stage for the next / items that entered the stage";
    CampaignsRun = "campaigns_run", "Campaigns run", Count, HigherIsBetter, Marketing, ZERO, NONE, NONE, "campaigns active at some day of the period";
    CampaignResponses = "campaign_responses", "Responses per campaign", Ratio, HigherIsBetter, Marketing, ZERO, NONE, NONE, "activities attributed to a campaign / campaigns run";
    CampaignPurchases = "campaign_purchases", "Purchases per campaign", Ratio, HigherIsBetter, Marketing, ZERO, NONE, NONE, "purchases attributed to a campaign / campaigns run";
    CampaignRevenue = "campaign_revenue", "Campaign revenue", Money, HigherIsBetter, Marketing, ZERO, NONE, NONE, "value of won deals whose source campaign is set";
    CampaignNewCustomers = "campaign_new_customers", "New customers per campaign", Ratio, HigherIsBetter, Marketing, ZERO, NONE, NONE, "new customers whose source campaign is set / campaigns run";
    CampaignRoi = "campaign_roi", "Campaign ROI", Percent, HigherIsBetter, Marketing, MINUS_HUNDRED, NONE, NONE, "(campaign revenue - campaign cost) / campaign cost";
    MarketingRoi = "marketing_roi", "Marketing ROI", Percent, HigherIsBetter, Marketing, MINUS_HUNDRED, NONE, NONE, "(revenue attributed to marketing - marketing spend) / marketing spend";
    CostPerLead = "cost_per_lead", "Cost per lead", Money, LowerIsBetter, Marketing, ZERO, NONE, ZERO, "marketing spend / leads";
    CustomerReferrals = "customer_referrals", "Customer referrals", Count, HigherIsBetter, Marketing, ZERO, NONE, NONE, "referral activities in the period";
    WebsiteVisits = "website_visits", "Website visits", Count, HigherIsBetter, Marketing, ZERO, NONE, NONE, "website visit activities in the period";
    WebsiteGoalCompletionRate = "website_goal_completion_rate", "Website goal completion rate", Percent, HigherIsBetter, Marketing, ZERO, HUNDRED, HUNDRED, "visits that completed a goal / visits";
    AverageTimeOnSite = "average_time_on_site", "Average time on site", Minutes, HigherIsBetter, Marketing, ZERO, NONE, NONE, "total visit duration / visits";
    EmailListGrowthRate = "email_list_growth_rate", "E-mail list growth rate", Percent, HigherIsBetter, Marketing, MINUS_HUNDRED, NONE, NONE, "(new subscribers - unsubscribes - bounces) / subscribers at the start";
    NewCustomers = "new_customers", "New customers", Count, HigherIsBetter, Sales, ZERO, NONE, NONE, "contacts whose first won deal closed in the period";
    RetainedCustomers = "retained_customers", "Retained customers", Count, HigherIsBetter, Sales, ZERO, NONE, NONE, "customers at the start of the period still active at its end";
    WinRate = "win_rate", "Win rate", Percent, HigherIsBetter, Sales, ZERO, HUNDRED, HUNDRED, "deals won / deals closed in the period";
    RenewalRate = "renewal_rate", "Renewal rate", Percent, HigherIsBetter, Sales, ZERO, HUNDRED, NONE, "renewal deals won / renewal deals closed";
    SalesCalls = "sales_calls", "Sales calls made", Count, HigherIsBetter, Sales, ZERO, NONE, NONE, "outbound calls in the period";
    CallsToOpportunities = "calls_to_opportunities", "Calls leading to opportunities", Percent, HigherIsBetter, Sales, ZERO, HUNDRED, HUNDRED, "outbound calls followed by a deal for the contact within 30 days / outbound calls";
    CallsPerLead = "calls_per_lead", "Sales calls per lead", Ratio, LowerIsBetter, Sales, ZERO, NONE, NONE, "outbound calls / distinct contacts called";
    NewRevenue = "new_revenue", "New revenue", Money, HigherIsBetter, Sales, ZERO, NONE, NONE, "value of deals won in the period from customers within N months (6) of their first won deal";
    Revenue = "revenue", "Revenue", Money, HigherIsBetter, Sales, ZERO, NONE, NONE, "value of deals won in the period";
    OpenDeals = "open_deals", "Open deals", Count, HigherIsBetter, Sales, ZERO, NONE, NONE, "deals open at the end of the period";
    OpenPipelineValue = "open_pipeline_value", "Open pipeline value", Money, HigherIsBetter, Sales, ZERO, NONE, NONE, "value of deals open at the end of the period";
    WeightedPipelineValue = "weighted_pipeline_value", "Weighted pipeline value", Money, HigherIsBetter, Sales, ZERO, NONE, NONE, "sum of open deal value x stage win probability";
    AverageDealSize = "average_deal_size", "Average deal size", Money, HigherIsBetter, Sales, ZERO, NONE, NONE, "value of deals won / deals won";
    StageDuration = "stage_duration", "Time in stage", Days, LowerIsBetter, Sales, ZERO, NONE, ZERO, "mean days between entering and leaving a pipeline stage";
    SalesCycleLength = "sales_cycle_length", "Sales cycle length (mean)", Days, LowerIsBetter, Sales, ZERO, NONE, ZERO, "mean days from deal creation to win, over deals won in the period";
    SalesCycleLengthMedian = "sales_cycle_length_median", "Sales cycle length (median)", Days, LowerIsBetter, Sales, ZERO, NONE, ZERO, "median days from deal creation to win, over deals won in the period";
    ProposalsSent = "proposals_sent", "Proposals sent", Count, HigherIsBetter, Sales, ZERO, NONE, NONE, "proposal activities in the period";
    CrossSellRate = "cross_sell_rate", "Cross-sell rate", Percent, HigherIsBetter, Sales, ZERO, HUNDRED, HUNDRED, "customers with a cross-sell deal won / customers";
    UpsellRate = "upsell_rate", "Upsell rate", Percent, HigherIsBetter, Sales, ZERO, HUNDRED, HUNDRED, "customers with an upsell deal won / customers";
    RepeatCustomers = "repeat_customers", "Repeat customers", Count, HigherIsBetter, Retention, ZERO, NONE, NONE, "customers with two or more purchases";
    RepeatPurchaseRate = "repeat_purchase_rate", "Repeat purchase rate", Percent, HigherIsBetter, Retention, ZERO, HUNDRED, HUNDRED, "customers with two or more purchases / customers with a purchase";
    ChurnRate = "churn_rate", "Customer churn rate", Percent, LowerIsBetter, Retention, ZERO, HUNDRED, ZERO, "customers lost in the period / customers at the start";
    RetentionRate = "retention_rate", "Customer retention rate", Percent, HigherIsBetter, Retention, ZERO, HUNDRED, HUNDRED, "(customers at the end - new customers) / customers at the start";
    CustomerAcquisitionCost = "customer_acquisition_cost", "Customer acquisition cost", Money, LowerIsBetter, Retention, ZERO, NONE, ZERO, "(marketing + sales spend) / new customers";
    CustomerLifetimeValue = "customer_lifetime_value", "Customer lifetime value (historical)", Money, HigherIsBetter, Retention, ZERO, NONE, NONE, "average order value x purchase frequency x lifespan";
    CustomerLifetimeValueSimple = "customer_lifetime_value_simple", "Customer lifetime value (simple)", Money, HigherIsBetter, Retention, ZERO, NONE, NONE, "revenue per customer x margin / churn rate";
    NetPromoterScore = "net_promoter_score", "Net promoter score", Score, HigherIsBetter, Retention, MINUS_HUNDRED, HUNDRED, HUNDRED, "% promoters (9-10) - % detractors (0-6)";
    CustomerSatisfaction = "customer_satisfaction", "Customer satisfaction (CSAT)", Percent, HigherIsBetter, Retention, ZERO, HUNDRED, HUNDRED, "answers of 4 or 5 / answers, on a 1-5 scale";
    ComplaintRate = "complaint_rate", "Complaint rate", Percent, LowerIsBetter, Retention, ZERO, HUNDRED, ZERO, "complaint tickets / customers";
    TicketsHandled = "tickets_handled", "Tickets handled", Count, HigherIsBetter, Service, ZERO, NONE, NONE, "tickets resolved in the period";
    TicketsClosedSameDay = "tickets_closed_same_day", "Tickets closed the same day", Percent, HigherIsBetter, Service, ZERO, HUNDRED, HUNDRED, "tickets resolved on the day they opened / tickets opened";
    AverageResolutionTime = "average_resolution_time", "Average resolution time", Hours, LowerIsBetter, Service, ZERO, NONE, ZERO, "mean hours from opening to resolution";
    MedianResolutionTime = "median_resolution_time", "Median resolution time", Hours, LowerIsBetter, Service, ZERO, NONE, ZERO, "median hours from opening to resolution";
    FirstResponseTime = "first_response_time", "First response time", Hours, LowerIsBetter, Service, ZERO, NONE, ZERO, "mean hours from opening to the first response";
    CallsPerDay = "calls_per_day", "Calls per day", Ratio, HigherIsBetter, Service, ZERO, NONE, NONE, "calls / days in the period";
    Callbacks = "callbacks", "Callbacks", Count, HigherIsBetter, Service, ZERO, NONE, NONE, "calls marked as callbacks";
    AverageHandleTime = "average_handle_time", "Average handle time", Minutes, LowerIsBetter, Service, ZERO, NONE, ZERO, "(talk + hold + wrap-up time) / connected calls";
    AbandonedCalls = "abandoned_calls", "Abandoned and missed calls", Percent, LowerIsBetter, Service, ZERO, HUNDRED, ZERO, "inbound calls abandoned or missed / inbound calls";
    SlaCompliance = "sla_compliance", "SLA compliance", Percent, HigherIsBetter, Service, ZERO, HUNDRED, NONE, "tickets that met every SLA target / tickets with an SLA";
    CostPerInteraction = "cost_per_interaction", "Average cost per interaction", Money, LowerIsBetter, Service, ZERO, NONE, ZERO, "service spend / (tickets + calls)";
}

impl KpiId {
    /// Parses a KPI id, with an error listing the known ids.
    pub fn parse(id: &str) -> Result<KpiId> {
        KpiId::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == id)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Unsupported,
                    format!(
                        "unknown kpi {id:?}; known kpis: {}",
                        KpiId::ALL
                            .iter()
                            .map(|k| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })
    }
}

impl fmt::Display for KpiId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every KPI definition, in catalog order.
pub fn definitions() -> impl Iterator<Item = KpiDefinition> {
    KpiId::ALL.iter().map(|id| id.definition())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_json() {
        for &id in KpiId::ALL {
            assert_eq!(KpiId::parse(id.as_str()).ok(), Some(id));
            let json = serde_json::to_string(&id).expect("serialise");
            assert_eq!(json, format!("\"{}\"", id.as_str()));
            assert_eq!(id.definition().id, id);
        }
    }

    #[test]
    fn bounded_kpis_have_consistent_domains() {
        for def in definitions() {
            if let (Some(min), Some(max)) = (def.min, def.max) {
                assert!(min < max, "{}", def.id);
            }
            if let Some(ideal) = def.ideal_limit {
                assert!(
                    def.min.is_none_or(|m| ideal >= m) && def.max.is_none_or(|m| ideal <= m),
                    "{}",
                    def.id
                );
            }
        }
    }
}
