//! The sample company through SQL: the $500 routing of every deal and the
//! deal KPIs of the second quarter of 2026, for the company and by team,
//! printed beside the in-memory library's numbers (the quickstart's).
//!
//! Run it with `cargo run -p crmkit-datafusion --example sample_company_sql`.

use std::collections::BTreeMap;
use std::sync::Arc;

use crmkit::automation::presets::{self, Boundary, RoutingConfig};
use crmkit::kpi::{KpiRequest, compute};
use crmkit::model::Dataset;
use crmkit_datafusion::kpi_udaf::{DEAL_KPIS, KpiFunction};
use crmkit_datafusion::route_udf::RouteFunction;
use crmkit_datafusion::score_udf::LeadScoreFunction;
use crmkit_datafusion::{schema, write};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/data/sample_company.json"
);

const MODEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/data/scoring_model.json"
);

const DEAL_ARGS: &str = "d.id, d.contact, d.pipeline, d.stage, d.status, d.kind, d.amount, \
     d.currency, d.created_at, d.closed_at, d.owner, d.stage_history";

fn texts(column: &dyn Array) -> Result<Vec<Option<String>>, Box<dyn std::error::Error>> {
    let a = cast(column, &DataType::Utf8)?;
    let a = a.as_string::<i32>();
    Ok((0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i).to_string()))
        .collect())
}

async fn rows(
    ctx: &SessionContext,
    sql: &str,
) -> Result<Vec<RecordBatch>, Box<dyn std::error::Error>> {
    Ok(ctx.sql(sql).await?.collect().await?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dataset = Arc::new(Dataset::from_json(&std::fs::read_to_string(SAMPLE)?)?);
    let request = KpiRequest::from_json(&format!(
        r#"{{"kpis": [{}], "period": {{"start": "2026-04-01", "end": "2026-07-01"}},
            "options": {{"active_customer_days": 120}}}}"#,
        DEAL_KPIS
            .iter()
            .map(|k| format!("\"{}\"", k.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    ))?;

    let ctx = SessionContext::new();
    let deals = write::deals(dataset.deals())?;
    ctx.register_table(
        "deals",
        Arc::new(MemTable::try_new(schema::deals(), vec![vec![deals]])?),
    )?;
    let reps = write::reps(dataset.reps())?;
    ctx.register_table(
        "reps",
        Arc::new(MemTable::try_new(schema::reps(), vec![vec![reps]])?),
    )?;
    let contacts = write::contacts(dataset.contacts())?;
    ctx.register_table(
        "contacts",
        Arc::new(MemTable::try_new(schema::contacts(), vec![vec![contacts]])?),
    )?;
    ctx.register_udf(RouteFunction::new(Arc::clone(&dataset)).into_udf());
    ctx.register_udf(
        LeadScoreFunction::new(Arc::clone(&dataset), crmkit::sample::SAMPLE_AS_OF).into_udf(),
    );
    ctx.register_udaf(KpiFunction::new(Arc::clone(&dataset), request.clone())?.into_udaf());

    println!("== SQL: lead scores (top ten leads, as the quickstart) ==");
    let model = std::fs::read_to_string(MODEL)?.replace('\'', "''");
    let sql = format!(
        "SELECT id, s.score, s.grade, s.reasons FROM \
           (SELECT c.id AS id, crm_lead_score('{model}', c.id) AS s FROM contacts c \
            WHERE c.lifecycle_stage NOT IN ('customer', 'evangelist', 'disqualified')) \
         ORDER BY CAST(s.score AS DECIMAL(30, 4)) DESC, id LIMIT 10"
    );
    for b in rows(&ctx, &sql).await? {
        let (ids, scores) = (texts(b.column(0))?, texts(b.column(1))?);
        let (grades, reasons) = (texts(b.column(2))?, texts(b.column(3))?);
        let cell = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        for (((id, score), grade), why) in ids.iter().zip(&scores).zip(&grades).zip(&reasons) {
            println!(
                "  {:<7} {:>7} {}  {}",
                cell(id),
                cell(score),
                cell(grade),
                cell(why)
            );
        }
    }
    println!();

    println!("== SQL: the $500 deal routing ==");
    for boundary in [Boundary::Call, Boundary::Unrouted] {
        let rules = serde_json::to_string(&presets::routing_rule_set(&RoutingConfig::usd_500(
            boundary,
        )?))?;
        let sql = format!(
            "SELECT r.action AS action, count(*) AS n FROM \
               (SELECT crm_route('{}', {DEAL_ARGS}) AS r FROM deals d) GROUP BY r.action",
            rules.replace('\'', "''")
        );
        let mut counts: BTreeMap<String, String> = BTreeMap::new();
        for b in rows(&ctx, &sql).await? {
            for (action, n) in texts(b.column(0))?.into_iter().zip(texts(b.column(1))?) {
                counts.insert(
                    action.unwrap_or_else(|| "unrouted".into()),
                    n.unwrap_or_default(),
                );
            }
        }
        let get = |k: &str| counts.get(k).cloned().unwrap_or_else(|| "0".into());
        println!(
            "{boundary:?} boundary: {} deals -> {} call tasks, {} nurture enrollments, {} unrouted",
            dataset.deals().len(),
            get("create_task"),
            get("enroll_in_campaign"),
            get("unrouted")
        );
    }

    println!();
    println!("== SQL: deal KPIs 2026-04-01..2026-07-01 (crm_kpi vs kpi::compute) ==");
    let report = compute(&dataset, &request)?;
    for kpi in DEAL_KPIS {
        let sql = format!(
            "SELECT crm_kpi('{}', {DEAL_ARGS}) FROM deals d",
            kpi.as_str()
        );
        let sql_value = texts(rows(&ctx, &sql).await?[0].column(0))?.remove(0);
        let memory = report
            .row(*kpi)
            .and_then(|r| r.current.value.as_decimal())
            .map(|d| d.to_string());
        println!(
            "{:<28} sql {:>32}  in memory {:>32}  same: {}",
            kpi.definition().name,
            sql_value.as_deref().unwrap_or("undefined"),
            memory.as_deref().unwrap_or("undefined"),
            sql_value == memory
        );
    }

    println!();
    println!("== SQL: KPI report by team ==");
    let columns: Vec<String> = DEAL_KPIS
        .iter()
        .map(|k| format!("crm_kpi('{0}', {DEAL_ARGS}) AS {0}", k.as_str()))
        .collect();
    let sql = format!(
        "SELECT r.team, {} FROM deals d JOIN reps r ON d.owner = r.id GROUP BY r.team ORDER BY r.team",
        columns.join(", ")
    );
    let header: Vec<&str> = DEAL_KPIS.iter().map(|k| k.as_str()).collect();
    println!("{:<12} {}", "team", header.join(" | "));
    for b in rows(&ctx, &sql).await? {
        let mut cols = Vec::new();
        for i in 0..b.num_columns() {
            cols.push(texts(b.column(i))?);
        }
        for row in 0..b.num_rows() {
            let cells: Vec<String> = cols
                .iter()
                .skip(1)
                .map(|c| {
                    c[row]
                        .as_deref()
                        .and_then(|v| v.parse::<rust_decimal::Decimal>().ok())
                        .map_or("undefined".into(), |d| d.round_dp(2).to_string())
                })
                .collect();
            println!(
                "{:<12} {}",
                cols[0][row].as_deref().unwrap_or("-"),
                cells.join(" | ")
            );
        }
    }
    Ok(())
}
