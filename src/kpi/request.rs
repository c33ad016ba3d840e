//! What to compute: the KPIs, the period, the segment and the formula
//! options, as a JSON document.
//!
//! ```
//! use crmkit::kpi::{ChurnBasis, KpiRequest};
//!
//! let request = KpiRequest::from_json(r#"{
//!     "kpis": ["win_rate", "churn_rate"],
//!     "period": {"start": "2026-01-01", "end": "2026-04-01"},
//!     "segment": {"team": "east"},
//!     "options": {"churn_basis": "up_for_renewal"}
//! }"#)?;
//! assert_eq!(request.options.churn_basis, ChurnBasis::UpForRenewal);
//! assert_eq!(request.options.new_revenue_months, 6);
//! Ok::<(), crmkit::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use super::catalog::KpiId;
use crate::calendar::{Granularity, Period};
use crate::model::{CampaignId, Channel, PipelineId, RepId, TeamId};
use crate::money::{Currency, Percent};
use crate::{Error, Result};

/// The slice of the business a report looks at.
///
/// JSON: `{"owner": "R-1"}`, `{"team": "east"}`, `{"pipeline": "sales"}`,
/// `{"campaign": "CMP-1"}`, `{"channel": "email"}` or `{"saved": {"name":
/// "vip", "condition": {...}}}` (a [saved segment](crate::segments::SavedSegment)).
///
/// How each record kind is attributed to a segment:
///
/// | record    | owner / team                 | pipeline            | campaign / channel              |
/// |-----------|------------------------------|---------------------|---------------------------------|
/// | contact   | `owner` (its team)           | has a deal in it    | `source_campaign`               |
/// | deal      | `owner` (its team)           | `pipeline`          | `source_campaign`               |
/// | activity  | `rep`, else its deal's owner | its deal's pipeline | `campaign`, else the contact's  |
/// | ticket    | `assignee` (its team)        | never               | the contact's `source_campaign` |
/// | spend     | team: `team`; owner: never   | never               | `campaign`                      |
/// | campaign  | never                        | never               | itself                          |
///
/// A record without the attribute is outside the segment.
///
/// A saved segment selects contacts: its members and their deals,
/// activities and tickets are in the segment; spend and campaigns never
/// are. Membership is evaluated once, as of the end of the report's period
/// (a time series: the end of its range; a pipeline report: its `as_of`),
/// with the rules of [`crate::segments::saved`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Segment {
    /// One rep's records.
    Owner(RepId),
    /// The records of a team's reps.
    Team(TeamId),
    /// One pipeline's deals and their activities.
    Pipeline(PipelineId),
    /// One campaign.
    Campaign(CampaignId),
    /// Every campaign on one channel.
    Channel(Channel),
    /// The contacts of a saved segment, and their records.
    Saved(crate::segments::SavedSegment),
}

/// Which customers churn is measured over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChurnBasis {
    /// Customers lost in the period ÷ customers active at its start (the
    /// common definition for subscription and repeat-purchase businesses).
    #[default]
    StartingCustomers,
    /// Customers up for renewal in the period (a won deal whose contract,
    /// `contract_months` long, ends in the period) that did not win a renewal
    /// deal in the period ÷ customers up for renewal (the contract view).
    UpForRenewal,
}

/// Where revenue, orders and customers come from.
///
/// A contact is a customer at an instant, a new customer, an active
/// customer, and an order is counted, from the same events: won deals,
/// purchase activities, or both.
///
/// The default is [`RevenueSource::Both`], for KPI, cohort and RFM requests
/// alike: a contact is a customer when it won a deal or made a purchase,
/// one notion across the catalog. For a team that records only deals it
/// gives the digits of `deals`, for a shop that records only purchases
/// those of `purchases`; `deals` or `purchases` restrict a dataset holding
/// both to one kind (a team whose purchase activities are not revenue).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevenueSource {
    /// Won deals only (a sales team that records payments elsewhere);
    /// purchase activities are ignored.
    Deals,
    /// Purchase activities only (a shop); deals are ignored.
    Purchases,
    /// Won deals and purchase activities (the default). A purchase whose
    /// `deal` is a won deal is the payment of that deal: the deal's value
    /// is counted once and the purchase is not counted again (neither as
    /// revenue nor as an order).
    #[default]
    Both,
}

impl RevenueSource {
    /// Whether won deals are revenue events.
    pub fn deals(self) -> bool {
        matches!(self, RevenueSource::Deals | RevenueSource::Both)
    }

    /// Whether purchase activities are revenue events.
    pub fn purchases(self) -> bool {
        matches!(self, RevenueSource::Purchases | RevenueSource::Both)
    }

    /// The name used in reasons and formulas.
    pub fn as_str(self) -> &'static str {
        match self {
            RevenueSource::Deals => "deals",
            RevenueSource::Purchases => "purchases",
            RevenueSource::Both => "both",
        }
    }
}

/// What one order is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderBasis {
    /// Every revenue event (won deal or purchase activity) is one order
    /// (the default; GA4's "transactions").
    #[default]
    Event,
    /// All revenue events of one customer on one UTC day are one order (the
    /// convention of the CLV literature — BG/NBD "repeat transactions" —
    /// and of crmkit's RFM summary).
    CustomerDay,
}

/// Who the customers at the start and at the end of a period are, for
/// churn, retention, retained customers, cross-sell, upsell and complaint
/// rates and the simple CLV.
///
/// The default is [`CustomerBasis::PreviousPeriod`]: the customers at the
/// start of a period are those who bought (had a revenue event) in the
/// period before, and a customer is lost when it does not buy again in the
/// period. It needs no tuning and follows the report: a monthly report
/// gives month-over-month churn, a quarterly one quarter-over-quarter, a
/// yearly one the year-over-year retention of retail. A subscription paid
/// at least once per reported period counts as lost in the first period
/// it does not pay, as subscription businesses count it. A fixed
/// look-back window (the former default, 365 days) fits one rhythm only:
/// it keeps a monthly subscriber that cancelled a customer for a year and
/// is undefined on less than a year of history.
///
/// A team whose customers buy less often than once per reported period
/// (annual contracts, seasonal shops) gets churn from the renewals
/// ([`ChurnBasis::UpForRenewal`]) or from a window as long as its buying
/// cycle ([`CustomerBasis::ActiveWindow`] with `active_customer_days`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerBasis {
    /// Rolling window: a customer at an instant had a revenue event in the
    /// `active_customer_days` days before it. When that window reaches
    /// before the first record of the data, the customers at the start
    /// cannot be told and those KPIs are undefined.
    ActiveWindow,
    /// Cohort (the default): the customers at the start are those with a
    /// revenue event in the previous period (the aligned period of the
    /// request's granularity, else the same number of days just before);
    /// they are retained when they have a revenue event again in the
    /// period, and the customers at the end are those with a revenue event
    /// in the period. Undefined when the previous period starts before the
    /// first record of the data.
    #[default]
    PreviousPeriod,
}

fn default_new_revenue_months() -> u32 {
    6
}
fn default_contract_months() -> u32 {
    12
}
fn default_active_days() -> u32 {
    365
}
fn default_opportunity_days() -> u32 {
    30
}
fn default_lifespan_months() -> u32 {
    36
}
fn yes() -> bool {
    true
}

/// The choices a formula depends on. Every field has a default.
///
/// In JSON, giving `active_customer_days` without `customer_basis` selects
/// the `active_window` basis (a window given is a window used); without
/// either, the basis is `previous_period`. Built in Rust, the fields are
/// taken as they are: set `customer_basis` to
/// [`CustomerBasis::ActiveWindow`] for `active_customer_days` to count.
///
/// ```
/// use crmkit::kpi::{CustomerBasis, KpiRequest, RevenueSource};
///
/// let period = r#""period": {"start": "2026-04-01", "end": "2026-07-01"}"#;
/// let plain = KpiRequest::from_json(&format!("{{{period}}}"))?;
/// assert_eq!(plain.options.customer_basis, CustomerBasis::PreviousPeriod);
/// assert_eq!(plain.options.revenue_source, RevenueSource::Both);
/// let window = KpiRequest::from_json(&format!(
///     r#"{{{period}, "options": {{"active_customer_days": 60}}}}"#
/// ))?;
/// assert_eq!(window.options.customer_basis, CustomerBasis::ActiveWindow);
/// Ok::<(), crmkit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "KpiOptionsJson")]
pub struct KpiOptions {
    /// The currency money KPIs are reported in; defaults to the dataset's
    /// reporting currency, else the currency of its first deal. Other
    /// currencies are converted with the dataset's exchange rates (without
    /// rates, mixing currencies is a currency-mismatch error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// New revenue counts deals won within this many months of the
    /// customer's first won deal (default 6).
    #[serde(default = "default_new_revenue_months")]
    pub new_revenue_months: u32,
    /// Churn over starting customers (default) or customers up for renewal.
    #[serde(default)]
    pub churn_basis: ChurnBasis,
    /// Contract length for [`ChurnBasis::UpForRenewal`] (default 12).
    #[serde(default = "default_contract_months")]
    pub contract_months: u32,
    /// With `customer_basis` `active_window`, a contact is a customer at an
    /// instant when it had a revenue event (see `revenue_source`) in the
    /// preceding `active_customer_days` days (default 365, the retail
    /// "12-month active customer"); unused with the `previous_period`
    /// basis. In JSON, giving it without `customer_basis` selects
    /// `active_window`.
    #[serde(default = "default_active_days")]
    pub active_customer_days: u32,
    /// Where revenue, orders and customers come from (default `both`: won
    /// deals and purchase activities, a purchase paying a won deal counted
    /// once; see [`RevenueSource`]).
    #[serde(default)]
    pub revenue_source: RevenueSource,
    /// What one order is (default: every revenue event).
    #[serde(default)]
    pub order_basis: OrderBasis,
    /// Previous-period cohorts (default) or rolling-window customers (see
    /// [`CustomerBasis`] for why).
    #[serde(default)]
    pub customer_basis: CustomerBasis,
    /// Whether customer acquisition cost includes salaries (default true:
    /// the fully loaded CAC; false gives the "paid" CAC).
    #[serde(default = "yes")]
    pub cac_includes_salaries: bool,
    /// A call leads to an opportunity when a deal for the contact is created
    /// within this many days after it (default 30).
    #[serde(default = "default_opportunity_days")]
    pub opportunity_window_days: u32,
    /// Expected customer lifespan for the historical CLV (default 36).
    #[serde(default = "default_lifespan_months")]
    pub customer_lifespan_months: u32,
    /// Gross margin for the simple CLV; absent means 100 %.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gross_margin: Option<Percent>,
    /// Teams whose spend entries are service spend (for the cost per
    /// interaction); without any, that KPI is undefined.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_teams: Vec<TeamId>,
}

impl Default for KpiOptions {
    fn default() -> Self {
        KpiOptions {
            currency: None,
            new_revenue_months: default_new_revenue_months(),
            churn_basis: ChurnBasis::default(),
            contract_months: default_contract_months(),
            active_customer_days: default_active_days(),
            revenue_source: RevenueSource::default(),
            order_basis: OrderBasis::default(),
            customer_basis: CustomerBasis::default(),
            cac_includes_salaries: true,
            opportunity_window_days: default_opportunity_days(),
            customer_lifespan_months: default_lifespan_months(),
            gross_margin: None,
            service_teams: Vec::new(),
        }
    }
}

/// The JSON form of [`KpiOptions`]: the same members, with
/// `active_customer_days` and `customer_basis` kept as given so that a
/// window given without a basis selects the window.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KpiOptionsJson {
    #[serde(default)]
    currency: Option<Currency>,
    #[serde(default = "default_new_revenue_months")]
    new_revenue_months: u32,
    #[serde(default)]
    churn_basis: ChurnBasis,
    #[serde(default = "default_contract_months")]
    contract_months: u32,
    #[serde(default)]
    active_customer_days: Option<u32>,
    #[serde(default)]
    revenue_source: RevenueSource,
    #[serde(default)]
    order_basis: OrderBasis,
    #[serde(default)]
    customer_basis: Option<CustomerBasis>,
    #[serde(default = "yes")]
    cac_includes_salaries: bool,
    #[serde(default = "default_opportunity_days")]
    opportunity_window_days: u32,
    #[serde(default = "default_lifespan_months")]
    customer_lifespan_months: u32,
    #[serde(default)]
    gross_margin: Option<Percent>,
    #[serde(default)]
    service_teams: Vec<TeamId>,
}

impl From<KpiOptionsJson> for KpiOptions {
    fn from(json: KpiOptionsJson) -> KpiOptions {
        let customer_basis = json
            .customer_basis
            .unwrap_or(match json.active_customer_days {
                Some(_) => CustomerBasis::ActiveWindow,
                None => CustomerBasis::default(),
            });
        KpiOptions {
            currency: json.currency,
            new_revenue_months: json.new_revenue_months,
            churn_basis: json.churn_basis,
            contract_months: json.contract_months,
            active_customer_days: json
                .active_customer_days
                .unwrap_or_else(default_active_days),
            revenue_source: json.revenue_source,
            order_basis: json.order_basis,
            customer_basis,
            cac_includes_salaries: json.cac_includes_salaries,
            opportunity_window_days: json.opportunity_window_days,
            customer_lifespan_months: json.customer_lifespan_months,
            gross_margin: json.gross_margin,
            service_teams: json.service_teams,
        }
    }
}

impl KpiOptions {
    /// Checks the ranges; errors name the field.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) naming the field that
    /// is out of range (empty or reversed period, window length, too many KPIs
    /// or periods, times outside the supported range).
    pub fn validate(&self) -> Result<()> {
        for (name, value, max) in [
            ("new_revenue_months", self.new_revenue_months, 1200),
            ("contract_months", self.contract_months, 1200),
            ("active_customer_days", self.active_customer_days, 36_500),
            (
                "opportunity_window_days",
                self.opportunity_window_days,
                36_500,
            ),
            (
                "customer_lifespan_months",
                self.customer_lifespan_months,
                1200,
            ),
        ] {
            if value == 0 || value > max {
                return Err(Error::invalid(
                    format!("options.{name}"),
                    format!("expected a whole number from 1 to {max}, got {value}"),
                ));
            }
        }
        Ok(())
    }
}

/// A request for a KPI report.
///
/// # Example
///
/// Built in Rust (the JSON form is read by [`KpiRequest::from_json`]): a
/// shop's revenue and average order value for one quarter, from its
/// purchases.
///
/// ```
/// use chrono::NaiveDate;
/// use crmkit::calendar::Period;
/// use crmkit::kpi::catalog::KpiId;
/// use crmkit::kpi::{KpiRequest, RevenueSource, compute};
/// use crmkit::model::Dataset;
///
/// let shop = Dataset::from_json(r#"{
///   "contacts": [{"id": "C-1", "name": "Ada", "created_at": "2026-01-05T09:00:00Z"}],
///   "activities": [
///     {"id": "A-1", "contact": "C-1", "at": "2026-04-03T10:00:00Z",
///      "kind": {"type": "purchase", "amount": {"amount": "40.00", "currency": "EUR"}}},
///     {"id": "A-2", "contact": "C-1", "at": "2026-05-20T10:00:00Z",
///      "kind": {"type": "purchase", "amount": {"amount": "60.00", "currency": "EUR"}}}]}"#)?;
/// let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
/// let mut request = KpiRequest::new(Period::new(day(4, 1), day(7, 1))?);
/// request.kpis = vec![KpiId::Revenue, KpiId::AverageOrderValue];
/// request.options.revenue_source = RevenueSource::Purchases;
/// request.options.currency = Some("EUR".parse()?);
/// let report = compute(&shop, &request)?;
/// let aov = &report.row(KpiId::AverageOrderValue).unwrap().current;
/// assert_eq!(aov.value.as_decimal(), Some("50".parse().unwrap()));
/// Ok::<(), crmkit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiRequest {
    /// The KPIs to compute, in order; empty (or absent) means the whole
    /// catalog.
    #[serde(default)]
    pub kpis: Vec<KpiId>,
    /// The period reported on.
    pub period: Period,
    /// How the previous period is found: the aligned period of this
    /// granularity before `period` (fiscal quarters follow the dataset's
    /// fiscal calendar); absent: the same number of days just before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granularity: Option<Granularity>,
    /// Optional segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<Segment>,
    /// Formula options.
    #[serde(default)]
    pub options: KpiOptions,
}

impl KpiRequest {
    /// A request for the whole catalog over `period`.
    pub fn new(period: Period) -> KpiRequest {
        KpiRequest {
            kpis: Vec::new(),
            period,
            granularity: None,
            segment: None,
            options: KpiOptions::default(),
        }
    }

    /// Parses and validates a request; errors name the JSON path.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) for malformed JSON or a
    /// wrong shape; [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)
    /// for an unknown KPI id; [`ErrorKind::Invalid`](crate::ErrorKind::Invalid)
    /// for ranges, as [`KpiOptions::validate`].
    pub fn from_json(json: &str) -> Result<KpiRequest> {
        let request: KpiRequest = Error::parse_json(json)?;
        request.options.validate()?;
        Ok(request)
    }

    /// The KPIs asked for (the whole catalog when none were named).
    pub fn kpi_list(&self) -> &[KpiId] {
        if self.kpis.is_empty() {
            KpiId::ALL
        } else {
            &self.kpis
        }
    }
}

/// A request for one or more KPIs per week, month, quarter or year over a
/// range (the input of goal tracking).
///
/// JSON: `{"kpis": ["revenue"], "range": {"start": ..., "end": ...},
/// "granularity": "month", "segment": ..., "options": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeSeriesRequest {
    /// The KPIs; empty means the whole catalog.
    #[serde(default)]
    pub kpis: Vec<KpiId>,
    /// The range; every aligned period overlapping it is reported in full.
    pub range: Period,
    /// Week, month, quarter...
    pub granularity: Granularity,
    /// Optional segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<Segment>,
    /// Formula options.
    #[serde(default)]
    pub options: KpiOptions,
}

impl TimeSeriesRequest {
    /// Parses and validates a request; errors name the JSON path.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) for malformed JSON or a
    /// wrong shape; [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)
    /// for an unknown KPI id; [`ErrorKind::Invalid`](crate::ErrorKind::Invalid)
    /// for ranges (too many points, reversed period), naming the JSON path.
    pub fn from_json(json: &str) -> Result<TimeSeriesRequest> {
        let request: TimeSeriesRequest = Error::parse_json(json)?;
        request.options.validate()?;
        Ok(request)
    }
}
