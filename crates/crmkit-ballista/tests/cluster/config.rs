//! The `--functions` file of the binaries: the shipped sample loads, and a
//! bad file is an error naming it.

use std::path::Path;

use crmkit_ballista::CrmFunctions;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/cluster/sample_functions.json");

#[test]
fn the_sample_functions_file_loads_every_function() {
    let functions = CrmFunctions::from_config_file(Path::new(SAMPLE)).unwrap();
    let registry = functions.registry();
    for name in ["crm_route", "crm_lead_score", "crm_clv"] {
        assert!(registry.scalar_functions.contains_key(name), "{name}");
    }
    for name in ["crm_kpi", "crm_rfm"] {
        assert!(registry.aggregate_functions.contains_key(name), "{name}");
    }
}

#[test]
fn a_bad_functions_file_is_an_error_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("crmkit-ballista-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(SAMPLE).unwrap();

    let unknown = dir.join("unknown.json");
    std::fs::write(&unknown, text.replace("\"rfm\"", "\"rfn\"")).unwrap();
    let e = CrmFunctions::from_config_file(&unknown).unwrap_err();
    assert!(e.contains("unknown.json") && e.contains("rfn"), "{e}");

    let missing = dir.join("missing.json");
    std::fs::write(
        &missing,
        text.replace("sample_company.json", "nowhere.json"),
    )
    .unwrap();
    let e = CrmFunctions::from_config_file(&missing).unwrap_err();
    assert!(
        e.contains("nowhere.json") && e.contains("cannot read"),
        "{e}"
    );

    let bad_kpi = dir.join("bad_kpi.json");
    std::fs::write(&bad_kpi, text.replace("2026-04-01", "2026-13-01")).unwrap();
    let e = CrmFunctions::from_config_file(&bad_kpi).unwrap_err();
    assert!(e.contains("bad_kpi.json"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
