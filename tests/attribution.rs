//! Attribution models on hand-computed journeys; the credit of every model
//! sums exactly to the conversions and revenue it distributes.

use std::collections::BTreeMap;

use crmkit::ErrorKind;
use crmkit::attribution::{AttributionReport, AttributionRequest, attribution_report};
use crmkit::kpi::KpiValue;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn report(json: &str) -> AttributionReport {
    attribution_report(&AttributionRequest::from_json(json).unwrap()).unwrap()
}

fn channel_credit(r: &AttributionReport, model: usize) -> BTreeMap<String, (Decimal, Decimal)> {
    r.models[model]
        .channels
        .iter()
        .map(|c| (c.key.clone(), (c.conversions, c.value.amount)))
        .collect()
}

// One journey, converting on 2026-03-08 with 100.00:
// email (7 days before, campaign spring), search (2 days before, campaign
// brand), direct (at the conversion).
const ONE_JOURNEY: &str = r#"{"currency":"USD","models":[
  {"model":"first_touch"},{"model":"last_touch"},{"model":"last_non_direct"},{"model":"linear"},
  {"model":"position_based"},{"model":"time_decay"},{"model":"shapley"}],
  "journeys":[{"touches":[
    {"channel":"direct","at":"2026-03-08T12:00:00Z","direct":true},
    {"channel":"email","campaign":"spring","at":"2026-03-01T12:00:00Z"},
    {"channel":"search","campaign":"brand","at":"2026-03-06T12:00:00Z"}],
   "conversions":1,"value":"100.00","converted_at":"2026-03-08T12:00:00Z"}],
  "spend":[{"channel":"email","campaign":"spring","amount":"20"},{"channel":"search","amount":"0"}]}"#;

#[test]
fn rule_based_models_credit_the_hand_computed_touches() {
    let r = report(ONE_JOURNEY);
    let get = |m: usize, ch: &str| channel_credit(&r, m).get(ch).copied().unwrap();
    // First, last and last non-direct give all credit to one touch.
    assert_eq!(get(0, "email"), (d("1"), d("100.00")));
    assert_eq!(get(1, "direct"), (d("1"), d("100.00")));
    assert_eq!(get(2, "search"), (d("1"), d("100.00")));
    assert_eq!(get(2, "direct"), (d("0"), d("0")));
    // Linear: 1/3 each at 6 places, the residual 0.000001 to the last of
    // the equal weights (direct).
    assert_eq!(get(3, "email"), (d("0.333333"), d("33.333333")));
    assert_eq!(get(3, "search"), (d("0.333333"), d("33.333333")));
    assert_eq!(get(3, "direct"), (d("0.333334"), d("33.333334")));
    // Position-based 40/20/40.
    assert_eq!(get(4, "email"), (d("0.4"), d("40.00")));
    assert_eq!(get(4, "search"), (d("0.2"), d("20.00")));
    assert_eq!(get(4, "direct"), (d("0.4"), d("40.00")));
    // Time decay, half-life 7 days: weights 2^(−7/7) = 0.5, 2^(−2/7) =
    // 0.8203353, 1; sum 2.3203353 → 0.215486, 0.353542 and the rest
    // 0.430972; revenue 21.548609, 35.354172, 43.097219.
    assert_eq!(get(5, "email"), (d("0.215486"), d("21.548609")));
    assert_eq!(get(5, "search"), (d("0.353542"), d("35.354172")));
    assert_eq!(get(5, "direct"), (d("0.430972"), d("43.097219")));
    // Shapley of one journey over three distinct channels: a third each.
    assert_eq!(
        get(6, "email").0 + get(6, "search").0 + get(6, "direct").0,
        d("1")
    );
    // Campaigns (rule-based): linear credits spring, brand and (none).
    let linear_campaigns: Vec<&str> = r.models[3]
        .campaigns
        .iter()
        .map(|c| c.key.as_str())
        .collect();
    assert_eq!(linear_campaigns, ["(none)", "brand", "spring"]);
    assert!(r.models[6].campaigns.is_empty());
    // ROI and CPA for email under first touch: spend 20, credit 1 / 100.00.
    let email = &r.models[0]
        .channels
        .iter()
        .find(|c| c.key == "email")
        .unwrap();
    assert_eq!(
        email.cost_per_acquisition,
        KpiValue::Defined { value: d("20") }
    );
    assert_eq!(email.roi, KpiValue::Defined { value: d("4") });
    // Search had zero spend: ROI undefined, CPA zero.
    let search = &r.models[0]
        .channels
        .iter()
        .find(|c| c.key == "search")
        .unwrap();
    assert!(matches!(search.roi, KpiValue::Undefined { .. }));
    assert_eq!(search.conversions, Decimal::ZERO);
    // Paths: one converting path, time sorted, 7 days long.
    assert_eq!(r.paths.top_paths[0].path, "email > search > direct");
    assert_eq!(r.paths.length_distribution.get(&3), Some(&1));
    assert_eq!(r.paths.median_days_to_conversion, Some(7.0));
}

// The textbook three-path example (e.g. Bryl, "Marketing multi-channel
// attribution model with R", 2016):
//   C1 > C2 > C3 → conversion;  C1 → null;  C2 > C3 → null.
// Transitions: start→C1 2/3, start→C2 1/3; C1→C2 1/2, C1→null 1/2;
// C2→C3 1; C3→conv 1/2, C3→null 1/2.
// P(conv) = 2/3·1/2·1·1/2 + 1/3·1·1/2 = 1/3.
// Without C1: 1/3·1/2 = 1/6 → RE = 1/2; without C2 or C3: 0 → RE = 1.
// Credit = RE / ΣRE = 0.2, 0.4, 0.4 of the one conversion (and of 50.00).
#[test]
fn markov_removal_effects_match_the_hand_computation() {
    for order in [1, 2] {
        let r = report(&format!(
            r#"{{"currency":"EUR","models":[{{"model":"markov","order":{order}}}],"journeys":[
          {{"touches":[{{"channel":"C1","at":"2026-01-01T00:00:00Z"}},{{"channel":"C2","at":"2026-01-02T00:00:00Z"}},{{"channel":"C3","at":"2026-01-03T00:00:00Z"}}],"conversions":1,"value":"50.00"}},
          {{"touches":[{{"channel":"C1","at":"2026-01-01T00:00:00Z"}}]}},
          {{"touches":[{{"channel":"C2","at":"2026-01-01T00:00:00Z"}},{{"channel":"C3","at":"2026-01-02T00:00:00Z"}}]}}]}}"#
        ));
        let m = &r.models[0];
        assert!(
            (m.conversion_probability.unwrap() - 1.0 / 3.0).abs() < 1e-12,
            "order {order}"
        );
        let re = m.removal_effects.as_ref().unwrap();
        assert!((re["C1"] - 0.5).abs() < 1e-12);
        assert!((re["C2"] - 1.0).abs() < 1e-12);
        assert!((re["C3"] - 1.0).abs() < 1e-12);
        let c = channel_credit(&r, 0);
        assert_eq!(c["C1"], (d("0.2"), d("10.00")));
        assert_eq!(c["C2"], (d("0.4"), d("20.00")));
        assert_eq!(c["C3"], (d("0.4"), d("20.00")));
    }
}

// Loops, first order: A > B > A → conv; B > A → null.
// Counts: start→A 1, start→B 1; A→B 1, A→conv 1, A→null 1; B→A 2.
// So A: →B 1/3, →conv 1/3, →null 1/3; B: →A 1.
// x_A = x_B/3 + 1/3 and x_B = x_A give x_A = x_B = 1/2; P(conv) = 1/2.
// Without A nothing converts: RE_A = 1. Without B: x_A = 1/3, P = 1/6,
// RE_B = 1 − (1/6)/(1/2) = 2/3. Credit A 1/(5/3) = 0.6, B 0.4; of 7.00:
// 4.20 and 2.80.
#[test]
fn markov_first_order_handles_loops() {
    let r = report(
        r#"{"currency":"EUR","models":[{"model":"markov"}],"journeys":[
      {"touches":[{"channel":"A","at":"2026-01-01T00:00:00Z"},{"channel":"B","at":"2026-01-02T00:00:00Z"},{"channel":"A","at":"2026-01-03T00:00:00Z"}],"conversions":1,"value":"7.00"},
      {"touches":[{"channel":"B","at":"2026-01-01T00:00:00Z"},{"channel":"A","at":"2026-01-02T00:00:00Z"}]}]}"#,
    );
    let m = &r.models[0];
    let re = m.removal_effects.as_ref().unwrap();
    assert!((m.conversion_probability.unwrap() - 0.5).abs() < 1e-12);
    assert!((re["A"] - 1.0).abs() < 1e-12);
    assert!((re["B"] - 2.0 / 3.0).abs() < 1e-12);
    let c = channel_credit(&r, 0);
    assert_eq!(c["A"], (d("0.6"), d("4.2")));
    assert_eq!(c["B"], (d("0.4"), d("2.8")));
}

/// Shapley values by the permutation definition, for checking.
fn shapley_brute_force(sets: &[(Vec<usize>, f64)], n: usize) -> Vec<f64> {
    fn permutations(items: Vec<usize>) -> Vec<Vec<usize>> {
        if items.len() <= 1 {
            return vec![items];
        }
        let mut out = Vec::new();
        for i in 0..items.len() {
            let mut rest = items.clone();
            let x = rest.remove(i);
            for mut p in permutations(rest) {
                p.insert(0, x);
                out.push(p);
            }
        }
        out
    }
    let worth = |coalition: &[bool]| -> f64 {
        sets.iter()
            .filter(|(s, _)| s.iter().all(|c| coalition[*c]))
            .map(|(_, v)| v)
            .sum()
    };
    let perms = permutations((0..n).collect());
    let mut phi = vec![0.0; n];
    for p in &perms {
        let mut coalition = vec![false; n];
        for &c in p {
            let before = worth(&coalition);
            coalition[c] = true;
            phi[c] += worth(&coalition) - before;
        }
    }
    phi.iter().map(|v| v / perms.len() as f64).collect()
}

#[test]
fn shapley_closed_form_equals_the_permutation_definition() {
    let names = ["a", "b", "c", "d", "e"];
    let journeys: Vec<(Vec<usize>, u32)> = vec![
        (vec![0, 1], 2),
        (vec![1, 2, 2], 1),
        (vec![3], 4),
        (vec![0, 2, 3, 4], 1),
        (vec![4, 0], 3),
    ];
    let json_journeys: Vec<String> = journeys
        .iter()
        .map(|(chs, conv)| {
            let touches: Vec<String> = chs
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    format!(
                        r#"{{"channel":"{}","at":"2026-01-0{}T00:00:00Z"}}"#,
                        names[*c],
                        i + 1
                    )
                })
                .collect();
            format!(
                r#"{{"touches":[{}],"conversions":{conv}}}"#,
                touches.join(",")
            )
        })
        .collect();
    let r = report(&format!(
        r#"{{"currency":"USD","scale":12,"models":[{{"model":"shapley"}}],"journeys":[{}]}}"#,
        json_journeys.join(",")
    ));
    let sets: Vec<(Vec<usize>, f64)> = journeys
        .iter()
        .map(|(c, v)| {
            let mut s = c.clone();
            s.sort();
            s.dedup();
            (s, f64::from(*v))
        })
        .collect();
    let phi = shapley_brute_force(&sets, names.len());
    let got = channel_credit(&r, 0);
    for (i, name) in names.iter().enumerate() {
        let credit: f64 = got[*name].0.to_string().parse().unwrap();
        assert!(
            (credit - phi[i]).abs() < 1e-9,
            "{name}: {credit} vs {}",
            phi[i]
        );
    }
}

#[test]
fn lookback_window_and_untracked_conversions() {
    let r = report(
        r#"{"currency":"USD","lookback_days":30,"models":[{"model":"first_touch"}],"journeys":[
      {"touches":[{"channel":"old","at":"2026-01-01T00:00:00Z"},{"channel":"recent","at":"2026-03-01T00:00:00Z"},
                  {"channel":"after","at":"2026-03-20T00:00:00Z"}],
       "conversions":1,"value":"10","converted_at":"2026-03-10T00:00:00Z"},
      {"touches":[],"conversions":2,"value":"5"}]}"#,
    );
    let c = channel_credit(&r, 0);
    assert_eq!(c.keys().collect::<Vec<_>>(), ["recent"]);
    assert_eq!(r.total_conversions, d("3"));
    assert_eq!(r.unattributed_conversions, d("2"));
    assert_eq!(r.unattributed_value.amount, d("5"));
}

#[test]
fn invalid_requests_name_the_field() {
    let bad =
        |json: &str| attribution_report(&AttributionRequest::from_json(json).unwrap()).unwrap_err();
    let e = bad(
        r#"{"currency":"USD","models":[{"model":"time_decay","half_life_days":0}],"journeys":[]}"#,
    );
    assert_eq!(e.path(), Some("models[0].half_life_days"));
    let e = bad(
        r#"{"currency":"USD","models":[{"model":"linear"}],"journeys":[{"touches":[],"value":"3"}]}"#,
    );
    assert_eq!(e.path(), Some("journeys[0].value"));
    let e = bad(r#"{"currency":"USD","models":[],"journeys":[]}"#);
    assert_eq!(e.kind(), ErrorKind::Invalid);
    let e = AttributionRequest::from_json(
        r#"{"currency":"USD","models":[{"model":"magic"}],"journeys":[]}"#,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Json);
}

fn journey_strategy() -> impl Strategy<Value = (Vec<(u8, u32, bool)>, u32, u32)> {
    (
        prop::collection::vec((0u8..6, 0u32..200, any::<bool>()), 0..7),
        0u32..4,
        0u32..100_000,
    )
}

proptest! {
    #[test]
    fn every_model_credits_exactly_what_it_distributes(
        journeys in prop::collection::vec(journey_strategy(), 1..25),
        scale in 0u32..8,
    ) {
        let json_journeys: Vec<String> = journeys
            .iter()
            .map(|(touches, conv, cents)| {
                let touches: Vec<String> = touches
                    .iter()
                    .map(|(c, hours, direct)| format!(
                        r#"{{"channel":"ch{c}","campaign":"k{}","at":"2026-01-01T00:00:00Z","direct":{direct}}}"#,
                        c % 3
                    ).replace("2026-01-01T00:00:00Z", &format!("2026-01-{:02}T{:02}:00:00Z", 1 + hours / 24, hours % 24)))
                    .collect();
                let value = if *conv == 0 { 0 } else { *cents };
                format!(r#"{{"touches":[{}],"conversions":{conv},"value":"{}.{:02}"}}"#, touches.join(","), value / 100, value % 100)
            })
            .collect();
        let json = format!(
            r#"{{"currency":"USD","scale":{scale},"lookback_days":5,"models":[{{"model":"first_touch"}},{{"model":"last_touch"}},{{"model":"last_non_direct"}},{{"model":"linear"}},{{"model":"time_decay","half_life_days":0.5}},{{"model":"position_based","first":0.3,"last":0.5}},{{"model":"markov"}},{{"model":"markov","order":3}},{{"model":"shapley"}}],"journeys":[{}]}}"#,
            json_journeys.join(",")
        );
        let r = attribution_report(&AttributionRequest::from_json(&json).unwrap()).unwrap();
        let want_conv = r.total_conversions - r.unattributed_conversions;
        let want_value = r.total_value.amount - r.unattributed_value.amount;
        for m in &r.models {
            let conv: Decimal = m.channels.iter().map(|c| c.conversions).sum();
            let value: Decimal = m.channels.iter().map(|c| c.value.amount).sum();
            prop_assert_eq!(conv, want_conv, "{} conversions", m.model.name());
            prop_assert_eq!(value, want_value, "{} value", m.model.name());
            prop_assert!(m.channels.iter().all(|c| !c.conversions.is_sign_negative() || c.conversions.is_zero()));
            if m.model.is_rule_based() {
                let conv: Decimal = m.campaigns.iter().map(|c| c.conversions).sum();
                prop_assert_eq!(conv, want_conv, "{} campaign conversions", m.model.name());
            }
        }
    }

    #[test]
    fn any_text_is_refused_or_reported_without_panic(text in ".{0,300}") {
        if let Ok(request) = AttributionRequest::from_json(&text) {
            let _ = attribution_report(&request);
        }
    }
}
