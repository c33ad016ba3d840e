//! A real cluster on localhost: `crmkit-scheduler` and two
//! `crmkit-executor` processes started from this test, given one
//! `--functions` file; a client of that scheduler gets the digits of
//! single-node DataFusion (and of the in-memory library) for the scores,
//! the $500 routing, a KPI by team and CLV.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::*;
use crmkit::automation::presets::Boundary;
use crmkit_ballista::cluster;
use datafusion::prelude::SessionContext;

/// The child processes, killed (and reaped) when the test ends, pass or fail.
struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn(binary: &str, args: &[String], log: &Path) -> Child {
    let log = std::fs::File::create(log).unwrap();
    Command::new(binary)
        .args(args)
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap()
}

async fn wait_for_port(port: u16) {
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("nothing listens on port {port} after 30 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scheduler_and_two_executors_as_processes_give_the_single_node_digits() {
    let ds = dataset();
    let dir = scratch("processes");
    write_tables(&ds, &dir);
    std::fs::write(dir.join("dataset.json"), ds.to_json().unwrap()).unwrap();
    let config = serde_json::json!({
        "dataset": "dataset.json",
        "as_of": crmkit::sample::SAMPLE_AS_OF,
        "kpi_request": kpi_request(None),
        "rfm": rfm_options(),
    });
    let config_path = dir.join("functions.json");
    std::fs::write(&config_path, config.to_string()).unwrap();
    let config_arg = config_path.to_str().unwrap().to_string();

    let scheduler_port = free_port();
    let mut processes = Processes(Vec::new());
    processes.0.push(spawn(
        env!("CARGO_BIN_EXE_crmkit-scheduler"),
        &[
            "--functions".into(),
            config_arg.clone(),
            "--port".into(),
            scheduler_port.to_string(),
        ],
        &dir.join("scheduler.log"),
    ));
    wait_for_port(scheduler_port).await;
    for i in 0..2 {
        let work = dir.join(format!("executor-{i}"));
        std::fs::create_dir_all(&work).unwrap();
        processes.0.push(spawn(
            env!("CARGO_BIN_EXE_crmkit-executor"),
            &[
                "--functions".into(),
                config_arg.clone(),
                "--scheduler-host".into(),
                "127.0.0.1".into(),
                "--scheduler-port".into(),
                scheduler_port.to_string(),
                "--port".into(),
                free_port().to_string(),
                "--grpc-port".into(),
                free_port().to_string(),
                "--vcores".into(),
                "2".into(),
                "--work-dir".into(),
                work.to_str().unwrap().into(),
            ],
            &dir.join(format!("executor-{i}.log")),
        ));
    }

    let functions = functions(&ds);
    let single = SessionContext::new();
    functions.register(&single);
    register_tables(&single, &dir).await.unwrap();
    let client = cluster::remote(&format!("df://127.0.0.1:{scheduler_port}"), &functions)
        .await
        .unwrap();
    register_tables(&client, &dir).await.unwrap();

    let report = clv_report_of(&ds);
    let queries = [
        ("lead scores", score_sql()),
        ("routing", route_sql(Boundary::Call)),
        ("win rate by team", kpi_sql("win_rate")),
        ("CLV", clv_sql(&report)),
    ];
    for (what, sql) in queries {
        assert_runs_on_the_cluster(&client, &sql).await;
        let on_one_node = rows(&single, &sql).await.unwrap();
        let on_the_cluster = tokio::time::timeout(Duration::from_secs(300), rows(&client, &sql))
            .await
            .unwrap_or_else(|_| panic!("{what}: no answer from the cluster in 300 s"))
            .unwrap_or_else(|e| panic!("{what} on the cluster: {e}"));
        assert!(on_one_node.len() >= 2, "{what}: {on_one_node:?}");
        assert_eq!(
            on_the_cluster, on_one_node,
            "{what}: cluster vs single node"
        );
    }
    assert_eq!(
        rows(&single, &route_sql(Boundary::Call)).await.unwrap(),
        routes_in_memory(&ds, Boundary::Call)
    );
    drop(processes);
    let _ = std::fs::remove_dir_all(&dir);
}
