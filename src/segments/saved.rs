//! Saved segments: a named condition in the rules engine's condition
//! language, evaluated over the dataset's contacts as of a time.
//!
//! A segment reads contact and company fields only (`contact.*`,
//! `company.*`, `contact.tags`, `contact.lifecycle_stage`,
//! `contact.owner`, `company.tags`); `deal.*`, `ticket.*` and `event.*`
//! concern one event and are refused. Evaluated **as of** an instant:
//!
//! * only contacts created at or before it exist;
//! * `contact.lifecycle_stage` is the stage the contact was in then (from
//!   its lifecycle history);
//! * date tests (`within_last_days`, `older_than_days`...) count from it;
//! * every other field has no history in the dataset and is read as it is
//!   now.
//!
//! [`segment_members`] gives the members, their count and, with `since`,
//! who entered and who left between the two instants.
//!
//! The same condition works wherever the rules engine takes one: as a
//! journey's entry condition (`entry.condition` of a
//! [`JourneyDoc`](crate::journeys::JourneyDoc)), where it is evaluated at
//! the entry event against the contact's current record.
//!
//! ```
//! use crmkit::segments::{SegmentRequest, segment_members};
//!
//! let dataset = crmkit::sample::generate(&crmkit::sample::SampleConfig::default())?;
//! let request = SegmentRequest::from_json(r#"{
//!     "segment": {"name": "customers",
//!                 "condition": {"field": "contact.lifecycle_stage", "op": "eq", "value": "customer"}},
//!     "as_of": "2026-10-01T00:00:00Z",
//!     "since": "2026-04-01T00:00:00Z"
//! }"#)?;
//! let members = segment_members(&dataset, &request)?;
//! let changes = members.changes.as_ref().unwrap();
//! assert_eq!(members.count, changes.count_then + changes.entered.len() as u64 - changes.left.len() as u64);
//! Ok::<(), crmkit::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::automation::Condition;
use crate::automation::condition::{Cond, compile};
use crate::automation::context::{Ctx, Source};
use crate::automation::{Event, EventType};
use crate::model::{ContactId, Dataset, Timestamp};
use crate::{Error, Result};

/// A named segment: the contacts for which `condition` holds.
///
/// JSON: `{"name": "vip", "condition": {"field": "contact.tags", "op":
/// "has", "value": "vip"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedSegment {
    /// The segment's name.
    pub name: String,
    /// Who belongs: a condition over contact and company fields.
    pub condition: Condition,
}

/// A compiled segment, ready to evaluate.
struct Compiled {
    cond: Cond,
}

fn check_fields(doc: &Condition, path: &str) -> Result<()> {
    for (key, list) in [("all", &doc.all), ("any", &doc.any)] {
        for (i, c) in list.iter().flatten().enumerate() {
            check_fields(c, &format!("{path}.{key}[{i}]"))?;
        }
    }
    if let Some(inner) = &doc.not {
        check_fields(inner, &format!("{path}.not"))?;
    }
    if let Some(field) = &doc.field {
        let (source, _) = Source::parse(field)
            .map_err(|e| Error::invalid(format!("{path}.field"), e.message()))?;
        let allowed = matches!(
            source,
            Source::Model(_)
                | Source::ContactTags
                | Source::ContactLifecycle
                | Source::ContactOwner
                | Source::CompanyTags
        );
        if !allowed {
            return Err(Error::invalid(
                format!("{path}.field"),
                format!(
                    "a segment reads contact.* and company.* fields, not {}",
                    crate::error::shown(field)
                ),
            ));
        }
    }
    Ok(())
}

impl SavedSegment {
    /// Parses a segment; errors name the JSON path.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) for malformed JSON;
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for a condition the
    /// rules engine refuses or a field a segment cannot read
    /// (`condition.all[1].field`).
    pub fn from_json(json: &str) -> Result<SavedSegment> {
        let segment: SavedSegment = Error::parse_json(json)?;
        segment.compile()?;
        Ok(segment)
    }

    fn compile(&self) -> Result<Compiled> {
        let cond = compile(&self.condition).map_err(|e| e.with_path_prefix("condition"))?;
        check_fields(&self.condition, "condition")?;
        Ok(Compiled { cond })
    }

    /// Whether `contact` belongs to the segment as of `as_of`.
    ///
    /// # Errors
    ///
    /// As [`SavedSegment::from_json`], plus
    /// [`ErrorKind::CurrencyMismatch`](crate::ErrorKind::CurrencyMismatch) when
    /// a money test meets another currency without exchange rates.
    pub fn contains(
        &self,
        dataset: &Dataset,
        contact: &ContactId,
        as_of: Timestamp,
    ) -> Result<bool> {
        let compiled = self.compile()?;
        match dataset.contact(contact) {
            Some(c) => compiled.holds(dataset, &c.id, c.created_at, as_of),
            None => Ok(false),
        }
    }

    /// Membership by contact position in the dataset, as of `as_of` (the
    /// KPI segment filter).
    ///
    /// # Errors
    ///
    /// As [`SavedSegment::contains`].
    pub(crate) fn membership(&self, dataset: &Dataset, as_of: Timestamp) -> Result<Vec<bool>> {
        let compiled = self.compile()?;
        dataset
            .contacts()
            .iter()
            .map(|c| compiled.holds(dataset, &c.id, c.created_at, as_of))
            .collect()
    }

    /// The members as of `as_of`, in dataset order.
    ///
    /// # Errors
    ///
    /// As [`SavedSegment::contains`].
    pub fn members(&self, dataset: &Dataset, as_of: Timestamp) -> Result<Vec<ContactId>> {
        let compiled = self.compile()?;
        compiled.members(dataset, as_of)
    }
}

impl Compiled {
    fn holds(
        &self,
        dataset: &Dataset,
        id: &ContactId,
        created_at: Timestamp,
        as_of: Timestamp,
    ) -> Result<bool> {
        if created_at > as_of {
            return Ok(false);
        }
        let mut event = Event::new("segment", EventType::ContactUpdated, as_of);
        event.contact = Some(id.clone());
        let ctx = Ctx::new(&event, dataset, as_of, dataset.exchange_rates()).with_stage_as_of();
        self.cond.eval(&ctx)
    }

    fn members(&self, dataset: &Dataset, as_of: Timestamp) -> Result<Vec<ContactId>> {
        let mut out = Vec::new();
        for contact in dataset.contacts() {
            if self.holds(dataset, &contact.id, contact.created_at, as_of)? {
                out.push(contact.id.clone());
            }
        }
        Ok(out)
    }
}

/// A request for a segment's members.
///
/// JSON: `{"segment": {"name": ..., "condition": ...}, "as_of": "...",
/// "since": "..." (optional)}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentRequest {
    /// The segment.
    pub segment: SavedSegment,
    /// The instant the membership is evaluated at.
    pub as_of: Timestamp,
    /// An earlier instant to compare with: the result then says who entered
    /// and who left between `since` and `as_of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Timestamp>,
}

impl SegmentRequest {
    /// Parses and validates a request; errors name the JSON path.
    ///
    /// # Errors
    ///
    /// As [`SavedSegment::from_json`] (paths start with `segment.`), and
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) at `since` when it is
    /// after `as_of`.
    pub fn from_json(json: &str) -> Result<SegmentRequest> {
        let request: SegmentRequest = Error::parse_json(json)?;
        request
            .segment
            .compile()
            .map_err(|e| e.with_path_prefix("segment"))?;
        request.check_since()?;
        Ok(request)
    }

    fn check_since(&self) -> Result<()> {
        match self.since {
            Some(since) if since > self.as_of => {
                Err(Error::invalid("since", "must not be after as_of"))
            }
            _ => Ok(()),
        }
    }
}

/// How a segment changed between two instants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentChanges {
    /// The earlier instant.
    pub since: Timestamp,
    /// Members at `since`.
    pub count_then: u64,
    /// Members at `as_of` that were not members at `since` (new contacts
    /// included), in dataset order.
    pub entered: Vec<ContactId>,
    /// Members at `since` that are not members at `as_of`.
    pub left: Vec<ContactId>,
}

/// A segment's membership as of an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentMembers {
    /// The segment's name.
    pub name: String,
    /// The instant.
    pub as_of: Timestamp,
    /// Number of members.
    pub count: u64,
    /// The members, in dataset order.
    pub members: Vec<ContactId>,
    /// Who entered and left since `since`, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<SegmentChanges>,
}

/// Evaluates a saved segment over `dataset` (see the module docs).
///
/// # Errors
///
/// As [`SegmentRequest::from_json`], plus
/// [`ErrorKind::CurrencyMismatch`](crate::ErrorKind::CurrencyMismatch) when a
/// money test meets another currency without exchange rates.
pub fn segment_members(dataset: &Dataset, request: &SegmentRequest) -> Result<SegmentMembers> {
    request.check_since()?;
    let compiled = request
        .segment
        .compile()
        .map_err(|e| e.with_path_prefix("segment"))?;
    let now = compiled.members(dataset, request.as_of)?;
    let changes = match request.since {
        None => None,
        Some(since) => {
            let then = compiled.members(dataset, since)?;
            let then_set: std::collections::HashSet<&ContactId> = then.iter().collect();
            let now_set: std::collections::HashSet<&ContactId> = now.iter().collect();
            Some(SegmentChanges {
                since,
                count_then: then.len() as u64,
                entered: now
                    .iter()
                    .filter(|c| !then_set.contains(c))
                    .cloned()
                    .collect(),
                left: then
                    .iter()
                    .filter(|c| !now_set.contains(c))
                    .cloned()
                    .collect(),
            })
        }
    };
    Ok(SegmentMembers {
        name: request.segment.name.clone(),
        as_of: request.as_of,
        count: now.len() as u64,
        members: now,
        changes,
    })
}
