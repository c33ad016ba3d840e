//! `crm_goal_validate` in SQL gives, row for row, what crmkit's goal
//! validator gives on the same JSON: generated goals, several locales,
//! repeated documents, goals that do not load, a literal goal.

use std::sync::Arc;

use crmkit::chrono::NaiveDate;
use crmkit::goals::validate_json;
use crmkit_datafusion::goal_udf::GoalValidateFunction;
use datafusion::arrow::array::{Array, AsArray, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 7, 1).unwrap()
}

/// Goals built from parts: some SMART, some missing a deadline, a plan, a
/// measurable target; and some that do not load.
fn goals() -> Vec<String> {
    let kpis = [
        ("churn_rate", "\"-25%\"", "increase_retention"),
        ("win_rate", "40", "raise_conversion"),
        ("sales_cycle_length", "60", "shorten_sales_cycle"),
        ("revenue", "\"+50%\"", "sell_more"),
        ("made_up_kpi", "3", "sell_more"),
    ];
    let deadlines = [
        Some("\"end of next quarter\""),
        Some("\"2024-12-31\""),
        Some("\"2020-01-01\""),
        None,
    ];
    let plans = [
        Some(
            r#"{"action": "use sales automation to assign follow-up tasks so that leads do not stall", "resources": ["sales automation"]}"#,
        ),
        None,
    ];
    let mut out = Vec::new();
    for (kpi, target, objective) in kpis {
        for deadline in deadlines {
            for plan in plans {
                let mut fields = vec![
                    format!(r#""name": "improve {kpi}""#),
                    format!(r#""objective": "{objective}""#),
                    format!(r#""kpi": "{kpi}""#),
                    format!(r#""target": {target}"#),
                    r#""reason": "repeat customers spend more and cost less""#.to_string(),
                ];
                if let Some(d) = deadline {
                    fields.push(format!(r#""deadline": {d}"#));
                }
                if let Some(p) = plan {
                    fields.push(format!(r#""plan": {p}"#));
                }
                out.push(format!("{{{}}}", fields.join(", ")));
            }
        }
    }
    out.push(r#"{"name": "prevent churn"}"#.to_string());
    out.push(r#"{"target": "5%"}"#.to_string());
    out.push(r#"{"deadline": "someday"}"#.to_string());
    out.push("not json".to_string());
    out
}

fn run(ctx: &SessionContext, sql: &str) -> datafusion::error::Result<Vec<RecordBatch>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async { ctx.sql(sql).await?.collect().await })
}

fn context() -> SessionContext {
    let ctx = SessionContext::new();
    ctx.register_udf(GoalValidateFunction::new(as_of()).into_udf());
    ctx
}

/// Checks one result struct row against the in-memory validator.
fn check_row(goal: &str, locale: &str, s: &datafusion::arrow::array::StructArray, i: usize) {
    let valid = s.column(0).as_boolean();
    let overall = s.column(1).as_string::<i32>();
    let reasons = s.column(2).as_list::<i32>();
    let error = s.column(3).as_string::<i32>();
    let report = s.column(4).as_string::<i32>();
    match validate_json(goal, as_of(), locale) {
        Ok(want) => {
            assert_eq!(valid.value(i), want.smart, "{goal}");
            assert_eq!(overall.value(i), want.overall.as_str());
            assert!(error.is_null(i));
            assert_eq!(report.value(i), serde_json::to_string(&want).unwrap());
            let got = reasons.value(i);
            let got = got.as_struct();
            let codes = got.column(1).as_string::<i32>();
            let messages = got.column(3).as_string::<i32>();
            let want_reasons: Vec<_> = want
                .criteria
                .iter()
                .flat_map(|c| c.reasons.iter())
                .collect();
            assert_eq!(got.len(), want_reasons.len(), "{goal}");
            for (j, r) in want_reasons.iter().enumerate() {
                assert_eq!(codes.value(j), r.code.as_str());
                assert_eq!(messages.value(j), r.message);
            }
        }
        Err(e) => {
            assert!(!valid.value(i), "{goal}");
            assert!(overall.is_null(i) && report.is_null(i));
            assert_eq!(error.value(i), e.to_string());
            assert_eq!(reasons.value(i).len(), 0);
        }
    }
}

#[test]
fn a_goal_column_validates_as_the_in_memory_validator() {
    let goals = goals();
    let locales = ["en", "de", "zh-Hant", "pt"];
    // Every goal twice, with rotating locales: repeated documents in a batch.
    let rows: Vec<(String, &str)> = goals
        .iter()
        .chain(goals.iter())
        .enumerate()
        .map(|(i, g)| (g.clone(), locales[i % locales.len()]))
        .collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("goal", DataType::Utf8, true),
        Field::new("locale", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        Arc::clone(&schema),
        vec![
            Arc::new(datafusion::arrow::array::Int64Array::from_iter_values(
                0..i64::try_from(rows.len()).unwrap(),
            )),
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|r| r.0.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1))),
        ],
    )
    .unwrap();
    let (a, b) = (batch.slice(0, 17), batch.slice(17, batch.num_rows() - 17));
    let ctx = context();
    ctx.register_table(
        "goals",
        Arc::new(MemTable::try_new(schema, vec![vec![a], vec![b]]).unwrap()),
    )
    .unwrap();
    let out = run(
        &ctx,
        "SELECT id, crm_goal_validate(goal, locale) AS v, crm_goal_validate(goal) AS en FROM goals",
    )
    .unwrap();
    let (mut seen, mut smart, mut broken) = (0, 0, 0);
    for b in &out {
        let ids = b
            .column(0)
            .as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        let v = b.column(1).as_struct();
        let en = b.column(2).as_struct();
        for i in 0..b.num_rows() {
            let (goal, locale) = &rows[usize::try_from(ids.value(i)).unwrap()];
            check_row(goal, locale, v, i);
            check_row(goal, "en", en, i);
            seen += 1;
            smart += usize::from(v.column(0).as_boolean().value(i));
            broken += usize::from(v.column(3).is_valid(i));
        }
    }
    assert_eq!(seen, rows.len());
    assert!(smart > 0 && smart < seen, "{smart} of {seen}");
    assert!(broken >= 6, "{broken}");
}

#[test]
fn a_literal_goal_nulls_and_unknown_locales() {
    let ctx = context();
    let goal = goals()[0].clone();
    let out = run(
        &ctx,
        &format!(
            "SELECT crm_goal_validate('{}', 'ru') AS v, crm_goal_validate(NULL) AS n",
            goal.replace('\'', "''")
        ),
    )
    .unwrap();
    let v = out[0].column(0).as_struct();
    check_row(&goal, "ru", v, 0);
    assert!(out[0].column(1).is_null(0));
    let e = run(&ctx, "SELECT crm_goal_validate('{}', 'xx-unknown')").unwrap_err();
    assert!(e.to_string().contains("crm_goal_validate"), "{e}");
}
