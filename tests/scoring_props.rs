//! Property tests of the scoring engine: the batch path equals the
//! explainable path digit for digit; scores are monotone in added
//! occurrences of positive rules; caps and floors always hold; and no model
//! or lead document, however hostile, makes it panic.

use crmkit::model::{Activity, Company, Contact, Timestamp};
use crmkit::scoring::{BatchScore, LeadInput, ScoringModel};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

const AS_OF: &str = "2026-06-01T00:00:00Z";

fn as_of() -> Timestamp {
    AS_OF.parse().expect("as_of")
}

/// A decimal with up to `dp` places between -limit and limit.
fn decimal(limit: i64, dp: u32) -> impl Strategy<Value = String> {
    (-limit..=limit, 0..=dp).prop_map(|(m, scale)| Decimal::new(m, scale).to_string())
}

fn text_value() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("founder"),
        Just("Sales Director"),
        Just("analyst"),
        Just("marketing manager"),
        Just("software"),
        Just("finance"),
    ]
}

fn condition() -> impl Strategy<Value = Value> {
    let text_field = prop_oneof![Just("contact.job_title"), Just("company.industry")];
    prop_oneof![
        (text_field.clone(), text_value()).prop_map(|(f, v)| json!({"field": f, "op": "equals", "value": v})),
        (text_field.clone(), prop::collection::vec(text_value(), 1..4))
            .prop_map(|(f, v)| json!({"field": f, "op": "in", "values": v})),
        (text_field, prop_oneof![Just("dir"), Just("MAN"), Just("e")])
            .prop_map(|(f, v)| json!({"field": f, "op": "contains", "value": v})),
        (0_i64..3000, 0_i64..3000).prop_map(|(a, b)| json!({"field": "company.employees", "op": "range",
            "min": a.min(b), "max": a.max(b)})),
        (0_i64..3000).prop_map(|a| json!({"field": "company.employees", "op": "equals", "value": a % 7})),
        (decimal(50, 4), prop_oneof![Just("USD"), Just("EUR")]).prop_map(|(a, c)| json!({
            "field": "company.annual_revenue", "op": "range", "min": {"amount": a, "currency": c}})),
        (decimal(2000, 4), prop::bool::ANY).prop_map(|(a, low)| if low {
            json!({"field": "contact.attributes.seats", "op": "range", "kind": "number", "min": a})
        } else {
            json!({"field": "contact.attributes.seats", "op": "range", "kind": "number", "max": a})
        }),
        (1_u32..28).prop_map(|day| json!({"field": "contact.attributes.renewal", "op": "range",
            "max": {"date": format!("2026-07-{day:02}")}})),
        (1_u32..28).prop_map(|day| json!({"field": "contact.created_at", "op": "range",
            "min": format!("2026-01-{day:02}T12:00:00Z")})),
        prop::bool::ANY.prop_map(|b| json!({"field": "contact.attributes.trial", "op": "equals", "value": b})),
        Just(json!({"field": "contact.email", "op": "exists"})),
        Just(json!({"field": "contact.attributes.seats", "op": "exists"})),
    ]
}

fn matcher() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"type": "website_visit"})),
        Just(json!({"type": "website_visit", "url": "/pricing*"})),
        Just(json!({"type": "website_visit", "url": "*blog*"})),
        Just(json!({"type": "email", "event": "clicked"})),
        Just(json!({"type": "email", "event": "bounced"})),
        Just(json!({"type": "referral"})),
        Just(json!({"type": "meeting", "duration_minutes": {"min": 30}})),
        decimal(500, 2).prop_map(
            |a| json!({"type": "purchase", "min_amount": {"amount": a, "currency": "USD"}})
        ),
    ]
}

fn decay() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        (1_u32..90).prop_map(|h| Some(json!({"half_life_days": h}))),
        (1_u32..120).prop_map(|l| Some(json!({"linear_days": l}))),
    ]
}

fn rule(index: usize, positive: bool) -> impl Strategy<Value = Value> {
    let points = if positive {
        decimal(20, 2)
            .prop_map(|p| {
                let d: Decimal = p.parse().unwrap_or(Decimal::ONE);
                (d.abs() + Decimal::new(1, 2)).to_string()
            })
            .boxed()
    } else {
        decimal(20, 2).boxed()
    };
    let category = prop_oneof![
        Just(None),
        Just(Some("fit")),
        Just(Some("engagement")),
        Just(Some("extra"))
    ];
    let max_points = prop::option::of((1_i64..400).prop_map(|m| Decimal::new(m, 1).to_string()));
    let attribute = (
        points.clone(),
        category.clone(),
        max_points.clone(),
        condition(),
    )
        .prop_map(move |(p, c, m, w)| {
            let mut r = json!({"id": format!("r{index}"), "points": p, "when": w});
            if let Some(c) = c {
                r["category"] = json!(c);
            }
            if let Some(m) = m {
                r["max_points"] = json!(m);
            }
            r
        });
    let activity = (
        points,
        category,
        max_points,
        matcher(),
        decay(),
        prop::option::of(prop_oneof![Just(7_u32), Just(30), 1_u32..300]),
    )
        .prop_map(move |(p, c, m, a, d, e)| {
            let mut r = json!({"id": format!("r{index}"), "points": p, "activity": a});
            if let Some(c) = c {
                r["category"] = json!(c);
            }
            if let Some(m) = m {
                r["max_points"] = json!(m);
            }
            if let Some(d) = d {
                r["decay"] = d;
            }
            if let Some(e) = e {
                r["expire_after_days"] = json!(e);
            }
            r
        });
    prop_oneof![attribute, activity]
}

fn bounds() -> impl Strategy<Value = (Option<String>, Option<String>)> {
    (prop::option::of(-300_i64..0), prop::option::of(0_i64..300)).prop_map(|(l, h)| {
        (
            l.map(|l| Decimal::new(l, 1).to_string()),
            h.map(|h| Decimal::new(h, 1).to_string()),
        )
    })
}

fn model_json(positive: bool) -> impl Strategy<Value = Value> {
    (
        (1_usize..10).prop_flat_map(move |n| {
            (0..n).map(|i| rule(i, positive)).collect::<Vec<_>>()
        }),
        bounds(),
        bounds(),
        prop::option::of(0_i64..30_000),
        prop::bool::ANY,
        bounds(),
    )
        .prop_map(|(rules, fit, extra, weight, max, total)| {
            let mut extra_cat = json!({"id": "extra"});
            if let Some(w) = weight { extra_cat["weight"] = json!(Decimal::new(w, 4).to_string()); }
            if let Some(l) = extra.0 { extra_cat["min"] = json!(l); }
            if let Some(h) = extra.1 { extra_cat["max"] = json!(h); }
            let mut fit_cat = json!({"id": "fit"});
            if let Some(l) = fit.0 { fit_cat["min"] = json!(l); }
            if let Some(h) = fit.1 { fit_cat["max"] = json!(h); }
            let mut total_doc = json!({"combine": if max { "max" } else { "sum" }});
            if let Some(l) = total.0 { total_doc["min"] = json!(l); }
            if let Some(h) = total.1 { total_doc["max"] = json!(h); }
            json!({
                "categories": [fit_cat, extra_cat],
                "total": total_doc,
                "rules": rules,
                "grades": [{"grade": "A", "min": 20}, {"grade": "B", "min": "0.0001"}, {"grade": "C", "min": -5}],
                "handoffs": [
                    {"id": "to-sql", "from": ["mql"], "to": "sql", "min": 15},
                    {"id": "to-mql", "from": ["subscriber", "lead"], "to": "mql", "min": "2.5"},
                    {"id": "extra-low", "from": ["mql", "sql"], "to": "lead", "below": 1, "category": "extra"},
                    {"id": "fit-high", "from": ["opportunity"], "to": "customer", "min": 3, "category": "fit"}
                ]
            })
        })
}

#[derive(Debug, Clone)]
struct Lead {
    contact: Contact,
    company: Option<Company>,
    activities: Vec<Activity>,
}

fn activity_kind() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop_oneof![Just("/pricing"), Just("/PRICING/team"), Just("/blog/x"), Just("/demo")]
            .prop_map(|u| json!({"type": "website_visit", "url": u})),
        prop_oneof![Just("clicked"), Just("bounced"), Just("opened")]
            .prop_map(|e| json!({"type": "email", "event": e})),
        Just(json!({"type": "referral"})),
        (0_u32..90).prop_map(|m| json!({"type": "meeting", "duration_minutes": m})),
        (decimal(100_000, 3), prop_oneof![Just("USD"), Just("EUR")])
            .prop_map(|(a, c)| json!({"type": "purchase", "amount": {"amount": a.trim_start_matches('-'), "currency": c}})),
    ]
}

fn activity(index: usize) -> impl Strategy<Value = Activity> {
    // Ages anywhere, and ages on and around whole days (where day counts
    // and expiry flip).
    let ago = prop_oneof![
        -5 * 86_400_i64..400 * 86_400,
        (prop_oneof![Just(7_i64), Just(30), -5_i64..400], -1_i64..=1)
            .prop_map(|(days, nudge)| days * 86_400 + nudge),
    ];
    (activity_kind(), ago, prop_oneof![Just(0_u32), 0_u32..2]).prop_map(move |(kind, ago, frac)| {
        let at = as_of() - chrono::Duration::seconds(ago)
            + chrono::Duration::milliseconds(i64::from(frac) * 500);
        serde_json::from_value(
            json!({"id": format!("A-{index}"), "contact": "C-1", "at": at, "kind": kind}),
        )
        .expect("activity")
    })
}

fn lead() -> impl Strategy<Value = Lead> {
    let company = prop::option::of((
        prop::option::of(0_u32..3000),
        prop::option::of(text_value()),
        prop::option::of((decimal(100, 6), prop_oneof![Just("USD"), Just("EUR")])),
    ));
    (
        prop::option::of(text_value()),
        prop::bool::ANY,
        company,
        prop::option::of(decimal(3_000_000, 6)),
        prop::option::of(1_u32..28),
        prop::option::of(prop::bool::ANY),
        (1_u32..28, prop_oneof![Just("subscriber"), Just("lead"), Just("mql"), Just("sql"), Just("opportunity"), Just("customer")]),
        (0_usize..12).prop_flat_map(|n| (0..n).map(activity).collect::<Vec<_>>()),
    )
        .prop_map(|(title, email, company, seats, renewal, trial, created, activities)| {
            let mut attributes = serde_json::Map::new();
            if let Some(s) = seats { attributes.insert("seats".into(), json!({"number": s})); }
            if let Some(r) = renewal { attributes.insert("renewal".into(), json!({"date": format!("2026-07-{r:02}")})); }
            if let Some(t) = trial { attributes.insert("trial".into(), json!(t)); }
            let (created, stage) = created;
            let mut contact = json!({"id": "C-1", "created_at": format!("2026-01-{created:02}T12:00:00Z"),
                                     "attributes": attributes, "lifecycle": {"stage": stage}});
            if let Some(t) = title { contact["job_title"] = json!(t); }
            if email { contact["email"] = json!("x@example.com"); }
            let company = company.map(|(employees, industry, revenue)| {
                let mut c = json!({"id": "CO-1", "name": "Acme"});
                if let Some(e) = employees { c["employees"] = json!(e); }
                if let Some(i) = industry { c["industry"] = json!(i); }
                if let Some((a, cur)) = revenue { c["annual_revenue"] = json!({"amount": a, "currency": cur}); }
                serde_json::from_value(c).expect("company")
            });
            Lead {
                contact: serde_json::from_value(contact).expect("contact"),
                company,
                activities,
            }
        })
}

fn input(lead: &Lead) -> LeadInput<'_> {
    LeadInput {
        contact: &lead.contact,
        company: lead.company.as_ref(),
        activities: lead.activities.iter().collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn batch_scores_equal_explained_scores(doc in model_json(false), leads in prop::collection::vec(lead(), 1..6), shift in prop_oneof![Just(0_i64), -3_i64..400]) {
        let model = ScoringModel::from_json(&doc.to_string()).expect("generated models are valid");
        let as_of = as_of() + chrono::Duration::hours(shift);
        let inputs: Vec<LeadInput<'_>> = leads.iter().map(input).collect();
        let prepared = model.prepare(&inputs).expect("prepare");
        let k = model.categories().len();
        let mut out = vec![BatchScore::default(); leads.len()];
        let mut categories = vec![0_i64; leads.len() * k];
        let batch = model.score_batch(&prepared.as_batch(), as_of, &mut out, Some(&mut categories));
        for (i, lead) in inputs.iter().enumerate() {
            let explained = model.score(lead, as_of);
            match (&batch, explained) {
                (Ok(()), Ok(score)) => {
                    prop_assert_eq!(out[i].total(), score.total);
                    let grade = usize::try_from(out[i].grade).ok().map(|g| model.grades()[g].grade.clone());
                    prop_assert_eq!(grade, score.grade.clone());
                    let handoff = usize::try_from(out[i].handoff).ok().map(|h| model.handoffs()[h].id.clone());
                    prop_assert_eq!(handoff, score.recommendation.as_ref().map(|r| r.handoff.clone()));
                    for (c, cat) in score.categories.iter().enumerate() {
                        prop_assert_eq!(Decimal::new(categories[i * k + c], 4), cat.score);
                    }
                }
                (Err(a), Err(b)) => prop_assert_eq!(a.kind(), b.kind()),
                (a, b) => prop_assert!(false, "paths disagree: {:?} vs {:?}", a, b.map(|s| s.total)),
            }
        }
    }

    #[test]
    fn batch_scores_equal_explained_scores_across_chunks(doc in model_json(false), leads in prop::collection::vec(lead(), 1..6), count in 250_usize..700) {
        // Hundreds of leads (the generated ones, repeated): the batch path
        // works in chunks of leads, and every chunk boundary must give the
        // explained digits too.
        let model = ScoringModel::from_json(&doc.to_string()).expect("generated models are valid");
        let inputs: Vec<LeadInput<'_>> = (0..count).map(|i| input(&leads[i % leads.len()])).collect();
        let explained: Vec<_> = leads.iter().map(|lead| model.score(&input(lead), as_of())).collect();
        let prepared = model.prepare(&inputs).expect("prepare");
        let k = model.categories().len();
        let mut out = vec![BatchScore::default(); count];
        let mut categories = vec![0_i64; count * k];
        let batch = model.score_batch(&prepared.as_batch(), as_of(), &mut out, Some(&mut categories));
        match (&batch, explained.iter().find(|s| s.is_err())) {
            (Ok(()), None) => {
                for i in 0..count {
                    let Ok(score) = &explained[i % leads.len()] else { unreachable!() };
                    prop_assert_eq!(out[i].total(), score.total, "lead {}", i);
                    let grade = usize::try_from(out[i].grade).ok().map(|g| model.grades()[g].grade.clone());
                    prop_assert_eq!(grade, score.grade.clone());
                    for (c, cat) in score.categories.iter().enumerate() {
                        prop_assert_eq!(Decimal::new(categories[i * k + c], 4), cat.score);
                    }
                }
            }
            (Err(a), Some(Err(b))) => prop_assert_eq!(a.kind(), b.kind()),
            (a, b) => prop_assert!(false, "paths disagree: {:?} vs {:?}", a, b.map(|s| s.as_ref().map(|s| s.total))),
        }
    }

    #[test]
    fn caps_and_floors_always_hold(doc in model_json(false), lead in lead()) {
        let model = ScoringModel::from_json(&doc.to_string()).expect("valid");
        let score = model.score(&input(&lead), as_of()).expect("score");
        for (cat, spec) in score.categories.iter().zip(model.categories()) {
            prop_assert!(spec.max.is_none_or(|m| cat.score <= m), "{} above its cap", cat.id);
            prop_assert!(spec.min.is_none_or(|m| cat.score >= m), "{} below its floor", cat.id);
        }
        let rules = doc["rules"].as_array().cloned().unwrap_or_default();
        for c in &score.contributions {
            let rule = rules.iter().find(|r| r["id"] == json!(c.rule)).expect("rule");
            if let Some(max) = rule.get("max_points").and_then(Value::as_str) {
                let max: Decimal = max.parse().expect("max");
                prop_assert!(c.points.abs() <= max, "{} beyond its maximum", c.rule);
            }
        }
        let total = &doc["total"];
        if let Some(max) = total.get("max").and_then(Value::as_str) {
            prop_assert!(score.total <= max.parse::<Decimal>().expect("max"));
        }
        if let Some(min) = total.get("min").and_then(Value::as_str) {
            prop_assert!(score.total >= min.parse::<Decimal>().expect("min"));
        }
    }

    #[test]
    fn adding_an_occurrence_of_positive_rules_never_lowers_the_score(
        doc in model_json(true), lead in lead(), extra in activity(99)
    ) {
        let model = ScoringModel::from_json(&doc.to_string()).expect("valid");
        let before = model.score(&input(&lead), as_of()).expect("score");
        let mut more = lead.clone();
        more.activities.push(extra);
        let after = model.score(&input(&more), as_of()).expect("score");
        prop_assert!(after.total >= before.total, "{} < {}", after.total, before.total);
        for (a, b) in after.categories.iter().zip(&before.categories) {
            prop_assert!(a.score >= b.score);
        }
    }

    #[test]
    fn any_model_text_is_refused_or_loaded_without_panicking(text in ".{0,200}") {
        let _ = ScoringModel::from_json(&text);
    }

    #[test]
    fn hostile_values_in_a_model_are_refused_or_loaded(
        value in prop_oneof![
            Just(json!(null)), Just(json!("NaN")), Just(json!("1e400")), Just(json!(-1e300)),
            Just(json!(1e300)), Just(json!("-0")), Just(json!([])), Just(json!({})),
            Just(json!("79228162514264337593543950335")), Just(json!(u64::MAX)), Just(json!(i64::MIN)),
            any::<i64>().prop_map(|n| json!(n)), any::<f64>().prop_map(|f| json!(f)), ".{0,12}".prop_map(|s| json!(s)),
        ],
        slot in 0_usize..12,
    ) {
        let mut doc = json!({
            "categories": [{"id": "fit", "max": 50, "weight": 1}],
            "total": {"min": 0, "max": 100},
            "rules": [
                {"id": "a", "points": 5, "when": {"field": "company.employees", "op": "range", "min": 1, "max": 10}},
                {"id": "b", "points": 5, "max_points": 20, "decay": {"half_life_days": 10}, "expire_after_days": 30,
                 "activity": {"type": "website_visit", "url": "/x*"}}
            ],
            "grades": [{"grade": "A", "min": 10}]
        });
        let targets = [
            "/rules/0/points", "/rules/0/when/min", "/rules/0/when/max", "/rules/1/max_points",
            "/rules/1/decay/half_life_days", "/rules/1/expire_after_days", "/categories/0/max",
            "/categories/0/weight", "/total/min", "/total/max", "/grades/0/min", "/rules/1/activity/url",
        ];
        if let Some(target) = doc.pointer_mut(targets[slot]) {
            *target = value;
        }
        if let Ok(model) = ScoringModel::from_json(&doc.to_string()) {
            let lead = json!({"contact": {"id": "C-1", "created_at": "2026-01-01T00:00:00Z"},
                              "company": {"id": "CO-1", "name": "x", "employees": 5}});
            let _ = model.score_json(&lead.to_string(), as_of());
        }
    }

    #[test]
    fn any_lead_text_is_refused_or_scored_without_panicking(text in ".{0,200}", junk in any::<Vec<u8>>()) {
        let model = ScoringModel::from_json(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/scoring_model.json"))
                .expect("model"),
        ).expect("valid");
        let _ = model.score_json(&text, as_of());
        let _ = model.score_json(&String::from_utf8_lossy(&junk), as_of());
        // Structurally valid leads with hostile values.
        let lead = json!({"contact": {"id": "C-1", "created_at": "2026-01-01T00:00:00Z",
                                      "job_title": text, "company": "CO-1"},
                          "company": {"id": "CO-1", "name": "x", "employees": 4_000_000_000_u32,
                                      "annual_revenue": {"amount": "79228162514264337593543950335", "currency": "USD"}},
                          "activities": [{"id": "A", "contact": "C-1", "at": "1970-01-01T00:00:00Z",
                                          "kind": {"type": "purchase", "amount": {"amount": "79228162514264337593543950335", "currency": "USD"}}}]});
        let _ = model.score_json(&lead.to_string(), as_of());
    }
}
