//! The sweep against the reference enumeration: on random rule sets (a few
//! numeric, money, categorical, stage and yes/no conditions, nested with
//! `all`/`any`/`not`, several branches, both hit policies) the two give
//! identical reports.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::{Enumeration, analyze_by};
use crate::automation::RuleSet;

fn leaf() -> impl Strategy<Value = Value> {
    let amount =
        (0u32..8).prop_map(|a| json!({"amount": format!("{}", a * 50), "currency": "USD"}));
    let op = prop::sample::select(vec!["eq", "ne", "lt", "le", "gt", "ge"]);
    prop_oneof![
        (op.clone(), amount.clone())
            .prop_map(|(op, v)| json!({"field": "deal.value", "op": op, "value": v})),
        (amount.clone(), amount)
            .prop_map(|(a, b)| json!({"field": "deal.value", "op": "between", "value": [a, b]})),
        (op.clone(), 0u32..6)
            .prop_map(|(op, v)| json!({"field": "deal.days_in_stage", "op": op, "value": v * 7})),
        (
            prop::sample::select(vec!["eq", "ne"]),
            prop::sample::select(vec!["a", "b", "c"])
        )
            .prop_map(|(op, v)| json!({"field": "deal.pipeline", "op": op, "value": v})),
        prop::collection::vec(prop::sample::select(vec!["a", "b", "c", "d"]), 1..3)
            .prop_map(|vs| json!({"field": "deal.pipeline", "op": "in", "value": vs})),
        (
            op,
            prop::sample::select(vec!["lead", "customer", "subscriber"])
        )
            .prop_map(|(op, s)| json!({"field": "contact.lifecycle_stage", "op": op, "value": s})),
    ]
}

fn condition() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..3).prop_map(|v| json!({"all": v})),
            prop::collection::vec(inner.clone(), 1..3).prop_map(|v| json!({"any": v})),
            inner.prop_map(|c| json!({"not": c})),
        ]
    })
}

fn rule_set() -> impl Strategy<Value = Value> {
    let rule = (
        prop::option::of(condition()),
        prop::collection::vec(condition(), 0..3),
        any::<bool>(),
        prop::sample::select(vec!["add_tag", "remove_tag"]),
    );
    (
        prop::collection::vec(rule, 1..7),
        prop::sample::select(vec!["first", "all"]),
    )
        .prop_map(|(rules, policy)| {
            let rules: Vec<Value> = rules
                .into_iter()
                .enumerate()
                .map(|(i, (when, branches, otherwise, action))| {
                    let mut rule =
                        json!({"id": format!("r{i}"), "trigger": {"type": "deal_created"}});
                    if let Some(w) = when {
                        rule["when"] = w;
                    }
                    let then = json!([{"type": action, "tag": "t"}]);
                    if branches.is_empty() {
                        rule["then"] = then;
                    } else {
                        rule["branches"] = branches
                            .into_iter()
                            .map(|cond| json!({"if": cond, "then": then}))
                            .collect();
                        if otherwise {
                            rule["else"] = json!([{"type": "add_tag", "tag": "e"}]);
                        }
                    }
                    rule
                })
                .collect();
            json!({"hit_policy": policy, "rules": rules})
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_sweep_finds_what_the_exhaustive_enumeration_finds(doc in rule_set()) {
        let rules = RuleSet::from_json(&doc.to_string());
        prop_assume!(rules.is_ok());
        let Ok(rules) = rules else { return Ok(()) };
        let swept = analyze_by(&rules, u64::MAX, Enumeration::Sweep);
        let reference = analyze_by(&rules, u64::MAX, Enumeration::Exhaustive);
        prop_assert_eq!(swept, reference);
    }
}
