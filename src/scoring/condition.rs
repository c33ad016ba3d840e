//! Attribute conditions: parsing and checking them against the field they
//! read, evaluating them on records, and their fixed-point column form.

use std::fmt::Write as _;

use chrono::{NaiveDate, Timelike};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use super::doc::{ConditionDoc, Operator};
use super::points::{UNITS_PER_POINT, checked_amount};
use crate::model::{FieldKind, FieldPath, FieldValue, Timestamp};
use crate::money::{Currency, Money, decimal_from_json};
use crate::{Error, ErrorKind, Result};

/// The largest magnitude of a number or money threshold in a condition.
pub const MAX_THRESHOLD: i64 = 100_000_000_000_000;

/// The value of a missing field in a batch column.
pub const MISSING: i64 = i64::MIN;

/// The kind of a batch column, and so how its values are encoded as `i64`
/// (see [`super::batch`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "currency", rename_all = "snake_case")]
pub enum ColumnKind {
    /// Text, encoded by the model as a bit set of the text tests it passes
    /// ([`super::ScoringModel::encode_text`]).
    Text,
    /// A number: `2·⌊x·10⁴⌋`, plus 1 when `x` has more than four decimal
    /// places.
    Number,
    /// A flag: 0 or 1.
    Bool,
    /// A date: days since 1970-01-01.
    Date,
    /// A point in time: `2·seconds` since the Unix epoch, plus 1 when it has
    /// a fraction of a second.
    Timestamp,
    /// Money in this currency, encoded as a number; money in any other
    /// currency is [`MISSING`].
    Money(Currency),
    /// Any value: 0 when the field has a value of any kind.
    Any,
}

/// A comparison on ordered values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cmp<T> {
    Present,
    In(Vec<T>),
    Range(Option<T>, Option<T>),
}

impl<T: PartialOrd> Cmp<T> {
    fn test(&self, value: &T) -> bool {
        match self {
            Cmp::Present => true,
            Cmp::In(values) => values.iter().any(|v| v == value),
            Cmp::Range(low, high) => {
                low.as_ref().is_none_or(|low| value >= low)
                    && high.as_ref().is_none_or(|high| value <= high)
            }
        }
    }
}

/// A test on text, case-insensitive (both sides lowercased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TextTest {
    Present,
    In(Vec<String>),
    Contains(String),
}

impl TextTest {
    pub(crate) fn test(&self, text: &str) -> bool {
        match self {
            TextTest::Present => true,
            TextTest::In(values) => {
                let lower = lowercase(text);
                values.iter().any(|v| *v == lower)
            }
            TextTest::Contains(needle) => lowercase(text).contains(needle.as_str()),
        }
    }
}

fn lowercase(text: &str) -> std::borrow::Cow<'_, str> {
    if text
        .bytes()
        .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
    {
        std::borrow::Cow::Owned(text.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// What a condition checks, by the kind of value it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Test {
    /// A value of any kind.
    Any,
    Text(TextTest),
    Number(Cmp<Decimal>),
    Bool(Cmp<bool>),
    Date(Cmp<NaiveDate>),
    Timestamp(Cmp<Timestamp>),
    Money(Currency, Cmp<Decimal>),
}

/// A compiled attribute condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Condition {
    pub field: FieldPath,
    pub test: Test,
    pub description: String,
}

impl Condition {
    /// `true` when `value` (the resolved field) passes the test.
    pub(crate) fn matches(&self, value: Option<FieldValue<'_>>) -> bool {
        let Some(value) = value else {
            return false;
        };
        match (&self.test, value) {
            (Test::Any, _) => true,
            (Test::Text(t), FieldValue::Text(text)) => t.test(text),
            (Test::Number(c), FieldValue::Number(n)) => c.test(&n),
            (Test::Bool(c), FieldValue::Bool(b)) => c.test(&b),
            (Test::Date(c), FieldValue::Date(d)) => c.test(&d),
            (Test::Timestamp(c), FieldValue::Timestamp(t)) => c.test(&t),
            (Test::Money(currency, c), FieldValue::Money(m)) => {
                m.currency == *currency && c.test(&m.amount)
            }
            _ => false,
        }
    }

    /// The kind of batch column this condition reads.
    pub(crate) fn column_kind(&self) -> ColumnKind {
        match &self.test {
            Test::Any => ColumnKind::Any,
            Test::Text(_) => ColumnKind::Text,
            Test::Number(_) => ColumnKind::Number,
            Test::Bool(_) => ColumnKind::Bool,
            Test::Date(_) => ColumnKind::Date,
            Test::Timestamp(_) => ColumnKind::Timestamp,
            Test::Money(currency, _) => ColumnKind::Money(*currency),
        }
    }

    /// The fixed-point predicate on the encoded column; `text_bit` is the
    /// bit of this condition's text test in its text column.
    pub(crate) fn predicate(&self, text_bit: Option<u32>) -> Predicate {
        fn ordered<T>(cmp: &Cmp<T>, enc: impl Fn(&T) -> i64) -> Predicate {
            match cmp {
                Cmp::Present => Predicate::PRESENT,
                Cmp::In(values) if values.len() == 1 => {
                    let v = values.first().map_or(MISSING, &enc);
                    Predicate::Range(v, v)
                }
                Cmp::In(values) => Predicate::Set(values.iter().map(enc).collect()),
                Cmp::Range(low, high) => Predicate::Range(
                    low.as_ref().map_or(MISSING + 1, &enc),
                    high.as_ref().map_or(i64::MAX, &enc),
                ),
            }
        }
        match &self.test {
            Test::Any => Predicate::PRESENT,
            Test::Text(TextTest::Present) => Predicate::PRESENT,
            Test::Text(_) => Predicate::Bits(text_bit.map_or(0, |bit| 1_u64 << bit)),
            Test::Number(c) | Test::Money(_, c) => ordered(c, |d| encode_decimal(*d)),
            Test::Bool(c) => ordered(c, |b| i64::from(*b)),
            Test::Date(c) => ordered(c, |d| encode_date(*d)),
            Test::Timestamp(c) => ordered(c, |t| encode_timestamp(*t)),
        }
    }
}

/// A condition on an encoded column value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Predicate {
    /// `low <= v && v <= high` (never true for [`MISSING`]).
    Range(i64, i64),
    /// `v` is one of these.
    Set(Vec<i64>),
    /// `v & mask != 0` (text bit sets; [`MISSING`] has none of bits 0..62).
    Bits(u64),
}

impl Predicate {
    const PRESENT: Predicate = Predicate::Range(MISSING + 1, i64::MAX);
}

/// Encodes a number for a [`ColumnKind::Number`] or money column.
pub fn encode_decimal(value: Decimal) -> i64 {
    const LIMIT: i128 = (MAX_THRESHOLD as i128) * (UNITS_PER_POINT as i128);
    let Some(scaled) = value.checked_mul(Decimal::from(UNITS_PER_POINT)) else {
        return if value.is_sign_negative() {
            -2 * LIMIT as i64 - 1
        } else {
            2 * LIMIT as i64 + 1
        };
    };
    let floor = scaled.floor();
    let off_grid = floor != scaled;
    let units = floor.mantissa() / 10_i128.pow(floor.scale());
    if units > LIMIT {
        return 2 * LIMIT as i64 + 1;
    }
    if units < -LIMIT {
        return -2 * LIMIT as i64 - 1;
    }
    // |units| <= 10^18, so 2·units + 1 fits an i64.
    i64::try_from(2 * units + i128::from(off_grid)).unwrap_or(MISSING)
}

/// Encodes a date for a [`ColumnKind::Date`] column.
pub fn encode_date(date: NaiveDate) -> i64 {
    const UNIX_EPOCH_FROM_CE: i64 = 719_163;
    i64::from(chrono::Datelike::num_days_from_ce(&date)) - UNIX_EPOCH_FROM_CE
}

/// Encodes an instant for a [`ColumnKind::Timestamp`] column.
pub fn encode_timestamp(at: Timestamp) -> i64 {
    2 * at.timestamp() + i64::from(at.nanosecond() != 0)
}

/// Encodes a resolved field value for a column of `kind`; text columns
/// need the column's text tests (see [`encode_text`]).
pub(crate) fn encode_value(
    kind: ColumnKind,
    value: Option<FieldValue<'_>>,
    text_tests: &[TextTest],
) -> i64 {
    let Some(value) = value else {
        return MISSING;
    };
    match (kind, value) {
        (ColumnKind::Any, _) => 0,
        (ColumnKind::Text, FieldValue::Text(text)) => encode_text(text, text_tests),
        (ColumnKind::Number, FieldValue::Number(n)) => encode_decimal(n),
        (ColumnKind::Bool, FieldValue::Bool(b)) => i64::from(b),
        (ColumnKind::Date, FieldValue::Date(d)) => encode_date(d),
        (ColumnKind::Timestamp, FieldValue::Timestamp(t)) => encode_timestamp(t),
        (ColumnKind::Money(currency), FieldValue::Money(m)) if m.currency == currency => {
            encode_decimal(m.amount)
        }
        _ => MISSING,
    }
}

/// The bit set of the tests `text` passes: bit `i` for `tests[i]`.
pub(crate) fn encode_text(text: &str, tests: &[TextTest]) -> i64 {
    let mut bits: i64 = 0;
    for (bit, test) in tests.iter().enumerate().take(63) {
        if test.test(text) {
            bits |= 1 << bit;
        }
    }
    bits
}

// ---------------------------------------------------------------------------
// Compiling a condition
// ---------------------------------------------------------------------------

fn describe_kind(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "a string",
        FieldKind::Number => "a number",
        FieldKind::Bool => "true or false",
        FieldKind::Date => "a date (\"2024-05-01\" or {\"date\": \"2024-05-01\"})",
        FieldKind::Timestamp => "a timestamp in whole seconds (\"2024-05-01T12:00:00Z\")",
        FieldKind::Money => "money ({\"amount\": \"1000\", \"currency\": \"USD\"})",
    }
}

fn infer_kind(value: &Value) -> Option<FieldKind> {
    match value {
        Value::String(_) => Some(FieldKind::Text),
        Value::Number(_) => Some(FieldKind::Number),
        Value::Bool(_) => Some(FieldKind::Bool),
        Value::Object(map) if map.contains_key("date") => Some(FieldKind::Date),
        Value::Object(map) if map.contains_key("amount") => Some(FieldKind::Money),
        _ => None,
    }
}

/// A value of a condition, read for a field of `kind`.
enum Scalar {
    Text(String),
    Number(Decimal),
    Bool(bool),
    Date(NaiveDate),
    Timestamp(Timestamp),
    Money(Money),
}

fn parse_value(kind: FieldKind, value: &Value, path: &str) -> Result<Scalar> {
    let wrong = || {
        Error::invalid(
            path,
            format!("expected {}, found {value}", describe_kind(kind)),
        )
    };
    match kind {
        FieldKind::Text => value
            .as_str()
            .map(|s| Scalar::Text(s.to_lowercase()))
            .ok_or_else(wrong),
        FieldKind::Number => {
            if !matches!(value, Value::Number(_) | Value::String(_)) {
                return Err(wrong());
            }
            let n = decimal_from_json(value).map_err(|_| wrong())?;
            Ok(Scalar::Number(checked_amount(n, MAX_THRESHOLD, path)?))
        }
        FieldKind::Bool => value.as_bool().map(Scalar::Bool).ok_or_else(wrong),
        FieldKind::Date => {
            let text = match value {
                Value::String(s) => Some(s.as_str()),
                Value::Object(map) if map.len() == 1 => map.get("date").and_then(Value::as_str),
                _ => None,
            };
            text.and_then(|t| t.parse::<NaiveDate>().ok())
                .map(Scalar::Date)
                .ok_or_else(wrong)
        }
        FieldKind::Timestamp => value
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&chrono::Utc))
            .filter(|t| t.nanosecond() == 0)
            .map(Scalar::Timestamp)
            .ok_or_else(wrong),
        FieldKind::Money => {
            let money: Money = serde_json::from_value(value.clone()).map_err(|_| wrong())?;
            let amount = checked_amount(money.amount, MAX_THRESHOLD, &format!("{path}.amount"))?;
            Ok(Scalar::Money(Money::new(amount, money.currency)))
        }
    }
}

/// Which JSON members an operator takes.
fn check_members(doc: &ConditionDoc, path: &str) -> Result<()> {
    let given = [
        ("value", doc.value.is_some()),
        ("values", doc.values.is_some()),
        ("min", doc.min.is_some()),
        ("max", doc.max.is_some()),
    ];
    let allowed: &[&str] = match doc.op {
        Operator::Equals | Operator::Contains | Operator::Ge | Operator::Le => &["value"],
        Operator::In => &["values"],
        // `between` spelling: `"value": [min, max]` instead of min/max.
        Operator::Range if doc.min.is_none() && doc.max.is_none() => &["value"],
        Operator::Range => &["min", "max"],
        Operator::Exists => &[],
    };
    for (name, present) in given {
        if present && !allowed.contains(&name) {
            return Err(Error::invalid(
                format!("{path}.{name}"),
                format!("operator {:?} takes no {name:?}", doc.op.as_str()),
            ));
        }
    }
    let missing = match doc.op {
        Operator::Equals | Operator::Contains | Operator::Ge | Operator::Le
            if doc.value.is_none() =>
        {
            Some("value")
        }
        Operator::In if doc.values.is_none() => Some("values"),
        Operator::Range if doc.min.is_none() && doc.max.is_none() && doc.value.is_none() => {
            Some("min")
        }
        _ => None,
    };
    if let Some(name) = missing {
        let what = if doc.op == Operator::Range {
            "min, max or both (or \"value\": [min, max])".to_string()
        } else {
            format!("{name:?}")
        };
        return Err(Error::at(
            ErrorKind::Json,
            path,
            format!("operator {:?} needs {what}", doc.op.as_str()),
        ));
    }
    Ok(())
}

fn compat(op: Operator, kind: FieldKind) -> bool {
    match op {
        Operator::Equals | Operator::Exists => true,
        Operator::In => kind != FieldKind::Bool,
        Operator::Range | Operator::Ge | Operator::Le => matches!(
            kind,
            FieldKind::Number | FieldKind::Money | FieldKind::Date | FieldKind::Timestamp
        ),
        Operator::Contains => kind == FieldKind::Text,
    }
}

/// Compiles a condition at `path` (`rules[3].when`).
pub(crate) fn compile(doc: &ConditionDoc, path: &str) -> Result<Condition> {
    let field = FieldPath::parse(&doc.field)
        .map_err(|e| Error::invalid(format!("{path}.field"), e.message().to_string()))?;
    check_members(doc, path)?;
    let builtin = field.kind();
    if let (Some(builtin), Some(asked)) = (builtin, doc.kind)
        && builtin != asked
    {
        return Err(Error::invalid(
            format!("{path}.kind"),
            format!("field {field} is {builtin}, not {asked}"),
        ));
    }
    let between = between_bounds(doc, path)?;
    let sample = doc
        .value
        .as_ref()
        .filter(|_| between.is_none())
        .or_else(|| between.map(|(low, _)| low))
        .or_else(|| doc.values.as_ref().and_then(|v| v.first()))
        .or(doc.min.as_ref())
        .or(doc.max.as_ref());
    let kind = builtin.or(doc.kind).or_else(|| sample.and_then(infer_kind));
    let Some(kind) = kind else {
        if doc.op == Operator::Exists {
            return Ok(Condition {
                description: format!("{field} exists"),
                field,
                test: Test::Any,
            });
        }
        return Err(Error::invalid(
            format!("{path}.kind"),
            format!(
                "cannot tell the kind of custom field {field}: give \"kind\" (text, number, bool, date, timestamp or money)"
            ),
        ));
    };
    if !compat(doc.op, kind) {
        return Err(Error::invalid(
            format!("{path}.op"),
            format!(
                "operator {:?} does not apply to {kind} field {field}",
                doc.op.as_str()
            ),
        ));
    }
    let mut description = field.to_string();
    let test = match doc.op {
        Operator::Exists => {
            let _ = write!(description, " exists");
            match kind {
                FieldKind::Text => Test::Text(TextTest::Present),
                FieldKind::Number => Test::Number(Cmp::Present),
                FieldKind::Bool => Test::Bool(Cmp::Present),
                FieldKind::Date => Test::Date(Cmp::Present),
                FieldKind::Timestamp => Test::Timestamp(Cmp::Present),
                // Money of any currency: present is present.
                FieldKind::Money => Test::Any,
            }
        }
        Operator::Contains => {
            let value = doc.value.as_ref().unwrap_or(&Value::Null);
            let Scalar::Text(needle) = parse_value(kind, value, &format!("{path}.value"))? else {
                return Err(Error::invalid(format!("{path}.value"), "expected a string"));
            };
            if needle.is_empty() {
                return Err(Error::invalid(
                    format!("{path}.value"),
                    "expected a non-empty string",
                ));
            }
            let _ = write!(description, " contains {needle:?}");
            Test::Text(TextTest::Contains(needle))
        }
        Operator::Equals | Operator::In => {
            let (values, base) = match (&doc.value, &doc.values) {
                (Some(v), _) => (std::slice::from_ref(v), format!("{path}.value")),
                (None, Some(vs)) => (vs.as_slice(), format!("{path}.values")),
                (None, None) => (&[][..], format!("{path}.values")),
            };
            if values.is_empty() {
                return Err(Error::invalid(base, "expected at least one value"));
            }
            let mut scalars = Vec::with_capacity(values.len());
            for (i, value) in values.iter().enumerate() {
                let at = if doc.op == Operator::In {
                    format!("{base}[{i}]")
                } else {
                    base.clone()
                };
                scalars.push(parse_value(kind, value, &at)?);
            }
            let shown = crate::error::shown_list(values.iter().map(|v| show(kind, v)));
            if doc.op == Operator::Equals {
                let _ = write!(description, " = {shown}");
            } else {
                let _ = write!(description, " in [{shown}]");
            }
            set_test(kind, scalars, &base)?
        }
        Operator::Range | Operator::Ge | Operator::Le => {
            // The bounds and where they were written, in any spelling.
            let (min, max, min_at, max_at) = match (doc.op, between) {
                (Operator::Ge, _) => (doc.value.as_ref(), None, "value", "max"),
                (Operator::Le, _) => (None, doc.value.as_ref(), "min", "value"),
                (_, Some((low, high))) => (Some(low), Some(high), "value[0]", "value[1]"),
                _ => (doc.min.as_ref(), doc.max.as_ref(), "min", "max"),
            };
            let low = min
                .map(|v| parse_value(kind, v, &format!("{path}.{min_at}")))
                .transpose()?;
            let high = max
                .map(|v| parse_value(kind, v, &format!("{path}.{max_at}")))
                .transpose()?;
            let _ = match (min, max) {
                (Some(l), Some(h)) => {
                    write!(description, " in {}..={}", show(kind, l), show(kind, h))
                }
                (Some(l), None) => write!(description, " >= {}", show(kind, l)),
                (None, Some(h)) => write!(description, " <= {}", show(kind, h)),
                (None, None) => Ok(()),
            };
            range_test(kind, low, high, path)?
        }
    };
    Ok(Condition {
        field,
        test,
        description,
    })
}

/// The bounds of a range written the `between` way (`"value": [min, max]`),
/// or `None` for the other spellings.
fn between_bounds<'d>(doc: &'d ConditionDoc, path: &str) -> Result<Option<(&'d Value, &'d Value)>> {
    if doc.op != Operator::Range {
        return Ok(None);
    }
    let Some(value) = &doc.value else {
        return Ok(None);
    };
    match value.as_array().map(Vec::as_slice) {
        Some([low, high]) => Ok(Some((low, high))),
        _ => Err(Error::invalid(
            format!("{path}.value"),
            "expected [min, max] (or give min and max)",
        )),
    }
}

/// A condition value as written in explanations: text quoted, money as
/// `10000000 USD`, dates and instants plain.
fn show(kind: FieldKind, value: &Value) -> String {
    match value {
        Value::String(text) if kind == FieldKind::Text => format!("{text:?}"),
        Value::String(text) => text.clone(),
        Value::Object(map) => match (map.get("amount"), map.get("currency"), map.get("date")) {
            (Some(amount), Some(currency), _) => format!(
                "{} {}",
                amount
                    .as_str()
                    .map_or_else(|| amount.to_string(), str::to_string),
                currency.as_str().unwrap_or_default()
            ),
            (_, _, Some(Value::String(date))) => date.clone(),
            _ => value.to_string(),
        },
        other => other.to_string(),
    }
}

fn set_test(kind: FieldKind, scalars: Vec<Scalar>, path: &str) -> Result<Test> {
    let mut currency: Option<Currency> = None;
    let mut texts = Vec::new();
    let mut numbers = Vec::new();
    let mut bools = Vec::new();
    let mut dates = Vec::new();
    let mut times = Vec::new();
    for scalar in scalars {
        match scalar {
            Scalar::Text(t) => texts.push(t),
            Scalar::Number(n) => numbers.push(n),
            Scalar::Bool(b) => bools.push(b),
            Scalar::Date(d) => dates.push(d),
            Scalar::Timestamp(t) => times.push(t),
            Scalar::Money(m) => {
                if currency.is_some_and(|c| c != m.currency) {
                    return Err(Error::invalid(
                        path,
                        "all money values of a condition must be in one currency",
                    ));
                }
                currency = Some(m.currency);
                numbers.push(m.amount);
            }
        }
    }
    Ok(match kind {
        FieldKind::Text => Test::Text(TextTest::In(texts)),
        FieldKind::Number => Test::Number(Cmp::In(numbers)),
        FieldKind::Bool => Test::Bool(Cmp::In(bools)),
        FieldKind::Date => Test::Date(Cmp::In(dates)),
        FieldKind::Timestamp => Test::Timestamp(Cmp::In(times)),
        FieldKind::Money => match currency {
            Some(c) => Test::Money(c, Cmp::In(numbers)),
            None => return Err(Error::invalid(path, "expected at least one value")),
        },
    })
}

fn range_test(
    kind: FieldKind,
    low: Option<Scalar>,
    high: Option<Scalar>,
    path: &str,
) -> Result<Test> {
    fn ordered<T: PartialOrd + std::fmt::Display>(
        low: Option<T>,
        high: Option<T>,
        path: &str,
    ) -> Result<Cmp<T>> {
        if let (Some(l), Some(h)) = (&low, &high)
            && l > h
        {
            return Err(Error::invalid(
                path,
                format!("impossible range: min {l} is greater than max {h}"),
            ));
        }
        Ok(Cmp::Range(low, high))
    }
    let mismatch = || Error::invalid(path, "min and max must be of the same kind");
    Ok(match kind {
        FieldKind::Number => {
            let num = |s: Option<Scalar>| match s {
                None => Ok(None),
                Some(Scalar::Number(n)) => Ok(Some(n)),
                Some(_) => Err(mismatch()),
            };
            Test::Number(ordered(num(low)?, num(high)?, path)?)
        }
        FieldKind::Date => {
            let date = |s: Option<Scalar>| match s {
                None => Ok(None),
                Some(Scalar::Date(d)) => Ok(Some(d)),
                Some(_) => Err(mismatch()),
            };
            Test::Date(ordered(date(low)?, date(high)?, path)?)
        }
        FieldKind::Timestamp => {
            let time = |s: Option<Scalar>| match s {
                None => Ok(None),
                Some(Scalar::Timestamp(t)) => Ok(Some(t)),
                Some(_) => Err(mismatch()),
            };
            Test::Timestamp(ordered(time(low)?, time(high)?, path)?)
        }
        FieldKind::Money => {
            let money = |s: Option<Scalar>| match s {
                None => Ok(None),
                Some(Scalar::Money(m)) => Ok(Some(m)),
                Some(_) => Err(mismatch()),
            };
            let (low, high) = (money(low)?, money(high)?);
            let currency = match (low, high) {
                (Some(l), Some(h)) if l.currency != h.currency => {
                    return Err(Error::invalid(
                        path,
                        format!(
                            "min is in {} but max is in {}: a range needs one currency",
                            l.currency, h.currency
                        ),
                    ));
                }
                (Some(m), _) | (_, Some(m)) => m.currency,
                (None, None) => return Err(mismatch()),
            };
            Test::Money(
                currency,
                ordered(low.map(|m| m.amount), high.map(|m| m.amount), path)?,
            )
        }
        FieldKind::Text | FieldKind::Bool => return Err(mismatch()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(json: &str) -> ConditionDoc {
        serde_json::from_str(json).expect("condition json")
    }

    #[test]
    fn numbers_encode_between_grid_points_when_off_grid() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(encode_decimal(d("1")), 20_000);
        assert_eq!(encode_decimal(d("1.00005")), 20_001);
        assert_eq!(encode_decimal(d("-1.00005")), -20_001);
        assert!(encode_decimal(d("-1.00005")) < encode_decimal(d("-1")));
        assert!(encode_decimal(d("-1.00005")) > encode_decimal(d("-1.0001")));
        assert!(encode_decimal(Decimal::MAX) > encode_decimal(Decimal::from(MAX_THRESHOLD)));
        assert!(encode_decimal(Decimal::MIN) < encode_decimal(-Decimal::from(MAX_THRESHOLD)));
        assert!(encode_decimal(Decimal::MIN) > MISSING);
    }

    #[test]
    fn impossible_ranges_are_refused() {
        let err = compile(
            &doc(r#"{"field": "company.employees", "op": "range", "min": 10, "max": 5}"#),
            "rules[0].when",
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid);
        assert_eq!(err.path(), Some("rules[0].when"));
        assert!(err.message().contains("impossible range"), "{err}");
    }

    #[test]
    fn custom_attribute_kinds_come_from_the_value() {
        let c = compile(
            &doc(r#"{"field": "contact.attributes.plan", "op": "in", "values": ["Pro", "team"]}"#),
            "w",
        )
        .unwrap();
        assert_eq!(
            c.test,
            Test::Text(TextTest::In(vec!["pro".into(), "team".into()]))
        );
        assert!(c.matches(Some(FieldValue::Text("PRO"))));
        assert!(!c.matches(Some(FieldValue::Number(Decimal::ONE))));
    }
}
