//! `crm_rfm` and `crm_clv` in SQL give the in-memory summaries and CLV
//! predictions bit for bit, for a deal-based company and a purchase-heavy
//! shop, whatever the split of the purchases into partitions.

use std::collections::BTreeMap;
use std::sync::Arc;

use crmkit::model::Dataset;
use crmkit::predict::clv::to_money;
use crmkit::predict::{ClvReportOptions, RfmOptions, TimeUnit, clv_report, rfm_from_dataset};
use crmkit::sample::{SAMPLE_AS_OF, SampleConfig, generate};
use crmkit_datafusion::clv::{ClvFunction, RfmFunction};
use crmkit_datafusion::{schema, write};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, UInt32Type};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

fn options() -> RfmOptions {
    RfmOptions {
        unit: TimeUnit::Weeks,
        calibration_end: SAMPLE_AS_OF,
        observation_end: None,
    }
}

fn context(ds: &Dataset, partitions: usize) -> SessionContext {
    let batch = write::purchases(ds.activities()).unwrap();
    let n = batch.num_rows();
    let mut parts: Vec<Vec<RecordBatch>> = vec![Vec::new(); partitions];
    for (i, start) in (0..n).step_by(13).enumerate() {
        parts[i % partitions].push(batch.slice(start, 13.min(n - start)));
    }
    let ctx = SessionContext::new();
    ctx.register_table(
        "purchases",
        Arc::new(MemTable::try_new(schema::purchases(), parts).unwrap()),
    )
    .unwrap();
    let currency = rfm_from_dataset(ds, &options(), None).unwrap().currency;
    ctx.register_udaf(
        RfmFunction::new(options(), currency, ds.exchange_rates().cloned()).into_udaf(),
    );
    ctx.register_udf(ClvFunction::default().into_udf());
    ctx
}

fn run(ctx: &SessionContext, sql: &str) -> Vec<RecordBatch> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async { ctx.sql(sql).await.unwrap().collect().await.unwrap() })
}

fn contacts(b: &RecordBatch) -> Vec<String> {
    let a = cast(b.column(0), &DataType::Utf8).unwrap();
    let a = a.as_string::<i32>();
    (0..a.len()).map(|i| a.value(i).to_string()).collect()
}

fn shapes() -> [Dataset; 2] {
    [
        generate(&SampleConfig {
            contacts: 200,
            ..SampleConfig::default()
        })
        .unwrap(),
        generate(&SampleConfig {
            seed: 42,
            contacts: 80,
            activities_per_contact: 40,
            ..SampleConfig::default()
        })
        .unwrap(),
    ]
}

#[test]
fn rfm_summaries_per_customer_equal_rfm_from_dataset_bit_for_bit() {
    for ds in shapes() {
        let expected = rfm_from_dataset(&ds, &options(), None).unwrap();
        assert!(expected.contacts.len() > 10);
        let want: BTreeMap<String, [u64; 4]> = expected
            .contacts
            .iter()
            .zip(&expected.table.rows)
            .map(|(c, r)| {
                let f = r.rfm;
                (
                    c.as_str().to_string(),
                    [
                        u64::from(f.frequency),
                        f.recency.to_bits(),
                        f.age.to_bits(),
                        f.monetary.to_bits(),
                    ],
                )
            })
            .collect();
        for partitions in [1, 3] {
            let ctx = context(&ds, partitions);
            let out = run(
                &ctx,
                "SELECT contact, crm_rfm(at, amount, currency) AS r FROM purchases GROUP BY contact",
            );
            let mut got = BTreeMap::new();
            for b in &out {
                let r = b.column(1).as_struct();
                let (f, rec, age, m) = (
                    r.column(0).as_primitive::<UInt32Type>(),
                    r.column(1).as_primitive::<Float64Type>(),
                    r.column(2).as_primitive::<Float64Type>(),
                    r.column(3).as_primitive::<Float64Type>(),
                );
                for (i, contact) in contacts(b).into_iter().enumerate() {
                    if r.is_valid(i) {
                        got.insert(
                            contact,
                            [
                                u64::from(f.value(i)),
                                rec.value(i).to_bits(),
                                age.value(i).to_bits(),
                                m.value(i).to_bits(),
                            ],
                        );
                    }
                }
            }
            assert_eq!(got, want);
        }
    }
}

#[test]
fn clv_predictions_in_sql_equal_the_clv_report() {
    let ds = &shapes()[0];
    let options: ClvReportOptions = serde_json::from_str(
        r#"{"fit": {"unit": "weeks", "bgnbd": {"penalty": 1.0}}, "clv": {"horizon_months": 12}}"#,
    )
    .unwrap();
    let report = clv_report(ds, SAMPLE_AS_OF, &options).unwrap();
    let model = report.model.to_json().unwrap().replace('\'', "''");
    let ctx = context(ds, 2);
    let out = run(
        &ctx,
        &format!(
            "SELECT contact, crm_clv('{model}', 12, r.frequency, r.recency, r.age, r.monetary) AS v \
             FROM (SELECT contact, crm_rfm(at, amount, currency) AS r FROM purchases GROUP BY contact)"
        ),
    );
    let mut got = BTreeMap::new();
    for b in &out {
        let v = b.column(1).as_struct();
        let (p, clv) = (
            v.column(0).as_primitive::<Float64Type>(),
            v.column(3).as_primitive::<Float64Type>(),
        );
        for (i, contact) in contacts(b).into_iter().enumerate() {
            got.insert(
                contact,
                (
                    p.value(i).to_bits(),
                    to_money(clv.value(i), report.currency).unwrap(),
                ),
            );
        }
    }
    assert_eq!(got.len(), report.customers.len());
    for c in &report.customers {
        assert_eq!(
            got[c.contact.as_str()],
            (c.probability_alive.to_bits(), c.clv),
            "{}",
            c.contact
        );
    }
}

#[test]
fn a_clv_model_that_does_not_load_is_a_query_error() {
    let ds = &shapes()[0];
    let ctx = context(ds, 1);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let err = rt.block_on(async {
        ctx.sql("SELECT crm_clv('{\"unit\": \"weeks\"}', 12, 1, 2.0, 3.0, 4.0)")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap_err()
    });
    assert!(err.to_string().contains("crm_clv: model"), "{err}");
}
