//! `Dataset::from_json` scans a document once before parsing it (depth and
//! inexact numbers together): the refusals keep their kinds, paths and
//! order (a document serde refuses gets serde's error, with its path).

use crmkit::ErrorKind;
use crmkit::model::Dataset;

fn doc(probability: &str, extra: &str) -> String {
    format!(
        r#"{{"pipelines": [{{"id": "p", "name": "P", "stages": [
            {{"id": "s", "name": "S", "probability": {probability}}}]}}]{extra}}}"#
    )
}

#[test]
fn an_inexact_number_is_refused_with_its_path() {
    assert!(Dataset::from_json(&doc("10", "")).is_ok());
    let err = Dataset::from_json(&doc("10.000000000000000000001", "")).expect_err("inexact");
    assert_eq!(err.kind(), ErrorKind::Json);
    assert_eq!(err.path(), Some("pipelines[0].stages[0].probability"));
    assert!(err.message().contains("cannot be read exactly"), "{err}");
}

#[test]
fn a_document_serde_refuses_gets_serdes_error_even_with_an_inexact_number() {
    let err = Dataset::from_json(&doc("10.000000000000000000001", r#", "bogus": 1"#))
        .expect_err("unknown field");
    assert_eq!(err.kind(), ErrorKind::Json);
    assert!(err.message().contains("bogus"), "{err}");
}

#[test]
fn nesting_past_the_limit_is_refused_before_parsing() {
    let deep = format!(
        r#"{{"contacts": [{{"id": "C", "name": "n", "created_at": "2024-01-01T00:00:00Z",
            "attributes": {{"x": {}1{}}}}}]}}"#,
        "[".repeat(80),
        "]".repeat(80)
    );
    let err = Dataset::from_json(&deep).expect_err("too deep");
    assert_eq!(err.kind(), ErrorKind::Json);
    assert!(err.message().contains("deeper than 64"), "{err}");
    // The path is that of the first container past the limit (its tail).
    assert!(err.path().is_some_and(|p| p.ends_with("[0]")), "{err}");
}

#[test]
fn duplicate_activity_ids_and_activity_order_survive_the_block_pass() {
    // 100 activities (several blocks of the pass), given newest first; a
    // duplicate id far into the list is named at its second record.
    let activity = |i: usize, id: &str| {
        format!(
            r#"{{"id": "{id}", "contact": "C{}", "at": "2024-01-01T00:{:02}:00Z",
                "kind": {{"type": "meeting"}}}}"#,
            i % 3,
            59 - (i % 60)
        )
    };
    let contacts = (0..3)
        .map(|c| format!(r#"{{"id": "C{c}", "name": "n", "created_at": "2023-01-01T00:00:00Z"}}"#))
        .collect::<Vec<_>>()
        .join(",");
    let list = |dup: bool| {
        (0..100)
            .map(|i| {
                let id = if dup && i == 77 {
                    "A5".to_string()
                } else {
                    format!("A{i}")
                };
                activity(i, &id)
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let json = |dup| {
        format!(
            r#"{{"contacts": [{contacts}], "activities": [{}]}}"#,
            list(dup)
        )
    };
    let ds = Dataset::from_json(&json(false)).expect("valid");
    for c in 0..3 {
        let times: Vec<_> = ds
            .activities_of(&format!("C{c}").parse().expect("id"))
            .map(|a| a.at)
            .collect();
        assert!(times.len() >= 33);
        assert!(times.is_sorted(), "contact C{c}");
    }
    let err = Dataset::from_json(&json(true)).expect_err("duplicate");
    assert_eq!(err.path(), Some("activities[77].id"));
    assert!(err.message().contains("duplicate id \"A5\""), "{err}");
}
