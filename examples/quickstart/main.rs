//! The crmkit tour: loads the sample company and walks through what the
//! library does with it. Run it with `cargo run --example quickstart`.
//!
//! Each area of the library adds a section in its own file beside this one.

mod analytics;
mod automation;
mod dataset;
mod goals;
mod journeys;
mod kpi;
mod predict;
mod scoring;
mod segments;

use crmkit::model::Dataset;

/// Where the sample company lives; regenerate it with
/// `cargo run --example generate_sample`.
const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/sample_company.json"
);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let json = std::fs::read_to_string(SAMPLE)?;
    let dataset = Dataset::from_json(&json)?;
    dataset::run(&dataset)?;
    goals::run()?;
    scoring::run(&dataset)?;
    automation::run(&dataset)?;
    journeys::run(&dataset)?;
    kpi::run(&dataset)?;
    predict::run(&dataset)?;
    analytics::run(&dataset)?;
    segments::run(&dataset)?;
    Ok(())
}
