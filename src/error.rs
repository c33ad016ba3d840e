//! The crate's one error type.
//!
//! Every fallible crmkit call returns [`Result<T>`](crate::Result). An
//! [`Error`] carries a machine-readable [`ErrorKind`] (which maps one-to-one
//! onto a C status code), a lowercase human message, and — where it is known —
//! the path of the offending value (`deals[3].value`, `rules[2].when.value`).
//!
//! ```
//! use crmkit::{Error, ErrorKind};
//!
//! let err = Error::invalid("deals[3].value", "deal value must not be negative");
//! assert_eq!(err.kind(), ErrorKind::Invalid);
//! assert_eq!(err.path(), Some("deals[3].value"));
//! assert_eq!(err.to_string(), "deals[3].value: deal value must not be negative");
//! ```

use std::fmt;

/// What went wrong, in a form a program can branch on.
///
/// Each kind maps onto exactly one C status code (see `crm_status` in
/// `include/crmkit.h`); new kinds may be added, hence `#[non_exhaustive]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is not well-formed JSON, or does not have the expected shape
    /// (unknown field, wrong type, missing field).
    Json,
    /// The input is well-formed but violates a rule of the domain (a negative
    /// deal value, a deal closed before it was created, an impossible range).
    Invalid,
    /// A record refers to another record that does not exist.
    NotFound,
    /// Money values in different currencies were combined without exchange
    /// rates.
    CurrencyMismatch,
    /// An arithmetic result does not fit the exact decimal representation.
    Overflow,
    /// The input asks for something this version of crmkit does not support
    /// (an unknown KPI id, an unsupported locale).
    Unsupported,
    /// A model uses protected attributes (age, gender, marital status,
    /// ethnicity) without opting in.
    ProtectedAttribute,
    /// A numerical procedure (model fitting) did not converge or met
    /// degenerate data it cannot handle.
    Numerical,
}

impl ErrorKind {
    /// A short, stable, lowercase name of the kind (`"invalid"`, `"json"`...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Json => "json",
            ErrorKind::Invalid => "invalid",
            ErrorKind::NotFound => "not found",
            ErrorKind::CurrencyMismatch => "currency mismatch",
            ErrorKind::Overflow => "overflow",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::ProtectedAttribute => "protected attribute",
            ErrorKind::Numerical => "numerical",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error returned by every fallible crmkit operation.
///
/// Opaque on purpose: inspect it with [`Error::kind`], [`Error::path`] and
/// [`Error::message`]; `Display` prints `path: message` (or just the message
/// when no path is known).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    kind: ErrorKind,
    path: Option<String>,
    message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) if !path.is_empty() => write!(f, "{path}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl Error {
    /// Builds an error of `kind` with a message and no path.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            path: None,
            message: message.into(),
        }
    }

    /// Builds an error of `kind` at `path` (a JSON path or record reference).
    pub fn at(kind: ErrorKind, path: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            kind,
            path: Some(path.into()),
            message: message.into(),
        }
    }

    /// Shorthand for an [`ErrorKind::Invalid`] error at `path`.
    pub fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::at(ErrorKind::Invalid, path, message)
    }

    /// Shorthand for an [`ErrorKind::NotFound`] error at `path`.
    pub fn not_found(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::at(ErrorKind::NotFound, path, message)
    }

    /// Shorthand for an [`ErrorKind::Overflow`] error with no path.
    pub fn overflow(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Overflow, message)
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The path of the offending value, if known.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The message without the path.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Returns the error with `prefix` prepended to its path, so that an
    /// error raised deep inside a document names its full location
    /// (`with_path_prefix("rules[3]")` turns `when.value` into
    /// `rules[3].when.value`).
    pub fn with_path_prefix(mut self, prefix: &str) -> Self {
        self.path = Some(join_path(prefix, self.path.as_deref().unwrap_or("")));
        self
    }

    /// Parses `json` into `T`, naming the JSON path of the first problem.
    ///
    /// Syntax and shape errors become [`ErrorKind::Json`]; errors raised by
    /// validating constructors (`try_from`) keep their message and gain the
    /// path.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`] for malformed JSON or a
    /// wrong shape, naming the JSON path; a validating constructor's own error
    /// (usually [`ErrorKind::Invalid`]) with the
    /// path added.
    pub fn parse_json<T: serde::de::DeserializeOwned>(json: &str) -> crate::Result<T> {
        crate::exact_json::check_depth(json)?;
        let mut de = serde_json::Deserializer::from_str(json);
        let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
            let path = err.path().to_string();
            let inner = err.into_inner();
            let path = if path == "." {
                String::new()
            } else {
                path.split('.')
                    .map(shown_plain)
                    .collect::<Vec<_>>()
                    .join(".")
            };
            Error {
                kind: ErrorKind::Json,
                path: if path.is_empty() { None } else { Some(path) },
                message: clean_serde_message(&inner),
            }
        })?;
        de.end()
            .map_err(|err| Error::new(ErrorKind::Json, clean_serde_message(&err)))?;
        crate::exact_json::check_numbers(json)?;
        Ok(value)
    }
}

/// How many characters of caller text an error message repeats at most.
pub const ECHO_LIMIT: usize = 64;

/// Caller text as an error message repeats it: quoted like `{:?}`, and cut
/// after [`ECHO_LIMIT`] characters with an ellipsis and the full length in
/// bytes, so that a huge input never makes a huge message:
/// `"aaaa…" (104857600 bytes)`.
///
/// Every error that echoes caller input goes through this (or
/// [`shown_plain`]).
pub fn shown(text: &str) -> String {
    match cut(text) {
        None => format!("{text:?}"),
        Some(head) => format!("{:?} ({} bytes)", format!("{head}…"), text.len()),
    }
}

/// [`shown`] without the quotes, for text that is not a string (a number,
/// a JSON path): `1234…5 (300 bytes)`.
pub fn shown_plain(text: &str) -> String {
    match cut(text) {
        None => text.to_string(),
        Some(head) => format!("{head}… ({} bytes)", text.len()),
    }
}

/// How many values of a list an explanation names before "and N more".
pub const LISTED_VALUES: usize = 5;

/// A list of values as an explanation shows it (a scoring `in` rule's
/// description, which every score repeats): the first [`LISTED_VALUES`],
/// each cut like [`shown_plain`], then "and N more":
/// `"a", "b", "c", "d", "e" and 995 more`.
pub fn shown_list(values: impl ExactSizeIterator<Item = String>) -> String {
    let total = values.len();
    let listed: Vec<String> = values
        .take(LISTED_VALUES)
        .map(|v| shown_plain(&v))
        .collect();
    let mut text = listed.join(", ");
    if total > LISTED_VALUES {
        text.push_str(&format!(" and {} more", total - LISTED_VALUES));
    }
    text
}

/// The first [`ECHO_LIMIT`] characters of `text` if it is longer.
fn cut(text: &str) -> Option<&str> {
    let (end, _) = text.char_indices().nth(ECHO_LIMIT)?;
    text.get(..end)
}

/// Joins two path fragments: `join_path("a", "b")` is `a.b`,
/// `join_path("a", "[2]")` is `a[2]`, an empty side is dropped.
pub(crate) fn join_path(prefix: &str, rest: &str) -> String {
    if prefix.is_empty() {
        rest.to_string()
    } else if rest.is_empty() {
        prefix.to_string()
    } else if rest.starts_with('[') {
        format!("{prefix}{rest}")
    } else {
        format!("{prefix}.{rest}")
    }
}

/// serde_json's messages are already lowercase; this keeps them on one line
/// and drops the trailing position, which is replaced by a path when known.
fn clean_serde_message(err: &serde_json::Error) -> String {
    let text = cap_quoted(&err.to_string());
    match err.line() {
        0 => text,
        line => {
            let suffix = format!(" at line {line} column {}", err.column());
            match text.strip_suffix(&suffix) {
                Some(stripped) => format!("{stripped} (line {line}, column {})", err.column()),
                None => text,
            }
        }
    }
}

/// Caps every `` `...` `` or `"..."` segment of a serde message (an unknown
/// field, an invalid string value) with [`shown_plain`].
fn cap_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(1024));
    let mut rest = text;
    while let Some(open) = rest.find(['`', '"']) {
        let (before, from) = rest.split_at(open);
        out.push_str(before);
        let quote = &from[..1];
        let inner = &from[1..];
        match inner.find(quote) {
            Some(close) => {
                out.push_str(quote);
                out.push_str(&shown_plain(&inner[..close]));
                out.push_str(quote);
                rest = &inner[close + 1..];
            }
            None => {
                out.push_str(from);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

impl From<std::convert::Infallible> for Error {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

/// `Result` with crmkit's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[allow(dead_code)]
        value: u32,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        #[allow(dead_code)]
        rules: Vec<Inner>,
    }

    #[test]
    fn parse_json_names_the_path_of_a_wrong_type() {
        let err = Error::parse_json::<Outer>(r#"{"rules":[{"value":1},{"value":"x"}]}"#)
            .expect_err("wrong type must fail");
        assert_eq!(err.kind(), ErrorKind::Json);
        assert_eq!(err.path(), Some("rules[1].value"));
        assert!(err.message().contains("invalid type"), "{}", err.message());
    }

    #[test]
    fn parse_json_rejects_trailing_garbage() {
        let err = Error::parse_json::<Outer>(r#"{"rules":[]} x"#).expect_err("trailing");
        assert_eq!(err.kind(), ErrorKind::Json);
    }

    #[test]
    fn echoed_text_is_capped_with_its_length() {
        assert_eq!(shown("abc"), "\"abc\"");
        let huge = "x".repeat(10_000_000);
        let text = shown(&huge);
        assert!(text.len() < 100, "{text}");
        assert!(text.ends_with("…\" (10000000 bytes)"), "{text}");
        let wide = "é".repeat(65);
        assert_eq!(
            shown_plain(&wide),
            format!("{}… (130 bytes)", "é".repeat(64))
        );
        assert_eq!(shown_plain(&"é".repeat(64)), "é".repeat(64));
    }

    #[test]
    fn serde_messages_echo_capped_text() {
        let json = format!(r#"{{"rules": [], "{}": 1}}"#, "k".repeat(1_000_000));
        let err = Error::parse_json::<Outer>(&json).expect_err("unknown field");
        assert!(
            err.to_string().len() < 300,
            "{}",
            err.to_string().chars().take(200).collect::<String>()
        );
        assert!(
            err.message().contains("(1000000 bytes)"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn path_prefix_joins_fields_and_indices() {
        let err = Error::invalid("when.value", "bad").with_path_prefix("rules[3]");
        assert_eq!(err.path(), Some("rules[3].when.value"));
        let err = Error::invalid("[2]", "bad").with_path_prefix("rules");
        assert_eq!(err.path(), Some("rules[2]"));
    }
}
