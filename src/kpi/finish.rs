//! Turning a [`KpiAccumulator`] into [`Measurement`]s: the formulas.
//!
//! The formula of every KPI, with the choice made where sources disagree, is
//! documented on its [`KpiId`] variant (and repeated in
//! [`KpiDefinition::formula`](super::catalog::KpiDefinition::formula)).

use chrono::DateTime;
use rust_decimal::Decimal;

use super::accumulate::{FUNNEL, KpiAccumulator};
use super::catalog::{KpiId, Unit};
use super::context::Context;
use super::facts::{Buckets, CustomerCounts, FoldOptions, Folder};
use super::request::{ChurnBasis, CustomerBasis, OrderBasis, RevenueSource};
use super::value::{BreakdownRow, Measurement, UndefinedCode, divide};
use crate::{Error, Result};

/// Customer-level counts: those folded already plus those of the contacts
/// whose facts the accumulator holds.
fn customers(ctx: &Context<'_>, acc: &KpiAccumulator) -> Result<CustomerCounts> {
    let mut c = acc.customers.clone();
    if !acc.contacts.is_empty() {
        let buckets = Buckets::new(std::iter::once(&acc.window))
            .ok_or_else(|| Error::invalid("accumulator", "the accumulator's window is invalid"))?;
        let options = FoldOptions {
            per_day: ctx.options.order_basis == OrderBasis::CustomerDay,
            new_revenue_months: ctx.options.new_revenue_months,
            opportunity_window_secs: i64::from(ctx.options.opportunity_window_days) * 86_400,
        };
        let mut folder = Folder::new(1);
        let mut counts = [CustomerCounts::default()];
        for facts in acc.contacts.values() {
            folder.fold(&mut facts.clone(), &buckets, options, &mut counts)?;
        }
        folder.finish(&mut counts);
        let [folded] = &counts;
        c.merge(folded)?;
    }
    Ok(c)
}

fn d(n: impl Into<Decimal>) -> Decimal {
    n.into()
}

fn unit_seconds(unit: Unit) -> i64 {
    match unit {
        Unit::Days => 86_400,
        Unit::Hours => 3_600,
        _ => 60,
    }
}

fn sub(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_sub(b)
        .ok_or_else(|| Error::overflow(format!("{a} - {b} overflows")))
}

fn mul(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_mul(b)
        .ok_or_else(|| Error::overflow(format!("{a} x {b} overflows")))
}

/// Mean of durations given in seconds, in the KPI's unit.
fn mean_duration(kpi: KpiId, total_secs: i128, count: u64, reason: &str) -> Measurement {
    let unit = kpi.definition().unit;
    let per = unit_seconds(unit);
    let Ok(total) = Decimal::try_from_i128_with_scale(total_secs, 0) else {
        return Measurement::undefined(
            kpi,
            UndefinedCode::Overflow,
            "the total duration overflows",
        );
    };
    let numerator = total
        .checked_div(d(per))
        .unwrap_or(Decimal::ZERO)
        .normalize();
    let denominator_secs = Decimal::from(count).checked_mul(d(per));
    Measurement {
        kpi,
        value: match denominator_secs {
            Some(den) => divide(total, den, Decimal::ONE, reason),
            None => divide(total, Decimal::ZERO, Decimal::ONE, reason),
        },
        numerator,
        denominator: d(count),
        unit,
        currency: None,
        breakdown: Vec::new(),
    }
}

/// Median of durations in seconds (sorted in place), in the KPI's unit.
fn median_duration(kpi: KpiId, values: &mut [i64], reason: &str) -> Measurement {
    values.sort_unstable();
    let unit = kpi.definition().unit;
    let per = d(unit_seconds(unit));
    let n = values.len();
    let (sum, count) = match n {
        0 => (0i128, 0i64),
        _ if n % 2 == 1 => (i128::from(values.get(n / 2).copied().unwrap_or(0)), 1),
        _ => {
            let a = values.get(n / 2 - 1).copied().unwrap_or(0);
            let b = values.get(n / 2).copied().unwrap_or(0);
            (i128::from(a) + i128::from(b), 2)
        }
    };
    let Ok(total) = Decimal::try_from_i128_with_scale(sum, 0) else {
        return Measurement::undefined(kpi, UndefinedCode::Overflow, "the duration overflows");
    };
    Measurement {
        kpi,
        value: divide(
            total,
            per.checked_mul(d(count)).unwrap_or(Decimal::ZERO),
            Decimal::ONE,
            reason,
        ),
        numerator: total.checked_div(per).unwrap_or(Decimal::ZERO).normalize(),
        denominator: d(count),
        unit,
        currency: None,
        breakdown: Vec::new(),
    }
}

/// Computes `kpis` from a finished accumulator.
pub(crate) fn finish(
    ctx: &Context<'_>,
    acc: &KpiAccumulator,
    kpis: &[KpiId],
) -> Result<Vec<Measurement>> {
    let c = customers(ctx, acc)?;
    let orders = match ctx.options.order_basis {
        OrderBasis::Event => acc.orders,
        OrderBasis::CustomerDay => c.order_days,
    };
    let cur = ctx.currency;
    let days = acc.window.period.days();
    let marketing = acc
        .marketing_spend
        .checked_add(acc.campaign_cost)
        .ok_or_else(|| Error::overflow("marketing spend overflows"))?;
    let mut out = Vec::with_capacity(kpis.len());
    for &kpi in kpis {
        use KpiId as K;
        let m = match kpi {
            K::LeadCount => Measurement::total(kpi, d(acc.leads)),
            K::LeadConversionRate => Measurement::ratio(
                kpi,
                d(acc.leads_converted),
                d(acc.leads),
                "no leads were created in the period",
            ),
            K::StageConversionRate => {
                let entered: u64 = acc.stage_entered.iter().sum();
                let advanced: u64 = acc.stage_advanced.iter().sum();
                let rows = FUNNEL
                    .iter()
                    .zip(acc.stage_entered.iter().zip(&acc.stage_advanced))
                    .map(|(stage, (&e, &a))| BreakdownRow {
                        key: stage.as_str().to_string(),
                        value: divide(
                            d(a),
                            d(e),
                            Decimal::ONE_HUNDRED,
                            "nobody entered the stage in the period",
                        ),
                        numerator: d(a),
                        denominator: d(e),
                    })
                    .collect();
                Measurement::ratio(
                    kpi,
                    d(advanced),
                    d(entered),
                    "nobody entered a lifecycle stage in the period",
                )
                .with_breakdown(rows)
            }
            K::CampaignsRun => Measurement::total(kpi, d(acc.campaigns_run)),
            K::CampaignResponses => Measurement::ratio(
                kpi,
                d(acc.campaign_responses),
                d(acc.campaigns_run),
                "no campaign ran in the period",
            ),
            K::CampaignPurchases => Measurement::ratio(
                kpi,
                d(acc.campaign_purchases),
                d(acc.campaigns_run),
                "no campaign ran in the period",
            ),
            K::CampaignRevenue => Measurement::total(kpi, acc.campaign_revenue).with_currency(cur),
            K::CampaignNewCustomers => Measurement::ratio(
                kpi,
                d(c.new_from_campaign),
                d(acc.campaigns_run),
                "no campaign ran in the period",
            ),
            K::CampaignRoi => Measurement::ratio(
                kpi,
                sub(acc.campaign_revenue, acc.campaign_cost)?,
                acc.campaign_cost,
                "no campaign cost was booked in the period",
            ),
            K::MarketingRoi => Measurement::ratio(
                kpi,
                sub(acc.campaign_revenue, marketing)?,
                marketing,
                "no marketing spend in the period",
            ),
            K::CostPerLead => Measurement::ratio(
                kpi,
                marketing,
                d(acc.leads),
                "no leads were created in the period",
            )
            .with_currency(cur),
            K::CustomerReferrals => Measurement::total(kpi, d(acc.referrals)),
            K::WebsiteVisits => Measurement::total(kpi, d(acc.visits)),
            K::WebsiteGoalCompletionRate => Measurement::ratio(
                kpi,
                d(acc.visits_with_goal),
                d(acc.visits),
                "no website visits in the period",
            ),
            K::AverageTimeOnSite => mean_duration(
                kpi,
                i128::try_from(acc.visit_secs).unwrap_or(i128::MAX),
                acc.visits,
                "no website visits in the period",
            ),
            K::EmailListGrowthRate => Measurement::ratio(
                kpi,
                sub(d(c.list_new), d(c.list_lost))?,
                d(c.list_start),
                "the e-mail list was empty at the start of the period",
            ),
            K::NewCustomers => Measurement::total(kpi, d(c.new)),
            K::RetainedCustomers => Measurement::total(kpi, d(c.retained)),
            K::WinRate => Measurement::ratio(
                kpi,
                d(acc.won),
                d(acc.won + acc.lost),
                "no deals were closed in the period",
            ),
            K::RenewalRate => Measurement::ratio(
                kpi,
                d(acc.renewals_won),
                d(acc.renewals_closed),
                "no renewal deals were closed in the period",
            ),
            K::SalesCalls => Measurement::total(kpi, d(c.sales_calls)),
            K::CallsToOpportunities => Measurement::ratio(
                kpi,
                d(c.calls_to_opportunities),
                d(c.sales_calls),
                "no outbound calls in the period",
            ),
            K::CallsPerLead => Measurement::ratio(
                kpi,
                d(c.sales_calls),
                d(c.called),
                "no outbound calls in the period",
            ),
            K::NewRevenue => Measurement::total(kpi, c.new_revenue).with_currency(cur),
            K::Revenue => Measurement::total(kpi, acc.revenue).with_currency(cur),
            K::PurchaseRevenue => Measurement::total(kpi, acc.purchase_revenue).with_currency(cur),
            K::ActiveCustomers => Measurement::total(kpi, d(c.active)),
            K::Orders => Measurement::total(kpi, d(orders)),
            K::AverageOrderValue => {
                Measurement::ratio(kpi, acc.revenue, d(orders), "no orders in the period")
                    .with_currency(cur)
            }
            K::PurchaseFrequency => {
                Measurement::ratio(kpi, d(orders), d(c.active), "no orders in the period")
            }
            K::OpenDeals => Measurement::total(kpi, d(acc.open_deals)),
            K::OpenPipelineValue => Measurement::total(kpi, acc.open_value).with_currency(cur),
            K::WeightedPipelineValue => {
                Measurement::total(kpi, acc.weighted_value.normalize()).with_currency(cur)
            }
            K::AverageDealSize => Measurement::ratio(
                kpi,
                acc.deal_revenue,
                d(acc.won),
                "no deals were won in the period",
            )
            .with_currency(cur),
            K::StageDuration => {
                let mut rows = Vec::new();
                let (mut count, mut secs) = (0u64, 0i128);
                for ((key, _, _), &(n, s)) in ctx.stages.stages.iter().zip(&acc.stays) {
                    if n == 0 {
                        continue;
                    }
                    count += n;
                    secs += s;
                    let m = mean_duration(kpi, s, n, "");
                    rows.push(BreakdownRow {
                        key: key.clone(),
                        value: m.value,
                        numerator: m.numerator,
                        denominator: m.denominator,
                    });
                }
                mean_duration(kpi, secs, count, "no deal left a stage in the period")
                    .with_breakdown(rows)
            }
            K::SalesCycleLength => mean_duration(
                kpi,
                acc.cycle_secs.iter().map(|&s| i128::from(s)).sum(),
                acc.cycle_secs.len() as u64,
                "no deals were won in the period",
            ),
            K::SalesCycleLengthMedian => median_duration(
                kpi,
                &mut acc.cycle_secs.clone(),
                "no deals were won in the period",
            ),
            K::ProposalsSent => Measurement::total(kpi, d(acc.proposals)),
            K::CrossSellRate => Measurement::ratio(
                kpi,
                d(c.cross_sell),
                d(c.at_start),
                "no customers at the start of the period",
            ),
            K::UpsellRate => Measurement::ratio(
                kpi,
                d(c.upsell),
                d(c.at_start),
                "no customers at the start of the period",
            ),
            K::RepeatCustomers => Measurement::total(kpi, d(c.repeaters)),
            K::RepeatPurchaseRate => {
                Measurement::ratio(kpi, d(c.repeaters), d(c.active), "no orders in the period")
            }
            K::ChurnRate => {
                let (lost, base, reason) = churn(ctx, &c);
                Measurement::ratio(kpi, d(lost), d(base), reason)
            }
            K::RetentionRate => {
                let kept = match ctx.options.customer_basis {
                    // New customers who already left by the end (a window
                    // shorter than the period) are not subtracted.
                    CustomerBasis::ActiveWindow => sub(d(c.at_end), d(c.new_at_end))?,
                    CustomerBasis::PreviousPeriod => d(c.retained),
                };
                Measurement::ratio(
                    kpi,
                    kept,
                    d(c.at_start),
                    "no customers at the start of the period",
                )
            }
            K::CustomerAcquisitionCost => {
                let mut spend = marketing
                    .checked_add(acc.sales_spend)
                    .ok_or_else(|| Error::overflow("acquisition spend overflows"))?;
                if !ctx.options.cac_includes_salaries {
                    spend = sub(spend, acc.marketing_salaries)?;
                    spend = sub(spend, acc.sales_salaries)?;
                }
                Measurement::ratio(kpi, spend, d(c.new), "no new customers in the period")
                    .with_currency(cur)
            }
            K::CustomerLifetimeValue => {
                // AOV x frequency x lifespan
                // = revenue/orders x orders/customers x lifespan/period
                // with lifespan in days = months x 1461 / 48.
                let months = d(ctx.options.customer_lifespan_months);
                let numerator = mul(mul(acc.revenue, months)?, d(1461))?;
                let denominator = mul(mul(d(c.active), d(days))?, d(48))?;
                Measurement::ratio(kpi, numerator, denominator, "no orders in the period")
                    .with_currency(cur)
            }
            K::CustomerLifetimeValueSimple => {
                // ARPU x margin / churn = revenue/purchasers x margin x base/lost.
                let (lost, base, _) = churn(ctx, &c);
                let margin = ctx
                    .options
                    .gross_margin
                    .map_or(Decimal::ONE, |m| m.as_fraction());
                let numerator = mul(mul(acc.revenue, margin)?, d(base))?;
                let denominator = mul(d(c.active), d(lost))?;
                let reason = if c.active == 0 {
                    "no orders in the period"
                } else {
                    "no customer churned in the period, so the lifetime is unbounded"
                };
                Measurement::ratio(kpi, numerator, denominator, reason).with_currency(cur)
            }
            K::NetPromoterScore => {
                let numerator = sub(d(acc.promoters), d(acc.detractors))?;
                let denominator = d(acc.nps_answers);
                Measurement {
                    value: divide(
                        numerator,
                        denominator,
                        Decimal::ONE_HUNDRED,
                        "no nps answers in the period",
                    ),
                    ..Measurement::ratio(kpi, numerator, denominator, "")
                }
            }
            K::CustomerSatisfaction => Measurement::ratio(
                kpi,
                d(acc.csat_satisfied),
                d(acc.csat_answers),
                "no csat answers in the period",
            ),
            K::ComplaintRate => Measurement::ratio(
                kpi,
                d(acc.complaints),
                d(c.at_end),
                "no customers at the end of the period",
            ),
            K::TicketsHandled => Measurement::total(kpi, d(acc.resolution_secs.len() as u64)),
            K::TicketsClosedSameDay => Measurement::ratio(
                kpi,
                d(acc.tickets_same_day),
                d(acc.tickets_opened),
                "no tickets were opened in the period",
            ),
            K::AverageResolutionTime => mean_duration(
                kpi,
                acc.resolution_secs.iter().map(|&s| i128::from(s)).sum(),
                acc.resolution_secs.len() as u64,
                "no tickets were resolved in the period",
            ),
            K::MedianResolutionTime => median_duration(
                kpi,
                &mut acc.resolution_secs.clone(),
                "no tickets were resolved in the period",
            ),
            K::FirstResponseTime => mean_duration(
                kpi,
                i128::try_from(acc.first_response_secs).unwrap_or(i128::MAX),
                acc.first_responses,
                "no tickets got a first response in the period",
            ),
            K::CallsPerDay => Measurement::ratio(kpi, d(acc.calls), d(days), ""),
            K::Callbacks => Measurement::total(kpi, d(acc.callbacks)),
            K::AverageHandleTime => mean_duration(
                kpi,
                i128::try_from(acc.handle_secs).unwrap_or(i128::MAX),
                acc.connected_calls,
                "no connected calls in the period",
            ),
            K::AbandonedCalls => Measurement::ratio(
                kpi,
                d(acc.inbound_lost),
                d(acc.inbound_calls),
                "no inbound calls in the period",
            ),
            K::SlaCompliance => Measurement::ratio(
                kpi,
                d(acc.sla_met),
                d(acc.sla_tickets),
                "no tickets with an sla were resolved in the period",
            ),
            K::CostPerInteraction => if ctx.options.service_teams.is_empty() {
                Measurement::undefined(
                    kpi,
                    UndefinedCode::NotConfigured,
                    "no service spend: name the service teams in options.service_teams",
                )
            } else {
                Measurement::ratio(
                    kpi,
                    acc.service_spend,
                    d(acc.tickets_opened + acc.calls),
                    "no tickets or calls in the period",
                )
            }
            .with_currency(cur),
        };
        let m = match cannot_tell(ctx, acc, kpi) {
            Some((code, reason)) => Measurement {
                currency: m.currency,
                ..Measurement::undefined(kpi, code, reason)
            },
            None => m,
        };
        out.push(m);
    }
    Ok(out)
}

/// What a KPI is built on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Input {
    Deals,
    Purchases,
    /// The revenue events of the configured revenue source.
    RevenueEvents,
    Other,
}

fn input_of(kpi: KpiId) -> Input {
    use KpiId as K;
    match kpi {
        K::WinRate
        | K::RenewalRate
        | K::OpenDeals
        | K::OpenPipelineValue
        | K::WeightedPipelineValue
        | K::AverageDealSize
        | K::StageDuration
        | K::SalesCycleLength
        | K::SalesCycleLengthMedian
        | K::CallsToOpportunities
        | K::CrossSellRate
        | K::UpsellRate
        | K::CampaignRevenue
        | K::CampaignRoi
        | K::MarketingRoi => Input::Deals,
        K::PurchaseRevenue | K::CampaignPurchases => Input::Purchases,
        K::NewCustomers
        | K::RetainedCustomers
        | K::NewRevenue
        | K::Revenue
        | K::ActiveCustomers
        | K::Orders
        | K::AverageOrderValue
        | K::PurchaseFrequency
        | K::RepeatCustomers
        | K::RepeatPurchaseRate
        | K::ChurnRate
        | K::RetentionRate
        | K::CustomerAcquisitionCost
        | K::CustomerLifetimeValue
        | K::CustomerLifetimeValueSimple
        | K::CampaignNewCustomers
        | K::ComplaintRate => Input::RevenueEvents,
        _ => Input::Other,
    }
}

/// Whether the KPI looks at the customers at the start of the period.
fn uses_starting_customers(ctx: &Context<'_>, kpi: KpiId) -> bool {
    use KpiId as K;
    match kpi {
        K::RetainedCustomers
        | K::RetentionRate
        | K::CrossSellRate
        | K::UpsellRate
        | K::CustomerLifetimeValueSimple => true,
        K::ChurnRate => ctx.options.churn_basis == ChurnBasis::StartingCustomers,
        _ => false,
    }
}

fn date_of(t: i64) -> String {
    DateTime::from_timestamp(t, 0).map_or_else(|| t.to_string(), |t| t.date_naive().to_string())
}

/// Why `kpi` cannot be told from the data the accumulator saw, if so.
fn cannot_tell(
    ctx: &Context<'_>,
    acc: &KpiAccumulator,
    kpi: KpiId,
) -> Option<(UndefinedCode, String)> {
    let source = ctx.options.revenue_source;
    let missing = match input_of(kpi) {
        Input::Deals if acc.deals_seen == 0 => Some("the data holds no deals".to_string()),
        Input::Purchases if acc.purchases_seen == 0 => {
            Some("the data holds no purchase activities".to_string())
        }
        Input::RevenueEvents => {
            let none = match source {
                RevenueSource::Deals => acc.deals_seen == 0,
                RevenueSource::Purchases => acc.purchases_seen == 0,
                RevenueSource::Both => acc.deals_seen == 0 && acc.purchases_seen == 0,
            };
            none.then(|| {
                let hint = match source {
                    RevenueSource::Deals if acc.purchases_seen > 0 => {
                        "; it holds purchases: set options.revenue_source to purchases or both"
                    }
                    RevenueSource::Purchases if acc.deals_seen > 0 => {
                        "; it holds deals: set options.revenue_source to deals or both"
                    }
                    _ => "",
                };
                let what = match source {
                    RevenueSource::Deals => "deals",
                    RevenueSource::Purchases => "purchase activities",
                    RevenueSource::Both => "deals nor purchase activities",
                };
                let neither = if source == RevenueSource::Both {
                    "neither "
                } else {
                    "no "
                };
                format!(
                    "the data holds {neither}{what} (revenue_source {}){hint}",
                    source.as_str()
                )
            })
        }
        _ => None,
    };
    if let Some(reason) = missing {
        return Some((UndefinedCode::MissingData, reason));
    }
    let w = acc.window;
    if uses_starting_customers(ctx, kpi) && w.active_start_from < acc.first_record {
        let (how, fix) = match ctx.options.customer_basis {
            CustomerBasis::ActiveWindow => (
                format!(
                    "the {}-day activity window before {} starts on {}",
                    ctx.options.active_customer_days,
                    w.period.start(),
                    date_of(w.active_start_from)
                ),
                "shorten options.active_customer_days or use customer_basis previous_period",
            ),
            CustomerBasis::PreviousPeriod => (
                format!(
                    "they are the customers of the previous period, which starts on {}",
                    date_of(w.active_start_from)
                ),
                "report a later period (its previous period must lie in the data) or use customer_basis active_window with a window the data covers",
            ),
        };
        return Some((
            UndefinedCode::InsufficientHistory,
            format!(
                "customers at the start of the period cannot be told: {how}, before the first record of the data ({}); {fix}",
                date_of(acc.first_record)
            ),
        ));
    }
    // The complaint rate counts customers at the end: an activity window
    // reaching before the data undercounts them. (With the previous-period
    // basis they are the buyers of the period itself, all in the data.)
    if kpi == KpiId::ComplaintRate
        && ctx.options.customer_basis == CustomerBasis::ActiveWindow
        && w.active_end_from < acc.first_record
    {
        return Some((
            UndefinedCode::InsufficientHistory,
            format!(
                "customers at the end of the period cannot be told: the {}-day activity window before {} starts on {}, before the first record of the data ({}); shorten options.active_customer_days or use customer_basis previous_period",
                ctx.options.active_customer_days,
                w.period.end(),
                date_of(w.active_end_from),
                date_of(acc.first_record)
            ),
        ));
    }
    if kpi == KpiId::ChurnRate
        && ctx.options.churn_basis == ChurnBasis::UpForRenewal
        && w.renewal_from < acc.first_record
    {
        return Some((
            UndefinedCode::InsufficientHistory,
            format!(
                "customers up for renewal cannot be told: their contracts ({} months) started from {}, before the first record of the data ({})",
                ctx.options.contract_months,
                date_of(w.renewal_from),
                date_of(acc.first_record)
            ),
        ));
    }
    None
}

/// `(lost, base, reason)` of the churn rate for the configured basis.
fn churn(ctx: &Context<'_>, c: &CustomerCounts) -> (u64, u64, &'static str) {
    match ctx.options.churn_basis {
        ChurnBasis::StartingCustomers => (
            c.at_start - c.retained,
            c.at_start,
            "no customers at the start of the period",
        ),
        ChurnBasis::UpForRenewal => (
            c.up_for_renewal - c.renewed,
            c.up_for_renewal,
            "no customers were up for renewal in the period",
        ),
    }
}
