//! CLV fits on grouped sufficient statistics: customers with the same
//! `(frequency, recency, age, monetary)` summary, counted once.
//!
//! The BG/NBD likelihood depends on a customer only through
//! `(frequency, recency, age)` and Gamma-Gamma's through
//! `(frequency, monetary)`, so a billion purchases reduce to the distinct
//! summaries with their counts (computed where the data lives, e.g. a SQL
//! `GROUP BY`) before the fit on one node. Each group's log-likelihood term
//! is multiplied by its count (integer weights: the usual frequency
//! weights of lifetimes' `fit(..., weights=)` and of statsmodels' `freq_weights`).
//!
//! Guarantees:
//! - [`BgNbd::fit_grouped`] gives **bit for bit** the parameters of
//!   [`BgNbd::fit`] on the same customers listed one by one, in any order:
//!   `fit` itself merges equal summaries into exact integer counts.
//! - [`GammaGamma::fit_grouped`] and [`ClvModel::fit_grouped`] evaluate a
//!   group of `n` equal customers as `n ×` one term where `fit` adds `n`
//!   equal terms, so the two may differ in the last bits of the floating
//!   sums (the fitted parameters agree to about 1e-12 relative); with every
//!   count 1 they are the same computation as `fit`, bit for bit.
//!
//! ```
//! use crmkit::predict::{BgNbd, BgNbdOptions, Rfm, RfmGroup, group_customers};
//!
//! let customers: Vec<Rfm> = [(0, 0.0, 30.0), (2, 10.0, 38.0), (5, 30.0, 31.0), (1, 3.0, 20.0),
//!                            (0, 0.0, 30.0), (7, 25.0, 27.0), (2, 10.0, 38.0)]
//!     .iter()
//!     .map(|&(frequency, recency, age)| Rfm { frequency, recency, age, monetary: 0.0 })
//!     .collect();
//! let groups: Vec<RfmGroup> = group_customers(&customers);
//! assert_eq!(groups.len(), 5);
//! let options = BgNbdOptions { penalty: 0.1, ..BgNbdOptions::default() };
//! let grouped = BgNbd::fit_grouped(&groups, &options)?;
//! assert_eq!(grouped.params, BgNbd::fit(&customers, &options)?.params);
//! assert_eq!(grouped.customers, 7);
//! Ok::<(), crmkit::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use super::bgnbd::{BgNbd, BgNbdOptions};
use super::clv::{ClvFitOptions, ClvModel};
use super::gamma_gamma::{GammaGamma, GammaGammaOptions};
use super::rfm::Rfm;
use crate::{Error, Result};

/// `count` customers with the same RFM summary.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmGroup {
    /// The summary they share.
    pub rfm: Rfm,
    /// How many customers have it (at least 1).
    pub count: u64,
}

/// The most customers a fit takes: counts are summed exactly in `f64`.
const MAX_CUSTOMERS: u64 = 1 << 53;

impl RfmGroup {
    /// One group of count 1 per customer (how the unweighted fits run).
    pub(crate) fn singletons(customers: &[Rfm]) -> Vec<RfmGroup> {
        customers
            .iter()
            .map(|&rfm| RfmGroup { rfm, count: 1 })
            .collect()
    }

    /// The number of customers, checking every count (`groups[i].count`
    /// in errors: `fit`'s singletons always pass).
    pub(crate) fn total(groups: &[RfmGroup]) -> Result<u64> {
        let mut total: u64 = 0;
        for (i, g) in groups.iter().enumerate() {
            if g.count == 0 {
                return Err(Error::invalid(
                    format!("groups[{i}].count"),
                    "expected at least one customer in a group",
                ));
            }
            total = total
                .checked_add(g.count)
                .filter(|t| *t <= MAX_CUSTOMERS)
                .ok_or_else(|| {
                    Error::invalid(
                        format!("groups[{i}].count"),
                        "the counts add up to more than 2^53 customers",
                    )
                })?;
        }
        Ok(total)
    }
}

fn group_path(i: usize) -> String {
    format!("groups[{i}].rfm")
}

/// The distinct summaries of `customers` with their counts, ordered by
/// `(frequency, recency, age, monetary)` (floats by their total order).
pub fn group_customers(customers: &[Rfm]) -> Vec<RfmGroup> {
    let mut sorted: Vec<Rfm> = customers.to_vec();
    sorted.sort_by(|p, q| {
        p.frequency
            .cmp(&q.frequency)
            .then(p.recency.total_cmp(&q.recency))
            .then(p.age.total_cmp(&q.age))
            .then(p.monetary.total_cmp(&q.monetary))
    });
    let mut groups: Vec<RfmGroup> = Vec::new();
    for rfm in sorted {
        match groups.last_mut() {
            Some(g) if same(&g.rfm, &rfm) => g.count += 1,
            _ => groups.push(RfmGroup { rfm, count: 1 }),
        }
    }
    groups
}

fn same(a: &Rfm, b: &Rfm) -> bool {
    a.frequency == b.frequency
        && a.recency.to_bits() == b.recency.to_bits()
        && a.age.to_bits() == b.age.to_bits()
        && a.monetary.to_bits() == b.monetary.to_bits()
}

impl BgNbd {
    /// [`BgNbd::fit`] on customers given as groups with counts (`monetary`
    /// is ignored); the same parameters, bit for bit, as `fit` on the
    /// customers listed one by one.
    ///
    /// # Errors
    ///
    /// Those of [`BgNbd::fit`], naming `groups[i].rfm.field`, and
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for a count of 0
    /// or counts adding up to more than 2^53 (`groups[i].count`).
    pub fn fit_grouped(groups: &[RfmGroup], options: &BgNbdOptions) -> Result<BgNbd> {
        BgNbd::fit_weighted(groups, options, &group_path)
    }
}

impl GammaGamma {
    /// [`GammaGamma::fit`] on customers given as groups with counts.
    ///
    /// # Errors
    ///
    /// Those of [`GammaGamma::fit`], naming `groups[i].rfm.monetary`, and
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for a count of 0
    /// or counts adding up to more than 2^53.
    pub fn fit_grouped(groups: &[RfmGroup], options: &GammaGammaOptions) -> Result<GammaGamma> {
        GammaGamma::fit_weighted(groups, options, &group_path)
    }
}

impl ClvModel {
    /// [`ClvModel::fit`] on customers given as groups with counts.
    ///
    /// # Errors
    ///
    /// Those of [`BgNbd::fit_grouped`] and [`GammaGamma::fit_grouped`].
    pub fn fit_grouped(groups: &[RfmGroup], options: &ClvFitOptions) -> Result<ClvModel> {
        ClvModel::fit_weighted(groups, options, &group_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::predict::{ClvReportOptions, rfm_from_dataset};
    use crate::sample::{SAMPLE_AS_OF, SampleConfig, generate};

    /// Customers of a B2B company (few purchases) and of a shop (many),
    /// with the duplicates real summaries have (one-time buyers of the
    /// same day, repeat buyers on the same days).
    fn shapes() -> Vec<Vec<Rfm>> {
        let mut out = Vec::new();
        for config in [
            SampleConfig {
                contacts: 300,
                ..SampleConfig::default()
            },
            SampleConfig {
                seed: 42,
                contacts: 200,
                activities_per_contact: 40,
                ..SampleConfig::default()
            },
        ] {
            let ds = generate(&config).unwrap();
            let options = crate::predict::RfmOptions {
                unit: crate::predict::TimeUnit::Weeks,
                calibration_end: SAMPLE_AS_OF,
                observation_end: None,
            };
            let table = rfm_from_dataset(&ds, &options, None).unwrap();
            let mut customers: Vec<Rfm> = table.table.rows.iter().map(|r| r.rfm).collect();
            // The sample's customers pay the same monthly price, so their
            // mean spends hardly differ and the Gamma-Gamma likelihood is
            // flat along q, gamma -> infinity (gamma / (q - 1) fixed): two
            // fits stop at different points of that ridge, and no digits
            // can be compared. Spread the mean spends by a fixed factor per
            // customer (0.5 to 1.49) so that the fit is well posed; the
            // test is about grouping, not about the sample.
            for (i, rfm) in customers.iter_mut().enumerate() {
                rfm.monetary *= 0.5 + ((i * 37) % 100) as f64 / 100.0;
            }
            // Repeat some customers so that groups have counts above 1.
            let copies: Vec<Rfm> = customers.iter().step_by(3).copied().collect();
            customers.extend(copies.iter().copied());
            customers.extend(copies);
            out.push(customers);
        }
        out
    }

    fn fit_options() -> ClvFitOptions {
        let report: ClvReportOptions =
            serde_json::from_str(r#"{"fit": {"unit": "weeks", "bgnbd": {"penalty": 0.01}}}"#)
                .unwrap();
        report.fit
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
    }

    #[test]
    fn grouping_keeps_every_customer_once() {
        for customers in shapes() {
            let groups = group_customers(&customers);
            assert!(groups.len() < customers.len());
            assert!(groups.iter().any(|g| g.count > 1));
            let total: u64 = groups.iter().map(|g| g.count).sum();
            assert_eq!(total as usize, customers.len());
        }
    }

    #[test]
    fn grouped_bgnbd_equals_the_fit_on_the_expanded_customers_bit_for_bit() {
        for customers in shapes() {
            let options = fit_options().bgnbd;
            let groups = group_customers(&customers);
            let grouped = BgNbd::fit_grouped(&groups, &options).unwrap();
            // The expansion in group order and the original order.
            let expanded: Vec<Rfm> = groups
                .iter()
                .flat_map(|g| std::iter::repeat_n(g.rfm, g.count as usize))
                .collect();
            for one_by_one in [&expanded, &customers] {
                let fit = BgNbd::fit(one_by_one, &options).unwrap();
                assert_eq!(grouped.params, fit.params);
                assert_eq!(grouped.standard_errors, fit.standard_errors);
                assert_eq!(
                    grouped.convergence.log_likelihood.to_bits(),
                    fit.convergence.log_likelihood.to_bits()
                );
                assert_eq!(
                    (grouped.customers, grouped.groups),
                    (fit.customers, fit.groups)
                );
            }
        }
    }

    #[test]
    fn grouped_clv_model_equals_the_fit_on_the_expanded_customers() {
        for customers in shapes() {
            let groups = group_customers(&customers);
            let grouped = ClvModel::fit_grouped(&groups, &fit_options()).unwrap();
            let fit = ClvModel::fit(&customers, &fit_options()).unwrap();
            assert_eq!(grouped.bgnbd.params, fit.bgnbd.params);
            let (g, f) = (
                grouped.gamma_gamma.as_ref().unwrap().params,
                fit.gamma_gamma.as_ref().unwrap().params,
            );
            assert!(
                close(g.p, f.p) && close(g.q, f.q) && close(g.gamma, f.gamma),
                "{g:?} {f:?}"
            );
            assert!(close(grouped.fallback_spend, fit.fallback_spend));
            assert_eq!(
                grouped.gamma_gamma.as_ref().unwrap().customers,
                fit.gamma_gamma.as_ref().unwrap().customers
            );
        }
    }

    #[test]
    fn singleton_groups_are_the_unweighted_fit_bit_for_bit() {
        for customers in shapes() {
            let groups: Vec<RfmGroup> = customers
                .iter()
                .map(|&rfm| RfmGroup { rfm, count: 1 })
                .collect();
            let grouped = ClvModel::fit_grouped(&groups, &fit_options()).unwrap();
            assert_eq!(grouped, ClvModel::fit(&customers, &fit_options()).unwrap());
        }
    }

    #[test]
    fn a_zero_count_or_a_bad_group_names_the_group() {
        let customers = &shapes()[0];
        let mut groups = group_customers(customers);
        groups[2].count = 0;
        let e = BgNbd::fit_grouped(&groups, &BgNbdOptions::default()).unwrap_err();
        assert!(e.to_string().contains("groups[2].count"), "{e}");
        let mut groups = group_customers(customers);
        groups[1].rfm.recency = groups[1].rfm.age + 1.0;
        let e = BgNbd::fit_grouped(&groups, &BgNbdOptions::default()).unwrap_err();
        assert!(e.to_string().contains("groups[1].rfm.recency"), "{e}");
        let mut groups = group_customers(customers);
        groups[0].count = u64::MAX;
        let e = GammaGamma::fit_grouped(&groups, &GammaGammaOptions::default()).unwrap_err();
        assert!(e.to_string().contains("groups[0].count"), "{e}");
    }
}
