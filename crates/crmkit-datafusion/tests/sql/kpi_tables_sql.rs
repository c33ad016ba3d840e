//! `crm_kpi` over each table: every KPI of `TABLE_KPIS` computed in SQL
//! from its one table equals `kpi::compute` on the whole dataset; a
//! multi-table KPI (lead-to-customer conversion, CAC) from one
//! `crm_kpi_state` per table merged by `finish_states`.

use std::sync::Arc;

use crmkit::kpi::catalog::KpiId;
use crmkit::kpi::{KpiRequest, compute};
use crmkit::model::Dataset;
use crmkit::sample::{SampleConfig, generate};
use crmkit_datafusion::kpi_tables::{KpiTable, TABLE_KPIS, finish_states, table_of};
use crmkit_datafusion::kpi_udaf::KpiFunction;
use crmkit_datafusion::tables::TableSpec;
use crmkit_datafusion::write;
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

fn dataset() -> Arc<Dataset> {
    Arc::new(
        generate(&SampleConfig {
            contacts: 160,
            ..SampleConfig::default()
        })
        .unwrap(),
    )
}

fn request(kpis: &[KpiId]) -> KpiRequest {
    let kpis: Vec<String> = kpis.iter().map(|k| format!("\"{}\"", k.as_str())).collect();
    // Revenue source deals: the one table of the revenue KPIs is the deals
    // table only under it (the default, both, adds the purchases of the
    // activities table).
    KpiRequest::from_json(&format!(
        r#"{{"kpis": [{}], "period": {{"start": "2026-01-01", "end": "2026-10-01"}},
            "options": {{"revenue_source": "deals"}}}}"#,
        kpis.join(", ")
    ))
    .unwrap()
}

fn in_memory(ds: &Dataset, request: &KpiRequest, kpi: KpiId) -> Option<String> {
    compute(ds, request)
        .unwrap()
        .row(kpi)
        .and_then(|r| r.current.value.as_decimal())
        .map(|d| d.to_string())
}

fn batch(ds: &Dataset, table: KpiTable) -> RecordBatch {
    match table {
        KpiTable::Contacts => write::contacts(ds.contacts()).unwrap(),
        KpiTable::Deals => write::deals(ds.deals()).unwrap(),
        KpiTable::Purchases => write::purchases(ds.activities()).unwrap(),
        KpiTable::Activities => TableSpec::activities().write(ds.activities()).unwrap(),
        KpiTable::Tickets => TableSpec::tickets().write(ds.tickets()).unwrap(),
        KpiTable::Spend => TableSpec::spend().write(ds.spend()).unwrap(),
        KpiTable::Campaigns => TableSpec::campaigns().write(ds.campaigns()).unwrap(),
    }
}

/// A session with every table registered (each split into two partitions
/// of several batches) and `crm_kpi` / `crm_kpi_state` for `request`.
fn context(ds: &Arc<Dataset>, request: &KpiRequest) -> SessionContext {
    let ctx = SessionContext::new();
    for table in [
        KpiTable::Contacts,
        KpiTable::Deals,
        KpiTable::Purchases,
        KpiTable::Activities,
        KpiTable::Tickets,
        KpiTable::Spend,
        KpiTable::Campaigns,
    ] {
        let b = batch(ds, table);
        let n = b.num_rows();
        let cut = |a: usize, z: usize| b.slice(a, z - a);
        let partitions = vec![
            vec![cut(0, n / 3), cut(n / 3, n / 2)],
            vec![cut(n / 2, n), cut(n, n)],
        ];
        ctx.register_table(
            table.name(),
            Arc::new(MemTable::try_new(b.schema(), partitions).unwrap()),
        )
        .unwrap();
    }
    let f = || KpiFunction::new(Arc::clone(ds), request.clone()).unwrap();
    ctx.register_udaf(f().into_udaf());
    ctx.register_udaf(f().state_only().into_udaf());
    ctx
}

/// Every column of `table`, quoted, for a call.
fn columns(ds: &Dataset, table: KpiTable) -> String {
    batch(ds, table)
        .schema()
        .fields()
        .iter()
        .map(|f| format!("\"{}\"", f.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn run(ctx: &SessionContext, sql: &str) -> datafusion::error::Result<Vec<RecordBatch>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async { ctx.sql(sql).await?.collect().await })
}

fn one_text(out: &[RecordBatch]) -> Option<String> {
    let b = out.iter().find(|b| b.num_rows() > 0)?;
    let s = b.column(0).as_string::<i32>();
    s.is_valid(0).then(|| s.value(0).to_string())
}

#[test]
fn every_one_table_kpi_in_sql_equals_the_in_memory_value() {
    let ds = dataset();
    let kpis: Vec<KpiId> = TABLE_KPIS.iter().map(|(k, _)| *k).collect();
    let request = request(&kpis);
    let ctx = context(&ds, &request);
    let mut defined = 0;
    for (kpi, table) in TABLE_KPIS {
        assert_eq!(table_of(*kpi), Some(*table));
        let sql = format!(
            "SELECT crm_kpi('{}', {}) FROM {}",
            kpi.as_str(),
            columns(&ds, *table),
            table.name()
        );
        let got = one_text(&run(&ctx, &sql).unwrap());
        let want = in_memory(&ds, &request, *kpi);
        assert_eq!(got, want, "{} from {}", kpi.as_str(), table.name());
        defined += usize::from(want.is_some());
    }
    // The sample defines most of them: the comparison is not of NULLs.
    assert!(
        defined * 4 >= TABLE_KPIS.len() * 3,
        "{defined} of {}",
        TABLE_KPIS.len()
    );
}

#[test]
fn multi_table_kpis_merge_one_state_per_table() {
    let ds = dataset();
    for (kpi, tables) in [(
        KpiId::CustomerAcquisitionCost,
        &[
            KpiTable::Spend,
            KpiTable::Campaigns,
            KpiTable::Deals,
            KpiTable::Activities,
        ][..],
    )] {
        assert_eq!(table_of(kpi), None, "{}", kpi.as_str());
        let request = request(&[kpi]);
        let ctx = context(&ds, &request);
        // One query per table, so that states[i] is tables[i]'s state (the
        // rows of a UNION ALL come in no set order).
        let states: Vec<String> = tables
            .iter()
            .map(|t| {
                let sql = format!(
                    "SELECT crm_kpi_state('{}', {}) FROM {}",
                    kpi.as_str(),
                    columns(&ds, *t),
                    t.name()
                );
                one_text(&run(&ctx, &sql).unwrap()).unwrap()
            })
            .collect();
        // The four tables hold every input of CAC: the merged states give
        // the whole dataset's value, digit for digit.
        let want = in_memory(&ds, &request, kpi);
        assert!(want.is_some(), "{} is defined on the sample", kpi.as_str());
        assert_eq!(finish_states(&ds, &request, kpi, &states).unwrap(), want);
        // The campaigns' costs count: without that table's state the value
        // differs.
        let mut without_campaigns = states.clone();
        without_campaigns.remove(1);
        assert_ne!(
            finish_states(&ds, &request, kpi, &without_campaigns).unwrap(),
            want
        );
        // Neither table alone is enough.
        for state in &states {
            let alone = finish_states(&ds, &request, kpi, std::slice::from_ref(state)).unwrap();
            assert_ne!(alone, want, "{}", kpi.as_str());
        }
    }
}

#[test]
fn columns_of_no_known_table_are_a_plan_error() {
    let ds = dataset();
    let request = request(&[KpiId::WinRate]);
    let ctx = context(&ds, &request);
    let e = run(&ctx, "SELECT crm_kpi('win_rate', id, name) FROM contacts").unwrap_err();
    assert!(e.to_string().contains("cannot tell the table"), "{e}");
}
