//! An ERP-style integration: crmkit embedded next to an ERP's SQLite
//! database.
//!
//! The example creates tables laid out like a typical ERP's (customer
//! accounts, contact persons, sales opportunities, an interaction log, sales
//! reps...), fills them with the seeded sample company, then does what an
//! integrator would: reads the rows with SQL, maps them into a crmkit
//! `Dataset` (every mapping problem names the table, row and column), scores
//! the leads with `examples/data/scoring_model.json`, routes the open deals
//! with the $500 preset and writes the results into new tables
//! (`crm_lead_scores`, `crm_lead_score_reasons`, `crm_tasks`,
//! `crm_campaign_enrollments`). The routing runs twice to show that the
//! action ids make it idempotent. The nurture enrollments then start the
//! $500 nurture journey, whose per-contact states live in
//! `crm_journey_states`; a tick a week later (the host was down meanwhile)
//! catches up on every wait that expired, in time order, and reports how
//! late each action ran (`crm_journey_actions`).
//!
//! ```text
//! cargo run --example erp_sqlite [-- path/to/erp.sqlite | :memory:]
//! ```
//!
//! Without an argument the database is `crmkit_erp_example.sqlite` in the
//! temporary directory. An existing database keeps its ERP data; only the
//! results are (re)written.

mod erp;

use crmkit::sample::{SAMPLE_AS_OF, SampleConfig, generate_parts};
use crmkit::scoring::ScoringModel;
use erp::schema::iso;
use rusqlite::Connection;

use erp::{journeys, load, results, schema};

/// The sample scoring model.
const MODEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/scoring_model.json"
);

fn main() {
    if let Err(e) = run() {
        eprintln!("erp_sqlite: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        std::env::temp_dir()
            .join("crmkit_erp_example.sqlite")
            .to_string_lossy()
            .into_owned()
    });
    let mut db = Connection::open(&path)?;
    println!("ERP database: {path}");

    schema::create_erp_tables(&db)?;
    if schema::has_erp_data(&db)? {
        println!("ERP tables already filled; using their rows as they are");
    } else {
        schema::fill_erp(&mut db, &generate_parts(&SampleConfig::default())?)?;
        println!("ERP tables created and filled with the sample company");
    }

    let dataset = load::load_dataset(&db)?;
    let counts = dataset.counts();
    println!(
        "read {} accounts, {} contact persons, {} opportunities, {} interactions, {} reps",
        counts.companies, counts.contacts, counts.deals, counts.activities, counts.reps
    );

    results::create_result_tables(&db)?;
    let model = ScoringModel::from_json(&std::fs::read_to_string(MODEL)?)?;
    let (scores, summary) = results::score_leads(&mut db, &dataset, &model, SAMPLE_AS_OF)?;
    let grades: Vec<String> = summary
        .grades
        .iter()
        .map(|(g, n)| format!("{g} {n}"))
        .collect();
    println!(
        "scored {} leads as of {} -> crm_lead_scores (grades: {}; {} lifecycle moves recommended)",
        summary.leads,
        SAMPLE_AS_OF.date_naive(),
        grades.join(", "),
        summary.recommendations
    );
    if let Some(best) = scores
        .iter()
        .max_by(|a, b| a.total.cmp(&b.total).then(b.contact.cmp(&a.contact)))
    {
        let reasons: Vec<String> = results::top_reasons(best)
            .iter()
            .map(|c| format!("{} ({})", c.rule, c.reason))
            .collect();
        println!(
            "  best lead {}: {} {} because {}",
            best.contact,
            best.total,
            best.grade.as_deref().unwrap_or("-"),
            reasons.join(", ")
        );
    }

    let rules = results::routing_rules()?;
    for run in 1..=2 {
        let r = results::route_open_deals(&mut db, &dataset, &rules)?;
        println!(
            "routing run {run}: {} open deals -> {} call tasks ({} new in crm_tasks), {} nurture enrollments ({} new in crm_campaign_enrollments), {} errors",
            r.deals,
            r.tasks.0,
            r.tasks.1,
            r.enrollments.0,
            r.enrollments.1,
            r.errors.len()
        );
        for e in r.errors.iter().take(3) {
            println!("  {e}");
        }
    }
    let (tasks, enrollments): (i64, i64) = db.query_row(
        "SELECT (SELECT COUNT(*) FROM crm_tasks), (SELECT COUNT(*) FROM crm_campaign_enrollments)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    println!("result tables now hold {tasks} tasks and {enrollments} enrollments");

    journeys::create_journey_tables(&db)?;
    let nurture = crmkit::journeys::presets::nurture_500()?;
    let start = SAMPLE_AS_OF;
    let entered = journeys::enroll(&mut db, &dataset, &nurture, start)?;
    println!(
        "nurture journey: {} contacts enrolled at {} -> {} actions, {} active in crm_journey_states, {} errors",
        entered.contacts,
        iso(start),
        entered.actions.0,
        entered.active,
        entered.errors.len()
    );
    // The host is down for a week; the next tick catches up.
    let week_later = start + chrono::Duration::days(7);
    for run in 1..=2 {
        let t = journeys::tick(&mut db, &dataset, &nurture, week_later)?;
        println!(
            "tick {run} at {} (after a week down): {} contacts due -> {} actions ({} new), the latest {:.1} days late, {} errors",
            iso(week_later),
            t.contacts,
            t.actions.0,
            t.actions.1,
            t.max_late_seconds as f64 / 86_400.0,
            t.errors.len()
        );
    }
    let mut stmt = db.prepare(
        "SELECT contact_no, step_id, due_at, late_seconds FROM crm_journey_actions
         WHERE contact_no = (SELECT MIN(contact_no) FROM crm_journey_actions)
         ORDER BY due_at, action_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    for row in rows {
        let (contact, step, due, late) = row?;
        println!("  {contact} {step:<4} due {due}  ran {late} s late");
    }
    Ok(())
}
