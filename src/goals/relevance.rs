//! Relevance: which KPIs usually serve which business objective.

use super::goal::Objective;
use crate::kpi::catalog::{BusinessArea, KpiId};

/// Whether `kpi` is one usually moved to serve `objective`.
pub(crate) fn related(objective: &Objective, kpi: KpiId, category: BusinessArea) -> bool {
    use KpiId as K;
    match objective {
        Objective::IncreaseRetention => {
            category == BusinessArea::Retention
                || matches!(kpi, K::RenewalRate | K::RetainedCustomers)
        }
        Objective::ShortenSalesCycle => matches!(
            kpi,
            K::SalesCycleLength
                | K::SalesCycleLengthMedian
                | K::StageDuration
                | K::StageConversionRate
                | K::WinRate
                | K::CallsPerLead
        ),
        Objective::SellMore => {
            category == BusinessArea::Sales
                || matches!(
                    kpi,
                    K::CampaignRevenue
                        | K::CampaignPurchases
                        | K::CampaignNewCustomers
                        | K::LeadConversionRate
                        | K::RepeatPurchaseRate
                        | K::RepeatCustomers
                        | K::CustomerLifetimeValue
                        | K::CustomerLifetimeValueSimple
                )
        }
        Objective::ReduceAcquisitionCost => matches!(
            kpi,
            K::CustomerAcquisitionCost
                | K::CostPerLead
                | K::MarketingRoi
                | K::CampaignRoi
                | K::LeadConversionRate
                | K::WinRate
        ),
        Objective::RaiseSatisfaction => {
            category == BusinessArea::Service
                || matches!(
                    kpi,
                    K::CustomerSatisfaction | K::NetPromoterScore | K::ComplaintRate | K::ChurnRate
                )
        }
        Objective::RaiseLoyalty => matches!(
            kpi,
            K::NetPromoterScore
                | K::RepeatCustomers
                | K::RepeatPurchaseRate
                | K::CustomerReferrals
                | K::RetentionRate
                | K::RetainedCustomers
                | K::ChurnRate
                | K::RenewalRate
                | K::CustomerLifetimeValue
                | K::CustomerLifetimeValueSimple
                | K::CustomerSatisfaction
        ),
        Objective::RaiseConversion => matches!(
            kpi,
            K::LeadConversionRate
                | K::StageConversionRate
                | K::WinRate
                | K::WebsiteGoalCompletionRate
                | K::CallsToOpportunities
                | K::CampaignPurchases
                | K::CampaignNewCustomers
        ),
        Objective::ImproveService => {
            category == BusinessArea::Service
                || matches!(
                    kpi,
                    K::CustomerSatisfaction | K::ComplaintRate | K::NetPromoterScore
                )
        }
        Objective::Custom(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_objective_has_a_related_kpi_and_custom_ones_accept_any() {
        for objective in Objective::BUILT_IN {
            assert!(
                KpiId::ALL
                    .iter()
                    .any(|&k| related(&objective, k, k.definition().category)),
                "{}",
                objective.as_str()
            );
        }
        let custom = Objective::Custom("anything".to_string());
        assert!(
            KpiId::ALL
                .iter()
                .all(|&k| related(&custom, k, k.definition().category))
        );
        assert!(!related(
            &Objective::ShortenSalesCycle,
            KpiId::ChurnRate,
            KpiId::ChurnRate.definition().category
        ));
    }
}
