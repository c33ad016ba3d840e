//! The overhead of a Ballista cluster (one scheduler and two executors, in
//! this process) over single-node DataFusion on the same crmkit queries:
//! the median wall time of a few runs of each, the answers compared.
//!
//! ```text
//! cargo run -p crmkit-ballista --example cluster_overhead -- [CONTACTS] [RUNS]
//! ```
//!
//! The point of the cluster is the same answer, not speed on one machine:
//! every query on the cluster is planned by the scheduler, its stages sent
//! to the executors over gRPC and the shuffled results read back over
//! Arrow Flight.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crmkit::automation::presets::{self, Boundary, RoutingConfig};
use crmkit::kpi::KpiRequest;
use crmkit::predict::{RfmOptions, TimeUnit};
use crmkit::sample::{SAMPLE_AS_OF, SampleConfig, generate};
use crmkit_ballista::{CrmFunctions, cluster};
use crmkit_datafusion::load::write_parquet;
use crmkit_datafusion::{schema, write};
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::prelude::{ParquetReadOptions, SessionContext};

const MODEL: &str = include_str!("../../../examples/data/scoring_model.json");
const DEAL_ARGS: &str = "d.id, d.contact, d.pipeline, d.stage, d.status, d.kind, d.amount, \
     d.currency, d.created_at, d.closed_at, d.owner, d.stage_history";

type Error = Box<dyn std::error::Error>;

fn write_table(
    dir: &std::path::Path,
    name: &str,
    schema: SchemaRef,
    batch: &RecordBatch,
) -> Result<(), Error> {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder)?;
    let n = batch.num_rows();
    let size = n.div_ceil(4).max(1);
    for (i, start) in (0..n).step_by(size).enumerate() {
        let part = batch.slice(start, size.min(n - start));
        write_parquet(
            &folder.join(format!("part-{i}.parquet")),
            Arc::clone(&schema),
            &[part],
        )?;
    }
    Ok(())
}

async fn register(ctx: &SessionContext, dir: &std::path::Path) -> Result<(), Error> {
    for table in ["deals", "contacts", "reps"] {
        let path = dir.join(table);
        let path = path.to_str().ok_or("path is not UTF-8")?;
        ctx.register_parquet(table, path, ParquetReadOptions::default())
            .await?;
    }
    Ok(())
}

/// The median wall time of `runs` runs of `sql`, and its row count.
async fn time(ctx: &SessionContext, sql: &str, runs: usize) -> Result<(Duration, usize), Error> {
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let batches = ctx.sql(sql).await?.collect().await?;
        times.push(start.elapsed());
        rows = batches.iter().map(RecordBatch::num_rows).sum();
    }
    times.sort();
    Ok((times[times.len() / 2], rows))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let contacts: usize = args.next().map_or(Ok(2000), |a| a.parse())?;
    let runs: usize = args.next().map_or(Ok(5), |a| a.parse())?;
    let ds = Arc::new(generate(&SampleConfig {
        contacts,
        ..SampleConfig::default()
    })?);
    let dir = std::env::temp_dir().join(format!("crmkit-ballista-overhead-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    write_table(&dir, "deals", schema::deals(), &write::deals(ds.deals())?)?;
    write_table(
        &dir,
        "contacts",
        schema::contacts(),
        &write::contacts(ds.contacts())?,
    )?;
    write_table(&dir, "reps", schema::reps(), &write::reps(ds.reps())?)?;

    let request = KpiRequest::from_json(
        r#"{"kpis": ["win_rate"], "period": {"start": "2026-01-01", "end": "2026-10-01"}}"#,
    )?;
    let rfm = RfmOptions {
        unit: TimeUnit::Weeks,
        calibration_end: SAMPLE_AS_OF,
        observation_end: None,
    };
    let functions = CrmFunctions::new(Arc::clone(&ds), SAMPLE_AS_OF, request, rfm)?;
    let single = SessionContext::new();
    functions.register(&single);
    register(&single, &dir).await?;
    let cluster = cluster::standalone(&functions, 2, 2).await?;
    register(&cluster, &dir).await?;

    let rules = serde_json::to_string(&presets::routing_rule_set(&RoutingConfig::usd_500(
        Boundary::Call,
    )?))?;
    let queries = [
        (
            "lead scores",
            format!(
                "SELECT c.id, crm_lead_score('{}', c.id) FROM contacts c",
                MODEL.replace('\'', "''")
            ),
        ),
        (
            "$500 routing",
            format!("SELECT d.id, crm_route('{rules}', {DEAL_ARGS}) FROM deals d"),
        ),
        (
            "win rate by team",
            format!(
                "SELECT r.team, crm_kpi('win_rate', {DEAL_ARGS}) FROM deals d \
                 JOIN reps r ON d.owner = r.id GROUP BY r.team"
            ),
        ),
    ];
    println!(
        "{} contacts, {} deals; median of {runs} runs",
        ds.contacts().len(),
        ds.deals().len()
    );
    for (what, sql) in &queries {
        let (one, rows_one) = time(&single, sql, runs).await?;
        let (two, rows_two) = time(&cluster, sql, runs).await?;
        assert_eq!(rows_one, rows_two, "{what}: row counts differ");
        println!(
            "{what:<18} single node {:>8.1} ms   Ballista (2 executors) {:>8.1} ms   ratio {:.1}x   ({rows_one} rows)",
            one.as_secs_f64() * 1e3,
            two.as_secs_f64() * 1e3,
            two.as_secs_f64() / one.as_secs_f64()
        );
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
