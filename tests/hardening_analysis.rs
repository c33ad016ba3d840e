//! Issue 20: the static analysis of many threshold rules on one field is
//! complete, not a partial report cut by the work budget (the enumeration
//! used to evaluate every rule in every cell: quadratic, partial past about
//! 7,000 thresholds). Timings are in `benches/automation.rs`.

use crmkit::automation::{FindingKind, RuleSet, analyze};
use serde_json::json;

/// `n` rules on `deal_created`, `deal.value > 10 USD`, `> 20 USD`, ...
fn thresholds(n: usize, policy: &str) -> RuleSet {
    let rules: Vec<_> = (0..n)
        .map(|i| {
            json!({"id": format!("t{i}"), "trigger": {"type": "deal_created"},
                "when": {"field": "deal.value", "op": "gt",
                         "value": {"amount": format!("{}", 10 * (i + 1)), "currency": "USD"}},
                "then": [{"type": "add_tag", "tag": format!("over-{i}")}]})
        })
        .collect();
    RuleSet::from_json(&json!({"hit_policy": policy, "rules": rules}).to_string())
        .expect("compiles")
}

#[test]
fn sixteen_thousand_thresholds_on_one_field_are_analysed_completely() {
    let n = 16_000;
    let report = analyze(&thresholds(n, "first"));
    assert!(
        !report.partial,
        "{:?}",
        report.of_kind(FindingKind::Truncated).next()
    );
    let summary = &report.triggers[0];
    // Below the first threshold, at each and between each, above the last.
    assert_eq!(summary.cells, 2 * n as u64 + 1);
    assert_eq!(summary.gap_cells, 2, "at and below 10 USD");
    // Under first match every later threshold is shadowed by t0.
    assert_eq!(report.of_kind(FindingKind::UnreachableRule).count(), n - 1);
    let last = report
        .of_kind(FindingKind::UnreachableRule)
        .last()
        .expect("one");
    assert_eq!(last.rules, [format!("t{}", n - 1), "t0".to_string()]);
    assert_eq!(last.example_text, "deal.value = 160001.00 USD");
}

#[test]
fn thresholds_under_all_matches_count_every_overlap() {
    let n = 16_000;
    let report = analyze(&thresholds(n, "all"));
    assert!(!report.partial);
    let summary = &report.triggers[0];
    // Every cell above 20 USD is matched by at least two rules.
    assert_eq!(summary.overlap_cells, 2 * n as u64 - 3);
    assert_eq!(report.of_kind(FindingKind::UnreachableRule).count(), 0);
}
