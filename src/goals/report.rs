//! Localized reports: a [`Report`] rendered with messages and suggestions
//! in one [`Locale`].

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::codes::{Criterion, ReasonCode, Severity, Verdict};
use super::locale::{Locale, direction_word, number, objective_name, pick, value_with_unit};
use super::text::templates;
use super::validate::{Details, Reason, Report};

/// One reason with its message in a locale.
///
/// JSON: `{"code": "no_deadline", "severity": "fail", "message": "...",
/// "suggestion": "...", "details": {...}}` (`suggestion` only when the
/// reason asks for a change; `details` holds the values the message refers
/// to, see [`Details`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalizedReason {
    /// The stable reason code.
    pub code: ReasonCode,
    /// Its weight on the verdict.
    pub severity: Severity,
    /// What was found, in the locale.
    pub message: String,
    /// What would fix it, in the locale.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// The values the message refers to.
    pub details: Details,
}

/// One criterion's verdict and reasons in a locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalizedCriterion {
    /// The criterion.
    pub criterion: Criterion,
    /// Its SMART letter (`"S"`).
    pub letter: String,
    /// Its name in the locale.
    pub name: &'static str,
    /// The verdict.
    pub verdict: Verdict,
    /// The verdict in words, in the locale.
    pub verdict_label: &'static str,
    /// The reasons, most severe first.
    pub reasons: Vec<LocalizedReason>,
}

/// A validation report in one locale; the JSON document that
/// `crm_goal_validate` returns.
///
/// JSON: `{"locale": "de", "as_of": "2024-07-01", "deadline": "2024-12-31",
/// "target_value": "6", "overall": "pass", "smart": true, "criteria":
/// [{"criterion": "specific", "letter": "S", "name": "...", "verdict":
/// "pass", "verdict_label": "...", "reasons": [...]}, ...]}` with the five
/// criteria in S, M, A, R, T order; `deadline` and `target_value` are left
/// out when unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalizedReport {
    /// The locale of the messages.
    pub locale: Locale,
    /// The day the goal was judged on.
    pub as_of: NaiveDate,
    /// The resolved deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<NaiveDate>,
    /// The target as a value of the KPI.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::money::decimal_serde::option::serialize"
    )]
    pub target_value: Option<Decimal>,
    /// The worst verdict.
    pub overall: Verdict,
    /// Whether every criterion passes (warnings allowed).
    pub smart: bool,
    /// The five criteria.
    pub criteria: Vec<LocalizedCriterion>,
}

impl Report {
    /// Renders the report's messages and suggestions in `locale`.
    pub fn localize(&self, locale: Locale) -> LocalizedReport {
        let criteria = Criterion::ALL
            .iter()
            .map(|&criterion| {
                let mut reasons: Vec<LocalizedReason> = self
                    .findings_for(criterion)
                    .map(|finding| self.localize_finding(finding, locale))
                    .collect();
                reasons.sort_by_key(|r| std::cmp::Reverse(r.severity));
                let verdict = self.verdict(criterion);
                LocalizedCriterion {
                    criterion,
                    letter: criterion.letter().to_string(),
                    name: criterion_name(criterion, locale),
                    verdict,
                    verdict_label: verdict_label(verdict, locale),
                    reasons,
                }
            })
            .collect();
        LocalizedReport {
            locale,
            as_of: self.as_of,
            deadline: self.deadline,
            target_value: self.target_value,
            overall: self.overall(),
            smart: self.is_smart(),
            criteria,
        }
    }
}

impl Report {
    /// Renders one finding of this report in `locale`.
    pub fn localize_finding(&self, finding: &Reason, locale: Locale) -> LocalizedReason {
        let (message, suggestion) = templates(finding.code, locale);
        LocalizedReason {
            code: finding.code,
            severity: finding.severity(),
            message: self.render(message, &finding.details, locale),
            suggestion: suggestion.map(|s| self.render(s, &finding.details, locale)),
            details: finding.details.clone(),
        }
    }

    /// Fills the placeholders of `template` from `details` and the report.
    fn render(&self, template: &str, details: &Details, locale: Locale) -> String {
        let unit = details.kpi.map(|k| k.definition().unit);
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let (before, after) = rest.split_at(open);
            out.push_str(before);
            let Some(close) = after.find('}') else {
                out.push_str(after);
                return out;
            };
            let name = after.get(1..close).unwrap_or("");
            let value = |v: Decimal| value_with_unit(v, unit, self.currency, locale);
            let filled: Option<String> = match name {
                "kpi" => details.kpi.map(|k| k.as_str().to_string()),
                "value" => details.value.map(value),
                "target" => details
                    .value
                    .map(value)
                    .or_else(|| details.target.map(|t| t.to_string())),
                "ratio" => details.ratio.map(|r| number(r, 1, locale)),
                "date" => details.date.map(|d| d.to_string()),
                "days" => details.days.map(|d| d.to_string()),
                "direction" => details
                    .direction
                    .map(|d| direction_word(d, locale).to_string()),
                "objective" => self.objective.as_ref().map(|o| objective_name(o, locale)),
                "text" => details.text.clone(),
                _ => None,
            };
            match filled {
                Some(text) => out.push_str(&text),
                None => out.push('?'),
            }
            rest = after.get(close + 1..).unwrap_or("");
        }
        out.push_str(rest);
        out
    }
}

/// The name of a criterion in `locale`.
pub fn criterion_name(criterion: Criterion, locale: Locale) -> &'static str {
    let table = match criterion {
        Criterion::Specific => &[
            "specific",
            "spezifisch",
            "específica",
            "конкретность",
            "具体",
            "具體",
        ],
        Criterion::Measurable => &[
            "measurable",
            "messbar",
            "mensurável",
            "измеримость",
            "可衡量",
            "可衡量",
        ],
        Criterion::Achievable => &[
            "achievable",
            "erreichbar",
            "alcançável",
            "достижимость",
            "可实现",
            "可實現",
        ],
        Criterion::Relevant => &[
            "relevant",
            "relevant",
            "relevante",
            "значимость",
            "相关",
            "相關",
        ],
        Criterion::Timely => &[
            "time-bound",
            "terminiert",
            "temporal",
            "ограниченность во времени",
            "有时限",
            "有時限",
        ],
    };
    pick(table, locale)
}

/// A verdict in words in `locale`.
pub fn verdict_label(verdict: Verdict, locale: Locale) -> &'static str {
    let table = match verdict {
        Verdict::Pass => &["pass", "erfüllt", "atende", "выполнено", "通过", "通過"],
        Verdict::Warn => &[
            "pass with a warning",
            "erfüllt mit Hinweis",
            "atende com ressalva",
            "выполнено с замечанием",
            "通过（有提示）",
            "通過（有提示）",
        ],
        Verdict::CannotTell => &[
            "cannot tell",
            "nicht beurteilbar",
            "não é possível avaliar",
            "невозможно оценить",
            "无法判断",
            "無法判斷",
        ],
        Verdict::Fail => &[
            "fail",
            "nicht erfüllt",
            "não atende",
            "не выполнено",
            "未通过",
            "未通過",
        ],
    };
    pick(table, locale)
}
