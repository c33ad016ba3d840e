//! The small fixed dataset that several fuzz targets evaluate against,
//! loaded once per process.

use crmkit::model::Dataset;
use std::sync::OnceLock;

const DATASET: &str = include_str!("../fixtures/dataset.json");

/// The fixture dataset (`fuzz/fixtures/dataset.json`).
pub fn dataset() -> &'static Dataset {
    static CELL: OnceLock<Dataset> = OnceLock::new();
    CELL.get_or_init(|| Dataset::from_json(DATASET).expect("the fixture dataset loads"))
}
