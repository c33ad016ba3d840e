//! The scale benches of issue 17 on one node (a plain timing harness: each
//! figure is the median of `CRMKIT_BENCH_RUNS` runs, default 3; a run at
//! this size takes seconds, so criterion's sampling adds nothing but time).
//!
//! Data (generated on first use into `target/bench-data`, not committed):
//! `CRMKIT_BENCH_PURCHASES` purchases (default 10,000,000) of
//! `CRMKIT_BENCH_CONTACTS` customers (default 1,000,000) over two years
//! (2010-12-01 to 2012-11-30, GBP, `Decimal128(38, 4)`), and
//! `CRMKIT_BENCH_DEALS` deals (default 1,000,000: a third won, a third
//! lost, a third open), as Parquet in this crate's schema.
//!
//! KPIs (the subset polars and DuckDB also express; see `kpi_peers.py`):
//! active customers, repeat customers, revenue, average order value,
//! purchase frequency, half-year retention (previous-period basis) over
//! 2011-07-01..2012-01-01 from purchases, and the win rate of that period
//! from deals. Measured:
//!
//! - `datafusion`: `crm_kpi_state` over the purchases and the deals Parquet
//!   files (one accumulator per table, merged at the end), plus reading the
//!   contacts the KPI context needs;
//! - `in_memory_with_load`: the Parquet files read into a crmkit `Dataset`
//!   with this crate's loader, then `kpi::compute`.
//!
//! Scoring: the encoded columns of the example scoring model for
//! `CRMKIT_BENCH_LEADS` leads (default 10,000,000, tiled from the sample
//! company's leads), in memory: `crm_lead_score_batch` over a `MemTable` vs
//! `ScoringModel::score_batch` over the same arrays, each summing the
//! totals (the sums must agree).
//!
//! ```text
//! cargo bench -p crmkit-datafusion --bench kpi_scale
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crmkit::kpi::catalog::KpiId;
use crmkit::kpi::{KpiRequest, compute};
use crmkit::model::{Dataset, DatasetParts};
use crmkit::money::Currency;
use crmkit::sample::{SAMPLE_AS_OF, SampleConfig, SampleRng, generate};
use crmkit::scoring::{Batch, BatchScore, LeadInput, ScoringModel};
use crmkit_datafusion::kpi_tables::{finish_states_all, value_text};
use crmkit_datafusion::kpi_udaf::KpiFunction;
use crmkit_datafusion::load::{Table, TableKind, load_dataset};
use crmkit_datafusion::schema;
use crmkit_datafusion::score_batch_udf::LeadScoreBatchFunction;
use datafusion::arrow::array::{
    ArrayRef, AsArray, Decimal128Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::datasource::MemTable;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::prelude::{ParquetReadOptions, SessionContext};

const START_UNIX: i64 = 1_291_161_600;
const SPAN_SECONDS: i64 = 2 * 365 * 86_400;
const CHUNK: usize = 1 << 20;
const KPIS: [KpiId; 7] = [
    KpiId::ActiveCustomers,
    KpiId::RepeatCustomers,
    KpiId::Revenue,
    KpiId::AverageOrderValue,
    KpiId::PurchaseFrequency,
    KpiId::RetentionRate,
    KpiId::WinRate,
];

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed().as_secs_f64());
        last = Some(out);
    }
    (median(times), last.expect("at least one run"))
}

fn text_field(name: &str) -> Field {
    Field::new(name, DataType::Utf8, false)
}

fn ts(micros: Vec<i64>) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from(micros).with_timezone("UTC"))
}

fn ts_opt(micros: Vec<Option<i64>>) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from(micros).with_timezone("UTC"))
}

fn money(units: Vec<i128>) -> ArrayRef {
    Arc::new(
        Decimal128Array::from(units)
            .with_precision_and_scale(schema::MONEY_PRECISION, schema::MONEY_SCALE)
            .expect("decimal"),
    )
}

fn text(values: impl Iterator<Item = String>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

/// Writes batches produced chunk by chunk.
fn write(
    path: &Path,
    schema: SchemaRef,
    rows: usize,
    mut chunk: impl FnMut(usize, usize) -> Vec<ArrayRef>,
) {
    let file = std::fs::File::create(path).expect("create");
    let mut w = ArrowWriter::try_new(file, Arc::clone(&schema), None).expect("writer");
    let mut start = 0;
    while start < rows {
        let end = (start + CHUNK).min(rows);
        let batch = RecordBatch::try_new(Arc::clone(&schema), chunk(start, end)).expect("batch");
        w.write(&batch).expect("write");
        start = end;
    }
    w.close().expect("close");
}

struct Files {
    contacts: PathBuf,
    purchases: PathBuf,
    deals: PathBuf,
}

fn generate_data(dir: &Path, contacts: usize, purchases: usize, deals: usize) -> Files {
    std::fs::create_dir_all(dir).expect("bench-data dir");
    let files = Files {
        contacts: dir.join(format!("contacts_{contacts}.parquet")),
        purchases: dir.join(format!("purchases_{purchases}_{contacts}.parquet")),
        deals: dir.join(format!("deals_{deals}_{contacts}.parquet")),
    };
    if files.contacts.exists() && files.purchases.exists() && files.deals.exists() {
        return files;
    }
    let t = Instant::now();
    let mut rng = SampleRng::new(17);
    let customer: Vec<usize> = (0..purchases)
        .map(|i| {
            if i < contacts {
                i
            } else {
                (rng.next_u64() % contacts as u64) as usize
            }
        })
        .collect();
    let at: Vec<i64> = (0..purchases)
        .map(|_| START_UNIX + (rng.next_u64() % SPAN_SECONDS as u64) as i64)
        .collect();
    let pence: Vec<i64> = (0..purchases)
        .map(|_| 100 + (rng.next_u64() % 50_000) as i64)
        .collect();
    let mut first = vec![START_UNIX; contacts];
    let mut seen = vec![false; contacts];
    for (&c, &t) in customer.iter().zip(&at) {
        if !seen[c] || t < first[c] {
            first[c] = t;
            seen[c] = true;
        }
    }
    let contact_schema = Arc::new(Schema::new(vec![
        text_field("id"),
        text_field("name"),
        Field::new("created_at", schema::timestamp(), false),
        text_field("lifecycle_stage"),
    ]));
    write(&files.contacts, contact_schema, contacts, |s, e| {
        vec![
            text((s..e).map(|i| format!("C{i:07}"))),
            text((s..e).map(|_| String::new())),
            ts((s..e).map(|i| first[i] * 1_000_000).collect()),
            text((s..e).map(|_| "customer".to_string())),
        ]
    });
    let purchase_schema = Arc::new(Schema::new(vec![
        text_field("id"),
        text_field("contact"),
        Field::new("at", schema::timestamp(), false),
        Field::new("amount", schema::money(), false),
        text_field("currency"),
    ]));
    write(&files.purchases, purchase_schema, purchases, |s, e| {
        vec![
            text((s..e).map(|i| format!("P{i:08}"))),
            text((s..e).map(|i| format!("C{:07}", customer[i]))),
            ts((s..e).map(|i| at[i] * 1_000_000).collect()),
            money((s..e).map(|i| i128::from(pence[i]) * 100).collect()),
            text((s..e).map(|_| "GBP".to_string())),
        ]
    });
    // Deals: created in the two years, closed 1-120 days later when won or lost.
    let deal_contact: Vec<usize> = (0..deals)
        .map(|_| (rng.next_u64() % contacts as u64) as usize)
        .collect();
    let created: Vec<i64> = (0..deals)
        .map(|_| START_UNIX + (rng.next_u64() % SPAN_SECONDS as u64) as i64)
        .collect();
    let outcome: Vec<u64> = (0..deals).map(|_| rng.next_u64() % 3).collect();
    let cycle: Vec<i64> = (0..deals)
        .map(|_| 86_400 * (1 + (rng.next_u64() % 120) as i64))
        .collect();
    let value: Vec<i64> = (0..deals)
        .map(|_| 10_000 + (rng.next_u64() % 5_000_000) as i64)
        .collect();
    let deal_schema = Arc::new(Schema::new(vec![
        text_field("id"),
        text_field("name"),
        text_field("contact"),
        text_field("pipeline"),
        text_field("stage"),
        text_field("status"),
        text_field("kind"),
        Field::new("amount", schema::money(), false),
        text_field("currency"),
        Field::new("created_at", schema::timestamp(), false),
        Field::new("closed_at", schema::timestamp(), true),
    ]));
    let status = |o: u64| ["won", "lost", "open"][o as usize];
    let stage = |o: u64| ["won", "lost", "proposal"][o as usize];
    write(&files.deals, deal_schema, deals, |s, e| {
        vec![
            text((s..e).map(|i| format!("D{i:07}"))),
            text((s..e).map(|_| String::new())),
            text((s..e).map(|i| format!("C{:07}", deal_contact[i]))),
            text((s..e).map(|_| "sales".to_string())),
            text((s..e).map(|i| stage(outcome[i]).to_string())),
            text((s..e).map(|i| status(outcome[i]).to_string())),
            text((s..e).map(|_| "new".to_string())),
            money((s..e).map(|i| i128::from(value[i]) * 100).collect()),
            text((s..e).map(|_| "GBP".to_string())),
            ts((s..e).map(|i| created[i] * 1_000_000).collect()),
            ts_opt(
                (s..e)
                    .map(|i| (outcome[i] < 2).then(|| (created[i] + cycle[i]) * 1_000_000))
                    .collect(),
            ),
        ]
    });
    eprintln!(
        "generated the bench data in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    files
}

/// The configuration the tables are loaded into: the sample's pipelines,
/// GBP reports.
fn base() -> DatasetParts {
    let sample = generate(&SampleConfig {
        contacts: 5,
        ..SampleConfig::default()
    })
    .expect("sample");
    DatasetParts {
        pipelines: sample.parts().pipelines.clone(),
        reporting_currency: Some(Currency::new("GBP").expect("GBP")),
        ..DatasetParts::default()
    }
}

fn request() -> KpiRequest {
    let kpis: Vec<String> = KPIS.iter().map(|k| format!("\"{}\"", k.as_str())).collect();
    KpiRequest::from_json(&format!(
        r#"{{"kpis": [{}], "period": {{"start": "2011-07-01", "end": "2012-01-01"}},
            "options": {{"revenue_source": "purchases", "customer_basis": "previous_period"}}}}"#,
        kpis.join(", ")
    ))
    .expect("request")
}

fn values(ds: &Dataset, request: &KpiRequest) -> Vec<Option<String>> {
    let report = compute(ds, request).expect("compute");
    KPIS.iter()
        .map(|k| {
            report
                .row(*k)
                .and_then(|r| r.current.value.as_decimal())
                .map(|d| d.to_string())
        })
        .collect()
}

fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

fn datafusion_kpis(files: &Files, request: &KpiRequest) -> Vec<Option<String>> {
    let t = Instant::now();
    let contacts = Table::from_parquet(TableKind::Contacts, &files.contacts).expect("contacts");
    let context = Arc::new(load_dataset(base(), &[contacts]).expect("context"));
    let ctx = SessionContext::new();
    let udaf = KpiFunction::new(Arc::clone(&context), request.clone())
        .expect("udaf")
        .state_only();
    ctx.register_udaf(udaf.into_udaf());
    let context_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let states = block(async {
        ctx.register_parquet(
            "purchases",
            files.purchases.to_str().expect("path"),
            ParquetReadOptions::default(),
        )
        .await
        .expect("purchases");
        ctx.register_parquet(
            "deals",
            files.deals.to_str().expect("path"),
            ParquetReadOptions::default(),
        )
        .await
        .expect("deals");
        let sql = "SELECT crm_kpi_state('revenue', id, contact, at, amount, currency) FROM purchases \
                   UNION ALL \
                   SELECT crm_kpi_state('win_rate', id, name, contact, pipeline, stage, status, kind, amount, currency, created_at, closed_at) FROM deals";
        let out = ctx
            .sql(sql)
            .await
            .expect("plan")
            .collect()
            .await
            .expect("run");
        out.iter()
            .flat_map(|b| {
                let s = b.column(0).as_string::<i32>();
                (0..b.num_rows())
                    .map(|i| s.value(i).to_string())
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    });
    let sql_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let measurements = finish_states_all(&context, request, &states).expect("finish");
    eprintln!(
        "  phases: context contacts {context_secs:.3} s, SQL {sql_secs:.3} s, states {:.1} MB, merge and finish {:.3} s",
        states.iter().map(String::len).sum::<usize>() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    KPIS.iter().map(|k| value_text(&measurements, *k)).collect()
}

fn in_memory_with_load(files: &Files, request: &KpiRequest) -> Vec<Option<String>> {
    let tables = [
        Table::from_parquet(TableKind::Contacts, &files.contacts).expect("contacts"),
        Table::from_parquet(TableKind::Purchases, &files.purchases).expect("purchases"),
        Table::from_parquet(TableKind::Deals, &files.deals).expect("deals"),
    ];
    let ds = load_dataset(base(), &tables).expect("load");
    values(&ds, request)
}

/// The example model's encoded columns for `n` leads, tiled from the
/// sample company's leads.
fn lead_columns(model: &ScoringModel, n: usize) -> Vec<Vec<i64>> {
    let ds = generate(&SampleConfig {
        contacts: 200,
        ..SampleConfig::default()
    })
    .expect("sample");
    let leads: Vec<LeadInput<'_>> = (0..ds.contacts().len())
        .filter_map(|p| LeadInput::from_dataset(&ds, p))
        .collect();
    let prepared = model.prepare(&leads).expect("prepare");
    prepared
        .columns()
        .iter()
        .map(|c| (0..n).map(|i| c[i % c.len()]).collect())
        .collect()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let runs = env("CRMKIT_BENCH_RUNS", 3).max(1);
    let contacts = env("CRMKIT_BENCH_CONTACTS", 1_000_000);
    let purchases = env("CRMKIT_BENCH_PURCHASES", 10_000_000);
    let deals = env("CRMKIT_BENCH_DEALS", 1_000_000);
    let leads = env("CRMKIT_BENCH_LEADS", 10_000_000);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data");
    let files = generate_data(&dir, contacts, purchases, deals);
    let request = request();
    let only = std::env::var("CRMKIT_BENCH_ONLY").unwrap_or_default();

    if only.is_empty() || only == "kpi" {
        let (df, df_values) = time(runs, || datafusion_kpis(&files, &request));
        println!("kpi datafusion (crm_kpi_state, Parquet, incl. context contacts): {df:.3} s");
        let (mem, mem_values) = time(runs, || in_memory_with_load(&files, &request));
        println!("kpi in-memory crmkit incl. Parquet load: {mem:.3} s");
        for (k, (a, b)) in KPIS.iter().zip(df_values.iter().zip(&mem_values)) {
            println!(
                "  {:<22} datafusion {:>30} in-memory {:>30}",
                k.as_str(),
                a.as_deref().unwrap_or("NULL"),
                b.as_deref().unwrap_or("NULL")
            );
            assert_eq!(a, b, "{}", k.as_str());
        }
        println!("  ratio datafusion / in-memory-with-load: {:.2}", df / mem);
    }

    if only.is_empty() || only == "score" {
        let json = include_str!("../../../examples/data/scoring_model.json");
        let model = ScoringModel::from_json(json).expect("model");
        let columns = lead_columns(&model, leads);
        let (direct, direct_sum) = time(runs, || {
            let batch = Batch {
                leads,
                columns: columns.iter().map(Vec::as_slice).collect(),
                events: &[],
                stages: None,
            };
            let mut out = vec![BatchScore::default(); leads];
            model
                .score_batch(&batch, SAMPLE_AS_OF, &mut out, None)
                .expect("score");
            out.iter().map(|s| i128::from(s.total_units)).sum::<i128>()
        });
        println!("score_batch over {leads} leads (in memory): {direct:.3} s");
        let fields: Vec<Field> = (0..columns.len())
            .map(|i| Field::new(format!("c{i}"), DataType::Int64, false))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let batch_rows = 8192;
        let partitions: Vec<Vec<RecordBatch>> = (0..2)
            .map(|p| {
                let (from, to) = (p * leads / 2, (p + 1) * leads / 2);
                (from..to)
                    .step_by(batch_rows)
                    .map(|s| {
                        let e = (s + batch_rows).min(to);
                        RecordBatch::try_new(
                            Arc::clone(&schema),
                            columns
                                .iter()
                                .map(|c| Arc::new(Int64Array::from(c[s..e].to_vec())) as ArrayRef)
                                .collect(),
                        )
                        .expect("batch")
                    })
                    .collect()
            })
            .collect();
        let ctx = SessionContext::new();
        ctx.register_table(
            "leads",
            Arc::new(MemTable::try_new(Arc::clone(&schema), partitions).expect("table")),
        )
        .expect("register");
        ctx.register_udf(LeadScoreBatchFunction::new(SAMPLE_AS_OF).into_udf());
        let args: Vec<String> = (0..columns.len()).map(|i| format!("c{i}")).collect();
        let sql = format!(
            "SELECT sum(s.score) FROM (SELECT crm_lead_score_batch('{}', {}) AS s FROM leads)",
            json.replace('\'', "''"),
            args.join(", ")
        );
        let (udf, udf_sum) = time(runs, || {
            block(async {
                let out = ctx
                    .sql(&sql)
                    .await
                    .expect("plan")
                    .collect()
                    .await
                    .expect("run");
                let d = out[0]
                    .column(0)
                    .as_primitive::<datafusion::arrow::datatypes::Decimal128Type>();
                d.value(0)
            })
        });
        println!("crm_lead_score_batch over {leads} leads (MemTable, 2 partitions): {udf:.3} s");
        assert_eq!(udf_sum, direct_sum, "the sums of the totals differ");
        println!("  ratio udf / score_batch: {:.2}", udf / direct);
    }
}
