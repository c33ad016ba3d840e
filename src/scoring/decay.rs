//! Time decay of activity points: half-life or linear, with the rounding
//! that makes it deterministic to the last digit.
//!
//! * The **age** of an occurrence is counted in whole days: the time from
//!   the activity to `as_of`, in seconds, divided by 86,400 and rounded
//!   down. Activities after `as_of` are not counted at all.
//! * **Half-life** `h` days: the factor is 2^(−age/h), **rounded half away
//!   from zero to 4 decimal places**. It is computed in 28-digit decimal
//!   arithmetic (no floating point, no platform `libm`): 2^(−1/h) by
//!   bisection, its powers by repeated multiplication, whole halvings exactly;
//!   the error before rounding is far below 10⁻¹⁵, and the only ages whose
//!   exact factor is a rounding tie (whole multiples of `h`, such as
//!   2⁻⁵ = 0.03125) are computed exactly.
//! * **Linear** over `L` days: the factor is 1 − age/L, rounded the same
//!   way (an exact integer computation), and 0 from `L` days on.
//! * An occurrence's points after decay are `points × factor`, rounded half
//!   away from zero to 4 decimal places.
//!
//! The factors are tabulated per rule when the model is compiled, so the
//! explainable and the batch path read the same numbers.

use rust_decimal::Decimal;

use super::points::{UNITS_PER_POINT, round, to_units};

/// Seconds in a day, for ages.
pub(crate) const SECONDS_PER_DAY: i64 = 86_400;

/// The longest half-life or linear window accepted, in days.
pub const MAX_DECAY_DAYS: u32 = 3_650;

/// How a rule's points fade with age.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecayKind {
    /// No decay.
    None,
    /// Halves every `n` days.
    HalfLife(u32),
    /// Falls linearly to zero over `n` days.
    Linear(u32),
}

/// A compiled decay: the factor, in units of 1/10,000, for each age in days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decay {
    pub kind: DecayKind,
    /// `table[age_days]`; ages past the end have factor 0. Empty for
    /// [`DecayKind::None`].
    table: Vec<u16>,
}

impl Decay {
    /// Tabulates `kind`. `horizon` bounds the table (the expiry, if any).
    pub(crate) fn new(kind: DecayKind, horizon: Option<u32>) -> Decay {
        let table = match kind {
            DecayKind::None => Vec::new(),
            DecayKind::Linear(days) => {
                let days = i64::from(days.max(1));
                let last = horizon.map_or(days, |h| days.min(i64::from(h)));
                (0..=last)
                    .map(|age| {
                        let remaining = (days - age).max(0);
                        // round(10000 * remaining / days), half away from zero
                        let scaled = 2 * UNITS_PER_POINT * remaining + days;
                        to_u16(scaled / (2 * days))
                    })
                    .collect()
            }
            DecayKind::HalfLife(days) => half_life_table(days.max(1), horizon),
        };
        Decay { kind, table }
    }

    /// The factor for an age in days, in units (10,000 = no decay).
    #[inline]
    pub(crate) fn factor_units(&self, age_days: i64) -> i64 {
        match self.kind {
            DecayKind::None => UNITS_PER_POINT,
            _ => usize::try_from(age_days)
                .ok()
                .and_then(|age| self.table.get(age))
                .map_or(0, |&f| i64::from(f)),
        }
    }
}

fn to_u16(value: i64) -> u16 {
    u16::try_from(value.clamp(0, UNITS_PER_POINT)).unwrap_or(0)
}

/// `base^exp` by repeated squaring (28-digit decimal arithmetic).
fn pow(base: Decimal, mut exp: u32) -> Decimal {
    let mut result = Decimal::ONE;
    let mut square = base;
    while exp > 0 {
        if exp & 1 == 1 {
            result = result.checked_mul(square).unwrap_or(Decimal::ZERO);
        }
        exp >>= 1;
        if exp > 0 {
            square = square.checked_mul(square).unwrap_or(Decimal::ZERO);
        }
    }
    result
}

/// 2^(−1/h): the r in [0.5, 1] with r^h = 0.5, by bisection.
fn halving_root(h: u32) -> Decimal {
    let half = Decimal::new(5, 1);
    let (mut low, mut high) = (half, Decimal::ONE);
    for _ in 0..100 {
        let mid = (low + high) / Decimal::TWO;
        if mid == low || mid == high {
            break;
        }
        if pow(mid, h) > half {
            high = mid;
        } else {
            low = mid;
        }
    }
    (low + high) / Decimal::TWO
}

fn half_life_table(h: u32, horizon: Option<u32>) -> Vec<u16> {
    let root = halving_root(h);
    // base[rem] = 2^(-rem/h) for rem in 0..h
    let mut base = Vec::with_capacity(h as usize);
    let mut power = Decimal::ONE;
    for _ in 0..h {
        base.push(power);
        power = power.checked_mul(root).unwrap_or(Decimal::ZERO);
    }
    // 2^-15 < 0.00005: beyond 15 half-lives every factor rounds to zero.
    let limit = u64::from(h) * 15;
    let limit = horizon.map_or(limit, |days| limit.min(u64::from(days)));
    let half = Decimal::new(5, 1);
    let mut table = Vec::new();
    let mut age: u64 = 0;
    while age <= limit {
        let rem = usize::try_from(age % u64::from(h)).unwrap_or(0);
        let halvings = age / u64::from(h);
        let mut factor = base.get(rem).copied().unwrap_or(Decimal::ZERO);
        for _ in 0..halvings {
            factor *= half;
        }
        let units = to_units(round(factor)).unwrap_or(0);
        if units == 0 {
            break;
        }
        table.push(to_u16(units));
        age += 1;
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_life_halves_exactly_at_each_half_life() {
        let decay = Decay::new(DecayKind::HalfLife(30), None);
        assert_eq!(decay.factor_units(0), 10_000);
        assert_eq!(decay.factor_units(30), 5_000);
        assert_eq!(decay.factor_units(60), 2_500);
        assert_eq!(decay.factor_units(90), 1_250);
        assert_eq!(decay.factor_units(120), 625);
        // 2^-5 = 0.03125 is a tie: rounded half away from zero.
        assert_eq!(decay.factor_units(150), 313);
        assert_eq!(decay.factor_units(100_000), 0);
        assert_eq!(decay.factor_units(-1), 0);
    }

    #[test]
    fn half_life_factors_match_the_formula() {
        for h in [1_u32, 7, 30, 365] {
            let decay = Decay::new(DecayKind::HalfLife(h), None);
            for age in [1_i64, 2, 5, 11, 100, 400] {
                let exact = (-(age as f64) / f64::from(h)).exp2() * 10_000.0;
                let got = decay.factor_units(age) as f64;
                assert!(
                    (got - exact).abs() <= 0.5 + 1e-9,
                    "h {h} age {age}: {got} vs {exact}"
                );
            }
        }
    }

    #[test]
    fn linear_decay_reaches_zero_at_its_window() {
        let decay = Decay::new(DecayKind::Linear(3), None);
        assert_eq!(decay.factor_units(0), 10_000);
        assert_eq!(decay.factor_units(1), 6_667);
        assert_eq!(decay.factor_units(2), 3_333);
        assert_eq!(decay.factor_units(3), 0);
        assert_eq!(decay.factor_units(4), 0);
    }

    #[test]
    fn factors_never_increase_with_age() {
        for kind in [DecayKind::HalfLife(13), DecayKind::Linear(40)] {
            let decay = Decay::new(kind, None);
            for age in 0..400 {
                assert!(decay.factor_units(age + 1) <= decay.factor_units(age));
            }
        }
    }
}
