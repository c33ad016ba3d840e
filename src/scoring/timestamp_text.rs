//! Timestamps written plainly, `2026-01-31T12:00:00Z` with up to nine
//! fraction digits, read as Unix seconds and nanoseconds for the in-place
//! lead reader: the digits and separators of the fixed part are checked
//! as three words, and the date is turned into days with Howard Hinnant's
//! `days_from_civil`, without chrono. Anything else (an offset, a leap
//! second) is left to chrono's parser in the typed records.
//!
//! ```
//! use crmkit::scoring::ScoringModel;
//!
//! let model = ScoringModel::from_json(r#"{"rules": [{"id": "visit", "points": 2,
//!     "activity": {"type": "website_visit"}, "expire_after_days": 30}]}"#)?;
//! let as_of = "2026-02-01T00:00:00Z".parse().unwrap();
//! let lead = |at: &str| format!(r#"{{"contact": {{"id": "C-1", "created_at": "2026-01-01T00:00:00Z"}},
//!   "activities": [{{"id": "A-1", "contact": "C-1", "at": "{at}",
//!                   "kind": {{"type": "website_visit", "url": "/"}}}}]}}"#);
//! // Read in place, or (with an offset) by the typed records: the same instant.
//! let plain = model.score_json(&lead("2026-01-02T00:00:00.5Z"), as_of)?;
//! let offset = model.score_json(&lead("2026-01-02T01:00:00.5+01:00"), as_of)?;
//! assert_eq!(plain, offset);
//! assert_eq!(plain.total.to_string(), "2");
//! Ok::<(), crmkit::Error>(())
//! ```

use super::json_cursor::ONES;

/// `YYYY-MM-DDTHH:MM:SS[.fffffffff]Z`, a valid instant, as its seconds
/// since the Unix epoch and its nanoseconds. A leap second (`:60`) is
/// left to chrono's parser.
pub(super) fn plain_timestamp(b: &[u8]) -> Option<(i64, u32)> {
    // The fixed part is read as three words, its digits and separators
    // checked together, and its two-digit fields combined in place.
    let (head, rest) = b.split_first_chunk::<16>()?;
    let (date, time) = head.split_at(8);
    let date = u64::from_le_bytes(date.try_into().ok()?);
    let time = u64::from_le_bytes(time.try_into().ok()?);
    let seconds = u32::from_le_bytes(*rest.first_chunk::<4>()?);
    let date = two_digit_fields(date, *b"0000-00-")?;
    let time = two_digit_fields(time, *b"00T00:00")?;
    let seconds = two_digit_fields(u64::from(seconds) & 0xff_ffff, *b":00\0\0\0\0\0")?;
    let field = |word: u64, at: u32| (word >> (8 * at)) as u32 & 0xff;
    let (year, month, day) = (
        field(date, 0) * 100 + field(date, 2),
        field(date, 5),
        field(time, 0),
    );
    let (hour, minute, second) = (field(time, 3), field(time, 6), field(seconds, 1));
    let nanos = match (b.len(), b.get(19)) {
        (20, Some(b'Z')) => 0,
        (22..=30, Some(b'.')) if b.last() == Some(&b'Z') => {
            let fraction = b.get(20..b.len() - 1)?;
            let mut nanos = 0_u32;
            for &d in fraction {
                let d = d.wrapping_sub(b'0');
                if d > 9 {
                    return None;
                }
                nanos = nanos * 10 + u32::from(d);
            }
            // At most nine digits, so the power is at most 10⁸.
            nanos * 10_u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    if hour > 23 || minute > 59 || second > 59 || day == 0 || day > days_in_month(year, month)? {
        return None;
    }
    let seconds = i64::from(hour * 3600 + minute * 60 + second);
    Some((days_from_epoch(year, month, day) * 86_400 + seconds, nanos))
}

/// Checks eight bytes against `form` (`0` for a digit, any other byte for
/// itself, NUL for a byte not checked), and gives the word with, at the
/// first byte of each pair of digits, their value (the second byte of a
/// pair may hold anything).
#[inline(always)]
fn two_digit_fields(word: u64, form: [u8; 8]) -> Option<u64> {
    const LOW_NIBBLES: u64 = ONES * 0x0f;
    const HIGH_NIBBLES: u64 = ONES * 0xf0;
    let form = u64::from_le_bytes(form);
    // Bytes that must be digits, and bytes that must be themselves.
    let digits = zero_bytes_exact(form ^ (ONES * u64::from(b'0')));
    let fixed = !digits & !zero_bytes_exact(form);
    // A digit is 0x30 to 0x39: its high nibble is 3, and adding 6 to its
    // low nibble does not carry.
    let checked = (digits & HIGH_NIBBLES) | fixed;
    let nines = (word & LOW_NIBBLES).wrapping_add(ONES * 6) & (ONES * 0x10) & digits;
    if (word ^ form) & checked != 0 || nines != 0 {
        return None;
    }
    let values = word & LOW_NIBBLES;
    // No byte carries: 10 × 9 + 9 = 99.
    Some(values.wrapping_mul(10).wrapping_add(values >> 8))
}

/// `0xff` at each zero byte of `v`, `0` elsewhere (exact, unlike
/// [`zero_bytes`]).
const fn zero_bytes_exact(v: u64) -> u64 {
    const LOWS: u64 = ONES * 0x7f;
    let high = !(((v & LOWS) + LOWS) | v | LOWS);
    // Spread each flag (bit 7 of its byte) to the whole byte.
    (high >> 7) * 0xff
}

/// The days in `month` (1 to 12) of `year` (proleptic Gregorian).
fn days_in_month(year: u32, month: u32) -> Option<u32> {
    const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = *DAYS.get(usize::try_from(month.checked_sub(1)?).ok()?)?;
    Some(days + u32::from(leap && month == 2))
}

/// The days from 1970-01-01 to a valid date of a year from 0 to 9999
/// (Howard Hinnant's `days_from_civil`, on years counted from March).
fn days_from_epoch(year: u32, month: u32, day: u32) -> i64 {
    // Shifted by 400 years (one whole cycle of 146,097 days) so that every
    // quantity stays positive.
    let year = i64::from(year) + 400 - i64::from(month <= 2);
    let (era, year_of_era) = (year / 400, year % 400);
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    (era - 1) * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;
    use proptest::prelude::*;

    proptest! {
    #[test]
    fn plain_timestamps_are_read_as_chrono_reads_them(
        text in prop_oneof![
            "[0-9]{4}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9](\\.[0-9]{0,11})?Z",
            "[0-9T:.Z+/;?-]{18,32}",
        ]
    ) {
        let chrono = serde_json::from_str::<Timestamp>(&format!("\"{text}\"")).ok();
        let mine = plain_timestamp(text.as_bytes());
        if let Some((seconds, nanos)) = mine {
            let chrono = chrono.map(|at| (at.timestamp(), at.timestamp_subsec_nanos()));
            prop_assert_eq!(Some((seconds, nanos)), chrono, "{}", text);
        }
        // Leap seconds (":60") are left to chrono.
        if text.len() == 20 && chrono.is_some() && !text.ends_with(":60Z") {
            prop_assert!(mine.is_some(), "{} not read", text);
        }
    }

    #[test]
    fn every_instant_from_year_0_to_9999_is_read_to_its_second(
        seconds in -62_167_219_200_i64..253_402_300_800,
        nanos in prop_oneof![Just(0_u32), 0_u32..1_000_000_000],
    ) {
        let at = Timestamp::from_timestamp(seconds, nanos).unwrap();
        let text = at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        prop_assert_eq!(plain_timestamp(text.as_bytes()), Some((seconds, nanos)), "{}", text);
    }

    }
}
