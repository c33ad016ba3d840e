//! A Ballista executor with the crmkit functions registered.
//!
//! ```text
//! crmkit-executor --functions FUNCTIONS.json [--scheduler-host localhost]
//!     [--scheduler-port 50050] [--bind-host 127.0.0.1] [--port 50051]
//!     [--grpc-port 50052] [--vcores N] [--work-dir DIR]
//! ```
//!
//! `FUNCTIONS.json` is a [`crmkit_ballista::FunctionsConfig`] file, the one
//! the scheduler was given. Two executors on one host need different
//! `--port` and `--grpc-port`.

use std::path::Path;
use std::sync::Arc;

use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use crmkit_ballista::args::{Args, exit_code};
use crmkit_ballista::functions::CrmFunctions;

const USAGE: &str = "usage: crmkit-executor --functions FUNCTIONS.json [--scheduler-host localhost] \
     [--scheduler-port 50050] [--bind-host 127.0.0.1] [--port 50051] [--grpc-port 50052] \
     [--vcores N] [--work-dir DIR]";

async fn run() -> Result<(), String> {
    let args = Args::parse(
        std::env::args().skip(1),
        &[
            "functions",
            "scheduler-host",
            "scheduler-port",
            "bind-host",
            "port",
            "grpc-port",
            "vcores",
            "work-dir",
        ],
    )?;
    let file = args.text("functions").ok_or("--functions is required")?;
    let functions = CrmFunctions::from_config_file(Path::new(file))?;
    let defaults = ExecutorProcessConfig::default();
    let config = ExecutorProcessConfig {
        scheduler_host: args
            .text("scheduler-host")
            .unwrap_or(&defaults.scheduler_host)
            .to_string(),
        scheduler_port: args.number("scheduler-port", defaults.scheduler_port)?,
        bind_host: args
            .text("bind-host")
            .unwrap_or(&defaults.bind_host)
            .to_string(),
        port: args.number("port", defaults.port)?,
        grpc_port: args.number("grpc-port", defaults.grpc_port)?,
        vcores: args.number("vcores", defaults.vcores)?,
        work_dir: args.text("work-dir").map(str::to_string),
        // Scheduler not up yet: keep trying for a while instead of failing.
        scheduler_connect_timeout_seconds: 30,
        override_function_registry: Some(Arc::new(functions.registry())),
        ..defaults
    };
    println!(
        "crmkit-executor on {}:{} for the scheduler at {}:{}",
        config.bind_host, config.port, config.scheduler_host, config.scheduler_port
    );
    start_executor_process(Arc::new(config))
        .await
        .map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    exit_code("crmkit-executor", USAGE, run().await)
}
