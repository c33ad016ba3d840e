//! Writes the sample company used by the quickstart and the tests.
//!
//! ```text
//! cargo run --example generate_sample                      # examples/data/sample_company.json
//! cargo run --example generate_sample -- 5000 out.json     # 5,000 contacts into out.json
//! ```
//!
//! The data comes from the seeded generator in `crmkit::sample`, so the file
//! is reproducible: a test checks that the committed file matches it.

use crmkit::sample::{SampleConfig, generate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut config = SampleConfig::default();
    if let Some(contacts) = args.next() {
        config.contacts = contacts.parse()?;
        config.companies = (config.contacts / 5).max(1);
    }
    let path = args
        .next()
        .unwrap_or_else(|| "examples/data/sample_company.json".to_string());
    let dataset = generate(&config)?;
    let json = serde_json::to_string_pretty(&dataset)?;
    std::fs::write(&path, json + "\n")?;
    let counts = dataset.counts();
    println!(
        "wrote {path}: {} contacts, {} deals, {} activities, {} tickets",
        counts.contacts, counts.deals, counts.activities, counts.tickets
    );
    Ok(())
}
