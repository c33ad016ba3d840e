//! The supported time range: years 1 to 9999 (UTC), the range of ISO 8601
//! without expanded years and of SQL `TIMESTAMP`.
//!
//! chrono represents instants up to about ±262,000 years, but adding a
//! window or a period to an instant near that edge overflows. crmkit
//! therefore accepts instants only within [`MIN_TIMESTAMP`] and
//! [`MAX_TIMESTAMP`]: a dataset's records (checked when the [`Dataset`] is
//! built, from JSON or in Rust), every `as_of` (from C as Unix seconds, and in
//! request structs built in Rust) and every date. Computations on instants
//! inside the range use checked arithmetic.
//!
//! ```
//! use crmkit::model::{check_timestamp, MAX_TIMESTAMP};
//!
//! assert!(check_timestamp(MAX_TIMESTAMP, "as_of").is_ok());
//! let beyond = "+262142-12-30T00:00:00Z".parse().unwrap();
//! let err = check_timestamp(beyond, "as_of").unwrap_err();
//! assert_eq!(err.kind(), crmkit::ErrorKind::Invalid);
//! Ok::<(), crmkit::Error>(())
//! ```
//!
//! [`Dataset`]: super::Dataset

use chrono::{Datelike, NaiveDate};

use super::{DatasetParts, Timestamp};
use crate::{Error, Result};

/// Unix seconds of 0001-01-01T00:00:00Z.
pub const MIN_UNIX_SECONDS: i64 = -62_135_596_800;
/// Unix seconds of 9999-12-31T23:59:59Z.
pub const MAX_UNIX_SECONDS: i64 = 253_402_300_799;

/// The earliest supported instant, 0001-01-01T00:00:00Z.
pub const MIN_TIMESTAMP: Timestamp = match chrono::DateTime::from_timestamp(MIN_UNIX_SECONDS, 0) {
    Some(at) => at,
    None => panic!("0001-01-01 is representable"),
};

/// The latest supported instant, 9999-12-31T23:59:59.999999999Z.
pub const MAX_TIMESTAMP: Timestamp =
    match chrono::DateTime::from_timestamp(MAX_UNIX_SECONDS, 999_999_999) {
        Some(at) => at,
        None => panic!("9999-12-31 is representable"),
    };

fn range_error(path: String, shown: String) -> Error {
    Error::invalid(
        path,
        format!("{shown} is outside the supported time range (years 1 to 9999)"),
    )
}

/// Checks that `at` lies in the supported range.
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) at `path` otherwise.
pub fn check_timestamp(at: Timestamp, path: impl Into<String>) -> Result<()> {
    if (MIN_TIMESTAMP..=MAX_TIMESTAMP).contains(&at) {
        Ok(())
    } else {
        Err(range_error(path.into(), at.to_rfc3339()))
    }
}

/// Checks that `date` lies in years 1 to 9999.
///
/// # Errors
///
/// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) at `path` otherwise.
pub fn check_date(date: NaiveDate, path: impl Into<String>) -> Result<()> {
    if (1..=9999).contains(&date.year()) {
        Ok(())
    } else {
        Err(range_error(path.into(), date.to_string()))
    }
}

fn check_optional(at: Option<Timestamp>, path: impl FnOnce() -> String) -> Result<()> {
    match at {
        Some(at) if check_timestamp(at, "").is_err() => check_timestamp(at, path()),
        _ => Ok(()),
    }
}

fn check(at: Timestamp, path: impl FnOnce() -> String) -> Result<()> {
    check_optional(Some(at), path)
}

fn check_day(date: NaiveDate, path: impl FnOnce() -> String) -> Result<()> {
    match check_date(date, "") {
        Ok(()) => Ok(()),
        Err(_) => check_date(date, path()),
    }
}

/// Checks the instant of `activities[i]` (the dataset checks activities in
/// its one pass over them).
pub(super) fn check_activity_at(at: Timestamp, i: usize) -> Result<()> {
    check(at, || format!("activities[{i}].at"))
}

/// Checks every instant and date of a dataset's records but the
/// activities' (see [`check_activity_at`]).
pub(super) fn check_parts(parts: &DatasetParts) -> Result<()> {
    for (i, c) in parts.contacts.iter().enumerate() {
        check(c.created_at, || format!("contacts[{i}].created_at"))?;
        for (k, t) in c.lifecycle.history.iter().enumerate() {
            check(t.at, || format!("contacts[{i}].lifecycle.history[{k}].at"))?;
        }
    }
    for (i, c) in parts.companies.iter().enumerate() {
        check_optional(c.created_at, || format!("companies[{i}].created_at"))?;
    }
    for (i, d) in parts.deals.iter().enumerate() {
        check(d.created_at, || format!("deals[{i}].created_at"))?;
        check_optional(d.closed_at, || format!("deals[{i}].closed_at"))?;
        for (k, v) in d.stage_history.iter().enumerate() {
            check(v.entered_at, || {
                format!("deals[{i}].stage_history[{k}].entered_at")
            })?;
            check_optional(v.exited_at, || {
                format!("deals[{i}].stage_history[{k}].exited_at")
            })?;
        }
    }
    for (i, c) in parts.campaigns.iter().enumerate() {
        check_day(c.start, || format!("campaigns[{i}].start"))?;
        check_day(c.end, || format!("campaigns[{i}].end"))?;
    }
    for (i, t) in parts.tickets.iter().enumerate() {
        check(t.opened_at, || format!("tickets[{i}].opened_at"))?;
        check_optional(t.first_response_at, || {
            format!("tickets[{i}].first_response_at")
        })?;
        check_optional(t.resolved_at, || format!("tickets[{i}].resolved_at"))?;
    }
    for (i, t) in parts.tasks.iter().enumerate() {
        check(t.created_at, || format!("tasks[{i}].created_at"))?;
        check(t.due, || format!("tasks[{i}].due"))?;
        check_optional(t.done_at, || format!("tasks[{i}].done_at"))?;
    }
    for (i, s) in parts.spend.iter().enumerate() {
        check_day(s.date, || format!("spend[{i}].date"))?;
    }
    Ok(())
}
