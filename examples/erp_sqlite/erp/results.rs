//! Scoring the leads and routing the open deals, and writing both back into
//! new ERP tables. Routing actions are keyed by the action's deterministic
//! id, so running the routing again adds nothing.

use crmkit::automation::presets::{self, Boundary, RoutingConfig};
use crmkit::automation::{Effect, EnrollmentState, Event, RuleSet};
use crmkit::model::{Dataset, LifecycleStage, Timestamp};
use crmkit::scoring::{LeadInput, LeadScore, ScoringModel};
use rusqlite::{Connection, params};

use super::ErpError;
use super::schema::iso;

/// The tables crmkit's results go to.
pub const RESULT_DDL: &str = "
CREATE TABLE IF NOT EXISTS crm_lead_scores (
    contact_no        TEXT PRIMARY KEY REFERENCES contact_persons(contact_no),
    model_id          TEXT,
    scored_as_of      TEXT NOT NULL,
    score             TEXT NOT NULL,
    grade             TEXT,
    recommended_stage TEXT,
    top_reasons       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS crm_lead_score_reasons (
    contact_no TEXT NOT NULL REFERENCES crm_lead_scores(contact_no),
    rank       INTEGER NOT NULL,
    rule_id    TEXT NOT NULL,
    points     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    PRIMARY KEY (contact_no, rank)
);
CREATE TABLE IF NOT EXISTS crm_tasks (
    action_id      TEXT PRIMARY KEY,
    rule_id        TEXT NOT NULL,
    opportunity_no TEXT,
    contact_no     TEXT,
    assigned_rep   TEXT,
    task_type      TEXT NOT NULL,
    title          TEXT NOT NULL,
    due_at         TEXT NOT NULL,
    reason         TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS crm_campaign_enrollments (
    action_id      TEXT PRIMARY KEY,
    rule_id        TEXT NOT NULL,
    campaign_code  TEXT NOT NULL,
    contact_no     TEXT,
    opportunity_no TEXT,
    reason         TEXT NOT NULL
);
";

/// How many reasons are kept per lead.
pub const TOP_REASONS: usize = 3;

/// Creates the result tables if they are missing.
pub fn create_result_tables(db: &Connection) -> Result<(), ErpError> {
    db.execute_batch(RESULT_DDL)?;
    Ok(())
}

/// What scoring wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoreSummary {
    /// Leads scored (and rows upserted into `crm_lead_scores`).
    pub leads: usize,
    /// Leads per grade (`-` for no grade), sorted by grade.
    pub grades: Vec<(String, usize)>,
    /// Leads whose score recommends a lifecycle move.
    pub recommendations: usize,
}

/// Scores every lead (contacts neither customers nor disqualified) at
/// `as_of` and upserts one row per lead, with its top reasons.
pub fn score_leads(
    db: &mut Connection,
    dataset: &Dataset,
    model: &ScoringModel,
    as_of: Timestamp,
) -> Result<(Vec<LeadScore>, ScoreSummary), ErpError> {
    let scores = (0..dataset.contacts().len())
        .filter_map(|i| LeadInput::from_dataset(dataset, i))
        .filter(|lead| {
            let stage = lead.contact.lifecycle.stage;
            !stage.is_customer() && stage != LifecycleStage::Disqualified
        })
        .map(|lead| model.score(&lead, as_of))
        .collect::<Result<Vec<_>, _>>()?;

    let tx = db.transaction()?;
    {
        let mut upsert = tx.prepare(
            "INSERT INTO crm_lead_scores (contact_no, model_id, scored_as_of, score, grade, recommended_stage, top_reasons)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (contact_no) DO UPDATE SET model_id = excluded.model_id,
                 scored_as_of = excluded.scored_as_of, score = excluded.score, grade = excluded.grade,
                 recommended_stage = excluded.recommended_stage, top_reasons = excluded.top_reasons",
        )?;
        let mut clear = tx.prepare("DELETE FROM crm_lead_score_reasons WHERE contact_no = ?1")?;
        let mut reason = tx.prepare(
            "INSERT INTO crm_lead_score_reasons (contact_no, rank, rule_id, points, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for score in &scores {
            let top = top_reasons(score);
            let summary: Vec<String> = top
                .iter()
                .map(|c| format!("{} {}", c.rule, signed(c.points)))
                .collect();
            upsert.execute(params![
                score.contact.as_str(),
                score.model,
                iso(score.as_of),
                score.total.to_string(),
                score.grade,
                score.recommendation.as_ref().map(|r| r.to.as_str()),
                summary.join("; "),
            ])?;
            clear.execute(params![score.contact.as_str()])?;
            for (rank, c) in top.iter().enumerate() {
                reason.execute(params![
                    score.contact.as_str(),
                    rank as i64 + 1,
                    c.rule,
                    signed(c.points),
                    c.reason
                ])?;
            }
        }
    }
    tx.commit()?;

    let mut grades: std::collections::BTreeMap<String, usize> = Default::default();
    for s in &scores {
        *grades
            .entry(s.grade.clone().unwrap_or_else(|| "-".into()))
            .or_default() += 1;
    }
    let summary = ScoreSummary {
        leads: scores.len(),
        grades: grades.into_iter().collect(),
        recommendations: scores.iter().filter(|s| s.recommendation.is_some()).count(),
    };
    Ok((scores, summary))
}

/// The contributions that moved the score most (non-zero, largest absolute
/// points first, then by rule id).
pub fn top_reasons(score: &LeadScore) -> Vec<&crmkit::scoring::Contribution> {
    let mut reasons: Vec<_> = score
        .contributions
        .iter()
        .filter(|c| !c.points.is_zero())
        .collect();
    reasons.sort_by(|a, b| {
        b.points
            .abs()
            .cmp(&a.points.abs())
            .then(a.rule.cmp(&b.rule))
    });
    reasons.truncate(TOP_REASONS);
    reasons
}

fn signed(points: rust_decimal::Decimal) -> String {
    if points.is_sign_negative() {
        points.to_string()
    } else {
        format!("+{points}")
    }
}

/// What one routing run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoutingSummary {
    /// Open deals routed.
    pub deals: usize,
    /// Call tasks asked for / newly inserted.
    pub tasks: (usize, usize),
    /// Nurture enrollments asked for / newly inserted.
    pub enrollments: (usize, usize),
    /// Actions of other kinds (none with the routing preset).
    pub other_actions: usize,
    /// Deals the rules could not evaluate, named by their ERP row, with why;
    /// the other deals are still routed.
    pub errors: Vec<String>,
}

/// A `deal_created` event for every open deal, at its creation.
pub fn open_deal_events(dataset: &Dataset) -> Vec<Event> {
    // The contact is derived from the deal.
    Event::deal_created_log(dataset.deals().iter().filter(|d| d.is_open()))
}

/// The $500 routing with the threshold itself going to the call branch.
pub fn routing_rules() -> Result<RuleSet, ErpError> {
    Ok(RuleSet::compile(presets::routing_rule_set(
        &RoutingConfig::usd_500(Boundary::Call)?,
    ))?)
}

/// Routes every open deal and inserts the resulting tasks and campaign
/// enrollments, keyed by action id (`INSERT OR IGNORE`: a rerun inserts
/// nothing new).
pub fn route_open_deals(
    db: &mut Connection,
    dataset: &Dataset,
    rules: &RuleSet,
) -> Result<RoutingSummary, ErpError> {
    let events = open_deal_events(dataset);
    let run = rules.dry_run(dataset, &events, &EnrollmentState::default())?;
    let mut summary = RoutingSummary {
        deals: events.len(),
        errors: run
            .errors
            .iter()
            .map(|e| match e.event.strip_prefix("deal-created/") {
                Some(deal) => format!(
                    "table sales_opportunities, row opportunity_no={deal}: {}",
                    e.message
                ),
                None => format!("event {}: {}", e.event, e.message),
            })
            .collect(),
        ..RoutingSummary::default()
    };
    let tx = db.transaction()?;
    {
        let mut task = tx.prepare(
            "INSERT OR IGNORE INTO crm_tasks (action_id, rule_id, opportunity_no, contact_no, assigned_rep, task_type, title, due_at, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        let mut enroll = tx.prepare(
            "INSERT OR IGNORE INTO crm_campaign_enrollments (action_id, rule_id, campaign_code, contact_no, opportunity_no, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for action in &run.actions {
            let deal_of_entity = action.entity.strip_prefix("deal:");
            match &action.effect {
                Effect::CreateTask {
                    task: kind,
                    title,
                    assignee,
                    due,
                    contact,
                    deal,
                    ..
                } => {
                    summary.tasks.0 += 1;
                    summary.tasks.1 += task.execute(params![
                        action.id,
                        &*action.rule,
                        deal.as_ref().map(|d| d.as_str()).or(deal_of_entity),
                        contact.as_ref().map(|c| c.as_str()),
                        assignee.as_ref().map(|r| r.as_str()),
                        serde_json::to_value(kind)?.as_str().unwrap_or("other"),
                        title,
                        iso(*due),
                        &*action.reason,
                    ])?;
                }
                Effect::EnrollInCampaign { campaign, contact } => {
                    summary.enrollments.0 += 1;
                    summary.enrollments.1 += enroll.execute(params![
                        action.id,
                        &*action.rule,
                        campaign.as_str(),
                        contact.as_ref().map(|c| c.as_str()),
                        deal_of_entity,
                        &*action.reason,
                    ])?;
                }
                _ => summary.other_actions += 1,
            }
        }
    }
    tx.commit()?;
    Ok(summary)
}
