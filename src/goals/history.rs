//! Achievability against history: the best quarter-on-quarter improvement
//! a KPI has shown.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::goal::Observation;
use crate::calendar::FiscalCalendar;

/// The best quarter-on-quarter improvement in `history` up to `as_of`, in
/// KPI units per quarter and in the direction `sign`: the last measurement
/// of each fiscal quarter is that quarter's value, and a change across a gap
/// of n quarters counts as n equal steps. `None` with fewer than two
/// quarters.
pub(crate) fn best_quarterly_improvement(
    history: &[Observation],
    as_of: NaiveDate,
    calendar: &FiscalCalendar,
    sign: Decimal,
) -> Option<Decimal> {
    let sorted_copy;
    let points: &[Observation] = if history.is_sorted_by_key(|m| m.date) {
        history
    } else {
        let mut copy = history.to_vec();
        copy.sort_by_key(|m| m.date);
        sorted_copy = copy;
        &sorted_copy
    };
    let shift = i64::from(calendar.first_month()) - 1;
    let quarter_of = |date: NaiveDate| {
        (i64::from(date.year()) * 12 + i64::from(date.month0()) - shift).div_euclid(3)
    };
    // The step from one quarter's last value to the next quarter's.
    let step = |(from_q, from_v): (i64, Decimal), (to_q, to_v): (i64, Decimal)| {
        let change = to_v.checked_sub(from_v).and_then(|d| d.checked_mul(sign));
        match to_q - from_q {
            ..=1 => change,
            steps => change.and_then(|d| d.checked_div(Decimal::from(steps))),
        }
    };
    let mut best: Option<Decimal> = None;
    let mut previous: Option<(i64, Decimal)> = None;
    let mut current: Option<(i64, Decimal)> = None;
    for point in points.iter().take_while(|m| m.date <= as_of) {
        let quarter = quarter_of(point.date);
        match current {
            Some((q, _)) if q == quarter => current = Some((quarter, point.value)),
            _ => {
                if let (Some(from), Some(to)) = (previous, current)
                    && let Some(s) = step(from, to)
                {
                    best = Some(best.map_or(s, |b| b.max(s)));
                }
                previous = current;
                current = Some((quarter, point.value));
            }
        }
    }
    if let (Some(from), Some(to)) = (previous, current)
        && let Some(s) = step(from, to)
    {
        best = Some(best.map_or(s, |b| b.max(s)));
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn quarterly_improvement_takes_the_last_value_of_each_quarter() {
        let history = [
            Observation::new(d(2024, 1, 15), Decimal::new(10, 0)),
            Observation::new(d(2024, 3, 31), Decimal::new(9, 0)),
            Observation::new(d(2024, 6, 30), Decimal::new(8, 0)),
            Observation::new(d(2024, 12, 31), Decimal::new(7, 0)),
        ];
        let best = best_quarterly_improvement(
            &history,
            d(2025, 1, 1),
            &FiscalCalendar::default(),
            Decimal::NEGATIVE_ONE,
        );
        // Q1 9 -> Q2 8 is one point in a quarter; Q2 -> Q4 is 0.5 a quarter.
        assert_eq!(best, Some(Decimal::ONE));
    }

    #[test]
    fn unsorted_history_is_sorted_first_and_one_quarter_is_not_enough() {
        let history = [
            Observation::new(d(2024, 6, 30), Decimal::new(8, 0)),
            Observation::new(d(2024, 3, 31), Decimal::new(10, 0)),
        ];
        let cal = FiscalCalendar::default();
        let best = best_quarterly_improvement(&history, d(2025, 1, 1), &cal, Decimal::NEGATIVE_ONE);
        assert_eq!(best, Some(Decimal::TWO));
        let one = [Observation::new(d(2024, 6, 30), Decimal::new(8, 0))];
        assert_eq!(
            best_quarterly_improvement(&one, d(2025, 1, 1), &cal, Decimal::ONE),
            None
        );
    }
}
