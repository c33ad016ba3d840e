//! Any bytes given as a propensity spec give a trained model over a small
//! fixed dataset or an error, never a panic; a trained model survives a
//! JSON round trip.
#![no_main]

mod fixture;

use crmkit::predict::{PropensityModel, PropensitySpec};
use fixture::dataset;
use libfuzzer_sys::fuzz_target;


fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(spec) = PropensitySpec::from_json(text) else {
        return;
    };
    let as_of = "2024-05-01T00:00:00Z".parse().expect("a valid instant");
    if let Ok(model) = PropensityModel::train(dataset(), &spec, as_of) {
        let json = model.to_json().expect("a model serialises");
        let again = PropensityModel::from_json(&json).expect("a serialised model reloads");
        assert_eq!(again.to_json().expect("a model serialises"), json);
    }
});
