//! Reading the instants of records from JSON: RFC 3339 text, parsed as
//! chrono's `DateTime<Utc>` parser accepts it (the forms are unchanged), with
//! a fast path for the usual `"2024-03-01T12:00:00Z"` and an error that says
//! what was expected and shows the accepted forms (chrono alone answers a
//! bare date with "premature end of input").
//!
//! Used through `#[serde(deserialize_with = ...)]` on every timestamp field
//! of the model; writing is chrono's (RFC 3339).

use std::fmt;

use chrono::NaiveDate;
use serde::de::{self, Deserializer, Visitor};

use super::Timestamp;
use crate::error::shown;

/// What a timestamp must look like, as error messages say it.
pub(crate) const EXPECTED: &str = "an RFC 3339 timestamp with a date, a time and a UTC offset, \
     such as \"2024-03-01T12:00:00Z\", \"2024-03-01T12:00:00.250Z\" or \"2024-03-01T13:00:00+01:00\"";

/// `"YYYY-MM-DDTHH:MM:SSZ"` read directly; `None` for any other text.
fn parse_plain_utc(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range)?.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)?;
    let time = date.and_hms_opt(number(11..13)?, number(14..16)?, number(17..19)?)?;
    Some(time.and_utc())
}

/// Parses a timestamp as the model reads it from JSON.
pub(crate) fn parse(text: &str) -> Result<Timestamp, String> {
    if let Some(at) = parse_plain_utc(text) {
        return Ok(at);
    }
    text.parse::<Timestamp>().map_err(|err| {
        if NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() {
            format!(
                "expected {EXPECTED}; found the date {} without a time (write midnight UTC as \"{text}T00:00:00Z\")",
                shown(text)
            )
        } else {
            format!("expected {EXPECTED}; found {} ({err})", shown(text))
        }
    })
}

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Timestamp, E> {
        parse(text).map_err(E::custom)
    }
}

/// `deserialize_with` for a `Timestamp` field.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    d.deserialize_str(TimestampVisitor)
}

/// `deserialize_with` for an `Option<Timestamp>` field (`null` is `None`).
pub(crate) fn deserialize_option<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Timestamp>, D::Error> {
    struct OptionVisitor;

    impl<'de> Visitor<'de> for OptionVisitor {
        type Value = Option<Timestamp>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{EXPECTED} or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            deserialize(d).map(Some)
        }
    }

    d.deserialize_option(OptionVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_agrees_with_chrono() {
        for text in [
            "2024-03-01T12:00:00Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2024-02-29T23:59:59Z",
        ] {
            assert_eq!(
                parse_plain_utc(text),
                text.parse::<Timestamp>().ok(),
                "{text}"
            );
        }
        for text in [
            "2023-02-29T00:00:00Z",
            "2024-03-01T24:00:00Z",
            "2024-03-01T12:00:60Z",
            "2024-13-01T12:00:00Z",
            "2024-03-01t12:00:00Z",
            "+024-03-01T12:00:00Z",
        ] {
            assert_eq!(parse_plain_utc(text), None, "{text}");
        }
        // Other forms chrono accepts still parse, through chrono.
        for text in [
            "2024-03-01T12:00:00.5Z",
            "2024-03-01T13:00:00+01:00",
            "2024-03-01 12:00:00Z",
            "2024-03-01T12:00:60Z",
        ] {
            assert_eq!(parse(text).ok(), text.parse::<Timestamp>().ok(), "{text}");
        }
    }

    #[test]
    fn a_bare_date_says_what_was_expected() {
        let message = parse("1997-03-02").unwrap_err();
        assert!(
            message.starts_with("expected an RFC 3339 timestamp"),
            "{message}"
        );
        assert!(message.contains("\"2024-03-01T12:00:00Z\""), "{message}");
        assert!(
            message.contains("found the date \"1997-03-02\" without a time"),
            "{message}"
        );
        assert!(message.contains("1997-03-02T00:00:00Z"), "{message}");
        let message = parse("yesterday").unwrap_err();
        assert!(
            message.contains("found \"yesterday\" (input contains invalid characters)"),
            "{message}"
        );
    }
}
