//! Crediting the rule-based models (and `shapley`, whose per-journey
//! weights are 0/1) journey by journey, as [`split_exact`] splits each
//! journey's conversions and revenue.
//!
//! Models whose weights are 0 or 1 (first, last, last non-direct, linear,
//! position-based over one or two touches, `shapley`) take an integer path
//! when every converting journey's conversions and value have at most
//! `scale` decimals and at most 10¹⁵ units of `10^−scale`: the shares
//! `split_exact` would give are whole units computed by integer division
//! ([`split_ones`], checked digit for digit against `split_exact`) and are
//! summed per channel and campaign as integers, with the decimal scale the
//! `Decimal` sums would carry. Under that bound no `Decimal` sum rounds, so
//! the credit is identical to summing `split_exact`'s shares. Other
//! weights (time decay, position-based over three or more touches) and
//! journeys outside the bound use `split_exact` itself.
//!
//! ```
//! use crmkit::attribution::{AttributionRequest, attribution_report};
//! use rust_decimal::Decimal;
//!
//! let request = AttributionRequest::from_json(r#"{
//!   "currency": "USD", "models": [{"model": "linear"}], "scale": 2,
//!   "journeys": [{"touches": [
//!       {"channel": "email", "at": "2026-03-01T10:00:00Z"},
//!       {"channel": "search", "at": "2026-03-02T10:00:00Z"},
//!       {"channel": "email", "at": "2026-03-03T10:00:00Z"}],
//!     "conversions": 1, "value": "100.00"}]
//! }"#)?;
//! let report = attribution_report(&request)?;
//! // 100.00 / 3 = 33.33 each, the last touch (email) takes the cent left.
//! assert_eq!(report.models[0].channels[0].value.amount, Decimal::new(6667, 2));
//! assert_eq!(report.models[0].channels[1].value.amount, Decimal::new(3333, 2));
//! Ok::<(), crmkit::Error>(())
//! ```

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::report::{Prepared, Sum};
use super::rules::{Model, rule_weights_into};
use super::split::{FastTotal, OnesSplit, UnitSum, split_exact_into, split_ones};
use crate::Result;

/// Marks in `first` whether each touch is the first of its channel in
/// `ids` (`shapley` weighs each channel's first touch 1, repeats 0);
/// `seen` (one flag per channel id, all false) is left all false.
fn first_of_channel(ids: &[u32], seen: &mut [bool], first: &mut Vec<bool>) {
    first.clear();
    for &c in ids {
        let flag = seen.get_mut(c as usize);
        first.push(flag.is_some_and(|f| !std::mem::replace(f, true)));
    }
    for &c in ids {
        if let Some(f) = seen.get_mut(c as usize) {
            *f = false;
        }
    }
}

/// The positions of the weight-1 touches of a journey under a 0/1-weight
/// model, written to `ones`; `false` when the model's weights for this
/// journey are not all 0 or 1.
fn ones_of(model: &Model, p: &Prepared<'_>, first: &[bool], ones: &mut Vec<usize>) -> bool {
    ones.clear();
    let n = p.touches.len();
    match *model {
        Model::FirstTouch => ones.push(0),
        Model::LastTouch => ones.push(n.saturating_sub(1)),
        Model::LastNonDirect => ones.push(
            p.touches
                .iter()
                .rposition(|t| !t.direct)
                .unwrap_or(n.saturating_sub(1)),
        ),
        Model::Linear => ones.extend(0..n),
        Model::PositionBased { .. } if n <= 2 => ones.extend(0..n),
        Model::Shapley => ones.extend((0..n).filter(|&i| first[i])),
        _ => return false,
    }
    n > 0
}

/// The weights `split_exact` is given for one journey (rule-based models
/// and `shapley`: 1 on each channel's first touch).
fn weights_of(
    model: &Model,
    p: &Prepared<'_>,
    first: &[bool],
    weights: &mut Vec<Decimal>,
    decay: &mut HashMap<i64, Decimal>,
) -> Result<()> {
    if matches!(model, Model::Shapley) {
        weights.clear();
        weights.extend(
            first
                .iter()
                .map(|f| if *f { Decimal::ONE } else { Decimal::ZERO }),
        );
        Ok(())
    } else {
        rule_weights_into(model, p.touches, p.end, weights, decay)
    }
}

/// Adds the credit of `model` (the rule actually applied: `last_touch`
/// already turned into `last_non_direct` where the request says so) over
/// the converting journeys to `channels` and `campaigns` (indexed by id).
pub(super) fn credit_rules(
    model: &Model,
    converted: &[&Prepared<'_>],
    scale: u32,
    channels: &mut [Sum],
    campaigns: &mut [Sum],
) -> Result<()> {
    let fast = converted.iter().all(|p| {
        FastTotal::new(Decimal::from(p.conversions), scale).is_some()
            && FastTotal::new(p.value, scale).is_some()
    });
    let mut weights = Vec::new();
    let (mut c, mut v) = (Vec::new(), Vec::new());
    let mut scratch = (Vec::new(), Vec::new());
    let mut ones = Vec::new();
    let mut decay = HashMap::new();
    let (mut seen, mut first) = (vec![false; channels.len()], Vec::new());
    // Exact sums (conversions, value) per channel and campaign, used when
    // `fast`: every share, from either path, is added to them in the order
    // the `Decimal` sums would take it.
    let mut channel_units = vec![(UnitSum::default(), UnitSum::default()); channels.len()];
    let mut campaign_units = vec![(UnitSum::default(), UnitSum::default()); campaigns.len()];
    for p in converted {
        if matches!(model, Model::Shapley) {
            first_of_channel(p.channel_ids, &mut seen, &mut first);
        }
        if fast && ones_of(model, p, &first, &mut ones) {
            let k = ones.len() as u64;
            let totals = FastTotal::new(Decimal::from(p.conversions), scale)
                .zip(FastTotal::new(p.value, scale));
            let splits = totals
                .and_then(|(tc, tv)| split_ones(&tc, k, scale).zip(split_ones(&tv, k, scale)));
            if let Some((sc, sv)) = splits {
                // `ones` is increasing: walk the touches, the weight-1 ones
                // by rank.
                let mut rank = 0u64;
                for (i, (ch, cp)) in p.channel_ids.iter().zip(p.campaign_ids).enumerate() {
                    let ((cu, cs), (vu, vs)) = if ones.get(rank as usize) == Some(&i) {
                        let r = rank;
                        rank += 1;
                        let share =
                            |s: &OnesSplit| (s.units + u64::from(r >= k - s.extra), s.scale);
                        (share(&sc), share(&sv))
                    } else {
                        ((0, 0), (0, 0))
                    };
                    for u in [
                        channel_units.get_mut(*ch as usize),
                        campaign_units.get_mut(*cp as usize),
                    ]
                    .into_iter()
                    .flatten()
                    {
                        u.0.add(cu, cs);
                        u.1.add(vu, vs);
                    }
                }
                continue;
            }
        }
        weights_of(model, p, &first, &mut weights, &mut decay)?;
        split_exact_into(
            Decimal::from(p.conversions),
            &weights,
            scale,
            &mut c,
            &mut scratch,
        )?;
        split_exact_into(p.value, &weights, scale, &mut v, &mut scratch)?;
        for (((ch, k), c), v) in p.channel_ids.iter().zip(p.campaign_ids).zip(&c).zip(&v) {
            if fast {
                for u in [
                    channel_units.get_mut(*ch as usize),
                    campaign_units.get_mut(*k as usize),
                ]
                .into_iter()
                .flatten()
                {
                    u.0.add_decimal(*c, scale)?;
                    u.1.add_decimal(*v, scale)?;
                }
                continue;
            }
            if let Some(s) = channels.get_mut(*ch as usize) {
                s.conversions += *c;
                s.value += *v;
            }
            if let Some(s) = campaigns.get_mut(*k as usize) {
                s.conversions += *c;
                s.value += *v;
            }
        }
    }
    if fast {
        for (sums, units) in [(channels, channel_units), (campaigns, campaign_units)] {
            for (s, (uc, uv)) in sums.iter_mut().zip(units) {
                s.conversions += uc.to_decimal(scale)?;
                s.value += uv.to_decimal(scale)?;
            }
        }
    }
    Ok(())
}
