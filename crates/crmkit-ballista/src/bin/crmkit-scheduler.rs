//! A Ballista scheduler whose sessions have the crmkit functions.
//!
//! ```text
//! crmkit-scheduler --functions FUNCTIONS.json [--bind-host 127.0.0.1] [--port 50050]
//! ```
//!
//! `FUNCTIONS.json` is a [`crmkit_ballista::FunctionsConfig`] file; give the
//! executors the same file.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use crmkit_ballista::args::{Args, exit_code};
use crmkit_ballista::cluster::scheduler_session_builder;
use crmkit_ballista::functions::CrmFunctions;

const USAGE: &str =
    "usage: crmkit-scheduler --functions FUNCTIONS.json [--bind-host 127.0.0.1] [--port 50050]";

async fn run() -> Result<(), String> {
    let args = Args::parse(
        std::env::args().skip(1),
        &["functions", "bind-host", "port"],
    )?;
    let file = args.text("functions").ok_or("--functions is required")?;
    let functions = CrmFunctions::from_config_file(Path::new(file))?;
    let config = SchedulerConfig {
        bind_host: args.text("bind-host").unwrap_or("127.0.0.1").to_string(),
        bind_port: args.number("port", 50050)?,
        override_session_builder: Some(scheduler_session_builder(functions)),
        ..SchedulerConfig::default()
    };
    let addr: SocketAddr = format!("{}:{}", config.bind_host, config.bind_port)
        .parse()
        .map_err(|e| format!("--bind-host/--port: {e}"))?;
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(|e| e.to_string())?;
    println!("crmkit-scheduler listening on {addr}");
    start_server(cluster, addr, Arc::new(config))
        .await
        .map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    exit_code("crmkit-scheduler", USAGE, run().await)
}
