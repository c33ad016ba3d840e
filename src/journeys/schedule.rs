//! Time arithmetic of waits (calendar days, business days, hours, "until
//! 09:00 in the contact's time zone") and the deterministic split
//! assignment.
//!
//! Time zones are fixed UTC offsets (`"+02:00"`): crmkit carries no time
//! zone database, so a host whose contacts live in zones with daylight
//! saving stores the offset that applies (or re-stores it twice a year).
//! Zone names (`"Europe/Paris"`) are refused with an error, in the
//! journey's `time_zone` at load and in a contact's time zone field when a
//! local-time wait needs it, rather than silently read as UTC.

use chrono::{Datelike, Duration, FixedOffset, NaiveTime, TimeZone, Weekday};

use super::definition::DurationDoc;
use crate::model::Timestamp;
use crate::{Error, Result};

/// A compiled wait duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Wait {
    pub(crate) days: u32,
    pub(crate) business_days: u32,
    pub(crate) hours: u32,
    pub(crate) at: Option<NaiveTime>,
}

impl Wait {
    /// Compiles a duration; `path` names it in errors.
    pub(crate) fn compile(doc: &DurationDoc, path: &str) -> Result<Wait> {
        let set = [doc.days, doc.business_days, doc.hours]
            .iter()
            .filter(|v| v.is_some())
            .count();
        if set > 1 {
            return Err(Error::invalid(
                path,
                "give at most one of days, business_days and hours",
            ));
        }
        if set == 0 && doc.at.is_none() {
            return Err(Error::invalid(
                path,
                "a wait needs days, business_days, hours or at (\"09:00\")",
            ));
        }
        let at = match &doc.at {
            Some(text) => Some(parse_local_time(text).map_err(|e| e.with_path_prefix(path))?),
            None => None,
        };
        let wait = Wait {
            days: doc.days.unwrap_or(0),
            business_days: doc.business_days.unwrap_or(0),
            hours: doc.hours.unwrap_or(0),
            at,
        };
        if wait.days > 36_500 || wait.business_days > 26_000 || wait.hours > 876_000 {
            return Err(Error::invalid(path, "a wait may last at most 100 years"));
        }
        Ok(wait)
    }

    /// When a wait that starts at `start` ends, in the time zone `offset`.
    /// Saturates at the latest representable instant.
    pub(crate) fn end(&self, start: Timestamp, offset: FixedOffset) -> Timestamp {
        let mut local = start.with_timezone(&offset);
        local += Duration::days(i64::from(self.days)) + Duration::hours(i64::from(self.hours));
        for _ in 0..self.business_days {
            local += Duration::days(1);
            while is_weekend(local.weekday()) {
                local += Duration::days(1);
            }
        }
        if let Some(at) = self.at {
            let day = local.date_naive();
            let mut candidate = offset
                .from_local_datetime(&day.and_time(at))
                .single()
                .unwrap_or(local);
            if candidate < local {
                candidate += Duration::days(1);
            }
            if self.business_days > 0 {
                while is_weekend(candidate.weekday()) {
                    candidate += Duration::days(1);
                }
            }
            local = candidate;
        }
        local.with_timezone(&chrono::Utc)
    }
}

fn is_weekend(day: Weekday) -> bool {
    matches!(day, Weekday::Sat | Weekday::Sun)
}

/// Parses `HH:MM`.
pub(crate) fn parse_local_time(text: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .map_err(|_| Error::invalid("at", format!("expected a local time HH:MM, got {text:?}")))
}

/// Parses a fixed UTC offset: `"+02:00"`, `"-05:30"`, `"+0530"`, `"+05"`,
/// `"Z"` or `"UTC"`; at most 14 hours either way.
pub(crate) fn parse_offset(text: &str) -> Option<FixedOffset> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("z") || t.eq_ignore_ascii_case("utc") {
        return FixedOffset::east_opt(0);
    }
    let bytes = t.as_bytes();
    let sign = match bytes.first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return None,
    };
    let rest = t.get(1..)?;
    if !rest.bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return None;
    }
    let (h, m) = match rest.split_once(':') {
        Some(parts) => parts,
        // "+0530" (ISO 8601 basic) or "+05".
        None if rest.len() == 4 => (rest.get(..2)?, rest.get(2..)?),
        None if rest.len() <= 2 => (rest, "0"),
        None => return None,
    };
    let h: i32 = h.parse().ok()?;
    let m: i32 = m.parse().ok()?;
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// FNV-1a over the parts, separated, then the splitmix64 finaliser (so
/// that similar ids spread evenly).
pub(crate) fn stable_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.as_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The bucket (0..10,000) of a contact in a split.
pub(crate) fn split_bucket(journey: &str, step: &str, contact: &str) -> u32 {
    (stable_hash(&[journey, step, contact]) % 10_000) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn business_days_skip_the_weekend() {
        // Friday 10:00 + 1 business day = Monday 10:00.
        let w = Wait {
            days: 0,
            business_days: 1,
            hours: 0,
            at: None,
        };
        let utc = FixedOffset::east_opt(0).unwrap();
        assert_eq!(
            w.end(t("2026-05-01T10:00:00Z"), utc),
            t("2026-05-04T10:00:00Z")
        );
    }

    #[test]
    fn until_nine_in_the_contacts_zone() {
        let w = Wait {
            days: 1,
            business_days: 0,
            hours: 0,
            at: parse_local_time("09:00").ok(),
        };
        let plus2 = parse_offset("+02:00").unwrap();
        // 2026-05-01 20:00 UTC is 22:00 local; +1 day = 05-02 22:00 local;
        // next 09:00 local is 05-03 09:00 local = 07:00 UTC.
        assert_eq!(
            w.end(t("2026-05-01T20:00:00Z"), plus2),
            t("2026-05-03T07:00:00Z")
        );
    }

    #[test]
    fn offsets_parse() {
        assert_eq!(
            parse_offset("-05:30").map(|o| o.local_minus_utc()),
            Some(-19_800)
        );
        assert_eq!(parse_offset("Z").map(|o| o.local_minus_utc()), Some(0));
        assert!(parse_offset("Europe/Paris").is_none());
        assert!(parse_offset("+15:00").is_none());
    }
}
