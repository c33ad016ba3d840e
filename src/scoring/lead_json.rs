//! Scoring one lead given as JSON (the form the C ABI uses).

use serde::Deserialize;

use super::explain::{LeadInput, LeadScore};
use super::lead_reader::LeadView;
use super::model::ScoringModel;
use crate::model::{Activity, Company, Contact, ContactId, Timestamp};
use crate::{Error, ErrorKind, Result};

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
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Json`](crate::ErrorKind::Json) for malformed JSON or a
    /// wrong shape, naming the JSON path;
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for records that break
    /// the model's rules or do not belong together;
    /// [`ErrorKind::Overflow`](crate::ErrorKind::Overflow) as
    /// [`ScoringModel::score`].
    pub fn score_json(&self, lead_json: &str, as_of: Timestamp) -> Result<LeadScore> {
        crate::exact_json::check_depth(lead_json)?;
        if let Some(lead) = LeadView::read(lead_json) {
            let evaluation = self.evaluate(&lead, as_of)?;
            let contact = ContactId::new(lead.contact_id())?;
            return Ok(self.explain(contact, as_of, &evaluation));
        }
        self.score_json_typed(lead_json, as_of)
    }

    /// [`ScoringModel::score_json`] written as JSON: the same bytes as
    /// `serde_json::to_string` of its result, several times faster (the
    /// form `crm_score_lead_json` returns).
    ///
    /// # Errors
    ///
    /// The errors of [`ScoringModel::score_json`].
    pub fn score_json_to_string(&self, lead_json: &str, as_of: Timestamp) -> Result<String> {
        let mut out = String::new();
        self.score_json_into(lead_json, as_of, &mut out)?;
        Ok(out)
    }

    /// [`ScoringModel::score_json_to_string`] into `out`, which it replaces,
    /// so that a loop over many leads can reuse one buffer. On error `out`
    /// is left empty.
    ///
    /// ```
    /// use crmkit::scoring::ScoringModel;
    ///
    /// let model = ScoringModel::from_json(r#"{"rules": [{"id": "cto", "points": 10,
    ///     "when": {"field": "contact.job_title", "op": "equals", "value": "cto"}}]}"#)?;
    /// let as_of = "2026-02-01T00:00:00Z".parse().unwrap();
    /// let mut out = String::new();
    /// for title in ["CTO", "intern"] {
    ///     let lead = format!(r#"{{"contact": {{"id": "C-1", "job_title": "{title}",
    ///         "created_at": "2026-01-01T00:00:00Z"}}}}"#);
    ///     model.score_json_into(&lead, as_of, &mut out)?;
    ///     assert_eq!(out, model.score_json_to_string(&lead, as_of)?);
    /// }
    /// Ok::<(), crmkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The errors of [`ScoringModel::score_json`]; `out` is then left empty.
    pub fn score_json_into(
        &self,
        lead_json: &str,
        as_of: Timestamp,
        out: &mut String,
    ) -> Result<()> {
        out.clear();
        crate::exact_json::check_depth(lead_json)?;
        if let Some(lead) = LeadView::read(lead_json) {
            let evaluation = self.evaluate(&lead, as_of)?;
            self.write_score_json(out, lead.contact_id(), as_of, &evaluation);
            return Ok(());
        }
        let score = self.score_json_typed(lead_json, as_of)?;
        let json = serde_json::to_string(&score).map_err(|err| {
            Error::new(
                ErrorKind::Json,
                format!("the score cannot be written as JSON: {err}"),
            )
        })?;
        out.push_str(&json);
        Ok(())
    }

    /// [`ScoringModel::score_json`] with the typed records only.
    pub(crate) fn score_json_typed(&self, lead_json: &str, as_of: Timestamp) -> Result<LeadScore> {
        let doc = self.parse_lead(lead_json)?;
        self.score_since(&doc.as_input(), as_of, doc.previous.as_ref())
    }

    /// Reads a lead document with the typed records and checks that its
    /// parts belong together.
    fn parse_lead(&self, lead_json: &str) -> Result<LeadDoc> {
        // The plain parser does far less work than the one that tracks the
        // JSON path; it runs first, and only a document it refuses is parsed
        // again to name the path in the error.
        let doc: LeadDoc = match serde_json::from_str(lead_json) {
            Ok(doc) => {
                // The same exactness rule as every other document: a number
                // a 64-bit float cannot hold exactly is refused, with its path.
                crate::exact_json::check_numbers(lead_json)?;
                doc
            }
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
        Ok(doc)
    }
}

impl LeadDoc {
    fn as_input(&self) -> LeadInput<'_> {
        LeadInput {
            contact: &self.contact,
            company: self.company.as_ref(),
            activities: self.activities.iter().collect(),
        }
    }
}
