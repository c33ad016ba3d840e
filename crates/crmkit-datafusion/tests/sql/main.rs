//! The crate's integration tests, as one test binary.
//!
//! Each test binary links all of DataFusion (close to 1 GB in a debug build
//! with full debug info); eight of them filled the CI machine's disk. One
//! binary, one link: the modules below are the former test files.

mod clv_sql;
mod goal_sql;
mod kpi_sql;
mod kpi_tables_sql;
mod roundtrip;
mod route_sql;
mod score_sql;
mod tables;
