//! Numbering of calendar periods (days, ISO weeks, months, quarters,
//! years) as integers, so that cohorts and offsets are integer arithmetic.
//!
//! Weeks run Monday to Sunday (ISO); quarters and years start in the
//! fiscal year's first month (January for calendar quarters).

use chrono::NaiveDate;

use crate::calendar::{Granularity, Period};
use crate::{Error, Result};

/// Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar.
const EPOCH_SHIFT: i64 = 719_468;

/// The civil year and month (1-12) of a day counted from 1970-01-01
/// (Howard Hinnant's `civil_from_days`, integer arithmetic only).
fn year_month(days: i64) -> (i64, i64) {
    let z = days + EPOCH_SHIFT;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month)
}

/// How periods of one granularity are numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Numbering {
    pub(crate) granularity: Granularity,
    /// First month of the fiscal year (1-12), for quarters and years.
    pub(crate) first_month: u32,
}

impl Numbering {
    pub(crate) fn new(granularity: Granularity, first_month: u32) -> Result<Numbering> {
        if !(1..=12).contains(&first_month) {
            return Err(Error::invalid(
                "fiscal_year_start_month",
                format!("expected a month from 1 to 12, got {first_month}"),
            ));
        }
        Ok(Numbering {
            granularity,
            first_month,
        })
    }

    /// The number of the period holding Unix time `at` (UTC).
    pub(crate) fn index(self, at: i64) -> i64 {
        let days = at.div_euclid(86_400);
        self.index_of_day(days)
    }

    /// The number of the period holding a day counted from 1970-01-01.
    pub(crate) fn index_of_day(self, days: i64) -> i64 {
        match self.granularity {
            Granularity::Day => days,
            // 1970-01-01 is a Thursday: Monday 1969-12-29 starts week 0.
            Granularity::Week => (days + 3).div_euclid(7),
            Granularity::Month | Granularity::Quarter | Granularity::Year => {
                let (year, month) = year_month(days);
                let months = year * 12 + month - 1 - (i64::from(self.first_month) - 1);
                match self.granularity {
                    Granularity::Quarter => months.div_euclid(3),
                    Granularity::Year => months.div_euclid(12),
                    _ => months,
                }
            }
        }
    }

    /// The first day of period `index`.
    fn start(self, index: i64) -> Option<NaiveDate> {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
        let from_months = |months: i64| {
            let months = months + i64::from(self.first_month) - 1;
            let year = i32::try_from(months.div_euclid(12)).ok()?;
            let month = u32::try_from(months.rem_euclid(12) + 1).ok()?;
            NaiveDate::from_ymd_opt(year, month, 1)
        };
        match self.granularity {
            Granularity::Day => epoch.checked_add_signed(chrono::TimeDelta::try_days(index)?),
            Granularity::Week => {
                epoch.checked_add_signed(chrono::TimeDelta::try_days(index * 7 - 3)?)
            }
            Granularity::Month => from_months(index),
            Granularity::Quarter => from_months(index * 3),
            Granularity::Year => from_months(index * 12),
        }
    }

    /// Period `index` as dates.
    pub(crate) fn period(self, index: i64) -> Result<Period> {
        match (self.start(index), self.start(index + 1)) {
            (Some(start), Some(end)) => Period::new(start, end),
            _ => Err(Error::invalid(
                "as_of",
                "the period lies outside the supported dates",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> i64 {
        let date = NaiveDate::from_ymd_opt(y, m, d).expect("valid");
        (date - NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid")).num_days()
    }

    #[test]
    fn month_numbers_match_chrono_over_centuries() {
        use chrono::Datelike;
        let months = Numbering::new(Granularity::Month, 1).expect("valid");
        for d in (-800_000..800_000).step_by(97) {
            let date = NaiveDate::from_ymd_opt(1970, 1, 1)
                .and_then(|e| e.checked_add_signed(chrono::TimeDelta::days(d)))
                .expect("in range");
            let period = months.period(months.index_of_day(d)).expect("valid");
            assert!(period.contains(date), "{date} not in {period:?}");
            assert_eq!(period.start().day0(), 0);
        }
    }

    #[test]
    fn weeks_start_on_monday_and_fiscal_quarters_on_the_first_month() {
        use chrono::Datelike;
        let weeks = Numbering::new(Granularity::Week, 1).expect("valid");
        // 2026-03-05 is a Thursday: its week runs from Monday 2026-03-02.
        let week = weeks
            .period(weeks.index_of_day(day(2026, 3, 5)))
            .expect("ok");
        assert_eq!(
            week.start(),
            NaiveDate::from_ymd_opt(2026, 3, 2).expect("valid")
        );
        assert_eq!(week.start().weekday(), chrono::Weekday::Mon);
        assert_eq!(week.days(), 7);
        // Fiscal year from April: 2026-03-31 is in the quarter from January,
        // 2026-04-01 starts the next one.
        let quarters = Numbering::new(Granularity::Quarter, 4).expect("valid");
        let q = quarters
            .period(quarters.index_of_day(day(2026, 3, 31)))
            .expect("ok");
        assert_eq!(
            q.start(),
            NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid")
        );
        assert_eq!(
            quarters.index_of_day(day(2026, 4, 1)),
            quarters.index_of_day(day(2026, 3, 31)) + 1
        );
        let years = Numbering::new(Granularity::Year, 4).expect("valid");
        let y = years
            .period(years.index_of_day(day(2026, 3, 31)))
            .expect("ok");
        assert_eq!(
            y.start(),
            NaiveDate::from_ymd_opt(2025, 4, 1).expect("valid")
        );
        assert!(Numbering::new(Granularity::Month, 13).is_err());
    }
}
