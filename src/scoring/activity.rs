//! Activity matchers: which activities an engagement rule counts.

use std::fmt::Write as _;

use super::doc::{ActivityDoc, CountRange, SurveyScale};
use crate::model::{ActivityKind, CallDirection, CallOutcome, CsatScore, EmailEvent, SurveyScore};
use crate::money::Money;
use crate::{Error, Result};

/// A text pattern: `*` matches any run of characters, everything else
/// matches itself, case-insensitively (`/pricing*`, `*webinar*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    /// The lowercased pieces between the stars.
    pieces: Vec<String>,
    anchored_start: bool,
    anchored_end: bool,
}

impl Pattern {
    pub(crate) fn new(pattern: &str) -> Pattern {
        let lower = pattern.to_lowercase();
        Pattern {
            anchored_start: !lower.starts_with('*'),
            anchored_end: !lower.ends_with('*'),
            pieces: lower
                .split('*')
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }

    pub(crate) fn matches(&self, text: &str) -> bool {
        // The usual prefix pattern (`/pricing*`) against a text whose head
        // is ASCII is decided by that head alone: lowercasing maps each
        // ASCII character to one ASCII character, whatever follows.
        if let [piece] = self.pieces.as_slice()
            && self.anchored_start
            && !self.anchored_end
            && let Some(head) = text.as_bytes().get(..piece.len())
            && head.is_ascii()
        {
            return head.eq_ignore_ascii_case(piece.as_bytes());
        }
        if text
            .bytes()
            .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
        {
            self.matches_lowercase(&text.to_lowercase())
        } else {
            self.matches_lowercase(text)
        }
    }

    /// [`Pattern::matches`] on a text already lowercased.
    fn matches_lowercase(&self, text: &str) -> bool {
        let mut rest = text;
        let count = self.pieces.len();
        if count == 0 {
            // "" matches only ""; "*" matches anything.
            return !(self.anchored_start && self.anchored_end) || text.is_empty();
        }
        for (i, piece) in self.pieces.iter().enumerate() {
            let first = i == 0;
            let last = i + 1 == count;
            if first && self.anchored_start {
                match rest.strip_prefix(piece.as_str()) {
                    Some(r) => rest = r,
                    None => return false,
                }
                if last && self.anchored_end {
                    return rest.is_empty();
                }
                continue;
            }
            if last && self.anchored_end {
                return rest.len() >= piece.len() && rest.ends_with(piece.as_str());
            }
            match rest.find(piece.as_str()) {
                Some(at) => rest = rest.get(at + piece.len()..).unwrap_or(""),
                None => return false,
            }
        }
        true
    }
}

fn within(range: &Option<CountRange>, value: u32) -> bool {
    range.as_ref().is_none_or(|r| {
        r.min.is_none_or(|min| value >= min) && r.max.is_none_or(|max| value <= max)
    })
}

fn pattern_ok(pattern: &Option<Pattern>, text: &str) -> bool {
    pattern.as_ref().is_none_or(|p| p.matches(text))
}

/// The number of activity types.
pub(crate) const TYPE_COUNT: usize = 11;

/// What an activity rule reads of an activity, borrowed. The typed
/// records give it from an [`ActivityKind`]; the in-place lead reader
/// gives it from the document's text, without copying a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ActivityFacts<'a> {
    WebsiteVisit {
        url: &'a str,
        duration_seconds: u32,
        goal_completed: bool,
    },
    FormSubmission {
        form: &'a str,
    },
    ContentDownload {
        content: &'a str,
    },
    Email {
        event: EmailEvent,
        subject: Option<&'a str>,
    },
    Call {
        direction: CallDirection,
        outcome: CallOutcome,
        talk_seconds: u32,
    },
    Meeting {
        duration_minutes: u32,
    },
    ProposalSent,
    Purchase {
        amount: Money,
    },
    Referral,
    SurveyAnswer {
        survey: &'a str,
        score: SurveyScore,
    },
    Review {
        rating: CsatScore,
    },
}

impl<'a> From<&'a ActivityKind> for ActivityFacts<'a> {
    fn from(kind: &'a ActivityKind) -> ActivityFacts<'a> {
        match kind {
            ActivityKind::WebsiteVisit {
                url,
                duration_seconds,
                goal_completed,
            } => ActivityFacts::WebsiteVisit {
                url,
                duration_seconds: *duration_seconds,
                goal_completed: *goal_completed,
            },
            ActivityKind::FormSubmission { form } => ActivityFacts::FormSubmission { form },
            ActivityKind::ContentDownload { content } => ActivityFacts::ContentDownload { content },
            ActivityKind::Email { event, subject } => ActivityFacts::Email {
                event: *event,
                subject: subject.as_deref(),
            },
            ActivityKind::Call {
                direction,
                outcome,
                talk_seconds,
                ..
            } => ActivityFacts::Call {
                direction: *direction,
                outcome: *outcome,
                talk_seconds: *talk_seconds,
            },
            ActivityKind::Meeting { duration_minutes } => ActivityFacts::Meeting {
                duration_minutes: *duration_minutes,
            },
            ActivityKind::ProposalSent { .. } => ActivityFacts::ProposalSent,
            ActivityKind::Purchase { amount, .. } => ActivityFacts::Purchase { amount: *amount },
            ActivityKind::Referral { .. } => ActivityFacts::Referral,
            ActivityKind::SurveyAnswer { survey, score } => ActivityFacts::SurveyAnswer {
                survey,
                score: *score,
            },
            ActivityKind::Review { rating, .. } => ActivityFacts::Review { rating: *rating },
        }
    }
}

/// A dense index of an activity's type, for dispatching to the rules that
/// can match it.
pub(crate) fn type_index(facts: &ActivityFacts<'_>) -> usize {
    match facts {
        ActivityFacts::WebsiteVisit { .. } => 0,
        ActivityFacts::FormSubmission { .. } => 1,
        ActivityFacts::ContentDownload { .. } => 2,
        ActivityFacts::Email { .. } => 3,
        ActivityFacts::Call { .. } => 4,
        ActivityFacts::Meeting { .. } => 5,
        ActivityFacts::ProposalSent => 6,
        ActivityFacts::Purchase { .. } => 7,
        ActivityFacts::Referral => 8,
        ActivityFacts::SurveyAnswer { .. } => 9,
        ActivityFacts::Review { .. } => 10,
    }
}

/// A compiled activity matcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Matcher {
    WebsiteVisit {
        url: Option<Pattern>,
        duration: Option<CountRange>,
        goal: Option<bool>,
    },
    FormSubmission(Option<Pattern>),
    ContentDownload(Option<Pattern>),
    Email {
        event: EmailEvent,
        subject: Option<Pattern>,
    },
    Call {
        direction: Option<CallDirection>,
        outcome: Option<CallOutcome>,
        talk: Option<CountRange>,
    },
    Meeting(Option<CountRange>),
    ProposalSent,
    Purchase {
        min: Option<Money>,
        max: Option<Money>,
    },
    Referral,
    Survey {
        survey: Option<Pattern>,
        scale: SurveyScale,
        score: Option<CountRange>,
    },
    Review(Option<CountRange>),
}

impl Matcher {
    /// The [`type_index`] of the activities this matcher can match.
    pub(crate) fn type_index(&self) -> usize {
        match self {
            Matcher::WebsiteVisit { .. } => 0,
            Matcher::FormSubmission(_) => 1,
            Matcher::ContentDownload(_) => 2,
            Matcher::Email { .. } => 3,
            Matcher::Call { .. } => 4,
            Matcher::Meeting(_) => 5,
            Matcher::ProposalSent => 6,
            Matcher::Purchase { .. } => 7,
            Matcher::Referral => 8,
            Matcher::Survey { .. } => 9,
            Matcher::Review(_) => 10,
        }
    }

    /// `true` when the rule counts this activity.
    pub(crate) fn matches(&self, facts: &ActivityFacts<'_>) -> bool {
        match (self, facts) {
            (
                Matcher::WebsiteVisit {
                    url,
                    duration,
                    goal,
                },
                ActivityFacts::WebsiteVisit {
                    url: visited,
                    duration_seconds,
                    goal_completed,
                },
            ) => {
                pattern_ok(url, visited)
                    && within(duration, *duration_seconds)
                    && goal.is_none_or(|g| g == *goal_completed)
            }
            (Matcher::FormSubmission(p), ActivityFacts::FormSubmission { form }) => {
                pattern_ok(p, form)
            }
            (Matcher::ContentDownload(p), ActivityFacts::ContentDownload { content }) => {
                pattern_ok(p, content)
            }
            (
                Matcher::Email { event, subject },
                ActivityFacts::Email {
                    event: happened,
                    subject: text,
                },
            ) => {
                event == happened
                    && (subject.is_none() || text.is_some_and(|t| pattern_ok(subject, t)))
            }
            (
                Matcher::Call {
                    direction,
                    outcome,
                    talk,
                },
                ActivityFacts::Call {
                    direction: d,
                    outcome: o,
                    talk_seconds,
                },
            ) => {
                direction.is_none_or(|x| x == *d)
                    && outcome.is_none_or(|x| x == *o)
                    && within(talk, *talk_seconds)
            }
            (Matcher::Meeting(range), ActivityFacts::Meeting { duration_minutes }) => {
                within(range, *duration_minutes)
            }
            (Matcher::ProposalSent, ActivityFacts::ProposalSent) => true,
            (Matcher::Purchase { min, max }, ActivityFacts::Purchase { amount }) => {
                // Amounts in another currency than the bounds never match.
                min.is_none_or(|m| m.currency == amount.currency && amount.amount >= m.amount)
                    && max
                        .is_none_or(|m| m.currency == amount.currency && amount.amount <= m.amount)
            }
            (Matcher::Referral, ActivityFacts::Referral) => true,
            (
                Matcher::Survey {
                    survey,
                    scale,
                    score,
                },
                ActivityFacts::SurveyAnswer {
                    survey: name,
                    score: given,
                },
            ) => {
                let value = match (scale, given) {
                    (SurveyScale::Nps, SurveyScore::Nps(n)) => u32::from(n.value()),
                    (SurveyScale::Csat, SurveyScore::Csat(c)) => u32::from(c.value()),
                    _ => return false,
                };
                pattern_ok(survey, name) && within(score, value)
            }
            (Matcher::Review(range), ActivityFacts::Review { rating }) => {
                within(range, u32::from(rating.value()))
            }
            _ => false,
        }
    }

    /// A short description for explanations (`website_visit url "/pricing*"`).
    pub(crate) fn describe(&self) -> String {
        let mut text = String::new();
        let pat = |p: &Option<Pattern>| {
            p.as_ref().map(|p| {
                let mut s = String::new();
                if !p.anchored_start {
                    s.push('*');
                }
                s.push_str(&p.pieces.join("*"));
                if !p.anchored_end && !p.pieces.is_empty() {
                    s.push('*');
                }
                s
            })
        };
        let range = |r: &Option<CountRange>| {
            r.map(|r| {
                format!(
                    "{}..={}",
                    r.min.map_or(String::new(), |m| m.to_string()),
                    r.max.map_or(String::new(), |m| m.to_string())
                )
            })
        };
        match self {
            Matcher::WebsiteVisit {
                url,
                duration,
                goal,
            } => {
                text.push_str("website visit");
                if let Some(u) = pat(url) {
                    let _ = write!(text, " to {u:?}");
                }
                if let Some(d) = range(duration) {
                    let _ = write!(text, " lasting {d} s");
                }
                if let Some(g) = goal {
                    let _ = write!(text, " goal completed {g}");
                }
            }
            Matcher::FormSubmission(p) => {
                text.push_str("form submission");
                if let Some(p) = pat(p) {
                    let _ = write!(text, " {p:?}");
                }
            }
            Matcher::ContentDownload(p) => {
                text.push_str("content download");
                if let Some(p) = pat(p) {
                    let _ = write!(text, " {p:?}");
                }
            }
            Matcher::Email { event, subject } => {
                let name = serde_json::to_value(event)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let _ = write!(text, "email {name}");
                if let Some(p) = pat(subject) {
                    let _ = write!(text, " subject {p:?}");
                }
            }
            Matcher::Call {
                direction,
                outcome,
                talk,
            } => {
                text.push_str("call");
                if let Some(d) = direction {
                    let _ = write!(text, " {d:?}");
                }
                if let Some(o) = outcome {
                    let _ = write!(text, " {o:?}");
                }
                if let Some(t) = range(talk) {
                    let _ = write!(text, " talking {t} s");
                }
                text = text.to_lowercase();
            }
            Matcher::Meeting(r) => {
                text.push_str("meeting");
                if let Some(r) = range(r) {
                    let _ = write!(text, " of {r} min");
                }
            }
            Matcher::ProposalSent => text.push_str("proposal sent"),
            Matcher::Purchase { min, max } => {
                text.push_str("purchase");
                if let Some(m) = min {
                    let _ = write!(text, " of at least {m}");
                }
                if let Some(m) = max {
                    let _ = write!(text, " of at most {m}");
                }
            }
            Matcher::Referral => text.push_str("referral"),
            Matcher::Survey {
                survey,
                scale,
                score,
            } => {
                let _ = write!(text, "survey answer ({scale:?})");
                text = text.to_lowercase();
                if let Some(p) = pat(survey) {
                    let _ = write!(text, " {p:?}");
                }
                if let Some(r) = range(score) {
                    let _ = write!(text, " scoring {r}");
                }
            }
            Matcher::Review(r) => {
                text.push_str("review");
                if let Some(r) = range(r) {
                    let _ = write!(text, " rated {r}");
                }
            }
        }
        text
    }
}

fn check_range(range: &Option<CountRange>, path: &str) -> Result<()> {
    if let Some(CountRange {
        min: Some(min),
        max: Some(max),
    }) = range
        && min > max
    {
        return Err(Error::invalid(
            path,
            format!("impossible range: min {min} is greater than max {max}"),
        ));
    }
    Ok(())
}

fn check_scale(range: &Option<CountRange>, low: u32, high: u32, path: &str) -> Result<()> {
    check_range(range, path)?;
    if let Some(r) = range {
        for value in [r.min, r.max].into_iter().flatten() {
            if value < low || value > high {
                return Err(Error::invalid(
                    path,
                    format!("expected scores between {low} and {high}, found {value}"),
                ));
            }
        }
    }
    Ok(())
}

/// Compiles an activity matcher at `path` (`rules[3].activity`).
pub(crate) fn compile(doc: &ActivityDoc, path: &str) -> Result<Matcher> {
    let pattern = |p: &Option<String>| p.as_deref().map(Pattern::new);
    Ok(match doc {
        ActivityDoc::WebsiteVisit {
            url,
            duration_seconds,
            goal_completed,
        } => {
            check_range(duration_seconds, &format!("{path}.duration_seconds"))?;
            Matcher::WebsiteVisit {
                url: pattern(url),
                duration: *duration_seconds,
                goal: *goal_completed,
            }
        }
        ActivityDoc::FormSubmission { form } => Matcher::FormSubmission(pattern(form)),
        ActivityDoc::ContentDownload { content } => Matcher::ContentDownload(pattern(content)),
        ActivityDoc::Email { event, subject } => Matcher::Email {
            event: *event,
            subject: pattern(subject),
        },
        ActivityDoc::Call {
            direction,
            outcome,
            talk_seconds,
        } => {
            check_range(talk_seconds, &format!("{path}.talk_seconds"))?;
            Matcher::Call {
                direction: *direction,
                outcome: *outcome,
                talk: *talk_seconds,
            }
        }
        ActivityDoc::Meeting { duration_minutes } => {
            check_range(duration_minutes, &format!("{path}.duration_minutes"))?;
            Matcher::Meeting(*duration_minutes)
        }
        ActivityDoc::ProposalSent {} => Matcher::ProposalSent,
        ActivityDoc::Purchase {
            min_amount,
            max_amount,
        } => {
            if let (Some(min), Some(max)) = (min_amount, max_amount) {
                if min.currency != max.currency {
                    return Err(Error::invalid(
                        path,
                        format!(
                            "min_amount is in {} but max_amount is in {}: one currency is needed",
                            min.currency, max.currency
                        ),
                    ));
                }
                if min.amount > max.amount {
                    return Err(Error::invalid(
                        path,
                        format!(
                            "impossible range: min_amount {min} is greater than max_amount {max}"
                        ),
                    ));
                }
            }
            Matcher::Purchase {
                min: *min_amount,
                max: *max_amount,
            }
        }
        ActivityDoc::Referral {} => Matcher::Referral,
        ActivityDoc::SurveyAnswer {
            survey,
            scale,
            score,
        } => {
            let (low, high) = match scale {
                SurveyScale::Nps => (0, 10),
                SurveyScale::Csat => (1, 5),
            };
            check_scale(score, low, high, &format!("{path}.score"))?;
            Matcher::Survey {
                survey: pattern(survey),
                scale: *scale,
                score: *score,
            }
        }
        ActivityDoc::Review { rating } => {
            check_scale(rating, 1, 5, &format!("{path}.rating"))?;
            Matcher::Review(*rating)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_with_stars_and_ignore_case() {
        let p = Pattern::new("/pricing*");
        assert!(p.matches("/pricing"));
        assert!(p.matches("/Pricing/enterprise"));
        assert!(!p.matches("/blog/pricing"));
        let p = Pattern::new("*webinar*");
        assert!(p.matches("spring-WEBINAR-2026"));
        assert!(!p.matches("web"));
        let p = Pattern::new("/a*b*c");
        assert!(p.matches("/abc"));
        assert!(p.matches("/a-b-b-c"));
        assert!(!p.matches("/a-c"));
        assert!(!p.matches("/abcd"));
        let p = Pattern::new("/demo");
        assert!(p.matches("/DEMO"));
        assert!(!p.matches("/demo/x"));
        assert!(Pattern::new("*").matches("anything"));
        assert!(Pattern::new("").matches(""));
        assert!(!Pattern::new("").matches("x"));
        let p = Pattern::new("ab*ab");
        assert!(!p.matches("ab"), "pieces may not overlap");
        assert!(p.matches("abab"));
        assert!(p.matches("ab-ab"));
    }

    proptest::proptest! {
        /// The shortcut for prefix patterns agrees with lowercasing the
        /// whole text, non-ASCII letters whose lowercase is ASCII (the
        /// Kelvin sign) or longer (dotted capital I) included.
        #[test]
        fn prefix_patterns_agree_with_lowercasing_the_text(
            pattern in "[/pKkİi]{0,3}[*]?",
            text in "[/pKkİiΣσ\u{212a}]{0,6}",
        ) {
            let p = Pattern::new(&pattern);
            proptest::prop_assert_eq!(
                p.matches(&text),
                p.matches_lowercase(&text.to_lowercase()),
                "{:?} on {:?}", pattern, text
            );
        }
    }
}
