//! The ERP integration example (`examples/erp_sqlite`), checked end to end:
//! rows in → dataset → scores and routing actions → rows out, an idempotent
//! rerun, journey states kept in the database with a tick that catches up
//! after a pause, and malformed rows reported by table, row and column.

#[path = "../examples/erp_sqlite/erp/mod.rs"]
#[allow(dead_code)]
mod erp;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use crmkit::automation::Effect;
use crmkit::model::{Dataset, DatasetParts};
use crmkit::money::Currency;
use crmkit::sample::{SAMPLE_AS_OF, SampleConfig, generate_parts};
use crmkit::scoring::{LeadInput, ScoringModel};
use erp::{ErpError, MapError, journeys, load, results, schema};
use proptest::prelude::*;
use rusqlite::{Connection, params};

const MODEL: &str = include_str!("../examples/data/scoring_model.json");

fn small_parts() -> DatasetParts {
    static PARTS: OnceLock<DatasetParts> = OnceLock::new();
    PARTS
        .get_or_init(|| {
            generate_parts(&SampleConfig {
                contacts: 80,
                companies: 20,
                activities_per_contact: 8,
                ..SampleConfig::default()
            })
            .expect("sample parts")
        })
        .clone()
}

fn erp_db(parts: &DatasetParts) -> Connection {
    let mut db = Connection::open_in_memory().expect("in-memory db");
    schema::create_erp_tables(&db).expect("erp tables");
    schema::fill_erp(&mut db, parts).expect("fill erp");
    results::create_result_tables(&db).expect("result tables");
    db
}

/// What the ERP layout keeps of the sample: everything but tickets, tasks
/// and spend, with each list in key order (the order the SQL reads it in).
fn expected_dataset(parts: &DatasetParts) -> Dataset {
    let mut p = parts.clone();
    p.tickets.clear();
    p.tasks.clear();
    p.spend.clear();
    p.contacts.sort_by(|a, b| a.id.cmp(&b.id));
    p.companies.sort_by(|a, b| a.id.cmp(&b.id));
    p.deals.sort_by(|a, b| a.id.cmp(&b.id));
    p.activities.sort_by(|a, b| a.id.cmp(&b.id));
    p.reps.sort_by(|a, b| a.id.cmp(&b.id));
    p.teams.sort_by(|a, b| a.id.cmp(&b.id));
    p.campaigns.sort_by(|a, b| a.id.cmp(&b.id));
    p.pipelines.sort_by(|a, b| a.id.cmp(&b.id));
    Dataset::new(p).expect("expected dataset")
}

fn map_error(result: Result<Dataset, ErpError>) -> MapError {
    match result {
        Err(ErpError::Map(e)) => e,
        Err(other) => panic!("expected a mapping error, got {other}"),
        Ok(_) => panic!("expected a mapping error, the rows were accepted"),
    }
}

fn first_key(db: &Connection, sql: &str) -> String {
    db.query_row(sql, [], |r| r.get(0)).expect("a key")
}

#[test]
fn erp_rows_map_back_to_the_same_dataset() {
    let parts = small_parts();
    let db = erp_db(&parts);
    let loaded = load::load_dataset(&db).expect("load");
    let expected = expected_dataset(&parts);
    assert_eq!(loaded.counts(), expected.counts());
    assert_eq!(loaded, expected);
    // The layout really is the ERP's: EUR/GBP amounts as decimal text.
    let currencies: BTreeSet<String> = db
        .prepare("SELECT DISTINCT currency_code FROM sales_opportunities")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("currencies");
    assert!(currencies.len() > 1, "{currencies:?}");
}

#[test]
fn lead_scores_written_back_match_the_scoring_engine() {
    let parts = small_parts();
    let mut db = erp_db(&parts);
    let dataset = load::load_dataset(&db).expect("load");
    let model = ScoringModel::from_json(MODEL).expect("model");
    let (scores, summary) =
        results::score_leads(&mut db, &dataset, &model, SAMPLE_AS_OF).expect("score");
    assert!(summary.leads > 0);
    assert_eq!(summary.leads, scores.len());

    let rows: i64 = db
        .query_row("SELECT COUNT(*) FROM crm_lead_scores", [], |r| r.get(0))
        .expect("count");
    assert_eq!(rows as usize, summary.leads);

    for i in 0..dataset.contacts().len() {
        let Some(lead) = LeadInput::from_dataset(&dataset, i) else {
            continue;
        };
        let stage = lead.contact.lifecycle.stage;
        let row: Option<(String, Option<String>, Option<String>)> = db
            .query_row(
                "SELECT score, grade, recommended_stage FROM crm_lead_scores WHERE contact_no = ?1",
                params![lead.contact.id.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .ok();
        if stage.is_customer() || stage == crmkit::model::LifecycleStage::Disqualified {
            assert!(row.is_none(), "{} is not a lead", lead.contact.id);
            continue;
        }
        let expected = model.score(&lead, SAMPLE_AS_OF).expect("score");
        let (score, grade, recommended) = row.expect("a score row for every lead");
        assert_eq!(score, expected.total.to_string());
        assert_eq!(grade, expected.grade);
        assert_eq!(
            recommended.as_deref(),
            expected.recommendation.as_ref().map(|r| r.to.as_str())
        );
        let reasons: Vec<(String, String)> = db
            .prepare(
                "SELECT rule_id, points FROM crm_lead_score_reasons WHERE contact_no = ?1 ORDER BY rank",
            )
            .and_then(|mut s| {
                s.query_map(params![lead.contact.id.as_str()], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .collect()
            })
            .expect("reasons");
        let top: Vec<(String, String)> = results::top_reasons(&expected)
            .iter()
            .map(|c| {
                let sign = if c.points.is_sign_negative() { "" } else { "+" };
                (c.rule.clone(), format!("{sign}{}", c.points))
            })
            .collect();
        assert!(reasons.len() <= results::TOP_REASONS);
        assert_eq!(reasons, top);
    }

    // Scoring again updates the rows in place.
    results::score_leads(&mut db, &dataset, &model, SAMPLE_AS_OF).expect("rescore");
    let again: i64 = db
        .query_row("SELECT COUNT(*) FROM crm_lead_scores", [], |r| r.get(0))
        .expect("count");
    assert_eq!(again as usize, summary.leads);
}

#[test]
fn routing_writes_tasks_and_enrollments_once_and_a_rerun_adds_nothing() {
    let parts = small_parts();
    let mut db = erp_db(&parts);
    let dataset = load::load_dataset(&db).expect("load");
    let rules = results::routing_rules().expect("rules");

    let first = results::route_open_deals(&mut db, &dataset, &rules).expect("first run");
    let open = dataset.deals().iter().filter(|d| d.is_open()).count();
    assert_eq!(first.deals, open);
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    assert!(first.tasks.0 > 0 && first.enrollments.0 > 0, "{first:?}");
    // With the boundary on the call branch every open deal is routed once.
    assert_eq!(first.tasks.0 + first.enrollments.0, open);
    assert_eq!(first.tasks.1, first.tasks.0);
    assert_eq!(first.enrollments.1, first.enrollments.0);

    let second = results::route_open_deals(&mut db, &dataset, &rules).expect("second run");
    assert_eq!(
        (second.tasks.0, second.enrollments.0),
        (first.tasks.0, first.enrollments.0)
    );
    assert_eq!((second.tasks.1, second.enrollments.1), (0, 0));

    let count = |table: &str| -> usize {
        db.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .expect("count") as usize
    };
    assert_eq!(count("crm_tasks"), first.tasks.0);
    assert_eq!(count("crm_campaign_enrollments"), first.enrollments.0);

    // The rows are the engine's actions, keyed by their ids, and the split
    // is the $500 rule: tasks for deals worth at least $500, nurture below.
    let events = results::open_deal_events(&dataset);
    let run = rules
        .dry_run(&dataset, &events, &Default::default())
        .expect("dry run");
    let usd = Currency::new("USD").expect("usd");
    let rates = dataset.exchange_rates().expect("rates");
    for action in &run.actions {
        let deal_no = action.entity.strip_prefix("deal:").expect("deal entity");
        let deal = dataset
            .deal(&crmkit::model::DealId::new(deal_no).expect("id"))
            .expect("deal");
        let usd_value = rates.convert(&deal.value, usd).expect("convert").amount;
        let (table, big) = match action.effect {
            Effect::CreateTask { .. } => ("crm_tasks", true),
            Effect::EnrollInCampaign { .. } => ("crm_campaign_enrollments", false),
            _ => panic!("unexpected action {action:?}"),
        };
        assert_eq!(
            usd_value >= rust_decimal::Decimal::from(500),
            big,
            "{deal_no} worth {usd_value} USD"
        );
        let stored: String = db
            .query_row(
                &format!("SELECT opportunity_no FROM {table} WHERE action_id = ?1"),
                params![action.id],
                |r| r.get(0),
            )
            .expect("row for action");
        assert_eq!(stored, deal_no);
    }
}

#[test]
fn deals_the_rules_cannot_evaluate_are_named_and_the_rest_still_routed() {
    let parts = small_parts();
    let mut db = erp_db(&parts);
    // Without exchange rates a EUR or GBP deal cannot be compared with $500.
    db.execute("DELETE FROM currency_rates", [])
        .expect("delete rates");
    let dataset = load::load_dataset(&db).expect("load");
    assert!(dataset.exchange_rates().is_none());
    let foreign: BTreeSet<String> = dataset
        .deals()
        .iter()
        .filter(|d| d.is_open() && d.value.currency.as_str() != "USD")
        .map(|d| d.id.as_str().to_string())
        .collect();
    assert!(!foreign.is_empty());
    let rules = results::routing_rules().expect("rules");
    let run = results::route_open_deals(&mut db, &dataset, &rules).expect("route");
    assert_eq!(run.errors.len(), foreign.len(), "{:?}", run.errors);
    for deal in &foreign {
        let named = format!("table sales_opportunities, row opportunity_no={deal}: ");
        assert!(
            run.errors.iter().any(|e| e.starts_with(&named)),
            "{deal} missing from {:?}",
            run.errors
        );
    }
    assert_eq!(
        run.tasks.1 + run.enrollments.1 + foreign.len(),
        run.deals,
        "{run:?}"
    );
}

#[test]
fn malformed_timestamp_names_table_row_and_column() {
    let db = erp_db(&small_parts());
    let key = first_key(
        &db,
        "SELECT contact_no FROM contact_persons ORDER BY contact_no LIMIT 1",
    );
    db.execute(
        "UPDATE contact_persons SET created_at = 'yesterday' WHERE contact_no = ?1",
        params![key],
    )
    .expect("update");
    let e = map_error(load::load_dataset(&db));
    assert_eq!(e.table, "contact_persons");
    assert_eq!(e.row, format!("contact_no={key}"));
    assert_eq!(e.column, "created_at");
    assert!(e.message.contains("'yesterday'"), "{e}");
    let text = ErpError::Map(e).to_string();
    assert!(
        text.contains(&format!(
            "table contact_persons, row contact_no={key}, column created_at"
        )),
        "{text}"
    );
}

#[test]
fn sqlite_datetime_text_is_read_as_utc() {
    let parts = small_parts();
    let db = erp_db(&parts);
    let key = first_key(
        &db,
        "SELECT contact_no FROM contact_persons ORDER BY contact_no LIMIT 1",
    );
    let iso: String = db
        .query_row(
            "SELECT created_at FROM contact_persons WHERE contact_no = ?1",
            params![key],
            |r| r.get(0),
        )
        .expect("created_at");
    db.execute(
        "UPDATE contact_persons SET created_at = datetime(created_at) WHERE contact_no = ?1",
        params![key],
    )
    .expect("update");
    let native: String = db
        .query_row(
            "SELECT created_at FROM contact_persons WHERE contact_no = ?1",
            params![key],
            |r| r.get(0),
        )
        .expect("created_at");
    assert_ne!(native, iso, "the cell now holds SQLite's own form");
    let loaded = load::load_dataset(&db).expect("load");
    assert_eq!(loaded, expected_dataset(&parts));
}

#[test]
fn malformed_amount_text_and_wrong_column_type_are_reported() {
    let db = erp_db(&small_parts());
    let opp = first_key(
        &db,
        "SELECT opportunity_no FROM sales_opportunities ORDER BY opportunity_no LIMIT 1",
    );
    db.execute(
        "UPDATE sales_opportunities SET amount = '1.234,50' WHERE opportunity_no = ?1",
        params![opp],
    )
    .expect("update");
    let e = map_error(load::load_dataset(&db));
    assert_eq!(
        (e.table.as_str(), e.row.as_str(), e.column.as_str()),
        (
            "sales_opportunities",
            format!("opportunity_no={opp}").as_str(),
            "amount"
        )
    );
    assert!(e.message.contains("decimal"), "{e}");

    let db = erp_db(&small_parts());
    let acc = first_key(
        &db,
        "SELECT account_no FROM customer_accounts ORDER BY account_no LIMIT 1",
    );
    db.execute(
        "UPDATE customer_accounts SET employee_count = 'many' WHERE account_no = ?1",
        params![acc],
    )
    .expect("update");
    let e = map_error(load::load_dataset(&db));
    assert_eq!(
        (e.table.as_str(), e.row.as_str(), e.column.as_str()),
        (
            "customer_accounts",
            format!("account_no={acc}").as_str(),
            "employee_count"
        )
    );
    assert!(e.message.contains("found text"), "{e}");
}

#[test]
fn malformed_interaction_details_and_status_codes_are_reported() {
    let db = erp_db(&small_parts());
    let log = first_key(
        &db,
        "SELECT log_no FROM interaction_log WHERE interaction_type = 'call' ORDER BY log_no LIMIT 1",
    );
    db.execute(
        "UPDATE interaction_log SET details = '{\"direction\": \"sideways\"}' WHERE log_no = ?1",
        params![log],
    )
    .expect("update");
    let e = map_error(load::load_dataset(&db));
    assert_eq!(
        (e.table.as_str(), e.column.as_str()),
        ("interaction_log", "details")
    );
    assert_eq!(e.row, format!("log_no={log}"));

    let db = erp_db(&small_parts());
    let opp = first_key(
        &db,
        "SELECT opportunity_no FROM sales_opportunities ORDER BY opportunity_no LIMIT 1",
    );
    db.execute(
        "UPDATE sales_opportunities SET status = 'PENDING' WHERE opportunity_no = ?1",
        params![opp],
    )
    .expect("update");
    let e = map_error(load::load_dataset(&db));
    assert_eq!(
        (e.table.as_str(), e.column.as_str()),
        ("sales_opportunities", "status")
    );
    assert!(e.message.contains("'PENDING'"), "{e}");
}

#[test]
fn a_dangling_reference_found_by_validation_is_named_in_erp_terms() {
    let db = erp_db(&small_parts());
    // Many ERPs declare no foreign keys; then only the dataset's validation
    // catches a dangling reference.
    db.execute_batch("PRAGMA foreign_keys = OFF")
        .expect("pragma");
    let opp = first_key(
        &db,
        "SELECT opportunity_no FROM sales_opportunities ORDER BY opportunity_no LIMIT 1",
    );
    db.execute(
        "UPDATE sales_opportunities SET contact_no = 'NOBODY' WHERE opportunity_no = ?1",
        params![opp],
    )
    .expect("update");
    let e = map_error(load::load_dataset(&db));
    assert_eq!(e.table, "sales_opportunities");
    assert_eq!(e.row, format!("opportunity_no={opp}"));
    assert_eq!(e.column, "contact_no");
    assert!(e.message.contains("NOBODY"), "{e}");
}

/// Columns a hostile value is written into: (table, key column, column).
const TARGETS: &[(&str, &str, &str)] = &[
    ("contact_persons", "contact_no", "created_at"),
    ("contact_persons", "contact_no", "lifecycle_stage"),
    ("contact_persons", "contact_no", "custom_fields"),
    ("customer_accounts", "account_no", "annual_revenue_minor"),
    ("customer_accounts", "account_no", "revenue_currency"),
    ("sales_opportunities", "opportunity_no", "amount"),
    ("sales_opportunities", "opportunity_no", "currency_code"),
    ("sales_opportunities", "opportunity_no", "closed_at"),
    ("sales_opportunities", "opportunity_no", "deal_type"),
    ("interaction_log", "log_no", "details"),
    ("interaction_log", "log_no", "interaction_type"),
    ("sales_reps", "rep_no", "is_active"),
    ("currency_rates", "currency_code", "rate_to_base"),
];

fn hostile_value() -> impl Strategy<Value = rusqlite::types::Value> {
    use rusqlite::types::Value;
    prop_oneof![
        Just(Value::Null),
        any::<i64>().prop_map(Value::Integer),
        any::<f64>().prop_map(Value::Real),
        ".{0,40}".prop_map(Value::Text),
        Just(Value::Text("-1e400".into())),
        Just(Value::Text("NaN".into())),
        Just(Value::Text("99999999999999999999999999999999".into())),
        prop::collection::vec(any::<u8>(), 0..16).prop_map(Value::Blob),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any value in any mapped column: the load either succeeds or names
    /// the table, row and column it stumbled on; it never panics.
    #[test]
    fn hostile_cells_never_panic_and_errors_name_the_cell(
        target in 0..TARGETS.len(),
        value in hostile_value(),
    ) {
        let (table, key_column, column) = TARGETS[target];
        let db = erp_db(&small_parts());
        let key = first_key(&db, &format!("SELECT {key_column} FROM {table} ORDER BY {key_column} LIMIT 1"));
        // NOT NULL constraints refuse some values; that is the database's
        // own guard, not the mapping's.
        let updated = db.execute(
            &format!("UPDATE {table} SET {column} = ?1 WHERE {key_column} = ?2"),
            params![value, key],
        );
        prop_assume!(updated.is_ok());
        match load::load_dataset(&db) {
            Ok(_) => {}
            Err(ErpError::Map(e)) => {
                prop_assert!(!e.message.is_empty() && !e.column.is_empty());
                prop_assert_eq!(e.table, table);
                prop_assert_eq!(e.row, format!("{}={}", key_column, key));
            }
            Err(ErpError::Crm(e)) => prop_assert!(!e.message().is_empty()),
            Err(other) => prop_assert!(false, "unexpected error {}", other),
        }
    }
}

#[test]
fn journey_states_live_in_the_database_and_a_tick_after_a_pause_catches_up_in_time_order() {
    let parts = small_parts();
    let mut db = erp_db(&parts);
    let dataset = load::load_dataset(&db).expect("load");
    let rules = results::routing_rules().expect("rules");
    results::route_open_deals(&mut db, &dataset, &rules).expect("route");
    journeys::create_journey_tables(&db).expect("journey tables");
    let nurture = crmkit::journeys::presets::nurture_500().expect("preset");
    let count = |db: &Connection, sql: &str| -> usize {
        db.query_row(sql, [], |r| r.get::<_, i64>(0))
            .expect("count") as usize
    };
    let contacts = count(
        &db,
        "SELECT COUNT(DISTINCT contact_no) FROM crm_campaign_enrollments WHERE campaign_code = 'nurture'",
    );
    assert!(contacts > 0);

    // The routing's nurture enrollments start the journey: one e-mail each.
    let start = SAMPLE_AS_OF;
    let entered = journeys::enroll(&mut db, &dataset, &nurture, start).expect("enroll");
    assert!(entered.errors.is_empty(), "{:?}", entered.errors);
    assert_eq!(entered.active, contacts);
    assert_eq!(entered.actions, (contacts, contacts));
    // Enrolling again enters nobody twice.
    let again = journeys::enroll(&mut db, &dataset, &nurture, start).expect("again");
    assert_eq!(again.actions.1, 0);
    // Nothing is due the next day (the first wait is three business days).
    let next_day = start + chrono::Duration::days(1);
    let quiet = journeys::tick(&mut db, &dataset, &nurture, next_day).expect("tick");
    assert_eq!((quiet.contacts, quiet.actions.0), (0, 0));

    // The host is down for three weeks: the tick runs both expired waits of
    // every contact, in time order, each action at its due time with its
    // lateness.
    let later = start + chrono::Duration::days(21);
    let caught_up = journeys::tick(&mut db, &dataset, &nurture, later).expect("tick");
    assert!(caught_up.errors.is_empty(), "{:?}", caught_up.errors);
    assert_eq!(caught_up.contacts, contacts);
    assert_eq!(caught_up.actions, (2 * contacts, 2 * contacts));
    let mut stmt = db
        .prepare(
            "SELECT contact_no, step_id, due_at, late_seconds FROM crm_journey_actions
             WHERE ran_at = ?1 ORDER BY contact_no, due_at",
        )
        .expect("query");
    let rows: Vec<(String, String, String, i64)> = stmt
        .query_map(params![erp::schema::iso(later)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(rows.len(), 2 * contacts);
    for pair in rows.chunks(2) {
        let [(c1, s1, d1, l1), (c2, s2, d2, l2)] = pair else {
            panic!("two actions per contact: {pair:?}");
        };
        assert_eq!(c1, c2);
        assert_eq!((s1.as_str(), s2.as_str()), ("n2", "n3"), "{c1}");
        let (d1, d2): (crmkit::model::Timestamp, crmkit::model::Timestamp) =
            (d1.parse().expect("due"), d2.parse().expect("due"));
        assert!(d1 < d2 && d2 < later, "{c1}: {d1} then {d2}");
        assert_eq!(*l1, (later - d1).num_seconds(), "{c1}");
        assert_eq!(*l2, (later - d2).num_seconds(), "{c1}");
        assert!(l1 > l2 && *l2 > 0);
    }
    drop(stmt);
    // Every state row moved on and waits for later.
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT COUNT(*) FROM crm_journey_states WHERE step_id = 'grow' AND wake_unix > {}",
                later.timestamp()
            )
        ),
        contacts
    );
    // Running the same tick again changes nothing.
    let rerun = journeys::tick(&mut db, &dataset, &nurture, later).expect("rerun");
    assert_eq!((rerun.contacts, rerun.actions.0), (0, 0));
}
