//! Journeys next to the ERP: one state row per journey and contact
//! (`crm_journey_states`, the state as crmkit's JSON plus the columns a
//! scheduler needs), and the actions the journey asks for
//! (`crm_journey_actions`, keyed by their deterministic ids).
//!
//! The nurture enrollments the routing wrote (`crm_campaign_enrollments`)
//! start the $500 nurture journey. A tick reads only the rows that are due
//! (`wake_unix <= as_of`, indexed), advances each, and writes the new state
//! and the actions in one transaction. crmkit never reads a clock: when the
//! host was down, the next tick runs every wait that expired meanwhile, in
//! time order, each action at the time it was due and with how late it ran.

use crmkit::journeys::{Enrolled, Input, Journey, JourneyAction, JourneyState, Status};
use crmkit::model::{Dataset, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};

use super::ErpError;
use super::schema::iso;

/// The journey tables.
pub const JOURNEY_DDL: &str = "
CREATE TABLE IF NOT EXISTS crm_journey_states (
    journey_id TEXT NOT NULL,
    contact_no TEXT NOT NULL REFERENCES contact_persons(contact_no),
    status     TEXT NOT NULL,
    step_id    TEXT,
    wake_unix  INTEGER,
    state_json TEXT NOT NULL,
    PRIMARY KEY (journey_id, contact_no)
);
CREATE INDEX IF NOT EXISTS crm_journey_states_due ON crm_journey_states (wake_unix);
CREATE TABLE IF NOT EXISTS crm_journey_actions (
    action_id    TEXT PRIMARY KEY,
    journey_id   TEXT NOT NULL,
    contact_no   TEXT NOT NULL,
    step_id      TEXT NOT NULL,
    due_at       TEXT NOT NULL,
    ran_at       TEXT NOT NULL,
    late_seconds INTEGER NOT NULL,
    action_json  TEXT NOT NULL
);
";

/// Creates the journey tables if they are missing.
pub fn create_journey_tables(db: &Connection) -> Result<(), ErpError> {
    db.execute_batch(JOURNEY_DDL)?;
    Ok(())
}

/// What an enrollment run or a tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickSummary {
    /// Contacts advanced (enrolled, or due at the tick).
    pub contacts: usize,
    /// Actions asked for / newly inserted into `crm_journey_actions`.
    pub actions: (usize, usize),
    /// The latest any action ran, in seconds (0 when none was late).
    pub max_late_seconds: i64,
    /// Contacts still in the journey after the run.
    pub active: usize,
    /// Contacts crmkit could not advance (named by ERP row, with why); their
    /// rows are left as they were.
    pub errors: Vec<String>,
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::NotEntered => "not_entered",
        Status::Active => "active",
        Status::Completed => "completed",
        Status::Exited => "exited",
    }
}

fn load_state(
    db: &Connection,
    journey: &str,
    contact: &str,
) -> Result<Option<JourneyState>, ErpError> {
    let json: Option<String> = db
        .query_row(
            "SELECT state_json FROM crm_journey_states WHERE journey_id = ?1 AND contact_no = ?2",
            params![journey, contact],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match json {
        Some(text) => Some(JourneyState::from_json(&text)?),
        None => None,
    })
}

fn save(
    db: &Connection,
    journey: &Journey,
    contact: &str,
    state: &JourneyState,
    actions: &[JourneyAction],
    as_of: Timestamp,
    summary: &mut TickSummary,
) -> Result<(), ErpError> {
    db.execute(
        "INSERT INTO crm_journey_states (journey_id, contact_no, status, step_id, wake_unix, state_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (journey_id, contact_no) DO UPDATE SET
           status = excluded.status, step_id = excluded.step_id,
           wake_unix = excluded.wake_unix, state_json = excluded.state_json",
        params![
            journey.id(),
            contact,
            status_name(state.status),
            state.step.as_deref(),
            state
                .wake_at
                .filter(|_| state.is_active())
                .map(|w| w.timestamp()),
            state.to_json()?,
        ],
    )?;
    let mut insert = db.prepare_cached(
        "INSERT OR IGNORE INTO crm_journey_actions
           (action_id, journey_id, contact_no, step_id, due_at, ran_at, late_seconds, action_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for action in actions {
        summary.actions.0 += 1;
        summary.actions.1 += insert.execute(params![
            action.id,
            journey.id(),
            contact,
            action.step,
            iso(action.at),
            iso(as_of),
            action.late_seconds,
            serde_json::to_string(&action.effect)?,
        ])?;
        summary.max_late_seconds = summary.max_late_seconds.max(action.late_seconds);
    }
    Ok(())
}

fn count_active(db: &Connection, journey: &Journey) -> Result<usize, ErpError> {
    let n: i64 = db.query_row(
        "SELECT COUNT(*) FROM crm_journey_states WHERE journey_id = ?1 AND status = 'active'",
        params![journey.id()],
        |r| r.get(0),
    )?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Enters every contact of a `crm_campaign_enrollments` row for one of the
/// journey's `enrolled_by` campaigns, at `at` (when the integration runs).
/// The enrollment's action id is the input's id, so a second run enters
/// nobody twice.
pub fn enroll(
    db: &mut Connection,
    dataset: &Dataset,
    journey: &Journey,
    at: Timestamp,
) -> Result<TickSummary, ErpError> {
    let rows: Vec<(String, String, Option<String>, Option<String>)> = {
        let mut stmt = db.prepare(
            "SELECT action_id, campaign_code, contact_no, opportunity_no
             FROM crm_campaign_enrollments ORDER BY action_id",
        )?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?
    };
    let mut summary = TickSummary::default();
    let tx = db.transaction()?;
    for (action_id, campaign, contact, deal) in rows {
        if !journey.doc().entry.enrolled_by.contains(&campaign) {
            continue;
        }
        let Some(contact) = contact else { continue };
        let input = Enrolled {
            id: action_id,
            campaign,
            contact: contact.parse()?,
            deal: deal.as_deref().map(str::parse).transpose()?,
            at,
        };
        let mut state = load_state(&tx, journey.id(), &contact)?.unwrap_or_else(JourneyState::new);
        match journey.advance_in_place(&mut state, &Input::Enrolled(input), dataset, at) {
            Ok(out) => {
                summary.contacts += 1;
                save(
                    &tx,
                    journey,
                    &contact,
                    &state,
                    &out.actions,
                    at,
                    &mut summary,
                )?;
            }
            Err(e) => summary.errors.push(format!(
                "table contact_persons, row contact_no={contact}: {e}"
            )),
        }
    }
    summary.active = count_active(&tx, journey)?;
    tx.commit()?;
    Ok(summary)
}

/// Advances every contact of `journey` that is due at `as_of` (read through
/// the `wake_unix` index, earliest first) and writes the new states and the
/// actions. Running it again at the same `as_of` changes nothing.
pub fn tick(
    db: &mut Connection,
    dataset: &Dataset,
    journey: &Journey,
    as_of: Timestamp,
) -> Result<TickSummary, ErpError> {
    let due: Vec<(String, String)> = {
        let mut stmt = db.prepare(
            "SELECT contact_no, state_json FROM crm_journey_states
             WHERE journey_id = ?1 AND wake_unix <= ?2
             ORDER BY wake_unix, contact_no",
        )?;
        stmt.query_map(params![journey.id(), as_of.timestamp()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?
    };
    let mut summary = TickSummary::default();
    let tx = db.transaction()?;
    for (contact, json) in due {
        let mut state = JourneyState::from_json(&json)?;
        match journey.advance_in_place(&mut state, &Input::Tick, dataset, as_of) {
            Ok(out) => {
                summary.contacts += 1;
                save(
                    &tx,
                    journey,
                    &contact,
                    &state,
                    &out.actions,
                    as_of,
                    &mut summary,
                )?;
            }
            Err(e) => summary.errors.push(format!(
                "table crm_journey_states, row contact_no={contact}: {e}"
            )),
        }
    }
    summary.active = count_active(&tx, journey)?;
    tx.commit()?;
    Ok(summary)
}
