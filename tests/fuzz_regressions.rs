//! Inputs found by the fuzz targets in `fuzz/` that broke an invariant,
//! kept as regression tests.

use crmkit::model::Dataset;
use crmkit::predict::{PropensityModel, PropensitySpec};

/// Found by `fuzz/run.sh` (target `propensity_spec`, its seed
/// `logistic.json`): the reloaded model's JSON differs in the last digit of
/// floats (`1.241491479423083e-16` against `1.2414914794230833e-16`), so a
/// saved model does not reload bit for bit. serde_json parses floats
/// exactly only with its `float_roundtrip` feature, which crmkit now enables.
#[test]
fn a_trained_propensity_model_survives_a_json_round_trip_bit_for_bit() {
    let dataset = Dataset::from_json(include_str!("../fuzz/fixtures/dataset.json")).unwrap();
    let spec =
        PropensitySpec::from_json(include_str!("../fuzz/seeds/propensity_spec/logistic.json"))
            .unwrap();
    let as_of = "2024-05-01T00:00:00Z".parse().unwrap();
    let model = PropensityModel::train(&dataset, &spec, as_of).unwrap();
    let json = model.to_json().unwrap();
    let again = PropensityModel::from_json(&json).unwrap();
    assert_eq!(again.to_json().unwrap(), json);
}
