//! Support tickets and service-level targets.
//!
//! ```
//! use crmkit::model::Ticket;
//!
//! let t: Ticket = serde_json::from_str(r#"{
//!     "id": "T-1", "contact": "C-1", "channel": "email", "subject": "login fails",
//!     "opened_at": "2024-03-01T09:00:00Z",
//!     "first_response_at": "2024-03-01T09:20:00Z",
//!     "resolved_at": "2024-03-01T15:00:00Z",
//!     "sla": {"first_response_minutes": 60, "resolution_minutes": 1440}
//! }"#).unwrap();
//! assert!(t.is_resolved());
//! Ok::<(), crmkit::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use super::Timestamp;
use super::ids::{ContactId, RepId, TicketId};

/// How a ticket reached support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketChannel {
    /// E-mail.
    Email,
    /// Phone.
    Phone,
    /// Live chat.
    Chat,
    /// Web form or portal.
    Web,
    /// Social media.
    Social,
}

/// What a ticket is about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketKind {
    /// A question.
    #[default]
    Question,
    /// Something does not work.
    Problem,
    /// A complaint about the product or service.
    Complaint,
    /// A request for a change or a feature.
    Request,
}

/// Priority of a ticket.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Low.
    Low,
    /// Normal.
    #[default]
    Normal,
    /// High.
    High,
    /// Urgent.
    Urgent,
}

/// Service-level targets of a ticket, in minutes from opening.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sla {
    /// Target time to the first response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_minutes: Option<u32>,
    /// Target time to resolution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution_minutes: Option<u32>,
}

/// A support request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ticket {
    /// Unique id.
    pub id: TicketId,
    /// Who raised it.
    pub contact: ContactId,
    /// How it came in.
    pub channel: TicketChannel,
    /// What it is about.
    #[serde(default)]
    pub kind: TicketKind,
    /// Priority.
    #[serde(default)]
    pub priority: Priority,
    /// Subject line.
    #[serde(default)]
    pub subject: String,
    /// The agent handling it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<RepId>,
    /// When it was opened.
    #[serde(deserialize_with = "super::timestamp_serde::deserialize")]
    pub opened_at: Timestamp,
    /// When support first answered; not before `opened_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "super::timestamp_serde::deserialize_option")]
    pub first_response_at: Option<Timestamp>,
    /// When it was resolved; not before `opened_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "super::timestamp_serde::deserialize_option")]
    pub resolved_at: Option<Timestamp>,
    /// Service-level targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<Sla>,
}

impl Ticket {
    /// `true` once the ticket is resolved.
    pub fn is_resolved(&self) -> bool {
        self.resolved_at.is_some()
    }
}
