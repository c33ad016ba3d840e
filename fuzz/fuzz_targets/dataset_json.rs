//! Any bytes given to the dataset loader give a dataset or an error, never a
//! panic; a dataset that loads survives a JSON round trip unchanged.
#![no_main]

use crmkit::model::Dataset;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(dataset) = Dataset::from_json(text) {
        let json = dataset.to_json().expect("a loaded dataset serialises");
        let again = Dataset::from_json(&json).expect("a serialised dataset reloads");
        assert_eq!(again, dataset);
    }
});
