//! Time arithmetic of waits (calendar days, business days, hours, "until
//! 09:00 in the contact's time zone") and the deterministic split
//! assignment.
//!
//! Time zones are [`TimeZoneRule`]s: fixed offsets, POSIX TZ rules with
//! daylight saving, or names of the built-in table (current rules only).

use chrono::{Datelike, Duration, NaiveTime, Weekday};

use super::definition::DurationDoc;
use super::time_zone::TimeZoneRule;
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

    /// When a wait that starts at `start` ends in the time zone `zone`.
    /// Hours are elapsed time; days and business days are calendar days
    /// of the local time (a wait of one day from 10:00 ends at 10:00 local
    /// time also across a daylight saving change); `at` is the next such
    /// local time after that, its instant chosen by
    /// [`TimeZoneRule::instant`] (a skipped time: the end of the gap; a
    /// repeated one: the earlier instant). Saturates at the latest
    /// representable instant.
    pub(crate) fn end(&self, start: Timestamp, zone: &TimeZoneRule) -> Timestamp {
        let max = chrono::DateTime::<chrono::Utc>::MAX_UTC;
        let mut now = start
            .checked_add_signed(Duration::hours(i64::from(self.hours)))
            .unwrap_or(max);
        if self.days == 0 && self.business_days == 0 && self.at.is_none() {
            return now;
        }
        let mut local = zone.local(now);
        if self.days > 0 || self.business_days > 0 {
            let Some(mut moved) = local.checked_add_signed(Duration::days(i64::from(self.days)))
            else {
                return max;
            };
            for _ in 0..self.business_days {
                loop {
                    let Some(next) = moved.checked_add_signed(Duration::days(1)) else {
                        return max;
                    };
                    moved = next;
                    if !is_weekend(moved.weekday()) {
                        break;
                    }
                }
            }
            local = moved;
            now = zone.instant(local);
        }
        if let Some(at) = self.at {
            let mut day = local.date();
            // At most a day for the time, plus a weekend.
            for _ in 0..4 {
                let candidate = zone.instant(day.and_time(at));
                let weekend = self.business_days > 0 && is_weekend(day.weekday());
                if candidate >= now && !weekend {
                    return candidate;
                }
                match day.succ_opt() {
                    Some(next) => day = next,
                    None => return max,
                }
            }
            return zone.instant(day.and_time(at));
        }
        now
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
        let utc = TimeZoneRule::UTC;
        assert_eq!(
            w.end(t("2026-05-01T10:00:00Z"), &utc),
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
        let plus2 = TimeZoneRule::parse("+02:00").unwrap();
        // 2026-05-01 20:00 UTC is 22:00 local; +1 day = 05-02 22:00 local;
        // next 09:00 local is 05-03 09:00 local = 07:00 UTC.
        assert_eq!(
            w.end(t("2026-05-01T20:00:00Z"), &plus2),
            t("2026-05-03T07:00:00Z")
        );
    }
}
