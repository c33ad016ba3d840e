//! The ERP side: the tables a typical ERP keeps for customers, contact
//! persons, sales opportunities and the interaction log, and a loader that
//! fills them from crmkit's seeded sample company (as the ERP's own data
//! would be).
//!
//! ERP conventions on purpose: keys like `account_no`, amounts of
//! opportunities as TEXT decimals, revenues and campaign costs as INTEGER
//! minor units (cents), dates and instants as ISO 8601 text, status codes in
//! capitals, lists as comma-separated text and custom fields as JSON text.

use chrono::{NaiveDate, SecondsFormat};
use crmkit::model::{ActivityKind, DatasetParts, Timestamp};
use rusqlite::{Connection, params};

use super::ErpError;

/// The ERP's own tables (not crmkit's).
pub const ERP_DDL: &str = "
CREATE TABLE IF NOT EXISTS company_settings (
    setting_key   TEXT PRIMARY KEY,
    setting_value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS currency_rates (
    currency_code TEXT PRIMARY KEY,
    base_currency TEXT NOT NULL,
    rate_to_base  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sales_teams (
    team_code TEXT PRIMARY KEY,
    team_name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sales_reps (
    rep_no      TEXT PRIMARY KEY,
    full_name   TEXT NOT NULL,
    email       TEXT,
    team_code   TEXT REFERENCES sales_teams(team_code),
    territories TEXT,
    is_active   INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS pipeline_stages (
    pipeline_code   TEXT NOT NULL,
    pipeline_name   TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    stage_code      TEXT NOT NULL,
    stage_name      TEXT NOT NULL,
    win_probability TEXT NOT NULL,
    stage_kind      TEXT NOT NULL,
    PRIMARY KEY (pipeline_code, stage_code)
);
CREATE TABLE IF NOT EXISTS marketing_campaigns (
    campaign_code TEXT PRIMARY KEY,
    campaign_name TEXT NOT NULL,
    channel       TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    cost_minor    INTEGER NOT NULL,
    cost_currency TEXT NOT NULL,
    start_date    TEXT NOT NULL,
    end_date      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS customer_accounts (
    account_no           TEXT PRIMARY KEY,
    account_name         TEXT NOT NULL,
    industry             TEXT,
    employee_count       INTEGER,
    annual_revenue_minor INTEGER,
    revenue_currency     TEXT,
    country_code         TEXT,
    sales_territory      TEXT,
    account_manager      TEXT REFERENCES sales_reps(rep_no),
    created_on           TEXT,
    tags                 TEXT,
    custom_fields        TEXT
);
CREATE TABLE IF NOT EXISTS contact_persons (
    contact_no        TEXT PRIMARY KEY,
    account_no        TEXT REFERENCES customer_accounts(account_no),
    full_name         TEXT NOT NULL,
    email             TEXT,
    phone             TEXT,
    job_title         TEXT,
    owner_rep         TEXT REFERENCES sales_reps(rep_no),
    source_campaign   TEXT,
    country_code      TEXT,
    sales_territory   TEXT,
    created_at        TEXT NOT NULL,
    lifecycle_stage   TEXT NOT NULL,
    demographics      TEXT,
    tags              TEXT,
    custom_fields     TEXT
);
CREATE TABLE IF NOT EXISTS contact_stage_history (
    contact_no TEXT NOT NULL REFERENCES contact_persons(contact_no),
    seq        INTEGER NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage   TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (contact_no, seq)
);
CREATE TABLE IF NOT EXISTS sales_opportunities (
    opportunity_no  TEXT PRIMARY KEY,
    description     TEXT NOT NULL,
    contact_no      TEXT NOT NULL REFERENCES contact_persons(contact_no),
    account_no      TEXT REFERENCES customer_accounts(account_no),
    pipeline_code   TEXT NOT NULL,
    stage_code      TEXT NOT NULL,
    amount          TEXT NOT NULL,
    currency_code   TEXT NOT NULL,
    status          TEXT NOT NULL,
    lost_reason     TEXT,
    deal_type       TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    closed_at       TEXT,
    owner_rep       TEXT REFERENCES sales_reps(rep_no),
    source_campaign TEXT,
    tags            TEXT
);
CREATE TABLE IF NOT EXISTS opportunity_stage_log (
    opportunity_no TEXT NOT NULL REFERENCES sales_opportunities(opportunity_no),
    seq            INTEGER NOT NULL,
    stage_code     TEXT NOT NULL,
    entered_at     TEXT NOT NULL,
    exited_at      TEXT,
    PRIMARY KEY (opportunity_no, seq)
);
CREATE TABLE IF NOT EXISTS interaction_log (
    log_no           TEXT PRIMARY KEY,
    contact_no       TEXT NOT NULL REFERENCES contact_persons(contact_no),
    opportunity_no   TEXT,
    campaign_code    TEXT,
    rep_no           TEXT,
    logged_at        TEXT NOT NULL,
    interaction_type TEXT NOT NULL,
    details          TEXT
);
";

/// Creates the ERP tables if they are missing.
pub fn create_erp_tables(db: &Connection) -> Result<(), ErpError> {
    db.execute_batch(ERP_DDL)?;
    Ok(())
}

/// `true` when the ERP already holds customers (the example then leaves its
/// data alone).
pub fn has_erp_data(db: &Connection) -> Result<bool, ErpError> {
    let n: i64 = db.query_row("SELECT COUNT(*) FROM contact_persons", [], |r| r.get(0))?;
    Ok(n > 0)
}

/// ISO 8601 text of an instant, as the ERP stores it.
pub fn iso(t: Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn iso_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn join<'a>(items: impl IntoIterator<Item = &'a String>) -> Option<String> {
    let list: Vec<&str> = items.into_iter().map(String::as_str).collect();
    (!list.is_empty()).then(|| list.join(","))
}

/// The serde name of an enum value (`"cross_sell"`).
fn name_of<T: serde::Serialize>(value: &T) -> Result<String, ErpError> {
    match serde_json::to_value(value)? {
        serde_json::Value::String(s) => Ok(s),
        other => Ok(other.to_string()),
    }
}

fn cents(money: &crmkit::money::Money) -> Result<i64, ErpError> {
    Ok(money.to_minor(2)?)
}

/// Writes `parts` into the ERP tables, in one transaction. Tickets, tasks and
/// spend are not part of this ERP layout and are left out.
pub fn fill_erp(db: &mut Connection, parts: &DatasetParts) -> Result<(), ErpError> {
    let tx = db.transaction()?;
    {
        let mut settings = tx
            .prepare("INSERT INTO company_settings (setting_key, setting_value) VALUES (?1, ?2)")?;
        settings.execute(params![
            "fiscal_year_start_month",
            parts.fiscal_calendar.first_month().to_string()
        ])?;
        if let Some(c) = parts.reporting_currency {
            settings.execute(params!["reporting_currency", c.as_str()])?;
        }
        if let Some(rates) = &parts.exchange_rates {
            let doc = serde_json::to_value(rates)?;
            let mut stmt = tx.prepare(
                "INSERT INTO currency_rates (currency_code, base_currency, rate_to_base) VALUES (?1, ?2, ?3)",
            )?;
            if let Some(map) = doc.get("rates").and_then(|r| r.as_object()) {
                for (code, rate) in map {
                    let rate = rate
                        .as_str()
                        .map_or_else(|| rate.to_string(), str::to_string);
                    stmt.execute(params![code, rates.base().as_str(), rate])?;
                }
            }
        }

        let mut stmt =
            tx.prepare("INSERT INTO sales_teams (team_code, team_name) VALUES (?1, ?2)")?;
        for team in &parts.teams {
            stmt.execute(params![team.id.as_str(), team.name])?;
        }

        let mut stmt = tx.prepare(
            "INSERT INTO sales_reps (rep_no, full_name, email, team_code, territories, is_active)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for rep in &parts.reps {
            stmt.execute(params![
                rep.id.as_str(),
                rep.name,
                rep.email,
                rep.team.as_ref().map(|t| t.as_str()),
                join(&rep.territories),
                rep.active,
            ])?;
        }

        let mut stmt = tx.prepare(
            "INSERT INTO pipeline_stages (pipeline_code, pipeline_name, seq, stage_code, stage_name, win_probability, stage_kind)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for pipeline in &parts.pipelines {
            for (seq, stage) in pipeline.stages.iter().enumerate() {
                stmt.execute(params![
                    pipeline.id.as_str(),
                    pipeline.name,
                    seq as i64 + 1,
                    stage.id.as_str(),
                    stage.name,
                    stage.probability.value().to_string(),
                    name_of(&stage.kind)?.to_uppercase(),
                ])?;
            }
        }

        let mut stmt = tx.prepare(
            "INSERT INTO marketing_campaigns (campaign_code, campaign_name, channel, purpose, cost_minor, cost_currency, start_date, end_date)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for c in &parts.campaigns {
            stmt.execute(params![
                c.id.as_str(),
                c.name,
                name_of(&c.channel)?,
                name_of(&c.purpose)?,
                cents(&c.cost)?,
                c.cost.currency.as_str(),
                iso_date(c.start),
                iso_date(c.end),
            ])?;
        }

        let mut stmt = tx.prepare(
            "INSERT INTO customer_accounts (account_no, account_name, industry, employee_count, annual_revenue_minor,
                 revenue_currency, country_code, sales_territory, account_manager, created_on, tags, custom_fields)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for a in &parts.companies {
            let revenue = a.annual_revenue.as_ref().map(cents).transpose()?;
            let custom = if a.attributes.is_empty() {
                None
            } else {
                Some(serde_json::to_string(&a.attributes)?)
            };
            stmt.execute(params![
                a.id.as_str(),
                a.name,
                a.industry,
                a.employees,
                revenue,
                a.annual_revenue.as_ref().map(|m| m.currency.as_str()),
                a.country,
                a.territory,
                a.owner.as_ref().map(|r| r.as_str()),
                a.created_at.map(iso),
                join(&a.tags),
                custom,
            ])?;
        }

        let mut stmt = tx.prepare(
            "INSERT INTO contact_persons (contact_no, account_no, full_name, email, phone, job_title, owner_rep,
                 source_campaign, country_code, sales_territory, created_at, lifecycle_stage, demographics, tags, custom_fields)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        let mut history = tx.prepare(
            "INSERT INTO contact_stage_history (contact_no, seq, from_stage, to_stage, changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for c in &parts.contacts {
            let demographics = if c.demographics == Default::default() {
                None
            } else {
                Some(serde_json::to_string(&c.demographics)?)
            };
            let custom = if c.attributes.is_empty() {
                None
            } else {
                Some(serde_json::to_string(&c.attributes)?)
            };
            stmt.execute(params![
                c.id.as_str(),
                c.company.as_ref().map(|x| x.as_str()),
                c.name,
                c.email,
                c.phone,
                c.job_title,
                c.owner.as_ref().map(|x| x.as_str()),
                c.source_campaign.as_ref().map(|x| x.as_str()),
                c.country,
                c.territory,
                iso(c.created_at),
                c.lifecycle.stage.as_str(),
                demographics,
                join(&c.tags),
                custom,
            ])?;
            for (seq, t) in c.lifecycle.history.iter().enumerate() {
                history.execute(params![
                    c.id.as_str(),
                    seq as i64 + 1,
                    t.from.as_str(),
                    t.to.as_str(),
                    iso(t.at)
                ])?;
            }
        }

        let mut stmt = tx.prepare(
            "INSERT INTO sales_opportunities (opportunity_no, description, contact_no, account_no, pipeline_code,
                 stage_code, amount, currency_code, status, lost_reason, deal_type, created_at, closed_at,
                 owner_rep, source_campaign, tags)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?;
        let mut log = tx.prepare(
            "INSERT INTO opportunity_stage_log (opportunity_no, seq, stage_code, entered_at, exited_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for d in &parts.deals {
            stmt.execute(params![
                d.id.as_str(),
                d.name,
                d.contact.as_str(),
                d.company.as_ref().map(|x| x.as_str()),
                d.pipeline.as_str(),
                d.stage.as_str(),
                d.value.amount.to_string(),
                d.value.currency.as_str(),
                d.status.as_str().to_uppercase(),
                d.lost_reason,
                name_of(&d.kind)?.to_uppercase(),
                iso(d.created_at),
                d.closed_at.map(iso),
                d.owner.as_ref().map(|x| x.as_str()),
                d.source_campaign.as_ref().map(|x| x.as_str()),
                join(&d.tags),
            ])?;
            for (seq, v) in d.stage_history.iter().enumerate() {
                log.execute(params![
                    d.id.as_str(),
                    seq as i64 + 1,
                    v.stage.as_str(),
                    iso(v.entered_at),
                    v.exited_at.map(iso)
                ])?;
            }
        }

        let mut stmt = tx.prepare(
            "INSERT INTO interaction_log (log_no, contact_no, opportunity_no, campaign_code, rep_no, logged_at,
                 interaction_type, details)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for a in &parts.activities {
            stmt.execute(params![
                a.id.as_str(),
                a.contact.as_str(),
                a.deal.as_ref().map(|x| x.as_str()),
                a.campaign.as_ref().map(|x| x.as_str()),
                a.rep.as_ref().map(|x| x.as_str()),
                iso(a.at),
                a.kind.type_name(),
                details_of(&a.kind)?,
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// The type-specific fields of an interaction as JSON text (`None` when
/// there are none).
fn details_of(kind: &ActivityKind) -> Result<Option<String>, ErpError> {
    let mut value = serde_json::to_value(kind)?;
    if let Some(map) = value.as_object_mut() {
        map.remove("type");
        if map.is_empty() {
            return Ok(None);
        }
    }
    Ok(Some(value.to_string()))
}
