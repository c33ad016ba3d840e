//! Reading the ERP tables with SQL and mapping the rows into a crmkit
//! [`Dataset`]. Every problem with a row is a [`MapError`] naming the table,
//! the row's key and the column.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use crmkit::calendar::FiscalCalendar;
use crmkit::model::*;
use crmkit::money::{Currency, ExchangeRates, Money, Percent, parse_decimal};
use rusqlite::types::{FromSql, Type};
use rusqlite::{Connection, Row};
use serde::de::DeserializeOwned;

use super::ErpError;

/// A row that could not be mapped: where, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapError {
    /// The ERP table.
    pub table: String,
    /// The row's key (`contact_no=C-0001`).
    pub row: String,
    /// The column.
    pub column: String,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "table {}, row {}, column {}: {}",
            self.table, self.row, self.column, self.message
        )
    }
}

impl std::error::Error for MapError {}

/// One row being mapped, with what it takes to name it in an error.
struct Cells<'r, 's> {
    table: &'static str,
    key: String,
    row: &'r Row<'s>,
}

impl<'r, 's> Cells<'r, 's> {
    /// Starts on a row whose key is in `key_columns` (read as text).
    fn new(table: &'static str, key_columns: &[&str], row: &'r Row<'s>) -> Cells<'r, 's> {
        let key = key_columns
            .iter()
            .map(|c| {
                let v = match row.get_ref(*c) {
                    Ok(rusqlite::types::ValueRef::Text(t)) => {
                        String::from_utf8_lossy(t).into_owned()
                    }
                    Ok(rusqlite::types::ValueRef::Integer(i)) => i.to_string(),
                    Ok(rusqlite::types::ValueRef::Null) => "NULL".to_string(),
                    Ok(_) => "?".to_string(),
                    Err(_) => "?".to_string(),
                };
                format!("{c}={v}")
            })
            .collect::<Vec<_>>()
            .join(",");
        Cells { table, key, row }
    }

    fn err(&self, column: &str, message: impl Into<String>) -> MapError {
        MapError {
            table: self.table.to_string(),
            row: self.key.clone(),
            column: column.to_string(),
            message: message.into(),
        }
    }

    fn get<T: FromSql>(&self, column: &str, expected: &str) -> Result<T, MapError> {
        self.row.get::<_, T>(column).map_err(|e| match e {
            rusqlite::Error::InvalidColumnType(_, _, found) => {
                let found = match found {
                    Type::Null => "null",
                    Type::Integer => "an integer",
                    Type::Real => "a real number",
                    Type::Text => "text",
                    Type::Blob => "a blob",
                };
                self.err(column, format!("expected {expected}, found {found}"))
            }
            rusqlite::Error::IntegralValueOutOfRange(_, v) => {
                self.err(column, format!("expected {expected}, {v} is out of range"))
            }
            other => self.err(column, format!("expected {expected}: {other}")),
        })
    }

    fn opt_text(&self, column: &str) -> Result<Option<String>, MapError> {
        Ok(self
            .get::<Option<String>>(column, "text")?
            .filter(|s| !s.trim().is_empty()))
    }

    fn text(&self, column: &str) -> Result<String, MapError> {
        self.opt_text(column)?
            .ok_or_else(|| self.err(column, "expected text, found an empty value"))
    }

    /// A value parsed by `parse`, whose error message is kept.
    fn opt_parsed<T>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, MapError> {
        match self.opt_text(column)? {
            None => Ok(None),
            Some(text) => parse(&text).map(Some).map_err(|m| self.err(column, m)),
        }
    }

    fn parsed<T>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, MapError> {
        let text = self.text(column)?;
        parse(&text).map_err(|m| self.err(column, m))
    }

    fn opt_id<T>(
        &self,
        column: &str,
        new: fn(String) -> crmkit::Result<T>,
    ) -> Result<Option<T>, MapError> {
        self.opt_parsed(column, |s| new(s.to_string()).map_err(|e| e.to_string()))
    }

    fn id<T>(&self, column: &str, new: fn(String) -> crmkit::Result<T>) -> Result<T, MapError> {
        self.parsed(column, |s| new(s.to_string()).map_err(|e| e.to_string()))
    }

    fn opt_timestamp(&self, column: &str) -> Result<Option<Timestamp>, MapError> {
        self.opt_parsed(column, timestamp)
    }

    fn timestamp(&self, column: &str) -> Result<Timestamp, MapError> {
        self.parsed(column, timestamp)
    }

    fn date(&self, column: &str) -> Result<NaiveDate, MapError> {
        self.parsed(column, |s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| format!("expected an ISO date (YYYY-MM-DD), got '{s}'"))
        })
    }

    fn currency(&self, column: &str) -> Result<Currency, MapError> {
        self.parsed(column, currency)
    }

    /// Integer minor units (cents) plus a currency column.
    fn opt_minor_money(&self, amount: &str, currency: &str) -> Result<Option<Money>, MapError> {
        let Some(minor) = self.get::<Option<i64>>(amount, "an integer amount in minor units")?
        else {
            return Ok(None);
        };
        let currency = self.currency(currency)?;
        Money::from_minor(minor, currency, 2)
            .map(Some)
            .map_err(|e| self.err(amount, e.to_string()))
    }

    /// A serde enum from its (case-insensitive) name.
    fn name<T: DeserializeOwned>(&self, column: &str, what: &str) -> Result<T, MapError> {
        self.parsed(column, |s| {
            serde_json::from_value(serde_json::Value::String(s.to_lowercase()))
                .map_err(|_| format!("expected {what}, got '{s}'"))
        })
    }

    /// A JSON text column holding `T`.
    fn opt_json<T: DeserializeOwned>(&self, column: &str) -> Result<Option<T>, MapError> {
        self.opt_parsed(column, |s| {
            crmkit::Error::parse_json::<T>(s).map_err(|e| format!("invalid JSON: {e}"))
        })
    }

    fn list(&self, column: &str) -> Result<Vec<String>, MapError> {
        Ok(self
            .opt_text(column)?
            .map(|s| {
                s.split(',')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default())
    }

    fn tags(&self, column: &str) -> Result<BTreeSet<String>, MapError> {
        Ok(self.list(column)?.into_iter().collect())
    }
}

/// An instant: RFC 3339 (`2026-01-31T09:00:00Z`, any offset), or SQLite's
/// own `datetime()` form (`2026-01-31 09:00:00`, taken as UTC).
fn timestamp(s: &str) -> Result<Timestamp, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").map(|t| t.and_utc())
        })
        .map_err(|_| format!("expected an ISO 8601 timestamp (2026-01-31T09:00:00Z), got '{s}'"))
}

fn currency(s: &str) -> Result<Currency, String> {
    Currency::new(s).map_err(|_| format!("expected an ISO 4217 currency code, got '{s}'"))
}

fn decimal(s: &str) -> Result<rust_decimal::Decimal, String> {
    parse_decimal(s).map_err(|_| format!("expected a decimal number, got '{s}'"))
}

/// Runs `sql` and maps each row; the first error stops.
fn map_rows<T>(
    db: &Connection,
    sql: &str,
    mut map: impl FnMut(&Row<'_>) -> Result<T, ErpError>,
) -> Result<Vec<T>, ErpError> {
    let mut stmt = db.prepare(sql)?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(map(row)?);
    }
    Ok(out)
}

/// Row keys of the records mapped, by dataset list, so that an error the
/// dataset's own validation reports (`deals[3].contact`) can be named in ERP
/// terms.
#[derive(Debug, Default, Clone)]
pub struct RowKeys {
    lists: BTreeMap<&'static str, (&'static str, &'static str, Vec<String>)>,
}

impl RowKeys {
    fn add(
        &mut self,
        list: &'static str,
        table: &'static str,
        key_column: &'static str,
        keys: Vec<String>,
    ) {
        self.lists.insert(list, (table, key_column, keys));
    }

    /// Turns a dataset validation error into a [`MapError`] when its path
    /// names a record that came from a table row.
    pub fn locate(&self, error: &crmkit::Error) -> Option<MapError> {
        let path = error.path()?;
        let (list, rest) = path.split_once('[')?;
        let (index, field) = rest.split_once(']')?;
        let index: usize = index.parse().ok()?;
        let (table, key_column, keys) = self.lists.get(list)?;
        let key = keys.get(index)?;
        let field = field.trim_start_matches('.');
        let column = COLUMN_OF
            .iter()
            .find(|(l, f, _)| *l == list && field.starts_with(f))
            .map_or(field, |(_, _, c)| c);
        Some(MapError {
            table: table.to_string(),
            row: format!("{key_column}={key}"),
            column: column.to_string(),
            message: error.message().to_string(),
        })
    }
}

/// crmkit field → ERP column, for errors found by the dataset's validation.
const COLUMN_OF: &[(&str, &str, &str)] = &[
    ("contacts", "company", "account_no"),
    ("contacts", "owner", "owner_rep"),
    ("contacts", "lifecycle", "lifecycle_stage"),
    ("contacts", "created_at", "created_at"),
    ("contacts", "source_campaign", "source_campaign"),
    ("companies", "owner", "account_manager"),
    ("deals", "contact", "contact_no"),
    ("deals", "company", "account_no"),
    ("deals", "pipeline", "pipeline_code"),
    ("deals", "stage_history", "opportunity_stage_log"),
    ("deals", "stage", "stage_code"),
    ("deals", "value", "amount"),
    ("deals", "closed_at", "closed_at"),
    ("deals", "owner", "owner_rep"),
    ("deals", "status", "status"),
    ("activities", "contact", "contact_no"),
    ("activities", "deal", "opportunity_no"),
    ("activities", "campaign", "campaign_code"),
    ("activities", "rep", "rep_no"),
    ("activities", "kind", "details"),
    ("reps", "team", "team_code"),
];

/// Reads every ERP table into [`DatasetParts`], with the row keys of each
/// list.
pub fn read_parts(db: &Connection) -> Result<(DatasetParts, RowKeys), ErpError> {
    let mut parts = DatasetParts::default();
    let mut keys = RowKeys::default();

    // Settings.
    let settings: BTreeMap<String, String> = map_rows(
        db,
        "SELECT setting_key, setting_value FROM company_settings ORDER BY setting_key",
        |r| {
            let c = Cells::new("company_settings", &["setting_key"], r);
            Ok((c.text("setting_key")?, c.text("setting_value")?))
        },
    )?
    .into_iter()
    .collect();
    if let Some(month) = settings.get("fiscal_year_start_month") {
        let bad = |m: String| MapError {
            table: "company_settings".into(),
            row: "setting_key=fiscal_year_start_month".into(),
            column: "setting_value".into(),
            message: m,
        };
        let month: u32 = month
            .parse()
            .map_err(|_| bad(format!("expected a month number 1-12, got '{month}'")))?;
        parts.fiscal_calendar = FiscalCalendar::new(month).map_err(|e| bad(e.to_string()))?;
    }
    if let Some(code) = settings.get("reporting_currency") {
        parts.reporting_currency = Some(currency(code).map_err(|m| MapError {
            table: "company_settings".into(),
            row: "setting_key=reporting_currency".into(),
            column: "setting_value".into(),
            message: m,
        })?);
    }

    // Exchange rates.
    let rates = map_rows(
        db,
        "SELECT currency_code, base_currency, rate_to_base FROM currency_rates ORDER BY currency_code",
        |r| {
            let c = Cells::new("currency_rates", &["currency_code"], r);
            Ok((
                c.currency("currency_code")?,
                c.currency("base_currency")?,
                c.parsed("rate_to_base", decimal)?,
                c.key.clone(),
            ))
        },
    )?;
    for (code, base, rate, key) in rates {
        let table = parts
            .exchange_rates
            .get_or_insert_with(|| ExchangeRates::new(base));
        let bad = |column: &str, message: String| MapError {
            table: "currency_rates".into(),
            row: key.clone(),
            column: column.into(),
            message,
        };
        if table.base() != base {
            return Err(bad(
                "base_currency",
                format!(
                    "expected the same base as the other rates ({}), got {base}",
                    table.base()
                ),
            )
            .into());
        }
        table
            .set(code, rate)
            .map_err(|e| bad("rate_to_base", e.to_string()))?;
    }

    parts.teams = map_rows(db, "SELECT * FROM sales_teams ORDER BY team_code", |r| {
        let c = Cells::new("sales_teams", &["team_code"], r);
        Ok(Team {
            id: c.id("team_code", TeamId::new)?,
            name: c.text("team_name")?,
        })
    })?;

    parts.reps = map_rows(db, "SELECT * FROM sales_reps ORDER BY rep_no", |r| {
        let c = Cells::new("sales_reps", &["rep_no"], r);
        Ok(SalesRep {
            id: c.id("rep_no", RepId::new)?,
            name: c.text("full_name")?,
            email: c.opt_text("email")?,
            team: c.opt_id("team_code", TeamId::new)?,
            territories: c.list("territories")?,
            active: c.get::<bool>("is_active", "0 or 1")?,
        })
    })?;
    keys.add(
        "reps",
        "sales_reps",
        "rep_no",
        parts
            .reps
            .iter()
            .map(|r| r.id.as_str().to_string())
            .collect(),
    );

    // Pipelines: one row per stage, grouped by pipeline in stage order.
    let stages = map_rows(
        db,
        "SELECT * FROM pipeline_stages ORDER BY pipeline_code, seq",
        |r| {
            let c = Cells::new("pipeline_stages", &["pipeline_code", "stage_code"], r);
            let stage = Stage {
                id: c.id("stage_code", StageId::new)?,
                name: c.text("stage_name")?,
                probability: c.parsed("win_probability", |s| {
                    Percent::new(decimal(s)?).map_err(|e| e.to_string())
                })?,
                kind: c.name("stage_kind", "OPEN, WON or LOST")?,
            };
            Ok((
                c.id("pipeline_code", PipelineId::new)?,
                c.text("pipeline_name")?,
                stage,
            ))
        },
    )?;
    for (id, name, stage) in stages {
        match parts.pipelines.last_mut() {
            Some(p) if p.id == id => p.stages.push(stage),
            _ => parts.pipelines.push(Pipeline {
                id,
                name,
                stages: vec![stage],
            }),
        }
    }

    parts.campaigns = map_rows(
        db,
        "SELECT * FROM marketing_campaigns ORDER BY campaign_code",
        |r| {
            let c = Cells::new("marketing_campaigns", &["campaign_code"], r);
            Ok(Campaign {
                id: c.id("campaign_code", CampaignId::new)?,
                name: c.text("campaign_name")?,
                channel: c.name("channel", "a marketing channel (email, social, search...)")?,
                purpose: c.name("purpose", "a campaign purpose")?,
                cost: c
                    .opt_minor_money("cost_minor", "cost_currency")?
                    .ok_or_else(|| {
                        c.err(
                            "cost_minor",
                            "expected an integer amount in minor units, found NULL",
                        )
                    })?,
                start: c.date("start_date")?,
                end: c.date("end_date")?,
            })
        },
    )?;

    parts.companies = map_rows(
        db,
        "SELECT * FROM customer_accounts ORDER BY account_no",
        |r| {
            let c = Cells::new("customer_accounts", &["account_no"], r);
            Ok(Company {
                id: c.id("account_no", CompanyId::new)?,
                name: c.text("account_name")?,
                industry: c.opt_text("industry")?,
                employees: c.get::<Option<u32>>("employee_count", "a whole number of employees")?,
                annual_revenue: c.opt_minor_money("annual_revenue_minor", "revenue_currency")?,
                country: c.opt_text("country_code")?,
                territory: c.opt_text("sales_territory")?,
                owner: c.opt_id("account_manager", RepId::new)?,
                created_at: c.opt_timestamp("created_on")?,
                tags: c.tags("tags")?,
                attributes: c.opt_json("custom_fields")?.unwrap_or_default(),
            })
        },
    )?;
    keys.add(
        "companies",
        "customer_accounts",
        "account_no",
        parts
            .companies
            .iter()
            .map(|r| r.id.as_str().to_string())
            .collect(),
    );

    // Lifecycle history, grouped by contact.
    let mut history: BTreeMap<String, Vec<LifecycleTransition>> = BTreeMap::new();
    for (contact, t) in map_rows(
        db,
        "SELECT * FROM contact_stage_history ORDER BY contact_no, seq",
        |r| {
            let c = Cells::new("contact_stage_history", &["contact_no", "seq"], r);
            let stage = |col: &str| -> Result<LifecycleStage, MapError> {
                c.parsed(col, |s| {
                    LifecycleStage::parse(&s.to_lowercase()).ok_or_else(|| {
                        format!("expected a lifecycle stage (lead, mql, sql...), got '{s}'")
                    })
                })
            };
            Ok((
                c.text("contact_no")?,
                LifecycleTransition {
                    from: stage("from_stage")?,
                    to: stage("to_stage")?,
                    at: c.timestamp("changed_at")?,
                },
            ))
        },
    )? {
        history.entry(contact).or_default().push(t);
    }

    parts.contacts = map_rows(
        db,
        "SELECT * FROM contact_persons ORDER BY contact_no",
        |r| {
            let c = Cells::new("contact_persons", &["contact_no"], r);
            let id = c.id("contact_no", ContactId::new)?;
            let stage = c.parsed("lifecycle_stage", |s| {
                LifecycleStage::parse(&s.to_lowercase()).ok_or_else(|| {
                    format!("expected a lifecycle stage (lead, mql, sql...), got '{s}'")
                })
            })?;
            Ok(Contact {
                name: c.text("full_name")?,
                email: c.opt_text("email")?,
                phone: c.opt_text("phone")?,
                job_title: c.opt_text("job_title")?,
                company: c.opt_id("account_no", CompanyId::new)?,
                owner: c.opt_id("owner_rep", RepId::new)?,
                source_campaign: c.opt_id("source_campaign", CampaignId::new)?,
                country: c.opt_text("country_code")?,
                territory: c.opt_text("sales_territory")?,
                created_at: c.timestamp("created_at")?,
                lifecycle: Lifecycle {
                    stage,
                    history: history.remove(id.as_str()).unwrap_or_default(),
                },
                demographics: c.opt_json("demographics")?.unwrap_or_default(),
                tags: c.tags("tags")?,
                attributes: c.opt_json("custom_fields")?.unwrap_or_default(),
                id,
            })
        },
    )?;
    if let Some(orphan) = history.keys().next() {
        return Err(MapError {
            table: "contact_stage_history".into(),
            row: format!("contact_no={orphan}"),
            column: "contact_no".into(),
            message: format!("no contact person {orphan}"),
        }
        .into());
    }
    keys.add(
        "contacts",
        "contact_persons",
        "contact_no",
        parts
            .contacts
            .iter()
            .map(|r| r.id.as_str().to_string())
            .collect(),
    );

    let mut visits: BTreeMap<String, Vec<StageVisit>> = BTreeMap::new();
    for (deal, v) in map_rows(
        db,
        "SELECT * FROM opportunity_stage_log ORDER BY opportunity_no, seq",
        |r| {
            let c = Cells::new("opportunity_stage_log", &["opportunity_no", "seq"], r);
            Ok((
                c.text("opportunity_no")?,
                StageVisit {
                    stage: c.id("stage_code", StageId::new)?,
                    entered_at: c.timestamp("entered_at")?,
                    exited_at: c.opt_timestamp("exited_at")?,
                },
            ))
        },
    )? {
        visits.entry(deal).or_default().push(v);
    }

    parts.deals = map_rows(
        db,
        "SELECT * FROM sales_opportunities ORDER BY opportunity_no",
        |r| {
            let c = Cells::new("sales_opportunities", &["opportunity_no"], r);
            let id = c.id("opportunity_no", DealId::new)?;
            let currency = c.currency("currency_code")?;
            Ok(Deal {
                name: c.text("description")?,
                contact: c.id("contact_no", ContactId::new)?,
                company: c.opt_id("account_no", CompanyId::new)?,
                pipeline: c.id("pipeline_code", PipelineId::new)?,
                stage: c.id("stage_code", StageId::new)?,
                value: c.parsed("amount", |s| Ok(Money::new(decimal(s)?, currency)))?,
                status: c.name("status", "OPEN, WON or LOST")?,
                lost_reason: c.opt_text("lost_reason")?,
                kind: c.name("deal_type", "NEW, RENEWAL, UPSELL or CROSS_SELL")?,
                created_at: c.timestamp("created_at")?,
                closed_at: c.opt_timestamp("closed_at")?,
                owner: c.opt_id("owner_rep", RepId::new)?,
                source_campaign: c.opt_id("source_campaign", CampaignId::new)?,
                stage_history: visits.remove(id.as_str()).unwrap_or_default(),
                tags: c.tags("tags")?,
                id,
            })
        },
    )?;
    keys.add(
        "deals",
        "sales_opportunities",
        "opportunity_no",
        parts
            .deals
            .iter()
            .map(|r| r.id.as_str().to_string())
            .collect(),
    );

    parts.activities = map_rows(db, "SELECT * FROM interaction_log ORDER BY log_no", |r| {
        let c = Cells::new("interaction_log", &["log_no"], r);
        let kind_name = c.text("interaction_type")?;
        let mut details: serde_json::Map<String, serde_json::Value> =
            c.opt_json("details")?.unwrap_or_default();
        details.insert(
            "type".into(),
            serde_json::Value::String(kind_name.to_lowercase()),
        );
        let kind: ActivityKind = crmkit::Error::parse_json(
            &serde_json::Value::Object(details).to_string(),
        )
        .map_err(|e| {
            let column = match e.path() {
                Some("type") => "interaction_type",
                _ => "details",
            };
            c.err(
                column,
                format!("not a valid '{kind_name}' interaction: {e}"),
            )
        })?;
        Ok(Activity {
            id: c.id("log_no", ActivityId::new)?,
            contact: c.id("contact_no", ContactId::new)?,
            at: c.timestamp("logged_at")?,
            deal: c.opt_id("opportunity_no", DealId::new)?,
            campaign: c.opt_id("campaign_code", CampaignId::new)?,
            rep: c.opt_id("rep_no", RepId::new)?,
            kind,
        })
    })?;
    keys.add(
        "activities",
        "interaction_log",
        "log_no",
        parts
            .activities
            .iter()
            .map(|r| r.id.as_str().to_string())
            .collect(),
    );
    Ok((parts, keys))
}

/// Reads the ERP tables and builds the validated dataset; a record the
/// dataset rejects is reported by its table, row and column.
pub fn load_dataset(db: &Connection) -> Result<Dataset, ErpError> {
    let (parts, keys) = read_parts(db)?;
    Dataset::new(parts).map_err(|e| match keys.locate(&e) {
        Some(located) => ErpError::Map(located),
        None => ErpError::Crm(e),
    })
}
