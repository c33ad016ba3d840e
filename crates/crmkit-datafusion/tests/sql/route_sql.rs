//! `crm_route` in SQL decides, deal by deal, what `RuleSet::dry_run` decides
//! over every deal's creation (the $500 routing, both boundaries).

use std::collections::BTreeMap;
use std::sync::Arc;

use crmkit::automation::presets::{self, Boundary, RoutingConfig};
use crmkit::automation::{EnrollmentState, Event, RuleSet};
use crmkit::model::Dataset;
use crmkit::sample::{SampleConfig, generate};
use crmkit_datafusion::route_udf::RouteFunction;
use crmkit_datafusion::write;
use datafusion::arrow::array::{Array, AsArray, RecordBatch, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

const DEAL_ARGS: &str = "d.id, d.contact, d.pipeline, d.stage, d.status, d.amount, d.currency, d.created_at, d.closed_at, d.owner";

fn routing_json(boundary: Boundary) -> String {
    let doc = presets::routing_rule_set(&RoutingConfig::usd_500(boundary).unwrap());
    serde_json::to_string(&doc).unwrap()
}

type Route = Option<(String, String, String)>;

fn dry_run(ds: &Dataset, json: &str) -> BTreeMap<String, Route> {
    let rules = RuleSet::from_json(json).unwrap();
    let events = Event::deal_created_log(ds.deals());
    let report = rules
        .dry_run(ds, &events, &EnrollmentState::default())
        .unwrap();
    assert!(report.errors.is_empty());
    let mut out: BTreeMap<String, Route> = ds
        .deals()
        .iter()
        .map(|d| (d.id.as_str().to_string(), None))
        .collect();
    for action in &report.actions {
        let deal = action.event.trim_start_matches("deal-created/").to_string();
        let kind = serde_json::to_value(&action.effect).unwrap()["type"]
            .as_str()
            .unwrap()
            .to_string();
        let slot = out.get_mut(&deal).unwrap();
        if slot.is_none() {
            *slot = Some((action.rule.to_string(), action.branch.to_string(), kind));
        }
    }
    out
}

fn text(a: &dyn Array) -> StringArray {
    cast(a, &DataType::Utf8).unwrap().as_string::<i32>().clone()
}

/// The routes of `SELECT d.id, crm_route(...) AS r` rows, by deal id.
fn routes_of(out: &[RecordBatch]) -> BTreeMap<String, Route> {
    let mut routes = BTreeMap::new();
    for b in out {
        let ids = text(b.column(0));
        let r = b.column(1).as_struct();
        let (rule, branch, action) = (text(r.column(0)), text(r.column(1)), text(r.column(2)));
        for i in 0..b.num_rows() {
            let route = r.is_valid(i).then(|| {
                (
                    rule.value(i).to_string(),
                    branch.value(i).to_string(),
                    action.value(i).to_string(),
                )
            });
            routes.insert(ids.value(i).to_string(), route);
        }
    }
    routes
}

fn sql_routes(
    ds: &Arc<Dataset>,
    json: &str,
    batches: Vec<Vec<RecordBatch>>,
) -> BTreeMap<String, Route> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let ctx = SessionContext::new();
    let deals = MemTable::try_new(crmkit_datafusion::schema::deals(), batches).unwrap();
    ctx.register_table("deals", Arc::new(deals)).unwrap();
    ctx.register_udf(RouteFunction::new(Arc::clone(ds)).into_udf());
    let sql = format!(
        "SELECT d.id, crm_route('{}', {DEAL_ARGS}) AS r FROM deals d",
        json.replace('\'', "''")
    );
    let out = rt.block_on(async { ctx.sql(&sql).await.unwrap().collect().await.unwrap() });
    routes_of(&out)
}

#[test]
fn routing_every_deal_in_sql_equals_the_dry_run_for_both_boundaries() {
    let ds = Arc::new(
        generate(&SampleConfig {
            contacts: 300,
            ..SampleConfig::default()
        })
        .unwrap(),
    );
    let batch = write::deals(ds.deals()).unwrap();
    let half = batch.num_rows() / 2;
    for boundary in [Boundary::Call, Boundary::Unrouted] {
        let json = routing_json(boundary);
        let expected = dry_run(&ds, &json);
        let parts = vec![
            vec![batch.slice(0, half)],
            vec![batch.slice(half, batch.num_rows() - half)],
        ];
        let got = sql_routes(&ds, &json, parts);
        assert_eq!(got, expected, "{boundary:?}");
        let kinds: std::collections::BTreeSet<_> =
            got.values().flatten().map(|r| r.2.clone()).collect();
        assert!(kinds.len() >= 2, "{kinds:?}");
    }
}

#[test]
fn a_rule_set_that_does_not_compile_is_a_query_error_naming_the_json_path() {
    let ds = Arc::new(
        generate(&SampleConfig {
            contacts: 20,
            ..SampleConfig::default()
        })
        .unwrap(),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let ctx = SessionContext::new();
    let deals = MemTable::try_new(
        crmkit_datafusion::schema::deals(),
        vec![vec![write::deals(ds.deals()).unwrap()]],
    )
    .unwrap();
    ctx.register_table("deals", Arc::new(deals)).unwrap();
    ctx.register_udf(RouteFunction::new(Arc::clone(&ds)).into_udf());
    let bad = routing_json(Boundary::Call).replace("\"deal_created\"", "\"deal_exploded\"");
    let sql = format!("SELECT crm_route('{bad}', {DEAL_ARGS}) FROM deals d");
    let err = rt.block_on(async { ctx.sql(&sql).await.unwrap().collect().await.unwrap_err() });
    let message = err.to_string();
    assert!(
        message.contains("crm_route: rule set") && message.contains("rules[0]"),
        "{message}"
    );
}

#[test]
fn routing_over_parquet_files_with_a_one_value_column_equals_the_dry_run() {
    // A Parquet file whose statistics show a single value for a column
    // (here every deal is in one pipeline) has that column replaced by a
    // literal once the projection is pushed into the scan; the rule set's
    // deal columns must still be found by name.
    let ds = Arc::new(
        generate(&SampleConfig {
            contacts: 120,
            ..SampleConfig::default()
        })
        .unwrap(),
    );
    let pipelines: std::collections::BTreeSet<_> =
        ds.deals().iter().map(|d| d.pipeline.clone()).collect();
    assert_eq!(pipelines.len(), 1, "the case needs a one-value column");
    let dir = std::env::temp_dir().join(format!("crmkit-route-parquet-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let batch = write::deals(ds.deals()).unwrap();
    let half = batch.num_rows() / 2;
    for (i, part) in [
        batch.slice(0, half),
        batch.slice(half, batch.num_rows() - half),
    ]
    .into_iter()
    .enumerate()
    {
        crmkit_datafusion::load::write_parquet(
            &dir.join(format!("part-{i}.parquet")),
            crmkit_datafusion::schema::deals(),
            &[part],
        )
        .unwrap();
    }
    let json = routing_json(Boundary::Call);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let ctx = SessionContext::new();
    ctx.register_udf(RouteFunction::new(Arc::clone(&ds)).into_udf());
    let sql = format!(
        "SELECT d.id, crm_route('{}', {DEAL_ARGS}) AS r FROM deals d",
        json.replace('\'', "''")
    );
    let out = rt.block_on(async {
        ctx.register_parquet(
            "deals",
            dir.to_str().unwrap(),
            datafusion::prelude::ParquetReadOptions::default(),
        )
        .await
        .unwrap();
        ctx.sql(&sql).await.unwrap().collect().await.unwrap()
    });
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(routes_of(&out), dry_run(&ds, &json));
}
