//! `crm_kpi` in SQL gives the digits of `kpi::compute`: grouped by team
//! (segment = team), and over the whole table whatever the split of its rows
//! into record batches and partitions.

use std::collections::BTreeMap;
use std::sync::Arc;

use crmkit::kpi::catalog::KpiId;
use crmkit::kpi::{KpiRequest, compute};
use crmkit::model::{Dataset, TeamId};
use crmkit::sample::{SampleConfig, generate};
use crmkit_datafusion::kpi_udaf::{DEAL_KPIS, KpiFunction};
use crmkit_datafusion::write;
use datafusion::arrow::array::{Array, RecordBatch, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use proptest::prelude::*;

const DEAL_ARGS: &str = "d.id, d.contact, d.pipeline, d.stage, d.status, d.kind, d.amount, \
     d.currency, d.created_at, d.closed_at, d.owner, d.stage_history";

fn request(segment: Option<&TeamId>) -> KpiRequest {
    let kpis: Vec<String> = DEAL_KPIS
        .iter()
        .map(|k| format!("\"{}\"", k.as_str()))
        .collect();
    let segment = segment.map_or(String::new(), |t| {
        format!(r#", "segment": {{"team": "{}"}}"#, t.as_str())
    });
    // Revenue source deals: revenue is a deals-table KPI only under it (the
    // default, both, adds the sample's purchases from the activities).
    KpiRequest::from_json(&format!(
        r#"{{"kpis": [{}], "period": {{"start": "2026-01-01", "end": "2026-10-01"}}{segment},
            "options": {{"revenue_source": "deals"}}}}"#,
        kpis.join(", ")
    ))
    .unwrap()
}

/// The value as the SQL function prints it: the exact decimal, or None.
fn in_memory(ds: &Dataset, segment: Option<&TeamId>, kpi: KpiId) -> Option<String> {
    let report = compute(ds, &request(segment)).unwrap();
    report
        .row(kpi)
        .and_then(|r| r.current.value.as_decimal())
        .map(|d| d.to_string())
}

fn context(ds: &Arc<Dataset>, partitions: Vec<Vec<RecordBatch>>) -> SessionContext {
    let ctx = SessionContext::new();
    let deals = MemTable::try_new(crmkit_datafusion::schema::deals(), partitions).unwrap();
    ctx.register_table("deals", Arc::new(deals)).unwrap();
    let reps = MemTable::try_new(
        crmkit_datafusion::schema::reps(),
        vec![vec![write::reps(ds.reps()).unwrap()]],
    )
    .unwrap();
    ctx.register_table("reps", Arc::new(reps)).unwrap();
    let udaf = KpiFunction::new(Arc::clone(ds), request(None)).unwrap();
    ctx.register_udaf(udaf.into_udaf());
    ctx
}

fn strings(batch: &RecordBatch, i: usize) -> Vec<Option<String>> {
    let a = cast(batch.column(i), &DataType::Utf8).unwrap();
    let a = a.as_any().downcast_ref::<StringArray>().unwrap();
    (0..a.len())
        .map(|r| a.is_valid(r).then(|| a.value(r).to_string()))
        .collect()
}

async fn query(ctx: &SessionContext, sql: &str) -> Vec<RecordBatch> {
    ctx.sql(sql).await.unwrap().collect().await.unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

#[test]
fn kpis_grouped_by_team_equal_compute_with_the_team_segment() {
    let ds = Arc::new(
        generate(&SampleConfig {
            contacts: 400,
            ..SampleConfig::default()
        })
        .unwrap(),
    );
    let batch = write::deals(ds.deals()).unwrap();
    let ctx = context(
        &ds,
        vec![
            vec![batch.slice(0, batch.num_rows() / 2)],
            vec![batch.slice(
                batch.num_rows() / 2,
                batch.num_rows() - batch.num_rows() / 2,
            )],
        ],
    );
    let teams: Vec<TeamId> = ds.teams().iter().map(|t| t.id.clone()).collect();
    assert!(teams.len() >= 2);
    let mut checked = 0;
    for kpi in DEAL_KPIS {
        let sql = format!(
            "SELECT r.team, crm_kpi('{}', {DEAL_ARGS}) AS v FROM deals d JOIN reps r ON d.owner = r.id \
             WHERE r.team IS NOT NULL GROUP BY r.team ORDER BY r.team",
            kpi.as_str()
        );
        let rt = runtime();
        let batches = rt.block_on(query(&ctx, &sql));
        let mut got: BTreeMap<String, Option<String>> = BTreeMap::new();
        for b in &batches {
            for (team, value) in strings(b, 0).into_iter().zip(strings(b, 1)) {
                got.insert(team.unwrap(), value);
            }
        }
        for team in &teams {
            // GROUP BY has no row for a team without deals.
            let has_deals = ds.deals().iter().any(|d| {
                d.owner
                    .as_ref()
                    .and_then(|o| ds.rep(o))
                    .and_then(|r| r.team.as_ref())
                    == Some(team)
            });
            assert_eq!(
                got.contains_key(team.as_str()),
                has_deals,
                "{}",
                team.as_str()
            );
            if !has_deals {
                continue;
            }
            let expected = in_memory(&ds, Some(team), *kpi);
            let actual = got.get(team.as_str()).cloned().flatten();
            assert_eq!(
                actual,
                expected,
                "{} for team {}",
                kpi.as_str(),
                team.as_str()
            );
            checked += usize::from(expected.is_some());
        }
    }
    assert!(
        checked > DEAL_KPIS.len(),
        "too few defined values: {checked}"
    );
}

#[test]
fn a_bad_kpi_id_or_a_non_literal_id_is_a_query_error() {
    let ds = Arc::new(
        generate(&SampleConfig {
            contacts: 30,
            ..SampleConfig::default()
        })
        .unwrap(),
    );
    let ctx = context(&ds, vec![vec![write::deals(ds.deals()).unwrap()]]);
    let rt = runtime();
    let err = rt.block_on(async {
        ctx.sql(&format!(
            "SELECT crm_kpi('win_ratio', {DEAL_ARGS}) FROM deals d"
        ))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap_err()
    });
    assert!(err.to_string().contains("win_ratio"), "{err}");
    let err = rt.block_on(async {
        ctx.sql(&format!("SELECT crm_kpi(d.id, {DEAL_ARGS}) FROM deals d"))
            .await
            .unwrap()
            .collect()
            .await
            .unwrap_err()
    });
    assert!(err.to_string().contains("literal"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Any split into batches and partitions gives the in-memory digits.
    #[test]
    fn any_split_into_batches_and_partitions_gives_identical_results(
        seed in 0u64..1000,
        cuts in proptest::collection::vec(0usize..10_000, 0..8),
        partitions in 1usize..5,
    ) {
        let ds = Arc::new(generate(&SampleConfig { seed, contacts: 60, ..SampleConfig::default() }).unwrap());
        let batch = write::deals(ds.deals()).unwrap();
        let n = batch.num_rows();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (n + 1)).collect();
        cuts.push(0);
        cuts.push(n);
        cuts.sort_unstable();
        cuts.dedup();
        let mut parts: Vec<Vec<RecordBatch>> = vec![Vec::new(); partitions];
        for (i, w) in cuts.windows(2).enumerate() {
            parts[i % partitions].push(batch.slice(w[0], w[1] - w[0]));
        }
        let ctx = context(&ds, parts);
        let rt = runtime();
        for kpi in DEAL_KPIS {
            let sql = format!("SELECT crm_kpi('{}', {DEAL_ARGS}) FROM deals d", kpi.as_str());
            let batches = rt.block_on(query(&ctx, &sql));
            let got = strings(&batches[0], 0)[0].clone();
            prop_assert_eq!(got, in_memory(&ds, None, *kpi), "{}", kpi.as_str());
        }
    }
}
