//! A Ballista standalone cluster (one scheduler, two executors, in this
//! process) with the crmkit functions gives the digits of single-node
//! DataFusion and of the in-memory library: lead scores, the $500 routing,
//! KPIs grouped by team and CLV per customer. A model that does not compile
//! is a query error naming the JSON path, on the cluster too.

use crate::common::*;
use crmkit::automation::presets::Boundary;
use crmkit_ballista::cluster;
use datafusion::prelude::SessionContext;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_cluster_gives_the_digits_of_single_node_datafusion_and_of_crmkit() {
    let ds = dataset();
    let dir = scratch("standalone");
    write_tables(&ds, &dir);
    let functions = functions(&ds);

    let single = SessionContext::new();
    functions.register(&single);
    register_tables(&single, &dir).await.unwrap();
    let cluster = cluster::standalone(&functions, 2, 2).await.unwrap();
    register_tables(&cluster, &dir).await.unwrap();

    let report = clv_report_of(&ds);
    let queries: Vec<(&str, String, Vec<Vec<String>>)> = vec![
        ("lead scores", score_sql(), scores_in_memory(&ds)),
        (
            "routing, call boundary",
            route_sql(Boundary::Call),
            routes_in_memory(&ds, Boundary::Call),
        ),
        (
            "routing, unrouted boundary",
            route_sql(Boundary::Unrouted),
            routes_in_memory(&ds, Boundary::Unrouted),
        ),
        (
            "win rate by team",
            kpi_sql("win_rate"),
            kpi_in_memory(&ds, "win_rate"),
        ),
        (
            "revenue by team",
            kpi_sql("revenue"),
            kpi_in_memory(&ds, "revenue"),
        ),
    ];
    for (what, sql, memory) in queries {
        assert_runs_on_the_cluster(&cluster, &sql).await;
        let on_one_node = rows(&single, &sql).await.unwrap();
        let on_the_cluster = rows(&cluster, &sql)
            .await
            .unwrap_or_else(|e| panic!("{what} on the cluster: {e}"));
        assert!(on_one_node.len() >= 2, "{what}: {on_one_node:?}");
        assert_eq!(
            on_the_cluster, on_one_node,
            "{what}: cluster vs single node"
        );
        assert_eq!(on_one_node, memory, "{what}: single node vs in memory");
    }

    let sql = clv_sql(&report);
    let on_one_node = rows(&single, &sql).await.unwrap();
    let on_the_cluster = rows(&cluster, &sql).await.unwrap();
    assert_eq!(on_the_cluster, on_one_node, "CLV: cluster vs single node");
    assert_eq!(
        clv_as_money(on_one_node, &report),
        clv_in_memory(&report),
        "CLV: single node vs in memory"
    );
    assert!(report.customers.len() > 10);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_model_that_does_not_compile_is_a_query_error_naming_its_path_on_the_cluster() {
    let ds = dataset();
    let dir = scratch("bad-model");
    write_tables(&ds, &dir);
    let functions = functions(&ds);
    let cluster = cluster::standalone(&functions, 2, 1).await.unwrap();
    register_tables(&cluster, &dir).await.unwrap();

    let bad_model = r#"{"rules": [{"id": 3}]}"#;
    let sql = format!("SELECT c.id, crm_lead_score('{bad_model}', c.id) FROM contacts c");
    let err = rows(&cluster, &sql).await.unwrap_err().to_string();
    assert!(
        err.contains("crm_lead_score: model") && err.contains("rules[0]"),
        "{err}"
    );

    let bad_rules = routing_json(Boundary::Call).replace("\"deal_created\"", "\"deal_exploded\"");
    let sql = format!("SELECT crm_route('{bad_rules}', {DEAL_ARGS}) FROM deals d");
    let err = rows(&cluster, &sql).await.unwrap_err().to_string();
    assert!(
        err.contains("crm_route: rule set") && err.contains("rules[0]"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
