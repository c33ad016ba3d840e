//! The CRM domain model: contacts, companies, the lead lifecycle, deals and
//! pipelines, activities, campaigns, tickets, tasks, reps and teams, and the
//! validated [`Dataset`] snapshot that holds them.
//!
//! Every type is serde-serialisable; JSON field names are snake_case and
//! enums are lowercase strings. Records are plain data with public fields;
//! the rules that tie them together (references, time order, money signs)
//! are checked when they are assembled into a [`Dataset`].
//!
//! ```
//! use crmkit::model::{Dataset, LifecycleStage};
//!
//! let ds = Dataset::from_json(r#"{"contacts": [
//!     {"id": "C-1", "name": "Ada", "created_at": "2024-01-01T00:00:00Z",
//!      "lifecycle": {"stage": "customer"}}]}"#)?;
//! let ada = ds.contact(&"C-1".parse()?).unwrap();
//! assert_eq!(ada.lifecycle.stage, LifecycleStage::Customer);
//! Ok::<(), crmkit::Error>(())
//! ```

mod activity;
mod attributes;
mod campaign;
mod constructors;
mod contact;
mod dataset;
mod deal;
mod fields;
mod id_index;
mod ids;
pub(crate) mod record_rules;
mod team;
mod ticket;
mod time_range;
mod timestamp_serde;

pub use activity::{
    Activity, ActivityKind, CallDirection, CallOutcome, CsatScore, EmailEvent, NpsScore,
    PurchaseItem, SurveyScore,
};
pub use attributes::{AttributeValue, Demographics, FieldKind, ProtectedAttribute};
pub use campaign::{Campaign, CampaignPurpose, Channel, SpendCategory, SpendEntry, SpendKind};
pub use contact::{Company, Contact, Lifecycle, LifecycleStage, LifecycleTransition};
pub use dataset::{Dataset, DatasetParts, EntityCounts, PurchaseColumns};
pub use deal::{Deal, DealKind, DealStatus, Pipeline, Stage, StageKind, StageVisit};
pub use fields::{CompanyField, ContactField, FieldPath, FieldValue};
pub(crate) use ids::is_valid_id;
pub use ids::{
    ActivityId, CampaignId, CompanyId, ContactId, DealId, MAX_ID_LEN, PipelineId, RepId, SpendId,
    StageId, TaskId, TeamId, TicketId,
};
pub use team::{SalesRep, Task, TaskKind, Team};
pub use ticket::{Priority, Sla, Ticket, TicketChannel, TicketKind};
pub use time_range::{
    MAX_TIMESTAMP, MAX_UNIX_SECONDS, MIN_TIMESTAMP, MIN_UNIX_SECONDS, check_date, check_timestamp,
};

/// A point in time, in UTC. JSON form: RFC 3339 (`"2024-03-01T12:00:00Z"`).
pub type Timestamp = chrono::DateTime<chrono::Utc>;
