//! Ballista sessions with the crmkit functions: an in-process standalone
//! cluster (one scheduler and any number of executors), a client of a
//! remote scheduler, and the scheduler session builder the scheduler binary
//! uses.
//!
//! ```no_run
//! # async fn demo(functions: crmkit_ballista::functions::CrmFunctions) -> datafusion::error::Result<()> {
//! use crmkit_ballista::cluster;
//!
//! // a scheduler and two executors in this process, two task slots each
//! let ctx = cluster::standalone(&functions, 2, 2).await?;
//! ctx.sql("SELECT count(*) FROM deals").await?.collect().await?;
//! // or a client of a scheduler started with `crmkit-scheduler`
//! let ctx = cluster::remote("df://localhost:50050", &functions).await?;
//! # Ok(())
//! # }
//! ```

use std::sync::Arc;
use std::time::Duration;

use ballista::prelude::SessionContextExt;
use ballista_core::extension::SessionConfigExt;
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use ballista_core::utils::default_session_builder;
use ballista_scheduler::SessionBuilder;
use datafusion::error::Result;
use datafusion::execution::SessionState;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::functions::{CrmFunctions, config_error};

/// Ballista's default session state for `config` with the crmkit functions
/// registered: what the scheduler plans a job with.
///
/// # Errors
///
/// DataFusion's error if the state cannot be built.
pub fn session_state(functions: &CrmFunctions, config: SessionConfig) -> Result<SessionState> {
    let mut state = default_session_builder(config)?;
    functions.register_state(&mut state)?;
    Ok(state)
}

/// The scheduler's session builder (`SchedulerConfig::override_session_builder`):
/// every job's session gets the crmkit functions.
pub fn scheduler_session_builder(functions: CrmFunctions) -> SessionBuilder {
    Arc::new(move |config: SessionConfig| session_state(&functions, config))
}

/// Starts a scheduler and `executors` executors (each with `vcores` task
/// slots) in this process, all with the crmkit functions, and returns a
/// client session of that scheduler with the functions registered.
///
/// # Errors
///
/// A configuration error if the scheduler or an executor cannot start
/// (e.g. no free port) or the client cannot connect.
pub async fn standalone(
    functions: &CrmFunctions,
    executors: usize,
    vcores: usize,
) -> Result<SessionContext> {
    let state = session_state(functions, SessionConfig::new_with_ballista())?;
    let addr = ballista_scheduler::standalone::new_standalone_scheduler_from_state(&state)
        .await
        .map_err(|e| config_error("scheduler", e))?;
    let scheduler_url = format!("http://localhost:{}", addr.port());
    let mut tries = 0;
    let scheduler = loop {
        match SchedulerGrpcClient::connect(scheduler_url.clone()).await {
            Ok(client) => break client,
            Err(e) if tries >= 100 => return Err(config_error("connecting to the scheduler", e)),
            Err(_) => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    for _ in 0..executors {
        ballista_executor::new_standalone_executor_from_state(
            scheduler.clone(),
            vcores.max(1),
            &state,
        )
        .await
        .map_err(|e| config_error("executor", e))?;
    }
    let ctx = SessionContext::remote_with_state(&format!("df://localhost:{}", addr.port()), state)
        .await?;
    // Registered again on the client session: the remote state is rebuilt
    // from the one given, and the planner must resolve the names here too.
    functions.register(&ctx);
    Ok(ctx)
}

/// A client session of the scheduler at `url` (`df://host:port`) with the
/// crmkit functions registered. The scheduler and executors must have been
/// started with the same functions (the `crmkit-scheduler` and
/// `crmkit-executor` binaries with the same `--functions` file).
///
/// # Errors
///
/// A configuration error if `url` is not a valid scheduler address.
pub async fn remote(url: &str, functions: &CrmFunctions) -> Result<SessionContext> {
    let state = session_state(functions, SessionConfig::new_with_ballista())?;
    let ctx = SessionContext::remote_with_state(url, state).await?;
    functions.register(&ctx);
    Ok(ctx)
}
