//! Writing a lead's score as JSON straight from its evaluation: the bytes
//! `serde_json::to_string` writes for the [`LeadScore`], without building
//! the `LeadScore` first. What the model fixes (rule ids, categories,
//! reasons, grades) is escaped once, when the model is compiled.
//!
//! `tests/scoring_output.rs` pins the bytes and compares this writer with
//! serde over the sample leads and random models and leads.
//!
//! ```
//! use crmkit::scoring::ScoringModel;
//!
//! let model = ScoringModel::from_json(r#"{"rules": [{"id": "cto", "points": 10,
//!     "when": {"field": "contact.job_title", "op": "equals", "value": "cto"}}]}"#)?;
//! let lead = r#"{"contact": {"id": "C-1", "job_title": "CTO", "created_at": "2026-01-01T00:00:00Z"}}"#;
//! let as_of = "2026-02-01T00:00:00Z".parse().unwrap();
//! let text = model.score_json_to_string(lead, as_of)?;
//! assert_eq!(text, serde_json::to_string(&model.score_json(lead, as_of)?).unwrap());
//! Ok::<(), crmkit::Error>(())
//! ```

#[cfg(doc)]
use super::LeadScore;
use super::evaluate::{Evaluation, Fired};
use super::explain::RuleType;
use super::model::{ScoringModel, capped_units};
use super::points::{UNITS_PER_POINT, from_units};
use crate::model::Timestamp;
use chrono::{Datelike, SecondsFormat, Timelike};

/// The model's parts of a score's JSON, escaped once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct JsonFragments {
    /// `,"model":"<id>"`, or empty for a model without id.
    model: String,
    /// Per category: `{"id":"<id>","raw":`.
    categories: Vec<String>,
    /// Per rule: `{"rule":…,"category":…,"type":…,"reason":…,"occurrences":`.
    rules: Vec<String>,
    /// Per attribute rule: its whole contribution, which is the same every
    /// time it fires, with the numbers it was written from.
    attribute_contributions: Vec<Option<(ContributionNumbers, String)>>,
    /// Per grade: `"<grade>"`.
    grades: Vec<String>,
    /// Per handoff: `{"handoff":"<id>","from":`.
    handoffs: Vec<String>,
    /// `,"protected_attributes_used":[…]}`: the end of every score.
    end: String,
}

impl JsonFragments {
    /// The fragments of a compiled model.
    pub(crate) fn new(model: &ScoringModel) -> JsonFragments {
        let json = |text: &str| {
            let mut out = String::with_capacity(text.len() + 2);
            push_json_str(&mut out, text);
            out
        };
        let model_part = match &model.id {
            Some(id) => format!(",\"model\":{}", json(id)),
            None => String::new(),
        };
        let categories = model
            .categories
            .iter()
            .map(|c| format!("{{\"id\":{},\"raw\":", json(&c.id)))
            .collect();
        let rules: Vec<String> = model
            .rules
            .iter()
            .map(|rule| {
                let category = model
                    .categories
                    .get(rule.category)
                    .map_or("", |c| c.id.as_str());
                format!(
                    "{{\"rule\":{},\"category\":{},\"type\":\"{}\",\"reason\":{},\"occurrences\":",
                    json(&rule.id),
                    json(category),
                    rule_type_name(rule.kind.rule_type()),
                    json(&rule.description)
                )
            })
            .collect();
        let attribute_contributions = model
            .rules
            .iter()
            .zip(&rules)
            .map(|(rule, prefix)| {
                let super::model::RuleKind::Attribute { .. } = rule.kind else {
                    return None;
                };
                let points = i128::from(rule.points_units);
                let numbers = ContributionNumbers {
                    occurrences: 1,
                    expired: 0,
                    before: points,
                    after: points,
                    points: capped_units(points, rule.max_units),
                };
                let mut whole = String::new();
                push_contribution(&mut whole, prefix, numbers);
                Some((numbers, whole))
            })
            .collect();
        let grades = model.grades.iter().map(|g| json(&g.grade)).collect();
        let handoffs = model
            .handoffs
            .iter()
            .map(|h| format!("{{\"handoff\":{},\"from\":", json(&h.id)))
            .collect();
        let protected: Vec<String> = model
            .protected_used
            .iter()
            .map(|p| json(p.field_name()))
            .collect();
        JsonFragments {
            model: model_part,
            categories,
            rules,
            attribute_contributions,
            grades,
            handoffs,
            end: format!(",\"protected_attributes_used\":[{}]}}", protected.join(",")),
        }
    }
}

fn rule_type_name(rule_type: RuleType) -> &'static str {
    match rule_type {
        RuleType::Attribute => "attribute",
        RuleType::Activity => "activity",
    }
}

/// Appends `text` as a JSON string, escaped as serde_json escapes it.
pub(crate) fn push_json_str(out: &mut String, text: &str) {
    out.push('"');
    if !text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(text);
    } else {
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                c if u32::from(c) < 0x20 => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    let byte = u32::from(c) as usize;
                    out.push_str("\\u00");
                    out.push(char::from(HEX[byte >> 4]));
                    out.push(char::from(HEX[byte & 0xf]));
                }
                c => out.push(c),
            }
        }
    }
    out.push('"');
}

/// Appends an instant as chrono's serde writes it (RFC 3339, `Z`, fraction
/// digits only when there is a fraction).
fn push_timestamp(out: &mut String, at: Timestamp) {
    let at = at.naive_utc();
    let (date, seconds) = (at.date(), at.num_seconds_from_midnight());
    let year = date.year();
    if at.nanosecond() != 0 || !(0..=9999).contains(&year) {
        out.push_str(&at.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true));
        return;
    }
    let year = year.unsigned_abs();
    push_two_digits(out, year / 100);
    let parts = [
        (year % 100, '-'),
        (date.month(), '-'),
        (date.day(), 'T'),
        (seconds / 3600, ':'),
        (seconds / 60 % 60, ':'),
        (seconds % 60, 'Z'),
    ];
    for (n, after) in parts {
        push_two_digits(out, n);
        out.push(after);
    }
}

/// Appends `n` (below 100) as two digits.
#[inline]
fn push_two_digits(out: &mut String, n: u32) {
    out.push(char::from(b'0' + (n / 10 % 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// Appends a score in units as a JSON string: the digits of the
/// normalized decimal (`"12.5"`, `"-0.0258"`, `"0"`).
fn push_score(out: &mut String, units: i128) {
    // 64-bit division is several times cheaper; scores beyond it (which
    // the engine's bounds leave only to sums before caps) use Decimal.
    let Ok(magnitude) = u64::try_from(units.unsigned_abs()) else {
        out.push('"');
        out.push_str(&from_units(units).to_string());
        out.push('"');
        return;
    };
    const UNIT: u64 = UNITS_PER_POINT.unsigned_abs();
    out.push('"');
    if units < 0 {
        out.push('-');
    }
    push_digits(out, magnitude / UNIT);
    let fraction = magnitude % UNIT;
    if fraction != 0 {
        out.push('.');
        // Four places (a unit is 1/10,000 point), trailing zeros dropped.
        let places = [
            fraction / 1000,
            fraction / 100 % 10,
            fraction / 10 % 10,
            fraction % 10,
        ];
        let kept = if fraction % 10 != 0 {
            4
        } else if fraction % 100 != 0 {
            3
        } else if fraction % 1000 != 0 {
            2
        } else {
            1
        };
        for &digit in &places[..kept] {
            out.push(char::from(b'0' + digit as u8));
        }
    }
    out.push('"');
}

/// Appends the decimal digits of `value`.
fn push_digits(out: &mut String, value: u64) {
    if value < 10 {
        out.push(char::from(b'0' + value as u8));
    } else if value < 100 {
        push_two_digits(out, value as u32);
    } else {
        let mut digits = [0_u8; 20];
        let mut start = digits.len();
        let mut rest = value;
        while rest != 0 {
            start -= 1;
            digits[start] = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        for &d in &digits[start..] {
            out.push(char::from(d));
        }
    }
}

fn push_bool(out: &mut String, value: bool) {
    out.push_str(if value { "true" } else { "false" });
}

/// The numbers of a rule's contribution, in units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ContributionNumbers {
    occurrences: u64,
    expired: u64,
    before: i128,
    after: i128,
    points: i128,
}

impl From<&Fired> for ContributionNumbers {
    fn from(fired: &Fired) -> ContributionNumbers {
        ContributionNumbers {
            occurrences: fired.occurrences,
            expired: fired.expired,
            before: fired.before,
            after: fired.after,
            points: fired.points,
        }
    }
}

/// Appends a contribution: the rule's `prefix`, then its numbers.
fn push_contribution(out: &mut String, prefix: &str, numbers: ContributionNumbers) {
    out.push_str(prefix);
    push_digits(out, numbers.occurrences);
    out.push_str(",\"expired\":");
    push_digits(out, numbers.expired);
    out.push_str(",\"points_before_decay\":");
    push_score(out, numbers.before);
    out.push_str(",\"points_after_decay\":");
    push_score(out, numbers.after);
    out.push_str(",\"points\":");
    push_score(out, numbers.points);
    out.push_str(",\"capped\":");
    push_bool(out, numbers.points != numbers.after);
    out.push('}');
}

impl ScoringModel {
    /// Appends the JSON of the score of contact `contact` (its id) at
    /// `as_of` to `out`.
    pub(crate) fn write_score_json(
        &self,
        out: &mut String,
        contact: &str,
        as_of: Timestamp,
        evaluation: &Evaluation,
    ) {
        let parts = &self.fragments;
        out.reserve(512 + 256 * evaluation.fired.len());
        out.push_str("{\"contact\":");
        push_json_str(out, contact);
        out.push_str(&parts.model);
        out.push_str(",\"as_of\":\"");
        push_timestamp(out, as_of);
        out.push_str("\",\"total\":");
        push_score(out, evaluation.total);
        out.push_str(",\"grade\":");
        match evaluation.grade.and_then(|g| parts.grades.get(g)) {
            Some(grade) => out.push_str(grade),
            None => out.push_str("null"),
        }
        out.push_str(",\"categories\":[");
        for (i, (category, prefix)) in evaluation
            .categories
            .iter()
            .zip(&parts.categories)
            .enumerate()
        {
            if i > 0 {
                out.push(',');
            }
            out.push_str(prefix);
            push_score(out, category.raw);
            out.push_str(",\"score\":");
            push_score(out, category.score);
            out.push_str(",\"capped\":");
            push_bool(out, category.score != category.raw);
            out.push('}');
        }
        out.push_str("],\"contributions\":[");
        let mut first = true;
        for fired in &evaluation.fired {
            let Some(prefix) = parts.rules.get(fired.rule) else {
                continue;
            };
            if !first {
                out.push(',');
            }
            first = false;
            let numbers = ContributionNumbers::from(fired);
            match parts.attribute_contributions.get(fired.rule) {
                Some(Some((usual, whole))) if *usual == numbers => out.push_str(whole),
                _ => push_contribution(out, prefix, numbers),
            }
        }
        out.push_str("],\"recommendation\":");
        let recommendation = evaluation.handoff.as_ref().and_then(|h| {
            Some((
                h,
                parts.handoffs.get(h.index)?,
                self.recommendation(h, evaluation.stage)?,
            ))
        });
        match recommendation {
            Some((fired, prefix, r)) => {
                out.push_str(prefix);
                push_json_str(out, r.from.as_str());
                out.push_str(",\"to\":");
                push_json_str(out, r.to.as_str());
                out.push_str(",\"score\":");
                push_score(out, fired.score);
                out.push_str(",\"threshold\":");
                push_score(out, fired.threshold);
                out.push_str(",\"reason\":");
                push_json_str(out, &r.reason);
                out.push('}');
            }
            None => out.push_str("null"),
        }
        out.push_str(&parts.end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn units_are_written_as_their_normalized_decimal(units in prop_oneof![
            any::<i64>().prop_map(i128::from), -100_000_i128..100_000, any::<i128>().prop_map(|u| u >> 33),
        ]) {
            let mut out = String::new();
            push_score(&mut out, units);
            prop_assert_eq!(out, format!("\"{}\"", crate::scoring::points::from_units(units)));
        }

        #[test]
        fn strings_are_escaped_as_serde_json_escapes_them(text in any::<String>()) {
            let mut out = String::new();
            push_json_str(&mut out, &text);
            prop_assert_eq!(out, serde_json::to_string(&text).unwrap());
        }

        #[test]
        fn instants_are_written_as_chrono_serde_writes_them(
            seconds in -70_000_000_000_i64..300_000_000_000, nanos in prop_oneof![Just(0_u32), 0_u32..1_000_000_000],
        ) {
            let at = chrono::DateTime::from_timestamp(seconds, nanos).expect("in range");
            let mut out = String::new();
            push_timestamp(&mut out, at);
            prop_assert_eq!(format!("\"{out}\""), serde_json::to_string(&at).unwrap());
        }

        #[test]
        fn counts_are_written_in_full(value in any::<u64>()) {
            let mut out = String::new();
            push_digits(&mut out, value);
            prop_assert_eq!(out, value.to_string());
        }
    }

    #[test]
    fn control_characters_are_escaped() {
        let mut out = String::new();
        push_json_str(&mut out, "a\u{0}\u{1f}\u{7f}\"\\\n\t\u{8}\u{c}é");
        assert_eq!(
            out,
            serde_json::to_string("a\u{0}\u{1f}\u{7f}\"\\\n\t\u{8}\u{c}é").unwrap()
        );
    }
}
