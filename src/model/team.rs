//! Sales reps, teams and tasks.
//!
//! ```
//! use crmkit::model::{SalesRep, Task, TaskKind};
//!
//! let rep: SalesRep = serde_json::from_str(r#"{"id": "R-1", "name": "Sam", "team": "east"}"#).unwrap();
//! assert!(rep.active);
//! let task: Task = serde_json::from_str(r#"{
//!     "id": "K-1", "title": "call back", "kind": "call", "assignee": "R-1",
//!     "created_at": "2024-03-01T09:00:00Z", "due": "2024-03-02T09:00:00Z"
//! }"#).unwrap();
//! assert_eq!(task.kind, TaskKind::Call);
//! Ok::<(), crmkit::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use super::Timestamp;
use super::ids::{ContactId, DealId, RepId, TaskId, TeamId};

/// A salesperson or support agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesRep {
    /// Unique id.
    pub id: RepId,
    /// Name.
    pub name: String,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The team the rep belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<TeamId>,
    /// Territories the rep covers (for lead distribution).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub territories: Vec<String>,
    /// Whether the rep can receive new work.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A group of reps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Unique id.
    pub id: TeamId,
    /// Name.
    pub name: String,
}

/// What kind of work a task is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// Make a call.
    Call,
    /// Write an e-mail.
    Email,
    /// Hold a meeting.
    Meeting,
    /// Anything else.
    #[default]
    Todo,
}

/// A piece of work assigned to a rep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Unique id.
    pub id: TaskId,
    /// What to do.
    pub title: String,
    /// Kind of work.
    #[serde(default)]
    pub kind: TaskKind,
    /// Who must do it.
    pub assignee: RepId,
    /// The contact it concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactId>,
    /// The deal it concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal: Option<DealId>,
    /// When it was created.
    #[serde(deserialize_with = "super::timestamp_serde::deserialize")]
    pub created_at: Timestamp,
    /// When it is due.
    #[serde(deserialize_with = "super::timestamp_serde::deserialize")]
    pub due: Timestamp,
    /// When it was done; `None` while open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "super::timestamp_serde::deserialize_option")]
    pub done_at: Option<Timestamp>,
}
