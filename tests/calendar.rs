//! Integration tests for `crmkit::calendar`.

use chrono::{DateTime, NaiveDate, Utc};
use crmkit::calendar::{
    Deadline, FiscalCalendar, Granularity, MAX_PERIODS, Period, RelativeDeadline, add_months,
};
use crmkit::{Error, ErrorKind};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("test date")
}

fn cal(first_month: u32) -> FiscalCalendar {
    FiscalCalendar::new(first_month).expect("valid first month")
}

fn period(start: NaiveDate, end: NaiveDate) -> Period {
    Period::new(start, end).expect("valid period")
}

fn resolve(first_month: u32, text: &str, as_of: NaiveDate) -> NaiveDate {
    let deadline = RelativeDeadline::parse(text).expect("deadline parses");
    cal(first_month)
        .resolve(&deadline, as_of)
        .expect("deadline resolves")
}

#[test]
fn april_fiscal_year_quarters_and_names() {
    let cal = cal(4);
    assert_eq!(cal.quarter_of(d(2024, 3, 31)), 4);
    assert_eq!(cal.fiscal_year_of(d(2024, 3, 31)), 2024);
    assert_eq!(cal.quarter_of(d(2024, 4, 1)), 1);
    assert_eq!(cal.fiscal_year_of(d(2024, 4, 1)), 2025);
    assert_eq!(cal.quarter_of(d(2025, 1, 15)), 4);
    let q = cal
        .period_containing(d(2024, 3, 31), Granularity::Quarter)
        .expect("q");
    assert_eq!(q, period(d(2024, 1, 1), d(2024, 4, 1)));
    let q2 = cal.fiscal_quarter_period(2025, 2).expect("q2");
    assert_eq!(q2, period(d(2024, 7, 1), d(2024, 10, 1)));
    let fy = cal.fiscal_year_period(2025).expect("fy");
    assert_eq!(fy, period(d(2024, 4, 1), d(2025, 4, 1)));
}

#[test]
fn end_of_next_quarter_from_november() {
    let as_of = d(2026, 11, 22);
    assert_eq!(resolve(1, "end of next quarter", as_of), d(2027, 3, 31));
    // October start: Oct-Dec is Q1, so the next quarter is Jan-Mar.
    assert_eq!(cal(10).quarter_of(as_of), 1);
    assert_eq!(cal(10).fiscal_year_of(as_of), 2027);
    assert_eq!(resolve(10, "end of next quarter", as_of), d(2027, 3, 31));
    assert_eq!(resolve(10, "end of this quarter", as_of), d(2026, 12, 31));
    assert_eq!(resolve(10, "end of the year", as_of), d(2027, 9, 30));
}

#[test]
fn end_of_forms_resolve_to_the_inclusive_last_day() {
    let as_of = d(2024, 2, 10);
    assert_eq!(resolve(1, "end of this month", as_of), d(2024, 2, 29));
    assert_eq!(resolve(1, "end of next month", as_of), d(2024, 3, 31));
    assert_eq!(resolve(1, "end of this quarter", as_of), d(2024, 3, 31));
    assert_eq!(resolve(1, "end of this year", as_of), d(2024, 12, 31));
    assert_eq!(resolve(1, "end of next year", as_of), d(2025, 12, 31));
    assert_eq!(resolve(4, "end of next year", as_of), d(2025, 3, 31));
    assert_eq!(resolve(1, "end of this week", as_of), d(2024, 2, 11));
    assert_eq!(resolve(1, "end of next week", as_of), d(2024, 2, 18));
}

#[test]
fn in_forms_add_and_clamp_to_month_end() {
    assert_eq!(resolve(1, "in 1 month", d(2024, 1, 31)), d(2024, 2, 29));
    assert_eq!(resolve(1, "in 1 month", d(2023, 1, 31)), d(2023, 2, 28));
    assert_eq!(resolve(1, "in 3 months", d(2024, 11, 30)), d(2025, 2, 28));
    assert_eq!(resolve(1, "in 1 year", d(2024, 2, 29)), d(2025, 2, 28));
    assert_eq!(resolve(1, "in 2 weeks", d(2024, 12, 25)), d(2025, 1, 8));
    assert_eq!(resolve(1, "in 10 days", d(2024, 2, 25)), d(2024, 3, 6));
    assert_eq!(resolve(1, "in 0 days", d(2024, 2, 25)), d(2024, 2, 25));
}

#[test]
fn add_months_clamps_and_goes_backwards() {
    assert_eq!(add_months(d(2024, 1, 31), 1).expect("add"), d(2024, 2, 29));
    assert_eq!(add_months(d(2024, 3, 31), -1).expect("sub"), d(2024, 2, 29));
    assert_eq!(
        add_months(d(2024, 5, 15), -17).expect("sub"),
        d(2022, 12, 15)
    );
    for months in [i32::MAX, i32::MIN, 10_000_000] {
        let err = add_months(d(2024, 1, 1), months).expect_err("out of range");
        assert_eq!(err.kind(), ErrorKind::Overflow);
    }
}

#[test]
fn leap_years_shape_months_and_years() {
    let c = FiscalCalendar::default();
    assert_eq!(
        c.period_containing(d(2024, 2, 10), Granularity::Month)
            .expect("m")
            .days(),
        29
    );
    assert_eq!(
        c.period_containing(d(2023, 2, 10), Granularity::Month)
            .expect("m")
            .days(),
        28
    );
    assert_eq!(
        c.period_containing(d(2000, 2, 10), Granularity::Month)
            .expect("m")
            .days(),
        29
    );
    assert_eq!(
        c.period_containing(d(1900, 2, 10), Granularity::Month)
            .expect("m")
            .days(),
        28
    );
    assert_eq!(c.fiscal_year_period(2024).expect("fy").days(), 366);
    // March start: FY2025 is 2024-03-01..2025-03-01, containing no Feb 29th.
    assert_eq!(cal(3).fiscal_year_period(2025).expect("fy").days(), 365);
    assert_eq!(cal(3).fiscal_year_period(2024).expect("fy").days(), 366);
}

#[test]
fn iso_weeks_cross_the_year_boundary() {
    let c = FiscalCalendar::default();
    // 2025-01-01 is a Wednesday; its ISO week starts Monday 2024-12-30.
    let week = c
        .period_containing(d(2025, 1, 1), Granularity::Week)
        .expect("w");
    assert_eq!(week, period(d(2024, 12, 30), d(2025, 1, 6)));
    assert_eq!(week.last_day(), d(2025, 1, 5));
    assert!(week.contains(d(2024, 12, 31)));
    let previous = c.previous_period(&week, Granularity::Week).expect("prev");
    assert_eq!(previous, period(d(2024, 12, 23), d(2024, 12, 30)));
    // A Sunday belongs to the week that started six days earlier.
    let sunday = c
        .period_containing(d(2021, 1, 3), Granularity::Week)
        .expect("w");
    assert_eq!(sunday.start(), d(2020, 12, 28));
}

#[test]
fn periods_between_counts_full_aligned_periods() {
    let c = FiscalCalendar::default();
    let year = period(d(2024, 1, 1), d(2025, 1, 1));
    let count = |g| c.periods_between(year, g).expect("periods").len();
    assert_eq!(count(Granularity::Day), 366);
    assert_eq!(count(Granularity::Week), 53); // 2024-01-01 is a Monday
    assert_eq!(count(Granularity::Month), 12);
    assert_eq!(count(Granularity::Quarter), 4);
    assert_eq!(count(Granularity::Year), 1);
    // Not clipped: a mid-quarter range yields the two whole quarters it touches.
    let range = period(d(2024, 2, 15), d(2024, 4, 2));
    let quarters = c.periods_between(range, Granularity::Quarter).expect("q");
    assert_eq!(
        quarters,
        vec![
            period(d(2024, 1, 1), d(2024, 4, 1)),
            period(d(2024, 4, 1), d(2024, 7, 1))
        ]
    );
    // An April fiscal year: the calendar year 2024 touches FY2024 and FY2025.
    assert_eq!(
        cal(4)
            .periods_between(year, Granularity::Year)
            .expect("y")
            .len(),
        2
    );
}

#[test]
fn periods_between_refuses_huge_ranges() {
    let c = FiscalCalendar::default();
    let huge = period(d(1, 1, 1), d(9999, 12, 31));
    let err = c
        .periods_between(huge, Granularity::Day)
        .expect_err("too many");
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(err.message().contains(&MAX_PERIODS.to_string()), "{err}");
    assert!(c.periods_between(huge, Granularity::Month).is_err()); // 119_988 months
    assert_eq!(
        c.periods_between(huge, Granularity::Quarter)
            .expect("q")
            .len(),
        39_996
    );
    let start = d(2000, 1, 1);
    let days = |n| start.checked_add_days(chrono::Days::new(n)).expect("end");
    let at_cap = period(start, days(MAX_PERIODS as u64));
    assert_eq!(
        c.periods_between(at_cap, Granularity::Day)
            .expect("cap")
            .len(),
        MAX_PERIODS
    );
    let over_cap = period(start, days(MAX_PERIODS as u64 + 1));
    assert!(c.periods_between(over_cap, Granularity::Day).is_err());
    let whole = period(NaiveDate::MIN, NaiveDate::MAX);
    assert!(c.periods_between(whole, Granularity::Year).is_err());
}

#[test]
fn period_basics() {
    let q1 = period(d(2024, 1, 1), d(2024, 4, 1));
    assert_eq!(q1.days(), 91);
    assert_eq!(q1.last_day(), d(2024, 3, 31));
    assert!(q1.contains(d(2024, 1, 1)) && !q1.contains(d(2024, 4, 1)));
    let ts: DateTime<Utc> = "2024-03-31T23:59:59Z".parse().expect("timestamp");
    assert!(q1.contains_timestamp(ts));
    let ts: DateTime<Utc> = "2024-04-01T00:00:00Z".parse().expect("timestamp");
    assert!(!q1.contains_timestamp(ts));
    assert_eq!(
        q1.previous().expect("prev"),
        period(d(2023, 10, 2), d(2024, 1, 1))
    );
    assert_eq!(
        q1.next().expect("next"),
        period(d(2024, 4, 1), d(2024, 7, 1))
    );
    assert!(q1.overlaps(&period(d(2024, 3, 31), d(2024, 5, 1))));
    assert!(!q1.overlaps(&period(d(2024, 4, 1), d(2024, 5, 1))));
    assert_eq!(q1.to_string(), "2024-01-01..2024-04-01");
}

#[test]
fn bad_inputs_are_errors() {
    for month in [0, 13, u32::MAX] {
        let err = FiscalCalendar::new(month).expect_err("bad month");
        assert_eq!(err.kind(), ErrorKind::Invalid);
        assert!(err.message().contains(&month.to_string()), "{err}");
    }
    let err = Period::new(d(2024, 4, 1), d(2024, 1, 1)).expect_err("backwards");
    assert_eq!((err.kind(), err.path()), (ErrorKind::Invalid, None));
    assert_eq!(
        err.message(),
        "period end 2024-01-01 must be after its start 2024-04-01"
    );
    assert!(Period::new(d(2024, 4, 1), d(2024, 4, 1)).is_err());
    let err = cal(1).fiscal_quarter_period(2024, 5).expect_err("q5");
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(cal(1).fiscal_quarter_period(2024, 0).is_err());
    assert_eq!(
        cal(7).fiscal_year_period(i32::MAX).expect_err("fy").kind(),
        ErrorKind::Overflow
    );
}

#[test]
fn bad_deadlines_are_clear_errors() {
    let err = RelativeDeadline::parse("end of last week").expect_err("last");
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(err.message().contains("end of this|next"), "{err}");
    assert!(err.message().contains("\"end of last week\""), "{err}");
    let err = RelativeDeadline::parse("in -3 months").expect_err("negative");
    assert!(err.message().contains("\"-3\""), "{err}");
    let err = RelativeDeadline::parse("in 99999999 years").expect_err("huge");
    assert!(err.message().contains("99999999"), "{err}");
    assert!(err.message().contains("10000"), "{err}");
    for text in [
        "",
        "in",
        "in 3",
        "in 3 fortnights",
        "end of next",
        "soon",
        "in 1.5 days",
    ] {
        assert!(
            RelativeDeadline::parse(text).is_err(),
            "{text:?} should fail"
        );
    }
    let err = Deadline::parse("2024-02-30").expect_err("no such day");
    assert!(err.message().contains("2024-02-30"), "{err}");
    let err = Deadline::parse("tomorrow").expect_err("not a form");
    assert!(err.message().contains("YYYY-MM-DD"), "{err}");
}

#[test]
fn date_overflow_is_an_error_not_a_panic() {
    let c = FiscalCalendar::default();
    let late = d(262_000, 1, 1);
    for deadline in [
        RelativeDeadline::InYears(10_000),
        RelativeDeadline::InYears(u32::MAX),
    ] {
        let err = c.resolve(&deadline, late).expect_err("overflow");
        assert_eq!(err.kind(), ErrorKind::Overflow);
    }
    for deadline in [
        RelativeDeadline::InDays(u32::MAX),
        RelativeDeadline::InWeeks(u32::MAX),
        RelativeDeadline::InMonths(u32::MAX),
    ] {
        assert_eq!(
            c.resolve(&deadline, d(2024, 1, 1)).expect_err("o").kind(),
            ErrorKind::Overflow
        );
    }
    let err = c
        .resolve(&RelativeDeadline::EndOfNextYear, NaiveDate::MAX)
        .expect_err("max");
    assert_eq!(err.kind(), ErrorKind::Overflow);
}

#[test]
fn parsing_is_case_and_whitespace_tolerant_and_displays_canonically() {
    let cases = [
        ("  End Of  NEXT quarter ", "end of next quarter"),
        ("end of the year", "end of this year"),
        ("END OF THE MONTH", "end of this month"),
        ("in 1 years", "in 1 year"),
        ("in 3 month", "in 3 months"),
        ("in\t2   WEEKS", "in 2 weeks"),
        ("in 10 days", "in 10 days"),
        ("in 010 days", "in 10 days"),
    ];
    for (text, canonical) in cases {
        let parsed: RelativeDeadline = text.parse().expect("parses");
        assert_eq!(parsed.to_string(), canonical);
        assert_eq!(
            RelativeDeadline::parse(canonical).expect("canonical"),
            parsed
        );
    }
}

#[test]
fn serde_round_trips() -> Result<(), Error> {
    let q1 = period(d(2024, 1, 1), d(2024, 4, 1));
    let json = serde_json::to_string(&q1).expect("serialise");
    assert_eq!(json, r#"{"start":"2024-01-01","end":"2024-04-01"}"#);
    assert_eq!(Error::parse_json::<Period>(&json)?, q1);
    let err = Error::parse_json::<Period>(r#"{"start":"2024-04-01","end":"2024-01-01"}"#)
        .expect_err("backwards");
    assert!(err.message().contains("must be after"), "{err}");

    let c = cal(10);
    let json = serde_json::to_string(&c).expect("serialise");
    assert_eq!(json, r#"{"first_month":10}"#);
    assert_eq!(Error::parse_json::<FiscalCalendar>(&json)?, c);
    assert!(Error::parse_json::<FiscalCalendar>(r#"{"first_month":13}"#).is_err());
    assert!(Error::parse_json::<FiscalCalendar>(r#"{"first_month":0}"#).is_err());

    let grains = serde_json::to_string(&Granularity::ALL).expect("serialise");
    assert_eq!(grains, r#"["day","week","month","quarter","year"]"#);
    assert_eq!(
        Error::parse_json::<Vec<Granularity>>(&grains)?,
        Granularity::ALL.to_vec()
    );

    let deadlines: Vec<Deadline> =
        Error::parse_json(r#"["2024-06-30", "End of next quarter", "in 3 months"]"#)?;
    assert_eq!(
        deadlines,
        vec![
            Deadline::Date(d(2024, 6, 30)),
            Deadline::Relative(RelativeDeadline::EndOfNextQuarter),
            Deadline::Relative(RelativeDeadline::InMonths(3)),
        ]
    );
    let json = serde_json::to_string(&deadlines).expect("serialise");
    assert_eq!(
        json,
        r#"["2024-06-30","end of next quarter","in 3 months"]"#
    );
    assert_eq!(Error::parse_json::<Vec<Deadline>>(&json)?, deadlines);
    let err = Error::parse_json::<Vec<Deadline>>(r#"["end of last week"]"#).expect_err("bad");
    assert_eq!(err.path(), Some("[0]"));
    Ok(())
}

#[test]
fn deadline_resolves_dates_and_relative_forms() -> Result<(), Error> {
    let c = cal(4);
    let as_of = d(2024, 5, 15);
    assert_eq!(
        Deadline::parse("2024-06-30")?.resolve(&c, as_of)?,
        d(2024, 6, 30)
    );
    assert_eq!(
        Deadline::parse("end of this year")?.resolve(&c, as_of)?,
        d(2025, 3, 31)
    );
    assert_eq!(Deadline::from(d(2030, 1, 1)).to_string(), "2030-01-01");
    Ok(())
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    // 0001-01-01 ..= 9999-12-31 as days from the common era.
    (1i32..=3_652_059)
        .prop_map(|days| NaiveDate::from_num_days_from_ce_opt(days).expect("in range"))
}

fn any_granularity() -> impl Strategy<Value = Granularity> {
    prop::sample::select(Granularity::ALL.to_vec())
}

proptest! {
    #[test]
    fn period_containing_contains_the_date(
        date in any_date(), g in any_granularity(), first_month in 1u32..=12,
    ) {
        let c = cal(first_month);
        let p = c.period_containing(date, g).expect("period");
        prop_assert!(p.contains(date));
        prop_assert_eq!(c.period_containing(p.last_day(), g).expect("same"), p);
        let q = c.quarter_of(date);
        prop_assert_eq!(c.fiscal_quarter_period(c.fiscal_year_of(date), q).expect("fq"),
            c.period_containing(date, Granularity::Quarter).expect("q"));
    }

    #[test]
    fn next_undoes_previous(date in any_date(), g in any_granularity(), first_month in 1u32..=12) {
        let c = cal(first_month);
        let p = c.period_containing(date, g).expect("period");
        let prev = c.previous_period(&p, g).expect("previous");
        prop_assert_eq!(prev.end(), p.start());
        prop_assert_eq!(c.next_period(&prev, g).expect("next"), p);
        prop_assert_eq!(c.previous_period(&c.next_period(&p, g).expect("n"), g).expect("p"), p);
    }

    #[test]
    fn periods_between_is_contiguous_and_covers_the_range(
        start in any_date(), len in 1u64..2_000, g in any_granularity(), first_month in 1u32..=12,
    ) {
        let c = cal(first_month);
        let end = start.checked_add_days(chrono::Days::new(len)).expect("end");
        let range = period(start, end);
        let periods = c.periods_between(range, g).expect("periods");
        prop_assert!(!periods.is_empty());
        prop_assert!(periods[0].contains(range.start()));
        prop_assert!(periods[periods.len() - 1].contains(range.last_day()));
        for pair in periods.windows(2) {
            prop_assert_eq!(pair[0].end(), pair[1].start());
            prop_assert!(!pair[0].overlaps(&pair[1]));
        }
        for p in &periods {
            prop_assert!(p.overlaps(&range));
        }
    }

    #[test]
    fn relative_deadlines_parse_their_display(n in 0u32..=10_000, unit in 0usize..4) {
        let deadline = [
            RelativeDeadline::InDays(n), RelativeDeadline::InWeeks(n),
            RelativeDeadline::InMonths(n), RelativeDeadline::InYears(n),
        ][unit];
        prop_assert_eq!(RelativeDeadline::parse(&deadline.to_string()).expect("parse"), deadline);
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,40}") {
        let _ = Deadline::parse(&text);
    }
}
