//! The exactness rule for JSON numbers.
//!
//! serde_json (without its `arbitrary_precision` feature, which the crate
//! cannot use: it breaks numbers inside tagged enums) reads every JSON number
//! that is not a 64-bit integer into an `f64`, so the text
//! `12345678901234567.89` would silently become `12345678901234568`. crmkit
//! therefore accepts a JSON number only when nothing is lost: when its value
//! equals the shortest representation of the nearest `f64` — which is what
//! every JSON writer produces for a float, and what any number with at most
//! 15 significant digits is. Any other number is refused with
//! [`ErrorKind::Json`], naming its JSON path and asking for a string: exact
//! decimals (money amounts, goal targets, rule literals) written as strings
//! (`"12345678901234567.89"`) are always exact.

use crate::{Error, ErrorKind, Result};

/// Checks every number of the (well-formed) JSON document `json`.
///
/// Called by [`Error::parse_json`] after serde has accepted the document, so
/// the text is known to be valid JSON.
pub(crate) fn check_numbers(json: &str) -> Result<()> {
    let bytes = json.as_bytes();
    // One frame per open container: `None` for an array (with its index),
    // `Some(key)` for an object (the last key read).
    let mut path: Vec<Frame<'_>> = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => i = skip_string(json, i, &mut path),
            b'{' => {
                path.push(Frame::Object(""));
                i += 1;
            }
            b'[' => {
                path.push(Frame::Array(0));
                i += 1;
            }
            b'}' | b']' => {
                path.pop();
                i += 1;
            }
            b',' => {
                if let Some(Frame::Array(index)) = path.last_mut() {
                    *index += 1;
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let end = number_end(bytes, i);
                let token = json.get(i..end).unwrap_or("");
                if !is_exact(token) {
                    return Err(Error::at(
                        ErrorKind::Json,
                        render_path(&path),
                        format!(
                            "the number {} cannot be read exactly (it is not a 64-bit float's \
                             shortest form): write exact decimals such as money amounts and \
                             targets as strings, e.g. \"12.50\"",
                            crate::error::shown_plain(token)
                        ),
                    ));
                }
                i = end.max(i + 1);
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// The deepest nesting of arrays and objects crmkit reads. The JSON parser
/// recurses once per level, so this bounds the stack a calling thread needs
/// (see "Limits" in `src/ffi/mod.rs`); serde_json's own limit is 128.
pub(crate) const MAX_JSON_DEPTH: usize = 64;

/// Refuses a document nested deeper than [`MAX_JSON_DEPTH`], naming the
/// path of the first container past the limit. A linear scan without
/// recursion, run before the parser so that the parser never goes deeper;
/// the text need not be valid JSON (the parser judges that afterwards).
///
/// # Errors
///
/// [`ErrorKind::Json`] when the document is nested too deeply.
pub(crate) fn check_depth(json: &str) -> Result<()> {
    walk(json, false).map(drop)
}

/// [`check_depth`] and the finding half of [`check_numbers`] in one scan,
/// for a document read once: refuses nesting past [`MAX_JSON_DEPTH`] (so
/// run it before the parser) and returns the offset of the first number
/// that cannot be read exactly, if any, without tracking paths. The caller
/// parses the document and, when the parse succeeds and a number was
/// found, calls [`check_numbers`] for the error with its path (the same
/// error as when the document is checked by [`check_numbers`] alone).
///
/// # Errors
///
/// [`ErrorKind::Json`] when the document is nested too deeply.
pub(crate) fn scan(json: &str) -> Result<Option<usize>> {
    walk(json, true)
}

/// The one pass behind [`check_depth`] and [`scan`]: the depth check, and
/// the first inexact number when `find_inexact` is set.
fn walk(json: &str, find_inexact: bool) -> Result<Option<usize>> {
    let bytes = json.as_bytes();
    let mut depth = 0_usize;
    let mut inexact = None;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                i = string_end(bytes, i);
                continue;
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return Err(too_deep(json, i));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'-' | b'0'..=b'9' if find_inexact => {
                let end = number_end(bytes, i);
                if inexact.is_none() && !is_exact(json.get(i..end).unwrap_or("")) {
                    inexact = Some(i);
                }
                i = end.max(i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(inexact)
}

/// Skips the string opening at `i` and returns the index after it; a
/// string followed by `:` is a key, recorded in the innermost object frame.
fn skip_string<'a>(json: &'a str, i: usize, path: &mut [Frame<'a>]) -> usize {
    let bytes = json.as_bytes();
    let end = string_end(bytes, i);
    let mut j = end;
    while bytes.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
        j += 1;
    }
    if bytes.get(j) == Some(&b':')
        && let Some(Frame::Object(key)) = path.last_mut()
    {
        *key = json.get(i + 1..end.saturating_sub(1)).unwrap_or("");
    }
    end
}

/// The error for the container opening at `at`, with its path (computed
/// by a second, bounded scan of the prefix).
fn too_deep(json: &str, at: usize) -> Error {
    let bytes = json.as_bytes();
    let mut path: Vec<Frame<'_>> = Vec::new();
    let mut i = 0;
    while i < at {
        match bytes[i] {
            b'"' => {
                i = skip_string(json, i, &mut path);
                continue;
            }
            b'{' => path.push(Frame::Object("")),
            b'[' => path.push(Frame::Array(0)),
            b'}' | b']' => {
                path.pop();
            }
            b',' => {
                if let Some(Frame::Array(index)) = path.last_mut() {
                    *index += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    // The path is at most MAX_JSON_DEPTH frames; show its end.
    let mut shown = render_path(&path);
    if shown.chars().count() > 200 {
        let tail: String = shown
            .chars()
            .rev()
            .take(120)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        shown = format!("…{tail}");
    }
    Error::at(
        ErrorKind::Json,
        shown,
        format!("JSON nested deeper than {MAX_JSON_DEPTH} levels (arrays and objects)"),
    )
}

enum Frame<'a> {
    Object(&'a str),
    Array(usize),
}

fn render_path(path: &[Frame<'_>]) -> String {
    let mut out = String::new();
    for frame in path {
        match frame {
            Frame::Array(index) => out.push_str(&format!("[{index}]")),
            Frame::Object(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&crate::error::shown_plain(key));
            }
        }
    }
    out
}

/// The index just past the string starting at `start` (a `"`).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The index just past the number starting at `start`.
fn number_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while bytes
        .get(i)
        .is_some_and(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
    {
        i += 1;
    }
    i
}

/// `true` when serde_json reads `token` (a JSON number) without loss.
pub(crate) fn is_exact(token: &str) -> bool {
    let Some((negative, digits, exponent)) = normalize(token) else {
        return true; // not a number: serde_json has judged it already
    };
    let integer = !token.contains(['.', 'e', 'E']);
    if integer && (token.parse::<i64>().is_ok() || token.parse::<u64>().is_ok()) {
        return true; // read as an exact 64-bit integer
    }
    if digits.len() <= 15 && (-290..=290).contains(&exponent) {
        return true; // 15 significant digits always survive an f64
    }
    let Ok(value) = token.parse::<f64>() else {
        return true;
    };
    if !value.is_finite() {
        return true; // serde_json refuses it itself
    }
    let shortest = format!("{value:e}");
    normalize(&shortest) == Some((negative, digits, exponent))
}

/// (negative, significant digits without leading or trailing zeros, decimal
/// exponent of the first significant digit); zero has no digits and
/// exponent 0.
fn normalize(token: &str) -> Option<(bool, String, i64)> {
    let (negative, rest) = match token.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, token),
    };
    let (mantissa, exp) = match rest.find(['e', 'E']) {
        Some(at) => (
            rest.get(..at)?,
            rest.get(at + 1..)?
                .trim_start_matches('+')
                .parse::<i64>()
                .ok()?,
        ),
        None => (rest, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let all: String = int.chars().chain(frac.chars()).collect();
    let leading = all.len() - all.trim_start_matches('0').len();
    let digits = all
        .trim_start_matches('0')
        .trim_end_matches('0')
        .to_string();
    if digits.is_empty() {
        return Some((false, digits, 0));
    }
    // The first significant digit sits at position `leading` of `all`; the
    // decimal point sits after `int.len()` characters.
    let exponent = exp.checked_add(int.len() as i64 - leading as i64 - 1)?;
    Some((negative, digits, exponent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_shortest_numbers_are_exact() {
        for token in [
            "0",
            "-0",
            "12",
            "12.5",
            "0.1",
            "1e3",
            "-4.25E-2",
            "123456789012345",
            "0.30000000000000004",
            "18446744073709551615",
            "-9223372036854775808",
            "1.7976931348623157e308",
            "5e-324",
            "100000000000000000000",
        ] {
            assert!(is_exact(token), "{token}");
        }
    }

    #[test]
    fn numbers_an_f64_cannot_hold_are_not_exact() {
        for token in [
            "12345678901234567.89",
            "9999999999999999.99",
            "1.0000000000000000000000000000000000000001",
            "0.1000000000000000000001",
            "18446744073709551616",
            "1e-400",
        ] {
            assert!(!is_exact(token), "{token}");
        }
    }

    #[test]
    fn nesting_past_the_limit_is_refused_with_its_path() {
        let at_limit = format!(
            "{}1{}",
            "[".repeat(MAX_JSON_DEPTH),
            "]".repeat(MAX_JSON_DEPTH)
        );
        assert!(check_depth(&at_limit).is_ok());
        let deeper = format!("{{\"a\": [0, {}]}}", at_limit);
        let err = check_depth(&deeper).expect_err("too deep");
        assert_eq!(err.kind(), ErrorKind::Json);
        assert!(err.path().is_some_and(|p| p.starts_with("a[1]")), "{err}");
        assert!(err.message().contains("deeper than 64"), "{err}");
        // Brackets inside strings do not count.
        let quoted = format!("[\"{}\"]", "[".repeat(1000));
        assert!(check_depth(&quoted).is_ok());
    }

    #[test]
    fn one_scan_agrees_with_the_two_checks() {
        let deep = format!(
            "[{}1{}]",
            "[".repeat(MAX_JSON_DEPTH),
            "]".repeat(MAX_JSON_DEPTH)
        );
        for json in [
            r#"{"a": [1, 2.5, -3e2], "b": "12345678901234567.89"}"#.to_string(),
            r#"{"a": {"b": [0, 12345678901234567.89]}, "c": 1e-400}"#.to_string(),
            r#"{"s": "[[[\"]]]", "n": 1.0000000000000000000001}"#.to_string(),
            r#"[1, 2"#.to_string(),
            deep,
        ] {
            match (scan(&json), check_depth(&json)) {
                (Ok(found), Ok(())) => {
                    assert_eq!(found.is_some(), check_numbers(&json).is_err(), "{json}");
                    if let Some(at) = found {
                        assert!(!is_exact(&json[at..number_end(json.as_bytes(), at)]));
                    }
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                (a, b) => panic!("{json}: {a:?} vs {b:?}"),
            }
        }
    }

    #[test]
    fn the_refusal_names_the_path() {
        let err =
            check_numbers(r#"{"deals": [{"v": 1}, {"value": {"amount": 12345678901234567.89}}]}"#)
                .expect_err("inexact");
        assert_eq!(err.kind(), ErrorKind::Json);
        assert_eq!(err.path(), Some("deals[1].value.amount"));
        assert!(err.message().contains("as strings"), "{}", err.message());
        assert!(check_numbers(r#"{"a": "12345678901234567.89", "b": [1, 2.5]}"#).is_ok());
    }
}
