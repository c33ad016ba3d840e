//! Time zones of local-time waits ("until 09:00 in the contact's time
//! zone", business days): fixed UTC offsets, POSIX TZ rule strings with
//! daylight saving, and a small built-in table of IANA zone names.
//!
//! A [`TimeZoneRule`] is parsed once from one of:
//!
//! - a fixed offset in ISO 8601 form, east of UTC positive: `"+02:00"`,
//!   `"-05:30"`, `"+0530"`, `"+05"`, `"Z"`, `"UTC"` (at most 14 hours);
//! - a POSIX TZ rule string, the format of the `TZ` variable and of the
//!   footer of every TZif file (RFC 8536 section 3.3):
//!   `std offset [dst [offset] ,start[/time],end[/time]]`, e.g.
//!   `"CET-1CEST,M3.5.0,M10.5.0/3"`, `"EST5EDT,M3.2.0,M11.1.0"`,
//!   `"<+0530>-5:30"`. Beware the POSIX sign: the offset is *west* of UTC,
//!   so `EST5` is five hours behind UTC and `<+0530>-5:30` is ahead.
//!   Dates are `Mm.w.d` (day `d`, 0 = Sunday, of week `w`, 5 = last, of
//!   month `m`), `Jn` (1–365, February 29 never counted) or `n` (0–365,
//!   counting February 29); times default to `02:00` and may be negative
//!   or beyond 24 hours (−167 to 167), as RFC 8536 allows. A daylight
//!   saving name must come with its rules (the implementation-defined
//!   default of POSIX is refused rather than guessed);
//! - an IANA zone name of the built-in table ([`TimeZoneRule::NAMES`]),
//!   which maps it to the POSIX rule its TZif footer holds today. **Only
//!   the current rules**: no historical transitions, so a date before the
//!   zone's last rule change (e.g. `Europe/Moscow` before 2014) gets
//!   today's offset. Names outside the table are refused with a hint to
//!   give the POSIX rule instead.
//!
//! Local times are turned into instants as follows: a local time that
//! does not exist (skipped when the clocks go forward) becomes the first
//! instant after the gap (the moment of the change); an ambiguous one
//! (repeated when the clocks go back) becomes the earlier instant.
//!
//! ```
//! use chrono::NaiveDate;
//! use crmkit::journeys::time_zone::TimeZoneRule;
//!
//! let paris = TimeZoneRule::parse("Europe/Paris")?;
//! assert_eq!(paris, TimeZoneRule::parse("CET-1CEST,M3.5.0,M10.5.0/3")?);
//! // Summer time started on Sunday 29 March 2026 at 01:00 UTC.
//! let before = "2026-03-29T00:59:59Z".parse().unwrap();
//! let after = "2026-03-29T01:00:00Z".parse().unwrap();
//! assert_eq!(paris.offset_at(before).local_minus_utc(), 3600);
//! assert_eq!(paris.offset_at(after).local_minus_utc(), 7200);
//! // 09:00 in Paris is 08:00 UTC in winter and 07:00 UTC in summer.
//! let nine = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).unwrap().and_hms_opt(9, 0, 0).unwrap();
//! assert_eq!(paris.instant(nine(28)).to_rfc3339(), "2026-03-28T08:00:00+00:00");
//! assert_eq!(paris.instant(nine(30)).to_rfc3339(), "2026-03-30T07:00:00+00:00");
//! // 02:30 did not exist that night: the first instant after the gap.
//! let gap = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap().and_hms_opt(2, 30, 0).unwrap();
//! assert_eq!(paris.instant(gap).to_rfc3339(), "2026-03-29T01:00:00+00:00");
//! assert!(TimeZoneRule::parse("CET-1CEST,M13.5.0,M10.5.0").is_err());
//! Ok::<(), crmkit::Error>(())
//! ```

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Offset, Utc};

use crate::error::shown;
use crate::{Error, ErrorKind, Result};

/// A parsed time zone: a standard offset and, optionally, a daylight
/// saving offset with the yearly rules of its start and end. Small and
/// `Copy`; see the [module documentation](self) for the accepted forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZoneRule {
    /// Standard time, seconds east of UTC.
    std: i32,
    dst: Option<Dst>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Dst {
    /// Daylight saving time, seconds east of UTC.
    offset: i32,
    /// When it starts, in standard local time.
    start: Change,
    /// When it ends, in daylight saving local time.
    end: Change,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Change {
    date: DateRule,
    /// Seconds after local midnight, −167 h to 167 h.
    time: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateRule {
    /// `Jn`: day 1–365, February 29 never counted.
    Julian1(u16),
    /// `n`: day 0–365, February 29 counted.
    Julian0(u16),
    /// `Mm.w.d`.
    Month { month: u8, week: u8, weekday: u8 },
}

/// IANA names and the POSIX rule of their TZif footer (tzdata 2025).
const ZONES: &[(&str, &str)] = &[
    ("UTC", "UTC0"),
    ("Etc/UTC", "UTC0"),
    ("GMT", "GMT0"),
    ("Etc/GMT", "GMT0"),
    ("Europe/London", "GMT0BST,M3.5.0/1,M10.5.0"),
    ("Europe/Dublin", "IST-1GMT0,M10.5.0,M3.5.0/1"),
    ("Europe/Lisbon", "WET0WEST,M3.5.0/1,M10.5.0"),
    ("Europe/Paris", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Europe/Madrid", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Europe/Rome", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Europe/Amsterdam", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Europe/Brussels", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Europe/Vienna", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Europe/Zurich", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Europe/Stockholm", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Europe/Oslo", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Europe/Copenhagen", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Europe/Warsaw", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Europe/Prague", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Europe/Budapest", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Europe/Athens", "EET-2EEST,M3.5.0/3,M10.5.0/4"),
    ("Europe/Helsinki", "EET-2EEST,M3.5.0/3,M10.5.0/4"),
    ("Europe/Bucharest", "EET-2EEST,M3.5.0/3,M10.5.0/4"),
    ("Europe/Sofia", "EET-2EEST,M3.5.0/3,M10.5.0/4"),
    ("Europe/Kyiv", "EET-2EEST,M3.5.0/3,M10.5.0/4"),
    ("Europe/Istanbul", "<+03>-3"),
    ("Europe/Moscow", "MSK-3"),
    ("Africa/Cairo", "EET-2EEST,M4.5.5/0,M10.5.4/24"),
    ("Africa/Johannesburg", "SAST-2"),
    ("Africa/Lagos", "WAT-1"),
    ("Africa/Nairobi", "EAT-3"),
    ("Asia/Jerusalem", "IST-2IDT,M3.4.4/26,M10.5.0"),
    ("Asia/Dubai", "<+04>-4"),
    ("Asia/Tehran", "<+0330>-3:30"),
    ("Asia/Karachi", "PKT-5"),
    ("Asia/Kolkata", "IST-5:30"),
    ("Asia/Dhaka", "<+06>-6"),
    ("Asia/Bangkok", "<+07>-7"),
    ("Asia/Jakarta", "WIB-7"),
    ("Asia/Shanghai", "CST-8"),
    ("Asia/Hong_Kong", "HKT-8"),
    ("Asia/Singapore", "<+08>-8"),
    ("Asia/Manila", "PST-8"),
    ("Asia/Tokyo", "JST-9"),
    ("Asia/Seoul", "KST-9"),
    ("Australia/Perth", "AWST-8"),
    ("Australia/Adelaide", "ACST-9:30ACDT,M10.1.0,M4.1.0/3"),
    ("Australia/Brisbane", "AEST-10"),
    ("Australia/Sydney", "AEST-10AEDT,M10.1.0,M4.1.0/3"),
    ("Australia/Melbourne", "AEST-10AEDT,M10.1.0,M4.1.0/3"),
    ("Pacific/Auckland", "NZST-12NZDT,M9.5.0,M4.1.0/3"),
    ("Pacific/Honolulu", "HST10"),
    ("America/Anchorage", "AKST9AKDT,M3.2.0,M11.1.0"),
    ("America/Los_Angeles", "PST8PDT,M3.2.0,M11.1.0"),
    ("America/Vancouver", "PST8PDT,M3.2.0,M11.1.0"),
    ("America/Phoenix", "MST7"),
    ("America/Denver", "MST7MDT,M3.2.0,M11.1.0"),
    ("America/Chicago", "CST6CDT,M3.2.0,M11.1.0"),
    ("America/Mexico_City", "CST6"),
    ("America/New_York", "EST5EDT,M3.2.0,M11.1.0"),
    ("America/Toronto", "EST5EDT,M3.2.0,M11.1.0"),
    ("America/Bogota", "<-05>5"),
    ("America/Lima", "<-05>5"),
    ("America/Halifax", "AST4ADT,M3.2.0,M11.1.0"),
    ("America/St_Johns", "NST3:30NDT,M3.2.0,M11.1.0"),
    ("America/Santiago", "<-04>4<-03>,M9.1.6/24,M4.1.6/24"),
    ("America/Sao_Paulo", "<-03>3"),
    ("America/Argentina/Buenos_Aires", "<-03>3"),
    ("America/Nuuk", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0"),
];

const HOUR: i32 = 3600;
const DAY: i64 = 86_400;

impl TimeZoneRule {
    /// The IANA names of the built-in table, each mapped to its current
    /// POSIX rule (no historical transitions).
    pub const NAMES: &'static [(&'static str, &'static str)] = ZONES;

    /// UTC.
    pub const UTC: TimeZoneRule = TimeZoneRule { std: 0, dst: None };

    /// A fixed offset, seconds east of UTC.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] at 24 hours or more either way.
    pub fn fixed(seconds_east: i32) -> Result<TimeZoneRule> {
        if seconds_east.abs() >= 24 * HOUR {
            return Err(Error::new(
                ErrorKind::Invalid,
                format!("an offset of {seconds_east} s is not less than 24 hours from UTC"),
            ));
        }
        Ok(TimeZoneRule {
            std: seconds_east,
            dst: None,
        })
    }

    /// Parses a fixed offset, a POSIX TZ rule string or a name of the
    /// built-in table (see the [module documentation](self)).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] (without a path: the caller adds the JSON
    /// path or field) saying what is wrong and where in the text.
    pub fn parse(text: &str) -> Result<TimeZoneRule> {
        let bad = |why: String| {
            Error::new(
                ErrorKind::Invalid,
                format!("{} is not a time zone: {why}", shown(text)),
            )
        };
        if let Some(offset) = parse_offset(text) {
            return TimeZoneRule::fixed(offset);
        }
        if let Some((_, rule)) = ZONES.iter().find(|(name, _)| *name == text) {
            return Posix::new(rule).parse().map_err(bad);
        }
        if text.contains('/') && !text.contains(',') {
            return Err(bad(
                "a zone name outside crmkit's built-in table (which holds only current rules of common zones); give its POSIX rule instead, the last line of its TZif file (e.g. \"CET-1CEST,M3.5.0,M10.5.0/3\" for Europe/Paris), or a fixed offset such as \"+01:00\"".to_string(),
            ));
        }
        Posix::new(text).parse().map_err(bad)
    }

    /// Whether the zone observes daylight saving time.
    pub fn has_dst(&self) -> bool {
        self.dst.is_some()
    }

    /// The offset in effect at `at`.
    pub fn offset_at(&self, at: DateTime<Utc>) -> FixedOffset {
        let secs = self.offset_seconds(at.timestamp());
        FixedOffset::east_opt(secs).unwrap_or(Utc.fix())
    }

    /// The local date and time at `at`.
    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        let secs = i64::from(self.offset_seconds(at.timestamp()));
        at.naive_utc()
            .checked_add_signed(Duration::seconds(secs))
            .unwrap_or(at.naive_utc())
    }

    /// The instant of the local date and time `local`: a time skipped when
    /// the clocks go forward becomes the first instant after the gap; a
    /// time repeated when they go back becomes the earlier instant.
    /// Saturates at the ends of the representable range.
    pub fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let utc = local.and_utc();
        let at = |offset: i32| {
            utc.checked_sub_signed(Duration::seconds(i64::from(offset)))
                .unwrap_or(utc)
        };
        let Some(dst) = self.dst else {
            return at(self.std);
        };
        let a = at(self.std);
        let b = at(dst.offset);
        let a_ok = self.offset_seconds(a.timestamp()) == self.std;
        let b_ok = self.offset_seconds(b.timestamp()) == dst.offset;
        match (a_ok, b_ok) {
            (true, true) => a.min(b),
            (true, false) => a,
            (false, true) => b,
            (false, false) => {
                // In a gap: the change lies between the two readings.
                let (lo, hi) = (a.min(b).timestamp(), a.max(b).timestamp());
                let change = self
                    .changes_around(lo)
                    .into_iter()
                    .flatten()
                    .find(|t| (lo..=hi).contains(t))
                    .unwrap_or(hi);
                DateTime::from_timestamp(change, 0).unwrap_or(a.max(b))
            }
        }
    }

    /// The offset (seconds east) in effect at the Unix time `t`.
    fn offset_seconds(&self, t: i64) -> i32 {
        let Some(dst) = self.dst else {
            return self.std;
        };
        let year = civil_from_days(t.div_euclid(DAY)).0;
        for y in year - 1..=year + 1 {
            let start = self.change_at(y, dst.start, self.std);
            let end = self.change_at(y, dst.end, dst.offset);
            // Southern hemisphere: daylight saving runs into next year.
            let end = if start < end {
                end
            } else {
                self.change_at(y + 1, dst.end, dst.offset)
            };
            if (start..end).contains(&t) {
                return dst.offset;
            }
        }
        self.std
    }

    /// The Unix times of the changes of the years around `t`.
    fn changes_around(&self, t: i64) -> [Option<i64>; 6] {
        let mut out = [None; 6];
        let Some(dst) = self.dst else {
            return out;
        };
        let year = civil_from_days(t.div_euclid(DAY)).0;
        for (i, y) in (year - 1..=year + 1).enumerate() {
            out[2 * i] = Some(self.change_at(y, dst.start, self.std));
            out[2 * i + 1] = Some(self.change_at(y, dst.end, dst.offset));
        }
        out
    }

    /// The Unix time of `change` in `year`, given in local time of offset
    /// `offset` (the one in effect before the change).
    fn change_at(&self, year: i64, change: Change, offset: i32) -> i64 {
        let day = match change.date {
            DateRule::Julian1(n) => {
                let n = i64::from(n);
                let leap_shift = i64::from(is_leap(year) && n >= 60);
                days_from_civil(year, 1, 1) + n - 1 + leap_shift
            }
            DateRule::Julian0(n) => days_from_civil(year, 1, 1) + i64::from(n),
            DateRule::Month {
                month,
                week,
                weekday,
            } => {
                let first = days_from_civil(year, u32::from(month), 1);
                // 1970-01-01 was a Thursday (4).
                let first_weekday = (first + 4).rem_euclid(7);
                let mut day = first + (i64::from(weekday) - first_weekday).rem_euclid(7);
                day += 7 * (i64::from(week) - 1);
                let next_month = if month == 12 {
                    days_from_civil(year + 1, 1, 1)
                } else {
                    days_from_civil(year, u32::from(month) + 1, 1)
                };
                while day >= next_month {
                    day -= 7;
                }
                day
            }
        };
        day * DAY + i64::from(change.time) - i64::from(offset)
    }
}

impl Default for TimeZoneRule {
    fn default() -> Self {
        TimeZoneRule::UTC
    }
}

/// Parses a fixed UTC offset in ISO 8601 form: `"+02:00"`, `"-05:30"`,
/// `"+0530"`, `"+05"`, `"Z"` or `"UTC"`; at most 14 hours either way.
/// Returns seconds east of UTC.
fn parse_offset(text: &str) -> Option<i32> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("z") || t.eq_ignore_ascii_case("utc") {
        return Some(0);
    }
    let bytes = t.as_bytes();
    let sign = match bytes.first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return None,
    };
    let rest = t.get(1..)?;
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return None;
    }
    let (h, m) = match rest.split_once(':') {
        Some(parts) => parts,
        // "+0530" (ISO 8601 basic) or "+05".
        None if rest.len() == 4 => (rest.get(..2)?, rest.get(2..)?),
        None if rest.len() <= 2 => (rest, "0"),
        None => return None,
    };
    if h.len() > 2 || m.len() > 2 {
        return None;
    }
    let h: i32 = h.parse().ok()?;
    let m: i32 = m.parse().ok()?;
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    Some(sign * (h * HOUR + m * 60))
}

/// A cursor over a POSIX TZ string.
struct Posix<'a> {
    text: &'a [u8],
    pos: usize,
}

type Parsed<T> = std::result::Result<T, String>;

impl<'a> Posix<'a> {
    fn new(text: &'a str) -> Self {
        Posix {
            text: text.as_bytes(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn at(&self) -> String {
        format!("at byte {}", self.pos)
    }

    fn parse(mut self) -> Parsed<TimeZoneRule> {
        if self.text.is_empty() {
            return Err("empty".to_string());
        }
        self.name("standard time name")?;
        let std = -self.offset("standard time offset", 24)?;
        if std.abs() >= 24 * HOUR {
            return Err("the standard time offset must be less than 24 hours".to_string());
        }
        if self.peek().is_none() {
            return Ok(TimeZoneRule { std, dst: None });
        }
        self.name("daylight saving time name")?;
        let dst_offset = match self.peek() {
            Some(b',') => std + HOUR,
            None => {
                return Err(
                    "a daylight saving time name needs its rules (e.g. \",M3.5.0,M10.5.0/3\")"
                        .to_string(),
                );
            }
            _ => -self.offset("daylight saving time offset", 24)?,
        };
        if dst_offset.abs() >= 24 * HOUR {
            return Err("the daylight saving time offset must be less than 24 hours".to_string());
        }
        if !self.eat(b',') {
            return Err(format!(
                "expected ',' and the start rule of daylight saving time {}",
                self.at()
            ));
        }
        let start = self.change("start")?;
        if !self.eat(b',') {
            return Err(format!(
                "expected ',' and the end rule of daylight saving time {}",
                self.at()
            ));
        }
        let end = self.change("end")?;
        if self.peek().is_some() {
            return Err(format!("unexpected text {}", self.at()));
        }
        Ok(TimeZoneRule {
            std,
            dst: Some(Dst {
                offset: dst_offset,
                start,
                end,
            }),
        })
    }

    /// `std`/`dst`: three or more letters, or `<` three or more of
    /// `[A-Za-z0-9+-]` `>`.
    fn name(&mut self, what: &str) -> Parsed<()> {
        let begin = self.pos;
        let len = if self.eat(b'<') {
            while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b == b'+' || b == b'-')
            {
                self.pos += 1;
            }
            let len = self.pos - begin - 1;
            if !self.eat(b'>') {
                return Err(format!(
                    "the {what} opened with '<' needs a '>' {}",
                    self.at()
                ));
            }
            len
        } else {
            while matches!(self.peek(), Some(b) if b.is_ascii_alphabetic()) {
                self.pos += 1;
            }
            self.pos - begin
        };
        if len < 3 {
            return Err(format!(
                "expected a {what} of at least three letters (or <+03> form) at byte {begin}"
            ));
        }
        Ok(())
    }

    /// `[+-]hh[:mm[:ss]]` in seconds, hours at most `max_hours`.
    fn offset(&mut self, what: &str, max_hours: i32) -> Parsed<i32> {
        let begin = self.pos;
        let sign = if self.eat(b'-') {
            -1
        } else {
            self.eat(b'+');
            1
        };
        let h = self.number(what, 3)?;
        let mut secs = h * HOUR;
        if h > max_hours {
            return Err(format!(
                "the {what} has {h} hours (at most {max_hours}) at byte {begin}"
            ));
        }
        for unit in [60, 1] {
            if !self.eat(b':') {
                break;
            }
            let v = self.number(what, 2)?;
            if v > 59 {
                return Err(format!(
                    "the {what} has {v} minutes or seconds (at most 59) at byte {begin}"
                ));
            }
            secs += v * unit;
        }
        Ok(sign * secs)
    }

    /// Up to `digits` decimal digits (at least one).
    fn number(&mut self, what: &str, digits: usize) -> Parsed<i32> {
        let begin = self.pos;
        let mut value: i32 = 0;
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            if self.pos - begin == digits {
                return Err(format!("the {what} has too many digits at byte {begin}"));
            }
            value = value * 10 + i32::from(b - b'0');
            self.pos += 1;
        }
        if self.pos == begin {
            return Err(format!("expected a number for the {what} at byte {begin}"));
        }
        Ok(value)
    }

    /// `date[/time]`.
    fn change(&mut self, which: &str) -> Parsed<Change> {
        let what = format!("{which} rule of daylight saving time");
        let begin = self.pos;
        let date = if self.eat(b'M') {
            let month = self.number(&what, 2)?;
            let week = if self.eat(b'.') {
                self.number(&what, 1)?
            } else {
                -1
            };
            let weekday = if self.eat(b'.') {
                self.number(&what, 1)?
            } else {
                -1
            };
            if !(1..=12).contains(&month) || !(1..=5).contains(&week) || !(0..=6).contains(&weekday)
            {
                return Err(format!(
                    "the {what} must be Mm.w.d with month 1-12, week 1-5 and weekday 0-6 (0 = Sunday) at byte {begin}"
                ));
            }
            DateRule::Month {
                month: month as u8,
                week: week as u8,
                weekday: weekday as u8,
            }
        } else if self.eat(b'J') {
            let n = self.number(&what, 3)?;
            if !(1..=365).contains(&n) {
                return Err(format!(
                    "the {what} Jn needs n from 1 to 365 at byte {begin}"
                ));
            }
            DateRule::Julian1(n as u16)
        } else {
            let n = self.number(&what, 3)?;
            if !(0..=365).contains(&n) {
                return Err(format!(
                    "the {what} n needs n from 0 to 365 at byte {begin}"
                ));
            }
            DateRule::Julian0(n as u16)
        };
        let time = if self.eat(b'/') {
            self.offset(&format!("time of the {what}"), 167)?
        } else {
            2 * HOUR
        };
        Ok(Change { date, time })
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a day number since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days_round_trip() {
        for d in [-800_000_i64, -1, 0, 59, 20_000, 2_932_896] {
            let (y, m, day) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, day), d);
        }
        assert_eq!(days_from_civil(2026, 3, 29), 20_541);
    }

    #[test]
    fn offsets_parse() {
        assert_eq!(parse_offset("-05:30"), Some(-19_800));
        assert_eq!(parse_offset("+0530"), Some(19_800));
        assert_eq!(parse_offset("Z"), Some(0));
        assert_eq!(parse_offset("Europe/Paris"), None);
        assert_eq!(parse_offset("+15:00"), None);
        assert_eq!(parse_offset("+"), None);
    }

    #[test]
    fn every_table_entry_parses() {
        for (name, rule) in ZONES {
            let parsed = TimeZoneRule::parse(rule).expect(rule);
            assert_eq!(TimeZoneRule::parse(name).expect(name), parsed);
        }
    }
}
