//! Constructors with the required fields only, for records built in Rust.
//!
//! Every other field takes its JSON default (empty name, no company, lead
//! stage, open deal of kind `new`, no tags...). Set more fields with struct
//! update syntax, which keeps the code short and the field names visible:
//!
//! ```
//! use crmkit::model::{
//!     Contact, Dataset, DatasetParts, Deal, DealStatus, LifecycleStage, Pipeline, Stage, StageKind,
//! };
//! use crmkit::money::{Currency, Money, Percent};
//!
//! let at = "2024-01-05T09:00:00Z".parse().unwrap();
//! let ada = Contact {
//!     name: "Ada Lovelace".into(),
//!     email: Some("ada@example.com".into()),
//!     ..Contact::new("C-1".parse()?, at)
//! };
//! assert_eq!(ada.lifecycle.stage, LifecycleStage::Lead);
//!
//! let usd = Currency::new("USD")?;
//! let won = Deal {
//!     status: DealStatus::Won,
//!     closed_at: Some("2024-02-01T00:00:00Z".parse().unwrap()),
//!     ..Deal::new(
//!         "D-1".parse()?,
//!         ada.id.clone(),
//!         "sales".parse()?,
//!         "won".parse()?,
//!         Money::parse("500.00", usd)?,
//!         at,
//!     )
//! };
//! let pipeline = Pipeline {
//!     id: "sales".parse()?,
//!     name: "Sales".into(),
//!     stages: vec![Stage {
//!         id: "won".parse()?,
//!         name: "Won".into(),
//!         probability: Percent::new(100)?,
//!         kind: StageKind::Won,
//!     }],
//! };
//! let ds = Dataset::new(DatasetParts {
//!     contacts: vec![ada],
//!     deals: vec![won],
//!     pipelines: vec![pipeline],
//!     ..DatasetParts::default()
//! })?;
//! assert_eq!(ds.deals_of_contact(&"C-1".parse()?).count(), 1);
//! Ok::<(), crmkit::Error>(())
//! ```

use super::Timestamp;
use super::activity::{Activity, ActivityKind};
use super::contact::{Company, Contact, Lifecycle};
use super::deal::{Deal, DealKind, DealStatus};
use super::ids::{ActivityId, CompanyId, ContactId, DealId, PipelineId, StageId, TicketId};
use super::ticket::{Priority, Ticket, TicketChannel, TicketKind};
use crate::money::Money;

impl Contact {
    /// A contact with its id and creation time; every other field empty, in
    /// the [`Lead`](super::LifecycleStage::Lead) stage without history.
    pub fn new(id: ContactId, created_at: Timestamp) -> Contact {
        Contact {
            id,
            name: String::new(),
            email: None,
            phone: None,
            job_title: None,
            company: None,
            owner: None,
            source_campaign: None,
            country: None,
            territory: None,
            created_at,
            lifecycle: Lifecycle::default(),
            demographics: Default::default(),
            tags: Default::default(),
            attributes: Default::default(),
        }
    }
}

impl Company {
    /// A company with its id and name; every other field empty.
    pub fn new(id: CompanyId, name: impl Into<String>) -> Company {
        Company {
            id,
            name: name.into(),
            industry: None,
            employees: None,
            annual_revenue: None,
            country: None,
            territory: None,
            owner: None,
            created_at: None,
            tags: Default::default(),
            attributes: Default::default(),
        }
    }
}

impl Deal {
    /// An open deal of kind `new` in `stage` of `pipeline`, without name,
    /// company, owner, campaign, history or tags. A closed deal also needs
    /// `status` and `closed_at`, set with struct update syntax.
    pub fn new(
        id: DealId,
        contact: ContactId,
        pipeline: PipelineId,
        stage: StageId,
        value: Money,
        created_at: Timestamp,
    ) -> Deal {
        Deal {
            id,
            name: String::new(),
            contact,
            company: None,
            pipeline,
            stage,
            value,
            status: DealStatus::Open,
            lost_reason: None,
            kind: DealKind::New,
            created_at,
            closed_at: None,
            owner: None,
            source_campaign: None,
            stage_history: Vec::new(),
            tags: Default::default(),
        }
    }
}

impl Activity {
    /// An activity of `contact` at `at`, linked to no deal, campaign or rep.
    pub fn new(id: ActivityId, contact: ContactId, at: Timestamp, kind: ActivityKind) -> Activity {
        Activity {
            id,
            contact,
            at,
            deal: None,
            campaign: None,
            rep: None,
            kind,
        }
    }
}

impl Ticket {
    /// An unassigned, unanswered ticket of kind and priority by default,
    /// without subject or SLA.
    pub fn new(
        id: TicketId,
        contact: ContactId,
        channel: TicketChannel,
        opened_at: Timestamp,
    ) -> Ticket {
        Ticket {
            id,
            contact,
            channel,
            kind: TicketKind::default(),
            priority: Priority::default(),
            subject: String::new(),
            assignee: None,
            opened_at,
            first_response_at: None,
            resolved_at: None,
            sla: None,
        }
    }
}
