//! The crate's integration tests, as one test binary.
//!
//! Each test binary links all of DataFusion and Ballista; one binary is
//! one link (and one copy on disk). The modules below are the test files.

mod common;
mod config;
mod processes;
mod standalone;
