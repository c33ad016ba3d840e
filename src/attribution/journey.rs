//! Journeys: the ordered touches of one customer before a conversion (or
//! before giving up), and the lookback window that trims them.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::{MAX_TIMESTAMP, MIN_TIMESTAMP, check_timestamp};
use crate::money::decimal_serde;
use crate::{Error, Result};

/// The longest lookback window: the days from year 1 to year 9999 (the
/// supported time range).
pub const MAX_LOOKBACK_DAYS: u32 = 3_652_059;

/// Checks a lookback window: `None` (no window) or 1 to
/// [`MAX_LOOKBACK_DAYS`] days.
pub(crate) fn check_lookback(lookback_days: Option<u32>) -> Result<()> {
    match lookback_days {
        Some(days) if !(1..=MAX_LOOKBACK_DAYS).contains(&days) => Err(Error::invalid(
            "lookback_days",
            format!("expected 1 to {MAX_LOOKBACK_DAYS} days (null for no window), got {days}"),
        )),
        _ => Ok(()),
    }
}

/// One marketing touch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Touch {
    /// The channel (`email`, `paid_search`, `direct`...).
    pub channel: String,
    /// The campaign, when the touch is linked to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// A direct or untracked visit: skipped by last non-direct touch.
    #[serde(default)]
    pub direct: bool,
}

/// The touches of one customer journey and what it ended in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerPath {
    /// Touches in any order (they are sorted by time, stably).
    pub touches: Vec<Touch>,
    /// Conversions at the end of the journey; 0 for a journey that did not
    /// convert (used by the Markov model only).
    #[serde(default)]
    pub conversions: u32,
    /// Revenue of the conversions (exact decimal in the request currency).
    #[serde(default, with = "decimal_serde")]
    pub value: Decimal,
    /// When it converted (or ended); the lookback window and time decay
    /// count back from here. Default: the last touch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub converted_at: Option<DateTime<Utc>>,
}

impl CustomerPath {
    /// Checks journey `j` of a request and appends its touches in time
    /// order inside the lookback window (touches after the conversion never
    /// count) to `out`; returns the conversion (or end) time. Errors name
    /// `journeys[j]...`; the path is only formatted when an error is raised.
    pub(crate) fn window_into<'a>(
        &'a self,
        lookback_days: Option<u32>,
        j: usize,
        out: &mut Vec<&'a Touch>,
    ) -> Result<Option<DateTime<Utc>>> {
        if self.value.is_sign_negative() && !self.value.is_zero() {
            return Err(Error::invalid(
                format!("journeys[{j}].value"),
                "value must not be negative",
            ));
        }
        if self.conversions == 0 && !self.value.is_zero() {
            return Err(Error::invalid(
                format!("journeys[{j}].value"),
                "a journey without conversions has no value",
            ));
        }
        if let Some(at) = self.converted_at {
            if !in_range(at) {
                check_timestamp(at, format!("journeys[{j}].converted_at"))?;
            }
        }
        for (i, t) in self.touches.iter().enumerate() {
            if t.channel.is_empty() {
                return Err(Error::invalid(
                    format!("journeys[{j}].touches[{i}].channel"),
                    "channel must not be empty",
                ));
            }
            if !in_range(t.at) {
                check_timestamp(t.at, format!("journeys[{j}].touches[{i}].at"))?;
            }
        }
        let base = out.len();
        out.extend(self.touches.iter());
        let mine = &mut out[base..];
        if !mine.is_sorted_by_key(|t| t.at) {
            mine.sort_by_key(|t| t.at);
        }
        let end = self.converted_at.or_else(|| mine.last().map(|t| t.at));
        if let Some(end) = end {
            // In range (checked above and by `check_lookback`), but a
            // window reaching before year 1 simply has no start.
            let start =
                lookback_days.and_then(|d| end.checked_sub_signed(Duration::days(i64::from(d))));
            let mut kept = base;
            for r in base..out.len() {
                let t = out[r];
                if t.at <= end && start.is_none_or(|s| t.at >= s) {
                    out[kept] = t;
                    kept += 1;
                }
            }
            out.truncate(kept);
        }
        Ok(end)
    }
}

/// Whether `at` lies in the supported time range (the check of
/// [`check_timestamp`], without formatting an error path).
fn in_range(at: DateTime<Utc>) -> bool {
    (MIN_TIMESTAMP..=MAX_TIMESTAMP).contains(&at)
}
