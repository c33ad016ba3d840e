//! Periods, fiscal calendars and relative deadlines ("end of next quarter").
//!
//! Everything here is pure: nothing reads the system clock, and every relative
//! computation takes an explicit `as_of` date. A [`Period`] is a half-open
//! range of days `[start, end)`. A [`FiscalCalendar`] says in which month the
//! fiscal year starts; fiscal quarters and years follow it, while days,
//! months and ISO weeks (Monday to Sunday) are always calendar-aligned.
//!
//! Fiscal years are named by the calendar year in which they **end**: with a
//! fiscal year starting in April, 2024-04-01..=2025-03-31 is FY2025. With the
//! default January start the fiscal year is the calendar year.
//!
//! ```
//! use chrono::NaiveDate;
//! use crmkit::calendar::{Deadline, FiscalCalendar, Granularity};
//!
//! let cal = FiscalCalendar::new(4)?; // fiscal year starts in April
//! let as_of = NaiveDate::from_ymd_opt(2024, 5, 15).expect("valid date");
//! assert_eq!(cal.fiscal_year_of(as_of), 2025);
//! assert_eq!(cal.quarter_of(as_of), 1);
//!
//! let quarter = cal.period_containing(as_of, Granularity::Quarter)?;
//! assert_eq!(quarter.to_string(), "2024-04-01..2024-07-01");
//!
//! let deadline: Deadline = "end of next quarter".parse()?;
//! assert_eq!(deadline.resolve(&cal, as_of)?.to_string(), "2024-09-30");
//! Ok::<(), crmkit::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{Error, ErrorKind, Result};

/// The most periods [`FiscalCalendar::periods_between`] returns (about 273
/// years of days); larger requests are an [`ErrorKind::Invalid`] error.
pub const MAX_PERIODS: usize = 100_000;

/// The largest `N` accepted in an "in N days|weeks|months|years" deadline.
pub const MAX_DEADLINE_COUNT: u32 = 10_000;

const RELATIVE_FORMS: &str = "\"end of this|next week|month|quarter|year\", \
     \"end of the week|month|quarter|year\" or \"in N days|weeks|months|years\" \
     with N from 0 to 10000";

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Invalid, message)
}

/// `value`, or an [`ErrorKind::Overflow`] error saying that `what` is outside
/// chrono's date range.
fn in_range<T>(value: Option<T>, what: fmt::Arguments<'_>) -> Result<T> {
    value.ok_or_else(|| Error::overflow(format!("{what} is outside the supported date range")))
}

/// Quotes caller text for an error message, cut short if it is long.
fn quoted(text: &str) -> String {
    const LIMIT: usize = 60;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("\"{}...\"", &text[..cut]),
        None => format!("\"{text}\""),
    }
}

/// Adds `months` (negative to go back) to `date`, clamping the day to the end
/// of the resulting month: 2024-01-31 plus one month is 2024-02-29.
///
/// # Errors
///
/// [`ErrorKind::Overflow`] if the result is outside chrono's date range.
pub fn add_months(date: NaiveDate, months: i32) -> Result<NaiveDate> {
    let shifted = if months >= 0 {
        date.checked_add_months(Months::new(months.unsigned_abs()))
    } else {
        date.checked_sub_months(Months::new(months.unsigned_abs()))
    };
    in_range(shifted, format_args!("{date} plus {months} months"))
}

/// The size of a period: a day, an ISO week, a month, a quarter or a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    /// One calendar day.
    Day,
    /// One ISO week, Monday to Sunday.
    Week,
    /// One calendar month.
    Month,
    /// One fiscal quarter (three months from the fiscal year start).
    Quarter,
    /// One fiscal year.
    Year,
}

impl Granularity {
    /// Every granularity, smallest first.
    pub const ALL: [Granularity; 5] = [
        Granularity::Day,
        Granularity::Week,
        Granularity::Month,
        Granularity::Quarter,
        Granularity::Year,
    ];

    /// The lowercase name used in JSON (`"day"`, `"week"`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Day => "day",
            Granularity::Week => "week",
            Granularity::Month => "month",
            Granularity::Quarter => "quarter",
            Granularity::Year => "year",
        }
    }
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A non-empty, half-open range of days `[start, end)`.
///
/// In JSON: `{"start":"2024-01-01","end":"2024-04-01"}` (the first quarter of
/// 2024); deserialisation checks that `end` is after `start`. `Display` prints
/// `2024-01-01..2024-04-01`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "PeriodRepr")]
pub struct Period {
    start: NaiveDate,
    end: NaiveDate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodRepr {
    start: NaiveDate,
    end: NaiveDate,
}

impl TryFrom<PeriodRepr> for Period {
    type Error = Error;

    fn try_from(repr: PeriodRepr) -> Result<Self> {
        Period::new(repr.start, repr.end)
    }
}

impl Period {
    /// The period from `start` (inclusive) to `end` (exclusive).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] if `end` is not after `start`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self> {
        if end <= start {
            return Err(invalid(format!(
                "period end {end} must be after its start {start}"
            )));
        }
        Ok(Period { start, end })
    }

    /// The first day of the period.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The first day after the period (exclusive end).
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// The last day of the period (inclusive).
    pub fn last_day(&self) -> NaiveDate {
        // `end > start`, so the day before `end` always exists.
        self.end.pred_opt().unwrap_or(self.start)
    }

    /// Whether `date` falls inside the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date < self.end
    }

    /// Whether the UTC calendar day of `timestamp` falls inside the period.
    pub fn contains_timestamp(&self, timestamp: DateTime<Utc>) -> bool {
        self.contains(timestamp.date_naive())
    }

    /// The number of days in the period (at least 1).
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days()
    }

    /// Whether the two periods share at least one day.
    pub fn overlaps(&self, other: &Period) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// The period of the same number of days that ends where this one starts.
    ///
    /// For calendar-aligned months, quarters and years (whose lengths vary)
    /// use [`FiscalCalendar::previous_period`] instead.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Overflow`] if it would start before chrono's first date.
    pub fn previous(&self) -> Result<Period> {
        let start = self
            .start
            .checked_sub_days(Days::new(self.days().unsigned_abs()));
        Period::new(
            in_range(start, format_args!("the period before {self}"))?,
            self.start,
        )
    }

    /// The period of the same number of days that starts where this one ends.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Overflow`] if it would end after chrono's last date.
    pub fn next(&self) -> Result<Period> {
        let end = self
            .end
            .checked_add_days(Days::new(self.days().unsigned_abs()));
        Period::new(
            self.end,
            in_range(end, format_args!("the period after {self}"))?,
        )
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// Months since year 0, so that month arithmetic is plain integer arithmetic.
fn month_index(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

/// The first day of the month with the given [`month_index`].
fn first_of_month(index: i64) -> Option<NaiveDate> {
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = u32::try_from(index.rem_euclid(12)).ok()? + 1;
    NaiveDate::from_ymd_opt(year, month, 1)
}

/// The `months`-long period starting at the month with index `start`.
fn month_span(start: i64, months: i64) -> Option<Period> {
    let first = first_of_month(start)?;
    let end = first_of_month(start.checked_add(months)?)?;
    Period::new(first, end).ok()
}

/// When the fiscal year starts; the source of fiscal quarters and years.
///
/// In JSON: `{"first_month": 4}` for a fiscal year starting on April 1st; the
/// default starts in January, making fiscal years calendar years. Fiscal
/// years are named by the calendar year in which they end (see the
/// [module docs](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "FiscalCalendarRepr")]
pub struct FiscalCalendar {
    first_month: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FiscalCalendarRepr {
    first_month: u32,
}

impl TryFrom<FiscalCalendarRepr> for FiscalCalendar {
    type Error = Error;

    fn try_from(repr: FiscalCalendarRepr) -> Result<Self> {
        FiscalCalendar::new(repr.first_month)
    }
}

impl Default for FiscalCalendar {
    fn default() -> Self {
        FiscalCalendar { first_month: 1 }
    }
}

impl FiscalCalendar {
    /// A calendar whose fiscal year starts on the first day of `first_month`
    /// (1 = January ... 12 = December).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] if `first_month` is not from 1 to 12.
    pub fn new(first_month: u32) -> Result<Self> {
        if !(1..=12).contains(&first_month) {
            return Err(invalid(format!(
                "first month of the fiscal year must be from 1 to 12, got {first_month}"
            )));
        }
        Ok(FiscalCalendar { first_month })
    }

    /// The month (1..=12) in which the fiscal year starts.
    pub fn first_month(&self) -> u32 {
        self.first_month
    }

    /// How many months the fiscal year is shifted from the calendar year.
    fn shift(&self) -> i64 {
        i64::from(self.first_month.saturating_sub(1))
    }

    /// The fiscal year of `date`, named by the calendar year in which that
    /// fiscal year ends (with an April start, 2024-04-01 is in FY2025).
    pub fn fiscal_year_of(&self, date: NaiveDate) -> i32 {
        if self.first_month > 1 && date.month() >= self.first_month {
            date.year() + 1
        } else {
            date.year()
        }
    }

    /// The fiscal quarter (1..=4) of `date`.
    pub fn quarter_of(&self, date: NaiveDate) -> u8 {
        let offset = (i64::from(date.month0()) - self.shift()).rem_euclid(12);
        // `offset` is in 0..12, so the quarter is in 1..=4.
        u8::try_from(offset / 3 + 1).unwrap_or(1)
    }

    /// The period of granularity `granularity` that contains `date`: the day
    /// itself, its ISO week (Monday to Sunday), its calendar month, or its
    /// fiscal quarter or fiscal year.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Overflow`] if the period reaches past chrono's date range.
    pub fn period_containing(&self, date: NaiveDate, granularity: Granularity) -> Result<Period> {
        let found = match granularity {
            Granularity::Day => date.succ_opt().and_then(|end| Period::new(date, end).ok()),
            Granularity::Week => {
                let back = Days::new(u64::from(date.weekday().num_days_from_monday()));
                date.checked_sub_days(back).and_then(|start| {
                    let end = start.checked_add_days(Days::new(7))?;
                    Period::new(start, end).ok()
                })
            }
            Granularity::Month => month_span(month_index(date), 1),
            Granularity::Quarter => self.aligned_span(date, 3),
            Granularity::Year => self.aligned_span(date, 12),
        };
        in_range(found, format_args!("the {granularity} containing {date}"))
    }

    /// The `months`-long span aligned to the fiscal year that contains `date`.
    fn aligned_span(&self, date: NaiveDate, months: i64) -> Option<Period> {
        let index = month_index(date);
        month_span(index - (index - self.shift()).rem_euclid(months), months)
    }

    /// The period of granularity `granularity` just before `period`: the one
    /// containing the day before `period` starts. For a period produced by
    /// [`period_containing`](Self::period_containing) with the same
    /// granularity this is its exact predecessor.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Overflow`] if it would fall outside chrono's date range.
    pub fn previous_period(&self, period: &Period, granularity: Granularity) -> Result<Period> {
        let day_before = period.start().pred_opt();
        let day_before = in_range(
            day_before,
            format_args!("the {granularity} before {period}"),
        )?;
        self.period_containing(day_before, granularity)
    }

    /// The period of granularity `granularity` just after `period`: the one
    /// containing `period.end()`. For a period produced by
    /// [`period_containing`](Self::period_containing) with the same
    /// granularity this is its exact successor.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Overflow`] if it would fall outside chrono's date range.
    pub fn next_period(&self, period: &Period, granularity: Granularity) -> Result<Period> {
        self.period_containing(period.end(), granularity)
    }

    /// Every full, aligned period of granularity `granularity` that shares at
    /// least one day with `range`, in order. The periods are not clipped to
    /// `range`: the first may start before it and the last may end after it.
    /// They are contiguous and do not overlap.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] if there would be more than [`MAX_PERIODS`]
    /// periods; [`ErrorKind::Overflow`] if a period reaches past chrono's
    /// date range.
    pub fn periods_between(&self, range: Period, granularity: Granularity) -> Result<Vec<Period>> {
        let first = self.period_containing(range.start(), granularity)?;
        let last = self.period_containing(range.last_day(), granularity)?;
        let days = (last.start() - first.start()).num_days();
        let months = month_index(last.start()) - month_index(first.start());
        let count = 1 + match granularity {
            Granularity::Day => days,
            Granularity::Week => days / 7,
            Granularity::Month => months,
            Granularity::Quarter => months / 3,
            Granularity::Year => months / 12,
        };
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        if count > MAX_PERIODS {
            return Err(invalid(format!(
                "range {range} spans {count} {granularity} periods, \
                 more than the maximum of {MAX_PERIODS}"
            )));
        }
        let mut periods = Vec::with_capacity(count);
        let mut current = first;
        loop {
            periods.push(current);
            if current.end() >= range.end() {
                return Ok(periods);
            }
            current = self.next_period(&current, granularity)?;
        }
    }

    /// The fiscal year named `fiscal_year` (the calendar year in which it
    /// ends).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Overflow`] if it is outside chrono's date range.
    pub fn fiscal_year_period(&self, fiscal_year: i32) -> Result<Period> {
        let found = self.fiscal_months(fiscal_year, 0, 12);
        in_range(found, format_args!("fiscal year {fiscal_year}"))
    }

    /// Quarter `quarter` (1..=4) of the fiscal year named `fiscal_year`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] if `quarter` is not from 1 to 4;
    /// [`ErrorKind::Overflow`] if it is outside chrono's date range.
    pub fn fiscal_quarter_period(&self, fiscal_year: i32, quarter: u8) -> Result<Period> {
        if !(1..=4).contains(&quarter) {
            return Err(invalid(format!(
                "fiscal quarter must be from 1 to 4, got {quarter}"
            )));
        }
        let skip = 3 * i64::from(quarter - 1);
        let found = self.fiscal_months(fiscal_year, skip, 3);
        in_range(
            found,
            format_args!("quarter {quarter} of fiscal year {fiscal_year}"),
        )
    }

    /// `months` months starting `skip` months into fiscal year `fiscal_year`.
    fn fiscal_months(&self, fiscal_year: i32, skip: i64, months: i64) -> Option<Period> {
        let shift = self.shift();
        let year_start = i64::from(fiscal_year) * 12 + shift - if shift == 0 { 0 } else { 12 };
        month_span(year_start + skip, months)
    }

    /// The date `deadline` means on `as_of`: the last day (inclusive) of the
    /// current or next week, month, fiscal quarter or fiscal year for the
    /// "end of" forms; `as_of` plus N days, weeks, months or years for the
    /// "in N" forms, with the day clamped to the end of a shorter month
    /// (2024-01-31 "in 1 month" is 2024-02-29).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Overflow`] if the result is outside chrono's date range.
    pub fn resolve(&self, deadline: &RelativeDeadline, as_of: NaiveDate) -> Result<NaiveDate> {
        let resolved = match deadline.shape() {
            Shape::EndOf(granularity, next) => {
                let mut period = self.period_containing(as_of, granularity).ok();
                if next {
                    period = period.and_then(|p| self.next_period(&p, granularity).ok());
                }
                period.map(|p| p.last_day())
            }
            Shape::In(Granularity::Day, n) => as_of.checked_add_days(Days::new(u64::from(n))),
            Shape::In(Granularity::Week, n) => as_of.checked_add_days(Days::new(u64::from(n) * 7)),
            Shape::In(Granularity::Year, n) => n
                .checked_mul(12)
                .and_then(|months| as_of.checked_add_months(Months::new(months))),
            Shape::In(_, n) => as_of.checked_add_months(Months::new(n)),
        };
        in_range(
            resolved,
            format_args!("deadline \"{deadline}\" from {as_of}"),
        )
    }
}

/// A deadline relative to an `as_of` date, such as "end of next quarter" or
/// "in 3 months"; resolve it with [`FiscalCalendar::resolve`].
///
/// Parsed from and serialised as text. Parsing is case-insensitive and
/// tolerates extra whitespace; it accepts "end of this|next
/// week|month|quarter|year", "end of the week|month|quarter|year" (same as
/// "this") and "in N day(s)|week(s)|month(s)|year(s)" with N from 0 to
/// [`MAX_DEADLINE_COUNT`]. `Display` gives the canonical form
/// (`"end of this year"`, `"in 1 month"`, `"in 3 months"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum RelativeDeadline {
    /// The last day (Sunday) of the current ISO week.
    EndOfThisWeek,
    /// The last day (Sunday) of the next ISO week.
    EndOfNextWeek,
    /// The last day of the current calendar month.
    EndOfThisMonth,
    /// The last day of the next calendar month.
    EndOfNextMonth,
    /// The last day of the current fiscal quarter.
    EndOfThisQuarter,
    /// The last day of the next fiscal quarter.
    EndOfNextQuarter,
    /// The last day of the current fiscal year.
    EndOfThisYear,
    /// The last day of the next fiscal year.
    EndOfNextYear,
    /// `as_of` plus this many days.
    InDays(u32),
    /// `as_of` plus this many weeks.
    InWeeks(u32),
    /// `as_of` plus this many calendar months, clamped to the month end.
    InMonths(u32),
    /// `as_of` plus this many years, clamped to the month end (Feb 29th).
    InYears(u32),
}

/// The meaning of a [`RelativeDeadline`]: the end of this (false) or the next
/// (true) period, or N units after `as_of`.
enum Shape {
    EndOf(Granularity, bool),
    In(Granularity, u32),
}

impl RelativeDeadline {
    fn shape(&self) -> Shape {
        use Granularity::{Day, Month, Quarter, Week, Year};
        match *self {
            RelativeDeadline::EndOfThisWeek => Shape::EndOf(Week, false),
            RelativeDeadline::EndOfNextWeek => Shape::EndOf(Week, true),
            RelativeDeadline::EndOfThisMonth => Shape::EndOf(Month, false),
            RelativeDeadline::EndOfNextMonth => Shape::EndOf(Month, true),
            RelativeDeadline::EndOfThisQuarter => Shape::EndOf(Quarter, false),
            RelativeDeadline::EndOfNextQuarter => Shape::EndOf(Quarter, true),
            RelativeDeadline::EndOfThisYear => Shape::EndOf(Year, false),
            RelativeDeadline::EndOfNextYear => Shape::EndOf(Year, true),
            RelativeDeadline::InDays(n) => Shape::In(Day, n),
            RelativeDeadline::InWeeks(n) => Shape::In(Week, n),
            RelativeDeadline::InMonths(n) => Shape::In(Month, n),
            RelativeDeadline::InYears(n) => Shape::In(Year, n),
        }
    }

    /// Parses a relative deadline such as `"End of next  quarter"` or
    /// `"in 2 weeks"`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] naming the accepted forms if the text is not
    /// one of them, or naming the count if N is not a whole number from 0 to
    /// [`MAX_DEADLINE_COUNT`].
    pub fn parse(text: &str) -> Result<Self> {
        Self::parse_words(text).unwrap_or_else(|| {
            Err(invalid(format!(
                "unrecognised relative deadline {}: expected {RELATIVE_FORMS}",
                quoted(text.trim())
            )))
        })
    }

    /// `None` if the text has none of the accepted shapes.
    fn parse_words(text: &str) -> Option<Result<Self>> {
        use RelativeDeadline as R;
        let lower = text.to_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        match words.as_slice() {
            ["end", "of", which, unit] => {
                let next = match *which {
                    "this" | "the" => false,
                    "next" => true,
                    _ => return None,
                };
                let deadline = match (*unit, next) {
                    ("week", false) => R::EndOfThisWeek,
                    ("week", true) => R::EndOfNextWeek,
                    ("month", false) => R::EndOfThisMonth,
                    ("month", true) => R::EndOfNextMonth,
                    ("quarter", false) => R::EndOfThisQuarter,
                    ("quarter", true) => R::EndOfNextQuarter,
                    ("year", false) => R::EndOfThisYear,
                    ("year", true) => R::EndOfNextYear,
                    _ => return None,
                };
                Some(Ok(deadline))
            }
            ["in", count, unit] => {
                let make: fn(u32) -> Self = match *unit {
                    "day" | "days" => R::InDays,
                    "week" | "weeks" => R::InWeeks,
                    "month" | "months" => R::InMonths,
                    "year" | "years" => R::InYears,
                    _ => return None,
                };
                Some(parse_count(count, text).map(make))
            }
            _ => None,
        }
    }
}

/// Parses the N of "in N units": digits only, at most [`MAX_DEADLINE_COUNT`].
fn parse_count(count: &str, text: &str) -> Result<u32> {
    if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(format!(
            "count {} in deadline {} must be a whole number from 0 to {MAX_DEADLINE_COUNT}",
            quoted(count),
            quoted(text.trim())
        )));
    }
    match count.parse::<u32>() {
        Ok(n) if n <= MAX_DEADLINE_COUNT => Ok(n),
        _ => Err(invalid(format!(
            "count {} in deadline {} exceeds the maximum of {MAX_DEADLINE_COUNT}",
            quoted(count),
            quoted(text.trim())
        ))),
    }
}

impl fmt::Display for RelativeDeadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.shape() {
            Shape::EndOf(unit, next) => {
                let which = if next { "next" } else { "this" };
                write!(f, "end of {which} {unit}")
            }
            Shape::In(unit, n) => {
                let plural = if n == 1 { "" } else { "s" };
                write!(f, "in {n} {unit}{plural}")
            }
        }
    }
}

/// `FromStr`, `TryFrom<String>` (for serde) and `Serialize` (as the
/// `Display` text) for a type with a `parse(&str) -> Result<Self>`.
macro_rules! string_form {
    ($ty:ident) => {
        impl FromStr for $ty {
            type Err = Error;

            fn from_str(text: &str) -> Result<Self> {
                $ty::parse(text)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = Error;

            fn try_from(text: String) -> Result<Self> {
                $ty::parse(&text)
            }
        }

        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
    };
}

string_form!(RelativeDeadline);
string_form!(Deadline);

/// A deadline: a fixed date, or one relative to an `as_of` date.
///
/// In JSON it is a string: `"2024-06-30"` (a `YYYY-MM-DD` date) or any
/// [`RelativeDeadline`] form such as `"end of next quarter"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum Deadline {
    /// A fixed calendar date (the deadline day itself, inclusive).
    Date(NaiveDate),
    /// A date relative to `as_of`.
    Relative(RelativeDeadline),
}

impl Deadline {
    /// Parses a `YYYY-MM-DD` date or a relative deadline.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] if the text looks like a date but is not an
    /// existing day, or is neither a date nor a relative deadline.
    pub fn parse(text: &str) -> Result<Self> {
        let trimmed = text.trim();
        let unsigned = trimmed.trim_start_matches(['+', '-']);
        if unsigned.starts_with(|c: char| c.is_ascii_digit()) {
            return trimmed
                .parse::<NaiveDate>()
                .map(Deadline::Date)
                .map_err(|_| {
                    invalid(format!(
                        "invalid deadline date {}: expected an existing day as YYYY-MM-DD",
                        quoted(trimmed)
                    ))
                });
        }
        RelativeDeadline::parse_words(trimmed)
            .unwrap_or_else(|| {
                Err(invalid(format!(
                    "unrecognised deadline {}: expected a date as YYYY-MM-DD, {RELATIVE_FORMS}",
                    quoted(trimmed)
                )))
            })
            .map(Deadline::Relative)
    }

    /// The date this deadline means on `as_of` under `calendar`: a fixed date
    /// is returned as is, a relative one goes through
    /// [`FiscalCalendar::resolve`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Overflow`] if the result is outside chrono's date range.
    pub fn resolve(&self, calendar: &FiscalCalendar, as_of: NaiveDate) -> Result<NaiveDate> {
        match self {
            Deadline::Date(date) => Ok(*date),
            Deadline::Relative(relative) => calendar.resolve(relative, as_of),
        }
    }
}

impl From<NaiveDate> for Deadline {
    fn from(date: NaiveDate) -> Self {
        Deadline::Date(date)
    }
}

impl From<RelativeDeadline> for Deadline {
    fn from(relative: RelativeDeadline) -> Self {
        Deadline::Relative(relative)
    }
}

impl fmt::Display for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Deadline::Date(date) => write!(f, "{date}"),
            Deadline::Relative(relative) => relative.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("test date")
    }

    #[test]
    fn month_index_round_trips_negative_years() {
        let date = d(-5, 11, 1);
        assert_eq!(first_of_month(month_index(date)), Some(date));
    }

    #[test]
    fn period_containing_at_the_end_of_time_is_an_overflow() {
        let cal = FiscalCalendar::default();
        let err = cal
            .period_containing(NaiveDate::MAX, Granularity::Day)
            .expect_err("no day after max");
        assert_eq!(err.kind(), ErrorKind::Overflow);
        assert!(
            cal.period_containing(NaiveDate::MIN, Granularity::Week)
                .is_err()
        );
    }

    #[test]
    fn long_inputs_are_cut_short_in_messages() {
        let long = "x".repeat(1000);
        let err = RelativeDeadline::parse(&long).expect_err("garbage");
        assert!(err.message().len() < 400, "{}", err.message());
    }
}
