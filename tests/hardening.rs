//! Issue 20 (hardening), the parts about numbers and time: JSON numbers are
//! read exactly or refused, the time range (years 1 to 9999) is enforced at
//! every door, amounts, goal targets and locales follow one grammar, and
//! error messages never echo unbounded input.

use crmkit::ErrorKind;
use crmkit::goals::{Goal, Locale, Target};
use crmkit::kpi::catalog::KpiId;
use crmkit::kpi::{PipelineReportRequest, pipeline_report};
use crmkit::model::{Dataset, DatasetParts, MAX_TIMESTAMP, Timestamp};
use crmkit::money::{Money, parse_decimal};
use crmkit::sample::{SAMPLE_AS_OF, SampleConfig, generate};

const DATASET: &str = r#"{
  "pipelines": [{"id": "sales", "name": "Sales", "stages": [
      {"id": "new", "name": "New", "probability": 10},
      {"id": "won", "name": "Won", "probability": 100, "kind": "won"}]}],
  "contacts": [{"id": "C-1", "created_at": "CREATED"}],
  "deals": [{"id": "D-1", "contact": "C-1", "pipeline": "sales", "stage": "new",
             "value": {"amount": AMOUNT, "currency": "USD"},
             "created_at": "2024-01-02T00:00:00Z"}]
}"#;

fn dataset(amount: &str, created: &str) -> crmkit::Result<Dataset> {
    Dataset::from_json(
        &DATASET
            .replace("AMOUNT", amount)
            .replace("CREATED", created),
    )
}

fn deal_amount(ds: &Dataset) -> String {
    ds.deals()[0].value.amount.to_string()
}

// ------------------------------------------------------------ exact numbers

#[test]
fn money_given_as_a_json_number_is_exact_or_refused() {
    let ds = dataset("12.5", "2024-01-01T00:00:00Z").expect("short numbers are exact");
    assert_eq!(deal_amount(&ds), "12.5");
    for inexact in [
        "12345678901234567.89",
        "9999999999999999.99",
        "1.0000000000000000000000000000000000000001",
    ] {
        let err = dataset(inexact, "2024-01-01T00:00:00Z").expect_err(inexact);
        assert_eq!(err.kind(), ErrorKind::Json, "{inexact}: {err}");
        assert_eq!(err.path(), Some("deals[0].value.amount"), "{err}");
        assert!(err.message().contains("as strings"), "{err}");
    }
    for exact in ["12345678901234567.89", "9999999999999999.99"] {
        let quoted = format!("\"{exact}\"");
        let ds = dataset(&quoted, "2024-01-01T00:00:00Z").expect("strings are exact");
        assert_eq!(deal_amount(&ds), exact);
    }
    // 40 decimals exceed the 28 of an exact decimal: refused, never rounded.
    let err = dataset(
        "\"1.0000000000000000000000000000000000000001\"",
        "2024-01-01T00:00:00Z",
    )
    .expect_err("too precise");
    assert!(err.message().contains("not an exact decimal"), "{err}");
}

#[test]
fn goal_targets_given_as_json_numbers_are_exact_or_refused() {
    let goal = |target: &str| Goal::from_json(&format!(r#"{{"name": "g", "target": {target}}}"#));
    assert_eq!(
        goal("60.25").expect("exact").target,
        Some(Target::Absolute("60.25".parse().unwrap()))
    );
    let err = goal("0.1000000000000000000001").expect_err("inexact target");
    assert_eq!(err.kind(), ErrorKind::Json);
    assert_eq!(err.path(), Some("target"));
}

#[test]
fn rule_literals_given_as_json_numbers_are_exact_or_refused() {
    let rules = |value: &str| {
        crmkit::automation::RuleSet::from_json(&format!(
            r#"{{"rules": [{{"id": "big", "trigger": {{"type": "deal_created"}},
                "when": {{"field": "contact.attributes.budget", "op": "lt", "value": {value}}},
                "then": [{{"type": "add_tag", "tag": "big"}}]}}]}}"#
        ))
    };
    rules("500.5").expect("exact literal");
    let err = rules("12345678901234567.89").expect_err("inexact literal");
    assert_eq!(err.kind(), ErrorKind::Json);
    assert_eq!(err.path(), Some("rules[0].when.value"), "{err}");
}

// --------------------------------------------------------------- time range

#[test]
fn instants_beyond_year_9999_are_refused_when_a_dataset_loads() {
    let err = dataset("1", "+262142-12-30T00:00:00Z").expect_err("far future");
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert_eq!(err.path(), Some("contacts[0].created_at"));
    assert!(err.message().contains("years 1 to 9999"), "{err}");
    dataset("1", "9999-12-31T23:59:59Z").expect("the last second of 9999 loads");
}

#[test]
fn instants_beyond_year_9999_are_refused_in_datasets_built_in_rust() {
    let ds = dataset("1", "2024-01-01T00:00:00Z").expect("loads");
    let mut parts: DatasetParts = serde_json::from_str(&ds.to_json().unwrap()).unwrap();
    parts.deals[0].created_at = "-0001-06-01T00:00:00Z".parse().unwrap();
    let err = Dataset::new(parts).expect_err("year -1");
    assert_eq!(err.path(), Some("deals[0].created_at"));
}

#[test]
fn a_pipeline_report_request_built_in_rust_is_validated_not_a_panic() {
    let ds = generate(&SampleConfig::default()).expect("sample");
    for days in [0, 3651, 100_000_000, u32::MAX] {
        let mut request = PipelineReportRequest::new(SAMPLE_AS_OF);
        request.follow_up_days = days;
        let err = pipeline_report(&ds, &request).expect_err("out of range");
        assert_eq!(err.path(), Some("follow_up_days"), "{days}");
    }
    let far: Timestamp = "+262142-12-30T00:00:00Z".parse().unwrap();
    for items in ["deals", "leads"] {
        let mut request = PipelineReportRequest::new(far);
        request.items = serde_json::from_str(&format!("\"{items}\"")).unwrap();
        let err = pipeline_report(&ds, &request).expect_err("far as_of");
        assert_eq!(err.path(), Some("as_of"));
        request.as_of = MAX_TIMESTAMP;
        request.follow_up_days = 3650;
        pipeline_report(&ds, &request).expect("the last instant works");
    }
}

// ------------------------------------------------------------------ grammar

#[test]
fn amounts_follow_the_json_number_grammar() {
    for good in ["12", "-12", "0.5", "12.50", "1e3", "1.2E-3", "007"] {
        assert!(parse_decimal(good).is_ok(), "{good}");
    }
    for bad in [
        " 12 ", "+12", "12.", ".5", "1_000", "1e", "--1", "", "1.2.3", "0x10", "12\n",
    ] {
        let err = parse_decimal(bad).expect_err(bad);
        assert_eq!(err.kind(), ErrorKind::Invalid, "{bad:?}");
    }
    let usd = crmkit::money::Currency::new("USD").unwrap();
    assert!(Money::parse(" 12 ", usd).is_err());
}

#[test]
fn goal_targets_have_one_sign() {
    assert_eq!(
        Target::parse("-5%").unwrap(),
        Target::RelativePercent("-5".parse().unwrap())
    );
    assert_eq!(
        Target::parse("+50 %").unwrap(),
        Target::RelativePercent("50".parse().unwrap())
    );
    for bad in [
        "+-5%", "++5%", "-+5%", "--5%", " -5%", "-5% ", "-5  %", "+ 5%",
    ] {
        assert!(Target::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn locales_follow_the_tag_grammar() {
    for good in [
        "en",
        "EN",
        "en-US",
        "en_GB",
        "zh-Hant",
        "zh-Hant-TW",
        "pt-BR",
    ] {
        assert!(Locale::parse(good).is_ok(), "{good}");
    }
    for bad in [
        "ru\n",
        " en",
        "en-",
        "en--US",
        "e",
        "english-x",
        "en-toolongsubtag",
    ] {
        let err = Locale::parse(bad).expect_err(bad);
        assert_eq!(err.kind(), ErrorKind::Unsupported, "{bad:?}");
    }
}

// ------------------------------------------------------------ echoed input

#[test]
fn an_unknown_100_mb_kpi_id_gives_a_short_message() {
    let id = "x".repeat(100 * 1024 * 1024);
    let err = KpiId::parse(&id).expect_err("unknown");
    let message = err.to_string();
    assert!(message.len() < 2_000, "{} bytes", message.len());
    assert!(message.contains("(104857600 bytes)"), "{message}");
}

// ------------------------------------------------------ scoring explanations

#[test]
fn a_long_in_list_is_summarised_in_every_score() {
    let countries: Vec<String> = (0..20_000).map(|i| format!("country-{i}")).collect();
    let model = crmkit::scoring::ScoringModel::from_json(
        &serde_json::json!({"rules": [{"id": "listed", "points": 10,
            "when": {"field": "contact.country", "op": "in", "values": countries}}]})
        .to_string(),
    )
    .expect("model");
    let lead = r#"{"contact": {"id": "C-1", "country": "country-19999",
                   "created_at": "2026-01-01T00:00:00Z"}}"#;
    let as_of = "2026-02-01T00:00:00Z".parse().unwrap();
    let fast = model.score_json_to_string(lead, as_of).expect("score");
    assert!(fast.len() < 2_000, "{} bytes", fast.len());
    assert!(
        fast.contains(r#"country-3\", \"country-4\" and 19995 more]"#),
        "{fast}"
    );
    let typed = serde_json::to_string(&model.score_json(lead, as_of).expect("score")).unwrap();
    assert!(typed.len() < 2_000, "{} bytes", typed.len());
}

// -------------------------------------------------------------------- stack

/// The stack the C header promises a calling thread needs
/// (`crmkit.h`, "Limits"): 512 KiB. `tests/hardening_stack.rs` measures it
/// over every JSON argument of the C API; this test keeps the Rust-API
/// cases of the issue.
const HOST_STACK: usize = 512 * 1024;

fn on_small_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let stack = std::env::var("CRMKIT_TEST_STACK")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(HOST_STACK);
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(work)
        .expect("thread")
        .join()
        .expect("no panic")
}

fn nested(depth: usize, open: &str, inner: &str, close: &str) -> String {
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

#[test]
fn the_deepest_inputs_run_on_a_thread_with_the_documented_stack() {
    let out = on_small_stack(|| {
        let mut outcomes = Vec::new();
        // A rule set's conditions nested up to and past the JSON limit of 64 levels.
        for depth in [60, 63, 64, 200] {
            let when = nested(
                depth,
                r#"{"all": ["#,
                r#"{"field": "contact.tags", "op": "contains", "value": "x"}"#,
                "]}",
            );
            let doc = format!(
                r#"{{"rules": [{{"id": "r", "trigger": {{"type": "contact_created"}}, "when": {when}, "then": [{{"type": "add_tag", "tag": "t"}}]}}]}}"#
            );
            outcomes.push(crmkit::automation::RuleSet::from_json(&doc).is_ok());
        }
        // A lead and a dataset whose attribute is an array nested to the limit.
        for depth in [120, 200] {
            let deep = nested(depth, "[", "1", "]");
            let lead = format!(
                r#"{{"contact": {{"id": "C-1", "created_at": "2026-01-01T00:00:00Z", "attributes": {{"x": {deep}}}}}}}"#
            );
            let model = crmkit::scoring::ScoringModel::from_json(
                r#"{"rules": [{"id": "r", "points": 1, "when": {"field": "contact.country", "op": "exists"}}]}"#,
            )
            .expect("model");
            let as_of = "2026-02-01T00:00:00Z".parse().unwrap();
            outcomes.push(model.score_json(&lead, as_of).is_ok());
            let ds = format!(
                r#"{{"contacts": [{{"id": "C-1", "created_at": "2026-01-01T00:00:00Z", "attributes": {{"x": {deep}}}}}]}}"#
            );
            outcomes.push(Dataset::from_json(&ds).is_ok());
        }
        outcomes
    });
    // Nothing crashed; what is too deep is an error.
    assert!(!out[3], "200 levels of conditions are refused");
    assert!(!out[6] && !out[7], "200 levels of arrays are refused");
}
