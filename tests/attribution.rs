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
    // Shapley (closed form) credits each channel's first touch, so its
    // campaign: a third each to spring, brand and (none).
    let shapley_campaigns: Vec<(&str, Decimal)> = r.models[6]
        .campaigns
        .iter()
        .map(|c| (c.key.as_str(), c.conversions))
        .collect();
    assert_eq!(
        shapley_campaigns,
        [
            ("(none)", d("0.333334")),
            ("brand", d("0.333333")),
            ("spring", d("0.333333"))
        ]
    );
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
            r#"{{"currency":"USD","scale":{scale},"lookback_days":5,"models":[{{"model":"first_touch"}},{{"model":"last_touch"}},{{"model":"last_non_direct"}},{{"model":"linear"}},{{"model":"time_decay","half_life_days":0.5}},{{"model":"position_based","first":0.3,"last":0.5}},{{"model":"markov"}},{{"model":"markov","order":3}},{{"model":"shapley"}},{{"model":"shapley_rate"}},{{"model":"shapley_rate","exact_up_to":0,"permutations":50,"seed":7}}],"journeys":[{}]}}"#,
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
            let conv: Decimal = m.campaigns.iter().map(|c| c.conversions).sum();
            let value: Decimal = m.campaigns.iter().map(|c| c.value.amount).sum();
            prop_assert_eq!(conv, want_conv, "{} campaign conversions", m.model.name());
            prop_assert_eq!(value, want_value, "{} campaign value", m.model.name());
            prop_assert!(m.campaigns.iter().all(|c| !c.value.amount.is_sign_negative() || c.value.amount.is_zero()));
        }
    }

    #[test]
    fn any_text_is_refused_or_reported_without_panic(text in ".{0,300}") {
        if let Ok(request) = AttributionRequest::from_json(&text) {
            let _ = attribution_report(&request);
        }
    }
}

// Markov per campaign: the classic example above with campaigns on C1's
// touches (k1 in the converting path, k2 in the other). C1's credit 0.2 of
// one conversion goes to the campaigns of C1's touches in converting
// journeys: only k1 (k2 is listed with zero). C2 and C3 have no campaign:
// (none) gets 0.8.
#[test]
fn markov_passes_channel_credit_on_to_campaigns() {
    let r = report(
        r#"{"currency":"USD","lookback_days":null,"models":[{"model":"markov"}],"journeys":[
      {"touches":[{"channel":"C1","campaign":"k1","at":"2026-01-01T00:00:00Z"},{"channel":"C2","at":"2026-01-02T00:00:00Z"},{"channel":"C3","at":"2026-01-03T00:00:00Z"}],"conversions":1,"value":"50.00"},
      {"touches":[{"channel":"C1","campaign":"k2","at":"2026-01-01T00:00:00Z"}]},
      {"touches":[{"channel":"C2","at":"2026-01-01T00:00:00Z"},{"channel":"C3","at":"2026-01-02T00:00:00Z"}]}]}"#,
    );
    let campaigns: Vec<(&str, Decimal, Decimal)> = r.models[0]
        .campaigns
        .iter()
        .map(|c| (c.key.as_str(), c.conversions, c.value.amount))
        .collect();
    assert_eq!(
        campaigns,
        [
            ("(none)", d("0.8"), d("40.00")),
            ("k1", d("0.2"), d("10.00")),
            ("k2", d("0"), d("0"))
        ]
    );
}

#[test]
fn direct_may_be_kept_from_the_last_touch() {
    let json = ONE_JOURNEY.replace(
        r#""currency":"USD","#,
        r#""currency":"USD","direct_takes_last_touch":false,"#,
    );
    let r = report(&json);
    // Last touch now skips the direct visit and credits search.
    assert_eq!(
        channel_credit(&r, 1).get("search"),
        Some(&(d("1"), d("100.00")))
    );
    assert_eq!(channel_credit(&r, 1).get("direct"), Some(&(d("0"), d("0"))));
}

// The conversion-rate game on five journeys:
//   {A} converts, {A} does not, {B} converts, {A,B} converts, {A,B} does not.
// v(∅) = 0, v({A}) = 1/2, v({B}) = 1/1, v({A,B}) = 3/5.
// φ_A = ½[(v(A) − v(∅)) + (v(AB) − v(B))] = ½[0.5 − 0.4] = 0.05;
// φ_B = ½[(v(B) − v(∅)) + (v(AB) − v(A))] = ½[1 + 0.1] = 0.55 (sum 0.6 =
// v(AB)). Three conversions split 0.05 : 0.55 → A 0.25, B 2.75.
#[test]
fn shapley_rate_matches_the_hand_computed_game() {
    let t = |c: &str| format!(r#"{{"channel":"{c}","at":"2026-01-01T00:00:00Z"}}"#);
    let j = |chs: &[&str], conv: u32| {
        let touches: Vec<String> = chs.iter().map(|c| t(c)).collect();
        format!(
            r#"{{"touches":[{}],"conversions":{conv},"value":"{conv}0.00"}}"#,
            touches.join(",")
        )
    };
    let journeys = [
        j(&["A"], 1),
        j(&["A"], 0),
        j(&["B"], 1),
        j(&["A", "B"], 1),
        j(&["B", "A"], 0),
    ];
    let r = report(&format!(
        r#"{{"currency":"USD","models":[{{"model":"shapley_rate"}}],"journeys":[{}]}}"#,
        journeys.join(",")
    ));
    let m = &r.models[0];
    let values = m.shapley_values.as_ref().unwrap();
    assert!((values["A"].value - 0.05).abs() < 1e-12);
    assert!((values["B"].value - 0.55).abs() < 1e-12);
    let est = m.shapley_estimate.as_ref().unwrap();
    assert_eq!((est.method, est.error_bound), ("exact", 0.0));
    // Revenue 3 × 10.00 splits the same way.
    assert_eq!(channel_credit(&r, 0)["A"], (d("0.25"), d("2.5")));
    assert_eq!(channel_credit(&r, 0)["B"], (d("2.75"), d("27.5")));
}

/// Exact Shapley values of the conversion-rate game by the permutation
/// definition (every order of `n` channels), for checking.
fn rate_game_brute_force(sets: &[(Vec<usize>, bool)], n: usize) -> Vec<f64> {
    let worth = |coalition: &[bool]| {
        let inside: Vec<&(Vec<usize>, bool)> = sets
            .iter()
            .filter(|(s, _)| s.iter().all(|c| coalition[*c]))
            .collect();
        if inside.is_empty() {
            0.0
        } else {
            inside.iter().filter(|(_, conv)| *conv).count() as f64 / inside.len() as f64
        }
    };
    let mut phi = vec![0.0; n];
    let mut count = 0.0;
    let mut order: Vec<usize> = (0..n).collect();
    // Heap's algorithm over all n! orders.
    fn heap(k: usize, order: &mut Vec<usize>, visit: &mut dyn FnMut(&[usize])) {
        if k == 1 {
            visit(order);
            return;
        }
        for i in 0..k {
            heap(k - 1, order, visit);
            let j = if k % 2 == 0 { i } else { 0 };
            order.swap(j, k - 1);
        }
    }
    heap(n, &mut order, &mut |o: &[usize]| {
        let mut coalition = vec![false; n];
        let mut before = 0.0;
        for c in o {
            coalition[*c] = true;
            let now = worth(&coalition);
            phi[*c] += now - before;
            before = now;
        }
        count += 1.0;
    });
    phi.iter().map(|p| p / count).collect()
}

/// Deterministic journeys over `n` channels: channel sets of 1–4 channels,
/// converting with a probability that grows with channel index.
fn rate_game_journeys(n: usize, journeys: usize) -> (Vec<(Vec<usize>, bool)>, String) {
    let mut state = 12345u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    let mut sets = Vec::new();
    let mut json = Vec::new();
    for _ in 0..journeys {
        let len = 1 + next() % 4;
        let mut set: Vec<usize> = (0..len).map(|_| next() % n).collect();
        let converted = next() % 100 < 10 + 5 * set[0];
        let touches: Vec<String> = set
            .iter()
            .map(|c| format!(r#"{{"channel":"c{c:02}","at":"2026-01-01T00:00:00Z"}}"#))
            .collect();
        json.push(format!(
            r#"{{"touches":[{}],"conversions":{}}}"#,
            touches.join(","),
            u32::from(converted)
        ));
        set.sort_unstable();
        set.dedup();
        sets.push((set, converted));
    }
    (sets, json.join(","))
}

#[test]
fn shapley_rate_exact_equals_the_permutation_definition() {
    let (sets, json) = rate_game_journeys(7, 300);
    let r = report(&format!(
        r#"{{"currency":"USD","models":[{{"model":"shapley_rate"}}],"journeys":[{json}]}}"#
    ));
    let values = r.models[0].shapley_values.as_ref().unwrap();
    let brute = rate_game_brute_force(&sets, 7);
    for (c, want) in brute.iter().enumerate() {
        let got = values[&format!("c{c:02}")].value;
        assert!((got - want).abs() < 1e-12, "c{c}: {got} vs {want}");
    }
}

// The sampled estimate against the exact values on 8 channels (8! orders:
// small enough to compute exactly), forcing sampling with exact_up_to 0.
// The reported bound is Hoeffding's with a union bound at 95 %:
// ε = √(2 ln(2·8/0.05) / m); every channel's error must lie within it, for
// several seeds and sample sizes, and the estimate must be deterministic.
#[test]
fn shapley_rate_sampled_error_stays_within_the_reported_bound() {
    let (sets, json) = rate_game_journeys(8, 400);
    let exact = rate_game_brute_force(&sets, 8);
    let mut worst_ratio: f64 = 0.0;
    for (m, seed) in [(200u32, 1u64), (1_000, 2), (5_000, 3), (5_000, 4)] {
        let request = format!(
            r#"{{"currency":"USD","models":[{{"model":"shapley_rate","exact_up_to":0,"permutations":{m},"seed":{seed}}}],"journeys":[{json}]}}"#
        );
        let r = report(&request);
        assert_eq!(r, report(&request), "same seed, same result");
        let est = r.models[0].shapley_estimate.as_ref().unwrap();
        assert_eq!(est.method, "sampled");
        let bound = (2.0 * (2.0 * 8.0 / 0.05f64).ln() / f64::from(m)).sqrt();
        assert!((est.error_bound - bound).abs() < 1e-15);
        let values = r.models[0].shapley_values.as_ref().unwrap();
        for (c, want) in exact.iter().enumerate() {
            let got = &values[&format!("c{c:02}")];
            let error = (got.value - want).abs();
            assert!(error <= bound, "m {m}: c{c} error {error} > {bound}");
            // The standard error is a tighter, approximate yardstick.
            assert!(error <= 5.0 * got.standard_error + 1e-12, "c{c}: {error}");
            worst_ratio = worst_ratio.max(error / bound);
        }
    }
    // Hoeffding is conservative: the worst error is far inside the bound.
    assert!(worst_ratio < 0.5, "{worst_ratio}");
}

/// Top paths are ranked by conversions, then by the ` > `-joined string
/// (byte order), although they are counted by channel ids: `a\t` sorts
/// before `a > z` (a tab is below the space), while comparing the name
/// sequences would put `[a, z]` first. Journeys whose joined strings are
/// equal (`a > b` as one channel name and as two channels) are one path.
#[test]
fn top_paths_rank_and_merge_by_the_joined_string() {
    let touch =
        |c: &str, day: u32| format!(r#"{{"channel": "{c}", "at": "2026-03-{day:02}T10:00:00Z"}}"#);
    let journey = |cs: &[&str]| {
        let touches: Vec<String> = cs
            .iter()
            .enumerate()
            .map(|(i, c)| touch(c, i as u32 + 1))
            .collect();
        format!(
            r#"{{"touches": [{}], "conversions": 1}}"#,
            touches.join(",")
        )
    };
    let request = |journeys: &[&[&str]], top: usize| {
        let js: Vec<String> = journeys.iter().map(|j| journey(j)).collect();
        format!(
            r#"{{"currency": "USD", "models": [{{"model": "linear"}}], "top_paths": {top}, "journeys": [{}]}}"#,
            js.join(",")
        )
    };
    let r = report(&request(&[&["a", "z"], &["a\\t"], &["b"]], 2));
    let paths: Vec<&str> = r.paths.top_paths.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["a\t", "a > z"]);
    let r = report(&request(
        &[&["a > b"], &["a", "b"], &["c"], &["c"], &["c"]],
        5,
    ));
    let paths: Vec<(&str, u64, u64)> = r
        .paths
        .top_paths
        .iter()
        .map(|p| (p.path.as_str(), p.journeys, p.conversions))
        .collect();
    assert_eq!(paths, [("c", 3, 3), ("a > b", 2, 2)]);
}
