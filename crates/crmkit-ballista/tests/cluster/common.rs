//! What the cluster tests share: the generated company, its tables as
//! Parquet files, the function set, the queries and the in-memory answers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crmkit::automation::presets::{self, Boundary, RoutingConfig};
use crmkit::automation::{EnrollmentState, Event, RuleSet};
use crmkit::kpi::{KpiRequest, compute};
use crmkit::model::{Dataset, TeamId};
use crmkit::predict::clv::to_money;
use crmkit::predict::{ClvReport, ClvReportOptions, RfmOptions, TimeUnit, clv_report};
use crmkit::sample::{SAMPLE_AS_OF, SampleConfig, generate};
use crmkit::scoring::{LeadInput, ScoringModel};
use crmkit_ballista::CrmFunctions;
use crmkit_datafusion::load::write_parquet;
use crmkit_datafusion::score_udf::top_reasons;
use crmkit_datafusion::{schema, write};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::error::Result;
use datafusion::physical_plan::displayable;
use datafusion::prelude::{ParquetReadOptions, SessionContext};

pub const MODEL: &str = include_str!("../../../../examples/data/scoring_model.json");

pub const DEAL_ARGS: &str = "d.id, d.contact, d.pipeline, d.stage, d.status, d.kind, d.amount, \
     d.currency, d.created_at, d.closed_at, d.owner, d.stage_history";

/// The generated company every cluster test runs on.
pub fn dataset() -> Arc<Dataset> {
    Arc::new(
        generate(&SampleConfig {
            contacts: 200,
            ..SampleConfig::default()
        })
        .unwrap(),
    )
}

pub fn kpi_request(team: Option<&TeamId>) -> KpiRequest {
    let segment = team.map_or(String::new(), |t| {
        format!(r#", "segment": {{"team": "{}"}}"#, t.as_str())
    });
    KpiRequest::from_json(&format!(
        r#"{{"kpis": ["win_rate", "revenue"], "period": {{"start": "2026-01-01", "end": "2026-10-01"}}{segment}}}"#
    ))
    .unwrap()
}

pub fn rfm_options() -> RfmOptions {
    RfmOptions {
        unit: TimeUnit::Weeks,
        calibration_end: SAMPLE_AS_OF,
        observation_end: None,
    }
}

pub fn functions(ds: &Arc<Dataset>) -> CrmFunctions {
    CrmFunctions::new(
        Arc::clone(ds),
        SAMPLE_AS_OF,
        kpi_request(None),
        rfm_options(),
    )
    .unwrap()
}

/// A fresh folder under the system temp folder.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("crmkit-ballista-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `batch` as `parts` Parquet files in `dir/table/`.
fn write_table(
    dir: &Path,
    table: &str,
    schema: datafusion::arrow::datatypes::SchemaRef,
    batch: &RecordBatch,
    parts: usize,
) {
    let folder = dir.join(table);
    std::fs::create_dir_all(&folder).unwrap();
    let n = batch.num_rows();
    let size = n.div_ceil(parts).max(1);
    for (i, start) in (0..n).step_by(size).enumerate() {
        let part = batch.slice(start, size.min(n - start));
        write_parquet(
            &folder.join(format!("part-{i}.parquet")),
            Arc::clone(&schema),
            &[part],
        )
        .unwrap();
    }
}

/// The company's deals, contacts, purchases and reps as Parquet files
/// (deals, contacts and purchases in three files each, so that a scan has
/// several partitions).
pub fn write_tables(ds: &Dataset, dir: &Path) {
    write_table(
        dir,
        "deals",
        schema::deals(),
        &write::deals(ds.deals()).unwrap(),
        3,
    );
    write_table(
        dir,
        "contacts",
        schema::contacts(),
        &write::contacts(ds.contacts()).unwrap(),
        3,
    );
    write_table(
        dir,
        "purchases",
        schema::purchases(),
        &write::purchases(ds.activities()).unwrap(),
        3,
    );
    write_table(
        dir,
        "reps",
        schema::reps(),
        &write::reps(ds.reps()).unwrap(),
        1,
    );
}

/// Registers the Parquet tables of `dir` on `ctx`.
pub async fn register_tables(ctx: &SessionContext, dir: &Path) -> Result<()> {
    for table in ["deals", "contacts", "purchases", "reps"] {
        let path = dir.join(table);
        ctx.register_parquet(table, path.to_str().unwrap(), ParquetReadOptions::default())
            .await?;
    }
    Ok(())
}

/// The rows of a query as text (`NULL` for a null), sorted.
pub async fn rows(ctx: &SessionContext, sql: &str) -> Result<Vec<Vec<String>>> {
    let batches = ctx.sql(sql).await?.collect().await?;
    let mut out = Vec::new();
    for b in &batches {
        let columns: Vec<_> = b
            .columns()
            .iter()
            .map(|c| cast(c, &DataType::Utf8))
            .collect::<std::result::Result<_, _>>()?;
        for i in 0..b.num_rows() {
            out.push(
                columns
                    .iter()
                    .map(|c| {
                        let c = c.as_string::<i32>();
                        if c.is_valid(i) {
                            c.value(i).to_string()
                        } else {
                            "NULL".into()
                        }
                    })
                    .collect(),
            );
        }
    }
    out.sort();
    Ok(out)
}

/// Asserts that `ctx` plans `sql` as a Ballista job (the client's plan is a
/// `DistributedQueryExec` that sends it to the scheduler), not locally.
pub async fn assert_runs_on_the_cluster(ctx: &SessionContext, sql: &str) {
    let plan = ctx
        .sql(sql)
        .await
        .unwrap()
        .create_physical_plan()
        .await
        .unwrap();
    let shown = displayable(plan.as_ref()).indent(false).to_string();
    assert!(
        shown.starts_with("DistributedQueryExec"),
        "not a cluster plan: {shown}"
    );
}

fn quote(text: &str) -> String {
    text.replace('\'', "''")
}

pub fn score_sql() -> String {
    format!(
        "SELECT id, s.score, s.grade, s.reasons FROM \
           (SELECT c.id AS id, crm_lead_score('{}', c.id) AS s FROM contacts c)",
        quote(MODEL)
    )
}

pub fn routing_json(boundary: Boundary) -> String {
    let doc = presets::routing_rule_set(&RoutingConfig::usd_500(boundary).unwrap());
    serde_json::to_string(&doc).unwrap()
}

pub fn route_sql(boundary: Boundary) -> String {
    format!(
        "SELECT id, r.rule, r.branch, r.action FROM \
           (SELECT d.id AS id, crm_route('{}', {DEAL_ARGS}) AS r FROM deals d)",
        quote(&routing_json(boundary))
    )
}

pub fn kpi_sql(kpi: &str) -> String {
    format!(
        "SELECT r.team, crm_kpi('{kpi}', {DEAL_ARGS}) AS v FROM deals d JOIN reps r ON d.owner = r.id \
         WHERE r.team IS NOT NULL GROUP BY r.team"
    )
}

pub fn clv_options() -> ClvReportOptions {
    serde_json::from_str(
        r#"{"fit": {"unit": "weeks", "bgnbd": {"penalty": 1.0}}, "clv": {"horizon_months": 12}}"#,
    )
    .unwrap()
}

pub fn clv_report_of(ds: &Dataset) -> ClvReport {
    clv_report(ds, SAMPLE_AS_OF, &clv_options()).unwrap()
}

/// CLV per customer: the model fitted in memory, applied in SQL to the RFM
/// summaries computed in SQL.
pub fn clv_sql(report: &ClvReport) -> String {
    format!(
        "SELECT contact, v.probability_alive, v.clv FROM \
           (SELECT contact, crm_clv('{}', 12, r.frequency, r.recency, r.age, r.monetary) AS v \
            FROM (SELECT contact, crm_rfm(at, amount, currency) AS r FROM purchases GROUP BY contact))",
        quote(&report.model.to_json().unwrap())
    )
}

/// The in-memory scores, as the score query prints them.
pub fn scores_in_memory(ds: &Dataset) -> Vec<Vec<String>> {
    let model = ScoringModel::from_json(MODEL).unwrap();
    let mut out: Vec<Vec<String>> = (0..ds.contacts().len())
        .map(|i| {
            let s = model
                .score(&LeadInput::from_dataset(ds, i).unwrap(), SAMPLE_AS_OF)
                .unwrap();
            vec![
                ds.contacts()[i].id.as_str().to_string(),
                s.total.to_string(),
                s.grade.clone().unwrap_or_else(|| "NULL".into()),
                top_reasons(&s),
            ]
        })
        .collect();
    out.sort();
    out
}

/// The in-memory routing (`RuleSet::dry_run` over every deal's creation).
pub fn routes_in_memory(ds: &Dataset, boundary: Boundary) -> Vec<Vec<String>> {
    let rules = RuleSet::from_json(&routing_json(boundary)).unwrap();
    let events = Event::deal_created_log(ds.deals());
    let report = rules
        .dry_run(ds, &events, &EnrollmentState::default())
        .unwrap();
    assert!(report.errors.is_empty());
    let mut first: BTreeMap<String, Vec<String>> = ds
        .deals()
        .iter()
        .map(|d| (d.id.as_str().to_string(), vec!["NULL".into(); 3]))
        .collect();
    for action in &report.actions {
        let deal = action.event.trim_start_matches("deal-created/").to_string();
        let kind = serde_json::to_value(&action.effect).unwrap()["type"]
            .as_str()
            .unwrap()
            .to_string();
        let slot = first.get_mut(&deal).unwrap();
        if slot[0] == "NULL" {
            *slot = vec![action.rule.to_string(), action.branch.to_string(), kind];
        }
    }
    let mut out: Vec<Vec<String>> = first
        .into_iter()
        .map(|(id, mut r)| {
            r.insert(0, id);
            r
        })
        .collect();
    out.sort();
    out
}

/// `kpi::compute` with the team segment, for every team with deals.
pub fn kpi_in_memory(ds: &Dataset, kpi: &str) -> Vec<Vec<String>> {
    let id = crmkit::kpi::catalog::KpiId::parse(kpi).unwrap();
    let mut out = Vec::new();
    for team in ds.teams() {
        let has_deals = ds.deals().iter().any(|d| {
            d.owner
                .as_ref()
                .and_then(|o| ds.reps().iter().find(|r| &r.id == o))
                .and_then(|r| r.team.as_ref())
                == Some(&team.id)
        });
        if !has_deals {
            continue;
        }
        let value = compute(ds, &kpi_request(Some(&team.id)))
            .unwrap()
            .row(id)
            .and_then(|r| r.current.value.as_decimal())
            .map_or("NULL".to_string(), |d| d.to_string());
        out.push(vec![team.id.as_str().to_string(), value]);
    }
    out.sort();
    out
}

/// The CLV report's per-customer probability alive and CLV, as the CLV
/// query prints them (the SQL CLV rounded to the currency's cents).
pub fn clv_in_memory(report: &ClvReport) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = report
        .customers
        .iter()
        .map(|c| {
            vec![
                c.contact.as_str().to_string(),
                c.probability_alive.to_string(),
                c.clv.to_string(),
            ]
        })
        .collect();
    out.sort();
    out
}

/// The SQL CLV rows with the float CLV as the report's money.
pub fn clv_as_money(rows: Vec<Vec<String>>, report: &ClvReport) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = rows
        .into_iter()
        .map(|mut r| {
            let p: f64 = r[1].parse().unwrap();
            r[1] = p.to_string();
            let clv: f64 = r[2].parse().unwrap();
            r[2] = to_money(clv, report.currency).unwrap().to_string();
            r
        })
        .collect();
    out.sort();
    out
}
