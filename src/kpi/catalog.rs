//! The KPI catalog: stable ids, names, units, directions, categories and
//! value domains of every metric crmkit computes.
//!
//! The catalog is the contract shared by the KPI calculators and the SMART
//! goal validator: a goal names a [`KpiId`], and the validator reads the
//! KPI's unit, direction and domain from here.
//!
//! Each variant's documentation is its exact formula as computed by
//! [`crate::kpi`], with the choice made where sources disagree. Where two
//! definitions are both common the other one is an option of
//! [`KpiOptions`](crate::kpi::KpiOptions): churn over starting customers or
//! over customers up for renewal (`churn_basis`), CAC with or without
//! salaries (`cac_includes_salaries`), the new-revenue window
//! (`new_revenue_months`), the active-customer window, the gross margin of
//! the simple CLV. Revenue, orders and customers come from one source for
//! the whole catalog (`revenue_source`: by default both won deals and
//! purchase activities, a purchase paying a won deal counted once, so that
//! a contact is a customer when it won a deal or made a purchase; `deals`
//! or `purchases` restrict it to one kind); an order is one revenue event
//! or, with `order_basis` `customer_day`, all events of a customer on one
//! day; the customers at the start of a period are by default those who
//! bought in the previous period, lost when they do not buy again in the
//! period (`customer_basis` `previous_period`), or those of a rolling
//! window (`active_window`, `active_customer_days`). A KPI whose inputs the
//! data cannot hold (no deals, no purchases, no history before the
//! previous period or the window) is undefined with the reason.
//!
//! ```
//! use crmkit::kpi::catalog::{Polarity, KpiId, Unit};
//!
//! let churn = KpiId::parse("churn_rate")?;
//! assert_eq!(churn.definition().unit, Unit::Percent);
//! assert_eq!(churn.definition().direction, Polarity::LowerIsBetter);
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
pub enum Polarity {
    /// More is better (win rate).
    HigherIsBetter,
    /// Less is better (churn, CAC, resolution time).
    LowerIsBetter,
}

/// The area of the business a KPI belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessArea {
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
    pub direction: Polarity,
    /// Area.
    pub category: BusinessArea,
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
                        direction: Polarity::$dir,
                        category: BusinessArea::$cat,
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
    LeadCount = "lead_count", "Leads", Count, HigherIsBetter, Marketing, ZERO, NONE, NONE, "contacts created in the period whose lifecycle was ever at lead or later (lead, MQL, SQL, opportunity, customer, evangelist); subscribers never promoted are not leads";
    LeadConversionRate = "lead_conversion_rate", "Lead-to-customer conversion rate", Percent, HigherIsBetter, Marketing, ZERO, HUNDRED, HUNDRED, "cohort view: leads created in the period that have reached customer (or evangelist) by the end of the data / leads created in the period x 100";
    StageConversionRate = "stage_conversion_rate", "Stage-to-stage conversion rate", Percent, HigherIsBetter, Marketing, ZERO, HUNDRED, HUNDRED, "lifecycle stage entries (subscriber..customer, the creation stage counts as entered at creation) in the period that were later followed by a move to any later funnel stage (skipping allowed, disqualified excluded) / stage entries in the period x 100; per-stage breakdown";
    CampaignsRun = "campaigns_run", "Campaigns run", Count, HigherIsBetter, Marketing, ZERO, NONE, NONE, "campaigns with at least one day between start and end inside the period";
    CampaignResponses = "campaign_responses", "Responses per campaign", Ratio, HigherIsBetter, Marketing, ZERO, NONE, NONE, "activities in the period with a campaign set, except e-mails sent or bounced (outreach, not responses) / campaigns run";
    CampaignPurchases = "campaign_purchases", "Purchases per campaign", Ratio, HigherIsBetter, Marketing, ZERO, NONE, NONE, "purchase activities in the period with a campaign set / campaigns run";
    CampaignRevenue = "campaign_revenue", "Campaign revenue", Money, HigherIsBetter, Marketing, ZERO, NONE, NONE, "value of deals won in the period whose source campaign is set, in the report currency";
    CampaignNewCustomers = "campaign_new_customers", "New customers per campaign", Ratio, HigherIsBetter, Marketing, ZERO, NONE, NONE, "new customers (see new_customers) whose first revenue event came from a campaign (a won deal with a source campaign, a purchase with a campaign) / campaigns run";
    CampaignRoi = "campaign_roi", "Campaign ROI", Percent, HigherIsBetter, Marketing, MINUS_HUNDRED, NONE, NONE, "(campaign revenue - cost of campaigns starting in the period) / cost of campaigns starting in the period x 100; a campaign's whole cost is booked on its start day (no proration)";
    MarketingRoi = "marketing_roi", "Marketing ROI", Percent, HigherIsBetter, Marketing, MINUS_HUNDRED, NONE, NONE, "(campaign revenue - marketing spend) / marketing spend x 100, where marketing spend = marketing spend entries dated in the period + cost of campaigns starting in the period (campaign costs are assumed not to be booked as spend entries)";
    CostPerLead = "cost_per_lead", "Cost per lead", Money, LowerIsBetter, Marketing, ZERO, NONE, ZERO, "marketing spend (as in marketing_roi) / leads (lead_count)";
    CustomerReferrals = "customer_referrals", "Customer referrals", Count, HigherIsBetter, Marketing, ZERO, NONE, NONE, "referral activities in the period";
    WebsiteVisits = "website_visits", "Website visits", Count, HigherIsBetter, Marketing, ZERO, NONE, NONE, "website visit activities in the period";
    WebsiteGoalCompletionRate = "website_goal_completion_rate", "Website goal completion rate", Percent, HigherIsBetter, Marketing, ZERO, HUNDRED, HUNDRED, "website visits in the period that completed a goal / website visits in the period x 100";
    AverageTimeOnSite = "average_time_on_site", "Average time on site", Minutes, HigherIsBetter, Marketing, ZERO, NONE, NONE, "sum of website visit durations in the period / website visits in the period, in minutes";
    EmailListGrowthRate = "email_list_growth_rate", "E-mail list growth rate", Percent, HigherIsBetter, Marketing, MINUS_HUNDRED, NONE, NONE, "(contacts with an e-mail created in the period - list members whose first bounce or unsubscribe falls in the period) / contacts with an e-mail created before the period and not bounced or unsubscribed before it x 100";
    NewCustomers = "new_customers", "New customers", Count, HigherIsBetter, Sales, ZERO, NONE, NONE, "contacts whose first revenue event (over all their records, whatever the segment) falls in the period and lies in the segment; a revenue event is a won deal or a purchase activity (options.revenue_source: by default both, won deals and purchase activities, a purchase paying a won deal counted once through its deal; or deals or purchases only)";
    RetainedCustomers = "retained_customers", "Retained customers", Count, HigherIsBetter, Sales, ZERO, NONE, NONE, "customers at the start of the period who are still customers at its end; by default (customer_basis previous_period) the customers at the start are the contacts with a revenue event (revenue_source, by default won deals and purchases) in the previous period (of the request's granularity, else the same number of days before), retained when they have one again in the period, and the customers at the end are those with a revenue event in the period; undefined when the previous period starts before the first record of the data; with customer_basis active_window a contact is a customer at an instant when it had a revenue event in the active_customer_days (365) before it, undefined when that window reaches before the first record of the data";
    WinRate = "win_rate", "Win rate", Percent, HigherIsBetter, Sales, ZERO, HUNDRED, HUNDRED, "deals won in the period / deals won or lost in the period x 100 (open deals are not counted)";
    RenewalRate = "renewal_rate", "Renewal rate", Percent, HigherIsBetter, Sales, ZERO, HUNDRED, NONE, "renewal deals won in the period / renewal deals won or lost in the period x 100";
    SalesCalls = "sales_calls", "Sales calls made", Count, HigherIsBetter, Sales, ZERO, NONE, NONE, "outbound calls in the period";
    CallsToOpportunities = "calls_to_opportunities", "Calls leading to opportunities", Percent, HigherIsBetter, Sales, ZERO, HUNDRED, HUNDRED, "outbound calls in the period followed, within opportunity_window_days (30) after the call, by the creation of a deal for the same contact / outbound calls in the period x 100";
    CallsPerLead = "calls_per_lead", "Sales calls per lead", Ratio, LowerIsBetter, Sales, ZERO, NONE, NONE, "outbound calls in the period / distinct contacts called in the period";
    NewRevenue = "new_revenue", "New revenue", Money, HigherIsBetter, Sales, ZERO, NONE, NONE, "revenue (as in revenue) of events in the period that happened less than new_revenue_months (6) after the customer's first revenue event (the first event itself included)";
    Revenue = "revenue", "Revenue", Money, HigherIsBetter, Sales, ZERO, NONE, NONE, "value of the revenue events of the period, in the report currency: won deals (close date in the period), purchase activities, or both (options.revenue_source: by default both, won deals and purchase activities, a purchase paying a won deal counted once through its deal; or deals or purchases only)";
    OpenDeals = "open_deals", "Open deals", Count, HigherIsBetter, Sales, ZERO, NONE, NONE, "deals created before the end of the period and not closed before it (historical view: what was open at the period's end)";
    OpenPipelineValue = "open_pipeline_value", "Open pipeline value", Money, HigherIsBetter, Sales, ZERO, NONE, NONE, "value of the deals counted by open_deals";
    WeightedPipelineValue = "weighted_pipeline_value", "Weighted pipeline value", Money, HigherIsBetter, Sales, ZERO, NONE, NONE, "sum over open deals (as in open_deals) of value x win probability of the stage the deal was in at the end of the period";
    AverageDealSize = "average_deal_size", "Average deal size", Money, HigherIsBetter, Sales, ZERO, NONE, NONE, "value of deals won in the period / deals won in the period (always deals; see average_order_value for orders of any source)";
    StageDuration = "stage_duration", "Time in stage", Days, LowerIsBetter, Sales, ZERO, NONE, ZERO, "mean days between entering and leaving a pipeline stage, over stage stays that ended in the period; per-stage breakdown";
    SalesCycleLength = "sales_cycle_length", "Sales cycle length (mean)", Days, LowerIsBetter, Sales, ZERO, NONE, ZERO, "mean days from deal creation to close, over deals won in the period";
    SalesCycleLengthMedian = "sales_cycle_length_median", "Sales cycle length (median)", Days, LowerIsBetter, Sales, ZERO, NONE, ZERO, "median days from deal creation to close, over deals won in the period (mean of the two middle values for an even count)";
    ProposalsSent = "proposals_sent", "Proposals sent", Count, HigherIsBetter, Sales, ZERO, NONE, NONE, "proposal activities in the period";
    CrossSellRate = "cross_sell_rate", "Cross-sell rate", Percent, HigherIsBetter, Sales, ZERO, HUNDRED, HUNDRED, "customers at the start of the period (as in retained_customers) who won a cross-sell deal in the period / customers at the start of the period x 100";
    UpsellRate = "upsell_rate", "Upsell rate", Percent, HigherIsBetter, Sales, ZERO, HUNDRED, HUNDRED, "customers at the start of the period (as in retained_customers) who won an upsell deal in the period / customers at the start of the period x 100";
    RepeatCustomers = "repeat_customers", "Repeat customers", Count, HigherIsBetter, Retention, ZERO, NONE, NONE, "customers with two or more orders in the period (orders as in orders)";
    RepeatPurchaseRate = "repeat_purchase_rate", "Repeat purchase rate", Percent, HigherIsBetter, Retention, ZERO, HUNDRED, HUNDRED, "customers with two or more orders in the period / customers with an order in the period (active_customers) x 100 (orders as in orders)";
    ActiveCustomers = "active_customers", "Active customers", Count, HigherIsBetter, Retention, ZERO, NONE, NONE, "distinct contacts with an order (a revenue event, see revenue) in the period";
    Orders = "orders", "Orders", Count, HigherIsBetter, Sales, ZERO, NONE, NONE, "revenue events of the period (won deals, purchases or both as in revenue); with order_basis customer_day, all events of one customer on one UTC day are one order (the CLV literature's and crmkit's RFM convention)";
    AverageOrderValue = "average_order_value", "Average order value", Money, HigherIsBetter, Sales, ZERO, NONE, NONE, "revenue / orders in the period (revenue and orders as in revenue and orders)";
    PurchaseFrequency = "purchase_frequency", "Purchase frequency", Ratio, HigherIsBetter, Retention, ZERO, NONE, NONE, "orders in the period / active customers in the period (orders per customer)";
    PurchaseRevenue = "purchase_revenue", "Purchase revenue", Money, HigherIsBetter, Sales, ZERO, NONE, NONE, "amount of every purchase activity in the period, in the report currency (purchases paying a won deal included; whatever revenue_source says)";
    ChurnRate = "churn_rate", "Customer churn rate", Percent, LowerIsBetter, Retention, ZERO, HUNDRED, ZERO, "default (churn_basis starting_customers): (customers at the start - those still customers at the end) / customers at the start x 100, customers as in retained_customers: by default the buyers of the previous period (won deal or purchase) who did not buy again in the period / the buyers of the previous period (undefined when the previous period, or with customer_basis active_window the window, reaches before the data); option up_for_renewal: customers whose contract (contract_months, 12, from a won deal) ends in the period and who did not win a renewal deal in it / customers up for renewal x 100 (undefined when those contracts started before the data)";
    RetentionRate = "retention_rate", "Customer retention rate", Percent, HigherIsBetter, Retention, ZERO, HUNDRED, HUNDRED, "default (customer_basis previous_period): customers of the previous period with a revenue event (won deal or purchase, as in revenue) again in the period / customers of the previous period x 100 (100 - churn_rate); active_window basis: (customers at the end - new customers of the period still customers at its end) / customers at the start x 100, the classic (E - N) / S (a new customer whose window ended before the period did is not subtracted), customers as in retained_customers; reactivated customers count in E, so it can differ from 100 - churn";
    CustomerAcquisitionCost = "customer_acquisition_cost", "Customer acquisition cost", Money, LowerIsBetter, Retention, ZERO, NONE, ZERO, "(marketing spend as in marketing_roi + sales spend entries dated in the period) / new customers; with cac_includes_salaries = false, salary entries are left out (the paid CAC)";
    CustomerLifetimeValue = "customer_lifetime_value", "Customer lifetime value (historical)", Money, HigherIsBetter, Retention, ZERO, NONE, NONE, "historical: average order value x purchase frequency x lifespan = (revenue / orders) x (orders / active customers) x (customer_lifespan_months (36) x 30.4375 days / days in the period), revenue, orders and customers as in revenue, orders and active_customers";
    CustomerLifetimeValueSimple = "customer_lifetime_value_simple", "Customer lifetime value (simple)", Money, HigherIsBetter, Retention, ZERO, NONE, NONE, "simple: revenue per active customer x gross margin / churn rate = (revenue / active customers) x gross_margin / (churned / churn base), revenue and customers as in revenue and active_customers, churn as in churn_rate; undefined when nobody churned";
    NetPromoterScore = "net_promoter_score", "Net promoter score", Score, HigherIsBetter, Retention, MINUS_HUNDRED, HUNDRED, HUNDRED, "(NPS answers of 9-10 - answers of 0-6) / NPS answers in the period x 100";
    CustomerSatisfaction = "customer_satisfaction", "Customer satisfaction (CSAT)", Percent, HigherIsBetter, Retention, ZERO, HUNDRED, HUNDRED, "CSAT answers of 4 or 5 / CSAT answers in the period x 100, on a 1-5 scale (public reviews are not counted)";
    ComplaintRate = "complaint_rate", "Complaint rate", Percent, LowerIsBetter, Retention, ZERO, NONE, ZERO, "complaint tickets opened in the period per 100 customers at the end of the period (tickets / customers x 100), customers as in retained_customers (by default the contacts with a revenue event in the period); no maximum: one customer may open several complaints, and a lapsed customer's complaint counts too";
    TicketsHandled = "tickets_handled", "Tickets handled", Count, HigherIsBetter, Service, ZERO, NONE, NONE, "tickets resolved in the period";
    TicketsClosedSameDay = "tickets_closed_same_day", "Tickets closed the same day", Percent, HigherIsBetter, Service, ZERO, HUNDRED, HUNDRED, "tickets opened in the period and resolved on the same UTC day / tickets opened in the period x 100";
    AverageResolutionTime = "average_resolution_time", "Average resolution time", Hours, LowerIsBetter, Service, ZERO, NONE, ZERO, "mean hours from opening to resolution, over tickets resolved in the period";
    MedianResolutionTime = "median_resolution_time", "Median resolution time", Hours, LowerIsBetter, Service, ZERO, NONE, ZERO, "median hours from opening to resolution, over tickets resolved in the period";
    FirstResponseTime = "first_response_time", "First response time", Hours, LowerIsBetter, Service, ZERO, NONE, ZERO, "mean hours from opening to the first response, over tickets first answered in the period";
    CallsPerDay = "calls_per_day", "Calls per day", Ratio, HigherIsBetter, Service, ZERO, NONE, NONE, "calls in the period (inbound and outbound) / days in the period";
    Callbacks = "callbacks", "Callbacks", Count, HigherIsBetter, Service, ZERO, NONE, NONE, "calls in the period marked as callbacks";
    AverageHandleTime = "average_handle_time", "Average handle time", Minutes, LowerIsBetter, Service, ZERO, NONE, ZERO, "(talk + hold + wrap-up seconds) / connected calls in the period, in minutes";
    AbandonedCalls = "abandoned_calls", "Abandoned and missed calls", Percent, LowerIsBetter, Service, ZERO, HUNDRED, ZERO, "inbound calls in the period that were abandoned or missed / inbound calls in the period x 100";
    SlaCompliance = "sla_compliance", "SLA compliance", Percent, HigherIsBetter, Service, ZERO, HUNDRED, NONE, "tickets with an SLA resolved in the period that met every target (first response and resolution within their minutes) / tickets with an SLA resolved in the period x 100";
    CostPerInteraction = "cost_per_interaction", "Average cost per interaction", Money, LowerIsBetter, Service, ZERO, NONE, ZERO, "spend entries dated in the period booked to a service team (options.service_teams) / (tickets opened + calls in the period); undefined when no service team is configured";
}

impl KpiId {
    /// Parses a KPI id, with an error listing the known ids.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`] for an unknown
    /// id, listing the known ids (the echoed id is shortened when long).
    pub fn parse(id: &str) -> Result<KpiId> {
        KpiId::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == id)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Unsupported,
                    format!(
                        "unknown kpi {}; known kpis: {}",
                        crate::error::shown(id),
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
