//! Conditions over typed field paths, combined with `all` / `any` / `not`.
//!
//! JSON form of a leaf: `{"field": "deal.value", "op": "gt", "value":
//! {"amount": "500", "currency": "USD"}}`; of a combination:
//! `{"all": [...]}`, `{"any": [...]}`, `{"not": {...}}`. The literal is
//! checked against the field's kind when the rule set loads (a money field
//! needs a money literal, `older_than_days` a date field...).

use std::cmp::Ordering;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::context::{Ctx, Kind, Source, Val};
use crate::model::{LifecycleStage, Timestamp};
use crate::money::{Money, decimal_from_json};
use crate::{Error, ErrorKind, Result};

/// A comparison or test of a condition leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Equal (also spelled `equals`, as in scoring models).
    #[serde(alias = "equals")]
    Eq,
    /// Not equal (also true when the field has no value).
    Ne,
    /// Less than.
    Lt,
    /// Less than or equal.
    Le,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
    /// Between `[min, max]`, both inclusive (also spelled `range`, as in
    /// scoring models; the value is still `[min, max]`).
    #[serde(alias = "range")]
    Between,
    /// One of a list.
    In,
    /// None of a list (also true when the field has no value).
    NotIn,
    /// Text contains the literal (case-insensitive).
    Contains,
    /// Text starts with the literal (case-insensitive).
    StartsWith,
    /// The field has a value (no literal).
    Exists,
    /// The field has no value (no literal).
    Missing,
    /// A set field (tags) contains the literal.
    Has,
    /// A date at least N days before `as_of`.
    OlderThanDays,
    /// A date at most N days before `as_of` (and not after it).
    WithinLastDays,
    /// A date at most N days after `as_of` (and not before it).
    WithinNextDays,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Between => "between",
            Op::In => "in",
            Op::NotIn => "not in",
            Op::Contains => "contains",
            Op::StartsWith => "starts with",
            Op::Exists => "exists",
            Op::Missing => "is missing",
            Op::Has => "has",
            Op::OlderThanDays => "older than days",
            Op::WithinLastDays => "within last days",
            Op::WithinNextDays => "within next days",
        }
    }
}

/// A condition as written in JSON: exactly one of `all`, `any`, `not`, or a
/// leaf (`field`, `op`, `value`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Every condition holds (an empty list holds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<Condition>>,
    /// At least one condition holds (an empty list does not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<Condition>>,
    /// The condition does not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<Condition>>,
    /// The field path of a leaf (`deal.value`, `contact.country`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The test of a leaf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<Op>,
    /// The literal of a leaf (a list for `in`, `not_in`, `between`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
}

impl Condition {
    /// A leaf: `field op value`.
    pub fn leaf(field: &str, op: Op, value: serde_json::Value) -> Condition {
        Condition {
            all: None,
            any: None,
            not: None,
            field: Some(field.to_string()),
            op: Some(op),
            value: Some(value),
        }
    }

    /// A money leaf: `field op amount currency`.
    pub fn money(field: &str, op: Op, money: Money) -> Condition {
        Condition::leaf(
            field,
            op,
            serde_json::json!({"amount": money.amount.to_string(), "currency": money.currency.as_str()}),
        )
    }

    /// Every one of `conditions`.
    pub fn all(conditions: Vec<Condition>) -> Condition {
        let mut c = Condition::default();
        c.all = Some(conditions);
        c
    }

    /// At least one of `conditions`.
    pub fn any(conditions: Vec<Condition>) -> Condition {
        let mut c = Condition::default();
        c.any = Some(conditions);
        c
    }

    /// The negation of `condition`.
    pub fn negate(condition: Condition) -> Condition {
        let mut c = Condition::default();
        c.not = Some(Box::new(condition));
        c
    }

    /// How deeply the condition nests: 1 for a leaf, one more for each
    /// level of `all`, `any` or `not` (counted without recursion, so any
    /// depth can be measured).
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut stack: Vec<(&Condition, usize)> = vec![(self, 1)];
        while let Some((c, d)) = stack.pop() {
            deepest = deepest.max(d);
            for child in c.children() {
                stack.push((child, d + 1));
            }
        }
        deepest
    }

    fn children(&self) -> impl Iterator<Item = &Condition> {
        self.all
            .iter()
            .flatten()
            .chain(self.any.iter().flatten())
            .chain(self.not.as_deref())
    }
}

/// The deepest nesting of a condition a rule set accepts: `all`, `any` and
/// `not` count one level each, a leaf one. Deeper conditions are refused
/// when the rule set is compiled (an error, never a stack overflow), so
/// evaluation and analysis, which walk the compiled condition, stay within a
/// small, fixed stack.
pub const MAX_CONDITION_DEPTH: usize = 32;

/// Conditions are dropped without recursion, so a condition of any depth
/// built in Rust can be dropped on a small stack.
impl Drop for Condition {
    fn drop(&mut self) {
        fn detach(c: &mut Condition, out: &mut Vec<Condition>) {
            if let Some(list) = c.all.take() {
                out.extend(list);
            }
            if let Some(list) = c.any.take() {
                out.extend(list);
            }
            if let Some(inner) = c.not.take() {
                out.push(*inner);
            }
        }
        let mut pending = Vec::new();
        detach(self, &mut pending);
        while let Some(mut c) = pending.pop() {
            detach(&mut c, &mut pending);
        }
    }
}

/// A literal, typed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit {
    Number(Decimal),
    Money(Money),
    Text(String),
    Time(Timestamp),
    Bool(bool),
    Stage(LifecycleStage),
}

impl fmt::Display for Lit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lit::Number(n) => write!(f, "{n}"),
            Lit::Money(m) => write!(f, "{m}"),
            Lit::Text(t) => write!(f, "{t:?}"),
            Lit::Time(t) => {
                if t.time() == chrono::NaiveTime::MIN {
                    write!(f, "{}", t.date_naive())
                } else {
                    write!(f, "{}", t.to_rfc3339())
                }
            }
            Lit::Bool(b) => write!(f, "{b}"),
            Lit::Stage(s) => write!(f, "{s}"),
        }
    }
}

/// A compiled test.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test {
    Cmp(Op, Lit),
    Between(Lit, Lit),
    In(Vec<Lit>),
    NotIn(Vec<Lit>),
    Contains(String),
    StartsWith(String),
    Exists,
    Missing,
    Has(String),
    OlderThanDays(i64),
    WithinLastDays(i64),
    WithinNextDays(i64),
}

/// A compiled leaf.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Leaf {
    pub(crate) path: String,
    pub(crate) source: Source,
    pub(crate) test: Test,
    pub(crate) text: String,
}

/// A compiled condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    True,
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    Leaf(Box<Leaf>),
}

fn expected(path: &str, what: &str) -> Error {
    Error::at(ErrorKind::Invalid, path, format!("expected {what}"))
}

fn parse_time(value: &serde_json::Value, path: &str) -> Result<Timestamp> {
    let text = value
        .as_str()
        .ok_or_else(|| expected(path, "a date (\"2026-05-01\") or an RFC 3339 timestamp"))?;
    if let Ok(date) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| expected(path, "a date (\"2026-05-01\") or an RFC 3339 timestamp"))
}

fn parse_lit(kind: Kind, value: &serde_json::Value, path: &str) -> Result<Lit> {
    match kind {
        Kind::Number => decimal_from_json(value)
            .map(Lit::Number)
            .map_err(|_| expected(path, "a number")),
        Kind::Money => serde_json::from_value::<Money>(value.clone())
            .map(Lit::Money)
            .map_err(|_| {
                expected(
                    path,
                    "money {\"amount\": \"500.00\", \"currency\": \"USD\"}",
                )
            }),
        Kind::Text | Kind::Set => value
            .as_str()
            .map(|t| Lit::Text(t.to_string()))
            .ok_or_else(|| expected(path, "a string")),
        Kind::Time => parse_time(value, path).map(Lit::Time),
        Kind::Bool => value
            .as_bool()
            .map(Lit::Bool)
            .ok_or_else(|| expected(path, "true or false")),
        Kind::Stage => {
            let name = value
                .as_str()
                .ok_or_else(|| expected(path, "a lifecycle stage"))?;
            LifecycleStage::parse(name).map(Lit::Stage).ok_or_else(|| {
                let names: Vec<&str> = LifecycleStage::ALL.iter().map(|s| s.as_str()).collect();
                expected(path, &format!("a lifecycle stage ({})", names.join(", ")))
            })
        }
        Kind::Any => match value {
            serde_json::Value::Bool(b) => Ok(Lit::Bool(*b)),
            serde_json::Value::Number(_) => parse_lit(Kind::Number, value, path),
            serde_json::Value::String(t) => Ok(Lit::Text(t.clone())),
            serde_json::Value::Object(map) if map.contains_key("amount") => {
                parse_lit(Kind::Money, value, path)
            }
            serde_json::Value::Object(map) if map.contains_key("date") => map
                .get("date")
                .ok_or_else(|| expected(path, "a date"))
                .and_then(|d| parse_time(d, path))
                .map(Lit::Time),
            _ => Err(expected(
                path,
                "a string, number, boolean, money or {\"date\": ...}",
            )),
        },
    }
}

fn lit_kind(lit: &Lit) -> Kind {
    match lit {
        Lit::Number(_) => Kind::Number,
        Lit::Money(_) => Kind::Money,
        Lit::Text(_) => Kind::Text,
        Lit::Time(_) => Kind::Time,
        Lit::Bool(_) => Kind::Bool,
        Lit::Stage(_) => Kind::Stage,
    }
}

fn days_literal(value: Option<&serde_json::Value>, path: &str) -> Result<i64> {
    value
        .and_then(serde_json::Value::as_u64)
        .and_then(|n| i64::try_from(n).ok())
        .filter(|n| *n <= 1_000_000)
        .ok_or_else(|| expected(path, "a whole number of days from 0 to 1000000"))
}

/// Compiles a condition document; error paths are relative to it. A
/// condition nested deeper than [`MAX_CONDITION_DEPTH`] is refused before
/// anything recursive touches it.
pub(crate) fn compile(doc: &Condition) -> Result<Cond> {
    let depth = doc.depth();
    if depth > MAX_CONDITION_DEPTH {
        return Err(Error::invalid(
            "",
            format!(
                "the condition nests {depth} levels deep; at most {MAX_CONDITION_DEPTH} are allowed"
            ),
        ));
    }
    compile_node(doc)
}

fn compile_node(doc: &Condition) -> Result<Cond> {
    let forms = usize::from(doc.all.is_some())
        + usize::from(doc.any.is_some())
        + usize::from(doc.not.is_some())
        + usize::from(doc.field.is_some() || doc.op.is_some() || doc.value.is_some());
    if forms != 1 {
        return Err(Error::invalid(
            "",
            "a condition needs exactly one of all, any, not or a field/op/value leaf",
        ));
    }
    if let Some(list) = &doc.all {
        let parts = list
            .iter()
            .enumerate()
            .map(|(i, c)| compile_node(c).map_err(|e| e.with_path_prefix(&format!("all[{i}]"))))
            .collect::<Result<Vec<_>>>()?;
        return Ok(Cond::All(parts));
    }
    if let Some(list) = &doc.any {
        let parts = list
            .iter()
            .enumerate()
            .map(|(i, c)| compile_node(c).map_err(|e| e.with_path_prefix(&format!("any[{i}]"))))
            .collect::<Result<Vec<_>>>()?;
        return Ok(Cond::Any(parts));
    }
    if let Some(inner) = &doc.not {
        return Ok(Cond::Not(Box::new(
            compile_node(inner).map_err(|e| e.with_path_prefix("not"))?,
        )));
    }
    let path = doc
        .field
        .as_deref()
        .ok_or_else(|| expected("field", "a field path"))?;
    let op = doc.op.ok_or_else(|| expected("op", "an operator"))?;
    let (source, kind) =
        Source::parse(path).map_err(|e| Error::invalid("field", e.message().to_string()))?;
    let value = doc.value.as_ref();
    let need_value = || value.ok_or_else(|| expected("value", "a value"));
    let wrong_kind = || {
        Error::invalid(
            "op",
            format!(
                "operator {op:?} does not apply to {path}, a {} field",
                kind.name()
            )
            .to_lowercase(),
        )
    };
    let ordered = matches!(
        kind,
        Kind::Number | Kind::Money | Kind::Time | Kind::Stage | Kind::Any
    );
    let test = match op {
        Op::Eq | Op::Ne => {
            if kind == Kind::Set {
                return Err(wrong_kind());
            }
            Test::Cmp(op, parse_lit(kind, need_value()?, "value")?)
        }
        Op::Lt | Op::Le | Op::Gt | Op::Ge => {
            if !ordered {
                return Err(wrong_kind());
            }
            let lit = parse_lit(kind, need_value()?, "value")?;
            if matches!(lit, Lit::Text(_) | Lit::Bool(_)) {
                return Err(wrong_kind());
            }
            Test::Cmp(op, lit)
        }
        Op::Between => {
            if !ordered {
                return Err(wrong_kind());
            }
            let list = need_value()?
                .as_array()
                .filter(|l| l.len() == 2)
                .ok_or_else(|| expected("value", "[min, max]"))?;
            let (Some(lo), Some(hi)) = (list.first(), list.get(1)) else {
                return Err(expected("value", "[min, max]"));
            };
            let lo = parse_lit(kind, lo, "value[0]")?;
            let hi = parse_lit(kind, hi, "value[1]")?;
            if lit_kind(&lo) != lit_kind(&hi) || matches!(lo, Lit::Text(_) | Lit::Bool(_)) {
                return Err(expected("value", "[min, max] of the same ordered kind"));
            }
            if let (Lit::Money(a), Lit::Money(b)) = (&lo, &hi)
                && a.currency != b.currency
            {
                return Err(Error::at(
                    ErrorKind::CurrencyMismatch,
                    "value",
                    format!("between {a} and {b} mixes currencies"),
                ));
            }
            if cmp_lits(&lo, &hi) == Some(Ordering::Greater) {
                return Err(Error::invalid(
                    "value",
                    format!("empty range: min {lo} is above max {hi}"),
                ));
            }
            Test::Between(lo, hi)
        }
        Op::In | Op::NotIn => {
            if matches!(kind, Kind::Set | Kind::Money | Kind::Time) {
                return Err(wrong_kind());
            }
            let list = need_value()?
                .as_array()
                .ok_or_else(|| expected("value", "a list"))?;
            let lits = list
                .iter()
                .enumerate()
                .map(|(i, v)| parse_lit(kind, v, &format!("value[{i}]")))
                .collect::<Result<Vec<_>>>()?;
            if op == Op::In {
                Test::In(lits)
            } else {
                Test::NotIn(lits)
            }
        }
        Op::Contains | Op::StartsWith => {
            if !matches!(kind, Kind::Text | Kind::Any) {
                return Err(wrong_kind());
            }
            let text = need_value()?
                .as_str()
                .ok_or_else(|| expected("value", "a string"))?
                .to_lowercase();
            if op == Op::Contains {
                Test::Contains(text)
            } else {
                Test::StartsWith(text)
            }
        }
        Op::Exists | Op::Missing => {
            if value.is_some() {
                return Err(Error::invalid(
                    "value",
                    format!("{op:?} takes no value").to_lowercase(),
                ));
            }
            if op == Op::Exists {
                Test::Exists
            } else {
                Test::Missing
            }
        }
        Op::Has => {
            if kind != Kind::Set {
                return Err(wrong_kind());
            }
            let tag = need_value()?
                .as_str()
                .ok_or_else(|| expected("value", "a string"))?;
            Test::Has(tag.to_string())
        }
        Op::OlderThanDays | Op::WithinLastDays | Op::WithinNextDays => {
            if !matches!(kind, Kind::Time | Kind::Any) {
                return Err(wrong_kind());
            }
            let days = days_literal(value, "value")?;
            match op {
                Op::OlderThanDays => Test::OlderThanDays(days),
                Op::WithinLastDays => Test::WithinLastDays(days),
                _ => Test::WithinNextDays(days),
            }
        }
    };
    let text = describe(path, op, &test);
    Ok(Cond::Leaf(Box::new(Leaf {
        path: path.to_string(),
        source,
        test,
        text,
    })))
}

fn describe(path: &str, op: Op, test: &Test) -> String {
    let list = |lits: &[Lit]| {
        let items: Vec<String> = lits.iter().map(Lit::to_string).collect();
        format!("[{}]", items.join(", "))
    };
    match test {
        Test::Cmp(_, lit) => format!("{path} {} {lit}", op.symbol()),
        Test::Between(lo, hi) => format!("{path} between {lo} and {hi}"),
        Test::In(lits) | Test::NotIn(lits) => format!("{path} {} {}", op.symbol(), list(lits)),
        Test::Contains(t) | Test::StartsWith(t) | Test::Has(t) => {
            format!("{path} {} {t:?}", op.symbol())
        }
        Test::Exists | Test::Missing => format!("{path} {}", op.symbol()),
        Test::OlderThanDays(n) => format!("{path} older than {n} days"),
        Test::WithinLastDays(n) => format!("{path} within the last {n} days"),
        Test::WithinNextDays(n) => format!("{path} within the next {n} days"),
    }
}

impl Cond {
    /// Human text of the condition.
    pub(crate) fn text(&self) -> String {
        match self {
            Cond::True => "always".to_string(),
            Cond::Leaf(leaf) => leaf.text.clone(),
            Cond::Not(inner) => format!("not ({})", inner.text()),
            Cond::All(parts) | Cond::Any(parts) => {
                let sep = if matches!(self, Cond::All(_)) {
                    " and "
                } else {
                    " or "
                };
                if parts.is_empty() {
                    return if matches!(self, Cond::All(_)) {
                        "always"
                    } else {
                        "never"
                    }
                    .into();
                }
                let texts: Vec<String> = parts
                    .iter()
                    .map(|p| match p {
                        Cond::Leaf(_) | Cond::Not(_) | Cond::True => p.text(),
                        _ => format!("({})", p.text()),
                    })
                    .collect();
                texts.join(sep)
            }
        }
    }

    /// Evaluates the condition against the event context.
    pub(crate) fn eval(&self, ctx: &Ctx<'_>) -> Result<bool> {
        match self {
            Cond::True => Ok(true),
            Cond::All(parts) => {
                for part in parts {
                    if !part.eval(ctx)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Cond::Any(parts) => {
                for part in parts {
                    if part.eval(ctx)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Cond::Not(inner) => Ok(!inner.eval(ctx)?),
            Cond::Leaf(leaf) => leaf.eval(ctx.read(&leaf.source), ctx),
        }
    }
}

/// Compares two literals of the same kind (money of the same currency).
fn cmp_lits(a: &Lit, b: &Lit) -> Option<Ordering> {
    match (a, b) {
        (Lit::Number(x), Lit::Number(y)) => Some(x.cmp(y)),
        (Lit::Money(x), Lit::Money(y)) => x.checked_cmp(y).ok(),
        (Lit::Time(x), Lit::Time(y)) => Some(x.cmp(y)),
        (Lit::Stage(x), Lit::Stage(y)) => Some(x.cmp(y)),
        (Lit::Text(x), Lit::Text(y)) => Some(x.cmp(y)),
        (Lit::Bool(x), Lit::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn ordering_holds(op: Op, ord: Ordering) -> bool {
    match op {
        Op::Eq => ord == Ordering::Equal,
        Op::Ne => ord != Ordering::Equal,
        Op::Lt => ord == Ordering::Less,
        Op::Le => ord != Ordering::Greater,
        Op::Gt => ord == Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
        _ => false,
    }
}

impl Leaf {
    /// Compares a value with a literal: `None` when the kinds differ.
    /// Money in another currency is converted with `rates`, or refused.
    fn compare(&self, value: &Val<'_>, lit: &Lit, ctx: &Ctx<'_>) -> Result<Option<Ordering>> {
        Ok(match (value, lit) {
            (Val::Number(x), Lit::Number(y)) => Some(x.cmp(y)),
            (Val::Money(x), Lit::Money(y)) => {
                if x.currency == y.currency {
                    Some(x.amount.cmp(&y.amount))
                } else {
                    let Some(rates) = ctx.rates else {
                        return Err(Error::new(
                            ErrorKind::CurrencyMismatch,
                            format!(
                                "condition \"{}\": the value is {x}, in another currency than {y}, and no exchange rates are given",
                                self.text
                            ),
                        ));
                    };
                    let converted = rates.convert(x, y.currency).map_err(|e| {
                        Error::new(
                            e.kind(),
                            format!("condition \"{}\": {}", self.text, e.message()),
                        )
                    })?;
                    Some(converted.amount.cmp(&y.amount))
                }
            }
            (Val::Time(x), Lit::Time(y)) => Some(x.cmp(y)),
            (Val::Stage(x), Lit::Stage(y)) => Some(x.cmp(y)),
            (Val::Text(x), Lit::Text(y)) => Some((*x).cmp(y.as_str())),
            (Val::Text(x), Lit::Stage(y)) => Some((*x).cmp(y.as_str())),
            (Val::Bool(x), Lit::Bool(y)) => Some(x.cmp(y)),
            _ => None,
        })
    }

    pub(crate) fn eval(&self, value: Option<Val<'_>>, ctx: &Ctx<'_>) -> Result<bool> {
        let Some(value) = value else {
            return Ok(matches!(
                self.test,
                Test::Missing | Test::NotIn(_) | Test::Cmp(Op::Ne, _)
            ));
        };
        Ok(match &self.test {
            Test::Cmp(op, lit) => match self.compare(&value, lit, ctx)? {
                Some(ord) => ordering_holds(*op, ord),
                None => *op == Op::Ne,
            },
            Test::Between(lo, hi) => {
                matches!(
                    self.compare(&value, lo, ctx)?,
                    Some(Ordering::Greater | Ordering::Equal)
                ) && matches!(
                    self.compare(&value, hi, ctx)?,
                    Some(Ordering::Less | Ordering::Equal)
                )
            }
            Test::In(lits) => {
                for lit in lits {
                    if self.compare(&value, lit, ctx)? == Some(Ordering::Equal) {
                        return Ok(true);
                    }
                }
                false
            }
            Test::NotIn(lits) => {
                for lit in lits {
                    if self.compare(&value, lit, ctx)? == Some(Ordering::Equal) {
                        return Ok(false);
                    }
                }
                true
            }
            Test::Contains(needle) => match value {
                Val::Text(t) => t.to_lowercase().contains(needle.as_str()),
                _ => false,
            },
            Test::StartsWith(prefix) => match value {
                Val::Text(t) => t.to_lowercase().starts_with(prefix.as_str()),
                _ => false,
            },
            Test::Exists => true,
            Test::Missing => false,
            Test::Has(tag) => match value {
                Val::Set(set) => set.contains(tag),
                _ => false,
            },
            Test::OlderThanDays(n) | Test::WithinLastDays(n) | Test::WithinNextDays(n) => {
                let Val::Time(t) = value else {
                    return Ok(false);
                };
                let since = ctx.as_of.signed_duration_since(t).num_days();
                let precise = ctx.as_of.signed_duration_since(t);
                match self.test {
                    Test::OlderThanDays(_) => since >= *n,
                    Test::WithinLastDays(_) => precise >= chrono::TimeDelta::zero() && since <= *n,
                    _ => {
                        let until = t.signed_duration_since(ctx.as_of);
                        until >= chrono::TimeDelta::zero() && until.num_days() <= *n
                    }
                }
            }
        })
    }
}
