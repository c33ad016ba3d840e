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
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given = Decimal::ZERO;
    for w in weights {
        let exact = total
            .checked_mul(*w)
            .and_then(|x| x.checked_div(sum))
            .ok_or_else(|| Error::overflow("attribution share overflow"))?;
        let floor = exact.round_dp_with_strategy(scale, RoundingStrategy::ToZero);
        given += floor;
        remainders.push(exact - floor);
        shares.push(floor);
    }
    let unit = Decimal::new(1, scale);
    let mut order: Vec<usize> = (0..weights.len()).collect();
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
        shares[i] += unit;
        missing -= unit;
    }
    if let Some(&first) = order.first() {
        shares[first] += missing;
    }
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
