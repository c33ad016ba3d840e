//! Activities: everything a contact does or is done to them, in time.
//!
//! An [`Activity`] has a contact, a time and an [`ActivityKind`] that holds
//! the details (`{"type": "website_visit", "url": ..., "duration_seconds": ...}`).
//!
//! ```
//! use crmkit::model::{Activity, ActivityKind, SurveyScore};
//!
//! let a: Activity = serde_json::from_str(r#"{
//!     "id": "A-1", "contact": "C-1", "at": "2024-03-01T12:00:00Z",
//!     "kind": {"type": "survey_answer", "survey": "q1-nps", "score": {"nps": 9}}
//! }"#).unwrap();
//! match a.kind {
//!     ActivityKind::SurveyAnswer { score: SurveyScore::Nps(nps), .. } => assert_eq!(nps.value(), 9),
//!     _ => unreachable!(),
//! }
//! // Scores outside their scale are refused when the JSON is read.
//! assert!(serde_json::from_str::<SurveyScore>(r#"{"nps": 11}"#).is_err());
//! Ok::<(), crmkit::Error>(())
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Timestamp;
use super::ids::{ActivityId, CampaignId, ContactId, DealId, RepId};
use crate::money::Money;
use crate::{Error, ErrorKind};

macro_rules! bounded_score {
    ($(#[$doc:meta])* $name:ident, $label:literal, $min:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "u8", into = "u8")]
        pub struct $name(u8);

        impl $name {
            /// Checks the range.
            ///
            /// # Errors
            ///
            /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) when `value`
            /// is outside the type's range.
            pub fn new(value: u8) -> crate::Result<Self> {
                if ($min..=$max).contains(&value) {
                    Ok($name(value))
                } else {
                    Err(Error::new(
                        ErrorKind::Invalid,
                        format!("{} {value} is outside {}..={}", $label, $min, $max),
                    ))
                }
            }

            /// The score.
            pub fn value(self) -> u8 {
                self.0
            }
        }

        impl TryFrom<u8> for $name {
            type Error = Error;
            fn try_from(value: u8) -> crate::Result<Self> {
                $name::new(value)
            }
        }

        impl From<$name> for u8 {
            fn from(score: $name) -> u8 {
                score.0
            }
        }
    };
}

bounded_score!(
    /// A Net Promoter Score answer, 0 to 10.
    NpsScore, "nps score", 0, 10
);
bounded_score!(
    /// A customer-satisfaction answer or star rating, 1 to 5.
    CsatScore, "csat score", 1, 5
);

/// The answer to one survey question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyScore {
    /// "How likely are you to recommend us?" 0–10.
    Nps(NpsScore),
    /// "How satisfied are you?" 1–5.
    Csat(CsatScore),
}

/// What happened to an e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailEvent {
    /// Sent to the contact.
    Sent,
    /// Opened by the contact.
    Opened,
    /// A link in it was clicked.
    Clicked,
    /// The contact replied.
    Replied,
    /// It could not be delivered.
    Bounced,
    /// The contact unsubscribed.
    Unsubscribed,
}

/// Who started a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    /// The contact called the business.
    Inbound,
    /// The business called the contact.
    Outbound,
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// The parties talked.
    Connected,
    /// Nobody answered.
    NoAnswer,
    /// A voicemail was left.
    Voicemail,
    /// The line was busy.
    Busy,
    /// The caller hung up while waiting (inbound).
    Abandoned,
    /// An inbound call nobody picked up.
    Missed,
}

/// One line of a purchase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurchaseItem {
    /// Product code.
    pub sku: String,
    /// Units bought (at least 1).
    pub quantity: u32,
    /// Price of one unit.
    pub unit_price: Money,
}

/// The details of an activity, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ActivityKind {
    /// A visit to the website.
    WebsiteVisit {
        /// The page's URL or path.
        url: String,
        /// Time on the page in seconds.
        #[serde(default)]
        duration_seconds: u32,
        /// Whether the visit completed a website goal (a sign-up, a demo request).
        #[serde(default)]
        goal_completed: bool,
    },
    /// A form filled in.
    FormSubmission {
        /// The form's name.
        form: String,
    },
    /// Content downloaded (an e-book, a white paper).
    ContentDownload {
        /// The content's name.
        content: String,
    },
    /// An e-mail event.
    Email {
        /// What happened.
        event: EmailEvent,
        /// Subject or template name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subject: Option<String>,
    },
    /// A phone call.
    Call {
        /// Inbound or outbound.
        direction: CallDirection,
        /// How it ended.
        outcome: CallOutcome,
        /// Seconds the caller waited before an answer (or before giving up).
        #[serde(default)]
        wait_seconds: u32,
        /// Seconds of conversation.
        #[serde(default)]
        talk_seconds: u32,
        /// Seconds on hold.
        #[serde(default)]
        hold_seconds: u32,
        /// Seconds of after-call work.
        #[serde(default)]
        wrap_up_seconds: u32,
        /// Whether this call returns an earlier missed or requested call.
        #[serde(default)]
        callback: bool,
    },
    /// A meeting held.
    Meeting {
        /// Length in minutes.
        #[serde(default)]
        duration_minutes: u32,
    },
    /// A proposal or quote sent.
    ProposalSent {
        /// The quoted amount, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount: Option<Money>,
    },
    /// A purchase.
    Purchase {
        /// Total paid; never negative.
        amount: Money,
        /// Lines bought; their prices must be in the purchase's currency.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        items: Vec<PurchaseItem>,
    },
    /// The contact referred someone.
    Referral {
        /// The person referred, if they are in the dataset.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        referred: Option<ContactId>,
    },
    /// A survey answer.
    SurveyAnswer {
        /// Survey name.
        #[serde(default)]
        survey: String,
        /// The score given.
        score: SurveyScore,
    },
    /// A public review.
    Review {
        /// Stars, 1 to 5.
        rating: CsatScore,
        /// Review text.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        text: String,
    },
}

impl ActivityKind {
    /// The stable `type` name (`"website_visit"`...).
    pub fn type_name(&self) -> &'static str {
        match self {
            ActivityKind::WebsiteVisit { .. } => "website_visit",
            ActivityKind::FormSubmission { .. } => "form_submission",
            ActivityKind::ContentDownload { .. } => "content_download",
            ActivityKind::Email { .. } => "email",
            ActivityKind::Call { .. } => "call",
            ActivityKind::Meeting { .. } => "meeting",
            ActivityKind::ProposalSent { .. } => "proposal_sent",
            ActivityKind::Purchase { .. } => "purchase",
            ActivityKind::Referral { .. } => "referral",
            ActivityKind::SurveyAnswer { .. } => "survey_answer",
            ActivityKind::Review { .. } => "review",
        }
    }

    /// `true` for activities in which the business reached out or followed
    /// up (calls, e-mails sent, meetings, proposals); a contact's own
    /// reply is engagement, not follow-up.
    pub fn is_follow_up(&self) -> bool {
        matches!(
            self,
            ActivityKind::Call { .. }
                | ActivityKind::Meeting { .. }
                | ActivityKind::ProposalSent { .. }
                | ActivityKind::Email {
                    event: EmailEvent::Sent,
                    ..
                }
        )
    }
}

impl fmt::Display for ActivityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.type_name())
    }
}

/// Something a contact did, or that was done with them, at a point in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    /// Unique id.
    pub id: ActivityId,
    /// The contact concerned.
    pub contact: ContactId,
    /// When it happened.
    #[serde(deserialize_with = "super::timestamp_serde::deserialize")]
    pub at: Timestamp,
    /// The deal it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal: Option<DealId>,
    /// The campaign it responds to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<CampaignId>,
    /// The rep involved, if any (caller, meeting host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rep: Option<RepId>,
    /// What happened.
    pub kind: ActivityKind,
}
