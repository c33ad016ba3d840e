//! Exact splitting of a non-negative decimal total by weights (the
//! largest-remainder method): each share is first truncated to `scale`
//! decimal places, then the units of `10^−scale` still missing go one each
//! to the shares with the largest remainders (ties: the larger weight, then
//! the later touch), and a sub-unit rest (a total finer than `scale`) goes
//! to the largest remainder. Shares are never negative and always sum to
//! exactly the total.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::{Error, Result};

/// Splits `total` (not negative) by `weights` (non-negative, not all zero)
/// into shares at `scale` decimal places that sum to exactly `total`.
pub(crate) fn split_exact(total: Decimal, weights: &[Decimal], scale: u32) -> Result<Vec<Decimal>> {
    let mut shares = Vec::with_capacity(weights.len());
    split_exact_into(
        total,
        weights,
        scale,
        &mut shares,
        &mut (Vec::new(), Vec::new()),
    )?;
    Ok(shares)
}

/// A non-negative finite `f64` weight as a decimal (28 significant digits).
pub(crate) fn weight_from_f64(w: f64) -> Result<Decimal> {
    if !(w.is_finite() && w >= 0.0) {
        return Err(Error::new(
            crate::ErrorKind::Numerical,
            "attribution weight is not a finite non-negative number",
        ));
    }
    // Weights below 1e-20 of the total are credit-free; keep them at zero
    // rather than fail the conversion of a subnormal.
    Ok(Decimal::try_from(w).unwrap_or(Decimal::ZERO))
}

/// The largest total the 0/1-weight fast path takes, in units of
/// `10^−scale`: sums of up to 10¹² such shares stay below 10²⁷, inside a
/// `Decimal`'s 96-bit mantissa, so neither this path nor the `Decimal`
/// sums of [`split_exact`] ever round.
const MAX_FAST_UNITS: u64 = 1_000_000_000_000_000;

/// The most one-weight touches of a journey the fast path takes (shares'
/// exact quotients then stay ≥ 10⁻⁶ units away from the next unit, far
/// beyond the 28 digits a `Decimal` quotient keeps, so truncating them
/// equals integer division).
const MAX_FAST_ONES: u64 = 1_000_000;

/// A non-negative total with at most `scale` decimals, as whole units of
/// `10^−scale` (for [`split_ones`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FastTotal {
    total: Decimal,
    /// The total in units of `10^−scale`.
    units: u64,
}

impl FastTotal {
    /// `total` as units of `10^−scale`, or `None` when it is negative, has
    /// more than `scale` decimals or exceeds the fast path's range.
    pub(crate) fn new(total: Decimal, scale: u32) -> Option<FastTotal> {
        let own_scale = total.scale();
        if total.is_sign_negative() && !total.is_zero() || own_scale > scale {
            return None;
        }
        let mantissa = u64::try_from(total.mantissa().unsigned_abs()).ok()?;
        let units = 10u64
            .checked_pow(scale - own_scale)
            .and_then(|p| mantissa.checked_mul(p))
            .filter(|u| *u <= MAX_FAST_UNITS)?;
        Some(FastTotal { total, units })
    }
}

/// [`split_exact`] of a [`FastTotal`] over `ones` touches of weight 1 (any
/// others weigh 0), in integers: each of the `ones` gets `units` units of
/// `10^−scale`, the last `extra` of them (in touch order) one more, at the
/// decimal scale `scale` that `split_exact`'s `Decimal` arithmetic gives
/// them (an exact quotient keeps its own scale: `1 / 4` is `0.25`, `1.50 /
/// 3` is `0.50`; others are truncated to the request scale). Zero-weight
/// touches, and every touch of a zero total, get `0` at scale 0 (a
/// `Decimal` product with zero is `Decimal::ZERO`). `None` beyond
/// [`MAX_FAST_ONES`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct OnesSplit {
    pub units: u64,
    pub extra: u64,
    pub scale: u32,
}

pub(crate) fn split_ones(total: &FastTotal, ones: u64, scale: u32) -> Option<OnesSplit> {
    if ones == 0 || ones > MAX_FAST_ONES {
        return None;
    }
    if total.units == 0 {
        return Some(OnesSplit {
            units: 0,
            extra: 0,
            scale: 0,
        });
    }
    // The scale of `split_exact`'s quotient `total × 1 / ones` is the one
    // `Decimal` division gives (an exact quotient keeps its digits, with
    // trailing zeros only partly removed), so it is computed, once; its
    // truncation to `scale` is the integer quotient below (the 28-digit
    // quotient is within 10⁻¹² units of the true one, which is at least
    // 1/ones ≥ 10⁻⁶ units away from the next unit).
    let exact = total.total.checked_div(Decimal::from(ones))?;
    let share_scale = exact.scale().min(scale);
    Some(OnesSplit {
        units: total.units / ones,
        extra: total.units % ones,
        scale: share_scale,
    })
}

/// An exact sum of shares in units of `10^−scale` that carries the decimal
/// scale a `Decimal` sum of the same shares, added in the same order,
/// would carry: `Decimal` addition returns the other operand unchanged
/// when one is zero (so a zero share leaves a non-zero sum alone, and a
/// zero sum takes the next share as it is) and otherwise keeps the larger
/// scale.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct UnitSum {
    units: u128,
    scale: u32,
}

impl UnitSum {
    /// Adds a share of `units` carrying decimal scale `scale`.
    pub(crate) fn add(&mut self, units: u64, scale: u32) {
        if self.units == 0 {
            self.units = u128::from(units);
            self.scale = scale;
        } else if units != 0 {
            self.units += u128::from(units);
            self.scale = self.scale.max(scale);
        }
    }

    /// Adds a non-negative `Decimal` share with at most `scale` decimals
    /// (units of `10^−scale`).
    pub(crate) fn add_decimal(&mut self, share: Decimal, scale: u32) -> Result<()> {
        let own = share.scale();
        let units = u64::try_from(share.mantissa())
            .ok()
            .zip(10u64.checked_pow(scale.saturating_sub(own)))
            .and_then(|(m, p)| m.checked_mul(p))
            .filter(|_| own <= scale)
            .ok_or_else(|| Error::overflow("attributed credit overflows"))?;
        self.add(units, own);
        Ok(())
    }

    /// The sum as a `Decimal` (units of `10^−scale`), at the scale a
    /// `Decimal` sum would carry.
    pub(crate) fn to_decimal(self, scale: u32) -> Result<Decimal> {
        let drop = scale.saturating_sub(self.scale);
        let units = self.units / 10u128.pow(drop);
        i128::try_from(units)
            .ok()
            .and_then(|u| Decimal::try_from_i128_with_scale(u, scale - drop).ok())
            .ok_or_else(|| Error::overflow("attributed credit overflows"))
    }
}

/// [`split_exact`] into `out` (cleared first), reusing `scratch` for the
/// remainders and order: the same shares, without allocating per journey.
pub(crate) fn split_exact_into(
    total: Decimal,
    weights: &[Decimal],
    scale: u32,
    out: &mut Vec<Decimal>,
    scratch: &mut (Vec<Decimal>, Vec<usize>),
) -> Result<()> {
    let sum: Decimal = weights
        .iter()
        .copied()
        .try_fold(Decimal::ZERO, |a, w| a.checked_add(w))
        .ok_or_else(|| Error::overflow("attribution weights overflow"))?;
    if sum <= Decimal::ZERO {
        return Err(Error::new(
            crate::ErrorKind::Numerical,
            "attribution weights sum to zero",
        ));
    }
    out.clear();
    let (remainders, order) = scratch;
    remainders.clear();
    order.clear();
    let mut given = Decimal::ZERO;
    for w in weights {
        let exact = total
            .checked_mul(*w)
            .and_then(|x| x.checked_div(sum))
            .ok_or_else(|| Error::overflow("attribution share overflow"))?;
        let floor = exact.round_dp_with_strategy(scale, RoundingStrategy::ToZero);
        given += floor;
        remainders.push(exact - floor);
        out.push(floor);
    }
    let unit = Decimal::new(1, scale);
    order.extend(0..weights.len());
    order.sort_by(|&a, &b| {
        remainders[b]
            .cmp(&remainders[a])
            .then_with(|| weights[b].cmp(&weights[a]))
            .then_with(|| b.cmp(&a))
    });
    let mut missing = total - given;
    for &i in order.iter().cycle().take(order.len() * 2) {
        if missing < unit {
            break;
        }
        out[i] += unit;
        missing -= unit;
    }
    if let Some(&first) = order.first() {
        out[first] += missing;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path's shares, as `split_exact` would give them.
    fn ones_shares(total: Decimal, ones: &[bool], scale: u32) -> Option<Vec<Decimal>> {
        let fast = FastTotal::new(total, scale)?;
        let k = ones.iter().filter(|o| **o).count() as u64;
        let split = split_ones(&fast, k, scale)?;
        let mut rank = 0;
        let mut shares = Vec::new();
        for one in ones {
            let mut sum = UnitSum::default();
            if *one {
                sum.add(
                    split.units + u64::from(rank >= k - split.extra),
                    split.scale,
                );
                rank += 1;
            } else {
                sum.add(0, 0);
            }
            shares.push(sum.to_decimal(scale).ok()?);
        }
        Some(shares)
    }

    /// `UnitSum` carries the value and scale of a `Decimal` sum of the same
    /// shares (zeros of any scale included), added in the same order.
    #[test]
    fn unit_sum_matches_decimal_sums() {
        let mut rng = crate::sample::SampleRng::new(9);
        for _ in 0..20_000 {
            let scale = rng.range(0, 10) as u32;
            let (mut units, mut sum) = (UnitSum::default(), Decimal::ZERO);
            for _ in 0..rng.range(0, 6) {
                let own = rng.range(0, i64::from(scale)) as u32;
                let m = if rng.range(0, 2) == 0 {
                    0
                } else {
                    rng.range(1, 100_000)
                };
                let share = Decimal::new(m, own);
                units.add_decimal(share, scale).expect("fits");
                sum += share;
            }
            let got = units.to_decimal(scale).expect("fits");
            assert_eq!(got.to_string(), sum.to_string());
        }
    }

    /// The 0/1-weight fast path gives `split_exact`'s shares digit for
    /// digit (value and decimal scale, as `to_string` shows them).
    #[test]
    fn ones_fast_path_matches_split_exact() {
        let mut rng = crate::sample::SampleRng::new(5);
        let mut checked = 0;
        for case in 0..20_000 {
            let own = rng.range(0, 6) as u32;
            let mantissa = match case % 5 {
                0 => 0,
                1 => rng.range(1, 12),
                2 => rng.range(1, 1_000) * 10i64.pow(rng.range(0, 4) as u32),
                _ => rng.range(1, 100_000_000),
            };
            let total = Decimal::new(mantissa, own);
            let scale = rng.range(0, 12) as u32;
            let n = rng.range(1, 9) as usize;
            let mut ones: Vec<bool> = (0..n).map(|_| rng.range(0, 2) > 0).collect();
            if !ones.iter().any(|o| *o) {
                let i = rng.range(0, n as i64 - 1) as usize;
                ones[i] = true;
            }
            let weights: Vec<Decimal> = ones
                .iter()
                .map(|o| if *o { Decimal::ONE } else { Decimal::ZERO })
                .collect();
            let Some(fast) = ones_shares(total, &ones, scale) else {
                // Refused: more decimals than `scale`, or beyond 10^15 units.
                assert!(own > scale || mantissa as u128 * 10u128.pow(scale - own) > 10u128.pow(15));
                continue;
            };
            let slow = split_exact(total, &weights, scale).expect("split");
            let show = |v: &[Decimal]| v.iter().map(|d| d.to_string()).collect::<Vec<_>>();
            assert_eq!(
                show(&fast),
                show(&slow),
                "{total} over {ones:?} at scale {scale}"
            );
            checked += 1;
        }
        assert!(checked > 10_000);
    }

    #[test]
    fn fast_total_refuses_what_it_cannot_take_exactly() {
        assert!(FastTotal::new(Decimal::new(-1, 0), 6).is_none());
        assert!(FastTotal::new(Decimal::new(1, 7), 6).is_none());
        assert!(FastTotal::new(Decimal::new(1_000_000_001, 0), 6).is_none());
        assert!(FastTotal::new(Decimal::new(1_000_000_000, 0), 6).is_some());
    }
}
