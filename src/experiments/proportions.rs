//! Conversion rates: the two-proportion z-test, Pearson's chi-square test of
//! a k × 2 table, and intervals for the difference and the lift.
//!
//! Conventions (those of statsmodels' `proportions_ztest` and of the
//! textbooks): the z statistic uses the pooled proportion under H₀,
//! `z = (p̂_B − p̂_A) / √(p̄(1 − p̄)(1/n_A + 1/n_B))`; the interval for the
//! difference is the unpooled Wald interval
//! `p̂_B − p̂_A ± z_{1−α/2} √(p̂_A q̂_A/n_A + p̂_B q̂_B/n_B)`; the lift
//! `p̂_B / p̂_A − 1` gets the Katz log interval of the risk ratio,
//! `exp(ln(p̂_B/p̂_A) ± z √(q̂_A/(n_A p̂_A) + q̂_B/(n_B p̂_B))) − 1`. The
//! chi-square test has no continuity correction unless asked (for a 2 × 2
//! table it then equals z²); with it, Yates' `(|O − E| − ½)²/E` where the
//! ½ never exceeds `|O − E|` (scipy's convention).

use serde::Serialize;

use super::distributions::{chi_square_sf, normal_quantile, normal_sf};
use super::report::{Assumption, Interval, TestResult, check_probability, numeric};
use crate::{Error, Result};

/// Conversions out of visitors in one arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Proportion {
    /// Visitors (trials) in the arm.
    pub visitors: u64,
    /// Visitors who converted; at most `visitors`.
    pub conversions: u64,
}

impl Proportion {
    /// Builds an arm, refusing an empty arm or more conversions than
    /// visitors.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) when `visitors` is
    /// zero (the rate is undefined) or `conversions > visitors`.
    pub fn new(visitors: u64, conversions: u64) -> Result<Self> {
        if visitors == 0 {
            return Err(Error::invalid(
                "visitors",
                "arm has no visitors, so its conversion rate is undefined",
            ));
        }
        if conversions > visitors {
            return Err(Error::invalid(
                "conversions",
                format!("{conversions} conversions exceed {visitors} visitors"),
            ));
        }
        Ok(Proportion {
            visitors,
            conversions,
        })
    }

    /// Checks an arm whose fields were filled directly (the functions
    /// taking a [`Proportion`] call it, so an arm built without
    /// [`Proportion::new`] is refused the same way).
    ///
    /// # Errors
    ///
    /// As [`Proportion::new`].
    pub fn validate(&self) -> Result<()> {
        Proportion::new(self.visitors, self.conversions).map(|_| ())
    }

    /// The observed conversion rate.
    pub fn rate(&self) -> f64 {
        self.conversions as f64 / self.visitors as f64
    }
}

/// The z-test of two conversion rates with intervals for the difference
/// and the lift (variant relative to control).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProportionComparison {
    /// The pooled two-proportion z-test.
    pub test: TestResult,
    /// `p̂_variant − p̂_control` with its Wald interval.
    pub difference: Interval,
    /// `p̂_variant / p̂_control − 1` with its Katz log interval; `None` when
    /// either arm has no conversions (the log ratio is undefined).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lift: Option<Interval>,
}

fn count_assumptions(arms: &[(&str, f64, f64)]) -> Assumption {
    // Each arm needs at least 5 expected successes and failures for the
    // normal (or χ²) approximation; `arms` holds (name, expected
    // successes, expected failures).
    let smallest = arms
        .iter()
        .flat_map(|(_, s, f)| [*s, *f])
        .fold(f64::INFINITY, f64::min);
    Assumption {
        code: "expected_counts_at_least_5",
        holds: smallest >= 5.0,
        detail: format!("smallest expected count of conversions or non-conversions is {smallest}"),
    }
}

fn independence() -> Assumption {
    Assumption {
        code: "independent_randomised_arms",
        holds: true,
        detail: "each visitor counted once, in one arm assigned at random (ensured by the design, not checked)".into(),
    }
}

/// Compares two conversion rates (`variant` against `control`).
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for `alpha` outside
/// (0, 1) or when no visitor, or every visitor, converted in both arms (the
/// pooled variance is zero and the test is undefined).
pub fn two_proportion_z_test(
    control: Proportion,
    variant: Proportion,
    alpha: f64,
) -> Result<ProportionComparison> {
    check_probability(alpha, "alpha")?;
    control
        .validate()
        .map_err(|e| e.with_path_prefix("control"))?;
    variant
        .validate()
        .map_err(|e| e.with_path_prefix("variant"))?;
    let (na, nb) = (control.visitors as f64, variant.visitors as f64);
    let (pa, pb) = (control.rate(), variant.rate());
    let pooled = (control.conversions + variant.conversions) as f64 / (na + nb);
    if pooled <= 0.0 || pooled >= 1.0 {
        return Err(Error::invalid(
            "arms",
            "no variance: either no visitor or every visitor converted in both arms, so the z-test is undefined",
        ));
    }
    let se_pooled = (pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb)).sqrt();
    let z = (pb - pa) / se_pooled;
    let p_value = (2.0 * normal_sf(z.abs())).min(1.0);
    let z_crit = numeric(normal_quantile(1.0 - alpha / 2.0), "normal quantile")?;
    let se_diff = (pa * (1.0 - pa) / na + pb * (1.0 - pb) / nb).sqrt();
    let diff = pb - pa;
    let difference = Interval {
        estimate: diff,
        low: diff - z_crit * se_diff,
        high: diff + z_crit * se_diff,
        level: 1.0 - alpha,
        method: "wald_unpooled",
    };
    let lift = (pa > 0.0 && pb > 0.0).then(|| {
        let log_rr = (pb / pa).ln();
        let se = ((1.0 - pa) / (na * pa) + (1.0 - pb) / (nb * pb)).sqrt();
        Interval {
            estimate: pb / pa - 1.0,
            low: (log_rr - z_crit * se).exp() - 1.0,
            high: (log_rr + z_crit * se).exp() - 1.0,
            level: 1.0 - alpha,
            method: "katz_log_risk_ratio",
        }
    });
    let assumptions = vec![
        count_assumptions(&[
            ("control", na * pooled, na * (1.0 - pooled)),
            ("variant", nb * pooled, nb * (1.0 - pooled)),
        ]),
        independence(),
    ];
    Ok(ProportionComparison {
        test: TestResult {
            test: "two_proportion_z_test",
            statistic: z,
            degrees_of_freedom: None,
            p_value,
            alpha,
            significant: p_value < alpha,
            assumptions,
        },
        difference,
        lift,
    })
}

/// Pearson's chi-square test of independence for k arms × {converted, not
/// converted}, with Yates' continuity correction when `yates` is set and
/// the table is 2 × 2.
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for fewer than two
/// arms, `alpha` outside (0, 1), or a table with no conversions or no
/// non-conversions at all (an expected count of zero).
pub fn chi_square_test(arms: &[Proportion], yates: bool, alpha: f64) -> Result<TestResult> {
    check_probability(alpha, "alpha")?;
    if arms.len() < 2 {
        return Err(Error::invalid(
            "arms",
            "the chi-square test needs at least two arms",
        ));
    }
    for (i, arm) in arms.iter().enumerate() {
        arm.validate()
            .map_err(|e| e.with_path_prefix(&format!("arms[{i}]")))?;
    }
    let total: f64 = arms.iter().map(|a| a.visitors as f64).sum();
    let converted: f64 = arms.iter().map(|a| a.conversions as f64).sum();
    let not_converted = total - converted;
    if converted <= 0.0 || not_converted <= 0.0 {
        return Err(Error::invalid(
            "arms",
            "a column of the table is empty (no conversions or no non-conversions), so the chi-square test is undefined",
        ));
    }
    let correct = yates && arms.len() == 2;
    let mut statistic = 0.0;
    let mut smallest_expected = f64::INFINITY;
    for arm in arms {
        let n = arm.visitors as f64;
        let observed = [arm.conversions as f64, n - arm.conversions as f64];
        let expected = [n * converted / total, n * not_converted / total];
        for (o, e) in observed.iter().zip(expected) {
            smallest_expected = smallest_expected.min(e);
            let mut gap = (o - e).abs();
            if correct {
                gap -= gap.min(0.5);
            }
            statistic += gap * gap / e;
        }
    }
    let df = (arms.len() - 1) as f64;
    let p_value = numeric(chi_square_sf(statistic, df), "chi-square tail")?;
    Ok(TestResult {
        test: if correct {
            "pearson_chi_square_yates"
        } else {
            "pearson_chi_square"
        },
        statistic,
        degrees_of_freedom: Some(df),
        p_value,
        alpha,
        significant: p_value < alpha,
        assumptions: vec![
            Assumption {
                code: "expected_counts_at_least_5",
                holds: smallest_expected >= 5.0,
                detail: format!("smallest expected cell count is {smallest_expected}"),
            },
            independence(),
        ],
    })
}
