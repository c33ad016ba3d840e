//! Actions: what a rule asks the host to do, and how they are resolved.
//!
//! A rule's actions are written as [`ActionSpec`]s
//! (`{"type": "create_task", "task": "call", "title": "Call {{contact.name}}",
//! "assignee": "owner"}`) and come out of an evaluation as [`Action`]s with
//! a deterministic id, the resolved assignee, rendered texts and the reason.

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::context::{Ctx, Source};
use crate::model::{
    CampaignId, ContactId, DealId, LifecycleStage, RepId, StageId, TaskKind, TeamId, TicketId,
    Timestamp,
};
use crate::money::Percent;
use crate::{Error, Result};

/// Who gets a task or a notification (lead distribution).
///
/// JSON form: `"owner"`, `"territory"`, `{"round_robin": "east"}`,
/// `{"least_loaded": "east"}`, `{"rep": "R-1"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignee {
    /// The deal's owner (for deal events), else the contact's owner.
    #[default]
    Owner,
    /// The active reps of the team in turn (the turn is kept in the
    /// enrollment state).
    RoundRobin(TeamId),
    /// The active rep of the team with the fewest open tasks (ties: the
    /// smallest rep id).
    LeastLoaded(TeamId),
    /// The active rep covering the contact's territory with the fewest open
    /// tasks; the owner when no rep covers it.
    Territory,
    /// A fixed rep.
    Rep(RepId),
}

/// How an assignee was chosen. JSON form: snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignment {
    /// The owner of the deal or contact.
    Owner,
    /// Round robin within a team.
    RoundRobin,
    /// Least loaded within a team.
    LeastLoaded,
    /// By territory.
    Territory,
    /// A fixed rep.
    Rep,
    /// Nobody could be chosen (see the action's `note`).
    Unassigned,
}

/// An action as written in a rule. JSON form: tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ActionSpec {
    /// Create a task (call, e-mail, meeting, to-do) for a rep.
    CreateTask {
        /// Kind of task.
        task: TaskKind,
        /// Title; may contain `{{field.path}}` placeholders.
        title: String,
        /// Who does it (default: the owner).
        #[serde(default)]
        assignee: Assignee,
        /// Days from the event to the due date (default 1).
        #[serde(default = "one_day")]
        due_in_days: u32,
    },
    /// Enroll the contact in a campaign (nurture, welcome series).
    EnrollInCampaign {
        /// The campaign.
        campaign: CampaignId,
    },
    /// Remove the contact from a campaign.
    RemoveFromCampaign {
        /// The campaign.
        campaign: CampaignId,
    },
    /// Send a templated e-mail.
    SendEmail {
        /// The host's template id.
        template: String,
        /// Subject line; may contain `{{field.path}}` placeholders.
        #[serde(default)]
        subject: String,
        /// Personalisation fields: name → field path (`"first_name":
        /// "contact.name"`), rendered into the action.
        #[serde(default)]
        fields: BTreeMap<String, String>,
    },
    /// Issue a discount code (repeat-purchase reward).
    IssueDiscount {
        /// The discount.
        percent: Percent,
        /// Code prefix (`"THANKS"` gives `THANKS-7K2M9QXD`).
        prefix: String,
        /// Days the code is valid from the event.
        #[serde(default = "thirty_days")]
        valid_days: u32,
    },
    /// Add a tag to the contact (or deal, for deal events).
    AddTag {
        /// The tag.
        tag: String,
    },
    /// Remove a tag from the contact (or deal, for deal events).
    RemoveTag {
        /// The tag.
        tag: String,
    },
    /// Set the contact's lifecycle stage.
    SetLifecycleStage {
        /// The new stage.
        stage: LifecycleStage,
    },
    /// Move the deal to a stage.
    MoveDealStage {
        /// The target stage.
        stage: StageId,
    },
    /// Add points to (or, negative, take them from) the contact's score.
    AdjustScore {
        /// Points.
        #[serde(with = "crate::money::decimal_serde")]
        points: Decimal,
    },
    /// Ask the contact for feedback with a survey.
    RequestFeedback {
        /// The survey.
        survey: String,
        /// How to send it (default `email`).
        #[serde(default = "email_channel")]
        channel: String,
    },
    /// Notify a user.
    Notify {
        /// Who (default: the owner).
        #[serde(default)]
        user: Assignee,
        /// The message; may contain `{{field.path}}` placeholders.
        message: String,
    },
}

fn one_day() -> u32 {
    1
}

fn thirty_days() -> u32 {
    30
}

fn email_channel() -> String {
    "email".to_string()
}

impl ActionSpec {
    /// The JSON `type` name.
    pub fn type_name(&self) -> &'static str {
        match self {
            ActionSpec::CreateTask { .. } => "create_task",
            ActionSpec::EnrollInCampaign { .. } => "enroll_in_campaign",
            ActionSpec::RemoveFromCampaign { .. } => "remove_from_campaign",
            ActionSpec::SendEmail { .. } => "send_email",
            ActionSpec::IssueDiscount { .. } => "issue_discount",
            ActionSpec::AddTag { .. } => "add_tag",
            ActionSpec::RemoveTag { .. } => "remove_tag",
            ActionSpec::SetLifecycleStage { .. } => "set_lifecycle_stage",
            ActionSpec::MoveDealStage { .. } => "move_deal_stage",
            ActionSpec::AdjustScore { .. } => "adjust_score",
            ActionSpec::RequestFeedback { .. } => "request_feedback",
            ActionSpec::Notify { .. } => "notify",
        }
    }
}

/// A text with `{{field.path}}` placeholders, compiled.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Template {
    parts: Vec<TemplatePart>,
}

#[derive(Debug, Clone, PartialEq)]
enum TemplatePart {
    Text(String),
    Field(Source),
}

impl Template {
    pub(crate) fn compile(text: &str) -> Result<Template> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let (before, after) = rest.split_at(start);
            if !before.is_empty() {
                parts.push(TemplatePart::Text(before.to_string()));
            }
            let after = after.get(2..).unwrap_or("");
            let end = after
                .find("}}")
                .ok_or_else(|| Error::invalid("", "unclosed {{ placeholder"))?;
            let name = after.get(..end).unwrap_or("").trim();
            let (source, _) = Source::parse(name)
                .map_err(|e| Error::invalid("", format!("placeholder: {}", e.message())))?;
            parts.push(TemplatePart::Field(source));
            rest = after.get(end + 2..).unwrap_or("");
        }
        if !rest.is_empty() {
            parts.push(TemplatePart::Text(rest.to_string()));
        }
        Ok(Template { parts })
    }

    pub(crate) fn render(&self, ctx: &Ctx<'_>) -> String {
        let mut out = String::with_capacity(64);
        for part in &self.parts {
            match part {
                TemplatePart::Text(t) => out.push_str(t),
                TemplatePart::Field(source) => ctx.render_into(source, &mut out),
            }
        }
        out
    }
}

/// A compiled action: the spec plus its compiled templates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    pub(crate) spec: ActionSpec,
    pub(crate) text: Option<Template>,
    pub(crate) fields: Vec<(String, Source)>,
}

impl Plan {
    pub(crate) fn compile(spec: &ActionSpec) -> Result<Plan> {
        let mut text = None;
        let mut fields = Vec::new();
        match spec {
            ActionSpec::CreateTask { title, .. } => {
                text = Some(Template::compile(title).map_err(|e| e.with_path_prefix("title"))?);
            }
            ActionSpec::Notify { message, .. } => {
                text = Some(Template::compile(message).map_err(|e| e.with_path_prefix("message"))?);
            }
            ActionSpec::SendEmail {
                subject,
                fields: wanted,
                template,
            } => {
                if template.is_empty() {
                    return Err(Error::invalid("template", "template must not be empty"));
                }
                text = Some(Template::compile(subject).map_err(|e| e.with_path_prefix("subject"))?);
                for (name, path) in wanted {
                    let (source, _) = Source::parse(path).map_err(|e| {
                        Error::invalid(format!("fields.{name}"), e.message().to_string())
                    })?;
                    fields.push((name.clone(), source));
                }
            }
            ActionSpec::IssueDiscount { prefix, .. }
                if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                return Err(Error::invalid(
                    "prefix",
                    "a discount prefix is one or more ASCII letters or digits",
                ));
            }
            ActionSpec::AddTag { tag } | ActionSpec::RemoveTag { tag } if tag.is_empty() => {
                return Err(Error::invalid("tag", "tag must not be empty"));
            }
            ActionSpec::RequestFeedback { survey, .. } if survey.is_empty() => {
                return Err(Error::invalid("survey", "survey must not be empty"));
            }
            _ => {}
        }
        Ok(Plan {
            spec: spec.clone(),
            text,
            fields,
        })
    }
}

/// What the host is asked to do. JSON form: tagged by `type`, beside the
/// fields of [`Action`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Effect {
    /// Create a task.
    CreateTask {
        /// Kind of task.
        task: TaskKind,
        /// Rendered title.
        title: String,
        /// The rep chosen; `None` when nobody could be.
        assignee: Option<RepId>,
        /// How the rep was chosen.
        assigned_by: Assignment,
        /// Due date.
        due: Timestamp,
        /// The contact concerned.
        #[serde(skip_serializing_if = "Option::is_none")]
        contact: Option<ContactId>,
        /// The deal concerned.
        #[serde(skip_serializing_if = "Option::is_none")]
        deal: Option<DealId>,
        /// Why the assignment fell back or failed.
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Enroll the contact in a campaign.
    EnrollInCampaign {
        /// The campaign.
        campaign: CampaignId,
        /// The contact.
        contact: Option<ContactId>,
    },
    /// Remove the contact from a campaign.
    RemoveFromCampaign {
        /// The campaign.
        campaign: CampaignId,
        /// The contact.
        contact: Option<ContactId>,
    },
    /// Send an e-mail.
    SendEmail {
        /// Template id.
        template: String,
        /// Rendered subject.
        subject: String,
        /// The recipient.
        contact: Option<ContactId>,
        /// The recipient's address, if known.
        #[serde(skip_serializing_if = "Option::is_none")]
        to: Option<String>,
        /// Rendered personalisation fields.
        personalisation: BTreeMap<String, String>,
    },
    /// Issue a discount code.
    IssueDiscount {
        /// The code, derived from the action id (same action, same code).
        code: String,
        /// The discount.
        percent: Percent,
        /// The beneficiary.
        contact: Option<ContactId>,
        /// When the code expires.
        expires: Timestamp,
    },
    /// Add a tag.
    AddTag {
        /// The tag.
        tag: String,
        /// The record tagged (`contact:C-1`, `deal:D-1`).
        target: String,
    },
    /// Remove a tag.
    RemoveTag {
        /// The tag.
        tag: String,
        /// The record (`contact:C-1`, `deal:D-1`).
        target: String,
    },
    /// Set the contact's lifecycle stage.
    SetLifecycleStage {
        /// The contact.
        contact: Option<ContactId>,
        /// The new stage.
        stage: LifecycleStage,
    },
    /// Move the deal to a stage.
    MoveDealStage {
        /// The deal.
        deal: Option<DealId>,
        /// The target stage.
        stage: StageId,
    },
    /// Adjust the contact's score.
    AdjustScore {
        /// The contact.
        contact: Option<ContactId>,
        /// Points added (negative: taken).
        #[serde(with = "crate::money::decimal_serde")]
        points: Decimal,
    },
    /// Ask for feedback.
    RequestFeedback {
        /// The contact.
        contact: Option<ContactId>,
        /// The survey.
        survey: String,
        /// The channel.
        channel: String,
        /// The ticket it follows, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        ticket: Option<TicketId>,
    },
    /// Notify a user.
    Notify {
        /// The user; `None` when nobody could be chosen.
        user: Option<RepId>,
        /// How the user was chosen.
        assigned_by: Assignment,
        /// Rendered message.
        message: String,
        /// Why the assignment fell back or failed.
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

/// One action for the host to carry out, exactly once (use `id` to
/// deduplicate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    /// Deterministic id: `rule/branch/entity/event/index`.
    pub id: String,
    /// The rule that fired.
    #[serde(serialize_with = "arc_str")]
    pub rule: Arc<str>,
    /// The branch taken (`then`, `if[1]`, `else`).
    #[serde(serialize_with = "arc_str")]
    pub branch: Arc<str>,
    /// The record the event was about (`deal:D-1`).
    pub entity: String,
    /// The triggering event's id.
    pub event: String,
    /// Cascade depth: 0 for the host's event, 1 for an event implied by an
    /// action, ...
    pub depth: u32,
    /// Why: the trigger and the condition that matched.
    #[serde(serialize_with = "arc_str")]
    pub reason: Arc<str>,
    /// What to do.
    #[serde(flatten)]
    pub effect: Effect,
}

/// A deterministic short code from a text (FNV-1a, Crockford base 32).
pub(crate) fn code_of(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut code = String::with_capacity(10);
    for _ in 0..10 {
        let digit = (hash & 31) as usize;
        code.push(char::from(ALPHABET.get(digit).copied().unwrap_or(b'0')));
        hash >>= 5;
    }
    code
}

/// Writes a shared string as a JSON string.
pub(crate) fn arc_str<S: serde::Serializer>(
    value: &Arc<str>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(value)
}
