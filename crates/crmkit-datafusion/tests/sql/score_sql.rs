//! `crm_lead_score` in SQL gives `ScoringModel::score`'s total, grade and
//! top reasons for every contact of the sample company.

use std::sync::Arc;

use crmkit::sample::{SAMPLE_AS_OF, SampleConfig, generate};
use crmkit::scoring::{LeadInput, ScoringModel};
use crmkit_datafusion::score_udf::{LeadScoreFunction, top_reasons};
use crmkit_datafusion::{schema, write};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

const MODEL: &str = include_str!("../../../../examples/data/scoring_model.json");

#[test]
fn scores_in_sql_equal_the_explained_scores() {
    let ds = Arc::new(
        generate(&SampleConfig {
            contacts: 150,
            ..SampleConfig::default()
        })
        .unwrap(),
    );
    let model = ScoringModel::from_json(MODEL).unwrap();
    let ctx = SessionContext::new();
    let contacts = write::contacts(ds.contacts()).unwrap();
    ctx.register_table(
        "contacts",
        Arc::new(MemTable::try_new(schema::contacts(), vec![vec![contacts]]).unwrap()),
    )
    .unwrap();
    ctx.register_udf(LeadScoreFunction::new(Arc::clone(&ds), SAMPLE_AS_OF).into_udf());
    let sql = format!(
        "SELECT c.id, crm_lead_score('{}', c.id) AS s FROM contacts c",
        MODEL.replace('\'', "''")
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let out = rt.block_on(async { ctx.sql(&sql).await.unwrap().collect().await.unwrap() });
    let mut seen = 0;
    let mut graded = 0;
    for b in &out {
        let ids = b.column(0).as_string::<i32>();
        let s = b.column(1).as_struct();
        let (total, grade, reasons) = (
            s.column(0).as_string::<i32>(),
            s.column(1).as_string::<i32>(),
            s.column(2).as_string::<i32>(),
        );
        for i in 0..b.num_rows() {
            let position = ds
                .contacts()
                .iter()
                .position(|c| c.id.as_str() == ids.value(i))
                .unwrap();
            let want = model
                .score(
                    &LeadInput::from_dataset(&ds, position).unwrap(),
                    SAMPLE_AS_OF,
                )
                .unwrap();
            assert_eq!(total.value(i), want.total.to_string());
            assert_eq!(
                grade.is_valid(i).then(|| grade.value(i).to_string()),
                want.grade
            );
            assert_eq!(reasons.value(i), top_reasons(&want));
            graded += usize::from(want.grade.is_some());
            seen += 1;
        }
    }
    assert_eq!(seen, ds.contacts().len());
    assert!(graded > 0);
}

#[test]
fn a_model_that_does_not_compile_is_a_query_error_naming_the_path() {
    let ds = Arc::new(
        generate(&SampleConfig {
            contacts: 5,
            ..SampleConfig::default()
        })
        .unwrap(),
    );
    let ctx = SessionContext::new();
    ctx.register_udf(LeadScoreFunction::new(Arc::clone(&ds), SAMPLE_AS_OF).into_udf());
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let err = rt.block_on(async {
        ctx.sql("SELECT crm_lead_score('{\"rules\": [{\"id\": 3}]}', 'C-1')")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap_err()
    });
    let message = err.to_string();
    assert!(
        message.contains("crm_lead_score: model") && message.contains("rules[0]"),
        "{message}"
    );
}
