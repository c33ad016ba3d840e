//! Scoring one lead given as JSON (the form the C ABI uses).

use serde::Deserialize;

use super::explain::{LeadInput, LeadScore};
use super::model::ScoringModel;
use crate::model::{Activity, Company, Contact, Timestamp};
use crate::{Error, Result};

/// `{"contact": {...}, "company": {...}, "activities": [...], "previous": {...}}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LeadDoc {
    contact: Contact,
    #[serde(default)]
    company: Option<Company>,
    #[serde(default)]
    activities: Vec<Activity>,
    #[serde(default)]
    previous: Option<LeadScore>,
}

impl ScoringModel {
    /// Scores a lead given as a JSON document at `as_of`:
    ///
    /// ```json
    /// {"contact": {"id": "C-1", "created_at": "...", ...},
    ///  "company": {"id": "CO-1", "name": "...", ...},
    ///  "activities": [{"id": "A-1", "contact": "C-1", "at": "...", "kind": {...}}],
    ///  "previous": { a LeadScore from an earlier call }}
    /// ```
    ///
    /// `company`, `activities` and `previous` may be left out. The records
    /// have the JSON form of [`crate::model`]; activities must belong to the
    /// contact, and the company must be the contact's.
    pub fn score_json(&self, lead_json: &str, as_of: Timestamp) -> Result<LeadScore> {
        // The plain parser does far less work than the one that tracks the
        // JSON path; it runs first, and only a document it refuses is parsed
        // again to name the path in the error.
        let doc: LeadDoc = match serde_json::from_str(lead_json) {
            Ok(doc) => doc,
            Err(_) => Error::parse_json(lead_json)?,
        };
        if let (Some(company), Some(id)) = (&doc.company, &doc.contact.company)
            && company.id != *id
        {
            return Err(Error::invalid(
                "company.id",
                format!(
                    "the contact works for {:?}, not {:?}",
                    id.as_str(),
                    company.id.as_str()
                ),
            ));
        }
        for (i, activity) in doc.activities.iter().enumerate() {
            if activity.contact != doc.contact.id {
                return Err(Error::invalid(
                    format!("activities[{i}].contact"),
                    format!(
                        "the activity is of contact {:?}, not {:?}",
                        activity.contact.as_str(),
                        doc.contact.id.as_str()
                    ),
                ));
            }
        }
        let lead = LeadInput {
            contact: &doc.contact,
            company: doc.company.as_ref(),
            activities: doc.activities.iter().collect(),
        };
        self.score_since(&lead, as_of, doc.previous.as_ref())
    }
}
